"""LCORE 0.7.0rc1: ``vector_store``, ``shields``, provider ids, MCP, ``--migrate-config``.

| what | 0.7.0rc1 against 0.6.x |
|---|---|
| modes | unified also when ``vector_store.providers`` is non-empty |
| default baseline | responses and conversations instead of agents, no safety, MCP and file-search tool_runtime, ``distro_name`` |
| synthesis | Azure, BYOK, ``vector_store``, Solr (in that order), ``inference.providers`` (``id`` names the provider), MCP ensure unless ``baseline: empty``, ``native_override`` |
| vector_store | a provider's embedding model is registered unless its load path is; ``default_embedding_model`` names the load path |
| RAG keys | still ``byok_rag``, ``rag.inline`` / ``rag.tool``, ``okp`` (as 0.6.x) |
| adds keys | inference.providers[].id, observability, saved_prompts, shields, vector_store |
"""

from lsc_tui.config.releases import RELEASE_0_7RC1
from lsc_tui.config.releases.rules import ByokRules, ReleaseRules, old_rag_inputs
from lsc_tui.config.releases.v0_6 import SOLR
from lsc_tui.config.synthesis import legacy as L
from lsc_tui.config.synthesis import steps as S

RULES = ReleaseRules(
    release=RELEASE_0_7RC1,
    summary="vector_store, shields, inference.providers[].id, MCP ensure, --migrate-config",
    baseline_file="releases/0.7.0rc1/default_run.yaml",
    baselines=("default", "empty"),
    root_keys=("llama_stack",),
    added=("inference.providers.id", "observability", "saved_prompts", "shields", "vector_store"),
    unified_inputs=("inference.providers", "vector_store.providers", "config"),
    rag_inputs=old_rag_inputs,
    byok=ByokRules(type_key="rag_type", templates=True, alias=False),
    solr=SOLR,
    vector_store="first-model",
    inference_ids=True,
    unified_steps=(
        S.start_from_baseline,
        S.dedupe_baseline,
        S.azure_entra_id,
        S.byok_rag,
        S.vector_store,
        S.solr_okp,
        S.high_level_inference,
        S.mcp,
        S.native_override,
        S.final_dedupe,
        S.openai_key_needed,
    ),
    server_steps=S.LEGACY_SERVER_STEPS,
    library_steps=L.LEGACY_LIBRARY_STEPS,
)
