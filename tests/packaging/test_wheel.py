"""The built wheel installs into a fresh virtual environment and every documented command runs.

It walks the CLI reference (every subcommand's --help, from the parser itself) and runs the
quickstart's commands on the bundled demo, in the installed environment, not this checkout.
The wheel and the environment (fixtures ``built_wheel`` and ``installed``) are built once per
test session, in tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds the wheel and installs it in a fresh virtual environment

ROOT = Path(__file__).resolve().parents[2]


def _run(bin_dir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env)


def test_wheel_ships_demo_themes_schemas(installed):
    code = ("import importlib.resources as r; d = r.files('lsc_tui') / 'data';"
            "print(sorted(p.name for p in (d / 'demo').iterdir()));"
            "print(sorted(p.name for p in (d / 'themes').iterdir()));"
            "print(sorted(p.name for p in (d / 'schemas').iterdir()))")
    out = _run(installed, "python", "-c", code, cwd=Path("/")).stdout
    assert "lightspeed-stack.yaml" in out and "run.yaml" in out
    assert "lsc-high-contrast" in out and "lightspeed-stack.schema.json" in out


def test_wheel_ships_the_man_page_completions_and_license(installed):
    code = ("import importlib.resources as r; d = r.files('lsc_tui') / 'data';"
            "print((d / 'man' / 'lsc-tui.1').read_text()[:20]);"
            "print(sorted(p.name for p in (d / 'completion').iterdir()))")
    out = _run(installed, "python", "-c", code, cwd=Path("/")).stdout
    assert ".TH LSC\\-TUI 1" in out and "'_lsc-tui', 'lsc-tui.bash', 'lsc-tui.fish'" in out
    meta = _run(installed, "python", "-c", "import importlib.metadata as m; d = m.distribution('lsc-tui');"
                "print(d.metadata['License-Expression']); print([str(f) for f in d.files if 'LICENSE' in str(f)])",
                cwd=Path("/")).stdout
    assert meta.startswith("Apache-2.0") and "LICENSE" in meta


def test_every_subcommand_of_the_cli_reference_answers_help(installed):
    import argparse

    from lsc_tui.cli import build_parser

    def walk(parser: argparse.ArgumentParser, prefix: list[str]):
        yield prefix
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, prefix + [name])

    commands = list(walk(build_parser(), []))
    assert len(commands) >= 12
    for words in commands:
        r = _run(installed, "lsc-tui", *words, "--help")
        assert r.returncode == 0 and "usage:" in r.stdout, (words, r.stderr[-500:])
    assert _run(installed, "llama-stack-preflight", "--help").returncode == 0
    assert _run(installed, "lsc-tui", "--version").stdout.startswith("lsc-tui ")


def test_quickstart_commands_on_the_demo(installed, tmp_path):
    demo = ROOT / "lsc_tui" / "data" / "demo"
    ws = tmp_path / "demo"
    shutil.copytree(demo, ws)
    expectations = [
        (["validate", "lightspeed-stack.yaml"], {0}),
        (["synthesize", "lightspeed-stack.yaml", "-o", "-"], {0}),
        (["diff", "lightspeed-stack.yaml"], {0, 1}),
        (["migrate", "lightspeed-stack.yaml"], {0}),
        (["secrets", "scan", "lightspeed-stack.yaml"], {1}),  # the demo's planted password
        (["schema", "lightspeed-stack"], {0}),
        (["completion", "bash"], {0}),
        (["preflight", "--run-yaml", "run.yaml", "--keep-going"], {0, 1}),
    ]
    for args, codes in expectations:
        r = _run(installed, "lsc-tui", *args, cwd=ws)
        assert r.returncode in codes, (args, r.returncode, r.stdout[-800:], r.stderr[-800:])
        assert "Traceback" not in r.stderr
    # nothing above wrote to the demo's files
    for name in ("lightspeed-stack.yaml", "run.yaml"):
        assert (ws / name).read_bytes() == (demo / name).read_bytes()


def _source_files() -> set[str]:
    """Every file of the package in this checkout (bytecode caches aside), as wheel paths."""
    pkg = ROOT / "lsc_tui"
    return {p.relative_to(ROOT).as_posix() for p in pkg.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(built_wheel):
    # a stylesheet, theme, schema or demo file added anywhere under lsc_tui/ later is covered
    # without editing this test: the source tree itself is the list
    with zipfile.ZipFile(built_wheel) as whl:
        shipped = {n for n in whl.namelist() if n.startswith("lsc_tui/") and not n.endswith("/")}
    source = _source_files()
    resources = {p for p in source if not p.endswith(".py")}
    assert "lsc_tui/tui/flows/flows.tcss" in resources and "lsc_tui/tui/app.tcss" in resources
    missing = sorted(source - shipped)
    extra = sorted(shipped - source)
    assert not missing, f"files of lsc_tui/ missing from the wheel {built_wheel.name}: {missing}"
    assert not extra, f"files in the wheel that the source tree does not have (build leftovers?): {extra}"


def test_a_file_deleted_since_the_last_build_does_not_ship_again(tmp_path):
    """`pip install .` in a clone builds in the source tree, where setuptools packs whatever its
    build/lib holds: a theme, demo file or module deleted (or renamed) since an earlier build
    shipped again. The backend builds every wheel from a fresh build/lib."""
    import subprocess
    import sys

    src = tmp_path / "clone"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                             "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis",
                                                             "site", ".generated"))
    # what an earlier build of this clone left, for files since deleted
    stale = src / "build" / "lib" / "lsc_tui"
    (stale / "data" / "themes").mkdir(parents=True)
    (stale / "data" / "themes" / "retired-theme.yaml").write_text("name: retired-theme\n")
    (stale / "removed_module.py").write_text("raise SystemExit('stale')\n")
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = list(dist.glob("lsc_tui-*.whl"))
    with zipfile.ZipFile(wheel) as whl:
        shipped = set(whl.namelist())
    assert "lsc_tui/cli.py" in shipped
    assert "lsc_tui/data/themes/retired-theme.yaml" not in shipped
    assert "lsc_tui/removed_module.py" not in shipped
