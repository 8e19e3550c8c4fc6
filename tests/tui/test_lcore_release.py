"""Pilot: the header names the LCORE release the preview answers for, and the palette's
"Target LCORE release…" changes it (the preview recomputes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsc_tui.config.releases import RELEASE_0_7RC1, Target
from lsc_tui.tui.lcore_release import palette_commands
from lsc_tui.tui.widgets.header import StatusHeader

from .conftest import make_app
from .helpers import settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def header(app) -> str:
    return str(app.query_one(StatusHeader).render())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_header_says_main_is_a_default_then_the_chosen_release(tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text((FIXTURES / "unified-vllm.yaml").read_text())
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert "LCORE main (default)" in header(app)
        (name, help_text, _callback), = palette_commands(app)
        assert name == "Target LCORE release…" and "default" in help_text
        before = app.session.analysis
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"target lcore")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReleaseChoice"
        assert app.focused.id == "lcore-main"  # Enter keeps the release in use
        await pilot.press("6")
        await settle(app, pilot)
        assert app.session.target.release.key == "0.6" and app.session.target.source == "editor"
        assert app.session.analysis is not before  # recomputed for the release
        assert "LCORE 0.6.x" in header(app) and "default" not in header(app)


async def test_the_release_given_at_start_is_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text((FIXTURES / "unified-vllm.yaml").read_text())
    app = make_app(target=Target(RELEASE_0_7RC1, ".lsc-tui.yaml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "LCORE 0.7.0rc1" in header(app)
        assert app.session.workspace.target.source == ".lsc-tui.yaml"
