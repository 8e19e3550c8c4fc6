"""The JSON Schema does not depend on what was imported before the models."""

import subprocess
import sys


def test_schema_is_the_same_after_an_equal_union_was_cached_first():
    code = ("from typing import Optional, Union\n"
            "Optional[Union[int, str]]\n"  # typing caches this; an equal Union in other order hits it
            "from lsc_tui.config.models.schema import render_schema\n"
            "import pathlib, sys\n"
            "sys.exit(render_schema('lightspeed-stack') != "
            "pathlib.Path('schemas/lightspeed-stack.schema.json').read_text(encoding='utf-8'))\n")
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, timeout=120).returncode == 0
