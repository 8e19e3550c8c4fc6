"""The proof: the migrated file synthesizes to what legacy LCORE actually ran, as data.

"What legacy LCORE ran" is the legacy run.yaml after LCORE's legacy enrichment with the same
lightspeed-stack.yaml (library: BYOK, Solr/OKP, Azure on the external run.yaml; server: the
container entrypoint's dedupe, Azure, BYOK, Solr/OKP, dedupe). The migrated file is
synthesized with LCORE's unified pipeline. Both sides keep env references as written
(Llama Stack resolves them at start-up the same way on both sides).

Comparison is exact data equality with one normalisation: a ``providers.<api>`` list whose
entries all have distinct ``provider_id`` values is compared as a mapping keyed by that id,
because Llama Stack indexes providers by id and the list order has no effect. A pure
reordering is reported as a note, never hidden.

Every difference names its path, what each side has (secret values masked) and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from lsc_tui.config.findings import Finding, path_text
from lsc_tui.config.masking import mask_text, mask_tree
from lsc_tui.config.migration.analyse import Analysis
from lsc_tui.config.synthesis import legacy
from lsc_tui.config.synthesis.provenance import Origin
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.synthesis.unified import synthesize_unified

if TYPE_CHECKING:  # the strategies import this module
    from lsc_tui.config.migration.strategies import Candidate

MCP_ID = "model-context-protocol"

_STEP_NAMES = {
    "azure": "Azure Entra ID enrichment (model_validation: false)",
    "byok": "BYOK RAG enrichment",
    "okp": "Solr/OKP enrichment",
    "vector_store": "vector_store.providers",
    "inference.providers": "high-level inference.providers",
    "mcp": "LCORE's MCP ensure",
}


@dataclass
class Difference:
    path: tuple[Any, ...]
    kind: str  # "missing" (legacy has it, the migrated file loses it) | "added" | "changed" | "order"
    legacy: Any = None
    unified: Any = None
    reason: str = ""

    @property
    def where(self) -> str:
        return render_path(self.path) or "(document)"

    @property
    def is_note(self) -> bool:
        return self.kind in ("order", "default")

    def to_json(self, secrets: Collection[str] = ()) -> dict[str, Any]:
        return {
            "path": self.where,
            "kind": self.kind,
            "legacy": _shown(self.legacy, secrets),
            "migrated": _shown(self.unified, secrets),
            "reason": self.reason,
        }

    def to_text(self, secrets: Collection[str] = ()) -> str:
        head = {
            "missing": "lost",
            "added": "added",
            "changed": "changed",
            "order": "reordered",
            "default": "same by default",
        }[self.kind]
        lines = [f"  {head}: {self.where}"]
        if self.kind in ("missing", "changed"):
            lines.append(f"      legacy:   {_short(self.legacy, secrets)}")
        if self.kind in ("added", "changed"):
            lines.append(f"      migrated: {_short(self.unified, secrets)}")
        if self.reason:
            lines.append(f"      why: {self.reason}")
        return "\n".join(lines)


@dataclass
class Proof:
    """The result of comparing a migrated config's synthesis with the legacy run."""

    equivalent: bool
    differences: list[Difference] = field(default_factory=list)
    notes: list[Difference] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # from synthesis of both sides
    legacy_data: Any = None
    unified_data: Any = None
    error: str = ""

    @property
    def verdict(self) -> str:
        if self.error:
            return "unproven"
        return "equivalent" if self.equivalent else "not equivalent"

    def paths(self) -> list[str]:
        return [d.where for d in self.differences]

    def to_json(self, secrets: Collection[str] = ()) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "equivalent": self.equivalent,
            "differences": [d.to_json(secrets) for d in self.differences],
            "notes": [d.to_json(secrets) for d in self.notes],
            "error": self.error or None,
        }


def render_path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, _Id):
            out += f"[provider_id={part.value}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Id:
    """A list position named by provider_id (for keyed comparison)."""

    __slots__ = ("value", "index")

    def __init__(self, value: object, index: int) -> None:
        self.value, self.index = value, index

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"_Id({self.value!r})"


_CLIP = 2000


def _clip(value: Any) -> Any:
    """Very long strings are summarised (they are never needed to read a difference)."""
    if isinstance(value, dict):
        return {k: _clip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip(v) for v in value]
    if isinstance(value, str) and len(value) > _CLIP:
        return f"<{len(value)} characters>"
    return value


def _shown(value: Any, secrets: Collection[str]) -> Any:
    return mask_tree(_clip(value), secrets)


def _short(value: Any, secrets: Collection[str]) -> str:
    text = json.dumps(_shown(value, secrets), sort_keys=True, default=str)
    text = mask_text(text, secrets)
    return text if len(text) <= 160 else text[:157] + "..."


