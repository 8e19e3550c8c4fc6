"""The outline of a workspace: the nodes the editor's tree shows, their keys and their badges.

Each open document becomes a root with its providers by API, the high-level inference providers
and vector stores, the profile or baseline (and the profiles it can switch to), the
native_override sections, MCP servers, every other top-level section, and every list of mappings
below those, so each node of a file can be reached. An operator file (a LlamaStackDistribution
and the ConfigMaps/Secrets beside it, an extra-providers.yaml, a provider package) is arranged by
its kind instead. A node's key is ``display|dotted.path``: stable across edits, so a selection
survives a re-analysis. Findings mark the nodes on their path with a state (error, warning,
secret), native_override the nodes it overrides.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsc_tui.config import masking
from lsc_tui.config.fields import MAX_LIST_DEPTH, KeyPath, lists_of_mappings, value_at
from lsc_tui.config.findings import Finding, Severity, finding_path, path_text
from lsc_tui.config.operator.kinds import KIND_LLSD, LABELS
from lsc_tui.config.workspace import Workspace, profile_choices
from lsc_tui.config.yaml.document import Document

# What a tree label or detail shows of the config's scalars: a list entry's name, type or URL (an
# MCP server's), and the profile line. An edit of any other scalar leaves a document's tree as it
# was (``tree_for``); tests/tui/test_view_reuse.py compares the kept trees with fresh ones.
LABEL_KEYS = ("provider_id", "id", "name", "rag_id", "model_id", "type")
ENTRY_KEYS = frozenset(LABEL_KEYS + ("provider_type", "url"))  # read from the mappings in lists
PROFILE_KEYS = frozenset(("profile", "baseline", "library_client_config_path"))

# kinds of node that stand for one provider (or MCP server): a rename changes their id
PROVIDER_KINDS = ("provider", "hl-inference", "hl-vector", "mcp")
# kinds a list entry's own node may have (the ones that can fold over the lists inside them)
FOLDING_KINDS = ("section", "provider", "hl-inference", "hl-vector", "mcp", "override")
PROFILES_MARK = "#profiles"

States = dict[str, list[tuple[KeyPath, str]]]  # display -> (path, state) of each finding on it


@dataclass
class TreeItem:
    key: str
    label: str
    kind: str  # document | group | api | provider | hl-inference | hl-vector | mcp | override | profile |
    #            profile-choice (enter switches to it) | section | object (one document of a stream) |
    #            list | entry | cr-provider
    file: Path | None = None
    display: str = ""
    path: KeyPath = ()
    api: str | None = None
    detail: str = ""
    children: list[TreeItem] = field(default_factory=list)
    states: set[str] = field(default_factory=set)
    folded: bool = False  # starts collapsed in the tree (a section whose lists of mappings are below it)

    def __post_init__(self) -> None:
        # a label quotes the config (an MCP server's URL, a provider's name): shown masked
        self.label = masking.mask_message(self.label)
        self.detail = masking.mask_message(self.detail)

    @property
    def is_list_item(self) -> bool:
        return bool(self.path) and isinstance(self.path[-1], int)

    @property
    def is_provider(self) -> bool:
        return self.kind in PROVIDER_KINDS

    def walk(self) -> Iterator[TreeItem]:
        yield self
        for child in self.children:
            yield from child.walk()


def tree_key(display: str, path: KeyPath) -> str:
    """The key of the node at ``path`` of the document ``display``."""
    return f"{display}|{path_text(path)}"


def profile_choice(item: TreeItem | None) -> tuple[str, str] | None:
    """``(kind, name)`` of an entry of the "profiles" group (one the config can switch to), else None."""
    if item is None or item.kind != "profile-choice" or f"|{PROFILES_MARK}/" not in item.key:
        return None
    kind, _, name = item.key.split(f"|{PROFILES_MARK}/", 1)[1].partition("/")
    return kind, name


def node_states(findings: list[Finding], secret_findings: list[Finding], documents: dict[str, Document]) -> States:
    """The state each finding gives the nodes on its path (a secret finding gives "secret",
    whatever its severity; an info finding none)."""
    secret_set = set(secret_findings)
    states: States = {}
    for f in findings:
        if f in secret_set:
            state = "secret"
        elif f.severity is Severity.ERROR:
            state = "error"
        elif f.severity is Severity.WARNING:
            state = "warning"
        else:
            continue
        states.setdefault(f.file, []).append((finding_path(f, documents), state))
    listed = set(findings)
    for f in secret_findings:
        if f not in listed:
            states.setdefault(f.file, []).append((finding_path(f, documents), "secret"))
    return states


def short_names(displays: Iterable[str]) -> dict[str, str]:
    """display -> the file's name, or the whole display where two open files share a name."""
    displays = list(displays)
    names = [Path(d).name for d in displays]
    return {d: (Path(d).name if names.count(Path(d).name) == 1 else d) for d in displays}


