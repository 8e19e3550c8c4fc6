"""A small host to try the flows on their own: ``python -m lsc_tui.tui.flows.try_flows [CONFIG]``.

It opens an EditSession and binds the FLOWS keys, as the editor does once they are wired in.
Without CONFIG it uses a fresh copy of the demo workspace.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from lsc_tui.config.session import EditSession
from lsc_tui.tui import themes
from lsc_tui.tui.flows import FLOWS
from lsc_tui.tui.flows.wiring import FlowActions, FlowCommands, flow_bindings


class TryFlows(FlowActions, App):
    CSS = "#host { height: 1fr; padding: 1 2; }"
    COMMANDS = App.COMMANDS | {FlowCommands}
    BINDINGS = flow_bindings() + [Binding("q", "quit", "Quit")]

    def __init__(self, path: Path):
        super().__init__()
        self.session = EditSession.open(path)
        for t in themes.load_themes().themes:
            self.register_theme(t)
        self.theme = themes.DEFAULT_THEME

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield Static("", id="host")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        ws = self.session.workspace
        lines = [f"Workspace: {self.session.path}", f"Mode: {ws.mode} ({ws.mode_reason})", ""]
        lines += [f"  {f.key.split(',')[0]}  {f.description}" for f in FLOWS]
        self.query_one("#host", Static).update("\n".join(lines))

    def _done(self, result) -> None:
        if isinstance(result, dict) and result.get("written"):
            for p in list(self.session.buffers):
                try:
                    self.session.reload(p)
                except OSError:
                    pass
            self.session = EditSession.open(self.session.path, cwd=self.session.cwd)
            self.show()

    def _open_flow(self, flow) -> None:
        flow.open(self, self.session, self._done)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        path = Path(argv[0])
    else:
        from lsc_tui.demo import copy_demo

        path = copy_demo()
    TryFlows(path).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
