"""Cross-field rule failures raised inside model validators.

A rule names the key it is about (relative to the model that checks it), an issue code
and a fix, so the validation API can point at the exact key instead of the whole block.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

RULE_ERROR = "lsc_rule"


def rule(
    message: str, *, at: tuple[str | int, ...] = (), code: str = "invalid-value", fix: str = ""
) -> PydanticCustomError:
    """An error to ``raise`` from a validator (``{at}``, ``{code}`` and ``{fix}`` would be expanded)."""
    return PydanticCustomError(RULE_ERROR, message, {"at": tuple(at), "code": code, "fix": fix})
