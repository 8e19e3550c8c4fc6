"""Where a new provider goes, which id a rename changes, which types the editor suggests."""

from __future__ import annotations

import pytest

from lsc_tui.config import outline
from lsc_tui.config.provider_edits import NoPlaceForProvider, append_index, new_provider_place, rename_id_key
from lsc_tui.config.provider_types import SUGGESTED, suggestions


def _item(ws, key):
    for root in outline.outline(ws, {}, {}):
        for item in root.walk():
            if item.key == key:
                return item
    raise KeyError(key)


def test_a_legacy_config_takes_a_new_provider_in_its_run_yaml(legacy_ws):
    place = new_provider_place(legacy_ws, _item(legacy_ws, "lightspeed-stack.yaml|"))
    assert not place.high_level
    assert place.display == "run.yaml" and place.file == legacy_ws.run_yaml.path
    assert place.api == "inference"
    # every known API, plus the ones the run.yaml already has
    assert "custom_api" in place.apis and set(SUGGESTED) <= set(place.apis)
    assert list(place.apis) == sorted(place.apis)


def test_a_run_yaml_node_takes_it_itself_under_its_api(legacy_ws):
    place = new_provider_place(legacy_ws, _item(legacy_ws, "run.yaml|providers.custom_api"))
    assert (place.display, place.api, place.high_level) == ("run.yaml", "custom_api", False)


def test_a_unified_config_takes_a_high_level_entry(unified_ws):
    root = new_provider_place(unified_ws, _item(unified_ws, "lightspeed-stack.yaml|"))
    assert root.list_path == ("inference", "providers") and list(root.types) == suggestions("hl-inference", None)
    vector = new_provider_place(unified_ws, _item(unified_ws, "lightspeed-stack.yaml|vector_store.providers[0]"))
    assert vector.list_path == ("vector_store", "providers") and list(vector.types) == ["faiss", "pgvector"]
    assert append_index(unified_ws.config.data, vector.list_path) == 1
    assert append_index(unified_ws.config.data, ("nowhere", "providers")) == 0


def test_a_legacy_config_without_a_run_yaml_says_where_to_add_instead(tmp_path):
    from lsc_tui.config.workspace import load_workspace

    (tmp_path / "lightspeed-stack.yaml").write_text("name: t\nllama_stack:\n  use_as_library_client: false\n"
                                                    "  url: http://llama:8321\n")
    ws = load_workspace(tmp_path / "lightspeed-stack.yaml", cwd=tmp_path, validate=False)
    with pytest.raises(NoPlaceForProvider, match=r"no run\.yaml to add a provider to; use inference\.providers"):
        new_provider_place(ws, _item(ws, "lightspeed-stack.yaml|"))


def test_a_custom_resource_is_edited_as_yaml(llsd_ws):
    with pytest.raises(NoPlaceForProvider, match=r"spec\.providers"):
        new_provider_place(llsd_ws, _item(llsd_ws, "llsd.yaml|"))


def test_nothing_selected_places_nothing(legacy_ws):
    assert new_provider_place(legacy_ws, None) is None


def test_rename_changes_the_id_key_of_the_nodes_kind():
    assert rename_id_key("provider") == "provider_id"
    assert rename_id_key("hl-inference") == rename_id_key("hl-vector") == "id"
    assert rename_id_key("mcp") == "name"
    assert rename_id_key("section") is None and rename_id_key("entry") is None
