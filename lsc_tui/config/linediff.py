"""Line alignment for the text diffs: difflib-style opcodes in near-linear time.

:class:`difflib.SequenceMatcher` looks for the longest matching block again and again; on a
run.yaml, whose lines repeat (``config:``, ``backend: kv_default``, ``model_type: llm``) and
whose changes are spread over every provider, that is cubic: minutes at 10,000 lines. This
module aligns two lists of lines the way patience diff does, then closes the gaps with Myers:

1. equal leading and trailing lines of a range are matched as they are;
2. the lines that occur exactly once in both sides of the range (a provider id, a URL) are
   anchors: the longest run of anchors in the same order on both sides (a longest increasing
   subsequence, found with binary search) is matched, and every gap between two anchors is
   aligned the same way, recursively;
3. a gap without such a line is aligned by Myers' O((N+M)D) algorithm, which finds a shortest
   edit script; when the gap's edit distance is above a bound (a large rewrite of repeated
   lines) the gap is one replacement, so the cost stays linear in the gap's size.

The result is what :meth:`difflib.SequenceMatcher.get_opcodes` returns: ``(tag, i1, i2, j1,
j2)`` tuples with tags ``equal``, ``replace``, ``delete`` and ``insert`` covering both lists
in order, so the unified diff, the diff pane and the migration preview read it unchanged.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence

# Myers' search stops after this many edits in one gap without unique lines; the gap is then
# a single replacement. A gap costs at most about (its lines) x this bound.
MAX_EDITS = 64


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[str, int, int, int, int]]:
    """The edit operations turning ``a`` into ``b``, as ``difflib`` gives them."""
    out: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for bi, bj, size in matching_blocks(a, b):
        if i < bi and j < bj:
            out.append(("replace", i, bi, j, bj))
        elif i < bi:
            out.append(("delete", i, bi, j, bj))
        elif j < bj:
            out.append(("insert", i, bi, j, bj))
        if size:
            out.append(("equal", bi, bi + size, bj, bj + size))
        i, j = bi + size, bj + size
    return out


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """``(i, j, n)`` triples, ``a[i:i+n] == b[j:j+n]``, increasing in both, adjacent ones merged,
    ending with the sentinel ``(len(a), len(b), 0)`` (as :mod:`difflib`)."""
    found: list[tuple[int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        n = 0
        while alo + n < ahi and blo + n < bhi and a[alo + n] == b[blo + n]:
            n += 1
        if n:
            found.append((alo, blo, n))
            alo += n
            blo += n
        n = 0
        while ahi - n > alo and bhi - n > blo and a[ahi - 1 - n] == b[bhi - 1 - n]:
            n += 1
        if n:
            found.append((ahi - n, bhi - n, n))
            ahi -= n
            bhi -= n
        if alo == ahi or blo == bhi:
            continue
        anchors = _anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            pi, pj = alo, blo
            for i, j in anchors:
                found.append((i, j, 1))
                if pi < i or pj < j:
                    stack.append((pi, i, pj, j))
                pi, pj = i + 1, j + 1
            if pi < ahi or pj < bhi:
                stack.append((pi, ahi, pj, bhi))
        else:
            found.extend(_myers(a, alo, ahi, b, blo, bhi))
    found.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, n in found:
        if merged:
            pi, pj, pn = merged[-1]
            if pi + pn == i and pj + pn == j:
                merged[-1] = (pi, pj, pn + n)
                continue
        merged.append((i, j, n))
    merged.append((len(a), len(b), 0))
    return merged


def _anchors(
    a: Sequence[Hashable], alo: int, ahi: int, b: Sequence[Hashable], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The longest chain of lines unique on both sides of the range, in the same order on both."""
    in_a: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        line = a[i]
        in_a[line] = -1 if line in in_a else i
    in_b: dict[Hashable, int] = {}
    for j in range(blo, bhi):
        line = b[j]
        if line in in_a:
            in_b[line] = -1 if line in in_b else j
    # in b's order (a line seen once keeps its only position, so the dict order is b's order)
    pairs = [(in_a[line], j) for line, j in in_b.items() if j >= 0 and in_a[line] >= 0]
    if not pairs:
        return []
    # longest increasing subsequence of the a-positions (patience sorting)
    tails: list[int] = []  # the a-position ending the best chain of each length
    tail_at: list[int] = []  # index into pairs of that chain's end
    back = [-1] * len(pairs)
    for n, (i, _j) in enumerate(pairs):
        k = bisect_left(tails, i)
        if k == len(tails):
            tails.append(i)
            tail_at.append(n)
        else:
            tails[k] = i
            tail_at[k] = n
        back[n] = tail_at[k - 1] if k else -1
    chain = []
    n = tail_at[-1]
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    chain.reverse()
    return chain


def _myers(
    a: Sequence[Hashable], alo: int, ahi: int, b: Sequence[Hashable], blo: int, bhi: int
) -> list[tuple[int, int, int]]:
    """The matching blocks of a shortest edit script of a[alo:ahi] -> b[blo:bhi] (Myers 1986),
    or none when it needs more than MAX_EDITS edits (the range is then one replacement)."""
    n, m = ahi - alo, bhi - blo
    v = {1: 0}
    trace: list[dict[int, int]] = []
    for d in range(min(n + m, MAX_EDITS) + 1):
        row: dict[int, int] = {}
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[k - 1] < v[k + 1]):
                x = v[k + 1]
            else:
                x = v[k - 1] + 1
            y = x - k
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x += 1
                y += 1
            row[k] = x
            if x >= n and y >= m:
                trace.append(row)
                return _walk_back(trace, n, m, alo, blo)
        trace.append(row)
        v = row
    return []


def _walk_back(trace: list[dict[int, int]], x: int, y: int, alo: int, blo: int) -> list[tuple[int, int, int]]:
    blocks = []
    for d in range(len(trace) - 1, 0, -1):
        prev = trace[d - 1]
        k = x - y
        down = k == -d or (k != d and prev[k - 1] < prev[k + 1])
        pk = k + 1 if down else k - 1
        px = prev[pk]
        py = px - pk
        sx = px if down else px + 1  # where the edit lands; the diagonal from there is equal
        if x > sx:
            blocks.append((alo + sx, blo + sx - k, x - sx))
        x, y = px, py
    if x > 0:
        blocks.append((alo, blo, x))
    return blocks
