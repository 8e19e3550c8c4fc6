"""YAML reading and writing: located documents, exact text spans, atomic saves.

Reading: the text is composed once with PyYAML's C parser (the reader Llama Stack and LCORE
use, so values mean what the servers will see). Every node keeps its line, column and
character span in the original text, so findings are located and edits replace only the
bytes of the value they change.

Writing: edits are text-span replacements (a no-op save is byte-identical by construction);
structural edits that have no span (a new key) go through ruamel.yaml's round-trip
emitter, which keeps comments. Every save is atomic (temporary file in the same directory,
fsync, rename), keeps the file's mode (0600 for secret-bearing files), keeps a backup, and
refuses to overwrite a file that changed on disk since it was read. After writing, the file
is read back with PyYAML ``safe_load`` and compared with the data we meant.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterator

import yaml

from lsc_tui.config import fsio
from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.fsio import MAX_BYTES, MAX_DEPTH, MAX_NODES, ReadRefused, WriteError, Written  # noqa: F401 (one limit set)

try:  # the C parser is much faster; fall back to the pure one where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_MERGE_TAG = "tag:yaml.org,2002:merge"


def construct_as_written(loader, node):
    """``loader.construct_document(node)``, leaving the composed node tree as written.

    PyYAML resolves a merge key (``<<: *base``) by rewriting the mapping node in place: the
    merged pairs are prepended and the ``<<`` key removed. A key written after ``<<: *base``
    that overrides a merged one would then look like a duplicate to anything that reads the
    nodes afterwards (the duplicate-key lint, the located tree). The rewritten mappings get
    their written pairs back once the data is built."""
    written: list = []
    flatten = loader.flatten_mapping

    def remembering(mapping):
        if any(k.tag == _MERGE_TAG for k, _ in mapping.value):
            written.append((mapping, list(mapping.value)))
        flatten(mapping)

    loader.flatten_mapping = remembering  # the constructor's own recursion finds it too
    try:
        return loader.construct_document(node)
    finally:
        del loader.flatten_mapping
        for mapping, pairs in reversed(written):
            mapping.value = pairs


_BOM = "\ufeff"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"


class YamlLoadError(ReadRefused):
    """The file cannot be used at all (unreadable, or not YAML within the limits). Carries one
    located finding."""


class FileChangedError(Exception):
    """The file on disk is not the one we read: we refuse to overwrite it."""

    def __init__(self, path: Path):
        super().__init__(
            f"{path}: the file changed on disk since lsc-tui read it; nothing was written. "
            "Reload it (or save elsewhere) and apply your edit again."
        )
        self.path = path


class VerifyError(Exception):
    """What a server would read from the written text is not what we meant."""


@dataclass(frozen=True)
class FileStamp:
    """What a file was when we read it: enough to tell that it changed since."""

    sha256: str
    mtime_ns: int
    size: int

    @classmethod
    def of_bytes(cls, raw: bytes, st: os.stat_result | None) -> "FileStamp":
        return cls(
            hashlib.sha256(raw).hexdigest(),
            st.st_mtime_ns if st else 0,
            len(raw),
        )


def stamp_of(path: Path) -> FileStamp | None:
    """The file's stamp, or None when it does not exist. Goes through the guarded reader, so a
    FIFO or a device never blocks it; such a file (or an unreadable one) gets a stamp that
    matches no content, and any write to it is then refused as a change on disk."""
    try:
        raw, st = fsio.read_bytes(path)
    except ReadRefused as exc:
        if exc.finding.code == "file-not-found":
            return None
        return FileStamp(f"unreadable:{exc.finding.code}", 0, 0)
    return FileStamp.of_bytes(raw, st)


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
    """A collection an edit moved (see _moved): its items are made when first asked for, from
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


