"""Phase 5 when asked for (``--check-config``): the provider's ``config:`` from run.yaml, with
its environment references resolved by the runner, builds the spec's config class. Values
never reach the report: only field paths and the validator's messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .failure import Failure

if TYPE_CHECKING:
    from .checker import Check


def run(check: Check) -> str:
    p = check.p
    if p.get("config_error"):
        raise Failure(
            "config_env",
            "Provider config cannot be resolved",
            p["config_error"],
            "Set the environment variable, or give the reference a default with ${env.NAME:=value}.",
        )
    cfg = p.get("config") or {}
    if not isinstance(cfg, dict):
        raise Failure(
            "config_invalid",
            "Provider config is not a mapping",
            "config: %s" % type(cfg).__name__,
            "Write config: as a mapping in run.yaml.",
        )
    cls = check.config_cls
    try:
        cls(**cfg)
    except BaseException as exc:
        raise Failure(
            "config_invalid",
            "Provider config does not validate against %s" % cls.__name__,
            "\n".join(_error_lines(exc)[:30]),
            "Fix the provider's config: block in run.yaml (values are masked here).",
        ) from exc
    return "%s(**config) ok" % cls.__name__


def _error_lines(exc: BaseException) -> list[str]:
    """A pydantic error's ``loc: msg`` lines, or the exception's own line."""
    errors = getattr(exc, "errors", None)
    lines: list[str] = []
    if callable(errors):
        try:
            for e in errors():
                loc = ".".join(str(x) for x in e.get("loc", ()))
                lines.append("%s: %s" % (loc or "(config)", e.get("msg", "")))
        except Exception:
            lines = []
    return lines or [type(exc).__name__ + ": " + str(exc)]
