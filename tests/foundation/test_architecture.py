"""The core never imports Textual: checked on the source and in a fresh interpreter."""

import ast
import os
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "lsc_tui"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_sources_do_not_import_textual():
    offenders = [str(p) for sub in ("config", "preflight") for p in (PKG / sub).rglob("*.py")
                 if "textual" in _imports(p)]
    assert offenders == []


def test_loading_the_core_does_not_load_textual():
    code = ("import sys, lsc_tui.config.workspace, lsc_tui.config.yaml.document, lsc_tui.cli;"
            "import importlib, pkgutil, lsc_tui.config as c, lsc_tui.preflight as p\n"
            "for pkg in (c, p):\n"
            "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
            "        importlib.import_module(m.name)\n"
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_probe_imports_only_the_standard_library_anywhere():
    """The probe runs in the provider's interpreter, which may have none of lsc-tui's dependencies: every
    import statement in every module of its package, deferred ones inside functions included, names a
    standard-library module or a sibling module of the package (a relative import of one level: the
    package is loaded under a name of its own in the target, never as lsc_tui.preflight.probe)."""
    files = sorted((PKG / "preflight" / "probe").glob("*.py"))
    assert len(files) >= 10, files
    outside = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level == 1:
                    continue  # a sibling in the probe package
                names = ["." * node.level + (node.module or "")]
            else:
                continue
            outside += [f"{path.name} line {node.lineno}: {n}" for n in names
                        if n.split(".")[0] not in sys.stdlib_module_names]
    assert outside == []


def test_a_core_test_run_does_not_import_the_editor(tmp_path):
    """The root conftest keeps the editor's fixtures lazy: running core tests imports no lsc_tui.tui."""
    plugin = tmp_path / "report_editor_modules.py"
    plugin.write_text("import sys\n\n"
                      "def pytest_sessionfinish(session):\n"
                      "    print('EDITOR MODULES:', sorted(m for m in sys.modules if m.startswith('lsc_tui.tui')))\n")
    root = PKG.parent
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider",
                          "-n", "0",  # in this process: the plugin reports the modules the tests imported
                          "-p", "report_editor_modules", str(root / "tests" / "synthesis" / "test_provenance.py")],
                         cwd=root, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "EDITOR MODULES: []" in out.stdout, out.stdout[-2000:]
