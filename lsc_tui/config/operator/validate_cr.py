"""Admission checks of a ``LlamaStackDistribution``: schema, CEL rules, validating webhook.

Each rule reports what the API server would: the field path and the rule's message, in the
Kubernetes ``field.ErrorList`` wording (``spec.x: Invalid value: "object": message``). The
rules (contract ``crd-schema.yaml`` R1-R11, spec 002 FR-070..079d):

- R1-R4  ``overrideConfig`` excludes ``providers``, ``resources``, ``storage``, ``disabled``
- R5     ``distribution``: only one of ``name``/``image`` (and one is required)
- R6     a provider list of two or more needs an ``id`` on every entry
- R7     provider IDs unique across all provider types (explicit IDs by CEL; auto IDs, which
         CEL cannot see, by the webhook with the same message)
- R8     an API may not be both configured under ``providers`` and listed in ``disabled``
- R9     ``networking.tls.enabled`` requires ``secretName``
- R10    ``storage.kv.type: redis`` requires ``endpoint``
- R11    ``storage.sql.type: postgres`` requires ``connectionString``
- webhook: known distribution name (FR-079d); FR-079c warning for unused sqlite kv fields.

Checks that need the base config (model provider references, tools/shields providers) or
cluster objects (Secrets, ConfigMaps) run during expansion, in :mod:`expand`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.provider_types import PROVIDABLE_APIS
from lsc_tui.config.operator import models
from lsc_tui.config.yaml.streams import LocDoc

EXCLUSIVE = ("providers", "resources", "storage", "disabled")
PROVIDER_SECTIONS = tuple(models.PROVIDER_API_FROM_CRD)

# API names accepted in spec.disabled (camelCase as in the examples, or run.yaml snake_case).
_DISABLED_SPECIAL = {"datasetIo": "datasetio", "datasetio": "datasetio"}


def api_name(name: str) -> str:
    """run.yaml API name for a CR API name: ``vectorIo`` -> ``vector_io``, ``postTraining`` ->
    ``post_training``, ``datasetIo`` -> ``datasetio``; snake_case passes unchanged."""
    if name in _DISABLED_SPECIAL:
        return _DISABLED_SPECIAL[name]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _map(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _map_or_none(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _has(d: object, key: str) -> bool:
    """CEL ``has()``: the field is present (for optional pointers/lists: set and non-null)."""
    return isinstance(d, dict) and key in d and d[key] is not None


def _err(
    doc: LocDoc, path: tuple[Any, ...], message: str, fix: str, code: str, severity: Severity = Severity.ERROR
) -> Finding:
    return doc.finding(path, severity, code, message, fix)


def _field(path: tuple[Any, ...]) -> str:
    return models._dotted(path)


def provider_ids(spec: object) -> list[tuple[str, tuple[Any, ...], bool]]:
    """``(id, path, explicit)`` of every CR provider, auto IDs included (FR-035)."""
    out: list[tuple[str, tuple[Any, ...], bool]] = []
    providers = spec.get("providers") if isinstance(spec, dict) else None
    if not isinstance(providers, dict):
        return out
    for section in PROVIDER_SECTIONS:
        items = providers.get(section)
        if not isinstance(items, list):
            continue
        for i, p in enumerate(items):
            if not isinstance(p, dict):
                continue
            if p.get("id"):
                out.append((str(p["id"]), ("spec", "providers", section, i, "id"), True))
            elif len(items) == 1 and p.get("provider"):
                out.append((str(p["provider"]), ("spec", "providers", section, i, "provider"), False))
    return out


def validate_v1alpha2(doc: LocDoc, distributions: dict[str, str] | None = None) -> list[Finding]:
    """Schema + CEL + webhook findings for a v1alpha2 CR document."""
    data = doc.data if isinstance(doc.data, dict) else {}
    out: list[Finding] = []
    try:
        models.LlamaStackDistributionV2.model_validate(data)
    except ValidationError as exc:
        for loc, msg, kind in models.issues(exc):
            fix = _schema_fix(loc, kind)
            out.append(_err(doc, loc, msg, fix, "crd-schema"))
    spec = _map(data.get("spec"))
    out.extend(cel_rules(doc, spec))
    out.extend(webhook_rules(doc, spec, distributions))
    return out


def _schema_fix(loc: tuple[Any, ...], kind: str) -> str:
    if len(loc) >= 3 and loc[:2] == ("spec", "providers") and kind == "list_type":
        return (
            f"Write {loc[2]} as a list: a single provider is a one-element list (`{loc[2]}:` then `- provider: ...`)."
        )
    if len(loc) >= 4 and loc[:3] == ("spec", "resources", "models") and kind in ("model_type", "dict_type"):
        return "Write each model as an object: `- name: llama3.2-8b` (provider, contextLength, ... are optional)."
    if kind == "extra_forbidden":
        return "Remove the field or fix its spelling; the CRD does not define it."
    if kind == "missing":
        return "Add the required field."
    return "Fix the value to match the LlamaStackDistribution v1alpha2 schema."


def cel_rules(doc: LocDoc, spec: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    # R1-R4
    if _has(spec, "overrideConfig"):
        for name in EXCLUSIVE:
            if _has(spec, name):
                out.append(
                    _err(
                        doc,
                        ("spec", name),
                        f'spec: Invalid value: "object": {name} and overrideConfig are mutually exclusive',
                        f"Remove spec.{name}, or remove spec.overrideConfig (the ConfigMap is used as-is, "
                        "so nothing else is generated).",
                        "cel-override-exclusive",
                    )
                )
    # R5
    dist = spec.get("distribution")
    if isinstance(dist, dict):
        if _has(dist, "name") and _has(dist, "image"):
            out.append(
                _err(
                    doc,
                    ("spec", "distribution"),
                    'spec.distribution: Invalid value: "object": only one of name or image can be specified',
                    "Keep distribution.name (a known distribution) or distribution.image (a direct image), not both.",
                    "cel-distribution",
                )
            )
        elif not _has(dist, "name") and not _has(dist, "image"):
            out.append(
                _err(
                    doc,
                    ("spec", "distribution"),
                    'spec.distribution: Invalid value: "object": one of name or image must be specified',
                    "Set distribution.name (e.g. starter) or distribution.image.",
                    "cel-distribution",
                )
            )
    providers = _map(spec.get("providers"))
    # R6
    for section in PROVIDER_SECTIONS:
        items = providers.get(section)
        if isinstance(items, list) and len(items) > 1:
            if not all(isinstance(p, dict) and _has(p, "id") for p in items):
                out.append(
                    _err(
                        doc,
                        ("spec", "providers", section),
                        f'spec.providers.{section}: Invalid value: "array": each provider must have an '
                        "explicit id when multiple providers are specified",
                        "Give every entry an id (e.g. id: vllm-primary, id: vllm-fallback).",
                        "cel-provider-id",
                    )
                )
    # R7 (explicit IDs; auto IDs are the webhook's, below)
    out.extend(_unique_ids(doc, spec, explicit_only=True))
    # R8
    disabled = _list(spec.get("disabled"))
    for section in PROVIDER_SECTIONS:
        items = providers.get(section)
        if not (isinstance(items, list) and items):
            continue
        for i, d in enumerate(disabled):
            if isinstance(d, str) and api_name(d) == api_name(section):
                out.append(
                    _err(
                        doc,
                        ("spec", "disabled", i),
                        f"spec.providers.{section} conflicts with spec.disabled: {d} API is disabled but has "
                        f"providers configured. Remove the provider configuration or remove '{d}' from the "
                        "disabled list.",
                        f"Remove spec.providers.{section} or remove '{d}' from spec.disabled.",
                        "cel-disabled-conflict",
                    )
                )
    # R9
    net = _map(spec.get("networking"))
    tls = _map_or_none(net.get("tls"))
    if tls is not None and tls.get("enabled") is True and not _has(tls, "secretName"):
        out.append(
            _err(
                doc,
                ("spec", "networking", "tls"),
                'spec.networking.tls: Invalid value: "object": secretName is required when TLS is enabled',
                "Set networking.tls.secretName to a kubernetes.io/tls Secret, or set enabled: false.",
                "cel-tls",
            )
        )
    # R10, R11 (+ FR-079c)
    storage = _map(spec.get("storage"))
    kv = _map_or_none(storage.get("kv"))
    if kv is not None:
        kv_type = kv.get("type", "sqlite")
        if kv_type == "redis" and not _has(kv, "endpoint"):
            out.append(
                _err(
                    doc,
                    ("spec", "storage", "kv"),
                    'spec.storage.kv: Invalid value: "object": endpoint is required when type is redis',
                    "Set storage.kv.endpoint (e.g. redis://redis:6379).",
                    "cel-storage-kv",
                )
            )
        if kv_type == "sqlite":
            for unused in ("endpoint", "password"):
                if _has(kv, unused):
                    out.append(
                        _err(
                            doc,
                            ("spec", "storage", "kv", unused),
                            f"spec.storage.kv.{unused} is not used when type is sqlite",
                            "Remove it, or set type: redis.",
                            "storage-unused-field",
                            Severity.WARNING,
                        )
                    )
    sql = _map_or_none(storage.get("sql"))
    if sql is not None and sql.get("type", "sqlite") == "postgres" and not _has(sql, "connectionString"):
        out.append(
            _err(
                doc,
                ("spec", "storage", "sql"),
                'spec.storage.sql: Invalid value: "object": connectionString is required when type is postgres',
                "Set storage.sql.connectionString.secretKeyRef to the Secret key holding the connection string.",
                "cel-storage-sql",
            )
        )
    return out


def _unique_ids(doc: LocDoc, spec: dict[str, Any], explicit_only: bool) -> list[Finding]:
    """R7 duplicates. ``explicit_only``: the CEL rule (explicit IDs only); otherwise the
    webhook's share: duplicates that involve at least one auto ID."""
    out = []
    seen: dict[str, tuple[tuple[Any, ...], bool]] = {}
    for pid, path, explicit in provider_ids(spec):
        if explicit_only and not explicit:
            continue
        if pid in seen:
            first_path, first_explicit = seen[pid]
            if explicit_only or not (first_explicit and explicit):
                out.append(
                    _err(
                        doc,
                        path,
                        f'spec.providers: Invalid value: "object": provider IDs must be unique across all '
                        f'provider types; duplicate ID "{pid}" at {_field(first_path[:-1])} and '
                        f"{_field(path[:-1])}",
                        "Give each provider its own id (a provider without id takes its provider name).",
                        "cel-provider-id-unique" if explicit_only else "webhook-provider-id-unique",
                    )
                )
        else:
            seen[pid] = (path, explicit)
    return out


