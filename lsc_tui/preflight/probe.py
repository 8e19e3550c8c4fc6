"""The preflight probe: runs inside the *target* interpreter (the server's environment).

This file is executed, not imported, by the runner (``python -B -c BOOT probe.py``). It must
stay standard-library only and compatible with Python 3.9+, because the target may be any
Llama Stack environment. It imports nothing outside the standard library until it imports
the provider under test.

Protocol
--------
stdin: one JSON document, the plan ``{"providers": [...], "keep_going": bool, "isolate": bool}``.
stdout: one event per line, each line ``MARK + json``. Before touching any provider the
probe moves the real stdout to a private descriptor and points descriptor 1 at stderr,
so whatever provider code prints can never corrupt the event stream.

Events: ``hello``; ``warm`` (index, then null: built-in providers being imported in this
process); per provider ``begin``, ``phase``..., then ``result``, or ``garbage`` (the child
wrote something that is not its report) or ``child_exit`` (it ended without a result);
``done``; ``fatal``.

One process per provider
------------------------
With ``isolate`` (what the runner asks for), this process never imports an external
provider: each provider is checked in a forked child that closes the event channel, drops
its capabilities and reports over a pipe of its own; this process relays that child's phase
events and its one result (see "one process per provider" below). The runner has already
put this process in its own namespaces and limits (``lsc_tui/preflight/sandbox.py``).

Audit hook
----------
An audit hook (PEP 578) refuses, in each child: network connections, name lookups,
binding sockets, file writes (including directory creation, renames, deletes, sqlite files),
and starting or signalling processes. Each refusal raises ``PermissionError`` in the
provider's code (so ``except OSError`` handlers keep working) and is reported as a notice.
It explains what Python-level provider code tried; it is not the boundary (provider code can
turn it off, and native code goes around it). Bytecode is never written (``-B`` plus
``sys.dont_write_bytecode``).
"""

import importlib
import importlib.util
import io
import json
import os
import struct
import sys
import time
import traceback

MARK = "\x1e"
PROBE_VERSION = 1

# --------------------------------------------------------------------------------------
# event channel

_OUT = None  # file object on the private descriptor


_QUIET = {"on": False}  # the probe warming its own imports: nothing is reported


def emit(event, **data):
    if _QUIET["on"]:
        return
    data["event"] = event
    line = MARK + json.dumps(data, default=_json_default, ensure_ascii=False) + "\n"
    if _OUT is None:  # pragma: no cover - only before setup
        return
    _OUT.write(line)
    _OUT.flush()


def _json_default(obj):
    value = getattr(obj, "value", None)
    if isinstance(value, (str, int, float)):
        return value
    return repr(obj)


class _CountingStdout(io.TextIOBase):
    """Stands in for ``sys.stdout``: forwards to stderr and counts what providers print."""

    def __init__(self, target):
        self._target = target
        self.count = 0

    def writable(self):
        return True

    def write(self, s):
        self.count += len(s)
        try:
            return self._target.write(s)
        except Exception:
            return len(s)

    def flush(self):
        try:
            self._target.flush()
        except Exception:
            pass

    def fileno(self):
        return 2

    def isatty(self):
        return False


# --------------------------------------------------------------------------------------
# sandbox (audit hook)

_NOTICES = []  # notices of the provider under test
_GUARD = {"on": False, "busy": False}

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
    | set(_FS_EVENTS) | set(_PROC_EVENTS) | set(_NET_EVENTS) | set(_DNS_EVENTS)
)
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_LOCAL_HOSTS = {None, "", "localhost", "localhost.localdomain", "ip6-localhost"}


class PreflightBlocked(PermissionError):
    """Raised inside provider code when it tries something preflight does not allow."""


def _is_numeric_host(host):
    if not isinstance(host, str):
        return True
    parts = host.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return True
    return ":" in host  # IPv6 literal


def _block(kind, what, detail):
    text = "%s (%s)" % (what, detail) if detail else what
    if len(_NOTICES) < 50:
        _NOTICES.append({"kind": kind, "action": what, "detail": detail, "stack": _provider_frame()})
    raise PreflightBlocked(1, "lsc-tui preflight does not allow provider code to " + text)


def _provider_frame():
    """The innermost frame outside the standard library: who asked."""
    try:
        stack = traceback.extract_stack(limit=40)
    except Exception:
        return ""
    stdlib = os.path.dirname(os.__file__)
    for fr in reversed(stack[:-3]):
        fn = fr.filename or ""
        if fn.startswith("<") or fn.startswith(stdlib) or fn == __file__:
            continue
        return "%s:%s" % (fn, fr.lineno)
    return ""


def _audit(event, args):
    if event not in _WATCHED or not _GUARD["on"] or _GUARD["busy"]:
        return
    _GUARD["busy"] = True
    try:
        _check(event, args)
    finally:
        _GUARD["busy"] = False


def _check(event, args):
    if event == "open":
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
        return
    if event == "os.mkdir":
        path = args[0] if args else None
        try:
            if path is not None and os.path.exists(path):
                return  # mkdir of an existing directory changes nothing (makedirs exist_ok)
        except Exception:
            pass
        _block("file", "create a directory", str(path))
    if event in _FS_EVENTS:
        _block("file", _FS_EVENTS[event], str(args[0]) if args else "")
    if event in ("sqlite3.connect",):
        db = args[0] if args else ""
        db = db.decode() if isinstance(db, bytes) else str(db)
        if db in ("", ":memory:") or db.startswith("file::memory:") or "mode=memory" in db:
            return
        _block("file", "open a sqlite database", db)
    if event in _PROC_EVENTS:
        detail = ""
        if args:
            first = args[0]
            if isinstance(first, (list, tuple)):
                detail = " ".join(str(a) for a in first[:4])
            else:
                detail = str(first)
        _block("process", _PROC_EVENTS[event], detail[:200])
    if event in ("os.kill", "os.killpg"):
        pid = args[0] if args else None
        if pid in (os.getpid(), 0) and event == "os.kill":
            return
        _block("process", "send a signal to another process", "pid %s" % pid)
    if event in _NET_EVENTS:
        addr = args[1] if len(args) > 1 else ""
        if event == "socket.bind" and isinstance(addr, tuple) and addr and str(addr[0]) in _LOOPBACK:
            return  # binding to loopback sends nothing (urllib3 probes IPv6 support this way)
        _block("network", _NET_EVENTS[event], _addr_text(addr))
    if event in _DNS_EVENTS:
        host = args[0] if args else None
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if host in _LOCAL_HOSTS or _is_numeric_host(host):
            return
        _block("network", _DNS_EVENTS[event], str(host))


def _addr_text(addr):
    if isinstance(addr, tuple) and len(addr) >= 2:
        return "%s:%s" % (addr[0], addr[1])
    return str(addr)


# --------------------------------------------------------------------------------------
# platform and native code


def _norm_os(name):
    if name.startswith("linux"):
        return "linux"
    if name == "darwin":
        return "darwin"
    if name in ("win32", "cygwin"):
        return "windows"
    if name.startswith("freebsd"):
        return "freebsd"
    return name


_ARCH_ALIASES = {
    "x86_64": "x86_64", "amd64": "x86_64", "x64": "x86_64",
    "aarch64": "arm64", "arm64": "arm64", "armv8l": "arm",
    "i386": "x86", "i486": "x86", "i586": "x86", "i686": "x86", "x86": "x86",
    "armv7l": "arm", "armv6l": "arm", "arm": "arm",
    "ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x",
    "riscv64": "riscv64", "loongarch64": "loong64",
}


def target_platform():
    osname = _norm_os(sys.platform)
    try:
        machine = os.uname().machine
    except AttributeError:  # Windows
        machine = os.environ.get("PROCESSOR_ARCHITECTURE", "")
    arch = _ARCH_ALIASES.get(machine.lower(), machine.lower())
    if struct.calcsize("P") == 4:  # a 32-bit Python on a 64-bit kernel
        arch = {"x86_64": "x86", "arm64": "arm"}.get(arch, arch)
    return osname, arch


_ELF_MACHINES = {3: "x86", 62: "x86_64", 40: "arm", 183: "arm64", 8: "mips", 20: "ppc",
                 21: "ppc64", 22: "s390", 243: "riscv", 258: "loong64", 2: "sparc", 43: "sparcv9"}
_MACHO_CPUS = {7: "x86", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64",
               0x0200000C: "arm64_32", 18: "ppc", 0x01000012: "ppc64"}
_PE_MACHINES = {0x14C: "x86", 0x8664: "x86_64", 0xAA64: "arm64", 0x1C4: "arm", 0x1C0: "arm"}


