"""Containment of the preflight probe process (Linux; standard library only).

The probe runs provider code, so everything here assumes that code is hostile and may be
native (ctypes, C extensions). What the runner sets up before the target interpreter starts
(:func:`Containment.preexec`, run between ``fork`` and ``exec``):

* its own session and process group (``start_new_session``);
* ``PR_SET_PDEATHSIG`` = SIGKILL: when the runner dies, even by SIGKILL, the probe dies too;
* ``RLIMIT_AS`` (default 4 GiB) and ``RLIMIT_NPROC`` (which the kernel counts per real uid,
  threads included: machine-wide unless a user namespace counts the probe's own, so outside one
  the limit is set above what the uid already runs; never enforced for root);
* where the kernel allows: a user namespace, a network namespace (only a loopback device
  that is down), a mount namespace in which every mount is read-only and locked (a second,
  nested user namespace makes the read-only flag permanent for the probe), and a PID
  namespace for the probe's children, so that nothing the probe starts can outlive it.

After the probe ends, :func:`sweep` kills every process of the run: every member of the
probe's PID namespace and every process that carries the run's marker in its environment (the
fallback when namespaces are not available); :mod:`lsc_tui.preflight.process` kills the
process group. The runner holds the PID namespace open (a file descriptor on it) from the start
until :meth:`Containment.release`: the kernel frees a namespace's id with the namespace and
gives it to the next namespace created, so without that hold the sweep of a finished run could
take another run's probe (a preflight running at the same time) for one of its own.

What was applied is reported by the child itself over a close-on-exec pipe that the target
interpreter never sees, and cross-checked by looking at ``/proc/<pid>/ns``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None  # type: ignore[assignment]

DEFAULT_MEMORY_LIMIT = 4 * 1024**3
DEFAULT_NPROC_LIMIT = 256
MARKER_ENV = "LSC_TUI_PREFLIGHT_RUN"

PR_SET_PDEATHSIG = 1
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MOUNT_ATTR_RDONLY = 1
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
SYS_MOUNT_SETATTR = 442  # the same number on every architecture that has the generic table

_ST_TO_MS = (
    (1, MS_RDONLY),
    (2, MS_NOSUID),
    (4, MS_NODEV),
    (8, MS_NOEXEC),
    (1024, MS_NOATIME),
    (2048, MS_NODIRATIME),
    (4096, MS_RELATIME),
)


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return None


@dataclass
class Containment:
    """What to apply to one probe process, and (after start) what was applied."""

    memory_limit: int | None = DEFAULT_MEMORY_LIMIT
    nproc_limit: int | None = DEFAULT_NPROC_LIMIT
    namespaces: bool = True
    marker: str = field(default_factory=lambda: secrets.token_hex(12))
    layers: dict[str, Any] = field(default_factory=dict)
    pid_ns: str | None = None  # /proc/<pid>/ns/pid link of the probe's children, when separate
    _pid_ns_fd: int = -1  # holds that namespace (and so its id) while the run may sweep it
    _pid_ns_id: tuple[int, int] | None = None  # (st_dev, st_ino) of that namespace
    _status_w: int = -1
    _status_r: int = -1

    # -- runner side, before the fork ------------------------------------------------

    def env(self, env: dict[str, str]) -> dict[str, str]:
        out = dict(env)
        out[MARKER_ENV] = self.marker
        return out

    def popen_kwargs(self) -> dict[str, Any]:
        if os.name != "posix":
            return {}
        kwargs: dict[str, Any] = {"start_new_session": True}
        if not sys.platform.startswith("linux"):
            return kwargs
        self._status_r, self._status_w = os.pipe()  # both close-on-exec
        libc = _libc()
        parent = os.getpid()
        uid, gid = os.geteuid(), os.getegid()
        mem, nproc, want_ns, status_w = self.memory_limit, self.nproc_limit, self.namespaces, self._status_w
        mountinfo = _mount_points()  # read before the fork: no file parsing in the child
        # RLIMIT_NPROC counts every task (thread) of the real uid, machine-wide unless a user
        # namespace (Linux 5.14 and later) counts the probe's own: what already runs, counted now
        running = _count_tasks(os.getuid()) if nproc and os.getuid() != 0 else 0  # root: not enforced

        def preexec() -> None:  # runs in the child between fork and exec: no locks, no imports
            report: dict[str, Any] = {}
            try:
                _child_setup(libc, parent, uid, gid, mem, nproc, running, want_ns, mountinfo, report)
            except BaseException as exc:  # noqa: BLE001 - the parent reports it
                report["error"] = "%s: %s" % (type(exc).__name__, exc)
            try:
                os.write(status_w, json.dumps(report).encode())
            except OSError:
                pass  # the parent is gone: nobody to report the setup to
            os.close(status_w)
            if report.get("pid_namespace"):
                _become_pid_namespace_init(libc)

        kwargs["preexec_fn"] = preexec
        return kwargs

    def after_start(self, pid: int | None) -> dict[str, Any]:
        """Read what the child applied; check the namespaces from outside."""
        layers: dict[str, Any] = {
            "session": os.name == "posix",
            "pdeathsig": False,
            "memory_limit": None,
            "nproc_limit": None,
            "user_namespace": False,
            "network_namespace": False,
            "read_only_mounts": False,
            "pid_namespace": False,
            "sweep": "process group",
            "unavailable": [],
        }
        if self._status_w >= 0:
            os.close(self._status_w)
            self._status_w = -1
        raw = b""
        if self._status_r >= 0:
            while True:
                try:
                    chunk = os.read(self._status_r, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                raw += chunk
            os.close(self._status_r)
            self._status_r = -1
        try:
            rep = json.loads(raw.decode() or "{}")
        except ValueError:
            rep = {"error": "unreadable containment status"}
        layers["pdeathsig"] = bool(rep.get("pdeathsig"))
        layers["memory_limit"] = rep.get("memory_limit")
        layers["nproc_limit"] = rep.get("nproc_limit")
        # the kernel exempts the real root user from RLIMIT_NPROC, in a user namespace too: the
        # header says so rather than promise a bound that does not hold
        layers["nproc_enforced"] = os.name == "posix" and os.getuid() != 0
        layers["unavailable"] = list(rep.get("unavailable") or [])
        if rep.get("error"):
            layers["unavailable"].append("containment setup failed: " + rep["error"])
        if pid is not None and sys.platform.startswith("linux"):
            mine = _ns_inodes(os.getpid())
            theirs = _ns_inodes(pid)
            layers["user_namespace"] = bool(theirs.get("user") and theirs["user"] != mine.get("user"))
            layers["network_namespace"] = bool(theirs.get("net") and theirs["net"] != mine.get("net"))
            mount_ns = bool(theirs.get("mnt") and theirs["mnt"] != mine.get("mnt"))
            layers["read_only_mounts"] = mount_ns and bool(rep.get("read_only")) and _all_read_only(pid)
            layers["read_only_locked"] = layers["read_only_mounts"] and bool(rep.get("locked"))
            pfc = theirs.get("pid_for_children")
            layers["pid_namespace"] = bool(pfc and pfc != mine.get("pid")) and self._hold_pid_namespace(pid)
            self.pid_ns = pfc if layers["pid_namespace"] else None
            layers["sweep"] = (
                "process group, PID namespace, environment marker"
                if layers["pid_namespace"]
                else "process group, environment marker"
            )
        self.layers = layers
        return layers

    def _hold_pid_namespace(self, pid: int) -> bool:
        """Open the PID namespace of the probe's children, so that its id stays the run's own
        until :meth:`release`; False when the process at ``pid`` is no longer the runner's child."""
        try:
            fd = os.open(f"/proc/{pid}/ns/pid_for_children", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return False
        if _parent_of(pid) != os.getpid():  # reaped and its id reused before the open
            os.close(fd)
            return False
        st = os.fstat(fd)
        self._pid_ns_fd, self._pid_ns_id = fd, (st.st_dev, st.st_ino)
        return True

    # -- runner side, after the end ----------------------------------------------------

    def sweep(self, timeout: float = 2.0) -> int:
        """Kill every process of this run; returns how many were signalled."""
        return sweep(self.marker, self._pid_ns_id, timeout)

    def release(self) -> None:
        """The run is over and swept: let the kernel free its PID namespace. Later sweeps
        find the run's processes by marker only (the namespace's id may be another run's)."""
        if self._pid_ns_fd >= 0:
            os.close(self._pid_ns_fd)
        self._pid_ns_fd, self._pid_ns_id = -1, None


# --------------------------------------------------------------------------------------
# the child, between fork and exec


def _child_setup(
    libc: Any,
    parent: int,
    uid: int,
    gid: int,
    mem: int | None,
    nproc: int | None,
    running: int,
    want_ns: bool,
    mountinfo: list[str],
    report: dict[str, Any],
) -> None:
    unavailable = report.setdefault("unavailable", [])
    if libc is not None:
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            report["pdeathsig"] = True
        if os.getppid() != parent:  # the runner died before the line above
            os._exit(70)
    if mem:
        _lower_limit(resource.RLIMIT_AS, mem)
        report["memory_limit"] = resource.getrlimit(resource.RLIMIT_AS)[0]
    userns = False
    if want_ns and libc is not None:
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) == 0:
            userns = True
            _map_ids(uid, gid)
        else:
            e = ctypes.get_errno()
            if os.geteuid() == 0 and libc.unshare(CLONE_NEWNS | CLONE_NEWNET) == 0:
                unavailable.append("user namespaces (%s): read-only mounts are not locked" % os.strerror(e))
            else:
                unavailable.append("namespaces: unshare failed (%s)" % os.strerror(e))
                want_ns = False
    elif not want_ns:
        unavailable.append("namespaces: turned off")
    if want_ns:
        if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            unavailable.append("mount propagation: %s" % os.strerror(ctypes.get_errno()))
        report["read_only"] = _remount_read_only(libc, mountinfo, unavailable)
        if userns:  # /proc stays writable until the id maps of the nested namespace are written
            _set_read_only(libc, b"/proc", False)
        flags = CLONE_NEWPID | (CLONE_NEWUSER | CLONE_NEWNS if userns else 0)
        if libc.unshare(flags) == 0:
            report["pid_namespace"] = True
            if userns:
                _map_ids(uid, gid)
                report["locked"] = True
                _set_read_only(libc, b"/proc", True)
        else:
            unavailable.append("PID namespace: %s" % os.strerror(ctypes.get_errno()))
    if nproc:
        if userns and NPROC_PER_USER_NAMESPACE:  # counted in the probe's user namespace: its own tasks
            _lower_limit(resource.RLIMIT_NPROC, nproc)
        else:  # counted per user across the machine: leave room for what already runs
            _lower_limit(resource.RLIMIT_NPROC, nproc + running)
        report["nproc_limit"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        if os.getuid() == 0 and not userns:
            unavailable.append("process limit: not enforced for root")


def _lower_limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    new = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (new, new))


