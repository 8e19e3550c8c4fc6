"""The language server's documents and the core's mechanical fixes, in process."""

from __future__ import annotations

from pathlib import Path

from lsc_tui.config.quickfix import fixes_for
from lsc_tui.config.session import EditSession
from lsc_tui.lsp.documents import Documents, scalar_edit

RUN = "version: 2\nimage_name: demo\nproviders:\n  inference:\n  - provider_id: a\n    provider_type: remote::vllm\n" \
      "    config:\n      url: http://vllm:8000/v1\n"


def test_a_keystroke_inside_a_value_is_the_editors_set_value(tmp_path: Path):
    p = tmp_path / "run.yaml"
    p.write_text(RUN)
    docs = Documents()
    docs.opened(p, RUN)
    at = RUN.index("vllm:8000") + len("vllm")
    new = RUN[:at] + "2" + RUN[at:]
    docs.changed(p, new, (at, at))
    s = docs.session_for(p)
    assert s.buffers[p] == new
    assert s.document(p).derived is not None  # derived from the old document without a parse
    # a key edit is not a value edit: the whole text is taken (and parsed)
    key_at = new.index("image_name")
    newer = new[:key_at] + "x" + new[key_at:]
    assert scalar_edit(s.document(p), (key_at, key_at), newer) is None
    docs.changed(p, newer, (key_at, key_at))
    assert s.buffers[p] == newer and s.document(p).derived is None


def test_text_that_is_not_yaml_is_located_and_the_session_survives(tmp_path: Path):
    p = tmp_path / "run.yaml"
    p.write_text(RUN)
    docs = Documents()
    docs.opened(p, RUN)
    bad = RUN + "  oops: [\n"
    docs.changed(p, bad)
    (f,) = docs.findings(p)
    assert f.code == "yaml-syntax" and f.line >= 9
    assert docs.session_for(p).buffers[p] == RUN  # the last good text is kept for the analysis
    docs.changed(p, RUN.replace("demo", "demo2"))
    assert all(x.code != "yaml-syntax" for x in docs.findings(p))
    assert docs.session_for(p).buffers[p].count("demo2") == 1


def test_a_run_yaml_joins_the_session_of_the_config_that_uses_it(tmp_path: Path):
    (tmp_path / "run.yaml").write_text(RUN)
    (tmp_path / "lightspeed-stack.yaml").write_text(
        "name: x\nservice: {host: localhost, port: 8080}\nllama_stack:\n  use_as_library_client: true\n"
        "  library_client_config_path: run.yaml\nuser_data_collection: {}\n")
    docs = Documents()
    docs.opened(tmp_path / "run.yaml", RUN)
    s = docs.session_for(tmp_path / "run.yaml")
    assert s.path == tmp_path / "lightspeed-stack.yaml"
    assert "legacy-deprecated" in {f.code for f in docs.findings(tmp_path / "lightspeed-stack.yaml")}
    # closing the last open file of a session forgets it
    gone = docs.closed(tmp_path / "run.yaml")
    assert set(gone) == {tmp_path / "run.yaml", tmp_path / "lightspeed-stack.yaml"} and not docs.sessions


def _fix_text(s: EditSession, file: Path, code: str) -> list[str]:
    out = []
    for f in s.analysis.findings:
        if f.code == code:
            for fix in fixes_for(s.workspace, f):
                out.append(fix.apply(s.buffers[Path(fix.file)]))
    return out


def test_mechanical_fixes_edit_only_their_span(tmp_path: Path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    (tmp_path / "profile.yaml").write_text("version: 2\nproviders: {}\n")
    text = ("config_format_version: legacy\nname: x\nservice:\n  host: localhost\n  port: 8080\n"
            "  auth_enabled: ~\nllama_stack:\n  use_as_library_client: true\n  config:\n"
            "    profile: profile.yaml\n    baseline: default\n"
            "    native_override:\n      image_name: ${env.IMAGE:-demo}\nuser_data_collection: {}\n")
    cfg.write_text(text)
    s = EditSession.open(cfg, cwd=tmp_path)
    (fmt,) = _fix_text(s, cfg, "config-format-version")
    assert fmt == text.replace("config_format_version: legacy", "config_format_version: unified")
    (base,) = _fix_text(s, cfg, "baseline-ignored")
    assert base == text.replace("    baseline: default\n", "")
    (env,) = _fix_text(s, cfg, "env-ref-literal")
    assert env == text.replace("${env.IMAGE:-demo}", "${env.IMAGE:=demo}")
    (null,) = _fix_text(s, cfg, "yaml11-null")
    assert null == text.replace("auth_enabled: ~", "auth_enabled: null")
    # each fixed text clears its finding
    for fixed, code in ((fmt, "config-format-version"), (base, "baseline-ignored"), (env, "env-ref-literal")):
        s2 = EditSession.open(cfg, cwd=tmp_path, texts={cfg: fixed})
        assert code not in {f.code for f in s2.analysis.findings}


def test_sessions_answer_for_the_project_release_or_the_one_named(tmp_path):
    from lsc_tui.config.releases import RELEASE_0_6, RELEASE_0_7RC1

    (tmp_path / ".git").mkdir()
    (tmp_path / ".lsc-tui.yaml").write_text("lcore: '0.7.0rc1'\n")
    cfg = tmp_path / "lightspeed-stack.yaml"
    text = "name: x\nservice: {host: localhost, port: 8080}\nllama_stack: {url: http://ls:8321}\n" \
           "user_data_collection: {}\n"
    cfg.write_text(text)
    docs = Documents()
    docs.opened(cfg, text)
    s = docs.session_for(cfg)
    assert s.target.release is RELEASE_0_7RC1 and s.target.source == ".lsc-tui.yaml"
    named = Documents(lcore=RELEASE_0_6)
    named.opened(cfg, text)
    assert named.session_for(cfg).target.release is RELEASE_0_6
    (tmp_path / ".lsc-tui.yaml").write_text("lcore: 'nope'\n")  # logged; main answers
    bad = Documents()
    bad.opened(cfg, text)
    assert bad.session_for(cfg).target.is_default