def native_arch(path):
    """(os, [archs]) from a binary's header, or None if it is not a native binary."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
            if head[:2] == b"MZ" and len(head) >= 0x40:
                off = struct.unpack("<I", head[0x3C:0x40])[0]
                if off + 6 > len(head):
                    f.seek(off)
                    pe = f.read(6)
                else:
                    pe = head[off:off + 6]
                if pe[:4] == b"PE\0\0":
                    m = struct.unpack("<H", pe[4:6])[0]
                    return "windows", [_PE_MACHINES.get(m, "pe-machine-0x%x" % m)]
                return None
    except OSError:
        return None
    if head[:4] == b"\x7fELF" and len(head) >= 20:
        bits, data, osabi = head[4], head[5], head[7]
        endian = "<" if data == 1 else ">"
        m = struct.unpack(endian + "H", head[18:20])[0]
        arch = _ELF_MACHINES.get(m, "elf-machine-%d" % m)
        if arch == "ppc64" and data == 1:
            arch = "ppc64le"
        elif arch == "s390" and bits == 2:
            arch = "s390x"
        elif arch == "riscv":
            arch = "riscv64" if bits == 2 else "riscv32"
        elif arch == "mips" and bits == 2:
            arch = "mips64"
        elif arch == "x86_64" and bits == 1:
            arch = "x32"
        osname = {9: "freebsd", 12: "openbsd", 2: "netbsd"}.get(osabi, "linux")
        return osname, [arch]
    magic = head[:4]
    if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
        endian = "<" if magic[0] in (0xCF, 0xCE) else ">"
        cpu = struct.unpack(endian + "i", head[4:8])[0] & 0xFFFFFFFF
        return "darwin", [_MACHO_CPUS.get(cpu, "macho-cpu-0x%x" % cpu)]
    if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        n = struct.unpack(">I", head[4:8])[0]
        size = 20 if magic[3] == 0xBE else 32
        if n == 0 or n > 30:  # Java class files share this magic
            return None
        archs = []
        for i in range(n):
            off = 8 + i * size
            if off + 4 > len(head):
                break
            cpu = struct.unpack(">I", head[off:off + 4])[0]
            archs.append(_MACHO_CPUS.get(cpu, "macho-cpu-0x%x" % cpu))
        return "darwin", archs
    return None


_NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


def _looks_native(name):
    low = name.lower()
    return low.endswith(_NATIVE_SUFFIXES) or ".so." in low


def _wheel_plat_compatible(plat, target):
    """Is one wheel platform tag usable on (os, arch)?"""
    osname, arch = target
    if plat == "any":
        return True
    p = plat.lower()
    if p.startswith(("linux", "manylinux", "musllinux")):
        if osname != "linux":
            return False
        tag_arch = p
        for prefix in ("manylinux1_", "manylinux2010_", "manylinux2014_", "linux_"):
            if p.startswith(prefix):
                tag_arch = p[len(prefix):]
                break
        else:
            bits = p.split("_")
            # manylinux_2_17_x86_64 / musllinux_1_1_aarch64
            tag_arch = "_".join(bits[3:]) if len(bits) > 3 else bits[-1]
        return _ARCH_ALIASES.get(tag_arch, tag_arch) == arch
    if p.startswith("macosx"):
        if osname != "darwin":
            return False
        tag_arch = p.split("_", 3)[-1] if p.count("_") >= 3 else p
        if tag_arch in ("universal2", "universal"):
            return arch in ("x86_64", "arm64")
        if tag_arch == "intel":
            return arch in ("x86_64", "x86")
        return _ARCH_ALIASES.get(tag_arch, tag_arch) == arch
    if p.startswith("win"):
        if osname != "windows":
            return False
        tag_arch = {"win32": "x86", "win_amd64": "x86_64", "win_arm64": "arm64"}.get(p, p)
        return tag_arch == arch
    return True  # unknown tag family: say nothing


def _plat_label(plat):
    p = plat.lower()
    if p.startswith(("linux", "manylinux", "musllinux")):
        bits = p.split("_")
        for prefix in ("manylinux1_", "manylinux2010_", "manylinux2014_", "linux_"):
            if p.startswith(prefix):
                a = p[len(prefix):]
                break
        else:
            a = "_".join(bits[3:]) if len(bits) > 3 else bits[-1]
        return "linux/" + _ARCH_ALIASES.get(a, a)
    if p.startswith("macosx"):
        a = p.split("_", 3)[-1]
        return "darwin/" + _ARCH_ALIASES.get(a, a)
    if p.startswith("win"):
        return "windows/" + {"win32": "x86", "win_amd64": "x86_64", "win_arm64": "arm64"}.get(p, p)
    return p


def _abi_compatible(interp, abi):
    """cpXY / abi3 checks against the running interpreter; True when unsure."""
    impl = sys.implementation.name
    ver = "%d%d" % sys.version_info[:2]
    if abi == "none":
        return True
    if abi == "abi3":
        if interp.startswith("cp") and impl == "cpython":
            try:
                return int(interp[3:] or 0) <= int(ver[1:]) and interp[2] == "3"
            except ValueError:
                return True
        return impl == "cpython"
    if abi.startswith("cp") and impl == "cpython":
        return abi.rstrip("dmut") == "cp" + ver
    return True


class _Dist(object):
    """An installed distribution read straight from its metadata directory.

    The few things preflight needs (metadata files, RECORD paths, file locations) without
    importing importlib.metadata and its email parser, which cost more than everything else
    the probe does at start-up.
    """

    def __init__(self, path):
        self.path = path  # the .dist-info or .egg-info directory
        self.base = os.path.dirname(path)
        stem = os.path.basename(path).rsplit(".", 1)[0]
        self.dir_version = stem.split("-")[1] if stem.count("-") >= 1 else None
        self._version = None

    def read_text(self, name):
        try:
            with open(os.path.join(self.path, name), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def locate_file(self, rel):
        return os.path.join(self.base, rel)

    def names(self):
        """Paths of the installed files, relative to ``base`` (RECORD, or installed-files.txt)."""
        record = self.read_text("RECORD")
        if record is not None:
            out = []
            for line in record.splitlines():
                if not line:
                    continue
                name = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
                if name.startswith('"') and name.endswith('"'):
                    name = name[1:-1].replace('""', '"')
                out.append(name)
            return out
        files = self.read_text("installed-files.txt")
        if files is not None:  # egg-info: relative to the metadata directory
            rel = os.path.relpath(self.path, self.base)
            return [os.path.normpath(os.path.join(rel, n)) for n in files.splitlines() if n]
        return []

    @property
    def version(self):
        if self._version is None:
            for name in ("METADATA", "PKG-INFO"):
                text = self.read_text(name)
                if text:
                    for line in text.splitlines():
                        if not line.strip():
                            break
                        if line.lower().startswith("version:"):
                            self._version = line.split(":", 1)[1].strip()
                            break
                if self._version:
                    break
            if self._version is None:
                self._version = self.dir_version or "?"
        return self._version


class _DistIndex:
    """Installed distributions: lookups by name, cached for the life of the probe."""

    def __init__(self):
        self._by_name = {}
        self._dirs = None
        self._headers = {}
        self._scanned = {}

    @staticmethod
    def norm(name):
        out = []
        for ch in name.lower():
            out.append("-" if ch in "_." else ch)
        return "".join(out)

    def _index(self):
        """normalized name -> metadata directory, from one listing of each sys.path entry."""
        if self._dirs is None:
            self._dirs = {}
            for entry in sys.path:
                try:
                    names = os.listdir(entry or ".")
                except OSError:
                    continue
                for n in names:
                    for suffix in (".dist-info", ".egg-info"):
                        if n.endswith(suffix):
                            stem = n[: -len(suffix)]
                            dname = stem.split("-", 1)[0] if "-" in stem else stem
                            self._dirs.setdefault(self.norm(dname), os.path.join(entry or ".", n))
        return self._dirs

    def get(self, name):
        key = self.norm(name)
        if key not in self._by_name:
            dist = None
            path = self._index().get(key)
            if path is not None:
                dist = _Dist(path)
            self._by_name[key] = dist
        return self._by_name[key]

    def owner_of(self, top, spec=None):
        """The distribution that ships top-level module ``top`` (None for a plain directory).

        Tries the module's own name first, then only the metadata directories that sit in the
        same sys.path entry as the module: a distribution always installs its metadata next
        to its code.
        """
        for guess in (top, top.replace("_", "-")):
            dist = self.get(guess)
            if dist is not None and self._ships(dist, top):
                return dist
        where = None
        if spec is not None:
            if spec.submodule_search_locations:
                where = os.path.dirname(list(spec.submodule_search_locations)[0])
            elif spec.origin:
                where = os.path.dirname(spec.origin)
        if where is None:
            return None
        try:
            names = sorted(os.listdir(where))
        except OSError:
            return None
        for n in names:
            if n.endswith((".dist-info", ".egg-info")):
                dist = _Dist(os.path.join(where, n))
                if self._ships(dist, top):
                    return dist
        return None

    @staticmethod
    def _ships(dist, top):
        try:
            tl = dist.read_text("top_level.txt")
        except Exception:
            tl = None
        if tl:
            return top in tl.split()
        for f in dist.names():
            parts = str(f).replace("\\", "/").split("/")
            if parts[0] == top or parts[0] in (top + ".py",) or parts[0].startswith(top + "."):
                return True
        return False

    def headers(self, dist):
        """(name, version, [Requires-Dist]) read straight from METADATA, cached.

        The email parser importlib.metadata uses costs milliseconds per distribution; a
        Llama Stack environment has hundreds.
        """
        key = id(dist)
        if key in self._headers:
            return self._headers[key]
        name = version = None
        reqs = []
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
        if text is not None:
            for line in text.splitlines():
                if not line.strip():
                    break
                if line[:1] in (" ", "\t"):
                    continue
                field, _, value = line.partition(":")
                field = field.strip().lower()
                value = value.strip()
                if field == "name" and name is None:
                    name = value
                elif field == "version" and version is None:
                    version = value
                elif field == "requires-dist":
                    reqs.append(value)
            if not reqs:  # egg-info keeps requirements in requires.txt
                section = ""
                for line in (dist.read_text("requires.txt") or "").splitlines():
                    line = line.strip()
                    if line.startswith("["):
                        section = line
                    elif line and not section:
                        reqs.append(line)
        result = (name or "?", version or dist.version, reqs)
        self._headers[key] = result
        return result

    def requirements(self, dist):
        out = []
        for req in self.headers(dist)[2]:
            name, marker = _split_requirement(req)
            if name and (marker is None or _marker_true(marker)):
                out.append(name)
        return out

    def closure(self, dist, limit=400):
        """``dist`` and every installed distribution it requires, transitively."""
        seen = {}
        todo = [dist]
        while todo and len(seen) < limit:
            d = todo.pop(0)
            key = self.norm(self.headers(d)[0])
            if key in seen:
                continue
            seen[key] = d
            for name in self.requirements(d):
                dep = self.get(name)
                if dep is not None and self.norm(name) not in seen:
                    todo.append(dep)
        return list(seen.values())

    def native_report(self, dist, target):
        """Cached: (wheel_tags, [(file, os, archs)] of native files that do not fit)."""
        key = id(dist)
        if key in self._scanned:
            return self._scanned[key]
        tags = []
        try:
            wheel = dist.read_text("WHEEL") or ""
        except Exception:
            wheel = ""
        for line in wheel.splitlines():
            if line.lower().startswith("tag:"):
                tags.append(line.split(":", 1)[1].strip())
        bad = []
        natives = 0
        for name in _native_record_entries(dist):
            try:
                path = str(dist.locate_file(name))
            except Exception:
                continue
            found = native_arch(path)
            if found is None:
                continue
            natives += 1
            if not _fits(found, target):
                bad.append((name, found[0], found[1]))
        result = (tags, bad, natives)
        self._scanned[key] = result
        return result


def _native_record_entries(dist):
    """Paths in the distribution's RECORD that look like native code.

    Reads RECORD as text and filters lines before splitting them: far cheaper than
    parsing every line for the big distributions a Llama Stack environment has.
    """
    record = dist.read_text("RECORD")
    if record is None:
        return [n for n in dist.names() if _looks_native(n)]
    out = []
    for line in record.splitlines():
        if ".so" not in line and ".pyd" not in line and ".dylib" not in line and ".dll" not in line \
                and ".SO" not in line and ".PYD" not in line and ".DLL" not in line:
            continue
        name = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
        if name.startswith('"') and name.endswith('"'):
            name = name[1:-1].replace('""', '"')
        if _looks_native(name):
            out.append(name)
    return out


def _fits(found, target):
    osname, archs = found
    return osname == target[0] and target[1] in archs


def _split_requirement(req):
    req = req.strip()
    marker = None
    if ";" in req:
        req, marker = req.split(";", 1)
        marker = marker.strip()
    name = ""
    for ch in req.strip():
        if ch.isalnum() or ch in "-_.":
            name += ch
        else:
            break
    return name, marker


def _marker_env():
    import platform

    return {
        "python_version": "%d.%d" % sys.version_info[:2],
        "python_full_version": platform.python_version(),
        "sys_platform": sys.platform,
        "platform_system": platform.system(),
        "platform_machine": platform.machine(),
        "os_name": os.name,
        "implementation_name": sys.implementation.name,
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "extra": "",
    }


_MENV = {}


def _marker_true(marker):
    """Evaluate a PEP 508 marker well enough to decide which dependencies apply.

    Anything it cannot parse counts as true: checking one distribution too many is harmless.
    """
    if not _MENV:
        _MENV.update(_marker_env())
    try:
        tokens = _tokenize(marker)
        value, rest = _parse_or(tokens)
        return bool(value) if not rest else True
    except Exception:
        return True


def _tokenize(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(c)
            i += 1
        elif c in "'\"":
            j = s.index(c, i + 1)
            out.append(("str", s[i + 1:j]))
            i = j + 1
        elif s.startswith(("<=", ">=", "==", "!=", "~="), i):
            out.append(s[i:i + 2])
            i += 2
        elif c in "<>":
            out.append(c)
            i += 1
        else:
            j = i
            while j < len(s) and (s[j].isalnum() or s[j] in "_."):
                j += 1
            if j == i:
                raise ValueError(s)
            out.append(s[i:j])
            i = j
    return out


def _parse_or(t):
    v, t = _parse_and(t)
    while t and t[0] == "or":
        w, t = _parse_and(t[1:])
        v = v or w
    return v, t


def _parse_and(t):
    v, t = _parse_atom(t)
    while t and t[0] == "and":
        w, t = _parse_atom(t[1:])
        v = v and w
    return v, t


def _parse_atom(t):
    if t[0] == "(":
        v, t = _parse_or(t[1:])
        return v, t[1:]
    left, op, right = t[0], t[1], t[2]
    if op == "not" and right == "in":
        right, rest = t[3], t[4:]
        op = "not in"
    elif op == "in":
        rest = t[3:]
    else:
        rest = t[3:]
    lv = left[1] if isinstance(left, tuple) else _MENV.get(left, "")
    rv = right[1] if isinstance(right, tuple) else _MENV.get(right, "")
    if (left == "extra") or (right == "extra"):
        return False, rest  # extras are not installed unless asked for
    return _compare(lv, op, rv), rest


def _vtuple(v):
    out = []
    for p in v.split("."):
        num = ""
        for ch in p:
            if ch.isdigit():
                num += ch
            else:
                break
        out.append(int(num or 0))
    return tuple(out)


def _compare(a, op, b):
    if op == "in":
        return a in b
    if op == "not in":
        return a not in b
    if op in ("==", "!="):
        eq = a == b or (a.replace(".", "").isdigit() and b.replace(".", "").isdigit() and _vtuple(a) == _vtuple(b))
        return eq if op == "==" else not eq
    x, y = _vtuple(a), _vtuple(b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "~=": x >= y}.get(op, True)


# --------------------------------------------------------------------------------------
# Llama Stack in the target

_API_MODULES = (
    ("ogx_api", "ogx_api"),
    ("llama_stack_api", "llama_stack_api"),
    ("llama_stack.providers.datatypes", "llama_stack"),
)


def detect_llama_stack(dists):
    """Which Llama Stack family the target has, without importing it."""
    info = {"family": None, "version": None, "api_module": None, "registry_root": None,
            "supports_module": None}
    for root, dist_names in (("ogx", ("ogx",)), ("llama_stack", ("llama-stack", "llama_stack"))):
        spec = _find_top(root)
        if spec is None:
            continue
        info["family"] = root
        info["registry_root"] = root
        for dn in dist_names:
            d = dists.get(dn)
            if d is not None:
                info["version"] = d.version
                break
        base = list(spec.submodule_search_locations or [])
        src = None
        for sub in ("core/distribution.py", "distribution/distribution.py"):
            for b in base:
                p = os.path.join(b, sub)
                if os.path.exists(p):
                    src = p
                    break
            if src:
                break
        if src:
            try:
                with open(src, encoding="utf-8", errors="replace") as f:
                    info["supports_module"] = "get_provider_spec" in f.read()
            except OSError:
                pass
        break
    # The spec classes that go with the family: ogx -> ogx_api; llama_stack -> its own
    # providers.datatypes when it still has one (0.2.x, 0.3.x), else llama_stack_api.
    preferred = {"ogx": ["ogx_api"],
                 "llama_stack": ["llama_stack.providers.datatypes", "llama_stack_api"]}.get(
        info["family"], [m for m, _f in _API_MODULES])
    for mod in preferred:
        top = mod.split(".")[0]
        spec = _find_top(top)
        if spec is None:
            continue
        if "." in mod:
            rel = mod.split(".", 1)[1].replace(".", os.sep) + ".py"
            if not any(os.path.exists(os.path.join(b, rel)) for b in (spec.submodule_search_locations or [])):
                continue
        info["api_module"] = mod
        if info["family"] is None:
            info["family"] = top
        if info["version"] is None:
            d = dists.get(top.replace("_", "-"))
            if d is not None:
                info["version"] = d.version
        break
    return info


def _find_top(name):
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None


def _spec_classes():
    """ProviderSpec classes already imported (by the provider) in the target."""
    classes = []
    for mod in ("ogx_api", "ogx_api.datatypes", "llama_stack_api", "llama_stack_api.datatypes",
                "llama_stack.providers.datatypes"):
        m = sys.modules.get(mod)
        cls = getattr(m, "ProviderSpec", None) if m is not None else None
        if isinstance(cls, type) and cls not in classes:
            classes.append(cls)
    return classes


# --------------------------------------------------------------------------------------
# the checks


class Failure(Exception):
    def __init__(self, code, reason, details="", resolution="", header=None, **extra):
        Exception.__init__(self, reason)
        self.data = {"code": code, "reason": reason, "details": details, "resolution": resolution,
                     "header": header or "Provider validation failed"}
        self.data.update(extra)


_IMPORTLIB_INIT = getattr(importlib, "__file__", "") or "<importlib>"


def _format_tb(exc, limit=60):
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    keep = []
    for chunk in lines:
        if ('File "<frozen importlib' in chunk) or ('File "%s"' % __file__ in chunk) or (
                'File "%s"' % _IMPORTLIB_INIT in chunk):
            continue
        keep.append(chunk)
    text = "".join(keep).rstrip("\n")
    out = text.splitlines()
    if len(out) > limit:
        out = out[:5] + ["  ... (%d lines omitted)" % (len(out) - limit)] + out[-(limit - 6):]
    return "\n".join(out)


def _from_llama_stack(exc):
    """Did a Llama Stack spec class raise this (a pydantic error for a Llama Stack model)?"""
    title = str(getattr(exc, "title", "") or "")
    tb = exc.__traceback__
    while tb is not None:
        mod = tb.tb_frame.f_globals.get("__name__", "")
        if mod.split(".")[0] in ("llama_stack", "llama_stack_api", "ogx", "ogx_api"):
            return True
        tb = tb.tb_next
    return title in ("AdapterSpec", "ProviderSpec", "RemoteProviderSpec", "InlineProviderSpec")


def _exc_line(exc):
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _out_of_memory(exc):
    return isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == 12)  # ENOMEM


def _memory_limit_text():
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return ""
    if limit == resource.RLIM_INFINITY or limit <= 0:
        return ""
    return " (preflight limits the provider to %s of address space)" % _size_text(limit)


def _size_text(n):
    for unit, k in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2)):
        if n >= k:
            v = n / float(k)
            return ("%d %s" % (v, unit)) if v == int(v) else ("%.1f %s" % (v, unit))
    return "%d bytes" % n


class Checker:
    def __init__(self, ls_info, target):
        self.ls = ls_info
        self.target = target
        self._dists = None
        self.timings = {}
        self._arch_cache = {}

    @property
    def dists(self):
        if self._dists is None:
            self._dists = _DistIndex()
        return self._dists

    # -- phases ------------------------------------------------------------------------

    def run(self, p):
        """Check one provider; emits phase events, returns the result dict."""
        self.p = p
        self.timings = {}
        self.spec = None
        self.spec_summary = None
        del _NOTICES[:]
        self.warnings = []
        phases = [("architecture", self.phase_architecture), ("import", self.phase_import),
                  ("spec", self.phase_spec), ("fields", self.phase_fields)]
        if p.get("check_config"):
            phases.append(("config", self.phase_config))
        error = None
        failed_phase = None
        for name, fn in phases:
            t0 = time.perf_counter()
            emit("phase", provider_id=p["provider_id"], api=p["api"], phase=name, status="running")
            status = "ok"
            detail = ""
            try:
                detail = fn() or ""
            except Failure as f:
                error = f.data
                status = "error"
            except BaseException as exc:  # SystemExit, KeyboardInterrupt from provider code
                error = Failure("internal", "Unexpected %s during the %s check" % (type(exc).__name__, name),
                                "Traceback:\n" + _indent(_format_tb(exc)),
                                "Report this with the traceback.").data
                status = "error"
            dt = time.perf_counter() - t0
            self.timings[name] = round(dt, 6)
            emit("phase", provider_id=p["provider_id"], api=p["api"], phase=name, status=status,
                 duration_s=round(dt, 6), detail=detail)
            if error:
                failed_phase = name
                break
        if error is not None:
            error["phase"] = failed_phase
            error.setdefault("module", self.display_module())
        return {
            "status": "error" if error else "ok",
            "phase": failed_phase,
            "error": error,
            "warnings": self.warnings,
            "notices": list(_NOTICES),
            "spec": self.spec_summary,
            "timings": self.timings,
            "module": self.display_module(),
        }

    def display_module(self):
        p = self.p
        if p.get("module"):
            return p["module"]
        if self.spec_summary and self.spec_summary.get("module"):
            return self.spec_summary["module"]
        ext = p.get("external_spec") or {}
        mod = ext.get("module") or (ext.get("adapter") or {}).get("module") if isinstance(ext, dict) else None
        if mod:
            return mod
        return "%s.providers.registry.%s" % (self.ls.get("registry_root") or "llama_stack", p["api"])

    def primary_module(self):
        """The module whose distribution the architecture check starts from."""
        p = self.p
        if p["source"] == "module":
            return p["module"]
        if p["source"] == "external_dir":
            ext = p.get("external_spec") or {}
            mod = ext.get("module") or (ext.get("adapter") or {}).get("module")
            if mod:
                return mod
        return self.ls.get("registry_root") or self.ls.get("api_module")

    def phase_architecture(self):
        mod = self.primary_module()
        if not mod:
            return "skipped: no module to inspect"
        top = mod.split(".")[0]
        spec = _find_top(top)
        if spec is None:
            return "skipped: %s is not installed (the import check reports it)" % top
        pin = self.p.get("module_pin")
        if pin:
            dist = self.dists.owner_of(top, spec)
            have = self.dists.headers(dist)[1] if dist is not None else None
            if have != pin:
                self.warnings.append({
                    "code": "module_version_mismatch", "title": "Provider version differs from run.yaml",
                    "reason": "run.yaml names %s==%s but %s is installed" % (
                        self.p["module"], pin, ("version " + have) if have else "an unversioned copy"),
                    "details": "Llama Stack ignores the version in module: and loads what is installed.",
                    "note": "Install %s==%s, or update the version in run.yaml." % (self.p["module"], pin)})
        key = top
        if key not in self._arch_cache:
            try:
                self._arch_cache[key] = ("ok", self._architecture(top, spec, mod))
            except Failure as f:
                self._arch_cache[key] = ("fail", dict(f.data))
        kind, value = self._arch_cache[key]
        if kind == "fail":
            raise Failure(**dict(value))
        return value

    def _architecture(self, top, spec, mod):
        dist = self.dists.owner_of(top, spec)
        checked = 0
        if dist is not None:
            for d in self.dists.closure(dist):
                checked += 1
                self._check_dist(d, mod)
            name, version, _reqs = self.dists.headers(dist)
            return "%s %s and %d distributions it requires" % (name, version, checked - 1)
        natives = self._check_directory(spec, mod, dist)
        return "%s is not from an installed distribution: %d native files in its directory" % (top, natives)

    def _check_dist(self, dist, mod):
        tags, bad, natives = self.dists.native_report(dist, self.target)
        name, version, _reqs = self.dists.headers(dist)
        pkg = _wheel_name(name, version, tags)
        expected = "%s/%s" % self.target
        if bad:
            fname, osname, archs = bad[0]
            found = "%s/%s" % (osname, "+".join(archs))
            also = ""
            if len(bad) > 1:
                also = "\n".join("Also: %s (%s/%s)" % (b[0], b[1], "+".join(b[2])) for b in bad[1:6])
            raise Failure(
                "arch_mismatch", "Native extension architecture mismatch",
                "Package: %s\nExpected architecture: %s\nFound architecture: %s\nFile: %s%s" % (
                    pkg, expected, found, fname, ("\n" + also) if also else ""),
                "Rebuild provider package with native extensions compiled for %s, "
                "or use pure Python implementation." % expected,
                package=pkg, expected=expected, found=found, file=fname)
        for tag in tags:
            try:
                interp, abi, plat = tag.split("-")
            except ValueError:
                continue
            plats = plat.split(".")
            if natives or plat != "any":
                if not any(_wheel_plat_compatible(x, self.target) for x in plats):
                    found = _plat_label(plats[0])
                    raise Failure(
                        "arch_mismatch", "Native extension architecture mismatch",
                        "Package: %s\nExpected architecture: %s\nFound architecture: %s" % (pkg, expected, found),
                        "Rebuild provider package with native extensions compiled for %s, "
                        "or use pure Python implementation." % expected,
                        package=pkg, expected=expected, found=found)
                if not _abi_compatible(interp, abi):
                    want = "cp%d%d" % sys.version_info[:2]
                    raise Failure(
                        "abi_mismatch", "Native extension built for another Python version",
                        "Package: %s\nExpected Python ABI: %s\nFound Python ABI: %s" % (pkg, want, abi),
                        "Install a build of %s for Python %d.%d (%s), or use pure Python implementation."
                        % (name, sys.version_info[0], sys.version_info[1], want),
                        package=pkg, expected=want, found=abi)
            break  # one compatible tag set is enough

    def _check_directory(self, spec, mod, dist):
        """Native files in the module's own directory that no distribution records."""
        roots = list(spec.submodule_search_locations or [])
        if not roots and spec.origin and _looks_native(spec.origin):
            roots = []
            found = native_arch(spec.origin)
            if found and not _fits(found, self.target):
                self._raise_dir_mismatch(mod, spec.origin, found)
            return 1
        recorded = set()
        if dist is not None:
            for n in dist.names():
                recorded.add(os.path.normcase(os.path.abspath(dist.locate_file(n))))
        count = 0
        seen = 0
        for root in roots:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                for fn in filenames:
                    seen += 1
                    if seen > 20000:
                        return count
                    if not _looks_native(fn):
                        continue
                    path = os.path.join(dirpath, fn)
                    if os.path.normcase(os.path.abspath(path)) in recorded:
                        continue
                    found = native_arch(path)
                    if found is None:
                        continue
                    count += 1
                    if not _fits(found, self.target):
                        self._raise_dir_mismatch(mod, path, found, root)
        return count

    def _raise_dir_mismatch(self, mod, path, found, root=None):
        expected = "%s/%s" % self.target
        foundtxt = "%s/%s" % (found[0], "+".join(found[1]))
        top = mod.split(".")[0]
        rel = os.path.relpath(path, os.path.dirname(root)) if root else path
        raise Failure(
            "arch_mismatch", "Native extension architecture mismatch",
            "Package: %s (directory %s)\nExpected architecture: %s\nFound architecture: %s\nFile: %s" % (
                top, os.path.dirname(root) if root else os.path.dirname(path), expected, foundtxt, rel),
            "Rebuild provider package with native extensions compiled for %s, "
            "or use pure Python implementation." % expected,
            package=top, expected=expected, found=foundtxt, file=rel)

    # -- import ----------------------------------------------------------------------

    def phase_import(self):
        p = self.p
        if p["source"] == "module":
            mod = p["module"]
            self._import_external(mod)
            provider_mod = mod + ".provider"
            try:
                found = importlib.util.find_spec(provider_mod)
            except Exception:
                found = None
            if found is None:
                pkg = sys.modules.get(mod)
                where = os.path.dirname(getattr(pkg, "__file__", "") or "") or "?"
                raise Failure(
                    "no_provider_module", "Module has no provider.py",
                    "Package '%s' is installed (%s) but has no module '%s'.\n"
                    "Llama Stack imports '%s' and calls its get_provider_spec()." % (mod, where, provider_mod, provider_mod),
                    "Add provider.py with a get_provider_spec() function to the package, or set "
                    "module: in run.yaml to the package that has it.")
            self._import_external(provider_mod)
            return "imported %s" % provider_mod
        if p["source"] == "external_dir":
            mod = self.primary_module()
            if not mod:
                return "no module named in %s" % p.get("external_spec_path")
            self._import_external(mod)
            return "imported %s" % mod
        # built-in
        root = self.ls.get("registry_root")
        if not root:
            raise Failure(
                "no_llama_stack", "Llama Stack is not installed in the target environment",
                "Built-in provider '%s' comes from Llama Stack's own registry, but neither "
                "llama_stack nor ogx is importable by %s." % (p["provider_type"], sys.executable),
                "Run preflight with --python pointing at the server's interpreter, or install "
                "llama-stack in this environment.")
        regmod = "%s.providers.registry.%s" % (root, p["api"])
        try:
            found = importlib.util.find_spec(regmod)
        except Exception:
            found = None
        if found is None:
            raise Failure(
                "unknown_api", "API '%s' is not available in %s %s" % (p["api"], root, self.ls.get("version") or ""),
                "The target's Llama Stack has no registry module '%s'." % regmod,
                "Remove the '%s' section from run.yaml or move its providers to an API this "
                "Llama Stack version supports." % p["api"])
        self._import_external(regmod)
        return "imported %s" % regmod

    def _import_external(self, mod):
        top = mod.split(".")[0]
        if _find_top(top) is None:
            exc = ModuleNotFoundError("No module named '%s'" % top)
            raise Failure(
                "module_not_found", "Module not found",
                "Traceback:\n  " + _exc_line(exc),
                "Ensure provider packages are installed and PYTHONPATH is set correctly.",
                cause="not_installed")
        try:
            importlib.import_module(mod)
        except BaseException as exc:
            raise self._import_failure(mod, exc)

    def _import_failure(self, mod, exc):
        tb = "Traceback:\n" + _indent(_format_tb(exc))
        blocked = [n for n in _NOTICES]
        if isinstance(exc, SystemExit):
            return Failure("import_exit", "Import called sys.exit(%r)" % (exc.code,), tb,
                           "A provider module must not exit the process on import; remove the exit "
                           "from module-level code.")
        if _out_of_memory(exc):
            return Failure("memory_limit", "Import ran out of memory%s" % _memory_limit_text(), tb,
                           "A provider module should not allocate this much memory when imported; if "
                           "the server really needs it, raise the limit with --memory-limit.")
        if isinstance(exc, OSError) and exc.errno == 30 and not blocked:  # EROFS
            return Failure("import_side_effect", "Import tried to write a file (the file system is "
                           "read-only during preflight)", tb,
                           "Provider modules must not write files when imported; move that work into "
                           "get_adapter_impl()/get_provider_impl() or initialize().")
        if isinstance(exc, PreflightBlocked) or (blocked and isinstance(exc, OSError)):
            n = blocked[-1] if blocked else {"action": str(exc), "detail": ""}
            return Failure(
                "import_side_effect", "Import tried to %s (blocked by preflight)" % n["action"],
                tb, "Provider modules must not touch the network, write files or start processes "
                "when imported; move that work into get_adapter_impl()/get_provider_impl() or initialize().")
        name = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
        if name:
            top = name.split(".")[0]
            ls_roots = ("llama_stack", "llama_stack_api", "ogx", "ogx_api")
            if top in ls_roots:
                have = self.ls.get("api_module")
                have_txt = "%s %s" % (self.ls.get("family") or "no Llama Stack", self.ls.get("version") or "")
                if _find_top(top) is None:
                    reason = "Provider needs %s, which this environment does not have" % top
                    hint = ("The provider imports '%s'. This environment has %s (provider specs live in %s)."
                            % (name, have_txt.strip(), have or "nowhere"))
                else:
                    reason = "Provider imports a Llama Stack module that this version does not have"
                    hint = ("The provider imports '%s', which %s does not have. "
                            "Llama Stack 0.2.x keeps provider specs in llama_stack.providers.datatypes, "
                            "0.3 to 0.7 in llama_stack_api, OGX in ogx_api; this environment uses %s."
                            % (name, have_txt.strip(), have or "none"))
                return Failure("llama_stack_version", reason, hint + "\n\n" + tb,
                               "Install a version of the provider built for %s, or change its imports "
                               "to %s." % (have_txt.strip(), have or "the Llama Stack API package"),
                               cause="removed_llama_stack_path", missing=name)
            if top != mod.split(".")[0]:
                return Failure("missing_dependency", "Missing dependency '%s'" % top, tb,
                               "Install '%s' in the server's environment (bundle its wheel with the "
                               "provider package), or make the import optional." % top,
                               cause="missing_dependency", missing=name)
        if isinstance(exc, ImportError):
            return Failure("import_error", "Import failed", tb,
                           "Fix the import error shown above in the provider package, then run "
                           "preflight again.")
        return Failure("import_error", "Import failed: %s" % type(exc).__name__, tb,
                       "Fix the error raised while importing the provider module (see traceback).")

    # -- spec ------------------------------------------------------------------------

    def phase_spec(self):
        p = self.p
        if p["source"] == "module":
            return self._spec_from_module()
        if p["source"] == "external_dir":
            return self._spec_from_yaml()
        return self._spec_from_registry()

    def _call(self, fn, what):
        try:
            return fn()
        except Failure:
            raise
        except BaseException as exc:
            resolution = ("Fix %s in the provider package: it must return a ProviderSpec without "
                          "raising." % what)
            if type(exc).__name__ == "ValidationError" and _from_llama_stack(exc):
                resolution = ("The provider builds its spec with arguments that %s %s rejects (see the "
                              "validation error): it was written for another Llama Stack version. Install "
                              "a provider version built for this one, or fix its get_provider_spec()."
                              % (self.ls.get("family") or "Llama Stack", self.ls.get("version") or ""))
            raise Failure("spec_exception", "%s raised %s" % (what, type(exc).__name__),
                          "Traceback:\n" + _indent(_format_tb(exc)), resolution)

    def _spec_from_module(self):
        p = self.p
        mod = sys.modules[p["module"] + ".provider"]
        fn = getattr(mod, "get_provider_spec", None)
        if fn is None or not callable(fn):
            raise Failure("no_get_provider_spec", "provider.py has no get_provider_spec()",
                          "Module '%s.provider' defines no callable get_provider_spec." % p["module"],
                          "Define get_provider_spec() in %s/provider.py returning a ProviderSpec."
                          % p["module"].replace(".", "/"), header="Provider spec validation failed")
        result = self._call(fn, "get_provider_spec()")
        if result is None:
            raise Failure("spec_none", "get_provider_spec() returned invalid data",
                          "get_provider_spec() returned None",
                          "Provider implementation must return a ProviderSpec (or a list of them).",
                          header="Provider spec validation failed")
        if isinstance(result, (list, tuple)):
            types = [getattr(s, "provider_type", None) for s in result]
            match = [s for s in result if getattr(s, "provider_type", None) == p["provider_type"]]
            if not match:
                raise Failure(
                    "spec_no_match", "get_provider_spec() returned no spec for provider_type %s" % p["provider_type"],
                    "get_provider_spec() returned %d specs with provider_type: %s" % (
                        len(result), ", ".join(str(t) for t in types) or "(none)"),
                    "Set provider_type in run.yaml to one of: %s, or add a spec with provider_type %s "
                    "to the provider's list." % (", ".join(str(t) for t in types if t) or "(none)", p["provider_type"]),
                    header="Provider spec validation failed")
            result = match[0]
            picked = "picked %s from a list of %d" % (p["provider_type"], len(types))
        else:
            picked = "single spec"
        self._set_spec(result)
        return picked

    def _spec_from_yaml(self):
        p = self.p
        data = p.get("external_spec")
        path = p.get("external_spec_path", "")
        if not isinstance(data, dict):
            raise Failure("spec_invalid", "Provider spec file is not a mapping",
                          "File: %s" % path, "Write the provider spec as a YAML mapping.",
                          header="Provider spec validation failed")
        for bad in ("provider_type", "api"):
            if bad in data:
                raise Failure(
                    "spec_forbidden_key", "Provider spec file sets '%s'" % bad,
                    "File: %s\nLlama Stack derives '%s' from the file's place (remote|inline/<api>/<name>.yaml) "
                    "and fails with \"got multiple values for keyword argument\" when the file sets it." % (path, bad),
                    "Remove '%s' from %s." % (bad, path), header="Provider spec validation failed")
        kind = p["provider_type"].split("::", 1)[0]
        spec = self._build_yaml_spec(kind, data, path)
        self._set_spec(spec)
        return "built from %s" % path

    def _build_yaml_spec(self, kind, data, path):
        """Build the spec with the target's own classes, as its Llama Stack would."""
        p = self.p
        name = os.path.splitext(os.path.basename(path))[0]
        api_mod = self.ls.get("api_module")
        mod = sys.modules.get(api_mod) if api_mod else None
        if mod is None and api_mod:
            try:
                mod = importlib.import_module(api_mod)
            except BaseException:
                mod = None
        if mod is None:
            # No Llama Stack classes: validate the shape by hand.
            need = ["config_class", "module"]
            src = data.get("adapter") if isinstance(data.get("adapter"), dict) else data
            missing = [k for k in need if not src.get(k)]
            if kind == "remote" and not src.get("adapter_type"):
                missing.insert(0, "adapter_type")
            if missing:
                raise Failure("spec_missing_field", "Provider spec file is missing required fields",
                              "File: %s\nMissing required field: %s" % (path, ", ".join(missing)),
                              "Add %s to %s." % (", ".join(missing), path),
                              header="Provider spec validation failed")
            out = dict(src)
            out["api"] = p["api"]
            out["provider_type"] = "%s::%s" % (kind, src.get("adapter_type") or name)
            return _Obj(out)
        Api = getattr(mod, "Api")

        def build():
            api = Api(p["api"])
            if "adapter" in data and hasattr(mod, "remote_provider_spec"):  # 0.2.x shape
                adapter = mod.AdapterSpec(**data["adapter"])
                deps = [Api(d) for d in data.get("api_dependencies", [])]
                if kind == "remote":
                    return mod.remote_provider_spec(api=api, adapter=adapter, api_dependencies=deps)
            if kind == "remote":
                if "adapter_type" not in data:
                    raise KeyError("adapter_type")
                fields = dict(data)
                return mod.RemoteProviderSpec(api=api, provider_type="remote::" + data["adapter_type"], **fields)
            fields = dict(data)
            for k in ("api_dependencies", "optional_api_dependencies"):
                if k in fields:
                    fields[k] = [Api(d) for d in fields[k]]
            return mod.InlineProviderSpec(api=api, provider_type="inline::" + name, **fields)

        try:
            return build()
        except BaseException as exc:
            raise Failure("spec_invalid", "Provider spec file is not valid for this Llama Stack",
                          "File: %s\n%s" % (path, _exc_line(exc)),
                          "Fix %s: remote specs need adapter_type, config_class and module; inline specs "
                          "need config_class and module." % path, header="Provider spec validation failed")

    def _spec_from_registry(self):
        p = self.p
        regmod = sys.modules["%s.providers.registry.%s" % (self.ls["registry_root"], p["api"])]
        fn = getattr(regmod, "available_providers", None)
        specs = self._call(fn, "available_providers()") if fn else []
        by_type = {}
        for s in specs or []:
            by_type[getattr(s, "provider_type", None)] = s
        spec = by_type.get(p["provider_type"])
        if spec is None:
            import difflib

            close = difflib.get_close_matches(p["provider_type"], [t for t in by_type if t], n=3)
            hint = ("Did you mean: %s? " % ", ".join(close)) if close else ""
            looked = ""
            if p.get("external_spec_path"):
                looked = "\nNo provider spec file at %s either." % p["external_spec_path"]
            raise Failure(
                "unknown_provider_type",
                "Provider type %s is not available for API %s" % (p["provider_type"], p["api"]),
                "%s %s has %d built-in %s providers; %s is not one of them, and the entry has no module:.%s"
                % (self.ls.get("family"), self.ls.get("version") or "", len(by_type), p["api"], p["provider_type"],
                   looked),
                hint + "Use a provider type this Llama Stack version has, or install the external provider "
                "package and name it with module: in run.yaml.", header="Provider spec validation failed")
        if getattr(spec, "deprecation_error", None):
            raise Failure("deprecated_provider", "Provider type %s is no longer supported" % p["provider_type"],
                          str(spec.deprecation_error), "Switch to the replacement named above.",
                          header="Provider spec validation failed")
        if getattr(spec, "deprecation_warning", None):
            self.warnings.append({"code": "deprecated_provider", "title": "Deprecated provider",
                                  "reason": "Provider type %s is deprecated" % p["provider_type"],
                                  "details": str(spec.deprecation_warning),
                                  "note": "Switch to the replacement named above."})
        self._set_spec(spec)
        return "found in %s registry" % (self.ls.get("family") or "")

    def _set_spec(self, spec):
        self.spec = spec
        summary = {"type": "%s.%s" % (type(spec).__module__, type(spec).__name__)}
        for field in ("provider_type", "api", "config_class", "module", "pip_packages", "description",
                      "api_dependencies", "optional_api_dependencies", "provider_data_validator",
                      "adapter_type", "container_image", "deprecation_warning", "toolgroup_id"):
            try:
                value = getattr(spec, field)
            except Exception:
                continue
            if callable(value):
                continue
            summary[field] = _plain(value)
        adapter = getattr(spec, "adapter", None)
        if adapter is not None and "adapter_type" not in summary:
            summary["adapter_type"] = _plain(getattr(adapter, "adapter_type", None))
        self.spec_summary = summary

    # -- fields ----------------------------------------------------------------------

    def phase_fields(self):
        p = self.p
        spec = self.spec
        s = self.spec_summary or {}
        classes = _spec_classes()
        if classes and not isinstance(spec, _Obj) and not isinstance(spec, tuple(classes)):
            raise Failure("spec_wrong_type", "get_provider_spec() returned invalid data",
                          "Expected a ProviderSpec (%s), got %s" % (
                              ", ".join("%s.%s" % (c.__module__, c.__name__) for c in classes),
                              type(spec).__name__),
                          "Provider implementation must return a ProviderSpec (RemoteProviderSpec or "
                          "InlineProviderSpec).", header="Provider spec validation failed")
        for field in ("provider_type", "api", "config_class"):
            value = s.get(field)
            if value is None or value == "" or field not in s:
                shown = "config_class (the config schema)" if field == "config_class" else field
                raise Failure("spec_missing_field", "get_provider_spec() returned invalid data",
                              "Missing required field: %s" % shown,
                              "Provider implementation must return ProviderSpec with %s field." % field,
                              header="Provider spec validation failed", field=field)
            if not isinstance(value, str):
                raise Failure("spec_bad_field", "get_provider_spec() returned invalid data",
                              "Field %s must be a string, got %s" % (field, type(value).__name__),
                              "Provider implementation must return ProviderSpec with a string %s." % field,
                              header="Provider spec validation failed", field=field)
        if s["api"] != p["api"]:
            raise Failure("api_mismatch", "Provider API does not match its place in run.yaml",
                          "run.yaml lists it under: providers.%s\nget_provider_spec() says: api=%s"
                          % (p["api"], s["api"]),
                          "Move the provider to providers.%s in run.yaml, or fix api in the provider's "
                          "get_provider_spec()." % s["api"], header="Provider spec validation failed",
                          field="api")
        if s["provider_type"] != p["provider_type"]:
            self.warnings.append({
                "code": "provider_type_mismatch", "title": "Provider type mismatch",
                "reason": "provider_type in run.yaml differs from get_provider_spec()",
                "details": "run.yaml: %s\nRuntime (get_provider_spec()): %s\nUsing: %s (run.yaml value; "
                           "Llama Stack registers the spec under the run.yaml provider_type)"
                           % (p["provider_type"], s["provider_type"], p["provider_type"]),
                "note": "Make provider_type in run.yaml and in get_provider_spec() the same."})
        self._check_pip_packages(s.get("pip_packages") or [])
        cls = self._load_class(s["config_class"], "config_class")
        self.config_cls = cls
        impl = s.get("module")
        if impl:
            try:
                m = importlib.import_module(impl)
            except BaseException as exc:
                f = self._import_failure(impl, exc)
                f.data["reason"] = "Implementation module %s does not import: %s" % (impl, f.data["reason"])
                raise f
            want = "get_adapter_impl" if s["provider_type"].startswith("remote::") else "get_provider_impl"
            if not callable(getattr(m, want, None)):
                raise Failure("no_impl_function", "Implementation module has no %s()" % want,
                              "Module '%s' (the spec's module) defines no %s." % (impl, want),
                              "Define async %s(config, deps) in %s." % (want, impl),
                              header="Provider spec validation failed")
        return "config_class %s" % s["config_class"]

    def _check_pip_packages(self, packages):
        """Architecture of the spec's pip_packages, before its implementation is imported."""
        for req in packages:
            if not isinstance(req, str) or req.startswith("-"):
                continue
            name, _marker = _split_requirement(req.split("--")[0])
            dist = self.dists.get(name) if name else None
            if dist is None:
                continue  # not installed: the implementation import will say what is missing
            key = "pip:" + self.dists.norm(name)
            if key not in self._arch_cache:
                try:
                    for d in self.dists.closure(dist):
                        self._check_dist(d, name)
                    self._arch_cache[key] = ("ok", "")
                except Failure as f:
                    self._arch_cache[key] = ("fail", dict(f.data))
            kind, value = self._arch_cache[key]
            if kind == "fail":
                raise Failure(**dict(value))

    def _load_class(self, dotted, field):
        if "." not in dotted:
            raise Failure("config_class_invalid", "%s is not a dotted path" % field,
                          "%s: %s" % (field, dotted),
                          "Set %s to the fully qualified class, e.g. my_provider.config.MyConfig." % field,
                          header="Provider spec validation failed", field=field)
        modname, clsname = dotted.rsplit(".", 1)
        try:
            m = importlib.import_module(modname)
        except BaseException as exc:
            hint = ""
            if "." not in modname:
                hint = ("\n'%s' is a top-level module name: a config class path must start at the "
                        "package, e.g. %s.%s." % (modname, (self.p.get("module") or "my_provider").split(".")[0], dotted))
            raise Failure("config_class_import", "Config class %s does not import" % dotted,
                          "Traceback:\n" + _indent(_format_tb(exc)) + hint,
                          "Set config_class in the provider spec to an importable, fully qualified class.",
                          header="Provider spec validation failed", field=field)
        cls = getattr(m, clsname, None)
        if cls is None:
            raise Failure("config_class_missing", "Config class %s not found" % dotted,
                          "Module '%s' has no attribute '%s'." % (modname, clsname),
                          "Set config_class in the provider spec to a class that exists.",
                          header="Provider spec validation failed", field=field)
        return cls

    # -- config ----------------------------------------------------------------------

    def phase_config(self):
        p = self.p
        if p.get("config_error"):
            raise Failure("config_env", "Provider config cannot be resolved", p["config_error"],
                          "Set the environment variable, or give the reference a default with ${env.NAME:=value}.")
        cfg = p.get("config") or {}
        if not isinstance(cfg, dict):
            raise Failure("config_invalid", "Provider config is not a mapping",
                          "config: %s" % type(cfg).__name__, "Write config: as a mapping in run.yaml.")
        cls = self.config_cls
        try:
            cls(**cfg)
        except BaseException as exc:
            errors = getattr(exc, "errors", None)
            lines = []
            if callable(errors):
                try:
                    for e in errors():
                        loc = ".".join(str(x) for x in e.get("loc", ()))
                        lines.append("%s: %s" % (loc or "(config)", e.get("msg", "")))
                except Exception:
                    lines = []
            if not lines:
                lines = [type(exc).__name__ + ": " + str(exc)]
            raise Failure("config_invalid", "Provider config does not validate against %s" % cls.__name__,
                          "\n".join(lines[:30]),
                          "Fix the provider's config: block in run.yaml (values are masked here).")
        return "%s(**config) ok" % cls.__name__


