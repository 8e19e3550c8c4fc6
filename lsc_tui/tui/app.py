"""The lsc-tui editor (minimal shell: the workspace tree and its findings)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static, Tree

from lsc_tui.config.workspace import Workspace, load_workspace


class LscTuiApp(App):
    TITLE = "lsc-tui"
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, path: Path, notice: str | None = None):
        super().__init__()
        self.path = path
        self.notice = notice
        self.workspace: Workspace = load_workspace(path)

    def compose(self) -> ComposeResult:
        ws = self.workspace
        yield Header()
        tree: Tree[str] = Tree(f"{ws.root_path.name} ({ws.mode or ws.kind})")
        tree.root.expand()
        for doc in ws.documents:
            branch = tree.root.add(doc.display, expand=True)
            data = doc.data if isinstance(doc.data, dict) else {}
            providers = data.get("providers") if isinstance(data.get("providers"), dict) else None
            if providers:
                for api, items in providers.items():
                    node = branch.add(f"{api}", expand=True)
                    for item in items or []:
                        if isinstance(item, dict):
                            node.add_leaf(f"{item.get('provider_id')} ({item.get('provider_type')})")
            else:
                for key in data:
                    branch.add_leaf(str(key))
        yield tree
        lines = [f.to_text().splitlines()[0] for f in ws.findings] or ["no findings"]
        yield Static("\n".join(lines), id="findings")
        yield Footer()

    def on_mount(self) -> None:
        if self.notice:
            self.notify(self.notice)


def run_app(path: Path, *, theme: str | None = None, mouse: bool = True, readonly: bool = False,
            notice: str | None = None) -> int:
    app = LscTuiApp(path, notice)
    app.run(mouse=mouse)
    return app.return_code or 0
