"""A node's fields as the editor's form shows them, and typed text back into values.

The form lists a node's leaf fields (scalars and lists of scalars, with their paths relative to
the node); lists of mappings are not fields: each entry is a node of its own. A field is secret
(shown masked) when the scanner flagged it, when a key on its path names a secret, or when its
value looks like one. What the operator types is parsed as a value of the field's own kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from lsc_tui.config import masking
from lsc_tui.config.yaml.document import data_of
from lsc_tui.config.yaml.lint import YamlLoadError

KeyPath = tuple[Any, ...]  # mapping keys (str, or what YAML made of them) and list indexes (int)
SecretPaths = set[tuple[str, KeyPath]]  # (display, path) of the literal secrets the scanner found

MAX_LIST_DEPTH = 8  # lists of mappings nested deeper than this are edited as raw YAML of a parent


def value_at(data: Any, path: KeyPath) -> Any:
    """The value at ``path`` in plain data, or None when the path does not lead anywhere."""
    cur = data
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def flatten(value: Any, prefix: KeyPath = (), depth: int = 0, limit: int = 60) -> list[tuple[KeyPath, Any]]:
    """Leaf fields of a node: scalars and lists of scalars, with their relative paths."""
    out: list[tuple[KeyPath, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if len(out) >= limit:
                break
            if isinstance(v, dict) and v and depth < 4:
                out.extend(flatten(v, prefix + (k,), depth + 1, limit - len(out)))
            elif isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
                continue  # lists of mappings: edit as YAML
            else:
                out.append((prefix + (k,), v))
    elif not isinstance(value, list):
        out.append((prefix, value))
    elif not any(isinstance(x, (dict, list)) for x in value):
        out.append((prefix, value))
    return out


def lists_of_mappings(value: Any, prefix: KeyPath = (), depth: int = 0) -> Iterator[tuple[KeyPath, list[Any]]]:
    """(relative path, list) of every list of mappings inside a node, not inside another such
    list (each entry of a list holds its own): what the form cannot show as fields."""
    if not isinstance(value, dict) or depth > MAX_LIST_DEPTH:
        return
    for k, v in value.items():
        if isinstance(v, list) and any(isinstance(x, dict) for x in v):
            yield prefix + (k,), v
        elif isinstance(v, dict):
            yield from lists_of_mappings(v, prefix + (k,), depth + 1)


def is_secret_field(display: str, path: KeyPath, value: Any, secret_paths: SecretPaths) -> bool:
    """Whether the field at ``path`` of ``display`` is shown masked. ``secret_paths``: the
    (display, path) of the literal secrets the scanner found."""
    if isinstance(value, list):  # a list of scalars is one field: secret when any item is
        return any(is_secret_field(display, tuple(path) + (i,), v, secret_paths) for i, v in enumerate(value))
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or value == "":
        return False
    text = str(value)
    if isinstance(value, str) and masking.mask_string(text) == text:
        return False  # a pure env reference: nothing to hide
    if (display, tuple(path)) in secret_paths:
        return True
    if any(masking.is_secret_key(p) for p in path if isinstance(p, str)):
        return True
    # what the scanner flags under the field's key (the scan of the file may be a step behind)
    key = next((p for p in reversed(path) if isinstance(p, str)), None)
    return isinstance(value, str) and masking.mask_scalar(value, key) != value


def show_value(value: Any) -> str:
    """A field's value as the form's input shows it (the text parse_value reads back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return str(value)


def parse_value(text: str, original: Any) -> Any:
    """The typed text as a value of the field's kind (``original`` is the field's current value).
    Raises ValueError with a message that completes "<field> ..."."""
    if isinstance(original, bool):
        low = text.strip().lower()
        if low in ("true", "yes", "on"):
            return True
        if low in ("false", "no", "off"):
            return False
        if text.startswith("${"):
            return text
        raise ValueError("expects true or false (or an ${env.NAME} reference)")
    if isinstance(original, int):
        try:
            return int(text.strip())
        except ValueError:
            if text.startswith("${"):
                return text
            raise ValueError("expects a whole number (or an ${env.NAME} reference)") from None
    if isinstance(original, float):
        try:
            return float(text.strip())
        except ValueError:
            if text.startswith("${"):
                return text
            raise ValueError("expects a number") from None
    if isinstance(original, list) or original is None:
        if text.strip() == "":
            return None if original is None else []
        try:
            value = data_of(text, "value")  # the readers' limits: a typed alias bomb is refused, not expanded
        except YamlLoadError:
            raise ValueError("is not valid YAML (for a list write [a, b])") from None
        if isinstance(original, list) and not isinstance(value, list):
            raise ValueError("expects a list, written [a, b]")
        return value
    return text
