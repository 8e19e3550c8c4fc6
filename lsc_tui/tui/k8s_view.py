"""The Kubernetes side of the editor: the operator's files in the tree, the words the preview
pane uses for them, and the palette's "Export for Kubernetes…" and "Write expanded
config.yaml…".

Every config fact comes from the core (:mod:`lsc_tui.config.operator`): the tree arranges a
CR's documents, the palette commands run the same code as ``lsc-tui export k8s`` and
``lsc-tui expand -o``, and only write after the operator confirms where (and, for an
existing file, that it may be replaced).
"""

from __future__ import annotations

import asyncio
import os
from functools import partial
from pathlib import Path

from lsc_tui.config.findings import path_text
from lsc_tui.config.operator.kinds import KIND_EXTRA, KIND_LLSD, KIND_SPEC, LABELS
from lsc_tui.tui.model import TreeItem

KIND_LABELS = dict(LABELS)
PROVIDER_SECTIONS_V2 = ("inference", "safety", "vectorIo", "toolRuntime", "telemetry")


# -- what the preview pane is called -------------------------------------------------------------


def preview_words(ws, synthesis) -> tuple[str, str]:
    """``(label, note)``: what the preview shows, and why it is empty when it is."""
    if ws.kind == KIND_LLSD:
        note = "" if synthesis is not None else \
            "No generated config.yaml: fix the errors in the findings (4) first."
        return "config.yaml", note
    if ws.kind in (KIND_EXTRA, KIND_SPEC):
        if ws.run_yaml is None:
            name = Path(ws.root_path).name
            return "run.yaml", (f"No run.yaml next to {name}: only its validation is shown (findings, 4). "
                                "Put the run.yaml the operator merges into next to it to see the merged run.yaml.")
        return "run.yaml", "" if synthesis is not None else \
            "No merged run.yaml: fix the errors in the findings (4) first."
    return "run.yaml", ""


def companion_role(ws) -> str:
    return "base config" if ws.kind == KIND_LLSD else "base run.yaml"


# -- the tree -------------------------------------------------------------------------------------------


def operator_document_item(ws, doc, doc_states: list, name: str) -> TreeItem:
    """A CR (and the ConfigMaps/Secrets in its file), an extra-providers.yaml or a provider package."""
    from lsc_tui.tui.model import _apply_states

    base = {"file": doc.path, "display": doc.display}
    root = TreeItem(_key(doc, ()), name, "document", path=(), detail=KIND_LABELS.get(ws.kind, ws.kind), **base)
    if getattr(doc, "stream", False) and isinstance(doc.data, list):
        for i, obj in enumerate(doc.data):
            child = TreeItem(_key(doc, (i,)), _object_label(obj, i), "object", path=(i,), **base)
            _object_children(child, doc, obj, (i,), base)
            root.children.append(child)
    else:
        _object_children(root, doc, doc.data, (), base)
    _apply_states(root, doc_states)
    return root


def _key(doc, path: tuple) -> str:
    return f"{doc.display}|{path_text(path)}"


def _object_label(obj, index: int) -> str:
    if not isinstance(obj, dict):
        return f"document {index + 1}"
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    kind = obj.get("kind") or "document"
    return f"{kind} {meta.get('name')}" if meta.get("name") else str(kind)


def _object_children(parent: TreeItem, doc, obj, prefix: tuple, base: dict) -> None:
    if not isinstance(obj, dict):
        return
    kind = obj.get("kind")
    sections = []
    for top, value in obj.items():
        path = prefix + (top,)
        if kind == "LlamaStackDistribution" and top == "spec" and isinstance(value, dict):
            parent.children.extend(_spec_children(doc, value, path, base))
        elif kind == "ExternalProviders" and top == "providers" and isinstance(value, dict):
            parent.children.append(_external_providers(doc, value, path, base))
        elif kind == "ConfigMap" and top == "data" and isinstance(value, dict):
            group = TreeItem(_key(doc, path), "data", "group", path=path, **base)
            for k in value:
                group.children.append(TreeItem(_key(doc, path + (k,)), str(k), "section", path=path + (k,), **base))
            parent.children.append(group)
        else:
            sections.append(TreeItem(_key(doc, path), str(top), "section", path=path, **base))
    if sections:
        group = TreeItem(f"{doc.display}|{path_text(prefix)}#sections", "sections", "group", path=(), **base)
        group.children = sections
        parent.children.append(group)