@dataclass(frozen=True)
class Derivation:
    """How a document was derived from another one by ``replaced_scalar_document``.

    Analyses of the derived document (secret scan, env-ref lint) use it to redo only the
    changed scalar and reuse the rest of the source's results. ``source`` is a weak
    reference: a chain of edits never keeps old node trees alive.
    """

    source: "weakref.ref[Document]"
    path: tuple  # the value path of the edited scalar, as the walks build it (parts from the key nodes)
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
    _pending: "tuple | None" = None  # (parser nodes, BOM offset) while the tree is not built
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
            roots = [_convert(n, base, 0, self.display) for n in ynodes]
            if self.stream:
                first = roots[0]
                root = Node("seq", "tag:yaml.org,2002:seq", first.line, 1, 0, len(self.text), items=list(roots))
            else:
                root = roots[0] if roots else None
            self._roots, self._root = roots, root
            self._pending = None

    def __init__(self, path: Path, text: str, stamp: FileStamp | None, display: str | None = None,
                 multi: bool = False, stream: bool = False):
        self.path = Path(path)
        self.display = display or str(path)
        self.text = text
        self.stamp = stamp
        self.findings: list[Finding] = []
        self.root: Node | None = None
        self.data = None
        # Multi-document streams (Kubernetes manifests) keep every document here;
        # ``root`` and ``data`` are the first one.
        self.roots: list[Node] = []
        self.all_data: list = []
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
        ynodes = []
        try:
            loader = _Loader(body)
            try:
                if multi:
                    while loader.check_node():
                        ynodes.append(loader.get_node())
                else:
                    node = loader.get_single_node()
                    ynodes = [node] if node is not None else []
                for ynode in ynodes:
                    if _check_size(ynode, self.display, "*" in body):
                        self.has_aliases = True
                    self.all_data.append(construct_as_written(loader, ynode))
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as exc:
            raise YamlLoadError(_parse_finding(self.display, exc, body)) from None
        except yaml.YAMLError as exc:
            raise YamlLoadError(
                Finding(self.display, 1, 1, Severity.ERROR, "yaml-syntax", _one_line(str(exc)),
                        "Fix the YAML syntax at the place named.")
            ) from None
        except RecursionError:
            raise YamlLoadError(
                Finding(self.display, 1, 1, Severity.ERROR, "yaml-too-deep",
                        "the document is nested too deeply to read",
                        f"Config files need far less than {MAX_DEPTH} levels; check for a runaway structure.")
            ) from None
        self.roots, self.root = [], None
        if ynodes:
            self._pending = (ynodes, base)
        self.data = self.all_data[0] if self.all_data else None
        for ynode in ynodes:
            self.findings.extend(_lint(ynode, self.display))
        if not self.has_aliases:
            _note_alias_free(self)

    def position(self, path: tuple | list) -> tuple[int, int]:
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

    def node_at(self, path: tuple | list) -> Node | None:
        node = self.root
        for part in path:
            if node is None:
                return None
            node = node.child(part)
        return node

    def key_node_at(self, path: tuple | list) -> Node | None:
        if not path:
            return None
        parent = self.node_at(path[:-1])
        return parent.key_node(path[-1]) if parent is not None else None

    def iter_nodes(self) -> Iterator[tuple[tuple, Node]]:
        """Every value node with its key path, parents before children."""
        if self.root is None:
            return
        stack: list[tuple[tuple, Node]] = [((), self.root)]
        while stack:
            path, node = stack.pop()
            yield path, node
            if node.kind == "map":
                for k, v in reversed(node.items):
                    stack.append((path + (_key_value(k),), v))
            elif node.kind == "seq":
                for i in range(len(node.items) - 1, -1, -1):
                    stack.append((path + (i,), node.items[i]))

    def iter_scalars(self) -> Iterator[tuple[tuple, Node]]:
        for path, node in self.iter_nodes():
            if node.kind == "scalar":
                yield path, node

    def parser_nodes(self) -> "tuple[list, int] | None":
        """``(the parser's root nodes, offset of the text after a BOM)`` while the located tree is
        not built (None once it is): for walks over every scalar that locate only the few they
        report (:func:`located_scalar`, :func:`parser_key`)."""
        return self._pending

    def scalars_containing(self, needle: str) -> Iterator[tuple[tuple, Node]]:
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

    def path_at_line(self, line: int) -> tuple:
        """The deepest key path whose node starts on ``line`` (or contains it)."""
        best: tuple = ()
        for path, node in self.iter_nodes():
            if node.line <= line and _end_line(self.text, node.end) >= line:
                best = path
        return best


