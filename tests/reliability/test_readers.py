"""Every input goes through one guarded reader (lsc_tui.config.yaml.files.read_bytes, and for
YAML the checks of lsc_tui.config.yaml.lint): regular files only, a size cap, alias and depth
limits, one set of limits.
FIFOs, devices and alias bombs are refused fast with a located message; SIGTERM ends every
command within a second."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.document import data_of, parse_text
from lsc_tui.config.yaml.lint import YamlLoadError
from lsc_tui.config.yaml.streams import parse_all

sys.path.insert(0, str(Path(__file__).parent))
from unprivileged import run_cli  # noqa: E402

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"
CR = (Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "llama-stack-k8s-operator" / "config"
      / "samples" / "example-withoutconfigmap.yaml")
EXTRA = ("apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\nproviders:\n"
         "  inference:\n  - provider_id: x\n    provider_type: remote::x\n    module: x_pkg\n")


def bomb() -> str:
    """The 'billion laughs': 9 levels of 9 aliases, about 330 bytes, 387 million nodes expanded."""
    lines = ["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    names = "abcdefghi"
    for prev, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LSC_TUI_DEBUG", "1")  # an internal error fails the test
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def ws(tmp_path) -> Path:
    d = tmp_path / "ws"
    shutil.copytree(DEMO, d)
    (d / "extra.yaml").write_text(EXTRA)
    shutil.copy(CR, d / "cr.yaml")
    return d


def _timed(argv, cwd, seconds=10) -> tuple[int, str, float]:
    def alarm(signum, frame):
        raise TimeoutError(f"`lsc-tui {' '.join(argv)}` took more than {seconds} s (blocked?)")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    start = time.monotonic()
    try:
        code, output = run_cli(argv, cwd)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code, output, time.monotonic() - start


# -- one limit set ------------------------------------------------------------------------------


def _refusal(read, text: str):
    with pytest.raises(YamlLoadError) as exc:
        read(text)
    f = exc.value.finding
    return f.code, f.line, f.column, f.message


READERS = {
    "config document": lambda text: parse_text(text, "in.yaml"),
    "plain data": lambda text: data_of(text, "in.yaml"),
    "operator stream": lambda text: parse_all(text, "in.yaml"),
}


@pytest.mark.parametrize("text, code", [
    (bomb(), "yaml-alias-bomb"),
    ("a: " + "[" * (files.MAX_DEPTH + 5) + "]" * (files.MAX_DEPTH + 5) + "\n", "yaml-too-deep"),
    ("a: &x [1, *x]\n", "yaml-recursive-alias"),
    ("a: [1\nb: 2\n", "yaml-syntax"),
])
def test_every_yaml_reader_refuses_alike(text, code):
    """One limit set and one loader: the config documents, plain data and the operator's
    manifest streams refuse the same text with the same located finding."""
    got = {name: _refusal(read, text) for name, read in READERS.items()}
    assert {g[0] for g in got.values()} == {code}, got
    assert len(set(got.values())) == 1, got
    assert len(bomb()) < 342


def test_the_operator_reader_places_an_embedded_refusal_in_the_outer_file():
    """A config.yaml inside a ConfigMap's block scalar: the refusal names the outer line and column."""
    text = "a: [1\nb: 2\n"
    with pytest.raises(YamlLoadError) as exc:
        parse_all(text, "cm.yaml", line_offset=10, col_offset=4)
    plain = _refusal(READERS["operator stream"], text)
    assert (exc.value.finding.line, exc.value.finding.column) == (plain[1] + 10, plain[2] + 4)


# -- alias bombs --------------------------------------------------------------------------------


def test_alias_bomb_in_diff_against_is_refused_fast_and_located(ws):
    (ws / "bomb.yaml").write_text(bomb())
    code, output, took = _timed(["diff", "lightspeed-stack.yaml", "--against", "bomb.yaml"], ws)
    assert code == 2 and "bomb.yaml:" in output and "yaml-alias-bomb" in output
    assert took < 5


def test_alias_bomb_in_preflight_run_yaml_is_refused_fast_and_located(ws):
    (ws / "bomb.yaml").write_text(bomb())
    code, output, took = _timed(["preflight", "--run-yaml", "bomb.yaml"], ws)
    assert code == 2 and "bomb.yaml:" in output and "aliases expand" in output
    assert took < 5


