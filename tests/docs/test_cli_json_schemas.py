"""Every command that reports has --json, and its output validates against schemas/cli/<command>.schema.json."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from lsc_tui.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas" / "cli"
SECRET = "sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678"

# a unified config with one vLLM provider, shared with the lsp and serve tests
UNIFIED = (Path(__file__).resolve().parents[1] / "fixtures" / "unified-vllm.yaml").read_text(encoding="utf-8")
RUN = """\
version: 2
distro_name: starter
apis: [inference]
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::vllm
    config: {base_url: http://vllm:8000}
registered_resources:
  models: []
"""
EXTRA = """\
apiVersion: llamastack.io/v1alpha1
kind: ExternalProviders
providers:
  inference:
  - provider_id: custom
    provider_type: remote::custom
    module: my_org.custom
    config: {url: http://custom:8000}
"""


def _schema_name(words: list[str]) -> str:
    return "export" if words == ["export", "k8s"] else "-".join(words)


def _with_json(parser: argparse.ArgumentParser, words: list[str]):
    if any("--json" in a.option_strings for a in parser._actions):
        yield words
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _with_json(sub, words + [name])


def test_every_command_with_json_has_a_schema_and_the_reporting_commands_have_json():
    commands = list(_with_json(build_parser(), []))
    assert {"validate", "synthesize", "diff", "migrate", "merge-external", "expand", "export"} <= {
        _schema_name(w) for w in commands}
    for words in commands:
        path = SCHEMAS / f"{_schema_name(words)}.schema.json"
        assert path.is_file(), f"lsc-tui {' '.join(words)} --json has no schema ({path.name})"
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))
    names = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    assert names == {_schema_name(w) for w in commands}  # no schema without a command


def _cli(*args: str, cwd: Path) -> tuple[int, str]:
    r = subprocess.run([sys.executable, "-m", "lsc_tui", *args], cwd=cwd, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    return r.returncode, r.stdout


def _check(name: str, stdout: str, lines: bool = False) -> list[dict]:
    validator = jsonschema.Draft202012Validator(json.loads((SCHEMAS / f"{name}.schema.json").read_text()))
    docs = [json.loads(line) for line in stdout.splitlines() if line.strip()] if lines else [json.loads(stdout)]
    for doc in docs:
        errors = sorted(validator.iter_errors(doc), key=str)
        assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return docs


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "lightspeed-stack.yaml").write_text(UNIFIED)
    (tmp_path / "run.yaml").write_text(RUN)
    (tmp_path / "extra-providers.yaml").write_text(EXTRA)
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "lightspeed-stack.yaml").write_text(
        "name: x\nservice: {host: localhost, port: 8080}\nllama_stack:\n  use_as_library_client: true\n"
        "  library_client_config_path: run.yaml\nuser_data_collection: {}\n"
        f"conversation_cache:\n  type: postgres\n  postgres: {{host: db, db: c, user: u, password: {SECRET}}}\n")
    (legacy / "run.yaml").write_text(RUN)
    shutil.copy(ROOT / "tests" / "fixtures" / "operator" / "v1alpha2-full.yaml", tmp_path / "cr.yaml")
    return tmp_path


@pytest.mark.slow  # every command with --json, each output validated
def test_json_outputs_validate_against_their_schemas(ws):
    code, out = _cli("validate", "--json", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("validate", out)
    assert doc["lcore"]["release"] == "main" and doc["lcore"]["source"] == "default"
    code, out = _cli("validate", "--json", "--lcore", "0.6", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("validate", out)
    assert doc["lcore"]["release"] == "0.6" and doc["lcore"]["source"] == "--lcore"
    code, out = _cli("synthesize", "--json", "-o", "-", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("synthesize", out)
    assert code == 0 and doc["ok"] and "provider_id: vllm1" in doc["output"] and doc["mode"] == "unified"
    code, out = _cli("synthesize", "--json", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("synthesize", out)
    assert doc["written"] and Path(doc["written"][0]).name == "run.yaml" and doc["output"] is None
    code, out = _cli("synthesize", "--json", "--explain", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("synthesize", out)
    assert doc["explain"] and "#" in doc["explain"][0]
    code, out = _cli("synthesize", "--json", "missing.yaml", cwd=ws)
    (doc,) = _check("synthesize", out)
    assert code == 2 and doc["ok"] is False and doc["exit_code"] == 2
    assert doc["lcore"]["release"] == "main"
    code, out = _cli("diff", "--json", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("diff", out)
    assert doc["lcore"]["source"] == "default"
    code, out = _cli("migrate", "--json", "--lcore", "0.5", "legacy/lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("migrate", out)
    assert doc["lcore"]["release"] == "0.5"
    code, out = _cli("secrets", "scan", "--json", "legacy", cwd=ws)
    (doc,) = _check("secrets-scan", out)
    assert doc["findings"] and SECRET not in out
    code, out = _cli("secrets", "fix", "--json", "legacy/lightspeed-stack.yaml", cwd=ws)
    _check("secrets-fix", out)
    assert SECRET not in out
    code, out = _cli("merge-external", "--json", "--run-yaml", "run.yaml", "--extra-providers",
                     "extra-providers.yaml", cwd=ws)
    (doc,) = _check("merge-external", out)
    assert code == 0 and doc["providers"] == 1 and "provider_id: custom" in doc["output"]
    code, out = _cli("merge-external", "--json", "--run-yaml", "nope.yaml", "--extra-providers",
                     "extra-providers.yaml", cwd=ws)
    (doc,) = _check("merge-external", out)
    assert code == 2 and doc["findings"] and doc["findings"][0]["code"] == "file-not-found"
    code, out = _cli("expand", "--json", "cr.yaml", cwd=ws)
    (doc,) = _check("expand", out)
    assert doc["ok"] == (code == 0) and (doc["output"] or doc["findings"])
    code, out = _cli("export", "k8s", "--json", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("export", out)
    assert code == 0 and "kind: LlamaStackDistribution" in doc["output"] and doc["round_trip_differences"] == []
    assert doc["lcore"]["release"] == "main"
    code, out = _cli("export", "k8s", "--json", "-o", "k8s", "lightspeed-stack.yaml", cwd=ws)
    (doc,) = _check("export", out)
    assert sorted(Path(w).name for w in doc["written"]) == ["configmap.yaml", "llamastackdistribution.yaml"]
    code, out = _cli("preflight", "--json", "--run-yaml", "run.yaml", cwd=ws)
    events = _check("preflight", out, lines=True)
    assert events[-1]["event"] == "summary"


@pytest.mark.parametrize(
    "argv, schema, names",
    [
        (["diff", "--json", "missing.yaml"], "diff", "missing.yaml:0:0"),
        (["diff", "--json", "bad.yaml"], "diff", "bad.yaml:4:1"),
        (["diff", "--json", "lightspeed-stack.yaml", "--against", "gone.yaml"], "diff", "gone.yaml:0:0"),
        (["secrets", "fix", "--json", "missing.yaml"], "secrets-fix", "missing.yaml:0:0"),
        (["secrets", "fix", "--json", "bad.yaml"], "secrets-fix", "bad.yaml:4:1"),
        (["secrets", "fix", "--json", "lightspeed-stack.yaml", "--name", "x"], "secrets-fix", "FINGERPRINT=ENV_NAME"),
        (["preflight", "--json", "--run-yaml", "missing.yaml"], "preflight", "missing.yaml: no such file"),
        (["preflight", "--json", "--run-yaml", "bad.yaml"], "preflight", "bad.yaml:4:1: not valid YAML"),
        (["preflight", "--json", "--run-yaml", "lightspeed-stack.yaml"], "preflight", "no 'providers' section"),
    ],
    ids=["diff-missing", "diff-not-yaml", "diff-against-missing", "fix-missing", "fix-not-yaml", "fix-bad-name",
         "preflight-missing", "preflight-not-yaml", "preflight-no-providers"],
)
def test_json_on_bad_input_is_still_one_json_object_with_the_reason(ws, argv, schema, names):
    """A script that reads --json gets the reason as JSON (exit 2), not an empty stdout."""
    (ws / "bad.yaml").write_text("name: x\nservice:\n  host: [1, 2\n")
    code, out = _cli(*argv, cwd=ws)
    assert code == 2
    if schema == "preflight":  # one event a line: the fatal event alone
        (doc,) = _check(schema, out, lines=True)
        assert doc["event"] == "fatal" and doc["exit_code"] == 2 and doc["error"]["code"] == "bad_input"
        assert names in doc["error"]["reason"] and doc["error"]["resolution"]
        return
    (doc,) = _check(schema, out)
    reason = doc["error"] if schema == "diff" else " ".join(doc["errors"])
    assert names in reason


@pytest.mark.parametrize("words, schema", [(["validate"], "validate"), (["diff"], "diff"), (["migrate"], "migrate")])
def test_json_when_the_lcore_release_cannot_be_decided_is_one_json_object(ws, words, schema):
    """A bad --python (or --lcore setting) stopped these three with nothing on stdout under --json."""
    code, out = _cli(*words, "--json", "--python", str(ws / "no-such-python"), "lightspeed-stack.yaml", cwd=ws)
    assert code == 2
    (doc,) = _check(schema, out)
    assert "python-missing" in json.dumps(doc) and "no-such-python" in json.dumps(doc)
