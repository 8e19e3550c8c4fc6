"""What the screen shows, taken from the edit session in one snapshot.

Nothing here decides a config fact: findings, secrets, the synthesized run.yaml, its diff
and its provenance all come from :class:`lsc_tui.config.session.EditSession`. This module
only arranges them for display (the tree grouping, which nodes carry which badge).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path

from lsc_tui.config import masking
from lsc_tui.config.findings import Finding, Severity, path_text
from lsc_tui.config.yaml.document import Document

STATE_ORDER = ("error", "warning", "secret", "override")
BADGES = {"error": "E", "warning": "W", "secret": "S", "override": "O"}

@dataclass
class TreeItem:
    key: str
    label: str
    kind: str  # document | group | api | provider | hl-inference | hl-vector | mcp | override | profile |
    #            profile-choice (enter switches to it) | section | object (one document of a stream)
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
        return self.kind in ("provider", "hl-inference", "hl-vector", "mcp")

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class View:
    config_display: str
    mode: str
    mode_reason: str
    counts: dict
    dirty: bool
    dirty_files: list[str]
    can_undo: bool
    can_redo: bool
    tree: list[TreeItem]
    findings: list[Finding]
    secret_findings: list[Finding]
    secret_paths: set  # (display, path) of literal secrets
    diff_text: str
    baseline: str
    baseline_label: str
    has_preview: bool  # there is a synthesized run.yaml (or the CR's generated config) to show
    documents: dict  # display -> Document
    files: dict  # display -> Path
    short: dict = field(default_factory=dict)  # display -> file name (unique among the open files)
    preview_label: str = "run.yaml"  # what the preview pane shows: run.yaml, generated config.yaml, ...
    preview_note: str = ""  # why there is no preview, when the workspace says so
    validating: bool = False  # opened without the model validation yet (it follows in a job)
    target: str = ""  # the LCORE release the preview answers for, as the header shows it
    target_default: bool = False  # nothing named the release: main, as a default
    analysis: object = field(default=None, repr=False)  # what run_lines and origins are made from
    _lines: list | None = field(default=None, repr=False)
    _origins: list | None = field(default=None, repr=False)
    _by_key: dict | None = field(default=None, repr=False)

    @property
    def run_lines(self) -> list[str]:
        """The synthesized run.yaml's lines, secrets masked: made when first read (the diff pane's
        full view), not at every keystroke."""
        if self._lines is None:
            text = self.analysis.run_yaml_text if self.has_preview and self.analysis is not None else ""
            self._lines = text.splitlines() if text else []
        return self._lines

    @property
    def origins(self) -> list:
        """Per line of ``run_lines``, the input it comes from (None where none is recorded)."""
        if self._origins is None:
            lines = self.run_lines
            origins: list = []
            synth = self.analysis.synthesis if self.analysis is not None else None
            if synth is not None and lines:
                try:
                    _text, origins = synth.text_and_line_origins()
                    origins = list(origins)
                except Exception:  # provenance is a bonus: the view works without it
                    origins = []
            self._origins = (origins + [None] * len(lines))[:len(lines)]
        return self._origins

    def short_name(self, display: str) -> str:
        return self.short.get(display, display)

    def document(self, display: str) -> Document | None:
        return self.documents.get(display)

    def find_item(self, display: str, path: tuple) -> TreeItem | None:
        """The deepest tree item for ``path`` in ``display`` (or for one of its parents)."""
        best, best_len = None, -1
        for root in self.tree:
            for item in root.walk():
                if item.display != display or item.kind in ("group",):
                    continue
                n = len(item.path)
                if n > best_len and tuple(path[:n]) == tuple(item.path):
                    best, best_len = item, n
        return best

    def item_by_key(self, key: str) -> TreeItem | None:
        if self._by_key is None:
            index: dict = {}
            for root in self.tree:
                for item in root.walk():
                    index.setdefault(item.key, item)
            self._by_key = index
        return self._by_key.get(key)


def finding_path(finding: Finding, documents: dict) -> tuple:
    if finding.path:
        return tuple(finding.path)
    doc = documents.get(finding.file)
    if doc is not None and finding.line:
        try:
            return doc.path_at_line(finding.line)
        except Exception:  # a finding outside the text: the document itself
            return ()
    return ()


def build_view(session) -> View:
    from lsc_tui.config import preview

    ws = session.workspace
    analysis = session.analysis
    documents = {doc.display: doc for doc in ws.documents}
    files = {doc.display: doc.path for doc in ws.documents}
    secret_findings = preview.secret_as_findings(analysis.secret_findings)
    secret_set = set(secret_findings)
    findings = list(analysis.findings)
    secret_paths = {(f.file, finding_path(f, documents)) for f in secret_findings}
    synth = analysis.synthesis
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
    for f in secret_findings:
        if f not in set(findings):
            states.setdefault(f.file, []).append((finding_path(f, documents), "secret"))
    names = [Path(d).name for d in documents]
    short = {d: (Path(d).name if names.count(Path(d).name) == 1 else d) for d in documents}
    built = _BUILT.get(session, {})
    trees = {doc.display: _tree_for(ws, doc, states.get(doc.display, []), short.get(doc.display, doc.display),
                                    built.get(doc.display))
             for doc in ws.documents}
    _BUILT[session] = trees
    tree = [trees[doc.display].item for doc in ws.documents]
    counts = analysis.counts()
    from lsc_tui.tui import k8s_view

    preview_label, preview_note = k8s_view.preview_words(ws, synth)
    return View(
        config_display=ws.documents[0].display if ws.documents else str(ws.root_path),
        mode=ws.mode or k8s_view.KIND_LABELS.get(ws.kind, ws.kind),
        mode_reason=ws.mode_reason,
        counts=counts,
        dirty=session.dirty,
        dirty_files=[_display_of(p, files) for p in session.dirty_files],
        can_undo=session.can_undo,
        can_redo=session.can_redo,
        tree=tree,
        findings=findings,
        secret_findings=secret_findings,
        secret_paths=secret_paths,
        diff_text=analysis.diff_text,
        baseline=getattr(session, "diff_baseline", "disk"),
        baseline_label=analysis.baseline_label,
        has_preview=analysis.has_run_yaml,
        documents=documents,
        files=files,
        short=short,
        preview_label=preview_label,
        preview_note=preview_note,
        validating=getattr(session, "validating", False),
        # a lightspeed-stack.yaml is read by LCORE: which release answers matters (an operator
        # file or a run.yaml alone is not read by LCORE)
        target=target_words(session.target) if ws.kind == "lightspeed-stack" else "",
        target_default=session.target.is_default,
        analysis=analysis,
    )


def target_words(target) -> str:
    """``LCORE 0.6.x``, ``LCORE 0.7.0rc1``, ``LCORE main (default)``: the header's few words for
    the release (``Target.describe()`` says the rest: which commit, what chose it)."""
    release = target.release
    words = "LCORE newer" if release.key == "newer" else release.label.split(" (", 1)[0]
    return f"{words} (default)" if target.is_default else words


def _display_of(path: Path, files: dict) -> str:
    for display, p in files.items():
        if p == path:
            return display
    return str(path)


# -- the tree ---------------------------------------------------------------------------------


# What a tree label or detail shows of the config's scalars: a list entry's name, type or URL (an
# MCP server's), and the profile line. An edit of any other scalar leaves a document's tree as it
# was (``_tree_for``); tests/tui/test_view_reuse.py compares the kept trees with fresh ones.
LABEL_KEYS = ("provider_id", "id", "name", "rag_id", "model_id", "type")
ENTRY_KEYS = frozenset(LABEL_KEYS + ("provider_type", "url"))  # read from the mappings in lists
PROFILE_KEYS = frozenset(("profile", "baseline", "library_client_config_path"))


@dataclass
class _Built:
    """A document's tree as built for a view, with what it was built from."""

    facts: tuple
    override: object
    states: list
    doc: Document
    item: TreeItem


