"""The operator's files opened as workspaces: which kind a file is, its findings, and the
config it generates.

Three kinds, told apart by content (``kind:``), and by file name only when ``kind:`` is
missing:

- ``llsd``: a ``LlamaStackDistribution`` CR (v1alpha1 or v1alpha2; the file may also hold
  the ConfigMaps and Secrets it uses, split by ``---``). Its preview is the config.yaml the
  operator generates, exactly as ``lsc-tui expand`` prints it. The base config is the
  distribution's embedded one, or ``base-config.yaml`` next to the CR when there is one
  (as ``lsc-tui expand --base base-config.yaml``).
- ``extra-providers``: an ``extra-providers.yaml`` (kind ``ExternalProviders``). Its preview
  is the run.yaml next to it with the providers merged in, as ``lsc-tui merge-external``.
- ``provider-spec``: an ``lls-provider-spec.yaml`` (kind ``ProviderPackage``). Its preview is
  the run.yaml next to it with this one provider merged in; the provider id and config come
  from ``crd-config.yaml`` next to it (as the operator's install step leaves them), else
  from ``metadata.name``.

Nothing here imports the TUI; the workspace loader and the preview call these functions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TYPE_CHECKING

from lsc_tui.config.findings import Finding, FindingError, Severity
from lsc_tui.config.yaml.save import dump
from lsc_tui.config.yaml.streams import load_one, parse_all

if TYPE_CHECKING:  # the workspace imports this module
    from lsc_tui.config.yaml.streams import LocDoc
    from lsc_tui.config.operator.expand import EnvVar
    from lsc_tui.config.workspace import Workspace
    from lsc_tui.config.yaml.document import Document

KIND_LLSD = "llsd"
KIND_EXTRA = "extra-providers"
KIND_SPEC = "provider-spec"
OPERATOR_KINDS = (KIND_LLSD, KIND_EXTRA, KIND_SPEC)
BY_KIND_FIELD = {"LlamaStackDistribution": KIND_LLSD, "ExternalProviders": KIND_EXTRA, "ProviderPackage": KIND_SPEC}
BY_FILE_NAME = {
    "extra-providers.yaml": KIND_EXTRA,
    "extra-providers.yml": KIND_EXTRA,
    "lls-provider-spec.yaml": KIND_SPEC,
    "lls-provider-spec.yml": KIND_SPEC,
}
LABELS = {KIND_LLSD: "LlamaStackDistribution", KIND_EXTRA: "ExternalProviders", KIND_SPEC: "ProviderPackage"}
BASE_CONFIG_NAME = "base-config.yaml"
CRD_CONFIG_NAME = "crd-config.yaml"
RUN_NAMES = ("run.yaml", "config.yaml", "run.yml")


def detect(all_data: list[Any], path: Path | None = None) -> str | None:
    """The operator kind of a file's documents, or None for anything else."""
    for data in all_data:
        if isinstance(data, dict) and isinstance(data.get("kind"), str) and data["kind"] in BY_KIND_FIELD:
            return BY_KIND_FIELD[data["kind"]]
    if path is not None and Path(path).name in BY_FILE_NAME:
        first = next((d for d in all_data if d is not None), None)
        if isinstance(first, dict) and "kind" not in first:
            return BY_FILE_NAME[Path(path).name]
    return None


def describe(kind: str, doc: Document) -> str:
    """A one-line description of what the workspace shows (the mode reason)."""
    if kind == KIND_LLSD:
        versions = sorted(
            {
                str(d.get("apiVersion", "?")).rsplit("/", 1)[-1]
                for d in _all_data(doc)
                if isinstance(d, dict) and d.get("kind") == "LlamaStackDistribution"
            }
        )
        return (
            f"a LlamaStackDistribution ({', '.join(versions) or '?'}): the preview is the config.yaml "
            "the operator generates"
        )
    if kind == KIND_EXTRA:
        return "external providers (extra-providers.yaml): the preview is the run.yaml next to it, merged"
    return "a provider package (lls-provider-spec.yaml): the preview is the run.yaml next to it with this provider"


