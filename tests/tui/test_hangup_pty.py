"""SIGHUP to the real `python -m lsc_tui` in a pseudo-terminal: the last bytes it writes put the
terminal back (alternate screen left, mouse tracking off, cursor shown)."""

from __future__ import annotations

import fcntl
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


def _read_until(fd: int, cond, timeout: float, buf: bytearray) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if fd in r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the other side closed
                return cond(buf)
            if not chunk:
                return cond(buf)
            buf += chunk
        if cond(buf):
            return True
    return cond(buf)


def test_sighup_in_a_real_terminal_restores_it(tmp_path):
    ws = tmp_path / "demo"
    shutil.copytree(DEMO, ws)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "COLUMNS": "80", "LINES": "24"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "lsc_tui", "lightspeed-stack.yaml"], cwd=ws, env=env,
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True)
    os.close(slave)
    buf = bytearray()
    try:
        # up and drawing: the alternate screen, mouse tracking, and the config's name on screen
        assert _read_until(master, lambda b: b"\x1b[?1049h" in b and b"\x1b[?1000h" in b and b"run.yaml" in b,
                           60, buf), bytes(buf[-400:])
        time.sleep(0.5)
        _read_until(master, lambda b: False, 0.3, buf)
        before = len(buf)
        proc.send_signal(signal.SIGHUP)
        _read_until(master, lambda b: proc.poll() is not None and False, 10, buf)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 128 + signal.SIGHUP
    after = bytes(buf[before:])
    for seq in (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l", b"\x1b[?25h", b"\x1b[?2004l"):
        assert seq in after, seq
    out = bytes(buf)
    # the terminal ends in its normal state: each mode's last switch is the one that turns it off
    assert out.rfind(b"\x1b[?1049l") > out.rfind(b"\x1b[?1049h")
    assert out.rfind(b"\x1b[?1000l") > out.rfind(b"\x1b[?1000h")
    assert out.rfind(b"\x1b[?25h") > out.rfind(b"\x1b[?25l")
    assert out.rstrip(b"\r\n").endswith(b"\x1b[?1049l\x1b[?25h")
    assert b"Traceback" not in out
