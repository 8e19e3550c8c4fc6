"""One process per provider.

The probe process (the "zygote") never runs external provider code. For each provider it
forks a child that closes the event channel, drops every capability it could use to reach
the zygote (/proc/<pid>/fd, /proc/<pid>/mem, ptrace), and reports over a pipe of its own. The
zygote relays only what belongs to that provider: phase events and one result, tagged with
the index the zygote itself assigned. Whatever provider code does, it can at most speak
about itself; it cannot report on another provider, end the run or say "done".

Built-in providers are Llama Stack's own code, which the probe trusts as it trusts the
interpreter: :func:`warm` imports them once in the zygote before any child forks, so the
whole run imports Llama Stack once instead of once per child.
"""

from __future__ import annotations

import json
import os
import select
import sys
from typing import Any, Optional

from . import channel, sandbox
from .channel import MARK, CountingStdout, emit
from .checker import Checker

CHILD_LINE_LIMIT = 32 * 1024 * 1024
_RELAYED = ("phase", "result")
Relay = tuple[Optional[dict[str, Any]], list[str], Optional[int], bool]


def check_in_child(checker: Checker, p: dict[str, Any], lib: Any, counting: CountingStdout) -> str:
    """Fork, check ``p`` in the child, relay: "ok", "error" or "abort" (the run must stop)."""
    chan_r, chan_w = os.pipe()
    runner_fd = channel.fileno()
    channel.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(chan_r)
        _run_child(checker, p, chan_w, runner_fd, lib, counting)
    os.close(chan_w)
    result, garbage, status, lingering = _relay(p, chan_r, pid)
    if garbage:
        try:
            os.kill(pid, 9)
        except OSError:
            pass  # the child is already gone: its status is read below
    if status is None:
        status = _wait(pid)  # a child that closed its channel and goes on runs into the timeout
    if garbage:
        emit("garbage", index=p.get("index"), lines=garbage[:10])
        return "abort"
    if result is None:
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        emit("child_exit", index=p.get("index"), returncode=code)
        return "abort"
    if lingering:
        result.setdefault("warnings", []).append(
            {
                "code": "process_left_behind",
                "title": "Provider left a process running",
                "reason": "Provider code started a process that was still running after the check ended",
                "details": "Preflight killed it when the run ended.",
                "note": "Importing a provider should not start processes; the server would have inherited this one.",
            }
        )
    emit("result", **result)
    return "error" if result.get("status") == "error" else "ok"


def _run_child(
    checker: Checker, p: dict[str, Any], chan_w: int, runner_fd: int, lib: Any, counting: CountingStdout
) -> None:
    """In the forked child: isolate, check one provider, report on chan_w, exit."""
    try:
        os.close(runner_fd)
        channel.use(chan_w)
        if lib is not None:
            lib.prctl(sandbox.PR_SET_PDEATHSIG, 9, 0, 0, 0)
            why = sandbox.drop_privileges(lib)
            if why:
                sys.stderr.write("lsc-tui preflight: cannot isolate the provider check (%s)\n" % why)
                sys.stderr.flush()
                os._exit(71)
        sandbox.guard(True)
        before = counting.count
        result = checker.run(p)
        result["stdout_chars"] = counting.count - before
        emit("result", **result)
        channel.flush()
    except BaseException:  # noqa: BLE001 - the zygote reports a child without a result
        os._exit(72)
    os._exit(0)


def _relay(p: dict[str, Any], chan_r: int, pid: int) -> Relay:
    """Forward the child's phase events; keep its one result. Returns (result, garbage,
    status, lingering): ``status`` is the child's wait status (None if it has not ended, which
    only happens after garbage), ``lingering`` whether something it started still holds its
    channel open after it ended."""
    result: Optional[dict[str, Any]] = None
    garbage: list[str] = []
    buf = b""
    status: Optional[int] = None
    eof = False
    try:
        while not eof:
            ready = select.select([chan_r], [], [], 0.05)[0]
            if not ready:
                if status is None:
                    status = _reap(pid, block=False)
                if status is not None and not select.select([chan_r], [], [], 0)[0]:
                    break  # the child has ended; a process it left behind holds the pipe
                continue
            chunk = os.read(chan_r, 65536)
            if not chunk:
                eof = True
            buf += chunk
            if len(buf) > CHILD_LINE_LIMIT and b"\n" not in buf:
                garbage.append("a line longer than the limit")
                break
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace")
                ev = _parse(text)
                if ev is None or ev.get("event") not in _RELAYED or result is not None:
                    if text.strip():
                        garbage.append(text[:200])
                        return result, garbage, status, False  # nothing after this is trustworthy
                    continue
                name = ev.pop("event")
                ev.update(provider_id=p["provider_id"], api=p["api"], index=p.get("index"))
                if name == "result":
                    result = ev  # relayed once the child has ended and said nothing more
                else:
                    emit(name, **ev)
    finally:
        os.close(chan_r)
    if buf.strip():
        garbage.append(buf.decode("utf-8", "replace")[:200])
    return result, garbage, status, not eof


def _parse(text: str) -> Optional[dict[str, Any]]:
    if not text.startswith(MARK):
        return None
    try:
        ev = json.loads(text[len(MARK) :])
    except ValueError:
        return None
    return ev if isinstance(ev, dict) else None


def _reap(pid: int, block: bool = True) -> Optional[int]:
    """The child's wait status; None if it has not ended (only without ``block``)."""
    while True:
        try:
            done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0
        return status if done else None


def _wait(pid: int) -> int:
    status = _reap(pid)
    assert status is not None  # waitpid without WNOHANG returns only once the child has ended
    return status


def warm(checker: Checker, p: dict[str, Any]) -> None:
    """Import what a *built-in* provider needs, in the zygote, before any child forks.

    The check runs again, for real and reported, in the child. External provider packages
    are never imported here."""
    channel.set_quiet(True)
    sandbox.guard(True)
    try:
        checker.run(dict(p, check_config=False))
    except BaseException:  # noqa: BLE001, S110 - the child repeats the check and reports it
        pass
    finally:
        sandbox.guard(False)
        channel.set_quiet(False)
        sandbox.clear_notices()


def check_in_process(checker: Checker, p: dict[str, Any], counting: CountingStdout) -> str:
    """Without isolation (no fork on this platform): check ``p`` in the probe itself."""
    sandbox.guard(True)
    before = counting.count
    result = checker.run(p)
    result["stdout_chars"] = counting.count - before
    result["provider_id"] = p["provider_id"]
    result["api"] = p["api"]
    result["index"] = p.get("index")
    emit("result", **result)
    return "error" if result["status"] == "error" else "ok"
