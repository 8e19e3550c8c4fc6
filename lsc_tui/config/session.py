"""An editing session: buffers, operations, undo/redo, analysis after every edit, safe saves.

The session holds the text of every file of a workspace. An operation turns one file's
text into new text (editing only the span it changes where it can), the workspace is
re-read from the buffers, and the analysis is recomputed in the order DESIGN.md gives:
validation findings, the synthesized run.yaml with provenance, the diff against the chosen
baseline, secret findings. Undo and redo replay the stack of operations' before/after texts.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union


from lsc_tui.config import envref, preview
from lsc_tui.config.diff import Change
from lsc_tui.config.findings import Finding, counts, path_text
from lsc_tui.config.text_form import keep_form
from lsc_tui.config.releases import DEFAULT_TARGET, Target
from lsc_tui.config.operator.kinds import KIND_LLSD
from lsc_tui.config.workspace import Workspace, available_profiles, baselines_for, load_workspace
from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.document import Document, parse_cached, parse_text, read_text
from lsc_tui.config.yaml.edit import (
    KEEP_STYLE,
    EditRefused,
    data_at,
    insert_item,
    roundtrip_edit,
    roundtrip_node,
    set_value,
)
from lsc_tui.config.yaml.files import FileStamp, stamp_of
from lsc_tui.config.yaml.lint import YamlLoadError
from lsc_tui.config.yaml.save import FileChangedError, atomic_write


class OperationError(Exception):
    """An edit that cannot be applied; the message is for the operator."""


# -- operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SetValue:
    file: Path
    path: tuple[Any, ...]
    value: Any

    def describe(self) -> str:
        return f"set {_p(self.path)}"


@dataclass(frozen=True)
class SetEnvRef:
    file: Path
    path: tuple[Any, ...]
    name: str
    op: str | None = None
    operand: str = ""

    def describe(self) -> str:
        return f"set {_p(self.path)} to ${{env.{self.name}}}"


@dataclass(frozen=True)
class RemoveNode:
    file: Path
    path: tuple[Any, ...]

    def describe(self) -> str:
        return f"remove {_p(self.path)}"


@dataclass(frozen=True)
class InsertListItem:
    file: Path
    list_path: tuple[Any, ...]
    index: int
    value: Any

    def describe(self) -> str:
        return f"insert into {_p(self.list_path)}"


@dataclass(frozen=True)
class MoveListItem:
    file: Path
    list_path: tuple[Any, ...]
    index: int
    new_index: int

    def describe(self) -> str:
        return f"move {_p(self.list_path + (self.index,))} to position {self.new_index}"


@dataclass(frozen=True)
class DuplicateListItem:
    file: Path
    list_path: tuple[Any, ...]
    index: int

    def describe(self) -> str:
        return f"duplicate {_p(self.list_path + (self.index,))}"


@dataclass(frozen=True)
class ReplaceNodeYaml:
    file: Path
    path: tuple[Any, ...]
    yaml_text: str

    def describe(self) -> str:
        return f"edit {_p(self.path)} as YAML"


@dataclass(frozen=True)
class AddProvider:
    file: Path
    api: str
    provider: dict[str, Any]
    providers_path: tuple[Any, ...] = ("providers",)

    def describe(self) -> str:
        return f"add {self.api} provider {self.provider.get('provider_id', '')}"


@dataclass(frozen=True)
class RenameProvider:
    file: Path
    path: tuple[Any, ...]  # the provider entry
    new_id: str
    id_key: str = "provider_id"

    def describe(self) -> str:
        return f"rename {_p(self.path)} to {self.new_id}"


@dataclass(frozen=True)
class SwitchProfile:
    """Point a unified config at another profile file, or at a built-in baseline."""

    file: Path  # the lightspeed-stack.yaml
    profile: str | None = None  # a path relative to the config's directory
    baseline: str | None = None  # default | empty | byo-llm (when profile is None)

    def describe(self) -> str:
        return f"switch to profile {self.profile}" if self.profile else f"switch to baseline {self.baseline}"


def _p(path: tuple[Any, ...]) -> str:
    return path_text(path) or "(document)"


# -- analysis ------------------------------------------------------------------------------


# An edit the session applies (see :meth:`EditSession.apply`).
Operation = Union[
    SetValue,
    SetEnvRef,
    RemoveNode,
    InsertListItem,
    MoveListItem,
    DuplicateListItem,
    ReplaceNodeYaml,
    AddProvider,
    RenameProvider,
    SwitchProfile,
]


class Analysis:
    """What the session shows after an edit. The masked run.yaml and the structural change list
    are made when first read: the editor's keystroke shows the diff and reads neither (the whole
    run.yaml is shown only in the diff pane's full view)."""

    def __init__(
        self,
        findings: list[Finding],
        secret_findings: list[Any] | None = None,
        synthesis: Any = None,
        run_yaml_text: "str | Callable[[], str]" = "",
        diff_text: str = "",
        changes: "list[Change] | Callable[[], list[Change]] | None" = None,
        baseline_label: str = "",
        seconds: float = 0.0,
        has_run_yaml: bool | None = None,
    ):
        self.findings = findings
        self.secret_findings = secret_findings if secret_findings is not None else []
        self.synthesis = synthesis
        self.diff_text = diff_text
        self.baseline_label = baseline_label
        self.seconds = seconds
        self._run_yaml_text = run_yaml_text
        self._changes = changes if changes is not None else []
        # whether there is a synthesized run.yaml, without masking it
        self.has_run_yaml = bool(run_yaml_text) if has_run_yaml is None else has_run_yaml

    @property
    def run_yaml_text(self) -> str:
        """The synthesized run.yaml, secrets masked."""
        if callable(self._run_yaml_text):
            self._run_yaml_text = self._run_yaml_text()
        return self._run_yaml_text

    @property
    def changes(self) -> list[Any]:
        """The structural changes against the baseline (paths added, removed, changed; masked)."""
        if callable(self._changes):
            self._changes = self._changes()
        return self._changes

    def counts(self) -> dict[str, int]:
        """Errors and warnings of validation and synthesis; literal secrets counted on their own."""
        return counts(self.findings, len(self.secret_findings))


