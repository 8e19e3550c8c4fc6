"""The config tree: documents, providers grouped by API, profile, overrides, MCP servers."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.style import Style
from rich.text import Span, Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from lsc_tui.config.outline import TreeItem, profile_choice
from lsc_tui.tui.badges import badge_style
from lsc_tui.tui.model import BADGES, STATE_ORDER, View

if TYPE_CHECKING:
    from lsc_tui.tui.app import LscTuiApp

DETAIL_SEP = " · "  # between a name and its detail (vllm · remote::vllm): visible in any terminal


def _label_facts(item: TreeItem) -> tuple:
    return item.kind, item.label, item.detail, tuple(sorted(item.states))


def item_label(item: TreeItem, no_color: bool = False) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    if item.kind in ("document",):
        t.append(item.label, style="bold")
        if item.detail:
            t.append(f" ({item.detail})", style="dim")
    elif item.kind == "profile-choice":
        t.append(item.label, style="bold" if "active" in item.states else "")
        t.append(f"{DETAIL_SEP}{item.detail}", style="dim")
    elif item.kind in ("group", "api", "object", "list"):
        t.append(item.label, style="bold" if item.kind == "group" else "")
    else:
        t.append(item.label)
        if item.detail:
            t.append(f"{DETAIL_SEP}{item.detail}", style="dim")
    badges = [s for s in STATE_ORDER if s in item.states]
    if badges:
        t.append(" ")
        for s in badges:
            t.append(BADGES[s], style=badge_style(s, no_color))
    return t


def undimmed(label: Text) -> Text:
    """The label of the row under the cursor: its dim detail on the cursor's background is hard to
    read in some themes, so there it is italic instead."""
    out = label.copy()
    out.spans = [Span(sp.start, sp.end, "italic" if sp.style == "dim" else sp.style) for sp in label.spans]
    return out


class ConfigTree(Tree[TreeItem]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_home", "First", show=False),
        Binding("G", "scroll_end", "Last", show=False),
        Binding("h", "collapse_or_parent", "Collapse", show=False),
        Binding("left", "collapse_or_parent", "Collapse", show=False),
        Binding("l", "expand_node", "Expand", show=False),
        Binding("right", "expand_node", "Expand", show=False),
    ]

    def __init__(self, **kwargs):
        super().__init__("config", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.filter_text = ""
        self._collapsed: set[str] = set()
        self._unfolded: set[str] = set()  # folded items (TreeItem.folded) the operator opened
        self._view: View | None = None
        self._signature: list = []
        self._by_key: dict[str, TreeNode] = {}
        self._shown: tuple = ((), "")  # the documents' items and the filter the tree shows
        self.pending_select: str | None = None

    def show_view(self, view: View, select_key: str | None = None) -> None:
        """Show ``view``; labels update in place when the structure did not change."""
        self._view = view
        current = select_key or self.pending_select or self.selected_key
        needle = self.filter_text.lower()
        items, shown_needle = self._shown
        if (
            self._by_key
            and needle == shown_needle
            and len(items) == len(view.tree)
            and all(a is b for a, b in zip(items, view.tree))
        ):
            # the same trees (the view kept them: the edit changed nothing the tree shows)
            if current and current != self.selected_key:
                self.select_key(current)
            return
        self._shown = (tuple(view.tree), needle)

        def matches(item: TreeItem) -> bool:
            return not needle or needle in item.label.lower() or needle in item.detail.lower()

        def keep(item: TreeItem) -> bool:
            return matches(item) or any(keep(c) for c in item.children)

        plan: list[tuple[TreeItem, int, bool]] = []  # (item, parent index, forced)

        def visit(item: TreeItem, parent: int, forced: bool = False) -> None:
            if not forced and needle and not keep(item):
                return
            plan.append((item, parent, forced))
            me = len(plan) - 1
            for child in item.children:
                visit(child, me, forced or (bool(needle) and matches(item) and item.kind != "document"))

        for root in view.tree:
            visit(root, -1)
        signature = [(item.key, parent) for item, parent, _f in plan]
        if signature == self._signature and self._by_key:
            for item, _parent, _forced in plan:
                node = self._by_key.get(item.key)
                if node is not None:
                    old, node.data = node.data, item
                    if old is None or _label_facts(old) != _label_facts(item):
                        node.set_label(
                            item_label(item, self.app.no_color)
                        )  # a label set re-renders the tree: only on a change
            if current and current != self.selected_key:
                self.select_key(current)
            return
        self._signature = signature
        self.pending_select = current
        self.clear()
        nodes: list[TreeNode] = []
        self._by_key = {}
        for item, parent, _forced in plan:
            parent_node = self.root if parent < 0 else nodes[parent]
            if item.children:
                node = parent_node.add(
                    item_label(item, self.app.no_color),
                    data=item,
                    expand=bool(needle)
                    or (item.key not in self._collapsed and (not item.folded or item.key in self._unfolded)),
                )
            else:
                node = parent_node.add_leaf(item_label(item, self.app.no_color), data=item)
            nodes.append(node)
            self._by_key[item.key] = node
        self.root.expand()
        self.pending_select = None
        if current:
            self.select_key(current)

    def render_label(self, node: TreeNode[TreeItem], base_style: Style, style: Style) -> Text:
        text = super().render_label(node, base_style, style)
        return undimmed(text) if node is self.cursor_node else text

    def _finish_rebuild(self) -> None:
        key, self.pending_select = self.pending_select, None
        if key:
            self.select_key(key)

    @property
    def selected_item(self) -> TreeItem | None:
        node = self.cursor_node
        return node.data if node is not None else None

    @property
    def selected_key(self) -> str | None:
        item = self.selected_item
        return item.key if item else None

    def select_key(self, key: str) -> bool:
        def walk(node: TreeNode):
            yield node
            for child in node.children:
                yield from walk(child)

        node = self._by_key.get(key)
        candidates = [node] if node is not None else walk(self.root)
        for node in candidates:
            if node.data is not None and node.data.key == key:
                parent = node.parent
                while parent is not None:
                    parent.expand()
                    parent = parent.parent
                _ = self._tree_lines  # lay the lines out now, so the node has its line number
                # The cursor moves now; the scroll waits for the layout: a tree filled or resized in
                # this same tick does not know its height yet, and scrolling then would depend on
                # timing.
                self.cursor_line = node._line
                self.call_after_refresh(self._scroll_cursor_into_view)
                return True
        return False

    def _scroll_cursor_into_view(self, tries: int = 20) -> None:
        if self.cursor_node is None:
            return
        if not self.size.height:  # not laid out yet (just mounted), or hidden (a tab at 80 columns)
            if tries:
                self.call_after_refresh(self._scroll_cursor_into_view, tries - 1)
            return  # on_resize scrolls once it has a height
        self.scroll_to_node(self.cursor_node, animate=False)

    def on_resize(self, event) -> None:
        self.call_after_refresh(self._scroll_cursor_into_view, 0)

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
            if node.data:
                self._collapsed.add(node.data.key)
                self._unfolded.discard(node.data.key)
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()
            if node.data:
                self._collapsed.discard(node.data.key)
                self._unfolded.add(node.data.key)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        """enter on an entry of "profiles" switches the config to it (as the palette does):
        the preview shows the change before anything is saved, and u undoes it."""
        item = event.node.data
        choice = profile_choice(item)
        if choice is None or item is None:
            return
        event.stop()
        kind, name = choice
        if "active" in item.states:
            self.app.notify(f"{name} is already the active {kind}.", timeout=3)
        elif getattr(self.app, "readonly", False):
            self.app.notify("Read-only: the profile cannot be switched.", severity="warning")
        else:
            cast("LscTuiApp", self.app).switch_profile(name, kind)  # the tree is only ever LscTuiApp's

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed) -> None:
        if event.node.data:
            self._collapsed.add(event.node.data.key)
            self._unfolded.discard(event.node.data.key)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        if event.node.data:
            self._collapsed.discard(event.node.data.key)
            self._unfolded.add(event.node.data.key)
