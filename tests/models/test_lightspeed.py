"""lightspeed-stack.yaml: corpus files, unknown keys, LCORE's rules, located issues."""

from __future__ import annotations

import copy

import pytest

from lsc_tui.config.models import ModelIssue, validate_lightspeed
from tests.models.conftest import FIXTURES, MINIMAL_LCORE, by_path, load

GOOD = sorted(p.name for p in (FIXTURES / "lightspeed").glob("*.yaml") if p.name != "shields.yaml")


@pytest.mark.parametrize("name", GOOD)
def test_corpus_config_validates(name):
    assert validate_lightspeed(load(f"lightspeed/{name}")) == []


def test_stale_shields_example_is_reported_at_the_identifier_keys():
    issues = validate_lightspeed(load("lightspeed/shields.yaml"))
    assert {(i.path, i.code) for i in issues} == {
        (("shields", 0, "identifier"), "unknown-key"), (("shields", 0, "name"), "missing-key"),
        (("shields", 1, "identifier"), "unknown-key"), (("shields", 1, "name"), "missing-key"),
    }
    assert all(i.severity == "error" for i in issues)
    unknown = by_path(issues)[("shields", 0, "identifier")]
    assert "`name`" in unknown.fix
    assert "shields[0].identifier" in unknown.message
    assert "rename `identifier` to `name`" in by_path(issues)[("shields", 1, "name")].fix.lower()


def test_minimal_config_is_clean(lcore):
    assert validate_lightspeed(lcore) == []


# -- unknown keys at every level ----------------------------------------------------------------

RICH = {
    "name": "rich",
    "service": {"port": 8080, "cors": {"allow_origins": ["https://a.example"]}, "tls_config": {}},
    "llama_stack": {"use_as_library_client": True,
                    "config": {"baseline": "empty", "native_override": {"anything": {"goes": 1}}}},
    "user_data_collection": {},
    "database": {"postgres": {"db": "d", "user": "u", "password": "${env.PG_PASSWORD}"}},
    "mcp_servers": [{"name": "m", "url": "http://mcp:8080", "require_approval": {"always": ["t1"]}}],
    "authentication": {"module": "jwk-token",
                       "jwk_config": {"url": "https://keys.example/jwks",
                                      "jwt_configuration": {"role_rules": [
                                          {"jsonpath": "$.groups[*]", "operator": "contains", "value": "a",
                                           "roles": ["r"]}]}}},
    "authorization": {"access_rules": [{"role": "r", "actions": ["query"]}]},
    "customization": {"system_prompt": "hi"},
    "inference": {"providers": [{"type": "openai", "api_key_env": "OPENAI_API_KEY", "extra": {"free": "form"}}]},
    "conversation_cache": {"type": "memory", "memory": {"max_entries": 10}},
    "compaction": {},
    "approvals": {},
    "vector_store": {"default_provider": "pg",
                     "providers": [{"id": "pg", "type": "pgvector", "embedding_model": "m", "embedding_dimension": 8,
                                    "config": {"host": "db"}}]},
    "a2a_state": {"sqlite": {"db_path": "/tmp/a2a.db"}},
    "quota_handlers": {"limiters": [{"type": "user_limiter", "name": "l", "initial_quota": 1, "quota_increase": 1,
                                     "period": "1 day"}], "scheduler": {}},
    "azure_entra_id": {"tenant_id": "${env.T}", "client_id": "${env.C}", "client_secret": "${env.S}"},
    "rlsapi_v1": {},
    "splunk": {"enabled": False},
    "observability": {"otel": {}},
    "rag": {"byok": {"stores": [{"rag_id": "docs", "vector_db_id": "v", "db_path": "/tmp/docs"}]},
            "okp": {}, "retrieval": {"inline": {"sources": ["docs", "okp"], "reranker": {}}, "tool": {}}},
    "skills": {"paths": []},
    "saved_prompts": {},
    "shields": [{"name": "s", "provider_id": "redaction",
                 "config": {"rules": [{"pattern": "a+", "replacement": "b"}]}},
                {"name": "q", "provider_id": "question_validity", "config": {"model_id": "m"}}],
}

