"""Every output path knows which input produced it (file, key path, pipeline step)."""

from __future__ import annotations

from lsc_tui.config.synthesis.baseline import builtin_position
from lsc_tui.config.synthesis.unified import synthesize_unified
from synth_helpers import FIX, load, unified


def test_origins_per_step():
    result = synthesize_unified(load("unified/rag.yaml"), FIX / "unified", config_file="unified/rag.yaml")
    o = result.origin_of
    assert o(("version",)).step == "profile"
    assert o(("version",)).file.endswith("rag-profile.yaml")
    byok = [i for i, p in enumerate(result.data["providers"]["vector_io"]) if p.get("provider_id") == "byok_docs"][0]
    origin = o(("providers", "vector_io", byok, "config", "persistence", "backend"))
    assert (origin.step, origin.file, origin.source_path) == ("byok", "unified/rag.yaml", ("rag", "byok", "stores", 0))
    solr = [i for i, p in enumerate(result.data["providers"]["vector_io"]) if p.get("provider_id") == "okp_solr"][0]
    assert o(("providers", "vector_io", solr)).step == "okp"
    assert o(("providers", "vector_io", solr, "config", "solr_url")).source_path == ("rag", "okp", "rhokp_url")
    assert o(("vector_stores", "default_provider_id")).source_path == ("vector_store", "default_provider")
    assert o(("vector_stores", "chunk_retrieval_params", "default_search_mode")).step == "okp"
    mcp = result.data["providers"]["tool_runtime"].index(
        next(p for p in result.data["providers"]["tool_runtime"] if p["provider_id"] == "model-context-protocol"))
    assert o(("providers", "tool_runtime", mcp)).step == "mcp"


def test_copied_values_map_to_their_exact_input_path():
    result = synthesize_unified(load("unified/providers.yaml"), FIX / "unified", config_file="p.yaml")
    rows = result.data["providers"]["inference"]
    vllm = next(i for i, r in enumerate(rows) if r["provider_id"] == "vllm-prod")
    url = result.origin_of(("providers", "inference", vllm, "config", "url"))
    assert (url.step, url.source_path) == ("inference.providers", ("inference", "providers", 9, "extra", "url"))
    openai = result.origin_of(("providers", "inference", 0, "config", "allowed_models", 1))
    assert openai.source_path == ("inference", "providers", 0, "allowed_models", 1)
    kept = result.origin_of(("providers", "files", 0, "config", "storage_dir"))
    assert (kept.step, kept.file, kept.source_path) == (
        "baseline:default", "builtin:default", ("providers", "files", 0, "config", "storage_dir"))
    assert builtin_position(kept.source_path)[0] > 1


def test_override_and_azure_origins_survive_later_copies():
    result = synthesize_unified(load("unified/override.yaml"), FIX / "unified", config_file="o.yaml")
    origin = result.origin_of(("storage", "backends", "kv_default", "db_path"))
    assert origin.step == "native_override"
    assert origin.source_path == ("llama_stack", "config", "native_override", "storage", "backends",
                                  "kv_default", "db_path")
    sibling = result.origin_of(("storage", "backends", "kv_default", "type"))
    assert sibling.step == "profile" and sibling.source_path == ("storage", "backends", "kv_default", "type")
    azure = synthesize_unified(load("unified/azure-highlevel.yaml"), FIX / "unified", config_file="a.yaml")
    az = next(i for i, p in enumerate(azure.data["providers"]["inference"])
              if p["provider_type"] == "remote::azure" and p["provider_id"] != "azure-hl")
    mv = azure.origin_of(("providers", "inference", az, "config", "model_validation"))
    assert (mv.step, mv.source_path) == ("azure", ("azure_entra_id",))
    base_url = azure.origin_of(("providers", "inference", az, "config", "base_url"))
    assert base_url.step == "profile"


def test_dedupe_keeps_source_indexes():
    result = synthesize_unified(load("unified/rag.yaml"), FIX / "unified", config_file="r.yaml")
    # the profile's [faiss, faiss(dup), no-id, not-a-dict]: the no-id entry moved from 2 to 1
    noid = result.origin_of(("providers", "vector_io", 1, "config", "note"))
    assert noid.source_path == ("providers", "vector_io", 2, "config", "note")


def test_every_line_has_an_origin_and_the_text_is_the_output():
    result = synthesize_unified(load("e2e-library/lightspeed-stack.yaml"), FIX / "e2e-library",
                                config_file="e2e-library/lightspeed-stack.yaml")
    text, origins = result.text_and_line_origins()
    lines = text.splitlines()
    assert text == result.text and len(origins) == len(lines)
    assert all(o is not None for o in origins)
    steps = {o.step for o in origins}
    assert steps == {"profile", "byok"}
    for line, origin in zip(lines, origins):
        if "byok_e2e-test-docs" in line:
            assert origin.step == "byok"


def test_generated_baseline_empty_origin_points_at_the_baseline_key():
    result = unified({"baseline": "empty", "native_override": {"a": {"b": 1}}})
    assert result.origin_of(()).source_path == ("llama_stack", "config", "baseline")
    assert result.origin_of(("a", "b")).source_path == ("llama_stack", "config", "native_override", "a", "b")


def test_inputs_are_never_mutated():
    import copy

    config = load("unified/rag.yaml")
    profile = load("unified/rag-profile.yaml")
    before = copy.deepcopy((config, profile))
    synthesize_unified(config, FIX / "unified", config_file="r.yaml", profile=profile, profile_file="p")
    assert (config, profile) == before


def test_line_origins_agree_with_origin_of_for_every_line():
    for config in ("unified/rag.yaml", "unified/providers.yaml", "unified/override.yaml", "unified/lcore-3370.yaml"):
        path = FIX / config
        result = synthesize_unified(load(config), path.parent, config_file=config)
        text, origins = result.text_and_line_origins()
        paths = result.line_paths()
        assert len(paths) == len(origins) == text.count("\n")
        for line_path, origin in zip(paths, origins):
            assert result.origin_of(line_path) == origin, (config, line_path)
