"""The findings panel: validation and secret findings of every file, with file:line."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.tui.badges import badge_style
from lsc_tui.tui.model import View


class FindingsPanel(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        # home and end too: DataTable's own scroll a row cursor's table sideways
        Binding("g,home", "scroll_top", "First", show=False),
        Binding("G,end", "scroll_bottom", "Last", show=False),
        Binding("h", "cursor_left", "Left", show=False),  # a row cursor: the table scrolls sideways
        Binding("l", "cursor_right", "Right", show=False),
    ]

    class Jump(Message):
        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=False, show_cursor=True, **kwargs)
        self.findings: list[Finding] = []
        self._signature: list | None = None

    def on_mount(self) -> None:
        self.add_column("", key="sev", width=3)
        self.add_column("where", key="where")
        self.add_column("finding", key="msg")

    def show_view(self, view: View) -> None:
        secret = set(view.secret_findings)
        rows = list(view.findings)
        present = set(rows)
        rows.extend(f for f in view.secret_findings if f not in present)
        signature = [(f in secret, f, view.short_name(f.file)) for f in rows]
        if signature == self._signature:  # most keystrokes change no finding: keep the table as it is
            self.findings = rows
            return
        self._signature = signature
        row = self.cursor_row
        self.clear()
        self.findings = rows
        mono = self.app.no_color
        for i, f in enumerate(rows):
            if f in secret:
                sev = Text("S", style=badge_style("secret", mono))
            elif f.severity is Severity.ERROR:
                sev = Text("E", style=badge_style("error", mono))
            elif f.severity is Severity.WARNING:
                sev = Text("W", style=badge_style("warning", mono))
            else:
                sev = Text("i", style="cyan")
            msg = Text(f"{f.code}: {f.message}", no_wrap=True, overflow="ellipsis")
            # a finding about the file as a whole (line 0) names the file alone
            where = view.short_name(f.file) + (f":{f.line}" if f.line else "")
            self.add_row(sev, where, msg, key=str(i))
        if not rows:
            self.add_row(Text("-", style="green"), "", Text("no findings", style="dim"))
        if rows and row is not None:
            self.move_cursor(row=min(row, len(rows) - 1))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.findings):
            self.post_message(self.Jump(self.findings[event.cursor_row]))
