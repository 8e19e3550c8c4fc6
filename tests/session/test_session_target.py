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