def _key_value(node: Node):
    if node.kind != "scalar":
        return node.value
    if node.tag == _INT and node.style is None:
        try:
            return int(node.value or "", 0)
        except ValueError:
            return node.value
    return node.value


def _end_line(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset - 1, 0)) + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parse_finding(display: str, exc: yaml.MarkedYAMLError, body: str = "") -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1) if mark else 1
    col = (mark.column + 1) if mark else 1
    problem = exc.problem or "invalid YAML"
    context = f" ({exc.context})" if exc.context else ""
    fix = "Fix the YAML syntax at the place named."
    low = problem.lower()
    at = body[mark.index] if mark and 0 <= mark.index < len(body) else ""
    if at == "\t" or "\\t" in problem or "tab" in low:
        fix = "YAML does not allow tabs for indentation: replace them with spaces."
    elif "found character" in low and "cannot start any token" in low:
        fix = "Quote the value (for example '...') if it starts with a special character."
    elif "mapping values are not allowed" in low:
        fix = "A value containing ': ' must be quoted, or the indentation is off by one level."
    elif "expected <block end>" in low:
        fix = "Check the indentation: this line does not line up with its siblings."
    elif "could not find expected ':'" in low:
        fix = "A key is missing its ':' or a quoted string is not closed."
    elif "found undefined alias" in low:
        fix = "Define the anchor (&name) before using the alias (*name)."
    elif "unacceptable character" in low or "special characters are not allowed" in low:
        fix = "The file contains control or binary characters: is it really a YAML file?"
    return Finding(display, line, col, Severity.ERROR, "yaml-syntax", _one_line(problem + context), fix)


def _check_size(root, display: str, aliases_possible: bool = True) -> bool:
    """Refuse alias bombs and runaway nesting before constructing Python objects.

    Returns True when some node is reached twice (the document uses aliases). A text without
    ``*`` has no alias, so no node is reached twice: a plain count and depth walk suffices,
    and only a document over a limit is walked again by the exact check for its error."""
    if not aliases_possible and _within_limits(root):
        return False
    return _check_size_exact(root, display)


def _within_limits(root) -> bool:
    """Whether a tree (no node reached twice) has at most MAX_NODES nodes and MAX_DEPTH levels."""
    count = 1
    scalar = yaml.ScalarNode
    stack = [(root, 0)] if root.__class__ is not scalar else []
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth >= MAX_DEPTH:
            return False
        items = node.value
        count += len(items)
        depth += 1
        for item in items:
            if item.__class__ is tuple:
                count += 1
                k, v = item
                if k.__class__ is not scalar:
                    push((k, depth))
                if v.__class__ is not scalar:
                    push((v, depth))
            elif item.__class__ is not scalar:
                push((item, depth))
        if count > MAX_NODES:
            return False
    return True


