#!/usr/bin/env python3
"""Benchmark: preflight wall time for 10 providers against the same imports in a bare interpreter.

    python bench/preflight_bench.py [--python PY] [--runs N] [--synthetic]

With the cached Llama Stack 0.2.12 environment that the integration test builds
(``${LSC_TUI_TEST_CACHE:-~/.cache/lsc-tui}/llama-stack-0.2.12``) it checks 10 real providers:
ramalama-stack (external, from external_providers_dir) and 9 built-ins. Without it (or with
``--synthetic``) it generates 10 provider packages whose imports are standard-library modules.

Figures (medians over --runs, after one warm-up run):
  preflight   ``llama-stack-preflight --json`` as a user runs it, process start to exit
  bare        ``PY -B -c "import <every module preflight imported>"``, process start to exit
  overhead    (preflight - bare) / bare
Targets: preflight under 3 s on the project machine, overhead under 50 %. The load average is
printed because other work on a 2-core machine changes every figure.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REAL_PROVIDERS = [
    ("inference", "ramalama", "remote::ramalama"),
    ("inference", "ollama", "remote::ollama"),
    ("inference", "vllm", "remote::vllm"),
    ("inference", "openai", "remote::openai"),
    ("inference", "together", "remote::together"),
    ("inference", "fireworks", "remote::fireworks"),
    ("inference", "nvidia", "remote::nvidia"),
    ("safety", "llama-guard", "inline::llama-guard"),
    ("vector_io", "faiss", "inline::faiss"),
    ("tool_runtime", "brave-search", "remote::brave-search"),
]

SYNTH_IMPORTS = ["asyncio", "email.mime.multipart", "http.client", "xml.dom.minidom", "decimal",
                 "sqlite3", "json", "csv", "zipfile", "logging.handlers", "urllib.request",
                 "concurrent.futures", "dataclasses", "ssl", "tarfile", "unittest.mock",
                 "argparse", "statistics", "pydoc", "difflib"]


def cached_env() -> Path | None:
    cache = Path(os.environ.get("LSC_TUI_TEST_CACHE") or "~/.cache/lsc-tui").expanduser()
    env = cache / "llama-stack-0.2.12"
    if (env / ".lsc-tui-ready").exists() and (env / "bin" / "python").exists():
        return env
    return None


def real_setup(env: Path, work: Path) -> tuple[str, Path, dict]:
    site = next((env / "lib").glob("python3.*/site-packages"))
    lines = ["version: '2'", "image_name: bench",
             f"external_providers_dir: {site / 'ramalama_stack' / 'providers.d'}", "providers:"]
    by_api: dict[str, list] = {}
    for api, pid, ptype in REAL_PROVIDERS:
        by_api.setdefault(api, []).append((pid, ptype))
    for api, entries in by_api.items():
        lines.append(f"  {api}:")
        for pid, ptype in entries:
            lines += [f"  - provider_id: {pid}", f"    provider_type: {ptype}", "    config: {}"]
    run_yaml = work / "run.yaml"
    run_yaml.write_text("\n".join(lines) + "\n")
    return str(env / "bin" / "python"), run_yaml, {}


def synthetic_setup(python: str, work: Path) -> tuple[str, Path, dict]:
    site = work / "site"
    lines = ["version: '2'", "providers:", "  inference:"]
    for i in range(10):
        pkg = site / f"bench_provider_{i}"
        pkg.mkdir(parents=True)
        mods = SYNTH_IMPORTS[(2 * i) % len(SYNTH_IMPORTS):][:2]
        (pkg / "__init__.py").write_text(
            "".join(f"import {m}\n" for m in mods) + "async def get_adapter_impl(config, deps):\n    return None\n")
        (pkg / "config.py").write_text("class Config:\n    def __init__(self, **kw):\n        pass\n")
        (pkg / "provider.py").write_text(textwrap.dedent(f"""
            class Spec:
                api = "inference"
                provider_type = "remote::bench-{i}"
                config_class = "bench_provider_{i}.config.Config"
                module = "bench_provider_{i}"

            def get_provider_spec():
                return Spec()
            """))
        lines += [f"  - provider_id: bench-{i}", f"    provider_type: remote::bench-{i}",
                  f"    module: bench_provider_{i}", "    config: {}"]
    run_yaml = work / "run.yaml"
    run_yaml.write_text("\n".join(lines) + "\n")
    return python, run_yaml, {"PYTHONPATH": str(site)}


_LAST_CPU = [0.0]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    """Wall time of one process; its CPU time (with the probes it waited for) in _LAST_CPU."""
    c0 = _children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    _LAST_CPU[0] = _children_cpu() - c0
    return wall, p


def imported_modules(events: list[dict]) -> list[str]:
    """The modules preflight imported, in order: provider module, implementation, config."""
    mods: list[str] = []
    for e in events:
        if e.get("event") != "result" or e.get("status") == "skipped":
            continue
        spec = e.get("spec") or {}
        if e.get("source") == "module":
            mods.append(e["module"] + ".provider")
        elif e.get("source") == "builtin":
            mods.append(f"llama_stack.providers.registry.{e['api']}")
        if spec.get("module"):
            mods.append(spec["module"])
        if spec.get("config_class") and "." in spec["config_class"]:
            mods.append(spec["config_class"].rsplit(".", 1)[0])
    seen = []
    for m in mods:
        if m not in seen:
            seen.append(m)
    return seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", help="target interpreter (synthetic mode; default: this one)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--synthetic", action="store_true", help="generated providers even if the env exists")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="lsc-preflight-bench-") as tmp:
        work = Path(tmp)
        env_dir = None if args.synthetic else cached_env()
        if env_dir is not None:
            python, run_yaml, extra = real_setup(env_dir, work)
            mode = f"real: Llama Stack 0.2.12 env {env_dir}"
        else:
            python, run_yaml, extra = synthetic_setup(args.python or sys.executable, work)
            mode = "synthetic: 10 generated providers importing standard-library modules"
        env = dict(os.environ, **extra)
        # lsc-tui itself runs from its bytecode, as it does when pip-installed (the probe
        # never writes any: it runs with -B whatever this says).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cmd = [sys.executable, "-m", "lsc_tui.preflight.cli", "--run-yaml", str(run_yaml),
               "--python", python, "--json", "--timeout", "60"]

        _, first = timed(cmd, env)  # warm-up (disk cache)
        events = [json.loads(line) for line in first.stdout.splitlines() if line.strip()]
        summary = events[-1] if events else {}
        if summary.get("exit_code") != 0:
            print(first.stdout[-3000:], first.stderr[-3000:], sep="\n")
            print("preflight did not pass on the benchmark config; figures would mean nothing")
            return 1
        mods = imported_modules(events)
        bare_cmd = [python, "-B", "-c", "import warnings; warnings.simplefilter('ignore')\n"
                    + "\n".join(f"import {m}" for m in mods)]
        startup_cmd = [python, "-B", "-c", "pass"]
        timed(bare_cmd, env)

        pre, bare, start, phases = [], [], [], {}
        pre_cpu, bare_cpu = [], []
        for _ in range(args.runs):
            t, p = timed(cmd, env)
            pre.append(t)
            pre_cpu.append(_LAST_CPU[0])
            for e in (json.loads(line) for line in p.stdout.splitlines() if line.strip()):
                if e.get("event") == "result":
                    for k, v in (e.get("timings") or {}).items():
                        phases.setdefault(k, []).append(v)
            t, p = timed(bare_cmd, env)
            if p.returncode != 0:
                print(p.stderr[-2000:])
                return 1
            bare.append(t)
            bare_cpu.append(_LAST_CPU[0])
            start.append(timed(startup_cmd, env)[0])

        med_pre, med_bare, med_start = (statistics.median(x) for x in (pre, bare, start))
        overhead = (med_pre - med_bare) / med_bare
        runs = args.runs
        print(f"mode:             {mode}")
        print(f"providers:        {summary.get('total')} ({summary.get('passed')} passed)")
        print(f"modules imported: {len(mods)}")
        print(f"load average:     {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"preflight wall:   {med_pre:.3f} s (median of {runs}; min {min(pre):.3f}, max {max(pre):.3f})")
        print(f"bare imports:     {med_bare:.3f} s (median of {runs}; interpreter start alone {med_start:.3f} s)")
        print(f"overhead:         {med_pre - med_bare:+.3f} s = {overhead:+.1%} of the bare imports")
        cpu_pre, cpu_bare = statistics.median(pre_cpu), statistics.median(bare_cpu)
        print(f"preflight CPU:    {cpu_pre:.3f} s (median of {runs}; min {min(pre_cpu):.3f}, max {max(pre_cpu):.3f})")
        print(f"bare imports CPU: {cpu_bare:.3f} s (median of {runs}; min {min(bare_cpu):.3f}, max {max(bare_cpu):.3f})")
        print(f"CPU ratio:        {cpu_pre / cpu_bare:.2f}x the bare imports (the overhead measure: "
              "wall time on a shared machine can even come out negative)")
        per_run = {k: sum(v) / runs for k, v in phases.items()}
        print("phase totals per run (s): " + ", ".join(f"{k} {v:.3f}" for k, v in per_run.items()))
        print(f"target total < 3 s:      {'met' if med_pre < 3 else 'NOT met'}")
        print(f"target overhead < 50 % (CPU): {'met' if cpu_pre / cpu_bare < 1.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
