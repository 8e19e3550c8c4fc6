"""What one LCORE release does differently: the shape every release module fills in.

A release module (``v0_5``, ``v0_6``, ``v0_7rc1``, ``main``, ``newer``) holds one
:class:`ReleaseRules`: the data its config code works from (baseline run.yaml, the keys its
``Configuration`` model adds and removes) and the parameters the synthesis steps take from
it (where the RAG inputs live, how embedding models are named) and the sequence of steps its
pipelines run. The steps themselves live in :mod:`lsc_tui.config.synthesis.steps`; the
release modules compose them (this module imports none of synthesis).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional
from collections.abc import Callable

from lsc_tui.config.releases import Release


@dataclass(frozen=True)
class RagInputs:
    """The RAG inputs of a config, wherever the release reads them from."""

    stores: Any
    """The BYOK store list (``rag.byok.stores`` on main, ``byok_rag`` before)."""
    stores_path: tuple[Any, ...]
    sources: tuple[Any, Any]
    """The inline and tool source lists (``okp`` in either enables Solr)."""
    sources_path: tuple[Any, ...]
    okp: Any
    okp_path: tuple[Any, ...]
    problems: tuple[tuple[str, str, tuple[Any, ...]], ...] = ()
    """``(message, fix, path)`` where LCORE's own code stops on the shape."""


@dataclass(frozen=True)
class SolrRules:
    """How the release writes the Solr/OKP provider, store and embedding model."""

    join_url: bool
    """True: ``urljoin(resolved rhokp_url, "/solr")``; False (0.5.x): ``rhokp_url`` as given."""
    window_source_fields: bool
    """The ``chunk_online_source_url_field`` / ``chunk_source_path_field`` window fields (0.6+)."""
    store_embedding_model: str
    """``embedding_model`` of the registered ``portal-rag`` vector store."""
    model_id: str
    """``model_id`` of the registered Solr embedding model."""
    search_mode: bool
    """``okp.search_mode`` becomes ``vector_stores.chunk_retrieval_params.default_search_mode``."""


@dataclass(frozen=True)
class ByokRules:
    """How the release turns BYOK stores into run.yaml entries."""

    type_key: str
    """``backend`` (main: ``faiss``/``pgvector``) or ``rag_type`` (before: ``inline::faiss``...)."""
    templates: bool
    """0.6+: pgvector gets its own config and no storage backend; existing vector_io is deduped
    and a store whose provider id is there already is skipped. 0.5.x: every store is a faiss
    entry appended as is."""
    alias: bool
    """main: the vector store names the alias ``sentence-transformers/byok_<id>_embedding`` and
    models are deduped by ``model_id``; before: the load path, deduped by ``provider_model_id``."""


@dataclass(frozen=True)
class ReleaseRules:
    """One release's config behaviour (see the module of each release for its values)."""

    release: Release
    summary: str
    """One line: what this release changes against the one before."""
    baseline_file: Optional[str]
    """The built-in default run.yaml, relative to ``lsc_tui/data``; None: no unified mode."""
    baselines: tuple[str, ...]
    """The ``llama_stack.config.baseline`` values the release accepts."""
    root_keys: tuple[str, ...]
    """The keys that hold the Llama Stack block (``ogx`` came after main)."""
    added: tuple[str, ...]
    """Config keys (dotted, list items transparent) this release's model adds."""
    rag_inputs: Callable[[dict[str, Any]], RagInputs]
    """Where the release reads the RAG inputs (:func:`old_rag_inputs` or :func:`main_rag_inputs`)."""
    byok: ByokRules
    solr: SolrRules
    removed: dict[str, str] = field(default_factory=dict)
    """Config keys this release's model drops, each with what replaces it."""
    unified_inputs: tuple[str, ...] = ()
    """What makes a config unified: ``inference.providers``, ``vector_store.providers``, ``config``."""
    vector_store: Optional[str] = None
    """None (no ``vector_store`` section), ``first-model`` (0.7.0rc1: a provider's embedding
    model is registered unless its path is, the default names the path) or ``alias`` (main)."""
    inference_ids: bool = False
    """``inference.providers[].id`` names the emitted provider."""
    openai_conditional_match: bool = False
    """``{type: openai}`` replaces the baseline row ``${env.OPENAI_API_KEY:+openai}``."""
    server_resolves_env: bool = False
    """0.5.x: the container entrypoint resolves every ``${env.X}`` of the config first and
    runs the unenriched run.yaml when one is unset."""
    unified_steps: tuple[Any, ...] = ()
    """The unified pipeline, steps of :mod:`lsc_tui.config.synthesis.steps` in the release's order."""
    server_steps: tuple[Any, ...] = ()
    """The Llama Stack container entrypoint's enrichment, as steps."""
    library_steps: tuple[Any, ...] = ()
    """The library-mode enrichment of a legacy library config's run.yaml, as steps."""

    @property
    def unified(self) -> bool:
        return self.baseline_file is not None


def old_rag_inputs(config: dict[str, Any]) -> RagInputs:
    """RAG inputs as every release before main reads them: ``byok_rag``, ``rag.inline`` /
    ``rag.tool`` (lists of ids) and ``okp``."""
    problems: list[tuple[str, str, tuple[Any, ...]]] = []
    stores = config.get("byok_rag", [])
    rag = config.get("rag", {})
    if not isinstance(rag, dict):
        problems.append(("rag is not a mapping", "write rag as a mapping (or remove it)", ("rag",)))
        rag = {}
    okp = config.get("okp", {})
    return RagInputs(
        stores if stores is not None else [],
        ("byok_rag",),
        (rag.get("inline"), rag.get("tool")),
        ("rag",),
        okp,
        ("okp",),
        tuple(problems),
    )


def main_rag_inputs(config: dict[str, Any]) -> RagInputs:
    """RAG inputs as main reads them: ``rag.byok.stores``, ``rag.retrieval.{inline,tool}.sources``
    and ``rag.okp``."""
    problems: list[tuple[str, str, tuple[Any, ...]]] = []
    rag = config.get("rag", {})
    if not isinstance(rag, dict):
        problems.append(("rag is not a mapping", "write rag as a mapping (or remove it)", ("rag",)))
        rag = {}
    byok = rag.get("byok", {})
    stores = byok.get("stores", []) if isinstance(byok, dict) else []
    if not isinstance(byok, dict):
        problems.append(("rag.byok is not a mapping", "write rag.byok as a mapping", ("rag", "byok")))
    elif stores is None:
        problems.append(
            (
                "rag.byok.stores is empty (null), not a list",
                "write `stores: []` or list the stores",
                ("rag", "byok", "stores"),
            )
        )
        stores = []
    sources: tuple[Any, Any] = (None, None)
    retrieval = rag.get("retrieval", {})
    try:
        sources = (_sources(retrieval, "inline"), _sources(retrieval, "tool"))
    except _Shape:
        problems.append(("rag.retrieval has an unexpected shape", "fix rag.retrieval", ("rag", "retrieval")))
    okp = rag.get("okp", {})
    return RagInputs(
        stores, ("rag", "byok", "stores"), sources, ("rag", "retrieval"), okp, ("rag", "okp"), tuple(problems)
    )


class _Shape(Exception):
    pass


def _sources(retrieval: Any, part: str) -> Any:
    if not isinstance(retrieval, dict):
        raise _Shape
    section = retrieval.get(part, {})
    if not isinstance(section, dict):
        raise _Shape
    return section.get("sources", [])
