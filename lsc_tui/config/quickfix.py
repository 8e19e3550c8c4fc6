"""Mechanical fixes: the findings whose fix is one text edit anyone would make the same way.

``fixes_for(ws, finding)`` returns the edits (character spans of one file's text) that carry
out a finding's fix: rename a mistyped key to the one the models suggest (``identifier`` ->
``name``), quote a YAML 1.1 trap, rewrite a legacy env reference, set
``config_format_version`` to the file's shape, drop a ``baseline`` a profile overrides.
Findings that need a choice (which duplicate key to keep) or other files (a literal secret:
see :mod:`lsc_tui.config.secrets.fix`) have none here. Edits change nothing else in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lsc_tui.config import envref
from lsc_tui.config.findings import Finding
from lsc_tui.config.workspace import Workspace, mode_facts
from lsc_tui.config.yaml.document import Document
from lsc_tui.config.yaml.edit import apply_span_edits, render_scalar
from lsc_tui.config.yaml.nodes import Node


@dataclass(frozen=True)
class TextFix:
    title: str
    file: Path
    edits: tuple[tuple[int, int, str], ...]  # character offsets of the file's current text
    preferred: bool = False

    def apply(self, text: str) -> str:
        return apply_span_edits(text, sorted(self.edits))


# the models' fix texts name the key to use (lsc_tui.config.models.issues: unknown_key_issue, link_renames)
_DID_YOU_MEAN = re.compile(r"Did you mean `([^`]+)`\?")
_RENAME = re.compile(r"Rename `([^`]+)` to `([^`]+)`")


def fixes_for(ws: Workspace | None, finding: Finding) -> list[TextFix]:
    doc = ws.document_for(finding.file) if ws is not None else None
    if ws is None or doc is None or doc.root is None:
        return []
    fn = _BY_CODE.get(finding.code)
    return fn(ws, doc, finding) if fn is not None else []


def _rename_key(doc: Document, path: tuple[str | int, ...], new: str, preferred: bool = True) -> list[TextFix]:
    key = doc.key_node_at(path)
    if key is None or key.kind != "scalar" or not path:
        return []
    parent = doc.node_at(path[:-1])
    if parent is not None and parent.child(new) is not None:
        return []  # the right key is there already: renaming would make a duplicate
    return [
        TextFix(f"Rename '{path[-1]}' to '{new}'", doc.path, ((key.start, key.end, render_scalar(new)),), preferred)
    ]


def _unknown_key(ws: Workspace, doc: Document, f: Finding) -> list[TextFix]:
    m = _DID_YOU_MEAN.search(f.fix)
    if not m or not f.path:
        return []
    return _rename_key(doc, tuple(f.path), m.group(1))


def _missing_key(ws: Workspace, doc: Document, f: Finding) -> list[TextFix]:
    m = _RENAME.search(f.fix)
    if not m or not f.path:
        return []
    return _rename_key(doc, tuple(f.path[:-1]) + (m.group(1),), m.group(2))


def _scalar_at(doc: Document, line: int, column: int) -> Node | None:
    for _path, node in doc.iter_scalars():
        if node.line == line and node.column == column:
            return node
    return None


def _quote(ws: Workspace, doc: Document, f: Finding) -> list[TextFix]:
    node = _scalar_at(doc, f.line, f.column)
    if node is None or node.style is not None:
        return []
    raw = doc.text[node.start : node.end]
    out = [
        TextFix(f"Quote {raw} as a string", doc.path, ((node.start, node.end, f"'{raw}'"),), f.code != "yaml11-bool")
    ]
    if f.code == "yaml11-bool":
        word = "true" if raw.lower() in ("yes", "y", "on") else "false"
        out.append(TextFix(f"Write {word}", doc.path, ((node.start, node.end, word),)))
    return out


def _null(ws: Workspace, doc: Document, f: Finding) -> list[TextFix]:
    node = _scalar_at(doc, f.line, f.column)
    if node is None or node.style is not None:
        return []
    return [TextFix("Write null", doc.path, ((node.start, node.end, "null"),), True)]


def _env_ref(ws: Workspace, doc: Document, f: Finding) -> list[TextFix]:
    node = doc.node_at(tuple(f.path)) if f.path else _scalar_at(doc, f.line, f.column)
    if node is None or node.kind != "scalar" or node.style in ("|", ">"):
        return []
    raw = doc.text[node.start : node.end]
    edits: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for bad in envref.find_legacy_refs(node.value or ""):
        at = raw.find(bad.text)
        # only where the reference is written verbatim in the file (no escapes inside quotes)
        if at < 0 or raw.count(bad.text) != 1 or bad.text in seen:
            continue
        seen.add(bad.text)
        edits.append((node.start + at, node.start + at + len(bad.text), bad.suggestion))
    if not edits:
        return []
    title = (
        "Rewrite as a reference Llama Stack understands"
        if len(edits) == 1
        else f"Rewrite {len(edits)} references as Llama Stack understands them"
    )
    return [TextFix(title, doc.path, tuple(edits), True)]


def _config_format_version(ws: Workspace, doc: Document, f: Finding) -> list[TextFix]:
    node = doc.node_at(("config_format_version",))
    if node is None or node.kind != "scalar" or not isinstance(doc.data, dict):
        return []
    shape = "unified" if mode_facts(doc.data).S else "legacy"
    if node.value == shape:
        return []
    return [TextFix(f"Set config_format_version to {shape}", doc.path, ((node.start, node.end, shape),), True)]


def _baseline_ignored(ws: Workspace, doc: Document, f: Finding) -> list[TextFix]:
    key = ws.llama_stack_key()
    path = (key, "config", "baseline")
    knode, vnode = doc.key_node_at(path), doc.node_at(path)
    if knode is None or vnode is None or vnode.kind != "scalar":
        return []
    start = doc.text.rfind("\n", 0, knode.start) + 1
    if doc.text[start : knode.start].strip():
        return []  # not alone on its line (a flow mapping): leave it to the operator
    end = doc.text.find("\n", vnode.end)
    end = len(doc.text) if end < 0 else end + 1
    return [TextFix("Delete 'baseline' (the profile is used)", doc.path, ((start, end, ""),), True)]


_BY_CODE: dict[str, Callable[[Workspace, Document, Finding], list[TextFix]]] = {
    "unknown-key": _unknown_key,
    "missing-key": _missing_key,
    "yaml11-bool": _quote,
    "yaml11-octal": _quote,
    "yaml11-sexagesimal": _quote,
    "yaml11-null": _null,
    "env-ref-literal": _env_ref,
    "config-format-version": _config_format_version,
    "baseline-ignored": _baseline_ignored,
}

MECHANICAL_CODES = tuple(_BY_CODE)
