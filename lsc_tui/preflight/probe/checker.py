"""The checks of one provider, phase after phase in seed-001 order, each timed and reported."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional

from . import architecture, config, fields, importing, sandbox, spec
from .channel import emit
from .dists import DistIndex
from .failure import Failure, format_tb, indent

if TYPE_CHECKING:
    from collections.abc import Callable

    Phase = tuple[str, Callable[["Check"], str]]

PHASES: list[Phase] = [
    ("architecture", architecture.run),
    ("import", importing.run),
    ("spec", spec.run),
    ("fields", fields.run),
]
CONFIG_PHASE: Phase = ("config", config.run)


class Checker:
    """What every provider's check shares for the life of the probe: the target, its
    distributions, and the architecture verdicts already reached."""

    def __init__(self, ls_info: dict[str, Any], target: tuple[str, str], dists: Optional[DistIndex] = None) -> None:
        self.ls = ls_info
        self.target = target
        self.dists = dists if dists is not None else DistIndex()
        self.arch_cache: dict[str, tuple[str, Any]] = {}
        self.native_cache: dict[int, Any] = {}

    def run(self, p: dict[str, Any]) -> dict[str, Any]:
        """Check one provider; emits phase events, returns the result dict."""
        return Check(self, p).run()


class Check:
    """One provider being checked: its entry of the plan, and what the phases found so far."""

    def __init__(self, checker: Checker, p: dict[str, Any]) -> None:
        self.checker = checker
        self.p = p
        self.ls = checker.ls
        self.target = checker.target
        self.dists = checker.dists
        self.spec: Any = None  # what get_provider_spec() (or the registry) returned
        self.spec_summary: Optional[dict[str, Any]] = None
        self.config_cls: Any = None
        self.warnings: list[dict[str, Any]] = []
        self.timings: dict[str, float] = {}

    def run(self) -> dict[str, Any]:
        p = self.p
        sandbox.clear_notices()
        phases = PHASES + ([CONFIG_PHASE] if p.get("check_config") else [])
        error: Optional[dict[str, Any]] = None
        failed_phase = None
        for name, fn in phases:
            t0 = time.perf_counter()
            emit("phase", provider_id=p["provider_id"], api=p["api"], phase=name, status="running")
            status = "ok"
            detail = ""
            try:
                detail = fn(self) or ""
            except Failure as f:
                error = f.data
                status = "error"
            except BaseException as exc:  # SystemExit, KeyboardInterrupt from provider code
                error = Failure(
                    "internal",
                    "Unexpected %s during the %s check" % (type(exc).__name__, name),
                    "Traceback:\n" + indent(format_tb(exc)),
                    "Report this with the traceback.",
                ).data
                status = "error"
            dt = round(time.perf_counter() - t0, 6)
            self.timings[name] = dt
            emit(
                "phase",
                provider_id=p["provider_id"],
                api=p["api"],
                phase=name,
                status=status,
                duration_s=dt,
                detail=detail,
            )
            if error:
                failed_phase = name
                break
        if error is not None:
            error["phase"] = failed_phase
            error.setdefault("module", self.display_module())
        return {
            "status": "error" if error else "ok",
            "phase": failed_phase,
            "error": error,
            "warnings": self.warnings,
            "notices": sandbox.notices(),
            "spec": self.spec_summary,
            "timings": self.timings,
            "module": self.display_module(),
        }

    def display_module(self) -> str:
        """The module a report names for this provider."""
        p = self.p
        if p.get("module"):
            return str(p["module"])
        if self.spec_summary and self.spec_summary.get("module"):
            return str(self.spec_summary["module"])
        mod = self.external_module()
        if mod:
            return mod
        return "%s.providers.registry.%s" % (self.ls.get("registry_root") or "llama_stack", p["api"])

    def external_module(self) -> Optional[str]:
        """The module a provider spec file (external_providers_dir) names."""
        ext = self.p.get("external_spec") or {}
        if not isinstance(ext, dict):
            return None
        adapter = ext.get("adapter")
        mod = ext.get("module") or (adapter.get("module") if isinstance(adapter, dict) else None)
        return str(mod) if mod else None

    def primary_module(self) -> Optional[str]:
        """The module whose distribution the architecture check starts from."""
        p = self.p
        if p["source"] == "module":
            return str(p["module"])
        if p["source"] == "external_dir":
            mod = self.external_module()
            if mod:
                return mod
        root = self.ls.get("registry_root") or self.ls.get("api_module")
        return str(root) if root else None
