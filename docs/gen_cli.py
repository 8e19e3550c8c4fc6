"""Write docs/cli.md, the man page and the shell completion scripts from the CLI itself, so
none of them can drift from the code (the last two ship in the wheel, under lsc_tui/data/).

    python docs/gen_cli.py          # rewrite them
    python docs/gen_cli.py --check  # exit 1 if one is stale
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:  # argparse keeps no public accessor for this
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _section(parser: argparse.ArgumentParser, title: str, level: int, out: list[str]) -> None:
    out.append(f"{'#' * level} `{title}`\n")
    if parser.description:
        out.append(parser.description.strip() + "\n")
    out.append("```text\n" + parser.format_help().rstrip() + "\n```\n")
    sub = _subparsers(parser)
    if sub is not None:
        for name, child in sub.choices.items():
            _section(child, f"{title} {name}", min(level + 1, 4), out)


def render() -> str:
    os.environ["COLUMNS"] = "100"  # stable wrapping
    from lsc_tui.cli import build_parser

    parser = build_parser()
    parser.prog = "lsc-tui"
    out = [
        "# CLI reference\n",
        "Generated from the command line itself by `python docs/gen_cli.py`; a test fails when "
        "this page is stale. Exit codes: 0 success, 1 findings or differences, 2 the input "
        "cannot be used (missing, unreadable or a directory, not YAML, bad arguments) or an output "
        "cannot be written. `validate` lists literal secrets apart "
        "and does not fail on them: `secrets scan` is the check that does.\n",
    ]
    _section(parser, "lsc-tui", 2, out)
    try:
        from lsc_tui.preflight.cli import build_parser as preflight_parser
    except ImportError:
        preflight_parser = None
    if preflight_parser is not None:
        p = preflight_parser()
        p.prog = "llama-stack-preflight"
        _section(p, "llama-stack-preflight", 2, out)
    return "\n".join(out)


def shipped() -> dict[Path, str]:
    """The generated files the wheel ships: the man page and the shell completion scripts."""
    from lsc_tui import manpage
    from lsc_tui.commands import completion

    data = HERE.parent / "lsc_tui" / "data"
    files = {data / "man" / "lsc-tui.1": manpage.render()}
    names = {"bash": "lsc-tui.bash", "zsh": "_lsc-tui", "fish": "lsc-tui.fish"}
    for shell in completion.SHELLS:
        files[data / "completion" / names[shell]] = completion.script(shell)
    return files


def main(argv: list[str]) -> int:
    outputs = {HERE / "cli.md": render(), **shipped()}
    if "--check" in argv:
        stale = [p for p, text in outputs.items()
                 if (p.read_text(encoding="utf-8") if p.exists() else "") != text]
        for p in stale:
            print(f"{p.relative_to(HERE.parent)} is stale: run `python docs/gen_cli.py`", file=sys.stderr)
        return 1 if stale else 0
    for p, text in outputs.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
