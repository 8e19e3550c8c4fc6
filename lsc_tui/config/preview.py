"""The live preview of a workspace: what Llama Stack will run, its diff, and its secrets.

One entry point per question, each taking a Workspace, so the session, the CLI and the TUI
ask the same code: ``report`` (every finding: validation, synthesis and literal secrets, as
both ``lsc-tui validate`` and the editor show them), ``synthesize_workspace`` (unified
synthesis or legacy enrichment, by mode), ``scan_secrets``, ``diff`` and ``changes``
(masked), ``dump``.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Union

import yaml

from lsc_tui.config.findings import Finding, Severity, counts, sort_findings
from lsc_tui.config.operator import kinds
from lsc_tui.config.operator.kinds import KIND_EXTRA, KIND_LLSD, KIND_SPEC, Generated
from lsc_tui.config.releases import Release
from lsc_tui.config.synthesis import baseline, legacy, unified
from lsc_tui.config.synthesis.baseline import builtin_position
from lsc_tui.config.synthesis.emit import dump_run_yaml
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.workspace import MODE_LIBRARY, MODE_SERVER, MODE_UNIFIED, Workspace, not_a_mapping
from lsc_tui.config.yaml.document import Loader, load_document
from lsc_tui.config.yaml.lint import YamlLoadError

if TYPE_CHECKING:
    from lsc_tui.config.diff import Change
    from lsc_tui.config.secrets import SecretFinding


@dataclass
class AsIs:
    """A run.yaml opened on its own: what runs is the file itself."""

    label: ClassVar[str] = "synthesized run.yaml"  # as a synthesis is named in the preview
    data: dict[str, Any]
    file: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def text(self) -> str:
        return dump_data(self.data)

    def text_and_line_origins(self) -> tuple[str, list[None]]:
        text = self.text
        return text, [None] * len(text.splitlines())


# Errors after which nothing can be synthesized (the workspace already says why).
BLOCKING = {
    "unified-and-legacy",
    "no-run-source",
    "profile-missing",
    "run-yaml-missing",
    "no-url-no-library",
    "missing-llama-stack",
    "not-a-mapping",
    "profile-path",
    "run-yaml-path",
}


# What the preview shows: a synthesis, a run.yaml as it is, or what the operator generates.
PreviewResult = Union[Synthesis, AsIs, Generated]


def synthesize(ws: Workspace, run_yaml: str | Path | None = None) -> tuple[PreviewResult | None, list[Finding]]:
    """What Llama Stack will run for this workspace, by its mode, and every finding on the way.

    Unified: LCORE's synthesis. Legacy library: LCORE's enrichment of the external run.yaml.
    Legacy server: the container entrypoint's enrichment of ``run_yaml`` (default: the
    run.yaml beside the config). A run.yaml opened alone: the file itself. An operator file:
    what the operator generates from it (:func:`lsc_tui.config.operator.kinds.generate`).
    Returns ``(None, findings)`` when it cannot be known; the findings say why.
    """
    findings = list(ws.findings)
    if ws.is_operator:
        # a CR: the config.yaml the operator generates; extra-providers.yaml or a provider
        # package: the run.yaml next to it with the providers merged (None: no run.yaml there)

        generated, more = kinds.generate(ws)
        return generated, findings + more
    if ws.kind == "run-yaml" and ws.run_yaml is not None:
        data: dict[str, Any] = ws.run_yaml.data if isinstance(ws.run_yaml.data, dict) else {}
        return AsIs(data, ws.run_yaml.display), findings
    if ws.config is None or any(f.is_error and f.code in BLOCKING for f in findings):
        return None, findings
    config = ws.config.data
    result: Synthesis
    locate = locator(ws)
    if ws.mode == MODE_UNIFIED:
        _key, block = baseline.unified_block(config)
        if isinstance(block, dict) and block.get("profile") and ws.profile is None:
            return None, findings  # the profile could not be read: the workspace said why
        result = unified.synthesize_unified(
            config,
            ws.config_dir,
            config_file=ws.config.display,
            profile=ws.profile.data if ws.profile is not None else None,
            profile_file=ws.profile.display if ws.profile is not None else None,
            locate=locate,
            release=_release(ws),
            **_server_env(ws),
        )
    elif ws.mode == MODE_LIBRARY and ws.run_yaml is not None:
        result = legacy.enrich_legacy_library(
            config,
            ws.run_yaml.data,
            config_file=ws.config.display,
            run_yaml_file=ws.run_yaml.display,
            locate=locate,
            env=ws.server_env,
            env_source=ws.server_env_source,
            release=_release(ws),
        )
    elif ws.mode == MODE_SERVER:
        candidate = Path(run_yaml) if run_yaml else ws.config_dir / "run.yaml"
        if not candidate.is_file():
            # a remote client with no run.yaml beside it is a complete config: nothing to preview
            findings.append(
                Finding(
                    ws.config.display,
                    0,
                    0,
                    Severity.ERROR if run_yaml else Severity.INFO,
                    "synthesis-no-server-run-yaml",
                    "legacy server mode: the run.yaml is the Llama Stack container's, and none was found "
                    f"({candidate}); there is nothing to preview",
                    "to preview the container's enrichment, pass its run.yaml with --run-yaml FILE "
                    "(or put it beside the config)",
                )
            )
            return None, findings
        try:
            doc = load_document(candidate)
        except YamlLoadError as exc:
            findings.append(exc.finding)
            return None, findings
        if not isinstance(doc.data, dict):
            findings.append(not_a_mapping(doc, "A run.yaml is a mapping: version, apis, providers, ..."))
            return None, findings
        result = legacy.enrich_legacy_server(
            config,
            doc.data,
            config_file=ws.config.display,
            run_yaml_file=str(candidate),
            run_yaml_text=doc.text,
            locate=locate,
            env=ws.server_env,
            env_source=ws.server_env_source,
            release=_release(ws),
        )
        if not run_yaml:
            findings.append(
                Finding(
                    ws.config.display,
                    0,
                    0,
                    Severity.INFO,
                    "synthesis-server-run-yaml",
                    f"legacy server mode: showing the container entrypoint's enrichment of {candidate}",
                    "pass --run-yaml FILE for another run.yaml",
                )
            )
    else:
        return None, findings
    findings.extend(result.findings)
    return result, findings


def _release(ws: Workspace) -> Release | None:
    """The release to synthesize as: None when nothing names one (main, forward-compatible)."""
    return None if ws.target.is_default else ws.target.release


def _server_env(ws: Workspace) -> dict[str, Any]:
    """The environment unified synthesis resolves the few values LCORE resolves in (existing
    vector store ids, the OKP URL): the server's when the operator gave it, else lsc-tui's own
    (as LCORE would, run here). Legacy enrichment, which resolves secrets too, gets only the
    server's."""
    if ws.server_env is not None:
        return {"env": ws.server_env, "env_source": ws.server_env_source or "the server environment given"}
    return {"env": dict(os.environ), "env_source": None}


