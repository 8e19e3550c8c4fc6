"""Palette: check the config against the environment LCORE will run with (an env file).

Unset variables LCORE resolves when it loads the config, or when it synthesizes, become errors
naming the file; the preview resolves what LCORE resolves in it. The core does the work
(``EditSession.set_server_env``); this asks for the file and reports what happened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from lsc_tui.tui.screens.dialogs import Prompt
from lsc_tui.config.masking import mask_inline
from lsc_tui.config.secrets import envfile


def palette_commands(app) -> list[tuple[str, str, Callable[[], None]]]:
    session = app.session
    if session is None or session.workspace.kind != "lightspeed-stack":
        return []
    out: list[tuple[str, str, Callable[[], None]]] = [
        (
            "Check against the server's environment…",
            "an env file of the variables LCORE runs with, as --env-file",
            partial(ask_env_file, app),
        )
    ]
    if session.server_env is not None:
        out.append(
            (
                "Check against lsc-tui's own environment",
                f"stop using {session.server_env_source}",
                partial(use_env_file, app, None),
            )
        )
    return out


def ask_env_file(app) -> None:

    session = app.session
    initial = session.server_env_source or ".env"

    def answer(values) -> None:
        if values:
            use_env_file(app, values["path"])

    app.push_screen(
        Prompt(
            "Check against the server's environment",
            [("path", "Env file (NAME=value lines)", initial, None)],
            note="Unset variables that LCORE resolves become errors, and the preview resolves what LCORE "
            "resolves. Values are never shown.",
        ),
        answer,
    )


def use_env_file(app, text: str | None) -> None:

    if text is None:
        app.submit(
            lambda s: s.set_server_env(None),
            "edit",
            lambda _r: app.notify("Checking against lsc-tui's own environment again.", timeout=5),
        )
        return
    session = app.session
    path = Path(os.path.expanduser(text))
    path = path if path.is_absolute() else session.workspace.config_dir / path
    try:  # the guarded reader: a FIFO or a device is refused at once instead of blocking the editor
        read = envfile.load(path, text)
    except envfile.EnvFileUnusable as exc:
        app.notify(
            f"Cannot use {text}; nothing changed.\n" + mask_inline(exc.finding.to_text()),
            title="Server environment",
            severity="error",
            timeout=12,
        )
        return
    env, shown = read.values, text
    if read.findings:  # lines that are not NAME=value: used anyway (as the loaders do), but said
        lines = [mask_inline(f"{f.location()}: {f.message}") for f in read.findings[:3]]
        if len(read.findings) > 3:
            lines.append(f"... and {len(read.findings) - 3} more (lsc-tui validate --env-file lists them)")
        app.notify(
            "\n".join([*lines, f"fix: {read.findings[0].fix}"]),
            title="Server environment",
            severity="warning",
            timeout=12,
        )
    app.submit(
        lambda s: s.set_server_env(env, shown),
        "edit",
        lambda _r: app.notify(f"Checking against {shown} ({len(env)} variables).", timeout=5),
    )
