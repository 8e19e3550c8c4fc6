"""Provider types: the one table of what lsc-tui knows about each.

Two vocabularies meet here:

- the **high-level kinds** of LCORE's unified config (``inference.providers[].type``,
  ``vector_store.providers[].type``, ``rag.byok.stores[].backend``). LCORE turns each into a
  Llama Stack provider of one API and ``provider_type``, gives it a default ``provider_id``
  and writes the API key reference under a config field that depends on the type. Synthesis
  (``synthesis/enrichment.py``), migration's lift into ``inference.providers``
  (``migration/strategies.py``), the config models (``models/lightspeed.py``) and the editor's
  suggestions all read these rows;
- the **Llama Stack provider types** the editor suggests per API (the ones the bundled
  run.yamls use plus the common ones). Suggestions only: any type is accepted, and the core
  validates what is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


# The APIs a Llama Stack run.yaml names (Llama Stack 0.2 to 0.8 / OGX): those a provider serves
# (``providers:`` sections and ``apis:`` entries), the routing tables and the internal ones.
PROVIDABLE_APIS = (
    "inference",
    "safety",
    "responses",
    "agents",
    "batches",
    "vector_io",
    "datasetio",
    "scoring",
    "eval",
    "tool_runtime",
    "files",
    "file_processors",
    "post_training",
    "telemetry",
    "messages",
    "interactions",
)
ROUTING_TABLE_APIS = (
    "models",
    "shields",
    "vector_stores",
    "tool_groups",
    "datasets",
    "scoring_functions",
    "benchmarks",
)
INTERNAL_APIS = ("inspect", "providers", "prompts", "conversations", "connectors", "admin")
KNOWN_APIS = PROVIDABLE_APIS + ROUTING_TABLE_APIS + INTERNAL_APIS


@dataclass(frozen=True)
class HighLevelType:
    """One high-level provider kind and the Llama Stack provider LCORE makes of it."""

    kind: str
    """The name the unified config uses (``vllm_rhaiis``)."""
    api: str
    """The Llama Stack API of the provider (``inference``, ``vector_io``)."""
    provider_type: str
    """The ``provider_type`` LCORE writes (``remote::vllm``)."""
    key_field: Optional[str] = None
    """The config field LCORE writes ``api_key_env`` into (None: the kind takes no key)."""

    @property
    def default_id(self) -> str:
        """The ``provider_id`` LCORE gives an entry that sets no ``id``."""
        return self.kind.replace("_", "-")


def _inference(kind: str, provider_type: str) -> HighLevelType:
    # LCORE writes the key as api_token for vLLM, api_key for every other type
    return HighLevelType(
        kind, "inference", provider_type, "api_token" if provider_type == "remote::vllm" else "api_key"
    )


# In LCORE's order (its enum of inference.providers[].type; error messages list them so).
INFERENCE: tuple[HighLevelType, ...] = (
    _inference("openai", "remote::openai"),
    _inference("ollama", "remote::ollama"),
    _inference("vllm", "remote::vllm"),
    _inference("sentence_transformers", "inline::sentence-transformers"),
    _inference("azure", "remote::azure"),
    _inference("vertexai", "remote::vertexai"),
    _inference("watsonx", "remote::watsonx"),
    _inference("vllm_rhaiis", "remote::vllm"),
    _inference("vllm_rhel_ai", "remote::vllm"),
)
VECTOR: tuple[HighLevelType, ...] = (
    HighLevelType("faiss", "vector_io", "inline::faiss"),
    HighLevelType("pgvector", "vector_io", "remote::pgvector"),
)

INFERENCE_KINDS: tuple[str, ...] = tuple(t.kind for t in INFERENCE)
VECTOR_KINDS: tuple[str, ...] = tuple(t.kind for t in VECTOR)
INFERENCE_BY_KIND: dict[str, HighLevelType] = {t.kind: t for t in INFERENCE}
VECTOR_BY_KIND: dict[str, HighLevelType] = {t.kind: t for t in VECTOR}

# The order the editor offers the inference kinds in: the common ones first.
INFERENCE_SUGGESTED: tuple[str, ...] = (
    "openai",
    "vllm",
    "vllm_rhaiis",
    "vllm_rhel_ai",
    "azure",
    "watsonx",
    "ollama",
    "vertexai",
    "sentence_transformers",
)


def inference_kinds_for(provider_type: str) -> list[HighLevelType]:
    """The high-level inference kinds LCORE turns into ``provider_type`` (LCORE's order)."""
    return [t for t in INFERENCE if t.provider_type == provider_type]


def key_field(provider_type: str) -> str:
    """The config field of a ``providers.inference`` row that LCORE writes the API key into."""
    kinds = inference_kinds_for(provider_type)
    if kinds and kinds[0].key_field is not None:
        return kinds[0].key_field
    return "api_key"


def describe_inference_kinds() -> str:
    """``openai->remote::openai, ..., vllm/vllm_rhaiis/vllm_rhel_ai->remote::vllm, ...``"""
    by_type: dict[str, list[str]] = {}
    for t in INFERENCE:
        by_type.setdefault(t.provider_type, []).append(t.kind)
    return ", ".join("/".join(kinds) + "->" + provider_type for provider_type, kinds in by_type.items())


# Llama Stack provider types the editor suggests, per API.
SUGGESTED: dict[str, tuple[str, ...]] = {
    "inference": (
        "remote::vllm",
        "remote::openai",
        "remote::azure",
        "remote::watsonx",
        "remote::ollama",
        "remote::vertexai",
        "remote::gemini",
        "remote::anthropic",
        "remote::bedrock",
        "remote::together",
        "remote::fireworks",
        "remote::groq",
        "remote::passthrough",
        "inline::sentence-transformers",
    ),
    "vector_io": (
        "inline::faiss",
        "inline::sqlite-vec",
        "inline::milvus",
        "remote::pgvector",
        "remote::chromadb",
        "remote::qdrant",
        "remote::weaviate",
        "remote::milvus",
        "remote::solr",
    ),
    "files": ("inline::localfs", "remote::s3"),
    "tool_runtime": (
        "inline::file-search",
        "inline::rag-runtime",
        "remote::model-context-protocol",
        "remote::brave-search",
        "remote::tavily-search",
    ),
    "responses": ("inline::builtin", "inline::meta-reference"),
    "agents": ("inline::meta-reference",),
    "safety": ("inline::llama-guard", "remote::passthrough", "inline::code-scanner"),
    "file_processors": ("inline::pypdf",),
    "eval": ("inline::meta-reference",),
    "datasetio": ("inline::localfs", "remote::huggingface"),
    "scoring": ("inline::basic", "inline::llm-as-judge", "inline::braintrust"),
    "telemetry": ("inline::meta-reference",),
    "post_training": ("inline::huggingface", "inline::torchtune"),
}


def suggestions(node_kind: str, api: Optional[str]) -> list[str]:
    """What the editor offers for a provider's type: the high-level kinds for a node of
    ``inference.providers`` (``hl-inference``) or ``vector_store.providers`` (``hl-vector``),
    else the Llama Stack types of ``api`` (every known type when the API is not one we know)."""
    if node_kind == "hl-inference":
        return list(INFERENCE_SUGGESTED)
    if node_kind == "hl-vector":
        return list(VECTOR_KINDS)
    if api and api in SUGGESTED:
        return list(SUGGESTED[api])
    return sorted({t for types in SUGGESTED.values() for t in types})
