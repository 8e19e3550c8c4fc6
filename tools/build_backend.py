"""lsc-tui's build backend: setuptools' own, building each wheel from a fresh ``build/lib``.

setuptools copies the package into ``build/lib`` and packs whatever it finds there, and pip
builds in the source tree. Without this, a module, theme or demo file deleted or renamed since
the last build in a clone would ship again in the next wheel (``pip install .`` after a
``git pull``, or the ``--force-reinstall`` that docs/troubleshooting.md suggests). Every other
hook is setuptools', unchanged. pyproject.toml names this module (``backend-path``) and
MANIFEST.in puts it in the sdist, whose wheel is built with it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every hook setuptools provides


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    # PEP 517 runs the hooks in the source tree's root: build/ is setuptools' folder there
    leftovers = Path("build") / "lib"
    if leftovers.exists():
        shutil.rmtree(leftovers)
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
