"""A node's fields for the form: which there are, which are secret, typed text back into values."""

from __future__ import annotations

import pytest

from lsc_tui.config.envref import suggest_name
from lsc_tui.config.fields import flatten, is_secret_field, lists_of_mappings, parse_value, show_value, value_at


def test_flatten_lists_leaf_fields_and_leaves_lists_of_mappings_to_their_own_nodes():
    node = {"provider_id": "p", "config": {"url": "http://x", "tls": {"verify": False}, "tags": ["a", "b"],
                                           "routes": [{"name": "a"}]}}
    assert flatten(node) == [(("provider_id",), "p"), (("config", "url"), "http://x"),
                             (("config", "tls", "verify"), False), (("config", "tags"), ["a", "b"])]
    assert list(lists_of_mappings(node)) == [(("config", "routes"), [{"name": "a"}])]
    assert flatten("scalar") == [((), "scalar")]


def test_value_at_follows_keys_and_indexes_and_says_none_where_the_path_ends():
    data = {"a": [{"b": 1}]}
    assert value_at(data, ("a", 0, "b")) == 1
    assert value_at(data, ("a", 3)) is None and value_at(data, ("x",)) is None and value_at(None, ("a",)) is None


@pytest.mark.parametrize("text, original, expected", [
    ("yes", False, True), ("OFF", True, False), ("${env.TLS}", True, "${env.TLS}"),
    (" 42 ", 1, 42), ("${env.PORT}", 8080, "${env.PORT}"), ("2.5", 1.0, 2.5),
    ("[a, b]", ["x"], ["a", "b"]), ("", ["x"], []), ("", None, None), ("{k: 1}", None, {"k": 1}),
    ("free text", "old", "free text"),
])
def test_parse_value_reads_the_text_as_the_fields_kind(text, original, expected):
    assert parse_value(text, original) == expected


@pytest.mark.parametrize("text, original, message", [
    ("maybe", True, "expects true or false"), ("4x", 1, "expects a whole number"), ("x", 1.5, "expects a number"),
    ("a", ["x"], "expects a list"), ("[unclosed", None, "is not valid YAML"),
])
def test_parse_value_refuses_text_of_another_kind_with_a_message(text, original, message):
    with pytest.raises(ValueError, match=message):
        parse_value(text, original)


@pytest.mark.parametrize("value", [True, 3, 2.5, ["a", "b"], "text", None])
def test_show_value_and_parse_value_round_trip(value):
    assert parse_value(show_value(value), value) == value


def test_a_field_is_secret_by_scan_by_key_or_by_look_but_never_as_a_pure_env_reference():
    scanned = {("run.yaml", ("config", "token"))}
    assert is_secret_field("run.yaml", ("config", "token"), "plain-looking", scanned)
    assert is_secret_field("run.yaml", ("config", "password"), "hunter2", set())
    assert is_secret_field("run.yaml", ("config", "note"), "ghp_" + "a1B2" * 9, set())  # a GitHub token
    assert not is_secret_field("run.yaml", ("config", "password"), "${env.PG_PASSWORD}", set())
    assert not is_secret_field("run.yaml", ("config", "url"), "http://vllm:8000/v1", set())
    assert not is_secret_field("run.yaml", ("config", "password"), True, set())
    assert is_secret_field("run.yaml", ("config", "keys"), ["ok", "ghp_" + "a1B2" * 9], set())


@pytest.mark.parametrize("path, owner, name", [
    (("providers", "inference", 0, "config", "api_token"), "vllm", "VLLM_API_TOKEN"),
    (("vector_store", "providers", 0, "config", "password"), "vs-pg", "VS_PG_PASSWORD"),
    (("service", "auth", "key"), "", "KEY"),
    ((), "", "VALUE"),
    (("x", "token"), "3scale", "_3SCALE_TOKEN"),
])
def test_suggest_name_joins_owner_and_key_as_an_env_variable_name(path, owner, name):
    assert suggest_name(path, owner) == name
