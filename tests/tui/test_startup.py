"""Start-up: the editor paints before it opens the config, opens it in a job, and turns the
cycle collector to the between-edits policy once it is open."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from lsc_tui.tui.app import LscTuiApp

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test


async def test_first_paint_shows_what_is_being_opened_before_the_config_is_read(demo):
    release = threading.Event()
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    opened = app._open_session

    def slow_open(none):
        assert release.wait(30)
        return opened(none)

    app._open_session = slow_open
    async with LscTuiApp.run_test.unwrapped(app, size=(80, 24)) as pilot:
        await pilot.pause()
        header = str(app.query_one("#header").render())
        assert "opening lightspeed-stack.yaml" in header
        assert app.session is None and app.view is None
        # keys that need the config do nothing yet; help still opens
        assert app.check_action("save", ()) is False
        assert app.check_action("help", ()) is True
        release.set()
        await app.wait_idle()
        await pilot.pause()
        assert app.session is not None and app.view is not None
        assert "E:" in str(app.query_one("#header").render())
        assert app.query_one("#tree").root.children  # the tree is filled


async def test_a_config_that_breaks_between_the_check_and_the_open_ends_with_its_error(demo):
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    (demo / "lightspeed-stack.yaml").write_text("name: [unclosed\n")
    async with LscTuiApp.run_test.unwrapped(app, size=(80, 24)) as pilot:
        for _ in range(200):
            if not app.is_running:
                break
            await pilot.pause(0.05)
    assert app.return_code == 2
    assert app.session is None


async def test_the_cycle_collector_runs_between_edits_and_is_restored_on_exit(demo):
    assert gc.isenabled()
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not gc.isenabled()  # no collection pauses while the operator types
        assert gc.get_freeze_count() > 0  # what loading made is out of later passes
        junk = []
        for _ in range(6000):  # objects in cycles, as widgets leave behind
            a = [None]
            a[0] = a
            junk.append(a)
        del junk, a
        app.jobs.last_finished = 0.0
        app._collect_when_idle()
        assert gc.get_count()[0] < 100
        await pilot.pause()
    assert gc.isenabled() and gc.get_freeze_count() == 0


async def test_no_collector_pass_runs_while_the_editor_starts_the_first_idle_moment_runs_one(demo):
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    opened = app._open_session
    enabled_while_opening = []
    passes = []  # objects found unreachable by each full pass (generation 2)

    def seen(phase, info):
        if phase == "stop" and info["generation"] == 2:
            passes.append(info["collected"])

    def open_session(none):
        enabled_while_opening.append(gc.isenabled())
        gc.callbacks.append(seen)  # from here to the complete findings: no full pass
        return opened(none)

    app._open_session = open_session
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert enabled_while_opening == [False]
            assert "E:" in str(app.query_one("#header").render())  # validated, findings complete
            assert passes == [] and gc.get_freeze_count() > 0
            junk = []
            for _ in range(6000):
                a = [None]
                a[0] = a
                junk.append(a)
            del junk, a
            app.jobs.last_finished = 0.0
            app._collect_when_idle()  # the first idle moment: the full pass the start did not make
            assert len(passes) == 1 and passes[0] >= 6000
            assert gc.get_freeze_count() > 0  # the survivors frozen again
            app._collect_when_idle()  # then only when enough new objects are due
            assert len(passes) == 1
            await pilot.pause()
    finally:
        gc.callbacks.remove(seen)
    assert gc.isenabled() and gc.get_freeze_count() == 0


async def test_the_tree_and_diff_show_before_the_model_validation_which_follows(demo, monkeypatch):
    from lsc_tui.config.session import EditSession

    release = threading.Event()
    validate_now = EditSession.validate_now

    def held(self):
        assert release.wait(30)
        return validate_now(self)

    monkeypatch.setattr(EditSession, "validate_now", held)
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    async with LscTuiApp.run_test.unwrapped(app, size=(80, 24)) as pilot:
        for _ in range(400):
            if app.view is not None:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        assert app.view is not None and app.view.validating and app.session.validating
        assert app.query_one("#tree").root.children
        header = str(app.query_one("#header").render())
        assert "validating" in header and "E:" not in header
        release.set()
        await app.wait_idle()
        await pilot.pause()
        assert not app.view.validating
        assert "E:" in str(app.query_one("#header").render())


def test_a_session_opened_without_validation_finds_the_same_after_validate_now(demo):
    from lsc_tui.config.session import EditSession

    (demo / "run.yaml").write_text((demo / "run.yaml").read_text().replace("distro_name:", "distro_nmae:"))
    full = EditSession.open(demo / "lightspeed-stack.yaml", cwd=demo)
    quick = EditSession.open(demo / "lightspeed-stack.yaml", cwd=demo, validate=False)
    assert quick.validating and not full.validating
    assert any(f.code == "unknown-key" for f in full.analysis.findings)
    assert not any(f.code == "unknown-key" for f in quick.analysis.findings)
    assert quick.analysis.diff_text == full.analysis.diff_text
    quick.validate_now()
    assert not quick.validating
    assert [f.to_text() for f in quick.analysis.findings] == [f.to_text() for f in full.analysis.findings]


def _provider_key(app) -> str:
    return next(i.key for root in app.view.tree for i in root.walk() if i.kind == "provider")


async def test_the_node_form_hidden_behind_a_tab_is_built_when_its_pane_is_shown(demo):
    from lsc_tui.tui.widgets.node_editor import FieldInput

    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.wait_idle()
        tree = app.query_one("#tree")
        tree.select_key(_provider_key(app))
        await pilot.pause()
        editor = app.editor()
        assert editor.item is not None and editor.item.kind == "provider"
        assert not editor.display and not app.query(FieldInput)  # hidden: no form built yet
        app.action_pane("editor")
        await pilot.pause()
        inputs = list(app.query(FieldInput))
        assert inputs and editor.fields  # shown: the provider's fields
        node = editor._doc().data
        for key in editor.item.path:
            node = node[key]
        assert node["provider_id"] in {i.value for i in inputs}
        assert app.focused is app.query_one("#form")


async def test_the_node_form_is_built_when_the_terminal_widens_to_show_its_pane(demo):
    from lsc_tui.tui.widgets.node_editor import FieldInput

    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.wait_idle()
        app.query_one("#tree").select_key(_provider_key(app))
        await pilot.pause()
        assert not app.query(FieldInput)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert app.editor().display and app.query(FieldInput) and app.editor().fields


async def test_the_raw_yaml_editor_is_made_when_the_yaml_is_first_shown(demo):
    from textual.widgets import TextArea

    from lsc_tui.config.masked_yaml import masked_node_yaml

    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_idle()
        app.query_one("#tree").select_key(_provider_key(app))
        await pilot.pause()
        assert not app.query("#yaml-editor")  # the opening shows the form only
        app.action_toggle_editor()
        await pilot.pause()
        area = app.query_one("#yaml-editor", TextArea)
        editor = app.editor()
        want, _masked = masked_node_yaml(editor._doc(), editor.item.path, app.view.secret_paths)
        assert area.text == want and "provider_id" in want
        app.action_toggle_editor()
        await pilot.pause()
        assert editor.mode == "form" and editor.fields


def test_opening_the_config_loads_neither_the_raw_yaml_editor_nor_the_file_watcher(tmp_path):
    """What the opened editor shows first (the form, the tree, the diff) does without Textual's
    TextArea (made with the first raw YAML view) and watchfiles (loaded when the watch starts);
    the first frame does without the secret detectors too (no settings file yet: nothing to mask)."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "import lsc_tui.tui.app as app\n"
        "app.LscTuiApp('lightspeed-stack.yaml')\n"  # the themes and the settings read
        "first = set(sys.modules)\n"
        "app._import_editor()\n"
        "print(json.dumps({'first_paint': sorted(first), 'opened': sorted(sys.modules)}))\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    loaded = json.loads(out)
    assert "lsc_tui.config.session" not in loaded["first_paint"]  # the core loads after the first frame
    assert "lsc_tui.config.masking" not in loaded["first_paint"]
    assert "textual.widgets._tabs" not in loaded["first_paint"]  # the pane tabs come with the panes
    assert "lsc_tui.config.session" in loaded["opened"] and "lsc_tui.tui.widgets.node_editor" in loaded["opened"]
    assert "textual.widgets._text_area" not in loaded["opened"]
    assert not any(m == "watchfiles" or m.startswith("watchfiles.") for m in loaded["opened"])