@dataclass
class Report:
    """Everything lsc-tui reports about a workspace: the one list both ``lsc-tui validate`` and
    the editor (its header counts and its findings pane) show."""

    result: PreviewResult | None  # the synthesis (None when it cannot be known)
    secrets: list[SecretFinding]  # the active secret findings
    findings: list[Finding]  # validation, synthesis and literal secrets, sorted

    def counts(self) -> dict[str, int]:
        return counts(self.findings, len(self.secrets))


def report(ws: Workspace) -> Report:
    """The findings of a workspace: its validation, its synthesis and its literal secrets."""
    result, findings = synthesize(ws)
    secrets = scan_secrets(ws)
    return Report(result, secrets, sort_findings(findings + secret_as_findings(secrets)))


def synthesize_workspace(ws: Workspace) -> PreviewResult | None:
    """The synthesis alone (see :func:`synthesize`), or None."""
    return synthesize(ws)[0]


def locator(ws: Workspace) -> Callable[[str, tuple[Any, ...]], tuple[int, int]]:
    """``locate(file, path) -> (line, column)`` over the workspace's documents."""

    def locate(file: str, path: tuple[Any, ...]) -> tuple[int, int]:
        if file.startswith("builtin:"):
            return builtin_position(tuple(path), file)
        doc = ws.document_for(file)
        return doc.position(tuple(path)) if doc is not None else (0, 0)

    return locate


