"""Literal secrets in what a migration moves: listed by location, never by value.

The secrets scanner (``lsc_tui.config.secrets``) is used when it is installed; otherwise the
key-name rule of :mod:`lsc_tui.config.masking` finds literal values under secret-named keys
(``api_key``, ``password``, ``client_secret``...), skipping env references. Values are kept
only so outputs can be masked; they are never part of any rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lsc_tui.config import secrets as S
from lsc_tui.config.envref import ENV_REF
from lsc_tui.config.findings import path_text
from lsc_tui.config.masking import MASK, is_secret_key, mask_inline, mask_text
from lsc_tui.config.migration.analyse import Analysis
from lsc_tui.config.yaml.document import Document, parse_text
from lsc_tui.config.yaml.edit import apply_span_edits


@dataclass(frozen=True)
class SecretRef:
    file: str
    line: int
    column: int
    path: tuple[Any, ...]
    moved_to: tuple[Any, ...] | None = None  # where the value sits in the new config (lift, smart)
    _value: str = field(default="", repr=False, compare=False)
    kind: str = ""  # what the scanner recognised (e.g. "OpenAI API key"), never the value

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": path_text(self.path),
            "kind": self.kind or None,
            "moved_to": path_text(self.moved_to) if self.moved_to is not None else None,
        }

    def to_text(self) -> str:
        where = f" (now at {path_text(self.moved_to)})" if self.moved_to is not None else ""
        kind = f" ({self.kind})" if self.kind else ""
        return f"{self.file}:{self.line}:{self.column}: literal secret at {path_text(self.path)}{where}{kind}"


def is_literal(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str) or not value.strip():
        return False
    return ENV_REF.sub("", value).strip() != ""


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for p in path:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def scan(analysis: Analysis) -> list[SecretRef]:
    """Literal secrets in the config and in the run.yaml a migration lifts."""
    refs: list[SecretRef] = []
    for doc in (analysis.config, analysis.run_yaml):
        if doc is not None:
            refs.extend(_scan_one(doc))
    return refs


def _scan_one(doc: Document) -> list[SecretRef]:
    out = []
    for hit in S.scan_document(doc):
        if hit.allowed:
            continue  # the operator marked it as not a secret
        value = hit.secret.reveal() if hit.secret is not None else None
        if not isinstance(value, str) or not value:
            continue
        out.append(SecretRef(doc.display, hit.line, hit.column, tuple(hit.path), None, value, hit.title))
    return out


def mask_document_text(text: str, values: set[str]) -> str:
    """``text`` with every literal under a secret key, and every known value, masked."""
    try:
        doc = parse_text(text)
    except Exception:  # noqa: BLE001 - unparsable text: mask by value only
        doc = None
    if doc is not None:
        edits = []
        for path, node in doc.iter_scalars():
            if (
                path
                and any(is_secret_key(p) for p in path if isinstance(p, str))
                and is_literal(_value_at(doc.data, path))
                and not isinstance(_value_at(doc.data, path), (bool,))
            ):
                if node.style in ("|", ">"):
                    continue  # handled by value masking below
                edits.append((node.start, node.end, MASK))
        text = apply_span_edits(text, edits)
    return safe_mask_inline(mask_text(text, values))


_LONG = 4096


def safe_mask_inline(text: str) -> str:
    """:func:`masking.mask_inline`, applied only where it can match and in bounded time.

    URL credentials need ``://`` and ``@``; bearer tokens need the word. Very long tokens that
    could hold a credential are masked whole (over-masking a preview is the safe side).
    """
    out = []
    for line in text.splitlines(keepends=True):
        low = line.lower()
        if not (("://" in line and "@" in line) or "bearer" in low or "basic" in low):
            out.append(line)
        elif len(line) <= _LONG:
            out.append(mask_inline(line))
        else:
            parts = re.split(r"(\s+)", line)
            out.append(
                "".join(
                    (MASK if len(p) > _LONG and ("://" in p or "@" in p) else mask_inline(p) if len(p) <= _LONG else p)
                    for p in parts
                )
            )
    return "".join(out)
