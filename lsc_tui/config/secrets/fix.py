"""Plan and apply the move of literal secrets into environment variables.

``plan_fix`` computes everything and writes nothing: the new text of each config file (only
the replaced spans differ), the ``.env`` or Secret manifest, the files for multi-line values,
a unified diff with every secret masked, and the warnings. ``apply_plan`` writes the plan
atomically: every file is checked first (changed on disk since it was read, the symlink
policy, special files), so a refusal writes nothing; then secret destinations, then the configs.
Backups of the configs hold the old literals, so they are 0600 from their first byte.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from lsc_tui.config import masking
from lsc_tui.config.envref import make_ref
from lsc_tui.config.findings import FindingError, path_text
from lsc_tui.config.secrets import envfile, k8s, names as N
from lsc_tui.config.secrets.detector import ScanResult, SecretFinding, scan_documents, scan_workspace
from lsc_tui.config.workspace import Workspace
from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.document import Document, Loader
from lsc_tui.config.yaml.edit import apply_span_edits, render_scalar
from lsc_tui.config.yaml.files import FileStamp, stamp_of
from lsc_tui.config.yaml.save import FileChangedError, atomic_write

MASK = masking.MASK


class FixError(Exception):
    """The plan cannot be applied. The message never holds a secret value."""


@dataclass
class PlanItem:
    finding: SecretFinding
    env_name: str
    reference: str  # the text that replaces the literal: ${env.NAME} or ${env.NAME:=}
    destination: str  # where the value goes (display)

    def to_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "file": f.file,
            "line": f.line,
            "column": f.column,
            "key_path": f.key_path,
            "rule": f.rule,
            "fingerprint": f.fingerprint,
            "env_name": self.env_name,
            "reference": self.reference,
            "destination": self.destination,
            "kind": f.kind,
        }


@dataclass
class FileWrite:
    path: Path
    display: str
    role: str  # config | env | secret-file | k8s
    text: str = field(repr=False)
    expected: FileStamp | Literal[False] | None = field(
        default=False, repr=False
    )  # a stamp, None (must not exist) or False
    mode: int | None = None
    created: bool = False
    summary: str = ""
    workspace: Path | None = None  # None: the operator named the path; else the symlink policy's workspace

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "role": self.role,
            "created": self.created,
            "mode": None if self.mode is None else oct(self.mode),
            "summary": self.summary,
        }


@dataclass
class FixPlan:
    items: list[PlanItem]
    writes: list[FileWrite]
    diff: str  # unified diff of the config changes, secrets masked
    warnings: list[str]
    errors: list[str]
    notes: list[str]
    target: str  # "env" | "k8s"
    target_path: Path | None
    k8s_secret: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> list[FileWrite]:
        return [w for w in self.writes if w.role == "config"]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "target_path": str(self.target_path) if self.target_path else None,
            "k8s_secret": self.k8s_secret,
            "items": [i.to_json() for i in self.items],
            "writes": [w.to_json() for w in self.writes],
            "diff": self.diff,
            "warnings": self.warnings,
            "errors": self.errors,
            "notes": self.notes,
        }

    def to_text(self) -> str:
        out = []
        if not self.items and not self.errors:
            return "No literal secrets to convert.\n"
        dest = f"Secret/{self.k8s_secret} ({self.target_path})" if self.target == "k8s" else str(self.target_path)
        out.append(f"{len(self.items)} literal secret{'s' * (len(self.items) != 1)} -> {dest}")
        for it in self.items:
            f = it.finding
            out.append(
                f"  {f.file}:{f.line}:{f.column}  {f.key_path}  ({f.title})  ->  {it.reference}"
                + (f"  [value in {it.destination}]" if it.destination != dest else "")
            )
        if self.writes:
            out.append("Files to write:")
            for w in self.writes:
                out.append(f"  {w.display}: {w.summary}")
        if self.errors:
            # refused: the errors are the command's to say (on stderr); what the writes would leave
            # behind (backups to delete, how to load the .env) and their diff are not the outcome
            return "\n".join(out) + "\n"
        for warning in self.warnings:
            out.append(f"warning: {warning}")
        for n in self.notes:
            out.append(n.rstrip("\n"))
        if self.diff:
            out.append(self.diff.rstrip("\n"))
        return "\n".join(out) + "\n"


@dataclass
class ApplyResult:
    written: list[Path]
    backups: list[Path]
    notes: list[str] = field(default_factory=list)  # owner not kept, hard links broken


# -- editing one scalar ------------------------------------------------------------------------


def _value_start(text: str, start: int, end: int) -> int:
    s = start
    while s < end and text[s] in "&!":
        while s < end and text[s] not in " \t\r\n":
            s += 1
        while s < end and text[s] in " \t\r\n":
            s += 1
    return s


def _direct(raw: str, old_value: str, new_value: str, in_flow: bool) -> str | None:
    """The new scalar text by substitution inside the old one, when the text is the value verbatim."""
    if "\n" in raw or not raw:
        return None
    ch = raw[0]
    if ch not in "'\"|>" and raw == old_value:
        if in_flow and any(c in new_value for c in "{}[],"):
            return None
        return new_value
    if ch == "'" and raw[1:-1] == old_value and "'" not in old_value and "'" not in new_value:
        return "'" + new_value + "'"
    if ch == '"' and raw[1:-1] == old_value and "\\" not in raw and '"' not in new_value:
        return '"' + new_value + '"'
    return None


def scalar_edit(
    text: str, start: int, end: int, old_value: str, new_value: str, in_flow: bool, force_quote: bool = False
) -> tuple[int, int, str]:
    """(start, end, new text) replacing one scalar's value; anchors, tags and comments are kept."""
    vs = _value_start(text, start, end)
    raw = text[vs:end]
    ch = raw[:1]
    if ch in ("|", ">"):
        nl = raw.find("\n")
        header = raw if nl < 0 else raw[:nl]
        m = re.match(r"[|>][0-9+\-]*", header)
        rest = header[m.end() :] if m else ""
        body = "" if nl < 0 else raw[nl:]
        content = body.rstrip(" \t\r\n")
        trailing = body[len(content) :]
        k = trailing.find("\n")
        tail = trailing[k:] if k >= 0 else ""
        return vs, end, render_scalar(new_value, "'" if force_quote else None) + rest + tail
    if not force_quote:
        direct = _direct(raw, old_value, new_value, in_flow)
        if direct is not None:
            return vs, end, direct
    prefer = ch if ch in ("'", '"') else ("'" if (in_flow or force_quote) else None)
    return vs, end, render_scalar(new_value, prefer)


