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

Where an LCORE release plugs in: each release module (``lsc_tui/config/releases/``) holds a
``ReleaseRules`` with its pipelines as sequences of these step functions (a release drops a
step, as 0.6.x drops the MCP injection, or orders them otherwise, as 0.7.0rc1 runs
``vector_store`` before Solr), its baseline run.yaml, where it reads the RAG inputs
(``Run.rag()``), and the few values the enrichment helpers take from
``Context.release_rules`` (BYOK key and embedding alias style, the Solr URL form and model
ids, whether ``inference.providers[].id`` counts). ``synthesize_unified(..., release=R)`` and
the legacy entry points run R's pipelines; ``steps=...`` runs any other sequence
(``steps.UNIFIED_STEPS``, ``steps.LEGACY_SERVER_STEPS`` and ``legacy.LEGACY_LIBRARY_STEPS``
are main's).

Env references are never resolved (LCORE resolves two values itself while synthesizing; see
the findings). The output is built copy-on-write, so it shares every unchanged subtree with
its inputs: treat ``Synthesis.data`` as read-only.
"""
