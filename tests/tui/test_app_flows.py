"""Pilot tests: quitting, files changing on disk, layout, help, palette, read-only, themes, clipboard."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import yaml

from lsc_tui.tui import keymap, themes
from lsc_tui.tui.screens.dialogs import Choice, ConflictDialog
from lsc_tui.tui.screens.help import HelpScreen
from lsc_tui.tui.widgets.config_tree import ConfigTree

from .conftest import make_app
from .helpers import field_input, select, settle, type_into

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

VLLM = ("providers", "inference", 0)


async def _edit_url(app, pilot, url="http://edited:1/v1"):
    await select(app, pilot, "run.yaml", VLLM)
    await type_into(app, pilot, "config.url", url)
    await pilot.press("escape", "escape")  # the field, then the form: back on the tree
    await pilot.pause()


# -- quitting ---------------------------------------------------------------------------------


async def test_quit_clean_exits_at_once(demo):
    app = make_app()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
    assert app.return_code == 0


async def test_quit_with_unsaved_edits_asks(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _edit_url(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice)
        await pilot.press("c")  # cancel: still editing
        await pilot.pause()
        assert not isinstance(app.screen, Choice) and app.is_running
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice)
        await pilot.press("d")  # quit without saving
        await settle(app, pilot)
    assert "edited" not in (demo / "run.yaml").read_text()


async def test_quit_save_and_quit(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _edit_url(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await settle(app, pilot)
    assert "http://edited:1/v1" in (demo / "run.yaml").read_text()


# -- files changing underneath ------------------------------------------------------------------


async def test_clean_buffer_reloads_and_says_so(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        path = demo / "run.yaml"
        path.write_text(path.read_text().replace("vllm.internal.example", "vllm.theirs.example"))
        await pilot.press("f5")
        await settle(app, pilot)
        assert "vllm.theirs.example" in app.session.text_of(path)
        assert any("reloaded" in n.message for n in app._notifications)


async def test_conflict_keep_mine_take_theirs_show_diff(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _edit_url(app, pilot, "http://mine:1/v1")
        path = demo / "run.yaml"
        path.write_text(path.read_text().replace("vllm.internal.example", "vllm.theirs.example"))
        await pilot.press("f5")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictDialog)
        diff_box = app.screen.query_one("#conflict-diff")
        assert not diff_box.display
        await pilot.press("d")  # show the diff
        await pilot.pause()
        assert diff_box.display
        await pilot.press("k")  # keep mine
        await settle(app, pilot)
        assert "http://mine:1/v1" in app.session.text_of(path)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "http://mine:1/v1" in path.read_text()
        # and take theirs
        path.write_text(path.read_text().replace("http://mine:1/v1", "http://theirs:2/v1"))
        await type_into(app, pilot, "config.tls_verify", "false")
        await pilot.press("escape", "f5")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("t")
        await settle(app, pilot)
        assert "http://theirs:2/v1" in app.session.text_of(path)
        assert not app.view.dirty


async def test_save_refuses_to_overwrite_a_changed_file(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _edit_url(app, pilot, "http://mine:1/v1")
        path = demo / "run.yaml"
        path.write_text(path.read_text().replace("vllm.internal.example", "vllm.theirs.example"))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictDialog)
        assert "vllm.theirs.example" in path.read_text()


async def test_watcher_reloads_and_ignores_our_own_saves(demo):
    app = make_app(watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await asyncio.sleep(0.3)  # let the watcher start
        await _edit_url(app, pilot, "http://ours:1/v1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await asyncio.sleep(0.8)
        await settle(app, pilot)
        assert not isinstance(app.screen, ConflictDialog)
        assert not any("changed on disk" in n.message for n in app._notifications)
        path = demo / "lightspeed-stack.yaml"
        path.write_text(path.read_text().replace("port: 8080", "port: 8181"))
        for _ in range(50):
            await asyncio.sleep(0.1)
            await settle(app, pilot)
            if "port: 8181" in app.session.text_of(path):
                break
        assert "port: 8181" in app.session.text_of(path)


# -- layout, help, palette ------------------------------------------------------------------------


async def test_80x24_panes_are_tabs(demo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.narrow
        shown = lambda: [p for p in ("#tree-pane", "#editor", "#diff", "#findings")  # noqa: E731
                         if app.query_one(p).display and app.query_one(p).region.height > 0]
        assert shown() == ["#tree-pane"]
        for key, pane in (("2", "#editor"), ("3", "#diff"), ("4", "#findings"), ("1", "#tree-pane")):
            await pilot.press(key)
            await pilot.pause()
            assert shown() == [pane]
        # vim movement in the tree
        tree = app.query_one(ConfigTree)
        line = tree.cursor_line
        await pilot.press("j", "j")
        assert tree.cursor_line == line + 2
        await pilot.press("k")
        assert tree.cursor_line == line + 1
        await pilot.press("enter")  # enter on a node opens it in the editor tab
        await pilot.pause()
        for tab, pane in (("#tab-diff", "#diff"), ("#tab-tree", "#tree-pane")):  # a click on a tab shows its pane
            await pilot.click(tab)
            await pilot.pause()
            assert shown() == [pane]
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.narrow and len(shown()) == 4


@pytest.mark.parametrize("close", ["escape", "q", "question_mark", "f1"])
async def test_help_lists_every_key(demo, close):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.focused is app.screen.query_one("#help-scroll")  # j/k/g/G: test_operator_walkthrough.py
        text = app.export_screenshot().replace("&#160;", " ")
        for k in keymap.KEYS[:10]:
            assert k.description.split(" (")[0].replace("&", "&amp;")[:20] in text
        await pilot.press(close)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_every_action(demo):
    from lsc_tui.tui.commands import LscCommands
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.pause()
        provider = LscCommands(app.screen, None)
        names = {name for name, _h, _cb in provider._commands()}
        for k in keymap.KEYS:
            if k.palette:
                assert k.description in names
        assert "Theme: lsc-high-contrast" in names


async def test_readonly_blocks_writes(demo):
    app = make_app(readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "READ-ONLY" in str(app.query_one("#header").render())
        await select(app, pilot, "run.yaml", VLLM)
        assert field_input(app, "config.url").disabled
        await pilot.press("d", "a", "c", "ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, Choice)
        assert not app.view.dirty
        assert app.check_action("save", ()) is False


async def test_theme_switch_persists(demo):
    app = make_app(persist_theme=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.theme == "lsc-dark"
        await pilot.press("T")
        await pilot.pause()
        assert app.theme != "lsc-dark"
        chosen = app.theme
    assert themes.read_settings()["theme"] == chosen
    app2 = make_app(theme=None)
    async with app2.run_test() as pilot:
        await pilot.pause()
        assert app2.theme == chosen


async def test_copy_uses_osc52(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        field_input(app, "config.url").focus()
        await pilot.press("ctrl+o")
        assert app.clipboard == "http://vllm.internal.example:8000/v1"
        await pilot.press("escape", "y")  # the form's cursor is on config.url: its value
        assert app.clipboard == "http://vllm.internal.example:8000/v1"
        await pilot.press("escape", "y")  # the tree: the node
        assert "provider_id: vllm" in app.clipboard


# -- files and start-up ----------------------------------------------------------------------------


def test_theme_files_match_and_load():
    root = Path(__file__).resolve().parents[2]
    shipped = sorted((root / "lsc_tui" / "data" / "themes").glob("*.yaml"))
    top = sorted((root / "themes").glob("*.yaml"))
    assert [p.name for p in shipped] == [p.name for p in top]
    for a, b in zip(shipped, top):
        assert a.read_bytes() == b.read_bytes(), f"themes/{b.name} differs from the packaged copy"
    loaded = themes.load_themes()
    assert not loaded.errors
    names = {t.name for t in loaded.themes}
    assert {"lsc-dark", "lsc-light", "lsc-high-contrast"} <= names
    hc = next(t for t in loaded.themes if t.name == "lsc-high-contrast")
    data = yaml.safe_load((root / "themes" / "lsc-high-contrast.yaml").read_text())
    colours = [data[k] for k in ("primary", "secondary", "accent", "warning", "error", "success", "foreground",
                                 "background", "surface", "panel")] + list(data["variables"].values())
    assert hc.ansi and all(c.startswith("ansi_") for c in colours)


def test_bad_user_theme_is_reported_not_fatal(private_home):
    folder = themes.user_theme_dir()
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text("name: broken\nprimary: notacolour\n")
    (folder / "mine.yaml").write_text("name: mine\nprimary: '#336699'\n")
    loaded = themes.load_themes()
    assert any(e.startswith("broken.yaml") for e in loaded.errors)
    assert "mine" in {t.name for t in loaded.themes}


def test_keys_doc_is_generated_from_the_keymap():
    root = Path(__file__).resolve().parents[2]
    assert (root / "docs" / "keys.md").read_text() == keymap.keys_markdown() + "\n"


def test_no_key_needs_a_chord_terminals_eat():
    for k in keymap.KEYS + keymap.MOVEMENT:
        for key in k.keys.split(","):
            assert not key.startswith(("alt+", "super+", "meta+")), key
            assert key not in ("ctrl+enter", "shift+enter", "ctrl+shift+enter", "ctrl+tab"), key


def test_start_path(tmp_path, monkeypatch):
    from lsc_tui.commands.edit import resolve_start_path

    monkeypatch.chdir(tmp_path)
    path, notice = resolve_start_path(None)
    # the demo copy opens from its own folder, as LCORE starts there (its run.yaml path is relative)
    demo_dir = Path.cwd()
    assert demo_dir != tmp_path and demo_dir.parent.parent == Path(os.environ["XDG_DATA_HOME"]) / "lsc-tui"
    assert path == Path("lightspeed-stack.yaml") and path.is_file() and Path("run.yaml").is_file()
    assert notice and str(demo_dir) in notice and "Try first" in notice
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text("name: x\n")
    path, notice = resolve_start_path(None)
    assert path == Path("lightspeed-stack.yaml") and notice is None


def test_the_demo_opens_with_only_the_findings_it_teaches(tmp_path, monkeypatch):
    from lsc_tui.commands.edit import resolve_start_path
    from lsc_tui.config.workspace import load_workspace

    monkeypatch.chdir(tmp_path)  # the README's first command, from a clone: no lightspeed-stack.yaml here
    path, _notice = resolve_start_path(None)
    ws = load_workspace(path)
    # the legacy deprecation it teaches, and no "run.yaml is not in the current directory"
    assert sorted(f.code for f in ws.findings) == ["legacy-deprecated"], [f.message for f in ws.findings]
    assert ws.run_yaml is not None and ws.run_yaml.path == Path.cwd() / "run.yaml"


def test_color_option(monkeypatch):
    from lsc_tui.commands.edit import apply_color

    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    apply_color("16")
    import os

    assert os.environ["TEXTUAL_COLOR_SYSTEM"] == "standard"
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM")
    monkeypatch.setenv("NO_COLOR", "1")
    apply_color("auto")
    assert os.environ["TEXTUAL_COLOR_SYSTEM"] == "standard"


async def test_flows_open_from_keys(demo):
    from lsc_tui.tui.flows.secrets_review import SecretsReview

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        assert isinstance(app.screen, SecretsReview)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, SecretsReview)


async def test_recovery_after_a_dropped_session(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _edit_url(app, pilot, "http://recovered:1/v1")
        assert app.session.write_recovery() is not None
    app2 = make_app()
    async with app2.run_test(size=(120, 40)) as pilot:
        await settle(app2, pilot)
        from lsc_tui.tui.screens.dialogs import RecoveryDialog

        assert isinstance(app2.screen, RecoveryDialog)
        assert "+" in app2.screen.diff_text and "http://recovered:1/v1" in app2.screen.diff_text
        await pilot.press("r")
        await settle(app2, pilot)
        assert "http://recovered:1/v1" in app2.session.text_of(demo / "run.yaml")
        assert app2.view.dirty


async def test_every_key_of_the_keymap_runs(demo):
    """Each key in the key map, pressed from the tree on a provider: no crash, back to the main screen."""
    from textual.screen import ModalScreen

    from lsc_tui.tui.screens.main import MainScreen

    skip = {"quit_app", "back", "escape", "command_palette", "help", "flow_migrate", "flow_preflight"}
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for k in keymap.KEYS:
            if k.action.split("(")[0] in skip:
                continue
            await select(app, pilot, "run.yaml", VLLM)
            await pilot.press(k.keys.split(",")[0])
            await settle(app, pilot)
            for _ in range(3):
                if isinstance(app.screen, MainScreen):
                    break
                await pilot.press("escape")
                await settle(app, pilot)
            assert isinstance(app.screen, MainScreen), k
            assert app.is_running, k
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, ModalScreen)
        await pilot.press("escape")


@pytest.mark.parametrize("signame", ["SIGHUP", "SIGTERM"])
def test_hangup_writes_the_unsaved_edits_to_a_private_recovery_file(demo, signame, tmp_path):
    """An SSH drop (SIGHUP) or a kill (SIGTERM) with unsaved edits: a 0600 recovery file, then exit."""
    import json
    import os
    import subprocess
    import sys
    import textwrap

    state = tmp_path / "state"
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from lsc_tui.config.session import SetValue
        from lsc_tui.tui.app import LscTuiApp
        from lsc_tui.tui.hangup import install
        app = LscTuiApp(Path("lightspeed-stack.yaml"), offer_migration=False)
        install(app)
        async def edit():
            await app.wait_idle()  # the config is opened after the first paint
            app.session.apply(SetValue(Path("run.yaml").resolve(),
                                       ("providers", "inference", 0, "config", "url"), "http://unsaved:1/v1"))
            os.kill(os.getpid(), signal.{signame})
        app.call_after_refresh(lambda: app.run_worker(edit()))
        app.run(headless=True, size=(80, 24))
    """)
    r = subprocess.run([sys.executable, "-c", script], cwd=demo, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "XDG_STATE_HOME": str(state), "XDG_CONFIG_HOME": str(tmp_path / "c")})
    signum = {"SIGHUP": 1, "SIGTERM": 15}[signame]
    assert r.returncode in (128 + signum, 0) or r.returncode == -signum, r.stderr[-500:]
    [recovery] = list((state / "lsc-tui" / "recovery").glob("*.json"))
    assert (recovery.stat().st_mode & 0o777) == 0o600
    files = json.loads(recovery.read_text())["files"]
    assert any("http://unsaved:1/v1" in entry["text"] for entry in files.values())
    assert "Traceback" not in r.stderr


