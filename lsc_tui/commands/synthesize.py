"""`lsc-tui synthesize`: write the run.yaml Llama Stack will run, as LCORE writes it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lsc_tui.commands import lcore_target, server_env
from lsc_tui.commands.report import add_json_argument, output, run_command, write_failed
from lsc_tui.config.findings import FindingError

HELP = "write the run.yaml LCORE would run for a config (unified or legacy), with --explain"

EXIT_OK, EXIT_ERRORS, EXIT_BAD_INPUT = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="lightspeed-stack.yaml (or a directory holding one)")
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="OUT",
        help="where to write (default ./.generated/run.yaml, as LCORE); '-' for stdout",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print every output line with the input and pipeline step that produced it",
    )
    parser.add_argument(
        "--run-yaml",
        default=None,
        metavar="FILE",
        help="legacy server mode: the Llama Stack container's run.yaml (default: run.yaml next to the config)",
    )
    parser.add_argument(
        "--show-secrets",
        action="store_true",
        help="print secret values on stdout instead of masking them (files always hold them)",
    )
    parser.add_argument("--no-info", action="store_true", help="hide informational findings")
    add_json_argument(parser, "synthesize")
    server_env.add_argument(parser)
    lcore_target.add_arguments(parser)


# --- shared with `lsc-tui diff` ---------------------------------------------------------
class BadInput(FindingError):
    """Nothing to synthesize: a text to show, or the located findings of the input that is wrong
    (their text is the message)."""

    def __init__(self, why: str | FindingError):
        if isinstance(why, FindingError):
            super().__init__(why.findings)
        else:
            super().__init__([], why)


def load(path: str, args=None, found=None, env_findings: list | None = None):
    """The workspace for ``path``, for the release ``found`` names (default: resolved from
    ``args``: ``--lcore``, ``--python``, the project file, detection). The ``--env-file``'s
    warnings (lines that are not NAME=value) are appended to ``env_findings``, even when the
    workspace then cannot be loaded; without that list they go to stderr."""
    from lsc_tui.config.workspace import WorkspaceError, load_workspace

    try:
        if env_findings is None:
            env, source = server_env.read(args)
        else:
            env, source, warnings = server_env.given(args)
            env_findings.extend(warnings)
        if found is None:
            found = lcore_target.resolve(args, path)
        return load_workspace(path, server_env=env, server_env_source=source, target=found.target)
    except (server_env.EnvFileError, lcore_target.TargetError, WorkspaceError) as exc:
        raise BadInput(exc) from None


def _locator(ws):
    from lsc_tui.config.preview import locator

    return locator(ws)


def build(ws, run_yaml: str | None = None):
    """``(synthesis or None, findings)`` for a workspace, by its mode."""
    from lsc_tui.config.preview import synthesize

    if ws.kind == "run-yaml":
        raise BadInput(f"{ws.root_path}: a run.yaml on its own; synthesis needs the lightspeed-stack.yaml that uses it")
    return synthesize(ws, run_yaml)


def print_findings(findings, no_info: bool = False) -> None:
    from lsc_tui.config.findings import Severity, sort_findings

    for f in sort_findings(findings):
        if no_info and f.severity is Severity.INFO:
            continue
        print(f.to_text(), file=sys.stderr)


def explain_lines(result, locate=None, secret_values=()) -> list[str]:
    """The run.yaml, masked, with each line's origin (file:line:col, step, key path)."""
    from lsc_tui.config.diff import _LineMasker
    from lsc_tui.config.findings import path_text
    from lsc_tui.config.synthesis.baseline import builtin_position

    text, origins = result.text_and_line_origins()
    lines = text.splitlines(keepends=True)
    masker = _LineMasker(lines)
    values = set(secret_values)
    width = min(60, max((len(line) for line in lines), default=0))
    out = []
    for n, (_line, origin) in enumerate(zip(lines, origins), start=1):
        shown = masker.mask(n - 1, values).rstrip("\n")
        if origin is None:
            where = "?"
        else:
            if origin.file.startswith("builtin:"):
                ln, col = builtin_position(origin.source_path, origin.file)
            elif locate is not None:
                ln, col = locate(origin.file, origin.source_path)
            else:
                ln, col = 0, 0
            where = f"{origin.step} {origin.file}:{ln}:{col}"
            if origin.source_path:
                where += f" {path_text(origin.source_path)}"
        out.append(f"{n:>5}  {shown:<{width}}  # {where}")
    return out


