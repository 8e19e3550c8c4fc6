"""A file's line ends survive lsc-tui's edits.

The YAML layer and the migration write the lines they add or re-emit with LF (ruamel's emitter,
a provider inserted, a node's YAML typed in the editor, a ``config:`` block). In a file written
with CRLF that would turn every line the emitter touched, or the whole file, into LF: a diff of
every line for one change. The edited text is put back into the file's own line ends here.
"""

from __future__ import annotations


def is_crlf(text: str) -> bool:
    """Every line of ``text`` ends in CRLF (and it has at least one). A file that mixes both is
    not CRLF: its lone LFs are its own, and nothing is changed in it. (Counted by single
    characters: a stray CR on its own is too rare to pay a two-character count on every key.)"""
    lines = text.count("\n")
    return lines > 0 and text.count("\r") == lines


def same_line_ends(original: str, text: str) -> str:
    """``text`` with CRLF line ends when ``original`` has them throughout; else ``text``.
    On the editor's keystroke path: an LF file costs one scan for a CR; a CRLF file two counts
    of each text, and the conversion only when an edit brought lines in LF."""
    if "\r" not in original or not is_crlf(original) or is_crlf(text):
        return text
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
