"""The decisions behind the editor's provider commands: which provider types to suggest, where
a new provider goes, and which id a rename changes.

A unified config (or a selected high-level list) takes a new provider as an entry of
``inference.providers`` or ``vector_store.providers`` (``{id, type}``); a legacy config takes
it in the run.yaml it points at (or the profile), under ``providers.<api>``
(``{provider_id, provider_type}``); a run.yaml or profile selected in the tree takes it itself.
A LlamaStackDistribution lists its providers under ``spec.providers``: it is edited as YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsc_tui.config.fields import KeyPath, value_at
from lsc_tui.config.outline import TreeItem
from lsc_tui.config.workspace import Workspace

# Provider types the editor suggests, per API: the ones the bundled run.yamls use plus the
# common Llama Stack ones. Suggestions only: any type is accepted and validated by the core.
KNOWN_PROVIDER_TYPES: dict[str, list[str]] = {
    "inference": ["remote::vllm", "remote::openai", "remote::azure", "remote::watsonx", "remote::ollama",
                  "remote::vertexai", "remote::gemini", "remote::anthropic", "remote::bedrock",
                  "remote::together", "remote::fireworks", "remote::groq", "remote::passthrough",
                  "inline::sentence-transformers"],
    "vector_io": ["inline::faiss", "inline::sqlite-vec", "inline::milvus", "remote::pgvector",
                  "remote::chromadb", "remote::qdrant", "remote::weaviate", "remote::milvus", "remote::solr"],
    "files": ["inline::localfs", "remote::s3"],
    "tool_runtime": ["inline::file-search", "inline::rag-runtime", "remote::model-context-protocol",
                     "remote::brave-search", "remote::tavily-search"],
    "responses": ["inline::builtin", "inline::meta-reference"],
    "agents": ["inline::meta-reference"],
    "safety": ["inline::llama-guard", "remote::passthrough", "inline::code-scanner"],
    "file_processors": ["inline::pypdf"],
    "eval": ["inline::meta-reference"],
    "datasetio": ["inline::localfs", "remote::huggingface"],
    "scoring": ["inline::basic", "inline::llm-as-judge", "inline::braintrust"],
    "telemetry": ["inline::meta-reference"],
    "post_training": ["inline::huggingface", "inline::torchtune"],
}
# High-level (unified) provider types, as LCORE's inference.providers and vector_store.providers take them.
HL_INFERENCE_TYPES = ["openai", "vllm", "vllm_rhaiis", "vllm_rhel_ai", "azure", "watsonx", "ollama",
                      "vertexai", "sentence_transformers"]
HL_VECTOR_TYPES = ["faiss", "pgvector"]
HL_INFERENCE_LIST = ("inference", "providers")
HL_VECTOR_LIST = ("vector_store", "providers")

# The key a rename changes, by the kind of the renamed node (see lsc_tui.config.outline)
ID_KEYS = {"provider": "provider_id", "hl-inference": "id", "hl-vector": "id", "mcp": "name"}


def provider_type_suggestions(kind: str, api: str | None) -> list[str]:
    """The types to suggest for a node of ``kind`` (a high-level entry: the high-level types) or,
    in a run.yaml, for ``api`` (every known type when the API is unknown)."""
    if kind == "hl-inference":
        return HL_INFERENCE_TYPES
    if kind == "hl-vector":
        return HL_VECTOR_TYPES
    if api and api in KNOWN_PROVIDER_TYPES:
        return KNOWN_PROVIDER_TYPES[api]
    return sorted({t for types in KNOWN_PROVIDER_TYPES.values() for t in types})


def rename_id_key(kind: str) -> str | None:
    """The key holding the id that renaming a node of ``kind`` changes; None: it has no id."""
    return ID_KEYS.get(kind)


class NoPlaceForProvider(ValueError):
    """The selection cannot take a new provider; the message says what to do instead."""


@dataclass(frozen=True)
class ProviderPlace:
    """Where a new provider goes. ``list_path`` set: a high-level entry appended to that list
    (``{id, type}``), of one of ``types``; else a Llama Stack provider under ``providers.<api>``
    (``{provider_id, provider_type}``), ``api`` the one to propose and ``apis`` the choices."""

    file: Path | None
    display: str
    list_path: KeyPath | None = None
    types: tuple[str, ...] = ()
    api: str = "inference"
    apis: tuple[str, ...] = ()

    @property
    def high_level(self) -> bool:
        return self.list_path is not None


def new_provider_place(ws: Workspace, item: TreeItem | None) -> ProviderPlace | None:
    """Where a provider added with ``item`` selected in the tree goes (None for nothing
    selected: then None). Raises NoPlaceForProvider when
    the selection cannot take one."""
    if ws.kind == "llsd":
        raise NoPlaceForProvider("A LlamaStackDistribution lists providers under spec.providers: select it and "
                                 "press t to edit it as YAML.")
    if item is None:
        return None
    if ws.config is not None and item.display == ws.config.display:
        if ws.mode == "unified" or item.kind in ("hl-inference", "hl-vector"):
            vector = item.kind == "hl-vector" or item.path[:1] == ("vector_store",)
            return ProviderPlace(item.file, item.display, HL_VECTOR_LIST if vector else HL_INFERENCE_LIST,
                                 tuple(HL_VECTOR_TYPES if vector else HL_INFERENCE_TYPES))
        target = ws.run_yaml or ws.profile
        if target is None:
            raise NoPlaceForProvider("This config has no run.yaml to add a provider to; use inference.providers.")
        display: str = target.display
        file: Path | None = target.path
    else:
        display, file = item.display, item.file
    doc = next((d for d in ws.documents if d.display == display), None)
    data: dict[str, Any] = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    present = data.get("providers") or {}
    apis = sorted(set(KNOWN_PROVIDER_TYPES) | {str(a) for a in present})
    return ProviderPlace(file, display, api=item.api or "inference", apis=tuple(apis))


def append_index(data: Any, list_path: KeyPath) -> int:
    """The index a new entry appended to the list at ``list_path`` gets (0 when there is no list yet)."""
    existing = value_at(data, list_path)
    return len(existing) if isinstance(existing, list) else 0
