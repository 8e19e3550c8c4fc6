"""The secrets review, driven with a pilot: masked rows, reveal and hide, name validation,
targets, the apply preview (nothing written before y), apply and the rescan.
"""

from __future__ import annotations

import pytest

import os
import stat

from textual.widgets import Input, OptionList

from lsc_tui.tui.flows.secrets_review import ApplyPreview, SecretsReview

from .conftest import PLANTED, HostApp, file_hashes_of, open_session
from .test_migrate_wizard import footer_keys

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

SECOND = "sk-proj-AbCdEf0123456789GhIjKlMnOpQrStUv"


def make(config):
    return HostApp(open_session(config), SecretsReview)


def screen_text(app) -> str:
    """Everything the review screen shows right now."""
    scr = app.screen
    out = []
    for w in scr.query("Static, Label, OptionList, Input"):
        if isinstance(w, OptionList):
            out += [str(o.prompt) for o in w.options]
        elif isinstance(w, Input):
            out.append(w.value)
        else:
            out.append(str(w.render()))
    return "\n".join(out)


def add_second_secret(config):
    run = config.parent / "run.yaml"
    text = run.read_text().replace("api_key: ${env.OPENAI_API_KEY}", f"api_key: {SECOND}")
    run.write_text(text)


async def test_findings_are_masked_and_reveal_is_explicit_and_temporary(demo):
    add_second_secret(demo)
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        assert isinstance(scr, SecretsReview)
        files = {f.file for f in scr.state.findings}
        assert files == {"lightspeed-stack.yaml", "run.yaml"}
        text = screen_text(app)
        assert PLANTED not in text and SECOND not in text
        assert "********" in text
        # v reveals the highlighted one only
        await pilot.press("v")
        text = screen_text(app)
        assert PLANTED in text and SECOND not in text
        # v again hides it
        await pilot.press("v")
        assert PLANTED not in screen_text(app)
        # moving away hides it
        await pilot.press("v")
        assert PLANTED in screen_text(app)
        await pilot.press("down")
        assert PLANTED not in screen_text(app)
        assert scr.revealed is None
        # leaving the screen hides it too
        await pilot.press("v")
        assert SECOND in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert scr.revealed is None
        assert app.results == [{"written": []}]


async def test_name_is_editable_and_validated(demo):
    app = make(demo)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        f = scr.state.findings[0]
        assert scr.name_of(f) == "POSTGRES_PASSWORD"
        await pilot.press("e")
        box = scr.query_one("#sr-name", Input)
        assert box.has_focus
        box.value = ""
        await pilot.press(*"9bad")
        await pilot.pause()
        assert "upper-case" in str(scr.query_one("#sr-name-error").render())
        assert scr.name_of(f) == "POSTGRES_PASSWORD"  # an invalid name is never taken
        await pilot.press("escape")  # back to the list; letters act again
        await pilot.press("a")
        await pilot.pause()
        # the name field showed an error but the stored name stayed valid: the preview opens
        assert isinstance(app.screen, ApplyPreview)
        await pilot.press("escape")
        await pilot.press("e")
        box.value = ""
        await pilot.press(*"LCS_DB_PASSWORD", "enter")
        assert scr.name_of(f) == "LCS_DB_PASSWORD"
        assert "${env.LCS_DB_PASSWORD}" in str(scr.query_one("#sr-list", OptionList).get_option_at_index(0).prompt)
    assert file_hashes_of(demo.parent) == before


