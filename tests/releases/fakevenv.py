"""A virtual environment of the running interpreter with a lightspeed-stack distribution's
metadata in it (a ``lightspeed_stack-VERSION.dist-info``, nothing importable): what
``--python`` detection reads."""

from __future__ import annotations

import venv
from pathlib import Path


def fake_venv(root: Path, version: str | None) -> Path:
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    if version is not None:
        site = next((root / "lib").glob("python3*/site-packages"))
        info = site / f"lightspeed_stack-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: lightspeed-stack\nVersion: {version}\n")
    return root / "bin" / "python"
