"""`lsc-tui lsp` driven by a real LSP client (pygls) over stdio: files in, protocol messages out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types as T
from pygls.uris import from_fs_path

from tests.lsp.client import ROOT, Editor, run

pytestmark = pytest.mark.slow  # each test starts `lsc-tui lsp` and talks to it over stdio

SECRET = "sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678"

LEGACY_CONFIG = """\
name: demo
service:
  host: localhost
  port: 8080
  auth_enabled: no
llama_stack:
  use_as_library_client: true
  library_client_config_path: run.yaml
user_data_collection:
  feedback_enabled: false
mcp_servers:
  - identifier: tools
    url: http://tools.example.com:8080
"""

LEGACY_RUN = f"""\
version: 2
image_name: demo
apis:
- inference
providers:
  inference:
  - provider_id: openai
    provider_type: remote::openai
    config:
      api_key: {SECRET}
registered_resources:
  models:
  - model_id: gpt-4o-mini
    provider_id: openai
    model_type: llm
"""


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    (tmp_path / "lightspeed-stack.yaml").write_text(LEGACY_CONFIG)
    (tmp_path / "run.yaml").write_text(LEGACY_RUN)
    return tmp_path


def _validate(path: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "lsc_tui", "validate", "--json", str(path)], cwd=path.parent,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return json.loads(out.stdout)["findings"]


def _scan(path: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "lsc_tui", "secrets", "scan", "--json", str(path)], cwd=path.parent,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return json.loads(out.stdout)["findings"]


def _command(action) -> T.Command | None:
    """The command of a code action (pygls' client reads a CodeAction that carries only a command
    as a Command: both shapes are valid answers)."""
    if isinstance(action, T.Command):
        inner = action.command
        if isinstance(inner, str) and inner.startswith("{"):  # the client's converter kept the object as text
            import ast

            inner = ast.literal_eval(inner)
        return T.Command(**inner) if isinstance(inner, dict) else action
    return action.command


def test_diagnostics_are_the_findings_of_validate_and_secrets_scan(legacy):
    config, run_yaml = legacy / "lightspeed-stack.yaml", legacy / "run.yaml"

    async def go():
        ed = Editor()
        await ed.start(legacy)
        c_uri = ed.open(config)
        r_uri = from_fs_path(str(run_yaml))
        cdiags = await ed.diagnostics_for(c_uri, lambda d: len(d) > 0)
        rdiags = await ed.diagnostics_for(r_uri)
        await ed.stop()
        return cdiags, rdiags

    cdiags, rdiags = run(go())
    expected = {(f["line"], f["column"], f["code"]) for f in _validate(config)}
    expected |= {(f["line"], f["column"], "secret-" + f["rule"]) for f in _scan(config)}
    got = {(d.range.start.line + 1, d.range.start.character + 1, d.code) for d in cdiags + rdiags}
    assert got == expected
    assert ("unknown-key" in {d.code for d in cdiags}) and ("secret-secret-key" in {d.code for d in rdiags})
    # ranges cover what the finding names: the key `identifier`, the literal `no`
    unknown = next(d for d in cdiags if d.code == "unknown-key")
    assert (unknown.range.start.character, unknown.range.end.character) == (4, 14)
    trap = next(d for d in cdiags if d.code == "yaml11-bool")
    assert trap.range.end.character - trap.range.start.character == 2
    for d in cdiags + rdiags:
        assert SECRET not in d.message and SECRET[:12] not in d.message
        assert d.source == "lsc-tui"


def test_quick_fixes_rename_quote_and_their_edits_clear_the_findings(legacy):
    config = legacy / "lightspeed-stack.yaml"

    async def go():
        ed = Editor()
        await ed.start(legacy)
        uri = ed.open(config)
        diags = await ed.diagnostics_for(uri, lambda d: len(d) > 0)
        actions = await ed.client.text_document_code_action_async(T.CodeActionParams(
            T.TextDocumentIdentifier(uri=uri), T.Range(T.Position(0, 0), T.Position(20, 0)),
            T.CodeActionContext(diagnostics=diags)))
        titles = [a.title for a in actions]
        assert len(titles) == len(set(titles))  # one action per fix, however many findings it clears
        by_title = {a.title: a for a in actions}
        rename = by_title["Rename 'identifier' to 'name'"]
        quote = by_title["Quote no as a string"]
        # apply the rename as an editor would, send the new text
        text = ed.texts[uri]
        lines = text.split("\n")
        for edit in rename.edit.changes[uri]:
            r = edit.range
            assert r.start.line == r.end.line
            lines[r.start.line] = lines[r.start.line][:r.start.character] + edit.new_text + lines[r.start.line][r.end.character:]
        ed.change_full(uri, "\n".join(lines))
        after = await ed.diagnostics_for(uri, lambda d: "unknown-key" not in {x.code for x in d})
        await ed.stop()
        return ed.texts[uri], after, quote, actions

    text, after, quote, actions = run(go())
    assert "  - name: tools\n" in text
    assert {d.code for d in after} >= {"yaml11-bool", "legacy-deprecated"}
    assert "missing-key" not in {d.code for d in after}
    assert quote.edit is not None and next(iter(quote.edit.changes.values()))[0].new_text == "'no'"
    assert any(_command(a) and _command(a).command == "lsc-tui.migrate" for a in actions)


def test_secret_to_env_writes_dotenv_0600_and_edits_the_buffer(legacy):
    run_yaml = legacy / "run.yaml"

    async def go():
        ed = Editor()
        await ed.start(legacy)
        uri = ed.open(run_yaml)
        diags = await ed.diagnostics_for(uri, lambda d: any(x.code.startswith("secret-") for x in d))
        secret = [d for d in diags if d.code.startswith("secret-")]
        actions = await ed.client.text_document_code_action_async(T.CodeActionParams(
            T.TextDocumentIdentifier(uri=uri), secret[0].range, T.CodeActionContext(diagnostics=secret)))
        move = next(_command(a) for a in actions if _command(a) and _command(a).command == "lsc-tui.secretToEnv")
        result = await ed.client.workspace_execute_command_async(T.ExecuteCommandParams(
            command=move.command, arguments=move.arguments))
        await ed.stop()
        return result, ed.applied, move

    result, applied, move = run(go())
    assert result["applied"] is True and result["env_name"] == "OPENAI_API_KEY"
    env = legacy / ".env"
    assert env.read_text() == f"OPENAI_API_KEY={SECRET}\n"
    assert oct(env.stat().st_mode & 0o777) == "0o600"
    assert SECRET not in move.title and SECRET not in json.dumps(move.arguments)
    (edit,) = applied
    (uri, edits), = edit.changes.items()
    assert uri.endswith("/run.yaml") and [e.new_text for e in edits] == ["${env.OPENAI_API_KEY}"]
    assert SECRET in run_yaml.read_text()  # the server never writes the config: the client applies the edit


def test_migrate_writes_a_proven_unified_config_and_shows_it(legacy):
    config = legacy / "lightspeed-stack.yaml"
    (legacy / "lightspeed-stack.yaml").write_text(LEGACY_CONFIG.replace("  auth_enabled: no\n", "").replace(
        "mcp_servers:\n  - identifier: tools\n    url: http://tools.example.com:8080\n", ""))

    async def go():
        ed = Editor()
        await ed.start(legacy)
        uri = ed.open(config)
        await ed.diagnostics_for(uri, lambda d: "legacy-deprecated" in {x.code for x in d})
        result = await ed.client.workspace_execute_command_async(T.ExecuteCommandParams(
            command="lsc-tui.migrate", arguments=[uri]))
        again = None
        try:
            await ed.client.workspace_execute_command_async(T.ExecuteCommandParams(
                command="lsc-tui.migrate", arguments=[uri]))
        except Exception as exc:  # noqa: BLE001 - the server's refusal arrives as an error response
            again = str(exc)
        await ed.stop()
        return result, ed.shown, again

    result, shown, again = run(go())
    target = legacy / "lightspeed-stack.unified.yaml"
    assert result["equivalent"] is True and shown == [from_fs_path(str(target))]
    assert target.is_file() and oct(target.stat().st_mode & 0o777) == "0o600"
    assert "library_client_config_path" not in target.read_text()
    assert again is not None and "exists already" in again


def test_hover_documents_the_key_and_the_run_yaml_lines_it_produces(tmp_path):
    (tmp_path / "lightspeed-stack.yaml").write_text("""\
