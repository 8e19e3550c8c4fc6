"""Masking: the one place that decides how a secret value looks when shown.

Every view that may show a config value (diffs, errors, previews, labels, notifications,
reports) passes through here. What is masked is what the secrets scanner flags
(:func:`lsc_tui.config.secrets.detector.detect_value`, so a new scanner rule is masked
everywhere at once), plus, on the safe side, every value under a secret-named key and
every value already known to be a secret. Env references stay readable; a literal default
of ``${env.X:=...}`` is masked when the scanner (or the variable's name) says it is secret.

The entry points:

- :func:`mask_message` for any text shown to a person (a finding's message, an exception, a
  tree label, a notification, a line of a report): known values plus everything recognisable
  on its own (:func:`mask_inline`).
- :func:`mask_tree` for data shown as data (a preview, a JSON report), scalar by scalar with
  the key each sits under; :func:`mask_yaml_text` for YAML (or a diff of YAML) as text.
- :func:`flagged_values` for the secrets inside a piece of data, to mask them in free text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from lsc_tui.config.envref import ENV_REF
from lsc_tui.config.secrets import rules
from lsc_tui.config.secrets.detector import Hit, detect_value, plainly_clean
from lsc_tui.config.secrets.rules import KEY_IDENT, KEY_PATH, KEY_SENSITIVE, classify_key, normalize_key

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
    r"max_tokens|tokens?_per|tokenizer|_ttl|_expiry|_field|_fields|_id_claim|_config|_enabled|_period)$"
)
# Header-like keys whose values are credentials.
_SECRET_HEADERS = {
    "authorization",
    "proxy_authorization",
    "cookie",
    "set_cookie",
    "bearer",
    "dsn",
    "webhook_url",
    "signature",
    "x_auth_token",
    "x_api_key",
}


@lru_cache(maxsize=4096)
def is_secret_key(key: object) -> bool:
    """True for keys whose values are shown masked (broader than the scanner's rule: when in doubt, mask)."""
    if not isinstance(key, str) or not key:
        return False

    cls = classify_key(key)
    if cls in (KEY_PATH,):
        return False
    if cls == KEY_SENSITIVE:
        return True
    if normalize_key(key) in _SECRET_HEADERS:
        return True
    if cls == KEY_IDENT and not key.lower().endswith(("tenant_id", "client_id")):
        return False
    return bool(SECRET_KEY.search(key)) and not _NOT_SECRET_KEY.search(key)


def mask_string(value: str) -> str:
    """Mask a literal, keeping env references readable (their ``:=`` defaults masked)."""
    if not value:
        return value
    refs = list(ENV_REF.finditer(value))
    if not refs:
        return MASK
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


def mask_tree(data: Any, secret_values: Iterable[str] = (), _key: str | None = None) -> Any:
    """A copy of ``data`` with secret values masked (shares nothing mutable with it).

    Each scalar is masked where the scanner flags it under its key, whole when it sits
    under a secret-named key or is a known value, and for anything recognisable inside it.
    """
    values = secret_values if isinstance(secret_values, (set, frozenset)) else set(secret_values)
    return _mask(data, values, False, _key)


def _mask(data: Any, values: set[str] | frozenset[str], under_secret: bool, key: str | None = None) -> Any:
    if isinstance(data, dict):
        return {
            k: _mask(v, values, under_secret or is_secret_key(k), k if isinstance(k, str) else key)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_mask(v, values, under_secret, key) for v in data]
    if isinstance(data, str):
        if under_secret or data in values:
            return mask_string(data)
        data = mask_scalar(data, key)
        if values:
            data = mask_text(data, values)
        return mask_inline(data)
    if under_secret and isinstance(data, (int, float)) and not isinstance(data, bool):
        return MASK
    return data


def _hits(value: str, key: object) -> list[Hit]:
    return detect_value(value, key if isinstance(key, str) else None)


def mask_scalar(value: str, key: str | None = None) -> str:
    """One scalar as shown: every part the scanner flags under ``key`` masked."""
    if not value or not isinstance(value, str):
        return value
    hits = _hits(value, key)
    if not hits:
        return value
    out, pos = [], 0
    for s, e in sorted({h.sub for h in hits}):
        if s < pos:  # overlapping spans: the first one already covers the start
            s = pos
        if e <= s:
            continue
        out.append(value[pos:s])
        out.append(MASK)
        pos = e
    out.append(value[pos:])
    return "".join(out)


def flagged_values(data: Any, _key: str | None = None, _out: set[str] | None = None) -> set[str]:
    """Every secret the scanner flags inside ``data`` (each scalar read under its key).

    For masking free text that may quote them (a diff of the data, a message about it).
    Handle the result with care: it holds the values in the clear."""
    out = set() if _out is None else _out
    seen: set[tuple[str, str | None]] = set()  # (value, key) pairs scanned: a config repeats most of its scalars

    def scan(value: str, key: str | None) -> None:
        if plainly_clean(value, key):
            return  # most scalars: nothing to remember
        pair = (value, key)
        if pair in seen:
            return
        seen.add(pair)
        for h in _hits(value, key):
            piece = value[h.sub[0] : h.sub[1]]
            if piece:
                out.add(piece)

    stack: list[tuple[Any, str | None]] = [(data, _key)]
    pop, push = stack.pop, stack.append
    while stack:
        node, key = pop()
        if isinstance(node, dict):
            for k, v in node.items():
                sub = k if isinstance(k, str) else key
                if v.__class__ is str:  # most values: scanned here rather than pushed
                    scan(v, sub)
                else:
                    push((v, sub))
        elif isinstance(node, list):
            for v in node:
                if v.__class__ is str:
                    scan(v, key)
                else:
                    push((v, key))
        elif isinstance(node, str):
            scan(node, key)
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and is_secret_key(key):
            out.add(str(node))
    return out


def mask_message(text: str, secret_values: Iterable[str] = ()) -> str:
    """Any text shown to a person, masked: known secret values, then everything the
    scanner's formats recognise without context (:func:`mask_inline`)."""
    if not text or not isinstance(text, str):
        return text
    if secret_values:
        text = mask_text(text, secret_values)
    return mask_inline(text)


def mask_text(text: str, secret_values: Iterable[str]) -> str:
    """Replace every occurrence of each known secret value in free text.

    Multi-line values (private keys) are also masked line by line, so that a diff or a
    preview that shows them one line at a time shows none of them.
    """
    if not text:
        return text
    return mask_needles(text, secret_needles(secret_values))


def secret_needles(secret_values: Iterable[str]) -> tuple[str, ...]:
    """What :func:`mask_text` replaces for these values, longest first: for masking many
    texts (the lines of a diff) with the same values, made once."""
    needles: set[str] = set()
    for v in secret_values:
        if not isinstance(v, str) or not v:
            continue
        if len(v) >= 4:
            needles.add(v)
        if "\n" in v:
            needles.update(
                line.strip()
                for line in v.splitlines()
                if len(line.strip()) >= 8 and not line.strip().startswith("-----")
            )
    return tuple(sorted(needles, key=len, reverse=True))


def mask_needles(text: str, needles: tuple[str, ...]) -> str:
    """:func:`mask_text` with the values' needles made by :func:`secret_needles`."""
    for value in needles:
        if value in text:
            text = text.replace(value, MASK)
    return text


_URL_CRED = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*")
_CONN = re.compile(r"(?i)((?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*)([^;\s'\"]+)")
_QUERY = re.compile(
    r"(?i)([?&](?:api[_-]?key|apikey|token|access_token|sig|password|secret|client_secret)=)"
    r"([^&#\s'\"]+)"
)
_PEM_BLOCK = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z)", re.S
)


