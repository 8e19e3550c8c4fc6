"""Write docs/cli.md from the CLI itself, so the reference can never drift from the code.

    python docs/gen_cli.py          # rewrite docs/cli.md
    python docs/gen_cli.py --check  # exit 1 if docs/cli.md is stale
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
        "cannot be used (missing file, not YAML, bad arguments).\n",
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


def main(argv: list[str]) -> int:
    text = render()
    target = HERE / "cli.md"
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print("docs/cli.md is stale: run `python docs/gen_cli.py`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
