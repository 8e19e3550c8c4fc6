"""Pilot: the palette checks the config against the server's environment (an env file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lsc_tui.tui.server_env import palette_commands, use_env_file

from .conftest import make_app
from .helpers import settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

# the config and run.yaml the env-file tests check against an env file (tests/tui/test_server_env.py, tests/reliability)
SERVER_ENV = Path(__file__).resolve().parents[1] / "fixtures" / "server_env"
CONFIG = (SERVER_ENV / "lightspeed-stack.yaml").read_text(encoding="utf-8")


async def test_an_env_file_turns_unset_variables_into_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("LSC_TEST_LLAMA_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "prod.env").write_text("OTHER=1\n", encoding="utf-8")
    (tmp_path / "fixed.env").write_text("LSC_TEST_LLAMA_URL=http://ls:8321\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        unset = [f for f in app.session.analysis.findings if f.code == "env-unset"]
        assert unset and not unset[0].is_error  # lsc-tui's own environment: a warning
        assert [name for name, *_ in palette_commands(app)] == ["Check against the server's environment…"]
        use_env_file(app, "prod.env")
        await settle(app, pilot)
        unset = [f for f in app.session.analysis.findings if f.code == "env-unset"]
        assert unset and unset[0].is_error and "prod.env" in unset[0].message
        assert app.view.counts["errors"] >= 1
        use_env_file(app, "fixed.env")
        await settle(app, pilot)
        assert not [f for f in app.session.analysis.findings if f.code == "env-unset"]
        assert "Check against lsc-tui's own environment" in [name for name, *_ in palette_commands(app)]
        use_env_file(app, "missing.env")  # told, nothing changes
        await settle(app, pilot)
        assert app.session.server_env_source == "fixed.env"
        os.mkfifo(tmp_path / "pipe.env")  # refused at once by the guarded reader, never waited on
        use_env_file(app, "pipe.env")
        await settle(app, pilot)
        assert app.session.server_env_source == "fixed.env"


async def test_the_dialog_says_when_the_file_is_no_env_file_and_never_shows_a_line(tmp_path, monkeypatch):
    """Before: a YAML file given in the dialog was read as no variables at all, silently."""
    from lsc_tui.tui.screens.dialogs import Prompt
    from lsc_tui.tui.server_env import ask_env_file

    monkeypatch.delenv("LSC_TEST_LLAMA_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "stray.env").write_text(
        "LSC_TEST_LLAMA_URL=http://ls:8321\nDB_PASSWORD Zq9hunter2Secret\n", encoding="utf-8"
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)

        async def answer(path: str) -> list[str]:
            ask_env_file(app)
            await pilot.pause()
            assert isinstance(app.screen, Prompt)
            app.screen.query_one("#prompt-path").value = path
            await pilot.press("enter")
            await settle(app, pilot)
            messages = [n.message for n in app._notifications]
            app.clear_notifications()
            return messages

        messages = await answer("lightspeed-stack.yaml")  # the config itself, by mistake
        wrong = [m for m in messages if "env-file-format" in m]
        assert wrong and "lightspeed-stack.yaml:1:1: error: env-file-format: not an env file" in wrong[0], messages
        assert "nothing changed" in wrong[0] and "Write NAME=value lines" in wrong[0]
        assert app.session.server_env is None  # nothing is checked against it
        messages = await answer("stray.env")  # one bad line among good ones: used, and said
        warned = [m for m in messages if "stray.env:2:1:" in m]
        assert warned and "stray.env:2:1: line 2 is not NAME=value (it has no '=')" in warned[0], messages
        assert "fix: Write NAME=value lines (a .env file)" in warned[0]
        assert app.session.server_env_source == "stray.env"
        assert not [f for f in app.session.analysis.findings if f.code == "env-unset"]
        assert not any("Zq9hunter2Secret" in m for m in messages)
