"""The located node tree: YAML nodes with their line, column and character span in the text.

``convert`` makes the tree from the parser's nodes; ``moved_copy`` makes the copies an edit shifts
(their items made only when first asked for, so an edit costs what it touches).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

MERGE_TAG = "tag:yaml.org,2002:merge"

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
NULL_TAG = "tag:yaml.org,2002:null"

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
    items: list = field(default_factory=list)  # map: [(key Node, value Node)], seq: [Node]
    flow: bool = False

    def child(self, key) -> "Node | None":
        if self.kind == "map":
            for k, v in self.items:
                if k.kind == "scalar" and _key_matches(k, key):
                    return v
        elif self.kind == "seq" and isinstance(key, int) and 0 <= key < len(self.items):
            return self.items[key]
        return None

    def key_node(self, key) -> "Node | None":
        if self.kind == "map":
            for k, _v in self.items:
                if k.kind == "scalar" and _key_matches(k, key):
                    return k
        return None


class _MovedNode(Node):
    """A collection an edit moved (see moved_copy): its items are made when first asked for, from
    the collection it was moved from. (A subclass, so that plain nodes keep Python's fast
    attribute access.)"""

    @property
    def items(self):  # type: ignore[override]
        d = self.__dict__
        lazy = d.get("_moved")
        if lazy is not None:
            # two threads may both get here (the editor analyses in a worker): the first list
            # stored wins, and "_items" exists before "_moved" goes, so no reader finds neither
            d.setdefault("_items", _materialize(*lazy))
            d.pop("_moved", None)
        return d["_items"]

    @items.setter
    def items(self, value) -> None:  # Node.__init__ (dataclasses.replace, copies) sets it
        self.__dict__["_items"] = value
        self.__dict__.pop("_moved", None)


def _key_matches(node: Node, key) -> bool:
    if isinstance(key, str):
        return node.value == key
    return node.value == str(key) and node.tag != "tag:yaml.org,2002:str"



def key_value(node: Node):
    if node.kind != "scalar":
        return node.value
    if node.tag == INT_TAG and node.style is None:
        try:
            return int(node.value or "", 0)
        except ValueError:
            return node.value
    return node.value





def convert(ynode, base: int, depth: int, display: str) -> Node:
    # positional arguments: this runs once per node of the file (25,000 at 10,000 lines)
    sm = ynode.start_mark
    cls = ynode.__class__
    if cls is _SCALAR_NODE:
        return Node("scalar", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                    ynode.style or None, ynode.value)
    if cls is _SEQUENCE_NODE:
        return Node("seq", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                    None, None, [convert(n, base, depth + 1, display) for n in ynode.value],
                    bool(ynode.flow_style))
    return Node("map", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                None, None,
                [(convert(k, base, depth + 1, display), convert(v, base, depth + 1, display))
                 for k, v in ynode.value],
                bool(ynode.flow_style))


_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode


def located_scalar(ynode, base: int = 0) -> Node:
    """The located node ``convert`` makes of a parser's scalar node."""
    sm = ynode.start_mark
    return Node("scalar", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                style=ynode.style or None, value=ynode.value)


def parser_key(ynode):
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


def moved_copy(n: Node, delta: int, columns: dict) -> Node:
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


def plain_fields(n: Node) -> dict:
    """The fields of ``n`` for a plain copy (the caller sets ``items``)."""
    d = n.__dict__.copy()
    d.pop("_moved", None)
    d.pop("_items", None)
    return d


def _materialize(source: Node, delta: int, columns: dict) -> list:
    if source.kind == "map":
        return [(moved_copy(k, delta, columns), moved_copy(v, delta, columns)) for k, v in source.items]
    return [moved_copy(i, delta, columns) for i in source.items]



