"""Accepted false positives: fingerprints listed in the project's ``.lsc-tui.yaml``.

::

    secrets:
      allow:
        - 3f9a0c1d2b4e5f60            # a fingerprint from `lsc-tui secrets scan`
        - fingerprint: 0a1b2c3d4e5f6071
          reason: test fixture, not a real key

The file is looked for in the config's directory and its parents, up to the repository root
(the first directory holding ``.git``). Inline, a ``# lsc-tui: allow-secret`` comment on the
value's line does the same for one value.
"""

from __future__ import annotations

import re
from pathlib import Path

PROJECT_FILES = (".lsc-tui.yaml", ".lsc-tui.yml")
_FP = re.compile(r"^[0-9a-f]{16}$")


def find_project_config(start: Path) -> Path | None:
    try:
        here = Path(start).resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        for name in PROJECT_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        if (folder / ".git").exists():
            return None
    return None


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
    from lsc_tui.config.yaml.document import load_data
    from lsc_tui.config.yaml.lint import YamlLoadError

    try:
        data = load_data(path)
    except YamlLoadError:  # an unusable allowlist allows nothing (every finding stays reported)
        return set(), path
    return parse_allowlist(data), path
