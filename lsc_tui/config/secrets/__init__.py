"""Literal secrets: find them, and turn them into environment references.

The API the CLI and the TUI's secrets-review screen drive::

    result = scan_workspace(ws)                    # -> ScanResult(findings, allowed, ...)
    plan = plan_fix(ws, result.findings, names={fp: "MY_NAME"}, env_file=path)  # or k8s_secret=SECRET_NAME
    plan.diff                                      # unified diff, secret values masked
    applied = apply_plan(plan)                     # -> written paths and backups
    reveal(finding)                                # the raw value, only when asked for

Nothing in this package prints, logs or raises with a secret value in it.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the lazy exports below, as the type checker sees them
    from lsc_tui.config.secrets.detector import (
        ALLOW_MARK as ALLOW_MARK,
        ScanResult as ScanResult,
        SecretFinding as SecretFinding,
        SecretValue as SecretValue,
        detect_value as detect_value,
        reveal as reveal,
        scan_document as scan_document,
        scan_documents as scan_documents,
        scan_workspace as scan_workspace,
        to_findings as to_findings,
    )
    from lsc_tui.config.secrets.fix import (
        ApplyResult as ApplyResult,
        FileWrite as FileWrite,
        FixError as FixError,
        FixPlan as FixPlan,
        PlanItem as PlanItem,
        apply_plan as apply_plan,
        plan_fix as plan_fix,
    )
    from lsc_tui.config.secrets.names import (
        valid_name as valid_name,
    )

# The names below load their module on first use (PEP 562): the editor reads `rules` before its
# first paint (is a key secret?) and must not pay for the scanner and the fixer then.
_EXPORTS = {
    "detector": (
        "ALLOW_MARK",
        "ScanResult",
        "SecretFinding",
        "SecretValue",
        "detect_value",
        "reveal",
        "scan_document",
        "scan_documents",
        "scan_workspace",
        "to_findings",
    ),
    "fix": ("ApplyResult", "FileWrite", "FixError", "FixPlan", "PlanItem", "apply_plan", "plan_fix"),
    "names": ("valid_name",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)  # noqa: PLE0605 (the lazy exports, named once in _EXPORTS)


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
