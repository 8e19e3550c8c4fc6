"""The editor's commands on the selected node: add a provider, remove, duplicate, rename and
move a list entry, turn a field into an ``${env.NAME}`` reference, copy to the clipboard.

Each asks what it needs in a dialog and queues one session operation; where the provider goes,
which id a rename changes and the variable name to suggest are the core's decisions
(:mod:`lsc_tui.config.provider_edits`, :func:`lsc_tui.config.envref.suggest_name`). The tree
key a job returns is the node to select once the edit is on screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsc_tui.config.envref import suggest_name
from lsc_tui.config.fields import value_at
from lsc_tui.config.findings import path_text
from lsc_tui.config.masked_yaml import masked_node_yaml, node_yaml
from lsc_tui.config.outline import TreeItem, tree_key
from lsc_tui.config.provider_edits import NoPlaceForProvider, append_index, new_provider_place, rename_id_key
from lsc_tui.config.provider_types import suggestions
from lsc_tui.config.session import (
    AddProvider,
    DuplicateListItem,
    InsertListItem,
    MoveListItem,
    RemoveNode,
    RenameProvider,
    SetEnvRef,
)
from lsc_tui.tui.screens.dialogs import Prompt, confirm_dialog
from lsc_tui.tui.widgets.diff_pane import DiffPane

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp


def _file_of(app: LscTuiApp, file: Path | None, display: str) -> Path | None:
    """The file a command edits; None (said to the operator) for a node of no file on disk."""
    if file is None:
        app.notify(f"{display} is not a file on disk: there is nothing to edit.", severity="warning")
    return file


def add_provider(app: LscTuiApp) -> None:
    item = app.selected_item() or app.editor().item
    try:
        place = new_provider_place(app.open_session().workspace, item)
    except NoPlaceForProvider as exc:
        app.notify(str(exc), severity="warning", timeout=6)
        return
    if place is None:
        return
    display = place.display
    file = _file_of(app, place.file, display)
    if file is None:
        return
    list_path = place.list_path
    if list_path is not None:  # place.high_level

        def add_entry(values) -> None:
            if not values:
                return
            entry = {"id": values["id"], "type": values["type"]}
            doc = app.shown_view().document(display)
            index = append_index(doc.data if doc is not None else None, list_path)
            app.submit(
                lambda s: s.apply(InsertListItem(file, list_path, index, entry)),
                "add",
                lambda _r: tree_key(display, list_path + (index,)),
            )

        app.push_screen(
            Prompt(f"Add to {path_text(list_path)}", [("type", "Type", "", list(place.types)), ("id", "Id", "", None)]),
            add_entry,
        )
        return

    def add(values) -> None:
        if not values:
            return
        provider = {"provider_id": values["id"], "provider_type": values["type"]}
        key_path = ("providers", values["api"])

        def done(_r):
            doc = app.open_session().document(file)
            items = (doc.data or {}).get("providers", {}).get(values["api"]) or []
            return tree_key(display, key_path + (len(items) - 1,))

        app.submit(lambda s: s.apply(AddProvider(file, values["api"], provider)), "add", done)

    app.push_screen(
        Prompt(
            f"Add a provider to {display}",
            [
                ("api", "API", place.api, list(place.apis)),
                ("type", "Provider type (remote::... or inline::...)", "", suggestions("provider", None)),
                ("id", "Provider id", "", None),
            ],
        ),
        add,
    )


def delete_node(app: LscTuiApp) -> None:
    item = app.selected_item()
    if item is None or not item.path or item.kind == "document":
        app.notify("Select a provider or a section to remove.", severity="warning")
        return
    file, path = _file_of(app, item.file, item.display), item.path
    if file is None:
        return

    def answer(choice) -> None:
        if choice == "yes":
            app.submit(
                lambda s: s.apply(RemoveNode(file, path)),
                "remove",
                lambda _r: app.notify(f"Removed {path_text(path)} (u undoes)", timeout=4),
            )

    app.push_screen(confirm_dialog("Remove?", f"Remove {item.label} ({item.display}: {path_text(path)})?"), answer)


def _list_item(app: LscTuiApp) -> TreeItem | None:
    item = app.selected_item()
    if item is None or not item.is_list_item:
        app.notify("Select a provider (or another list item) first.", severity="warning")
        return None
    return item


def duplicate(app: LscTuiApp) -> None:
    item = _list_item(app)
    if item is None:
        return
    file, path, display = _file_of(app, item.file, item.display), item.path, item.display
    if file is None:
        return
    new_key = tree_key(display, path[:-1] + (path[-1] + 1,))
    app.submit(lambda s: s.apply(DuplicateListItem(file, path[:-1], path[-1])), "duplicate", lambda _r: new_key)


def rename(app: LscTuiApp) -> None:
    item = _list_item(app)
    if item is None:
        return
    id_key = rename_id_key(item.kind)
    if id_key is None:
        app.notify("Only providers and MCP servers have an id to rename.", severity="warning")
        return
    file, path = _file_of(app, item.file, item.display), item.path
    if file is None:
        return

    def answer(values) -> None:
        if values:
            app.submit(lambda s: s.apply(RenameProvider(file, path, values["id"], id_key)), "rename")

    app.push_screen(Prompt(f"Rename {item.label}", [("id", f"New {id_key}", item.label, None)]), answer)


def move(app: LscTuiApp, delta: int) -> None:
    item = _list_item(app)
    if item is None:
        return
    file, path, display = _file_of(app, item.file, item.display), item.path, item.display
    if file is None:
        return
    doc = app.shown_view().document(display)
    items = value_at(doc.data, path[:-1]) if doc is not None else None
    new = path[-1] + delta
    if not isinstance(items, list) or not (0 <= new < len(items)):
        app.notify(f"It is already {'first' if delta < 0 else 'last'} in the list.")
        return
    new_key = tree_key(display, path[:-1] + (new,))
    app.submit(lambda s: s.apply(MoveListItem(file, path[:-1], path[-1], new)), "move", lambda _r: new_key)


def env_ref(app: LscTuiApp) -> None:
    editor = app.editor()
    item = editor.item
    field = editor.selected_field()
    if item is None:
        return
    if field is None:
        fields = [f for f in editor.fields if f.secret] or editor.fields
        if len(fields) != 1 and not (fields and fields[0].secret):
            app.notify("Point at a field in the node editor first (2, then j/k to the field).", severity="warning")
            return
        field = fields[0]
    path = item.path + field.rel
    file = _file_of(app, item.file, item.display)
    if file is None:
        return
    # a literal secret: the name its finding (and the secrets review) gives it
    suggestion = _secret_name(app, file, path) or suggest_name(path, item.label if item.is_provider else "")

    def answer(values) -> None:
        if not values:
            return
        name = values["name"]
        app.submit(
            lambda s: s.apply(SetEnvRef(file, path, name)),
            "env",
            done=lambda _r: app.notify(
                f"{path_text(path)} = ${{env.{name}}}: set {name} in the environment the server starts with.", timeout=6
            ),
        )

    app.push_screen(
        Prompt(
            f"Environment reference for {path_text(path)}",
            [("name", "Variable name (upper-case, digits, _)", suggestion, None)],
            "The literal value is replaced by ${env.NAME}; nothing else in the file changes.",
        ),
        answer,
    )


def _in_the_diff(app: LscTuiApp) -> bool:
    """The focus is in the diff pane (side by side, tab takes it there without making the diff
    the active pane), or nothing has it and the diff is the pane shown."""
    if app.focused is None:
        return app.active_pane == "diff"
    return any(isinstance(node, DiffPane) for node in app.focused.ancestors_with_self)


def _secret_name(app: LscTuiApp, file: Path, path: tuple) -> str:
    """The variable name the secrets analysis gives the literal secret at ``path`` of ``file``
    ("" when no literal secret is there)."""
    analysis = app.shown_view().analysis
    for finding in analysis.secret_findings if analysis is not None else ():
        if finding.suggested_env and tuple(finding.path) == tuple(path) and Path(finding.doc_path) == file:
            return finding.suggested_env
    return ""


def copy(app: LscTuiApp) -> None:
    """The focused field's value, the diff, or the node's YAML (secrets masked unless revealed)."""
    editor = app.editor()
    field = editor.selected_field()
    item = editor.item
    if field is not None and item is not None:
        if field.secret and not editor.revealed:
            app.notify("That value is a secret: reveal it first (s or ctrl+t), then copy.", severity="warning")
            return
        text = "" if field.value is None else str(field.value)
        what = path_text(item.path + field.rel)
    elif _in_the_diff(app):
        text = app.shown_view().diff_text
        if not text:
            app.notify("No difference to copy: the run.yaml diff is empty.", timeout=3)
            return
        what = "the diff"
    elif item is not None:
        doc = app.shown_view().document(item.display)
        if doc is None:
            return
        text = (
            node_yaml(doc, item.path)
            if editor.revealed
            else masked_node_yaml(doc, item.path, app.shown_view().secret_paths)[0]
        )
        what = path_text(item.path) or item.display
    else:
        return
    app.copy_to_clipboard(text)
    app.notify(f"Copied {what} to the clipboard (OSC 52).", timeout=3)