def test_alias_bomb_in_external_providers_dir_is_refused_fast_and_located(ws):
    spec = ws / "ext" / "remote" / "inference" / "x.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(bomb())
    (ws / "r.yaml").write_text("version: 2\napis: [inference]\nexternal_providers_dir: ext\nproviders:\n"
                               "  inference:\n  - provider_id: x\n    provider_type: remote::x\n    config: {}\n")
    code, output, took = _timed(["preflight", "--run-yaml", "r.yaml"], ws)
    assert code == 1 and f"{spec}:" in output and "yaml-alias-bomb" in output
    assert took < 5


def test_deep_nesting_in_preflight_is_a_located_message_not_a_crash(ws):
    (ws / "deep.yaml").write_text("providers: " + "[" * 5000 + "]" * 5000 + "\n")
    code, output, _took = _timed(["preflight", "--run-yaml", "deep.yaml"], ws)
    assert code == 2 and "deep.yaml:1:" in output and "nesting depth" in output
    assert "internal error" not in output


def test_alias_bomb_in_a_secret_manifest_is_refused(ws):
    (ws / "app-secret.yaml").write_text("kind: Secret\n" + bomb())
    code, output, took = _timed(["secrets", "fix", "lightspeed-stack.yaml", "--k8s-secret", "app"], ws)
    assert code == 2 and "aliases expand" in output
    assert took < 5


# -- FIFOs, devices, oversized and unreadable inputs never block ---------------------------------

LEGACY_FIFO_RUN = "run.yaml"  # the demo's legacy config reads run.yaml beside it


def _fifo_inputs(ws: Path) -> dict[str, list[str]]:
    meta = ws / "meta" / "x"
    meta.mkdir(parents=True)
    os.mkfifo(meta / "lls-provider-spec.yaml")
    (meta / "crd-config.yaml").write_text("providerId: x\napi: inference\n")
    (ws / "cr-ext.yaml").write_text(  # a CR that asks for the external provider x
        "apiVersion: llamastack.io/v1alpha2\nkind: LlamaStackDistribution\nmetadata:\n  name: s\nspec:\n"
        "  distribution:\n    name: starter\n  externalProviders:\n    inference:\n"
        "    - providerId: x\n      image: quay.io/x/x:1\n")
    os.mkfifo(ws / "fifo")
    return {
        "validate": ["validate", "fifo"],
        "secrets scan": ["secrets", "scan", "fifo"],
        "diff --against": ["diff", "lightspeed-stack.yaml", "--against", "fifo"],
        "expand CR": ["expand", "fifo"],
        "expand --metadata-dir": ["expand", "cr-ext.yaml", "--metadata-dir", "meta"],
        "merge-external --run-yaml": ["merge-external", "--run-yaml", "fifo", "--extra-providers", "extra.yaml"],
        "merge-external --extra-providers": ["merge-external", "--run-yaml", "run.yaml", "--extra-providers", "fifo"],
        "merge-external --metadata-dir": ["merge-external", "--run-yaml", "run.yaml", "--metadata-dir", "meta"],
        "secrets fix --env-file": ["secrets", "fix", "lightspeed-stack.yaml", "--env-file", "fifo", "--write"],
        "export k8s --env-file": ["export", "k8s", "lightspeed-stack.yaml", "--env-file", "fifo"],
        "validate --env-file": ["validate", "lightspeed-stack.yaml", "--env-file", "fifo"],
        "preflight --run-yaml": ["preflight", "--run-yaml", "fifo"],
        "migrate --run-yaml": ["migrate", "lightspeed-stack.yaml", "--run-yaml", "fifo"],
        "synthesize (referenced run.yaml)": ["synthesize", "lightspeed-stack.yaml", "-o", "-"],
    }


FIFO_CASES = ["validate", "secrets scan", "diff --against", "expand CR", "expand --metadata-dir",
              "merge-external --run-yaml", "merge-external --extra-providers", "merge-external --metadata-dir",
              "secrets fix --env-file", "export k8s --env-file", "validate --env-file", "preflight --run-yaml", "migrate --run-yaml",
              "synthesize (referenced run.yaml)"]


