"""Legacy pairs for the migration tests, laid out as LCORE expects them (paths relative to its start dir)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CORPUS = FIXTURES / "corpus" / "lightspeed-stack"
OWN = FIXTURES / "migration"
LCORE_OUT = OWN / "lcore-output"


@dataclass(frozen=True)
class Pair:
    """A legacy pair: ``config`` and ``run_yaml`` relative to ``cwd`` (the directory LCORE starts in)."""

    name: str
    cwd: Path
    config: str
    run_yaml: str
    server: bool = False  # a remote-server config; the run.yaml is passed as --run-yaml

    def copy_to(self, dest: Path) -> "Pair":
        for rel in (self.config, self.run_yaml):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.cwd / rel, target)
            os.chmod(target, 0o644)
        return Pair(self.name, dest, self.config, self.run_yaml, self.server)

    def run_arg(self) -> str | None:
        return self.run_yaml if self.server else None


# Every legacy pair of the corpus MANIFEST (library pairs and server pairs), plus ours.
PAIRS = {
    "azure-entraid-lib": Pair("azure-entraid-lib", CORPUS, "examples/lightspeed-stack-azure-entraid-lib.yaml",
                              "examples/azure-run.yaml"),
    "conversation-cache-pg": Pair("conversation-cache-pg", CORPUS,
                                  "examples/lightspeed-stack-conversation-cache-pg.yaml", "run.yaml"),
    "shields": Pair("shields", CORPUS, "examples/lightspeed-stack-shields.yaml", "run.yaml"),
    "root-server": Pair("root-server", CORPUS, "lightspeed-stack.yaml", "run.yaml", server=True),
    "byok-okp-rag-server": Pair("byok-okp-rag-server", CORPUS, "examples/lightspeed-stack-byok-okp-rag.yaml",
                                "run.yaml", server=True),
    "no-mcp": Pair("no-mcp", OWN, "no-mcp/lightspeed-stack.yaml", "no-mcp/run.yaml"),
    "rag-library": Pair("rag-library", OWN, "rag-library/lightspeed-stack.yaml", "rag-library/run.yaml"),
    "byok-defaults": Pair("byok-defaults", OWN, "byok-defaults/lightspeed-stack.yaml", "rag-library/run.yaml"),
}


