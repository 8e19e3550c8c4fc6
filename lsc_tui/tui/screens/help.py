"""`?`: every key, generated from the key map."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from lsc_tui.tui.keymap import KEYS, MOVEMENT, groups
from lsc_tui.tui.screens.text_page import TextPage


def help_table() -> Table:
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column("keys", style="bold", no_wrap=True, width=16)
    table.add_column("action", ratio=1)
    for group, keys in groups(KEYS + MOVEMENT).items():
        table.add_row(Text(group, style="bold underline"), "")
        for k in keys:
            table.add_row(k.display, k.description + (" (not in read-only)" if k.write else ""))
    return table


class HelpScreen(TextPage):
    SCROLL_ID = "help-scroll"
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90; max-width: 100%; height: 90%; border: thick $primary;
                            background: $surface; }
    HelpScreen #help-title { height: 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                " Keys (j/k scroll, esc closes); every action is in the palette (: or ctrl+p)", id="help-title"
            )
            with VerticalScroll(id="help-scroll"):
                yield Static(help_table())