def test_the_edit_command_runs_without_collector_passes_until_it_ends(monkeypatch):
    """From the command's start (before the editor's modules are imported) to its end, collections
    follow the editor's policy; Python's default comes back after, whatever the outcome."""
    from lsc_tui.commands import edit

    seen = []

    def fake_run(args):
        seen.append(gc.isenabled())
        raise KeyboardInterrupt  # the command ends by an exception: the default still comes back

    monkeypatch.setattr(edit, "_run", fake_run)
    assert gc.isenabled()
    with pytest.raises(KeyboardInterrupt):
        edit.run(object())
    assert seen == [False] and gc.isenabled()


async def test_the_first_frame_has_no_pane_tabs_they_come_with_the_panes(demo):
    """The first frame is the header, the empty body and the footer; the pane tabs (shown below
    100 columns) are mounted with the panes, above the body."""
    from lsc_tui.tui.screens.main import MainScreen

    assert "pane-tabs" not in [w.id for w in MainScreen().compose()]
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ids = [w.id for w in app.screen.children]
        assert ids[:3] == ["header", "pane-tabs", "body"]
        assert app.query_one("#pane-tabs").display  # 80 columns: one pane at a time, under tabs
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.query_one("#pane-tabs").display


@pytest.mark.parametrize("theme", ["lsc-dark", "lsc-light", "lsc-high-contrast"])
async def test_the_start_theme_is_applied_without_reparsing_the_stylesheets(demo, monkeypatch, theme):
    from textual.color import Color
    from textual.css.stylesheet import Stylesheet

    reparses = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparses.append(1), reparse(self))[1])
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False, theme=theme, persist_theme=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.wait_idle()
        await pilot.pause()
        current = app.current_theme
        assert current.name == theme
        assert f"-theme-{theme}" in app.classes
        assert ("-dark-mode" in app.classes) == current.dark and ("-light-mode" in app.classes) != current.dark
        # the screen is painted in the theme's colours
        assert app.screen.styles.background.rgb == Color.parse(app.get_css_variables()["background"]).rgb
        if current.dark and not current.ansi:  # as Textual's default: no re-parse at all
            assert reparses == []


async def test_the_panes_are_built_right_after_the_first_frame_not_a_frame_later(demo, monkeypatch):
    from textual.screen import Screen

    events: list[str] = []
    timer_update = Screen._on_timer_update
    refresh_layout = Screen._refresh_layout

    def on_timer_update(self):
        events.append("frame timer")
        return timer_update(self)

    def on_refresh_layout(self, *args, **kwargs):
        events.append("layout")
        return refresh_layout(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_on_timer_update", on_timer_update)
    monkeypatch.setattr(Screen, "_refresh_layout", on_refresh_layout)
    app = LscTuiApp(Path("lightspeed-stack.yaml"), watch=False)
    build = app.build_panes

    async def build_panes():
        events.append("build panes")
        await build()

    app.build_panes = build_panes
    async with app.run_test(size=(80, 24)) as pilot:
        await app.wait_idle()
        await pilot.pause()
    first_build = events.index("build panes")
    # the first frame is laid out and painted, then the panes start: no wait for the next tick
    assert "layout" in events[:first_build]
    assert "frame timer" not in events[:first_build], events[: first_build + 1]
    assert events.count("build panes") == 1
