"""`lsc-tui serve`: the editor in a browser, for teams who cannot SSH (textual-serve)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lsc_tui.commands import lcore_target

HELP = "serve the editor to a web browser (127.0.0.1 unless told otherwise; a token is required elsewhere)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        default="lightspeed-stack.yaml",
        help="the config each browser tab opens (default: ./lightspeed-stack.yaml)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; any other needs a token)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--token",
        default=None,
        metavar="TOKEN",
        help="require this token (16+ characters) from every browser; 'auto' generates one and "
        "prints the address with it (default: $LSC_TUI_SERVE_TOKEN)",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, when a proxy is in front (default: the one they asked for)",
    )
    parser.add_argument("--readonly", action="store_true", help="open the editor without allowing saves")
    lcore_target.add_arguments(parser)


def run(args) -> int:
    from lsc_tui.config.workspace import WorkspaceError, open_root
    from lsc_tui.webserve import TOKEN_ENV, ServeError, addresses, build_server, check_bind, check_port

    token = args.token if args.token is not None else (os.environ.get(TOKEN_ENV) or None)
    try:
        enforced = check_bind(args.host, token)
    except ServeError as exc:
        print(f"lsc-tui serve: {exc}", file=sys.stderr)
        return 2
    if not (0 < args.port < 65536):
        print(f"lsc-tui serve: --port {args.port} is not a TCP port (1-65535)", file=sys.stderr)
        return 2
    try:
        path, _doc = open_root(args.path)  # the same check the editor makes before it starts
    except WorkspaceError as exc:
        print(exc.located_text(), file=sys.stderr)
        return 2
    try:  # decided once here, so a bad setting stops `serve` instead of every browser tab
        found = lcore_target.resolve(args, path)
    except lcore_target.TargetError as exc:
        return lcore_target.error("serve", exc)
    lcore_target.report(found)
    extra = ["--readonly"] if args.readonly else []
    # each tab's editor answers for the same release, named, so it does not run --python again
    extra += ["--lcore", found.target.release.key] if not found.target.is_default else []
    try:
        check_port(args.host, args.port)
    except ServeError as exc:
        print(f"lsc-tui serve: {exc}", file=sys.stderr)
        return 2
    server = build_server(Path(path), args.host, args.port, enforced, args.public_url, extra)
    query = "" if enforced is None else f"?token={enforced if token == 'auto' else '<your token>'}"
    for n, where in enumerate(addresses(args.host, args.port, args.public_url)):
        print(f"lsc-tui serve: {'open' if n == 0 else 'or'} {where}/{query}", flush=True)
    try:
        server.serve()
    except OSError as exc:
        print(f"lsc-tui serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
