"""Benchmark: one edit, then synthesis and diff, as the editor does on every keystroke.

Generates a realistic unified workspace whose profile is a run.yaml of about N lines
(providers for every API, storage, registered models and vector stores), plus a
lightspeed-stack.yaml with high-level inference providers, BYOK stores, OKP and a
native_override. Each iteration applies one edit to the config (a new value at one path,
copied along that path only, as an edit operation does), synthesizes, dumps the run.yaml as
LCORE writes it, and diffs it (text and structure) against the previous synthesis.

    python bench/synthesis_bench.py            # 1,000 and 10,000 lines
    python bench/synthesis_bench.py --lines 1000 --runs 300

Prints median and p95 per stage and for the whole keystroke. Not a test: timings vary by
machine; the target is p95 <= 16 ms (one frame at 60 Hz) at 1,000 lines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lsc_tui.config.diff import structural_diff, unified_diff  # noqa: E402
from lsc_tui.config.synthesis.emit import dump_run_yaml  # noqa: E402
from lsc_tui.config.synthesis.unified import synthesize_unified  # noqa: E402
from lsc_tui.config.yaml.edit import path_copy_set  # noqa: E402  (the editor's copy-along-the-path edit)


def make_profile(lines: int) -> dict:
    """A run.yaml-shaped dict of roughly ``lines`` lines when dumped."""
    profile: dict = {
        "version": 2,
        "distro_name": "bench",
        "external_providers_dir": "${env.EXTERNAL_PROVIDERS_DIR:=~/.llama/providers.d}",
        "apis": ["agents", "batches", "files", "inference", "safety", "tool_runtime", "vector_io", "responses"],
        "server": {"port": 8321},
        "providers": {
            "inference": [],
            "vector_io": [],
            "tool_runtime": [{"provider_id": "file-search", "provider_type": "inline::file-search", "config": {}}],
            "files": [{"provider_id": "localfs", "provider_type": "inline::localfs", "config": {
                "storage_dir": "${env.FILES_DIR:=~/.llama/files}",
                "metadata_store": {"backend": "sql_default", "table_name": "files_metadata"}}}],
            "safety": [{"provider_id": "llama-guard", "provider_type": "inline::llama-guard",
                        "config": {"excluded_categories": []}}],
        },
        "storage": {"backends": {
            "kv_default": {"type": "kv_sqlite", "db_path": "${env.KV_STORE_PATH:=~/.llama/kv.db}"},
            "sql_default": {"type": "sql_sqlite", "db_path": "${env.SQL_STORE_PATH:=~/.llama/sql.db}"}},
            "stores": {"metadata": {"namespace": "registry", "backend": "kv_default"},
                       "inference": {"table_name": "inference_store", "backend": "sql_default"}}},
        "registered_resources": {"models": [], "vector_stores": [], "shields": []},
        "vector_stores": {"default_provider_id": "faiss",
                          "default_embedding_model": {"provider_id": "sentence-transformers",
                                                      "model_id": "all-mpnet-base-v2"}},
    }
    n = 0
    while True:
        text = dump_run_yaml(profile)
        if text.count("\n") >= lines:
            return profile
        for _ in range(max(1, (lines - text.count("\n")) // 40)):
            n += 1
            profile["providers"]["inference"].append({
                "provider_id": f"vllm-{n}", "provider_type": "remote::vllm",
                "config": {"url": f"http://vllm-{n}.svc:8000/v1", "api_token": f"${{env.VLLM_{n}_TOKEN}}",
                           "tls_verify": n % 2 == 0, "max_tokens": 4096}})
            profile["providers"]["vector_io"].append({
                "provider_id": f"faiss-{n}", "provider_type": "inline::faiss",
                "config": {"persistence": {"namespace": f"vector_io::faiss-{n}", "backend": "kv_default"}}})
            for m in range(3):
                profile["registered_resources"]["models"].append({
                    "model_id": f"model-{n}-{m}", "model_type": "llm", "provider_id": f"vllm-{n}",
                    "provider_model_id": f"org/model-{n}-{m}", "metadata": {"context_length": 8192}})
            profile["registered_resources"]["vector_stores"].append({
                "vector_store_id": f"vs-{n}", "provider_id": f"faiss-{n}",
                "embedding_model": "sentence-transformers/all-mpnet-base-v2", "embedding_dimension": 768})


def make_config() -> dict:
    return {
        "name": "bench",
        "service": {"host": "0.0.0.0", "port": 8080},
        "llama_stack": {"use_as_library_client": True, "config": {
            "profile": "run.yaml",
            "native_override": {"safety": {"default_shield_id": "llama-guard"}, "server": {"port": 8321}}}},
        "user_data_collection": {"feedback_enabled": False, "transcripts_enabled": False},
        "inference": {"default_provider": "openai", "default_model": "gpt-4o-mini", "providers": [
            {"type": "openai", "api_key_env": "OPENAI_API_KEY", "allowed_models": ["gpt-4o-mini"]},
            {"type": "vllm", "id": "vllm-edit", "api_key_env": "VLLM_KEY", "extra": {"url": "http://v:8000/v1"}},
        ]},
        "rag": {"byok": {"stores": [{"rag_id": "docs", "vector_db_id": "vs_docs", "db_path": "/data/docs.db"}]},
                "retrieval": {"inline": {"sources": ["docs", "okp"]}}},
    }


def edit(config: dict, n: int) -> dict:
    """Set inference.providers[1].extra.url, copying only the containers along the path (as the
    editor's keystroke path does)."""
    return path_copy_set(config, ("inference", "providers", 1, "extra", "url"), f"http://v{n}:8000/v1")


def edit_profile(profile: dict, n: int) -> dict:
    """Set providers.inference[0].config.url in the run.yaml itself (copied along the path)."""
    return path_copy_set(profile, ("providers", "inference", 0, "config", "url"), f"http://edited-{n}:8000/v1")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench(lines: int, runs: int, target: str = "config") -> None:
    state = {"profile": make_profile(lines)}
    config = make_config()

    def synth(cfg):
        return synthesize_unified(cfg, Path("."), config_file="lightspeed-stack.yaml",
                                  profile=state["profile"], profile_file="run.yaml")

    previous = synth(config)
    prev_text, prev_data = previous.text, previous.data
    stages: dict[str, list[float]] = {k: [] for k in ("edit", "synthesize", "dump", "text diff",
                                                       "structural diff", "keystroke", "keystroke cpu",
                                                       "origins")}
    for n in range(runs + 10):
        c0 = time.process_time()
        t0 = time.perf_counter()
        if target == "config":
            config = edit(config, n)
        else:
            state["profile"] = edit_profile(state["profile"], n)
        t1 = time.perf_counter()
        result = synth(config)
        t2 = time.perf_counter()
        text = result.text
        t3 = time.perf_counter()
        diff = unified_diff(prev_text, text, old_label="previous", new_label="synthesized run.yaml")
        t4 = time.perf_counter()
        changes = structural_diff(prev_data, result.data)
        t5 = time.perf_counter()
        c5 = time.process_time()
        _text, origins = result.text_and_line_origins()
        t6 = time.perf_counter()
        assert diff and len(changes) == 1 and len(origins) == text.count("\n")
        prev_text, prev_data = text, result.data
        if n < 10:
            continue  # warm-up
        for key, value in (("edit", t1 - t0), ("synthesize", t2 - t1), ("dump", t3 - t2),
                           ("text diff", t4 - t3), ("structural diff", t5 - t4),
                           ("keystroke", t5 - t0), ("keystroke cpu", c5 - c0), ("origins", t6 - t5)):
            stages[key].append(value * 1000)
    size = text.count("\n")
    print(f"\nrun.yaml of {size} lines (profile {dump_run_yaml(state['profile']).count(chr(10))} lines), "
          f"{runs} runs, editing the {'lightspeed-stack.yaml' if target == 'config' else 'profile run.yaml'}")
    print(f"{'stage':<18}{'median ms':>10}{'p95 ms':>10}")
    for key, values in stages.items():
        note = "  (edit+synthesize+dump+diffs, wall)" if key == "keystroke" else "  (same, CPU time of this process)" if key == "keystroke cpu" else (
            "  (on demand: --explain, jump to source)" if key == "origins" else "")
        print(f"{key:<18}{statistics.median(values):>10.2f}{pct(values, 0.95):>10.2f}{note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, action="append", help="run.yaml size (repeatable)")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--edit", choices=("config", "profile", "both"), default="both",
                        help="which file the simulated keystroke edits")
    args = parser.parse_args()
    targets = ("config", "profile") if args.edit == "both" else (args.edit,)
    for lines in args.lines or [1000, 10000]:
        for target in targets:
            bench(lines, args.runs if lines <= 2000 else max(30, args.runs // 4), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
