"""The static checks of pyproject.toml run with the suite: ruff's bug rules, the import layers and
mypy's types.

Each reports the file and line of what it found, so a failure here reads like a linter's output.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_ruff_finds_nothing():
    """`ruff check` with the rules of [tool.ruff.lint] (the format is checked below)."""
    p = _run("-m", "ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert p.returncode == 0, p.stdout + p.stderr


def test_ruff_format_leaves_the_package_as_it_is():
    """`ruff format --check lsc_tui` with [tool.ruff]'s settings: the package's layout is the
    formatter's, so a diff shows what changed, not how someone wraps lines."""
    p = _run("-m", "ruff", "format", "--check", "--no-cache", "lsc_tui")
    assert p.returncode == 0, p.stdout + p.stderr


def test_import_layers_hold():
    """import-linter's contracts of [tool.importlinter]: the core never reaches the editor, Textual or
    the commands, the editor never reaches the commands, the probe reaches nothing of lsc-tui."""
    p = _run("-c", "import sys; from importlinter.cli import lint_imports_command; "
                   "sys.argv = ['lint-imports', '--no-cache']; sys.exit(lint_imports_command())")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 broken" in p.stdout


def test_mypy_finds_nothing(request):
    """mypy over all of lsc_tui/ with [tool.mypy]: strict on the core (config, preflight), mypy's
    defaults elsewhere, pydantic's plugin for the models. Modules on a "not yet clean" list in
    pyproject.toml would be skipped (none is now); anything else that mypy reports fails here. The incremental cache
    lives in pytest's cache folder: a run from a fresh clone (as CI's) is cold, about 10 s."""
    cache = request.config.cache.mkdir("mypy")
    p = _run("-m", "mypy", "--cache-dir", str(cache), "--no-error-summary", "--show-error-codes", timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
