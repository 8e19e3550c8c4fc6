"""The footer: the keys that work where the focus is, in the width there is.

Textual's footer lists every shown binding and cuts the last one at the edge (`/ Filte` at 80
columns). This one drops whole keys instead, the least useful first (the key map's order puts
the most useful first), and while a text field is being edited it shows only the keys that work
there: the ctrl and F-key alternatives, not the letters, which the field takes as text.
"""

from __future__ import annotations

import re
import sys

from textual.app import ComposeResult
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from lsc_tui.tui import keymap
from rich.cells import cell_len

# Keys that type a character into a text field (and so do not reach the key map there).
_NON_TYPING = re.compile(
    r"(ctrl|shift|alt|super)\+.*|f\d{1,2}|escape|enter|tab|delete|backspace|"
    r"up|down|left|right|home|end|pageup|pagedown|insert"
)


def types_text(key: str) -> bool:
    return _NON_TYPING.fullmatch(key) is None


def editing(widget) -> bool:
    """Is ``widget`` a text field taking keystrokes as text?"""
    # Textual's TextArea module is not imported for this (it loads after the first paint, with the
    # node editor): until it is loaded no widget can be one
    text_area = sys.modules.get("textual.widgets._text_area")
    if text_area is not None and isinstance(widget, text_area.TextArea):
        return not widget.read_only
    return isinstance(widget, Input) and not widget.disabled


def key_width(key_display: str, description: str, compact: bool) -> int:
    """The cells a FooterKey takes, from Textual's FooterKey CSS (key padding 0 1, description
    padding 0 1 0 0; compact: no key padding, description padding 0 0 0 1, margin-right 1).
    Computed, not measured: a key just mounted has no styles yet, and measuring it then says
    everything fits."""

    key, desc = cell_len(key_display), cell_len(description)
    if compact:
        return key + (1 + desc if description else 0) + 1
    return key + 2 + (desc + 1 if description else 0)


class KeyFooter(Footer):
    """Footer keys chosen for the focus and fitted to the width (see the module doc)."""

    _shown_keys: tuple | None = None  # what the last compose showed

    def _keys(self) -> list[tuple]:
        """(key, display, description, action, enabled, tooltip) of each key to show."""
        screen = self._keys_screen()
        in_field = editing(screen.focused)
        chosen: dict[str, tuple] = {}  # action -> (binding, enabled, tooltip)
        for _ns, binding, enabled, tooltip in screen.active_bindings.values():
            label = keymap.EDITING_FOOTER.get(binding.action) if in_field else None
            if not (binding.show or label):
                continue
            if in_field and types_text(binding.key):
                continue
            if binding.action not in chosen:
                chosen[binding.action] = (binding, enabled, tooltip, label or binding.description)
        keys = []
        for binding, enabled, tooltip, description in chosen.values():
            # in a field the key shown is the one that works there (the binding's own display
            # names the first of its keys, often a letter)
            display = keymap.key_name(binding.key) if in_field else self.app.get_key_display(binding)
            keys.append((binding.key, display, description, binding.action, enabled, tooltip))
        return keys

    def _keys_screen(self):
        """The screen whose keys work now: a dialog over this footer's screen (the add prompt, a
        confirmation, the command palette) takes the keys (the editor's do not reach past it),
        and this footer stays visible under it. Its push and pop refresh this screen's bindings."""
        stack = self.app.screen_stack
        return stack[-1] if stack and self.screen in stack else self.screen

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        keys = self._keys()
        self._shown_keys = tuple(keys)
        fitting = self._fitting([(display, description) for _key, display, description, *_rest in keys])
        for (key, display, description, action, enabled, tooltip), fits in zip(keys, fitting):
            widget = FooterKey(key, display, description, action, disabled=not enabled, tooltip=tooltip)
            # made with the footer's compactness already: a FooterKey starts compact and the binding
            # then unsets it, each change a restyle of the key (two per key, most of a remount's cost)
            widget.set_reactive(FooterKey.compact, self.compact)
            # and shown or not as it fits: hiding it after the refresh asked for one more layout
            widget.display = fits
            yield widget.data_bind(compact=KeyFooter.compact)

    def on_mount(self) -> None:
        super().on_mount()
        self.show_command_palette = False  # ':' and ctrl+p are in the key map (help, docs/keys.md)

    def on_resize(self) -> None:
        self._fit()

    def bindings_changed(self, screen) -> None:
        # Textual's footer keeps what it shows while the app has no focus (so that it does not
        # change when the focus leaves the terminal); a footer that shows nothing yet stayed
        # empty until then. Under `lsc-tui serve` a page starts without the focus, and showed no
        # key until it was clicked: the keys show at once.
        super().bindings_changed(screen)
        if not self.app.app_focus and not self._shown_keys and self.is_attached and screen is self.screen:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        # Textual recomposes the footer whenever the bindings may have changed (every focus
        # change, every refresh of the bindings); remounting the same keys costs milliseconds
        # of a frame (a dozen times while the editor opens): only a change is shown.
        if (
            self._shown_keys is not None
            and self._bindings_ready
            and self.is_attached
            and tuple(self._keys()) == self._shown_keys
        ):
            return
        await super().recompose()
        self.call_after_refresh(self._fit)

    def _fitting(self, keys: list[tuple[str, str]]) -> list[bool]:
        """Which of the keys ((display, description) each) fit whole, in order, in the footer's
        width; all of them while it has none yet."""
        width = self.size.width
        if not width:
            return [True] * len(keys)
        used = 0
        fits = True
        out = []
        for display, description in keys:
            need = key_width(display, description, self.compact)
            fits = fits and used + need <= width
            if fits:
                used += need
            out.append(fits)
        return out

    def _fit(self) -> None:
        """Show the keys that fit whole, in order; the rest are dropped, never cut."""
        if not self.size.width:
            return
        keys = list(self.query(FooterKey))
        for key, fits in zip(keys, self._fitting([(k.key_display, k.description) for k in keys])):
            if key.display != fits:
                key.display = fits
