"""The secrets package loads its modules on first use (PEP 562); the names the type checker sees
(its TYPE_CHECKING imports) are the names it exports, from the same modules."""

import ast
from pathlib import Path

import lsc_tui.config.secrets as pkg


def test_the_type_checkers_names_are_the_lazy_exports():
    tree = ast.parse(Path(pkg.__file__).read_text())
    [block] = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    seen = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        seen[node.module.rsplit(".", 1)[1]] = tuple(a.name for a in node.names)
    assert seen == pkg._EXPORTS


def test_every_lazy_export_loads():
    for name in pkg.__all__:
        assert getattr(pkg, name) is not None
