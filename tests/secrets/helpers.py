from __future__ import annotations

from lsc_tui.config.yaml.edit import render_scalar


def yaml_entry(key: str, value, indent: int = 4) -> str:
    """``key: value`` rendered so that PyYAML reads back exactly ``value``."""
    pad = " " * indent
    if isinstance(value, str) and "\n" in value:
        body = "".join(pad + "  " + line + "\n" for line in value.rstrip("\n").split("\n"))
        return f"{pad}{key}: |\n{body}"
    return f"{pad}{key}: {render_scalar(value)}\n"


def samples_yaml(samples) -> str:
    out = ["samples:\n"]
    for i, (_label, key, value) in enumerate(samples):
        out.append(f"  s{i:03d}:\n")
        out.append(yaml_entry(key, value))
    return "".join(out)