MAPPINGS = [
    (), ("service",), ("service", "cors"), ("service", "tls_config"), ("llama_stack",), ("llama_stack", "config"),
    ("user_data_collection",), ("database",), ("database", "postgres"), ("mcp_servers", 0),
    ("mcp_servers", 0, "require_approval"), ("authentication",), ("authentication", "jwk_config"),
    ("authentication", "jwk_config", "jwt_configuration"),
    ("authentication", "jwk_config", "jwt_configuration", "role_rules", 0), ("authorization",),
    ("authorization", "access_rules", 0), ("customization",), ("inference",), ("inference", "providers", 0),
    ("conversation_cache",), ("conversation_cache", "memory"), ("compaction",), ("approvals",), ("vector_store",),
    ("vector_store", "providers", 0), ("vector_store", "providers", 0, "config"), ("a2a_state",),
    ("a2a_state", "sqlite"), ("quota_handlers",), ("quota_handlers", "limiters", 0),
    ("quota_handlers", "scheduler"), ("azure_entra_id",), ("rlsapi_v1",), ("splunk",), ("observability",),
    ("rag",), ("rag", "byok"), ("rag", "byok", "stores", 0), ("rag", "okp"), ("rag", "retrieval"),
    ("rag", "retrieval", "inline"), ("rag", "retrieval", "inline", "reranker"), ("skills",), ("saved_prompts",),
    ("shields", 0), ("shields", 0, "config"), ("shields", 0, "config", "rules", 0), ("shields", 1, "config"),
]


def _node(data, path):
    for part in path:
        data = data[part]
    return data


def test_rich_config_is_clean():
    assert validate_lightspeed(copy.deepcopy(RICH)) == []


@pytest.mark.parametrize("where", MAPPINGS, ids=lambda p: ".".join(map(str, p)) or "top")
def test_unknown_key_is_an_error_at_every_level(where):
    data = copy.deepcopy(RICH)
    _node(data, where)["bogus_setting"] = 1
    issues = validate_lightspeed(data)
    assert issues == [issues[0]] and issues[0].path == where + ("bogus_setting",), issues
    assert issues[0].severity == "error" and issues[0].code == "unknown-key"


@pytest.mark.parametrize("where", [("llama_stack", "config", "native_override"), ("inference", "providers", 0, "extra"),
                                   ("customization",)])
def test_free_form_blocks_take_any_key(where):
    data = copy.deepcopy(RICH)
    target = _node(data, where)
    if where == ("customization",):
        target["agent_card_config"] = {"whatever": {"nested": [1, 2]}}
    else:
        target["whatever_key"] = {"nested": True}
    assert validate_lightspeed(data) == []


@pytest.mark.parametrize("where,typo,meant", [
    ((), "servce", "service"), (("service",), "prot", "port"),
    (("llama_stack",), "use_as_library", "use_as_library_client"),
    (("inference", "providers", 0), "api_key_environment", "api_key_env"),
    (("rag", "byok", "stores", 0), "ragid", "rag_id"),
])
def test_unknown_key_fix_suggests_the_closest_key(where, typo, meant):
    data = copy.deepcopy(RICH)
    _node(data, where)[typo] = 1
    (issue,) = [i for i in validate_lightspeed(data) if i.code == "unknown-key"]
    assert f"Did you mean `{meant}`?" in issue.fix


def test_keys_moved_by_lcore_07_say_where_they_went(lcore):
    lcore["byok_rag"] = [{"rag_id": "x"}]
    (issue,) = validate_lightspeed(lcore)
    assert issue.path == ("byok_rag",) and "rag.byok.stores" in issue.message + issue.fix


# -- required keys, aliases, loader-owned checks --------------------------------------------------


@pytest.mark.parametrize("key", ["name", "service", "user_data_collection"])
def test_required_top_level_keys(lcore, key):
    del lcore[key]
    (issue,) = validate_lightspeed(lcore)
    assert (issue.path, issue.code, issue.severity) == ((key,), "missing-key", "error")
    assert f"`{key}`" in issue.message


def test_ogx_is_an_alias_of_llama_stack(lcore):
    block = lcore.pop("llama_stack")
    assert validate_lightspeed(lcore) == []  # a missing block is the workspace loader's finding
    lcore["ogx"] = block
    assert validate_lightspeed(lcore) == []
    lcore["ogx"]["bogus"] = 1
    assert [i.path for i in validate_lightspeed(lcore)] == [("ogx", "bogus")]


