"""The proof's comparison rules, on data."""

from __future__ import annotations

from lsc_tui.config.migration.proof import compare, render_path


def _p(pid, **config):
    return {"provider_id": pid, "provider_type": "remote::openai", "config": config}


def test_provider_lists_are_compared_by_id_and_a_reorder_is_only_a_note():
    legacy = {"providers": {"inference": [_p("a"), _p("b")]}}
    unified = {"providers": {"inference": [_p("b"), _p("a")]}}
    diffs = compare(legacy, unified)
    assert [d.kind for d in diffs] == ["order"]
    assert diffs[0].is_note and "order has no effect" in diffs[0].reason


def test_a_changed_provider_is_named_by_its_id():
    legacy = {"providers": {"inference": [_p("a", url="x"), _p("b")]}}
    unified = {"providers": {"inference": [_p("b"), _p("a", url="y")]}}
    diffs = [d for d in compare(legacy, unified) if not d.is_note]
    assert [(d.where, d.kind, d.legacy, d.unified) for d in diffs] == [
        ("providers.inference[provider_id=a].config.url", "changed", "x", "y")]


def test_other_lists_are_ordered_and_types_matter():
    assert [d.where for d in compare({"apis": ["a", "b"]}, {"apis": ["b", "a"]})] == ["apis"]
    assert [d.where for d in compare({"port": 1}, {"port": "1"})] == ["port"]
    assert [d.where for d in compare({"flag": 1}, {"flag": True})] == ["flag"]
    # registered models are a list of records: compared item by item, in order
    legacy = {"registered_resources": {"models": [{"model_id": "m", "provider_id": "p"}]}}
    unified = {"registered_resources": {"models": [{"model_id": "m", "provider_id": "q"}]}}
    assert [d.where for d in compare(legacy, unified)] == ["registered_resources.models[0].provider_id"]


def test_missing_and_added_keys():
    diffs = compare({"a": 1, "b": {"c": 2}}, {"b": {}, "d": 3})
    assert sorted((d.where, d.kind) for d in diffs) == [("a", "missing"), ("b.c", "missing"), ("d", "added")]


def test_duplicate_provider_ids_fall_back_to_ordered_comparison():
    legacy = {"providers": {"vector_io": [_p("a"), _p("a", x=1)]}}
    unified = {"providers": {"vector_io": [_p("a")]}}
    assert [d.where for d in compare(legacy, unified)] == ["providers.vector_io"]


def test_render_path():
    assert render_path(("providers", "inference", 0, "config")) == "providers.inference[0].config"