async def test_apply_shows_the_change_then_writes_env_and_rescans(demo):
    app = make(demo)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        prev = app.screen
        assert isinstance(prev, ApplyPreview)
        shown = str(prev.query_one("#sr-plan").render()) + str(prev.query_one("#sr-diff").render())
        assert "+    password: ${env.POSTGRES_PASSWORD}" in shown
        assert "-    password: ********" in shown
        assert ".env: created, mode 0600" in shown
        assert PLANTED not in shown and str(demo.parent) not in shown
        # esc: back, nothing written
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SecretsReview)
        assert file_hashes_of(demo.parent) == before
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        scr = app.screen
        assert isinstance(scr, SecretsReview)
        assert scr.state.findings == []  # rescanned from disk
        await pilot.press("escape")
        await pilot.pause()
    env = demo.parent / ".env"
    assert env.read_text().strip() == f"POSTGRES_PASSWORD={PLANTED}" or f"POSTGRES_PASSWORD={PLANTED}" in env.read_text()
    assert stat.S_IMODE(os.stat(env).st_mode) == 0o600
    assert "password: ${env.POSTGRES_PASSWORD}" in demo.read_text()
    assert PLANTED not in demo.read_text()
    assert app.results[-1]["written"] and any(p.endswith(".env") for p in app.results[-1]["written"])


async def test_kubernetes_secret_target(demo):
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        scr = app.screen
        assert scr.state.target == "k8s"
        await pilot.press("o")
        box = scr.query_one("#sr-target", Input)
        box.value = "Bad_Name"
        await pilot.pause()
        assert "Lower-case" in str(scr.query_one("#sr-target-error").render())
        box.value = "lcs-secrets"
        await pilot.press("enter", "a")
        await pilot.pause()
        assert isinstance(app.screen, ApplyPreview)
        await pilot.press("y")
        await pilot.pause()
    manifest = demo.parent / "lcs-secrets-secret.yaml"
    assert manifest.exists() and "kind: Secret" in manifest.read_text()
    assert "${env.POSTGRES_PASSWORD}" in demo.read_text()


async def test_unsaved_edits_block_apply(demo):
    from lsc_tui.config.session import SetValue

    session = open_session(demo)
    session.apply(SetValue(demo, ("service", "port"), 8081))
    app = HostApp(session, SecretsReview)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, SecretsReview)
        said = "Unsaved edits in lightspeed-stack.yaml: save them (w) or undo them first; the fix edits the files on disk."
        assert any(n.message == said for n in app._notifications), [n.message for n in app._notifications]
    assert file_hashes_of(demo.parent) == before


