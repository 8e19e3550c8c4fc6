"""The rewrite of a config from one LCORE release's keys to another's (files in, text, data and
located findings out): byok_rag <-> rag.byok.stores, rag.inline/tool <-> rag.retrieval.*.sources,
okp <-> rag.okp, reranker, allow_verbose_infer, ogx:, and what has no equivalent."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_tui.config.releases import (
    RELEASE_0_5, RELEASE_0_6, RELEASE_0_7RC1, RELEASE_MAIN, RELEASE_NEWER, RELEASES)
from lsc_tui.config.releases.upgrade import CODE_LOSS, CODE_REFUSED, rewrite, transform
from lsc_tui.config.yaml.document import load_document, parse_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "releases"


def doc(name: str):
    return load_document(FIXTURES / name, name)


def test_0_7_rag_keys_move_under_rag_for_main_and_comments_stay():
    old = doc("rag-0.7.0rc1.yaml")
    rw = rewrite(old, RELEASE_0_7RC1, RELEASE_MAIN)
    assert rw.data["rag"] == {
        "byok": {"stores": [
            {"rag_id": "docs", "backend": "faiss", "embedding_model": "sentence-transformers/all-mpnet-base-v2",
             "embedding_dimension": 768, "vector_db_id": "vs_docs", "db_path": "/data/docs.db"},
            {"rag_id": "pg", "backend": "pgvector", "vector_db_id": "vs_pg", "host": "db", "port": "5432"}]},
        "retrieval": {"inline": {"sources": ["docs", "okp"], "reranker": {"enabled": True}},
                      "tool": {"sources": ["pg"]}},
        "okp": {"rhokp_url": "https://okp.example", "offline": False}}
    assert not {"byok_rag", "okp", "reranker"} & set(rw.data)
    # the order of the other keys, and the comments, are the file's
    assert list(rw.data) == ["name", "service", "llama_stack", "user_data_collection", "rag"]
    assert "# a 0.7.0rc1 config" in rw.text and "# knowledge stores" in rw.text and "# product docs" in rw.text
    assert yaml.safe_load(rw.text) == rw.data
    assert [s.to_text().split(" (")[0] for s in rw.steps] == [
        "byok_rag -> rag.byok.stores", "rag.inline -> rag.retrieval.inline.sources",
        "reranker -> rag.retrieval.inline.reranker", "rag.tool -> rag.retrieval.tool.sources", "okp -> rag.okp"]
    assert rw.findings == [] and not rw.refused


def test_and_back_again_gives_the_same_config():
    old = doc("rag-0.7.0rc1.yaml")
    up = rewrite(old, RELEASE_0_7RC1, RELEASE_MAIN)
    down = rewrite(parse_text(up.text, "up.yaml"), RELEASE_MAIN, RELEASE_0_7RC1)
    assert down.data == old.data and down.findings == []


def test_main_keys_with_no_older_equivalent_are_located_findings():
    new = doc("rag-main-lossy.yaml")
    rw = rewrite(new, RELEASE_MAIN, RELEASE_0_7RC1)
    lost = {(f.line, f.column, f.code, f.message) for f in rw.findings}
    assert lost == {
        (14, 5, CODE_LOSS, "`rag.byok.max_chunks` has no equivalent in LCORE 0.7.0rc1"),
        (20, 9, CODE_LOSS, "`rag.byok.stores[0].relevance_cutoff_score` has no equivalent in LCORE 0.7.0rc1"),
        (26, 5, CODE_LOSS, "`rag.okp.search_mode` has no equivalent in LCORE 0.7.0rc1")}
    assert all(f.file == "rag-main-lossy.yaml" and f.fix for f in rw.findings)
    assert rw.data["byok_rag"] == [{"rag_id": "docs", "rag_type": "inline::faiss", "vector_db_id": "vs_docs",
                                    "db_path": "/data/docs.db"}]
    assert rw.data["rag"] == {"inline": ["docs"]} and rw.data["okp"] == {"rhokp_url": "https://okp.example"}
    assert "config_format_version" not in rw.data
    assert any(s.old == "config_format_version" and s.new == "" for s in rw.steps)


def test_unknown_rag_type_has_no_backend_in_main():
    old = parse_text("byok_rag:\n- rag_id: a\n  rag_type: remote::qdrant\n  vector_db_id: v\n", "c.yaml")
    rw = rewrite(old, RELEASE_0_6, RELEASE_MAIN)
    (f,) = rw.findings
    assert (f.line, f.column, f.path) == (3, 3, ("byok_rag", 0, "rag_type")) and "remote::qdrant" in f.message
    assert rw.data == {"rag": {"byok": {"stores": [{"rag_id": "a", "vector_db_id": "v"}]}}}


def test_integer_port_becomes_a_string_for_older_releases():
    new = parse_text("rag:\n  byok:\n    stores:\n    - {rag_id: p, backend: pgvector, vector_db_id: v, port: 5432}\n",
                     "c.yaml")
    rw = rewrite(new, RELEASE_MAIN, RELEASE_0_6)
    assert rw.data == {"byok_rag": [{"rag_id": "p", "rag_type": "remote::pgvector", "vector_db_id": "v",
                                     "port": "5432"}]}


def test_verbose_infer_between_0_5_and_0_6():
    old = parse_text("name: x\ncustomization:\n  allow_verbose_infer: true\nservice: {}\n", "c.yaml")
    up = rewrite(old, RELEASE_0_5, RELEASE_0_6)
    assert up.data == {"name": "x", "rlsapi_v1": {"allow_verbose_infer": True}, "service": {}}
    down = rewrite(parse_text(up.text, "u.yaml"), RELEASE_0_6, RELEASE_0_5)
    assert down.data == old.data
    kept = parse_text("customization:\n  system_prompt: hi\n  allow_verbose_infer: false\n", "c.yaml")
    assert rewrite(kept, RELEASE_0_5, RELEASE_MAIN).data == {
        "customization": {"system_prompt": "hi"}, "rlsapi_v1": {"allow_verbose_infer": False}}


def test_what_0_7_added_is_lost_before_it():
    new = parse_text("inference:\n  providers:\n  - {id: a, type: openai}\nvector_store:\n  providers: [{type: pg}]\n"
                     "shields: [{id: s}]\nllama_stack: {use_as_library_client: true}\n", "c.yaml")
    rw = rewrite(new, RELEASE_0_7RC1, RELEASE_0_6)
    assert {f.path for f in rw.findings} == {("inference", "providers", 0, "id"), ("vector_store",), ("shields",)}
    assert rw.data == {"inference": {"providers": [{"type": "openai"}]}, "llama_stack": {"use_as_library_client": True}}
    empty = parse_text("vector_store: {}\nname: x\n", "c.yaml")
    rw = rewrite(empty, RELEASE_MAIN, RELEASE_0_6)
    assert rw.findings == [] and rw.data == {"name": "x"}


def test_0_5_cannot_express_a_unified_config():
    new = parse_text("llama_stack:\n  use_as_library_client: true\n  config: {baseline: default}\n", "c.yaml")
    rw = rewrite(new, RELEASE_0_6, RELEASE_0_5)
    assert rw.refused and rw.findings[0].code == CODE_REFUSED and (rw.findings[0].line, rw.findings[0].column) == (3, 3)


def test_ogx_and_byo_llm_going_back_to_main():
    rw = rewrite(doc("ogx-newer.yaml"), RELEASE_NEWER, RELEASE_MAIN)
    assert "ogx" not in rw.data and rw.data["llama_stack"]["config"] == {"baseline": "default"}
    assert list(rw.data).index("llama_stack") == 2 and "# the newer key" in rw.text
    both = parse_text("llama_stack: {url: http://x}\nogx:\n  use_as_library_client: true\n"
                      "  config: {baseline: byo-llm}\n", "c.yaml")
    rw = rewrite(both, RELEASE_NEWER, RELEASE_MAIN)
    assert rw.data == {"llama_stack": {"use_as_library_client": True, "config": {"baseline": "byo-llm"}}}
    assert [f.path for f in rw.findings] == [("ogx", "config", "baseline")]


def test_nothing_to_rewrite_keeps_the_text_byte_for_byte():
    old = doc("rag-0.7.0rc1.yaml")
    for source, target in ((RELEASE_0_6, RELEASE_0_7RC1), (RELEASE_0_7RC1, RELEASE_0_7RC1)):
        rw = rewrite(old, source, target)
        assert rw.text == old.text and not rw.changed


# -- generated variations: every combination of the RAG sections goes up and back unchanged ------
store = st.fixed_dictionaries(
    {"rag_id": st.sampled_from(["a", "b", "docs"]), "vector_db_id": st.text("xyz_", min_size=1, max_size=5)},
    optional={"rag_type": st.sampled_from(["inline::faiss", "remote::pgvector"]),
              "db_path": st.just("/d.db"), "port": st.sampled_from(["5432", "6543"]),
              "score_multiplier": st.floats(0.1, 3, allow_nan=False)})
old_config = st.fixed_dictionaries(
    {"name": st.just("gen")},
    optional={"byok_rag": st.lists(store, max_size=3),
              "rag": st.fixed_dictionaries({}, optional={"inline": st.lists(st.sampled_from(["a", "okp"]), max_size=2),
                                                         "tool": st.lists(st.sampled_from(["b", "okp"]), max_size=2)}),
              "okp": st.fixed_dictionaries({}, optional={"offline": st.booleans(),
                                                         "rhokp_url": st.just("https://okp.example")}),
              "reranker": st.fixed_dictionaries({}, optional={"enabled": st.booleans()}),
              "service": st.just({"port": 8080})})


@settings(max_examples=150, deadline=None)
@given(old_config, st.sampled_from([RELEASE_0_6, RELEASE_0_7RC1]))
def test_generated_rag_configs_go_up_and_back_unchanged(config, release):
    text = yaml.safe_dump(config, sort_keys=False)
    up = rewrite(parse_text(text, "g.yaml"), release, RELEASE_MAIN)
    assert yaml.safe_load(up.text) == up.data and not {"byok_rag", "okp", "reranker"} & set(up.data)
    rag = up.data.get("rag") or {}
    assert set(rag) <= {"byok", "retrieval", "okp"}
    down = rewrite(parse_text(up.text, "u.yaml"), RELEASE_MAIN, release)
    expected = copy.deepcopy(config)
    if expected.get("rag") == {} and up.steps:
        del expected["rag"]  # an empty rag: block carries nothing once the others move into rag:
    assert _ordered(down.data) == _ordered(expected) and down.findings == []


def _ordered(data):
    """Data compared as YAML readers see it (key order is not data)."""
    return yaml.safe_load(yaml.safe_dump(data, sort_keys=True))


def test_transform_works_on_every_pair_of_releases_without_error():
    text = (FIXTURES / "rag-0.7.0rc1.yaml").read_text()
    for source in RELEASES:
        for target in RELEASES:
            data = yaml.safe_load(text)
            transform(data, source, target)
            assert isinstance(data, dict)
