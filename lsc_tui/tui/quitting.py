"""Leaving the editor (q): raw YAML that does not parse is kept or dropped on the operator's
word (a side file keeps it), unsaved edits are saved or discarded on theirs; never lost silently."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsc_tui.config.findings import path_text
from lsc_tui.config.yaml.save import write_side_file
from lsc_tui.tui.screens.dialogs import quit_dialog, unparsed_dialog

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp


def quit_app(app: LscTuiApp) -> None:
    app.editor().flush()

    async def ask() -> None:
        await app.wait_idle()
        editor = app.editor()
        unparsed = editor.unparsed_yaml
        if unparsed is not None and editor.item is not None:
            item, (text, problem) = editor.item, unparsed
            file = item.file
            where = f"{app.shown_view().short_name(item.display)}: {path_text(item.path) or '(whole file)'}"

            def answer(choice) -> None:
                if choice == "side":
                    if file is None:  # a node of no file on disk: no place beside it
                        app.notify(
                            "Not written: the node is in no file on disk.",
                            title="Raw YAML kept in the editor",
                            severity="error",
                            timeout=10,
                        )
                        return
                    try:
                        side = write_side_file(Path(file), text)
                    except OSError as exc:
                        app.notify(
                            f"Not written: {exc.filename or ''}: {exc.strerror or exc}",
                            title="Raw YAML kept in the editor",
                            severity="error",
                            timeout=10,
                        )
                        return
                    app.exit_note = f"lsc-tui: the raw YAML of {where} that did not parse is in {side}"
                    quit_or_ask(app)
                elif choice == "discard":
                    quit_or_ask(app)
                else:  # keep editing
                    app.show_pane("editor")
                    editor.focus_first()

            app.push_screen(unparsed_dialog(where, problem), answer)
            return
        quit_or_ask(app)

    app.run_worker(ask(), group="quit", exclusive=True, exit_on_error=False)


def quit_or_ask(app: LscTuiApp) -> None:
    """Quit, asking first when a file has unsaved edits."""
    if app.session is None or not app.session.dirty:  # None: the config never opened, nothing to lose
        leave(app)
        return
    view = app.shown_view()
    files = [view.short_name(p) for p in view.dirty_files] or ["(edited buffers)"]

    def answer(choice) -> None:
        if choice == "discard":
            leave(app)
        elif choice == "save":
            app.submit(lambda s: s.save(), "save", done=lambda _r: leave(app))

    app.push_screen(quit_dialog(files), answer)


def leave(app: LscTuiApp) -> None:
    if app.exit_note:
        app.exit(0, message=app.exit_note)
    else:
        app.exit(0)
