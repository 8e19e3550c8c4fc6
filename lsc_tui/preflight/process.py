"""The probe process: started in the target interpreter inside its containment
(:mod:`lsc_tui.preflight.sandbox`), fed its plan, read event by event, and killed with
everything it started.

The probe package is loaded in the target by :data:`LOADER` under its own top-level name
(:data:`lsc_tui.preflight.probe.PACKAGE_NAME`), without putting its directory, lsc-tui's or
the current directory on ``sys.path``: nothing of lsc-tui can shadow a provider's modules, and
no provider module can shadow one of the probe's.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from lsc_tui.preflight import sandbox
from lsc_tui.preflight.plan import PreflightInputError, ProviderPlan
from lsc_tui.preflight.probe import PACKAGE_NAME

PROBE_PATH = Path(__file__).with_name("probe")  # the probe package's directory
PYTHON_FIX = (
    "Give --python the path of the server environment's Python (e.g. /opt/app-root/bin/python) "
    "or a command on PATH; leave it out to use the Python running preflight."
)
MARK = "\x1e"
STDERR_KEEP = 256 * 1024
LINE_LIMIT = 32 * 1024 * 1024

LOADER = (
    "import sys\n"
    "if not getattr(sys.flags, 'safe_path', False) and sys.path and sys.path[0] in ('', '.'):\n"
    "    del sys.path[0]\n"
    "import importlib, importlib.util, os\n"
    f"NAME = {PACKAGE_NAME!r}\n"
    "d = sys.argv[1]\n"
    "s = importlib.util.spec_from_file_location(NAME, os.path.join(d, '__init__.py'),\n"
    "                                           submodule_search_locations=[d])\n"
    "m = importlib.util.module_from_spec(s)\n"
    "sys.modules[NAME] = m\n"
    "s.loader.exec_module(m)\n"
)
BOOT = LOADER + "importlib.import_module(NAME + '.main').main()\n"

PIDFD_SIGNAL_PROCESS_GROUP = 4  # <linux/pidfd.h>, Linux 6.9 and later

Event = dict[str, Any]
Message = tuple[str, Any]  # ("event", dict) | ("garbage", str) | ("eof", None) | ("timeout", None)


def resolve_python(python: str | None) -> str:
    if not python:
        return sys.executable
    cand = shutil.which(python) or python
    if not os.path.isfile(cand):
        raise PreflightInputError(f"--python {python}: no such interpreter", fix=PYTHON_FIX)
    if not os.access(cand, os.X_OK):
        raise PreflightInputError(f"--python {python}: not executable", fix=PYTHON_FIX)
    return os.path.abspath(cand) if os.sep in cand else cand


def _descendants(pid: int) -> list[int]:
    """Processes below ``pid`` (Linux /proc); empty elsewhere."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        for c in children.get(cur, []):
            out.append(c)
            todo.append(c)
    return out


