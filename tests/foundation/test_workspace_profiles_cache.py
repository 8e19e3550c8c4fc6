"""The profile files offered next to a config follow the files on disk (the editor asks at every
view, so the answer is remembered per file version)."""

from __future__ import annotations

import os

from lsc_tui.config.workspace import available_profiles

RUN = "version: 2\napis: [inference]\nproviders:\n  inference: []\n"


def test_profiles_follow_files_that_appear_change_and_vanish(tmp_path):
    (tmp_path / "lightspeed-stack.yaml").write_text("name: x\n")
    assert available_profiles(tmp_path) == []
    prof = tmp_path / "gpu.yaml"
    prof.write_text(RUN)
    assert available_profiles(tmp_path) == ["gpu.yaml"]
    prof.write_text("just: a note\n")  # no longer run.yaml-shaped
    os.utime(prof, ns=(1, 1))  # even with an older time, the size changed
    assert available_profiles(tmp_path) == []
    prof.write_text(RUN)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "cpu.yaml").write_text(RUN)
    assert available_profiles(tmp_path) == ["gpu.yaml", "profiles/cpu.yaml"]
    prof.unlink()
    assert available_profiles(tmp_path) == ["profiles/cpu.yaml"]