def dump(result: PreviewResult | None) -> str:
    if result is None:
        return ""
    return result.text  # provenance per line is computed only when a view asks for it


def dump_data(data: object) -> str:
    if not isinstance(data, dict):
        return ""

    return dump_run_yaml(data)


# -- secrets ---------------------------------------------------------------------------------


def scan_secrets(ws: Workspace) -> list[SecretFinding]:
    """The active secret findings of every file of the workspace (allowed ones left out)."""
    # `synthesize -o` prints no value, so it never loads the scanner's rules, detectors and allowlist
    # deferred: the secret scanner loads with the first scan
    from lsc_tui.config.secrets import scan_workspace

    return list(scan_workspace(ws).findings)


def secret_values(secrets: Iterable[SecretFinding]) -> set[str]:
    """The raw values behind the findings, for masking free text. Never shown."""
    # deferred: the secret scanner loads with the first scan (see scan_secrets)
    from lsc_tui.config.secrets import reveal

    return {v for v in (reveal(s) for s in secrets) if v}


def secret_as_findings(secrets: Iterable[SecretFinding | Finding]) -> list[Finding]:
    # deferred: the secret scanner loads with the first scan (see scan_secrets)
    from lsc_tui.config.secrets import SecretFinding

    return [s.to_finding() if isinstance(s, SecretFinding) else s for s in secrets]


# -- diffs (always masked) -----------------------------------------------------------------------


def mask(text: str, values: set[str]) -> str:
    if not text:
        return text
    # deferred: the masking and diff modules load with the first diff shown (validate shows none)
    from lsc_tui.config import masking

    return masking.mask_inline(masking.mask_text(text, values)) if values else masking.mask_inline(text)


def diff(old: str, new: str, old_label: str, values: set[str], new_label: str = "synthesized run.yaml") -> str:
    # deferred: the masking and diff modules load with the first diff shown (see mask)
    from lsc_tui.config.diff import unified_diff

    return unified_diff(old, new, old_label=old_label, new_label=new_label, mask=values or True)


def changes(old_text: str, new_text: str, result: PreviewResult | None, values: set[str]) -> list[Change]:
    if old_text == new_text:
        return []
    # deferred: the masking and diff modules load with the first diff shown (see mask)
    from lsc_tui.config.diff import structural_diff

    old = _parsed(old_text) if old_text else {}
    new = result.data if result is not None else {}
    return structural_diff(old or {}, new or {}, secret_values=values)


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> Any:
    """The data of a baseline text (read-only: shared between calls)."""
    return yaml.load(text, Loader=Loader)


__all__ = [
    "report",
    "Report",
    "synthesize",
    "synthesize_workspace",
    "scan_secrets",
    "diff",
    "changes",
    "dump",
    "dump_data",
    "mask",
    "secret_values",
    "secret_as_findings",
    "AsIs",
    "Severity",
]


def preview_words(ws: Workspace, synthesis: PreviewResult | None) -> tuple[str, str]:
    """``(label, note)``: what the preview of ``ws`` shows (run.yaml, or for a
    LlamaStackDistribution the generated config.yaml), and why it is empty when it is."""
    if ws.kind == KIND_LLSD:
        note = "" if synthesis is not None else "No generated config.yaml: fix the errors in the findings (4) first."
        return "config.yaml", note
    if ws.kind in (KIND_EXTRA, KIND_SPEC):
        if ws.run_yaml is None:
            name = Path(ws.root_path).name
            return "run.yaml", (
                f"No run.yaml next to {name}: only its validation is shown (findings, 4). "
                "Put the run.yaml the operator merges into next to it to see the merged run.yaml."
            )
        return (
            "run.yaml",
            "" if synthesis is not None else "No merged run.yaml: fix the errors in the findings (4) first.",
        )
    return "run.yaml", ""
