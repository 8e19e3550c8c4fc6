"""Writing run.yaml exactly as LCORE does (PyYAML, block style, sorted keys, indented
sequences), with a fast emitter that falls back to PyYAML wherever it cannot prove the bytes
are the same, and the one run.yaml writer (mode 0600, atomic)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Optional
from collections.abc import Callable

import yaml

from lsc_tui.config.memo import IdentityMemo
from lsc_tui.config.yaml.files import Written
from lsc_tui.config.synthesis.provenance import KeyPath, Origin, Provenance
from lsc_tui.config.yaml.save import atomic_write

DEFAULT_OUTPUT = Path(".generated") / "run.yaml"
WIDTH = 80  # PyYAML's default best_width

# (container, indent, first-line prefix, out, seen, key chain, order): _fast_map or _fast_seq
_FastWalk = Callable[[Any, str, Optional[str], list[str], set[int], list[Any], Optional[list[int]]], None]


class LcoreDumper(yaml.Dumper):  # pylint: disable=too-many-ancestors
    """PyYAML's Dumper with indented block sequences (LCORE's choice for run.yaml)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def pyyaml_dump(data: Any) -> str:
    return yaml.dump(data, Dumper=LcoreDumper, default_flow_style=False)


class _Fallback(Exception):
    pass


_SCALARS: dict[tuple[type, Any], Optional[str]] = {}


def _scalar(value: Any) -> Optional[str]:
    """The one-line text PyYAML writes for ``value`` when it is not folded, else None."""
    try:
        # floats by repr: 0.0 == -0.0 and nan != nan would confuse a dict
        key = (value.__class__, repr(value) if value.__class__ is float else value)
        hit = _SCALARS.get(key, _SCALARS)
    except TypeError:  # unhashable: not a scalar we know
        raise _Fallback() from None
    if hit is not _SCALARS:
        return hit  # type: ignore[return-value]  # the default is the table itself: a miss
    text: Optional[str]
    if value.__class__ is int:
        text = str(value)  # PyYAML's int representer writes str(value), plain: it reads back as the int
    else:
        text = _str_text(value) if value.__class__ is str else None
    if text is None:
        text = yaml.dump(value, Dumper=LcoreDumper, default_flow_style=False, width=float("inf"))
    if text.endswith("\n...\n"):
        text = text[:-5]
    elif text.endswith("\n"):
        text = text[:-1]
    result = None if ("\n" in text or text.startswith(("!", "&", "*"))) else text
    if len(_SCALARS) > 200_000:
        _SCALARS.clear()
    _SCALARS[key] = result
    return result


# A string of printable ASCII on one line is written plain or single-quoted, never folded
# (the width is unbounded) and never escaped; which of the two, PyYAML's emitter decides from
# the characters (Emitter.analyze_scalar, block context) and from whether the plain text would
# read back as something else (the resolver: true, 1.5, null, 2024-01-01, =, <<). The rules
# below are the emitter's, for that subset; every other string goes through yaml.dump.
# tests/synthesis/test_scalar_text.py compares both on many strings, YAML 1.1 traps included.
_ASCII_LINE = re.compile(r"[\x20-\x7e]+")
_NOT_PLAIN_FIRST = frozenset("#,[]{}&*!|>'\"%@`")
_STR_TAG = "tag:yaml.org,2002:str"


def _str_text(value: str) -> Optional[str]:
    """The text PyYAML writes for a one-line printable ASCII string (None: ask PyYAML)."""
    if not _ASCII_LINE.fullmatch(value):
        return None
    first = value[0]
    plain = not (
        first in _NOT_PLAIN_FIRST
        or first == " "
        or value[-1] == " "
        or (first in "?:-" and (len(value) == 1 or value[1] == " "))
        or value.startswith(("---", "..."))
        or ": " in value
        or value[-1] == ":"
        or " #" in value
    )
    if plain:
        for tag, regexp in _IMPLICIT.get(first, _WILDCARD):
            if regexp.match(value):
                plain = tag == _STR_TAG
                break
    return value if plain else "'" + value.replace("'", "''") + "'"


