"""Writing run.yaml exactly as LCORE does (PyYAML, block style, sorted keys, indented
sequences), with a fast emitter that falls back to PyYAML wherever it cannot prove the bytes
are the same, and the one run.yaml writer (mode 0600, atomic)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Optional

import yaml

from lsc_tui.config.synthesis.provenance import Origin, Provenance

DEFAULT_OUTPUT = Path(".generated") / "run.yaml"
WIDTH = 80  # PyYAML's default best_width


class LcoreDumper(yaml.Dumper):  # pylint: disable=too-many-ancestors
    """PyYAML's Dumper with indented block sequences (LCORE's choice for run.yaml)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def pyyaml_dump(data: Any) -> str:
    return yaml.dump(data, Dumper=LcoreDumper, default_flow_style=False)


class _Fallback(Exception):
    pass


_SCALARS: dict = {}


def _scalar(value: Any) -> Optional[str]:
    """The one-line text PyYAML writes for ``value`` when it is not folded, else None."""
    try:
        # floats by repr: 0.0 == -0.0 and nan != nan would confuse a dict
        key = (value.__class__, repr(value) if value.__class__ is float else value)
        hit = _SCALARS.get(key, _SCALARS)
    except TypeError:  # unhashable: not a scalar we know
        raise _Fallback() from None
    if hit is not _SCALARS:
        return hit
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
        first in _NOT_PLAIN_FIRST or first == " " or value[-1] == " "
        or (first in "?:-" and (len(value) == 1 or value[1] == " "))
        or value.startswith(("---", "...")) or ": " in value or value[-1] == ":" or " #" in value
    )
    if plain:
        for tag, regexp in (LcoreDumper.yaml_implicit_resolvers.get(first, [])
                            + LcoreDumper.yaml_implicit_resolvers.get(None, [])):
            if regexp.match(value):
                plain = tag == _STR_TAG
                break
    return value if plain else "'" + value.replace("'", "''") + "'"


_KEYS: dict = {}
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
    if (text is None or key == "" or len(text) >= 100 or isinstance(key, (tuple, bytes))
            or (isinstance(key, str) and (len(key) >= 100 or _BREAKS.search(key)))):
        raise _Fallback()
    _KEYS[cache_key] = text
    return text


_CHAIN: dict = {}


def _folded(value: Any, chain: tuple) -> list[str]:
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
    cut = prefix.index(_scalar(marker))
    head = prefix[:cut]
    if not full.startswith(head):
        raise _Fallback()
    body = full[len(head):]
    out = body.splitlines(keepends=True)
    if len(_CHAIN) > 10_000:
        _CHAIN.clear()
    _CHAIN[cache_key] = out
    return out


def emit_lines(data: Any, *, track: bool = False, _chain_ok: bool = True):
    """``(lines, paths)``: the dumped lines (each ending in a newline) and, when ``track``,
    the key path each line belongs to. Raises _Fallback when PyYAML must do it."""
    lines: list[str] = []
    paths: Optional[list] = [] if track else None
    seen: set[int] = set()
    if isinstance(data, dict) and not data:
        return ["{}\n"], ([()] if track else None)
    if not isinstance(data, dict):
        raise _Fallback()
    _map(data, "", lines, paths, (), seen, (), _chain_ok)
    return lines, paths


def _sorted_keys(mapping: dict) -> list:
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def _value(value, prefix: str, indent: str, lines, paths, path, seen, chain, chain_ok) -> None:
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
        walk = _map if is_map else _seq
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


def _map(mapping: dict, indent: str, lines, paths, path, seen, chain, chain_ok, first_prefix=None):
    for n, key in enumerate(_sorted_keys(mapping)):
        ktext = _key(key)
        if n == 0 and first_prefix is not None:
            prefix = first_prefix + ktext + ":"
        else:
            prefix = indent + ktext + ":"
        child_indent = indent
        _value(mapping[key], prefix, child_indent, lines, paths,
               path + (key,) if paths is not None else path, seen,
               chain + (("k", key),), chain_ok)