async def test_palette_switches_the_named_profile_with_a_preview(unified):
    """Issue 10 item 4: the palette lists the baselines and profile files; switching shows the diff
    before anything is saved."""
    from lsc_tui.tui.commands import LscCommands

    cfg = unified / "lightspeed-stack.yaml"
    on_disk = cfg.read_bytes()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        provider = LscCommands(app.screen, None)
        commands = {name: cb for name, _h, cb in provider._commands()}
        assert "Switch to baseline empty" in commands
        commands["Switch to baseline empty"]()
        await settle(app, pilot)
        assert app.session.workspace.baseline == "empty" and app.session.workspace.profile is None
        assert app.session.analysis.diff_text.startswith("--- saved files")
        assert cfg.read_bytes() == on_disk  # a preview, not a save
        app.session.undo()
        assert app.session.workspace.profile is not None



async def test_a_tree_message_after_the_panes_are_gone_is_ignored(demo):
    """A highlight still queued when the panes are taken down (at exit, on a slow terminal) has
    nothing to update: it must not end the editor with an internal error."""
    from textual.widgets import Tree

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ConfigTree)
        node = tree.cursor_node
        await tree.remove()
        app.post_message(Tree.NodeHighlighted(node))
        await pilot.pause()
        await pilot.pause()
        assert app._exception is None


