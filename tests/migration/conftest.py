"""Fixtures for the migration tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def run_cli(capsys):
    """Run ``lsc-tui ARGS`` in-process: returns (exit code, stdout, stderr)."""
    from lsc_tui.cli import main

    def run(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture
def chdir():
    old = os.getcwd()

    def go(path: Path):
        os.chdir(path)

    yield go
    os.chdir(old)
