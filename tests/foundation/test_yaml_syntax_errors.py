"""A YAML syntax error says where the construct that is not closed was opened, and how to close
it: the parser only notices an unclosed `[`, `{` or quote lines later (often at the end of the
file), so "did not find expected ',' or ']'" at the last line left the operator searching."""

from __future__ import annotations

import pytest

from lsc_tui.cli import main

CASES = [
    # (text, where the parser stops, where the construct opened, what the fix says)
    ("name: x\nservice:\n  host: [1, 2\n", "4:1", "line 3, column 9", "Close the '[' at line 3, column 9 with ']'"),
    ("name: x\nservice: {host: a\nllama_stack: 2\n", "3:12", "line 2, column 10",
     "Close the '{' at line 2, column 10 with '}'"),
    ("name: 'x\nservice: {}\n", "3:1", "line 1, column 7", "Close the quote opened at line 1, column 7"),
    ('name: "x\nservice: {}\n', "3:1", "line 1, column 7", "Close the quote opened at line 1, column 7"),
]


@pytest.mark.parametrize("text, stop, opened, fix", CASES, ids=["flow-sequence", "flow-mapping", "single-quote",
                                                                "double-quote"])
def test_the_error_names_where_the_unclosed_construct_opened(tmp_path, capsys, text, stop, opened, fix):
    path = tmp_path / "lightspeed-stack.yaml"
    path.write_text(text)
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"lightspeed-stack.yaml:{stop}: error: yaml-syntax:" in err
    assert f"starts at {opened}" in err
    assert f"fix: {fix}" in err


def test_an_error_on_the_line_of_its_context_keeps_the_short_message(tmp_path, capsys):
    path = tmp_path / "lightspeed-stack.yaml"
    path.write_text("name: x\nservice: a: b\n")
    main(["validate", str(path)])
    err = capsys.readouterr().err
    assert "lightspeed-stack.yaml:2:11: error: yaml-syntax: mapping values are not allowed" in err
    assert "starts at" not in err and "must be quoted" in err
