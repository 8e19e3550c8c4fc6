"""Rewrite a lightspeed-stack.yaml written for one LCORE release into another release's keys.

Between the releases a few sections moved (see docs/lcore-versions.md):

- ``byok_rag`` (entries with ``rag_type: inline::faiss | remote::pgvector``) became
  ``rag.byok.stores`` (entries with ``backend: faiss | pgvector``) in main;
- ``rag.inline`` / ``rag.tool`` (lists of source ids) became ``rag.retrieval.inline.sources`` /
  ``rag.retrieval.tool.sources``, and the top-level ``reranker`` became
  ``rag.retrieval.inline.reranker``;
- ``okp`` became ``rag.okp``;
- ``customization.allow_verbose_infer`` (0.5.x) became ``rlsapi_v1.allow_verbose_infer`` (0.6.0);
- ``ogx:`` (after main) is the ``llama_stack:`` block under a new name.

:func:`rewrite` moves those keys in either direction where the intent carries, on the file's
text (comments and key order kept through ruamel's round trip). What the target release has no
key for (``rag.okp.search_mode`` before main, ``vector_store`` before 0.7.0rc1, ...) is never
dropped silently: each is a located finding, and the rewritten file leaves it out only so that
the target release can load it. Nothing here writes a file.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import yaml

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.releases import RELEASE_0_5, RELEASE_0_7RC1, RELEASE_MAIN, Release
from lsc_tui.config.yaml.document import Document, Loader, parse_text
from lsc_tui.config.yaml.edit import roundtrip_edit

BACKEND_OF_RAG_TYPE = {"inline::faiss": "faiss", "remote::pgvector": "pgvector"}
RAG_TYPE_OF_BACKEND = {backend: rag_type for rag_type, backend in BACKEND_OF_RAG_TYPE.items()}
CODE_LOSS = "lcore-no-equivalent"
CODE_REFUSED = "lcore-cannot-express"

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Step:
    """One key moved or renamed: ``old`` as written before, ``new`` after ('' when removed)."""

    old: str
    new: str
    note: str = ""

    def to_text(self) -> str:
        head = f"{self.old} -> {self.new}" if self.new else f"{self.old} removed"
        return head + (f" ({self.note})" if self.note else "")

    def to_json(self) -> dict[str, str]:
        return {"from": self.old, "to": self.new, "note": self.note}


@dataclass
class Rewrite:
    source: Release
    target: Release
    text: str
    data: Any
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # keys with no equivalent, located in the old file

    @property
    def changed(self) -> bool:
        return bool(self.steps or self.findings)

    @property
    def refused(self) -> bool:
        """The target release cannot express this config at all (no file to write)."""
        return any(f.code == CODE_REFUSED for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.source.key,
            "to": self.target.key,
            "renames": [s.to_json() for s in self.steps],
            "findings": [f.to_json() for f in self.findings],
            "refused": self.refused,
        }


class _Log:
    """What a transform did: steps, and losses as (old path, message, fix)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.losses: list[tuple[Path, str, str, str]] = []

    def step(self, old: str, new: str, note: str = "") -> None:
        self.steps.append(Step(old, new, note))

    def loss(self, path: Path, message: str, fix: str, code: str = CODE_LOSS) -> None:
        self.losses.append((path, message, fix, code))


# -- order-keeping mapping edits (plain dicts and ruamel's CommentedMap alike) -------------
def _index(mapping: MutableMapping[Any, Any], key: Any) -> int:
    return list(mapping).index(key)


def _insert(mapping: MutableMapping[Any, Any], at: int, key: Any, value: Any) -> None:
    """``mapping[key] = value`` at position ``at`` (the order is what a reader sees)."""
    insert = getattr(mapping, "insert", None)
    if insert is not None:  # ruamel's CommentedMap: keeps comments on the other keys
        insert(at, key, value)
        return
    items = list(mapping.items())
    items.insert(at, (key, value))
    mapping.clear()
    mapping.update(items)


def _new_map(like: Any) -> MutableMapping[Any, Any]:
    return type(like)() if isinstance(like, MutableMapping) else {}


def _rename_key(mapping: MutableMapping[Any, Any], old: Any, new: Any, value: Any = ...) -> None:
    at = _index(mapping, old)
    current = mapping.pop(old)
    _insert(mapping, at, new, current if value is ... else value)


def _is_map(value: Any) -> TypeGuard[MutableMapping[Any, Any]]:
    return isinstance(value, MutableMapping)


