"""Phase 1, architecture: the native code of the provider's distributions fits this platform.

Before anything is imported (seed 001, FR-008d): the file headers (ELF, Mach-O, PE) of every
native file that the provider's distribution and the distributions it requires record, and
their wheel tags (platform, then Python ABI). A module that no distribution records is
checked by walking its own directory.
"""

from __future__ import annotations


import os
import struct
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Optional

from .dists import Dist, looks_native, norm, split_requirement
from .failure import Failure, python_tag
from .llama_stack import find_top

if TYPE_CHECKING:
    from .checker import Check

Platform = tuple[str, str]  # (os, arch), e.g. ("linux", "x86_64")
Found = tuple[str, list[str]]  # what a binary's header says: (os, [archs])
NativeReport = tuple[list[str], list[tuple[str, str, list[str]]], int]  # tags, misfits, natives

ARCH_ALIASES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv8l": "arm",
    "i386": "x86",
    "i486": "x86",
    "i586": "x86",
    "i686": "x86",
    "x86": "x86",
    "armv7l": "arm",
    "armv6l": "arm",
    "arm": "arm",
    "ppc64le": "ppc64le",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loong64",
}
_ELF_MACHINES = {
    3: "x86",
    62: "x86_64",
    40: "arm",
    183: "arm64",
    8: "mips",
    20: "ppc",
    21: "ppc64",
    22: "s390",
    243: "riscv",
    258: "loong64",
    2: "sparc",
    43: "sparcv9",
}
_MACHO_CPUS = {
    7: "x86",
    0x01000007: "x86_64",
    12: "arm",
    0x0100000C: "arm64",
    0x0200000C: "arm64_32",
    18: "ppc",
    0x01000012: "ppc64",
}
_PE_MACHINES = {0x14C: "x86", 0x8664: "x86_64", 0xAA64: "arm64", 0x1C4: "arm", 0x1C0: "arm"}
_LINUX_PREFIXES = ("manylinux1_", "manylinux2010_", "manylinux2014_", "linux_")
_WIN_ARCHS = {"win32": "x86", "win_amd64": "x86_64", "win_arm64": "arm64"}
_RESOLUTION = "Rebuild provider package with native extensions compiled for %s, or use pure Python implementation."


# --------------------------------------------------------------------------------------
# the phase


def run(check: Check) -> str:
    mod = check.primary_module()
    if not mod:
        return "skipped: no module to inspect"
    top = mod.split(".")[0]
    spec = find_top(top)
    if spec is None:
        return "skipped: %s is not installed (the import check reports it)" % top
    pin = check.p.get("module_pin")
    if pin:
        dist = check.dists.owner_of(top, spec)
        have = check.dists.headers(dist)[1] if dist is not None else None
        if have != pin:
            check.warnings.append(
                {
                    "code": "module_version_mismatch",
                    "title": "Provider version differs from run.yaml",
                    "reason": "run.yaml names %s==%s but %s is installed"
                    % (check.p["module"], pin, ("version " + have) if have else "an unversioned copy"),
                    "details": "Llama Stack ignores the version in module: and loads what is installed.",
                    "note": "Install %s==%s, or update the version in run.yaml." % (check.p["module"], pin),
                }
            )
    return str(_cached(check, top, lambda: _architecture(check, top, spec, mod)))


def check_requirements(check: Check, packages: Iterable[object]) -> None:
    """Architecture of a spec's pip_packages, before its implementation is imported."""
    for req in packages:
        if not isinstance(req, str) or req.startswith("-"):
            continue
        name, _marker = split_requirement(req.split("--")[0])
        dist = check.dists.get(name) if name else None
        if dist is None:
            continue  # not installed: the implementation import will say what is missing
        _cached(check, "pip:" + norm(name), lambda dist=dist: _check_closure(check, dist))


def _check_closure(check: Check, dist: Dist) -> str:
    for d in check.dists.closure(dist):
        _check_dist(check, d)
    return ""


def _cached(check: Check, key: str, compute: Any) -> object:
    """A verdict per module or requirement for the whole probe: several providers share them."""
    cache = check.checker.arch_cache
    if key not in cache:
        try:
            cache[key] = ("ok", compute())
        except Failure as f:
            cache[key] = ("fail", dict(f.data))
    kind, value = cache[key]
    if kind == "fail":
        raise Failure(**dict(value))
    return value


