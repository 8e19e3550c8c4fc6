"""Which LCORE release a config is meant for, from what the operator's files and tools say.

In order, the first that names a release wins:

1. ``--lcore VERSION`` (or the editor's own choice), given by the caller;
2. ``lcore: VERSION`` in the project's ``.lsc-tui.yaml`` (:mod:`lsc_tui.config.project`);
3. the ``lightspeed-stack`` distribution installed in the server's interpreter (``--python``),
   read with ``importlib.metadata`` in that interpreter (nothing of it is imported);
4. the tag of an LCORE image (``.../lightspeed-stack:0.6.2``) in a Kubernetes file.

When none does, the target is main, and :meth:`Target.describe` says that it is a default.
What was looked at and could not be used (no lightspeed-stack in the interpreter, an image tag
such as ``latest``) comes back as notes, so a command can say why it fell back.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lsc_tui.config.findings import Finding, FindingError, Severity
from lsc_tui.config.project import find_project_config, load_project_document
from lsc_tui.config.releases import DEFAULT_TARGET, RELEASES, Release, Target, UnknownRelease, parse_release
from lsc_tui.config.yaml.files import ReadRefused

SOURCE_FLAG = "--lcore"
SOURCE_PROJECT = ".lsc-tui.yaml"
SOURCE_EDITOR = "editor"
PROJECT_KEY = "lcore"
PYTHON_TIMEOUT = 10.0  # seconds for the interpreter to start and answer
DISTRIBUTION = "lightspeed-stack"
# image repositories whose tag is an LCORE version (quay.io/lightspeed-core/lightspeed-stack, and
# rebuilt images named after it, e.g. lightspeed-stack-rhel9)
IMAGE_NAMES = ("lightspeed-stack",)

# run in the server's interpreter: isolated (-I: no PYTHONPATH, no user site, no current
# directory on sys.path), reads the distribution's metadata and imports nothing of it
_PROBE = (
    "import json, importlib.metadata as m\n"
    "try:\n"
    f"    v = m.version({DISTRIBUTION!r})\n"
    "except m.PackageNotFoundError:\n"
    "    v = None\n"
    "print(json.dumps({'version': v}))\n"
)


class DetectError(FindingError):
    """A setting names a release that does not exist, or ``--python`` cannot be run. Carries a
    located finding; the commands print it and exit 2, as for other bad input."""


@dataclass(frozen=True)
class Detection:
    target: Target
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "release": self.target.release.key,
            "source": self.target.source,
            "label": self.target.release.label,
            "description": self.target.describe(),
            "notes": list(self.notes),
        }


def known_releases() -> str:
    return ", ".join(r.key for r in RELEASES)


def detect_target(
    *,
    lcore: str | Release | None = None,
    start: Path | str | None = None,
    python: str | None = None,
    documents: Iterable[object] = (),
    timeout: float = PYTHON_TIMEOUT,
) -> Detection:
    """The target release, and notes on what was looked at but could not say.

    ``lcore``: what the user named (``--lcore``); ``start``: the config's directory (the
    project file is looked for there and above); ``python``: the server's interpreter;
    ``documents``: the data of a Kubernetes file (its CR, Deployments, ...).
    Raises :class:`DetectError` for a release name that does not exist or an interpreter that
    cannot be run."""
    if lcore is not None:
        release = (
            lcore
            if isinstance(lcore, Release)
            else _parse(
                lcore,
                Finding(
                    SOURCE_FLAG,
                    0,
                    0,
                    Severity.ERROR,
                    "lcore-unknown",
                    "",
                    f"Use --lcore with one of: {known_releases()}.",
                ),
            )
        )
        return Detection(Target(release, SOURCE_FLAG))
    notes: list[str] = []
    for source in ("project", "python", "images"):
        if source == "project" and start is not None:
            target, more = from_project(start)
        elif source == "python" and python:
            target, more = from_python(python, timeout)
        elif source == "images":
            target, more = from_images(documents)
        else:
            continue
        notes.extend(more)
        if target is not None:
            return Detection(target, tuple(notes))
    return Detection(DEFAULT_TARGET, tuple(notes))


def _parse(text: str, where: Finding) -> Release:
    try:
        return parse_release(text)
    except UnknownRelease as exc:
        raise DetectError(
            Finding(where.file, where.line, where.column, Severity.ERROR, where.code, str(exc), where.fix)
        ) from None


# -- 2. the project file ------------------------------------------------------------------
def from_project(start: Path | str) -> tuple[Target | None, list[str]]:
    """``lcore:`` of the project's ``.lsc-tui.yaml`` above ``start``."""
    try:
        doc = load_project_document(Path(start))
    except ReadRefused as exc:  # not YAML, unreadable, too large: said, and the next source is tried
        f = exc.finding
        return None, [
            f"{f.file}:{f.line}:{f.column}: cannot be read ({f.message}); its `{PROJECT_KEY}:` setting is not used"
        ]
    if doc is None or not isinstance(doc.data, dict) or doc.data.get(PROJECT_KEY) is None:
        return None, []
    value = doc.data[PROJECT_KEY]
    line, column = doc.position((PROJECT_KEY,))
    display = str(find_project_config(Path(start)) or doc.display)

    def bad_setting(message: str, fix: str) -> DetectError:
        return DetectError(Finding(display, line, column, Severity.ERROR, "lcore-setting", message, fix))

    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise bad_setting(
            f"`{PROJECT_KEY}:` must be a release name, not {type(value).__name__}",
            f'Set `{PROJECT_KEY}:` to one of: {known_releases()} (quoted, e.g. "0.6").',
        )
    try:
        release = parse_release(str(value))
    except UnknownRelease:  # the value is not repeated: a file's text is never echoed unmasked
        raise bad_setting(
            f"`{PROJECT_KEY}:` names no LCORE release lsc-tui knows",
            f'Set `{PROJECT_KEY}:` to one of: {known_releases()} (quoted, e.g. "0.6"), or delete it.',
        ) from None
    return Target(release, SOURCE_PROJECT), []


