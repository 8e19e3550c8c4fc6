"""LCORE's merge rule for ``native_override``: maps recurse, everything else replaces.

``deep_merge_list_replace(base, overlay)`` returns a new mapping and never mutates either
argument. Unlike a deep copy it shares every subtree it does not need to change with its
inputs (only the maps along merged paths are new), so the result must be treated as
read-only. There is no deletion syntax: keys only in ``base`` are kept, keys only in
``overlay`` are added, and a list, scalar or type mismatch in ``overlay`` replaces the base
value wholesale (no append, no merge by id).
"""

from __future__ import annotations

from typing import Any, Optional
from collections.abc import Callable

CopyMap = Callable[[dict[Any, Any]], dict[Any, Any]]
OnSet = Callable[[dict[Any, Any], Any, tuple[Any, ...]], None]


def deep_merge_list_replace(
    base: dict[Any, Any],
    overlay: dict[Any, Any],
    *,
    copy_map: Optional[CopyMap] = None,
    on_set: Optional[OnSet] = None,
    _path: tuple[Any, ...] = (),
) -> dict[Any, Any]:
    """Merge ``overlay`` onto ``base`` (see the module docstring).

    ``copy_map`` makes the shallow copy of a base map that is about to change (the default
    is ``dict``); ``on_set(new_map, key, overlay_path)`` is called for every value taken
    from the overlay. Both hooks exist so the synthesizer can keep provenance; plain callers
    ignore them.
    """
    result = copy_map(base) if copy_map is not None else dict(base)
    for key, over in overlay.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(over, dict):
            result[key] = deep_merge_list_replace(current, over, copy_map=copy_map, on_set=on_set, _path=_path + (key,))
        else:
            result[key] = over
            if on_set is not None:
                on_set(result, key, _path + (key,))
    return result
