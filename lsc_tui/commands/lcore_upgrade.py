"""Moving a config from one LCORE release to another: `lsc-tui migrate --to VERSION` and
`lsc-tui diff --lcore A --against-lcore B`.

Both compare what release A runs for the config with what release B runs for it rewritten with
B's keys (:mod:`lsc_tui.config.releases.compare`). `diff` shows it; `migrate --to` writes the
rewritten file (in place with a backup, or to -o OUT; mode 0600) when the two run.yaml files are
equal and every key carried over, or when the operator accepts the differences.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lsc_tui.commands import lcore_target, server_env
from lsc_tui.commands.synthesize import print_findings

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT = 0, 1, 2


def _target(release, source: str):
    from lsc_tui.config.releases import Target

    return Target(release, source)


def _compare(args, found, release, source: str, command: str, env_findings: list):
    """The comparison, or None after printing why there is none. The ``--env-file``'s warnings
    (lines that are not NAME=value) are appended to ``env_findings``, for the command to report
    with its output, as validate, synthesize and diff do."""
    from lsc_tui.config.releases.compare import CompareInputError, compare

    try:
        env, env_source, warnings = server_env.given(args)
        env_findings.extend(warnings)
        return compare(
            args.path,
            found.target,
            _target(release, source),
            run_yaml=getattr(args, "run_yaml", None),
            cwd=getattr(args, "cwd", None),
            server_env=env,
            server_env_source=env_source,
        )
    except (server_env.EnvFileError, CompareInputError) as exc:
        _no_comparison(args, found, command, exc, env_findings)
    return None


def _no_comparison(args, found, command: str, exc, env_findings: list) -> None:
    """Why there is nothing to compare (an env file or a config that cannot be used): on stderr,
    located, and with ``--json`` as the command's object for an input it cannot use."""
    from lsc_tui.config.findings import sort_findings

    findings = sort_findings([*env_findings, *exc.findings])
    if getattr(args, "json", False) and command == "migrate":  # as migrate's other input errors
        print(json.dumps({"error": exc.finding.to_json(), "lcore": found.to_json()}, indent=2))
        return
    print_findings(findings)
    if getattr(args, "json", False):  # as diff's other input errors: the object, with the findings
        from lsc_tui.commands.diff import print_nothing_compared  # deferred: diff imports this module (a cycle)

        print_nothing_compared(args, found.to_json(), str(exc), findings)


def print_summary(c, *, diff: bool) -> None:
    """The keys to rename, the keys with no equivalent, the verdict and (with ``diff``) the
    run.yaml diff; values masked."""
    from lsc_tui.config.masking import mask_inline

    print(f"{c.old.describe()} -> {c.new.release.label}")
    if c.rewrite.steps:
        print("keys to rename:")
        for step in c.rewrite.steps:
            print(f"  {step.to_text()}")
    else:
        print("keys to rename: none")
    if c.rewrite.findings:
        print(f"no equivalent in {c.new.release.label}:")
        for f in c.rewrite.findings:
            print("  " + mask_inline(f.to_text()).replace("\n", "\n  "))
    for label, errors in (
        (c.old.release.label, c.old_findings),
        (f"{c.new.release.label}, the file rewritten for it", c.new_findings),
    ):
        for f in errors[:20]:
            print(f"{label}: " + mask_inline(f.to_text()), file=sys.stderr)
    if diff and c.diff_text:
        sys.stdout.write(c.diff_text)
    if c.changes:
        print(f"# {len(c.changes)} structural change{'s' * (len(c.changes) != 1)}:")
        for change in c.changes:
            print("# " + change.to_text())
    print(f"run.yaml: {c.verdict()}")


