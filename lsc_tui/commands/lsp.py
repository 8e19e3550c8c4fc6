"""`lsc-tui lsp`: the language server, over stdio, for neovim, Helix, VS Code, Emacs..."""

from __future__ import annotations

import argparse

from lsc_tui.commands import lcore_target

HELP = "run the language server on stdin/stdout (diagnostics, fixes, hover, completion; see docs/editors.md)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stdio",
        action="store_true",
        help="talk over stdin/stdout (the default and only transport; accepted because several editors pass it)",
    )
    lcore_target.add_arguments(parser, python=False)


def run(args) -> int:
    from lsc_tui.lsp.server import main

    return main(args.lcore)
