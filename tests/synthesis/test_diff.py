"""Text and structural diffs of run.yaml, with secrets masked in both."""

from __future__ import annotations

import difflib

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_tui.config.diff import structural_diff, unified_diff
from lsc_tui.config.synthesis.emit import dump_run_yaml
from synth_helpers import unified

SECRET = "sk-" + "proj-0123456789abcdefXYZ"


def _reference(a: str, b: str, la="old", lb="new") -> str:
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), la, lb))


lines = st.lists(st.sampled_from(["a: 1\n", "b: 2\n", "c:\n", "  - x\n", "  - y\n", "d: 3\n"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(lines, lines)
def test_text_diff_applies_back_to_the_new_text(a, b):
    old, new = "".join(a), "".join(b)
    ours = unified_diff(old, new, old_label="old", new_label="new", mask=False)
    if old == new:
        assert ours == ""
        return
    assert _apply(old, ours) == new


def _apply(old: str, diff_text: str) -> str:
    src = old.splitlines(keepends=True)
    out, pos = [], 0
    for line in diff_text.splitlines(keepends=True)[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1][1:].split(",")[0])
            length = line.split()[1][1:].split(",")
            begin = start - 1 if (len(length) == 1 or length[1] != "0") else start
            out.extend(src[pos:begin])
            pos = begin
        elif line.startswith(" "):
            assert src[pos] == line[1:]
            out.append(line[1:])
            pos += 1
        elif line.startswith("-"):
            assert src[pos] == line[1:]
            pos += 1
        elif line.startswith("+"):
            out.append(line[1:])
    out.extend(src[pos:])
    return "".join(out)


def _changed_lines(diff_text: str) -> tuple[int, int]:
    body = [line for line in diff_text.splitlines() if not line.startswith(("---", "+++", "@@"))]
    return (sum(1 for line in body if line.startswith("-")), sum(1 for line in body if line.startswith("+")))


def test_text_diff_matches_difflib_exactly_on_a_typical_edit():
    old = unified({}).text
    new = unified({"native_override": {"server": {"port": 8321}}}).text
    assert unified_diff(old, new, old_label="old", new_label="new", mask=False) == _reference(old, new)
    big_old = "".join(f"k{i}: {i}\n" for i in range(2000))
    big_new = big_old.replace("k1000: 1000\n", "k1000: changed\n")
    assert unified_diff(big_old, big_new, old_label="old", new_label="new") == _reference(big_old, big_new)


def test_secrets_are_masked_in_the_text_diff():
    old = unified({}).text
    new = unified({"native_override": {"providers": {"inference": [
        {"provider_id": "o", "provider_type": "remote::openai",
         "config": {"api_key": SECRET, "headers": {"Authorization": "Bearer " + SECRET},
                    "url": "https://user:" + SECRET + "@host/v1",
                    "tokens": {"refresh_token": [SECRET]},
                    "flow": "{password: " + SECRET + "}"}}]}}}).text
    text = unified_diff(old, new, old_label="a", new_label="b")
    assert SECRET not in text
    assert "api_key: ********" in text
    assert "https://user:********@host/v1" in text
    # known secret values are masked wherever they appear
    other = unified_diff("x: 1\n", "x: 1\nnote: " + SECRET + "\n", mask=[SECRET])
    assert SECRET not in other and "note: ********" in other


def test_env_references_stay_readable_when_masked():
    text = unified_diff("a: 1\n", "a: 1\napi_key: ${env.OPENAI_API_KEY}\n")
    assert "+api_key: ${env.OPENAI_API_KEY}" in text


def test_structural_diff_paths_and_masking():
    old = unified({}).data
    new = unified({"native_override": {"server": {"port": 1}, "distro_name": "x",
                                       "providers": {"inference": [
                                           {"provider_id": "sentence-transformers",
                                            "provider_type": "inline::sentence-transformers",
                                            "config": {"api_key": SECRET}}]}}}).data
    changes = structural_diff(old, new)
    by_path = {c.path: c for c in changes}
    assert by_path[("server",)].kind == "added"
    assert by_path[("distro_name",)].kind == "changed"
    assert by_path[("distro_name",)].old == "starter"
    # list of providers matched by provider_id: openai removed, sentence-transformers changed
    assert by_path[("providers", "inference", 0)].kind == "removed"
    assert by_path[("providers", "inference", 0, "config")].kind == "added"
    assert by_path[("providers", "inference", 0, "config")].new == {"api_key": "********"}
    assert SECRET not in repr(changes)
    assert structural_diff(old, old) == []


def test_structural_diff_of_scalars_under_secret_keys():
    changes = structural_diff({"password": "a-" + "long-old-value"}, {"password": "b-" + "long-new-value"})
    assert changes[0].old == "********" and changes[0].new == "********"


def test_a_generated_file_diffs_clean_against_itself():
    data = unified({}).data
    assert unified_diff(dump_run_yaml(data), dump_run_yaml(yaml.safe_load(dump_run_yaml(data)))) == ""


def test_folded_and_nested_secret_values_are_masked_on_every_line():
    long_secret = " ".join(["pass" + "phrase-part"] * 12)
    old = "a: 1\n"
    new = dump_run_yaml({"a": 1, "x": {"password": long_secret}}) + "password:\n- item-secret-1\nz: 2\n"
    text = unified_diff(old, new)
    assert "phrase-part" not in text and "item-secret-1" not in text
    assert "+z: 2" in text


def test_the_remembered_secret_blocks_of_a_baseline_mask_as_a_fresh_diff():
    """The editor diffs every keystroke against the same baseline: its secret blocks are found once."""
    from lsc_tui.config import diff as diff_module

    old = ("providers:\n  inference:\n  - config:\n      api_key:\n        nested: hunter2hunter2\n"
           "      password: |\n        s3cr3t-block-line\n      url: http://a\n")
    outputs = []
    for n in range(4):
        new = old.replace("http://a", "http://a" + "b" * n).replace("hunter2hunter2", "hunter2hunter" + str(n))
        cached = unified_diff(old, new, old_label="a", new_label="b")
        diff_module._BLOCKS.clear()
        fresh = unified_diff(old, new, old_label="a", new_label="b")
        assert cached == fresh
        outputs.append(fresh)
        assert "hunter2" not in fresh and "s3cr3t" not in fresh
    assert len(set(outputs)) > 1


_LINE_POOL = ["providers:\n", "  inference:\n", "  - provider_id: a\n", "    config:\n", "      api_key:\n",
              "        nested: hunter2\n", "      password: |\n", "        s3cr3t-line\n", "      url: http://a\n",
              "  client_secret:\n", "  - item\n", "    token: x\n", "\n", "    # a comment\n", "tokens:\n",
              "- secret_key:\n", "  - deep\n", "passwords: []\n", "      key: v\n", "z: 1\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINE_POOL), min_size=1, max_size=40),
       st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60), st.integers(0, 3),
                          st.lists(st.sampled_from(_LINE_POOL), max_size=3)), min_size=1, max_size=6))
