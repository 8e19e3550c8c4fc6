"""Helpers for pilot tests."""

from __future__ import annotations

from lsc_tui.config.findings import path_text


async def settle(app, pilot) -> None:
    """Wait for pending edits, the job queue, and the screen."""
    await pilot.pause()
    await app.wait_idle()
    await pilot.pause()


async def select(app, pilot, display: str, path: tuple) -> None:
    from lsc_tui.tui.widgets.config_tree import ConfigTree

    key = f"{display}|{path_text(path)}"
    tree = app.query_one(ConfigTree)
    assert tree.select_key(key), key
    tree.focus()
    for _ in range(50):  # the editor follows the cursor a message later (later still on a busy machine)
        await pilot.pause()
        item = app.query_one("#editor").item
        if item is not None and item.key == key:
            break
    editor = app.query_one("#editor")
    assert editor.item.key == key
    # below 100 columns the form of a pane hidden behind a tab is built when the pane is shown:
    # the tests type into it where it is, as the operator does after pressing 2
    if editor._form_deferred:
        editor.build_if_deferred()
        await pilot.pause()


def field_input(app, rel: str):
    from lsc_tui.tui.widgets.node_editor import FieldInput, NodeEditor

    editor = app.query_one(NodeEditor)
    for i, fld in enumerate(editor.fields):
        if path_text(fld.rel) == rel:
            for inp in editor.query(FieldInput):
                if inp.field_index == i and inp.id.startswith(f"field-{editor._form_gen}-"):
                    return inp
    raise AssertionError(f"no field {rel}: {[path_text(f.rel) for f in editor.fields]}")


async def type_into(app, pilot, rel: str, text: str) -> None:
    inp = field_input(app, rel)
    inp.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u")
    inp.value = text  # one edit, as a paste: the debounce cannot split it under load
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)