# The resolvers PyYAML's dumper tries for a plain scalar: those of its first character, then the
# wildcard ones, joined once here rather than at each string.
_WILDCARD: tuple[Any, ...] = tuple(LcoreDumper.yaml_implicit_resolvers.get(None, []))
_IMPLICIT: dict[Any, tuple[Any, ...]] = {
    first: tuple(resolvers) + _WILDCARD
    for first, resolvers in LcoreDumper.yaml_implicit_resolvers.items()
    if first is not None
}


_KEYS: dict[tuple[type, Any], str] = {}
_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


def _key(key: Any) -> str:
    try:
        cache_key = (key.__class__, repr(key) if key.__class__ is float else key)
        hit = _KEYS.get(cache_key)
    except TypeError:
        raise _Fallback() from None
    if hit is not None:
        return hit
    text = _scalar(key)
    # PyYAML writes "? key" for keys that are empty, span lines or are long (its limit
    # counts the raw text plus the tag); leave all of those to PyYAML.
    if (
        text is None
        or key == ""
        or len(text) >= 100
        or isinstance(key, (tuple, bytes))
        or (isinstance(key, str) and (len(key) >= 100 or _BREAKS.search(key)))
    ):
        raise _Fallback()
    _KEYS[cache_key] = text
    return text


_CHAIN: dict[tuple[type, Any, tuple[Any, ...]], list[str]] = {}


def _folded(value: Any, chain: tuple[Any, ...]) -> list[str]:
    """Lines PyYAML writes for a scalar it may fold, placed exactly where it sits.

    ``chain`` describes the position: ("k", key) for a mapping value, ("i",) for a sequence
    item. A document with one entry per level reproduces the emitter's indentation and
    column, so PyYAML's own folding is reused.
    """
    cache_key = (value.__class__, repr(value) if value.__class__ is float else value, chain)
    try:
        hit = _CHAIN.get(cache_key)
    except TypeError:
        raise _Fallback() from None
    if hit is not None:
        return hit
    doc: Any = value
    for step in reversed(chain):
        doc = {step[1]: doc} if step[0] == "k" else [doc]
    full = pyyaml_dump(doc)
    marker = "\x00placeholder\x00"
    probe: Any = marker
    for step in reversed(chain):
        probe = {step[1]: probe} if step[0] == "k" else [probe]
    # the lines before the scalar are the same in both documents
    lines, _ = emit_lines(probe, track=False, _chain_ok=False)
    prefix = "".join(lines)
    marker_text = _scalar(marker)
    if marker_text is None:
        raise _Fallback()
    cut = prefix.index(marker_text)
    head = prefix[:cut]
    if not full.startswith(head):
        raise _Fallback()
    body = full[len(head) :]
    out = body.splitlines(keepends=True)
    if len(_CHAIN) > 10_000:
        _CHAIN.clear()
    _CHAIN[cache_key] = out
    return out


def emit_lines(data: Any, *, track: bool = False, _chain_ok: bool = True) -> tuple[list[str], Optional[list[KeyPath]]]:
    """``(lines, paths)``: the dumped lines (each ending in a newline) and, when ``track``,
    the key path each line belongs to. Raises _Fallback when PyYAML must do it."""
    lines: list[str] = []
    paths: Optional[list[KeyPath]] = [] if track else None
    seen: set[int] = set()
    if isinstance(data, dict) and not data:
        return ["{}\n"], ([()] if track else None)
    if not isinstance(data, dict):
        raise _Fallback()
    _map(data, "", lines, paths, (), seen, (), _chain_ok)
    return lines, paths


