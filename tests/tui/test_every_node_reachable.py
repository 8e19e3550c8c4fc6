"""Every node of a config can be reached and edited: lists of mappings (rag.byok.stores, a
provider's config lists, registered_resources.models) get tree entries, one per item, whose form
shows their fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lsc_tui.config.session import EditSession
from lsc_tui.config.fields import flatten, value_at
from lsc_tui.tui.model import build_view

from .conftest import make_app
from .helpers import field_input, settle

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CONFIGS = [
    FIXTURES / "synthesis" / "legacy-lib-byok" / "lightspeed-stack.yaml",
    ROOT / "lsc_tui" / "data" / "demo" / "lightspeed-stack.yaml",
    Path(__file__).parent / "fixtures" / "unified" / "lightspeed-stack.yaml",
    FIXTURES / "session" / "spaced-run.yaml",
    FIXTURES / "corpus" / "llama-stack" / "src" / "llama_stack" / "distributions" / "starter" / "config.yaml",
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_scalar_of_every_file_is_a_field_of_some_tree_entry(config, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    s = EditSession.open(config, cwd=config.parent)
    view = build_view(s)
    unreachable = []
    for doc in s.workspace.documents:
        for path, _node in doc.iter_scalars():
            item = view.find_item(doc.display, tuple(path))
            if item is None:
                unreachable.append(path)
                continue
            rel = tuple(path[len(item.path):])
            fields = [r for r, _v in flatten(value_at(doc.data, item.path) if item.path else doc.data)]
            if not any(rel[:len(r)] == r for r in fields):
                unreachable.append(path)
    assert not unreachable, unreachable[:10]


pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test


async def test_a_byok_store_is_in_the_tree_and_its_fields_are_edited_in_the_form(tmp_path, monkeypatch):
    ws = tmp_path / "byok"
    shutil.copytree(FIXTURES / "synthesis" / "legacy-lib-byok", ws)
    monkeypatch.chdir(ws)
    from lsc_tui.tui.widgets.config_tree import ConfigTree

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        rag = app.view.item_by_key("lightspeed-stack.yaml|rag")
        assert [c.label for c in rag.children] == ["byok.stores"]
        assert [c.label for c in rag.children[0].children] == ["docs", "pg"]
        tree = app.query_one(ConfigTree)
        assert tree.select_key("lightspeed-stack.yaml|rag.byok.stores[1]")
        tree.focus()
        await settle(app, pilot)
        editor = app.query_one("#editor")
        assert editor.item.path == ("rag", "byok", "stores", 1)
        inp = field_input(app, "host")
        inp.focus()
        await pilot.pause()
        inp.value = "${env.PG_HOST:=pg2.example.com}"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "host: ${env.PG_HOST:=pg2.example.com}" in app.session.text_of(ws / "lightspeed-stack.yaml")
        # the section's form says where its lists are
        assert tree.select_key("lightspeed-stack.yaml|rag")
        await settle(app, pilot)
        shown = " ".join(str(w.render()) for w in editor.query(".form-empty, Static"))
        assert "in the tree under this node: byok.stores" in shown
