"""The pipeline steps LCORE applies to a run.yaml, written over a copy-on-write builder.

Each step reads the lightspeed-stack inputs and changes the run.yaml tree the way LCORE's
own step does (same order of checks, same ids, same defaults), but it copies only the
containers it changes and records the origin of what it adds. Where LCORE itself would
stop with an exception, the step records an error finding and skips the offending entry so
the preview still shows the rest.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional, TypeVar
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urljoin

from lsc_tui.config import provider_types as PT
from lsc_tui.config.envref import EnvVarMissing, find_refs, resolve_string
from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.memo import IdentityMemo
from lsc_tui.config.releases import rules_for
from lsc_tui.config.releases.rules import ReleaseRules
from lsc_tui.config.synthesis.provenance import KeyPath, Origin, Provenance
from lsc_tui.config.yaml.document import known_alias_free

Locate = Callable[[str, KeyPath], tuple[int, int]]
"""``locate(file, path) -> (line, column)`` of a path in an input file (raises if it cannot)."""

# --- LCORE's constants (facts about its behaviour, restated) --------------------------
OPENAI_CONDITIONAL_ID = "${env.OPENAI_API_KEY:+openai}"
MCP_ID = "model-context-protocol"
MCP_TYPE = "remote::model-context-protocol"
PG_DEFAULTS = {
    "host": "${env.POSTGRES_HOST}",
    "port": "${env.POSTGRES_PORT}",
    "db": "${env.POSTGRES_DATABASE}",
    "user": "${env.POSTGRES_USER}",
    "password": "${env.POSTGRES_PASSWORD}",
}
DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-mpnet-base-v2"
DEFAULT_EMBEDDING_DIMENSION = 768
OKP_ID = "okp"
OKP_DEFAULT_URL = "http://localhost:8081"
SOLR_PROVIDER_ID = "okp_solr"
SOLR_STORE_ID = "portal-rag"
SOLR_EMBEDDING_MODEL = "sentence-transformers/ibm-granite/granite-embedding-30m-english"
SOLR_EMBEDDING_DIMENSION = 384
SOLR_EMBEDDING_MODEL_ID = "sentence-transformers/solr_embedding"
SOLR_CHUNK_FILTER = "is_chunk:true"
SOLR_MODE_MAP = {"lexical": "keyword"}

ENRICHING_STEPS = frozenset({"azure", "byok", "okp", "vector_store", "inference.providers", "mcp"})


T = TypeVar("T")


class StepError(Exception):
    """LCORE itself would fail here; carries a message without values."""


@dataclass
class Context:
    """What the steps need besides the tree: input file names, env, findings."""

    config_file: str
    root_key: str = "llama_stack"  # "ogx" when the config uses the new spelling
    env: Optional[Mapping[str, str]] = None
    locate: Optional[Locate] = None
    findings: list[Finding] = field(default_factory=list)
    touched: list[tuple[KeyPath, str]] = field(default_factory=list)  # (output path, step)
    azure_entra_id: bool = False
    env_source: Optional[str] = None  # where env comes from; None: lsc-tui's own environment
    rules: Optional[ReleaseRules] = None  # the target release's; None: main, forward-compatible

    @property
    def release_rules(self) -> ReleaseRules:
        if self.rules is None:
            self.rules = rules_for(None)
        return self.rules

    def env_unset(self, name: str, where: str, path: KeyPath, file: Optional[str] = None) -> None:
        """``${env.NAME}`` (no default) that LCORE resolves at ``path`` is unset: LCORE fails
        there. An error in the server's environment, a warning in lsc-tui's own."""
        if self.env_source is not None:
            self.find(
                Severity.ERROR,
                "synthesis-lcore-fails",
                f"LCORE's synthesizer stops here: it resolves ${{env.{name}}} in {where} and "
                f"{name} is not set in {self.env_source}",
                f"set {name} in the server's environment, or give the reference a := default",
                path,
                file=file,
            )
        else:
            self.find(
                Severity.WARNING,
                "synthesis-env-unset",
                f"LCORE resolves ${{env.{name}}} in {where} when it synthesizes, and fails at "
                f"start-up when {name} is unset there (it is unset in lsc-tui's environment)",
                f"make sure {name} is set where LCORE runs (check with --env-file FILE), or give "
                "the reference a := default",
                path,
                file=file,
            )

    def origin(self, step: str, source_path: KeyPath, exact: bool = False) -> Origin:
        return Origin(step, self.config_file, tuple(source_path), exact)

    def find(
        self, severity: Severity, code: str, message: str, fix: str, path: KeyPath, file: Optional[str] = None
    ) -> None:
        file = file or self.config_file
        line, column = 0, 0
        if self.locate is not None:
            try:
                line, column = self.locate(file, tuple(path))
            except Exception:  # a locator that cannot place the path: whole file
                line, column = 0, 0
        self.findings.append(Finding(file, line, column, severity, code, message, fix, tuple(path)))

    def lcore_fails(self, message: str, fix: str, path: KeyPath) -> None:
        self.find(Severity.ERROR, "synthesis-lcore-fails", f"LCORE's synthesizer stops here: {message}", fix, path)


def iter_containers(root: Any) -> Iterator[Any]:
    """Every dict and list in a tree, each once (shared nodes are not repeated)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(node.values() if isinstance(node, dict) else node)


