"""Admission rules of a v1alpha2 LlamaStackDistribution: each CEL rule (R1-R11) and webhook
check, with the operator's message and the field's location (seed 003, spec 002 §4.2)."""

from __future__ import annotations

import pytest

HEAD = """\
apiVersion: llamastack.io/v1alpha2
kind: LlamaStackDistribution
metadata:
  name: my-stack
spec:
  distribution:
    name: starter
"""


def cr(write, body: str, name="cr.yaml"):
    return write(name, HEAD + body.lstrip("\n"))


def expand_err(cli, path, *extra):
    code, out, err = cli("expand", path, *extra)
    return code, out, err


@pytest.mark.parametrize("section, body, line", [
    ("providers", """
  providers:
    inference:
    - provider: vllm
  overrideConfig:
    configMapName: full
""", 8),
    ("resources", """
  resources:
    tools: [websearch]
  overrideConfig:
    configMapName: full
""", 8),
    ("storage", """
  storage:
    kv: {type: sqlite}
  overrideConfig:
    configMapName: full
""", 8),
    ("disabled", """
  disabled: [eval]
  overrideConfig:
    configMapName: full
""", 8),
])
def test_r1_to_r4_override_config_is_exclusive(cli, write, section, body, line):
    p = cr(write, body)
    code, out, err = expand_err(cli, p)
    assert code == 1 and out == ""
    assert f'cr.yaml:{line}:3: error: cel-override-exclusive: spec: Invalid value: "object": ' \
           f"{section} and overrideConfig are mutually exclusive" in err


def test_r5_distribution_name_xor_image(cli, write):
    p = write("cr.yaml", HEAD + "    image: quay.io/org/img:1\n")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:6:3: error: cel-distribution: spec.distribution: Invalid value: "object": ' \
           "only one of name or image can be specified" in err


def test_r5_distribution_needs_one(cli, write):
    p = write("cr.yaml", HEAD.replace("    name: starter\n", "    {}\n").replace("distribution:\n    {}",
                                                                                  "distribution: {}"))
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'spec.distribution: Invalid value: "object": one of name or image must be specified' in err


