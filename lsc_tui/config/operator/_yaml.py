"""Located YAML for the operator formats: multi-document streams, positions, clean errors.

Kubernetes manifests are often multi-document files (a ConfigMap and a CR), which the
shared single-document reader does not cover, so this small private helper composes each
document with PyYAML (the reader the operator's inputs are meant for) and keeps the node
tree, so every finding can name a line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from lsc_tui.config import fsio
from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.fsio import MAX_DEPTH, MAX_NODES  # the one limit set every reader applies
from lsc_tui.config.yamlio import construct_as_written

try:  # pragma: no cover - depends on libyaml being present
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class InputError(Exception):
    """An input file cannot be used at all. Carries located findings."""

    def __init__(self, findings: Finding | list[Finding]):
        self.findings = findings if isinstance(findings, list) else [findings]
        super().__init__("; ".join(f.to_text() for f in self.findings))


@dataclass
class LocDoc:
    """One YAML document: its data and its node tree (for positions)."""

    file: str
    data: Any
    root: yaml.Node | None
    index: int = 0
    findings: list[Finding] = field(default_factory=list)
    line_offset: int = 0  # for documents embedded in a block scalar
    col_offset: int = 0
    text: str = ""  # the whole stream this document came from

    def node(self, path: Iterable) -> yaml.Node | None:
        node = self.root
        for part in path:
            node = _child(node, part)
            if node is None:
                return None
        return node

    def pos(self, path: Iterable) -> tuple[int, int]:
        """1-based line/column of ``path`` (its key if it is a mapping entry), or of the
        nearest parent that exists."""
        node = self.root
        if node is None:
            return (1 + self.line_offset, 1)
        best = node.start_mark
        for part in path:
            if isinstance(node, yaml.MappingNode):
                hit = None
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                        hit = (k, v)
                if hit is None:
                    break
                best, node = hit[0].start_mark, hit[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                best = node.start_mark
            else:
                break
        return best.line + 1 + self.line_offset, best.column + 1 + self.col_offset

    def finding(self, path, severity: Severity, code: str, message: str, fix: str = "") -> Finding:
        line, col = self.pos(path)
        return Finding(self.file, line, col, severity, code, message, fix, tuple(path))


def _child(node, part):
    if isinstance(node, yaml.MappingNode):
        found = None
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                found = v
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def read_file(path: Path | str, display: str | None = None) -> str:
    """The text of an input file, through the guarded reader (regular files only, size cap)."""
    display = display or str(path)
    try:
        raw, _st = fsio.read_bytes(path, display)
        text = fsio.decode(raw, display)
    except fsio.ReadRefused as exc:
        raise InputError(exc.finding) from None
    return text.removeprefix("\ufeff")


def parse_all(text: str, display: str, line_offset: int = 0, col_offset: int = 0) -> list[LocDoc]:
    """Every document of a YAML stream. Raises InputError on a syntax error (located)."""
    docs: list[LocDoc] = []
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                _check_size(node, display, line_offset)
            data = construct_as_written(loader, node) if node is not None else None
            doc = LocDoc(display, data, node, index, line_offset=line_offset, col_offset=col_offset, text=text)
            doc.findings.extend(_duplicates(doc))
            docs.append(doc)
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 1
        col = (mark.column + 1 + col_offset) if mark else 1
        problem = " ".join(str(exc.problem or "invalid YAML").split())
        context = f" ({exc.context})" if exc.context else ""
        raise InputError(Finding(display, line, col, Severity.ERROR, "yaml-syntax", problem + context,
                                 "Fix the YAML syntax at the place named (indentation, quotes, ':' after keys).")) from None
    except yaml.YAMLError as exc:
        raise InputError(Finding(display, 1, 1, Severity.ERROR, "yaml-syntax", " ".join(str(exc).split()),
                                 "Fix the YAML syntax.")) from None
    except RecursionError:
        raise InputError(Finding(display, 1, 1, Severity.ERROR, "yaml-too-deep", "the document is nested too deeply",
                                 "Check for a runaway structure.")) from None
    finally:
        loader.dispose()
    return docs


def load_all(path: Path | str, display: str | None = None) -> list[LocDoc]:
    display = display or str(path)
    return parse_all(read_file(path, display), display)


def load_one(path: Path | str, display: str | None = None) -> LocDoc:
    """A single-document file (an empty file reads as an empty document)."""
    display = display or str(path)
    docs = load_all(path, display)
    docs = [d for d in docs if d.data is not None] or docs
    if not docs:
        return LocDoc(display, None, None)
    if len(docs) > 1:
        raise InputError(Finding(display, docs[1].pos(())[0], 1, Severity.ERROR, "multiple-documents",
                                 f"the file holds {len(docs)} YAML documents; one is expected",
                                 "Split the file, or remove the extra '---' separators."))
    return docs[0]


def _check_size(root: yaml.Node, display: str, line_offset: int) -> None:
    """Refuse alias bombs and runaway nesting before any Python object is built."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def fail(node, code, message, fix):
        raise InputError(Finding(display, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1,
                                 Severity.ERROR, code, message, fix))

    def size(node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH:
            fail(node, "yaml-too-deep", f"the document is nested more than {MAX_DEPTH} levels deep",
                 "Configuration needs far fewer levels; check for a runaway structure.")
        if key in on_path:
            fail(node, "yaml-recursive-alias", "an alias refers to a node that contains it",
                 "Remove the recursive alias: configuration data cannot be recursive.")
        on_path.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
                if total > MAX_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v, depth + 1)
                if total > MAX_NODES:
                    break
        on_path.discard(key)
        sizes[key] = total
        if total > MAX_NODES:
            fail(node, "yaml-alias-bomb",
                 f"aliases expand this document to more than {MAX_NODES:,} values; lsc-tui refuses to expand it",
                 "Remove the nested anchors and aliases (a 'billion laughs' structure).")
        return total

    size(root, 0)


