"""Every edit changes only its own bytes: a raw-YAML edit of one value, or a list set from the
form, leaves the blank lines and comments around the node as they were."""

import difflib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsc_tui.config.session import EditSession, ReplaceNodeYaml, SetValue
from lsc_tui.config.yaml.edit import node_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "session"


def changed_lines(before: str, after: str) -> list[str]:
    return [ln for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def open_(name: str) -> tuple[EditSession, Path]:
        target = tmp_path / "run.yaml"
        shutil.copy(FIXTURES / name, target)
        return EditSession.open(target, cwd=tmp_path), target

    return open_


@pytest.mark.parametrize("path", [("providers", "inference", 0), ("providers", "inference"), ("providers",)])
def test_raw_yaml_edit_of_one_value_keeps_the_blank_line_after_the_node(session, path):
    s, run = session("blank-lines-run.yaml")
    before = s.text_of(run)
    text = node_text(s.document(run), path)
    assert "http://x" in text
    s.apply(ReplaceNodeYaml(run, path, text.replace("http://x", "http://y")))
    assert changed_lines(before, s.text_of(run)) == ["-      url: http://x", "+      url: http://y"]


def test_a_list_set_from_the_form_changes_only_the_list(session):
    s, run = session("blank-lines-run.yaml")
    before = s.text_of(run)
    s.apply(SetValue(run, ("apis",), ["inference", "files"]))
    assert changed_lines(before, s.text_of(run)) == ["+- files"]


def _collections(doc):
    """(path, leaf path) pairs: a block collection and a plain string scalar inside it."""
    out = []
    for path, node in doc.iter_nodes():
        if not path or node.kind == "scalar" or node.flow:
            continue
        for leaf_path, leaf in doc.iter_scalars():
            if (tuple(leaf_path[:len(path)]) == tuple(path) and len(leaf_path) > len(path) and leaf.style is None
                    and isinstance(leaf.value, str) and leaf.value.isidentifier() and "\n" not in leaf.value
                    and leaf.value not in ("true", "false", "null", "yes", "no", "on", "off")
                    and doc.text.count(leaf.value) == 1):
                out.append((tuple(path), tuple(leaf_path), leaf))
    return out


@pytest.mark.parametrize("name", ["spaced-run.yaml", "blank-lines-run.yaml"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(min_value=0, max_value=10_000), suffix=st.sampled_from(["x", "_2", "Z9"]))
def test_property_raw_yaml_edit_of_one_scalar_changes_only_its_line(session, name, pick, suffix):
    s, run = session(name)
    doc = s.document(run)
    candidates = _collections(doc)
    assert candidates
    path, leaf_path, leaf = candidates[pick % len(candidates)]
    before = s.text_of(run)
    text = node_text(doc, path)
    assert text.count(leaf.value) == 1
    s.apply(ReplaceNodeYaml(run, path, text.replace(leaf.value, leaf.value + suffix)))
    after = s.text_of(run)
    old_line = before.splitlines()[leaf.line - 1]
    assert changed_lines(before, after) == ["-" + old_line, "+" + old_line.replace(leaf.value, leaf.value + suffix)]