def test_r6_lists_of_two_need_ids(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      endpoint: http://a:8000
    - id: second
      provider: vllm
      endpoint: http://b:8000
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:9:5: error: cel-provider-id: spec.providers.inference: Invalid value: "array": ' \
           "each provider must have an explicit id when multiple providers are specified" in err


def test_r6_single_provider_needs_no_id(cli, write):
    p = cr(write, """
  providers:
    vectorIo:
    - provider: pgvector
""")
    code, out, err = expand_err(cli, p)
    assert code == 0, err
    assert "provider_id: pgvector" in out


def test_r7_explicit_ids_unique_across_types(cli, write):
    p = cr(write, """
  providers:
    inference:
    - id: shared
      provider: vllm
    safety:
    - id: shared
      provider: nvidia
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:13:7: error: cel-provider-id-unique: spec.providers: Invalid value: "object": provider IDs must ' \
           'be unique across all provider types; duplicate ID "shared" at spec.providers.inference[0] and ' \
           "spec.providers.safety[0]" in err


def test_r7_auto_ids_are_checked_by_the_webhook(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: nvidia
    safety:
    - provider: nvidia
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert "webhook-provider-id-unique" in err and 'duplicate ID "nvidia"' in err
    assert "cel-provider-id-unique" not in err  # CEL cannot see auto IDs


def test_r8_disabled_api_with_providers(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
  disabled:
  - inference
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert ("cr.yaml:12:5: error: cel-disabled-conflict: spec.providers.inference conflicts with spec.disabled: "
            "inference API is disabled but has providers configured. Remove the provider configuration or remove "
            "'inference' from the disabled list.") in err


def test_r8_matches_camel_case_names(cli, write):
    p = cr(write, """
  providers:
    toolRuntime:
    - provider: brave-search
  disabled: [tool_runtime]
""")
    code, _, err = expand_err(cli, p)
    assert code == 1 and "spec.providers.toolRuntime conflicts with spec.disabled" in err


def test_r9_tls_enabled_needs_secret_name(cli, write):
    p = cr(write, """
  networking:
    tls:
      enabled: true
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:9:5: error: cel-tls: spec.networking.tls: Invalid value: "object": secretName is required when ' \
           "TLS is enabled" in err


def test_r9_tls_disabled_is_fine(cli, write):
    p = cr(write, """
  networking:
    tls: {enabled: false}
""")
    assert expand_err(cli, p)[0] == 0


def test_r10_redis_needs_endpoint(cli, write):
    p = cr(write, """
  storage:
    kv:
      type: redis
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:9:5: error: cel-storage-kv: spec.storage.kv: Invalid value: "object": endpoint is required when ' \
           "type is redis" in err


def test_r11_postgres_needs_connection_string(cli, write):
    p = cr(write, """
  storage:
    sql:
      type: postgres
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:9:5: error: cel-storage-sql: spec.storage.sql: Invalid value: "object": connectionString is ' \
           "required when type is postgres" in err


def test_fr079c_sqlite_kv_with_endpoint_warns(cli, write):
    p = cr(write, """
  storage:
    kv:
      type: sqlite
      endpoint: redis://r:6379
""")
    code, _, err = expand_err(cli, p)
    assert code == 0
    assert "cr.yaml:11:7: warning: storage-unused-field: spec.storage.kv.endpoint is not used when type is sqlite" in err


def test_webhook_unknown_distribution(cli, write):
    p = write("cr.yaml", HEAD.replace("starter", "nope"))
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert ('cr.yaml:7:5: error: webhook-distribution: spec.distribution.name: Invalid value: "nope": Unknown '
            'distribution "nope". Available distributions: meta-reference-gpu, postgres-demo, remote-vllm, starter') in err


def test_schema_unknown_field_and_enum(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      endpiont: http://x
  storage:
    kv: {type: etcd}
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:11:7: error: crd-schema: unknown field "spec.providers.inference[0].endpiont"' in err
    assert "spec.storage.kv.type: Unsupported value: \"etcd\"" in err


def test_seed_brief_polymorphic_forms_are_rejected_with_fixes(cli, write):
    # The seed's before/after example predates the March revision: object-or-list providers,
    # string models, and the llamastack.ai group.
    p = write("seed.yaml", """\
apiVersion: llamastack.io/v1alpha2
kind: LlamaStackDistribution
metadata:
  name: my-stack
spec:
  distribution:
    name: starter
  providers:
    inference:
      provider: vllm
      endpoint: "http://vllm:8000"
      apiKey:
        secretKeyRef: {name: vllm-creds, key: token}
  resources:
    models: ["llama3.2-8b"]
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert ('seed.yaml:9:5: error: crd-schema: spec.providers.inference: Invalid value: "object": '
            "spec.providers.inference in body must be of type array") in err
    assert "a single provider is a one-element list" in err
    assert 'spec.resources.models[0]: Invalid value: "string"' in err
    assert "Write each model as an object: `- name: llama3.2-8b`" in err


def test_wrong_api_group(cli, write):
    p = write("cr.yaml", HEAD.replace("llamastack.io", "llamastack.ai"))
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert 'cr.yaml:1:1: error: unknown-api-version: no matches for kind "LlamaStackDistribution" in version ' \
           '"llamastack.ai/v1alpha2"' in err
    assert "Use apiVersion: llamastack.io/v1alpha2" in err


def test_secret_ref_needs_name_and_key(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: openai
      apiKey:
        secretKeyRef: {name: creds}
""")
    code, _, err = expand_err(cli, p)
    assert code == 1 and "spec.providers.inference[0].apiKey.secretKeyRef.key: Required value" in err


def test_all_errors_reported_at_once(cli, write):
    p = cr(write, """
  networking:
    tls: {enabled: true}
  storage:
    kv: {type: redis}
    sql: {type: postgres}
""")
    code, _, err = expand_err(cli, p)
    assert code == 1
    assert err.count(": error: ") == 3


def test_json_schemas_describe_the_formats():
    from lsc_tui.config.operator.models import SCHEMA_MODELS, json_schema

    for kind in SCHEMA_MODELS:
        schema = json_schema(kind)
        assert schema["$schema"].endswith("2020-12/schema")
        assert schema["additionalProperties"] is False
    spec = json_schema("llamastackdistribution-v1alpha2")["$defs"]["ProvidersSpec"]["properties"]
    assert set(spec) == {"inference", "safety", "vectorIo", "toolRuntime", "telemetry"}
