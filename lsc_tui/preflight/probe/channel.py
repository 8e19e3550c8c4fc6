"""The event channel to the runner: one ``MARK + json`` line per event on a private descriptor.

:func:`open_channel` moves the real stdout to a private descriptor and points descriptor 1
at stderr, so whatever provider code prints (``print``, ``os.write(1, ...)``, a C library)
lands on stderr and can never corrupt the event stream. ``sys.stdout`` becomes a
:class:`CountingStdout` so preflight can say how much a provider printed.
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import IO, Any, Optional

MARK = "\x1e"


class _State:
    out: Optional[IO[str]] = None  # the private descriptor (the runner's pipe, or a child's)
    quiet = False  # the probe warming its own imports: nothing is reported


def emit(event: str, **data: Any) -> None:
    """Write one event; nothing before the channel is open or while the probe warms up."""
    out = _State.out
    if _State.quiet or out is None:
        return
    data["event"] = event
    out.write(MARK + json.dumps(data, default=_json_default, ensure_ascii=False) + "\n")
    out.flush()


def _json_default(obj: object) -> object:
    value = getattr(obj, "value", None)
    if isinstance(value, (str, int, float)):
        return value
    return repr(obj)


def open_channel() -> CountingStdout:
    """Descriptor 1 -> a private descriptor for events; 1 and ``sys.stdout`` -> stderr."""
    out_fd = os.dup(1)
    os.dup2(2, 1)  # anything written to fd 1 from now on lands on stderr
    use(out_fd)
    counting = CountingStdout(sys.stderr)
    sys.stdout = counting
    return counting


def use(fd: int) -> None:
    """Report on ``fd`` from now on (a provider's child reports on a pipe of its own)."""
    _State.out = os.fdopen(fd, "w", encoding="utf-8", buffering=1)


def fileno() -> int:
    assert _State.out is not None
    return _State.out.fileno()


def flush() -> None:
    if _State.out is not None:
        _State.out.flush()


def set_quiet(on: bool) -> None:
    _State.quiet = on


class CountingStdout(io.TextIOBase):
    """Stands in for ``sys.stdout``: forwards to stderr and counts what providers print."""

    def __init__(self, target: IO[str]) -> None:
        self._target = target
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.count += len(s)
        try:
            return self._target.write(s)
        except Exception:
            return len(s)

    def flush(self) -> None:
        try:
            self._target.flush()
        except Exception:  # noqa: S110 - the probe's output stream: a failed flush has nowhere to be reported
            pass

    def fileno(self) -> int:
        return 2

    def isatty(self) -> bool:
        return False
