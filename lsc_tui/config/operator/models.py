"""pydantic models of the Kubernetes operator's file formats.

- ``ProviderPackage``: ``lls-provider-spec.yaml``, the metadata inside an external provider
  image (operator spec 001).
- ``ExternalProviders``: ``extra-providers.yaml``, the generated list of external provider
  entries in run.yaml shape (spec 001).
- ``CrdConfig``: ``crd-config.yaml``, what an install init container records for one
  provider from the CR (providerId, api, config).
- ``LlamaStackDistributionV2``: the spec of a ``llamastack.io/v1alpha2`` CR (spec 002), shape
  only; the cross-field (CEL and webhook) rules live in :mod:`validate_cr`.

Unknown keys are rejected (the API server's strict field validation does the same for CRs),
and every error becomes a located :class:`Finding` through :func:`issues`.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

GROUP = "llamastack.io"
V1ALPHA1 = f"{GROUP}/v1alpha1"
V1ALPHA2 = f"{GROUP}/v1alpha2"

# run.yaml API name <- CRD (camelCase) section name, for externalProviders (spec 001).
EXTERNAL_API_FROM_CRD = {
    "inference": "inference",
    "safety": "safety",
    "agents": "agents",
    "vectorIo": "vector_io",
    "datasetIo": "datasetio",
    "scoring": "scoring",
    "eval": "eval",
    "toolRuntime": "tool_runtime",
    "postTraining": "post_training",
}
EXTERNAL_API_TO_CRD = {v: k for k, v in EXTERNAL_API_FROM_CRD.items()}
PACKAGE_APIS = tuple(EXTERNAL_API_FROM_CRD.values())

# v1alpha2 spec.providers section -> run.yaml API name (spec 002 FR-003).
PROVIDER_API_FROM_CRD = {
    "inference": "inference",
    "safety": "safety",
    "vectorIo": "vector_io",
    "toolRuntime": "tool_runtime",
    "telemetry": "telemetry",
}

PROVIDER_ID_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
PROVIDER_TYPE_RE = re.compile(r"^(remote|inline)::[a-z0-9-]+$")
MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- lls-provider-spec.yaml --------------------------------------------------------------------


class PackageMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1)
    version: str
    vendor: str = Field(min_length=1)
    description: Optional[str] = None
    maintainer: Optional[str] = None

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not SEMVER_RE.match(str(v)):
            raise ValueError(f"version {v!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        return v

    @field_validator("maintainer")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not EMAIL_RE.match(v):
            raise ValueError(f"maintainer {v!r} is not an email address")
        return v


class PackageSpec(_Strict):
    packageName: str
    providerType: str
    api: Literal[
        "inference", "safety", "agents", "vector_io", "datasetio", "scoring", "eval", "tool_runtime", "post_training"
    ]
    wheelPath: str = Field(min_length=1)
    dependencyWheels: list[str] = Field(default_factory=list)

    @field_validator("packageName")
    @classmethod
    def _module(cls, v: str) -> str:
        if not MODULE_RE.match(v):
            raise ValueError(f"packageName {v!r} is not an importable Python module path (e.g. my_org.custom_vllm)")
        return v

    @field_validator("providerType")
    @classmethod
    def _ptype(cls, v: str) -> str:
        if not PROVIDER_TYPE_RE.match(v):
            raise ValueError(f"providerType {v!r} must look like remote::name or inline::name")
        return v


class ProviderPackage(_Strict):
    apiVersion: Literal["llamastack.io/v1alpha1"]
    kind: Literal["ProviderPackage"]
    metadata: PackageMetadata
    spec: PackageSpec


# -- extra-providers.yaml ----------------------------------------------------------------------


class ExternalProviderEntry(_Strict):
    provider_id: str
    provider_type: str
    module: str
    config: Optional[dict[str, Any]] = None

    @field_validator("provider_id")
    @classmethod
    def _pid(cls, v: str) -> str:
        if not PROVIDER_ID_RE.match(v):
            raise ValueError(f"provider_id {v!r} must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        return v

    @field_validator("provider_type")
    @classmethod
    def _ptype(cls, v: str) -> str:
        if not PROVIDER_TYPE_RE.match(v):
            raise ValueError(f"provider_type {v!r} must look like remote::name or inline::name")
        return v


class ExternalProviders(_Strict):
    apiVersion: Literal["llamastack.io/v1alpha1"]
    kind: Literal["ExternalProviders"]
    providers: dict[str, list[ExternalProviderEntry]] = Field(default_factory=dict)

    @field_validator("providers")
    @classmethod
    def _apis(cls, v: dict[str, Any]) -> dict[str, Any]:
        for api in v:
            if api not in PACKAGE_APIS:
                raise ValueError(f"unknown API {api!r}; expected one of: {', '.join(PACKAGE_APIS)}")
        return v


class CrdConfig(_Strict):
    providerId: str
    api: str
    config: Optional[dict[str, Any]] = None
    image: Optional[str] = None  # lsc-tui extension: named in messages when present


# -- v1alpha2 LlamaStackDistribution (shape only) ----------------------------------------------


class SecretKeyRef(_Strict):
    name: str = Field(min_length=1)
    key: str = Field(min_length=1)


class SecretRef(BaseModel):
    """Either ``{secretKeyRef: {name, key}}`` (the CRD contract and every example) or the flat
    ``{name, key}`` of the data model's Go sketch. :func:`secret_ref` normalises both."""

    model_config = ConfigDict(extra="forbid")
    secretKeyRef: Optional[SecretKeyRef] = None
    name: Optional[str] = None
    key: Optional[str] = None


