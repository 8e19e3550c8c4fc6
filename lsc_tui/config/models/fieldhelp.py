"""What the editor shows next to a field: its description, default and allowed values.

``field_help("lightspeed-stack", data, ("service", "port"))`` looks the field up in the same
models that validate the file, so a form never disagrees with the validator.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic_core import PydanticUndefined

from lsc_tui.config.models._types import ENV
from lsc_tui.config.models.issues import model_at
from lsc_tui.config.models.schema import _root_model


@dataclass(frozen=True)
class FieldHelp:
    name: str
    description: str
    required: bool
    default: Any  # None when there is no simple default
    choices: tuple[Any, ...]  # allowed words of a fixed-choice field, else ()
    accepts_env: bool  # a ${env.*} reference is accepted in place of the typed value
    secret: bool  # the value is a secret (shown masked, better as an env reference)
    keys: tuple[str, ...]  # for a section (a model): the keys it accepts; else ()
    deprecated: bool


def _root(which: str) -> type[BaseModel]:
    return _root_model(which)


def _scan(ann: Any, meta: list[Any], found: dict[str, Any]) -> None:
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        meta = list(ann.__metadata__)
        if any(m is ENV for m in meta):
            found["env"] = True
        _scan(ann.__origin__, meta, found)
        return
    if origin is typing.Literal:
        found.setdefault("choices", []).extend(a for a in typing.get_args(ann) if a not in found.get("choices", []))
        return
    if ann is SecretStr:
        found["secret"] = True
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(ann):
            _scan(arg, meta, found)


def field_help(which: str, data: Any, path: tuple[str | int, ...]) -> FieldHelp | None:
    """Help for the key at ``path`` (``which`` is ``lightspeed-stack`` or ``run-yaml``), or None."""
    if not path or not isinstance(path[-1], str):
        return None
    root = _root(which)
    model = model_at(root, data, tuple(path[:-1]))
    if model is None or path[-1] not in model.model_fields:
        return None
    field = model.model_fields[path[-1]]
    found: dict[str, Any] = {}
    _scan(field.annotation, [], found)
    if any(m is ENV for m in field.metadata):
        found["env"] = True
    default = field.default
    if default is PydanticUndefined or isinstance(default, (dict, list, SecretStr)):
        default = None
    section = model_at(root, data, tuple(path))
    return FieldHelp(
        name=path[-1],
        description=field.description or "",
        required=field.is_required(),
        default=default,
        choices=tuple(found.get("choices", ())),
        accepts_env=bool(found.get("env")),
        secret=bool(found.get("secret")),
        keys=tuple(section.model_fields) if section is not None else (),
        deprecated=bool(field.deprecated),
    )
