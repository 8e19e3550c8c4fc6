"""The quick verdict: "the models find nothing to report", without loading pydantic.

A one-shot command (``lsc-tui validate``, ``synthesize``, ...) validates each file once, and
importing pydantic and building the ~100 model classes costs more than reading a 10,000-line
run.yaml. For a config with nothing to report, :func:`clean` answers from the stored core schemas
(lsc_tui/data/core_schemas.json, written by store_schemas.py from the models): pydantic-core
validates the data with the models' own rules (checks.py) and the cross-section checks run as
they do for the models. Any doubt answers False, and the caller asks the models, whose findings
and messages are the only ones reported. So the verdict never words a finding; it only spares
the models a config they would pass.

It answers True only when the models would report nothing:
- the stored validator passes the data (run.yaml's sections forbid unknown keys here: the models
  warn about them);
- where the text may hold ``${env.NAME:=default}`` values, it passes the data with each such
  default put in place too (what the models' env-default check tries field by field);
- the cross-section checks find nothing.
tests/models/test_verdict.py compares the verdict with the models on every fixture and on
generated edits of them.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic_core import SchemaValidator, ValidationError

from lsc_tui.config.envref import coerce, literal_default
from lsc_tui.config.models import checks
from lsc_tui.config.models.checks import may_have_env_defaults
from lsc_tui.config.models.cross_checks import lightspeed_cross_checks, run_yaml_cross_checks
from lsc_tui.config.models.stored import stored

ROOTS = ("lightspeed-stack", "run-yaml")


class Section:
    """A section the verdict validated: its fields as attributes, which is all the rules read."""


class SecretValue(str):
    """What a secret field holds in the verdict (the models wrap it in pydantic's SecretStr)."""


def _url(value: Any, handler: Any) -> Any:
    return handler(value)


def _min_length(n: int) -> Any:
    def check(value: Any) -> Any:
        if len(value) < n:
            raise ValueError(f"shorter than {n}")
        return value

    return check


class _Resolver:
    """Turns the stored markers of one root back into Python objects."""

    def __init__(self) -> None:
        self.classes: dict[str, type[Section]] = {}
        self.fields: dict[str, dict[str, Any]] = {}  # model name -> its stored model-fields schema

    def model(self, name: str) -> type[Section]:
        cls = self.classes.get(name)
        if cls is None:
            cls = self.classes[name] = type(name, (Section,), {})
        return cls

    def construct(self, name: str) -> Any:
        """``Section.model_construct``: the section with each field that has a default at it."""

        def factory() -> Any:
            obj = self.model(name)()
            values = {}
            for key, field in self.fields[name]["fields"].items():
                schema = field["schema"]
                if schema.get("type") != "default":
                    continue  # a required field: model_construct leaves it unset too
                if "default_factory" in schema:
                    values[key] = schema["default_factory"]()
                else:
                    values[key] = copy.deepcopy(schema["default"])
            obj.__dict__.update(values)
            return obj

        return factory

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "$model":
                return self.model(value)
            if key == "$check":
                return getattr(checks, value)
            if key == "$construct":
                return self.construct(value)
            if key == "$secret":
                return SecretValue
            if key == "$url":
                return _url
            if key == "$min_length":
                return _min_length(value)
            if key == "$tuple":
                return tuple(self.resolve(v) for v in value)
        out = {k: self.resolve(v) for k, v in node.items()}
        if out.get("type") == "model" and isinstance(out.get("cls"), type):
            self.fields[out["cls"].__name__] = out["schema"]
        return out


@functools.cache
def _validator(which: str) -> SchemaValidator:
    return SchemaValidator(_Resolver().resolve(stored()[which]))


def _with_env_defaults(data: Any) -> Any | None:
    """The data with each ``${env.NAME:=default}`` value replaced by its default, typed as the
    server types it (what the value becomes when NAME is unset); None when it holds none."""
    found = False

    def walk(node: Any) -> Any:
        nonlocal found
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        ref = literal_default(node) if isinstance(node, str) and "${" in node else None
        if ref is not None:
            found = True
            return coerce(node, ref[1])
        return node

    out = walk(data)
    return out if found else None


def clean(which: str, data: Any, text: str | None = None) -> bool:
    """True when the models would find nothing in ``data`` (a lightspeed-stack.yaml's for
    ``which="lightspeed-stack"``, a run.yaml's for ``"run-yaml"``); False when they may."""
    if not isinstance(data, dict):
        return False
    if (lightspeed_cross_checks if which == "lightspeed-stack" else run_yaml_cross_checks)(data):
        return False
    validator = _validator(which)
    try:
        validator.validate_python(data)
        defaulted = _with_env_defaults(data) if may_have_env_defaults(text) else None
        if defaulted is not None:
            validator.validate_python(defaulted)
    except ValidationError:
        return False
    return True
