"""Containment: hostile providers that go around the audit hook (ctypes, stack walking,
forged reports, escaped processes, huge allocations) and a runner killed with SIGKILL.

The file-system and network cases need Linux user, mount and network namespaces; they are
skipped, with the reason, where the kernel refuses them. Whether it does is checked here
independently of lsc-tui, so a containment that silently does nothing fails instead of
skipping.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from pf_templates import INIT_OK, RUN_ONE, good_provider


def _kernel_allows_namespaces() -> str:
    """'' when an unprivileged-style user+mount+network namespace can be made here."""
    if not sys.platform.startswith("linux"):
        return "Linux namespaces are needed"
    code = ("import ctypes, sys\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "sys.exit(0 if libc.unshare(0x10000000 | 0x00020000 | 0x40000000) == 0 else ctypes.get_errno())\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True)
    if r.returncode != 0:
        return f"the kernel refuses user/mount/network namespaces here (errno {r.returncode})"
    return ""


NS_UNAVAILABLE = _kernel_allows_namespaces()
needs_namespaces = pytest.mark.skipif(bool(NS_UNAVAILABLE), reason=NS_UNAVAILABLE or "-")

# Finds the probe's own modules from inside the provider's import (what a hostile provider can
# always do: the probe runs in its process, whatever top-level name it is loaded under).
FIND_PROBE = """
import sys
def _probe_module(name):
    for key, mod in list(sys.modules.items()):
        if key.startswith("_lsc_tui") and key.endswith("." + name):
            return mod
    raise RuntimeError("probe not found")
"""


def hostile(ws, init_code: str):
    good_provider(ws, init=init_code + "\n" + INIT_OK)
    return ws.run_yaml(RUN_ONE)


def _marked(mark: str) -> list[int]:
    needle = f"PF_TEST_MARK={mark}".encode()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{name}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in env and state not in (b"Z", b"X"):
            out.append(int(name))
    return out


# --------------------------------------------------------------------------------------
# the verdict


def test_forged_report_for_every_provider_does_not_pass_a_broken_one(ws):
    """The provider calls the probe's own reporting function: results for itself and for the
    next provider, 'done', and the success line on fd 1; then it ends the process."""
    run_yaml = ws.run_yaml("""
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
            module: custom_vllm_provider
          - provider_id: broken
            provider_type: remote::broken
            module: not_installed_provider
        """)
    good_provider(ws, init=FIND_PROBE + """
import os
emit = _probe_module("channel").emit
for i, pid in ((1, "custom-vllm"), (2, "broken")):
    emit("begin", provider_id=pid, api="inference", index=i)
    emit("result", status="ok", phase=None, error=None, warnings=[], notices=[], spec={},
              timings={}, module=pid, provider_id=pid, api="inference", index=i)
emit("done")
os.write(1, b"All providers validated successfully\\n")
print("All providers validated successfully")
os._exit(0)
""")
    r = ws.preflight("--run-yaml", str(run_yaml))
    assert r.code == 1, r.out
    # the forged line shows only as the provider's own stderr output, indented in its block
    assert "All providers validated successfully" not in r.out.splitlines()
    assert r.out.splitlines()[-1].startswith("Preflight failed")
    r = ws.preflight("--run-yaml", str(run_yaml), "--json")
    assert r.code == 1, r.out
    assert "All providers validated successfully" not in r.events()[-1]["text"]
    results = {x["provider_id"]: x for x in r.results()}
    assert results["custom-vllm"]["status"] == "error"
    assert results["custom-vllm"]["error"]["code"] == "probe_protocol"
    assert "broken" not in results or results["broken"]["status"] != "ok"
    summary = r.events()[-1]
    assert summary["passed"] == 0 and summary["exit_code"] == 1


def test_forged_result_is_refused_and_the_next_provider_is_still_checked(ws):
    """A provider that forges only a success for the provider after it, then imports fine:
    the next provider is still checked, in a process of its own, and fails."""
    good_provider(ws, init=FIND_PROBE + """
emit = _probe_module("channel").emit
emit("result", status="ok", phase=None, error=None, warnings=[], notices=[], spec={},
          timings={}, module="x", provider_id="broken", api="inference", index=2)