async def _at_the_migration_question(app, pilot) -> None:
    """Wait until the question a legacy config opens with is on screen."""
    from lsc_tui.tui.flows.migrate_wizard import MigrationOffer

    await settle(app, pilot)
    for _ in range(50):
        if isinstance(app.screen, MigrationOffer):
            return
        await pilot.pause()
    assert isinstance(app.screen, MigrationOffer)


def _notices(app) -> list[str]:
    """Every message the app is asked to notify, from now on (the toasts go, the list stays)."""
    shown: list[str] = []
    original = app.notify

    def notify(message, **kwargs):
        shown.append(str(message))
        return original(message, **kwargs)

    app.notify = notify
    return shown


async def test_the_start_notice_waits_for_the_migration_question(demo, monkeypatch, tmp_path):
    """At 80x24 a toast over the migration question hid its 'later' key: the notice (where the
    demo was copied, what to try first) shows once the question is answered."""
    from lsc_tui.tui.flows.migrate_wizard import MigrationOffer

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the question not answered yet
    app = make_app(notice="Try first: the demo notice", offer_migration=True)
    shown = _notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_the_migration_question(app, pilot)
        assert isinstance(app.screen, MigrationOffer)
        assert not [m for m in shown if "demo notice" in m]
        await pilot.press("l")
        await settle(app, pilot)
        assert [m for m in shown if "demo notice" in m]


