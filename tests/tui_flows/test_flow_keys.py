"""The flows' keys: none clashes with an editor key, each is unique, none needs a modifier that
terminals often swallow. (Opening them from the editor is tested in tests/tui/test_app_flows.py.)"""

from lsc_tui.tui import keymap
from lsc_tui.tui.flows import FLOWS


def test_keys_do_not_clash_with_the_editor():
    used = {k for entry in keymap.KEYS + keymap.MOVEMENT if not entry.action.startswith("flow_")
            for k in entry.keys.split(",")}
    ours = [k for f in FLOWS for k in f.key.split(",")]
    assert not set(ours) & used, set(ours) & used
    assert len(ours) == len(set(ours))
    assert not any("ctrl+enter" in k or "shift+enter" in k or k.startswith("alt+") for k in ours)
