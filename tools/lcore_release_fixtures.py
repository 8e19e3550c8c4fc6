"""Regenerate tests/fixtures/lcore_releases/: what each LCORE release does with each config.

Writes the inputs (copies of the corpus configs and generated variations of every section)
and, per release, LCORE's own verdict (mode or the rejection) and its run.yaml (unified
synthesis, the server container's enrichment, or the library-mode enrichment), by running
that release's code (the per-release oracles next to the corpus; see their README).

    /tmp/oracle-venv/bin/python tools/lcore_release_fixtures.py [--shared /work/shared]

Needs a venv with pydantic, jsonpath-ng and PyYAML. The tests only read the files written here.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "lcore_releases"
# release key in lsc-tui -> the oracle folder
RELEASES = {"0.5": "v0.5.3", "0.6": "v0.6.2", "0.7.0rc1": "v0.7.0rc1", "main": "head"}

# The environment every case runs in (plus a placeholder for each other bare ${env.X} it uses).
BASE_ENV = {"FAISS_VECTOR_STORE_ID": "vs_faiss", "TENANT_ID": "t", "CLIENT_ID": "c", "CLIENT_SECRET": "s",
            "RH_OKP": "http://okp.example.com:8081", "DOCS_STORE_ID": "vs_docs",
            "OKP_URL": "http://okp-from-env.example.com:8081/x"}

BASE = {
    "name": "lsc",
    "service": {"host": "localhost", "port": 8080},
    "user_data_collection": {"feedback_enabled": False},
    "authentication": {"module": "noop"},
}
RUN_YAML = {
    "version": 2,
    "image_name": "starter",
    "apis": ["inference", "vector_io", "tool_runtime"],
    "providers": {
        "inference": [
            {"provider_id": "openai", "provider_type": "remote::openai",
             "config": {"api_key": "${env.OPENAI_API_KEY}"}},
            {"provider_id": "az", "provider_type": "remote::azure", "config": {"base_url": "https://az.example.com"}},
            {"provider_id": "sentence-transformers", "provider_type": "inline::sentence-transformers"},
        ],
        "vector_io": [{"provider_id": "faiss", "provider_type": "inline::faiss",
                       "config": {"persistence": {"namespace": "vector_io::faiss", "backend": "kv_default"}}}],
        "tool_runtime": [{"provider_id": "rag-runtime", "provider_type": "inline::rag-runtime"}],
    },
    "storage": {"backends": {"kv_default": {"type": "kv_sqlite", "db_path": "/tmp/kv.db"}}},
    "registered_resources": {
        "models": [{"model_id": "all-mpnet-base-v2", "model_type": "embedding", "provider_id": "sentence-transformers",
                    "provider_model_id": "all-mpnet-base-v2", "metadata": {"embedding_dimension": 768}}],
        "vector_stores": [{"vector_store_id": "${env.DOCS_STORE_ID}", "provider_id": "faiss",
                           "embedding_model": "all-mpnet-base-v2", "embedding_dimension": 768}],
    },
}
PROFILE = {
    "version": 2,
    "image_name": "profile",
    "apis": ["inference", "vector_io"],
    "providers": {"inference": [{"provider_id": "openai", "provider_type": "remote::openai",
                                 "config": {"api_key": "${env.OPENAI_API_KEY}"}}],
                  "vector_io": [{"provider_id": "faiss", "provider_type": "inline::faiss", "config": {}},
                                {"provider_id": "faiss", "provider_type": "inline::faiss", "config": {"x": 1}}]},
    "storage": {"backends": {"kv_default": {"type": "kv_sqlite", "db_path": "/tmp/kv.db"}}},
}

# -- the sections, each in the spelling of the release that knows it ---------------------------
OLD_BYOK = [
    {"rag_id": "docs", "rag_type": "inline::faiss", "vector_db_id": "vs_docs", "db_path": "/tmp/docs.db",
     "embedding_model": "sentence-transformers/all-mpnet-base-v2", "embedding_dimension": 768},
    {"rag_id": "kb", "vector_db_id": "vs_kb", "db_path": "/tmp/kb.db", "embedding_dimension": 384,
     "embedding_model": "sentence-transformers/all-mpnet-base-v2"},
]
OLD_BYOK_PG = [{"rag_id": "pg", "rag_type": "remote::pgvector", "vector_db_id": "vs_pg", "host": "db.example.com",
                "port": "5432", "password": "${env.PG_PASSWORD}"}]
NEW_STORES = [
    {"rag_id": "docs", "backend": "faiss", "vector_db_id": "vs_docs", "db_path": "/tmp/docs.db",
     "embedding_model": "sentence-transformers/all-mpnet-base-v2", "embedding_dimension": 768},
    {"rag_id": "kb", "vector_db_id": "vs_kb", "db_path": "/tmp/kb.db", "embedding_dimension": 384,
     "embedding_model": "sentence-transformers/all-mpnet-base-v2"},
]
NEW_STORES_PG = [{"rag_id": "pg", "backend": "pgvector", "vector_db_id": "vs_pg", "host": "db.example.com",
                  "port": "5432", "password": "${env.PG_PASSWORD}"}]
VECTOR_STORE = {"default_provider": "vsf", "providers": [
    {"id": "vsf", "type": "faiss", "embedding_model": "sentence-transformers/all-mpnet-base-v2",
     "embedding_dimension": 768, "config": {"path": "/tmp/vsf.db"}},
    {"id": "vsp", "type": "pgvector", "embedding_model": "sentence-transformers/nomic-ai/nomic-embed-text-v1.5",
     "embedding_dimension": 768, "config": {"host": "pg.example.com", "password": "${env.PG_PASSWORD}"}},
]}
PROVIDERS = [
    {"type": "openai", "api_key_env": "OPENAI_API_KEY", "allowed_models": ["gpt-4o-mini"]},
    {"type": "vllm", "api_key_env": "VLLM_TOKEN", "extra": {"url": "http://vllm.example.com:8000/v1"}},
    {"type": "sentence_transformers"},
]


def unified(config: dict | None = None, **top) -> dict:
    data = copy.deepcopy(BASE)
    data["llama_stack"] = {"use_as_library_client": True}
    if config is not None:
        data["llama_stack"]["config"] = config
    data.update(copy.deepcopy(top))
    return data


def server(**top) -> dict:
    data = copy.deepcopy(BASE)
    data["llama_stack"] = {"use_as_library_client": False, "url": "http://localhost:8321"}
    data.update(copy.deepcopy(top))
    return data


def library(**top) -> dict:
    data = copy.deepcopy(BASE)
    data["llama_stack"] = {"use_as_library_client": True, "library_client_config_path": "run.yaml"}
    data.update(copy.deepcopy(top))
    return data


def generated() -> dict[str, dict]:
    """case id -> {"config": data, "files": {name: data}, "unset": [names]}"""
    old_rag = {"byok_rag": OLD_BYOK, "rag": {"inline": ["docs", "okp"], "tool": ["kb"]},
               "okp": {"rhokp_url": "http://okp.example.com:8081/base", "chunk_filter_query": "product:x"}}
    new_rag = {"rag": {"byok": {"stores": NEW_STORES}, "okp": {"rhokp_url": "http://okp.example.com:8081/base",
                                                               "chunk_filter_query": "product:x"},
                       "retrieval": {"inline": {"sources": ["docs", "okp"]}, "tool": {"sources": ["kb"]}}}}
    cases: dict[str, dict] = {
        # baselines
        "baseline-default": {"config": unified({"baseline": "default"})},
        "baseline-empty": {"config": unified({"baseline": "empty", "native_override": {"version": 2}})},
        "baseline-config-only": {"config": unified({})},
        "baseline-profile": {"config": unified({"profile": "profile.yaml"}), "files": {"profile.yaml": PROFILE}},
        "baseline-byo-llm": {"config": unified({"baseline": "byo-llm"})},
        "baseline-unknown": {"config": unified({"baseline": "tiny"})},
        # inference.providers
        "inference-providers": {"config": unified(None, inference={"providers": PROVIDERS})},
        "inference-providers-id": {"config": unified(None, inference={"providers": [
            {"type": "openai", "id": "openai-2", "api_key_env": "K2"}, {"type": "openai", "api_key_env": "K1"}]})},
        "inference-providers-empty-baseline": {"config": unified({"baseline": "empty"},
                                                                 inference={"providers": PROVIDERS})},
        "inference-providers-profile": {"config": unified({"profile": "profile.yaml"},
                                                          inference={"providers": PROVIDERS[:1]}),
                                        "files": {"profile.yaml": PROFILE}},
        "inference-azure-entra": {"config": unified({}, inference={"providers": [
            {"type": "azure", "api_key_env": "AZ", "extra": {"base_url": "https://az.example.com"}}]},
            azure_entra_id={"tenant_id": "${env.TENANT_ID}", "client_id": "${env.CLIENT_ID}",
                            "client_secret": "${env.CLIENT_SECRET}"})},
        "inference-limits": {"config": unified({}, inference={"max_infer_iters": 5, "max_tool_calls": 3,
                                                              "context_windows": {"gpt-4o-mini": 128000}})},
        # vector_store
        "vector-store": {"config": unified(None, vector_store=VECTOR_STORE)},
        "vector-store-with-byok": {"config": unified({}, vector_store=VECTOR_STORE,
                                                      rag={"byok": {"stores": NEW_STORES[:1]}})},
        "vector-store-with-old-byok": {"config": unified({}, vector_store=VECTOR_STORE, byok_rag=OLD_BYOK[:1])},
        # RAG in the spelling before main
        "rag-old-unified": {"config": unified({}, **old_rag)},
        "rag-old-pgvector": {"config": unified({}, byok_rag=OLD_BYOK + OLD_BYOK_PG)},
        "rag-old-okp-default-url": {"config": unified({}, rag={"tool": ["okp"]})},
        "rag-old-okp-env-url": {"config": unified({}, rag={"inline": ["okp"]}, okp={"rhokp_url": "${env.RH_OKP}"})},
        "rag-old-server": {"config": server(**old_rag), "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML}},
        "rag-old-library": {"config": library(**old_rag), "files": {"run.yaml": RUN_YAML}},
        "rag-old-reranker": {"config": unified({}, reranker={"enabled": True})},
        # RAG in main's spelling
        "rag-new-unified": {"config": unified({}, **new_rag)},
        "rag-new-pgvector": {"config": unified({}, rag={"byok": {"stores": NEW_STORES + NEW_STORES_PG}})},
        "rag-new-okp-search-mode": {"config": unified({}, rag={"okp": {"search_mode": "keyword"},
                                                               "retrieval": {"tool": {"sources": ["okp"]}}})},
        "rag-new-okp-env-url": {"config": unified({}, rag={"okp": {"rhokp_url": "${env.RH_OKP}"},
                                                           "retrieval": {"inline": {"sources": ["okp"]}}})},
        "rag-new-server": {"config": server(**new_rag), "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML}},
        "rag-new-library": {"config": library(**new_rag), "files": {"run.yaml": RUN_YAML}},
        # native_override and MCP
        "override": {"config": unified({"native_override": {"providers": {"tool_runtime": []},
                                                            "server": {"port": 8322}}})},
        "override-mcp-profile": {"config": unified({"profile": "profile.yaml",
                                                    "native_override": {"apis": ["inference"]}}),
                                 "files": {"profile.yaml": PROFILE}},
        # legacy modes
        "legacy-server-plain": {"config": server(), "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML}},
        "legacy-server-azure": {"config": server(azure_entra_id={"tenant_id": "t", "client_id": "c",
                                                                 "client_secret": "s"}),
                                "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML}},
        "legacy-server-env-unset": {"config": server(**old_rag, customization={"system_prompt": "${env.NOT_SET}"}),
                                    "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML},
                                    "container_unset": ["NOT_SET"]},
        "legacy-server-okp-env-url": {"config": server(rag={"inline": ["okp"]}, okp={"rhokp_url": "${env.RH_OKP}"}),
                                      "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML}},
        "legacy-server-okp-env-url-new": {"config": server(rag={"okp": {"rhokp_url": "${env.RH_OKP}"},
                                                                "retrieval": {"tool": {"sources": ["okp"]}}}),
                                          "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML}},
        "legacy-server-okp-unset-url": {"config": server(rag={"inline": ["okp"]}, okp={"rhokp_url": "${env.OKP_URL}"}),
                                        "run_yaml": "run.yaml", "files": {"run.yaml": RUN_YAML},
                                        "container_unset": ["OKP_URL"]},
        "legacy-server-pg-old": {"config": server(byok_rag=OLD_BYOK + OLD_BYOK_PG), "run_yaml": "run.yaml",
                                 "files": {"run.yaml": RUN_YAML}},
        "legacy-library-old-pg": {"config": library(byok_rag=OLD_BYOK[:1] + OLD_BYOK_PG,
                                                    rag={"tool": ["okp"]}, okp={"rhokp_url": "${env.RH_OKP}"}),
                                  "files": {"run.yaml": RUN_YAML}},
        "legacy-library-plain": {"config": library(), "files": {"run.yaml": RUN_YAML}},
        "legacy-library-azure": {"config": library(azure_entra_id={"tenant_id": "t", "client_id": "c",
                                                                   "client_secret": "s"}),
                                 "files": {"run.yaml": RUN_YAML}},
        # keys that came or went
        "key-approvals": {"config": unified({}, approvals={"approval_timeout_seconds": 60})},
        "key-compaction": {"config": server(compaction={"enabled": True})},
        "key-skills": {"config": server(skills={"paths": ["/tmp/skills"]})},
        "key-allow-verbose-infer": {"config": server(customization={"allow_verbose_infer": True})},
        "key-rlsapi": {"config": server(rlsapi_v1={"allow_verbose_infer": True})},
        "key-llama-stack-retries": {"config": server(), "patch": {"llama_stack": {"max_retries": 3}}},
        "key-observability": {"config": server(observability={})},
        "key-saved-prompts": {"config": server(saved_prompts={"max_prompts_per_user": 5})},
        "key-shields": {"config": server(shields=[{"name": "pii", "provider_id": "redaction",
                                                   "config": {"rules": [{"pattern": "x", "replacement": "y"}]}}])},
        "key-config-format-version": {"config": unified({}, config_format_version="unified")},
        "key-ogx": {"config": {**copy.deepcopy(BASE), "ogx": {"use_as_library_client": True, "config": {}}}},
        "key-mcp-require-approval": {"config": server(mcp_servers=[{"name": "m", "url": "http://m.example.com",
                                                                    "require_approval": "never"}])},
        "key-auth-skip-metrics": {"config": server(), "patch": {"authentication": {"skip_for_metrics": True}}},
        "key-byok-pg-fields-old": {"config": server(byok_rag=OLD_BYOK_PG)},
        "bad-byok-missing-db-path": {"config": unified({}, byok_rag=[{"rag_id": "x", "vector_db_id": "v"}])},
        "bad-store-missing-db-path": {"config": unified({}, rag={"byok": {"stores": [{"rag_id": "x",
                                                                                      "vector_db_id": "v"}]}})},
        # more combinations, each release in its own spelling
        "vector-store-replaces-profile-row": {"config": unified({"profile": "profile.yaml"}, vector_store={
            "default_provider": "faiss", "providers": [{"id": "faiss", "type": "faiss", "config": {"path": "/tmp/f.db"},
                                                        "embedding_model": "all-mpnet-base-v2",
                                                        "embedding_dimension": 768}]}),
                                              "files": {"profile.yaml": PROFILE}},
        "vector-store-default-without-model": {"config": unified(None, vector_store={
            "default_provider": "vsp", "providers": [{"id": "vsp", "type": "pgvector", "config": {}}]})},
        "vector-store-empty-baseline": {"config": unified({"baseline": "empty"}, vector_store=VECTOR_STORE)},
        "override-wipes-old-byok": {"config": unified({"native_override": {"providers": {"vector_io": []}}},
                                                      byok_rag=OLD_BYOK[:1])},
        "override-wipes-new-byok": {"config": unified({"native_override": {"providers": {"vector_io": []}}},
                                                      rag={"byok": {"stores": NEW_STORES[:1]}})},
        "rag-new-okp-semantic": {"config": unified({}, rag={"okp": {"search_mode": "semantic", "offline": False},
                                                            "retrieval": {"inline": {"sources": ["okp"]}}})},
        "rag-old-store-env-id": {"config": unified({"profile": "run.yaml"}, byok_rag=[
            {"rag_id": "docs", "vector_db_id": "vs_docs", "db_path": "/tmp/d.db"},
            {"rag_id": "kb", "vector_db_id": "vs_kb", "db_path": "/tmp/kb.db"}]), "files": {"run.yaml": RUN_YAML}},
        "rag-new-store-env-id": {"config": unified({"profile": "run.yaml"}, rag={"byok": {"stores": [
            {"rag_id": "docs", "vector_db_id": "vs_docs", "db_path": "/tmp/d.db"},
            {"rag_id": "kb", "vector_db_id": "vs_kb", "db_path": "/tmp/kb.db"}]}}), "files": {"run.yaml": RUN_YAML}},
        "legacy-library-okp-default-url": {"config": library(rag={"tool": ["okp"]}), "files": {"run.yaml": RUN_YAML}},
        "legacy-library-new-okp": {"config": library(rag={"okp": {"rhokp_url": "http://okp.example.com"},
                                                          "retrieval": {"tool": {"sources": ["okp"]}}}),
                                   "files": {"run.yaml": RUN_YAML}},
        "azure-entra-default-baseline": {"config": unified({}, azure_entra_id={"tenant_id": "t", "client_id": "c",
                                                                               "client_secret": "s"})},
        "inference-openai-on-default": {"config": unified({}, inference={"providers": [
            {"type": "openai", "api_key_env": "MY_OPENAI_KEY"}]})},
        "override-with-anchors": {"text": (
            "name: lsc\nservice: {host: localhost, port: 8080}\nuser_data_collection: {feedback_enabled: false}\n"
            "authentication: {module: noop}\nllama_stack:\n  use_as_library_client: true\n  config:\n"
            "    native_override:\n      storage:\n        backends:\n          a: &kv {type: kv_sqlite, db_path: /tmp/a}\n"
            "          b: *kv\n")},
        "mode-unified-server": {"config": {**server(), "inference": {"providers": PROVIDERS[:1]}}},
        "mode-unified-and-legacy": {"config": library(inference={"providers": PROVIDERS[:1]}),
                                    "files": {"run.yaml": RUN_YAML}},
    }
    for case in cases.values():
        for key, value in case.pop("patch", {}).items():
            case["config"][key].update(value)
    return cases


def corpus_cases(shared: Path) -> dict[str, dict]:
    """The corpus configs, each with the files it names (as the manifest pairs them)."""
    c = shared / "corpus" / "lightspeed-stack"
    run = (c / "run.yaml").read_text(encoding="utf-8")
    return {
        "corpus-azure-entraid-lib": {"text": (c / "examples/lightspeed-stack-azure-entraid-lib.yaml"),
                                     "texts": {"examples/azure-run.yaml": c / "examples/azure-run.yaml"}},
        "corpus-conversation-cache-pg": {"text": c / "examples/lightspeed-stack-conversation-cache-pg.yaml",
                                         "texts": {"run.yaml": run}},
        "corpus-shields": {"text": c / "examples/lightspeed-stack-shields.yaml", "texts": {"run.yaml": run}},
        "corpus-lls-library": {"text": c / "examples/lightspeed-stack-lls-library.yaml", "texts": {"run.yaml": run}},
        "corpus-e2e-library": {"text": c / "tests/e2e/configuration/library-mode/lightspeed-stack.yaml",
                               "texts": {"run.yaml": c / "tests/e2e/configs/run-ci.yaml"}},
        "corpus-root-server": {"text": c / "lightspeed-stack.yaml", "texts": {"run.yaml": run}, "run_yaml": "run.yaml"},
        "corpus-byok-okp-rag": {"text": c / "examples/lightspeed-stack-byok-okp-rag.yaml", "texts": {"run.yaml": run},
                                "run_yaml": "run.yaml"},
    }


def _text(value) -> str:
    return value.read_text(encoding="utf-8") if isinstance(value, Path) else value


def write_inputs(shared: Path) -> list[dict]:
    inputs = OUT / "inputs"
    if inputs.exists():
        shutil.rmtree(inputs)
    index = []
    for case_id, case in sorted(generated().items()):
        d = inputs / case_id
        d.mkdir(parents=True)
        text = case["text"] if "text" in case else yaml.safe_dump(case["config"], sort_keys=False)
        (d / "lightspeed-stack.yaml").write_text(text, encoding="utf-8")
        for name, data in case.get("files", {}).items():
            (d / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        index.append({"id": case_id, "run_yaml": case.get("run_yaml"), "unset": case.get("unset", []),
                      "container_unset": case.get("container_unset", [])})
    for case_id, case in sorted(corpus_cases(shared).items()):
        d = inputs / case_id
        d.mkdir(parents=True)
        (d / "lightspeed-stack.yaml").write_text(_text(case["text"]), encoding="utf-8")
        for name, value in case["texts"].items():
            (d / name).parent.mkdir(parents=True, exist_ok=True)
            (d / name).write_text(_text(value), encoding="utf-8")
        index.append({"id": case_id, "run_yaml": case.get("run_yaml"), "unset": [], "container_unset": []})
    return index


_BARE = re.compile(r"\$\{env\.([A-Za-z0-9_]+)\}")


def case_env(case_dir: Path, unset: list[str]) -> dict[str, str]:
    env = dict(BASE_ENV)
    for name in sorted(set(_BARE.findall((case_dir / "lightspeed-stack.yaml").read_text(encoding="utf-8")))):
        env.setdefault(name, f"placeholder-{name.lower()}")
    for name in unset:
        env.pop(name, None)
    return env


# The file LCORE writes: the release's own synthesize_to_file (the oracle's `synthesize`
# prints a plain PyYAML dump, not LCORE's indented file).
SYNTHESIZE_TO_FILE = """
import os, sys, tempfile, yaml
common, src, cfg = sys.argv[1:4]
sys.path.insert(0, common)
import oracle_impl
L = oracle_impl._setup(src)
with open(cfg, encoding="utf-8") as fh:
    data = yaml.safe_load(fh)