_ALIAS_CACHE: IdentityMemo[bool] = IdentityMemo(maxsize=16)


def has_aliases(root: Any) -> bool:
    """True when a container is reachable twice (YAML anchors and aliases). Cached per object."""
    hit = _ALIAS_CACHE.get(root)
    if hit is not None:
        return hit
    if known_alias_free(root):  # a document's data, read from a text without aliases
        return False
    seen: set[int] = set()
    add = seen.add
    stack = [root]
    pop, push = stack.pop, stack.append
    found = False
    while stack:
        node = pop()
        key = id(node)
        if key in seen:
            found = True
            break
        add(key)
        for value in node.values() if node.__class__ is dict else node:
            cls = value.__class__
            if cls is dict or cls is list:
                push(value)
    return _ALIAS_CACHE.put(root, found)


class Builder:
    """A copy-on-write view of the run.yaml tree being built."""

    def __init__(self, root: Any, root_origin: Origin, prov: Optional[Provenance] = None) -> None:
        self.prov = prov or Provenance()
        self._owned: set[int] = set()
        self._alive: list[Any] = []
        self.root: dict[Any, Any]
        if not isinstance(root, dict):
            root = {}
        self.aliased = has_aliases(root)
        if self.aliased:
            # YAML anchors/aliases: LCORE deep-copies (keeping the sharing) and changes nodes
            # in place, so a change shows at every alias. Do the same: own a full copy.
            self.root = copy.deepcopy(root)
            for obj in iter_containers(self.root):
                self._owned.add(id(obj))
            self._alive.append(self.root)
        else:
            self.root = self.copy_container(root)
        self.prov.mark(self.root, root_origin)

    def copy_container(self, obj: Any) -> Any:
        new = dict(obj) if isinstance(obj, dict) else list(obj)
        self._owned.add(id(new))
        self._alive.append(new)
        self.prov.inherit(obj, new)
        return new

    def adopt(self, obj: T) -> T:
        """Declare a freshly built container as owned (mutable by later steps)."""
        if isinstance(obj, (dict, list)):
            self._owned.add(id(obj))
            self._alive.append(obj)
        return obj

    def own(self, parent: Any, key: Any) -> Any:
        child = parent[key]
        if not isinstance(child, (dict, list)):
            raise TypeError("not a container")
        if id(child) in self._owned:
            return child
        new = self.copy_container(child)
        parent[key] = new
        return new

    def refresh(self, parent: Any, key: Any) -> Any:
        """A container LCORE rebuilds as a new object (``.copy()``, a new list).

        Only observable when YAML aliases share it with another place: then the other
        place keeps the old content, as in LCORE.
        """
        if self.aliased and isinstance(parent.get(key), (dict, list)):
            new = self.copy_container(parent[key])
            parent[key] = new
            return new
        return self.own(parent, key)

    def replace_root(self, new_root: dict[Any, Any], root_origin: Origin) -> None:
        self.root = new_root
        if id(new_root) not in self.prov.node:
            self.prov.mark(new_root, root_origin)

    def put(self, parent: Any, key: Any, value: Any, origin: Origin) -> None:
        parent[key] = value
        self.prov.mark_key(parent, key, origin)
        if isinstance(value, (dict, list)):
            self.prov.mark(value, origin)

    def append(self, lst: list[Any], value: Any, origin: Origin) -> None:
        lst.append(value)
        self.prov.mark_key(lst, len(lst) - 1, origin)
        if isinstance(value, (dict, list)):
            self.prov.mark(value, origin)

    def ensure_map(self, parent: Any, key: Any, origin: Origin) -> Any:
        """LCORE's ``setdefault(key, {})``: the owned map at ``parent[key]``."""
        if key not in parent:
            self.put(parent, key, self.adopt({}), origin)
            return parent[key]
        if not isinstance(parent[key], dict):
            raise StepError(f"'{key}' is not a mapping")
        return self.own(parent, key)

    def ensure_list(self, parent: Any, key: Any, origin: Origin) -> Any:
        if key not in parent:
            self.put(parent, key, self.adopt([]), origin)
            return parent[key]
        if not isinstance(parent[key], list):
            raise StepError(f"'{key}' is not a list")
        return self.own(parent, key)


