"""Which Python the preflight probe runs in: the current one, a virtual environment next to the
config or in ``$VIRTUAL_ENV``, or a path the operator types. No Textual here: pure look-ups.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

VENV_NAMES = (".venv", "venv", "env", ".env-python")
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = "python.exe" if os.name == "nt" else "python"


@dataclass(frozen=True)
class Interpreter:
    kind: str  # "current" | "venv" | "virtual_env" | "path"
    path: str  # what the probe is started with (never resolved: a venv's python is a symlink)
    display: str  # what the operator sees (relative to the workspace when inside it)

    @property
    def label(self) -> str:
        what = {
            "current": "this Python (lsc-tui's own)",
            "venv": "virtual environment next to the config",
            "virtual_env": "$VIRTUAL_ENV",
            "path": "a path you typed",
        }[self.kind]
        return f"{self.display}  ({what})"


def display_path(path: str | os.PathLike, base: Path | None) -> str:
    """``path`` relative to ``base`` when it is inside it, else with ``~`` for the home directory."""
    p = Path(os.path.abspath(path))
    if base is not None:
        try:
            return str(p.relative_to(Path(os.path.abspath(base))))
        except ValueError:
            pass  # outside base: shown from the home directory below
    home = os.path.expanduser("~")
    s = str(p)
    if home not in ("", "/") and (s == home or s.startswith(home + os.sep)):
        return "~" + s[len(home) :]
    return s


def venv_python(venv: Path) -> Path | None:
    for name in (EXE, "python3"):
        cand = venv / BIN / name
        if cand.is_file() and os.access(cand, os.X_OK):
            return cand
    return None


def find_interpreters(
    config_dir: Path, *, env: Mapping[str, str] | None = None, current: str | None = None
) -> list[Interpreter]:
    """The interpreters worth offering, the current one first, without duplicates."""
    environ: Mapping[str, str] = os.environ if env is None else env
    current = current or sys.executable
    out: list[Interpreter] = [Interpreter("current", current, display_path(current, config_dir))]
    seen = {os.path.abspath(current)}

    def add(kind: str, py: Path | None) -> None:
        if py is None:
            return
        key = os.path.abspath(py)
        if key in seen:
            return
        seen.add(key)
        out.append(Interpreter(kind, str(py), display_path(py, config_dir)))

    for folder in (config_dir, config_dir.parent):
        for name in VENV_NAMES:
            venv = folder / name
            if (venv / "pyvenv.cfg").is_file():
                add("venv", venv_python(venv))
    venv_env = environ.get("VIRTUAL_ENV")
    if venv_env:
        add("virtual_env", venv_python(Path(venv_env)))
    return out


def check_path(text: str, base: Path) -> tuple[Interpreter | None, str]:
    """A typed interpreter path (relative to the config's folder, ``~`` allowed): the interpreter or why not.

    A virtual environment's folder is accepted too (its bin/python is used).
    """
    text = text.strip()
    if not text:
        return None, "Type the path of a Python interpreter (or of a virtual environment)."
    p = Path(os.path.expanduser(text))
    if not p.is_absolute():
        p = base / p
    if p.is_dir():
        py = venv_python(p)
        if py is None:
            return None, f"{text}: a folder without {BIN}/{EXE}; give the interpreter itself."
        p = py
    if not p.exists():
        return None, f"{text}: no such file."
    if not p.is_file() or not os.access(p, os.X_OK):
        return None, f"{text}: not an executable file."
    return Interpreter("path", str(p), display_path(p, base)), ""


def default_interpreter(found: list[Interpreter]) -> Interpreter:
    """The one to use until the operator picks: a virtual environment next to the config, else
    ``$VIRTUAL_ENV``, else this Python (which often has no Llama Stack: the server's does).
    """
    for kind in ("venv", "virtual_env"):
        for i in found:
            if i.kind == kind:
                return i
    return found[0]