class _Obj(object):
    def __init__(self, d):
        self.__dict__.update(d)


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    v = getattr(value, "value", None)
    if isinstance(v, (str, int, float)):
        return v
    if isinstance(value, (list, tuple)):
        return [_plain(x) for x in value]
    return str(value)


def _indent(text, n=2):
    pad = " " * n
    return "\n".join(pad + line if line else line for line in text.splitlines())


def _wheel_name(name, version, tags):
    dist = name.replace("-", "_")
    if tags:
        return "%s-%s-%s.whl" % (dist, version, tags[0])
    return "%s-%s" % (name, version)


# --------------------------------------------------------------------------------------


def _settle_tempdir():
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


def _writable_dir(path):
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


def _watch_parent(parent):
    """End the probe if the runner goes away (where the parent-death signal is not set)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(70)


# --------------------------------------------------------------------------------------
# one process per provider
#
# The probe process (the "zygote") never runs provider code. For each provider it forks a
# child that closes the event channel, drops every capability it could use to reach the
# zygote (/proc/<pid>/fd, /proc/<pid>/mem, ptrace), and reports over a pipe of its own. The
# zygote relays only what belongs to that provider: phase events and one result, tagged with
# the index the zygote itself assigned. Whatever provider code does, it can at most speak
# about itself; it cannot report on another provider, end the run or say "done".

_PR_GET_PDEATHSIG = 2
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
_PR_SET_SECUREBITS = 28
_PR_SET_NO_NEW_PRIVS = 38
_SECURE_ALL_LOCKED = 0x2F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED and their locks
_CHILD_LINE_LIMIT = 32 * 1024 * 1024
_RELAYED = ("phase", "result")


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return None


def _outer_pid():
    """This process's id as the runner sees it (the probe may be PID 1 of its namespace)."""
    try:
        return int(os.readlink("/proc/self"))
    except (OSError, ValueError):
        return os.getpid()


