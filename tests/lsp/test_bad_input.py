"""`lsc-tui lsp` given what a client should not send, or a buffer emptied: every request is
answered (with a JSON-RPC error naming what was wrong), no traceback reaches the client or its
log, and diagnostics follow the text, down to an empty buffer. Raw JSON-RPC over stdio, so
that malformed messages can be sent."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pygls.uris import from_fs_path

from tests.lsp.client import ROOT

pytestmark = pytest.mark.slow  # each test starts `lsc-tui lsp`

CONFIG = (Path(__file__).resolve().parents[1] / "fixtures" / "unified-vllm.yaml").read_text(encoding="utf-8")


class Wire:
    """`python -m lsc_tui lsp` and the messages it sent, read off its stdout."""

    def __init__(self, root: Path):
        self.err = root / "lsp.stderr"
        self.proc = subprocess.Popen([sys.executable, "-m", "lsc_tui", "lsp"], cwd=root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err.open("wb"),
                                     env=dict(os.environ, PYTHONPATH=str(ROOT)))
        self.inbox: queue.Queue = queue.Queue()
        self.ids = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = 0
            while line := out.readline():
                if not line.strip():
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if not line:
                self.inbox.put(None)
                return
            self.inbox.put(json.loads(out.read(length)))

    def raw(self, body: bytes) -> None:
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self.raw(json.dumps({"jsonrpc": "2.0", "method": method, "params": params}).encode())

    def request(self, method: str, params) -> int:
        self.ids += 1
        self.raw(json.dumps({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params}).encode())
        return self.ids

    def wait(self, match, timeout: float = 30) -> dict:
        while True:
            try:
                msg = self.inbox.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError("lsc-tui lsp sent nothing that was waited for") from None
            assert msg is not None, "lsc-tui lsp ended\n" + self.err.read_text()
            if match(msg):
                return msg

    def answer(self, rid: int, timeout: float = 30) -> dict:
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def diagnostics(self, uri: str) -> list:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri)["params"]["diagnostics"]

    def start(self, root: Path) -> None:
        self.answer(self.request("initialize", {"processId": None, "rootUri": from_fs_path(str(root)),
                                                "capabilities": {}}))
        self.notify("initialized", {})

    def stop(self) -> int:
        self.answer(self.request("shutdown", None))
        self.notify("exit", None)
        return self.proc.wait(30)


@pytest.fixture
def wire(tmp_path: Path):
    (tmp_path / "lightspeed-stack.yaml").write_text(CONFIG)
    w = Wire(tmp_path)
    try:
        w.start(tmp_path)
        yield w
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait(10)


def test_an_emptied_buffer_replaces_the_diagnostics_of_its_text(wire, tmp_path):
    """Select all, delete: the diagnostics of the old text used to stay (pointing at lines that
    are gone), and the client got a pop-up "Error in server: UnboundLocalError"."""
    uri = from_fs_path(str(tmp_path / "lightspeed-stack.yaml"))
    wrong = CONFIG.replace("  port: 8080", "  port: 8080\n  workerz: 1")
    assert wrong != CONFIG
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                          "text": wrong}})
    assert "unknown-key" in [d["code"] for d in wire.diagnostics(uri)]
    wire.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                           "contentChanges": [{"text": ""}]})
    empty = wire.wait(lambda m: m.get("method") in ("textDocument/publishDiagnostics", "window/showMessage"))
    assert empty["method"] == "textDocument/publishDiagnostics", empty
    assert [(d["code"], d["range"]) for d in empty["params"]["diagnostics"]] == [
        ("empty-file", {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}})]
    # typing again into the empty buffer, as a client sends it: one ranged change at 0:0
    wire.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": wrong}]})
    assert "unknown-key" in [d["code"] for d in wire.diagnostics(uri)]
    assert wire.stop() == 0
    assert "Traceback" not in wire.err.read_text()


def test_every_request_is_answered_without_a_traceback(wire, tmp_path):
    """A request whose params do not fit the protocol used to get no answer at all (the
    client waited for ever); a command with bad arguments answered "Internal Error" with the
    server's Python traceback, and the log (the editor's LSP log) held tracebacks."""
    uri = from_fs_path(str(tmp_path / "lightspeed-stack.yaml"))
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                          "text": CONFIG}})
    wire.diagnostics(uri)
    errors = {}
    for name, method, params in [
        ("negative line", "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}),
        ("no position", "textDocument/hover", {"textDocument": {"uri": uri}}),
        ("no arguments", "workspace/executeCommand", {"command": "lsc-tui.synthesize", "arguments": []}),
        ("not open", "workspace/executeCommand", {"command": "lsc-tui.synthesize",
                                                  "arguments": [from_fs_path(str(tmp_path / "other.yaml"))]}),
        ("no such secret", "workspace/executeCommand", {"command": "lsc-tui.secretToEnv",
                                                        "arguments": [uri, "0123456789abcdef"]}),
        ("unknown method", "lsc-tui/nothing", {}),
    ]:
        errors[name] = wire.answer(wire.request(method, params), timeout=20).get("error")
    wire.raw(b"{this is not JSON")
    hover = wire.answer(wire.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                            "position": {"line": 0, "character": 1}}))
    assert hover.get("result"), hover  # still serving
    assert wire.stop() == 0

    assert errors["negative line"]["code"] == -32602 and "textDocument/hover" in errors["negative line"]["message"]
    assert errors["no position"]["code"] == -32602 and "position" in errors["no position"]["message"]
    assert errors["no arguments"] == {"code": -32602, "message": "expected the document URI as argument 1"}
    assert errors["not open"]["code"] == -32803 and errors["not open"]["message"].startswith("other.yaml is not open")
    assert errors["no such secret"]["code"] == -32803 and "Error" not in errors["no such secret"]["message"]
    assert errors["unknown method"]["code"] == -32601
    for name, error in errors.items():
        assert "data" not in error or error["data"] is None, (name, error)
    log = wire.err.read_text()
    assert "Traceback" not in log and 'File "' not in log, log
    assert "lsc-tui lsp:" in log  # the refusals are still logged, one line each


def test_a_buffer_that_is_not_a_file_is_left_alone(wire, tmp_path):
    """A new, unsaved buffer (VS Code's `untitled:`) set to YAML: every open, keystroke and hover
    used to pop up "Error in server: ValueError: ... works on files only" in the editor."""
    untitled = "untitled:Untitled-1"
    seen: list[dict] = []
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": untitled, "languageId": "yaml", "version": 1,
                                                          "text": "name: x\n"}})
    wire.notify("textDocument/didChange", {"textDocument": {"uri": untitled, "version": 2},
                                           "contentChanges": [{"text": "name: xy\n"}]})
    pos = {"line": 0, "character": 1}
    hover = wire.request("textDocument/hover", {"textDocument": {"uri": untitled}, "position": pos})
    complete = wire.request("textDocument/completion", {"textDocument": {"uri": untitled}, "position": pos})
    actions = wire.request("textDocument/codeAction", {"textDocument": {"uri": untitled}, "range": {"start": pos, "end": pos},
                                                       "context": {"diagnostics": []}})
    wire.notify("textDocument/didSave", {"textDocument": {"uri": untitled}})
    wire.notify("textDocument/didClose", {"textDocument": {"uri": untitled}})
    # a real file still gets its diagnostics
    uri = from_fs_path(str(tmp_path / "lightspeed-stack.yaml"))
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                          "text": CONFIG}})
    answers = {}
    wire.wait(lambda m: seen.append(m) or (m.get("method") == "textDocument/publishDiagnostics"
                                           and m["params"]["uri"] == uri))
    for m in seen:
        if m.get("id") in (hover, complete, actions):
            answers[m["id"]] = m
    for rid in (hover, complete, actions):
        if rid not in answers:
            answers[rid] = wire.answer(rid)
    assert wire.stop() == 0
    assert [m for m in seen if m.get("method") == "window/showMessage"] == []
    assert answers[hover].get("result") is None and "error" not in answers[hover]
    assert answers[complete]["result"]["items"] == []
    assert answers[actions]["result"] == []
    assert [m["params"]["uri"] for m in seen if m.get("method") == "textDocument/publishDiagnostics"] == [uri]
