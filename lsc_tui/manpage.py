"""The lsc-tui(1) manual page, rendered in roff from the CLI's own parser.

``docs/gen_cli.py`` writes it to ``lsc_tui/data/man/lsc-tui.1`` (shipped in the wheel) and a
test keeps it in step with the parser: every sub-command and option of ``lsc-tui --help`` is
in the page, with its help text, choices and default.
"""

from __future__ import annotations

import argparse

from lsc_tui import __version__
from lsc_tui.cli import build_parser

ENVIRONMENT = (
    ("NO_COLOR", "when set, the editor uses no colour."),
    ("LSC_TUI_DEBUG", "when set, an internal error prints its Python traceback."),
    ("LSC_TUI_SERVE_TOKEN", "the token lsc-tui serve requires when --token is not given."),
    ("XDG_STATE_HOME", "where the editor keeps recovery files of unsaved edits (default ~/.local/state)."),
)


def _esc(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.splitlines() or [""]:
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:  # argparse keeps no public accessor for this
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _option(action: argparse.Action) -> list[str]:
    if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
        return []
    metavar = action.metavar if isinstance(action.metavar, str) else (action.dest.upper() if action.nargs != 0 else "")
    if action.choices:
        metavar = "{" + ",".join(str(c) for c in action.choices) + "}"
    if action.option_strings:
        head = ", ".join(f"\\fB{_esc(o)}\\fR" for o in action.option_strings)
        if action.nargs != 0:
            head += f" \\fI{_esc(metavar)}\\fR"
    else:
        head = f"\\fI{_esc(metavar or action.dest)}\\fR"
    help_text = (action.help or "").replace("%(default)s", str(action.default)).replace("%%", "%")
    if action.help == argparse.SUPPRESS:
        return []
    return [".TP", head, _esc(help_text) if help_text else ""]


def _command(parser: argparse.ArgumentParser, words: list[str], out: list[str]) -> None:
    usage = parser.format_usage().replace("usage: ", "").strip()
    out += [
        f".SS {_esc(' '.join(words))}",
        _esc(parser.description or ""),
        ".PP",
        ".nf",
        _esc(" ".join(usage.split())),
        ".fi",
    ]
    for action in parser._actions:
        out += list(_option(action))
    sub = _subparsers(parser)
    if sub is not None:
        for name, child in sub.choices.items():
            _command(child, words + [name], out)


def render(parser: argparse.ArgumentParser | None = None) -> str:
    if parser is None:
        parser = build_parser()
    parser.prog = "lsc-tui"
    out = [
        f'.TH LSC\\-TUI 1 "" "lsc-tui {__version__}" "User Commands"',
        ".SH NAME",
        "lsc\\-tui \\- edit, validate, synthesize and migrate Lightspeed Core Stack and Llama Stack configuration",
        ".SH SYNOPSIS",
        ".B lsc\\-tui",
        "[\\fIPATH\\fR]",
        ".br",
        ".B lsc\\-tui",
        "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        _esc(
            "A terminal editor for lightspeed-stack.yaml (legacy and unified) and Llama Stack run.yaml files, "
            "with the live synthesized run.yaml, migration with proof, secret handling and provider preflight. "
            "Without a command (or with a path) it opens the editor; every check is also a headless command."
        ),
        ".SH OPTIONS",
    ]
    for action in parser._actions:
        out += _option(action)
    out.append(".SH COMMANDS")
    sub = _subparsers(parser)
    for name, child in sub.choices.items() if sub is not None else ():
        _command(child, ["lsc-tui", name], out)
    out += [
        ".SH EXIT STATUS",
        ".TP",
        "0",
        "success",
        ".TP",
        "1",
        _esc("findings (errors) or differences"),
        ".TP",
        "2",
        _esc("the input cannot be used (missing file, not YAML, bad arguments)"),
        ".SH ENVIRONMENT",
    ]
    for name, text in ENVIRONMENT:
        out += [".TP", f"\\fB{_esc(name)}\\fR", _esc(text)]
    out += [
        ".SH SEE ALSO",
        "\\fBllama\\-stack\\-preflight\\fR(1); the documentation in the docs/ folder of the source distribution.",
    ]
    return "\n".join(line for line in out) + "\n"