def _mask_raw(raw: str, old_value: str, subs: list[tuple[int, int]]) -> str:
    """The scalar's text with the secret parts masked, on the same number of lines."""
    ch = raw[:1]
    if "\n" not in raw:
        if ch not in "'\"|>" and raw == old_value:
            return _mask_value(old_value, subs)
        if ch in "'\"" and raw[1:-1] == old_value:
            return ch + _mask_value(old_value, subs) + ch
        return (ch + MASK + ch) if ch in "'\"" else MASK
    lines = raw.split("\n")
    out = []
    for i, line in enumerate(lines):
        body = line.lstrip()
        if i == 0 and ch in "|>":
            out.append(line)
        elif i == 0:
            out.append((ch if ch in "'\"" else "") + MASK)
        elif body:
            out.append(line[: len(line) - len(body)] + MASK)
        else:
            out.append(line)
    return "\n".join(out)


def _mask_value(value: str, subs: list[tuple[int, int]]) -> str:
    return apply_span_edits(value, [(s, e, MASK) for s, e in _merge_spans(subs)])


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


# -- verification ---------------------------------------------------------------------------------


def _same_except(old: Any, new: Any, allowed: list[tuple[Any, str]]) -> bool:
    """``new`` equals ``old`` except where an (old value, new value) pair of ``allowed`` applies."""
    if isinstance(old, dict) and isinstance(new, dict):
        return list(old) == list(new) and all(_same_except(old[k], new[k], allowed) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same_except(a, b, allowed) for a, b in zip(old, new))
    if type(old) is type(new) and old == new:
        return True
    if isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new):
        return True
    return isinstance(new, str) and any(type(a) is type(old) and a == old and b == new for a, b in allowed)


def _typed(raw: str, value: str) -> str | int | float:
    """The value PyYAML constructs for a scalar's text (ints and floats for plain numbers)."""
    if raw[:1] in ("'", '"', "|", ">") or "\n" in raw:
        return value
    try:
        got = yaml.load(raw, Loader=Loader)
    except yaml.YAMLError:
        return value
    return got if isinstance(got, (int, float, str)) and not isinstance(got, bool) else value


