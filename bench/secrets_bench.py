"""Throughput of the secrets scanner on realistic YAML.

    python bench/secrets_bench.py [--mb 4] [--repeat 3]

Builds run.yaml-shaped files from the shipped distribution configs in the test corpus (many
providers, env references, a few literal secrets), then prints MB/s for:

- read and tokenize only (PyYAML's C scanner over the text: the floor for any YAML tool),
- parse (lsc-tui's located Document: compose with positions),
- scan only (the secrets detector over parsed documents: what the editor adds per edit),
- parse + scan (what `lsc-tui secrets scan` does per file).
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lsc_tui.config.secrets import scan_document  # noqa: E402
from lsc_tui.config.yaml.document import parse_text  # noqa: E402

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

CORPUS = ROOT / "tests" / "fixtures" / "corpus"


def _rnd(n: int, rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def build_files(target_mb: float, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    sources = [p.read_text() for p in sorted(CORPUS.rglob("*.yaml")) if p.stat().st_size > 4000]
    sources = [s for s in sources if isinstance(yaml.load(s, Loader=Loader), dict)]
    files, size = [], 0
    while size < target_mb * 1024 * 1024:
        chunks, fsize = [], 0
        i = 0
        while fsize < 512 * 1024:  # ~0.5 MB per file, well under the 5 MB reader limit
            src = rng.choice(sources)
            # each copy becomes one top-level key, indented, with a literal secret now and then
            body = "".join("  " + line + "\n" if line.strip() else "\n" for line in src.splitlines())
            extra = ""
            if rng.random() < 0.3:
                extra = f"  planted:\n    password: {_rnd(16, rng)}\n    url: postgresql://u:{_rnd(12, rng)}@db/x\n"
            chunk = f"copy_{i}:\n{body}{extra}"
            chunks.append(chunk)
            fsize += len(chunk)
            i += 1
        text = "".join(chunks)
        files.append(text)
        size += len(text.encode())
    return files


def measure(fn, files, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for f in files:
            fn(f)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=4.0, help="megabytes of YAML to scan (default 4)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = ap.parse_args()
    files = build_files(args.mb)
    mb = sum(len(f.encode()) for f in files) / (1024 * 1024)
    docs = [parse_text(f, f"bench{i}.yaml") for i, f in enumerate(files)]
    n_findings = sum(len(scan_document(d)) for d in docs)

    def tokenize(text):
        for _ in yaml.scan(text, Loader=Loader):
            pass

    rows = [
        ("read and tokenize only", measure(tokenize, files, args.repeat)),
        ("parse (located Document)", measure(lambda t: parse_text(t), files, args.repeat)),
        ("scan only (detector on parsed documents)", measure(scan_document, docs, args.repeat)),
        ("parse + scan", measure(lambda t: scan_document(parse_text(t)), files, args.repeat)),
    ]
    print(f"{mb:.2f} MB of YAML in {len(files)} files, {n_findings} findings")
    for label, secs in rows:
        print(f"  {label:<42} {mb / secs:8.2f} MB/s  ({secs * 1000:7.1f} ms)")
    # what one edit costs in the editor: a real config of the corpus, parsed and scanned
    biggest = max(CORPUS.rglob("*.yaml"), key=lambda p: p.stat().st_size)
    text = biggest.read_text()
    doc = parse_text(text)
    per_edit = measure(scan_document, [doc] * 20, args.repeat) / 20
    print(f"  one {len(text) / 1024:.0f} KB config ({biggest.name}): scan {per_edit * 1000:.2f} ms per rescan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
