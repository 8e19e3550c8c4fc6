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


_EDITOR_DIRS = (Path(__file__).parent / "tui", Path(__file__).parent / "tui_flows")


# Session fixtures that build the product: under pytest-xdist every worker would build its own,
# so the tests using them share one worker (the `loadgroup` distribution in pyproject's addopts).
_BUILDS_THE_PRODUCT = ("built_wheel", "installed")


def pytest_collection_modifyitems(config, items):
    """The editor's pilot and snapshot tests are slow (seconds each): every async test and every
    snapshot under tests/tui and tests/tui_flows is marked so, a newly added module included, and
    `pytest -m "not slow"` leaves them out. The tests that use the built wheel are grouped on one
    worker (see _BUILDS_THE_PRODUCT)."""
    import inspect

    for item in items:
        if any(f in getattr(item, "fixturenames", ()) for f in _BUILDS_THE_PRODUCT):
            item.add_marker(pytest.mark.xdist_group("built-product"))
        path = Path(str(item.path))
        if not any(d in path.parents for d in _EDITOR_DIRS):
            continue
        fn = getattr(item, "function", None)
        if inspect.iscoroutinefunction(fn) or "snap_compare" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def editor_opened(monkeypatch):
    """The editor paints first and opens the config right after, in a job. Pilot tests and
    snapshots start from the opened editor: ``run_test`` waits for that first job. (The
    state before it is tested on its own, with the unwrapped ``run_test``.)

    Only the tests that drive the editor use it (tests/tui and tests/tui_flows, through their
    conftest, and the editor tests elsewhere by name): the core's tests never import the app."""
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


# -- the built product: one wheel and one fresh virtual environment per test session ----------
# (tests/packaging checks what the wheel holds; tests/installed drives the installed lsc-tui)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> Path:
    """The wheel `pip install .` builds from this checkout (in pip's isolated build environment).

    It is built from a clean copy of the checkout: setuptools reuses a leftover build/ folder,
    whose stale files would hide a file the packaging rules leave out."""
    import shutil
    import subprocess
    import sys

    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                             "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis",
                                                             "site", ".generated"))
    dist = tmp / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"building the wheel failed:\n{build.stderr[-2000:]}"
    [wheel] = list(dist.glob("lsc_tui-*.whl"))
    return wheel


@pytest.fixture(scope="session")
def installed(built_wheel, tmp_path_factory) -> Path:
    """The bin/ folder of a fresh virtual environment with the wheel installed (not editable), as
    the README's first command does. Skipped only when no package index can be reached, and never
    in CI (CI=true): there the tier must run."""
    import os
    import subprocess
    import sys
    import venv

    env_dir = tmp_path_factory.mktemp("installed") / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)  # this pip installs into it (--python): no ensurepip
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
                          "-q", str(built_wheel)], capture_output=True, text=True, timeout=600)
    if pip.returncode != 0 and "Could not find a version" in pip.stderr and not os.environ.get("CI"):
        pytest.skip("the package index cannot be reached: " + pip.stderr[-300:])
    assert pip.returncode == 0, f"installing the wheel failed:\n{pip.stderr[-2000:]}"
    return env_dir / "bin"
