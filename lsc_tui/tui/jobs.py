"""The editor's job queue: every call into the edit session runs here, one at a time, in order,
off the UI thread, so typing never waits for the analysis.

A job is ``fn(session)``; when it ends, a fresh :class:`~lsc_tui.tui.model.View` of the session
is built in the same thread and handed to the app to render, after the job's ``done(result)``
(which runs on the UI side and may return the tree key to select). A job that fails says why
in a notification and leaves the buffers as they were; nothing reaches the screen as a
traceback. When the operator types faster than the analysis runs, only the newest queued edit
of a field is applied (see :meth:`JobQueue.submit_field_edit`).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

from lsc_tui.config.session import OperationError
from lsc_tui.config.workspace import WorkspaceError
from lsc_tui.config.yaml.lint import YamlLoadError
from lsc_tui.config.yaml.save import FileChangedError, VerifyError
from lsc_tui.tui.model import build_view

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp

SUPERSEDED = object()  # a job's result when a newer edit of the same field replaced it


class JobQueue:
    """The app's queue of session jobs (started with :meth:`start` once the app is mounted)."""

    def __init__(self, app: LscTuiApp) -> None:
        self.app = app
        self.open = 0  # queued or running
        self.last_finished = 0.0  # time.monotonic() when the last job ended
        self._queue: asyncio.Queue | None = None
        self._views_shown = asyncio.Event()  # cleared while the panes that show views are being mounted
        self._views_shown.set()
        self._serial = 0
        self._latest_field_edit: dict[tuple, int] = {}

    def start(self) -> None:
        self._queue = asyncio.Queue()
        self.app.run_worker(self._run(self._queue), group="core-jobs", exit_on_error=False)

    def _started(self) -> asyncio.Queue:
        if self._queue is None:
            raise RuntimeError("lsc-tui: a job was queued before the job queue started")
        return self._queue

    def hold_views(self) -> None:
        """Jobs still run, but what they end with waits for :meth:`show_views` (the panes that show
        it are being mounted: the first job opens the config meanwhile)."""
        self._views_shown.clear()

    def show_views(self) -> None:
        self._views_shown.set()

    def submit(self, fn, source: str = "", done=None, after_paint: bool = False) -> None:
        """Queue ``fn(session)``; ``done(result)`` runs on the UI side and may return a tree key to select.
        ``after_paint``: the job starts once the screen has been refreshed (what came before it is shown)."""
        self.open += 1
        self._started().put_nowait((fn, source, done, after_paint))

    def submit_field_edit(self, op, source: str) -> None:
        """Queue an edit of one field (``op`` has ``file`` and ``path``): skipped when a newer edit
        of the same field is queued behind it by the time it would run."""
        key = (str(op.file), tuple(op.path))
        self._serial += 1
        serial = self._latest_field_edit[key] = self._serial

        def job(session):
            if self._latest_field_edit.get(key) != serial:
                return SUPERSEDED
            return session.apply(op)

        self.submit(job, source=source)

    async def join(self) -> None:
        """Until every queued job ran and its view was handed to the app."""
        if self._queue is not None:
            await self._queue.join()

    @property
    def idle(self) -> bool:
        return not self.open

    async def _run(self, queue: asyncio.Queue) -> None:
        while True:
            fn, source, done, after_paint = await queue.get()
            try:
                if after_paint:
                    painted = asyncio.get_running_loop().create_future()
                    self.app.call_after_refresh(painted.set_result, None)
                    await painted
                await self._one(fn, source, done)
            finally:
                self.last_finished = time.monotonic()
                self.open -= 1
                queue.task_done()

    async def _one(self, fn, source: str, done) -> None:
        app = self.app
        try:
            result, view = await asyncio.to_thread(self._in_thread, fn)
        except Exception as exc:  # each kind is said in words; never a traceback on screen
            await self._views_shown.wait()
            self._failed(exc)
            return
        await self._views_shown.wait()
        if result is SUPERSEDED:
            return
        select = None
        if done is not None:
            try:
                select = done(result)
            except Exception as exc:  # the edit itself is done: say what went wrong after it
                app.notify(
                    f"internal error ({type(exc).__name__}) after the {source}; the change itself "
                    "is made (u undoes it)",
                    severity="error",
                    timeout=10,
                )
                select = None
        app.apply_view(view, source=source, select=select if isinstance(select, str) else None)

    def _in_thread(self, fn):
        session = self.app.session
        result = fn(session)
        if result is SUPERSEDED:
            return result, None
        return result, build_view(self.app.session)

    def _failed(self, exc: Exception) -> None:
        app = self.app
        if isinstance(exc, OperationError):
            app.notify(str(exc), title="Edit not applied", severity="error", timeout=8)
        elif isinstance(exc, FileChangedError):
            app.resolve_conflict(Path(exc.path), then_save=True)
        elif isinstance(exc, (WorkspaceError, YamlLoadError)):
            if app.session is None:  # the first load: nothing to edit
                app.exit(return_code=2, message=exc.located_text())
                return
            app.notify(exc.located_text(), title="Cannot read the file", severity="error", timeout=10)
        elif isinstance(exc, VerifyError):
            app.notify(str(exc), title="Not saved", severity="error", timeout=10)
        elif isinstance(exc, OSError):
            app.notify(
                f"{exc.filename or ''}: {exc.strerror or exc}",
                title="File error",
                severity="error",
                timeout=10,
            )
        elif app.session is None:
            app.exit(
                return_code=1,
                message=f"lsc-tui: internal error ({type(exc).__name__}) while "
                "opening the config. Run again with LSC_TUI_DEBUG=1 for the traceback and report it.",
            )
        else:
            app.notify(
                f"internal error ({type(exc).__name__}); nothing was lost: your buffers are intact",
                severity="error",
                timeout=10,
            )
