"""Phase 2, import: the provider's module imports (seed 001, FR-006 to FR-008).

Optional dependencies that fail inside the module's own try/except are the module's business;
what reaches the probe is classified (module not installed, a missing dependency, a Llama
Stack path this version does not have, a blocked side effect, running out of memory, exiting
the process) so the report can say what to do.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import TYPE_CHECKING, Any

from . import sandbox
from .failure import Failure, exc_line, memory_limit_text, out_of_memory, traceback_block
from .llama_stack import ROOTS, find_top

if TYPE_CHECKING:
    from .checker import Check

_MOVE_SIDE_EFFECTS = "move that work into get_adapter_impl()/get_provider_impl() or initialize()."


def run(check: Check) -> str:
    p = check.p
    if p["source"] == "module":
        return _import_module_provider(check, p["module"])
    if p["source"] == "external_dir":
        mod = check.primary_module()
        if not mod:
            return "no module named in %s" % p.get("external_spec_path")
        import_external(check, mod)
        return "imported %s" % mod
    return _import_registry(check)


def _import_module_provider(check: Check, mod: str) -> str:
    """run.yaml's ``module: pkg``: Llama Stack imports ``pkg.provider``."""
    import_external(check, mod)
    provider_mod = mod + ".provider"
    try:
        found = importlib.util.find_spec(provider_mod)
    except Exception:
        found = None
    if found is None:
        pkg = sys.modules.get(mod)
        where = os.path.dirname(getattr(pkg, "__file__", "") or "") or "?"
        raise Failure(
            "no_provider_module",
            "Module has no provider.py",
            "Package '%s' is installed (%s) but has no module '%s'.\n"
            "Llama Stack imports '%s' and calls its get_provider_spec()." % (mod, where, provider_mod, provider_mod),
            "Add provider.py with a get_provider_spec() function to the package, or set "
            "module: in run.yaml to the package that has it.",
        )
    import_external(check, provider_mod)
    return "imported %s" % provider_mod


def _import_registry(check: Check) -> str:
    """A built-in provider: the target's Llama Stack registry module of its API."""
    p = check.p
    root = check.ls.get("registry_root")
    if not root:
        raise Failure(
            "no_llama_stack",
            "Llama Stack is not installed in the target environment",
            "Built-in provider '%s' comes from Llama Stack's own registry, but neither "
            "llama_stack nor ogx is importable by %s." % (p["provider_type"], sys.executable),
            "Run preflight with --python pointing at the server's interpreter, or install "
            "llama-stack in this environment.",
        )
    regmod = registry_module(check)
    try:
        found = importlib.util.find_spec(regmod)
    except Exception:
        found = None
    if found is None:
        raise Failure(
            "unknown_api",
            "API '%s' is not available in %s %s" % (p["api"], root, check.ls.get("version") or ""),
            "The target's Llama Stack has no registry module '%s'." % regmod,
            "Remove the '%s' section from run.yaml or move its providers to an API this "
            "Llama Stack version supports." % p["api"],
        )
    import_external(check, regmod)
    return "imported %s" % regmod


def registry_module(check: Check) -> str:
    return "%s.providers.registry.%s" % (check.ls.get("registry_root"), check.p["api"])


def import_external(check: Check, mod: str) -> Any:
    """Import provider code; every failure becomes a classified :class:`Failure`."""
    top = mod.split(".")[0]
    if find_top(top) is None:
        exc = ModuleNotFoundError("No module named '%s'" % top)
        raise Failure(
            "module_not_found",
            "Module not found",
            "Traceback:\n  " + exc_line(exc),
            "Ensure provider packages are installed and PYTHONPATH is set correctly.",
            cause="not_installed",
        )
    try:
        return importlib.import_module(mod)
    except BaseException as exc:
        raise import_failure(check, mod, exc) from exc


def import_failure(check: Check, mod: str, exc: BaseException) -> Failure:
    """What went wrong importing ``mod``, and what to do about it."""
    tb = traceback_block(exc)
    blocked = sandbox.notices()
    if isinstance(exc, SystemExit):
        return Failure(
            "import_exit",
            "Import called sys.exit(%r)" % (exc.code,),
            tb,
            "A provider module must not exit the process on import; remove the exit from module-level code.",
        )
    if out_of_memory(exc):
        return Failure(
            "memory_limit",
            "Import ran out of memory%s" % memory_limit_text(),
            tb,
            "A provider module should not allocate this much memory when imported; if "
            "the server really needs it, raise the limit with --memory-limit.",
        )
    if isinstance(exc, OSError) and exc.errno == 30 and not blocked:  # EROFS
        return Failure(
            "import_side_effect",
            "Import tried to write a file (the file system is read-only during preflight)",
            tb,
            "Provider modules must not write files when imported; " + _MOVE_SIDE_EFFECTS,
        )
    if isinstance(exc, sandbox.PreflightBlocked) or (blocked and isinstance(exc, OSError)):
        action = blocked[-1]["action"] if blocked else str(exc)
        return Failure(
            "import_side_effect",
            "Import tried to %s (blocked by preflight)" % action,
            tb,
            "Provider modules must not touch the network, write files or start processes "
            "when imported; " + _MOVE_SIDE_EFFECTS,
        )
    name = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
    if name:
        top = name.split(".")[0]
        if top in ROOTS:
            return _llama_stack_version(check, name, top, tb)
        if top != mod.split(".")[0]:
            return Failure(
                "missing_dependency",
                "Missing dependency '%s'" % top,
                tb,
                "Install '%s' in the server's environment (bundle its wheel with the "
                "provider package), or make the import optional." % top,
                cause="missing_dependency",
                missing=name,
            )
    if isinstance(exc, ImportError):
        return Failure(
            "import_error",
            "Import failed",
            tb,
            "Fix the import error shown above in the provider package, then run preflight again.",
        )
    return Failure(
        "import_error",
        "Import failed: %s" % type(exc).__name__,
        tb,
        "Fix the error raised while importing the provider module (see traceback).",
    )


def _llama_stack_version(check: Check, name: str, top: str, tb: str) -> Failure:
    """The provider imports a Llama Stack module the target's version does not have."""
    have = check.ls.get("api_module")
    have_txt = ("%s %s" % (check.ls.get("family") or "no Llama Stack", check.ls.get("version") or "")).strip()
    if find_top(top) is None:
        reason = "Provider needs %s, which this environment does not have" % top
        hint = "The provider imports '%s'. This environment has %s (provider specs live in %s)." % (
            name,
            have_txt,
            have or "nowhere",
        )
    else:
        reason = "Provider imports a Llama Stack module that this version does not have"
        hint = (
            "The provider imports '%s', which %s does not have. "
            "Llama Stack 0.2.x keeps provider specs in llama_stack.providers.datatypes, "
            "0.3 to 0.7 in llama_stack_api, OGX in ogx_api; this environment uses %s."
            % (name, have_txt, have or "none")
        )
    return Failure(
        "llama_stack_version",
        reason,
        hint + "\n\n" + tb,
        "Install a version of the provider built for %s, or change its imports "
        "to %s." % (have_txt, have or "the Llama Stack API package"),
        cause="removed_llama_stack_path",
        missing=name,
    )
