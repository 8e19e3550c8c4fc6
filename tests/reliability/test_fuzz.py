"""Every entry point survives damaged input: exit 0, 1 or 2, a located message, no traceback.

CI budget: at least 2,000 generated inputs (seeded, so a failure is reproducible from the
printed seed). `pytest tests/reliability --fuzz-long` runs 25 times more.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
import sys
import zlib
from pathlib import Path

import pytest

from lsc_tui import cli

sys.path.insert(0, str(Path(__file__).parent))
from fuzz_mutations import mutate  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPUS = FIXTURES / "corpus"
SEEDS_LCS = [
    CORPUS / "lightspeed-stack/examples/lightspeed-stack-conversation-cache-pg.yaml",
    CORPUS / "lightspeed-stack/examples/lightspeed-stack-byok-okp-rag.yaml",
    CORPUS / "lightspeed-stack/examples/lightspeed-stack-lls-library.yaml",
    CORPUS / "lightspeed-stack/tests/e2e/configuration/library-mode/lightspeed-stack.yaml",
    CORPUS / "lightspeed-stack/lightspeed-stack.yaml",
]
SEEDS_RUN = [
    CORPUS / "lightspeed-stack/run.yaml",
    CORPUS / "lightspeed-stack/examples/azure-run.yaml",
    CORPUS / "lightspeed-stack/src/data/default_run.yaml",
    CORPUS / "llama-stack/llama_stack/distributions/starter/run.yaml",
]
SEEDS_CR = sorted((CORPUS / "llama-stack-k8s-operator/config/samples").glob("*.yaml"))

PER_INPUT_SECONDS = 20


def _argv_for(command: str, ws: Path) -> list[list[str]] | None:
    cfg, run = str(ws / "lightspeed-stack.yaml"), str(ws / "run.yaml")
    table = {
        "validate": [["validate", cfg], ["validate", "--json", run]],
        "synthesize": [["synthesize", cfg, "-o", "-"]],
        "diff": [["diff", cfg]],
        "migrate": [["migrate", cfg]],
        "secrets": [["secrets", "scan", cfg, run], ["secrets", "fix", cfg]],
        "expand": [["expand", str(ws / "cr.yaml")]],
        "merge-external": [["merge-external", "--run-yaml", run, "--extra-providers", str(ws / "extra.yaml")]],
    }
    return table.get(command)


def _commands() -> list[str]:
    return ["validate", "synthesize", "diff", "migrate", "secrets", "expand", "merge-external"]


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _run(argv: list[str], cwd: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(PER_INPUT_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        signal.alarm(0)
        os.chdir(old)
    return code, out.getvalue() + err.getvalue()


def _budget(request, base: int) -> int:
    return base * (25 if request.config.getoption("--fuzz-long") else 1)


@pytest.fixture(autouse=True)
def _debug(monkeypatch, tmp_path):
    # an internal error must fail the test, not be turned into a polite message
    monkeypatch.setenv("LSC_TUI_DEBUG", "1")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def _workspace(tmp_path: Path, rnd: random.Random, target: str) -> tuple[Path, str]:
    ws = tmp_path / f"w{rnd.randrange(1 << 30)}"
    ws.mkdir()
    lcs = rnd.choice(SEEDS_LCS).read_bytes().replace(b"library_client_config_path: run.yaml",
                                                     b"library_client_config_path: run.yaml")
    run = rnd.choice(SEEDS_RUN).read_bytes()
    cr = rnd.choice(SEEDS_CR).read_bytes() if SEEDS_CR else b"{}\n"
    extra = (b"apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\nexternal_providers:\n"
             b"  inference:\n  - provider_id: x\n    provider_type: remote::x\n    module: x_pkg\n")
    files = {"lightspeed-stack.yaml": lcs, "run.yaml": run, "cr.yaml": cr, "extra.yaml": extra}
    name, files[target] = mutate(files[target], rnd)
    for fname, raw in files.items():
        (ws / fname).write_bytes(raw)
    return ws, name


def _reads(target: str, command: str) -> bool:
    return {"cr.yaml": command == "expand", "extra.yaml": command == "merge-external"}.get(target, True)


@pytest.mark.parametrize("target", ["lightspeed-stack.yaml", "run.yaml", "cr.yaml", "extra.yaml"])
def test_fuzz_entry_points(tmp_path, request, target):
    commands = [c for c in _commands() if _reads(target, c)]
    if not commands:
        pytest.skip(f"no entry point reads {target} yet")
    seed = int(os.environ.get("LSC_TUI_FUZZ_SEED", "20261125")) + zlib.crc32(target.encode()) % 1000
    rnd = random.Random(seed)
    budget = _budget(request, 500)
    tried = 0
    for i in range(budget):
        ws, mutation = _workspace(tmp_path, rnd, target)
        # each input goes through one entry point, in turn
        variants = [argv for c in commands for argv in (_argv_for(c, ws) or [])]
        argv = variants[i % len(variants)]
        try:
            code, output = _run(argv, ws)
        except _Timeout:
            pytest.fail(f"seed {seed} input {i} ({mutation}): `lsc-tui {' '.join(argv)}` took more than "
                        f"{PER_INPUT_SECONDS} s")
        except Exception as exc:  # noqa: BLE001 - any escape is the failure we look for
            keep = tmp_path / "crash"
            shutil.copytree(ws, keep, dirs_exist_ok=True)
            pytest.fail(f"seed {seed} input {i} ({mutation}): `lsc-tui {' '.join(argv)}` raised "
                        f"{type(exc).__name__}: {exc!s:.300}; input kept in {keep}")
        assert code in (0, 1, 2), f"{argv} exited {code} on {mutation}"
        assert "Traceback" not in output
        tried += 1
        shutil.rmtree(ws)
    print(f"fuzz {target}: {tried} inputs, seed {seed}")


# -- every reader, with a hostile file in its place ------------------------------------------------

_EXTRA = (b"apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\nproviders:\n"
          b"  inference:\n  - provider_id: x\n    provider_type: remote::x\n    module: x_pkg\n")
_CR_EXT = (b"apiVersion: llamastack.io/v1alpha2\nkind: LlamaStackDistribution\nmetadata:\n  name: s\nspec:\n"
           b"  distribution:\n    name: starter\n  externalProviders:\n    inference:\n"
           b"    - providerId: x\n      image: quay.io/x/x:1\n")
_BOMB = b"a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + b"".join(
    b"%c: &%c [" % (n, n) + b",".join([b"*%c" % p] * 9) + b"]\n" for p, n in zip(b"abcdefgh", b"bcdefghi"))

# reader -> (the file it reads, relative to the workspace; the argv that reads it)
READERS = {
    "config": ("lightspeed-stack.yaml", ["validate", "lightspeed-stack.yaml"]),
    "referenced run.yaml": ("run.yaml", ["synthesize", "lightspeed-stack.yaml", "-o", "-"]),
    "run.yaml given": ("r.yaml", ["validate", "r.yaml"]),
    "secrets scan": ("lightspeed-stack.yaml", ["secrets", "scan", "lightspeed-stack.yaml"]),
    "diff --against": ("against.yaml", ["diff", "lightspeed-stack.yaml", "--against", "against.yaml"]),
    "migrate --run-yaml": ("r.yaml", ["migrate", "lightspeed-stack.yaml", "--run-yaml", "r.yaml"]),
    "secrets fix --env-file": ("x.env", ["secrets", "fix", "lightspeed-stack.yaml", "--env-file", "x.env"]),
    "secrets fix allowlist": (".lsc-tui.yaml", ["secrets", "scan", "lightspeed-stack.yaml"]),
    "export --env-file": ("x.env", ["export", "k8s", "lightspeed-stack.yaml", "--env-file", "x.env"]),
    "validate --env-file": ("x.env", ["validate", "lightspeed-stack.yaml", "--env-file", "x.env"]),
    "expand CR": ("cr.yaml", ["expand", "cr.yaml"]),
    "expand --metadata-dir": ("meta/x/lls-provider-spec.yaml", ["expand", "cr-ext.yaml", "--metadata-dir", "meta"]),
    "merge-external --run-yaml": ("r.yaml", ["merge-external", "--run-yaml", "r.yaml", "--extra-providers",
                                             "extra.yaml"]),
    "merge-external --extra-providers": ("extra.yaml", ["merge-external", "--run-yaml", "run.yaml",
                                                        "--extra-providers", "extra.yaml"]),
    "merge-external --metadata-dir": ("meta/x/lls-provider-spec.yaml", ["merge-external", "--run-yaml", "run.yaml",
                                                                        "--metadata-dir", "meta"]),
    "preflight --run-yaml": ("r.yaml", ["preflight", "--run-yaml", "r.yaml"]),
}
HOSTILE = ["fifo", "char-device", "alias-bomb", "deep-nesting", "too-large", "binary", "unreadable"]


def _plant(ws: Path, rel: str, kind: str) -> None:
    target = ws / rel
    if target.exists() or target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "char-device":
        target.symlink_to("/dev/zero")
    elif kind == "alias-bomb":
        target.write_bytes(_BOMB)
    elif kind == "deep-nesting":
        target.write_bytes(b"a: " + b"[" * 3000 + b"]" * 3000 + b"\n")
    elif kind == "too-large":
        target.write_bytes(b"a: 1\n" + b"# padding\n" * 600_000)
    elif kind == "binary":
        target.write_bytes(b"\x7fELF\x00\x01" * 100)
    elif kind == "unreadable":
        target.write_bytes(b"a: 1\n")
        os.chmod(target, 0)


def _hostile_workspace(tmp_path: Path, name: str) -> Path:
    ws = tmp_path / name
    ws.mkdir()
    (ws / "lightspeed-stack.yaml").write_bytes(SEEDS_LCS[2].read_bytes())
    for rel in ("run.yaml", "r.yaml", "against.yaml"):
        (ws / rel).write_bytes(SEEDS_RUN[0].read_bytes())
    (ws / "cr.yaml").write_bytes(SEEDS_CR[0].read_bytes() if SEEDS_CR else b"{}\n")
    (ws / "cr-ext.yaml").write_bytes(_CR_EXT)
    (ws / "extra.yaml").write_bytes(_EXTRA)
    (ws / "x.env").write_text("A=1\n")
    (ws / "meta" / "x").mkdir(parents=True)
    (ws / "meta" / "x" / "crd-config.yaml").write_text("providerId: x\napi: inference\n")
    (ws / "meta" / "x" / "lls-provider-spec.yaml").write_text(
        "apiVersion: llamastack.io/v1alpha1\nkind: ProviderPackage\nmetadata: {name: x, version: 0.1.0}\n"
        "spec: {packageName: x_pkg, providerType: remote::x, api: inference}\n")
    return ws


@pytest.mark.parametrize("kind", HOSTILE)
def test_every_reader_refuses_hostile_files(tmp_path, kind):
    """A FIFO, a device, an alias bomb, runaway nesting, an oversized, binary or unreadable file
    in the place of each input: a clear exit 1 or 2 within seconds, never a hang or a traceback.
    (The unreadable case runs as an ordinary user, see unprivileged.py.)"""
    from unprivileged import run_cli_unprivileged

    for reader, (rel, argv) in READERS.items():
        ws = _hostile_workspace(tmp_path, f"{kind}-{len(list(tmp_path.iterdir()))}")
        _plant(ws, rel, kind)
        try:
            if kind == "unreadable":
                code, output = run_cli_unprivileged(argv, ws)
            else:
                code, output = _run(argv, ws)
        except _Timeout:
            pytest.fail(f"{reader} with a {kind} file: `lsc-tui {' '.join(argv)}` took more than {PER_INPUT_SECONDS} s")
        assert code in (0, 1, 2), f"{reader} with a {kind} file: exit {code}\n{output}"
        assert "Traceback" not in output and "internal error" not in output, f"{reader} with a {kind}:\n{output}"
        if kind in ("fifo", "char-device") and rel != ".lsc-tui.yaml":
            assert code in (1, 2) and ("FIFO" in output or "device" in output), f"{reader} with a {kind}:\n{output}"
