"""The library API the TUI wizard drives, step by step, and property tests of lift."""

from __future__ import annotations

import dataclasses
import stat
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mig_helpers import PAIRS

from lsc_tui.config.migration import Migration, MigrationInputError, MigrationRefused, strategies


def test_wizard_steps(tmp_path):
    pair = PAIRS["rag-library"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    # 1. analyse
    m = Migration.open(cfg, cwd=tmp_path)
    assert m.nothing_to_do is None
    assert m.analysis.status == "legacy-library"
    assert m.analysis.enrichment == ["rag.byok"]
    # 2. recommendation, then a choice
    assert m.recommendation.strategy == "profile"
    cand = m.choose("lift")
    assert cand.strategy == "lift" and not m.proof.equivalent
    # 3. preview, proof, secrets, files: nothing written yet
    assert "native_override:" in m.preview_text()
    assert m.unaccepted(None) == m.proof.paths()
    assert [f.action for f in m.files()] == ["write", "backup", "keep"]
    with pytest.raises(MigrationRefused) as refused:
        m.write()
    assert set(refused.value.unaccepted) == set(m.proof.paths())
    assert not (cfg.with_name(cfg.name + ".pre-migrate.bak")).exists()
    # 4. another choice, and the write
    m.choose("profile")
    assert m.proof.equivalent
    result = m.write()
    assert result.proof.equivalent
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert result.backup is not None and result.backup.exists()
    again = Migration.open(cfg, cwd=tmp_path).nothing_to_do
    assert again.startswith("already unified: ") and "unified: unified" not in again, again  # said once


def test_choose_without_a_strategy_takes_the_recommendation():
    pair = PAIRS["no-mcp"]
    m = Migration.open(pair.cwd / pair.config, cwd=pair.cwd)
    assert m.choose().strategy == m.recommendation.strategy == "smart"


def test_bad_input_carries_a_located_finding(tmp_path):
    with pytest.raises(MigrationInputError) as err:
        Migration.open(tmp_path / "nope.yaml", cwd=tmp_path)
    assert err.value.finding.file.endswith("nope.yaml") and err.value.finding.fix


def test_output_may_not_be_the_legacy_run_yaml(tmp_path):
    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    run = tmp_path / pair.run_yaml
    before = run.read_bytes()
    m = Migration.open(tmp_path / pair.config, cwd=tmp_path)
    m.choose("lift", out=run)
    with pytest.raises(MigrationRefused):
        m.write()
    assert run.read_bytes() == before


# -- property: lift of any run.yaml text is LCORE's lift, and proven equivalent ----------------

_key = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(
    lambda k: k not in ("providers", "apis", "registered_resources", "vector_stores", "storage"))
_scalar = st.one_of(st.integers(-5, 10 ** 6), st.booleans(), st.none(),
                    st.text("abcxyz:/-_.# ${}env", min_size=0, max_size=12))
_tree = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_key, inner, max_size=3)), max_leaves=12)
_provider = st.fixed_dictionaries({
    "provider_id": st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True),
    "provider_type": st.sampled_from(["remote::openai", "inline::faiss", "remote::vllm"]),
    "config": st.dictionaries(_key, _scalar, max_size=3)})
_run = st.fixed_dictionaries(
    {"version": st.just(2), "apis": st.lists(st.sampled_from(["inference", "files", "tool_runtime"]),
                                             unique=True, max_size=3),
     "providers": st.dictionaries(st.sampled_from(["inference", "files", "vector_io"]),
                                  st.lists(_provider, max_size=2, unique_by=lambda p: p["provider_id"]),
                                  max_size=2)},
    optional={"extra_stuff": st.dictionaries(_key, _tree, max_size=3)})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(run=_run, flow=st.booleans(), indent=st.sampled_from([2, 4]), comment=st.booleans())
def test_lift_of_any_run_yaml_is_equivalent(tmp_path, run, flow, indent, comment):
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    text = yaml.safe_dump(run, default_flow_style=flow, indent=indent, sort_keys=False)
    if comment:
        text = "# top comment\n---\n" + (text if flow else text.replace("\n", "  # trailing\n", 1))
    (work / "run.yaml").write_text(text)
    cfg = work / "lightspeed-stack.yaml"
    cfg.write_text("name: LCS  # the name\nservice:\n    port: 8080\nllama_stack:\n    use_as_library_client: true\n"
                   "    library_client_config_path: run.yaml\nuser_data_collection:\n    feedback_enabled: false\n")
    m = Migration.open(cfg, cwd=work)
    cand, proof = m.trial("lift")
    assert proof.equivalent, proof.paths()
    assert yaml.safe_load(cand.text) == cand.data
    assert cand.data["llama_stack"]["config"]["native_override"] == run
    assert "# the name" in cand.text
    _, proof = m.trial("smart")
    assert proof.equivalent, proof.paths()


@pytest.mark.parametrize("strategy", ["lift", "profile", "smart"])
def test_a_strategy_without_a_run_yaml_says_so(tmp_path, strategy):
    """Every strategy reads the run.yaml: an analysis without one gets an error naming the config
    and the way to give it, not an AttributeError from deep inside the strategy."""
    pair = PAIRS["rag-library"].copy_to(tmp_path)
    m = Migration.open(tmp_path / pair.config, cwd=tmp_path)
    analysis = dataclasses.replace(m.analysis, run_yaml=None)
    with pytest.raises(ValueError, match=r"no run\.yaml .*--run-yaml") as err:
        strategies.build(analysis, strategy, tmp_path / "out.yaml", m.legacy())
    assert pair.config in str(err.value)
