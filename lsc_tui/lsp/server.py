"""``lsc-tui lsp``: the language server over stdio (pygls), wired to the core.

Every answer comes from the core through :class:`lsc_tui.lsp.documents.Documents` (the
editor's session engine) and :mod:`lsc_tui.lsp.knowledge`:

- diagnostics on open, change and save: the findings of ``lsc-tui validate`` and
  ``lsc-tui secrets scan`` (same codes, places and fixes; messages never hold a value);
- code actions: the mechanical fixes of :mod:`lsc_tui.config.quickfix`, a literal secret
  moved to ``${env.NAME}`` (the value goes to ``.env``, written 0600 by the server), the
  migration of a legacy pair (written beside it as ``lightspeed-stack.unified.yaml`` when it
  is proven equivalent, then shown);
- hover: a key's documentation from the models and the run.yaml lines it produces;
- completion: keys, enum values, provider types and ``${env.`` names from ``.env``;
- ``workspace/executeCommand`` ``lsc-tui.synthesize``: the synthesized run.yaml and its
  diff against the saved files, masked, for a side panel.
"""

from __future__ import annotations

import logging
import os
import weakref
from pathlib import Path

import cattrs
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from lsc_tui import __version__
from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.migration import Migration, MigrationInputError, MigrationRefused, OutputRefused
from lsc_tui.config.quickfix import fixes_for
from lsc_tui.config.releases import Release
from lsc_tui.config.secrets.fix import plan_fix
from lsc_tui.config.yaml.save import atomic_write
from lsc_tui.lsp import knowledge
from lsc_tui.lsp.documents import Documents

CMD_SYNTHESIZE = "lsc-tui.synthesize"
CMD_SECRET_TO_ENV = "lsc-tui.secretToEnv"
CMD_MIGRATE = "lsc-tui.migrate"
MIGRATED_NAME = "lightspeed-stack.unified.yaml"

_SEVERITY = {
    Severity.ERROR: T.DiagnosticSeverity.Error,
    Severity.WARNING: T.DiagnosticSeverity.Warning,
    Severity.INFO: T.DiagnosticSeverity.Information,
}
_KINDS = {
    "key": T.CompletionItemKind.Property,
    "value": T.CompletionItemKind.EnumMember,
    "env": T.CompletionItemKind.Variable,
    "provider-type": T.CompletionItemKind.Value,
}

log = logging.getLogger("lsc_tui.lsp")


class Refused(JsonRpcException):
    """A command lsc-tui will not carry out as asked; the message says why and what to do.
    Answered as LSP's RequestFailed, without a traceback."""

    CODE = -32803