@dataclass
class SaveResult:
    path: Path
    backup: Path | None
    notes: list[Any] = field(default_factory=list)  # owner not kept, a hard link broken (files.Written.notes)


MERGE_SECONDS = 3.0  # edits of the same field closer than this are one undo step


@dataclass
class _Step:
    op: Any
    file: Path
    before: str
    after: str
    at: float = 0.0
    style: str | None = None  # a SetValue step: the field's quote style before it ("plain" for none)
    run_before: str | None = None  # the synthesized run.yaml before the step: the "previous edit" baseline


# What the diff of the synthesized run.yaml can be taken against, in the order b cycles through,
# with the name the operator reads for each: the diff pane's title ("diff vs saved files"), its
# empty text and the palette ("... against the saved files"). Short, for a title at 80 columns.
DIFF_BASELINES = {"disk": "saved files", "legacy": "run.yaml as written", "previous": "previous edit"}


def diff_baselines(ws: Workspace) -> dict[str, str]:
    """The diff baselines of ``ws`` (name -> what it is): "legacy" only where a run.yaml is open."""
    return {name: label for name, label in DIFF_BASELINES.items() if name != "legacy" or ws.run_yaml is not None}


class EditSession:
    def __init__(
        self,
        path: Path,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        validate: bool = True,
        texts: dict[Path, str] | None = None,
        target: Target = DEFAULT_TARGET,
    ):
        self.cwd = Path(cwd) if cwd else Path.cwd()
        # the LCORE release the preview answers for, and what chose it (set_target changes it)
        self.target = target
        self.validate_models = validate  # False: open without the model validation (validate_now adds it)
        self.env = env
        # the environment LCORE will run with, when the operator gave one (an env file)
        self.server_env: dict[str, str] | None = None
        self.server_env_source: str | None = None
        path = Path(path)
        self.path = path if path.is_absolute() else self.cwd / path
        # ``texts``: buffers that start out different from the files (a language client's
        # open documents); the saved text is still what is on disk
        self.buffers: dict[Path, str] = {Path(p): t for p, t in (texts or {}).items()}
        self.displays: dict[Path, str] = {}
        self.stamps: dict[Path, FileStamp | None] = {}
        self.saved_text: dict[Path, str] = {}
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self.diff_baseline = "disk"
        self._previous_run_yaml: str | None = None
        self._saved_synthesis: tuple[Any, ...] | None = None
        self._kind: str | None = None  # an operator file's kind, kept while it is edited
        self._streams: set[Path] = set()  # files read as multi-document streams (a CR and its ConfigMaps)
        # files whose disk copy went away ("deleted") or became unusable ("unreadable") while the
        # editor holds a good copy: they count as unsaved, so saving writes them back
        self.stale: dict[Path, str] = {}
        self.unusable: dict[Path, str] = {}  # why an "unreadable" file's disk version cannot be used
        self.own_writes: dict[Path, tuple[str, str]] = {}  # path -> (sha256, who): the app's own flows wrote it
        self.workspace: Workspace = self._load(initial=True)
        self.analysis: Analysis = self._analyse()

    @classmethod
    def open(
        cls,
        path: Path | str,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        validate: bool = True,
        texts: dict[Path, str] | None = None,
        target: Target = DEFAULT_TARGET,
    ) -> "EditSession":
        return cls(Path(path), Path(cwd) if cwd else None, env, validate, texts, target)

    @property
    def validating(self) -> bool:
        """The model validation has not run yet (the session was opened without it)."""
        return self.workspace.validation_deferred

    def validate_now(self) -> "Analysis":
        """Add the model validation to a session opened without it, and analyse again."""
        if self.validate_models:
            return self.analysis
        self.validate_models = True
        return self._refresh()

    # -- loading -------------------------------------------------------------------------
    def _load(self, initial: bool = False) -> Workspace:
        ws = load_workspace(
            self.path,
            cwd=self.cwd,
            env=self.env,
            overlay=self.buffers or None,
            kind=self._kind,
            validate=self.validate_models,
            server_env=self.server_env,
            server_env_source=self.server_env_source,
            target=self.target,
        )
        self.path = ws.root_path
        if initial and ws.is_operator:
            self._kind = ws.kind
            if ws.kind == KIND_LLSD and ws.source is not None:
                self._streams.add(Path(ws.source.path))
        for doc in ws.documents:
            p = doc.path
            if p not in self.displays:
                self.displays[p] = doc.display
                if p in self.buffers:  # given as text: what is saved is the file on disk (if any)
                    disk, self.stamps[p] = _disk_text(p)
                    self.saved_text[p] = disk if disk is not None else ""
                else:
                    self.buffers[p] = doc.text
                    self.saved_text[p] = doc.text
                    self.stamps[p] = doc.stamp
        return ws

    def set_server_env(self, env: dict[str, str] | None, source: str | None = None) -> "Analysis":
        """Check and preview against the environment LCORE will run with (None: lsc-tui's own,
        as warnings): unset variables it resolves at load or synthesis become errors."""
        self.server_env, self.server_env_source = env, (source if env is not None else None)
        return self._refresh()

    def set_target(self, target: Target) -> "Analysis":
        """Answer for another LCORE release: validation, mode and the synthesized run.yaml are
        recomputed for it (the files and their edits stay as they are)."""
        self.target = target
        return self._refresh()

    def _refresh(self) -> Analysis:
        self.workspace = self._load()
        self.analysis = self._analyse()
        return self.analysis

    def _analyse(self) -> Analysis:
        t0 = time.perf_counter()
        report = preview.report(self.workspace)  # the findings `lsc-tui validate` prints, too
        result, secrets = report.result, report.secrets
        run_text = preview.dump(result)
        baseline_text, label = self._baseline_text(run_text)
        values = preview.secret_values(secrets)
        diff_text = preview.diff(
            baseline_text,
            run_text,
            label,
            values,
            new_label=result.label if result is not None else "synthesized run.yaml",
        )
        analysis = Analysis(
            report.findings,
            secrets,
            result,
            lambda: preview.mask(run_text, values),
            diff_text,
            lambda: preview.changes(baseline_text, run_text, result, values),
            label,
            time.perf_counter() - t0,
            has_run_yaml=bool(run_text),
        )
        self._previous_run_yaml = run_text
        return analysis

    def _baseline_text(self, current: str) -> tuple[str, str]:
        if self.diff_baseline == "previous":
            # before the last edit: an undo step (one field's keystrokes are one edit), not one keystroke
            before = self._undo[-1].run_before if self._undo else None
            return (before if before is not None else current), "before the last edit"
        if self.diff_baseline == "legacy" and self.workspace.run_yaml is not None:
            doc = self.workspace.run_yaml
            return preview.dump_data(doc.data), f"{doc.display} (as written)"
        # "disk": the synthesis of the files as saved on disk (computed once per saved state)
        if not self.dirty:
            return current, "saved files"
        key = (
            tuple(sorted((str(p), t) for p, t in self.saved_text.items())),
            self.server_env_source,
            tuple(sorted((self.server_env or {}).items())),
            self.target.release.key,
        )
        if self._saved_synthesis is not None and self._saved_synthesis[0] == key:
            return self._saved_synthesis[1], "saved files"
        text = self._synthesize_saved()
        self._saved_synthesis = (key, text)
        return text, "saved files"

    def _synthesize_saved(self) -> str:
        try:
            saved = load_workspace(
                self.path,
                cwd=self.cwd,
                env=self.env,  # synthesis only: no validation
                overlay=dict(self.saved_text),
                kind=self._kind,
                validate=False,
                server_env=self.server_env,
                server_env_source=self.server_env_source,
                target=self.target,
            )
        except Exception:  # a broken saved file: diff against nothing
            return ""
        result = preview.synthesize_workspace(saved)
        return preview.dump(result) if result is not None else ""

    @property
    def diff_baseline_name(self) -> str:
        """What the diff is taken against, as the operator reads it (``DIFF_BASELINES``)."""
        return DIFF_BASELINES.get(self.diff_baseline, self.diff_baseline)

    def set_diff_baseline(self, which: str) -> Analysis:
        if which not in DIFF_BASELINES:
            raise OperationError(f"unknown diff baseline {which!r}: use disk, legacy or previous")
        self.diff_baseline = which
        self.analysis = self._analyse()
        return self.analysis

    # -- state ---------------------------------------------------------------------------
    @property
    def dirty_files(self) -> list[Path]:
        """Files with unsaved edits, and files whose disk copy is gone or broken (saving writes them)."""
        return [p for p, t in self.buffers.items() if t != self.saved_text.get(p) or p in self.stale]

    def _edited(self, p: Path) -> bool:
        return self.buffers.get(p) != self.saved_text.get(p)

    @property
    def dirty(self) -> bool:
        return bool(self.dirty_files)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def is_stream(self, path: Path) -> bool:
        """True for a file read as a multi-document stream (a CR and its ConfigMaps)."""
        return path in self._streams

    def text_of(self, path: Path) -> str:
        return self.buffers[Path(path)]

    def document(self, path: Path) -> Document:
        for doc in self.workspace.documents:
            if doc.path == Path(path):
                return doc
        raise OperationError(f"{path} is not part of this workspace")

    # -- editing -------------------------------------------------------------------------
    def apply(self, op: Operation) -> Analysis:
        file = Path(op.file)
        if file not in self.buffers:
            raise OperationError(f"{file} is not part of this workspace")
        before = self.buffers[file]
        try:
            after = keep_form(before, self._edit(op, file, before))
        except EditRefused as exc:  # the YAML layer's refusal, said as the session says it
            raise OperationError(str(exc)) from None
        if after == before:
            return self.analysis
        self._commit_text(file, after)
        last = self._merging(op, file)
        now = time.monotonic()
        if last is not None:
            # typing in one field, with pauses: one undo step, not one per pause
            self._undo[-1] = _Step(op, file, last.before, after, now, last.style, last.run_before)
        else:
            style = self._typing_style(op, file, self._parse(file, before)) if isinstance(op, SetValue) else None
            self._undo.append(_Step(op, file, before, after, now, style, self._previous_run_yaml))
        self._redo.clear()
        return self._refresh()

    def _merging(self, op: Operation, file: Path) -> "_Step | None":
        """The undo step this edit continues (the same field, moments ago), if any."""
        last = self._undo[-1] if self._undo else None
        if (
            last is not None
            and not self._redo
            and isinstance(op, SetValue)
            and isinstance(last.op, SetValue)
            and last.file == file
            and last.op.path == op.path
            and time.monotonic() - last.at < MERGE_SECONDS
        ):
            return last
        return None

    def _typing_style(self, op: SetValue, file: Path, doc: Document) -> str | None:
        """The quote style a field had before the typing of this undo step began ("plain" for
        none; None where the field is not a scalar): each keystroke renders the value in it, so a
        value that needed quotes half-way (``http:``) is plain again once it can be."""
        last = self._merging(op, file)
        if last is not None and last.style is not None:
            return last.style
        node = doc.node_at(op.path)
        return (node.style or "plain") if node is not None and node.kind == "scalar" else None

    def _parse(self, file: Path, text: str) -> Document:
        return parse_cached(text, self.displays.get(file, str(file)), file, stream=file in self._streams)

    def _commit_text(self, file: Path, text: str) -> None:
        try:
            self._parse(file, text)
        except YamlLoadError as exc:
            raise OperationError(f"the edit would make the file invalid YAML: {exc.finding.message}") from None
        self.buffers[file] = text

    def set_text(self, file: Path, text: str) -> Analysis:
        """Replace a file's whole buffer (a language client's edit). The client keeps the undo
        history, so this records none; invalid YAML raises OperationError and changes nothing."""
        file = Path(file)
        if file not in self.buffers:
            raise OperationError(f"{file} is not part of this workspace")
        if text == self.buffers[file]:
            return self.analysis
        self._commit_text(file, text)
        return self._refresh()

    def clear_history(self) -> None:
        """Forget the undo and redo steps (a language client keeps its own)."""
        self._undo.clear()
        self._redo.clear()

    def mark_saved(self, file: Path) -> Analysis:
        """The file was written by someone else (a language client's save) with our buffer's text:
        take the disk state as the saved state."""
        file = Path(file)
        disk, stamp = _disk_text(file)
        self.stamps[file] = stamp
        if disk is not None:
            self.saved_text[file] = disk
        self.analysis = self._analyse()
        return self.analysis

    def undo(self) -> Analysis | None:
        if not self._undo:
            return None
        step = self._undo.pop()
        self.buffers[step.file] = step.before
        self._redo.append(step)
        return self._refresh()

    def redo(self) -> Analysis | None:
        if not self._redo:
            return None
        step = self._redo.pop()
        self.buffers[step.file] = step.after
        self._undo.append(step)
        return self._refresh()

    def _edit(self, op: Operation, file: Path, text: str) -> str:
        doc = self._parse(file, text)
        parse = lambda new: self._parse(file, new)  # noqa: E731
        if isinstance(op, SwitchProfile):
            return self._switch_profile(op, doc, text)
        if isinstance(op, SetEnvRef):
            if not envref.NAME_RE.match(op.name):
                raise OperationError(f"'{op.name}' is not a valid variable name: use upper-case letters, digits and _")
            return self._edit(SetValue(file, op.path, envref.make_ref(op.name, op.op, op.operand)), file, text)
        if isinstance(op, SetValue):
            return set_value(doc, op.path, op.value, parse, style=self._typing_style(op, file, doc) or KEEP_STYLE)
        if isinstance(op, RenameProvider):
            new_id = op.new_id.strip()
            if not new_id:
                raise OperationError("a provider id cannot be empty")
            parent = data_at(doc.data, op.path[:-1])
            if isinstance(parent, list):
                for i, item in enumerate(parent):
                    if i != op.path[-1] and isinstance(item, dict) and item.get(op.id_key) == new_id:
                        raise OperationError(f"another provider in this list already has the id '{new_id}'")
            return set_value(doc, op.path + (op.id_key,), new_id, parse)
        if isinstance(op, RemoveNode):
            if not op.path:
                raise OperationError("cannot remove the whole document")
            data_at(doc.data, op.path)

            def fn(root: Any) -> None:
                parent = roundtrip_node(root, op.path[:-1])
                del parent[op.path[-1]]

            return roundtrip_edit(text, fn)
        if isinstance(op, InsertListItem):
            return insert_item(text, doc, op.list_path, op.index, op.value)
        if isinstance(op, AddProvider):
            if (
                not isinstance(op.provider, dict)
                or not op.provider.get("provider_id")
                or not op.provider.get("provider_type")
            ):
                raise OperationError("a provider needs a provider_id and a provider_type")
            list_path = op.providers_path + (op.api,)
            existing = data_at(doc.data, list_path, default=None) or []
            if any(isinstance(p, dict) and p.get("provider_id") == op.provider["provider_id"] for p in existing):
                raise OperationError(f"an {op.api} provider with id '{op.provider['provider_id']}' already exists")
            return insert_item(text, doc, list_path, len(existing), op.provider)
        if isinstance(op, MoveListItem):
            items = data_at(doc.data, op.list_path)
            if not isinstance(items, list) or not (0 <= op.index < len(items)) or not (0 <= op.new_index < len(items)):
                raise OperationError("there is nothing to move there")

            def fn(root: Any) -> None:
                seq = roundtrip_node(root, op.list_path)
                item = seq.pop(op.index)
                seq.insert(op.new_index, item)

            return roundtrip_edit(text, fn)
        if isinstance(op, DuplicateListItem):
            items = data_at(doc.data, op.list_path)
            if not isinstance(items, list) or not (0 <= op.index < len(items)):
                raise OperationError("there is nothing to duplicate there")
            item = copy.deepcopy(items[op.index])
            if isinstance(item, dict):
                for key in ("provider_id", "id", "name", "model_id"):
                    if isinstance(item.get(key), str):
                        taken = {i.get(key) for i in items if isinstance(i, dict)}
                        base, n = f"{item[key]}-copy", 1
                        new = base
                        while new in taken:
                            n += 1
                            new = f"{base}{n}"
                        item[key] = new
                        break
            return insert_item(text, doc, op.list_path, op.index + 1, item)
        if isinstance(op, ReplaceNodeYaml):
            try:
                snippet = parse_text(op.yaml_text, "the YAML you typed")
            except YamlLoadError as exc:
                f = exc.finding
                raise OperationError(
                    f"line {f.line}, column {f.column} of the YAML you typed: {f.message}. {f.fix}"
                ) from None
            bad = [f for f in snippet.findings if f.is_error]
            if bad:
                raise OperationError(f"line {bad[0].line} of the YAML you typed: {bad[0].message}")
            if not op.path:
                return op.yaml_text if op.yaml_text.endswith("\n") else op.yaml_text + "\n"
            return set_value(doc, op.path, snippet.data, parse, yaml_text=op.yaml_text)
        raise OperationError(f"unknown operation {type(op).__name__}")

    def _switch_profile(self, op: SwitchProfile, doc: Document, text: str) -> str:
        key = "ogx" if isinstance(doc.data, dict) and isinstance(doc.data.get("ogx"), dict) else "llama_stack"
        if op.profile:
            choices = available_profiles(Path(op.file).parent)
            target = Path(op.file).parent / op.profile
            if not target.is_file():
                listing = ", ".join(choices) or "none next to the config"
                raise OperationError(f"the profile '{op.profile}' does not exist; available: {listing}")
        elif op.baseline not in (known := baselines_for(self.workspace)):
            raise OperationError(
                f"unknown baseline {op.baseline!r}; {self.workspace.target.release.label} knows: {', '.join(known)}"
            )

        def fn(root: Any) -> None:
            block = root.setdefault(key, {})
            if block.get("config") is None:
                block["config"] = {}
            cfg = block["config"]
            if op.profile:
                cfg["profile"] = op.profile
                cfg.pop("baseline", None)  # a profile beats the baseline: keeping it would only mislead
            else:
                cfg.pop("profile", None)
                cfg["baseline"] = op.baseline

        return roundtrip_edit(text, fn)

    # -- saving and the disk ---------------------------------------------------------------
    def save(self, paths: list[Path] | None = None) -> list[SaveResult]:
        results = []
        targets = [Path(p) for p in paths] if paths else self.dirty_files
        # check every file first (changed on disk, the symlink policy), so a refusal writes nothing at all;
        # the config the operator opened is written through a symlink, the files it refers to only
        # while the link stays in the config's directory
        places = {}
        for p in targets:
            current = stamp_of(p)
            expected = self.stamps.get(p)
            if (expected is None) != (current is None) or (expected and current and expected.sha256 != current.sha256):
                raise FileChangedError(p)
            named = Path(os.path.abspath(p)) == Path(os.path.abspath(self.path))
            places[p] = files.resolve_target(p, workspace=None if named else Path(self.path).parent)
        for p in targets:
            text = self.buffers[p]
            data = parse_text(text, str(p), multi=p in self._streams).all_data or [None]
            # a stream of documents was read back by the line above; one document is compared
            verify = data[0] if len(data) == 1 else ...
            done = atomic_write(p, text, expected=self.stamps.get(p), verify_data=verify, target=places[p])
            self.stamps[p] = stamp_of(p)
            self.saved_text[p] = text
            self.stale.pop(p, None)
            results.append(SaveResult(p, done.backup, done.notes))
        clear_recovery(self.path)
        self._refresh()
        return results

    def check_disk(self) -> list[tuple[Path, str]]:
        """Files whose disk content differs from what we loaded: "reloaded", "written" (a flow of
        the app wrote it, see :meth:`note_written`; reloaded), "conflict", "deleted" or
        "unreadable" (changed on disk into something that is not YAML). A deleted or unreadable
        file keeps our copy and counts as unsaved: saving writes it back (over the broken one,
        with a backup). Each state is reported once, when it starts."""
        out = []
        for p in list(self.buffers):
            current = stamp_of(p)
            expected = self.stamps.get(p)
            if current is None:
                if p not in self.stale:  # newly gone
                    out.append((p, "deleted"))
                    self.stale[p] = "deleted"
                    self.stamps[p] = None
                continue
            if expected is not None and current.sha256 == expected.sha256:
                continue  # nothing new since we last looked
            own = self.own_writes.pop(p, None)
            if own is not None and own[0] != current.sha256:
                own = None  # changed again after the flow wrote it
            if _read_bytes(p) == self.buffers[p].encode("utf-8"):
                # the disk holds what we hold (a deleted file put back, ...): nothing to say
                self.stamps[p], self.saved_text[p] = current, self.buffers[p]
                self.stale.pop(p, None)
                continue
            if self._edited(p):
                out.append((p, "conflict"))
                continue
            try:  # no edits of ours: take the disk version
                self._read_disk(p)
            except YamlLoadError as exc:
                if self.stale.get(p) != "unreadable":
                    out.append((p, "unreadable"))  # our copy stays; saving writes it over the broken one
                self.stale[p] = "unreadable"
                self.unusable[p] = _unusable(exc)
                self.stamps[p] = current
                continue
            self.reload(p)
            out.append((p, "written" if own is not None else "reloaded"))
        return out

    def note_written(self, paths: Iterable[Path | str], who: str = "lsc-tui") -> None:
        """A flow of the app (the migration, the secrets review) wrote these files: the next
        :meth:`check_disk` reloads them as "written", not as changes made by someone else."""
        for p in paths:
            p = Path(p)
            stamp = stamp_of(p)
            if p in self.buffers and stamp is not None:
                self.own_writes[p] = (stamp.sha256, who)

    def disk_diff(self, path: Path) -> str:
        """What changed on disk compared with our buffer (masked)."""
        path = Path(path)
        try:
            disk = files.read_text(path)[0]
        except files.ReadRefused:  # deleted, or no longer a readable text file: nothing to show but ours
            disk = ""
        return preview.diff(
            self.buffers.get(path, ""),
            disk,
            f"{path.name} (yours)",
            preview.secret_values(self.analysis.secret_findings),
            new_label=f"{path.name} (on disk)",
        )

    def reload(self, path: Path) -> Analysis:
        """Take theirs: the disk version replaces our buffer (undo history for it is dropped).

        A disk version that cannot be read as YAML is refused (OperationError, located) and
        our buffer stays as it was."""
        path = Path(path)
        try:
            text, stamp = self._read_disk(path)
        except YamlLoadError as exc:
            raise OperationError(f"{_unusable(exc)}. Your buffer is unchanged; fix the file or save yours.") from None
        self.buffers[path] = text
        self.saved_text[path] = text
        self.stamps[path] = stamp
        self.stale.pop(path, None)
        self._undo = [s for s in self._undo if s.file != path]
        self._redo = [s for s in self._redo if s.file != path]
        return self._refresh()

    def _read_disk(self, path: Path) -> tuple[str, FileStamp]:
        text, stamp = read_text(path, self.displays.get(path))
        self._parse(path, text)
        return text, stamp

    def keep_mine(self, path: Path) -> None:
        """Keep our buffer; the next save overwrites the disk version (a backup is still made)."""
        path = Path(path)
        self.stamps[path] = stamp_of(path)

    # -- recovery after a dropped SSH session ----------------------------------------------
    def write_recovery(self) -> Path | None:
        dirty = self.dirty_files
        if not dirty:
            return None
        payload = {
            "config": str(self.path),
            "written": time.time(),
            "files": {
                str(p): {
                    "text": self.buffers[p],
                    "base_sha256": (stamp.sha256 if (stamp := self.stamps.get(p)) else None),
                }
                for p in dirty
            },
        }
        target = recovery_path(self.path)
        atomic_write(target, json.dumps(payload), mode=0o600, backup=False)
        return target

    def recovery_diff(self) -> str:
        """What restoring the recovery file would change, per file (secrets masked)."""
        data = read_recovery(self.path)
        if not data:
            return ""
        values = preview.secret_values(self.analysis.secret_findings)
        parts = []
        for name, entry in data["files"].items():
            p = Path(name)
            current = self.buffers.get(p, "")
            label = self.displays.get(p, p.name)
            parts.append(
                preview.diff(
                    current, entry.get("text", ""), f"{label} (on disk)", values, new_label=f"{label} (unsaved edits)"
                )
            )
        return "".join(parts)

    def recovery_changed_on_disk(self) -> list[Path]:
        """Files of the recovery file that changed on disk after it was written (their hash is
        not the one the recovered edits were made on): restoring would undo those changes."""
        data = read_recovery(self.path)
        if not data:
            return []
        out = []
        for name, entry in data["files"].items():
            p = Path(name)
            if p not in self.buffers:
                continue
            stamp = self.stamps.get(p)
            if (stamp.sha256 if stamp is not None else None) != entry.get("base_sha256"):
                out.append(p)
        return out

    def restore_recovery(self) -> Analysis | None:
        data = read_recovery(self.path)
        if not data:
            return None
        for name, entry in data["files"].items():
            p = Path(name)
            if p in self.buffers:
                before = self.buffers[p]
                self.buffers[p] = entry["text"]
                self._undo.append(_Step(SetValue(p, (), None), p, before, entry["text"]))
        clear_recovery(self.path)
        return self._refresh()


