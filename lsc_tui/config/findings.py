"""Findings: every problem lsc-tui reports, located in a file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the YAML layer imports this module
    from lsc_tui.config.yaml.document import Document


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclass(frozen=True)
class Finding:
    """One located problem.

    ``line`` and ``column`` are 1-based; 0 means "the whole file". ``path`` is the key
    path inside the document (strings for mapping keys, ints for list indexes).
    The message and fix never contain a secret value.
    """

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    fix: str = ""
    path: tuple[Any, ...] = field(default=())

    def __post_init__(self) -> None:
        # Messages quote input (a validator's "got X", an enum error): whatever in them the
        # secrets scanner would flag is masked before anyone can show them.
        # deferred: masking loads the secrets scanner, which imports this module (a cycle)
        from lsc_tui.config.masking import mask_message

        for name in ("message", "fix"):
            text = getattr(self, name)
            if text and isinstance(text, str):
                masked = mask_message(text)
                if masked is not text and masked != text:
                    object.__setattr__(self, name, masked)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_text(self, label: str | None = None) -> str:
        """``file:line:col: severity: code: message`` and the fix; ``label`` words the severity
        otherwise (``secret`` where literal secrets are counted apart from the errors)."""
        head = f"{self.location()}: {label or self.severity.value}: {self.code}: {self.message}"
        if self.fix:
            return f"{head}\n    fix: {self.fix}"
        return head

    def shown_path(self) -> list[Any]:
        """``path`` as it may leave the process (--json, an LSP diagnostic's data): a key is
        input too, so an API key pasted where a key goes is masked as in the message. The path
        itself stays whole, where the editor needs it to find the node."""
        # deferred: masking loads the secrets scanner, which imports this module (a cycle)
        from lsc_tui.config.masking import mask_inline

        return [mask_inline(p) if isinstance(p, str) else p for p in self.path]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["path"] = self.shown_path()
        return data


def sort_findings(findings: list[Finding]) -> list[Finding]:
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: (f.file, f.line, f.column, order[f.severity], f.code))


def is_secret(finding: Finding) -> bool:
    """A literal secret's finding: the editor's header and ``lsc-tui validate`` count it apart
    (S), not as an error or a warning."""
    return finding.code.startswith("secret-")


def counts(findings: list[Finding], secrets: int) -> dict[str, int]:
    """What the editor's header and ``lsc-tui validate`` count: errors and warnings of
    validation and synthesis, and the literal secrets on their own (``secrets``)."""
    plain = [f for f in findings if not is_secret(f)]
    return {
        "errors": sum(1 for f in plain if f.severity is Severity.ERROR),
        "warnings": sum(1 for f in plain if f.severity is Severity.WARNING),
        "secrets": secrets,
    }


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)


def path_text(path: tuple[Any, ...] | list[Any]) -> str:
    """Render a key path as ``a.b[0].c``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def finding_path(finding: Finding, documents: Mapping[str, Document]) -> tuple[Any, ...]:
    """The key path a finding points at in its document: its own path, else the deepest node on
    its line (``documents``: display -> Document); () for the document as a whole."""
    if finding.path:
        return tuple(finding.path)
    doc = documents.get(finding.file)
    if doc is not None and finding.line:
        path: tuple[Any, ...] = doc.path_at_line(finding.line)
        return path
    return ()


class FindingError(Exception):
    """An input lsc-tui cannot use, and why: one or more located findings (file, line, column,
    message, fix). Every input error is one of these (an unreadable file, bad YAML, a bad
    workspace, migration or comparison input, nothing to export), and every caller reads it
    the same way: ``findings`` for the findings, ``located_text()`` for them as commands print
    them (one per line, each with its fix). ``str()`` is the ``summary`` when one was given (a
    line that sums the findings up), else the located text."""

    def __init__(self, findings: Finding | Sequence[Finding], summary: str = ""):
        self.findings: list[Finding] = [findings] if isinstance(findings, Finding) else list(findings)
        self.summary = summary
        super().__init__(summary or self.located_text())

    @property
    def finding(self) -> Finding:
        """The first finding (the one that stopped the read, when there is one)."""
        return self.findings[0]

    def located_text(self) -> str:
        return "\n".join(f.to_text() for f in self.findings)

    def __str__(self) -> str:
        return self.summary or self.located_text()
