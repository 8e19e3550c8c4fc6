"""No approved screenshot (snapshots/, docs/screenshots/) shows a literal secret of the
workspaces the screens were rendered from: the demo and the TUI test fixtures."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from lsc_tui.config.secrets import reveal, scan_workspace
from lsc_tui.config.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
WORKSPACES = [ROOT / "lsc_tui" / "data" / "demo" / "lightspeed-stack.yaml",
              ROOT / "tests" / "tui" / "fixtures" / "unified" / "lightspeed-stack.yaml"]
SHOTS = sorted((ROOT / "snapshots").rglob("*.svg")) + sorted((ROOT / "docs" / "screenshots").glob("*.svg"))


@functools.lru_cache(maxsize=1)
def _secrets() -> frozenset[str]:
    values = set()
    for cfg in WORKSPACES:
        ws = load_workspace(cfg, cwd=cfg.parent)
        values |= {reveal(f) for f in scan_workspace(ws).findings}
    return frozenset(v for v in values if v and len(v) >= 6)


def test_the_screens_have_secrets_to_hide():
    assert len(_secrets()) >= 2 and len(SHOTS) >= 40


@pytest.mark.parametrize("shot", SHOTS, ids=lambda p: p.name)
def test_no_screenshot_shows_a_secret(shot):
    text = shot.read_text(encoding="utf-8")
    # SVG text escapes spaces and entities; the secrets here have none, so a plain search is exact
    leaked = [v[:3] + "…" for v in _secrets() if v in text]
    assert not leaked, f"{shot.name} shows a literal secret"
