"""Newer than LCORE main (cd1a048): what lsc-tui previews from later LCORE work.

| what | newer against main |
|---|---|
| baseline | ``byo-llm``: the default baseline without its openai row |
| root key | ``ogx:`` beside (and winning over) ``llama_stack:`` |

No published release holds these yet; lsc-tui keeps them so configs written for later LCORE
still preview, and names them as newer than main.
"""

import dataclasses

from lsc_tui.config.releases import RELEASE_NEWER
from lsc_tui.config.releases.main import RULES as MAIN

RULES = dataclasses.replace(
    MAIN,
    release=RELEASE_NEWER,
    summary="the byo-llm baseline and the ogx: key",
    baselines=("default", "empty", "byo-llm"),
    root_keys=("llama_stack", "ogx"),
    added=("ogx",),
    removed={},
)
