"""Identity memos: a result remembered per object, by the object's identity.

The editor recomputes everything after each keystroke, and the trees it recomputes from are
built copy-on-write: an edit copies only the containers along its path, every other container
is the same object as before. So a result computed from a container (its dumped lines, its
unknown keys, whether it has YAML aliases) can be remembered by the container's identity and
reused as long as the container lives. :class:`IdentityMemo` is the one way lsc-tui does that.

Semantics:

- **Identity, never equality.** The key is an object; two equal but distinct objects are two
  keys, and an unhashable object (a dict, a list) is a key like any other. An optional tag
  (another object, also compared with ``is``) qualifies an entry.
- **Strong references.** An entry holds its key object, so the key's ``id`` cannot be given
  to another object while the entry lives (a plain ``id()``-keyed dict would answer for a new
  object that took a dead one's id). A hit is also checked with ``is``.
- **Unchanged keys.** The caller promises a key is not changed in place while remembered:
  lsc-tui never changes a document's data or a finished synthesis in place.
- **Bounded.** At most ``maxsize`` entries in a generation; a ``put`` into a full generation
  first forgets that generation (the working sets here refill at once, and forgetting is cheap).
  ``maxsize=0`` is a memo that remembers nothing.
- **Generations** (for memos of a tree walk). Entries go into the current generation;
  :meth:`get` also finds entries of the previous one and carries a hit over into the current.
  :meth:`rotate` after a walk makes the current generation the previous: the memo then holds
  exactly what the last walk made or used, and sub-trees an edit replaced are forgotten. A memo
  that never rotates is a bounded cache.
- :meth:`pays` decides whether a walk of ``root`` is worth remembering: only a new root that
  shares a container with the last root walked (an edit's copy). A first walk, or the same
  root again (which may have been changed in place), is walked plainly.

Results per parsed *document* (its secret scan, env-reference lint, validation) are not kept
here: they are held weakly (``weakref.WeakKeyDictionary``), so a document's results live exactly
as long as the parse cache keeps the document, and an IdentityMemo's strong references would
keep whole documents alive.
"""

from __future__ import annotations

from typing import Any, Generic, Optional, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    """Results keyed by object identity, holding their keys, bounded (see the module docstring)."""

    __slots__ = ("cur", "prev", "maxsize", "last_root")

    def __init__(self, maxsize: int = 65_536) -> None:
        if maxsize < 0:
            raise ValueError("maxsize is a number of entries (0: remember nothing)")
        self.maxsize = maxsize
        """At most this many entries per generation; 0 makes a memo that remembers nothing (the
        plain walk of fresh data runs the same code as a remembering one)."""
        self.cur: dict[int, tuple[Any, Any, V]] = {}
        """The current generation: ``id(key) -> (key, tag, value)``."""
        self.prev: dict[int, tuple[Any, Any, V]] = {}
        """The previous generation (empty for a memo that never rotates)."""
        self.last_root: Any = None

    def get(self, key: Any, tag: Any = None) -> Optional[V]:
        """The value remembered for this very object (and this very ``tag``), or None.

        ``tag`` qualifies an entry by another object's identity, such as the annotation a
        container was walked under: an entry of the same key with another tag is a miss."""
        kid = id(key)
        hit = self.cur.get(kid)
        if hit is None:
            hit = self.prev.get(kid)
            if hit is None or hit[0] is not key or hit[1] is not tag:
                return None
            self._store(kid, hit)  # used by this walk: it survives the next rotate
            return hit[2]
        return hit[2] if hit[0] is key and hit[1] is tag else None

    def put(self, key: Any, value: V, tag: Any = None) -> V:
        """Remember ``value`` for ``key`` (and ``tag``), replacing what was there; return it."""
        if self.maxsize:
            self._store(id(key), (key, tag, value))
        return value

    def _store(self, kid: int, entry: tuple[Any, Any, V]) -> None:
        cur = self.cur
        if len(cur) >= self.maxsize and kid not in cur:
            cur.clear()
        cur[kid] = entry

    def rotate(self) -> None:
        """End a walk: what it made or used becomes the previous generation."""
        self.prev, self.cur = self.cur, {}

    def clear(self) -> None:
        """Forget everything (both generations; the last root too)."""
        self.prev, self.cur = {}, {}
        self.last_root = None

    def forget_entries(self) -> None:
        """Forget both generations but keep the last root (a plain walk was just noted)."""
        self.prev, self.cur = {}, {}

    def __len__(self) -> int:
        return len(self.cur) + sum(1 for k in self.prev if k not in self.cur)

    def pays(self, root: Any) -> bool:
        """Whether remembering pays for a walk of ``root``: it is a new root sharing a top-level
        container with the last root (an edit's copy). Notes ``root`` as the last root."""
        last, self.last_root = self.last_root, root
        if last is None or root is last:
            return False  # the same root again may have been changed in place: trust nothing
        if not isinstance(root, dict) or not isinstance(last, dict):
            return False
        return any(v is last.get(k) for k, v in root.items() if isinstance(v, (dict, list)))
