"""`--lcore VERSION` (and `--python`) on every command that reads a lightspeed-stack.yaml: the
target reaches the workspace, `--json` says which release and what chose it, a bad name is a
usage error listing the known releases."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fakevenv import fake_venv  # noqa: E402

from lsc_tui import cli
from lsc_tui.config.releases import RELEASE_0_6
from lsc_tui.config.workspace import load_workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UNIFIED = (FIXTURES / "unified-vllm.yaml").read_text(encoding="utf-8")

# (argv before the path, argv after it); every command that reads a lightspeed-stack.yaml
READERS = {
    "validate": (["validate"], []),
    "synthesize": (["synthesize"], ["-o", "-"]),
    "diff": (["diff"], ["--against", "run.yaml"]),
    "migrate": (["migrate"], []),
    "export": (["export", "k8s"], []),
}


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "lightspeed-stack.yaml").write_text(UNIFIED)
    (tmp_path / "run.yaml").write_text("version: 2\napis: []\nproviders: {}\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", sorted(READERS))
def test_unknown_release_is_a_usage_error_listing_the_known_ones(ws, capsys, command):
    before, after = READERS[command]
    with pytest.raises(SystemExit) as exc:
        cli.main([*before, "lightspeed-stack.yaml", *after, "--lcore", "0.9"])
    _out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert "argument --lcore: unknown LCORE release '0.9'; lsc-tui knows: 0.5, 0.6, 0.7.0rc1, main, newer" in err


def test_every_config_reading_command_takes_lcore_and_python():
    parser = cli.build_parser()
    subs = {a.dest: a for a in parser._actions if a.dest == "command"}["command"].choices
    for name in ("edit", "validate", "synthesize", "diff", "migrate", "serve"):
        opts = {s for a in subs[name]._actions for s in a.option_strings}
        assert {"--lcore", "--python"} <= opts, name
    k8s = {a.dest: a for a in subs["export"]._actions if a.dest == "target"}["target"].choices["k8s"]
    assert {"--lcore", "--python"} <= {s for a in k8s._actions for s in a.option_strings}


def test_validate_json_says_the_default_target(ws, capsys):
    code, out, _err = run(capsys, "validate", "--json", "lightspeed-stack.yaml")
    doc = json.loads(out)
    assert doc["lcore"]["release"] == "main" and doc["lcore"]["source"] == "default"
    assert "default" in doc["lcore"]["description"]
    code, out, _err = run(capsys, "validate", "lightspeed-stack.yaml")
    assert out.rstrip().endswith("for LCORE main (cd1a048) (default: nothing names a release)")


@pytest.mark.parametrize("command", ["validate", "synthesize", "diff", "migrate", "export"])
def test_json_carries_the_named_target(ws, capsys, command):
    before, after = READERS[command]
    # LCORE 0.6.x knows no inference.providers[].id (0.7.0rc1 added it): a config 0.6.x accepts
    (ws / "lightspeed-stack.yaml").write_text(UNIFIED.replace("    - id: vllm1\n      type: vllm", "    - type: vllm"))
    code, out, err = run(capsys, *before, "--json", "lightspeed-stack.yaml", *after, "--lcore", "v0.6.2")
    doc = json.loads(out)
    assert doc["lcore"]["release"] == "0.6" and doc["lcore"]["source"] == "--lcore", (command, err)


def test_project_file_names_the_release(ws, capsys):
    (ws / ".lsc-tui.yaml").write_text("lcore: '0.7.0rc1'\n")
    code, out, _err = run(capsys, "synthesize", "--json", "-o", "-", "lightspeed-stack.yaml")
    assert json.loads(out)["lcore"] == {"release": "0.7.0rc1", "source": ".lsc-tui.yaml",
                                        "label": "LCORE 0.7.0rc1",
                                        "description": "LCORE 0.7.0rc1 (from .lsc-tui.yaml)", "notes": []}


def test_bad_project_setting_stops_the_command_with_its_place(ws, capsys):
    (ws / ".lsc-tui.yaml").write_text("# release\nlcore: 'zero'\n")
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml")
    assert code == 2 and not out
    assert ".lsc-tui.yaml:2:1: error: lcore-setting: `lcore:` names no LCORE release lsc-tui knows" in err
    assert "fix: Set `lcore:` to one of: 0.5, 0.6, 0.7.0rc1, main, newer" in err and "zero" not in err


@pytest.mark.parametrize("argv", [["synthesize", "-o", "-"], ["export", "k8s"]])
def test_under_json_a_bad_project_setting_is_a_located_finding(ws, capsys, argv):
    """The same error in the object's findings, with its file, line and column (the text on stderr
    stays as it was)."""
    (ws / ".lsc-tui.yaml").write_text("# release\nlcore: 'zero'\n")
    code, out, err = run(capsys, *argv, "--json", "lightspeed-stack.yaml")
    assert code == 2
    assert ".lsc-tui.yaml:2:1: error: lcore-setting: `lcore:` names no LCORE release lsc-tui knows" in err
    (finding,) = json.loads(out)["findings"]
    assert finding["file"].endswith(".lsc-tui.yaml") and (finding["line"], finding["column"]) == (2, 1)
    assert finding["code"] == "lcore-setting" and finding["severity"] == "error" and "zero" not in out


def test_python_names_the_release_and_notes_go_to_stderr(ws, capsys, tmp_path_factory):
    python = fake_venv(tmp_path_factory.mktemp("v"), "0.6.1")
    # a config LCORE 0.6.x accepts (inference.providers[].id came in 0.7.0rc1)
    (ws / "lightspeed-stack.yaml").write_text(UNIFIED.replace("    - id: vllm1\n      type: vllm", "    - type: vllm"))
    code, out, _err = run(capsys, "diff", "--json", "lightspeed-stack.yaml", "--against", "run.yaml",
                          "--python", str(python))
    assert json.loads(out)["lcore"]["source"] == f"python {python} (lightspeed-stack 0.6.1)"
    empty = fake_venv(tmp_path_factory.mktemp("e"), None)
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml", "--python", str(empty))
    assert f"note: LCORE release: no lightspeed-stack is installed in {empty}" in err
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml", "--python", "/nonexistent/python")
    assert code == 2 and "--python /nonexistent/python: no such interpreter" in err


def test_image_tag_of_a_cr_names_the_release(ws, capsys):
    shutil.copy(FIXTURES / "operator" / "v1alpha2-full.yaml", ws / "cr.yaml")
    with (ws / "cr.yaml").open("a") as f:
        f.write("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: lcore}\nspec:\n  template:\n"
                "    spec:\n      containers:\n      - name: lcore\n"
                "        image: quay.io/lightspeed-core/lightspeed-stack:0.6.2\n")
    code, out, _err = run(capsys, "validate", "--json", "cr.yaml")
    assert json.loads(out)["lcore"]["source"] == "image tag 0.6.2"


def test_workspace_carries_the_target(ws):
    from lsc_tui.config.releases import Target

    target = Target(RELEASE_0_6, "--lcore")
    assert load_workspace(ws / "lightspeed-stack.yaml", target=target).target is target
    assert load_workspace(ws / "run.yaml", target=target).target is target
    assert load_workspace(ws / "lightspeed-stack.yaml").target.is_default
