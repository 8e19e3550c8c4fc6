"""Every import inside a function of lsc_tui/ is deliberate and says why.

An import belongs at the top of its module. One inside a function (a deferred import) is kept only
for a reason that holds: the editor's first paint (bench/startup_bench.py: the editor imports the
core and its panes after the first frame), a command's start-up (`lsc-tui --help` and the shell
completion import no command's dependencies), a heavy optional part loaded only by the command that
uses it (pygls, textual-serve, jsonschema), a scanner or schema built on first use, or an import
cycle. The reason is written on the import's line, or on the line above it:

    from lsc_tui.cli import build_parser  # deferred: lsc_tui.cli imports this module (a cycle)

    # deferred: pydantic and the config models load at the first validation, the opening's second step
    from lsc_tui.config.models.validate import validate_lightspeed

A few modules defer a whole family of imports for one reason; BY_DESIGN below gives it once. Any
other function-level import without such a comment fails here, naming the file and line.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "lsc_tui"

# Not yet reviewed: modules whose deferred imports have not been sorted into top-level imports and
# reasoned exceptions. Debt: review a module's imports, then take it off this list.
NOT_YET_REVIEWED: tuple[str, ...] = ()

REASON = re.compile(r"#\s*deferred:\s*\S")

STDLIB = ":stdlib"  # any module of the standard library

# path prefix under lsc_tui/ -> (the imported modules it may defer, under these names, and why)
BY_DESIGN: dict[str, tuple[tuple[str, ...], str]] = {
    "commands/": (
        ("lsc_tui.config", "lsc_tui.preflight", "lsc_tui.lsp", "lsc_tui.tui", "lsc_tui.webserve", "lsc_tui.demo",
         "shtab"),
        "lsc-tui builds its parser from every command module, so a command imports the core, the editor or "
        "a library only when it runs: `lsc-tui --help`, the shell completion and the editor's start load "
        "none of what the other commands need",
    ),
    "preflight/cli.py": (
        ("lsc_tui.preflight", "asyncio", "signal"),
        "every `lsc-tui` start imports this module to build the preflight command's arguments, so the "
        "runner, the sandbox and asyncio load only when a preflight runs",
    ),
    "tui/app.py": (
        ("lsc_tui.config", "lsc_tui.tui", "textual.widgets"),
        "the app's module holds what the first frame needs: the session, the panes and widgets, the job "
        "queue and the editor's command modules load after the first paint (`_import_editor`, measured by "
        "bench/startup_bench.py), the masking's detectors with the first notification",
    ),
    "tui/flows/": (
        ("lsc_tui.config", "lsc_tui.preflight", "lsc_tui.tui", "textual.highlight", "textual.visual"),
        "a guided flow loads when the operator opens it: the editor's start and the migration offer (which "
        "reads the wizard's message) load neither the migration, secrets and preflight machinery nor the "
        "syntax highlighter the flows show their YAML with",
    ),
    "tui/commands.py": (
        ("lsc_tui.config", "lsc_tui.tui"),
        "the palette's sources load when the palette opens: the Kubernetes, server-environment and "
        "LCORE-release commands are not loaded by the editor's start",
    ),
    "preflight/probe/": (
        (STDLIB,),
        "the probe runs inside the target interpreter, before the provider under test is imported: it "
        "loads a standard-library module only where a check needs it (platform-only ones, resource and "
        "ctypes, only where they exist), so the provider meets the interpreter as its server leaves it",
    ),
}


def _function_level_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)) and in_function:
                found.append(child)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


def _unexplained(path: Path, root: Path = PKG.parent) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    out = []
    rel = path.relative_to(root).as_posix().removeprefix("lsc_tui/")
    allowed = next((mods for prefix, (mods, _) in BY_DESIGN.items() if rel.startswith(prefix)), ())
    for node in _function_level_imports(ast.parse(source)):
        if _imported(node) and all(_under(name, allowed) for name in _imported(node)):
            continue
        span = lines[node.lineno - 2: (node.end_lineno or node.lineno)]  # the line above, the statement
        if not any(REASON.search(line) for line in span):
            out.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return out


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    return [node.module or ""] if node.level == 0 else []


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    if STDLIB in prefixes and name.split(".")[0] in sys.stdlib_module_names:
        return True
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _reviewed(path: Path) -> bool:
    rel = path.relative_to(PKG).as_posix()
    return not any(rel.startswith(prefix) for prefix in NOT_YET_REVIEWED)


def test_every_deferred_import_says_why():
    """An import inside a function carries `# deferred: <reason>`; otherwise it goes to the top."""
    offenders = [hit for path in sorted(PKG.rglob("*.py"))
                 if "data" not in path.relative_to(PKG).parts and _reviewed(path)
                 for hit in _unexplained(path)]
    assert offenders == [], "function-level imports without `# deferred: <reason>`:\n" + "\n".join(offenders)


def test_the_check_finds_an_unexplained_import(tmp_path):
    """The walk sees imports in methods, nested functions and multi-line forms, and accepts the
    reason on any line of the statement or on the line above it."""
    sample = tmp_path / "lsc_tui" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        "import os\n"
        "class A:\n"
        "    def f(self):\n"
        "        import json\n"
        "        def g():\n"
        "            from re import (\n"
        "                compile,\n"
        "            )\n"
        "        import csv  # deferred: only the export needs it\n"
        "        from ast import (  # deferred: a reason on the first line\n"
        "            parse,\n"
        "        )\n"
        "        import io  # deferred:\n"
        "        # deferred: a reason on the line above\n"
        "        import sys\n"
        "        # not a reason\n"
        "        import math\n")
    found = [h.split(": ", 1)[0] for h in _unexplained(sample, tmp_path)]
    assert found == ["lsc_tui/sample.py:4", "lsc_tui/sample.py:6", "lsc_tui/sample.py:13", "lsc_tui/sample.py:17"]

