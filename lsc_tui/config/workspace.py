"""The workspace: a config and every file it refers to, with LCORE's mode detection.

``load_workspace(path)`` accepts a ``lightspeed-stack.yaml`` (or a directory holding one),
a Llama Stack ``run.yaml`` on its own, or one of the Kubernetes operator's files (a
``LlamaStackDistribution`` CR, an ``extra-providers.yaml``, an ``lls-provider-spec.yaml``;
see :mod:`lsc_tui.config.operator.kinds`). It never raises for bad content: problems are
findings. It raises :class:`WorkspaceError` only when there is nothing to work on (no such
file, not YAML, not a mapping), with one located finding that says how to fix it.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lsc_tui.config import envref
from lsc_tui.config.findings import Finding, FindingError, Severity, path_text, sort_findings
from lsc_tui.config.operator import kinds
from lsc_tui.config.releases import DEFAULT_TARGET, Release, Target, rules_for
from lsc_tui.config.yaml.document import Document, load_data, load_document, parse_cached
from lsc_tui.config.yaml.lint import YamlLoadError, is_single_document_error
from lsc_tui.config.yaml.nodes import Node

CONFIG_NAMES = ("lightspeed-stack.yaml", "lightspeed-stack.yml")
RUN_NAMES = ("run.yaml", "config.yaml", "run.yml")


def baselines_for(ws: "Workspace") -> tuple[str, ...]:
    """The built-in baselines the workspace's target LCORE release knows; nothing named: main and,
    forward-compatible, the newer ``byo-llm``."""
    return rules_for(None if ws.target.is_default else ws.target.release).baselines


MODE_LIBRARY = "legacy-library"
MODE_SERVER = "legacy-server"
MODE_UNIFIED = "unified"

MIGRATE_HINT = (
    "Run `lsc-tui migrate PATH` to move the run.yaml into the unified config (it proves the result is equivalent)."
)

# Keys that only a lightspeed-stack.yaml has, and keys that only a run.yaml has.
_LCORE_KEYS = {
    "llama_stack",
    "ogx",
    "user_data_collection",
    "service",
    "authentication",
    "inference",
    "mcp_servers",
    "conversation_cache",
    "customization",
    "rag",
    "vector_store",
    "azure_entra_id",
}
_RUN_KEYS = {
    "apis",
    "providers",
    "image_name",
    "distro_name",
    "registered_resources",
    "storage",
    "models",
    "shields",
    "vector_dbs",
    "external_providers_dir",
    "server",
    "vector_stores",
}


class WorkspaceError(FindingError):
    """The path is no workspace lsc-tui can open (missing, unreadable, not YAML, not a config)."""


@dataclass
class Workspace:
    """Everything lsc-tui knows about one config."""

    root_path: Path
    kind: str  # "lightspeed-stack" | "run-yaml" | "llsd" | "extra-providers" | "provider-spec"
    config: Document | None = None
    run_yaml: Document | None = None  # the legacy library run.yaml
    profile: Document | None = None
    baseline: str | None = None  # default | empty | byo-llm, when no profile is used
    mode: str | None = None
    mode_reason: str = ""
    cwd: Path = field(default_factory=Path.cwd)
    findings: list[Finding] = field(default_factory=list)
    overlay: dict[Path, str] | None = None
    # an operator file (CR, extra-providers.yaml, lls-provider-spec.yaml); run_yaml is then the
    # file next to it that the preview builds on (base config or run.yaml), when there is one
    source: Document | None = None
    # model validation (pydantic) on or off; off leaves validation_deferred set where it was skipped
    validate_models: bool = True
    validation_deferred: bool = False
    # the environment LCORE will run with, when the operator gave it (--env-file, the editor's
    # palette); None: unknown, and the checks that need one use lsc-tui's own environment
    server_env: dict[str, Any] | None = None
    server_env_source: str | None = None
    # the LCORE release the workspace is read, validated and synthesized for, and what chose it
    target: Target = DEFAULT_TARGET

    @property
    def documents(self) -> list[Document]:
        return [d for d in (self.source, self.config, self.run_yaml, self.profile) if d is not None]

    @property
    def is_operator(self) -> bool:
        return self.source is not None

    @property
    def config_dir(self) -> Path:
        return self.root_path.parent

    def llama_stack_key(self) -> str:
        data = self.config.data if self.config else None
        if isinstance(data, dict) and isinstance(data.get("ogx"), dict):
            return "ogx"
        return "llama_stack"

    def document_for(self, file: str) -> Document | None:
        for doc in self.documents:
            if doc.display == file or str(doc.path) == file:
                return doc
        return None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def unread(self) -> list[Finding]:
        """The located errors of files the config names that exist but could not be read (no
        permission, not a regular file, not text, not YAML): what the commands call an input
        that cannot be used (exit 2). A named file that does not exist is a finding of the
        config (``run-yaml-missing``, ``profile-missing``), not one of these."""
        read = {d.display for d in self.documents}
        return [f for f in self.findings if f.is_error and f.code.startswith(("file-", "yaml-")) and f.file not in read]


def find_config(path: Path) -> Path:
    try:
        if not path.is_dir():
            return path
        found = next((path / name for name in CONFIG_NAMES + RUN_NAMES if (path / name).is_file()), None)
    except PermissionError:
        raise WorkspaceError(
            Finding(
                str(path),
                0,
                0,
                Severity.ERROR,
                "file-permission",
                "permission denied (this path or a directory above it)",
                "Run as a user who can read it, or fix its permissions (a directory needs r and x).",
            )
        ) from None
    if found is None:
        raise WorkspaceError(
            Finding(
                str(path),
                0,
                0,
                Severity.ERROR,
                "no-config",
                "the directory holds no lightspeed-stack.yaml or run.yaml",
                "Give the path of the config file itself, or run lsc-tui in the directory that holds it.",
            )
        )
    return found


def _present(p: Path) -> bool:
    """A referenced file is there (a FIFO or a device too: the guarded reader then says what it
    is, instead of "does not exist")."""
    return p.exists() and not p.is_dir()


def looks_like_run_yaml(data: dict[str, Any]) -> bool:
    keys = set(data)
    if "apiVersion" in keys and "kind" in keys:  # a Kubernetes object (e.g. extra-providers.yaml)
        return False
    return bool(keys & _RUN_KEYS) and not (keys & _LCORE_KEYS)


def _display(path: Path, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd) if not str(os.path.relpath(path, cwd)).startswith("../..") else str(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def _read(path: Path, cwd: Path, overlay: dict[Path, str] | None, stream: bool = False) -> Document:
    """Read a file, or its edited buffer when the session has one."""
    display = _display(path, cwd)
    if overlay and path in overlay:
        return parse_cached(overlay[path], display, path, stream=stream)
    return load_document(path, display, stream=stream)


def _load(path: Path, cwd: Path, overlay: dict[Path, str] | None = None, stream: bool = False) -> Document:
    try:
        return _read(path, cwd, overlay, stream)
    except YamlLoadError as exc:
        if not stream and is_single_document_error(exc.finding):
            # Kubernetes manifests put a CR and its ConfigMaps in one file: accept the stream
            # when it holds a LlamaStackDistribution, refuse it as before otherwise

            try:
                doc = _read(path, cwd, overlay, stream=True)
            except YamlLoadError:
                raise WorkspaceError(exc.finding) from None
            if kinds.detect(doc.all_data) == kinds.KIND_LLSD:
                return doc
        raise WorkspaceError(exc.finding) from None


def open_root(
    path: Path | str, *, cwd: Path | str | None = None, overlay: dict[Path, str] | None = None, kind: str | None = None
) -> tuple[Path, Document]:
    """The config file a path names and its parsed document, or the WorkspaceError that stops
    any command on it (no config, YAML error, empty file, not a mapping). Cheap: one parse,
    no validation; the editor checks this before it takes the terminal. An operator file (a
    CR, possibly with its ConfigMaps, extra-providers.yaml, lls-provider-spec.yaml) is
    returned as read: its problems are findings of the workspace. ``kind``: see
    :func:`load_workspace`."""
    path, doc, _kind = _open_root(path, cwd=cwd, overlay=overlay, kind=kind)
    return path, doc


def _open_root(
    path: Path | str, *, cwd: Path | str | None, overlay: dict[Path, str] | None, kind: str | None
) -> tuple[Path, Document, str | None]:
    """``open_root``, with the operator kind it found (None for a config or a run.yaml)."""
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    path = Path(path)
    if not path.is_absolute():
        path = cwd / path
    if not (overlay and path in overlay):
        path = find_config(path)
    pinned = kind if kind in kinds.OPERATOR_KINDS else None
    doc = _load(path, cwd, overlay, stream=pinned == kinds.KIND_LLSD)
    operator_kind = _operator_kind(doc, path, pinned)
    if operator_kind is not None:
        return path, doc, operator_kind
    if doc.data is None:
        raise WorkspaceError(
            Finding(
                doc.display,
                1,
                1,
                Severity.ERROR,
                "empty-file",
                "the file is empty (or holds only comments)",
                "A lightspeed-stack.yaml needs at least name, service, llama_stack and user_data_collection.",
            )
        )
    if not isinstance(doc.data, dict):
        raise WorkspaceError(not_a_mapping(doc, "A config file is a mapping: `key: value` lines at the top level."))
    return path, doc, None


def not_a_mapping(doc: Document, fix: str) -> Finding:
    """The error of a file whose top level is not a mapping of keys, at its first node, naming
    what it is instead."""
    kind = type(doc.data).__name__
    kind = {"list": "a list", "str": "a single string", "int": "a number"}.get(kind, f"a {kind}")
    root = doc.root
    return Finding(
        doc.display,
        root.line if root else 1,
        root.column if root else 1,
        Severity.ERROR,
        "not-a-mapping",
        f"the top level is {kind}, not a mapping of keys",
        fix,
    )


def _operator_kind(doc: Document, path: Path, pinned: str | None) -> str | None:
    if pinned:
        return pinned
    found = kinds.detect(doc.all_data or [doc.data], path)
    return found if found is not None and (doc.stream or isinstance(doc.data, dict)) else None


def load_workspace(
    path: Path | str,
    *,
    cwd: Path | str | None = None,
    env: dict[str, Any] | None = None,
    overlay: dict[Path, str] | None = None,
    kind: str | None = None,
    validate: bool = True,
    server_env: dict[str, Any] | None = None,
    server_env_source: str | None = None,
    target: Target = DEFAULT_TARGET,
) -> Workspace:
    """Load a workspace. ``overlay`` maps absolute paths to edited text that replaces the file's.

    ``kind`` keeps an operator file's kind while it is edited (an edit that removes ``kind:``
    must not turn a CR into a lightspeed-stack.yaml); other kinds are detected from content.
    ``validate=False`` skips the validation against the config models (pydantic), and nothing
    else: the editor shows a config that way first, then validates it in a second step.
    ``server_env`` is the environment LCORE will run with (read from ``server_env_source``):
    given, it decides the mode and LCORE's load-time resolution of env references instead of
    ``env`` (default: lsc-tui's own environment). ``target`` is the LCORE release to answer for
    (see :mod:`lsc_tui.config.releases`; the commands and the editor choose it)."""
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    path, doc, operator_kind = _open_root(path, cwd=cwd, overlay=overlay, kind=kind)
    if operator_kind is not None:
        return _load_operator(path, doc, operator_kind, cwd, overlay, validate, target)
    if looks_like_run_yaml(doc.data):
        ws = Workspace(
            path,
            "run-yaml",
            run_yaml=doc,
            cwd=cwd,
            mode=None,
            mode_reason="a Llama Stack run.yaml opened on its own",
            validate_models=validate,
            target=target,
        )
        ws.findings.extend(doc.findings)
        _validate_run_yaml(ws, doc)
        _lint_env_refs(ws)
        ws.findings = sort_findings(_dedupe(ws.findings))
        return ws
    ws = Workspace(
        path,
        "lightspeed-stack",
        config=doc,
        cwd=cwd,
        validate_models=validate,
        server_env=server_env,
        server_env_source=server_env_source,
        target=target,
    )
    ws.overlay = overlay
    ws.findings.extend(doc.findings)
    if server_env is not None:
        env = server_env
    _analyse_config(ws, env if env is not None else dict(os.environ))
    _lint_env_refs(ws)
    ws.findings = sort_findings(_dedupe(ws.findings))
    return ws


def _load_operator(
    path: Path,
    doc: Document,
    kind: str,
    cwd: Path,
    overlay: dict[Path, str] | None,
    validate: bool = True,
    target: Target = DEFAULT_TARGET,
) -> Workspace:
    """A CR, an extra-providers.yaml or an lls-provider-spec.yaml, with the file next to it
    that its preview builds on."""
    ws = Workspace(
        path,
        kind,
        source=doc,
        cwd=cwd,
        mode=None,
        mode_reason=kinds.describe(kind, doc),
        validate_models=validate,
        target=target,
    )
    ws.overlay = overlay
    ws.findings.extend(doc.findings)
    if doc.data is None:
        ws.findings.append(
            Finding(
                doc.display,
                1,
                1,
                Severity.ERROR,
                "empty-file",
                "the file is empty",
                f"Start it with apiVersion: llamastack.io/v1alpha1 and kind: {kinds.LABELS[kind]}.",
            )
        )
    elif not isinstance(doc.data, dict) and not doc.stream:
        ws.findings.append(not_a_mapping(doc, f"A {kinds.LABELS[kind]} is a mapping: apiVersion, kind, ..."))
    else:
        ws.findings.extend(kinds.validate(kind, doc))
    companion = kinds.companion_run_yaml(kind, path)
    if companion is not None:
        ws.run_yaml = _load_ref(ws, companion, ())
        if ws.run_yaml is not None and kind != kinds.KIND_LLSD:
            _validate_run_yaml(ws, ws.run_yaml)
    elif kind != kinds.KIND_LLSD:
        ws.findings.append(
            Finding(
                doc.display,
                1,
                1,
                Severity.INFO,
                "no-run-yaml-beside",
                f"no run.yaml (or config.yaml) next to {path.name}: only its validation is shown",
                "Put the run.yaml the operator merges into next to this file to preview the merged run.yaml.",
            )
        )
    _lint_env_refs(ws)
    ws.findings = sort_findings(_dedupe(ws.findings))
    return ws


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.file, f.line, f.column, f.code, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


# -- mode detection ----------------------------------------------------------------------


@dataclass(frozen=True)
class ModeFacts:
    P: bool  # non-empty inference.providers
    V: bool  # non-empty vector_store.providers
    C: bool  # a llama_stack.config block is present (even {})
    L: bool  # library_client_config_path present
    Lib: bool | None  # use_as_library_client
    U: bool  # url present
    ls_key: str
    # what makes a config unified in the target release (0.5.x: nothing; 0.6.x: P or C)
    inputs: tuple[Any, ...] = ("inference.providers", "vector_store.providers", "config")

    @property
    def S(self) -> bool:
        return (
            (self.P and "inference.providers" in self.inputs)
            or (self.V and "vector_store.providers" in self.inputs)
            or (self.C and "config" in self.inputs)
        )


def _truthy(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str) and envref.find_refs(value):
        try:
            return envref.resolve(value, env)
        except envref.EnvVarMissing:
            return None
    return value


def mode_facts(data: dict[str, Any], env: dict[str, Any] | None = None, release: Release | None = None) -> ModeFacts:
    env = env if env is not None else {}
    inputs = rules_for(release).unified_inputs if release is not None else ModeFacts.inputs
    ls_key = "ogx" if isinstance(data.get("ogx"), dict) else "llama_stack"
    ls = data.get(ls_key)
    ls = ls if isinstance(ls, dict) else {}
    inference = data.get("inference")
    inference = inference if isinstance(inference, dict) else {}
    vector_store = data.get("vector_store")
    vector_store = vector_store if isinstance(vector_store, dict) else {}
    lib = _truthy(ls.get("use_as_library_client"), env)
    return ModeFacts(
        P=bool(inference.get("providers")),
        V=bool(vector_store.get("providers")),
        C="config" in ls and ls.get("config") is not None,
        L=ls.get("library_client_config_path") is not None,
        Lib=None if lib is None else bool(lib),
        U=ls.get("url") is not None,
        ls_key=ls_key,
        inputs=inputs,
    )


def detect_mode(
    data: dict[str, Any], env: dict[str, Any] | None = None, release: Release | None = None
) -> tuple[str | None, str]:
    """LCORE's decision (mode, reason) in ``release`` (default main). Mode is None when LCORE
    would refuse the file."""
    f = mode_facts(data, env, release)
    inputs = [
        name
        for flag, name, key in (
            (f.P, "inference.providers", "inference.providers"),
            (f.V, "vector_store.providers", "vector_store.providers"),
            (f.C, f"{f.ls_key}.config", "config"),
        )
        if flag and key in f.inputs
    ]
    if f.S and f.L:
        return None, (
            f"both unified synthesis input ({', '.join(inputs)}) and the legacy "
            f"{f.ls_key}.library_client_config_path are set"
        )
    if f.S:
        where = (
            "library mode: LCORE synthesizes run.yaml"
            if f.Lib
            else "server mode: the Llama Stack container synthesizes run.yaml"
        )
        return MODE_UNIFIED, f"unified: {', '.join(inputs)} present ({where})"
    if f.L and (f.Lib or not f.U):
        return MODE_LIBRARY, f"legacy library client: {f.ls_key}.library_client_config_path names an external run.yaml"
    if f.Lib:
        return None, "library client mode with no run-configuration source"
    if f.U:
        return MODE_SERVER, f"legacy server: {f.ls_key}.url points at a separately managed Llama Stack"
    return None, f"neither {f.ls_key}.url nor library client mode is set"


def _analyse_config(ws: Workspace, env: dict[str, Any]) -> None:
    doc = ws.config
    if doc is None:
        return
    data: dict[str, Any] = doc.data
    disp = doc.display
    if "ogx" in data and "llama_stack" in data:
        ln, col = doc.position(("llama_stack",))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.WARNING,
                "ogx-alias",
                "both `ogx:` and `llama_stack:` are present; LCORE uses `ogx:` and ignores this block",
                "Delete the `llama_stack:` block (or merge it into `ogx:`).",
            )
        )
    release = None if ws.target.is_default else ws.target.release
    facts = mode_facts(data, env, release)
    key = facts.ls_key
    ls = data.get(key)
    mode, reason = detect_mode(data, env, release)
    ws.mode, ws.mode_reason = mode, reason

    if ls is None or not isinstance(ls, dict):
        ln, col = doc.position((key,)) if ls is not None else (1, 1)
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.ERROR,
                "missing-llama-stack",
                f"`{key}` is missing or not a mapping",
                f"Add a `{key}:` block with `use_as_library_client: true` and a `config:` block "
                "(unified), or `url:` for a remote Llama Stack.",
            )
        )
        ls = {}

    # nested model check (LlamaStackConfiguration), then the root check in LCORE's order
    if not facts.U and facts.Lib is None and ls:
        ln, col = doc.position((key,))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.ERROR,
                "no-url-no-library",
                "Llama Stack URL is not specified and library client mode is not specified",
                f"Set `{key}.use_as_library_client: true` (LCORE runs Llama Stack in-process) "
                f"or `{key}.url` (a separate Llama Stack server).",
            )
        )
    elif not facts.U and facts.Lib is False:
        ln, col = doc.position((key, "use_as_library_client"))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.ERROR,
                "no-url-no-library",
                "Llama Stack URL is not specified and library client mode is not enabled",
                f"Set `{key}.use_as_library_client: true` or give `{key}.url`.",
            )
        )

    if facts.S and facts.L:
        ln, col = doc.position((key, "library_client_config_path"))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.ERROR,
                "unified-and-legacy",
                "unified synthesis inputs are mutually exclusive with the legacy "
                f"{key}.library_client_config_path ({reason.split(': ', 1)[-1]})",
                "Remove one of the two: delete library_client_config_path if the unified inputs "
                "describe everything, or delete the unified inputs and run `lsc-tui migrate` on "
                "the legacy config to get a proven unified one.",
            )
        )
    elif facts.Lib and not facts.S and not facts.L:
        ln, col = doc.position((key, "use_as_library_client"))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.ERROR,
                "no-run-source",
                "Llama Stack library mode requires a run-configuration source",
                "Set a non-empty inference.providers, a non-empty vector_store.providers, a "
                f"{key}.config block, or {key}.library_client_config_path.",
            )
        )
    version = data.get("config_format_version")
    if version is not None and not (facts.S and facts.L):
        detected = MODE_UNIFIED if facts.S else "legacy"
        ln, col = doc.position(("config_format_version",))
        if version not in ("legacy", "unified"):
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.ERROR,
                    "config-format-version",
                    f"config_format_version must be 'legacy' or 'unified', not {version!r}",
                    f"Set it to '{detected}' or delete it (the shape decides the mode).",
                )
            )
        elif version != detected:
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.ERROR,
                    "config-format-version",
                    f"config_format_version is '{version}' but the file's shape is {detected} ({reason})",
                    f"Set config_format_version: {detected}, or delete it."
                    + (" " + MIGRATE_HINT if version == "unified" else ""),
                )
            )
    if facts.L and facts.Lib is False and facts.U and not facts.S:
        ln, col = doc.position((key, "library_client_config_path"))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.WARNING,
                "library-path-ignored",
                "library_client_config_path is ignored: use_as_library_client is false, so "
                f"LCORE is an HTTP client of {key}.url and reads no run.yaml of its own",
                "Delete library_client_config_path, or set use_as_library_client: true "
                "to run Llama Stack in-process from that file.",
            )
        )
    elif facts.L:
        ln, col = doc.position((key, "library_client_config_path"))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.WARNING,
                "legacy-deprecated",
                "the two-file configuration (library_client_config_path + run.yaml) is deprecated "
                "and removed in LCORE 0.7",
                MIGRATE_HINT,
            )
        )

    _validate_model(ws, doc, "lightspeed-stack")
    _check_unset_refs(ws, doc, env)
    _check_files(ws, doc, env)
    _load_references(ws, ls, key, facts)


def _strings_outside_override(data: Any, key: str) -> Iterator[tuple[tuple[Any, ...], str]]:
    """``(path, string)`` for every string value LCORE resolves when it loads the config: all
    of them but those under ``<llama_stack>.config.native_override``, which LCORE keeps raw."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    skip: tuple[Any, ...] = (key, "config", "native_override")
    while stack:
        path, node = stack.pop()
        if path == skip:
            continue
        if isinstance(node, dict):
            stack.extend((path + (k,), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((path + (i,), v) for i, v in enumerate(node))
        elif isinstance(node, str) and "${env." in node:
            yield path, node


def _resolved_for_load(data: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
    """The config as LCORE's loader hands it to its model: env references resolved in ``env``,
    native_override kept raw. A reference that cannot be resolved stays as written (the
    env-unset finding reports it)."""
    key = "llama_stack"

    def walk(node: Any, path: tuple[Any, ...]) -> Any:
        if path == (key, "config", "native_override"):
            return node
        if isinstance(node, dict):
            return {k: walk(v, path + (k,)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, path + (i,)) for i, v in enumerate(node)]
        if isinstance(node, str) and "${env." in node:
            try:
                return envref.resolve_string(node, env)
            except envref.EnvVarMissing:
                return node
        return node

    resolved: dict[str, Any] = walk(data, ())
    return resolved


def _check_unset_refs(ws: Workspace, doc: Document, env: dict[str, Any]) -> None:
    """LCORE resolves every ``${env.X}`` of lightspeed-stack.yaml (native_override aside) when
    it loads the config, and refuses to start when X is unset or empty and the reference has
    no ``:=`` default. With the server's environment given this is an error; checked against
    lsc-tui's own environment it is a warning (the server's may differ)."""
    if not isinstance(doc.data, dict):
        return
    key = ws.llama_stack_key()
    given = ws.server_env is not None
    where = ws.server_env_source or "the server environment given"
    for path, value in _strings_outside_override(doc.data, key):
        for ref in envref.find_refs(value):
            if ref.op is not None or env.get(ref.name):
                continue
            ln, col = doc.position(path)
            state = "is empty" if ref.name in env else "is not set"
            if given:
                ws.findings.append(
                    Finding(
                        doc.display,
                        ln,
                        col,
                        Severity.ERROR,
                        "env-unset",
                        f"`{path_text(path)}`: LCORE refuses to load this config: ${{env.{ref.name}}} "
                        f"{state} in {where}",
                        f"Set {ref.name} in the server's environment, or give the reference a default "
                        f"(${{env.{ref.name}:=<value>}}).",
                        path,
                    )
                )
            else:
                ws.findings.append(
                    Finding(
                        doc.display,
                        ln,
                        col,
                        Severity.WARNING,
                        "env-unset",
                        f"`{path_text(path)}`: ${{env.{ref.name}}} {state} in lsc-tui's environment; LCORE "
                        f"refuses to load this config unless {ref.name} is set where it runs",
                        f"Set {ref.name} where LCORE runs (or give a default, ${{env.{ref.name}:=<value>}}); "
                        "check against the server's own variables with --env-file FILE.",
                        path,
                    )
                )


def _check_files(ws: Workspace, doc: Document, env: dict[str, Any]) -> None:
    """Settings LCORE types as existing files (TLS, CA certificates, system prompt, ...):
    LCORE refuses to load the config when one names no file. Relative paths are resolved, as
    LCORE does, against the directory it starts in; an env reference is checked only when the
    environment is known."""
    if not ws.validate_models or not isinstance(doc.data, dict):
        return
    from lsc_tui.config.models.files import file_settings  # deferred: read at the first validation

    data = doc.data
    if "ogx" in data and "llama_stack" not in data:
        data = dict(data, llama_stack=data["ogx"])
    for path, raw in file_settings(data):
        if path[0] == "llama_stack" and "ogx" in doc.data and "llama_stack" not in doc.data:
            path = ("ogx",) + path[1:]
        value = raw
        if "${" in raw:
            try:
                value = envref.resolve_string(raw, env)
            except envref.EnvVarMissing:
                continue  # LCORE refuses an unset variable before it looks at the file
        target = Path(os.path.expanduser(value))
        target = target if target.is_absolute() else ws.cwd / target
        if target.is_file():
            continue
        what = "is a directory" if target.is_dir() else "does not exist"
        ln, col = doc.position(path)
        ws.findings.append(
            Finding(
                doc.display,
                ln,
                col,
                Severity.ERROR,
                "file-missing",
                f"`{path_text(path)}`: {target} {what}; LCORE refuses to load a config whose "
                f"{path[-1]} names no file (relative paths start from the directory LCORE "
                f"starts in, here {ws.cwd})",
                "Create the file, fix the path, or remove the setting. lsc-tui checks this "
                "machine: run it where LCORE runs (or in the same container image).",
                path,
            )
        )


def _load_references(ws: Workspace, ls: dict[str, Any], key: str, facts: ModeFacts) -> None:
    doc = ws.config
    if doc is None:
        return
    disp = doc.display
    if facts.L and not facts.S and (facts.Lib or not facts.U):
        raw = ls.get("library_client_config_path")
        ln, col = doc.position((key, "library_client_config_path"))
        if not isinstance(raw, str) or not raw.strip():
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.ERROR,
                    "run-yaml-path",
                    "library_client_config_path must be a file path",
                    "Give the path of the run.yaml (relative to the directory you start LCORE in).",
                )
            )
            return
        rel = Path(os.path.expanduser(raw))
        from_cwd = rel if rel.is_absolute() else ws.cwd / rel
        beside = ws.config_dir / rel
        target = None
        if _present(from_cwd):
            target = from_cwd
        elif not rel.is_absolute() and _present(beside):
            target = beside
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.WARNING,
                    "run-yaml-beside-config",
                    f"'{raw}' is not in the current directory ({ws.cwd}); lsc-tui uses the one "
                    f"beside the config ({beside}), but LCORE resolves this path against the "
                    "directory it is started in",
                    "Start LCORE (and lsc-tui) from the directory the path is relative to, "
                    "or migrate: a unified profile path is relative to the config file.",
                )
            )
        if target is None:
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.ERROR,
                    "run-yaml-missing",
                    f"the run.yaml '{raw}' does not exist (LCORE resolves it against the current directory, {ws.cwd})",
                    "Fix the path, or run from the directory it is relative to.",
                )
            )
            return
        ws.run_yaml = _load_ref(ws, target, (key, "library_client_config_path"))
        if ws.run_yaml is not None:
            _validate_run_yaml(ws, ws.run_yaml)
        return
    if not facts.S:
        return
    cfg = ls.get("config")
    cfg = cfg if isinstance(cfg, dict) else {}
    profile = cfg.get("profile")
    if profile:
        ln, col = doc.position((key, "config", "profile"))
        if not isinstance(profile, str):
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.ERROR,
                    "profile-path",
                    "profile must be a file path",
                    "Give the path of a run.yaml-shaped file.",
                )
            )
            return
        p = Path(profile)
        target = p if p.is_absolute() else ws.config_dir / p
        if not _present(target):
            available = available_profiles(ws.config_dir)
            listing = ", ".join(available) if available else "none found next to the config"
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.ERROR,
                    "profile-missing",
                    f"the profile '{profile}' does not exist (profile paths are relative to the "
                    f"config's directory, {ws.config_dir}); available: {listing}",
                    "Fix the path, pick an available profile, or use `baseline: default`.",
                )
            )
            return
        ws.profile = _load_ref(ws, target, (key, "config", "profile"))
        if ws.profile is not None:
            # a profile is a base that native_override and the high-level sections complete:
            # a key missing from it is not yet an error
            _validate_run_yaml(ws, ws.profile, partial=True)
        if "baseline" in cfg:
            bl, bc = doc.position((key, "config", "baseline"))
            ws.findings.append(
                Finding(
                    disp,
                    bl,
                    bc,
                    Severity.INFO,
                    "baseline-ignored",
                    "baseline is ignored because a profile is set (the profile beats the baseline)",
                    "Delete `baseline` to make that clear, or delete `profile` to use the baseline.",
                )
            )
        return
    baseline = cfg.get("baseline", "default")
    if not ws.target.is_default:
        if baseline not in rules_for(ws.target.release).baselines:
            from lsc_tui.config.releases.keys import baseline_issue  # deferred: it loads pydantic (first validation)

            issue = baseline_issue((key, "config", "baseline"), baseline, ws.target.release)
            ln, col = doc.position((key, "config", "baseline"))
            ws.findings.append(
                Finding(
                    disp,
                    ln,
                    col,
                    Severity.ERROR,
                    "baseline-unknown",
                    issue.message,
                    issue.fix,
                    (key, "config", "baseline"),
                )
            )
            baseline = "default"
    elif baseline not in baselines_for(ws):
        ln, col = doc.position((key, "config", "baseline"))
        ws.findings.append(
            Finding(
                disp,
                ln,
                col,
                Severity.ERROR,
                "baseline-unknown",
                f"unknown baseline {baseline!r}; LCORE knows: {', '.join(baselines_for(ws))}",
                "Use default, empty or byo-llm, or set `profile:` to a run.yaml-shaped file.",
            )
        )
        baseline = "default"
    ws.baseline = baseline


