"""The checks made while a YAML text is read: the node and depth limits (alias bombs, runaway
nesting, recursive aliases), duplicate keys, YAML 1.1 traps, and located syntax errors.

They work on the parser's nodes, before any Python object is built and without the located
tree, and every reader (the config documents, the operator's manifest streams, plain data)
applies them with the one limit set of ``files``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.yaml.files import MAX_DEPTH, MAX_NODES, ReadRefused
from lsc_tui.config.yaml.nodes import BOOL_TAG, INT_TAG, MERGE_TAG, NULL_TAG, Node, located_scalar


class YamlLoadError(ReadRefused):
    """The file cannot be used at all (unreadable, or not YAML within the limits). Carries one
    located finding."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def parse_finding(
    display: str, exc: yaml.MarkedYAMLError, body: str = "", line_offset: int = 0, col_offset: int = 0
) -> Finding:
    """A parser's error as a located finding, with a fix for the common mistakes. The offsets
    place a document embedded in another file (a config.yaml in a ConfigMap's block scalar)."""
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
    col = (mark.column + 1 + col_offset) if mark else 1
    problem = exc.problem or "invalid YAML"
    context = f" ({exc.context})" if exc.context else ""
    fix = "Fix the YAML syntax at the place named."
    low = problem.lower()
    at = body[mark.index] if mark and 0 <= mark.index < len(body) else ""
    # the parser notices an unclosed '[', '{' or quote only where it gives up, often lines later
    # (at the end of the file): name where the construct opened, and say how to close it
    opened, closing = exc.context_mark, ""
    if exc.context and opened is not None and mark is not None and opened.line != mark.line:
        where = f"line {opened.line + 1 + line_offset}, column {opened.column + 1 + col_offset}"
        context = f" ({exc.context} that starts at {where})"
        ctx = exc.context.lower()
        if "flow sequence" in ctx or "flow mapping" in ctx:
            pair = "'[' at {} with ']'" if "sequence" in ctx else "'{{' at {} with '}}'"
            closing = f"Close the {pair.format(where)}, or separate its items with commas."
        elif "quoted scalar" in ctx:
            closing = f"Close the quote opened at {where}, or escape the quote characters inside the value."
    if closing:
        fix = closing
    elif at == "\t" or "\\t" in problem or "tab" in low:
        fix = "YAML does not allow tabs for indentation: replace them with spaces."
    elif "found character" in low and "cannot start any token" in low:
        fix = "Quote the value (for example '...') if it starts with a special character."
    elif "mapping values are not allowed" in low:
        fix = "A value containing ': ' must be quoted, or the indentation is off by one level."
    elif "expected <block end>" in low:
        fix = "Check the indentation: this line does not line up with its siblings."
    elif "could not find expected ':'" in low:
        fix = "A key is missing its ':' or a quoted string is not closed."
    elif "found undefined alias" in low:
        fix = "Define the anchor (&name) before using the alias (*name)."
    elif low.startswith("a value tagged !!"):
        fix = "Remove the explicit tag (!!...) or write a value of that type; quote it if it is a string."
    elif "unacceptable character" in low or "special characters are not allowed" in low:
        fix = "The file contains control or binary characters: is it really a YAML file?"
    return Finding(display, line, col, Severity.ERROR, "yaml-syntax", one_line(problem + context), fix)


