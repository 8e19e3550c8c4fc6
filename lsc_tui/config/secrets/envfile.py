"""``.env`` files: read them the way the common loaders do, merge new variables in, keep the rest.

Values are written unquoted when they only use a safe character set, otherwise single-quoted
(``\\`` and ``'`` escaped, as python-dotenv reads them). Multi-line values are refused: they go
to their own 0600 file. Existing lines and comments are kept byte for byte.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lsc_tui.config.yaml import files

SAFE_VALUE = re.compile(r"^[A-Za-z0-9._~+/=:@%,\-]*$")
_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?P<rest>.*)$", re.S)


class EnvFileError(Exception):
    """A .env problem. Messages name variables, never values."""


@dataclass
class EnvEntry:
    name: str | None  # None for comments and blank lines
    value: str | None
    raw: str  # the exact text of the entry, newline included


def _unquote(rest: str) -> tuple[str, bool]:
    """Value of the text after ``=``; second item False when a quote is not closed."""
    rest = rest.rstrip("\r\n")
    if rest[:1] in ("'", '"'):
        q = rest[0]
        i, out = 1, []
        while i < len(rest):
            ch = rest[i]
            if ch == "\\" and i + 1 < len(rest):
                nxt = rest[i + 1]
                if q == "'" and nxt in "\\'":
                    out.append(nxt)
                    i += 2
                    continue
                if q == '"':
                    out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}.get(nxt, "\\" + nxt))
                    i += 2
                    continue
            if ch == q:
                return "".join(out), True
            out.append(ch)
            i += 1
        return "".join(out), False
    m = re.search(r"\s+#", rest)
    if m:
        rest = rest[: m.start()]
    return rest.strip(), True


def parse(text: str) -> list[EnvEntry]:
    entries: list[EnvEntry] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        m = _LINE.match(line) if stripped and not stripped.startswith("#") else None
        if not m:
            entries.append(EnvEntry(None, None, line))
            i += 1
            continue
        raw = line
        value, closed = _unquote(m.group("rest"))
        while not closed and i + 1 < len(lines):  # a quoted value spanning lines
            i += 1
            raw += lines[i]
            value, closed = _unquote(raw[m.start("rest") :])  # the same line, continued
        entries.append(EnvEntry(m.group("name"), value, raw))
        i += 1
    return entries


def values(text: str) -> dict[str, str]:
    """name -> value; the last assignment wins, as in every loader."""
    return {e.name: e.value for e in parse(text) if e.name is not None and e.value is not None}


def read(path: Path) -> dict[str, str]:
    """The values of a .env file ({} when it does not exist), read through the guarded reader
    (raises files.ReadRefused for a FIFO, a device, an unreadable or oversized file)."""
    return values(files.read_optional_text(path) or "")


def format_line(name: str, value: str) -> tuple[str, list[str]]:
    if "\n" in value or "\r" in value:
        raise EnvFileError(f"{name} is a multi-line value; it goes to its own file, not into .env")
    if SAFE_VALUE.match(value):
        return f"{name}={value}\n", []
    quoted = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    notes = [
        f"{name} is written single-quoted: Docker Compose and python-dotenv remove the quotes, "
        "but `docker run --env-file` keeps them as part of the value"
    ]
    if "$" in value:
        notes.append(
            f"{name} contains '$': python-dotenv and Compose may expand it; load the file with "
            "interpolation off (python-dotenv: interpolate=False)"
        )
    return f"{name}={quoted}\n", notes


def merge(text: str, new: dict[str, str]) -> tuple[str, list[str], list[str], list[str]]:
    """Merge ``new`` into a .env text: (text, added names, names already set to the same value, notes).

    A name already set to a different value raises EnvFileError (the value is not shown).
    """
    current = values(text)
    clashes = [n for n, v in new.items() if n in current and current[n] != v]
    if clashes:
        raise EnvFileError(
            "already set to a different value in the .env file: "
            + ", ".join(sorted(clashes))
            + " (choose other names, or edit the .env file yourself)"
        )
    added, same, notes, lines = [], [], [], []
    for name, value in new.items():
        if name in current:
            same.append(name)
            continue
        line, n = format_line(name, value)
        lines.append(line)
        notes.extend(n)
        added.append(name)
    out = text
    if lines:
        eol = line_ending(text)
        if out and not out.endswith("\n"):
            out += eol
        out += "".join(line.replace("\n", eol) for line in lines)
    return out, added, same, notes


def line_ending(text: str) -> str:
    """The file's own line ending: CRLF when its lines end so, else LF."""
    return "\r\n" if "\r\n" in text and text.count("\r\n") * 2 >= text.count("\n") else "\n"


def git_warnings(path: Path) -> list[str]:
    """Warn when a file that holds secrets is tracked by git, or would be added by `git add`."""
    path = Path(path)
    folder = path.parent if path.parent.exists() else Path.cwd()
    try:
        inside = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True, timeout=10
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return []
        tracked = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "--error-unmatch", "--", path.name],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if tracked.returncode == 0:
            return [
                f"{path} is tracked by git: its secrets would be committed. Run `git rm --cached {path.name}` "
                f"and add it to .gitignore"
            ]
        ignored = subprocess.run(
            ["git", "-C", str(folder), "check-ignore", "-q", "--", path.name],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if ignored.returncode != 0:
            return [f"{path} is not ignored by git: add `{path.name}` to .gitignore so that it is never committed"]
    except (OSError, subprocess.SubprocessError):
        return []
    return []