async def test_no_findings(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("version: 2\nimage_name: x\napis: []\nproviders: {}\n")
    app = make(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "No literal secrets" in screen_text(app)
        await pilot.pause()
        assert footer_keys(app.screen) == ["esc Back"]  # no key that does nothing here
        await pilot.press("a")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [{"written": []}]


async def test_reveal_is_hidden_when_another_screen_goes_on_top(demo):
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        await pilot.press("v")
        assert PLANTED in screen_text(app)
        await pilot.press("a")  # the apply preview covers it
        await pilot.pause()
        assert isinstance(app.screen, ApplyPreview)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is scr and scr.revealed is None
        assert PLANTED not in screen_text(app)
        from textual.screen import ModalScreen

        await pilot.press("v")
        app.push_screen(ModalScreen())  # e.g. the editor's help
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        assert PLANTED not in screen_text(app)


async def _empty_name_box(scr, pilot) -> Input:
    """The first finding's env-var name box (``e``), emptied for typing."""
    await pilot.press("e")
    box = scr.query_one("#sr-name", Input)
    box.value = ""
    return box


async def test_names_are_upper_cased_as_typed(demo):
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        box = await _empty_name_box(scr, pilot)
        await pilot.press(*"lcs_db_pw")
        await pilot.pause()
        assert box.value == "LCS_DB_PW"
        assert "enter keeps this name" in str(scr.query_one("#sr-name-error").render())
        await pilot.press("enter")
        assert scr.name_of(scr.state.findings[0]) == "LCS_DB_PW"


async def test_a_name_typed_faster_than_a_repaint_keeps_every_letter_and_the_cursor(demo):
    """Lower-case letters arriving in one read (over SSH, a paste, a fast typist): the review
    upper-cased the value each key had seen, so later keys were lost or the cursor jumped back
    (typing after the error put the letters in the middle of the name). Now every letter stays,
    upper-cased, and the cursor stays at the end."""
    from textual import events

    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        box = await _empty_name_box(scr, pilot)
        await pilot.pause()
        for ch in "pg_pass":  # as a terminal delivers them: in one read, before any handler ran
            app.post_message(events.Key(ch, ch))
        await pilot.pause(0.3)
        assert box.value == "PG_PASS"
        assert box.cursor_position == len("PG_PASS")
        for ch in "wd":
            app.post_message(events.Key(ch, ch))
        await pilot.pause(0.3)
        assert box.value == "PG_PASSWD" and box.cursor_position == 9
        await pilot.press("enter")
        assert scr.name_of(scr.state.findings[0]) == "PG_PASSWD"


async def test_j_and_k_move_in_the_list_of_findings(demo):
    """The key map's j / k did nothing in the secrets list: only the arrows moved."""
    add_second_secret(demo)
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        ol = scr.query_one("#sr-list", OptionList)
        assert ol.has_focus and ol.highlighted == 0
        await pilot.press("j")
        await pilot.pause()
        assert ol.highlighted == 1
        await pilot.press("k")
        await pilot.pause()
        assert ol.highlighted == 0


def row_text(scr, n: int = 0) -> str:
    return str(scr.query_one("#sr-list", OptionList).get_option_at_index(n).prompt)


async def test_a_name_is_taken_when_it_is_committed_not_at_each_prefix_typed(demo):
    """Typing OPENAI_API_KEY into the name box put ${env.O}, ${env.OP}, ... in the row (each
    valid prefix was taken). Now the row and the plan keep the old name while the operator
    types, the box's own check still follows each key, and enter takes the whole name."""
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        f = scr.state.findings[0]
        box = await _empty_name_box(scr, pilot)
        typed = ""
        for ch in "OPENAI_API_KEY":
            await pilot.press(ch)
            typed += ch
            await pilot.pause()
            assert box.value == typed
            assert scr.name_of(f) == "POSTGRES_PASSWORD", typed
            assert "${env.POSTGRES_PASSWORD}" in row_text(scr), typed
            assert f"${{env.{typed}}}" not in row_text(scr)
        await pilot.press("-")  # the live check on the box still follows the keys
        await pilot.pause()
        assert "upper-case" in str(scr.query_one("#sr-name-error").render())
        assert scr.name_of(f) == "POSTGRES_PASSWORD"
        await pilot.press("backspace", "enter")
        await pilot.pause()
        assert scr.query_one("#sr-list", OptionList).has_focus
        assert scr.name_of(f) == "OPENAI_API_KEY"
        assert "${env.OPENAI_API_KEY}" in row_text(scr)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ApplyPreview)
        assert "${env.OPENAI_API_KEY}" in str(app.screen.query_one("#sr-diff").render())
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert "password: ${env.OPENAI_API_KEY}" in demo.read_text()
    env = (demo.parent / ".env").read_text()
    assert f"OPENAI_API_KEY={PLANTED}" in env
    for prefix in ("O=", "OP=", "OPENAI=", "OPENAI_API=", "OPENAI_API_KE="):
        assert not any(line.startswith(prefix) for line in env.splitlines()), env
    assert "POSTGRES_PASSWORD" not in env


async def test_esc_in_the_name_box_keeps_the_old_name_and_tab_takes_the_new_one(demo):
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        f = scr.state.findings[0]
        box = await _empty_name_box(scr, pilot)
        await pilot.press(*"LCS_DB")
        await pilot.pause()
        assert "esc" in str(scr.query_one("#sr-name-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert scr.query_one("#sr-list", OptionList).has_focus
        assert scr.name_of(f) == "POSTGRES_PASSWORD"
        assert box.value == "POSTGRES_PASSWORD"  # the box shows what the row holds
        assert "${env.POSTGRES_PASSWORD}" in row_text(scr)
        # leaving the box another way (tab) takes a valid name
        box = await _empty_name_box(scr, pilot)
        await pilot.press(*"LCS_DB", "tab")
        await pilot.pause()
        assert not box.has_focus
        assert scr.name_of(f) == "LCS_DB"
        assert "${env.LCS_DB}" in row_text(scr)
        # ... and never an invalid one: the box goes back to the name the row holds
        assert scr.query_one("#sr-target", Input).has_focus  # tab went on to the target
        await pilot.press("escape")
        box = await _empty_name_box(scr, pilot)
        await pilot.press(*"9X", "tab")
        await pilot.pause()
        assert scr.name_of(f) == "LCS_DB" and box.value == "LCS_DB"


async def test_the_target_is_taken_at_enter_and_esc_drops_what_was_typed(demo):
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        box = scr.query_one("#sr-target", Input)
        await pilot.press("o", "end", "x")  # the box opens with its text selected: end keeps it
        await pilot.pause()
        assert box.value == ".envx" and scr.state.env_file == ".env"
        await pilot.press("escape")
        await pilot.pause()
        assert scr.state.env_file == ".env" and box.value == ".env"
        await pilot.press("o", "end", *".prod", "enter")
        await pilot.pause()
        assert scr.state.env_file == ".env.prod"
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert (demo.parent / ".env.prod").exists() and not (demo.parent / ".env").exists()


async def test_a_name_typed_at_once_after_e_goes_into_the_box(demo):
    """``e`` and the name in one read (over SSH, or a paste): the box took the focus only after
    the keys were routed, so every letter of the name was lost on the list. Now they are typed
    into the box, the e and o of the name too (the keys that open the boxes)."""
    from textual import events

    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        await pilot.pause()
        box = scr.query_one("#sr-name", Input)
        for ch in "eopenai_key":
            app.post_message(events.Key(ch, ch))
        await pilot.pause(0.3)
        assert box.has_focus and box.value == "OPENAI_KEY"
        assert scr.name_of(scr.state.findings[0]) == "POSTGRES_PASSWORD"  # not yet: enter takes it
        await pilot.press("enter")
        assert scr.name_of(scr.state.findings[0]) == "OPENAI_KEY"
        for ch in "o.env.prod":  # the same for the target's box
            app.post_message(events.Key(ch, ch))
        await pilot.pause(0.3)
        target = scr.query_one("#sr-target", Input)
        assert target.has_focus and target.value == ".env.prod"
        await pilot.press("enter")  # the target taken, back on the list: enter opens the name too
        await pilot.pause()
        app.post_message(events.Key("enter", "\r"))
        for ch in "pg_pw":
            app.post_message(events.Key(ch, ch))
        await pilot.pause(0.3)
        assert box.has_focus and box.value == "PG_PW"
        await pilot.press("enter")
        assert scr.name_of(scr.state.findings[0]) == "PG_PW" and scr.state.env_file == ".env.prod"


async def test_rows_name_the_file_from_the_workspace_when_started_elsewhere(demo, tmp_path):
    """Started from another folder (`lsc-tui /srv/lcs/lightspeed-stack.yaml`), each row began
    with the whole absolute path and took two lines at 80 columns; the rows, the detail and the
    messages name the file from the workspace, as the editor's findings and the preview do."""
    from lsc_tui.config.session import EditSession

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    app = HostApp(EditSession.open(demo, cwd=elsewhere), SecretsReview)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        await pilot.pause()
        assert row_text(scr).startswith("[x] lightspeed-stack.yaml:32  ")
        assert str(scr.query_one("#sr-where").render()).startswith("lightspeed-stack.yaml:32:")
        assert str(demo.parent) not in screen_text(app)


async def test_y_on_a_plan_with_errors_says_why_nothing_is_written(demo):
    """Two different values under one name: the preview lists the error, and y (dimmed) did
    nothing at all. It says that nothing was written and why."""
    add_second_secret(demo)
    app = make(demo)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        await pilot.press("j", "e")
        box = scr.query_one("#sr-name", Input)
        box.value = ""
        await pilot.press(*"POSTGRES_PASSWORD", "enter", "a")
        await pilot.pause()
        prev = app.screen
        assert isinstance(prev, ApplyPreview) and not prev.plan.ok
        assert "error: POSTGRES_PASSWORD is already set" in str(prev.query_one("#sr-plan").render())
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is prev
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Nothing was written: the plan has errors") for m in said), said
    assert file_hashes_of(demo.parent) == before
