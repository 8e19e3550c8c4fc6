"""The decisions behind the editor's provider commands: where a new provider goes (and which
types it may have: :mod:`lsc_tui.config.provider_types`), and which id a rename changes.

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

from lsc_tui.config import provider_types
from lsc_tui.config.fields import KeyPath, value_at
from lsc_tui.config.outline import TreeItem
from lsc_tui.config.workspace import Workspace

HL_INFERENCE_LIST = ("inference", "providers")
HL_VECTOR_LIST = ("vector_store", "providers")

# The key a rename changes, by the kind of the renamed node (see lsc_tui.config.outline)
ID_KEYS = {"provider": "provider_id", "hl-inference": "id", "hl-vector": "id", "mcp": "name"}


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
        raise NoPlaceForProvider(
            "A LlamaStackDistribution lists providers under spec.providers: select it and press t to edit it as YAML."
        )
    if item is None:
        return None
    if ws.config is not None and item.display == ws.config.display:
        if ws.mode == "unified" or item.kind in ("hl-inference", "hl-vector"):
            vector = item.kind == "hl-vector" or item.path[:1] == ("vector_store",)
            return ProviderPlace(
                item.file,
                item.display,
                HL_VECTOR_LIST if vector else HL_INFERENCE_LIST,
                tuple(provider_types.suggestions("hl-vector" if vector else "hl-inference", None)),
            )
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
    apis = sorted(set(provider_types.SUGGESTED) | {str(a) for a in present})
    return ProviderPlace(file, display, api=item.api or "inference", apis=tuple(apis))


def append_index(data: Any, list_path: KeyPath) -> int:
    """The index a new entry appended to the list at ``list_path`` gets (0 when there is no list yet)."""
    existing = value_at(data, list_path)
    return len(existing) if isinstance(existing, list) else 0
