"""`lsc-tui edit [PATH]`: open the editor (the default command)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lsc_tui import gcpolicy
from lsc_tui.commands import lcore_target

HELP = "open the editor on a config (default: ./lightspeed-stack.yaml, else a copy of the demo)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        help="lightspeed-stack.yaml, a directory holding one, a run.yaml, or an "
        "operator file (LlamaStackDistribution CR, extra-providers.yaml, "
        "lls-provider-spec.yaml)",
    )
    parser.add_argument("--theme", help="theme name (see docs/themes.md); remembered for next time")
    parser.add_argument(
        "--color",
        choices=["auto", "16", "256", "truecolor"],
        default="auto",
        help="colour depth (auto honours NO_COLOR and TEXTUAL_COLOR_SYSTEM)",
    )
    parser.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    parser.add_argument("--readonly", action="store_true", help="open without allowing saves")
    parser.add_argument("--demo", action="store_true", help="open a fresh copy of the bundled demo workspace")
    lcore_target.add_arguments(parser)


# what the demo is there to teach, said on its first screen
DEMO_HINT = (
    "Try first: S moves the literal password to .env; M migrates the legacy two-file setup, "
    "with proof; / vllm finds the vLLM provider: change its URL and watch the run.yaml diff."
)


def resolve_start_path(path: str | None, demo: bool = False) -> tuple[Path, str | None]:
    """The file to open, and a message to show (e.g. where the demo was copied).

    The demo opens from its own folder, as LCORE would be started there: its legacy
    library_client_config_path (run.yaml) resolves against the current directory, so opened
    from anywhere else it would greet a new user with a warning that is not its lesson. So a
    copied demo changes the working directory of this process to its folder."""
    if path and not demo:
        return Path(path), None
    if not demo:
        for name in ("lightspeed-stack.yaml", "lightspeed-stack.yml"):
            if Path(name).is_file():
                return Path(name), None
    from lsc_tui.demo import copy_demo

    target = copy_demo().resolve()
    os.chdir(target.parent)
    return Path(target.name), f"Opened a fresh copy of the demo workspace in {target.parent}. {DEMO_HINT}"


def apply_color(choice: str) -> None:
    mapping = {"16": "standard", "256": "256", "truecolor": "truecolor"}
    if choice in mapping:
        os.environ["TEXTUAL_COLOR_SYSTEM"] = mapping[choice]
    elif os.environ.get("NO_COLOR"):
        os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "standard")


def run(args) -> int:
    # the editor's collector policy from its start (lsc_tui.gcpolicy): no collector pass walks the
    # modules it imports before the first frame; back to Python's default when it ends
    gcpolicy.editing()
    try:
        return _run(args)
    finally:
        gcpolicy.restore()


def _run(args) -> int:
    from lsc_tui.config.workspace import WorkspaceError, open_root

    path, notice = resolve_start_path(args.path, args.demo)
    if notice:
        print(notice, file=sys.stderr)
    try:
        open_root(path)  # what stops the editor is told before it takes the terminal
    except WorkspaceError as exc:
        print(exc.located_text(), file=sys.stderr)
        return 2
    try:
        found = lcore_target.resolve(args, path)
    except lcore_target.TargetError as exc:
        return lcore_target.error("edit", exc)
    apply_color(args.color)
    from lsc_tui.tui.app import run_app

    if found.notes:  # said in the editor, where the header shows the release it fell back to
        notice = "\n".join([*([notice] if notice else []), *(f"LCORE release: {n}" for n in found.notes)])
    return run_app(
        path, theme=args.theme, mouse=not args.no_mouse, readonly=args.readonly, notice=notice, target=found.target
    )
