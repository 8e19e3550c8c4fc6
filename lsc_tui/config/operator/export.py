"""Kubernetes manifests for a synthesized run.yaml: ConfigMap, Secret, LlamaStackDistribution.

:func:`export_k8s` is pure: it takes the run.yaml data (as synthesized for a workspace), the
values known for its env references (from a 0600 ``.env``), and deployment choices, and
returns the manifests as data. The ConfigMap holds the run.yaml under ``config.yaml`` (the
key the operator reads since PR #223; ``run.yaml`` for older operators). Every env reference
that is secret by its key, or whose value is known, is fed from one Secret through
``valueFrom.secretKeyRef``; the Secret manifest itself is built only when values are given.
The CR is ``v1alpha1`` (``spec.server.userConfig``) or ``v1alpha2`` (``spec.overrideConfig``):
both hand the operator the exact config, so expanding the exported CR gives back the
run.yaml; :func:`round_trip` proves it and lists what differs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsc_tui.config.envref import ENV_REF, find_refs
from lsc_tui.config.findings import Finding, FindingError, Severity, has_errors, path_text
from lsc_tui.config.masking import is_secret_key
from lsc_tui.config.operator import distributions as dists, expand as ex, models
from lsc_tui.config.preview import AsIs, synthesize
from lsc_tui.config.secrets import envfile
from lsc_tui.config.secrets.detector import ALLOW_MARK, RULE_TITLES, detect_value, reveal, scan_workspace
from lsc_tui.config.synthesis.baseline import builtin_position
from lsc_tui.config.workspace import Workspace
from lsc_tui.config.yaml.save import dump
from lsc_tui.config.yaml.streams import parse_all

# ``locate(path) -> (file, line, column)``: where the input that made a run.yaml path is
Locate = Callable[[tuple[Any, ...]], tuple[str, int, int]]

DEFAULT_DISTRIBUTION = "starter"
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass
class EnvRefInfo:
    name: str
    secret: bool = False  # under a secret-named key somewhere
    has_default: bool = False  # every use has a := or :+ operand (the server starts without it)
    paths: list[Any] = field(default_factory=list)


@dataclass
class Export:
    configmap: dict[str, Any]
    cr: dict[str, Any]
    secret: dict[str, Any] | None
    env: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)
    refs: dict[str, EnvRefInfo] = field(default_factory=dict)
    data: dict[str, Any] = field(
        default_factory=dict
    )  # the run.yaml as the ConfigMap holds it (secret defaults moved out)
    moved: list[str] = field(default_factory=list)  # env names whose secret default went to the Secret

    def documents(self, with_secret: bool = False) -> list[dict[str, Any]]:
        docs = [self.configmap]
        if with_secret and self.secret is not None:
            docs.append(self.secret)
        docs.append(self.cr)
        return docs


def env_references(
    data: Any, _path: tuple[Any, ...] = (), _under_secret: bool = False, _out: dict[str, EnvRefInfo] | None = None
) -> dict[str, EnvRefInfo]:
    """Every ``${env.X}`` in a run.yaml, with whether it is secret and has a default."""
    out = {} if _out is None else _out
    if isinstance(data, dict):
        for k, v in data.items():
            env_references(v, _path + (k,), _under_secret or is_secret_key(k), out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            env_references(v, _path + (i,), _under_secret, out)
    elif isinstance(data, str):
        for ref in find_refs(data):
            info = out.get(ref.name)
            if info is None:
                info = out[ref.name] = EnvRefInfo(ref.name, has_default=True)
            info.secret = info.secret or _under_secret
            info.has_default = info.has_default and ref.op is not None
            info.paths.append(_path)
    return out


def literal_secrets(data: Any, _path: tuple[Any, ...] = (), _under_secret: bool = False) -> list[tuple[Any, ...]]:
    """Paths of literal (non-reference) values under secret-named keys."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(literal_secrets(v, _path + (k,), _under_secret or is_secret_key(k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(literal_secrets(v, _path + (i,), _under_secret))
    elif _under_secret and isinstance(data, (str, int, float)) and not isinstance(data, bool):
        text = str(data)
        if text and text.lower() not in ("none", "null", "fake") and not find_refs(text):
            out.append(_path)
    return out


