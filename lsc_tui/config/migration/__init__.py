"""Legacy to unified migration, with a proof of equivalence (see docs/migration.md).

The library API the TUI wizard drives step by step lives in :mod:`.plan`::

    from lsc_tui.config.migration import Migration
    m = Migration.open(path)            # analyse (MigrationInputError on bad input)
    m.nothing_to_do                     # reason, when already unified or remote
    m.recommendation                    # strategy + reasons
    m.choose("smart")                   # candidate + proof
    m.preview_text(), m.proof, m.secrets, m.files()
    m.write(accept=None)                # MigrationRefused unless equivalent or accepted
"""

from lsc_tui.config.migration.analyse import STRATEGIES, Analysis, MigrationInputError, analyse
from lsc_tui.config.migration.plan import FileAction, Migration, MigrationRefused, OutputRefused, WriteResult
from lsc_tui.config.migration.proof import Difference, Proof

__all__ = [
    "STRATEGIES",
    "Analysis",
    "Difference",
    "FileAction",
    "Migration",
    "MigrationInputError",
    "MigrationRefused",
    "OutputRefused",
    "Proof",
    "WriteResult",
    "analyse",
]