# -- comparison --------------------------------------------------------------------------


def _keyed(items: list[Any]) -> list[Any] | None:
    if not items or not all(isinstance(i, dict) and "provider_id" in i for i in items):
        return None
    ids = [i["provider_id"] for i in items]
    try:
        if len(set(ids)) != len(ids):
            return None
    except TypeError:
        return None
    return ids


def compare(legacy: Any, unified: Any, path: tuple[Any, ...] = ()) -> list[Difference]:
    """Every difference between two run.yaml data trees (see the module docstring)."""
    out: list[Difference] = []
    _cmp(legacy, unified, path, out)
    return out


def same(a: Any, b: Any) -> bool:
    return not [d for d in compare(a, b) if not d.is_note]


def _cmp(a: Any, b: Any, path: tuple[Any, ...], out: list[Difference]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        if len(path) == 3 and path[0] == "providers" and isinstance(path[2], _Id):
            for side, other in ((a, b), (b, a)):
                if side.get("config") == {} and "config" not in other:
                    out.append(
                        Difference(
                            path + ("config",),
                            "default",
                            a.get("config"),
                            b.get("config"),
                            "one side has 'config: {}', the other no config; Llama Stack "
                            "reads a provider without config as 'config: {}' (its default)",
                        )
                    )
                    a = {k: v for k, v in a.items() if k != "config"}
                    b = {k: v for k, v in b.items() if k != "config"}
                    break
        for k in a:
            if k not in b:
                out.append(Difference(path + (k,), "missing", a[k], None))
            else:
                _cmp(a[k], b[k], path + (k,), out)
        for k in b:
            if k not in a:
                out.append(Difference(path + (k,), "added", None, b[k]))
        return
    if isinstance(a, list) and isinstance(b, list):
        if a == b:
            return
        ka, kb = _keyed(a), _keyed(b)
        if len(path) == 2 and path[0] == "providers" and ka is not None and kb is not None:
            ia = {pid: i for i, pid in enumerate(ka)}
            ib = {pid: i for i, pid in enumerate(kb)}
            for pid, i in ia.items():
                if pid not in ib:
                    out.append(Difference(path + (_Id(pid, i),), "missing", a[i], None))
                else:
                    _cmp(a[i], b[ib[pid]], path + (_Id(pid, i),), out)
            for pid, i in ib.items():
                if pid not in ia:
                    out.append(Difference(path + (_Id(pid, i),), "added", None, b[i]))
            common_a = [p for p in ka if p in ib]
            common_b = [p for p in kb if p in ia]
            if common_a != common_b:
                out.append(
                    Difference(
                        path,
                        "order",
                        ka,
                        kb,
                        "the provider list is in another order; Llama Stack indexes "
                        "providers by provider_id, so the order has no effect",
                    )
                )
            return
        if (
            len(a) == len(b)
            and all(type(x) is type(y) for x, y in zip(a, b))
            and all(isinstance(x, (dict, list)) for x in a)
        ):
            for i, (x, y) in enumerate(zip(a, b)):
                _cmp(x, y, path + (i,), out)
            return
        out.append(Difference(path, "changed", a, b))
        return
    if a != b or type(a) is not type(b):
        out.append(Difference(path, "changed", a, b))


# -- the two sides ----------------------------------------------------------------------


def legacy_reference(analysis: Analysis) -> Synthesis:
    """The Synthesis of what legacy LCORE ran for this config (env references kept)."""
    config = analysis.config.data
    if analysis.run_yaml is None:
        raise ValueError("a legacy config is proven against its run.yaml")  # migratable implies one
    run = analysis.run_yaml.data
    fn = legacy.enrich_legacy_server if analysis.kind == "server" else legacy.enrich_legacy_library
    return fn(config, run, config_file=analysis.config.display, run_yaml_file=analysis.run_yaml.display)


def synthesize_candidate(candidate: Candidate) -> Synthesis:
    return synthesize_unified(
        candidate.data,
        candidate.out_path.parent,
        config_file=candidate.display,
        profile=candidate.profile_data,
        profile_file=candidate.profile_file,
    )


def prove(analysis: Analysis, candidate: Candidate, legacy_syn: Synthesis | None = None) -> Proof:
    """Synthesize ``candidate`` and compare it with the legacy run (see the module docstring)."""
    legacy_syn = legacy_syn if legacy_syn is not None else legacy_reference(analysis)
    unified_syn = synthesize_candidate(candidate)
    diffs = compare(legacy_syn.data, unified_syn.data)
    real = [d for d in diffs if not d.is_note]
    notes = [d for d in diffs if d.is_note]
    findings = list(unified_syn.findings)
    for d in real:
        d.reason = explain(d, analysis, candidate, legacy_syn, unified_syn, findings)
    return Proof(not real, real, notes, findings, legacy_syn.data, unified_syn.data)


def _origin(syn: Synthesis, path: tuple[Any, ...]) -> Origin | None:
    try:
        return syn.origin_of(_plain(path, syn.data))
    except Exception:  # noqa: BLE001 - provenance is best effort for the explanation
        return None


def _plain(path: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Replace keyed positions by the index they have in ``data``."""
    out, node = [], data
    for part in path:
        if isinstance(part, _Id):
            idx = next(
                (i for i, x in enumerate(node or []) if isinstance(x, dict) and x.get("provider_id") == part.value),
                part.index,
            )
            out.append(idx)
            node = node[idx] if isinstance(node, list) and idx < len(node) else None
        else:
            out.append(part)
            node = (
                node.get(part)
                if isinstance(node, dict)
                else (node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
            )
    return tuple(out)


def explain(
    d: Difference,
    analysis: Analysis,
    candidate: Candidate,
    legacy_syn: Synthesis,
    unified_syn: Synthesis,
    findings: list[Finding],
) -> str:
    """Why this difference exists, in one sentence an operator can act on."""
    where = d.where
    lo = _origin(legacy_syn, d.path) if d.kind != "added" else None
    uo = _origin(unified_syn, d.path) if d.kind != "missing" else None
    lstep = lo.step if lo is not None else ""
    ustep = uo.step if uo is not None else ""
    mcp_path = d.path[:2] == ("providers", "tool_runtime") or d.path[:1] == ("apis",)
    if ustep == "mcp" or (mcp_path and _mentions_mcp(d)):
        return (
            "LCORE's MCP ensure adds the model-context-protocol tool_runtime provider (and the "
            "tool_runtime api) to every profile or non-empty baseline; legacy LCORE ran without it. "
            "It only enables MCP tools, which the config's mcp_servers use"
        )
    if lstep in ("azure", "byok", "okp") and ustep == lstep and d.kind == "changed":
        return (
            f"both sides come from {_STEP_NAMES[lstep]}, but legacy library enrichment reads the "
            "validated config (defaults filled in, env references resolved) while unified synthesis "
            "reads the raw file; write the value explicitly in the config"
        )
    if lstep in ("azure", "byok", "okp") and d.kind in ("missing", "changed"):
        over = candidate.override_paths()
        wiped = next((render_path(p) for p in over if d.path[: len(p)] == p or _plain(d.path[: len(p)], {}) == p), None)
        lists = wiped or "its parent list"
        return (
            f"added by {_STEP_NAMES[lstep]} in legacy LCORE, but native_override replaces "
            f"'{lists}' wholesale after enrichment, so it is lost (LCORE-3370)"
        )
    if lstep in ("azure", "byok", "okp"):
        return f"legacy LCORE's {_STEP_NAMES[lstep]} produced this"
    if d.kind == "changed" and isinstance(d.legacy, list) and isinstance(d.unified, list):
        lost_steps = sorted(
            {
                o.step
                for i, item in enumerate(d.legacy)
                if item not in d.unified
                if (o := _origin(legacy_syn, d.path + (i,))) is not None
            }
            & set(_STEP_NAMES)
        )
        if lost_steps and d.path in candidate.override_paths():
            what = " and ".join(_STEP_NAMES[s] for s in lost_steps)
            return (
                f"entries added by {what} in legacy LCORE are lost: native_override replaces "
                f"'{where}' wholesale after enrichment (LCORE-3370)"
            )
    if ustep in _STEP_NAMES:
        return f"the migrated file's {_STEP_NAMES[ustep]} produced this; legacy LCORE does not apply it"
    if ustep.startswith("baseline"):
        return (
            "comes from the built-in baseline; the legacy run.yaml does not have it and "
            "native_override cannot delete keys"
        )
    for f in findings:
        if f.code == "synthesis-lcore-3370" and where.startswith(path_text(f.path[3:]) if len(f.path) > 3 else "~"):
            return f.message
    if uo is not None and ustep:
        return f"the migrated file gives this from {uo.describe()}"
    return "the migrated file and the legacy run differ here"


def _mentions_mcp(d: Difference) -> bool:
    for v in (d.legacy, d.unified):
        if v == "tool_runtime" or (isinstance(v, dict) and v.get("provider_id") == MCP_ID):
            return True
        if isinstance(v, list) and (
            "tool_runtime" in v or any(isinstance(x, dict) and x.get("provider_id") == MCP_ID for x in v)
        ):
            return True
    return False
