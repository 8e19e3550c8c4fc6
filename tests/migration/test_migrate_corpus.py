"""Every legacy pair of the corpus (and ours) under every strategy: the proof's verdict and,
where it is not equivalent, each differing path with its reason."""

from __future__ import annotations

import pytest
import yaml
from mig_helpers import LCORE_OUT, PAIRS

from lsc_tui.config.migration import Migration

LIFT_3370_RAG_SERVER = {
    "providers.vector_io[provider_id=byok_ocp-docs]",
    "providers.vector_io[provider_id=byok_knowledge-base]",
    "providers.vector_io[provider_id=okp_solr]",
    "registered_resources.models",
    "registered_resources.vector_stores",
}
LIFT_3370_RAG_LIBRARY = {
    "providers.vector_io[provider_id=byok_docs]",
    "registered_resources.models",
    "registered_resources.vector_stores",
}
MCP_ADDED = {"apis", "providers.tool_runtime"}

# (pair, strategy) -> the exact set of differing paths (empty: equivalent)
EXPECTED = {
    ("azure-entraid-lib", "lift"): set(), ("azure-entraid-lib", "profile"): set(),
    ("azure-entraid-lib", "smart"): set(),
    ("conversation-cache-pg", "lift"): set(), ("conversation-cache-pg", "profile"): set(),
    ("conversation-cache-pg", "smart"): set(),
    ("shields", "lift"): set(), ("shields", "profile"): set(), ("shields", "smart"): set(),
    ("root-server", "lift"): set(), ("root-server", "profile"): set(), ("root-server", "smart"): set(),
    ("byok-okp-rag-server", "lift"): LIFT_3370_RAG_SERVER, ("byok-okp-rag-server", "profile"): set(),
    ("byok-okp-rag-server", "smart"): set(),
    ("no-mcp", "lift"): set(), ("no-mcp", "profile"): MCP_ADDED, ("no-mcp", "smart"): set(),
    ("rag-library", "lift"): LIFT_3370_RAG_LIBRARY, ("rag-library", "profile"): set(),
    ("rag-library", "smart"): set(),
    ("byok-defaults", "lift"): LIFT_3370_RAG_LIBRARY, ("byok-defaults", "profile"): set(),
    ("byok-defaults", "smart"): set(),
}


def _open(pair):
    return Migration.open(pair.cwd / pair.config, run_yaml=pair.run_arg(), cwd=pair.cwd)


@pytest.mark.parametrize("pair,strategy", sorted(EXPECTED), ids=lambda v: str(v))
def test_proof_verdict_and_differences(pair, strategy):
    m = _open(PAIRS[pair])
    cand, proof = m.trial(strategy)
    expected = EXPECTED[(pair, strategy)]
    assert set(proof.paths()) == expected
    assert proof.equivalent is (not expected)
    assert proof.verdict == ("equivalent" if not expected else "not equivalent")
    for d in proof.differences:
        assert d.reason, d.where
        if expected is MCP_ADDED:
            assert "MCP ensure" in d.reason
        else:
            assert "LCORE-3370" in d.reason
            assert "BYOK RAG" in d.reason or "Solr/OKP" in d.reason
    # the new file itself reads back as the data the proof used
    assert yaml.safe_load(cand.text) == cand.data


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_lift_is_lcores_migration_as_data(pair):
    """Our lift gives, as data, exactly what LCORE's --migrate-config writes."""
    m = _open(PAIRS[pair])
    cand, _ = m.trial("lift")
    lcore = yaml.safe_load((LCORE_OUT / f"{pair}.migrate.lcore-output.yaml").read_text())
    assert cand.data == lcore


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_lift_synthesizes_to_what_lcore_synthesizes(pair):
    """The proof's unified side for lift equals LCORE's synthesis of its own migrated file."""
    m = _open(PAIRS[pair])
    _, proof = m.trial("lift")
    lcore = yaml.safe_load((LCORE_OUT / f"{pair}.migrate-synthesized.lcore-output.yaml").read_text())
    assert proof.unified_data == lcore


@pytest.mark.parametrize("pair", ["azure-entraid-lib", "conversation-cache-pg", "shields", "root-server",
                                  "byok-okp-rag-server", "no-mcp"])
def test_legacy_side_is_what_lcore_ran(pair):
    """The proof's legacy side equals LCORE's legacy enrichment of the pair (no BYOK env
    resolution involved in these pairs, so library and server enrichment agree)."""
    m = _open(PAIRS[pair])
    _, proof = m.trial("profile")
    lcore = yaml.safe_load((LCORE_OUT / f"{pair}.legacy-enrichment.lcore-output.yaml").read_text())
    assert proof.legacy_data == lcore


