"""Everything the editor needs to offer the flows, so wiring them in is four lines::

    class LscTuiApp(FlowActions, App):
        COMMANDS = App.COMMANDS | {LscCommands, FlowCommands}
        BINDINGS = keymap.app_bindings() + flow_bindings()
        ...
        def main_ready(self):
            ...
            offer_migration(self, self.session)

The app must have ``self.session`` (the EditSession). Flows are modal screens: while one is
open, the app's own bindings (these included) are inactive, so a flow never opens on top of
another one.
"""

from __future__ import annotations

from functools import partial

from textual.binding import Binding

from lsc_tui.tui.commands import ListedCommands
from lsc_tui.tui.flows import FLOWS, Flow


def flow_bindings(show: bool = True) -> list[Binding]:
    """One binding per flow, shown in the footer with its first key."""
    return [Binding(f.key, f.action, f.title, show=show, key_display=f.key.split(",")[0], id=f.action)
            for f in FLOWS]


class FlowActions:
    """Mixin for the App: ``action_flow_migrate``, ``action_flow_secrets``, ``action_flow_preflight``."""

    def _open_flow(self, flow: Flow) -> None:
        editor = getattr(self, "_editor", None)
        if callable(editor):  # the editor keeps a typed value that has not been applied yet
            editor().flush()
        flow.open(self, self.session)

    def action_flow_migrate(self) -> None:
        self._open_flow(FLOWS[0])

    def action_flow_secrets(self) -> None:
        self._open_flow(FLOWS[1])

    def action_flow_preflight(self) -> None:
        self._open_flow(FLOWS[2])


class FlowCommands(ListedCommands):
    """The flows in the command palette (`:` or ctrl+p)."""

    def _commands(self):
        app = self.app
        for f in FLOWS:
            keys = " ".join(k for k in f.key.split(","))
            yield f.description, f"keys: {keys}", partial(app.run_action, f.action)
