"""The keystroke path derives the edited document without parsing: it must equal a parse."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lsc_tui.config.yaml.document import Document, parse_text
from lsc_tui.config.yaml.edit import replaced_scalar_document

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus"
SOURCES = [CORPUS / "lightspeed-stack/run.yaml", CORPUS / "lightspeed-stack/examples/lightspeed-stack-byok-okp-rag.yaml",
           CORPUS / "lightspeed-stack/examples/vllm-rhaiis.yaml"]


def _flatten(node, out):
    out.append((node.kind, node.tag, node.line, node.column, node.start, node.end, node.style, node.value, node.flow))
    if node.kind == "seq":
        for i in node.items:
            _flatten(i, out)
    elif node.kind == "map":
        for k, v in node.items:
            _flatten(k, out)
            _flatten(v, out)
    return out


values = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(["yes", "no", "on", "0755", "1:30", "~", "null", "${env.X:=a}", "a: b", "#c", "- x", "[x]",
                     "{a}", "'q'", '"d"', "", " lead", "trail ", "http://h:1/v1"]),
    st.integers(-10**6, 10**6), st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False),
)


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=values)
def test_fast_edit_equals_a_full_parse(src, data, value):
    doc = parse_text(src.read_text(), "f.yaml", Path("f.yaml"))
    scalars = [p for p, n in doc.iter_scalars() if p]
    path = data.draw(st.sampled_from(scalars))
    fast = replaced_scalar_document(doc, path, value)
    # the property is about the fast path's answers: an edit it declines (None, left to a full
    # parse) is no example at all, and hypothesis says so if it declines too many
    assume(fast is not None)
    slow = Document(Path("f.yaml"), fast.text, None, "f.yaml")
    assert fast.data == slow.data
    assert _flatten(fast.root, []) == _flatten(slow.root, [])
    key = lambda f: (f.line, f.column, f.code)  # noqa: E731
    assert sorted(fast.findings, key=key) == sorted(slow.findings, key=key)
    # the original is untouched
    assert parse_text(src.read_text(), "f.yaml", Path("f.yaml")).data == doc.data


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.name)
@pytest.mark.parametrize("seed", range(5))
def test_chains_of_fast_edits_equal_a_full_parse(src, seed):
    """Moved collections make their items only when asked for, possibly after several more edits
    moved them again: however edits and looks interleave, the tree equals a parse of the text."""
    import random

    rng = random.Random(seed)
    doc = parse_text(src.read_text(), "f.yaml", Path("f.yaml"))
    scalars = [p for p, n in doc.iter_scalars() if p]
    derived = 0
    for _step in range(40):
        path = rng.choice(scalars)
        value = rng.choice(["x" * rng.randrange(0, 40), rng.randrange(10**6), "http://h:1/v" + "1" * rng.randrange(9)])
        new = replaced_scalar_document(doc, path, value)
        if new is None:
            continue
        derived += 1
        doc = new
        if rng.random() < 0.3:  # look at a part of the tree now and then
            doc.node_at(rng.choice(scalars))
        if rng.random() < 0.1:
            slow = Document(Path("f.yaml"), doc.text, None, "f.yaml")
            assert _flatten(doc.root, []) == _flatten(slow.root, [])
    assert derived > 0
    slow = Document(Path("f.yaml"), doc.text, None, "f.yaml")
    assert doc.data == slow.data
    assert _flatten(doc.root, []) == _flatten(slow.root, [])


@pytest.mark.parametrize("text", [
    "a: &x {k: 1}\nb: *x\n",
    "a: &x\n  k: [1, 2]\nb:\n  <<: *x\n  j: 2\n",
    "a:\n  <<: {k: 1}\n  j: [1]\nb: [&l [1], *l]\n",
    "a: {k: [1, {z: 2}]}\nb: [x, {y: 1}]\n",
    "a: &s scalar\nb: *s\nc: {d: 1}\n",
] + [p.read_text() for p in SOURCES])
def test_documents_known_alias_free_agree_with_the_walk(text):
    from lsc_tui.config.yaml import document
    from lsc_tui.config.synthesis import enrichment

    def walked(data):
        enrichment._ALIAS_CACHE.clear()
        saved = dict(document._ALIAS_FREE)
        document._ALIAS_FREE.clear()
        try:
            return enrichment.has_aliases(data)
        finally:
            document._ALIAS_FREE.update(saved)

    doc = parse_text(text, "f.yaml", Path("f.yaml"))
    enrichment._ALIAS_CACHE.clear()
    assert enrichment.has_aliases(doc.data) == walked(doc.data)
    scalars = [p for p, n in doc.iter_scalars() if p]
    for path in scalars[:20]:
        new = replaced_scalar_document(doc, path, "v")
        if new is not None:
            enrichment._ALIAS_CACHE.clear()
            assert enrichment.has_aliases(new.data) is walked(new.data) is False
            assert document.known_alias_free(new.data)


def test_moved_collections_made_from_several_threads_at_once_agree():
    """The editor analyses in a worker while the interface reads the tree."""
    import threading

    src = SOURCES[0]
    for _ in range(5):
        doc = parse_text(src.read_text(), "f.yaml", Path("f.yaml"))
        path = next(p for p, n in doc.iter_scalars() if p)
        new = replaced_scalar_document(doc, path, "a-longer-value-than-before")
        results, errors = [], []

        def read(new=new, results=results, errors=errors):
            try:
                results.append(_flatten(new.root, []))
            except Exception as exc:  # pragma: no cover - the failure this test is about
                errors.append(exc)

        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert all(r == results[0] for r in results)
        assert results[0] == _flatten(Document(Path("f.yaml"), new.text, None, "f.yaml").root, [])
