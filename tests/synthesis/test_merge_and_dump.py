"""The merge rule and the run.yaml writer, checked against simple references."""

from __future__ import annotations

import copy

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_tui.config.synthesis.merge import deep_merge_list_replace
from lsc_tui.config.synthesis.emit import dump_run_yaml, dump_with_paths


class _LcoreDumper(yaml.Dumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _reference_merge(base, overlay):
    result = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(result.get(key), dict) and isinstance(value, dict):
            result[key] = _reference_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


keys = st.sampled_from(["a", "b", "c", "providers", "inference", "config", "x_y", "1"])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False),
    st.text(max_size=30), st.sampled_from(["", "true", "no", "~", "123", "1.5", "${env.X:=y}",
                                            "a: b", "- x", "#c", "it's", "x" * 85 + " y z", "multi\nline",
                                            "é", "2024-01-01", " lead", "trail "]),
)
trees = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=4),
                                                 st.dictionaries(keys, c, max_size=4)), max_leaves=25)
maps = st.dictionaries(keys, trees, max_size=5)


@settings(max_examples=200, deadline=None)
@given(maps, maps)
def test_merge_matches_the_reference_and_mutates_nothing(base, overlay):
    before_base, before_overlay = copy.deepcopy(base), copy.deepcopy(overlay)
    assert deep_merge_list_replace(base, overlay) == _reference_merge(base, overlay)
    assert base == before_base and overlay == before_overlay


def test_merge_shares_untouched_subtrees():
    big = {"keep": {"deep": [1, 2, 3]}, "change": {"x": 1}}
    merged = deep_merge_list_replace(big, {"change": {"y": 2}})
    assert merged["keep"] is big["keep"]
    assert merged["change"] == {"x": 1, "y": 2} and big["change"] == {"x": 1}


def test_merge_replaces_lists_and_type_mismatches():
    base = {"l": [1, 2], "m": {"a": 1}, "s": "x"}
    assert deep_merge_list_replace(base, {"l": [3], "m": "scalar", "s": {"now": "map"}}) == {
        "l": [3], "m": "scalar", "s": {"now": "map"}}


@settings(max_examples=300, deadline=None)
@given(st.one_of(maps, st.dictionaries(keys, maps, max_size=3)))
def test_dump_is_pyyaml_byte_for_byte(data):
    expected = yaml.dump(data, Dumper=_LcoreDumper, default_flow_style=False)
    assert dump_run_yaml(data) == expected
    text, paths = dump_with_paths(data)
    assert text == expected and len(paths) == text.count("\n")


def test_dump_shared_containers_fall_back_to_pyyaml_anchors():
    shared = {"x": 1}
    data = {"a": shared, "b": shared}
    assert dump_run_yaml(data) == yaml.dump(data, Dumper=_LcoreDumper, default_flow_style=False)
    assert "&id001" in dump_run_yaml(data)


def test_dump_long_strings_fold_like_pyyaml():
    data = {"providers": {"inference": [{"config": {"description": " ".join(["word"] * 40),
                                                    "quoted": "'" + "x " * 50}}]}}
    text = dump_run_yaml(data)
    assert text == yaml.dump(data, Dumper=_LcoreDumper, default_flow_style=False)
    assert yaml.safe_load(text) == data
