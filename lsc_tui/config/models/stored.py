"""lsc_tui/data/core_schemas.json, read once: the models' core schemas and file settings in a
form that needs no pydantic (store_schemas.py writes it; verdict.py and files.py read it)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

STORED_PATH = Path(__file__).resolve().parents[2] / "data" / "core_schemas.json"


@functools.cache
def stored() -> dict[str, Any]:
    with open(STORED_PATH, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data
