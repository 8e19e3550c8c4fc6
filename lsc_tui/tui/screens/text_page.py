"""A modal page to read: a title line over a scrolling body that has the focus; j / k scroll,
the subclass's keys close it."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen


class TextPage(ModalScreen):
    SCROLL_ID = ""  # the id of the page's VerticalScroll
    BINDINGS = [
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
    ]

    def on_mount(self) -> None:
        self.query_one(f"#{self.SCROLL_ID}").focus()

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one(f"#{self.SCROLL_ID}", VerticalScroll)
        scroll.scroll_down() if where == "down" else scroll.scroll_up()

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(result)