def _sorted_keys(mapping: dict[Any, Any]) -> list[Any]:
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def _value(
    value: Any,
    prefix: str,
    indent: str,
    lines: list[str],
    paths: Optional[list[KeyPath]],
    path: KeyPath,
    seen: set[int],
    chain: tuple[Any, ...],
    chain_ok: bool,
) -> None:
    """Write ``value`` after ``prefix`` (``"key:"`` or ``"- "``-style text on the same line)."""
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            raise _Fallback()
        seen.add(id(value))
        is_map = isinstance(value, dict)
        if not value:
            empty = "{}" if is_map else "[]"
            lines.append(prefix + " " + empty + "\n" if prefix.endswith(":") else prefix + empty + "\n")
            if paths is not None:
                paths.append(path)
            return
        walk: Callable[..., None] = _map if is_map else _seq
        if prefix.endswith(":"):
            lines.append(prefix + "\n")
            if paths is not None:
                paths.append(path)
            walk(value, indent + "  ", lines, paths, path, seen, chain, chain_ok)
        else:  # a mapping's first key, or a nested list's first item, goes on the "- " line
            walk(value, indent, lines, paths, path, seen, chain, chain_ok, first_prefix=prefix)
        return
    text = _scalar(value)
    sep = " " if prefix.endswith(":") else ""
    if text is not None and (len(prefix) + len(sep) + len(text) <= WIDTH or _unfoldable(text)):
        lines.append(prefix + sep + text + "\n")
        if paths is not None:
            paths.append(path)
        return
    if not chain_ok:
        raise _Fallback()
    body = _folded(value, chain)
    lines.append(prefix + sep + body[0] if body else prefix + "\n")
    lines.extend(body[1:])
    if paths is not None:
        paths.extend([path] * len(body))


def _map(
    mapping: dict[Any, Any],
    indent: str,
    lines: list[str],
    paths: Optional[list[KeyPath]],
    path: KeyPath,
    seen: set[int],
    chain: tuple[Any, ...],
    chain_ok: bool,
    first_prefix: Optional[str] = None,
) -> None:
    for n, key in enumerate(_sorted_keys(mapping)):
        ktext = _key(key)
        if n == 0 and first_prefix is not None:
            prefix = first_prefix + ktext + ":"
        else:
            prefix = indent + ktext + ":"
        child_indent = indent
        _value(
            mapping[key],
            prefix,
            child_indent,
            lines,
            paths,
            path + (key,) if paths is not None else path,
            seen,
            chain + (("k", key),),
            chain_ok,
        )


def _seq(
    items: list[Any],
    indent: str,
    lines: list[str],
    paths: Optional[list[KeyPath]],
    path: KeyPath,
    seen: set[int],
    chain: tuple[Any, ...],
    chain_ok: bool,
    first_prefix: Optional[str] = None,
) -> None:
    for n, item in enumerate(items):
        if n == 0 and first_prefix is not None:
            prefix = first_prefix + "- "
        else:
            prefix = indent + "- "
        _value(
            item,
            prefix,
            indent + "  ",
            lines,
            paths,
            path + (n,) if paths is not None else path,
            seen,
            chain + (("i",),),
            chain_ok,
        )


_STR_SCALARS: dict[str, str] = {}
_STR_KEYS: dict[str, str] = {}


def _fast_scalar(value: Any) -> Optional[str]:
    if value.__class__ is int:
        return str(value)  # what _scalar makes of an int, without its table
    if value.__class__ is str:
        text = _STR_SCALARS.get(value)
        if text is None:
            # a one-line printable string: _str_text's text is _scalar's (no other table needed)
            text = _str_text(value)
            if text is None:
                text = _scalar(value)
            if text is not None:
                if len(_STR_SCALARS) > 200_000:
                    _STR_SCALARS.clear()
                _STR_SCALARS[value] = text
        return text
    return _scalar(value)


def _unfoldable(text: str) -> bool:
    """PyYAML folds plain and single-quoted scalars only at spaces; double quotes anywhere."""
    return " " not in text and not text.startswith('"')


MIN_LINES = 6  # smaller sub-trees are cheaper to emit than to remember

# The lines of each sub-tree of the last dump, by the identity of its container.
#
# The editor dumps the synthesized run.yaml after every keystroke; the synthesis is built
# copy-on-write from the documents' data, and an edit copies only the containers along its
# path, so nearly every sub-tree is the same object as in the previous dump. Its lines depend
# only on the container's content, its indentation, the prefix of its first line and the chain
# of keys above it (all checked on a hit), provided containers are not changed in place once
# built (neither documents' data nor a finished synthesis ever is). An entry holds the ids of
# the containers below it, so that the check for a container reached twice (aliases: PyYAML's
# dump instead) stays exact. A dump rotates the memo: entries it did not use are dropped.
_DumpEntry = tuple[str, Optional[str], tuple[Any, ...], list[str], list[int]]
_DUMP_MEMO: IdentityMemo[_DumpEntry] = IdentityMemo()


