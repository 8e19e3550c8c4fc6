"""``.env`` files: read them the way the common loaders do, merge new variables in, keep the rest.

:func:`load` reads one as the environment LCORE runs with (``--env-file``, ``export k8s``, the
editor's server-environment dialog): a line that is not blank, a ``#`` comment or
``[export ]NAME=value`` is a located finding (a warning; an error when no line at all is
``NAME=value``: that file is not an env file). Findings never quote a line: it may hold a secret.

Values are written unquoted when they only use a safe character set, otherwise single-quoted
(``\\`` and ``'`` escaped, as python-dotenv reads them). Multi-line values are refused: they go
to their own 0600 file. Existing lines and comments are kept byte for byte.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lsc_tui.config.findings import Finding, FindingError, Severity
from lsc_tui.config.yaml import files

SAFE_VALUE = re.compile(r"^[A-Za-z0-9._~+/=:@%,\-]*$")
_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?P<rest>.*)$", re.S)


class EnvFileError(Exception):
    """A .env problem. Messages name variables, never values."""


@dataclass
class EnvEntry:
    name: str | None  # None for comments, blank lines and lines that are not NAME=value
    value: str | None
    raw: str  # the exact text of the entry, newline included
    line: int = 0  # 1-based number of its first line
    problem: str = ""  # why a line that is not blank nor a comment is no NAME=value ("" when fine)
    column: int = 0  # 1-based column of the problem


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
        if not stripped or stripped.startswith("#"):
            entries.append(EnvEntry(None, None, line, i + 1))
            i += 1
            continue
        m = _LINE.match(line)
        if not m:
            entries.append(EnvEntry(None, None, line, i + 1, *_line_problem(line)))
            i += 1
            continue
        raw, first = line, i
        value, closed = _unquote(m.group("rest"))
        while not closed and i + 1 < len(lines):  # a quoted value spanning lines
            i += 1
            raw += lines[i]
            value, closed = _unquote(raw[m.start("rest") :])  # the same line, continued
        if not closed:  # never closed: the loaders drop the line and read on from the next one
            problem = f"unclosed-quote:{m.group('name')}"
            entries.append(EnvEntry(None, None, line, first + 1, problem, m.start("rest") + 1))
            i = first + 1
            continue
        entries.append(EnvEntry(m.group("name"), value, raw, first + 1))
        i += 1
    return entries


_NAME_START = re.compile(r"\s*(?:export\s+)?")  # matches every line (it may match nothing)


def _line_problem(line: str) -> tuple[str, int]:
    """``(problem, column)`` of a line that is neither blank, a comment nor NAME=value."""
    start = _NAME_START.match(line)
    column = (start.end() if start else 0) + 1
    if "=" not in line:
        return "no-equals", column
    return "bad-name", column


def values(text: str) -> dict[str, str]:
    """name -> value; the last assignment wins, as in every loader."""
    return {e.name: e.value for e in parse(text) if e.name is not None and e.value is not None}


def read(path: Path) -> dict[str, str]:
    """The values of a .env file ({} when it does not exist), read through the guarded reader
    (raises files.ReadRefused for a FIFO, a device, an unreadable or oversized file)."""
    return values(files.read_optional_text(path) or "")


# -- reading an env file as the server's environment --------------------------------------------

FORMAT_FIX = "Write NAME=value lines (a .env file): one a line, `export ` allowed, `#` for comments"
READ_FIX = (
    "Give a text file of NAME=value lines (a .env, or a Secret's data); "
    "relative paths are taken from the current directory."
)
_YAML_LINE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*:(?:\s|$)")
MAX_LINE_FINDINGS = 20


class EnvFileUnusable(FindingError):
    """An env file that cannot be used: unreadable, or no env file at all (no NAME=value line)."""


@dataclass
class EnvRead:
    """The variables of an env file, and a warning for each line that is not NAME=value."""

    values: dict[str, str]
    findings: list[Finding]


def _problem_text(entry: EnvEntry) -> tuple[str, str]:
    """``(message, fix)`` for a line that is not NAME=value; never quotes the line (a secret)."""
    n = entry.line
    if entry.problem.startswith("unclosed-quote:"):
        name = entry.problem.partition(":")[2]
        return (
            f"line {n}: the value of {name} opens a quote that is never closed; the line is ignored",
            "Close the quote (on the same line, or on a later one for a multi-line value), or remove it.",
        )
    if entry.problem == "no-equals":
        return (
            f"line {n} is not NAME=value (it has no '='); it is ignored",
            FORMAT_FIX + "; NAME= for an empty value, or remove the line.",
        )
    return (
        f"line {n} is not NAME=value (what comes before '=' is not a variable name); it is ignored",
        FORMAT_FIX + "; NAME is letters, digits and '_', not starting with a digit; or remove the line.",
    )


def check(text: str, display: str) -> EnvRead:
    """The variables of an env file's text, with a located warning for each line that is not
    blank, a comment or NAME=value. Raises :class:`EnvFileUnusable` when lines are there but
    none is NAME=value (a YAML config given by mistake): nothing may be checked against it."""
    entries = parse(text[1:] if text.startswith("\ufeff") else text)
    bad = [e for e in entries if e.problem]
    good = {e.name: e.value for e in entries if e.name is not None and e.value is not None}
    if bad and not good:
        first = bad[0]
        yaml = sum(1 for e in bad if _YAML_LINE.match(e.raw)) * 2 >= len(bad)
        why = {"no-equals": "has no '='", "bad-name": "has no variable name before '='"}.get(
            first.problem, "opens a quote that is never closed"
        )
        raise EnvFileUnusable(
            Finding(
                display,
                first.line,
                first.column,
                Severity.ERROR,
                "env-file-format",
                f"not an env file: no line is NAME=value (line {first.line}, the first that is not blank "
                f"or a comment, {why})" + ("; it reads as YAML, a config rather than an env file" if yaml else ""),
                FORMAT_FIX + "; or name the env file itself instead of this one.",
            )
        )
    findings = []
    for entry in bad[:MAX_LINE_FINDINGS]:
        message, fix = _problem_text(entry)
        findings.append(Finding(display, entry.line, entry.column, Severity.WARNING, "env-file-line", message, fix))
    if len(bad) > MAX_LINE_FINDINGS:
        rest = bad[MAX_LINE_FINDINGS:]
        findings.append(
            Finding(
                display,
                rest[0].line,
                rest[0].column,
                Severity.WARNING,
                "env-file-line",
                f"{len(rest)} more lines from line {rest[0].line} on are not NAME=value; they are ignored",
                FORMAT_FIX + ".",
            )
        )
    return EnvRead(good, findings)


def load(path: Path | str, display: str | None = None) -> EnvRead:
    """:func:`check` of a file read through the guarded reader (a FIFO or a device is refused at
    once, never waited on). Raises :class:`EnvFileUnusable` with one located finding."""
    display = display or str(path)
    try:
        text = files.read_text(path, display)[0]
    except files.ReadRefused as exc:
        f = exc.finding
        # the reader's fix speaks of YAML configs: an env file gets its own
        raise EnvFileUnusable(
            Finding(
                f.file, f.line, f.column, Severity.ERROR, "env-file", f"cannot read the env file: {f.message}", READ_FIX
            )
        ) from None
    return check(text, display)


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
