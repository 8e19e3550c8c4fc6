"""The shell completion scripts and the man page: generated from the parser, complete, shipped."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from lsc_tui.cli import build_parser
from lsc_tui.commands.completion import script

DATA = Path(__file__).resolve().parents[2] / "lsc_tui" / "data"


def _walk(parser: argparse.ArgumentParser, words: list[str]):
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, words + [name])


def _bash_complete(line: str) -> list[str]:
    words = line.split(" ")
    code = (f"source {DATA / 'completion' / 'lsc-tui.bash'}\n"
            f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
            f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}\n"
            "_shtab_lsc_tui; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    r = subprocess.run(["bash", "-c", code], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return [w for w in r.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_nested_commands_options_and_choices():
    assert {"validate", "secrets", "export", "lsp", "serve"} <= set(_bash_complete("lsc-tui "))
    assert _bash_complete("lsc-tui secrets ") == ["scan", "fix", "reveal"]
    assert set(_bash_complete("lsc-tui secrets scan --s")) == {"--strict", "--show-allowed"}
    assert _bash_complete("lsc-tui export k8s --api-version ") == ["v1alpha1", "v1alpha2"]
    assert _bash_complete("lsc-tui completion ") == ["bash", "zsh", "fish"]


def test_zsh_and_fish_scripts_know_every_command_and_choice():
    zsh, fish = script("zsh"), script("fish")
    for words, parser in _walk(build_parser(), []):
        if words:
            assert words[-1] in zsh and words[-1] in fish, words
        for action in parser._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in zsh and f"-l {opt[2:]}" in fish, (words, opt)
    assert "v1alpha2" in zsh and "v1alpha2" in fish


def test_the_man_page_documents_every_command_and_option():
    page = (DATA / "man" / "lsc-tui.1").read_text()
    assert page.startswith(".TH LSC\\-TUI 1")
    for words, parser in _walk(build_parser(), ["lsc-tui"]):
        if len(words) > 1:
            assert f".SS {' '.join(words)}".replace("-", "\\-") in page, words
        for action in parser._actions:
            for opt in action.option_strings:
                if opt not in ("-h", "--help"):
                    assert f"\\fB{opt.replace('-', chr(92) + '-')}\\fR" in page, (words, opt)
    if shutil.which("man"):
        r = subprocess.run(["man", "-l", "-P", "cat", str(DATA / "man" / "lsc-tui.1")], capture_output=True,
                           text=True, timeout=30, env={"MANWIDTH": "100", "PATH": "/usr/bin:/bin"})
        assert r.returncode == 0 and "lsc-tui secrets scan" in r.stdout and "--api-version" in r.stdout
