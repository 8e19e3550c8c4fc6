"""Turning pydantic validation errors into :class:`ModelIssue` values.

A pydantic error location mixes real keys with the tags pydantic adds for unions (the
discriminator value, or a member name such as ``ApprovalFilter``). We walk the input data
alongside the location: a segment that is not a key or index of the data at that point is
a tag and is dropped. When a plain union fails in several members at once, only the
member that got furthest is reported.

Messages name the field and what was expected. They quote a value only when it is short,
is not under a secret-named key, and carries no recognizable credential.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeGuard, Union

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from lsc_tui.config.envref import coerce, literal_default
from lsc_tui.config.findings import path_text
from lsc_tui.config.memo import IdentityMemo
from lsc_tui.config.models._rules import RULE_ERROR
from lsc_tui.config.models.model_issue import Loc, ModelIssue
from lsc_tui.config.models.model_issue import shown_key as _shown_key
from lsc_tui.config.models.model_issue import token_like as _token_like

MAX_ECHO = 40


# -- walking annotations -----------------------------------------------------------------------

_NONE = type(None)


_UNWRAPPED: IdentityMemo[tuple[Any, str | None]] = IdentityMemo(maxsize=4096)  # per annotation object


def _unwrap(ann: Any) -> tuple[Any, str | None]:
    """Strip Annotated/Optional; return the bare annotation and a union discriminator if any."""
    hit = _UNWRAPPED.get(ann)
    if hit is not None:
        return hit
    return _UNWRAPPED.put(ann, _unwrap_uncached(ann))


def _unwrap_uncached(ann: Any) -> tuple[Any, str | None]:
    disc = None
    while True:
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            for meta in ann.__metadata__:
                if isinstance(meta, FieldInfo) and isinstance(meta.discriminator, str):
                    disc = meta.discriminator
            ann = ann.__origin__
            continue
        if origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(ann) if a is not _NONE]
            if len(members) == 1:
                ann = members[0]
                continue
        return ann, disc


def _members(ann: Any) -> list[Any]:
    if typing.get_origin(ann) in (Union, types.UnionType):
        return [a for a in typing.get_args(ann) if a is not _NONE]
    return [ann]


def _is_model(ann: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _pick_model(ann: Any, node: Any, disc: str | None = None) -> type[BaseModel] | None:
    """The model class ``ann`` stands for, given the data ``node`` it validates."""
    ann, d2 = _unwrap(ann)
    disc = disc or d2
    if _is_model(ann):
        return ann
    models: list[type[BaseModel]] = []
    for m in _members(ann):
        m, _ = _unwrap(m)
        if _is_model(m):
            models.append(m)
    if not models:
        return None
    if disc and isinstance(node, dict):
        for m in models:
            f = m.model_fields.get(disc)
            if f is not None and node.get(disc) in typing.get_args(_unwrap(f.annotation)[0]):
                return m
    if isinstance(node, dict):
        return max(models, key=lambda m: sum(1 for k in node if k in m.model_fields))
    return models[0]


def _child(ann: Any, node: Any, seg: Any) -> tuple[Any, Any, bool]:
    """Step from (annotation, data) into ``seg``: (annotation, data, ok)."""
    base, disc = _unwrap(ann)
    model = _pick_model(ann, node, disc)
    if model is not None and isinstance(node, dict | type(None)) and isinstance(seg, str):
        field = model.model_fields.get(seg)
        if field is None:
            return None, None, False
        sub = node.get(seg) if isinstance(node, dict) else None
        return field.annotation, sub, True
    origin = typing.get_origin(base)
    if origin is list and isinstance(seg, int):
        (item,) = typing.get_args(base) or (Any,)
        sub = node[seg] if isinstance(node, list) and 0 <= seg < len(node) else None
        return item, sub, True
    if origin is dict:
        args = typing.get_args(base)
        value = args[1] if len(args) == 2 else Any
        sub = node.get(seg) if isinstance(node, dict) else None
        return value, sub, True
    return None, None, False


def model_at(
    root: type[BaseModel], data: Any, path: Loc, cache: dict[Any, Any] | None = None
) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (None if not a model)."""
    if cache is not None:
        key = ("model_at", path)
        if key not in cache:
            cache[key] = model_at(root, data, path)
        cached: type[BaseModel] | None = cache[key]
        return cached
    ann, node = root, data
    for seg in path:
        ann, node, ok = _child(ann, node, seg)
        if not ok:
            return None
    return _pick_model(ann, node)


