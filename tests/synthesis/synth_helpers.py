"""Shared helpers for the synthesis tests (inputs in, run.yaml and findings out)."""

from __future__ import annotations

from pathlib import Path

import yaml

from lsc_tui.config.synthesis.unified import synthesize_unified

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "synthesis"


def load(rel: str):
    return yaml.safe_load((FIX / rel).read_text(encoding="utf-8"))


def base_config(**extra) -> dict:
    cfg = {
        "name": "t",
        "service": {"host": "0.0.0.0", "port": 8080},
        "llama_stack": {"use_as_library_client": True},
        "user_data_collection": {"feedback_enabled": False, "transcripts_enabled": False},
    }
    cfg.update(extra)
    return cfg


def unified(config_block=None, profile=None, **extra):
    """Synthesize a config built from parts (a pre-loaded profile is passed as such)."""
    cfg = base_config(**extra)
    if config_block is not None:
        cfg["llama_stack"]["config"] = config_block
    return synthesize_unified(cfg, FIX, config_file="lightspeed-stack.yaml", profile=profile,
                              profile_file="profile.yaml" if profile is not None else None)


def codes(result) -> list[str]:
    return [f.code for f in result.findings]
