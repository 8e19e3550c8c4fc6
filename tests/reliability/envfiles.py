"""The workspace the env-file tests check an env file against: a config whose llama_stack.url is
``${env.LSC_TEST_LLAMA_URL}``, its run.yaml (tests/fixtures/server_env), and ``bad.env``."""

from __future__ import annotations

from pathlib import Path

from lsc_tui.cli import main

SERVER_ENV = Path(__file__).resolve().parents[1] / "fixtures" / "server_env"
CONFIG = (SERVER_ENV / "lightspeed-stack.yaml").read_text(encoding="utf-8")
RUN = (SERVER_ENV / "run.yaml").read_text(encoding="utf-8")


def env_workspace(tmp_path, monkeypatch, env_text: str):
    """The config, its run.yaml and ``bad.env`` (``env_text``) in ``tmp_path``, the current directory,
    with the variable the config refers to unset."""
    monkeypatch.delenv("LSC_TEST_LLAMA_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "run.yaml").write_text(RUN, encoding="utf-8")
    (tmp_path / "bad.env").write_text(env_text, encoding="utf-8")
    return tmp_path


def run(capsys, *argv) -> tuple[int, str, str]:
    """``lsc-tui ARGV`` in this process: (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