def _emit(
    fn: _FastWalk,
    value: Any,
    indent: str,
    first: Optional[str],
    out: list[str],
    seen: set[int],
    stack: list[Any],
    order: list[int],
) -> None:
    """``fn(value, ...)`` (the container itself already in ``seen``), from the memo when it can."""
    memo = _DUMP_MEMO
    hit = memo.get(value)
    if hit is not None and hit[0] == indent and hit[1] == first and hit[2] == tuple(stack):
        inner = hit[4]
        if not seen.isdisjoint(inner):
            raise _Fallback()
        seen.update(inner)
        order.extend(inner)
        out.extend(hit[3])
        return
    n_out, n_order = len(out), len(order)
    fn(value, indent, first, out, seen, stack, order)
    if len(out) - n_out >= MIN_LINES:
        memo.put(value, (indent, first, tuple(stack), out[n_out:], order[n_order:]))


def _fast_map(
    mapping: dict[Any, Any],
    indent: str,
    first: Optional[str],
    out: list[str],
    seen: set[int],
    stack: list[Any],
    order: Optional[list[int]],
) -> None:
    try:
        keys = sorted(mapping)
    except TypeError:
        keys = list(mapping)
    child = indent + "  "
    for key in keys:
        ktext = _STR_KEYS.get(key) if key.__class__ is str else None
        if ktext is None:
            ktext = _key(key)
            if key.__class__ is str:
                _STR_KEYS[key] = ktext
        if first is not None:
            pre = first + ktext + ":"
            first = None
        else:
            pre = indent + ktext + ":"
        value = mapping[key]
        cls = value.__class__
        if cls is dict or cls is list:
            if not value:
                _enter(value, seen, order)
                out.append(pre + (" {}\n" if cls is dict else " []\n"))
            else:
                out.append(pre + "\n")
                stack.append(("k", key))
                _fast_child(value, child, None, out, seen, stack, order)
                stack.pop()
        else:
            text = _STR_SCALARS.get(value) if cls is str else None  # most scalars: no call
            if text is None:
                text = _fast_scalar(value)
            if text is not None and (len(pre) + 1 + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + " " + text + "\n")
            else:
                stack.append(("k", key))
                body = _folded(value, tuple(stack))
                stack.pop()
                out.append(pre + " " + body[0])
                out.extend(body[1:])


def _enter(value: Any, seen: set[int], order: Optional[list[int]]) -> None:
    """Note a container the dump reaches; one reached twice (YAML aliases) takes the full dumper."""
    if id(value) in seen:
        raise _Fallback()
    seen.add(id(value))
    if order is not None:
        order.append(id(value))


def _fast_child(
    value: Any,
    indent: str,
    first: Optional[str],
    out: list[str],
    seen: set[int],
    stack: list[Any],
    order: Optional[list[int]],
) -> None:
    """Dump a non-empty mapping or list (through the memo when one is kept)."""
    _enter(value, seen, order)
    fn: _FastWalk = _fast_map if value.__class__ is dict else _fast_seq
    if order is None:
        fn(value, indent, first, out, seen, stack, None)
    else:
        _emit(fn, value, indent, first, out, seen, stack, order)


def _fast_seq(
    items: list[Any],
    indent: str,
    first: Optional[str],
    out: list[str],
    seen: set[int],
    stack: list[Any],
    order: Optional[list[int]],
) -> None:
    child = indent + "  "
    stack.append(("i",))
    for value in items:
        if first is not None:
            pre = first + "- "
            first = None
        else:
            pre = indent + "- "
        cls = value.__class__
        if cls is dict or cls is list:
            if not value:
                _enter(value, seen, order)
                out.append(pre + ("{}\n" if cls is dict else "[]\n"))
            else:
                _fast_child(value, child, pre, out, seen, stack, order)
        else:
            text = _STR_SCALARS.get(value) if cls is str else None  # most scalars: no call
            if text is None:
                text = _fast_scalar(value)
            if text is not None and (len(pre) + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + text + "\n")
            else:
                body = _folded(value, tuple(stack))
                out.append(pre + body[0])
                out.extend(body[1:])
    stack.pop()


