"""Pilot tests: the operator's actions on the demo (legacy) and a unified config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lsc_tui.config.findings import path_text
from lsc_tui.tui.screens.dialogs import Choice, Prompt
from lsc_tui.tui.widgets.config_tree import ConfigTree
from lsc_tui.tui.widgets.node_editor import NodeEditor

from .conftest import make_app
from .helpers import field_input, select, settle, type_into

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

VLLM = ("providers", "inference", 0)
SECRET = "Tr0ub4dor-and-3-horses"


def run_yaml(demo: Path) -> dict:
    return yaml.safe_load((demo / "run.yaml").read_text())


async def test_opens_demo_with_tree_findings_and_header(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        view = app.view
        assert view.mode == "legacy-library"
        labels = [i.label for root in view.tree for i in root.walk()]
        assert {"vllm", "openai", "faiss", "inference", "conversation_cache"} <= set(labels)
        assert view.counts["secrets"] >= 1
        header = str(app.query_one("#header").render())
        assert "lightspeed-stack.yaml" in header and "legacy-library" in header and "S:" in header
        assert len(app.query_one("#findings").findings) == len(view.findings)
        # the secret is flagged on its tree node, and never shown anywhere
        item = view.find_item("lightspeed-stack.yaml", ("conversation_cache", "postgres", "password"))
        assert "secret" in item.states
        assert SECRET not in app.export_screenshot()


async def test_edit_url_updates_diff_save_undo(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        await type_into(app, pilot, "config.url", "http://vllm.new.example:9000/v1")
        assert app.view.dirty
        assert "vllm.new.example:9000" in app.view.diff_text
        assert "[+]" in str(app.query_one("#header").render())
        await pilot.press("escape")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not app.view.dirty
        text = (demo / "run.yaml").read_text()
        assert "http://vllm.new.example:9000/v1" in text
        assert text.startswith("# Llama Stack run configuration")  # comments kept
        assert (demo / "run.yaml.bak").exists()
        await pilot.press("u")
        await settle(app, pilot)
        assert run_yaml(demo)["providers"]["inference"][0]["config"]["url"].startswith("http://vllm.new")
        assert app.view.dirty  # undo changes the buffer, not the disk
        assert "vllm.internal.example:8000" in app.session.text_of(demo / "run.yaml")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert not app.view.dirty


async def test_bad_value_is_a_notification_not_a_crash(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "lightspeed-stack.yaml", ("service",))
        await type_into(app, pilot, "port", "eighty")
        assert not app.view.dirty
        assert any("whole number" in n.message for n in app._notifications)


async def test_add_remove_duplicate_rename_reorder(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        # add
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        await pilot.press("tab", *"remote::ollama", "enter", *"ollama-local", "enter")
        await settle(app, pilot)
        ids = [p["provider_id"] for p in yaml.safe_load(app.session.text_of(demo / "run.yaml"))["providers"]["inference"]]
        assert ids == ["vllm", "openai", "sentence-transformers", "ollama-local"]
        assert app.query_one(ConfigTree).selected_item.label == "ollama-local"
        # duplicate the vllm provider
        await select(app, pilot, "run.yaml", VLLM)
        await pilot.press("c")
        await settle(app, pilot)
        ids = [p["provider_id"] for p in yaml.safe_load(app.session.text_of(demo / "run.yaml"))["providers"]["inference"]]
        assert ids[:2] == ["vllm", "vllm-copy"]
        # rename it
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+u", *"vllm-b", "enter")
        await settle(app, pilot)
        ids = [p["provider_id"] for p in yaml.safe_load(app.session.text_of(demo / "run.yaml"))["providers"]["inference"]]
        assert ids[:2] == ["vllm", "vllm-b"]
        # move it down, then up
        await pilot.press("J")
        await settle(app, pilot)
        ids = [p["provider_id"] for p in yaml.safe_load(app.session.text_of(demo / "run.yaml"))["providers"]["inference"]]
        assert ids[:3] == ["vllm", "openai", "vllm-b"]
        assert app.query_one(ConfigTree).selected_item.label == "vllm-b"
        await pilot.press("K")
        await settle(app, pilot)
        ids = [p["provider_id"] for p in yaml.safe_load(app.session.text_of(demo / "run.yaml"))["providers"]["inference"]]
        assert ids[:3] == ["vllm", "vllm-b", "openai"]
        # remove it (asks first)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, Choice)
        await pilot.press("y")
        await settle(app, pilot)
        ids = [p["provider_id"] for p in yaml.safe_load(app.session.text_of(demo / "run.yaml"))["providers"]["inference"]]
        assert "vllm-b" not in ids


async def test_secret_masked_reveal_and_env_reference(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "lightspeed-stack.yaml", ("conversation_cache",))
        editor = app.query_one(NodeEditor)
        inp = field_input(app, "postgres.password")
        assert inp.value == "" and inp.password
        assert SECRET not in "".join(area.text for area in editor.query("#yaml-editor"))  # made when first shown
        editor.set_mode("yaml")  # the raw YAML view is filled when shown: masked and read-only
        assert "postgres" in editor.query_one("#yaml-editor").text
        assert SECRET not in editor.query_one("#yaml-editor").text
        assert editor.query_one("#yaml-editor").read_only
        editor.set_mode("form")
        # copying a hidden secret is refused
        inp.focus()
        await pilot.press("ctrl+o")
        assert SECRET not in (app.clipboard or "")
        await pilot.press("ctrl+t")  # reveal
        await pilot.pause()
        assert field_input(app, "postgres.password").value == SECRET
        assert SECRET in editor.query_one("#yaml-editor").text
        await pilot.press("ctrl+t")  # hide again
        await pilot.pause()
        field_input(app, "postgres.password").focus()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        await pilot.press("ctrl+u", *"PG_PASSWORD", "enter")
        await settle(app, pilot)
        data = yaml.safe_load(app.session.text_of(demo / "lightspeed-stack.yaml"))
        assert data["conversation_cache"]["postgres"]["password"] == "${env.PG_PASSWORD}"
        assert not any("password" in str(f.path) for f in app.view.secret_findings)


async def test_raw_yaml_editing(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "lightspeed-stack.yaml", ("service",))
        await pilot.press("t")
        await pilot.pause()
        editor = app.query_one(NodeEditor)
        area = editor.query_one("#yaml-editor")
        assert editor.mode == "yaml" and "port: 8080" in area.text
        area.focus()
        area.text = area.text.replace("port: 8080", "port: [")
        await settle(app, pilot)
        assert "line" in str(editor.query_one("#yaml-status").render())
        assert not app.view.dirty
        area.text = area.text.replace("port: [", "port: 9090")
        await settle(app, pilot)
        data = yaml.safe_load(app.session.text_of(demo / "lightspeed-stack.yaml"))
        assert data["service"]["port"] == 9090


async def test_findings_enter_jumps_to_node(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        panel = app.query_one("#findings")
        index = next(i for i, f in enumerate(panel.findings) if f in set(app.view.secret_findings))
        await pilot.press("4")
        panel.move_cursor(row=index)
        await pilot.press("enter")
        await pilot.pause()
        item = app.query_one(ConfigTree).selected_item
        assert item.display == "lightspeed-stack.yaml" and item.path[0] == "conversation_cache"
        assert app.query_one(NodeEditor).item.key == item.key
        # n steps through the findings too
        await pilot.press("escape", "n")
        await pilot.pause()
        assert app.query_one(NodeEditor).item is not None


async def test_full_run_yaml_origin_and_jump(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("v")
        await pilot.pause()
        lst = app.query_one("#run-list")
        index = next(i for i, line in enumerate(app.view.run_lines) if "vllm.internal.example" in line)
        lst.focus()
        lst.highlighted = index
        await pilot.pause()
        assert "run.yaml" in str(app.query_one("#origin").render())
        await pilot.press("enter")
        await pilot.pause()
        item = app.query_one(ConfigTree).selected_item
        assert item.display == "run.yaml" and item.path[:3] == VLLM
        await pilot.press("b")
        await settle(app, pilot)
        assert app.view.baseline == "legacy"


async def test_the_diff_pane_and_the_palette_name_each_baseline_alike(demo):
    """One name per baseline: the pane's title and empty text, and the palette, read the session's
    table (at 80x24, where the pane is a tab and its title must fit)."""
    from lsc_tui.config.session import DIFF_BASELINES
    from lsc_tui.tui.commands import LscCommands

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.action_pane("diff")
        await settle(app, pilot)
        palette = {name for name, _h, _cb in LscCommands(app.screen, None)._commands()}
        seen = []
        for _ in DIFF_BASELINES:
            name = DIFF_BASELINES[app.view.baseline]
            seen.append(app.view.baseline)
            title = str(app.query_one("#diff-title").render())
            assert f"diff vs {name}  v: full" in title, title
            assert f"Diff against the {name}" in palette, palette
            if not app.view.diff_text.strip():
                assert f"No changes against the {name}." in str(app.query_one("#diff-body").render())
            await pilot.press("b")
            await settle(app, pilot)
        assert seen == ["disk", "legacy", "previous"] and app.view.baseline == "disk"


async def test_the_diff_panes_message_wraps_to_the_pane_at_80x24(demo):
    """A message in place of the diff (no changes yet) is read whole at 80 columns: wrapped, not
    cut at the pane's edge as a diff's long lines are (those scroll sideways); a diff shown after
    it is cut again."""
    from textual.geometry import Region

    def lines(widget) -> list[str]:
        return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, *widget.size))]

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.action_pane("diff")
        await settle(app, pilot)
        body = app.query_one("#diff-body")
        assert not app.view.diff_text.strip() and body.size.width <= 80
        shown = " ".join(lines(body))
        assert "No changes against the saved files." in shown and "v shows the whole run.yaml." in shown, shown
        body.show_diff("--- a\n+++ b\n@@ -1 +1 @@\n-" + "x" * 200 + "\n+" + "y" * 200 + "\n")
        await settle(app, pilot)
        cut = lines(body)
        assert cut[3].startswith("-xxxx") and len(cut[3]) == body.size.width and len(cut) >= 5, cut  # cut: h/l scroll it


async def test_up_and_down_in_a_field_being_edited_end_the_edit_and_move_with_the_focus(demo):
    """Down in a field being edited moved the form's cursor and path line to the next field while
    the focus (and the typing) stayed in the edited one. Now up/down end the edit as esc does
    (the value applied) and move; cursor, path line and focus agree."""
    from lsc_tui.tui.widgets.node_editor import FormScroll

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        editor = app.query_one("#editor")
        names = [path_text(f.rel) for f in editor.fields]
        i = names.index("config.url")
        inp = field_input(app, "config.url")
        inp.focus()
        await pilot.pause()
        await pilot.press("end", "x")
        await pilot.press("down")
        await settle(app, pilot)
        assert isinstance(app.focused, FormScroll) and editor.cursor == i + 1
        assert f"providers.inference[0].{names[i + 1]}" in str(app.query_one("#field-path").render())
        assert "8000/v1x" in app.session.text_of(demo / "run.yaml")  # the typed value was applied
        await pilot.press("enter")  # edits the field the cursor is on
        await pilot.pause()
        assert getattr(app.focused, "field_index", None) == i + 1
        await pilot.press("up")
        await settle(app, pilot)
        assert isinstance(app.focused, FormScroll) and editor.cursor == i


async def test_the_files_notes_above_the_form_are_read_whole(tmp_path, monkeypatch):
    """The file's node: where its findings are and its mode with the reason, whole at 120x40
    (the reason's end and the findings hint were cut at four lines)."""
    import shutil

    from textual.geometry import Region

    src = Path(__file__).parents[1] / "fixtures" / "corpus" / "lightspeed-stack" / "lightspeed-stack.yaml"
    shutil.copy(src, tmp_path / "lightspeed-stack.yaml")
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        notes = app.query_one("#node-findings")
        assert app.query_one("#editor").item.kind == "document"
        shown = " ".join(s.text.strip() for s in notes.render_lines(Region(0, 0, *notes.size)))
        assert shown.startswith("1 finding(s) in this file: see the findings (4)"), shown
        assert "mode: legacy-server" in shown and shown.endswith("managed Llama Stack)"), shown
        # that finding is about the file as a whole (line 0): the findings pane names the file alone
        panel = app.query_one("#findings")
        (row,) = [panel.get_row_at(i) for i in range(panel.row_count)]
        assert str(row[1]) == "lightspeed-stack.yaml" and panel.findings[0].line == 0, row


async def test_filter_tree(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"faiss")
        await pilot.pause()
        tree = app.query_one(ConfigTree)

        def labels(node):
            out = []
            for child in node.children:
                out.append(child.data.label)
                out.extend(labels(child))
            return out

        shown = labels(tree.root)
        assert "faiss" in shown and "vllm" not in shown
        await pilot.press("escape")
        await pilot.pause()
        assert "vllm" in labels(tree.root)
        assert not app.query_one("#filter").display


async def test_unified_tree_and_hl_provider_edit(unified):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        view = app.view
        assert view.mode == "unified"
        kinds = {i.kind for root in view.tree for i in root.walk()}
        assert {"hl-inference", "hl-vector", "override", "mcp", "profile", "provider"} <= kinds
        over = view.find_item("lightspeed-stack.yaml", ("llama_stack", "config", "native_override"))
        assert "override" in over.states
        await select(app, pilot, "lightspeed-stack.yaml", ("inference", "providers", 0))
        inp = field_input(app, "type")
        assert inp.suggester is not None
        await type_into(app, pilot, "extra.url", "http://vllm-b:8000/v1")
        assert "vllm-b:8000" in app.view.diff_text
        await pilot.press("escape", "a")
        await pilot.pause()
        await pilot.press(*"ollama", "enter", *"local", "enter")
        await settle(app, pilot)
        data = yaml.safe_load(app.session.text_of(unified / "lightspeed-stack.yaml"))
        assert data["inference"]["providers"][-1] == {"id": "local", "type": "ollama"}


async def test_typing_char_by_char_updates_the_diff_at_each_keystroke_in_one_undo_step(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        field_input(app, "config.url").focus()
        await pilot.press("end", "/")
        await settle(app, pilot)
        assert app.view.dirty and "/v1/" in app.view.diff_text
        await pilot.press("x")
        await settle(app, pilot)
        assert "/v1/x" in app.view.diff_text
        await pilot.press("escape", "u")  # the field's keystrokes are one undo step
        await settle(app, pilot)
        assert not app.view.dirty


async def test_a_keystroke_repaints_the_diff_without_laying_out_the_screen(demo, monkeypatch):
    """After a keystroke the panes show the new view in place: the header, the titles and a diff
    of as many lines are repainted, the screen is not laid out again (a frame's milliseconds on
    a large workspace, docs/benchmarks.md); and the new diff is what the screen shows."""
    from textual.widget import Widget

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        field_input(app, "config.url").focus()
        await pilot.press("end", "/")
        await settle(app, pilot)
        layouts = []
        refresh = Widget.refresh

        def spy(self, *regions, layout=False, **kwargs):
            if layout:
                layouts.append(self)
            return refresh(self, *regions, layout=layout, **kwargs)

        apply_view = app.apply_view

        def watched(*args, **kwargs):
            monkeypatch.setattr(Widget, "refresh", spy)
            try:
                apply_view(*args, **kwargs)
            finally:
                monkeypatch.setattr(Widget, "refresh", refresh)

        monkeypatch.setattr(app, "apply_view", watched)
        await pilot.press("x")
        await settle(app, pilot)
        assert "/v1/x" in app.view.diff_text
        assert layouts == []
        assert "/v1/x" in app.export_screenshot().replace("&#160;", " ")


async def test_a_value_longer_than_its_field_scrolls_inside_it(demo):
    """A field keeps its size as its value grows past its width (no layout per keystroke): the
    value scrolls, and the end being typed stays on screen."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        inp = field_input(app, "config.url")
        inp.focus()
        region = inp.region
        await pilot.press("end", *"/a-long-path-typed-past-the-edge-of-the-field-0123456789")
        await settle(app, pilot)
        assert inp.region == region
        assert inp.value.endswith("0123456789") and inp.scroll_x > 0
        assert "field-0123456789" in app.export_screenshot().replace("&#160;", " ")


async def test_keystrokes_queued_behind_a_busy_analysis_apply_once(demo):
    import threading

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        field_input(app, "config.url").focus()
        applied = []
        apply = app.session.apply
        app.session.apply = lambda op: (applied.append(op), apply(op))[1]
        busy = threading.Event()
        app.submit(lambda s: busy.wait(10))  # the analysis is busy while the operator types
        await pilot.press("end", *"/abc")
        busy.set()
        await settle(app, pilot)
        assert len(applied) == 1  # the three superseded keystrokes were not analysed
        assert applied[0].value.endswith("/v1/abc")
        assert "/v1/abc" in app.view.diff_text


async def test_undo_in_a_field_keeps_the_focus_there(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        await type_into(app, pilot, "config.url", "http://a:1/v1")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert "vllm.internal.example" in field_input(app, "config.url").value
        assert app.focused is field_input(app, "config.url")


async def test_broken_yaml_on_disk_is_a_located_message(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        (demo / "lightspeed-stack.yaml").write_text("name: [unclosed\n")
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any("lightspeed-stack.yaml:" in m for m in messages), messages


async def test_clearing_a_field_waits_for_enter(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        field_input(app, "config.url").focus()
        await pilot.press("end", "ctrl+u")
        await pilot.pause(0.5)
        assert not app.view.dirty and not app.session.dirty  # not applied while empty
        await pilot.press(*"http://b:1/v1")
        await pilot.pause(0.5)
        await settle(app, pilot)
        text = app.session.text_of(demo / "run.yaml")
        assert "url: http://b:1/v1" in text  # one edit, the file's plain style kept
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert not app.view.dirty


async def test_a_profile_that_is_the_config_itself_shows_one_error(tmp_path, monkeypatch):
    """The editor lists the one located error (it listed a warning per top-level key of the
    config read as a run.yaml), and the header counts it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text(
        "name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n"
        "  use_as_library_client: true\n  config:\n    profile: lightspeed-stack.yaml\n"
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = [(f.code, f.line, f.column) for f in app.query_one("#findings").findings if f.severity.value != "info"]
        assert shown == [("profile-is-config", 7, 5)]
        assert "E:1 W:0" in str(app.query_one("#header").render())
