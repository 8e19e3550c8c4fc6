"""Snapshots of the main screen: legacy and unified, 80x24 and 120x40, dark and high contrast.

Approved SVGs live in the top-level snapshots/ folder (see conftest.py). Deterministic: fixed
size and theme, the workspace in a fixed relative path, no clock, no watcher, jobs awaited.
Review a change with ``pytest tests/tui/test_snapshots.py --snapshot-report report.html``,
then ``--snapshot-update``.
"""

from __future__ import annotations

import pytest

from .conftest import make_app

pytestmark = pytest.mark.slow  # the editor in a pilot or a snapshot: seconds per test

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


OPERATOR_CASES = {
    # a CR after an edit: the tree of its spec, the node, and the generated config.yaml's diff
    "cr-120x40": ("k8s_cr", "llsd.yaml", (120, 40), ("spec", "storage", "kv", "endpoint"), "redis-ha:6379",
                  "llsd.yaml|spec.storage", "tree"),
    # extra-providers.yaml at 80x24 after an edit, on the preview pane: the merged run.yaml's diff
    "extra-80x24": ("extra_providers", "extra-providers.yaml", (80, 24),
                    ("providers", "inference", 0, "config", "url"), "http://vllm-b:8000/v1",
                    "extra-providers.yaml|providers.inference[0]", "diff"),
}


@pytest.mark.parametrize("case", list(OPERATOR_CASES))
def test_operator_file(case, snap_compare, request):
    """Issue 10 item 5: the operator's files open in the editor with the generated config as the preview."""
    from lsc_tui.config.session import SetValue

    fixture, name, size, path, value, key, pane = OPERATOR_CASES[case]
    folder = request.getfixturevalue(fixture)
    app = make_app(name)

    async def run_before(pilot):
        await app.wait_idle()
        app.submit(lambda s: s.apply(SetValue(folder / name, path, value)))
        await app.wait_idle()
        app.query_one("#tree").select_key(key)
        await pilot.pause()
        app.action_pane(pane)
        await pilot.pause()
        await app.wait_idle()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_three_field_prompt_fits_80x24(demo, snap_compare):
    """A prompt of three fields (Export for Kubernetes) shows its fields and buttons at 80x24."""
    app = make_app()

    async def run_before(pilot):
        from lsc_tui.tui.k8s_commands import palette_commands

        await app.wait_idle()
        commands = {name: callback for name, _help, callback in palette_commands(app)}
        commands[next(n for n in commands if n.startswith("Export for Kubernetes"))]()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_no_color(size, demo, snap_compare, monkeypatch):
    """NO_COLOR=1: every state badge (E/W/S in the header, the tree and the findings) reads in
    monochrome, as reverse video."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color

    async def run_before(pilot):
        await app.wait_idle()
        app.query_one("#tree").select_key(CASES["legacy"][1])
        await pilot.pause()
        await app.wait_idle()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