def _map_ids(uid: int, gid: int) -> None:
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write("%d %d 1" % (uid, uid))
    with open("/proc/self/gid_map", "w") as f:
        f.write("%d %d 1" % (gid, gid))


def _become_pid_namespace_init(libc: Any) -> None:
    """Fork the process that execs the target as PID 1 of the new PID namespace; this process
    stays outside, waits for it and ends the same way (exit code or signal). When PID 1 ends,
    the kernel kills every process left in the namespace, however it was started."""
    pid = os.fork()
    if pid == 0:
        if libc is not None:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return
    os.closerange(0, 65536)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(70)
    if os.WIFSIGNALED(status):
        _die_by(os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 70)


def _die_by(sig: int) -> None:
    """End this process by signal ``sig``, as the process it waited for ended. SIGKILL and
    SIGSTOP take no handler (setting one raises OSError, which in a preexec function would end
    the process with _posixsubprocess's 255 instead): they are sent as they are."""
    if sig not in (signal.SIGKILL, signal.SIGSTOP):
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            sig = signal.SIGKILL  # a signal without a default action to restore: end the same way
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)  # a signal that did not end the process (stopped, then continued)


def _set_read_only(libc: Any, path: bytes, on: bool) -> bool:
    attr = _MountAttr(MOUNT_ATTR_RDONLY if on else 0, 0 if on else MOUNT_ATTR_RDONLY, 0, 0)
    rc = libc.syscall(
        ctypes.c_long(SYS_MOUNT_SETATTR),
        ctypes.c_long(AT_FDCWD),
        ctypes.c_char_p(path),
        ctypes.c_long(AT_RECURSIVE),
        ctypes.byref(attr),
        ctypes.c_long(ctypes.sizeof(attr)),
    )
    return bool(rc == 0)