def _check_size_exact(root, display: str) -> bool:
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    shared = [False]

    def size(node, depth: int) -> int:
        nid = id(node)
        if nid in sizes:
            shared[0] = True
            return sizes[nid]
        if depth > MAX_DEPTH:
            raise YamlLoadError(Finding(
                display, node.start_mark.line + 1, node.start_mark.column + 1, Severity.ERROR,
                "yaml-too-deep", f"the document is nested more than {MAX_DEPTH} levels deep",
                "Config files need far fewer levels; check for a runaway structure."))
        if nid in on_path:
            raise YamlLoadError(Finding(
                display, node.start_mark.line + 1, node.start_mark.column + 1, Severity.ERROR,
                "yaml-recursive-alias", "an alias refers to a node that contains it",
                "Remove the recursive alias; configuration data cannot be recursive."))
        on_path.add(nid)
        total = 1
        if isinstance(node.value, list):
            for item in node.value:
                if isinstance(item, tuple):
                    total += size(item[0], depth + 1) + size(item[1], depth + 1)
                else:
                    total += size(item, depth + 1)
                if total > MAX_NODES:
                    break
        on_path.discard(nid)
        sizes[nid] = total
        if total > MAX_NODES:
            raise YamlLoadError(Finding(
                display, node.start_mark.line + 1, node.start_mark.column + 1, Severity.ERROR,
                "yaml-alias-bomb",
                f"aliases expand this document to more than {MAX_NODES:,} nodes; lsc-tui refuses to expand it",
                "Remove the nested anchors and aliases (a 'billion laughs' structure)."))
        return total

    size(root, 0)
    return shared[0]


def _convert(ynode, base: int, depth: int, display: str) -> Node:
    # positional arguments: this runs once per node of the file (25,000 at 10,000 lines)
    sm = ynode.start_mark
    cls = ynode.__class__
    if cls is _SCALAR_NODE:
        return Node("scalar", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                    ynode.style or None, ynode.value)
    if cls is _SEQUENCE_NODE:
        return Node("seq", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                    None, None, [_convert(n, base, depth + 1, display) for n in ynode.value],
                    bool(ynode.flow_style))
    return Node("map", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                None, None,
                [(_convert(k, base, depth + 1, display), _convert(v, base, depth + 1, display))
                 for k, v in ynode.value],
                bool(ynode.flow_style))


_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode


_OCTAL_LIKE = re.compile(r"^[-+]?0[0-9_]+$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+$")


def _lint(root, display: str) -> list[Finding]:
    """Duplicate keys and YAML 1.1 traps, from the parser's nodes (no located tree needed)."""
    out: list[Finding] = []
    if root is None:
        return out
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode
    stack: list = [(root, None)]
    while stack:
        node, key = stack.pop()
        cls = node.__class__
        if cls is scalar:
            if not node.style and node.value is not None and node.tag in _TRAP_TAGS:
                out.extend(_trap(located_scalar(node), display, key))
        elif cls is mapping or isinstance(node, mapping):
            seen: dict = {}
            for k, v in node.value:
                if k.__class__ is scalar:
                    if k.tag == "tag:yaml.org,2002:merge":
                        pass
                    elif k.value in seen:
                        first = seen[k.value]
                        line = k.start_mark.line + 1
                        out.append(Finding(
                            display, line, k.start_mark.column + 1, Severity.ERROR, "duplicate-key",
                            f"key '{k.value}' appears twice in this mapping (lines {first.start_mark.line + 1} "
                            f"and {line}); servers silently keep the last one",
                            f"Delete one of the two '{k.value}' keys, or merge them."))
                    else:
                        seen[k.value] = k
                    stack.append((v, k.value))
                else:
                    stack.append((v, None))
                    stack.append((k, None))
        else:  # a sequence
            stack.extend((item, key) for item in node.value)
    return out


def located_scalar(ynode, base: int = 0) -> Node:
    """The located node ``_convert`` makes of a parser's scalar node."""
    sm = ynode.start_mark
    return Node("scalar", ynode.tag, sm.line + 1, sm.column + 1, sm.index + base, ynode.end_mark.index + base,
                style=ynode.style or None, value=ynode.value)


def parser_key(ynode):
    """``_key_value`` of the node ``_convert`` makes of a parser node."""
    if ynode.__class__ is not yaml.ScalarNode:
        return None
    if ynode.tag == _INT and not ynode.style:
        try:
            return int(ynode.value or "", 0)
        except ValueError:
            return ynode.value
    return ynode.value


