"""Which config keys a release knows, from the key history its release modules write down.

lsc-tui's models describe LCORE main. For another target release, the issues they report are
adjusted with the history: a key the target does not know yet is an error naming the release
that added it; a key the target no longer knows is an error naming what replaced it; and the
sections the target still knows but main removed are checked with the models of
:mod:`lsc_tui.config.releases.old_sections` instead of being reported as unknown.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterator

from lsc_tui.config.models.issues import ModelIssue
from lsc_tui.config.releases import RELEASES, Release, rules_for
from lsc_tui.config.releases.old_sections import section_issues


def _walk(data: Any, parts: tuple[str, ...], path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every concrete path of the dotted key ``parts`` in ``data`` (list items transparent)."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield from _walk(item, parts, path + (index,))
        return
    if not parts:
        yield path
        return
    if isinstance(data, dict) and parts[0] in data:
        if len(parts) == 1:
            yield path + (parts[0],)
        else:
            yield from _walk(data[parts[0]], parts[1:], path + (parts[0],))


def key_of(path: tuple[Any, ...]) -> str:
    """The dotted key of a concrete path (list indices dropped)."""
    return ".".join(str(p) for p in path if not isinstance(p, int))


def under(path: tuple[Any, ...], key: str) -> bool:
    dotted = key_of(path)
    return dotted == key or dotted.startswith(key + ".")


def added_after(release: Release) -> list[tuple[str, Release]]:
    """``(key, release that added it)`` for every key added after ``release``, oldest first."""
    out: list[tuple[str, Release]] = []
    for later in RELEASES:
        if later.order > release.order:
            out.extend((key, later) for key in rules_for(later).added)
    return out


def removed_by(release: Release) -> list[tuple[str, Release, str]]:
    """``(key, release that removed it, replacement)`` for keys removed up to ``release``."""
    out: list[tuple[str, Release, str]] = []
    for earlier in RELEASES:
        if earlier.order <= release.order:
            out.extend((key, earlier, repl) for key, repl in rules_for(earlier).removed.items())
    return out


def removed_after(release: Release) -> list[tuple[str, Release, str]]:
    """Keys ``release`` knows that a later release (up to main) removed."""
    out: list[tuple[str, Release, str]] = []
    for later in RELEASES:
        if later.order > release.order:
            out.extend((key, later, repl) for key, repl in rules_for(later).removed.items())
    return out


def history_issues(data: dict[str, Any], release: Release) -> tuple[list[Any], list[str]]:
    """``(issues, keys)``: the errors the key history gives for ``release``, and the dotted
    keys whose model issues they replace (the main model's view of them does not apply)."""
    issues: list[Any] = []
    replaced: list[str] = []
    replacement_of = {key: repl for key, _rel, repl in removed_after(release)}
    for key, came in added_after(release):
        older = _older_spelling(key, replacement_of)
        for path in _walk(data, tuple(key.split("."))):
            hint = f" With {release.label} use `{older}` instead." if older else ""
            issues.append(
                ModelIssue(
                    path,
                    "error",
                    "release-unknown-key",
                    f"`{key_of(path)}` is not known to {release.label}: it came in {came.label}",
                    f"Remove it, or target {came.label} or later (--lcore {came.key}).{hint}",
                )
            )
        replaced.append(key)
    for key, went, repl in removed_by(release):
        for path in _walk(data, tuple(key.split("."))):
            issues.append(
                ModelIssue(
                    path,
                    "error",
                    "release-removed-key",
                    f"`{key_of(path)}` was removed in {went.label}" + (f"; it is now `{repl}`" if repl else ""),
                    f"Move it to `{repl}`." if repl else "Remove it.",
                )
            )
        replaced.append(key)
    for key, _went, _repl in removed_after(release):
        replaced.append(key)
    return issues, replaced


def _older_spelling(key: str, replacement_of: dict[str, str]) -> str:
    """The key an older release used for what ``key`` holds (``rag.byok`` -> ``byok_rag``)."""
    for old, new in replacement_of.items():
        if new == key or new.startswith(key + "."):
            return old
    return ""


def adjust(issues: list[Any], data: Any, release: Release) -> list[Any]:
    """The main model's ``issues`` on ``data`` as ``release`` sees them."""
    if not isinstance(data, dict):
        return issues
    extra, replaced = history_issues(data, release)
    kept = [i for i in issues if not any(under(tuple(i.path), key) for key in replaced)]
    kept.extend(section_issues(data, release, removed_after(release)))
    kept.extend(extra)
    return kept


def baseline_issue(path: tuple[Any, ...], baseline: Any, release: Release) -> Any:
    """The error for a ``baseline`` value ``release`` does not accept."""
    knows = ", ".join(rules_for(release).baselines)
    for later in RELEASES:
        if later.order > release.order and baseline in rules_for(later).baselines:
            return ModelIssue(
                path,
                "error",
                "release-unknown-value",
                f"baseline {baseline!r} is not known to {release.label}: it came in {later.label}",
                f"Use one of: {knows}, or target {later.label} (--lcore {later.key}).",
            )
    return ModelIssue(
        path,
        "error",
        "invalid-value",
        f"unknown baseline {baseline!r}; {release.label} knows: {knows}",
        f"Use one of: {knows}.",
    )