def _get(mapping: Any, key: Any, default: Any) -> Any:
    """``mapping.get(key, default)`` as LCORE calls it (raises on a non-mapping)."""
    if not isinstance(mapping, dict):
        raise StepError("expected a mapping")
    return mapping.get(key, default)


def lcore_resolve(value: str, env: Optional[Mapping[str, str]]) -> tuple[str, bool]:
    """Resolve refs as LCORE does where it resolves; ``env=None`` means "unknown".

    Returns the value and whether it is exact. With an unknown environment, refs with a
    ``:=`` default take the default and a bare ``${env.X}`` stays as written.
    """
    if not isinstance(value, str) or "${env." not in value:
        return value, True
    try:
        return resolve_string(value, env if env is not None else {}), env is not None
    except EnvVarMissing:
        return value, False


def unset_ref(value: Any, env: Mapping[str, str]) -> Optional[str]:
    """The name of the first ``${env.X}`` (no default) in ``value`` that ``env`` leaves unset
    or empty: where LCORE's resolution fails."""
    if not isinstance(value, str):
        return None
    for ref in find_refs(value):
        if ref.op is None and not env.get(ref.name):
            return ref.name
    return None


# --- step 2 / 7: vector_io dedupe -----------------------------------------------------
def dedupe_items(items: list[Any]) -> list[int]:
    """The indexes LCORE's vector_io dedupe keeps (non-mappings and repeated ids go)."""
    seen: set[str] = set()
    kept: list[int] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        raw = item.get("provider_id")
        if raw is None:
            kept.append(index)
            continue
        key = str(raw).strip()
        if not key:
            kept.append(index)
            continue
        if key in seen:
            continue
        seen.add(key)
        kept.append(index)
    return kept


def dedupe_vector_io(b: Builder) -> None:
    providers = b.root.get("providers")
    if not isinstance(providers, dict) or "vector_io" not in providers:
        return
    raw = providers["vector_io"]
    if not isinstance(raw, list):
        return
    kept = dedupe_items(raw)
    if len(kept) == len(raw) and not b.aliased:
        return
    new = b.adopt([raw[i] for i in kept])
    b.prov.reindex(raw, new, kept)
    providers = b.own(b.root, "providers")
    providers["vector_io"] = new


# --- step 3a: Azure Entra ID ----------------------------------------------------------
def enrich_azure(b: Builder, ctx: Context, azure_entra_id: Any, source: KeyPath) -> None:
    if azure_entra_id is None:
        return
    providers = b.root.get("providers", {})
    inference = _get(providers, "inference", [])
    if not isinstance(inference, list):
        return
    origin = ctx.origin("azure", source)
    for index, provider in enumerate(inference):
        if not isinstance(provider, dict):
            raise StepError("an inference provider is not a mapping")
        if provider.get("provider_type") != "remote::azure":
            continue
        entry = b.own(b.own(b.own(b.root, "providers"), "inference"), index)
        config = b.ensure_map(entry, "config", origin)
        b.put(config, "model_validation", False, origin)
        ctx.touched.append((("providers", "inference", index, "config", "model_validation"), "azure"))


# --- step 3b: BYOK RAG ---------------------------------------------------------------
def _rag_type(store: dict[str, Any], type_key: str = "backend") -> str:
    """The Llama Stack provider type of a BYOK store: main names a ``backend`` (faiss,
    pgvector); earlier releases take ``rag_type`` as the provider type itself."""
    if type_key == "rag_type":
        return str(store.get("rag_type", "inline::faiss"))
    backend = store.get("backend", "faiss")
    known = PT.VECTOR_BY_KIND.get(backend)
    return known.provider_type if known is not None else f"inline::{backend}"


def _vector_io_config(
    rag_type: str,
    backend_name: str,
    fields: dict[str, Any],
    b: Builder,
    ctx: Context,
    source: KeyPath,
    field_sources: Optional[dict[str, KeyPath]] = None,
) -> dict[str, Any]:
    if rag_type == "inline::faiss":
        return {"persistence": {"namespace": "vector_io::faiss", "backend": backend_name}}
    if rag_type == "remote::pgvector":
        config: dict[str, Any] = {"persistence": {"namespace": "vector_io::pgvector", "backend": "kv_default"}}
        for name, default in PG_DEFAULTS.items():
            value = fields.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                value = default
            elif field_sources is not None:
                b.prov.mark_key(config, name, ctx.origin("byok", field_sources.get(name, source), True))
            config[name] = value
        return config
    raise StepError(f"unsupported vector store type '{rag_type}'")