_TRAP_TAGS = frozenset((_BOOL, _INT, _NULL))


def _trap(node: Node, display: str, key=None) -> list[Finding]:
    from lsc_tui.config.masking import is_secret_key

    if node.tag not in _TRAP_TAGS:
        return []
    if is_secret_key(key):  # never echo a value that may be a secret
        return _trap_masked(node, display)
    v = node.value or ""
    if node.tag == _BOOL and v.lower() not in ("true", "false"):
        return [Finding(display, node.line, node.column, Severity.WARNING, "yaml11-bool",
                        f"'{v}' is read as the boolean {v.lower() in ('yes', 'y', 'on')} by the servers' YAML 1.1 reader",
                        f"Write true or false, or quote it ('{v}') if you mean the string.")]
    if node.tag == _INT and _OCTAL_LIKE.match(v):
        return [Finding(display, node.line, node.column, Severity.WARNING, "yaml11-octal",
                        f"'{v}' has a leading zero and is read as an octal number ({int(v.replace('_', ''), 8) if set(v.lstrip('+-0').replace('_', '')) <= set('01234567') else v}) by YAML 1.1 readers",
                        f"Quote it ('{v}') if it is a string, or drop the leading zero.")]
    if node.tag == _INT and _SEXAGESIMAL.match(v):
        return [Finding(display, node.line, node.column, Severity.WARNING, "yaml11-sexagesimal",
                        f"'{v}' is read as a base-60 number by YAML 1.1 readers",
                        f"Quote it ('{v}').")]
    if node.tag == _NULL and v == "~":
        return [Finding(display, node.line, node.column, Severity.INFO, "yaml11-null",
                        "'~' means null (no value)", "Write null, or quote it ('~') if you mean the character.")]
    return []


def _trap_masked(node: Node, display: str) -> list[Finding]:
    v = node.value or ""
    traps = (node.tag == _BOOL and v.lower() not in ("true", "false"),
             node.tag == _INT and (_OCTAL_LIKE.match(v) or _SEXAGESIMAL.match(v)))
    if not any(traps):
        return []
    return [Finding(display, node.line, node.column, Severity.WARNING, "yaml11-secret-not-a-string",
                    "this secret value is read as a number or a boolean by the servers' YAML 1.1 reader, "
                    "so it will not be the text you wrote",
                    "Quote it, or better, move it to an environment variable (lsc-tui secrets fix).")]


# -- loading files -------------------------------------------------------------------


def read_text(path: Path, display: str | None = None) -> tuple[str, FileStamp]:
    """Read a config file as text through the guarded reader (regular files only, size cap),
    with clear located errors for everything that is not one."""
    display = display or str(path)
    try:
        raw, st = fsio.read_bytes(path, display)
        text = fsio.decode(raw, display)
    except ReadRefused as exc:
        raise YamlLoadError(exc.finding) from None
    return text, FileStamp.of_bytes(raw, st)


def load_data(path: Path | str, display: str | None = None, *, multi: bool = False):
    """The data of a YAML file as PyYAML's safe_load gives it, read through the guarded reader
    and refused (located) past the node and depth limits. Raises YamlLoadError."""
    text, _stamp = read_text(Path(path), display)
    return data_of(text, display or str(path), multi=multi)


def data_of(text: str, display: str, *, multi: bool = False):
    """``yaml.safe_load`` (or ``safe_load_all`` as a list with ``multi``) under the limits:
    an alias bomb or runaway nesting is refused with its place before any object is built."""
    body = text[1:] if text.startswith(_BOM) else text
    out = []
    try:
        loader = _Loader(body)
        try:
            if multi:
                while loader.check_node():
                    node = loader.get_node()
                    _check_size(node, display, "*" in body)
                    out.append(loader.construct_document(node))
                return out
            node = loader.get_single_node()
            if node is None:
                return None
            _check_size(node, display, "*" in body)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError(_parse_finding(display, exc, body)) from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(Finding(display, 1, 1, Severity.ERROR, "yaml-syntax", _one_line(str(exc)),
                                    "Fix the YAML syntax at the place named.")) from None
    except RecursionError:
        raise YamlLoadError(Finding(display, 1, 1, Severity.ERROR, "yaml-too-deep",
                                    "the document is nested too deeply to read",
                                    f"Config files need far less than {MAX_DEPTH} levels; check for a runaway "
                                    "structure.")) from None