@contextmanager
def located_parse_errors(display: str, body: str = "", line_offset: int = 0, col_offset: int = 0) -> Iterator[None]:
    """Inside it, the parser's errors (and a recursion too deep for it) become YamlLoadError
    with one located finding: every reader reports a bad text the same way."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError(parse_finding(display, exc, body, line_offset, col_offset)) from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(
            Finding(
                display,
                1 + line_offset,
                1,
                Severity.ERROR,
                "yaml-syntax",
                one_line(str(exc)),
                "Fix the YAML syntax at the place named.",
            )
        ) from None
    except RecursionError:
        raise YamlLoadError(
            Finding(
                display,
                1 + line_offset,
                1,
                Severity.ERROR,
                "yaml-too-deep",
                "the document is nested too deeply to read",
                f"Config files need far less than {MAX_DEPTH} levels; check for a runaway structure.",
            )
        ) from None


def check_limits(
    root: yaml.Node | None, display: str, aliases_possible: bool = True, line_offset: int = 0, col_offset: int = 0
) -> bool:
    """Refuse alias bombs, recursive aliases and runaway nesting before constructing Python
    objects: MAX_NODES nodes after alias expansion, MAX_DEPTH levels. Raises YamlLoadError
    located at the node (plus the offsets of an embedded document).

    Returns True when some node is reached twice (the document uses aliases). A text without
    ``*`` has no alias, so no node is reached twice: a plain count and depth walk suffices,
    and only a document over a limit is walked again by the exact check for its error."""
    if root is None:
        return False
    if not aliases_possible and _within_limits(root):
        return False
    return _check_size_exact(root, display, line_offset, col_offset)


def _within_limits(root: yaml.Node) -> bool:
    """Whether a tree (no node reached twice) has at most MAX_NODES nodes and MAX_DEPTH levels."""
    count = 1
    scalar = yaml.ScalarNode
    stack: list[tuple[Any, int]] = [(root, 0)] if root.__class__ is not scalar else []
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth >= MAX_DEPTH:
            return False
        items = node.value
        count += len(items)
        depth += 1
        for item in items:
            if item.__class__ is tuple:
                count += 1
                k, v = item
                if k.__class__ is not scalar:
                    push((k, depth))
                if v.__class__ is not scalar:
                    push((v, depth))
            elif item.__class__ is not scalar:
                push((item, depth))
        if count > MAX_NODES:
            return False
    return True


def _check_size_exact(root: yaml.Node, display: str, line_offset: int, col_offset: int) -> bool:
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    shared = [False]

    def size(node: Any, depth: int) -> int:
        nid = id(node)
        if nid in sizes:
            shared[0] = True
            return sizes[nid]
        if depth > MAX_DEPTH:
            raise YamlLoadError(
                Finding(
                    display,
                    node.start_mark.line + 1 + line_offset,
                    node.start_mark.column + 1 + col_offset,
                    Severity.ERROR,
                    "yaml-too-deep",
                    f"the document is nested more than {MAX_DEPTH} levels deep",
                    "Config files need far fewer levels; check for a runaway structure.",
                )
            )
        if nid in on_path:
            raise YamlLoadError(
                Finding(
                    display,
                    node.start_mark.line + 1 + line_offset,
                    node.start_mark.column + 1 + col_offset,
                    Severity.ERROR,
                    "yaml-recursive-alias",
                    "an alias refers to a node that contains it",
                    "Remove the recursive alias; configuration data cannot be recursive.",
                )
            )
        on_path.add(nid)
        total = 1
        if isinstance(node.value, list):
            for item in node.value:
                if isinstance(item, tuple):
                    total += size(item[0], depth + 1) + size(item[1], depth + 1)
                else:
                    total += size(item, depth + 1)
                if total > MAX_NODES:
                    break
        on_path.discard(nid)
        sizes[nid] = total
        if total > MAX_NODES:
            raise YamlLoadError(
                Finding(
                    display,
                    node.start_mark.line + 1 + line_offset,
                    node.start_mark.column + 1 + col_offset,
                    Severity.ERROR,
                    "yaml-alias-bomb",
                    f"aliases expand this document to more than {MAX_NODES:,} nodes; lsc-tui refuses to expand it",
                    "Remove the nested anchors and aliases (a 'billion laughs' structure).",
                )
            )
        return total

    size(root, 0)
    return shared[0]


_OCTAL_LIKE = re.compile(r"^[-+]?0[0-9_]+$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+$")


def lint_nodes(
    root: yaml.Node | None, display: str, *, traps: bool = True, line_offset: int = 0, col_offset: int = 0
) -> list[Finding]:
    """Duplicate keys and (``traps``) YAML 1.1 traps, from the parser's nodes (no located tree
    needed). A collection an alias reaches twice is checked once. The offsets place a document
    embedded in another file; its traps are not checked (``traps`` must be False with offsets)."""
    out: list[Finding] = []
    if root is None:
        return out
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode
    stack: list[tuple[Any, Any]] = [(root, None)]
    done: set[int] = set()
    while stack:
        node, key = stack.pop()
        cls = node.__class__
        if cls is scalar:
            if traps and not node.style and node.value is not None and may_trap(node.tag, node.value):
                out.extend(yaml11_traps(located_scalar(node), display, key))
            continue
        if id(node) in done:
            continue
        done.add(id(node))
        if cls is mapping or isinstance(node, mapping):
            seen: dict[Any, Any] = {}
            for k, v in node.value:
                if k.__class__ is scalar:
                    if k.tag == MERGE_TAG:
                        pass
                    elif k.value in seen:
                        first = seen[k.value]
                        line = k.start_mark.line + 1 + line_offset
                        out.append(
                            Finding(
                                display,
                                line,
                                k.start_mark.column + 1 + col_offset,
                                Severity.ERROR,
                                "duplicate-key",
                                f"key '{k.value}' appears twice in this mapping (lines "
                                f"{first.start_mark.line + 1 + line_offset} and {line}); servers silently keep the last one",
                                f"Delete one of the two '{k.value}' keys, or merge them.",
                            )
                        )
                    else:
                        seen[k.value] = k
                    stack.append((v, k.value))
                else:
                    stack.append((v, None))
                    stack.append((k, None))
        else:  # a sequence
            stack.extend((item, key) for item in node.value)
    return out


_TRAP_TAGS = frozenset((BOOL_TAG, INT_TAG, NULL_TAG))


def may_trap(tag: str, v: str) -> bool:
    """Whether ``yaml11_traps`` can find anything in a plain scalar of this tag and value: the
    common values (true, false, plain numbers, null) are passed over without locating the node
    or loading the secret-key check."""
    if tag == BOOL_TAG:
        return v.lower() not in ("true", "false")
    if tag == INT_TAG:
        return _OCTAL_LIKE.match(v) is not None or _SEXAGESIMAL.match(v) is not None
    return tag == NULL_TAG and v == "~"


def yaml11_traps(node: Node, display: str, key: object = None) -> list[Finding]:
    """The YAML 1.1 readings of a plain scalar the servers would not take as written (never
    echoing a value under a secret key)."""
    if node.tag not in _TRAP_TAGS:
        return []
    # deferred: masking imports the secrets detector, which reads project files through this layer
    from lsc_tui.config.masking import is_secret_key

    if is_secret_key(key):  # never echo a value that may be a secret
        return _trap_masked(node, display)
    v = node.value or ""
    if node.tag == BOOL_TAG and v.lower() not in ("true", "false"):
        return [
            Finding(
                display,
                node.line,
                node.column,
                Severity.WARNING,
                "yaml11-bool",
                f"'{v}' is read as the boolean {v.lower() in ('yes', 'y', 'on')} by the servers' YAML 1.1 reader",
                f"Write true or false, or quote it ('{v}') if you mean the string.",
            )
        ]
    if node.tag == INT_TAG and _OCTAL_LIKE.match(v):
        return [
            Finding(
                display,
                node.line,
                node.column,
                Severity.WARNING,
                "yaml11-octal",
                f"'{v}' has a leading zero and is read as an octal number ({int(v.replace('_', ''), 8) if set(v.lstrip('+-0').replace('_', '')) <= set('01234567') else v}) by YAML 1.1 readers",
                f"Quote it ('{v}') if it is a string, or drop the leading zero.",
            )
        ]
    if node.tag == INT_TAG and _SEXAGESIMAL.match(v):
        return [
            Finding(
                display,
                node.line,
                node.column,
                Severity.WARNING,
                "yaml11-sexagesimal",
                f"'{v}' is read as a base-60 number by YAML 1.1 readers",
                f"Quote it ('{v}').",
            )
        ]
    if node.tag == NULL_TAG and v == "~":
        return [
            Finding(
                display,
                node.line,
                node.column,
                Severity.INFO,
                "yaml11-null",
                "'~' means null (no value)",
                "Write null, or quote it ('~') if you mean the character.",
            )
        ]
    return []


def _trap_masked(node: Node, display: str) -> list[Finding]:
    v = node.value or ""
    traps = (
        node.tag == BOOL_TAG and v.lower() not in ("true", "false"),
        node.tag == INT_TAG and (_OCTAL_LIKE.match(v) or _SEXAGESIMAL.match(v)),
    )
    if not any(traps):
        return []
    return [
        Finding(
            display,
            node.line,
            node.column,
            Severity.WARNING,
            "yaml11-secret-not-a-string",
            "this secret value is read as a number or a boolean by the servers' YAML 1.1 reader, "
            "so it will not be the text you wrote",
            "Quote it, or better, move it to an environment variable (lsc-tui secrets fix).",
        )
    ]


def is_single_document_error(finding: Finding) -> bool:
    """The error a single-document reader gives for a multi-document stream."""
    return finding.code == "yaml-syntax" and "expected a single document" in finding.message