def _seq(items: list, indent: str, lines, paths, path, seen, chain, chain_ok, first_prefix=None):
    for n, item in enumerate(items):
        if n == 0 and first_prefix is not None:
            prefix = first_prefix + "- "
        else:
            prefix = indent + "- "
        _value(item, prefix, indent + "  ", lines, paths,
               path + (n,) if paths is not None else path, seen,
               chain + (("i",),), chain_ok)


_STR_SCALARS: dict = {}
_STR_KEYS: dict = {}


def _fast_scalar(value: Any) -> Optional[str]:
    if value.__class__ is str:
        text = _STR_SCALARS.get(value)
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


class _DumpMemo:
    """The lines of each sub-tree of the last dump, by the identity of its container.

    The editor dumps the synthesized run.yaml after every keystroke; the synthesis is built
    copy-on-write from the documents' data, and an edit copies only the containers along its
    path, so nearly every sub-tree is the same object as in the previous dump. Its lines
    depend only on the container's content, its indentation, the prefix of its first line and
    the chain of keys above it (all checked on a hit), provided containers are not changed in
    place once built (neither documents' data nor a finished synthesis ever is). An entry
    holds its container (so its id cannot be reused) and the ids of the containers below it,
    so that the check for a container reached twice (aliases: PyYAML's dump instead) stays
    exact. Entries the last dump did not use are dropped.
    """

    MIN_LINES = 6  # smaller sub-trees are cheaper to emit than to remember

    def __init__(self) -> None:
        self.prev: dict = {}
        self.cur: dict = {}
        self.last_root: Any = None

    def pays(self, data: dict) -> bool:
        """Whether ``data`` is a new root sharing a top-level container with the last dump's (an
        edit's synthesis); other data (a first dump, another workspace, the same root again) is
        dumped plainly and only noted."""
        last, self.last_root = self.last_root, data
        if last is None or data is last:
            return False  # the same root again may have been changed in place: trust nothing
        return any(v is last.get(k) for k, v in data.items() if v.__class__ is dict or v.__class__ is list)


_DUMP_MEMO = _DumpMemo()



def _emit(fn, value, indent: str, first: Optional[str], out: list, seen: set, stack: list, order: list) -> None:
    """``fn(value, ...)`` (the container itself already in ``seen``), from the memo when it can."""
    memo = _DUMP_MEMO
    vid = id(value)
    hit = memo.cur.get(vid) or memo.prev.get(vid)
    if hit is not None and hit[0] is value and hit[1] == indent and hit[2] == first and hit[3] == tuple(stack):
        inner = hit[5]
        if not seen.isdisjoint(inner):
            raise _Fallback()
        seen.update(inner)
        order.extend(inner)
        out.extend(hit[4])
        memo.cur[vid] = hit
        return
    n_out, n_order = len(out), len(order)
    fn(value, indent, first, out, seen, stack, order)
    if len(out) - n_out >= _DumpMemo.MIN_LINES:
        memo.cur[vid] = (value, indent, first, tuple(stack), out[n_out:], order[n_order:])


def _fast_map(mapping: dict, indent: str, first: Optional[str], out: list, seen: set, stack: list,
              order: Optional[list]) -> None:
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
            text = _fast_scalar(value)
            if text is not None and (len(pre) + 1 + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + " " + text + "\n")
            else:
                stack.append(("k", key))
                body = _folded(value, tuple(stack))
                stack.pop()
                out.append(pre + " " + body[0])
                out.extend(body[1:])


def _enter(value, seen: set, order: Optional[list]) -> None:
    """Note a container the dump reaches; one reached twice (YAML aliases) takes the full dumper."""
    if id(value) in seen:
        raise _Fallback()
    seen.add(id(value))
    if order is not None:
        order.append(id(value))


def _fast_child(value, indent: str, first: Optional[str], out: list, seen: set, stack: list,
                order: Optional[list]) -> None:
    """Dump a non-empty mapping or list (through the memo when one is kept)."""
    _enter(value, seen, order)
    fn = _fast_map if value.__class__ is dict else _fast_seq
    if order is None:
        fn(value, indent, first, out, seen, stack, None)
    else:
        _emit(fn, value, indent, first, out, seen, stack, order)


def _fast_seq(items: list, indent: str, first: Optional[str], out: list, seen: set, stack: list,
              order: Optional[list]) -> None:
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
            text = _fast_scalar(value)
            if text is not None and (len(pre) + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + text + "\n")
            else:
                body = _folded(value, tuple(stack))
                out.append(pre + body[0])
                out.extend(body[1:])
    stack.pop()


