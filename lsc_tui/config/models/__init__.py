"""pydantic models of lightspeed-stack.yaml and Llama Stack's run.yaml, and the validation API.

``validate_lightspeed(data)`` and ``validate_run_yaml(data)`` take the plain data of a
parsed file and return :class:`ModelIssue` values located by key path; the workspace
loader turns paths into lines and columns. The model modules are imported on first use,
and each is compiled once per process. A one-shot command (``validate_once``) asks the quick
verdict (verdict.py) first and imports them only for a config it cannot pass.
"""

from __future__ import annotations

from typing import Any

from lsc_tui.config.models.model_issue import ModelIssue

_QUICK = False


def validate_once() -> None:
    """This process validates each file once (a one-shot command, not the editor): ask the quick
    verdict (verdict.py) first, and load pydantic and the models only for a config it cannot pass.
    The editor validates on every keystroke, with the models' own memo; it does not call this."""
    global _QUICK
    _QUICK = True


def _passes(which: str, data: Any, text: str | None) -> bool:
    if not _QUICK:
        return False
    from lsc_tui.config.models import verdict  # deferred: pydantic-core and the stored schemas

    return verdict.clean(which, data, text)


def validate_lightspeed(data: Any, text: str | None = None) -> list[ModelIssue]:
    """Problems of a lightspeed-stack.yaml (unknown keys are errors, as in LCORE).

    Values are checked as written: a ``${env.*}`` reference is accepted wherever LCORE would
    substitute one before validating. Nothing is looked up on the filesystem. Left to the
    workspace loader: the legacy/unified shape rules, a missing ``llama_stack``/``ogx`` block,
    and the values of ``config_format_version`` and ``baseline``.

    ``text``: the YAML the data was read from, as written (no value substituted), when at hand:
    the checks that look for a kind of string skip a text that cannot hold one.
    """
    if _passes("lightspeed-stack", data, text):
        return []
    # deferred: pydantic and the config models load at the first validation, the second step of opening
    from lsc_tui.config.models.validate import validate_lightspeed as run

    return run(data, text)


def validate_run_yaml(data: Any, text: str | None = None) -> list[ModelIssue]:
    """Problems of a Llama Stack run.yaml (unknown keys are warnings: Llama Stack ignores them).

    Errors are what Llama Stack would refuse when it parses the file (missing provider_id or
    provider_type, bad types, stores naming unknown backends, ...); warnings are what it would
    silently ignore or override (unknown and pre-0.3 keys, providers of APIs not in ``apis``,
    duplicate provider ids). ``text``: as for :func:`validate_lightspeed`.
    """
    if _passes("run-yaml", data, text):
        return []
    # deferred: pydantic and the config models load at the first validation, the second step of opening
    from lsc_tui.config.models.validate import validate_run_yaml as run

    return run(data, text)


def json_schema(which: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``lightspeed-stack`` or ``run-yaml``."""
    # deferred: the schema is built from every model (pydantic), only by `lsc-tui schema` and the docs
    from lsc_tui.config.models.schema import build_schema

    return build_schema(which)


__all__ = ["ModelIssue", "validate_lightspeed", "validate_run_yaml", "validate_once", "json_schema"]
