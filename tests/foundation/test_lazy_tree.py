"""The located node tree is built on demand; what is read without it (findings, env-reference
scalars, size limits) is the same as with it."""

from __future__ import annotations

import pytest

from lsc_tui.config.yaml.document import parse_text
from lsc_tui.config.yaml.files import MAX_DEPTH
from lsc_tui.config.yaml.lint import YamlLoadError

TEXTS = [
    "a: 1\nb: ${env.X}\nc:\n  - ${env.Y:=z}\n  - {d: '${env.Z}', 7: '${env.W}'}\n",
    "a: &x ${env.A}\nb: *x\nc: [yes, 010, '~', ~, 1:30]\nc: dup\n",
    "list:\n- - ${env.N}\n  - plain\n",
    "\ufeffa: ${env.B}\n",
    "0x1F: ${env.HEX}\n'5': ${env.S}\n5: ${env.I}\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_findings_and_env_scalars_without_the_tree_equal_those_with_it(text):
    lazy, eager = parse_text(text), parse_text(text)
    eager_root = eager.root  # builds the tree now
    assert lazy._pending is not None  # nothing asked for a position yet
    via_parser = [(path, n.value, n.line, n.column, n.start, n.end, n.style, n.tag)
                  for path, n in lazy.scalars_containing("${")]
    assert lazy._pending is not None  # and walking the scalars did not build it either
    via_tree = [(path, n.value, n.line, n.column, n.start, n.end, n.style, n.tag)
                for path, n in eager.iter_scalars() if n.value and "${" in n.value]
    assert via_parser == via_tree and via_tree
    assert [(path, n.value) for path, n in eager.scalars_containing("${")] == [(p, v) for p, v, *_ in via_tree]
    assert lazy.findings == eager.findings
    assert lazy.root == eager_root and lazy.roots == eager.roots


def test_stream_documents_get_their_index_in_the_path():
    text = "a: ${env.A}\n---\nb: ['${env.B}']\n"
    lazy, eager = parse_text(text, stream=True), parse_text(text, stream=True)
    assert [p for p, _ in lazy.scalars_containing("${")] == [(0, "a"), (1, "b", 0)]
    assert [p for p, _ in eager.iter_scalars()] == [(0, "a"), (1, "b", 0)]
    assert lazy.root.kind == "seq" and len(lazy.root.items) == 2


def test_lint_reports_duplicates_and_yaml11_traps_from_the_parser_nodes():
    doc = parse_text("a: yes\nb: 010\na: 2\nc: ~\napi_key: on\n")
    codes = sorted((f.code, f.line, f.column) for f in doc.findings)
    assert codes == [("duplicate-key", 3, 1), ("yaml11-bool", 1, 4), ("yaml11-null", 4, 4),
                     ("yaml11-octal", 2, 4), ("yaml11-secret-not-a-string", 5, 10)]
    assert doc._pending is not None


def test_the_size_check_without_aliases_still_refuses_runaway_nesting():
    deep = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "x: 1\n"
    with pytest.raises(YamlLoadError) as exc:
        parse_text(deep)
    assert exc.value.finding.code == "yaml-too-deep"
    assert (exc.value.finding.line, exc.value.finding.column) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)
    ok = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH - 2)) + "  " * (MAX_DEPTH - 2) + "x: 1\n"
    assert parse_text(ok).data


SECRET_TEXTS = [
    "providers:\n  inference:\n  - provider_id: o\n    config:\n      api_key: sk-proj-0123456789abcdefXYZ0\n"
    "      url: https://user:hunter2hunter2@host/v1\n      headers: {Authorization: 'Bearer abcdefghijklmnop1234'}\n"
    "      5: ${env.X:=sk-proj-0123456789abcdefXYZ1}\n",
    "\ufeffpassword: 'correct horse battery'\nlist:\n- token: ghp_0123456789abcdefghij0123456789abcdef\n",
]


@pytest.mark.parametrize("text", SECRET_TEXTS)
def test_the_secrets_scan_without_the_tree_finds_what_it_finds_with_it(text):
    from lsc_tui.config.secrets.detector import _SCANNED, scan_document

    lazy, eager = parse_text(text), parse_text(text)
    eager.root  # noqa: B018 - builds the tree
    found_lazy = scan_document(lazy)
    assert lazy._pending is not None
    _SCANNED.clear()
    found_eager = scan_document(eager)
    assert found_lazy == found_eager and found_eager


def test_the_secrets_scan_of_a_stream_without_the_tree():
    from lsc_tui.config.secrets.detector import scan_document

    text = "a: 1\n---\nkind: Secret\nstringData:\n  api_key: sk-proj-0123456789abcdefXYZ2\n"
    lazy, eager = parse_text(text, stream=True), parse_text(text, stream=True)
    eager.root  # noqa: B018
    assert scan_document(lazy) == scan_document(eager) != []