def test_secret_blocks_derived_from_the_previous_text_equal_a_fresh_search(start, edits):
    """A keystroke's run.yaml differs from the previous one in a few lines: its secret blocks are
    derived from the previous ones (_blocks_from), and equal what a search of the whole text finds."""
    from lsc_tui.config.diff import _LineMasker

    lines = list(start)
    prev = _LineMasker(lines)
    prev_blocks = prev._find_blocks(0, len(lines))
    for kind, at, n, new_lines in edits:
        at = min(at, len(lines))
        if kind == 0:
            lines = lines[:at] + new_lines + lines[at:]
        elif kind == 1:
            lines = lines[:at] + lines[at + n:]
        else:
            lines = lines[:at] + new_lines + lines[at + n:]
        masker = _LineMasker(lines)
        fresh = masker._find_blocks(0, len(lines))
        assert masker._blocks_from(prev.lines, prev_blocks) == fresh
        prev, prev_blocks = masker, fresh


def _secret_key_vocabulary() -> set[str]:
    """Every word and pair the secret-key decisions name (masking's and the scanner's)."""
    import re as _re

    from lsc_tui.config import masking
    from lsc_tui.config.secrets import rules

    words = set(rules._STRONG_WORDS) | set(rules._STRONG_PAIRS) | set(rules._WEAK_WORDS)
    words |= set(masking._SECRET_HEADERS)
    words |= {w.replace("[_-]?", "_") for w in _re.findall(r"[a-z_\[\]\-?]+", masking.SECRET_KEY.pattern) if len(w) > 2}
    return {w for w in words if "[" not in w}


