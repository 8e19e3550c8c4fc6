"""Provider preflight (seed 001): is every provider of a run.yaml installed, built for this
machine, importable, and does it return a valid spec?

* ``probe``    stdlib-only script run inside the target interpreter; streams JSON events.
* ``runner``   asyncio process control and the public API :func:`runner.run_preflight`.
* ``report``   the seed-001 ERROR/WARNING blocks, progress lines and summary.
* ``metadata`` ``lls-provider-spec.yaml`` reading and comparison.
* ``cli``      ``llama-stack-preflight`` / ``lsc-tui preflight``.

Nothing here imports Textual. See docs/preflight.md.
"""
