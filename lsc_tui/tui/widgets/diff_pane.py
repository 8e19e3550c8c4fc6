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
from lsc_tui.tui.widgets.repaint import show
from lsc_tui.config.diff import changed_spans
from textual.css.query import NoMatches
from textual.widgets import Tab


def _line_style(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "bold"
    if line.startswith("+"):
        return "$diff-added"
    if line.startswith("-"):
        return "$diff-removed"
    if line.startswith("@@"):
        return "$diff-hunk"
    return ""


def diff_content(diff_text: str, empty: str = "(no change)") -> Content:
    """A unified diff (already masked) coloured with the theme's diff variables, so every theme,
    the high-contrast one included, governs every diff lsc-tui shows."""
    parts = [(line + "\n", _line_style(line)) for line in diff_text.splitlines()]
    if not parts:
        return Content(empty)
    return Content.assemble(*parts).rstrip()


def window(line: str, span: tuple[int, int] | None, offset: int, width: int) -> tuple[str, int, tuple | None]:
    """What of ``line`` shows in ``width`` cells scrolled ``offset`` cells sideways: (text, the
    index in ``line`` of its first character, the changed span in the text's own columns).
    A cut end is marked with an ellipsis. Unscrolled, a line whose change lies beyond the edge
    keeps its beginning (the key), then ``…``, then the change: it always shows where it changed."""
    if width <= 2 or len(line) <= width and not offset:
        return line, 0, span
    if not offset and span is not None and span[0] >= width - 1:
        head = max(4, width // 3)
        room = width - head - 1
        start = max(head + 1, min(span[0] - 4, len(line) - room))
        body = line[start : start + room]
        if start + room < len(line):
            body = body[:-1] + "…"
        text = line[:head] + "…" + body
        shift = start - head - 1
        return text, 0, (span[0] - shift, min(span[1] - shift, len(text)))
    visible = line[offset : offset + width]
    if offset and visible:
        visible = "…" + visible[1:]
    if offset + width < len(line):
        visible = visible[:-1] + "…"
    moved = None if span is None else (span[0] - offset, span[1] - offset)
    return visible, offset, moved


def diff_lines_content(diff_text: str, spans: dict, offset: int, width: int) -> Content:
    """The diff as ``diff_content`` colours it, each changed line's changed characters in reverse
    video, cut to ``width`` cells from ``offset`` (see ``window``)."""
    parts = []
    for n, line in enumerate(diff_text.splitlines()):
        style = _line_style(line)
        text, _first, span = window(line, spans.get(n), offset, width)
        if span is not None and span[1] > 0 and span[0] < len(text):
            a, b = max(0, span[0]), min(len(text), max(span[1], span[0] + 1))
            strong = f"{style} reverse".strip()
            parts += [(text[:a], style), (text[a:b], strong), (text[b:] + "\n", style)]
        else:
            parts.append((text + "\n", style))
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


SIDEWAYS = 8  # cells per h / l


class DiffScroll(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("h,left", "sideways(-1)", "Left", show=False),
        Binding("l,right", "sideways(1)", "Right", show=False),
    ]

    def action_sideways(self, direction: int) -> None:
        self.query_one(DiffBody).shift(direction * SIDEWAYS)


class DiffBody(Static):
    """The diff, cut to the pane's width at a sideways offset (h / l): long lines are never
    lost, and a changed line shows where it changed (the core's ``changed_spans``)."""

    def __init__(self, **kwargs):
        super().__init__("", **kwargs)
        self.offset_x = 0
        self._diff: tuple[str, dict] | None = None
        self._longest = 0

    def show_diff(self, diff_text: str) -> None:
        self.set_class(False, "-message")
        self._diff = (diff_text, changed_spans(diff_text))
        self._longest = max((len(line) for line in diff_text.splitlines()), default=0)
        self.offset_x = min(self.offset_x, max(0, self._longest - 1))
        self._paint()

    def show_text(self, text) -> None:
        """A message in place of the diff: wrapped to the pane (a diff's lines are cut, never wrapped)."""
        self._diff = None
        self.offset_x = 0
        self.set_class(True, "-message")
        show(self, text)

    def shift(self, cells: int) -> None:
        if self._diff is None:
            return
        width = self.size.width or 80
        self.offset_x = max(0, min(self.offset_x + cells, max(0, self._longest - width // 2)))
        self._paint()

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        if self._diff is not None:
            content = diff_lines_content(*self._diff, self.offset_x, self.size.width or 10_000)
            # a diff of as many lines as the diff shown takes the same size: no layout of the screen
            shown = self.content
            show(
                self,
                content,
                same_size=isinstance(shown, Content) and content.plain.count("\n") == shown.plain.count("\n"),
            )


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
    DiffPane #diff-body { width: 100%; text-wrap: nowrap; text-overflow: clip; }
    DiffPane #diff-body.-message { text-wrap: wrap; }
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
                yield DiffBody(id="diff-body")
            yield RunYamlList(id="run-list")
        yield Static("", id="origin")

    def show_view(self, view: View) -> None:
        self.view = view
        self._title()
        self._tab_label(view.preview_label)
        body = self.query_one("#diff-body", DiffBody)
        if not view.has_preview and view.preview_note:
            body.show_text(Text(view.preview_note, style="dim"))
        elif not view.has_preview:
            body.show_text(
                Text(
                    "No synthesized run.yaml: "
                    + (
                        "the Llama Stack server owns it (legacy server mode)."
                        if view.mode == "legacy-server"
                        else "fix the errors in the findings (4) first."
                    ),
                    style="dim",
                )
            )
        elif view.diff_text.strip():
            body.show_diff(view.diff_text)
        else:
            body.show_text(
                Text(
                    f"No changes against the {view.baseline_name}. "
                    f"Edit a node and the diff appears here; v shows the whole {view.preview_label}.",
                    style="dim",
                )
            )
        self._fill_list()

    def _tab_label(self, label: str) -> None:
        """Below 100 columns the panes are tabs: name this one after what it shows (a CR's is config.yaml)."""

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
            t.append(f" diff vs {v.baseline_name if v else ''}")
            t.append("  v: full  b: baseline  h/l: sideways", style="dim")
        else:
            t.append(f" {len(v.run_lines) if v else 0} lines, with provenance")
            t.append("  v: diff  enter: jump", style="dim")
        show(self.query_one("#diff-title", Static), t, same_size=True)

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
            Text(
                f" from {text}" if text else " (no recorded source for this line)",
                style="" if text else "dim",
                no_wrap=True,
                overflow="ellipsis",
            )
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        origin = self._origin_at(event.option_index)
        self.post_message(self.Jump(origin))
