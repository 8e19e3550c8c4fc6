"""The preflight panel: check every provider of the synthesized run.yaml in a chosen interpreter,
one row per provider streaming in as the probe reports.

The run belongs to the app, not to the screen: closing the panel (esc) leaves it running while
the operator keeps editing; a notification says when it ends, and P shows the rows again.
What runs is the synthesis of the session *now* (unsaved edits included), written 0600 to a
private temporary folder that is removed when the run ends.

Keys: r run / re-run, x cancel (kills the probe), i choose the interpreter, enter expand an
error row to its seed-001 block, j/k or arrows move, esc close.
"""

from __future__ import annotations

import asyncio
import re
import textwrap
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from collections.abc import Callable

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from lsc_tui.tui.flows.common import LIST_UP, FlowList, FlowScreen, rel, workspace_dir
from lsc_tui.tui.flows.interpreters import Interpreter, check_path, default_interpreter, find_interpreters

SPINNER = "|/-\\"
PHASE_NAMES = {
    "architecture": "arch",
    "import": "import",
    "spec": "spec",
    "fields": "fields",
    "config": "config",
    "metadata": "metadata",
    "plan": "plan",
    "start": "start",
}


# -- the state of a run (no widgets) -----------------------------------------------------------


@dataclass
class Row:
    index: int
    api: str
    provider_id: str
    provider_type: str
    status: str = "waiting"  # waiting | running | ok | warning | error | skipped | not-checked
    phase: str = ""
    duration: float | None = None
    text: str = ""  # the seed-001 ERROR/WARNING blocks (masked by the runner)
    warnings: int = 0
    expanded: bool = False


@dataclass
class RunState:
    interpreter: Interpreter | None = None
    status: str = "idle"  # idle | preparing | running | ok | failed | cancelled | error
    rows: list[Row] = field(default_factory=list)
    target: str = ""  # python version and Llama Stack found in the target
    summary: str = ""
    fatal: str = ""  # a whole-run problem (bad input, probe could not start), one block of text
    started: float = 0.0

    @property
    def running(self) -> bool:
        return self.status in ("preparing", "running")

    def row(self, index) -> Row | None:
        for r in self.rows:
            if r.index == index:
                return r
        return None