def outline(ws: Workspace, states: States, short: dict[str, str]) -> list[TreeItem]:
    """One root per open document of the workspace. ``states``: from :func:`node_states`;
    ``short``: from :func:`short_names`."""
    return [
        document_item(ws, doc, states.get(doc.display, []), short.get(doc.display, doc.display)) for doc in ws.documents
    ]


def companion_role(ws: Workspace) -> str:
    """What the run.yaml (or config) beside an operator file is to it."""
    return "base config" if ws.kind == KIND_LLSD else "base run.yaml"


@dataclass
class Built:
    """A document's tree as built for a view, with what it was built from."""

    facts: tuple[Any, ...]
    override: dict[Any, Any] | None
    states: list[tuple[KeyPath, str]]
    doc: Document
    item: TreeItem


def tree_for(
    ws: Workspace, doc: Document, doc_states: list[tuple[KeyPath, str]], name: str, prev: Built | None
) -> Built:
    """The document's tree: ``prev``'s (the tree of the previous view) when nothing it shows
    changed (a keystroke in a field that is no label), built anew otherwise."""
    companion = companion_role(ws) if ws.run_yaml is doc and ws.source is not None else ""
    profiles = tuple(profile_choices(ws)) if ws.config is doc and ws.mode == "unified" else ()
    facts = (
        doc.display,
        name,
        ws.config is doc,
        ws.run_yaml is doc,
        companion,
        ws.kind,
        ws.mode,
        ws.llama_stack_key(),
        profiles,
    )
    override = native_override(ws)
    if (
        prev is not None
        and ws.source is not doc
        and prev.facts == facts
        and (prev.override is override or prev.override == override)
        and prev.states == doc_states
        and _same_tree_data(prev.doc, doc)
    ):
        return Built(facts, override, doc_states, doc, prev.item)
    return Built(facts, override, doc_states, doc, document_item(ws, doc, doc_states, name))


def _same_tree_data(before: Document, doc: Document) -> bool:
    """Whether ``doc`` shows in the tree as ``before`` did: the same data, or derived from it by
    one scalar edit (the containers are the same) of a scalar no label shows."""
    if doc.data is before.data:
        return True
    derived = getattr(doc, "derived", None)
    if derived is None or derived.source() is not before or not derived.path:
        return False
    path = derived.path
    last = path[-1]
    if not isinstance(last, str):
        return True  # an item of a list of scalars: shown as a field, never in a label
    if last in PROFILE_KEYS:
        return False
    return not (last in ENTRY_KEYS and len(path) >= 2 and isinstance(path[-2], int))


@dataclass(frozen=True)
class _Doc:
    """Makes the tree items of one document."""

    file: Path | None
    display: str

    def item(
        self,
        path: KeyPath,
        label: str,
        kind: str,
        *,
        key: str | None = None,
        api: str | None = None,
        detail: str = "",
        states: set[str] | None = None,
    ) -> TreeItem:
        return TreeItem(
            tree_key(self.display, path) if key is None else key,
            label,
            kind,
            file=self.file,
            display=self.display,
            path=path,
            api=api,
            detail=detail,
            states=states or set(),
        )


def _dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _label_for_list_item(item: Any, index: int, keys: tuple[str, ...] = LABEL_KEYS) -> str:
    if isinstance(item, dict):
        for key in keys:
            if isinstance(item.get(key), (str, int)):
                return str(item[key])
    return f"[{index}]"


