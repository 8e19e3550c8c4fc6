"""Environment variable names for secrets: the names the ecosystem already uses.

``OPENAI_API_KEY`` for ``remote::openai``'s ``api_key``, ``VLLM_API_TOKEN`` for vllm's
``api_token``, ``PGVECTOR_PASSWORD``, ``POSTGRES_PASSWORD`` for LCORE's postgres blocks, and
so on; otherwise a name derived from the key path. The same value always gets the same name;
different values never share one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lsc_tui.config.envref import NAME_RE
from lsc_tui.config.secrets.rules import normalize_key

if TYPE_CHECKING:  # the detector imports this module
    from lsc_tui.config.secrets.detector import SecretFinding

GENERIC_HINTS = {"API_KEY", "AUTH_TOKEN", "BASIC_AUTH", "JWT_TOKEN", "PRIVATE_KEY", ""}
# keys that are aliases of one another in Llama Stack configs
_KEY_ALIASES = {"auth_credential": "api_key"}
_VENDOR_NAMES = {
    "vertexai": "VERTEX_AI",
    "tgi": "HF",
    "huggingface": "HF",
    "hf": "HF",
    "vllm_rhaiis": "RHAIIS",
    "vllm_rhel_ai": "RHEL_AI",
    "sentence_transformers": "SENTENCE_TRANSFORMERS",
    "azure_openai": "AZURE",
    "bing_search": "BING_SEARCH",
    "model_context_protocol": "MCP",
}
_SCHEME_NAMES = {
    "postgres": "POSTGRES",
    "postgresql": "POSTGRES",
    "mysql": "MYSQL",
    "mariadb": "MYSQL",
    "redis": "REDIS",
    "rediss": "REDIS",
    "mongodb": "MONGODB",
    "amqp": "RABBITMQ",
    "amqps": "RABBITMQ",
}
_SKIP_PARTS = {
    "config",
    "providers",
    "native_override",
    "llama_stack",
    "ogx",
    "extra",
    "stores",
    "backends",
    "provider_config",
    "api_key_config",
    "byok",
    "rag",
    "inference",
    "storage",
}


def valid_name(name: str) -> bool:
    return bool(NAME_RE.match(name or ""))


def sanitize(text: str) -> str:
    out = re.sub(r"[^A-Z0-9]+", "_", normalize_key(text).upper()).strip("_")
    if out and out[0].isdigit():
        out = "_" + out
    return out


def path_name(path: tuple[Any, ...]) -> str:
    """``conversation_cache.postgres.password`` -> ``CONVERSATION_CACHE_POSTGRES_PASSWORD``."""
    parts = [str(p) for p in path if isinstance(p, str) and p not in _SKIP_PARTS]
    if not parts:
        parts = [str(p) for p in path if isinstance(p, str)] or ["SECRET"]
    name = sanitize("_".join(parts[-3:]))
    return name or "SECRET"


def _walk(data: Any, path: tuple[Any, ...]) -> Iterator[tuple[int, dict[Any, Any]]]:
    """Yield (depth, mapping) for each mapping along ``path`` (depth = parts consumed)."""
    node = data
    for depth, part in enumerate(path):
        if isinstance(node, dict):
            yield depth, node
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return


def _vendor(entry: dict[Any, Any]) -> str:
    ptype = entry.get("provider_type")
    if isinstance(ptype, str) and "::" in ptype:
        return ptype.split("::", 1)[1]
    htype = entry.get("type")
    if isinstance(htype, str) and re.match(r"^[a-z][a-z0-9_\-]*$", htype):
        return htype
    return ""


def _vendor_prefix(vendor: str) -> str:
    v = vendor.lower().replace("-", "_")
    return _VENDOR_NAMES.get(v) or sanitize(v)


def preferred_name(data: Any, path: tuple[Any, ...], rule: str = "", env_hint: str = "") -> str:
    """The name the ecosystem would use for the secret at ``path`` in ``data``."""
    strs = [p for p in path if isinstance(p, str)]
    key = normalize_key(strs[-1]) if strs else "secret"
    key = _KEY_ALIASES.get(key, key)
    key_up = sanitize(key)
    if env_hint and env_hint.endswith("_PASSWORD") and env_hint not in GENERIC_HINTS and rule == "url-password":
        return env_hint
    top = strs[0] if strs else ""
    # LCORE's own fields
    if top in ("llama_stack", "ogx") and len(strs) == 2 and key == "api_key":
        return "LLAMA_STACK_API_KEY"
    if top == "authentication" and key == "api_key":
        return "AUTH_API_KEY"
    if top == "azure_entra_id":
        return key_up
    if key in ("password", "passwd", "pwd"):
        if "pgvector" in _values_along(data, path) or "pgvector" in strs:
            return "PGVECTOR_PASSWORD"
        if "postgres" in strs or "postgres" in _values_along(data, path) or top in ("rag",):
            return "POSTGRES_PASSWORD"
    if key.startswith("aws_"):
        return key_up
    # run.yaml providers (also inside native_override / profiles) and high-level inference providers
    vendor = ""
    for _depth, entry in _walk(data, path):
        if isinstance(entry, dict) and ("provider_type" in entry or ("type" in entry and "providers" in strs)):
            v = _vendor(entry)
            if v:
                vendor = v
    if vendor:
        prefix = _vendor_prefix(vendor)
        if prefix == "BEDROCK" and key == "api_key":
            return "AWS_BEARER_TOKEN_BEDROCK"
        if len(key.split("_")) >= 3 and key_up.endswith(("_API_KEY", "_API_TOKEN", "_TOKEN", "_PASSWORD", "_KEY")):
            return key_up  # openai_api_key, elasticsearch_api_key: the key already names the vendor
        if key_up.startswith(prefix + "_"):
            return key_up
        return f"{prefix}_{key_up}"
    if env_hint and env_hint not in GENERIC_HINTS:
        return env_hint
    return alternative_name(path, rule)


def _values_along(data: Any, path: tuple[Any, ...]) -> set[str]:
    """Short string values of the mappings along the path (their ``type``, ``backend``...)."""
    out: set[str] = set()
    for _depth, entry in _walk(data, path):
        for k in ("type", "backend", "provider_type"):
            v = entry.get(k)
            if isinstance(v, str):
                out.add(v.split("::")[-1].lower())
    return out


def assign_names(findings: list[SecretFinding]) -> list[SecretFinding]:
    """Give each finding a final name: same value -> same name, different values -> different names."""
    by_value: dict[str, str] = {}
    owner: dict[str, str] = {}  # name -> value
    # names fixed by the file itself (the X of ${env.X:=...}) are claimed first
    for f in findings:
        if f.kind == "default" and f.existing_env:
            value = f.secret.reveal()
            owner.setdefault(f.existing_env, value)
            by_value.setdefault(value, f.existing_env)
    out = []
    for f in findings:
        value = f.secret.reveal()
        if f.kind == "default" and f.existing_env:
            out.append(f)
            continue
        if value in by_value:
            name = by_value[value]
        else:
            name = unique_name(f.suggested_env or path_name(f.path), value, owner, f.path, f.rule)
            by_value[value] = name
        owner.setdefault(name, value)
        out.append(replace(f, suggested_env=name))
    return out


def alternative_name(path: tuple[Any, ...], rule: str = "") -> str:
    name = path_name(path)
    if rule == "url-password" and not name.endswith("PASSWORD"):
        name += "_PASSWORD"
    return name


def unique_name(preferred: str, value: str, owner: dict[str, str], path: tuple[Any, ...] = (), rule: str = "") -> str:
    candidates = [preferred]
    alt = alternative_name(path, rule) if path else ""
    if alt and alt != preferred:
        candidates.append(alt)
    for cand in candidates:
        if owner.get(cand, value) == value:
            return cand
    base = candidates[-1]
    n = 2
    while owner.get(f"{base}_{n}", value) != value:
        n += 1
    return f"{base}_{n}"
