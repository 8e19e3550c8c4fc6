"""Fixtures for the provider preflight tests: provider packages generated in a temporary
site directory, a run.yaml, and the CLI run in-process (the probe is still a real process).
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lsc_tui.preflight.cli import main as preflight_main

# pytest runs with --import-mode=importlib: make the shared templates module importable.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

SEED = Path(__file__).parents[1] / "fixtures" / "preflight" / "seed"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "integration: needs a real Llama Stack virtualenv (built once into a cache directory)",
    )


# A small stand-in for the llama_stack_api package (Llama Stack 0.3 to 0.7): the names a
# provider imports, with the same required fields as the real pydantic classes.
FAKE_LLAMA_STACK_API = '''
from enum import Enum


class Api(Enum):
    inference = "inference"
    safety = "safety"
    vector_io = "vector_io"
    tool_runtime = "tool_runtime"
    eval = "eval"
    files = "files"


class ProviderSpec:
    _required = ("api", "provider_type", "config_class")

    def __init__(self, **kw):
        missing = [k for k in self._required if k not in kw]
        if missing:
            raise ValueError("1 validation error for %s\\n%s\\n  Field required"
                             % (type(self).__name__, missing[0]))
        self.api = kw.pop("api")
        self.provider_type = kw.pop("provider_type")
        self.config_class = kw.pop("config_class")
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
    _required = ("api", "provider_type", "config_class", "adapter_type")


class InlineProviderSpec(ProviderSpec):
    pass
'''

FAKE_REGISTRY_INFERENCE = '''
from llama_stack_api import Api, RemoteProviderSpec, InlineProviderSpec


def available_providers():
    return [
        RemoteProviderSpec(api=Api.inference, provider_type="remote::fake", adapter_type="fake",
                           config_class="llama_stack.providers.remote.inference.fake.config.FakeConfig",
                           module="llama_stack.providers.remote.inference.fake"),
        RemoteProviderSpec(api=Api.inference, provider_type="remote::needs-dep", adapter_type="needs-dep",
                           config_class="llama_stack.providers.remote.inference.fake.config.FakeConfig",
                           module="llama_stack.providers.remote.inference.needsdep"),
        InlineProviderSpec(api=Api.inference, provider_type="inline::old", module="x",
                           config_class="llama_stack.providers.remote.inference.fake.config.FakeConfig",
                           deprecation_error="inline::old was removed; use remote::fake"),
    ]
'''


# Llama Stack 0.2.x kept the spec classes in llama_stack.providers.datatypes, remote specs
# wrapped an AdapterSpec, and run.yaml entries could not name a module.
FAKE_LLAMA_STACK_02_DATATYPES = '''
from enum import Enum


class Api(Enum):
    inference = "inference"
    safety = "safety"


class _Model:
    _required = ()

    def __init__(self, **kw):
        for k in self._required:
            if k not in kw:
                raise ValueError("1 validation error for %s\\n%s\\n  Field required" % (type(self).__name__, k))
        self.__dict__.update(kw)


class AdapterSpec(_Model):
    _required = ("adapter_type", "module", "config_class")


class ProviderSpec(_Model):
    _required = ("api", "provider_type", "config_class")


class RemoteProviderSpec(ProviderSpec):
    @property
    def module(self):
        return self.adapter.module


class InlineProviderSpec(ProviderSpec):
    pass


def remote_provider_spec(api, adapter, api_dependencies=None):
    return RemoteProviderSpec(api=api, provider_type="remote::" + adapter.adapter_type,
                              config_class=adapter.config_class, adapter=adapter,
                              api_dependencies=api_dependencies or [])
'''


@dataclass
class Run:
    code: int
    out: str
    err: str

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def results(self) -> list[dict]:
        return [e for e in self.events() if e["event"] == "result"]


@dataclass
class Workspace:
    root: Path
    site: Path
    capsys: object
    monkeypatch: object
    extra_paths: list = field(default_factory=list)

    # -- files ---------------------------------------------------------------------
    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def package(self, name: str, files: dict[str, str]) -> Path:
        """A package under the site directory: {relative file: source}."""
        pkg = self.site / name
        pkg.mkdir(parents=True, exist_ok=True)
        if "__init__.py" not in files:
            (pkg / "__init__.py").write_text("", encoding="utf-8")
        for rel, src in files.items():
            p = pkg / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(src).lstrip("\n"), encoding="utf-8")
        return pkg

    def dist_info(self, name: str, version: str, top_level: list[str], *, tag: str = "py3-none-any",
                  requires: list[str] = (), files: list[str] = ()) -> Path:
        d = self.site / f"{name.replace('-', '_')}-{version}.dist-info"
        d.mkdir(parents=True, exist_ok=True)
        meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        meta += [f"Requires-Dist: {r}" for r in requires]
        (d / "METADATA").write_text("\n".join(meta) + "\n", encoding="utf-8")
        purelib = "true" if tag.endswith("-any") else "false"
        (d / "WHEEL").write_text(
            f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n",
            encoding="utf-8")
        (d / "top_level.txt").write_text("\n".join(top_level) + "\n", encoding="utf-8")
        record = list(files) + [f"{d.name}/METADATA,,", f"{d.name}/WHEEL,,", f"{d.name}/RECORD,,"]
        (d / "RECORD").write_text("\n".join(r if "," in r else f"{r},," for r in record) + "\n",
                                  encoding="utf-8")
        return d

    def fake_llama_stack_api(self) -> None:
        self.package("llama_stack_api", {"__init__.py": FAKE_LLAMA_STACK_API})
        self.dist_info("llama-stack-api", "0.7.3", ["llama_stack_api"])

    def fake_llama_stack(self) -> None:
        """llama_stack 0.7-style: registry in llama_stack, spec classes in llama_stack_api."""
        self.fake_llama_stack_api()
        self.package("llama_stack", {
            "providers/__init__.py": "",
            "providers/registry/__init__.py": "",
            "providers/registry/inference.py": FAKE_REGISTRY_INFERENCE,
            "providers/remote/__init__.py": "",
            "providers/remote/inference/__init__.py": "",
            "providers/remote/inference/fake/__init__.py": "async def get_adapter_impl(config, deps):\n    return None\n",
            "providers/remote/inference/fake/config.py": "class FakeConfig:\n    def __init__(self, **kw):\n        self.kw = kw\n",
            "providers/remote/inference/needsdep/__init__.py": "import some_missing_sdk\n",
            "core/__init__.py": "",
            "core/distribution.py": "# loads external providers: <module>.provider.get_provider_spec()\n",
        })
        self.dist_info("llama-stack", "0.7.3", ["llama_stack"], requires=["llama-stack-api"])

    def fake_ogx(self) -> None:
        """OGX (Llama Stack renamed): registry in ogx, spec classes in ogx_api."""
        self.package("ogx_api", {"__init__.py": FAKE_LLAMA_STACK_API})
        self.dist_info("ogx-api", "0.8.0", ["ogx_api"])
        registry = FAKE_REGISTRY_INFERENCE.replace("llama_stack_api", "ogx_api").replace("llama_stack.", "ogx.")
        self.package("ogx", {
            "providers/__init__.py": "",
            "providers/registry/__init__.py": "",
            "providers/registry/inference.py": registry,
            "providers/remote/__init__.py": "",
            "providers/remote/inference/__init__.py": "",
            "providers/remote/inference/fake/__init__.py": "async def get_adapter_impl(config, deps):\n    return None\n",
            "providers/remote/inference/fake/config.py": "class FakeConfig:\n    pass\n",
            "core/__init__.py": "",
            "core/distribution.py": "# <module>.provider.get_provider_spec()\n",
        })
        self.dist_info("ogx", "0.8.0", ["ogx"], requires=["ogx-api"])

    def fake_llama_stack_02(self) -> None:
        self.package("llama_stack", {
            "providers/__init__.py": "",
            "providers/datatypes.py": FAKE_LLAMA_STACK_02_DATATYPES,
            "providers/registry/__init__.py": "",
            "providers/registry/inference.py": "def available_providers():\n    return []\n",
            "distribution/__init__.py": "",
            "distribution/distribution.py": "# loads providers.d YAML files only\n",
        })
        self.dist_info("llama-stack", "0.2.12", ["llama_stack"])

    def run_yaml(self, text: str, name: str = "run.yaml") -> Path:
        return self.write(name, text)

    # -- running ---------------------------------------------------------------------
    def preflight(self, *args: str) -> Run:
        paths = [str(self.site)] + [str(p) for p in self.extra_paths]
        self.monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
        self.capsys.readouterr()
        code = preflight_main(list(args))
        out, err = self.capsys.readouterr()
        return Run(code, out, err)


@pytest.fixture
def ws(tmp_path, capsys, monkeypatch) -> Workspace:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    return Workspace(tmp_path, site, capsys, monkeypatch)


@pytest.fixture
def seed_text():
    def read(name: str) -> str:
        return (SEED / name).read_text(encoding="utf-8")

    return read


@pytest.fixture
def python() -> str:
    return sys.executable