class ProviderConfig(_Strict):
    id: Optional[str] = None
    provider: str = Field(min_length=1)
    endpoint: Optional[str] = None
    apiKey: Optional[SecretRef] = None
    secretRefs: Optional[dict[str, SecretRef]] = None
    settings: Optional[dict[str, Any]] = None


class ProvidersSpec(_Strict):
    inference: Optional[list[ProviderConfig]] = None
    safety: Optional[list[ProviderConfig]] = None
    vectorIo: Optional[list[ProviderConfig]] = None
    toolRuntime: Optional[list[ProviderConfig]] = None
    telemetry: Optional[list[ProviderConfig]] = None


class ModelConfig(_Strict):
    name: str = Field(min_length=1)
    provider: Optional[str] = None
    contextLength: Optional[int] = None
    modelType: Optional[str] = None
    quantization: Optional[str] = None


class ResourcesSpec(_Strict):
    models: Optional[list[ModelConfig]] = None
    tools: Optional[list[str]] = None
    shields: Optional[list[str]] = None


class KVStorage(_Strict):
    type: Literal["sqlite", "redis"] = "sqlite"
    endpoint: Optional[str] = None
    password: Optional[SecretRef] = None


class SQLStorage(_Strict):
    type: Literal["sqlite", "postgres"] = "sqlite"
    connectionString: Optional[SecretRef] = None


class StorageSpec(_Strict):
    kv: Optional[KVStorage] = None
    sql: Optional[SQLStorage] = None


class CABundle(_Strict):
    configMapName: str
    configMapNamespace: Optional[str] = None
    configMapKeys: Optional[list[str]] = Field(default=None, max_length=50)


class TLSSpec(_Strict):
    enabled: bool = False
    secretName: Optional[str] = None
    caBundle: Optional[CABundle] = None


class ExposeSpec(_Strict):
    enabled: Optional[bool] = None
    hostname: Optional[str] = None


class AllowedFrom(_Strict):
    namespaces: Optional[list[str]] = None
    labels: Optional[list[str]] = None


class NetworkingSpec(_Strict):
    port: int = Field(default=8321, ge=1, le=65535)
    tls: Optional[TLSSpec] = None
    expose: Optional[ExposeSpec] = None
    allowedFrom: Optional[AllowedFrom] = None


class WorkloadSpec(BaseModel):
    # Kubernetes types (resources, volumes, env, ...) are passed through unchecked.
    model_config = ConfigDict(extra="forbid")
    replicas: Optional[int] = Field(default=None, ge=0)
    workers: Optional[int] = Field(default=None, ge=1)
    resources: Optional[dict[str, Any]] = None
    autoscaling: Optional[dict[str, Any]] = None
    storage: Optional[dict[str, Any]] = None
    podDisruptionBudget: Optional[dict[str, Any]] = None
    topologySpreadConstraints: Optional[list[Any]] = None
    overrides: Optional[dict[str, Any]] = None


