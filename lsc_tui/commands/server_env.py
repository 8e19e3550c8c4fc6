"""`--env-file FILE`: the environment LCORE will run with, for the commands that check a config.

LCORE resolves the `${env.*}` references of lightspeed-stack.yaml when it loads it (all but
native_override) and a few more when it synthesizes (existing vector store ids, the OKP URL).
Given the server's variables, validate/synthesize/diff report exactly where LCORE would refuse
to start and preview what it resolves; without them, lsc-tui's own environment stands in and
those findings are warnings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lsc_tui.config.findings import FindingError


class EnvFileError(FindingError):
    """The env file cannot be read: one located finding naming it, why, and how to fix it."""


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env-file",
        metavar="FILE",
        default=None,
        help="the environment LCORE runs with (NAME=value lines, as a .env or a "
        "Secret's data): unset variables it needs are errors, and the preview "
        "resolves what LCORE resolves in it (default: lsc-tui's own environment, "
        "as warnings)",
    )


def given(args) -> tuple[dict | None, str | None, list]:
    """``(variables, the file's name, its findings)`` from ``--env-file``, or ``(None, None, [])``
    without it. Each line that is not NAME=value is a located warning (``env-file-line``, never
    quoting the line: it may hold a secret), for the command to report with its other findings;
    a file with no NAME=value line at all raises EnvFileError."""
    name = getattr(args, "env_file", None)
    if not name:
        return None, None, []
    from lsc_tui.config.secrets import envfile

    try:  # the guarded reader: regular files only (a FIFO never blocks), size cap, UTF-8
        env = envfile.load(Path(name), name)
    except envfile.EnvFileUnusable as exc:
        raise EnvFileError(exc.findings) from None
    return env.values, name, list(env.findings)


def read(args) -> tuple[dict | None, str | None]:
    """:func:`given` for a command that reports no findings of its own: the warnings go to
    stderr, located (``migrate --to``, ``diff --against-lcore``)."""
    from lsc_tui.config.masking import mask_inline

    env, name, findings = given(args)
    for f in findings:
        print(mask_inline(f.to_text()), file=sys.stderr)
    return env, name
