"""Provenance for synthesized trees: which input produced each path.

Synthesis builds its output by copy-on-write over the inputs: a container is copied only
when a pipeline step changes it, and every other subtree is shared with the input it came
from. Provenance follows the same idea. Instead of an origin per value, it records:

- an origin for the root and for every container a step inserted (keyed by ``id``),
- an origin per key for values a step set inside a container it owns,
- a source key per moved list item (a dedupe that drops an entry shifts the indexes).

Everything else inherits from its parent, so recording costs nothing for shared subtrees
and a lookup (:meth:`Provenance.origin_of`) walks the path once. Registered objects are kept
alive so their ids cannot be reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Iterable

from lsc_tui.config.findings import path_text

KeyPath = tuple[Any, ...]
"""A path of keys and indexes into a YAML tree (``("providers", "inference", 0)``)."""


@dataclass(frozen=True)
class Origin:
    """Where a value of the synthesized run.yaml comes from.

    ``step`` names the pipeline step (``baseline:default``, ``profile``, ``byok``,
    ``native_override``, ``legacy-run.yaml``...). ``file`` is the input file (or
    ``builtin:default`` / ``builtin:byo-llm`` for the packaged baseline) and
    ``source_path`` the key path inside that file. ``exact`` is true when the value was
    copied from that path, so its children map to children of the path; for values a step
    generated, ``source_path`` names the input that caused them and children share it.
    """

    step: str
    file: str
    source_path: KeyPath = ()
    exact: bool = True

    def child(self, key: Any) -> "Origin":
        if not self.exact:
            return self
        return Origin(self.step, self.file, self.source_path + (key,), True)

    def describe(self) -> str:
        where = path_text(self.source_path) or "(document)"
        return f"{self.step}: {self.file} {where}"


class Provenance:
    """Origin records for one synthesized tree (see the module docstring)."""

    __slots__ = ("node", "keys", "srckey", "_keep")

    def __init__(self) -> None:
        self.node: dict[int, Origin] = {}
        self.keys: dict[int, dict[Any, Origin]] = {}
        self.srckey: dict[int, dict[Any, Any]] = {}
        self._keep: list[Any] = []

    # -- recording -------------------------------------------------------------------
    def mark(self, obj: Any, origin: Origin) -> None:
        """Record ``origin`` for a container (root, or a subtree a step inserted)."""
        if isinstance(obj, (dict, list)):
            self.node[id(obj)] = origin
            self._keep.append(obj)

    def mark_key(self, container: Any, key: Any, origin: Origin) -> None:
        """Record ``origin`` for the value at ``container[key]``."""
        cid = id(container)
        table = self.keys.get(cid)
        if table is None:
            table = self.keys[cid] = {}
            self._keep.append(container)
        table[key] = origin

    def inherit(self, old: Any, new: Any) -> None:
        """``new`` is a shallow copy of ``old``: it keeps old's records."""
        oid = id(old)
        hit = False
        if oid in self.node:
            self.node[id(new)] = self.node[oid]
            hit = True
        if oid in self.keys:
            self.keys[id(new)] = dict(self.keys[oid])
            hit = True
        if oid in self.srckey:
            self.srckey[id(new)] = dict(self.srckey[oid])
            hit = True
        if hit:
            self._keep.append(new)

    def inherit_id(self, old_id: int, new: Any) -> None:
        """Like :meth:`inherit` for an original known only by id (a deep copy's memo)."""
        hit = False
        if old_id in self.node:
            self.node[id(new)] = self.node[old_id]
            hit = True
        if old_id in self.keys:
            self.keys[id(new)] = dict(self.keys[old_id])
            hit = True
        if old_id in self.srckey:
            self.srckey[id(new)] = dict(self.srckey[old_id])
            hit = True
        if hit:
            self._keep.append(new)

    def reindex(self, old: list[Any], new: list[Any], kept: Iterable[int]) -> None:
        """``new`` holds the items of ``old`` at indexes ``kept`` (in order)."""
        keys = self.keys.get(id(old), {})
        src = self.srckey.get(id(old), {})
        new_keys: dict[Any, Origin] = {}
        new_src: dict[Any, Any] = {}
        for new_index, old_index in enumerate(kept):
            if old_index in keys:
                new_keys[new_index] = keys[old_index]
            source = src.get(old_index, old_index)
            if source != new_index:
                new_src[new_index] = source
        if id(old) in self.node:
            self.node[id(new)] = self.node[id(old)]
        if new_keys:
            self.keys[id(new)] = new_keys
        if new_src:
            self.srckey[id(new)] = new_src
        self._keep.append(new)

    # -- lookup ----------------------------------------------------------------------
    def step_origin(self, root: Any, path: KeyPath, root_origin: Origin) -> tuple[Any, Origin]:
        node, origin = root, root_origin
        for key in path:
            child = node[key]
            table = self.keys.get(id(node))
            found = table.get(key) if table else None
            if found is None and isinstance(child, (dict, list)):
                found = self.node.get(id(child))
            if found is None:
                src = self.srckey.get(id(node))
                found = origin.child(src.get(key, key) if src else key)
            node, origin = child, found
        return node, origin

    def origin_of(self, root: Any, path: KeyPath) -> Origin:
        root_origin = self.node.get(id(root), Origin("unknown", ""))
        return self.step_origin(root, tuple(path), root_origin)[1]

    def child_origin(self, parent: Any, key: Any, parent_origin: Origin) -> Origin:
        """The origin of ``parent[key]`` given the parent's origin (one step of a walk)."""
        table = self.keys.get(id(parent))
        found = table.get(key) if table else None
        if found is None:
            child = parent[key]
            if isinstance(child, (dict, list)):
                found = self.node.get(id(child))
        if found is None:
            src = self.srckey.get(id(parent))
            found = parent_origin.child(src.get(key, key) if src else key)
        return found
