"""Diffs of a synthesized run.yaml against a baseline, with secret values masked.

``unified_diff`` is a text diff in the format of ``diff -u`` (and of :mod:`difflib`). It is
built for the per-keystroke case: the common leading and trailing lines are skipped with a
few slice comparisons before the changed window is aligned (:mod:`lsc_tui.config.linediff`:
patience anchors and Myers, near-linear where :mod:`difflib` is cubic on a run.yaml), and only the lines that end up in the diff are masked. A line is masked when it sits under a
secret-named key (found by walking up the indentation), when it holds a known secret value,
or when it carries a URL password or bearer token.

``structural_diff`` compares two trees and returns the paths added, removed and changed
(values masked the same way). Equal subtrees are skipped with one C-level comparison.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass
from typing import Any, Optional, Union
from collections.abc import Iterable

from lsc_tui.config.findings import path_text
from lsc_tui.config.linediff import opcodes as line_opcodes
from lsc_tui.config.masking import (
    MASK,
    is_secret_key,
    mask_inline,
    mask_needles,
    mask_string,
    mask_text,
    mask_tree,
    secret_needles,
)

MaskSpec = Union[bool, Iterable[str]]


# --- text diff --------------------------------------------------------------------------
def _common_prefix(a: list[str], b: list[str]) -> int:
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while lo < hi:  # a[:lo] == b[:lo] holds; find the largest such lo
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: list[str], b: list[str], limit: int) -> int:
    lo, hi = 0, min(len(a), len(b)) - limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _range(start: int, length: int) -> str:
    beginning = start + 1
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def unified_diff(
    old_text: str,
    new_text: str,
    *,
    old_label: str = "a",
    new_label: str = "b",
    mask: MaskSpec = True,
    context: int = 3,
) -> str:
    """A unified diff of two texts ('' when they are equal).

    ``mask`` is True (mask secrets by key context and format), False (show everything: only
    for data the caller knows holds no secret), or an iterable of known secret values to mask
    in addition.
    """
    if old_text == new_text:
        return ""
    a = old_text.splitlines(keepends=True)
    b = new_text.splitlines(keepends=True)
    prefix = _common_prefix(a, b)
    suffix = _common_suffix(a, b, prefix)
    a_end, b_end = len(a) - suffix, len(b) - suffix
    # align only the changed middle; the trimmed ends are equal blocks around it
    opcodes = [("equal", 0, prefix, 0, prefix)] if prefix else []
    for tag, i1, i2, j1, j2 in line_opcodes(a[prefix:a_end], b[prefix:b_end]):
        opcodes.append((tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix))
    if suffix:
        opcodes.append(("equal", a_end, len(a), b_end, len(b)))
    values = set() if mask is True or mask is False else {v for v in mask if v}
    show_a = _Shown(a, old_text, values, mask is not False)
    show_b = _Shown(b, new_text, values, mask is not False, show_a.memo)
    out = [f"--- {old_label}\n", f"+++ {new_label}\n"]
    for group in _groups(_merge_equal(opcodes), context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2] - first[1])} +{_range(first[3], last[4] - first[3])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for j in range(j1, j2):
                    out.append(" " + show_b.line(j))
                continue
            if tag in ("replace", "delete"):
                for i in range(i1, i2):
                    out.append("-" + show_a.line(i))
            if tag in ("replace", "insert"):
                for j in range(j1, j2):
                    out.append("+" + show_b.line(j))
    return "".join(out)


def changed_spans(diff_text: str) -> dict[int, tuple[int, int]]:
    """Where each changed line of a unified diff changed: {line index: (start, end)} in the
    line as the diff shows it (its ``-``/``+`` marker at column 0). A run of removed lines
    followed by a run of added ones is paired line by line; the span is what is left after
    the pair's common beginning and end. Lines without a partner (pure insertions or
    deletions) and equal pairs get no span. Runs on the masked diff, so it shows no value."""
    lines = diff_text.splitlines()
    spans: dict[int, tuple[int, int]] = {}
    i = 0
    while i < len(lines):
        if not lines[i].startswith("-") or lines[i].startswith("---"):
            i += 1
            continue
        removed = i
        while i < len(lines) and lines[i].startswith("-") and not lines[i].startswith("---"):
            i += 1
        added = i
        while i < len(lines) and lines[i].startswith("+") and not lines[i].startswith("+++"):
            i += 1
        for r, a in zip(range(removed, added), range(added, i)):
            old, new = lines[r][1:], lines[a][1:]
            if old == new:
                continue
            head = 0
            while head < min(len(old), len(new)) and old[head] == new[head]:
                head += 1
            tail = 0
            while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
                tail += 1
            spans[r] = (1 + head, 1 + len(old) - tail)
            spans[a] = (1 + head, 1 + len(new) - tail)
    return spans


def _merge_equal(opcodes: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    out: list[tuple[str, int, int, int, int]] = []
    for op in opcodes:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out and op[0] == "equal" and out[-1][0] == "equal":
            prev = out.pop()
            op = ("equal", prev[1], op[2], prev[3], op[4])
        out.append(op)
    return out


def _groups(opcodes: list[tuple[str, int, int, int, int]], context: int) -> list[list[tuple[str, int, int, int, int]]]:
    """Hunks: runs of changes with up to ``context`` equal lines around them."""
    if not any(op[0] != "equal" for op in opcodes):
        return []
    ops = list(opcodes)
    if ops[0][0] == "equal":
        tag, i1, i2, j1, j2 = ops[0]
        ops[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    if ops[-1][0] == "equal":
        tag, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    groups: list[list[tuple[str, int, int, int, int]]] = []
    current: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal" and i2 - i1 > 2 * context and current:
            current.append((tag, i1, i1 + context, j1, j1 + context))
            groups.append(current)
            current = []
            i1, j1 = i2 - context, j2 - context
        current.append((tag, i1, i2, j1, j2))
    if current and not (len(current) == 1 and current[0][0] == "equal"):
        groups.append(current)
    return groups


class _Shown:
    """The lines of one side of a diff as shown: masked, and marked when the text has no final
    newline. A line outside every secret block is masked by its text alone, so each such text
    is masked once per diff (a run.yaml repeats most of its lines: ``config:``, ``- provider_id``);
    the memo is shared by both sides."""

    def __init__(
        self, lines: list[str], text: str, values: set[str], mask: bool, memo: Optional[dict[str, str]] = None
    ):
        self.lines = lines
        self.values = values
        self.needles = secret_needles(values)
        self.masker = _LineMasker(lines, text) if mask else None
        self.memo: dict[str, str] = {} if memo is None else memo

    def line(self, index: int) -> str:
        line = self.lines[index]
        masker = self.masker
        if masker is not None:
            if masker.under_secret(index):
                line = masker.mask(index, self.values, self.needles)
            else:
                shown = self.memo.get(line)
                if shown is None:
                    shown = self.memo[line] = masker.mask(index, self.values, self.needles)
                line = shown
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        return line


# A line's indentation and list dashes, as one match.
_HEAD = re.compile(r" *(?:- +)*")


def _split_head(line: str) -> tuple[int, str]:
    """``(column, text)`` of a line without its newline: the text after its indentation and list dashes."""
    col = _HEAD.match(line).end()  # type: ignore[union-attr]  # matches every string
    return col, line[col:]


_KEY_LINE = re.compile(r"^(?P<lead>[ \-]*)(?P<key>(?:'[^']*'|\"[^\"]*\"|[^\s#'\"][^:#]*?)):(?=\s|$)(?P<rest>.*)$")
_FLOW_PAIR = re.compile(r"(?P<key>[A-Za-z0-9_\-.]+)(?P<sep>\s*:\s*)(?P<val>'[^']*'|\"[^\"]*\"|[^,}\]\s][^,}\]]*)")


_BLOCKS: dict[
    str, list[tuple[int, int]]
] = {}  # text -> its secret blocks (the last few texts; lists are not changed once made)
_LAST: Optional[tuple[list[str], list[tuple[int, int]]]] = (
    None  # (lines, blocks) of the text whose blocks were found last
)

# Every key masking.is_secret_key accepts contains one of these words in lower case: its own
# patterns and headers, and the scanner's strong words and pairs (``creds``, ``conn_str``).
# tests/synthesis/test_diff.py checks each of those vocabularies against this list.
_WORDS = (
    "pass",
    "pwd",
    "secret",
    "key",
    "token",
    "bearer",
    "cred",
    "tenant",
    "client",
    "conn",
    "authorization",
    "cookie",
    "dsn",
    "webhook",
    "signature",
)


def _has_word(text: str) -> bool:
    """Whether ``text`` holds one of _WORDS (in any case): a key without one is no secret's."""
    low = text.lower()
    for word in _WORDS:
        if word in low:
            return True
    return False


