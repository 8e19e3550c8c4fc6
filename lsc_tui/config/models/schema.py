"""JSON Schema (draft 2020-12) generated from the models, for editors.

The output is deterministic (keys sorted) so the files under ``schemas/`` can be checked
for staleness. Env references get one shared definition, ``#/$defs/EnvReference``, and
the nested ``anyOf`` that optional env-aware fields produce is flattened so editors offer
the real choices (enums, booleans) directly.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from lsc_tui.config.models._types import ENV_REF_SCHEMA
from lsc_tui.config.models.lightspeed import LightspeedStackConfig
from lsc_tui.config.models.run_yaml import RunConfig
from lsc_tui.config.operator.models import SCHEMA_MODELS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILE_NAMES = {
    "lightspeed-stack": "lightspeed-stack.schema.json",
    "run-yaml": "run-yaml.schema.json",
    # the llama-stack-k8s-operator's formats (models in lsc_tui.config.operator.models)
    "provider-package": "lls-provider-spec.schema.json",
    "extra-providers": "extra-providers.schema.json",
    "llamastackdistribution-v1alpha2": "llamastackdistribution-v1alpha2.schema.json",
}
# A relative $id (the file's own name) resolves against wherever the schema is loaded from, so
# its local `#/$defs/...` references work from a file, a repository or a web server alike; an
# invented absolute URL or a URN made yaml-language-server (VS Code, Neovim) resolve against a
# base it cannot load, or warn.
SCHEMA_IDS = dict(FILE_NAMES)
_ENV_REF = {"$ref": "#/$defs/EnvReference"}


def _root_model(which: str) -> type[BaseModel]:
    if which == "lightspeed-stack":
        return LightspeedStackConfig
    if which == "run-yaml":
        return RunConfig

    if which in SCHEMA_MODELS:
        return SCHEMA_MODELS[which]
    raise ValueError(f"unknown schema {which!r}; expected one of: {', '.join(SCHEMA_IDS)}")


def _tidy(node: Any) -> Any:
    if isinstance(node, list):
        return [_tidy(x) for x in node]
    if not isinstance(node, dict):
        return node
    if node == ENV_REF_SCHEMA:
        return dict(_ENV_REF)
    out = {k: _tidy(v) for k, v in node.items()}
    if "anyOf" in out:
        flat: list[Any] = []
        for alt in out["anyOf"]:
            parts = alt["anyOf"] if isinstance(alt, dict) and set(alt) == {"anyOf"} else [alt]
            for part in parts:
                if part not in flat:
                    flat.append(part)
        out["anyOf"] = flat
    return out


def build_schema(which: str) -> dict[str, Any]:
    """The schema for ``lightspeed-stack`` or ``run-yaml`` as a dict."""
    model = _root_model(which)
    schema: dict[str, Any] = _tidy(model.model_json_schema(mode="validation"))
    schema.setdefault("$defs", {})["EnvReference"] = dict(ENV_REF_SCHEMA, title="EnvReference")
    schema["$schema"] = DRAFT
    schema["$id"] = SCHEMA_IDS[which]
    return schema


def render_schema(which: str) -> str:
    """The schema as the text written to ``schemas/`` (sorted keys, 2-space indent, final newline)."""
    return json.dumps(build_schema(which), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
