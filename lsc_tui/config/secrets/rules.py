"""The secret rule set: token formats, key names, placeholders, entropy.

Everything here is a pure function of a string. The regexes describe public token formats
(facts about what issuers hand out); they are written for this project. The source of this
module must never contain a string that a secret scanner flags: patterns are written so that
the regex text itself does not match them.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

HIGH, MEDIUM, LOW = "high", "medium", "low"
ERROR, WARNING = "error", "warning"


class _LazyPattern:
    """A regex compiled when it is first used: the token and placeholder patterns take a few
    milliseconds to compile, and most scans of a config never reach them (a value must first
    pass the cheap screens). After the first use its methods are the compiled pattern's own."""

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for names not set yet: the first use
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__["_compiled"] = re.compile(*self._args)
            for method in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"):
                self.__dict__[method] = getattr(compiled, method)
        return getattr(compiled, name)


def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))


@dataclass(frozen=True)
class TokenRule:
    id: str
    title: str
    pattern: str
    env_hint: str = ""  # the ecosystem's usual variable name for this kind of token
    confidence: str = HIGH
    validate: Callable[[str], bool] | None = None  # does the match text really have the format?


def _jwt_ok(text: str) -> bool:
    parts = text.split(".")
    if len(parts) < 2:
        return False
    for part in parts[:2]:
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            if not isinstance(json.loads(raw), dict):
                return False
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return False
    return True


def _aws_id_ok(text: str) -> bool:
    return not text.endswith("EXAMPLE")


def _basic_ok(text: str) -> bool:
    token = text.split(None, 1)[1] if " " in text else ""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return ":" in raw and len(raw) >= 3


def _bearer_ok(text: str) -> bool:
    token = text.split(None, 1)[1] if " " in text else ""
    return len(token) >= 12 and any(c.isdigit() for c in token) and not is_placeholder(token)


# Word boundary for tokens: not preceded or followed by a token character.
_B0 = r"(?<![A-Za-z0-9_\-])"
_B1 = r"(?![A-Za-z0-9_\-])"

