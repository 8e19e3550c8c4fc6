"""Our synthesis is byte-identical to LCORE's for the fixtures LCORE itself produced.

The ``*.lcore-expected.yaml`` files were written by LCORE's own code (commit cd1a048) run on
the inputs next to them; see tests/fixtures/synthesis/README.md.
"""

from __future__ import annotations

import pytest
import yaml

from lsc_tui.config.synthesis.legacy import enrich_legacy_library, enrich_legacy_server
from lsc_tui.config.synthesis.unified import synthesize_unified
from synth_helpers import FIX, load

# The environment the expected files were produced in (only values LCORE resolves matter).
ENV = {"DOCS_STORE_ID": "vs_docs", "PG_PASSWORD": "pw-" + "from-env", "TENANT_ID": "t",
       "CLIENT_ID": "c", "CLIENT_SECRET": "s", "FAISS_VECTOR_STORE_ID": "vs_faiss"}

UNIFIED = [
    ("unified/providers.yaml", "unified/providers.lcore-expected.yaml"),
    ("unified/empty-baseline.yaml", "unified/empty-baseline.lcore-expected.yaml"),
    ("unified/override.yaml", "unified/override.lcore-expected.yaml"),
    ("unified/rag.yaml", "unified/rag.lcore-expected.yaml"),
    ("unified/lcore-3370.yaml", "unified/lcore-3370.lcore-expected.yaml"),
    ("unified/empty-profile.yaml", "unified/empty-profile.lcore-expected.yaml"),
    ("unified/azure-highlevel.yaml", "unified/azure-highlevel.lcore-expected.yaml"),
    ("unified/config-only.yaml", "unified/config-only.lcore-expected.yaml"),
    ("unified/ogx-alias.yaml", "unified/ogx-alias.lcore-expected.yaml"),
    ("unified/aliases.yaml", "unified/aliases.lcore-expected.yaml"),
    ("e2e-library/lightspeed-stack.yaml", "e2e-library/run.lcore-expected.yaml"),
    ("lls-library/lightspeed-stack.yaml", "lls-library/run.lcore-expected.yaml"),
]


@pytest.mark.parametrize("config, expected", UNIFIED, ids=[c for c, _ in UNIFIED])
def test_unified_bytes_match_lcore(config, expected):
    path = FIX / config
    result = synthesize_unified(load(config), path.parent, config_file=config, env=ENV)
    assert result.text == (FIX / expected).read_text(encoding="utf-8")
    assert yaml.safe_load(result.text) == result.data


SERVER = [
    ("byok-okp-server/lightspeed-stack.yaml", "byok-okp-server/run.yaml",
     "byok-okp-server/run.legacy-server.lcore-expected.yaml"),
    ("root-server/lightspeed-stack.yaml", "root-server/run.yaml",
     "root-server/run.legacy-server.lcore-expected.yaml"),
    ("azure-legacy/lightspeed-stack.yaml", "azure-legacy/azure-run.yaml",
     "azure-legacy/azure-run.legacy-server.lcore-expected.yaml"),
]


@pytest.mark.parametrize("config, run_yaml, expected", SERVER, ids=[c for c, _, _ in SERVER])
def test_legacy_server_bytes_match_the_entrypoint(config, run_yaml, expected):
    result = enrich_legacy_server(load(config), load(run_yaml), config_file=config, run_yaml_file=run_yaml)
    assert result.text == (FIX / expected).read_text(encoding="utf-8")
    assert result.mode == "legacy-server"


LIBRARY = [
    ("legacy-lib-byok/lightspeed-stack.yaml", "legacy-lib-byok/run.yaml",
     "legacy-lib-byok/run.legacy-library.lcore-expected.yaml"),
    ("cache-pg-legacy/lightspeed-stack.yaml", "cache-pg-legacy/run.yaml",
     "cache-pg-legacy/run.legacy-library.lcore-expected.yaml"),
]


@pytest.mark.parametrize("config, run_yaml, expected", LIBRARY, ids=[c for c, _, _ in LIBRARY])
def test_legacy_library_with_environment_matches_lcore(config, run_yaml, expected):
    result = enrich_legacy_library(load(config), load(run_yaml), config_file=config,
                                   run_yaml_file=run_yaml, env=ENV)
    assert result.text == (FIX / expected).read_text(encoding="utf-8")
    assert result.mode == "legacy-library"