class PreflightController:
    """One per app: the current run, its worker and whoever is watching it."""

    def __init__(self, app: App):
        self._app = weakref.ref(app)
        self.state = RunState()
        self.listeners: list[Callable[[], None]] = []
        self.cancel_event: asyncio.Event | None = None
        self.worker: Worker[None] | None = None
        self.env: dict | None = None  # the probe's environment (None: this process's)
        self.timeout: float | None = None
        self.keep_going = False

    @property
    def app(self) -> App | None:
        return self._app()

    def changed(self) -> None:
        for fn in list(self.listeners):
            try:
                fn()
            except Exception as exc:  # a panel that cannot show the run: drop it, and say so
                self.listeners.remove(fn)
                app = self.app
                if app is not None:
                    app.notify(
                        f"The preflight panel cannot show the run: internal error ({type(exc).__name__}: "
                        f"{exc}); the run goes on, P shows it again.",
                        severity="error",
                        timeout=10,
                        markup=False,
                    )

    # -- running ---------------------------------------------------------------------------
    def start(self, session, interpreter: Interpreter) -> str | None:
        """Start a run on the session's current synthesis; returns why not, or None."""
        if self.state.running:
            return "A preflight run is already going: x cancels it."
        result = session.analysis.synthesis
        data = getattr(result, "data", None)
        if not isinstance(data, dict):
            return (
                "There is no run.yaml to check: the config does not synthesize one here "
                "(fix the errors in the findings pane, or open the run.yaml itself)."
            )
        app = self.app
        if app is None:
            return "The editor is closing: there is nothing to show the run in."
        self.state = RunState(interpreter=interpreter, status="preparing", started=time.monotonic())
        self.cancel_event = asyncio.Event()
        self.changed()
        self.worker = app.run_worker(
            self._run(dict(data), interpreter, self.cancel_event),
            group="flows-preflight",
            exclusive=True,
            exit_on_error=False,
            description="preflight",
        )
        return None

    def cancel(self) -> bool:
        if not self.state.running or self.cancel_event is None:
            return False
        self.cancel_event.set()
        worker = self.worker

        async def hard_stop() -> None:  # the runner polls the event every 0.2 s; make sure
            await asyncio.sleep(3)
            if worker is not None and worker.is_running:
                worker.cancel()

        app = self.app
        if app is not None:  # else the app is gone, and its workers with it
            app.run_worker(hard_stop(), group="flows-preflight-stop", exit_on_error=False)
        return True

    async def _run(self, data: dict, interpreter: Interpreter, cancel: asyncio.Event) -> None:
        from lsc_tui.config.synthesis.emit import write_run_yaml
        from lsc_tui.preflight.runner import PreflightInputError, run_preflight

        st = self.state
        folder = tempfile.mkdtemp(prefix="lsc-tui-preflight-")  # 0700
        try:
            path = write_run_yaml(Path(folder) / "run.yaml", data).path  # 0600
            run = partial(
                run_preflight, path, python=interpreter.path, cancel=cancel, env=self.env, keep_going=self.keep_going
            )
            st.status = "running"
            self.changed()
            async for ev in run(timeout=self.timeout) if self.timeout else run():
                self._event(ev)
                self.changed()
        except PreflightInputError as exc:
            st.status = "error"
            st.fatal = str(exc).replace(str(Path(folder) / "run.yaml"), "the synthesized run.yaml")
        except asyncio.CancelledError:
            st.status = "cancelled"
            st.summary = st.summary or "Cancelled: the probe was stopped."
            raise
        except Exception as exc:  # never a traceback on screen
            st.status = "error"
            st.fatal = f"preflight stopped: {type(exc).__name__}: {exc}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            if st.running:
                st.status = "cancelled" if cancel.is_set() else "error"
            for r in st.rows:
                if r.status in ("waiting", "running"):
                    r.status = "not-checked"
            self.changed()
            self._announce()

    def _event(self, ev: dict) -> None:
        st = self.state
        kind = ev.get("event")
        if kind == "start":
            st.rows = [
                Row(p["index"], p["api"], p["provider_id"], p.get("provider_type") or "")
                for p in ev.get("providers") or []
            ]
        elif kind == "target":
            ls = ev.get("llama_stack") or {}
            fam = ls.get("family") or "no Llama Stack found"
            st.target = f"Python {ev.get('python_version') or '?'}, {fam} {ls.get('version') or ''}".strip()
        elif kind == "provider":
            r = st.row(ev.get("index"))
            if r is not None:
                r.status, r.phase = "running", ""
        elif kind == "phase":
            r = st.row(ev.get("index"))
            if r is not None and r.status in ("waiting", "running"):
                r.status = "running"
                r.phase = ev.get("phase") or r.phase
        elif kind == "result":
            r = st.row(ev.get("index"))
            if r is None:
                return
            status = ev.get("status") or "error"
            r.warnings = len(ev.get("warnings") or [])
            r.status = "warning" if status == "ok" and r.warnings else status
            r.phase = ev.get("phase") or r.phase
            r.duration = (ev.get("timings") or {}).get("total")
            r.text = editor_words(ev.get("text") or "")
            if status == "skipped":
                r.text = ev.get("skip_reason") or "disabled"
            if status == "error" and not any(x.expanded for x in st.rows):
                r.expanded = True  # the first failure opens; the others stay one line (enter opens them)
        elif kind == "fatal":
            st.fatal = ev.get("text") or "preflight could not run"
        elif kind == "summary":
            st.summary = ev.get("text") or ""
            st.status = {"ok": "ok", "cancelled": "cancelled"}.get(ev.get("status", ""), "failed")

    def _announce(self) -> None:
        app = self.app
        if app is None:
            return
        if any(isinstance(s, PreflightPanel) for s in app.screen_stack):
            return
        st = self.state
        line = (st.summary.splitlines() or [st.fatal.splitlines()[0] if st.fatal else st.status])[0]
        sev: SeverityLevel = "information" if st.status == "ok" else "warning" if st.status == "cancelled" else "error"
        app.notify(f"{line} (P shows the rows)", title="Preflight", severity=sev, timeout=10, markup=False)


