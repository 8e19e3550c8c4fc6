"""The config tree: documents, providers grouped by API, profile, overrides, MCP servers."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from lsc_tui.tui.model import BADGES, STATE_ORDER, TreeItem, View

BADGE_STYLE = {"error": "bold red", "warning": "bold yellow", "secret": "bold magenta", "override": "bold cyan"}


def item_label(item: TreeItem) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    if item.kind in ("document",):
        t.append(item.label, style="bold")
        if item.detail:
            t.append(f" ({item.detail})", style="dim")
    elif item.kind in ("group", "api"):
        t.append(item.label, style="bold" if item.kind == "group" else "")
    else:
        t.append(item.label)
        if item.detail:
            t.append(f" {item.detail}", style="dim")
    badges = [s for s in STATE_ORDER if s in item.states]
    if badges:
        t.append(" ")
        for s in badges:
            t.append(BADGES[s], style=BADGE_STYLE[s])
    return t


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
        self._view: View | None = None

    def show_view(self, view: View, select_key: str | None = None) -> None:
        self._view = view
        current = select_key or self.selected_key
        self.clear()
        needle = self.filter_text.lower()

        def matches(item: TreeItem) -> bool:
            return not needle or needle in item.label.lower() or needle in item.detail.lower()

        def keep(item: TreeItem) -> bool:
            return matches(item) or any(keep(c) for c in item.children)

        def add(parent: TreeNode, item: TreeItem, forced: bool = False) -> None:
            if not forced and needle and not keep(item):
                return
            label = item_label(item)
            if item.children:
                node = parent.add(label, data=item,
                                  expand=bool(needle) or item.key not in self._collapsed)
                for child in item.children:
                    add(node, child, forced or (bool(needle) and matches(item) and item.kind != "document"))
            else:
                parent.add_leaf(label, data=item)

        for root in view.tree:
            add(self.root, root)
        self.root.expand()
        if current:
            self.select_key(current)

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

        for node in walk(self.root):
            if node.data is not None and node.data.key == key:
                parent = node.parent
                while parent is not None:
                    parent.expand()
                    parent = parent.parent
                self.move_cursor(node)
                return True
        return False

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
            if node.data:
                self._collapsed.add(node.data.key)
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()
            if node.data:
                self._collapsed.discard(node.data.key)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed) -> None:
        if event.node.data:
            self._collapsed.add(event.node.data.key)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        if event.node.data:
            self._collapsed.discard(event.node.data.key)