class _OriginMemo(_DumpMemo):
    """The lines and per-line origins of each sub-tree of the last ``dump_with_origins``.

    As _DumpMemo, and the origins too: inside a sub-tree that no provenance record names (no
    container of it was inserted, copied or re-keyed by a step, the common case for what a
    profile holds), every origin follows from the sub-tree's own origin by ``Origin.child``, so
    an entry is used only when that origin is equal and no record names any of its containers,
    now as when it was made.
    """


_ORIGIN_MEMO = _OriginMemo()


def _emit_origins(fn, value, indent: str, first: Optional[str], out: list, origins: list, seen: set,
                  stack: list, prov: Provenance, origin: Origin, order: list, records: set) -> None:
    memo = _ORIGIN_MEMO
    vid = id(value)
    hit = memo.cur.get(vid) or memo.prev.get(vid)
    if hit is not None and hit[0] is value and hit[1] == indent and hit[2] == first and hit[3] == tuple(stack) \
            and hit[4] == origin and vid not in records and records.isdisjoint(hit[7]):
        inner = hit[7]
        if not seen.isdisjoint(inner):
            raise _Fallback()
        seen.update(inner)
        order.extend(inner)
        out.extend(hit[5])
        origins.extend(hit[6])
        memo.cur[vid] = hit
        return
    n_out, n_order = len(out), len(order)  # out and origins grow together, a line and its origin
    fn(value, indent, first, out, origins, seen, stack, prov, origin, order, records)
    if len(out) - n_out >= _OriginMemo.MIN_LINES:
        inner = order[n_order:]
        if vid not in records and records.isdisjoint(inner):
            memo.cur[vid] = (value, indent, first, tuple(stack), origin, out[n_out:], origins[n_out:], inner)


def _origin_map(mapping: dict, indent: str, first: Optional[str], out: list, origins: list,
                seen: set, stack: list, prov: Provenance, origin: Origin, order: Optional[list] = None,
                records: Optional[set] = None) -> None:
    """_fast_map that also records, per line, the Origin of the value it shows."""
    try:
        keys = sorted(mapping)
    except TypeError:
        keys = list(mapping)
    child = indent + "  "
    for key in keys:
        ktext = _STR_KEYS.get(key) if key.__class__ is str else None
        if ktext is None:
            ktext = _key(key)
        pre = (first if first is not None else indent) + ktext + ":"
        first = None
        value = mapping[key]
        here = prov.child_origin(mapping, key, origin)
        cls = value.__class__
        if cls is dict or cls is list:
            if id(value) in seen:
                raise _Fallback()
            seen.add(id(value))
            if order is not None:
                order.append(id(value))
            if value:
                out.append(pre + "\n")
                origins.append(here)
                stack.append(("k", key))
                fn = _origin_map if cls is dict else _origin_seq
                if order is None:
                    fn(value, child, None, out, origins, seen, stack, prov, here)
                else:
                    _emit_origins(fn, value, child, None, out, origins, seen, stack, prov, here, order, records)
                stack.pop()
            else:
                out.append(pre + (" {}\n" if cls is dict else " []\n"))
                origins.append(here)
        else:
            text = _fast_scalar(value)
            if text is not None and (len(pre) + 1 + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + " " + text + "\n")
                origins.append(here)
            else:
                stack.append(("k", key))
                body = _folded(value, tuple(stack))
                stack.pop()
                out.append(pre + " " + body[0])
                out.extend(body[1:])
                origins.extend([here] * len(body))