# The report's advice names the command line's options; in the panel the keys do the same.
_ADVICE = [
    (
        re.compile(r"[Rr]un preflight with --python pointing at the server's interpreter"),
        "Press i and pick the server's Python (its virtual environment), then r",
    ),
    (re.compile(r"Check --python: it must be"), "Press i and pick another Python: it must be"),
    # the fix of a --python that cannot run (lsc_tui.preflight.process.PYTHON_FIX): i says it here
    (re.compile(r" \(Give --python the path of the server environment's Python .*? running preflight\.\)"), ""),
    (re.compile(r"--python (\S+): "), r"the Python \1 (i picks another): "),
    (re.compile(r"use --keep-going to check every provider"), "k then r checks every provider"),
]


def editor_words(text: str) -> str:
    """A report text as the panel shows it: the keys of the panel instead of the CLI's options."""
    for pattern, words in _ADVICE:
        text = pattern.sub(words, text)
    return text


_CONTROLLERS: "weakref.WeakKeyDictionary[App, PreflightController]" = weakref.WeakKeyDictionary()


def controller_for(app: App) -> PreflightController:
    ctl = _CONTROLLERS.get(app)
    if ctl is None:
        ctl = _CONTROLLERS[app] = PreflightController(app)
    return ctl


# -- rendering ------------------------------------------------------------------------------------

_STATUS = {
    "waiting": ("waiting", "$text-muted"),
    "running": ("running", "$warning"),
    "ok": ("OK", "$success bold"),
    "warning": ("WARNING", "$warning bold"),
    "error": ("FAILED", "$error bold"),
    "skipped": ("skipped", "$text-muted"),
    "not-checked": ("not checked", "$text-muted"),
}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "~"


def _indented(line: str, width: int) -> str:
    """One line of a report block, indented under its row and wrapped inside that indentation
    (the list would wrap it at its left edge)."""
    if not line.strip():
        return ""
    lead = "    " + line[: len(line) - len(line.lstrip())]
    return "\n".join(
        textwrap.wrap(line.strip(), width, initial_indent=lead, subsequent_indent=lead, break_on_hyphens=False)
    )


def row_content(r: Row, width: int, frame: int, stable: bool) -> Content:
    label, style = _STATUS.get(r.status, (r.status, ""))
    if r.status == "running":
        mark = "*" if stable else SPINNER[frame % len(SPINNER)]
    else:
        mark = {"ok": "+", "warning": "!", "error": "x", "skipped": "-", "not-checked": "-"}.get(r.status, " ")
    if r.duration is None or r.status in ("waiting", "running"):
        took = ""
    else:
        took = "-.-- s" if stable else f"{r.duration:.2f} s"
    phase = "done" if r.status in ("ok", "warning") else PHASE_NAMES.get(r.phase, r.phase or "")
    id_w = max(10, width - 2 - 13 - 9 - 12 - 8 - 4)
    head = Content.assemble(
        (f"{mark} ", style),
        (f"{_fit(r.api, 12):<13}", "$text-muted"),
        (f"{_fit(r.provider_id, id_w):<{id_w + 1}}", "bold"),
        (f"{phase:<9}", ""),
        (f"{label:<12}", style),
        (f"{took:>7}", "$text-muted"),
    )
    if r.text and (r.expanded or r.status == "skipped"):
        body = r.text.rstrip("\n")
        body_style = "$error" if r.status == "error" else "$warning" if r.status == "warning" else "$text-muted"
        indented = "\n".join(_indented(line, width - 1) for line in body.splitlines())
        return Content.assemble(head, "\n", (indented, body_style))
    return head


# -- screens ------------------------------------------------------------------------------------


