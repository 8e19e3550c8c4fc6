"""A file's form survives lsc-tui's edits: its byte order mark and its line ends.

The YAML layer and the migration write the lines they add or re-emit with LF and without a BOM
(ruamel's emitter, a provider inserted, a node's YAML typed in the editor, a ``config:``
block). In a file written with CRLF that would turn every line the emitter touched, or the
whole file, into LF (a diff of every line for one change), and a BOM would be dropped. The
edited text is put back into the file's own form here.
"""

from __future__ import annotations

BOM = "\ufeff"


def is_crlf(text: str) -> bool:
    """Every line of ``text`` ends in CRLF (and it has at least one). A file that mixes both is
    not CRLF: its lone LFs are its own, and nothing is changed in it. (Counted by single
    characters: a stray CR on its own is too rare to pay a two-character count on every key.)"""
    lines = text.count("\n")
    return lines > 0 and text.count("\r") == lines


def keep_form(original: str, text: str) -> str:
    """``text`` with the BOM of ``original`` (if it has one) and CRLF line ends when ``original``
    has them throughout; else ``text`` as it is. On the editor's keystroke path: an LF file
    without a BOM costs one scan for a CR; a CRLF file two counts of each text, and the
    conversion only when an edit brought lines in LF."""
    if original.startswith(BOM) and not text.startswith(BOM):
        text = BOM + text
    if "\r" not in original or not is_crlf(original) or is_crlf(text):
        return text
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
