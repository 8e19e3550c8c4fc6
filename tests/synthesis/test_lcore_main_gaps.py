"""Where lsc-tui's preview and LCORE main (cd1a048) parted ways, each case checked against what
LCORE does with the same input. The ``lcore-run.yaml`` files under
tests/fixtures/lcore_main_gaps/ are LCORE's own synthesizer's output for the config beside them
(the byok_env_store one with STORE_ID=kb-one in its environment)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from lsc_tui.cli import main
from lsc_tui.config.preview import synthesize
from lsc_tui.config.workspace import MODE_SERVER, load_workspace

GAPS = Path(__file__).resolve().parents[1] / "fixtures" / "lcore_main_gaps"

SERVICE = textwrap.dedent("""\
    name: gaps
    service:
      host: 0.0.0.0
      port: 8080
      auth_enabled: false
      workers: 1
      color_log: true
      access_log: true
    user_data_collection:
      feedback_enabled: false
    """)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "lightspeed-stack.yaml"
    path.write_text(SERVICE + textwrap.dedent(body), encoding="utf-8")
    return path


def _codes(findings, severity=None) -> list[str]:
    return [f.code for f in findings if severity is None or f.severity.value == severity]


def _copy(tmp_path: Path, name: str) -> Path:
    shutil.copytree(GAPS / name, tmp_path / name)
    return tmp_path / name


def test_a_key_after_a_merge_key_overrides_it_and_is_no_duplicate(tmp_path, monkeypatch):
    case = _copy(tmp_path, "merge_override")
    monkeypatch.chdir(case)
    ws = load_workspace(case / "lightspeed-stack.yaml", env={})
    assert "duplicate-key" not in _codes(ws.findings)
    result, findings = synthesize(ws)
    assert result is not None and not [f for f in findings if f.is_error]
    assert result.data == yaml.safe_load((case / "lcore-run.yaml").read_text())


def test_a_real_duplicate_next_to_a_merge_key_is_still_reported(tmp_path):
    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: true
          config:
            native_override:
              x: &a {k: 1}
              y:
                <<: *a
                k: 2
                k: 3
        """)
    ws = load_workspace(path, env={})
    assert _codes(ws.findings).count("duplicate-key") == 1


def test_providers_null_in_native_override_is_where_lcore_fails(tmp_path):
    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: true
          config:
            native_override:
              providers: null
        """)
    ws = load_workspace(path, env={})
    _result, findings = synthesize(ws)
    failing = [f for f in findings if f.code == "synthesis-lcore-fails"]
    assert failing and failing[0].path[-1] == "providers" and failing[0].line == 15
    assert main(["synthesize", str(path), "-o", str(tmp_path / "out.yaml")]) == 1
    assert not (tmp_path / "out.yaml").exists()


def test_providers_as_a_mapping_in_native_override_still_synthesizes(tmp_path):
    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: true
          config:
            native_override:
              providers: {vector_io: null}
        """)
    result, findings = synthesize(load_workspace(path, env={}))
    assert result is not None and "synthesis-lcore-fails" not in _codes(findings)


def test_a_remote_client_ignores_the_library_run_yaml(tmp_path):
    (tmp_path / "run.yaml").write_text("version: 2\nproviders: {}\n", encoding="utf-8")
    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: false
          url: http://llama:8321
          library_client_config_path: run.yaml
        """)
    ws = load_workspace(path, cwd=tmp_path, env={})
    assert ws.mode == MODE_SERVER
    assert ws.run_yaml is None  # LCORE reads neither file as its own
    codes = _codes(ws.findings)
    assert "library-path-ignored" in codes and "legacy-deprecated" not in codes


@pytest.mark.parametrize("key, section, rel", [
    ("tls_certificate_path", "service_tls", "certs/tls.crt"),
    ("system_prompt_path", "customization", "prompts/system.txt"),
])
def test_a_file_setting_that_names_no_file_is_an_error(tmp_path, key, section, rel):
    text = SERVICE + "llama_stack:\n  use_as_library_client: true\n  config: {}\n"
    if section == "service_tls":
        text = text.replace("  access_log: true\n", f"  access_log: true\n  tls_config:\n    {key}: {rel}\n")
    else:
        text += f"customization:\n  {key}: {rel}\n"
    path = tmp_path / "lightspeed-stack.yaml"
    path.write_text(text, encoding="utf-8")
    ws = load_workspace(path, cwd=tmp_path, env={})
    missing = [f for f in ws.findings if f.code == "file-missing"]
    assert [f.path[-1] for f in missing] == [key] and missing[0].is_error and missing[0].line > 1
    target = tmp_path / rel
    target.parent.mkdir(parents=True)
    target.write_text("x\n", encoding="utf-8")
    assert "file-missing" not in _codes(load_workspace(path, cwd=tmp_path, env={}).findings)


def test_an_unset_variable_lcore_resolves_at_load_is_reported_by_name(tmp_path, capsys):
    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: false
          url: ${env.LLAMA_URL}
          config:
            native_override:
              x: ${env.NEVER_RESOLVED_BY_LCORE}
        """)
    ws = load_workspace(path, env={})
    unset = [f for f in ws.findings if f.code == "env-unset"]
    assert len(unset) == 1 and "LLAMA_URL" in unset[0].message and not unset[0].is_error
    for text in ("LLAMA_URL=\n", "OTHER=1\n"):
        env_file = tmp_path / "server.env"
        env_file.write_text(text, encoding="utf-8")
        assert main(["validate", str(path), "--env-file", str(env_file)]) == 1
        out = capsys.readouterr().out
        assert "error: env-unset" in out and "LLAMA_URL" in out and "server.env" in out
    env_file.write_text("LLAMA_URL=http://ls:8321\n", encoding="utf-8")
    assert main(["validate", str(path), "--env-file", str(env_file)]) == 0
    assert main(["validate", str(path), "--env-file", str(tmp_path / "nope.env")]) == 2
    assert "nope.env" in capsys.readouterr().err


