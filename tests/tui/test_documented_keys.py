"""Keys as docs/keys.md documents them, pressed on the main screen at the sizes an operator
uses (80x24 over SSH: one pane at a time, under tabs; 120x40: the panes side by side)."""

from __future__ import annotations

import pytest

from lsc_tui.tui.widgets.config_tree import ConfigTree
from lsc_tui.tui.widgets.findings import FindingsPanel
from lsc_tui.tui.widgets.node_editor import NodeEditor

from .conftest import make_app
from .helpers import select, settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

VLLM = ("providers", "inference", 0)


def _pane_of(app) -> str | None:
    """The pane the focused widget is in."""
    panes = {"tree-pane": "tree", "editor": "editor", "diff": "diff", "findings": "findings"}
    for node in app.focused.ancestors_with_self if app.focused else ():
        if node.id in panes:
            return panes[node.id]
    return None


async def test_tab_moves_from_pane_to_pane_at_80_columns(demo):
    """keys.md: tab / shift+tab, "Next / previous pane or field". Below 100 columns the panes
    are tabs; tab used to stop on the tab bar and come back to the tree, never reaching a pane."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", VLLM)  # a provider: its form has fields to tab through
        await pilot.press("1")
        await settle(app, pilot)
        seen = []
        for _ in range(12):
            await pilot.press("tab")
            await settle(app, pilot)
            seen.append(_pane_of(app))
            assert app.active_pane == seen[-1]  # the pane with the focus is the one shown
        assert seen[0] == "editor"
        assert {"editor", "diff", "findings", "tree"} <= set(seen)
        # the order is the tabs' order, each pane once per round
        order = [p for i, p in enumerate(seen) if i == 0 or p != seen[i - 1]]
        assert order[:4] == ["editor", "diff", "findings", "tree"]
        app.action_pane("tree")  # (a digit would be typed: tab stops in the form's fields)
        await settle(app, pilot)
        await pilot.press("shift+tab")
        await settle(app, pilot)
        assert _pane_of(app) == app.active_pane == "findings"


async def test_tab_still_moves_through_the_fields_side_by_side(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", VLLM)
        await pilot.press("tab")
        await settle(app, pilot)
        assert _pane_of(app) == "editor"


@pytest.mark.parametrize("first,last", [("g", "G"), ("home", "end")])
async def test_first_and_last_move_the_form_cursor(demo, first, last):
    """keys.md: g/home "First", G/end "Last". In a node's form they did nothing."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", VLLM)
        await pilot.press("2")
        await settle(app, pilot)
        editor = app.query_one(NodeEditor)
        assert len(editor.fields) > 2 and editor.cursor == 0
        await pilot.press(last)
        await settle(app, pilot)
        assert editor.cursor == len(editor.fields) - 1
        await pilot.press(first)
        await settle(app, pilot)
        assert editor.cursor == 0


@pytest.mark.parametrize("first,last", [("g", "G"), ("home", "end")])
async def test_first_and_last_move_the_findings_cursor(demo, first, last):
    """home and end scrolled the findings table sideways instead of moving to a row."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        table = app.query_one(FindingsPanel)
        assert table.row_count >= 2 and table.cursor_row == 0
        await pilot.press(last)
        await settle(app, pilot)
        assert table.cursor_row == table.row_count - 1
        await pilot.press(first)
        await settle(app, pilot)
        assert table.cursor_row == 0


async def test_first_and_last_in_the_tree(demo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ConfigTree)
        for key, line in (("G", tree.last_line), ("home", 0), ("end", tree.last_line), ("g", 0)):
            await pilot.press(key)
            await settle(app, pilot)
            assert tree.cursor_line == line, key


async def test_a_click_on_a_pane_tab_still_shows_the_pane(demo):
    """The tab bar takes no focus now; the mouse still switches panes with it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.click("#tab-diff")
        await settle(app, pilot)
        assert app.active_pane == "diff" and app.query_one("#diff").display


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_raw_yaml_tab_indents_two_spaces_and_esc_leaves_then_tab_moves_on(demo, size):
    """keys.md: "Raw YAML editor: tab indents (two spaces); esc leaves the editor, then tab moves
    on". Tab indented four spaces; at 80 columns esc left the focus in the editor."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", VLLM)
        await pilot.press("2", "t")
        await settle(app, pilot)
        area = app.query_one("#yaml-editor")
        assert app.focused is area
        before = area.text
        assert before.startswith("provider_id: vllm")
        await pilot.press("tab")
        await settle(app, pilot)
        assert area.text == "  " + before
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.focused is not area and _pane_of(app) == "diff"
        await pilot.press("tab")
        await settle(app, pilot)
        assert _pane_of(app) == "findings"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_y_in_the_diff_pane_copies_the_diff_and_says_when_there_is_none(demo, size):
    """ssh.md: `y` copies "the focused value, the node's YAML or the diff". With the panes side by
    side and the focus moved into the diff with tab, y copied the selected node's YAML; with no
    difference it said "Copied the diff" and put an empty text on the clipboard."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", VLLM)

        async def to_the_diff():
            if size[0] < 100:
                await pilot.press("3")
            else:  # where tab takes the focus, side by side (the active pane stays the tree)
                app.query_one("#diff-scroll").focus()
            await settle(app, pilot)

        await to_the_diff()
        app.copy_to_clipboard("before")
        await pilot.press("y")
        await settle(app, pilot)
        assert app.clipboard == "before"
        assert any("no difference" in n.message.lower() for n in app._notifications)
        app.action_pane("tree")
        await pilot.press("c")  # an edit: the diff has a line to copy now
        await settle(app, pilot)
        await to_the_diff()
        await pilot.press("y")
        await settle(app, pilot)
        assert app.clipboard.startswith("---") and "+" in app.clipboard and "vllm-copy" in app.clipboard
