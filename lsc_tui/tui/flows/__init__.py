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

from typing import NamedTuple
from collections.abc import Callable


class Flow(NamedTuple):
    action: str
    key: str  # Textual key names, comma separated
    title: str
    description: str
    open: Callable  # open(app, session, on_done=None)


def _after(app, on_done):
    """Call ``on_done``; when the flow wrote files, let the editor re-read them from disk."""

    def done(result) -> None:
        if isinstance(result, dict) and result.get("written"):
            check = getattr(app, "action_check_disk", None)
            if check is not None:
                try:
                    check(quiet=True)
                except TypeError:
                    check()
        if on_done is not None:
            on_done(result)

    return done


def open_migrate(app, session, on_done=None) -> None:
    """Push the migration wizard. Result: None (cancelled) or {"written": [...], "backups": [...]}."""
    from lsc_tui.tui.flows.migrate_wizard import MigrateWizard

    app.push_screen(MigrateWizard(session), _after(app, on_done))


def open_secrets(app, session, on_done=None) -> None:
    """Push the secrets review. Result: {"written": [...]} (empty when nothing was applied)."""
    from lsc_tui.tui.flows.secrets_review import SecretsReview

    app.push_screen(SecretsReview(session), _after(app, on_done))


def open_preflight(app, session, on_done=None) -> None:
    """Push the preflight panel (the run goes on if it is closed). Result: the run's status."""
    from lsc_tui.tui.flows.preflight_panel import PreflightPanel

    app.push_screen(PreflightPanel(session), on_done)


def offer_migration(app, session, on_done=None, *, once: bool = True, after_answer=None) -> bool:
    """On opening a legacy config: ask whether to migrate now (m) or later (l/esc).

    Asked once per config file (``once``): the answer is remembered in the state directory
    (lsc_tui.tui.offers) and the question is not asked again; M opens the wizard any time.
    Returns True when the question was shown; ``after_answer()`` runs once it is answered.
    The editor calls this once after loading.
    """
    from lsc_tui.tui import offers
    from lsc_tui.tui.flows.migrate_wizard import legacy_message

    message = legacy_message(session)
    if message is None:
        return False
    if once and offers.answer(session.path, "migration") is not None:
        return False
    from lsc_tui.tui.flows.migrate_wizard import MigrationOffer

    def answer(choice) -> None:
        if once:
            offers.remember(session.path, "migration", choice or "later")
        if choice != "migrate":
            if after_answer is not None:
                after_answer()
            return

        def closed(result) -> None:  # what follows the answer waits for the wizard: over it, it hid its text
            if after_answer is not None:
                after_answer()
            if on_done is not None:
                on_done(result)

        open_migrate(app, session, closed)

    app.push_screen(MigrationOffer(message), answer)
    return True


FLOWS: list[Flow] = [
    Flow(
        "flow_migrate",
        "M,f9",
        "Migrate",
        "Migrate this legacy config to the unified format (wizard, with proof)",
        open_migrate,
    ),
    Flow(
        "flow_secrets",
        "S",
        "Secrets",
        "Review literal secrets and move them to .env or a Kubernetes Secret",
        open_secrets,
    ),
    Flow(
        "flow_preflight",
        "P,f8",
        "Preflight",
        "Preflight: check every provider of the synthesized run.yaml in the server's Python",
        open_preflight,
    ),
]

__all__ = ["FLOWS", "Flow", "open_migrate", "open_secrets", "open_preflight", "offer_migration"]
