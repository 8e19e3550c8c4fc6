"""SIGHUP (the SSH connection dropped, the terminal closed) and SIGTERM: keep the unsaved edits
in a 0600 recovery file, put the terminal back in its normal state, and leave. The next
`lsc-tui` on the same config offers the edits back, with a diff."""

from __future__ import annotations

import os
import signal
import sys
import termios
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp

# What Textual's driver turns on, turned off: mouse tracking (all modes), bracketed paste, focus
# and in-band resize reports, the kitty keyboard protocol; line wrap back on, the alternate
# screen left, the cursor shown. Written last, so the terminal ends in its normal state.
RESTORE_TERMINAL = (
    "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l"
    "\x1b[?2004l\x1b[?1004l\x1b[?2048l\x1b[<u\x1b[?7h\x1b[?1049l\x1b[?25h"
)


def restore_terminal(app: LscTuiApp) -> None:
    """Put the terminal back as it was before the app started, without the app's help (from a
    signal handler: the app's loop may be mid-frame). The terminal may be gone already."""
    driver = getattr(app, "_driver", None)
    attrs = getattr(driver, "attrs_before", None)
    fileno = getattr(driver, "fileno", None)
    if attrs is not None and fileno is not None:
        try:
            termios.tcsetattr(fileno, termios.TCSANOW, attrs)
        except (termios.error, OSError, ValueError):
            pass  # no terminal any more: nothing to restore it on
    stderr = sys.__stderr__  # where Textual's driver writes (None: the process has no stderr)
    if stderr is None:
        return
    try:
        os.write(stderr.fileno(), RESTORE_TERMINAL.encode())
    except (OSError, ValueError):
        pass  # the terminal is gone (a dropped SSH connection)


def on_hangup(app: LscTuiApp):
    """The signal handler for ``app``. On SIGHUP the terminal may still be there (a multiplexer,
    `kill -HUP`): it is put back in its normal state (no alternate screen, no mouse tracking,
    the cursor shown)."""

    def handler(signum, frame) -> None:
        try:
            if app.session is not None:
                app.session.write_recovery()
        except Exception:  # noqa: S110 - leaving matters more than the message
            pass
        if signum == signal.SIGHUP:  # no clean exit through the app's loop: restore by hand
            restore_terminal(app)
            os._exit(128 + signum)
        # SIGTERM in a live terminal: leave cleanly (restore the screen), and surely
        threading.Timer(3.0, restore_and_exit, args=(app, 128 + signum)).start()
        try:
            app.call_later(lambda: app.exit(return_code=128 + signum))
        except Exception:
            restore_and_exit(app, 128 + signum)

    return handler


def install(app: LscTuiApp) -> None:
    """Handle SIGHUP and SIGTERM for ``app`` (its edits go to the recovery file)."""
    for sig in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, on_hangup(app))


def restore_and_exit(app: LscTuiApp, code: int) -> None:
    restore_terminal(app)
    os._exit(code)