def load_document(path: Path | str, display: str | None = None, *, multi: bool = False,
                  stream: bool = False) -> Document:
    path = Path(path)
    text, stamp = read_text(path, display)
    return Document(path, text, stamp, display, multi=multi, stream=stream)


def parse_text(text: str, display: str = "<text>", path: Path | None = None, *, multi: bool = False,
               stream: bool = False) -> Document:
    return Document(path or Path(display), text, None, display, multi=multi, stream=stream)


def is_single_document_error(finding: Finding) -> bool:
    """The error a single-document reader gives for a multi-document stream."""
    return finding.code == "yaml-syntax" and "expected a single document" in finding.message


_PARSED: "dict[tuple, Document]" = {}
_PARSED_MAX = 4
_PARSED_LOCK = threading.Lock()  # the editor parses in its job thread, commands in the main one


def _cache_parsed(key: tuple, doc: "Document") -> None:
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


def render_scalar(value, prefer: str | None = None) -> str:
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


def _plain_reads_as(s: str):
    try:
        return yaml.load(f"k: {s}\n", Loader=_Loader)["k"]
    except yaml.YAMLError:
        return None


KEEP_STYLE = "keep"  # render a replaced scalar in the quote style it has now


def _quote_preference(node: Node, style) -> str | None:
    if style == KEEP_STYLE:
        style = node.style
    return style if style in ("'", '"') else None  # "plain", None: plain where the value allows


def replace_scalar(doc: Document, path: tuple, value, style=KEEP_STYLE) -> str:
    """The document text with the scalar at ``path`` replaced, every other byte unchanged.
    ``style``: the quote style to prefer (None: plain where the value allows it)."""
    node = doc.node_at(path)
    if node is None or node.kind != "scalar":
        raise KeyError(path)
    if node.style in ("|", ">"):
        return set_value_roundtrip(doc.text, path, value)
    return apply_span_edits(doc.text, [(node.start, node.end, render_scalar(value, _quote_preference(node, style)))])


_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")  # what YAML (and PyYAML's line count) breaks on


def replaced_scalar_document(doc: Document, path: tuple, value, style=KEEP_STYLE) -> Document | None:
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
    walk_path, key, lint_key = [], None, None
    for part in path:
        if node.flow:
            return None
        if node.kind == "map":
            knode = node.key_node(part)
            if knode is None:
                return None
            node = node.child(part)
            # as the walks (secret scan, iter_nodes) name the step and the nearest key
            step = _key_value(knode) if (knode.tag == _INT or knode.kind != "scalar") else knode.value
            walk_path.append(step)
            if isinstance(step, str):
                key = step
            lint_key = knode.value if knode.kind == "scalar" else None  # as _lint names it
        else:
            node = node.child(part)
            if node is None:
                return None
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
    probe = _Loader(f"k: {rendered}\n")
    try:
        pnode = probe.get_single_node()
        new_value = probe.construct_document(pnode)["k"]
        vnode = pnode.value[0][1]
    except yaml.YAMLError:
        return None
    finally:
        probe.dispose()
    if new_value != value:
        return None
    try:
        new_data = _path_copy_set(doc.data, path, new_value)
    except (KeyError, IndexError, TypeError):
        return None  # the path names the key differently from the data (1 and '1'): parse instead
    delta = len(rendered) - (old_end - old_start)
    new_node = Node("scalar", vnode.tag, node.line, node.column, old_start, old_start + len(rendered),
                    style=vnode.style or None, value=vnode.value)
    ancestors = {id(n) for n in chain[:-1]}

    new = object.__new__(Document)
    new.path, new.display, new.stamp, new.stream = doc.path, doc.display, None, False
    new.text = doc.text[:old_start] + rendered + doc.text[old_end:]
    new.root = _shifted(doc.root, node, new_node, ancestors, old_end, delta, node.line)
    new.roots = [new.root]
    new.data = new_data
    new.all_data = [new.data]
    new.findings = [f for f in doc.findings
                    if not ((f.line, f.column) == (node.line, node.column) and f.code.startswith("yaml11-"))]
    if new_node.style is None:
        new.findings.extend(_trap(new_node, doc.display, lint_key))
    new.derived = Derivation(weakref.ref(doc), tuple(walk_path), key, node, new_node, old_end, delta)
    _note_alias_free(new)  # a scalar set into alias-free data by copying the path: still alias-free
    return new