def _architecture(check: Check, top: str, spec: Any, mod: str) -> str:
    dist = check.dists.owner_of(top, spec)
    if dist is not None:
        closure = check.dists.closure(dist)
        for d in closure:
            _check_dist(check, d)
        name, version, _reqs = check.dists.headers(dist)
        return "%s %s and %d distributions it requires" % (name, version, len(closure) - 1)
    natives = _check_directory(check, spec, mod)
    return "%s is not from an installed distribution: %d native files in its directory" % (top, natives)


def native_report(check: Check, dist: Dist) -> NativeReport:
    """Cached: (wheel tags, [(file, os, archs)] of native files that do not fit, native files)."""
    cache: dict[int, NativeReport] = check.checker.native_cache
    key = id(dist)
    if key not in cache:
        bad = []
        natives = 0
        for name in dist.native_entries():
            found = native_arch(dist.locate_file(name))
            if found is None:
                continue
            natives += 1
            if not fits(found, check.target):
                bad.append((name, found[0], found[1]))
        cache[key] = (dist.wheel_tags(), bad, natives)
    return cache[key]


def _check_dist(check: Check, dist: Dist) -> None:
    tags, bad, natives = native_report(check, dist)
    name, version, _reqs = check.dists.headers(dist)
    pkg = wheel_name(name, version, tags)
    expected = "%s/%s" % check.target
    if bad:
        fname, osname, archs = bad[0]
        found = "%s/%s" % (osname, "+".join(archs))
        also = "\n".join("Also: %s (%s/%s)" % (b[0], b[1], "+".join(b[2])) for b in bad[1:6])
        raise Failure(
            "arch_mismatch",
            "Native extension architecture mismatch",
            "Package: %s\nExpected architecture: %s\nFound architecture: %s\nFile: %s%s"
            % (pkg, expected, found, fname, ("\n" + also) if also else ""),
            _RESOLUTION % expected,
            package=pkg,
            expected=expected,
            found=found,
            file=fname,
        )
    for tag in tags:
        try:
            interp, abi, plat = tag.split("-")
        except ValueError:
            continue
        plats = plat.split(".")
        if natives or plat != "any":
            if not any(wheel_plat_compatible(x, check.target) for x in plats):
                found = plat_label(plats[0])
                raise Failure(
                    "arch_mismatch",
                    "Native extension architecture mismatch",
                    "Package: %s\nExpected architecture: %s\nFound architecture: %s" % (pkg, expected, found),
                    _RESOLUTION % expected,
                    package=pkg,
                    expected=expected,
                    found=found,
                )
            if not abi_compatible(interp, abi):
                want = python_tag()
                raise Failure(
                    "abi_mismatch",
                    "Native extension built for another Python version",
                    "Package: %s\nExpected Python ABI: %s\nFound Python ABI: %s" % (pkg, want, abi),
                    "Install a build of %s for Python %d.%d (%s), or use pure Python implementation."
                    % (name, sys.version_info[0], sys.version_info[1], want),
                    package=pkg,
                    expected=want,
                    found=abi,
                )
        break  # one compatible tag set is enough


def _check_directory(check: Check, spec: Any, mod: str) -> int:
    """Native files in the module's own directory (no distribution records them)."""
    roots = list(spec.submodule_search_locations or [])
    if not roots and spec.origin and looks_native(spec.origin):
        found = native_arch(spec.origin)
        if found and not fits(found, check.target):
            _raise_dir_mismatch(check, mod, spec.origin, found)
        return 1
    count = 0
    seen = 0
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for fn in filenames:
                seen += 1
                if seen > 20000:
                    return count
                if not looks_native(fn):
                    continue
                path = os.path.join(dirpath, fn)
                found = native_arch(path)
                if found is None:
                    continue
                count += 1
                if not fits(found, check.target):
                    _raise_dir_mismatch(check, mod, path, found, root)
    return count


def _raise_dir_mismatch(check: Check, mod: str, path: str, found: Found, root: Optional[str] = None) -> None:
    expected = "%s/%s" % check.target
    foundtxt = "%s/%s" % (found[0], "+".join(found[1]))
    top = mod.split(".")[0]
    rel = os.path.relpath(path, os.path.dirname(root)) if root else path
    raise Failure(
        "arch_mismatch",
        "Native extension architecture mismatch",
        "Package: %s (directory %s)\nExpected architecture: %s\nFound architecture: %s\nFile: %s"
        % (top, os.path.dirname(root) if root else os.path.dirname(path), expected, foundtxt, rel),
        _RESOLUTION % expected,
        package=top,
        expected=expected,
        found=foundtxt,
        file=rel,
    )