def enrich_byok(b: Builder, ctx: Context, stores: Any, source: KeyPath) -> None:
    rules = ctx.release_rules.byok
    type_key = rules.type_key
    if not stores:
        if rules.templates:
            dedupe_vector_io(b)
        return
    if not isinstance(stores, list):
        raise StepError("rag.byok.stores is not a list")
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, store in enumerate(stores):
        where = source + (index,)
        if not isinstance(store, dict) or not store.get("rag_id"):
            ctx.lcore_fails("a BYOK store has no rag_id", "give every rag.byok.stores entry a rag_id", where)
            continue
        if not store.get("vector_db_id"):
            ctx.lcore_fails(
                "a BYOK store has no vector_db_id", "give every rag.byok.stores entry a vector_db_id", where
            )
            continue
        rag_type = _rag_type(store, type_key)
        if rules.templates and rag_type not in ("inline::faiss", "remote::pgvector"):
            ctx.lcore_fails(
                f"BYOK {type_key} '{store.get(type_key)}' is not supported",
                "use backend: faiss or backend: pgvector"
                if type_key == "backend"
                else "use rag_type: inline::faiss or rag_type: remote::pgvector",
                where + (type_key,),
            )
            continue
        valid.append((index, store))
    if not valid:
        dedupe_vector_io(b)
        return

    root = b.root
    # storage.backends: existing kept, one kv_sqlite backend per faiss store (overwrites)
    storage = b.ensure_map(root, "storage", ctx.origin("byok", source))
    if isinstance(storage.get("backends"), dict):
        backends = b.refresh(storage, "backends")
    else:
        backends = b.ensure_map(storage, "backends", ctx.origin("byok", source))
    for index, store in valid:
        if rules.templates and _rag_type(store, type_key) != "inline::faiss":
            continue
        rag_id = store["rag_id"]
        where = source + (index,)
        entry = {"type": "kv_sqlite", "db_path": store.get("db_path", f".llama/{rag_id}.db")}
        b.put(backends, f"byok_{rag_id}_storage", entry, ctx.origin("byok", where))
        if "db_path" in store:
            b.prov.mark_key(entry, "db_path", ctx.origin("byok", where + ("db_path",), True))
        ctx.touched.append((("storage", "backends", f"byok_{rag_id}_storage"), "byok"))

    # providers.vector_io: deduped, then one entry per store unless the id exists
    providers = b.ensure_map(root, "providers", ctx.origin("byok", source))
    if not rules.templates and "vector_io" in providers:
        vector_io = b.refresh(providers, "vector_io")  # 0.5.x: a copy, no dedupe
    elif isinstance(providers.get("vector_io"), list):
        dedupe_vector_io(b)
        providers = b.root["providers"]
        vector_io = b.own(providers, "vector_io")
    else:
        b.put(providers, "vector_io", b.adopt([]), ctx.origin("byok", source))
        vector_io = providers["vector_io"]
    existing = {
        str(p["provider_id"]).strip()
        for p in vector_io
        if isinstance(p, dict) and p.get("provider_id") is not None and str(p["provider_id"]).strip()
    }
    for index, store in valid:
        where = source + (index,)
        rag_id = str(store["rag_id"]).strip()
        provider_id = f"byok_{rag_id}"
        rag_type = _rag_type(store, type_key)
        if not rules.templates:  # 0.5.x: always appended, always a faiss persistence
            raw_id = store["rag_id"]
            plain = {"persistence": {"namespace": "vector_io::faiss", "backend": f"byok_{raw_id}_storage"}}
            b.append(
                vector_io,
                {"provider_id": f"byok_{raw_id}", "provider_type": rag_type, "config": plain},
                ctx.origin("byok", where),
            )
            ctx.touched.append((("providers", "vector_io"), "byok"))
            continue
        if provider_id in existing:
            continue
        existing.add(provider_id)
        sources = {k: where + (k,) for k in PG_DEFAULTS}
        config = _vector_io_config(rag_type, f"byok_{rag_id}_storage", store, b, ctx, where, sources)
        b.append(
            vector_io,
            {"provider_id": provider_id, "provider_type": rag_type, "config": config},
            ctx.origin("byok", where),
        )
        ctx.touched.append((("providers", "vector_io"), "byok"))

    registered = b.ensure_map(root, "registered_resources", ctx.origin("byok", source))
    # registered_resources.vector_stores
    stores_list = _own_list_or_new(b, registered, "vector_stores", ctx.origin("byok", source))
    existing_ids = set()
    for at, vs in enumerate(stores_list):
        if not isinstance(vs, dict):
            continue
        raw_id = vs.get("vector_store_id", "")
        resolved, exact = lcore_resolve(raw_id, ctx.env)
        existing_ids.add(resolved)
        if not exact and ctx.env is not None:
            missing = unset_ref(raw_id, ctx.env)
            if missing is not None:
                ctx.env_unset(
                    missing,
                    f"registered_resources.vector_stores[{at}].vector_store_id "
                    "(to skip BYOK stores registered already)",
                    source,
                )
    for index, store in valid:
        where = source + (index,)
        rag_id, vector_db_id = store["rag_id"], store["vector_db_id"]
        if vector_db_id in existing_ids:
            continue
        existing_ids.add(vector_db_id)
        entry = {
            "vector_store_id": vector_db_id,
            "provider_id": f"byok_{rag_id}",
            "embedding_model": (
                f"sentence-transformers/byok_{rag_id}_embedding"
                if rules.alias
                else store.get("embedding_model", DEFAULT_EMBEDDING_MODEL)
            ),
            "embedding_dimension": store.get("embedding_dimension"),
        }
        b.append(stores_list, entry, ctx.origin("byok", where))
        b.prov.mark_key(entry, "vector_store_id", ctx.origin("byok", where + ("vector_db_id",), True))
        ctx.touched.append((("registered_resources", "vector_stores"), "byok"))

    # registered_resources.models
    models = _own_list_or_new(b, registered, "models", ctx.origin("byok", source))
    for index, store in valid:
        where = source + (index,)
        rag_id = store["rag_id"]
        embedding_model = store.get("embedding_model", DEFAULT_EMBEDDING_MODEL)
        if not embedding_model:
            continue
        model_id = f"byok_{rag_id}_embedding"
        provider_model_id = str(embedding_model).removeprefix("sentence-transformers/")
        if rules.alias:
            if any(isinstance(m, dict) and m.get("model_id") == model_id for m in models):
                continue
        elif provider_model_id in [m.get("provider_model_id") for m in models if isinstance(m, dict)]:
            continue  # before main: one model per load path
        entry = {
            "model_id": model_id,
            "model_type": "embedding",
            "provider_id": "sentence-transformers",
            "provider_model_id": provider_model_id,
            "metadata": {"embedding_dimension": store.get("embedding_dimension")},
        }
        b.append(models, entry, ctx.origin("byok", where))
        ctx.touched.append((("registered_resources", "models"), "byok"))


