"""`lsc-tui secrets scan|fix`: exit codes, JSON, and a canary that must appear in no output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lsc_tui.cli import main

from .samples import j, rnd
from .workspace import make_secrets, write_workspace

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "lightspeed-stack"


def run_cli(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_exit_codes(tmp_path, capsys):
    clean = tmp_path / "clean.yaml"
    clean.write_text("version: 2\nproviders:\n  inference:\n  - provider_id: x\n    config:\n"
                     "      api_key: ${env.OPENAI_API_KEY}\n")
    assert run_cli(["secrets", "scan", clean], capsys)[0] == 0
    dirty = CORPUS / "examples" / "lightspeed-stack-conversation-cache-pg.yaml"
    code, out, _err = run_cli(["secrets", "scan", dirty], capsys)
    assert code == 1 and "conversation_cache.postgres.password" in out and "POSTGRES_PASSWORD" in out
    assert run_cli(["secrets", "scan", tmp_path / "missing.yaml"], capsys)[0] == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n")
    code, _out, err = run_cli(["secrets", "scan", broken, clean], capsys)
    assert code == 2 and "broken.yaml:" in err
    warn = tmp_path / "warn.yaml"
    warn.write_text(f"version: 2\nopaque: {rnd(40)}\n")
    assert run_cli(["secrets", "scan", warn], capsys)[0] == 0
    assert run_cli(["secrets", "scan", "--strict", warn], capsys)[0] == 1
    assert run_cli(["secrets"], capsys)[0] == 2


def test_scan_json_and_multi_document_files(tmp_path, capsys):
    manifest = tmp_path / "k8s.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Secret\nstringData:\n"
                        f"  OPENAI_API_KEY: {j('sk-', 'proj-', rnd(60))}\n")
    code, out, _err = run_cli(["secrets", "scan", "--json", manifest,
                               CORPUS / "examples" / "lightspeed-stack-byok-okp-rag.yaml"], capsys)
    data = json.loads(out)
    assert code == 1
    assert {f["key_path"] for f in data["findings"]} == {"stringData.OPENAI_API_KEY", "llama_stack.api_key"}
    assert {f["rule"] for f in data["findings"]} == {"openai-api-key", "secret-key"}
    for f in data["findings"]:
        assert set(f) >= {"file", "line", "column", "rule", "confidence", "fingerprint", "suggested_env"}


def test_corpus_done_criteria(capsys):
    code, out, _ = run_cli(["secrets", "scan", "--json",
                            CORPUS / "examples" / "lightspeed-stack-conversation-cache-pg.yaml",
                            CORPUS / "examples" / "lightspeed-stack-byok-okp-rag.yaml",
                            CORPUS / "docs" / "design" / "llama-stack-config-merge" / "poc-results" / "library-mode"
                            / "synthesized-run.yaml",
                            CORPUS / "examples" / "vllm-rhaiis.yaml",
                            CORPUS / "examples" / "azure-run.yaml",
                            CORPUS / "run.yaml"], capsys)
    data = json.loads(out)
    assert code == 1
    assert sorted((Path(f["file"]).name, f["key_path"]) for f in data["findings"]) == [
        ("lightspeed-stack-byok-okp-rag.yaml", "llama_stack.api_key"),
        ("lightspeed-stack-conversation-cache-pg.yaml", "conversation_cache.postgres.password"),
    ]


def test_fix_cli_dry_run_then_write(tmp_path, capsys):
    secrets = make_secrets()
    config = write_workspace(tmp_path / "ws", secrets)
    before = config.read_text()
    code, out, _err = run_cli(["secrets", "fix", config], capsys)
    assert code == 1 and "Dry run" in out and config.read_text() == before
    assert not (config.parent / ".env").exists()
    code, out, err = run_cli(["secrets", "fix", config, "--write"], capsys)
    assert code == 0, err
    assert (config.parent / ".env").exists() and "wrote" in out
    code, out, _ = run_cli(["secrets", "scan", config], capsys)
    assert code == 0
    code, out, _ = run_cli(["secrets", "fix", config], capsys)
    assert code == 0 and "No literal secrets" in out


def test_fix_cli_bad_input(tmp_path, capsys):
    config = write_workspace(tmp_path / "ws", make_secrets())
    assert run_cli(["secrets", "fix", config, "--name", "nonsense"], capsys)[0] == 2
    assert run_cli(["secrets", "fix", config, "--k8s-secret", "BAD NAME"], capsys)[0] == 2
    assert run_cli(["secrets", "fix", tmp_path / "nope.yaml"], capsys)[0] == 2


def test_a_refused_fix_says_why_on_stderr_and_gives_no_after_the_write_advice(tmp_path, capsys):
    """A plan that cannot be written (here: .env a link out of the workspace) printed its error on
    stdout among the plan, then the advice for after a write (delete the .bak backups, load the
    .env) and the diff, as if it had been applied."""
    config = write_workspace(tmp_path / "ws", make_secrets())
    outside = tmp_path / "outside"
    outside.mkdir()
    (config.parent / ".env").symlink_to(outside / "planted.env")
    before = config.read_text()
    code, out, err = run_cli(["secrets", "fix", config, "--write"], capsys)
    assert code == 2
    assert "outside the workspace" in err and "error:" in err and "Nothing was written." in err
    assert "error:" not in out and "outside the workspace" not in out
    assert "still hold the literal values" not in out
    assert "Load .env" not in out and "+++ " not in out
    assert "literal secret" in out  # the plan itself is still shown
    assert config.read_text() == before and list(outside.iterdir()) == []


@pytest.mark.parametrize("named", ["lightspeed-stack.yaml", "run.yaml", "alias.env"])
def test_an_env_file_that_is_a_file_of_the_workspace_is_refused(tmp_path, capsys, named):
    """`--env-file lightspeed-stack.yaml` appended the values to the config, then stopped at the
    config's own change ("changed on disk"): the config was left broken, its secret still there."""
    config = write_workspace(tmp_path / "ws", make_secrets())
    (config.parent / "alias.env").symlink_to("lightspeed-stack.yaml")
    before = {p.name: p.read_bytes() for p in config.parent.iterdir()}
    code, out, err = run_cli(["secrets", "fix", config, "--env-file", config.parent / named, "--write"], capsys)
    assert code == 2
    assert "a file of this workspace" in err and "Nothing was written." in err
    assert {p.name: p.read_bytes() for p in config.parent.iterdir()} == before


