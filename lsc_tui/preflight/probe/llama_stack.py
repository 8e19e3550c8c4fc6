"""Which Llama Stack the target has: 0.2 (``llama_stack.providers.datatypes``), 0.3 to 0.7
(``llama_stack_api``) or OGX (``ogx_api``), found without importing it."""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .dists import DistIndex

_API_MODULES = ("ogx_api", "llama_stack_api", "llama_stack.providers.datatypes")
_SPEC_MODULES = (
    "ogx_api",
    "ogx_api.datatypes",
    "llama_stack_api",
    "llama_stack_api.datatypes",
    "llama_stack.providers.datatypes",
)
ROOTS = ("llama_stack", "llama_stack_api", "ogx", "ogx_api")


def find_top(name: str) -> Any:
    """The import spec of a module, or None (never imports the module itself)."""
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None


def detect(dists: DistIndex) -> dict[str, Any]:
    """``family``, ``version``, ``api_module``, ``registry_root``, ``supports_module``."""
    info: dict[str, Any] = {
        "family": None,
        "version": None,
        "api_module": None,
        "registry_root": None,
        "supports_module": None,
    }
    for root, dist_names in (("ogx", ("ogx",)), ("llama_stack", ("llama-stack", "llama_stack"))):
        spec = find_top(root)
        if spec is None:
            continue
        info["family"] = root
        info["registry_root"] = root
        for dn in dist_names:
            d = dists.get(dn)
            if d is not None:
                info["version"] = d.version
                break
        info["supports_module"] = _supports_module(list(spec.submodule_search_locations or []))
        break
    # The spec classes that go with the family: ogx -> ogx_api; llama_stack -> its own
    # providers.datatypes when it still has one (0.2.x, 0.3.x), else llama_stack_api.
    preferred: list[str] = {
        "ogx": ["ogx_api"],
        "llama_stack": ["llama_stack.providers.datatypes", "llama_stack_api"],
    }.get(info["family"] or "", list(_API_MODULES))
    for mod in preferred:
        top = mod.split(".")[0]
        spec = find_top(top)
        if spec is None:
            continue
        if "." in mod:
            rel = mod.split(".", 1)[1].replace(".", os.sep) + ".py"
            if not any(os.path.exists(os.path.join(b, rel)) for b in (spec.submodule_search_locations or [])):
                continue
        info["api_module"] = mod
        if info["family"] is None:
            info["family"] = top
        if info["version"] is None:
            d = dists.get(top.replace("_", "-"))
            if d is not None:
                info["version"] = d.version
        break
    return info


def _supports_module(bases: list[str]) -> Optional[bool]:
    """Does this Llama Stack load providers from run.yaml's ``module:`` (its source says)?"""
    for sub in ("core/distribution.py", "distribution/distribution.py"):
        for b in bases:
            p = os.path.join(b, sub)
            if os.path.exists(p):
                try:
                    with open(p, encoding="utf-8", errors="replace") as f:
                        return "get_provider_spec" in f.read()
                except OSError:
                    return None
    return None


def spec_classes() -> list[type]:
    """ProviderSpec classes already imported (by the provider) in the target."""
    classes: list[type] = []
    for mod in _SPEC_MODULES:
        m = sys.modules.get(mod)
        cls = getattr(m, "ProviderSpec", None) if m is not None else None
        if isinstance(cls, type) and cls not in classes:
            classes.append(cls)
    return classes
