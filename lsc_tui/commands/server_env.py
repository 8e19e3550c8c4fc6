"""`--env-file FILE`: the environment LCORE will run with, for the commands that check a config.

LCORE resolves the `${env.*}` references of lightspeed-stack.yaml when it loads it (all but
native_override) and a few more when it synthesizes (existing vector store ids, the OKP URL).
Given the server's variables, validate/synthesize/diff report exactly where LCORE would refuse
to start and preview what it resolves; without them, lsc-tui's own environment stands in and
those findings are warnings.
"""

from __future__ import annotations

import argparse
from pathlib import Path


class EnvFileError(Exception):
    """The env file cannot be read; the text names it and says why."""


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env-file", metavar="FILE", default=None,
                        help="the environment LCORE runs with (NAME=value lines, as a .env or a "
                             "Secret's data): unset variables it needs are errors, and the preview "
                             "resolves what LCORE resolves in it (default: lsc-tui's own environment, "
                             "as warnings)")


def read(args) -> tuple[dict | None, str | None]:
    """``(variables, the file's name)`` from ``--env-file``, or ``(None, None)`` without it."""
    name = getattr(args, "env_file", None)
    if not name:
        return None, None
    from lsc_tui.config.operator.export import parse_env_file

    path = Path(name)
    if not path.is_file():
        raise EnvFileError(f"{name}:0:0: error: env-file: the env file does not exist or is not a regular file\n"
                           "    fix: give the path of a file of NAME=value lines")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EnvFileError(f"{name}:0:0: error: env-file: cannot read the env file ({exc.strerror})\n"
                           "    fix: check the file's permissions") from None
    except UnicodeDecodeError:
        raise EnvFileError(f"{name}:0:0: error: env-file: the env file is not UTF-8 text\n"
                           "    fix: save it as UTF-8") from None
    return parse_env_file(text), name
