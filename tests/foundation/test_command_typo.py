"""A mistyped command is named as such, with the command it resembles: `lsc-tui valdate x` said
"unrecognized arguments: x" (it took `valdate` for a config to open), `lsc-tui valdate` said
"valdate: no such file". A real file of that name still opens."""

from __future__ import annotations

import pytest

from lsc_tui.cli import main


@pytest.mark.parametrize("argv, meant", [
    (["valdate", "lightspeed-stack.yaml"], "validate"),
    (["synthesise", "lightspeed-stack.yaml", "-o", "-"], "synthesize"),
    (["secret", "scan", "."], "secrets"),
    (["migrte"], "migrate"),
])
def test_a_mistyped_command_says_which_command_it_resembles(tmp_path, monkeypatch, capsys, argv, meant):
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert f"'{argv[0]}' is neither a command nor a file" in err
    assert f"fix: Did you mean `lsc-tui {meant}`?" in err
    assert "unrecognized arguments" not in err


def test_a_file_named_like_a_command_is_still_a_path(tmp_path, monkeypatch, capsys):
    (tmp_path / "valdate").write_text("a: [\n")
    monkeypatch.chdir(tmp_path)
    code = main(["valdate"])
    err = capsys.readouterr().err
    assert code == 2 and "valdate:2:1: error: yaml-syntax" in err  # opened as the file it is


def test_a_missing_config_path_is_still_a_missing_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["conf/lightspeed-stack.yaml"])
    err = capsys.readouterr().err
    assert code == 2 and "conf/lightspeed-stack.yaml:0:0: error: file-not-found" in err
