"""Find literal secrets in the parsed YAML of every file of a workspace.

The walk visits each scalar once (an anchored value and its aliases are one finding), with
the key it sits under. Rules, in order: known token formats, credentials in URLs and
connection strings, the literal defaults of ``${env.X:=...}``, secret-named keys, and
high entropy (a warning only). Nothing here ever puts a secret value into a message, a repr
or an exception: the value is held by :class:`SecretValue` and handed out by ``reveal``.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias, cast

import yaml

from lsc_tui.config import envref
from lsc_tui.config.findings import Finding, Severity, path_text
from lsc_tui.config.secrets import names, rules as R
from lsc_tui.config.secrets.allowlist import load_allowlist
from lsc_tui.config.secrets.names import _SCHEME_NAMES
from lsc_tui.config.yaml.nodes import Node, located_scalar, parser_key

if TYPE_CHECKING:  # types only: the workspace and the fields read secrets through this module
    from lsc_tui.config.fields import KeyPath
    from lsc_tui.config.workspace import Workspace
    from lsc_tui.config.yaml.document import Derivation, Document

# A key path as the walk builds it: a linked pair ``(parent link, part)`` per level, None at the
# root, so that no tuple is built per node (:func:`_path_of` makes the KeyPath of one).
_Link: TypeAlias = "tuple[_Link, Any] | None"
# A scalar with hits, as the walk found it: (document index, key path, located node, nearest
# mapping key, inside a flow collection, its hits). Plain tuples: there is one per secret-like
# scalar of every file, and the editor rebuilds them after edits.
_Candidate: TypeAlias = "tuple[int, KeyPath, Node, str | None, bool, list[Hit]]"

ALLOW_MARK = "lsc-tui: allow-secret"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class SecretValue:
    """A secret held out of sight: its repr, str and format are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretValue(********)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "********"

    def __reduce__(self) -> NoReturn:  # never pickled into a cache or a crash report
        raise TypeError("a SecretValue cannot be pickled")

    def __len__(self) -> int:
        return len(self._value)


_NO_VALUE = SecretValue("")  # the default of a finding made by hand (tests, replace())

RULE_TITLES = {r.id: r.title for r in R.TOKEN_RULES} | {
    "url-password": "password in a URL",
    "url-query-secret": "secret in a URL query parameter",
    "connection-string-password": "password in a connection string",
    "env-default": "literal default of an env reference",
    "secret-key": "literal value of a secret-named key",
    "secret-key-weak": "secret-looking value of a key that often holds secrets",
    "high-entropy": "high-entropy string",
}


@dataclass(frozen=True)
class Hit:
    rule: str
    confidence: str
    severity: str
    sub: tuple[int, int]  # the secret inside the scalar's value
    rep: tuple[int, int]  # what a fix replaces inside the value
    kind: str = "literal"  # "literal" | "default"
    env_hint: str = ""
    existing_env: str = ""


