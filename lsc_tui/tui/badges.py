"""How a state badge looks (E, W, S, O in the tree, the header counts, the findings' column).

Reverse video, so a badge reads as a block in every theme; with NO_COLOR=1 (Textual's
``App.no_color``) the block has no colour at all: a coloured one turns grey on grey there.
"""

from __future__ import annotations

COLOURS = {"error": "red", "warning": "yellow", "secret": "magenta", "override": "cyan", "info": "cyan"}


def badge_style(state: str, no_color: bool = False) -> str:
    if no_color:
        return "bold reverse"
    return f"bold reverse {COLOURS[state]}"