def _load_ref(ws: Workspace, target: Path, ref_path: tuple[Any, ...]) -> Document | None:
    target = Path(os.path.abspath(target))
    if ws.config is not None and _same_file(target, ws.config.path):
        ws.findings.append(_names_itself(ws, ws.config, ref_path))
        return None
    try:
        doc = _read(target, ws.cwd, ws.overlay)
    except YamlLoadError as exc:
        ws.findings.append(exc.finding)
        return None
    ws.findings.extend(doc.findings)
    if doc.data is None:
        # LCORE reads an empty profile as {}
        doc.data = {}
    elif not isinstance(doc.data, dict):
        ws.findings.append(not_a_mapping(doc, "A run.yaml is a mapping: version, apis, providers, ..."))
        return None
    return doc


def _same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` are one file (a link or another spelling of its path too)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is not on disk (an unsaved buffer): compare the resolved paths
        return os.path.realpath(a) == os.path.realpath(b)


def _names_itself(ws: Workspace, doc: Document, ref_path: tuple[Any, ...]) -> Finding:
    """The error of a config whose profile (or legacy run.yaml path) is the config file itself:
    read as a run.yaml it would be a pile of unknown keys and no providers."""
    ln, col = doc.position(ref_path)
    name = doc.path.name
    if ref_path[-1] == "profile":
        available = [p for p in available_profiles(ws.config_dir) if not _same_file(ws.config_dir / p, doc.path)]
        choices = f" (here: {', '.join(available)})" if available else ""
        return Finding(
            doc.display,
            ln,
            col,
            Severity.ERROR,
            "profile-is-config",
            f"the profile is {name} itself: a profile is a run.yaml-shaped file (version, apis, "
            "providers) that this config's llama_stack sections complete, not the config",
            f"Point profile at a run.yaml-shaped file{choices}, or delete `profile` to use `baseline: default`.",
            ref_path,
        )
    return Finding(
        doc.display,
        ln,
        col,
        Severity.ERROR,
        "run-yaml-is-config",
        f"library_client_config_path names {name} itself: it must name the Llama Stack run.yaml "
        "(version, apis, providers) the library client runs",
        "Give the path of that run.yaml (relative to the directory LCORE starts in).",
        ref_path,
    )


@dataclass(frozen=True)
class ProfileChoice:
    name: str  # what the config's `profile:` or `baseline:` says
    kind: str  # "baseline" | "file"
    active: bool = False


def profile_choices(ws: Workspace) -> list[ProfileChoice]:
    """The baselines and the profile files a unified config can switch to, the active one marked."""
    out = []
    active_profile = None
    if ws.profile is not None:
        try:
            active_profile = os.path.relpath(ws.profile.path, ws.config_dir)
        except ValueError:  # pragma: no cover
            active_profile = str(ws.profile.path)
    for name in baselines_for(ws):
        out.append(ProfileChoice(name, "baseline", ws.profile is None and ws.baseline == name))
    for name in available_profiles(ws.config_dir):
        out.append(ProfileChoice(name, "file", name == active_profile))
    return out


def available_profiles(config_dir: Path) -> list[str]:
    """run.yaml-shaped files next to the config and in a profiles/ directory, plus the baselines."""
    out: list[str] = []
    for folder, prefix in ((config_dir, ""), (config_dir / "profiles", "profiles/")):
        if not folder.is_dir():
            continue
        for p in sorted(folder.glob("*.y*ml")):
            if p.name in CONFIG_NAMES or p.name.endswith(".bak"):
                continue
            if _is_profile_file(p):
                out.append(prefix + p.name)
    return out


_PROFILE_FILES: dict[
    tuple[Any, ...], bool
] = {}  # (path, mtime, size) -> run.yaml-shaped: the editor asks at every view


def _is_profile_file(p: Path) -> bool:
    try:
        st = p.stat()
    except OSError:
        return False
    key = (str(p), st.st_mtime_ns, st.st_size)
    hit = _PROFILE_FILES.get(key)
    if hit is not None:
        return hit
    found = False
    if st.st_size <= 1024 * 1024:
        try:
            data = load_data(p)
            found = isinstance(data, dict) and looks_like_run_yaml(data)
        except YamlLoadError:  # unreadable or not YAML (within the limits): simply not offered
            found = False
    if len(_PROFILE_FILES) > 256:
        _PROFILE_FILES.clear()
    _PROFILE_FILES[key] = found
    return found


# -- validation against the models ------------------------------------------------------------


def _validate_model(ws: Workspace, doc: Document, which: str, partial: bool = False) -> None:
    if not ws.validate_models:
        ws.validation_deferred = True
        return
    # deferred: pydantic and the config models load at the first validation, the second step of opening
    from lsc_tui.config import models

    fn = models.validate_lightspeed if which == "lightspeed-stack" else models.validate_run_yaml
    key: tuple[Any, ...] = (which, partial, doc.text, ws.target.release.key, ws.target.is_default)
    resolve_in = ws.server_env if which == "lightspeed-stack" and isinstance(doc.data, dict) else None
    if resolve_in is not None:  # validate what LCORE validates: the values in the server's environment
        key += (tuple(sorted(resolve_in.items())),)
    hit = _VALIDATED.get(doc)
    if hit is not None and hit[0] == key:  # an unchanged document (the editor re-validates after each edit)
        ws.findings.extend(hit[1])
        return
    before = len(ws.findings)
    data = doc.data
    if which == "lightspeed-stack" and isinstance(data, dict) and "ogx" in data:
        data = dict(data)
        data["llama_stack"] = data.pop("ogx")
        ogx = True
    else:
        ogx = False
    if resolve_in is not None:
        data = _resolved_for_load(data, resolve_in)
    # the text as written, when the data is (no value substituted from the server's environment)
    issues = fn(data, doc.text if resolve_in is None else None)
    if which == "lightspeed-stack" and not ws.target.is_default:
        from lsc_tui.config.releases.keys import adjust  # deferred: it loads pydantic (first validation)

        if ogx:  # the key history sees the file as written
            issues = [
                type(i)(
                    ("ogx",) + tuple(i.path)[1:] if i.path and i.path[0] == "llama_stack" else i.path,
                    i.severity,
                    i.code,
                    i.message,
                    i.fix,
                )
                for i in issues
            ]
            ogx = False
        issues = adjust(
            issues, doc.data if resolve_in is None else _resolved_for_load(doc.data, resolve_in), ws.target.release
        )
    for issue in issues:
        path = tuple(issue.path)
        if ogx and path and path[0] == "llama_stack":
            path = ("ogx",) + path[1:]
        node = doc.key_node_at(path) if issue.code == "unknown-key" else None
        ln, col = (node.line, node.column) if node is not None else doc.position(path)
        sev = Severity.ERROR if issue.severity == "error" else Severity.WARNING
        if partial and issue.code == "missing-key":
            sev = Severity.WARNING
        # the models' messages name the field themselves (and hide keys that look secret)
        ws.findings.append(Finding(doc.display, ln, col, sev, issue.code, issue.message, issue.fix, path))
    _VALIDATED[doc] = (key, ws.findings[before:])


_VALIDATED: "weakref.WeakKeyDictionary[Document, tuple[tuple[Any, ...], list[Finding]]]" = weakref.WeakKeyDictionary()


def _validate_run_yaml(ws: Workspace, doc: Document, partial: bool = False) -> None:
    _validate_model(ws, doc, "run-yaml", partial)


def _lint_env_refs(ws: Workspace) -> None:
    for doc in ws.documents:
        ws.findings.extend(_env_ref_findings(doc))


def _env_ref_findings(doc: Document) -> list[Finding]:
    """The env-ref lint of one document, remembered per document. A document derived from another
    by a one-scalar edit reuses its source's findings: only the edited scalar is linted again
    (every other scalar kept its value, path, line and column)."""
    try:
        hit = _ENV_LINTED.get(doc)
    except TypeError:  # pragma: no cover - not weak-referenceable
        hit = None
    if hit is not None and hit[0] == doc.text:
        return hit[1]
    derived = doc.derived
    source = derived.source() if derived is not None else None
    before = _ENV_LINTED.get(source) if source is not None else None
    if derived is not None and source is not None and before is not None and before[0] == source.text:
        old = derived.old_node
        where = (old.line, old.column)
        out = [f for f in before[1] if (f.line, f.column) != where]
        new = _lint_scalar(doc, derived.path, derived.node)
        if new:
            i = 0
            while i < len(out) and (out[i].line, out[i].column) < where:
                i += 1
            out[i:i] = new
    elif not _may_have_legacy_refs(doc):
        out = []
    else:
        out = []
        legacy = envref.find_legacy_refs
        for path, node in doc.scalars_containing("${"):
            bad = legacy(node.value or "")
            if bad:
                out.extend(_lint_scalar(doc, path, node, bad))
    try:
        _ENV_LINTED[doc] = (doc.text, out)
    except TypeError:  # pragma: no cover
        pass
    return out


# A "${" of the text that does not start a reference written plainly: `${env.NAME}` or
# `${env.NAME:=operand}` / `:+operand` whose operand has no blank, quote, backslash, comment mark
# or flow indicator. When every "${" of a text without a backslash starts one, every scalar value
# holds them verbatim (no escape, folding, quote doubling or scalar end can fall inside one), and
# every "${" of a value is one of them: no value holds a reference the server keeps literal.
_UNSAFE_REF_START = re.compile(r"""\$\{(?!env\.[A-Z0-9_]+(?::[=+][^\s#,\[\]{}'"\\]*)?\})""")


def _may_have_legacy_refs(doc: Document) -> bool:
    """Whether a scalar value ``Document.scalars_containing`` walks may hold a reference the
    server keeps literal: a pass over the parser's nodes that builds no key path and locates no
    node, each distinct value checked once (nearly every file has none, and is done here). True
    when it cannot tell (the located tree is built: the lint walks it)."""
    text = doc.text
    if "${" not in text:
        return False
    if "\\" not in text and _UNSAFE_REF_START.search(text) is None:
        return False
    pending = doc.parser_nodes()
    if pending is None:
        return True
    ynodes = pending[0]
    legacy = envref.find_legacy_refs
    # a value that is one whole reference has no other: the reference runs to its first '}'
    whole = envref.ENV_REF.fullmatch
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode
    checked: set[str] = set()
    stack = list(ynodes) if doc.stream else ynodes[:1]
    while stack:
        node = stack.pop()
        cls = node.__class__
        if cls is scalar:
            value = node.value
            if value and "${" in value and value not in checked and whole(value) is None:
                if legacy(value):
                    return True
                checked.add(value)
        elif cls is mapping or isinstance(node, mapping):
            stack.extend(v for _k, v in node.value)
        else:
            stack.extend(node.value)
    return False


def _lint_scalar(
    doc: Document, path: tuple[Any, ...], node: Node, legacy_refs: list[Any] | None = None
) -> list[Finding]:
    value = node.value
    if not value or "${" not in value:
        return []
    if legacy_refs is None:
        legacy_refs = envref.find_legacy_refs(value)
    # operands may be secrets (a literal default): show the shape, never the operand
    return [
        Finding(
            doc.display,
            node.line,
            node.column,
            Severity.WARNING,
            "env-ref-literal",
            f"'{_elide(bad.text)}' is not a reference Llama Stack understands "
            f"({bad.reason}); the server keeps it as literal text",
            f"Write {_elide(bad.suggestion)}.",
            path,
        )
        for bad in legacy_refs
    ]


_ENV_LINTED: "weakref.WeakKeyDictionary[Document, tuple[str, list[Finding]]]" = weakref.WeakKeyDictionary()


def _elide(ref_text: str) -> str:
    """``${env.X:secret}`` -> ``${env.X:…}``: keep the name and the operator only."""
    body = ref_text[:-1] if ref_text.endswith("}") else ref_text
    for i, ch in enumerate(body):
        if ch in ":+" and i > 2:
            op = body[i : i + 2] if body[i + 1 : i + 2] in ("=", "+", "-") else ch
            rest = body[i + len(op) :]
            return body[:i] + op + ("…" if rest else "") + "}"
    return body + "}"
