"""The rules across sections of lightspeed-stack.yaml and run.yaml: plain data in, issues out.

No pydantic here: the validation API (validate.py) and the one-shot commands' quick verdict
(verdict.py) both run them.
"""

from __future__ import annotations

import re
from typing import Any

from lsc_tui.config.models.checks import has_env_ref
from lsc_tui.config.models.model_issue import ModelIssue, shown_key
from lsc_tui.config.provider_types import KNOWN_APIS, PROVIDABLE_APIS, ROUTING_TABLE_APIS

_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def lightspeed_cross_checks(data: dict[str, Any]) -> list[ModelIssue]:
    """Rules across sections of lightspeed-stack.yaml (quota subject and auth module, duplicate
    provider ids and MCP server names, api_key_env names, Kubernetes tokens LCORE drops)."""
    out: list[ModelIssue] = []
    module = _get(data, "authentication", "module") or "noop"
    subject = _get(data, "rlsapi_v1", "quota_subject")
    if (
        subject in ("org_id", "system_id")
        and isinstance(module, str)
        and not has_env_ref(module)
        and module != "rh-identity"
    ):
        out.append(
            ModelIssue(
                ("rlsapi_v1", "quota_subject"),
                "error",
                "invalid-value",
                f"`rlsapi_v1.quota_subject: {subject}` needs `authentication.module: rh-identity`",
                "Use quota_subject: user_id, or switch authentication to rh-identity.",
            )
        )

    providers = _get(data, "inference", "providers")
    if isinstance(providers, list):
        seen: dict[str, int] = {}
        for i, p in enumerate(providers):
            if not isinstance(p, dict):
                continue
            ptype = p.get("type")
            pid = (
                p.get("id")
                if p.get("id") is not None
                else (ptype.replace("_", "-") if isinstance(ptype, str) else None)
            )
            if isinstance(pid, str):
                pid = pid.strip()
                if pid in seen:
                    out.append(
                        ModelIssue(
                            ("inference", "providers", i),
                            "warning",
                            "duplicate-id",
                            f"`inference.providers[{i}]` has the same provider id as "
                            f"inference.providers[{seen[pid]}]; the later entry replaces the earlier",
                            "Give each entry its own `id`.",
                        )
                    )
                seen.setdefault(pid, i)
            env = p.get("api_key_env")
            if isinstance(env, str) and not _NAME.match(env):
                out.append(
                    ModelIssue(
                        ("inference", "providers", i, "api_key_env"),
                        "warning",
                        "invalid-value",
                        f"`inference.providers[{i}].api_key_env` is not an environment variable name "
                        "Llama Stack can expand (upper-case letters, digits and '_')",
                        "Put the NAME of the variable here (e.g. OPENAI_API_KEY), never the key.",
                    )
                )

    servers = data.get("mcp_servers")
    if isinstance(servers, list):
        names: dict[str, int] = {}
        for i, s in enumerate(servers):
            if not isinstance(s, dict):
                continue
            name = s.get("name")
            if isinstance(name, str):
                if name in names:
                    out.append(
                        ModelIssue(
                            ("mcp_servers", i, "name"),
                            "warning",
                            "duplicate-name",
                            f"`mcp_servers[{i}].name` repeats mcp_servers[{names[name]}].name; "
                            "MCP server names should be unique",
                            "Rename one of them.",
                        )
                    )
                names.setdefault(name, i)
            headers = s.get("authorization_headers")
            if isinstance(headers, dict) and module not in ("k8s", "noop-with-token") and not has_env_ref(module):
                for h, v in headers.items():
                    if isinstance(v, str) and v.strip() == "kubernetes":
                        out.append(
                            ModelIssue(
                                ("mcp_servers", i, "authorization_headers", h),
                                "warning",
                                "mcp-server-dropped",
                                f"`mcp_servers[{i}]` uses the Kubernetes token but authentication.module is "
                                f"{module}; LCORE drops this server at start-up",
                                "Set authentication.module to k8s (or noop-with-token for testing), or use a token "
                                "file path or `client`.",
                            )
                        )
                        break
    return out


# -- run.yaml -----------------------------------------------------------------------------------

# Store -> backend family Llama Stack insists on ("" = checked for existence only: the kind of
# the prompts store changed between releases, and connectors are not checked at parse time).
_STORE_FAMILY = {"metadata": "kv_", "inference": "sql_", "conversations": "sql_", "responses": "sql_", "prompts": ""}

# Deprecated top-level fields: the warning each one gets.
_LEGACY_TOP = {
    "models": "registered_resources.models",
    "shields": "registered_resources.shields",
    "vector_dbs": "registered_resources.vector_stores",
    "datasets": "registered_resources.datasets",
    "scoring_fns": "registered_resources.scoring_fns",
    "benchmarks": "registered_resources.benchmarks",
    "tool_groups": "registered_resources.tool_groups",
    "metadata_store": "storage.stores.metadata",
    "inference_store": "storage.stores.inference",
}