def _all_data(doc: Document) -> list[Any]:
    return list(doc.all_data) if doc.all_data else [doc.data]


# -- located documents for the operator code ------------------------------------------------------


def loc_docs(doc: Document) -> list[LocDoc]:
    """The operator code's located documents for an editor Document (same text, same display)."""
    return list(parse_all(doc.text, doc.display))


def _relocate(findings: list[Finding], doc: Document) -> list[Finding]:
    """In a multi-document stream, tree paths start with the document's index: drop the
    operator's per-document paths, so the editor places these findings by their line."""
    if not doc.stream:
        return findings
    return [dataclasses.replace(f, path=()) if f.file == doc.display and f.path else f for f in findings]


# -- validation (the workspace loader) --------------------------------------------------------------


def validate(kind: str, doc: Document) -> list[Finding]:
    """The findings of the operator's own checks (schema, CEL rules, webhook) for one file."""
    # deferred: pydantic and the operator's models load only when an operator file is opened
    from lsc_tui.config.operator import distributions as dists
    from lsc_tui.config.operator import merge, models, validate_cr  # deferred: as the line above

    try:
        docs = loc_docs(doc)
    except FindingError as exc:  # the editor's reader accepted it, so this is rare (alias limits)
        return exc.findings
    docs = [d for d in docs if d.data is not None] or docs
    out: list[Finding] = []
    if kind != KIND_LLSD and len(docs) > 1:
        out.append(
            Finding(
                doc.display,
                docs[1].pos(())[0],
                1,
                Severity.ERROR,
                "multiple-documents",
                f"the file holds {len(docs)} YAML documents; the operator reads one",
                "Split the file, or remove the extra '---' separators.",
            )
        )
        return out
    if kind == KIND_LLSD:
        images = dists.distribution_images()
        for d in docs:
            data = d.data if isinstance(d.data, dict) else {}
            if data.get("kind") != "LlamaStackDistribution":
                continue
            version = data.get("apiVersion")
            if version == models.V1ALPHA2:
                out.extend(validate_cr.validate_v1alpha2(d, images))
            elif version == models.V1ALPHA1:
                out.extend(validate_cr.validate_v1alpha1(d, images))
            else:
                out.append(
                    d.finding(
                        ("apiVersion",),
                        Severity.ERROR,
                        "unknown-api-version",
                        f'no matches for kind "LlamaStackDistribution" in version "{version}"',
                        "Use apiVersion: llamastack.io/v1alpha2 (or llamastack.io/v1alpha1).",
                    )
                )
        if not any(isinstance(d.data, dict) and d.data.get("kind") == "LlamaStackDistribution" for d in docs):
            first = docs[0] if docs else None
            line, col = first.pos(("kind",)) if first is not None else (1, 1)
            out.append(
                Finding(
                    doc.display,
                    line,
                    col,
                    Severity.ERROR,
                    "kind-missing",
                    "the file holds no document with kind: LlamaStackDistribution",
                    "Add `kind: LlamaStackDistribution` (with apiVersion: llamastack.io/v1alpha2).",
                )
            )
        return _relocate(out, doc)
    if not docs or docs[0].data is None:
        return out
    d = docs[0]
    data = d.data if isinstance(d.data, dict) else {}
    if "kind" not in data:
        want = LABELS[kind]
        out.append(
            d.finding(
                (),
                Severity.ERROR,
                "kind-missing",
                f"the file has no kind (expected {want})",
                f"Add `apiVersion: llamastack.io/v1alpha1` and `kind: {want}` at the top.",
            )
        )
    try:
        if kind == KIND_EXTRA:
            out.extend(merge.duplicate_errors(merge.externals_from_doc(d)))
        else:
            merge.package_from_doc(d)
    except FindingError as exc:
        out.extend(f for f in exc.findings if f.code != "duplicate-key")  # the editor's reader reports those
    return out


# -- companion files -----------------------------------------------------------------------------------


