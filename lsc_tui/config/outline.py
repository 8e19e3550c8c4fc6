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

from dataclasses import dataclass, field
from pathlib import Path

from lsc_tui.config import masking
from lsc_tui.config.fields import MAX_LIST_DEPTH, lists_of_mappings, value_at
from lsc_tui.config.findings import Finding, Severity, finding_path, path_text
from lsc_tui.config.operator.kinds import KIND_LLSD, LABELS
from lsc_tui.config.workspace import profile_choices
from lsc_tui.config.yamlio import Document

# kinds of node that stand for one provider (or MCP server): a rename changes their id
PROVIDER_KINDS = ("provider", "hl-inference", "hl-vector", "mcp")
# kinds a list entry's own node may have (the ones that can fold over the lists inside them)
FOLDING_KINDS = ("section", "provider", "hl-inference", "hl-vector", "mcp", "override")
PROFILES_MARK = "#profiles"


@dataclass
class TreeItem:
    key: str
    label: str
    kind: str  # document | group | api | provider | hl-inference | hl-vector | mcp | override | profile |
    #            profile-choice (enter switches to it) | section | object (one document of a stream) |
    #            list | entry | cr-provider
    file: Path | None = None
    display: str = ""
    path: tuple = ()
    api: str | None = None
    detail: str = ""
    children: list["TreeItem"] = field(default_factory=list)
    states: set = field(default_factory=set)
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

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def tree_key(display: str, path: tuple) -> str:
    """The key of the node at ``path`` of the document ``display``."""
    return f"{display}|{path_text(path)}"


def profile_choice(item: TreeItem | None) -> tuple[str, str] | None:
    """``(kind, name)`` of an entry of the "profiles" group (one the config can switch to), else None."""
    if item is None or item.kind != "profile-choice" or f"|{PROFILES_MARK}/" not in item.key:
        return None
    kind, _, name = item.key.split(f"|{PROFILES_MARK}/", 1)[1].partition("/")
    return kind, name


def node_states(findings: list[Finding], secret_findings: list[Finding], documents: dict) -> dict:
    """display -> [(path, state)]: the state each finding gives the nodes on its path (a secret
    finding gives "secret", whatever its severity; an info finding none)."""
    secret_set = set(secret_findings)
    states: dict = {}
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


def short_names(displays) -> dict:
    """display -> the file's name, or the whole display where two open files share a name."""
    names = [Path(d).name for d in displays]
    return {d: (Path(d).name if names.count(Path(d).name) == 1 else d) for d in displays}


def outline(ws, states: dict, short: dict) -> list[TreeItem]:
    """One root per open document of the workspace. ``states``: from :func:`node_states`;
    ``short``: from :func:`short_names`."""
    return [document_item(ws, doc, states.get(doc.display, []), short.get(doc.display, doc.display))
            for doc in ws.documents]


def companion_role(ws) -> str:
    """What the run.yaml (or config) beside an operator file is to it."""
    return "base config" if ws.kind == KIND_LLSD else "base run.yaml"


def _label_for_list_item(item, index: int, keys=("provider_id", "id", "name", "rag_id", "model_id", "type")) -> str:
    if isinstance(item, dict):
        for key in keys:
            if isinstance(item.get(key), (str, int)):
                return str(item[key])
    return f"[{index}]"


