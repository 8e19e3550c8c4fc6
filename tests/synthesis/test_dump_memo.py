"""dump_run_yaml remembers the lines of unchanged sub-trees between dumps: same text as a cold dump."""

import copy
import random
from pathlib import Path

import yaml

from lsc_tui.config.synthesis import emit as synthesis
from lsc_tui.config.yaml.edit import path_copy_set

RUN = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "lightspeed-stack" / "run.yaml"


def cold(data) -> str:
    memo = synthesis._DUMP_MEMO
    saved = memo.prev, memo.cur
    memo.prev, memo.cur = {}, {}
    try:
        return synthesis.dump_run_yaml(data)
    finally:
        memo.prev, memo.cur = saved


def _paths(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))
    else:
        yield path


def remember(data) -> None:
    """Fresh data is dumped plainly and noted; a copy of it (an edit's, sharing every container)
    fills the memo."""
    synthesis.dump_run_yaml(data)
    synthesis.dump_run_yaml(dict(data))
    assert synthesis._DUMP_MEMO.prev


def test_copy_on_write_edits_dump_as_a_cold_dump():
    rng = random.Random(3)
    data = yaml.safe_load(RUN.read_text())
    assert synthesis.dump_run_yaml(data) == cold(data)
    for _ in range(150):
        path = rng.choice(list(_paths(data)))
        value = rng.choice(["x" * rng.randrange(0, 120), rng.randrange(10**6), None, True, "a b " * 30,
                            {"k": [1, 2, {"z": "y"}]}, [], {}, ["p", "q"]])
        data = path_copy_set(data, path, value)
        text = synthesis.dump_run_yaml(data)
        assert synthesis._DUMP_MEMO.prev  # an edit's copy: the memo is in use
        assert text == cold(data)


def test_a_remembered_sub_tree_reached_twice_still_falls_back_to_anchors():
    data = yaml.safe_load(RUN.read_text())
    remember(data)  # data["providers"] and its parts
    shared = dict(data)
    shared["copy_of_providers"] = data["providers"]
    text = synthesis.dump_run_yaml(shared)
    assert text == cold(shared) == synthesis.pyyaml_dump(shared)
    assert "&id" in text
    # a container inside a remembered sub-tree, reached earlier from elsewhere
    api = next(iter(data["providers"]))
    remember(data)  # again: the fallback above dropped it
    early = dict(data)
    early["a_first"] = data["providers"][api][0]
    assert synthesis.dump_run_yaml(early) == cold(early) == synthesis.pyyaml_dump(early)
    # and inside a remembered sub-tree: one provider entry placed twice
    twice = copy.copy(data)
    providers = dict(data["providers"])
    providers[api] = providers[api] + [providers[api][0]]
    twice["providers"] = providers
    assert synthesis.dump_run_yaml(twice) == cold(twice)


def test_the_same_sub_tree_under_another_key_or_indent_is_dumped_afresh():
    data = yaml.safe_load(RUN.read_text())
    remember(data)
    moved = {"outer": {"inner": data["providers"]}}
    assert synthesis.dump_run_yaml(moved) == cold(moved)
    in_list = {"items": [data["providers"]]}
    assert synthesis.dump_run_yaml(in_list) == cold(in_list)


def test_fresh_data_is_dumped_without_the_memo():
    data = yaml.safe_load(RUN.read_text())
    other = yaml.safe_load(RUN.read_text())
    synthesis.dump_run_yaml(data)
    assert synthesis.dump_run_yaml(other) == cold(other)
    assert not synthesis._DUMP_MEMO.prev  # nothing shared with the last dump: nothing remembered


# -- dump_with_origins: the lines and the input each line comes from ---------------------------

from lsc_tui.config.synthesis.provenance import Origin, Provenance  # noqa: E402


def cold_origins(data, prov):
    memo = synthesis._ORIGIN_MEMO
    saved = memo.prev, memo.cur, memo.last_root
    memo.prev, memo.cur, memo.last_root = {}, {}, None
    try:
        return synthesis.dump_with_origins(data, prov)
    finally:
        memo.prev, memo.cur, memo.last_root = saved


