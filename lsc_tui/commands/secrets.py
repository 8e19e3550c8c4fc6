"""`lsc-tui secrets`: find literal secrets and move them into environment variables."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

HELP = "find literal secrets (scan) and turn them into ${env.NAME} references (fix)"

EXIT_CLEAN, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="secrets_command", metavar="ACTION")
    scan = sub.add_parser(
        "scan",
        help="report every literal secret (exit 0 clean, 1 findings, 2 bad input)",
        description="Scan lightspeed-stack.yaml files (with their run.yaml and profile), run.yaml files or any "
        "YAML file for literal secrets. Values are never printed.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="config files or directories")
    scan.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    scan.add_argument("--strict", action="store_true", help="exit 1 on warnings (high-entropy strings) too")
    scan.add_argument("--show-allowed", action="store_true", help="also list the findings you allowed")
    fix = sub.add_parser(
        "fix",
        help="replace literal secrets with ${env.NAME} and move the values out (dry run by default)",
        description="Replace each literal secret with an env reference, changing nothing else in the file, and "
        "move the value to a 0600 .env file or a Kubernetes Secret manifest. Without --write, show "
        "the plan (values masked).",
    )
    fix.add_argument("path", metavar="PATH", help="lightspeed-stack.yaml (covers its whole workspace) or a run.yaml")
    target = fix.add_mutually_exclusive_group()
    target.add_argument("--env-file", metavar="FILE", help="the .env file to write (default: .env beside PATH)")
    target.add_argument("--k8s-secret", metavar="NAME", help="write a Kubernetes Secret manifest with this name")
    fix.add_argument(
        "--secret-file",
        metavar="FILE",
        help="where to write the Secret manifest (default: NAME-secret.yaml beside PATH)",
    )
    fix.add_argument(
        "--select",
        metavar="FINGERPRINT",
        action="append",
        default=[],
        help="convert only these findings (repeatable; warnings are converted only when selected)",
    )
    fix.add_argument(
        "--name",
        metavar="FINGERPRINT=ENV_NAME",
        action="append",
        default=[],
        help="use this variable name for a finding (repeatable)",
    )
    fix.add_argument("--write", action="store_true", help="apply the plan (default: dry run)")
    fix.add_argument("--json", action="store_true", help="print the plan as JSON")
    reveal = sub.add_parser(
        "reveal",
        help="print the raw value of one finding (explicitly reveals a secret)",
        description="Print the value of the finding with this fingerprint, and nothing else.",
    )
    reveal.add_argument("path", metavar="PATH")
    reveal.add_argument("fingerprint", metavar="FINGERPRINT")
    parser.set_defaults(_secrets_parser=parser)


def run(args) -> int:
    action = getattr(args, "secrets_command", None)
    if action == "scan":
        return _scan(args)
    if action == "fix":
        return _fix(args)
    if action == "reveal":
        return _reveal(args)
    args._secrets_parser.print_help(sys.stderr)
    return EXIT_BAD_INPUT


# -- loading ---------------------------------------------------------------------------------


def load_targets(paths: list[str]):
    """Documents to scan for each path, deduplicated; and the findings for paths we cannot read."""
    from lsc_tui.config.secrets.allowlist import load_allowlist
    from lsc_tui.config.workspace import WorkspaceError, load_workspace
    from lsc_tui.config.yaml.document import load_document
    from lsc_tui.config.yaml.lint import YamlLoadError

    docs, errors, seen, allow, sources = [], [], set(), set(), []
    for raw in paths:
        try:
            # the documents are what is scanned: the config models' validation (pydantic) is
            # not needed for that
            ws = load_workspace(raw, validate=False)
            found = ws.documents
            base = Path(ws.root_path).parent
            errors.extend(ws.unread)
        except WorkspaceError as exc:
            try:
                found = [load_document(Path(raw), raw, multi=True)]
                base = Path(raw).parent
            except YamlLoadError:
                errors.append(exc.finding)
                continue
            except Exception:  # noqa: BLE001 - a directory, a device: report the workspace error
                errors.append(exc.finding)
                continue
        for doc in found:
            key = str(Path(doc.path).resolve())
            if key not in seen:
                seen.add(key)
                docs.append(doc)
        fps, source = load_allowlist(base)
        allow |= fps
        if source and source not in sources:
            sources.append(source)
    return docs, errors, allow, sources


# -- scan ------------------------------------------------------------------------------------


def _scan(args) -> int:
    from lsc_tui.config.secrets import scan_documents

    from lsc_tui.config.secrets.allowlist import allowlist_problems

    docs, errors, allow, sources = load_targets(args.paths)
    # an allowlist that allows less than it seems to says why (stderr: the exit code is unchanged)
    for source in sources:
        for problem in allowlist_problems(Path(source).parent):
            print(problem.to_text(), file=sys.stderr)
    result = scan_documents(docs, allow=allow)
    blocking = [f for f in result.findings if args.strict or not f.is_warning]
    if args.json:
        print(
            json.dumps(
                {
                    "files": [d.display for d in docs],
                    "allowlist": [str(s) for s in sources],
                    "findings": [f.to_json() for f in result.findings],
                    "allowed": [f.to_json() for f in result.allowed],
                    "errors": [e.to_json() for e in errors],
                    "summary": {
                        "errors": len(result.errors),
                        "warnings": len(result.warnings),
                        "allowed": len(result.allowed),
                        "files": len(docs),
                    },
                },
                indent=2,
            )
        )
    else:
        for e in errors:
            print(e.to_text(), file=sys.stderr)
        for f in result.findings:
            _print_finding(f)
        if args.show_allowed:
            for f in result.allowed:
                print(
                    f"{f.file}:{f.line}:{f.column}: allowed ({f.allowed}): {f.key_path} ({f.title}) "
                    f"fingerprint {f.fingerprint}"
                )
        n_err, n_warn = len(result.errors), len(result.warnings)
        print(
            f"{len(docs)} file{'s' * (len(docs) != 1)} scanned: {n_err} literal secret{'s' * (n_err != 1)}, "
            f"{n_warn} warning{'s' * (n_warn != 1)}, {len(result.allowed)} allowed"
        )
    if errors:
        return EXIT_BAD_INPUT
    return EXIT_FINDINGS if blocking else EXIT_CLEAN


def _print_finding(f) -> None:
    level = "warning" if f.is_warning else "error"
    where = f.key_path or "(top level)"
    if f.kind == "default":
        what = f"the default of ${{env.{f.existing_env}:=...}} is a literal secret ({f.title})"
        to = f"${{env.{f.existing_env}}}"
    else:
        what = f"literal secret ({f.title}, {f.confidence} confidence)"
        to = f"${{env.{f.suggested_env}}}"
    print(f"{f.file}:{f.line}:{f.column}: {level}: secret-{f.rule}: {where}: {what}")
    print(f"    fix: `lsc-tui secrets fix` turns it into {to}; fingerprint {f.fingerprint}")


# -- reveal ----------------------------------------------------------------------------------


def _reveal(args) -> int:
    from lsc_tui.config.secrets import reveal, scan_documents

    docs, errors, _allow, _sources = load_targets([args.path])
    result = scan_documents(docs)
    for f in result.findings + result.allowed:
        if f.fingerprint == args.fingerprint.strip().lower():
            print(reveal(f))
            return EXIT_CLEAN
    for e in errors:
        print(e.to_text(), file=sys.stderr)
    if errors:
        return EXIT_BAD_INPUT
    print(
        f"lsc-tui: no finding with fingerprint {args.fingerprint} in {args.path}\n"
        f"    fix: `lsc-tui secrets scan {shlex.quote(args.path)}` lists each finding with its fingerprint.",
        file=sys.stderr,
    )
    return EXIT_BAD_INPUT


# -- fix -------------------------------------------------------------------------------------


def _fix_refused(args, messages: list[str], plan_json: dict | None = None) -> int:
    """Nothing is written: the reasons on stderr and, with --json, the plan (or an empty one) on
    stdout with them as its errors, so a script reading the JSON learns why."""
    for message in messages:
        print(message, file=sys.stderr)
    if args.json:
        from lsc_tui.config.secrets import FixPlan

        target = "k8s" if args.k8s_secret else "env"
        out = plan_json or FixPlan([], [], "", [], [], [], target, None, args.k8s_secret).to_json()  # an empty plan
        out["errors"] = list(out.get("errors") or []) + messages
        out.setdefault("written", [])
        out.setdefault("backups", [])
        print(json.dumps(out, indent=2))
    return EXIT_BAD_INPUT


def _fix(args) -> int:
    from lsc_tui.config.secrets import FixError, apply_plan, plan_fix
    from lsc_tui.config.workspace import WorkspaceError, load_workspace
    from lsc_tui.config.yaml.save import FileChangedError, VerifyError

    try:
        ws = load_workspace(args.path)
    except WorkspaceError as exc:
        return _fix_refused(args, [exc.located_text()])
    unread = ws.unread
    if unread:
        # a fix covers the whole workspace: one of its files could not be read, so its secrets
        # would stay where they are while the plan said nothing of them
        return _fix_refused(
            args,
            [f.to_text() for f in unread]
            + ["lsc-tui secrets fix: the workspace could not be read whole; nothing was written"],
        )
    names = {}
    for spec in args.name:
        fp, sep, name = spec.partition("=")
        if not sep or not fp.strip() or not name.strip():
            return _fix_refused(args, [f"lsc-tui secrets fix: --name takes FINGERPRINT=ENV_NAME, not '{spec}'"])
        names[fp.strip().lower()] = name.strip()
    if args.secret_file and not args.k8s_secret:
        return _fix_refused(args, ["lsc-tui secrets fix: --secret-file goes with --k8s-secret"])
    plan = plan_fix(
        ws,
        names=names,
        env_file=args.env_file,
        k8s_secret=args.k8s_secret,
        secret_file=args.secret_file,
        select=args.select or None,
    )
    if args.json:
        out = plan.to_json()
        out["written"] = []
        out["backups"] = []
    else:
        print(plan.to_text(), end="")
    if plan.errors:
        if args.json:
            print(json.dumps(out, indent=2))
        else:
            for error in plan.errors:
                print(f"error: {error}", file=sys.stderr)
            print("Nothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not args.write:
        if args.json:
            print(json.dumps(out, indent=2))
        elif plan.items:
            print("Dry run: nothing was written. Run again with --write to apply.")
        return EXIT_FINDINGS if plan.items else EXIT_CLEAN
    try:
        applied = apply_plan(plan)
    except (FixError, FileChangedError, VerifyError) as exc:
        return _fix_refused(args, [f"lsc-tui secrets fix: {exc}"], out if args.json else None)
    except OSError as exc:  # raised before anything was written (a later failure is a FixError)
        from lsc_tui.config.yaml.files import write_error_text

        return _fix_refused(
            args, [write_error_text(exc), "lsc-tui secrets fix: nothing was written"], out if args.json else None
        )
    for note in applied.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        out["written"] = [str(p) for p in applied.written]
        out["backups"] = [str(p) for p in applied.backups]
        print(json.dumps(out, indent=2))
    else:
        for p in applied.written:
            print(f"wrote {p}")
        for p in applied.backups:
            print(f"backup {p} (mode 0600; it still holds the old values)")
    return EXIT_CLEAN