# The lines and per-line origins of each sub-tree of the last ``dump_with_origins``: as
# _DUMP_MEMO, and the origins too. Inside a sub-tree that no provenance record names (no
# container of it was inserted, copied or re-keyed by a step, the common case for what a
# profile holds), every origin follows from the sub-tree's own origin by ``Origin.child``, so
# an entry is used only when that origin is equal and no record names any of its containers,
# now as when it was made.
_OriginEntry = tuple[str, Optional[str], tuple[Any, ...], Origin, list[str], list[Origin], list[int]]
_ORIGIN_MEMO: IdentityMemo[_OriginEntry] = IdentityMemo()


def _emit_origins(
    value: Any,
    indent: str,
    first: Optional[str],
    out: list[str],
    origins: list[Origin],
    seen: set[int],
    stack: list[Any],
    prov: Provenance,
    origin: Origin,
    order: list[int],
    records: set[int],
) -> None:
    """``_origin_walk(value, ...)`` (the container itself already in ``seen``), from the memo when it can."""
    memo = _ORIGIN_MEMO
    vid = id(value)
    hit = memo.get(value)
    if (
        hit is not None
        and hit[0] == indent
        and hit[1] == first
        and hit[2] == tuple(stack)
        and hit[3] == origin
        and vid not in records
        and records.isdisjoint(hit[6])
    ):
        inner = hit[6]
        if not seen.isdisjoint(inner):
            raise _Fallback()
        seen.update(inner)
        order.extend(inner)
        out.extend(hit[4])
        origins.extend(hit[5])
        return
    n_out, n_order = len(out), len(order)  # out and origins grow together, a line and its origin
    _origin_walk(value, indent, first, out, origins, seen, stack, prov, origin, order, records)
    if len(out) - n_out >= MIN_LINES:
        inner = order[n_order:]
        if vid not in records and records.isdisjoint(inner):
            memo.put(value, (indent, first, tuple(stack), origin, out[n_out:], origins[n_out:], inner))


def _origin_walk(
    container: Any,
    indent: str,
    first: Optional[str],
    out: list[str],
    origins: list[Origin],
    seen: set[int],
    stack: list[Any],
    prov: Provenance,
    origin: Origin,
    order: Optional[list[int]] = None,
    records: Optional[set[int]] = None,
) -> None:
    """The lines of a non-empty mapping (as _fast_map writes them) or list (as _fast_seq does)
    and, per line, the Origin of the value it shows.

    A mapping's entry is ``key:`` and a list's item ``- ``; a scalar follows a key after a space
    and an item's dash directly (``sep``); a nested container follows a key on the next lines
    and an item's dash on the same line (its first line carries the dash)."""
    is_map = container.__class__ is dict
    entries: Any
    if is_map:
        try:
            keys = sorted(container)
        except TypeError:
            keys = list(container)
        entries = zip(keys, map(container.__getitem__, keys))
        sep = " "
    else:
        entries = enumerate(container)
        sep = ""
        stack.append(("i",))
    width = WIDTH - len(sep)
    child = indent + "  "
    for key, value in entries:
        if is_map:
            ktext = _STR_KEYS.get(key) if key.__class__ is str else None
            if ktext is None:
                ktext = _key(key)
            pre = (first if first is not None else indent) + ktext + ":"
        else:
            pre = (first if first is not None else indent) + "- "
        first = None
        here = prov.child_origin(container, key, origin)
        cls = value.__class__
        if cls is dict or cls is list:
            if id(value) in seen:
                raise _Fallback()
            seen.add(id(value))
            if order is not None:
                order.append(id(value))
            if not value:
                out.append(pre + sep + ("{}\n" if cls is dict else "[]\n"))
                origins.append(here)
                continue
            if is_map:
                out.append(pre + "\n")
                origins.append(here)
                stack.append(("k", key))
                inner_first = None
            else:
                inner_first = pre
            if order is None or records is None:
                _origin_walk(value, child, inner_first, out, origins, seen, stack, prov, here, None, None)
            else:
                _emit_origins(value, child, inner_first, out, origins, seen, stack, prov, here, order, records)
            if is_map:
                stack.pop()
        else:
            text = _STR_SCALARS.get(value) if cls is str else None  # most scalars: no call
            if text is None:
                text = _fast_scalar(value)
            if text is not None and (len(pre) + len(text) <= width or _unfoldable(text)):
                out.append(pre + sep + text + "\n")
                origins.append(here)
            else:
                if is_map:
                    stack.append(("k", key))
                body = _folded(value, tuple(stack))
                if is_map:
                    stack.pop()
                out.append(pre + sep + body[0])
                out.extend(body[1:])
                origins.extend([here] * len(body))
    if not is_map:
        stack.pop()