# --------------------------------------------------------------------------------------
# platforms, binary headers and wheel tags


def _norm_os(name: str) -> str:
    if name.startswith("linux"):
        return "linux"
    if name == "darwin":
        return "darwin"
    if name in ("win32", "cygwin"):
        return "windows"
    if name.startswith("freebsd"):
        return "freebsd"
    return name


def target_platform() -> Platform:
    """(os, arch) of the running interpreter, in the names the report uses."""
    osname = _norm_os(sys.platform)
    try:
        machine = os.uname().machine
    except AttributeError:  # Windows
        machine = os.environ.get("PROCESSOR_ARCHITECTURE", "")
    arch = ARCH_ALIASES.get(machine.lower(), machine.lower())
    if struct.calcsize("P") == 4:  # a 32-bit Python on a 64-bit kernel
        arch = {"x86_64": "x86", "arm64": "arm"}.get(arch, arch)
    return osname, arch


def native_arch(path: str) -> Optional[Found]:
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
                    pe = head[off : off + 6]
                if pe[:4] == b"PE\0\0":
                    m = struct.unpack("<H", pe[4:6])[0]
                    return "windows", [_PE_MACHINES.get(m, "pe-machine-0x%x" % m)]
                return None
    except OSError:
        return None
    if head[:4] == b"\x7fELF" and len(head) >= 20:
        return _elf_arch(head)
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
            cpu = struct.unpack(">I", head[off : off + 4])[0]
            archs.append(_MACHO_CPUS.get(cpu, "macho-cpu-0x%x" % cpu))
        return "darwin", archs
    return None


def _elf_arch(head: bytes) -> Found:
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


def fits(found: Found, target: Platform) -> bool:
    osname, archs = found
    return osname == target[0] and target[1] in archs


def _linux_tag_arch(p: str) -> str:
    for prefix in _LINUX_PREFIXES:
        if p.startswith(prefix):
            return p[len(prefix) :]
    bits = p.split("_")  # manylinux_2_17_x86_64 / musllinux_1_1_aarch64
    return "_".join(bits[3:]) if len(bits) > 3 else bits[-1]


def wheel_plat_compatible(plat: str, target: Platform) -> bool:
    """Is one wheel platform tag usable on (os, arch)?"""
    osname, arch = target
    if plat == "any":
        return True
    p = plat.lower()
    if p.startswith(("linux", "manylinux", "musllinux")):
        if osname != "linux":
            return False
        tag_arch = _linux_tag_arch(p)
        return ARCH_ALIASES.get(tag_arch, tag_arch) == arch
    if p.startswith("macosx"):
        if osname != "darwin":
            return False
        tag_arch = p.split("_", 3)[-1] if p.count("_") >= 3 else p
        if tag_arch in ("universal2", "universal"):
            return arch in ("x86_64", "arm64")
        if tag_arch == "intel":
            return arch in ("x86_64", "x86")
        return ARCH_ALIASES.get(tag_arch, tag_arch) == arch
    if p.startswith("win"):
        if osname != "windows":
            return False
        return _WIN_ARCHS.get(p, p) == arch
    return True  # unknown tag family: say nothing


def plat_label(plat: str) -> str:
    """A wheel platform tag as ``os/arch`` (``manylinux_2_17_aarch64`` -> ``linux/arm64``)."""
    p = plat.lower()
    if p.startswith(("linux", "manylinux", "musllinux")):
        a = _linux_tag_arch(p)
        return "linux/" + ARCH_ALIASES.get(a, a)
    if p.startswith("macosx"):
        a = p.split("_", 3)[-1]
        return "darwin/" + ARCH_ALIASES.get(a, a)
    if p.startswith("win"):
        return "windows/" + _WIN_ARCHS.get(p, p)
    return p


def abi_compatible(interp: str, abi: str) -> bool:
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


def wheel_name(name: str, version: str, tags: list[str]) -> str:
    if tags:
        return "%s-%s-%s.whl" % (name.replace("-", "_"), version, tags[0])
    return "%s-%s" % (name, version)