with tempfile.TemporaryDirectory() as t:
    L.synthesize_to_file(data, t + "/run.yaml", os.path.dirname(os.path.abspath(cfg)))
    print(open(t + "/run.yaml", encoding="utf-8").read(), end="")
"""


def run(python: str, script: Path, args: list[str], cwd: Path, env: dict) -> tuple[int, str, str]:
    full = {"PATH": os.environ.get("PATH", ""), **env}
    if args and args[0] == "synthesize":
        oracle = script.parent
        command = [python, "-c", SYNTHESIZE_TO_FILE, str(oracle.parent / "common"), str(oracle / "src"), args[1]]
    else:
        command = [python, str(script), *args]
    p = subprocess.run(command, cwd=cwd, env=full, capture_output=True, text=True, check=False, timeout=120)
    return p.returncode, p.stdout, p.stderr


def expected(python: str, shared: Path, index: list[dict]) -> dict:
    figures = {}
    for release, folder in RELEASES.items():
        oracle_dir = shared / "lcore-versions" / folder
        out = OUT / release
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        counts = {"configs": 0, "accepted": 0, "run_yaml": 0}
        for case in index:
            d = OUT / "inputs" / case["id"]
            env = case_env(d, case["unset"])
            code, stdout, _ = run(python, oracle_dir / "mode.py", ["lightspeed-stack.yaml"], d, env)
            verdict: dict = {"env": env}
            counts["configs"] += 1
            if code != 0:
                verdict["rejected"] = stdout.strip().removeprefix("ERROR ").strip()
            else:
                mode = stdout.strip()
                verdict["mode"] = mode
                counts["accepted"] += 1
                cmd = None
                if mode == "unified":
                    data = yaml.safe_load((d / "lightspeed-stack.yaml").read_text(encoding="utf-8"))
                    ls = data.get("ogx", data.get("llama_stack")) or {}
                    if ls.get("use_as_library_client"):
                        cmd = ["synthesize", "lightspeed-stack.yaml"]
                elif mode == "legacy-library":
                    data = yaml.safe_load((d / "lightspeed-stack.yaml").read_text(encoding="utf-8"))
                    cmd = ["legacy-lib", "lightspeed-stack.yaml", data["llama_stack"]["library_client_config_path"]]
                elif mode == "legacy-server" and case["run_yaml"]:
                    cmd = ["legacy", "lightspeed-stack.yaml", case["run_yaml"]]
                if cmd is not None:
                    # the server container's environment may lack what LCORE's has
                    container = {k: v for k, v in env.items() if k not in case["container_unset"]}
                    if container != env:
                        verdict["container_env"] = container
                    rc, text, err = run(python, oracle_dir / "oracle.py", cmd, d, container)
                    verdict["command"] = cmd[0]
                    if rc in (0, 3):
                        (out / f"{case['id']}.run.yaml").write_text(text, encoding="utf-8")
                        counts["run_yaml"] += 1
                        if rc == 3:
                            verdict["fallback"] = err.strip().splitlines()[0]
                    else:
                        verdict["failed"] = (text + err).strip().splitlines()[-1] if (text + err).strip() else str(rc)
            (out / f"{case['id']}.json").write_text(json.dumps(verdict, indent=1, sort_keys=True) + "\n",
                                                    encoding="utf-8")
        figures[release] = counts
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="/work/shared", type=Path)
    args = parser.parse_args()
    index = write_inputs(args.shared)
    (OUT / "cases.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    figures = expected(sys.executable, args.shared, index)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