@dataclass(frozen=True)
class SecretFinding:
    """One literal secret. Safe to print, log or serialise: it holds no value in the clear."""

    file: str
    line: int
    column: int
    path: KeyPath
    rule: str
    confidence: str  # high | medium | low
    severity: str  # error | warning
    fingerprint: str
    suggested_env: str = ""
    kind: str = "literal"  # literal | default (the operand of ${env.X:=...})
    existing_env: str = ""  # for kind == default: X
    gated: bool = False  # inside a provider switched on by ${env.Y:+id}
    multiline: bool = False
    allowed: str = ""  # "" | "inline" | "config"
    aliases: tuple[KeyPath, ...] = ()  # other key paths that share this value (YAML aliases)
    document_index: int = 0
    # where it is, for the fix (not part of identity or output)
    doc_path: Path = field(default=Path(), repr=False, compare=False)
    node_start: int = field(default=0, repr=False, compare=False)
    node_end: int = field(default=0, repr=False, compare=False)
    sub: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)
    rep: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)
    in_flow: bool = field(default=False, repr=False, compare=False)
    # the secret and the whole scalar it sits in (the scan always sets both)
    secret: SecretValue = field(default=_NO_VALUE, repr=False, compare=False)
    scalar: SecretValue = field(default=_NO_VALUE, repr=False, compare=False)
    # for a plain number (``password: 0755``): the value the servers read, as text ("493")
    number: SecretValue | None = field(default=None, repr=False, compare=False)

    def env_value(self) -> str:
        """What the environment variable must hold so that the server sees the same value.

        A one-line value written as a block scalar (``|`` or ``>``) loses the trailing newline
        the block adds: no token or password wants it, and .env files cannot hold it.
        """
        value = (self.number or self.secret).reveal()
        if value.endswith("\n") and "\n" not in value.rstrip("\n"):
            return value.rstrip("\n")
        return value

    @property
    def title(self) -> str:
        return RULE_TITLES.get(self.rule, self.rule)

    @property
    def is_warning(self) -> bool:
        return self.severity == R.WARNING

    @property
    def key_path(self) -> str:
        return path_text(self.path)

    def to_finding(self) -> Finding:
        sev = Severity.WARNING if self.is_warning or self.allowed else Severity.ERROR
        where = self.key_path or "(top level)"
        if self.kind == "default":
            msg = f"{where}: the default of ${{env.{self.existing_env}:=...}} is a literal secret ({self.title})"
            fix = f"Drop the default: ${{env.{self.existing_env}}}, and set {self.existing_env} in .env (`lsc-tui secrets fix`)."
        else:
            msg = f"{where}: literal secret ({self.title}, {self.confidence} confidence)"
            fix = (
                f"Move it to an environment variable: `lsc-tui secrets fix {shlex.quote(self.file)}` writes "
                f"${{env.{self.suggested_env or 'NAME'}}} and a 0600 .env."
            )
        if self.is_warning:
            fix += f" If it is not a secret, add `# {ALLOW_MARK}` or allow fingerprint {self.fingerprint}."
        return Finding(self.file, self.line, self.column, sev, f"secret-{self.rule}", msg, fix, self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": list(self.path),
            "key_path": self.key_path,
            "rule": self.rule,
            "title": self.title,
            "confidence": self.confidence,
            "severity": self.severity,
            "fingerprint": self.fingerprint,
            "suggested_env": self.suggested_env,
            "kind": self.kind,
            "existing_env": self.existing_env or None,
            "gated": self.gated,
            "multiline": self.multiline,
            "allowed": self.allowed or None,
            "aliases": [path_text(a) for a in self.aliases],
        }


def reveal(finding: SecretFinding) -> str:
    """The raw secret of a finding. Call it only when the operator asked to see it."""
    return finding.secret.reveal()


def fingerprint(path: KeyPath, secret: str) -> str:
    """Stable id of a finding: the key path and the value (hashed; the value is not recoverable)."""
    h = hashlib.sha256()
    h.update(b"lsc-tui-secret-v1\0")
    h.update(path_text(path).encode("utf-8"))
    h.update(b"\0")
    h.update(secret.encode("utf-8"))
    return h.hexdigest()[:16]


# -- scanning one scalar ------------------------------------------------------------------


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _stronger(a: str, b: str) -> str:
    order = {R.KEY_SENSITIVE: 3, R.KEY_WEAK: 2, R.KEY_OTHER: 1, R.KEY_IDENT: 0, R.KEY_PATH: 0}
    return a if order.get(a, 1) >= order.get(b, 1) else b


# ${env.X:default} and ${env.X:-default}: forms the server leaves literal, but whose operand
# is meant as a default (and may be a secret)
_LEGACY_DEFAULT = re.compile(r"\$\{\s*env\.([A-Za-z0-9_]+)\s*:-?(?![=+])([^}]+)\}")
# ``config.api_key``, ``spec.providers.<key>``: a dotted reference to a field, not a value
_ENV_NAME_VALUE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:KEY|TOKEN|PASSWORD|SECRET|CREDENTIALS?)$")
_URL_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$")
_COLOUR = re.compile(
    r"^(?:#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|(?:ansi_)?(?:bright_)?"
    r"(?:black|red|green|yellow|blue|magenta|cyan|white|gray|grey|default))$"
)
_DOTTED_FIELD = re.compile(r"^[a-z][a-z0-9_]*(?:\.(?:[a-z][a-z0-9_]*|<[a-z_]+>|\*))+$")


