"""The LCORE releases lsc-tui can preview, and how a target release is chosen.

Operators run a released LCORE (0.5.x, 0.6.x, 0.7.0rc1) or main, and the same
configuration is read, validated and synthesized differently by each. A
:class:`Release` names one of them; a :class:`Target` is the release a command
or the editor works against, together with what chose it (so the header and
``--json`` can say "main (default: nothing names a release)").

Each release's differences live in a module of its own in this package; this
file only names the releases and parses what a user types.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lsc_tui.config.releases.rules import ReleaseRules


@dataclass(frozen=True)
class Release:
    """One LCORE release line lsc-tui can preview."""

    key: str
    """Stable id used in ``--lcore``, ``.lsc-tui.yaml`` and ``--json``."""
    label: str
    """How the header and messages name it."""
    order: int
    """Position in time: a higher order came later."""
    unified: bool
    """Whether this release knows the unified config (``llama_stack.config``)."""
    versions: tuple[str, ...]
    """The published versions whose config code this release stands for."""


RELEASE_0_5 = Release("0.5", "LCORE 0.5.x", 50, False, ("0.5.0", "0.5.1", "0.5.2", "0.5.3"))
RELEASE_0_6 = Release("0.6", "LCORE 0.6.x", 60, True, ("0.6.0", "0.6.1", "0.6.2"))
RELEASE_0_7RC1 = Release("0.7.0rc1", "LCORE 0.7.0rc1", 70, True, ("0.7.0rc1",))
RELEASE_MAIN = Release("main", "LCORE main (cd1a048)", 80, True, ())
RELEASE_NEWER = Release("newer", "newer than LCORE main", 90, True, ())

RELEASES: tuple[Release, ...] = (RELEASE_0_5, RELEASE_0_6, RELEASE_0_7RC1, RELEASE_MAIN, RELEASE_NEWER)
DEFAULT_RELEASE = RELEASE_MAIN

SOURCE_DEFAULT = "default"


@dataclass(frozen=True)
class Target:
    """The release a command works against and what chose it."""

    release: Release
    source: str = SOURCE_DEFAULT
    """``default``, ``--lcore``, ``.lsc-tui.yaml``, ``editor``, or a detection such
    as ``python /opt/app/bin/python (lightspeed-stack 0.6.2)`` or ``image tag 0.6.2``."""

    @property
    def is_default(self) -> bool:
        return self.source == SOURCE_DEFAULT

    def describe(self) -> str:
        if self.is_default:
            return f"{self.release.label} (default: nothing names a release)"
        return f"{self.release.label} (from {self.source})"


DEFAULT_TARGET = Target(DEFAULT_RELEASE)


class UnknownRelease(ValueError):
    """A release name lsc-tui does not know; the message lists the ones it does."""


def parse_release(text: str) -> Release:
    """The release for what a user typed: ``0.6``, ``0.6.2``, ``v0.6.1``, ``0.7.0rc1``,
    ``main``, ``newer``. A version after the newest known release maps to ``newer``
    only when typed as ``newer``; other unknown versions are refused."""
    raw = text.strip()
    wanted = raw.lower().removeprefix("v")
    for release in RELEASES:
        if wanted == release.key or wanted in release.versions:
            return release
    for release in RELEASES:
        # "0.6.3" is a 0.6.x patch release: same config code as 0.6.x
        if release.versions and not release.key.endswith(("rc1",)) and wanted.startswith(release.key + "."):
            tail = wanted[len(release.key) + 1 :]
            if tail.isdigit():
                return release
    known = ", ".join(r.key for r in RELEASES)
    raise UnknownRelease(f"unknown LCORE release {raw!r}; lsc-tui knows: {known}")


_MODULES = {"0.5": "v0_5", "0.6": "v0_6", "0.7.0rc1": "v0_7rc1", "main": "main", "newer": "newer"}


def rules_for(release: "Release | None") -> "ReleaseRules":
    """The :class:`~lsc_tui.config.releases.rules.ReleaseRules` of a release (its module's ``RULES``).

    ``None`` (nothing names a release) is main, forward-compatible: main's behaviour, and the
    keys that came after main (``byo-llm``, ``ogx:``) still preview as the newer rules do. Every
    config main accepts gives main's answer byte for byte."""
    key = release.key if release is not None else RELEASE_NEWER.key
    # a release module builds its pipelines from synthesis's steps, which read this package:
    # imported by name on first use, so neither imports the other at load
    rules: ReleaseRules = importlib.import_module(f"{__name__}.{_MODULES[key]}").RULES
    return rules
