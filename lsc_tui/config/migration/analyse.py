"""Analyse a config for migration: what it is, what would migrate, and what we recommend.

``analyse(path, run_yaml=None, cwd=None)`` never writes anything. It loads the workspace
with LCORE's mode rules and answers:

- ``status``: ``legacy-library`` (a ``library_client_config_path`` names the run.yaml),
  ``legacy-server`` (a remote Llama Stack whose run.yaml was given with ``--run-yaml``),
  ``unified`` (nothing to migrate), ``remote`` (a remote server and no run.yaml: nothing
  to migrate here), or ``invalid`` (LCORE would refuse the file; fix it first).
- the enrichment inputs present (BYOK RAG, OKP/Solr, Azure Entra ID), because they decide
  which strategy is safe (LCORE-3370: lift-and-shift wipes what enrichment adds to lists);
- the recommended strategy, with reasons.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsc_tui.config.findings import Finding, FindingError, Severity
from lsc_tui.config.operator.kinds import LABELS
from lsc_tui.config.releases import DEFAULT_TARGET, Target
from lsc_tui.config.workspace import MODE_LIBRARY, MODE_SERVER, MODE_UNIFIED, Workspace, WorkspaceError, load_workspace
from lsc_tui.config.yaml.document import Document, load_document
from lsc_tui.config.yaml.lint import YamlLoadError

STRATEGIES = ("lift", "profile", "smart")

STATUS_LIBRARY = "legacy-library"
STATUS_SERVER = "legacy-server"
STATUS_UNIFIED = "unified"
STATUS_REMOTE = "remote"
STATUS_INVALID = "invalid"
MIGRATABLE = (STATUS_LIBRARY, STATUS_SERVER)


class MigrationInputError(FindingError):
    """Bad input (exit 2): carries one located finding that says how to fix it."""


@dataclass
class Recommendation:
    strategy: str | None
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "reasons": list(self.reasons)}


@dataclass
class Analysis:
    """Everything the strategies and the proof need to know about one legacy config."""

    workspace: Workspace
    status: str
    reason: str
    config: Document
    run_yaml: Document | None = None
    run_yaml_ref: str | None = None  # the library_client_config_path as written
    run_yaml_given: bool = False  # --run-yaml was given
    ls_key: str = "llama_stack"
    enrichment: list[str] = field(default_factory=list)  # e.g. ["rag.byok", "rag.okp", "azure_entra_id"]
    run_has_mcp: bool = False
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the operator should know (no values)
    recommendation: Recommendation = field(default_factory=lambda: Recommendation(None))

    @property
    def migratable(self) -> bool:
        return self.status in MIGRATABLE

    @property
    def config_path(self) -> Path:
        return self.config.path

    @property
    def config_dir(self) -> Path:
        return self.config.path.parent

    @property
    def kind(self) -> str:
        """``library`` or ``server`` (what LCORE talks to after the migration)."""
        return "server" if self.status == STATUS_SERVER else "library"

    def to_json(self) -> dict[str, Any]:
        return {
            "config": self.config.display,
            "status": self.status,
            "reason": self.reason,
            "run_yaml": self.run_yaml.display if self.run_yaml is not None else None,
            "run_yaml_ref": self.run_yaml_ref,
            "enrichment_inputs": list(self.enrichment),
            "run_yaml_has_mcp": self.run_has_mcp,
            "notes": list(self.notes),
            "recommendation": self.recommendation.to_json(),
        }


def _mapping(value: object) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def enrichment_inputs(config: object) -> list[str]:
    """The enrichment inputs LCORE applies to a run.yaml, in its order of application."""
    out: list[str] = []
    if not isinstance(config, dict):
        return out
    if config.get("azure_entra_id") is not None:
        out.append("azure_entra_id")
    rag = _mapping(config.get("rag"))
    if _mapping(rag.get("byok")).get("stores"):
        out.append("rag.byok")
    retrieval = _mapping(rag.get("retrieval"))
    for kind in ("inline", "tool"):
        sources = _mapping(retrieval.get(kind)).get("sources")
        if isinstance(sources, list) and "okp" in sources:
            out.append("rag.okp")
            break
    return out


def has_mcp(run: object) -> bool:
    run = _mapping(run)
    tools = _mapping(run.get("providers")).get("tool_runtime")
    ids = {p.get("provider_id") for p in (tools if isinstance(tools, list) else []) if isinstance(p, dict)}
    apis = run.get("apis")
    return "model-context-protocol" in ids and isinstance(apis, list) and "tool_runtime" in apis


def analyse(
    path: Path | str,
    *,
    run_yaml: Path | str | None = None,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    target: Target | None = None,
) -> Analysis:
    """Analyse ``path`` (a lightspeed-stack.yaml or a directory holding one).

    ``run_yaml`` is the server's run.yaml for a remote-server config (``--run-yaml``); for a
    library config it overrides ``library_client_config_path`` (as LCORE's own
    ``--migrate-config --run-yaml`` does). Raises MigrationInputError for bad input.
    """
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    try:
        ws = load_workspace(
            path,
            cwd=cwd,
            env=env if env is not None else dict(os.environ),
            target=target if target is not None else DEFAULT_TARGET,
        )
    except WorkspaceError as exc:
        raise MigrationInputError(exc.finding) from None
    if ws.is_operator:
        raise MigrationInputError(
            Finding(
                ws.source.display if ws.source is not None else str(path),
                1,
                1,
                Severity.ERROR,
                "migrate-not-a-config",
                f"this is a {LABELS.get(ws.kind, ws.kind)} (a Kubernetes operator file), not a lightspeed-stack.yaml; "
                "there is nothing to migrate",
                "Migration moves a legacy lightspeed-stack.yaml and its run.yaml to the unified format: open the "
                "lightspeed-stack.yaml.",
            )
        )
    if ws.kind != "lightspeed-stack" or ws.config is None:
        doc = ws.run_yaml
        raise MigrationInputError(
            Finding(
                doc.display if doc else str(path),
                1,
                1,
                Severity.ERROR,
                "migrate-not-a-config",
                "this is a Llama Stack run.yaml, not a lightspeed-stack.yaml",
                "Give the lightspeed-stack.yaml that points at it (library_client_config_path), or, for a "
                "server, the lightspeed-stack.yaml plus --run-yaml THIS_FILE.",
            )
        )
    key = ws.llama_stack_key()
    ls = _mapping(_mapping(ws.config.data).get(key))
    a = Analysis(workspace=ws, status=STATUS_INVALID, reason=ws.mode_reason, config=ws.config, ls_key=key)
    a.enrichment = enrichment_inputs(ws.config.data)
    a.findings = [f for f in ws.findings if f.is_error]
    given = _load_given_run_yaml(run_yaml, cwd) if run_yaml is not None else None
    a.run_yaml_given = given is not None

    if ws.mode == MODE_UNIFIED:
        a.status, a.reason = STATUS_UNIFIED, f"already unified: {ws.mode_reason.removeprefix('unified: ')}"
    elif ws.mode == MODE_LIBRARY:
        a.status = STATUS_LIBRARY
        a.run_yaml_ref = ls.get("library_client_config_path")
        a.run_yaml = given if given is not None else ws.run_yaml
        if a.run_yaml is None:
            raise MigrationInputError(
                _first_error(
                    ws,
                    (key, "library_client_config_path"),
                    Finding(
                        ws.config.display,
                        *ws.config.position((key, "library_client_config_path")),
                        Severity.ERROR,
                        "migrate-run-yaml-missing",
                        f"the run.yaml '{a.run_yaml_ref}' cannot be read",
                        "Fix library_client_config_path (it is relative to the directory LCORE starts in), "
                        "run from that directory, or pass --run-yaml PATH.",
                    ),
                )
            )
        a.reason = f"legacy library client: {key}.library_client_config_path names {a.run_yaml.display}"
    elif ws.mode == MODE_SERVER:
        if given is None:
            a.status = STATUS_REMOTE
            a.reason = (
                "remote server mode: LCORE talks to a separately managed Llama Stack at "
                f"{key}.url and has no run.yaml of its own; nothing to migrate here. To move "
                "the server's run.yaml into this file (the Llama Stack container then "
                "synthesizes from it), pass --run-yaml PATH_OF_THE_SERVER_RUN_YAML"
            )
        else:
            a.status = STATUS_SERVER
            a.run_yaml = given
            a.reason = (
                f"legacy server: {key}.url points at a Llama Stack that runs {given.display}, "
                "enriched with this file by its entrypoint"
            )
    else:
        both = next((f for f in ws.findings if f.code == "unified-and-legacy"), None)
        if both is not None:
            raise MigrationInputError(
                Finding(
                    both.file,
                    both.line,
                    both.column,
                    Severity.ERROR,
                    "migrate-unified-and-legacy",
                    f"{both.message}; LCORE refuses this file, so there is no legacy run to prove a migration against",
                    "Delete library_client_config_path if the unified inputs already describe everything, or "
                    "delete the unified inputs (inference.providers, vector_store.providers, "
                    f"{key}.config) and run `lsc-tui migrate` again.",
                    both.path,
                )
            )
        err = next((f for f in ws.findings if f.is_error), None)
        raise MigrationInputError(
            err
            or Finding(
                ws.config.display,
                1,
                1,
                Severity.ERROR,
                "migrate-invalid",
                f"LCORE would refuse this file: {ws.mode_reason}",
                "Fix the llama_stack block first.",
            )
        )
    if a.run_yaml is not None:
        if not isinstance(a.run_yaml.data, dict):
            raise MigrationInputError(
                Finding(
                    a.run_yaml.display,
                    1,
                    1,
                    Severity.ERROR,
                    "migrate-run-yaml-not-mapping",
                    "the run.yaml did not parse to a mapping; there is nothing to migrate",
                    "Give the Llama Stack run.yaml (version, apis, providers, ...).",
                )
            )
        if not a.run_yaml.data:
            # an empty file or `{}`: the legacy setup never ran (LCORE's enrichment reads no
            # mapping, Llama Stack refuses an empty run config), so no result can be "equivalent"
            raise MigrationInputError(
                Finding(
                    a.run_yaml.display,
                    1,
                    1,
                    Severity.ERROR,
                    "migrate-run-yaml-empty",
                    "the run.yaml is empty: LCORE and Llama Stack refuse to start from it, so there is no "
                    "legacy run to prove a migration against",
                    "Give the run.yaml Llama Stack really runs (version, apis, providers, ...), or write the "
                    "unified config directly (llama_stack.config with baseline: default).",
                )
            )
        a.run_has_mcp = has_mcp(a.run_yaml.data)
        a.findings += [f for f in a.run_yaml.findings if f.is_error]
    for f in ws.findings:
        if f.code == "run-yaml-beside-config":
            a.notes.append(f"{f.location()}: {f.message}")
    errors = [f for f in ws.findings if f.is_error and f.file == ws.config.display]
    if errors and a.migratable:
        a.notes.append(
            f"{ws.config.display} has {len(errors)} error(s) LCORE reports when it loads the file "
            f"(first: {errors[0].location()}: {errors[0].message}); the migration keeps them as "
            "they are: run `lsc-tui validate` and fix them"
        )
    a.recommendation = recommend(a)
    return a


def _first_error(ws: Workspace, path: tuple[Any, ...], fallback: Finding) -> Finding:
    for f in ws.findings:
        if f.is_error and f.code in (
            "run-yaml-missing",
            "run-yaml-path",
            "yaml-syntax",
            "not-a-mapping",
            "file-not-found",
            "file-permission",
        ):
            return f
    return fallback


def _load_given_run_yaml(path: Path | str, cwd: Path) -> Document:
    p = Path(path)
    if not p.is_absolute():
        p = cwd / p
    try:
        display = os.path.relpath(p, cwd)
        if display.startswith("../.."):
            display = str(p)
        doc = load_document(p, display)
    except YamlLoadError as exc:
        raise MigrationInputError(exc.finding) from None
    if doc.data is None:
        doc.data = {}
    return doc


def recommend(a: Analysis) -> Recommendation:
    """Which strategy to use, and why (for a migratable config)."""
    if not a.migratable:
        return Recommendation(None, [a.reason])
    reasons: list[str] = []
    lossy = list(a.enrichment)
    if lossy:
        what = ", ".join(lossy)
        reasons.append(
            f"enrichment inputs present ({what}): lift would put the run.yaml in native_override, which "
            "is merged after enrichment and replaces its lists, so what enrichment adds is lost "
            "(LCORE-3370) wherever the run.yaml has the same list; use profile or smart"
        )
    if not a.run_has_mcp:
        reasons.append(
            "the run.yaml has no model-context-protocol tool_runtime provider: a profile gets one added "
            "by LCORE's MCP ensure (a difference the proof names); lift and smart can avoid it"
        )
    if a.kind == "server":
        reasons.append(
            "server pair: after migrating, the Llama Stack container synthesizes from the new file (its "
            "entrypoint needs LCORE PR #2319 / LCORE-2338 or later); a profile must be mounted beside the "
            "config in the container at the same relative path, lift needs nothing else"
        )
    if not lossy and a.kind == "library":
        reasons.append("no enrichment inputs: lift cannot lose enrichment here")
    strategy = "profile" if lossy else ("lift" if a.kind == "server" else "smart")
    return Recommendation(strategy, reasons)
