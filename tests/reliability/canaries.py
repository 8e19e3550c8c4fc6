"""Canaries: one unique planted secret for every rule the secret scanner knows.

The list is generated from the scanner's own rules (``RULE_TITLES``: every token format of
``rules.TOKEN_RULES`` plus the URL, connection-string, env-default, key-name and entropy
rules), so a rule added to the scanner gets a canary without touching the tests. A token
rule's canary is drawn from the rule's regular expression; the few rules whose matches must
also pass a check (a JWT is JSON, basic credentials are base64 of ``user:password``) or whose
match is not a secret on its own (the PEM header) have a hand-made canary. Every canary is
checked against the scanner (it must be flagged by exactly its rule), and each carries the
``needle``: a piece of its secret that no output may contain.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from dataclasses import dataclass

try:  # Python 3.11+
    from re import _constants as C, _parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

from lsc_tui.config.secrets import detector, rules

ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Canary:
    rule: str
    value: str  # the scalar to plant (may hold more than the secret: a URL, an env reference)
    needle: str  # a unique piece of the secret: no output may contain it
    key: str  # the mapping key to plant it under (the rule may depend on it)
    multiline: bool = False


def _rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _mixed(rng: random.Random, n: int) -> str:
    """Random letters and digits with at least one of each class (entropy and shape rules)."""
    while True:
        s = _rand(rng, n)
        if any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s):
            return s


# -- drawing a string from a regular expression ----------------------------------------------


def _chars_of(items) -> list[str]:
    out: list[str] = []
    negate = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            out.append(chr(av))
        elif op is C.RANGE:
            out.extend(chr(c) for c in range(av[0], av[1] + 1))
        elif op is C.CATEGORY:
            out.extend({C.CATEGORY_DIGIT: string.digits, C.CATEGORY_WORD: ALNUM + "_",
                        C.CATEGORY_SPACE: " "}.get(av, ""))
    if negate:
        out = [c for c in ALNUM if c not in out]
    # a plain alphanumeric draw keeps a canary free of characters that end a token early
    plain = [c for c in out if c.isalnum()]
    return plain or out


def _draw(parsed, rng: random.Random, parts: list[tuple[str, bool]]) -> None:
    for op, av in parsed:
        if op is C.LITERAL:
            parts.append((chr(av), False))
        elif op is C.IN:
            parts.append((rng.choice(_chars_of(av)), True))
        elif op is C.ANY:
            parts.append((rng.choice(ALNUM), True))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            n = lo if hi != C.MAXREPEAT and hi == lo else lo + (8 if hi == C.MAXREPEAT else (hi - lo) // 2)
            n = max(n, 1) if lo == 0 and hi == C.MAXREPEAT else n
            for _ in range(n):
                _draw(sub, rng, parts)
        elif op is C.SUBPATTERN:
            _draw(av[-1], rng, parts)
        elif op is C.BRANCH:
            _draw(av[1][0], rng, parts)  # the first alternative: the rule's main format
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        else:  # pragma: no cover - a construct the rules do not use yet
            raise ValueError(f"cannot draw from regex construct {op}")


def from_regex(pattern: str, rng: random.Random) -> tuple[str, str]:
    """A string the pattern matches, and its longest run of drawn (random) characters."""
    parts: list[tuple[str, bool]] = []
    _draw(P.parse(pattern), rng, parts)
    text = "".join(c for c, _ in parts)
    runs, cur = [], []
    for c, drawn in parts:
        if drawn:
            cur.append(c)
        else:
            runs.append("".join(cur))
            cur = []
    runs.append("".join(cur))
    return text, max(runs, key=len)


# -- hand-made canaries for rules a regex draw cannot satisfy ---------------------------------


def _b64url(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def _jwt(rng):
    sig = _rand(rng, 43)
    value = f"{_b64url({'alg': 'HS256', 'typ': 'JWT'})}.{_b64url({'sub': _rand(rng, 12), 'n': _rand(rng, 8)})}.{sig}"
    return value, sig


def _basic(rng):
    pw = _rand(rng, 18)
    return "Basic " + base64.b64encode(f"svc:{pw}".encode()).decode(), None


def _bearer(rng):
    tok = _mixed(rng, 28)
    return "Bearer " + tok, tok


def _pem(rng):
    body = [_rand(rng, 64, ALNUM + "+/") for _ in range(3)]
    value = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END PRIVATE KEY-----\n"
    return value, body[1][8:40]


_MADE = {"jwt": _jwt, "basic-auth": _basic, "bearer-token": _bearer, "private-key": _pem}

# the key each non-token rule needs to fire, and the value it fires on
_CONTEXT = {
    "url-password": ("endpoint", lambda s: f"https://admin:{s}@canary.example:8443/v1"),
    "url-query-secret": ("endpoint", lambda s: f"https://canary.example/v1?token={s}"),
    "connection-string-password": ("dsn_string", lambda s: f"Server=db.example;Database=rag;Password={s};"),
    "env-default": ("base_url", lambda s: "${env.CANARY_DB_PASSWORD:=%s}" % s),
    "secret-key": ("password", lambda s: s),
    "secret-key-weak": ("authorization", lambda s: s),
    "high-entropy": ("extra_blob", lambda s: s),
}


def _detected(value: str, key: str) -> set[str]:
    return {h.rule for h in detector.detect_value(value, key)}


def _one(rule_id: str, rng: random.Random) -> tuple[str, str, str]:
    """(value, needle, key) of one draw for ``rule_id``."""
    key = "note"  # an innocent key: token formats are secrets wherever they sit
    if rule_id in _MADE:
        value, needle = _MADE[rule_id](rng)
        if needle is None:  # basic credentials: the whole base64 part
            needle = value.split(" ", 1)[1]
    elif rule_id in rules.RULES_BY_ID:
        value, needle = from_regex(rules.RULES_BY_ID[rule_id].pattern, rng)
    elif rule_id in _CONTEXT:
        key, make = _CONTEXT[rule_id]
        core = _mixed(rng, 44 if rule_id == "high-entropy" else 24)
        value, needle = make(core), core
    else:
        raise AssertionError(f"the scanner has a rule {rule_id!r} the canaries do not know how to plant: "
                             "add it to tests/reliability/canaries.py")
    return value, needle, key


def make_canaries(seed: int | None = None) -> list[Canary]:
    """One canary per scanner rule; every one flagged by its rule and unique.

    A random draw may miss its rule (a string not random-looking enough for the entropy
    rule): it is drawn again, so the set never depends on luck."""
    rng = random.Random(seed)
    out: list[Canary] = []
    for rule_id in detector.RULE_TITLES:
        for _attempt in range(100):
            value, needle, key = _one(rule_id, rng)
            if rule_id in _detected(value, key):
                break
        else:
            raise AssertionError(f"no canary drawn for {rule_id!r} is flagged by it: "
                                 "teach tests/reliability/canaries.py how to make one")
        if len(needle) > 24:  # a middle piece: what a truncated echo would still show
            mid = len(needle) // 2
            needle = needle[mid - 12:mid + 12]
        out.append(Canary(rule_id, value, needle, key, "\n" in value.strip()))
    return out


def check(canaries: list[Canary]) -> None:
    """Each canary is flagged by its own rule, and no needle is a piece of another canary."""
    for c in canaries:
        got = _detected(c.value, c.key)
        assert c.rule in got, f"the {c.rule} canary is not flagged by its rule (got {sorted(got)})"
        assert len(c.needle) >= 12, c
        others = [o.rule for o in canaries if o is not c and c.needle in o.value]
        assert not others, f"the {c.rule} canary's needle also occurs in {others}"


def leaks(text: str, canaries: list[Canary]) -> list[str]:
    """The rules whose canary shows in ``text`` (whole, or as its needle; JSON escapes included)."""
    if not text:
        return []
    found = []
    for c in canaries:
        if c.needle in text or (c.multiline and json.dumps(c.value)[1:-1][:60] in text):
            found.append(c.rule)
    return found


def env_name(rule: str) -> str:
    return "CANARY_" + re.sub(r"[^A-Z0-9]+", "_", rule.upper())
