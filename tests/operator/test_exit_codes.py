"""One meaning per exit code across the commands that read operator files and write outputs
(docs/cli.md): 2 when an input cannot be used at all (missing, a directory, not YAML) or the
output cannot be written; 1 when the files were read and break a rule of their kind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "lsc_tui" / "data" / "demo"
CR = ROOT / "tests" / "fixtures" / "corpus" / "llama-stack-k8s-operator" / "config" / "samples" / (
    "example-withoutconfigmap.yaml")


@pytest.fixture
def ws(tmp_path, monkeypatch) -> Path:
    shutil.copy(DEMO / "run.yaml", tmp_path / "run.yaml")
    shutil.copy(DEMO / "lightspeed-stack.yaml", tmp_path / "lightspeed-stack.yaml")
    shutil.copy(CR, tmp_path / "cr.yaml")
    (tmp_path / "a-file").write_text("not a directory\n")
    (tmp_path / "a-dir").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "argv, names",
    [
        (["--extra-providers", "missing.yaml"], "missing.yaml:0:0: error: file-not-found"),
        (["--extra-providers", "a-dir"], "a-dir:0:0: error: file-is-directory"),
        (["--metadata-dir", "missing"], "missing:0:0: error: metadata-dir-missing: the metadata directory does not exist"),
        (["--metadata-dir", "a-file"], "a-file:0:0: error: metadata-dir-missing: is a file, not a directory"),
    ],
    ids=["extra-missing", "extra-directory", "metadata-missing", "metadata-is-a-file"],
)
def test_merge_external_input_that_cannot_be_used_exits_2(cli, ws, argv, names):
    code, out, err = cli("merge-external", "--run-yaml", "run.yaml", *argv)
    assert code == 2 and out == ""
    assert names in err and "fix:" in err


def test_merge_external_of_a_missing_run_yaml_exits_2(cli, ws):
    (ws / "extra.yaml").write_text("apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\nproviders: {}\n")
    code, _out, err = cli("merge-external", "--run-yaml", "gone.yaml", "--extra-providers", "extra.yaml")
    assert code == 2 and "gone.yaml:0:0: error: file-not-found" in err


def test_merge_external_rule_broken_still_exits_1(cli, ws):
    (ws / "e.yaml").write_text("apiVersion: llamastack.io/v1alpha1\nkind: ProviderPackage\nproviders: {}\n")
    code, _out, err = cli("merge-external", "--run-yaml", "run.yaml", "--extra-providers", "e.yaml")
    assert code == 1 and "kind: Unsupported value" in err


WRITERS = {
    "synthesize": ["synthesize", "lightspeed-stack.yaml", "-o", "a-file/sub/run.yaml"],
    "expand": ["expand", "cr.yaml", "-o", "a-file/sub/config.yaml"],
    "export": ["export", "k8s", "lightspeed-stack.yaml", "-o", "a-file/sub"],
    "merge-external": ["merge-external", "--run-yaml", "run.yaml", "--extra-providers", "extra.yaml",
                       "-o", "a-file/sub/run.yaml"],
    "schema": ["schema", "run-yaml", "-o", "a-file/sub/s.json"],
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_an_output_that_cannot_be_written_exits_2_and_says_why(cli, ws, command):
    (ws / "extra.yaml").write_text("apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\nproviders: {}\n")
    code, _out, err = cli(*WRITERS[command])
    assert code == 2, err
    assert "a-file/sub" in err and "error: cannot write" in err and "fix:" in err
    assert (ws / "a-file").read_text() == "not a directory\n"


@pytest.mark.parametrize("command", ["synthesize", "expand", "export", "merge-external"])
def test_json_names_the_write_that_failed(cli, ws, command):
    (ws / "extra.yaml").write_text("apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\nproviders: {}\n")
    argv = WRITERS[command]
    code, out, _err = cli(*argv, "--json")
    doc = json.loads(out)
    assert code == 2 and doc["exit_code"] == 2 and doc["ok"] is False
    [failed] = [f for f in doc["findings"] if f["code"] == "file-write"]
    assert "a-file/sub" in failed["file"] and failed["message"].startswith("cannot write") and failed["fix"]
