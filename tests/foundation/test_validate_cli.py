"""`lsc-tui validate`: located text lines, --json, exit codes 0/1/2, no tracebacks."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus" / "lightspeed-stack"


def lsc(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "lsc_tui", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=60)


def test_clean_legacy_config_exits_0_with_warnings():
    r = lsc("validate", "examples/lightspeed-stack-conversation-cache-pg.yaml", cwd=CORPUS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "examples/lightspeed-stack-conversation-cache-pg.yaml:11:3: warning: legacy-deprecated:" in r.stdout
    assert "fix:" in r.stdout


def test_json_output_shape():
    r = lsc("validate", "--json", "examples/lightspeed-stack-azure-entraid-lib.yaml", cwd=CORPUS)
    data = json.loads(r.stdout)
    assert data["mode"] == "legacy-library" and data["mode_reason"]
    assert {"path": "examples/azure-run.yaml", "role": "legacy-run-yaml"} in data["files"]
    for f in data["findings"]:
        assert set(f) >= {"file", "line", "column", "severity", "code", "message", "fix"}


def test_errors_exit_1(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n  use_as_library_client: true\n")
    r = lsc("validate", str(cfg))
    assert r.returncode == 1
    assert ":5:3: error: no-run-source:" in r.stdout


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary", b"- a\n- b\n", b"a: [1, 2\n", b"a:\n\tb: 1\n",
                                     b"name: 'unterminated\n", b"a: " + b"[" * 300 + b"]" * 300 + b"\n"])
def test_bad_input_never_shows_a_traceback(tmp_path, content):
    p = tmp_path / "lightspeed-stack.yaml"
    p.write_bytes(content)
    r = lsc("validate", str(p))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert "lightspeed-stack.yaml:" in r.stderr and "fix:" in r.stderr


def test_missing_file_and_directory_exit_2(tmp_path):
    for target in (tmp_path / "nope.yaml", tmp_path):
        r = lsc("validate", str(target))
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert r.stderr.strip()


def test_bad_arguments_exit_2():
    assert lsc("validate").returncode == 2
    assert lsc("validate", "--bogus", "x").returncode == 2


def test_editor_options_route_to_edit():
    from lsc_tui import cli

    parser = cli.build_parser()
    args = parser.parse_args(["edit", "--color", "16", "--readonly"])
    assert args.color == "16" and args.readonly
    r = lsc("--color", "sixteen")  # routed to `edit`, whose parser rejects the value
    assert r.returncode == 2 and "--color" in r.stderr
    assert lsc("--version").stdout.startswith("lsc-tui ")
