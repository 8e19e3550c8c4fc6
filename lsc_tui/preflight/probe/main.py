"""The probe's entry point: read the plan, say hello, check each provider, say done."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from . import PROBE_VERSION, channel, llama_stack, sandbox, zygote
from .architecture import target_platform
from .channel import emit
from .checker import Checker
from .dists import DistIndex


def main() -> None:
    sys.dont_write_bytecode = True
    raw = sys.stdin.read()
    counting = channel.open_channel()
    try:
        plan = json.loads(raw)
    except ValueError as exc:
        emit("fatal", message="probe received an invalid plan: %s" % exc)
        channel.flush()
        os._exit(3)
    lib = sandbox.libc()
    pdeathsig = False
    if lib is not None:
        pdeathsig = sandbox.parent_death_signal_set(lib)
        lib.prctl(sandbox.PR_SET_DUMPABLE, 0, 0, 0, 0)  # children cannot open /proc/<this>/fd or mem
    isolate = bool(plan.get("isolate", True)) and hasattr(os, "fork")
    if not pdeathsig and hasattr(os, "getppid") and os.name == "posix":  # no PR_SET_PDEATHSIG here
        import threading

        threading.Thread(
            target=sandbox.watch_parent, args=(os.getppid(),), daemon=True, name="lsc-preflight-parent-watch"
        ).start()
    target = target_platform()
    dists = DistIndex()
    ls = llama_stack.detect(dists)
    emit(
        "hello",
        probe_version=PROBE_VERSION,
        python=sys.executable,
        python_version="%d.%d.%d" % sys.version_info[:3],
        implementation=sys.implementation.name,
        platform="%s/%s" % target,
        llama_stack=ls,
        pid=sandbox.outer_pid(),
        isolated=isolate,
    )
    sandbox.settle_tempdir()
    sandbox.install()
    checker = Checker(ls, target, dists)
    providers: list[dict[str, Any]] = plan.get("providers", [])
    if isolate and any(p.get("source") == "builtin" for p in providers):
        for p in providers:  # announced, so that a hang or a crash here names the provider
            if p.get("source") == "builtin":
                emit("warm", index=p.get("index"))
                zygote.warm(checker, p)
        emit("warm", index=None)
    keep_going = bool(plan.get("keep_going"))
    for p in providers:
        emit("begin", provider_id=p["provider_id"], api=p["api"], index=p.get("index"))
        if isolate:
            outcome = zygote.check_in_child(checker, p, lib, counting)
        else:
            outcome = zygote.check_in_process(checker, p, counting)
        if outcome == "abort" or (outcome == "error" and not keep_going):
            break
    emit("done")
    channel.flush()
    os._exit(0)
