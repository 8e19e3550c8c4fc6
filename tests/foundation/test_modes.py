"""Mode detection and the root errors, exactly as LCORE decides them."""

import textwrap
from pathlib import Path

import pytest

from lsc_tui.config.workspace import detect_mode, load_workspace

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus" / "lightspeed-stack"

# (path relative to the corpus root, the mode its MANIFEST row gives)
MANIFEST_MODES = [
    ("examples/lightspeed-stack-azure-entraid-lib.yaml", "legacy-library"),
    ("examples/lightspeed-stack-conversation-cache-pg.yaml", "legacy-library"),
    ("examples/lightspeed-stack-shields.yaml", "legacy-library"),
    ("examples/lightspeed-stack-lls-library.yaml", "unified"),
    ("tests/e2e/configuration/library-mode/lightspeed-stack.yaml", "unified"),
    ("lightspeed-stack.yaml", "legacy-server"),
    ("examples/lightspeed-stack-byok-okp-rag.yaml", "legacy-server"),
    ("docs/design/llama-stack-config-merge/poc-results/lightspeed-stack-unified-library.yaml", "unified"),
]


@pytest.mark.parametrize("rel,mode", MANIFEST_MODES)
def test_corpus_config_gets_manifest_mode(rel, mode):
    ws = load_workspace(CORPUS / rel, cwd=CORPUS)
    assert ws.mode == mode, ws.mode_reason


def test_legacy_run_yaml_resolves_against_cwd(tmp_path):
    ws = load_workspace(CORPUS / "examples/lightspeed-stack-azure-entraid-lib.yaml", cwd=CORPUS)
    assert ws.run_yaml is not None and ws.run_yaml.path == CORPUS / "examples/azure-run.yaml"
    assert not [f for f in ws.findings if f.code == "run-yaml-beside-config"]


def test_legacy_run_yaml_beside_config_is_used_and_said(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "run.yaml").write_text("version: 2\napis: [inference]\nproviders: {}\n")
    cfg = tmp_path / "cfg" / "lightspeed-stack.yaml"
    cfg.write_text(_legacy("run.yaml"))
    ws = load_workspace(cfg, cwd=tmp_path)
    assert ws.run_yaml is not None and ws.run_yaml.path == tmp_path / "cfg" / "run.yaml"
    found = [f for f in ws.findings if f.code == "run-yaml-beside-config"]
    assert found and found[0].line == 6


