"""The steps of LCORE's synthesis pipeline that the unified and legacy modes share."""

from __future__ import annotations

import copy
from typing import Any

from lsc_tui.config.findings import Finding, Severity, path_text
from lsc_tui.config.synthesis import enrichment as E
from lsc_tui.config.synthesis.merge import deep_merge_list_replace
from lsc_tui.config.synthesis.provenance import Origin


def _place(ctx: E.Context, f: Finding) -> tuple[int, int]:
    if f.line:
        return f.line, f.column
    if ctx.locate is None:
        return 0, 0
    try:
        return ctx.locate(ctx.config_file, tuple(f.path))
    except Exception:
        return 0, 0


def _guard(ctx: E.Context, where: tuple, fn, *args) -> None:
    try:
        fn(*args)
    except (E.StepError, AttributeError, TypeError, KeyError, ValueError) as exc:
        message = str(exc) if isinstance(exc, E.StepError) else "an input has an unexpected shape"
        ctx.lcore_fails(message, "fix the shape of this section (see the schema)", where)


def _drop_openai_row(b: E.Builder) -> None:
    providers = b.root.get("providers")
    if not isinstance(providers, dict) or not isinstance(providers.get("inference"), list):
        return
    old = providers["inference"]
    kept = [i for i, p in enumerate(old)
            if not (isinstance(p, dict) and p.get("provider_id") == E.OPENAI_CONDITIONAL_ID)]
    if len(kept) == len(old):
        return
    new = b.adopt([old[i] for i in kept])
    b.prov.reindex(old, new, kept)
    b.own(b.root, "providers")["inference"] = new


def _providers_crash_lcore(providers: Any) -> bool:
    """Whether LCORE's vector_io dedupe fails on this ``providers`` value: it asks
    ``"vector_io" in providers`` and then indexes it, which only a mapping survives."""
    if isinstance(providers, dict):
        return False
    if isinstance(providers, (str, list)):
        return "vector_io" in providers
    return True


def _check_providers_shape(b: E.Builder, ctx: E.Context, source: tuple) -> None:
    """``providers: null`` (or another non-mapping) where LCORE dedupes vector_io: LCORE
    fails at start-up, so no run.yaml is written."""
    if "providers" not in b.root or not _providers_crash_lcore(b.root["providers"]):
        return
    file, base = source
    finding_file = file if not file.startswith("builtin:") else ctx.config_file
    shown = "null" if b.root["providers"] is None else type(b.root["providers"]).__name__
    ctx.find(Severity.ERROR, "synthesis-lcore-fails",
             f"LCORE's synthesizer stops here: `providers` is {shown}, not a mapping; LCORE fails at "
             "start-up when it deduplicates providers.vector_io",
             "write providers as a mapping of API name to provider list, or remove the key",
             base + ("providers",), file=finding_file)


def _report_dupes(b: E.Builder, ctx: E.Context, source: tuple) -> None:
    providers = b.root.get("providers")
    items = providers.get("vector_io") if isinstance(providers, dict) else None
    if not isinstance(items, list):
        return
    kept = set(E._dedupe_items(items))
    for index, item in enumerate(items):
        if index in kept:
            continue
        file, base = source
        what = "is not a mapping" if not isinstance(item, dict) else "repeats an earlier provider_id"
        finding_file = file if not file.startswith("builtin:") else ctx.config_file
        ctx.find(Severity.INFO, "synthesis-vector-io-dedupe",
                 f"providers.vector_io[{index}] {what}; LCORE drops it",
                 "remove the entry or give it a unique provider_id",
                 base + ("providers", "vector_io", index), file=finding_file)


