"""Both servers resolve ${env.*} before validating: typed fields take a reference."""

from __future__ import annotations

import copy

import pytest

from lsc_tui.config.models import validate_lightspeed, validate_run_yaml
from tests.models.conftest import MINIMAL_LCORE, MINIMAL_RUN

LCORE_TYPED = [
    (("service", "port"), "${env.PORT}"),
    (("service", "port"), "${env.PORT:=8080}"),
    (("service", "workers"), "${env.WORKERS:=2}"),
    (("service", "auth_enabled"), "${env.AUTH:+true}"),
    (("service", "color_log"), "${env.COLOR:=false}"),
    (("llama_stack", "url"), "http://${env.E2E_LLAMA_HOSTNAME}:8321"),
    (("llama_stack", "url"), "${env.LLAMA_URL}"),
    (("llama_stack", "api_key"), "${env.LLAMA_API_KEY}"),
    (("llama_stack", "timeout"), "${env.TIMEOUT:=180}"),
    (("llama_stack", "use_as_library_client"), "${env.LIBRARY:=true}"),
    (("llama_stack", "config", "baseline"), "${env.BASELINE:=empty}"),
    (("compaction", "threshold_ratio"), "${env.RATIO:=0.5}"),
    (("authentication", "module"), "${env.AUTH_MODULE:=noop}"),
    (("conversation_cache", "type"), "${env.CACHE:=noop}"),
    (("rag", "okp", "rhokp_url"), "${env.RH_SERVER_OKP}"),
    (("rag", "okp", "search_mode"), "${env.OKP_MODE:=hybrid}"),
    (("rlsapi_v1", "quota_subject"), "${env.QUOTA_SUBJECT:=user_id}"),
    (("saved_prompts", "max_prompts_per_user"), "${env.MAX_PROMPTS}"),
]


def _set(data, path, value):
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


@pytest.mark.parametrize("path,value", LCORE_TYPED, ids=lambda x: ".".join(x) if isinstance(x, tuple) else x)
def test_lightspeed_typed_field_takes_a_reference(path, value):
    data = copy.deepcopy(MINIMAL_LCORE)
    _set(data, path, value)
    assert validate_lightspeed(data) == []


def test_typed_list_items_take_a_reference():
    data = copy.deepcopy(MINIMAL_LCORE)
    data["authorization"] = {"access_rules": [{"role": "r", "actions": ["query", "${env.EXTRA_ACTION}"]}]}
    data["inference"] = {"providers": [{"type": "${env.PROVIDER_TYPE:=openai}", "id": "${env.PROVIDER_ID}"}]}
    assert validate_lightspeed(data) == []


@pytest.mark.parametrize("value", ["${env.port}", "${ env.PORT }", "${env.PORT:8080}", "${env.PORT:-8080}", "$PORT"])
def test_forms_the_server_leaves_literal_are_not_references(value):
    data = copy.deepcopy(MINIMAL_LCORE)
    data["service"]["port"] = value
    issues = validate_lightspeed(data)
    assert [(i.path, i.code) for i in issues] == [(("service", "port"), "invalid-type")]
    assert "${env." in issues[0].fix


RUN_TYPED = [
    (("server", "port"), "${env.LLAMA_STACK_PORT:=8321}"),
    (("server", "workers"), "${env.WORKERS}"),
    (("version",), "${env.VERSION:=2}"),
    (("server", "auth", "provider_config", "type"), "${env.AUTH_PROVIDER:+oauth2_token}"),
    (("server", "auth", "provider_config", "verify_tls"), "${env.AUTH_VERIFY_TLS:=true}"),
    (("storage", "backends", "sql_default", "pool_pre_ping"), "${env.POSTGRES_POOL_PRE_PING:=true}"),
]


@pytest.mark.parametrize("path,value", RUN_TYPED, ids=lambda x: ".".join(x) if isinstance(x, tuple) else x)
def test_run_yaml_typed_field_takes_a_reference(path, value):
    data = copy.deepcopy(MINIMAL_RUN)
    data["storage"] = {"backends": {"sql_default": {"type": "sql_postgres", "user": "u"}}}
    if path[:3] == ("server", "auth", "provider_config"):
        data["server"] = {"auth": {"provider_config": {"type": "oauth2_token"}}}
    _set(data, path, value)
    assert validate_run_yaml(data) == []


def test_run_yaml_bad_typed_values_are_errors():
    data = copy.deepcopy(MINIMAL_RUN)
    data["server"] = {"port": 80, "workers": "many"}
    issues = {i.path: i for i in validate_run_yaml(data)}
    assert issues[("server", "port")].code == "invalid-value" and "1024" in issues[("server", "port")].message
    assert issues[("server", "workers")].code == "invalid-type"
    assert all(i.severity == "error" for i in issues.values())


