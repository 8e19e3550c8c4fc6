"""The three Llama Stack families a target may have: 0.2.x, 0.3 to 0.7, OGX."""

from __future__ import annotations

from pf_templates import CONFIG_OK, INIT_OK

RUN_FAKE = """
version: 2
providers:
  inference:
  - provider_id: fake
    provider_type: remote::fake
"""

PROVIDER_02 = """
from llama_stack.providers.datatypes import Api, AdapterSpec, remote_provider_spec


def get_provider_spec():
    return remote_provider_spec(api=Api.inference, adapter=AdapterSpec(
        adapter_type="custom-vllm", module="custom_vllm_provider",
        config_class="custom_vllm_provider.config.VllmConfig"))
"""


def test_ogx_target_uses_ogx_registry(ws):
    ws.fake_ogx()
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_FAKE)), "--json")
    assert r.code == 0, r.out
    target = next(e for e in r.events() if e["event"] == "target")
    assert target["llama_stack"]["family"] == "ogx"
    assert target["llama_stack"]["api_module"] == "ogx_api"
    assert target["llama_stack"]["version"] == "0.8.0"
    assert r.results()[0]["spec"]["module"] == "ogx.providers.remote.inference.fake"


def test_llama_stack_02_provider_with_module_key_warns_the_server_would_ignore_it(ws):
    ws.fake_llama_stack_02()
    ws.package("custom_vllm_provider", {"__init__.py": INIT_OK, "provider.py": PROVIDER_02, "config.py": CONFIG_OK})
    run_yaml = ws.run_yaml("""
        version: 2
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
            module: custom_vllm_provider
        """)
    r = ws.preflight("--run-yaml", str(run_yaml), "--json")
    assert r.code == 0, r.out
    target = next(e for e in r.events() if e["event"] == "target")
    assert target["llama_stack"]["api_module"] == "llama_stack.providers.datatypes"
    assert target["llama_stack"]["supports_module"] is False
    res = r.results()[0]
    assert [w["code"] for w in res["warnings"]] == ["module_key_unsupported"]
    assert res["spec"]["provider_type"] == "remote::custom-vllm"
    assert res["spec"]["module"] == "custom_vllm_provider"


def test_llama_stack_02_providers_d_file_with_adapter_block(ws):
    ws.fake_llama_stack_02()
    ws.package("custom_vllm_provider", {"__init__.py": INIT_OK, "config.py": CONFIG_OK})
    ws.write("providers.d/remote/inference/custom-vllm.yaml", """
        adapter:
          adapter_type: custom-vllm
          module: custom_vllm_provider
          config_class: custom_vllm_provider.config.VllmConfig
        api_dependencies: []
        """)
    ws.write("providers.d/remote/inference/broken.yaml", """
        adapter:
          module: custom_vllm_provider
          config_class: custom_vllm_provider.config.VllmConfig
        """)
    run_yaml = ws.run_yaml(f"""
        version: 2
        external_providers_dir: {ws.root / 'providers.d'}
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
          - provider_id: broken
            provider_type: remote::broken
        """)
    r = ws.preflight("--run-yaml", str(run_yaml), "--keep-going", "--json")
    res = {x["provider_id"]: x for x in r.results()}
    assert res["custom-vllm"]["status"] == "ok", res["custom-vllm"]
    assert res["custom-vllm"]["spec"]["adapter_type"] == "custom-vllm"
    assert res["broken"]["error"]["code"] == "spec_invalid"
    assert "adapter_type" in res["broken"]["error"]["details"]
    assert r.code == 1


def test_llama_stack_02_target_and_a_provider_written_for_0_4(ws):
    ws.fake_llama_stack_02()
    ws.package("custom_vllm_provider", {
        "__init__.py": INIT_OK,
        "provider.py": "from llama_stack_api import Api, RemoteProviderSpec\n",
    })
    run_yaml = ws.run_yaml("""
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
            module: custom_vllm_provider
        """)
    r = ws.preflight("--run-yaml", str(run_yaml), "--json")
    err = r.results()[0]["error"]
    assert err["code"] == "llama_stack_version"
    assert err["reason"] == "Provider needs llama_stack_api, which this environment does not have"
    assert "llama_stack 0.2.12" in err["details"]