def _enrich(b: E.Builder, ctx: E.Context, config: dict, *, unified_mode: bool) -> None:
    """Azure, BYOK, Solr/OKP and (unified only) vector_store, reading the raw config where the
    target release reads them (``ctx.release_rules``)."""
    rules = ctx.release_rules
    if rules.azure_in_run_yaml:
        _guard(ctx, ("azure_entra_id",), E.enrich_azure, b, ctx, config.get("azure_entra_id"), ("azure_entra_id",))
    rag = rules.rag_inputs(config)
    for message, fix, path in rag.problems:
        ctx.lcore_fails(message, fix, path)
    _guard(ctx, rag.stores_path, E.enrich_byok, b, ctx, rag.stores, rag.stores_path)
    if unified_mode and rules.vector_store and rules.vector_store_before_solr:
        _guard(ctx, ("vector_store",), E.enrich_vector_store, b, ctx, config.get("vector_store"), ("vector_store",))
    inline, tool = rag.sources
    try:
        enabled = E.OKP_ID in (inline or []) or E.OKP_ID in (tool or [])
    except TypeError:
        ctx.lcore_fails("the RAG source lists have an unexpected shape", "write them as lists of ids",
                        rag.sources_path)
        enabled = False
    okp = rag.okp
    if enabled and not isinstance(okp, dict):
        ctx.lcore_fails(f"{'.'.join(rag.okp_path)} is not a mapping",
                        f"write {'.'.join(rag.okp_path)} as a mapping (or remove it)", rag.okp_path)
    _guard(ctx, rag.okp_path, E.enrich_okp, b, ctx, okp, enabled, rag.okp_path)
    if unified_mode and rules.vector_store and not rules.vector_store_before_solr:
        _guard(ctx, ("vector_store",), E.enrich_vector_store, b, ctx, config.get("vector_store"), ("vector_store",))


def _apply_override(b: E.Builder, ctx: E.Context, override: dict, source: tuple) -> None:
    prov = b.prov

    def on_set(container, key, opath):
        origin = Origin("native_override", ctx.config_file, source + opath, True)
        prov.mark_key(container, key, origin)

    if b.aliased or E.has_aliases(override):
        new_root = _merge_like_lcore(b, override, source, ctx)
    else:
        new_root = deep_merge_list_replace(b.root, override, copy_map=b._copy, on_set=on_set)
    b.replace_root(new_root, prov.node.get(id(b.root), Origin("unknown", "")))
    _report_3370(ctx, override, source, b.root)


def _merge_like_lcore(b: E.Builder, override: dict, source: tuple, ctx: E.Context) -> dict:
    """The merge rule with LCORE's copying (a deep copy per level and per overlay value).

    Used only when anchors/aliases are involved, where the copies decide which nodes stay
    shared (and so which get YAML anchors when written). Provenance follows the copies.
    """
    prov = b.prov

    def deep(obj):
        memo: dict = {}
        new = copy.deepcopy(obj, memo)
        for old_id, copied in memo.items():
            if old_id != id(memo) and isinstance(copied, (dict, list)):
                prov.inherit_id(old_id, copied)
        return new

    def merge(base: dict, overlay: dict, path: tuple) -> dict:
        result = deep(base)
        for key, value in overlay.items():
            current = result.get(key)
            if isinstance(current, dict) and isinstance(value, dict):
                result[key] = merge(current, value, path + (key,))
            else:
                result[key] = copy.deepcopy(value)
                prov.mark_key(result, key, Origin("native_override", ctx.config_file,
                                                  source + path + (key,), True))
        return result

    return merge(b.root, override, ())


def _azure_missed(ctx: E.Context, override: dict, root: dict) -> bool:
    """An Azure provider that arrives via native_override never gets model_validation."""
    if not ctx.azure_entra_id:
        return False
    providers = override.get("providers")
    rows = providers.get("inference") if isinstance(providers, dict) else None
    if not isinstance(rows, list):
        return False
    return any(isinstance(r, dict) and r.get("provider_type") == "remote::azure"
               and not (isinstance(r.get("config"), dict) and r["config"].get("model_validation") is False)
               for r in rows)


def _report_3370(ctx: E.Context, override: dict, source: tuple, root: dict) -> None:
    wiped: dict[tuple, set] = {}
    if _azure_missed(ctx, override, root):
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
    names = {"azure": "Azure Entra ID (model_validation: false)", "byok": "BYOK RAG",
             "okp": "Solr/OKP", "vector_store": "vector_store.providers",
             "inference.providers": "high-level inference.providers"}
    for path, steps in sorted(wiped.items(), key=lambda kv: [str(p) for p in kv[0]]):
        what = ", ".join(names[s] for s in sorted(steps))
        ctx.find(
            Severity.WARNING, "synthesis-lcore-3370",
            f"native_override replaces '{path_text(path)}' wholesale after enrichment, so the "
            f"{what} enrichment is missing there in the run.yaml LCORE runs (LCORE-3370: lists "
            "are replaced, never merged)",
            f"move '{path_text(path)}' out of native_override into a profile (llama_stack.config."
            "profile), which enrichment extends, or add the enriched entries to the override",
            source + path,
        )