# the trees of the last view of each session: the next view keeps those whose inputs did not change
_BUILT: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _tree_for(ws, doc: Document, doc_states: list, name: str, prev: _Built | None) -> _Built:
    """The document's tree: the previous view's when nothing it shows changed (a keystroke in a
    field that is no label), built anew otherwise."""
    companion = ws.run_yaml is doc and ws.source is not None
    if companion:
        from lsc_tui.tui import k8s_view

        companion = k8s_view.companion_role(ws)
    profiles = ()
    if ws.config is doc and ws.mode == "unified":
        from lsc_tui.config.workspace import profile_choices

        profiles = tuple(profile_choices(ws))
    facts = (doc.display, name, ws.config is doc, ws.run_yaml is doc, companion, ws.kind, ws.mode,
             ws.llama_stack_key(), profiles)
    override = _native_override(ws)
    if (prev is not None and ws.source is not doc and prev.facts == facts
            and (prev.override is override or prev.override == override)
            and prev.states == doc_states and _same_tree_data(prev.doc, doc)):
        return _Built(facts, override, doc_states, doc, prev.item)
    return _Built(facts, override, doc_states, doc, _document_item(ws, doc, doc_states, name))


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


def _label_for_list_item(item, index: int, keys=LABEL_KEYS) -> str:
    if isinstance(item, dict):
        for key in keys:
            if isinstance(item.get(key), (str, int)):
                return str(item[key])
    return f"[{index}]"


