"""One or more tests per rule of lcore.md section 15 ("facts an editor/synthesizer must
mirror"). Each would fail if the rule were broken."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from lsc_tui.config.synthesis.baseline import default_baseline
from lsc_tui.config.synthesis.emit import DEFAULT_OUTPUT, dump_run_yaml, write_run_yaml
from lsc_tui.config.synthesis.unified import synthesize_unified
from lsc_tui.config.workspace import load_workspace
from synth_helpers import FIX, base_config, codes, load, unified

DEFAULT = default_baseline()


def _ids(data, api="inference"):
    return [p.get("provider_id") for p in data["providers"][api]]


def _write(tmp_path: Path, data: dict, name="lightspeed-stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --- rule 1: detection uses P or V or C; `config: {}` is unified, `providers: []` is not ----
def test_rule1_config_block_alone_is_a_synthesis_input(tmp_path):
    ws = load_workspace(_write(tmp_path, base_config(llama_stack={"use_as_library_client": True, "config": {}})))
    assert ws.mode == "unified"
    # and synthesizing it gives the built-in default baseline (which already has MCP)
    assert unified({}).data == DEFAULT


def test_rule1_empty_inference_providers_is_not_a_synthesis_input(tmp_path):
    cfg = base_config(llama_stack={"use_as_library_client": False, "url": "http://ls:8321"},
                      inference={"providers": []})
    assert load_workspace(_write(tmp_path, cfg)).mode == "legacy-server"
    # an empty list adds nothing when synthesizing either
    assert unified({}, inference={"providers": []}).data == DEFAULT


def test_rule1_vector_store_providers_alone_is_unified(tmp_path):
    cfg = base_config(vector_store={"default_provider": "v", "providers": [
        {"id": "v", "type": "faiss", "embedding_model": "m", "embedding_dimension": 8, "config": {"path": "/v.db"}}]})
    assert load_workspace(_write(tmp_path, cfg)).mode == "unified"


# --- rule 2: root-check errors in LCORE's order ------------------------------------------------
def test_rule2_exclusivity_wins_over_version_mismatch(tmp_path):
    (tmp_path / "run.yaml").write_text("version: 2\n")
    cfg = base_config(config_format_version="legacy",
                      llama_stack={"use_as_library_client": True, "library_client_config_path": "run.yaml",
                                   "config": {}})
    ws = load_workspace(_write(tmp_path, cfg), cwd=tmp_path)
    errors = [f.code for f in ws.findings if f.is_error]
    assert "unified-and-legacy" in errors and "config-format-version" not in errors


def test_rule2_no_source_then_version(tmp_path):
    cfg = base_config(config_format_version="unified")
    ws = load_workspace(_write(tmp_path, cfg), cwd=tmp_path)
    errors = [f.code for f in ws.findings if f.is_error]
    assert errors.index("no-run-source") < errors.index("config-format-version")


# --- rule 3: profile beats baseline; empty skips MCP; path bases --------------------------
def test_rule3_profile_beats_baseline_empty():
    profile = {"version": 2, "apis": ["inference"], "providers": {"inference": []}}
    result = unified({"baseline": "empty", "profile": "p.yaml"}, profile=profile)
    assert result.data["apis"] == ["inference", "tool_runtime"]  # MCP ensure ran: not "empty"
    assert result.origin_of(("apis", 0)).step == "profile"


def test_rule3_empty_baseline_skips_mcp_but_an_empty_profile_does_not():
    assert unified({"baseline": "empty"}).data == {}
    result = synthesize_unified(load("unified/empty-profile.yaml"), FIX / "unified",
                                config_file="unified/empty-profile.yaml")
    assert result.data == {"apis": ["tool_runtime"], "providers": {"tool_runtime": [
        {"provider_id": "model-context-protocol", "provider_type": "remote::model-context-protocol",
         "config": {}}]}}


def test_rule3_relative_profile_resolves_against_the_config_directory(tmp_path, monkeypatch):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "p.yaml").write_text("version: 2\ndistro_name: from-config-dir\n")
    (tmp_path / "p.yaml").write_text("version: 2\ndistro_name: from-cwd\n")
    monkeypatch.chdir(tmp_path)
    cfg = base_config(llama_stack={"use_as_library_client": True, "config": {"profile": "p.yaml"}})
    result = synthesize_unified(cfg, conf, config_file="conf/lightspeed-stack.yaml")
    assert result.data["distro_name"] == "from-config-dir"
    # an absolute path is used as-is
    cfg["llama_stack"]["config"]["profile"] = str(tmp_path / "p.yaml")
    assert synthesize_unified(cfg, conf, config_file="x").data["distro_name"] == "from-cwd"


def test_rule3_missing_profile_is_an_error_finding(tmp_path):
    cfg = base_config(llama_stack={"use_as_library_client": True, "config": {"profile": "nope.yaml"}})
    result = synthesize_unified(cfg, tmp_path, config_file="c.yaml")
    assert "synthesis-profile-missing" in codes(result)


def test_rule3_legacy_path_is_relative_to_cwd(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (tmp_path / "run.yaml").write_text("version: 2\ndistro_name: cwd\n")
    cfg = base_config(llama_stack={"use_as_library_client": True, "library_client_config_path": "run.yaml"})
    ws = load_workspace(_write(conf, cfg), cwd=tmp_path)
    assert ws.mode == "legacy-library" and ws.run_yaml.data["distro_name"] == "cwd"


# --- rule 4: pipeline order -----------------------------------------------------------------
def test_rule4_baseline_dedupe_runs_before_byok():
    profile = {"providers": {"vector_io": [{"provider_id": "byok_kb", "provider_type": "inline::faiss"},
                                           {"provider_id": "byok_kb", "provider_type": "dup"}]}}
    result = unified({"profile": "p"}, profile=profile,
                     rag={"byok": {"stores": [{"rag_id": "kb", "vector_db_id": "v", "db_path": "/d"}]}})
    assert result.data["providers"]["vector_io"] == [{"provider_id": "byok_kb", "provider_type": "inline::faiss"}]


def test_rule4_azure_runs_before_high_level_inference():
    profile = {"providers": {"inference": [{"provider_id": "az1", "provider_type": "remote::azure"}]}}
    result = unified({"profile": "p"}, profile=profile, azure_entra_id={"tenant_id": "t"},
                     inference={"providers": [{"type": "azure", "id": "az2"}]})
    rows = {p["provider_id"]: p for p in result.data["providers"]["inference"]}
    assert rows["az1"]["config"] == {"model_validation": False}
    assert "config" not in rows["az2"]  # enrichment already ran: the known gap
    assert "synthesis-azure-model-validation" in codes(result)


def test_rule4_byok_then_okp_then_vector_store_then_inference():
    result = unified(
        {"baseline": "empty"},
        rag={"byok": {"stores": [{"rag_id": "kb", "vector_db_id": "v", "db_path": "/d"}]},
             "retrieval": {"tool": {"sources": ["okp"]}}},
        vector_store={"default_provider": "okp_solr", "providers": [
            {"id": "okp_solr", "type": "faiss", "embedding_model": "m", "embedding_dimension": 4,
             "config": {"path": "/v"}}]},
    )
    vio = result.data["providers"]["vector_io"]
    # BYOK appended first, Solr second, then vector_store replaced Solr's entry in place
    assert [p["provider_id"] for p in vio] == ["byok_kb", "okp_solr"]
    assert vio[1]["provider_type"] == "inline::faiss"
    assert result.origin_of(("providers", "vector_io", 1)).step == "vector_store"


def test_rule4_mcp_then_override_then_final_dedupe():
    override = {"providers": {"tool_runtime": [{"provider_id": "file-search", "provider_type": "x"}],
                              "vector_io": [{"provider_id": "a", "provider_type": "1"},
                                            {"provider_id": " a ", "provider_type": "2"}]}}
    result = unified({"native_override": override})
    assert _ids(result.data, "tool_runtime") == ["file-search"]  # override ran after MCP ensure
    assert result.data["providers"]["vector_io"] == [{"provider_id": "a", "provider_type": "1"}]


def test_rule4_high_level_inference_runs_after_vector_store_and_before_override():
    result = unified({"native_override": {"providers": {"inference": [{"provider_id": "only"}]}}},
                     inference={"providers": [{"type": "vllm"}]})
    assert _ids(result.data) == ["only"]
    assert "synthesis-lcore-3370" in codes(result)


# --- rule 5: merge: maps recurse, everything else replaces, no deletes --------------------
def test_rule5_override_merge_semantics():
    override = {"storage": {"backends": {"kv_default": {"db_path": "/x"}}},
                "apis": ["inference"], "vector_stores": {"default_embedding_model": None},
                "distro_name": {"a": 1}, "new_key": [1]}
    data = unified({"native_override": override}).data
    assert data["storage"]["backends"]["kv_default"] == {"type": "kv_sqlite", "db_path": "/x"}
    assert data["storage"]["backends"]["sql_default"] == DEFAULT["storage"]["backends"]["sql_default"]
    assert data["apis"] == ["inference"]
    assert data["vector_stores"]["default_embedding_model"] is None
    assert data["vector_stores"]["default_provider_id"] == "faiss"
    assert data["distro_name"] == {"a": 1}
    assert data["new_key"] == [1]
    assert set(DEFAULT) <= set(data)  # nothing deleted


# --- rule 6: provider ids, replace in place, key fields, no empty config -------------------
def test_rule6_provider_id_rule_and_fields():
    result = unified({}, inference={"providers": [
        {"type": "sentence_transformers"},
        {"type": "vllm_rhel_ai", "api_key_env": "K1"},
        {"type": "vllm_rhaiis", "id": "mine", "api_key_env": "K2"},
        {"type": "vllm", "api_key_env": "K3"},
        {"type": "watsonx", "api_key_env": "K4", "allowed_models": ["m"],
         "extra": {"api_key": "lost", "allowed_models": ["lost"], "url": "u"}},
    ]})
    rows = {p["provider_id"]: p for p in result.data["providers"]["inference"]}
    assert rows["sentence-transformers"] == {"provider_id": "sentence-transformers",
                                             "provider_type": "inline::sentence-transformers"}
    assert rows["vllm-rhel-ai"]["config"] == {"api_token": "${env.K1}"}
    assert rows["mine"] == {"provider_id": "mine", "provider_type": "remote::vllm",
                            "config": {"api_token": "${env.K2}"}}
    assert rows["vllm"]["config"] == {"api_token": "${env.K3}"}
    assert rows["watsonx"]["config"] == {"api_key": "${env.K4}", "allowed_models": ["m"], "url": "u"}
    # sentence_transformers replaced the baseline row in place (position 1)
    assert _ids(result.data)[1] == "sentence-transformers"


def test_rule6_openai_replaces_the_conditional_row_in_place():
    result = unified({}, inference={"providers": [{"type": "openai", "api_key_env": "OPENAI_API_KEY"}]})
    assert _ids(result.data) == ["openai", "sentence-transformers"]
    assert result.data["providers"]["inference"][0] == {
        "provider_id": "openai", "provider_type": "remote::openai",
        "config": {"api_key": "${env.OPENAI_API_KEY}"}}


def test_rule6_other_providers_append_and_keep_the_conditional_row():
    result = unified({}, inference={"providers": [{"type": "ollama"}, {"type": "ollama", "extra": {"url": "u"}}]})
    assert _ids(result.data) == ["${env.OPENAI_API_KEY:+openai}", "sentence-transformers", "ollama"]
    assert result.data["providers"]["inference"][2]["config"] == {"url": "u"}  # last wins


def test_rule6_high_level_entry_replaces_whole_entry():
    profile = {"providers": {"inference": [{"provider_id": "vllm", "provider_type": "remote::vllm",
                                            "config": {"url": "old", "tls_verify": False}}]}}
    result = unified({"profile": "p"}, profile=profile,
                     inference={"providers": [{"type": "vllm", "extra": {"url": "new"}}]})
    assert result.data["providers"]["inference"] == [
        {"provider_id": "vllm", "provider_type": "remote::vllm", "config": {"url": "new"}}]


# --- rule 7: env refs are never resolved while synthesizing ---------------------------------
def test_rule7_env_refs_stay_verbatim(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-" + "live-value-123")
    monkeypatch.setenv("MY_URL", "http://resolved")
    result = unified({"native_override": {"x": "${env.MY_URL}"}},
                     inference={"providers": [{"type": "openai", "api_key_env": "OPENAI_API_KEY"}]},
                     rag={"byok": {"stores": [{"rag_id": "r", "vector_db_id": "${env.MY_URL}",
                                               "db_path": "${env.MY_URL:=/d}"}]}})
    assert "live-value" not in result.text and "http://resolved" not in result.text
    assert "${env.OPENAI_API_KEY}" in result.text
    assert result.data["x"] == "${env.MY_URL}"
    assert result.data["storage"]["backends"]["byok_r_storage"]["db_path"] == "${env.MY_URL:=/d}"
    assert "${env.EXTERNAL_PROVIDERS_DIR:=~/.llama/providers.d}" in result.text


# --- rule 8: output format, 0600, default path ---------------------------------------------
def test_rule8_keys_sorted_block_style_indented_lists():
    text = unified({"native_override": {"zzz": [{"b": 1, "a": [2]}], "aaa": {}}}).text
    lines = text.splitlines()
    top = [line.split(":")[0] for line in lines if line and not line.startswith(" ")]
    assert top == sorted(top) and top[0] == "aaa"
    assert "aaa: {}" in lines
    assert "zzz:\n  - a:\n      - 2\n    b: 1" in text
    assert text == yaml.dump(yaml.safe_load(text), Dumper=_LcoreDumper, default_flow_style=False)


class _LcoreDumper(yaml.Dumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def test_rule8_write_creates_0600_and_tightens_existing(tmp_path):
    target = tmp_path / "deep" / "dir" / "run.yaml"
    write_run_yaml(target, {"a": 1})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == "a: 1\n"
    other = tmp_path / "old.yaml"
    other.write_text("x")
    os.chmod(other, 0o644)
    write_run_yaml(other, {"b": "${env.X}"})
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
    assert other.read_text() == "b: ${env.X}\n"
    assert [p.name for p in other.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_rule8_default_output_path():
    assert DEFAULT_OUTPUT == Path(".generated/run.yaml")


# --- rule 9: `ogx:` alias and `baseline: byo-llm` ------------------------------------------
def test_rule9_ogx_wins_over_llama_stack():
    cfg = base_config(ogx={"use_as_library_client": True, "config": {"baseline": "empty"}})
    cfg["llama_stack"]["config"] = {"native_override": {"from": "llama_stack"}}
    result = synthesize_unified(cfg, FIX, config_file="c.yaml")
    assert result.data == {}


def test_rule9_ogx_override_provenance_names_the_ogx_key():
    cfg = base_config(ogx={"config": {"baseline": "empty", "native_override": {"k": 1}}})
    result = synthesize_unified(cfg, FIX, config_file="c.yaml")
    assert result.origin_of(("k",)).source_path == ("ogx", "config", "native_override", "k")


def test_rule9_byo_llm_is_default_minus_the_openai_row():
    result = unified({"baseline": "byo-llm"})
    expected = default_baseline()
    expected["providers"]["inference"] = expected["providers"]["inference"][1:]
    assert result.data == expected
    # provenance still points into the packaged default (the row moved from index 1 to 0)
    origin = result.origin_of(("providers", "inference", 0, "provider_id"))
    assert origin.file == "builtin:default"
    assert origin.source_path == ("providers", "inference", 1, "provider_id")


def test_dump_is_stable_for_the_default_baseline():
    assert dump_run_yaml(DEFAULT) == yaml.dump(DEFAULT, Dumper=_LcoreDumper, default_flow_style=False)
