"""The headless commands on large inputs: CPU time and peak memory of each command's process,
next to a bare C-loader process on the same files.

    python bench/commands_bench.py                    # 1,000, 10,000 and 50,000 lines
    python bench/commands_bench.py --lines 10000 --runs 5

Each command runs as its own process (`python -m lsc_tui ...`, bytecode compiled first, as an
installed package has it), and the runs of the commands and of the references are interleaved
(one of each in turn), so drift on a shared machine moves them alike. CPU time (user + system of
the process, from wait4) is the figure: wall time on a shared machine measures the neighbours.

- ``synthesize -o``: the reference is a process that loads run.yaml and the config with PyYAML's
  C loader, merges them, dumps the result with the C dumper and writes it (the libyaml floor of
  load, merge, dump, write).
- ``validate`` and ``secrets scan``: the reference loads both files with the C loader.
- ``diff --against``: a baseline with a value changed on every provider, and one with changes
  scattered over the file (every 40th provider changed, a few removed and added).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from inputs import make_workspace  # noqa: E402

REF_LOAD = """
import sys, yaml
L = yaml.CSafeLoader
run = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=L)
cfg = yaml.load(open(sys.argv[2], encoding="utf-8"), Loader=L)
"""
REF_SYNTH = REF_LOAD + """
merged = dict(run)
merged.update({k: v for k, v in cfg.items() if k not in run})
with open(sys.argv[3], "w", encoding="utf-8") as f:
    f.write(yaml.dump(merged, Dumper=yaml.CSafeDumper, default_flow_style=False))
"""


@dataclass
class Run:
    cpu_s: float
    rss_mb: float


# The command runs as the child of a small launcher that reports the child's own CPU time and
# peak memory. (Started straight from this process, a child's peak would include this process's
# size: the kernel counts the memory a process had before exec, and a child starts as a copy.)
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {ru.ru_utime + ru.ru_stime} {ru.ru_maxrss}")
"""


def run_process(argv: list[str], ok=(0, 1)) -> Run:
    """CPU time and peak resident memory of one process (its own, from wait4)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    with tempfile.NamedTemporaryFile("r", prefix="lsc-tui-bench-", suffix=".txt") as report:
        proc = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, report.name, *argv],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        fields = report.read().split()
    err = proc.stderr.decode(errors="replace")
    if len(fields) != 3 or int(fields[0]) not in ok:
        raise RuntimeError(f"{' '.join(argv[:4])}... exited {fields[:1] or proc.returncode}: {err[-500:]}")
    return Run(float(fields[1]), int(fields[2]) / 1024)


def compile_package() -> None:
    import compileall

    compileall.compile_dir(str(ROOT / "lsc_tui"), quiet=1)


def make_inputs(root: Path, lines: int) -> dict:
    """The workspace, the synthesized run.yaml, and the two diff baselines."""
    import yaml

    from lsc_tui.config.synthesis.emit import dump_run_yaml

    cfg = make_workspace(root, lines)
    base = root / "synthesized.yaml"
    run_process([sys.executable, "-m", "lsc_tui", "synthesize", str(cfg), "-o", str(base)], ok=(0,))
    data = yaml.load(base.read_text(), Loader=yaml.CSafeLoader)

    every = yaml.load(base.read_text(), Loader=yaml.CSafeLoader)
    n = 0
    for providers in every["providers"].values():
        for p in providers:
            conf = p.setdefault("config", {})
            if isinstance(conf, dict):
                conf["timeout"] = 30 + n  # a value changed (added) on every provider
            n += 1
    (root / "against-every.yaml").write_text(dump_run_yaml(every))

    scattered = yaml.load(base.read_text(), Loader=yaml.CSafeLoader)
    n = 0
    for api, providers in scattered["providers"].items():
        kept = []
        for p in providers:
            n += 1
            if n % 40 == 0 and isinstance(p.get("config"), dict):
                p["config"]["tls_verify"] = False
            if n % 97 == 0:
                continue  # removed in the baseline: the synthesis adds it
            kept.append(p)
            if n % 113 == 0:
                kept.append({"provider_id": f"extra-{n}", "provider_type": "remote::vllm",
                             "config": {"url": f"http://extra-{n}:8000/v1"}})
        scattered["providers"][api] = kept
    (root / "against-scattered.yaml").write_text(dump_run_yaml(scattered))
    return {"cfg": cfg, "run": root / "run.yaml", "out": root / "out.yaml", "lines": len(dump_run_yaml(data).splitlines())}


def commands(inp: dict) -> dict[str, list[str]]:
    py, cfg = sys.executable, str(inp["cfg"])
    return {
        "synthesize -o": [py, "-m", "lsc_tui", "synthesize", cfg, "-o", str(inp["out"])],
        "validate": [py, "-m", "lsc_tui", "validate", cfg],
        "secrets scan": [py, "-m", "lsc_tui", "secrets", "scan", cfg],
        "diff, every provider changed": [py, "-m", "lsc_tui", "diff", cfg, "--against",
                                         str(inp["cfg"].parent / "against-every.yaml")],
        "diff, scattered changes": [py, "-m", "lsc_tui", "diff", cfg, "--against",
                                    str(inp["cfg"].parent / "against-scattered.yaml")],
        "C loader: load": [py, "-c", REF_LOAD, str(inp["run"]), cfg],
        "C loader: load, merge, dump, write": [py, "-c", REF_SYNTH, str(inp["run"]), cfg,
                                               str(inp["cfg"].parent / "ref-out.yaml")],
    }


def measure(lines: int, runs: int, tmp: Path) -> tuple[dict[str, list[Run]], int]:
    """Interleaved runs of every command and reference at one size."""
    inp = make_inputs(tmp / f"c{lines}", lines)
    cmds = commands(inp)
    out: dict[str, list[Run]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            out[name].append(run_process(argv))
    return out, inp["lines"]


def growth(points: dict[int, float]) -> float:
    xs = sorted(points)
    lx = [math.log(x) for x in xs]
    ly = [math.log(points[x]) for x in xs]
    mx, my = statistics.mean(lx), statistics.mean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, action="append", help="run.yaml size (repeatable)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    compile_package()
    sizes = args.lines or [1000, 10000, 50000]
    medians: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="lsc-tui-cmd-") as t:
        for lines in sizes:
            runs, actual = measure(lines, args.runs, Path(t))
            print(f"\n{actual:,}-line run.yaml, {args.runs} interleaved runs (CPU ms, median; peak RSS MB)")
            for name, rs in runs.items():
                cpu = statistics.median(r.cpu_s for r in rs) * 1000
                medians.setdefault(name, {})[lines] = cpu
                print(f"  {name:38} {cpu:9.1f} ms  {max(r.rss_mb for r in rs):7.1f} MB")
    if len(sizes) > 1:
        print("\ngrowth exponent (log-log slope of CPU time over the sizes)")
        for name, pts in medians.items():
            print(f"  {name:38} {growth(pts):5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
