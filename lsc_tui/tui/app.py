"""The lsc-tui editor: tree, node editor, live run.yaml diff and findings, over an EditSession.

Data flows one way: the session (lsc_tui.config.session) owns the buffers and computes every
config fact; edits go to it as operations through one serial job queue (run in a thread, so
typing never waits for the analysis); each job ends with a fresh :class:`View` that every
pane renders.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widgets import Input, Tabs, Tab, Tree

from lsc_tui import gcpolicy
from lsc_tui.tui import keymap, themes
from lsc_tui.tui.commands import LscCommands
from lsc_tui.tui.widgets.footer import KeyFooter
from lsc_tui.tui.widgets.header import StatusHeader

if TYPE_CHECKING:
    from lsc_tui.config.findings import Finding
    from lsc_tui.config.session import EditSession
    from lsc_tui.tui.model import TreeItem, View


def _text_area():
    from textual.widgets import TextArea

    return TextArea


def _import_editor() -> None:
    """The modules the first paint does not need (the config core, the panes, the dialogs):
    imported right after it, so the screen shows before they load (docs/benchmarks.md)."""
    global path_text, AddProvider, DuplicateListItem, EditSession, InsertListItem, MoveListItem, \
        OperationError, RemoveNode, RenameProvider, SetEnvRef, WorkspaceError, FileChangedError, VerifyError, \
        YamlLoadError, model, build_view, ConflictDialog, Prompt, QuietInput, confirm_dialog, quit_dialog, \
        unparsed_dialog, write_side_file, HelpScreen, ConfigTree, DiffPane, FindingsPanel, FieldInput, NodeEditor, \
        provider_types
    from lsc_tui.config import provider_types
    from lsc_tui.config.findings import path_text
    from lsc_tui.config.session import (AddProvider, DuplicateListItem, EditSession, InsertListItem,
                                        MoveListItem, OperationError, RemoveNode, RenameProvider, SetEnvRef)
    from lsc_tui.config.workspace import WorkspaceError
    from lsc_tui.config.yamlio import FileChangedError, VerifyError, YamlLoadError, write_side_file
    from lsc_tui.tui import model
    from lsc_tui.tui.model import build_view
    from lsc_tui.tui.screens.dialogs import (ConflictDialog, Prompt, QuietInput, confirm_dialog, quit_dialog,
                                             unparsed_dialog)
    from lsc_tui.tui.screens.help import HelpScreen
    from lsc_tui.tui.widgets.config_tree import ConfigTree
    from lsc_tui.tui.widgets.diff_pane import DiffPane
    from lsc_tui.tui.widgets.findings import FindingsPanel
    from lsc_tui.tui.widgets.node_editor import FieldInput, NodeEditor

SUPERSEDED = object()  # a job's result when a newer edit of the same field replaced it
NARROW_BELOW = 100  # columns: below this the panes become tabs
PANES = ("tree", "editor", "diff", "findings")
PANE_TITLES = {"tree": "1 Tree", "editor": "2 Node", "diff": "3 run.yaml", "findings": "4 Findings"}
# Actions that still work while a dialog is open.
MODAL_OK = {"quit_app", "command_palette", "help"}


class MainScreen(Screen):
    """Header, body and footer paint first; the panes are mounted into the body right after
    (``LscTuiApp.build_panes``), and the session is opened after that, in a thread."""

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        tabs = Tabs(*[Tab(PANE_TITLES[p], id=f"tab-{p}") for p in PANES], id="pane-tabs")
        tabs.display = False
        yield tabs
        yield Vertical(id="body")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.app.main_ready()


def pane_shown(name: str, active: str, narrow: bool) -> bool:
    """Below NARROW_BELOW columns the panes are tabs: only the active one shows."""
    return name == active or not narrow


def main_row_shown(active: str, narrow: bool) -> bool:
    """The row of tree, editor and diff (the findings pane is below it)."""
    return not (narrow and active == "findings")


def pane_widgets(narrow: bool, active: str) -> list:
    """The panes, in the layout the terminal's width asks for (classes and visibility set
    before mounting, so no restyling pass follows; _show_pane applies the same rules later)."""

    def pane(widget, name: str):
        if name == active:
            widget.add_class("-active")
        widget.display = pane_shown(name, active, narrow)
        return widget

    flt = QuietInput(placeholder="filter the tree (esc clears)", id="filter")
    flt.display = False
    main = Horizontal(pane(Vertical(flt, ConfigTree(id="tree"), id="tree-pane", classes="pane"), "tree"),
                      pane(NodeEditor(id="editor", classes="pane"), "editor"),
                      pane(DiffPane(id="diff", classes="pane"), "diff"), id="main")
    main.display = main_row_shown(active, narrow)
    return [main, pane(FindingsPanel(id="findings", classes="pane"), "findings")]


class LscTuiApp(App):
    TITLE = "lsc-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {LscCommands}
    BINDINGS = keymap.app_bindings()
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, path: Path | str, *, notice: str | None = None, theme: str | None = None,
                 readonly: bool = False, watch: bool = True, cwd: Path | str | None = None,
                 persist_theme: bool = True, offer_migration: bool = False):
        super().__init__()
        self.notice = notice
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
        self._last_job = 0.0
        self._jobs_open = 0
        self._edit_serial = 0
        self._bindings_state: tuple | None = None
        self._latest_field_edit: dict[tuple, int] = {}
        self.narrow = False
        self.active_pane = "tree"
        self._jobs: asyncio.Queue | None = None
        self._finding_index = -1
        self._theme_ready = False
        self._main_up = False
        self._lsc_themes: list[str] = []
        self._theme_errors: list[str] = []
        self._register_themes()

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
        self.theme = wanted

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
        self._jobs = asyncio.Queue()
        self._job_runner()
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._theme_ready = True

    def notify(self, message, *, title: str = "", **kwargs) -> None:
        """Every notification passes the masking of messages: an error may quote the config."""
        from lsc_tui.config.masking import mask_message

        if isinstance(message, str):
            message = mask_message(message)
        super().notify(message, title=mask_message(title) if title else title, **kwargs)

    def on_unmount(self) -> None:
        gcpolicy.restore()
        sys.setswitchinterval(self._switch_interval)

    def main_ready(self) -> None:
        self.query_one(StatusHeader).show_loading(self._display_name(self.start_path))
        self.call_after_refresh(self.build_panes)

    async def build_panes(self) -> None:
        """After the first paint: the panes, then the session (opened by the first job)."""
        _import_editor()
        screen = self.get_default_screen_instance()
        self.narrow = self.size.width < NARROW_BELOW
        screen.set_class(self.narrow, "-narrow")
        screen.query_one("#pane-tabs", Tabs).display = self.narrow
        await screen.query_one("#body").mount_all(pane_widgets(self.narrow, self.active_pane))
        editor = self.query_one(NodeEditor)
        editor.readonly = self.readonly
        self.query_one(ConfigTree).focus()
        if self.requested_theme and self.persist_theme and not self._theme_errors:
            self._remember_theme(self.theme)
        self.submit(self._open_session, "load", self._session_opened)
        self._main_up = True

    def _open_session(self, _none) -> EditSession:
        # without the model validation (building the pydantic models is the slow part of opening):
        # the tree and the diff show at once, the validation follows in the next job
        self.session = EditSession.open(self.start_path, cwd=self.start_cwd, validate=False)
        return self.session

    def _session_opened(self, _session) -> None:
        # after the opened view is painted: the validation (importing pydantic and building the
        # models, most of it) would otherwise hold the interpreter while the first frame renders
        self.submit(lambda s: s.validate_now(), "validate", self._session_validated, after_paint=True)

    def _session_validated(self, _analysis) -> None:
        gcpolicy.settle()
        gcpolicy.editing()
        self.set_interval(gcpolicy.IDLE_SECONDS, self._collect_when_idle)
        for err in self._theme_errors:
            self.notify(f"theme: {err}", severity="warning", timeout=8)
        if self.watch_files:
            self._watch_disk()
        self.call_after_refresh(self._offer_recovery_or_migration)

    def _collect_when_idle(self) -> None:
        """The cycle collector runs here, between edits, never inside one (lsc_tui.gcpolicy)."""
        if not self._jobs_open and time.monotonic() - self._last_job >= gcpolicy.IDLE_SECONDS and gcpolicy.due():
            gcpolicy.collect_idle()

    def _show_notice(self) -> None:
        """The start-up notice (where the demo was copied, what to try first), shown once no
        question is on screen: over a dialog it would hide the dialog's keys at 80x24."""
        if self.notice:
            self.notify(self.notice, timeout=15, markup=False)

    def _offer_recovery_or_migration(self) -> None:
        """After a dropped session, offer the edits it left behind; else, for a legacy config,
        migration. The start-up notice follows the answer (or shows at once when nothing is asked)."""
        from lsc_tui.config.session import read_recovery

        data = None
        if not self.readonly:
            data = read_recovery(self.session.path)
        if data:
            files = ", ".join(self._display_name(Path(p)) for p in data.get("files", {}))
            changed = [self._display_name(p) for p in self.session.recovery_changed_on_disk()]

            def answer(choice) -> None:
                self._show_notice()
                if choice == "restore":
                    said = ("Restored the unsaved edits over the change on disk (u undoes them; saving writes "
                            "them, with a backup)." if changed else "Restored the unsaved edits (u undoes them).")
                    self.submit(lambda s: s.restore_recovery(), "recover", lambda _r: self.notify(said, timeout=8))
                elif choice == "discard":
                    from lsc_tui.config.session import clear_recovery

                    clear_recovery(self.session.path)
                    if changed:
                        self.notify(f"Kept the disk version of {', '.join(changed)}; the recovered edits are "
                                    "dropped.", timeout=6)

            from lsc_tui.tui.screens.dialogs import RecoveryDialog

            try:
                diff_text = self.session.recovery_diff()
            except Exception as exc:  # the offer still stands; the dialog says why it has no diff
                diff_text = f"(the diff cannot be shown: internal error {type(exc).__name__})"
            self.push_screen(RecoveryDialog(files, diff_text, changed), answer)
            return
        if self.offer_migration and not self.readonly:
            from lsc_tui.tui.flows import offer_migration

            if offer_migration(self, self.session, after_answer=self._show_notice):
                return
        self._show_notice()

    def _run_flow(self, action: str) -> None:
        from lsc_tui.tui.flows import FLOWS

        self._editor().flush()
        for flow in FLOWS:
            if flow.action == action:
                async def go(flow=flow) -> None:
                    await self.wait_idle()
                    try:
                        flow.open(self, self.session, lambda _r: self.submit(lambda s: None, "flow"))
                    except Exception as exc:  # never a traceback on screen, never silence either
                        if os.environ.get("LSC_TUI_DEBUG"):
                            self._handle_exception(exc)  # the traceback, as for any other error
                            return
                        self.notify(f"{flow.title} could not open: internal error ({type(exc).__name__}: {exc}). "
                                    "Run again with LSC_TUI_DEBUG=1 for the traceback and report it.",
                                    severity="error", timeout=15, markup=False)

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
            self.notify(f"The theme is used now but not remembered for next time: {problem}",
                        severity="warning", timeout=8)

    # -- layout: three panes, or tabs below NARROW_BELOW columns -----------------------------
    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        screen = self.get_default_screen_instance()
        if screen is None or not self._main_up:
            return
        self.narrow = width < NARROW_BELOW
        screen.set_class(self.narrow, "-narrow")
        screen.query_one("#pane-tabs", Tabs).display = self.narrow
        self._show_pane(self.active_pane)

    def get_default_screen_instance(self) -> Screen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _show_pane(self, pane: str) -> None:
        screen = self.get_default_screen_instance()
        if screen is None or not self._main_up:
            return
        self.active_pane = pane
        ids = {"tree": "#tree-pane", "editor": "#editor", "diff": "#diff", "findings": "#findings"}
        for name, sel in ids.items():
            widget = screen.query_one(sel)
            widget.display = pane_shown(name, pane, self.narrow)
            widget.set_class(name == pane, "-active")
        main = screen.query_one("#main")
        main.display = main_row_shown(pane, self.narrow)
        if self.narrow:
            tabs = screen.query_one("#pane-tabs", Tabs)
            if tabs.active != f"tab-{pane}":
                tabs.active = f"tab-{pane}"

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        pane = event.tab.id.removeprefix("tab-") if event.tab and event.tab.id else "tree"
        if self.narrow and pane != self.active_pane:
            self._show_pane(pane)

    # -- rendering a view ---------------------------------------------------------------------
    def apply_view(self, view: View, *, source: str = "", select: str | None = None) -> None:
        self.view = view
        self.query_one(StatusHeader).show_view(view, self.readonly)
        tree = self.query_one(ConfigTree)
        editor = self.query_one(NodeEditor)
        key = select or (editor.item.key if editor.item else None) or tree.selected_key
        if key is None or view.item_by_key(key) is None:
            first = view.tree[0] if view.tree else None
            key = first.key if first else None
        tree.show_view(view, select_key=key)
        item = view.item_by_key(key) if key else None
        editor.show_item(item, view, source=source)
        self.query_one(DiffPane).show_view(view)
        self.query_one(FindingsPanel).show_view(view)
        self.sub_title = view.config_display
        bindings = (view.can_undo, view.can_redo)  # what check_action reads from the view
        if bindings != self._bindings_state:  # the footer recomposes on a refresh: only on a change
            self._bindings_state = bindings
            self.refresh_bindings()

    @on(Tree.NodeHighlighted, "#tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._sync_editor_to_cursor()

    def _sync_editor_to_cursor(self) -> None:
        """Show the node under the tree's cursor in the editor (unless it is already there).

        The tree's messages can arrive while a dialog is on top (the app queries the screen on
        top) or while the panes are being taken down at exit: the tree and the editor are looked
        up on the main screen, and a message for panes that are gone has nothing to update."""
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
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
        editor.show_item(item, self.view)
        self.refresh_bindings()

    @on(Tree.NodeSelected, "#tree")
    def _node_selected(self, event: Tree.NodeSelected) -> None:
        self._sync_editor_to_cursor()
        if event.node.data is not None and event.node.data.kind not in ("group", "api", "document"):
            self.action_pane("editor")  # the form, navigating: a second enter edits a field

    # -- the job queue: every session call runs here, in order, off the UI thread ----------------
    @work(group="core-jobs", exit_on_error=False)
    async def _job_runner(self) -> None:
        while True:
            fn, source, done, after_paint = await self._jobs.get()
            try:
                if after_paint:
                    painted = asyncio.get_running_loop().create_future()
                    self.call_after_refresh(painted.set_result, None)
                    await painted
                try:
                    result, view = await asyncio.to_thread(self._run_in_thread, fn)
                except OperationError as exc:
                    self.notify(str(exc), title="Edit not applied", severity="error", timeout=8)
                    continue
                except FileChangedError as exc:
                    self._conflict(Path(exc.path), then_save=True)
                    continue
                except (WorkspaceError, YamlLoadError) as exc:
                    if self.session is None:  # the first load: nothing to edit
                        self.exit(return_code=2, message=exc.finding.to_text())
                        continue
                    self.notify(exc.finding.to_text(), title="Cannot read the file", severity="error", timeout=10)
                    continue
                except VerifyError as exc:
                    self.notify(str(exc), title="Not saved", severity="error", timeout=10)
                    continue
                except OSError as exc:
                    self.notify(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}", title="File error",
                                severity="error", timeout=10)
                    continue
                except Exception as exc:  # never a traceback on screen
                    if self.session is None:
                        self.exit(return_code=1, message=f"lsc-tui: internal error ({type(exc).__name__}) while "
                                  "opening the config. Run again with LSC_TUI_DEBUG=1 for the traceback and report it.")
                        continue
                    self.notify(f"internal error ({type(exc).__name__}); nothing was lost: your buffers are intact",
                                severity="error", timeout=10)
                    continue
                if result is SUPERSEDED:
                    continue
                select = None
                if done is not None:
                    try:
                        select = done(result)
                    except Exception as exc:  # the edit itself is done: say what went wrong after it
                        self.notify(f"internal error ({type(exc).__name__}) after the {source}; the change itself "
                                    "is made (u undoes it)", severity="error", timeout=10)
                        select = None
                self.apply_view(view, source=source, select=select if isinstance(select, str) else None)
            finally:
                self._last_job = time.monotonic()
                self._jobs_open -= 1
                self._jobs.task_done()

    def _run_in_thread(self, fn):
        result = fn(self.session)
        if result is SUPERSEDED:
            return result, None
        return result, build_view(self.session)

    def submit(self, fn, source: str = "", done=None, after_paint: bool = False) -> None:
        """Queue ``fn(session)``; ``done(result)`` runs on the UI side and may return a tree key to select.
        ``after_paint``: the job starts once the screen has been refreshed (what is queued before it is shown)."""
        self._jobs_open += 1  # queued or running
        self._jobs.put_nowait((fn, source, done, after_paint))

    async def wait_idle(self) -> None:
        """Wait until every queued job ran and its view is on screen (tests and snapshots use this)."""
        for _ in range(3000):  # the panes are mounted right after the first paint
            if self._main_up:
                break
            await asyncio.sleep(0.01)
        editor = self.query_one(NodeEditor)
        editor.flush()
        if editor._yaml_timer is not None:
            editor._yaml_timer.stop()
            editor._yaml_timer = None
            editor._flush_yaml()
        await asyncio.sleep(0)
        if self._jobs is not None:
            await self._jobs.join()

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
        key = (str(op.file), tuple(op.path))
        self._edit_serial += 1
        serial = self._latest_field_edit[key] = self._edit_serial

        def job(s):
            if self._latest_field_edit.get(key) != serial:
                return SUPERSEDED
            return s.apply(op)

        self.submit(job, source=event.source)

    def on_node_editor_problem(self, event: NodeEditor.Problem) -> None:
        self.notify(event.text, title="Not applied", severity="error")

    # -- bindings ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if self.view is None:  # still opening the config
            return action in MODAL_OK
        if isinstance(self.screen, ModalScreen) and action in {k.action.split("(")[0] for k in keymap.KEYS} \
                and action not in MODAL_OK:
            return False
        if self.readonly and action in keymap.WRITE_ACTIONS:
            return False
        if action == "undo" and not self.view.can_undo:
            return None
        if action == "redo" and not self.view.can_redo:
            return None
        return True

    def _selected(self) -> TreeItem | None:
        return self.query_one(ConfigTree).selected_item

    def _editor(self) -> NodeEditor:
        return self.query_one(NodeEditor)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_escape(self) -> None:
        flt = self.query_one("#filter", Input)
        if flt.display:
            self._clear_filter()
            return
        self._editor().flush()
        self.action_pane("tree")

    def action_back(self) -> None:
        if self.query_one("#filter", Input).display:
            self._clear_filter()
        elif self.active_pane != "tree" or not isinstance(self.focused, ConfigTree):
            self._editor().flush()
            self.action_pane("tree")
        else:
            self.action_quit_app()

    def action_quit_app(self) -> None:
        self._editor().flush()

        async def ask() -> None:
            await self.wait_idle()
            editor = self._editor()
            unparsed = editor.unparsed_yaml
            if unparsed is not None and editor.item is not None:
                item, (text, problem) = editor.item, unparsed
                where = f"{self.view.short_name(item.display)}: {path_text(item.path) or '(whole file)'}"

                def answer(choice) -> None:
                    if choice == "side":
                        try:
                            side = write_side_file(Path(item.file), text)
                        except OSError as exc:
                            self.notify(f"Not written: {getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}",
                                        title="Raw YAML kept in the editor", severity="error", timeout=10)
                            return
                        self._exit_note = f"lsc-tui: the raw YAML of {where} that did not parse is in {side}"
                        self._quit_or_ask()
                    elif choice == "discard":
                        self._quit_or_ask()
                    else:  # keep editing
                        self._show_pane("editor")
                        editor.focus_first()

                self.push_screen(unparsed_dialog(where, problem), answer)
                return
            self._quit_or_ask()

        self.run_worker(ask(), group="quit", exclusive=True, exit_on_error=False)

    def _quit_or_ask(self) -> None:
        """Quit, asking first when a file has unsaved edits."""
        if not self.session.dirty:
            self._leave()
            return
        files = [self.view.short_name(p) for p in self.view.dirty_files] or ["(edited buffers)"]

        def answer(choice) -> None:
            if choice == "discard":
                self._leave()
            elif choice == "save":
                self.submit(lambda s: s.save(), "save", done=lambda _r: self._leave())

        self.push_screen(quit_dialog(files), answer)

    def _leave(self) -> None:
        note = getattr(self, "_exit_note", None)
        if note:
            self.exit(0, message=note)
        else:
            self.exit(0)

    def action_pane(self, pane: str) -> None:
        if pane not in PANES:
            return
        self._show_pane(pane)
        if pane == "tree":
            self.query_one(ConfigTree).focus()
        elif pane == "editor":
            self._editor().focus_first()
        elif pane == "diff":
            self.query_one(DiffPane).focus_body()
        else:
            self.query_one(FindingsPanel).focus()

    # save / undo / redo
    def action_save(self) -> None:
        self._editor().flush()

        def done(results) -> None:
            if not results:
                self.notify("Nothing to save: no file has unsaved edits.")
                return
            names = ", ".join(self._display_name(r.path) for r in results)
            backups = [r.backup for r in results if r.backup]
            extra = f" (backup: {', '.join(Path(b).name for b in backups)})" if backups else ""
            self.notify(f"Saved {names}{extra}", title="Saved")
            for note in (n for r in results for n in getattr(r, "notes", ())):
                self.notify(note, title="Saved, but", severity="warning", timeout=15)

        self.submit(lambda s: s.save(), "save", done)

    def action_undo(self) -> None:
        self._editor().flush()

        def done(result) -> None:
            if result is None:
                self.notify("Nothing to undo.")

        self.submit(lambda s: s.undo(), "undo", done)

    def action_redo(self) -> None:
        def done(result) -> None:
            if result is None:
                self.notify("Nothing to redo.")

        self.submit(lambda s: s.redo(), "redo", done)

    def _display_name(self, path: Path) -> str:
        for display, p in (self.view.files.items() if self.view else ()):
            if Path(p) == Path(path):
                return self.view.short_name(display)
        return Path(path).name

    # filter
    def action_filter(self) -> None:
        self._show_pane("tree")
        flt = self.query_one("#filter", Input)
        flt.display = True
        flt.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        tree = self.query_one(ConfigTree)
        tree.filter_text = event.value
        tree.show_view(self.view)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        tree = self.query_one(ConfigTree)
        tree.focus()
        needle = event.value.lower()
        for root in self.view.tree:
            for item in root.walk():
                if needle and needle in item.label.lower() and item.kind not in ("document", "group"):
                    tree.select_key(item.key)
                    self._sync_editor_to_cursor()
                    return
        if tree.cursor_line < 0 and tree.root.children:
            tree.cursor_line = 0

    def _clear_filter(self) -> None:
        flt = self.query_one("#filter", Input)
        flt.value = ""
        flt.display = False
        tree = self.query_one(ConfigTree)
        tree.filter_text = ""
        tree.show_view(self.view, select_key=self._editor().item.key if self._editor().item else None)
        self._show_pane("tree")
        tree.focus()

    # findings
    def on_findings_panel_jump(self, event: FindingsPanel.Jump) -> None:
        self.jump_to_finding(event.finding)

    def jump_to_finding(self, finding: Finding) -> None:
        path = model.finding_path(finding, self.view.documents)
        item = self.view.find_item(finding.file, path)
        if item is None:
            self.notify(f"{finding.file}:{finding.line} is not in the tree", severity="warning")
            return
        self._go_to_item(item)
        self._editor().focus_path(path)

    def _go_to_item(self, item: TreeItem) -> None:
        if self.query_one("#filter", Input).display:
            self._clear_filter()
        tree = self.query_one(ConfigTree)
        tree.select_key(item.key)
        self._editor().show_item(item, self.view)
        self.action_pane("editor")

    def _step_finding(self, delta: int) -> None:
        rows = self.query_one(FindingsPanel).findings
        if not rows:
            self.notify("No findings.")
            return
        self._finding_index = (self._finding_index + delta) % len(rows)
        f = rows[self._finding_index]
        self.query_one(FindingsPanel).move_cursor(row=self._finding_index)
        self.notify(f"{f.file}:{f.line}: {f.message}", timeout=4)
        self.jump_to_finding(f)

    def action_next_finding(self) -> None:
        self._step_finding(1)

    def action_previous_finding(self) -> None:
        self._step_finding(-1)

    # diff
    def on_diff_pane_jump(self, event: DiffPane.Jump) -> None:
        origin = event.origin
        src = getattr(origin, "source_path", None) if origin is not None else None
        file = getattr(origin, "file", None) if origin is not None else None
        if not file:
            self.notify("No recorded source for this line (a default the synthesis adds, or a run.yaml opened on its own).",
                        severity="warning")
            return
        display = self._display_for_origin(str(file))
        item = self.view.find_item(display, tuple(src or ()))
        if item is None:
            self.notify(f"It comes from {file}, which is not open here.", severity="warning")
            return
        self._go_to_item(item)
        self._editor().focus_path(tuple(src or ()))

    def _display_for_origin(self, file: str) -> str:
        if file in self.view.documents:
            return file
        for display, p in self.view.files.items():
            if str(p) == file or Path(p).name == Path(file).name:
                return display
        return file

    def action_toggle_diff(self) -> None:
        mode = self.query_one(DiffPane).toggle()
        self._show_pane("diff")
        self.query_one(DiffPane).focus_body()
        self.notify(f"Full {self.view.preview_label}: the line under the cursor shows its source; enter jumps there."
                    if mode == "full" else "Diff view.", timeout=3)

    def action_cycle_baseline(self) -> None:
        order = ["disk", "legacy", "previous"]
        if self.session.workspace.run_yaml is None:
            order.remove("legacy")
        current = self.view.baseline if self.view.baseline in order else "disk"
        self.set_baseline(order[(order.index(current) + 1) % len(order)])

    def set_baseline(self, which: str) -> None:
        self.submit(lambda s: s.set_diff_baseline(which), "baseline")

    def switch_profile(self, name: str, kind: str) -> None:
        """Point the unified config at another profile or baseline; the diff shows the effect before saving."""
        from lsc_tui.config.session import SwitchProfile

        cfg = self.session.workspace.config.path
        op = SwitchProfile(cfg, profile=name) if kind == "file" else SwitchProfile(cfg, baseline=name)
        self.submit(lambda s: s.apply(op), "edit",
                    lambda _r: self.notify(f"Now on {kind} {name}: the run.yaml pane shows what changes; "
                                           "ctrl+s saves, u undoes.", timeout=6))

    # themes
    def action_next_theme(self) -> None:
        names = self._lsc_themes
        current = names.index(self.theme) if self.theme in names else -1
        self.set_theme_by_name(names[(current + 1) % len(names)])

    def set_theme_by_name(self, name: str) -> None:
        self.theme = name
        self.notify(f"Theme: {name}", timeout=2)

    # editor modes, secrets, clipboard
    def action_toggle_editor(self) -> None:
        mode = self._editor().toggle_mode()
        self._show_pane("editor")
        if self.narrow or self.focused is None or isinstance(self.focused, (FieldInput, _text_area())):
            self._editor().focus_first()
        self.notify("Raw YAML of the node" if mode == "yaml" else "Form", timeout=2)

    def action_reveal(self) -> None:
        editor = self._editor()
        editor.set_revealed(not editor.revealed)
        self.notify("Secret values are SHOWN in the editor (s hides them)" if editor.revealed
                    else "Secret values hidden.", severity="warning" if editor.revealed else "information",
                    timeout=4)

    def action_copy(self) -> None:
        editor = self._editor()
        field = editor.focused_field()
        item = editor.item
        if field is not None and item is not None:
            if field.secret and not editor.revealed:
                self.notify("That value is a secret: reveal it first (s or ctrl+t), then copy.", severity="warning")
                return
            text = "" if field.value is None else str(field.value)
            what = path_text(item.path + field.rel)
        elif isinstance(self.focused, DiffPane.__mro__[0]) or self.active_pane == "diff":
            text = self.view.diff_text
            what = "the diff"
        elif item is not None:
            doc = self.view.document(item.display)
            if doc is None:
                return
            text, masked = (model.node_yaml(doc, item.path), False) if editor.revealed else \
                model.masked_node_yaml(doc, item.path, self.view.secret_paths)
            what = path_text(item.path) or item.display
        else:
            return
        self.copy_to_clipboard(text)
        self.notify(f"Copied {what} to the clipboard (OSC 52).", timeout=3)

    # env references
    def action_env_ref(self) -> None:
        editor = self._editor()
        item = editor.item
        field = editor.focused_field()
        if item is None:
            return
        if field is None:
            fields = [f for f in editor.fields if f.secret] or editor.fields
            if len(fields) != 1 and not (fields and fields[0].secret):
                self.notify("Focus a field in the node editor first (2, then tab to the field).", severity="warning")
                return
            field = fields[0]
        path = item.path + field.rel
        parts = [str(p) for p in path if isinstance(p, str)]
        owner = item.label if item.is_provider else ""
        suggestion = re.sub(r"[^A-Z0-9_]", "_", "_".join(x for x in (owner, parts[-1] if parts else "VALUE") if x).upper())
        if suggestion and suggestion[0].isdigit():
            suggestion = "_" + suggestion
        file = item.file

        def answer(values) -> None:
            if not values:
                return
            name = values["name"]
            self.submit(lambda s: s.apply(SetEnvRef(file, path, name)), "env",
                        done=lambda _r: self.notify(f"{path_text(path)} = ${{env.{name}}}: set {name} in the "
                                                    "environment the server starts with.", timeout=6))

        self.push_screen(Prompt(f"Environment reference for {path_text(path)}",
                                [("name", "Variable name (upper-case, digits, _)", suggestion, None)],
                                "The literal value is replaced by ${env.NAME}; nothing else in the file changes."),
                         answer)

    # providers
    def action_add_provider(self) -> None:
        item = self._selected() or self._editor().item
        ws = self.session.workspace
        if ws.kind == "llsd":
            self.notify("A LlamaStackDistribution lists providers under spec.providers: select it and press t to "
                        "edit it as YAML.", severity="warning", timeout=6)
            return
        if item is not None and ws.config is not None and item.display == ws.config.display:
            if ws.mode == "unified" or item.kind in ("hl-inference", "hl-vector"):
                self._add_hl_provider(item)
                return
            target = ws.run_yaml or ws.profile
            if target is None:
                self.notify("This config has no run.yaml to add a provider to; use inference.providers.",
                            severity="warning")
                return
            display, file = target.display, target.path
        elif item is not None:
            display, file = item.display, item.file
        else:
            return
        api = item.api if item is not None and item.api else "inference"
        apis = sorted(set(provider_types.SUGGESTED) | {str(a) for a in (
            (self.view.document(display).data or {}).get("providers") or {})})

        def answer(values) -> None:
            if not values:
                return
            provider = {"provider_id": values["id"], "provider_type": values["type"]}
            key_path = ("providers", values["api"])

            def done(_r):
                doc = self.session.document(file)
                items = (doc.data or {}).get("providers", {}).get(values["api"]) or []
                return f"{display}|{path_text(key_path + (len(items) - 1,))}"

            self.submit(lambda s: s.apply(AddProvider(file, values["api"], provider)), "add", done)

        self.push_screen(Prompt(f"Add a provider to {display}", [
            ("api", "API", api, apis),
            ("type", "Provider type (remote::... or inline::...)", "", provider_types.suggestions("provider", None)),
            ("id", "Provider id", "", None),
        ]), answer)

    def _add_hl_provider(self, item: TreeItem) -> None:
        vector = item.kind in ("hl-vector",) or (item.path[:1] == ("vector_store",))
        list_path = ("vector_store", "providers") if vector else ("inference", "providers")
        file, display = item.file, item.display
        types = provider_types.suggestions("hl-vector" if vector else "hl-inference", None)

        def answer(values) -> None:
            if not values:
                return
            entry = {"id": values["id"], "type": values["type"]}
            doc = self.view.document(display)
            existing = model.value_at(doc.data, list_path) if doc is not None else None
            index = len(existing) if isinstance(existing, list) else 0
            self.submit(lambda s: s.apply(InsertListItem(file, list_path, index, entry)), "add",
                        lambda _r: f"{display}|{path_text(list_path + (index,))}")

        self.push_screen(Prompt(f"Add to {path_text(list_path)}", [
            ("type", "Type", "", types), ("id", "Id", "", None)]), answer)

    def action_delete_node(self) -> None:
        item = self._selected()
        if item is None or not item.path or item.kind == "document":
            self.notify("Select a provider or a section to remove.", severity="warning")
            return
        file, path = item.file, item.path

        def answer(choice) -> None:
            if choice == "yes":
                self.submit(lambda s: s.apply(RemoveNode(file, path)), "remove",
                            lambda _r: self.notify(f"Removed {path_text(path)} (u undoes)", timeout=4))

        self.push_screen(confirm_dialog("Remove?", f"Remove {item.label} ({item.display}: {path_text(path)})?"),
                         answer)

    def _list_item(self) -> TreeItem | None:
        item = self._selected()
        if item is None or not item.is_list_item:
            self.notify("Select a provider (or another list item) first.", severity="warning")
            return None
        return item

    def action_duplicate(self) -> None:
        item = self._list_item()
        if item is None:
            return
        file, path, display = item.file, item.path, item.display
        new_key = f"{display}|{path_text(path[:-1] + (path[-1] + 1,))}"
        self.submit(lambda s: s.apply(DuplicateListItem(file, path[:-1], path[-1])), "duplicate",
                    lambda _r: new_key)

    def action_rename(self) -> None:
        item = self._list_item()
        if item is None:
            return
        id_key = {"provider": "provider_id", "hl-inference": "id", "hl-vector": "id", "mcp": "name"}.get(item.kind)
        if id_key is None:
            self.notify("Only providers and MCP servers have an id to rename.", severity="warning")
            return
        file, path = item.file, item.path

        def answer(values) -> None:
            if values:
                self.submit(lambda s: s.apply(RenameProvider(file, path, values["id"], id_key)), "rename")

        self.push_screen(Prompt(f"Rename {item.label}", [("id", f"New {id_key}", item.label, None)]), answer)

    def action_move(self, delta: int) -> None:
        item = self._list_item()
        if item is None:
            return
        file, path, display = item.file, item.path, item.display
        doc = self.view.document(display)
        items = model.value_at(doc.data, path[:-1]) if doc is not None else None
        new = path[-1] + delta
        if not isinstance(items, list) or not (0 <= new < len(items)):
            self.notify("It is already at the end of the list.")
            return
        new_key = f"{display}|{path_text(path[:-1] + (new,))}"
        self.submit(lambda s: s.apply(MoveListItem(file, path[:-1], path[-1], new)), "move", lambda _r: new_key)

    # -- files changing underneath ----------------------------------------------------------------
    @work(group="disk-watcher", exclusive=True, exit_on_error=False)
    async def _watch_disk(self) -> None:
        from watchfiles import awatch

        files = {Path(p).resolve() for p in self.session.buffers}
        dirs = sorted({str(p.parent) for p in files})
        try:
            async for changes in awatch(*dirs, debounce=300, step=50, recursive=False):
                if any(Path(path).resolve() in files for _change, path in changes):
                    self.action_check_disk(quiet=True)
        except Exception:  # a watcher that cannot run (inotify limits): f5 still checks
            self.notify("Cannot watch the files for changes; press f5 to check them.", severity="warning")

    def action_check_disk(self, quiet: bool = False) -> None:
        def done(changes) -> None:
            if not changes and not quiet:
                self.notify("No file changed on disk.", timeout=3)
            for path, state in changes or []:
                name = self._display_name(path)
                if state == "reloaded":
                    self.notify(f"{name} changed on disk and was reloaded (you had no edits in it).",
                                title="Reloaded", timeout=6)
                elif state == "written":  # a flow of ours wrote it: the editor follows, nobody else did it
                    self.notify(f"The editor now shows the {name} just written.", timeout=4)
                elif state == "deleted":
                    self.notify(f"{name} was deleted or moved on disk. The editor keeps its copy: w writes it "
                                "back; quitting without saving leaves it gone.", severity="warning", timeout=10)
                elif state == "conflict":
                    self._conflict(Path(path))
                elif state == "unreadable":
                    why = self.session.unusable.get(Path(path), "")  # names file:line:col
                    why = f" ({why})" if why else ""
                    self.notify(f"{name} changed on disk into something lsc-tui cannot use{why}. The editor keeps "
                                "its copy: w writes it over the broken file (a .bak keeps that), or fix the file "
                                "and press f5.", severity="warning", timeout=12)

        self.submit(lambda s: s.check_disk(), "disk", done)

    def _conflict(self, path: Path, then_save: bool = False) -> None:
        name = self._display_name(path)
        if any(isinstance(s, ConflictDialog) and s.display_name == name for s in self.screen_stack):
            return
        try:
            diff_text = self.session.disk_diff(path)
        except Exception as exc:  # the choice still stands; the dialog says why it has no diff
            diff_text = f"(the diff cannot be shown: internal error {type(exc).__name__})"

        def answer(choice) -> None:
            if choice == "mine":
                self.submit(lambda s: s.keep_mine(path), "disk",
                            lambda _r: self.notify(f"Keeping your edits to {name}; saving will replace the disk "
                                                   "version (with a backup).", timeout=6))
                if then_save:
                    self.action_save()
            elif choice == "theirs":
                self.submit(lambda s: s.reload(path), "reload",
                            lambda _r: self.notify(f"Took the disk version of {name}.", timeout=5))

        self.push_screen(ConflictDialog(name, diff_text), answer)


    def _fatal_error(self) -> None:
        """An unexpected error: no traceback (it could show values); keep the edits in a recovery file."""
        if os.environ.get("LSC_TUI_DEBUG"):
            super()._fatal_error()
            return
        from rich.text import Text

        error = self._exception
        recovery = None
        try:
            recovery = self.session.write_recovery()
        except Exception as exc:  # the message still goes out, saying the edits could not be kept
            recovery = None
            where = f" Your unsaved edits could not be kept ({type(exc).__name__})."
        else:
            where = f" Your unsaved edits are kept in {recovery}." if recovery else ""
        self.bell()
        self._exit_renderables.append(Text(
            f"lsc-tui: internal error ({type(error).__name__ if error else 'unknown'}); the editor closed.{where} "
            "Run again with LSC_TUI_DEBUG=1 for the traceback and report it."))
        self._close_messages_no_wait()


