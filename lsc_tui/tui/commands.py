"""The command palette (`:` or ctrl+p): every action of the key map, plus themes, baselines and
the Kubernetes exports."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from lsc_tui.tui.keymap import KEYS

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp

# (name, help, callback) of one palette entry
PaletteCommand = tuple[str, str, Callable[[], object]]


class ListedCommands(Provider):
    """A palette provider over a list of (name, help, callback) that ``_commands`` returns."""

    def _commands(self) -> list[PaletteCommand]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class LscCommands(ListedCommands):
    def _commands(self) -> list[PaletteCommand]:
        app = cast("LscTuiApp", self.app)  # the palette is only ever LscTuiApp's
        out: list[PaletteCommand] = []
        for k in KEYS:
            if not k.palette:
                continue
            if k.write and app.readonly:
                continue
            out.append((k.description, f"keys: {k.display}", partial(app.run_action, k.action)))
        for name in app.lsc_theme_names():
            out.append((f"Theme: {name}", "switch theme (remembered)", partial(app.set_theme_by_name, name)))
        session = app.session
        if session is None:  # still opening the config: the keys and themes only
            out.append(("Quit", "keys: q, ctrl+q", partial(app.run_action, "quit_app")))
            return out
        from lsc_tui.config.session import diff_baselines  # the session is open: the core is loaded

        ws = session.workspace
        for which, label in diff_baselines(ws).items():
            out.append((f"Diff against the {label}", "diff baseline", partial(app.set_baseline, which)))
        if ws.mode == "unified" and not app.readonly:
            from lsc_tui.config.workspace import profile_choices  # the session is open: the core is loaded

            for choice in profile_choices(ws):
                if not choice.active:
                    out.append(
                        (
                            f"Switch to {choice.kind} {choice.name}",
                            "named profile: preview before saving",
                            partial(app.switch_profile, choice.name, choice.kind),
                        )
                    )
        from lsc_tui.tui.k8s_commands import palette_commands

        out.extend(palette_commands(app))
        from lsc_tui.tui import server_env

        out.extend(server_env.palette_commands(app))
        from lsc_tui.tui import lcore_release

        out.extend(lcore_release.palette_commands(app))
        out.extend(lcore_release.upgrade_commands(app))
        out.append(("Quit", "keys: q, ctrl+q", partial(app.run_action, "quit_app")))
        return out
