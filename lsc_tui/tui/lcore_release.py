"""Palette: "Target LCORE release…", the release the preview answers for.

The core recomputes validation, mode and the synthesized run.yaml for the chosen release
(``EditSession.set_target``); this asks which release and reports what happened. The header
shows the release (``LCORE 0.6.x``, or ``LCORE main (default)`` when nothing named one).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Static

from lsc_tui.config.findings import Finding
from lsc_tui.config.masking import mask_inline
from lsc_tui.config.releases import RELEASES, Target, parse_release
from lsc_tui.config.releases.compare import CompareInputError, compare
from lsc_tui.config.releases.detect import SOURCE_EDITOR
from lsc_tui.tui.model import target_words
from lsc_tui.tui.screens.dialogs import Choice
from lsc_tui.tui.screens.text_page import TextPage
from lsc_tui.tui.widgets.diff_pane import diff_content

# one key per release in the chooser: the digit of its minor version, m for main, n for newer
_KEYS = {"0.5": "5", "0.6": "6", "0.7.0rc1": "7", "main": "m", "newer": "n"}


def palette_commands(app) -> list[tuple[str, str, Callable[[], None]]]:
    session = app.session
    if session is None or session.workspace.kind != "lightspeed-stack":
        return []
    return [("Target LCORE release…", f"now {session.target.describe()}", partial(ask_release, app))]


def chooser(current, title: str = "Target LCORE release", body: str = "", focus=None) -> Choice:
    """A button per release; the release in use stands out, ``focus`` (default: the one in use) has
    the focus, so Enter takes it."""

    def button_id(key: str) -> str:  # a widget id: letters, digits, - and _ only
        return f"lcore-{key.replace('.', '_')}"

    class ReleaseChoice(Choice):
        def on_mount(self) -> None:

            wanted = button_id((focus or current.release).key)
            for button in self.query(Button):
                button.variant = "primary" if button.id == button_id(current.release.key) else "default"
                if button.id == wanted:
                    button.focus()

    lines = (
        [
            f"Now: {current.describe()}.",
            "",
            "Validation, the mode and the run.yaml preview follow the release you choose; "
            "the files are not changed. Esc: keep it.",
        ]
        if not body
        else [body]
    )
    choices = []
    for release in RELEASES:
        words = target_words(Target(release, "editor")).removeprefix("LCORE ")
        choices.append((button_id(release.key), f"{words} ({_KEYS[release.key]})", _KEYS[release.key]))
    return ReleaseChoice(title, "\n".join(lines), choices)


def ask_release(app) -> None:
    session = app.session

    def answer(choice) -> None:
        if choice and choice.startswith("lcore-"):
            use_release(app, choice.removeprefix("lcore-").replace("_", "."))

    app.push_screen(chooser(session.target), answer)


def use_release(app, key: str) -> None:

    target = Target(parse_release(key), SOURCE_EDITOR)
    app.submit(
        lambda s: s.set_target(target), "edit", lambda _r: app.notify(f"Previewing for {target.describe()}.", timeout=5)
    )


# -- "What changes if I upgrade LCORE…" ----------------------------------------------------------
def upgrade_commands(app) -> list[tuple[str, str, Callable[[], None]]]:
    session = app.session
    if session is None or session.workspace.kind != "lightspeed-stack":
        return []
    return [
        (
            "What changes if I upgrade LCORE…",
            f"the run.yaml and the keys to rename, from {target_words(session.target)} to another release",
            partial(ask_upgrade, app),
        )
    ]


def ask_upgrade(app) -> None:
    session = app.session
    current = session.target

    def answer(choice) -> None:
        if choice and choice.startswith("lcore-"):
            show_upgrade(app, choice.removeprefix("lcore-").replace("_", "."))

    # Enter takes the release after the one in use (the usual upgrade); the newest offers itself
    later = [r for r in RELEASES if r.order > current.release.order]
    dialog = chooser(
        current,
        focus=later[0] if later else None,
        title="What changes if I upgrade LCORE",
        body=f"From {current.describe()} to which release? The run.yaml each release runs for "
        "this config (with the keys renamed for the new one) is compared. Nothing is written.",
    )
    app.push_screen(dialog, answer)


def show_upgrade(app, key: str) -> None:

    new = Target(parse_release(key), "editor")

    def work(session):
        try:
            return compare(
                session.path,
                session.target,
                new,
                cwd=session.cwd,
                overlay=dict(session.buffers),
                server_env=session.server_env,
                server_env_source=session.server_env_source,
            )
        except CompareInputError as exc:
            return exc.finding

    def done(result) -> None:

        if isinstance(result, Finding):
            app.notify(result.message, title="Cannot compare the releases", severity="error", timeout=8)
            return
        app.push_screen(UpgradeView(result))

    app.submit(work, "compare", done)


def upgrade_text(c) -> str:
    """The comparison as the editor shows it: the keys to rename, what has no equivalent, the
    verdict (the run.yaml diff follows it). Values masked."""

    lines = [f"{c.old.release.label} -> {c.new.release.label}: {c.verdict()}", ""]
    if c.rewrite.steps:
        lines.append(f"Keys to rename (lsc-tui migrate --to {c.new.release.key} writes them):")
        lines += [f"  {s.to_text()}" for s in c.rewrite.steps]
    else:
        lines.append("Keys to rename: none")
    if c.rewrite.findings:
        lines += ["", f"No equivalent in {c.new.release.label}:"]
        lines += [f"  line {f.line}: {mask_inline(f.message)}" for f in c.rewrite.findings]
    for label, errors in ((c.old.release.label, c.old_findings), (c.new.release.label, c.new_findings)):
        if errors:
            lines += [
                "",
                f"{label} synthesizes nothing: {len(errors)} error(s), first: {mask_inline(errors[0].message)}",
            ]
    return "\n".join(lines)


class UpgradeView(TextPage):
    """The comparison of two releases: text, then the run.yaml diff; esc or q closes."""

    SCROLL_ID = "upgrade-scroll"
    DEFAULT_CSS = """
    UpgradeView { align: center middle; }
    UpgradeView > Vertical { width: 100; max-width: 100%; height: 90%; border: thick $primary; background: $surface; }
    UpgradeView #upgrade-title { height: 1; text-style: bold; }
    UpgradeView .diff { text-wrap: nowrap; }
    """
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", show=False),
    ]

    def __init__(self, comparison) -> None:
        super().__init__()
        self.comparison = comparison

    def compose(self) -> ComposeResult:

        c = self.comparison
        with Vertical():
            yield Static(" What changes if I upgrade LCORE (esc closes; j/k scroll)", id="upgrade-title", markup=False)
            with VerticalScroll(id="upgrade-scroll"):
                yield Static(upgrade_text(c), markup=False)
                if c.diff_text:
                    yield Static(diff_content(c.diff_text), classes="diff")
