"""Test secrets, assembled at run time.

Nothing in this file is a secret or looks like one to a scanner: every token is built from
pieces and random characters when the tests run (seeded, so the set is the same each run).
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid

_RNG = random.Random(20261125)
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"


def rnd(n: int, chars: str = ALNUM, rng: random.Random = _RNG) -> str:
    """Random characters; with a digit, an upper- and a lower-case letter when the alphabet has them."""
    need = [cls for cls in (string.digits, string.ascii_uppercase, string.ascii_lowercase) if set(cls) & set(chars)]
    while True:
        s = "".join(rng.choice(chars) for _ in range(n))
        if n < 6 or all(set(s) & set(cls) for cls in need):
            return s


def j(*parts: str) -> str:
    return "".join(parts)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def pem(kind: str, lines: int = 6) -> str:
    dash = "-" * 5
    body = "\n".join(rnd(64, B64) for _ in range(lines))
    return f"{dash}BEGIN {kind}{dash}\n{body}\n{rnd(20, B64)}==\n{dash}END {kind}{dash}\n"


def jwt() -> str:
    head = b64url(json.dumps({"alg": "HS256", "typ": "J" + "WT"}).encode())
    body = b64url(json.dumps({"sub": rnd(12), "iat": 1700000000}).encode())
    return j(head, ".", body, ".", rnd(43, URLSAFE))


def password() -> str:
    return rnd(10) + _RNG.choice("!#%&*+") + rnd(5)


def true_secrets() -> list[tuple[str, str, object]]:
    """(label, key, value) of literal secrets; a value may be an int (a numeric password)."""
    pk = " ".join(["PRIVATE", "KEY"])
    return [
        ("openai-project", "value", j("sk-", "proj-", rnd(74, URLSAFE))),
        ("openai-legacy", "setting", j("sk-", rnd(20), "T3Blbk", "FJ", rnd(20))),
        ("openai-48", "llm", j("sk-", rnd(48))),
        # a base64 secret that happens to start with "/" (one in 64 do): not a file path
        ("b64-leading-slash", "signing_secret", "/" + rnd(39, ALNUM + "+")),
        ("anthropic", "value", j("sk-", "ant-", "api03-", rnd(93, URLSAFE), "AA")),
        ("aws-key-id", "access", j("AK", "IA", rnd(16, UPPER_DIGITS))),
        ("aws-secret", "aws_secret_access_key", rnd(40, B64)),
        ("google", "gemini", j("AI", "za", rnd(35, URLSAFE))),
        ("google-oauth", "oauth", j("GOC", "SPX-", rnd(28, URLSAFE))),
        ("azure-ad", "entra", j(rnd(3), "8Q", "~", rnd(34, ALNUM + "_~."))),
        ("azure-storage", "storage", j("DefaultEndpointsProtocol=https;AccountName=acct;Account", "Key=",
                                       rnd(86, B64), "==;EndpointSuffix=core.windows.net")),
        ("huggingface", "hub", j("hf", "_", rnd(34, string.ascii_letters))),
        ("huggingface-org", "hub", j("api", "_org_", rnd(34, string.ascii_letters))),
        ("github-classic", "repo", j("gh", "p_", rnd(36))),
        ("github-oauth", "repo", j("gh", "o_", rnd(36))),
        ("github-fine", "repo", j("github", "_pat_", rnd(22), "_", rnd(59))),
        ("gitlab-pat", "ci", j("gl", "pat-", rnd(20, URLSAFE))),
        ("gitlab-runner", "ci", j("gl", "rt-", rnd(24, URLSAFE))),
        ("slack-bot", "chat", j("xo", "xb-", rnd(12, string.digits), "-", rnd(12, string.digits), "-", rnd(24))),
        ("slack-webhook", "notify", j("https://hooks.", "slack.com/services/T", rnd(8, UPPER_DIGITS), "/B",
                                      rnd(8, UPPER_DIGITS), "/", rnd(24))),
        ("groq", "value", j("gs", "k_", rnd(52))),
        ("nvidia", "value", j("nv", "api-", rnd(64, URLSAFE))),
        ("xai", "value", j("xa", "i-", rnd(80))),
        ("replicate", "value", j("r8", "_", rnd(37))),
        ("databricks", "workspace", j("da", "pi", rnd(32, HEX))),
        ("stripe", "billing", j("sk", "_live_", rnd(24))),
        ("pem-rsa", "tls", pem("RSA " + pk)),
        ("pem-pkcs8", "signing", pem(pk)),
        ("pem-openssh", "ssh", pem("OPENSSH " + pk)),
        ("jwt", "session", jwt()),
        ("postgres-url", "url", j("postgresql://app:", password().replace("%", "x").replace("#", "x"),
                                  "@db.internal:5432/app")),
        ("redis-url", "cache_url", j("redis://:", rnd(24), "@cache:6379/0")),
        ("mongodb-url", "uri", j("mongodb+srv://svc:", rnd(18), "@cluster0.example.net/db")),
        ("url-query", "endpoint", j("https://api.example.com/v1/search?q=x&api", "_key=", rnd(32))),
        ("bearer", "Authorization", j("Bea", "rer ", rnd(40, URLSAFE))),
        ("basic", "Authorization", j("Ba", "sic ", base64.b64encode(f"svc:{rnd(14)}".encode()).decode())),
        ("ado-connection", "connection", j("Server=tcp:x.database.windows.net;Database=db;User ID=u;Pass", "word=",
                                           rnd(16), ";")),
        ("password-key", "password", password()),
        ("api-key-short", "api_key", rnd(6, string.ascii_lowercase)),
        ("api-token-hex", "api_token", rnd(32, HEX)),
        ("client-secret", "client_secret", rnd(40, URLSAFE)),
        ("access-token", "access_token", rnd(30)),
        ("auth-credential", "auth_credential", rnd(36)),
        ("milvus-token", "token", j("root:", rnd(12))),
        ("ewallet", "ewallet_password", password()),
        ("numeric-password", "password", _RNG.randint(100000, 999999)),
        ("camel-api-key", "apiKey", rnd(32)),
        ("header-api-key", "X-Api-Key", rnd(28)),
        ("passphrase", "passphrase", j(rnd(8, string.ascii_lowercase), " ", rnd(8, string.ascii_lowercase), " 42")),
        ("secret-key", "secret_key", rnd(50, ALNUM + "!@#%^&*(-_=+)")),
        ("encryption-key", "encryption_key", rnd(32, B64)),
        ("private-key-b64", "private_key", rnd(64, B64)),
        ("default-password", "password", j("${env.PGVECTOR_PASSWORD:=", rnd(18), "}")),
        ("default-openai", "api_key", j("${env.OPENAI_API_KEY:=sk-", "proj-", rnd(60, URLSAFE), "}")),
        ("default-legacy", "api_token", j("${env.VLLM_API_TOKEN:", rnd(24), "}")),
        ("default-other-key", "value", j("${env.SERVICE_API_KEY:=", rnd(32), "}")),
    ]


def non_secrets() -> list[tuple[str, str, object]]:
    """(label, key, value) that look a bit like secrets but are not."""
    h = lambda n: rnd(n, HEX)  # noqa: E731
    dash = "-" * 5
    cert = f"{dash}BEGIN CERTIFICATE{dash}\n" + "\n".join(rnd(64, B64) for _ in range(4)) + f"\n{dash}END CERTIFICATE{dash}\n"
    return [
        ("model-id", "model_id", "meta-llama/Llama-3.1-8B-Instruct"),
        ("path-under-secret-key", "client_secret", "/etc/ssl/private/ClientKey2024"),
        ("embedding-model", "embedding_model", "sentence-transformers/all-mpnet-base-v2"),
        ("model-name", "model", "gpt-4o-mini"),
        ("provider-type", "provider_type", "remote::openai"),
        ("gated-provider-id", "provider_id", "${env.OPENAI_API_KEY:+openai}"),
        ("provider-id", "provider_id", "sentence-transformers"),
        ("uuid-db", "vector_db_id", str(uuid.UUID(int=_RNG.getrandbits(128), version=4))),
        ("uuid-tenant", "tenant_id", str(uuid.UUID(int=_RNG.getrandbits(128), version=4))),
        ("uuid-generic", "request", str(uuid.UUID(int=_RNG.getrandbits(128), version=4))),
        ("sha256", "sha256", h(64)),
        ("sha1-commit", "commit", h(40)),
        ("md5", "checksum", h(32)),
        ("hex-digest", "value", h(64)),
        ("digest", "digest", "sha256:" + h(64)),
        ("image", "image", "quay.io/lightspeed/lightspeed-stack@sha256:" + h(64)),
        ("token-path", "token_path", "/var/run/secrets/kubernetes.io/serviceaccount/token"),
        ("password-file", "password_file", "/etc/lsc/pg-password"),
        ("tls-key-password-path", "tls_key_password", "/etc/tls/key-password.txt"),
        ("identity-token-file", "aws_web_identity_token_file", "/var/run/secrets/eks.amazonaws.com/sa/token"),
        ("url-plain", "url", "http://localhost:8321"),
        ("url-user-only", "url", "postgresql://app@db:5432/app"),
        ("url-env-password", "url", "postgresql://app:${env.PG_PASSWORD}@db:5432/app"),
        ("token-url", "token_url", "https://sso.example.com/realms/x/protocol/openid-connect/token"),
        ("env-ref", "api_key", "${env.OPENAI_API_KEY}"),
        ("env-fake-default", "api_token", "${env.VLLM_API_TOKEN:=fake}"),
        ("env-llamastack-default", "password", "${env.POSTGRES_PASSWORD:=llamastack}"),
        ("env-empty-default", "api_key", "${env.OPENAI_API_KEY:=}"),
        ("env-url-default", "url", "${env.VLLM_URL:=http://localhost:8000/v1}"),
        ("env-path-default", "db_path", "${env.SQLITE_STORE_DIR:=~/.llama/distributions/starter}/sql_store.db"),
        ("masked", "openai_api_key", "********"),
        ("changeme", "password", "changeme"),
        ("your-key-here", "api_key", "your-api-key-here"),
        ("angle-placeholder", "api_key", "<YOUR_API_KEY>"),
        ("template", "api_key", "{{ .Values.apiKey }}"),
        ("shell-var", "token", "$TOKEN"),
        ("sk-masked", "value", "sk-" + "x" * 24),
        ("aws-docs-example", "aws_access_key_id", j("AK", "IA", "IOSFODNN7", "EXAMPLE")),
        ("max-tokens", "max_tokens", 4096),
        ("chunk-tokens", "default_chunk_size_tokens", 512),
        ("recheck", "key_recheck_period", 3600),
        ("secret-name", "secretName", "llama-stack-provider-secrets"),
        ("api-key-env", "api_key_env", "OPENAI_API_KEY"),
        ("vector-store-id", "vector_store_id", "vs_" + h(24)),
        ("long-name", "name", "lightspeed-core-service-production-cluster-01"),
        ("pod-name", "pod", "lightspeed-stack-7f9c6d5b8-x2v4k"),
        ("mcp-kubernetes", "Authorization", "kubernetes"),
        ("mcp-path", "Authorization", "/var/secrets/mcp-token"),
        ("region", "region", "us-east-1"),
        ("claim", "user_id_claim", "sub"),
        ("bool-secret", "secret", False),
        ("prose", "description", "Use the secret token stored in the vault for this provider"),
        ("certificate", "ca_bundle", cert),
        ("field-ref", "apiKey", "config.api_key"),
        ("solr-query", "chunk_filter_query", "product:*ansible* AND product:*openshift*"),
        ("base64-config", "config_name", "odh-trusted-ca-bundle"),
    ]
