"""What the screen shows, taken from the edit session in one snapshot.

Nothing here decides a config fact: findings, secrets, the synthesized run.yaml, its diff
and its provenance come from :class:`lsc_tui.config.session.EditSession`, the tree's nodes
from :mod:`lsc_tui.config.outline`. This module gathers them into one :class:`View` that every
pane renders.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsc_tui.config import outline, preview
from lsc_tui.config.findings import Finding, Severity, finding_path, is_secret
from lsc_tui.config.operator.kinds import LABELS as KIND_LABELS
from lsc_tui.config.outline import TreeItem
from lsc_tui.config.yaml.document import Document

if TYPE_CHECKING:
    from lsc_tui.config.session import Analysis

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
    baseline_label: str  # the diff's header label
    baseline_name: str  # what the diff is taken against, as the pane names it
    has_preview: bool  # there is a synthesized run.yaml (or the CR's generated config) to show
    documents: dict  # display -> Document
    files: dict  # display -> Path
    short: dict = field(default_factory=dict)  # display -> file name (unique among the open files)
    preview_label: str = "run.yaml"  # what the preview pane shows: run.yaml, generated config.yaml, ...
    preview_note: str = ""  # why there is no preview, when the workspace says so
    validating: bool = False  # opened without the model validation yet (it follows in a job)
    target: str = ""  # the LCORE release the preview answers for, as the header shows it
    target_default: bool = False  # nothing named the release: main, as a default
    analysis: Analysis | None = field(default=None, repr=False)  # what run_lines and origins are made from
    _lines: list | None = field(default=None, repr=False)
    _origins: list | None = field(default=None, repr=False)
    _by_key: dict | None = field(default=None, repr=False)

    @property
    def run_lines(self) -> list[str]:
        """The synthesized run.yaml's lines, secrets masked: made when first read (the diff pane's
        full view), not at every keystroke."""
        if self._lines is None:
            text = self.analysis.run_yaml_text if self.has_preview and self.analysis is not None else ""
            self._lines = text.splitlines() if text else []
        return self._lines

    @property
    def origins(self) -> list:
        """Per line of ``run_lines``, the input it comes from (None where none is recorded)."""
        if self._origins is None:
            lines = self.run_lines
            origins: list = []
            synth = self.analysis.synthesis if self.analysis is not None else None
            if synth is not None and lines:
                try:
                    _text, origins = synth.text_and_line_origins()
                    origins = list(origins)
                except Exception:  # provenance is a bonus: the view works without it
                    origins = []
            self._origins = (origins + [None] * len(lines))[: len(lines)]
        return self._origins

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

    def neighbour_keys(self, key: str) -> list[str]:
        """The keys around ``key`` in this view's tree, nearest first: the siblings after it,
        those before it, then its parents (where the cursor goes when its node is gone)."""

        def find(items: list[TreeItem], parents: list[list[TreeItem]]) -> list[str] | None:
            for i, item in enumerate(items):
                if item.key == key:
                    after = [s.key for s in items[i + 1 :]]
                    before = [s.key for s in reversed(items[:i])]
                    return after + before
                found = find(item.children, [*parents, [item]])
                if found is not None:
                    return [*found, item.key]
            return None

        return find(self.tree, []) or []

    def item_by_key(self, key: str) -> TreeItem | None:
        if self._by_key is None:
            index: dict = {}
            for root in self.tree:
                for item in root.walk():
                    index.setdefault(item.key, item)
            self._by_key = index
        return self._by_key.get(key)


# the trees of the last view of each session: the next view keeps those whose inputs did not
# change (outline.tree_for)
_BUILT: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def build_view(session) -> View:
    ws = session.workspace
    analysis = session.analysis
    documents = {doc.display: doc for doc in ws.documents}
    files = {doc.display: doc.path for doc in ws.documents}
    secret_findings = preview.secret_as_findings(analysis.secret_findings)
    findings = list(analysis.findings)
    secret_paths = {(f.file, finding_path(f, documents)) for f in secret_findings}
    synth = analysis.synthesis
    states = outline.node_states(findings, secret_findings, documents)
    short = outline.short_names(documents)
    built = _BUILT.get(session, {})
    trees = {
        doc.display: outline.tree_for(
            ws, doc, states.get(doc.display, []), short.get(doc.display, doc.display), built.get(doc.display)
        )
        for doc in ws.documents
    }
    _BUILT[session] = trees
    tree = [trees[doc.display].item for doc in ws.documents]
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
        baseline=session.diff_baseline,
        baseline_label=analysis.baseline_label,
        baseline_name=session.diff_baseline_name,
        has_preview=analysis.has_run_yaml,
        documents=documents,
        files=files,
        short=short,
        preview_label=preview_label,
        preview_note=preview_note,
        validating=session.validating,
        # a lightspeed-stack.yaml is read by LCORE: which release answers matters (an operator
        # file or a run.yaml alone is not read by LCORE)
        target=target_words(session.target) if ws.kind == "lightspeed-stack" else "",
        target_default=session.target.is_default,
        analysis=analysis,
    )


def target_words(target) -> str:
    """``LCORE 0.6.x``, ``LCORE 0.7.0rc1``, ``LCORE main (default)``: the header's few words for
    the release (``Target.describe()`` says the rest: which commit, what chose it)."""
    release = target.release
    words = "LCORE newer" if release.key == "newer" else release.label.split(" (", 1)[0]
    return f"{words} (default)" if target.is_default else words


def _display_of(path: Path, files: dict) -> str:
    for display, p in files.items():
        if p == path:
            return display
    return str(path)


def severity_icon(sev: Severity) -> str:
    return {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "i"}[sev]


def finding_icon(finding: Finding) -> str:
    """The letter the findings pane and the header give a finding: S for a literal secret."""
    return "S" if is_secret(finding) else severity_icon(finding.severity)