""")
    run_yaml = ws.run_yaml("""
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
            module: custom_vllm_provider
          - provider_id: broken
            provider_type: remote::broken
            module: not_installed_provider
        """)
    r = ws.preflight("--run-yaml", str(run_yaml), "--keep-going", "--json")
    assert r.code == 1
    results = {x["provider_id"]: x for x in r.results()}
    assert results["broken"]["status"] == "error"
    assert results["broken"]["error"]["code"] == "module_not_found"
    assert r.events()[-1]["passed"] == 0


def test_verdict_isolation_is_reported(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "")), "--json")
    assert r.code == 0, r.out
    target = next(e for e in r.events() if e["event"] == "target")
    c = target["containment"]
    assert c["verdict_isolation"] is True
    assert c["session"] is True and c["pdeathsig"] is True
    assert c["memory_limit"] == 4 * 1024**3


# --------------------------------------------------------------------------------------
# the file system


@needs_namespaces
def test_provider_that_turns_the_audit_hook_off_still_cannot_write(ws):
    target = ws.root / "written-after-unhooking"
    ws.monkeypatch.setenv("PF_TARGET", str(target))
    run_yaml = hostile(ws, FIND_PROBE + """
import os
_probe_module("sandbox").guard(False)
with open(os.environ["PF_TARGET"], "w") as f:
    f.write("x")
""")
    r = ws.preflight("--run-yaml", str(run_yaml))
    assert not target.exists()
    assert r.code == 1
    assert "Reason: Import tried to write a file (the file system is read-only during preflight)" in r.out


@needs_namespaces
def test_native_writes_and_deletes_change_nothing(ws):
    made = ws.root / "made-by-libc"
    victim = ws.root / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    ws.monkeypatch.setenv("PF_MADE", str(made))
    ws.monkeypatch.setenv("PF_VICTIM", str(victim))
    run_yaml = hostile(ws, """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(os.environ["PF_MADE"].encode(), os.O_WRONLY | os.O_CREAT, 0o644)
if fd >= 0:
    libc.write(fd, b"x", 1)
    libc.close(fd)
libc.unlink(os.environ["PF_VICTIM"].encode())
""")
    r = ws.preflight("--run-yaml", str(run_yaml), "--json")
    assert r.code == 0, r.out  # the provider ignores its own failures: nothing to report
    assert not made.exists()
    assert victim.read_text(encoding="utf-8") == "keep me"
    c = next(e for e in r.events() if e["event"] == "target")["containment"]
    assert c["read_only_mounts"] is True and c["read_only_locked"] is True


@needs_namespaces
def test_native_code_cannot_make_the_file_system_writable_again(ws):
    target = ws.root / "after-remount"
    ws.monkeypatch.setenv("PF_TARGET", str(target))
    run_yaml = hostile(ws, """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for path in (b"/", os.path.dirname(os.environ["PF_TARGET"]).encode()):
    libc.mount(None, path, None, 32 | 4096, None)  # MS_REMOUNT | MS_BIND, without MS_RDONLY
fd = libc.open(os.environ["PF_TARGET"].encode(), os.O_WRONLY | os.O_CREAT, 0o644)
""")
    ws.preflight("--run-yaml", str(run_yaml))
    assert not target.exists()


# --------------------------------------------------------------------------------------
# the network


@needs_namespaces
def test_native_connection_to_loopback_never_arrives(ws):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    try:
        run_yaml = hostile(ws, f"""
import ctypes, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
s = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
addr = struct.pack("=HH4s8x", socket.AF_INET, socket.htons({port}), socket.inet_aton("127.0.0.1"))
libc.connect(s, addr, len(addr))
libc.send(s, b"leak", 4, 0)
u = libc.socket(socket.AF_INET, socket.SOCK_DGRAM, 0)
libc.sendto(u, b"leak", 4, 0, addr, len(addr))
""")
        r = ws.preflight("--run-yaml", str(run_yaml), "--json")
        assert r.code == 0, r.out
        with pytest.raises(socket.timeout):
            server.accept()
        c = next(e for e in r.events() if e["event"] == "target")["containment"]
        assert c["network_namespace"] is True
    finally:
        server.close()


# --------------------------------------------------------------------------------------
# processes and memory


def test_double_fork_with_setsid_leaves_nothing_running(ws):
    mark = uuid.uuid4().hex
    ws.monkeypatch.setenv("PF_TEST_MARK", mark)
    run_yaml = hostile(ws, """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.fork()
if pid == 0:
    libc.setsid()
    if libc.fork() == 0:
        libc.sleep(120)
    libc._exit(0)
