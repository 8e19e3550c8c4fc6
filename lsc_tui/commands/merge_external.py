"""`lsc-tui merge-external`: the operator's external-provider merge, offline."""

from __future__ import annotations

import argparse
import sys

from lsc_tui.commands.report import (
    add_json_argument,
    add_show_secrets_argument,
    output_data,
    run_command,
    write_failed,
    write_file,
)

HELP = "merge external providers (extra-providers.yaml or a metadata dir) into a run.yaml, as the operator does"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run-yaml", required=True, metavar="R", help="the user's run.yaml or config.yaml")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--extra-providers", metavar="E", help="an extra-providers.yaml (kind ExternalProviders)")
    src.add_argument(
        "--metadata-dir",
        metavar="D",
        help="DIR/<providerId>/{lls-provider-spec.yaml,crd-config.yaml}, as the install step leaves it",
    )
    parser.add_argument("-o", "--output", metavar="OUT", help="write the merged run.yaml here (default: stdout)")
    parser.add_argument(
        "--extra-providers-output",
        metavar="FILE",
        help="also write the generated extra-providers.yaml (with --metadata-dir)",
    )
    parser.add_argument("--log", metavar="FILE", help="also write the merge log (merge-log.txt)")
    add_show_secrets_argument(parser)
    add_json_argument(parser, "merge-external")


def run(args) -> int:
    return run_command(args, "merge-external", _run)


def _exit_code(findings) -> int:
    """2 when a file cannot be used at all (missing, unreadable, a directory, not YAML), as for
    every command; 1 when the files were read and break a rule of their kind."""
    unusable = any(f.code.startswith(("file-", "yaml-")) or f.code == "metadata-dir-missing" for f in findings)
    return 2 if unusable else 1


def _run(args, report) -> int:
    from lsc_tui.config.findings import Severity
    from lsc_tui.config.masking import mask_inline
    from lsc_tui.config.operator import merge
    from lsc_tui.config.findings import FindingError
    from lsc_tui.config.yaml.save import dump
    from lsc_tui.config.yaml.streams import load_one

    try:
        run_doc = load_one(args.run_yaml)
        if run_doc.findings:
            raise FindingError(run_doc.findings)
        if args.extra_providers:
            externals = merge.load_extra_providers(args.extra_providers)
        else:
            externals = merge.load_metadata_dir(args.metadata_dir)
    except FindingError as exc:
        code = _exit_code(exc.findings)
        if report is not None:
            report.add_findings(exc.findings)
            return code
        for f in exc.findings:
            print(mask_inline(f.to_text()), file=sys.stderr)
        return code
    result = merge.merge_external(run_doc.data, externals, run_file=run_doc.file, run_doc=run_doc)
    if report is not None:
        report.data.update({"providers": len(externals), "log": list(result.log)})
        report.add_findings(list(result.errors) + list(result.warnings))
    if not result.ok:
        if report is None:
            for f in result.errors:
                print(mask_inline(f.to_text()), file=sys.stderr)
        return 1
    for f in result.warnings if report is None else ():
        prefix = "WARNING" if f.severity is Severity.WARNING else "INFO"
        print(mask_inline(f"{prefix}: {f.message}\n  at {f.location()}"), file=sys.stderr)
    text = dump(result.data, sort_keys=False)
    written = []
    try:
        if args.output:
            w = write_file(report, args.output, text)
            written.append(w)
            if w.backup:
                print(f"note: the previous {args.output} was kept as {w.backup}", file=sys.stderr)
        else:
            output_data(report, result.data, args.show_secrets, sort_keys=False, write_hint="-o OUT")
        if args.extra_providers_output:
            written.append(
                write_file(
                    report,
                    args.extra_providers_output,
                    dump(merge.extra_providers_document(externals), sort_keys=False),
                )
            )
        if args.log:
            written.append(write_file(report, args.log, "\n".join(result.log) + "\n"))
    except OSError as exc:
        code = write_failed(report, exc, args.output)
        if written:
            print("already written: " + ", ".join(str(w.path) for w in written), file=sys.stderr)
        return code
    for w in written:
        for note in w.notes:
            print(f"note: {note}", file=sys.stderr)
    n = len(externals)
    print(
        f"merged {n} external provider{'s' * (n != 1)}; "
        f"{sum(1 for f in result.warnings if f.severity is Severity.WARNING)} warning(s)",
        file=sys.stderr,
    )
    return 0