def document_item(ws: Workspace, doc: Document, doc_states: list[tuple[KeyPath, str]], name: str) -> TreeItem:
    if ws.source is doc:
        return operator_document_item(ws, doc, doc_states, name)
    data = _dict(doc.data)
    d = _Doc(doc.path, doc.display)
    if ws.config is doc:
        role = "config"
    elif ws.run_yaml is doc and ws.source is not None:
        role = companion_role(ws)
    elif ws.run_yaml is doc:
        role = "legacy run.yaml" if ws.kind != "run-yaml" else "run.yaml"
    else:
        role = "profile"
    root = d.item((), name, "document", detail=role)
    taken: set[str] = set()
    if ws.config is doc:
        _config_children(ws, d, data, root, taken)
    providers = data.get("providers")
    if ws.config is not doc and isinstance(providers, dict):
        group = d.item(("providers",), "providers", "group")
        for api, items in providers.items():
            api_item = d.item(("providers", api), str(api), "api", api=str(api))
            for i, item in enumerate(items if isinstance(items, list) else []):
                detail = item.get("provider_type", "") if isinstance(item, dict) else ""
                api_item.children.append(
                    d.item(
                        ("providers", api, i),
                        _label_for_list_item(item, i),
                        "provider",
                        api=str(api),
                        detail=str(detail),
                    )
                )
            group.children.append(api_item)
        root.children.append(group)
        taken.add("providers")
    sections = d.item((), "sections", "group", key=f"{doc.display}|#sections")
    for top in data:
        if top in taken:
            continue
        sections.children.append(d.item((top,), str(top), "section"))
    if sections.children:
        root.children.append(sections)
    _add_list_entries(root, data)
    _apply_states(root, doc_states)
    _mark_overrides(ws, root)
    return root


def _config_children(ws: Workspace, d: _Doc, data: dict[Any, Any], root: TreeItem, taken: set[str]) -> None:
    """A lightspeed-stack.yaml's own nodes: the high-level providers, the profile or baseline (and
    the profiles it can switch to), native_override, the MCP servers."""
    ls_key = ws.llama_stack_key()
    ls = _dict(data.get(ls_key))
    cfg = ls.get("config") if isinstance(ls.get("config"), dict) else None
    for list_path, label, kind, api in (
        (("inference", "providers"), "inference providers", "hl-inference", "inference"),
        (("vector_store", "providers"), "vector stores", "hl-vector", "vector_io"),
    ):
        entries = _dict(data.get(list_path[0])).get("providers")
        if not isinstance(entries, list):
            continue
        group = d.item(list_path, label, "group", api=api)
        for i, item in enumerate(entries):
            detail = item.get("type", "") if isinstance(item, dict) else ""
            group.children.append(
                d.item(list_path + (i,), _label_for_list_item(item, i), kind, api=api, detail=str(detail))
            )
        root.children.append(group)
    if cfg is not None:
        if "profile" in cfg:
            root.children.append(d.item((ls_key, "config", "profile"), f"profile: {cfg.get('profile')}", "profile"))
        else:
            root.children.append(
                d.item(
                    (ls_key, "config") + (("baseline",) if "baseline" in cfg else ()),
                    f"baseline: {cfg.get('baseline', 'default')}",
                    "profile",
                    key=tree_key(d.display, (ls_key, "config", "baseline")),
                )
            )
        if isinstance(cfg.get("native_override"), dict):
            path = (ls_key, "config", "native_override")
            over = d.item(path, "native_override", "override")
            for sub in cfg["native_override"]:
                over.children.append(d.item(path + (sub,), str(sub), "override"))
            root.children.append(over)
    elif ls.get("library_client_config_path") is not None:
        root.children.append(
            d.item(
                (ls_key, "library_client_config_path"),
                f"library_client_config_path: {ls.get('library_client_config_path')}",
                "profile",
            )
        )
    elif ws.mode == "unified":
        root.children.append(d.item((ls_key,), "baseline: default", "profile"))
    if ws.mode == "unified":
        root.children.append(_profiles_item(ws, d, ls_key))
    if isinstance(data.get("mcp_servers"), list):
        group = d.item(("mcp_servers",), "MCP servers", "group")
        for i, item in enumerate(data["mcp_servers"]):
            group.children.append(
                d.item(
                    ("mcp_servers", i),
                    _label_for_list_item(item, i),
                    "mcp",
                    detail=str(item.get("url", "")) if isinstance(item, dict) else "",
                )
            )
        root.children.append(group)
        taken.add("mcp_servers")