def _drop_privileges(libc):
    """In a provider's child, before provider code: no capability, now or after an exec."""
    import ctypes

    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)  # the child itself may be inspected by the runner
    if os.geteuid() != 0:
        return ""  # an unprivileged uid lost its capabilities when the target was exec'd
    if libc.prctl(_PR_SET_SECUREBITS, _SECURE_ALL_LOCKED, 0, 0, 0) != 0:
        return "securebits: %s" % os.strerror(ctypes.get_errno())
    for cap in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:
            return "bounding set: %s" % os.strerror(ctypes.get_errno())

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    data = (Data * 2)()
    if libc.capset(ctypes.byref(Header(0x20080522, 0)), data) != 0:
        return "capset: %s" % os.strerror(ctypes.get_errno())
    return ""


def _run_child(checker, p, chan_w, runner_fd, libc, counting):
    """In the forked child: isolate, check one provider, report on chan_w, exit."""
    global _OUT
    try:
        os.close(runner_fd)
        _OUT = os.fdopen(chan_w, "w", encoding="utf-8", buffering=1)
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, 9, 0, 0, 0)
            why = _drop_privileges(libc)
            if why:
                sys.stderr.write("lsc-tui preflight: cannot isolate the provider check (%s)\n" % why)
                sys.stderr.flush()
                os._exit(71)
        _GUARD["on"] = True
        before = counting.count
        result = checker.run(p)
        result["stdout_chars"] = counting.count - before
        emit("result", **result)
        _OUT.flush()
    except BaseException:  # noqa: BLE001 - the zygote reports a child without a result
        os._exit(72)
    os._exit(0)


