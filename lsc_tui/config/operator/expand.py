"""Expand a ``LlamaStackDistribution`` into the config.yaml the operator would generate.

v1alpha2 (spec 002): validate (schema, CEL, webhook), then merge over the distribution's
base config:

- providers: ``replace_by_api_type``; ``provider`` -> ``remote::<provider>``, ``endpoint`` ->
  ``config.url``, ``apiKey`` -> ``config.api_key: ${env.LLSD_<ID>_API_KEY}``, ``secretRefs.<k>``
  -> ``config.<k>: ${env.LLSD_<ID>_<K>}``, ``settings`` deep-merged into ``config`` (settings win);
- resources: additive, on the first provider of their kind (CR first, then base);
- storage: ``kv`` and ``sql`` replace ``storage.backends.kv_default`` / ``sql_default``;
- disabled: subtractive (provider section and ``apis`` entry removed);
- ``overrideConfig``: the ConfigMap's config.yaml as-is; nothing else is generated;
- ``externalProviders`` (spec 001): merged last, from the providers' metadata.

v1alpha1: the user ConfigMap's config.yaml (``userConfig``) or the distribution's base
config, unchanged, plus external providers.

Output is data (sorted keys when dumped); the secret values never appear: secrets become
``${env.*}`` references plus a list of env vars with their ``secretKeyRef``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from lsc_tui.config.envref import ENV_REF
from lsc_tui.config.findings import Finding, FindingError, Severity, has_errors
from lsc_tui.config.operator import distributions as dists, merge, models, validate_cr
from lsc_tui.config.yaml.streams import LocDoc, embedded_offset, load_all, load_one, parse_all

# A YAML mapping as loaded (a CR, its spec, a config.yaml): keys and values are whatever the YAML holds.
YamlMap = dict[Any, Any]
# Where a finding points in a document: mapping keys and list indexes.
DocPath = tuple[Any, ...]
Version = tuple[int, int]  # a Llama Stack release: (major, minor)

SUPPORTED_VERSIONS = (2,)
CONFIG_KEY = "config.yaml"
LEGACY_CONFIG_KEY = "run.yaml"


class SecretKeyRef(TypedDict):
    name: str
    key: str


class EnvSource(TypedDict):
    secretKeyRef: SecretKeyRef


class EnvManifest(TypedDict):
    """A Deployment container's env entry."""

    name: str
    valueFrom: EnvSource


class Exposure(TypedDict):
    enabled: bool
    hostname: Any  # as the CR gives it (validation has checked it)


class Deployment(TypedDict, total=False):
    """What the operator's Deployment gets besides config.yaml."""

    port: Any  # as the CR gives it (validation has checked it)
    expose: Exposure
    image: str | None
    config_source: str
    env: list[EnvManifest]


@dataclass
class EnvVar:
    """An env var the Deployment gets from a Secret (``valueFrom.secretKeyRef``)."""

    name: str
    secret: str
    key: str
    field: str  # the CR field that asked for it

    def manifest(self) -> EnvManifest:
        return {"name": self.name, "valueFrom": {"secretKeyRef": {"name": self.secret, "key": self.key}}}


@dataclass
class Inputs:
    """Cluster objects the expansion may need, as found in the input files."""

    config_maps: dict[str, LocDoc] = field(default_factory=dict)
    secrets: dict[str, set[str]] | None = None  # None: unknown, Secret checks are skipped
    metadata_dir: Path | None = None


@dataclass
class ExpandResult:
    name: str
    config: YamlMap | None
    findings: list[Finding] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    source: str = ""  # generated | override-config | user-config | distribution-default
    target: Version | None = None
    deployment: Deployment = field(default_factory=Deployment)

    @property
    def ok(self) -> bool:
        return self.config is not None and not has_errors(self.findings)


def _mapping(value: object) -> YamlMap:
    """``value`` if it is a mapping, else an empty one (for reading parts that may be absent or malformed)."""
    return value if isinstance(value, dict) else {}


# -- collecting inputs -----------------------------------------------------------------------


def split_documents(docs: list[LocDoc]) -> tuple[list[LocDoc], Inputs, list[Finding]]:
    """CRs, and the ConfigMaps/Secrets that came with them, from a list of documents."""
    crs: list[LocDoc] = []
    inputs = Inputs()
    findings: list[Finding] = []
    for doc in docs:
        findings.extend(doc.findings)
        data = doc.data
        if not isinstance(data, dict):
            continue
        kind = data.get("kind")
        meta = _mapping(data.get("metadata"))
        if kind == "LlamaStackDistribution":
            crs.append(doc)
        elif kind == "ConfigMap" and meta.get("name"):
            inputs.config_maps[str(meta["name"])] = doc
        elif kind == "Secret" and meta.get("name"):
            keys: set[str] = set()
            for part in ("data", "stringData"):
                if isinstance(data.get(part), dict):
                    keys.update(str(k) for k in data[part])
            if inputs.secrets is None:
                inputs.secrets = {}
            inputs.secrets[str(meta["name"])] = keys
    return crs, inputs, findings


def cr_name(doc: LocDoc) -> str:
    data = _mapping(doc.data)
    meta = _mapping(data.get("metadata"))
    return str(meta.get("name") or f"document {doc.index + 1}")


# -- target version -----------------------------------------------------------------------------


def parse_version(text: str) -> Version:
    m = re.match(r"^\s*v?(\d+)\.(\d+)", str(text))
    if not m:
        raise ValueError(f"not a version: {text!r} (expected e.g. 0.7 or 0.7.3)")
    return int(m.group(1)), int(m.group(2))


def infer_version(config: YamlMap | None) -> Version:
    """The oldest Llama Stack a config's layout implies (keys, not `version:`, tell eras apart)."""
    if not isinstance(config, dict):
        return (0, 7)
    providers = _mapping(config.get("providers"))
    if {"messages", "interactions"} & set(providers):
        return (0, 8)
    if "responses" in providers:
        return (0, 7)
    if "distro_name" in config:
        return (0, 5)
    if "storage" in config and "telemetry" not in config:
        return (0, 4) if "image_name" not in config else (0, 3)
    if "storage" in config:
        return (0, 3)
    return (0, 2)


def fmt_version(v: Version) -> str:
    return f"{v[0]}.{v[1]}"


