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


async def test_tab_moves_through_the_panes_at_80_columns(demo):
    """docs/keys.md: tab goes to the next pane or field. Below 100 columns the panes are tabs,
    and tab went back and forth between the tree and the tab bar: it now goes through the
    node's form and fields, the run.yaml diff and the findings, showing each pane, and back
    to the tree; shift+tab goes the other way."""
    from lsc_tui.tui.widgets.diff_pane import DiffPane
    from lsc_tui.tui.widgets.findings import FindingsPanel

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", ("providers", "inference", 0))
        seen = []
        for _ in range(9):  # the form, its 5 fields, the diff, the findings, the tree
            await pilot.press("tab")
            await settle(app, pilot)
            focused = app.focused
            assert focused is not None and focused.region.area > 0, focused  # on screen
            seen.append((type(focused).__name__, app.active_pane))
        assert seen == [
            ("FormScroll", "editor"),
            *[("FieldInput", "editor")] * 5,
            ("DiffScroll", "diff"),
            ("FindingsPanel", "findings"),
            ("ConfigTree", "tree"),
        ], seen
        await pilot.press("shift+tab")
        await settle(app, pilot)
        assert isinstance(app.focused, FindingsPanel) and app.active_pane == "findings"
        await pilot.press("shift+tab")
        await settle(app, pilot)
        assert app.active_pane == "diff" and app.focused in app.query_one(DiffPane).query("*")
        assert not app.session.dirty  # tabbing through the fields typed nothing


@pytest.mark.parametrize(("index", "key", "said"), [(0, "K", "first"), (2, "J", "last")])
async def test_moving_past_the_end_of_the_list_says_which_end(demo, index, key, said):
    """K on the first provider said "already at the end of the list": it says which end."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "run.yaml", ("providers", "inference", index))
        await pilot.press(key)
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert f"It is already {said} in the list." in messages, messages
        assert not app.session.dirty


async def test_a_value_that_is_not_applied_is_said_until_the_field_is_left(demo):
    """A port typed as ``8080x`` is not applied. It said so in a notification at the first bad
    keystroke (one per keystroke: ``$`` of an ``${env.PORT}`` being typed too), which went after
    a few seconds while the field kept showing ``8080x``, a value in no file. Now the line under
    the form says it while the field is edited, enter says it in a notification, and leaving
    the field puts back the value in the file, saying so."""
    from lsc_tui.tui.widgets.node_editor import FieldInput

    from .helpers import field_input

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = app.session.text_of(demo / "lightspeed-stack.yaml")
        await select(app, pilot, "lightspeed-stack.yaml", ("service",))
        await pilot.press("enter", "j", "enter")  # edit service.port
        await settle(app, pilot)
        assert isinstance(app.focused, FieldInput) and field_input(app, "port").value == "8080"
        await pilot.press("end", "x")
        await settle(app, pilot)
        assert not [n for n in app._notifications if "whole number" in n.message]  # no toast per keystroke
        line = _path_line(app)
        assert "service.port" in line and "not applied" in line, line
        await pilot.press("enter")
        await settle(app, pilot)
        said = [n for n in app._notifications if "whole number" in n.message]
        assert len(said) == 1 and said[0].timeout >= 10, said
        await pilot.press("escape")
        await settle(app, pilot)
        assert field_input(app, "port").value == "8080"  # the value in the file, not 8080x
        assert "not applied" not in _path_line(app)
        said = [n.message for n in app._notifications if "whole number" in n.message]
        assert len(said) == 2 and "value in the file" in said[-1], said
        assert app.session.text_of(demo / "lightspeed-stack.yaml") == before
        # an env reference typed key by key: no complaint on the way, applied at the end
        await pilot.press("enter", "ctrl+u", *"${env.PORT}")
        await settle(app, pilot)
        assert len([n for n in app._notifications if "whole number" in n.message]) == 2
        assert "port: ${env.PORT}" in app.session.text_of(demo / "lightspeed-stack.yaml")
        assert "not applied" not in _path_line(app)


async def test_undo_and_redo_with_nothing_to_undo_say_so(demo):
    """With nothing to undo, `u` did nothing at all: the footer showed `u Undo` dimmed (a shade
    apart; none with NO_COLOR) and the key was off. It answers now, as ctrl+r does."""
    from textual.widgets._footer import FooterKey

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        undo = [k for k in app.query(FooterKey) if k.display and k.description == "Undo"]
        assert undo and not undo[0].has_class("-disabled")
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert "Nothing to undo." in messages and "Nothing to redo." in messages, messages
        assert not app.session.dirty


async def test_e_on_a_literal_secret_suggests_the_name_its_finding_gives(demo):
    """The finding under conversation_cache.postgres.password says its fix writes
    ``${env.POSTGRES_PASSWORD}`` (as the secrets review does); ``e`` on that field suggested
    ``PASSWORD``. It suggests the finding's name; a field that is no secret keeps its own."""
    from lsc_tui.tui.screens.dialogs import Prompt

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "lightspeed-stack.yaml", ("conversation_cache",))
        await pilot.press("enter", "G", "e")
        await settle(app, pilot)
        assert isinstance(app.screen, Prompt)
        assert app.screen.query_one("#prompt-name").value == "POSTGRES_PASSWORD"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "password: ${env.POSTGRES_PASSWORD}" in app.session.text_of(demo / "lightspeed-stack.yaml")
        await select(app, pilot, "run.yaml", ("providers", "inference", 0))
        await pilot.press("enter", "j", "j", "e")  # config.url of vllm
        await settle(app, pilot)
        assert app.screen.query_one("#prompt-name").value == "VLLM_URL"
        await pilot.press("escape")


async def test_revealed_secrets_are_said_for_as_long_as_they_show(demo):
    """``s`` shows the secret values of the node: that was said in a notification gone after
    4 s, while the password stayed on screen. The node's title says it while they show."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, "lightspeed-stack.yaml", ("conversation_cache",))
        await pilot.press("enter")
        await settle(app, pilot)
        title = lambda: str(app.query_one("#node-title").render())  # noqa: E731
        assert "SECRETS SHOWN" not in title()
        await pilot.press("s")
        await settle(app, pilot)
        assert app.query_one("#editor").revealed
        assert "SECRETS SHOWN" in title(), title()
        await pilot.press("s")
        await settle(app, pilot)
        assert "SECRETS SHOWN" not in title(), title()