class InterpreterChooser(FlowScreen):
    """Pick the interpreter: the ones found, or type a path. Dismisses with an Interpreter or None."""

    FLOW_TITLE = "Preflight: which Python runs the probe?"
    BINDINGS = [
        Binding("escape", "close", "Back"),
        # priority: the list's own enter (select, not shown) hid this one from the footer; pick
        # does what the list's enter and the field's enter do
        Binding("enter", "pick", "Use this", show=True, priority=True, key_display="enter"),
        LIST_UP,
    ]

    def __init__(self, found: list[Interpreter], base: Path, current: Interpreter | None):
        super().__init__(classes="chooser")
        self.found, self.base, self.current = found, base, current

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="flow-body"):
            yield Static(
                "The probe must run in the server's Python environment, where its providers "
                "are installed. Pick one (enter), or tab to type a path: a python or a virtual "
                "environment's folder, relative to the workspace.",
                classes="help",
                markup=False,
            )
            options = [Option(i.label, id=f"i{n}") for n, i in enumerate(self.found)]
            yield OptionList(*options, id="interpreters")
            yield Input(
                compact=True,
                placeholder="or type a path: .venv/bin/python, ~/envs/lls, /usr/bin/python3.12",
                id="interpreter-path",
            )
            yield Static("", id="interpreter-error", classes="error", markup=False)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        idx = next((n for n, i in enumerate(self.found) if self.current and i.path == self.current.path), 0)
        ol.highlighted = idx
        ol.focus()

    @on(OptionList.OptionSelected, "#interpreters")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.found[event.option_index])

    @on(Input.Submitted, "#interpreter-path")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        interp, why = check_path(event.value, self.base)
        if interp is None:
            self.query_one("#interpreter-error", Static).update(why)
            return
        self.dismiss(interp)

    def action_pick(self) -> None:
        if isinstance(self.focused, Input):
            self._typed(Input.Submitted(self.focused, self.focused.value))
            return
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self.dismiss(self.found[ol.highlighted])

    def action_close(self) -> None:
        self.dismiss(None)


