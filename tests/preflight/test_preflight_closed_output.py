"""`preflight ... | head`: the reader closes the report early. The command stops, kills its probe
on the way out, says nothing about asyncio's unfinished tasks, and does not claim success."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "lsc_tui", "preflight", "--run-yaml", "run.yaml", "--keep-going"],
        ["-m", "lsc_tui", "preflight", "--run-yaml", "run.yaml", "--keep-going", "--json"],
        ["-m", "lsc_tui.preflight.cli", "--run-yaml", "run.yaml", "--keep-going", "--json"],
    ],
    ids=["lsc-tui", "lsc-tui-json", "llama-stack-preflight-json"],
)
def test_a_report_read_only_in_part_ends_quietly_and_not_as_a_success(tmp_path, argv):
    """Before: `lsc-tui preflight --run-yaml run.yaml | head -1` printed 'Task was destroyed but it
    is pending!' with asyncio task dumps on stderr and exited 0 for a failed preflight."""
    shutil.copy(DEMO / "run.yaml", tmp_path / "run.yaml")
    proc = subprocess.Popen(
        [sys.executable, *argv], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    assert first.strip()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert "Task was destroyed" not in err and "Traceback" not in err, err
    assert "Exception ignored" not in err, err
    assert code != 0, (code, err)