def _text_of(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _load_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=Loader))


# -- planning ------------------------------------------------------------------------------------


def _documents(ws: Workspace | Sequence[Document]) -> list[Document]:
    return list(ws.documents) if isinstance(ws, Workspace) else list(ws)


def _base_dir(ws: Workspace | Sequence[Document], docs: list[Document]) -> Path:
    if isinstance(ws, Workspace):
        return Path(ws.root_path).parent
    return Path(docs[0].path).parent if docs else Path.cwd()


def _where(path: Path, exc: FindingError) -> str:
    """``path``, with the line and column where ``exc`` has a place in the file."""
    f = exc.findings[0] if exc.findings else None
    return f"{path}:{f.line}:{f.column}" if f is not None and f.line else str(path)


def _values_write(path: Path, role: str, text: str, exists: bool, workspace: Path | None, summary: str) -> FileWrite:
    """The write of the file the values go to (the .env or the Secret manifest): mode 0600, and
    refused at apply time when the file changed on disk (or appeared) since the plan read it."""
    return FileWrite(
        path,
        str(path),
        role,
        text,
        expected=stamp_of(path) if exists else None,
        mode=0o600,
        created=not exists,
        workspace=workspace,
        summary=summary,
    )


def _multiline_file(folder: Path, name: str, finding: SecretFinding) -> Path:
    ext = ".pem" if finding.rule == "private-key" else ".secret"
    return folder / (name.lower().replace("_", "-") + ext)


