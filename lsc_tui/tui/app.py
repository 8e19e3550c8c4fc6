"""The lsc-tui editor: tree, node editor, live run.yaml diff and findings, over an EditSession.

Data flows one way: the session (lsc_tui.config.session) owns the buffers and computes every
config fact; edits go to it as operations through one serial job queue (:mod:`lsc_tui.tui.jobs`,
run in a thread, so typing never waits for the analysis); each job ends with a fresh
:class:`View` that every pane renders.

This module wires the app together: start-up, the layout of the panes, rendering a view, the
bindings. What a command does lives in a module named for its job: node_commands (add, remove,
rename, ... a node), navigation (findings, provenance, the filter), disk_watch (files changed
underneath), recovery (the first question after opening), quitting, hangup (signals).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widgets import Input, Tree

from lsc_tui import gcpolicy
from lsc_tui.tui import hangup, keymap, themes
from lsc_tui.tui.commands import LscCommands
from lsc_tui.tui.screens.main import (
    NARROW_BELOW,
    PANE_SELECTORS,
    PANES,
    MainScreen,
    main_row_shown,
    pane_shown,
    pane_tabs,
)
from lsc_tui.tui.widgets.header import StatusHeader

if TYPE_CHECKING:
    from textual.widgets import Tabs  # the pane tabs' module loads with the panes (screens.main.pane_tabs)

    # the names _import_editor() binds at run time, after the first paint: mypy reads them here
    from lsc_tui.config.findings import Finding
    from lsc_tui.config.outline import TreeItem
    from lsc_tui.config.session import EditSession, SwitchProfile, diff_baselines
    from lsc_tui.tui import disk_watch, flows, navigation, node_commands, quitting, recovery
    from lsc_tui.tui.jobs import JobQueue
    from lsc_tui.tui.model import View
    from lsc_tui.tui.panes import pane_widgets
    from lsc_tui.tui.screens.help import HelpScreen
    from lsc_tui.tui.widgets.config_tree import ConfigTree
    from lsc_tui.tui.widgets.diff_pane import DiffPane
    from lsc_tui.tui.widgets.findings import FindingsPanel
    from lsc_tui.tui.widgets.node_editor import NodeEditor

WATCH_AFTER = 0.1  # seconds from the validated view to the start of the disk watch

# Actions that still work while a dialog is open.
MODAL_OK = {"quit_app", "command_palette", "help"}


def _import_editor() -> None:
    """The modules the first paint does not need (the config core, the panes, the dialogs, the
    commands): imported right after it, so the screen shows before they load (docs/benchmarks.md)."""
    global \
        EditSession, \
        SwitchProfile, \
        diff_baselines, \
        JobQueue, \
        pane_widgets, \
        HelpScreen, \
        ConfigTree, \
        DiffPane, \
        FindingsPanel, \
        NodeEditor, \
        disk_watch, \
        flows, \
        navigation, \
        node_commands, \
        quitting, \
        recovery
    from lsc_tui.config.session import EditSession, SwitchProfile, diff_baselines
    from lsc_tui.tui import disk_watch, flows, navigation, node_commands, quitting, recovery
    from lsc_tui.tui.jobs import JobQueue
    from lsc_tui.tui.panes import pane_widgets
    from lsc_tui.tui.screens.help import HelpScreen
    from lsc_tui.tui.widgets.config_tree import ConfigTree
    from lsc_tui.tui.widgets.diff_pane import DiffPane
    from lsc_tui.tui.widgets.findings import FindingsPanel
    from lsc_tui.tui.widgets.node_editor import NodeEditor


class LscTuiApp(App):
    TITLE = "lsc-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {LscCommands}
    BINDINGS: ClassVar[list[BindingType]] = list(keymap.app_bindings())
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        path: Path | str,
        *,
        notice: str | None = None,
        theme: str | None = None,
        readonly: bool = False,
        watch: bool = True,
        cwd: Path | str | None = None,
        persist_theme: bool = True,
        offer_migration: bool = False,
        target=None,
    ):
        super().__init__()
        self.notice = notice
        # the LCORE release the preview answers for (None: main, as a default); the session keeps
        # it from then on, and the palette's "Target LCORE release…" changes it there
        self.start_target = target
        self.readonly = readonly
        self.watch_files = watch
        self.persist_theme = persist_theme
        self.requested_theme = theme
        self.offer_migration = offer_migration
        self.start_path = Path(path)
        self.start_cwd = Path(cwd) if cwd else None
        # Filled by the first job, after the first paint: the screen shows at once and the
        # analysis (validation, synthesis, secrets) runs off the UI thread.
        self.session: EditSession | None = None
        self.view: View | None = None
        self.jobs: JobQueue | None = None
        self._bindings_shown = False
        self.narrow = False
        self.active_pane = "tree"
        self.finding_index = -1
        self.exit_note: str | None = None  # said on leaving (where raw YAML that did not parse went)
        self._theme_ready = False
        self._main_up = False
        self._settled = False  # the idle collection of what the start made (lsc_tui.gcpolicy) is done
        self._lsc_themes: list[str] = []
        self._theme_errors: list[str] = []
        self._register_themes()

    def open_session(self) -> EditSession:
        """The session, once the first job has opened it (the commands run only after that)."""
        if self.session is None:
            raise RuntimeError("lsc-tui: the config is not open yet")
        return self.session

    def shown_view(self) -> View:
        """The view on screen, once the first job has built it (the commands run only after that)."""
        if self.view is None:
            raise RuntimeError("lsc-tui: the config is not open yet")
        return self.view

    def job_queue(self) -> JobQueue:
        """The job queue, started right after the first paint."""
        if self.jobs is None:
            raise RuntimeError("lsc-tui: the job queue is not started yet")
        return self.jobs

    # -- set-up ------------------------------------------------------------------------------
    def _register_themes(self) -> None:
        loaded = themes.load_themes()
        for theme in loaded.themes:
            self.register_theme(theme)
            if theme.name not in self._lsc_themes:
                self._lsc_themes.append(theme.name)
        self._theme_errors = loaded.errors
        wanted = self.requested_theme or themes.read_settings().get("theme") or themes.DEFAULT_THEME
        if wanted not in self.available_themes:
            self._theme_errors.append(f"unknown theme '{wanted}'; using {themes.DEFAULT_THEME}")
            wanted = themes.DEFAULT_THEME
        self._start_theme(wanted)

    def _start_theme(self, name: str) -> None:
        """Set the theme the app starts in. Setting ``App.theme`` from ``__init__`` re-parses every
        stylesheet once the app runs (its watcher refreshes the CSS, and the re-parse also empties
        the parse cache the later mounts would use): here, before any CSS is read, setting the
        variables and classes the watcher sets is enough. A theme whose dark/light or ANSI colour
        use differs from Textual's default needs the watcher (it rebuilds the ANSI colour filter)."""
        theme, default = self.get_theme(name), self.current_theme
        if theme is None or (theme.dark, theme.ansi) != (default.dark, default.ansi):
            self.theme = name
            return
        self.set_reactive(App.theme, name)
        self.update_classes(
            {**{c: False for c in self.classes if c.startswith("-theme-")}, f"-theme-{name}": True}, update=False
        )
        self.stylesheet.set_variables(self.get_css_variables())

    def lsc_theme_names(self) -> list[str]:
        return list(self._lsc_themes)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def get_default_screen(self) -> Screen:
        return MainScreen()

    def on_mount(self) -> None:
        # The analysis runs in a thread; with Python's default 5 ms switch interval the UI waits
        # up to that long for the GIL after each step of it. 1 ms keeps a keystroke's repaint
        # close to its frame (docs/benchmarks.md).
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(0.001)
        # no automatic collection from here on (lsc_tui.gcpolicy): while the editor starts, its
        # passes walked the modules just imported; the collections run when the editor is idle
        gcpolicy.editing()
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._theme_ready = True

    def notify(self, message, *, title: str = "", **kwargs) -> None:
        """Every notification passes the masking of messages: an error may quote the config."""
        from lsc_tui.config.masking import mask_message  # not before the first paint: its detectors load slowly

        if isinstance(message, str):
            message = mask_message(message)
        super().notify(message, title=mask_message(title) if title else title, **kwargs)

    def on_unmount(self) -> None:
        gcpolicy.restore()
        sys.setswitchinterval(self._switch_interval)

    def main_ready(self) -> None:
        """The main screen is mounted: its first frame says what opens (the panes are built
        right after it is painted, see MainScreen.on_screen_resume)."""
        self.query_one(StatusHeader).show_loading(self.display_name(self.start_path))

    async def build_panes(self) -> None:
        """After the first paint: the panes, while the first job opens the session in its thread
        (its view is shown once the panes are mounted: no frame of empty panes before it)."""
        _import_editor()  # every module, before the job thread runs: no import races the thread's
        self.jobs = JobQueue(self)
        self.jobs.hold_views()
        self.jobs.start()
        self.submit(self._open_session, "load", self._session_opened)
        self.set_interval(gcpolicy.IDLE_SECONDS, self._collect_when_idle)
        screen = self.get_default_screen_instance()
        assert screen is not None, "the main screen is up: its first resume scheduled this"
        self.narrow = self.size.width < NARROW_BELOW
        screen.set_class(self.narrow, "-narrow")
        body = screen.query_one("#body")
        tabs_mounted = screen.mount(pane_tabs(self.narrow), before=body)  # mounted with the panes
        await body.mount_all(pane_widgets(self.narrow, self.active_pane))
        await tabs_mounted
        self.editor().readonly = self.readonly
        self.query_one(ConfigTree).focus()
        if self.requested_theme and self.persist_theme and not self._theme_errors:
            self._remember_theme(self.theme)
        self.jobs.show_views()
        self._main_up = True

    def _open_session(self, _none) -> EditSession:
        # without the model validation (building the pydantic models is the slow part of opening):
        # the tree and the diff show at once, the validation follows in the next job
        from lsc_tui.config.releases import DEFAULT_TARGET

        self.session = EditSession.open(
            self.start_path, cwd=self.start_cwd, validate=False, target=self.start_target or DEFAULT_TARGET
        )
        return self.session

    def _session_opened(self, _session) -> None:
        # after the opened view is painted: the validation (importing pydantic and building the
        # models, most of it) would otherwise hold the interpreter while the first frame renders
        self.submit(lambda s: s.validate_now(), "validate", self._session_validated, after_paint=True)

    def _session_validated(self, _analysis) -> None:
        # what the start made is out of later passes at once; its garbage is collected when idle
        gcpolicy.freeze()
        for err in self._theme_errors:
            self.notify(f"theme: {err}", severity="warning", timeout=8)
        if self.watch_files:
            # a moment after the complete screen: watchfiles and its async backend load when the watch
            # starts (tens of milliseconds), and a callback after the refresh could run before that frame
            self.set_timer(WATCH_AFTER, self._watch_disk)
        self.call_after_refresh(recovery.offer_recovery_or_migration, self)

    def _collect_when_idle(self) -> None:
        """The cycle collector runs here, between edits, never inside one (lsc_tui.gcpolicy): the
        first time the opened editor is idle, the full pass over what the start made (``settle``),
        then a pass over what the session made since the last one, when there is enough of it."""
        jobs = self.job_queue()
        if not jobs.idle or time.monotonic() - jobs.last_finished < gcpolicy.IDLE_SECONDS:
            return
        if not self._settled:
            if self.session is not None:  # the config is open (the validation may have failed)
                gcpolicy.settle()
                self._settled = True
        elif gcpolicy.due():
            gcpolicy.collect_idle()

    def _run_flow(self, action: str) -> None:
        self.editor().flush()
        for flow in flows.FLOWS:
            if flow.action == action:

                async def go(flow=flow) -> None:
                    await self.wait_idle()
                    # the flow takes the whole screen: the editor's notifications (the start notice
                    # is 15 seconds of ten lines at 80x24) would hide its text
                    self.clear_notifications()
                    try:
                        flow.open(self, self.session, lambda _r: self.submit(lambda s: None, "flow"))
                    except Exception as exc:  # never a traceback on screen, never silence either
                        if os.environ.get("LSC_TUI_DEBUG"):
                            self._handle_exception(exc)  # the traceback, as for any other error
                            return
                        self.notify(
                            f"{flow.title} could not open: internal error ({type(exc).__name__}: {exc}). "
                            "Run again with LSC_TUI_DEBUG=1 for the traceback and report it.",
                            severity="error",
                            timeout=15,
                            markup=False,
                        )

                self.run_worker(go(), group="flows", exclusive=True, exit_on_error=False)
                return

    def action_flow_migrate(self) -> None:
        self._run_flow("flow_migrate")

    def action_flow_secrets(self) -> None:
        self._run_flow("flow_secrets")

    def action_flow_preflight(self) -> None:
        self._run_flow("flow_preflight")

    def _on_theme_changed(self, theme: Theme) -> None:
        if self._theme_ready and self.persist_theme:
            self._remember_theme(theme.name)

    def _remember_theme(self, name: str) -> None:
        problem = themes.save_setting("theme", name)
        if problem:
            self.notify(
                f"The theme is used now but not remembered for next time: {problem}", severity="warning", timeout=8
            )

    # -- layout: three panes, or tabs below NARROW_BELOW columns -----------------------------
    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        screen = self.get_default_screen_instance()
        if screen is None or not self._main_up:
            return
        self.narrow = width < NARROW_BELOW
        screen.set_class(self.narrow, "-narrow")
        screen.query_one("#pane-tabs").display = self.narrow
        self.show_pane(self.active_pane)

    def get_default_screen_instance(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def show_pane(self, pane: str) -> None:
        screen = self.get_default_screen_instance()
        if screen is None or not self._main_up:
            return
        self.active_pane = pane
        for name, sel in PANE_SELECTORS.items():
            widget = screen.query_one(sel)
            widget.display = pane_shown(name, pane, self.narrow)
            widget.set_class(name == pane, "-active")
        main = screen.query_one("#main")
        main.display = main_row_shown(pane, self.narrow)
        editor = screen.query_one(NodeEditor)
        if editor.display:
            editor.build_if_deferred()  # its form waited while the pane was hidden
        if self.narrow:
            tabs = cast("Tabs", screen.query_one("#pane-tabs"))
            if tabs.active != f"tab-{pane}":
                tabs.active = f"tab-{pane}"

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tabs.id != "pane-tabs":
            return
        pane = event.tab.id.removeprefix("tab-") if event.tab and event.tab.id else "tree"
        if self.narrow and pane != self.active_pane:
            self.show_pane(pane)

    # -- rendering a view ---------------------------------------------------------------------
    def apply_view(self, view: View, *, source: str = "", select: str | None = None) -> None:
        previous, self.view = self.view, view
        self.query_one(StatusHeader).show_view(view, self.readonly)
        tree = self.query_one(ConfigTree)
        editor = self.editor()
        key = select or (editor.item.key if editor.item else None) or tree.selected_key
        if key is not None and previous is not None and view.item_by_key(key) is None:
            # the node is gone (removed, or an undone add): its nearest neighbour that is left
            key = next((k for k in previous.neighbour_keys(key) if view.item_by_key(k) is not None), None)
        if key is None or view.item_by_key(key) is None:
            first = view.tree[0] if view.tree else None
            key = first.key if first else None
        tree.show_view(view, select_key=key)
        item = view.item_by_key(key) if key else None
        editor.show_item(item, view, source=source)
        self.query_one(DiffPane).show_view(view)
        self.query_one(FindingsPanel).show_view(view)
        self.sub_title = view.config_display
        if not self._bindings_shown:  # the first view: the keys check_action held back while opening
            self._bindings_shown = True
            self.refresh_bindings()

    @on(Tree.NodeHighlighted, "#tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.sync_editor_to_cursor()

    def sync_editor_to_cursor(self) -> None:
        """Show the node under the tree's cursor in the editor (unless it is already there).

        The tree's messages can arrive while a dialog is on top (the app queries the screen on
        top) or while the panes are being taken down at exit: the tree and the editor are looked
        up on the main screen, and a message for panes that are gone has nothing to update."""
        main = self.get_default_screen_instance()
        trees = main.query(ConfigTree) if main is not None else ()
        editors = main.query(NodeEditor) if main is not None else ()
        if not trees or not editors:
            return
        tree, editor = trees.first(), editors.first()
        if tree.pending_select is not None:
            return
        item = tree.selected_item
        if item is None or (editor.item is not None and editor.item.key == item.key):
            return
        editor.flush()
        editor.show_item(item, self.shown_view())
        self.refresh_bindings()

    @on(Tree.NodeSelected, "#tree")
    def _node_selected(self, event: Tree.NodeSelected) -> None:
        self.sync_editor_to_cursor()
        if event.node.data is not None and event.node.data.kind not in ("group", "api", "document"):
            self.action_pane("editor")  # the form, navigating: a second enter edits a field

    # -- the job queue ----------------------------------------------------------------------------
    def submit(self, fn, source: str = "", done=None, after_paint: bool = False) -> None:
        """Queue ``fn(session)``; ``done(result)`` runs on the UI side and may return a tree key to select
        (``after_paint``: see JobQueue.submit)."""
        self.job_queue().submit(fn, source, done, after_paint)

    async def wait_idle(self) -> None:
        """Wait until every queued job ran and its view is on screen (tests and snapshots use this)."""
        for _ in range(3000):  # the panes are mounted right after the first paint
            if self._main_up:
                break
            await asyncio.sleep(0.01)
        editor = self.editor()
        editor.flush()
        if editor._yaml_timer is not None:
            editor._yaml_timer.stop()
            editor._yaml_timer = None
            editor._flush_yaml()
        await asyncio.sleep(0)
        if self.jobs is not None:
            await self.jobs.join()

    # -- operations from the editor -----------------------------------------------------------
    def on_node_editor_edit(self, event: NodeEditor.Edit) -> None:
        if self.readonly:
            return
        op = event.op
        if event.source != "form" or not hasattr(op, "path"):
            self.submit(lambda s: s.apply(op), source=event.source)
            return
        # Every keystroke in a field is an edit; when the operator types faster than the analysis
        # runs, only the newest queued edit of a field is applied (the others are superseded).
        self.job_queue().submit_field_edit(op, source=event.source)

    def on_node_editor_problem(self, event: NodeEditor.Problem) -> None:
        # 10 s: long enough to read over a slow link (the field may already show the file's value)
        self.notify(event.text, title="Not applied", severity="error", timeout=10)

    # -- bindings ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if self.view is None:  # still opening the config
            return action in MODAL_OK
        if (
            isinstance(self.screen, ModalScreen)
            and action in {k.action.split("(")[0] for k in keymap.KEYS}
            and action not in MODAL_OK
        ):
            return False
        if self.readonly and action in keymap.WRITE_ACTIONS:
            return False
        return True  # u and ctrl+r with nothing to undo or redo say so (off, they would do nothing)

    def selected_item(self) -> TreeItem | None:
        return self.query_one(ConfigTree).selected_item

    def editor(self) -> NodeEditor:
        return self.query_one(NodeEditor)

    def display_name(self, path: Path) -> str:
        view = self.view
        if view is not None:
            for display, p in view.files.items():
                if Path(p) == Path(path):
                    return view.short_name(display)
        return Path(path).name

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_escape(self) -> None:
        if navigation.filter_shown(self):
            navigation.clear_filter(self)
            return
        self.editor().flush()
        self.action_pane("tree")

    async def action_back(self) -> None:  # async as App's own: Textual awaits what an action returns
        if navigation.filter_shown(self):
            navigation.clear_filter(self)
        elif self.active_pane != "tree" or not isinstance(self.focused, ConfigTree):
            self.editor().flush()
            self.action_pane("tree")
        else:
            self.action_quit_app()

    def action_quit_app(self) -> None:
        quitting.quit_app(self)

    async def action_quit(self) -> None:  # Textual's own quit action: it asks like q, never drops edits
        self.action_quit_app()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's palette entries, without its "Quit the application as soon as possible":
        # the palette's Quit is lsc-tui's, which asks first when edits are unsaved
        for command in super().get_system_commands(screen):
            if command.callback != self.action_quit:
                yield command

    def action_pane(self, pane: str) -> None:
        if pane not in PANES:
            return
        self.show_pane(pane)
        if pane == "tree":
            self.query_one(ConfigTree).focus()
        elif pane == "editor":
            self.editor().focus_first()
        elif pane == "diff":
            self.query_one(DiffPane).focus_body()
        else:
            self.query_one(FindingsPanel).focus()

    # tab and shift+tab (Textual's screen bindings call these two)
    def action_focus_next(self) -> None:
        if not self._tab_to_pane(1):
            super().action_focus_next()

    def action_focus_previous(self) -> None:
        if not self._tab_to_pane(-1):
            super().action_focus_previous()

    def _tab_to_pane(self, step: int) -> bool:
        """Below NARROW_BELOW columns one pane shows at a time: tab past the last field of the
        pane shown (shift+tab before its first) shows the next (previous) pane and focuses it, as
        tab moves from pane to pane when they stand side by side. False when the focus moves
        within the pane, or a screen other than the editor's is on top."""
        screen = self.screen
        if not (self.narrow and self._main_up and isinstance(screen, MainScreen)):
            return False
        chain = screen.focus_chain  # the pane shown: the others and the tab bar take no focus
        focused = self.focused
        if focused in chain and 0 <= chain.index(focused) + step < len(chain):
            return False
        self.action_pane(PANES[(PANES.index(self.active_pane) + step) % len(PANES)])
        return True

    # save / undo / redo
    def action_save(self) -> None:
        self.editor().flush()

        def done(results) -> None:
            if not results:
                self.notify("Nothing to save: no file has unsaved edits.")
                return
            names = ", ".join(self.display_name(r.path) for r in results)
            backups = [r.backup for r in results if r.backup]
            extra = f" (backup: {', '.join(Path(b).name for b in backups)})" if backups else ""
            self.notify(f"Saved {names}{extra}", title="Saved")
            for note in (n for r in results for n in r.notes):
                self.notify(note, title="Saved, but", severity="warning", timeout=15)

        self.submit(lambda s: s.save(), "save", done)

    def action_undo(self) -> None:
        self.editor().flush()

        def done(result) -> None:
            if result is None:
                self.notify("Nothing to undo.")

        self.submit(lambda s: s.undo(), "undo", done)

    def action_redo(self) -> None:
        def done(result) -> None:
            if result is None:
                self.notify("Nothing to redo.")

        self.submit(lambda s: s.redo(), "redo", done)

    # filter, findings, provenance: lsc_tui.tui.navigation
    def action_filter(self) -> None:
        navigation.open_filter(self)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        navigation.filter_changed(self, event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        navigation.filter_submitted(self, event.value)

    def on_findings_panel_jump(self, event: FindingsPanel.Jump) -> None:
        self.jump_to_finding(event.finding)

    def jump_to_finding(self, finding: Finding) -> None:
        navigation.jump_to_finding(self, finding)

    def action_next_finding(self) -> None:
        navigation.step_finding(self, 1)

    def action_previous_finding(self) -> None:
        navigation.step_finding(self, -1)

    def on_diff_pane_jump(self, event: DiffPane.Jump) -> None:
        navigation.jump_to_origin(self, event.origin)

    # diff
    def action_toggle_diff(self) -> None:
        mode = self.query_one(DiffPane).toggle()
        self.show_pane("diff")
        self.query_one(DiffPane).focus_body()
        self.notify(
            f"Full {self.shown_view().preview_label}: the line under the cursor shows its source; enter jumps there."
            if mode == "full"
            else "Diff view.",
            timeout=3,
        )

    def action_cycle_baseline(self) -> None:
        order = list(diff_baselines(self.open_session().workspace))
        view = self.shown_view()
        current = view.baseline if view.baseline in order else "disk"
        self.set_baseline(order[(order.index(current) + 1) % len(order)])

    def set_baseline(self, which: str) -> None:
        self.submit(lambda s: s.set_diff_baseline(which), "baseline")

    def switch_profile(self, name: str, kind: str) -> None:
        """Point the unified config at another profile or baseline; the diff shows the effect before saving."""
        config = self.open_session().workspace.config
        if config is None:
            self.notify("No unified config is open: there is no profile to switch.", severity="warning")
            return
        cfg = config.path
        op = SwitchProfile(cfg, profile=name) if kind == "file" else SwitchProfile(cfg, baseline=name)
        self.submit(
            lambda s: s.apply(op),
            "edit",
            lambda _r: self.notify(
                f"Now on {kind} {name}: the run.yaml pane shows what changes; ctrl+s saves, u undoes.", timeout=6
            ),
        )

    # themes
    def action_next_theme(self) -> None:
        names = self._lsc_themes
        current = names.index(self.theme) if self.theme in names else -1
        self.set_theme_by_name(names[(current + 1) % len(names)])

    def set_theme_by_name(self, name: str) -> None:
        self.theme = name
        self.notify(f"Theme: {name}", timeout=2)

    # editor modes, secrets
    def action_toggle_editor(self) -> None:
        mode = self.editor().toggle_mode()
        self.show_pane("editor")
        # the focus in the editor (the form, a field, the raw YAML) follows the switch: the part it
        # was in is hidden now, which would leave nothing focused
        in_editor = self.focused is not None and self.editor() in self.focused.ancestors_with_self
        if self.narrow or self.focused is None or in_editor:
            self.editor().focus_first()
        self.notify("Raw YAML of the node" if mode == "yaml" else "Form", timeout=2)

    def action_reveal(self) -> None:
        editor = self.editor()
        editor.set_revealed(not editor.revealed)
        self.notify(
            "Secret values are SHOWN in the editor (s hides them)" if editor.revealed else "Secret values hidden.",
            severity="warning" if editor.revealed else "information",
            timeout=4,
        )

    # commands on the selected node: lsc_tui.tui.node_commands
    def action_copy(self) -> None:
        node_commands.copy(self)

    def action_env_ref(self) -> None:
        node_commands.env_ref(self)

    def action_add_provider(self) -> None:
        node_commands.add_provider(self)

    def action_delete_node(self) -> None:
        node_commands.delete_node(self)

    def action_duplicate(self) -> None:
        node_commands.duplicate(self)

    def action_rename(self) -> None:
        node_commands.rename(self)

    def action_move(self, delta: int) -> None:
        node_commands.move(self, delta)

    # -- files changing underneath: lsc_tui.tui.disk_watch -----------------------------------------
    @work(group="disk-watcher", exclusive=True, exit_on_error=False)
    async def _watch_disk(self) -> None:
        await disk_watch.watch(self)

    def action_check_disk(self, quiet: bool = False) -> None:
        disk_watch.check(self, quiet)

    def resolve_conflict(self, path: Path, then_save: bool = False) -> None:
        disk_watch.resolve_conflict(self, path, then_save)

    def _fatal_error(self) -> None:
        """An unexpected error: no traceback (it could show values); keep the edits in a recovery file."""
        if os.environ.get("LSC_TUI_DEBUG"):
            super()._fatal_error()
            return
        error = self._exception
        recovery = None
        try:
            # before the config opened there are no edits to keep
            recovery = self.session.write_recovery() if self.session is not None else None
        except Exception as exc:  # the message still goes out, saying the edits could not be kept
            recovery = None
            where = f" Your unsaved edits could not be kept ({type(exc).__name__})."
        else:
            where = f" Your unsaved edits are kept in {recovery}." if recovery else ""
        self.bell()
        self._exit_renderables.append(
            Text(
                f"lsc-tui: internal error ({type(error).__name__ if error else 'unknown'}); the editor closed.{where} "
                "Run again with LSC_TUI_DEBUG=1 for the traceback and report it."
            )
        )
        self._close_messages_no_wait()


def run_app(
    path: Path,
    *,
    theme: str | None = None,
    mouse: bool = True,
    readonly: bool = False,
    notice: str | None = None,
    target=None,
) -> int:
    app = LscTuiApp(path, notice=notice, theme=theme, readonly=readonly, offer_migration=True, target=target)
    if not readonly:
        hangup.install(app)
    app.run(mouse=mouse)
    return app.return_code or 0