def test_legacy_run_yaml_missing_is_located_error(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text(_legacy("nowhere/run.yaml"))
    ws = load_workspace(cfg, cwd=tmp_path)
    err = [f for f in ws.findings if f.code == "run-yaml-missing"]
    assert err and err[0].is_error and (err[0].line, err[0].column) == (6, 3)


def _legacy(path: str) -> str:
    return textwrap.dedent(f"""\
        name: t
        service: {{host: localhost, port: 8080}}
        user_data_collection: {{feedback_enabled: false}}
        llama_stack:
          use_as_library_client: true
          library_client_config_path: {path}
        """)


BASE = {"name": "t", "service": {}, "user_data_collection": {}}


def _mode(**parts):
    return detect_mode({**BASE, **parts})[0]


def test_empty_config_block_is_unified():
    assert _mode(llama_stack={"use_as_library_client": True, "config": {}}) == "unified"


def test_null_config_block_is_not_a_synthesis_input():
    assert _mode(llama_stack={"use_as_library_client": True, "config": None}) is None


def test_empty_inference_providers_is_not_unified():
    assert _mode(llama_stack={"url": "http://x:8321", "use_as_library_client": False},
                 inference={"providers": []}) == "legacy-server"


def test_vector_store_providers_alone_is_unified():
    assert _mode(llama_stack={"use_as_library_client": True},
                 vector_store={"providers": [{"id": "v"}]}) == "unified"


def test_ogx_alias_is_read():
    assert _mode(ogx={"use_as_library_client": True, "config": {}}) == "unified"


def _ws(tmp_path, body: str):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text(textwrap.dedent(body))
    return load_workspace(cfg, cwd=tmp_path)


def test_root_errors_in_lcore_order_exclusivity_first(tmp_path):
    (tmp_path / "run.yaml").write_text("version: 2\n")
    ws = _ws(tmp_path, """\
        name: t
        service: {}
        user_data_collection: {}
        config_format_version: legacy
        llama_stack:
          use_as_library_client: true
          library_client_config_path: run.yaml
          config: {}
        """)
    codes = [f.code for f in ws.errors]
    assert "unified-and-legacy" in codes
    # the first failing rule wins: no version mismatch is reported on top of it
    assert "config-format-version" not in codes
    err = next(f for f in ws.errors if f.code == "unified-and-legacy")
    assert "Remove one of the two" in err.fix and err.line == 7
    assert ws.mode is None


def test_no_run_source(tmp_path):
    ws = _ws(tmp_path, """\
        name: t
        service: {}
        user_data_collection: {}
        llama_stack:
          use_as_library_client: true
        """)
    assert [f.code for f in ws.errors] == ["no-run-source"]


def test_version_mismatch(tmp_path):
    ws = _ws(tmp_path, """\
        name: t
        service: {}
        user_data_collection: {}
        config_format_version: unified
        llama_stack:
          use_as_library_client: false
          url: http://localhost:8321
        """)
    err = [f for f in ws.errors if f.code == "config-format-version"]
    assert err and err[0].line == 4


def test_no_url_and_no_library(tmp_path):
    ws = _ws(tmp_path, """\
        name: t
        service: {}
        user_data_collection: {}
        llama_stack:
          timeout: 10
        """)
    assert "no-url-no-library" in [f.code for f in ws.errors]


def test_relative_profile_resolves_against_config_dir(tmp_path):
    sub = tmp_path / "conf"
    (sub / "profiles").mkdir(parents=True)
    (sub / "profiles" / "p.yaml").write_text("version: 2\napis: [inference]\n")
    cfg = sub / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n"
                   "  use_as_library_client: true\n  config:\n    profile: profiles/p.yaml\n")
    ws = load_workspace(cfg, cwd=tmp_path)
    assert ws.profile is not None and ws.profile.path == sub / "profiles" / "p.yaml"
    assert not ws.errors


def test_missing_profile_lists_available(tmp_path):
    (tmp_path / "other.yaml").write_text("version: 2\napis: [inference]\nproviders: {}\n")
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n"
                   "  use_as_library_client: true\n  config:\n    profile: nope.yaml\n")
    ws = load_workspace(cfg, cwd=tmp_path)
    err = [f for f in ws.errors if f.code == "profile-missing"]
    assert err and "other.yaml" in err[0].message and err[0].line == 7


UNIFIED_WITH_PROFILE = ("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n"
                        "  use_as_library_client: true\n  config:\n    profile: {profile}\n")


