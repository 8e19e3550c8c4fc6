"""`lsc-tui migrate`: legacy two-file config to unified, with a proof of equivalence."""

from __future__ import annotations

import argparse
import json
import sys

from lsc_tui.commands import lcore_target, lcore_upgrade

HELP = "migrate a legacy config (lightspeed-stack.yaml + run.yaml) to the unified format, with proof"

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="the legacy lightspeed-stack.yaml (or a directory holding one)")
    parser.add_argument(
        "--strategy",
        choices=["lift", "profile", "smart"],
        help="lift (LCORE's lift-and-shift, comments kept), profile (keep run.yaml as "
        "llama_stack.config.profile) or smart (high-level sections, short); "
        "default: analyse and recommend one",
    )
    parser.add_argument(
        "--run-yaml",
        metavar="PATH",
        help="the run.yaml to migrate: for a remote-server config, the server's run.yaml "
        "(from the container); for a library config it replaces "
        "library_client_config_path",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="write the new config to OUT (the original is kept); implies --write"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="write the new config in place (a backup is kept); without it nothing is written",
    )
    parser.add_argument(
        "--accept-differences",
        nargs="?",
        const="all",
        metavar="PATHS",
        help="write even though the result is not equivalent: 'all', or the comma-separated "
        "difference paths you accept",
    )
    parser.add_argument("--show", action="store_true", help="print the new file (secrets masked)")
    parser.add_argument("--json", action="store_true", help="print the plan, the proof and the files as JSON")
    parser.add_argument(
        "--cwd", metavar="DIR", help="the directory LCORE starts in (legacy paths are relative to it); default: here"
    )
    lcore_target.add_arguments(parser)
    lcore_upgrade.add_to_argument(parser)


def _accept(value):
    if value is None:
        return None
    if value.strip() == "all":
        return "all"
    return [p.strip() for p in value.split(",") if p.strip()]


def run(args) -> int:
    from lsc_tui.config.migration import Migration, MigrationInputError, MigrationRefused, OutputRefused
    from lsc_tui.config.yaml.save import FileChangedError, VerifyError

    out = args.output
    write = bool(args.write or out)
    try:
        found = lcore_target.resolve(args, args.path)
    except lcore_target.TargetError as exc:
        if args.json:  # as for any input it cannot use: {"error": finding}
            print(json.dumps({"error": exc.findings[0].to_json()}, indent=2))
        return lcore_target.error("migrate", exc)
    lcore_target.report(found, quiet=args.json)
    if args.to is not None:
        return lcore_upgrade.run_migrate(args, found)
    lcore = found.to_json()
    try:
        m = Migration.open(args.path, run_yaml=args.run_yaml, cwd=args.cwd, target=found.target)
    except MigrationInputError as exc:
        return _bad(args, exc.finding, lcore)
    if m.nothing_to_do:
        if args.json:
            print(json.dumps({**m.to_json(), "lcore": lcore}, indent=2))
        else:
            print(f"{m.analysis.config.display}: nothing to migrate: {m.nothing_to_do}")
        return EXIT_OK

    strategy = args.strategy
    rec = None
    if strategy is None:
        rec = m.recommendation
        if not write:
            # analysis only: recommend, with reasons
            m.choose(rec.strategy)
            assert m.proof is not None  # choose() builds the candidate and its proof
            if args.json:
                print(json.dumps({**m.to_json(include_preview=args.show), "lcore": lcore}, indent=2))
            else:
                _print_analysis(m)
                _print_plan(m, write=False, show=args.show, analysed=True)
            return EXIT_OK if m.proof.equivalent else EXIT_DIFFERENT
        strategy = rec.strategy
    candidate = m.choose(strategy, out)
    assert m.proof is not None  # choose() builds the candidate and its proof

    result = refused = error = None
    if write:
        try:
            result = m.write(accept=_accept(args.accept_differences))
        except OutputRefused as exc:  # a path migrate never writes: the input is wrong (exit 2)
            error = str(exc)
        except MigrationRefused as exc:
            refused = exc
        except (FileChangedError, VerifyError) as exc:
            error = str(exc)
        except OSError as exc:
            from lsc_tui.config.yaml.files import write_error_text

            error = write_error_text(exc)
    if args.json:
        data = m.to_json(include_preview=args.show or not write)
        data["lcore"] = lcore
        data["written"] = None
        if result is not None:
            data["written"] = {
                "path": str(result.written),
                "backup": str(result.backup) if result.backup else None,
                "reproved": result.proof.verdict,
            }
        if refused is not None:
            data["refused"] = {"message": str(refused), "unaccepted": refused.unaccepted}
        if error:
            data["error"] = error
        print(json.dumps(data, indent=2))
    else:
        if rec is not None:
            _print_analysis(m)
        _print_plan(m, write=write, show=args.show, analysed=rec is not None)
        if result is not None:
            for note in result.notes:
                print(f"note: {note}", file=sys.stderr)
            backup = next((f.display for f in result.files if f.action == "backup"), result.backup)
            print(
                f"wrote {candidate.display} (0600)"
                + (f"; backup {backup}" if result.backup else "")
                + f"; re-read from disk and proven again: {result.proof.verdict}"
            )
        if refused is not None:
            print(f"refused: {refused}", file=sys.stderr)
            for p in refused.unaccepted:
                print(f"  not accepted: {p}", file=sys.stderr)
        if error:
            print(f"lsc-tui migrate: {error}", file=sys.stderr)
    if error:
        return EXIT_BAD_INPUT
    if refused is not None or not m.proof.equivalent:
        return EXIT_DIFFERENT
    return EXIT_OK


