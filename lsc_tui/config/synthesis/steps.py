"""The steps of LCORE's synthesis pipeline, each a function of one :class:`Run`.

A pipeline is a sequence of steps run in order over a ``Run``: ``UNIFIED_STEPS`` is LCORE's
unified pipeline (run by :func:`lsc_tui.config.synthesis.unified.synthesize_unified`),
``LEGACY_SERVER_STEPS`` the Llama Stack container's enrichment (the legacy library mode's
sequence, ``legacy.LEGACY_LIBRARY_STEPS``, reuses ``azure_entra_id``). A step reads the inputs of
the run, changes the run.yaml through ``run.b`` (the copy-on-write builder) and records
findings in ``run.ctx``. Where LCORE itself would crash on a malformed input, the step runs
its work through :func:`guard`, which records LCORE's "it stops here" finding instead.

A pipeline of another LCORE release is a different sequence: it drops a step (a release
that injects no MCP provider), replaces one (another BYOK id or embedding alias style) or
inserts one, and keeps the others.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any, Optional, ParamSpec
from collections.abc import Callable

from lsc_tui.config.findings import Finding, Severity, path_text
from lsc_tui.config.synthesis import enrichment as E
from lsc_tui.config.releases.rules import RagInputs
from lsc_tui.config.synthesis.baseline import BUILTIN_DEFAULT, builtin_file, default_baseline, load_profile
from lsc_tui.config.synthesis.merge import deep_merge_list_replace
from lsc_tui.config.synthesis.provenance import KeyPath, Origin

P = ParamSpec("P")


@dataclass
class Run:
    """What the steps of one synthesis share: the inputs, the builder, the findings."""

    config: dict[str, Any]
    """The raw lightspeed-stack.yaml data (env references unresolved)."""
    ctx: E.Context
    config_dir: Optional[os.PathLike[str] | str] = None
    unified: Optional[dict[str, Any]] = None
    """The ``llama_stack.config`` (or ``ogx.config``) block; None in the legacy modes."""
    base: KeyPath = ()
    """The path of that block in the config."""
    profile: Any = None
    """The profile's data when the caller loaded it (else the baseline step loads it)."""
    profile_file: Optional[str] = None
    baseline_data: Optional[dict[str, Any]] = None
    """The data of ``baseline: default`` (None: the packaged default_run.yaml)."""
    builder: Optional[E.Builder] = None
    """The run.yaml being built; the baseline step creates it."""
    baseline_empty: bool = False
    baseline_source: tuple[str, KeyPath] = (BUILTIN_DEFAULT, ())
    """The file and path the baseline came from (where baseline findings point)."""
    _rag: Optional[RagInputs] = None

    @property
    def b(self) -> E.Builder:
        if self.builder is None:
            raise RuntimeError("a synthesis step ran before the baseline step")
        return self.builder

    @property
    def override(self) -> Any:
        return self.unified.get("native_override") if self.unified else None

    def rag(self) -> RagInputs:
        """The RAG inputs where the target release reads them (``rag.byok.stores``... on main,
        ``byok_rag``... before); a shape LCORE stops on is reported once."""
        if self._rag is None:
            self._rag = self.ctx.release_rules.rag_inputs(self.config)
            for message, fix, path in self._rag.problems:
                self.ctx.lcore_fails(message, fix, path)
        return self._rag


Step = Callable[[Run], None]


def place(ctx: E.Context, f: Finding) -> tuple[int, int]:
    """Line and column of a finding (its own, else where ``ctx.locate`` puts its path)."""
    if f.line:
        return f.line, f.column
    if ctx.locate is None:
        return 0, 0
    try:
        return ctx.locate(ctx.config_file, tuple(f.path))
    except Exception:  # a locator that cannot place the path: whole file
        return 0, 0


