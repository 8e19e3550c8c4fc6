"""When the editor lets Python's cycle collector run: never in the middle of typing.

Every keystroke builds a new document (a node per YAML node), so with the default thresholds
the collector's full pass runs every few keystrokes and walks the whole heap: at 10,000 lines
that is a 100-250 ms pause inside a keystroke. Almost everything an edit allocates is freed by
reference counting (about 17 objects in cycles per keystroke), so the editor:

- moves what exists after loading into the permanent generation (``settle``), which the
  collector never walks again;
- switches the automatic collector off while the operator edits (``editing``);
- collects when the editor has been idle for a moment (``collect_idle``): a pass over what
  the session made since the last one, a few milliseconds.

The benchmarks use the same functions, so the keystroke figures are measured under the policy
the editor runs with.
"""

from __future__ import annotations

import gc

IDLE_SECONDS = 1.0  # quiet time before the idle collection
DUE_AFTER = 5000  # container objects allocated (net) since the last collection


def settle() -> None:
    """After loading: collect once, then freeze the survivors out of later collections."""
    gc.collect()
    gc.freeze()


def editing() -> None:
    """No automatic collections from now on; ``collect_idle`` does them."""
    gc.disable()


def due() -> bool:
    """Enough new objects since the last collection to make one worth it."""
    return gc.get_count()[0] >= DUE_AFTER


def collect_idle() -> int:
    """A full collection of the unfrozen heap; returns the number of unreachable objects found."""
    return gc.collect()


def batch() -> None:
    """For a headless command: collect young objects rarely. Loading a 10,000-line workspace
    makes about 100,000 objects that all live until the command ends, and with the default
    thresholds the collector walks them again and again while they are made (a sixth of
    `lsc-tui diff`); cycles are still collected, a hundred times less often."""
    gc.set_threshold(100_000, 50, 100)


def restore() -> None:
    """Back to Python's default behaviour (the editor closed; tests)."""
    gc.unfreeze()
    gc.enable()