def scanned_secrets(
    data: Any, _path: tuple[Any, ...] = (), _key: str | None = None, _out: list[tuple[Any, ...]] | None = None
) -> list[tuple[Any, ...]]:
    """``(path, hit, value)`` of every secret the scanner flags in a run.yaml's data, each
    scalar read under its key (:func:`lsc_tui.config.secrets.detector.detect_value`)."""
    out = [] if _out is None else _out
    if isinstance(data, dict):
        for k, v in data.items():
            scanned_secrets(v, _path + (k,), k if isinstance(k, str) else _key, out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            scanned_secrets(v, _path + (i,), _key, out)
    elif isinstance(data, str):
        for hit in detect_value(data, _key):
            out.append((_path, hit, data))
    return out


def _without_defaults(data: Any, names: set[str]) -> Any:
    """A copy of ``data`` with the ``:=`` default of each ``${env.NAME}`` in ``names`` dropped."""
    if isinstance(data, dict):
        return {k: _without_defaults(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_defaults(v, names) for v in data]
    if isinstance(data, str) and "${" in data:
        return ENV_REF.sub(
            lambda m: f"${{env.{m.group(1)}}}" if m.group(1) in names and m.group(2) == "=" else m.group(0), data
        )
    return data


def export_k8s(
    run_data: dict[str, Any],
    *,
    name: str,
    namespace: str | None = None,
    api_version: str = "v1alpha1",
    distribution: str | None = None,
    image: str | None = None,
    env_values: dict[str, str] | None = None,
    config_key: str = "config.yaml",
    source: str = "run.yaml",
    locate: Locate | None = None,
    allowed_values: Collection[str] = (),
) -> Export:
    """The manifests for ``run_data``. Pure: no file is read or written.

    ``locate(path) -> (file, line, column)`` places findings about a run.yaml path in the
    input that produced it (default: ``source`` with no position).

    Nothing the secrets scanner flags goes into the ConfigMap: a literal secret is refused
    (an error), the secret default of ``${env.X:=...}`` is dropped from the ConfigMap when the
    env values hold ``X`` (the Secret feeds it) and refused otherwise. ``allowed_values`` are
    values the operator allowed (``# lsc-tui: allow-secret`` or the allowlist)."""
    raw: list[Finding] = []
    findings = raw
    if not NAME_RE.match(name) or len(name) > 63:
        raise ValueError(f"{name!r} is not a valid Kubernetes name (lower-case letters, digits and '-')")
    for p in literal_secrets(run_data):
        findings.append(
            Finding(
                source,
                0,
                0,
                Severity.ERROR,
                "literal-secret-in-configmap",
                f"{path_text(p)} holds a literal secret; a ConfigMap is readable by anyone who can read the namespace",
                "Move it to ${env.NAME} first (`lsc-tui secrets fix`), then export again.",
                p,
            )
        )
    values = env_values or {}
    allowed = set(allowed_values)
    literal_paths = {tuple(p) for p in literal_secrets(run_data)}
    moved: set[str] = set()
    for p, hit, value in scanned_secrets(run_data):
        secret = value[hit.sub[0] : hit.sub[1]]
        if secret in allowed:
            continue
        title = RULE_TITLES.get(hit.rule, hit.rule)
        if hit.kind == "default" and hit.existing_env:
            name_ = hit.existing_env
            if name_ in values:  # the Secret feeds it: the ConfigMap keeps only the reference
                moved.add(name_)
                continue
            findings.append(
                Finding(
                    source,
                    0,
                    0,
                    Severity.ERROR,
                    "secret-default-in-configmap",
                    f"{path_text(p)}: the default of ${{env.{name_}:=…}} is a literal secret "
                    f"({title}); a ConfigMap is readable by anyone who can read the namespace",
                    f"Give {name_} a value in the env file (the Secret then feeds it and the "
                    f"ConfigMap keeps ${{env.{name_}}}), or drop the default (`lsc-tui secrets fix`).",
                    p,
                )
            )
        elif p not in literal_paths:
            literal_paths.add(p)
            findings.append(
                Finding(
                    source,
                    0,
                    0,
                    Severity.ERROR,
                    "literal-secret-in-configmap",
                    f"{path_text(p)} holds a literal secret ({title}); a ConfigMap is readable by "
                    "anyone who can read the namespace",
                    "Move it to ${env.NAME} first (`lsc-tui secrets fix`), then export again; if it "
                    f"is not a secret, allow it (`# {ALLOW_MARK}` in the file that sets it).",
                    p,
                )
            )
    if moved:
        run_data = _without_defaults(run_data, moved)
    cm_name, secret_name = f"{name}-config", f"{name}-env"
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    labels = {
        "app.kubernetes.io/name": "llama-stack",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/managed-by": "lsc-tui",
    }

    def obj_meta(obj_name: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        m = {"name": obj_name, "labels": {**labels, **(extra or {})}}
        if namespace:
            m["namespace"] = namespace
        return m

    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        # the watch label makes the operator reconcile on change instead of every 5 minutes
        "metadata": obj_meta(cm_name, {"llamastack.io/watch": "true"}),
        "data": {config_key: dump(run_data, sort_keys=True)},
    }
    refs = env_references(run_data)
    for moved_name in moved:
        if moved_name in refs:
            refs[moved_name].secret = True
    env: list[dict[str, Any]] = []
    secret_data: dict[str, str] = {}
    for ref_name in sorted(refs):
        info = refs[ref_name]
        known = ref_name in values
        if info.secret or known:
            key_ref: dict[str, Any] = {"name": secret_name, "key": ref_name}
            if info.has_default:
                key_ref["optional"] = True
            entry = {"name": ref_name, "valueFrom": {"secretKeyRef": key_ref}}
            env.append(entry)
            if known:
                secret_data[ref_name] = values[ref_name]
            elif not info.has_default:
                findings.append(
                    Finding(
                        source,
                        0,
                        0,
                        Severity.WARNING,
                        "secret-value-missing",
                        f"{ref_name} has no value in the env file and no default; the server "
                        f"fails at startup until Secret {secret_name} holds it",
                        f"Add {ref_name}=... to the env file, or to the Secret before applying.",
                        info.paths[0],
                    )
                )
        elif not info.has_default:
            findings.append(
                Finding(
                    source,
                    0,
                    0,
                    Severity.WARNING,
                    "env-value-missing",
                    f"{ref_name} has no value and no default; the server fails at startup without it",
                    f"Add {ref_name}=... to the env file (it is then exported via the Secret).",
                    info.paths[0],
                )
            )
    secret = None
    if env_values is not None:
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": obj_meta(secret_name),
            "stringData": dict[str, Any](sorted(secret_data.items())),
        }
    dist = _distribution(run_data, distribution, image, findings, source)
    port = _port(run_data)
    if api_version == "v1alpha1":
        server: dict[str, Any] = {"distribution": dist, "userConfig": {"configMapName": cm_name}}
        container: dict[str, Any] = {}
        if port != 8321:
            container["port"] = port
        if env:
            container["env"] = env
        if container:
            server["containerSpec"] = container
        spec: dict[str, Any] = {"replicas": 1, "server": server}
    elif api_version == "v1alpha2":
        spec = {"distribution": dist, "overrideConfig": {"configMapName": cm_name}}
        if port != 8321:
            spec["networking"] = {"port": port}
        if env:
            spec["workload"] = {"overrides": {"env": env}}
    else:
        raise ValueError(f"unknown CR version {api_version!r} (v1alpha1 or v1alpha2)")
    cr = {
        "apiVersion": f"{models.GROUP}/{api_version}",
        "kind": "LlamaStackDistribution",
        "metadata": meta,
        "spec": spec,
    }
    findings.extend(_deployment_notes(run_data, source))
    if locate is not None:
        findings = [_relocate(f, locate) for f in findings]
    return Export(configmap, cr, secret, env, findings, refs, run_data, sorted(moved))


def _relocate(f: Finding, locate: Locate) -> Finding:
    if not f.path:
        return f
    try:
        file, line, col = locate(tuple(f.path))
    except Exception:  # a locator that cannot place a path leaves the finding as it was
        return f
    return Finding(file, line, col, f.severity, f.code, f.message, f.fix, f.path)


def _distribution(
    run_data: dict[str, Any], distribution: str | None, image: str | None, findings: list[Finding], source: str
) -> dict[str, Any]:
    if image:
        return {"image": image}
    if distribution:
        return {"name": distribution}
    known = dists.distribution_images()
    name = run_data.get("distro_name") or run_data.get("image_name")
    if isinstance(name, str) and name in known:
        return {"name": name}
    findings.append(
        Finding(
            source,
            0,
            0,
            Severity.INFO,
            "distribution-default",
            f"the run.yaml names distribution {name!r}, which the operator does not know; the CR uses "
            f"'{DEFAULT_DISTRIBUTION}' (its image must have every provider the run.yaml uses)",
            f"Pass --distribution NAME ({', '.join(sorted(known))}) or --image IMAGE.",
        )
    )
    return {"name": DEFAULT_DISTRIBUTION}


def _port(run_data: dict[str, Any]) -> int:
    server = run_data.get("server")
    port = server.get("port") if isinstance(server, dict) else None
    return port if isinstance(port, int) and not isinstance(port, bool) else 8321


_LOCAL_PATH_KEYS = re.compile(r"(^|_)(path|dir|file|certfile|keyfile|cafile)$")


def _deployment_notes(run_data: dict[str, Any], source: str) -> list[Finding]:
    """Things in the run.yaml that refer to the machine it was written on."""
    out: list[Finding] = []

    def walk(data: Any, path: tuple[Any, ...]) -> None:
        if isinstance(data, dict):
            for k, v in data.items():
                if (
                    isinstance(k, str)
                    and _LOCAL_PATH_KEYS.search(k)
                    and isinstance(v, str)
                    and v
                    and not v.startswith(("~/.llama", "${env."))
                    and ("/" in v)
                ):
                    out.append(
                        Finding(
                            source,
                            0,
                            0,
                            Severity.INFO,
                            "local-path",
                            f"{path_text(path + (k,))} is a file path ({v}); the pod must have it "
                            "(mount a volume via podOverrides, or the PVC at /.llama)",
                            "",
                            path + (k,),
                        )
                    )
                walk(v, path + (k,))
        elif isinstance(data, list):
            for i, v in enumerate(data):
                walk(v, path + (i,))

    walk(run_data, ())
    return out


# -- round trip ---------------------------------------------------------------------------------


def round_trip(exported: Export, run_data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str], list[Finding]]:
    """Expand the exported CR (with its ConfigMap) as the operator would; return the config
    and the list of differences from ``run_data`` (paths, as text)."""
    docs = parse_all(dump(exported.configmap, block_strings=True) + "---\n" + dump(exported.cr), "<export>")
    crs, inputs, _f = ex.split_documents(docs)
    result = ex.expand(crs[0], inputs=inputs)
    if not result.ok:
        return None, ["the exported CR does not expand"], result.findings
    return result.config, diff_paths(run_data, result.config), result.findings