def _duplicates(doc: LocDoc) -> list[Finding]:
    out: list[Finding] = []
    stack = [doc.root] if doc.root is not None else []
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    if k.value in keys:
                        out.append(Finding(doc.file, k.start_mark.line + 1 + doc.line_offset,
                                           k.start_mark.column + 1 + doc.col_offset,
                                           Severity.ERROR, "duplicate-key",
                                           f"key '{k.value}' appears twice in this mapping (lines "
                                           f"{keys[k.value].start_mark.line + 1 + doc.line_offset} and "
                                           f"{k.start_mark.line + 1 + doc.line_offset}); readers silently keep the last one",
                                           f"Delete one of the two '{k.value}' keys."))
                    else:
                        keys[k.value] = k
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


def embedded_offset(doc: LocDoc, path) -> tuple[int, int]:
    """Line and column offsets of a literal block scalar's content (a config.yaml inside a
    ConfigMap), so findings in it point into the outer file. Other styles cannot be mapped
    line by line: their offset is the value's own line."""
    node = doc.node(path)
    if isinstance(node, yaml.ScalarNode) and node.style == "|":
        first = node.start_mark.line + 1  # content starts on the line after the indicator
        lines = doc.text.splitlines()
        indent = 0
        for raw in lines[first:]:
            if raw.strip():
                indent = len(raw) - len(raw.lstrip(" "))
                break
        return first + doc.line_offset, indent
    if node is not None:
        return node.start_mark.line + doc.line_offset, 0
    return doc.line_offset, 0


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks (``|``), so an embedded config.yaml stays readable."""


def _str_block(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_block)


def dump(data, *, sort_keys: bool = True, block_strings: bool = False) -> str:
    """Deterministic block YAML that PyYAML's safe_load reads back to the same data."""
    return yaml.dump(data, Dumper=_BlockDumper if block_strings else yaml.SafeDumper, sort_keys=sort_keys,
                     default_flow_style=False, allow_unicode=True, width=4096)


def dump_all(docs: list, *, sort_keys: bool = True, block_strings: bool = False) -> str:
    return yaml.dump_all(docs, Dumper=_BlockDumper if block_strings else yaml.SafeDumper, sort_keys=sort_keys,
                         default_flow_style=False, allow_unicode=True, width=4096, explicit_start=True)


def screen_text(data, show_secrets: bool = False, *, sort_keys: bool = True) -> tuple[str, bool]:
    """YAML for a terminal: literal secrets (by key name) masked unless asked.
    Returns ``(text, anything_masked)``."""
    if show_secrets:
        return dump(data, sort_keys=sort_keys), False
    from lsc_tui.config.masking import mask_tree

    masked = mask_tree(data)
    return dump(masked, sort_keys=sort_keys), masked != data


def write_atomic(path: Path | str, text: str, *, mode: int = 0o600, backup: bool = True,
                 workspace: Path | str | None = None, target: "fsio.Target | None" = None) -> "fsio.Written":
    """Write through the one writer (yamlio.atomic_write, fsio.write_file) with ``mode``; an
    existing file is kept as ``NAME.bak``. ``workspace``: given for paths the tool chose."""
    from lsc_tui.config.yamlio import atomic_write

    return atomic_write(path, text, mode=mode, backup=backup, workspace=workspace, target=target)
