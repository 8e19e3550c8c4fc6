"""The limits the probe puts on provider code from inside the target interpreter.

The runner has already put the probe process in its own namespaces and limits
(:mod:`lsc_tui.preflight.sandbox`); this module adds what only the process itself can do.

Audit hook
----------
An audit hook (PEP 578) refuses, while :func:`guard` is on: network connections, name
lookups, binding sockets, file writes (including directory creation, renames, deletes, sqlite
files), and starting or signalling processes. Each refusal raises :class:`PreflightBlocked`
(a ``PermissionError``, so ``except OSError`` handlers in provider code keep working) and is
kept as a notice for the provider's result. It explains what Python-level provider code
tried; it is not the boundary (provider code can turn it off, and native code goes around
it). Bytecode is never written (``-B`` plus ``sys.dont_write_bytecode``).

Privileges
----------
:func:`drop_privileges` runs in each provider's forked child before provider code: no new
privileges, no capability now or after an exec.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import Any, Optional

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_TRUNC", 0)
_FS_EVENTS = {
    "os.remove": "delete a file",
    "os.rmdir": "delete a directory",
    "os.rename": "rename a file",
    "os.replace": "rename a file",
    "os.symlink": "create a symlink",
    "os.link": "create a hard link",
    "os.truncate": "truncate a file",
    "os.chmod": "change file permissions",
    "os.chown": "change file ownership",
    "os.utime": "change file times",
    "os.mkfifo": "create a FIFO",
    "os.mknod": "create a device node",
    "shutil.rmtree": "delete a directory tree",
    "shutil.move": "move a file",
}
_PROC_EVENTS = {
    "os.fork": "fork the process",
    "os.forkpty": "fork the process",
    "os.system": "run a shell command",
    "os.posix_spawn": "start a process",
    "os.exec": "replace the process (exec)",
    "os.spawn": "start a process",
    "os.startfile": "start a program",
    "subprocess.Popen": "start a process",
    "pty.spawn": "start a process",
}
_NET_EVENTS = {
    "socket.connect": "open a network connection",
    "socket.bind": "bind a socket",
    "socket.sendto": "send a network packet",
    "socket.sendmsg": "send a network packet",
}
_DNS_EVENTS = {
    "socket.getaddrinfo": "resolve a host name",
    "socket.gethostbyname": "resolve a host name",
    "socket.gethostbyaddr": "resolve an address",
}
_WATCHED = (
    {"open", "os.mkdir", "os.kill", "os.killpg", "sqlite3.connect", "sqlite3.connect/handle"}
    | set(_FS_EVENTS)
    | set(_PROC_EVENTS)
    | set(_NET_EVENTS)
    | set(_DNS_EVENTS)
)
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_LOCAL_HOSTS: set[Optional[str]] = {None, "", "localhost", "localhost.localdomain", "ip6-localhost"}
_NOTICE_LIMIT = 50


class PreflightBlocked(PermissionError):
    """Raised inside provider code when it tries something preflight does not allow."""


class _Guard:
    on = False
    busy = False
    notices: list[dict[str, str]] = []  # what the provider under test was refused


def install() -> None:
    """Add the audit hook (once, for the life of the process; :func:`guard` turns it on)."""
    try:  # looking up the machine's own name reads /etc/hosts, not the network
        import socket

        _LOCAL_HOSTS.add(socket.gethostname())
    except Exception:  # noqa: S110 - without the host name, connections to it are blocked as non-local
        pass
    sys.addaudithook(_audit)


def guard(on: bool) -> None:
    _Guard.on = on


def notices() -> list[dict[str, str]]:
    return list(_Guard.notices)


def clear_notices() -> None:
    del _Guard.notices[:]


def _is_numeric_host(host: object) -> bool:
    if not isinstance(host, str):
        return True
    parts = host.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return True
    return ":" in host  # IPv6 literal


def _block(kind: str, what: str, detail: str) -> None:
    text = "%s (%s)" % (what, detail) if detail else what
    if len(_Guard.notices) < _NOTICE_LIMIT:
        _Guard.notices.append({"kind": kind, "action": what, "detail": detail, "stack": _provider_frame()})
    raise PreflightBlocked(1, "lsc-tui preflight does not allow provider code to " + text)


def _provider_frame() -> str:
    """The innermost frame outside the standard library and the probe: who asked."""
    try:
        stack = traceback.extract_stack(limit=40)
    except Exception:
        return ""
    stdlib = os.path.dirname(os.__file__)
    for fr in reversed(stack[:-3]):
        fn = fr.filename or ""
        if fn.startswith(("<", stdlib, PACKAGE_DIR + os.sep)):
            continue
        return "%s:%s" % (fn, fr.lineno)
    return ""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in _WATCHED or not _Guard.on or _Guard.busy:
        return
    _Guard.busy = True
    try:
        _check(event, args)
    finally:
        _Guard.busy = False


def _check(event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        _check_open(args)
    elif event == "os.mkdir":
        path = args[0] if args else None
        try:
            if path is not None and os.path.exists(path):
                return  # mkdir of an existing directory changes nothing (makedirs exist_ok)
        except Exception:  # noqa: S110 - an unreadable path is blocked below like any other
            pass
        _block("file", "create a directory", str(path))
    elif event in _FS_EVENTS:
        _block("file", _FS_EVENTS[event], str(args[0]) if args else "")
    elif event == "sqlite3.connect":
        db = args[0] if args else ""
        name = db.decode() if isinstance(db, bytes) else str(db)
        if name in ("", ":memory:") or name.startswith("file::memory:") or "mode=memory" in name:
            return
        _block("file", "open a sqlite database", name)
    elif event in _PROC_EVENTS:
        detail = ""
        if args:
            first = args[0]
            if isinstance(first, (list, tuple)):
                detail = " ".join(str(a) for a in first[:4])
            else:
                detail = str(first)
        _block("process", _PROC_EVENTS[event], detail[:200])
    elif event in ("os.kill", "os.killpg"):
        pid = args[0] if args else None
        if pid in (os.getpid(), 0) and event == "os.kill":
            return
        _block("process", "send a signal to another process", "pid %s" % pid)
    elif event in _NET_EVENTS:
        addr = args[1] if len(args) > 1 else ""
        if event == "socket.bind" and isinstance(addr, tuple) and addr and str(addr[0]) in _LOOPBACK:
            return  # binding to loopback sends nothing (urllib3 probes IPv6 support this way)
        _block("network", _NET_EVENTS[event], _addr_text(addr))
    elif event in _DNS_EVENTS:
        host = args[0] if args else None
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if host in _LOCAL_HOSTS or _is_numeric_host(host):
            return
        _block("network", _DNS_EVENTS[event], str(host))


def _check_open(args: tuple[Any, ...]) -> None:
    path, mode, flags = (tuple(args) + (None, None, None))[:3]
    if isinstance(path, int):
        return
    writing = False
    if isinstance(mode, str):
        writing = any(c in mode for c in "wax+")
    elif isinstance(flags, int):
        writing = bool(flags & _WRITE_FLAGS)
    if writing and str(path) not in ("/dev/null", "nul", "NUL", "/dev/stderr", "/dev/stdout"):
        _block("file", "write a file", str(path))


def _addr_text(addr: object) -> str:
    if isinstance(addr, tuple) and len(addr) >= 2:
        return "%s:%s" % (addr[0], addr[1])
    return str(addr)


# --------------------------------------------------------------------------------------
# privileges (Linux prctl through ctypes)

PR_GET_PDEATHSIG = 2
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
_PR_SET_SECUREBITS = 28
_PR_SET_NO_NEW_PRIVS = 38
_SECURE_ALL_LOCKED = 0x2F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED and their locks


def libc() -> Any:
    """The C library (Linux), for prctl and capset; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return None