def _bad(args, finding, lcore=None) -> int:
    if args.json:
        print(json.dumps({"error": finding.to_json(), **({"lcore": lcore} if lcore else {})}, indent=2))
    else:
        print(finding.to_text(), file=sys.stderr)
    return EXIT_BAD_INPUT


def _print_analysis(m) -> None:
    a = m.analysis
    rec = m.recommendation
    print(f"{a.config.display}: {a.reason}")
    for n in a.notes:
        print(f"  note: {n}")
    print(f"recommended strategy: {rec.strategy}")
    for r in rec.reasons:
        print(f"  - {r}")


def _print_plan(m, *, write: bool, show: bool, analysed: bool = False) -> None:
    c, pr = m.candidate, m.proof
    secrets = m.secret_values()
    variant = f" ({c.variant})" if c.variant else ""
    print(f"strategy: {c.strategy}{variant} -> {c.display}")
    if not analysed:
        for n in m.analysis.notes:
            print(f"  note: {n}")
    if c.profile_ref:
        print(f"  profile: {c.profile_ref} (relative to the new file's directory)")
    if c.lifted:
        print(f"  inference.providers: {', '.join(c.lifted)} (api keys as api_key_env)")
    for n in c.notes:
        print(f"  note: {n}")
    if pr.equivalent:
        print(
            "proof: equivalent: the new file synthesizes to exactly the run.yaml legacy LCORE ran "
            "(compared as data; providers by provider_id)"
        )
    else:
        print(f"proof: {pr.verdict}" + (f": {pr.error}" if pr.error else f": {len(pr.differences)} difference(s)"))
        for d in pr.differences:
            print(d.to_text(secrets))
    for d in pr.notes:
        print(d.to_text(secrets))
    if m.secrets:
        print(
            f"secrets: {len(m.secrets)} literal secret(s), values never shown; convert them with "
            "`lsc-tui secrets` (to ${env.NAME} references):"
        )
        for s in m.secrets:
            print(f"  {s.to_text()}")
    print("files:")
    for f in m.files():
        extra = f" ({f.mode})" if f.mode else ""
        label = {"keep": "keep  ", "write": "write ", "backup": "backup"}[f.action]
        why = {
            "legacy-run-yaml": " (the legacy run.yaml is never deleted)",
            "profile": " (now the profile)",
            "legacy-config": " (unchanged)",
        }.get(f.role, "")
        print(f"  {label} {f.display}{extra}{why}")
    if not write:
        print("dry run: nothing written; add --write (in place, with a backup) or -o OUT")
    if show:
        print(f"--- {c.display} (new, secrets masked) ---")
        print(m.preview_text(), end="")
