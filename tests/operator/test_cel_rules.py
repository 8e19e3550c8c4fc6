"""The operator's CEL rules, evaluated with a CEL library, against lsc-tui's hand-written ones.

The v1alpha2 CRD contract (tests/fixtures/operator/crd-schema-v1alpha2.yaml, copied from the
operator's spec 002) lists the `x-kubernetes-validations` rules as CEL expressions. This check
reads them from the file, evaluates them with cel-python on generated CRs, and requires that
`lsc_tui.config.operator.validate_cr.cel_rules` reports exactly the rules that fail, so the two
cannot drift. A development check (marked slow): cel-python is a test dependency only.

Rules 6 and 8 are written once in the contract, for `inference`, "and the same for" the other
provider types: they are expanded per type here. Rule 7 is prose in the contract ("all provider
IDs unique across all provider types"); its expression is written below from that prose. As in
Kubernetes, where each rule sits on the object whose fields it reads, a rule whose fields are
absent does not fire (cel-python reports an evaluation error for it).
"""

from __future__ import annotations

import functools
import random
import re
from pathlib import Path

import pytest

CONTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "operator" / "crd-schema-v1alpha2.yaml"
TYPES = ("inference", "safety", "vectorIo", "toolRuntime", "telemetry")
EXCLUSIVE = {"1": "providers", "2": "resources", "3": "storage", "4": "disabled"}


def contract_rules() -> dict[str, str]:
    """rule id -> CEL expression, from the contract's comment block."""
    text = CONTRACT.read_text(encoding="utf-8")
    block = text[text.index("# --- CEL Validation Rules ---"):]
    found = dict(re.findall(r"^#\s*(\d+)\.\s+(?:Per-type:\s+)?((?:!|self\.)\S.*)$", block, re.M))
    example8 = re.search(r"^#\s+e\.g\.,\s+(!\(has\(self\.providers\.inference\).*)$", block, re.M).group(1)
    rules = {n: found[n] for n in ("1", "2", "3", "4", "5", "9", "10", "11")}
    assert "inference" in found["6"] and "(same rule for safety, vectorIo, toolRuntime, telemetry)" in block
    for t in TYPES:
        rules[f"6.{t}"] = found["6"].replace("inference", t)
        rules[f"8.{t}"] = example8.replace("inference", t)
    assert "7. All provider IDs unique across all provider types" in block
    ids = " + ".join(f"(has(self.providers.{t}) ? self.providers.{t}.filter(p, has(p.id)).map(p, p.id) : [])"
                     for t in TYPES)
    rules["7"] = f"({ids}).all(x, ({ids}).filter(y, y == x).size() == 1)"
    return rules


@functools.lru_cache(maxsize=None)
def _program(expression: str):
    import celpy

    env = celpy.Environment()
    return env.program(env.compile(expression))


def fails(expression: str, spec: dict) -> bool:
    import celpy

    program = _program(expression)
    try:
        result = program.evaluate({"self": celpy.json_to_cel(spec)})
    except celpy.CELEvalError:
        return False
    if isinstance(result, celpy.CELEvalError):
        return False
    return not bool(result)


def hand_written(cr: dict) -> set[str]:
    from lsc_tui.config.yaml.streams import LocDoc
    from lsc_tui.config.operator.validate_cr import cel_rules

    doc = LocDoc(file="cr.yaml", data=cr, root=None)
    out = set()
    for f in cel_rules(doc, cr["spec"]):
        if f.code == "cel-override-exclusive":
            name = next(p for p in EXCLUSIVE.values() if f"{p} and overrideConfig" in f.message)
            out.add(next(k for k, v in EXCLUSIVE.items() if v == name))
        elif f.code == "cel-distribution" and "only one of" in f.message:
            out.add("5")
        elif f.code == "cel-provider-id":
            out.add("6." + f.message.split(":")[0].split(".")[-1])
        elif f.code == "cel-provider-id-unique":
            out.add("7")
        elif f.code == "cel-disabled-conflict":
            out.add("8." + f.message.split(" conflicts")[0].split(".")[-1])
        elif f.code in ("cel-tls", "cel-storage-kv", "cel-storage-sql"):
            out.add({"cel-tls": "9", "cel-storage-kv": "10", "cel-storage-sql": "11"}[f.code])
    return out


