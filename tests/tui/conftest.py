"""Fixtures for the editor's tests: a private XDG home, fixed workspaces in fixed relative
paths (so nothing absolute is rendered), anyio for async pilot tests, and the snapshot
directory moved to the repository's top-level ``snapshots/``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "lsc_tui" / "data" / "demo"
UNIFIED = Path(__file__).parent / "fixtures" / "unified"
SNAPSHOTS = ROOT / "snapshots"

@pytest.fixture
def snapshot_dir() -> Path:
    """Where tests/conftest.py's snap_compare keeps the approved SVGs of these tests."""
    return SNAPSHOTS


@pytest.fixture(autouse=True)
def _editor_opened(editor_opened):
    """Every test here starts from the opened editor (tests/conftest.py: editor_opened)."""


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    for var in ("TEXTUAL_THEME", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.delenv(var, raising=False)
    return home


def _workspace(src: Path, tmp_path: Path, monkeypatch, name: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(src, dest)
    monkeypatch.chdir(dest)
    return dest


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    """The bundled demo (legacy pair with a literal secret), as the cwd."""
    return _workspace(DEMO, tmp_path, monkeypatch, "demo")


@pytest.fixture
def unified(tmp_path, monkeypatch) -> Path:
    """A unified config with a profile, native_override, MCP server and a secret, as the cwd."""
    return _workspace(UNIFIED, tmp_path, monkeypatch, "unified")


def make_app(path="lightspeed-stack.yaml", **kwargs):
    from lsc_tui.tui.app import LscTuiApp

    kwargs.setdefault("watch", False)
    kwargs.setdefault("theme", "lsc-dark")
    kwargs.setdefault("persist_theme", False)
    return LscTuiApp(path, **kwargs)


@pytest.fixture
def k8s_cr(tmp_path, monkeypatch) -> Path:
    """A v1alpha2 LlamaStackDistribution (llsd.yaml), as the cwd."""
    return _workspace(Path(__file__).parent / "fixtures" / "k8s", tmp_path, monkeypatch, "k8s")


@pytest.fixture
def extra_providers(tmp_path, monkeypatch) -> Path:
    """An extra-providers.yaml with the run.yaml it merges into, as the cwd."""
    return _workspace(Path(__file__).parent / "fixtures" / "extra", tmp_path, monkeypatch, "extra")
