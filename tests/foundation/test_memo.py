"""IdentityMemo, the one identity-keyed memo of the incremental caches: its documented semantics."""

from __future__ import annotations

import gc

import pytest

from lsc_tui.config.memo import IdentityMemo
from lsc_tui.config.models import issues
from lsc_tui.config.synthesis import emit, enrichment


def test_keys_are_identities_not_values():
    memo: IdentityMemo[str] = IdentityMemo()
    a, b = {"k": 1}, {"k": 1}
    memo.put(a, "a")
    assert memo.get(a) == "a"
    assert memo.get(b) is None  # equal, not the same object
    memo.put(b, "b")
    assert (memo.get(a), memo.get(b)) == ("a", "b")


def test_an_entry_keeps_its_key_alive_so_its_id_is_never_another_objects():
    memo: IdentityMemo[str] = IdentityMemo()
    memo.put([1, 2], "first")  # the caller keeps no reference
    gc.collect()
    held = {id(entry[0]) for entry in memo.cur.values()}
    fresh = [[1, 2] for _ in range(1000)]  # would reuse the freed id if the memo let it go
    assert not any(id(x) in held for x in fresh)
    assert all(memo.get(x) is None for x in fresh)


def test_a_tag_qualifies_an_entry():
    memo: IdentityMemo[int] = IdentityMemo()
    node, ann, other = {}, object(), object()
    memo.put(node, 1, ann)
    assert memo.get(node, ann) == 1
    assert memo.get(node, other) is None
    assert memo.get(node) is None


def test_bounded_a_full_generation_is_forgotten_before_a_new_key():
    memo: IdentityMemo[int] = IdentityMemo(maxsize=3)
    keys = [[i] for i in range(4)]
    for i, k in enumerate(keys[:3]):
        memo.put(k, i)
    memo.put(keys[0], 10)  # a key already there: replaced, nothing forgotten
    assert [memo.get(k) for k in keys[:3]] == [10, 1, 2]
    memo.put(keys[3], 3)
    assert [memo.get(k) for k in keys] == [None, None, None, 3]
    assert len(memo.cur) <= 3


def test_generations_keep_what_the_last_walk_made_or_used():
    memo: IdentityMemo[str] = IdentityMemo()
    used, dropped, made = [1], [2], [3]
    memo.put(used, "used")
    memo.put(dropped, "dropped")
    memo.rotate()
    assert memo.get(used) == "used"  # found in the previous generation, carried over
    memo.put(made, "made")
    memo.rotate()
    assert memo.get(used) == "used" and memo.get(made) == "made"
    assert memo.get(dropped) is None  # the last walk did not use it


def test_maxsize_zero_remembers_nothing():
    memo: IdentityMemo[int] = IdentityMemo(maxsize=0)
    key = {}
    assert memo.put(key, 5) == 5
    assert memo.get(key) is None and not memo.cur
    with pytest.raises(ValueError):
        IdentityMemo(maxsize=-1)


def test_pays_only_for_a_new_root_sharing_a_container_with_the_last():
    memo: IdentityMemo[int] = IdentityMemo()
    shared = {"a": 1}
    root = {"x": shared, "y": [1]}
    assert not memo.pays(root)  # first walk
    assert not memo.pays(root)  # the same root again: it may have been changed in place
    edit = dict(root, y=[2])
    assert memo.pays(edit)  # an edit's copy
    assert not memo.pays({"x": {"a": 1}})  # equal but nothing shared
    assert not memo.pays([shared])  # not a mapping


def test_clear_and_forget_entries():
    memo: IdentityMemo[int] = IdentityMemo()
    root, key = {"k": []}, []
    memo.pays(root)
    memo.put(key, 1)
    memo.rotate()
    memo.put(key, 2)
    memo.forget_entries()
    assert memo.get(key) is None and memo.last_root is root
    memo.clear()
    assert memo.last_root is None and len(memo) == 0


def test_the_incremental_caches_are_identity_memos():
    assert isinstance(enrichment._ALIAS_CACHE, IdentityMemo)
    assert isinstance(emit._DUMP_MEMO, IdentityMemo) and isinstance(emit._ORIGIN_MEMO, IdentityMemo)
    assert isinstance(issues._UNWRAPPED, IdentityMemo) and isinstance(issues._UNKNOWN_MEMO, dict)


def test_has_aliases_answers_per_object_not_per_value():
    enrichment._ALIAS_CACHE.clear()
    inner = {"a": 1}
    aliased = {"x": inner, "y": inner}
    plain = {"x": {"a": 1}, "y": {"a": 1}}  # equal to aliased
    assert enrichment.has_aliases(aliased) is True
    assert enrichment.has_aliases(plain) is False
    assert enrichment.has_aliases(aliased) is True  # from the memo