def generated_cr(rng: random.Random) -> dict:
    spec: dict = {}
    spec["distribution"] = rng.choice([{"name": "starter"}, {"image": "quay.io/x/y:1"},
                                       {"name": "starter", "image": "quay.io/x/y:1"}])
    if rng.random() < 0.7:
        providers = {}
        for t in TYPES:
            if rng.random() < 0.5:
                providers[t] = []
                for _ in range(rng.choice([0, 1, 1, 2, 3])):
                    p = {"provider": rng.choice(["vllm", "openai", "llama-guard", "faiss"])}
                    if rng.random() < 0.6:
                        p["id"] = rng.choice(["a", "b", "c", "d", "e", "f"])
                    providers[t].append(p)
        spec["providers"] = providers
    if rng.random() < 0.3:
        spec["resources"] = {"models": [{"name": "m"}]}
    if rng.random() < 0.5:
        storage = {}
        if rng.random() < 0.7:
            storage["kv"] = {"type": rng.choice(["sqlite", "redis"])}
            if storage["kv"]["type"] == "redis" and rng.random() < 0.5:
                storage["kv"]["endpoint"] = "redis://r:6379"
        if rng.random() < 0.7:
            storage["sql"] = {"type": rng.choice(["sqlite", "postgres"])}
            if rng.random() < 0.5:
                storage["sql"]["connectionString"] = {"secretKeyRef": {"name": "pg", "key": "url"}}
        spec["storage"] = storage
    if rng.random() < 0.5:
        spec["disabled"] = rng.sample(list(TYPES) + ["postTraining", "eval"], rng.choice([1, 2, 3]))
    if rng.random() < 0.5:
        tls = {"enabled": rng.random() < 0.6}
        if rng.random() < 0.5:
            tls["secretName"] = "tls"
        spec["networking"] = {"tls": tls}
    if rng.random() < 0.3:
        spec["overrideConfig"] = {"configMapName": "cm"}
    return {"apiVersion": "llamastack.io/v1alpha2", "kind": "LlamaStackDistribution",
            "metadata": {"name": "x"}, "spec": spec}


@pytest.mark.slow
def test_the_crd_cel_rules_and_the_hand_written_rules_agree_on_generated_crs():
    rules = contract_rules()
    assert len(rules) == 19  # 1-5, 6 x5 types, 7, 8 x5 types, 9-11
    rng = random.Random(22)
    fired: dict[str, int] = dict.fromkeys(rules, 0)
    for i in range(300):
        cr = generated_cr(rng)
        expected = {rid for rid, expr in rules.items() if fails(expr, cr["spec"])}
        got = hand_written(cr)
        assert got == expected, (i, cr["spec"], sorted(expected), sorted(got))
        for rid in expected:
            fired[rid] += 1
    # the generator exercised every rule, failing and passing
    assert all(n > 0 for n in fired.values()), fired


def test_a_known_cr_breaks_exactly_the_rules_it_should():
    """The comparison itself (fast): one CR that breaks rules 1, 5, 6, 7 and 9."""
    cr = {"spec": {"distribution": {"name": "starter", "image": "i"}, "overrideConfig": {"configMapName": "c"},
                   "providers": {"inference": [{"provider": "vllm"}, {"provider": "openai", "id": "a"}],
                                 "safety": [{"provider": "llama-guard", "id": "a"}]},
                   "networking": {"tls": {"enabled": True}}}}
    assert hand_written(cr) == {"1", "5", "6.inference", "7", "9"}
    pytest.importorskip("celpy")
    rules = contract_rules()
    assert {rid for rid, expr in rules.items() if fails(expr, cr["spec"])} == {"1", "5", "6.inference", "7", "9"}