def companion_run_yaml(kind: str, path: Path) -> Path | None:
    """The file next to ``path`` whose content the preview builds on (None when there is none)."""
    folder = Path(path).parent
    if kind == KIND_LLSD:
        candidate = folder / BASE_CONFIG_NAME
        return candidate if candidate.is_file() and candidate.resolve() != Path(path).resolve() else None
    for name in RUN_NAMES:
        candidate = folder / name
        if candidate.is_file() and candidate.resolve() != Path(path).resolve():
            return candidate
    return None


# -- the generated config (the preview) -------------------------------------------------------------


@dataclass
class Origin:
    file: str
    source_path: tuple[Any, ...] = ()
    step: str = ""
    line: int | None = None


@dataclass
class Generated:
    """What the operator makes of the file: a config.yaml (CR) or a merged run.yaml."""

    data: dict[str, Any]
    file: str
    text: str
    label: str  # what the preview calls it, e.g. "generated config.yaml"
    findings: list[Finding] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)  # CR: env vars the Deployment gets from Secrets
    mode: str = "operator"  # as a synthesis names its mode (the commands print and report it)

    def text_and_line_origins(self) -> tuple[str, list[None]]:
        return self.text, [None] * len(self.text.splitlines())

    def origin_of(self, path: tuple[Any, ...]) -> Origin:
        return Origin(self.file, ())


def generate(ws: Workspace) -> tuple[Generated | None, list[Finding]]:
    """The generated config of an operator workspace and the findings met on the way (those
    the workspace already reports are left out)."""
    doc = ws.source
    if doc is None:  # an operator workspace always has its file
        return None, []
    try:
        if ws.kind == KIND_LLSD:
            result, findings = _generate_cr(ws, doc)
        else:
            result, findings = _generate_merge(ws, doc)
    except FindingError as exc:
        result, findings = None, exc.findings
    known = {(f.file, f.line, f.column, f.code, f.message) for f in ws.findings}
    findings = [f for f in _relocate(findings, doc) if (f.file, f.line, f.column, f.code, f.message) not in known]
    if result is not None:
        result.findings = findings
    return result, findings


def _generate_cr(ws: Workspace, doc: Document) -> tuple[Generated | None, list[Finding]]:
    # deferred: pydantic and the operator's models load only when an operator file is opened
    from lsc_tui.config.operator import expand as ex

    docs = loc_docs(doc)
    crs, inputs, findings = ex.split_documents(docs)
    findings = [f for f in findings if f.code != "duplicate-key"]  # the editor's reader reports those
    if not crs:
        return None, findings
    line, col = crs[0].pos(())

    def info(code: str, message: str, fix: str) -> None:  # said at the CR the preview shows
        findings.append(Finding(doc.display, line, col, Severity.INFO, code, message, fix))

    if len(crs) > 1:
        names = ", ".join(ex.cr_name(c) for c in crs)
        info(
            "several-llsd",
            f"the file holds {len(crs)} LlamaStackDistributions ({names}); the preview shows "
            f"the first, {ex.cr_name(crs[0])}",
            "Put each CR in a file of its own to preview the others.",
        )
    base = None
    if ws.run_yaml is not None:
        base_docs = [d for d in parse_all(ws.run_yaml.text, ws.run_yaml.display) if d.data is not None]
        base = base_docs[0] if base_docs else None
        info(
            "base-config-beside",
            f"the base config is {ws.run_yaml.display} (next to the CR), not the distribution's embedded one",
            f"`lsc-tui expand {doc.display} --base {ws.run_yaml.display}` gives the same "
            f"config; rename {BASE_CONFIG_NAME} to use the embedded base.",
        )
    result = ex.expand(crs[0], inputs=inputs, base=base)
    findings.extend(result.findings)
    if result.config is None or not result.ok:
        return None, findings
    text = dump(result.config, sort_keys=True)
    return Generated(result.config, doc.display, text, "generated config.yaml", env=list(result.env)), findings


