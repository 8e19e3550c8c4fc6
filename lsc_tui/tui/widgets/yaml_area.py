"""The node editor's raw YAML editor: Textual's code editor with YAML's two-space indent, whose
esc leaves it for the next pane in either layout.

Imported when the raw YAML is first shown (Textual's TextArea takes tens of milliseconds to
load), never at start-up.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea


class YamlArea(TextArea):
    async def _on_key(self, event: events.Key) -> None:
        # Textual's TextArea answers esc with the screen's next focus, which below NARROW_BELOW
        # columns (one pane shown, the editor's YAML its only stop) is the YAML itself: esc did
        # nothing there. The app's next focus is the next pane when the panes are tabs, the next
        # widget when they stand side by side (the same as Textual's there).
        if event.key == "escape" and not self.read_only:
            event.stop()
            event.prevent_default()
            self.app.action_focus_next()
            return
        await super()._on_key(event)


def yaml_area(element_id: str) -> TextArea:
    area = YamlArea.code_editor(  # a YamlArea (code_editor is a classmethod)
        "", language="yaml", theme="css", id=element_id, soft_wrap=False, show_line_numbers=True
    )
    area.indent_width = 2  # tab indents by two spaces, as YAML is written
    area.cursor_blink = False  # no blinking over SSH (and steady snapshots)
    return area