def content_end(text: str, node: Node) -> int:
    """Where a node's own text ends: after its last value. (PyYAML ends a block collection where
    the next token starts, past the blank lines and comments that follow it; those belong to
    what comes next.)"""
    while node.kind != "scalar" and not node.flow and node.items:
        last = node.items[-1]
        node = last[1] if node.kind == "map" else last
    if node.kind == "scalar" and node.style in ("|", ">"):
        return node.start + len(text[node.start:node.end].rstrip())
    return node.end


def node_text(doc: Document, path: tuple) -> str:
    """The node's own YAML text, dedented (a block collection's lines lose the node's column):
    what the raw YAML editor shows, and what :func:`replace_node_text` puts back."""
    if not path:
        return doc.text
    node = doc.node_at(path)
    if node is None:
        return ""
    text = doc.text[node.start:content_end(doc.text, node)]
    indent = node.column - 1
    if node.kind != "scalar" and not node.flow:
        lines = text.split("\n")
        out = [lines[0]]
        for line in lines[1:]:
            out.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
        text = "\n".join(out)
    return text.rstrip() + "\n"


def replace_node_text(doc: Document, path: tuple, yaml_text: str) -> str | None:
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
    return doc.text[:node.start] + body + doc.text[content_end(doc.text, node):]


_ALIAS_FREE: "dict[int, weakref.ref]" = {}


def _note_alias_free(doc: Document) -> None:
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


def known_alias_free(obj) -> bool:
    """True when ``obj`` is the data of a live document whose text has no alias: PyYAML builds a
    container per node, so no container of it is reachable twice (the walk of
    ``enrichment.has_aliases`` would say so too, at the cost of visiting every container)."""
    ref = _ALIAS_FREE.get(id(obj))
    doc = ref() if ref is not None else None
    return doc is not None and doc.data is obj and not doc.has_aliases


_new_object = object.__new__


def _moved(n: Node, delta: int, columns: dict) -> Node:
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


def _plain_fields(n: Node) -> dict:
    """The fields of ``n`` for a plain copy (the caller sets ``items``)."""
    d = n.__dict__.copy()
    d.pop("_moved", None)
    d.pop("_items", None)
    return d


def _materialize(source: Node, delta: int, columns: dict) -> list:
    if source.kind == "map":
        return [(_moved(k, delta, columns), _moved(v, delta, columns)) for k, v in source.items]
    return [_moved(i, delta, columns) for i in source.items]


