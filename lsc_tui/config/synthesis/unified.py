"""The unified pipeline: the run.yaml LCORE synthesizes from a unified lightspeed-stack.yaml.

It follows LCORE's order exactly (baseline, vector_io dedupe, Azure Entra ID, BYOK RAG,
Solr/OKP, ``vector_store.providers``, high-level ``inference.providers``, MCP ensure,
``native_override``, dedupe). Env references are never resolved (LCORE resolves two values
itself while synthesizing; see the findings). The output is built copy-on-write, so it
shares every unchanged subtree with its inputs: treat ``Synthesis.data`` as read-only.
"""

from __future__ import annotations

import os
from typing import Optional
from collections.abc import Callable, Mapping

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.releases import Release, rules_for
from lsc_tui.config.synthesis import enrichment as E
from lsc_tui.config.synthesis.baseline import BUILTIN_DEFAULT, default_baseline, load_profile, unified_block
from lsc_tui.config.synthesis.provenance import Origin
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.synthesis.steps import (
    _apply_override, _check_providers_shape, _drop_openai_row, _enrich, _guard, _place, _report_dupes,
)

Locate = Callable[[str, tuple], tuple]


def synthesize_unified(
    config: dict,
    config_dir: Optional[os.PathLike | str],
    *,
    config_file: str,
    profile: Optional[dict] = None,
    profile_file: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    locate: Optional[Locate] = None,
    baseline_data: Optional[dict] = None,
    env_source: Optional[str] = None,
    release: Optional[Release] = None,
) -> Synthesis:
    """The run.yaml LCORE synthesizes from a unified lightspeed-stack.yaml.

    ``config`` is the raw data (PyYAML safe_load, env refs unresolved). When the config
    names a ``profile`` the caller passes it pre-loaded (``profile``/``profile_file``);
    if it does not, it is loaded here with LCORE's path rule. ``env`` is only used for the
    two values LCORE itself resolves (the OKP URL, and existing vector store ids when
    matching BYOK stores); ``None`` means unknown. ``env_source`` names where ``env`` comes
    from (an env file of the server's); None with an ``env``: lsc-tui's own environment.
    ``locate(file, path) -> (line, col)`` places findings. ``release`` is the LCORE release
    whose synthesis to follow (None: main, forward-compatible).
    """
    rules = rules_for(release)
    ctx = E.Context(config_file=str(config_file), env=env, locate=locate, env_source=env_source, rules=rules)
    if not rules.unified:
        ctx.find(Severity.ERROR, "synthesis-no-unified-mode",
                 f"{rules.release.label} has no unified mode: it never synthesizes a run.yaml",
                 "use the two-file configuration (library_client_config_path + run.yaml) with this release, "
                 "or choose a later LCORE release", ())
        return Synthesis({}, ctx.findings, "unified", E.Builder({}, Origin("baseline:empty", str(config_file))).prov)
    if not isinstance(config, dict):
        config = {}
        ctx.find(Severity.ERROR, "synthesis-not-a-mapping", "the configuration is not a mapping",
                 "write the configuration as a YAML mapping", ())
    root_key, unified = unified_block(config)
    ctx.root_key = root_key
    base = (root_key, "config")
    if unified is not None and not isinstance(unified, dict):
        ctx.lcore_fails(f"{root_key}.config is not a mapping",
                        f"write {root_key}.config as a mapping (or remove it)", base)
        unified = None

    # 1. baseline: profile beats baseline
    baseline_empty = False
    if unified and unified.get("profile"):
        if profile is None:
            profile, loaded_from, problems = load_profile(config, config_dir)
            for f in problems:
                ctx.findings.append(Finding(f.file or ctx.config_file, *(_place(ctx, f)), f.severity,
                                            f.code, f.message, f.fix, f.path))
            profile_file = profile_file or loaded_from
        profile_file = str(profile_file or unified.get("profile"))
        if profile is None:
            profile = {}
        if not isinstance(profile, dict):
            ctx.find(Severity.ERROR, "synthesis-lcore-fails",
                     "LCORE's synthesizer stops here: the profile is not a run.yaml mapping",
                     "point profile at a run.yaml-shaped file", base + ("profile",))
            profile = {}
        b = E.Builder(profile, Origin("profile", profile_file, ()))
        baseline_source: tuple[str, tuple] = (profile_file, ())
    elif unified and unified.get("baseline") == "empty":
        baseline_empty = True
        b = E.Builder({}, Origin("baseline:empty", ctx.config_file, base + ("baseline",), False))
        baseline_source = (ctx.config_file, base + ("baseline",))
    else:
        choice = unified.get("baseline") if unified else None
        data = baseline_data if baseline_data is not None else default_baseline(rules.baseline_file)
        if choice == "byo-llm" and "byo-llm" in rules.baselines:
            b = E.Builder(data, Origin("baseline:byo-llm", BUILTIN_DEFAULT, ()))
            _drop_openai_row(b)
        else:
            if choice not in (None, "default"):
                ctx.find(Severity.WARNING, "synthesis-unknown-baseline",
                         f"baseline '{choice}' is not one LCORE knows; it synthesizes from the "
                         "built-in default baseline", "use one of: " + ", ".join(rules.baselines),
                         base + ("baseline",))
            b = E.Builder(data, Origin("baseline:default", BUILTIN_DEFAULT, ()))
        baseline_source = (BUILTIN_DEFAULT, ())

    # 2. dedupe
    _check_providers_shape(b, ctx, baseline_source)
    _report_dupes(b, ctx, baseline_source)
    E.dedupe_vector_io(b)

    # 3. enrichment (Azure, BYOK, Solr/OKP, vector_store)
    ctx.azure_entra_id = config.get("azure_entra_id") is not None
    _enrich(b, ctx, config, unified_mode=True)

    # 4. high-level inference
    inference = config.get("inference")
    hl = inference.get("providers") if isinstance(inference, dict) else None
    if hl:
        _guard(ctx, ("inference", "providers"), E.apply_inference, b, ctx, hl if isinstance(hl, list) else [],
               ("inference", "providers"), config.get("azure_entra_id") is not None)

    # 5. MCP ensure unless the baseline is empty
    if not baseline_empty and rules.mcp:
        _guard(ctx, base, E.ensure_mcp, b, ctx, base)

    # 6. native_override
    override = unified.get("native_override") if unified else None
    if override:
        if not isinstance(override, dict):
            ctx.lcore_fails("native_override is not a mapping",
                            "write native_override as a run.yaml-shaped mapping", base + ("native_override",))
        else:
            _apply_override(b, ctx, override, base + ("native_override",))

    # 7. dedupe again
    if isinstance(override, dict) and "providers" in override:
        _check_providers_shape(b, ctx, (ctx.config_file, base + ("native_override",)))
    E.dedupe_vector_io(b)
    return Synthesis(b.root, ctx.findings, "unified", b.prov)
