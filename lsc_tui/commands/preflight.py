"""``lsc-tui preflight``: the provider preflight (seed 001) as an lsc-tui subcommand."""

from __future__ import annotations

import argparse

HELP = "check that every provider in a run.yaml is installed, importable and returns a valid spec"


def configure(parser: argparse.ArgumentParser) -> None:
    from lsc_tui.preflight.cli import add_arguments

    add_arguments(parser)


def run(args) -> int:
    from lsc_tui.preflight.cli import run as run_preflight_cli

    return run_preflight_cli(args, prog="lsc-tui preflight")