def test_legacy_library_preview_keeps_references_and_says_where_lcore_resolves():
    config, run_yaml = "legacy-lib-byok/lightspeed-stack.yaml", "legacy-lib-byok/run.yaml"
    preview = enrich_legacy_library(load(config), load(run_yaml), config_file=config, run_yaml_file=run_yaml)
    lcore = yaml.safe_load((FIX / "legacy-lib-byok/run.legacy-library.lcore-expected.yaml").read_text())
    # the only differences are the values LCORE resolves, and they are findings
    pg = next(p for p in preview.data["providers"]["vector_io"] if p["provider_id"] == "byok_pg")
    assert pg["config"]["password"] == "${env.PG_PASSWORD}"
    assert pg["config"]["host"] == "${env.PG_HOST:=pg.example.com}"
    lcore_pg = next(p for p in lcore["providers"]["vector_io"] if p["provider_id"] == "byok_pg")
    assert lcore_pg["config"]["password"] == ENV["PG_PASSWORD"]
    secret = [f for f in preview.findings if f.code == "legacy-resolved-secret"]
    assert [f.path for f in secret] == [("rag", "byok", "stores", 1, "password")]
    assert secret[0].severity.value == "warning"
    assert ENV["PG_PASSWORD"] not in preview.text
    resolved = {f.path[-1] for f in preview.findings if f.code == "legacy-resolved-value"}
    assert resolved == {"vector_db_id", "host"}
    # everything else is identical
    lcore_pg["config"]["password"] = pg["config"]["password"]
    lcore_pg["config"]["host"] = pg["config"]["host"]
    for store in lcore["registered_resources"]["vector_stores"]:
        if store["vector_store_id"] == "vs_docs":
            store["vector_store_id"] = "${env.DOCS_STORE_ID}"
    assert preview.data == lcore


def test_legacy_library_order_and_scope():
    """Library enrichment: BYOK, Solr, Azure on the external run.yaml; no MCP ensure, no
    vector_store, no high-level inference, even when those inputs are present."""
    config = load("legacy-lib-byok/lightspeed-stack.yaml")
    config["vector_store"] = {"default_provider": "x", "providers": [
        {"id": "x", "type": "faiss", "embedding_model": "m", "embedding_dimension": 3, "config": {"path": "/p"}}]}
    run_yaml = {"version": 2, "providers": {"inference": [
        {"provider_id": "az", "provider_type": "remote::azure", "config": {}}]}}
    result = enrich_legacy_library(config, run_yaml, config_file="c.yaml", run_yaml_file="r.yaml")
    ids = [p["provider_id"] for p in result.data["providers"]["vector_io"]]
    assert ids == ["byok_docs", "byok_pg", "okp_solr"]
    assert "tool_runtime" not in result.data["providers"]
    assert result.data["providers"]["inference"][0]["config"] == {"model_validation": False}
    assert result.data["vector_stores"] == {"chunk_retrieval_params": {"default_search_mode": "keyword"}}
    # validated defaults are filled in (LCORE dumps the validated model)
    docs = next(s for s in result.data["registered_resources"]["vector_stores"] if s["provider_id"] == "byok_docs")
    assert docs["embedding_dimension"] == 768


def test_legacy_server_uses_the_raw_config():
    """The entrypoint reads the raw lightspeed-stack.yaml: no validated defaults."""
    config = {"rag": {"byok": {"stores": [{"rag_id": "r", "vector_db_id": "v", "db_path": "/d"}]}}}
    result = enrich_legacy_server(config, {"version": 2}, config_file="c.yaml", run_yaml_file="r.yaml")
    store = result.data["registered_resources"]["vector_stores"][0]
    assert store["embedding_dimension"] is None
    model = result.data["registered_resources"]["models"][0]
    assert model["provider_model_id"] == "all-mpnet-base-v2"
    assert "tool_runtime" not in result.data.get("providers", {})


def test_legacy_library_coerces_like_the_validated_model():
    config = {"rag": {"byok": {"stores": [{"rag_id": "r", "vector_db_id": "v", "db_path": "/d",
                                           "embedding_dimension": "${env.DIM}"}]}}}
    run_yaml = {"version": 2}
    lib = enrich_legacy_library(config, run_yaml, config_file="c", run_yaml_file="r", env={"DIM": "384"})
    assert lib.data["registered_resources"]["vector_stores"][0]["embedding_dimension"] == 384
    server = enrich_legacy_server(config, run_yaml, config_file="c", run_yaml_file="r")
    assert server.data["registered_resources"]["vector_stores"][0]["embedding_dimension"] == "${env.DIM}"
