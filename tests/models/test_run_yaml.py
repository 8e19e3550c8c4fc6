"""Llama Stack run.yaml: corpus files, unknown keys as warnings, provider rules."""

from __future__ import annotations

import copy

import pytest

from lsc_tui.config.models import validate_run_yaml
from tests.models.conftest import FIXTURES, by_path, load

CORPUS = sorted(p.name for p in (FIXTURES / "run").glob("*.yaml"))


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_run_yaml_has_no_errors(name):
    issues = validate_run_yaml(load(f"run/{name}"))
    assert [i for i in issues if i.severity == "error"] == []


def test_current_lcore_files_are_clean():
    for name in ("lcore-run.yaml", "lcore-default-run.yaml", "lcore-run-ci.yaml", "lcore-openai-remote.yaml"):
        assert validate_run_yaml(load(f"run/{name}")) == [], name


def test_stale_keys_of_older_releases_are_warnings():
    issues = by_path(validate_run_yaml(load("run/ls030-starter.yaml")))
    assert issues[("telemetry",)].code == "unknown-key" and "0.4" in issues[("telemetry",)].message
    assert issues[("registered_resources", "vector_dbs")].severity == "warning"
    old = by_path(validate_run_yaml(load("run/ls0224-meta-reference-gpu.yaml")))
    assert old[("models",)].code == "legacy-key" and "registered_resources.models" in old[("models",)].fix
    assert old[("metadata_store",)].severity == "warning"


def test_minimal_run_yaml_is_clean(run):
    assert validate_run_yaml(run) == []


WHERE = [
    (), ("providers", "inference", 0), ("server",), ("server", "auth"), ("server", "auth", "provider_config"),
    ("storage",), ("storage", "backends", "kv_default"), ("storage", "stores"), ("storage", "stores", "metadata"),
    ("registered_resources",), ("registered_resources", "models", 0), ("vector_stores",),
    ("vector_stores", "default_embedding_model"), ("vector_stores", "chunk_retrieval_params"), ("safety",),
    ("connectors", 0),
]


def _rich(run):
    run.update({
        "server": {"port": 8321, "auth": {"provider_config": {"type": "github_token"}}},
        "storage": {"backends": {"kv_default": {"type": "kv_sqlite", "db_path": "/k.db"},
                                 "sql_default": {"type": "sql_sqlite", "db_path": "/s.db"}},
                    "stores": {"metadata": {"backend": "kv_default", "namespace": "registry"},
                               "inference": {"backend": "sql_default", "table_name": "inference_store"}}},
        "registered_resources": {"models": [{"model_id": "m", "provider_id": "openai"}]},
        "vector_stores": {"default_provider_id": "faiss",
                          "default_embedding_model": {"provider_id": "st", "model_id": "e"},
                          "chunk_retrieval_params": {"chunk_multiplier": 5}},
        "safety": {"default_shield_id": "s"},
        "connectors": [{"connector_id": "c", "url": "http://c"}],
    })
    return run


def test_rich_run_yaml_is_clean(run):
    assert validate_run_yaml(_rich(run)) == []


@pytest.mark.parametrize("where", WHERE, ids=lambda p: ".".join(map(str, p)) or "top")
def test_unknown_key_is_a_warning_at_every_level(run, where):
    data = _rich(run)
    node = data
    for part in where:
        node = node[part]
    node["colour_scheme"] = "blue"
    issues = validate_run_yaml(data)
    assert [(i.path, i.severity, i.code) for i in issues] == [(where + ("colour_scheme",), "warning", "unknown-key")]
    assert "ignores" in issues[0].message


def test_provider_config_is_free_form(run):
    run["providers"]["inference"][0]["config"].update({"anything": {"nested": [1]}, "url": "http://x"})
    assert validate_run_yaml(run) == []


def test_unknown_key_fix_suggests_the_closest_key(run):
    run["providers"]["inference"][0]["provider_typ"] = "remote::openai"
    del run["providers"]["inference"][0]["provider_type"]
    issues = by_path(validate_run_yaml(run))
    assert "`provider_type`" in issues[("providers", "inference", 0, "provider_typ")].fix
    assert issues[("providers", "inference", 0, "provider_type")].severity == "error"


@pytest.mark.parametrize("key", ["provider_id", "provider_type"])
def test_provider_needs_id_and_type(run, key):
    del run["providers"]["inference"][0][key]
    issues = validate_run_yaml(run)
    assert [(i.path, i.severity, i.code) for i in issues] == [(("providers", "inference", 0, key), "error",
                                                                "missing-key")]


def test_disabled_provider_id_is_fine(run):
    run["providers"]["inference"].append({"provider_id": None, "provider_type": "remote::vllm"})
    run["providers"]["inference"].append({"provider_id": "${env.VLLM_URL:+vllm}", "provider_type": "remote::vllm"})
    assert validate_run_yaml(run) == []


