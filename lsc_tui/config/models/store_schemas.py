"""Writes lsc_tui/data/core_schemas.json: what the models check, in a form read without pydantic.

The one-shot commands (validate, synthesize, ...) validate once per process, and importing
pydantic and building the ~100 model classes is most of their start. They first ask the quick
verdict (verdict.py), which builds pydantic-core validators from this file; only a config the
verdict cannot pass loads the models. The file holds, for lightspeed-stack.yaml and run.yaml,
the core schema pydantic builds from the models, with each Python object in it named instead:

- a model class: ``{"$model": name}`` (the verdict validates into a plain object of that name);
- a rule or default factory of ``checks.py``: ``{"$check": name}``;
- a section's default (``Section.model_construct``): ``{"$construct": name}``;
- pydantic's own ``SecretStr``, URL wrapper and ``min_length`` check: ``{"$secret": ...}``,
  ``{"$url": ...}``, ``{"$min_length": n}``; a tuple: ``{"$tuple": [...]}``.

run.yaml's sections forbid unknown keys here (the models allow them and warn): an unknown key
is something to report, so the verdict passes the config on to the models. Serialisation and
JSON Schema entries are left out. ``file_settings`` lists the settings LCORE types as files that
must exist (files.py walks a config along it).

    python -m lsc_tui.config.models.store_schemas          # rewrite the file after a model change
    python -m lsc_tui.config.models.store_schemas --print  # what it should hold

tests/models/test_verdict.py checks the file equals what the models give.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from lsc_tui.config.models import checks
from lsc_tui.config.models._types import LCORE_FILE
from lsc_tui.config.models.lightspeed import LightspeedStackConfig
from lsc_tui.config.models.run_yaml import RunConfig
from lsc_tui.config.models.stored import STORED_PATH

_DROPPED = {"serialization", "metadata"}
_REF_ID = re.compile(r"^(?:[\w.]+\.)?(\w+):\d+$")


class UnstorableSchema(Exception):
    """The models hold an object the stored form has no name for (add it to _callable)."""


def _ref(value: str) -> str:
    """``lsc_tui.config.models.lightspeed.TLSConfiguration:9402...`` -> ``TLSConfiguration``: the
    same name in every process."""
    m = _REF_ID.match(value)
    return m.group(1) if m else value


def _callable(obj: Any) -> dict[str, Any]:
    if isinstance(obj, type) and issubclass(obj, BaseModel):
        return {"$model": obj.__name__}
    if obj is SecretStr:
        return {"$secret": "SecretStr"}
    name = getattr(obj, "__name__", "")
    if getattr(obj, "__module__", None) == checks.__name__ and getattr(checks, name, None) is obj:
        return {"$check": name}
    construct = getattr(obj, "__func__", None)
    owner = getattr(obj, "__self__", None)
    if construct is getattr(BaseModel.model_construct, "__func__", None) and isinstance(owner, type):
        return {"$construct": owner.__name__}
    if (
        isinstance(obj, functools.partial)
        and getattr(obj.func, "__name__", "") == "min_length_validator"
        and not obj.args
    ):
        return {"$min_length": obj.keywords["min_length"]}
    qualname = getattr(obj, "__qualname__", "")
    if obj.__module__ == "pydantic.networks" and qualname.endswith("<locals>.wrap_val"):
        return {"$url": "wrap_val"}
    raise UnstorableSchema(f"no stored name for {obj!r} ({getattr(obj, '__module__', '?')}.{qualname})")


def _stored(node: Any, forbid_extra: bool) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "fields" and isinstance(value, dict):  # field names (one may be `metadata`)
                out[key] = {name: _stored(field, forbid_extra) for name, field in value.items()}
                continue
            if key in _DROPPED:
                continue
            if key in ("ref", "schema_ref") and isinstance(value, str):
                out[key] = _ref(value)
            elif forbid_extra and key in ("extra_behavior", "extra_fields_behavior"):  # model-fields', config's
                out[key] = "forbid"
            else:
                out[key] = _stored(value, forbid_extra)
        return out
    if isinstance(node, list):
        return [_stored(v, forbid_extra) for v in node]
    if isinstance(node, tuple):
        return {"$tuple": [_stored(v, forbid_extra) for v in node]}
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    if callable(node):
        return _callable(node)
    raise UnstorableSchema(f"no stored form for {node!r}")


def _schema(model: type[BaseModel], forbid_extra: bool) -> Any:
    model.model_rebuild(force=True)
    return _stored(model.__pydantic_core_schema__, forbid_extra)


# -- the settings LCORE types as existing files ------------------------------------------------


def _parts(annotation: Any) -> tuple[bool, list[type[BaseModel]]]:
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
    return marked, models


def _file_settings(root: type[BaseModel]) -> dict[str, Any]:
    """{model name: [[key, marked as a file, [model names its value can hold]], ...]} for every
    model reachable from ``root`` that has such fields."""
    table: dict[str, Any] = {}
    todo: list[type[BaseModel]] = [root]
    seen: set[type[BaseModel]] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        rows = []
        for name, info in model.model_fields.items():
            marked, models = _parts(info.annotation)
            todo.extend(models)
            if marked or models:
                rows.append([info.alias or name, marked, [m.__name__ for m in models]])
        table[model.__name__] = rows
    return {"root": root.__name__, "models": dict(sorted(table.items()))}


def build() -> dict[str, Any]:
    """The stored form of the models as they are now."""
    return {
        "lightspeed-stack": _schema(LightspeedStackConfig, forbid_extra=False),
        "run-yaml": _schema(RunConfig, forbid_extra=True),
        "file_settings": _file_settings(LightspeedStackConfig),
    }


def text() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> None:
    """Write the file; ``--print``: print what it should hold instead. Run as its own process:
    pydantic reuses the core schema of a section validated on its own before, so a process that
    has validated sections would store an equivalent schema shaped differently."""
    if argv == ["--print"]:
        sys.stdout.write(text())
        return
    Path(STORED_PATH).write_text(text(), encoding="utf-8")
    print(f"wrote {STORED_PATH}")


if __name__ == "__main__":
    main(sys.argv[1:])
