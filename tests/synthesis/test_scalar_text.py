"""The dump's fast text for strings is exactly what PyYAML writes (synthesis must equal LCORE's
output byte for byte): compared with yaml.dump on YAML 1.1 traps and on many generated strings."""

from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lsc_tui.config.synthesis.emit import LcoreDumper, _fast_scalar, _scalar, _str_text

TRAPS = [
    "true", "True", "TRUE", "false", "yes", "Yes", "no", "NO", "on", "off", "y", "n", "Y", "N",
    "null", "Null", "~", "", " ", "1", "-1", "+1", "0", "007", "0o17", "0x1F", "0b101", "1_000",
    "1.5", "-1.5", ".5", "1e3", "1.0e+3", ".inf", "-.inf", ".NaN", "1:30", "190:20:30", "12:00:00",
    "2024-01-01", "2024-1-1", "2001-12-14t21:59:43.10-05:00", "=", "<<", "- item", "-", "-x", "--",
    "---", "...", "--- x", "? x", "?x", "?", ":x", ":", "a:", "a: b", "a:b", "http://h:8000/v1",
    "a #b", "a#b", "#a", "'q'", '"q"', "it's", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "[x]",
    "{x}", "a,b", "a[0]", "a b", " a", "a ", "a  b", "${env.X:=y}", "${env.X}", "~/x", "x\ty",
    "x\ny", "caf\u00e9", "\x7f", "a\\b", "a\"b", "a'b'", "0.", "+.5", "1__0", "0_7", "_1",
]


def reference(value: str) -> str | None:
    text = yaml.dump(value, Dumper=LcoreDumper, default_flow_style=False, width=float("inf"))
    if text.endswith("\n...\n"):
        text = text[:-5]
    elif text.endswith("\n"):
        text = text[:-1]
    return text


def check(value: str) -> None:
    fast = _str_text(value)
    if fast is not None:
        assert fast == reference(value), value
        assert fast == _scalar(value), value  # the dump takes _str_text's text as _scalar's
    assert _fast_scalar(value) == _scalar(value), value


def test_yaml_11_traps_and_indicators_are_written_as_pyyaml_writes_them():
    for value in TRAPS:
        check(value)
    # the fast path answers for the common cases (it is not a fallback to itself)
    assert _str_text("remote::vllm") == "remote::vllm"
    assert _str_text("true") == "'true'"
    assert _str_text("a: b") == "'a: b'"
    assert _str_text("caf\u00e9") is None


ALPHABET = st.sampled_from(list("aZ09_.-+:#?,[]{}&*!|>'\"%@`~=< /\\$xeEoO") + ["true", "null", "0x", "1.", ": ", " #"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=8).map("".join))
@example("yes")
def test_generated_strings_are_written_as_pyyaml_writes_them(value):
    check(value)


@settings(max_examples=1000, deadline=None)
@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1, max_size=12))
def test_printable_ascii_strings_are_written_as_pyyaml_writes_them(value):
    check(value)


@settings(max_examples=500, deadline=None)
@given(st.integers() | st.integers(min_value=-(10**40), max_value=10**40))
@example(0)
@example(-1)
def test_ints_are_written_as_pyyaml_writes_them(value):
    assert _scalar(value) == reference(value) == _fast_scalar(value)
