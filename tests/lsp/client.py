"""A real LSP client (pygls') talking to `python -m lsc_tui lsp` over stdio, for the tests."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

ROOT = Path(__file__).resolve().parents[2]


class Editor:
    """One language server process and what it sent us."""

    def __init__(self, apply_edits: bool = True):
        self.client = LanguageClient("lsc-tui-tests", "1")
        self.diagnostics: dict[str, list[T.Diagnostic]] = {}
        self.notes: list[tuple[str, int]] = []  # (uri, count) in arrival order
        self.applied: list[T.WorkspaceEdit] = []
        self.shown: list[str] = []
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

        @self.client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diags(params: T.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = params.diagnostics
            self.notes.append((params.uri, len(params.diagnostics)))

        @self.client.feature(T.WORKSPACE_APPLY_EDIT)
        def _apply(params: T.ApplyWorkspaceEditParams) -> T.ApplyWorkspaceEditResult:
            self.applied.append(params.edit)
            return T.ApplyWorkspaceEditResult(applied=apply_edits)

        @self.client.feature(T.WINDOW_SHOW_DOCUMENT)
        def _show(params: T.ShowDocumentParams) -> T.ShowDocumentResult:
            self.shown.append(params.uri)
            return T.ShowDocumentResult(success=True)

    async def start(self, root: Path) -> T.InitializeResult:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        await self.client.start_io(sys.executable, "-m", "lsc_tui", "lsp", env=env, cwd=str(root))
        result = await self.client.initialize_async(T.InitializeParams(
            capabilities=T.ClientCapabilities(
                workspace=T.WorkspaceClientCapabilities(apply_edit=True),
                window=T.WindowClientCapabilities(show_document=T.ShowDocumentClientCapabilities(support=True))),
            root_uri=from_fs_path(str(root)), process_id=os.getpid()))
        self.client.initialized(T.InitializedParams())
        return result

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def open(self, path: Path, text: str | None = None) -> str:
        uri = from_fs_path(str(path))
        text = path.read_text(encoding="utf-8") if text is None else text
        self.versions[uri] = 1
        self.texts[uri] = text
        self.client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
        return uri

    def change_full(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [T.TextDocumentContentChangeWholeDocument(text=text)]))

    def change_range(self, uri: str, line: int, start: int, end: int, new: str) -> None:
        """Replace characters [start, end) of one line (ASCII lines: UTF-16 = characters)."""
        self.versions[uri] += 1
        lines = self.texts[uri].split("\n")
        lines[line] = lines[line][:start] + new + lines[line][end:]
        self.texts[uri] = "\n".join(lines)
        self.client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [T.TextDocumentContentChangePartial(range=T.Range(T.Position(line, start), T.Position(line, end)),
                                                text=new)]))

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri=uri)))

    async def wait(self, predicate, timeout: float = 30.0):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            value = predicate()
            if value:
                return value
            await asyncio.sleep(0.02)
        raise AssertionError("timed out waiting for the language server")

    async def diagnostics_for(self, uri: str, predicate=lambda d: True, timeout: float = 30.0) -> list[T.Diagnostic]:
        """The diagnostics of ``uri`` once a published set satisfies ``predicate``."""
        await self.wait(lambda: uri in self.diagnostics and predicate(self.diagnostics[uri]), timeout)
        return self.diagnostics[uri]

    async def sync(self, uri: str) -> None:
        """Wait until the server has handled everything sent so far (requests are answered in order)."""
        await self.client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri=uri),
                                                                  T.Position(0, 0)))


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))
