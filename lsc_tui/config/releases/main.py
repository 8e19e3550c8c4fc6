"""LCORE main (cd1a048, 2026-08-21): the RAG keys move under ``rag``.

| what | main against 0.7.0rc1 |
|---|---|
| RAG keys | ``rag.byok.stores`` (``backend: faiss/pgvector``), ``rag.retrieval.{inline,tool}.sources``, ``rag.okp``; ``byok_rag``, ``okp``, ``rag.inline``, ``rag.tool``, ``reranker`` are rejected |
| BYOK | one embedding alias per store: vector stores name ``sentence-transformers/byok_<rag_id>_embedding``, models deduped by ``model_id`` |
| vector_store | one alias per provider (``vsprov_<id>_embedding``), refreshed by ``model_id``; the default names the alias; runs after Solr |
| Solr | store embedding model ``sentence-transformers/solr_embedding`` (also the model id); ``rag.okp.search_mode`` sets ``vector_stores.chunk_retrieval_params.default_search_mode`` |
| inference | ``{type: openai}`` replaces the baseline row ``${env.OPENAI_API_KEY:+openai}`` |
| adds keys | config_format_version, rag.byok, rag.okp, rag.retrieval |
"""

from lsc_tui.config.releases import RELEASE_MAIN
from lsc_tui.config.releases.rules import ByokRules, ReleaseRules, SolrRules, main_rag_inputs
from lsc_tui.config.synthesis import legacy as L
from lsc_tui.config.synthesis import steps as S

RULES = ReleaseRules(
    release=RELEASE_MAIN,
    summary="rag.byok.stores / rag.retrieval / rag.okp replace byok_rag / rag.inline+tool / okp",
    baseline_file="default_run.yaml",
    baselines=("default", "empty"),
    root_keys=("llama_stack",),
    added=("config_format_version", "rag.byok", "rag.okp", "rag.retrieval"),
    removed={
        "byok_rag": "rag.byok.stores",
        "okp": "rag.okp",
        "rag.inline": "rag.retrieval.inline.sources",
        "rag.tool": "rag.retrieval.tool.sources",
        "reranker": "rag.retrieval.inline.reranker",
    },
    unified_inputs=("inference.providers", "vector_store.providers", "config"),
    rag_inputs=main_rag_inputs,
    byok=ByokRules(type_key="backend", templates=True, alias=True),
    solr=SolrRules(
        join_url=True,
        window_source_fields=True,
        store_embedding_model="sentence-transformers/solr_embedding",
        model_id="sentence-transformers/solr_embedding",
        search_mode=True,
    ),
    vector_store="alias",
    inference_ids=True,
    openai_conditional_match=True,
    unified_steps=S.UNIFIED_STEPS,
    server_steps=S.LEGACY_SERVER_STEPS,
    library_steps=L.LEGACY_LIBRARY_STEPS,
)