def run(args) -> int:
    return run_command(args, "synthesize", _run)


def _refuse_an_input(target, ws, args) -> None:
    """Raise WriteError when ``target`` is a file this synthesis reads (the config, its run.yaml or
    profile, ``--run-yaml``, ``--env-file``): written there, the run.yaml replaced the operator's
    file (``-o lightspeed-stack.yaml`` for ``-o run.yaml``), with no backup, as LCORE's own
    output has none."""
    from lsc_tui.config.yaml.files import WriteError, same_file

    if not os.path.exists(target):
        return
    reads = [(d.path, d.display) for d in ws.documents]
    for extra in (args.run_yaml, getattr(args, "env_file", None)):
        if extra:
            reads.append((Path(extra), str(extra)))
    for path, display in reads:
        if same_file(target, path):
            raise WriteError(
                target,
                f"it is {display}, which this synthesis reads: the synthesized run.yaml would replace it",
                "Write the run.yaml to another path (LCORE writes its own to .generated/run.yaml), or leave out -o.",
            )


def _run(args, report) -> int:
    from lsc_tui.config.findings import Severity, has_errors
    from lsc_tui.config.synthesis.emit import DEFAULT_OUTPUT, write_run_yaml

    found = lcore_target.resolve_reported(args, args.path, "synthesize", report)
    if found is None:
        return EXIT_BAD_INPUT
    env_findings: list = []  # the --env-file's lines that are not NAME=value: warnings
    try:
        ws = load(args.path, args, found, env_findings)
        result, findings = build(ws, args.run_yaml)
    except BadInput as exc:
        if report is not None:
            report.add_findings([*env_findings, *exc.findings])
        else:
            print_findings(env_findings)
        print(f"lsc-tui synthesize: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    findings = [*env_findings, *findings]
    if report is not None:
        report.data.update({"mode": ws.mode, "mode_reason": ws.mode_reason, "lines": None, "explain": None})
        report.add_findings(f for f in findings if not (args.no_info and f.severity is Severity.INFO))
    else:
        print_findings(findings, args.no_info)
    if result is None or has_errors(findings):
        if result is None and not has_errors(findings):
            print(
                f"lsc-tui synthesize: {ws.root_path}: {ws.mode_reason or 'no run.yaml to synthesize'}; "
                "LCORE does not synthesize for this config",
                file=sys.stderr,
            )
        else:
            print("lsc-tui synthesize: the config has errors; nothing was written", file=sys.stderr)
        # a file the config names that could not be read: an input that cannot be used
        return EXIT_BAD_INPUT if ws.unread else EXIT_ERRORS
    if report is not None:
        report.data["lines"] = result.text.count("\n")
    # the secret values mask what is printed; a run.yaml written to a file holds them as they are,
    # so the scan runs only when something is printed
    if args.explain:
        lines = explain_lines(result, _locator(ws), _secret_values(ws))
        if report is not None:
            report.data["explain"] = lines
        else:
            for line in lines:
                print(line)
        if args.output is None:
            return EXIT_OK
    if args.output == "-":
        text = result.text
        if not args.show_secrets:
            from lsc_tui.config.diff import _LineMasker

            lines = text.splitlines(keepends=True)
            masker = _LineMasker(lines)
            values = _secret_values(ws)
            text = "".join(masker.mask(i, values) for i in range(len(lines)))
        output(report, text)
        return EXIT_OK
    target = args.output or DEFAULT_OUTPUT
    try:
        _refuse_an_input(target, ws, args)
        # the default path is the tool's choice: the symlink policy keeps it in the workspace (here)
        written = write_run_yaml(target, result.data, result.text, workspace=None if args.output else ".")
    except OSError as exc:
        return write_failed(report, exc, target)
    for note in written.notes:
        print(f"note: {note}", file=sys.stderr)
    if report is not None:
        report.wrote(target)
    else:
        print(
            f"wrote {target} ({result.mode}, {result.text.count(chr(10))} lines"
            + ("" if written.special else ", mode 0600")
            + f"; for {ws.target.describe()})"
        )
    return EXIT_OK


def _secret_values(ws) -> set:
    from lsc_tui.config.preview import scan_secrets, secret_values

    return secret_values(scan_secrets(ws))
