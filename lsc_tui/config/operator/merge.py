"""The operator's external-provider merge (spec 001, "Level 1"), as a pure function.

Order: the user's run.yaml (or config.yaml) first, then each external provider in order.
A provider whose ``provider_id`` already exists **in the same API section** is replaced in
place, with a WARNING naming both provider types; otherwise it is appended, creating the API
section when needed. Duplicate IDs among the external providers, an API that differs from
the one the provider's metadata declares, missing metadata and unreadable YAML are errors.

Inputs come from either an ``extra-providers.yaml`` (kind ExternalProviders) or a metadata
directory as the install init containers leave it: ``DIR/<providerId>/lls-provider-spec.yaml``
(kind ProviderPackage) plus ``DIR/<providerId>/crd-config.yaml`` (providerId, api, config).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lsc_tui.config.envref import ENV_REF
from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.operator import models
from lsc_tui.config.findings import FindingError
from lsc_tui.config.yaml.streams import LocDoc, load_one

SPEC_FILE = "lls-provider-spec.yaml"
CRD_FILE = "crd-config.yaml"


@dataclass
class External:
    """One external provider to merge: its run.yaml API and its run.yaml-shaped entry."""

    api: str
    entry: dict[str, Any]
    where: str  # "inference[0]" (extra-providers.yaml) or "custom-vllm" (metadata dir)
    file: str
    line: int = 0
    column: int = 0
    image: str | None = None
    package: models.ProviderPackage | None = None

    @property
    def provider_id(self) -> str:
        return str(self.entry["provider_id"])


@dataclass
class MergeResult:
    data: dict[str, Any] | None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # merge-log.txt lines (WARNING blocks etc.)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- reading the inputs --------------------------------------------------------------------------


def _model_findings(doc: LocDoc, exc: ValidationError, code: str, fix: str) -> list[Finding]:
    out = []
    for loc, msg, _kind in models.issues(exc):
        out.append(doc.finding(loc, Severity.ERROR, code, msg, fix))
    return out


def load_extra_providers(path: Path | str, display: str | None = None) -> list[External]:
    """Entries of an ``extra-providers.yaml`` in file order. Raises FindingError."""
    return externals_from_doc(load_one(path, display))


def externals_from_doc(doc: LocDoc) -> list[External]:
    """Entries of a read ``extra-providers.yaml`` document in file order. Raises FindingError."""
    if doc.findings:
        raise FindingError(doc.findings)
    data = doc.data
    if data is None:
        raise FindingError(
            Finding(
                doc.file,
                1,
                1,
                Severity.ERROR,
                "empty-file",
                "the file is empty",
                "An extra-providers.yaml starts with apiVersion: llamastack.io/v1alpha1, "
                "kind: ExternalProviders, providers: {...}.",
            )
        )
    try:
        parsed = models.ExternalProviders.model_validate(data)
    except ValidationError as exc:
        raise FindingError(
            _model_findings(
                doc,
                exc,
                "extra-providers-schema",
                "Entries need provider_id, provider_type and module (config is optional), under providers.<api>.",
            )
        ) from None
    out: list[External] = []
    for api, entries in parsed.providers.items():
        for i, entry in enumerate(entries):
            line, col = doc.pos(("providers", api, i))
            out.append(
                External(
                    api,
                    _entry(entry.provider_id, entry.provider_type, entry.module, entry.config),
                    f"{api}[{i}]",
                    doc.file,
                    line,
                    col,
                )
            )
    return out


def load_package(path: Path | str, display: str | None = None) -> tuple[LocDoc, models.ProviderPackage]:
    """Read and check one ``lls-provider-spec.yaml``. Raises FindingError."""
    return package_from_doc(load_one(path, display))


def package_from_doc(doc: LocDoc) -> tuple[LocDoc, models.ProviderPackage]:
    """Check one read ``lls-provider-spec.yaml`` document. Raises FindingError."""
    if doc.findings:
        raise FindingError(doc.findings)
    if doc.data is None:
        raise FindingError(
            Finding(
                doc.file,
                1,
                1,
                Severity.ERROR,
                "empty-file",
                "the metadata file is empty",
                "lls-provider-spec.yaml needs apiVersion: llamastack.io/v1alpha1, kind: ProviderPackage, "
                "metadata {name, version, vendor} and spec {packageName, providerType, api, wheelPath}.",
            )
        )
    try:
        return doc, models.ProviderPackage.model_validate(doc.data)
    except ValidationError as exc:
        raise FindingError(
            _model_findings(
                doc,
                exc,
                "provider-package-schema",
                "Fix lls-provider-spec.yaml in the provider image (kind ProviderPackage).",
            )
        ) from None


def load_metadata_dir(directory: Path | str) -> list[External]:
    """External providers from a metadata directory, in directory-name order.

    Raises FindingError carrying every problem found (all providers are checked, so one run
    reports all missing or broken metadata).
    """
    root = Path(directory)
    if not root.is_dir():
        raise FindingError(
            Finding(
                str(root),
                0,
                0,
                Severity.ERROR,
                "metadata-dir-missing",
                "is a file, not a directory" if root.exists() else "the metadata directory does not exist",
                f"Give the directory holding one <providerId>/{SPEC_FILE} per provider.",
            )
        )
    errors: list[Finding] = []
    out: list[External] = []
    try:
        subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except PermissionError:
        raise FindingError(
            Finding(
                str(root),
                0,
                0,
                Severity.ERROR,
                "file-permission",
                "permission denied (this directory or one above it)",
                "Run as a user who can read it, or fix its permissions (a directory needs r and x).",
            )
        ) from None
    if not subdirs:
        raise FindingError(
            Finding(
                str(root),
                0,
                0,
                Severity.ERROR,
                "metadata-dir-empty",
                "the metadata directory holds no provider directories",
                f"Expected DIR/<providerId>/{SPEC_FILE} and DIR/<providerId>/{CRD_FILE}.",
            )
        )
    for sub in subdirs:
        crd_path, spec_path = sub / CRD_FILE, sub / SPEC_FILE
        crd: models.CrdConfig | None = None
        crd_doc: LocDoc | None = None
        if not crd_path.exists() or crd_path.is_dir():  # a FIFO goes to the reader, which refuses it
            errors.append(
                Finding(
                    str(crd_path),
                    0,
                    0,
                    Severity.ERROR,
                    "missing-crd-config",
                    f"Missing {CRD_FILE} for provider '{sub.name}'",
                    "The install step writes it (providerId, api, config); re-run the install, or write it by hand.",
                )
            )
        else:
            try:
                crd_doc = load_one(crd_path)
                if crd_doc.findings:
                    raise FindingError(crd_doc.findings)
            except FindingError as exc:
                errors.extend(exc.findings)
            else:
                try:
                    crd = models.CrdConfig.model_validate(crd_doc.data if crd_doc.data is not None else {})
                except ValidationError as exc:
                    errors.extend(
                        _model_findings(
                            crd_doc,
                            exc,
                            "crd-config-schema",
                            "crd-config.yaml holds providerId, api (the CR section) and config.",
                        )
                    )
        image = crd.image if crd else None
        if not spec_path.exists() or spec_path.is_dir():
            where = f"image {image}" if image else f"the image of provider '{crd.providerId if crd else sub.name}'"
            errors.append(
                Finding(
                    str(spec_path),
                    0,
                    0,
                    Severity.ERROR,
                    "missing-metadata",
                    f"Missing /lls-provider/{SPEC_FILE} in {where} "
                    f"(init container install-provider-{crd.providerId if crd else sub.name})",
                    "Build the provider image with /lls-provider/lls-provider-spec.yaml (kind "
                    "ProviderPackage) and its wheels in /lls-provider/packages/.",
                )
            )
            continue
        try:
            _spec_doc, pkg = load_package(spec_path)
        except FindingError as exc:
            errors.extend(exc.findings)
            continue
        if crd is None:
            continue
        placed = models.EXTERNAL_API_FROM_CRD.get(crd.api, crd.api)
        if placed != pkg.spec.api:
            line, col = crd_doc.pos(("api",)) if crd_doc else (0, 0)
            errors.append(
                Finding(
                    str(crd_path),
                    line,
                    col,
                    Severity.ERROR,
                    "api-mismatch",
                    "Provider API type mismatch: "
                    f"Provider '{crd.providerId}' (image: {image or 'unknown'}) declares api={pkg.spec.api} in "
                    f"{SPEC_FILE} but is placed under externalProviders.{models.EXTERNAL_API_TO_CRD.get(placed, placed)}",
                    f"Move the provider to externalProviders.{models.EXTERNAL_API_TO_CRD.get(pkg.spec.api, pkg.spec.api)} "
                    "section in the LLSD spec.",
                    ("api",),
                )
            )
            continue
        line, col = crd_doc.pos(("providerId",)) if crd_doc else (0, 0)
        ext = External(
            pkg.spec.api,
            _entry(crd.providerId, pkg.spec.providerType, pkg.spec.packageName, crd.config),
            sub.name,
            str(crd_path),
            line,
            col,
            image,
            pkg,
        )
        out.append(ext)
    if errors:
        raise FindingError(errors)
    return out


def provider_metadata(directory: Path | str) -> dict[str, models.ProviderPackage]:
    """``provider_id -> ProviderPackage`` of a metadata directory, for the preflight's
    consistency warnings (same files the merge reads). Raises FindingError."""
    return {ext.provider_id: ext.package for ext in load_metadata_dir(directory) if ext.package is not None}


def _entry(provider_id: str, provider_type: str, module: str, config: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"provider_id": provider_id, "provider_type": provider_type, "module": module}
    if config is not None:
        entry["config"] = copy.deepcopy(config)
    return entry


def extra_providers_document(externals: list[External]) -> dict[str, Any]:
    """The ``extra-providers.yaml`` the merge step writes next to the merged run.yaml."""
    providers: dict[str, list[dict[str, Any]]] = {}
    for ext in externals:
        providers.setdefault(ext.api, []).append(copy.deepcopy(ext.entry))
    return {"apiVersion": models.V1ALPHA1, "kind": "ExternalProviders", "providers": providers}


# -- the merge -----------------------------------------------------------------------------------


def duplicate_errors(externals: list[External]) -> list[Finding]:
    seen: dict[str, External] = {}
    out: list[Finding] = []
    for ext in externals:
        first = seen.get(ext.provider_id)
        if first is None:
            seen[ext.provider_id] = ext
            continue
        if first.api != ext.api:
            found = f"found in both {first.api} and {ext.api} API sections"
        else:
            found = f"found in {first.where} and {ext.where}"
        images = ""
        if first.image or ext.image:
            images = f" (images: {first.image or 'unknown'}, {ext.image or 'unknown'})"
        out.append(
            Finding(
                ext.file,
                ext.line,
                ext.column,
                Severity.ERROR,
                "duplicate-provider-id",
                f"Duplicate provider ID detected in external providers: duplicate provider_id "
                f"'{ext.provider_id}' in externalProviders: {found}{images}",
                "Give each external provider its own providerId.",
            )
        )
    return out


def merge_external(
    run: object, externals: list[External], *, run_file: str = "run.yaml", run_doc: LocDoc | None = None
) -> MergeResult:
    """Merge external providers into a run.yaml (data in, data out; the input is not changed)."""
    errors = duplicate_errors(externals)
    if run is not None and not isinstance(run, dict):
        errors.append(
            Finding(
                run_file,
                1,
                1,
                Severity.ERROR,
                "not-a-mapping",
                "the run.yaml is not a mapping of keys",
                "A run.yaml starts with version, apis, providers, ...",
            )
        )
    if isinstance(run, dict):
        providers = run.get("providers")
        if providers is not None and not isinstance(providers, dict):
            errors.append(
                _run_finding(
                    run_doc,
                    run_file,
                    ("providers",),
                    "providers is not a mapping of API names to provider lists",
                    "Write providers: {inference: [...], ...}.",
                )
            )
        elif isinstance(providers, dict):
            for ext in externals:
                section = providers.get(ext.api)
                if section is not None and not isinstance(section, list):
                    errors.append(
                        _run_finding(
                            run_doc,
                            run_file,
                            ("providers", ext.api),
                            f"providers.{ext.api} is not a list of providers",
                            f"Write providers.{ext.api} as a list (- provider_id: ...).",
                        )
                    )
    if errors:
        return MergeResult(None, errors)
    out: dict[str, Any] = copy.deepcopy(run) if isinstance(run, dict) and run else {}
    if not isinstance(out.get("providers"), dict):
        out["providers"] = {}
    merged: dict[str, Any] = out["providers"]
    warnings: list[Finding] = []
    log: list[str] = []

    def note(severity: Severity, code: str, path: tuple[Any, ...], text: str, fix: str) -> None:
        """A warning (or info) at ``path`` of the run.yaml, in the findings and in the merge log."""
        line, col = _run_pos(run_doc, path)
        warnings.append(Finding(run_file, line, col, severity, code, text, fix, path))
        log.append(f"{severity.value.upper()}: {text}")

    for ext in externals:
        section = merged.get(ext.api)
        if not isinstance(section, list):
            section = []
            merged[ext.api] = section
        idx = next(
            (i for i, p in enumerate(section) if isinstance(p, dict) and p.get("provider_id") == ext.provider_id), None
        )
        if idx is not None:
            base_type = section[idx].get("provider_type", "unknown")
            note(
                Severity.WARNING,
                "provider-override",
                ("providers", ext.api, idx),
                f"External provider '{ext.provider_id}' overrides base provider in API '{ext.api}'\n"
                f"  Base type: {base_type}\n  External type: {ext.entry['provider_type']}",
                "Nothing to do if you meant to replace it; otherwise give the external provider another providerId.",
            )
            section[idx] = copy.deepcopy(ext.entry)
        else:
            for i, p in enumerate(section):
                cond = _conditional_id(p.get("provider_id") if isinstance(p, dict) else None)
                if cond and cond[1] == ext.provider_id:
                    note(
                        Severity.WARNING,
                        "provider-conditional-clash",
                        ("providers", ext.api, i),
                        f"External provider '{ext.provider_id}' may clash with base provider "
                        f"'{p.get('provider_id')}' in API '{ext.api}': when {cond[0]} is set, both have the id "
                        f"'{ext.provider_id}' and Llama Stack keeps only the later one",
                        f"Leave {cond[0]} unset, or give the external provider another id.",
                    )
            section.append(copy.deepcopy(ext.entry))
        for other_api, other in merged.items():
            if other_api == ext.api or not isinstance(other, list):
                continue
            for i, p in enumerate(other):
                if isinstance(p, dict) and p.get("provider_id") == ext.provider_id:
                    note(
                        Severity.WARNING,
                        "provider-id-reused",
                        ("providers", other_api, i),
                        f"External provider '{ext.provider_id}' (API '{ext.api}') has the same id as base "
                        f"provider in API '{other_api}'; both are kept (the merge replaces only within an API)",
                        "Provider IDs should be unique across APIs (spec 001 FR-009).",
                    )
        apis = out.get("apis")
        if isinstance(apis, list) and apis and ext.api not in apis:
            apis.append(ext.api)
            note(
                Severity.INFO,
                "api-added",
                ("apis",),
                f"API '{ext.api}' added to apis for external provider '{ext.provider_id}' "
                "(without it the server would not serve the API)",
                "",
            )
        log.append(
            f"merged external provider '{ext.provider_id}' ({ext.entry['provider_type']}, "
            f"module {ext.entry['module']}) into API '{ext.api}'"
        )
    return MergeResult(out, [], warnings, log)


def _run_pos(run_doc: LocDoc | None, path: tuple[Any, ...]) -> tuple[int, int]:
    """Where ``path`` is in the run.yaml (0, 0 without its located document)."""
    return run_doc.pos(path) if run_doc is not None else (0, 0)


def _run_finding(run_doc: LocDoc | None, run_file: str, path: tuple[Any, ...], message: str, fix: str) -> Finding:
    line, col = _run_pos(run_doc, path)
    return Finding(run_file, line, col, Severity.ERROR, "run-yaml-shape", message, fix, path)


def _conditional_id(value: object) -> tuple[str, str] | None:
    """``("X", "id")`` for a provider_id of the form ``${env.X:+id}``."""
    if not isinstance(value, str):
        return None
    m = ENV_REF.fullmatch(value)
    if m and m.group(2) == "+" and m.group(3):
        return m.group(1), m.group(3)
    return None
