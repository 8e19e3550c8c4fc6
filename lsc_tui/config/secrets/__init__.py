"""Literal secrets: find them, and turn them into environment references.

The API the CLI and the TUI's secrets-review screen drive::

    result = scan_workspace(ws)                    # -> ScanResult(findings, allowed, ...)
    plan = plan_fix(ws, result.findings, names={fp: "MY_NAME"}, env_file=path)  # or k8s_secret=SECRET_NAME
    plan.diff                                      # unified diff, secret values masked
    applied = apply_plan(plan)                     # -> written paths and backups
    reveal(finding)                                # the raw value, only when asked for

Nothing in this package prints, logs or raises with a secret value in it.
"""

from lsc_tui.config.secrets.detector import (  # noqa: F401
    ALLOW_MARK,
    ScanResult,
    SecretFinding,
    SecretValue,
    detect_value,
    reveal,
    scan_document,
    scan_documents,
    scan_workspace,
    to_findings,
)
from lsc_tui.config.secrets.fix import (  # noqa: F401,E402
    ApplyResult,
    FileWrite,
    FixError,
    FixPlan,
    PlanItem,
    apply_plan,
    plan_fix,
)
from lsc_tui.config.secrets.names import valid_name  # noqa: F401,E402