TOKEN_RULES: tuple[TokenRule, ...] = (
    TokenRule(
        "anthropic-api-key",
        "Anthropic API key",
        _B0 + r"sk-ant-(?:api|admin|oat)\d\d-[A-Za-z0-9_\-]{32,}" + _B1,
        "ANTHROPIC_API_KEY",
    ),
    TokenRule(
        "openai-api-key",
        "OpenAI API key",
        _B0 + r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}|[A-Za-z0-9_\-]{16,}T3Blbk"
        r"FJ[A-Za-z0-9_\-]{16,}|[A-Za-z0-9]{48})" + _B1,
        "OPENAI_API_KEY",
    ),
    TokenRule(
        "aws-access-key-id",
        "AWS access key id",
        r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
        "AWS_ACCESS_KEY_ID",
        validate=_aws_id_ok,
    ),
    TokenRule("google-api-key", "Google API key", _B0 + r"AIza[0-9A-Za-z_\-]{35}" + _B1, "GEMINI_API_KEY"),
    TokenRule(
        "google-oauth-secret",
        "Google OAuth client secret",
        _B0 + r"GOCSPX-[A-Za-z0-9_\-]{24,}" + _B1,
        "GOOGLE_CLIENT_SECRET",
    ),
    TokenRule(
        "google-oauth-token",
        "Google OAuth access token",
        _B0 + r"ya29\.[0-9A-Za-z_\-]{30,}" + _B1,
        "VERTEX_AI_ACCESS_TOKEN",
    ),
    TokenRule(
        "azure-ad-client-secret",
        "Azure AD client secret",
        r"(?<![A-Za-z0-9_~.\-])[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])",
        "CLIENT_SECRET",
    ),
    TokenRule(
        "azure-storage-key",
        "Azure storage account key",
        r"(?i:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{40,}={0,2}",
        "AZURE_STORAGE_KEY",
    ),
    TokenRule("huggingface-token", "Hugging Face token", _B0 + r"(?:hf|api_org)_[A-Za-z]{34}" + _B1, "HF_TOKEN"),
    TokenRule(
        "github-token",
        "GitHub token",
        _B0 + r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})" + _B1,
        "GITHUB_TOKEN",
    ),
    TokenRule(
        "gitlab-token",
        "GitLab token",
        _B0 + r"(?:gl(?:pat|dt|ft|rt|soat|cbt|imt|ptt|agent)-[A-Za-z0-9_\-]{20,}|GR1348941[A-Za-z0-9_\-]{20,})" + _B1,
        "GITLAB_TOKEN",
    ),
    TokenRule("slack-token", "Slack token", _B0 + r"xox[abposre]-[0-9]+-[A-Za-z0-9\-]{8,}" + _B1, "SLACK_TOKEN"),
    TokenRule(
        "slack-webhook",
        "Slack webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{30,}",
        "SLACK_WEBHOOK_URL",
    ),
    TokenRule("groq-api-key", "Groq API key", _B0 + r"gsk_[A-Za-z0-9]{48,56}" + _B1, "GROQ_API_KEY"),
    TokenRule("nvidia-api-key", "NVIDIA API key", _B0 + r"nvapi-[A-Za-z0-9_\-]{60,70}" + _B1, "NVIDIA_API_KEY"),
    TokenRule("xai-api-key", "xAI API key", _B0 + r"xai-[A-Za-z0-9]{70,90}" + _B1, "XAI_API_KEY"),
    TokenRule("replicate-token", "Replicate API token", _B0 + r"r8_[A-Za-z0-9]{37}" + _B1, "REPLICATE_API_TOKEN"),
    TokenRule(
        "langsmith-key",
        "LangSmith API key",
        _B0 + r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}" + _B1,
        "LANGSMITH_API_KEY",
    ),
    TokenRule("perplexity-key", "Perplexity API key", _B0 + r"pplx-[A-Za-z0-9]{40,56}" + _B1, "PERPLEXITY_API_KEY"),
    TokenRule("databricks-token", "Databricks token", _B0 + r"dapi[a-f0-9]{32}(?:-\d)?" + _B1, "DATABRICKS_API_TOKEN"),
    TokenRule("stripe-live-key", "Stripe live key", _B0 + r"[rs]k_live_[A-Za-z0-9]{24,}" + _B1, "STRIPE_API_KEY"),
    TokenRule("pypi-token", "PyPI token", _B0 + r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}" + _B1, "PYPI_TOKEN"),
    TokenRule("npm-token", "npm token", _B0 + r"npm_[A-Za-z0-9]{36}" + _B1, "NPM_TOKEN"),
    TokenRule(
        "sendgrid-key",
        "SendGrid API key",
        _B0 + r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}" + _B1,
        "SENDGRID_API_KEY",
    ),
    TokenRule(
        "private-key",
        "PEM private key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d",
        "PRIVATE_KEY",
    ),
    TokenRule(
        "jwt",
        "JSON Web Token",
        _B0 + r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{0,}" + _B1,
        "JWT_TOKEN",
        validate=_jwt_ok,
    ),
    TokenRule("sk-api-key", "API key with an sk- prefix", _B0 + r"sk-[A-Za-z0-9]{32,}" + _B1, "API_KEY", MEDIUM),
    TokenRule(
        "bearer-token",
        "bearer token",
        r"(?<![A-Za-z])Bearer [A-Za-z0-9_.~+/\-]{12,}=*",
        "AUTH_TOKEN",
        validate=_bearer_ok,
    ),
    TokenRule(
        "basic-auth",
        "HTTP basic credentials",
        r"(?<![A-Za-z])Basic [A-Za-z0-9+/]{8,}={0,2}",
        "BASIC_AUTH",
        validate=_basic_ok,
    ),
)
RULES_BY_ID = {r.id: r for r in TOKEN_RULES}
TOKEN_RE = lazy_pattern("|".join(f"(?P<t{i}>{r.pattern})" for i, r in enumerate(TOKEN_RULES)))
# Cheap screen: a string that contains none of these cannot match any token rule.
_TOKEN_HINT = re.compile(
    r"sk-|AKIA|ASIA|A3T|ABIA|ACCA|AIza|GOCSPX|ya29|Q~|(?i:accountkey|sharedaccesskey)|hf_|api_org_|gh[pousr]_|github_pat|"
    r"gl[a-z]{1,5}-|GR1348941|xox|hooks\.slack|gsk_|nvapi-|xai-|r8_|lsv2_|pplx-|dapi|_live_|pypi-|npm_|SG\.|"
    r"PRIVATE KEY|PuTTY|eyJ|Bearer |Basic "
)

