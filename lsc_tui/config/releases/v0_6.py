"""LCORE 0.6.x (0.6.0 to 0.6.2): unified mode arrives.

| what | 0.6.x against 0.5.x |
|---|---|
| modes | unified when ``inference.providers`` is non-empty or ``llama_stack.config`` is present |
| default baseline | agents, llama-guard safety, rag-runtime; the openai row needs ``OPENAI_API_KEY`` |
| synthesis | baseline, dedupe, Azure, BYOK, Solr, ``inference.providers`` (id = type), ``native_override``; no MCP ensure |
| BYOK | pgvector stores get their own config and no storage backend; existing vector_io deduped |
| Solr | ``solr_url`` = ``urljoin(resolved rhokp_url, "/solr")``; store embedding model ``${env.SOLR_EMBEDDING_MODEL:=...}``, model id ``solr_embedding`` |
| Azure Entra ID | ``model_validation: false`` on ``remote::azure`` providers |
| adds keys | approvals, compaction, skills, reranker, rlsapi_v1, inference.{providers, context_windows, max_infer_iters, max_tool_calls}, llama_stack.{config, allow_degraded_mode, max_retries, retry_delay}, authentication.{skip_for_metrics, trusted_proxy_config}, byok_rag[].{host, port, db, user, password}, mcp_servers[].require_approval |
| removes keys | ``customization.allow_verbose_infer`` (now ``rlsapi_v1.allow_verbose_infer``) |
"""

from lsc_tui.config.releases import RELEASE_0_6
from lsc_tui.config.releases.rules import ByokRules, ReleaseRules, SolrRules, old_rag_inputs
from lsc_tui.config.synthesis import legacy as L
from lsc_tui.config.synthesis import steps as S

SOLR = SolrRules(
    join_url=True,
    window_source_fields=True,
    store_embedding_model="${env.SOLR_EMBEDDING_MODEL:=sentence-transformers/ibm-granite/"
    "granite-embedding-30m-english}",
    model_id="solr_embedding",
    search_mode=False,
)

RULES = ReleaseRules(
    release=RELEASE_0_6,
    summary="unified mode arrives (llama_stack.config, inference.providers)",
    baseline_file="releases/0.6/default_run.yaml",
    baselines=("default", "empty"),
    root_keys=("llama_stack",),
    added=(
        "approvals",
        "authentication.skip_for_metrics",
        "authentication.trusted_proxy_config",
        "byok_rag.db",
        "byok_rag.host",
        "byok_rag.password",
        "byok_rag.port",
        "byok_rag.user",
        "compaction",
        "inference.context_windows",
        "inference.max_infer_iters",
        "inference.max_tool_calls",
        "inference.providers",
        "llama_stack.allow_degraded_mode",
        "llama_stack.config",
        "llama_stack.max_retries",
        "llama_stack.retry_delay",
        "mcp_servers.require_approval",
        "reranker",
        "rlsapi_v1",
        "skills",
    ),
    removed={"customization.allow_verbose_infer": "rlsapi_v1.allow_verbose_infer"},
    unified_inputs=("inference.providers", "config"),
    rag_inputs=old_rag_inputs,
    byok=ByokRules(type_key="rag_type", templates=True, alias=False),
    solr=SOLR,
    unified_steps=(
        S.start_from_baseline,
        S.dedupe_baseline,
        S.azure_entra_id,
        S.byok_rag,
        S.solr_okp,
        S.high_level_inference,
        S.native_override,
        S.final_dedupe,
        S.openai_key_needed,
    ),
    server_steps=S.LEGACY_SERVER_STEPS,
    library_steps=L.LEGACY_LIBRARY_STEPS,
)