def document_item(ws, doc: Document, doc_states: list, name: str) -> TreeItem:
    if ws.source is doc:
        return operator_document_item(ws, doc, doc_states, name)
    data = doc.data if isinstance(doc.data, dict) else {}
    base = {"file": doc.path, "display": doc.display}

    def key(path: tuple) -> str:
        return tree_key(doc.display, path)

    if ws.config is doc:
        label, role = name, "config"
    elif ws.run_yaml is doc and ws.source is not None:
        label, role = name, companion_role(ws)
    elif ws.run_yaml is doc:
        label, role = name, "legacy run.yaml" if ws.kind != "run-yaml" else "run.yaml"
    else:
        label, role = name, "profile"
    root = TreeItem(key(()), label, "document", path=(), detail=role, **base)
    taken: set = set()
    if ws.config is doc:
        ls_key = ws.llama_stack_key()
        ls = data.get(ls_key) if isinstance(data.get(ls_key), dict) else {}
        cfg = ls.get("config") if isinstance(ls.get("config"), dict) else None
        inference = data.get("inference") if isinstance(data.get("inference"), dict) else {}
        if isinstance(inference.get("providers"), list):
            group = TreeItem(key(("inference", "providers")), "inference providers", "group",
                             path=("inference", "providers"), api="inference", **base)
            for i, item in enumerate(inference["providers"]):
                detail = item.get("type", "") if isinstance(item, dict) else ""
                group.children.append(TreeItem(key(("inference", "providers", i)), _label_for_list_item(item, i),
                                               "hl-inference", path=("inference", "providers", i),
                                               api="inference", detail=str(detail), **base))
            root.children.append(group)
        vs = data.get("vector_store") if isinstance(data.get("vector_store"), dict) else {}
        if isinstance(vs.get("providers"), list):
            group = TreeItem(key(("vector_store", "providers")), "vector stores", "group",
                             path=("vector_store", "providers"), api="vector_io", **base)
            for i, item in enumerate(vs["providers"]):
                detail = item.get("type", "") if isinstance(item, dict) else ""
                group.children.append(TreeItem(key(("vector_store", "providers", i)), _label_for_list_item(item, i),
                                               "hl-vector", path=("vector_store", "providers", i),
                                               api="vector_io", detail=str(detail), **base))
            root.children.append(group)
        if cfg is not None:
            if "profile" in cfg:
                root.children.append(TreeItem(key((ls_key, "config", "profile")), f"profile: {cfg.get('profile')}",
                                              "profile", path=(ls_key, "config", "profile"), **base))
            else:
                root.children.append(TreeItem(key((ls_key, "config", "baseline")),
                                              f"baseline: {cfg.get('baseline', 'default')}",
                                              "profile", path=(ls_key, "config") + (("baseline",) if "baseline" in cfg else ()),
                                              **base))
            if isinstance(cfg.get("native_override"), dict):
                path = (ls_key, "config", "native_override")
                over = TreeItem(key(path), "native_override", "override", path=path, **base)
                for sub in cfg["native_override"]:
                    over.children.append(TreeItem(key(path + (sub,)), str(sub), "override", path=path + (sub,), **base))
                root.children.append(over)
        elif ls.get("library_client_config_path") is not None:
            root.children.append(TreeItem(key((ls_key, "library_client_config_path")),
                                          f"library_client_config_path: {ls.get('library_client_config_path')}", "profile",
                                          path=(ls_key, "library_client_config_path"), **base))
        elif ws.mode == "unified":
            root.children.append(TreeItem(key((ls_key,)), "baseline: default", "profile", path=(ls_key,), **base))
        if ws.mode == "unified":
            root.children.append(_profiles_item(ws, ls_key, base, key))
        if isinstance(data.get("mcp_servers"), list):
            group = TreeItem(key(("mcp_servers",)), "MCP servers", "group", path=("mcp_servers",), **base)
            for i, item in enumerate(data["mcp_servers"]):
                group.children.append(TreeItem(key(("mcp_servers", i)), _label_for_list_item(item, i), "mcp",
                                               path=("mcp_servers", i),
                                               detail=str(item.get("url", "")) if isinstance(item, dict) else "",
                                               **base))
            root.children.append(group)
            taken.add("mcp_servers")
    providers = data.get("providers")
    if ws.config is not doc and isinstance(providers, dict):
        group = TreeItem(key(("providers",)), "providers", "group", path=("providers",), **base)
        for api, items in providers.items():
            api_item = TreeItem(key(("providers", api)), str(api), "api", path=("providers", api), api=str(api), **base)
            for i, item in enumerate(items if isinstance(items, list) else []):
                detail = item.get("provider_type", "") if isinstance(item, dict) else ""
                api_item.children.append(TreeItem(key(("providers", api, i)), _label_for_list_item(item, i),
                                                  "provider", path=("providers", api, i), api=str(api),
                                                  detail=str(detail), **base))
            group.children.append(api_item)
        root.children.append(group)
        taken.add("providers")
    sections = TreeItem(key(("#sections",)), "sections", "group", path=(), **base)
    for top in data:
        if top in taken:
            continue
        sections.children.append(TreeItem(key((top,)), str(top), "section", path=(top,), **base))
    if sections.children:
        sections.key = f"{doc.display}|#sections"
        root.children.append(sections)
    _add_list_entries(root, data, key, base)
    _apply_states(root, doc_states)
    _mark_overrides(ws, root)
    return root


