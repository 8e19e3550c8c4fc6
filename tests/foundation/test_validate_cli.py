"""`lsc-tui validate`: located text lines, --json, exit codes 0/1/2, no tracebacks."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus" / "lightspeed-stack"


def lsc(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "lsc_tui", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=60)


def test_clean_legacy_config_exits_0_with_warnings():
    r = lsc("validate", "examples/lightspeed-stack-conversation-cache-pg.yaml", cwd=CORPUS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "examples/lightspeed-stack-conversation-cache-pg.yaml:11:3: warning: legacy-deprecated:" in r.stdout
    assert "fix:" in r.stdout


def test_json_output_shape():
    r = lsc("validate", "--json", "examples/lightspeed-stack-azure-entraid-lib.yaml", cwd=CORPUS)
    data = json.loads(r.stdout)
    assert data["mode"] == "legacy-library" and data["mode_reason"]
    assert {"path": "examples/azure-run.yaml", "role": "legacy-run-yaml"} in data["files"]
    for f in data["findings"]:
        assert set(f) >= {"file", "line", "column", "severity", "code", "message", "fix"}


def test_errors_exit_1(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n  use_as_library_client: true\n")
    r = lsc("validate", str(cfg))
    assert r.returncode == 1
    assert ":5:3: error: no-run-source:" in r.stdout


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary", b"- a\n- b\n", b"a: [1, 2\n", b"a:\n\tb: 1\n",
                                     b"name: 'unterminated\n", b"a: " + b"[" * 300 + b"]" * 300 + b"\n"])
def test_bad_input_never_shows_a_traceback(tmp_path, content):
    p = tmp_path / "lightspeed-stack.yaml"
    p.write_bytes(content)
    r = lsc("validate", str(p))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert "lightspeed-stack.yaml:" in r.stderr and "fix:" in r.stderr


def test_missing_file_and_directory_exit_2(tmp_path):
    for target in (tmp_path / "nope.yaml", tmp_path):
        r = lsc("validate", str(target))
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert r.stderr.strip()


def test_bad_arguments_exit_2():
    assert lsc("validate").returncode == 2
    assert lsc("validate", "--bogus", "x").returncode == 2


def test_editor_options_route_to_edit():
    from lsc_tui import cli

    parser = cli.build_parser()
    args = parser.parse_args(["edit", "--color", "16", "--readonly"])
    assert args.color == "16" and args.readonly
    r = lsc("--color", "sixteen")  # routed to `edit`, whose parser rejects the value
    assert r.returncode == 2 and "--color" in r.stderr
    assert lsc("--version").stdout.startswith("lsc-tui ")


SYNTH = Path(__file__).parent.parent / "fixtures" / "synthesis"


def _lifted_byok(tmp_path: Path) -> Path:
    """A legacy library pair with BYOK stores, migrated by lift-and-shift (LCORE-3370 warnings)."""
    for name in ("lightspeed-stack.yaml", "run.yaml"):
        shutil.copy(SYNTH / "legacy-lib-byok" / name, tmp_path / name)
    r = lsc("migrate", "--strategy", "lift", "--write", "--accept-differences", "all", ".", cwd=tmp_path)
    assert "wrote lightspeed-stack.yaml" in r.stdout, r.stdout + r.stderr
    return tmp_path / "lightspeed-stack.yaml"


def _editor_findings(cfg: Path):
    from lsc_tui.config.session import EditSession

    s = EditSession.open(cfg, cwd=cfg.parent)
    return s.analysis.counts(), [(f.file, f.line, f.severity.value, f.code) for f in s.analysis.findings]


@pytest.mark.parametrize("secret", [False, True])
def test_validate_reports_the_findings_the_editor_shows(tmp_path, secret):
    cfg = _lifted_byok(tmp_path)
    if secret:  # a literal secret: the editor counts it (S:1) and lists it; so does validate
        cfg.write_text(cfg.read_text().replace("${env.PG_PASSWORD}", "Xq9-lit3ral-pg-Pa55w0rd-7731"))
    counts, editor = _editor_findings(cfg)
    assert counts["warnings"] >= 3 and any(code == "synthesis-lcore-3370" for *_x, code in editor)
    r = lsc("validate", "--json", str(cfg.name), cwd=tmp_path)
    data = json.loads(r.stdout)
    assert [(f["file"], f["line"], f["severity"], f["code"]) for f in data["findings"]] == editor
    assert data["counts"] == counts
    text = lsc("validate", str(cfg.name), cwd=tmp_path).stdout
    summary = text.strip().splitlines()[-1]
    assert f"{counts['errors']} errors, {counts['warnings']} warnings" in summary
    assert ("1 literal secret" in summary) == secret
    assert "Xq9-lit3ral" not in text + r.stdout


# A one-shot command's process ends in main(), without the interpreter's teardown, when nothing is
# left for the teardown to do. The script below runs `lsc-tui` as its console script does (and tells
# when main() returned), optionally with an exit handler registered, which must still run.
_RUN = """
import atexit, sys
from lsc_tui.cli import main
if sys.argv[1] == "handler":
    atexit.register(print, "exit handler ran", file=sys.stderr)