@pytest.mark.parametrize("spelling", ["lightspeed-stack.yaml", "./lightspeed-stack.yaml", "ABS", "link.yaml"])
def test_a_profile_that_is_the_config_itself_is_one_located_error(tmp_path, spelling):
    """The config read as its own profile gave a warning per top-level key (unknown-key,
    missing-key) and no error; it is one error at `profile:`, saying what to do."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "p.yaml").write_text("version: 2\napis: [inference]\nproviders: {}\n")
    cfg = tmp_path / "lightspeed-stack.yaml"
    (tmp_path / "link.yaml").symlink_to(cfg)
    profile = str(cfg) if spelling == "ABS" else spelling
    cfg.write_text(UNIFIED_WITH_PROFILE.replace("{profile}", profile))
    ws = load_workspace(cfg, cwd=tmp_path)
    assert ws.profile is None
    assert [(f.code, f.line, f.column, f.severity.value) for f in ws.findings
            if f.severity.value != "info"] == [("profile-is-config", 7, 5, "error")]
    (err,) = ws.errors
    assert "the profile is lightspeed-stack.yaml itself" in err.message
    assert "profiles/p.yaml" in err.fix and "lightspeed-stack.yaml" not in err.fix and "link.yaml" not in err.fix


def test_validate_shows_the_profile_that_is_the_config_as_one_error(tmp_path, monkeypatch, capsys):
    from lsc_tui.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "lightspeed-stack.yaml").write_text(UNIFIED_WITH_PROFILE.replace("{profile}", "lightspeed-stack.yaml"))
    assert main(["validate", "lightspeed-stack.yaml"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("lightspeed-stack.yaml:7:5: error: profile-is-config: the profile is lightspeed-stack.yaml "
                          "itself") and ": warning:" not in out
    assert "1 error, 0 warnings" in out.splitlines()[-1]


def test_a_legacy_run_yaml_path_naming_the_config_itself_is_one_located_error(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n"
                   "  use_as_library_client: true\n  library_client_config_path: lightspeed-stack.yaml\n")
    ws = load_workspace(cfg, cwd=tmp_path)
    assert ws.run_yaml is None
    assert [(f.code, f.line, f.column) for f in ws.errors] == [("run-yaml-is-config", 6, 3)]
    assert not [f for f in ws.findings if f.code in ("unknown-key", "missing-key")]


def test_run_yaml_alone_is_a_workspace(lcore_corpus):
    ws = load_workspace(lcore_corpus / "run.yaml", cwd=lcore_corpus)
    assert ws.kind == "run-yaml" and ws.run_yaml is not None and ws.config is None


def test_directory_opens_its_config(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack: {url: 'http://h:8321'}\n")
    ws = load_workspace(tmp_path, cwd=tmp_path)
    assert ws.root_path == cfg and ws.mode == "legacy-server"


def test_legacy_env_ref_forms_are_findings_without_operands(tmp_path):
    ws = _ws(tmp_path, """\
        name: t
        service: {}
        user_data_collection: {}
        llama_stack:
          url: http://localhost:8321
          api_key: ${env.LS_KEY:hunter2hunter2}
        """)
    found = [f for f in ws.findings if f.code == "env-ref-literal"]
    assert found and found[0].line == 6
    assert "hunter2hunter2" not in found[0].message + found[0].fix



def test_legacy_env_refs_are_found_beside_good_ones_and_deep_in_a_stream():
    """The lint's first pass over a fresh document skips values that are one whole reference: a
    value holding a good reference and a bad one, and a bad one in the second document of a
    stream, are still found."""
    from lsc_tui.config.workspace import _env_ref_findings
    from lsc_tui.config.yaml.document import parse_text

    doc = parse_text('a: ${env.A}\nb:\n  prompt: "${env.GOOD} then ${env.bad_name}"\n', "c.yaml")
    assert [(f.line, f.path) for f in _env_ref_findings(doc)] == [(3, ("b", "prompt"))]
    doc = parse_text("a: ${env.A}\n---\nb:\n  c: [x, '${env.B:-x}']\n", "s.yaml", stream=True)
    assert [(f.line, f.path) for f in _env_ref_findings(doc)] == [(4, (1, "b", "c", 1))]
    assert _env_ref_findings(parse_text("a: ${env.A}\nb: ['${env.B:=x}']\n", "g.yaml")) == []


def test_env_ref_lint_reads_a_text_of_plain_references_once_and_still_finds_the_cut_and_escaped_ones(
    monkeypatch,
):
    """A text whose every "${" starts a plainly written reference (no escape, blank, quote or
    comment inside) has no reference the server keeps literal: the lint tells from the text alone
    and walks no node. A reference an escape spells, a comment cuts or a blank breaks is still
    found by the walk."""
    from lsc_tui.config.workspace import _env_ref_findings
    from lsc_tui.config.yaml.document import Document, parse_text

    walked = []
    real = Document.parser_nodes
    monkeypatch.setattr(Document, "parser_nodes", lambda self: walked.append(self.display) or real(self))
    plain = "a: ${env.A}\nb: ['${env.B:=http://h:8321/v1}', \"${env.C:+on}\"]\nc: x${env.D:=~/.llama}y\n"
    assert _env_ref_findings(parse_text(plain, "plain.yaml")) == []
    assert walked == []
    cut = {
        'a: ${env.A}\nb: "\\x24{env.b}"\n': (2, ("b",)),  # an escape spells the reference
        "a: ${env.A:=x #note}\n": (1, ("a",)),  # the comment ends the value before its '}'
        "a: ${env.A:= x}\n": (1, ("a",)),  # valid, but not plain: the walk decides
        "a: ${env.A}\nb: ${ env.B }\n": (2, ("b",)),
    }
    for text, where in cut.items():
        found = [(f.line, f.path) for f in _env_ref_findings(parse_text(text, "cut.yaml"))]
        assert found == ([] if text.startswith("a: ${env.A:= x}") else [where]), text
    assert "cut.yaml" in walked
