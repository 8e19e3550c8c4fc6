"""The first question once the config is open: after a dropped session, whether to restore the
edits it left behind (with their diff); else, for a legacy config, whether to migrate it. The
start-up notice (where the demo was copied, what to try first) follows the answer, or shows at
once when nothing is asked: over a dialog it would hide the dialog's keys at 80x24."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsc_tui.config.session import clear_recovery, read_recovery
from lsc_tui.tui import flows
from lsc_tui.tui.screens.dialogs import RecoveryDialog

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp


def show_notice(app: LscTuiApp) -> None:
    if app.notice:
        app.notify(app.notice, timeout=15, markup=False)


def offer_recovery_or_migration(app: LscTuiApp) -> None:
    session = app.open_session()
    data = None
    if not app.readonly:
        data = read_recovery(session.path)
    if data:
        files = ", ".join(app.display_name(Path(p)) for p in data.get("files", {}))
        changed = [app.display_name(p) for p in session.recovery_changed_on_disk()]

        def answer(choice) -> None:
            show_notice(app)
            if choice == "restore":
                said = (
                    "Restored the unsaved edits over the change on disk (u undoes them; saving writes "
                    "them, with a backup)."
                    if changed
                    else "Restored the unsaved edits (u undoes them)."
                )
                app.submit(lambda s: s.restore_recovery(), "recover", lambda _r: app.notify(said, timeout=8))
            elif choice == "discard":
                clear_recovery(session.path)
                if changed:
                    app.notify(
                        f"Kept the disk version of {', '.join(changed)}; the recovered edits are dropped.", timeout=6
                    )

        try:
            diff_text = session.recovery_diff()
        except Exception as exc:  # the offer still stands; the dialog says why it has no diff
            diff_text = f"(the diff cannot be shown: internal error {type(exc).__name__})"
        app.push_screen(RecoveryDialog(files, diff_text, changed), answer)
        return
    if app.offer_migration and not app.readonly:
        if flows.offer_migration(app, session, after_answer=lambda: show_notice(app)):
            return
    show_notice(app)
