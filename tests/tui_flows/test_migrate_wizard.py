"""The migration wizard, driven with a pilot: every step, back and next, cancel at every step
(files unchanged, by hashes), the write with backups and the secret conversion, a result that
is not equivalent (refused until accepted), and configs with nothing to migrate or errors.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest
import yaml
from textual.widgets import OptionList

from lsc_tui.tui.flows.migrate_wizard import STEPS, MigrateWizard, legacy_message

from .conftest import PLANTED, ROOT, HostApp, file_hashes_of, open_session

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

FIXTURES = ROOT / "tests" / "fixtures" / "migration"


def make(config: Path, cwd: Path | None = None):
    from lsc_tui.config.session import EditSession

    session = EditSession.open(config, cwd=cwd or config.parent)
    return HostApp(session, MigrateWizard)


# a legacy config of a remote Llama Stack server: the wizard asks for the server's own run.yaml
REMOTE_SERVER_CONFIG = (
    "name: pair\nservice:\n  host: 0.0.0.0\n  port: 8080\nllama_stack:\n"
    "  use_as_library_client: false\n  url: http://localhost:8321\n"
    "authentication:\n  module: noop\nuser_data_collection:\n  feedback_enabled: false\n"
)


async def ready(pilot) -> MigrateWizard:
    scr = pilot.app.screen
    assert isinstance(scr, MigrateWizard)
    t0 = time.monotonic()
    while not scr.ready:
        assert time.monotonic() - t0 < 30, "analysis did not finish"
        await pilot.pause(0.05)
    await pilot.pause()
    return scr


def step(scr) -> str:
    return STEPS[scr.step]


def text(scr) -> str:
    return str(scr.query_one("#mw-text").render()) + "\n" + str(scr.query_one("#mw-preview").render())


async def test_walk_through_every_step_and_write(demo):
    app = make(demo)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        assert step(scr) == "why" and "removed in LCORE 0.7" in text(scr)
        await pilot.press("n")
        assert step(scr) == "analysis"
        assert "Recommended strategy: profile" in text(scr)
        await pilot.press("n")
        assert step(scr) == "strategy"
        shown = text(scr)
        assert "profile: run.yaml" in shown
        assert "✓ equivalent" in str(scr.query_one("#mw-proof").render())
        assert PLANTED not in shown and "password: ********" in shown
        # up/down picks another strategy; the preview and the proof follow
        await pilot.press("up")
        assert scr.strategy == "lift"
        assert "native_override" in text(scr)
        await pilot.press("down")
        assert scr.strategy == "profile"
        # back and next keep the choice
        await pilot.press("b", "n")
        assert step(scr) == "strategy" and scr.strategy == "profile"
        await pilot.press("n")
        assert step(scr) == "secrets"
        assert "conversation_cache.postgres.password  ->  ${env.POSTGRES_PASSWORD}" in text(scr)
        await pilot.press("n")
        assert step(scr) == "files"
        files = text(scr)
        for name in ("lightspeed-stack.yaml", "lightspeed-stack.yaml.pre-migrate.bak", "run.yaml", ".env"):
            assert f"  {name}\n" in files
        assert file_hashes_of(demo.parent) == before  # still nothing written
        await pilot.press("w")
        await pilot.pause()
        assert step(scr) == "done"
        done = text(scr)
        assert "Re-checked from disk: equivalent" in done and "What to run next" in done
        await pilot.press("enter")
        await pilot.pause()
    result = app.results[-1]
    assert {Path(p).name for p in result["written"]} == {"lightspeed-stack.yaml", ".env"}
    assert {Path(p).name for p in result["backups"]} == {"lightspeed-stack.yaml.pre-migrate.bak",
                                                         "lightspeed-stack.yaml.bak"}
    new = yaml.safe_load(demo.read_text())
    assert new["llama_stack"]["config"] == {"profile": "run.yaml"}
    assert "library_client_config_path" not in new["llama_stack"]
    assert new["conversation_cache"]["postgres"]["password"] == "${env.POSTGRES_PASSWORD}"
    assert (demo.parent / ".env").read_text().count(PLANTED) == 1
    assert stat.S_IMODE(os.stat(demo).st_mode) == 0o600
    # the backup holds the literal secret: it is private too
    assert stat.S_IMODE(os.stat(demo.parent / "lightspeed-stack.yaml.pre-migrate.bak").st_mode) == 0o600
    assert (demo.parent / "run.yaml").read_bytes() == (ROOT / "lsc_tui/data/demo/run.yaml").read_bytes()
    assert (demo.parent / "lightspeed-stack.yaml.pre-migrate.bak").read_bytes() == \
        (ROOT / "lsc_tui/data/demo/lightspeed-stack.yaml").read_bytes()


@pytest.mark.parametrize("at", STEPS[:-1])
async def test_cancel_at_every_step_leaves_every_file_untouched(demo, at):
    app = make(demo)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        for _ in range(STEPS.index(at)):
            await pilot.press("n")
        assert step(scr) == at
        if at == "strategy":
            await pilot.press("up")  # a different choice changes nothing either
        if at == "secrets":
            await pilot.press("space")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MigrateWizard)
    assert app.results == [None]
    assert file_hashes_of(demo.parent) == before


async def test_keep_secrets_literal(demo):
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n", "n")
        assert step(scr) == "secrets"
        await pilot.press("space")
        assert "[ ] Convert them now" in text(scr)
        await pilot.press("n")
        assert ".env" not in text(scr)
        await pilot.press("w")
        await pilot.pause()
        assert step(scr) == "done"
    assert not (demo.parent / ".env").exists()
    assert PLANTED in demo.read_text()


async def test_not_equivalent_is_refused_until_accepted(tmp_path):
    shutil.copytree(FIXTURES / "no-mcp", tmp_path / "no-mcp")
    config = tmp_path / "no-mcp" / "lightspeed-stack.yaml"
    app = make(config, cwd=tmp_path)
    before = file_hashes_of(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n")
        ol = scr.query_one("#mw-strategies", OptionList)
        ol.highlighted = 1  # profile: loses nothing but gains LCORE's MCP provider
        await pilot.pause()
        assert scr.strategy == "profile"
        shown = text(scr)
        assert "! not equivalent: 2 difference(s)" in str(scr.query_one("#mw-proof").render())
        assert "run.yaml diff, legacy -> migrated" in shown and "+++ migrated (synthesized)" in shown
        await pilot.press("n", "n")
        assert step(scr) == "files"
        assert "Not equivalent: 2 difference(s)" in text(scr)
        await pilot.press("w")
        await pilot.pause()
        assert step(scr) == "files"
        assert file_hashes_of(tmp_path) == before
        await pilot.press("a")
        assert "You accepted 2 difference(s)" in text(scr)
        await pilot.press("w")
        await pilot.pause()
        assert step(scr) == "done"
    assert "profile:" in config.read_text()


async def test_unified_config_has_nothing_to_migrate(demo):
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n", "n", "n")
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    # open the migrated (unified) config again
    app = make(demo)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n")
        assert "Nothing to migrate" in text(scr)
        await pilot.press("n")
        assert step(scr) == "analysis"  # next is off: there is nothing to do
        await pilot.press("escape")
    assert file_hashes_of(demo.parent) == before
    assert legacy_message(open_session(demo)) is None


async def test_bad_input_names_file_and_line(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: x\nllama_stack:\n  use_as_library_client: true\n  library_client_config_path: gone.yaml\n")
    app = make(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n")
        shown = text(scr)
        assert "cannot be migrated" in shown and "lightspeed-stack.yaml:4" in shown
        assert "Traceback" not in shown


async def test_long_items_fold_under_their_own_start_at_80_columns(demo):
    """The Files and Done steps' long items wrapped back to the left margin at 80 columns (the
    second half of "then its literal secret(s) become ... (another backup, ...)" under the file
    names, "the editor)" under the numbers); they fold under their own start, and again when the
    terminal is resized."""
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n", "n", "n")
        assert step(scr) == "files"
        shown = str(scr.query_one("#mw-text").render())
        lines = shown.splitlines()
        at = next(i for i, line in enumerate(lines) if "then its literal secret(s)" in line)
        assert lines[at].startswith("      then") and lines[at + 1].startswith("      ") and lines[at + 1].strip()
        assert all(len(line) <= 78 for line in lines), lines
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        wide = str(scr.query_one("#mw-text").render())
        assert any("then its literal secret(s)" in line and "0600)" in line for line in wide.splitlines())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("w")
        for _ in range(100):
            if step(scr) == "done":
                break
            await pilot.pause(0.05)
        lines = str(scr.query_one("#mw-text").render()).splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("  1. lsc-tui validate"))
        assert lines[at + 1].startswith("     ") and not lines[at + 1].startswith("  2."), lines[at : at + 3]


async def test_unsaved_edits_block_the_write(demo):
    from lsc_tui.config.session import SetValue

    session = open_session(demo)
    session.apply(SetValue(demo, ("service", "port"), 8081))
    app = HostApp(session, MigrateWizard)
    before = file_hashes_of(demo.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        assert "unsaved edits" in text(scr)
        await pilot.press("n", "n", "n", "n", "w")
        await pilot.pause()
        assert step(scr) == "files"
        said = "Unsaved edits in lightspeed-stack.yaml: save or undo them first. Nothing was written."
        assert any(n.message == said for n in app._notifications), [n.message for n in app._notifications]
    assert file_hashes_of(demo.parent) == before


def test_legacy_message_offers_migration(demo):
    assert "legacy two-file format" in legacy_message(open_session(demo))


async def test_opening_a_legacy_config_offers_migration(demo):
    from lsc_tui.tui.flows import FLOWS, offer_migration
    from lsc_tui.tui.flows.migrate_wizard import MigrationOffer

    session = open_session(demo)
    app = HostApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert offer_migration(app, session)
        await pilot.pause()
        assert isinstance(app.screen, MigrationOffer)
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, (MigrationOffer, MigrateWizard))
        assert not offer_migration(app, session)  # asked once per file: the answer is remembered
        assert offer_migration(app, session, once=False)
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MigrateWizard)
        await pilot.press("escape")
        await pilot.pause()
        # every flow opens from its FLOWS entry
        for flow in FLOWS:
            flow.open(app, session)
            await pilot.pause()
            assert app.screen is not None and app.screen.__class__.__name__ in (
                "MigrateWizard", "SecretsReview", "PreflightPanel")
            await pilot.press("escape")
            await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_server_pair_asks_for_the_servers_run_yaml(tmp_path):
    (tmp_path / "server-run.yaml").write_bytes((ROOT / "lsc_tui/data/demo/run.yaml").read_bytes())
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text(REMOTE_SERVER_CONFIG)
    app = make(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n")
        assert "Remote server" in text(scr)
        box = scr.query_one("#mw-runyaml")
        assert box.display and box.has_focus
        await pilot.press(*"nope.yaml", "enter")
        assert any("no such file" in n.message for n in app._notifications)
        box.value = "server-run.yaml"
        await pilot.press("enter")
        scr = await ready(pilot)
        assert scr.m.analysis.status == "legacy-server"
        assert "Recommended strategy" in text(scr)
        await pilot.press("n")
        assert step(scr) == "strategy"
        await pilot.press("n", "n", "w")
        await pilot.pause()
        assert step(scr) == "done"
    assert "native_override" in cfg.read_text() or "inference" in cfg.read_text()
    assert (tmp_path / "server-run.yaml").read_bytes() == (ROOT / "lsc_tui/data/demo/run.yaml").read_bytes()


async def test_a_failing_strategy_is_a_notification_not_a_crash(demo, monkeypatch):
    from lsc_tui.config.migration import plan

    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n")
        real = plan.Migration.choose

        def broken(self, strategy=None, out=None):
            if strategy == "lift":
                raise RuntimeError("simulated")
            return real(self, strategy, out)

        monkeypatch.setattr(plan.Migration, "choose", broken)
        await pilot.press("up")
        await pilot.pause()
        assert scr.strategy == "profile"  # the previous choice stays
        assert scr.query_one("#mw-strategies").highlighted == 1
        assert any("Cannot build the lift strategy" in n.message for n in app._notifications)
        assert app.is_running


async def test_after_a_lift_the_kept_run_yaml_with_a_literal_secret_is_named_and_can_be_made_private(demo):
    run = demo.parent / "run.yaml"
    run.write_text(run.read_text().replace("api_token: ${env.VLLM_API_TOKEN}", "api_token: Xq9lit3ralT0ken-77aa-kept"))
    os.chmod(run, 0o644)
    app = make(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n")
        assert step(scr) == "strategy"
        while scr.strategy != "lift":
            await pilot.press("up")
        await pilot.press("n", "n")
        assert step(scr) == "files"
        if not scr.m.proof.equivalent:
            await pilot.press("a")
        await pilot.press("w")
        await pilot.pause()
        assert step(scr) == "done"
        done = text(scr)
        assert "run.yaml is kept as it was and still holds 1 literal secret in clear (mode 0644" in done
        assert "t makes it 0600 now" in done and "lsc-tui secrets fix run.yaml" in done
        assert "Xq9lit3ral" not in done
        await pilot.press("t")
        await pilot.pause()
        assert stat.S_IMODE(os.stat(run).st_mode) == 0o600
        done = text(scr)
        assert "(mode 0600)" in done and "t makes it 0600 now" not in done
    assert "Xq9lit3ralT0ken-77aa-kept" in run.read_text()  # kept as it was: only its mode changed


async def test_j_and_k_pick_the_strategy_like_the_arrows(demo):
    """The key map's j / k (down / up) did nothing in the strategy step: only the arrows moved."""
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n")
        assert step(scr) == "strategy" and scr.strategy == "profile"
        await pilot.press("k")
        await pilot.pause()
        assert scr.strategy == "lift"
        await pilot.press("j", "j")
        await pilot.pause()
        assert scr.strategy == "smart"
        await pilot.press("g")
        await pilot.pause()
        assert scr.strategy == "lift"
        await pilot.press("G")
        await pilot.pause()
        assert scr.strategy == "smart"


