"""Result events: what the probe reported for a provider, or what the runner saw when the
probe could not report (timeout, crash, a corrupted stream), plus the runner-side metadata
phase (seed 001, phase 5: lls-provider-spec.yaml against the runtime spec)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from lsc_tui.preflight import metadata as md
from lsc_tui.preflight.plan import JSON, ProviderPlan
from lsc_tui.preflight.process import STDERR_KEEP, ProbeSession


def result_base(plan: ProviderPlan, total: int) -> JSON:
    """A result event for ``plan`` with nothing checked yet."""
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


def output_details(session: ProbeSession) -> str:
    """What the probe wrote besides its events: garbage on the channel, the tail of stderr."""
    parts = []
    if session.garbage:
        parts.append("Unexpected output on the event channel:\n" + "\n".join("  " + g for g in session.garbage[:10]))
    tail = session.stderr_tail()
    if tail:
        parts.append("Last lines of stderr:\n" + "\n".join("  " + line for line in tail.splitlines()))
    return "\n\n".join(parts)


def finish_result(
    plan: ProviderPlan, ev: JSON, total: int, session: ProbeSession, err_mark: int, elapsed: float, target: JSON
) -> JSON:
    """The result event of a provider the probe reported on, with the runner's own warnings."""
    res = result_base(plan, total)
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
        warnings.append(
            {
                "code": "side_effects_blocked",
                "title": "Provider side effects blocked",
                "reason": f"Provider code tried {len(notices)} thing(s) preflight does not allow",
                "details": "\n".join(lines),
                "note": "Importing a provider should not open connections, write files or start "
                "processes; the server would have done so at start-up.",
            }
        )
    if ev.get("stdout_chars"):
        warnings.append(
            {
                "code": "stdout_output",
                "title": "Provider printed to standard output",
                "reason": f"Provider code printed {ev['stdout_chars']} characters to stdout while being checked",
                "details": "",
                "note": "Use logging instead of print(); preflight redirected the output to stderr.",
            }
        )
    ls = target.get("llama_stack") or {}
    if plan.source == "module" and ls.get("supports_module") is False:
        warnings.append(
            {
                "code": "module_key_unsupported",
                "title": "run.yaml module: not supported by this Llama Stack",
                "reason": f"{ls.get('family')} {ls.get('version') or ''} does not load providers from module:".replace(
                    "  ", " "
                ),
                "details": f"The entry names module: {plan.module}, but the target's Llama Stack predates "
                "module: support and ignores the key, so the server will not find "
                f"{plan.provider_type}.",
                "note": "Upgrade Llama Stack in the server's environment, or describe the provider in a "
                "YAML file under external_providers_dir.",
            }
        )
    res["warnings"] = warnings
    if res["error"] is not None:
        res["error"].setdefault("module", res["module"])
        if not res["error"].get("module"):
            res["error"]["module"] = res["module"]
    produced = session.stderr_total - err_mark
    if produced:
        res["output"] = {"stderr_bytes": produced, "stderr_tail": session.stderr_tail(10)}
    return res


def abnormal_result(
    plan: ProviderPlan,
    total: int,
    abnormal: tuple[str, str],
    session: ProbeSession,
    phase: str | None,
    elapsed: float,
    timeout: float,
) -> JSON:
    """The result of the provider being checked when the probe timed out, crashed or broke the protocol."""
    kind, text = abnormal
    res = result_base(plan, total)
    res["status"] = "error"
    res["phase"] = phase or "import"
    res["timings"] = {"total": round(elapsed, 6)}
    details = output_details(session)
    if session.stderr_total > STDERR_KEEP:
        details = (f"The provider wrote {session.stderr_total} bytes to stderr.\n\n" + details).strip()
    error: JSON
    if kind == "timeout":
        error = {
            "code": "timeout",
            "reason": text,
            "resolution": f"Find what blocks during import or get_provider_spec() (a loop, a lock, a "
            f"network wait); raise --timeout (now {timeout:g} s) only if the provider is "
            "just slow to import.",
        }
    elif kind == "fatal":
        error = {"code": "probe_failed", "reason": text, "resolution": "Report this with the output above."}
    elif kind == "garbage":
        error = {
            "code": "probe_protocol",
            "reason": text,
            "resolution": "The provider wrote to a file descriptor it does not own (the probe's "
            "event channel); find the write in the provider and remove it.",
        }
    else:
        error = {
            "code": "probe_crashed",
            "reason": text,
            "resolution": "The provider ended the Python process (os._exit, a crash in native code, "
            f'or a signal). Run `python -c "import {_import_target(plan)}"` in the server\'s '
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
    adapter = spec.get("adapter")
    adapter = adapter if isinstance(adapter, dict) else {}
    return str(spec.get("module") or adapter.get("module") or f"llama_stack.providers.registry.{plan.api}")


def metadata_phase(plan: ProviderPlan, res: JSON) -> Iterator[JSON]:
    """Runner-side phase 5: compare lls-provider-spec.yaml with the runtime spec."""
    t0 = time.perf_counter()
    base = {
        "event": "phase",
        "index": plan.index,
        "provider_id": plan.provider_id,
        "api": plan.api,
        "phase": "metadata",
    }
    mf = plan.metadata
    spec = res.get("spec") or {}
    if mf is None:
        res["timings"]["metadata"] = 0.0
        yield {**base, "status": "skipped", "duration_s": 0.0, "detail": "no lls-provider-spec.yaml"}
        return
    yield {**base, "status": "running"}
    status = "ok"
    if mf.error and mf.data is None:
        res["warnings"].append(
            {
                "code": "metadata_unreadable",
                "title": "Provider metadata unreadable",
                "reason": f"{mf.path}: {mf.error}",
                "details": "",
                "note": "Fix lls-provider-spec.yaml; preflight compared nothing for this provider.",
            }
        )
        status = "warning"
    else:
        if mf.error:
            res["warnings"].append(
                {
                    "code": "metadata_invalid",
                    "title": "Provider metadata invalid",
                    "reason": f"{mf.path}: {mf.error}",
                    "details": "",
                    "note": "The operator rejects this lls-provider-spec.yaml; fix it. Fields were still compared.",
                }
            )
            status = "warning"
        comps = md.compare(mf, spec)
        if any(not c.match for c in comps):
            res["warnings"].append(
                {
                    "code": "metadata_mismatch",
                    "title": "Provider metadata mismatch",
                    "metadata_file": mf.path,
                    "fields": [
                        {"field": c.field, "metadata": c.metadata, "runtime": c.runtime, "match": c.match}
                        for c in comps
                    ],
                }
            )
            status = "warning"
    dt = time.perf_counter() - t0
    res["timings"]["metadata"] = round(dt, 6)
    yield {**base, "status": status, "duration_s": round(dt, 6), "detail": mf.path}
