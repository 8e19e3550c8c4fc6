"""Themes (YAML files turned into Textual themes) and the user's persisted settings.

Themes are loaded from the package's ``data/themes/*.yaml`` (the shipped dark, light and
high-contrast themes; the repository's top-level ``themes/`` holds identical copies) and
then from ``$XDG_CONFIG_HOME/lsc-tui/themes/*.yaml`` (the operator's own). A broken file is
reported, never fatal. The chosen theme is remembered in
``$XDG_CONFIG_HOME/lsc-tui/settings.yaml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from textual.color import Color, ColorParseError
from textual.theme import Theme

from lsc_tui.config.yaml.document import Loader
from lsc_tui.config.yaml.files import ReadRefused
from lsc_tui.config.yaml.document import load_data
from lsc_tui.config.yaml.files import write_file

DEFAULT_THEME = "lsc-dark"
SHIPPED = ("lsc-dark", "lsc-light", "lsc-high-contrast")
_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
# Variables our stylesheet uses; every theme gets a fallback for each.
VARIABLE_DEFAULTS = {
    "diff-added": "green",
    "diff-removed": "red",
    "diff-hunk": "cyan",
    "node-secret": "magenta",
    "node-override": "cyan",
}


@dataclass
class ThemeLoad:
    themes: list[Theme] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file: problem"


def config_home() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "lsc-tui"


def user_theme_dir() -> Path:
    return config_home() / "themes"


def settings_path() -> Path:
    return config_home() / "settings.yaml"


def _check_color(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a colour string")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(f"{name}: '{value}' is not a colour (use #RRGGBB, a colour name or ansi_*)") from None
    return value


def theme_from_data(data: object, where: str) -> Theme:
    """A Textual Theme from a theme file's data. Raises ValueError with a readable message."""
    if not isinstance(data, dict):
        raise ValueError("a theme file is a mapping (name: ..., primary: ...)")
    unknown = set(data) - set(_FIELDS) - {"name", "dark", "ansi", "variables", "description", "author"}
    if unknown:
        raise ValueError(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("'name' is required")
    if "primary" not in data:
        raise ValueError("'primary' is required")
    # the colours by Theme's keyword (each checked); Any: Theme's other keywords are floats
    kwargs: dict[str, Any] = {k: _check_color(k, data[k]) for k in _FIELDS if k in data}
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise ValueError("'variables' must be a mapping")
    merged = dict(VARIABLE_DEFAULTS)
    for key, value in variables.items():
        merged[str(key)] = str(value)
    return Theme(
        name=name.strip(),
        dark=bool(data.get("dark", True)),
        ansi=bool(data.get("ansi", False)),
        variables=merged,
        **kwargs,
    )


# the package's own files (lsc-tui installs as files, never zipped): read from the package's
# folder, as importlib.resources would, without its import (about 8 ms before the first paint)
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "themes"


def shipped_theme_files() -> list[Path]:
    return sorted((p for p in SHIPPED_DIR.iterdir() if p.name.endswith((".yaml", ".yml"))), key=lambda p: p.name)


def _load_yaml(text: str):
    """Safe loading with the C loader where PyYAML has it (start-up reads these files)."""
    return yaml.load(text, Loader=Loader)


def load_themes(extra_dirs: list[Path] | None = None) -> ThemeLoad:
    result = ThemeLoad()
    shipped = shipped_theme_files()
    sources = list(shipped)
    for folder in [user_theme_dir(), *(extra_dirs or [])]:
        if folder.is_dir():
            sources.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")))
    for src in sources:
        label = src.name
        try:
            if src not in shipped:  # the user's files: the guarded reader (no FIFO hangs start-up)
                data = load_data(src, label)
            else:
                data = _load_yaml(src.read_text(encoding="utf-8"))
            result.themes.append(theme_from_data(data, label))
        except (OSError, yaml.YAMLError, ValueError, ReadRefused) as exc:
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            result.errors.append(f"{label}: {msg}")
    return result


# -- settings -----------------------------------------------------------------------------


def read_settings() -> dict:
    path = settings_path()
    if not path.is_file():  # none yet, the usual case: the defaults, without building the reader's refusal
        return {}
    try:
        data = load_data(path)
    except ReadRefused:  # none yet, or unusable: the defaults apply
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value) -> str | None:
    """Remember one setting. Returns why it could not be remembered (a read-only home, ...),
    for the editor to say so; None when it was."""
    data = read_settings()
    if data.get(key) == value:
        return None
    data[key] = value
    path = settings_path()

    try:
        write_file(path, yaml.safe_dump(data, sort_keys=True))
    except OSError as exc:
        return f"{path}: {exc.strerror or exc}"
    return None