def _shifted(root: Node, target: Node, replacement: Node, ancestors: set, old_end: int, delta: int,
             edit_line: int) -> Node:
    """The node tree after replacing ``target``: nodes that do not move are shared with the
    old tree (nodes are never mutated), nodes after the edit are moved copies (see _moved),
    and the ancestors of the target get their new end."""
    columns = {edit_line: delta}

    def moved(n: Node) -> Node:  # n starts at or after old_end: every offset moves
        return _moved(n, delta, columns)

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
            d = _plain_fields(n)
            d["end"] += delta
            if n.kind == "map":
                d["items"] = [(visit(k), visit(v)) for k, v in n.items]
            elif n.kind == "seq":
                d["items"] = [visit(i) for i in n.items]
            m.__dict__ = d
            return m
        m = _new_object(Node)
        d = _plain_fields(n)
        if d["end"] >= old_end:
            d["end"] += delta
        if n.kind == "map":
            d["items"] = [(visit(k), visit(v)) for k, v in n.items]
        else:
            d["items"] = [visit(i) for i in n.items]
        m.__dict__ = d
        return m

    return visit(root)


def _path_copy_set(data, path: tuple, value):
    """A copy of ``data`` with ``value`` at ``path``; only the containers along the path are new."""
    if not path:
        return value
    head = path[0]
    if isinstance(data, dict):
        out = dict(data)
    else:
        out = list(data)
    out[head] = _path_copy_set(data[head], path[1:], value)
    return out


# -- structural edits through ruamel ----------------------------------------------------------


def _ruamel():
    from ruamel.yaml import YAML

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


def roundtrip_edit(text: str, fn) -> str:
    """Apply ``fn(root)`` to the ruamel round-trip tree of ``text`` and emit it again."""
    import io

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


def set_value_roundtrip(text: str, path: tuple, value) -> str:
    def fn(root):
        node = root
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return roundtrip_edit(text, fn)


# -- saving -----------------------------------------------------------------------------


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def atomic_write(
    path: Path | str,
    text: str,
    *,
    expected: FileStamp | None | bool = False,
    mode: int | None = None,
    backup: bool = True,
    verify_data=...,
    workspace: Path | str | None = None,
    target: "fsio.Target | None" = None,
) -> Written:
    """Write ``text`` to ``path`` through ``fsio.write_file`` (atomic, 0600 temporary and backup
    files, owner and mode kept, special files written into, the symlink policy). Returns what
    was written (``.backup``: the backup path, if one was made; ``.notes``: what to tell).

    ``expected``: the stamp of the file as it was read (``None`` means "it did not exist");
    pass ``False`` to skip the check. A file that changed since raises FileChangedError and
    nothing is written. ``mode``: permission bits for the new file; default: the existing
    file's bits, or 0600 for a new file. ``verify_data``: when given, the written text must
    read back (PyYAML safe_load) to exactly this data. ``workspace``: given when the tool chose
    the path itself (see fsio.resolve_target); None when the operator named it.
    """
    path = Path(path)
    t = target or fsio.resolve_target(path, workspace=workspace)
    if expected is not False and not t.special:
        current = stamp_of(t.real)
        if expected is None and current is not None:
            raise FileChangedError(path)
        if expected is not None and (current is None or current.sha256 != expected.sha256):
            raise FileChangedError(path)
    if verify_data is not ...:
        try:
            got = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise VerifyError(f"{path}: the new text is not valid YAML ({_one_line(str(exc))}); nothing was written") from None
        if got != verify_data:  # (multi-document text is verified by the caller)
            raise VerifyError(f"{path}: the new text would not read back as the intended data; nothing was written")
    return fsio.write_file(path, text, mode=mode, backup=backup, target=t)


def write_side_file(path: Path, text: str) -> Path:
    """Keep ``text`` (raw YAML that did not parse, typed for ``path``) in a new file beside it:
    ``NAME.unparsed.yaml`` (then ``.1``, ``.2``, ...), mode 0600 (it may hold secrets); never
    over an existing file. Returns the file written."""
    path = Path(path)
    n = 0
    while True:
        side = path.with_name(f"{path.name}.unparsed{'.' + str(n) if n else ''}.yaml")
        try:
            atomic_write(side, text, expected=None, mode=0o600, backup=False)
            return side
        except FileChangedError:
            n += 1  # taken: the next name


def dump_plain(data) -> str:
    """Block-style YAML for new files we create from data (keys in insertion order)."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)