# -- lsc-tui diff --lcore A --against-lcore B ---------------------------------------------------
def run_diff(args, found) -> int:
    from lsc_tui.config.findings import sort_findings

    env_findings: list = []  # the --env-file's lines that are not NAME=value: warnings
    c = _compare(args, found, args.against_lcore, "--against-lcore", "diff", env_findings)
    if c is None:
        return EXIT_BAD_INPUT
    if args.json:
        print(
            json.dumps(
                {
                    "lcore": found.to_json(),
                    "against_lcore": c.to_json()["to"],
                    "upgrade": c.to_json(),
                    "against": f"run.yaml ({c.new.release.label})",
                    "mode": c.workspace.mode,
                    "changes": [ch.to_json() for ch in c.changes],
                    "diff": c.diff_text,
                    "findings": [f.to_json() for f in sort_findings(env_findings)],
                },
                indent=2,
            )
        )
    else:
        print_findings(env_findings)  # on stderr, as the located findings of every command
        print_summary(c, diff=True)
    if not c.old_text and not c.rewrite.refused:
        return EXIT_BAD_INPUT  # the config has errors for the release it runs on: nothing to compare
    return EXIT_OK if c.equivalent else EXIT_DIFFERENT


# -- lsc-tui migrate --to VERSION ----------------------------------------------------------------
def run_migrate(args, found) -> int:
    from lsc_tui.config.yaml.files import stamp_of, write_error_text
    from lsc_tui.config.yaml.save import FileChangedError, VerifyError, atomic_write

    c = _compare(args, found, args.to, "--to", "migrate", [])  # migrate takes no --env-file
    if c is None:
        return EXIT_BAD_INPUT
    doc = c.workspace.config
    write = bool(args.write or args.output)
    target = Path(args.output) if args.output else doc.path
    result: dict = {"written": None, "backup": None}
    refused = error = None
    nothing = not c.rewrite.changed
    if write and not nothing:
        if c.rewrite.refused:
            refused = f"{c.new.release.label} cannot express this config; nothing was written"
        elif not c.equivalent and not args.accept_differences:
            refused = (
                "the rewritten file does not make the new release run what the old one ran (or a key has "
                "no equivalent); nothing was written. Add --accept-differences if that is what you want."
            )
        else:
            in_place = Path(target).resolve() == doc.path.resolve()
            try:
                written = atomic_write(
                    target,
                    c.rewrite.text,
                    expected=doc.stamp if in_place else stamp_of(target),
                    mode=0o600,
                    backup=True,
                    verify_data=c.rewrite.data,
                )
                shown = args.output or doc.display
                result = {"written": str(shown), "backup": str(written.backup) if written.backup else None}
                for note in written.notes:
                    print(f"note: {note}", file=sys.stderr)
            except (FileChangedError, VerifyError) as exc:
                error = str(exc)
            except OSError as exc:
                error = write_error_text(exc, target)
    if args.json:
        data = {"lcore": found.to_json(), "upgrade": {**c.to_json(), **result}}
        if args.show:
            data["upgrade"]["preview"] = _masked(c)
        if refused:
            data["upgrade"]["refusal"] = refused
        if error:
            data["upgrade"]["error"] = error
        print(json.dumps(data, indent=2))
    else:
        if nothing:
            print(
                f"{doc.display}: nothing to rewrite from {c.old.release.label} to {c.new.release.label} "
                "(no key of this file changed between them)"
            )
        print_summary(c, diff=False)
        if args.show and not nothing:
            print(f"--- {doc.display} (for {c.new.release.label}, secrets masked) ---")
            sys.stdout.write(_masked(c))
        if result["written"]:
            print(f"wrote {result['written']} (0600)" + (f"; backup {result['backup']}" if result["backup"] else ""))
        elif not write and not nothing:
            print("dry run: nothing written; add --write (in place, with a backup) or -o OUT")
        if refused:
            print(f"refused: {refused}", file=sys.stderr)
        if error:
            print(f"lsc-tui migrate: {error}", file=sys.stderr)
    if error:
        return EXIT_BAD_INPUT
    if refused or not (c.equivalent or nothing):
        return EXIT_DIFFERENT
    return EXIT_OK


def _masked(c) -> str:
    from lsc_tui.config import preview

    return preview.mask(c.rewrite.text, c.secret_values)


def add_to_argument(parser) -> None:
    parser.add_argument(
        "--to",
        metavar="VERSION",
        type=lcore_target.release_type,
        default=None,
        help="rewrite the config for another LCORE release (the one it runs now: --lcore or "
        "detected): keys a release renamed move where the intent carries, keys with no "
        "equivalent are reported, and the run.yaml each release runs is compared",
    )