def run_yaml_cross_checks(data: dict[str, Any]) -> list[ModelIssue]:
    """Rules across sections; warnings where Llama Stack would carry on regardless."""
    out: list[ModelIssue] = []
    for key, target in _LEGACY_TOP.items():
        if key in data:
            out.append(
                ModelIssue(
                    (key,),
                    "warning",
                    "legacy-key",
                    f"top-level `{key}` is the pre-0.3 layout; Llama Stack 0.3+ ignores it",
                    f"Move it to {target} (or keep it only for Llama Stack 0.2).",
                )
            )
    if "distro_name" not in data and "image_name" not in data:
        out.append(
            ModelIssue(
                ("distro_name",),
                "error",
                "missing-key",
                "`distro_name` (or the older `image_name`) is required",
                "Add distro_name: <name of the distribution>, e.g. starter.",
            )
        )

    apis = data.get("apis")
    listed = {a for a in apis if isinstance(a, str)} if isinstance(apis, list) else set()
    if isinstance(apis, list):
        for i, api in enumerate(apis):
            if isinstance(api, str) and not has_env_ref(api) and api not in KNOWN_APIS:
                out.append(
                    ModelIssue(
                        ("apis", i),
                        "warning",
                        "unknown-api",
                        f"`apis[{i}]` is not an API Llama Stack knows (unless an external API adds it)",
                        f"Use one of: {', '.join(PROVIDABLE_APIS[:12])}.",
                    )
                )
    providers = data.get("providers")
    if isinstance(providers, dict):
        for api, entries in providers.items():
            if api in ROUTING_TABLE_APIS:
                out.append(
                    ModelIssue(
                        ("providers", api),
                        "error",
                        "routing-table-api",
                        f"`providers.{api}` is a routing table Llama Stack provides itself; it cannot have providers",
                        "Delete this block; register resources under registered_resources instead.",
                    )
                )
            elif listed and api not in listed:
                shown = shown_key(api)  # a key quoted in a message: printable, short, no credential
                out.append(
                    ModelIssue(
                        ("providers", api),
                        "warning",
                        "api-not-listed",
                        f"`providers.{shown}` has providers but `{shown}` is not in `apis`, so it is not served",
                        f"Add {shown} to apis, or delete these providers.",
                    )
                )
            if not isinstance(entries, list):
                continue
            seen: dict[str, int] = {}
            for i, entry in enumerate(entries):
                pid = entry.get("provider_id") if isinstance(entry, dict) else None
                if not isinstance(pid, str) or not pid or pid == "__disabled__":
                    continue
                if pid in seen:
                    out.append(
                        ModelIssue(
                            ("providers", api, i, "provider_id"),
                            "warning",
                            "duplicate-id",
                            f"`providers.{shown_key(api)}[{i}].provider_id` repeats "
                            f"providers.{shown_key(api)}[{seen[pid]}]; "
                            "the later entry silently replaces the earlier one",
                            "Give each provider of an API its own provider_id.",
                        )
                    )
                else:
                    seen[pid] = i
    storage = data.get("storage")
    if isinstance(storage, dict):
        backends = storage.get("backends")
        backends = backends if isinstance(backends, dict) else {}
        stores = storage.get("stores")
        for name, ref in (stores if isinstance(stores, dict) else {}).items():
            if not isinstance(ref, dict) or name not in _STORE_FAMILY:
                continue
            backend = ref.get("backend")
            if not isinstance(backend, str) or has_env_ref(backend):
                continue
            family = _STORE_FAMILY[name]
            defined = backends.get(backend)
            if defined is None:
                out.append(
                    ModelIssue(
                        ("storage", "stores", name, "backend"),
                        "error",
                        "unknown-backend",
                        f"`storage.stores.{name}.backend` names a backend that storage.backends does "
                        f"not define (defined: {', '.join(map(str, backends)) or 'none'})",
                        "Use one of the names under storage.backends, or define it there.",
                    )
                )
            elif (
                family
                and isinstance(defined, dict)
                and isinstance(defined.get("type"), str)
                and not defined["type"].startswith(family)
            ):
                kind = "key-value (kv_*)" if family == "kv_" else "SQL (sql_*)"
                out.append(
                    ModelIssue(
                        ("storage", "stores", name, "backend"),
                        "error",
                        "wrong-backend-kind",
                        f"`storage.stores.{name}` needs a {kind} backend",
                        f"Point it at a {family}* backend.",
                    )
                )
    return out