def field_at(root: type[BaseModel], data: Any, path: Loc, cache: dict[Any, Any] | None = None) -> FieldInfo | None:
    if not path or not isinstance(path[-1], str):
        return None
    model = model_at(root, data, path[:-1], cache)
    return model.model_fields.get(path[-1]) if model is not None else None


# Per root model, the results of the last walk per (container, annotation): the editor
# re-validates after every keystroke, and the edited data is a copy in which only the containers
# along the edited path are new (``yaml.edit.path_copy_set``), so every other container's result is
# reused. IdentityMemo (lsc_tui.config.memo) keeps only the entries the last walk used.
_UNKNOWN_MEMO: dict[type, IdentityMemo[tuple[Any, ...]]] = {}
_ENV_MEMO: dict[type, IdentityMemo[tuple[Any, ...]]] = {}
_HAS_DEFAULTS_MEMO: dict[type, IdentityMemo[tuple[Any, ...]]] = {}


def _memo(table: dict[type, IdentityMemo[tuple[Any, ...]]], root: type) -> IdentityMemo[tuple[Any, ...]]:
    memo = table.get(root)
    if memo is None:
        memo = table[root] = IdentityMemo()
    return memo


def walk_unknown_keys(root: type[BaseModel], data: Any, path: Loc = ()) -> Iterator[tuple[Loc, type[BaseModel]]]:
    """Yield ``(path_of_key, model)`` for every mapping key no model field declares."""
    memo = _memo(_UNKNOWN_MEMO, root)
    if not memo.pays(data):
        memo.forget_entries()
        fresh: list[tuple[Loc, type[BaseModel]]] = []
        if isinstance(data, (dict, list)):
            _walk_fresh(root, data, (), fresh, {})
        found: Any = fresh
    else:
        try:
            found = _walk_memo(root, data, memo)
        finally:
            memo.rotate()
    for rel, model in found:
        yield path + rel, model


_EMPTY: tuple[Any, ...] = ()


_PICK: Any = object()  # a plan's model: picked per mapping (a union of models)


def _plan(ann: Any) -> tuple[Any, Any, Any, Any]:
    """What ``_walk_memo`` works out from an annotation alone: (discriminator, the model every
    mapping under it validates with, None for none, or _PICK when a union picks per mapping;
    ``typing.get_origin`` of the bare annotation; the bare annotation)."""
    base, disc = _unwrap(ann)
    fixed: Any
    if _is_model(base):
        fixed = base
    elif any(_is_model(_unwrap(m)[0]) for m in _members(base)):
        fixed = _PICK
    else:
        fixed = None
    return disc, fixed, typing.get_origin(base), base


def _walk_fresh(
    ann: Any, node: Any, prefix: Loc, out: list[tuple[Loc, type[BaseModel]]], plans: dict[int, Any]
) -> None:
    """``_walk_memo`` of fresh data (nothing to remember), in one pass: each annotation's part
    (``_plan``) is worked out once per walk, paths are built only for the keys found. Appends
    ``(path, model)`` to ``out`` in ``_walk_memo``'s order. ``node`` is a dict or a list."""
    entry = plans.get(id(ann))
    if entry is None or entry[0] is not ann:
        entry = plans[id(ann)] = (ann, _plan(ann))
    disc, fixed, origin, base = entry[1]
    if isinstance(node, dict):
        model = _pick_model(ann, node, disc) if fixed is _PICK else fixed
        if model is not None:
            fields = model.model_fields
            for key, value in node.items():
                field = fields.get(key) if isinstance(key, str) else None
                if field is None:
                    out.append((prefix + (key,), model))
                elif isinstance(value, (dict, list)):
                    _walk_fresh(field.annotation, value, prefix + (key,), out, plans)
        elif origin is dict:
            args = typing.get_args(base)
            if len(args) == 2 and args[1] is not Any:
                for key, value in node.items():
                    if isinstance(value, (dict, list)):
                        _walk_fresh(args[1], value, prefix + (key,), out, plans)
    elif origin is list:
        (item,) = typing.get_args(base) or (Any,)
        if item is not Any:
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    _walk_fresh(item, value, prefix + (i,), out, plans)


