"""Masking: the one place that decides how a secret value looks when shown.

Every view that may show a config value (diffs, errors, previews, screenshots) passes
through here. A value is masked when it sits under a secret-named key and is not an env
reference, or when it equals a value the secrets scanner found.
"""

from __future__ import annotations

import re
from typing import Iterable

from lsc_tui.config.envref import ENV_REF

MASK = "********"

SECRET_KEY = re.compile(
    r"(?i)(^|[_\-.])("
    r"password|passwd|pwd|secret|client_secret|api[_-]?key|api[_-]?token|access[_-]?token|"
    r"refresh[_-]?token|auth[_-]?token|bearer|token|private[_-]?key|credentials?|auth_credential|"
    r"tenant_id|client_id|connection_string|sas_token|account_key"
    r")($|[_\-.])"
)
# Keys that contain a secret-ish word but name non-secret things.
_NOT_SECRET_KEY = re.compile(
    r"(?i)(_path|_file|_dir|_env|_url|_header|_headers|_name|_type|_length|_limit|_count|"
    r"max_tokens|tokens?_per|tokenizer|_ttl|_expiry|_field|_fields|_id_claim)$"
)


def is_secret_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    return bool(SECRET_KEY.search(key)) and not _NOT_SECRET_KEY.search(key)


def mask_string(value: str) -> str:
    """Mask a literal, keeping env references readable."""
    if not value:
        return value
    refs = list(ENV_REF.finditer(value))
    if not refs:
        return MASK
    # keep references, mask literal text around them, and := defaults
    out, pos = [], 0
    for m in refs:
        if m.start() > pos:
            out.append(MASK)
        name, op, operand = m.group(1), m.group(2), m.group(3)
        if op == "=" and operand:
            out.append(f"${{env.{name}:={MASK}}}")
        else:
            out.append(m.group(0))
        pos = m.end()
    if pos < len(value):
        out.append(MASK)
    return "".join(out)


def mask_tree(data, secret_values: Iterable[str] = (), _key=None):
    """A copy of ``data`` with secret values masked (shares nothing mutable with it)."""
    values = secret_values if isinstance(secret_values, (set, frozenset)) else set(secret_values)
    return _mask(data, values, False)


def _mask(data, values, under_secret):
    if isinstance(data, dict):
        return {k: _mask(v, values, under_secret or is_secret_key(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [_mask(v, values, under_secret) for v in data]
    if isinstance(data, str):
        if under_secret or data in values:
            return mask_string(data)
        if values:
            data = mask_text(data, values)
        if "@" in data or "earer" in data or "asic " in data:
            data = mask_inline(data)
        return data
    if under_secret and isinstance(data, (int, float)) and not isinstance(data, bool):
        return MASK
    return data


def mask_text(text: str, secret_values: Iterable[str]) -> str:
    """Replace every occurrence of each known secret value in free text."""
    for value in sorted({v for v in secret_values if v and len(v) >= 4}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


_URL_CRED = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*")


def mask_inline(text: str) -> str:
    """Mask credentials that can be recognised without context: URL passwords, bearer tokens."""
    text = _URL_CRED.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