def _own_list_or_new(b: Builder, parent: dict[str, Any], key: str, origin: Origin) -> Any:
    """LCORE rebuilds these lists from ``.copy()`` of the existing one, or from []."""
    if key in parent:
        if not isinstance(parent[key], list):
            raise StepError(f"registered_resources.{key} is not a list")
        return b.refresh(parent, key)
    b.put(parent, key, b.adopt([]), origin)
    return parent[key]


# --- step 3c: Solr / OKP --------------------------------------------------------------
def enrich_okp(
    b: Builder, ctx: Context, okp: Any, enabled: bool, source: KeyPath, resolved_url: Optional[str] = None
) -> None:
    if not enabled:
        return
    solr = ctx.release_rules.solr
    okp = okp if isinstance(okp, dict) else {}
    origin = ctx.origin("okp", source)
    user_filter = okp.get("chunk_filter_query")
    chunk_filter = f"{SOLR_CHUNK_FILTER} AND {user_filter}" if user_filter else SOLR_CHUNK_FILTER
    raw_url = okp.get("rhokp_url")
    if not solr.join_url:  # 0.5.x: the URL as given (the entrypoint resolved the config before)
        base = resolved_url if resolved_url is not None else (str(raw_url) if raw_url is not None else OKP_DEFAULT_URL)
    elif resolved_url is not None:
        base = resolved_url
    else:
        base_raw = str(raw_url) if raw_url is not None else OKP_DEFAULT_URL
        base, exact = lcore_resolve(base_raw, ctx.env)
        missing = unset_ref(base_raw, ctx.env) if ctx.env is not None and not exact else None
        if missing is not None:
            ctx.env_unset(missing, "rag.okp.rhokp_url (it writes the resolved URL with /solr)", source + ("rhokp_url",))
        elif base != base_raw or not exact:
            where = ctx.env_source or "lsc-tui's environment"
            ctx.find(
                Severity.INFO,
                "synthesis-okp-url-resolved",
                "LCORE resolves the env reference in rag.okp.rhokp_url before it appends /solr, "
                "and writes the resolved URL: "
                + (
                    f"the preview resolves it in {where}"
                    if exact
                    else "the variable's value is not known, so the preview keeps the reference"
                ),
                "nothing to do; the URL comes from the variable's value where LCORE runs",
                source + ("rhokp_url",),
            )
    if not solr.join_url:
        solr_url = base
    else:
        solr_url = urljoin(base, "/solr") if "${env." not in base else base.rstrip("/") + "/solr"
    window: dict[str, Any] = {
        "chunk_parent_id_field": "parent_id",
        "chunk_content_field": "chunk_field",
        "chunk_index_field": "chunk_index",
        "chunk_token_count_field": "num_tokens",
        "chunk_online_source_url_field": "online_source_url",
        "chunk_source_path_field": "source_path",
        "parent_total_chunks_field": "total_chunks",
        "parent_total_tokens_field": "total_tokens",
        "chunk_filter_query": chunk_filter,
        "chunk_family_fields": ["headings"],
    }
    if not solr.window_source_fields:
        del window["chunk_online_source_url_field"], window["chunk_source_path_field"]

    providers = b.ensure_map(b.root, "providers", origin)
    vector_io = b.ensure_list(providers, "vector_io", origin)
    if SOLR_PROVIDER_ID not in [p.get("provider_id") for p in vector_io if isinstance(p, dict)]:
        entry = {
            "provider_id": SOLR_PROVIDER_ID,
            "provider_type": "remote::solr_vector_io",
            "config": {
                "solr_url": solr_url,
                "collection_name": f"${{env.SOLR_COLLECTION:={SOLR_STORE_ID}}}",
                "vector_field": "${env.SOLR_VECTOR_FIELD:=chunk_vector}",
                "content_field": "${env.SOLR_CONTENT_FIELD:=chunk}",
                "embedding_model": f"${{env.SOLR_EMBEDDING_MODEL:={SOLR_EMBEDDING_MODEL}}}",
                "embedding_dimension": f"${{env.SOLR_EMBEDDING_DIM:={SOLR_EMBEDDING_DIMENSION}}}",
                "chunk_window_config": window,
                "persistence": {"namespace": SOLR_STORE_ID, "backend": "kv_default"},
            },
        }
        b.append(vector_io, entry, origin)
        b.prov.mark_key(entry["config"], "solr_url", ctx.origin("okp", source + ("rhokp_url",)))
        ctx.touched.append((("providers", "vector_io"), "okp"))

    registered = b.ensure_map(b.root, "registered_resources", origin)
    stores = b.ensure_list(registered, "vector_stores", origin)
    if SOLR_STORE_ID not in [s.get("vector_store_id") for s in stores if isinstance(s, dict)]:
        b.append(
            stores,
            {
                "vector_store_id": SOLR_STORE_ID,
                "provider_id": SOLR_PROVIDER_ID,
                "embedding_model": solr.store_embedding_model,
                "embedding_dimension": SOLR_EMBEDDING_DIMENSION,
            },
            origin,
        )
        ctx.touched.append((("registered_resources", "vector_stores"), "okp"))
    models = b.ensure_list(registered, "models", origin)
    plain_model = SOLR_EMBEDDING_MODEL.removeprefix("sentence-transformers/")
    if plain_model not in [m.get("provider_model_id") for m in models if isinstance(m, dict)]:
        b.append(
            models,
            {
                "model_id": solr.model_id,
                "model_type": "embedding",
                "provider_id": "sentence-transformers",
                "provider_model_id": f"${{env.SOLR_EMBEDDING_MODEL:={plain_model}}}",
                "metadata": {"embedding_dimension": SOLR_EMBEDDING_DIMENSION},
            },
            origin,
        )
        ctx.touched.append((("registered_resources", "models"), "okp"))

    mode = okp.get("search_mode") if solr.search_mode else None
    if mode:
        mode = SOLR_MODE_MAP.get(mode, mode)
        if mode == "semantic":
            mode = "vector"
        mode_origin = ctx.origin("okp", source + ("search_mode",))
        vector_stores = b.ensure_map(b.root, "vector_stores", mode_origin)
        params = b.ensure_map(vector_stores, "chunk_retrieval_params", mode_origin)
        b.put(params, "default_search_mode", mode, mode_origin)
        ctx.touched.append((("vector_stores", "chunk_retrieval_params", "default_search_mode"), "okp"))