def test_smart_re_expresses_inference_providers():
    m = _open(PAIRS["no-mcp"])
    cand, proof = m.trial("smart")
    assert proof.equivalent
    assert cand.variant == "baseline-empty"
    assert cand.lifted == ["openai", "vllm-prod"]
    assert cand.data["inference"]["providers"] == [
        {"type": "openai", "api_key_env": "OPENAI_API_KEY", "allowed_models": ["gpt-4o-mini"]},
        {"type": "vllm", "id": "vllm-prod", "api_key_env": "VLLM_API_TOKEN",
         "extra": {"url": "http://vllm:8000/v1", "tls_verify": False}},
    ]
    assert "inference" not in cand.data["llama_stack"]["config"]["native_override"]["providers"]
    # shorter than the lift, and the operator's own inference settings are kept
    assert cand.lines < m.trial("lift")[0].lines
    assert cand.data["inference"]["default_model"] == "gpt-4o-mini"


def test_smart_keeps_enrichment_working_with_a_profile():
    m = _open(PAIRS["rag-library"])
    cand, proof = m.trial("smart")
    assert proof.equivalent
    assert cand.data["llama_stack"]["config"]["profile"] == "run.yaml"
    assert "rag" in cand.data  # the enrichment input stays


def test_recommendation_names_the_lcore_3370_risk():
    m = _open(PAIRS["rag-library"])
    rec = m.recommendation
    assert rec.strategy == "profile"
    text = "\n".join(rec.reasons)
    assert "rag.byok" in text and "LCORE-3370" in text
    assert "lift: not equivalent" in text
    assert "profile: equivalent" in text


def test_recommendation_without_enrichment_prefers_an_equivalent_strategy():
    m = _open(PAIRS["no-mcp"])
    rec = m.recommendation
    assert rec.strategy == "smart"
    assert any("profile: not equivalent" in r and "MCP" in r for r in rec.reasons)


def test_server_pair_recommends_one_self_contained_file():
    m = _open(PAIRS["root-server"])
    assert m.recommendation.strategy == "lift"
    m2 = _open(PAIRS["byok-okp-rag-server"])
    assert m2.recommendation.strategy in ("profile", "smart")


def test_byok_defaults_are_made_explicit_to_stay_equivalent():
    """LCORE's unified synthesis writes embedding_dimension: null for a store that leaves it to
    the default (its own output, committed as a fixture); legacy library enrichment wrote 768.
    The migration writes the default explicitly, and says so."""
    lcore = yaml.safe_load((LCORE_OUT / "byok-defaults.as-profile-synthesized.lcore-output.yaml").read_text())
    assert [v.get("embedding_dimension") for v in lcore["registered_resources"]["vector_stores"]] == [None]
    m = _open(PAIRS["byok-defaults"])
    for strategy in ("profile", "smart"):
        cand, proof = m.trial(strategy)
        assert proof.equivalent, proof.paths()
        assert cand.data["rag"]["byok"]["stores"][0]["embedding_dimension"] == 768
        assert "embedding_dimension: 768  # LCORE's default" in cand.text
        assert any("embedding_dimension is now explicit" in n for n in cand.notes)


def test_smart_on_the_corpus_run_yaml_lifts_every_inference_provider():
    m = _open(PAIRS["root-server"])
    cand, proof = m.trial("smart")
    assert proof.equivalent and cand.variant == "baseline-empty"
    assert cand.lifted == ["openai", "sentence-transformers"]
    assert cand.data["inference"]["providers"][0] == {
        "type": "openai", "api_key_env": "OPENAI_API_KEY",
        "allowed_models": ["${env.E2E_OPENAI_MODEL:=gpt-4o-mini}"]}
    # the rest of the run.yaml is nested as text: its comments survive
    assert "# This ID is a reference to 'providers.inference'" not in cand.text  # (that line was lifted)
    run_comments = [ln.split("#", 1)[1].strip() for ln in m.analysis.run_yaml.text.splitlines()
                    if ln.lstrip().startswith("#")]
    assert run_comments and all(c in cand.text for c in run_comments)


def test_empty_provider_config_is_a_noted_default_not_a_difference():
    m = _open(PAIRS["azure-entraid-lib"])
    cand, proof = m.trial("smart")
    assert proof.equivalent
    assert "sentence-transformers" in cand.lifted
    assert [(n.where, n.kind) for n in proof.notes] == [
        ("providers.inference[provider_id=sentence-transformers].config", "default")]
    # the Azure entry keeps model_validation through `extra`
    azure = next(p for p in cand.data["inference"]["providers"] if p["type"] == "azure")
    assert azure["extra"]["model_validation"] is False
