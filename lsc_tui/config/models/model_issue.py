"""What a model check finds: :class:`ModelIssue`, located by its key path in the data.

No pydantic here: the one-shot commands' quick verdict (verdict.py) and the cross-section checks
use it without loading the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A key path in the data: mapping keys and list indexes, outermost first.
Loc = tuple[Any, ...]


@dataclass(frozen=True)
class ModelIssue:
    """One problem found by a model, located by its key path in the data."""

    path: Loc
    severity: str  # "error" | "warning"
    code: str  # unknown-key | missing-key | invalid-value | invalid-type | ...
    message: str
    fix: str = ""


def token_like(text: str) -> bool:
    """Long unbroken mixes of letters and digits are more likely keys than typos: never quote them."""
    return len(text) >= 16 and " " not in text and any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def shown_key(part: Any) -> Any:
    """A key as a message may quote it: printable, short and not like a credential, else an ellipsis."""
    if isinstance(part, str) and (len(part) > 60 or not part.isprintable() or "`" in part or token_like(part)):
        return "…"
    return part