def parent_death_signal_set(lib: Any) -> bool:
    import ctypes

    sig = ctypes.c_int(0)
    return bool(lib.prctl(PR_GET_PDEATHSIG, ctypes.byref(sig), 0, 0, 0) == 0 and sig.value != 0)


def drop_privileges(lib: Any) -> str:
    """In a provider's child, before provider code: no capability, now or after an exec.
    Returns why it could not, or ""."""
    import ctypes

    lib.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    lib.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # the child itself may be inspected by the runner
    if os.geteuid() != 0:
        return ""  # an unprivileged uid lost its capabilities when the target was exec'd
    if lib.prctl(_PR_SET_SECUREBITS, _SECURE_ALL_LOCKED, 0, 0, 0) != 0:
        return "securebits: %s" % os.strerror(ctypes.get_errno())
    for cap in range(64):
        if lib.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:
            return "bounding set: %s" % os.strerror(ctypes.get_errno())

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    data = (Data * 2)()
    if lib.capset(ctypes.byref(Header(0x20080522, 0)), data) != 0:
        return "capset: %s" % os.strerror(ctypes.get_errno())
    return ""


def outer_pid() -> int:
    """This process's id as the runner sees it (the probe may be PID 1 of its namespace)."""
    try:
        return int(os.readlink("/proc/self"))
    except (OSError, ValueError):
        return os.getpid()


def watch_parent(parent: int) -> None:
    """End the probe if the runner goes away (where the parent-death signal is not set)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(70)


# --------------------------------------------------------------------------------------
# the temporary directory


def settle_tempdir() -> None:
    """Decide tempfile's directory without its write test, so a provider that only asks
    ``tempfile.gettempdir()`` at import still gets an answer (writing there stays refused)."""
    import tempfile

    if tempfile.tempdir is not None:
        return
    candidates = [os.environ.get(k) for k in ("TMPDIR", "TEMP", "TMP")]
    candidates += ["/tmp", "/var/tmp", "/usr/tmp"] if os.name == "posix" else []
    for c in candidates:
        if c and os.path.isdir(c) and _writable_dir(c):
            tempfile.tempdir = os.path.abspath(c)
            return


def _writable_dir(path: str) -> bool:
    """Writable for this user, not counting a read-only mount (preflight makes every mount
    read-only; the server would see the directory as it really is)."""
    if os.access(path, os.W_OK | os.X_OK):
        return True
    try:
        st = os.stat(path)
    except OSError:
        return False
    import stat as _stat

    mode = st.st_mode
    if os.geteuid() == 0:
        return True
    if st.st_uid == os.geteuid():
        return bool(mode & _stat.S_IWUSR)
    if st.st_gid in os.getgroups() or st.st_gid == os.getegid():
        return bool(mode & _stat.S_IWGRP)
    return bool(mode & _stat.S_IWOTH)
