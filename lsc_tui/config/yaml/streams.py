"""Located multi-document streams for the operator formats: Kubernetes manifests (a ConfigMap
and a CR in one file), ``extra-providers.yaml``, ``lls-provider-spec.yaml``.

Each document keeps the parser's node tree, so every finding names a line and column, also
inside a config.yaml embedded in a ConfigMap's block scalar (the offsets). Read with the one
loader, under the one limit set and the same read-time checks as every config document
(``document.Loader``, ``lint``); a bad input raises ``YamlLoadError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import yaml

from lsc_tui.config.findings import Finding, FindingError, Severity
from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.document import Loader, construct_as_written
from lsc_tui.config.yaml.lint import YamlLoadError, check_limits, lint_nodes, located_parse_errors


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

    def node(self, path: Iterable[Any]) -> yaml.Node | None:
        node = self.root
        for part in path:
            node = _child(node, part)
            if node is None:
                return None
        return node

    def pos(self, path: Iterable[Any]) -> tuple[int, int]:
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

    def finding(self, path: Iterable[Any], severity: Severity, code: str, message: str, fix: str = "") -> Finding:
        path = tuple(path)
        line, col = self.pos(path)
        return Finding(self.file, line, col, severity, code, message, fix, path)


def _child(node: yaml.Node | None, part: object) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        found: yaml.Node | None = None
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                found = v
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item: yaml.Node = node.value[part]
        return item
    return None


def read_file(path: Path | str, display: str | None = None) -> str:
    """The text of an input file, through the guarded reader (regular files only, size cap)."""
    display = display or str(path)
    try:
        raw, _st = files.read_bytes(path, display)
        text = files.decode(raw, display)
    except files.ReadRefused as exc:
        raise YamlLoadError(exc.findings) from None
    return text.removeprefix("\ufeff")


def parse_all(text: str, display: str, line_offset: int = 0, col_offset: int = 0) -> list[LocDoc]:
    """Every document of a YAML stream. Raises YamlLoadError on a syntax error or past the
    limits (located)."""
    docs: list[LocDoc] = []
    with located_parse_errors(display, text, line_offset, col_offset):
        loader = Loader(text)
        try:
            index = 0
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    check_limits(node, display, True, line_offset, col_offset)
                data = construct_as_written(loader, node) if node is not None else None
                doc = LocDoc(display, data, node, index, line_offset=line_offset, col_offset=col_offset, text=text)
                doc.findings.extend(
                    lint_nodes(node, display, traps=False, line_offset=line_offset, col_offset=col_offset)
                )
                docs.append(doc)
                index += 1
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
        raise FindingError(
            Finding(
                display,
                docs[1].pos(())[0],
                1,
                Severity.ERROR,
                "multiple-documents",
                f"the file holds {len(docs)} YAML documents; one is expected",
                "Split the file, or remove the extra '---' separators.",
            )
        )
    return docs[0]


def embedded_offset(doc: LocDoc, path: Iterable[Any]) -> tuple[int, int]:
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
