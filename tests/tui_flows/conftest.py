"""Fixtures for the guided flows: a tiny host app, workspaces, generated provider packages,
and snapshots stored in the top-level snapshots/flows/ folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from lsc_tui.config.session import EditSession
from lsc_tui.preflight.process import PROBE_PATH
from lsc_tui.tui import themes

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "snapshots" / "flows"
DEMO = ROOT / "lsc_tui" / "data" / "demo"
PLANTED = "Tr0ub4dor-and-3-horses"  # the demo's literal secret: must never reach a screenshot


# -- snapshots in snapshots/flows/ -------------------------------------------------------------


@pytest.fixture
def snapshot_dir() -> Path:
    """Where tests/conftest.py's snap_compare keeps the approved SVGs of these tests."""
    return SNAPSHOTS


@pytest.fixture(autouse=True)
def _quiet_environment(tmp_path_factory, monkeypatch):
    """No user themes or settings, no animations: the same screen on every machine."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)


# -- the host app ---------------------------------------------------------------------------------


class HostApp(App):
    """Stands in for the editor: holds a session and pushes one flow screen."""

    CSS = "#host { height: 1fr; }"

    def __init__(self, session: EditSession, make_screen=None, theme: str = "lsc-dark"):
        super().__init__()
        self.session = session
        self.make_screen = make_screen
        self.results: list = []
        for t in themes.load_themes().themes:
            self.register_theme(t)
        self.theme = theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield Static("the editor", id="host")

    def on_mount(self) -> None:
        if self.make_screen is not None:
            self.push_screen(self.make_screen(self.session), self.results.append)


@pytest.fixture
def demo(tmp_path) -> Path:
    """A copy of the demo workspace (legacy, one literal secret); returns its config."""
    ws = tmp_path / "demo"
    ws.mkdir()
    for f in DEMO.iterdir():
        if f.suffix == ".yaml":
            shutil.copy(f, ws / f.name)
    return ws / "lightspeed-stack.yaml"


def open_session(config: Path) -> EditSession:
    return EditSession.open(config, cwd=config.parent)


# -- preflight: provider packages generated in a temporary site folder ---------------------------

FAKE_API = '''
from enum import Enum


class Api(Enum):
    inference = "inference"
    safety = "safety"


class ProviderSpec:
    def __init__(self, **kw):
        for k in ("api", "provider_type", "config_class"):
            if k not in kw:
                raise ValueError("1 validation error\\n%s\\n  Field required" % k)
        self.module = kw.pop("module", None)
        self.pip_packages = kw.pop("pip_packages", [])
        self.api_dependencies = kw.pop("api_dependencies", [])
        self.optional_api_dependencies = kw.pop("optional_api_dependencies", [])
        self.provider_data_validator = kw.pop("provider_data_validator", None)
        self.deprecation_warning = kw.pop("deprecation_warning", None)
        self.deprecation_error = kw.pop("deprecation_error", None)
        self.description = kw.pop("description", None)
        for k, v in kw.items():
            setattr(self, k, v)


class RemoteProviderSpec(ProviderSpec):
    pass


class InlineProviderSpec(ProviderSpec):
    pass
'''

PROVIDER = '''
from llama_stack_api import Api, RemoteProviderSpec


def get_provider_spec():
    return RemoteProviderSpec(api=Api.inference, provider_type="remote::{name}", adapter_type="{name}",
                              config_class="{module}.config.Config", module="{module}")
'''


class Site:
    def __init__(self, root: Path):
        self.root = root
        self.site = root / "site"
        self.site.mkdir(parents=True, exist_ok=True)
        self.package("llama_stack_api", {"__init__.py": FAKE_API})
        self.dist_info("llama-stack-api", "0.7.3", ["llama_stack_api"])

    def package(self, name: str, files: dict[str, str]) -> Path:
        pkg = self.site / name
        pkg.mkdir(parents=True, exist_ok=True)
        files = {"__init__.py": "", **files}
        for rel, src in files.items():
            (pkg / rel).write_text(textwrap.dedent(src).lstrip("\n"), encoding="utf-8")
        return pkg

    def dist_info(self, name, version, top_level):
        d = self.site / f"{name.replace('-', '_')}-{version}.dist-info"
        d.mkdir(parents=True, exist_ok=True)
        (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (d / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        (d / "top_level.txt").write_text("\n".join(top_level) + "\n")
        (d / "RECORD").write_text("")

    def good(self, module: str, name: str) -> None:
        self.package(module, {
            "__init__.py": "async def get_adapter_impl(config, deps):\n    return None\n",
            "provider.py": PROVIDER.format(name=name, module=module),
            "config.py": "class Config:\n    pass\n",
        })

    def sleepy(self, module: str, name: str) -> None:
        self.package(module, {"__init__.py": "import time\ntime.sleep(60)\n",
                              "provider.py": PROVIDER.format(name=name, module=module)})


RUN_YAML = """\
version: 2
image_name: flows-test
apis: [inference]
providers:
  inference:
{entries}
"""


def run_yaml(entries: list[tuple[str, str, str]]) -> str:
    """run.yaml text with (provider_id, provider_type, module) inference providers."""
    lines = []
    for pid, ptype, module in entries:
        lines += [f"  - provider_id: {pid}", f"    provider_type: {ptype}", f"    module: {module}",
                  "    config: {}"]
    return RUN_YAML.format(entries="\n".join(lines))


@pytest.fixture
def site(tmp_path, monkeypatch) -> Site:
    s = Site(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(s.site))
    return s


def probe_processes() -> list[int]:
    """Live processes started by this test process (at any depth) that run the preflight probe.

    Other people's probes on the same machine are not counted: only our descendants.
    """
    parent: dict[int, int] = {}
    info: dict[int, tuple[str, str]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{name}/cmdline").read_bytes().decode("utf-8", "replace")
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parent[int(name)] = int(fields[1])
        info[int(name)] = (fields[0], cmd)
    me = os.getpid()

    def mine(pid: int) -> bool:
        seen = set()
        while pid and pid not in seen:
            seen.add(pid)
            pid = parent.get(pid, 0)
            if pid == me:
                return True
        return False

    return [pid for pid, (state, cmd) in info.items()
            if str(PROBE_PATH) in cmd and state != "Z" and mine(pid)]


PYTHON = sys.executable


@pytest.fixture(autouse=True)
def _editor_opened(editor_opened):
    """Every test here starts from the opened editor (tests/conftest.py: editor_opened)."""


@pytest.fixture
def anyio_backend():
    return "asyncio"



def file_hashes_of(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (names relative to it): "nothing changed" checks."""
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def _no_probe_left_behind():
    """Every test ends with no preflight probe of ours still running."""
    yield
    import time

    t0 = time.monotonic()
    while probe_processes() and time.monotonic() - t0 < 5:
        time.sleep(0.05)
    assert not probe_processes(), "a preflight probe outlived its test"
