"""When the editor lets Python's cycle collector run: never in the middle of typing, nor while
the editor starts.

Every keystroke builds a new document (a node per YAML node), so with the default thresholds
the collector's full pass runs every few keystrokes and walks the whole heap: at 10,000 lines
that is a 100-250 ms pause inside a keystroke. Almost everything an edit allocates is freed by
reference counting (about 17 objects in cycles per keystroke), and what the editor builds while
it starts (the modules, the widgets, the session) lives as long as the editor. So the editor:

- switches the automatic collector off from the start (``editing``): while it starts, the
  collector's passes walked the imported modules again and again (tens of milliseconds before
  the config showed);
- moves what exists once the config is open and validated into the permanent generation
  (``freeze``), which the collector never walks again: at once, as it costs nothing;
- collects the garbage of the start once the editor has been idle for a moment (``settle``:
  a full pass, 30-130 ms by the machine's load, which ran between the validation and the first
  complete screen before), then freezes the survivors again;
- collects when the editor has been idle for a moment (``collect_idle``): a pass over what
  the session made since the last one, a few milliseconds.

The benchmarks use the same functions, so the keystroke figures are measured under the policy
the editor runs with.
"""

from __future__ import annotations

import gc

IDLE_SECONDS = 1.0  # quiet time before the idle collection
DUE_AFTER = 5000  # container objects allocated (net) since the last collection


def freeze() -> None:
    """What exists now lives as long as the session: out of every later collection (no pass)."""
    gc.freeze()


def settle() -> None:
    """A full collection of everything not yet collected (what was frozen without one included),
    then freeze the survivors out of later collections."""
    gc.unfreeze()
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


def one_shot() -> None:
    """For a headless command run as its own process that ends when its work is done
    (``validate``, ``synthesize``, ``secrets``, ``diff``): no automatic collection at all. What it loads
    lives until the process exits and it makes few cycles, so a collector's pass over the
    100,000 objects of a 10,000-line workspace frees next to nothing (it was 20-30 ms of a
    330 ms ``validate``). Long-running commands (``lsp``, ``serve``, ``preflight``) keep ``batch``."""
    gc.disable()


def one_shot_done() -> None:
    """A one-shot command has finished and its process exits: what it made is left out of the
    interpreter's last full collection at exit (a pass over every object, some 25 ms after a
    10,000-line diff). Its memory goes with the process; lsc-tui closes its files and removes
    its temporary files itself, never through a finalizer."""
    gc.freeze()


def restore() -> None:
    """Back to Python's default behaviour (the editor closed; tests)."""
    gc.unfreeze()
    gc.enable()