# What Textual's driver turns on, turned off: mouse tracking (all modes), bracketed paste, focus
# and in-band resize reports, the kitty keyboard protocol; line wrap back on, the alternate
# screen left, the cursor shown. Written last, so the terminal ends in its normal state.
RESTORE_TERMINAL = ("\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l"
                    "\x1b[?2004l\x1b[?1004l\x1b[?2048l\x1b[<u\x1b[?7h\x1b[?1049l\x1b[?25h")


def _restore_terminal(app: "LscTuiApp") -> None:
    """Put the terminal back as it was before the app started, without the app's help (from a
    signal handler: the app's loop may be mid-frame). The terminal may be gone already."""
    import termios

    driver = getattr(app, "_driver", None)
    attrs = getattr(driver, "attrs_before", None)
    fileno = getattr(driver, "fileno", None)
    if attrs is not None and fileno is not None:
        try:
            termios.tcsetattr(fileno, termios.TCSANOW, attrs)
        except (termios.error, OSError, ValueError):
            pass  # no terminal any more: nothing to restore it on
    try:
        fd = sys.__stderr__.fileno()  # where Textual's driver writes
        os.write(fd, RESTORE_TERMINAL.encode())
    except (OSError, ValueError, AttributeError):
        pass  # the terminal is gone (a dropped SSH connection)


