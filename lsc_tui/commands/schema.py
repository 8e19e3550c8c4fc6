"""`lsc-tui schema`: print the JSON Schema of lightspeed-stack.yaml or of a Llama Stack run.yaml."""

from __future__ import annotations

import argparse
import sys

HELP = "print the JSON Schema (draft 2020-12) of lightspeed-stack.yaml, run.yaml or an operator format"

KINDS = ("lightspeed-stack", "run-yaml", "provider-package", "extra-providers", "llamastackdistribution-v1alpha2")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="which file the schema describes")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the schema to FILE instead of standard output")


def run(args) -> int:
    from lsc_tui.config.models.schema import render_schema

    text = render_schema(args.kind)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"lsc-tui: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0