def mask_inline(text: str) -> str:
    """Mask credentials that can be recognised without context.

    URL passwords, bearer and basic credentials, connection-string passwords, secret query
    parameters, private-key blocks and the known API-key formats (OpenAI, Anthropic, AWS,
    GitHub, Hugging Face, ...). Env references are left readable.
    """
    if not text:
        return text
    if len(text) <= 512:  # labels, messages and lines come back at every keystroke: remembered
        return _mask_inline_short(text)
    return _mask_inline(text)


@lru_cache(maxsize=16384)
def _mask_inline_short(text: str) -> str:
    return _mask_inline(text)


def _mask_inline(text: str) -> str:
    if "://" in text and "@" in text:
        text = _URL_CRED.sub(_url_sub, text)
    low = text.lower()
    if "bearer" in low or "basic" in low:
        text = _BEARER.sub(lambda m: m.group(0) if "${" in m.group(0) else f"{m.group(1)} {MASK}", text)
    if "=" in text:
        if ";" in text or low.startswith(("password", "pwd")):
            text = _CONN.sub(lambda m: m.group(0) if m.group(2).startswith("${") else m.group(1) + MASK, text)
        if "?" in text or "&" in text:
            text = _QUERY.sub(lambda m: m.group(0) if m.group(2).startswith("${") else m.group(1) + MASK, text)
    if "PRIVATE KEY" in text:
        text = _PEM_BLOCK.sub(MASK, text)
    if "${" in text and ":" in text:
        text = ENV_REF.sub(_default_sub, text)

    if rules.token_hint_text(text):
        text = rules.TOKEN_RE.sub(_token_sub, text)
    return text