def test_the_secret_block_search_finds_every_key_masking_calls_secret():
    """The unified diff finds the blocks under secret keys by a few words: each key that
    is_secret_key accepts (every word of its vocabulary, alone, in camelCase, dashed) holds one."""
    from lsc_tui.config.diff import _WORDS
    from lsc_tui.config.masking import is_secret_key

    missed = []
    for word in sorted(_secret_key_vocabulary()):
        parts = word.split("_")
        for key in (word, word.replace("_", "-"), parts[0] + "".join(p.title() for p in parts[1:]), "x_" + word):
            if is_secret_key(key) and not any(w in key.lower() for w in _WORDS):
                missed.append(key)
    assert not missed


def test_values_nested_under_any_secret_key_are_masked_in_the_text_diff():
    for key in ("creds", "authorization", "cookie", "dsn", "conn_str", "signature", "password"):
        old = f"a:\n  {key}:\n    user: admin\n    value: hunter2xyz\n  x: 1\nb:\n  {key}:\n  - hunter4xyz\n"
        new = old.replace("hunter2xyz", "hunter3xyz").replace("x: 1", "x: 2")
        text = unified_diff(old, new)
        assert "hunter" not in text, (key, text)
        assert "+  x: 2" in text


MASK_LINES = [
    "a: 1\n",
    "  url: https://user:hunter2@host/v1\n",
    "  note: Bearer abcdefghijklmnop\n",
    "  basic: Basic dXNlcjpwYXNz\n",
    "  headers: {Authorization: Bearer abcdefghijklmnop, X-Other: 1}\n",
    "  flow: {PassWord: s3cretvalue, user: admin}\n",
    "  - {client_secret: zzzzzzzz}\n",
    "  list: [a, b]\n",
    "  APIKEY: shown-or-not\n",
    "  x-api-key: abcdefgh\n",
    "  Cookie: session=abc\n",
    "  dsn: postgres://u:p@h/db\n",
    "  plain: " + SECRET + "\n",
    "  known: the-known-value-123\n",
    "  'quoted key': {token: t0k3nvalue}\n",
    "- provider_id: p1\n",
    "    tls_verify: true\n",
    "  text without a key\n",
    "\n",
]


def test_lines_without_a_secret_word_mask_as_the_full_check(monkeypatch):
    """A line outside every secret block and without one of the secret words skips the key
    checks: each line is masked exactly as when every line goes through them."""
    from lsc_tui.config import diff

    text = "".join(MASK_LINES)
    lines = text.splitlines(keepends=True)
    for values in (set(), {"the-known-value-123"}):
        fast = [diff._LineMasker(lines, text).mask(i, values) for i in range(len(lines))]
        monkeypatch.setattr(diff, "_has_word", lambda _text: True)
        full = [diff._LineMasker(lines, text).mask(i, values) for i in range(len(lines))]
        monkeypatch.undo()
        assert fast == full
    shown = [diff._LineMasker(lines, text).mask(i, {"the-known-value-123"}) for i in range(len(lines))]
    assert [line for line in shown if "*" in line] == [
        "  url: https://user:********@host/v1\n",
        "  note: Bearer ********\n",
        "  basic: Basic ********\n",
        "  headers: {Authorization: ********, X-Other: 1}\n",
        "  flow: {PassWord: ********, user: admin}\n",
        shown[6],  # (the flow item's masking is checked elsewhere)
        "  APIKEY: ********\n",
        "  x-api-key: ********\n",
        "  Cookie: ********\n",
        "  dsn: ********\n",
        "  known: ********\n",
        "  'quoted key': {token: ********}\n",
    ]
    assert "zzzzzzzz" not in shown[6]
