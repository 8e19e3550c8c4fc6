"""The four panes of the main screen (tree with its filter, node editor, run.yaml diff,
findings), built in the layout the terminal's width asks for."""

from __future__ import annotations

from textual.containers import Horizontal, Vertical

from lsc_tui.tui.screens.dialogs import QuietInput
from lsc_tui.tui.screens.main import main_row_shown, pane_shown
from lsc_tui.tui.widgets.config_tree import ConfigTree
from lsc_tui.tui.widgets.diff_pane import DiffPane
from lsc_tui.tui.widgets.findings import FindingsPanel
from lsc_tui.tui.widgets.node_editor import NodeEditor


def pane_widgets(narrow: bool, active: str) -> list:
    """The panes, in the layout the terminal's width asks for (classes and visibility set
    before mounting, so no restyling pass follows; the app's show_pane applies the same rules later)."""

    def pane(widget, name: str):
        if name == active:
            widget.add_class("-active")
        widget.display = pane_shown(name, active, narrow)
        return widget

    flt = QuietInput(placeholder="filter the tree (esc clears)", id="filter")
    flt.display = False
    main = Horizontal(
        pane(Vertical(flt, ConfigTree(id="tree"), id="tree-pane", classes="pane"), "tree"),
        pane(NodeEditor(id="editor", classes="pane"), "editor"),
        pane(DiffPane(id="diff", classes="pane"), "diff"),
        id="main",
    )
    main.display = main_row_shown(active, narrow)
    return [main, pane(FindingsPanel(id="findings", classes="pane"), "findings")]