class BadArguments(JsonRpcInvalidParams):
    """A command's arguments are not what it takes (InvalidParams, the message says which)."""


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, answering every request: one whose params do not fit the protocol's
    types gets InvalidParams naming the method (pygls logs it and sends nothing, so the client
    waits for ever)."""

    _ANSWERED = object()

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "jsonrpc" not in data or "id" not in data or not isinstance(data.get("method"), str):
                raise
            cause = exc.__cause__
            if isinstance(cause, cattrs.BaseValidationError):
                reason = "; ".join(cattrs.transform_error(cause))  # "invalid value @ $.params.position"
            else:
                reason = str(cause or exc).splitlines()[0]
            message = f"{data['method']}: {reason}"
            log.warning("request %s refused: %s", data["id"], message)
            self._send_response(data["id"], error=JsonRpcInvalidParams(message).to_response_error())
            return self._ANSWERED

    def handle_message(self, message):
        if message is self._ANSWERED:
            return
        super().handle_message(message)


class _Text(TextDocument):
    """pygls' TextDocument, with a position for an empty text (pygls' raises UnboundLocalError)."""

    def client_position_at_offset(self, offset: int) -> T.Position:
        if not self.source:
            return T.Position(line=0, character=0)
        return super().client_position_at_offset(offset)


class OneLineLog(logging.Formatter):
    """The server's log (stderr, the editor's LSP log): one line per event, never a traceback;
    the exception's type and message instead (LSC_TUI_DEBUG=1 keeps tracebacks). pygls writes
    some tracebacks into the message itself: its first line is kept."""

    def format(self, record: logging.LogRecord) -> str:
        if os.environ.get("LSC_TUI_DEBUG"):
            return super().format(record)
        text = record.getMessage().splitlines()[0] if record.getMessage() else ""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            detail = getattr(exc, "message", None) or str(exc)
            text += f": {type(exc).__name__}: {detail.splitlines()[0] if detail else ''}".rstrip(": ")
        return f"lsc-tui lsp: {text}"


class LscServer(LanguageServer):
    def __init__(self, lcore: Release | None = None) -> None:
        super().__init__(
            "lsc-tui", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental, protocol_cls=_Protocol
        )
        self.docs = Documents(lcore=lcore)
        self.published: dict[str, list] = {}

    # -- paths and positions ---------------------------------------------------------------
    @staticmethod
    def path_of(uri: str) -> Path:
        fs = to_fs_path(uri)
        if fs is None:
            raise Refused(f"{uri}: lsc-tui works on files (file:// URIs) only")
        return Path(os.path.abspath(fs))

    @staticmethod
    def file_of(uri: str) -> Path | None:
        """The file behind ``uri``; None for a buffer that is not a file (a new, unsaved
        ``untitled:`` buffer): lsc-tui leaves those alone, without an error on every keystroke."""
        fs = to_fs_path(uri)
        return None if fs is None else Path(os.path.abspath(fs))

    def text_doc(self, path: Path, text: str) -> TextDocument:
        return _Text(from_fs_path(str(path)) or str(path), source=text, position_codec=self.workspace.position_codec)

    def text_of(self, path: Path) -> str | None:
        if path in self.docs.open:
            return self.docs.open[path]
        s = self.docs.session_for(path)
        return s.buffers.get(path) if s is not None else None

    # -- diagnostics -----------------------------------------------------------------------
    def publish(self, path: Path) -> None:
        for p in self.docs.files_of(path):
            text = self.text_of(p)
            diags = (
                []
                if text is None
                else [to_diagnostic(f, self.text_doc(p, text), self.doc_node_index(p)) for f in self.docs.findings(p)]
            )
            uri = from_fs_path(str(p))
            key = [(d.range, d.code, d.message, d.severity) for d in diags]
            if self.published.get(uri) == key:
                continue
            self.published[uri] = key
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=diags))

    def clear(self, paths: list[Path]) -> None:
        for p in paths:
            uri = from_fs_path(str(p))
            if self.published.pop(uri, None):
                self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def doc_node_index(self, path: Path):
        """The parsed document of ``path`` when it matches the text shown (for ranges)."""
        s = self.docs.session_for(path)
        if s is None or path in self.docs.broken:
            return None
        try:
            doc = s.document(path)
        except Exception:  # noqa: BLE001 - not loaded (a missing profile): ranges fall back to the line
            return None
        return doc if doc.text == s.buffers.get(path) else None


# The offsets of every node of a parsed document, by its start: computed once per document (a parsed
# document never changes; an edit parses a new one), forgotten with it.
_SPANS: weakref.WeakKeyDictionary[object, dict[int, int]] = weakref.WeakKeyDictionary()


def _node_spans(doc) -> dict[int, int]:
    spans = _SPANS.get(doc)
    if spans is None:
        spans = _SPANS[doc] = _compute_spans(doc)
    return spans


def _compute_spans(doc) -> dict[int, int]:
    spans: dict[int, int] = {}

    def put(start: int, end: int) -> None:  # the innermost node starting there: a key, not its mapping
        if end > start and (start not in spans or end < spans[start]):
            spans[start] = end

    stack = [doc.root] if doc.root is not None else []
    while stack:
        node = stack.pop()
        put(node.start, node.end)
        if node.kind == "map":
            for k, v in node.items:
                put(k.start, k.end)
                stack.append(v)
                if k.kind != "scalar":
                    stack.append(k)
        elif node.kind == "seq":
            stack.extend(node.items)
    return spans


def finding_span(f: Finding, text: str, doc=None) -> tuple[int, int]:
    """Character offsets of what a finding points at: the key or value starting at its line and
    column (to the end of that line at most), else the rest of the line."""
    if f.line <= 0:
        return 0, 0
    lines = text.splitlines(keepends=True)
    if f.line > len(lines):
        return len(text), len(text)
    line_start = sum(len(x) for x in lines[: f.line - 1])
    line_text = lines[f.line - 1].rstrip("\r\n")
    start = line_start + min(max(f.column - 1, 0), len(line_text))
    line_end = line_start + len(line_text)
    end = None
    if doc is not None:
        end = _node_spans(doc).get(start)
    if end is None or end <= start:
        stripped = line_text.rstrip()
        end = line_start + len(stripped)
        comment = line_text.find(" #", start - line_start)
        if comment >= 0:
            end = line_start + len(line_text[:comment].rstrip())
    end = min(end, line_end)
    return start, max(end, start)


def to_diagnostic(f: Finding, tdoc: TextDocument, doc=None) -> T.Diagnostic:
    start, end = finding_span(f, tdoc.source, doc)
    rng = T.Range(tdoc.client_position_at_offset(start), tdoc.client_position_at_offset(end))
    message = f.message + (f"\nfix: {f.fix}" if f.fix else "")
    return T.Diagnostic(
        range=rng,
        message=message,
        severity=_SEVERITY[f.severity],
        code=f.code,
        source="lsc-tui",
        data={"line": f.line, "column": f.column, "code": f.code, "path": f.shown_path()},
    )


def _finding_of(server: LscServer, path: Path, data) -> Finding | None:
    if not isinstance(data, dict):
        return None
    for f in server.docs.findings(path):
        if f.line == data.get("line") and f.column == data.get("column") and f.code == data.get("code"):
            return f
    return None


# -- the server ------------------------------------------------------------------------------


def build_server(lcore: Release | None = None) -> LscServer:
    server = LscServer(lcore)

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LscServer, params: T.DidOpenTextDocumentParams) -> None:
        path = ls.file_of(params.text_document.uri)
        if path is None:
            return
        ls.docs.opened(path, params.text_document.text)
        ls.publish(path)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LscServer, params: T.DidChangeTextDocumentParams) -> None:
        path = ls.file_of(params.text_document.uri)
        if path is None:
            return
        new_text = ls.workspace.get_text_document(params.text_document.uri).source
        old_text = ls.docs.open.get(path)
        span = None
        changes = params.content_changes
        if old_text is not None and len(changes) == 1 and isinstance(changes[0], T.TextDocumentContentChangePartial):
            old = ls.text_doc(path, old_text)
            start = old.offset_at_position(changes[0].range.start)
            end = old.offset_at_position(changes[0].range.end)
            if old_text[:start] + changes[0].text + old_text[end:] == new_text:
                span = (start, end)
        ls.docs.changed(path, new_text, span)
        ls.publish(path)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LscServer, params: T.DidSaveTextDocumentParams) -> None:
        path = ls.file_of(params.text_document.uri)
        if path is None:
            return
        ls.docs.saved(path)
        ls.publish(path)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LscServer, params: T.DidCloseTextDocumentParams) -> None:
        path = ls.file_of(params.text_document.uri)
        if path is None:
            return
        ls.clear(ls.docs.closed(path))

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    def hover(ls: LscServer, params: T.HoverParams) -> T.Hover | None:
        path = ls.file_of(params.text_document.uri)
        if path is None:
            return None
        s = ls.docs.session_for(path)
        text = ls.text_of(path)
        if s is None or text is None:
            return None
        tdoc = ls.text_doc(path, text)
        pos = tdoc.position_codec.position_from_client_units(tdoc.lines, params.position)
        lines = text.splitlines()
        if pos.line >= len(lines):
            return None
        md = knowledge.hover(s, path, lines, pos.line, pos.character)
        if not md:
            return None
        return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=md))

    @server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=[".", ":", "{"]))
    def completion(ls: LscServer, params: T.CompletionParams) -> T.CompletionList:
        path = ls.file_of(params.text_document.uri)
        if path is None:
            return T.CompletionList(is_incomplete=False, items=[])
        text = ls.text_of(path) or ""
        tdoc = ls.text_doc(path, text)
        pos = tdoc.position_codec.position_from_client_units(tdoc.lines, params.position)
        lines = text.splitlines() or [""]
        if pos.line >= len(lines):
            lines = lines + [""] * (pos.line - len(lines) + 1)
        items = knowledge.complete(ls.docs.session_for(path), path, lines, pos.line, pos.character)
        return T.CompletionList(
            is_incomplete=False,
            items=[
                T.CompletionItem(
                    label=c.label,
                    kind=_KINDS.get(c.kind),
                    detail=c.detail or None,
                    documentation=T.MarkupContent(kind=T.MarkupKind.Markdown, value=c.documentation)
                    if c.documentation
                    else None,
                    insert_text=c.insert,
                )
                for c in items
            ],
        )

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION, T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
    def code_action(ls: LscServer, params: T.CodeActionParams) -> list[T.CodeAction]:
        uri = params.text_document.uri
        path = ls.file_of(uri)
        if path is None:
            return []
        s = ls.docs.session_for(path)
        if s is None or path in ls.docs.broken:
            return []
        out: list[T.CodeAction] = []
        seen: dict[tuple, list[T.Diagnostic]] = {}  # a fix's edits -> the diagnostics it clears
        for diag in params.context.diagnostics:
            f = _finding_of(ls, path, diag.data)
            if f is None:
                continue
            for fix in fixes_for(s.workspace, f):
                fix_text = s.buffers.get(Path(fix.file))
                if fix_text is None:
                    continue
                tdoc = ls.text_doc(Path(fix.file), fix_text)
                edits = [
                    T.TextEdit(T.Range(tdoc.client_position_at_offset(a), tdoc.client_position_at_offset(b)), new)
                    for a, b, new in fix.edits
                ]
                same = seen.get((fix.file, fix.edits))
                if same is not None:  # one fix clearing two findings (a rename: unknown and missing key)
                    same.append(diag)
                    continue
                seen[(fix.file, fix.edits)] = cleared = [diag]
                action = T.CodeAction(
                    title=fix.title,
                    kind=T.CodeActionKind.QuickFix,
                    diagnostics=cleared,
                    is_preferred=fix.preferred or None,
                    edit=T.WorkspaceEdit(changes={from_fs_path(str(fix.file)): edits}),
                )
                out.append(action)
            if f.code.startswith("secret-"):
                secret = _secret_of(s, f)
                if secret is not None:
                    name = secret.existing_env if secret.kind == "default" else (secret.suggested_env or "NAME")
                    out.append(
                        T.CodeAction(
                            title=f"Move the value to .env and write ${{env.{name}}}",
                            kind=T.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            is_preferred=True,
                            command=T.Command(
                                title="Move the secret to .env",
                                command=CMD_SECRET_TO_ENV,
                                arguments=[uri, secret.fingerprint],
                            ),
                        )
                    )
            if f.code == "legacy-deprecated":
                out.append(
                    T.CodeAction(
                        title=f"Migrate to a unified config ({MIGRATED_NAME}, proven equivalent)",
                        kind=T.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        command=T.Command(title="Migrate", command=CMD_MIGRATE, arguments=[uri]),
                    )
                )
        return out

    @server.command(CMD_SYNTHESIZE)
    def synthesize(ls: LscServer, *args) -> dict:
        path = ls.path_of(_uri_arg(args))
        s = ls.docs.session_for(path)
        if s is None:
            raise Refused(f"{path.name} is not open in lsc-tui (open it first), or it is not YAML")
        a = s.analysis
        return {
            "file": str(s.path),
            "label": a.synthesis.label if a.synthesis is not None else "synthesized run.yaml",
            "run_yaml": a.run_yaml_text,  # masked
            "diff": a.diff_text,  # against the synthesis of the saved files, masked
            "baseline": a.baseline_label,
            "dirty": s.dirty,
            "counts": a.counts(),
        }

    @server.command(CMD_SECRET_TO_ENV)
    async def secret_to_env(ls: LscServer, *args) -> dict:
        uri = _uri_arg(args)
        fingerprint = _str_arg(args, 1, "fingerprint")
        return await _secret_to_env(ls, uri, fingerprint)

    @server.command(CMD_MIGRATE)
    async def migrate(ls: LscServer, *args) -> dict:
        return await _migrate(ls, _uri_arg(args))

    return server


def _uri_arg(args) -> str:
    return _str_arg(args, 0, "document URI")


def _str_arg(args, i: int, what: str) -> str:
    flat = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
    if len(flat) <= i or not isinstance(flat[i], str):
        raise BadArguments(f"expected the {what} as argument {i + 1}")
    return flat[i]


def _secret_of(s, f: Finding):
    for secret in s.analysis.secret_findings:
        if (secret.file, secret.line, secret.column) == (
            f.file,
            f.line,
            f.column,
        ) and f.code == f"secret-{secret.rule}":
            return secret
    return None


async def _secret_to_env(ls: LscServer, uri: str, fingerprint: str) -> dict:
    """The value goes to .env beside the config (written here, 0600, merged), then the client
    applies the reference in its buffer: the config never travels with the value in it."""
    path = ls.path_of(uri)
    s = ls.docs.session_for(path)
    if s is None or path in ls.docs.broken:
        raise Refused(f"{path.name}: fix the YAML first")
    plan = plan_fix(s.workspace, select=[fingerprint])
    if plan.errors:
        raise Refused("; ".join(plan.errors))
    if not plan.items:
        raise Refused("no literal secret with that fingerprint (the file changed?)")
    changes: dict[str, list[T.TextEdit]] = {}
    for w in plan.changes:
        before = s.buffers.get(Path(w.path))
        if before is None:
            raise Refused(f"{w.display} is not part of this workspace")
        changes[from_fs_path(str(w.path))] = [_whole_edit(ls, Path(w.path), before, w.text)]
    written = []
    for w in plan.writes:
        if w.role == "config":
            continue
        # the one writer: the symlink policy of the plan, backups 0600 from their first byte
        atomic_write(w.path, w.text, expected=w.expected, mode=w.mode, workspace=w.workspace)
        written.append(str(w.path))
    result = await ls.workspace_apply_edit_async(
        T.ApplyWorkspaceEditParams(edit=T.WorkspaceEdit(changes=changes), label="lsc-tui: secret to ${env.*}")
    )
    item = plan.items[0]
    return {
        "env_name": item.env_name,
        "reference": item.reference,
        "written": written,
        "applied": bool(result.applied),
        "warnings": plan.warnings,
    }


def _whole_edit(ls: LscServer, path: Path, before: str, after: str) -> T.TextEdit:
    """One edit covering only what changed between two texts."""
    a = 0
    n = min(len(before), len(after))
    while a < n and before[a] == after[a]:
        a += 1
    b = 0
    while b < n - a and before[len(before) - 1 - b] == after[len(after) - 1 - b]:
        b += 1
    tdoc = ls.text_doc(path, before)
    rng = T.Range(tdoc.client_position_at_offset(a), tdoc.client_position_at_offset(len(before) - b))
    return T.TextEdit(rng, after[a : len(after) - b])


async def _migrate(ls: LscServer, uri: str) -> dict:
    path = ls.path_of(uri)
    s = ls.docs.session_for(path)
    if s is None:
        raise Refused(f"{path.name} is not open in lsc-tui")
    config = s.path
    if s.dirty:
        raise Refused("save the files first: the migration reads and proves the saved legacy pair")
    target = config.parent / MIGRATED_NAME
    if target.exists():
        raise Refused(f"{target.name} exists already beside the config; move it away to migrate again")
    try:
        m = Migration.open(config, cwd=config.parent)
    except MigrationInputError as exc:
        raise Refused(exc.located_text()) from None
    if m.nothing_to_do:
        raise Refused(f"nothing to migrate: {m.nothing_to_do}")
    cand = m.choose(None, out=target)
    try:
        done = m.write()
    except OutputRefused as exc:
        raise Refused(str(exc)) from None
    except MigrationRefused as exc:
        raise Refused(
            f"{exc} Differences: {', '.join(exc.unaccepted)}. Run `lsc-tui migrate` to review and accept them."
        ) from None
    new_uri = from_fs_path(str(done.written))
    try:
        await ls.window_show_document_async(T.ShowDocumentParams(uri=new_uri, take_focus=True))
    except Exception as exc:  # noqa: BLE001 - a client without showDocument: the result names the file
        log.info("showDocument failed: %s", exc)
    return {
        "uri": new_uri,
        "strategy": cand.strategy,
        "equivalent": bool(done.proof.equivalent),
        "backup": str(done.backup) if done.backup else None,
    }


def main(lcore: Release | None = None) -> int:
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineLog())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    build_server(lcore).start_io()
    return 0