def dump_with_origins(data: Any, prov: Provenance) -> Optional[tuple[str, list[Origin]]]:
    """Text and per-line origins in one pass, or None when PyYAML must write the text."""
    if data.__class__ is not dict:
        return None
    root_origin = prov.node.get(id(data), Origin("unknown", ""))
    if not data:
        return "{}\n", [root_origin]
    out: list[str] = []
    origins: list[Origin] = []
    memo = _ORIGIN_MEMO
    if not memo.pays(data):  # see IdentityMemo.pays
        memo.forget_entries()
        try:
            _origin_walk(data, "", None, out, origins, set(), [], prov, root_origin)
        except _Fallback:
            return None
        return "".join(out), origins
    records = set(prov.node) | set(prov.keys) | set(prov.srckey)
    try:
        _origin_walk(data, "", None, out, origins, set(), [], prov, root_origin, [], records)
    except _Fallback:
        return None
    finally:
        memo.rotate()
    return "".join(out), origins


def dump_run_yaml(data: Any) -> str:
    """The run.yaml text LCORE writes for ``data`` (byte for byte)."""
    if data.__class__ is not dict:
        return pyyaml_dump(data)
    if not data:
        return "{}\n"
    out: list[str] = []
    memo = _DUMP_MEMO
    if not memo.pays(data):
        memo.forget_entries()
        try:
            _fast_map(data, "", None, out, set(), [], None)  # order None: no memo
        except _Fallback:
            return pyyaml_dump(data)
        return "".join(out)
    try:
        _fast_map(data, "", None, out, set(), [], [])
    except _Fallback:
        return pyyaml_dump(data)
    finally:
        memo.rotate()
    return "".join(out)


def dump_with_paths(data: Any) -> tuple[str, list[KeyPath]]:
    """The text and, for each line, the key path it shows (for provenance)."""
    try:
        lines, paths = emit_lines(data, track=True)
    except _Fallback:
        text = pyyaml_dump(data)
        return text, _paths_from_text(text)
    assert paths is not None  # track=True
    return "".join(lines), paths


def _paths_from_text(text: str) -> list[KeyPath]:
    """Line paths recovered from PyYAML's node marks (the rare PyYAML-written case)."""
    count = text.count("\n")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return [()] * count
    out: list[KeyPath] = [()] * count

    def key_of(node: yaml.Node) -> Any:
        try:
            return yaml.safe_load(yaml.serialize(node))
        except yaml.YAMLError:
            return getattr(node, "value", None)

    def mark(first: int, last: int, path: KeyPath) -> None:
        for line in range(first, min(count, max(last, first + 1))):
            out[line] = path

    visited: set[int] = set()

    def walk(node: yaml.Node, path: KeyPath) -> None:
        if id(node) in visited:  # an alias: its lines belong to the anchor
            return
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                here = path + (key_of(k),)
                mark(k.start_mark.line, v.end_mark.line, here)
                walk(v, here)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                mark(v.start_mark.line, v.end_mark.line, path + (i,))
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    return out


def write_run_yaml(
    path: str | os.PathLike[str],
    data: Any,
    text: Optional[str] = None,
    *,
    workspace: str | os.PathLike[str] | None = None,
) -> Written:
    """Write ``data`` as LCORE does: mkdir -p, mode 0600 (an existing file is tightened).

    The write goes through the one writer (yaml.save.atomic_write): a 0600 temp file in the same
    directory, fsync, rename; a device or FIFO the operator named is written into.
    ``workspace``: given when the path is the default one (the symlink policy applies).
    Returns the ``files.Written``.
    """
    body = dump_run_yaml(data) if text is None else text
    # LCORE overwrites it at every boot: no backup; 0600 even when a looser file was there
    return atomic_write(
        Path(path), body, mode=0o600, backup=False, workspace=None if workspace is None else Path(workspace)
    )