sys.argv[1:2] = []
code = main()
print("main returned", file=sys.stderr)
sys.exit(code)
"""


def test_a_one_shot_command_ends_without_the_teardown_and_its_output_whole(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n  use_as_library_client: true\n")
    run = [sys.executable, "-c", _RUN]
    r = subprocess.run([*run, "plain", "validate", "--json", str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and json.loads(r.stdout)["counts"]["errors"] >= 1  # the whole JSON, the code kept
    assert "main returned" not in r.stderr
    # an exit handler registered (by a library, a plugin): the process ends the usual way, the handler runs
    r = subprocess.run([*run, "handler", "validate", str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "exit handler ran" in r.stderr and "main returned" in r.stderr
    assert ":5:3: error: no-run-source:" in r.stdout
    # a command that is not one-shot keeps the usual exit
    r = subprocess.run([*run, "plain", "schema", "run-yaml"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and json.loads(r.stdout) and "main returned" in r.stderr


def test_validate_loads_no_process_machinery_and_no_suggester_it_does_not_use(tmp_path):
    """`validate` reads the config and the files it names; it starts no process, so it loads no
    subprocess module (the LCORE release is asked of an interpreter only with --python), and
    difflib loads with the first "did you mean" a finding needs."""
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n  use_as_library_client: true\n")
    code = ("import sys\nfrom lsc_tui.cli import main\n"
            "code = main(['validate', sys.argv[1]])\n"
            "print(code, 'subprocess' in sys.modules, 'difflib' in sys.modules, file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code, str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.stderr.strip().splitlines()[-1] == "1 False False", r.stderr
    cfg.write_text(cfg.read_text() + "servce: {}\n")  # a typo: the suggestion needs difflib
    r = subprocess.run([sys.executable, "-c", code, str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.stderr.strip().splitlines()[-1] == "1 False True", r.stderr


def _plugin_site(tmp_path):
    """A directory on the path with a distribution that declares a pydantic plugin: importing the
    plugin's module leaves a mark."""
    site = tmp_path / "site"
    dist = site / "spy_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    mark = tmp_path / "plugin-loaded"
    (site / "spy_plugin.py").write_text(
        f"open({str(mark)!r}, 'w').close()\n"
        "class Plugin:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n"
        "plugin = Plugin()\n"
    )
    return site, mark


def test_one_shot_commands_load_no_pydantic_plugin_and_the_editor_side_keeps_them(tmp_path):
    """`validate` (one-shot) never loads a pydantic plugin installed next to lsc-tui (it would see
    the values validated); a command that is not one-shot leaves pydantic's plugin loading as it
    is, and an operator's own PYDANTIC_DISABLE_PLUGINS setting is kept."""
    site, mark = _plugin_site(tmp_path)
    cfg = tmp_path / "lightspeed-stack.yaml"
    # a port that is no number: the models report it, so even the one-shot command loads pydantic
    # (a config its quick verdict passes loads none: tests/models/test_verdict.py)
    cfg.write_text(
        "name: t\nservice: {port: x}\nuser_data_collection: {}\nllama_stack:\n  use_as_library_client: true\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    run = [sys.executable, "-c", _RUN, "plain"]
    r = subprocess.run([*run, "validate", str(cfg)], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 1 and ":5:3: error: no-run-source:" in r.stdout, r.stderr
    assert not mark.exists()
    # the same validation in a process that is not one-shot (main() called with arguments, as the
    # editor's and the language server's processes do): pydantic finds the plugin
    code = "import sys\nfrom lsc_tui.cli import main\nsys.exit(main(['validate', sys.argv[1]]))\n"
    r = subprocess.run([sys.executable, "-c", code, str(cfg)], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 1 and mark.exists(), r.stderr
    mark.unlink()
    r = subprocess.run([*run, "validate", str(cfg)], capture_output=True, text=True, timeout=60,
                       env={**env, "PYDANTIC_DISABLE_PLUGINS": "other"})
    assert r.returncode == 1 and mark.exists(), r.stderr


@pytest.mark.parametrize("argv", [["validate"], ["synthesize", "-o", "-"], ["schema", "run-yaml"]])
def test_output_cut_by_the_reader_is_no_success_and_says_nothing_more(tmp_path, argv):
    """`lsc-tui validate x | head -1`: the reader goes away before the output is written. The
    command exited 0 (so `set -o pipefail` scripts took a failed validation for a pass); now 1,
    and no 'Exception ignored … BrokenPipeError' on stderr."""
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n  use_as_library_client: true\n")
    args = [*argv[:1], str(cfg), *argv[1:]] if argv[0] != "schema" else argv
    proc = subprocess.Popen([sys.executable, "-m", "lsc_tui", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first write
    err = proc.stderr.read().decode()
    assert proc.wait(60) == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err and "BrokenPipe" not in err, err


def test_a_utf16_file_is_named_as_such_with_the_fix(tmp_path, capsys, monkeypatch):
    from lsc_tui.cli import main

    (tmp_path / "lightspeed-stack.yaml").write_bytes("name: t\nservice: {}\n".encode("utf-16"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "lightspeed-stack.yaml"]) == 2
    err = capsys.readouterr().err
    assert "lightspeed-stack.yaml:1:1: error: file-encoding:" in err and "UTF-16" in err, err
    assert "Save the file as UTF-8" in err
    assert "binary" not in err


def test_the_secrets_fix_command_in_a_finding_can_be_pasted_for_a_path_with_a_space(tmp_path, capsys, monkeypatch):
    from lsc_tui.cli import main

    ws = tmp_path / "sp ace"
    ws.mkdir()
    (ws / "lightspeed-stack.yaml").write_text(
        "name: t\nservice: {}\nuser_data_collection: {}\nllama_stack:\n  use_as_library_client: false\n"
        "  url: http://localhost:8321\n  api_key: Xq9-lit3ral-Pa55w0rd-7731abcd\n"
    )
    monkeypatch.chdir(tmp_path)
    main(["validate", "sp ace/lightspeed-stack.yaml"])
    out = capsys.readouterr().out
    assert "`lsc-tui secrets fix 'sp ace/lightspeed-stack.yaml'`" in out, out
    assert "Xq9-lit3ral" not in out
    # the summary names the file as the findings do (it said only `lightspeed-stack.yaml: ...`)
    assert out.splitlines()[-1].startswith("sp ace/lightspeed-stack.yaml: "), out