# -- the transforms ----------------------------------------------------------------------
def _rag_up(root: MutableMapping[Any, Any], log: _Log, target: Release) -> None:
    """byok_rag / rag.inline / rag.tool / okp / reranker -> main's rag.byok / rag.retrieval / rag.okp."""
    old_rag = root.get("rag")
    moves = [k for k in ("byok_rag", "okp", "reranker") if k in root]
    inline_tool = [k for k in ("inline", "tool") if _is_map(old_rag) and k in old_rag]
    if not moves and not inline_tool:
        return
    at = min(_index(root, k) for k in [*moves, *(["rag"] if "rag" in root else [])])
    rag = _new_map(root)
    if "byok_rag" in root:
        stores = root["byok_rag"]
        if isinstance(stores, list):
            for n, store in enumerate(stores):
                if not _is_map(store) or "rag_type" not in store:
                    continue
                rag_type = store["rag_type"]
                backend = BACKEND_OF_RAG_TYPE.get(rag_type) if isinstance(rag_type, str) else None
                if backend is None:
                    log.loss(
                        ("byok_rag", n, "rag_type"),
                        f"`byok_rag[{n}].rag_type: {rag_type}` has no equivalent in {target.label}: its "
                        f"`backend` is one of {', '.join(RAG_TYPE_OF_BACKEND)}",
                        "Use a faiss or pgvector store, or stay on the release you run.",
                    )
                    del store["rag_type"]
                else:
                    _rename_key(store, "rag_type", "backend", backend)
        byok = _new_map(root)
        byok["stores"] = stores
        rag["byok"] = byok
        log.step(
            "byok_rag",
            "rag.byok.stores",
            "each rag_type becomes a backend: inline::faiss -> faiss, remote::pgvector -> pgvector",
        )
    retrieval = _new_map(root)
    for strategy in ("inline", "tool"):
        entry = _new_map(root)
        if strategy in inline_tool and _is_map(old_rag):
            entry["sources"] = old_rag[strategy]
            log.step(f"rag.{strategy}", f"rag.retrieval.{strategy}.sources")
        if strategy == "inline" and "reranker" in root:
            entry["reranker"] = root["reranker"]
            log.step("reranker", "rag.retrieval.inline.reranker")
        if entry:
            retrieval[strategy] = entry
    if retrieval:
        rag["retrieval"] = retrieval
    if "okp" in root:
        rag["okp"] = root["okp"]
        log.step("okp", "rag.okp")
    if _is_map(old_rag):
        for key in list(old_rag):
            if key not in ("inline", "tool"):
                rag[key] = old_rag[key]  # not a key of the old release: left for validation to name
    for key in [*moves, *(["rag"] if "rag" in root else [])]:
        del root[key]
    _insert(root, min(at, len(root)), "rag", rag)


def _rag_down(root: MutableMapping[Any, Any], log: _Log, target: Release) -> None:
    """main's rag.byok / rag.retrieval / rag.okp -> byok_rag / rag.inline / rag.tool / okp / reranker."""
    rag = root.get("rag")
    if not _is_map(rag) or not ({"byok", "retrieval", "okp"} & set(rag)):
        return
    at = _index(root, "rag")
    out: list[tuple[str, Any]] = []
    lost = f"has no equivalent in {target.label}"
    byok = rag.get("byok")
    if _is_map(byok):
        for key in byok:
            if key != "stores":
                log.loss(
                    ("rag", "byok", key),
                    f"`rag.byok.{key}` {lost}",
                    "The older release uses its own default; remove it, or stay on the release you run.",
                )
        stores = byok.get("stores")
        if isinstance(stores, list):
            for n, store in enumerate(stores):
                if not _is_map(store):
                    continue
                if "relevance_cutoff_score" in store:
                    log.loss(
                        ("rag", "byok", "stores", n, "relevance_cutoff_score"),
                        f"`rag.byok.stores[{n}].relevance_cutoff_score` {lost}",
                        "The older release applies no cutoff; remove it, or stay on the release you run.",
                    )
                    del store["relevance_cutoff_score"]
                if "backend" in store:
                    backend = store["backend"]
                    rag_type = RAG_TYPE_OF_BACKEND.get(backend) if isinstance(backend, str) else None
                    _rename_key(store, "backend", "rag_type", rag_type if rag_type else f"inline::{backend}")
                if isinstance(store.get("port"), int) and not isinstance(store.get("port"), bool):
                    store["port"] = str(store["port"])  # the older model takes the port as a string
            out.append(("byok_rag", stores))
            log.step(
                "rag.byok.stores",
                "byok_rag",
                "each backend becomes a rag_type: faiss -> inline::faiss, pgvector -> remote::pgvector",
            )
    retrieval = rag.get("retrieval")
    old_rag = _new_map(root)
    reranker = None
    if _is_map(retrieval):
        for strategy in ("inline", "tool"):
            entry = retrieval.get(strategy)
            if not _is_map(entry):
                continue
            for key in entry:
                if key == "sources":
                    old_rag[strategy] = entry[key]
                    log.step(f"rag.retrieval.{strategy}.sources", f"rag.{strategy}")
                elif key == "reranker" and strategy == "inline":
                    reranker = entry[key]
                    log.step("rag.retrieval.inline.reranker", "reranker")
                else:
                    log.loss(
                        ("rag", "retrieval", strategy, key),
                        f"`rag.retrieval.{strategy}.{key}` {lost}",
                        "The older release uses its own default; remove it, or stay on the release you run.",
                    )
        for key in retrieval:
            if key not in ("inline", "tool"):
                log.loss(("rag", "retrieval", key), f"`rag.retrieval.{key}` {lost}", "Remove it.")
    if old_rag:
        out.append(("rag", old_rag))
    okp = rag.get("okp")
    if _is_map(okp):
        for key in [k for k in okp if k in ("search_mode", "max_chunks")]:
            log.loss(
                ("rag", "okp", key),
                f"`rag.okp.{key}` {lost}",
                "The older release uses its own default (hybrid search); remove it, or stay on the release you run.",
            )
            del okp[key]
        out.append(("okp", okp))
        log.step("rag.okp", "okp")
    if reranker is not None:
        out.append(("reranker", reranker))
    for key in rag:
        if key not in ("byok", "retrieval", "okp"):
            log.loss(("rag", key), f"`rag.{key}` {lost}", "Remove it.")
    del root["rag"]
    for n, (key, value) in enumerate(out):
        _insert(root, min(at + n, len(root)), key, value)