def _unusable(exc: YamlLoadError) -> str:
    f = exc.finding
    return f"{f.file}:{f.line}:{f.column}: the version on disk cannot be used: {f.message}"


def _read_bytes(p: Path) -> bytes | None:
    try:
        return files.read_bytes(p)[0]  # the guarded reader: a FIFO in its place never blocks
    except files.ReadRefused:
        return None


def _disk_text(path: Path) -> tuple[str | None, FileStamp | None]:
    """A file's text and stamp on disk; (None, None) when it does not exist or cannot be read."""
    try:
        return read_text(path)
    except YamlLoadError:
        return None, None


# -- recovery files ---------------------------------------------------------------------------


def _state_home() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "lsc-tui" / "recovery"


def recovery_path(config: Path) -> Path:
    key = hashlib.sha256(str(Path(config).resolve()).encode()).hexdigest()[:16]
    return _state_home() / f"{Path(config).name}.{key}.json"


def read_recovery(config: Path) -> dict[str, Any] | None:
    p = recovery_path(config)
    try:
        data = json.loads(files.read_text(p)[0])
    except (files.ReadRefused, ValueError):  # none, or damaged: there is nothing to recover
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return None
    return data


def clear_recovery(config: Path) -> None:
    try:
        recovery_path(config).unlink()
    except FileNotFoundError:
        pass  # no recovery file left: nothing to clear