class PreflightPanel(FlowScreen):
    """Rows stream in as the probe reports; the run survives closing the panel."""

    FLOW_TITLE = "Preflight: can the server import and load every provider?"
    BINDINGS = [
        Binding("r", "run", "Run / re-run"),
        Binding("x", "cancel_run", "Cancel run"),
        Binding("i", "interpreter", "Interpreter"),
        Binding("k", "keep_going", "Keep going"),
        Binding("enter", "toggle_row", "Details", show=False),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(
        self, session, *, interpreters: list[Interpreter] | None = None, autostart: bool = False, stable: bool = False
    ):
        super().__init__()
        self.session = session
        self.base = workspace_dir(session)
        self.found = interpreters if interpreters is not None else find_interpreters(self.base)
        self.autostart = autostart
        self.stable = stable  # snapshots: no spinner frames, no durations
        self.frame = 0
        self._timer: Timer | None = None
        self._chosen: Interpreter | None = None

    @property
    def ctl(self) -> PreflightController:
        return controller_for(self.app)

    @property
    def interpreter(self) -> Interpreter:
        return self._chosen or self.ctl.state.interpreter or default_interpreter(self.found)

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="flow-body"):
            yield Static("", id="pf-target", markup=False)
            yield Static("", id="pf-header", markup=False)
            yield FlowList(id="pf-rows")
            yield Static("", id="pf-summary")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.ctl.listeners.append(self.refresh_rows)
        self._timer = self.set_interval(0.12, self._tick, pause=self.stable)
        self._mounted = True
        self.refresh_rows()
        self.query_one(OptionList).focus()
        if self.autostart and not self.ctl.state.running:
            self.action_run()

    def on_unmount(self) -> None:
        self._mounted = False
        try:
            self.ctl.listeners.remove(self.refresh_rows)
        except ValueError:
            pass  # not listening (never mounted with this controller): nothing to remove
        st = self.ctl.state
        if st.running:
            self.app.notify(
                "Preflight keeps running; P shows it, x there cancels it.", title="Preflight", timeout=5, markup=False
            )

    def _tick(self) -> None:
        if self.ctl.state.running:
            self.frame += 1
            self.refresh_rows(only_running=True)

    def check_action(self, action: str, parameters) -> bool | None:
        # a key that does nothing in this state is not shown (dimmed, it is a shade apart: none
        # with NO_COLOR): idle, r i k; running, x
        running = self.ctl.state.running
        if action == "cancel_run":
            return running
        if action in ("run", "interpreter", "keep_going"):
            return not running
        return True

    # -- rendering -------------------------------------------------------------------------------
    def refresh_rows(self, only_running: bool = False) -> None:
        if not getattr(self, "_mounted", False):
            return
        st = self.ctl.state
        ol = self.query_one("#pf-rows", OptionList)
        width = max(60, self.app.size.width - 3)  # the body's padding and the scrollbar; same for every line
        if not only_running:
            interp = self.interpreter
            target = f"  ({st.target})" if st.target and st.interpreter == interp and not self.stable else ""
            mode = "keeps going after an error" if self.ctl.keep_going else "stops at the first error (k: keep going)"
            unsaved = " (with unsaved edits)" if self.session.dirty else ""
            self.query_one("#pf-target", Static).update(
                f"Python: {interp.display}{target}\n"
                f"Checks the run.yaml synthesized from {rel(self.session.path, self.base)}{unsaved}; {mode}"
            )
            id_w = max(10, width - 2 - 13 - 9 - 12 - 8 - 4)
            self.query_one("#pf-header", Static).update(
                f"  {'API':<13}{'PROVIDER':<{id_w + 1}}{'PHASE':<9}{'RESULT':<12}{'TIME':>7}"
            )
        if len(ol.options) != len(st.rows):
            keep = ol.highlighted
            ol.set_options(
                [Option(row_content(r, width, self.frame, self.stable), id=f"row{r.index}") for r in st.rows]
            )
            if st.rows:
                ol.highlighted = keep if keep is not None and keep < len(st.rows) else 0
        else:
            for n, r in enumerate(st.rows):
                if only_running and r.status != "running":
                    continue
                ol.replace_option_prompt_at_index(n, row_content(r, width, self.frame, self.stable))
        if not only_running:
            self.query_one("#pf-summary", Static).update(self._summary())
            self.refresh_bindings()

    def _summary(self) -> Content:
        st = self.ctl.state
        if st.status == "idle":
            return Content.from_markup(
                "Press [b]r[/b] to check every provider of the synthesized run.yaml; [b]i[/b] picks another Python."
            )
        if st.status == "preparing":
            return Content("Starting the probe...")
        parts: list = []
        if st.fatal:
            parts.append((editor_words(st.fatal.rstrip("\n")) + "\n", "$error"))
        if st.running:
            done = sum(1 for r in st.rows if r.status not in ("waiting", "running"))
            parts.append(
                (
                    f"Running: {done} of {len(st.rows)} checked. x cancels (kills the probe); "
                    "esc keeps it running in the background.",
                    "$warning",
                )
            )
        elif st.summary:
            style = (
                "$success bold" if st.status == "ok" else "$warning bold" if st.status == "cancelled" else "$error bold"
            )
            text = st.summary
            if self.stable:
                text = re.sub(r"in \d+\.\d+ s", "in -.-- s", text)
            parts.append((editor_words(text), style))
            if st.status == "failed" and "no Llama Stack found" in st.target:
                parts.append(
                    (
                        "\nThis Python has no Llama Stack: press i and pick the server's Python (its "
                        "virtual environment), then r.",
                        "bold $warning",
                    )
                )
            parts.append(("\nr re-runs; enter on a FAILED row shows or hides its report.", "$text-muted"))
        elif st.status == "cancelled":
            parts.append(("Cancelled: the probe was stopped.", "$warning bold"))
        return Content.assemble(*parts)

    # -- actions -----------------------------------------------------------------------------------
    def action_run(self) -> None:
        why = self.ctl.start(self.session, self.interpreter)
        if why:
            self.tell(why, severity="warning")
        self.refresh_rows()

    def action_keep_going(self) -> None:
        self.ctl.keep_going = not self.ctl.keep_going
        self.refresh_rows()

    def action_cancel_run(self) -> None:
        if self.ctl.cancel():
            self.tell("Cancelling: the probe process is being killed.", timeout=3)
        self.refresh_rows()

    def action_interpreter(self) -> None:
        def picked(interp: Interpreter | None) -> None:
            if interp is not None:
                self._chosen = interp
                if interp.path not in {i.path for i in self.found}:
                    self.found.append(interp)
                self.refresh_rows()

        self.app.push_screen(InterpreterChooser(self.found, self.base, self.interpreter), picked)

    @on(OptionList.OptionSelected, "#pf-rows")
    def _row_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle_row()

    def action_toggle_row(self) -> None:
        ol = self.query_one("#pf-rows", OptionList)
        st = self.ctl.state
        if ol.highlighted is None or ol.highlighted >= len(st.rows):
            return
        r = st.rows[ol.highlighted]
        if not r.text:
            return
        r.expanded = not r.expanded
        self.refresh_rows()

    def action_close(self) -> None:
        self.dismiss(self.ctl.state.status)


def open_preflight(app: App, session, **kwargs) -> None:
    app.push_screen(PreflightPanel(session, **kwargs))
