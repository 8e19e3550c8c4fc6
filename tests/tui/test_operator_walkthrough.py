"""What an operator meets driving the installed editor from the keyboard: every way out asks first
when edits are unsaved, and the palette offers only actions that do what their names say."""

from __future__ import annotations

import pytest

from lsc_tui.tui.screens.dialogs import Choice

from .conftest import make_app
from .helpers import select, settle, type_into

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

VLLM = ("providers", "inference", 0)


async def _palette_hits(app, pilot, query: str) -> list[tuple[str, str]]:
    """Type QUERY into the command palette; the (prompt, help) of each hit, best first."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    hits: list[tuple[str, str]] = []
    for _ in range(40):  # the palette searches in a worker: wait until the list has settled
        await pilot.pause(0.05)
        options = app.screen.query_one(CommandList).options
        now = [(str(o.hit.prompt), str(o.hit.help or "")) for o in options]
        if now and now == hits:
            break
        hits = now
    return hits


async def test_palette_quit_asks_about_unsaved_edits(demo):
    """ctrl+p, "quit", enter with an edit unsaved: the editor asked nothing and exited, the edit
    lost (Textual's own "Quit the application as soon as possible" was the first hit). Now every
    Quit of the palette asks like q and ctrl+q."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        await type_into(app, pilot, "config.url", "http://edited:1/v1")
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert app.view.dirty
        hits = await _palette_hits(app, pilot, "quit")
        assert not any("as soon as possible" in help_text for _p, help_text in hits), hits
        assert hits[0][0] == "Quit", hits
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, Choice), app.screen
        assert app.screen.title_text == "Unsaved edits"
        await pilot.press("c")
        await settle(app, pilot)
        assert app.is_running and app.view.dirty
    assert "edited" not in (demo / "run.yaml").read_text()


async def test_textual_quit_action_asks_too(demo):
    """Any binding or command that runs Textual's own quit action goes through the same question."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        await type_into(app, pilot, "config.url", "http://edited:1/v1")
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        await app.run_action("quit")
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, Choice)
        await pilot.press("d")
        await settle(app, pilot)
    assert app.return_code == 0
    assert "edited" not in (demo / "run.yaml").read_text()
