"""What the editor says is what happens: files moved or broken from outside, the app's own
writes, the recovery file against a changed disk, unparsed raw YAML on quit, the migration offer."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import make_app
from .helpers import select, settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

VLLM = ("providers", "inference", 0)


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_run_yaml_moved_away_says_w_writes_it_back_and_w_does(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        run = demo / "run.yaml"
        before = run.read_text()
        run.rename(demo / "run.yaml.moved")
        await pilot.press("f5")
        await settle(app, pilot)
        [said] = [m for m in messages(app) if "deleted or moved" in m]
        assert "w writes it back" in said
        assert app.view.dirty  # the header shows the copy that is not on disk
        await pilot.press("w")
        await settle(app, pilot)
        assert run.read_text() == before
        assert not any("Nothing to save" in m for m in messages(app))
        assert not app.view.dirty


async def test_run_yaml_broken_from_outside_says_w_writes_over_it_and_w_does(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        run = demo / "run.yaml"
        before = run.read_text()
        run.write_text("providers: [unclosed\n")
        await pilot.press("f5")
        await settle(app, pilot)
        [said] = [m for m in messages(app) if "cannot use" in m]
        assert "run.yaml:2:1" in said and "w writes it over the broken file" in said
        await pilot.press("w")
        await settle(app, pilot)
        assert run.read_text() == before
        assert (demo / "run.yaml.bak").read_text() == "providers: [unclosed\n"
        assert not any("Nothing to save" in m for m in messages(app))


async def _migrate_to_done(app, pilot):
    """Open the migration wizard (M), step to its Files step, write (w): its Done step is shown."""
    from lsc_tui.tui.flows.migrate_wizard import STEPS, MigrateWizard

    await pilot.press("M")
    for _ in range(200):
        await pilot.pause(0.02)
        if isinstance(app.screen, MigrateWizard) and app.screen.ready:
            break
    wizard = app.screen
    assert isinstance(wizard, MigrateWizard)
    while STEPS[wizard.step] != "files":
        await pilot.press("n")
        await pilot.pause()
    await pilot.press("w")
    await pilot.pause()
    assert STEPS[wizard.step] == "done"
    return wizard


async def test_the_migration_the_app_wrote_is_not_reported_as_changed_on_disk(demo):
    app = make_app(watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await asyncio.sleep(0.3)  # the watcher starts
        await _migrate_to_done(app, pilot)
        await asyncio.sleep(1.0)  # the watcher sees the writes while the wizard is open
        await settle(app, pilot)
        await pilot.press("enter")
        await asyncio.sleep(0.5)
        await settle(app, pilot)
        assert "profile: run.yaml" in app.session.text_of(demo / "lightspeed-stack.yaml")
        assert not any("changed on disk" in m for m in messages(app)), messages(app)
        assert not app.view.dirty


async def test_the_notice_of_the_files_the_migration_wrote_waits_for_the_wizard_to_close(demo):
    """The watcher sees the wizard's writes while its Done step is open: the editor reloads them
    then, but says so only once the wizard has closed (over the Done step the notice hid its
    commands for 4 s)."""
    import os

    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # toasts drawn, for the PNGs
        await settle(app, pilot)
        wizard = await _migrate_to_done(app, pilot)
        app.action_check_disk(quiet=True)  # what the watcher does when it sees the writes
        await settle(app, pilot)
        assert "profile: run.yaml" in app.session.text_of(demo / "lightspeed-stack.yaml")  # reloaded now
        if os.environ.get("LSC_TUI_SHOT_DIR"):  # to look at the screens as PNGs
            await pilot.pause(0.3)
            app.save_screenshot("wizard-done.svg", os.environ["LSC_TUI_SHOT_DIR"])
        assert app.screen is wizard and not any("now shows" in m for m in messages(app)), messages(app)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause(0.1)
        assert app.screen is app.get_default_screen_instance()
        assert messages(app).count("The editor now shows the lightspeed-stack.yaml just written.") == 1
        if os.environ.get("LSC_TUI_SHOT_DIR"):
            await pilot.pause(0.3)
            app.save_screenshot("wizard-closed.svg", os.environ["LSC_TUI_SHOT_DIR"])


async def test_the_migration_offer_is_made_once_per_file_and_the_answer_remembered(demo, private_home):
    import json
    import stat

    from lsc_tui.tui.flows.migrate_wizard import MigrationOffer

    app = make_app(offer_migration=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.1)
        assert isinstance(app.screen, MigrationOffer)
        await pilot.press("l")
        await settle(app, pilot)
    remembered = private_home / "state" / "lsc-tui" / "offers.json"
    assert stat.S_IMODE(remembered.stat().st_mode) == 0o600
    assert json.loads(remembered.read_text())[str((demo / "lightspeed-stack.yaml").resolve())]["migration"][
        "answer"] == "later"
    app = make_app(offer_migration=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert not isinstance(app.screen, MigrationOffer)
    # another legacy config is still asked
    other = demo.parent / "other"
    import shutil

    shutil.copytree(demo, other)
    app = make_app(str(other / "lightspeed-stack.yaml"), offer_migration=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.1)
        assert isinstance(app.screen, MigrationOffer)


async def _recovery_then_disk_change(demo):
    from lsc_tui.config.session import EditSession, SetValue

    s = EditSession.open(demo / "lightspeed-stack.yaml", cwd=demo)
    run = demo / "run.yaml"
    s.apply(SetValue(run, ("providers", "inference", 0, "config", "url"), "http://recovered:1/v1"))
    s.write_recovery()
    run.write_text(run.read_text().replace("distro_name: lsc-tui-demo", "distro_name: after-crash"))  # after the crash
    return run


@pytest.mark.parametrize("choice", ["k", "r"])
async def test_restoring_a_recovery_over_a_disk_change_says_so_and_asks(demo, choice):
    from lsc_tui.config.session import read_recovery
    from lsc_tui.tui.screens.dialogs import RecoveryDialog

    run = await _recovery_then_disk_change(demo)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.1)
        dialog = app.screen
        assert isinstance(dialog, RecoveryDialog) and dialog.changed == ["run.yaml"]
        title = str(dialog.query_one(".title").render())
        assert "run.yaml changed on disk" in title
        box = dialog.query_one("#recovery-diff")
        assert not box.display
        await pilot.press("v")
        await pilot.pause()
        assert box.display and "http://recovered:1/v1" in dialog.diff_text and "after-crash" in dialog.diff_text
        await pilot.press(choice)
        await settle(app, pilot)
        text = app.session.text_of(run)
        if choice == "k":  # keep the disk version: the change made after the crash stays
            assert "distro_name: after-crash" in text and "http://recovered:1/v1" not in text and not app.view.dirty
        else:  # restore: the recovered edits, told that they replace the disk change
            assert "http://recovered:1/v1" in text
            assert any("over the change on disk" in m for m in messages(app))
        assert read_recovery(demo / "lightspeed-stack.yaml") is None


async def _unparsed_yaml(app, pilot, demo):
    from textual.widgets import TextArea

    await select(app, pilot, "run.yaml", VLLM)
    await pilot.press("t")
    await settle(app, pilot)
    area = app.query_one("#yaml-editor", TextArea)
    area.focus()
    area.load_text(area.text + "  broken: [unclosed\n")  # as typed: the editor sees a change
    area.post_message(TextArea.Changed(area))
    await pilot.pause(0.8)  # the raw YAML applies after a pause in the typing
    await settle(app, pilot)
    assert app.query_one("#editor").unparsed_yaml is not None
    assert not app.session.dirty  # nothing of it reached the file
    return area.text


@pytest.mark.parametrize("choice", ["e", "d", "f"])
async def test_quitting_with_raw_yaml_that_does_not_parse_asks(demo, choice):
    from lsc_tui.tui.screens.dialogs import Choice

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        typed = await _unparsed_yaml(app, pilot, demo)
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice) and "does not parse" in app.screen.body_text
        await pilot.press(choice)
        await settle(app, pilot)
        if choice == "e":  # keep editing: still running, the text still there
            assert app.is_running and app.query_one("#editor").unparsed_yaml[0] == typed
            await pilot.press("ctrl+q")
            await settle(app, pilot)
            await pilot.press("d")
            await settle(app, pilot)
    assert app.return_code == 0
    sides = list(demo.glob("run.yaml.unparsed*.yaml"))
    if choice == "f":
        [side] = sides
        assert side.read_text() == typed and (side.stat().st_mode & 0o777) == 0o600
    else:
        assert not sides


async def test_a_literal_secret_is_marked_s_in_the_form_as_in_the_header_and_findings(demo):
    """The header counts the demo's password as S:1 (no error) and the findings pane marks it S;
    the form's note under the field marked it E, an error the header did not count."""
    from lsc_tui.tui.widgets.findings import FindingsPanel

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "lightspeed-stack.yaml", ("conversation_cache",))
        await settle(app, pilot)
        [note] = [str(w.render()) for w in app.query(".field-note") if w.display]
        assert note.startswith("S conversation_cache.postgres.password: literal secret"), note
        table = app.query_one(FindingsPanel)
        marks = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "S" in marks and "E" not in marks
