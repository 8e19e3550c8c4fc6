"""The three migration strategies. Each turns a legacy config into a new lightspeed-stack.yaml.

- ``lift``: LCORE's lift-and-shift (drop ``library_client_config_path``, put the whole
  run.yaml under ``llama_stack.config.native_override`` with ``baseline: empty``), as a text
  edit: every comment and the key order of the config survive, and the run.yaml is nested
  with its own comments.
- ``profile``: keep the run.yaml file and name it in ``llama_stack.config.profile``. The path
  is rebased: a legacy path is relative to the directory LCORE starts in, a profile path to
  the directory of the (new) config file. Enrichment keeps working on the profile.
- ``smart``: re-express what maps losslessly into ``inference.providers`` (``api_key_env``
  instead of the key), and keep only what differs from a base in ``native_override``; several
  bases are tried and each is proven, the shortest equivalent result wins.

Each strategy returns a :class:`Candidate`: the new text, the data it must read back as, and
what the proof needs. Nothing here writes a file.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from ruamel.yaml.comments import CommentedMap

from lsc_tui.config import provider_types as PT
from lsc_tui.config.envref import ENV_REF, find_refs
from lsc_tui.config.fields import KeyPath
from lsc_tui.config.text_form import keep_form
from lsc_tui.config.migration import proof as P, textedit as T
from lsc_tui.config.migration.analyse import Analysis
from lsc_tui.config.migration.proof import same
from lsc_tui.config.synthesis.enrichment import DEFAULT_EMBEDDING_DIMENSION
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.synthesis.unified import synthesize_unified
from lsc_tui.config.yaml.document import Document
from lsc_tui.config.yaml.edit import render_scalar

_ID_RE = re.compile(r"^[a-z0-9_-]+$")

# A YAML mapping as read (keys and values are whatever the file holds)
YamlMap: TypeAlias = dict[Any, Any]
# One ``inference.providers`` entry as the strategies write it (type, id, api_key_env, ...)
InferenceEntry: TypeAlias = dict[str, Any]
# A span edit of the config's text: (start offset, end offset, replacement)
Edit: TypeAlias = tuple[int, int, str]
# What ruamel's round trip calls with the document's root (a ruamel CommentedMap)
RuamelFn: TypeAlias = Callable[[Any, None], None]


@dataclass
class Candidate:
    strategy: str
    text: str
    data: YamlMap
    out_path: Path
    display: str
    variant: str = ""
    profile_data: YamlMap | None = None
    profile_file: str | None = None
    profile_ref: str | None = None
    notes: list[str] = field(default_factory=list)
    comments_kept: bool = True
    lifted: list[str] = field(default_factory=list)  # provider ids moved to inference.providers

    def unified_block(self) -> YamlMap:
        key = "ogx" if "ogx" in self.data else "llama_stack"
        block: YamlMap = (self.data.get(key) or {}).get("config") or {}
        return block

    def override_paths(self) -> list[KeyPath]:
        """Paths of the non-mapping values native_override sets (what it replaces wholesale)."""
        out: list[KeyPath] = []

        def walk(node: Any, path: KeyPath) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, path + (k,))
            else:
                out.append(path)

        walk(self.unified_block().get("native_override") or {}, ())
        return out

    @property
    def lines(self) -> int:
        return self.text.count("\n")


# -- shared helpers ----------------------------------------------------------------------


def _display(path: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover
        return str(path)
    return str(path) if rel.startswith("../..") else rel


def _run_yaml(a: Analysis) -> Document:
    """The run.yaml every strategy reads (an analysis the migration accepts always has one)."""
    if a.run_yaml is None:
        raise ValueError(f"{a.config.display}: no run.yaml was found to migrate; give it with --run-yaml")
    return a.run_yaml


def _default_gaps(a: Analysis, strategy: str) -> list[tuple[int, str, Any]]:
    """BYOK store fields to write out explicitly: ``(store index, field, LCORE's default)``.

    Legacy *library* enrichment reads the validated config, so a store field left to its
    default gets LCORE's default; unified synthesis reads the raw file and writes null for it
    (an LCORE parity gap). Writing the default explicitly keeps the migrated file equivalent.
    """
    if a.kind != "library" or strategy == "lift":  # lift stays exactly LCORE's lift-and-shift
        return []

    rag = a.config.data.get("rag")
    byok = rag.get("byok") if isinstance(rag, dict) else None
    stores = byok.get("stores") if isinstance(byok, dict) else None
    if not isinstance(stores, list):
        return []
    out: list[tuple[int, str, Any]] = []
    for i, store in enumerate(stores):
        if isinstance(store, dict) and store.get("embedding_dimension") is None:
            out.append((i, "embedding_dimension", DEFAULT_EMBEDDING_DIMENSION))
    return out


def _source(a: Analysis) -> str:
    """How the run.yaml was named: the legacy path as written, or the --run-yaml given."""
    return _run_yaml(a).display if a.run_yaml_given or not a.run_yaml_ref else str(a.run_yaml_ref)


def _base_data(a: Analysis, strategy: str) -> YamlMap:
    """The config's data with the legacy pieces taken out (and the version set to unified)."""
    data: YamlMap = copy.deepcopy(a.config.data)
    ls = data.get(a.ls_key)
    if isinstance(ls, dict):
        ls.pop("library_client_config_path", None)
    if data.get("config_format_version") == "legacy":
        data["config_format_version"] = "unified"
    for i, key, value in _default_gaps(a, strategy):
        data["rag"]["byok"]["stores"][i][key] = value
    return data


def _set_block(data: YamlMap, key: str, block: YamlMap) -> YamlMap:
    ls = data.get(key)
    if not isinstance(ls, dict):
        ls = data[key] = {}
    ls["config"] = block
    return data


def _text_edits(
    a: Analysis, block_text_at: Callable[[int], str], inference_entries: list[InferenceEntry] | None, strategy: str
) -> list[Edit]:
    """Span edits for: the config block, the version, and inference.providers."""
    doc, key = a.config, a.ls_key
    edits: list[Edit] = []
    if a.status == "legacy-library":
        kn, _vn = T.block_for(doc, (key, "library_client_config_path"))
        indent = kn.column - 1
        start, end, _ = T.replace_entry(doc, (key, "library_client_config_path"), "")
        edits.append((start, end, block_text_at(indent)))
    else:
        indent = T.entry_indent(doc, (key,))
        edits.append(T.append_to_map(doc, (key,), block_text_at(indent)))
    if doc.data.get("config_format_version") == "legacy":
        kn, vn = T.block_for(doc, ("config_format_version",))
        edits.append((vn.start, vn.end, "unified"))
    for i, k, value in _default_gaps(a, strategy):
        where = ("rag", "byok", "stores", i)
        if k in (doc.data["rag"]["byok"]["stores"][i] or {}):
            kn, vn = T.block_for(doc, where + (k,))
            edits.append((vn.start, vn.end, render_scalar(value)))
        else:
            ind = T.entry_indent(doc, where)
            edits.append(
                T.append_to_map(
                    doc,
                    where,
                    T.scalar_line(ind, k, value).rstrip("\n")
                    + "  # LCORE's default, explicit (see docs/migration.md)\n",
                )
            )
    if inference_entries:
        step = T.step_of(doc.text)
        inf = doc.data.get("inference")
        if isinstance(inf, dict) and inf:
            if "providers" in inf:
                node = doc.node_at(("inference", "providers"))
                if node is None or node.kind != "seq" or node.items:
                    raise T.EditError("inference.providers already has entries")
                kn, _ = T.block_for(doc, ("inference", "providers"))
                ind = kn.column - 1
                line_s = T.line_start(doc.text, kn.start)
                line_e = T.line_end(doc.text, max(node.end - 1, node.start))
                edits.append((line_s, line_e, f"{' ' * ind}providers:\n" + T.dump_block(inference_entries, ind + step)))
            else:
                ind = T.entry_indent(doc, ("inference",))
                edits.append(
                    T.append_to_map(
                        doc, ("inference",), f"{' ' * ind}providers:\n" + T.dump_block(inference_entries, ind + step)
                    )
                )
        elif inf is None and "inference" not in doc.data:
            edits.append(
                T.append_top(
                    doc.text, "inference:\n" + f"{' ' * step}providers:\n" + T.dump_block(inference_entries, 2 * step)
                )
            )
        else:
            raise T.EditError("inference is not a block mapping")
    return edits


def _finish(
    a: Analysis,
    strategy: str,
    data: YamlMap,
    out_path: Path,
    make_edits: Callable[[], list[Edit]],
    ruamel_fn: RuamelFn,
    **extra: Any,
) -> Candidate:
    """Build the text by span edits; fall back to ruamel, then to a plain dump. Verified."""
    notes: list[str] = []
    text: str | None = None
    try:
        text = T.apply(a.config.text, make_edits())
        if T.reads_as(text) != data:
            text = None
    except Exception:  # noqa: BLE001 - a span edit that does not apply means: fall back
        text = None
    kept = True
    if text is None:
        try:
            text = T.ruamel_rewrite(a.config.text, ruamel_fn)
            if T.reads_as(text) != data:
                text = None
            else:
                notes.append(
                    "the file was re-emitted with ruamel.yaml: comments are kept, indentation and spacing may change"
                )
        except Exception:  # noqa: BLE001
            text = None
    if text is None:
        text = T.dump_block(data, 0)
        kept = False
        notes.append(
            "the config could not be edited in place; it was written out from its data, so its comments are not kept"
        )
    text = keep_form(a.config.text, text)  # the added lines are LF, with no BOM: the file keeps its own
    for i, k, value in _default_gaps(a, strategy):
        notes.append(
            f"rag.byok.stores[{i}].{k} is now explicit ({value}): legacy library enrichment used "
            "LCORE's default, unified synthesis reads the raw file and would write null"
        )
    display = _display(out_path, a.workspace.cwd)
    return Candidate(
        strategy=strategy,
        text=text,
        data=data,
        out_path=out_path,
        display=display,
        notes=notes,
        comments_kept=kept,
        **extra,
    )


def _ruamel_block(
    a: Analysis, block_factory: Callable[[], YamlMap], inference_entries: list[InferenceEntry] | None, strategy: str
) -> RuamelFn:
    def fn(root: Any, _y: None) -> None:  # root: ruamel's CommentedMap of the config
        ls = root[a.ls_key]
        if hasattr(ls, "fa"):
            ls.fa.set_block_style()  # a flow-style block cannot hold a nested run.yaml readably
        block = block_factory()
        if hasattr(block, "fa"):
            block.fa.set_block_style()
        if "library_client_config_path" in ls:
            keys = list(ls.keys())
            pos = keys.index("library_client_config_path")
            # keep the comment that trails the removed line: hand it to the key before it
            tok = ls.ca.items.pop("library_client_config_path", None)
            if tok and pos > 0 and tok[2] is not None:
                prev = keys[pos - 1]
                ls.ca.items.setdefault(prev, [None, None, None, None])[2] = tok[2]
            del ls["library_client_config_path"]
            ls.insert(pos, "config", block)
        else:
            ls["config"] = block
        if root.get("config_format_version") == "legacy":
            root["config_format_version"] = "unified"
        for i, k, value in _default_gaps(a, strategy):
            root["rag"]["byok"]["stores"][i][k] = value
        if inference_entries:
            if "inference" not in root or root["inference"] is None:
                root["inference"] = CommentedMap()
            root["inference"]["providers"] = inference_entries

    return fn


# -- lift -----------------------------------------------------------------------------------


def lift(a: Analysis, out_path: Path) -> Candidate:
    run_doc = _run_yaml(a)
    run = run_doc.data
    data = _set_block(_base_data(a, "lift"), a.ls_key, {"baseline": "empty", "native_override": copy.deepcopy(run)})
    run_text = T.nestable_text(run_doc.text) if run else ""
    step = T.step_of(a.config.text)
    source = _source(a)

    def block_text(indent: int) -> str:
        pad, pad2 = " " * indent, " " * (indent + step)
        head = (
            f"{pad}# Lifted from {source} by lsc-tui migrate (strategy lift); the run.yaml is kept.\n"
            f"{pad}config:\n{pad2}baseline: empty\n"
        )
        if not run:
            return head + f"{pad2}native_override: {{}}\n"
        return head + f"{pad2}native_override:\n" + T.indent_text(run_text, indent + 2 * step)

    def block_factory() -> YamlMap:
        m = CommentedMap()
        m["baseline"] = "empty"
        m["native_override"] = T.ruamel_load(run_doc.text) if run else CommentedMap()
        return m

    return _finish(
        a,
        "lift",
        data,
        out_path,
        lambda: _text_edits(a, block_text, None, "lift"),
        _ruamel_block(a, block_factory, None, "lift"),
    )


# -- profile --------------------------------------------------------------------------------


def profile_reference(a: Analysis, out_path: Path) -> str:
    """The profile path for the run.yaml, relative to the directory of the new config.

    A legacy path written absolute stays absolute. A relative one (relative to the directory
    LCORE started in) is rebased onto the new config's directory.
    """
    target = Path(os.path.abspath(_run_yaml(a).path))
    if a.run_yaml_ref and os.path.isabs(os.path.expanduser(str(a.run_yaml_ref))):
        return str(target)
    return os.path.relpath(target, Path(os.path.abspath(out_path)).parent)


def profile(a: Analysis, out_path: Path) -> Candidate:
    ref = profile_reference(a, out_path)
    data = _set_block(_base_data(a, "profile"), a.ls_key, {"profile": ref})
    step = T.step_of(a.config.text)
    source = _source(a)

    def block_text(indent: int) -> str:
        pad = " " * indent
        why = (
            (
                f"was library_client_config_path: {source} (relative to the start directory); "
                "profile paths are relative to this file"
            )
            if a.run_yaml_ref and not a.run_yaml_given
            else f"{source}, given with --run-yaml"
        )
        return f"{pad}# Migrated by lsc-tui (strategy profile): {why}.\n{pad}config:\n" + T.scalar_line(
            indent + step, "profile", ref
        )

    def block_factory() -> YamlMap:
        m = CommentedMap()
        m["profile"] = ref
        return m

    cand = _finish(
        a,
        "profile",
        data,
        out_path,
        lambda: _text_edits(a, block_text, None, "profile"),
        _ruamel_block(a, block_factory, None, "profile"),
        profile_data=_run_yaml(a).data,
        profile_file=_run_yaml(a).display,
        profile_ref=ref,
    )
    if a.kind == "server":
        cand.notes.append(
            f"the Llama Stack container resolves '{ref}' against the directory of its "
            "lightspeed-stack.yaml: mount the run.yaml there at the same relative path"
        )
    return cand


# -- smart ----------------------------------------------------------------------------------


def high_level(provider: Any) -> InferenceEntry | None:
    """The ``inference.providers`` entry that synthesizes to exactly ``provider``, or None."""
    if not isinstance(provider, dict) or set(provider) - {"provider_id", "provider_type", "config"}:
        return None
    ptype, pid, config = provider.get("provider_type"), provider.get("provider_id"), provider.get("config", {})
    if not isinstance(pid, str) or not _ID_RE.match(pid) or not isinstance(config, dict):
        return None
    # an empty config synthesizes to no `config` key: Llama Stack reads that as `config: {}` (its
    # default), and the proof says so in a note
    kinds = PT.inference_kinds_for(ptype) if isinstance(ptype, str) else []
    if not kinds:
        return None
    known = next((k for k in kinds if k.default_id == pid), kinds[0])
    entry: InferenceEntry = {"type": known.kind}
    if pid != known.default_id:
        entry["id"] = pid
    key_field = known.key_field or "api_key"
    rest = dict(config)
    if key_field in rest:
        value = rest.pop(key_field)
        m = ENV_REF.fullmatch(value) if isinstance(value, str) else None
        if m is None or m.group(2) is not None:
            return None  # a literal key (the secrets command converts it) or a ref with a default
        entry["api_key_env"] = m.group(1)
    models = rest.pop("allowed_models", None)
    if models is not None:
        if not isinstance(models, list) or not models or not all(isinstance(x, str) for x in models):
            return None
        entry["allowed_models"] = models
    if rest:
        entry["extra"] = rest
    if _has_required_ref([models, rest]):
        # in run.yaml only Llama Stack resolves ${env.X}, when it starts; in lightspeed-stack.yaml
        # LCORE resolves it too, when it loads the config, and refuses to start without X: the
        # variable would be needed by LCORE's own process (in server mode, another container)
        return None
    return entry


def _has_required_ref(node: Any) -> bool:
    """A ``${env.X}`` with no default anywhere in ``node`` (refs with ``:=``/``:+`` never fail)."""
    if isinstance(node, str):
        return any(ref.op is None for ref in find_refs(node))
    if isinstance(node, dict):
        return any(_has_required_ref(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_required_ref(v) for v in node)
    return False


def _delta(base: Any, target: Any, path: KeyPath, impossible: list[KeyPath]) -> YamlMap:
    """The native_override that turns ``base`` into ``target`` under LCORE's merge rule."""
    out: YamlMap = {}
    for k, t in target.items():
        if k not in base:
            out[k] = copy.deepcopy(t)
        elif isinstance(base[k], dict) and isinstance(t, dict):
            sub = _delta(base[k], t, path + (k,), impossible)
            if sub:
                out[k] = sub
        elif not (same(base[k], t) if path == ("providers",) or path == () else base[k] == t):
            out[k] = copy.deepcopy(t)
    for k in base:
        if k not in target:
            impossible.append(path + (k,))
    return out


def _freezes_enrichment(override: YamlMap, run: Any) -> bool:
    """True if a list in the override holds entries the run.yaml does not (enrichment output)."""

    def walk(node: Any, src: Any, path: KeyPath) -> bool:
        if isinstance(node, dict):
            return any(walk(v, src.get(k) if isinstance(src, dict) else None, path + (k,)) for k, v in node.items())
        if isinstance(node, list):
            src_items = src if isinstance(src, list) else []
            return any(item not in src_items for item in node)
        return False

    return walk(override, run, ())


def smart(a: Analysis, out_path: Path, legacy_syn: Synthesis | None = None) -> Candidate:
    """Try several re-expressions; keep the shortest one the proof calls equivalent."""
    reference = legacy_syn if legacy_syn is not None else P.legacy_reference(a)
    target = reference.data
    run_doc = _run_yaml(a)
    run = run_doc.data
    raw_providers = run.get("providers")
    providers: YamlMap = raw_providers if isinstance(raw_providers, dict) else {}
    raw_inference = providers.get("inference")
    inference: list[Any] = raw_inference if isinstance(raw_inference, list) else []
    hl_all = [high_level(p) for p in inference]
    liftable = [h for h in hl_all if h is not None]
    existing_hl = (
        (a.config.data.get("inference") or {}).get("providers")
        if isinstance(a.config.data.get("inference"), dict)
        else None
    )
    if existing_hl:
        liftable = []  # never mix with providers the operator already wrote
    tried: list[tuple[Candidate, P.Proof]] = []

    def attempt(
        variant: str,
        block: YamlMap,
        entries: list[InferenceEntry],
        profile_data: YamlMap | None = None,
        profile_ref: str | None = None,
        override_text: str | None = None,
    ) -> tuple[Candidate, P.Proof]:
        data = _base_data(a, "smart")
        _set_block(data, a.ls_key, block)
        if entries:
            inf = data.get("inference")
            if not isinstance(inf, dict):
                inf = data["inference"] = {}
            inf["providers"] = copy.deepcopy(entries)
        cand = _smart_candidate(a, out_path, variant, data, block, entries, profile_ref, override_text)
        cand.profile_data = profile_data
        cand.profile_file = run_doc.display if profile_data is not None else None
        cand.profile_ref = profile_ref
        cand.lifted = [(e.get("id") or e["type"].replace("_", "-")) for e in entries]
        pr = P.prove(a, cand, reference)
        tried.append((cand, pr))
        return cand, pr

    def base_for(
        block: YamlMap,
        entries: list[InferenceEntry],
        profile_data: YamlMap | None = None,
        profile_ref: str | None = None,
    ) -> dict[str, Any]:
        data = _base_data(a, "smart")
        _set_block(data, a.ls_key, block)
        if entries:
            data.setdefault("inference", {})
            if not isinstance(data["inference"], dict):
                data["inference"] = {}
            data["inference"]["providers"] = copy.deepcopy(entries)
        syn = synthesize_unified(
            data,
            Path(os.path.abspath(out_path)).parent,
            config_file=str(out_path),
            profile=profile_data,
            profile_file=run_doc.display if profile_data else None,
        )
        return syn.data

    def with_delta(
        variant: str,
        block: YamlMap,
        entries: list[InferenceEntry],
        profile_data: YamlMap | None = None,
        profile_ref: str | None = None,
    ) -> None:
        base = base_for(block, entries, profile_data, profile_ref)
        impossible: list[KeyPath] = []
        override = _delta(base, target, (), impossible)
        if impossible or _freezes_enrichment(override, run):
            return
        if entries and "inference" in (override.get("providers") or {}):
            return  # the override would replace the lifted providers: pointless
        blk = dict(block)
        if override:
            blk["native_override"] = override
        attempt(variant, blk, entries, profile_data, profile_ref)

    # 1. built-in default baseline + lifted providers + the delta
    no_entries: list[InferenceEntry] = []
    for entries in [liftable, no_entries] if liftable else [no_entries]:
        with_delta("baseline-default", {}, entries)
    # 2. empty baseline + lifted providers (all of them) + the rest of the run.yaml
    if liftable and len(liftable) == len(inference):
        rest = copy.deepcopy(run)
        rest.get("providers", {}).pop("inference", None)
        attempt(
            "baseline-empty",
            {"baseline": "empty", "native_override": rest},
            liftable,
            override_text=_text_without(run_doc, ("providers", "inference"), rest),
        )
    # 2b. nothing re-expressible (all or nothing): the run.yaml as the override, as lift does
    if not liftable or len(liftable) != len(inference):
        attempt(
            "baseline-empty",
            {"baseline": "empty", "native_override": copy.deepcopy(run)},
            [],
            override_text=_text_without(run_doc, None, run),
        )
    # 3. the run.yaml as a profile, with the delta (e.g. pinning tool_runtime when it has no MCP)
    ref = profile_reference(a, out_path)
    with_delta("profile", {"profile": ref}, [], run, ref)

    good = [c for c, pr in tried if pr.equivalent]
    if good:
        # re-expressing something is the point of smart; then the shortest file
        best = min(good, key=lambda c: (not c.lifted, c.lines, c.variant != "profile"))
    else:
        # nothing proven: the candidate with the fewest differences, else plain profile
        ranked = sorted(tried, key=lambda cp: (len(cp[1].differences), cp[0].lines))
        best = ranked[0][0] if ranked else profile(a, out_path)
        best.strategy = "smart"
    best.notes.append(f"smart chose '{best.variant}' out of {len(tried)} proven candidate(s)")
    if best.profile_ref and a.kind == "server":
        best.notes.append(
            f"the Llama Stack container resolves '{best.profile_ref}' against the directory of "
            "its lightspeed-stack.yaml: mount the run.yaml there at the same relative path"
        )
    return best


def _text_without(doc: Document, path: KeyPath | None, expected: YamlMap) -> str | None:
    """The run.yaml text (comments kept) without the entry at ``path``, if it reads as ``expected``."""
    try:
        text = doc.text
        if path is not None:
            kn, vn = T.block_for(doc, path)
            last = T._last_scalar(vn)
            start = T.line_start(text, kn.start)
            end = T.line_end(text, max(last.end - 1, last.start))
            text = text[:start] + text[end:]
        nested = T.nestable_text(text)
        return nested if expected and T.reads_as(nested) == expected else None
    except Exception:  # noqa: BLE001 - no verbatim text: the override is dumped from data
        return None


def _smart_candidate(
    a: Analysis,
    out_path: Path,
    variant: str,
    data: YamlMap,
    block: YamlMap,
    entries: list[InferenceEntry],
    profile_ref: str | None,
    override_text: str | None = None,
) -> Candidate:
    step = T.step_of(a.config.text)
    source = _source(a)

    def block_text(indent: int) -> str:
        pad, pad2 = " " * indent, " " * (indent + step)
        how = "re-expressed" if entries else "migrated"
        lines = [
            f"{pad}# {how.capitalize()} from {source} by lsc-tui migrate (strategy smart"
            f"{', inference.providers below' if entries else ''})."
        ]
        lines.append(f"{pad}config:")
        body = ""
        if not block:
            body = f"{pad2}baseline: default\n"
        for k, v in block.items():
            if k == "native_override":
                body += f"{pad2}native_override:\n" + (
                    T.indent_text(override_text, indent + 2 * step)
                    if override_text
                    else T.dump_block(v, indent + 2 * step)
                )
            else:
                body += T.scalar_line(indent + step, k, v)
        return "\n".join(lines) + "\n" + body

    if not block:
        block = {"baseline": "default"}
        _set_block(data, a.ls_key, block)

    def block_factory() -> YamlMap:
        return copy.deepcopy(block)

    cand = _finish(
        a,
        "smart",
        data,
        out_path,
        lambda: _text_edits(a, block_text, entries, "smart"),
        _ruamel_block(a, block_factory, copy.deepcopy(entries), "smart"),
        variant=variant,
    )
    return cand


BUILDERS: dict[str, Callable[[Analysis, Path], Candidate]] = {"lift": lift, "profile": profile, "smart": smart}


def build(a: Analysis, strategy: str, out_path: Path | None = None, legacy_syn: Synthesis | None = None) -> Candidate:
    out_path = Path(os.path.abspath(out_path if out_path is not None else a.config.path))
    if strategy == "smart":
        return smart(a, out_path, legacy_syn)
    if strategy not in BUILDERS:
        raise ValueError(f"unknown strategy {strategy!r}")
    return BUILDERS[strategy](a, out_path)
