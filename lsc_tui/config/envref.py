"""Environment references: ``${env.NAME}``, ``${env.NAME:=default}``, ``${env.NAME:+value}``.

The grammar is Llama Stack's (and LCORE's): names are upper-case letters, digits and ``_``;
no spaces; the operand runs to the first ``}``; there is no escape. Forms the server leaves
literal (``${env.X:default}``, ``${env.X:-d}``, ``${env.x}``, ``${ env.X }``) are found by
:func:`find_legacy_refs` so the editor can flag them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

ENV_REF = re.compile(r"\$\{env\.([A-Z0-9_]+)(?::([=+])([^}]*))?\}")
# Anything that looks like an attempt at an env reference.
_ANY_REF = re.compile(r"\$\{\s*env\.[^}]*\}?")
NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class EnvRef:
    name: str
    op: str | None  # None, "=" or "+"
    operand: str | None
    start: int  # offset in the string
    end: int

    @property
    def text(self) -> str:
        if self.op is None:
            return f"${{env.{self.name}}}"
        return f"${{env.{self.name}:{self.op}{self.operand}}}"

    @property
    def default(self) -> str | None:
        return self.operand if self.op == "=" else None


def make_ref(name: str, op: str | None = None, operand: str = "") -> str:
    if op is None:
        return f"${{env.{name}}}"
    return f"${{env.{name}:{op}{operand}}}"


def suggest_name(path: tuple[Any, ...], owner: str = "") -> str:
    """A variable name for the value at ``path``: the owner's name (a provider's id, when the
    value belongs to one) and the value's own key, upper-cased, every other character ``_``
    (``vllm`` + ``api_token`` -> ``VLLM_API_TOKEN``); never starting with a digit."""
    keys = [str(p) for p in path if isinstance(p, str)]
    words = (owner, keys[-1] if keys else "VALUE")
    name = re.sub(r"[^A-Z0-9_]", "_", "_".join(w for w in words if w).upper())
    if name and name[0].isdigit():
        name = "_" + name
    return name


def find_refs(value: str) -> list[EnvRef]:
    return [EnvRef(m.group(1), m.group(2), m.group(3), m.start(), m.end()) for m in ENV_REF.finditer(value)]


def is_pure_ref(value: object) -> bool:
    """True if the whole string is exactly one env reference."""
    if not isinstance(value, str):
        return False
    m = ENV_REF.fullmatch(value)
    return m is not None


@dataclass(frozen=True)
class LegacyRef:
    text: str
    start: int
    reason: str
    suggestion: str


def find_legacy_refs(value: str) -> list[LegacyRef]:
    """Reference-like text that the server will leave literal."""
    good = {(r.start, r.end) for r in find_refs(value)}
    out: list[LegacyRef] = []
    for m in _ANY_REF.finditer(value):
        if any(s <= m.start() < e for s, e in good):
            continue
        text = m.group(0)
        out.append(LegacyRef(text, m.start(), *_explain(text)))
    return out


def _explain(text: str) -> tuple[str, str]:
    inner = text.strip()
    if not inner.endswith("}"):
        return "the reference is not closed with '}'", inner + "}"
    body = inner[2:-1]
    stripped = body.strip()
    if stripped != body:
        return "spaces are not allowed inside ${...}", "${" + stripped + "}"
    name_part = stripped[len("env.") :]
    parts = re.split(r"([:+])", name_part, maxsplit=1)
    name, sep, rest = (parts + ["", ""])[:3]
    if sep == "+":
        return "'+' without ':' is an old form", f"${{env.{name.upper()}:+{rest}}}"
    if sep == ":":
        if rest.startswith("-"):
            return "':-' is shell syntax; Llama Stack uses ':='", f"${{env.{name.upper()}:={rest[1:]}}}"
        if not rest.startswith(("=", "+")):
            return "':default' is the pre-0.2.13 form; use ':='", f"${{env.{name.upper()}:={rest}}}"
    if name and not NAME_RE.match(name):
        return "variable names must be upper-case letters, digits and '_'", make_ref(
            re.sub(r"[^A-Z0-9_]", "_", name.upper())
        )
    return "not a valid env reference", make_ref(re.sub(r"[^A-Z0-9_]", "_", name.upper()) or "NAME")


class EnvVarMissing(KeyError):
    """A ``${env.X}`` with no default and X unset. Carries the name, never a value."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def resolve_string(value: str, env: Mapping[str, str] | None = None) -> str:
    """Substitute references in one string as Llama Stack does (no type coercion)."""
    env = os.environ if env is None else env

    def sub(m: re.Match[str]) -> str:
        name, op, operand = m.group(1), m.group(2), m.group(3)
        current = env.get(name) or ""
        if op == "=":
            if current:
                return os.path.expanduser(current)
            return os.path.expanduser(operand) if operand else ""
        if op == "+":
            return os.path.expanduser(operand) if current and operand else ""
        if not current:
            raise EnvVarMissing(name)
        return os.path.expanduser(current)

    return ENV_REF.sub(sub, value)


def literal_default(value: str) -> tuple[str, str] | None:
    """``(NAME, default)`` of a value that is exactly one ``${env.NAME:=default}`` whose default is
    written out (holds no reference); else None. What the value becomes while NAME is unset is
    ``coerce(value, default)``."""
    m = ENV_REF.fullmatch(value)
    if m is None or m.group(2) != "=":
        return None
    default = m.group(3) or ""
    return None if "${" in default else (m.group(1), default)


def coerce(original: str, resolved: str) -> str | int | float | bool | None:
    """Llama Stack's type conversion, applied only when substitution changed the string."""
    if resolved == original:
        return resolved
    if resolved == "":
        return None
    low = resolved.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(resolved)
    except ValueError:
        pass  # not an integer: try a float, else it stays a string
    try:
        return float(resolved)
    except ValueError:
        return resolved


def resolve(data: Any, env: Mapping[str, str] | None = None) -> Any:
    """Resolve every string in a plain data tree (keys untouched)."""
    if isinstance(data, dict):
        return {k: resolve(v, env) for k, v in data.items()}
    if isinstance(data, list):
        return [resolve(v, env) for v in data]
    if isinstance(data, str):
        return coerce(data, resolve_string(data, env))
    return data