def test_format_version_and_baseline_values_are_left_to_the_loader(lcore):
    lcore["config_format_version"] = "unified"
    assert validate_lightspeed(lcore) == []
    lcore["config_format_version"] = "v3"
    lcore["llama_stack"]["config"]["baseline"] = "fancy"
    assert validate_lightspeed(lcore) == []
    lcore["llama_stack"]["config"]["baseline"] = "byo-llm"
    lcore["config_format_version"] = "legacy"
    assert validate_lightspeed(lcore) == []


def test_not_a_mapping():
    for data in (None, [], "text", 3):
        (issue,) = validate_lightspeed(data)
        assert issue.path == () and issue.code == "invalid-type"


def test_odd_keys_do_not_crash(lcore):
    lcore[1] = "x"
    lcore["service"][True] = 2
    lcore["service"][None] = 3
    issues = validate_lightspeed(lcore)
    assert issues and all(isinstance(i, ModelIssue) for i in issues)


# -- types and values ---------------------------------------------------------------------------


@pytest.mark.parametrize("path,value,code", [
    (("service", "port"), "eighty", "invalid-type"),
    (("service", "port"), 70000, "invalid-value"),
    (("service", "port"), 0, "invalid-value"),
    (("service", "workers"), -1, "invalid-value"),
    (("service", "auth_enabled"), "maybe", "invalid-type"),
    (("service", "root_path"), "api/", "invalid-value"),
    (("service", "cors"), "open", "invalid-type"),
    (("llama_stack", "url"), "localhost:8321", "invalid-value"),
    (("llama_stack", "timeout"), 1.5, "invalid-type"),
    (("llama_stack", "config", "native_override"), ["list"], "invalid-type"),
    (("compaction", "threshold_ratio"), 1.5, "invalid-value"),
    (("inference", "providers"), {"type": "openai"}, "invalid-type"),
    (("saved_prompts", "max_prompts_per_user"), 500, "invalid-value"),
    (("authentication", "module"), "ldap", "invalid-value"),
    (("name",), ["a"], "invalid-type"),
])
def test_wrong_values_are_located(lcore, path, value, code):
    target = lcore
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
    issues = validate_lightspeed(lcore)
    assert [(i.path, i.code) for i in issues] == [(path, code)], issues
    assert "`" + ".".join(path) + "`" in issues[0].message
    assert issues[0].fix


def test_literal_error_lists_the_choices_and_the_closest(lcore):
    lcore["inference"] = {"providers": [{"type": "openaii"}]}
    (issue,) = validate_lightspeed(lcore)
    assert issue.path == ("inference", "providers", 0, "type")
    assert "vllm_rhaiis" in issue.message and "'openaii'" in issue.message
    assert "Did you mean openai?" in issue.fix


def test_provider_id_pattern(lcore):
    lcore["inference"] = {"providers": [{"type": "vllm", "id": "My.Provider"}, {"type": "vllm", "id": " ok-id_2 "}]}
    (issue,) = validate_lightspeed(lcore)
    assert issue.path == ("inference", "providers", 0, "id") and "lower-case" in issue.message


def test_union_failure_is_reported_once_where_it_happened(lcore):
    lcore["mcp_servers"] = [{"name": "a", "url": "u", "require_approval": "sometimes"},
                            {"name": "b", "url": "u", "require_approval": {"always": ["x"], "nevr": ["y"]}}]
    issues = validate_lightspeed(lcore)
    assert [(i.path, i.code) for i in issues] == [
        (("mcp_servers", 0, "require_approval"), "invalid-type"),
        (("mcp_servers", 1, "require_approval", "nevr"), "unknown-key"),
    ]
    assert "always" in issues[0].message and "mapping" in issues[0].message
    assert "`never`" in issues[1].fix


def test_discriminated_lists(lcore):
    lcore["shields"] = [{"name": "a", "provider_id": "llama_guard", "config": {}}]
    lcore["vector_store"] = {"default_provider": "x", "providers": [
        {"id": "x", "embedding_model": "m", "embedding_dimension": 3, "config": {"path": "/p"}}]}
    issues = by_path(validate_lightspeed(lcore))
    assert issues[("shields", 0, "provider_id")].code == "invalid-value"
    assert "redaction" in issues[("shields", 0, "provider_id")].message
    assert issues[("vector_store", "providers", 0, "type")].code == "missing-key"
    assert len(issues) == 2


