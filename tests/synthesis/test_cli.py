"""`lsc-tui synthesize` and `lsc-tui diff`: files in, files, text and exit codes out."""

from __future__ import annotations

import json
import shutil
import stat

import pytest
import yaml

from lsc_tui.cli import main
from synth_helpers import FIX

SECRET = "sk-" + "cli-0123456789abcdef"


@pytest.fixture
def e2e(tmp_path, monkeypatch):
    shutil.copytree(FIX / "e2e-library", tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    return tmp_path / "w"


def test_synthesize_writes_lcore_bytes_0600_to_the_default_path(e2e, capsys):
    (e2e / ".generated").mkdir()
    (e2e / ".generated" / "run.yaml").write_text("old")
    (e2e / ".generated" / "run.yaml").chmod(0o644)
    assert main(["synthesize", "lightspeed-stack.yaml"]) == 0
    out = e2e / ".generated" / "run.yaml"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    expected = (e2e / "run.lcore-expected.yaml").read_text()
    assert out.read_text() == expected
    assert "wrote .generated/run.yaml" in capsys.readouterr().out


def test_synthesize_to_stdout_masks_secrets(e2e, capsys):
    cfg = yaml.safe_load((e2e / "lightspeed-stack.yaml").read_text())
    cfg["llama_stack"]["config"]["native_override"] = {"providers": {"safety": [
        {"provider_id": "x", "provider_type": "remote::y", "config": {"api_key": SECRET}}]}}
    (e2e / "lightspeed-stack.yaml").write_text(yaml.safe_dump(cfg))
    assert main(["synthesize", "lightspeed-stack.yaml", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert SECRET not in out and "api_key: ********" in out
    assert main(["synthesize", "lightspeed-stack.yaml", "-o", "-", "--show-secrets"]) == 0
    assert SECRET in capsys.readouterr().out
    assert main(["synthesize", "lightspeed-stack.yaml", "-o", "x/run.yaml"]) == 0
    assert SECRET in (e2e / "x" / "run.yaml").read_text()  # the file is what LCORE writes


def test_explain_prints_each_line_with_its_origin(e2e, capsys):
    assert main(["synthesize", "lightspeed-stack.yaml", "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    text = (e2e / "run.lcore-expected.yaml").read_text().splitlines()
    assert len(out) == len(text)
    byok = [line for line in out if "byok_e2e-test-docs_storage:" in line]
    assert byok and "# byok lightspeed-stack.yaml:29:9 rag.byok.stores[0]" in byok[0]
    first = out[0]
    assert first.split()[0] == "1" and "# profile run.yaml:4:1 apis" in first
    assert not (e2e / ".generated").exists()  # --explain alone writes nothing


def test_synthesize_exits_1_with_findings_on_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text("version: 2\n")
    (tmp_path / "lightspeed-stack.yaml").write_text(
        "name: x\nservice: {}\nuser_data_collection: {}\n"
        "llama_stack: {use_as_library_client: true, library_client_config_path: run.yaml, config: {}}\n")
    assert main(["synthesize", "lightspeed-stack.yaml"]) == 1
    err = capsys.readouterr().err
    assert "unified-and-legacy" in err and "nothing was written" in err
    assert not (tmp_path / ".generated").exists()


def test_synthesize_bad_input_exits_2(tmp_path, capsys):
    assert main(["synthesize", str(tmp_path / "missing.yaml")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_legacy_server_mode_uses_the_run_yaml_beside_or_given(tmp_path, monkeypatch, capsys):
    shutil.copytree(FIX / "byok-okp-server", tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    assert main(["synthesize", "lightspeed-stack.yaml", "-o", "out.yaml"]) == 0
    expected = (tmp_path / "w" / "run.legacy-server.lcore-expected.yaml").read_text()
    assert (tmp_path / "w" / "out.yaml").read_text() == expected
    assert main(["synthesize", "lightspeed-stack.yaml", "--run-yaml", "nope.yaml"]) == 1


def test_diff_exit_codes_like_diff1(e2e, capsys):
    assert main(["diff", "lightspeed-stack.yaml"]) == 2  # nothing generated yet
    assert "--against" in capsys.readouterr().err
    assert main(["synthesize", "lightspeed-stack.yaml"]) == 0
    capsys.readouterr()
    assert main(["diff", "lightspeed-stack.yaml"]) == 0
    assert capsys.readouterr().out == ""
    cfg = yaml.safe_load((e2e / "lightspeed-stack.yaml").read_text())
    cfg["llama_stack"]["config"]["native_override"] = {"server": {"port": 9000}, "auth": {"password": SECRET}}
    (e2e / "lightspeed-stack.yaml").write_text(yaml.safe_dump(cfg))
    assert main(["diff", "lightspeed-stack.yaml"]) == 1
    out = capsys.readouterr().out
    assert "-  port: 8321\n+  port: 9000" in out and SECRET not in out
    assert "# ~ server.port: 8321 -> 9000" in out
    assert main(["diff", "lightspeed-stack.yaml", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {"kind": "changed", "path": ["server", "port"], "path_text": "server.port", "old": 8321,
            "new": 9000} in data["changes"]
    assert SECRET not in json.dumps(data)
    (e2e / "bad.yaml").write_text("a: [\n")
    assert main(["diff", "lightspeed-stack.yaml", "--against", "bad.yaml"]) == 2


def test_diff_reads_the_baseline_through_the_guarded_reader(e2e, capsys):
    """--against is read like every config file: located syntax errors, and aliases that
    expand without bound are refused, not expanded."""
    (e2e / "bad.yaml").write_text("version: 2\nproviders: [\n")
    assert main(["diff", "lightspeed-stack.yaml", "--against", "bad.yaml"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:3:1: error: yaml-syntax" in err and "Traceback" not in err
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    (e2e / "bomb.yaml").write_text("\n".join(lines) + "\n")
    assert main(["diff", "lightspeed-stack.yaml", "--against", "bomb.yaml"]) == 2
    assert "yaml-alias-bomb" in capsys.readouterr().err
    (e2e / "list.yaml").write_text("- a\n")
    assert main(["diff", "lightspeed-stack.yaml", "--against", "list.yaml"]) == 2
    assert "list.yaml: not a run.yaml mapping" in capsys.readouterr().err


def test_diff_legacy_library_defaults_to_the_legacy_run_yaml(tmp_path, monkeypatch, capsys):
    shutil.copytree(FIX / "legacy-lib-byok", tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    assert main(["diff", "lightspeed-stack.yaml"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- run.yaml\n+++ synthesized run.yaml\n")
    assert "+      provider_id: byok_docs" in out and "+      provider_id: okp_solr" in out
    assert "# + providers.vector_io[1]" in out


def test_synthesize_to_a_file_does_not_scan_for_secrets(e2e, monkeypatch, capsys):
    """The scan only masks what is printed; a file holds the values as they are (a tenth of
    the command at 10,000 lines)."""
    from lsc_tui.config import preview

    def no_scan(ws):
        raise AssertionError("the secrets scan ran for a run.yaml written to a file")

    monkeypatch.setattr(preview, "scan_secrets", no_scan)
    assert main(["synthesize", "lightspeed-stack.yaml", "-o", "out.yaml"]) == 0
    assert (e2e / "out.yaml").read_text() == (e2e / "run.lcore-expected.yaml").read_text()
    capsys.readouterr()
    assert main(["synthesize", "lightspeed-stack.yaml", "-o", "-"]) == 2  # printed: masked, so scanned
    assert "(AssertionError)" in capsys.readouterr().err


def test_under_json_an_unreadable_env_file_is_a_located_finding(e2e, capsys):
    """`--env-file` naming a directory: the text on stderr as before, and the object's findings
    carry it with its place."""
    (e2e / "env.d").mkdir()
    assert main(["synthesize", "--json", "-o", "-", "--env-file", "env.d", "lightspeed-stack.yaml"]) == 2
    out, err = capsys.readouterr()
    (finding,) = json.loads(out)["findings"]
    assert finding["file"] == "env.d" and finding["code"] == "env-file" and finding["severity"] == "error"
    assert "the env file" in finding["message"] and "NAME=value lines" in finding["fix"]
    assert f"{finding['file']}:{finding['line']}:{finding['column']}: error: env-file: {finding['message']}" in err


def test_under_json_a_config_that_does_not_parse_is_a_located_finding(e2e, capsys):
    (e2e / "lightspeed-stack.yaml").write_text("name: x\nservice: [unclosed\n")
    assert main(["synthesize", "--json", "-o", "-", "lightspeed-stack.yaml"]) == 2
    out, err = capsys.readouterr()
    findings = json.loads(out)["findings"]
    assert findings and all(f["severity"] == "error" and f["line"] > 0 for f in findings), findings
    first = findings[0]
    assert f"lightspeed-stack.yaml:{first['line']}:{first['column']}: error: {first['code']}" in err