def _document_item(ws, doc: Document, doc_states: list, name: str) -> TreeItem:
    data = doc.data if isinstance(doc.data, dict) else {}
    base = {"file": doc.path, "display": doc.display}
    key = lambda path: f"{doc.display}|{path_text(path)}"  # noqa: E731
    if ws.source is doc:
        from lsc_tui.tui import k8s_view

        return k8s_view.operator_document_item(ws, doc, doc_states, name)
    if ws.config is doc:
        label, role = name, "config"
    elif ws.run_yaml is doc and ws.source is not None:
        from lsc_tui.tui import k8s_view

        label, role = name, k8s_view.companion_role(ws)
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


MAX_LIST_DEPTH = 8  # lists of mappings nested deeper than this are edited as raw YAML of a parent


def lists_of_mappings(value, prefix: tuple = (), depth: int = 0):
    """(relative path, list) of every list of mappings inside a node, not inside another such
    list (each entry of a list holds its own): what the form cannot show as fields."""
    if not isinstance(value, dict) or depth > MAX_LIST_DEPTH:
        return
    for k, v in value.items():
        if isinstance(v, list) and any(isinstance(x, dict) for x in v):
            yield prefix + (k,), v
        elif isinstance(v, dict):
            yield from lists_of_mappings(v, prefix + (k,), depth + 1)


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
        if item.children and item.kind in ("section", "provider", "hl-inference", "hl-vector", "mcp", "override"):
            item.folded = True

    for item in list(root.walk()):
        if item.kind in ("section", "provider", "hl-inference", "hl-vector", "mcp", "override") and item.path:
            if item.kind == "override" and item.children:
                continue  # native_override lists its sections; they carry the entries
            entries(item, value_at(data, item.path), 0)


def _profiles_item(ws, ls_key: str, base: dict, key) -> TreeItem:
    """The profiles a unified config can switch to (built-in baselines, profile files next to
    it and in profiles/), the active one marked; enter on one switches (see ConfigTree)."""
    from lsc_tui.config.workspace import profile_choices

    path = (ls_key, "config")
    group = TreeItem(key(("#profiles",)), "profiles", "group", path=path, **base)
    group.key = f"{base['display']}|#profiles"
    for choice in profile_choices(ws):
        detail = f"{choice.kind}, active" if choice.active else choice.kind
        label = f"* {choice.name}" if choice.active else choice.name
        group.children.append(TreeItem(f"{base['display']}|#profiles/{choice.kind}/{choice.name}", label,
                                       "profile-choice", path=path, detail=detail,
                                       states={"active"} if choice.active else set(), **base))
    return group


def _apply_states(root: TreeItem, doc_states: list) -> None:
    for item in root.walk():
        if item.kind == "profile-choice" or (item.key.endswith("|#profiles") and item.kind == "group"):
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


def _native_override(ws):
    """The config's ``native_override`` mapping, or None."""
    cfg_doc = ws.config
    if cfg_doc is None or not isinstance(cfg_doc.data, dict):
        return None
    ls = cfg_doc.data.get(ws.llama_stack_key())
    cfg = ls.get("config") if isinstance(ls, dict) else None
    override = cfg.get("native_override") if isinstance(cfg, dict) else None
    return override if isinstance(override, dict) else None


