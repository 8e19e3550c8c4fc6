"""The one-line header: file, mode, counts, dirty and read-only markers."""

from __future__ import annotations

from rich.text import Text

from lsc_tui.tui.badges import badge_style
from lsc_tui.tui.widgets.repaint import show
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

    _shown: tuple[View, bool] | None = None  # the view and read-only flag last shown

    def show_view(self, view: View, readonly: bool = False) -> None:
        self._shown = (view, readonly)
        show(self, header_text(view, readonly, self.size.width, self.app.no_color), same_size=True)

    def on_resize(self) -> None:
        if self._shown is not None:
            view, readonly = self._shown
            self.update(header_text(view, readonly, self.size.width, self.app.no_color))


def header_text(view: View, readonly: bool, width: int, no_color: bool = False) -> Text:
    """The header in ``width`` cells: when it does not fit, whole items go, the least useful first
    (the program name, the list of modified files, then the mode); no word is cut."""
    c = view.counts
    counts = Text()
    if view.validating:  # the counts wait for the validation, which follows in a moment
        counts.append("validating…", style="italic")
    else:
        # reverse video: a non-zero count stands out with NO_COLOR=1 too
        counts.append(f"E:{c.get('errors', 0)}", style=badge_style("error", no_color) if c.get("errors") else "")
        counts.append(" ")
        counts.append(f"W:{c.get('warnings', 0)}", style=badge_style("warning", no_color) if c.get("warnings") else "")
        counts.append(" ")
        counts.append(f"S:{c.get('secrets', 0)}", style=badge_style("secret", no_color) if c.get("secrets") else "")
    name = Text()
    if view.dirty:
        name.append("[+] ", style="bold")
    name.append(view.short_name(view.config_display), style="bold")
    names = [view.short_name(d) for d in view.dirty_files] if view.dirty else []
    # (drop order, separator, text); a lower drop order goes first
    items = [
        (0, "", Text(" lsc-tui ", style="bold reverse")),
        (9, " ", counts),
        (2, "  ", Text(view.mode, style="underline")),
    ]
    if view.target:  # the release the preview answers for; "(default)" when nothing named one
        items.append((3, "  ", Text(view.target, style="italic" if view.target_default else "")))
    if readonly:
        items.append((9, "  ", Text("READ-ONLY", style="bold reverse")))
    items.append((9, "  ", name))
    if names:
        items.append((1, " ", Text(f"modified: {', '.join(names)}", style="italic")))

    def assemble(parts) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        for n, (_rank, sep, part) in enumerate(parts):
            t.append(sep if n else sep.lstrip())
            t.append_text(part)
        return t

    text = assemble(items)
    while width and text.cell_len > width and len(items) > 1:
        if names and len(names) > 1 and any(rank == 1 for rank, _s, _p in items):
            # first the list of names becomes a count
            items = [
                (r, sep, Text(f"modified: {len(names)} files", style="italic") if r == 1 else p) for r, sep, p in items
            ]
            names = names[:1]
        else:
            drop = min(range(len(items)), key=lambda n: items[n][0])
            items.pop(drop)
        text = assemble(items)
    return text