# -- entry points --------------------------------------------------------------------------------


def expand(
    cr: LocDoc, *, inputs: Inputs | None = None, base: LocDoc | None = None, target: Version | None = None
) -> ExpandResult:
    inputs = inputs or Inputs()
    data = _mapping(cr.data)
    name = cr_name(cr)
    api_version = data.get("apiVersion")
    if data.get("kind") != "LlamaStackDistribution":
        return ExpandResult(
            name,
            None,
            [
                cr.finding(
                    ("kind",),
                    Severity.ERROR,
                    "not-llsd",
                    f"kind is {data.get('kind')!r}, not LlamaStackDistribution",
                    "Give a LlamaStackDistribution CR.",
                )
            ],
        )
    if api_version == models.V1ALPHA2:
        return _expand_v2(cr, name, inputs, base, target)
    if api_version == models.V1ALPHA1:
        return _expand_v1(cr, name, inputs, base, target)
    fix = "Use apiVersion: llamastack.io/v1alpha2 (or llamastack.io/v1alpha1)."
    return ExpandResult(
        name,
        None,
        [
            cr.finding(
                ("apiVersion",),
                Severity.ERROR,
                "unknown-api-version",
                f'no matches for kind "LlamaStackDistribution" in version "{api_version}"',
                fix,
            )
        ],
    )


def _load_base(
    cr: LocDoc, dist_path: DocPath, dist: YamlMap, base: LocDoc | None, *, override_hint: str
) -> tuple[LocDoc | None, list[Finding]]:
    if base is not None:
        return base, []
    name, image = dist.get("name"), dist.get("image")
    if name:
        text = dists.base_config_text(str(name))
        if text is None:
            if str(name) in dists.distribution_images():
                return None, [
                    cr.finding(
                        dist_path + ("name",),
                        Severity.ERROR,
                        "base-config-missing",
                        f'no embedded base config for distribution "{name}" (Llama Stack 0.7 ships '
                        f"none; lsc-tui embeds: {', '.join(dists.embedded_names())})",
                        "Pass --base CONFIG with the config.yaml of the image you deploy.",
                    )
                ]
            return None, []  # unknown name: already an error from the webhook rules
        return parse_all(text, f"builtin:distributions/{name}/config.yaml")[0], []
    if image:
        return None, [
            cr.finding(
                dist_path + ("image",),
                Severity.ERROR,
                "BaseConfigRequired",
                "Direct image references require either overrideConfig.configMapName or OCI config "
                "labels on the image. See docs/configuration.md for details.",
                f"{override_hint} or pass --base CONFIG (the image's config.yaml).",
            )
        ]
    return None, []


def _check_version(config: YamlMap, doc: LocDoc) -> list[Finding]:
    version: Any = config.get("version")
    try:
        ok = int(version) in SUPPORTED_VERSIONS if not isinstance(version, bool) else False
    except (TypeError, ValueError):
        ok = False
    if ok:
        return []
    return [
        doc.finding(
            ("version",),
            Severity.ERROR,
            "UnsupportedConfigVersion",
            f"Unsupported config.yaml version {version}. Supported versions: "
            f"{', '.join(str(v) for v in SUPPORTED_VERSIONS)}",
            "Use a base config with version: 2 (Llama Stack 0.2.13 and later).",
        )
    ]


