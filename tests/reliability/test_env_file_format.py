"""An env file whose lines are not NAME=value: the wrong file (a YAML config given to
`--env-file`) is an error naming it, a stray bad line among good ones a warning naming its line;
neither ever shows what the line holds (an env file holds secrets)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lsc_tui.config.secrets import envfile

sys.path.insert(0, str(Path(__file__).parent))
from envfiles import env_workspace, run  # noqa: E402


# what follows a name on a malformed line: each must never reach any output
SECRETS = ("Zq9hunter2Secret", "Kq7openQuoteSecret", "Wx4badNameSecret")
MALFORMED = (
    "LSC_TEST_LLAMA_URL=http://ls:8321\n"
    "OPENAI_API_KEY=sk-the-good-line\n"
    "# a comment\n"
    "\n"
    f"DB_PASSWORD {SECRETS[0]}\n"  # line 5: no '='
    f'export TOKEN="{SECRETS[1]}\n'  # line 6: a quote never closed
    f"my-key={SECRETS[2]}\n"  # line 7: not a variable name
)


@pytest.fixture
def ws(tmp_path, monkeypatch):
    return env_workspace(tmp_path, monkeypatch, MALFORMED)


@pytest.mark.parametrize("command", ["validate", "synthesize", "diff"])
def test_a_yaml_file_given_as_env_file_is_an_error_naming_it(ws, capsys, command):
    """Before: run.yaml read as an env file of no variables, exit 1 with `is not set in run.yaml`."""
    code, out, err = run(capsys, command, "lightspeed-stack.yaml", "--env-file", "run.yaml")
    assert code == 2, err
    assert "run.yaml:1:1: error: env-file-format: not an env file: no line is NAME=value" in err, err
    assert "it reads as YAML" in err and "fix: Write NAME=value lines (a .env file)" in err
    assert "env-unset" not in err + out  # nothing was checked against it
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "synthesize", "diff"])
def test_a_stray_bad_line_is_a_warning_naming_its_line_and_the_good_lines_count(ws, capsys, command):
    against = ["--against", "run.yaml"] if command == "diff" else []
    code, out, err = run(capsys, command, "lightspeed-stack.yaml", "--env-file", "bad.env", *against)
    assert code in (0, 1), err  # diff exits 1 when the runs differ; never 2: the file is usable
    if command == "validate":  # its findings, the env file's among them, are its output
        out, err = err, out
    assert "bad.env:5:1: warning: env-file-line: line 5 is not NAME=value (it has no '=')" in err, err
    assert "bad.env:6:14: warning: env-file-line: line 6: the value of TOKEN opens a quote that is never closed" in err
    assert "bad.env:7:1: warning: env-file-line: line 7 is not NAME=value (what comes before '='" in err
    assert "fix: Write NAME=value lines (a .env file)" in err
    assert "is not set in bad.env" not in err + out  # LSC_TEST_LLAMA_URL of line 1 was read
    assert "bad.env:1:" not in err and "bad.env:3:" not in err  # good lines and comments are fine


def test_validate_exit_codes(ws, capsys):
    assert run(capsys, "validate", "lightspeed-stack.yaml", "--env-file", "bad.env")[0] == 0
    (ws / "other.env").write_text("OTHER=1\nnot an assignment\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", "lightspeed-stack.yaml", "--env-file", "other.env")
    assert code == 1 and "is not set in other.env" in out and "other.env:2:1: warning" in out
    assert "1 error, 1 warning;" in out  # the env file's warning is counted


def test_export_k8s_refuses_the_wrong_file_and_warns_of_a_bad_line(ws, capsys):
    code, out, err = run(capsys, "export", "k8s", "run.yaml", "--env-file", "lightspeed-stack.yaml", "-o", "k8s")
    assert code == 2, err
    assert "lightspeed-stack.yaml:1:1: error: env-file-format: not an env file" in err, err
    assert "nothing was written" in err and not (ws / "k8s").exists()
    code, out, err = run(capsys, "export", "k8s", "run.yaml", "--env-file", "bad.env", "-o", "k8s", "--write-secret")
    assert code == 0, err
    assert "bad.env:5:1: warning: env-file-line: line 5 is not NAME=value" in err, err
    secret = (ws / "k8s" / "secret.yaml").read_text(encoding="utf-8")
    assert "OPENAI_API_KEY: sk-the-good-line" in secret and "TOKEN" not in secret
    code, out, _err = run(capsys, "export", "k8s", "run.yaml", "--env-file", "bad.env", "--json")
    findings = json.loads(out)["findings"]
    assert [(f["line"], f["code"]) for f in findings if f["file"] == "bad.env"] == [
        (5, "env-file-line"),
        (6, "env-file-line"),
        (7, "env-file-line"),
    ]


def test_export_k8s_with_the_env_file_next_to_the_config(ws, capsys):
    """Without --env-file, the .env beside the config is read the same way."""
    (ws / ".env").write_text("image_name: starter\napis: [inference]\n", encoding="utf-8")
    code, _out, err = run(capsys, "export", "k8s", "run.yaml")
    assert code == 2 and ".env:1:1: error: env-file-format: not an env file" in err, err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "lightspeed-stack.yaml", "--env-file", "bad.env"],
        ["validate", "lightspeed-stack.yaml", "--env-file", "bad.env", "--json"],
        ["synthesize", "lightspeed-stack.yaml", "--env-file", "bad.env"],
        ["diff", "lightspeed-stack.yaml", "--env-file", "bad.env", "--against", "run.yaml"],
        ["export", "k8s", "run.yaml", "--env-file", "bad.env"],
        ["export", "k8s", "run.yaml", "--env-file", "bad.env", "--json"],
        ["validate", "lightspeed-stack.yaml", "--env-file", "secrets-only.env"],
        ["export", "k8s", "run.yaml", "--env-file", "secrets-only.env"],
    ],
)
def test_the_value_of_a_malformed_line_never_appears(ws, capsys, argv):
    (ws / "secrets-only.env").write_text("".join(MALFORMED.splitlines(keepends=True)[4:]), encoding="utf-8")
    _code, out, err = run(capsys, *argv)
    assert "env-file" in err + out  # the lines were reported ...
    for secret in SECRETS:  # ... without what they hold
        assert secret not in out and secret not in err


def test_what_is_an_env_file():
    read = envfile.check(
        "\ufeffA=1\r\nexport B='two words'\r\n# c\r\n\r\nPEM=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nC = 3 # note\n",
        "x.env",
    )
    assert read.values == {"A": "1", "B": "two words", "PEM": "-----BEGIN KEY-----\nabc\n-----END KEY-----", "C": "3"}
    assert read.findings == []  # a BOM, CRLF, comments, a multi-line quoted value: all fine
    assert envfile.check("", "x.env").values == {}  # empty or comments only: no variables, no complaint
    assert envfile.check("# nothing yet\n\n", "x.env").findings == []
    with pytest.raises(envfile.EnvFileUnusable) as exc:
        envfile.check("just words\n", "x.env")
    assert exc.value.finding.location() == "x.env:1:1" and "reads as YAML" not in exc.value.finding.message


def test_many_bad_lines_are_summed_up():
    text = "A=1\n" + "".join(f"word{i}\n" for i in range(30))
    findings = envfile.check(text, "x.env").findings
    assert len(findings) == envfile.MAX_LINE_FINDINGS + 1
    assert findings[-1].message.startswith("10 more lines from line 22 on are not NAME=value")


def test_a_merge_into_an_env_file_with_an_unclosed_quote_keeps_it(tmp_path):
    """The secrets fix appends to an existing .env: a line it cannot read is kept as it is,
    and the lines after it still count as set."""
    text = 'A="never closed\nB=2\n'
    merged, added, same, _notes = envfile.merge(text, {"B": "2", "C": "3"})
    assert merged == text + "C=3\n" and added == ["C"] and same == ["B"]


def test_env_file_unusable_is_what_the_commands_report(tmp_path):
    p = Path(tmp_path / "cfg.env")
    p.write_text("version: 2\n", encoding="utf-8")
    with pytest.raises(envfile.EnvFileUnusable) as exc:
        envfile.load(p, "cfg.env")
    assert exc.value.finding.code == "env-file-format" and exc.value.finding.is_error
