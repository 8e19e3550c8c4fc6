"""A legacy config written with CRLF line ends (saved on Windows, or by an editor set so) is
migrated to a file with CRLF line ends throughout, whatever the strategy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


@pytest.mark.parametrize("strategy", ["lift", "profile", "smart"])
@pytest.mark.parametrize("run_crlf", [False, True], ids=["run-lf", "run-crlf"])
def test_a_crlf_config_stays_crlf_after_migrate(tmp_path, run_cli, chdir, strategy, run_crlf):
    """Before: the lines lsc-tui added (the `config:` block, a nested run.yaml) ended in LF
    inside a CRLF file: a file with mixed line ends."""
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    config = ws / "lightspeed-stack.yaml"
    config.write_bytes(config.read_bytes().replace(b"\n", b"\r\n"))
    if run_crlf:
        run = ws / "run.yaml"
        run.write_bytes(run.read_bytes().replace(b"\n", b"\r\n"))
    chdir(ws)
    code, _out, err = run_cli("migrate", "lightspeed-stack.yaml", "--strategy", strategy, "--write")
    assert code == 0, err
    raw = config.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 10, raw.decode()
    assert "llama_stack" in yaml.safe_load(raw.decode())


@pytest.mark.parametrize("strategy", ["lift", "profile", "smart"])
def test_a_config_with_a_bom_keeps_it_after_migrate(tmp_path, run_cli, chdir, strategy):
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    config = ws / "lightspeed-stack.yaml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    chdir(ws)
    code, _out, err = run_cli("migrate", "lightspeed-stack.yaml", "--strategy", strategy, "--write")
    assert code == 0, err
    raw = config.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    assert "llama_stack" in yaml.safe_load(raw.decode("utf-8-sig"))
