"""Start-up as an operator sees it: the real command in a real (pseudo) terminal.

Each run spawns a process on a fresh 80x24 pseudo-terminal, the way an SSH session gives one,
and reads what it writes:

- first paint: the first frame that holds the app's marker text (the editor's header, the
  bare app's static text);
- shown: the config's tree and synthesized diff on screen (the header says "validating…", or
  already has its counts);
- ready: the editor's header with the finding counts, i.e. the config validated against the
  models too, and the findings complete;
- memory: the process's peak resident set (VmHWM) when it is ready.

The editor runs as ``python -m lsc_tui PATH`` (the command's own checks included); the
reference is a bare Textual app that paints one Static, started the same way.

    python bench/startup_bench.py [--runs N] [PATH]
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

BARE_APP = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("bare-app-painted")

    Bare().run()
""")

EDITOR_PAINT = b" lsc-tui "  # the header's first cell, in every state
EDITOR_SHOWN = ("validating…".encode(), b"E:")  # the session is open: tree and diff on screen
EDITOR_READY = b"E:"  # the header's counts: the model validation done too
BARE_PAINT = b"bare-app-painted"


@dataclass
class Run:
    paint_ms: float
    ready_ms: float
    rss_mb: float
    shown_ms: float = 0.0


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def spawn_and_watch(argv: list[str], paint: bytes, ready: bytes, *, cwd: Path | None = None,
                    timeout: float = 60.0, size: tuple[int, int] = (80, 24), shown: tuple = ()) -> Run:
    """Start ``argv`` on a new pseudo-terminal; time the first output holding ``paint`` and the
    first holding ``ready`` (after the paint)."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1])}
    env.pop("TEXTUAL", None)
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its stdin/stdout/stderr
        try:
            if cwd:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    seen = b""
    paint_ms = ready_ms = shown_ms = None
    rss = float("nan")
    try:
        while time.perf_counter() - t0 < timeout:
            r, _, _ = select.select([fd], [], [], 0.5)
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            now = (time.perf_counter() - t0) * 1000
            if paint_ms is None and paint in seen:
                paint_ms = now
                seen = seen[seen.index(paint):]
            if paint_ms is not None and shown_ms is None and any(m in seen for m in shown):
                shown_ms = now
            if paint_ms is not None and ready in seen:
                ready_ms = now
                rss = _peak_rss_mb(pid)
                break
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    if paint_ms is None or ready_ms is None:
        tail = seen[-300:].decode("utf-8", "replace")
        raise RuntimeError(f"{' '.join(argv[:4])}: no {'paint' if paint_ms is None else 'ready'} within "
                           f"{timeout:.0f} s; last output: {tail!r}")
    return Run(paint_ms, ready_ms, rss, shown_ms if shown_ms is not None else ready_ms)


def compile_package() -> None:
    """A wheel install (the README's) compiles bytecode; do the same for a source checkout so
    the figure is not the compiler's (PYTHONDONTWRITEBYTECODE would otherwise recompile on
    every start)."""
    import lsc_tui

    compileall.compile_dir(str(Path(lsc_tui.__file__).parent), quiet=1)


def editor_run(path: Path) -> Run:
    return spawn_and_watch([sys.executable, "-m", "lsc_tui", str(path)], EDITOR_PAINT, EDITOR_READY,
                           cwd=path.parent if path.is_file() else path, shown=EDITOR_SHOWN)


def bare_run() -> Run:
    return spawn_and_watch([sys.executable, "-c", BARE_APP], BARE_PAINT, BARE_PAINT)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", help="config to open (default: a fresh copy of the demo)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    compile_package()
    if args.path:
        path = Path(args.path).resolve()
    else:
        import tempfile

        from lsc_tui.demo import copy_demo

        path = copy_demo(Path(tempfile.mkdtemp(prefix="lsc-tui-start-")) / "demo")
    runs, bare = [], []
    for _ in range(args.runs):  # interleaved: drift on a shared machine moves both alike
        runs.append(editor_run(path))
        bare.append(bare_run())
    med = statistics.median
    print(f"editor first paint: {med(r.paint_ms for r in runs):.0f} ms; tree and diff shown: "
          f"{med(r.shown_ms for r in runs):.0f} ms; ready: {med(r.ready_ms for r in runs):.0f} ms; "
          f"peak RSS {med(r.rss_mb for r in runs):.1f} MB (median of {args.runs})")
    print(f"bare Textual app first paint: {med(r.paint_ms for r in bare):.0f} ms; peak RSS "
          f"{med(r.rss_mb for r in bare):.1f} MB")
    ratios = [r.paint_ms / b.paint_ms for r, b in zip(runs, bare)]
    print(f"first paint / the bare app's, run by run: median {med(ratios):.2f}x "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