def _on_hangup(app: "LscTuiApp"):
    """SIGHUP (the SSH connection dropped, the terminal closed) or SIGTERM: keep unsaved edits in
    a 0600 recovery file, then leave. The next `lsc-tui` on the same config offers them back,
    with a diff. On SIGHUP the terminal may still be there (a multiplexer, `kill -HUP`): it is
    put back in its normal state (no alternate screen, no mouse tracking, the cursor shown)."""

    def handler(signum, frame) -> None:
        import signal
        import threading

        try:
            if app.session is not None:
                app.session.write_recovery()
        except Exception:  # noqa: S110 - leaving matters more than the message
            pass
        if signum == signal.SIGHUP:  # no clean exit through the app's loop: restore by hand
            _restore_terminal(app)
            os._exit(128 + signum)
        # SIGTERM in a live terminal: leave cleanly (restore the screen), and surely
        threading.Timer(3.0, _restore_and_exit, args=(app, 128 + signum)).start()
        try:
            app.call_later(lambda: app.exit(return_code=128 + signum))
        except Exception:
            _restore_and_exit(app, 128 + signum)

    return handler


def _restore_and_exit(app: "LscTuiApp", code: int) -> None:
    _restore_terminal(app)
    os._exit(code)


def run_app(path: Path, *, theme: str | None = None, mouse: bool = True, readonly: bool = False,
            notice: str | None = None) -> int:
    import signal

    app = LscTuiApp(path, notice=notice, theme=theme, readonly=readonly, offer_migration=True)
    if not readonly:
        for sig in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(sig, _on_hangup(app))
    app.run(mouse=mouse)
    return app.return_code or 0
