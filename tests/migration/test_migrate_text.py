"""The new file as text: comments and key order kept, run.yaml nested with its comments."""

from __future__ import annotations

import pytest

import yaml
from mig_helpers import PAIRS

from lsc_tui.config.migration import Migration


def _comments(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if "#" in line:
            out.append(line[line.index("#"):].strip())
    return out


def _top_keys(text: str) -> list[str]:
    return list(yaml.safe_load(text))


def test_lift_keeps_every_comment_and_the_key_order():
    pair = PAIRS["azure-entraid-lib"]
    m = Migration.open(pair.cwd / pair.config, cwd=pair.cwd)
    cand, proof = m.trial("lift")
    assert proof.equivalent and cand.comments_kept
    text = cand.text
    for comment in _comments(m.analysis.config.text) + _comments(m.analysis.run_yaml.text):
        assert comment in text
    assert _top_keys(text) == _top_keys(m.analysis.config.text)
    ls_keys = list(yaml.safe_load(text)["llama_stack"])
    assert ls_keys == ["use_as_library_client", "config"]  # config takes the removed key's place
    # every line of the original config is still there, except the legacy path
    new_lines = set(text.splitlines())
    for line in m.analysis.config.text.splitlines():
        if "library_client_config_path" not in line:
            assert line in new_lines, line


def test_lift_nests_the_run_yaml_text_verbatim():
    pair = PAIRS["no-mcp"]
    m = Migration.open(pair.cwd / pair.config, cwd=pair.cwd)
    cand, _ = m.trial("lift")
    run_lines = [ln for ln in m.analysis.run_yaml.text.splitlines() if ln.strip()]
    nested = [ln for ln in cand.text.splitlines() if ln.startswith("      ")]
    assert [ln[6:] for ln in nested[: len(run_lines)]] == run_lines


def test_smart_and_profile_keep_comments():
    pair = PAIRS["no-mcp"]
    m = Migration.open(pair.cwd / pair.config, cwd=pair.cwd)
    for strategy in ("profile", "smart"):
        cand, _ = m.trial(strategy)
        for comment in _comments(m.analysis.config.text):
            assert comment in cand.text, (strategy, comment)


def test_flow_style_block_falls_back_and_stays_equivalent(tmp_path):
    (tmp_path / "run.yaml").write_text(
        "version: 2\napis: [inference, tool_runtime]\nproviders:\n  tool_runtime:\n"
        "    - {provider_id: model-context-protocol, provider_type: remote::model-context-protocol, config: {}}\n")
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("# flow style\nname: LCS\nservice: {host: 0.0.0.0, port: 8080}\n"
                   "llama_stack: {use_as_library_client: true, library_client_config_path: run.yaml}\n"
                   "user_data_collection: {feedback_enabled: false, transcripts_enabled: false}\n")
    m = Migration.open(cfg, cwd=tmp_path)
    for strategy in ("lift", "profile", "smart"):
        cand, proof = m.trial(strategy)
        assert proof.equivalent, (strategy, proof.paths())
        assert yaml.safe_load(cand.text) == cand.data
        assert "# flow style" in cand.text
        assert "library_client_config_path" not in cand.text


def test_ogx_alias_is_migrated_under_ogx(tmp_path):
    (tmp_path / "run.yaml").write_text("version: 2\napis: [inference]\n")
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: LCS\nservice:\n  port: 8080\nogx:\n  use_as_library_client: true\n"
                   "  library_client_config_path: run.yaml\nuser_data_collection:\n  feedback_enabled: false\n")
    m = Migration.open(cfg, cwd=tmp_path)
    cand, proof = m.trial("lift")
    assert proof.equivalent
    assert cand.data["ogx"]["config"] == {"baseline": "empty", "native_override": {"version": 2, "apis": ["inference"]}}
    assert "llama_stack" not in cand.data


def test_an_empty_run_yaml_is_refused_not_proven_equivalent(tmp_path):
    # LCORE and Llama Stack refuse to start from an empty run.yaml: there is no legacy run that a
    # migrated file could be equivalent to (it used to "prove" `native_override: {}` equivalent)
    from lsc_tui.config.migration.analyse import MigrationInputError

    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: LCS\nservice:\n  port: 8080\nllama_stack:\n  use_as_library_client: true\n"
                   "  library_client_config_path: run.yaml\nuser_data_collection:\n  feedback_enabled: false\n")
    for text in ("# nothing yet\n", "", "{}\n"):
        (tmp_path / "run.yaml").write_text(text)
        with pytest.raises(MigrationInputError) as caught:
            Migration.open(cfg, cwd=tmp_path)
        assert caught.value.finding.code == "migrate-run-yaml-empty"


def test_smart_keeps_a_provider_with_a_required_env_reference_in_native_override(tmp_path):
    # in run.yaml only Llama Stack resolves ${env.VLLM_URL}; lifted into inference.providers[].extra,
    # LCORE would resolve it when it loads the config and refuse to start without it
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: LCS\nservice:\n  port: 8080\nllama_stack:\n  use_as_library_client: true\n"
                   "  library_client_config_path: run.yaml\nuser_data_collection:\n  feedback_enabled: false\n")
    lifted = {}
    for url in ("${env.VLLM_URL}", "${env.VLLM_URL:=http://vllm:8000/v1}"):
        (tmp_path / "run.yaml").write_text(
            "version: 2\ndistro_name: x\napis: [inference]\nproviders:\n  inference:\n"
            "  - provider_id: vllm\n    provider_type: remote::vllm\n    config:\n"
            f"      url: {url}\n      api_token: ${{env.VLLM_API_TOKEN}}\n")
        cand, proof = Migration.open(cfg, cwd=tmp_path).trial("smart")
        assert proof.equivalent
        lifted[url] = cand.lifted
        if not cand.lifted:
            override = cand.data["llama_stack"]["config"]["native_override"]
            assert override["providers"]["inference"][0]["config"]["url"] == url
    # a := default never stops LCORE, so that one may move
    assert lifted == {"${env.VLLM_URL}": [], "${env.VLLM_URL:=http://vllm:8000/v1}": ["vllm"]}