def _generate_merge(ws: Workspace, doc: Document) -> tuple[Generated | None, list[Finding]]:
    # deferred: pydantic and the operator's models load only when an operator file is opened
    from lsc_tui.config.operator import merge, models

    if ws.run_yaml is None or not isinstance(ws.run_yaml.data, dict):
        return None, []
    docs = [d for d in loc_docs(doc) if d.data is not None]
    if len(docs) != 1:
        return None, []
    findings: list[Finding] = []
    if ws.kind == KIND_EXTRA:
        externals = merge.externals_from_doc(docs[0])
    else:
        _d, pkg = merge.package_from_doc(docs[0])
        crd_path = Path(doc.path).parent / CRD_CONFIG_NAME
        provider_id, config = pkg.metadata.name, None
        line, col = docs[0].pos(("metadata", "name"))
        where = f"{doc.display}:{line}:{col}"
        if crd_path.is_file():
            crd_doc = load_one(crd_path, _display_near(doc, crd_path))
            crd = crd_doc.data if isinstance(crd_doc.data, dict) else {}
            if crd.get("providerId"):
                provider_id = str(crd["providerId"])
                line, col = crd_doc.pos(("providerId",))
                where = f"{crd_doc.file}:{line}:{col}"
            if isinstance(crd.get("config"), dict):
                config = crd["config"]
            placed = models.EXTERNAL_API_FROM_CRD.get(str(crd.get("api")), crd.get("api"))
            if crd.get("api") and placed != pkg.spec.api:
                line, col = crd_doc.pos(("api",))
                findings.append(
                    Finding(
                        crd_doc.file,
                        line,
                        col,
                        Severity.ERROR,
                        "api-mismatch",
                        f"{CRD_CONFIG_NAME} places the provider under {crd.get('api')}, but "
                        f"{doc.display} declares api={pkg.spec.api}",
                        "Move the provider to the section of the API its package declares.",
                    )
                )
                return None, findings
        else:
            findings.append(
                Finding(
                    doc.display,
                    line,
                    col,
                    Severity.INFO,
                    "provider-id-from-name",
                    f"the preview uses metadata.name ('{provider_id}') as the provider id; the operator "
                    "takes it from the CR's externalProviders providerId",
                    f"Put a {CRD_CONFIG_NAME} (providerId, api, config) next to this file to choose.",
                )
            )
        if not models.PROVIDER_ID_RE.match(provider_id):
            findings.append(
                Finding(
                    doc.display,
                    line,
                    col,
                    Severity.ERROR,
                    "provider-id",
                    f"provider id {provider_id!r} (from {where}) must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                    "Use lower-case letters, digits and '-'.",
                )
            )
            return None, findings
        file_line = docs[0].pos(())
        externals = [
            merge.External(
                pkg.spec.api,
                merge._entry(provider_id, pkg.spec.providerType, pkg.spec.packageName, config),
                provider_id,
                doc.display,
                file_line[0],
                file_line[1],
                None,
                pkg,
            )
        ]
    run_docs = [d for d in parse_all(ws.run_yaml.text, ws.run_yaml.display) if d.data is not None]
    run_doc = run_docs[0] if run_docs else None
    result = merge.merge_external(ws.run_yaml.data, externals, run_file=ws.run_yaml.display, run_doc=run_doc)
    findings.extend(result.errors)
    findings.extend(result.warnings)
    if not result.ok or result.data is None:
        return None, findings
    return Generated(result.data, doc.display, dump(result.data, sort_keys=False), "merged run.yaml"), findings


def _display_near(doc: Document, path: Path) -> str:
    base = doc.display.rsplit("/", 1)
    return f"{base[0]}/{path.name}" if len(base) == 2 else path.name


__all__ = [
    "detect",
    "describe",
    "validate",
    "generate",
    "companion_run_yaml",
    "Generated",
    "OPERATOR_KINDS",
    "KIND_LLSD",
    "KIND_EXTRA",
    "KIND_SPEC",
    "LABELS",
]
