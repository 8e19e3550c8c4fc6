"""The preflight runner's public API (no Textual here): what scripts, the CLI and the editor call.

* :func:`run_preflight` - an async generator of JSON-ready event dicts (schema in
  ``docs/preflight.md``). Cancel it by cancelling the task that iterates it, by calling
  ``aclose()`` on it, or by setting the ``cancel`` event; the probe process group is killed
  in every case.
* :func:`collect` - the same run to its end, as a list.
* :func:`load_run_yaml` / :func:`build_plan` - what will be checked, without running anything.
* :class:`PreflightInputError` - bad input (missing run.yaml, not YAML, not a mapping, bad
  ``--python``): the CLI prints its one-line message and exits 2.

The work is done by :mod:`~lsc_tui.preflight.plan` (run.yaml to a plan),
:mod:`~lsc_tui.preflight.process` (the probe process), :mod:`~lsc_tui.preflight.run` (one run,
step by step) and :mod:`~lsc_tui.preflight.results` (result events).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from lsc_tui.preflight import sandbox
from lsc_tui.preflight.plan import JSON, PreflightInputError, ProviderPlan, build_plan, load_run_yaml
from lsc_tui.preflight.run import DEFAULT_TIMEOUT, SCHEMA_VERSION, Options, PreflightRun

PHASES = ("architecture", "import", "spec", "fields", "config", "metadata")


async def run_preflight(
    run_yaml_path: str | os.PathLike[str],
    *,
    python: str | None = None,
    metadata_dir: str | None = None,
    keep_going: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    check_config: bool = False,
    env: Mapping[str, str] | None = None,
    cancel: asyncio.Event | None = None,
    startup_timeout: float | None = None,
    memory_limit: int | None = sandbox.DEFAULT_MEMORY_LIMIT,
    nproc_limit: int | None = sandbox.DEFAULT_NPROC_LIMIT,
    namespaces: bool = True,
) -> AsyncGenerator[JSON, None]:
    """Check every provider of a run.yaml; yields events as they happen.

    ``memory_limit`` (bytes, None for none) and ``nproc_limit`` bound the probe process;
    ``namespaces`` isolates it from the network and makes the file system read-only where
    the kernel allows (see :mod:`lsc_tui.preflight.sandbox`).

    Raises :class:`PreflightInputError` (before the first event) for bad input.
    """
    options = Options(
        python=python,
        metadata_dir=metadata_dir,
        keep_going=keep_going,
        timeout=timeout,
        check_config=check_config,
        env=env,
        cancel=cancel,
        startup_timeout=startup_timeout,
        memory_limit=memory_limit,
        nproc_limit=nproc_limit,
        namespaces=namespaces,
    )
    run = PreflightRun.prepare(run_yaml_path, options)
    async for ev in run.events():
        yield ev


async def collect(run_yaml_path: str | os.PathLike[str], **kwargs: Any) -> list[JSON]:
    """Run preflight to the end and return every event (for scripts and tests)."""
    return [ev async for ev in run_preflight(run_yaml_path, **kwargs)]


__all__ = [
    "DEFAULT_TIMEOUT",
    "PHASES",
    "SCHEMA_VERSION",
    "PreflightInputError",
    "ProviderPlan",
    "build_plan",
    "collect",
    "load_run_yaml",
    "run_preflight",
]