def _relay_child(p, chan_r, pid):
    """Forward the child's phase events; keep its one result. Returns (result, garbage,
    status, lingering): ``status`` is the child's wait status (None if it has not ended, which
    only happens after garbage), ``lingering`` whether something it started still holds its
    channel open after it ended."""
    import select

    result = None
    garbage = []
    buf = b""
    status = None
    eof = False
    try:
        while not eof:
            ready = select.select([chan_r], [], [], 0.05)[0]
            if not ready:
                if status is None:
                    status = _reap(pid, block=False)
                if status is not None and not select.select([chan_r], [], [], 0)[0]:
                    break  # the child has ended; a process it left behind holds the pipe
                continue
            chunk = os.read(chan_r, 65536)
            if not chunk:
                eof = True
            buf += chunk
            if len(buf) > _CHILD_LINE_LIMIT and b"\n" not in buf:
                garbage.append("a line longer than the limit")
                break
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace")
                ev = None
                if text.startswith(MARK):
                    try:
                        ev = json.loads(text[len(MARK):])
                    except ValueError:
                        ev = None
                if not isinstance(ev, dict) or ev.get("event") not in _RELAYED or result is not None:
                    if text.strip():
                        garbage.append(text[:200])
                        return result, garbage, status, False  # nothing after this is trustworthy
                    continue
                name = ev.pop("event")
                ev.update(provider_id=p["provider_id"], api=p["api"], index=p.get("index"))
                if name == "result":
                    result = ev  # relayed once the child has ended and said nothing more
                else:
                    emit(name, **ev)
    finally:
        os.close(chan_r)
    if buf.strip():
        garbage.append(buf.decode("utf-8", "replace")[:200])
    return result, garbage, status, not eof


