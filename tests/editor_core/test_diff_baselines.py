"""Which baselines the diff of the synthesized run.yaml can be taken against."""

from __future__ import annotations

from lsc_tui.config.session import DIFF_BASELINES, diff_baselines


def test_the_diff_against_the_run_yaml_as_written_is_offered_only_where_one_is_open(legacy_ws, unified_ws):
    assert list(diff_baselines(legacy_ws)) == ["disk", "legacy", "previous"]
    assert list(diff_baselines(unified_ws)) == ["disk", "previous"]
    assert diff_baselines(legacy_ws)["legacy"] == "run.yaml as written"


def test_the_key_map_names_the_baselines_as_the_session_does():
    """`b`'s line in the help and docs/keys.md lists the same names the diff pane shows."""
    from lsc_tui.tui import keymap

    (b,) = [k for k in keymap.KEYS if k.action == "cycle_baseline"]
    assert b.description == "Diff against: " + " / ".join(DIFF_BASELINES.values())
