"""Editing YAML text: span edits that change only the bytes of a value, the keystroke path that
derives a document without re-parsing, node text for the raw editor, and structural edits
through ruamel.yaml's round-trip emitter (which keeps comments) where no span exists.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
import re
import weakref

import yaml

from lsc_tui.config.findings import path_text
from lsc_tui.config.yaml.document import Derivation, Document, Loader, note_alias_free, remember
from lsc_tui.config.yaml.lint import YamlLoadError, yaml11_traps
from lsc_tui.config.yaml.nodes import INT_TAG, Node, key_value, moved_copy, plain_fields

if TYPE_CHECKING:
    from ruamel.yaml import YAML

_new_object = object.__new__

# -- text edits ------------------------------------------------------------------------


def apply_span_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace character spans; spans must not overlap."""
    out, pos = [], 0
    for start, end, new in sorted(edits, key=lambda e: e[0]):
        if start < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./${}=+\-][A-Za-z0-9_./${}=+\-: @]*$")


def render_scalar(value: Any, prefer: str | None = None) -> str:
    """A YAML scalar whose safe_load value is exactly ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    s = str(value)
    if prefer not in ("'", '"') and s and _PLAIN_SAFE.match(s) and not s.endswith(":") and ": " not in s:
        if _plain_reads_as(s) == s:
            return s
    if "\n" not in s and prefer != '"' and all(c.isprintable() for c in s):
        return "'" + s.replace("'", "''") + "'"
    return yaml.dump(s, default_style='"', width=1 << 30).rstrip("\n").removesuffix("\n...")


def _plain_reads_as(s: str) -> Any:
    try:
        return yaml.load(f"k: {s}\n", Loader=Loader)["k"]
    except yaml.YAMLError:
        return None


KEEP_STYLE = "keep"  # render a replaced scalar in the quote style it has now


def _quote_preference(node: Node, style: str | None) -> str | None:
    if style == KEEP_STYLE:
        style = node.style
    return style if style in ("'", '"') else None  # "plain", None: plain where the value allows


def replace_scalar(doc: Document, path: tuple[Any, ...], value: Any, style: str | None = KEEP_STYLE) -> str:
    """The document text with the scalar at ``path`` replaced, every other byte unchanged.
    ``style``: the quote style to prefer (None: plain where the value allows it)."""
    node = doc.node_at(path)
    if node is None or node.kind != "scalar":
        raise KeyError(path)
    if node.style in ("|", ">"):
        return set_value_roundtrip(doc.text, path, value)
    return apply_span_edits(doc.text, [(node.start, node.end, render_scalar(value, _quote_preference(node, style)))])


_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")  # what YAML (and PyYAML's line count) breaks on


def replaced_scalar_document(
    doc: Document, path: tuple[Any, ...], value: Any, style: str | None = KEEP_STYLE
) -> Document | None:
    """The document with one block-context scalar replaced, derived without re-parsing.

    The keystroke path of the editor: the new text differs from the old only in the scalar's
    span, so every other node keeps its place (shifted by the length difference) and the
    data changes only along ``path``. Returns None where that shortcut does not hold (flow
    collections, block scalars, a value that needs more than one line or replaces one that
    spans several, aliases, duplicate keys, multi-document streams); the caller then parses
    the new text.
    """
    if doc.root is None or len(doc.roots) != 1 or not path or doc.has_aliases:
        return None
    if any(f.code == "duplicate-key" for f in doc.findings):
        return None  # the data holds the last duplicate, the node lookup finds the first
    node = doc.root
    chain = [node]
    walk_path: list[Any] = []
    key: str | None = None
    lint_key: str | None = None
    for part in path:
        if node.flow:
            return None
        if node.kind == "map":
            knode = node.key_node(part)
            child = node.child(part)
            if knode is None or child is None:
                return None
            node = child
            # as the walks (secret scan, iter_nodes) name the step and the nearest key
            step = key_value(knode) if (knode.tag == INT_TAG or knode.kind != "scalar") else knode.value
            walk_path.append(step)
            if isinstance(step, str):
                key = step
            lint_key = knode.value if knode.kind == "scalar" else None  # as _lint names it
        else:
            child = node.child(part)
            if child is None:
                return None
            node = child
            walk_path.append(part)
        chain.append(node)
    if node.kind != "scalar" or node.style in ("|", ">") or node.flow:
        return None
    old_start, old_end = node.start, node.end
    old_span = doc.text[old_start:old_end]
    if any(b in old_span for b in _LINE_BREAKS):
        return None  # later nodes would move to other lines
    rendered = render_scalar(value, _quote_preference(node, style))
    if any(b in rendered for b in _LINE_BREAKS):
        return None
    probe = Loader(f"k: {rendered}\n")
    try:
        pnode: Any = probe.get_single_node()
        new_value = probe.construct_document(pnode)["k"]
        vnode = pnode.value[0][1]
    except yaml.YAMLError:
        return None
    finally:
        probe.dispose()
    if new_value != value:
        return None
    try:
        new_data = path_copy_set(doc.data, path, new_value)
    except (KeyError, IndexError, TypeError):
        return None  # the path names the key differently from the data (1 and '1'): parse instead
    delta = len(rendered) - (old_end - old_start)
    new_node = Node(
        "scalar",
        vnode.tag,
        node.line,
        node.column,
        old_start,
        old_start + len(rendered),
        style=vnode.style or None,
        value=vnode.value,
    )
    ancestors = {id(n) for n in chain[:-1]}

    new = object.__new__(Document)
    new.path, new.display, new.stamp, new.stream = doc.path, doc.display, None, False
    new.text = doc.text[:old_start] + rendered + doc.text[old_end:]
    new.root = _shifted(doc.root, node, new_node, ancestors, old_end, delta, node.line)
    new.roots = [new.root]
    new.data = new_data
    new.all_data = [new.data]
    new.findings = [
        f for f in doc.findings if not ((f.line, f.column) == (node.line, node.column) and f.code.startswith("yaml11-"))
    ]
    if new_node.style is None:
        new.findings.extend(yaml11_traps(new_node, doc.display, lint_key))
    new.derived = Derivation(weakref.ref(doc), tuple(walk_path), key, node, new_node, old_end, delta)
    note_alias_free(new)  # a scalar set into alias-free data by copying the path: still alias-free
    return new


def content_end(text: str, node: Node) -> int:
    """Where a node's own text ends: after its last value. (PyYAML ends a block collection where
    the next token starts, past the blank lines and comments that follow it; those belong to
    what comes next.)"""
    while node.kind != "scalar" and not node.flow and node.items:
        last = node.items[-1]
        node = last[1] if node.kind == "map" else last
    if node.kind == "scalar" and node.style in ("|", ">"):
        return node.start + len(text[node.start : node.end].rstrip())
    return node.end


def node_text(doc: Document, path: tuple[Any, ...]) -> str:
    """The node's own YAML text, dedented (a block collection's lines lose the node's column):
    what the raw YAML editor shows, and what :func:`replace_node_text` puts back."""
    if not path:
        return doc.text
    node = doc.node_at(path)
    if node is None:
        return ""
    text = doc.text[node.start : content_end(doc.text, node)]
    indent = node.column - 1
    if node.kind != "scalar" and not node.flow:
        lines = text.split("\n")
        out = [lines[0]]
        for line in lines[1:]:
            out.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
        text = "\n".join(out)
    return text.rstrip() + "\n"


def replace_node_text(doc: Document, path: tuple[Any, ...], yaml_text: str) -> str | None:
    """The document text with the node at ``path`` replaced by ``yaml_text`` (as
    :func:`node_text` gives it: dedented), every byte outside the node's own span unchanged.
    None when there is no such node. The caller checks the result reads back as meant."""
    if not path or len(doc.roots) != 1:
        return None
    node = doc.node_at(path)
    if node is None:
        return None
    body = yaml_text.rstrip()
    if node.kind != "scalar" and not node.flow:
        pad = " " * (node.column - 1)
        lines = body.split("\n")
        body = "\n".join([lines[0]] + [pad + line if line.strip() else "" for line in lines[1:]])
    return doc.text[: node.start] + body + doc.text[content_end(doc.text, node) :]


def _shifted(
    root: Node, target: Node, replacement: Node, ancestors: set[int], old_end: int, delta: int, edit_line: int
) -> Node:
    """The node tree after replacing ``target``: nodes that do not move are shared with the
    old tree (nodes are never mutated), nodes after the edit are moved copies (see nodes.moved_copy),
    and the ancestors of the target get their new end."""
    columns = {edit_line: delta}

    def moved(n: Node) -> Node:  # n starts at or after old_end: every offset moves
        return moved_copy(n, delta, columns)

    def visit(n: Node) -> Node:
        if n is target:
            return replacement
        if n.start >= old_end:
            return moved(n) if delta else n
        if id(n) not in ancestors:
            if n.end < old_end or not delta:
                return n  # wholly before the edit (or nothing moves): the same node
            # a node that starts before the edit and ends after it without containing it cannot
            # occur in a tree (siblings do not overlap); copy it faithfully all the same
            m = _new_object(Node)
            d = plain_fields(n)
            d["end"] += delta
            if n.kind == "map":
                d["items"] = [(visit(k), visit(v)) for k, v in n.items]
            elif n.kind == "seq":
                d["items"] = [visit(i) for i in n.items]
            m.__dict__ = d
            return m
        m = _new_object(Node)
        d = plain_fields(n)
        if d["end"] >= old_end:
            d["end"] += delta
        if n.kind == "map":
            d["items"] = [(visit(k), visit(v)) for k, v in n.items]
        else:
            d["items"] = [visit(i) for i in n.items]
        m.__dict__ = d
        return m

    return visit(root)


def path_copy_set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``data`` with ``value`` at ``path``; only the containers along the path are new."""
    if not path:
        return value
    head = path[0]
    out: dict[Any, Any] | list[Any] = dict(data) if isinstance(data, dict) else list(data)
    out[head] = path_copy_set(data[head], path[1:], value)
    return out


