"""The error a phase raises (:class:`Failure`, the seed-001 block's fields) and the text of
tracebacks, with the probe's own frames left out."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_IMPORTLIB_INIT = getattr(importlib, "__file__", "") or "<importlib>"


class Failure(Exception):
    """A failed check: ``data`` is the result's ``error`` (code, reason, details, resolution,
    header, and any extra field such as ``package`` or ``field``)."""

    def __init__(
        self, code: str, reason: str, details: str = "", resolution: str = "", header: str | None = None, **extra: Any
    ) -> None:
        Exception.__init__(self, reason)
        self.data: dict[str, Any] = {
            "code": code,
            "reason": reason,
            "details": details,
            "resolution": resolution,
            "header": header or "Provider validation failed",
        }
        self.data.update(extra)


SPEC_HEADER = "Provider spec validation failed"


def format_tb(exc: BaseException, limit: int = 60) -> str:
    """The traceback of ``exc`` without the import machinery's and the probe's own frames."""
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    keep = []
    for chunk in lines:
        if (
            ('File "<frozen importlib' in chunk)
            or ('File "%s' % (PACKAGE_DIR + os.sep) in chunk)
            or ('File "%s"' % _IMPORTLIB_INIT in chunk)
        ):
            continue
        keep.append(chunk)
    text = "".join(keep).rstrip("\n")
    out = text.splitlines()
    if len(out) > limit:
        out = out[:5] + ["  ... (%d lines omitted)" % (len(out) - limit)] + out[-(limit - 6) :]
    return "\n".join(out)


def traceback_block(exc: BaseException) -> str:
    return "Traceback:\n" + indent(format_tb(exc))


def exc_line(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def indent(text: str, n: int = 2) -> str:
    pad = " " * n
    return "\n".join(pad + line if line else line for line in text.splitlines())


def out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == 12)  # ENOMEM


def memory_limit_text() -> str:
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return ""
    if limit == resource.RLIM_INFINITY or limit <= 0:
        return ""
    return " (preflight limits the provider to %s of address space)" % size_text(limit)


def size_text(n: int) -> str:
    for unit, k in (("GiB", 1024**3), ("MiB", 1024**2)):
        if n >= k:
            v = n / float(k)
            return ("%d %s" % (v, unit)) if v == int(v) else ("%.1f %s" % (v, unit))
    return "%d bytes" % n


def from_llama_stack(exc: BaseException) -> bool:
    """Did a Llama Stack spec class raise this (a pydantic error for a Llama Stack model)?"""
    title = str(getattr(exc, "title", "") or "")
    tb = exc.__traceback__
    while tb is not None:
        mod = tb.tb_frame.f_globals.get("__name__", "")
        if mod.split(".")[0] in ("llama_stack", "llama_stack_api", "ogx", "ogx_api"):
            return True
        tb = tb.tb_next
    return title in ("AdapterSpec", "ProviderSpec", "RemoteProviderSpec", "InlineProviderSpec")


def python_tag() -> str:
    return "cp%d%d" % sys.version_info[:2]
