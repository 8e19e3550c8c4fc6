"""A flow whose helper fails says so: the secrets review's naming plan and the preflight panel's
view of the run never fail in silence (the operator would see stale rows or made-up names)."""

from __future__ import annotations

import pytest

from lsc_tui.tui.flows.preflight_panel import controller_for
from lsc_tui.tui.flows.secrets_review import SecretsReview

from .conftest import HostApp, open_session

pytestmark = pytest.mark.anyio


async def test_a_naming_plan_that_fails_is_told(demo, monkeypatch):
    import lsc_tui.config.secrets as core

    def broken(*args, **kwargs):
        raise ValueError("the allow-list has a bad pattern at line 3")

    monkeypatch.setattr(core, "plan_fix", broken)
    app = HostApp(open_session(demo), SecretsReview)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SecretsReview)
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("Cannot plan the variable names" in m and "bad pattern at line 3" in m for m in warnings), \
            [n.message for n in app._notifications]
        # the review still offers a name for the finding
        assert all(app.screen.state.suggested.values())


async def test_a_panel_that_cannot_show_the_run_is_told(demo):
    app = HostApp(open_session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        ctl = controller_for(app)
        seen = []

        def broken() -> None:
            raise KeyError("row 7")

        ctl.listeners += [broken, lambda: seen.append(1)]
        ctl.changed()
        await pilot.pause()
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert any("cannot show the run" in m and "KeyError" in m for m in errors), errors
        assert broken not in ctl.listeners and seen == [1]  # the others still hear of the run
