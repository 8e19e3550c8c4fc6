"""Synthesis: the run.yaml Llama Stack will actually run, as LCORE builds it.

One module per job; import from the module that does it (this package re-exports nothing,
so importing the writer does not load the pipeline):

- ``unified``: ``synthesize_unified``, LCORE's unified pipeline (lightspeed-stack.yaml with
  ``llama_stack.config``) run as a sequence of steps.
- ``steps``: the pipeline steps the unified and legacy modes share (dedupe, the enrichment
  sections, ``native_override``, the LCORE-3370 report) and the guard that turns a step's
  crash on a malformed input into LCORE's "it stops here" finding.
- ``legacy``: the two legacy modes (library client, server container) and the library
  mode's own steps (stores and OKP URL as LCORE's validated model holds them).
- ``enrichment``: the enrichment steps themselves (Azure Entra ID, BYOK RAG, Solr/OKP,
  ``vector_store``, high-level inference, MCP) over a copy-on-write ``Builder``.
- ``baseline``: what a synthesis starts from (the built-in default baseline, a profile).
- ``merge``: LCORE's ``native_override`` merge rule.
- ``provenance``: which input produced each value of the output.
- ``result``: ``Synthesis``, the result (data, findings, provenance, text).
- ``emit``: the run.yaml writer (LCORE's bytes, fast path with PyYAML fallback, 0600 file).

Where an LCORE release plugs in: a release module (``lsc_tui/config/releases/``) supplies
what differs between releases as a pipeline, not as flags inside the steps.
``synthesize_unified(..., steps=...)`` takes the sequence of step functions to run
(``steps.UNIFIED_STEPS`` is LCORE main's): a release drops a step (no MCP injection),
replaces one with its own function over the same ``steps.Run`` (another provider ``id`` rule,
BYOK key style, embedding model alias style or Solr URL form; the enrichment helpers it
reuses are plain functions of a builder) or adds one, and passes its own baseline run.yaml
as ``baseline_data``. The legacy modes take ``steps=`` the same way
(``legacy.LEGACY_LIBRARY_STEPS``, ``steps.LEGACY_SERVER_STEPS``).

Env references are never resolved (LCORE resolves two values itself while synthesizing; see
the findings). The output is built copy-on-write, so it shares every unchanged subtree with
its inputs: treat ``Synthesis.data`` as read-only.
"""
