"""One preflight run, step by step: read and plan run.yaml, start the probe in the target
interpreter, turn its events into the run's events (schema in ``docs/preflight.md``), start
the probe again after a provider crashed it (``--keep-going``), and summarise.

:class:`PreflightRun` holds the run's state; each step is a method named for what it does.
:func:`lsc_tui.preflight.runner.run_preflight` is the public way to iterate one.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lsc_tui.preflight import report, sandbox
from lsc_tui.preflight.plan import (
    JSON,
    Masker,
    PreflightInputError,
    ProviderPlan,
    build_plan,
    load_run_yaml,
    problem,
    secret_values,
)
from lsc_tui.preflight.process import PYTHON_FIX, ProbeSession, exit_text, resolve_python
from lsc_tui.preflight.results import abnormal_result, finish_result, metadata_phase, output_details, result_base

SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 30.0
STARTUP_MIN = 10.0  # seconds the target interpreter gets to start the probe, whatever --timeout


@dataclass
class Options:
    """How to run: the keyword arguments of :func:`~lsc_tui.preflight.runner.run_preflight`."""

    python: str | None = None
    metadata_dir: str | None = None
    keep_going: bool = False
    timeout: float = DEFAULT_TIMEOUT
    check_config: bool = False
    env: Mapping[str, str] | None = None
    cancel: asyncio.Event | None = None
    startup_timeout: float | None = None
    memory_limit: int | None = sandbox.DEFAULT_MEMORY_LIMIT
    nproc_limit: int | None = sandbox.DEFAULT_NPROC_LIMIT
    namespaces: bool = True


@dataclass
class _Stream:
    """Where one probe session is: the provider it checks, its phase, the deadline."""

    by_index: dict[int, ProviderPlan]
    deadline: float
    began: float
    current: ProviderPlan | None = None
    current_phase: str | None = None
    warming: ProviderPlan | None = None  # a built-in provider the probe imports before the checks
    err_mark: int = 0  # stderr bytes before the current provider began
    said_hello: bool = False
    abnormal: tuple[str, str] | None = None  # (kind, text) when the session ended badly
    done: bool = False  # the session's event stream is over

    def where(self) -> str:
        return f" in the {self.current_phase} phase" if self.current_phase else ""


@dataclass
class PreflightRun:
    """A whole run: its plan and options, and the results reached so far."""

    run_yaml_path: str
    options: Options
    env: dict[str, str]
    plans: list[ProviderPlan]
    interpreter: str
    mask: Masker
    startup: float
    t0: float = field(default_factory=time.monotonic)
    results: dict[int, JSON] = field(default_factory=dict)
    stopped_early: bool = False
    cancelled: bool = False
    fatal: JSON | None = None
    target_info: JSON = field(default_factory=dict)
    target_sent: bool = False
    session: ProbeSession | None = None
    _cancel_task: asyncio.Future[Any] | None = None

    # -- step 1: input -------------------------------------------------------------------

    @classmethod
    def prepare(cls, run_yaml_path: str | os.PathLike[str], options: Options) -> PreflightRun:
        """Read run.yaml, plan it, check the options; :class:`PreflightInputError` for bad input."""
        t0 = time.monotonic()
        path = str(run_yaml_path)
        env = dict(os.environ if options.env is None else options.env)
        data = load_run_yaml(path)
        plans = build_plan(data, path, metadata_dir=options.metadata_dir, check_config=options.check_config, env=env)
        if options.metadata_dir and not os.path.isdir(options.metadata_dir):
            raise PreflightInputError(
                f"--metadata-dir {options.metadata_dir}: no such directory",
                fix="Give the directory holding <provider_id>/lls-provider-spec.yaml, or leave the option out.",
            )
        if options.timeout is None or options.timeout <= 0:
            raise PreflightInputError(
                "--timeout must be a positive number of seconds", fix="Give --timeout 30, or leave it out."
            )
        interpreter = resolve_python(options.python)
        startup = (
            options.startup_timeout if options.startup_timeout is not None else max(options.timeout or 0, STARTUP_MIN)
        )
        return cls(path, options, env, plans, interpreter, Masker(secret_values(data, env)), startup, t0=t0)

    @property
    def total(self) -> int:
        return len(self.plans)

    def probe_env(self) -> dict[str, str]:
        env = dict(self.env)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONSTARTUP", None)
        env.setdefault("PYTHONIOENCODING", "utf-8")
        return env

    # -- the run as a whole ------------------------------------------------------------

    async def events(self) -> AsyncIterator[JSON]:
        """Every event of the run, from ``start`` to ``summary``."""
        yield self.start_event()
        try:
            async for ev in self.check_providers():
                yield ev
        finally:
            await self.cleanup()
        if self.fatal is not None:
            yield self.mask.event(
                {"event": "fatal", "error": self.fatal, "text": report.error_block("(all)", self.fatal)}
            )
        yield self.summary()

    def start_event(self) -> JSON:
        o = self.options
        return {
            "event": "start",
            "schema": SCHEMA_VERSION,
            "run_yaml": self.run_yaml_path,
            "python": self.interpreter,
            "keep_going": o.keep_going,
            "timeout": o.timeout,
            "check_config": o.check_config,
            "metadata_dir": o.metadata_dir,
            "providers": [p.public() for p in self.plans],
        }

    def probe_plans(self) -> list[ProviderPlan]:
        """The entries the probe checks; fail-fast stops before the first entry the runner rejects."""
        plans = [p for p in self.plans if not p.runner_only]
        if not self.options.keep_going:
            first_bad = next((p.index for p in self.plans if p.runner_only and p.entry_error), None)
            if first_bad is not None:
                plans = [p for p in plans if p.index < first_bad]
        return plans

    async def check_providers(self) -> AsyncIterator[JSON]:
        """Probe sessions until every provider has a result, the run stops early, or it is cancelled:
        after a provider crashed a session (``--keep-going``), a new one checks the rest."""
        remaining = self.probe_plans()
        while True:
            nxt = remaining[0].index if remaining else self.total + 1
            for ev in self.runner_results(nxt):
                yield ev
                if ev["status"] == "error" and not self.options.keep_going:
                    self.stopped_early = True
                    break
            if self.stopped_early or not remaining:
                return
            stream = _Stream({p.index: p for p in remaining}, 0.0, 0.0)
            session = await self.start_session(remaining, stream)
            async for ev in self.stream_session(session, stream):
                yield ev
            code = await session.close(grace=0.5 if stream.abnormal is None else 0.0)
            if self.cancelled:
                return
            if not stream.said_hello:
                self.fatal = self.probe_did_not_start(stream, code, session)
                return
            for ev in self.conclude_session(stream, code, remaining, session):
                yield ev
            remaining = [p for p in remaining if p.index not in self.results]
            if self.stopped_early:
                return
            if stream.abnormal is None and remaining:
                return  # the probe stopped by itself at an error (fail-fast)

    # -- results the runner gives itself ----------------------------------------------

    def runner_results(self, upto_index: int) -> Iterator[JSON]:
        """Runner-side results before ``upto_index``, made (and counted) only when consumed."""
        for plan in self.plans:
            if plan.runner_only and plan.index < upto_index and plan.index not in self.results:
                yield self.runner_result(plan)

    def runner_result(self, plan: ProviderPlan) -> JSON:
        res = result_base(plan, self.total)
        if plan.skip_reason:
            res.update(status="skipped", skip_reason=plan.skip_reason)
        else:
            err = dict(plan.entry_error or {})
            err["module"] = err.get("module") or plan.module
            res.update(status="error", phase=err.get("phase", "plan"), error=err)
        return self.record(plan, res)

    def record(self, plan: ProviderPlan, res: JSON) -> JSON:
        """Render, mask and keep a provider's result; the event to yield."""
        res["text"] = report.result_text(res)
        res = self.mask.event(res)
        self.results[plan.index] = res
        return res

    # -- one probe session ---------------------------------------------------------------

    async def start_session(self, plans: list[ProviderPlan], stream: _Stream) -> ProbeSession:
        o = self.options
        self.session = session = ProbeSession(
            self.interpreter,
            plans,
            o.keep_going,
            self.probe_env(),
            sandbox.Containment(memory_limit=o.memory_limit, nproc_limit=o.nproc_limit, namespaces=o.namespaces),
        )
        try:
            await session.start()
        except OSError as exc:
            raise PreflightInputError(
                f"--python {self.interpreter}: cannot start ({exc.strerror or exc})", fix=PYTHON_FIX
            ) from None
        if o.cancel is not None and self._cancel_task is None:
            self._cancel_task = asyncio.ensure_future(o.cancel.wait())
        stream.began = time.monotonic()
        # Starting an interpreter is not a provider's fault: allow it at least STARTUP_MIN.
        stream.deadline = stream.began + self.startup
        return session

    async def stream_session(self, session: ProbeSession, stream: _Stream) -> AsyncIterator[JSON]:
        """The session's messages until its stream ends, as the run's events."""
        cancel = self.options.cancel
        while not stream.done:
            if cancel is not None and cancel.is_set():
                self.cancelled = True
                return
            wait = max(0.0, stream.deadline - time.monotonic())
            if cancel is not None:
                wait = min(wait, 0.2)
            kind, payload = await session.next(wait)
            if kind == "timeout":
                self.on_timeout(session, stream)
            elif kind == "eof":
                stream.done = True
            elif kind == "garbage":
                self.on_garbage(session, stream, payload)
            else:
                for ev in self.on_event(session, stream, payload):
                    yield ev

    def on_timeout(self, session: ProbeSession, stream: _Stream) -> None:
        if time.monotonic() < stream.deadline:
            return  # woke up to look at the cancel event
        if stream.warming is not None and stream.current is None:
            stream.current_phase = "import"
        self.end_badly(session, stream, "timeout", f"Timed out after {self.options.timeout:g} s{stream.where()}")

    def on_garbage(self, session: ProbeSession, stream: _Stream, text: str) -> None:
        """A line on the event channel that is not an event."""
        session.garbage.append(text)
        if stream.said_hello:
            # Only provider code can have written this: the stream is no longer trustworthy.
            self.end_badly(session, stream, "garbage", "The probe's event stream was corrupted" + stream.where())

    def end_badly(self, session: ProbeSession, stream: _Stream, kind: str, text: str) -> None:
        stream.abnormal = (kind, text)
        stream.done = True
        if kind in ("timeout", "garbage"):
            session.kill()

    def on_event(self, session: ProbeSession, stream: _Stream, ev: JSON) -> Iterator[JSON]:
        """One event of the probe (``hello``, ``warm``, ``begin``, ``phase``, ``result``, ...)."""
        name = ev.get("event")
        timeout = self.options.timeout
        if name == "hello":
            stream.said_hello = True
            stream.deadline = time.monotonic() + timeout
            self.target_info.update(ev)
            if not self.target_sent:
                self.target_sent = True
                yield self.target_event(session, ev)
        elif name == "warm":
            index = ev.get("index")
            stream.warming = stream.by_index.get(index) if index is not None else None
            stream.deadline = time.monotonic() + timeout
        elif name == "begin":
            yield from self.on_begin(session, stream, ev)
        elif name == "phase":
            stream.current_phase = ev.get("phase")
            if stream.current is not None:
                yield self.mask.event(
                    {
                        "event": "phase",
                        "index": stream.current.index,
                        "provider_id": stream.current.provider_id,
                        "api": stream.current.api,
                        "phase": stream.current_phase,
                        "status": ev.get("status"),
                        "duration_s": ev.get("duration_s"),
                        "detail": ev.get("detail", ""),
                    }
                )
        elif name == "result":
            yield from self.on_result(session, stream, ev)
        elif name == "garbage":
            # a provider wrote into its report channel: the zygote stopped it
            session.garbage.extend(str(x) for x in (ev.get("lines") or [])[:10])
            self.end_badly(session, stream, "garbage", "The probe's event stream was corrupted" + stream.where())
        elif name == "child_exit":
            code = ev.get("returncode")
            self.end_badly(
                session,
                stream,
                "crash",
                f"The probe process {exit_text(code if isinstance(code, int) else None)}" + stream.where(),
            )
        elif name == "done":
            stream.done = True
        elif name == "fatal":
            self.end_badly(session, stream, "fatal", str(ev.get("message", "probe failed")))

    def target_event(self, session: ProbeSession, hello: JSON) -> JSON:
        return self.mask.event(
            {
                "event": "target",
                "python": hello.get("python"),
                "python_version": hello.get("python_version"),
                "platform": hello.get("platform"),
                "llama_stack": hello.get("llama_stack"),
                "pid": hello.get("pid"),
                "containment": dict(session.layers, verdict_isolation=bool(hello.get("isolated"))),
            }
        )

    def on_begin(self, session: ProbeSession, stream: _Stream, ev: JSON) -> Iterator[JSON]:
        stream.warming = None
        index = ev.get("index")
        current = stream.by_index.get(index) if isinstance(index, int) else None
        stream.current = current
        if current is None:
            return
        yield from self.runner_results(current.index)
        stream.current_phase = None
        stream.began = time.monotonic()
        stream.deadline = stream.began + self.options.timeout
        stream.err_mark = session.stderr_total
        yield {"event": "provider", "total": self.total, **current.public()}

    def on_result(self, session: ProbeSession, stream: _Stream, ev: JSON) -> Iterator[JSON]:
        current = stream.current
        if current is None or ev.get("index") != current.index:
            return  # only the provider being checked has a result now
        res = finish_result(
            current, ev, self.total, session, stream.err_mark, time.monotonic() - stream.began, self.target_info
        )
        if res["status"] != "error":
            for pev in metadata_phase(current, res):
                yield self.mask.event(pev)
        res = self.record(current, res)
        yield res
        if res["status"] == "error" and not self.options.keep_going:
            self.stopped_early = True
        stream.current = None
        stream.current_phase = None
        stream.deadline = time.monotonic() + self.options.timeout

    def probe_did_not_start(self, stream: _Stream, code: int | None, session: ProbeSession) -> JSON:
        if stream.abnormal and stream.abnormal[0] == "timeout":
            reason = f"The target interpreter did not start the preflight probe within {self.startup:g} s"
        else:
            reason = f"The target interpreter did not run the preflight probe: it {exit_text(code)}"
        err = problem(
            "probe_failed",
            reason,
            output_details(session),
            "Check --python: it must be the Python interpreter of the server's environment (Python 3.9 or later).",
            header="Preflight could not run",
        )
        err["phase"] = "start"
        return err

    def conclude_session(
        self, stream: _Stream, code: int | None, remaining: list[ProviderPlan], session: ProbeSession
    ) -> Iterator[JSON]:
        """After a session ended: the provider it was checking fails if it ended badly."""
        if stream.abnormal is None and stream.current is None and stream.warming is not None:
            stream.current_phase = "import"
        if stream.abnormal is None and (stream.current is not None or stream.warming is not None):
            stream.abnormal = ("crash", f"The probe process {exit_text(code)}" + stream.where())
        if stream.abnormal is None:
            return
        victim = stream.current or stream.warming or next((p for p in remaining if p.index not in self.results), None)
        if victim is None:
            return
        res = abnormal_result(
            victim,
            self.total,
            stream.abnormal,
            session,
            stream.current_phase,
            time.monotonic() - stream.began,
            self.options.timeout,
        )
        yield self.record(victim, res)
        if not self.options.keep_going:
            self.stopped_early = True

    async def cleanup(self) -> None:
        """Whatever ended the run (the end, an error, cancellation, a closed generator): no probe
        process is left."""
        if self.session is not None:
            self.session.kill()
            try:
                await asyncio.shield(self.session.close(grace=0.0))
            except BaseException:  # noqa: S110 - the sandbox is already killed; closing is best effort
                pass
        if self._cancel_task is not None and not self._cancel_task.done():
            self._cancel_task.cancel()

    # -- the end -------------------------------------------------------------------------

    def summary(self) -> JSON:
        results = list(self.results.values())
        failed = sum(1 for r in results if r["status"] == "error")
        passed = sum(1 for r in results if r["status"] == "ok")
        skipped = sum(1 for r in results if r["status"] == "skipped")
        status = "ok" if failed == 0 and self.fatal is None and not self.cancelled else "failed"
        summary: JSON = {
            "event": "summary",
            "status": "cancelled" if self.cancelled else status,
            "exit_code": 0 if status == "ok" else 1,
            "total": self.total,
            "passed": passed,
            "failed": failed,
            "skipped": skipped,
            "not_checked": self.total - passed - failed - skipped,
            "warnings": sum(len(r.get("warnings") or []) for r in results),
            "stopped_early": self.stopped_early,
            "duration_s": round(time.monotonic() - self.t0, 6),
        }
        summary["text"] = "\n".join(report.summary_lines(summary))
        return summary