class ExternalProviderRef(_Strict):
    providerId: str
    image: str = Field(min_length=1)
    imagePullPolicy: Literal["Always", "Never", "IfNotPresent"] = "IfNotPresent"
    config: Optional[dict[str, Any]] = None

    @field_validator("providerId")
    @classmethod
    def _pid(cls, v: str) -> str:
        if not PROVIDER_ID_RE.match(v):
            raise ValueError(f"providerId {v!r} must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        return v


class ExternalProvidersSpec(_Strict):
    inference: Optional[list[ExternalProviderRef]] = None
    safety: Optional[list[ExternalProviderRef]] = None
    agents: Optional[list[ExternalProviderRef]] = None
    vectorIo: Optional[list[ExternalProviderRef]] = None
    datasetIo: Optional[list[ExternalProviderRef]] = None
    scoring: Optional[list[ExternalProviderRef]] = None
    eval: Optional[list[ExternalProviderRef]] = None
    toolRuntime: Optional[list[ExternalProviderRef]] = None
    postTraining: Optional[list[ExternalProviderRef]] = None


class DistributionSpec(_Strict):
    name: Optional[str] = None
    image: Optional[str] = None


class OverrideConfig(_Strict):
    configMapName: str = Field(min_length=1)


class LlamaStackDistributionV2Spec(_Strict):
    distribution: DistributionSpec
    providers: Optional[ProvidersSpec] = None
    resources: Optional[ResourcesSpec] = None
    storage: Optional[StorageSpec] = None
    disabled: Optional[list[str]] = None
    networking: Optional[NetworkingSpec] = None
    workload: Optional[WorkloadSpec] = None
    externalProviders: Optional[ExternalProvidersSpec] = None
    overrideConfig: Optional[OverrideConfig] = None


class ObjectMeta(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    namespace: Optional[str] = None


class LlamaStackDistributionV2(_Strict):
    apiVersion: Literal["llamastack.io/v1alpha2"]
    kind: Literal["LlamaStackDistribution"]
    metadata: ObjectMeta
    spec: LlamaStackDistributionV2Spec
    status: Optional[dict[str, Any]] = None


# -- v1alpha1 (only what expansion and conversion read) -----------------------------------------


class LlamaStackDistributionV1(BaseModel):
    model_config = ConfigDict(extra="allow")
    apiVersion: Literal["llamastack.io/v1alpha1"]
    kind: Literal["LlamaStackDistribution"]
    metadata: ObjectMeta
    spec: dict[str, Any]


# -- helpers -----------------------------------------------------------------------------------


def secret_ref(value: object) -> tuple[dict[str, Any] | None, bool]:
    """``(ref, flat)`` for a SecretKeyRef given nested or flat; ``(None, False)`` if absent."""
    if not isinstance(value, dict):
        return None, False
    if isinstance(value.get("secretKeyRef"), dict):
        inner = value["secretKeyRef"]
        return {"name": inner.get("name"), "key": inner.get("key")}, False
    if "name" in value or "key" in value:
        return {"name": value.get("name"), "key": value.get("key")}, True
    return None, False


def issues(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str, str]]:
    """``(path, message, kind)`` for each pydantic error, in Kubernetes wording."""
    out = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        kind = err["type"]
        inp = err.get("input")
        if kind == "extra_forbidden":
            msg = f'unknown field "{_dotted(loc)}"'
        elif kind == "missing":
            msg = f"{_dotted(loc)}: Required value"
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = f"{_dotted(loc)}: Unsupported value: {_show(inp)}: supported values: {expected}"
        elif kind in ("list_type",):
            msg = f'{_dotted(loc)}: Invalid value: "{_json_type(inp)}": {_dotted(loc)} in body must be of type array'
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            msg = f'{_dotted(loc)}: Invalid value: "{_json_type(inp)}": {_dotted(loc)} in body must be of type object'
        elif kind in ("string_type",):
            msg = f'{_dotted(loc)}: Invalid value: "{_json_type(inp)}": {_dotted(loc)} in body must be of type string'
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            msg = f'{_dotted(loc)}: Invalid value: "{_json_type(inp)}": {_dotted(loc)} in body must be of type integer'
        elif kind in ("bool_type", "bool_parsing"):
            msg = f'{_dotted(loc)}: Invalid value: "{_json_type(inp)}": {_dotted(loc)} in body must be of type boolean'
        elif kind == "string_too_short":
            msg = f'{_dotted(loc)}: Invalid value: "": {_dotted(loc)} in body should be at least 1 chars long'
        else:
            text = err.get("msg", "invalid value")
            if text.startswith("Value error, "):
                text = text[len("Value error, ") :]
            msg = f"{_dotted(loc)}: Invalid value: {text}"
        out.append((loc, msg, kind))
    return out


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number" if isinstance(value, float) else "integer"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return _json_type(value)


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "provider-package": ProviderPackage,
    "extra-providers": ExternalProviders,
    "llamastackdistribution-v1alpha2": LlamaStackDistributionV2,
}


def json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema of one operator format (for `lsc-tui schema` and editors)."""
    model = SCHEMA_MODELS[kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
