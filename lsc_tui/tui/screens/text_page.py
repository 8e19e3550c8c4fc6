"""A modal page to read: a title line over a scrolling body that has the focus; j / k scroll a
line, g / G go to the top and the end, the subclass's keys close it."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen


def scroll_by_key(scroll: VerticalScroll, where: str) -> None:
    """j/k/g/G in a scrolling view: a line down or up ("down", "up"), the top or the end ("top",
    "end"). At once, from where the last key left it: an animated scroll starts after the next
    repaint from the old position, so a held j (many keys in one read) moved one line in all."""
    y = {"down": scroll.scroll_target_y + 1, "up": scroll.scroll_target_y - 1, "top": 0}
    scroll.scroll_to(y=y.get(where, scroll.max_scroll_y), animate=False, immediate=True)


class TextPage(ModalScreen):
    SCROLL_ID = ""  # the id of the page's VerticalScroll
    BINDINGS = [
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
        Binding("g", "scroll('top')", "First", show=False),
        Binding("G", "scroll('end')", "Last", show=False),
    ]

    def on_mount(self) -> None:
        self.query_one(f"#{self.SCROLL_ID}").focus()

    def action_scroll(self, where: str) -> None:
        scroll_by_key(self.query_one(f"#{self.SCROLL_ID}", VerticalScroll), where)

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(result)
