"""The settings of lightspeed-stack.yaml that LCORE types as files that must exist.

LCORE declares them as pydantic ``FilePath``: the config does not load unless each names an
existing file. The models mark them with ``LCORE_FILE``; this walks a config's data along its
model and yields each such value with its key path.
"""

from __future__ import annotations

import typing
from typing import Any
from collections.abc import Iterator

from pydantic import BaseModel

from lsc_tui.config.models._types import LCORE_FILE

_FIELDS: dict[type, list[tuple[str, bool, tuple[type, ...]]]] = {}


def _parts(annotation: Any) -> tuple[bool, tuple[type, ...]]:
    """(marked as a file, the model classes the annotation can hold)."""
    marked, models = False, []
    stack = [annotation]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            models.append(tp)
            continue
        if typing.get_origin(tp) is typing.Annotated:
            marked = marked or any(m is LCORE_FILE for m in tp.__metadata__)
            stack.append(typing.get_args(tp)[0])
            continue
        stack.extend(a for a in typing.get_args(tp) if a is not type(None))
    return marked, tuple(models)


def _fields(model: type[BaseModel]) -> list[tuple[str, bool, tuple[type, ...]]]:
    hit = _FIELDS.get(model)
    if hit is None:
        hit = []
        for name, info in model.model_fields.items():
            marked, models = _parts(info.annotation)
            if marked or models:
                hit.append((info.alias or name, marked, models))
        _FIELDS[model] = hit
    return hit


def file_settings(
    model: type[BaseModel], data: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every ``(key path, value)`` in ``data`` that LCORE requires to be an existing file."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield from file_settings(model, item, path + (index,))
        return
    if not isinstance(data, dict):
        return
    for key, marked, models in _fields(model):
        value = data.get(key)
        if value is None:
            continue
        if marked and isinstance(value, str):
            yield path + (key,), value
        for sub in models:
            yield from file_settings(sub, value, path + (key,))
