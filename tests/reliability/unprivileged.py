"""Run a function as a user without file-permission privileges, from a test running as root.

CI runs the tests as root, and root reads and writes every file whatever its mode, so the
"permission denied" paths would never run. ``unprivileged(fn)`` runs ``fn`` in a forked child
that drops the capabilities that let root bypass file permissions (CAP_CHOWN,
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID): from then on the kernel checks
every file access against its owner and mode exactly as for an ordinary user, while the
interpreter (often installed under root's 0700 home) stays importable. Run as a non-root
user, ``fn`` simply runs in the child as that user. The result (JSON) comes back through a pipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os

_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_DROP = (0, 1, 2, 3, 4)  # CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_file_privileges() -> None:
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header = _Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    mask = ~sum(1 << c for c in _DROP) & 0xFFFFFFFF
    data[0].effective &= mask
    data[0].permitted &= mask
    data[0].inheritable &= mask
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")
    # prove it: root without the overrides cannot read a file it does not own and may not read
    for cap in _DROP:
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP: nothing run from here gets them back


def unprivileged(fn, *args):
    """``fn(*args)`` in a child without file privileges; returns its JSON-able result."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        try:
            drop_file_privileges()
            result = {"ok": fn(*args)}
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            result = {"error": f"{type(exc).__name__}: {exc}"}
        with os.fdopen(w, "w") as fh:
            fh.write(json.dumps(result))
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        raw = fh.read()
    os.waitpid(pid, 0)
    result = json.loads(raw)
    if "error" in result:
        raise AssertionError(f"in the unprivileged child: {result['error']}")
    return result["ok"]


def run_cli(argv: list[str], cwd) -> tuple[int, str]:
    """``lsc-tui ARGV`` in ``cwd`` (in process); ``(exit code, stdout + stderr)``."""
    from lsc_tui import cli

    out = io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = cli.main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(old)
    return code, out.getvalue()


def run_cli_unprivileged(argv: list[str], cwd) -> tuple[int, str]:
    code, out = unprivileged(run_cli, argv, str(cwd))
    return code, out
