"""`lsc-tui diff`: the synthesized run.yaml against a baseline, like diff(1)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lsc_tui.commands import lcore_target, lcore_upgrade, server_env
from lsc_tui.commands.synthesize import BadInput, _secret_values, build, load, print_findings

HELP = "diff the synthesized run.yaml against the generated file, the legacy run.yaml or any FILE"

EXIT_SAME, EXIT_DIFFERENT, EXIT_BAD_INPUT = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="lightspeed-stack.yaml (or a directory holding one)")
    parser.add_argument(
        "--against",
        metavar="FILE",
        default=None,
        help="the run.yaml to compare with (default: the legacy run.yaml in legacy "
        "library mode, else ./.generated/run.yaml)",
    )
    parser.add_argument(
        "--run-yaml", default=None, metavar="FILE", help="legacy server mode: the Llama Stack container's run.yaml"
    )
    parser.add_argument("--json", action="store_true", help="print {against, changes, diff} as JSON (values masked)")
    server_env.add_argument(parser)
    lcore_target.add_arguments(parser)
    parser.add_argument(
        "--against-lcore",
        metavar="VERSION",
        type=lcore_target.release_type,
        default=None,
        help="compare the run.yaml the --lcore release (or the detected one) runs with the one "
        "this release runs for the same config, with its keys renamed for it; lists the "
        "keys to rename (what `lsc-tui migrate --to` writes)",
    )


def _baseline(args, ws):
    """``(label, data)`` of what to compare with, or raise BadInput."""
    from lsc_tui.config.synthesis.emit import DEFAULT_OUTPUT

    if args.against:
        path = Path(args.against)
    elif ws.mode == "legacy-library" and ws.run_yaml is not None:
        return ws.run_yaml.display, ws.run_yaml.data
    else:
        path = DEFAULT_OUTPUT
        if not path.is_file():
            raise BadInput(
                f"nothing to compare with: {path} does not exist (run `lsc-tui synthesize` "
                "first, or pass --against FILE)"
            )
    from lsc_tui.config.yaml.document import load_data
    from lsc_tui.config.yaml.lint import YamlLoadError

    try:
        # the guarded reader (regular files only, size, encoding, alias and depth limits) with the
        # C parser; the baseline needs no located nodes, so none are built
        data = load_data(path)
    except YamlLoadError as exc:
        raise BadInput(exc.located_text()) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadInput(f"{path}: not a run.yaml mapping")
    return str(path), data


def print_nothing_compared(args, lcore, error: str, findings) -> None:
    """``--json`` when there is nothing to compare: the object of every run, empty, with the reason
    and the findings that say why."""
    print(
        json.dumps(
            {
                "against": args.against or "",
                "mode": None,
                "lcore": lcore,
                "changes": [],
                "diff": "",
                "error": error,
                "findings": [f.to_json() for f in findings],
            },
            indent=2,
        )
    )


def run(args) -> int:
    from lsc_tui.config.diff import structural_diff, unified_diff
    from lsc_tui.config.findings import has_errors, sort_findings
    from lsc_tui.config.synthesis.emit import dump_run_yaml

    try:
        found = lcore_target.resolve(args, args.path)
    except lcore_target.TargetError as exc:
        if args.json:  # the reason as the one JSON object a script reads, with no release decided
            print_nothing_compared(args, None, str(exc), exc.findings)
        return lcore_target.error("diff", exc)
    lcore_target.report(found, quiet=args.json)
    if args.against_lcore is not None:
        if args.against:
            print(
                "lsc-tui diff: --against and --against-lcore compare with different things; give one", file=sys.stderr
            )
            return EXIT_BAD_INPUT
        return lcore_upgrade.run_diff(args, found)
    findings: list = []  # the env file's and the synthesis's
    env_findings: list = []  # the --env-file's lines that are not NAME=value: warnings
    printed = False
    try:
        ws = load(args.path, args, found, env_findings)
        result, findings = build(ws, args.run_yaml)
        findings = [*env_findings, *findings]
        if result is None or has_errors(findings):
            print_findings(findings)
            printed = True
            raise BadInput("the config has errors; there is no synthesized run.yaml to compare")
        label, old = _baseline(args, ws)
    except BadInput as exc:
        findings = findings or env_findings
        if not printed:
            print_findings(env_findings)
        print(f"lsc-tui diff: {exc}", file=sys.stderr)
        if args.json:  # a script reading stdout gets the reason as JSON too, not an empty document
            print_nothing_compared(args, found.to_json(), str(exc), [*findings, *exc.findings])
        return EXIT_BAD_INPUT
    from lsc_tui.config.masking import flagged_values

    # the workspace's secrets, and whatever the scanner flags in either side (the --against
    # file is no part of the workspace, and was never scanned)
    values = _secret_values(ws) | flagged_values([old, result.data])  # one walk: most scalars are in both
    # Compare as LCORE writes files, so formatting and comments are not differences.
    old_text = dump_run_yaml(old)
    text = unified_diff(old_text, result.text, old_label=label, new_label="synthesized run.yaml", mask=values or True)
    changes = structural_diff(old, result.data, secret_values=values)
    if args.json:
        print(
            json.dumps(
                {
                    "against": label,
                    "mode": result.mode,
                    "lcore": found.to_json(),
                    "changes": [c.to_json() for c in changes],
                    "diff": text,
                    "findings": [f.to_json() for f in sort_findings(env_findings)],
                },
                indent=2,
                default=str,
            )
        )
    else:
        print_findings(env_findings)  # on stderr, as the located findings of every command
        out = [text]
        if changes:
            out.append(f"# {len(changes)} structural change{'s' * (len(changes) != 1)}:\n")
            out.extend(f"# {change.to_text()}\n" for change in changes)
        sys.stdout.write("".join(out))  # one write: a change per line at 10,000 lines is thousands
    return EXIT_DIFFERENT if (text or changes) else EXIT_SAME
