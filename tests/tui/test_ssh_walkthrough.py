"""What an operator over SSH (80x24, keyboard only) found wrong on screen: each test drives the
editor as they did and checks what the screen then says."""

from __future__ import annotations

import pytest

from .conftest import make_app
from .helpers import select, settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test


def _ids(app, demo, api: str) -> list[str]:
    import yaml

    data = yaml.safe_load(app.session.text_of(demo / "run.yaml"))
    return [p["provider_id"] for p in data["providers"].get(api) or []]


def _path_line(app) -> str:
    return str(app.query_one("#field-path").render())


async def test_the_field_hint_follows_the_focus_after_esc(demo):
    """esc ends the editing of a field: the line under the form then says what enter does
    there, not ``esc: done`` of the field that no longer has the focus."""
    from lsc_tui.tui.widgets.node_editor import FieldInput, FormScroll

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", ("providers", "inference", 0))
        await pilot.press("enter")  # the form, navigating
        await settle(app, pilot)
        await pilot.press("j", "j", "enter")  # edit config.url
        await settle(app, pilot)
        assert isinstance(app.focused, FieldInput)
        assert "esc: done" in _path_line(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.focused, FormScroll)
        line = _path_line(app)
        assert "providers.inference[0].config.url" in line and "enter: edit" in line, line
        assert "esc: done" not in line, line
        await pilot.press("enter", "down")  # down in a field ends the editing too, one field on
        await settle(app, pilot)
        assert isinstance(app.focused, FormScroll)
        line = _path_line(app)
        assert "providers.inference[0].config.api_token" in line and "enter: edit" in line, line


async def test_removing_the_last_provider_of_a_list_keeps_the_cursor_there(demo):
    """d on the last provider of an API: the cursor lands on the provider before it (the one
    the operator sees next to the gap), not on the first line of the tree; the same when an
    undo takes away a provider just added."""
    from lsc_tui.tui.widgets.config_tree import ConfigTree

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ConfigTree)
        await select(app, pilot, "run.yaml", ("providers", "inference", 2))
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert _ids(app, demo, "inference") == ["vllm", "openai"]
        assert tree.selected_key == "run.yaml|providers.inference[1]", tree.selected_key
        assert app.query_one("#editor").item.key == "run.yaml|providers.inference[1]"
        assert app.focused is tree
        await pilot.press("u")  # back: the cursor stays where it is
        await settle(app, pilot)
        assert tree.selected_key == "run.yaml|providers.inference[1]", tree.selected_key
        await pilot.press("ctrl+r")  # removed again
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", ("providers", "files", 0))  # the only one of its API
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert _ids(app, demo, "files") == []
        assert tree.selected_key == "run.yaml|providers.files", tree.selected_key


def _footer(app) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [f"{k.key_display} {k.description}".strip() for k in app.query(FooterKey) if k.display]


async def test_under_a_dialog_the_footer_shows_only_keys_that_work_there(demo):
    """The editor's footer stays on screen under a dialog. It showed ``? Help`` there, and in
    a dialog ``?`` typed a character into its field (or did nothing) and f1 did nothing: the
    footer now shows the dialog's own keys, and the editor's again once the dialog closes."""
    from textual.command import CommandPalette

    from lsc_tui.tui.screens.dialogs import Choice, Prompt

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        main = _footer(app)
        assert "? Help" in main, main
        await select(app, pilot, "run.yaml", ("providers", "inference", 0))
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, Prompt)
        assert _footer(app) == [], _footer(app)
        await pilot.press("question_mark")  # what the footer offered: a character in the field
        await settle(app, pilot)
        assert isinstance(app.screen, Prompt)
        await pilot.press("escape")
        await settle(app, pilot)
        assert _footer(app) == main
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, Choice)
        assert _footer(app) == [], _footer(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert _footer(app) == main
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)
        assert "? Help" not in _footer(app), _footer(app)
        assert _footer(app) == ["esc Leave"], _footer(app)  # its field has the focus
        await pilot.press("escape")
        await settle(app, pilot)
        assert _footer(app) == main


async def test_the_migration_offer_footer_shows_its_answers(demo):
    """The offer to migrate a legacy config, at start-up: the footer names its two answers."""
    from lsc_tui.tui.flows.migrate_wizard import MigrationOffer

    app = make_app(offer_migration=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(50):
            if isinstance(app.screen, MigrationOffer):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, MigrationOffer)
        await settle(app, pilot)
        assert _footer(app) == ["m Migrate now", "l Later"], _footer(app)
        await pilot.press("l")
        await settle(app, pilot)
        assert "? Help" in _footer(app)