def webhook_rules(doc: LocDoc, spec: dict[str, Any], distributions: dict[str, str] | None) -> list[Finding]:
    out: list[Finding] = []
    # R7 for auto IDs: the webhook sees what CEL cannot.
    out.extend(_unique_ids(doc, spec, explicit_only=False))
    dist = _map(spec.get("distribution"))
    name = dist.get("name")
    if distributions is not None and isinstance(name, str) and name and name not in distributions:
        out.append(
            _err(
                doc,
                ("spec", "distribution", "name"),
                f'spec.distribution.name: Invalid value: "{name}": Unknown distribution "{name}". '
                f"Available distributions: {', '.join(sorted(distributions))}",
                "Use one of the available names, or distribution.image with overrideConfig.",
                "webhook-distribution",
            )
        )
    disabled = _list(spec.get("disabled"))
    for i, d in enumerate(disabled):
        if isinstance(d, str) and api_name(d) not in PROVIDABLE_APIS:
            out.append(
                _err(
                    doc,
                    ("spec", "disabled", i),
                    f'spec.disabled[{i}]: "{d}" is not a Llama Stack API name',
                    f"Known APIs: {', '.join(sorted(PROVIDABLE_APIS))} (camelCase such as postTraining is accepted).",
                    "disabled-unknown-api",
                    Severity.WARNING,
                )
            )
    return out


