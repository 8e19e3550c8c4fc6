"""What the editor remembers per config file between runs: the answers to its offers (the
migration offer is made once per file). Kept in the state directory
(``$XDG_STATE_HOME/lsc-tui/offers.json``, 0600: it names the operator's config paths)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from lsc_tui.config.yaml import files
from lsc_tui.config.yaml.save import atomic_write


def offers_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "lsc-tui" / "offers.json"


def _read() -> dict:

    try:
        data = json.loads(files.read_text(offers_path())[0])
    except (files.ReadRefused, ValueError):
        return {}  # none, unreadable or damaged: the offers are made again, and the file rewritten
    return data if isinstance(data, dict) else {}


def _key(config: Path) -> str:
    return str(Path(config).resolve())


def answer(config: Path, offer: str) -> str | None:
    """The answer given to ``offer`` for this config file, if it was made before."""
    entry = _read().get(_key(config))
    got = entry.get(offer) if isinstance(entry, dict) else None
    return got.get("answer") if isinstance(got, dict) else None


def remember(config: Path, offer: str, answer: str) -> None:

    data = _read()
    entry = data.setdefault(_key(config), {})
    if not isinstance(entry, dict):
        entry = data[_key(config)] = {}
    entry[offer] = {"answer": answer, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    atomic_write(offers_path(), json.dumps(data, indent=1, sort_keys=True) + "\n", mode=0o600, backup=False)
