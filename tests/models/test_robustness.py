"""Validation runs on every keystroke: whatever half-typed data arrives, it returns issues."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsc_tui.config.models import ModelIssue, validate_lightspeed, validate_run_yaml
from tests.models.conftest import load
from tests.models.test_lightspeed import RICH

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["${env.X}", "${env.PORT:=80}", "${env.A:+b}", "openai",
                                                           "faiss", "noop", "kv_sqlite", "remote::vllm", ""]))
KEYS = st.one_of(st.text(max_size=10), st.integers(0, 3), st.booleans(), st.none(),
                 st.sampled_from(["name", "type", "id", "provider_id", "config", "providers", "password", "port"]))
TREES = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                     st.dictionaries(KEYS, kids, max_size=4)), max_leaves=20)

LCORE_BASES = [RICH, load("lightspeed/e2e-library.yaml"), load("lightspeed/byok-okp-rag.yaml")]
RUN_BASES = [load("run/lcore-run.yaml"), load("run/ls071-ci-tests.yaml"), load("run/ls0224-meta-reference-gpu.yaml")]


def _containers(node, out):
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            _containers(v, out)
    elif isinstance(node, list):
        out.append(node)
        for v in node:
            _containers(v, out)
    return out


def _graft(base, choice, key, tree):
    data = copy.deepcopy(base)
    holders = _containers(data, [])
    holder = holders[choice % len(holders)]
    if isinstance(holder, dict):
        keys = list(holder)
        holder[keys[choice % len(keys)] if keys and choice % 2 else key] = tree
    elif holder:
        holder[choice % len(holder)] = tree
    else:
        holder.append(tree)
    return data


def _check(issues):
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue, ModelIssue) and isinstance(issue.path, tuple)
        assert issue.severity in ("error", "warning") and issue.code and issue.message
        assert "\n" not in issue.message


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.integers(0, 2), st.integers(0, 10**6), KEYS, TREES)
def test_lightspeed_never_raises(which, choice, key, tree):
    _check(validate_lightspeed(_graft(LCORE_BASES[which], choice, key, tree)))


@FAST
@given(st.integers(0, 2), st.integers(0, 10**6), KEYS, TREES)
def test_run_yaml_never_raises(which, choice, key, tree):
    _check(validate_run_yaml(_graft(RUN_BASES[which], choice, key, tree)))


@FAST
@given(TREES)
def test_any_top_level_value(tree):
    _check(validate_lightspeed(tree))
    _check(validate_run_yaml(tree))
