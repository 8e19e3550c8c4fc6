"""Files changing underneath the editor: watch the open files, and on a change let the session
decide (reload a clean buffer, ask about an edited one); say what happened in words."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from lsc_tui.tui.screens.dialogs import ConflictDialog

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp


async def watch(app: LscTuiApp) -> None:
    """Until the app ends: every change to an open file runs :func:`check` (quietly)."""
    # deferred: watchfiles (about 8 ms) loads when the watch starts, after the complete first screen
    from watchfiles import awatch

    files = {Path(p).resolve() for p in app.open_session().buffers}
    dirs = sorted({str(p.parent) for p in files})
    try:
        async for changes in awatch(*dirs, debounce=300, step=50, recursive=False):
            if any(Path(path).resolve() in files for _change, path in changes):
                check(app, quiet=True)
    except Exception:  # a watcher that cannot run (inotify limits): f5 still checks
        app.notify("Cannot watch the files for changes; press f5 to check them.", severity="warning")


def check(app: LscTuiApp, quiet: bool = False) -> None:
    """Compare the open files with the disk (f5); ``quiet``: say nothing when nothing changed."""

    def done(changes) -> None:
        if not changes and not quiet:
            app.notify("No file changed on disk.", timeout=3)
        for path, state in changes or []:
            name = app.display_name(path)
            if state == "reloaded":
                app.notify(
                    f"{name} changed on disk and was reloaded (you had no edits in it).", title="Reloaded", timeout=6
                )
            elif state == "written":  # a flow of ours wrote it: the editor follows, nobody else did it
                _on_editor(app, f"The editor now shows the {name} just written.")
            elif state == "deleted":
                app.notify(
                    f"{name} was deleted or moved on disk. The editor keeps its copy: w writes it "
                    "back; quitting without saving leaves it gone.",
                    severity="warning",
                    timeout=10,
                )
            elif state == "conflict":
                resolve_conflict(app, Path(path))
            elif state == "unreadable":
                why = app.open_session().unusable.get(Path(path), "")  # names file:line:col
                why = f" ({why})" if why else ""
                app.notify(
                    f"{name} changed on disk into something lsc-tui cannot use{why}. The editor keeps "
                    "its copy: w writes it over the broken file (a .bak keeps that), or fix the file "
                    "and press f5.",
                    severity="warning",
                    timeout=12,
                )

    app.submit(lambda s: s.check_disk(), "disk", done)


def _on_editor(app: LscTuiApp, message: str) -> None:
    """A notice about what the editor shows, given when the editor is on screen: the watcher sees
    a flow's writes while the flow is still open (the migration's Done step), and over it the
    notice would hide the flow's text."""
    main = app.get_default_screen_instance()
    notice = partial(app.notify, message, timeout=4)
    if main is None:
        notice()
    else:
        main.when_shown(notice)


def resolve_conflict(app: LscTuiApp, path: Path, then_save: bool = False) -> None:
    """A file with edits here changed on disk too: ask which to keep, showing the difference."""
    name = app.display_name(path)
    if any(isinstance(s, ConflictDialog) and s.display_name == name for s in app.screen_stack):
        return
    try:
        diff_text = app.open_session().disk_diff(path)
    except Exception as exc:  # the choice still stands; the dialog says why it has no diff
        diff_text = f"(the diff cannot be shown: internal error {type(exc).__name__})"

    def answer(choice) -> None:
        if choice == "mine":
            app.submit(
                lambda s: s.keep_mine(path),
                "disk",
                lambda _r: app.notify(
                    f"Keeping your edits to {name}; saving will replace the disk version (with a backup).", timeout=6
                ),
            )
            if then_save:
                app.action_save()
        elif choice == "theirs":
            app.submit(
                lambda s: s.reload(path),
                "reload",
                lambda _r: app.notify(f"Took the disk version of {name}.", timeout=5),
            )

    app.push_screen(ConflictDialog(name, diff_text), answer)
