"""`lsc-tui validate`: every finding of a workspace, located, with a fix."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys

from lsc_tui.commands import lcore_target, server_env

HELP = "check a lightspeed-stack.yaml (and every file it refers to), a run.yaml, or an operator file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        help="lightspeed-stack.yaml, a directory holding one, a run.yaml, or an operator "
        "file (LlamaStackDistribution CR, extra-providers.yaml, lls-provider-spec.yaml)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--no-info", action="store_true", help="hide informational findings")
    server_env.add_argument(parser)
    lcore_target.add_arguments(parser)


def file_roles(ws) -> list[dict]:
    roles = []
    if ws.config is not None:
        roles.append({"path": ws.config.display, "role": "lightspeed-stack"})
    if ws.run_yaml is not None:
        role = {
            "run-yaml": "run-yaml",
            "llsd": "base-config",
            "extra-providers": "base-run-yaml",
            "provider-spec": "base-run-yaml",
        }.get(ws.kind, "legacy-run-yaml")
        roles.append({"path": ws.run_yaml.display, "role": role})
    if ws.profile is not None:
        roles.append({"path": ws.profile.display, "role": "profile"})
    if ws.source is not None:
        roles.insert(0, {"path": ws.source.display, "role": ws.kind})
    if ws.baseline:
        roles.append({"path": f"builtin:{ws.baseline}", "role": "baseline"})
    return roles


def _root_display(ws) -> str:
    """The validated file as the findings name it (the path as given, relative to the working
    directory), not its bare name: two configs of one name in two folders are told apart."""
    root = ws.root_path.resolve()
    return next(
        (d.display for d in ws.documents if d.path is not None and Path(d.path).resolve() == root), ws.root_path.name
    )


def _print_unusable(lcore, findings) -> None:
    """``--json`` for a config that could not be validated at all: the object of every run, with
    no mode and no file, and the findings that say why."""
    print(
        json.dumps(
            {"mode": None, "mode_reason": "", "files": [], "lcore": lcore, "findings": [f.to_json() for f in findings]},
            indent=2,
        )
    )


def run(args) -> int:
    from lsc_tui.config import preview
    from lsc_tui.config.findings import Severity, counts as count_findings, is_secret, sort_findings
    from lsc_tui.config.workspace import WorkspaceError, load_workspace

    try:
        found = lcore_target.resolve(args, args.path)
    except lcore_target.TargetError as exc:
        if args.json:  # the reason as the one JSON object a script reads, with no release decided
            _print_unusable(None, exc.findings)
        return lcore_target.error("validate", exc)
    lcore_target.report(found)
    env_findings: list = []  # the --env-file's lines that are not NAME=value: warnings, counted
    try:
        env, source, env_findings = server_env.given(args)
        ws = load_workspace(args.path, server_env=env, server_env_source=source, target=found.target)
    except (server_env.EnvFileError, WorkspaceError) as exc:
        if args.json:
            _print_unusable(found.to_json(), sort_findings([*env_findings, *exc.findings]))
        else:
            for f in sort_findings([*env_findings, *exc.findings]):
                print(f.to_text(), file=sys.stderr)
        return 2
    # the editor's findings: validation, synthesis (LCORE-3370 losses, ...) and literal secrets,
    # with the env file's own
    report = preview.report(ws)
    every = sort_findings([*report.findings, *env_findings])
    counts = count_findings(every, len(report.secrets))
    findings = [f for f in every if not (args.no_info and f.severity is Severity.INFO)]
    if args.json:
        print(
            json.dumps(
                {
                    "mode": ws.mode,
                    "mode_reason": ws.mode_reason,
                    "files": file_roles(ws),
                    "lcore": found.to_json(),
                    "counts": counts,
                    "findings": [f.to_json() for f in findings],
                },
                indent=2,
            )
        )
    else:
        for f in findings:  # a literal secret says so, as the count below and the editor's S do
            print(f.to_text("secret" if is_secret(f) else None))
        errors, warnings, secrets = counts["errors"], counts["warnings"], counts["secrets"]
        mode = ws.mode or {
            "run-yaml": "run.yaml",
            "llsd": "LlamaStackDistribution",
            "extra-providers": "ExternalProviders",
            "provider-spec": "ProviderPackage",
        }.get(ws.kind, "invalid")
        tail = f", {secrets} literal secret{'s' * (secrets != 1)}" if secrets else ""
        print(
            f"{_root_display(ws)}: {mode} ({ws.mode_reason}); "
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}{tail}; "
            f"for {ws.target.describe()}"
        )
    # a file the config names that could not be read is an input that cannot be used (2); literal
    # secrets are listed and counted on their own, as the editor does; `lsc-tui secrets scan` is
    # the check that fails on them
    if ws.unread:
        return 2
    return 1 if counts["errors"] else 0