def test_an_empty_value_for_a_typed_field_fails_as_in_lcore(tmp_path, capsys):
    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: false
          url: ${env.LLAMA_URL:=}
        """)
    env_file = tmp_path / "server.env"
    env_file.write_text("OTHER=1\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    assert main(["validate", str(path), "--env-file", str(env_file)]) == 1
    assert "llama_stack.url" in capsys.readouterr().out


def test_byok_beside_an_unset_store_id_reference_is_where_lcore_fails(tmp_path):
    case = _copy(tmp_path, "byok_env_store")
    ws = load_workspace(case / "lightspeed-stack.yaml", env={})
    ws.server_env, ws.server_env_source = {}, "server.env"
    result, findings = synthesize(ws)
    assert any(f.code == "synthesis-lcore-fails" and "STORE_ID" in f.message for f in findings)
    ws.server_env, ws.server_env_source = None, None  # unknown: lsc-tui's own environment warns
    _result, findings = synthesize(ws)
    assert any(f.code == "synthesis-env-unset" and "STORE_ID" in f.message and not f.is_error
               for f in findings)


def test_a_byok_store_already_registered_under_an_env_id_is_skipped(tmp_path, capsys):
    case = _copy(tmp_path, "byok_env_store")
    env_file = case / "server.env"
    env_file.write_text("STORE_ID=kb-one\n", encoding="utf-8")
    out = case / "out.yaml"
    assert main(["synthesize", str(case / "lightspeed-stack.yaml"), "--env-file", str(env_file),
                 "-o", str(out)]) == 0
    produced = yaml.safe_load(out.read_text())
    assert produced == yaml.safe_load((case / "lcore-run.yaml").read_text())
    stores = produced["registered_resources"]["vector_stores"]
    assert [s["vector_store_id"] for s in stores] == ["${env.STORE_ID}"]


def test_the_okp_url_finding_says_lcore_resolves_before_appending_solr(tmp_path):
    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: true
          config: {}
        rag:
          retrieval:
            inline:
              sources: [okp]
          okp:
            rhokp_url: ${env.OKP_URL}
        """)
    ws = load_workspace(path, env={"OKP_URL": "http://okp:8080/base"})
    ws.server_env, ws.server_env_source = {"OKP_URL": "http://okp:8080/base"}, "server.env"
    result, findings = synthesize(ws)
    solr = [p for p in result.data["providers"]["vector_io"] if p["provider_id"] == "okp_solr"]
    assert solr[0]["config"]["solr_url"] == "http://okp:8080/solr"  # urljoin: the path is replaced
    note = [f for f in findings if f.code == "synthesis-okp-url-resolved"]
    assert note and "before it appends /solr" in note[0].message and "server.env" in note[0].message
    ws.server_env = {}
    _result, findings = synthesize(ws)
    assert any(f.code == "synthesis-lcore-fails" and "OKP_URL" in f.message for f in findings)


def test_the_editor_session_checks_against_the_server_environment(tmp_path):
    from lsc_tui.config.session import EditSession

    path = _write(tmp_path, """\
        llama_stack:
          use_as_library_client: false
          url: ${env.LLAMA_URL}
        """)
    session = EditSession.open(path, cwd=tmp_path, env={})
    first = [f for f in session.analysis.findings if f.code == "env-unset"]
    assert first and not first[0].is_error
    analysis = session.set_server_env({}, "prod.env")
    unset = [f for f in analysis.findings if f.code == "env-unset"]
    assert unset and unset[0].is_error and "prod.env" in unset[0].message
    analysis = session.set_server_env({"LLAMA_URL": "http://ls:8321"}, "prod.env")
    assert not [f for f in analysis.findings if f.code == "env-unset"]