def _not_a_value(v: str) -> bool:
    """Values under a secret-named key that are not secrets themselves."""
    s = v.strip()
    return (
        R.is_placeholder(s)
        or R.is_path(s)
        or R.is_structural(s)
        or bool(_DOTTED_FIELD.match(s))
        or bool(_ENV_NAME_VALUE.match(s))
        or bool(_COLOUR.match(s))
        or bool(_URL_VALUE.match(s))
    )


def _token_hits(
    value: str,
    base: int,
    refs: list[envref.EnvRef],
    kind: str = "literal",
    rep: tuple[int, int] | None = None,
    existing: str = "",
) -> list[Hit]:
    out: list[Hit] = []
    if len(value) < 16 or not R.token_hint(value):
        return out
    ref_spans = [(r.start, r.end) for r in refs]
    for m in R.TOKEN_RE.finditer(value):
        rule = R.TOKEN_RULES[int(cast(str, m.lastgroup)[1:])]  # each alternative is a named group
        text = m.group(0)
        if ref_spans and _overlaps((m.start(), m.end()), ref_spans):
            continue
        if rule.validate is not None and not rule.validate(text):
            continue
        s, e = R.token_secret_span(rule.id, text)
        cred = text[s:e]
        if R.is_placeholder(cred):
            continue
        if rule.id in ("bearer-token", "basic-auth"):
            inner = R.TOKEN_RE.fullmatch(cred)
            if inner is not None:
                specific = R.TOKEN_RULES[int(cast(str, inner.lastgroup)[1:])]
                if specific.id not in ("bearer-token", "basic-auth"):
                    rule = specific
        s, e = m.start() + s + base, m.start() + e + base
        if rule.id == "private-key":  # the whole block is the key
            s, e = base, base + len(value)
        out.append(Hit(rule.id, rule.confidence, R.ERROR, (s, e), rep or (s, e), kind, rule.env_hint, existing))
    return out


def _url_hits(
    value: str, base: int, kind: str = "literal", rep: tuple[int, int] | None = None, existing: str = ""
) -> list[Hit]:
    out: list[Hit] = []
    if "://" in value and "@" in value:
        for m in R.URL_CRED_RE.finditer(value):
            pw = m.group("pw")
            if not pw or "${" in pw or R.is_placeholder(pw):
                continue
            s, e = m.start("pw") + base, m.end("pw") + base
            scheme = _SCHEME_NAMES.get(m.group("scheme").lower().split("+")[0], "")
            hint = f"{scheme}_PASSWORD" if scheme else ""
            out.append(Hit("url-password", R.HIGH, R.ERROR, (s, e), rep or (s, e), kind, hint, existing))
    if "://" in value and "=" in value and ("?" in value or "&" in value):
        for m in R.QUERY_SECRET_RE.finditer(value):
            v = m.group("v")
            if "${" in v or R.is_placeholder(v) or (len(v) < 12 and not R.looks_secret_shaped(v)):
                continue
            s, e = m.start("v") + base, m.end("v") + base
            out.append(Hit("url-query-secret", R.MEDIUM, R.ERROR, (s, e), rep or (s, e), kind, "", existing))
    if "=" in value and ";" in value:
        for m in R.CONN_STRING_RE.finditer(value):
            v = m.group("v").strip()
            if not v or "${" in v or R.is_placeholder(v):
                continue
            s = m.start("v") + base
            e = s + len(m.group("v").rstrip())
            out.append(Hit("connection-string-password", R.HIGH, R.ERROR, (s, e), rep or (s, e), kind, "", existing))
    return out


def plainly_clean(value: str, key: str | None) -> bool:
    """Whether ``detect_value(value, key)`` is empty by its first test: a value of under 16
    characters without ``${``, ``@`` or ``=``, under a key that says nothing of a secret (most
    scalars of a config). The scans ask this before anything else about a scalar."""
    return (
        len(value) < 16
        and "${" not in value
        and "@" not in value
        and "=" not in value
        and (not key or R.classify_key(key) not in _WEAKISH)
    )


_WEAKISH = (R.KEY_SENSITIVE, R.KEY_WEAK)


