"""Provider package templates shared by the preflight tests (imported via conftest's path)."""

from __future__ import annotations

RUN_ONE = """
version: 2
image_name: test
providers:
  inference:
  - provider_id: custom-vllm
    provider_type: remote::custom-vllm
    module: custom_vllm_provider
    config:
      url: http://localhost:8000
"""

PROVIDER_OK = """
from llama_stack_api import Api, RemoteProviderSpec


def get_provider_spec():
    return RemoteProviderSpec(
        api=Api.inference,
        provider_type="remote::custom-vllm",
        adapter_type="custom-vllm",
        config_class="custom_vllm_provider.config.VllmConfig",
        module="custom_vllm_provider",
        pip_packages=["httpx"],
    )
"""

INIT_OK = """
async def get_adapter_impl(config, deps):
    return None
"""

CONFIG_OK = """
from pydantic import BaseModel, SecretStr


class VllmConfig(BaseModel):
    url: str
    api_token: SecretStr | None = None
    max_tokens: int = 4096
"""


def good_provider(ws, name="custom_vllm_provider", provider=PROVIDER_OK, init=INIT_OK, **extra):
    files = {"__init__.py": init, "provider.py": provider, "config.py": CONFIG_OK}
    files.update(extra)
    ws.fake_llama_stack_api()
    return ws.package(name, files)
