"""The one-line header: file, mode, counts, dirty and read-only markers."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lsc_tui.tui.model import View


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $panel; color: $foreground; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show_loading(self, name: str) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" lsc-tui ", style="bold reverse")
        t.append("  opening ")
        t.append(name, style="bold")
        t.append(" (reading, synthesizing)", style="italic")
        self.update(t)

    def show_view(self, view: View, readonly: bool = False) -> None:
        c = view.counts
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" lsc-tui ", style="bold reverse")
        t.append(" ")
        if view.validating:  # the counts wait for the validation, which follows in a moment
            t.append("validating…", style="italic")
        else:
            t.append(f"E:{c.get('errors', 0)}", style="bold red" if c.get("errors") else "")
            t.append(" ")
            t.append(f"W:{c.get('warnings', 0)}", style="bold yellow" if c.get("warnings") else "")
            t.append(" ")
            t.append(f"S:{c.get('secrets', 0)}", style="bold magenta" if c.get("secrets") else "")
        t.append("  ")
        t.append(view.mode, style="underline")
        if readonly:
            t.append("  READ-ONLY", style="bold reverse")
        t.append("  ")
        if view.dirty:
            t.append("[+] ", style="bold")
        t.append(view.short_name(view.config_display), style="bold")
        if view.dirty:
            names = ", ".join(view.short_name(d) for d in view.dirty_files)
            t.append(f" modified: {names}", style="italic")
        self.update(t)