def _verbose_infer(root: MutableMapping[Any, Any], log: _Log, up: bool) -> None:
    """customization.allow_verbose_infer (0.5.x) <-> rlsapi_v1.allow_verbose_infer (0.6.0 on)."""
    old, new = ("customization", "rlsapi_v1") if up else ("rlsapi_v1", "customization")
    section = root.get(old)
    if not _is_map(section) or "allow_verbose_infer" not in section:
        return
    value = section.pop("allow_verbose_infer")
    if not section:
        at = _index(root, old)
        del root[old]
    else:
        at = _index(root, old) + 1
    dest = root.get(new)
    if not _is_map(dest):
        dest = _new_map(root)
        _insert(root, min(at, len(root)), new, dest)
    dest["allow_verbose_infer"] = value
    log.step(f"{old}.allow_verbose_infer", f"{new}.allow_verbose_infer")


def _before_0_7(root: MutableMapping[Any, Any], log: _Log, target: Release) -> None:
    """What 0.7.0rc1 added and an older release has no key for."""
    lost = f"has no equivalent in {target.label} (it came in {RELEASE_0_7RC1.label})"
    vs = root.get("vector_store")
    if "vector_store" in root:
        if _is_map(vs) and vs.get("providers"):
            log.loss(
                ("vector_store",),
                f"`vector_store` {lost}",
                "Register the vector store in the profile's run.yaml (llama_stack.config), or stay on "
                "the release you run.",
            )
        else:
            log.step("vector_store", "", "empty: nothing to carry")
        del root["vector_store"]
    if "shields" in root:
        log.loss(
            ("shields",),
            f"`shields` {lost}",
            "Register the shields in the profile's run.yaml, or stay on the release you run.",
        )
        del root["shields"]
    inference = root.get("inference")
    providers = inference.get("providers") if _is_map(inference) else None
    for n, provider in enumerate(providers if isinstance(providers, list) else []):
        if _is_map(provider) and "id" in provider:
            log.loss(
                ("inference", "providers", n, "id"),
                f"`inference.providers[{n}].id` {lost}: the provider_id becomes its type",
                "Remove it, and check the references to that id.",
            )
            del provider["id"]


def _to_0_5(root: MutableMapping[Any, Any], log: _Log) -> None:
    """0.5.x has no unified mode at all."""
    for key in ("llama_stack", "ogx"):
        ls = root.get(key)
        if _is_map(ls) and ls.get("config") is not None:
            log.loss(
                (key, "config"),
                f"`{key}.config` (unified mode) has no equivalent in {RELEASE_0_5.label}",
                "0.5.x runs a separate run.yaml: keep the profile as a file and point "
                f"{key}.library_client_config_path at it instead.",
                CODE_REFUSED,
            )
    inference = root.get("inference")
    if _is_map(inference) and inference.get("providers"):
        log.loss(
            ("inference", "providers"),
            f"`inference.providers` (unified mode) has no equivalent in {RELEASE_0_5.label}",
            "Describe the providers in a run.yaml and use library_client_config_path.",
            CODE_REFUSED,
        )


