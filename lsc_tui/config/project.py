"""The project's own settings file, ``.lsc-tui.yaml``: where it is and what it holds.

::

    lcore: "0.6"              # the LCORE release this project runs (see docs/lcore-versions.md)
    secrets:
      allow: [3f9a0c1d2b4e5f60]

The file is looked for in the config's directory and its parents, up to the repository root
(the first directory holding ``.git``). Each setting has its own reader (the secret allowlist,
the target release); this module only finds and parses the file, once, for all of them.
"""

from __future__ import annotations

from pathlib import Path

from lsc_tui.config.yaml.document import Document, load_document

PROJECT_FILES = (".lsc-tui.yaml", ".lsc-tui.yml")


def find_project_config(start: Path) -> Path | None:
    try:
        here = Path(start).resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        for name in PROJECT_FILES:
            candidate = folder / name
            try:
                if candidate.is_file():
                    return candidate
            except PermissionError:
                # a folder lsc-tui may not enter: the config below it cannot be read either, and
                # reading the config reports that (naming the config, not this settings file)
                return None
        if (folder / ".git").exists():
            return None
    return None


def load_project_document(start: Path) -> Document | None:
    """The project file's located document (``yaml.document.Document``) for a config in ``start``, or
    None when there is none. Raises ``YamlLoadError`` (located) when it cannot be read as YAML."""
    path = find_project_config(start)
    if path is None:
        return None
    return load_document(path, str(path))