def diff_paths(a: Any, b: Any, path: tuple[Any, ...] = ()) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(f"{path_text(path + (k,))}: only in the expanded config")
            elif k not in b:
                out.append(f"{path_text(path + (k,))}: missing from the expanded config")
            else:
                out.extend(diff_paths(a[k], b[k], path + (k,)))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(diff_paths(x, y, path + (i,)))
        return out
    return [] if a == b else [f"{path_text(path) or '(root)'}: differs"]


def secret_manifest_text(exported: Export) -> str:
    if exported.secret is None:
        raise ValueError("no Secret: no env values were given")
    return dump(exported.secret, sort_keys=False)


# -- a workspace, end to end (`lsc-tui export k8s` and the editor's palette) ---------------------

MANIFEST_NAMES = ("configmap.yaml", "llamastackdistribution.yaml")
SECRET_NAME = "secret.yaml"


class ExportInputError(FindingError):
    """The workspace cannot be exported: ``findings`` say why, ``summary`` sums them up."""


def workspace_run_data(ws: Workspace) -> tuple[Any, str, list[Finding], Path, Locate]:
    """``(run data, display name, findings, directory, locate)`` of a loaded workspace: the
    run.yaml itself, or what synthesis (or the operator's merge) makes of the config.
    Raises ExportInputError when there is nothing to export."""
    doc = ws.run_yaml
    if ws.kind == "run-yaml" and doc is not None:
        run_doc = doc

        def locate_doc(path: tuple[Any, ...]) -> tuple[str, int, int]:
            return (run_doc.display, *run_doc.position(path))

        return doc.data, doc.display, list(ws.findings), ws.config_dir, locate_doc

    result, findings = synthesize(ws)
    if result is None or isinstance(result, AsIs):
        reason = ws.mode_reason or "no run.yaml to synthesize"
        raise ExportInputError(
            findings
            or [
                Finding(
                    str(ws.root_path),
                    0,
                    0,
                    Severity.ERROR,
                    "export-nothing",
                    reason,
                    "Open a lightspeed-stack.yaml or a run.yaml.",
                )
            ],
            f"{ws.root_path}: {reason}",
        )

    made = result

    def locate(path: tuple[Any, ...]) -> tuple[str, int, int]:
        origin = made.origin_of(path)
        if origin.file.startswith("builtin:"):
            return (origin.file, *builtin_position(origin.source_path, origin.file))
        doc = ws.document_for(origin.file)
        return (origin.file, *(doc.position(origin.source_path) if doc is not None else (0, 0)))

    main = ws.documents[0].display if ws.documents else str(ws.root_path)
    return result.data, f"{main} ({result.label})", findings, ws.config_dir, locate


