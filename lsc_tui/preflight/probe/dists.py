"""Installed distributions, read straight from their metadata directories.

The few things preflight needs (metadata headers, RECORD paths, requirements and the
markers that select them) without importing ``importlib.metadata`` and its email parser,
which cost more than everything else the probe does at start-up: a Llama Stack environment
has hundreds of distributions.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
Headers = tuple[str, str, list[str]]  # name, version, Requires-Dist


def looks_native(name: str) -> bool:
    low = name.lower()
    return low.endswith(NATIVE_SUFFIXES) or ".so." in low


def _record_name(line: str) -> str:
    name = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1].replace('""', '"')
    return name


class Dist:
    """One installed distribution: its ``.dist-info`` or ``.egg-info`` directory."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.base = os.path.dirname(path)
        stem = os.path.basename(path).rsplit(".", 1)[0]
        self.dir_version = stem.split("-")[1] if stem.count("-") >= 1 else None
        self._version: Optional[str] = None

    def read_text(self, name: str) -> Optional[str]:
        try:
            with open(os.path.join(self.path, name), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def locate_file(self, rel: str) -> str:
        return os.path.join(self.base, rel)

    def names(self) -> list[str]:
        """Paths of the installed files, relative to ``base`` (RECORD, or installed-files.txt)."""
        record = self.read_text("RECORD")
        if record is not None:
            return [_record_name(line) for line in record.splitlines() if line]
        files = self.read_text("installed-files.txt")
        if files is not None:  # egg-info: relative to the metadata directory
            rel = os.path.relpath(self.path, self.base)
            return [os.path.normpath(os.path.join(rel, n)) for n in files.splitlines() if n]
        return []

    def native_entries(self) -> list[str]:
        """Paths in RECORD that look like native code.

        Filters RECORD's lines as text before splitting them: far cheaper than parsing every
        line of the big distributions a Llama Stack environment has.
        """
        record = self.read_text("RECORD")
        if record is None:
            return [n for n in self.names() if looks_native(n)]
        out = []
        for line in record.splitlines():
            if (
                ".so" not in line
                and ".pyd" not in line
                and ".dylib" not in line
                and ".dll" not in line
                and ".SO" not in line
                and ".PYD" not in line
                and ".DLL" not in line
            ):
                continue
            name = _record_name(line)
            if looks_native(name):
                out.append(name)
        return out

    def wheel_tags(self) -> list[str]:
        return [
            line.split(":", 1)[1].strip()
            for line in (self.read_text("WHEEL") or "").splitlines()
            if line.lower().startswith("tag:")
        ]

    @property
    def version(self) -> str:
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


def norm(name: str) -> str:
    """A distribution name as PEP 503 compares it (case, ``_`` and ``.`` folded to ``-``)."""
    return "".join("-" if ch in "_." else ch for ch in name.lower())


class DistIndex:
    """Installed distributions: lookups by name, cached for the life of the probe."""

    def __init__(self) -> None:
        self._by_name: dict[str, Optional[Dist]] = {}
        self._dirs: Optional[dict[str, str]] = None
        self._headers: dict[int, Headers] = {}

    def _index(self) -> dict[str, str]:
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
                            self._dirs.setdefault(norm(dname), os.path.join(entry or ".", n))
        return self._dirs

    def get(self, name: str) -> Optional[Dist]:
        key = norm(name)
        if key not in self._by_name:
            path = self._index().get(key)
            self._by_name[key] = Dist(path) if path is not None else None
        return self._by_name[key]

    def owner_of(self, top: str, spec: Any = None) -> Optional[Dist]:
        """The distribution that ships top-level module ``top`` (None for a plain directory).

        Tries the module's own name first, then only the metadata directories that sit in the
        same sys.path entry as the module: a distribution always installs its metadata next
        to its code.
        """
        for guess in (top, top.replace("_", "-")):
            dist = self.get(guess)
            if dist is not None and _ships(dist, top):
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
                dist = Dist(os.path.join(where, n))
                if _ships(dist, top):
                    return dist
        return None

    def headers(self, dist: Dist) -> Headers:
        """(name, version, [Requires-Dist]) read straight from METADATA, cached."""
        key = id(dist)
        if key not in self._headers:
            self._headers[key] = _read_headers(dist)
        return self._headers[key]

    def requirements(self, dist: Dist) -> list[str]:
        out = []
        for req in self.headers(dist)[2]:
            name, marker = split_requirement(req)
            if name and (marker is None or marker_true(marker)):
                out.append(name)
        return out

    def closure(self, dist: Dist, limit: int = 400) -> list[Dist]:
        """``dist`` and every installed distribution it requires, transitively."""
        seen: dict[str, Dist] = {}
        todo = [dist]
        while todo and len(seen) < limit:
            d = todo.pop(0)
            key = norm(self.headers(d)[0])
            if key in seen:
                continue
            seen[key] = d
            for name in self.requirements(d):
                dep = self.get(name)
                if dep is not None and norm(name) not in seen:
                    todo.append(dep)
        return list(seen.values())


def _ships(dist: Dist, top: str) -> bool:
    tl = dist.read_text("top_level.txt")
    if tl:
        return top in tl.split()
    for f in dist.names():
        first = str(f).replace("\\", "/").split("/")[0]
        if first in (top, top + ".py") or first.startswith(top + "."):
            return True
    return False


def _read_headers(dist: Dist) -> Headers:
    name = version = None
    reqs: list[str] = []
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
    return (name or "?", version or dist.version, reqs)


# --------------------------------------------------------------------------------------
# requirements and PEP 508 markers


def split_requirement(req: str) -> tuple[str, Optional[str]]:
    """``name`` and the marker (or None) of a requirement string."""
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


def _marker_env() -> dict[str, str]:
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


_MENV: dict[str, str] = {}
Token = Any  # a str (name, operator, parenthesis) or ("str", literal)


def marker_true(marker: str) -> bool:
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


def _tokenize(s: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(c)
            i += 1
        elif c in "'\"":
            j = s.index(c, i + 1)
            out.append(("str", s[i + 1 : j]))
            i = j + 1
        elif s.startswith(("<=", ">=", "==", "!=", "~="), i):
            out.append(s[i : i + 2])
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


def _parse_or(t: list[Token]) -> tuple[bool, list[Token]]:
    v, t = _parse_and(t)
    while t and t[0] == "or":
        w, t = _parse_and(t[1:])
        v = v or w
    return v, t


def _parse_and(t: list[Token]) -> tuple[bool, list[Token]]:
    v, t = _parse_atom(t)
    while t and t[0] == "and":
        w, t = _parse_atom(t[1:])
        v = v and w
    return v, t


def _parse_atom(t: list[Token]) -> tuple[bool, list[Token]]:
    if t[0] == "(":
        v, t = _parse_or(t[1:])
        return v, t[1:]
    left, op, right = t[0], t[1], t[2]
    rest = t[3:]
    if op == "not" and right == "in":
        right, rest = t[3], t[4:]
        op = "not in"
    lv = left[1] if isinstance(left, tuple) else _MENV.get(left, "")
    rv = right[1] if isinstance(right, tuple) else _MENV.get(right, "")
    if (left == "extra") or (right == "extra"):
        return False, rest  # extras are not installed unless asked for
    return _compare(lv, op, rv), rest


def _vtuple(v: str) -> tuple[int, ...]:
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


def _compare(a: str, op: str, b: str) -> bool:
    if op == "in":
        return a in b
    if op == "not in":
        return a not in b
    if op in ("==", "!="):
        eq = a == b or (a.replace(".", "").isdigit() and b.replace(".", "").isdigit() and _vtuple(a) == _vtuple(b))
        return eq if op == "==" else not eq
    x, y = _vtuple(a), _vtuple(b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "~=": x >= y}.get(op, True)
