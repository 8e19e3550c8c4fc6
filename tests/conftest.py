from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"


@pytest.fixture
def corpus() -> Path:
    return CORPUS


@pytest.fixture
def lcore_corpus() -> Path:
    return CORPUS / "lightspeed-stack"


@pytest.fixture(autouse=True)
def _editor_opened(monkeypatch):
    """The editor paints first and opens the config right after, in a job. Pilot tests and
    snapshots start from the opened editor: ``run_test`` waits for that first job. (The
    state before it is tested on its own, with the unwrapped ``run_test``.)"""
    from contextlib import asynccontextmanager

    from lsc_tui.tui.app import LscTuiApp

    original = LscTuiApp.run_test

    @asynccontextmanager
    async def run_test(self, *args, **kwargs):
        async with original(self, *args, **kwargs) as pilot:
            await self.wait_idle()
            await pilot.pause()
            yield pilot

    run_test.unwrapped = original
    monkeypatch.setattr(LscTuiApp, "run_test", run_test)


@pytest.fixture
def snap_compare(snapshot, request, monkeypatch, snapshot_dir):
    """pytest-textual-snapshot's fixture, keeping the SVGs in ``snapshot_dir`` (each test folder
    that takes snapshots names its own: snapshots/ or snapshots/flows/)."""
    import pytest_textual_snapshot

    class Extension(pytest_textual_snapshot.SVGImageExtension):
        @classmethod
        def dirname(cls, *, test_location) -> str:
            return str(snapshot_dir)

    monkeypatch.setattr(pytest_textual_snapshot, "SVGImageExtension", Extension)
    return pytest_textual_snapshot.snap_compare._get_wrapped_function()(snapshot, request)
