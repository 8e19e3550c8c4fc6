"""What the language server says about a place in a file: hover text and completions.

Both read the same models that validate the files (:mod:`lsc_tui.config.models.fieldhelp`)
and the session's synthesis with its provenance, so an editor never disagrees with
``lsc-tui validate``. The key path of a line is read from the text's indentation, so
completion works while the line being typed is not valid YAML yet. Values shown are masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lsc_tui.config import provider_types
from lsc_tui.config.findings import path_text
from lsc_tui.config.models.fieldhelp import field_help
from lsc_tui.config.models.issues import model_at
from lsc_tui.config.models.schema import _root_model
from lsc_tui.config.secrets import envfile
from lsc_tui.config.workspace import CONFIG_NAMES

MAX_PROVENANCE_LINES = 30

_KEY = re.compile(r"""^(?P<dash>-\s+)?(?P<q>["']?)(?P<key>[^"'#:\s][^"'#:]*?)(?P=q)\s*:(?:\s|$)""")


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str  # key | value | env | provider-type
    detail: str = ""
    documentation: str = ""
    insert: str | None = None


# -- where a line sits -------------------------------------------------------------------------


def context_path(lines: list[str], line0: int, column: int) -> tuple:
    """The key path of the mapping (or list) whose entries start at ``column`` on line ``line0``,
    read from the lines above by indentation (``- `` items count as list indexes)."""
    path: list = []
    col = column
    seq_indent: int | None = None
    count = 0
    for i in range(line0 - 1, -1, -1):
        raw = lines[i].rstrip("\r\n")
        body = raw.lstrip(" ")
        if not body.strip() or body.startswith(("#", "---")):
            continue
        ind = len(raw) - len(body)
        is_item = body.startswith("-") and (len(body) == 1 or body[1] in " \t")
        if seq_indent is not None:
            if ind > seq_indent:
                continue
            if ind == seq_indent and is_item:
                count += 1
                continue
            path.insert(0, count)
            seq_indent, count = None, 0
            col = ind + 1  # the owner of the list is a key at this line's indentation
        if ind >= col and not is_item:
            continue
        if is_item:
            dash = len(body) - len(body[1:].lstrip(" \t"))
            content = ind + dash
            if content > col:
                continue
            m = _KEY.match(body[dash:])
            if content < col and m:  # `- key:` with our mapping under the key
                path.insert(0, m.group("key"))
            elif content < col:
                continue
            seq_indent, count = ind, 0
            continue
        m = _KEY.match(body)
        if m and ind < col:
            path.insert(0, m.group("key"))
            col = ind
            if col == 0:
                break
    if seq_indent is not None:
        path.insert(0, count)
    return tuple(path)


def line_context(lines: list[str], line0: int, char: int) -> tuple[tuple, str | None, str]:
    """For the cursor at (line0, char): the mapping's key path, the key of the line (None when
    the cursor is still on the key), and the text typed so far of the key or value."""
    line = lines[line0] if line0 < len(lines) else ""
    before = line[:char]
    body = before.lstrip(" ")
    ind = len(before) - len(body)
    if body.startswith("- "):
        rest = body[2:].lstrip(" ")
        col = ind + (len(body) - len(rest))
        item_path = context_path(lines, line0, ind + 1)
        # a new list item: its index is the number of items above it at this indentation
        index = 0
        for j in range(line0 - 1, -1, -1):
            raw = lines[j]
            b = raw.lstrip(" ")
            if not b.strip() or b.startswith("#"):
                continue
            k = len(raw) - len(b)
            if k < ind or (k == ind and not b.startswith("-")):
                break
            if k == ind:
                index += 1
        path = item_path + (index,)
        body = rest
    else:
        col = ind
        path = context_path(lines, line0, col)
    m = re.match(r"""^(?P<q>["']?)(?P<key>[^"'#:\s][^"'#:]*?)(?P=q)\s*:\s*(?P<value>.*)$""", body)
    if m:
        return path, m.group("key"), m.group("value")
    return path, None, body


# -- which model -------------------------------------------------------------------------------


def schema_of(session, path: Path) -> str | None:
    """``lightspeed-stack`` or ``run-yaml``: which models describe ``path`` (None: neither)."""
    ws = session.workspace
    if ws.config is not None and ws.config.path == path:
        return "lightspeed-stack"
    for doc in (ws.run_yaml, ws.profile):
        if doc is not None and doc.path == path and not ws.is_operator:
            return "run-yaml"
    if ws.kind == "run-yaml":
        return "run-yaml"
    return None


def _data(session, path: Path, schema: str):
    try:
        doc = session.document(path)
    except Exception:  # noqa: BLE001 - not part of the session (yet): no data to pick unions by
        return {}
    data = doc.data
    if schema == "lightspeed-stack" and isinstance(data, dict) and "ogx" in data:
        data = dict(data)
        data["llama_stack"] = data.pop("ogx")
    return data


def _model_path(path: tuple) -> tuple:
    return tuple("llama_stack" if p == "ogx" and i == 0 else p for i, p in enumerate(path))


# -- hover -------------------------------------------------------------------------------------


def hover(session, path: Path, lines: list[str], line0: int, char: int) -> str | None:
    """Markdown for the key on this line: its documentation, and the run.yaml lines it produces."""
    key_path, key, _value = line_context(lines, line0, len(lines[line0]) if line0 < len(lines) else 0)
    if key is None:
        return None
    full = key_path + (key,)
    parts: list[str] = []
    schema = schema_of(session, path)
    if schema is not None:
        try:
            help_ = field_help(schema, _data(session, path, schema), _model_path(full))
        except Exception:  # noqa: BLE001 - a shape the models cannot walk: no documentation
            help_ = None
        if help_ is not None:
            parts.append(_describe(full, help_))
    prov = provenance_lines(session, path, full)
    if prov:
        parts.append(prov)
    return "\n\n---\n\n".join(parts) if parts else None


def _describe(full: tuple, h) -> str:
    out = [f"**{path_text(full)}**" + (" (required)" if h.required else "") + (" (deprecated)" if h.deprecated else "")]
    if h.description:
        out.append(h.description)
    facts = []
    if h.default is not None and not h.secret:
        facts.append(f"default: `{h.default}`")
    if h.choices:
        facts.append("one of: " + ", ".join(f"`{c}`" for c in h.choices))
    if h.accepts_env:
        facts.append("accepts `${env.NAME}`")
    if h.secret:
        facts.append("a secret: better as `${env.NAME}`")
    if h.keys:
        facts.append("keys: " + ", ".join(f"`{k}`" for k in h.keys[:20]) + (" ..." if len(h.keys) > 20 else ""))
    if facts:
        out.append("; ".join(facts))
    return "\n\n".join(out)


def provenance_lines(session, path: Path, key_path: tuple) -> str:
    """The lines of the synthesized run.yaml that come from ``key_path`` of ``path`` (masked)."""
    analysis = session.analysis
    synth = analysis.synthesis
    if synth is None or not analysis.run_yaml_text or not hasattr(synth, "text_and_line_origins"):
        return ""
    display = session.displays.get(path)
    try:
        _text, origins = synth.text_and_line_origins()
    except Exception:  # noqa: BLE001 - provenance is a bonus: hover works without it
        return ""
    lines = analysis.run_yaml_text.splitlines()
    n = len(key_path)
    # lines copied from the key or below it, and lines generated from it or from its entry
    hits = [
        i
        for i, o in enumerate(origins[: len(lines)])
        if o is not None
        and o.file == display
        and (
            tuple(o.source_path[:n]) == key_path
            or (not o.exact and o.source_path and tuple(key_path[: len(o.source_path)]) == tuple(o.source_path))
        )
    ]
    if not hits:
        return ""
    steps = sorted({origins[i].step for i in hits})
    shown = hits[:MAX_PROVENANCE_LINES]
    body = "\n".join(f"{i + 1:>5}  {lines[i]}" for i in shown)
    more = f"\n... and {len(hits) - len(shown)} more lines" if len(hits) > len(shown) else ""
    label = getattr(synth, "label", None) or "synthesized run.yaml"
    return (
        f"produces {len(hits)} line{'s' * (len(hits) != 1)} of the {label} "
        f"({', '.join(steps)}):\n```yaml\n{body}\n```{more}"
    )


# -- completion --------------------------------------------------------------------------------


_ENV_OPEN = re.compile(r"\$\{env\.([A-Za-z0-9_]*)$")


def complete(session, path: Path, lines: list[str], line0: int, char: int) -> list[Completion]:
    line = lines[line0] if line0 < len(lines) else ""
    before = line[:char]
    if _ENV_OPEN.search(before):
        return env_names(session, path)
    key_path, key, typed = line_context(lines, line0, char)
    schema = schema_of(session, path) if session is not None else _guess_schema(path)
    if key is not None:
        return value_choices(session, path, schema, key_path, key)
    if schema is None:
        return []
    return key_choices(session, path, schema, key_path, lines, line0)


def _guess_schema(path: Path) -> str | None:
    return "lightspeed-stack" if path.name in CONFIG_NAMES else None


def env_names(session, path: Path) -> list[Completion]:
    """Variable names from the .env beside the file and beside the session's root (names only)."""
    folders = [path.parent]
    if session is not None and session.path.parent not in folders:
        folders.append(session.path.parent)
    names: dict[str, str] = {}
    for folder in folders:
        env = folder / ".env"
        try:
            found = envfile.read(env)
        except Exception:  # noqa: BLE001 - no .env, or one we cannot read: nothing to offer from it
            continue
        for name in found:
            names.setdefault(name, str(env))
    return [Completion(n, "env", f"from {Path(src).name}", insert=n + "}") for n, src in sorted(names.items())]


def key_choices(session, path: Path, schema: str, key_path: tuple, lines: list[str], line0: int) -> list[Completion]:
    data = _data(session, path, schema) if session is not None else {}
    try:
        model = model_at(_root_model(schema), data, _model_path(key_path))
    except Exception:  # noqa: BLE001 - a shape the models cannot walk
        model = None
    if model is None:
        return []
    present = set(_sibling_keys(lines, line0))
    out = []
    for name, field in model.model_fields.items():
        if name in present or field.deprecated:
            continue
        try:
            h = field_help(schema, data, _model_path(key_path + (name,)))
        except Exception:  # noqa: BLE001
            h = None
        detail = "required" if field.is_required() else "optional"
        out.append(Completion(name, "key", detail, (h.description if h else "") or "", insert=f"{name}: "))
    return out


def _sibling_keys(lines: list[str], line0: int) -> list[str]:
    line = lines[line0] if line0 < len(lines) else ""
    body = line.lstrip(" ")
    ind = len(line) - len(body)
    if body.startswith("- "):
        return []
    keys = []
    for step in (-1, 1):
        j = line0 + step
        while 0 <= j < len(lines):
            raw = lines[j]
            b = raw.lstrip(" ")
            k = len(raw) - len(b)
            if b.strip() and not b.startswith("#"):
                if k < ind or (k == ind and b.startswith("-")):
                    if step == -1 and k == ind - 2 and b.startswith("- "):
                        m = _KEY.match(b)
                        if m:
                            keys.append(m.group("key"))
                    break
                if k == ind:
                    m = _KEY.match(b)
                    if m:
                        keys.append(m.group("key"))
            j += step
    return keys


def value_choices(session, path: Path, schema: str | None, key_path: tuple, key: str) -> list[Completion]:
    full = key_path + (key,)
    if key == "provider_type":
        return [
            Completion(t, "provider-type", f"{_api_of(full) or 'Llama Stack'} provider")
            for t in provider_types_of(_api_of(full))
        ]
    if (
        schema == "lightspeed-stack"
        and key == "type"
        and len(full) >= 3
        and full[0] in ("inference", "vector_store")
        and full[1] == "providers"
    ):
        kinds = provider_types.suggestions("hl-inference" if full[0] == "inference" else "hl-vector", None)
        return [Completion(t, "provider-type", f"high-level {full[0]} provider") for t in kinds]
    if schema is None:
        return []

    try:
        h = field_help(schema, _data(session, path, schema) if session is not None else {}, _model_path(full))
    except Exception:  # noqa: BLE001
        h = None
    if h is None:
        return []
    out = [Completion(str(c), "value", f"{path_text(full)}") for c in h.choices]
    if not out and isinstance(h.default, bool):
        out = [Completion(w, "value", "boolean") for w in ("true", "false")]
    if h.accepts_env or h.secret:
        out.append(Completion("${env.", "env", "an environment variable reference", insert="${env."))
    return out


def _api_of(full: tuple) -> str | None:
    # run.yaml: providers.<api>[i].provider_type; a unified config's native_override nests the same shape
    for i, part in enumerate(full):
        if part == "providers" and i + 1 < len(full) and isinstance(full[i + 1], str):
            return full[i + 1]
    return None


def provider_types_of(api: str | None) -> list[str]:
    return provider_types.suggestions("", api)