def detect_value(value: str, key: str | None, tag: str = _STR, quoted: bool = False) -> list[Hit]:
    """Every secret in one scalar value under ``key``. Pure: the editor calls it per scalar."""
    if not value or value.isspace() or plainly_clean(value, key):
        return []  # the common case: a short value under an ordinary key
    keycls = R.classify_key(key) if key else R.KEY_OTHER
    if tag != _STR and not quoted:
        if keycls == R.KEY_SENSITIVE and tag in (_INT, _FLOAT):  # a numeric password
            return [Hit("secret-key", R.MEDIUM, R.ERROR, (0, len(value)), (0, len(value)))]
        return []
    refs = envref.find_refs(value) if "${" in value else []
    hits = _token_hits(value, 0, refs)
    taken = [h.sub for h in hits]
    for h in _url_hits(value, 0):
        if not _overlaps(h.sub, taken) and not _overlaps(h.sub, [(r.start, r.end) for r in refs]):
            hits.append(h)
            taken.append(h.sub)
    defaults = [
        (r.name, r.operand, r.end - 1 - len(r.operand), r.start, r.end) for r in refs if r.op == "=" and r.operand
    ]
    template = False
    if "${" in value:
        covered = [(r.start, r.end) for r in refs]
        for m in _LEGACY_DEFAULT.finditer(value):
            if not _overlaps((m.start(), m.end()), covered):
                defaults.append((m.group(1).upper(), m.group(2), m.start(2), m.start(), m.end()))
        template = len(refs) < value.count("${")
    for name, op, base, start, end in defaults:
        cls = _stronger(keycls, R.env_name_class(name))
        rep = (start, end)
        existing = name if envref.NAME_RE.match(name) else ""
        inner = _token_hits(op, base, [], "default", rep, existing) + _url_hits(op, base, "default", rep, existing)
        if inner:
            hits.append(replace(inner[0], sub=(base, base + len(op))))
            continue
        if cls == R.KEY_SENSITIVE and not _not_a_value(op):
            conf = R.HIGH if R.looks_secret_shaped(op) else R.MEDIUM
            hits.append(Hit("env-default", conf, R.ERROR, (base, base + len(op)), rep, "default", "", existing))
        elif cls == R.KEY_WEAK and R.looks_secret_shaped(op) and not _not_a_value(op):
            hits.append(Hit("env-default", R.MEDIUM, R.ERROR, (base, base + len(op)), rep, "default", "", existing))
    if hits or refs or template:
        return hits
    whole = (0, len(value))
    if keycls == R.KEY_SENSITIVE:
        if not _not_a_value(value):
            conf = R.HIGH if R.looks_secret_shaped(value) else R.MEDIUM
            return [Hit("secret-key", conf, R.ERROR, whole, whole)]
        return []
    if keycls == R.KEY_WEAK:
        if R.looks_secret_shaped(value) and not _not_a_value(value):
            return [Hit("secret-key-weak", R.MEDIUM, R.ERROR, whole, whole)]
        return []
    if keycls in (R.KEY_IDENT, R.KEY_PATH) or len(value) < 20:
        return []
    if R.high_entropy(value) and not (R.is_path(value) or R.is_uuid(value) or R.looks_like_model_id(value)):
        return [Hit("high-entropy", R.LOW, R.WARNING, whole, whole)]
    return []


# -- walking documents -----------------------------------------------------------------------


def _key_part(k: Node) -> str | int | None:
    if k.kind != "scalar":
        return k.value
    if k.tag == _INT and k.style is None:
        try:
            return int(k.value or "", 0)
        except ValueError:
            return k.value
    return k.value


def _walk(doc: Document) -> Iterator[tuple[int, _Link, Node, str | None, bool]]:
    """(document index, path link, node, nearest mapping key, in flow) for each scalar.

    The path is a linked pair ``(parent_link, part)`` so that no tuple is built per node;
    :func:`_path_of` turns it into a key path for the few scalars that hold a secret.
    """
    roots = doc.roots or ([doc.root] if doc.root is not None else [])
    for di, root in enumerate(roots):
        stack: list[tuple[_Link, Node, str | None, bool]] = [(None, root, None, False)]
        pop, push = stack.pop, stack.append
        while stack:
            link, node, key, flow = pop()
            kind = node.kind
            if kind == "scalar":
                yield di, link, node, key, flow
            elif kind == "map":
                inner = flow or node.flow
                for k, v in reversed(node.items):
                    part = _key_part(k) if (k.tag == _INT or k.kind != "scalar") else k.value
                    push(((link, part), v, part if isinstance(part, str) else key, inner))
            else:
                inner = flow or node.flow
                items = node.items
                for i in range(len(items) - 1, -1, -1):
                    push(((link, i), items[i], key, inner))


