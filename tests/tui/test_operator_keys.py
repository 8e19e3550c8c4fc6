"""The editor as an operator drives it: the palette keys, enter on a node, what the footer and
header show at 80 columns, and the help screen."""

from __future__ import annotations

import pytest

from .conftest import make_app
from .helpers import settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test


@pytest.mark.parametrize("key", ["ctrl+p", "colon"])
async def test_palette_keys_open_the_palette_and_take_the_typing(demo, key):
    """ctrl+p (the documented key) and : both open the palette; the letters typed next are the
    palette's query, never commands of the editor (``migr`` once ran ``r``, rename)."""
    from textual.command import CommandPalette

    from lsc_tui.tui.flows.migrate_wizard import MigrateWizard

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        before = app.session.text_of(demo / "run.yaml")
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"migr")
        for _ in range(20):  # the palette searches in a worker
            await pilot.pause(0.05)
        await pilot.press("enter")
        for _ in range(20):
            await pilot.pause(0.05)
            if isinstance(app.screen, MigrateWizard):
                break
        assert isinstance(app.screen, MigrateWizard)
        assert app.session.text_of(demo / "run.yaml") == before
        assert not app.session.dirty


def test_help_lists_each_group_once():
    """The footer order puts the flows amid the global keys; the help lists each group once."""
    from rich.console import Console

    from lsc_tui.tui.keymap import KEYS, MOVEMENT
    from lsc_tui.tui.screens.help import help_table

    console = Console(width=100, record=True, color_system=None)
    console.print(help_table())
    lines = [line.strip() for line in console.export_text().splitlines()]
    for group in {k.group for k in KEYS + MOVEMENT}:
        assert lines.count(group) == 1, (group, lines)


def _footer(app) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [f"{k.key_display} {k.description}".strip() for k in app.query(FooterKey) if k.display]


