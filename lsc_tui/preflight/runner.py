"""The preflight runner: reads run.yaml, starts the probe in the target interpreter, streams
its events, enforces timeouts, and turns probe results into the seed-001 report.

Public API (no Textual here):

* :func:`run_preflight` - an async generator of JSON-ready event dicts (schema in
  ``docs/preflight.md``). Cancel it by cancelling the task that iterates it, by calling
  ``aclose()`` on it, or by setting the ``cancel`` event; the probe process group is killed
  in every case.
* :func:`load_run_yaml` / :func:`build_plan` - what will be checked, without running anything.
* :class:`PreflightInputError` - bad input (missing run.yaml, not YAML, not a mapping, bad
  ``--python``): the CLI prints its one-line message and exits 2.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import AsyncIterator


from lsc_tui.config import envref
from lsc_tui.config.masking import is_secret_key, mask_inline, mask_text
from lsc_tui.preflight import metadata as md
from lsc_tui.preflight import report
from lsc_tui.preflight import sandbox
from lsc_tui.preflight.probe import PACKAGE_NAME

SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 30.0
STARTUP_MIN = 10.0  # seconds the target interpreter gets to start the probe, whatever --timeout
PROBE_PATH = Path(__file__).with_name("probe")  # the probe package's directory
MARK = "\x1e"
STDERR_KEEP = 256 * 1024
LINE_LIMIT = 32 * 1024 * 1024

# Load the probe package in the target under its own top-level name (probe.PACKAGE_NAME),
# without putting its directory, lsc-tui's or the cwd on sys.path: nothing of lsc-tui can
# shadow a provider's modules, and no provider module can shadow one of the probe's.
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

PHASES = ("architecture", "import", "spec", "fields", "config", "metadata")


class PreflightInputError(Exception):
    """Input the user must fix before preflight can run (exit code 2)."""


# --------------------------------------------------------------------------------------
# plan


@dataclass
class ProviderPlan:
    index: int
    api: str
    provider_id: str
    provider_type: str
    module: str | None = None
    module_pin: str | None = None  # the version in `module: pkg==1.2`
    source: str = "builtin"  # builtin | module | external_dir
    external_spec: Any = None
    external_spec_path: str | None = None
    config: Any = None
    config_error: str = ""
    check_config: bool = False
    skip_reason: str = ""
    entry_error: dict | None = None
    metadata: md.MetadataFile | None = None

    def public(self) -> dict:
        return {
            "index": self.index,
            "api": self.api,
            "provider_id": self.provider_id,
            "provider_type": self.provider_type,
            "module": self.module,
            "source": self.source,
        }

    def probe_input(self) -> dict:
        return {
            "index": self.index,
            "api": self.api,
            "provider_id": self.provider_id,
            "provider_type": self.provider_type,
            "module": self.module,
            "source": self.source,
            "module_pin": self.module_pin,
            "external_spec": self.external_spec,
            "external_spec_path": self.external_spec_path,
            "config": self.config if self.check_config else None,
            "config_error": self.config_error,
            "check_config": self.check_config,
        }


def load_run_yaml(path: str | os.PathLike) -> dict:
    """Parse run.yaml as the server does (PyYAML safe_load); one-line errors for bad input."""
    from lsc_tui.config.yaml.document import load_data
    from lsc_tui.config.yaml.lint import YamlLoadError

    try:
        # the guarded reader: regular files only (a FIFO never blocks), size, alias and depth limits
        data = load_data(Path(path), str(path))
    except YamlLoadError as exc:
        raise PreflightInputError(_located(exc.finding)) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise PreflightInputError(f"{path}: run.yaml must be a mapping, but it is {kind}")
    return data


def _located(f) -> str:
    """A reader's finding as the preflight's one-line input error."""
    where = f"{f.file}:{f.line}:{f.column}" if f.line else f.file
    what = f"not valid YAML: {f.message}" if f.code == "yaml-syntax" else f.message
    return f"{where}: {what}" + (f" ({f.fix})" if f.fix else "")


def _resolve_scalar(value, env) -> Any:
    if isinstance(value, str):
        return envref.coerce(value, envref.resolve_string(value, env))
    return value


def build_plan(
    data: dict,
    run_yaml_path: str,
    *,
    metadata_dir: str | None = None,
    check_config: bool = False,
    env: dict | None = None,
) -> list[ProviderPlan]:
    env = dict(os.environ if env is None else env)
    providers = data.get("providers")
    if providers is None:
        raise PreflightInputError(f"{run_yaml_path}: run.yaml has no 'providers' section")
    if not isinstance(providers, dict):
        raise PreflightInputError(f"{run_yaml_path}: 'providers' must be a mapping of API name to a list")
    ext_dir = None
    ext_dir_raw = data.get("external_providers_dir")
    if ext_dir_raw:
        try:
            ext_dir = os.path.abspath(os.path.expanduser(str(_resolve_scalar(ext_dir_raw, env) or "")))
        except envref.EnvVarMissing as exc:
            ext_dir = None
            ext_dir_raw = f"(unset environment variable {exc.name})"
    index = md.load_index(metadata_dir) if metadata_dir else None

    plans: list[ProviderPlan] = []
    seen_ids: dict[tuple[str, str], str] = {}
    for api, entries in providers.items():
        api = str(api)
        if entries is None:
            continue
        if not isinstance(entries, list):
            plans.append(_entry_problem(len(plans) + 1, api, f"providers.{api}", "(section)",
                                        f"providers.{api} must be a list of provider entries, not "
                                        f"a {type(entries).__name__}",
                                        f"Write providers.{api} as a YAML list (- provider_id: ...)."))
            continue
        for i, entry in enumerate(entries):
            where = f"providers.{api}[{i}]"
            n = len(plans) + 1
            if not isinstance(entry, dict):
                plans.append(_entry_problem(n, api, where, where, f"{where} is not a mapping",
                                            "Each provider entry needs provider_id, provider_type and config."))
                continue
            try:
                pid = _resolve_scalar(entry.get("provider_id"), env)
            except envref.EnvVarMissing as exc:
                pid = None
                plans.append(_entry_problem(n, api, where, str(entry.get("provider_id")),
                                            f"provider_id needs environment variable {exc.name}, which is not set",
                                            f"Set {exc.name}, or give the reference a default."))
                continue
            raw_type = entry.get("provider_type")
            try:
                ptype = _resolve_scalar(raw_type, env)
            except envref.EnvVarMissing as exc:
                plans.append(_entry_problem(n, api, where, str(pid or where),
                                            f"provider_type needs environment variable {exc.name}, which is not set",
                                            f"Set {exc.name}, or write the provider_type literally."))
                continue
            if pid in (None, "", "__disabled__"):
                raw = entry.get("provider_id")
                plan = ProviderPlan(n, api, str(raw if raw is not None else where), str(ptype or ""))
                if raw is None:
                    plan.entry_error = _problem(
                        "entry_invalid", f"{where} has no provider_id", "",
                        "Give every provider entry a provider_id.")
                else:
                    plan.skip_reason = f"provider_id {raw!r} resolves to empty: disabled"
                plans.append(plan)
                continue
            pid = str(pid)
            first = seen_ids.setdefault((api, pid), where)
            if first != where:
                plans.append(_entry_problem(n, api, where, pid,
                                            f"provider_id {pid} is used twice in providers.{api} ({first} and {where})",
                                            "Give every provider of an API its own provider_id; Llama Stack "
                                            "refuses duplicates."))
                continue
            if not ptype or not isinstance(ptype, str):
                plans.append(_entry_problem(n, api, where, pid, f"{where} ({pid}) has no provider_type",
                                            "Add provider_type (e.g. remote::vllm) to the entry in run.yaml."))
                continue
            plan = ProviderPlan(n, api, pid, ptype, check_config=check_config)
            module = entry.get("module")
            if module:
                name, _, pin = str(module).partition("==")
                plan.module = name.strip()
                plan.module_pin = pin.strip() or None
                plan.source = "module"
            elif ext_dir and "::" in ptype:
                kind, name = ptype.split("::", 1)
                spec_path = os.path.join(ext_dir, kind, api, f"{name}.yaml")
                plan.external_spec_path = spec_path
                if os.path.isfile(spec_path):
                    plan.source = "external_dir"
                    plan.external_spec_path = spec_path
                    from lsc_tui.config.yaml.document import load_data
                    from lsc_tui.config.yaml.lint import YamlLoadError

                    try:  # the guarded reader: a FIFO or an alias bomb here is refused, located
                        plan.external_spec = load_data(spec_path)
                    except YamlLoadError as exc:
                        f = exc.finding
                        plan.entry_error = _problem(
                            "spec_invalid", "Provider spec file cannot be read",
                            f"File: {spec_path}:{f.line}:{f.column}\n{f.code}: {f.message}",
                            f"Fix {spec_path} (it must be a YAML mapping). {f.fix}".rstrip(),
                            header="Provider spec validation failed", module=None)
            if plan.source == "builtin" and ext_dir_raw and ext_dir and not os.path.isdir(ext_dir):
                plan.entry_error = _problem(
                    "external_dir_missing", "external_providers_dir does not exist",
                    f"external_providers_dir: {ext_dir}",
                    "Create the directory or fix external_providers_dir in run.yaml; Llama Stack "
                    "refuses to start when it is missing.")
            if check_config:
                cfg = entry.get("config")
                try:
                    plan.config = envref.resolve(cfg if cfg is not None else {}, env)
                except envref.EnvVarMissing as exc:
                    plan.config_error = (
                        f"Environment variable {exc.name} is not set ({where}.config refers to it "
                        f"without a default)")
            if index is not None:
                plan.metadata = index.find(pid, plan.module)
            plans.append(plan)
    return plans


def _problem(code, reason, details, resolution, header="Provider validation failed", module=None) -> dict:
    return {"code": code, "reason": reason, "details": details, "resolution": resolution,
            "header": header, "module": module, "phase": "plan"}


def _entry_problem(n, api, where, pid, reason, resolution) -> ProviderPlan:
    plan = ProviderPlan(n, api, pid, "")
    plan.entry_error = _problem("entry_invalid", reason, f"run.yaml: {where}", resolution)
    return plan


# --------------------------------------------------------------------------------------
# secrets


def secret_values(data: dict, env: dict) -> set[str]:
    """Every value in run.yaml (or the environment it refers to) that must never be shown."""
    out: set[str] = set()

    def walk(node, under_secret):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, under_secret or is_secret_key(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, under_secret)
        elif isinstance(node, str):
            refs = envref.find_refs(node)
            for r in refs:
                val = env.get(r.name)
                if val and (under_secret or is_secret_key(r.name)):
                    out.add(val)
                if under_secret and r.op == "=" and r.operand:
                    out.add(r.operand)
            if under_secret and not refs and node:
                out.add(node)
        elif under_secret and isinstance(node, (int, float)) and not isinstance(node, bool):
            out.add(str(node))

    walk(data, False)
    return {v for v in out if len(v) >= 4}


class Masker:
    def __init__(self, values: set[str]):
        self.values = values

    def text(self, s: str) -> str:
        if self.values:
            s = mask_text(s, self.values)
        return mask_inline(s)

    def __call__(self, obj):
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {k: self(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self(v) for v in obj]
        return obj


# --------------------------------------------------------------------------------------
# the probe process


def resolve_python(python: str | None) -> str:
    if not python:
        return sys.executable
    cand = shutil.which(python) or python
    if not os.path.isfile(cand):
        raise PreflightInputError(f"--python {python}: no such interpreter")
    if not os.access(cand, os.X_OK):
        raise PreflightInputError(f"--python {python}: not executable")
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

    def __init__(self, python: str, plans: list[ProviderPlan], keep_going: bool, env: dict,
                 containment: sandbox.Containment | None = None):
        self.python = python
        self.plans = plans
        self.keep_going = keep_going
        self.containment = containment or sandbox.Containment()
        self.env = self.containment.env(env)
        self.layers: dict = {}
        self.proc: asyncio.subprocess.Process | None = None
        self.queue: asyncio.Queue = asyncio.Queue()
        self.stderr = bytearray()
        self.stderr_total = 0
        self.garbage: list[str] = []
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        kwargs: dict[str, Any] = self.containment.popen_kwargs()
        try:
            self.proc = await asyncio.create_subprocess_exec(
                self.python, "-B", "-c", BOOT, str(PROBE_PATH),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self.env,
                limit=LINE_LIMIT,
                **kwargs,
            )
        finally:
            self.layers = self.containment.after_start(self.proc.pid if self.proc else None)
        payload = json.dumps({
            "providers": [p.probe_input() for p in self.plans],
            "keep_going": self.keep_going,
            "isolate": True,
        }).encode("utf-8")
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
            pass

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
                        event = json.loads(text[len(MARK):])
                        if not isinstance(event, dict) or "event" not in event:
                            raise ValueError("not an event")
                    except ValueError:
                        await self.queue.put(("garbage", text[len(MARK):][:200]))
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

    async def next(self, timeout: float | None):
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
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is not None and not _descendants(proc.pid):
            # the probe is gone; what it started may not be (setsid, double fork)
            self.containment.sweep(None, timeout=1.0)
            return
        pids = _descendants(proc.pid)
        if os.name == "posix":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if proc.returncode is None:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
        self.containment.sweep(proc.pid if os.name == "posix" else None, timeout=1.0)

    async def close(self, grace: float = 2.0) -> int | None:
        """Wait briefly for a clean exit, then kill everything that is left."""
        proc = self.proc
        if proc is None:
            return None
        if proc.returncode is None:
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except TimeoutError:
                pass
        self.kill()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            pass
        for t in self._tasks:
            if not t.done():
                t.cancel()
        for t in self._tasks:
            try:
                await asyncio.wait_for(t, 1)
            except (TimeoutError, asyncio.CancelledError, Exception):  # noqa: S110 - the reader tasks are ending; the exit code is what counts
                pass
        return proc.returncode


def _exit_text(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


# --------------------------------------------------------------------------------------
# the run


@dataclass
class _State:
    total: int
    results: dict[int, dict] = field(default_factory=dict)
    warnings: int = 0


async def run_preflight(
    run_yaml_path: str | os.PathLike,
    *,
    python: str | None = None,
    metadata_dir: str | None = None,
    keep_going: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    check_config: bool = False,
    env: dict | None = None,
    cancel: asyncio.Event | None = None,
    startup_timeout: float | None = None,
    memory_limit: int | None = sandbox.DEFAULT_MEMORY_LIMIT,
    nproc_limit: int | None = sandbox.DEFAULT_NPROC_LIMIT,
    namespaces: bool = True,
) -> AsyncIterator[dict]:
    """Check every provider of a run.yaml; yields events as they happen.

    ``memory_limit`` (bytes, None for none) and ``nproc_limit`` bound the probe process;
    ``namespaces`` isolates it from the network and makes the file system read-only where
    the kernel allows (see :mod:`lsc_tui.preflight.sandbox`).

    Raises :class:`PreflightInputError` (before the first event) for bad input.
    """
    t0 = time.monotonic()
    env = dict(os.environ if env is None else env)
    run_yaml_path = str(run_yaml_path)
    startup = startup_timeout if startup_timeout is not None else max(timeout or 0, STARTUP_MIN)
    data = load_run_yaml(run_yaml_path)
    plans = build_plan(data, run_yaml_path, metadata_dir=metadata_dir, check_config=check_config, env=env)
    if metadata_dir and not os.path.isdir(metadata_dir):
        raise PreflightInputError(f"--metadata-dir {metadata_dir}: no such directory")
    if timeout is None or timeout <= 0:
        raise PreflightInputError("--timeout must be a positive number of seconds")
    interpreter = resolve_python(python)
    mask = Masker(secret_values(data, env))
    probe_env = dict(env)
    probe_env["PYTHONDONTWRITEBYTECODE"] = "1"
    probe_env.pop("PYTHONSTARTUP", None)
    probe_env.setdefault("PYTHONIOENCODING", "utf-8")

    total = len(plans)
    st = _State(total)
    yield {
        "event": "start",
        "schema": SCHEMA_VERSION,
        "run_yaml": run_yaml_path,
        "python": interpreter,
        "keep_going": keep_going,
        "timeout": timeout,
        "check_config": check_config,
        "metadata_dir": metadata_dir,
        "providers": [p.public() for p in plans],
    }

    stopped_early = False
    cancelled = False
    target_sent = False
    target_info: dict = {}
    fatal: dict | None = None

    def finished(plan: ProviderPlan) -> bool:
        return plan.index in st.results

    def runner_result(plan: ProviderPlan) -> dict:
        res = _result_base(plan, total)
        if plan.skip_reason:
            res.update(status="skipped", skip_reason=plan.skip_reason)
        else:
            err = dict(plan.entry_error or {})
            err["module"] = err.get("module") or plan.module
            res.update(status="error", phase=err.get("phase", "plan"), error=err)
        res["text"] = report.result_text(res)
        res = mask(res)
        st.results[plan.index] = res
        return res

    runner_only = [p for p in plans if p.skip_reason or p.entry_error]
    probe_plans = [p for p in plans if not (p.skip_reason or p.entry_error)]
    if not keep_going:
        first_bad = next((p.index for p in runner_only if p.entry_error), None)
        if first_bad is not None:
            probe_plans = [p for p in probe_plans if p.index < first_bad]

    def due_runner_results(upto_index: int):
        """Runner-side results before ``upto_index``, made (and counted) only when consumed."""
        for plan in runner_only:
            if plan.index < upto_index and not finished(plan):
                yield runner_result(plan)

    session: ProbeSession | None = None
    cancel_task = None
    try:
        remaining = list(probe_plans)
        while True:
            nxt = remaining[0].index if remaining else total + 1
            for ev in due_runner_results(nxt):
                yield ev
                if ev["status"] == "error" and not keep_going:
                    stopped_early = True
                    break
            if stopped_early or not remaining:
                break
            session = ProbeSession(interpreter, remaining, keep_going, probe_env,
                                   sandbox.Containment(memory_limit=memory_limit, nproc_limit=nproc_limit,
                                                       namespaces=namespaces))
            try:
                await session.start()
            except OSError as exc:
                raise PreflightInputError(
                    f"--python {interpreter}: cannot start ({exc.strerror or exc})") from None
            if cancel is not None and cancel_task is None:
                cancel_task = asyncio.ensure_future(cancel.wait())
            current: ProviderPlan | None = None
            current_phase = None
            began = time.monotonic()
            # Starting an interpreter is not a provider's fault: allow it at least STARTUP_MIN.
            deadline = began + startup
            err_mark = 0
            said_hello = False
            warming: ProviderPlan | None = None
            abnormal = None  # (kind, text) when the session ended badly
            by_index = {p.index: p for p in remaining}
            while True:
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    break
                wait = max(0.0, deadline - time.monotonic())
                if cancel is not None:
                    wait = min(wait, 0.2)
                kind, payload = await session.next(wait)
                if kind == "timeout":
                    if time.monotonic() < deadline:
                        continue
                    if warming is not None and current is None:
                        current_phase = "import"
                    where = f" in the {current_phase} phase" if current_phase else ""
                    abnormal = ("timeout", f"Timed out after {timeout:g} s{where}")
                    session.kill()
                    break
                if kind == "eof":
                    break
                if kind == "garbage":
                    session.garbage.append(payload)
                    if said_hello:
                        # Only provider code can have written this: the stream is no longer
                        # trustworthy for this probe.
                        abnormal = ("garbage", "The probe's event stream was corrupted"
                                    + (f" in the {current_phase} phase" if current_phase else ""))
                        session.kill()
                        break
                    continue
                ev = payload
                name = ev.get("event")
                if name == "hello":
                    said_hello = True
                    deadline = time.monotonic() + timeout
                    target_info.update(ev)
                    if not target_sent:
                        target_sent = True
                        yield mask({
                            "event": "target",
                            "python": ev.get("python"),
                            "python_version": ev.get("python_version"),
                            "platform": ev.get("platform"),
                            "llama_stack": ev.get("llama_stack"),
                            "pid": ev.get("pid"),
                            "containment": dict(session.layers, verdict_isolation=bool(ev.get("isolated"))),
                        })
                elif name == "warm":
                    # the probe imports a built-in provider's modules before the checks
                    warming = by_index.get(ev.get("index")) if ev.get("index") is not None else None
                    deadline = time.monotonic() + timeout
                elif name == "begin":
                    warming = None
                    current = by_index.get(ev.get("index"))
                    if current is None:
                        continue
                    for out in due_runner_results(current.index):
                        yield out
                    current_phase = None
                    began = time.monotonic()
                    deadline = began + timeout
                    err_mark = session.stderr_total
                    yield {"event": "provider", "total": total, **current.public()}
                elif name == "phase":
                    current_phase = ev.get("phase")
                    if current is not None:
                        yield mask({
                            "event": "phase",
                            "index": current.index,
                            "provider_id": current.provider_id,
                            "api": current.api,
                            "phase": current_phase,
                            "status": ev.get("status"),
                            "duration_s": ev.get("duration_s"),
                            "detail": ev.get("detail", ""),
                        })
                elif name == "result":
                    if current is None or ev.get("index") != current.index:
                        continue  # only the provider being checked has a result now
                    res = _finish_result(current, ev, total, session, err_mark,
                                         time.monotonic() - began, target_info)
                    if res["status"] != "error":
                        for pev in _metadata_phase(current, res):
                            yield mask(pev)
                    res["text"] = report.result_text(res)
                    res = mask(res)
                    st.results[current.index] = res
                    yield res
                    if res["status"] == "error" and not keep_going:
                        stopped_early = True
                    current = None
                    current_phase = None
                    deadline = time.monotonic() + timeout
                elif name == "garbage":
                    # a provider wrote into its report channel: the zygote stopped it
                    session.garbage.extend(str(x) for x in (ev.get("lines") or [])[:10])
                    abnormal = ("garbage", "The probe's event stream was corrupted"
                                + (f" in the {current_phase} phase" if current_phase else ""))
                    session.kill()
                    break
                elif name == "child_exit":
                    code = ev.get("returncode")
                    abnormal = ("crash", f"The probe process {_exit_text(code if isinstance(code, int) else None)}"
                                + (f" in the {current_phase} phase" if current_phase else ""))
                    break
                elif name == "done":
                    break
                elif name == "fatal":
                    abnormal = ("fatal", str(ev.get("message", "probe failed")))
                    break
            code = await session.close(grace=0.5 if abnormal is None else 0.0)
            if cancelled:
                break
            if abnormal is None and current is None and warming is not None:
                current_phase = "import"
            if abnormal is None and (current is not None or warming is not None):
                abnormal = ("crash", f"The probe process {_exit_text(code)}"
                            + (f" in the {current_phase} phase" if current_phase else ""))
            if not said_hello:
                reason = (f"The target interpreter did not start the preflight probe within "
                          f"{startup:g} s"
                          if abnormal and abnormal[0] == "timeout"
                          else f"The target interpreter did not run the preflight probe: it {_exit_text(code)}")
                fatal = {
                    "code": "probe_failed",
                    "reason": reason,
                    "details": _output_details(session),
                    "resolution": "Check --python: it must be the Python interpreter of the server's "
                                  "environment (Python 3.9 or later).",
                    "header": "Preflight could not run",
                    "module": None,
                    "phase": "start",
                }
                break
            if abnormal is not None:
                victim = current or warming or next((p for p in remaining if not finished(p)), None)
                if victim is not None:
                    res = _abnormal_result(victim, total, abnormal, session, current_phase,
                                           time.monotonic() - began, timeout)
                    res["text"] = report.result_text(res)
                    res = mask(res)
                    st.results[victim.index] = res
                    yield res
                    if not keep_going:
                        stopped_early = True
            remaining = [p for p in remaining if not finished(p)]
            if stopped_early:
                break
            if abnormal is None and remaining:
                break  # the probe stopped by itself at an error (fail-fast)
    finally:
        if session is not None:
            session.kill()
            try:
                await asyncio.shield(session.close(grace=0.0))
            except BaseException:  # noqa: S110 - the sandbox is already killed; closing is best effort
                pass
        if cancel_task is not None and not cancel_task.done():
            cancel_task.cancel()

    results = list(st.results.values())
    failed = sum(1 for r in results if r["status"] == "error")
    passed = sum(1 for r in results if r["status"] == "ok")
    skipped = sum(1 for r in results if r["status"] == "skipped")
    warnings = sum(len(r.get("warnings") or []) for r in results)
    status = "ok" if failed == 0 and fatal is None and not cancelled else "failed"
    if fatal is not None:
        yield mask({"event": "fatal", "error": fatal, "text": report.error_block("(all)", fatal)})
    summary = {
        "event": "summary",
        "status": "cancelled" if cancelled else status,
        "exit_code": 0 if status == "ok" else 1,
        "total": total,
        "passed": passed,
        "failed": failed,
        "skipped": skipped,
        "not_checked": total - passed - failed - skipped,
        "warnings": warnings,
        "stopped_early": stopped_early,
        "duration_s": round(time.monotonic() - t0, 6),
    }
    summary["text"] = "\n".join(report.summary_lines(summary))
    yield summary


def _result_base(plan: ProviderPlan, total: int) -> dict:
    return {
        "event": "result",
        "index": plan.index,
        "total": total,
        "provider_id": plan.provider_id,
        "api": plan.api,
        "provider_type": plan.provider_type,
        "module": plan.module,
        "source": plan.source,
        "status": "ok",
        "phase": None,
        "error": None,
        "warnings": [],
        "timings": {},
        "spec": None,
        "output": None,
    }


def _output_details(session: ProbeSession) -> str:
    parts = []
    if session.garbage:
        parts.append("Unexpected output on the event channel:\n" + "\n".join(
            "  " + g for g in session.garbage[:10]))
    tail = session.stderr_tail()
    if tail:
        parts.append("Last lines of stderr:\n" + "\n".join("  " + line for line in tail.splitlines()))
    return "\n\n".join(parts)


def _finish_result(plan: ProviderPlan, ev: dict, total: int, session: ProbeSession,
                   err_mark: int, elapsed: float, target: dict) -> dict:
    res = _result_base(plan, total)
    res["status"] = ev.get("status", "error")
    res["phase"] = ev.get("phase")
    res["error"] = ev.get("error")
    res["module"] = plan.module or ev.get("module")
    res["spec"] = ev.get("spec")
    res["timings"] = dict(ev.get("timings") or {})
    res["timings"]["total"] = round(elapsed, 6)
    warnings = list(ev.get("warnings") or [])
    notices = ev.get("notices") or []
    err_code = (res["error"] or {}).get("code")
    if notices and err_code != "import_side_effect":
        lines = []
        for n in notices[:20]:
            where = f" at {n['stack']}" if n.get("stack") else ""
            detail = f" ({n['detail']})" if n.get("detail") else ""
            lines.append(f"Blocked: {n['action']}{detail}{where}")
        warnings.append({
            "code": "side_effects_blocked", "title": "Provider side effects blocked",
            "reason": f"Provider code tried {len(notices)} thing(s) preflight does not allow",
            "details": "\n".join(lines),
            "note": "Importing a provider should not open connections, write files or start "
                    "processes; the server would have done so at start-up."})
    if ev.get("stdout_chars"):
        warnings.append({
            "code": "stdout_output", "title": "Provider printed to standard output",
            "reason": f"Provider code printed {ev['stdout_chars']} characters to stdout while being checked",
            "details": "",
            "note": "Use logging instead of print(); preflight redirected the output to stderr."})
    ls = target.get("llama_stack") or {}
    if plan.source == "module" and ls.get("supports_module") is False:
        warnings.append({
            "code": "module_key_unsupported", "title": "run.yaml module: not supported by this Llama Stack",
            "reason": f"{ls.get('family')} {ls.get('version') or ''} does not load providers from module:".replace("  ", " "),
            "details": f"The entry names module: {plan.module}, but the target's Llama Stack predates "
                       "module: support and ignores the key, so the server will not find "
                       f"{plan.provider_type}.",
            "note": "Upgrade Llama Stack in the server's environment, or describe the provider in a "
                    "YAML file under external_providers_dir."})
    res["warnings"] = warnings
    if res["error"] is not None:
        res["error"].setdefault("module", res["module"])
        if not res["error"].get("module"):
            res["error"]["module"] = res["module"]
    produced = session.stderr_total - err_mark
    if produced:
        res["output"] = {"stderr_bytes": produced, "stderr_tail": session.stderr_tail(10)}
    return res


def _abnormal_result(plan: ProviderPlan, total: int, abnormal: tuple, session: ProbeSession,
                     phase: str | None, elapsed: float, timeout: float) -> dict:
    kind, text = abnormal
    res = _result_base(plan, total)
    res["status"] = "error"
    res["phase"] = phase or "import"
    res["timings"] = {"total": round(elapsed, 6)}
    details = _output_details(session)
    if session.stderr_total > STDERR_KEEP:
        details = (f"The provider wrote {session.stderr_total} bytes to stderr.\n\n" + details).strip()
    if kind == "timeout":
        error = {
            "code": "timeout", "reason": text,
            "resolution": f"Find what blocks during import or get_provider_spec() (a loop, a lock, a "
                          f"network wait); raise --timeout (now {timeout:g} s) only if the provider is "
                          "just slow to import.",
        }
    elif kind == "fatal":
        error = {"code": "probe_failed", "reason": text,
                 "resolution": "Report this with the output above."}
    elif kind == "garbage":
        error = {"code": "probe_protocol", "reason": text,
                 "resolution": "The provider wrote to a file descriptor it does not own (the probe's "
                               "event channel); find the write in the provider and remove it."}
    else:
        error = {
            "code": "probe_crashed", "reason": text,
            "resolution": "The provider ended the Python process (os._exit, a crash in native code, "
                          f"or a signal). Run `python -c \"import {_import_target(plan)}\"` in the server's "
                          "environment to see it, and fix the provider.",
        }
    error.update(header="Provider validation failed", details=details, module=plan.module, phase=res["phase"])
    res["error"] = error
    res["output"] = {"stderr_bytes": session.stderr_total, "stderr_tail": session.stderr_tail(10)}
    return res


def _import_target(plan: ProviderPlan) -> str:
    if plan.module:
        return plan.module + ".provider"
    spec = plan.external_spec if isinstance(plan.external_spec, dict) else {}
    adapter = spec.get("adapter") if isinstance(spec.get("adapter"), dict) else {}
    return str(spec.get("module") or adapter.get("module") or f"llama_stack.providers.registry.{plan.api}")


def _metadata_phase(plan: ProviderPlan, res: dict):
    """Runner-side phase 5: compare lls-provider-spec.yaml with the runtime spec."""
    t0 = time.perf_counter()
    base = {"event": "phase", "index": plan.index, "provider_id": plan.provider_id, "api": plan.api,
            "phase": "metadata"}
    mf = plan.metadata
    spec = res.get("spec") or {}
    if mf is None:
        res["timings"]["metadata"] = 0.0
        yield {**base, "status": "skipped", "duration_s": 0.0, "detail": "no lls-provider-spec.yaml"}
        return
    yield {**base, "status": "running"}
    status = "ok"
    if mf.error and mf.data is None:
        res["warnings"].append({
            "code": "metadata_unreadable", "title": "Provider metadata unreadable",
            "reason": f"{mf.path}: {mf.error}", "details": "",
            "note": "Fix lls-provider-spec.yaml; preflight compared nothing for this provider."})
        status = "warning"
    else:
        if mf.error:
            res["warnings"].append({
                "code": "metadata_invalid", "title": "Provider metadata invalid",
                "reason": f"{mf.path}: {mf.error}", "details": "",
                "note": "The operator rejects this lls-provider-spec.yaml; fix it. Fields were still compared."})
            status = "warning"
        comps = md.compare(mf, spec)
        if any(not c.match for c in comps):
            res["warnings"].append({
                "code": "metadata_mismatch", "title": "Provider metadata mismatch",
                "metadata_file": mf.path,
                "fields": [{"field": c.field, "metadata": c.metadata, "runtime": c.runtime,
                            "match": c.match} for c in comps],
            })
            status = "warning"
    dt = time.perf_counter() - t0
    res["timings"]["metadata"] = round(dt, 6)
    yield {**base, "status": status, "duration_s": round(dt, 6), "detail": mf.path}


async def collect(run_yaml_path, **kwargs) -> list[dict]:
    """Run preflight to the end and return every event (for scripts and tests)."""
    return [ev async for ev in run_preflight(run_yaml_path, **kwargs)]