def _walk_parser(ynodes: list[yaml.Node]) -> Iterator[tuple[int, _Link, yaml.ScalarNode, str | None, bool]]:
    """``_walk`` over the parser's nodes (a document whose located tree is not built): the
    same order, keys and flags; each scalar is the parser's node (``value``, ``tag``, ``style``)."""
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode
    for di, root in enumerate(ynodes):
        # a parser node of any class: the loop tells them apart by class identity (the fast test)
        pstack: list[tuple[_Link, Any, str | None, bool]] = [(None, root, None, False)]
        pop, push = pstack.pop, pstack.append
        while pstack:
            link, node, key, flow = pop()
            cls = node.__class__
            if cls is scalar:
                yield di, link, node, key, flow
            elif cls is mapping or isinstance(node, mapping):
                inner = flow or bool(node.flow_style)
                for k, v in reversed(node.value):
                    part = parser_key(k) if (k.tag == _INT or k.__class__ is not scalar) else k.value
                    push(((link, part), v, part if isinstance(part, str) else key, inner))
            else:
                inner = flow or bool(node.flow_style)
                items = node.value
                for i in range(len(items) - 1, -1, -1):
                    push(((link, i), items[i], key, inner))


def _path_of(link: _Link) -> KeyPath:
    parts: list[Any] = []
    while link is not None:
        link, part = link
        parts.append(part)
    return tuple(reversed(parts))


def iter_scalars(doc: Document) -> Iterator[tuple[int, KeyPath, Node, str | None, bool]]:
    """(document index, key path, node, nearest mapping key, inside a flow collection)."""
    for di, link, node, key, flow in _walk(doc):
        yield di, _path_of(link), node, key, flow


def value_start(text: str, node: Node) -> int:
    """Offset of the scalar itself, after any ``&anchor`` and ``!tag`` in front of it."""
    s = node.start
    while s < node.end and text[s] in "&!":
        while s < node.end and text[s] not in " \t\r\n":
            s += 1
        while s < node.end and text[s] in " \t\r\n":
            s += 1
    return s


def _line_rest(text: str, node: Node) -> str:
    if node.style in ("|", ">"):
        s = value_start(text, node)
        e = text.find("\n", s)
        return text[s : e if e >= 0 else len(text)]
    e = text.find("\n", node.end)
    return text[node.end : e if e >= 0 else len(text)]


def _has_allow_comment(text: str, node: Node) -> bool:
    rest = _line_rest(text, node)
    i = rest.find("#")
    return i >= 0 and ALLOW_MARK in rest[i:]


def _gated(data: Any, path: KeyPath) -> bool:
    """True when a mapping on the path has ``provider_id: ${env.Y:+id}``."""
    node = data
    for part in path:
        if isinstance(node, dict):
            pid = node.get("provider_id")
            if isinstance(pid, str) and ":+" in pid and envref.find_refs(pid):
                return True
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return False


def _position(text: str, node: Node, sub: tuple[int, int]) -> tuple[int, int]:
    """Line and column of the secret itself when the scalar is written verbatim on one line."""
    s = value_start(text, node)
    line = node.line + text.count("\n", node.start, s)
    col = node.column + (s - node.start) if line == node.line else s - text.rfind("\n", 0, s)
    raw = text[s : node.end]
    value = node.value or ""
    if node.style is None and raw == value and "\n" not in raw:
        return line, col + sub[0]
    if node.style in ("'", '"') and raw[1:-1] == value and "\n" not in raw:
        return line, col + 1 + sub[0]
    return line, col


def scan_document(doc: Document, *, allow: frozenset[str] | set[str] = frozenset()) -> list[SecretFinding]:
    """Every literal secret in one document (allowed ones included, marked ``allowed``)."""
    return _findings_of(doc, _candidates_cached(doc), allow)


def _detect(node: Node, key: str | None) -> list[Hit] | None:
    """detect_value for one scalar of a walk, with the fast path for the common case."""
    value = node.value
    if not value or plainly_clean(value, key):
        return None
    return detect_value(value, key, node.tag, node.style is not None) or None