def _add_list_entries(root: TreeItem, data: dict[Any, Any]) -> None:
    """Every list of mappings gets a tree entry, and each of its items one (rag.byok.stores and its
    stores, a provider's config lists, registered_resources.models, ...), below the node that
    holds it; a node that gains them starts folded. Lists the tree already shows are left as
    they are. So every node of the file can be reached and edited in the form."""
    d = _Doc(root.file, root.display)
    used = {item.key for item in root.walk()}

    def entries(item: TreeItem, value: Any, depth: int) -> None:
        for rel, items in lists_of_mappings(value):
            path = item.path + rel
            if tree_key(d.display, path) in used:
                continue
            group = d.item(path, path_text(rel), "list")
            used.add(group.key)
            for i, entry in enumerate(items):
                child = d.item(path + (i,), _label_for_list_item(entry, i), "entry")
                used.add(child.key)
                if depth < MAX_LIST_DEPTH:
                    entries(child, entry, depth + 1)
                group.children.append(child)
            item.children.append(group)
        if item.children and item.kind in FOLDING_KINDS:
            item.folded = True

    for item in list(root.walk()):
        if item.kind in FOLDING_KINDS and item.path:
            if item.kind == "override" and item.children:
                continue  # native_override lists its sections; they carry the entries
            entries(item, value_at(data, item.path), 0)


def _profiles_item(ws: Workspace, d: _Doc, ls_key: str) -> TreeItem:
    """The profiles a unified config can switch to (built-in baselines, profile files next to
    it and in profiles/), the active one marked; enter on one switches (see profile_choice)."""
    path = (ls_key, "config")
    group = d.item(path, "profiles", "group", key=f"{d.display}|{PROFILES_MARK}")
    for choice in profile_choices(ws):
        detail = f"{choice.kind}, active" if choice.active else choice.kind
        label = f"* {choice.name}" if choice.active else choice.name
        group.children.append(
            d.item(
                path,
                label,
                "profile-choice",
                detail=detail,
                key=f"{d.display}|{PROFILES_MARK}/{choice.kind}/{choice.name}",
                states={"active"} if choice.active else set(),
            )
        )
    return group


def _apply_states(root: TreeItem, doc_states: list[tuple[KeyPath, str]]) -> None:
    for item in root.walk():
        if item.kind == "profile-choice" or (item.key.endswith(f"|{PROFILES_MARK}") and item.kind == "group"):
            continue  # a choice, not a place in the file: findings belong to the profile node above
        if item.kind == "group" and not item.path:
            # the "sections" group: union of its children
            continue
        n = len(item.path)
        for path, state in doc_states:
            if tuple(path[:n]) == tuple(item.path):
                item.states.add(state)
    for item in root.walk():
        if item.kind == "group" and not item.path:
            for child in item.children:
                item.states |= child.states


def native_override(ws: Workspace) -> dict[Any, Any] | None:
    """The config's ``native_override`` mapping, or None."""
    cfg_doc = ws.config
    if cfg_doc is None or not isinstance(cfg_doc.data, dict):
        return None
    ls = cfg_doc.data.get(ws.llama_stack_key())
    cfg = ls.get("config") if isinstance(ls, dict) else None
    override = cfg.get("native_override") if isinstance(cfg, dict) else None
    return override if isinstance(override, dict) else None


def _mark_overrides(ws: Workspace, root: TreeItem) -> None:
    """Nodes set by native_override, and the profile keys it overrides."""
    cfg_doc = ws.config
    override = native_override(ws)
    if cfg_doc is None or not override:
        return
    for item in root.walk():
        if item.kind == "override":
            item.states.add("override")
        elif root.display != cfg_doc.display and item.path:
            node: Any = override
            ok = True
            for part in item.path:
                if isinstance(node, dict) and part in node:
                    node = node[part]
                else:
                    ok = False
                    break
            if ok:
                item.states.add("override")