async def test_the_start_notice_waits_for_the_wizard_the_question_opened(demo, monkeypatch, tmp_path):
    """Answered "migrate now", the notice (where the demo was copied, what to try first) showed
    over the wizard at once and hid half of its text at 80x24 for 15 seconds; it shows when the
    wizard closes."""
    from lsc_tui.tui.flows.migrate_wizard import MigrateWizard

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the question not answered yet
    app = make_app(notice="Try first: the demo notice", offer_migration=True)
    shown = _notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_the_migration_question(app, pilot)
        await pilot.press("m")
        for _ in range(50):
            if isinstance(app.screen, MigrateWizard):
                break
            await pilot.pause()
        assert isinstance(app.screen, MigrateWizard)
        await settle(app, pilot)
        assert not [m for m in shown if "demo notice" in m]
        await pilot.press("escape")  # cancel the wizard
        await settle(app, pilot)
        assert not isinstance(app.screen, MigrateWizard)
        assert [m for m in shown if "demo notice" in m]


@pytest.mark.parametrize("key", ["M", "S", "P"])
async def test_a_flow_opens_without_the_editors_notifications_over_it(demo, key):
    """The start notice (ten lines at 80x24, 15 seconds) stayed over a flow opened at once and hid
    half of its text."""
    from lsc_tui.tui.flows.common import FlowScreen

    app = make_app(notice="Try first: the demo notice")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert [n for n in app._notifications if "demo notice" in n.message]
        await pilot.press(key)
        for _ in range(50):
            if isinstance(app.screen, FlowScreen):
                break
            await pilot.pause()
        assert isinstance(app.screen, FlowScreen)
        assert not [n for n in app._notifications if "demo notice" in n.message]


def test_a_theme_that_cannot_be_remembered_says_why(tmp_path, monkeypatch):
    from lsc_tui.tui import themes

    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the settings folder should be\n")
    monkeypatch.setattr(themes, "settings_path", lambda: blocked / "settings.yaml")
    problem = themes.save_setting("theme", "lsc-high-contrast")
    assert problem and "settings.yaml" in problem
