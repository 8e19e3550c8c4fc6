"""The editor session answers for a target release and recomputes when it changes."""

from __future__ import annotations

from pathlib import Path

from lsc_tui.config.releases import RELEASE_0_6, RELEASE_MAIN, Target
from lsc_tui.config.session import EditSession

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_set_target_recomputes_for_the_release(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text((FIXTURES / "unified-vllm.yaml").read_text())
    s = EditSession.open(cfg, cwd=tmp_path)
    assert s.target.is_default and s.workspace.target.release is RELEASE_MAIN
    before = s.analysis
    chosen = Target(RELEASE_0_6, "editor")
    after = s.set_target(chosen)
    assert after is s.analysis and after is not before
    assert s.target is chosen and s.workspace.target is chosen
    assert not s.dirty  # choosing a release changes no file


def test_session_opens_for_a_given_target(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text((FIXTURES / "unified-vllm.yaml").read_text())
    chosen = Target(RELEASE_0_6, "--lcore")
    s = EditSession.open(cfg, cwd=tmp_path, target=chosen)
    assert s.workspace.target is chosen


def test_the_profile_choices_are_the_target_releases_baselines(tmp_path):
    from lsc_tui.config.session import OperationError, SwitchProfile
    from lsc_tui.config.workspace import profile_choices

    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text((FIXTURES / "unified-vllm.yaml").read_text())
    s = EditSession.open(cfg, cwd=tmp_path)
    # nothing names a release: main, with the newer byo-llm baseline still offered
    assert [c.name for c in profile_choices(s.workspace) if c.kind == "baseline"] == ["default", "empty", "byo-llm"]
    s.set_target(Target(RELEASE_0_6, "editor"))
    assert [c.name for c in profile_choices(s.workspace) if c.kind == "baseline"] == ["default", "empty"]
    try:
        s.apply(SwitchProfile(cfg, None, "byo-llm"))
    except OperationError as exc:
        assert "LCORE 0.6.x knows: default, empty" in str(exc)
    else:
        raise AssertionError("a 0.6.x target switched to a baseline 0.6.x does not have")
    assert not s.dirty
