"""A part of lsc-tui that is missing or broken fails loudly: it never hides a feature in silence.

Every subcommand, flow and stylesheet ships with lsc-tui, so a module that cannot be imported or
a flow that cannot open is a packaging mistake or a bug: the operator (and the test suite) must
see it, not find a key that does nothing. (tests/packaging checks that the wheel holds every
file; tests/installed drives the installed editor.)
"""

from __future__ import annotations

import pytest

from lsc_tui import cli
from lsc_tui.tui import flows as flows_pkg
from lsc_tui.tui.flows.migrate_wizard import MigrationOffer

from .conftest import make_app
from .helpers import settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test


def test_a_subcommand_that_cannot_be_imported_fails_the_cli(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "lost", "lost_command_module")
    with pytest.raises(ModuleNotFoundError, match="lost_command_module"):
        cli.build_parser()
    with pytest.raises(ModuleNotFoundError):
        cli.main(["validate", "--help"])


def test_every_subcommand_is_in_the_parser():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == list(cli.COMMANDS)


def _broken_flow(monkeypatch, action: str):
    def cannot_open(app, session, on_done=None):
        raise FileNotFoundError(2, "No such file or directory", "lsc_tui/tui/flows/flows.tcss")

    monkeypatch.setattr(flows_pkg, "FLOWS", [f._replace(open=cannot_open) if f.action == action else f
                                             for f in flows_pkg.FLOWS])


async def test_a_flow_that_cannot_open_says_so(demo, monkeypatch):
    _broken_flow(monkeypatch, "flow_migrate")
    app = make_app(offer_migration=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        shown = list(app._notifications)
        errors = [n for n in shown if n.severity == "error"]
        assert errors, f"M did nothing and said nothing; notifications: {[n.message for n in shown]}"
        assert "Migrate could not open" in errors[0].message and "FileNotFoundError" in errors[0].message
        assert "flows.tcss" in errors[0].message


async def test_the_migration_offer_shows_on_a_legacy_config(demo):
    app = make_app(offer_migration=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MigrationOffer)


async def test_a_migration_offer_that_fails_is_not_swallowed(demo, monkeypatch):
    def broken(app, session, on_done=None, **_kwargs):
        raise FileNotFoundError(2, "No such file or directory", "lsc_tui/tui/flows/flows.tcss")

    monkeypatch.setattr(flows_pkg, "offer_migration", broken)
    app = make_app(offer_migration=True)
    with pytest.raises(FileNotFoundError, match=r"flows\.tcss"):  # the editor closes with an internal error
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
    assert app.return_code == 1
