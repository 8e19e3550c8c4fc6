"""LCORE 0.5.x (0.5.0 to 0.5.3): the two-file (legacy) configuration only.

| what | 0.5.x |
|---|---|
| modes | legacy library client, legacy server; no unified mode (``llama_stack.config``, ``inference.providers`` are unknown keys) |
| RAG keys | ``byok_rag`` (``rag_type: inline::faiss``), ``rag.inline`` / ``rag.tool`` id lists, ``okp`` |
| BYOK | every store becomes a faiss entry with a kv_sqlite backend, appended without dedupe |
| Solr | ``solr_url`` is ``okp.rhokp_url`` as given (no ``/solr``), no source-url window fields |
| Azure Entra ID | the entrypoint fetches a token into ``.env``; run.yaml is not changed; the library path has no Azure step |
| server entrypoint | resolves every ``${env.X}`` of lightspeed-stack.yaml first; one unset variable makes it run the unenriched run.yaml |
| knows, later removed | ``customization.allow_verbose_infer`` |
"""

from lsc_tui.config.releases import RELEASE_0_5
from lsc_tui.config.releases.rules import ByokRules, ReleaseRules, SolrRules, old_rag_inputs
from lsc_tui.config.synthesis import legacy as L
from lsc_tui.config.synthesis import steps as S

RULES = ReleaseRules(
    release=RELEASE_0_5,
    summary="legacy only: no unified mode",
    baseline_file=None,
    baselines=(),
    root_keys=("llama_stack",),
    added=(),
    rag_inputs=old_rag_inputs,
    byok=ByokRules(type_key="rag_type", templates=False, alias=False),
    solr=SolrRules(
        join_url=False,
        window_source_fields=False,
        store_embedding_model="${env.SOLR_EMBEDDING_MODEL:=sentence-transformers/ibm-granite/"
        "granite-embedding-30m-english}",
        model_id="solr_embedding",
        search_mode=False,
    ),
    server_resolves_env=True,
    # no dedupe, and Azure Entra ID fetches a token into .env instead of changing run.yaml
    server_steps=(S.byok_rag, S.solr_okp),
    library_steps=(L.library_byok_rag, L.library_solr_okp),
)
