"""The editor's run.yaml validation of an edit's copy (each provider entry's errors remembered,
the rest of the file validated with empty provider lists) gives pydantic's errors for the whole
file, in the same order: on every run.yaml-like fixture, and after edits of every kind."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from lsc_tui.config.models import run_yaml
from lsc_tui.config.models import validate as V

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _run_yaml_fixtures() -> list[Path]:
    out = []
    for path in sorted(FIXTURES.rglob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("providers"), dict) and data["providers"]:
            out.append(path)
    return out


FILES = _run_yaml_fixtures()


def _whole(data):
    return V._errors(run_yaml.RunConfig, data)


def _edited(data, api, index, change):
    """An edit's copy: only the containers along the edited entry's path are new."""
    new = dict(data)
    new["providers"] = dict(data["providers"])
    items = list(new["providers"][api])
    items[index] = change(copy.deepcopy(items[index]))
    new["providers"][api] = items
    return new


def _set(key, value):
    def change(entry):
        if isinstance(entry, dict):
            entry[key] = value
        return entry
    return change


def _drop(key):
    def change(entry):
        if isinstance(entry, dict):
            entry.pop(key, None)
        return entry
    return change


CHANGES = {
    "id-int": _set("provider_id", 123),
    "id-none": _set("provider_id", None),
    "no-id": _drop("provider_id"),
    "no-type": _drop("provider_type"),
    "type-list": _set("provider_type", ["remote::vllm"]),
    "config-list": _set("config", ["a", "b"]),
    "config-int-key": _set("config", {1: "x", "url": "http://h:1"}),
    "not-a-mapping": lambda entry: "remote::vllm",
    "same": lambda entry: entry,
}


def test_the_fixtures_have_run_yaml_files():
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_an_edit_gets_the_whole_files_errors(path, monkeypatch):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.setdefault("apis", [])  # a container the edits share: the data is an edit's copy
    split = []
    real = V._split_errors
    monkeypatch.setattr(V, "_split_errors", lambda d, p: split.append(1) or real(d, p))
    V._ENTRIES.clear()
    assert V._run_yaml_errors(data) == _whole(data)  # fresh data: validated whole
    last = data
    for api, items in data["providers"].items():
        if not isinstance(items, list) or not items:
            continue
        for name, change in CHANGES.items():
            for index in {0, len(items) - 1}:
                new = _edited(last, api, index, change)
                assert V._run_yaml_errors(new) == _whole(new), (api, index, name)
                last = new
    assert split  # the edits were validated split

@pytest.mark.parametrize("where,value", [
    ("version", {"a": 1}),            # a field before providers
    ("apis", "inference"),
    ("storage", "sqlite"),            # a field after providers
    ("server", {"port": "eighty"}),
    ("registered_resources", {"models": "all"}),
])
def test_errors_around_the_providers_keep_their_order(where, value):
    data = {"version": 2, "distro_name": "t", "apis": ["inference", "safety"], "providers": {
        "inference": [{"provider_id": "a", "provider_type": "remote::vllm", "config": {}}, {"provider_id": 7}],
        1: [{"provider_id": "b"}],  # an API name that is not a string (and an entry with an error)
        "safety": ["not a mapping", {"provider_type": "inline::llama-guard", "config": []}],
    }}
    V._ENTRIES.clear()
    V._run_yaml_errors(data)
    new = dict(data)
    new[where] = value
    new["providers"] = dict(data["providers"])
    new["providers"]["safety"] = list(data["providers"]["safety"]) + [{"provider_id": None}]
    expected = _whole(new)
    assert len(expected) >= 6
    assert V._run_yaml_errors(new) == expected


def test_providers_not_lists_are_validated_whole():
    data = {"version": 2, "distro_name": "t", "providers": {"inference": [{"provider_id": "a"}]}}
    V._ENTRIES.clear()
    V._run_yaml_errors(data)
    new = dict(data)
    new["providers"] = {"inference": {"provider_id": "a"}, "safety": None}
    assert V._run_yaml_errors(new) == _whole(new)
    new2 = dict(new)
    new2["providers"] = "inference"
    assert V._run_yaml_errors(new2) == _whole(new2)


def test_an_unchanged_entry_is_not_validated_again(monkeypatch):
    """What makes the editor's keystroke cheaper: only the edited entry is validated."""
    entries = [{"provider_id": f"p{i}", "provider_type": "remote::vllm", "config": {"url": f"http://h{i}:1"}}
               for i in range(50)]
    data = {"version": 2, "distro_name": "t", "apis": ["inference"], "providers": {"inference": entries}}
    V._ENTRIES.clear()
    V._run_yaml_errors(data)
    V._run_yaml_errors(_edited(data, "inference", 3, _set("provider_id", "q")))  # remembers the entries
    seen = []
    real = V._errors
    monkeypatch.setattr(V, "_errors", lambda model, d: seen.append(model) or real(model, d))
    data2 = _edited(data, "inference", 3, _set("provider_id", "r"))
    assert V._run_yaml_errors(data2) == real(run_yaml.RunConfig, data2)
    assert seen == [run_yaml.RunConfig, run_yaml.Provider]  # the rest of the file, and the one new entry
