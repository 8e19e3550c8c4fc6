"""The located node tree: YAML nodes with their line, column and character span in the text.

``convert`` makes the tree from the parser's nodes; ``moved_copy`` makes the copies an edit shifts
(their items made only when first asked for, so an edit costs what it touches).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

MERGE_TAG = "tag:yaml.org,2002:merge"

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
NULL_TAG = "tag:yaml.org,2002:null"

# The lines whose nodes an edit moved sideways, and by how many columns.
Columns = dict[int, int]


@dataclass
class Node:
    """A YAML node with its place in the text. ``start``/``end`` are character offsets."""

    kind: str  # "map" | "seq" | "scalar"
    tag: str
    line: int  # 1-based
    column: int  # 1-based
    start: int
    end: int
    style: str | None = None  # scalars: None (plain), "'", '"', "|", ">"
    value: str | None = None  # scalars: the text value
    items: list[Any] = field(default_factory=list)  # map: [(key Node, value Node)], seq: [Node]
    flow: bool = False

    def child(self, key: object) -> Node | None:
        """The value node under ``key`` (a mapping key, or a sequence index), or None."""
        if self.kind == "map":
            for k, v in self.items:
                if k.kind == "scalar" and _key_matches(k, key):
                    found: Node = v
                    return found
        elif self.kind == "seq" and isinstance(key, int) and 0 <= key < len(self.items):
            item: Node = self.items[key]
            return item
        return None

    def key_node(self, key: object) -> Node | None:
        """The key node of the mapping entry ``key``, or None."""
        if self.kind == "map":
            for k, _v in self.items:
                if k.kind == "scalar" and _key_matches(k, key):
                    found: Node = k
                    return found
        return None


class _MovedNode(Node):
    """A collection an edit moved (see moved_copy): its items are made when first asked for, from
    the collection it was moved from. (A subclass, so that plain nodes keep Python's fast
    attribute access.)"""

    @property
    def items(self) -> list[Any]:
        d = self.__dict__
        lazy = d.get("_moved")
        if lazy is not None:
            # two threads may both get here (the editor analyses in a worker): the first list
            # stored wins, and "_items" exists before "_moved" goes, so no reader finds neither
            d.setdefault("_items", _materialize(*lazy))
            d.pop("_moved", None)
        items: list[Any] = d["_items"]
        return items

    @items.setter
    def items(self, value: list[Any]) -> None:  # Node.__init__ (dataclasses.replace, copies) sets it
        self.__dict__["_items"] = value
        self.__dict__.pop("_moved", None)


def _key_matches(node: Node, key: object) -> bool:
    if isinstance(key, str):
        return node.value == key
    return node.value == str(key) and node.tag != "tag:yaml.org,2002:str"


def key_value(node: Node) -> str | int | None:
    """A mapping key as the data has it: a plain integer key is an int."""
    if node.kind != "scalar":
        return node.value
    if node.tag == INT_TAG and node.style is None:
        try:
            return int(node.value or "", 0)
        except ValueError:
            return node.value
    return node.value


def convert(ynode: Any, base: int, depth: int, display: str) -> Node:
    """The located tree of a parser's node (``base``: the offset of the text after a BOM)."""
    # positional arguments: this runs once per node of the file (25,000 at 10,000 lines)
    sm = ynode.start_mark
    cls = ynode.__class__
    if cls is _SCALAR_NODE:
        return Node(
            "scalar",
            ynode.tag,
            sm.line + 1,
            sm.column + 1,
            sm.index + base,
            ynode.end_mark.index + base,
            ynode.style or None,
            ynode.value,
        )
    if cls is _SEQUENCE_NODE:
        return Node(
            "seq",
            ynode.tag,
            sm.line + 1,
            sm.column + 1,
            sm.index + base,
            ynode.end_mark.index + base,
            None,
            None,
            [convert(n, base, depth + 1, display) for n in ynode.value],
            bool(ynode.flow_style),
        )
    return Node(
        "map",
        ynode.tag,
        sm.line + 1,
        sm.column + 1,
        sm.index + base,
        ynode.end_mark.index + base,
        None,
        None,
        [(convert(k, base, depth + 1, display), convert(v, base, depth + 1, display)) for k, v in ynode.value],
        bool(ynode.flow_style),
    )


_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode


def located_scalar(ynode: Any, base: int = 0) -> Node:
    """The located node ``convert`` makes of a parser's scalar node."""
    sm = ynode.start_mark
    return Node(
        "scalar",
        ynode.tag,
        sm.line + 1,
        sm.column + 1,
        sm.index + base,
        ynode.end_mark.index + base,
        style=ynode.style or None,
        value=ynode.value,
    )


def parser_key(ynode: Any) -> Any:
    """``key_value`` of the node ``convert`` makes of a parser node."""
    if ynode.__class__ is not yaml.ScalarNode:
        return None
    if ynode.tag == INT_TAG and not ynode.style:
        try:
            return int(ynode.value or "", 0)
        except ValueError:
            return ynode.value
    return ynode.value


_new_object = object.__new__


def moved_copy(n: Node, delta: int, columns: Columns) -> Node:
    """``n`` moved by ``delta`` characters (and its column by ``columns[line]`` when it sits on a
    line the edits changed). A collection's items are not copied now: the copy records where
    they come from and how far they moved, and makes them when first asked for (so an edit
    costs what it touches, not the size of the rest of the file)."""
    d = n.__dict__.copy()
    d["start"] += delta
    d["end"] += delta
    line_delta = columns.get(d["line"])
    if line_delta:
        d["column"] += line_delta
    if d["kind"] == "scalar":
        m = _new_object(Node)
        m.__dict__ = d
        return m
    lazy = d.pop("_moved", None)
    if lazy is None:  # a plain node, or a moved one whose items were made: move from its items
        d.pop("items", None)
        d.pop("_items", None)
        d["_moved"] = (n, delta, columns)
    else:  # moved again before anyone looked: one move from the original items
        source, before, cols = lazy
        if cols:
            merged = dict(cols)
            for line, dc in columns.items():
                merged[line] = merged.get(line, 0) + dc
        else:
            merged = columns
        d["_moved"] = (source, before + delta, merged)
    m = _new_object(_MovedNode)
    m.__dict__ = d
    return m


def plain_fields(n: Node) -> dict[str, Any]:
    """The fields of ``n`` for a plain copy (the caller sets ``items``)."""
    d = n.__dict__.copy()
    d.pop("_moved", None)
    d.pop("_items", None)
    return d


def _materialize(source: Node, delta: int, columns: Columns) -> list[Any]:
    if source.kind == "map":
        return [(moved_copy(k, delta, columns), moved_copy(v, delta, columns)) for k, v in source.items]
    return [moved_copy(i, delta, columns) for i in source.items]