def allowed_values(ws: Workspace) -> set[str]:
    """The values of a workspace's secret findings the operator allowed (inline comment or
    allowlist): export lets them into the ConfigMap."""
    return {reveal(f) for f in scan_workspace(ws).allowed}


@dataclass
class ExportPlan:
    """What exporting a workspace writes: ``files`` are (name, text, mode) in writing order."""

    result: Export
    files: list[tuple[str, str, int]]
    findings: list[Finding]  # warnings of the export (errors stop before a plan exists)
    notes: list[str]  # the Secret's keys, the round-trip verdict


def plan_workspace_export(
    ws: Workspace,
    *,
    name: str = "llama-stack",
    namespace: str | None = None,
    api_version: str = "v1alpha1",
    env_file: Path | None = None,
    write_secret: bool = False,
) -> ExportPlan:
    """The manifests for a loaded workspace, as `lsc-tui export k8s -o DIR` writes them.
    Raises ExportInputError (with located findings) when nothing may be written."""
    data, display, findings, directory, locate = workspace_run_data(ws)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise ExportInputError(errors, "the config has errors; nothing was written")
    env_path = Path(env_file) if env_file else directory / ".env"
    env_values = None
    env_findings: list[Finding] = []
    if env_file or env_path.is_file():
        try:
            env_read = envfile.load(env_path)
        except envfile.EnvFileUnusable as exc:
            f = exc.finding
            raise ExportInputError(exc.findings, f"{f.location()}: {f.message}") from None
        env_values, env_findings = env_read.values, env_read.findings
    try:
        result = export_k8s(
            data,
            name=name,
            namespace=namespace,
            api_version=api_version,
            env_values=env_values,
            source=display,
            locate=locate,
            allowed_values=allowed_values(ws),
        )
    except ValueError as exc:
        raise ExportInputError(
            Finding(
                display,
                0,
                0,
                Severity.ERROR,
                "export-refused",
                str(exc),
                "Give a valid name (lower-case letters, digits and '-') and CR version (v1alpha1 or v1alpha2).",
            ),
            str(exc),
        ) from None
    if has_errors(result.findings):
        raise ExportInputError([f for f in result.findings if f.is_error], "nothing was written")
    files = [
        (MANIFEST_NAMES[0], dump(result.configmap, sort_keys=False, block_strings=True), 0o600),
        (MANIFEST_NAMES[1], dump(result.cr, sort_keys=False, block_strings=True), 0o600),
    ]
    notes = []
    if write_secret:
        if result.secret is None:
            raise ExportInputError(
                Finding(
                    str(env_path),
                    0,
                    0,
                    Severity.ERROR,
                    "env-file-missing",
                    "no Secret can be written: there is no env file",
                    "Create the env file (NAME=value lines), or export without the Secret.",
                ),
                f"no Secret can be written: there is no env file ({env_path})",
            )
        files.append((SECRET_NAME, secret_manifest_text(result), 0o600))
    if result.env:
        notes.append(
            f"Secret {name}-env feeds: {', '.join(e['name'] for e in result.env)}"
            + ("" if write_secret else " (not written)")
        )
    if result.moved:
        notes.append(f"the Secret feeds {', '.join(result.moved)} instead of the secret default in the run.yaml")
    _config, differences, _rt = round_trip(result, result.data)
    notes.append(
        "round trip: expanding the exported CR reproduces the run.yaml exactly"
        if not differences
        else f"round trip: the expanded CR differs at {', '.join(differences[:3])}"
    )
    return ExportPlan(result, files, env_findings + list(result.findings), notes)
