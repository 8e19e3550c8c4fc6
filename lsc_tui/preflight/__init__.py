"""Provider preflight (seed 001): is every provider of a run.yaml installed, built for this
machine, importable, and does it return a valid spec?

* ``probe/``   the standard-library package run inside the target interpreter (loaded there
  under a name of its own); one module per phase; streams JSON events.
* ``runner``   the public API: :func:`runner.run_preflight`, :func:`runner.collect`.
* ``plan``     run.yaml to one plan per provider entry; the secret values to mask.
* ``process``  the probe process: loader, start, event stream, kill.
* ``sandbox``  the probe process's containment (limits, namespaces, sweep).
* ``run``      one run, step by step (:class:`run.PreflightRun`).
* ``results``  result events from probe results, crashes and timeouts; the metadata phase.
* ``report``   the seed-001 ERROR/WARNING blocks, progress lines and summary.
* ``metadata`` ``lls-provider-spec.yaml`` reading and comparison.
* ``cli``      ``llama-stack-preflight`` / ``lsc-tui preflight``.

Nothing here imports Textual. See docs/preflight.md.
"""