def plan_fix(
    ws: Workspace | Sequence[Document],
    findings: list[SecretFinding] | None = None,
    *,
    names: dict[str, str] | None = None,
    env_file: Path | str | None = None,
    k8s_secret: str | None = None,
    secret_file: Path | str | None = None,
    select: list[str] | None = None,
    result: ScanResult | None = None,
    environ: Mapping[str, str] | None = None,
) -> FixPlan:
    """Plan the fix of ``findings`` (default: every finding of the workspace that is not a warning).

    ``ws`` is a Workspace (or a list of yaml.document Documents). ``names`` maps fingerprints to the
    variable names the operator chose. Exactly one target: ``env_file`` (default ``.env``
    beside the config) or ``k8s_secret`` (a Secret manifest, ``secret_file`` or
    ``NAME-secret.yaml`` beside the config).
    """
    docs = _documents(ws)
    environ = os.environ if environ is None else environ
    if result is None:
        result = scan_workspace(ws) if isinstance(ws, Workspace) else scan_documents(docs)
    errors: list[str] = []
    warnings: list[str] = []
    notes: list[str] = []
    everything = result.findings + result.allowed
    if findings is not None:
        chosen = list(findings)
    elif select:
        wanted = [s.strip().lower() for s in select]
        by_fp = {f.fingerprint: f for f in everything}
        chosen = [by_fp[s] for s in dict.fromkeys(wanted) if s in by_fp]
        missing = [s for s in wanted if s not in by_fp]
        if missing:
            errors.append("no finding with fingerprint " + ", ".join(missing))
    else:
        chosen = [f for f in result.findings if not f.is_warning]
    chosen.sort(key=lambda f: (f.file, f.line, f.column))
    base = _base_dir(ws, docs)
    names = {k.strip().lower(): v.strip() for k, v in (names or {}).items()}
    for _fp, name in names.items():
        if not N.valid_name(name):
            errors.append(
                f"'{name}' is not a valid variable name (upper-case letters, digits and '_', not starting with a digit)"
            )

    # the destination and what it already holds
    target = "k8s" if k8s_secret else "env"
    existing_text = ""
    if k8s_secret:
        if not k8s.valid_name(k8s_secret):
            errors.append(
                f"'{k8s_secret}' is not a valid Kubernetes Secret name (lower-case letters, digits, '-' and '.')"
            )
        target_path = Path(secret_file) if secret_file else base / f"{k8s_secret}-secret.yaml"
    else:
        target_path = Path(env_file) if env_file else base / ".env"
    # the operator named --env-file / --secret-file; the defaults are the tool's choice (workspace policy),
    # also when a caller passes the default path itself
    default = base / (f"{k8s_secret}-secret.yaml" if target == "k8s" else ".env")
    target_ws = base if os.path.abspath(target_path) == os.path.abspath(default) else None
    try:
        existing_text = files.read_optional_text(target_path) or ""
    except files.ReadRefused as exc:
        errors.append(f"{_where(target_path, exc)}: {exc.finding.message}; nothing can be merged into it")
    present: dict[str, str] = {}
    try:
        if target == "k8s":
            present = k8s.existing_values(existing_text, str(target_path))
        else:
            present = envfile.values(existing_text)
    except k8s.K8sError as exc:
        errors.append(f"{_where(target_path, exc)}: {exc}")

    # names: the operator's, the file's own (${env.X:=...}), else the suggestion made unique
    owner: dict[str, str] = dict(present)
    by_value: dict[str, str] = {}
    for n, v in present.items():
        by_value.setdefault(v, n)
    assigned: list[tuple[SecretFinding, str]] = []
    for f in chosen:
        value = f.env_value()
        fixed = names.get(f.fingerprint) or (f.existing_env if f.kind == "default" else "")
        if fixed:
            if not N.valid_name(fixed):
                continue
            if owner.get(fixed, value) != value:
                where = f"the existing {target_path.name}" if fixed in present else "another selected secret"
                errors.append(
                    f"{fixed} is already set to a different value in {where} ({f.file}:{f.line}); choose another name"
                )
                continue
            name = fixed
        elif value in by_value:
            name = by_value[value]
        else:
            suggested = f.suggested_env or N.path_name(f.path)
            if suggested in present and present[suggested] != value:
                errors.append(
                    f"{suggested} is already set to a different value in {target_path} "
                    f"({f.file}:{f.line} {f.key_path}); choose another name: --name {f.fingerprint}=NAME"
                )
                continue
            name = N.unique_name(suggested, value, owner, f.path, f.rule)
        owner.setdefault(name, value)
        by_value.setdefault(value, name)
        assigned.append((f, name))

    # values per name, single-line vs multi-line
    dest_display = f"Secret/{k8s_secret}" if target == "k8s" else str(target_path)
    single: dict[str, str] = {}
    multi: dict[str, tuple[str, SecretFinding]] = {}
    items: list[PlanItem] = []
    for f, name in assigned:
        value = f.env_value()
        if value != f.secret.reveal() and f.number is None:
            warnings.append(
                f"{name}: the trailing newline that the YAML block scalar added is not part of the variable's value"
            )
        if f.number is not None:
            warnings.append(
                f"{name}: the servers' YAML reader takes {f.key_path} as a number (a leading zero "
                "means octal, '_' is dropped); the variable holds that number, check it is what you meant"
            )
        ref = make_ref(name, "=", "") if f.gated else make_ref(name)
        where = dest_display
        if target == "env" and ("\n" in value or "\r" in value):
            mpath = _multiline_file(target_path.parent, name, f)
            multi[name] = (value, f)
            where = str(mpath)
        else:
            single[name] = value
        items.append(PlanItem(f, name, ref, where))
        if name in environ and environ.get(name) != value:
            warnings.append(
                f"{name} is already set in this environment to a different value; most loaders keep "
                "the environment's value over the .env file's"
            )
        original = f.scalar.reveal()
        if (
            f.kind == "literal"
            and f.sub == (0, len(original))
            and _reads_as_non_string(value)
            and _text_of(original) == value
        ):
            warnings.append(
                f"{name}: after substitution the server reads this value as a number or boolean, "
                "not a string (Llama Stack converts substituted values), and a string field may "
                "then reject it: better change this password to one with letters"
            )

    writes: list[FileWrite] = []
    # -- the config files
    diffs: list[str] = []
    all_by_node: dict[tuple[Any, ...], list[SecretFinding]] = {}
    for f in everything:
        all_by_node.setdefault((str(f.doc_path), f.node_start), []).append(f)
    chosen_by_doc: dict[str, list[PlanItem]] = {}
    for it in items:
        chosen_by_doc.setdefault(str(it.finding.doc_path), []).append(it)
    # the config the operator named is written through a symlink; the files it refers to are not
    # when the link leaves the workspace (see files.resolve_target)
    root = os.path.abspath(ws.root_path) if hasattr(ws, "root_path") else None
    for doc in docs:
        key = str(doc.path)
        doc_items = chosen_by_doc.get(key, [])
        if not doc_items:
            continue
        try:
            new_text, diff = _rewrite(doc, doc_items, all_by_node)
        except FixError as exc:
            errors.append(str(exc))
            continue
        diffs.append(diff)
        count = len(doc_items)
        named = root is not None and os.path.abspath(doc.path) == root
        writes.append(
            FileWrite(
                Path(doc.path),
                doc.display,
                "config",
                new_text,
                expected=doc.stamp if doc.stamp is not None else False,
                mode=None,
                workspace=None if named else base,
                summary=f"{count} value{'s' * (count != 1)} replaced by env references "
                f"(backup {Path(doc.path).name}.bak, mode 0600)",
            )
        )
    # -- where the values go
    secret_paths: list[Path] = []
    if target == "env":
        if single or multi:
            try:
                new_env, added, same, env_notes = envfile.merge(existing_text, single)
            except envfile.EnvFileError as exc:
                errors.append(f"{target_path}: {exc}")
                new_env, added, same, env_notes = existing_text, [], [], []
            warnings.extend(env_notes)
            for name, (value, f) in multi.items():
                mpath = _multiline_file(target_path.parent, name, f)
                try:
                    old = files.read_optional_text(mpath)
                except files.ReadRefused as exc:
                    errors.append(f"{_where(mpath, exc)}: {exc.finding.message}; choose another name for {name}")
                    continue
                if old is not None and old != value:
                    errors.append(f"{mpath} already exists with different content; choose another name for {name}")
                    continue
                eol = envfile.line_ending(existing_text)
                comment = (
                    f"# {name} is multi-line: its value is in {mpath.name} (mode 0600). Load it with{eol}"
                    f'#   export {name}="$(cat {mpath})"{eol}'
                )
                if comment not in new_env:
                    if new_env and not new_env.endswith("\n"):
                        new_env += eol
                    new_env += comment
                if old is None:
                    writes.append(
                        FileWrite(
                            mpath,
                            str(mpath),
                            "secret-file",
                            value,
                            expected=None,
                            mode=0o600,
                            created=True,
                            summary=f"{name} (multi-line value), mode 0600",
                            workspace=base,
                        )
                    )
                    secret_paths.append(mpath)
                notes.append(
                    f"{name} holds a multi-line value: set it from {mpath} before starting the server, "
                    f'e.g. export {name}="$(cat {mpath})"'
                )
            if new_env != existing_text:
                exists = target_path.exists()
                parts = []
                if added:
                    parts.append(f"{len(added)} variable{'s' * (len(added) != 1)} added ({', '.join(added)})")
                if same:
                    parts.append(f"already holds {', '.join(same)}")
                writes.insert(
                    0,
                    _values_write(
                        target_path,
                        "env",
                        new_env,
                        exists,
                        target_ws,
                        ("created, " if not exists else "updated, ")
                        + "mode 0600; "
                        + "; ".join(parts or ["comments added"]),
                    ),
                )
                secret_paths.append(target_path)
        notes.append(
            f"Load {target_path.name} into the server's environment: `podman run --env-file "
            f"{target_path}`, systemd `EnvironmentFile={target_path}`, or Docker Compose `env_file:`."
        )
    else:
        values = dict(single)
        values.update({n: v for n, (v, _f) in multi.items()})
        if values and k8s_secret and k8s.valid_name(k8s_secret):
            try:
                text = k8s.manifest(k8s_secret, values, existing_text)
                writes.insert(
                    0,
                    _values_write(
                        target_path,
                        "k8s",
                        text,
                        target_path.exists(),
                        target_ws,
                        f"Secret/{k8s_secret} manifest, {len(values)} key"
                        f"{'s' * (len(values) != 1)} in stringData, mode 0600",
                    ),
                )
                secret_paths.append(target_path)
            except k8s.K8sError as exc:
                error = f"{_where(target_path, exc)}: {exc}"
                if error not in errors:  # an unreadable manifest was said once, when the plan read it
                    errors.append(error)
            notes.append(k8s.envfrom_snippet(k8s_secret))
            notes.append(k8s.kubectl_hint(k8s_secret, str(target_path)))
    for p in secret_paths:
        warnings.extend(envfile.git_warnings(p))
    errors.extend(_values_into_a_config(writes, docs))
    for w in writes:  # where each write lands, checked now: a refusal is a plan error, and nothing is written
        try:
            t = files.resolve_target(w.path, workspace=w.workspace)
        except files.WriteError as exc:
            errors.append(str(exc))
            continue
        if t.st is not None and t.st.st_nlink > 1:
            warnings.append(
                f"{w.display} has {t.st.st_nlink} hard links: writing replaces it with a new file, "
                "so the other links keep the old content"
            )
    if any(w.role == "config" for w in writes):
        warnings.append(
            "the .bak backups of the changed configs still hold the literal values (they are made "
            "0600): delete them once the result works"
        )
    secret_values = {f.secret.reveal() for f in everything}
    diff = "".join(diffs)
    diff = _scrub(diff, secret_values)
    return FixPlan(items, writes, diff, _dedupe(warnings), errors, notes, target, target_path, k8s_secret)


