"""No message or fix ever repeats a secret value, whatever is wrong around it."""

from __future__ import annotations

import copy

from lsc_tui.config.models import validate_lightspeed, validate_run_yaml
from tests.models.conftest import MINIMAL_LCORE, MINIMAL_RUN

# Assembled at run time so no literal secret sits in the repository.
TOKEN = "".join(["sk", "-", "pr0j", "Zq7", "Wm2", "Lx9"])  # 20 characters
SHORT = "".join(["hun", "ter", "2"])  # short enough to be quoted if it were not secret
NUMBER = int("".join(["7731", "9902"]))
LONG = TOKEN * 3


# Policy: values under secret-named keys are never quoted; elsewhere only short values that do
# not look like tokens are (so `type: sqllite` can be answered with "did you mean sqlite?").


def _texts(issues):
    return [i.message for i in issues] + [i.fix for i in issues]


def _assert_absent(issues, *secrets):
    assert issues, "the test must provoke issues"
    for text in _texts(issues):
        for secret in secrets:
            assert str(secret) not in text, text


def test_lightspeed_secrets_in_wrong_places_are_never_echoed():
    data = copy.deepcopy(MINIMAL_LCORE)
    data["llama_stack"]["api_key"] = NUMBER  # SecretStr given an int
    data["authentication"] = {"module": "api-key-token", "api_key_config": {"api_key": [SHORT]}}
    data["database"] = {"postgres": {"db": "d", "user": "u", "password": {"value": SHORT}, "passwrd": SHORT}}
    data["azure_entra_id"] = {"tenant_id": NUMBER, "client_id": SHORT, "client_secret": SHORT, "secret": TOKEN}
    data["conversation_cache"] = {"type": TOKEN, "postgres": {"db": "d", "user": "u", "password": NUMBER}}
    data["rag"] = {"byok": {"stores": [{"rag_id": "r", "vector_db_id": "v", "db_path": "/p", "password": NUMBER,
                                        "backend": TOKEN}]}}
    data["service"]["port"] = LONG
    data["service"]["workers"] = TOKEN
    data["inference"] = {"providers": [{"type": TOKEN, "api_key_env": TOKEN, "id": TOKEN.upper()}]}
    data["shields"] = [{"name": "s", "provider_id": TOKEN, "config": {}}]
    data["vector_store"] = {"default_provider": TOKEN, "providers": [
        {"id": "a", "type": "pgvector", "embedding_model": "m", "embedding_dimension": 3,
         "config": {"password": NUMBER, "api_token": TOKEN}}]}
    data[TOKEN] = SHORT  # an unknown key that is itself a secret
    issues = validate_lightspeed(data)
    _assert_absent(issues, TOKEN, SHORT, NUMBER)
    assert len(issues) >= 12


def test_run_yaml_secrets_are_never_echoed():
    data = copy.deepcopy(MINIMAL_RUN)
    data["storage"] = {"backends": {"kv": {"type": "kv_postgres", "user": "u", "password": NUMBER,
                                           "port": [TOKEN]}},
                       "stores": {"metadata": {"backend": TOKEN}}}
    data["server"] = {"port": TOKEN, "auth": {"provider_config": {"type": TOKEN, "client_secret": SHORT}}}
    data["providers"]["inference"].append({"provider_id": TOKEN, "provider_type": NUMBER,
                                           "config": {"api_key": SHORT}})
    data["providers"]["inference"].append({"provider_id": TOKEN, "provider_type": "remote::x"})
    data["api_key"] = SHORT
    data[TOKEN] = TOKEN
    issues = validate_run_yaml(data)
    _assert_absent(issues, TOKEN, SHORT, NUMBER)
    assert len(issues) >= 6


def test_harmless_short_values_are_quoted_to_help():
    data = copy.deepcopy(MINIMAL_LCORE)
    data["conversation_cache"] = {"type": "sqllite"}
    (issue,) = validate_lightspeed(data)
    assert "'sqllite'" in issue.message and "Did you mean sqlite?" in issue.fix
