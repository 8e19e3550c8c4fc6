"""Crashes and hangs the fuzz suite found, kept as tests."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
from pathlib import Path

import pytest

from lsc_tui import cli

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"
SERVER_CFG = ("name: t\nservice: {host: localhost, port: 8080}\nuser_data_collection: {}\n"
              "llama_stack: {use_as_library_client: false, url: 'http://localhost:8321'}\n")


def _run(argv, cwd, seconds=20):
    def alarm(signum, frame):
        raise TimeoutError(f"`lsc-tui {' '.join(argv)}` took more than {seconds} s")

    out = io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(argv)
    finally:
        signal.alarm(0)
        os.chdir(old)
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def _debug(monkeypatch, tmp_path):
    monkeypatch.setenv("LSC_TUI_DEBUG", "1")  # an internal error fails the test
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def test_secrets_fix_with_a_huge_scalar_finishes(tmp_path):
    """Seed 20261248 input 456 (huge_scalar): URL-credential masking was quadratic on a 1 MB line."""
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    with open(ws / "lightspeed-stack.yaml", "a") as fh:
        fh.write("huge: " + "x" * 1_000_000 + "\n")
    code, output = _run(["secrets", "fix", "lightspeed-stack.yaml"], ws)
    assert code in (0, 1, 2) and "Traceback" not in output


def test_synthesize_server_run_yaml_that_is_not_utf8(tmp_path):
    """Seed 20261768 input 7 (invalid_utf8): the server-mode run.yaml was read without a located error."""
    (tmp_path / "lightspeed-stack.yaml").write_text(SERVER_CFG)
    (tmp_path / "run.yaml").write_bytes(b"version: 2\napis: [inference]\n\xf8\x88 broken\n")
    code, output = _run(["synthesize", "lightspeed-stack.yaml", "-o", "-"], tmp_path)
    assert code in (1, 2)
    assert "run.yaml:3:1" in output and "UTF-8" in output