def _check_shape(doc: LocDoc) -> list[Finding]:
    """The parts of a base config generation edits must have the run.yaml shape."""
    data: YamlMap = doc.data
    out: list[Finding] = []

    def bad(path: DocPath, what: str) -> None:
        out.append(
            doc.finding(
                path,
                Severity.ERROR,
                "base-shape",
                f"the base config's {models._dotted(path)} is not {what}",
                "Fix the base config (compare it with the distribution's config.yaml).",
            )
        )

    if "apis" in data and data["apis"] is not None and not isinstance(data["apis"], list):
        bad(("apis",), "a list")
    providers = data.get("providers")
    if providers is not None:
        if not isinstance(providers, dict):
            bad(("providers",), "a mapping of API names to provider lists")
        else:
            for api, section in providers.items():
                if section is None:
                    continue
                if not isinstance(section, list):
                    bad(("providers", api), "a list of providers")
                    continue
                for i, entry in enumerate(section):
                    if not isinstance(entry, dict):
                        bad(("providers", api, i), "a provider mapping")
    for key in ("registered_resources", "storage", "vector_stores", "safety"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            bad((key,), "a mapping")
    for holder_path in (("registered_resources",), ()):
        holder = data.get(holder_path[0]) if holder_path else data
        if not isinstance(holder, dict):
            continue
        for key in RESOURCE_LISTS:
            if holder_path == () and key not in ("models", "shields"):
                continue
            if holder.get(key) is not None and not isinstance(holder[key], list):
                bad(holder_path + (key,), "a list")
    storage = data.get("storage")
    if isinstance(storage, dict):
        for key in ("backends", "stores"):
            if storage.get(key) is not None and not isinstance(storage[key], dict):
                bad(("storage", key), "a mapping")
    return out


def _config_from_configmap(
    cr: LocDoc, ref_path: DocPath, cm_name: str, inputs: Inputs, what: str
) -> tuple[LocDoc | None, list[Finding]]:
    cm = inputs.config_maps.get(cm_name)
    if cm is None:
        return None, [
            cr.finding(
                ref_path,
                Severity.ERROR,
                "configmap-missing",
                f'{what} ConfigMap "{cm_name}" is not in the input, so its config.yaml is unknown',
                "Put the ConfigMap in the same file (after ---) or pass --config-map FILE.",
            )
        ]
    data = _mapping(cm.data.get("data"))
    findings: list[Finding] = []
    key = CONFIG_KEY
    if CONFIG_KEY not in data:
        if LEGACY_CONFIG_KEY in data:
            key = LEGACY_CONFIG_KEY
            findings.append(
                cm.finding(
                    ("data", key),
                    Severity.WARNING,
                    "configmap-key-run-yaml",
                    f'ConfigMap "{cm_name}" holds run.yaml; operator releases since PR #223 '
                    "(2026-01-12) read the key config.yaml",
                    "Rename the key to config.yaml (older operators read run.yaml).",
                )
            )
        else:
            return None, [
                cm.finding(
                    ("data",),
                    Severity.ERROR,
                    "configmap-no-config",
                    f'ConfigMap "{cm_name}" has no config.yaml key',
                    "Add data: {config.yaml: |\\n  <the full config>}.",
                )
            ]
    text = data[key]
    if not isinstance(text, str):
        return None, [
            cm.finding(
                ("data", key),
                Severity.ERROR,
                "configmap-no-config",
                f"ConfigMap data.{key} is not a string",
                "Write it as a block scalar (config.yaml: |).",
            )
        ]
    line_off, col_off = embedded_offset(cm, ("data", key))
    try:
        docs = parse_all(text, cm.file, line_offset=line_off, col_offset=col_off)
    except FindingError as exc:
        return None, exc.findings
    docs = [d for d in docs if d.data is not None]
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return None, [
            cm.finding(
                ("data", key),
                Severity.ERROR,
                "configmap-no-config",
                f"ConfigMap data.{key} is not one YAML mapping",
                "Give the full config.yaml.",
            )
        ]
    findings.extend(docs[0].findings)
    return docs[0], findings


def _expand_v1(cr: LocDoc, name: str, inputs: Inputs, base: LocDoc | None, target: Version | None) -> ExpandResult:
    findings = validate_cr.validate_v1alpha1(cr, dists.distribution_images())
    if has_errors(findings):
        return ExpandResult(name, None, findings)
    server = cr.data["spec"]["server"]
    uc = server.get("userConfig")
    if isinstance(uc, dict) and uc.get("configMapName"):
        ns = uc.get("configMapNamespace")
        if ns and ns != (cr.data.get("metadata") or {}).get("namespace"):
            findings.append(
                cr.finding(
                    ("spec", "server", "userConfig", "configMapNamespace"),
                    Severity.INFO,
                    "configmap-namespace",
                    f"the ConfigMap is read from namespace {ns!r}",
                    "",
                )
            )
        src, more = _config_from_configmap(
            cr, ("spec", "server", "userConfig", "configMapName"), str(uc["configMapName"]), inputs, "userConfig"
        )
        source = "user-config"
    else:
        src, more = _load_base(
            cr,
            ("spec", "server", "distribution"),
            server["distribution"],
            base,
            override_hint="Set spec.server.userConfig.configMapName",
        )
        source = "distribution-default"
    findings.extend(more)
    if src is None or has_errors(findings):
        return ExpandResult(name, None, findings, source=source)
    findings.extend(_check_version(src.data, src))
    config = copy.deepcopy(src.data)
    tgt = target or infer_version(config)
    ext = server.get("externalProviders")
    config = _merge_externals(cr, ("spec", "server", "externalProviders"), ext, config, src, inputs, findings)
    port = (server.get("containerSpec") or {}).get("port") if isinstance(server.get("containerSpec"), dict) else None
    deployment: Deployment = {"port": port or 8321, "config_source": source, "image": _image(server["distribution"])}
    return ExpandResult(name, None if has_errors(findings) else config, findings, [], source, tgt, deployment)


def _image(dist: YamlMap) -> str | None:
    if dist.get("image"):
        return str(dist["image"])
    return dists.distribution_images().get(str(dist.get("name")))


def _expand_v2(cr: LocDoc, name: str, inputs: Inputs, base: LocDoc | None, target: Version | None) -> ExpandResult:
    findings = validate_cr.validate_v1alpha2(cr, dists.distribution_images())
    if has_errors(findings):
        return ExpandResult(name, None, findings)
    spec = cr.data["spec"]
    deployment = _deployment_summary(spec)
    if spec.get("overrideConfig"):
        src, more = _config_from_configmap(
            cr,
            ("spec", "overrideConfig", "configMapName"),
            str(spec["overrideConfig"]["configMapName"]),
            inputs,
            "overrideConfig",
        )
        findings.extend(more)
        if src is None or has_errors(findings):
            return ExpandResult(name, None, findings, source="override-config")
        config = copy.deepcopy(src.data)
        config = _merge_externals(
            cr, ("spec", "externalProviders"), spec.get("externalProviders"), config, src, inputs, findings
        )
        deployment["config_source"] = "override-config"
        return ExpandResult(
            name,
            None if has_errors(findings) else config,
            findings,
            [],
            "override-config",
            target or infer_version(config),
            deployment,
        )
    base_doc, more = _load_base(
        cr, ("spec", "distribution"), spec["distribution"], base, override_hint="Set spec.overrideConfig.configMapName"
    )
    findings.extend(more)
    if base_doc is None or has_errors(findings):
        return ExpandResult(name, None, findings)
    if not isinstance(base_doc.data, dict):
        findings.append(
            base_doc.finding(
                (),
                Severity.ERROR,
                "base-not-mapping",
                "the base config is not a mapping",
                "Give a config.yaml (version, apis, providers, ...).",
            )
        )
        return ExpandResult(name, None, findings)
    findings.extend(_check_version(base_doc.data, base_doc))
    findings.extend(_check_shape(base_doc))
    if has_errors(findings):
        return ExpandResult(name, None, findings)
    tgt = target or infer_version(base_doc.data)
    generate = any(spec.get(k) is not None for k in validate_cr.EXCLUSIVE)
    config = copy.deepcopy(base_doc.data)
    env: list[EnvVar] = []
    source = "distribution-default"
    if generate:
        source = "generated"
        gen = _Generator(cr, spec, config, base_doc, tgt, findings, env)
        gen.run()
        config = gen.config
    _check_secrets(cr, env, inputs, findings)
    config = _merge_externals(
        cr, ("spec", "externalProviders"), spec.get("externalProviders"), config, base_doc, inputs, findings
    )
    deployment["config_source"] = source
    deployment["env"] = [e.manifest() for e in env]
    return ExpandResult(name, None if has_errors(findings) else config, findings, env, source, tgt, deployment)


def _deployment_summary(spec: YamlMap) -> Deployment:
    net = _mapping(spec.get("networking"))
    expose = net.get("expose")
    exposed = False
    hostname = None
    if isinstance(expose, dict):
        # `expose: {}` counts as enabled (spec 002 edge case 3, OQ-001)
        exposed = expose.get("enabled") is not False
        hostname = expose.get("hostname")
    return {
        "port": net.get("port", 8321),
        "expose": {"enabled": exposed, "hostname": hostname},
        "image": _image(spec.get("distribution") or {}),
    }


# -- generation -----------------------------------------------------------------------------------


def env_name(provider_id: str, field_name: str) -> str:
    """``LLSD_<PROVIDER_ID>_<FIELD>``: upper-case, '-' -> '_' (FR-032); other characters that
    cannot appear in an env var name also become '_'."""
    raw = f"LLSD_{provider_id}_{field_name}".upper().replace("-", "_")
    return re.sub(r"[^A-Z0-9_]", "_", raw)


def _camel_to_env(name: str) -> str:
    """``apiKey`` -> ``API_KEY`` (for the fixed apiKey field)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def deep_merge(base: YamlMap, over: YamlMap) -> YamlMap:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# Llama Stack 0.7.3 provider facts used for compatibility warnings (reference/llama-stack.md §3.3).
KNOWN_REMOTE = {
    "inference": {
        "cerebras",
        "ollama",
        "vllm",
        "fireworks",
        "together",
        "bedrock",
        "databricks",
        "nvidia",
        "runpod",
        "openai",
        "anthropic",
        "gemini",
        "vertexai",
        "groq",
        "llama-openai-compat",
        "sambanova",
        "passthrough",
        "watsonx",
        "azure",
        "oci",
        "llama-cpp-server",
    },
    "safety": {"bedrock", "nvidia", "passthrough", "sambanova"},
    "vector_io": {"chromadb", "pgvector", "weaviate", "qdrant", "milvus", "elasticsearch", "oci", "infinispan"},
    "tool_runtime": {"brave-search", "bing-search", "tavily-search", "wolfram-alpha", "model-context-protocol"},
}
KNOWN_INLINE = {
    "inference": {"sentence-transformers", "transformers"},
    "safety": {"prompt-guard", "llama-guard", "code-scanner"},
    "vector_io": {"faiss", "sqlite-vec", "chromadb", "qdrant", "milvus", "builtin"},
    "tool_runtime": {"file-search"},
}
# remote inference adapters whose URL key is base_url in 0.7 (RemoteInferenceProviderConfig + base_url)
BASE_URL_TYPES = {
    "cerebras",
    "ollama",
    "vllm",
    "fireworks",
    "together",
    "databricks",
    "nvidia",
    "runpod",
    "openai",
    "groq",
    "llama-openai-compat",
    "sambanova",
    "passthrough",
    "watsonx",
    "azure",
    "llama-cpp-server",
}
# the key each adapter reads its credential from, where it is not api_key
API_KEY_FIELD = {
    ("inference", "vllm"): "api_token",
    ("inference", "databricks"): "api_token",
    ("inference", "runpod"): "api_token",
    ("inference", "ollama"): "auth_credential",
    ("inference", "vertexai"): "access_token",
    ("vector_io", "weaviate"): "weaviate_api_key",
    ("vector_io", "elasticsearch"): "elasticsearch_api_key",
    ("vector_io", "milvus"): "token",
    ("vector_io", "pgvector"): "password",
    ("vector_io", "infinispan"): "password",
}
# adapters that take no api key at all
NO_API_KEY = {
    ("inference", "anthropic"): False,
    ("vector_io", "chromadb"): True,
    ("vector_io", "pgvector"): True,
    ("tool_runtime", "model-context-protocol"): True,
    ("safety", "nvidia"): True,
}
URL_FIELD = {
    ("vector_io", "pgvector"): "host",
    ("vector_io", "weaviate"): "weaviate_cluster_url",
    ("vector_io", "elasticsearch"): "elasticsearch_url",
    ("vector_io", "milvus"): "uri",
    ("safety", "nvidia"): "guardrails_service_url",
}

RESOURCE_LISTS = {
    "models": "inference",
    "shields": "safety",
    "tool_groups": "tool_runtime",
    "vector_stores": "vector_io",
    "vector_dbs": "vector_io",
    "datasets": "datasetio",
    "scoring_fns": "scoring",
    "benchmarks": "eval",
}


class _Generator:
    def __init__(
        self,
        cr: LocDoc,
        spec: YamlMap,
        config: YamlMap,
        base_doc: LocDoc,
        target: Version,
        findings: list[Finding],
        env: list[EnvVar],
    ) -> None:
        self.cr, self.spec, self.config, self.base_doc = cr, spec, config, base_doc
        self.target, self.findings, self.env = target, findings, env
        self.generated: list[tuple[str, int, dict[str, Any], DocPath]] = []  # (api, index, entry, CR path)
        self.replaced: dict[str, str] = {}  # run.yaml API -> CR section that replaced it
        # the base's layout (before storage generation adds a storage section)
        self.modern = isinstance(config.get("registered_resources"), dict) or "storage" in config

    def warn(self, path: DocPath, code: str, message: str, fix: str, severity: Severity = Severity.WARNING) -> None:
        self.findings.append(self.cr.finding(path, severity, code, message, fix))

    def error(self, path: DocPath, code: str, message: str, fix: str) -> None:
        self.findings.append(self.cr.finding(path, Severity.ERROR, code, message, fix))

    def run(self) -> None:
        self.providers()
        self.storage()
        self.disabled()
        self.resources()
        self.dangling()

    # providers
    def providers(self) -> None:
        providers = self.spec.get("providers") or {}
        if not isinstance(self.config.get("providers"), dict):
            self.config["providers"] = {}
        out = self.config["providers"]
        for section, api in models.PROVIDER_API_FROM_CRD.items():
            items = providers.get(section)
            if items is None:
                continue
            entries = []
            for i, p in enumerate(items):
                path = ("spec", "providers", section, i)
                entry = self.provider_entry(api, p, path, single=len(items) == 1)
                entries.append(entry)
                self.generated.append((api, i, entry, path))
            replaced = out.get(api)
            if isinstance(replaced, list) and replaced:
                dropped = [str(e.get("provider_id")) for e in replaced if isinstance(e, dict)]
                kept = {e["provider_id"] for e in entries}
                gone = [d for d in dropped if d not in kept]
                if gone:
                    self.warn(
                        ("spec", "providers", section),
                        "providers-replaced",
                        f"spec.providers.{section} replaces every base {api} provider; dropped: {', '.join(gone)}",
                        "Re-declare a base provider in the list if you want to keep it.",
                        Severity.INFO,
                    )
            out[api] = entries
            self.replaced[api] = section
            apis = self.config.get("apis")
            if isinstance(apis, list) and apis and api not in apis:
                apis.append(api)
            if api == "telemetry" and self.target >= (0, 4):
                self.warn(
                    ("spec", "providers", section),
                    "telemetry-removed",
                    f"the telemetry API was removed in Llama Stack 0.4; this config targets "
                    f"{fmt_version(self.target)}, whose server rejects a providers.telemetry section",
                    "Remove spec.providers.telemetry (0.4+ uses OpenTelemetry auto-instrumentation).",
                )

    def provider_entry(self, api: str, p: YamlMap, path: DocPath, single: bool) -> dict[str, Any]:
        pid = str(p.get("id") or p["provider"])
        provider = str(p["provider"])
        if "::" in provider:
            ptype = provider
            self.warn(
                path + ("provider",),
                "provider-prefixed",
                f"provider {provider!r} already has a prefix; spec 002 maps provider to 'remote::' + provider "
                f"(which would give 'remote::{provider}'); lsc-tui keeps {provider!r}",
                "Write the bare name (vllm, pgvector) for what the operator generates; OGX (v1beta1) "
                "requires the prefix.",
            )
        else:
            ptype = f"remote::{provider}"
        name = ptype.split("::", 1)[1]
        if "::" not in provider and name in KNOWN_INLINE.get(api, set()) and name not in KNOWN_REMOTE.get(api, set()):
            self.warn(
                path + ("provider",),
                "provider-inline-only",
                f"'{ptype}' does not exist in Llama Stack: {name} is only an inline provider "
                f"(inline::{name}); v1alpha2 always generates remote:: types",
                f"Use overrideConfig for inline providers, or keep the base config's inline::{name} by not "
                f"setting spec.providers for this API.",
            )
        elif ptype.startswith("remote::") and api in KNOWN_REMOTE and name not in KNOWN_REMOTE[api]:
            self.warn(
                path + ("provider",),
                "provider-unknown",
                f"'{ptype}' is not a built-in {api} provider of Llama Stack 0.7 (it must be an external "
                "provider installed in the image)",
                f"Known remote {api} providers: {', '.join(sorted(KNOWN_REMOTE[api]))}.",
            )
        config: YamlMap = {}
        if p.get("endpoint") is not None:
            config["url"] = p["endpoint"]
            want = URL_FIELD.get((api, name)) or (
                "base_url" if api == "inference" and name in BASE_URL_TYPES and self.target >= (0, 4) else None
            )
            if want and want != "url" and not _sets(p, want):
                self.warn(
                    path + ("endpoint",),
                    "endpoint-key",
                    f"endpoint becomes config.url, but {ptype} in Llama Stack {fmt_version(self.target)} reads "
                    f"'{want}' (unknown keys are silently ignored), so the endpoint is not used",
                    f"Also set settings.{want}: <the endpoint URL> (settings are merged into config as-is).",
                )
        if p.get("apiKey") is not None:
            ref, flat = models.secret_ref(p["apiKey"])
            var = env_name(pid, _camel_to_env("apiKey"))
            config["api_key"] = f"${{env.{var}}}"
            self.add_env(var, ref, flat, path + ("apiKey",))
            want = API_KEY_FIELD.get((api, name))
            if want and not _sets(p, want):
                self.warn(
                    path + ("apiKey",),
                    "api-key-field",
                    f"apiKey becomes config.api_key, but {ptype} reads '{want}' (api_key is silently "
                    "ignored), so the key is never sent",
                    f"Use secretRefs.{want} instead of apiKey (secretRefs keys become config keys).",
                )
        for key, value in (p.get("secretRefs") or {}).items():
            ref, flat = models.secret_ref(value)
            var = env_name(pid, str(key))
            config[str(key)] = f"${{env.{var}}}"
            self.add_env(var, ref, flat, path + ("secretRefs", key))
        settings = p.get("settings")
        if isinstance(settings, dict):
            for spath in _secret_key_refs(settings):
                self.warn(
                    path + ("settings",) + spath,
                    "settings-secret-ref",
                    "a secretKeyRef inside settings is passed to config.yaml as-is and is not resolved "
                    "(only apiKey and secretRefs are)",
                    f"Move it to secretRefs.{spath[0]} so the operator injects the value as an env var.",
                )
            overlap = sorted(set(settings) & set(config))
            if overlap:
                self.warn(
                    path + ("settings",),
                    "settings-override",
                    f"settings override generated config keys: {', '.join(overlap)}",
                    "",
                    Severity.INFO,
                )
            config = deep_merge(config, settings)
        entry: dict[str, Any] = {"provider_id": pid, "provider_type": ptype}
        if config:
            entry["config"] = config
        return entry

    def add_env(self, var: str, ref: dict[str, Any] | None, flat: bool, path: DocPath) -> None:
        if ref is None or not ref.get("name") or not ref.get("key"):
            self.error(
                path,
                "secret-ref",
                f"{models._dotted(path)}: Required value: secretKeyRef name and key",
                "Write {secretKeyRef: {name: SECRET, key: KEY}}.",
            )
            return
        if flat:
            self.warn(
                path,
                "secret-ref-flat",
                f"{models._dotted(path)} uses the flat {{name, key}} form; the CRD contract and every example "
                "nest it as {secretKeyRef: {name, key}}",
                "Write it as secretKeyRef: {name: ..., key: ...}; lsc-tui reads both.",
            )
        for other in self.env:
            if other.name == var:
                self.error(
                    path,
                    "env-name-clash",
                    f"{models._dotted(path)} and {other.field} both become the env var {var}",
                    "Rename a provider id or a secretRefs key so the env var names differ.",
                )
                return
        self.env.append(EnvVar(var, str(ref["name"]), str(ref["key"]), models._dotted(path)))

    # storage
    def storage(self) -> None:
        st = self.spec.get("storage")
        if not isinstance(st, dict):
            return
        distro = str(self.config.get("distro_name") or self.config.get("image_name") or "distribution")
        storage = self.config.get("storage")
        if not isinstance(storage, dict):
            self.warn(
                ("spec", "storage"),
                "storage-layout",
                "the base config has no storage section (a Llama Stack 0.2 layout with inline stores); "
                "storage is generated in the 0.3+ storage.backends layout, which 0.2 ignores",
                "Use a 0.3+ base config.",
            )
            storage = self.config["storage"] = {}
        backends = storage.get("backends")
        if not isinstance(backends, dict):
            backends = storage["backends"] = {}
        kv = st.get("kv")
        if isinstance(kv, dict):
            old = _mapping(backends.get("kv_default"))
            if kv.get("type", "sqlite") == "redis":
                host, port = _split_endpoint(str(kv.get("endpoint")), 6379)
                new = {"type": "kv_redis", "host": host, "port": port}
                if kv.get("password") is not None:
                    ref, flat = models.secret_ref(kv["password"])
                    var = "LLSD_STORAGE_KV_PASSWORD"
                    new["password"] = f"${{env.{var}}}"
                    self.add_env(var, ref, flat, ("spec", "storage", "kv", "password"))
                    self.warn(
                        ("spec", "storage", "kv", "password"),
                        "redis-password",
                        "Llama Stack's kv_redis backend (0.3 to 0.7) has only host and port: the password is "
                        "written to config.yaml but ignored by the server",
                        "Use a Redis without AUTH reachable only inside the cluster, or a postgres kv backend "
                        "via overrideConfig.",
                    )
            else:
                new = {
                    "type": "kv_sqlite",
                    "db_path": old.get("db_path")
                    if old.get("type") == "kv_sqlite" and old.get("db_path")
                    else f"${{env.SQLITE_STORE_DIR:=~/.llama/distributions/{distro}}}/kvstore.db",
                }
            backends["kv_default"] = new
        sql = st.get("sql")
        if isinstance(sql, dict):
            old = _mapping(backends.get("sql_default"))
            if sql.get("type", "sqlite") == "postgres":
                ref, flat = models.secret_ref(sql.get("connectionString"))
                var = "LLSD_STORAGE_SQL_CONNECTION_STRING"
                new = {"type": "sql_postgres", "connection_string": f"${{env.{var}}}"}
                self.add_env(var, ref, flat, ("spec", "storage", "sql", "connectionString"))
                self.warn(
                    ("spec", "storage", "sql", "connectionString"),
                    "postgres-connection-string",
                    f"Llama Stack's sql_postgres backend (0.3 to {fmt_version(max(self.target, (0, 7)))}) has "
                    "no connection_string: it reads host, port, db, user (required) and password, so this "
                    "backend fails at startup",
                    "Use overrideConfig with a sql_postgres backend that sets host/port/db/user and "
                    "password: ${env.…}, or keep sqlite.",
                )
            else:
                new = {
                    "type": "sql_sqlite",
                    "db_path": old.get("db_path")
                    if old.get("type") == "sql_sqlite" and old.get("db_path")
                    else f"${{env.SQLITE_STORE_DIR:=~/.llama/distributions/{distro}}}/sql_store.db",
                }
            backends["sql_default"] = new
        stores = storage.get("stores")
        if not isinstance(stores, dict) or "metadata" not in stores:
            stores = storage.setdefault("stores", {}) if isinstance(stores, dict) else {}
            storage["stores"] = stores
            stores.setdefault("metadata", {"namespace": "registry", "backend": "kv_default"})

    # disabled
    def disabled(self) -> None:
        disabled = self.spec.get("disabled")
        if not isinstance(disabled, list):
            return
        providers = _mapping(self.config.get("providers"))
        for i, d in enumerate(disabled):
            api = validate_cr.api_name(str(d))
            removed = providers.pop(api, None)
            apis = self.config.get("apis")
            in_apis = isinstance(apis, list) and api in apis
            if isinstance(apis, list) and in_apis:
                self.config["apis"] = [a for a in apis if a != api]
            if removed is None and not in_apis:
                self.warn(
                    ("spec", "disabled", i),
                    "disabled-absent",
                    f"API '{api}' is not in the base config; disabling it changes nothing",
                    "",
                    Severity.INFO,
                )
                continue
            ids = {str(p.get("provider_id")) for p in (removed or []) if isinstance(p, dict)}
            ids |= {
                c[1] for c in (_conditional(p.get("provider_id")) for p in (removed or []) if isinstance(p, dict)) if c
            }
            self.drop_dependents(api, ids, ("spec", "disabled", i))

    def drop_dependents(self, api: str, ids: set[str], path: DocPath) -> None:
        """Registered resources and top-level sections of a disabled API would fail startup."""
        dropped = []
        rr = self.config.get("registered_resources")
        for holder in (rr, self.config):
            if not isinstance(holder, dict):
                continue
            for key, owner in RESOURCE_LISTS.items():
                if owner != api or not isinstance(holder.get(key), list):
                    continue
                before = holder[key]
                holder[key] = [
                    r
                    for r in before
                    if not (
                        isinstance(r, dict)
                        and (r.get("provider_id") is None or _resolved_id(r.get("provider_id")) in ids)
                    )
                ]
                if len(holder[key]) != len(before):
                    dropped.append(f"{len(before) - len(holder[key])} {key}")
        for section, owner in (("safety", "safety"), ("vector_stores", "vector_io")):
            if owner == api and section in self.config:
                del self.config[section]
                dropped.append(f"top-level {section}")
        if dropped:
            self.warn(
                path,
                "disabled-dependents",
                f"disabling '{api}' also removed what depends on it: {', '.join(dropped)}",
                "Check that nothing else refers to the disabled API.",
                Severity.INFO,
            )

    # resources
    def resources(self) -> None:
        res = self.spec.get("resources")
        if not isinstance(res, dict):
            return
        modern = self.modern
        holder = self.config.setdefault("registered_resources", {}) if modern else self.config
        if modern and not isinstance(holder, dict):
            holder = self.config["registered_resources"] = {}
        path: DocPath
        pid: str | None
        for i, m in enumerate(res.get("models") or []):
            path = ("spec", "resources", "models", i)
            ids = self.provider_ids("inference")
            if m.get("provider"):
                pid = str(m["provider"])
                if pid not in [x for x, _c in ids]:
                    self.error(
                        path + ("provider",),
                        "webhook-model-provider",
                        f'spec.resources.models[{i}].provider: Invalid value: "{pid}": provider "{pid}" not '
                        f"found. Available inference provider IDs: {', '.join(x for x, _ in ids) or 'none'}",
                        "Name an inference provider id from spec.providers.inference (or the base config).",
                    )
                    continue
            else:
                pid = self.first(ids, "models", "inference", path)
                if pid is None:
                    continue
            entry = {
                "model_id": m["name"],
                "provider_id": pid,
                "provider_model_id": m["name"],
                "model_type": m.get("modelType") or "llm",
            }
            meta = {}
            if m.get("contextLength") is not None:
                meta["context_length"] = m["contextLength"]
            if m.get("quantization"):
                meta["quantization"] = m["quantization"]
            entry["metadata"] = meta
            if entry["model_type"] == "embedding":
                self.warn(
                    path,
                    "embedding-dimension",
                    "Llama Stack needs metadata.embedding_dimension for an embedding model, and ModelConfig "
                    "has no field for it: the server rejects the model at startup",
                    "Register embedding models through overrideConfig (or the base config) instead.",
                )
            self.clash(_append(holder, "models", entry), "models", path)
        for kind, api, section, list_key, id_key in (
            ("tools", "tool_runtime", "toolRuntime", "tool_groups", "toolgroup_id"),
            ("shields", "safety", "safety", "shields", "shield_id"),
        ):
            names = res.get(kind) or []
            if not names:
                continue
            path = ("spec", "resources", kind)
            pid = self.first(self.provider_ids(api), kind, section, path)
            if pid is None:
                continue
            for n in names:
                rid = str(n)
                if kind == "tools" and "::" not in rid:
                    rid = f"builtin::{rid}"
                self.clash(_append(holder, list_key, {id_key: rid, "provider_id": pid}), list_key, path)
            if kind == "tools" and self.target >= (0, 7):
                self.warn(
                    path,
                    "tool-groups-deprecated",
                    f"registered tool_groups are deprecated in Llama Stack {fmt_version(self.target)}: the "
                    "server clears them with a DeprecationWarning and registers built-in tool groups from the "
                    "tool_runtime providers itself",
                    "Drop resources.tools for 0.7+ targets, or keep it for older servers.",
                )

    def clash(self, rid: str | None, key: str, path: DocPath) -> None:
        if rid is not None:
            self.warn(
                path,
                "resource-duplicate",
                f"the base config already registers {key} '{rid}'; resources are additive, so the config now "
                "lists it twice and the later registration wins",
                "Use overrideConfig to edit the base registration instead.",
            )

    def provider_ids(self, api: str) -> list[tuple[str, str | None]]:
        """``(id, condition_var)`` of the final config's providers for ``api``, in order."""
        out: list[tuple[str, str | None]] = []
        section = (self.config.get("providers") or {}).get(api)
        for p in section if isinstance(section, list) else []:
            if not isinstance(p, dict):
                continue
            cond = _conditional(p.get("provider_id"))
            if cond:
                out.append((cond[1], cond[0]))
            elif p.get("provider_id"):
                out.append((str(p["provider_id"]), None))
        return out

    def first(self, ids: list[tuple[str, str | None]], kind: str, section: str, path: DocPath) -> str | None:
        if not ids:
            self.error(
                path,
                "MissingProviderForResource",
                f"resources.{kind} requires at least one {section} provider to be configured",
                f"Add spec.providers.{section}, or use a base config that has one.",
            )
            return None
        pid, cond = ids[0]
        if cond:
            self.warn(
                path,
                "resource-conditional-provider",
                f"resources.{kind} go to the first {section} provider, '{pid}', which the base config enables "
                f"only when {cond} is set",
                f"Set {cond} in the Deployment env, or name a provider explicitly.",
            )
        return pid

    def dangling(self) -> None:
        """References the replacement of whole provider sections leaves pointing at nothing."""
        providers = _mapping(self.config.get("providers"))
        known = {}
        for api, section in providers.items():
            ids = set()
            for p in section if isinstance(section, list) else []:
                if isinstance(p, dict):
                    ids.add(_resolved_id(p.get("provider_id")))
            known[api] = ids
        vs = self.config.get("vector_stores")
        checks = []
        if isinstance(vs, dict):
            checks.append(("vector_stores.default_provider_id", vs.get("default_provider_id"), "vector_io"))
            for k in ("default_embedding_model", "default_reranker_model"):
                if isinstance(vs.get(k), dict):
                    checks.append((f"vector_stores.{k}.provider_id", vs[k].get("provider_id"), "inference"))
        rr = self.config.get("registered_resources")
        if isinstance(rr, dict):
            for key, api in RESOURCE_LISTS.items():
                for j, r in enumerate(rr.get(key) or []):
                    if isinstance(r, dict) and r.get("provider_id") is not None:
                        checks.append((f"registered_resources.{key}[{j}].provider_id", r.get("provider_id"), api))
        for where, value, api in checks:
            if value is None or api not in known or api not in self.replaced:
                continue
            rid = _resolved_id(value)
            if rid and rid not in known[api]:
                self.warn(
                    ("spec", "providers", self.replaced[api]),
                    "dangling-provider-reference",
                    f"the base config's {where} names provider '{rid}', which spec.providers replaced; "
                    "the server fails at startup (or skips the resource) when it is active",
                    f"Keep the {api} provider with id '{rid}', or use overrideConfig to edit {where}.",
                )


def _sets(p: YamlMap, key: str) -> bool:
    """The CR entry itself sets config key ``key`` (through settings or secretRefs)."""
    return any(isinstance(p.get(f), dict) and key in p[f] for f in ("settings", "secretRefs"))


def _append(holder: YamlMap, key: str, entry: dict[str, Any]) -> str | None:
    """Append a resource; returns its id if the list already registers that id."""
    if not isinstance(holder.get(key), list):
        holder[key] = []
    id_key = next(k for k in entry if k.endswith("_id") and k != "provider_id")
    clash = any(isinstance(r, dict) and r.get(id_key) == entry[id_key] for r in holder[key])
    holder[key].append(entry)
    return entry[id_key] if clash else None


def _conditional(value: object) -> tuple[str, str] | None:
    if isinstance(value, str):
        m = ENV_REF.fullmatch(value)
        if m and m.group(2) == "+" and m.group(3):
            return m.group(1), m.group(3)
    return None


def _resolved_id(value: object) -> str | None:
    cond = _conditional(value)
    if cond:
        return cond[1]
    if isinstance(value, str) and ENV_REF.search(value):
        return None  # computed at startup; cannot be checked
    return None if value is None else str(value)


def _secret_key_refs(data: object, path: DocPath = ()) -> list[DocPath]:
    out: list[DocPath] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "secretKeyRef" and isinstance(v, dict):
                out.append(path)
            else:
                out.extend(_secret_key_refs(v, path + (k,)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_secret_key_refs(v, path + (i,)))
    return [p for p in out if p]


def _split_endpoint(endpoint: str, default_port: int) -> tuple[str, int]:
    text = endpoint if "://" in endpoint else f"redis://{endpoint}"
    try:
        parts = urlsplit(text)
        return parts.hostname or endpoint, parts.port or default_port
    except ValueError:
        return endpoint, default_port


def _check_secrets(cr: LocDoc, env: list[EnvVar], inputs: Inputs, findings: list[Finding]) -> None:
    """Webhook/controller Secret checks, when the Secrets are known (FR-073)."""
    if inputs.secrets is None:
        return
    ns = str((cr.data.get("metadata") or {}).get("namespace") or "default")
    for e in env:
        path = tuple(_split_field(e.field))
        if e.secret not in inputs.secrets:
            findings.append(
                cr.finding(
                    path,
                    Severity.ERROR,
                    "SecretNotFound",
                    f'Secret "{e.secret}" not found in namespace "{ns}". Referenced by: {e.field}',
                    "Create the Secret (lsc-tui export k8s --write-secret writes one), or fix the name.",
                )
            )
        elif e.key not in inputs.secrets[e.secret]:
            findings.append(
                cr.finding(
                    path,
                    Severity.ERROR,
                    "SecretKeyMissing",
                    f'Key "{e.key}" not found in Secret "{e.secret}/{ns}". Referenced by: {e.field}',
                    f"Add the key to the Secret, or fix the key name (keys: "
                    f"{', '.join(sorted(inputs.secrets[e.secret])) or 'none'}).",
                )
            )


def _split_field(text: str) -> list[str | int]:
    out: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", text):
        out.append(int(part[1:-1]) if part.startswith("[") else part)
    return out


# -- external providers ----------------------------------------------------------------------------


def _merge_externals(
    cr: LocDoc, path: DocPath, ext_spec: object, config: YamlMap, src: LocDoc, inputs: Inputs, findings: list[Finding]
) -> YamlMap:
    if not isinstance(ext_spec, dict) or not any(isinstance(v, list) and v for v in ext_spec.values()):
        return config
    if inputs.metadata_dir is None:
        findings.append(
            cr.finding(
                path,
                Severity.WARNING,
                "external-not-merged",
                "externalProviders are not merged: their provider_type and module come from "
                "lls-provider-spec.yaml inside each provider image",
                "Pass --metadata-dir DIR holding DIR/<providerId>/lls-provider-spec.yaml.",
            )
        )
        return config
    externals: list[merge.External] = []
    for section, items in ext_spec.items():
        if not isinstance(items, list):
            continue
        api = models.EXTERNAL_API_FROM_CRD.get(section)
        if api is None:
            findings.append(
                cr.finding(
                    path + (section,),
                    Severity.ERROR,
                    "crd-schema",
                    f'unknown field "{models._dotted(path + (section,))}"',
                    f"Known sections: {', '.join(models.EXTERNAL_API_FROM_CRD)}.",
                )
            )
            continue
        for i, ref in enumerate(items):
            if not isinstance(ref, dict) or not ref.get("providerId"):
                continue
            pid, image = str(ref["providerId"]), ref.get("image")
            line, col = cr.pos(path + (section, i))
            spec_file = inputs.metadata_dir / pid / merge.SPEC_FILE
            if not spec_file.exists() or spec_file.is_dir():  # a FIFO goes to the reader, which refuses it
                findings.append(
                    cr.finding(
                        path + (section, i),
                        Severity.ERROR,
                        "missing-metadata",
                        f"Missing /lls-provider/{merge.SPEC_FILE} in image {image} (init container "
                        f"install-provider-{pid}; looked for {spec_file})",
                        "Put the provider image's lls-provider-spec.yaml at "
                        f"{inputs.metadata_dir}/{pid}/{merge.SPEC_FILE}.",
                    )
                )
                continue
            try:
                _d, pkg = merge.load_package(spec_file)
            except FindingError as exc:
                findings.extend(exc.findings)
                continue
            if pkg.spec.api != api:
                findings.append(
                    cr.finding(
                        path + (section, i),
                        Severity.ERROR,
                        "api-mismatch",
                        f"Provider API type mismatch: Provider '{pid}' (image: {image}) declares api={pkg.spec.api} in "
                        f"{merge.SPEC_FILE} but is placed under externalProviders.{section}",
                        f"Move the provider to externalProviders."
                        f"{models.EXTERNAL_API_TO_CRD.get(pkg.spec.api, pkg.spec.api)} section in the LLSD spec.",
                    )
                )
                continue
            externals.append(
                merge.External(
                    api,
                    merge._entry(pid, pkg.spec.providerType, pkg.spec.packageName, ref.get("config")),
                    f"{section}[{i}]",
                    cr.file,
                    line,
                    col,
                    image,
                    pkg,
                )
            )
    if has_errors(findings):
        return config
    result = merge.merge_external(config, externals, run_file=src.file, run_doc=src)
    findings.extend(result.errors)
    findings.extend(result.warnings)
    return result.data if result.ok and result.data is not None else config


def load_inputs(
    paths_config_maps: list[str], paths_secrets: list[str], metadata_dir: str | None, into: Inputs
) -> list[Finding]:
    """Add ConfigMaps/Secrets from extra files (``--config-map``, ``--secrets``). Raises FindingError."""
    findings: list[Finding] = []
    for p in list(paths_config_maps) + list(paths_secrets):
        _crs, more, f = split_documents(load_all(p))
        findings.extend(f)
        into.config_maps.update(more.config_maps)
        if more.secrets is not None:
            into.secrets = {**(into.secrets or {}), **more.secrets}
    for _p in paths_secrets:
        if into.secrets is None:
            into.secrets = {}
    if metadata_dir:
        into.metadata_dir = Path(metadata_dir)
    return findings


def load_base(path: str) -> LocDoc:
    doc = load_one(path)
    if doc.findings:
        raise FindingError(doc.findings)
    return doc
