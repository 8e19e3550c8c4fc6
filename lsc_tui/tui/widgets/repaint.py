"""Updating a Static only when what it shows changes.

``Static.update`` asks Textual for a layout of the whole screen at the next frame; after every
keystroke the editor re-shows its header, the node's title and findings and the diff pane's
title, which mostly stay as they were. Laying out a screen full of form fields costs
milliseconds of the keystroke's frame (docs/benchmarks.md), so these go through ``show``.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import Static


def content_key(content) -> tuple | None:
    """What ``content`` shows, comparable (None: not known to be comparable)."""
    if isinstance(content, str):
        return ("str", content)
    if isinstance(content, Text):
        return (
            "text",
            content.plain,
            tuple(content.spans),
            str(content.style),
            content.justify,
            content.overflow,
            content.no_wrap,
            content.end,
        )
    if isinstance(content, Content):
        return ("content", content.plain, tuple(content.spans))
    return None


def show(widget: Static, content, *, same_size: bool = False) -> bool:
    """``widget.update(content)`` unless the widget already shows exactly that; ``same_size``:
    the caller knows the new content takes the widget's current size (no layout needed).
    Returns whether the widget was updated."""
    key = content_key(content)
    if key is not None and key == content_key(widget.content):
        return False
    widget.update(content, layout=not same_size)
    return True