def test_nothing_is_checked_on_the_filesystem(lcore, tmp_path):
    missing = str(tmp_path / "nowhere" / "file.pem")
    lcore["service"]["tls_config"] = {"tls_certificate_path": missing, "tls_key_path": missing}
    lcore["user_data_collection"] = {"feedback_enabled": True, "feedback_storage": str(tmp_path / "no" / "dir")}
    lcore["customization"] = {"system_prompt_path": missing, "profile_path": missing, "agent_card_path": missing}
    lcore["llama_stack"] = {"use_as_library_client": True, "library_client_config_path": missing}
    lcore["splunk"] = {"enabled": True, "url": "https://splunk", "token_path": missing, "index": "i"}
    assert validate_lightspeed(lcore) == []


# -- LCORE's cross-field rules ------------------------------------------------------------------


@pytest.mark.parametrize("patch,path,code", [
    ({"inference": {"default_model": "m"}}, ("inference", "default_provider"), "missing-key"),
    ({"inference": {"default_provider": "p"}}, ("inference", "default_model"), "missing-key"),
    ({"vector_store": {"default_provider": "nope", "providers": [
        {"id": "a", "type": "faiss", "embedding_model": "m", "embedding_dimension": 3, "config": {"path": "/p"}}]}},
     ("vector_store", "default_provider"), "invalid-value"),
    ({"vector_store": {"providers": [
        {"id": "a", "type": "faiss", "embedding_model": "m", "embedding_dimension": 3, "config": {"path": "/p"}}]}},
     ("vector_store", "default_provider"), "missing-key"),
    ({"vector_store": {"default_provider": "a"}}, ("vector_store", "default_provider"), "invalid-value"),
    ({"vector_store": {"default_provider": "a", "providers": [
        {"id": "a", "type": "faiss", "embedding_model": "m", "embedding_dimension": 3, "config": {"path": "/p"}},
        {"id": "a", "type": "faiss", "embedding_model": "m", "embedding_dimension": 3, "config": {"path": "/q"}}]}},
     ("vector_store", "providers", 1, "id"), "invalid-value"),
    ({"vector_store": {"default_provider": "byok_x", "providers": [
        {"id": "byok_x", "type": "faiss", "embedding_model": "m", "embedding_dimension": 3,
         "config": {"path": "/p"}}]}},
     ("vector_store", "providers", 0, "id"), "invalid-value"),
    ({"conversation_cache": {"type": "sqlite"}}, ("conversation_cache", "sqlite"), "missing-key"),
    ({"conversation_cache": {"memory": {"max_entries": 5}}}, ("conversation_cache", "type"), "missing-key"),
    ({"conversation_cache": {"type": "memory", "memory": {"max_entries": 5}, "sqlite": {"db_path": "/c"}}},
     ("conversation_cache", "sqlite"), "invalid-value"),
    ({"database": {"sqlite": {"db_path": "/a"}, "postgres": {"db": "d", "user": "u", "password": "${env.P}"}}},
     ("database", "postgres"), "invalid-value"),
    ({"a2a_state": {"sqlite": {"db_path": "/a"}, "postgres": {"db": "d", "user": "u", "password": "${env.P}"}}},
     ("a2a_state", "postgres"), "invalid-value"),
    ({"shields": [{"name": "s", "provider_id": "redaction", "config": {}},
                  {"name": "s", "provider_id": "question_validity", "config": {"model_id": "m"}}]},
     ("shields", 1, "name"), "invalid-value"),
    ({"shields": [{"name": "s", "provider_id": "redaction", "config": {"rules": [
        {"pattern": "(unclosed", "replacement": "x"}]}}]},
     ("shields", 0, "config", "rules", 0, "pattern"), "invalid-value"),
    ({"user_data_collection": {"feedback_enabled": True}}, ("user_data_collection", "feedback_storage"), "missing-key"),
    ({"user_data_collection": {"transcripts_enabled": True}},
     ("user_data_collection", "transcripts_storage"), "missing-key"),
    ({"authentication": {"module": "jwk-token"}}, ("authentication", "jwk_config"), "missing-key"),
    ({"authentication": {"module": "api-key-token"}}, ("authentication", "api_key_config"), "missing-key"),
    ({"rlsapi_v1": {"quota_subject": "org_id"}}, ("rlsapi_v1", "quota_subject"), "invalid-value"),
    ({"rag": {"retrieval": {"tool": {"sources": ["docs"]}}}}, ("rag", "retrieval", "tool", "sources", 0),
     "invalid-value"),
    ({"rag": {"byok": {"stores": [{"rag_id": "a", "vector_db_id": "v"}]}}}, ("rag", "byok", "stores", 0, "db_path"),
     "missing-key"),
    ({"rag": {"byok": {"stores": [{"rag_id": "a", "vector_db_id": "v", "db_path": "/a"},
                                  {"rag_id": "a", "vector_db_id": "w", "db_path": "/b"}]}}},
     ("rag", "byok", "stores", 1, "rag_id"), "invalid-value"),
    ({"service": {"cors": {"allow_credentials": True}}}, ("service", "cors", "allow_credentials"), "invalid-value"),
    ({"splunk": {"enabled": True, "url": "https://s", "index": "i"}}, ("splunk", "token_path"), "missing-key"),
    ({"mcp_servers": [{"name": "m", "url": "u", "headers": ["X-A", "x-a"]}]}, ("mcp_servers", 0, "headers", 1),
     "invalid-value"),
    ({"mcp_servers": [{"name": "m", "url": "u", "require_approval": {"always": ["t"], "never": ["t"]}}]},
     ("mcp_servers", 0, "require_approval", "never"), "invalid-value"),
])
def test_cross_field_rules_point_at_the_key(lcore, patch, path, code):
    lcore.update(copy.deepcopy(patch))
    issues = [i for i in validate_lightspeed(lcore) if i.severity == "error"]
    assert [(i.path, i.code) for i in issues] == [(path, code)], issues
    assert issues[0].fix


