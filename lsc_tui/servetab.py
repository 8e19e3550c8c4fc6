"""One browser tab's editor under ``lsc-tui serve``: it ends when the server ends.

textual-serve starts each tab's editor as a child process of the server and talks to it over
pipes. When the server stops cleanly it tells the editors to quit; when it dies without a word
(SIGKILL, the OOM killer, a crash), nothing would: each editor ran on, orphaned, holding its
files. So before the editor starts, this asks the kernel to send it SIGHUP when the server
dies (Linux ``PR_SET_PDEATHSIG``; elsewhere a thread watches the parent process), which the
editor treats as a dropped connection: the unsaved edits go to the recovery file, and it
leaves.

Run as ``python -m lsc_tui.servetab SERVER_PID PATH [editor options]``; the server's command
line for a tab starts it with ``exec``, so the server is its parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

from lsc_tui.cli import main as lsc_tui

PR_SET_PDEATHSIG = 1


def die_with(server: int) -> None:
    """SIGHUP to this process when ``server`` (its parent) ends; at once if it is gone already."""
    armed = False
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGHUP, 0, 0, 0) == 0
    if not armed:
        threading.Thread(target=_watch, args=(server,), name="lsc-tui-serve-parent", daemon=True).start()
    if os.getppid() != server:  # the server died before the kernel was asked
        os.kill(os.getpid(), signal.SIGHUP)


def _watch(server: int) -> None:
    while os.getppid() == server:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGHUP)


def main(argv: list[str]) -> int:
    server, *editor = argv
    die_with(int(server))
    return lsc_tui(["edit", *editor])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