@pytest.mark.parametrize("path,value,expect", [
    (("service", "port"), "${env.PORT:=abc}", "whole number"),
    (("service", "workers"), "${env.WORKERS:=0}", "more than 0"),
    (("llama_stack", "url"), "${env.LLAMA_URL:=localhost:8321}", "URL"),
    (("llama_stack", "timeout"), "${env.TIMEOUT:=}", "whole number"),
    (("authentication", "module"), "${env.AUTH_MODULE:=ldap}", "noop"),
])
def test_a_default_that_would_not_fit_is_a_warning(path, value, expect):
    data = copy.deepcopy(MINIMAL_LCORE)
    _set(data, path, value)
    (issue,) = validate_lightspeed(data)
    assert (issue.path, issue.severity, issue.code) == (path, "warning", "env-default-invalid")
    assert expect in issue.message and "unset" in issue.message


def test_defaults_that_fit_and_optional_empties_are_fine():
    data = copy.deepcopy(MINIMAL_LCORE)
    _set(data, ("service", "port"), "${env.PORT:=8080}")
    _set(data, ("service", "auth_enabled"), "${env.AUTH:=FALSE}")
    _set(data, ("inference", "default_model"), "${env.MODEL:=}")
    _set(data, ("inference", "default_provider"), "${env.PROVIDER:=}")
    _set(data, ("llama_stack", "url"), "${env.LLAMA_URL:=http://localhost:8321}")
    assert validate_lightspeed(data) == []


def test_a_numeric_secret_default_is_flagged_without_showing_it():
    data = copy.deepcopy(MINIMAL_LCORE)
    digits = "".join(["90", "21", "77"])
    _set(data, ("llama_stack", "api_key"), "${env.LLAMA_KEY:=" + digits + "}")
    (issue,) = validate_lightspeed(data)
    assert issue.code == "env-default-invalid" and digits not in issue.message + issue.fix


def test_run_yaml_default_that_would_not_fit():
    data = copy.deepcopy(MINIMAL_RUN)
    data["server"] = {"port": "${env.LLAMA_STACK_PORT:=80}"}
    (issue,) = validate_run_yaml(data)
    assert (issue.path, issue.code) == (("server", "port"), "env-default-invalid")
    assert "Llama Stack" in issue.fix


# The workspace passes the text a file was read from: a text that cannot hold a `:=` default
# skips the check, and every way of writing one in YAML still reaches it.
_RUN_TEXT = """version: 2
apis: [inference]
providers:
  inference:
  - provider_id: p
    provider_type: remote::vllm
server:
  port: {port}
"""


@pytest.mark.parametrize("written", [
    "${env.LLAMA_STACK_PORT:=80}",                # plain
    "'${env.LLAMA_STACK_PORT:=80}'",              # single-quoted
    '"${env.LLAMA_STACK_PORT\\x3a=80}"',          # double-quoted, the colon escaped
    '"${env.LLAMA_STACK_PORT:\\\n   =80}"',       # double-quoted, the line broken by a backslash
    '|-\n    ${env.LLAMA_STACK_PORT:=80}',         # a block scalar
], ids=["plain", "single", "escaped", "escaped-break", "block"])
def test_a_default_is_found_in_the_text_however_it_is_written(written, tmp_path):
    import yaml

    from lsc_tui.config.models.validate import may_have_env_defaults
    from lsc_tui.config.workspace import load_workspace

    text = _RUN_TEXT.format(port=written)
    data = yaml.safe_load(text)
    assert data["server"]["port"] == "${env.LLAMA_STACK_PORT:=80}"
    assert may_have_env_defaults(text)
    (issue,) = [i for i in validate_run_yaml(data, text) if i.code == "env-default-invalid"]
    assert issue.path == ("server", "port")
    run = tmp_path / "run.yaml"
    run.write_text(text)
    codes = [(f.code, f.path) for f in load_workspace(run).findings]
    assert ("env-default-invalid", ("server", "port")) in codes


def test_a_text_without_defaults_skips_the_check_with_the_same_result():
    import yaml

    from lsc_tui.config.models.validate import may_have_env_defaults

    text = _RUN_TEXT.format(port="'${env.LLAMA_STACK_PORT}'") + "image_name: 'a single-quoted:\n  =folded'\n"
    data = yaml.safe_load(text)
    assert not may_have_env_defaults(text)
    assert validate_run_yaml(data, text) == validate_run_yaml(data)