# -- 3. the server's interpreter ----------------------------------------------------------
def interpreter(python: str) -> str:
    """The executable ``--python`` names (a path or a command on PATH); DetectError if none."""
    found = shutil.which(python) or python
    path = Path(found)
    if not path.is_file():
        raise DetectError(
            Finding(
                "--python",
                0,
                0,
                Severity.ERROR,
                "python-missing",
                f"--python {python}: no such interpreter",
                "Give the Python interpreter of the server's environment, e.g. /opt/app-root/bin/python.",
            )
        )
    if not os.access(path, os.X_OK):
        raise DetectError(
            Finding(
                "--python",
                0,
                0,
                Severity.ERROR,
                "python-not-executable",
                f"--python {python}: not executable",
                "Check the path and its permissions.",
            )
        )
    return found


def installed_version(python: str, timeout: float = PYTHON_TIMEOUT) -> str | None:
    """The version of ``lightspeed-stack`` installed in ``python`` (None: not installed).
    Raises DetectError when the interpreter cannot be run or does not answer in time."""
    # Validate and the other commands read the project's setting or the manifests' images without it:
    # deferred: subprocess loads only when --python names an interpreter to ask
    import subprocess

    exe = interpreter(python)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        proc = subprocess.run(
            [exe, "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DetectError(
            Finding(
                "--python",
                0,
                0,
                Severity.ERROR,
                "python-timeout",
                f"--python {python}: no answer within {timeout:g} s",
                "Check that it is a Python interpreter, or name the release with --lcore.",
            )
        ) from None
    except OSError as exc:
        raise DetectError(
            Finding(
                "--python",
                0,
                0,
                Severity.ERROR,
                "python-cannot-start",
                f"--python {python}: cannot start ({exc.strerror or exc})",
                "Give the Python interpreter of the server's environment.",
            )
        ) from None
    try:
        answer = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
    except (ValueError, IndexError):
        answer = None
    if not isinstance(answer, dict):
        tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        raise DetectError(
            Finding(
                "--python",
                0,
                0,
                Severity.ERROR,
                "python-no-answer",
                f"--python {python}: could not read its installed packages ({tail[:200]})",
                "Give a Python 3.8 or later interpreter, or name the release with --lcore.",
            )
        )
    version = answer.get("version")
    return version if isinstance(version, str) else None


def release_of_version(version: str) -> Release | None:
    """The release a published version belongs to (``0.6.2``, ``v0.7.0rc1``, ``0.6.2+rh1``,
    ``0.6.2-3``), or None for a version lsc-tui does not know (``latest``, ``0.8.0``)."""
    text = version.strip().split("+", 1)[0]
    for candidate in (text, text.split("-", 1)[0]):
        if candidate.lower().removeprefix("v") in ("main", "newer"):
            return None  # a tag or a version, never a release line's name
        try:
            return parse_release(candidate)
        except UnknownRelease:
            continue
    return None


def from_python(python: str, timeout: float = PYTHON_TIMEOUT) -> tuple[Target | None, list[str]]:
    version = installed_version(python, timeout)
    if version is None:
        return None, [f"no {DISTRIBUTION} is installed in {python}"]
    release = release_of_version(version)
    if release is None:
        return None, [
            f"{DISTRIBUTION} {version} in {python} is not a release lsc-tui knows "
            f"({known_releases()}); name one with --lcore"
        ]
    return Target(release, f"python {python} ({DISTRIBUTION} {version})"), []


# -- 4. an image tag in a Kubernetes file -------------------------------------------------
def lcore_images(documents: Iterable[object]) -> list[str]:
    """Every ``image:`` of the documents whose repository is LCORE's, in document order."""
    out: list[str] = []

    def walk(node: object, depth: int) -> None:
        if depth > 64:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "image" and isinstance(value, str) and _is_lcore_image(value):
                    out.append(value.strip())
                else:
                    walk(value, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth + 1)

    for doc in documents:
        walk(doc, 0)
    return out


def _split_image(ref: str) -> tuple[str, str | None]:
    """``(repository, tag)`` of an image reference (a digest is dropped)."""
    ref = ref.strip().split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1 :]
    return ref, None


def _is_lcore_image(ref: str) -> bool:
    repo, _tag = _split_image(ref)
    name = repo.rsplit("/", 1)[-1].lower()
    return any(name == n or name.startswith(n + "-") for n in IMAGE_NAMES)


def from_images(documents: Iterable[object]) -> tuple[Target | None, list[str]]:
    images = lcore_images(documents)
    notes: list[str] = []
    found: list[tuple[Release, str]] = []
    for ref in images:
        _repo, tag = _split_image(ref)
        release = release_of_version(tag) if tag else None
        if release is None:
            notes.append(f"image {ref}: its tag does not name an LCORE release lsc-tui knows; name one with --lcore")
        else:
            found.append((release, tag or ""))
    if not found:
        return None, notes
    release, tag = found[0]
    others = sorted({r.key for r, _t in found[1:] if r is not release})
    if others:
        notes.append(
            f"several LCORE images name different releases ({release.key}, {', '.join(others)}); "
            f"the first, {tag}, is used"
        )
    return Target(release, f"image tag {tag}"), notes
