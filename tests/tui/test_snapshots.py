"""Snapshots of the main screen: legacy and unified, 80x24 and 120x40, dark and high contrast.

Approved SVGs live in the top-level snapshots/ folder (see conftest.py). Deterministic: fixed
size and theme, the workspace in a fixed relative path, no clock, no watcher, jobs awaited.
Review a change with ``pytest tests/tui/test_snapshots.py --snapshot-report report.html``,
then ``--snapshot-update``.
"""

from __future__ import annotations

import pytest

from .conftest import make_app

CASES = {
    "legacy": ("demo", "run.yaml|providers.inference[0]"),
    "unified": ("unified", "lightspeed-stack.yaml|inference.providers[0]"),
}


@pytest.mark.parametrize("theme", ["lsc-dark", "lsc-high-contrast"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("config", ["legacy", "unified"])
def test_main_screen(config, size, theme, snap_compare, request):
    fixture, key = CASES[config]
    request.getfixturevalue(fixture)
    app = make_app(theme=theme)

    async def run_before(pilot):
        await app.wait_idle()
        tree = app.query_one("#tree")
        tree.select_key(key)
        await pilot.pause()
        await app.wait_idle()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