async def test_enter_on_a_node_navigates_the_form_and_a_second_enter_edits(demo):
    """enter on a tree node focuses the form, not its first field: the next letter is a command
    (once ``t`` typed into the provider id). A second enter edits the field under the cursor; esc
    ends the editing. While a field is edited the footer lists only keys that work there."""
    from lsc_tui.tui.widgets.config_tree import ConfigTree
    from lsc_tui.tui.widgets.node_editor import FieldInput, FormScroll

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ConfigTree)
        assert tree.select_key("run.yaml|providers.inference[0]")
        tree.focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.focused, FormScroll)
        await pilot.press("x", "z")  # not commands, and no field takes them
        await settle(app, pilot)
        assert not app.session.dirty
        editor = app.query_one("#editor")
        assert "providers.inference[0].provider_id" in str(editor.query_one("#field-path").render())
        await pilot.press("j")  # the cursor moves to the next field
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.focused, FieldInput) and app.focused.field_index == 1
        footer = " | ".join(_footer(app))
        assert "esc Done" in footer and "ctrl+s Save" in footer, footer
        for letter_key in ("q Back", "u Undo", "? Help", "/ Filter", "a Add", "M Migrate"):
            assert letter_key not in footer, footer
        await pilot.press("end", "x")
        await settle(app, pilot)
        assert app.session.dirty
        assert "provider_type: remote::vllmx" in app.session.text_of(demo / "run.yaml")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, FormScroll)
        assert "u Undo" in " | ".join(_footer(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_footer_and_header_drop_items_never_cut_a_word(demo, size):
    from lsc_tui.tui.keymap import KEYS

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        shown = _footer(app)
        wanted = [f"{k.display.split(' ')[0]} {k.footer}" for k in KEYS if k.show and k.footer]
        assert shown and all(item in wanted for item in shown), (shown, wanted)
        assert shown == wanted[:len(shown)]  # whole keys, the first ones
        from textual.widgets._footer import FooterKey

        right = max(k.region.right for k in app.query(FooterKey) if k.display)
        assert right <= size[0]
        header = str(app.query_one("#header").render())
        assert "…" not in header, header
        assert "lightspeed-stack.yaml" in header
        # edited: the header names the modified files when they fit, never a cut name
        from lsc_tui.config.session import SetValue

        app.submit(lambda s: s.apply(SetValue(demo / "run.yaml", ("providers", "inference", 0, "config", "url"),
                                              "http://edited:1/v1")))
        await settle(app, pilot)
        header = str(app.query_one("#header").render())
        assert "…" not in header and "[+]" in header and "lightspeed-stack.yaml" in header, header
        assert len(header) <= size[0]
        if size[0] >= 120:
            assert "modified: run.yaml" in header, header
        for pane in ("3", "4", "2", "1"):  # the footer follows the focus, and still fits
            await pilot.press(pane)
            await settle(app, pilot)
            right = max(k.region.right for k in app.query(FooterKey) if k.display)
            assert right <= size[0], (pane, _footer(app))


def _facts(style) -> tuple[bool, bool, bool]:
    """(bold, reverse, coloured) of a Rich style string or a Textual content style."""
    from rich.style import Style

    if isinstance(style, str):
        style = Style.parse(style)
        return bool(style.bold), bool(style.reverse), style.color is not None
    return bool(style.bold), bool(style.reverse), style.foreground is not None


@pytest.mark.parametrize("no_color", [False, True])
async def test_state_badges_read_in_monochrome(demo, monkeypatch, no_color):
    """The header's S:1 and the tree's S were grey on grey with NO_COLOR=1: every badge is
    reverse video, and without colour when there is none."""
    from lsc_tui.tui.widgets.config_tree import ConfigTree

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        header = app.query_one("#header").render()
        tree = app.query_one(ConfigTree)
        cache = tree._by_key["lightspeed-stack.yaml|conversation_cache"]._label
        findings = app.query_one("#findings")
        cells = [findings.get_row_at(i)[0] for i in range(findings.row_count)]
        for text, badge in ((header, "S:1"), (cache, "S"), (cells[-1], "S")):
            start = text.plain.rindex(badge)
            facts = [_facts(sp.style) for sp in text.spans if sp.start <= start < sp.end]
            if getattr(text, "style", None):  # a Rich Text styled as a whole (the findings' column)
                facts.append(_facts(text.style))
            assert any(bold and reverse for bold, reverse, _c in facts), (text, text.spans)
            assert any(coloured for _b, _r, coloured in facts) != no_color, facts


async def test_diff_shows_where_a_long_line_changed_and_scrolls_sideways(demo):
    """At 120x40 ``-url: ${env.VLLM_URL:=http://local…`` and ``+url: …`` looked identical: the
    changed characters show (in reverse video) even beyond the edge, and h / l scroll sideways."""
    from lsc_tui.config.session import SetValue
    from lsc_tui.tui.widgets.diff_pane import DiffBody

    url = ("providers", "inference", 0, "config", "url")
    long = "${env.VLLM_URL:=http://vllm.internal.example.very.long.domain.name:8000/v1}"
    run = demo / "run.yaml"
    run.write_text(run.read_text().replace("http://vllm.internal.example:8000/v1", long))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.submit(lambda s: s.apply(SetValue(run, url, long.replace("8000", "8001"))))
        await settle(app, pilot)
        body = app.query_one(DiffBody)
        width = body.size.width
        shown = body.render()
        lines = shown.plain.splitlines()
        minus = next(line for line in lines if line.startswith("-") and "url" in line)
        plus = next(line for line in lines if line.startswith("+") and "url" in line)
        assert len(minus) <= width and len(plus) <= width
        assert "8000" in minus and "8001" in plus and "url:" in minus.split("…")[0], (minus, plus)
        at = shown.plain.index(plus) + plus.index("8001") + 3
        assert any(sp.start <= at < sp.end and "reverse" in str(sp.style) for sp in shown.spans), shown.spans
        app.action_pane("diff")
        await pilot.press("l", "l")
        await pilot.pause()
        assert body.offset_x == 16
        moved = body.render().plain.splitlines()
        assert any(line.startswith("…") for line in moved)
        await pilot.press("h", "h")
        assert body.offset_x == 0


async def test_findings_scroll_sideways(demo):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        findings = app.query_one("#findings")
        assert findings.virtual_size.width > findings.size.width  # the messages are longer
        app.action_pane("findings")
        await pilot.press("l", "l")
        await pilot.pause()
        assert findings.scroll_x > 0


async def test_the_selected_rows_detail_is_not_dimmed(demo):
    """The selected row's "(config)" was dim on the cursor's background, hard to read in some
    themes: under the cursor the detail is italic instead; elsewhere it stays dim."""
    from rich.style import Style

    from lsc_tui.tui.widgets.config_tree import ConfigTree

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ConfigTree)
        assert tree.select_key("lightspeed-stack.yaml|")
        await pilot.pause()
        node = tree.cursor_node
        assert "(config)" in node.label.plain
        other = tree._by_key["run.yaml|"]

        def dims(n) -> list[bool]:
            text = tree.render_label(n, Style(), Style())
            return [Style.parse(str(sp.style)).dim for sp in text.spans if isinstance(sp.style, str)]

        assert not any(dims(node)), tree.render_label(node, Style(), Style()).spans
        assert any(dims(other))


def test_the_footer_takes_a_writable_text_area_for_a_text_field():
    from textual.widgets import Input, TextArea

    from lsc_tui.tui.widgets.footer import editing

    assert editing(TextArea("a: 1")) and not editing(TextArea("a: 1", read_only=True))
    assert editing(Input()) and not editing(Input(disabled=True))