def _ogx_down(root: MutableMapping[Any, Any], log: _Log, target: Release) -> None:
    if not _is_map(root.get("ogx")):
        return
    if "llama_stack" in root:  # the newer release reads ogx: and ignores this block
        del root["llama_stack"]
        log.step("llama_stack", "", "ignored while ogx: is present")
    _rename_key(root, "ogx", "llama_stack")
    log.step("ogx", "llama_stack", f"{target.label} knows the block as llama_stack")


def _byo_llm_down(root: MutableMapping[Any, Any], log: _Log, target: Release) -> None:
    for key in ("llama_stack", "ogx"):
        ls = root.get(key)
        config = ls.get("config") if _is_map(ls) else None
        if _is_map(config) and config.get("baseline") == "byo-llm":
            log.loss(
                (key, "config", "baseline"),
                f"baseline `byo-llm` has no equivalent in {target.label} (it came after LCORE main)",
                "Use baseline default or empty, or a profile.",
            )


def transform(root: MutableMapping[Any, Any], source: Release, target: Release) -> _Log:
    """Rewrite ``root`` (a config's data, or its ruamel tree) in place from ``source``'s keys to
    ``target``'s. Returns what was done and what has no equivalent."""
    log = _Log()
    main = RELEASE_MAIN.order
    if source.order > main >= target.order:
        _byo_llm_down(root, log, target)  # located in the file as written: before ogx: is renamed
        _ogx_down(root, log, target)
    if source.order < main <= target.order:
        _rag_up(root, log, target)
    elif source.order >= main > target.order:
        _rag_down(root, log, target)
        if "config_format_version" in root:
            del root["config_format_version"]
            log.step("config_format_version", "", "older releases decide the format from the file's shape")
    if source.order >= RELEASE_0_7RC1.order > target.order:
        _before_0_7(root, log, target)
    if source.order <= RELEASE_0_5.order < target.order:
        _verbose_infer(root, log, up=True)
    elif source.order > RELEASE_0_5.order >= target.order:
        _verbose_infer(root, log, up=False)
        _to_0_5(root, log)
    return log


def _comments_above(doc: Document, path: tuple[str, ...]) -> list[str]:
    """The whole-line comments right above the key at ``path`` in ``doc``."""
    node = doc.node_at(path[:-1])
    key = node.key_node(path[-1]) if node is not None and node.kind == "map" else None
    if key is None:
        return []
    lines = doc.text.splitlines()
    out: list[str] = []
    n = key.line - 2
    while n >= 0 and lines[n].lstrip().startswith("#"):
        out.insert(0, lines[n].strip())
        n -= 1
    return out


def _keep_comments(doc: Document, text: str, steps: list[Step]) -> str:
    """Put back the comments that sat right above a moved key, above it where it went (the
    round trip keeps a comment with the node before it, which a move may leave behind)."""
    for step in steps:
        if not step.new:
            continue
        comments = _comments_above(doc, tuple(step.old.split(".")))
        if not comments or all(c in text for c in comments):
            continue
        new = parse_text(text, doc.display)
        path = tuple(step.new.split("."))
        node = new.node_at(path[:-1])
        key = node.key_node(path[-1]) if node is not None and node.kind == "map" else None
        if key is None:
            continue
        lines = text.splitlines(keepends=True)
        pad = " " * (key.column - 1)
        at = key.line - 1
        lines[at:at] = [f"{pad}{c}\n" for c in comments if c not in text]
        text = "".join(lines)
    return text


def rewrite(doc: Document, source: Release, target: Release) -> Rewrite:
    """``doc`` (a lightspeed-stack.yaml) rewritten from ``source``'s keys to ``target``'s. The
    new text keeps comments and key order; it reads back (PyYAML, as LCORE reads it) as the
    rewritten data, or a ValueError says the text could not be written faithfully."""
    data = doc.data
    if not isinstance(data, dict):
        return Rewrite(source, target, doc.text, data)
    new_data = copy.deepcopy(data)
    log = transform(new_data, source, target)
    findings = [
        Finding(doc.display, *doc.position(path), Severity.ERROR, code, message, fix, path=tuple(path))
        for path, message, fix, code in log.losses
    ]
    if not log.steps and not log.losses:
        return Rewrite(source, target, doc.text, data)

    def edit(root: Any) -> None:
        transform(root, source, target)

    text = roundtrip_edit(doc.text, edit)
    if doc.text.endswith("\n") and not doc.text.endswith("\n\n"):
        text = text.rstrip("\n") + "\n"  # the emitter may leave a blank line where a moved key ended
    text = _keep_comments(doc, text, log.steps)
    if yaml.load(text, Loader=Loader) != new_data:
        raise ValueError(f"{doc.display}: the rewritten text would not read back as the rewritten config")
    return Rewrite(source, target, text, new_data, log.steps, findings)