def _remount_read_only(libc: Any, mountinfo: list[str], unavailable: list[str]) -> bool:
    if _set_read_only(libc, b"/", True):
        return True
    failed = []
    for mp in mountinfo:  # older kernels (< 5.12): one remount per mount point
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        try:
            st = os.statvfs(mp)
            for bit, ms in _ST_TO_MS:
                if st.f_flag & bit:
                    flags |= ms
        except OSError:
            continue
        if libc.mount(None, mp.encode(), None, flags, None) != 0:
            failed.append(mp)
    if failed:
        unavailable.append("read-only remount failed for %s" % ", ".join(failed[:5]))
        return False
    return True


def _mount_points() -> list[str]:
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) > 4:
            out.append(_unescape(parts[4]))
    return out


def _unescape(s: str) -> str:
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def _count_tasks(uid: int) -> int:
    """Tasks (threads included) whose real uid is ``uid``: what RLIMIT_NPROC counts."""
    n = 0
    for name in _pids():
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                status = f.read()
        except OSError:
            continue
        real = threads = None
        for line in status.splitlines():
            if line.startswith(b"Uid:"):
                real = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
        if real == uid:
            n += threads or 1
    return n


def _kernel_at_least(major: int, minor: int) -> bool:
    try:
        parts = os.uname().release.split(".")
        return (int(parts[0]), int(parts[1].split("-")[0])) >= (major, minor)
    except (AttributeError, ValueError, IndexError):
        return False


