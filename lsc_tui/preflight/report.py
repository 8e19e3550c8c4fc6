"""Seed-001 text: the ERROR and WARNING blocks, progress lines and the summary.

Pure functions from event data (dicts, as the runner yields them) to text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

JSON = dict[str, Any]

SUCCESS = "All providers validated successfully"
METADATA_NOTE = "Update lls-provider-spec.yaml to match runtime implementation for mismatched fields."


def error_block(provider_id: str, error: JSON) -> str:
    lines = [
        f"ERROR: {error.get('header') or 'Provider validation failed'}",
        "",
        f"Provider: {provider_id}",
        f"Module: {error.get('module') or '(none)'}",
        f"Reason: {error.get('reason') or 'unknown'}",
        "",
    ]
    details = (error.get("details") or "").rstrip("\n")
    if details:
        lines += details.splitlines() + [""]
    resolution = error.get("resolution")
    if resolution:
        lines.append(f"Resolution: {resolution}")
    return "\n".join(lines).rstrip("\n") + "\n"


def metadata_warning_block(provider_id: str, fields: Iterable[JSON]) -> str:
    lines = ["WARNING: Provider metadata mismatch (non-blocking)", "", f"Provider: {provider_id}", ""]
    for f in fields:
        lines.append(f"Field: {f['field']}")
        lines.append(f"  Metadata (lls-provider-spec.yaml): {_show(f['metadata'])}")
        lines.append(f"  Runtime (get_provider_spec()): {_show(f['runtime'])}")
        if f["match"]:
            lines.append("  Match ✓")
        else:
            lines.append(f"  Using: {_show(f['runtime'])} (runtime value)")
        lines.append("")
    lines.append(f"Note: {METADATA_NOTE}")
    return "\n".join(lines) + "\n"


def warning_block(provider_id: str, module: str | None, warning: JSON) -> str:
    if warning.get("code") == "metadata_mismatch":
        return metadata_warning_block(provider_id, warning.get("fields", []))
    lines = [f"WARNING: {warning.get('title') or 'Provider warning'} (non-blocking)", "", f"Provider: {provider_id}"]
    if module:
        lines.append(f"Module: {module}")
    if warning.get("reason"):
        lines.append(f"Reason: {warning['reason']}")
    lines.append("")
    details = (warning.get("details") or "").rstrip("\n")
    if details:
        lines += details.splitlines() + [""]
    if warning.get("note"):
        lines.append(f"Note: {warning['note']}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _show(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _secs(value: Any) -> str:
    return f"{float(value or 0):.2f} s"


def progress_line(result: JSON) -> str:
    """One line per provider, printed when its result arrives."""
    idx = result.get("index") or 0
    total = result.get("total") or 0
    head = f"[{idx}/{total}] {result.get('api')} {result.get('provider_id')} ({result.get('provider_type')})"
    status = result.get("status")
    took = _secs((result.get("timings") or {}).get("total"))
    if status == "skipped":
        return f"{head}: SKIPPED ({result.get('skip_reason') or 'disabled'})"
    if status == "error":
        phase = result.get("phase") or "?"
        return f"{head}: FAILED at {phase} ({took})"
    n = len(result.get("warnings") or [])
    if n:
        return f"{head}: OK with {n} warning{'s' if n != 1 else ''} ({took})"
    return f"{head}: OK ({took})"


def result_text(result: JSON) -> str:
    """The ERROR and WARNING blocks of one result, separated by blank lines."""
    blocks = []
    pid = result.get("provider_id") or "?"
    for w in result.get("warnings") or []:
        blocks.append(warning_block(pid, result.get("module"), w))
    if result.get("error"):
        blocks.append(error_block(pid, result["error"]))
    return "\n".join(blocks)


def summary_lines(summary: JSON) -> list[str]:
    parts = [f"{summary.get('passed', 0)} passed", f"{summary.get('failed', 0)} failed"]
    if summary.get("not_checked"):
        parts.append(f"{summary['not_checked']} not checked")
    if summary.get("skipped"):
        parts.append(f"{summary['skipped']} skipped")
    if summary.get("warnings"):
        parts.append(f"{summary['warnings']} warning{'s' if summary['warnings'] != 1 else ''}")
    total = summary.get("total", 0)
    line = f"Summary: {', '.join(parts)} of {total} provider{'s' if total != 1 else ''} in {_secs(summary.get('duration_s'))}"
    out = [line]
    if summary.get("status") == "ok":
        out.append(SUCCESS)
    elif summary.get("status") == "cancelled":  # stopped by the operator: not a verdict on the providers
        out.append("Preflight cancelled: the probe was stopped before every provider was checked")
    else:
        msg = "Preflight failed"
        if summary.get("not_checked") and summary.get("stopped_early"):
            msg += ": stopped at the first error (use --keep-going to check every provider)"
        out.append(msg)
    return out