# --- step 3d: vector_store.providers (unified only) -----------------------------------
def enrich_vector_store(b: Builder, ctx: Context, vector_store: Any, source: KeyPath) -> None:
    vector_store = vector_store if isinstance(vector_store, dict) else {}
    entries = vector_store.get("providers") or []
    if not entries:
        dedupe_vector_io(b)
        return
    origin = ctx.origin("vector_store", source)
    storage = b.ensure_map(b.root, "storage", origin)
    backends = b.ensure_map(storage, "backends", origin)
    providers = b.ensure_map(b.root, "providers", origin)
    if isinstance(providers.get("vector_io"), list):
        vector_io = b.own(providers, "vector_io")
    else:
        b.put(providers, "vector_io", b.adopt([]), origin)
        vector_io = providers["vector_io"]
    registered = b.ensure_map(b.root, "registered_resources", origin)
    models = b.ensure_list(registered, "models", origin)
    existing = {str(e.get("provider_id")).strip() for e in vector_io if isinstance(e, dict) and e.get("provider_id")}
    for index, entry in enumerate(entries):
        where = source + ("providers", index)
        e_origin = ctx.origin("vector_store", where)
        if not isinstance(entry, dict) or "id" not in entry or entry.get("type") not in PT.VECTOR_BY_KIND:
            ctx.lcore_fails(
                "a vector_store.providers entry has no id or an unsupported type",
                "give it an id and type: faiss or pgvector",
                where,
            )
            continue
        provider_id = str(entry["id"]).strip()
        ls_type = PT.VECTOR_BY_KIND[entry["type"]].provider_type
        cfg = entry.get("config") or {}
        backend_name = f"vsprov_{provider_id}_storage"
        if entry["type"] == "faiss":
            if not isinstance(cfg, dict) or "path" not in cfg:
                ctx.lcore_fails(
                    "a faiss vector_store provider has no config.path", "set config.path", where + ("config",)
                )
                continue
            b.put(backends, backend_name, {"type": "kv_sqlite", "db_path": cfg["path"]}, e_origin)
            ctx.touched.append((("storage", "backends", backend_name), "vector_store"))
            fields: dict[str, Any] = {"db_path": cfg["path"]}
        else:
            fields = {k: cfg.get(k) for k in PG_DEFAULTS} if isinstance(cfg, dict) else {}
        sources = {k: where + ("config", k) for k in PG_DEFAULTS}
        new_entry = {
            "provider_id": provider_id,
            "provider_type": ls_type,
            "config": _vector_io_config(ls_type, backend_name, fields, b, ctx, where, sources),
        }
        if provider_id not in existing:
            b.append(vector_io, new_entry, e_origin)
            existing.add(provider_id)
        else:
            for i, current in enumerate(vector_io):
                if isinstance(current, dict) and current.get("provider_id") == provider_id:
                    b.put(vector_io, i, new_entry, e_origin)
                    break
        ctx.touched.append((("providers", "vector_io"), "vector_store"))
        model = entry.get("embedding_model")
        dimension = entry.get("embedding_dimension")
        if model and dimension is not None:
            model_id = f"vsprov_{provider_id}_embedding"
            row = {
                "model_id": model_id,
                "model_type": "embedding",
                "provider_id": "sentence-transformers",
                "provider_model_id": str(model).removeprefix("sentence-transformers/"),
                "metadata": {"embedding_dimension": dimension},
            }
            if ctx.release_rules.vector_store == "first-model":
                # 0.7.0rc1: registered unless a model with that load path is there already
                if row["provider_model_id"] not in [m.get("provider_model_id") for m in models if isinstance(m, dict)]:
                    b.append(models, row, e_origin)
                    ctx.touched.append((("registered_resources", "models"), "vector_store"))
                continue
            for i, current in enumerate(models):
                if isinstance(current, dict) and current.get("model_id") == model_id:
                    b.put(models, i, row, e_origin)
                    break
            else:
                b.append(models, row, e_origin)
            ctx.touched.append((("registered_resources", "models"), "vector_store"))

    wanted = vector_store.get("default_provider")
    designated = None
    if isinstance(wanted, str) and wanted.strip():
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and str(entry.get("id", "")).strip() == wanted.strip():
                designated = (index, entry)
                break
    if designated is not None:
        index, entry = designated
        d_origin = ctx.origin("vector_store", source + ("default_provider",))
        if not isinstance(b.root.get("vector_stores"), dict):
            b.put(b.root, "vector_stores", b.adopt({}), d_origin)
        vector_stores = b.own(b.root, "vector_stores")
        provider_id = str(entry["id"]).strip()
        b.put(vector_stores, "default_provider_id", provider_id, d_origin)
        if entry.get("embedding_model"):
            b.put(
                vector_stores,
                "default_embedding_model",
                {
                    "provider_id": "sentence-transformers",
                    "model_id": (
                        entry["embedding_model"]
                        if ctx.release_rules.vector_store == "first-model"
                        else f"vsprov_{provider_id}_embedding"
                    ),
                },
                d_origin,
            )
        ctx.touched.append((("vector_stores",), "vector_store"))
    dedupe_vector_io(b)