def _reap(pid, block=True):
    while True:
        try:
            done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0
        return status if done else None


def _check_in_child(checker, p, libc, counting):
    """Fork, check ``p`` in the child, relay: "ok", "error" or "abort" (the run must stop)."""
    chan_r, chan_w = os.pipe()
    runner_fd = _OUT.fileno()
    _OUT.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(chan_r)
        _run_child(checker, p, chan_w, runner_fd, libc, counting)
    os.close(chan_w)
    result, garbage, status, lingering = _relay_child(p, chan_r, pid)
    if garbage:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    if status is None:
        status = _reap(pid)  # a child that closed its channel and goes on runs into the timeout
    if garbage:
        emit("garbage", index=p.get("index"), lines=garbage[:10])
        return "abort"
    if result is None:
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        emit("child_exit", index=p.get("index"), returncode=code)
        return "abort"
    if lingering:
        result.setdefault("warnings", []).append({
            "code": "process_left_behind", "title": "Provider left a process running",
            "reason": "Provider code started a process that was still running after the check ended",
            "details": "Preflight killed it when the run ended.",
            "note": "Importing a provider should not start processes; the server would have "
                    "inherited this one."})
    emit("result", **result)
    return "error" if result.get("status") == "error" else "ok"


def _warm(checker, p):
    """Import what a *built-in* provider needs, in the probe, before any child forks.

    Built-in providers are Llama Stack's own code, which the probe trusts as it trusts the
    interpreter; importing them once here keeps one import of Llama Stack for the whole run
    instead of one per child. The check runs again, for real and reported, in the child.
    External provider packages are never imported here."""
    _QUIET["on"] = True
    _GUARD["on"] = True
    try:
        checker.run(dict(p, check_config=False))
    except BaseException:  # noqa: BLE001 - the child repeats the check and reports it
        pass
    finally:
        _GUARD["on"] = False
        _QUIET["on"] = False
        del _NOTICES[:]


