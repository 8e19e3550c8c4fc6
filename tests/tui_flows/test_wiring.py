"""The flows as the editor offers them: keys in the footer, the command palette, the offer on open."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Footer

from lsc_tui.tui.flows import FLOWS
from lsc_tui.tui.flows.migrate_wizard import MigrateWizard
from lsc_tui.tui.flows.preflight_panel import PreflightPanel
from lsc_tui.tui.flows.secrets_review import SecretsReview
from lsc_tui.tui.flows.wiring import FlowActions, FlowCommands, flow_bindings

from .conftest import HostApp, open_session

pytestmark = pytest.mark.anyio


class Editor(FlowActions, HostApp):
    COMMANDS = App.COMMANDS | {FlowCommands}
    BINDINGS = flow_bindings()

    def compose(self):
        yield from super().compose()
        yield Footer()


def test_keys_do_not_clash_with_the_editor():
    from lsc_tui.tui import keymap

    used = {k for entry in keymap.KEYS + keymap.MOVEMENT if not entry.action.startswith("flow_")
            for k in entry.keys.split(",")}
    ours = [k for f in FLOWS for k in f.key.split(",")]
    assert not set(ours) & used, set(ours) & used
    assert len(ours) == len(set(ours))
    assert not any("ctrl+enter" in k or "shift+enter" in k or k.startswith("alt+") for k in ours)


async def test_every_flow_opens_from_its_key_and_the_footer_shows_them(demo):
    app = Editor(open_session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        shown = {b.binding.key_display or key for key, b in app.screen.active_bindings.items() if b.binding.show}
        assert {"M", "S", "P"} <= shown
        for key, screen in (("M", MigrateWizard), ("S", SecretsReview), ("P", PreflightPanel)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen)
            # inside a flow the editor's keys are off: another flow cannot open on top
            await pilot.press("S" if key != "S" else "M")
            await pilot.pause()
            assert isinstance(app.screen, screen)
            await pilot.press("escape")
            await pilot.pause()
            assert len(app.screen_stack) == 1


@pytest.mark.parametrize("query,screen", [("migrate", MigrateWizard), ("secrets", SecretsReview),
                                          ("preflight", PreflightPanel)])
async def test_every_flow_opens_from_the_command_palette(demo, query, screen):
    app = Editor(open_session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*query)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, screen)