def _spec_children(doc, spec: dict, path: tuple, base: dict) -> list[TreeItem]:
    out = []
    for k, value in spec.items():
        p = path + (k,)
        if k == "providers" and isinstance(value, dict):
            group = TreeItem(_key(doc, p), "providers", "group", path=p, **base)
            for section, items in value.items():
                api = TreeItem(_key(doc, p + (section,)), str(section), "api", path=p + (section,), **base)
                for i, item in enumerate(items if isinstance(items, list) else []):
                    label = str(item.get("id") or item.get("provider") or f"[{i}]") if isinstance(item, dict) \
                        else f"[{i}]"
                    detail = str(item.get("provider", "")) if isinstance(item, dict) and item.get("id") else ""
                    api.children.append(TreeItem(_key(doc, p + (section, i)), label, "cr-provider",
                                                 path=p + (section, i), detail=detail, **base))
                group.children.append(api)
            out.append(group)
        elif k == "server" and isinstance(value, dict):  # v1alpha1: everything lives under spec.server
            group = TreeItem(_key(doc, p), "server", "group", path=p, **base)
            for sub in value:
                group.children.append(TreeItem(_key(doc, p + (sub,)), str(sub), "section", path=p + (sub,), **base))
            out.append(group)
        else:
            out.append(TreeItem(_key(doc, p), str(k), "section", path=p, **base))
    return out


def _external_providers(doc, providers: dict, path: tuple, base: dict) -> TreeItem:
    group = TreeItem(_key(doc, path), "providers", "group", path=path, **base)
    for api, items in providers.items():
        api_item = TreeItem(_key(doc, path + (api,)), str(api), "api", path=path + (api,), api=str(api), **base)
        for i, item in enumerate(items if isinstance(items, list) else []):
            label = str(item.get("provider_id") or f"[{i}]") if isinstance(item, dict) else f"[{i}]"
            detail = str(item.get("provider_type", "")) if isinstance(item, dict) else ""
            api_item.children.append(TreeItem(_key(doc, path + (api, i)), label, "provider", path=path + (api, i),
                                              api=str(api), detail=detail, **base))
        group.children.append(api_item)
    return group


# -- the command palette ------------------------------------------------------------------------------


def palette_commands(app) -> list[tuple[str, str, object]]:
    """(name, help, callback) for the palette: export, and for a CR the expanded config."""
    if getattr(app, "readonly", False) or getattr(app, "session", None) is None:
        return []  # read-only, or the config is still loading
    ws = app.session.workspace
    out = []
    if ws.kind != KIND_LLSD:
        out.append(("Export for Kubernetes…", "ConfigMap + LlamaStackDistribution (+ Secret), as lsc-tui export k8s",
                    partial(export_for_kubernetes, app)))
    else:
        out.append(("Write expanded config.yaml…", "the config the operator generates, as lsc-tui expand -o",
                    partial(write_expanded_config, app)))
    return out


