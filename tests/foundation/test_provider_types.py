"""One provider-type table (lsc_tui/config/provider_types.py) answers for synthesis, migration, the
config models and the editor: each gives, for every known type, the answers it gave with its own
copy of the table (the expected values below are those copies, as they were)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lsc_tui.config import provider_types
from lsc_tui.config.migration.strategies import high_level
from lsc_tui.config.models.lightspeed import RagStore, UnifiedInferenceProvider
from lsc_tui.config.synthesis.unified import synthesize_unified
from lsc_tui.lsp.knowledge import value_choices

# high-level inference kind -> provider_type, in LCORE's order
OLD_INFERENCE = {
    "openai": "remote::openai",
    "ollama": "remote::ollama",
    "vllm": "remote::vllm",
    "sentence_transformers": "inline::sentence-transformers",
    "azure": "remote::azure",
    "vertexai": "remote::vertexai",
    "watsonx": "remote::watsonx",
    "vllm_rhaiis": "remote::vllm",
    "vllm_rhel_ai": "remote::vllm",
}
OLD_VECTOR = {"faiss": "inline::faiss", "pgvector": "remote::pgvector"}
OLD_EDITOR_INFERENCE = ["openai", "vllm", "vllm_rhaiis", "vllm_rhel_ai", "azure", "watsonx", "ollama",
                        "vertexai", "sentence_transformers"]
OLD_EDITOR_VECTOR = ["faiss", "pgvector"]
OLD_SUGGESTED_INFERENCE = ["remote::vllm", "remote::openai", "remote::azure", "remote::watsonx", "remote::ollama",
                           "remote::vertexai", "remote::gemini", "remote::anthropic", "remote::bedrock",
                           "remote::together", "remote::fireworks", "remote::groq", "remote::passthrough",
                           "inline::sentence-transformers"]
OLD_SUGGESTED_APIS = ["agents", "datasetio", "eval", "file_processors", "files", "inference", "post_training",
                      "responses", "safety", "scoring", "telemetry", "tool_runtime", "vector_io"]


def _key_field(provider_type: str) -> str:
    return "api_token" if provider_type == "remote::vllm" else "api_key"


def _synthesize(**sections):
    config = {"name": "t", "llama_stack": {"use_as_library_client": True, "config": {"baseline": "empty"}},
              **sections}
    return synthesize_unified(config, None, config_file="lightspeed-stack.yaml")


@pytest.mark.parametrize("kind", list(OLD_INFERENCE))
def test_synthesis_makes_the_same_inference_row_for_every_kind(kind):
    result = _synthesize(inference={"providers": [{"type": kind, "api_key_env": "KEY"}]})
    (row,) = result.data["providers"]["inference"]
    ptype = OLD_INFERENCE[kind]
    assert row == {"provider_id": kind.replace("_", "-"), "provider_type": ptype,
                   "config": {_key_field(ptype): "${env.KEY}"}}


def test_synthesis_names_the_known_kinds_in_lcores_order_for_an_unknown_one():
    result = _synthesize(inference={"providers": [{"type": "gemini"}]})
    (finding,) = [f for f in result.findings if f.code == "synthesis-lcore-fails"]
    assert finding.fix == "use one of: " + ", ".join(OLD_INFERENCE)


@pytest.mark.parametrize("kind", list(OLD_VECTOR))
def test_synthesis_makes_the_same_vector_io_row_for_every_vector_kind(kind):
    config = {"path": "/data/v.db"} if kind == "faiss" else {"host": "db"}
    result = _synthesize(vector_store={"providers": [{"id": "vs", "type": kind, "config": config}]})
    (row,) = result.data["providers"]["vector_io"]
    assert (row["provider_id"], row["provider_type"]) == ("vs", OLD_VECTOR[kind])
    byok = _synthesize(rag={"byok": {"stores": [{"rag_id": "r", "vector_db_id": "v", "backend": kind,
                                                  "db_path": "/data/r.db"}]}})
    assert [r["provider_type"] for r in byok.data["providers"]["vector_io"]] == [OLD_VECTOR[kind]]


def test_synthesis_refuses_an_unknown_vector_kind():
    result = _synthesize(vector_store={"providers": [{"id": "vs", "type": "chromadb", "config": {}}]})
    assert result.data["providers"]["vector_io"] == []
    assert "synthesis-lcore-fails" in [f.code for f in result.findings]


@pytest.mark.parametrize("kind", list(OLD_INFERENCE))
def test_migration_lifts_every_kind_back_to_the_same_entry(kind):
    ptype = OLD_INFERENCE[kind]
    row = {"provider_id": kind.replace("_", "-"), "provider_type": ptype,
           "config": {_key_field(ptype): "${env.KEY}", "url": "http://h"}}
    assert high_level(row) == {"type": kind, "api_key_env": "KEY", "extra": {"url": "http://h"}}
    named = dict(row, provider_id="mine")  # an id of its own: the first kind of that type, with the id
    first = next(k for k, t in OLD_INFERENCE.items() if t == ptype)
    assert high_level(named) == {"type": first, "id": "mine", "api_key_env": "KEY", "extra": {"url": "http://h"}}


def test_migration_lifts_no_unknown_type():
    assert high_level({"provider_id": "g", "provider_type": "remote::gemini", "config": {}}) is None
    assert high_level({"provider_id": "g", "provider_type": None, "config": {}}) is None


def test_the_models_accept_the_same_kinds_and_describe_them_alike():
    for kind in OLD_INFERENCE:
        assert UnifiedInferenceProvider(type=kind).type == kind
    with pytest.raises(ValidationError):
        UnifiedInferenceProvider(type="gemini")
    schema = UnifiedInferenceProvider.model_json_schema()["properties"]["type"]
    assert list(OLD_INFERENCE) in [branch.get("enum") for branch in schema.get("anyOf", [schema])]
    assert UnifiedInferenceProvider.model_fields["type"].description == (
        "Provider kind. openai->remote::openai, ollama->remote::ollama, vllm/vllm_rhaiis/"
        "vllm_rhel_ai->remote::vllm, sentence_transformers->inline::sentence-transformers, azure->remote::azure, "
        "vertexai->remote::vertexai, watsonx->remote::watsonx.")
    for kind in OLD_VECTOR:
        assert RagStore(rag_id="r", vector_db_id="v", backend=kind, db_path="/x").backend == kind
    with pytest.raises(ValidationError):
        RagStore(rag_id="r", vector_db_id="v", backend="chromadb")


def test_the_editor_and_the_language_server_suggest_the_same_types():
    assert provider_types.suggestions("hl-inference", None) == OLD_EDITOR_INFERENCE
    assert provider_types.suggestions("hl-vector", None) == OLD_EDITOR_VECTOR
    assert provider_types.suggestions("provider", "inference") == OLD_SUGGESTED_INFERENCE
    assert sorted(provider_types.SUGGESTED) == OLD_SUGGESTED_APIS
    every = provider_types.suggestions("provider", None)
    assert every == sorted(set(every)) and set(OLD_SUGGESTED_INFERENCE) <= set(every)
    assert provider_types.suggestions("provider", "no-such-api") == every
    kinds = [c.label for c in value_choices(None, None, "lightspeed-stack", ("inference", "providers", 0), "type")]
    assert kinds == OLD_EDITOR_INFERENCE
    types = [c.label for c in value_choices(None, None, None, ("providers", "inference", 0), "provider_type")]
    assert types == OLD_SUGGESTED_INFERENCE


def test_one_row_per_kind_and_every_editor_kind_is_a_known_one():
    assert {t.kind: t.provider_type for t in provider_types.INFERENCE} == OLD_INFERENCE
    assert sorted(provider_types.INFERENCE_SUGGESTED) == sorted(OLD_INFERENCE)
    for ptype in set(OLD_INFERENCE.values()):
        assert provider_types.key_field(ptype) == _key_field(ptype)
    assert provider_types.key_field("remote::gemini") == "api_key"
