"""The language server's documents: every open file in the editing session it belongs to.

A file opened by the client joins the session of the ``lightspeed-stack.yaml`` that uses it
(next to it or one directory up: a legacy run.yaml, a profile), else it is the root of its
own session (a config, a run.yaml alone, an operator file: the kind is detected as the
editor does it, :func:`lsc_tui.config.workspace.open_root`). Changes go through the editor's
session engine: an edit inside one scalar is the editor's keystroke (``SetValue``, no
re-parse), anything else replaces the buffer. Text that is not YAML is kept aside with its
located error until it parses again. Nothing here writes a file.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import yaml

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.releases import DEFAULT_TARGET, Release, Target
from lsc_tui.config.releases.detect import DetectError, detect_target
from lsc_tui.config.session import EditSession, OperationError, SetValue
from lsc_tui.config.workspace import CONFIG_NAMES, WorkspaceError
from lsc_tui.config.yaml.document import Loader, parse_text
from lsc_tui.config.yaml.edit import replace_scalar
from lsc_tui.config.yaml.lint import YamlLoadError
from lsc_tui.config.yaml.nodes import key_value

log = logging.getLogger("lsc_tui.lsp")


class Documents:
    def __init__(self, env: dict | None = None, lcore: Release | None = None):
        self.env = env
        self.lcore = lcore  # `lsc-tui lsp --lcore`: every session answers for it
        self.sessions: list[EditSession] = []
        self.open: dict[Path, str] = {}  # the client's text of each open file
        self.broken: dict[Path, Finding] = {}  # open files whose text cannot be used, and why

    # -- lookup ------------------------------------------------------------------------------
    def session_for(self, path: Path) -> EditSession | None:
        path = Path(path)
        for s in self.sessions:
            if path in s.buffers:
                return s
        return None

    def files_of(self, path: Path) -> list[Path]:
        """The files whose diagnostics an event on ``path`` may change."""
        s = self.session_for(path)
        files = list(s.buffers) if s is not None else []
        return files if Path(path) in files else files + [Path(path)]

    def findings(self, path: Path) -> list[Finding]:
        """The findings located in ``path``: validation, synthesis and secret findings, as
        ``lsc-tui validate`` and ``lsc-tui secrets scan`` report them."""
        path = Path(path)
        if path in self.broken:
            return [self.broken[path]]
        s = self.session_for(path)
        if s is None:
            return []
        display = s.displays.get(path)
        displays = set(s.displays.values())
        out = [f for f in s.analysis.findings if f.file == display]
        if path == s.path:  # findings about no file of the session (a builtin, a missing file): the root shows them
            out += [f for f in s.analysis.findings if f.file not in displays]
        return out

    # -- events ------------------------------------------------------------------------------
    def opened(self, path: Path, text: str) -> None:
        path = Path(path)
        self.open[path] = text
        s = self.session_for(path)
        if s is not None:
            self._take(s, path, text)
            return
        self._start(path, text)

    def changed(self, path: Path, text: str, span: tuple[int, int] | None = None) -> None:
        """``span``: the (start, end) offsets the change replaced in the previous text, when the
        client sent one ranged change (what makes a keystroke cheap)."""
        path = Path(path)
        self.open[path] = text
        s = self.session_for(path)
        if s is None or path in self.broken:
            self.broken.pop(path, None)
            if s is None:
                self._start(path, text)
                return
        self._take(s, path, text, span)

    def saved(self, path: Path) -> None:
        path = Path(path)
        s = self.session_for(path)
        if s is not None and path not in self.broken:
            s.mark_saved(path)

    def closed(self, path: Path) -> list[Path]:
        """Forget a closed file; returns the files whose diagnostics are gone with it."""
        path = Path(path)
        self.open.pop(path, None)
        self.broken.pop(path, None)
        s = self.session_for(path)
        if s is None:
            return [path]
        if any(p in self.open for p in s.buffers):
            return []
        self.sessions.remove(s)
        return list(s.buffers)

    # -- internals ---------------------------------------------------------------------------
    def _start(self, path: Path, text: str) -> None:
        try:
            parse_text(text, path.name, path, multi=True)
        except YamlLoadError as exc:
            self.broken[path] = _located(exc.finding, path)
            return
        for owner in _owners(path):
            try:
                s = EditSession.open(
                    owner,
                    cwd=owner.parent,
                    env=self.env,
                    texts=self._texts_near(owner),
                    target=self._target(owner.parent),
                )
            except (WorkspaceError, OperationError, YamlLoadError):
                continue
            if path in s.displays:
                self.sessions.append(s)
                self._take(s, path, text)
                return
        try:
            s = EditSession.open(
                path, cwd=path.parent, env=self.env, texts={path: text}, target=self._target(path.parent)
            )
        except WorkspaceError as exc:
            self.broken[path] = _located(exc.finding, path)
            return
        self.sessions.append(s)

    def _target(self, folder: Path) -> Target:
        """The release a session answers for: --lcore, else the project's .lsc-tui.yaml, else main.
        A setting that names no release is logged (the client's output) and main is used."""
        try:
            return detect_target(lcore=self.lcore, start=folder).target
        except DetectError as exc:
            log.warning("%s; answering for LCORE main", exc.located_text().replace("\n", " "))
            return DEFAULT_TARGET

    def _texts_near(self, owner: Path) -> dict[Path, str]:
        """The open texts of the config and of the files beside it (its run.yaml or profiles)."""
        folder = owner.parent
        return {
            p: t
            for p, t in self.open.items()
            if (p.parent == folder or p.parent.parent == folder) and p not in self.broken
        }

    def _take(self, s: EditSession, path: Path, text: str, span: tuple[int, int] | None = None) -> None:
        if s.buffers.get(path) == text:
            self.broken.pop(path, None)
            return
        try:
            if span is None or not self._keystroke(s, path, text, span):
                s.set_text(path, text)
            s.clear_history()
            self.broken.pop(path, None)
        except OperationError as exc:
            # not YAML: show where, keep the last good analysis for the rest
            self.broken[path] = _yaml_error(s, path, text, exc)
        except WorkspaceError as exc:  # e.g. the root became empty or a list
            self.broken[path] = _located(exc.finding, path, s.displays.get(path))

    def _keystroke(self, s: EditSession, path: Path, text: str, span: tuple[int, int]) -> bool:
        """Apply an edit inside one scalar as the editor's SetValue; False when it is not one."""
        try:
            doc = s.document(path)
        except OperationError:
            return False
        if doc.text != s.buffers[path] or len(doc.roots) != 1:
            return False
        hit = scalar_edit(doc, span, text)
        if hit is None:
            return False
        try:
            s.apply(SetValue(path, hit[0], hit[1]))
        except OperationError:
            return False
        return s.buffers[path] == text


def scalar_edit(doc, span: tuple[int, int], new_text: str) -> tuple[tuple, object] | None:
    """``(path, value)`` when ``new_text`` is ``doc``'s text with one block scalar's value
    changed (and rendered as the editor renders it), else None."""
    start, end = span
    node = doc.root
    path: tuple[object, ...] = ()
    while node is not None and node.kind in ("map", "seq"):
        if node.flow:
            return None
        nxt = None
        pairs = (
            [(key_value(k), child) for k, child in node.items] if node.kind == "map" else list(enumerate(node.items))
        )
        for key, child in pairs:
            if child.start <= start and end <= child.end:
                nxt = (child, key)
                break
        if nxt is None:
            return None
        node, path = nxt[0], path + (nxt[1],)
    if node is None or node.kind != "scalar" or node.style in ("|", ">") or not path:
        return None
    delta = len(new_text) - len(doc.text)
    raw = new_text[node.start : node.end + delta]
    if not raw or "\n" in raw or "#" in raw:
        return None

    try:
        value = yaml.load(raw, Loader=Loader)
    except yaml.YAMLError:
        return None
    if not (value is None or isinstance(value, (str, int, float, bool))):
        return None
    try:
        if replace_scalar(doc, path, value) != new_text:
            return None
    except Exception:  # a value the renderer refuses: the whole text is taken instead
        return None
    return path, value


def _owners(path: Path) -> list[Path]:
    """The lightspeed-stack.yaml files that may use ``path`` (beside it, or one level up)."""
    out = []
    for folder in (path.parent, path.parent.parent):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate != path and candidate.is_file():
                out.append(candidate)
    return out


def _yaml_error(s: EditSession, path: Path, text: str, exc: OperationError) -> Finding:
    display = s.displays.get(path, path.name)
    try:
        parse_text(text, display, path, stream=s.is_stream(path))
    except YamlLoadError as err:
        return err.finding
    return Finding(display, 1, 1, Severity.ERROR, "yaml-syntax", str(exc), "Fix the YAML at the place named.")


def _located(finding: Finding, path: Path, display: str | None = None) -> Finding:
    """A load error, named for the file it is about (the message is the core's)."""
    return dataclasses.replace(finding, file=display or finding.file)
