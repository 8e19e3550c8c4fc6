"""`?`: every key, generated from the key map."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from lsc_tui.tui.keymap import KEYS, MOVEMENT, groups


def help_table() -> Table:
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column("keys", style="bold", no_wrap=True, width=16)
    table.add_column("action", ratio=1)
    for group, keys in groups(KEYS + MOVEMENT).items():
        table.add_row(Text(group, style="bold underline"), "")
        for k in keys:
            table.add_row(k.display, k.description + (" (not in read-only)" if k.write else ""))
    return table


def scroll_by_key(scroll: VerticalScroll, where: str) -> None:
    """j/k/g/G in a scrolling view: a line down or up ("down", "up"), the top or the end ("top",
    "end"). At once, from where the last key left it: an animated scroll starts after the next
    repaint from the old position, so a held j (many keys in one read) moved one line in all."""
    y = {"down": scroll.scroll_target_y + 1, "up": scroll.scroll_target_y - 1, "top": 0}
    scroll.scroll_to(y=y.get(where, scroll.max_scroll_y), animate=False, immediate=True)


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90; max-width: 100%; height: 90%; border: thick $primary;
                            background: $surface; }
    HelpScreen #help-title { height: 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", show=False),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
        Binding("g", "scroll('top')", "First", show=False),
        Binding("G", "scroll('end')", "Last", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                " Keys (j/k scroll, esc closes); every action is in the palette (: or ctrl+p)", id="help-title"
            )
            with VerticalScroll(id="help-scroll"):
                yield Static(help_table())

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_scroll(self, where: str) -> None:
        scroll_by_key(self.query_one("#help-scroll", VerticalScroll), where)

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(result)
