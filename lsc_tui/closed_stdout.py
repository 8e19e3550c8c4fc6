"""Standard output whose reader went away (``lsc-tui validate x | head -1``).

Both entry points (``lsc-tui`` and ``llama-stack-preflight``) catch the BrokenPipeError, exit 1
(the output was cut, which is no success: a ``set -o pipefail`` script must not take it for a
pass) and call :func:`discard_stdout`. Standard library only: the preflight's entry point
imports it, and neither the editor nor the core.
"""

from __future__ import annotations

import os
import sys


def discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit has nowhere to fail:
    no 'Exception ignored ... BrokenPipeError' on stderr after the command returned."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
