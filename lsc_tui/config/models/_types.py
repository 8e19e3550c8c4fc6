"""Building blocks shared by the lightspeed-stack.yaml and run.yaml models.

Both servers substitute ``${env.NAME}`` references *before* they validate, so a field
typed as a number, a boolean, a URL or one of a fixed set of words must also accept a
string holding a reference. :data:`ENV` marks such a field: the value is accepted as-is
when it is a string containing a reference, and checked against the real type otherwise.
In the JSON Schema the field becomes ``anyOf: [<real type>, <reference string>]``, so an
editor still completes the real values.
"""

# No `from __future__ import annotations` in the model modules: pydantic would evaluate every
# annotation string again when it builds each class (compile and eval per field, at every start).

from typing import Annotated, Any, TypeVar

from annotated_types import Ge, Gt, Le
from pydantic import AnyHttpUrl, BaseModel, ConfigDict
from pydantic_core import core_schema

from lsc_tui.config.models.checks import ENV_REF_PATTERN, accept_env_ref


ENV_REF_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": ENV_REF_PATTERN,
    "description": "An environment reference resolved when the server starts: "
    "${env.NAME}, ${env.NAME:=default} or ${env.NAME:+value_if_set}.",
}


class _EnvAllowed:
    """Annotation marker: also accept a string holding an ``${env.*}`` reference."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_wrap_validator_function(accept_env_ref, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: Any) -> dict[str, Any]:
        inner = handler(schema)
        return {"anyOf": [inner, dict(ENV_REF_SCHEMA)]}

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "ENV"


ENV = _EnvAllowed()

# Typed values that may also be written as an env reference.
PosInt = Annotated[int, Gt(0), ENV]
NonNegInt = Annotated[int, Ge(0), ENV]
Int = Annotated[int, ENV]
Port = Annotated[int, Ge(1), Le(65535), ENV]
Bool = Annotated[bool, ENV]
Float = Annotated[float, ENV]
Ratio = Annotated[float, Ge(0.0), Le(1.0), ENV]
HttpUrl = Annotated[AnyHttpUrl, ENV]

ID_PATTERN = r"^\s*[a-z0-9_-]+\s*$"


class _LcoreFile:
    """Marker: LCORE types this field as a pydantic ``FilePath``, so the config does not load
    unless it names an existing file (relative paths: from the directory LCORE starts in)."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "LCORE_FILE"


LCORE_FILE = _LcoreFile()
FilePathStr = Annotated[str, LCORE_FILE]


_T = TypeVar("_T")

# ``Env[Literal["a", "b"]]``: a value of the type, or an env reference.
Env = Annotated[_T, ENV]


# A section absent from the file gets ``Section.model_construct()``: the section with every field
# at its default, what ``Section()`` validates to (tests/models/test_defaults.py checks it for each
# one), without building and running the section's own validator at every start.

# defer_build: a model's validator is built when it first validates (the root's build covers the
# sections it holds), not once per class at import: a command validates with two roots only.


class Strict(BaseModel):
    """lightspeed-stack.yaml sections: unknown keys are errors, as in LCORE."""

    model_config = ConfigDict(extra="forbid", validate_default=False, use_enum_values=True, defer_build=True)


class Lenient(BaseModel):
    """run.yaml sections: Llama Stack ignores unknown keys, so we only warn about them."""

    model_config = ConfigDict(extra="allow", validate_default=False, use_enum_values=True, defer_build=True)
