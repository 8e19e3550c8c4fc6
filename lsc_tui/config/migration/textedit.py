"""Text edits that turn a legacy lightspeed-stack.yaml into a unified one, keeping its bytes.

The new file is the old text with a few line spans replaced: the
``library_client_config_path`` line becomes a ``config:`` block in place (so key order and
every comment survive), a run.yaml is nested by indenting its text verbatim (so its comments
survive too), and new top-level sections are appended. Every result is checked by reading it
back with PyYAML (the server's reader) against the data we meant; where a span edit cannot
be proven right (flow-style blocks, odd indentation) the caller falls back to ruamel's
round-trip emitter, and then to a plain dump.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from ruamel.yaml import YAML

from lsc_tui.config.yaml.document import Document, Loader
from lsc_tui.config.yaml.edit import apply_span_edits, render_scalar, roundtrip_edit
from lsc_tui.config.yaml.nodes import Node


class EditError(Exception):
    """A span edit does not apply to this text (the caller falls back)."""


def reads_as(text: str) -> Any:
    return yaml.load(text, Loader=Loader)


def line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    """Offset just past the newline of the line holding ``offset`` (or the end of text)."""
    nl = text.find("\n", offset)
    return len(text) if nl < 0 else nl + 1


def _last_scalar(node: Node) -> Node:
    while node.kind != "scalar" and node.items:
        last = node.items[-1]
        node = last[1] if node.kind == "map" else last
    return node


def step_of(text: str) -> int:
    """The mapping indentation step the file uses (2 when unsure)."""
    indents = sorted(
        {
            len(line) - len(line.lstrip(" "))
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        }
        - {0}
    )
    return indents[0] if indents and indents[0] <= 8 else 2


class _IndentedDumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    """Sequences indented under their key (``key:\n  - item``), as the configs are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump_block(data: Any, indent: int) -> str:
    """Block-style YAML for ``data`` (keys in insertion order), every line indented."""
    text = yaml.dump(
        data,
        Dumper=_IndentedDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
        indent=2,
    )
    return indent_text(text, indent)


def indent_text(text: str, indent: int) -> str:
    pad = " " * indent
    out = [(pad + line) if line.strip() else "" for line in text.splitlines()]
    return "\n".join(out) + "\n"


_DOC_START = re.compile(r"^---(\s.*)?$")


def nestable_text(text: str) -> str:
    """A run.yaml's text ready to be nested under a key: BOM, directives and markers removed."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    out: list[str] = []
    started = False
    for line in lines:
        if not started:
            if line.startswith("%"):
                continue
            if _DOC_START.match(line):
                started = True
                rest = line[3:].strip()
                if rest and not rest.startswith("#"):
                    raise EditError("content on the document start line")
                continue
            if line.strip() and not line.lstrip().startswith("#"):
                started = True
        if line.rstrip() == "..." or _DOC_START.match(line):
            if started and any(x.strip() for x in out):
                break
            continue
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise EditError("tab indentation")
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + ("\n" if out else "")


def block_for(doc: Document, key_path: tuple[Any, ...]) -> tuple[Node, Node]:
    """The key and value nodes at ``key_path``, which must sit in a block mapping."""
    parent = doc.node_at(key_path[:-1])
    if parent is None or parent.kind != "map" or parent.flow:
        raise EditError("not a block mapping")
    kn, vn = parent.key_node(key_path[-1]), parent.child(key_path[-1])
    if kn is None or vn is None:
        raise EditError("key not found")
    if doc.text[line_start(doc.text, kn.start) : kn.start].strip():
        raise EditError("key does not start its line")
    return kn, vn


def replace_entry(doc: Document, key_path: tuple[Any, ...], new_lines: str) -> tuple[int, int, str]:
    """A span edit replacing the whole entry (key line(s) and value) at ``key_path``."""
    kn, vn = block_for(doc, key_path)
    if vn.kind != "scalar":
        raise EditError("the value is a collection")
    return line_start(doc.text, kn.start), line_end(doc.text, max(vn.end - 1, vn.start)), new_lines


def remove_entry(doc: Document, key_path: tuple[Any, ...]) -> tuple[int, int, str]:
    return replace_entry(doc, key_path, "")


def append_to_map(doc: Document, map_path: tuple[Any, ...], new_lines: str) -> tuple[int, int, str]:
    """A span edit inserting ``new_lines`` after the last entry of the block map at ``map_path``."""
    node = doc.node_at(map_path)
    if node is None or node.kind != "map" or node.flow or not node.items:
        raise EditError("not a non-empty block mapping")
    last = _last_scalar(node)
    if last.kind != "scalar":
        raise EditError("ends with an empty collection")
    if last.style in ("|", ">"):
        raise EditError("ends with a block scalar")
    end = line_end(doc.text, max(last.end - 1, last.start))
    return end, end, new_lines


def entry_indent(doc: Document, map_path: tuple[Any, ...]) -> int:
    """The column (0-based) at which the keys of the block map at ``map_path`` start."""
    node = doc.node_at(map_path)
    if node is None or node.kind != "map" or not node.items:
        raise EditError("not a non-empty mapping")
    first_key: Node = node.items[0][0]
    return first_key.column - 1


def append_top(text: str, new_lines: str) -> tuple[int, int, str]:
    if text and not text.endswith("\n"):
        new_lines = "\n" + new_lines
    return len(text), len(text), new_lines


def scalar_line(indent: int, key: str, value: Any) -> str:
    return f"{' ' * indent}{key}: {render_scalar(value)}\n"


def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    return apply_span_edits(text, edits)


# -- the ruamel fallback ---------------------------------------------------------------


def ruamel_rewrite(text: str, fn: Callable[[Any, None], object]) -> str:
    """Round-trip ``text`` with the foundation's ruamel writer, applying ``fn(root, None)``."""

    def apply_fn(root: Any) -> None:
        fn(root, None)

    return roundtrip_edit(text, apply_fn)


def ruamel_load(text: str) -> Any:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    return y.load(text)
