"""A workspace full of literal secrets in every YAML form, written to a temporary directory."""

from __future__ import annotations

import string
import uuid
from pathlib import Path

from .samples import B64, URLSAFE, j, pem, rnd


def make_secrets() -> dict[str, str]:
    pk = " ".join(["PRIVATE", "KEY"])
    return {
        "quoted": rnd(24),
        "plain": rnd(14),
        "double": rnd(20) + "-" + rnd(6),
        "flow": rnd(26),
        "openai": j("sk-", "proj-", rnd(64, URLSAFE)),
        "default": rnd(22),
        "numeric": str(700000 + int(rnd(5, string.digits))),
        "urlpw": rnd(18),
        "pem": pem("EC " + pk, 3),
        "bearer": rnd(36, URLSAFE),
        "b64": rnd(40, B64),
    }


def write_workspace(root: Path, s: dict[str, str], *, library: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    pem_body = "".join("        " + line + "\n" for line in s["pem"].rstrip("\n").split("\n"))
    config = f"""# lightspeed-stack.yaml for the secrets tests
name: secrets-test
service:
  host: localhost
  port: 8080
llama_stack:
  use_as_library_client: true
  library_client_config_path: run.yaml
  api_key: '{s["quoted"]}'   # pasted by hand
user_data_collection:
  feedback_enabled: false
  transcripts_enabled: false
conversation_cache:
  type: postgres
  postgres:
    host: db
    user: app
    password: &pgpw {s["plain"]}
database:
  postgres:
    host: db
    password: *pgpw
authentication:
  module: api-key-token
  api_key_config:
    api_key: "{s["double"]}"
azure_entra_id:
  tenant_id: {uuid.UUID(int=7, version=4)}
  client_id: {uuid.UUID(int=8, version=4)}
  client_secret: ${{env.CLIENT_SECRET}}
customization:
  agent_card_config: {{name: card, auth: {{token: {s["flow"]}}}}}
"""
    run = f"""version: 2
image_name: secrets-test
apis:
- inference
- vector_io
providers:
  inference:
  - provider_id: ${{env.OPENAI_API_KEY:+openai}}
    provider_type: remote::openai
    config:
      api_key: {s["openai"]}
  - provider_id: vllm
    provider_type: remote::vllm
    config:
      url: ${{env.VLLM_URL:=http://localhost:8000/v1}}
      api_token: ${{env.VLLM_API_TOKEN:={s["default"]}}}
  vector_io:
  - provider_id: pgvector
    provider_type: remote::pgvector
    config:
      host: db
      password: {s["numeric"]}
  tool_runtime:
  - provider_id: mcp
    provider_type: remote::model-context-protocol
    config:
      headers:
        Authorization: Bearer {s["bearer"]}
storage:
  backends:
    sql_default:
      type: sql_postgres
      url: postgresql://llama:{s["urlpw"]}@db:5432/llama
server:
  port: 8321
  tls:
    client_key: |
{pem_body}    signing_secret: {s["b64"]}
"""
    if not library:
        config = config.replace("  library_client_config_path: run.yaml\n", "")
    (root / "lightspeed-stack.yaml").write_text(config)
    (root / "run.yaml").write_text(run)
    return root / "lightspeed-stack.yaml"
