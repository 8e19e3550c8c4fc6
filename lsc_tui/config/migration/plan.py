"""The migration as steps a wizard (or the CLI) drives: analyse, choose, preview, prove, write.

    m = Migration.open("lightspeed-stack.yaml")          # analyse
    m.recommendation                                     # strategy + reasons (proof-driven)
    m.choose("profile", out=None)                        # build the candidate and its proof
    m.preview_text(); m.proof; m.secrets                 # what would be written, masked
    m.write(accept="all")                                # backup, atomic 0600 write, re-check

Nothing is written before :meth:`Migration.write`, which refuses a result that is not
equivalent unless every difference is accepted, never touches the legacy run.yaml, backs up
every file it replaces, writes 0600 through the atomic writer and proves the written file
again from disk.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.migration import proof as P, strategies as S
from lsc_tui.config.migration.analyse import Analysis, MigrationInputError, Recommendation, STRATEGIES, analyse
from lsc_tui.config.migration.secrets import SecretRef, mask_document_text, scan
from lsc_tui.config.releases import Target
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.yaml.document import Document, Loader, read_text
from lsc_tui.config.yaml.files import FileStamp, ReadRefused, read_bytes, resolve_target, stamp_of, write_file
from lsc_tui.config.yaml.save import FileChangedError, atomic_write


class MigrationRefused(Exception):
    """The result is not equivalent and not every difference was accepted; nothing was written."""

    def __init__(self, message: str, unaccepted: list[str]):
        super().__init__(message)
        self.unaccepted = unaccepted


class OutputRefused(MigrationRefused):
    """The output path is one migrate never writes (the legacy run.yaml, a device or a FIFO): the
    operator's input is wrong, there is no difference to accept; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message, [])


@dataclass
class FileAction:
    path: Path
    display: str
    role: str  # "config" | "backup" | "legacy-run-yaml" | "profile"
    action: str  # "write" | "backup" | "keep"
    mode: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"path": self.display, "role": self.role, "action": self.action, "mode": self.mode or None}


@dataclass
class WriteResult:
    written: Path
    backup: Path | None
    proof: P.Proof
    files: list[FileAction] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # owner not kept, a hard link broken (files.Written.notes)


def backup_name(path: Path) -> Path:
    """``NAME.pre-migrate.bak``, or ``NAME.pre-migrate.N.bak`` if that exists (never clobbered)."""
    first = path.with_name(path.name + ".pre-migrate.bak")
    if not os.path.lexists(first):  # a dangling link counts as taken: a backup never goes through one
        return first
    n = 1
    while os.path.lexists(path.with_name(f"{path.name}.pre-migrate.{n}.bak")):
        n += 1
    return path.with_name(f"{path.name}.pre-migrate.{n}.bak")


