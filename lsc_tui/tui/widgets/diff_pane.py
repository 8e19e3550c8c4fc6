"""The live diff of the synthesized run.yaml, and the full run.yaml with provenance."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from lsc_tui.config.findings import path_text
from lsc_tui.tui.model import View

BASELINE_NAMES = {"disk": "saved files", "legacy": "run.yaml as written", "previous": "previous edit"}


def diff_content(diff_text: str, empty: str = "(no change)") -> Content:
    """A unified diff (already masked) coloured with the theme's diff variables, so every theme,
    the high-contrast one included, governs every diff lsc-tui shows."""
    parts = []
    for line in diff_text.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "$diff-added"
        elif line.startswith("-"):
            style = "$diff-removed"
        elif line.startswith("@@"):
            style = "$diff-hunk"
        else:
            style = ""
        parts.append((line + "\n", style))
    if not parts:
        return Content(empty)
    return Content.assemble(*parts).rstrip()


def origin_text(origin, view: View | None = None) -> str:
    if origin is None:
        return ""
    file = getattr(origin, "file", None) or ""
    if view is not None and file:
        file = view.short_name(str(file))
    step = getattr(origin, "step", None) or ""
    src = getattr(origin, "source_path", None)
    where = path_text(tuple(src)) if src else ""
    line = getattr(origin, "line", None)
    loc = f"{file}:{line}" if line else file
    parts = [p for p in (loc, where) if p]
    return " ".join(parts) + (f"  ({step})" if step else "")


class DiffScroll(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]


class RunYamlList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]


class DiffPane(Vertical):
    DEFAULT_CSS = """
    DiffPane { height: 1fr; }
    DiffPane #diff-title { height: 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    DiffPane #diff-switcher { height: 1fr; }
    DiffPane #diff-scroll { height: 1fr; }
    DiffPane #diff-body { text-wrap: nowrap; text-overflow: ellipsis; }
    DiffPane #run-list { height: 1fr; border: none; padding: 0; }
    DiffPane #origin { height: 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class Jump(Message):
        def __init__(self, origin) -> None:
            super().__init__()
            self.origin = origin

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mode = "diff"
        self.view: View | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="diff-title")
        with ContentSwitcher(initial="diff-scroll", id="diff-switcher"):
            with DiffScroll(id="diff-scroll"):
                yield Static("", id="diff-body")
            yield RunYamlList(id="run-list")
        yield Static("", id="origin")

    def show_view(self, view: View) -> None:
        self.view = view
        self._title()
        self._tab_label(view.preview_label)
        body = self.query_one("#diff-body", Static)
        if not view.run_lines and view.preview_note:
            body.update(Text(view.preview_note, style="dim"))
        elif not view.run_lines:
            body.update(Text("No synthesized run.yaml: " + (
                "the Llama Stack server owns it (legacy server mode)." if view.mode == "legacy-server"
                else "fix the errors in the findings (4) first."), style="dim"))
        elif view.diff_text.strip():
            body.update(diff_content(view.diff_text))
        else:
            body.update(Text(f"No changes against the {BASELINE_NAMES.get(view.baseline, view.baseline)}. "
                             f"Edit a node and the diff appears here; v shows the whole {view.preview_label}.",
                             style="dim"))
        self._fill_list()

    def _tab_label(self, label: str) -> None:
        """Below 100 columns the panes are tabs: name this one after what it shows (a CR's is config.yaml)."""
        from textual.css.query import NoMatches
        from textual.widgets import Tab

        try:
            tab = self.screen.query_one("#tab-diff", Tab)
        except NoMatches:
            return
        text = f"3 {label}"
        if str(tab.label) != text:
            tab.label = text

    def _title(self) -> None:
        v = self.view
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {v.preview_label if v else 'run.yaml'} ", style="bold reverse")
        if self.mode == "diff":
            t.append(f" diff vs {BASELINE_NAMES.get(v.baseline, v.baseline) if v else ''}")
            t.append("  v: full  b: baseline", style="dim")
        else:
            t.append(f" {len(v.run_lines) if v else 0} lines, with provenance")
            t.append("  v: diff  enter: jump", style="dim")
        self.query_one("#diff-title", Static).update(t)

    def _fill_list(self) -> None:
        lst = self.query_one("#run-list", RunYamlList)
        if self.mode != "full" or self.view is None:
            return
        highlighted = lst.highlighted
        width = len(str(len(self.view.run_lines)))
        options = []
        for i, line in enumerate(self.view.run_lines):
            t = Text(no_wrap=True, overflow="ellipsis")
            t.append(f"{i + 1:>{width}} ", style="dim")
            t.append(line)
            options.append(Option(t, id=f"l{i}"))
        lst.set_options(options)
        if options:
            lst.highlighted = min(highlighted or 0, len(options) - 1)

    def toggle(self) -> str:
        self.mode = "full" if self.mode == "diff" else "diff"
        self.query_one("#diff-switcher", ContentSwitcher).current = "run-list" if self.mode == "full" else "diff-scroll"
        if self.view is not None:
            self._title()
            self._fill_list()
        self.query_one("#origin", Static).update("")
        return self.mode

    def focus_body(self) -> None:
        self.query_one("#run-list" if self.mode == "full" else "#diff-scroll").focus()

    def _origin_at(self, index: int | None):
        if self.view is None or index is None or not (0 <= index < len(self.view.origins)):
            return None
        return self.view.origins[index]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        origin = self._origin_at(event.option_index)
        text = origin_text(origin, self.view)
        self.query_one("#origin", Static).update(
            Text(f" from {text}" if text else " (no recorded source for this line)", style="" if text else "dim",
                 no_wrap=True, overflow="ellipsis"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        origin = self._origin_at(event.option_index)
        self.post_message(self.Jump(origin))