def guard(ctx: E.Context, where: KeyPath, fn: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Run ``fn``; an input shape it cannot handle becomes LCORE's "it stops here" finding."""
    try:
        fn(*args, **kwargs)
    except (E.StepError, AttributeError, TypeError, KeyError, ValueError) as exc:
        message = str(exc) if isinstance(exc, E.StepError) else "an input has an unexpected shape"
        ctx.lcore_fails(message, "fix the shape of this section (see the schema)", where)


# --- 1. the baseline: a profile beats the baseline -----------------------------------
def start_from_baseline(run: Run) -> None:
    """The run.yaml the pipeline starts from: the profile, an empty one, or the built-in one."""
    ctx, unified, base = run.ctx, run.unified, run.base
    if unified and unified.get("profile"):
        profile, profile_file = run.profile, run.profile_file
        if profile is None:
            profile, loaded_from, problems = load_profile(run.config, run.config_dir)
            for f in problems:
                ctx.findings.append(
                    Finding(f.file or ctx.config_file, *(place(ctx, f)), f.severity, f.code, f.message, f.fix, f.path)
                )
            profile_file = profile_file or loaded_from
        profile_file = str(profile_file or unified.get("profile"))
        if profile is None:
            profile = {}
        if not isinstance(profile, dict):
            ctx.find(
                Severity.ERROR,
                "synthesis-lcore-fails",
                "LCORE's synthesizer stops here: the profile is not a run.yaml mapping",
                "point profile at a run.yaml-shaped file",
                base + ("profile",),
            )
            profile = {}
        run.builder = E.Builder(profile, Origin("profile", profile_file, ()))
        run.baseline_source = (profile_file, ())
    elif unified and unified.get("baseline") == "empty":
        run.baseline_empty = True
        run.builder = E.Builder({}, Origin("baseline:empty", ctx.config_file, base + ("baseline",), False))
        run.baseline_source = (ctx.config_file, base + ("baseline",))
    else:
        rules = ctx.release_rules
        choice = unified.get("baseline") if unified else None
        data = run.baseline_data if run.baseline_data is not None else default_baseline(rules.baseline_file)
        if choice == "byo-llm" and choice in rules.baselines:
            run.builder = E.Builder(data, Origin("baseline:byo-llm", builtin_file(rules.baseline_file), ()))
            _drop_openai_row(run.builder)
        else:
            if choice not in (None, "default"):
                ctx.find(
                    Severity.WARNING,
                    "synthesis-unknown-baseline",
                    f"baseline '{choice}' is not one LCORE knows; it synthesizes from the built-in default baseline",
                    "use one of: " + ", ".join(rules.baselines),
                    base + ("baseline",),
                )
            run.builder = E.Builder(data, Origin("baseline:default", builtin_file(rules.baseline_file), ()))
        run.baseline_source = (builtin_file(rules.baseline_file), ())


def _drop_openai_row(b: E.Builder) -> None:
    providers = b.root.get("providers")
    if not isinstance(providers, dict) or not isinstance(providers.get("inference"), list):
        return
    old = providers["inference"]
    kept = [
        i for i, p in enumerate(old) if not (isinstance(p, dict) and p.get("provider_id") == E.OPENAI_CONDITIONAL_ID)
    ]
    if len(kept) == len(old):
        return
    new = b.adopt([old[i] for i in kept])
    b.prov.reindex(old, new, kept)
    b.own(b.root, "providers")["inference"] = new


# --- 2. and 7. providers.vector_io dedupe ---------------------------------------------
def dedupe_baseline(run: Run) -> None:
    """Check the baseline's ``providers`` shape, report the duplicates, drop them as LCORE does."""
    check_providers_shape(run.b, run.ctx, run.baseline_source)
    report_dupes(run.b, run.ctx, run.baseline_source)
    E.dedupe_vector_io(run.b)


def dedupe(run: Run) -> None:
    """LCORE's providers.vector_io dedupe (the first of two ids wins)."""
    E.dedupe_vector_io(run.b)


def final_dedupe(run: Run) -> None:
    """The last dedupe, after ``native_override`` (whose ``providers`` may crash it)."""
    override = run.override
    if isinstance(override, dict) and "providers" in override:
        check_providers_shape(run.b, run.ctx, (run.ctx.config_file, run.base + ("native_override",)))
    E.dedupe_vector_io(run.b)


def _providers_crash_lcore(providers: Any) -> bool:
    """Whether LCORE's vector_io dedupe fails on this ``providers`` value: it asks
    ``"vector_io" in providers`` and then indexes it, which only a mapping survives."""
    if isinstance(providers, dict):
        return False
    if isinstance(providers, (str, list)):
        return "vector_io" in providers
    return True


def check_providers_shape(b: E.Builder, ctx: E.Context, source: tuple[str, KeyPath]) -> None:
    """``providers: null`` (or another non-mapping) where LCORE dedupes vector_io: LCORE
    fails at start-up, so no run.yaml is written."""
    if "providers" not in b.root or not _providers_crash_lcore(b.root["providers"]):
        return
    file, base = source
    finding_file = file if not file.startswith("builtin:") else ctx.config_file
    shown = "null" if b.root["providers"] is None else type(b.root["providers"]).__name__
    ctx.find(
        Severity.ERROR,
        "synthesis-lcore-fails",
        f"LCORE's synthesizer stops here: `providers` is {shown}, not a mapping; LCORE fails at "
        "start-up when it deduplicates providers.vector_io",
        "write providers as a mapping of API name to provider list, or remove the key",
        base + ("providers",),
        file=finding_file,
    )


def report_dupes(b: E.Builder, ctx: E.Context, source: tuple[str, KeyPath]) -> None:
    """An INFO finding per providers.vector_io entry LCORE's dedupe drops."""
    providers = b.root.get("providers")
    items = providers.get("vector_io") if isinstance(providers, dict) else None
    if not isinstance(items, list):
        return
    kept = set(E.dedupe_items(items))
    for index, item in enumerate(items):
        if index in kept:
            continue
        file, base = source
        what = "is not a mapping" if not isinstance(item, dict) else "repeats an earlier provider_id"
        finding_file = file if not file.startswith("builtin:") else ctx.config_file
        ctx.find(
            Severity.INFO,
            "synthesis-vector-io-dedupe",
            f"providers.vector_io[{index}] {what}; LCORE drops it",
            "remove the entry or give it a unique provider_id",
            base + ("providers", "vector_io", index),
            file=finding_file,
        )


# --- 3. enrichment: Azure Entra ID, BYOK RAG, Solr/OKP, vector_store ------------------
def azure_entra_id(run: Run) -> None:
    """``model_validation: false`` on every Azure inference provider when Entra ID is set."""
    run.ctx.azure_entra_id = run.config.get("azure_entra_id") is not None
    guard(
        run.ctx,
        ("azure_entra_id",),
        E.enrich_azure,
        run.b,
        run.ctx,
        run.config.get("azure_entra_id"),
        ("azure_entra_id",),
    )


def byok_rag(run: Run) -> None:
    """A vector_io provider, storage backend, vector store and embedding model per BYOK store."""
    ctx, rag = run.ctx, run.rag()
    guard(ctx, rag.stores_path, E.enrich_byok, run.b, ctx, rag.stores, rag.stores_path)


def okp_enabled(rag: RagInputs) -> Optional[bool]:
    """Whether a retrieval source names OKP; None when the source lists are not lists."""
    try:
        return any(E.OKP_ID in (sources or []) for sources in rag.sources)
    except TypeError:
        return None


def solr_okp(run: Run) -> None:
    """The Solr vector_io provider, store and model when a retrieval source names OKP."""
    ctx, rag = run.ctx, run.rag()
    enabled = okp_enabled(rag)
    if enabled is None:
        ctx.lcore_fails("the RAG source lists are not lists of ids", "write them as lists of ids", rag.sources_path)
        enabled = False
    okp = rag.okp
    if enabled and not isinstance(okp, dict):
        shown = ".".join(str(p) for p in rag.okp_path)
        ctx.lcore_fails(f"{shown} is not a mapping", f"write {shown} as a mapping (or remove it)", rag.okp_path)
    guard(ctx, rag.okp_path, E.enrich_okp, run.b, ctx, okp, enabled, rag.okp_path)


def vector_store(run: Run) -> None:
    """``vector_store.providers`` (unified only): vector_io providers with their storage."""
    guard(
        run.ctx,
        ("vector_store",),
        E.enrich_vector_store,
        run.b,
        run.ctx,
        run.config.get("vector_store"),
        ("vector_store",),
    )


# --- 4. high-level inference.providers ------------------------------------------------
def high_level_inference(run: Run) -> None:
    """Each ``inference.providers`` entry becomes (or replaces) a providers.inference row."""
    inference = run.config.get("inference")
    hl = inference.get("providers") if isinstance(inference, dict) else None
    if hl:
        guard(
            run.ctx,
            ("inference", "providers"),
            E.apply_inference,
            run.b,
            run.ctx,
            hl if isinstance(hl, list) else [],
            ("inference", "providers"),
            run.config.get("azure_entra_id") is not None,
        )


# --- 5. MCP ---------------------------------------------------------------------------
def mcp(run: Run) -> None:
    """The MCP tool_runtime provider, unless the baseline is ``empty``."""
    if not run.baseline_empty:
        guard(run.ctx, run.base, E.ensure_mcp, run.b, run.ctx, run.base)


# --- 6. native_override ---------------------------------------------------------------
def native_override(run: Run) -> None:
    """``native_override`` merged over the result (maps recurse, everything else replaces)."""
    override = run.override
    if not override:
        return
    where = run.base + ("native_override",)
    if not isinstance(override, dict):
        run.ctx.lcore_fails(
            "native_override is not a mapping", "write native_override as a run.yaml-shaped mapping", where
        )
        return
    apply_override(run.b, run.ctx, override, where)


def apply_override(b: E.Builder, ctx: E.Context, override: dict[str, Any], source: KeyPath) -> None:
    prov = b.prov

    def on_set(container: dict[Any, Any], key: Any, opath: KeyPath) -> None:
        origin = Origin("native_override", ctx.config_file, source + opath, True)
        prov.mark_key(container, key, origin)

    if b.aliased or E.has_aliases(override):
        new_root = _merge_like_lcore(b, override, source, ctx)
    else:
        new_root = deep_merge_list_replace(b.root, override, copy_map=b.copy_container, on_set=on_set)
    b.replace_root(new_root, prov.node.get(id(b.root), Origin("unknown", "")))
    _report_3370(ctx, override, source)


def _merge_like_lcore(b: E.Builder, override: dict[str, Any], source: KeyPath, ctx: E.Context) -> dict[str, Any]:
    """The merge rule with LCORE's copying (a deep copy per level and per overlay value).

    Used only when anchors/aliases are involved, where the copies decide which nodes stay
    shared (and so which get YAML anchors when written). Provenance follows the copies.
    """
    prov = b.prov

    def deep(obj: dict[str, Any]) -> dict[str, Any]:
        memo: dict[int, Any] = {}
        new = copy.deepcopy(obj, memo)
        for old_id, copied in memo.items():
            if old_id != id(memo) and isinstance(copied, (dict, list)):
                prov.inherit_id(old_id, copied)
        return new

    def merge(base: dict[str, Any], overlay: dict[str, Any], path: KeyPath) -> dict[str, Any]:
        result = deep(base)
        for key, value in overlay.items():
            current = result.get(key)
            if isinstance(current, dict) and isinstance(value, dict):
                result[key] = merge(current, value, path + (key,))
            else:
                result[key] = copy.deepcopy(value)
                prov.mark_key(result, key, Origin("native_override", ctx.config_file, source + path + (key,), True))
        return result

    return merge(b.root, override, ())


def _azure_missed(ctx: E.Context, override: dict[str, Any]) -> bool:
    """An Azure provider that arrives via native_override never gets model_validation."""
    if not ctx.azure_entra_id:
        return False
    providers = override.get("providers")
    rows = providers.get("inference") if isinstance(providers, dict) else None
    if not isinstance(rows, list):
        return False
    return any(
        isinstance(r, dict)
        and r.get("provider_type") == "remote::azure"
        and not (isinstance(r.get("config"), dict) and r["config"].get("model_validation") is False)
        for r in rows
    )


def _report_3370(ctx: E.Context, override: dict[str, Any], source: KeyPath) -> None:
    wiped: dict[KeyPath, set[str]] = {}
    if _azure_missed(ctx, override):
        wiped.setdefault(("providers", "inference"), set()).add("azure")
    for path, step in ctx.touched:
        if step == "mcp":
            continue  # replacing tool_runtime without MCP is LCORE's documented opt-out
        node: Any = override
        for i, key in enumerate(path):
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
            if not isinstance(node, dict):
                wiped.setdefault(path[: i + 1], set()).add(step)
                break
    names = {
        "azure": "Azure Entra ID (model_validation: false)",
        "byok": "BYOK RAG",
        "okp": "Solr/OKP",
        "vector_store": "vector_store.providers",
        "inference.providers": "high-level inference.providers",
    }
    for path, steps in sorted(wiped.items(), key=lambda kv: [str(p) for p in kv[0]]):
        what = ", ".join(names[s] for s in sorted(steps))
        ctx.find(
            Severity.WARNING,
            "synthesis-lcore-3370",
            f"native_override replaces '{path_text(path)}' wholesale after enrichment, so the "
            f"{what} enrichment is missing there in the run.yaml LCORE runs (LCORE-3370: lists "
            "are replaced, never merged)",
            f"move '{path_text(path)}' out of native_override into a profile (llama_stack.config."
            "profile), which enrichment extends, or add the enriched entries to the override",
            source + path,
        )


# --- before main: the default baseline's openai row needs its key ----------------------
def openai_key_needed(run: Run) -> None:
    """0.6.x and 0.7.0rc1 ship their default baseline with ``api_key: ${env.OPENAI_API_KEY}``
    (no default): when that row is still in the output, Llama Stack does not start without
    the variable. Said where the environment is known to lack it (an error) or is lsc-tui's own."""
    if run.baseline_source[0] != builtin_file(run.ctx.release_rules.baseline_file):
        return
    providers = run.b.root.get("providers")
    rows = providers.get("inference") if isinstance(providers, dict) else None
    needed = [
        i
        for i, row in enumerate(rows if isinstance(rows, list) else [])
        if isinstance(row, dict)
        and isinstance(row.get("config"), dict)
        and row["config"].get("api_key") == "${env.OPENAI_API_KEY}"
    ]
    if not needed:
        return
    ctx = run.ctx
    env = ctx.env if ctx.env is not None else os.environ
    if env.get("OPENAI_API_KEY"):
        return
    label = ctx.release_rules.release.label
    where = ctx.env_source or "lsc-tui's environment"
    severity = Severity.ERROR if ctx.env_source is not None else Severity.WARNING
    path = run.base + ("baseline",) if run.unified and "baseline" in run.unified else run.base
    ctx.find(
        severity,
        "synthesis-baseline-needs-env",
        f"{label}'s default baseline runs the openai inference provider with "
        f"api_key: ${{env.OPENAI_API_KEY}} (no default), and OPENAI_API_KEY is not set in {where}: "
        "Llama Stack does not start without it",
        "set OPENAI_API_KEY where Llama Stack runs, or replace the openai row (inference.providers "
        "with api_key_env, native_override) or start from a profile",
        path,
    )


# --- the pipelines --------------------------------------------------------------------
UNIFIED_STEPS: tuple[Step, ...] = (
    start_from_baseline,
    dedupe_baseline,
    azure_entra_id,
    byok_rag,
    solr_okp,
    vector_store,
    high_level_inference,
    mcp,
    native_override,
    final_dedupe,
)
"""LCORE's unified pipeline, in its order."""

LEGACY_SERVER_STEPS: tuple[Step, ...] = (dedupe, azure_entra_id, byok_rag, solr_okp, dedupe)
"""The Llama Stack container entrypoint's enrichment of its run.yaml (raw config)."""

# Other releases' pipelines are in their modules (lsc_tui/config/releases/), built from these steps.
