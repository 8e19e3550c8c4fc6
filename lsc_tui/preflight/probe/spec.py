"""Phase 3, spec: get the provider's ProviderSpec as its Llama Stack would (seed 001, FR-009,
FR-011, FR-012): ``get_provider_spec()`` of ``module:``, a spec file of
``external_providers_dir`` built with the target's own classes, or the built-in registry."""

from __future__ import annotations


import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .failure import SPEC_HEADER, Failure, exc_line, from_llama_stack, traceback_block
from .importing import registry_module

if TYPE_CHECKING:
    from .checker import Check

SUMMARY_FIELDS = (
    "provider_type",
    "api",
    "config_class",
    "module",
    "pip_packages",
    "description",
    "api_dependencies",
    "optional_api_dependencies",
    "provider_data_validator",
    "adapter_type",
    "container_image",
    "deprecation_warning",
    "toolgroup_id",
)


def run(check: Check) -> str:
    source = check.p["source"]
    if source == "module":
        return _from_module(check)
    if source == "external_dir":
        return _from_yaml(check)
    return _from_registry(check)


def _call(check: Check, fn: Callable[[], Any], what: str) -> Any:
    try:
        return fn()
    except Failure:
        raise
    except BaseException as exc:
        resolution = "Fix %s in the provider package: it must return a ProviderSpec without raising." % what
        if type(exc).__name__ == "ValidationError" and from_llama_stack(exc):
            resolution = (
                "The provider builds its spec with arguments that %s %s rejects (see the "
                "validation error): it was written for another Llama Stack version. Install "
                "a provider version built for this one, or fix its get_provider_spec()."
                % (check.ls.get("family") or "Llama Stack", check.ls.get("version") or "")
            )
        raise Failure(
            "spec_exception", "%s raised %s" % (what, type(exc).__name__), traceback_block(exc), resolution
        ) from exc


def _from_module(check: Check) -> str:
    p = check.p
    mod = sys.modules[p["module"] + ".provider"]
    fn = getattr(mod, "get_provider_spec", None)
    if fn is None or not callable(fn):
        raise Failure(
            "no_get_provider_spec",
            "provider.py has no get_provider_spec()",
            "Module '%s.provider' defines no callable get_provider_spec." % p["module"],
            "Define get_provider_spec() in %s/provider.py returning a ProviderSpec." % p["module"].replace(".", "/"),
            header=SPEC_HEADER,
        )
    result = _call(check, fn, "get_provider_spec()")
    if result is None:
        raise Failure(
            "spec_none",
            "get_provider_spec() returned invalid data",
            "get_provider_spec() returned None",
            "Provider implementation must return a ProviderSpec (or a list of them).",
            header=SPEC_HEADER,
        )
    if isinstance(result, (list, tuple)):
        types = [getattr(s, "provider_type", None) for s in result]
        match = [s for s in result if getattr(s, "provider_type", None) == p["provider_type"]]
        if not match:
            raise Failure(
                "spec_no_match",
                "get_provider_spec() returned no spec for provider_type %s" % p["provider_type"],
                "get_provider_spec() returned %d specs with provider_type: %s"
                % (len(result), ", ".join(str(t) for t in types) or "(none)"),
                "Set provider_type in run.yaml to one of: %s, or add a spec with provider_type %s "
                "to the provider's list." % (", ".join(str(t) for t in types if t) or "(none)", p["provider_type"]),
                header=SPEC_HEADER,
            )
        set_spec(check, match[0])
        return "picked %s from a list of %d" % (p["provider_type"], len(types))
    set_spec(check, result)
    return "single spec"


def _from_yaml(check: Check) -> str:
    p = check.p
    data = p.get("external_spec")
    path = p.get("external_spec_path", "")
    if not isinstance(data, dict):
        raise Failure(
            "spec_invalid",
            "Provider spec file is not a mapping",
            "File: %s" % path,
            "Write the provider spec as a YAML mapping.",
            header=SPEC_HEADER,
        )
    for bad in ("provider_type", "api"):
        if bad in data:
            raise Failure(
                "spec_forbidden_key",
                "Provider spec file sets '%s'" % bad,
                "File: %s\nLlama Stack derives '%s' from the file's place (remote|inline/<api>/<name>.yaml) "
                'and fails with "got multiple values for keyword argument" when the file sets it.' % (path, bad),
                "Remove '%s' from %s." % (bad, path),
                header=SPEC_HEADER,
            )
    kind = p["provider_type"].split("::", 1)[0]
    set_spec(check, _build_yaml_spec(check, kind, data, path))
    return "built from %s" % path