def test_reveal_prints_only_the_value(tmp_path, capsys):
    secrets = make_secrets()
    config = write_workspace(tmp_path / "ws", secrets)
    _code, out, _ = run_cli(["secrets", "scan", "--json", config], capsys)
    f = next(f for f in json.loads(out)["findings"] if f["key_path"] == "llama_stack.api_key")
    code, out, _ = run_cli(["secrets", "reveal", config, f["fingerprint"]], capsys)
    assert code == 0 and out == secrets["quoted"] + "\n"


# -- the canary -------------------------------------------------------------------------------


def _canary_workspace(root: Path, canary: str) -> Path:
    secrets = make_secrets()
    secrets["quoted"] = canary
    config = write_workspace(root, secrets)
    run = config.parent / "run.yaml"
    text = run.read_text()
    text = text.replace(secrets["urlpw"], canary).replace(secrets["bearer"], canary)
    text = text.replace(secrets["default"], canary).replace(secrets["openai"], canary)
    run.write_text(text)
    return config


def _commands(config: Path, tmp: Path) -> list[list[str]]:
    run = config.parent / "run.yaml"
    cmds = [
        ["secrets", "scan", config], ["secrets", "scan", "--json", "--show-allowed", config],
        ["secrets", "scan", run, config.parent / "missing.yaml"],
        ["secrets", "fix", config], ["secrets", "fix", "--json", config],
        ["secrets", "fix", "--k8s-secret", "lsc", config],
        ["validate", config], ["validate", "--json", config], ["validate", run],
        ["synthesize", config], ["synthesize", "--explain", config],
        ["diff", config], ["diff", "--json", config],
        ["migrate", config],
        ["export", "--help"],
        ["merge-external", "--run-yaml", run],
    ]
    return cmds


