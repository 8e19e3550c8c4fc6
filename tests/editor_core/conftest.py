"""Small workspaces written to a temporary directory for the editor-facing core modules
(outline, fields, provider_edits, masked_yaml): files in, the core's answers out."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lsc_tui.config.workspace import load_workspace

UNIFIED = """\
name: t
service: {host: 0.0.0.0, port: 8080}
llama_stack:
  use_as_library_client: true
  config:
    baseline: default
    native_override:
      server: {port: 8321}
inference:
  providers:
    - type: vllm
      id: vllm-prod
      extra:
        url: http://vllm:8000/v1
    - type: watsonx
      api_key_env: WATSONX_API_KEY
vector_store:
  providers:
    - id: vs-pg
      type: pgvector
      config:
        host: db
        password: s3cr3t-Pgvector-pass
mcp_servers:
  - name: filesystem
    url: http://mcp-fs:3000
"""

LEGACY = """\
name: t
service: {host: 0.0.0.0, port: 8080}
llama_stack:
  use_as_library_client: true
  library_client_config_path: run.yaml
"""

RUN_YAML = """\
version: 2
apis: [inference]
providers:
  inference:
    - provider_id: vllm
      provider_type: remote::vllm
      config:
        url: http://vllm:8000/v1
        api_token: sk-live-abcdefghijklmnopqrstuvwx1234
    - provider_id: openai
      provider_type: remote::openai
  custom_api:
    - provider_id: mine
      provider_type: inline::mine
"""

LLSD = """\
apiVersion: llamastack.io/v1alpha2
kind: LlamaStackDistribution
metadata: {name: s}
spec:
  distribution: {name: starter}
  providers:
    inference:
    - id: vllm-primary
      provider: vllm
      endpoint: http://vllm:8000/v1
    - provider: openai
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return folder


@pytest.fixture
def unified_ws(tmp_path):
    write(tmp_path, {"lightspeed-stack.yaml": UNIFIED})
    return load_workspace(tmp_path / "lightspeed-stack.yaml", cwd=tmp_path, validate=False)


@pytest.fixture
def legacy_ws(tmp_path):
    write(tmp_path, {"lightspeed-stack.yaml": LEGACY, "run.yaml": RUN_YAML})
    return load_workspace(tmp_path / "lightspeed-stack.yaml", cwd=tmp_path, validate=False)


@pytest.fixture
def run_yaml_ws(tmp_path):
    write(tmp_path, {"run.yaml": RUN_YAML})
    return load_workspace(tmp_path / "run.yaml", cwd=tmp_path, validate=False)


@pytest.fixture
def llsd_ws(tmp_path):
    write(tmp_path, {"llsd.yaml": LLSD})
    return load_workspace(tmp_path / "llsd.yaml", cwd=tmp_path, validate=False)