def _build_yaml_spec(check: Check, kind: str, data: dict[str, Any], path: str) -> Any:
    """Build the spec with the target's own classes, as its Llama Stack would."""
    p = check.p
    name = os.path.splitext(os.path.basename(path))[0]
    api_mod = check.ls.get("api_module")
    mod = sys.modules.get(api_mod) if api_mod else None
    if mod is None and api_mod:
        try:
            mod = importlib.import_module(api_mod)
        except BaseException:
            mod = None
    if mod is None:
        return _shape_only(p, kind, data, path, name)
    api_cls = mod.Api

    def build() -> Any:
        api = api_cls(p["api"])
        if "adapter" in data and hasattr(mod, "remote_provider_spec"):  # 0.2.x shape
            adapter = mod.AdapterSpec(**data["adapter"])
            deps = [api_cls(d) for d in data.get("api_dependencies", [])]
            if kind == "remote":
                return mod.remote_provider_spec(api=api, adapter=adapter, api_dependencies=deps)
        if kind == "remote":
            if "adapter_type" not in data:
                raise KeyError("adapter_type")
            return mod.RemoteProviderSpec(api=api, provider_type="remote::" + data["adapter_type"], **dict(data))
        fields = dict(data)
        for k in ("api_dependencies", "optional_api_dependencies"):
            if k in fields:
                fields[k] = [api_cls(d) for d in fields[k]]
        return mod.InlineProviderSpec(api=api, provider_type="inline::" + name, **fields)

    try:
        return build()
    except BaseException as exc:
        raise Failure(
            "spec_invalid",
            "Provider spec file is not valid for this Llama Stack",
            "File: %s\n%s" % (path, exc_line(exc)),
            "Fix %s: remote specs need adapter_type, config_class and module; inline specs "
            "need config_class and module." % path,
            header=SPEC_HEADER,
        ) from exc


def _shape_only(p: dict[str, Any], kind: str, data: dict[str, Any], path: str, name: str) -> Any:
    """No Llama Stack classes in the target: check the spec file's shape by hand."""
    adapter = data.get("adapter")
    src: dict[str, Any] = adapter if isinstance(adapter, dict) else data
    missing = [k for k in ("config_class", "module") if not src.get(k)]
    if kind == "remote" and not src.get("adapter_type"):
        missing.insert(0, "adapter_type")
    if missing:
        raise Failure(
            "spec_missing_field",
            "Provider spec file is missing required fields",
            "File: %s\nMissing required field: %s" % (path, ", ".join(missing)),
            "Add %s to %s." % (", ".join(missing), path),
            header=SPEC_HEADER,
        )
    out = dict(src)
    out["api"] = p["api"]
    out["provider_type"] = "%s::%s" % (kind, src.get("adapter_type") or name)
    return PlainSpec(out)


def _from_registry(check: Check) -> str:
    p = check.p
    regmod = sys.modules[registry_module(check)]
    fn = getattr(regmod, "available_providers", None)
    specs = _call(check, fn, "available_providers()") if fn else []
    by_type = {getattr(s, "provider_type", None): s for s in specs or []}
    spec = by_type.get(p["provider_type"])
    if spec is None:
        import difflib

        close = difflib.get_close_matches(p["provider_type"], [t for t in by_type if t], n=3)
        hint = ("Did you mean: %s? " % ", ".join(close)) if close else ""
        looked = ""
        if p.get("external_spec_path"):
            looked = "\nNo provider spec file at %s either." % p["external_spec_path"]
        raise Failure(
            "unknown_provider_type",
            "Provider type %s is not available for API %s" % (p["provider_type"], p["api"]),
            "%s %s has %d built-in %s providers; %s is not one of them, and the entry has no module:.%s"
            % (
                check.ls.get("family"),
                check.ls.get("version") or "",
                len(by_type),
                p["api"],
                p["provider_type"],
                looked,
            ),
            hint + "Use a provider type this Llama Stack version has, or install the external provider "
            "package and name it with module: in run.yaml.",
            header=SPEC_HEADER,
        )
    if getattr(spec, "deprecation_error", None):
        raise Failure(
            "deprecated_provider",
            "Provider type %s is no longer supported" % p["provider_type"],
            str(spec.deprecation_error),
            "Switch to the replacement named above.",
            header=SPEC_HEADER,
        )
    if getattr(spec, "deprecation_warning", None):
        check.warnings.append(
            {
                "code": "deprecated_provider",
                "title": "Deprecated provider",
                "reason": "Provider type %s is deprecated" % p["provider_type"],
                "details": str(spec.deprecation_warning),
                "note": "Switch to the replacement named above.",
            }
        )
    set_spec(check, spec)
    return "found in %s registry" % (check.ls.get("family") or "")


def set_spec(check: Check, spec: Any) -> None:
    """Keep the spec and a JSON-ready summary of the fields the later phases and the report use."""
    check.spec = spec
    summary: dict[str, Any] = {"type": "%s.%s" % (type(spec).__module__, type(spec).__name__)}
    for field in SUMMARY_FIELDS:
        try:
            value = getattr(spec, field)
        except Exception:
            continue
        if callable(value):
            continue
        summary[field] = plain(value)
    adapter = getattr(spec, "adapter", None)
    if adapter is not None and "adapter_type" not in summary:
        summary["adapter_type"] = plain(getattr(adapter, "adapter_type", None))
    check.spec_summary = summary


class PlainSpec:
    """A spec checked by shape only (no Llama Stack classes in the target)."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.__dict__.update(d)


def plain(value: Any) -> Any:
    """A JSON-ready copy: enums by value, sequences as lists, anything else as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    v = getattr(value, "value", None)
    if isinstance(v, (str, int, float)):
        return v
    if isinstance(value, (list, tuple)):
        return [plain(x) for x in value]
    return str(value)
