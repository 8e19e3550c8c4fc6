"""The `--env-file`'s warnings (lines that are not NAME=value) are findings of `validate`,
`synthesize` and `diff` like any other: located in the text output, in the `--json` findings
(valid against schemas/cli/*.schema.json), counted in validate's summary; they never change the
exit code, and never show what the line holds (an env file holds secrets)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest


sys.path.insert(0, str(Path(__file__).parent))
import envfiles  # noqa: E402
from envfiles import CONFIG, env_workspace  # noqa: E402

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "cli"


SECRET = "sk-Fake9EnvLineSecret4Zq7Kq2Wx"
ENV = (
    "LSC_TEST_LLAMA_URL=http://ls:8321\n"
    "OPENAI_API_KEY=sk-the-good-line\n"
    "\n"
    f"DB_PASSWORD {SECRET}\n"  # line 4: no '=', a secret after the name
)
WARNING = "bad.env:4:1: warning: env-file-line: line 4 is not NAME=value (it has no '='); it is ignored"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    return env_workspace(tmp_path, monkeypatch, ENV)


def run(capsys, *argv) -> tuple[int, str, str]:
    code, out, err = envfiles.run(capsys, *argv)
    assert SECRET not in out and SECRET not in err  # the line's content is never shown
    assert "Traceback" not in err
    return code, out, err


def valid(schema: str, out: str) -> dict:
    doc = json.loads(out)
    validator = jsonschema.Draft202012Validator(json.loads((SCHEMAS / f"{schema}.schema.json").read_text()))
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, f"{schema}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return doc


def env_findings(doc: dict) -> list[tuple]:
    return [
        (f["file"], f["line"], f["column"], f["severity"], f["code"], bool(f["message"]), bool(f["fix"]))
        for f in doc["findings"]
        if f["file"] == "bad.env"
    ]


EXPECTED = [("bad.env", 4, 1, "warning", "env-file-line", True, True)]


def test_validate_lists_and_counts_the_env_file_warning(ws, capsys):
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml", "--env-file", "bad.env")
    assert code == 0, out + err  # a warning does not fail validate
    assert WARNING in out and "    fix: Write NAME=value lines" in out  # with the other findings
    assert WARNING not in err  # once, not on stderr too
    summary = out.strip().splitlines()[-1]
    assert "0 errors, 1 warning;" in summary, summary
    # a warning of the config beside it (`yes`, a YAML 1.1 boolean): both counted
    (ws / "lightspeed-stack.yaml").write_text(CONFIG.replace("color_log: true", "color_log: yes"))
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml", "--env-file", "bad.env")
    assert code == 0 and WARNING in out and "0 errors, 2 warnings;" in out.strip().splitlines()[-1], out


def test_validate_json_has_the_env_file_warning_among_its_findings(ws, capsys):
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml", "--env-file", "bad.env", "--json")
    assert code == 0, err
    doc = valid("validate", out)
    assert env_findings(doc) == EXPECTED
    assert doc["counts"] == {"errors": 0, "warnings": 1, "secrets": 0}
    assert "env-file-line" not in err  # in the object, not beside it


def test_validate_errors_still_fail_with_the_warning_counted(ws, capsys):
    (ws / "other.env").write_text(f"OTHER=1\nDB_PASSWORD {SECRET}\n", encoding="utf-8")
    code, out, _err = run(capsys, "validate", "lightspeed-stack.yaml", "--env-file", "other.env", "--json")
    doc = valid("validate", out)
    assert code == 1 and doc["counts"]["errors"] == 1 and doc["counts"]["warnings"] == 1
    assert [f["code"] for f in doc["findings"] if f["file"] == "other.env"] == ["env-file-line"]


def test_validate_json_names_an_env_file_that_is_no_env_file(ws, capsys):
    """The error (exit 2) is a finding of the object too: stdout was empty."""
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml", "--env-file", "run.yaml", "--json")
    assert code == 2, err
    doc = valid("validate", out)
    assert [(f["file"], f["line"], f["code"]) for f in doc["findings"]] == [("run.yaml", 1, "env-file-format")]


def test_validate_json_keeps_the_warning_when_the_config_is_missing(ws, capsys):
    code, out, _err = run(capsys, "validate", "missing.yaml", "--env-file", "bad.env", "--json")
    doc = valid("validate", out)
    assert code == 2 and env_findings(doc) == EXPECTED
    assert "file-not-found" in [f["code"] for f in doc["findings"]]


def test_synthesize_reports_the_env_file_warning(ws, capsys):
    code, out, err = run(capsys, "synthesize", "lightspeed-stack.yaml", "--env-file", "bad.env", "-o", "out.yaml")
    assert code == 0, err  # written all the same
    assert WARNING in err and "wrote out.yaml" in out and err.count(WARNING) == 1
    code, out, err = run(capsys, "synthesize", "lightspeed-stack.yaml", "--env-file", "bad.env", "-o", "-", "--json")
    doc = valid("synthesize", out)
    assert code == 0 and doc["ok"] and doc["exit_code"] == 0
    assert env_findings(doc) == EXPECTED
    assert "env-file-line" not in err
    code, out, err = run(capsys, "synthesize", "missing.yaml", "--env-file", "bad.env", "--json")
    doc = valid("synthesize", out)
    assert code == 2 and not doc["ok"] and env_findings(doc) == EXPECTED


def test_diff_reports_the_env_file_warning(ws, capsys):
    run(capsys, "synthesize", "lightspeed-stack.yaml", "--env-file", "bad.env", "-o", "same.yaml")
    code, out, err = run(capsys, "diff", "lightspeed-stack.yaml", "--env-file", "bad.env", "--against", "same.yaml")
    assert code == 0, err  # the same run.yaml: a warning does not make it differ
    assert out == "" and WARNING in err and err.count(WARNING) == 1
    code, out, err = run(
        capsys, "diff", "lightspeed-stack.yaml", "--env-file", "bad.env", "--against", "same.yaml", "--json"
    )
    doc = valid("diff", out)
    assert code == 0 and doc["changes"] == [] and env_findings(doc) == EXPECTED
    (ws / "other.yaml").write_text((ws / "same.yaml").read_text().replace("8400", "8401"))
    code, out, err = run(
        capsys, "diff", "lightspeed-stack.yaml", "--env-file", "bad.env", "--against", "other.yaml", "--json"
    )
    doc = valid("diff", out)
    assert code == 1 and doc["changes"] and env_findings(doc) == EXPECTED
    # nothing to compare with (exit 2): the warning is among the findings beside the error
    code, out, err = run(
        capsys, "diff", "lightspeed-stack.yaml", "--env-file", "bad.env", "--against", "none.yaml", "--json"
    )
    doc = valid("diff", out)
    assert code == 2 and doc["error"] and env_findings(doc) == EXPECTED


def test_diff_against_lcore_reports_the_env_file_warning(ws, capsys):
    """`diff --against-lcore`: the warning is in the --json findings (it was on stderr only), and
    once on stderr in the text output."""
    argv = ("diff", "lightspeed-stack.yaml", "--env-file", "bad.env", "--lcore", "main", "--against-lcore", "0.7.0rc1")
    code, out, err = run(capsys, *argv, "--json")
    doc = valid("diff", out)
    assert code == 0 and doc["upgrade"]["equivalent"] and env_findings(doc) == EXPECTED
    assert "env-file-line" not in err  # in the object, not beside it
    code, out, err = run(capsys, *argv)
    assert code == 0 and err.count(WARNING) == 1 and WARNING not in out
    assert "run.yaml: equivalent" in out


def test_diff_against_lcore_json_names_an_env_file_that_is_no_env_file(ws, capsys):
    """The error (exit 2) is the object's, as for diff --against: stdout was empty."""
    argv = ("diff", "lightspeed-stack.yaml", "--env-file", "run.yaml", "--against-lcore", "0.7.0rc1", "--json")
    code, out, err = run(capsys, *argv)
    doc = valid("diff", out)
    assert code == 2 and doc["error"] and doc["changes"] == [] and doc["diff"] == ""
    assert [(f["file"], f["line"], f["code"]) for f in doc["findings"]] == [("run.yaml", 1, "env-file-format")]
    assert "run.yaml:1:1: error: env-file-format" in err
