"""A file whose top level is not a mapping: one located error, naming what it is instead,
whichever file it is (the config, a legacy run.yaml, a profile, an operator CR)."""

from __future__ import annotations

from lsc_tui import cli

CONFIG = """name: t
service:
  port: 8080
llama_stack:
  use_as_library_client: true
  library_client_config_path: run.yaml
user_data_collection: {}
"""


def _validate(tmp_path, capsys, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    code = cli.main(["validate", str(tmp_path / "lightspeed-stack.yaml")])
    return code, capsys.readouterr()


def test_a_run_yaml_that_is_a_list_is_located_and_named(tmp_path, capsys):
    code, out = _validate(tmp_path, capsys, {"lightspeed-stack.yaml": CONFIG,
                                             "run.yaml": "# a list by mistake\n- version: 2\n- apis: []\n"})
    assert code == 1
    text = out.out + out.err
    assert "run.yaml:2:1: error: not-a-mapping: the top level is a list, not a mapping of keys" in text
    assert "A run.yaml is a mapping: version, apis, providers" in text


def test_a_config_that_is_a_string_is_located_and_named(tmp_path, capsys):
    code, out = _validate(tmp_path, capsys, {"lightspeed-stack.yaml": "\n\njust some words\n"})
    assert code != 0
    assert "lightspeed-stack.yaml:3:1: error: not-a-mapping: the top level is a single string" in out.out + out.err