def _walk_memo(ann: Any, node: Any, memo: IdentityMemo[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The unknown keys under ``node`` as (path relative to it, model), remembered per container
    and annotation (``_NO_MEMO`` for a plain walk)."""
    if not isinstance(node, (dict, list)):
        return _EMPTY
    hit = memo.get(node, ann)
    if hit is not None:
        return hit
    out: list[Any] = []
    base, disc = _unwrap(ann)
    if isinstance(node, dict):
        model = _pick_model(ann, node, disc)
        if model is not None:
            fields = model.model_fields
            for key, value in node.items():
                field = fields.get(key) if isinstance(key, str) else None
                if field is None:
                    out.append(((key,), model))
                elif isinstance(value, (dict, list)):
                    out.extend(((key,) + p, m) for p, m in _walk_memo(field.annotation, value, memo))
        elif typing.get_origin(base) is dict:
            args = typing.get_args(base)
            if len(args) == 2 and args[1] is not Any:
                for key, value in node.items():
                    if isinstance(value, (dict, list)):
                        out.extend(((key,) + p, m) for p, m in _walk_memo(args[1], value, memo))
    elif typing.get_origin(base) is list:
        (item,) = typing.get_args(base) or (Any,)
        if item is not Any:
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    out.extend(((i,) + p, m) for p, m in _walk_memo(item, value, memo))
    return memo.put(node, tuple(out) if out else _EMPTY, ann)


# -- locations ------------------------------------------------------------------------------


def clean_loc(loc: Loc, data: Any, err_type: str) -> tuple[Loc, list[tuple[Loc, str]]]:
    """Drop union tags from a pydantic loc. Returns (path, [(path_before_tag, tag)])."""
    path: list[Any] = []
    tags: list[tuple[Loc, str]] = []
    node = data
    last = len(loc) - 1
    for i, seg in enumerate(loc):
        if seg == "[key]":  # the error is about the mapping key itself
            continue
        if isinstance(node, dict):
            if seg not in node and isinstance(seg, str):
                seg = next((k for k in node if not isinstance(k, str) and str(k) == seg), seg)
            if seg in node:
                path.append(seg)
                node = node[seg]
                continue
            if i == last and err_type == "missing":
                path.append(seg)
                node = None
                continue
            tags.append((tuple(path), seg))
            continue
        if isinstance(node, list) and isinstance(seg, int):
            path.append(seg)
            node = node[seg] if 0 <= seg < len(node) else None
            continue
        if node is None and err_type == "missing" and not _is_tag(seg):
            path.append(seg)
            continue
        if isinstance(seg, str) and (_is_tag(seg) or not isinstance(node, dict | list | type(None))):
            tags.append((tuple(path), seg))
            continue
        path.append(seg)
        node = None
    return tuple(path), tags


def _is_tag(seg: Any) -> bool:
    if not isinstance(seg, str):
        return False
    return (
        ("[" in seg and seg.endswith("]"))
        or seg in ("str", "int", "bool", "float", "dict", "list")
        or (seg[:1].isupper())
    )


# -- messages -------------------------------------------------------------------------------


def _secret_path(path: Loc) -> bool:
    # deferred: the masking's secret detectors load with the first message that quotes a value
    from lsc_tui.config.masking import is_secret_key

    return any(is_secret_key(p) for p in path)


def safe_echo(path: Loc, value: Any) -> str | None:
    """A short quotable form of ``value``, or None when it must not be shown."""
    if _secret_path(path) or isinstance(value, (dict, list)) or value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # deferred: the masking's secret detectors load with the first message that quotes a value
    from lsc_tui.config.masking import mask_inline

    if len(text) > MAX_ECHO or "\n" in text or mask_inline(text) != text or _token_like(text):
        return None
    return repr(text) if isinstance(value, str) else text


def _name(path: Loc) -> str:
    return f"`{path_text(tuple(_shown_key(p) for p in path))}`" if path else "the document"


def _choices(values: Iterable[Any], limit: int = 12) -> str:
    vals = [str(v) for v in values]
    if len(vals) > limit:
        return ", ".join(vals[:limit]) + f", ... ({len(vals)} in all)"
    return ", ".join(vals)


_ENV_HINT = "or an env reference such as ${env.NAME}"


def _example(field: FieldInfo | None) -> str:
    if field is None:
        return ""
    default = field.default
    if default is None or isinstance(default, (dict, list)) or type(default).__name__ == "PydanticUndefinedType":
        return ""
    if isinstance(default, bool):
        return f" (default: {'true' if default else 'false'})"
    return f" (default: {default})"


def describe(
    err: Mapping[str, Any],
    path: Loc,
    value: Any,
    root: type[BaseModel] | None,
    data: Any,
    cache: dict[Any, Any] | None = None,
) -> tuple[str, str, str]:
    """(code, message, fix) for one pydantic error at the cleaned ``path``."""
    t = err["type"]
    ctx = err.get("ctx") or {}
    name = _name(path)
    field = field_at(root, data, path, cache) if root is not None else None
    what = (field.description or "").split(". ")[0].rstrip(".") if field is not None else ""
    echo = safe_echo(path, value)
    got = f" (got {echo})" if echo is not None else ""

    if t == "missing":
        parent = _name(path[:-1]) if len(path) > 1 else "the top level"
        lower = what[:1].lower() if what[1:2].islower() else what[:1]
        hint = f" ({lower}{what[1:]})" if what else ""
        return "missing-key", f"{name} is required", f"Add `{path[-1]}:` under {parent}{hint}."
    if t in ("int_type", "int_parsing", "int_from_float"):
        return "invalid-type", f"{name} must be a whole number", f"Write a whole number{_example(field)}, {_ENV_HINT}."
    if t in ("float_type", "float_parsing", "finite_number"):
        return "invalid-type", f"{name} must be a number", f"Write a number{_example(field)}, {_ENV_HINT}."
    if t in ("bool_type", "bool_parsing"):
        return "invalid-type", f"{name} must be true or false", f"Write true or false, {_ENV_HINT}."
    if t in ("string_type", "string_unicode"):
        if _secret_path(path):
            return (
                "invalid-type",
                f"{name} must be a string",
                "Use an env reference such as ${env.NAME} (a "
                "literal secret that looks like a number must be quoted, and is better kept out of the file).",
            )
        return (
            "invalid-type",
            f"{name} must be a string",
            "Write the value as text (quote it if it looks like a number or a boolean).",
        )
    if t in ("list_type", "tuple_type", "set_type"):
        return "invalid-type", f"{name} must be a list", "Write a YAML list (`- item` lines or `[a, b]`)."
    if t in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return "invalid-type", f"{name} must be a mapping of keys", "Write `key: value` lines indented under it."
    if t == "string_too_short":
        return "invalid-value", f"{name} must not be empty", "Give it a value, or delete the key."
    if t == "string_too_long":
        return "invalid-value", f"{name} is too long (at most {ctx.get('max_length')} characters)", "Shorten it."
    if t == "string_pattern_mismatch":
        if path and path[-1] == "id":
            return (
                "invalid-value",
                f"{name} may contain only lower-case letters, digits, '_' and '-'{got}",
                "Rename it, e.g. my-provider_1.",
            )
        return (
            "invalid-value",
            f"{name} does not have the expected form{got}",
            f"Match the pattern {ctx.get('pattern', '')}.",
        )
    if t in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {
            "greater_than": ("more than", "gt"),
            "greater_than_equal": ("at least", "ge"),
            "less_than": ("less than", "lt"),
            "less_than_equal": ("at most", "le"),
        }[t]
        limit = ctx.get(bound[1])
        return (
            "invalid-value",
            f"{name} must be {bound[0]} {limit}{got}",
            f"Use a value {bound[0]} {limit}{_example(field)}.",
        )
    if t in ("literal_error", "enum"):
        values = _literal_values(str(ctx.get("expected", "")))
        return (
            "invalid-value",
            f"{name} must be one of: {_choices(values)}{got}",
            _closest_choice(value, values) + f"Allowed: {_choices(values, 40)}, {_ENV_HINT}.",
        )
    if t.startswith("url_"):
        return (
            "invalid-value",
            f"{name} must be an http:// or https:// URL{got}",
            f"Write a full URL such as http://localhost:8321, {_ENV_HINT}.",
        )
    if t == "union_tag_invalid":
        tag = ctx.get("tag")
        tag_echo = safe_echo(path, tag)
        tg = f" (got {tag_echo})" if tag_echo else ""
        expected = str(ctx.get("expected_tags", ""))
        return (
            "invalid-value",
            f"{name} must be one of: {expected.replace(chr(39), '')}{tg}",
            _closest_choice(tag, _literal_values(expected)) + "Use one of the allowed values; it selects the "
            "kind of entry.",
        )
    if t == "union_tag_not_found":
        return "missing-key", f"{name} is required (it selects the kind of entry)", f"Add `{path[-1]}:`."
    if t == "none_required":
        return "invalid-value", f"{name} must be empty (null)", "Delete the value."
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ").splitlines()[0]
    return "invalid-value", f"{name}: {msg}", ""


def _literal_values(expected: str) -> list[str]:
    parts = expected.replace(" or ", ", ").split(", ")
    return [p.strip().strip("'") for p in parts if p.strip()]


def _close_matches(word: str, choices: Sequence[str], n: int, cutoff: float) -> list[str]:
    # deferred: difflib loads with the first suggestion (a config without a typo needs none)
    from difflib import get_close_matches

    return get_close_matches(word, choices, n=n, cutoff=cutoff)


def _closest_choice(value: Any, choices: list[str]) -> str:
    if not isinstance(value, str) or len(value) > MAX_ECHO:
        return ""
    close = _close_matches(value.lower(), choices, n=1, cutoff=0.6)
    return f"Did you mean {close[0]}? " if close else ""


def errors_to_issues(
    errors: Sequence[Mapping[str, Any]], data: Any, root: type[BaseModel], severity: str = "error"
) -> list[ModelIssue]:
    """Convert ``ValidationError.errors()`` into issues with clean paths and our wording."""
    cleaned = []
    for err in errors:
        path, tags = clean_loc(tuple(err["loc"]), data, err["type"])
        if err["type"] == RULE_ERROR:
            path = path + tuple((err.get("ctx") or {}).get("at", ()))
        elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = path + (str((err.get("ctx") or {}).get("discriminator", "")).strip("'"),)
        cleaned.append((err, path, tags))
    cleaned = _collapse_unions(cleaned, data)
    out: list[ModelIssue] = []
    seen = set()
    cache: dict[Any, Any] = {}
    for err, path, _tags in cleaned:
        if err["type"] == "extra_forbidden":
            issue = unknown_key_issue(root, data, path, severity, cache=cache)
        elif err["type"] == RULE_ERROR:
            ctx = err.get("ctx") or {}
            issue = ModelIssue(
                path, severity, ctx.get("code", "invalid-value"), _rule_message(path, err["msg"]), ctx.get("fix", "")
            )
        elif err["type"] == "union_collapsed":
            issue = ModelIssue(path, severity, "invalid-type", f"{_name(path)} {err['msg']}", err.get("fix", ""))
        elif "[key]" in err["loc"]:
            issue = ModelIssue(
                path,
                severity,
                "invalid-key",
                f"{_name(path)}: this key must be a string",
                "Write the key as text (quote it if it looks like a number, a boolean or null).",
            )
        else:
            code, message, fix = describe(err, path, err.get("input"), root, data, cache)
            issue = ModelIssue(path, severity, code, message, fix)
        key = (issue.path, issue.code, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return link_renames(out, root, data, cache)


def _rule_message(path: Loc, msg: str) -> str:
    """Rules name their key first ("db_path is required ..."): make that the full path."""
    if not path:
        return msg
    last = path[-1]
    if isinstance(last, str) and msg.startswith(last + " "):
        return _name(path) + msg[len(last) :]
    return f"{_name(path)}: {msg}"


_TAG_WORDS = {
    "str": "a string",
    "int": "a whole number",
    "bool": "true or false",
    "float": "a number",
    "dict": "a mapping",
    "list": "a list",
}


_TYPE_WORDS = {
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "a string",
    "list_type": "a list",
}


def _expectation(err: Mapping[str, Any], tag: str) -> str:
    if err["type"] == "literal_error":
        return str((err.get("ctx") or {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
    return _TYPE_WORDS.get(err["type"]) or _tag_word(tag)


def _tag_word(tag: object) -> str:
    tag = str(tag)
    if tag.startswith("literal["):
        return "one of " + tag[len("literal[") : -1].replace("'", "")
    if tag.startswith(("function-wrap[", "function-")):
        inner = tag[tag.index("[") + 1 : -1]
        inner = inner.split("(")[0]
        return _tag_word(inner.split(",")[0]) if inner else "a value"
    if tag in _TAG_WORDS:
        return _TAG_WORDS[tag]
    if tag[:1].isupper():
        return "a mapping"
    return tag


def _collapse_unions(cleaned: list[Any], data: Any) -> list[Any]:
    """Where a plain union failed in several members, keep only the member that got deepest."""
    by_point: dict[Loc, dict[str, list[int]]] = {}
    for i, (_err, _path, tags) in enumerate(cleaned):
        for prefix, tag in tags:
            by_point.setdefault(prefix, {}).setdefault(tag, []).append(i)
    drop: set[int] = set()
    extra: dict[int, tuple[Any, ...]] = {}
    for prefix, members in by_point.items():
        if len(members) < 2:
            continue
        depth = {tag: max(len(cleaned[i][1]) for i in idx) for tag, idx in members.items()}
        best = max(depth.values())
        winners = [t for t, d in depth.items() if d == best]
        involved = sorted(i for idx in members.values() for i in idx)
        drop.update(involved)
        if len(winners) == 1 and best > len(prefix):
            drop.difference_update(members[winners[0]])
        else:
            words = []
            for t, idx in members.items():
                w = _expectation(cleaned[idx[0]][0], t)
                if w not in words:
                    words.append(w)
            listing = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
            msg = "has the wrong type or value; expected " + listing
            extra[involved[0]] = (
                {"type": "union_collapsed", "msg": msg, "loc": prefix, "fix": "Write one of the accepted forms."},
                prefix,
                [],
            )
    out = []
    for i, c in enumerate(cleaned):
        if i in extra:
            out.append(extra[i])
        if i not in drop:
            out.append(c)
    return out


# -- unknown keys ---------------------------------------------------------------------------

_SYNONYMS = {
    "identifier": ("name", "id"),
    "id": ("name", "provider_id"),
    "title": ("name",),
    "label": ("name",),
    "provider": ("provider_id", "type"),
    "kind": ("type",),
    "hostname": ("host",),
    "address": ("host", "url"),
    "endpoint": ("url",),
    "base_url": ("url",),
    "uri": ("url",),
    "username": ("user",),
    "database": ("db",),
    "dbname": ("db",),
    "passwd": ("password",),
    "path": ("db_path",),
    "models": ("allowed_models",),
}


def suggest_key(key: Any, valid: Sequence[str], missing: Sequence[str] = ()) -> str | None:
    """The valid key most likely meant by ``key``."""
    if not isinstance(key, str):
        return None
    return _suggest(key, tuple(valid), tuple(missing))


@functools.lru_cache(maxsize=4096)
def _suggest(key: str, valid: tuple[str, ...], missing: tuple[str, ...]) -> str | None:
    low = key.lower()
    for cand in valid:
        if cand.lower() == low or cand.replace("_", "-") == low or cand.replace("_", "") == low.replace("-", ""):
            return cand
    close = _close_matches(low, valid, n=1, cutoff=0.75)
    if close:
        return close[0]
    for cand in _SYNONYMS.get(low, ()):
        if cand in missing:
            return cand
    if len(missing) == 1:
        return missing[0]
    close = _close_matches(low, valid, n=1, cutoff=0.6)
    if close:
        return close[0]
    for cand in _SYNONYMS.get(low, ()):
        if cand in valid:
            return cand
    return None


def _node_at(data: Any, path: Loc) -> Any:
    node = data
    for seg in path:
        if isinstance(node, dict):
            node = node.get(seg)
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        else:
            return None
    return node


def _shape(path: Loc) -> str:
    """``rag.byok.stores[3].x`` -> ``rag.byok.stores.x``: a path without list indexes."""
    return ".".join(str(p) for p in path if not isinstance(p, int))


def unknown_key_issue(
    root: type[BaseModel],
    data: Any,
    path: Loc,
    severity: str,
    model: type[BaseModel] | None = None,
    moved: dict[tuple[str, str], tuple[str, str]] | None = None,
    cache: dict[Any, Any] | None = None,
) -> ModelIssue:
    """An issue for the key at ``path`` that its mapping's model does not declare."""
    parent = path[:-1]
    key = path[-1] if path else None
    model = model or model_at(root, data, parent, cache)
    where = _name(parent) if parent else "the top level"
    showable = isinstance(key, str) and len(key) <= 60 and "\n" not in key and not _token_like(key)
    shown = _name(path) if showable else f"a key of {where}"
    note = (moved or {}).get((_shape(parent), key)) if isinstance(key, str) else None
    ignored = " (Llama Stack ignores it)" if severity == "warning" else ""
    if note:
        return ModelIssue(path, severity, "unknown-key", f"{shown} is not a setting here{ignored}: {note[0]}", note[1])
    if model is None:
        return ModelIssue(path, severity, "unknown-key", f"{shown} is not a known setting{ignored}", "Remove it.")
    node = _node_at(data, parent)
    present = set(node) if isinstance(node, dict) else set()
    valid = [n for n, f in model.model_fields.items() if not f.deprecated or n in present]
    missing = [n for n, f in model.model_fields.items() if f.is_required() and n not in present]
    guess = suggest_key(key, valid, missing)
    listing = _choices(sorted(valid))
    if guess:
        fix = f"Did you mean `{guess}`? Rename the key (valid keys here: {listing})."
    else:
        fix = f"Remove it, or use one of: {listing}."
    where_part = f" of {where}" if showable else ""
    return ModelIssue(path, severity, "unknown-key", f"{shown} is not a known setting{where_part}{ignored}", fix)


def link_renames(
    issues: list[ModelIssue], root: type[BaseModel], data: Any, cache: dict[Any, Any] | None = None
) -> list[ModelIssue]:
    """A missing key next to an unknown key that means it: say "rename" in both fixes."""
    unknown: dict[Loc, list[str]] = {}
    for issue in issues:
        if issue.code == "unknown-key" and issue.path and isinstance(issue.path[-1], str):
            unknown.setdefault(issue.path[:-1], []).append(issue.path[-1])
    if not unknown:
        return issues
    out = []
    for issue in issues:
        if issue.code == "missing-key" and issue.path and issue.path[:-1] in unknown:
            model = model_at(root, data, issue.path[:-1], cache)
            want = issue.path[-1]
            for key in unknown[issue.path[:-1]]:
                if model is not None and suggest_key(key, list(model.model_fields), [want]) == want:
                    issue = ModelIssue(
                        issue.path,
                        issue.severity,
                        issue.code,
                        issue.message,
                        f"Rename `{key}` to `{want}`: this entry has `{key}`, which is not a "
                        f"setting, and lacks `{want}`.",
                    )
                    break
        out.append(issue)
    return out


__all__ = [
    "ModelIssue",
    "errors_to_issues",
    "unknown_key_issue",
    "walk_unknown_keys",
    "model_at",
    "field_at",
    "link_renames",
    "safe_echo",
]


# -- env reference defaults -------------------------------------------------------------------


def _defaulted_refs(node: Any, path: Loc) -> list[tuple[Loc, str]]:
    """Strings that carry a ``:=`` default, with their paths (a cheap scan before any model walk)."""
    out: list[tuple[Loc, str]] = []
    if isinstance(node, (dict, list)):
        _collect_defaulted_refs(node, path, out)
    return out


def _collect_defaulted_refs(node: Any, path: Loc, out: list[tuple[Loc, str]]) -> None:
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        if isinstance(value, str):
            if ":=" in value and "${env." in value:
                out.append((path + (key,), value))
        elif isinstance(value, (dict, list)):
            _collect_defaulted_refs(value, path + (key,), out)


def _defaulted_fields(
    ann: Any, node: Any, memo: IdentityMemo[tuple[Any, ...]], found: IdentityMemo[tuple[Any, ...]]
) -> tuple[Any, ...]:
    """``(path, value, model)`` of each ``:=``-defaulted string under a model field: what
    ``_defaulted_refs`` and ``model_at`` give for it (a ref whose path ``model_at`` cannot
    follow, or whose key is no field, is left out), walked once with the annotation and
    remembered per container and annotation. Each step into a child is ``_child``'s,
    with its per-container part (the model picked, the container's type) worked out once."""
    if not _has_defaults(node, found):
        return _EMPTY  # nothing below: no model to work out (the common case, and cheap)
    hit = memo.get(node, ann)
    if hit is not None:
        return hit
    out: list[Any] = []
    base, disc = _unwrap(ann)
    stepped = _pick_model(ann, node, disc)  # what _child picks for every child of this node
    is_dict = isinstance(node, dict)
    origin = typing.get_origin(base)
    if origin is list:
        (list_item,) = typing.get_args(base) or (Any,)
    elif origin is dict:
        args = typing.get_args(base)
        dict_value = args[1] if len(args) == 2 else Any
    final = _UNSET
    for key, value in node.items() if is_dict else enumerate(node):
        if isinstance(value, str):
            if ":=" in value and "${env." in value and isinstance(key, str):
                if final is _UNSET:
                    final = _pick_model(ann, node)  # model_at's last step
                if final is not None and key in final.model_fields:
                    out.append(((key,), value, final))
            continue
        if not isinstance(value, (dict, list)):
            continue
        # _child(ann, node, key)
        if stepped is not None and is_dict and isinstance(key, str):
            field = stepped.model_fields.get(key)
            if field is None:
                continue
            child = field.annotation
        elif origin is list and isinstance(key, int):
            child = list_item
        elif origin is dict:
            child = dict_value
        else:
            continue
        out.extend(((key,) + p, v, m) for p, v, m in _defaulted_fields(child, value, memo, found))
    return memo.put(node, tuple(out) if out else _EMPTY, ann)


_UNSET: Any = object()  # a sentinel: "not worked out yet"


def _defaulted_refs_plain(root: type[BaseModel], data: Any) -> list[tuple[Loc, str, type[BaseModel]]]:
    """What _defaulted_fields gives, without the memo: the defaulted strings, then the model of
    each one's mapping (``model_at``'s, its steps shared by the paths with a common start)."""
    out = []
    steps: dict[Loc, tuple[Any, Any, bool]] = {(): (root, data, True)}
    models: dict[Loc, type[BaseModel] | None] = {}
    for path, value in _defaulted_refs(data, ()):
        if not isinstance(path[-1], str):
            continue
        parent = path[:-1]
        if parent in models:
            model = models[parent]
        else:
            ann, node, ok = _step(steps, parent)
            model = models[parent] = _pick_model(ann, node) if ok else None
        if model is None or path[-1] not in model.model_fields:
            continue
        out.append((path, value, model))
    return out


def _step(steps: dict[Loc, tuple[Any, Any, bool]], path: Loc) -> tuple[Any, Any, bool]:
    """``model_at``'s walk to ``path`` as (annotation, data, ok), each step taken once per call."""
    hit = steps.get(path)
    if hit is None:
        ann, node, ok = _step(steps, path[:-1])
        hit = steps[path] = _child(ann, node, path[-1]) if ok else (None, None, False)
    return hit


_NO_ANN = object()  # the memo slot of _has_defaults (no annotation involved)


def _has_defaults(node: Any, memo: IdentityMemo[tuple[Any, ...]]) -> bool:
    """Whether a ``:=``-defaulted env reference string sits anywhere below ``node`` (by identity)."""
    hit = memo.get(node, _NO_ANN)
    if hit is not None:
        return bool(hit[0])
    found = False
    for value in node.values() if isinstance(node, dict) else node:
        if isinstance(value, str):
            if ":=" in value and "${env." in value:
                found = True
        elif isinstance(value, (dict, list)) and _has_defaults(value, memo):
            found = True
    memo.put(node, (found,), _NO_ANN)
    return found


_ENV_DEFAULT_OK: set[tuple[type[BaseModel], str, str]] = set()  # (model, field name, value) whose default validates

_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any] | None] = {}


