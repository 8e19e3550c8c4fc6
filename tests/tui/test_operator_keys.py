"""The editor as an operator drives it: the palette keys, enter on a node, what the footer and
header show at 80 columns, and the help screen."""

from __future__ import annotations

import pytest

from .conftest import make_app
from .helpers import settle

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("key", ["ctrl+p", "colon"])
async def test_palette_keys_open_the_palette_and_take_the_typing(demo, key):
    """ctrl+p (the documented key) and : both open the palette; the letters typed next are the
    palette's query, never commands of the editor (``migr`` once ran ``r``, rename)."""
    from textual.command import CommandPalette

    from lsc_tui.tui.flows.migrate_wizard import MigrateWizard

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        before = app.session.text_of(demo / "run.yaml")
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"migr")
        for _ in range(20):  # the palette searches in a worker
            await pilot.pause(0.05)
        await pilot.press("enter")
        for _ in range(20):
            await pilot.pause(0.05)
            if isinstance(app.screen, MigrateWizard):
                break
        assert isinstance(app.screen, MigrateWizard)
        assert app.session.text_of(demo / "run.yaml") == before
        assert not app.session.dirty
