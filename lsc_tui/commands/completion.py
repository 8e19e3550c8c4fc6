"""`lsc-tui completion bash|zsh|fish`: a shell completion script generated from the CLI's parser.

shtab walks the real argparse parser, so every sub-command (``secrets scan``, ``export k8s``),
every option and every fixed choice (``--api-version v1alpha1|v1alpha2``) completes, and file
arguments complete file names. The same scripts ship in the wheel under
``lsc_tui/data/completion/`` (written by ``docs/gen_cli.py``).
"""

from __future__ import annotations

import argparse

HELP = "print a shell completion script (bash, zsh or fish)"
SHELLS = ("bash", "zsh", "fish")

# option values that are directories; every other value without fixed choices is a file name
_DIRECTORY_METAVARS = {"D", "DIR"}
_NOT_FILES = {"FINGERPRINT", "FINGERPRINT=ENV_NAME", "NAME", "V", "TOKEN", "URL", "HOST", "PORT"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS)
    parser.epilog = (
        "bash: lsc-tui completion bash > ~/.local/share/bash-completion/completions/lsc-tui; "
        "zsh: lsc-tui completion zsh > ~/.zfunc/_lsc-tui; "
        "fish: lsc-tui completion fish > ~/.config/fish/completions/lsc-tui.fish"
    )


def _mark_paths(parser: argparse.ArgumentParser) -> None:
    """Tell shtab which arguments are file or directory names (argparse cannot say)."""
    import shtab

    for action in parser._actions:  # argparse keeps no public accessor for this
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _mark_paths(sub)
            continue
        if action.choices or action.nargs == 0 or isinstance(action, argparse._HelpAction):
            continue
        metavar = action.metavar if isinstance(action.metavar, str) else ""
        if metavar in _DIRECTORY_METAVARS or action.dest.endswith("_dir"):
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
        elif metavar in _NOT_FILES or action.dest in (
            "name",
            "namespace",
            "host",
            "port",
            "token",
            "image",
            "distribution",
            "public_url",
            "theme",
        ):
            continue
        elif action.type in (int, float):
            continue
        else:
            action.complete = shtab.FILE  # type: ignore[attr-defined]


def script(shell: str) -> str:
    import shtab

    from lsc_tui.cli import build_parser  # deferred: lsc_tui.cli imports this module to build its parser

    parser = build_parser()
    parser.prog = "lsc-tui"
    _mark_paths(parser)
    return shtab.complete(parser, shell=shell)


def run(args) -> int:
    print(script(args.shell), end="")
    return 0