def _values_into_a_config(writes: list[FileWrite], docs: Sequence[Document]) -> list[str]:
    """The errors of a file for the values (the .env, a Secret manifest, a value's own file) that
    is a file of the workspace or another write of the plan (``--env-file lightspeed-stack.yaml``):
    the values went into the config, and the fix stopped half-way when it came to the config."""
    out = []
    for i, w in enumerate(writes):
        if w.role == "config":
            continue
        clash = next((d.display for d in docs if d.path is not None and files.same_file(w.path, d.path)), None)
        if clash is None:
            clash = next((o.display for o in writes[:i] if files.same_file(w.path, o.path)), None)
        if clash is not None:
            out.append(
                f"{w.display}: it is {clash}, a file of this workspace: the secret values go to a file of "
                "their own; name another one (--env-file .env, or --secret-file for a Secret manifest)"
            )
    return out


def _dedupe(seq: list[str]) -> list[str]:
    return list(dict.fromkeys(seq))


def _reads_as_non_string(value: str) -> bool:
    if value.lower() in ("true", "false"):
        return True
    try:
        float(value)
        return True
    except ValueError:
        return False


def _scrub(text: str, secret_values: set[str]) -> str:
    """Backstop for the diff: no known secret, no recognisable credential, whatever the path above did."""
    text = masking.mask_text(text, secret_values)
    return "".join(masking.mask_inline(line) for line in text.splitlines(keepends=True))