def _big(tag: str) -> dict:
    return {"provider_id": tag, "config": {"url": f"http://{tag}", "inner": {"a": 1, "b": [1, 2, 3]}}}


def _prov(data) -> Provenance:
    prov = Provenance()
    prov.mark(data, Origin("profile", "run.yaml"))
    return prov


def _remember_origins(data, prov) -> None:
    synthesis.dump_with_origins(data, prov)
    copy_ = dict(data)
    prov.mark(copy_, prov.node[id(data)])
    synthesis.dump_with_origins(copy_, prov)
    assert synthesis._ORIGIN_MEMO.prev


def test_origins_of_a_remembered_sub_tree_follow_its_new_place():
    x, y, z = _big("x"), _big("y"), _big("z")
    first = {"a": [x, y], "b": z}
    _remember_origins(first, _prov(first))
    # y moves from a[1] to a[0]: same lines, other origins
    second = {"a": [y], "b": z}
    prov = _prov(second)
    got = synthesis.dump_with_origins(second, prov)
    assert got == cold_origins(second, prov)
    assert any(o.source_path[:2] == ("a", 0) for o in got[1])


def test_a_provenance_record_inside_a_remembered_sub_tree_is_honoured():
    x, z = _big("x"), _big("z")
    first = {"a": x, "b": z}
    _remember_origins(first, _prov(first))
    second = {"a": x, "b": z}
    prov = _prov(second)
    prov.mark(x["config"]["inner"], Origin("native_override", "lightspeed-stack.yaml", ("x",)))
    got = synthesis.dump_with_origins(second, prov)
    assert got == cold_origins(second, prov)
    assert any(o.step == "native_override" for o in got[1])
    _remember_origins(first, _prov(first))  # x remembered again (the record kept it out)
    third = {"a": x, "b": z}
    prov = _prov(third)
    prov.mark_key(x, "provider_id", Origin("byok", "lightspeed-stack.yaml"))
    got = synthesis.dump_with_origins(third, prov)
    assert got == cold_origins(third, prov)
    assert any(o.step == "byok" for o in got[1])


def test_the_same_root_dumped_again_after_a_change_in_place_is_dumped_afresh():
    """The memo relies on containers not being changed in place once dumped (documents' data and
    finished syntheses never are). A caller that changes its tree in place and dumps the same
    root again still gets the right text: the same root is never trusted."""
    data = yaml.safe_load(RUN.read_text())
    synthesis.dump_run_yaml(data)
    copy_ = dict(data)
    synthesis.dump_run_yaml(copy_)
    assert synthesis._DUMP_MEMO.prev
    api = next(iter(copy_["providers"]))
    copy_["providers"][api][0]["provider_id"] = "changed-in-place"
    text = synthesis.dump_run_yaml(copy_)
    assert "changed-in-place" in text and text == cold(copy_)


def test_the_origin_walk_writes_every_shape_as_the_dump_and_gives_each_line_its_value():
    """Mappings and lists, empty and nested in each other, long folded scalars under a key and
    as an item, a list of lists: the text is the dump's, and each line's origin is the one of
    the value it shows (lines of a folded scalar share it)."""
    long = "words " * 30
    data = {
        "a": {"empty_map": {}, "empty_list": [], "long": long, "n": 1, "t": True},
        "b": [{}, [], long, [[1, [2, {"x": long}]], []], {"k": [long, {"z": None}]}, "plain"],
        "c": [[{"deep": {"deeper": [1, 2]}}]],
        1: "int key",
    }
    prov = _prov(data)
    text, origins = cold_origins(data, prov)
    assert text == synthesis.dump_run_yaml(data) == synthesis.pyyaml_dump(data)
    lines, paths = synthesis.emit_lines(data, track=True)
    assert len(origins) == len(paths) == text.count("\n")
    root = prov.node[id(data)]
    for path, origin in zip(paths, origins):
        want = root
        for key in path:
            want = want.child(key)
        assert origin == want, path
