"""`--env-file` that cannot be read: the message says what is wrong with it in plain words and
the fix is about an env file (not a YAML config)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lsc_tui.cli import main

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


@pytest.mark.parametrize("command", ["validate", "synthesize", "diff"])
@pytest.mark.parametrize("kind", ["missing", "directory", "binary"])
def test_an_unreadable_env_file_is_named_with_a_fix_for_env_files(tmp_path, monkeypatch, capsys, command, kind):
    """Before: `the env file no such file`, and for a directory a fix saying
    `e.g. DIR/lightspeed-stack.yaml` (for a binary file `the text (YAML) file`)."""
    shutil.copytree(DEMO, tmp_path / "ws")
    monkeypatch.chdir(tmp_path / "ws")
    env = {"missing": "nope.env", "directory": "envdir", "binary": "bin.env"}[kind]
    if kind == "directory":
        Path(env).mkdir()
    elif kind == "binary":
        Path(env).write_bytes(b"A=1\n\x00\x01\x02")
    assert main([command, "lightspeed-stack.yaml", "--env-file", env]) == 2
    err = capsys.readouterr().err
    head, _, fix = err.partition("\n    fix: ")
    assert f"{env}:" in head and "error: env-file: cannot read the env file: " in head, err
    assert "the env file no such" not in head
    assert "NAME=value" in fix and "YAML" not in fix and "lightspeed-stack.yaml" not in fix, err
    assert "Traceback" not in err
