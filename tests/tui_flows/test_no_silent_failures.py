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


def test_a_long_key_path_is_broken_at_its_dots_never_inside_a_name():
    from lsc_tui.tui.flows.migrate_wizard import fit_key_path

    path = "llama_stack.config.native_override.providers.inference[0].config.api_key"
    for width in (30, 40, 60, 72, 100):
        text = fit_key_path(path, "    ", width)
        lines = text.split("\n")
        assert all(len(line) <= width for line in lines), (width, lines)
        assert "".join(line.strip() for line in lines) == path
        names = {n for n in path.replace("[", ".").replace("]", "").split(".") if n}
        for line in lines:  # every line starts and ends on a whole key name
            tokens = [t for t in line.strip().replace("[", ".").replace("]", "").split(".") if t]
            assert tokens[0] in names and tokens[-1] in names, line