async def test_the_commands_the_done_step_gives_can_be_pasted_for_a_name_with_a_space(demo):
    """A kept run.yaml named `my run.yaml`: the done step said `lsc-tui secrets fix my run.yaml`,
    which a shell runs on two files, neither of them this one. The names are quoted now."""
    old = demo.parent / "run.yaml"
    run = demo.parent / "my run.yaml"
    run.write_text(old.read_text().replace("api_token: ${env.VLLM_API_TOKEN}", "api_token: Xq9lit3ralT0ken-77aa-kept"))
    old.unlink()
    demo.write_text(demo.read_text().replace("library_client_config_path: run.yaml", "library_client_config_path: my run.yaml"))
    app = make(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n")
        while scr.strategy != "lift":
            await pilot.press("up")
        await pilot.press("n", "n")
        if not scr.m.proof.equivalent:
            await pilot.press("a")
        await pilot.press("w")
        await pilot.pause()
        assert step(scr) == "done"
        done = " ".join(text(scr).split())
        assert "`lsc-tui secrets fix 'my run.yaml'` moves them to .env" in done, done
        assert "Xq9lit3ral" not in done


def footer_keys(scr) -> list[str]:
    """The keys the wizard's footer shows, as "key description"."""
    from textual.widgets._footer import FooterKey

    return [f"{k.key_display} {k.description}" for k in scr.query(FooterKey) if k.display]


async def test_the_strategy_step_footer_says_j_k_choose_the_strategy(demo):
    """The footer of the strategy step listed n, b and esc: nothing said how to choose. It shows
    j/k (as the help screens write them) while the list has the focus, on that step only, and it
    fits 80 columns whole."""
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.pause()
        assert not any(k.startswith("j/k") for k in footer_keys(scr))  # why: no list
        await pilot.press("n", "n")
        await pilot.pause()
        assert step(scr) == "strategy"
        keys = footer_keys(scr)
        assert keys[0] == "j/k Strategy", keys
        assert sum(len(k) + 2 for k in keys) <= 80
        await pilot.press("tab")  # the preview: j/k are not the list's there
        await pilot.pause()
        assert not any(k.startswith("j/k") for k in footer_keys(scr))
        await pilot.press("shift+tab")
        await pilot.pause()
        assert footer_keys(scr)[0] == "j/k Strategy"
        await pilot.press("n")
        await pilot.pause()
        assert step(scr) == "secrets" and not any(k.startswith("j/k") for k in footer_keys(scr))


async def test_started_from_another_folder_the_commands_work_from_there(demo):
    """`lsc-tui ws/lightspeed-stack.yaml`: the done step said `lsc-tui validate
    lightspeed-stack.yaml` and `--env-file .env`, names that do not exist in the folder the
    operator's shell is in; the commands name the files from there now, and the secrets step
    names them from the workspace (it showed the whole absolute path)."""
    app = make(demo, cwd=demo.parent.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n", "n", "n")
        await pilot.pause()
        assert step(scr) == "secrets"
        shown = text(scr)
        assert "  lightspeed-stack.yaml:32" in shown and str(demo.parent) not in shown, shown
        await pilot.press("n", "w")
        await pilot.pause()
        assert step(scr) == "done"
        done = " ".join(text(scr).split())
        assert "lsc-tui validate demo/lightspeed-stack.yaml " in done, done
        assert "podman --env-file demo/.env," in done, done


async def test_the_field_for_the_servers_run_yaml_is_below_the_text_that_asks_for_it(tmp_path):
    """A remote-server config: the analysis said "type its path below", and the field was above
    the text, under the step line. It is right under the text now."""
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text(REMOTE_SERVER_CONFIG)
    app = make(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        asks = scr.query_one("#mw-text")
        assert "type its path below" in " ".join(text(scr).split())
        box = scr.query_one("#mw-runyaml")
        assert box.display and box.has_focus
        assert box.region.y >= asks.region.y + asks.region.height - 1, (box.region, asks.region)
        assert box.region.y <= asks.region.y + asks.region.height + 1


async def test_nothing_to_migrate_shows_no_next_key(demo):
    """A unified config: the analysis step says there is nothing to migrate, and its footer
    showed `n Next` (dimmed: a difference of shade, gone with NO_COLOR), a key that does nothing
    there. It shows the keys that work: back and cancel."""
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("n", "n", "n", "n", "w")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    app = make(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = await ready(pilot)
        assert footer_keys(scr)[0] == "n Next"  # why: next goes to the analysis
        await pilot.press("n")
        await pilot.pause()
        assert "Nothing to migrate" in text(scr)
        assert footer_keys(scr) == ["b Back", "esc Cancel"], footer_keys(scr)
        await pilot.press("b")
        await pilot.pause()
        assert step(scr) == "why" and footer_keys(scr)[0] == "n Next"