# APIs that have ever been providable (0.2 .. 0.8); unknown names in `disabled` get a warning.


def validate_v1alpha1(doc: LocDoc, distributions: dict[str, str] | None = None) -> list[Finding]:
    """The few v1alpha1 rules expansion depends on (distribution, userConfig)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    out: list[Finding] = []
    try:
        models.LlamaStackDistributionV1.model_validate(data)
    except ValidationError as exc:
        for loc, msg, kind in models.issues(exc):
            out.append(_err(doc, loc, msg, _schema_fix(loc, kind), "crd-schema"))
        return out
    server = data["spec"].get("server")
    if not isinstance(server, dict):
        out.append(
            _err(doc, ("spec", "server"), "spec.server: Required value", "Add spec.server.distribution.", "crd-schema")
        )
        return out
    dist = server.get("distribution")
    if not isinstance(dist, dict):
        out.append(
            _err(
                doc,
                ("spec", "server", "distribution"),
                "spec.server.distribution: Required value",
                "Set spec.server.distribution.name (e.g. starter) or .image.",
                "crd-schema",
            )
        )
        return out
    if _has(dist, "name") and _has(dist, "image"):
        out.append(
            _err(
                doc,
                ("spec", "server", "distribution"),
                'spec.server.distribution: Invalid value: "object": Only one of name or image can be specified',
                "Keep distribution.name or distribution.image, not both.",
                "cel-distribution",
            )
        )
    name = dist.get("name")
    if distributions is not None and isinstance(name, str) and name and name not in distributions:
        out.append(
            _err(
                doc,
                ("spec", "server", "distribution", "name"),
                f'spec.server.distribution.name: Invalid value: "{name}": Unknown distribution "{name}". '
                f"Available distributions: {', '.join(sorted(distributions))}",
                "Use one of the available names, or distribution.image.",
                "webhook-distribution",
            )
        )
    uc = server.get("userConfig")
    if uc is not None and not (isinstance(uc, dict) and uc.get("configMapName")):
        out.append(
            _err(
                doc,
                ("spec", "server", "userConfig"),
                "spec.server.userConfig.configMapName: Required value",
                "Name the ConfigMap holding config.yaml.",
                "crd-schema",
            )
        )
    return out