def test_canary_appears_in_no_output(tmp_path, capsys, caplog, monkeypatch):
    import logging

    caplog.set_level(logging.DEBUG)
    canary = j("cnry", rnd(24))
    needle = canary[4:16]
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    env.pop("LSC_TUI_DEBUG", None)
    monkeypatch.delenv("LSC_TUI_DEBUG", raising=False)
    leaks = []
    for i, argv in enumerate(_commands(_canary_workspace(tmp_path / "probe", canary), tmp_path)):
        work = tmp_path / f"run{i}"
        _canary_workspace(work, canary)
        argv = [str(a).replace(str(tmp_path / "probe"), str(work)) for a in argv]
        monkeypatch.chdir(work)
        caplog.clear()
        try:
            main(argv)
        except SystemExit:
            pass
        out, err = capsys.readouterr()
        for stream, text in (("stdout", out), ("stderr", err), ("log", caplog.text)):
            if needle in text:
                leaks.append((" ".join(argv[:3]), stream))
        # files a command wrote, other than the secrets' destinations, must be free of it too
        for p in work.rglob("*"):
            if p.is_file() and p.name not in (".env", "lightspeed-stack.yaml", "run.yaml") \
                    and not p.name.endswith((".bak", "-secret.yaml", ".pem", ".secret")):
                if needle in p.read_text(errors="replace"):
                    leaks.append((" ".join(argv[:3]), str(p.relative_to(work))))
    # finally a real fix: the output of --write, and the configs it leaves behind
    work = tmp_path / "write"
    config = _canary_workspace(work, canary)
    proc = subprocess.run([sys.executable, "-m", "lsc_tui.cli", "secrets", "fix", "--write", str(config)],
                          capture_output=True, text=True, cwd=work, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for text in (proc.stdout, proc.stderr, config.read_text(), (work / "run.yaml").read_text()):
        if needle in text:
            leaks.append(("secrets fix --write", "output or config"))
    assert needle in (work / ".env").read_text()  # it went where it should
    assert leaks == []
    # the harness does see a value when one is printed: the explicit reveal
    control = _canary_workspace(tmp_path / "control", canary)
    scan = subprocess.run([sys.executable, "-m", "lsc_tui.cli", "secrets", "scan", "--json", str(control)],
                          capture_output=True, text=True, env=env, timeout=60)
    fp = next(f["fingerprint"] for f in json.loads(scan.stdout)["findings"] if f["key_path"] == "llama_stack.api_key")
    shown = subprocess.run([sys.executable, "-m", "lsc_tui.cli", "secrets", "reveal", str(control), fp],
                           capture_output=True, text=True, env=env, timeout=60)
    assert needle in shown.stdout
    main(["secrets", "reveal", str(control), fp])  # and so does the in-process capture used above
    assert needle in capsys.readouterr().out


def test_validate_does_not_echo_a_numeric_password(tmp_path, capsys):
    digits = "0" + rnd(7, "1234567")
    config = tmp_path / "lightspeed-stack.yaml"
    config.write_text("name: x\nservice:\n  host: localhost\nllama_stack:\n  url: http://localhost:8321\n"
                      f"  api_key: {digits}\nuser_data_collection:\n  feedback_enabled: false\n")
    _code, out, err = run_cli(["validate", config], capsys)
    assert digits not in out + err


def test_detect_value_for_live_feedback():
    from lsc_tui.config.secrets import detect_value

    assert [h.rule for h in detect_value(j("gs", "k_", rnd(52)), "anything")] == ["groq-api-key"]
    assert [h.rule for h in detect_value(rnd(9), "password")] == ["secret-key"]
    assert detect_value("${env.OPENAI_API_KEY}", "api_key") == []
    assert detect_value("gpt-4o-mini", "model") == []


def test_scan_reads_the_workspace_without_the_model_validation(tmp_path):
    """The scan needs the documents only: neither pydantic nor the config models are loaded
    (most of the imports of a scan)."""
    dirty = CORPUS / "examples" / "lightspeed-stack-conversation-cache-pg.yaml"
    probe = ("import sys\nfrom lsc_tui.cli import main\ncode = main(['secrets', 'scan', sys.argv[1]])\n"
             "from lsc_tui.config.yaml import document\n"
             "print(code, 'pydantic' in sys.modules, 'lsc_tui.config.models.validate' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", probe, str(dirty)], capture_output=True, text=True, timeout=120)
    assert proc.stdout.split()[-3:] == ["1", "False", "False"], proc.stdout + proc.stderr


def test_a_secret_pasted_as_a_key_is_not_in_the_json_path(tmp_path, capsys):
    """An API key pasted where a key goes (`sk-proj-...: 1` under `service:`): the text names it
    "a key of `service`"; the finding's `path` in --json must not carry it either."""
    key = j("sk-", "proj-", rnd(48))
    config = tmp_path / "lightspeed-stack.yaml"
    config.write_text(f"name: x\nservice:\n  host: localhost\n  {key}: 1\nllama_stack:\n"
                      "  use_as_library_client: false\n  url: http://x:8321\nuser_data_collection: {}\n")
    code, out, err = run_cli(["validate", "--json", config], capsys)
    data = json.loads(out)
    assert code == 1 and key not in out + err
    [unknown] = [f for f in data["findings"] if f["code"] == "unknown-key"]
    assert unknown["path"][0] == "service" and unknown["path"][1] != key and unknown["line"] == 4