# For the credential inside a token (Bearer xyz): the part that is the secret.
_SCHEME_PREFIX = re.compile(r"^(?:Bearer|Basic) ")
# Connection-string secrets: Password=...; AccountKey=...;
CONN_STRING_RE = re.compile(
    r"(?i)(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature|client_?secret)\s*=\s*(?P<v>[^;]+)"
)
# the credential between "scheme://user:" and "@host"
URL_CRED_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<user>[^\s:/?#@]*):(?P<pw>[^\s@/?#]*)@")
# secret-named query parameters
QUERY_SECRET_RE = re.compile(
    r"(?i)[?&](?P<name>api[_-]?key|apikey|key|token|access_token|auth|sig|x-amz-signature|x-amz-security-token|"
    r"password|passwd|pwd|secret|client_secret|code)=(?P<v>[^&#\s]+)"
)

# -- key names ------------------------------------------------------------------------------

# KEY_SENSITIVE: any non-placeholder value is a secret (password, api_key, token, ...)
KEY_SENSITIVE = "sensitive"
KEY_WEAK = "weak"  # a secret only when the value looks like one (authorization, *_key, cookie)
KEY_PATH = "path"  # the value points at a secret (a file path), it is not one
KEY_IDENT = "ident"  # names, ids, urls, models, hashes: never an entropy warning
KEY_OTHER = ""

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_STRONG_WORDS = {
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "passcode",
    "pass",
    "secret",
    "secrets",
    "token",
    "apikey",
    "credential",
    "credentials",
    "creds",
}
_STRONG_PAIRS = (
    "api_key",
    "api_keys",
    "access_key",
    "private_key",
    "auth_key",
    "service_key",
    "account_key",
    "secret_key",
    "license_key",
    "master_key",
    "signing_key",
    "encryption_key",
    "sas_token",
    "conn_str",
    "connection_string",
    "auth_token",
    "app_key",
    "admin_key",
    "client_key",
)
_WEAK_WORDS = {
    "authorization",
    "auth",
    "bearer",
    "cookie",
    "dsn",
    "webhook",
    "key",
    "keys",
    "sig",
    "signature",
    "salt",
    "hmac",
    "otp",
    "pin",
}
_PATH_LAST = {"file", "path", "dir", "directory", "loc", "location", "filename", "mount", "volume"}
_NOT_SECRET_LAST = {
    "url",
    "uri",
    "endpoint",
    "host",
    "hostname",
    "name",
    "type",
    "id",
    "ids",
    "length",
    "len",
    "size",
    "count",
    "limit",
    "limits",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "period",
    "interval",
    "timeout",
    "header",
    "headers",
    "field",
    "fields",
    "claim",
    "env",
    "enabled",
    "enable",
    "format",
    "algorithm",
    "alg",
    "prefix",
    "suffix",
    "version",
    "ref",
    "mode",
    "policy",
    "kind",
    "template",
    "style",
    "provider",
    "module",
    "rotation",
    "required",
    "verification",
    "verify",
    "tokens",
    "budget",
    "usage",
    "ratio",
    "threshold",
    "delay",
    "retries",
    "class",
    "scope",
    "scopes",
    "audience",
    "issuer",
    "user",
    "username",
    "region",
    "role",
    "alias",
    "level",
    "pattern",
    "regex",
    "strategy",
    "store",
    "backend",
    "encoding",
}
_IDENT_WORDS = {
    "id",
    "ids",
    "name",
    "names",
    "model",
    "models",
    "uuid",
    "digest",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "hash",
    "checksum",
    "commit",
    "revision",
    "etag",
    "image",
    "version",
    "tag",
    "url",
    "uri",
    "endpoint",
    "host",
    "path",
    "file",
    "dir",
    "region",
    "namespace",
    "bucket",
    "collection",
    "index",
    "table",
    "db",
    "database",
    "user",
    "username",
    "schema",
    "prefix",
    "suffix",
    "identifier",
    "type",
    "provider",
    "embedding",
    "repo",
    "repository",
    "ocid",
    "project",
    "account",
    "org",
    "organization",
    "tenant",
    "subscription",
    "deployment",
    "location",
    "zone",
    "cluster",
    "arn",
    "label",
    "labels",
    "key_id",
    "fingerprint",
    "nonce",
    "query",
    "filter",
    "description",
    "title",
    "message",
    "prompt",
}
_EXEMPT_KEYS = {
    "public_key",
    "key_alias",
    "secret_name",
    "secret_ref",
    "secret_key_ref",
    "token_url",
    "token_endpoint",
    "secret_key_ref_name",
    "key_recheck_period",
    "token_type",
    "secret_type",
    "max_tokens",
    "token_limit",
    "keyspace",
    "primary_key",
    "sort_key",
    "partition_key",
    "cache_key",
    "key_prefix",
    "key_field",
    "key_name",
    "key_type",
    "api_key_config",
    "auth_enabled",
    "authorization_headers",
    "mcp_headers",
    "token_audience",
    "secretkeyref",
}


def normalize_key(key: str) -> str:
    return re.sub(r"[\-.\s]+", "_", _CAMEL.sub(r"\1_\2", key)).lower().strip("_")


@lru_cache(maxsize=4096)
def classify_key(key: str) -> str:
    """What a key name says about its value: KEY_SENSITIVE, KEY_WEAK, KEY_PATH, KEY_IDENT or ''."""
    if not key:
        return KEY_OTHER
    norm = normalize_key(key)
    if norm in _EXEMPT_KEYS:
        return KEY_IDENT
    words = norm.split("_")
    last = words[-1]
    if last in _PATH_LAST or norm.endswith(("_file", "_path", "_dir", "file", "path")):
        return KEY_PATH
    if norm in ("webhook_url", "webhook"):
        return KEY_WEAK
    if last in _NOT_SECRET_LAST:
        return KEY_IDENT if last in _IDENT_WORDS or last in ("name", "id", "ids", "url", "uri") else KEY_OTHER
    if any(w in _STRONG_WORDS for w in words) or any(p in norm for p in _STRONG_PAIRS):
        return KEY_SENSITIVE
    if any(w in _WEAK_WORDS for w in words):
        return KEY_WEAK
    if last in _IDENT_WORDS or norm in _IDENT_WORDS:
        return KEY_IDENT
    return KEY_OTHER


def env_name_class(name: str) -> str:
    """An environment variable's name read as a key (``PGVECTOR_PASSWORD`` -> secret)."""
    return classify_key(name.lower())


# -- values that are not secrets ------------------------------------------------------------

_PLACEHOLDERS = {
    "changeme",
    "change-me",
    "change_me",
    "changeit",
    "change-it",
    "password",
    "passwd",
    "pass",
    "secret",
    "secrets",
    "token",
    "apikey",
    "api-key",
    "api_key",
    "key",
    "fake",
    "dummy",
    "test",
    "testing",
    "example",
    "sample",
    "none",
    "null",
    "nil",
    "todo",
    "tbd",
    "fixme",
    "replace_me",
    "replace-me",
    "replaceme",
    "redacted",
    "placeholder",
    "empty",
    "default",
    "unset",
    "notset",
    "not-set",
    "n/a",
    "na",
    "undefined",
    "llamastack",
    "replay-mode-dummy-key",
    "kubernetes",
    "client",
    "oauth",
    "noop",
    "mask",
    "masked",
    "hidden",
    "secret-value",
    "my-secret",
    "mysecret",
    "mypassword",
    "my-password",
    "your-secret",
    "some-secret",
    "not-a-secret",
    "notasecret",
    "insecure",
    "letmein-not",
    "fake-key",
    "fake-token",
    "dummy-key",
    "dummy-token",
    "test-key",
    "test-token",
    "sk-fake",
}
_PLACEHOLDER_RE = lazy_pattern(
    r"(?ix)^(?:"
    r"(?:your|my|some|the|a|an|insert|enter|put|add|replace|paste|set|example|sample|dummy|fake|test|placeholder)"
    r"(?:[-_ .](?:own|real|actual|new|openai|anthropic|api|app|access|secret|auth|bearer|client|db|database|"
    r"postgres|pg|admin|user|service|account|llama|stack|vllm|llm|provider|the|a|an|value|here|goes|key|token|"
    r"password|passwd|pass|pw|credential|credentials|string|id|[a-z]+key))+"
    r"|.*[-_ .]here|.*goes[-_ ]here"
    r"|<[^<>]*>|\[[^\[\]]*\]|\{\{.*\}\}|\{[^{}]*\}"
    r"|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%"
    r"|[x*.\-_#•]+|\*+[^*]{0,4}|[^*]{0,4}\*{3,}"
    r"|sk-[.x*]+|sk-[A-Za-z0-9_\-]*(?:x{4,}|X{4,}|\.{3,}|\*{3,})"
    r"|(?:.*EXAMPLE.*)"
    r")$"
)
_REPEATED = re.compile(r"^(.)\1+$")
_MASK_CHARS = set("xX*.-_#•")
_PATH_RE = re.compile(r"^(?:/|\./|\.\./|~/|~$|[A-Za-z]:\\|file://|\\\\)")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")
_STRUCTURAL = re.compile(r"^(?:remote|inline)::|^[a-z][a-z_\-]*::[a-z][a-z0-9_\-]*$")


def is_placeholder(value: str) -> bool:
    v = value.strip().strip("'\"")
    if len(v) < 3:  # no real credential is one or two characters long
        return True
    low = v.lower()
    if low in _PLACEHOLDERS or _REPEATED.match(v):
        return True
    if len(v) > 120:  # placeholders are short; long values only by their characters (bounded time)
        return set(v) <= _MASK_CHARS
    return bool(_PLACEHOLDER_RE.match(v))


def is_path(value: str) -> bool:
    """A file path (or URL to a file): the value points at a secret, it is not one. A base64
    token starts with ``/`` once in 64: a random-looking value of one or two segments with no
    file-name dot is a token, not a path (``/etc/ssl/certs/MyCA2024`` stays a path)."""
    if not _PATH_RE.match(value):
        return False
    return not (value[0] == "/" and value.count("/") <= 2 and "." not in value and high_entropy(value))


def is_uuid(value: str) -> bool:
    return bool(_UUID_RE.match(value))


def is_structural(value: str) -> bool:
    return bool(_STRUCTURAL.match(value))


def looks_like_model_id(value: str) -> bool:
    """``meta-llama/Llama-3.1-8B-Instruct``, ``openai/gpt-4o-mini``, ``sentence-transformers/all-mpnet-base-v2``."""
    if value.count("/") not in (1, 2) or " " in value:
        return False
    parts = value.split("/")
    return (
        all(p and re.match(r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$", p) and sum(c.isalpha() for c in p) >= 2 for p in parts)
        and any("-" in p or "." in p or ":" in p for p in parts)
        and not any(_looks_random(p) for p in parts)
    )


def _looks_random(part: str) -> bool:
    return len(part) >= 24 and shannon(part) > 4.2


# -- entropy -------------------------------------------------------------------------------

_B64_CHARS = re.compile(r"^[A-Za-z0-9+/=_\-]+$")


def shannon(s: str) -> float:
    if not s:
        return 0.0
    counts: dict[str, int] = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def char_classes(s: str) -> int:
    return (
        any(c.islower() for c in s)
        + any(c.isupper() for c in s)
        + any(c.isdigit() for c in s)
        + any(not c.isalnum() for c in s)
    )


def looks_secret_shaped(value: str) -> bool:
    """A value shaped like a generated credential (used for weakly secret-named keys)."""
    v = value.strip()
    if len(v) < 8 or " " in v:
        return False
    if re.match(r"^[a-z]+(?:[_\-][a-z]+)*$", v):  # words_like_this
        return False
    has_digit = any(c.isdigit() for c in v)
    has_alpha = any(c.isalpha() for c in v)
    return (has_digit and has_alpha) or (len(v) >= 20 and char_classes(v) >= 3 and shannon(v) >= 3.5)


def high_entropy(value: str) -> bool:
    """The entropy-only warning: a long, random-looking token."""
    n = len(value)
    if n < 20 or n > 1000 or not _B64_CHARS.match(value):
        return False
    if _HEX_RE.match(value):
        if n in (32, 40, 64, 128) or n < 32:  # md5/sha1/sha256/sha512 digests, short hex ids
            return False
        if value.isdigit():
            return False
        return shannon(value) > 3.0
    if is_uuid(value) or value.isdigit():
        return False
    if not (any(c.isdigit() for c in value) and any(c.isupper() for c in value) and any(c.islower() for c in value)):
        return False
    limit = 4.5 if n >= 40 else (4.2 if n >= 28 else 3.9)
    return shannon(value) > limit


def token_secret_span(rule_id: str, text: str) -> tuple[int, int]:
    """Offsets of the secret inside a token match (the credential after ``Bearer``)."""
    if rule_id in ("bearer-token", "basic-auth"):
        m = _SCHEME_PREFIX.match(text)
        if m:
            return m.end(), len(text)
    if rule_id == "azure-storage-key":
        i = text.find("=")
        return i + 1, len(text)
    return 0, len(text)


def token_hint(value: str) -> bool:
    return _TOKEN_HINT.search(value) is not None


def token_hint_text(value: str) -> bool:
    """``token_hint`` for free text of any size (a whole run.yaml): the same answer, faster."""
    if len(value) < _HINT_BY_LINES:
        return _TOKEN_HINT.search(value) is not None
    # A long text (a whole synthesized run.yaml, masked on every keystroke): no alternative of
    # the hint can match a line break, so the text has a hint exactly when one of its lines has
    # one, and lines are remembered (from one keystroke to the next nearly all are the same).
    cache = _HINT_LINES
    if len(cache) > _HINT_LINES_MAX:
        cache.clear()
    search = _TOKEN_HINT.search
    for line in value.split("\n"):
        hit = cache.get(line)
        if hit is None:
            hit = cache[line] = search(line) is not None
        if hit:
            return True
    return False


_HINT_BY_LINES = 4096
_HINT_LINES: dict[str, bool] = {}
_HINT_LINES_MAX = 50_000
