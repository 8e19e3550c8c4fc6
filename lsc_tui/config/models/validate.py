"""The validation API: data in, located :class:`ModelIssue` values out.

Validation runs on every keystroke in the editor, so each model is compiled once (on
first use) and the checks here are single passes over the data.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lsc_tui.config.memo import IdentityMemo
from lsc_tui.config.models import run_yaml
from lsc_tui.config.models.checks import may_have_env_defaults
from lsc_tui.config.models.cross_checks import lightspeed_cross_checks, run_yaml_cross_checks
from lsc_tui.config.models.issues import (
    ModelIssue,
    env_default_issues,
    errors_to_issues,
    link_renames,
    unknown_key_issue,
    walk_unknown_keys,
)
from lsc_tui.config.models.lightspeed import LightspeedStackConfig


# Top-level keys of older LCORE releases: where their content lives now.
LIGHTSPEED_MOVED = {
    ("", "byok_rag"): ("LCORE 0.7 moved it to `rag.byok.stores`", "Move the store list under rag: byok: stores:."),
    ("", "okp"): ("LCORE 0.7 moved it to `rag.okp`", "Move the block under rag:."),
    ("", "reranker"): (
        "LCORE 0.7 moved it to `rag.retrieval.inline.reranker`",
        "Move the block under rag: retrieval: inline:.",
    ),
    ("", "inline"): ("LCORE 0.7 moved it to `rag.retrieval.inline`", "Move the block under rag: retrieval:."),
    ("", "tool"): ("LCORE 0.7 moved it to `rag.retrieval.tool`", "Move the block under rag: retrieval:."),
}


def _model_issue_list(model: type[BaseModel], data: Any, severity: str) -> list[ModelIssue]:
    errors = _errors(model, data)
    return errors_to_issues(errors, data, model, severity) if errors else []


def _fix_moved(
    issues: list[ModelIssue], root: type[BaseModel], data: Any, moved: dict[tuple[str, str], tuple[str, str]]
) -> list[ModelIssue]:
    out = []
    for issue in issues:
        if issue.code == "unknown-key" and len(issue.path) == 1 and ("", issue.path[0]) in moved:
            issue = unknown_key_issue(root, data, issue.path, issue.severity, moved=moved)
        out.append(issue)
    return out


def _not_mapping(what: str) -> list[ModelIssue]:
    return [
        ModelIssue(
            (),
            "error",
            "invalid-type",
            f"the top level of a {what} must be a mapping of keys",
            "Start the file with `key: value` lines.",
        )
    ]


# -- lightspeed-stack.yaml ----------------------------------------------------------------------


# Values the workspace loader checks itself (with LCORE's mode detection at hand): the model
# keeps them for the schema's completion lists but does not report them twice. The loader also
# reports a missing `llama_stack`/`ogx` block (the model has both as optional keys for the alias).
_LOADER_CHECKED = {("config_format_version",), ("llama_stack", "config", "baseline"), ("ogx", "config", "baseline")}


def validate_lightspeed(data: Any, text: str | None = None) -> list[ModelIssue]:
    if not isinstance(data, dict):
        return _not_mapping("lightspeed-stack.yaml")
    issues = [
        i
        for i in _model_issue_list(LightspeedStackConfig, data, "error")
        if not (i.path in _LOADER_CHECKED and i.code in ("invalid-value", "invalid-type"))
    ]
    issues = _fix_moved(issues, LightspeedStackConfig, data, LIGHTSPEED_MOVED)
    issues.extend(lightspeed_cross_checks(data))
    if may_have_env_defaults(text):
        issues.extend(env_default_issues(LightspeedStackConfig, data, "LCORE"))
    return issues


# -- run.yaml -----------------------------------------------------------------------------------


def validate_run_yaml(data: Any, text: str | None = None) -> list[ModelIssue]:
    if not isinstance(data, dict):
        return _not_mapping("run.yaml")
    root = run_yaml.RunConfig
    errors = _run_yaml_errors(data)
    issues = errors_to_issues(errors, data, root, "error") if errors else []
    for path, model in walk_unknown_keys(root, data):
        issues.append(unknown_key_issue(root, data, path, "warning", model=model, moved=run_yaml.MOVED_KEYS))
    issues.extend(run_yaml_cross_checks(data))
    if may_have_env_defaults(text):
        issues.extend(env_default_issues(root, data, "Llama Stack"))
    return link_renames(issues, root, data)


# The editor validates run.yaml after every keystroke, and at 10,000 lines building every
# provider's model is most of the validation. An edit's copy of the data shares every provider
# entry but the edited one with the data validated before (lsc_tui.config.memo): the errors of
# each entry are remembered by the entry's identity and only a new entry is validated; the rest
# of the file is validated with its provider lists empty, and the errors are put together in the
# order pydantic gives them for the whole file (tests/models/test_split_validation.py compares
# the two on every fixture and on edits of them). Fresh data is validated whole, in one call.
_ENTRIES: IdentityMemo[tuple[ErrorDetails, ...]] = IdentityMemo()
_NO_ERRORS: tuple[ErrorDetails, ...] = ()


def _errors(model: type[BaseModel], data: Any) -> list[ErrorDetails]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return exc.errors(include_url=False)
    return []


def _run_yaml_errors(data: dict[str, Any]) -> list[ErrorDetails]:
    """pydantic's errors of run.yaml data, as ``RunConfig.model_validate(data)`` raises them."""
    providers = data.get("providers")
    if not _ENTRIES.pays(data) or not isinstance(providers, dict):
        _ENTRIES.forget_entries()
        return _errors(run_yaml.RunConfig, data)
    try:
        return _split_errors(data, providers)
    finally:
        _ENTRIES.rotate()


def _split_errors(data: dict[str, Any], providers: dict[Any, Any]) -> list[ErrorDetails]:
    if not all(isinstance(items, list) for items in providers.values()):
        return _errors(run_yaml.RunConfig, data)
    stub = dict(data)
    stub["providers"] = {api: [] for api in providers}
    rest = _errors(run_yaml.RunConfig, stub)
    order = _FIELD_ORDER
    at = order["providers"]
    if any(not e["loc"] or order.get(e["loc"][0]) is None for e in rest):
        return _errors(run_yaml.RunConfig, data)  # an error not of one field: as the whole file gives it
    out = [e for e in rest if order[e["loc"][0]] < at]
    keys = [e for e in rest if e["loc"][0] == "providers"]  # an API name that is not a string
    for api, items in providers.items():
        out.extend(e for e in keys if len(e["loc"]) > 1 and e["loc"][1] == api)
        for i, item in enumerate(items):
            errs = _ENTRIES.get(item)
            if errs is None:
                errs = _ENTRIES.put(item, tuple(_errors(run_yaml.Provider, item)) or _NO_ERRORS)
            out.extend(cast(ErrorDetails, {**e, "loc": ("providers", api, i, *e["loc"])}) for e in errs)
    out.extend(e for e in rest if order[e["loc"][0]] > at)
    return out


_FIELD_ORDER: dict[int | str, int] = {name: i for i, name in enumerate(run_yaml.RunConfig.model_fields)}