def _default_sub(m: re.Match[str]) -> str:
    """``${env.X:=default}``: the default masked when the scanner would flag it (by the
    variable's name or the default's own format)."""
    name, op, operand = m.group(1), m.group(2), m.group(3)
    if op != "=" or not operand or operand == MASK:
        return m.group(0)
    if _hits(m.group(0), None):
        return f"${{env.{name}:={MASK}}}"
    return m.group(0)


def _url_sub(m: re.Match[str]) -> str:
    pw = m.group("pw")
    if pw.startswith("${") or pw == MASK:
        return m.group(0)
    return f"{m.group('scheme')}{m.group('user')}:{MASK}@"


def _token_sub(m: re.Match[str]) -> str:
    rule = rules.TOKEN_RULES[int((m.lastgroup or "t0")[1:])]  # TOKEN_RE's groups are t<index>, one matched
    text = m.group(0)
    if rule.validate is not None and not rule.validate(text):
        return text
    s, e = rules.token_secret_span(rule.id, text)
    return text[:s] + MASK + text[e:]


_YAML_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<dash>(?:- +)*)(?P<key>(?:\"[^\"]*\"|'[^']*'|[^\s:#'\"][^:#]*?))"
    r"(?P<sep>[ \t]*:(?:[ \t]+|$))(?P<rest>.*)$"
)
_BLOCK_INDICATOR = re.compile(r"^[|>][0-9+\-]*\s*(?:#.*)?$")


def mask_yaml_text(text: str, secret_values: Iterable[str] = (), *, diff: bool = False) -> str:
    """Mask YAML shown as text (a file, a preview, or a unified diff of YAML with ``diff=True``).

    Values under secret-named keys are masked (env references kept), block scalars under them
    masked line by line, then known values and recognisable credentials anywhere.
    """
    values = set(secret_values)
    out = []
    block_indent: int | None = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        nl = line[len(body) :]
        prefix = ""
        content = body
        if diff and body[:1] in ("+", "-", " ") and not body.startswith(("+++", "---")):
            prefix, content = body[:1], body[1:]
        indent = len(content) - len(content.lstrip(" "))
        if block_indent is not None:
            if content.strip() == "" or indent > block_indent:
                out.append(prefix + (content[:indent] + MASK if content.strip() else content) + nl)
                continue
            block_indent = None
        m = _YAML_LINE.match(content)
        if m and is_secret_key(m.group("key").strip().strip("'\"")):
            rest = m.group("rest")
            value, comment = _split_comment(rest)
            if _BLOCK_INDICATOR.match(rest.strip()):
                block_indent = len(m.group("indent")) + len(m.group("dash"))
                out.append(prefix + content + nl)
                continue
            stripped = value.strip()
            if stripped and stripped not in ("null", "~", "''", '""') and not _is_masked(stripped):
                quote = stripped[0] if stripped[0] in "'\"" and stripped[-1:] == stripped[0] else ""
                inner = stripped[1:-1] if quote else stripped
                masked = quote + mask_string(inner) + quote
                lead = value[: len(value) - len(value.lstrip())]
                content = content[: m.start("rest")] + lead + masked + comment
        out.append(prefix + content + nl)
    result = "".join(out)
    if values:
        result = mask_text(result, values)
    return "".join(mask_inline(line) for line in result.splitlines(keepends=True))


def _is_masked(value: str) -> bool:
    return value.strip("'\"") == MASK


def _split_comment(rest: str) -> tuple[str, str]:
    """``value  # comment`` -> (value, '  # comment'), respecting quotes."""
    quote = None
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or rest[i - 1] in " \t"):
            quote = ch
        elif ch == "#" and i > 0 and rest[i - 1] in " \t":
            j = i
            while j > 0 and rest[j - 1] in " \t":
                j -= 1
            return rest[:j], rest[j:]
    return rest, ""
