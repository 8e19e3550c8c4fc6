"""Going places in the editor: from a finding or a line of the run.yaml to the node it is
about, stepping through the findings, and the tree's filter (``/``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.widgets import Input

from lsc_tui.config.findings import Finding, finding_path
from lsc_tui.config.outline import TreeItem
from lsc_tui.tui.widgets.config_tree import ConfigTree
from lsc_tui.tui.widgets.findings import FindingsPanel

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp


# -- findings and the run.yaml's lines --------------------------------------------------------------


def jump_to_finding(app: LscTuiApp, finding: Finding) -> None:
    path = finding_path(finding, app.shown_view().documents)
    item = app.shown_view().find_item(finding.file, path)
    if item is None:
        app.notify(f"{finding.file}:{finding.line} is not in the tree", severity="warning")
        return
    go_to_item(app, item)
    app.editor().focus_path(path)


def go_to_item(app: LscTuiApp, item: TreeItem) -> None:
    if app.query_one("#filter", Input).display:
        clear_filter(app)
    tree = app.query_one(ConfigTree)
    tree.select_key(item.key)
    app.editor().show_item(item, app.shown_view())
    app.action_pane("editor")


def step_finding(app: LscTuiApp, delta: int) -> None:
    panel = app.query_one(FindingsPanel)
    rows = panel.findings
    if not rows:
        app.notify("No findings.")
        return
    app.finding_index = (app.finding_index + delta) % len(rows)
    f = rows[app.finding_index]
    panel.move_cursor(row=app.finding_index)
    app.notify(f"{f.file}{f':{f.line}' if f.line else ''}: {f.message}", timeout=4)
    jump_to_finding(app, f)


def jump_to_origin(app: LscTuiApp, origin) -> None:
    """To the input that produced a line of the preview (``origin``: its provenance, or None)."""
    src = getattr(origin, "source_path", None) if origin is not None else None
    file = getattr(origin, "file", None) if origin is not None else None
    if not file:
        app.notify(
            "No recorded source for this line (a default the synthesis adds, or a run.yaml opened on its own).",
            severity="warning",
        )
        return
    display = _display_for_origin(app, str(file))
    item = app.shown_view().find_item(display, tuple(src or ()))
    if item is None:
        app.notify(f"It comes from {file}, which is not open here.", severity="warning")
        return
    go_to_item(app, item)
    app.editor().focus_path(tuple(src or ()))


def _display_for_origin(app: LscTuiApp, file: str) -> str:
    if file in app.shown_view().documents:
        return file
    for display, p in app.shown_view().files.items():
        if str(p) == file or Path(p).name == Path(file).name:
            return display
    return file


# -- the tree's filter -------------------------------------------------------------------------------


def open_filter(app: LscTuiApp) -> None:
    app.show_pane("tree")
    flt = app.query_one("#filter", Input)
    flt.display = True
    flt.focus()


def filter_changed(app: LscTuiApp, text: str) -> None:
    tree = app.query_one(ConfigTree)
    tree.filter_text = text
    tree.show_view(app.shown_view())


def filter_submitted(app: LscTuiApp, text: str) -> None:
    """enter in the filter: to the first node whose label holds the text."""
    tree = app.query_one(ConfigTree)
    tree.focus()
    needle = text.lower()
    for root in app.shown_view().tree:
        for item in root.walk():
            if needle and needle in item.label.lower() and item.kind not in ("document", "group"):
                tree.select_key(item.key)
                app.sync_editor_to_cursor()
                return
    if tree.cursor_line < 0 and tree.root.children:
        tree.cursor_line = 0


def filter_shown(app: LscTuiApp) -> bool:
    return app.query_one("#filter", Input).display


def clear_filter(app: LscTuiApp) -> None:
    flt = app.query_one("#filter", Input)
    flt.value = ""
    flt.display = False
    tree = app.query_one(ConfigTree)
    tree.filter_text = ""
    editor = app.editor()
    tree.show_view(app.shown_view(), select_key=editor.item.key if editor.item else None)
    app.show_pane("tree")
    tree.focus()