# --- step 4: high-level inference.providers -------------------------------------------
def _matchable(provider_id: Any) -> Any:
    return "openai" if provider_id == OPENAI_CONDITIONAL_ID else provider_id


def apply_inference(
    b: Builder, ctx: Context, entries: list[Any], source: KeyPath, azure_entra_id_present: bool
) -> None:
    providers = b.ensure_map(b.root, "providers", ctx.origin("inference.providers", source))
    inference = b.ensure_list(providers, "inference", ctx.origin("inference.providers", source))
    for index, hl in enumerate(entries):
        where = source + (index,)
        if not isinstance(hl, dict) or hl.get("type") not in PT.INFERENCE_BY_KIND:
            ctx.lcore_fails(
                "an inference.providers entry has no known type",
                "use one of: " + ", ".join(PT.INFERENCE_KINDS),
                where + ("type",),
            )
            continue
        kind = hl["type"]
        known = PT.INFERENCE_BY_KIND[kind]
        provider_id = (hl.get("id") if ctx.release_rules.inference_ids else None) or known.default_id
        provider_type = known.provider_type
        origin = ctx.origin("inference.providers", where)
        entry: dict[str, Any] = {"provider_id": provider_id, "provider_type": provider_type}
        config: dict[str, Any] = {}
        key_origins: dict[str, Origin] = {}
        extra = hl.get("extra")
        if extra:
            config.update(extra)
            for k in extra:
                key_origins[k] = ctx.origin("inference.providers", where + ("extra", k), True)
        if hl.get("api_key_env"):
            field_name = known.key_field or "api_key"
            config[field_name] = "${env." + str(hl["api_key_env"]) + "}"
            key_origins[field_name] = ctx.origin("inference.providers", where + ("api_key_env",))
        if hl.get("allowed_models"):
            config["allowed_models"] = hl["allowed_models"]
            key_origins["allowed_models"] = ctx.origin("inference.providers", where + ("allowed_models",), True)
        if config:
            entry["config"] = config
            for k, o in key_origins.items():
                b.prov.mark_key(config, k, o)
        if "id" in hl and ctx.release_rules.inference_ids:
            b.prov.mark_key(entry, "provider_id", ctx.origin("inference.providers", where + ("id",)))
        for i, current in enumerate(inference):
            current_id = current.get("provider_id") if isinstance(current, dict) else None
            if ctx.release_rules.openai_conditional_match:
                current_id = _matchable(current_id)
            if isinstance(current, dict) and current_id == provider_id:
                b.put(inference, i, entry, origin)
                break
        else:
            b.append(inference, entry, origin)
        ctx.touched.append((("providers", "inference"), "inference.providers"))
        if (
            kind == "azure"
            and azure_entra_id_present
            and not (isinstance(extra, dict) and extra.get("model_validation") is False)
        ):
            ctx.find(
                Severity.WARNING,
                "synthesis-azure-model-validation",
                "LCORE applies Azure Entra ID enrichment before high-level inference, so this "
                "azure provider does not get 'model_validation: false'; Llama Stack will then "
                "validate models at start-up with a token that is only injected per request",
                "add 'model_validation: false' under this entry's 'extra'",
                where,
            )


# --- step 5: MCP ensure ---------------------------------------------------------------
def ensure_mcp(b: Builder, ctx: Context, source: KeyPath) -> None:
    origin = ctx.origin("mcp", source)
    apis = b.ensure_list(b.root, "apis", origin)
    if "tool_runtime" not in apis:
        b.append(apis, "tool_runtime", origin)
        ctx.touched.append((("apis",), "mcp"))
    providers = b.ensure_map(b.root, "providers", origin)
    tool_runtime = b.ensure_list(providers, "tool_runtime", origin)
    for existing in tool_runtime:
        if isinstance(existing, dict) and existing.get("provider_id") == MCP_ID:
            return
    b.append(tool_runtime, {"provider_id": MCP_ID, "provider_type": MCP_TYPE, "config": {}}, origin)
    ctx.touched.append((("providers", "tool_runtime"), "mcp"))
