"""`lsc-tui export k8s`: ConfigMap, Secret and LlamaStackDistribution for a workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lsc_tui.commands.report import add_json_argument, output, run_command, show_findings, write_failed

from lsc_tui.commands import lcore_target

HELP = "export a workspace for Kubernetes: ConfigMap with its run.yaml, Secret for its env references, and the CR"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    k8s = sub.add_parser(
        "k8s",
        help="Kubernetes manifests for the llama-stack-k8s-operator",
        description="Write a ConfigMap with the synthesized run.yaml, the LlamaStackDistribution that "
        "uses it, and (only with --write-secret) a Secret for its env references.",
    )
    k8s.add_argument(
        "path", metavar="PATH", help="a lightspeed-stack.yaml (or its directory), or a run.yaml / config.yaml"
    )
    k8s.add_argument("-o", "--output", metavar="DIR", help="write the manifests into DIR (default: print them)")
    k8s.add_argument("--name", default="llama-stack", help="the CR name (default: llama-stack)")
    k8s.add_argument("--namespace", help="metadata.namespace of every object")
    k8s.add_argument(
        "--api-version",
        choices=("v1alpha1", "v1alpha2"),
        default="v1alpha1",
        help="the CR version: v1alpha1 (userConfig; what the operator serves today) or v1alpha2 (overrideConfig)",
    )
    dist = k8s.add_mutually_exclusive_group()
    dist.add_argument("--distribution", metavar="NAME", help="distribution name (default: the run.yaml's, if known)")
    dist.add_argument("--image", help="a direct distribution image")
    k8s.add_argument(
        "--config-key",
        choices=("config.yaml", "run.yaml"),
        default="config.yaml",
        help="the ConfigMap key (run.yaml for operators before 2026-01)",
    )
    k8s.add_argument(
        "--env-file",
        metavar="FILE",
        help="values for the env references (default: .env next to the config, if there is one)",
    )
    k8s.add_argument(
        "--write-secret",
        action="store_true",
        help="also write secret.yaml (mode 0600) with the values from the env file; needs -o",
    )
    add_json_argument(k8s, "export", instead_of="the manifests")
    lcore_target.add_arguments(k8s)


def _run_data(path: str, target=None):
    """``(run data, display name, findings, directory, locate, allowed secret values)``; raises
    WorkspaceError for a path that is no workspace, ExportInputError for one with nothing to export."""
    from lsc_tui.config.operator.export import allowed_values, workspace_run_data
    from lsc_tui.config.workspace import load_workspace

    from lsc_tui.config.releases import DEFAULT_TARGET

    ws = load_workspace(path, target=target or DEFAULT_TARGET)
    return (*workspace_run_data(ws), allowed_values(ws))


def run(args) -> int:
    return run_command(args, "export", _run)


def _run(args, report) -> int:
    from lsc_tui.config.findings import Severity, has_errors
    from lsc_tui.config.operator import export as exp
    from lsc_tui.config.yaml.save import dump, dump_all, atomic_write

    def show(findings):
        show_findings(report, findings)

    if args.write_secret and not args.output:
        print("lsc-tui export k8s: error: --write-secret needs -o DIR (a Secret is never printed)", file=sys.stderr)
        return 2
    found = lcore_target.resolve_reported(args, args.path, "export k8s", report)
    if found is None:
        return lcore_target.EXIT_BAD_INPUT
    from lsc_tui.config.operator.export import ExportInputError
    from lsc_tui.config.workspace import WorkspaceError

    try:
        data, display, findings, directory, locate, allowed = _run_data(args.path, found.target)
    except WorkspaceError as exc:
        print(exc.located_text(), file=sys.stderr)
        if report is not None:
            report.add_findings(exc.findings)
        return 2
    except ExportInputError as exc:
        show(exc.findings)
        print(f"lsc-tui export k8s: {exc}; nothing was written", file=sys.stderr)
        return 1
    findings = [f for f in findings if f.severity is Severity.ERROR]  # `lsc-tui validate` shows the rest
    if has_errors(findings):
        show(findings)
        print("lsc-tui export k8s: the config has errors; nothing was written", file=sys.stderr)
        return 1
    env_values = None
    env_file = Path(args.env_file) if args.env_file else directory / ".env"
    env_findings = []
    if args.env_file or env_file.is_file():
        from lsc_tui.config.secrets import envfile

        try:
            env_read = envfile.load(env_file, args.env_file or str(env_file))
        except envfile.EnvFileUnusable as exc:
            show(exc.findings)
            print("lsc-tui export k8s: the env file cannot be used; nothing was written", file=sys.stderr)
            return 2
        env_values, env_findings = env_read.values, env_read.findings
        show(env_findings)
    try:
        result = exp.export_k8s(
            data,
            name=args.name,
            namespace=args.namespace,
            api_version=args.api_version,
            distribution=args.distribution,
            image=args.image,
            env_values=env_values,
            config_key=args.config_key,
            source=display,
            locate=locate,
            allowed_values=allowed,
        )
    except ValueError as exc:
        print(f"lsc-tui export k8s: error: {exc}", file=sys.stderr)
        return 2
    show(result.findings)
    if has_errors(result.findings):
        print("lsc-tui export k8s: nothing was written", file=sys.stderr)
        return 1
    _config, differences, rt_findings = exp.round_trip(result, result.data)
    if args.output:
        from lsc_tui.config.yaml.files import resolve_target

        out = Path(args.output)
        files = [
            ("configmap.yaml", dump(result.configmap, sort_keys=False, block_strings=True), 0o600),
            ("llamastackdistribution.yaml", dump(result.cr, sort_keys=False, block_strings=True), 0o600),
        ]
        if args.write_secret:
            if result.secret is None:
                print(
                    f"lsc-tui export k8s: error: --write-secret: no env file ({env_file})\n"
                    "    fix: Create it (NAME=value lines, one per env reference), name another with "
                    "--env-file FILE, or export without --write-secret.",
                    file=sys.stderr,
                )
                return 2
            files.append(("secret.yaml", exp.secret_manifest_text(result), 0o600))
        written = []
        try:
            # the file names inside DIR are the tool's choice: DIR is their workspace (no link out of it);
            # every file is checked before any is written
            targets = [resolve_target(out / fname, workspace=out) for fname, _t, _m in files]
            for (fname, text, mode), target in zip(files, targets):
                written.append((out / fname, atomic_write(out / fname, text, mode=mode, target=target)))
        except OSError as exc:
            code = write_failed(report, exc, out)
            if written:
                print("already written: " + ", ".join(str(p) for p, _w in written), file=sys.stderr)
            return code
        for p, w in written:
            for note in w.notes:
                print(f"note: {note}", file=sys.stderr)
            if report is not None:
                report.wrote(p)
            print(f"wrote {p}", file=sys.stderr)
            if w.backup is not None:  # as expand and merge-external say it
                print(f"note: the previous {p} was kept as {w.backup}", file=sys.stderr)
    else:
        output(report, dump_all(result.documents(with_secret=False), sort_keys=False, block_strings=True))
    if report is not None:
        report.data.update(
            {
                "name": args.name,
                "api_version": args.api_version,
                "secret": f"{args.name}-env" if result.env else None,
                "env": [e["name"] for e in result.env],
                "round_trip_differences": list(differences),
            }
        )
    secret_name = f"{args.name}-env"
    if result.env:
        keys = ", ".join(e["name"] for e in result.env)
        have = set(result.secret["stringData"]) if result.secret else set()
        print(
            f"Secret {secret_name} feeds: {keys}"
            + (
                ""
                if args.write_secret
                else f" (not written; add --write-secret -o DIR, or: kubectl create secret generic {secret_name} "
                f"--from-env-file=.env)"
            ),
            file=sys.stderr,
        )
        missing = [e["name"] for e in result.env if e["name"] not in have]
        if result.secret is not None and missing:
            print(f"  no value in the env file for: {', '.join(missing)}", file=sys.stderr)
    if result.moved:
        print(
            f"the Secret feeds {', '.join(result.moved)}: the run.yaml's secret default"
            f"{'s' * (len(result.moved) != 1)} stayed out of the ConfigMap",
            file=sys.stderr,
        )
    if differences:
        print("round trip: expanding the exported CR differs from the run.yaml at:", file=sys.stderr)
        for d in differences:
            print(f"  {d}", file=sys.stderr)
    else:
        print("round trip: expanding the exported CR reproduces the run.yaml exactly", file=sys.stderr)
    return 0
