"""Isolation: hostile providers (issue 13), no network, no file writes, no bytecode, no process
left behind, and secrets masked in every message."""

from __future__ import annotations

import json
import os
import socket
import sys
import time

import pytest

from pf_templates import INIT_OK, RUN_ONE, good_provider


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _tree(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            out[p] = os.stat(p).st_mtime_ns if os.path.isfile(p) else None
    return out


def hostile(ws, init_code: str):
    good_provider(ws, init=init_code + "\n" + INIT_OK)
    return ws.run_yaml(RUN_ONE)


@pytest.mark.slow  # waits out a real timeout of the probe
def test_import_that_loops_forever_times_out_and_leaves_no_process(ws):
    run_yaml = hostile(ws, "while True:\n    pass\n")
    t0 = time.monotonic()
    r = ws.preflight("--run-yaml", str(run_yaml), "--timeout", "1.5", "--json")
    assert time.monotonic() - t0 < 15
    assert r.code == 1
    res = r.results()[0]
    assert res["error"]["code"] == "timeout"
    assert res["error"]["reason"] == "Timed out after 1.5 s in the import phase"
    pid = next(e for e in r.events() if e["event"] == "target")["pid"]
    assert not _alive(pid)


@pytest.mark.slow  # waits out a real timeout of the probe
def test_escaped_child_process_is_killed_with_the_probe(ws):
    # libc fork() bypasses every Python-level guard; the runner must still clean up. The
    # child names itself by /proc/self: its pid as this test sees it, even inside a PID
    # namespace.
    run_yaml = hostile(ws, """
import ctypes, os, sys
libc = ctypes.CDLL(None)
pid = libc.fork()
if pid == 0:
    os.write(2, ("CHILD=%s\\n" % os.readlink("/proc/self")).encode())
    libc.pause()
while True:
    pass
""")
    r = ws.preflight("--run-yaml", str(run_yaml), "--timeout", "3", "--json")
    res = r.results()[0]
    assert res["error"]["code"] == "timeout"
    child = int(res["output"]["stderr_tail"].split("CHILD=")[1].split()[0])
    for _ in range(50):
        if not _alive(child):
            break
        time.sleep(0.05)
    assert not _alive(child)


def test_import_that_exits_the_process(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "import os\nos._exit(7)\n")))
    assert r.code == 1
    assert "Reason: The probe process exited with code 7 in the import phase" in r.out


def test_import_that_calls_sys_exit(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "import sys\nsys.exit(3)\n")))
    assert r.code == 1
    assert "Reason: Import called sys.exit(3)" in r.out


def test_import_that_kills_itself_with_a_signal(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "import ctypes, signal\ngetattr(ctypes.CDLL(None), \"raise\")(signal.SIGSEGV)\n")))
    assert r.code == 1
    assert "killed by signal SIGSEGV" in r.out


def test_print_to_stdout_does_not_corrupt_the_event_stream(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "print('hello from the provider')\nprint('{\"event\": \"summary\"}')\n")),
                     "--json")
    assert r.code == 0
    events = r.events()  # every line is JSON
    assert [e["event"] for e in events][-1] == "summary"
    res = r.results()[0]
    assert res["status"] == "ok"
    assert any(w["code"] == "stdout_output" for w in res["warnings"])


def test_low_level_write_to_fd_1_goes_to_stderr(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "import os\nos.write(1, b'garbage on fd 1\\n')\n")), "--json")
    assert r.code == 0
    assert all(line.startswith("{") for line in r.out.splitlines())


def test_stderr_flood_is_drained_and_bounded(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "import sys\nfor i in range(200000):\n    sys.stderr.write('x' * 99 + '\\n')\n")),
                     "--json")
    assert r.code == 0
    res = r.results()[0]
    # the probe cannot finish writing before the runner has drained all but a pipe buffer
    assert res["output"]["stderr_bytes"] >= 19_000_000
    assert len(json.dumps(res)) < 100_000


