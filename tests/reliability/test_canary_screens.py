"""The editor's screens show no secret.

No approved screenshot (snapshots/, docs/screenshots/) shows a literal secret of the
workspaces the screens were rendered from (the demo and the TUI test fixtures); and the
editor, opened on the canary workspaces of ``test_canary.py`` (a canary of every kind the
scanner knows, in every file kind), shows none of them on any screen: every tree label, the
form of every node, the diff and preview, the findings, the notifications, and the screen
as rendered after selecting each node."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from lsc_tui.config.secrets import reveal, scan_workspace
from lsc_tui.config.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
WORKSPACES = [ROOT / "lsc_tui" / "data" / "demo" / "lightspeed-stack.yaml",
              ROOT / "tests" / "tui" / "fixtures" / "unified" / "lightspeed-stack.yaml"]
SHOTS = sorted((ROOT / "snapshots").rglob("*.svg")) + sorted((ROOT / "docs" / "screenshots").glob("*.svg"))


@functools.lru_cache(maxsize=1)
def _secrets() -> frozenset[str]:
    values = set()
    for cfg in WORKSPACES:
        ws = load_workspace(cfg, cwd=cfg.parent)
        values |= {reveal(f) for f in scan_workspace(ws).findings}
    return frozenset(v for v in values if v and len(v) >= 6)


def test_the_screens_have_secrets_to_hide():
    assert len(_secrets()) >= 2 and len(SHOTS) >= 40


@pytest.mark.parametrize("shot", SHOTS, ids=lambda p: p.name)
def test_no_screenshot_shows_a_secret(shot):
    text = shot.read_text(encoding="utf-8")
    # SVG text escapes spaces and entities; the secrets here have none, so a plain search is exact
    leaked = [v[:3] + "…" for v in _secrets() if v in text]
    assert not leaked, f"{shot.name} shows a literal secret"


# -- the canary workspaces in the editor ---------------------------------------------------------

CANARY_FILES = ["legacy/lightspeed-stack.yaml", "unified/lightspeed-stack.yaml", "legacy/run.yaml",
                "operator/cr.yaml", "operator/extra-providers.yaml", "export/run.yaml"]


def _plain(obj) -> str:
    for attr in ("plain", "markup"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            return value
    return str(obj)


def _shown(app) -> list[tuple[str, str]]:
    """(where, text) of everything the editor shows now."""
    from textual.widgets import DataTable, Input, OptionList, Static, TextArea, Tree

    out = [("screen", app.export_screenshot())]
    for w in app.screen.walk_children(with_self=True):
        name = f"{type(w).__name__}#{w.id or ''}"
        if isinstance(w, Tree):
            out += [(f"{name} label", _plain(n.label)) for n in w._tree_nodes.values()]
        elif isinstance(w, Input):
            out.append((name, w.value))
        elif isinstance(w, TextArea):
            out.append((name, w.text))
        elif isinstance(w, DataTable):
            out += [(name, " ".join(_plain(c) for c in w.get_row_at(i))) for i in range(w.row_count)]
        elif isinstance(w, OptionList):
            out += [(name, _plain(w.get_option_at_index(i).prompt)) for i in range(w.option_count)]
        elif isinstance(w, Static):
            out.append((name, _plain(w.render())))
    view = app.view
    if view is not None:
        out.append(("diff", view.diff_text))
        out += [("finding", f.message + " " + f.fix) for f in view.findings + view.secret_findings]
        out += [("tree item", f"{i.label} {i.detail}") for top in view.tree for i in top.walk()]
    return out


@pytest.mark.anyio
@pytest.mark.slow  # the editor in a pilot, every node opened
@pytest.mark.usefixtures("editor_opened")
@pytest.mark.parametrize("rel", CANARY_FILES)
async def test_the_editor_shows_no_canary(tmp_path, monkeypatch, rel):
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_canary import build

    from lsc_tui.tui.app import LscTuiApp
    from lsc_tui.tui.widgets.config_tree import ConfigTree

    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "HOME"):
        monkeypatch.setenv(var, str(tmp_path / "home"))
    planted = build(tmp_path / "ws")
    path = tmp_path / "ws" / rel
    monkeypatch.chdir(path.parent)
    app = LscTuiApp(str(path), watch=False, theme="lsc-dark", persist_theme=False)
    notes: list[str] = []
    real_notify = app.notify

    def notify(message, *args, **kwargs):
        notes.append(f"{kwargs.get('title', '')} {message}")
        return real_notify(message, *args, **kwargs)

    app.notify = notify
    leaks: list[str] = []

    def check(step: str):
        for where, text in _shown(app) + [("notification", n) for n in notes]:
            found = planted.leaks(text)
            if found:
                leaks.append(f"{step}: {where}: {found}")

    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await app.wait_idle()
        await pilot.pause()
        check("opened")
        tree = app.query_one(ConfigTree)
        keys = [i.key for top in app.view.tree for i in top.walk()]
        assert keys, "the tree is empty"
        for key in keys:
            if tree.select_key(key):
                tree.focus()
                await pilot.pause()
                await app.wait_idle()
                check(f"selected {key}")
        # the raw YAML of each document's root node shows the whole file
        roots = [top.key for top in app.view.tree]
        await pilot.press("t")
        for key in roots:
            if tree.select_key(key):
                tree.focus()
                await pilot.pause()
                await app.wait_idle()
                check(f"raw YAML of {key}")
        await pilot.press("t")
        for keyname in ("f", "d"):  # the findings and the diff panes, when they toggle
            await pilot.press(keyname)
            await pilot.pause()
            check(f"pressed {keyname}")
        for keyname in ("S", "M"):  # the secrets review and the migration wizard
            tree.focus()
            await pilot.press(keyname)
            await pilot.pause()
            await app.wait_idle()
            await pilot.pause()
            check(f"flow {keyname}")
            while len(app.screen_stack) > 1:
                await pilot.press("escape")
                await pilot.pause()
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks[:40])


def test_raw_yaml_of_a_node_masks_block_scalars_and_what_the_scanner_flags(tmp_path):
    """The raw YAML view replaces a secret block scalar (a PEM key) and keeps the next key on its
    own line; a value the scanner flags under an innocent key is masked too."""
    from lsc_tui.config.yaml.document import parse_text
    from lsc_tui.config.masked_yaml import masked_node_yaml

    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
    text = ("config:\n  private_key: |\n    -----BEGIN PRIVATE KEY-----\n    " + body +
            "\n    -----END PRIVATE KEY-----\n  note: sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3dEf6hIj9k" +
            "\n  url: http://x\n")
    doc = parse_text(text, "run.yaml", tmp_path / "run.yaml")
    shown, masked = masked_node_yaml(doc, ("config",), set())
    assert masked and body not in shown and "Ab3dEf6hIj9kLm2n" not in shown
    assert "url: http://x" in shown and "note:" in shown