status = ctypes.c_int(0)
libc.waitpid(pid, ctypes.byref(status), 0)
""")
    try:
        r = ws.preflight("--run-yaml", str(run_yaml), "--json")
        assert r.code == 0, r.out
        assert _marked(mark) == []
        warnings = [w["code"] for w in r.results()[0]["warnings"]]
        assert "process_left_behind" in warnings
    finally:
        for pid in _marked(mark):
            os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


# Takes the namespace id given as argv[1] for a new PID namespace, as the next preflight on the
# machine would: holds every lower free id (the kernel hands out the lowest free one) with UTS
# namespaces, then makes the PID namespace and a PID 1 in it that sleeps. Prints that process's
# id and its namespace's id; exit 3: the id was not free yet.
TAKE_NAMESPACE_ID = """
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
if os.geteuid() != 0 and libc.unshare(0x10000000) != 0:  # CLONE_NEWUSER
    sys.exit(2)
target, held = int(sys.argv[1]), []
while True:
    if libc.unshare(0x04000000) != 0:  # CLONE_NEWUTS
        sys.exit(2)
    ino = os.stat("/proc/self/ns/uts").st_ino
    if ino >= target:
        break
    held.append(os.open("/proc/self/ns/uts", os.O_RDONLY))
if ino > target:
    sys.exit(3)
libc.unshare(0x04000000)  # leave it: the id is free again, and the lowest free one
libc.unshare(0x20000000)  # CLONE_NEWPID
pid = os.fork()
if pid == 0:
    time.sleep(60)
    os._exit(0)