def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any] | None:
    key = (model, name)
    if key not in _ADAPTERS:
        field = model.model_fields[name]
        # an annotation built at run time (the field's type with its metadata): TypeAdapter takes any
        ann: Any = typing.Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        try:
            _ADAPTERS[key] = TypeAdapter(ann)
        except Exception:  # pragma: no cover - an annotation pydantic cannot adapt on its own
            _ADAPTERS[key] = None
    return _ADAPTERS[key]


def env_default_issues(root: type[BaseModel], data: Any, server: str) -> list[ModelIssue]:
    """Warn where a ``${env.X:=default}`` default would not be valid for its field.

    The value is fine while X is set; when it is not, the server substitutes the default
    (with its type conversion) and refuses to start if the result does not fit.
    """

    out: list[ModelIssue] = []
    memo = _memo(_ENV_MEMO, root)
    found = _memo(_HAS_DEFAULTS_MEMO, root)
    if not memo.pays(data):
        memo.forget_entries()
        found.forget_entries()
        refs: Sequence[tuple[Loc, str, type[BaseModel]]] = _defaulted_refs_plain(root, data)
    else:
        try:
            refs = _defaulted_fields(root, data, memo, found) if isinstance(data, (dict, list)) else _EMPTY
        finally:
            memo.rotate()
            found.rotate()
    for path, value, model in refs:
        name = path[-1]
        if (model, name, value) in _ENV_DEFAULT_OK:
            continue
        ref = literal_default(value)
        if ref is None:
            continue
        var, default = ref
        adapter = _adapter(model, name)
        if adapter is None:
            continue
        resolved = coerce(value, default)
        if resolved is None and not model.model_fields[name].is_required() and model.model_fields[name].default is None:
            continue
        try:
            adapter.validate_python(resolved)
            if len(_ENV_DEFAULT_OK) < 4096:
                _ENV_DEFAULT_OK.add((model, name, value))  # the outcome depends on these alone
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            _code, said, _fix = describe(first, path, resolved, root, data)
            rest = said[len(_name(path)) :].strip() if said.startswith(_name(path)) else ""
            if not rest.startswith("must"):
                rest = "is not a valid value here"
            hidden = _secret_path(path) or len(value) > MAX_ECHO or _token_like(default)
            shown = f"${{env.{var}:=…}}" if hidden else value
            out.append(
                ModelIssue(
                    path,
                    "warning",
                    "env-default-invalid",
                    f"{_name(path)}: the default in {shown} {rest}; it is used when {var} is unset",
                    f"Fix the default after `:=`, or make sure {var} is always set "
                    f"({server} refuses to start otherwise).",
                )
            )
    return out