class ProbeSession:
    """One probe process: start, stream events, kill (whole process group)."""

    def __init__(
        self,
        python: str,
        plans: list[ProviderPlan],
        keep_going: bool,
        env: dict[str, str],
        containment: sandbox.Containment | None = None,
    ) -> None:
        self.python = python
        self.plans = plans
        self.keep_going = keep_going
        self.containment = containment or sandbox.Containment()
        self.env = self.containment.env(env)
        self.layers: dict[str, Any] = {}
        self.proc: asyncio.subprocess.Process | None = None
        self.queue: asyncio.Queue[Message] = asyncio.Queue()
        self.stderr = bytearray()
        self.stderr_total = 0
        self.garbage: list[str] = []
        self._tasks: list[asyncio.Future[None]] = []
        self._pidfd: int | None = None  # the probe's process, however late the runner signals it
        self._released = False

    async def start(self) -> None:
        kwargs: dict[str, Any] = self.containment.popen_kwargs()
        try:
            self.proc = await asyncio.create_subprocess_exec(
                self.python,
                "-B",
                "-c",
                BOOT,
                str(PROBE_PATH),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self.env,
                limit=LINE_LIMIT,
                **kwargs,
            )
        finally:
            if self.proc is not None:
                self._pidfd = _open_pidfd(self.proc.pid)
            self.layers = self.containment.after_start(self.proc.pid if self.proc else None)
        payload = json.dumps(
            {
                "providers": [p.probe_input() for p in self.plans],
                "keep_going": self.keep_going,
                "isolate": True,
            }
        ).encode("utf-8")
        self._tasks.append(asyncio.ensure_future(self._feed(payload)))
        self._tasks.append(asyncio.ensure_future(self._read_stdout()))
        self._tasks.append(asyncio.ensure_future(self._read_stderr()))

    async def _feed(self, payload: bytes) -> None:
        assert self.proc and self.proc.stdin
        try:
            self.proc.stdin.write(payload)
            await self.proc.stdin.drain()
            self.proc.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the probe closed its input early: its output and exit say why

    async def _read_stdout(self) -> None:
        assert self.proc and self.proc.stdout
        reader = self.proc.stdout
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    await self.queue.put(("garbage", "a line longer than the limit"))
                    continue
                if not line:
                    break
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                if text.startswith(MARK):
                    try:
                        event = json.loads(text[len(MARK) :])
                        if not isinstance(event, dict) or "event" not in event:
                            raise ValueError("not an event")
                    except ValueError:
                        await self.queue.put(("garbage", text[len(MARK) :][:200]))
                        continue
                    await self.queue.put(("event", event))
                elif text.strip():
                    await self.queue.put(("garbage", text[:200]))
        finally:
            await self.queue.put(("eof", None))

    async def _read_stderr(self) -> None:
        assert self.proc and self.proc.stderr
        while True:
            chunk = await self.proc.stderr.read(65536)
            if not chunk:
                break
            self.stderr_total += len(chunk)
            self.stderr += chunk
            if len(self.stderr) > STDERR_KEEP:
                del self.stderr[: len(self.stderr) - STDERR_KEEP]

    async def next(self, timeout: float | None) -> Message:
        """('event', dict) | ('garbage', str) | ('eof', None) | ('timeout', None)."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return ("timeout", None)

    def stderr_tail(self, lines: int = 20) -> str:
        text = bytes(self.stderr).decode("utf-8", "replace")
        tail = text.splitlines()[-lines:]
        return "\n".join(line[:500] for line in tail)

    def kill(self) -> None:
        """SIGKILL the probe, its process group, what it started and every process of the run.

        A process id or a group id is only used while it is still the run's: once the probe's
        process is reaped (asyncio reaps it in the background at any moment) its id, and the
        group id that is the same number, can be another process's."""
        proc = self.proc
        if proc is None:
            return
        if os.name == "posix" and not self._released:
            self._kill_group(proc.pid)
            if self._leader_unreaped():
                for pid in _descendants(proc.pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass  # already gone, or no longer ours to signal: the sweep below finds the rest
                self._kill_leader()
        elif proc.returncode is None:
            try:
                proc.kill()
            except ProcessLookupError:
                pass  # already gone
        # the probe is gone; what it started may not be (setsid, double fork)
        self.containment.sweep(timeout=1.0)

    def _leader_unreaped(self) -> bool:
        """The probe's process is alive or a zombie: its id is still its own."""
        if self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, 0)
            except ProcessLookupError:
                return False
            return True
        assert self.proc is not None
        return self.proc.returncode is None  # without pidfd (Linux < 5.3): asyncio's word

    def _kill_group(self, pgid: int) -> None:
        if self._pidfd is not None:
            try:  # the group of that very process, even after it was reaped
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL, None, PIDFD_SIGNAL_PROCESS_GROUP)
                return
            except (ProcessLookupError, PermissionError):
                return
            except OSError:  # EINVAL: a kernel before 6.9
                pass
        if self._leader_unreaped():  # the leader holds the id: it cannot be another group's
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass  # the group is gone, or no longer ours to signal

    def _kill_leader(self) -> None:
        try:
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            elif self.proc is not None and self.proc.returncode is None:
                self.proc.kill()
        except ProcessLookupError:
            pass  # already gone

    def release(self) -> None:
        """After the final sweep: the run's process and namespace ids go back to the kernel."""
        self._released = True
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
        self.containment.release()

    async def close(self, grace: float = 2.0) -> int | None:
        """Wait briefly for a clean exit, then kill everything that is left."""
        proc = self.proc
        if proc is None:
            return None
        if proc.returncode is None:
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except TimeoutError:
                pass  # no clean exit within the grace time: killed below
        self.kill()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            pass  # not reaped within 5 s of SIGKILL: returns None, and the namespace stays held (not released)
        if proc.returncode is not None:
            self.kill()  # the probe's process is reaped: what is left of the run, by namespace and marker
            self.release()
        for t in self._tasks:
            if not t.done():
                t.cancel()
        for t in self._tasks:
            try:
                await asyncio.wait_for(t, 1)
            except (TimeoutError, asyncio.CancelledError, Exception):  # noqa: S110 - the reader tasks are ending; the exit code is what counts
                pass
        return proc.returncode


def _open_pidfd(pid: int) -> int | None:
    """A pidfd on the runner's child ``pid``; None without pidfd (not Linux, Linux < 5.3) or when
    the child was already reaped."""
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return None
    if sandbox._parent_of(pid) != os.getpid():  # reaped, and the id reused, before the open
        os.close(fd)
        return None
    return fd


def exit_text(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"