class _LineMasker:
    """Masks lines of a block-style YAML text using the keys above them.

    The lines under a secret-named key are found once per text: a regular expression finds
    the (few) candidate key lines, and each secret key's block ends at the first line that
    is not indented deeper. Cost: one C-level scan plus the secret blocks themselves.
    """

    def __init__(self, lines: list[str], text: Optional[str] = None):
        self.lines = lines
        self._text = text  # the text the lines come from: its blocks are remembered
        self._blocks: Optional[list[tuple[int, int]]] = None
        self._inside: Optional[frozenset[int]] = None  # the lines inside the blocks

    def _content(self, index: int) -> tuple[int, str]:
        """``(column, text)`` of line ``index`` after its indentation and list dashes."""
        return _split_head(self.lines[index].rstrip("\n"))

    def _secret_blocks(self) -> list[tuple[int, int]]:
        global _LAST
        if self._blocks is not None:
            return self._blocks
        if self._text is not None:
            # the editor diffs every keystroke's run.yaml against the same baseline text
            hit = _BLOCKS.get(self._text)
            if hit is not None:
                self._blocks = hit
                return hit
        last = _LAST
        blocks = self._blocks_from(*last) if last is not None else self._find_blocks(0, len(self.lines))
        self._blocks = blocks
        _LAST = (self.lines, blocks)
        if self._text is not None:
            if len(_BLOCKS) >= 4:
                _BLOCKS.clear()  # (no iteration: another thread may be diffing too)
            _BLOCKS[self._text] = blocks
        return blocks

    def _blocks_from(self, lines: list[str], blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The blocks of this text, from those of another text (the previous keystroke's run.yaml)
        that differs from it in a window of lines: a key line decides its block from itself and
        the lines below it, down to the first line not indented deeper. So a block read only from
        lines before the window, or one starting after it, is the same (moved); the key lines in
        the window, and those above it whose block reached into it, are looked at again."""
        mine = self.lines
        if lines is mine:
            return blocks
        prefix = _common_prefix(lines, mine)
        suffix = _common_suffix(lines, mine, prefix)
        old_after, after = len(lines) - suffix, len(mine) - suffix
        shift = len(mine) - len(lines)
        lo = max(0, prefix - 1)  # the last line of the prefix decides with the window's first line
        out: list[tuple[int, int]] = []
        for start, end in blocks:
            if start < lo:
                if end < prefix:
                    out.append((start, end))  # read only equal lines (its end line included)
                else:
                    block = self._block_at(start)  # reached into the window: look again
                    if block is not None:
                        out.append(block)
            elif start >= old_after:
                out.append((start + shift, end + shift))
        out.extend(self._find_blocks(lo, max(lo, after)))
        return sorted(out)

    def _find_blocks(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The blocks whose key line lies in ``lines[lo:hi]``, in order (each runs as far as it goes)."""
        blocks: list[tuple[int, int]] = []
        low = "".join(self.lines[lo:hi]).lower()
        starts: Optional[list[int]] = None
        done: set[int] = set()
        for word in _WORDS:
            pos = low.find(word)
            while pos != -1:
                if starts is None:
                    starts = [0]
                    starts.extend(accumulate(map(len, self.lines[lo:hi])))
                rel = bisect_right(starts, pos) - 1
                pos = low.find(word, starts[rel + 1] if rel + 1 < len(starts) else len(low))
                index = lo + rel
                if index in done:
                    continue
                done.add(index)
                block = self._block_at(index)
                if block is not None:
                    blocks.append(block)
        return sorted(blocks)

    def _block_at(self, index: int) -> Optional[tuple[int, int]]:
        """The block of a secret-named key on line ``index``: the lines below it indented deeper."""
        if index + 1 >= len(self.lines):
            return None
        this, after = self.lines[index], self.lines[index + 1]
        lead = after.lstrip(" ")
        if (
            lead.strip()
            and not lead.startswith(("-", "#"))
            and len(after) - len(lead) <= len(this) - len(this.lstrip(" "))
        ):
            return None  # the next line is not deeper: nothing is nested under this key
        col, stripped = self._content(index)
        m = _KEY_LINE.match(stripped)
        if not m or not is_secret_key(m.group("key").strip().strip("'\"")):
            return None
        end = index + 1
        while end < len(self.lines):
            c, rest = self._content(end)
            if rest and not rest.startswith("#") and c <= col:
                break
            end += 1
        return (index, end) if end > index + 1 else None

    def under_secret(self, index: int) -> bool:
        """True when the line sits inside the value of a secret-named key."""
        inside = self._inside
        if inside is None:
            inside = self._inside = frozenset(i for start, end in self._secret_blocks() for i in range(start + 1, end))
        return index in inside

    def mask(self, index: int, values: set[str], needles: Optional[tuple[str, ...]] = None) -> str:
        """Line ``index`` as shown (``needles``: ``secret_needles(values)``, when made already)."""
        line = self.lines[index]
        if line.endswith("\n"):
            body, end = line[:-1], "\n"
        else:
            body, end = line, ""
        if not body.strip():
            return line
        if self.under_secret(index):
            col, stripped = _split_head(body)  # body has no newline left: what _content gives
            m = _KEY_LINE.match(stripped)
            head = body[:col]
            if m:
                rest = m.group("rest")
                shown = _mask_value(rest) if rest.strip() else rest
                body = head + m.group("lead") + m.group("key") + ":" + shown
            else:
                body = head + _mask_scalar_text(stripped)
        elif _has_word(body):  # without one of _WORDS, neither its key nor a flow pair's is a secret's
            col, stripped = _split_head(body)
            m = _KEY_LINE.match(stripped)
            if m:
                rest = m.group("rest")
                if rest.strip() and is_secret_key(m.group("key").strip().strip("'\"")):
                    body = body[:col] + m.group("lead") + m.group("key") + ":" + _mask_value(rest)
                elif "{" in rest or "[" in rest:
                    body = body[:col] + m.group("lead") + m.group("key") + ":" + _mask_flow(rest)
        if values:
            body = mask_needles(body, needles) if needles is not None else mask_text(body, values)
        if "@" in body or "earer" in body or "asic " in body:
            body = mask_inline(body)
        return body + end


def _mask_scalar_text(text: str) -> str:
    core = text.strip()
    if not core or core in ("|", ">", "|-", ">-", "[]", "{}", "null", "~"):
        return text
    if core.startswith(("{", "[")):
        return _mask_flow(" " + core).lstrip(" ")
    quote = core[0] if core[0] in "'\"" and core[-1] == core[0] and len(core) > 1 else ""
    inner = core[1:-1] if quote else core
    return quote + mask_string(inner) + quote


def _mask_value(rest: str) -> str:
    spaces = len(rest) - len(rest.lstrip(" "))
    value = rest.strip()
    if value in ("", "|", ">", "|-", ">-", "|+", ">+", "[]", "{}", "null", "~"):
        return rest
    if value.startswith(("{", "[")):
        return " " * spaces + MASK
    return " " * spaces + _mask_scalar_text(value)


def _mask_flow(rest: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if is_secret_key(m.group("key")):
            return m.group("key") + m.group("sep") + _mask_scalar_text(m.group("val"))
        return m.group(0)

    return _FLOW_PAIR.sub(sub, rest)


# --- structural diff ---------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, removed or changed; values are masked."""

    kind: str
    path: tuple[Any, ...]
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": list(self.path),
            "path_text": path_text(self.path),
            "old": self.old,
            "new": self.new,
        }

    def to_text(self) -> str:
        where = path_text(self.path) or "(document)"
        if self.kind == "added":
            return f"+ {where}: {_brief(self.new)}"
        if self.kind == "removed":
            return f"- {where}: {_brief(self.old)}"
        return f"~ {where}: {_brief(self.old)} -> {_brief(self.new)}"


def _brief(value: Any) -> str:
    if isinstance(value, dict):
        return "{...}" if value else "{}"
    if isinstance(value, list):
        return f"[{len(value)} items]" if value else "[]"
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


_ID_KEYS = (
    "provider_id",
    "model_id",
    "vector_store_id",
    "shield_id",
    "toolgroup_id",
    "benchmark_id",
    "dataset_id",
    "name",
    "id",
)


def _identity(items: list[Any]) -> Optional[str]:
    """A key that identifies every item of a list of mappings uniquely, if there is one."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in _ID_KEYS:
        seen = set()
        for item in items:
            value = item.get(key)
            if value is None or not isinstance(value, (str, int)) or value in seen:
                break
            seen.add(value)
        else:
            return key
    return None


def structural_diff(old: Any, new: Any, *, secret_values: Iterable[str] = ()) -> list[Change]:
    """Paths added, removed and changed between two trees (values masked)."""
    values = set(secret_values)
    changes: list[Change] = []
    _walk(old, new, (), False, values, changes)
    return changes


def _masked(value: Any, secret: bool, values: set[str]) -> Any:
    if isinstance(value, (dict, list)):
        if secret:
            return mask_tree({"secret": value}, values)["secret"]
        return mask_tree(value, values)
    if isinstance(value, str):
        if secret or value in values:
            return mask_string(value)
        out = mask_text(value, values) if values else value
        if "@" in out or "earer" in out or "asic " in out:
            out = mask_inline(out)
        return out
    if secret and isinstance(value, (int, float)) and not isinstance(value, bool):
        return MASK
    return value


def _walk(old: Any, new: Any, path: tuple[Any, ...], secret: bool, values: set[str], out: list[Change]) -> None:
    if old is new:
        return
    if type(old) is type(new) and old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            s = secret or is_secret_key(key)
            if key not in new:
                out.append(Change("removed", path + (key,), _masked(old[key], s, values), None))
            else:
                _walk(old[key], new[key], path + (key,), s, values, out)
        for key in new:
            if key not in old:
                s = secret or is_secret_key(key)
                out.append(Change("added", path + (key,), None, _masked(new[key], s, values)))
        return
    if isinstance(old, list) and isinstance(new, list):
        if len(old) == len(new):  # the common case while editing: compare in place
            for n in range(len(old)):
                _walk(old[n], new[n], path + (n,), secret, values, out)
            return
        key = _identity(old)
        if key is not None and key == _identity(new):
            old_ids = [i[key] for i in old]
            new_ids = [i[key] for i in new]
            old_set, new_set = set(old_ids), set(new_ids)
            common_old = [i for i in old_ids if i in new_set]
            common_new = [i for i in new_ids if i in old_set]
            if common_old == common_new and (len(common_old) < len(old) or len(common_new) < len(new)):
                new_pos = {v: n for n, v in enumerate(new_ids)}
                for n, item in enumerate(old):
                    if item[key] not in new_pos:
                        out.append(
                            Change("removed", path + (n,), None if False else _masked(item, secret, values), None)
                        )
                    else:
                        m = new_pos[item[key]]
                        _walk(item, new[m], path + (m,), secret, values, out)
                for m, item in enumerate(new):
                    if item[key] not in old_set:
                        out.append(Change("added", path + (m,), None, _masked(item, secret, values)))
                return
        for n in range(min(len(old), len(new))):
            _walk(old[n], new[n], path + (n,), secret, values, out)
        for n in range(len(new), len(old)):
            out.append(Change("removed", path + (n,), _masked(old[n], secret, values), None))
        for n in range(len(old), len(new)):
            out.append(Change("added", path + (n,), None, _masked(new[n], secret, values)))
        return
    out.append(Change("changed", path, _masked(old, secret, values), _masked(new, secret, values)))
