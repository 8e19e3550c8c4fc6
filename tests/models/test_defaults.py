"""A section absent from a file defaults to ``Section.model_construct()``: it must be what
``Section()`` validates to, so the validation of a file without that section is unchanged."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from lsc_tui.config.models.lightspeed import LightspeedStackConfig
from lsc_tui.config.models.run_yaml import RunConfig


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    stack: list[typing.Any] = [root]
    while stack:
        ann = stack.pop()
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if ann in seen:
                continue
            seen.append(ann)
            stack.extend(f.annotation for f in ann.model_fields.values())
        else:
            stack.extend(typing.get_args(ann))
    return seen


def _section_defaults(root: type[BaseModel]) -> list[tuple[str, type[BaseModel]]]:
    out = []
    for model in _models(root):
        for name, field in model.model_fields.items():
            factory = field.default_factory
            if getattr(factory, "__name__", "") == "model_construct":
                out.append((f"{model.__name__}.{name}", factory.__self__))  # type: ignore[union-attr]
    return out


def test_every_section_default_is_what_the_section_validates_to():
    found = _section_defaults(LightspeedStackConfig) + _section_defaults(RunConfig)
    assert len(found) >= 20  # the sections LCORE fills in when the file leaves them out
    for where, section in found:
        constructed, validated = section.model_construct(), section()
        assert type(constructed) is type(validated), where
        assert constructed.model_dump() == validated.model_dump(), where
        assert constructed.model_fields_set == validated.model_fields_set == set(), where

