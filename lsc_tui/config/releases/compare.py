"""What changes when the LCORE a config runs on goes from release A to release B.

The same config is read as A reads it and, rewritten for B's keys where a release renamed them
(:mod:`lsc_tui.config.releases.upgrade`), as B reads it. Each release synthesizes (or enriches)
its run.yaml; the two are compared as data. Equal run.yaml files are the proof that the
rewritten file makes B run exactly what A ran; otherwise the differences are what the upgrade
changes, listed with the keys to rename and the keys B has no equivalent for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsc_tui.config import preview
from lsc_tui.config.diff import structural_diff, unified_diff
from lsc_tui.config.findings import Finding, FindingError, Severity, has_errors, sort_findings
from lsc_tui.config.masking import flagged_values
from lsc_tui.config.releases import Target
from lsc_tui.config.releases.upgrade import Rewrite, rewrite
from lsc_tui.config.workspace import Workspace, WorkspaceError, load_workspace


class CompareInputError(FindingError):
    """Nothing to compare (not a lightspeed-stack.yaml, unreadable); carries a located finding."""


@dataclass
class Comparison:
    old: Target
    new: Target
    workspace: Workspace  # the config as ``old`` reads it
    rewrite: Rewrite  # the config with ``new``'s keys
    old_text: str  # run.yaml ``old`` runs ('' when it has none)
    new_text: str
    changes: list[Any] = field(default_factory=list)  # structural differences, values masked
    diff_text: str = ""  # unified diff of the two run.yaml files, values masked
    old_findings: list[Finding] = field(default_factory=list)  # errors that stop a release's synthesis
    new_findings: list[Finding] = field(default_factory=list)
    secret_values: set[str] = field(default_factory=set, repr=False)

    @property
    def synthesized(self) -> bool:
        return bool(self.old_text) and bool(self.new_text)

    @property
    def equivalent(self) -> bool:
        """Both releases run the same run.yaml, and every key carried over."""
        return self.synthesized and not self.changes and not self.rewrite.findings

    def verdict(self) -> str:
        if self.rewrite.refused:
            return f"{self.new.release.label} cannot express this config"
        if not self.old_text:
            return f"{self.old.release.label} synthesizes no run.yaml from it"
        if not self.new_text:
            return f"{self.new.release.label} synthesizes no run.yaml from it"
        if self.changes:
            n = len(self.changes)
            return f"{n} difference{'s' * (n != 1)} in the run.yaml"
        if self.rewrite.findings:
            n = len(self.rewrite.findings)
            return f"same run.yaml, but {n} key{'s' * (n != 1)} with no equivalent"
        return "equivalent: the same run.yaml"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.rewrite.to_json(),
            "from": _target_json(self.old),
            "to": _target_json(self.new),
            "equivalent": self.equivalent,
            "verdict": self.verdict(),
            "changes": [c.to_json() for c in self.changes],
            "diff": self.diff_text,
            "errors": [f.to_json() for f in sort_findings(self.old_findings + self.new_findings)],
        }


def _target_json(target: Target) -> dict[str, str]:
    return {
        "release": target.release.key,
        "source": target.source,
        "label": target.release.label,
        "description": target.describe(),
    }


def _synthesis(ws: Workspace, run_yaml: str | Path | None) -> tuple[str, Any, list[Finding]]:
    result, findings = preview.synthesize(ws, run_yaml)
    errors = [f for f in findings if f.is_error]
    if result is None or has_errors(findings):
        return "", None, errors
    return preview.dump(result), getattr(result, "data", None), errors


def compare(
    path: Path | str,
    old: Target,
    new: Target,
    *,
    cwd: Path | str | None = None,
    run_yaml: str | Path | None = None,
    server_env: dict[str, str] | None = None,
    server_env_source: str | None = None,
    overlay: dict[Path, str] | None = None,
) -> Comparison:
    """Compare what ``old`` and ``new`` run for the config at ``path`` (``overlay``: edited text
    that replaces a file's, as the editor holds it). Raises CompareInputError."""
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    try:
        ws = load_workspace(
            path, cwd=cwd, target=old, server_env=server_env, server_env_source=server_env_source, overlay=overlay
        )
    except WorkspaceError as exc:
        raise CompareInputError(exc.finding) from None
    if ws.kind != "lightspeed-stack" or ws.config is None:
        doc = ws.documents[0]
        raise CompareInputError(
            Finding(
                doc.display,
                1,
                1,
                Severity.ERROR,
                "lcore-compare-not-a-config",
                "not a lightspeed-stack.yaml: LCORE releases differ in how they read that file",
                "Give the lightspeed-stack.yaml (or its directory).",
            )
        )
    try:
        rw = rewrite(ws.config, old.release, new.release)
    except ValueError as exc:
        raise CompareInputError(
            Finding(
                ws.config.display,
                1,
                1,
                Severity.ERROR,
                "lcore-rewrite-failed",
                str(exc),
                "Report this config: the rewrite could not keep its text.",
            )
        ) from None
    old_text, old_data, old_errors = _synthesis(ws, run_yaml)
    new_ws = load_workspace(
        ws.config.path,
        cwd=cwd,
        target=new,
        overlay={**(overlay or {}), ws.config.path: rw.text},
        server_env=server_env,
        server_env_source=server_env_source,
    )
    new_text, new_data, new_errors = ("", None, []) if rw.refused else _synthesis(new_ws, run_yaml)
    values = preview.secret_values(preview.scan_secrets(ws))
    values |= flagged_values(old_data) | flagged_values(new_data)
    changes = structural_diff(old_data, new_data, secret_values=values) if old_text and new_text else []
    diff_text = (
        unified_diff(
            old_text,
            new_text,
            old_label=f"run.yaml ({old.release.label})",
            new_label=f"run.yaml ({new.release.label})",
            mask=values or True,
        )
        if old_text and new_text
        else ""
    )
    return Comparison(old, new, ws, rw, old_text, new_text, changes, diff_text, old_errors, new_errors, values)