name: demo
service:
  host: localhost
  port: 8080
llama_stack:
  use_as_library_client: true
  config:
    baseline: default
user_data_collection:
  feedback_enabled: false
inference:
  providers:
    - id: vllm1
      type: vllm
      url: http://vllm.example.com:8000/v1
      api_key: ${env.VLLM_API_KEY}
""")

    async def go():
        ed = Editor()
        await ed.start(tmp_path)
        uri = ed.open(tmp_path / "lightspeed-stack.yaml")
        await ed.diagnostics_for(uri)
        port = await ed.client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri=uri),
                                                                       T.Position(3, 4)))
        url = await ed.client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri=uri),
                                                                      T.Position(12, 8)))
        await ed.stop()
        return port, url

    port, url = run(go())
    assert "**service.port**" in port.contents.value and "8080" in port.contents.value
    text = url.contents.value
    assert "inference.providers[0].id" in text
    assert "produces" in text and "provider_id: vllm1" in text and "provider_type: remote::vllm" in text


def test_completion_keys_enums_provider_types_and_env_names(tmp_path):
    (tmp_path / ".env").write_text("VLLM_API_KEY=abc123secretvalue\nOTHER_NAME=x\n")
    (tmp_path / "run.yaml").write_text(LEGACY_RUN.replace(f"api_key: {SECRET}", "api_key: ${env.OPENAI_API_KEY}"))
    (tmp_path / "lightspeed-stack.yaml").write_text("""\
