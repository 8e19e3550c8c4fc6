"""Saving YAML: the atomic save of a document's text (refusing a file changed on disk, checking
that the text reads back as the data meant) and the YAML written for new files.

Every save goes through the one writer, ``files.write_file``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml

from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.document import Loader
from lsc_tui.config.yaml.files import FileStamp, Written, stamp_of
from lsc_tui.config.yaml.lint import one_line


class FileChangedError(Exception):
    """The file on disk is not the one we read: we refuse to overwrite it."""

    def __init__(self, path: Path):
        super().__init__(
            f"{path}: the file changed on disk since lsc-tui read it; nothing was written. "
            "Reload it (or save elsewhere) and apply your edit again."
        )
        self.path = path


class VerifyError(Exception):
    """What a server would read from the written text is not what we meant."""


# -- saving -----------------------------------------------------------------------------


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def atomic_write(
    path: Path | str,
    text: str,
    *,
    expected: FileStamp | None | Literal[False] = False,
    mode: int | None = None,
    backup: bool = True,
    verify_data: Any = ...,
    workspace: Path | str | None = None,
    target: files.Target | None = None,
) -> Written:
    """Write ``text`` to ``path`` through ``files.write_file`` (atomic, 0600 temporary and backup
    files, owner and mode kept, special files written into, the symlink policy). Returns what
    was written (``.backup``: the backup path, if one was made; ``.notes``: what to tell).

    ``expected``: the stamp of the file as it was read (``None`` means "it did not exist");
    pass ``False`` to skip the check. A file that changed since raises FileChangedError and
    nothing is written. ``mode``: permission bits for the new file; default: the existing
    file's bits, or 0600 for a new file. ``verify_data``: when given, the written text must
    read back (PyYAML safe_load) to exactly this data. ``workspace``: given when the tool chose
    the path itself (see files.resolve_target); None when the operator named it.
    """
    path = Path(path)
    t = target or files.resolve_target(path, workspace=workspace)
    if expected is not False and not t.special:
        current = stamp_of(t.real)
        if expected is None and current is not None:
            raise FileChangedError(path)
        if expected is not None and (current is None or current.sha256 != expected.sha256):
            raise FileChangedError(path)
    if verify_data is not ...:
        try:
            got = yaml.load(text, Loader=Loader)
        except yaml.YAMLError as exc:
            raise VerifyError(
                f"{path}: the new text is not valid YAML ({one_line(str(exc))}); nothing was written"
            ) from None
        if got != verify_data:  # (multi-document text is verified by the caller)
            raise VerifyError(f"{path}: the new text would not read back as the intended data; nothing was written")
    return files.write_file(path, text, mode=mode, backup=backup, target=t)


def write_side_file(path: Path, text: str) -> Path:
    """Keep ``text`` (raw YAML that did not parse, typed for ``path``) in a new file beside it:
    ``NAME.unparsed.yaml`` (then ``.1``, ``.2``, ...), mode 0600 (it may hold secrets); never
    over an existing file. Returns the file written."""
    path = Path(path)
    n = 0
    while True:
        side = path.with_name(f"{path.name}.unparsed{'.' + str(n) if n else ''}.yaml")
        try:
            atomic_write(side, text, expected=None, mode=0o600, backup=False)
            return side
        except FileChangedError:
            n += 1  # taken: the next name


def dump_plain(data: Any) -> str:
    """Block-style YAML for new files we create from data (keys in insertion order)."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks (``|``), so an embedded config.yaml stays readable."""


def _str_block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_block)


def dump(data: Any, *, sort_keys: bool = True, block_strings: bool = False) -> str:
    """Deterministic block YAML that PyYAML's safe_load reads back to the same data."""
    return yaml.dump(
        data,
        Dumper=_BlockDumper if block_strings else yaml.SafeDumper,
        sort_keys=sort_keys,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
    )


def dump_all(docs: list[Any], *, sort_keys: bool = True, block_strings: bool = False) -> str:
    return yaml.dump_all(
        docs,
        Dumper=_BlockDumper if block_strings else yaml.SafeDumper,
        sort_keys=sort_keys,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
        explicit_start=True,
    )


def screen_text(data: Any, show_secrets: bool = False, *, sort_keys: bool = True) -> tuple[str, bool]:
    """YAML for a terminal: literal secrets (by key name) masked unless asked.
    Returns ``(text, anything_masked)``."""
    if show_secrets:
        return dump(data, sort_keys=sort_keys), False
    # deferred: the masking's secret detectors load only to show data; writing a file needs none
    from lsc_tui.config.masking import mask_tree

    masked = mask_tree(data)
    return dump(masked, sort_keys=sort_keys), masked != data
