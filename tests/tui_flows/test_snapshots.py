"""Snapshots of every step of the three flows at 80x24 and 120x40 (snapshots/flows/).

Deterministic: fixed sizes and theme, the analysis worker awaited, the preflight panel in
``stable`` mode (no spinner frames, no durations), paths relative to the workspace. Every
screenshot is also checked for the planted secret and for absolute temporary paths.
"""

from __future__ import annotations

import shutil
import time

import pytest

from lsc_tui.tui.flows.interpreters import Interpreter
from lsc_tui.tui.flows.migrate_wizard import STEPS, MigrateWizard
from lsc_tui.tui.flows.preflight_panel import PreflightPanel, controller_for
from lsc_tui.tui.flows.secrets_review import SecretsReview

from .conftest import PLANTED, PYTHON, HostApp, open_session, run_yaml

pytestmark = pytest.mark.slow  # the editor in a pilot or a snapshot: seconds per test

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


def clean(svg: str, *forbidden: str) -> None:
    assert PLANTED not in svg, "a secret value reached a screenshot"
    for f in forbidden:
        assert f not in svg, f"{f!r} is on screen"


async def _wait(pilot, cond, timeout=30.0):
    t0 = time.monotonic()
    while not cond():
        assert time.monotonic() - t0 < timeout, "timed out"
        await pilot.pause(0.05)
    await pilot.pause()


@pytest.fixture
def stable_demo(tmp_path):
    """The demo workspace at a path that is the same on every run (for the paths on screen)."""
    from .conftest import DEMO

    ws = tmp_path / "demo"
    ws.mkdir()
    for f in DEMO.iterdir():
        if f.suffix == ".yaml":
            shutil.copy(f, ws / f.name)
    return ws / "lightspeed-stack.yaml"


# -- the wizard: every step --------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("at", STEPS)
def test_wizard_step(snap_compare, stable_demo, at, size):
    app = HostApp(open_session(stable_demo), MigrateWizard)
    shots = []

    async def run_before(pilot):
        scr = pilot.app.screen
        await _wait(pilot, lambda: scr.ready)
        for _ in range(min(STEPS.index(at), STEPS.index("files"))):
            await pilot.press("n")
        if at == "done":
            await pilot.press("w")
        await _wait(pilot, lambda: STEPS[scr.step] == at and scr.preview_settled)
        shots.append(pilot.app.export_screenshot())

    assert snap_compare(app, terminal_size=size, run_before=run_before)
    clean(shots[0], str(stable_demo.parent))


def test_wizard_high_contrast_strategy(snap_compare, stable_demo):
    app = HostApp(open_session(stable_demo), MigrateWizard, theme="lsc-high-contrast")

    async def run_before(pilot):
        scr = pilot.app.screen
        await _wait(pilot, lambda: scr.ready)
        await pilot.press("n", "n")
        await _wait(pilot, lambda: scr.preview_settled)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


# -- the secrets review ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", ["list", "preview", "applied"])
def test_secrets_review(snap_compare, stable_demo, state, size):
    app = HostApp(open_session(stable_demo), SecretsReview)
    shots = []

    async def run_before(pilot):
        await pilot.pause()
        if state in ("preview", "applied"):
            await pilot.press("a")
            await pilot.pause()
        if state == "applied":
            await pilot.press("y")
            await pilot.pause()
        shots.append(pilot.app.export_screenshot())

    assert snap_compare(app, terminal_size=size, run_before=run_before)
    clean(shots[0], str(stable_demo.parent))


def test_secrets_revealed_value_is_hidden_again_before_any_screenshot(stable_demo):
    """Reveal is for the operator's eyes: leaving the row hides it, so a screenshot after it is clean."""
    import asyncio

    app = HostApp(open_session(stable_demo), SecretsReview)

    async def go():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("v")
            await pilot.pause()
            assert PLANTED in app.export_screenshot()
            await pilot.press("v")
            await pilot.pause()
            clean(app.export_screenshot())

    asyncio.run(go())


# -- the preflight panel -----------------------------------------------------------------------------


@pytest.fixture
def pf_ws(tmp_path, site):
    site.good("alpha_provider", "alpha")
    site.good("beta_provider", "beta")
    p = tmp_path / "ws" / "run.yaml"
    p.parent.mkdir()
    p.write_text(run_yaml([("alpha", "remote::alpha", "alpha_provider"), ("beta", "remote::beta", "beta_provider"),
                           ("broken", "remote::broken", "missing_provider_pkg")]))
    return p


INTERPRETERS = [Interpreter("current", PYTHON, "python (lsc-tui's own)"),
                Interpreter("venv", PYTHON, ".venv/bin/python")]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", ["idle", "failed", "collapsed", "chooser"])
def test_preflight_panel(snap_compare, pf_ws, state, size):
    app = HostApp(open_session(pf_ws), lambda s: PreflightPanel(s, interpreters=list(INTERPRETERS), stable=True))
    shots = []

    async def run_before(pilot):
        await pilot.pause()
        if state in ("failed", "collapsed"):
            ctl = controller_for(pilot.app)
            await pilot.press("k", "r")
            await _wait(pilot, lambda: ctl.state.status not in ("idle", "preparing", "running"))
            assert ctl.state.status == "failed"
        if state == "collapsed":
            await pilot.press("down", "down", "enter")
        if state == "chooser":
            await pilot.press("i")
        await pilot.pause()
        shots.append(pilot.app.export_screenshot())

    assert snap_compare(app, terminal_size=size, run_before=run_before)
    clean(shots[0], str(pf_ws.parent), "/tmp/")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_preflight_panel_running(snap_compare, tmp_path, site, size):
    """A run in progress: the spinner frozen, the row in its import phase, the others waiting."""
    site.sleepy("sleepy_provider", "sleepy")
    site.good("alpha_provider", "alpha")
    p = tmp_path / "ws" / "run.yaml"
    p.parent.mkdir()
    p.write_text(run_yaml([("sleepy", "remote::sleepy", "sleepy_provider"),
                           ("alpha", "remote::alpha", "alpha_provider")]))
    app = HostApp(open_session(p), lambda s: PreflightPanel(s, interpreters=list(INTERPRETERS), stable=True))

    async def run_before(pilot):
        ctl = controller_for(pilot.app)
        await pilot.press("r")
        await _wait(pilot, lambda: ctl.state.rows and ctl.state.rows[0].phase == "import")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("theme", ["lsc-light", "lsc-high-contrast"])
def test_secrets_review_themes(snap_compare, stable_demo, theme):
    """The light and the 16-colour high-contrast themes apply to the flows too."""
    app = HostApp(open_session(stable_demo), SecretsReview, theme=theme)
    assert snap_compare(app, terminal_size=(80, 24))


def test_wizard_done_light(snap_compare, stable_demo):
    app = HostApp(open_session(stable_demo), MigrateWizard, theme="lsc-light")

    async def run_before(pilot):
        scr = pilot.app.screen
        await _wait(pilot, lambda: scr.ready)
        await pilot.press("n", "n", "n", "n", "w")
        await _wait(pilot, lambda: STEPS[scr.step] == "done")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