def test_api_not_listed_in_apis_is_a_warning(run):
    run["providers"]["safety"] = [{"provider_id": "g", "provider_type": "inline::llama-guard"}]
    (issue,) = validate_run_yaml(run)
    assert (issue.path, issue.severity, issue.code) == (("providers", "safety"), "warning", "api-not-listed")
    run["apis"] = []  # empty apis: every API with providers is served
    assert validate_run_yaml(run) == []


def test_duplicate_provider_id_is_a_warning(run):
    run["providers"]["inference"].append({"provider_id": "openai", "provider_type": "remote::vllm"})
    (issue,) = validate_run_yaml(run)
    assert (issue.path, issue.severity, issue.code) == (("providers", "inference", 1, "provider_id"), "warning",
                                                        "duplicate-id")


def test_routing_table_api_cannot_have_providers(run):
    run["providers"]["models"] = [{"provider_id": "x", "provider_type": "inline::x"}]
    run["apis"].append("models")
    (issue,) = validate_run_yaml(run)
    assert (issue.path, issue.severity) == (("providers", "models"), "error")


def test_distro_name_or_image_name_is_required(run):
    del run["distro_name"]
    (issue,) = validate_run_yaml(run)
    assert (issue.path, issue.code) == (("distro_name",), "missing-key")
    run["image_name"] = "old"
    assert validate_run_yaml(run) == []


def test_providers_is_required(run):
    del run["providers"]
    assert [(i.path, i.code) for i in validate_run_yaml(run)] == [(("providers",), "missing-key")]


@pytest.mark.parametrize("value,ok", [(2, True), ("2", True), ("v1", False), ([2], False)])
def test_version_must_be_a_number(run, value, ok):
    run["version"] = value
    issues = validate_run_yaml(run)
    assert (issues == []) is ok
    if not ok:
        assert issues[0].path == ("version",) and issues[0].severity == "error"


def test_stores_must_name_a_backend_of_the_right_kind(run):
    data = _rich(run)
    data["storage"]["stores"]["metadata"]["backend"] = "sql_default"
    data["storage"]["stores"]["inference"]["backend"] = "missing"
    issues = by_path(validate_run_yaml(data))
    assert issues[("storage", "stores", "metadata", "backend")].code == "wrong-backend-kind"
    assert issues[("storage", "stores", "inference", "backend")].code == "unknown-backend"
    assert "kv_default" in issues[("storage", "stores", "inference", "backend")].message


def test_storage_backend_kind_is_checked(run):
    data = _rich(run)
    data["storage"]["backends"]["kv_default"] = {"type": "kv_sqlit", "db_path": "/x"}
    data["storage"]["backends"]["pg"] = {"type": "kv_postgres"}
    issues = by_path(validate_run_yaml(data))
    assert issues[("storage", "backends", "kv_default", "type")].code == "invalid-value"
    assert "Did you mean kv_sqlite?" in issues[("storage", "backends", "kv_default", "type")].fix
    assert issues[("storage", "backends", "pg", "user")].code == "missing-key"


def test_unknown_api_names_are_warnings(run):
    run["apis"].append("weather")
    (issue,) = validate_run_yaml(run)
    assert (issue.path, issue.severity, issue.code) == (("apis", 1), "warning", "unknown-api")


def test_not_a_mapping():
    (issue,) = validate_run_yaml(["a"])
    assert issue.path == () and issue.severity == "error"


def test_input_is_not_mutated(run):
    data = _rich(run)
    before = copy.deepcopy(data)
    validate_run_yaml(data)
    assert data == before


def test_the_walk_of_fresh_data_finds_the_unknown_keys_the_remembering_walk_finds(run):
    """A command's walk (fresh data: nothing remembered) and the editor's (an edit's copy, every
    untouched container remembered) report the same unknown keys with the same models, in the
    same order, at every level and under unions, lists and mappings of models."""
    from lsc_tui.config.models import run_yaml
    from lsc_tui.config.models.issues import _UNKNOWN_MEMO, walk_unknown_keys

    root = run_yaml.RunConfig
    for data in (load("run/ls030-starter.yaml"), load("run/ls0224-meta-reference-gpu.yaml"), _rich(run)):
        for where in WHERE:
            node = data
            for part in where:
                has = part in node if isinstance(node, dict) else isinstance(node, list) and part < len(node)
                node = node[part] if has else None
            if isinstance(node, dict):
                node["colour_scheme"] = "blue"
        _UNKNOWN_MEMO.pop(root, None)
        fresh = list(walk_unknown_keys(root, data))
        edited = {**data, "image_name": "edited"}  # shares every container with data
        remembered = list(walk_unknown_keys(root, edited))
        assert fresh == remembered and len(fresh) >= 3