def _shown(path: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover - another drive
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _resolve(text: str, cwd: Path) -> Path:
    p = Path(os.path.expanduser(text))
    return p if p.is_absolute() else cwd / p


def _notify_findings(app, title: str, text: str, findings: list) -> None:
    from lsc_tui.config.masking import mask_inline

    lines = [text] + [mask_inline(f.to_text()) for f in findings[:3]]
    if len(findings) > 3:
        lines.append(f"... and {len(findings) - 3} more in the findings (4)")
    app.notify("\n".join(lines), title=title, severity="error", timeout=12)


def export_for_kubernetes(app) -> None:
    """Ask where, then write the manifests of the workspace as edited (0600, never over a
    file without asking, a Secret only when asked)."""
    from lsc_tui.tui.screens.dialogs import Prompt

    session = app.session
    ws = session.workspace
    default = _shown(ws.config_dir / "k8s", session.cwd)
    note = ("Writes configmap.yaml and llamastackdistribution.yaml (mode 0600), as `lsc-tui export k8s -o DIR`. "
            "secret.yaml is written only if you answer yes; its values come from the .env next to the config.")
    if session.dirty:
        note += " Your unsaved edits are included."

    def answer(values) -> None:
        if not values:
            return
        secret = values["secret"].lower()
        if secret not in ("yes", "no", "y", "n"):
            app.notify("Answer yes or no for the Secret.", severity="warning")
            return
        out_dir = _resolve(values["dir"], session.cwd)
        app.run_worker(_export(app, out_dir, values["name"], secret.startswith("y")), group="k8s-export",
                       exclusive=True, exit_on_error=False)

    app.push_screen(Prompt("Export for Kubernetes", [
        ("dir", "Output directory", default, None),
        ("name", "Name of the LlamaStackDistribution (and its ConfigMap)", "llama-stack", None),
        ("secret", "Also write secret.yaml with the values of .env? (yes/no)", "no", ["no", "yes"]),
    ], note), answer)


async def _export(app, out_dir: Path, name: str, write_secret: bool) -> None:
    from lsc_tui.config.operator.export import ExportInputError, plan_workspace_export

    await app.wait_idle()
    ws = app.session.workspace
    try:
        plan = await asyncio.to_thread(plan_workspace_export, ws, name=name, write_secret=write_secret)
    except ExportInputError as exc:
        _notify_findings(app, "Not exported", f"lsc-tui export k8s: {exc}", exc.findings)
        return
    except Exception as exc:  # never a traceback on screen
        app.notify(f"export failed ({type(exc).__name__}); nothing was written", severity="error", timeout=10)
        return
    targets = [(out_dir / fname, text, mode) for fname, text, mode in plan.files]
    existing = [t for t, _x, _m in targets if t.exists()]

    def write() -> None:
        from lsc_tui.config.yaml.save import atomic_write

        written = []
        try:
            for target, text, mode in targets:
                atomic_write(target, text, mode=mode)
                written.append(target)
        except OSError as exc:
            where = getattr(exc, "filename", None) or out_dir
            app.notify(f"{where}:0:0: cannot write: {exc.strerror or exc}. Check the directory is writable.",
                       title="Not exported", severity="error", timeout=12)
            return
        warnings = [f for f in plan.findings if not f.is_error]
        names = ", ".join(_shown(w, app.session.cwd) for w in written)
        extra = f" ({len(warnings)} warning(s): see lsc-tui export k8s)" if warnings else ""
        app.notify(f"Wrote {names}.{extra}\n" + "\n".join(plan.notes), title="Exported", timeout=10)

    _confirm_then(app, existing, write)


def _confirm_then(app, existing: list[Path], write) -> None:
    if not existing:
        write()
        return
    from lsc_tui.tui.screens.dialogs import confirm_dialog

    names = "\n  ".join(_shown(p, app.session.cwd) for p in existing)

    def answer(choice) -> None:
        if choice == "yes":
            write()
        else:
            app.notify("Nothing was written.", timeout=4)

    app.push_screen(confirm_dialog("Replace existing files?",
                                   f"These files exist and would be replaced (the old ones are kept as .bak):\n  "
                                   f"{names}"), answer)


def write_expanded_config(app) -> None:
    """Ask where, then write the config.yaml the preview shows (unmasked, 0600)."""
    from lsc_tui.tui.screens.dialogs import Prompt

    session = app.session
    default = _shown(session.workspace.config_dir / "config.yaml", session.cwd)
    note = ("The config the operator generates from this CR, as `lsc-tui expand CR -o FILE` (mode 0600)."
            + (" Your unsaved edits are included." if session.dirty else ""))

    def answer(values) -> None:
        if values:
            app.run_worker(_write_expanded(app, _resolve(values["path"], session.cwd)), group="k8s-export",
                           exclusive=True, exit_on_error=False)

    app.push_screen(Prompt("Write expanded config.yaml", [("path", "File", default, None)], note), answer)


async def _write_expanded(app, target: Path) -> None:
    await app.wait_idle()
    analysis = app.session.analysis
    result = analysis.synthesis
    if result is None or not getattr(result, "text", ""):
        errors = [f for f in analysis.findings if f.is_error]
        _notify_findings(app, "Not written", "The CR does not expand: nothing was written.", errors)
        return
    if target.resolve() in {Path(p).resolve() for p in app.session.buffers}:
        app.notify(f"{_shown(target, app.session.cwd)} is open in the editor: choose another file.",
                   severity="error", timeout=8)
        return
    text = result.text

    def write() -> None:
        from lsc_tui.config.yaml.save import atomic_write

        try:
            atomic_write(target, text, mode=0o600)
        except OSError as exc:
            app.notify(f"{target}:0:0: cannot write: {exc.strerror or exc}. Check the directory is writable.",
                       title="Not written", severity="error", timeout=12)
            return
        app.notify(f"Wrote {_shown(target, app.session.cwd)} ({len(text.splitlines())} lines, mode 0600).",
                   title="Expanded", timeout=8)

    _confirm_then(app, [target] if target.exists() else [], write)


# -- profiles in the tree --------------------------------------------------------------------------------


def profile_choice(item: TreeItem) -> tuple[str, str] | None:
    """``(kind, name)`` of a Profiles entry of the tree, else None."""
    if item is None or item.kind != "profile-choice" or "|#profiles/" not in item.key:
        return None
    kind, _, name = item.key.split("|#profiles/", 1)[1].partition("/")
    return kind, name