def _origin_seq(items: list, indent: str, first: Optional[str], out: list, origins: list,
                seen: set, stack: list, prov: Provenance, origin: Origin, order: Optional[list] = None,
                records: Optional[set] = None) -> None:
    child = indent + "  "
    stack.append(("i",))
    for index, value in enumerate(items):
        pre = (first if first is not None else indent) + "- "
        first = None
        here = prov.child_origin(items, index, origin)
        cls = value.__class__
        if cls is dict or cls is list:
            if id(value) in seen:
                raise _Fallback()
            seen.add(id(value))
            if order is not None:
                order.append(id(value))
            if not value:
                out.append(pre + ("{}\n" if cls is dict else "[]\n"))
                origins.append(here)
            else:
                fn = _origin_map if cls is dict else _origin_seq
                if order is None:
                    fn(value, child, pre, out, origins, seen, stack, prov, here)
                else:
                    _emit_origins(fn, value, child, pre, out, origins, seen, stack, prov, here, order, records)
        else:
            text = _fast_scalar(value)
            if text is not None and (len(pre) + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + text + "\n")
                origins.append(here)
            else:
                body = _folded(value, tuple(stack))
                out.append(pre + body[0])
                out.extend(body[1:])
                origins.extend([here] * len(body))
    stack.pop()


def dump_with_origins(data: Any, prov: Provenance) -> Optional[tuple[str, list]]:
    """Text and per-line origins in one pass, or None when PyYAML must write the text."""
    if data.__class__ is not dict:
        return None
    root_origin = prov.node.get(id(data), Origin("unknown", ""))
    if not data:
        return "{}\n", [root_origin]
    out: list = []
    origins: list = []
    memo = _ORIGIN_MEMO
    if not memo.pays(data):  # see _DumpMemo.pays
        memo.prev = memo.cur = {}
        try:
            _origin_map(data, "", None, out, origins, set(), [], prov, root_origin)
        except _Fallback:
            return None
        return "".join(out), origins
    records = set(prov.node) | set(prov.keys) | set(prov.srckey)
    memo.cur = {}
    try:
        _origin_map(data, "", None, out, origins, set(), [], prov, root_origin, [], records)
    except _Fallback:
        return None
    finally:
        memo.prev, memo.cur = memo.cur, {}
    return "".join(out), origins


def dump_run_yaml(data: Any) -> str:
    """The run.yaml text LCORE writes for ``data`` (byte for byte)."""
    if data.__class__ is not dict:
        return pyyaml_dump(data)
    if not data:
        return "{}\n"
    out: list = []
    memo = _DUMP_MEMO
    if not memo.pays(data):
        memo.prev = memo.cur = {}
        try:
            _fast_map(data, "", None, out, set(), [], None)  # order None: no memo
        except _Fallback:
            return pyyaml_dump(data)
        return "".join(out)
    memo.cur = {}
    try:
        _fast_map(data, "", None, out, set(), [], [])
    except _Fallback:
        return pyyaml_dump(data)
    finally:
        memo.prev, memo.cur = memo.cur, {}
    return "".join(out)


def dump_with_paths(data: Any) -> tuple[str, list]:
    """The text and, for each line, the key path it shows (for provenance)."""
    try:
        lines, paths = emit_lines(data, track=True)
        return "".join(lines), paths
    except _Fallback:
        text = pyyaml_dump(data)
        return text, _paths_from_text(text)


def _paths_from_text(text: str) -> list:
    """Line paths recovered from PyYAML's node marks (the rare PyYAML-written case)."""
    count = text.count("\n")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return [()] * count
    out: list = [()] * count

    def key_of(node):
        try:
            return yaml.safe_load(yaml.serialize(node))
        except yaml.YAMLError:
            return getattr(node, "value", None)

    def mark(first: int, last: int, path: tuple) -> None:
        for line in range(first, min(count, max(last, first + 1))):
            out[line] = path

    visited: set[int] = set()

    def walk(node, path):
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


def write_run_yaml(path: str | os.PathLike, data: Any, text: Optional[str] = None, *,
                   workspace: str | os.PathLike | None = None):
    """Write ``data`` as LCORE does: mkdir -p, mode 0600 (an existing file is tightened).

    The write goes through the one writer (yaml.save.atomic_write): a 0600 temp file in the same
    directory, fsync, rename; a device or FIFO the operator named is written into.
    ``workspace``: given when the path is the default one (the symlink policy applies).
    Returns the ``files.Written``.
    """
    from lsc_tui.config.yaml.save import atomic_write

    body = dump_run_yaml(data) if text is None else text
    # LCORE overwrites it at every boot: no backup; 0600 even when a looser file was there
    return atomic_write(Path(path), body, mode=0o600, backup=False, workspace=workspace)
