"""lsc_tui.closed_stdout: what both entry points (`lsc-tui`, `llama-stack-preflight`) do when the
reader of their output goes away (`| head`): exit 1 and say nothing more. The commands' own
tests (tests/foundation/test_validate_cli.py, tests/preflight/test_preflight_closed_output.py)
run them; this one shows what the helper itself changes, and that it costs the preflight's entry
point no import beyond the standard library."""

from __future__ import annotations

import subprocess
import sys

import pytest

WRITER = """
import sys
from lsc_tui.closed_stdout import discard_stdout
try:
    sys.stdout.write("x" * 100_000)
    sys.stdout.flush()
except BrokenPipeError:
    if {discard}:
        discard_stdout()
    sys.stdout.write("left in the buffer")  # what a command may still print before it returns
    sys.exit(1)
"""


@pytest.mark.parametrize("discard", [True, False], ids=["helper", "without-it"])
def test_a_closed_stdout_ends_quietly_with_the_helper(discard):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER.format(discard=discard)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first write
    err = proc.stderr.read().decode()
    code = proc.wait(60)
    if discard:
        assert code == 1 and err == "", err
    else:  # the noise the entry points made before they pointed stdout at /dev/null
        assert "BrokenPipeError" in err, err


def test_the_preflight_entry_point_loads_no_textual_nor_the_command_line():
    code = (
        "import sys, lsc_tui.preflight.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') "
        "or m in ('lsc_tui.cli', 'lsc_tui.commands')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]", out
