"""Loading YAML: the loader choice, the located document and the data of a file.

The text is composed once with PyYAML's C parser (the reader Llama Stack and LCORE use, so
values mean what the servers will see). Every node keeps its line, column and character span
in the original text (``nodes``), so findings are located and edits replace only the bytes of
the value they change. The checks made at read (limits, duplicate keys, YAML 1.1 traps) are
in ``lint``; files are read through the guarded reader of ``files``.
"""

from __future__ import annotations

import operator
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import Any, cast

import yaml

from lsc_tui.config.findings import Finding
from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.files import MAX_DEPTH, MAX_NODES, FileStamp, ReadRefused
from lsc_tui.config.yaml.lint import YamlLoadError, check_limits, lint_nodes, located_parse_errors, may_trap
from lsc_tui.config.yaml.nodes import (
    BOOL_TAG,
    INT_TAG,
    MERGE_TAG,
    NULL_TAG,
    Node,
    convert,
    key_value,
    located_scalar,
    parser_key,
)

_BOM = "\ufeff"
_new_object = object.__new__


def _end_line(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset - 1, 0)) + 1


class _PlainResolver:
    """The safe loader's tag resolution, each scalar's in one step, and no steps into or out of
    nodes.

    The parser asks ``self.resolve(kind, value, implicit)`` for the tag of every node (some
    25,000 at 10,000 lines), and calls ``self.descend_resolver(parent, index)`` before and
    ``self.ascend_resolver()`` after each. PyYAML's resolver works the tags out through its path
    resolvers (the safe loader has none) and the implicit resolvers of the scalar's first
    character plus the wildcard ones, joined anew at each call. Here the joined lists are made
    once (``_IMPLICIT``), and the two steps are C callables that do nothing: ``operator.is_``
    takes the two arguments and ``tuple`` none (neither is a descriptor, so as class attributes
    they are not bound to the loader), which saves a Python call per step, 50,000 at 10,000
    lines. The tags are the same (tests/foundation/test_yaml_document.py), and a test fails if
    PyYAML calls the steps otherwise."""

    descend_resolver = operator.is_  # (current_node, current_index): no path resolvers to follow
    ascend_resolver = tuple  # (): nothing to unwind

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is _SCALAR_NODE and implicit[0]:
            for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                if regexp.match(value):
                    return tag
            return _DEFAULT_SCALAR_TAG
        return _resolve(self, kind, value, implicit)


_SCALAR_NODE = yaml.ScalarNode
_DEFAULT_SCALAR_TAG = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_resolve: Any = yaml.resolver.BaseResolver.resolve

