"""Benchmark inputs: realistic run.yaml and lightspeed-stack.yaml of a chosen size, generated."""

from __future__ import annotations

from pathlib import Path

_TYPES = [
    ("inference", "remote::vllm", lambda i: {"url": f"http://vllm-{i}.svc:8000/v1", "api_token": f"${{env.VLLM_{i}_TOKEN}}",
                                             "tls_verify": True, "max_tokens": 4096}),
    ("inference", "remote::openai", lambda i: {"api_key": "${env.OPENAI_API_KEY}",
                                               "allowed_models": [f"gpt-4o-mini-{i}", f"gpt-4.1-{i}"]}),
    ("vector_io", "inline::faiss", lambda i: {"persistence": {"namespace": f"vector_io::faiss{i}", "backend": "kv_default"}}),
    ("vector_io", "remote::pgvector", lambda i: {"host": "${env.PGVECTOR_HOST:=localhost}", "port": 5432,
                                                 "db": f"vectors{i}", "user": "${env.PGVECTOR_USER}",
                                                 "password": "${env.PGVECTOR_PASSWORD}",
                                                 "persistence": {"namespace": f"vector_io::pg{i}", "backend": "kv_default"}}),
    ("tool_runtime", "remote::model-context-protocol", lambda i: {}),
    ("safety", "inline::llama-guard", lambda i: {"excluded_categories": [f"cat{i}"]}),
]


def run_yaml_text(lines: int) -> str:
    """A run.yaml of about ``lines`` lines: providers of several APIs, storage, models."""
    out = ["version: 2", "distro_name: bench", "apis:", "- inference", "- safety", "- tool_runtime", "- vector_io",
           "providers:"]
    by_api: dict[str, list[str]] = {}
    models: list[str] = []
    i = 0
    budget = max(lines - 40, 20)
    size = 0
    while size < budget + 28:
        api, ptype, cfg = _TYPES[i % len(_TYPES)]
        block = [f"  - provider_id: p{i}", f"    provider_type: {ptype}"]
        conf = cfg(i)
        if conf:
            block.append("    config:")
            for k, v in conf.items():
                if isinstance(v, dict):
                    block.append(f"      {k}:")
                    block.extend(f"        {kk}: {vv}" for kk, vv in v.items())
                elif isinstance(v, list):
                    block.append(f"      {k}:")
                    block.extend(f"      - {x}" for x in v)
                else:
                    block.append(f"      {k}: {v}")
        by_api.setdefault(api, []).extend(block)
        size += len(block)
        if api == "inference":
            models += [f"  - model_id: m{i}", f"    provider_id: p{i}", "    model_type: llm"]
            size += 3
        i += 1
    for api, block in by_api.items():
        out.append(f"  {api}:")
        out.extend(block)
    out += ["storage:", "  backends:", "    kv_default:", "      type: kv_sqlite",
            "      db_path: ${env.SQLITE_STORE_DIR:=~/.llama}/kv.db", "    sql_default:", "      type: sql_sqlite",
            "      db_path: ${env.SQLITE_STORE_DIR:=~/.llama}/sql.db", "registered_resources:", "  models:"]
    out += models
    out += ["  shields: []", "vector_stores:", "  default_provider_id: p2"]
    return "\n".join(out) + "\n"


LCS_UNIFIED = """name: bench
service:
  host: 0.0.0.0
  port: 8080
user_data_collection:
  feedback_enabled: false
authentication:
  module: noop
inference:
  default_provider: vllm-main
  default_model: granite
  providers:
  - type: vllm
    id: vllm-main
    api_key_env: VLLM_API_TOKEN
    allowed_models: [granite]
    extra:
      url: http://vllm.svc:8000/v1
llama_stack:
  use_as_library_client: true
  config:
    profile: run.yaml
    native_override:
      safety:
        default_shield_id: llama-guard
"""


def make_workspace(root: Path, lines: int) -> Path:
    """A unified workspace whose profile run.yaml has about ``lines`` lines; returns the config path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "run.yaml").write_text(run_yaml_text(lines))
    cfg = root / "lightspeed-stack.yaml"
    cfg.write_text(LCS_UNIFIED)
    return cfg
