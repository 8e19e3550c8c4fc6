"""YAML I/O: located nodes, exact spans, byte-identical no-op saves, atomic writes."""

import os
import stat
from pathlib import Path

import pytest
import yaml

from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.document import load_document, parse_text
from lsc_tui.config.yaml.edit import replace_scalar
from lsc_tui.config.yaml.lint import YamlLoadError
from lsc_tui.config.yaml.save import FileChangedError, VerifyError, atomic_write

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus"
CORPUS_YAML = sorted(p for p in CORPUS.rglob("*.yaml"))


def test_corpus_is_there():
    assert len(CORPUS_YAML) >= 30


@pytest.mark.parametrize("src", CORPUS_YAML, ids=lambda p: str(p.relative_to(CORPUS)))
def test_noop_load_and_save_is_byte_identical(src, tmp_path):
    target = tmp_path / src.name
    target.write_bytes(src.read_bytes())
    doc = load_document(target, multi=True)
    assert doc.all_data == list(yaml.safe_load_all(src.read_bytes()))
    atomic_write(target, doc.text, expected=doc.stamp)
    assert target.read_bytes() == src.read_bytes()


@pytest.mark.parametrize("src", CORPUS_YAML[:12], ids=lambda p: p.name)
def test_every_scalar_span_is_its_text(src):
    doc = load_document(src, multi=True)
    for path, node in doc.iter_scalars():
        span = doc.text[node.start:node.end]
        if node.style is None:
            assert span == node.value or node.value == "" or span.strip() == node.value
        assert doc.position(path)[0] >= 1


def test_positions_are_one_based():
    doc = parse_text("a:\n  b: [1, 2]\n  c: x\n")
    assert doc.position(("a", "c")) == (3, 3)
    assert doc.node_at(("a", "c")).line == 3 and doc.node_at(("a", "c")).column == 6
    assert doc.node_at(("a", "b", 1)).value == "2"


def test_duplicate_keys_name_both_lines():
    doc = parse_text("a: 1\nb: 2\na: 3\n", "d.yaml")
    dup = [f for f in doc.findings if f.code == "duplicate-key"]
    assert len(dup) == 1 and dup[0].is_error
    assert (dup[0].line, dup[0].column) == (3, 1) and "lines 1 and 3" in dup[0].message


@pytest.mark.parametrize("text,code", [
    ("enabled: yes\n", "yaml11-bool"),
    ("enabled: off\n", "yaml11-bool"),
    ("mode: 0755\n", "yaml11-octal"),
    ("t: 1:30\n", "yaml11-sexagesimal"),
    ("x: ~\n", "yaml11-null"),
])
def test_yaml11_traps(text, code):
    assert code in [f.code for f in parse_text(text).findings]


def test_quoted_traps_are_fine():
    assert not parse_text("enabled: 'yes'\nmode: '0755'\nok: true\n").findings


@pytest.mark.parametrize("text,line,col", [
    ("a: [1, 2\n", 2, 1),
    ("a:\n\tb: 1\n", 2, 1),
    ("a: b: c\n", 1, 5),
    ("a: 'unclosed\n", 2, 1),
])
def test_parse_errors_are_located(text, line, col):
    with pytest.raises(YamlLoadError) as exc:
        parse_text(text, "bad.yaml")
    f = exc.value.finding
    assert (f.file, f.line, f.column) == ("bad.yaml", line, col)
    assert f.fix


@pytest.mark.parametrize("text,line,col,reads_as", [
    ("port: !!int abc\n", 1, 7, "an integer"),
    ("a: 1\nb:\n  - x\n  - !!float not-a-number\n", 4, 5, "a number"),
    ("a: !!bool maybe\n", 1, 4, "true or false"),
    ("when: !!timestamp soon\n", 1, 7, "a date or time"),
    ("base: &b {n: !!int 0x}\nuse: *b\n", 1, 14, "an integer"),  # through an alias: PyYAML's own build
])
def test_an_explicit_tag_its_value_does_not_fit_is_located(text, line, col, reads_as):
    """PyYAML's constructors raise a bare ValueError (TypeError, ...) for ``!!int abc``: every reader
    (the documents and the plain data loader) turns it into a located error that does not echo
    the value."""
    from lsc_tui.config.yaml.document import data_of

    for read in (lambda: parse_text(text, "bad.yaml"), lambda: data_of(text, "bad.yaml")):
        with pytest.raises(YamlLoadError) as exc:
            read()
        f = exc.value.finding
        assert (f.file, f.line, f.column) == ("bad.yaml", line, col)
        assert reads_as in f.message and "explicit tag" in f.fix
        assert "abc" not in f.message and "maybe" not in f.message and "soon" not in f.message


