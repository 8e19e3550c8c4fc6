"""The guided flows of the editor: migration wizard, secrets review, preflight panel.

Each flow is a full-size modal screen over an :class:`~lsc_tui.config.session.EditSession`.
``FLOWS`` is what the main app wires into its key bindings, footer and command palette::

    for action, key, title, description, open_fn in FLOWS:
        # Binding(key, action, title, show=True); action_<action> = lambda: open_fn(app, app.session)

``open_fn(app, session, on_done=None)`` pushes the screen; ``on_done(result)`` is called when
it closes (see docs/flows.md for the results). When a flow wrote files, the result says so
and the editor should re-check the disk (``action_check_disk``) so its buffers follow.
"""

from __future__ import annotations

from typing import Callable, NamedTuple


class Flow(NamedTuple):
    action: str
    key: str  # Textual key names, comma separated
    title: str
    description: str
    open: Callable  # open(app, session, on_done=None)


def open_migrate(app, session, on_done=None) -> None:
    from lsc_tui.tui.flows.migrate_wizard import open_wizard

    open_wizard(app, session, on_done)


def open_secrets(app, session, on_done=None) -> None:
    from lsc_tui.tui.flows.secrets_review import open_review

    open_review(app, session, on_done)


def open_preflight(app, session, on_done=None) -> None:
    from lsc_tui.tui.flows.preflight_panel import PreflightPanel

    app.push_screen(PreflightPanel(session), on_done)


FLOWS: list[Flow] = [
    Flow("flow_migrate", "M,f9", "Migrate",
         "Migrate this legacy config to the unified format (wizard, with proof)", open_migrate),
    Flow("flow_secrets", "S", "Secrets",
         "Review literal secrets and move them to .env or a Kubernetes Secret", open_secrets),
    Flow("flow_preflight", "P,f8", "Preflight",
         "Preflight: check every provider of the synthesized run.yaml in the server's Python", open_preflight),
]

__all__ = ["FLOWS", "Flow", "open_migrate", "open_secrets", "open_preflight"]
