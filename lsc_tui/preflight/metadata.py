"""``lls-provider-spec.yaml``: the operator's provider package metadata, and its comparison
with what ``get_provider_spec()`` returns at runtime.

Layout (operator spec 001): ``<metadata-dir>/<provider_id>/lls-provider-spec.yaml``. A file
elsewhere under the directory also matches a provider when its ``spec.packageName`` equals
the provider's ``module:`` (without any ``==version``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from lsc_tui.config.yaml.document import load_data
from lsc_tui.config.yaml.lint import YamlLoadError


FILENAME = "lls-provider-spec.yaml"

# metadata key (under spec:) -> runtime ProviderSpec field. Keys not listed are mapped by
# turning camelCase into snake_case, so any field both sides share is compared.
_KNOWN = {
    "providerType": "provider_type",
    "api": "api",
}
# metadata keys that describe the package, not the spec: never compared.
_NOT_SPEC = {"packageName", "wheelPath", "dependencyWheels"}


@dataclass
class MetadataFile:
    path: str
    data: dict[str, Any] | None = None
    error: str = ""

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec") if isinstance(self.data, dict) else None
        return spec if isinstance(spec, dict) else {}


@dataclass
class FieldComparison:
    field: str
    metadata: object
    runtime: object

    @property
    def match(self) -> bool:
        return self.metadata == self.runtime


@dataclass
class MetadataIndex:
    root: str
    by_provider_id: dict[str, MetadataFile] = field(default_factory=dict)
    by_package: dict[str, MetadataFile] = field(default_factory=dict)

    def find(self, provider_id: str, module: str | None) -> MetadataFile | None:
        if provider_id in self.by_provider_id:
            return self.by_provider_id[provider_id]
        if module:
            return self.by_package.get(module.split("==")[0].strip())
        return None


def load_index(root: str) -> MetadataIndex:
    """Read every ``lls-provider-spec.yaml`` under ``root`` (never raises for bad files)."""
    index = MetadataIndex(root=root)
    if not root or not os.path.isdir(root):
        return index
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if FILENAME not in filenames:
            continue
        path = os.path.join(dirpath, FILENAME)
        mf = _read(path)
        rel = os.path.relpath(dirpath, root)
        if rel != "." and os.sep not in rel:
            index.by_provider_id.setdefault(rel, mf)
        pkg = mf.spec.get("packageName")
        if isinstance(pkg, str) and pkg:
            index.by_package.setdefault(pkg.strip(), mf)
    return index


def _read(path: str) -> MetadataFile:
    try:  # the guarded reader: regular files only, size, alias and depth limits
        data = load_data(path)
    except YamlLoadError as exc:
        f = exc.finding
        where = f" at line {f.line}, column {f.column}" if f.line else ""
        what = "not valid YAML" if f.code == "yaml-syntax" else f.message
        return MetadataFile(path, None, f"{what}{where}")
    if not isinstance(data, dict):
        return MetadataFile(path, None, "not a mapping")
    problems = []
    if data.get("apiVersion") != "llamastack.io/v1alpha1":
        problems.append("apiVersion is not llamastack.io/v1alpha1")
    if data.get("kind") != "ProviderPackage":
        problems.append("kind is not ProviderPackage")
    if not isinstance(data.get("spec"), dict):
        problems.append("spec is missing")
    return MetadataFile(path, data, "; ".join(problems))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def compare(mf: MetadataFile, runtime: dict[str, Any]) -> list[FieldComparison]:
    """Every field present in both the metadata ``spec:`` and the runtime spec."""
    out = []
    for key, value in mf.spec.items():
        if key in _NOT_SPEC:
            continue
        rt_field = _KNOWN.get(key) or _snake(key)
        if rt_field in runtime and runtime[rt_field] is not None:
            out.append(FieldComparison(rt_field, value, runtime[rt_field]))
    order = {"provider_type": 0, "api": 1}
    out.sort(key=lambda c: (order.get(c.field, 2), c.field))
    return out
