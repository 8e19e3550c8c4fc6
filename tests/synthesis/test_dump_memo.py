"""dump_run_yaml remembers the lines of unchanged sub-trees between dumps: same text as a cold dump."""

import copy
import random
from pathlib import Path

import yaml

from lsc_tui.config import synthesis
from lsc_tui.config.yamlio import _path_copy_set

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
    """Dump twice: fresh data is dumped plainly and noted, the second dump fills the memo."""
    synthesis.dump_run_yaml(data)
    synthesis.dump_run_yaml(data)
    assert synthesis._DUMP_MEMO.prev


def test_copy_on_write_edits_dump_as_a_cold_dump():
    rng = random.Random(3)
    data = yaml.safe_load(RUN.read_text())
    assert synthesis.dump_run_yaml(data) == cold(data)
    for _ in range(150):
        path = rng.choice(list(_paths(data)))
        value = rng.choice(["x" * rng.randrange(0, 120), rng.randrange(10**6), None, True, "a b " * 30,
                            {"k": [1, 2, {"z": "y"}]}, [], {}, ["p", "q"]])
        data = _path_copy_set(data, path, value)
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
