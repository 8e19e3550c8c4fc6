"""`lsc-tui expand`: v1alpha2 expansion into config.yaml (seed 003, spec 002 §4.3-4.5), the
numbered edge cases, v1alpha1 samples, and compatibility warnings."""

from __future__ import annotations

import json

import stat
from pathlib import Path

import pytest
import yaml

OP_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "operator"
SAMPLES = OP_FIXTURES / "samples"


def load(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


BASE = OP_FIXTURES / "base-small.yaml"

HEAD = """\
apiVersion: llamastack.io/v1alpha2
kind: LlamaStackDistribution
metadata:
  name: my-stack
spec:
  distribution:
    name: starter
"""


def cr(write, body: str, name="cr.yaml", head=HEAD):
    return write(name, head + body.lstrip("\n"))


def expand(cli, path, *extra, base=BASE):
    """Expand and parse stdout (secrets shown, to compare data; masking has its own test)."""
    args = ["expand", path, "--show-secrets"]
    if base is not None:
        args += ["--base", base]
    code, out, err = cli(*args, *extra)
    return code, (yaml.safe_load(out) if out else None), err


# -- provider mapping -----------------------------------------------------------------------------


def test_contract_full_replacement_example(cli, write):
    p = cr(write, """
  providers:
    inference:
    - id: custom-inf
      provider: ollama
      endpoint: "http://ollama:11434"
""")
    code, config, err = expand(cli, p)
    assert code == 0, err
    assert config["providers"]["inference"] == [
        {"provider_id": "custom-inf", "provider_type": "remote::ollama", "config": {"url": "http://ollama:11434"}}]
    # API types the CR does not set keep their base providers
    assert config["providers"]["safety"] == [{"provider_id": "llama-guard", "provider_type": "inline::llama-guard"}]
    assert "dropped: base-inf, embed" in err


def test_api_key_becomes_env_reference_and_deployment_env(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      endpoint: "http://vllm:8000"
      apiKey:
        secretKeyRef: {name: vllm-creds, key: token}
""")
    code, config, err = expand(cli, p)
    assert code == 0, err
    entry = config["providers"]["inference"][0]
    assert entry == {"provider_id": "vllm", "provider_type": "remote::vllm",
                     "config": {"url": "http://vllm:8000", "api_key": "${env.LLSD_VLLM_API_KEY}"}}
    assert "env LLSD_VLLM_API_KEY <- Secret vllm-creds, key token (spec.providers.inference[0].apiKey)" in err


def test_secret_refs_use_provider_id_and_normalised_key(cli, write):
    p = cr(write, """
  providers:
    inference:
    - id: vllm-primary
      provider: vllm
      secretRefs:
        api_token: {secretKeyRef: {name: vllm-creds, key: token}}
    vectorIo:
    - provider: pgvector
      secretRefs:
        host: {secretKeyRef: {name: pg-creds, key: host}}
        db-password: {secretKeyRef: {name: pg-creds, key: password}}
""")
    code, config, err = expand(cli, p)
    assert code == 0, err
    assert config["providers"]["inference"][0]["config"] == {"api_token": "${env.LLSD_VLLM_PRIMARY_API_TOKEN}"}
    assert config["providers"]["vector_io"][0]["config"] == {
        "host": "${env.LLSD_PGVECTOR_HOST}", "db-password": "${env.LLSD_PGVECTOR_DB_PASSWORD}"}


def test_edge_1_settings_pass_through_and_win(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      endpoint: http://vllm:8000
      settings:
        max_tokens: 8192
        base_url: http://vllm:8000/v1
        network: {tls: {verify: false}}
""")
    code, config, err = expand(cli, p)
    assert code == 0, err
    assert config["providers"]["inference"][0]["config"] == {
        "url": "http://vllm:8000", "base_url": "http://vllm:8000/v1", "max_tokens": 8192,
        "network": {"tls": {"verify": False}}}


def test_edge_10_secret_key_ref_in_settings_is_not_resolved(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      settings:
        api_token:
          secretKeyRef: {name: vllm-creds, key: token}
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert config["providers"]["inference"][0]["config"]["api_token"] == {
        "secretKeyRef": {"name": "vllm-creds", "key": "token"}}
    assert "warning: settings-secret-ref: a secretKeyRef inside settings is passed to config.yaml as-is" in err
    assert "Move it to secretRefs.api_token" in err
    assert "LLSD_" not in err


def test_flat_secret_key_ref_is_read_with_a_warning(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: openai
      apiKey: {name: openai-creds, key: key}
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert config["providers"]["inference"][0]["config"]["api_key"] == "${env.LLSD_OPENAI_API_KEY}"
    assert "secret-ref-flat" in err


def test_apis_list_gains_a_new_api(cli, write):
    p = cr(write, """
  providers:
    telemetry:
    - provider: otel
""")
    code, config, err = expand(cli, p, "--llama-stack-version", "0.3")
    assert code == 0
    assert "telemetry" in config["apis"]
    assert "telemetry-removed" not in err


# -- compatibility warnings ----------------------------------------------------------------------


def test_vllm_key_names_warn_for_the_target_version(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      endpoint: http://vllm:8000
      apiKey: {secretKeyRef: {name: c, key: k}}
""")
    code, _, err = expand(cli, p)
    assert code == 0
    assert ("warning: endpoint-key: endpoint becomes config.url, but remote::vllm in Llama Stack 0.7 reads "
            "'base_url'") in err
    assert "warning: api-key-field: apiKey becomes config.api_key, but remote::vllm reads 'api_token'" in err
    code, _, err = expand(cli, p, "--llama-stack-version", "0.3.2")
    assert "endpoint-key" not in err and "api-key-field" in err  # 0.3 read url; api_token in every version


def test_inline_only_provider_and_telemetry_warn(cli, write):
    p = cr(write, """
  providers:
    safety:
    - provider: llama-guard
    telemetry:
    - provider: opentelemetry
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert config["providers"]["safety"] == [{"provider_id": "llama-guard", "provider_type": "remote::llama-guard"}]
    assert "'remote::llama-guard' does not exist in Llama Stack" in err
    assert "the telemetry API was removed in Llama Stack 0.4" in err


def test_bad_version_option_exits_2(cli, write):
    p = cr(write, "")
    code, _, err = expand(cli, p, "--llama-stack-version", "latest")
    assert code == 2 and "--llama-stack-version" in err


# -- resources ----------------------------------------------------------------------------------------


def test_models_go_to_first_inference_provider_or_the_named_one(cli, write):
    p = cr(write, """
  providers:
    inference:
    - id: primary
      provider: vllm
    - id: fallback
      provider: openai
  resources:
    models:
    - name: llama3.2-8b
    - name: gpt-4o
      provider: fallback
      contextLength: 128000
      modelType: llm
      quantization: fp8
""")
    code, config, err = expand(cli, p)
    assert code == 0, err
    models = config["registered_resources"]["models"]
    assert models[0] == {"model_id": "base-model", "provider_id": "base-inf"}  # additive: base kept
    assert models[1] == {"model_id": "llama3.2-8b", "provider_id": "primary", "provider_model_id": "llama3.2-8b",
                         "model_type": "llm", "metadata": {}}
    assert models[2]["provider_id"] == "fallback"
    assert models[2]["metadata"] == {"context_length": 128000, "quantization": "fp8"}


def test_models_without_cr_providers_use_the_base(cli, write):
    p = cr(write, """
  resources:
    models: [{name: m1}]
""")
    code, config, _ = expand(cli, p)
    assert code == 0
    assert config["registered_resources"]["models"][-1]["provider_id"] == "base-inf"


def test_edge_5_model_naming_an_unknown_provider(cli, write):
    p = cr(write, """
  providers:
    inference:
    - id: primary
      provider: vllm
  resources:
    models:
    - name: m
      provider: nope
""")
    code, config, err = expand(cli, p)
    assert code == 1 and config is None
    assert ('cr.yaml:15:7: error: webhook-model-provider: spec.resources.models[0].provider: Invalid value: "nope": '
            'provider "nope" not found. Available inference provider IDs: primary') in err


def test_edge_11_tools_use_base_tool_runtime(cli, write):
    p = cr(write, """
  resources:
    tools: [websearch, builtin::rag]
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert config["registered_resources"]["tool_groups"] == [
        {"toolgroup_id": "builtin::websearch", "provider_id": "brave-search"},
        {"toolgroup_id": "builtin::rag", "provider_id": "brave-search"}]
    assert "tool-groups-deprecated" in err


def test_edge_11_tools_without_any_tool_runtime_fail(cli, write):
    p = cr(write, """
  disabled: [tool_runtime]
  resources:
    tools: [websearch]
""")
    code, _, err = expand(cli, p)
    assert code == 1
    assert ("cr.yaml:10:5: error: MissingProviderForResource: resources.tools requires at least one toolRuntime "
            "provider to be configured") in err


def test_edge_12_shields_use_cr_or_base_safety_provider(cli, write):
    p = cr(write, """
  resources:
    shields: [code-shield]
""")
    code, config, _ = expand(cli, p)
    assert code == 0
    assert config["registered_resources"]["shields"][-1] == {"shield_id": "code-shield", "provider_id": "llama-guard"}
    p = cr(write, """
  disabled: [safety]
  resources:
    shields: [guard]
""", name="cr2.yaml")
    code, _, err = expand(cli, p)
    assert code == 1
    assert "resources.shields requires at least one safety provider to be configured" in err


def test_duplicate_resource_id_warns(cli, write):
    p = cr(write, """
  resources:
    shields: [guard]
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert [s["shield_id"] for s in config["registered_resources"]["shields"]] == ["guard", "guard"]
    assert "the base config already registers shields 'guard'" in err


# -- storage, disabled --------------------------------------------------------------------------------


def test_storage_kv_redis_replaces_only_kv(cli, write):
    p = cr(write, """
  storage:
    kv:
      type: redis
      endpoint: redis://redis.ns.svc:6380
      password: {secretKeyRef: {name: redis, key: pw}}
""")
    code, config, err = expand(cli, p)
    assert code == 0, err
    backends = config["storage"]["backends"]
    assert backends["kv_default"] == {"type": "kv_redis", "host": "redis.ns.svc", "port": 6380,
                                      "password": "${env.LLSD_STORAGE_KV_PASSWORD}"}
    assert backends["sql_default"] == {"type": "sql_sqlite", "db_path": "/data/sql_store.db"}  # untouched
    assert "env LLSD_STORAGE_KV_PASSWORD <- Secret redis, key pw" in err
    assert "redis-password" in err


def test_storage_sql_postgres_connection_string(cli, write):
    p = cr(write, """
  storage:
    sql:
      type: postgres
      connectionString:
        secretKeyRef: {name: pg-creds, key: url}
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert config["storage"]["backends"]["sql_default"] == {
        "type": "sql_postgres", "connection_string": "${env.LLSD_STORAGE_SQL_CONNECTION_STRING}"}
    assert config["storage"]["backends"]["kv_default"]["type"] == "kv_sqlite"
    assert "warning: postgres-connection-string" in err


def test_storage_sqlite_keeps_base_paths(cli, write):
    p = cr(write, """
  storage:
    kv: {}
    sql: {type: sqlite}
""")
    code, config, _ = expand(cli, p)
    assert code == 0
    assert config["storage"] == load(BASE)["storage"]


def test_disabled_removes_api_and_its_dependents(cli, write):
    p = cr(write, """
  disabled: [eval, safety, postTraining]
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert "eval" not in config["providers"] and "safety" not in config["providers"]
    assert config["apis"] == ["inference", "tool_runtime", "vector_io"]
    assert config["registered_resources"]["shields"] == []
    assert "safety" not in config  # default_shield_id would fail startup
    assert "API 'post_training' is not in the base config" in err


# -- sources: overrideConfig, distribution defaults, images -------------------------------------------


OVERRIDE = """
  overrideConfig:
    configMapName: full-config
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: full-config
data:
  config.yaml: |
    version: 2
    distro_name: mine
    providers:
      inference:
      - provider_id: x
        provider_type: remote::openai
"""


def test_override_config_is_used_as_is(cli, write):
    p = cr(write, OVERRIDE)
    code, config, err = expand(cli, p, base=None)
    assert code == 0, err
    assert config == {"version": 2, "distro_name": "mine",
                      "providers": {"inference": [{"provider_id": "x", "provider_type": "remote::openai"}]}}


def test_override_config_map_from_another_file(cli, write):
    cm_text = OVERRIDE.split("---\n", 1)[1]
    p = cr(write, OVERRIDE.split("---\n", 1)[0])
    cm = write("cm.yaml", cm_text)
    code, _, err = expand(cli, p, base=None)
    assert code == 1 and 'overrideConfig ConfigMap "full-config" is not in the input' in err
    code, config, _ = expand(cli, p, "--config-map", cm, base=None)
    assert code == 0 and config["distro_name"] == "mine"


def test_distribution_only_uses_the_embedded_default_unchanged(cli, write):
    p = cr(write, "")
    code, config, _ = expand(cli, p, base=None)
    assert code == 0
    assert config == load(OP_FIXTURES / "starter-config.yaml")


def test_direct_image_requires_a_base(cli, write):
    p = write("cr.yaml", HEAD.replace("name: starter", "image: quay.io/me/stack:1") + """\
  providers:
    inference: [{provider: vllm}]
""")
    code, _, err = expand(cli, p, base=None)
    assert code == 1
    assert ("error: BaseConfigRequired: Direct image references require either overrideConfig.configMapName or OCI "
            "config labels on the image.") in err
    assert expand(cli, p)[0] == 0  # --base supplies it


def test_edge_6_unsupported_base_version(cli, write, tmp_path):
    base = write("base.yaml", BASE.read_text().replace("version: 2", "version: 3"))
    p = cr(write, "  disabled: [eval]\n")
    code, _, err = expand(cli, p, base=base)
    assert code == 1
    assert "base.yaml:2:1: error: UnsupportedConfigVersion: Unsupported config.yaml version 3. Supported versions: 2" in err


def test_edge_9_failed_generation_keeps_the_previous_output(cli, write, tmp_path):
    out = tmp_path / "config.yaml"
    out.write_text("previous: config\n")
    p = cr(write, """
  providers:
    inference: [{provider: vllm}]
  disabled: [inference]
""")
    code, _, _ = expand(cli, p, "-o", out)
    assert code == 1
    assert out.read_text() == "previous: config\n"


def test_edge_3_empty_expose_is_enabled(write):
    from lsc_tui.config.operator import expand as ex
    from lsc_tui.config.yaml.streams import load_all

    p = cr(write, """
  networking:
    expose: {}
""")
    result = ex.expand(load_all(p)[0], base=load_all(BASE)[0])
    assert result.ok
    assert result.deployment["expose"] == {"enabled": True, "hostname": None}
    p = cr(write, """
  networking:
    expose: {enabled: false}
""", name="cr2.yaml")
    assert ex.expand(load_all(p)[0], base=load_all(BASE)[0]).deployment["expose"]["enabled"] is False


def test_edge_2_secrets_checked_when_known(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      apiKey: {secretKeyRef: {name: vllm-creds, key: token}}
    vectorIo:
    - provider: pgvector
      secretRefs:
        password: {secretKeyRef: {name: pg-creds, key: pw}}
---
apiVersion: v1
kind: Secret
metadata: {name: pg-creds}
stringData: {password: x}
""")
    code, _, err = expand(cli, p)
    assert code == 1
    assert ('error: SecretNotFound: Secret "vllm-creds" not found in namespace "default". Referenced by: '
            "spec.providers.inference[0].apiKey") in err
    assert ('error: SecretKeyMissing: Key "pw" not found in Secret "pg-creds/default". Referenced by: '
            "spec.providers.vectorIo[0].secretRefs.password") in err


def test_secret_values_never_reach_output_or_messages(cli, write):
    value = "sk-" + "Zq81" * 8
    p = cr(write, f"""
  providers:
    inference:
    - provider: openai
      apiKey: {{secretKeyRef: {{name: oa, key: key}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: oa}}
stringData: {{key: {value}}}
""")
    code, out, err = cli("expand", p, "--base", BASE)
    assert code == 0
    assert value not in out and value not in err
    assert "${env.LLSD_OPENAI_API_KEY}" in out


def test_output_is_deterministic_with_sorted_keys(cli, write, tmp_path):
    p = cr(write, """
  providers:
    inference:
    - {id: b, provider: vllm, settings: {z: 1, a: 2}}
    - {id: a, provider: openai}
  resources:
    models: [{name: m}]
""")
    outs = []
    for i in range(2):
        o = tmp_path / f"o{i}.yaml"
        assert cli("expand", p, "--base", BASE, "-o", o)[0] == 0
        outs.append(o.read_bytes())
    assert outs[0] == outs[1]
    text = outs[0].decode()
    top = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "-"))]
    assert top == sorted(top)
    assert text.index("a: 2") < text.index("z: 1")


def test_dangling_base_references_warn(cli, write):
    p = cr(write, """
  providers:
    vectorIo:
    - provider: pgvector
""")
    code, _, err = expand(cli, p, base=None)  # embedded starter: vector_stores.default_provider_id: faiss
    assert code == 0
    assert "the base config's vector_stores.default_provider_id names provider 'faiss'" in err


# -- external providers in a CR ---------------------------------------------------------------------


def test_external_providers_merge_after_generation(cli, write, tmp_path):
    write("meta/base-inf/lls-provider-spec.yaml", """
apiVersion: llamastack.io/v1alpha1
kind: ProviderPackage
metadata: {name: x, version: 0.1.0, vendor: me}
spec:
  packageName: my_inf
  providerType: remote::my-inf
  api: inference
  wheelPath: /lls-provider/packages/x.whl
""")
    p = cr(write, """
  providers:
    inference:
    - id: base-inf
      provider: vllm
  externalProviders:
    inference:
    - providerId: base-inf
      image: quay.io/me/inf:1
      config: {url: http://mine}
""")
    code, config, err = expand(cli, p, "--metadata-dir", tmp_path / "meta")
    assert code == 0, err
    assert config["providers"]["inference"] == [{"provider_id": "base-inf", "provider_type": "remote::my-inf",
                                                 "module": "my_inf", "config": {"url": "http://mine"}}]
    assert "External provider 'base-inf' overrides base provider in API 'inference'" in err
    code, config, err = expand(cli, p)
    assert code == 0 and "external-not-merged" in err
    code, _, err = expand(cli, p, "--metadata-dir", tmp_path / "nothing")
    assert code == 1 and "Missing /lls-provider/lls-provider-spec.yaml in image quay.io/me/inf:1" in err
    (line,) = [x for x in err.splitlines() if ": error: missing-metadata: " in x]
    at = p.read_text().splitlines().index("    - providerId: base-inf") + 1
    assert line.startswith(f"{p}:{at}:7: "), (line, at)  # at the entry of externalProviders


# -- v1alpha1 samples from the operator repository -------------------------------------------------


@pytest.mark.parametrize("sample, name, source", [
    ("_v1alpha1_llamastackdistribution.yaml", None, "distribution-default"),
    ("example-with-configmap.yaml", None, "user-config"),
    ("example-with-ca-bundle.yaml", None, "user-config"),
    ("example-withoutconfigmap.yaml", None, "distribution-default"),
    ("example-with-network-config.yaml", "llamastackdistribution-public", "distribution-default"),
])
def test_operator_samples_expand_and_validate(cli, tmp_path, sample, name, source):
    out = tmp_path / "config.yaml"
    args = ["expand", SAMPLES / sample, "-o", out] + (["--name", name] if name else [])
    code, _, err = cli(*args)
    assert code == 0, err
    assert f"config from {source}" in err
    config = load(out)
    if source == "user-config":
        assert config["providers"]["inference"][0]["provider_id"] == "ollama"
    else:
        assert config == load(OP_FIXTURES / "starter-config.yaml")
    code, _, err = cli("validate", out)
    assert code == 0, err
    assert ": error:" not in err


def test_several_crs_need_a_name(cli):
    code, _, err = cli("expand", SAMPLES / "example-with-network-config.yaml")
    assert code == 2
    assert "llamastackdistribution-network-example, llamastackdistribution-public" in err and "--name" in err
    where = str(SAMPLES / "example-with-network-config.yaml")
    assert f"{where}:0:0: error: several-llsd: the file holds 2 LlamaStackDistributions (" in err
    assert err.rstrip().endswith("\n    fix: Pick one with --name NAME.")
    code, _, err = cli("expand", where, "--name", "other")
    assert code == 2
    assert err == (f"{where}:0:0: error: llsd-not-found: no LlamaStackDistribution named 'other' in the file\n"
                   "    fix: Check --name.\n")
    # under --json the same errors are findings of the object (they went to stderr alone)
    code, out, err = cli("expand", where, "--json")
    assert code == 2 and not err
    (found,) = json.loads(out)["findings"]
    assert (found["file"], found["line"], found["severity"], found["code"]) == (where, 0, "error", "several-llsd")
    code, out, err = cli("expand", where, "--name", "other", "--json")
    assert code == 2 and [f["code"] for f in json.loads(out)["findings"]] == ["llsd-not-found"]


def test_v1alpha1_run_yaml_key_and_missing_embedded_base(cli, write):
    p = write("v1.yaml", """\
apiVersion: llamastack.io/v1alpha1
kind: LlamaStackDistribution
metadata: {name: old}
spec:
  server:
    distribution: {name: starter}
    userConfig: {configMapName: cfg}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  run.yaml: |
    version: '2'
    image_name: old
    providers: {}
""")
    code, _, err = cli("expand", p)
    assert code == 0 and "configmap-key-run-yaml" in err
    p = write("v1b.yaml", """\
apiVersion: llamastack.io/v1alpha1
kind: LlamaStackDistribution
metadata: {name: old}
spec:
  server:
    distribution: {name: remote-vllm}
""")
    code, _, err = cli("expand", p)
    assert code == 1 and 'no embedded base config for distribution "remote-vllm"' in err


def test_unusable_input_exits_2(cli, write, tmp_path):
    code, _, err = cli("expand", tmp_path / "missing.yaml")
    assert code == 2 and "missing.yaml:0:0: error: file-not-found" in err
    p = write("bad.yaml", "kind: [\n")
    code, _, err = cli("expand", p)
    assert code == 2 and "bad.yaml:2:1: error: yaml-syntax" in err
    p = write("none.yaml", "kind: ConfigMap\n")
    code, _, err = cli("expand", p)
    assert code == 2 and err.endswith(
        f"{p}:0:0: error: no-llsd: the file holds no LlamaStackDistribution\n"
        "    fix: Give a file with kind: LlamaStackDistribution.\n"
    )


def test_malformed_base_config_is_reported_in_the_base(cli, write):
    base = write("base.yaml", "version: 2\nproviders:\n  eval: true\nregistered_resources: []\n")
    p = cr(write, "  disabled: [eval]\n")
    code, _, err = expand(cli, p, base=base)
    assert code == 1
    assert "base.yaml:3:3: error: base-shape: the base config's providers.eval is not a list of providers" in err
    assert "base.yaml:4:1: error: base-shape: the base config's registered_resources is not a mapping" in err
    assert "Traceback" not in err and "internal error" not in err


def test_key_warnings_go_away_when_the_cr_sets_the_right_key(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      endpoint: http://vllm:8000/v1
      settings: {base_url: http://vllm:8000/v1}
      secretRefs:
        api_token: {secretKeyRef: {name: c, key: k}}
""")
    code, config, err = expand(cli, p)
    assert code == 0
    assert "endpoint-key" not in err and "api-key-field" not in err
    assert config["providers"]["inference"][0]["config"]["api_token"] == "${env.LLSD_VLLM_API_TOKEN}"


def test_full_v1alpha2_cr_expands_and_validates(cli, tmp_path):
    out = tmp_path / "config.yaml"
    code, _, err = cli("expand", OP_FIXTURES / "v1alpha2-full.yaml", "-o", out)
    assert code == 0, err
    assert "embedding-dimension" in err  # documented: ModelConfig cannot carry embedding_dimension
    config = load(out)
    assert config["storage"]["backends"]["kv_default"] == {"type": "kv_redis", "host": "redis", "port": 6379}
    assert {"eval", "scoring", "datasetio"}.isdisjoint(config["providers"])
    code, _, err = cli("validate", out)
    assert code == 0, err
    assert ": error:" not in err


def test_literal_secrets_in_a_cr_never_reach_messages(cli, write):
    token = "sk-" + "9aQ" * 12
    p = cr(write, f"""
  providers:
    inference:
    - provider: openai
      endpoint: https://user:{token}@api.example.com
      apiKey: {token}
      settings:
        api_key: {token}
""")
    code, out, err = cli("expand", p, "--base", BASE)
    assert code == 1
    assert 'spec.providers.inference[0].apiKey: Invalid value: "string"' in err
    assert token not in err and out == ""


def test_edge_8_a_new_base_regenerates_from_that_base(cli, write, tmp_path):
    # An operator upgrade that changes the image changes the base config: the same CR must
    # regenerate on the new base (the CR's parts stay, the base's parts follow the new base).
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
  storage:
    kv: {type: sqlite}
""")
    code, old, _ = expand(cli, p, base=None)  # embedded starter
    code2, new, _ = expand(cli, p, base=OP_FIXTURES.parent.parent.parent / "lsc_tui" / "data" / "distributions"
                           / "postgres-demo" / "config.yaml")
    assert code == code2 == 0
    assert old["providers"]["inference"] == new["providers"]["inference"]
    assert old["distro_name"] == "starter" and new["distro_name"] == "postgres-demo"
    assert new["storage"]["backends"]["kv_default"] == {
        "type": "kv_sqlite", "db_path": "${env.SQLITE_STORE_DIR:=~/.llama/distributions/postgres-demo}/kvstore.db"}
    assert new["storage"]["backends"]["sql_default"]["type"] == "sql_postgres"  # sql not in the CR: base kept


def test_stdout_masks_literal_secrets_files_keep_them(cli, write, tmp_path):
    token = "tok-" + "Xy7" * 10
    p = cr(write, f"""
  providers:
    inference:
    - provider: vllm
      settings: {{api_token: {token}, max_tokens: 10}}
""")
    code, out, err = cli("expand", p, "--base", BASE)
    assert code == 0
    assert token not in out and token not in err
    assert "api_token: '********'" in out and "max_tokens: 10" in out
    assert "secret values are masked on screen" in err
    target = tmp_path / "config.yaml"
    assert cli("expand", p, "--base", BASE, "-o", target)[0] == 0
    assert load(target)["providers"]["inference"][0]["config"]["api_token"] == token
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_edge_7_the_latest_spec_wins(cli, write, tmp_path):
    # Expansion is a function of the CR as it is now: nothing of an earlier output survives.
    out = tmp_path / "config.yaml"
    first = cr(write, """
  providers:
    inference: [{provider: vllm}]
  resources:
    models: [{name: old-model}]
""", name="v1.yaml")
    second = cr(write, """
  providers:
    inference: [{provider: openai}]
""", name="v2.yaml")
    assert cli("expand", first, "--base", BASE, "-o", out)[0] == 0
    assert cli("expand", second, "--base", BASE, "-o", out)[0] == 0
    latest = load(out)
    assert [p["provider_id"] for p in latest["providers"]["inference"]] == ["openai"]
    assert "old-model" not in [m["model_id"] for m in latest["registered_resources"]["models"]]
    assert load(tmp_path / "config.yaml.bak")["providers"]["inference"][0]["provider_id"] == "vllm"


def test_findings_in_an_embedded_config_point_into_the_cr_file(cli, write):
    p = write("v1.yaml", """\
apiVersion: llamastack.io/v1alpha1
kind: LlamaStackDistribution
metadata: {name: old}
spec:
  server:
    distribution: {name: starter}
    userConfig: {configMapName: cfg}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  config.yaml: |
    distro_name: x
    version: 7
    providers: {}
""")
    code, _, err = cli("expand", p)
    assert code == 1
    assert "v1.yaml:15:5: error: UnsupportedConfigVersion: Unsupported config.yaml version 7" in err


def test_old_layout_base_gets_top_level_models_and_a_storage_warning(cli, write):
    base = write("old.yaml", """\
version: '2'
image_name: old
apis: [inference]
providers:
  inference:
  - {provider_id: tgi, provider_type: remote::tgi, config: {url: http://tgi}}
metadata_store: {type: sqlite, db_path: /data/registry.db}
models: []
""")
    p = cr(write, """
  resources:
    models: [{name: m}]
  storage:
    kv: {type: redis, endpoint: redis}
""")
    code, config, err = expand(cli, p, base=base)
    assert code == 0, err
    assert config["models"] == [{"model_id": "m", "provider_id": "tgi", "provider_model_id": "m",
                                 "model_type": "llm", "metadata": {}}]
    assert "registered_resources" not in config
    assert "storage-layout" in err and "a Llama Stack 0.2 layout" in err
    assert config["storage"]["backends"]["kv_default"] == {"type": "kv_redis", "host": "redis", "port": 6379}


def test_starter_0_3_base_keeps_url_keys_quiet(cli, write):
    p = cr(write, """
  providers:
    inference:
    - provider: vllm
      endpoint: http://vllm:8000
""")
    code, _, err = expand(cli, p, base=OP_FIXTURES / "starter-0.3.0-run.yaml")
    assert code == 0
    assert "(Llama Stack 0.3 layout)" in err and "endpoint-key" not in err
