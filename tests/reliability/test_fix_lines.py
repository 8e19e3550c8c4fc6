"""Every error lsc-tui prints ends with a `fix:` line (docs/troubleshooting.md): two that had none."""

from __future__ import annotations

import shutil
from pathlib import Path

from lsc_tui.cli import main

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


def _demo(tmp_path, monkeypatch, name="ws") -> Path:
    ws = tmp_path / name
    shutil.copytree(DEMO, ws)
    monkeypatch.chdir(tmp_path)
    return ws


def test_reveal_of_an_unknown_fingerprint_says_where_the_fingerprints_are(tmp_path, monkeypatch, capsys):
    """Before: `lsc-tui: no finding with fingerprint deadbeef in PATH` and nothing more."""
    _demo(tmp_path, monkeypatch, "my ws")
    assert main(["secrets", "reveal", "my ws/lightspeed-stack.yaml", "deadbeef"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no finding with fingerprint deadbeef" in captured.err
    assert "fix: `lsc-tui secrets scan 'my ws/lightspeed-stack.yaml'` lists" in captured.err


def test_export_write_secret_without_an_env_file_says_what_to_do(tmp_path, monkeypatch, capsys):
    """Before: `--write-secret: no env file (PATH)` and nothing more; nothing is written."""
    ws = _demo(tmp_path, monkeypatch)
    out = tmp_path / "k8s"
    assert main(["export", "k8s", str(ws / "lightspeed-stack.yaml"), "-o", str(out), "--write-secret"]) == 2
    err = capsys.readouterr().err
    assert "--write-secret: no env file" in err
    assert "fix: Create it (NAME=value lines" in err and "--env-file FILE" in err
    assert not out.exists() or not any(out.iterdir())