def _mark_overrides(ws, root: TreeItem) -> None:
    """Nodes set by native_override, and the profile keys it overrides."""
    cfg_doc = ws.config
    override = _native_override(ws)
    if not override:
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


# -- values for the form --------------------------------------------------------------------------


def value_at(data, path: tuple):
    cur = data
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def flatten(value, prefix: tuple = (), depth: int = 0, limit: int = 60) -> list[tuple[tuple, object]]:
    """Leaf fields of a node: scalars and lists of scalars, with their relative paths."""
    out: list[tuple[tuple, object]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if len(out) >= limit:
                break
            if isinstance(v, dict) and v and depth < 4:
                out.extend(flatten(v, prefix + (k,), depth + 1, limit - len(out)))
            elif isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
                continue  # lists of mappings: edit as YAML
            else:
                out.append((prefix + (k,), v))
    elif not isinstance(value, list):
        out.append((prefix, value))
    elif not any(isinstance(x, (dict, list)) for x in value):
        out.append((prefix, value))
    return out


def is_secret_field(display: str, path: tuple, value, secret_paths: set) -> bool:
    if isinstance(value, list):  # a list of scalars is one field: secret when any item is
        return any(is_secret_field(display, tuple(path) + (i,), v, secret_paths) for i, v in enumerate(value))
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or value == "":
        return False
    text = str(value)
    if isinstance(value, str) and masking.mask_string(text) == text:
        return False  # a pure env reference: nothing to hide
    if (display, tuple(path)) in secret_paths:
        return True
    if any(masking.is_secret_key(p) for p in path if isinstance(p, str)):
        return True
    # what the scanner flags under the field's key (the scan of the file may be a step behind)
    key = next((p for p in reversed(path) if isinstance(p, str)), None)
    return isinstance(value, str) and masking.mask_scalar(value, key) != value


def node_yaml(doc: Document, path: tuple) -> str:
    """The node's own YAML text, dedented, from the document's text (see yaml.edit.node_text)."""
    from lsc_tui.config.yaml.edit import node_text

    return node_text(doc, path)


def masked_node_yaml(doc: Document, path: tuple, secret_paths: set) -> tuple[str, bool]:
    """The node's YAML with secret literals replaced by the mask; (text, anything_masked)."""
    from lsc_tui.config.yaml.edit import apply_span_edits

    node = doc.node_at(path) if path else doc.root
    if node is None:
        return "", False
    edits = []
    hidden: set[str] = set()
    for sub_path, sub in doc.iter_scalars():
        if tuple(sub_path[:len(path)]) != tuple(path) or sub.value in (None, ""):
            continue
        masked = masking.mask_string(sub.value)
        if masked == sub.value:
            continue
        key = next((p for p in reversed(sub_path) if isinstance(p, str)), None)
        if (doc.display, tuple(sub_path)) in secret_paths or any(masking.is_secret_key(p) for p in sub_path
                                                                  if isinstance(p, str)) \
                or masking.mask_scalar(sub.value, key) != sub.value:
            raw = doc.text[sub.start:sub.end]
            # a block scalar's span ends after its last line break: the next key keeps its line
            tail = raw[len(raw.rstrip("\r\n")):] if sub.style in ("|", ">") else ""
            edits.append((sub.start, sub.end, repr_masked(masked) + tail))
            hidden.add(sub.value)
    if not edits:
        return node_yaml(doc, path), False
    from lsc_tui.config.yaml.document import parse_text
    from lsc_tui.config.yaml.lint import YamlLoadError

    try:
        masked_doc = parse_text(apply_span_edits(doc.text, edits), doc.display, doc.path)
    except YamlLoadError:  # the edits did not give valid YAML: mask the node's own text instead
        return masking.mask_yaml_text(node_yaml(doc, path), hidden), True
    return node_yaml(masked_doc, path), True


def repr_masked(masked: str) -> str:
    return "'" + masked.replace("'", "''") + "'"


def severity_icon(sev: Severity) -> str:
    return {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "i"}[sev]
