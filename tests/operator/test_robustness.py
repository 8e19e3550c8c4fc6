"""No input makes the operator commands crash: every outcome is a located finding."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OP_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "operator"


CR = yaml.safe_load((OP_FIXTURES / "v1alpha2-full.yaml").read_text())
BASE = yaml.safe_load((OP_FIXTURES / "base-small.yaml").read_text())

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.text(max_size=12),
                    st.sampled_from(["redis", "postgres", "sqlite", "${env.X:+id}", "inference", "vllm"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _paths(d, p=()):
    yield p
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _paths(v, p + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _paths(v, p + (i,))


CR_PATHS = list(_paths(CR))[1:]
BASE_PATHS = list(_paths(BASE))[1:]


def _mutate(doc, path, value):
    doc = copy.deepcopy(doc)
    cur = doc
    for part in path[:-1]:
        cur = cur[part]
    cur[path[-1]] = value
    return doc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(CR_PATHS), values, st.sampled_from(BASE_PATHS), values)
def test_mutated_inputs_never_crash(cli, tmp_path, cr_path, cr_value, base_path, base_value):
    cr = tmp_path / "cr.yaml"
    base = tmp_path / "base.yaml"
    cr.write_text(yaml.safe_dump(_mutate(CR, cr_path, cr_value)))
    base.write_text(yaml.safe_dump(_mutate(BASE, base_path, base_value)))
    for argv in (("expand", cr), ("expand", cr, "--base", base), ("export", "k8s", base),
                 ("merge-external", "--run-yaml", base, "--metadata-dir", tmp_path)):
        code, _, err = cli(*argv)
        assert code in (0, 1, 2)
        assert "internal error" not in err


def test_alias_bomb_and_deep_nesting_are_refused(cli, write):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = write("bomb.yaml", "version: 2\nproviders: {}\n" + "\n".join(lines) + "\n")
    code, _, err = cli("export", "k8s", bomb)
    assert code == 2 and "yaml-alias-bomb" in err
    code, _, err = cli("merge-external", "--run-yaml", bomb, "--extra-providers", bomb)
    # (the one limit set of yaml.files: refused at the first anchor whose expansion passes MAX_NODES)
    assert code == 2 and "bomb.yaml:8:5: error: yaml-alias-bomb" in err
    deep = write("deep.yaml", "kind: LlamaStackDistribution\ndeep: " + "[" * 300 + "]" * 300 + "\n")
    code, _, err = cli("expand", deep)
    assert code == 2 and "yaml-too-deep" in err
