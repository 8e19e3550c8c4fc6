"""`lsc-tui schema`: print the JSON Schema of lightspeed-stack.yaml or of a Llama Stack run.yaml."""

from __future__ import annotations

import argparse
import os
import sys

HELP = "print the JSON Schema (draft 2020-12) of lightspeed-stack.yaml, run.yaml or an operator format"

KINDS = ("lightspeed-stack", "run-yaml", "provider-package", "extra-providers", "llamastackdistribution-v1alpha2")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="which file the schema describes")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the schema to FILE instead of standard output")


def run(args) -> int:
    from lsc_tui.config.models.schema import render_schema

    text = render_schema(args.kind)
    if not args.output:
        sys.stdout.write(text)
        return 0

    from lsc_tui.config.yaml.files import write_error_text, write_file

    try:
        # a schema holds no secret: a new file is 0644; an existing one keeps its mode
        written = write_file(args.output, text, mode=None if os.path.lexists(args.output) else 0o644)
    except OSError as exc:
        print(write_error_text(exc, args.output), file=sys.stderr)
        return 2
    for note in written.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
