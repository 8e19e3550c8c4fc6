"""The result of a synthesis: the run.yaml data, its findings and its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional
from collections.abc import Sequence

from lsc_tui.config.synthesis.emit import dump_run_yaml, dump_with_origins, dump_with_paths
from lsc_tui.config.findings import Finding
from lsc_tui.config.synthesis.provenance import KeyPath, Origin, Provenance


@dataclass
class Synthesis:
    """A synthesized run.yaml with its findings and provenance."""

    label: ClassVar[str] = "synthesized run.yaml"  # what the preview calls it (an operator's names its own)
    data: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    mode: str = "unified"
    provenance: Provenance = field(default_factory=Provenance, repr=False)
    _text: Optional[str] = field(default=None, repr=False)
    _lines: Optional[list[KeyPath]] = field(default=None, repr=False)

    def origin_of(self, path: KeyPath) -> Origin:
        """The origin of the value at ``path`` (KeyError/IndexError if there is none)."""
        return self.provenance.origin_of(self.data, tuple(path))

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = dump_run_yaml(self.data)
        return self._text

    def line_paths(self) -> list[KeyPath]:
        """Per output line, the key path of the value it shows."""
        if self._lines is None:
            text, paths = dump_with_paths(self.data)
            self._text = text
            self._lines = paths
        return self._lines

    def text_and_line_origins(self) -> tuple[str, Sequence[Optional[Origin]]]:
        """The dumped run.yaml and, per output line, the Origin of what it shows."""
        fast = dump_with_origins(self.data, self.provenance)
        if fast is not None:
            self._text = fast[0]
            return fast
        paths = self.line_paths()
        prov, root = self.provenance, self.data
        root_origin = prov.node.get(id(root), Origin("unknown", ""))
        memo: dict[KeyPath, tuple[Any, Origin]] = {(): (root, root_origin)}

        def resolve(path: KeyPath) -> tuple[Any, Origin]:
            hit = memo.get(path)
            if hit is None:
                parent, parent_origin = resolve(path[:-1])
                key = path[-1]
                hit = (parent[key], prov.child_origin(parent, key, parent_origin))
                memo[path] = hit
            return hit

        origins: list[Optional[Origin]] = []
        for path in paths:
            try:
                origins.append(resolve(path)[1])
            except (KeyError, IndexError, TypeError):
                origins.append(None)
        return self.text, origins
