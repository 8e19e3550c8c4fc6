"""Phase 4, fields: the spec has the required fields (seed 001, FR-010: provider_type, api,
config_class as the config schema), sits under the API run.yaml lists it under, and its
config class and implementation module import (after the architecture of its pip_packages
is checked)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import architecture
from .failure import SPEC_HEADER, Failure, format_tb, indent
from .importing import import_failure
from .llama_stack import spec_classes
from .spec import PlainSpec

if TYPE_CHECKING:
    from .checker import Check


def run(check: Check) -> str:
    p = check.p
    s = check.spec_summary or {}
    classes = spec_classes()
    if classes and not isinstance(check.spec, PlainSpec) and not isinstance(check.spec, tuple(classes)):
        raise Failure(
            "spec_wrong_type",
            "get_provider_spec() returned invalid data",
            "Expected a ProviderSpec (%s), got %s"
            % (", ".join("%s.%s" % (c.__module__, c.__name__) for c in classes), type(check.spec).__name__),
            "Provider implementation must return a ProviderSpec (RemoteProviderSpec or InlineProviderSpec).",
            header=SPEC_HEADER,
        )
    for field in ("provider_type", "api", "config_class"):
        value = s.get(field)
        if value is None or value == "" or field not in s:
            shown = "config_class (the config schema)" if field == "config_class" else field
            raise Failure(
                "spec_missing_field",
                "get_provider_spec() returned invalid data",
                "Missing required field: %s" % shown,
                "Provider implementation must return ProviderSpec with %s field." % field,
                header=SPEC_HEADER,
                field=field,
            )
        if not isinstance(value, str):
            raise Failure(
                "spec_bad_field",
                "get_provider_spec() returned invalid data",
                "Field %s must be a string, got %s" % (field, type(value).__name__),
                "Provider implementation must return ProviderSpec with a string %s." % field,
                header=SPEC_HEADER,
                field=field,
            )
    if s["api"] != p["api"]:
        raise Failure(
            "api_mismatch",
            "Provider API does not match its place in run.yaml",
            "run.yaml lists it under: providers.%s\nget_provider_spec() says: api=%s" % (p["api"], s["api"]),
            "Move the provider to providers.%s in run.yaml, or fix api in the provider's "
            "get_provider_spec()." % s["api"],
            header=SPEC_HEADER,
            field="api",
        )
    if s["provider_type"] != p["provider_type"]:
        check.warnings.append(
            {
                "code": "provider_type_mismatch",
                "title": "Provider type mismatch",
                "reason": "provider_type in run.yaml differs from get_provider_spec()",
                "details": "run.yaml: %s\nRuntime (get_provider_spec()): %s\nUsing: %s (run.yaml value; "
                "Llama Stack registers the spec under the run.yaml provider_type)"
                % (p["provider_type"], s["provider_type"], p["provider_type"]),
                "note": "Make provider_type in run.yaml and in get_provider_spec() the same.",
            }
        )
    architecture.check_requirements(check, s.get("pip_packages") or [])
    check.config_cls = _load_class(check, s["config_class"], "config_class")
    impl = s.get("module")
    if impl:
        _check_implementation(check, impl, s["provider_type"])
    return "config_class %s" % s["config_class"]


def _check_implementation(check: Check, impl: str, provider_type: str) -> None:
    """The spec's module imports and has the function Llama Stack calls to build the provider."""
    try:
        m = importlib.import_module(impl)
    except BaseException as exc:
        f = import_failure(check, impl, exc)
        f.data["reason"] = "Implementation module %s does not import: %s" % (impl, f.data["reason"])
        raise f from exc
    want = "get_adapter_impl" if provider_type.startswith("remote::") else "get_provider_impl"
    if not callable(getattr(m, want, None)):
        raise Failure(
            "no_impl_function",
            "Implementation module has no %s()" % want,
            "Module '%s' (the spec's module) defines no %s." % (impl, want),
            "Define async %s(config, deps) in %s." % (want, impl),
            header=SPEC_HEADER,
        )


def _load_class(check: Check, dotted: str, field: str) -> Any:
    if "." not in dotted:
        raise Failure(
            "config_class_invalid",
            "%s is not a dotted path" % field,
            "%s: %s" % (field, dotted),
            "Set %s to the fully qualified class, e.g. my_provider.config.MyConfig." % field,
            header=SPEC_HEADER,
            field=field,
        )
    modname, clsname = dotted.rsplit(".", 1)
    try:
        m = importlib.import_module(modname)
    except BaseException as exc:
        hint = ""
        if "." not in modname:
            hint = "\n'%s' is a top-level module name: a config class path must start at the package, e.g. %s.%s." % (
                modname,
                (check.p.get("module") or "my_provider").split(".")[0],
                dotted,
            )
        raise Failure(
            "config_class_import",
            "Config class %s does not import" % dotted,
            "Traceback:\n" + indent(format_tb(exc)) + hint,
            "Set config_class in the provider spec to an importable, fully qualified class.",
            header=SPEC_HEADER,
            field=field,
        ) from exc
    cls = getattr(m, clsname, None)
    if cls is None:
        raise Failure(
            "config_class_missing",
            "Config class %s not found" % dotted,
            "Module '%s' has no attribute '%s'." % (modname, clsname),
            "Set config_class in the provider spec to a class that exists.",
            header=SPEC_HEADER,
            field=field,
        )
    return cls