def test_noop_cache_ignores_blocks_as_lcore_does(lcore):
    lcore["conversation_cache"] = {"type": "noop", "sqlite": {"db_path": "/c"}, "memory": {"max_entries": 1}}
    assert validate_lightspeed(lcore) == []


def test_rules_hold_when_the_rule_is_met(lcore):
    lcore["inference"] = {"default_model": "m", "default_provider": "p"}
    lcore["conversation_cache"] = {"type": "noop"}
    lcore["rlsapi_v1"] = {"quota_subject": "org_id"}
    lcore["authentication"] = {"module": "rh-identity", "rh_identity_config": {}}
    lcore["user_data_collection"] = {"transcripts_enabled": True, "transcripts_storage": "/t"}
    assert validate_lightspeed(lcore) == []


def test_warnings_for_what_lcore_accepts_but_changes(lcore):
    lcore["inference"] = {"providers": [{"type": "vllm"}, {"type": "vllm"}, {"type": "openai",
                                                                              "api_key_env": "openai-key"}]}
    lcore["mcp_servers"] = [{"name": "k", "url": "u", "authorization_headers": {"Authorization": "kubernetes"}},
                            {"name": "k", "url": "u"}]
    issues = by_path(validate_lightspeed(lcore))
    assert {p: (i.severity, i.code) for p, i in issues.items()} == {
        ("inference", "providers", 1): ("warning", "duplicate-id"),
        ("inference", "providers", 2, "api_key_env"): ("warning", "invalid-value"),
        ("mcp_servers", 0, "authorization_headers", "Authorization"): ("warning", "mcp-server-dropped"),
        ("mcp_servers", 1, "name"): ("warning", "duplicate-name"),
    }
    lcore["authentication"] = {"module": "k8s"}
    assert ("mcp_servers", 0, "authorization_headers", "Authorization") not in by_path(validate_lightspeed(lcore))


def test_messages_are_one_line():
    data = copy.deepcopy(RICH)
    data["service"]["port"] = "x"
    data["rag"]["retrieval"]["tool"]["sources"] = ["missing"]
    data["shields"][0]["config"]["rules"][0]["pattern"] = "(\n"
    for issue in validate_lightspeed(data):
        assert "\n" not in issue.message and "\n" not in issue.fix


def test_minimal_is_not_mutated():
    before = copy.deepcopy(MINIMAL_LCORE)
    validate_lightspeed(MINIMAL_LCORE)
    assert MINIMAL_LCORE == before