def _add_list_entries(root: TreeItem, data, key, base: dict) -> None:
    """Every list of mappings gets a tree entry, and each of its items one (rag.byok.stores and its
    stores, a provider's config lists, registered_resources.models, ...), below the node that
    holds it; a node that gains them starts folded. Lists the tree already shows are left as
    they are. So every node of the file can be reached and edited in the form."""
    used = {item.key for item in root.walk()}

    def entries(item: TreeItem, value, depth: int) -> None:
        for rel, items in lists_of_mappings(value):
            path = item.path + rel
            if key(path) in used:
                continue
            group = TreeItem(key(path), path_text(rel), "list", path=path, **base)
            used.add(group.key)
            for i, entry in enumerate(items):
                child = TreeItem(key(path + (i,)), _label_for_list_item(entry, i), "entry", path=path + (i,),
                                 **base)
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


def _profiles_item(ws, ls_key: str, base: dict, key) -> TreeItem:
    """The profiles a unified config can switch to (built-in baselines, profile files next to
    it and in profiles/), the active one marked; enter on one switches (see profile_choice)."""
    path = (ls_key, "config")
    group = TreeItem(key((PROFILES_MARK,)), "profiles", "group", path=path, **base)
    group.key = f"{base['display']}|{PROFILES_MARK}"
    for choice in profile_choices(ws):
        detail = f"{choice.kind}, active" if choice.active else choice.kind
        label = f"* {choice.name}" if choice.active else choice.name
        group.children.append(TreeItem(f"{base['display']}|{PROFILES_MARK}/{choice.kind}/{choice.name}", label,
                                       "profile-choice", path=path, detail=detail,
                                       states={"active"} if choice.active else set(), **base))
    return group


def _apply_states(root: TreeItem, doc_states: list) -> None:
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


def _mark_overrides(ws, root: TreeItem) -> None:
    """Nodes set by native_override, and the profile keys it overrides."""
    cfg_doc = ws.config
    if cfg_doc is None or not isinstance(cfg_doc.data, dict):
        return
    ls = cfg_doc.data.get(ws.llama_stack_key())
    cfg = ls.get("config") if isinstance(ls, dict) else None
    override = cfg.get("native_override") if isinstance(cfg, dict) else None
    if not isinstance(override, dict) or not override:
        return
    for item in root.walk():
        if item.kind == "override":
            item.states.add("override")
        elif root.display != cfg_doc.display and item.path:
            node = override
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


def operator_document_item(ws, doc, doc_states: list, name: str) -> TreeItem:
    """A CR (and the ConfigMaps/Secrets in its file), an extra-providers.yaml or a provider package."""
    base = {"file": doc.path, "display": doc.display}
    root = TreeItem(tree_key(doc.display, ()), name, "document", path=(), detail=LABELS.get(ws.kind, ws.kind), **base)
    if getattr(doc, "stream", False) and isinstance(doc.data, list):
        for i, obj in enumerate(doc.data):
            child = TreeItem(tree_key(doc.display, (i,)), _object_label(obj, i), "object", path=(i,), **base)
            _object_children(child, doc, obj, (i,), base)
            root.children.append(child)
    else:
        _object_children(root, doc, doc.data, (), base)
    _apply_states(root, doc_states)
    return root


