"""The unified pipeline: the run.yaml LCORE synthesizes from a unified lightspeed-stack.yaml.

LCORE's order (``steps.UNIFIED_STEPS``): baseline, vector_io dedupe, Azure Entra ID, BYOK
RAG, Solr/OKP, ``vector_store.providers``, high-level ``inference.providers``, MCP ensure,
``native_override``, dedupe. Env references are never resolved (LCORE resolves two values
itself while synthesizing; see the findings). The output is built copy-on-write, so it
shares every unchanged subtree with its inputs: treat ``Synthesis.data`` as read-only.
"""

from __future__ import annotations

import os
from typing import Any, Optional
from collections.abc import Mapping, Sequence

from lsc_tui.config.findings import Severity
from lsc_tui.config.releases import Release, rules_for
from lsc_tui.config.synthesis import enrichment as E
from lsc_tui.config.synthesis.baseline import unified_block
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.synthesis.steps import Run, Step


def synthesize_unified(
    config: Any,
    config_dir: Optional[os.PathLike[str] | str],
    *,
    config_file: str,
    profile: Any = None,
    profile_file: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    locate: Optional[E.Locate] = None,
    baseline_data: Optional[dict[str, Any]] = None,
    env_source: Optional[str] = None,
    steps: Optional[Sequence[Step]] = None,
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
    to synthesize as (None: main, forward-compatible): its parameters and its pipeline,
    unless ``steps`` gives another sequence.
    """
    rules = rules_for(release)
    ctx = E.Context(config_file=str(config_file), env=env, locate=locate, env_source=env_source, rules=rules)
    if not rules.unified:
        ctx.find(
            Severity.ERROR,
            "synthesis-no-unified-mode",
            f"{rules.release.label} has no unified mode: it never synthesizes a run.yaml",
            "use the two-file configuration (library_client_config_path + run.yaml) with this release, "
            "or target a later LCORE release",
            (),
        )
        return Synthesis({}, ctx.findings, "unified")
    if not isinstance(config, dict):
        config = {}
        ctx.find(
            Severity.ERROR,
            "synthesis-not-a-mapping",
            "the configuration is not a mapping",
            "write the configuration as a YAML mapping",
            (),
        )
    root_key, unified = unified_block(config)
    ctx.root_key = root_key
    base = (root_key, "config")
    if unified is not None and not isinstance(unified, dict):
        ctx.lcore_fails(
            f"{root_key}.config is not a mapping", f"write {root_key}.config as a mapping (or remove it)", base
        )
        unified = None
    run = Run(
        config,
        ctx,
        config_dir=config_dir,
        unified=unified,
        base=base,
        profile=profile,
        profile_file=profile_file,
        baseline_data=baseline_data,
    )
    for step in steps if steps is not None else rules.unified_steps:
        step(run)
    return Synthesis(run.b.root, ctx.findings, "unified", run.b.prov)
