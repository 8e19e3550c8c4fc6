"""The settings of lightspeed-stack.yaml that LCORE types as files that must exist.

LCORE declares them as pydantic ``FilePath``: the config does not load unless each names an
existing file. The models mark them with ``LCORE_FILE``; store_schemas.py lists them per model
in lsc_tui/data/core_schemas.json, and this walks a config's data along that list (no pydantic:
the one-shot commands check files without loading the models).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lsc_tui.config.models.stored import stored


def file_settings(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every ``(key path, value)`` in a lightspeed-stack.yaml's ``data`` that LCORE requires to be
    an existing file."""
    table = stored()["file_settings"]
    yield from _walk(table["models"], table["root"], data, ())


def _walk(
    models: dict[str, list[Any]], model: str, data: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield from _walk(models, model, item, path + (index,))
        return
    if not isinstance(data, dict):
        return
    for key, marked, subs in models[model]:
        value = data.get(key)
        if value is None:
            continue
        if marked and isinstance(value, str):
            yield path + (key,), value
        for sub in subs:
            yield from _walk(models, sub, value, path + (key,))