# -- structural edits through ruamel ----------------------------------------------------------


def _ruamel() -> YAML:
    from ruamel.yaml import YAML  # deferred: ruamel.yaml (~45 ms) loads only for a structural edit

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    return y


def _detect_indent(text: str) -> tuple[int, int, int]:
    """mapping indent, sequence indent, sequence dash offset as used by the file."""
    mapping, seq, offset = 2, 2, 0
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or not stripped.endswith(":"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        nxt = lines[i + 1]
        nindent = len(nxt) - len(nxt.lstrip(" "))
        if nxt.strip().startswith("- "):
            offset = nindent - indent
            seq = offset + 2
            break
    for i, line in enumerate(lines[:-1]):
        stripped = line.strip()
        if stripped.endswith(":") and not stripped.startswith(("#", "-")):
            nxt = lines[i + 1]
            if nxt.strip() and not nxt.strip().startswith(("-", "#")):
                mapping = (len(nxt) - len(nxt.lstrip(" "))) - (len(line) - len(line.lstrip(" ")))
                if mapping > 0:
                    break
    return max(mapping, 1), max(seq, 2), max(offset, 0)


def roundtrip_edit(text: str, fn: Callable[[Any], Any]) -> str:
    """Apply ``fn(root)`` to the ruamel round-trip tree of ``text`` and emit it again (``fn``
    may return a new root, or None to keep the one it changed in place)."""
    y = _ruamel()
    m, s, o = _detect_indent(text)
    y.indent(mapping=m, sequence=s, offset=o)
    docs = list(y.load_all(text))
    if len(docs) > 1:
        # a stream of documents (a Document read with stream=True): fn gets the list, and
        # key paths start with the document's index
        y.explicit_start = _starts_explicitly(text)
        new_docs = fn(docs)
        buf = io.StringIO()
        y.dump_all(new_docs if new_docs is not None else docs, buf)
        return buf.getvalue()
    root = docs[0] if docs else None
    new_root = fn(root)
    if new_root is not None:
        root = new_root
    buf = io.StringIO()
    y.dump(root, buf)
    return buf.getvalue()


def _starts_explicitly(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.startswith("---")
    return False


def set_value_roundtrip(text: str, path: tuple[Any, ...], value: Any) -> str:
    """``text`` with ``value`` set at ``path`` through the round-trip tree (comments kept)."""

    def fn(root: Any) -> None:
        node = root
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return roundtrip_edit(text, fn)


# -- edits of a document's data path (the session's operations) -------------------------------

_MISSING = object()


class EditRefused(Exception):
    """An edit that cannot be made (the path does not exist, the result would not read back as
    meant); the message says why, for the operator."""


def _p(path: tuple[Any, ...]) -> str:
    return path_text(path) or "(document)"


def data_at(data: Any, path: tuple[Any, ...], default: Any = _MISSING) -> Any:
    """The value at ``path`` in plain data; ``default`` when there is none (EditRefused when no
    default is given)."""
    cur = data
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            if default is _MISSING:
                raise EditRefused(f"{_p(path)} does not exist") from None
            return default
    return cur


def roundtrip_node(root: Any, path: tuple[Any, ...]) -> Any:
    """The node at ``path`` of a ruamel round-trip tree."""
    cur = root
    for part in path:
        cur = cur[part]
    return cur


def is_scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def set_value(
    doc: Document,
    path: tuple[Any, ...],
    value: Any,
    parse: Callable[[str], Document],
    yaml_text: str | None = None,
    style: str | None = KEEP_STYLE,
) -> str:
    """The document's text with ``value`` at ``path`` (``yaml_text``: the value as typed in YAML):
    the keystroke path where it holds, else the node's own span, else the round-trip tree.
    ``parse`` reads a new text (the session's cache); the result must read back as ``value``."""
    if not path:
        raise EditRefused("choose a key to set")
    node = doc.node_at(path)
    if node is not None and node.kind == "scalar" and is_scalar(value):
        fast = replaced_scalar_document(doc, path, value, style)
        if fast is not None:  # the keystroke path: no re-parse
            remember(fast)
            return fast.text
    spliced = _spliced(doc, node, path, value, yaml_text, parse) if node is not None else None
    if spliced is not None:
        return spliced  # only the node's own bytes changed (its neighbours' blank lines and comments stay)
    if node is not None and node.kind == "scalar" and is_scalar(value) and node.style not in ("|", ">"):
        new = replace_scalar(doc, path, value, style)
    else:
        parent = data_at(doc.data, path[:-1])
        if isinstance(parent, list) and not (isinstance(path[-1], int) and 0 <= path[-1] < len(parent)):
            raise EditRefused(f"{_p(path)} does not exist")
        if not isinstance(parent, (dict, list)):
            raise EditRefused(f"{_p(path[:-1])} is not a mapping or a list")
        rt_value = _to_roundtrip(yaml_text) if yaml_text is not None else value

        def fn(root: Any) -> None:
            roundtrip_node(root, path[:-1])[path[-1]] = rt_value

        new = roundtrip_edit(doc.text, fn)
    try:
        got = data_at(parse(new).data, path, default=_MISSING)
    except YamlLoadError as exc:
        raise EditRefused(f"the edit would make the file invalid YAML: {exc.finding.message}") from None
    if got != value:
        raise EditRefused(f"the new value of {_p(path)} would not read back as typed (YAML 1.1 rules); quote it")
    return new


def _spliced(
    doc: Document,
    node: Node,
    path: tuple[Any, ...],
    value: Any,
    yaml_text: str | None,
    parse: Callable[[str], Document],
) -> str | None:
    """A collection (or a value typed as YAML) replaced in the text span of its node alone, when
    the result reads back as the old data with ``value`` at ``path``; else None (the caller
    edits the round-trip tree instead)."""
    if yaml_text is None:
        if node.kind == "scalar" or is_scalar(value):
            return None  # a scalar: replace_scalar keeps its quoting

        yaml_text = yaml.safe_dump(
            value, default_flow_style=node.flow, sort_keys=False, allow_unicode=True, width=10_000
        )
        if node.flow:
            yaml_text = yaml_text.strip()
    new = replace_node_text(doc, path, yaml_text)
    if new is None:
        return None
    try:
        got = parse(new).data
        want = path_copy_set(doc.data, path, value)
    except (YamlLoadError, KeyError, IndexError, TypeError):
        return None
    return new if got == want else None


def _to_roundtrip(yaml_text: str) -> Any:
    return _ruamel().load(yaml_text)


def insert_item(text: str, doc: Document, list_path: tuple[Any, ...], index: int, value: Any) -> str:
    """``text`` with ``value`` inserted at ``index`` of the list at ``list_path`` (made, with the
    mappings above it, when missing)."""
    existing = data_at(doc.data, list_path, default=None)
    if existing is not None and not isinstance(existing, list):
        raise EditRefused(f"{_p(list_path)} is not a list")
    parent = data_at(doc.data, list_path[:-1], default=None) if list_path[:-1] else doc.data
    if existing is None and parent is not None and not isinstance(parent, dict):
        raise EditRefused(f"{_p(list_path[:-1])} is not a mapping")

    def fn(root: Any) -> None:
        cur = root
        for part in list_path[:-1]:
            if part not in cur or cur[part] is None:
                cur[part] = {}
            cur = cur[part]
        last = list_path[-1]
        if last not in cur or cur[last] is None:
            cur[last] = []
        seq = cur[last]
        seq.insert(min(max(index, 0), len(seq)), copy.deepcopy(value))

    return roundtrip_edit(text, fn)
