"""pydantic models of lightspeed-stack.yaml and Llama Stack's run.yaml, and the validation API.

``validate_lightspeed(data)`` and ``validate_run_yaml(data)`` take the plain data of a
parsed file and return :class:`ModelIssue` values located by key path; the workspace
loader turns paths into lines and columns. The model modules are imported on first use,
and each is compiled once per process.
"""

from __future__ import annotations

from typing import Any

from lsc_tui.config.models.issues import ModelIssue


def validate_lightspeed(data: Any) -> list[ModelIssue]:
    """Problems of a lightspeed-stack.yaml (unknown keys are errors, as in LCORE)."""
    from lsc_tui.config.models.validate import validate_lightspeed as run

    return run(data)


def validate_run_yaml(data: Any) -> list[ModelIssue]:
    """Problems of a Llama Stack run.yaml (unknown keys are warnings: Llama Stack ignores them)."""
    from lsc_tui.config.models.validate import validate_run_yaml as run

    return run(data)


def json_schema(which: str) -> dict:
    """The JSON Schema (draft 2020-12) of ``lightspeed-stack`` or ``run-yaml``."""
    from lsc_tui.config.models.schema import build_schema

    return build_schema(which)


__all__ = ["ModelIssue", "validate_lightspeed", "validate_run_yaml", "json_schema"]
