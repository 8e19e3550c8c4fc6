"""A config or run.yaml written with CRLF line ends (or a BOM) keeps them through every edit:
the structural edits (remove, add, move, duplicate) and a node's YAML typed in the editor
re-emit text with LF, which turned the whole file (or the edited lines) into LF on save."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from lsc_tui.config.session import (
    AddProvider,
    DuplicateListItem,
    EditSession,
    MoveListItem,
    RemoveNode,
    RenameProvider,
    ReplaceNodeYaml,
    SetValue,
)

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"

OPS = {
    "set": lambda run: SetValue(run, ("providers", "inference", 0, "config", "url"), "http://x:1/v1"),
    "rename": lambda run: RenameProvider(run, ("providers", "inference", 0), "vllm-a"),
    "remove": lambda run: RemoveNode(run, ("providers", "files", 0)),
    "add": lambda run: AddProvider(run, "inference", {"provider_id": "new", "provider_type": "remote::openai"}),
    "move": lambda run: MoveListItem(run, ("providers", "inference"), 0, 1),
    "duplicate": lambda run: DuplicateListItem(run, ("providers", "inference"), 0),
    "yaml": lambda run: ReplaceNodeYaml(
        run, ("providers", "files", 0), "provider_id: f\nprovider_type: inline::localfs\nconfig:\n  storage_dir: /x\n"
    ),
}


def _crlf_workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    for name in ("lightspeed-stack.yaml", "run.yaml"):
        p = ws / name
        p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    return ws


@pytest.mark.parametrize("op", list(OPS))
def test_a_crlf_file_is_saved_crlf_after_every_kind_of_edit(tmp_path, monkeypatch, op):
    """Before: remove, add, move and duplicate saved run.yaml with LF on every line but one, and
    a node's YAML left its lines LF among CRLF ones."""
    ws = _crlf_workspace(tmp_path)
    monkeypatch.chdir(ws)
    run = (ws / "run.yaml").resolve()
    before = yaml.safe_load(run.read_text())
    session = EditSession.open(ws / "lightspeed-stack.yaml")
    session.apply(OPS[op](run))
    session.save()
    raw = run.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 50, raw.decode()
    assert yaml.safe_load(raw.decode()) != before  # the edit itself landed


def test_a_file_with_mixed_line_ends_is_left_as_it_is(tmp_path, monkeypatch):
    """Only a file that is CRLF throughout is made CRLF: the lone LFs of a mixed file are its own."""
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    monkeypatch.chdir(ws)
    run = (ws / "run.yaml").resolve()
    text = run.read_bytes()
    first = text.index(b"\n")
    run.write_bytes(text[:first] + b"\r\n" + text[first + 1 :])  # one CRLF line, the rest LF
    session = EditSession.open(ws / "lightspeed-stack.yaml")
    session.apply(OPS["duplicate"](run))
    session.save()
    raw = run.read_bytes()
    assert raw.count(b"\r\n") <= 1 and raw.count(b"\n") > 50


@pytest.mark.parametrize("op", ["remove", "add", "move", "duplicate", "yaml", "set"])
def test_a_byte_order_mark_is_kept_by_every_kind_of_edit(tmp_path, monkeypatch, op):
    """Before: remove, add, move and duplicate saved a run.yaml that began with a UTF-8 BOM
    without it."""
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    monkeypatch.chdir(ws)
    run = (ws / "run.yaml").resolve()
    run.write_bytes(b"\xef\xbb\xbf" + run.read_bytes())
    session = EditSession.open(ws / "lightspeed-stack.yaml")
    session.apply(OPS[op](run))
    session.save()
    raw = run.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
