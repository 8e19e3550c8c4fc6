"""The pipeline is a sequence of steps a release can change: dropping, replacing or adding a step
changes only what that step does to the run.yaml."""

from __future__ import annotations

from lsc_tui.config.synthesis import steps
from lsc_tui.config.synthesis.emit import dump_run_yaml
from lsc_tui.config.synthesis.legacy import enrich_legacy_server
from lsc_tui.config.synthesis.unified import synthesize_unified
from synth_helpers import FIX, base_config

BYOK = {"rag": {"byok": {"stores": [{"rag_id": "docs", "vector_db_id": "vs_docs", "db_path": "/data/docs.db"}]}}}


PROFILE = {"version": 2, "apis": ["inference"], "providers": {"inference": [{"provider_id": "vllm",
                                                                              "provider_type": "remote::vllm"}]}}


def _config(**extra):
    cfg = base_config(**extra)
    cfg["llama_stack"]["config"] = {"profile": "profile.yaml"}
    return cfg


def _synth(cfg, pipeline=steps.UNIFIED_STEPS):
    return synthesize_unified(cfg, FIX, config_file="lightspeed-stack.yaml", profile=PROFILE,
                              profile_file="profile.yaml", steps=pipeline)


def _provider_ids(data, api):
    return [p["provider_id"] for p in data["providers"].get(api, [])]


def test_the_default_pipeline_is_lcores_unified_order():
    assert steps.UNIFIED_STEPS == (
        steps.start_from_baseline, steps.dedupe_baseline, steps.azure_entra_id, steps.byok_rag,
        steps.solr_okp, steps.vector_store, steps.high_level_inference, steps.mcp,
        steps.native_override, steps.final_dedupe,
    )
    cfg = _config(**BYOK)
    default = synthesize_unified(cfg, FIX, config_file="lightspeed-stack.yaml", profile=PROFILE,
                                 profile_file="profile.yaml")
    assert dump_run_yaml(_synth(cfg).data) == dump_run_yaml(default.data)


def test_a_pipeline_without_the_mcp_step_injects_no_mcp_provider():
    cfg = _config(**BYOK)
    full = _synth(cfg).data
    assert "model-context-protocol" in _provider_ids(full, "tool_runtime")
    without = _synth(cfg, tuple(s for s in steps.UNIFIED_STEPS if s is not steps.mcp)).data
    assert "tool_runtime" not in without["providers"] and "tool_runtime" not in without["apis"]
    # everything else is the same run.yaml
    assert without["providers"]["vector_io"] == full["providers"]["vector_io"]
    assert without["registered_resources"] == full["registered_resources"]


def test_a_replaced_step_changes_only_its_own_part():
    def byok_with_other_ids(run: steps.Run) -> None:
        steps.byok_rag(run)
        vector_io = run.b.own(run.b.own(run.b.root, "providers"), "vector_io")
        for index, row in enumerate(vector_io):
            if row["provider_id"].startswith("byok_"):
                vector_io[index] = {**row, "provider_id": "rel-" + row["provider_id"]}

    cfg = _config(**BYOK)
    pipeline = tuple(byok_with_other_ids if s is steps.byok_rag else s for s in steps.UNIFIED_STEPS)
    data = _synth(cfg, pipeline).data
    assert "rel-byok_docs" in _provider_ids(data, "vector_io")
    assert "byok_docs" not in _provider_ids(data, "vector_io")
    assert "model-context-protocol" in _provider_ids(data, "tool_runtime")


def test_a_step_after_the_override_sees_the_merged_tree():
    seen = []
    cfg = _config()
    cfg["llama_stack"]["config"]["native_override"] = {"server": {"port": 9999}}
    _synth(cfg, (*steps.UNIFIED_STEPS, lambda run: seen.append(run.b.root["server"]["port"])))
    assert seen == [9999]


def test_the_legacy_server_runs_the_shared_enrichment_steps_without_vector_store():
    assert steps.LEGACY_SERVER_STEPS == (steps.dedupe, steps.azure_entra_id, steps.byok_rag, steps.solr_okp,
                                         steps.dedupe)
    run_yaml = {"version": 2, "providers": {"inference": []}}
    config = {**BYOK, "vector_store": {"providers": [{"id": "vs", "type": "faiss", "config": {"path": "/x.db"}}]}}
    result = enrich_legacy_server(config, run_yaml, config_file="lightspeed-stack.yaml", run_yaml_file="run.yaml")
    assert _provider_ids(result.data, "vector_io") == ["byok_docs"]
    assert "tool_runtime" not in result.data["providers"]


def test_the_legacy_library_pipeline_is_byok_okp_azure_and_each_step_can_be_left_out():
    from lsc_tui.config.synthesis.legacy import LEGACY_LIBRARY_STEPS, enrich_legacy_library, library_byok_rag, \
        library_solr_okp

    assert LEGACY_LIBRARY_STEPS == (library_byok_rag, library_solr_okp, steps.azure_entra_id)
    run_yaml = {"version": 2, "providers": {"inference": [{"provider_id": "az", "provider_type": "remote::azure",
                                                           "config": {}}]}}
    config = {**BYOK, "azure_entra_id": {"tenant_id": "t", "client_id": "c", "client_secret": "s"}}

    def synth(pipeline):
        return enrich_legacy_library(config, run_yaml, config_file="lightspeed-stack.yaml",
                                     run_yaml_file="run.yaml", steps=pipeline).data

    full = synth(LEGACY_LIBRARY_STEPS)
    assert full["providers"]["inference"][0]["config"] == {"model_validation": False}
    assert _provider_ids(full, "vector_io") == ["byok_docs"]
    no_azure = synth((library_byok_rag, library_solr_okp))
    assert no_azure["providers"]["inference"][0]["config"] == {}
    assert _provider_ids(no_azure, "vector_io") == ["byok_docs"]
