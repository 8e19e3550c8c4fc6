"""Every lightspeed-stack.yaml of the upstream corpus goes through `lsc-tui synthesize`
(from the corpus root, where LCORE's legacy paths resolve)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lsc_tui.cli import main
from synth_helpers import FIX

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus" / "lightspeed-stack"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus fixtures not present")


def _run(args, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "run.yaml"
    code = main(["synthesize", *args, "-o", str(out)])
    captured = capsys.readouterr()
    return code, (yaml.safe_load(out.read_text()) if out.exists() else None), captured.err


def test_legacy_library_azure_example_gets_azure_enrichment(tmp_path, monkeypatch, capsys):
    code, data, _ = _run(["examples/lightspeed-stack-azure-entraid-lib.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 0
    azure = [p for p in data["providers"]["inference"] if p["provider_type"] == "remote::azure"]
    assert azure and all(p["config"]["model_validation"] is False for p in azure)


def test_legacy_library_without_enrichment_inputs_runs_its_run_yaml(tmp_path, monkeypatch, capsys):
    code, data, err = _run(["examples/lightspeed-stack-conversation-cache-pg.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert data == yaml.safe_load((CORPUS / "run.yaml").read_text())
    assert "legacy-deprecated" in err


def test_stale_shields_example_fails_validation(tmp_path, monkeypatch, capsys):
    code, data, err = _run(["examples/lightspeed-stack-shields.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 1 and data is None and "error" in err


def test_server_examples(tmp_path, monkeypatch, capsys):
    code, data, _ = _run(["lightspeed-stack.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 0 and data == yaml.safe_load((CORPUS / "run.yaml").read_text())
    code, data, err = _run(["examples/lightspeed-stack-byok-okp-rag.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 1 and "--run-yaml" in err  # no run.yaml next to it: say which to use
    code, data, _ = _run(["examples/lightspeed-stack-byok-okp-rag.yaml", "--run-yaml", "run.yaml"],
                         tmp_path, monkeypatch, capsys)
    assert code == 0
    expected = FIX / "byok-okp-server" / "run.legacy-server.lcore-expected.yaml"
    assert (tmp_path / "run.yaml").read_text() == expected.read_text()


def test_unified_examples_whose_profile_is_placed_by_a_harness(tmp_path, monkeypatch, capsys):
    # in the repo, examples/run.yaml and the e2e ./run.yaml are put there by people or CI
    for config in ("examples/lightspeed-stack-lls-library.yaml",
                   "tests/e2e/configuration/library-mode/lightspeed-stack.yaml",
                   "docs/design/llama-stack-config-merge/poc-results/lightspeed-stack-unified-library.yaml"):
        code, data, err = _run([config], tmp_path, monkeypatch, capsys)
        assert code == 1 and data is None and "profile-missing" in err, config
