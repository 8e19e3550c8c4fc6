"""`--lcore VERSION` and `--python PY`: the LCORE release a command answers for.

Every command that reads a lightspeed-stack.yaml takes them. Without ``--lcore`` the release is
detected (the project's ``.lsc-tui.yaml``, the lightspeed-stack installed in ``--python``, an
LCORE image tag in a Kubernetes file; :mod:`lsc_tui.config.releases.detect`), and when nothing
names one the target is main, said as a default.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lsc_tui.config.findings import FindingError

if TYPE_CHECKING:
    from lsc_tui.config.releases.detect import Detection

EXIT_BAD_INPUT = 2


class TargetError(FindingError):
    """The release cannot be decided (a bad setting, an interpreter that does not run): located
    findings naming the file or option and how to fix it."""


def release_type(text: str):
    from lsc_tui.config.releases import UnknownRelease, parse_release

    try:
        return parse_release(text)
    except UnknownRelease as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser, *, python: bool = True) -> None:
    parser.add_argument(
        "--lcore",
        metavar="VERSION",
        type=release_type,
        default=None,
        help="the LCORE release to answer for: 0.5, 0.6 (0.6.0-0.6.2), 0.7.0rc1, main or "
        "newer (default: detected, else main; see docs/lcore-versions.md)",
    )
    if python:
        parser.add_argument(
            "--python",
            metavar="PY",
            default=None,
            help="the server's Python interpreter: the lightspeed-stack installed there "
            "names the LCORE release (when --lcore is not given)",
        )


def resolve(args, path) -> "Detection":
    """The target for ``path`` (a config, a directory, an operator file) from the options,
    the project file and detection. Raises TargetError."""
    from lsc_tui.config.releases.detect import DetectError, detect_target

    lcore = getattr(args, "lcore", None)
    python = getattr(args, "python", None)
    start = _start_dir(path)
    try:
        found = detect_target(lcore=lcore, start=start, python=python)
        if found.target.is_default and path is not None:
            documents = _kubernetes_documents(path)
            if documents:
                again = detect_target(documents=documents)
                found = type(found)(again.target, found.notes + again.notes)
    except DetectError as exc:
        raise TargetError(exc.findings) from None
    return found


def _start_dir(path) -> Path:
    p = Path(path) if path is not None else Path.cwd()
    try:
        return p if p.is_dir() else (p.parent if str(p.parent) else Path("."))
    except OSError:
        return p.parent


def _kubernetes_documents(path) -> list:
    """The documents of a Kubernetes file (a CR and what comes with it), else none. Read with
    the guarded reader; a file that cannot be read is the command's to report, not this."""
    from lsc_tui.config.yaml import files
    from lsc_tui.config.operator import kinds
    from lsc_tui.config.workspace import WorkspaceError, find_config, open_root

    try:  # a file without an image names no release: not parsed twice for nothing
        if "image:" not in files.read_text(find_config(Path(path)))[0]:
            return []
        _path, doc = open_root(path)
    except (WorkspaceError, files.ReadRefused, OSError):
        return []
    data = doc.all_data or [doc.data]
    return data if kinds.detect(data, Path(path)) is not None else []


def report(found, *, quiet: bool = False) -> None:
    """The notes of a detection on stderr (what was looked at and could not say)."""
    if quiet:
        return
    for note in found.notes:
        print(f"note: LCORE release: {note}", file=sys.stderr)


def resolve_reported(args, path, command: str, json_report) -> "Detection | None":
    """``resolve`` for a command with a ``--json`` object (``json_report``, None without
    ``--json``): the detection's notes on stderr, or under ``--json`` the release in the
    object's ``lcore``; None once it has said why the release cannot be decided (exit 2)."""
    try:
        found = resolve(args, path)
    except TargetError as exc:
        error(command, exc, json_report)
        return None
    if json_report is not None:
        json_report.data["lcore"] = found.to_json()
    report(found, quiet=json_report is not None)
    return found


def error(command: str, exc: TargetError, report=None) -> int:
    """Say why on stderr (and, under ``--json``, in ``report``'s findings); the exit code."""
    print(f"lsc-tui {command}: {exc}", file=sys.stderr)
    if report is not None:
        report.add_findings(exc.findings)
    return EXIT_BAD_INPUT
