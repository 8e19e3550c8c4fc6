"""The bundled demo workspace: copied to a fresh folder the operator owns, never edited in place."""

from __future__ import annotations

import os
import shutil
import time
from importlib import resources
from pathlib import Path


def data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "lsc-tui"


def copy_demo(dest_root: Path | None = None) -> Path:
    """Copy the demo workspace to a new directory and return its lightspeed-stack.yaml."""
    root = dest_root or data_home() / "demo"
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dest = root / stamp
    n = 1
    while dest.exists():
        n += 1
        dest = root / f"{stamp}-{n}"
    dest.mkdir(mode=0o700)
    src = resources.files("lsc_tui") / "data" / "demo"
    for item in src.iterdir():
        if item.name.endswith((".yaml", ".yml", ".md")):
            target = dest / item.name
            target.write_bytes(item.read_bytes())
            os.chmod(target, 0o600)
    return dest / "lightspeed-stack.yaml"


def remove_demo(path: Path) -> None:  # pragma: no cover - convenience for tests
    shutil.rmtree(path.parent, ignore_errors=True)
