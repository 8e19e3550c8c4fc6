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

from lsc_tui.config.project import PROJECT_FILES, find_project_config, load_project_document  # noqa: F401
from lsc_tui.config.yaml.lint import YamlLoadError

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