class Migration:
    """One migration session over one config (see the module docstring)."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self.candidate: S.Candidate | None = None
        self.proof: P.Proof | None = None
        self._legacy: Synthesis | None = None
        self._recommendation: Recommendation | None = None
        # (target, backup or None) of the last write
        self._written_backup: tuple[Path, Path | None] | None = None
        self._trials: dict[str, tuple[S.Candidate, P.Proof]] = {}
        self.secrets: list[SecretRef] = scan(analysis) if analysis.migratable else []

    # -- step 1: analyse ---------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        run_yaml: Path | str | None = None,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        target: Target | None = None,
    ) -> "Migration":
        """Analyse ``path``; raises MigrationInputError (with a located finding) on bad input."""
        return cls(analyse(path, run_yaml=run_yaml, cwd=cwd, env=env, target=target))

    @property
    def nothing_to_do(self) -> str | None:
        """Why there is nothing to migrate (already unified, remote server), or None."""
        return None if self.analysis.migratable else self.analysis.reason

    def legacy(self) -> Synthesis:
        if self._legacy is None:
            self._legacy = P.legacy_reference(self.analysis)
        return self._legacy

    # -- step 2: choose ------------------------------------------------------------------
    def trial(self, strategy: str, out: Path | str | None = None) -> tuple[S.Candidate, P.Proof]:
        """Build and prove one strategy without selecting it."""
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
        if not self.analysis.migratable:
            raise ValueError(self.analysis.reason)
        out_path = self._out_path(out)
        key = f"{strategy}@{out_path}"
        if key not in self._trials:
            cand = S.build(self.analysis, strategy, out_path, self.legacy())
            cand.strategy = strategy
            self._trials[key] = (cand, P.prove(self.analysis, cand, self.legacy()))
        return self._trials[key]

    def choose(self, strategy: str | None = None, out: Path | str | None = None) -> S.Candidate:
        """Select a strategy (the recommended one when None); builds the file and its proof."""
        strategy = strategy or self.recommendation.strategy or "profile"
        self.candidate, self.proof = self.trial(strategy, out)
        self.secrets = [self._moved(s) for s in self.secrets]
        return self.candidate

    def _moved(self, ref: SecretRef) -> SecretRef:
        """Where a run.yaml secret sits in the new config (None: it stays in the run.yaml)."""
        cand = self._need_candidate()
        if ref.file != self._run_yaml().display:
            return dataclasses.replace(ref, moved_to=None)
        override = cand.unified_block().get("native_override") or {}
        node = override
        for part in ref.path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return dataclasses.replace(ref, moved_to=None)
        if isinstance(node, str) and ref._value and ref._value in node:
            key = "ogx" if "ogx" in cand.data else "llama_stack"
            return dataclasses.replace(ref, moved_to=(key, "config", "native_override") + tuple(ref.path))
        return dataclasses.replace(ref, moved_to=None)

    def _out_path(self, out: Path | str | None) -> Path:
        cwd = self.analysis.workspace.cwd
        if out is None:
            return Path(os.path.abspath(self.analysis.config.path))
        p = Path(out)
        return Path(os.path.abspath(p if p.is_absolute() else cwd / p))

    @property
    def recommendation(self) -> Recommendation:
        """The strategy to use, with reasons: every strategy is built and proven first."""
        if self._recommendation is None:
            self._recommendation = self._recommend()
        return self._recommendation

    def _recommend(self) -> Recommendation:
        a = self.analysis
        if not a.migratable:
            return Recommendation(None, [a.reason])
        results = {s: self.trial(s) for s in STRATEGIES}
        reasons = list(a.recommendation.reasons)
        for s, (cand, pr) in results.items():
            reasons.append(f"{s}: {summary(cand, pr)}")
        eq = [s for s, (_c, pr) in results.items() if pr.equivalent]
        lines = {s: c.lines for s, (c, _p) in results.items()}
        if not eq:
            fewest = min(STRATEGIES, key=lambda s: (len(results[s][1].differences), lines[s]))
            reasons.append(
                f"no strategy is equivalent; {fewest} differs least: review its differences "
                "and accept them with --accept-differences, or fix the inputs first"
            )
            return Recommendation(fewest, reasons)
        if a.kind == "server":
            # one self-contained file is what the Llama Stack container reads most simply
            best = "lift" if "lift" in eq else min(eq, key=lambda s: lines[s])
        else:
            pool = [s for s in eq if s != "lift"] or eq  # the run.yaml stays a file enrichment extends
            best = min(pool, key=lambda s: (lines[s], ["profile", "smart", "lift"].index(s)))
        why = {
            "profile": "profile is equivalent and the shortest: the run.yaml stays a file (enrichment keeps "
            "extending it) and the config names it",
            "smart": "smart is equivalent and the shortest readable result",
            "lift": (
                "lift is equivalent and gives one self-contained file, which is what the Llama Stack "
                "container reads in server mode"
                if a.kind == "server"
                else "lift is the only equivalent strategy"
            ),
        }[best]
        reasons.append(why)
        return Recommendation(best, reasons)

    # -- step 3: preview and proof ---------------------------------------------------------
    def secret_values(self) -> set[str]:
        return {s._value for s in self.secrets if s._value}

    def preview_text(self) -> str:
        """The new file, secrets masked (what the operator may see)."""
        return mask_document_text(self._need_candidate().text, self.secret_values())

    def files(self) -> list[FileAction]:
        """Every file the write would touch, and the ones it keeps."""
        a = self.analysis
        cand = self._need_candidate()
        target = cand.out_path
        cwd = a.workspace.cwd
        out = [FileAction(target, S._display(target, cwd), "config", "write", "0600")]
        done = self._written_backup
        if done is not None and done[0] == target:
            # after the write: the backup it made (none when it replaced no file), not the next free name
            if done[1] is not None:
                out.append(FileAction(done[1], S._display(done[1], cwd), "backup", "backup", "0600"))
        elif target.exists():
            bak = backup_name(target)
            out.append(FileAction(bak, S._display(bak, cwd), "backup", "backup", "0600"))
        run_role = "profile" if cand.profile_ref else "legacy-run-yaml"
        run = self._run_yaml()
        out.append(FileAction(run.path, run.display, run_role, "keep"))
        if target != Path(os.path.abspath(a.config.path)):
            out.append(FileAction(a.config.path, a.config.display, "legacy-config", "keep"))
        return out

    def _need_candidate(self) -> S.Candidate:
        if self.candidate is None:
            raise ValueError("choose a strategy first")
        return self.candidate

    def _run_yaml(self) -> Document:
        """The legacy run.yaml (a migratable config has one)."""
        if self.analysis.run_yaml is None:
            raise ValueError(self.analysis.reason or "no legacy run.yaml")
        return self.analysis.run_yaml

    # -- step 4: write ---------------------------------------------------------------------------
    def unaccepted(self, accept: Collection[str] | str | bool | None) -> list[str]:
        """Difference paths not covered by ``accept`` ("all", or a collection of paths)."""
        pr = self.proof
        if pr is None or pr.equivalent:
            return [] if pr is not None else ["(no proof)"]
        if pr.error:
            return [pr.error]
        if accept == "all" or accept is True:
            return []
        accepted = set(accept) if isinstance(accept, Collection) else set()
        return [d.where for d in pr.differences if d.where not in accepted]

    def write(self, *, accept: Collection[str] | str | bool | None = None) -> WriteResult:
        """Write the chosen candidate (see the module docstring). Raises MigrationRefused."""
        a = self.analysis
        cand = self._need_candidate()
        missing = self.unaccepted(accept)
        if missing:
            raise MigrationRefused(
                "the migrated file is not equivalent to what legacy LCORE ran; nothing was written. "
                "Accept each difference with --accept-differences (all, or PATH,PATH...) if it is what "
                "you want.",
                missing,
            )
        target = cand.out_path
        if target == Path(os.path.abspath(self._run_yaml().path)):
            raise OutputRefused(
                f"{target}: the output would overwrite the legacy run.yaml, which is never touched; "
                "choose another -o path"
            )
        in_place = target == Path(os.path.abspath(a.config.path))
        expected = a.config.stamp if in_place else stamp_of(target)
        # both files are checked before either is written: the config (named by the operator: written
        # through a link) and its backup beside it (the tool's name: never through a link out of its folder)
        place = resolve_target(target)
        if place.special:
            raise OutputRefused(
                f"{target} is a device or FIFO; migrate writes a regular file it can read "
                "back and prove again. Choose a file with -o"
            )
        backup = backup_name(target) if expected is not None else None
        backup_place = resolve_target(backup, workspace=target.parent) if backup else None
        notes: list[str] = []
        if backup is not None:
            try:
                original, st = read_bytes(place.real)
            except ReadRefused:
                raise FileChangedError(target) from None  # gone or replaced since it was read
            if expected is None or FileStamp.of_bytes(original, st).sha256 != expected.sha256:
                raise FileChangedError(target)
            done = write_file(backup, original, mode=0o600, target=backup_place)  # may hold literal secrets
            notes += done.notes
        done = atomic_write(
            target, cand.text, expected=expected, mode=0o600, backup=False, verify_data=cand.data, target=place
        )
        notes += done.notes
        self._written_backup = (target, backup)
        check = self._reprove(target)
        files = self.files()
        return WriteResult(target, backup, check, files, notes)

    def _reprove(self, target: Path) -> P.Proof:
        """Read the written file back from disk and prove it again."""
        text, _stamp = read_text(target)
        data = yaml.load(text, Loader=Loader)  # the server's reader
        cand = self._need_candidate()
        again = S.Candidate(
            cand.strategy,
            text,
            data,
            target,
            cand.display,
            profile_data=cand.profile_data,
            profile_file=cand.profile_file,
            profile_ref=cand.profile_ref,
        )
        return P.prove(self.analysis, again, self.legacy())

    # -- rendering -------------------------------------------------------------------------------
    def to_json(self, *, include_preview: bool = True) -> dict[str, Any]:
        a = self.analysis
        secrets = self.secret_values()
        out: dict[str, Any] = {"analysis": a.to_json(), "nothing_to_migrate": self.nothing_to_do}
        if a.migratable:
            out["recommendation"] = self.recommendation.to_json()
            out["secrets"] = [s.to_json() for s in self.secrets]
        if self.candidate is not None:
            c = self.candidate
            out["plan"] = {
                "strategy": c.strategy,
                "variant": c.variant or None,
                "output": c.display,
                "profile": c.profile_ref,
                "lifted_providers": c.lifted,
                "notes": c.notes,
                "comments_kept": c.comments_kept,
                "lines": c.lines,
            }
            out["proof"] = self.proof.to_json(secrets) if self.proof is not None else None
            out["files"] = [f.to_json() for f in self.files()]
            if include_preview:
                out["preview"] = self.preview_text()
        return out


def summary(cand: S.Candidate, pr: P.Proof) -> str:
    if pr.error:
        return f"unproven ({pr.error})"
    size = f"{cand.lines} lines"
    if pr.equivalent:
        return f"equivalent ({size})"
    causes = sorted({_cause(d) for d in pr.differences})
    return f"not equivalent: {len(pr.differences)} difference(s) ({'; '.join(causes)}) ({size})"


def _cause(d: P.Difference) -> str:
    r = d.reason
    if "LCORE-3370" in r:
        what = r.split("added by ", 1)[1].split(" in legacy", 1)[0] if "added by " in r else "enrichment"
        return f"loses what {what} adds (LCORE-3370)"
    if "MCP ensure" in r:
        return "adds the MCP tool_runtime provider"
    return d.where


__all__ = [
    "Migration",
    "MigrationInputError",
    "MigrationRefused",
    "FileAction",
    "WriteResult",
    "summary",
    "Finding",
    "Severity",
]
