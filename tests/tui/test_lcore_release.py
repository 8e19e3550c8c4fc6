"""Pilot: the header names the LCORE release the preview answers for, and the palette's
"Target LCORE release…" changes it (the preview recomputes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsc_tui.config.releases import RELEASE_0_7RC1, RELEASE_NEWER, Target
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


async def test_what_changes_if_i_upgrade_shows_the_renames_and_the_verdict(tmp_path, monkeypatch):
    from lsc_tui.tui.lcore_release import UpgradeView, show_upgrade, upgrade_commands

    monkeypatch.chdir(tmp_path)
    text = (FIXTURES / "releases" / "ogx-newer.yaml").read_text()
    (tmp_path / "lightspeed-stack.yaml").write_text(text)
    app = make_app(target=Target(RELEASE_NEWER, "--lcore"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        (name, _help, _cb), = upgrade_commands(app)
        assert name == "What changes if I upgrade LCORE…"
        show_upgrade(app, "main")
        await settle(app, pilot)
        assert isinstance(app.screen, UpgradeView)
        shown = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert "ogx -> llama_stack" in shown and "equivalent: the same run.yaml" in shown
        scroll = app.screen.query_one("#upgrade-scroll")
        assert app.focused is scroll  # j / k scroll it (tests/tui/test_app_flows.py: the help page)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, UpgradeView)
        assert (tmp_path / "lightspeed-stack.yaml").read_text() == text  # nothing written


async def test_the_upgrade_question_offers_the_next_release_first(tmp_path, monkeypatch):
    from lsc_tui.config.releases import RELEASE_0_6
    from lsc_tui.tui.lcore_release import UpgradeView, ask_upgrade

    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text((FIXTURES / "unified-vllm.yaml").read_text())
    app = make_app(target=Target(RELEASE_0_6, "--lcore"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        ask_upgrade(app)
        await settle(app, pilot)
        assert app.focused.id == "lcore-0_7_0rc1"  # Enter: 0.6.x to the release after it
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UpgradeView)
        shown = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert "0.7.0rc1" in shown
