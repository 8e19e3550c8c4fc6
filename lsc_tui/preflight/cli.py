"""``llama-stack-preflight`` and ``lsc-tui preflight``: one set of options, one implementation.

Exit codes (seed 001): 0 every provider validated, 1 validation failed, 2 bad arguments or
input (missing/unreadable run.yaml, not YAML, not a mapping, bad --python).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from lsc_tui import closed_stdout

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

DESCRIPTION = (
    "Check that every provider in a Llama Stack run.yaml is installed, built for this machine, "
    "importable and returns a valid provider spec, before the server starts."
)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _memory_size(text: str) -> int:
    """Bytes for --memory-limit; 0 means no limit."""
    from lsc_tui.preflight.sandbox import parse_size

    try:
        value = parse_size(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size (like 4G or 512M, or off): {text!r}") from None
    return value or 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options both CLIs accept."""
    parser.add_argument("--run-yaml", required=True, metavar="PATH", help="the run.yaml whose providers to check")
    parser.add_argument(
        "--python", metavar="PY", default=None, help="interpreter of the server's environment (default: this one)"
    )
    parser.add_argument(
        "--metadata-dir", metavar="DIR", default=None, help="directory with <provider_id>/lls-provider-spec.yaml files"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON event per line instead of the report")
    parser.add_argument(
        "--keep-going", action="store_true", help="check every provider instead of stopping at the first error"
    )
    parser.add_argument(
        "--timeout", type=_positive_float, default=30.0, metavar="SECONDS", help="time limit per provider (default: 30)"
    )
    parser.add_argument(
        "--memory-limit",
        type=_memory_size,
        default=None,
        metavar="SIZE",
        help="address-space limit of the process that imports providers, e.g. 4G, 512M or off (default: 4G)",
    )
    parser.add_argument(
        "--check-config",
        action="store_true",
        help="also build each provider's config class from run.yaml (env references resolved, secrets masked)",
    )


def _write(stream: TextIO, text: str) -> None:
    stream.write(text)
    stream.flush()


def render_text(ev: dict[str, Any], out: TextIO, after_block: bool = False) -> bool:
    """Human report for one event (seed-001 blocks, a progress line per provider, a summary).
    ``after_block``: what the previous event's call returned, True when it ended with a block
    (a blank line then separates the block from the next progress line). Returns whether this
    event ended with a block."""
    from lsc_tui.preflight import report

    kind = ev.get("event")
    if kind == "start":
        n = len(ev.get("providers") or [])
        _write(out, f"Preflight: {n} provider{'s' if n != 1 else ''} in {ev.get('run_yaml')}\n")
    elif kind == "target":
        ls = ev.get("llama_stack") or {}
        if ls.get("family"):
            lstxt = f"{ls['family']} {ls.get('version') or '(version unknown)'}"
        else:
            lstxt = "no Llama Stack installed"
        _write(
            out, f"Target: Python {ev.get('python_version')} ({ev.get('python')}) on {ev.get('platform')}, {lstxt}\n"
        )
        layers = ev.get("containment") or {}
        if layers:
            from lsc_tui.preflight.sandbox import describe

            _write(out, f"Containment: {describe(layers) or 'none'}\n")
            for line in containment_warnings(layers):
                sys.stderr.write(f"WARNING: {line}\n")
                sys.stderr.flush()
    elif kind == "result":
        _write(out, ("\n" if after_block else "") + report.progress_line(ev) + "\n")
        if ev.get("text"):
            _write(out, "\n" + ev["text"].rstrip("\n") + "\n")
            return True
    elif kind == "fatal":
        _write(out, "\n" + ev.get("text", "").rstrip("\n") + "\n")
    elif kind == "summary":
        _write(out, "\n" + ev.get("text", "") + "\n")
    return False


def containment_warnings(layers: dict[str, Any]) -> list[str]:
    """What the probe runs without, in words (stderr: the report's formats stay seed-001's)."""
    out = []
    if not layers.get("network_namespace"):
        out.append(
            "preflight could not cut the probe off the network; only the audit hook "
            "stops provider code that connects (native code can still connect)"
        )
    if not layers.get("read_only_mounts"):
        out.append(
            "preflight could not make the file system read-only for the probe; only the "
            "audit hook stops provider code that writes (native code can still write)"
        )
    elif not layers.get("read_only_locked"):
        out.append(
            "the read-only file system view is not locked (no user namespace): native "
            "provider code running as root could remount it writable"
        )
    for why in layers.get("unavailable") or []:
        out.append(f"preflight containment: {why}")
    return out


async def _run(args: argparse.Namespace, out: TextIO) -> int:
    import asyncio
    import signal

    from lsc_tui.preflight.runner import run_preflight

    # SIGTERM/SIGHUP cancel the run like Ctrl-C does, so the probe is killed on the way out.
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if sig is not None and task is not None:
            try:
                loop.add_signal_handler(sig, task.cancel)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # no signal handlers on this loop or platform: Ctrl-C still cancels
    code = EXIT_FAILED
    after_block = False
    limits: dict[str, Any] = {} if args.memory_limit is None else {"memory_limit": args.memory_limit or None}
    events = run_preflight(
        args.run_yaml,
        python=args.python,
        metadata_dir=args.metadata_dir,
        keep_going=args.keep_going,
        timeout=args.timeout,
        check_config=args.check_config,
        **limits,
    )
    try:
        async for ev in events:
            if args.json:
                _write(out, json.dumps(ev, ensure_ascii=False, default=str) + "\n")
            else:
                after_block = render_text(ev, out, after_block)
            if ev.get("event") == "summary":
                code = int(ev.get("exit_code", EXIT_FAILED))
    finally:
        # the run ends here even when writing failed (a reader that closed the pipe): the
        # generator kills its probe and waits for it now, not in asyncio's shutdown
        await events.aclose()
    return code


def run(args: argparse.Namespace, prog: str = "llama-stack-preflight") -> int:
    import asyncio

    from lsc_tui.preflight.runner import PreflightInputError

    try:
        return asyncio.run(_run(args, sys.stdout))
    except BrokenPipeError:  # the reader went away (`| head`): the run stopped unfinished, no success
        closed_stdout.discard_stdout()
        return EXIT_FAILED
    except asyncio.CancelledError:
        print(f"{prog}: stopped", file=sys.stderr)
        return 143
    except PreflightInputError as exc:
        sys.stdout.flush()
        if args.json:  # the machine log gets the error too: one fatal event, then nothing
            _write(sys.stdout, json.dumps(input_error_event(exc), ensure_ascii=False) + "\n")
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def input_error_event(exc: Any) -> dict[str, Any]:
    """Bad input (a :class:`~lsc_tui.preflight.runner.PreflightInputError`) as ``--json`` reports
    it: a ``fatal`` event like the one of a probe that could not run, with the exit code, since
    no ``start`` or ``summary`` event comes."""
    from lsc_tui.preflight import report

    error = exc.error()
    return {"event": "fatal", "exit_code": EXIT_BAD_INPUT, "error": error, "text": report.error_block("(all)", error)}


def build_parser(prog: str = "llama-stack-preflight") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for bad arguments, 0 for --help
        return int(exc.code or 0)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("llama-stack-preflight: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # from a message after the run (its own were handled in run())
        closed_stdout.discard_stdout()
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
