"""The structural edits of the YAML layer (yaml.edit): what the session's operations are made of."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lsc_tui.config.yaml.document import parse_text
from lsc_tui.config.yaml.edit import EditRefused, insert_item, set_value

TEXT = "# the servers\nservers:\n  - name: a  # first\n    port: 1\nother: {x: 1}\n"


def _parse(text: str):
    return parse_text(text, "c.yaml", Path("c.yaml"))


def test_set_value_changes_only_the_value_and_keeps_comments():
    doc = _parse(TEXT)
    new = set_value(doc, ("servers", 0, "port"), 8080, _parse)
    assert new == TEXT.replace("port: 1", "port: 8080")


def test_set_value_refuses_a_value_that_would_not_read_back_and_a_missing_parent():
    doc = _parse(TEXT)
    with pytest.raises(EditRefused, match="does not exist"):
        set_value(doc, ("missing", "key"), 1, _parse)
    with pytest.raises(EditRefused, match="choose a key"):
        set_value(doc, (), 1, _parse)


def test_insert_item_makes_the_list_and_keeps_the_rest():
    doc = _parse(TEXT)
    new = insert_item(TEXT, doc, ("extra", "items"), 0, {"k": "v"})
    data = _parse(new).data
    assert data["extra"] == {"items": [{"k": "v"}]} and data["servers"] == [{"name": "a", "port": 1}]
    assert "# first" in new and "# the servers" in new


def test_the_core_loads_ruamel_only_for_a_structural_edit():
    """ruamel.yaml (~45 ms) is not part of start-up: reading and span edits do without it."""
    code = ("import sys, lsc_tui.config.session, lsc_tui.config.yaml.edit as e, lsc_tui.config.yaml.document as d\n"
            "doc = d.parse_text('a: 1\\n', 'c.yaml')\n"
            "e.replace_scalar(doc, ('a',), 2)\n"
            "print('ruamel.yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
