"""The language server shows no secret: the canaries of ``test_canary.py`` (one of every kind
the scanner knows) planted in every file kind, opened in ``lsc-tui lsp``, appear in none of its
diagnostics, hovers (one on every line), or ``lsc-tui.synthesize`` results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lsp"))

from client import Editor, run  # noqa: E402
from lsprotocol import types as T  # noqa: E402
from test_canary import build  # noqa: E402

OPENED = {
    "legacy": ["lightspeed-stack.yaml", "run.yaml"],
    "unified": ["lightspeed-stack.yaml", "profile.yaml"],
    "operator": ["cr.yaml", "cr-enum.yaml", "extra-providers.yaml", "meta/canary-prov/lls-provider-spec.yaml",
                 "meta-bad/canary-bad/lls-provider-spec.yaml"],
    "export": ["run.yaml"],
}


@pytest.mark.parametrize("folder", sorted(OPENED))
def test_the_language_server_shows_no_canary(tmp_path, folder):
    planted = build(tmp_path / "ws")
    root = tmp_path / "ws" / folder
    shown: list[tuple[str, str]] = []

    async def go():
        ed = Editor()
        await ed.start(root)
        try:
            for rel in OPENED[folder]:
                uri = ed.open(root / rel)
                diags = await ed.diagnostics_for(uri)
                shown.extend((f"{rel} diagnostic", f"{d.code} {d.message} {json.dumps(d.data, default=str)}")
                             for d in diags)
                for line_no, line in enumerate(ed.texts[uri].split("\n")):
                    for col in sorted({len(line) - len(line.lstrip()), max(0, len(line) - 2)}):
                        hover = await ed.client.text_document_hover_async(
                            T.HoverParams(T.TextDocumentIdentifier(uri=uri), T.Position(line_no, col)))
                        if hover is not None:
                            contents = hover.contents
                            text = getattr(contents, "value", None) or json.dumps(contents, default=str)
                            shown.append((f"{rel}:{line_no + 1} hover", text))
                result = await ed.client.workspace_execute_command_async(
                    T.ExecuteCommandParams(command="lsc-tui.synthesize", arguments=[uri]))
                shown.append((f"{rel} lsc-tui.synthesize", json.dumps(result, default=str)))
                actions = await ed.client.text_document_code_action_async(T.CodeActionParams(
                    T.TextDocumentIdentifier(uri=uri), T.Range(T.Position(0, 0), T.Position(len(ed.texts[uri]), 0)),
                    T.CodeActionContext(diagnostics=list(ed.diagnostics.get(uri, [])))))
                for a in actions or []:
                    shown.append((f"{rel} code action", getattr(a, "title", "")))
        finally:
            await ed.stop()

    run(go())
    assert shown, "the language server showed nothing"
    leaks = [f"{where}: {found}" for where, text in shown for found in [planted.leaks(text)] if found]
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks[:30])
