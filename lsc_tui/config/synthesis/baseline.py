"""What a synthesis starts from: the built-in default baseline, the profile a config names,
and the ``llama_stack``/``ogx`` block that holds the unified configuration."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.config.synthesis.provenance import KeyPath
from lsc_tui.config.yaml.document import Document, data_of, read_text
from lsc_tui.config.yaml.lint import YamlLoadError

BUILTIN_DEFAULT = "builtin:default"


MAIN_BASELINE = "default_run.yaml"


@lru_cache(maxsize=8)
def _default_text(name: str = MAIN_BASELINE) -> str:
    """A release's built-in default run.yaml (``name`` relative to ``lsc_tui/data``)."""
    return (Path(__file__).resolve().parents[2] / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _default_data(name: str = MAIN_BASELINE) -> Any:
    return yaml.safe_load(_default_text(name))


def _fresh(data: Any) -> Any:
    """A private copy of plain YAML data (faster than copy.deepcopy)."""
    if isinstance(data, dict):
        return {k: _fresh(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_fresh(v) for v in data]
    return data


def default_baseline(name: Optional[str] = None) -> dict[str, Any]:
    """LCORE's built-in ``baseline: default`` (lsc_tui/data/default_run.yaml, or another
    release's, ``name`` relative to lsc_tui/data), a fresh copy."""
    data: dict[str, Any] = _fresh(_default_data(name or MAIN_BASELINE))
    return data


def default_baseline_text() -> str:
    return _default_text()


def builtin_file(name: Optional[str]) -> str:
    """How provenance names a release's packaged default baseline (``name`` relative to
    lsc_tui/data): ``builtin:default`` for main's, ``builtin:releases/0.6/default_run.yaml``..."""
    return BUILTIN_DEFAULT if name in (None, MAIN_BASELINE) else f"builtin:{name}"


@lru_cache(maxsize=8)
def _default_document(file: str = BUILTIN_DEFAULT) -> Document:
    name = MAIN_BASELINE if file == BUILTIN_DEFAULT else file.removeprefix("builtin:")
    return Document(Path(file), _default_text(name), None, file)


def builtin_position(path: KeyPath, file: str = BUILTIN_DEFAULT) -> tuple[int, int]:
    """Line and column of ``path`` in the packaged default baseline ``file`` names (main's by
    default; see :func:`builtin_file`), for provenance."""
    try:
        return _default_document(file).position(tuple(path))
    except Exception:
        return (0, 0)


def llama_stack_block(config: Any) -> tuple[str, Any]:
    """``(key, block)``: ``ogx`` wins over ``llama_stack`` when both are present."""
    if isinstance(config, dict) and "ogx" in config:
        return "ogx", config.get("ogx")
    return "llama_stack", (config or {}).get("llama_stack") if isinstance(config, dict) else None


def unified_block(config: Any) -> tuple[str, Any]:
    key, block = llama_stack_block(config)
    return key, (block.get("config") if isinstance(block, dict) else None)


def resolve_profile_path(profile: str, config_dir: Optional[os.PathLike[str] | str]) -> Path:
    """LCORE's rule: absolute as-is; relative to the config file's directory (else CWD).

    The path is used raw: env references in it are not expanded.
    """
    path = Path(profile)
    if not path.is_absolute() and config_dir is not None:
        path = Path(config_dir) / path
    return path


def load_profile(config: Any, config_dir: Optional[os.PathLike[str] | str]) -> tuple[Any, Optional[str], list[Finding]]:
    """Load the profile a config names, as LCORE does. ``(data, path, findings)``: the data is
    None when there is no profile or it cannot be read, else what the file holds ({} if empty)."""
    key, unified = unified_block(config)
    if not isinstance(unified, dict) or not unified.get("profile"):
        return None, None, []
    path = resolve_profile_path(str(unified["profile"]), config_dir)
    where = (key, "config", "profile")
    try:
        text, _stamp = read_text(path)  # the guarded reader: regular files only, size cap
    except YamlLoadError as exc:
        return (
            None,
            str(path),
            [
                Finding(
                    "",
                    0,
                    0,
                    Severity.ERROR,
                    "synthesis-profile-missing",
                    f"the profile file cannot be read ({exc.finding.message}): {path}",
                    "fix the path; a relative profile path is relative to this file's directory",
                    where,
                )
            ],
        )
    try:
        data = data_of(text, str(path))  # alias and depth limits
    except YamlLoadError as exc:
        f = exc.finding
        return (
            None,
            str(path),
            [
                Finding(
                    str(path),
                    f.line,
                    f.column,
                    Severity.ERROR,
                    "synthesis-profile-invalid",
                    f"the profile cannot be read as YAML: {f.message}",
                    f.fix or "fix the YAML syntax at this position",
                )
            ],
        )
    return (data if data is not None else {}), str(path), []
