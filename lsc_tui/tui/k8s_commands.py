"""The palette's Kubernetes commands: "Export for Kubernetes…" and "Write expanded config.yaml…".

They run the same core code as ``lsc-tui export k8s`` and ``lsc-tui expand -o``
(:mod:`lsc_tui.config.operator`) on the workspace as edited, and write only after the operator
confirms where (and, for an existing file, that it may be replaced).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from lsc_tui.config.findings import sort_findings
from lsc_tui.config.masking import mask_inline
from lsc_tui.config.yaml.save import atomic_write
from lsc_tui.config.operator.export import ExportInputError, plan_workspace_export
from lsc_tui.config.operator.kinds import KIND_LLSD
from lsc_tui.tui.screens.dialogs import Prompt, confirm_dialog


# -- the command palette ------------------------------------------------------------------------------


def palette_commands(app) -> list[tuple[str, str, Callable[[], None]]]:
    """(name, help, callback) for the palette: export, and for a CR the expanded config."""
    if app.readonly or app.session is None:
        return []  # read-only, or the config is still loading
    ws = app.session.workspace
    out: list[tuple[str, str, Callable[[], None]]] = []
    if ws.kind != KIND_LLSD:
        out.append(
            (
                "Export for Kubernetes…",
                "ConfigMap + LlamaStackDistribution (+ Secret), as lsc-tui export k8s",
                partial(export_for_kubernetes, app),
            )
        )
    else:
        out.append(
            (
                "Write expanded config.yaml…",
                "the config the operator generates, as lsc-tui expand -o",
                partial(write_expanded_config, app),
            )
        )
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


def _finding_lines(findings: list, more: str, *, fix: bool = True) -> list[str]:
    """The first three findings, located and masked (with their fix unless ``fix`` is False: a
    notice at 80x24 holds three findings without them), then how many more and where (``more``)."""
    lines = [mask_inline(f.to_text() if fix else f.to_text().partition("\n    fix: ")[0]) for f in findings[:3]]
    if len(findings) > 3:
        lines.append(f"... and {len(findings) - 3} more" + (f" {more}" if more else ""))
    return lines


def _notify_findings(app, title: str, text: str, findings: list) -> None:
    lines = [text] + _finding_lines(findings, "in the findings (4)")
    app.notify("\n".join(lines), title=title, severity="error", timeout=12)


def _warnings(plan, cwd: Path) -> list:
    """The export's warnings (the env file's lines that are not NAME=value among them), sorted,
    each file named from the working directory as the editor's findings are."""
    out = []
    for f in plan.findings:
        if f.is_error:
            continue
        if Path(f.file).is_absolute():
            f = replace(f, file=_shown(Path(f.file), cwd))
        out.append(f)
    return sort_findings(out)


def export_for_kubernetes(app) -> None:
    """Ask where, then write the manifests of the workspace as edited (0600, never over a
    file without asking, a Secret only when asked)."""
    session = app.session
    ws = session.workspace
    default = _shown(ws.config_dir / "k8s", session.cwd)
    note = (
        "Writes configmap.yaml and llamastackdistribution.yaml (mode 0600), as `lsc-tui export k8s -o DIR`. "
        "secret.yaml is written only if you answer yes; its values come from the .env next to the config."
    )
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
        app.run_worker(
            _export(app, out_dir, values["name"], secret.startswith("y")),
            group="k8s-export",
            exclusive=True,
            exit_on_error=False,
        )

    app.push_screen(
        Prompt(
            "Export for Kubernetes",
            [
                ("dir", "Output directory", default, None),
                ("name", "Name of the LlamaStackDistribution (and its ConfigMap)", "llama-stack", None),
                ("secret", "Also write secret.yaml with the values of .env? (yes/no)", "no", ["no", "yes"]),
            ],
            note,
        ),
        answer,
    )


async def _export(app, out_dir: Path, name: str, write_secret: bool) -> None:
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
        written = []
        try:
            for target, text, mode in targets:
                atomic_write(target, text, mode=mode)
                written.append(target)
        except OSError as exc:
            where = exc.filename or out_dir
            app.notify(
                f"{where}:0:0: cannot write: {exc.strerror or exc}. Check the directory is writable.",
                title="Not exported",
                severity="error",
                timeout=12,
            )
            return
        warnings = _warnings(plan, app.session.cwd)
        names = ", ".join(_shown(w, app.session.cwd) for w in written)
        lines = [f"Wrote {names}."]
        if warnings:  # listed as the export's errors are, located: the operator can act on them
            lines.append(f"{len(warnings)} warning{'s' * (len(warnings) != 1)}:")
            lines += _finding_lines(warnings, "", fix=False)
            lines.append("lsc-tui export k8s lists them with their fix.")
        app.notify(
            "\n".join(lines + plan.notes),
            title="Exported",
            severity="warning" if warnings else "information",
            timeout=12 if warnings else 10,
        )

    _confirm_then(app, existing, write)


def _confirm_then(app, existing: list[Path], write) -> None:
    if not existing:
        write()
        return
    names = "\n  ".join(_shown(p, app.session.cwd) for p in existing)

    def answer(choice) -> None:
        if choice == "yes":
            write()
        else:
            app.notify("Nothing was written.", timeout=4)

    app.push_screen(
        confirm_dialog(
            "Replace existing files?",
            f"These files exist and would be replaced (the old ones are kept as .bak):\n  {names}",
        ),
        answer,
    )


def write_expanded_config(app) -> None:
    """Ask where, then write the config.yaml the preview shows (unmasked, 0600)."""
    session = app.session
    default = _shown(session.workspace.config_dir / "config.yaml", session.cwd)
    note = "The config the operator generates from this CR, as `lsc-tui expand CR -o FILE` (mode 0600)." + (
        " Your unsaved edits are included." if session.dirty else ""
    )

    def answer(values) -> None:
        if values:
            app.run_worker(
                _write_expanded(app, _resolve(values["path"], session.cwd)),
                group="k8s-export",
                exclusive=True,
                exit_on_error=False,
            )

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
        app.notify(
            f"{_shown(target, app.session.cwd)} is open in the editor: choose another file.",
            severity="error",
            timeout=8,
        )
        return
    text = result.text

    def write() -> None:
        try:
            atomic_write(target, text, mode=0o600)
        except OSError as exc:
            app.notify(
                f"{target}:0:0: cannot write: {exc.strerror or exc}. Check the directory is writable.",
                title="Not written",
                severity="error",
                timeout=12,
            )
            return
        app.notify(
            f"Wrote {_shown(target, app.session.cwd)} ({len(text.splitlines())} lines, mode 0600).",
            title="Expanded",
            timeout=8,
        )

    _confirm_then(app, [target] if target.exists() else [], write)
