"""What a preflight run will check: run.yaml read as the server reads it, one
:class:`ProviderPlan` per provider entry, and the entries the runner itself must report
(disabled, duplicated, without a provider_type, an unreadable spec file) without starting the
probe."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsc_tui.config import envref
from lsc_tui.config.findings import Finding, FindingError, Severity
from lsc_tui.config.masking import is_secret_key, mask_inline, mask_text
from lsc_tui.config.yaml.document import load_data
from lsc_tui.config.yaml.lint import YamlLoadError
from lsc_tui.config.yaml.streams import load_one
from lsc_tui.preflight import metadata as md

JSON = dict[str, Any]


class PreflightInputError(FindingError):
    """Input the user must fix before preflight can run (exit code 2): what is wrong, how to fix
    it, and where it is about run.yaml, that file or place as a finding (file, line, column,
    fix). ``str()`` is the one line the CLI prints: the message, then the fix in parentheses."""

    def __init__(self, message: str, finding: Finding | None = None, fix: str = ""):
        self.message = message
        self.fix = fix or (finding.fix if finding is not None else "")
        super().__init__([] if finding is None else [finding], message + (f" ({self.fix})" if self.fix else ""))

    def error(self) -> JSON:
        """The error in the shape of the run's other errors (``--json``'s ``fatal`` event)."""
        err = problem("bad_input", self.message, "", self.fix, header="Preflight could not run")
        err["phase"] = "input"
        err["finding"] = self.finding.to_json() if self.findings else None
        return err


@dataclass
class ProviderPlan:
    """One provider entry of run.yaml, as the probe will check it."""

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
    entry_error: JSON | None = None
    metadata: md.MetadataFile | None = None

    def public(self) -> JSON:
        return {
            "index": self.index,
            "api": self.api,
            "provider_id": self.provider_id,
            "provider_type": self.provider_type,
            "module": self.module,
            "source": self.source,
        }

    def probe_input(self) -> JSON:
        return {
            **self.public(),
            "module_pin": self.module_pin,
            "external_spec": self.external_spec,
            "external_spec_path": self.external_spec_path,
            "config": self.config if self.check_config else None,
            "config_error": self.config_error,
            "check_config": self.check_config,
        }

    @property
    def runner_only(self) -> bool:
        """Reported by the runner itself: skipped, or an entry the probe cannot check."""
        return bool(self.skip_reason or self.entry_error)


def load_run_yaml(path: str | os.PathLike[str]) -> JSON:
    """Parse run.yaml as the server does (PyYAML safe_load); one-line errors for bad input."""
    try:
        # the guarded reader: regular files only (a FIFO never blocks), size, alias and depth limits
        data = load_data(Path(path), str(path))
    except YamlLoadError as exc:
        raise PreflightInputError(_located(exc.finding), exc.finding) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        message = f"run.yaml must be a mapping, but it is {kind}"
        fix = "Point --run-yaml at the server's run.yaml (a mapping with version, apis and providers)."
        raise PreflightInputError(
            f"{path}: {message}", Finding(str(path), 0, 0, Severity.ERROR, "run-yaml-shape", message, fix)
        )
    return data


def _located(f: Finding) -> str:
    """A reader's finding as the preflight's one-line input error (its fix is added after)."""
    where = f"{f.file}:{f.line}:{f.column}" if f.line else f.file
    what = f"not valid YAML: {f.message}" if f.code == "yaml-syntax" else f.message
    return f"{where}: {what}"


def _error_at(run_yaml_path: str, path: tuple[Any, ...], message: str, fix: str) -> PreflightInputError:
    """An input error about ``path`` of run.yaml, at its line and column. The plan reads plain
    data, so only an error reads the file again for its place (the whole file if it cannot)."""
    try:
        line, col = load_one(run_yaml_path).pos(path)
    except (FindingError, OSError):  # gone or changed since it was read: the file, unplaced
        line, col = 0, 0
    finding = Finding(str(run_yaml_path), line, col, Severity.ERROR, "run-yaml-shape", message, fix, path)
    return PreflightInputError(f"{finding.location() if line else run_yaml_path}: {message}", finding)


def _resolve_scalar(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return envref.coerce(value, envref.resolve_string(value, env))
    return value


def build_plan(
    data: JSON,
    run_yaml_path: str,
    *,
    metadata_dir: str | None = None,
    check_config: bool = False,
    env: Mapping[str, str] | None = None,
) -> list[ProviderPlan]:
    """One plan per provider entry of run.yaml, numbered from 1 in file order."""
    env = dict(os.environ if env is None else env)
    providers = data.get("providers")
    if providers is None:
        message = "run.yaml has no 'providers' section"
        fix = (
            "Point --run-yaml at the server's run.yaml, or add a providers: section that maps each API "
            "to its provider entries, like providers: {inference: [...]}."
        )
        finding = Finding(str(run_yaml_path), 0, 0, Severity.ERROR, "run-yaml-shape", message, fix)
        raise PreflightInputError(f"{run_yaml_path}: {message}", finding)
    if not isinstance(providers, dict):
        raise _error_at(
            run_yaml_path,
            ("providers",),
            "'providers' must be a mapping of API name to a list",
            "Write providers: {inference: [...], ...}.",
        )
    builder = _PlanBuilder(data, env, check_config, md.load_index(metadata_dir) if metadata_dir else None)
    for api, entries in providers.items():
        builder.section(str(api), entries)
    return builder.plans


class _PlanBuilder:
    """Turns the entries of ``providers:`` into plans, one entry at a time."""

    def __init__(self, data: JSON, env: dict[str, str], check_config: bool, index: md.MetadataIndex | None):
        self.env = env
        self.check_config = check_config
        self.index = index
        self.plans: list[ProviderPlan] = []
        self.seen_ids: dict[tuple[str, str], str] = {}
        self.ext_dir: str | None = None
        self.ext_dir_raw = data.get("external_providers_dir")
        if self.ext_dir_raw:
            try:
                self.ext_dir = os.path.abspath(os.path.expanduser(str(_resolve_scalar(self.ext_dir_raw, env) or "")))
            except envref.EnvVarMissing as exc:
                self.ext_dir_raw = f"(unset environment variable {exc.name})"

    def section(self, api: str, entries: Any) -> None:
        if entries is None:
            return
        if not isinstance(entries, list):
            self._problem(
                api,
                f"providers.{api}",
                "(section)",
                f"providers.{api} must be a list of provider entries, not a {type(entries).__name__}",
                f"Write providers.{api} as a YAML list (- provider_id: ...).",
            )
            return
        for i, entry in enumerate(entries):
            plan = self.entry(api, f"providers.{api}[{i}]", entry)
            if plan is not None:
                self.plans.append(plan)

    def _problem(self, api: str, where: str, pid: str, reason: str, resolution: str) -> None:
        plan = ProviderPlan(len(self.plans) + 1, api, pid, "")
        plan.entry_error = problem("entry_invalid", reason, f"run.yaml: {where}", resolution)
        self.plans.append(plan)

    def entry(self, api: str, where: str, entry: Any) -> ProviderPlan | None:
        """The plan of one entry, or None when a problem with it was recorded instead."""
        n = len(self.plans) + 1
        if not isinstance(entry, dict):
            self._problem(
                api,
                where,
                where,
                f"{where} is not a mapping",
                "Each provider entry needs provider_id, provider_type and config.",
            )
            return None
        try:
            pid = _resolve_scalar(entry.get("provider_id"), self.env)
        except envref.EnvVarMissing as exc:
            self._problem(
                api,
                where,
                str(entry.get("provider_id")),
                f"provider_id needs environment variable {exc.name}, which is not set",
                f"Set {exc.name}, or give the reference a default.",
            )
            return None
        try:
            ptype = _resolve_scalar(entry.get("provider_type"), self.env)
        except envref.EnvVarMissing as exc:
            self._problem(
                api,
                where,
                str(pid or where),
                f"provider_type needs environment variable {exc.name}, which is not set",
                f"Set {exc.name}, or write the provider_type literally.",
            )
            return None
        if pid in (None, "", "__disabled__"):
            raw = entry.get("provider_id")
            plan = ProviderPlan(n, api, str(raw if raw is not None else where), str(ptype or ""))
            if raw is None:
                plan.entry_error = problem(
                    "entry_invalid", f"{where} has no provider_id", "", "Give every provider entry a provider_id."
                )
            else:
                plan.skip_reason = f"provider_id {raw!r} resolves to empty: disabled"
            return plan
        pid = str(pid)
        first = self.seen_ids.setdefault((api, pid), where)
        if first != where:
            self._problem(
                api,
                where,
                pid,
                f"provider_id {pid} is used twice in providers.{api} ({first} and {where})",
                "Give every provider of an API its own provider_id; Llama Stack refuses duplicates.",
            )
            return None
        if not ptype or not isinstance(ptype, str):
            self._problem(
                api,
                where,
                pid,
                f"{where} ({pid}) has no provider_type",
                "Add provider_type (e.g. remote::vllm) to the entry in run.yaml.",
            )
            return None
        plan = ProviderPlan(n, api, pid, ptype, check_config=self.check_config)
        self._source(plan, entry.get("module"))
        if self.check_config:
            cfg = entry.get("config")
            try:
                plan.config = envref.resolve(cfg if cfg is not None else {}, self.env)
            except envref.EnvVarMissing as exc:
                plan.config_error = (
                    f"Environment variable {exc.name} is not set ({where}.config refers to it without a default)"
                )
        if self.index is not None:
            plan.metadata = self.index.find(pid, plan.module)
        return plan

    def _source(self, plan: ProviderPlan, module: Any) -> None:
        """Where the provider comes from: ``module:``, a spec file in external_providers_dir, or
        the target's built-in registry."""
        if module:
            name, _, pin = str(module).partition("==")
            plan.module = name.strip()
            plan.module_pin = pin.strip() or None
            plan.source = "module"
        elif self.ext_dir and "::" in plan.provider_type:
            kind, name = plan.provider_type.split("::", 1)
            spec_path = os.path.join(self.ext_dir, kind, plan.api, f"{name}.yaml")
            plan.external_spec_path = spec_path
            if os.path.isfile(spec_path):
                plan.source = "external_dir"
                try:  # the guarded reader: a FIFO or an alias bomb here is refused, located
                    plan.external_spec = load_data(spec_path)
                except YamlLoadError as exc:
                    f = exc.finding
                    plan.entry_error = problem(
                        "spec_invalid",
                        "Provider spec file cannot be read",
                        f"File: {spec_path}:{f.line}:{f.column}\n{f.code}: {f.message}",
                        f"Fix {spec_path} (it must be a YAML mapping). {f.fix}".rstrip(),
                        header="Provider spec validation failed",
                        module=None,
                    )
        if plan.source == "builtin" and self.ext_dir_raw and self.ext_dir and not os.path.isdir(self.ext_dir):
            plan.entry_error = problem(
                "external_dir_missing",
                "external_providers_dir does not exist",
                f"external_providers_dir: {self.ext_dir}",
                "Create the directory or fix external_providers_dir in run.yaml; Llama Stack "
                "refuses to start when it is missing.",
            )


def problem(
    code: str,
    reason: str,
    details: str,
    resolution: str,
    header: str = "Provider validation failed",
    module: str | None = None,
) -> JSON:
    """An error the runner reports for an entry (phase ``plan``), in the probe's error shape."""
    return {
        "code": code,
        "reason": reason,
        "details": details,
        "resolution": resolution,
        "header": header,
        "module": module,
        "phase": "plan",
    }


# --------------------------------------------------------------------------------------
# what must never be shown


def secret_values(data: JSON, env: Mapping[str, str]) -> set[str]:
    """Every value in run.yaml (or the environment it refers to) that must never be shown."""
    out: set[str] = set()

    def walk(node: Any, under_secret: bool) -> None:
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
    """Masks the run's secret values, and any inline credential, in every string of an event."""

    def __init__(self, values: set[str]) -> None:
        self.values = values

    def text(self, s: str) -> str:
        if self.values:
            s = mask_text(s, self.values)
        return mask_inline(s)

    def event(self, ev: JSON) -> JSON:
        """A masked copy of an event."""
        return {k: self(v) for k, v in ev.items()}

    def __call__(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {k: self(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self(v) for v in obj]
        return obj
