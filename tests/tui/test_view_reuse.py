"""The editor's view after a keystroke keeps the trees nothing of the edit shows in.

A field edit that changes no label (a URL, a port, a key's value) leaves every document's tree
as the previous view had it: ``build_view`` keeps those items instead of building thousands
again, and the tree widget then has nothing to do. Here random edits of real workspaces, many
of them of the names, types and profiles the tree does show, are compared with a view built
from nothing."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from lsc_tui.config import outline
from lsc_tui.config.session import EditSession, OperationError, SetValue
from lsc_tui.tui import model
from lsc_tui.tui.model import build_view

from .conftest import DEMO, UNIFIED

ROOT = Path(__file__).resolve().parents[2]


def _flat(items) -> list:
    out = []
    for root in items:
        for item in root.walk():
            out.append((item.key, item.label, item.kind, item.display, item.path, item.api, item.detail,
                        tuple(sorted(item.states)), item.folded, len(item.children)))
    return out


def _fresh_tree(session) -> list:
    kept = model._BUILT.pop(session, None)
    try:
        return _flat(build_view(session).tree)
    finally:
        if kept is not None:
            model._BUILT[session] = kept


def _edits(session, rng):
    """(file, path, old value) of scalars, those the tree shows (names, types, profiles) more often."""
    shown = outline.ENTRY_KEYS | outline.PROFILE_KEYS
    out = []
    for doc in session.workspace.documents:
        for path, node in doc.iter_scalars():
            if path:
                weight = 6 if isinstance(path[-1], str) and path[-1] in shown else 1
                out.extend([(doc.path, path, node.value)] * weight)
    return rng.choice(out)


def _value(rng, old):
    choice = rng.randrange(6)
    if choice == 0:
        return rng.choice(["remote::openai", "inline::faiss", "", "x", "run.yaml", "default", "empty"])
    if choice == 1:
        return rng.choice([1, True, None, "http://u:p@h/x"])
    if isinstance(old, str) and old:
        pos = rng.randrange(len(old) + 1)
        return old[:pos] + rng.choice("abz-_.:") + old[pos:]
    return "v" + str(rng.randrange(100))


WORKSPACES = [DEMO, UNIFIED, ROOT / "tests" / "fixtures" / "synthesis" / "legacy-lib-byok"]


@pytest.mark.parametrize("source", WORKSPACES, ids=lambda p: p.name)
@pytest.mark.parametrize("seed", range(3))
def test_the_views_trees_after_random_edits_equal_trees_built_anew(source, seed, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(source, ws)
    session = EditSession.open(ws / "lightspeed-stack.yaml", cwd=ws)
    build_view(session)
    rng = random.Random(seed)
    kept = 0
    for _ in range(40):
        before = {b.doc.display: b.item for b in model._BUILT[session].values()}
        if rng.random() < 0.1 and session.can_undo:
            session.undo()
        else:
            file, path, old = _edits(session, rng)
            try:
                session.apply(SetValue(file, path, _value(rng, old)))
            except OperationError:
                continue
        view = build_view(session)
        kept += sum(before.get(item.display) is item for item in view.tree)
        assert _flat(view.tree) == _fresh_tree(session)
    assert kept  # the shortcut was taken


def test_a_keystroke_in_a_url_keeps_every_tree_item(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    session = EditSession.open(ws / "lightspeed-stack.yaml", cwd=ws)
    doc, path, url = next((d, p, n.value) for d in session.workspace.documents for p, n in d.iter_scalars()
                          if p and p[-1] == "url" and isinstance(n.value, str) and not isinstance(p[-2], int))
    session.apply(SetValue(doc.path, path, url + "a"))
    first = build_view(session)
    session.apply(SetValue(doc.path, path, url + "ab"))
    second = build_view(session)
    assert all(a is b for a, b in zip(first.tree, second.tree, strict=True))
    assert second.item_by_key(first.tree[0].key) is first.tree[0]
    # a provider's name is a label: that document's tree is built again, and shows it
    entry = next((d, p) for d in session.workspace.documents for p, n in d.iter_scalars()
                 if len(p) >= 2 and p[-1] == "provider_id" and isinstance(p[-2], int))
    session.apply(SetValue(entry[0].path, entry[1], "renamed-provider"))
    third = build_view(session)
    assert any(item.label == "renamed-provider" for root in third.tree for item in root.walk())