def _rewrite(
    doc: Document, items: list[PlanItem], all_by_node: dict[tuple[Any, ...], list[SecretFinding]]
) -> tuple[str, str]:
    """The new text of one document (only replaced spans differ) and its masked diff."""
    text = doc.text
    per_node: dict[int, list[PlanItem]] = {}
    for it in items:
        per_node.setdefault(it.finding.node_start, []).append(it)
    edits, allowed = [], []
    old_masked, new_masked = [], []
    touched = set()
    for start, node_items in per_node.items():
        f0 = node_items[0].finding
        old_value = f0.scalar.reveal()
        reps = _replacements(node_items)
        new_value = apply_span_edits(old_value, reps)
        edits.append(scalar_edit(text, f0.node_start, f0.node_end, old_value, new_value, f0.in_flow))
        vs0 = _value_start(text, f0.node_start, f0.node_end)
        allowed.append((_typed(text[vs0 : f0.node_end], old_value), new_value))
        # the display versions
        others = list(all_by_node.get((str(doc.path), start), []))
        chosen_subs = {it.finding.sub for it in node_items}
        leftover = [
            (f.sub[0], f.sub[1], MASK)
            for f in others
            if f.sub not in chosen_subs and not any(f.sub[0] < e and s < f.sub[1] for s, e, _ref in reps)
        ]
        disp_new = apply_span_edits(old_value, reps + leftover)
        vs = _value_start(text, f0.node_start, f0.node_end)
        old_masked.append((vs, f0.node_end, _mask_raw(text[vs : f0.node_end], old_value, [f.sub for f in others])))
        _s, _e, disp_raw = scalar_edit(text, f0.node_start, f0.node_end, old_value, disp_new, f0.in_flow)
        new_masked.append((vs, f0.node_end, disp_raw))
        touched.add(start)
    new_text = apply_span_edits(text, edits)
    # verify with the servers' reader; fall back to quoting every replaced scalar once
    if not _verify(text, new_text, allowed):
        edits = [
            scalar_edit(
                text,
                it[0].finding.node_start,
                it[0].finding.node_end,
                it[0].finding.scalar.reveal(),
                _new_value(it),
                it[0].finding.in_flow,
                force_quote=True,
            )
            for it in per_node.values()
        ]
        new_text = apply_span_edits(text, edits)
        if not _verify(text, new_text, allowed):
            raise FixError(
                f"{doc.display}: the edited file would not read back as intended; nothing was changed "
                "(please report this)"
            )
    # untouched scalars that hold secrets are masked on both sides (they may show up as context)
    for (path_key, start), fs in all_by_node.items():
        if path_key != str(doc.path) or start in touched:
            continue
        f0 = fs[0]
        vs = _value_start(text, f0.node_start, f0.node_end)
        masked = _mask_raw(text[vs : f0.node_end], f0.scalar.reveal(), [f.sub for f in fs])
        old_masked.append((vs, f0.node_end, masked))
        new_masked.append((vs, f0.node_end, masked))
    a = apply_span_edits(text, old_masked)
    b = apply_span_edits(text, new_masked)
    diff = "".join(
        difflib.unified_diff(
            a.splitlines(keepends=True),
            b.splitlines(keepends=True),
            fromfile=f"a/{doc.display}",
            tofile=f"b/{doc.display}",
        )
    )
    if diff and not diff.endswith("\n"):
        diff += "\n"
    return new_text, diff


