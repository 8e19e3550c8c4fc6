"""Named distributions: the operator's distributions.json and the embedded base configs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from lsc_tui.config.yaml.document import Loader


def _data_dir() -> Path:
    # lsc_tui/data is package data (not a package): address it by path, as synthesis does
    return Path(__file__).resolve().parent.parent.parent / "data" / "distributions"


def distribution_images() -> dict[str, str]:
    """Distribution name -> image, from the operator's distributions.json."""
    images = json.loads(_data_dir().joinpath("distributions.json").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in images.items()}


def embedded_names() -> list[str]:
    return sorted(p.name for p in _data_dir().iterdir() if p.is_dir() and p.joinpath("config.yaml").is_file())


def base_config_text(name: str) -> str | None:
    """The embedded base config.yaml of a named distribution, or None."""
    f = _data_dir().joinpath(name, "config.yaml")
    if not f.is_file():
        return None
    return f.read_text(encoding="utf-8")


def base_config(name: str) -> dict[str, Any] | None:
    text = base_config_text(name)
    if text is None:
        return None
    data = yaml.load(text, Loader=Loader)
    return data if isinstance(data, dict) else None
