"""The main screen: the status header, the pane tabs (shown below NARROW_BELOW columns), the
body the panes are mounted into, and the key footer.

Header, body and footer paint first; the pane tabs (:func:`pane_tabs`, above the body) and the
panes (into the body, with :func:`lsc_tui.tui.panes.pane_widgets`) are mounted right after
(``LscTuiApp.build_panes``), while a job opens the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from lsc_tui.tui.widgets.footer import KeyFooter
from lsc_tui.tui.widgets.header import StatusHeader

if TYPE_CHECKING:
    from textual.widgets import Tabs

    from lsc_tui.tui.app import LscTuiApp

NARROW_BELOW = 100  # columns: below this the panes become tabs
PANES = ("tree", "editor", "diff", "findings")
PANE_TITLES = {"tree": "1 Tree", "editor": "2 Node", "diff": "3 run.yaml", "findings": "4 Findings"}
PANE_SELECTORS = {"tree": "#tree-pane", "editor": "#editor", "diff": "#diff", "findings": "#findings"}


class MainScreen(Screen):
    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield Vertical(id="body")
        yield KeyFooter()

    _panes_started = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._when_shown: list[Callable[[], object]] = []

    def on_mount(self) -> None:
        cast("LscTuiApp", self.app).main_ready()  # the main screen is only ever LscTuiApp's

    def when_shown(self, fn: Callable[[], object]) -> None:
        """Call ``fn`` now if the editor is on top, else once the screens over it have closed: a
        notice about the editor (a file a flow wrote, now shown) over a flow would hide the flow's
        own text, as the migration's Done step."""
        if self.app.screen is self:
            fn()
        else:
            self._when_shown.append(fn)

    def on_screen_resume(self) -> None:
        # Textual's own handler, run right after this one, lays out and paints the first frame;
        # the panes are built right after that frame (after a refresh would be a frame later: the
        # first layout asks for a second one, which waits for the frame timer)
        if not self._panes_started:
            self._panes_started = True
            self.call_next(cast("LscTuiApp", self.app).build_panes)
        waiting, self._when_shown = self._when_shown, []
        for fn in waiting:
            self.call_next(fn)


def pane_tabs(narrow: bool) -> Tabs:
    """The tab bar of the panes, shown below NARROW_BELOW columns (mounted after the first frame,
    which does without it: its widgets and their stylesheet are not needed to say what opens)."""
    from textual.widgets import Tab, Tabs  # deferred: the tab bar's module loads with the panes, after the first paint

    tabs = Tabs(*[Tab(PANE_TITLES[p], id=f"tab-{p}") for p in PANES], id="pane-tabs")
    tabs.display = narrow
    # the bar shows which pane is up; the keys that switch panes are 1-4 and tab, so the bar
    # takes no focus (focused, it would be the only stop tab makes between two panes)
    tabs.can_focus = False
    return tabs


def pane_shown(name: str, active: str, narrow: bool) -> bool:
    """Below NARROW_BELOW columns the panes are tabs: only the active one shows."""
    return name == active or not narrow


def main_row_shown(active: str, narrow: bool) -> bool:
    """The row of tree, editor and diff (the findings pane is below it)."""
    return not (narrow and active == "findings")
