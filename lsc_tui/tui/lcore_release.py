"""Palette: "Target LCORE release…", the release the preview answers for.

The core recomputes validation, mode and the synthesized run.yaml for the chosen release
(``EditSession.set_target``); this asks which release and reports what happened. The header
shows the release (``LCORE 0.6.x``, or ``LCORE main (default)`` when nothing named one).
"""

from __future__ import annotations

from functools import partial

# one key per release in the chooser: the digit of its minor version, m for main, n for newer
_KEYS = {"0.5": "5", "0.6": "6", "0.7.0rc1": "7", "main": "m", "newer": "n"}


def palette_commands(app) -> list[tuple[str, str, object]]:
    session = getattr(app, "session", None)
    if session is None or session.workspace.kind != "lightspeed-stack":
        return []
    return [("Target LCORE release…", f"now {session.target.describe()}", partial(ask_release, app))]


def chooser(current) -> "Choice":  # noqa: F821 (lazy import)
    from lsc_tui.config.releases import RELEASES, Target
    from lsc_tui.tui.model import target_words
    from lsc_tui.tui.screens.dialogs import Choice

    def button_id(key: str) -> str:  # a widget id: letters, digits, - and _ only
        return f"lcore-{key.replace('.', '_')}"

    class ReleaseChoice(Choice):
        def on_mount(self) -> None:  # the release in use stands out, and Enter keeps it
            from textual.widgets import Button

            for button in self.query(Button):
                button.variant = "primary" if button.id == button_id(current.release.key) else "default"
                if button.variant == "primary":
                    button.focus()

    lines = [f"Now: {current.describe()}.", "",
             "Validation, the mode and the run.yaml preview follow the release you choose; "
             "the files are not changed. Esc: keep it."]
    choices = []
    for release in RELEASES:
        words = target_words(Target(release, "editor")).removeprefix("LCORE ")
        choices.append((button_id(release.key), f"{words} ({_KEYS[release.key]})", _KEYS[release.key]))
    return ReleaseChoice("Target LCORE release", "\n".join(lines), choices)


def ask_release(app) -> None:
    session = app.session

    def answer(choice) -> None:
        if choice and choice.startswith("lcore-"):
            use_release(app, choice.removeprefix("lcore-").replace("_", "."))

    app.push_screen(chooser(session.target), answer)


def use_release(app, key: str) -> None:
    from lsc_tui.config.releases import Target, parse_release
    from lsc_tui.config.releases.detect import SOURCE_EDITOR

    target = Target(parse_release(key), SOURCE_EDITOR)
    app.submit(lambda s: s.set_target(target), "edit",
               lambda _r: app.notify(f"Previewing for {target.describe()}.", timeout=5))
