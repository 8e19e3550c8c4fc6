"""Which baselines the diff of the synthesized run.yaml can be taken against."""

from __future__ import annotations

from lsc_tui.config.session import diff_baselines


def test_the_diff_against_the_run_yaml_as_written_is_offered_only_where_one_is_open(legacy_ws, unified_ws):
    assert list(diff_baselines(legacy_ws)) == ["disk", "legacy", "previous"]
    assert list(diff_baselines(unified_ws)) == ["disk", "previous"]
    assert diff_baselines(legacy_ws)["legacy"] == "the run.yaml as written"
