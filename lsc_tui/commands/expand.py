"""`lsc-tui expand`: the config.yaml the operator generates from a LlamaStackDistribution."""

from __future__ import annotations

import argparse
import sys

from lsc_tui.commands.report import (
    add_json_argument,
    add_show_secrets_argument,
    output_data,
    run_command,
    show_findings,
    write_failed,
    write_file,
)

HELP = "validate a LlamaStackDistribution CR (CEL rules, webhook) and expand it into the config.yaml the operator generates"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cr", metavar="CR.yaml", help="the CR (may also hold its ConfigMaps and Secrets, split by ---)")
    parser.add_argument(
        "--base",
        metavar="CONFIG",
        help="base config.yaml of the distribution (default: the embedded one for distribution.name)",
    )
    parser.add_argument("-o", "--output", metavar="OUT", help="write config.yaml here (default: stdout)")
    parser.add_argument("--name", help="which CR to expand when the file holds several")
    parser.add_argument(
        "--config-map",
        action="append",
        default=[],
        metavar="FILE",
        help="a file with the ConfigMap that userConfig/overrideConfig names (repeatable)",
    )
    parser.add_argument(
        "--secrets",
        action="append",
        default=[],
        metavar="FILE",
        help="Secret manifests to check secretKeyRefs against, as the webhook does (repeatable)",
    )
    parser.add_argument(
        "--metadata-dir", metavar="D", help="DIR/<providerId>/lls-provider-spec.yaml for spec.externalProviders"
    )
    parser.add_argument(
        "--llama-stack-version",
        metavar="V",
        help="the Llama Stack version you deploy, for compatibility warnings (default: inferred from "
        "the base config's layout)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    add_show_secrets_argument(parser)
    add_json_argument(parser, "expand")


def run(args) -> int:
    return run_command(args, "expand", _run)


def _run(args, report) -> int:
    from lsc_tui.config.findings import Finding, Severity, has_errors
    from lsc_tui.config.operator import expand as ex
    from lsc_tui.config.findings import FindingError
    from lsc_tui.config.yaml.save import dump
    from lsc_tui.config.yaml.streams import load_all

    def show(findings):
        show_findings(report, [f for f in findings if not (args.quiet and f.severity is not Severity.ERROR)])

    target = None
    if args.llama_stack_version:
        try:
            target = ex.parse_version(args.llama_stack_version)
        except ValueError as exc:
            print(f"lsc-tui expand: error: --llama-stack-version: {exc}", file=sys.stderr)
            return 2
    try:
        docs = load_all(args.cr)
        crs, inputs, findings = ex.split_documents(docs)
        findings += ex.load_inputs(args.config_map, args.secrets, args.metadata_dir, inputs)
        base = ex.load_base(args.base) if args.base else None
    except FindingError as exc:
        show(exc.findings)
        return 2
    if has_errors(findings):
        show(findings)
        return 2

    def no_one_cr(code: str, problem: str, fix: str) -> int:  # about the file as a whole
        show([Finding(str(args.cr), 0, 0, Severity.ERROR, code, problem, fix)])
        return 2

    if args.name:
        crs = [c for c in crs if ex.cr_name(c) == args.name]
        if not crs:
            return no_one_cr(
                "llsd-not-found", f"no LlamaStackDistribution named {args.name!r} in the file", "Check --name."
            )
    if not crs:
        return no_one_cr(
            "no-llsd", "the file holds no LlamaStackDistribution", "Give a file with kind: LlamaStackDistribution."
        )
    if len(crs) > 1:
        names = ", ".join(ex.cr_name(c) for c in crs)
        return no_one_cr(
            "several-llsd", f"the file holds {len(crs)} LlamaStackDistributions ({names})", "Pick one with --name NAME."
        )
    result = ex.expand(crs[0], inputs=inputs, base=base, target=target)
    findings += result.findings
    if report is not None:
        report.data.update(
            {
                "name": result.name,
                "source": str(result.source),
                "llama_stack_version": ex.fmt_version(result.target) if result.target else None,
                "env": [{"name": e.name, "secret": e.secret, "key": e.key, "field": e.field} for e in result.env],
            }
        )
    show(findings)
    if not result.ok:
        return 1
    text = dump(result.config, sort_keys=True)
    try:
        if args.output:
            written = write_file(report, args.output, text)
            if written.backup and not args.quiet:
                print(f"note: the previous {args.output} was kept as {written.backup}", file=sys.stderr)
            for note in written.notes:
                print(f"note: {note}", file=sys.stderr)
        else:
            output_data(report, result.config, args.show_secrets, sort_keys=True, write_hint="-o FILE")
    except OSError as exc:
        return write_failed(report, exc, args.output)
    if not args.quiet and report is None:
        target_text = ex.fmt_version(result.target) if result.target else "?"
        print(
            f"{result.name}: config from {result.source} (Llama Stack {target_text} layout); "
            f"{sum(1 for f in findings if f.severity is Severity.WARNING)} warning(s)",
            file=sys.stderr,
        )
        for e in result.env:
            print(f"  env {e.name} <- Secret {e.secret}, key {e.key} ({e.field})", file=sys.stderr)
    return 0
