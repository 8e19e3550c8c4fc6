"""The ``lsc-tui`` command line: the editor and every headless subcommand.

Each subcommand lives in ``lsc_tui/commands/<name>.py`` and exposes ``HELP`` (one line),
``configure(parser)`` and ``run(args) -> int``. Modules import their heavy dependencies
inside ``run`` so that ``lsc-tui --help`` and every command start quickly.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import importlib.util
import os
import signal
import sys
import threading
from types import ModuleType

from lsc_tui import __version__, closed_stdout, gcpolicy

# name -> module under lsc_tui.commands (order is the order shown in --help)
COMMANDS: dict[str, str] = {
    "edit": "edit",
    "validate": "validate",
    "synthesize": "synthesize",
    "diff": "diff",
    "migrate": "migrate",
    "secrets": "secrets",
    "preflight": "preflight",
    "merge-external": "merge_external",
    "expand": "expand",
    "export": "export",
    "schema": "schema",
    "completion": "completion",
    "lsp": "lsp",
    "serve": "serve",
}

EXIT_BAD_INPUT = 2

# Commands that end when their work is done: run as their own process, they run without the
# automatic cycle collector (lsc_tui.gcpolicy.one_shot).
ONE_SHOT = {"validate", "synthesize", "secrets", "diff"}
# Commands that validate a config once and end: run as their own process, they ask the quick
# verdict before they load the config models (lsc_tui.config.models.validate_once).
VALIDATE_ONCE = ONE_SHOT | {"migrate", "export", "expand", "merge-external"}


def _commands(only: str | None = None) -> dict[str, ModuleType]:
    """Every subcommand's module (``only``: that command's alone, the others only found). They all
    ship with lsc-tui: one that is missing is a packaging mistake and fails here, loudly, instead
    of leaving its command out of --help."""
    if only is None:
        return {name: importlib.import_module(f"lsc_tui.commands.{mod}") for name, mod in COMMANDS.items()}
    for mod in COMMANDS.values():
        if importlib.util.find_spec(f"lsc_tui.commands.{mod}") is None:
            raise ModuleNotFoundError(f"No module named 'lsc_tui.commands.{mod}'", name=f"lsc_tui.commands.{mod}")
    return {only: importlib.import_module(f"lsc_tui.commands.{COMMANDS[only]}")}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand; with ``only``, of that one alone (what a run of that
    command parses its arguments with: its usage, help and errors are the same, and the other
    commands' modules are not imported)."""
    parser = argparse.ArgumentParser(
        prog="lsc-tui",
        description="Edit, validate, synthesize and migrate Lightspeed Core Stack and Llama Stack configs.",
    )
    parser.add_argument("--version", action="version", version=f"lsc-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, mod in _commands(only).items():
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv_given = argv
    argv = list(sys.argv[1:] if argv is None else argv)
    # A bare `lsc-tui`, `lsc-tui PATH` or `lsc-tui --color 16 ...` opens the editor.
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        meant = _mistyped_command(argv[0]) if argv else None
        if meant is not None:
            print(
                f"lsc-tui: '{argv[0]}' is neither a command nor a file\n"
                f"    fix: Did you mean `lsc-tui {meant}`? `lsc-tui --help` lists the commands.",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        argv = ["edit", *argv]
    parser = build_parser(argv[0] if argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    one_shot = argv_given is None and args.command in ONE_SHOT
    if one_shot:
        gcpolicy.one_shot()  # the process ends with the command (a caller of main() keeps its own)
        _no_pydantic_plugins()
    elif args.command != "edit":
        gcpolicy.batch()  # the editor has its own policy
    if argv_given is None and args.command in VALIDATE_ONCE:
        from lsc_tui.config import models  # deferred: the editor's start does not need it

        models.validate_once()  # the quick verdict first: pydantic loads only for a config it cannot pass
    previous = _end_on_sigterm()
    try:
        code = int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("lsc-tui: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("lsc-tui: terminated (SIGTERM); no file was left half-written", file=sys.stderr)
        return 128 + signal.SIGTERM
    except BrokenPipeError:  # the reader went away (`| head`): the output was cut, which is no success
        closed_stdout.discard_stdout()
        return 1
    except OSError as exc:  # a file the command could not use: name it (the writers name theirs)
        if os.environ.get("LSC_TUI_DEBUG") or not exc.filename:
            raise
        print(
            f"{exc.filename}:0:0: error: {exc.strerror or exc}\n    fix: Check the path and its permissions.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except Exception as exc:  # no traceback reaches a user
        if os.environ.get("LSC_TUI_DEBUG"):
            raise
        print(
            f"lsc-tui: internal error ({type(exc).__name__}) in '{args.command}'. "
            "Nothing was written. Run again with LSC_TUI_DEBUG=1 for the traceback "
            "and report it.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    finally:
        if previous is not False:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
        if one_shot:
            gcpolicy.one_shot_done()
    if one_shot:
        _exit_now(code)
    return code


def _mistyped_command(word: str) -> str | None:
    """The command ``word`` resembles, when it is no path (no file of that name, no directory
    part, no extension) and so reads as a typo (`valdate`, `secret`); else None."""
    import difflib  # deferred: only a word that is no command needs it, not every start

    if word.startswith("-") or os.sep in word or "." in word or os.path.lexists(word):
        return None
    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.75)
    return close[0] if close else None


def _no_pydantic_plugins() -> None:
    """A one-shot command's process loads no pydantic plugin. pydantic looks for plugins in the
    entry points of every installed distribution (reading each one's metadata, 5-8 ms in an
    environment of a hundred packages) when lsc-tui builds its first validator; a plugin is an
    observability hook for an application's own models, and would be handed every value lsc-tui
    validates, secrets included. Only for the one-shot commands: the variable is inherited, and
    the processes they start (git, the release question of ``--python``) use no pydantic, while
    the preflight's probe (not one-shot) runs the server's own Python as the operator's
    environment has it. An operator's own setting of the variable is kept."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _exit_now(code: int) -> None:
    """End a one-shot command's process at once, without the interpreter's teardown (freeing
    every object and module one by one: some 15 ms of CPU after a 10,000-line ``validate``), when
    the teardown has nothing else to do: the output streams are flushed, no exit handler is
    registered and no other thread runs. lsc-tui's writers close, sync and rename their files
    themselves. Otherwise it returns and the process ends the usual way."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # the usual exit reports it (a closed pipe, a closed stream)
    handlers = getattr(atexit, "_ncallbacks", None)
    if handlers is None or handlers() or threading.active_count() > 1:
        return
    os._exit(code)


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C (so temporary files are removed), never caught by
    an ``except Exception``."""


def _on_sigterm(signum, frame):
    signal.signal(signum, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise Terminated()


def _end_on_sigterm():
    """Make SIGTERM end the command within a second, even when the parent left it ignored
    (an ignored disposition is inherited). Blocking system calls are interrupted and the
    handler's exception unwinds through the writers' cleanup. The editor and the preflight
    install their own handlers over this one. Returns the previous handler to restore (False:
    none was installed, off the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    return signal.signal(signal.SIGTERM, _on_sigterm)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