def _candidates(doc: Document) -> list[_Candidate]:
    """(document index, key path, node, nearest key, in flow, hits) of every scalar with hits, in
    walk order (the order of the text: aliases aside, node starts increase along the walk)."""
    out: list[_Candidate] = []
    # a document read but not yet shown: walk the parser's nodes, locate only the candidates
    pending = doc.parser_nodes() if hasattr(doc, "parser_nodes") else None
    walk: Iterator[tuple[int, _Link, Node | yaml.ScalarNode, str | None, bool]]
    base: int | None
    if pending is not None:
        walk, base = _walk_parser(pending[0]), pending[1]
    else:
        walk, base = _walk(doc), None
    # (value, key, tag, quoted) that detect_value (a pure function) found nothing in: values repeat
    # from provider to provider (`${env.OPENAI_API_KEY}`, a shared host), each is checked once
    clean: set[tuple[str, str | None, str, bool]] = set()
    for di, link, node, key, flow in walk:
        value = node.value
        if not value or plainly_clean(value, key):
            continue
        probe = (value, key, node.tag, bool(node.style))
        if probe in clean:
            continue
        hits = detect_value(*probe)
        if not hits:
            clean.add(probe)
        else:
            # with a base, the walk is the parser's (its scalars get located); without, it is the tree's
            located = located_scalar(node, base) if base is not None else cast(Node, node)
            out.append((di, _path_of(link), located, key, flow, hits))
    return out


def _candidates_cached(doc: Document) -> list[_Candidate]:
    """The candidates of a document, remembered per document. A document derived from another by a
    one-scalar edit (``yaml.edit.replaced_scalar_document``) reuses its source's: every other scalar
    kept its value, key and path, only its offsets moved; the edited scalar is detected again."""
    try:
        entry = _SCANNED.get(doc)
    except TypeError:  # not weak-referenceable
        return _candidates(doc)
    if entry is not None and entry.text == doc.text and entry.candidates is not None:
        return entry.candidates
    derived = doc.derived
    source = derived.source() if derived is not None else None
    before = _SCANNED.get(source) if source is not None else None
    if (
        derived is not None
        and source is not None
        and before is not None
        and before.text == source.text
        and before.candidates is not None
    ):
        out = _derived_candidates(before.candidates, derived)
    else:
        out = _candidates(doc)
    if entry is None or entry.text != doc.text:
        _SCANNED[doc] = entry = _Scanned(doc.text)
    entry.candidates = out
    return out


def _derived_candidates(source: list[_Candidate], derived: Derivation) -> list[_Candidate]:
    # the edited scalar by its offset: a candidate's node may be a copy of the tree's (no aliases
    # here, so no two scalars share a start)
    old_start = derived.old_node.start
    out = [
        (di, path, derived.moved(node), key, flow, hits)
        for di, path, node, key, flow, hits in source
        if node.start != old_start
    ]
    hits = _detect(derived.node, derived.key)
    if hits:
        start = derived.node.start
        i = 0
        while i < len(out) and out[i][2].start < start:  # few candidates: a linear search is enough
            i += 1
        out.insert(i, (0, derived.path, derived.node, derived.key, False, hits))
    return out


def _findings_of(doc: Document, candidates: list[_Candidate], allow: frozenset[str] | set[str]) -> list[SecretFinding]:
    text = doc.text
    out: list[SecretFinding] = []
    seen: dict[tuple[int, int, tuple[int, int]], int] = {}  # (document, node start, span) -> index in out
    data_list = doc.all_data if doc.all_data else [doc.data]
    stream = doc.stream
    for di, local, node, _key, flow, hits in candidates:
        value = node.value or ""  # a candidate's value is never empty
        # a multi-document stream read as one: its paths start with the document's index
        path = (di,) + local if stream else local
        for hit in hits:
            ident = (di, node.start, hit.sub)
            if ident in seen:
                i = seen[ident]
                out[i] = replace(out[i], aliases=out[i].aliases + (path,))
                continue
            secret = value[hit.sub[0] : hit.sub[1]]
            fp = fingerprint(path, secret)
            allowed = ""
            if fp in allow:
                allowed = "config"
            elif _has_allow_comment(text, node):
                allowed = "inline"
            data = data_list[di] if di < len(data_list) else None
            line, col = _position(text, node, hit.sub)
            suggested = hit.existing_env or names.preferred_name(data, local, hit.rule, hit.env_hint)
            seen[ident] = len(out)
            out.append(
                SecretFinding(
                    file=doc.display,
                    line=line,
                    column=col,
                    path=path,
                    rule=hit.rule,
                    confidence=hit.confidence,
                    severity=hit.severity,
                    fingerprint=fp,
                    suggested_env=suggested,
                    kind=hit.kind,
                    existing_env=hit.existing_env,
                    gated=_gated(data, local),
                    multiline="\n" in secret.strip("\n"),
                    allowed=allowed,
                    document_index=di,
                    doc_path=Path(doc.path),
                    node_start=node.start,
                    node_end=node.end,
                    sub=hit.sub,
                    rep=hit.rep,
                    in_flow=flow,
                    secret=SecretValue(secret),
                    scalar=SecretValue(value),
                    number=_number(node),
                )
            )
    return out


