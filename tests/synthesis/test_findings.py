"""Known upstream defects are mirrored, and explained by located warnings."""

from __future__ import annotations

import yaml

from lsc_tui.config.synthesis.unified import synthesize_unified
from lsc_tui.config.yaml.document import Document
from synth_helpers import FIX, codes, load, unified


def _locate_with(path):
    doc = Document(path, path.read_text(), None, str(path))
    return lambda file, p: doc.position(p)


def test_lcore_3370_wipes_enrichment_and_says_so():
    path = FIX / "unified/lcore-3370.yaml"
    result = synthesize_unified(load("unified/lcore-3370.yaml"), path.parent, config_file=str(path),
                                locate=_locate_with(path))
    # mirrored: LCORE's output has neither the BYOK entries nor model_validation
    assert [p["provider_id"] for p in result.data["providers"]["vector_io"]] == ["faiss"]
    assert result.data["registered_resources"] == {"models": [], "vector_stores": []}
    assert "model_validation" not in result.data["providers"]["inference"][0]["config"]
    warned = {f.path: f for f in result.findings if f.code == "synthesis-lcore-3370"}
    base = ("llama_stack", "config", "native_override")
    assert set(warned) == {base + ("providers", "inference"), base + ("providers", "vector_io"),
                           base + ("registered_resources", "models"),
                           base + ("registered_resources", "vector_stores")}
    vio = warned[base + ("providers", "vector_io")]
    assert vio.severity.value == "warning" and "BYOK" in vio.message and "LCORE-3370" in vio.message
    assert "profile" in vio.fix
    assert (vio.line, vio.column) == (17, 9)  # the `vector_io:` key inside native_override
    assert "Azure" in warned[base + ("providers", "inference")].message


def test_no_3370_warning_when_the_override_does_not_touch_enriched_lists():
    result = unified({"native_override": {"providers": {"tool_runtime": []}, "server": {"port": 1}}},
                     rag={"byok": {"stores": [{"rag_id": "r", "vector_db_id": "v", "db_path": "/d"}]}})
    assert "synthesis-lcore-3370" not in codes(result)
    assert result.data["providers"]["tool_runtime"] == []  # replacing tool_runtime opts out of MCP


def test_override_that_only_merges_maps_keeps_enrichment():
    result = unified({"native_override": {"providers": {"extra_api": [1]}}},
                     azure_entra_id={"tenant_id": "t"},
                     inference={"providers": [{"type": "azure", "extra": {"model_validation": False}}]})
    assert "synthesis-lcore-3370" not in codes(result)
    assert "synthesis-azure-model-validation" not in codes(result)


def test_azure_high_level_gap_is_mirrored_and_located():
    path = FIX / "unified/azure-highlevel.yaml"
    result = synthesize_unified(load("unified/azure-highlevel.yaml"), path.parent, config_file=str(path),
                                locate=_locate_with(path))
    hl = next(p for p in result.data["providers"]["inference"] if p["provider_id"] == "azure-hl")
    assert "model_validation" not in hl["config"]
    [finding] = [f for f in result.findings if f.code == "synthesis-azure-model-validation"]
    assert finding.path == ("inference", "providers", 0) and finding.file == str(path)
    assert finding.line == 15 and "extra" in finding.fix


def test_where_lcore_would_crash_the_preview_continues_with_an_error():
    result = unified({}, rag={"byok": {"stores": [{"vector_db_id": "v"}, {"rag_id": "ok", "vector_db_id": "w",
                                                                          "db_path": "/d"}]}},
                     inference={"providers": [{"type": "bogus"}]})
    errors = [f for f in result.findings if f.is_error]
    assert {f.path for f in errors} == {("rag", "byok", "stores", 0), ("inference", "providers", 0, "type")}
    assert all("LCORE" in f.message for f in errors)
    assert [p["provider_id"] for p in result.data["providers"]["vector_io"]][-1] == "byok_ok"


def test_findings_never_contain_secret_values():
    secret = "sk-" + "abc123def456ghi789"
    result = unified({"native_override": {"providers": {"inference": [
        {"provider_id": "x", "provider_type": "remote::openai", "config": {"api_key": secret}}]}}},
        inference={"providers": [{"type": "openai", "extra": {"api_key": secret}}]},
        rag={"byok": {"stores": [{"rag_id": "r", "vector_db_id": "v", "backend": "pgvector", "password": secret}]}})
    for f in result.findings:
        assert secret not in f.message and secret not in f.fix


def test_unknown_baseline_and_dedupe_are_reported():
    result = unified({"baseline": "fancy"})
    assert "synthesis-unknown-baseline" in codes(result)
    dup = synthesize_unified(load("unified/rag.yaml"), FIX / "unified", config_file="r.yaml")
    dedupe = [f for f in dup.findings if f.code == "synthesis-vector-io-dedupe"]
    assert [f.path for f in dedupe] == [("providers", "vector_io", 1), ("providers", "vector_io", 3)]
    assert all(f.file.endswith("rag-profile.yaml") for f in dedupe)


def test_profile_that_is_not_a_mapping():
    result = unified({"profile": "p"}, profile=["not", "a", "map"])
    assert any(f.is_error and f.path == ("llama_stack", "config", "profile") for f in result.findings)
    assert yaml.safe_load(result.text)["apis"] == ["tool_runtime"]


def test_malformed_sections_are_lcore_failures_not_crashes():
    for extra in ({"rag": None}, {"rag": {"retrieval": {"inline": None}}}, {"rag": {"byok": {"stores": None}}},
                  {"rag": {"okp": None, "retrieval": {"tool": {"sources": ["okp"]}}}},
                  {"inference": {"providers": [{"type": "openai", "extra": ["not", "a", "map"]}]}},
                  {"vector_store": {"providers": [{"id": "v", "type": "faiss", "config": {}}]}}):
        result = unified({}, **extra)
        assert any(f.code == "synthesis-lcore-fails" for f in result.findings), extra
        assert result.text  # the preview still shows a run.yaml