print(pid, os.stat(f"/proc/{pid}/ns/pid").st_ino, flush=True)
os.waitpid(pid, 0)
"""


@needs_namespaces
def test_a_finished_run_never_sweeps_a_later_runs_probe():
    """The kernel gives a freed PID namespace's id to the next namespace created, and a run
    sweeps once more when it is cleaned up, after its probe ended. A preflight started meanwhile
    (another one on the machine) gets a probe in a namespace with that id: the finished run must
    not take it for one of its own (it used to SIGKILL it before it could say hello)."""
    import asyncio

    from lsc_tui.preflight.process import ProbeSession

    async def finished_session() -> ProbeSession:
        session = ProbeSession(sys.executable, [], False, dict(os.environ))
        await session.start()
        while (await session.next(30))[0] not in ("eof", "timeout"):
            pass
        assert await session.close() == 0
        return session

    done = asyncio.run(finished_session())
    assert done.layers["pid_namespace"], done.layers
    old_id = int(done.containment.pid_ns.split("[")[1].rstrip("]"))
    deadline = time.monotonic() + 5
    while True:  # until the kernel has freed the finished run's namespace and the id is taken
        other = subprocess.Popen([sys.executable, "-c", TAKE_NAMESPACE_ID, str(old_id)],
                                 stdout=subprocess.PIPE, text=True)
        line = other.stdout.readline().split()
        if line and int(line[1]) == old_id:
            break
        other.kill()
        other.wait()
        other.stdout.close()
        if time.monotonic() > deadline:
            pytest.skip("the finished run's namespace id was not free for another namespace within 5 s")
        time.sleep(0.05)
    victim = int(line[0])
    try:
        done.kill()  # what the run's clean-up does
        time.sleep(0.05)
        assert other.poll() is None and _running(victim), "the finished run's sweep killed another run's process"
    finally:
        other.kill()
        other.wait()
        other.stdout.close()
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_six_gigabytes_are_refused_and_reported(ws):
    run_yaml = hostile(ws, "import mmap\nBUFFER = mmap.mmap(-1, 6 * 1024 ** 3)\n")
    r = ws.preflight("--run-yaml", str(run_yaml), "--json")
    assert r.code == 1, r.out
    err = r.results()[0]["error"]
    assert err["code"] == "memory_limit"
    assert err["reason"] == "Import ran out of memory (preflight limits the provider to 4 GiB of address space)"


def test_memory_limit_is_configurable(ws):
    run_yaml = hostile(ws, "import mmap\nBUFFER = mmap.mmap(-1, 6 * 1024 ** 3)\n")
    r = ws.preflight("--run-yaml", str(run_yaml), "--json", "--memory-limit", "8G")
    assert r.code == 0, r.out


def test_sigkilled_runner_takes_a_hostile_probe_down(ws):
    """The provider defeats any in-process watch (it patches os.getppid and spins); the
    kernel's parent-death signal still ends the probe and everything it started."""
    mark = uuid.uuid4().hex
    run_yaml = hostile(ws, """
import os
_me = os.getppid()
os.getppid = lambda: _me
while True:
    pass
""")
    env = dict(os.environ, PYTHONPATH=str(ws.site), PF_TEST_MARK=mark)
    p = subprocess.Popen([sys.executable, "-m", "lsc_tui.preflight.cli", "--run-yaml", str(run_yaml),
                          "--json", "--timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = p.stdout.readline()
            if not line or json.loads(line)["event"] == "phase":
                break
        time.sleep(0.3)
        assert _marked(mark), "the probe did not start"
        p.send_signal(signal.SIGKILL)
        assert p.wait(timeout=20) == -9
        for _ in range(50):
            if not _marked(mark):
                break
            time.sleep(0.1)
        assert _marked(mark) == []
    finally:
        if p.poll() is None:
            p.kill()
        for pid in _marked(mark):
            os.kill(pid, signal.SIGKILL)
        p.stdout.close()
        p.stderr.close()


# --------------------------------------------------------------------------------------
# without namespaces


def test_without_namespaces_the_report_says_so_and_the_sweep_still_works(ws):
    """namespaces=False stands for a kernel or seccomp profile that refuses unshare: the
    layers are reported missing, and an escaped process is still found by its marker."""
    import asyncio

    from lsc_tui.preflight.runner import collect

    mark = uuid.uuid4().hex
    ws.monkeypatch.setenv("PF_TEST_MARK", mark)
    ws.monkeypatch.setenv("PYTHONPATH", str(ws.site))
    run_yaml = hostile(ws, """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.fork()
if pid == 0:
    libc.setsid()
    if libc.fork() == 0:
        libc.sleep(120)
    libc._exit(0)
status = ctypes.c_int(0)
libc.waitpid(pid, ctypes.byref(status), 0)
""")
    try:
        events = asyncio.run(collect(run_yaml, namespaces=False))
        assert events[-1]["exit_code"] == 0
        c = next(e for e in events if e["event"] == "target")["containment"]
        assert c["network_namespace"] is False and c["read_only_mounts"] is False
        assert c["pid_namespace"] is False
        assert "namespaces: turned off" in c["unavailable"]
        assert c["pdeathsig"] is True and c["verdict_isolation"] is True
        assert _marked(mark) == []
    finally:
        for pid in _marked(mark):
            os.kill(pid, signal.SIGKILL)


def test_missing_layers_are_warned_on_stderr_not_in_the_report():
    from lsc_tui.preflight.cli import containment_warnings

    lines = containment_warnings({"session": True, "pdeathsig": True, "network_namespace": False,
                                  "read_only_mounts": False, "unavailable": ["namespaces: unshare failed (Operation not permitted)"]})
    assert lines == [
        "preflight could not cut the probe off the network; only the audit hook stops provider "
        "code that connects (native code can still connect)",
        "preflight could not make the file system read-only for the probe; only the audit hook "
        "stops provider code that writes (native code can still write)",
        "preflight containment: namespaces: unshare failed (Operation not permitted)",
    ]


def test_report_header_names_the_active_layers(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "")))
    assert r.code == 0
    line = next(x for x in r.out.splitlines() if x.startswith("Containment: "))
    root = " (not enforced for root)" if os.getuid() == 0 else ""
    assert line.startswith(f"Containment: own session, dies with preflight, memory 4 GiB, processes 256{root},")
    if not NS_UNAVAILABLE:
        assert line.endswith("no network, read-only file system, PID namespace")
        assert "WARNING" not in r.err


# --------------------------------------------------------------------------------------
# built-in providers are imported once in the probe: a crash or a hang there is still theirs


@pytest.mark.parametrize("code,reason", [
    ("import os\nos._exit(7)\n", "The probe process exited with code 7 in the import phase"),
    ("while True:\n    pass\n", "Timed out after 2 s in the import phase"),
])
def test_builtin_provider_that_ends_the_probe_while_warming_is_named(ws, code, reason):
    ws.fake_llama_stack()
    ws.package("llama_stack", {"providers/remote/inference/fake/__init__.py": code})
    good_provider(ws)
    run_yaml = ws.run_yaml("""
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
            module: custom_vllm_provider
          - provider_id: fake
            provider_type: remote::fake
        """)
    r = ws.preflight("--run-yaml", str(run_yaml), "--json", "--keep-going", "--timeout", "2")
    assert r.code == 1
    results = {x["provider_id"]: x for x in r.results()}
    assert results["fake"]["status"] == "error"
    assert results["fake"]["error"]["reason"] == reason
    assert results["custom-vllm"]["status"] == "ok"