def test_tab_error_says_tabs():
    with pytest.raises(YamlLoadError) as exc:
        parse_text("a:\n\tb: 1\n")
    assert "tab" in exc.value.finding.fix.lower()


def test_alias_bomb_is_refused_not_expanded():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(YamlLoadError) as exc:
        parse_text("\n".join(lines) + "\n")
    assert exc.value.finding.code == "yaml-alias-bomb"


def test_small_aliases_and_merge_keys_work():
    doc = parse_text("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert doc.data["other"] == {"x": 1, "y": 2}
    assert not [f for f in doc.findings if f.is_error]


def test_deep_nesting_is_refused():
    text = "a: " + "[" * 500 + "]" * 500 + "\n"
    with pytest.raises(YamlLoadError) as exc:
        parse_text(text)
    assert exc.value.finding.code in ("yaml-too-deep", "yaml-syntax")


def test_bom_and_crlf_round_trip(tmp_path):
    raw = "\ufeffa: 1\r\nb: 'x'\r\n".encode()
    p = tmp_path / "c.yaml"
    p.write_bytes(raw)
    doc = load_document(p)
    assert doc.data == {"a": 1, "b": "x"}
    assert doc.text[doc.node_at(("b",)).start:doc.node_at(("b",)).end] == "'x'"
    new = replace_scalar(doc, ("b",), "y")
    assert new.encode() == "\ufeffa: 1\r\nb: 'y'\r\n".encode()


@pytest.mark.parametrize("content,code", [
    (b"", None),
    (b"\x7fELF\x02\x01\x00\x00", "file-binary"),
    (b"a: \xff\xfe\n", "file-encoding"),
])
def test_unusable_files(tmp_path, content, code):
    p = tmp_path / "x.yaml"
    p.write_bytes(content)
    if code is None:
        assert load_document(p).data is None
        return
    with pytest.raises(YamlLoadError) as exc:
        load_document(p)
    assert exc.value.finding.code == code


def test_too_large_file(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_bytes(b"a: " + b"x" * (10 * 1024 * 1024) + b"\n")
    with pytest.raises(YamlLoadError) as exc:
        load_document(p)
    assert exc.value.finding.code == "file-too-large"


def test_directory_and_missing(tmp_path):
    for path, code in ((tmp_path, "file-is-directory"), (tmp_path / "nope.yaml", "file-not-found")):
        with pytest.raises(YamlLoadError) as exc:
            load_document(path)
        assert exc.value.finding.code == code


def test_permission_denied(tmp_path, monkeypatch):
    p = tmp_path / "x.yaml"
    p.write_text("a: 1\n")

    real_open = os.open

    def deny(path, *a, **k):
        if str(path) == str(p):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **k)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(YamlLoadError) as exc:
        load_document(p)
    assert exc.value.finding.code == "file-permission"


# -- edits and saves ------------------------------------------------------------------------


def test_replace_scalar_changes_only_that_span():
    text = "# top\na:\n  url: http://old:8000  # keep me\n  other: 'q'\n"
    doc = parse_text(text)
    new = replace_scalar(doc, ("a", "url"), "http://new:9000/v1")
    assert new == text.replace("http://old:8000", "http://new:9000/v1")
    assert yaml.safe_load(new)["a"]["url"] == "http://new:9000/v1"


@pytest.mark.parametrize("value", ["yes", "0755", "a: b", "#x", "", "it's", "${env.X:=1}", "line\nbreak", "null", "12"])
def test_rendered_scalars_read_back_exactly(value):
    doc = parse_text("k: v\n")
    assert yaml.safe_load(replace_scalar(doc, ("k",), value))["k"] == value


def test_atomic_write_keeps_mode_and_makes_backup(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("a: 1\n")
    os.chmod(p, 0o640)
    doc = load_document(p)
    backup = atomic_write(p, "a: 2\n", expected=doc.stamp, verify_data={"a": 2}).backup
    assert p.read_text() == "a: 2\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert backup is not None and backup.read_text() == "a: 1\n"
    assert not [x for x in tmp_path.iterdir() if x.name.endswith(".tmp")]


def test_new_files_are_0600(tmp_path):
    p = tmp_path / "new.yaml"
    atomic_write(p, "a: 1\n", expected=None)
    assert stat.S_IMODE(p.stat().st_mode) == 0o600


def test_refuses_to_clobber_a_file_changed_on_disk(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("a: 1\n")
    doc = load_document(p)
    p.write_text("a: 1\nb: 2\n")  # someone else saved
    with pytest.raises(FileChangedError):
        atomic_write(p, "a: 3\n", expected=doc.stamp)
    assert p.read_text() == "a: 1\nb: 2\n"


def test_verify_refuses_text_that_reads_differently(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("a: x\n")
    with pytest.raises(VerifyError):
        atomic_write(p, "a: yes\n", verify_data={"a": "yes"})
    assert p.read_text() == "a: x\n"


def test_symlinked_config_stays_a_link(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text("a: 1\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    atomic_write(link, "a: 2\n")
    assert link.is_symlink() and real.read_text() == "a: 2\n"


def test_failed_rename_leaves_original_and_no_temp(tmp_path, monkeypatch):
    p = tmp_path / "c.yaml"
    p.write_text("a: 1\n")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(p, "a: 2\n", backup=False)
    assert p.read_text() == "a: 1\n"
    assert [x.name for x in tmp_path.iterdir()] == ["c.yaml"]


def _typed(value):
    """A value with every scalar's type spelled out (1, 1.0 and True compare equal)."""
    if isinstance(value, dict):
        return [(_typed(k), _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


# Scalars the direct construction builds itself and the ones it leaves to PyYAML, and documents
# PyYAML builds whole (merge keys, '=' keys, collections as keys, tagged collections).
TRICKY = [
    "a: 1\nb: 010\nc: 0x1f\nd: 0o17\ne: 1_000\nf: +5\ng: -3\nh: 0\ni: 00\nj: 0b101\nk: 1:30\n",
    "a: 1.5\nb: .inf\nc: -.Inf\nd: .nan\ne: 1e3\nf: 6.8523015e+5\ng: 1_0.5\n",
    "a: yes\nb: No\nc: ON\nd: off\ne: true\nf: FALSE\ng: y\nh: n\n",
    "a: ~\nb: null\nc:\nd: Null\n~: x\n",
    "a: 2024-01-02\nb: 2001-12-14t21:59:43.10-05:00\nc: !!binary aGVsbG8=\n",
    "1: a\ntrue: b\n2.5: c\nnull: d\n0x10: e\n2024-01-01: f\n",
    "a: !!str 1\nb: !!int '7'\nc: !!float '1'\nd: !!bool 'yes'\ne: '1'\nf: \"true\"\n",
    "a: 1\na: 2\nb: [1, {c: d}]\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
    "plain:\n  <<: {x: 1}\n  z: 2\n",
    "a:\n  =: value\n",
    "a: !!set {x, y}\nb: !!omap [{k: v}]\nc: !!pairs [{k: v}, {k: w}]\n",
    "- 1\n- - 2\n  - {a: [3, '4', 5.0, no]}\n- ''\n",
    "just a string\n",
    "42\n",
    "x: &a 1\ny: *a\nl: &l [1]\nm: *l\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_data_is_what_pyyaml_builds_type_for_type(text):
    """The loaders build every scalar as PyYAML's safe loader does (same type, same value)."""
    from lsc_tui.config.yaml.document import data_of

    expected = yaml.load(text, Loader=yaml.CSafeLoader)
    assert _typed(data_of(text, "t.yaml")) == _typed(expected)
    assert _typed(parse_text(text, "t.yaml").data) == _typed(expected)


def _outcome(text):
    from lsc_tui.config.yaml.document import data_of

    try:
        return ("data", _typed(data_of(text, "t.yaml")))
    except Exception as exc:
        return (type(exc).__name__, exc.located_text() if isinstance(exc, YamlLoadError) else str(exc))


@pytest.mark.parametrize(
    "text", ["a: !!int abc\n", "a: !nope x\n", "a:\n  b: !!float x\n", "? [a, b]\n: c\n", *TRICKY[:3]]
)
def test_the_direct_construction_changes_no_outcome(text, monkeypatch):
    """Data or refusal (its type, text and place): the same as when PyYAML builds everything."""
    from lsc_tui.config.yaml import document

    direct = _outcome(text)

    def not_plain(loader, node):
        raise document._NotPlain()

    monkeypatch.setattr(document, "_construct", not_plain)
    assert direct == _outcome(text)


def _node_tags(text, loader):
    """(node class, tag, scalar value) of every node of every document, as ``loader`` composes them."""
    out, stack = [], list(yaml.compose_all(text, Loader=loader))
    while stack:
        node = stack.pop()
        if node is None:
            continue
        out.append((type(node).__name__, node.tag, node.value if isinstance(node, yaml.ScalarNode) else None))
        if isinstance(node, yaml.MappingNode):
            stack.extend(x for pair in node.value for x in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


def test_the_loader_resolves_every_tag_as_the_safe_loader_does():
    """lsc-tui's loader works out a scalar's tag in one step: every node of every fixture, and of
    values of every implicit type (and the near misses), gets the tag PyYAML's safe loader gives."""
    from lsc_tui.config.yaml.document import Loader

    tags = _node_tags
    values = ["", "~", "null", "Null", "NULL", "nul", "yes", "No", "on", "OFF", "y", "true", "False", "0", "-1", "+7",
              "0o17", "017", "0x1F", "0b101", "1_000", "190:20:30", "1.5", "-.5", ".inf", "-.Inf", ".nan", "1e3",
              "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-13-1x", "<<", "=", "!x", "&a", "*", "plain text"]
    text = "a:\n" + "".join(f"  - {v}\n" if v not in ("!x", "&a", "*", "") else f"  - '{v}'\n" for v in values)
    text += "b: {<<: {c: 1}, d: '1', e: \"yes\", f: !!str 2}\n= : x\n"
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert tags(text, Loader) == tags(text, base)
    fixtures = sorted((Path(__file__).parents[1] / "fixtures").rglob("*.y*ml"))
    assert len(fixtures) > 100
    for path in fixtures:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            want = tags(text, base)
        except yaml.YAMLError:
            continue
        assert tags(text, Loader) == want, path


def test_each_spelling_of_a_scalar_gets_its_own_tag():
    """The same text plain, quoted, in a flow sequence, as a key or in another document gets the
    tag PyYAML's safe loader gives it there."""
    from lsc_tui.config.yaml.document import Loader

    values = ["yes", "1", "0o17", "~", "null", "1.5", "2001-12-14", "<<", "=", "text"]
    doc = "".join(f"k{i}: {v}\nq{i}: '{v}'\nd{i}: \"{v}\"\nl{i}: [{v}, '{v}', {v}]\n" for i, v in enumerate(values))
    doc += "".join(f"{v}: x{i}\n" for i, v in enumerate(values) if v not in ("<<", "="))
    doc += "e1:\ne2: ''\ne3:\n"
    text = doc + "---\n" + doc
    assert _node_tags(text, Loader) == _node_tags(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_the_loader_steps_into_and_out_of_nodes_without_python():
    """descend_resolver and ascend_resolver are C callables taking what PyYAML's composer passes
    (a parent node and an index; nothing): were they bound to the loader or called otherwise,
    composing would fail here."""
    from lsc_tui.config.yaml.document import Loader

    loader = Loader("a:\n  - b: [1, {c: d}]\n  - ? [x]\n    : y\n")
    try:
        assert loader.descend_resolver(None, None) is True
        assert loader.ascend_resolver() == ()
        root = loader.get_single_node()
    finally:
        loader.dispose()
    assert isinstance(root, yaml.MappingNode) and root.value[0][1].value[1].value[0][0].tag == "tag:yaml.org,2002:seq"


LINT_CASES = TRICKY + [
    "a: 1\nb: 2\nc: [x, y]\n",
    "a: yes\n",
    "a: 'yes'\n",
    "a: ~\nb: [~]\n",
    "a: 010\n",
    "a: 1:30\n",
    "a: 0x10\nb: 1.5\nc: 2024-01-01\n",
    "1: a\n'1': b\n",
    "a: {b: 1, b: 2}\n",
    "- {a: 1}\n- {a: 1, a: 2}\n",
    "password: 0123\n",
    "on\n",
]


@pytest.mark.parametrize("text", LINT_CASES)
def test_the_direct_build_skips_the_lint_only_when_it_finds_nothing(text):
    from lsc_tui.config.yaml.document import Loader, construct_checked
    from lsc_tui.config.yaml.lint import lint_nodes

    loader = Loader(text)
    try:
        node = loader.get_single_node()
        _, lint = construct_checked(loader, node, "*" in text)
    finally:
        loader.dispose()
    if not lint:
        assert lint_nodes(node, "t.yaml") == []
    assert parse_text(text, "t.yaml").findings == lint_nodes(yaml.compose(text, Loader=Loader), "t.yaml")


def test_every_fixture_has_the_findings_of_the_full_lint():
    from lsc_tui.config.yaml.document import Loader
    from lsc_tui.config.yaml.lint import lint_nodes

    skipped = 0
    for path in sorted((Path(__file__).parents[1] / "fixtures").rglob("*.y*ml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            nodes = list(yaml.compose_all(text, Loader=Loader))
            doc = parse_text(text, "t.yaml", multi=True)
        except (yaml.YAMLError, YamlLoadError):
            continue
        want = [f for n in nodes if n is not None for f in lint_nodes(n, "t.yaml")]
        assert [f for f in doc.findings if f.code != "yaml-syntax"] == want, path
        skipped += not want
    assert skipped > 100  # most files have nothing to report: the walk is skipped for them


def _limits_outcome(text, read):
    try:
        return ("data", _typed(read(text)))
    except YamlLoadError as exc:
        return ("refused", exc.located_text())


@pytest.mark.parametrize("depth", [198, 199, 200, 201, 202])
@pytest.mark.parametrize(
    "shape", [("[", "{}", "]"), ("[", "[]", "]"), ("[", "x", "]"), ("{a: ", "{}", "}"), ("{a: ", "x", "}"), "block"]
)
def test_the_direct_build_applies_the_limits_as_the_exact_check(depth, shape, monkeypatch):
    """Without aliases the limits are counted while the data is built: the same documents are
    refused, with the same located error, as when check_limits walks the nodes first."""
    from lsc_tui.config.yaml import document, lint
    from lsc_tui.config.yaml.files import MAX_DEPTH

    assert MAX_DEPTH == 200
    if shape == "block":
        text = "".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "- {}\n"
    else:
        opening, core, closing = shape
        text = opening * depth + core + closing * depth + "\n"
    small = "\n".join(f"k{i}: [{', '.join(['v'] * (i % 7))}]" for i in range(40)) + "\n"

    def two_steps(t):
        loader = document.Loader(t)
        try:
            node = loader.get_single_node()
            return document.construct_checked(loader, node, lint.check_limits(node, "t.yaml", True))[0]
        finally:
            loader.dispose()

    def direct(t):
        return document.data_of(t, "t.yaml")

    assert _limits_outcome(text, direct) == _limits_outcome(text, two_steps)
    got = _limits_outcome(text, lambda t: parse_text(t, "t.yaml").data)
    assert got == _limits_outcome(text, two_steps)
    for limit in (50, 100, 150, 159, 160, 161, 500):  # the node limit, under and over this document's
        monkeypatch.setattr(document, "MAX_NODES", limit)
        monkeypatch.setattr(lint, "MAX_NODES", limit)
        assert _limits_outcome(small, direct) == _limits_outcome(small, two_steps), limit
