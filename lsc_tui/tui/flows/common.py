"""What the three flows share: the full-size modal screen they are built on, and small helpers."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import Footer, OptionList, Static
import hashlib

CSS = (Path(__file__).with_name("flows.tcss")).read_text(encoding="utf-8")


LIST_UP = Binding("k", "list_cursor('cursor_up')", "Up", show=False)


def list_keys(description: str) -> Binding:
    """j (and LIST_UP's k) in the footer as one key, "j/k", as the help screens write them: for a
    flow whose list is where the operator chooses (the wizard's strategies). Shown while the
    list has the focus (the flow's check_action says when)."""
    return Binding("j", "list_cursor('cursor_down')", description, key_display="j/k")


class FlowScreen(ModalScreen):
    """A full-size modal screen: a title line, the body, and the footer with this screen's keys.

    Modal, so the editor's own keys (save, undo, ...) are off while a flow is open; every key
    a flow uses is shown in the footer.
    """

    DEFAULT_CSS = CSS
    FLOW_TITLE = ""
    # the key map's movement in a flow's list (the arrows, home and end work there already).
    # k (up) is bound by each flow that leaves it free: LIST_UP (the preflight's k is Keep going)
    BINDINGS = [
        Binding("j", "list_cursor('cursor_down')", "Down", show=False),
        Binding("g", "list_cursor('first')", "First", show=False),
        Binding("G", "list_cursor('last')", "Last", show=False),
    ]

    def action_list_cursor(self, how: str) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            getattr(focused, f"action_{how}")()

    def hang(self, prefix: str, text: str) -> str:
        """``prefix`` and ``text`` folded to the width of the flow's text (``#mw-scroll``), each further
        line indented under the text's start (a long item wrapped back to the left margin at 80
        columns). A word longer than a line (a path, a command) stays whole. A screen that folds
        its text this way folds it again when the terminal is resized."""
        fold = textwrap.fill(
            text,
            width=self.text_width(),
            initial_indent=prefix,
            subsequent_indent=" " * len(prefix),
            break_long_words=False,
            break_on_hyphens=False,
        )
        return fold + "\n"

    def text_width(self) -> int:
        """The columns of the flow's text, less one for the scrollbar a long text shows (80 columns'
        worth until the screen is laid out)."""
        width = self.query_one("#mw-scroll").scrollable_content_region.width
        return width - 1 if width > 20 else 75

    def compose_title(self) -> ComposeResult:
        yield Static(self.FLOW_TITLE, id="flow-title", markup=False)

    def compose_footer(self) -> ComposeResult:
        yield Footer(id="flow-footer")

    def tell(
        self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float = 6
    ) -> None:
        """A notification; every text passed here is already free of secret values."""
        self.app.notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def refuse_unsaved_edits(self, session, base: Path | None, advice: str) -> bool:
        """True, and said, when the editor holds unsaved edits: a flow that changes the files on
        disk waits until they are saved or undone (``advice`` says how)."""
        dirty = [rel(p, base) for p in session.dirty_files]
        if dirty:
            self.tell(f"Unsaved edits in {', '.join(dirty)}: {advice}", severity="error", timeout=10)
        return bool(dirty)


def rel(path: str | os.PathLike | None, base: Path | None) -> str:
    """A path as the operator should read it: relative to the workspace when it is inside it."""
    if path is None:
        return ""
    from lsc_tui.tui.flows.interpreters import display_path

    return display_path(path, base)


def file_hashes(paths) -> dict[str, str]:
    """sha256 of each file (or "missing"), for "nothing changed" checks."""

    from lsc_tui.config.yaml import files

    out = {}
    for p in paths:
        try:
            out[str(p)] = hashlib.sha256(files.read_bytes(p)[0]).hexdigest()
        except files.ReadRefused:
            out[str(p)] = "missing"
    return out


def workspace_dir(session) -> Path:
    """The folder the workspace lives in (the config's folder)."""
    return Path(session.path).parent


class FlowList(OptionList):
    """An OptionList whose highlighted row drops its own colours.

    Rows colour their parts with theme variables ($error, $success, ...); under the cursor those
    would fight the cursor's own colours (green on yellow in the 16-colour theme). The
    highlighted row is drawn in the cursor's colours only, so it stays legible in every theme.
    Relies on OptionList._get_option_render (Textual 8.2, pinned; covered by the snapshots).
    j / k / g / G move in it as the arrows, home and end do (FlowScreen's bindings).
    """

    def _get_option_render(self, option, style):
        index = self._option_to_index.get(option)
        if index is not None and index == self.highlighted and isinstance(option.prompt, Content):
            from textual.visual import visualize

            saved = option._visual
            option._visual = visualize(self, Content(option.prompt.plain), markup=False)
            try:
                return super()._get_option_render(option, style)
            finally:
                option._visual = saved
        return super()._get_option_render(option, style)