# Since Linux 5.14 RLIMIT_NPROC is counted per user namespace; before, per uid machine-wide.
NPROC_PER_USER_NAMESPACE = _kernel_at_least(5, 14)


# --------------------------------------------------------------------------------------
# observing and sweeping


def _pids() -> list[str]:
    try:
        return [n for n in os.listdir("/proc") if n.isdigit()]
    except OSError:
        return []


def _ns_inodes(pid: int) -> dict[str, str]:
    out = {}
    for ns in ("user", "net", "mnt", "pid", "pid_for_children"):
        try:
            out[ns] = os.readlink(f"/proc/{pid}/ns/{ns}")
        except OSError:
            continue
    return out


def _all_read_only(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/mountinfo", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return False
    for line in lines:
        parts = line.split()
        if len(parts) > 5 and "ro" not in parts[5].split(","):
            return False
    return bool(lines)


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def members(marker: str, pid_ns: tuple[int, int] | None) -> list[int]:
    """Processes of one run: in its PID namespace (``(st_dev, st_ino)`` of a namespace the
    caller holds open), or carrying its environment marker."""
    needle = f"{MARKER_ENV}={marker}".encode()
    me = os.getpid()
    out = []
    for name in _pids():
        pid = int(name)
        if pid == me:
            continue
        if pid_ns is not None:
            try:
                st = os.stat(f"/proc/{pid}/ns/pid")
                if (st.st_dev, st.st_ino) == pid_ns:
                    out.append(pid)
                    continue
            except OSError:
                pass  # the process ended meanwhile: the marker check below decides
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            out.append(pid)
    return out


def sweep(marker: str, pid_ns: tuple[int, int] | None, timeout: float = 2.0) -> int:
    """SIGKILL every member of the run until none is left."""
    signalled = 0
    deadline = time.monotonic() + timeout
    while True:
        found = members(marker, pid_ns) if sys.platform.startswith("linux") else []
        alive = [p for p in found if not _zombie(p)]
        if not alive:
            return signalled
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
                signalled += 1
            except (ProcessLookupError, PermissionError):
                pass  # already gone, or no longer ours to signal
        if time.monotonic() > deadline:
            return signalled
        time.sleep(0.01)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def describe(layers: dict[str, Any]) -> str:
    """One line for the report header."""
    if not layers:
        return ""
    parts = []
    if layers.get("session"):
        parts.append("own session")
    if layers.get("pdeathsig"):
        parts.append("dies with preflight")
    if layers.get("memory_limit"):
        parts.append(f"memory {_size(layers['memory_limit'])}")
    if layers.get("nproc_limit"):
        enforced = "" if layers.get("nproc_enforced", True) else " (not enforced for root)"
        parts.append(f"processes {layers['nproc_limit']}{enforced}")
    if layers.get("network_namespace"):
        parts.append("no network")
    if layers.get("read_only_mounts"):
        parts.append("read-only file system")
    if layers.get("pid_namespace"):
        parts.append("PID namespace")
    return ", ".join(parts)


def _size(n: int) -> str:
    for unit, k in (("GiB", 1024**3), ("MiB", 1024**2)):
        if n >= k and n % k == 0:
            return f"{n // k} {unit}"
    return f"{n} bytes"


def parse_size(text: str) -> int | None:
    """'4G', '512M', '4GiB', '0'/'off' (no limit) -> bytes or None."""
    t = text.strip().lower().replace("ib", "").replace("b", "")
    if t in ("0", "off", "none", "unlimited"):
        return None
    mult = 1
    for suffix, m in (("k", 1024), ("m", 1024**2), ("g", 1024**3), ("t", 1024**4)):
        if t.endswith(suffix):
            t, mult = t[:-1], m
            break
    value = float(t)  # ValueError for junk: the CLI turns it into a usage error
    if value <= 0 or value != value:
        raise ValueError(text)
    return int(value * mult)


__all__ = [
    "Containment",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_NPROC_LIMIT",
    "MARKER_ENV",
    "describe",
    "members",
    "parse_size",
    "sweep",
]
