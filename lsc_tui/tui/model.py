"""What the screen shows, taken from the edit session in one snapshot.

Nothing here decides a config fact: findings, secrets, the synthesized run.yaml, its diff
and its provenance come from :class:`lsc_tui.config.session.EditSession`, the tree's nodes
from :mod:`lsc_tui.config.outline`. This module gathers them into one :class:`View` that every
pane renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lsc_tui.config import outline, preview
from lsc_tui.config.findings import Finding, Severity, finding_path
from lsc_tui.config.operator.kinds import LABELS as KIND_LABELS
from lsc_tui.config.outline import TreeItem
from lsc_tui.config.yamlio import Document

STATE_ORDER = ("error", "warning", "secret", "override")
BADGES = {"error": "E", "warning": "W", "secret": "S", "override": "O"}


@dataclass
class View:
    config_display: str
    mode: str
    mode_reason: str
    counts: dict
    dirty: bool
    dirty_files: list[str]
    can_undo: bool
    can_redo: bool
    tree: list[TreeItem]
    findings: list[Finding]
    secret_findings: list[Finding]
    secret_paths: set  # (display, path) of literal secrets
    diff_text: str
    baseline: str
    baseline_label: str
    run_lines: list[str]
    origins: list
    documents: dict  # display -> Document
    files: dict  # display -> Path
    short: dict = field(default_factory=dict)  # display -> file name (unique among the open files)
    preview_label: str = "run.yaml"  # what the preview pane shows: run.yaml, generated config.yaml, ...
    preview_note: str = ""  # why there is no preview, when the workspace says so
    validating: bool = False  # opened without the model validation yet (it follows in a job)

    def short_name(self, display: str) -> str:
        return self.short.get(display, display)

    def document(self, display: str) -> Document | None:
        return self.documents.get(display)

    def find_item(self, display: str, path: tuple) -> TreeItem | None:
        """The deepest tree item for ``path`` in ``display`` (or for one of its parents)."""
        best, best_len = None, -1
        for root in self.tree:
            for item in root.walk():
                if item.display != display or item.kind in ("group",):
                    continue
                n = len(item.path)
                if n > best_len and tuple(path[:n]) == tuple(item.path):
                    best, best_len = item, n
        return best

    def item_by_key(self, key: str) -> TreeItem | None:
        for root in self.tree:
            for item in root.walk():
                if item.key == key:
                    return item
        return None


def build_view(session) -> View:
    ws = session.workspace
    analysis = session.analysis
    documents = {doc.display: doc for doc in ws.documents}
    files = {doc.display: doc.path for doc in ws.documents}
    secret_findings = preview.secret_as_findings(analysis.secret_findings)
    findings = list(analysis.findings)
    secret_paths = {(f.file, finding_path(f, documents)) for f in secret_findings}
    run_lines: list[str] = analysis.run_yaml_text.splitlines() if analysis.run_yaml_text else []
    origins: list = []
    synth = analysis.synthesis
    if synth is not None and run_lines:
        try:
            _text, origins = synth.text_and_line_origins()
            origins = list(origins)
        except Exception:  # provenance is a bonus: the view works without it
            origins = []
    origins = (origins + [None] * len(run_lines))[:len(run_lines)]
    short = outline.short_names(documents)
    tree = outline.outline(ws, outline.node_states(findings, secret_findings, documents), short)
    counts = analysis.counts()
    preview_label, preview_note = preview.preview_words(ws, synth)
    return View(
        config_display=ws.documents[0].display if ws.documents else str(ws.root_path),
        mode=ws.mode or KIND_LABELS.get(ws.kind, ws.kind),
        mode_reason=ws.mode_reason,
        counts=counts,
        dirty=session.dirty,
        dirty_files=[_display_of(p, files) for p in session.dirty_files],
        can_undo=session.can_undo,
        can_redo=session.can_redo,
        tree=tree,
        findings=findings,
        secret_findings=secret_findings,
        secret_paths=secret_paths,
        diff_text=analysis.diff_text,
        baseline=getattr(session, "diff_baseline", "disk"),
        baseline_label=analysis.baseline_label,
        run_lines=run_lines,
        origins=origins,
        documents=documents,
        files=files,
        short=short,
        preview_label=preview_label,
        preview_note=preview_note,
        validating=getattr(session, "validating", False),
    )


def _display_of(path: Path, files: dict) -> str:
    for display, p in files.items():
        if p == path:
            return display
    return str(path)


def severity_icon(sev: Severity) -> str:
    return {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "i"}[sev]
