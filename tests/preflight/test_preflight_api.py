"""The async API the TUI uses: event order and schema, streaming, cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

from lsc_tui.preflight import runner
from lsc_tui.preflight.runner import PreflightInputError, run_preflight
from pf_templates import INIT_OK, RUN_ONE, good_provider

RUN_TWO = RUN_ONE + """
  safety:
  - provider_id: missing
    provider_type: remote::missing
    module: missing_provider_pkg
"""


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_event_stream_order_and_schema(ws):
    good_provider(ws)
    path = ws.run_yaml(RUN_TWO)
    ws.monkeypatch.setenv("PYTHONPATH", str(ws.site))
    events = asyncio.run(runner.collect(path, keep_going=True))
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[1] == "target" and kinds[-1] == "summary"
    start = events[0]
    assert start["schema"] == 1
    assert [p["provider_id"] for p in start["providers"]] == ["custom-vllm", "missing"]
    assert start["providers"][0] == {"index": 1, "api": "inference", "provider_id": "custom-vllm",
                                     "provider_type": "remote::custom-vllm",
                                     "module": "custom_vllm_provider", "source": "module"}
    # per provider: provider, phase events (running/final), result
    first = kinds.index("provider")
    assert kinds[first:first + 2] == ["provider", "phase"]
    phases = [(e["phase"], e["status"]) for e in events if e["event"] == "phase" and e["provider_id"] == "custom-vllm"]
    finals = [p for p in phases if p[1] != "running"]
    assert [p[0] for p in finals] == ["architecture", "import", "spec", "fields", "metadata"]
    assert finals[-1] == ("metadata", "skipped")
    results = [e for e in events if e["event"] == "result"]
    ok, bad = results
    assert ok["status"] == "ok" and ok["error"] is None
    assert set(ok["timings"]) >= {"architecture", "import", "spec", "fields", "total"}
    assert ok["spec"]["provider_type"] == "remote::custom-vllm"
    assert ok["spec"]["config_class"] == "custom_vllm_provider.config.VllmConfig"
    assert bad["status"] == "error" and bad["phase"] == "import"
    assert bad["error"]["code"] == "module_not_found"
    assert bad["error"]["cause"] == "not_installed"
    assert bad["text"].startswith("ERROR: Provider validation failed\n")
    summary = events[-1]
    assert {k: summary[k] for k in ("status", "exit_code", "total", "passed", "failed", "not_checked")} == {
        "status": "failed", "exit_code": 1, "total": 2, "passed": 1, "failed": 1, "not_checked": 0}


def test_input_errors_are_raised_before_any_event(ws):
    async def first():
        agen = run_preflight(ws.root / "missing.yaml")
        return await agen.__anext__()

    with pytest.raises(PreflightInputError):
        asyncio.run(first())


def _hanging(ws):
    good_provider(ws, init="import time\nwhile True:\n    time.sleep(0.01)\n" + INIT_OK)
    ws.monkeypatch.setenv("PYTHONPATH", str(ws.site))
    return ws.run_yaml(RUN_ONE)


def test_closing_the_generator_kills_the_probe(ws):
    path = _hanging(ws)

    async def go():
        agen = run_preflight(path, timeout=60)
        pid = None
        async for ev in agen:
            if ev["event"] == "target":
                pid = ev["pid"]
            if ev["event"] == "phase" and ev["phase"] == "import" and ev["status"] == "running":
                break
        await agen.aclose()
        return pid

    t0 = time.monotonic()
    pid = asyncio.run(go())
    assert time.monotonic() - t0 < 20
    assert pid and not _alive(pid)


def test_cancelling_the_consuming_task_kills_the_probe(ws):
    path = _hanging(ws)
    seen = {}

    async def consume():
        async for ev in run_preflight(path, timeout=60):
            if ev["event"] == "target":
                seen["pid"] = ev["pid"]
            if ev["event"] == "phase" and ev["phase"] == "import":
                seen["import"] = True

    async def go():
        task = asyncio.ensure_future(consume())
        while "import" not in seen:
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert not _alive(seen["pid"])


def test_cancel_event_ends_the_run_with_a_cancelled_summary(ws):
    path = _hanging(ws)

    async def go():
        cancel = asyncio.Event()
        events = []
        async for ev in run_preflight(path, timeout=60, cancel=cancel):
            events.append(ev)
            if ev["event"] == "phase" and ev["phase"] == "import":
                cancel.set()
        return events

    events = asyncio.run(go())
    assert events[-1]["event"] == "summary"
    assert events[-1]["status"] == "cancelled"
    assert events[-1]["exit_code"] == 1
    pid = next(e for e in events if e["event"] == "target")["pid"]
    assert not _alive(pid)


def test_events_stream_before_the_run_ends(ws):
    """The result of the first provider arrives while the second is still being checked."""
    good_provider(ws)
    ws.package("slow_provider", {"__init__.py": "import time\nwhile True:\n    time.sleep(0.01)\n"})
    ws.monkeypatch.setenv("PYTHONPATH", str(ws.site))
    path = ws.run_yaml(RUN_ONE + """
  safety:
  - provider_id: slow
    provider_type: remote::slow
    module: slow_provider
""")

    async def go():
        agen = run_preflight(path, timeout=60)
        async for ev in agen:
            if ev["event"] == "result":
                await agen.aclose()
                return ev

    ev = asyncio.run(go())
    assert ev["provider_id"] == "custom-vllm" and ev["status"] == "ok"


# The documented event schema (docs/preflight.md). Adding keys is allowed; removing or
# renaming one breaks the TUI and every script that reads --json.
SCHEMA_KEYS = {
    "start": {"event", "schema", "run_yaml", "python", "keep_going", "timeout", "check_config",
              "metadata_dir", "providers"},
    "target": {"event", "python", "python_version", "platform", "pid", "llama_stack"},
    "provider": {"event", "index", "total", "api", "provider_id", "provider_type", "module", "source"},
    "phase": {"event", "index", "provider_id", "api", "phase", "status", "duration_s", "detail"},
    "result": {"event", "index", "total", "provider_id", "api", "provider_type", "module", "source",
               "status", "phase", "error", "warnings", "timings", "spec", "output", "text"},
    "summary": {"event", "status", "exit_code", "total", "passed", "failed", "skipped", "not_checked",
                "warnings", "stopped_early", "duration_s", "text"},
}


def test_every_event_has_the_documented_keys(ws):
    good_provider(ws)
    ws.monkeypatch.setenv("PYTHONPATH", str(ws.site))
    events = asyncio.run(runner.collect(ws.run_yaml(RUN_TWO), keep_going=True))
    seen = set()
    for e in events:
        kind = e["event"]
        seen.add(kind)
        assert SCHEMA_KEYS[kind] <= set(e), (kind, SCHEMA_KEYS[kind] - set(e))
    assert seen == set(SCHEMA_KEYS)
    target = next(e for e in events if e["event"] == "target")
    assert {"family", "version", "api_module", "registry_root", "supports_module"} <= set(target["llama_stack"])
    err = next(e for e in events if e["event"] == "result" and e["error"])["error"]
    assert {"code", "header", "reason", "details", "resolution", "module", "phase"} <= set(err)