def _check_in_process(checker, p, counting):
    before = counting.count
    result = checker.run(p)
    result["stdout_chars"] = counting.count - before
    result["provider_id"] = p["provider_id"]
    result["api"] = p["api"]
    result["index"] = p.get("index")
    emit("result", **result)
    return "error" if result["status"] == "error" else "ok"


def main():
    global _OUT
    sys.dont_write_bytecode = True
    raw = sys.stdin.read()
    out_fd = os.dup(1)
    os.dup2(2, 1)  # anything written to fd 1 from now on lands on stderr
    _OUT = os.fdopen(out_fd, "w", encoding="utf-8", buffering=1)
    counting = _CountingStdout(sys.stderr)
    sys.stdout = counting
    try:
        plan = json.loads(raw)
    except ValueError as exc:
        emit("fatal", message="probe received an invalid plan: %s" % exc)
        _OUT.flush()
        os._exit(3)
    libc = _libc()
    pdeathsig = False
    if libc is not None:
        import ctypes

        sig = ctypes.c_int(0)
        pdeathsig = libc.prctl(_PR_GET_PDEATHSIG, ctypes.byref(sig), 0, 0, 0) == 0 and sig.value != 0
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)  # children cannot open /proc/<this>/fd or mem
    isolate = bool(plan.get("isolate", True)) and hasattr(os, "fork")
    if not pdeathsig and hasattr(os, "getppid") and os.name == "posix":  # no PR_SET_PDEATHSIG here
        import threading

        threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True,
                         name="lsc-preflight-parent-watch").start()
    target = target_platform()
    dists = _DistIndex()
    ls = detect_llama_stack(dists)
    emit("hello", probe_version=PROBE_VERSION, python=sys.executable,
         python_version="%d.%d.%d" % sys.version_info[:3], implementation=sys.implementation.name,
         platform="%s/%s" % target, llama_stack=ls, pid=_outer_pid(), isolated=isolate)
    _settle_tempdir()
    try:  # looking up the machine's own name reads /etc/hosts, not the network
        import socket

        _LOCAL_HOSTS.add(socket.gethostname())
    except Exception:
        pass
    sys.addaudithook(_audit)
    checker = Checker(ls, target)
    checker._dists = dists
    keep_going = bool(plan.get("keep_going"))
    providers = plan.get("providers", [])
    if isolate and any(p.get("source") == "builtin" for p in providers):
        for p in providers:  # announced, so that a hang or a crash here names the provider
            if p.get("source") == "builtin":
                emit("warm", index=p.get("index"))
                _warm(checker, p)
        emit("warm", index=None)
    for p in providers:
        emit("begin", provider_id=p["provider_id"], api=p["api"], index=p.get("index"))
        if isolate:
            outcome = _check_in_child(checker, p, libc, counting)
        else:
            _GUARD["on"] = True
            outcome = _check_in_process(checker, p, counting)
        if outcome == "abort" or (outcome == "error" and not keep_going):
            break
    emit("done")
    _OUT.flush()
    os._exit(0)


if __name__ == "__main__" or __name__ == "__lsc_preflight_probe__":
    main()