@pytest.mark.parametrize("case", FIFO_CASES)
def test_a_fifo_as_input_never_blocks(ws, case):
    argv = _fifo_inputs(ws)[case]
    if case.startswith("synthesize"):
        (ws / "run.yaml").unlink()
        os.mkfifo(ws / "run.yaml")
    code, output, took = _timed(argv, ws)
    assert code in (1, 2), output
    assert "is a FIFO (named pipe), not a regular file" in output, output
    assert "internal error" not in output and took < 5


@pytest.mark.parametrize("argv", [["validate", "/dev/zero"], ["diff", "lightspeed-stack.yaml", "--against", "/dev/zero"],
                                  ["preflight", "--run-yaml", "/dev/zero"], ["expand", "/dev/zero"],
                                  ["secrets", "fix", "lightspeed-stack.yaml", "--env-file", "/dev/zero"]])
def test_dev_zero_as_input_is_refused_not_read(ws, argv):
    code, output, took = _timed(argv, ws)
    assert code in (1, 2) and "character device" in output, output
    assert took < 5


def test_the_reader_refuses_oversized_and_growing_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * files.MAX_BYTES)
    with pytest.raises(files.ReadRefused) as exc:
        files.read_bytes(big)
    assert exc.value.finding.code == "file-too-large"


def test_the_reader_checks_the_open_file_not_only_the_path(tmp_path, monkeypatch):
    """A path swapped for a FIFO between the check and the open is still refused (fstat)."""
    p = tmp_path / "x.yaml"
    p.write_text("a: 1\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: real_open(fifo if str(path) == str(p) else path, *a, **k))
    with pytest.raises(files.ReadRefused) as exc:
        files.read_bytes(p)
    assert exc.value.finding.code == "file-not-regular" and "FIFO" in exc.value.finding.message


# -- SIGTERM --------------------------------------------------------------------------------------


def _ignore_sigterm():  # the parent of a command may leave SIGTERM ignored; the child inherits it
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def test_sigterm_ends_a_command_within_a_second_even_when_inherited_ignored(tmp_path):
    started = tmp_path / "started"
    code = textwrap.dedent(f"""
        import pathlib, time
        from lsc_tui import cli
        from lsc_tui.commands import validate
        def slow(args):
            pathlib.Path({str(started)!r}).write_text("x")
            time.sleep(60)  # a long synthesis, a slow disk: anything that takes time
        validate.run = slow
        raise SystemExit(cli.main(["validate", "x"]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, preexec_fn=_ignore_sigterm)
    try:
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert started.exists(), "the command did not start"
        proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        rc = proc.wait(timeout=5)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 143 and took < 1.0, (rc, took)
    assert b"terminated" in proc.stderr.read()


def test_sigterm_ends_a_real_long_command_within_a_second(tmp_path):
    """validate on a config with many providers (seconds of work) ends at once on SIGTERM."""
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    entries = "".join(f"  - provider_id: p{i}\n    provider_type: remote::vllm\n    config:\n"
                      f"      url: http://h{i}:8000/v1\n      api_token: ${{env.T{i}:=x}}\n" for i in range(12000))
    (ws / "run.yaml").write_text("version: 2\nimage_name: x\napis: [inference]\nproviders:\n  inference:\n"
                                 + entries)
    proc = subprocess.Popen([sys.executable, "-m", "lsc_tui", "validate", "lightspeed-stack.yaml"], cwd=ws,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_ignore_sigterm)
    try:
        time.sleep(1.5)  # start-up and well into the work
        if proc.poll() is not None:
            pytest.skip("the machine finished the work before the signal; the test above covers the handler")
        proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        rc = proc.wait(timeout=5)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 143 and took < 1.0, (rc, took)


def test_an_alias_bomb_typed_into_the_editor_is_refused_not_expanded():
    from lsc_tui.config.fields import parse_value

    t0 = time.monotonic()
    with pytest.raises(ValueError):
        parse_value(bomb(), None)  # a mapping of nested aliases: refused at the anchor that passes the limit
    assert time.monotonic() - t0 < 5