# The loader choice: PyYAML's safe loader, the reader of LCORE and Llama Stack, in its C build
# (much faster) where libyaml is present, with the resolution above. Every reader and the
# read-back check of every save use it.
Loader = cast(
    "type[yaml.CSafeLoader] | type[yaml.SafeLoader]",
    type("Loader", (_PlainResolver, getattr(yaml, "CSafeLoader", yaml.SafeLoader)), {"__module__": __name__}),
)
assert not Loader.yaml_path_resolvers, "the plain resolution assumes no path resolvers"
_WILDCARD: tuple[Any, ...] = tuple(Loader.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT: dict[Any, tuple[Any, ...]] = {
    first: tuple(resolvers) + _WILDCARD for first, resolvers in Loader.yaml_implicit_resolvers.items()
}


def construct_as_written(loader: Any, node: yaml.Node) -> Any:
    """``loader.construct_document(node)``, leaving the composed node tree as written.

    PyYAML resolves a merge key (``<<: *base``) by rewriting the mapping node in place: the
    merged pairs are prepended and the ``<<`` key removed. A key written after ``<<: *base``
    that overrides a merged one would then look like a duplicate to anything that reads the
    nodes afterwards (the duplicate-key lint, the located tree). The rewritten mappings get
    their written pairs back once the data is built."""
    written: list[tuple[yaml.MappingNode, list[Any]]] = []
    flatten = loader.flatten_mapping

    def remembering(mapping: yaml.MappingNode) -> None:
        if any(k.tag == MERGE_TAG for k, _ in mapping.value):
            written.append((mapping, list(mapping.value)))
        flatten(mapping)

    loader.flatten_mapping = remembering  # the constructor's own recursion finds it too
    try:
        return loader.construct_document(node)
    except _UNLOCATED as exc:
        bad = unreadable_scalar(node)
        if bad is None:
            raise
        what = _TAG_READS_AS.get(bad.tag, f"a {bad.tag}")
        raise yaml.constructor.ConstructorError(
            None, None, f"a value tagged !!{bad.tag.rsplit(':', 1)[-1]} that cannot be read as {what}", bad.start_mark
        ) from exc
    finally:
        del loader.flatten_mapping
        for mapping, pairs in reversed(written):
            mapping.value = pairs


# PyYAML's constructors of an explicitly tagged scalar (``!!int abc``, ``!!float x``, ``!!bool maybe``,
# ``!!timestamp soon``) fail with these, without the node's place: ``unreadable_scalar`` finds it.
_UNLOCATED = (ValueError, TypeError, AttributeError, KeyError, OverflowError)
_TAG_READS_AS = {
    INT_TAG: "an integer",
    "tag:yaml.org,2002:float": "a number",
    BOOL_TAG: "true or false",
    "tag:yaml.org,2002:timestamp": "a date or time",
}


def unreadable_scalar(root: yaml.Node) -> yaml.ScalarNode | None:
    """The first scalar under ``root`` (in document order) that PyYAML's safe constructor cannot
    build, or None."""
    probe = yaml.constructor.SafeConstructor()
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _STR_TAG:
                try:
                    probe.construct_object(node)
                except _UNLOCATED:
                    return node
                except yaml.YAMLError:
                    pass  # located by PyYAML itself when the document is built
        elif isinstance(node, yaml.MappingNode):
            stack.extend(reversed([n for pair in node.value for n in pair]))
        else:
            stack.extend(reversed(node.value))
    return None


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_VALUE_TAG = "tag:yaml.org,2002:value"  # the key ``=``: PyYAML's constructor rewrites it
_BOOLS = yaml.constructor.SafeConstructor.bool_values


class _NotPlain(Exception):
    """A node the direct construction leaves to PyYAML (merge keys, complex keys, tagged containers)."""


def construct_data(loader: Any, node: Any, aliases: bool = True) -> Any:
    """What ``construct_as_written(loader, node)`` returns, built directly from the nodes when
    ``aliases`` is False (``check_limits`` found no node reached twice).

    PyYAML's constructor goes through a generator per mapping and sequence and a dispatch per
    node; on a 10,000-line file that is most of a load after the C parser. The direct build
    covers the documents configs are: mappings and sequences with their default tags and keys
    that are scalars, strings taken as they are, decimal integers and booleans and nulls read
    as PyYAML reads them; every other scalar (floats, timestamps, octal, explicit tags) is
    built by PyYAML's own constructor. A document with a merge key (``<<``), a ``=`` key, a
    collection as a key or a tagged collection, or one PyYAML refuses (its error is the one
    raised), is built by PyYAML whole. Without aliases no object is shared, so nothing depends
    on which of the two built it."""
    return construct_checked(loader, node, aliases)[0]


def construct_checked(loader: Any, node: Any, aliases: bool = True) -> tuple[Any, bool]:
    """``(construct_data(loader, node, aliases), lint)``: ``lint`` is False when the direct build
    saw every node and none that ``lint.lint_nodes`` can report (a duplicate key, a plain
    scalar read as a boolean, an integer or null that is not one of the common spellings), so
    the reader skips that second walk over the nodes; True when it may find something."""
    if aliases:
        return construct_as_written(loader, node), True
    suspect: list[Any] = []
    try:
        return _construct(loader, node, suspect, 0, [1]), bool(suspect)
    except Exception:  # not dropped: PyYAML builds the document whole and raises its own error
        loader.constructed_objects = {}
        loader.recursive_objects = {}
        return construct_as_written(loader, node), True
    finally:  # as construct_document leaves it: the scalars PyYAML built are not kept
        loader.constructed_objects = {}
        loader.recursive_objects = {}


def read_node(loader: Any, node: Any, display: str, aliases_possible: bool = True) -> tuple[Any, bool, bool]:
    """``(data, lint, aliases)`` of a composed document under the limits: what
    ``check_limits(node, display, aliases_possible)`` (raising its located error) and then
    ``construct_checked(loader, node, aliases)`` give.

    A text without ``*`` has no alias, so no node is reached twice: the direct build counts the
    nodes and levels as it goes, the way ``check_limits``' exact walk does, and the limits need
    no walk of their own; a document over them is left to ``check_limits`` for its error."""
    if not aliases_possible:
        suspect: list[Any] = []
        try:
            data = _construct(loader, node, suspect, 0, [1])
        except Exception:  # over the limits, or not plain: the two steps below raise or build it
            data = _UNREAD
        finally:
            loader.constructed_objects = {}
            loader.recursive_objects = {}
        if data is not _UNREAD:
            return data, bool(suspect), False
    aliases = check_limits(node, display, aliases_possible)
    data, lint = construct_checked(loader, node, aliases)
    return data, lint, aliases


_UNREAD = object()  # read_node: the direct build gave up


class _OverLimits(Exception):
    """The direct build met more than MAX_NODES nodes or a node deeper than MAX_DEPTH levels."""


def _construct(loader: Any, node: Any, suspect: list[Any], depth: int, size: list[int]) -> Any:
    """The data of ``node`` at ``depth`` levels; appends to ``suspect`` each node lint_nodes may
    report on (a superset), and counts in ``size[0]`` the nodes met, as ``lint.check_limits``
    does: a collection's items at one level deeper, a mapping's keys and values both."""
    cls = node.__class__
    if cls is yaml.MappingNode:
        if node.tag != _MAP_TAG:
            raise _NotPlain()
        pairs = node.value
        if pairs:
            size[0] += 2 * len(pairs)
            if depth >= MAX_DEPTH or size[0] > MAX_NODES:
                raise _OverLimits()
        depth += 1
        out: dict[Any, Any] = {}
        str_keys = True
        for k, v in pairs:
            if k.__class__ is not yaml.ScalarNode:
                raise _NotPlain()
            tag = k.tag
            if tag == _STR_TAG:
                key = k.value
            elif tag == MERGE_TAG or tag == _VALUE_TAG:
                raise _NotPlain()
            else:
                key = _scalar(loader, k, suspect)
                str_keys = False
            out[key] = (
                v.value
                if v.__class__ is yaml.ScalarNode and v.tag == _STR_TAG
                else _construct(loader, v, suspect, depth, size)
            )
        # lint_nodes compares the keys as written: with every key a string, a key written twice
        # leaves the dict shorter; with other keys (1 and '1' are two keys) it compares the texts
        if len(out) != len(pairs) or (not str_keys and len({k.value for k, _ in pairs}) != len(pairs)):
            suspect.append(node)
        return out
    if cls is yaml.SequenceNode:
        if node.tag != _SEQ_TAG:
            raise _NotPlain()
        items = node.value
        if items:
            size[0] += len(items)
            if depth >= MAX_DEPTH or size[0] > MAX_NODES:
                raise _OverLimits()
        depth += 1
        return [
            v.value
            if v.__class__ is yaml.ScalarNode and v.tag == _STR_TAG
            else _construct(loader, v, suspect, depth, size)
            for v in items
        ]
    if cls is yaml.ScalarNode:
        return _scalar(loader, node, suspect)
    raise _NotPlain()


def _scalar(loader: Any, node: Any, suspect: list[Any]) -> Any:
    """A scalar as SafeConstructor builds it (the common tags here, the rest by PyYAML)."""
    tag, value = node.tag, node.value
    if tag == _STR_TAG:
        return value
    if tag == INT_TAG:
        if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            return int(value)  # construct_yaml_int's plain decimal case (no sign, _, 0x, 0o, 0b, :)
    elif tag == BOOL_TAG:
        low = value.lower()
        hit = _BOOLS.get(low)
        if hit is not None:
            if low != "true" and low != "false":
                suspect.append(node)  # yes, no, on, off: a YAML 1.1 trap when plain
            return hit
    elif tag == NULL_TAG:
        if value == "~":
            suspect.append(node)
        return None
    if may_trap(tag, value):
        suspect.append(node)  # an octal-like or base-60 integer
    return loader.construct_object(node)


@dataclass(frozen=True)
class Derivation:
    """How a document was derived from another one by ``replaced_scalar_document``.

    Analyses of the derived document (secret scan, env-ref lint) use it to redo only the
    changed scalar and reuse the rest of the source's results. ``source`` is a weak
    reference: a chain of edits never keeps old node trees alive.
    """

    source: "weakref.ref[Document]"
    path: tuple[Any, ...]  # the value path of the edited scalar, as the walks build it (parts from the key nodes)
    key: str | None  # the nearest mapping key above it, as the walks compute it
    old_node: Node  # the scalar in the source document
    node: Node  # the scalar in this document
    old_end: int  # the end offset of the old scalar: nodes from here on moved by ``delta``
    delta: int

    def moved(self, n: Node) -> Node:
        """A scalar node of the source as it is in this document (the same object if it did not move)."""
        if n is self.old_node or n.start == self.old_node.start:
            return self.node
        if not self.delta or n.end < self.old_end:
            return n
        d = n.__dict__.copy()
        if d["start"] >= self.old_end:
            d["start"] += self.delta
            if d["line"] == self.old_node.line:
                d["column"] += self.delta
        d["end"] += self.delta
        m = _new_object(Node)
        m.__dict__ = d
        return m


_TREE_LOCK = threading.Lock()


class Document:
    """One YAML file as read: its exact text, its data, and its located node tree.

    The located tree (``root``, ``roots``) is built from the parser's nodes when first asked
    for: a command that only reads the data and the findings (``synthesize``, ``validate``)
    never builds it, the editor does on its first lookup of a position.
    """

    derived: Derivation | None = None  # set on documents made by replaced_scalar_document
    has_aliases = False  # a node of the text appears at more than one place (``*alias``)
    stream = False  # several documents read as one (see __init__)
    _pending: "tuple[Any, ...] | None" = None  # (parser nodes, BOM offset) while the tree is not built
    _root: "Node | None" = None
    _roots: "list[Node]" = []

    @property
    def roots(self) -> "list[Node]":
        if self._pending is not None:
            self._build_tree()
        return self._roots

    @roots.setter
    def roots(self, value: "list[Node]") -> None:
        self._pending = None
        self._roots = value

    @property
    def root(self) -> "Node | None":
        if self._pending is not None:
            self._build_tree()
        return self._root

    @root.setter
    def root(self, value: "Node | None") -> None:
        self._pending = None
        self._root = value

    def _build_tree(self) -> None:
        with _TREE_LOCK:  # the editor's job thread and its UI thread may both ask first
            if self._pending is None:
                return
            ynodes, base = self._pending
            roots = [convert(n, base, 0, self.display) for n in ynodes]
            root: Node | None
            if self.stream:
                first = roots[0]
                root = Node("seq", "tag:yaml.org,2002:seq", first.line, 1, 0, len(self.text), items=list(roots))
            else:
                root = roots[0] if roots else None
            self._roots, self._root = roots, root
            self._pending = None

    def __init__(
        self,
        path: Path,
        text: str,
        stamp: FileStamp | None,
        display: str | None = None,
        multi: bool = False,
        stream: bool = False,
    ):
        self.path = Path(path)
        self.display = display or str(path)
        self.text = text
        self.stamp = stamp
        self.findings: list[Finding] = []
        self.root: Node | None = None
        self.data: Any = None  # the first document's data (a stream read whole: the list of them)
        # Multi-document streams (Kubernetes manifests) keep every document here;
        # ``root`` and ``data`` are the first one.
        self.roots: list[Node] = []
        self.all_data: list[Any] = []
        # A stream (``stream=True`` and more than one document, e.g. a ConfigMap and a CR):
        # ``root`` is a sequence of the documents and ``data`` their list, so every key path
        # starts with the document's index and positions, edits and lookups work unchanged.
        self.stream = False
        self._parse(multi or stream)
        if stream and len(self.all_data) > 1:
            self.stream = True  # the tree, when built, is a sequence of the documents' roots
            self.data = list(self.all_data)

    # -- reading -----------------------------------------------------------------
    def _parse(self, multi: bool) -> None:
        base = 1 if self.text.startswith(_BOM) else 0
        body = self.text[base:]
        ynodes: list[Any] = []
        to_lint: list[Any] = []
        with located_parse_errors(self.display, body):
            loader = Loader(body)
            try:
                if multi:
                    while loader.check_node():
                        ynodes.append(loader.get_node())
                else:
                    node = loader.get_single_node()
                    ynodes = [node] if node is not None else []
                for ynode in ynodes:
                    data, lint, aliases = read_node(loader, ynode, self.display, "*" in body)
                    if aliases:
                        self.has_aliases = True
                    self.all_data.append(data)
                    if lint:
                        to_lint.append(ynode)
            finally:
                loader.dispose()
        self.roots, self.root = [], None
        if ynodes:
            self._pending = (ynodes, base)
        self.data = self.all_data[0] if self.all_data else None
        for ynode in to_lint:  # the others hold nothing lint_nodes reports (construct_checked)
            self.findings.extend(lint_nodes(ynode, self.display))
        if not self.has_aliases:
            note_alias_free(self)

    def position(self, path: tuple[Any, ...] | list[Any]) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its nearest existing parent."""
        node = self.root
        best = (1, 1) if node is None else (node.line, node.column)
        for part in path:
            if node is None:
                break
            nxt = node.child(part)
            if nxt is None:
                break
            kn = node.key_node(part)
            best = (kn.line, kn.column) if kn is not None else (nxt.line, nxt.column)
            node = nxt
        return best

    def node_at(self, path: tuple[Any, ...] | list[Any]) -> Node | None:
        node = self.root
        for part in path:
            if node is None:
                return None
            node = node.child(part)
        return node

    def key_node_at(self, path: tuple[Any, ...] | list[Any]) -> Node | None:
        if not path:
            return None
        parent = self.node_at(path[:-1])
        return parent.key_node(path[-1]) if parent is not None else None

    def iter_nodes(self) -> Iterator[tuple[tuple[Any, ...], Node]]:
        """Every value node with its key path, parents before children."""
        if self.root is None:
            return
        stack: list[tuple[tuple[Any, ...], Node]] = [((), self.root)]
        while stack:
            path, node = stack.pop()
            yield path, node
            if node.kind == "map":
                for k, v in reversed(node.items):
                    stack.append((path + (key_value(k),), v))
            elif node.kind == "seq":
                for i in range(len(node.items) - 1, -1, -1):
                    stack.append((path + (i,), node.items[i]))

    def iter_scalars(self) -> Iterator[tuple[tuple[Any, ...], Node]]:
        for path, node in self.iter_nodes():
            if node.kind == "scalar":
                yield path, node

    def parser_nodes(self) -> "tuple[list[Any], int] | None":
        """``(the parser's root nodes, offset of the text after a BOM)`` while the located tree is
        not built (None once it is): for walks over every scalar that locate only the few they
        report (:func:`located_scalar`, :func:`parser_key`)."""
        return self._pending

    def scalars_containing(self, needle: str) -> Iterator[tuple[tuple[Any, ...], Node]]:
        """``iter_scalars`` restricted to values containing ``needle``; while the located tree
        is not built, it walks the parser's nodes and locates only the scalars it yields."""
        if needle not in self.text:
            return
        if self._pending is None:
            for path, node in self.iter_scalars():
                if node.value and needle in node.value:
                    yield path, node
            return
        ynodes, base = self._pending
        scalar, mapping = yaml.ScalarNode, yaml.MappingNode
        starts = [((i,), n) for i, n in enumerate(ynodes)] if self.stream else [((), ynodes[0])]
        stack = list(reversed(starts))
        while stack:
            path, node = stack.pop()
            cls = node.__class__
            if cls is scalar:
                if node.value and needle in node.value:
                    yield path, located_scalar(node, base)
            elif cls is mapping or isinstance(node, mapping):
                for k, v in reversed(node.value):
                    stack.append((path + (parser_key(k),), v))
            else:
                items = node.value
                for i in range(len(items) - 1, -1, -1):
                    stack.append((path + (i,), items[i]))

    def path_at_line(self, line: int) -> tuple[Any, ...]:
        """The deepest key path whose node starts on ``line`` (or contains it)."""
        best: tuple[Any, ...] = ()
        for path, node in self.iter_nodes():
            if node.line <= line and _end_line(self.text, node.end) >= line:
                best = path
        return best


# -- loading files -------------------------------------------------------------------


def read_text(path: Path, display: str | None = None) -> tuple[str, FileStamp]:
    """Read a config file as text through the guarded reader (regular files only, size cap),
    with clear located errors for everything that is not one."""
    display = display or str(path)
    try:
        raw, st = files.read_bytes(path, display)
        text = files.decode(raw, display)
    except ReadRefused as exc:
        raise YamlLoadError(exc.finding) from None
    return text, FileStamp.of_bytes(raw, st)


def load_data(path: Path | str, display: str | None = None, *, multi: bool = False) -> Any:
    """The data of a YAML file as PyYAML's safe_load gives it, read through the guarded reader
    and refused (located) past the node and depth limits. Raises YamlLoadError."""
    text, _stamp = read_text(Path(path), display)
    return data_of(text, display or str(path), multi=multi)


def data_of(text: str, display: str, *, multi: bool = False) -> Any:
    """``yaml.safe_load`` (or ``safe_load_all`` as a list with ``multi``) under the limits:
    an alias bomb or runaway nesting is refused with its place before any object is built."""
    body = text[1:] if text.startswith(_BOM) else text
    out: list[Any] = []
    with located_parse_errors(display, body):
        loader = Loader(body)
        try:
            if multi:
                while loader.check_node():
                    node = loader.get_node()
                    out.append(read_node(loader, node, display, "*" in body)[0])
                return out
            node = loader.get_single_node()
            if node is None:
                return None
            return read_node(loader, node, display, "*" in body)[0]
        finally:
            loader.dispose()


def load_document(
    path: Path | str, display: str | None = None, *, multi: bool = False, stream: bool = False
) -> Document:
    path = Path(path)
    text, stamp = read_text(path, display)
    return Document(path, text, stamp, display, multi=multi, stream=stream)


def parse_text(
    text: str, display: str = "<text>", path: Path | None = None, *, multi: bool = False, stream: bool = False
) -> Document:
    return Document(path or Path(display), text, None, display, multi=multi, stream=stream)


_PARSED: "dict[tuple[Any, ...], Document]" = {}
_PARSED_MAX = 4
_PARSED_LOCK = threading.Lock()  # the editor parses in its job thread, commands in the main one


def _cache_parsed(key: tuple[Any, ...], doc: "Document") -> None:
    with _PARSED_LOCK:
        while len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = doc


def remember(doc: Document) -> None:
    """Put a document derived without parsing into the parse cache."""
    key = (str(doc.path), doc.display, doc.text, False)
    _cache_parsed(key, doc)


def parse_cached(text: str, display: str, path: Path, *, stream: bool = False) -> Document:
    """``parse_text`` with a small cache keyed by the exact text: an editing session parses each
    new buffer once, however many places ask (the edit, its check, the workspace, undo)."""
    key = (str(path), display, text, stream)
    doc = _PARSED.get(key)
    if doc is None:
        doc = Document(Path(path), text, None, display, stream=stream)
        _cache_parsed(key, doc)
    else:
        with _PARSED_LOCK:  # least recently used goes first: the files not being edited stay
            if _PARSED.pop(key, None) is not None:
                _PARSED[key] = doc
    return doc


_ALIAS_FREE: "dict[int, weakref.ref[Document]]" = {}


def note_alias_free(doc: Document) -> None:
    """Remember that ``doc``'s data holds no alias (see known_alias_free)."""
    data = doc.data
    if data.__class__ is not dict and data.__class__ is not list:
        return
    if len(_ALIAS_FREE) >= 64:
        entries = list(_ALIAS_FREE.items())  # one C-level copy: safe while another thread parses
        for k, ref in entries:
            if ref() is None:
                _ALIAS_FREE.pop(k, None)
        if len(_ALIAS_FREE) >= 64:
            _ALIAS_FREE.clear()
    _ALIAS_FREE[id(data)] = weakref.ref(doc)


def known_alias_free(obj: object) -> bool:
    """True when ``obj`` is the data of a live document whose text has no alias: PyYAML builds a
    container per node, so no container of it is reachable twice (the walk of
    ``enrichment.has_aliases`` would say so too, at the cost of visiting every container)."""
    ref = _ALIAS_FREE.get(id(obj))
    doc = ref() if ref is not None else None
    return doc is not None and doc.data is obj and not doc.has_aliases
