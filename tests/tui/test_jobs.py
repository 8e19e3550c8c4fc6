"""The editor's job queue (lsc_tui.tui.jobs), driven directly over a real edit session: jobs run
in order off the UI thread, each hands a fresh view to the app, a superseded field edit is
skipped, and a failing job says why and leaves the queue running."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lsc_tui.config.session import EditSession, OperationError, SetValue
from lsc_tui.tui.jobs import JobQueue

pytestmark = pytest.mark.anyio

URL = ("providers", "inference", 0, "config", "url")


class FakeApp:
    """What the queue needs of the app: a session, somewhere to put views and messages, workers."""

    def __init__(self, session):
        self.session = session
        self.views: list[tuple] = []
        self.notes: list[tuple] = []
        self.exited: tuple | None = None
        self.conflicts: list = []
        self._tasks: list = []

    def run_worker(self, coro, **_kwargs):
        self._tasks.append(asyncio.get_running_loop().create_task(coro))

    def apply_view(self, view, *, source="", select=None):
        self.views.append((view, source, select))

    def notify(self, message, *, title="", **kwargs):
        self.notes.append((title, message, kwargs.get("severity")))

    def exit(self, return_code=0, message=None):
        self.exited = (return_code, message)

    def resolve_conflict(self, path, then_save=False):
        self.conflicts.append((path, then_save))

    def stop(self):
        for task in self._tasks:
            task.cancel()


@pytest.fixture
async def opened(demo):
    app = FakeApp(EditSession.open(Path("lightspeed-stack.yaml"), validate=False))
    jobs = JobQueue(app)
    jobs.start()
    yield app, jobs
    app.stop()


async def test_jobs_run_in_order_and_each_hands_a_view_with_the_key_to_select(opened, demo):
    app, jobs = opened
    run = (demo / "run.yaml").resolve()
    seen = []
    jobs.submit(lambda s: seen.append("first") or s.apply(SetValue(run, URL, "http://a:1/v1")), "edit",
                lambda _r: "run.yaml|providers.inference[0]")
    jobs.submit(lambda s: seen.append("second"), "flow")
    assert jobs.open == 2 and not jobs.idle
    await jobs.join()
    assert seen == ["first", "second"] and jobs.idle
    (view, source, select), (view2, source2, select2) = app.views
    assert (source, select, source2, select2) == ("edit", "run.yaml|providers.inference[0]", "flow", None)
    assert view.dirty and "http://a:1/v1" in view.diff_text
    assert jobs.last_finished > 0


async def test_only_the_newest_queued_edit_of_a_field_is_applied(opened, demo):
    app, jobs = opened
    run = (demo / "run.yaml").resolve()
    gate = asyncio.Event()
    release = asyncio.get_running_loop()
    jobs.submit(lambda s: asyncio.run_coroutine_threadsafe(gate.wait(), release).result(10), "busy")
    for url in ("http://a:1/v1", "http://ab:1/v1", "http://abc:1/v1"):
        jobs.submit_field_edit(SetValue(run, URL, url), "form")
    gate.set()
    await jobs.join()
    assert [source for _v, source, _s in app.views] == ["busy", "form"]  # two edits superseded: no view
    assert app.session.workspace.run_yaml.data["providers"]["inference"][0]["config"]["url"] == "http://abc:1/v1"
    assert app.session.can_undo


async def test_a_failing_job_says_why_and_the_queue_goes_on(opened):
    app, jobs = opened

    def refused(_s):
        raise OperationError("providers.inference[9] is not in run.yaml")

    def broken(_s):
        raise KeyError("boom")

    jobs.submit(refused, "edit")
    jobs.submit(broken, "edit")
    jobs.submit(lambda s: None, "flow")
    await jobs.join()
    assert ("Edit not applied", "providers.inference[9] is not in run.yaml", "error") in app.notes
    assert any("internal error (KeyError)" in message and "buffers are intact" in message
               for _t, message, _s in app.notes)
    assert [source for _v, source, _s in app.views] == ["flow"]
    assert app.exited is None


async def test_a_config_that_cannot_be_opened_ends_the_editor_with_its_error(demo):
    (demo / "lightspeed-stack.yaml").write_text("name: [unclosed\n")
    app = FakeApp(None)
    jobs = JobQueue(app)
    jobs.start()
    try:
        def open_session(_none):
            app.session = EditSession.open(Path("lightspeed-stack.yaml"), validate=False)
            return app.session

        jobs.submit(open_session, "load")
        await jobs.join()
    finally:
        app.stop()
    code, message = app.exited
    assert code == 2 and message.startswith("lightspeed-stack.yaml:2:1: error: yaml-syntax")
    assert app.views == []