def _number(node: Node) -> SecretValue | None:
    if node.style is not None or node.tag not in (_INT, _FLOAT) or node.value is None:
        return None
    try:
        got = yaml.safe_load(node.value)
    except yaml.YAMLError:
        return None
    if isinstance(got, (int, float)) and not isinstance(got, bool) and str(got) != node.value:
        return SecretValue(str(got))
    return None


# -- workspaces ------------------------------------------------------------------------------


@dataclass
class ScanResult:
    findings: list[SecretFinding]  # active (not allowed), sorted
    allowed: list[SecretFinding]
    documents: list[Document]  # the documents scanned
    allow_source: Path | None = None

    @property
    def errors(self) -> list[SecretFinding]:
        return [f for f in self.findings if not f.is_warning]

    @property
    def warnings(self) -> list[SecretFinding]:
        return [f for f in self.findings if f.is_warning]

    def secret_values(self) -> set[str]:
        """Every secret found (allowed ones too), for masking free text. Handle with care."""
        return {f.secret.reveal() for f in self.findings + self.allowed}


class _Scanned:
    """What the scan knows of one document: its candidates, and its findings under one allowlist."""

    __slots__ = ("text", "candidates", "allow", "findings")

    def __init__(self, text: str):
        self.text = text
        self.candidates: list[_Candidate] | None = None
        self.allow: frozenset[str] | None = None
        self.findings: list[SecretFinding] | None = None


# per document (weakly: the parse cache decides how long documents live); cleared, it forgets all
_SCANNED: weakref.WeakKeyDictionary[Document, _Scanned] = weakref.WeakKeyDictionary()


def _scan_cached(doc: Document, allow: frozenset[str]) -> list[SecretFinding]:
    """scan_document, remembered per parsed document: the editor rescans after every edit,
    and the documents that did not change are the same objects (yaml.document's parse cache)."""
    try:
        entry = _SCANNED.get(doc)
    except TypeError:  # not weak-referenceable
        return scan_document(doc, allow=allow)
    if entry is not None and entry.text == doc.text and entry.allow == allow and entry.findings is not None:
        return entry.findings
    result = scan_document(doc, allow=allow)
    entry = _SCANNED[doc]  # made by scan_document's candidates
    entry.allow, entry.findings = allow, result
    return result


def scan_documents(
    documents: Iterable[Document], *, allow: frozenset[str] | set[str] = frozenset(), allow_source: Path | None = None
) -> ScanResult:
    docs = list(documents)
    found: list[SecretFinding] = []
    allow = frozenset(allow)
    for doc in docs:
        found.extend(_scan_cached(doc, allow))
    found = names.assign_names(found)
    order = {"error": 0, "warning": 1}
    found.sort(key=lambda f: (f.file, f.line, f.column, order.get(f.severity, 2), f.rule))
    return ScanResult([f for f in found if not f.allowed], [f for f in found if f.allowed], docs, allow_source)


def scan_workspace(ws: Workspace, *, allow: Iterable[str] | None = None) -> ScanResult:
    """Scan every file of a workspace: the config (native_override included), run.yaml, profile."""
    source = None
    if allow is None:
        allow, source = load_allowlist(Path(ws.root_path).parent)
    return scan_documents(ws.documents, allow=frozenset(allow), allow_source=source)


def to_findings(result: ScanResult) -> list[Finding]:
    return [f.to_finding() for f in result.findings]
