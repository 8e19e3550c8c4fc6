"""A real terminal for the installed lsc-tui: a pseudo-terminal, read through the pyte emulator.

The program runs as an operator runs it: its own session on the slave side of a pty of a given
size, with the environment given (TERM, NO_COLOR, ...), no pilot and no test hooks. Keys are the
bytes a terminal sends; the screen is what pyte makes of the program's output. Every wait that
times out fails with the screen as it was, so a failure reads like a screenshot.

    with Terminal([lsc_tui, "lightspeed-stack.yaml"], cwd=ws, env=env, size=(80, 24)) as term:
        term.wait_for("Findings")
        term.press("M")
        term.wait_for("Migrate")
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

import pyte

# what a terminal sends for the keys the tests use (xterm, normal cursor mode)
KEYS = {
    "enter": b"\r", "tab": b"\t", "escape": b"\x1b", "backspace": b"\x7f", "space": b" ",
    "up": b"\x1b[A", "down": b"\x1b[B", "right": b"\x1b[C", "left": b"\x1b[D",
    "home": b"\x1b[H", "end": b"\x1b[F", "delete": b"\x1b[3~",
    "f5": b"\x1b[15~", "f8": b"\x1b[19~", "f9": b"\x1b[20~",
}
KEYS.update({f"ctrl+{c}": bytes([ord(c) - ord("a") + 1]) for c in "abcdefghijklmnopqrstuvwxyz"})

# pyte's names for the 16 colours of SGR 30-37/90-97 (and 40-47/100-107); anything else it
# reports as a hex string (256-colour or truecolor)
NAMED_COLOURS = {"default", "black", "red", "green", "brown", "blue", "magenta", "cyan", "white",
                 "brightblack", "brightred", "brightgreen", "brightbrown", "brightblue", "brightmagenta",
                 "brightcyan", "brightwhite", "yellow", "brightyellow"}


class TerminalError(AssertionError):
    pass


class Terminal:
    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str], size: tuple[int, int] = (80, 24)):
        self.argv = argv
        self.cols, self.rows = size
        self.screen = pyte.Screen(self.cols, self.rows)
        self.stream = pyte.ByteStream(self.screen)
        self._lock = threading.Lock()
        self._output = bytearray()  # everything the program wrote, for failure reports
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self.master = master
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- the program's side ------------------------------------------------------------------
    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the program closed its side
                return
            if not data:
                return
            with self._lock:
                self._output += data
                self.stream.feed(data)

    # -- what the tests use ------------------------------------------------------------------
    def text(self) -> str:
        """The screen as text, one line per row (trailing blanks kept: columns matter)."""
        with self._lock:
            return "\n".join(self.screen.display)

    def lines(self) -> list[str]:
        return self.text().split("\n")

    def colours(self) -> set[str]:
        """Every foreground and background colour on the screen now, as pyte names them."""
        with self._lock:
            return {c for row in self.screen.buffer.values() for ch in row.values() for c in (ch.fg, ch.bg)}

    def dump(self) -> str:
        rule = "+" + "-" * self.cols + "+"
        body = "\n".join(f"|{line}|" for line in self.lines())
        state = "running" if self.proc.poll() is None else f"exited with {self.proc.returncode}"
        return f"screen of `{' '.join(map(str, self.argv))}` at {self.cols}x{self.rows} ({state}):\n{rule}\n{body}\n{rule}"

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def press(self, *keys: str, delay: float = 0.08) -> None:
        """Keys by name (``enter``, ``ctrl+p``, ``escape``) or single characters."""
        for key in keys:
            self.send(KEYS.get(key) or key.encode())
            if key == "escape":  # a lone escape is told apart from an escape sequence by the pause
                time.sleep(0.2)  # after it: the next key must not arrive before it is handled
                self.settle()
            else:
                time.sleep(delay)

    def type(self, text: str, delay: float = 0.03) -> None:
        for ch in text:
            self.send(ch.encode())
            time.sleep(delay)

    def wait_for(self, *texts: str, timeout: float = 20, gone: bool = False) -> str:
        """Wait until every one of ``texts`` is on the screen (or, with ``gone``, none is), and
        return the screen; fail with the screen when it does not happen in ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            flat = _flat(screen)
            found = [t for t in texts if t in screen or _flat(t) in flat]
            if (not found) if gone else (len(found) == len(texts)):
                return screen
            if self.proc.poll() is not None and not gone:
                raise TerminalError(f"lsc-tui exited ({self.proc.returncode}) before showing {texts!r}\n"
                                    f"{self.dump()}\nlast output: {bytes(self._output[-600:])!r}")
            if time.monotonic() > deadline:
                what = "still shows" if gone else "does not show"
                missing = found if gone else [t for t in texts if t not in found]
                raise TerminalError(f"after {timeout}s the screen {what} {missing!r}\n{self.dump()}")
            time.sleep(0.05)

    def wait_for_row(self, *parts: str, timeout: float = 20) -> str:
        """Wait until one row of the screen holds every one of ``parts`` (a table row: provider
        and status), and return that row; fail with the screen."""
        found = self.wait_until(lambda: next((ln for ln in self.lines() if all(p in ln for p in parts)), None),
                                f"no row of the screen shows all of {parts!r}", timeout=timeout)
        return found

    def toasts(self) -> str:
        """The text of the notifications on screen: what stands right of their left border (▌),
        row by row, joined with spaces (a toast wraps its text over several rows)."""
        return " ".join(ln.rsplit("\u258c", 1)[1].strip() for ln in self.lines() if "\u258c" in ln)

    def wait_for_toast(self, *texts: str, timeout: float = 20) -> str:
        """Wait until the notifications say every one of ``texts``; fail with the screen."""
        return self.wait_until(lambda: (t := self.toasts()) and all(x in t for x in texts) and t,
                               f"no notification says all of {texts!r}", timeout=timeout)

    def settle(self, quiet: float = 0.3, timeout: float = 10) -> str:
        """Wait until the screen's text has not changed for ``quiet`` seconds (the program has
        handled the keys so far and painted the result), and return it. A blinking cursor
        changes colours only, so it does not count. Keys whose effect shows no text to wait for
        (a focus moving) are followed by this."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            screen = self.text()
            if screen != last:
                last, since = screen, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
            time.sleep(0.05)
        return last

    def wait_until(self, predicate, what: str, timeout: float = 20):
        """Wait until ``predicate()`` is true (files on disk, a colour); fail with the screen."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TerminalError(f"after {timeout}s: {what}\n{self.dump()}")
            time.sleep(0.05)

    def wait_exit(self, timeout: float = 15) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TerminalError(f"lsc-tui did not exit within {timeout}s\n{self.dump()}") from None

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        try:
            os.close(self.master)
        except OSError:
            pass
        self._reader.join(5)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _flat(text: str) -> str:
    """Screen text with runs of blanks and line ends squeezed to one space, so a phrase that a
    narrow screen wraps over two lines still matches."""
    return " ".join(text.split())
