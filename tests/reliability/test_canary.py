"""Secrets canary: unique secrets planted in every kind of place never appear in any output.

Every command runs on two workspaces (legacy and unified) whose files carry canaries in the
config, the run.yaml, the profile, native_override, a URL password and a `:=` default. Any
output, file written outside the secret store, or exception text that contains a canary (or a
recognisable piece of one) fails the test. The screens have their own canary checks in the TUI
tests; this one covers the command line.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import textwrap
from pathlib import Path

import pytest

from lsc_tui import cli


def _canary(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


@pytest.fixture
def canaries():
    return {
        "config": _canary("Cfg"),
        "api_key": "sk-proj-" + secrets.token_urlsafe(24).replace("-", "a").replace("_", "b"),
        "run_yaml": _canary("Run"),
        "profile": _canary("Prf"),
        "override": _canary("Ovr"),
        "url": _canary("Url"),
        "default": _canary("Dfl"),
    }


def _legacy(tmp: Path, c: dict) -> Path:
    ws = tmp / "legacy"
    ws.mkdir()
    (ws / "run.yaml").write_text(textwrap.dedent(f"""\
        version: 2
        distro_name: canary
        apis: [inference, vector_io]
        providers:
          inference:
          - provider_id: openai
            provider_type: remote::openai
            config:
              api_key: {c['run_yaml']}
          - provider_id: vllm
            provider_type: remote::vllm
            config:
              url: https://admin:{c['url']}@vllm.example:8000/v1
              api_token: ${{env.VLLM_API_TOKEN:={c['default']}}}
          vector_io:
          - provider_id: pg
            provider_type: remote::pgvector
            config:
              host: db
              password: {c['config']}x
        """))
    (ws / "lightspeed-stack.yaml").write_text(textwrap.dedent(f"""\
        name: canary
        service: {{host: localhost, port: 8080}}
        llama_stack:
          use_as_library_client: true
          library_client_config_path: run.yaml
          api_key: {c['api_key']}
        user_data_collection: {{feedback_enabled: false}}
        conversation_cache:
          type: postgres
          postgres: {{host: db, db: x, user: u, password: {c['config']}}}
        """))
    return ws


def _unified(tmp: Path, c: dict) -> Path:
    ws = tmp / "unified"
    ws.mkdir()
    (ws / "profile.yaml").write_text(textwrap.dedent(f"""\
        version: 2
        distro_name: canary
        apis: [inference]
        providers:
          inference:
          - provider_id: watsonx
            provider_type: remote::watsonx
            config:
              api_key: {c['profile']}
        """))
    (ws / "lightspeed-stack.yaml").write_text(textwrap.dedent(f"""\
        name: canary
        service: {{host: localhost, port: 8080}}
        user_data_collection: {{feedback_enabled: false}}
        inference:
          providers:
          - type: vllm
            id: vllm-main
            api_key_env: VLLM_API_TOKEN
            extra:
              url: postgres://u:{c['url']}@h/db
        llama_stack:
          use_as_library_client: true
          config:
            profile: profile.yaml
            native_override:
              providers:
                safety:
                - provider_id: guard
                  provider_type: remote::guard
                  config:
                    api_key: {c['override']}
                    token: ${{env.GUARD_TOKEN:={c['default']}}}
        """))
    return ws


def _commands(ws: Path) -> list[list[str]]:
    cfg, run = str(ws / "lightspeed-stack.yaml"), ws / "run.yaml"
    argvs = [
        ["validate", cfg], ["validate", "--json", cfg],
        ["synthesize", cfg, "-o", "-"], ["synthesize", cfg, "--explain"],
        ["diff", cfg], ["diff", cfg, "--json"],
        ["migrate", cfg], ["migrate", cfg, "--json"],
        ["migrate", cfg, "--strategy", "lift"], ["migrate", cfg, "--strategy", "profile"],
        ["migrate", cfg, "--strategy", "smart", "--json"],
        ["secrets", "scan", cfg], ["secrets", "scan", cfg, "--json"],
        ["secrets", "fix", cfg], ["secrets", "fix", cfg, "--k8s-secret", "lcs-secrets"],
        ["export", "k8s", cfg, "-o", str(ws / "k8s-out")],
    ]
    if run.exists():
        argvs += [["validate", str(run)], ["secrets", "scan", str(run)],
                  ["preflight", "--run-yaml", str(run), "--check-config", "--keep-going"]]
    return argvs


def _run(argv: list[str], cwd: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:
                code = exc.code
    finally:
        os.chdir(old)
    return code, out.getvalue() + err.getvalue()


def _leaks(text: str, c: dict) -> list[str]:
    found = []
    for name, value in c.items():
        if value in text or value[4:20] in text:  # the whole canary, or a recognisable piece
            found.append(name)
    return found


@pytest.mark.parametrize("kind", ["legacy", "unified"])
def test_no_command_prints_a_canary(tmp_path, canaries, kind, monkeypatch, capfd):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    ws = (_legacy if kind == "legacy" else _unified)(tmp_path, canaries)
    ran = 0
    for argv in _commands(ws):
        assert argv[0] in cli.COMMANDS, argv
        code, output = _run(argv, ws)
        captured = capfd.readouterr()  # subprocess output (preflight probe) lands here
        leaks = _leaks(output + captured.out + captured.err, canaries)
        assert not leaks, f"`lsc-tui {' '.join(argv)}` printed the {leaks} canary"
        ran += 1
    assert ran >= 8
    # files lsc-tui wrote outside the places secrets belong (.env, Secret manifests) hold no canary
    for p in ws.rglob("*"):
        if p.is_file() and p.name not in ("lightspeed-stack.yaml", "run.yaml", "profile.yaml") \
                and not p.name.endswith(".bak") and "secret" not in p.name.lower() and p.name != ".env":
            assert not _leaks(p.read_text(errors="replace"), canaries), f"{p} holds a canary"


def test_internal_errors_do_not_print_values(tmp_path, canaries, monkeypatch):
    """An unexpected exception whose message carries a value is reported without it."""
    monkeypatch.delenv("LSC_TUI_DEBUG", raising=False)
    from lsc_tui.commands import validate

    def explode(args):
        raise ValueError(f"bad value {canaries['config']}")

    monkeypatch.setattr(validate, "run", explode)
    code, output = _run(["validate", "x.yaml"], tmp_path)
    assert code == 2 and "internal error" in output
    assert not _leaks(output, canaries)
