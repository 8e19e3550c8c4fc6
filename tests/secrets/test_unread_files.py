"""`lsc-tui secrets scan|fix` on a config whose run.yaml or profile cannot be read: the file that
was not scanned is named (file, line, column, how to fix it) and the command exits 2, never 0.

A scan that passes while the run.yaml it was meant to cover is unreadable or not YAML would let a
literal secret through a CI gate. (A run.yaml that does not exist holds no secret: the scan of the
config alone stands; `validate` reports the missing file.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lsc_tui.cli import main

LEGACY = """\
name: demo
service: {host: localhost, port: 8080}
llama_stack:
  use_as_library_client: true
  library_client_config_path: run.yaml
user_data_collection: {}
"""

UNIFIED = """\
name: demo
service: {host: localhost, port: 8080}
llama_stack:
  use_as_library_client: true
  config:
    profile: profile.yaml
user_data_collection: {}
"""


def _cli(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _legacy(tmp_path: Path, run_yaml: str | None) -> Path:
    config = tmp_path / "lightspeed-stack.yaml"
    config.write_text(LEGACY)
    if run_yaml is not None:
        (tmp_path / "run.yaml").write_text(run_yaml)
    return config


@pytest.mark.parametrize(
    "body, where, code",
    [
        ("providers: [\n", "run.yaml:2:1:", "yaml-syntax"),
        ("providers: {}\n\x00\n", "run.yaml:2:1:", "file-binary"),
    ],
    ids=["not-yaml", "binary"],
)
def test_scan_names_the_run_yaml_it_could_not_read_and_exits_2(tmp_path, capsys, monkeypatch, body, where, code):
    config = _legacy(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    status, out, err = _cli(["secrets", "scan", config.name], capsys)
    assert status == 2, (out, err)
    assert where in err and code in err and "fix:" in err
    assert "Traceback" not in err
    status, out, _err = _cli(["secrets", "scan", "--json", config.name], capsys)
    data = json.loads(out)
    assert status == 2 and [e["code"] for e in data["errors"]] == [code]


def test_scan_names_an_unparseable_profile(tmp_path, capsys, monkeypatch):
    (tmp_path / "lightspeed-stack.yaml").write_text(UNIFIED)
    (tmp_path / "profile.yaml").write_text("providers:\n  inference: [\n")
    monkeypatch.chdir(tmp_path)
    status, _out, err = _cli(["secrets", "scan", "lightspeed-stack.yaml"], capsys)
    assert status == 2 and "profile.yaml:3:1:" in err and "yaml-syntax" in err


def test_a_run_yaml_that_does_not_exist_is_no_scan_error(tmp_path, capsys, monkeypatch):
    config = _legacy(tmp_path, None)
    monkeypatch.chdir(tmp_path)
    status, out, _err = _cli(["secrets", "scan", config.name], capsys)
    assert status == 0 and "1 file scanned" in out


def test_scan_still_reports_the_secrets_of_the_files_it_read(tmp_path, capsys, monkeypatch):
    config = _legacy(tmp_path, "providers: [\n")
    config.write_text(LEGACY + "conversation_cache:\n  type: postgres\n  postgres:\n"
                      "    host: db\n    db: c\n    user: u\n    password: Tr0ub4dor-and-3-horses\n")
    monkeypatch.chdir(tmp_path)
    status, out, err = _cli(["secrets", "scan", config.name], capsys)
    assert status == 2
    assert "conversation_cache.postgres.password" in out and "yaml-syntax" in err
    assert "Tr0ub4dor" not in out + err


def test_fix_refuses_a_workspace_it_could_not_read_whole(tmp_path, capsys, monkeypatch):
    config = _legacy(tmp_path, "providers: [\n")
    config.write_text(LEGACY + "conversation_cache:\n  type: postgres\n  postgres:\n"
                      "    host: db\n    db: c\n    user: u\n    password: Tr0ub4dor-and-3-horses\n")
    before = config.read_bytes()
    monkeypatch.chdir(tmp_path)
    status, _out, err = _cli(["secrets", "fix", config.name, "--write"], capsys)
    assert status == 2 and "run.yaml:" in err and "yaml-syntax" in err
    assert config.read_bytes() == before and not (tmp_path / ".env").exists()
    status, out, _err = _cli(["secrets", "fix", "--json", config.name], capsys)
    assert status == 2 and json.loads(out)["errors"]


def test_reveal_finds_a_config_value_while_the_run_yaml_is_missing(tmp_path, capsys, monkeypatch):
    config = _legacy(tmp_path, None)
    config.write_text(LEGACY + "conversation_cache:\n  type: postgres\n  postgres:\n"
                      "    host: db\n    db: c\n    user: u\n    password: Tr0ub4dor-and-3-horses\n")
    monkeypatch.chdir(tmp_path)
    _status, out, _err = _cli(["secrets", "scan", "--json", config.name], capsys)
    fp = json.loads(out)["findings"][0]["fingerprint"]
    status, out, _err = _cli(["secrets", "reveal", config.name, fp], capsys)
    assert status == 0 and out == "Tr0ub4dor-and-3-horses\n"


@pytest.mark.parametrize("argv", [["validate"], ["synthesize", "-o", "-"]], ids=["validate", "synthesize"])
def test_validate_and_synthesize_exit_2_on_a_run_yaml_that_is_not_yaml(tmp_path, capsys, monkeypatch, argv):
    config = _legacy(tmp_path, "providers: [\n")
    monkeypatch.chdir(tmp_path)
    status, out, err = _cli([argv[0], config.name, *argv[1:]], capsys)
    assert status == 2 and "run.yaml:2:1: error: yaml-syntax" in out + err


def test_validate_of_a_missing_run_yaml_is_a_finding_exit_1(tmp_path, capsys, monkeypatch):
    config = _legacy(tmp_path, None)
    monkeypatch.chdir(tmp_path)
    status, out, _err = _cli(["validate", config.name], capsys)
    assert status == 1 and "run-yaml-missing" in out


@pytest.mark.parametrize(
    "project, says",
    [
        ("secrets:\n  allow: [abc\n", ".lsc-tui.yaml:3:1: warning: allowlist-unread:"),
        ("secret:\n  allow: [0123456789abcdef]\n", ".lsc-tui.yaml:1:1: warning: allowlist-key: `secret`"),
        ("secrets:\n  allowed: [0123456789abcdef]\n", ".lsc-tui.yaml:2:3: warning: allowlist-key: `secrets.allowed`"),
        ("secrets:\n  allow: [not-a-fingerprint]\n", ".lsc-tui.yaml:2:11: warning: allowlist-entry:"),
    ],
    ids=["not-yaml", "misspelt-section", "misspelt-allow", "bad-fingerprint"],
)
def test_an_allowlist_that_allows_nothing_says_why(tmp_path, capsys, monkeypatch, project, says):
    """A `.lsc-tui.yaml` that cannot be read, or whose `secrets.allow` is misspelt, allowed nothing
    without a word: the operator saw their allowed findings come back and no reason."""
    config = _legacy(tmp_path, "version: 2\n")
    (tmp_path / ".git").mkdir()  # the project file is looked for up to the repository root
    (tmp_path / ".lsc-tui.yaml").write_text(project)
    monkeypatch.chdir(tmp_path)
    status, out, err = _cli(["secrets", "scan", config.name], capsys)
    assert status == 0, out + err
    assert says in err and "fix:" in err
    assert "not-a-fingerprint" not in err  # an entry's text is never echoed


def test_a_good_allowlist_says_nothing(tmp_path, capsys, monkeypatch):
    config = _legacy(tmp_path, "version: 2\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".lsc-tui.yaml").write_text('lcore: "0.6"\nsecrets:\n  allow:\n  - 0123456789abcdef\n'
                                           "  - {fingerprint: fedcba9876543210, reason: fixture}\n")
    monkeypatch.chdir(tmp_path)
    status, _out, err = _cli(["secrets", "scan", config.name], capsys)
    assert status == 0 and "allowlist" not in err