def test_network_connection_is_blocked_and_reported(ws):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.3)
    port = server.getsockname()[1]
    try:
        r = ws.preflight("--run-yaml", str(hostile(ws, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n")))
        assert r.code == 1
        assert "Reason: Import tried to open a network connection (blocked by preflight)" in r.out
        with pytest.raises(socket.timeout):
            server.accept()  # nothing ever connected
    finally:
        server.close()


def test_dns_lookup_is_blocked_but_a_handled_failure_passes_with_a_warning(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, """
import socket
try:
    socket.getaddrinfo("models.example.com", 443)
except OSError:
    pass
""")))
    assert r.code == 0
    assert "WARNING: Provider side effects blocked (non-blocking)" in r.out
    assert "Blocked: resolve a host name (models.example.com)" in r.out


@pytest.mark.parametrize("code,what", [
    ("open(os.environ['PF_TARGET'], 'w').write('x')", "write a file"),
    ("os.makedirs(os.environ['PF_TARGET'])", "create a directory"),
    ("import sqlite3\nsqlite3.connect(os.environ['PF_TARGET'])", "open a sqlite database"),
    ("import tempfile\ntempfile.mkstemp()", "write a file"),
])
def test_file_writes_are_blocked(ws, code, what):
    target = ws.root / "written-by-provider"
    ws.monkeypatch.setenv("PF_TARGET", str(target))
    r = ws.preflight("--run-yaml", str(hostile(ws, "import os\n" + code + "\n")))
    assert r.code == 1
    assert f"Reason: Import tried to {what} (blocked by preflight)" in r.out
    assert not target.exists()


@pytest.mark.parametrize("code,what", [
    ("import os\nos.fork()", "fork the process"),
    ("import subprocess\nsubprocess.Popen(['sleep', '30'])", "start a process"),
    ("import os\nos.system('sleep 30')", "run a shell command"),
])
def test_starting_processes_is_blocked(ws, code, what):
    r = ws.preflight("--run-yaml", str(hostile(ws, code + "\n")))
    assert r.code == 1
    assert f"Reason: Import tried to {what} (blocked by preflight)" in r.out


def test_preflight_writes_nothing_not_even_bytecode(ws):
    good_provider(ws)
    run_yaml = ws.run_yaml(RUN_ONE)
    before = _tree(ws.root)
    r = ws.preflight("--run-yaml", str(run_yaml))
    assert r.code == 0
    assert _tree(ws.root) == before
    assert not list(ws.root.rglob("__pycache__"))


def test_secrets_are_masked_in_every_message(ws):
    secret = "sk-preflight-very-secret-0123456789"
    ws.monkeypatch.setenv("VLLM_API_TOKEN", secret)
    good_provider(ws, **{"config.py": """
        class VllmConfig:
            def __init__(self, url, api_token=None, **kw):
                if not str(api_token).startswith("sk-good"):
                    raise ValueError("token %s rejected by %s" % (api_token, url))
        """})
    run_yaml = ws.run_yaml(RUN_ONE.replace(
        "url: http://localhost:8000",
        "url: http://admin:hunter22@localhost:8000\n      api_token: ${env.VLLM_API_TOKEN}"))
    for fmt in ([], ["--json"]):
        r = ws.preflight("--run-yaml", str(run_yaml), "--check-config", *fmt)
        assert r.code == 1
        assert "Provider config does not validate against VllmConfig" in r.out
        assert secret not in r.out + r.err
        assert "hunter22" not in r.out + r.err
        assert "********" in r.out


def test_check_config_reports_validation_errors_without_values(ws):
    ws.monkeypatch.setenv("PF_MAX_TOKENS", "lots")
    good_provider(ws)
    run_yaml = ws.run_yaml(RUN_ONE.replace("url: http://localhost:8000", "max_tokens: ${env.PF_MAX_TOKENS}"))
    r = ws.preflight("--run-yaml", str(run_yaml), "--check-config")
    assert r.code == 1
    assert "url: Field required" in r.out
    assert "max_tokens: Input should be a valid integer" in r.out
    assert "lots" not in r.out


def test_check_config_names_an_unset_environment_variable(ws):
    ws.monkeypatch.delenv("PF_UNSET_URL", raising=False)
    good_provider(ws)
    run_yaml = ws.run_yaml(RUN_ONE.replace("http://localhost:8000", "${env.PF_UNSET_URL}"))
    r = ws.preflight("--run-yaml", str(run_yaml), "--check-config")
    assert r.code == 1
    assert "Environment variable PF_UNSET_URL is not set" in r.out
    assert ws.preflight("--run-yaml", str(run_yaml)).code == 0  # only checked on request


def test_check_config_passes_with_a_valid_config(ws):
    good_provider(ws)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--check-config")
    assert r.code == 0, r.out


def test_target_interpreter_that_prints_garbage_is_an_error(ws):
    fake = ws.write("fakepy", "#!/bin/sh\necho 'this is not python'\nprintf '\\036{broken json\\n'\n")
    fake.chmod(0o755)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--python", str(fake))
    assert r.code == 1
    assert "ERROR: Preflight could not run" in r.out
    assert "did not run the preflight probe: it exited with code 0" in r.out
    assert "  this is not python" in r.out and "  {broken json" in r.out


def test_target_interpreter_that_hangs_is_killed(ws):
    import asyncio

    from lsc_tui.preflight.runner import collect

    # /proc/self/stat names the pid as this test sees it, even inside a PID namespace
    fake = ws.write("hangpy", "#!/bin/sh\nread pid rest < /proc/self/stat\necho $pid >&2\nexec sleep 60\n")
    fake.chmod(0o755)
    t0 = time.monotonic()
    events = asyncio.run(collect(ws.run_yaml(RUN_ONE), python=str(fake), timeout=1, startup_timeout=1))
    assert time.monotonic() - t0 < 8
    fatal = next(e for e in events if e["event"] == "fatal")
    assert fatal["error"]["reason"] == "The target interpreter did not start the preflight probe within 1 s"
    assert events[-1]["exit_code"] == 1
    pid = int(fatal["error"]["details"].split("stderr:\n")[1].split()[0])
    assert not _alive(pid)


@pytest.mark.slow  # waits out a real timeout of the probe
def test_startup_allowance_does_not_depend_on_a_short_timeout(ws):
    """--timeout 1 is per provider; a slow interpreter start is not cut short by it."""
    fake = ws.write("slowpy", f"#!/bin/sh\nsleep 1.5\nexec {sys.executable} \"$@\"\n")
    fake.chmod(0o755)
    good_provider(ws)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--python", str(fake), "--timeout", "1")
    assert r.code == 0, r.out


def test_provider_writing_into_the_event_channel_is_an_error(ws):
    run_yaml = hostile(ws, """
import os, stat
for fd in range(3, 30):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, b"this is not an event\\n")
    except OSError:
        pass
""")
    r = ws.preflight("--run-yaml", str(run_yaml), "--json")
    assert r.code == 1
    err = r.results()[0]["error"]
    assert err["code"] == "probe_protocol"
    assert err["reason"] == "The probe's event stream was corrupted in the import phase"
    assert "this is not an event" in err["details"]


@pytest.mark.slow  # waits out a real timeout of the probe
def test_keep_going_continues_in_a_new_probe_after_a_crash_and_a_timeout(ws):
    good_provider(ws)
    ws.package("crashing_provider", {"__init__.py": "import os\nos._exit(9)\n"})
    ws.package("hanging_provider", {"__init__.py": "while True:\n    pass\n"})
    run_yaml = ws.run_yaml("""
        providers:
          inference:
          - provider_id: crash
            provider_type: remote::crash
            module: crashing_provider
          - provider_id: hang
            provider_type: remote::hang
            module: hanging_provider
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
            module: custom_vllm_provider
        """)
    r = ws.preflight("--run-yaml", str(run_yaml), "--keep-going", "--timeout", "2", "--json")
    res = {x["provider_id"]: x for x in r.results()}
    assert res["crash"]["error"]["code"] == "probe_crashed"
    assert res["hang"]["error"]["code"] == "timeout"
    assert res["custom-vllm"]["status"] == "ok"
    pids = [e["pid"] for e in r.events() if e["event"] == "target"]
    assert len(pids) == 1  # the target is announced once, even though three probes ran
    assert r.code == 1


def _probe_pid_from(stream, deadline):
    buf = ""
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        buf += line
        if '"event": "target"' in line:
            return json.loads(line)["pid"]
    raise AssertionError("no target event: " + buf)


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_no_probe_survives_the_runner(ws, how):
    import signal
    import subprocess
    import sys as _sys

    run_yaml = hostile(ws, "while True:\n    pass\n")
    env = dict(os.environ, PYTHONPATH=str(ws.site))
    p = subprocess.Popen([_sys.executable, "-m", "lsc_tui.preflight.cli", "--run-yaml", str(run_yaml),
                          "--json", "--timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    try:
        pid = _probe_pid_from(p.stdout, time.monotonic() + 30)
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
        code = p.wait(timeout=20)
        assert code == (143 if how == "sigterm" else -9)
        for _ in range(60):  # the orphan watch polls every 0.5 s
            if not _alive(pid):
                break
            time.sleep(0.1)
        assert not _alive(pid)
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()
        p.stderr.close()


def test_asking_for_the_temp_directory_is_not_a_write(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, "import tempfile\nCACHE = tempfile.gettempdir()\n")))
    assert r.code == 0, r.out
    assert "WARNING" not in r.out


def test_looking_up_this_machines_own_name_is_allowed(ws):
    r = ws.preflight("--run-yaml", str(hostile(ws, """
import socket
try:
    ME = socket.gethostbyname(socket.gethostname())
except OSError as exc:
    if "lsc-tui preflight" in str(exc):
        raise
""")))
    assert r.code == 0, r.out
    assert "WARNING" not in r.out


def test_a_probe_killed_by_sigkill_is_reported_as_killed(ws):
    """What the kernel's out-of-memory killer does to a probe on a busy machine: SIGKILL. The report
    names the signal; the process that waits for the probe as PID 1 of its PID namespace used to
    turn it into "exited with code 255" (setting a SIGKILL handler raises)."""
    import asyncio
    import signal

    from lsc_tui.preflight.runner import run_preflight

    run_yaml = hostile(ws, "import time\ntime.sleep(60)\n")
    ws.monkeypatch.setenv("PYTHONPATH", str(ws.site))

    async def run():
        events = []
        async for ev in run_preflight(run_yaml, timeout=60):
            events.append(ev)
            if ev["event"] == "phase" and ev["phase"] == "import" and ev["status"] == "running":
                os.kill(next(e for e in events if e["event"] == "target")["pid"], signal.SIGKILL)
        return events

    t0 = time.monotonic()
    events = asyncio.run(run())
    assert time.monotonic() - t0 < 30
    res = next(e for e in events if e["event"] == "result")
    assert res["error"]["code"] == "probe_crashed"
    assert res["error"]["reason"] == "The probe process was killed by signal SIGKILL in the import phase"
    assert events[-1]["exit_code"] == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run threads under a uid of their own")
def test_the_process_limit_counts_threads_as_the_kernel_does():
    """RLIMIT_NPROC counts every task (thread) of the real uid. Without a user namespace the probe's
    limit leaves room for what the uid already runs; counting processes instead of threads left too
    little room on a machine whose other programs run threads, and the probe's fork failed."""
    from lsc_tui.preflight import sandbox

    uid = 54321 + os.getpid() % 1000  # a uid nothing else on the machine runs as
    ready_r, ready_w = os.pipe()
    stop_r, stop_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: 20 threads as `uid`
        try:
            import threading

            os.setresuid(uid, uid, uid)
            threads = [threading.Thread(target=os.read, args=(stop_r, 1)) for _ in range(20)]
            for t in threads:
                t.start()
            os.write(ready_w, b"x")
            for t in threads:
                t.join()
        finally:
            os._exit(0)
    try:
        os.read(ready_r, 1)
        assert sandbox._count_tasks(uid) == 21  # the main thread and its 20
    finally:
        os.write(stop_w, b"x" * 20)
        os.waitpid(pid, 0)
        for fd in (ready_r, ready_w, stop_r, stop_w):
            os.close(fd)
    assert sandbox._count_tasks(uid) == 0