def _object_label(obj, index: int) -> str:
    if not isinstance(obj, dict):
        return f"document {index + 1}"
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    kind = obj.get("kind") or "document"
    return f"{kind} {meta.get('name')}" if meta.get("name") else str(kind)


def _object_children(parent: TreeItem, doc, obj, prefix: tuple, base: dict) -> None:
    if not isinstance(obj, dict):
        return
    kind = obj.get("kind")
    sections = []
    for top, value in obj.items():
        path = prefix + (top,)
        if kind == "LlamaStackDistribution" and top == "spec" and isinstance(value, dict):
            parent.children.extend(_spec_children(doc, value, path, base))
        elif kind == "ExternalProviders" and top == "providers" and isinstance(value, dict):
            parent.children.append(_external_providers(doc, value, path, base))
        elif kind == "ConfigMap" and top == "data" and isinstance(value, dict):
            group = TreeItem(tree_key(doc.display, path), "data", "group", path=path, **base)
            for k in value:
                group.children.append(TreeItem(tree_key(doc.display, path + (k,)), str(k), "section",
                                               path=path + (k,), **base))
            parent.children.append(group)
        else:
            sections.append(TreeItem(tree_key(doc.display, path), str(top), "section", path=path, **base))
    if sections:
        group = TreeItem(f"{doc.display}|{path_text(prefix)}#sections", "sections", "group", path=(), **base)
        group.children = sections
        parent.children.append(group)


def _spec_children(doc, spec: dict, path: tuple, base: dict) -> list[TreeItem]:
    def key(p: tuple) -> str:
        return tree_key(doc.display, p)

    out = []
    for k, value in spec.items():
        p = path + (k,)
        if k == "providers" and isinstance(value, dict):
            group = TreeItem(key(p), "providers", "group", path=p, **base)
            for section, items in value.items():
                api = TreeItem(key(p + (section,)), str(section), "api", path=p + (section,), **base)
                for i, item in enumerate(items if isinstance(items, list) else []):
                    label = str(item.get("id") or item.get("provider") or f"[{i}]") if isinstance(item, dict) \
                        else f"[{i}]"
                    detail = str(item.get("provider", "")) if isinstance(item, dict) and item.get("id") else ""
                    api.children.append(TreeItem(key(p + (section, i)), label, "cr-provider",
                                                 path=p + (section, i), detail=detail, **base))
                group.children.append(api)
            out.append(group)
        elif k == "server" and isinstance(value, dict):  # v1alpha1: everything lives under spec.server
            group = TreeItem(key(p), "server", "group", path=p, **base)
            for sub in value:
                group.children.append(TreeItem(key(p + (sub,)), str(sub), "section", path=p + (sub,), **base))
            out.append(group)
        else:
            out.append(TreeItem(key(p), str(k), "section", path=p, **base))
    return out


def _external_providers(doc, providers: dict, path: tuple, base: dict) -> TreeItem:
    def key(p: tuple) -> str:
        return tree_key(doc.display, p)

    group = TreeItem(key(path), "providers", "group", path=path, **base)
    for api, items in providers.items():
        api_item = TreeItem(key(path + (api,)), str(api), "api", path=path + (api,), api=str(api), **base)
        for i, item in enumerate(items if isinstance(items, list) else []):
            label = str(item.get("provider_id") or f"[{i}]") if isinstance(item, dict) else f"[{i}]"
            detail = str(item.get("provider_type", "")) if isinstance(item, dict) else ""
            api_item.children.append(TreeItem(key(path + (api, i)), label, "provider", path=path + (api, i),
                                              api=str(api), detail=detail, **base))
        group.children.append(api_item)
    return group
