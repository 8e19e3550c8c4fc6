"""Accepted false positives: fingerprints listed in the project's ``.lsc-tui.yaml``.

::

    secrets:
      allow:
        - 3f9a0c1d2b4e5f60            # a fingerprint from `lsc-tui secrets scan`
        - fingerprint: 0a1b2c3d4e5f6071
          reason: test fixture, not a real key

The file is found and read by :mod:`lsc_tui.config.project` (the config's directory and its
parents, up to the repository root). Inline, a ``# lsc-tui: allow-secret`` comment on the
value's line does the same for one value.
"""

from __future__ import annotations

import re
from pathlib import Path

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.project import PROJECT_FILES, find_project_config, load_project_document  # noqa: F401
from lsc_tui.config.yaml.lint import YamlLoadError

# the settings of .lsc-tui.yaml (each has its reader: `lcore` in releases.detect, `secrets` here)
_PROJECT_KEYS = ("lcore", "secrets")
_NOT_USED = "nothing in it is allowed: every finding it meant stays reported"

_FP = re.compile(r"^[0-9a-f]{16}$")


def parse_allowlist(data: object) -> set[str]:
    out: set[str] = set()
    section = data.get("secrets") if isinstance(data, dict) else None
    items = section.get("allow") if isinstance(section, dict) else None
    for item in items or []:
        fp = item.get("fingerprint") if isinstance(item, dict) else item
        if isinstance(fp, str) and _FP.match(fp.strip().lower()):
            out.add(fp.strip().lower())
    return out


def load_allowlist(start: Path) -> tuple[set[str], Path | None]:
    path = find_project_config(start)
    if path is None:
        return set(), None
    try:
        doc = load_project_document(start)
    except YamlLoadError:  # an unusable allowlist allows nothing (every finding stays reported)
        return set(), path
    return (parse_allowlist(doc.data) if doc is not None else set()), path


def allowlist_problems(start: Path) -> list[Finding]:
    """Why the project file above ``start`` allows less than it seems to: it cannot be read, a key
    is misspelt (``secret:``, ``secrets.allowed``), an entry is no fingerprint. Warnings, located
    (an entry's text is never repeated: it may be the value it was meant to allow)."""
    path = find_project_config(start)
    if path is None:
        return []
    try:
        doc = load_project_document(start)
    except YamlLoadError as exc:
        f = exc.finding
        return [
            Finding(
                str(path),
                f.line,
                f.column,
                Severity.WARNING,
                "allowlist-unread",
                f"cannot be read ({f.message}); {_NOT_USED}",
                f.fix,
            )
        ]
    if doc is None or not isinstance(doc.data, dict):
        return []
    out: list[Finding] = []

    def warn(loc: tuple[object, ...], code: str, message: str, fix: str) -> None:
        line, column = doc.position(loc)
        out.append(Finding(str(path), line, column, Severity.WARNING, code, message, fix, loc))

    for key in doc.data:
        if key not in _PROJECT_KEYS:
            warn(
                (key,),
                "allowlist-key",
                f"`{key}` is not a setting of {path.name}; {_NOT_USED} under it",
                "Use `secrets:` with `allow:` (a list of fingerprints), or `lcore:`.",
            )
    section = doc.data.get("secrets")
    if isinstance(section, dict):
        for key in section:
            if key != "allow":
                warn(
                    ("secrets", key),
                    "allowlist-key",
                    f"`secrets.{key}` is not a setting; {_NOT_USED} under it",
                    "List the fingerprints under `secrets.allow:`.",
                )
        items = section.get("allow")
        for i, item in enumerate(items if isinstance(items, list) else []):
            fp = item.get("fingerprint") if isinstance(item, dict) else item
            if not (isinstance(fp, str) and _FP.match(fp.strip().lower())):
                warn(
                    ("secrets", "allow", i),
                    "allowlist-entry",
                    "this entry is no fingerprint (16 hex digits), so it allows nothing",
                    "Copy the fingerprint `lsc-tui secrets scan` prints for the finding.",
                )
    return out