def _replacements(node_items: list[PlanItem]) -> list[tuple[int, int, str]]:
    """The edits of one scalar's value: each finding's span and the reference that replaces it
    (of overlapping spans, the first)."""
    reps: list[tuple[int, int, str]] = []
    for it in sorted(node_items, key=lambda i: i.finding.rep):
        r = it.finding.rep
        if any(r[0] < e and s < r[1] for s, e, _ref in reps):
            continue
        reps.append((r[0], r[1], it.reference))
    return reps


def _new_value(node_items: list[PlanItem]) -> str:
    """The scalar's new value, its replacements made."""
    return apply_span_edits(node_items[0].finding.scalar.reveal(), _replacements(node_items))


def _verify(old_text: str, new_text: str, allowed: list[tuple[Any, str]]) -> bool:
    try:
        old, new = _load_all(old_text), _load_all(new_text)
    except yaml.YAMLError:
        return False
    return len(old) == len(new) and all(_same_except(a, b, allowed) for a, b in zip(old, new))


# -- applying -----------------------------------------------------------------------------------


def apply_plan(plan: FixPlan) -> ApplyResult:
    """Write the plan: every target is checked first (the symlink policy, special files, and
    that it did not change on disk since it was read), so a refusal writes nothing; then the
    secret destinations, then the configs. A failure after some files were written raises
    FixError naming exactly what was written."""
    if plan.errors:
        raise FixError("the plan has errors; nothing was written: " + "; ".join(plan.errors))
    ordered = [w for w in plan.writes if w.role != "config"] + [w for w in plan.writes if w.role == "config"]
    targets = []
    for w in ordered:  # check all before writing any
        t = files.resolve_target(w.path, workspace=w.workspace)
        if w.expected is not False:
            current = stamp_of(t.real)
            expected = w.expected if isinstance(w.expected, FileStamp) else None
            if (expected is None) != (current is None) or (
                current is not None and expected is not None and current.sha256 != expected.sha256
            ):
                raise FileChangedError(w.path)
        targets.append(t)
    written: list[Path] = []
    backups: list[Path] = []
    notes: list[str] = []
    for w, t in zip(ordered, targets):
        try:
            done = atomic_write(w.path, w.text, expected=w.expected, mode=w.mode, target=t)
        except (FileChangedError, OSError) as exc:
            if not written:
                raise
            reason = files.write_error_text(exc, w.path) if isinstance(exc, OSError) else str(exc).split(";")[0]
            raise FixError(
                f"{reason}\nalready written: {', '.join(str(p) for p in written)}"
                + (f"; backups: {', '.join(str(p) for p in backups)}" if backups else "")
                + f"; not written: {', '.join(str(x.path) for x in ordered[len(written) :])}"
            ) from None
        written.append(w.path)
        notes.extend(done.notes)
        if done.backup is not None:
            backups.append(done.backup)
    return ApplyResult(written, backups, notes)


def describe_item(item: PlanItem) -> str:
    f = item.finding
    return f"{f.file}:{f.line}:{f.column} {path_text(f.path)} -> {item.reference}"
