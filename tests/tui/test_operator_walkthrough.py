"""What an operator meets driving the installed editor from the keyboard: every way out asks first
when edits are unsaved, and the palette offers only actions that do what their names say."""

from __future__ import annotations

import pytest
from textual import events

from lsc_tui.tui.screens.dialogs import Choice

from .conftest import make_app
from .helpers import select, settle, type_into

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

VLLM = ("providers", "inference", 0)


async def _unsaved_edit(app, pilot) -> None:
    """The vLLM provider's URL edited and left unsaved, the focus back on the tree."""
    await select(app, pilot, "run.yaml", VLLM)
    await type_into(app, pilot, "config.url", "http://edited:1/v1")
    await pilot.press("escape", "escape")
    await settle(app, pilot)


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
        await _unsaved_edit(app, pilot)
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
        await _unsaved_edit(app, pilot)
        await app.run_action("quit")
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, Choice)
        await pilot.press("d")
        await settle(app, pilot)
    assert app.return_code == 0
    assert "edited" not in (demo / "run.yaml").read_text()


async def test_help_scrolls_one_line_per_key_with_animations_on(demo):
    """? then j pressed ten times quickly (animations on, Textual's default): the help moved one
    line, each press restarting the scroll animation from where it stood. Now ten lines; G and g go
    to the end and the top as the key map says."""
    from lsc_tui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.animation_level = "full"
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one("#help-scroll")
        for _ in range(10):  # as a terminal delivers a held key: in one read, before any repaint
            app.post_message(events.Key("j", "j"))
        await pilot.pause(0.6)
        assert scroll.scroll_y == 10
        for _ in range(2):
            app.post_message(events.Key("k", "k"))
        await pilot.pause(0.6)
        assert scroll.scroll_y == 8
        await pilot.press("G")
        await pilot.pause(0.6)
        assert scroll.scroll_y == scroll.max_scroll_y > 10
        await pilot.press("g")
        await pilot.pause(0.6)
        assert scroll.scroll_y == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_help_title_fits_80_columns(demo, size):
    """At 80x24 the help's title ran off its frame: "...also in the palette ( :" and no ctrl+p."""
    from lsc_tui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        title = app.screen.query_one("#help-title")
        text = str(title.render())
        assert "ctrl+p" in text and "esc" in text
        assert title.content_region.width >= len(text.rstrip()), (title.content_region.width, text)


async def test_e_and_y_act_on_the_field_under_the_form_cursor(demo):
    """2, j j (the cursor on config.url), e: the prompt offered an env reference for api_token,
    the first secret-looking field, not the field under the cursor; y copied the whole node.
    Now both act on the field under the cursor; a hidden secret is still never copied."""
    from lsc_tui.tui.screens.dialogs import Prompt

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(app, pilot, "run.yaml", VLLM)
        await pilot.press("2")
        await settle(app, pilot)
        editor = app.editor()
        rels = [f.rel for f in editor.fields]
        for _ in range(rels.index(("config", "url"))):
            await pilot.press("j")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "http://vllm.internal.example:8000/v1"
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, Prompt)
        assert app.screen.title_text == "Environment reference for providers.inference[0].config.url"
        await pilot.press("escape")
        await settle(app, pilot)
        # a secret under the cursor: y refuses until it is revealed
        await select(app, pilot, "lightspeed-stack.yaml", ("conversation_cache",))
        await pilot.press("2")
        await settle(app, pilot)
        rels = [f.rel for f in app.editor().fields]
        for _ in range(rels.index(("postgres", "password"))):
            await pilot.press("j")
        await pilot.pause()
        app.copy_to_clipboard("before")
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "before"
        assert any("reveal it first" in n.message for n in app._notifications)
