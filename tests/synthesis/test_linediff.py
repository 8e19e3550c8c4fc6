"""Line alignment of the text diffs: valid difflib-style opcodes, no worse than difflib on
typical edits, and a cost that grows linearly on a run.yaml changed on every provider (where
difflib's SequenceMatcher was cubic)."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_tui.config.diff import unified_diff
from lsc_tui.config.linediff import matching_blocks, opcodes


def _check(a: list, b: list) -> int:
    """Asserts the opcodes cover both sides in order and 'equal' means equal; returns the matched count."""
    i = j = 0
    matched = 0
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        assert (i1, j1) == (i, j)
        assert i1 <= i2 and j1 <= j2 and (i1 < i2 or j1 < j2)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            matched += i2 - i1
        elif tag == "replace":
            assert i1 < i2 and j1 < j2
        elif tag == "delete":
            assert j1 == j2
        else:
            assert tag == "insert" and i1 == i2
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    return matched


small = st.lists(st.sampled_from(["a", "b", "c", "  - x", "  - y", "config:"]), max_size=40)


@settings(max_examples=400, deadline=None)
@given(small, small)
def test_opcodes_are_valid_and_match_as_much_as_difflib_mostly(a, b):
    _check(a, b)
    blocks = matching_blocks(a, b)
    assert blocks[-1] == (len(a), len(b), 0)


def test_a_changed_value_per_provider_is_one_small_hunk_each():
    old = _run_yaml(200, lambda i: f"http://vllm-{i}:8000/v1")
    new = _run_yaml(200, lambda i: f"http://vllm-{i}:8000/v2")
    text = unified_diff(old, new, mask=False)
    minus = [line for line in text.splitlines() if line.startswith("-") and not line.startswith("---")]
    plus = [line for line in text.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(minus) == len(plus) == 200  # exactly the changed lines, as difflib finds them
    assert all("/v1" in line for line in minus) and all("/v2" in line for line in plus)
    a, b = old.splitlines(), new.splitlines()
    assert opcodes(a, b) == difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


class _Line(str):
    """A line that counts how often it is compared or hashed."""

    calls = 0

    def __eq__(self, other):
        _Line.calls += 1
        return str.__eq__(self, other)

    def __hash__(self):
        _Line.calls += 1
        return str.__hash__(self)


def _cost(providers: int) -> int:
    old = [_Line(x) for x in _run_yaml(providers, lambda i: f"v{i}").splitlines()]
    new = [_Line(x) for x in _run_yaml(providers, lambda i: f"w{i}", extra=True).splitlines()]
    _Line.calls = 0
    _check(old, new)
    return _Line.calls


def test_the_cost_grows_linearly_with_changes_on_every_provider():
    small_cost, big_cost = _cost(250), _cost(1000)
    # four times the lines: linear is 4x (difflib: 16x to 64x)
    assert big_cost < 5 * small_cost, (small_cost, big_cost)


def test_a_gap_of_repeated_lines_stays_bounded_and_valid():
    a = ["- x", "- y"] * 3000
    b = ["- y", "- x"] * 3000
    assert _check(a, b) > 0
    c = ["k: 1"] * 2000 + ["k: 2"] * 2000
    d = ["k: 2"] * 2000 + ["k: 1"] * 2000
    _check(c, d)


def _run_yaml(providers: int, value, extra: bool = False) -> str:
    out = ["version: 2", "providers:", "  inference:"]
    for i in range(providers):
        out += [f"  - provider_id: p{i}", "    provider_type: remote::vllm", "    config:",
                f"      url: {value(i)}", "      tls_verify: true", "      max_tokens: 4096"]
        if extra:
            out.append("      timeout: 30")
    return "\n".join(out) + "\n"