# -- operator files ---------------------------------------------------------------------------


def operator_document_item(ws: Workspace, doc: Document, doc_states: list[tuple[KeyPath, str]], name: str) -> TreeItem:
    """A CR (and the ConfigMaps/Secrets in its file), an extra-providers.yaml or a provider package."""
    d = _Doc(doc.path, doc.display)
    root = d.item((), name, "document", detail=LABELS.get(ws.kind, ws.kind))
    if getattr(doc, "stream", False) and isinstance(doc.data, list):
        for i, obj in enumerate(doc.data):
            child = d.item((i,), _object_label(obj, i), "object")
            _object_children(child, d, obj, (i,))
            root.children.append(child)
    else:
        _object_children(root, d, doc.data, ())
    _apply_states(root, doc_states)
    return root


def _object_label(obj: Any, index: int) -> str:
    if not isinstance(obj, dict):
        return f"document {index + 1}"
    meta = _dict(obj.get("metadata"))
    kind = obj.get("kind") or "document"
    return f"{kind} {meta.get('name')}" if meta.get("name") else str(kind)


def _object_children(parent: TreeItem, d: _Doc, obj: Any, prefix: KeyPath) -> None:
    if not isinstance(obj, dict):
        return
    kind = obj.get("kind")
    sections = []
    for top, value in obj.items():
        path = prefix + (top,)
        if kind == "LlamaStackDistribution" and top == "spec" and isinstance(value, dict):
            parent.children.extend(_spec_children(d, value, path))
        elif kind == "ExternalProviders" and top == "providers" and isinstance(value, dict):
            parent.children.append(_external_providers(d, value, path))
        elif kind == "ConfigMap" and top == "data" and isinstance(value, dict):
            group = d.item(path, "data", "group")
            for k in value:
                group.children.append(d.item(path + (k,), str(k), "section"))
            parent.children.append(group)
        else:
            sections.append(d.item(path, str(top), "section"))
    if sections:
        group = d.item((), "sections", "group", key=f"{d.display}|{path_text(prefix)}#sections")
        group.children = sections
        parent.children.append(group)


def _spec_children(d: _Doc, spec: dict[Any, Any], path: KeyPath) -> list[TreeItem]:
    out = []
    for k, value in spec.items():
        p = path + (k,)
        if k == "providers" and isinstance(value, dict):
            group = d.item(p, "providers", "group")
            for section, items in value.items():
                api = d.item(p + (section,), str(section), "api")
                for i, item in enumerate(items if isinstance(items, list) else []):
                    label = (
                        str(item.get("id") or item.get("provider") or f"[{i}]") if isinstance(item, dict) else f"[{i}]"
                    )
                    detail = str(item.get("provider", "")) if isinstance(item, dict) and item.get("id") else ""
                    api.children.append(d.item(p + (section, i), label, "cr-provider", detail=detail))
                group.children.append(api)
            out.append(group)
        elif k == "server" and isinstance(value, dict):  # v1alpha1: everything lives under spec.server
            group = d.item(p, "server", "group")
            for sub in value:
                group.children.append(d.item(p + (sub,), str(sub), "section"))
            out.append(group)
        else:
            out.append(d.item(p, str(k), "section"))
    return out


def _external_providers(d: _Doc, providers: dict[Any, Any], path: KeyPath) -> TreeItem:
    group = d.item(path, "providers", "group")
    for api, items in providers.items():
        api_item = d.item(path + (api,), str(api), "api", api=str(api))
        for i, item in enumerate(items if isinstance(items, list) else []):
            label = str(item.get("provider_id") or f"[{i}]") if isinstance(item, dict) else f"[{i}]"
            detail = str(item.get("provider_type", "")) if isinstance(item, dict) else ""
            api_item.children.append(d.item(path + (api, i), label, "provider", api=str(api), detail=detail))
        group.children.append(api_item)
    return group