name: demo
service:
  host: localhost
  port: 8080
llama_stack:
  use_as_library_client: true
  config:
    baseline: default
user_data_collection:
  feedback_enabled: false
""")

    async def complete(ed, uri, line, col):
        got = await ed.client.text_document_completion_async(T.CompletionParams(
            T.TextDocumentIdentifier(uri=uri), T.Position(line, col)))
        return [i.label for i in got.items], got.items

    async def go():
        ed = Editor()
        await ed.start(tmp_path)
        cfg = ed.open(tmp_path / "lightspeed-stack.yaml")
        await ed.diagnostics_for(cfg)
        # a key being typed (not valid YAML yet: the path comes from the indentation)
        ed.change_range(cfg, 4, 0, 0, "  wo\n")
        keys, _ = await complete(ed, cfg, 4, 4)
        ed.change_full(cfg, (tmp_path / "lightspeed-stack.yaml").read_text())
        runu = ed.open(tmp_path / "run.yaml")
        await ed.diagnostics_for(runu)
        # providers.inference[0].provider_type
        lines = ed.texts[runu].split("\n")
        n = next(i for i, x in enumerate(lines) if "provider_type" in x)
        ed.change_range(runu, n, 0, len(lines[n]), "    provider_type: ")
        types, _ = await complete(ed, runu, n, 19)
        ed.change_range(runu, n, 0, len(ed.texts[runu].split("\n")[n]), "    provider_type: remote::openai")
        m = next(i for i, x in enumerate(lines) if "api_key" in x)
        envs, items = await complete(ed, runu, m, len("      api_key: ${env."))
        # an enum value: llama_stack.config.baseline
        ed.change_range(cfg, 7, 0, len("    baseline: default"), "    baseline: ")
        baselines, _ = await complete(ed, cfg, 7, 14)
        await ed.stop()
        return keys, types, envs, items, baselines

    keys, types, envs, items, baselines = run(go())
    assert "workers" in keys or "timeout" in keys or "url" in keys, keys
    assert "use_as_library_client" not in keys  # already there
    assert "remote::openai" in types and "remote::vllm" in types
    assert envs == ["OTHER_NAME", "VLLM_API_KEY"]
    assert all("abc123secretvalue" not in (i.detail or "") for i in items)
    assert set(baselines) >= {"default", "empty", "byo-llm"}


def test_malformed_input_is_a_located_diagnostic_and_recovers(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("version: 2\nproviders:\n  inference: []\n")

    async def go():
        ed = Editor()
        await ed.start(tmp_path)
        uri = ed.open(path)
        await ed.diagnostics_for(uri)
        ed.change_full(uri, "version: 2\nproviders:\n  inference: [\n  bad: {\n")
        broken = await ed.diagnostics_for(uri, lambda d: any(x.code == "yaml-syntax" for x in d))
        ed.change_full(uri, "- just\n- a list\n")
        listing = await ed.diagnostics_for(uri, lambda d: any(x.code == "not-a-mapping" for x in d))
        ed.change_full(uri, "\x00\x01 \t: : :\n")
        await ed.sync(uri)
        hover_ok = await ed.client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri=uri),
                                                                           T.Position(50, 50)))
        ed.change_full(uri, "version: 2\nproviders:\n  inference: []\n")
        fixed = await ed.diagnostics_for(uri, lambda d: all(x.code not in ("yaml-syntax", "not-a-mapping") for x in d))
        # the server is still alive and answering
        await ed.sync(uri)
        await ed.stop()
        return broken, listing, fixed, hover_ok

    broken, listing, fixed, hover_ok = run(go())
    err = next(d for d in broken if d.code == "yaml-syntax")
    assert err.severity == T.DiagnosticSeverity.Error and err.range.start.line >= 2
    assert hover_ok is None
    assert all(d.code not in ("yaml-syntax", "not-a-mapping") for d in fixed)


def test_synthesize_command_returns_run_yaml_and_diff_against_saved(tmp_path):
    (tmp_path / "lightspeed-stack.yaml").write_text(
        (Path(__file__).resolve().parents[1] / "fixtures" / "unified-vllm.yaml").read_text(encoding="utf-8"))

    async def go():
        ed = Editor()
        await ed.start(tmp_path)
        uri = ed.open(tmp_path / "lightspeed-stack.yaml")
        await ed.diagnostics_for(uri)
        clean = await ed.client.workspace_execute_command_async(T.ExecuteCommandParams(
            command="lsc-tui.synthesize", arguments=[uri]))
        lines = ed.texts[uri].split("\n")
        ed.change_range(uri, 15, len("        base_url: http://"), len("        base_url: http://vllm"), "gpu")
        await ed.sync(uri)
        edited = await ed.client.workspace_execute_command_async(T.ExecuteCommandParams(
            command="lsc-tui.synthesize", arguments=[uri]))
        await ed.stop()
        return clean, edited, lines

    clean, edited, _lines = run(go())
    assert "http://vllm.example.com:8000/v1" in clean["run_yaml"] and clean["diff"] == ""
    assert clean["dirty"] is False and edited["dirty"] is True
    assert "-        base_url: http://vllm.example.com:8000/v1" in edited["diff"]
    assert "+        base_url: http://gpu.example.com:8000/v1" in edited["diff"]


def test_operator_files_get_their_findings(tmp_path):
    (tmp_path / "extra-providers.yaml").write_text("apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\n"
                                                   "spec: 3\n")

    async def go():
        ed = Editor()
        await ed.start(tmp_path)
        uri = ed.open(tmp_path / "extra-providers.yaml")
        diags = await ed.diagnostics_for(uri, lambda d: len(d) > 0)
        await ed.stop()
        return diags

    diags = run(go())
    expected = {(f["line"], f["column"], f["code"]) for f in _validate(tmp_path / "extra-providers.yaml")}
    assert {(d.range.start.line + 1, d.range.start.character + 1, d.code) for d in diags} == expected


@pytest.mark.slow
def test_ten_thousand_line_run_yaml_opens_and_a_keystroke_is_cheap(tmp_path):
    sys.path.insert(0, str(ROOT))
    from bench.inputs import run_yaml_text

    text = run_yaml_text(10_000)
    assert text.count("\n") >= 10_000
    path = tmp_path / "run.yaml"
    path.write_text(text)
    lines = text.split("\n")
    n = next(i for i, x in enumerate(lines) if x.lstrip().startswith("url: http://vllm-"))

    async def go():
        ed = Editor()
        await ed.start(tmp_path)
        t0 = time.perf_counter()
        uri = ed.open(path)
        await ed.diagnostics_for(uri, timeout=120)
        await ed.sync(uri)
        opened = time.perf_counter() - t0
        times = []
        for i, ch in enumerate("abc"):
            t1 = time.perf_counter()
            col = len(lines[n])
            ed.change_range(uri, n, col + i, col + i, ch)
            await ed.sync(uri)
            times.append(time.perf_counter() - t1)
        ed.change_range(uri, n, 0, 0, "  oops: [\n")  # malformed, in a big file
        broken = await ed.diagnostics_for(uri, lambda d: any(x.code == "yaml-syntax" for x in d), timeout=60)
        await ed.stop()
        return opened, times, broken

    opened, times, broken = run(go())
    assert opened < 60
    print("open", opened, "keystrokes", times)
    assert max(times) < 2.0, times
    assert broken
