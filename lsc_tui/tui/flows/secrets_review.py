"""Secrets review: every literal secret in every file of the workspace, masked; move the chosen
ones to environment variables in a ``.env`` file or a Kubernetes Secret manifest.

A value is shown only while the operator holds it revealed (``v`` on its row); moving to
another row, or leaving the screen, hides it again. ``a`` computes the plan and shows the
exact text change (masked) and every file it will write; nothing is written until ``y`` there.
After writing, the workspace is scanned again from disk.

Keys: space select, v reveal/hide, e edit the variable name, t switch .env / Kubernetes
Secret, o edit the target, a review and apply, esc back / close.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from lsc_tui.config.masking import MASK
from lsc_tui.tui.flows.common import LIST_UP, FlowList, FlowScreen, rel, workspace_dir
from lsc_tui.tui.widgets.diff_pane import diff_content

DEFAULT_K8S_SECRET = "lightspeed-stack-secrets"


@dataclass
class ReviewState:
    findings: list = field(default_factory=list)  # SecretFinding, in file order
    selected: set = field(default_factory=set)  # fingerprints
    names: dict = field(default_factory=dict)  # fingerprint -> the operator's name
    suggested: dict = field(default_factory=dict)  # fingerprint -> the plan's name
    target: str = "env"  # env | k8s
    env_file: str = ".env"
    k8s_secret: str = DEFAULT_K8S_SECRET
    written: list = field(default_factory=list)  # every path written so far


class SecretsReview(FlowScreen):
    FLOW_TITLE = "Secrets: move literal secrets to environment variables"
    BINDINGS = [
        Binding("space", "toggle_select", "Select"),
        Binding("v", "reveal", "Reveal"),
        # e and o move the focus into a field: priority, so that they do it before the keys that
        # follow them in the same read (a name typed at once after e, over SSH) are routed, and
        # those keys go into the field instead of being lost on the list
        Binding("e", "edit_name", "Name", priority=True),
        Binding("enter", "edit_name", "Name", show=False, priority=True),  # on the list: as e
        Binding("t", "switch_target", ".env/k8s"),
        Binding("o", "edit_target", "Target", priority=True),
        Binding("a", "review", "Apply..."),
        Binding("escape,q", "back", "Back"),
        LIST_UP,
    ]

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.base = workspace_dir(session)
        self.state = ReviewState()
        self.revealed: str | None = None  # fingerprint of the one revealed value
        self.editing = None  # the finding whose name is in the box (e), until enter, esc or leaving it
        self._workspace = session.workspace
        self._result = None

    # -- data ------------------------------------------------------------------------------------
    def scan(self, from_disk: bool = False) -> None:
        from lsc_tui.config.secrets import plan_fix, scan_workspace
        from lsc_tui.config.workspace import load_workspace

        if from_disk:
            try:
                self._workspace = load_workspace(
                    self.session.path, cwd=self.session.cwd, env=self.session.env, target=self.session.target
                )
            except Exception as exc:  # noqa: BLE001
                self.tell(f"Cannot read the workspace again: {exc}", severity="error", timeout=10)
                return
        result = scan_workspace(self._workspace)
        self._result = result
        st = self.state
        st.findings = list(result.findings)
        fps = {f.fingerprint for f in st.findings}
        if not st.selected or from_disk:
            st.selected = {f.fingerprint for f in st.findings if not f.is_warning}
        st.selected &= fps
        try:
            plan = plan_fix(self._workspace, st.findings, result=result)
            st.suggested = {it.finding.fingerprint: it.env_name for it in plan.items}
        except Exception as exc:  # noqa: BLE001 - the messages of the secrets core never hold a value
            st.suggested = {f.fingerprint: f.suggested_env for f in st.findings}
            self.tell(
                f"Cannot plan the variable names ({type(exc).__name__}: {exc}); the names shown are "
                "suggestions only, e names one.",
                severity="warning",
                timeout=10,
            )
        self.revealed = None

    def name_of(self, f) -> str:
        return self.state.names.get(f.fingerprint) or self.state.suggested.get(f.fingerprint) or f.suggested_env

    def where(self, f) -> str:
        """The finding's file as the operator reads it: relative to the workspace, as the editor's
        findings and the apply preview name it (the scan's name is relative to where lsc-tui was
        started: from another folder, a whole absolute path that took half of each row)."""
        path = Path(f.file)
        return rel(path if path.is_absolute() else Path(self.session.cwd) / path, self.base)

    def current(self):
        ol = self.query_one("#sr-list", OptionList)
        if ol.highlighted is None or ol.highlighted >= len(self.state.findings):
            return None
        return self.state.findings[ol.highlighted]

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="flow-body"):
            yield Static("", id="sr-summary", classes="help")
            yield FlowList(id="sr-list")
            with Vertical(id="sr-detail"):
                yield Static("", id="sr-where", markup=False)
                yield Static("", id="sr-value")
                with Horizontal(id="sr-name-row"):
                    yield Label("Variable:")
                    yield Input(compact=True, id="sr-name", placeholder="UPPER_CASE_NAME")
                yield Static("", id="sr-name-error", classes="error", markup=False)
                with Horizontal(id="sr-target-row"):
                    yield Label("", id="sr-target-label")
                    yield Input(compact=True, id="sr-target")
                yield Static("", id="sr-target-error", classes="error", markup=False)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        try:
            self.scan()
        except Exception as exc:  # noqa: BLE001 - a broken allow-list or file: say so, never a traceback
            self.tell(f"Cannot scan for secrets: {exc}", severity="error", timeout=10)
        self.render_all()
        self.query_one("#sr-list", OptionList).focus()

    def on_unmount(self) -> None:
        self.revealed = None

    def on_screen_suspend(self) -> None:
        """Another screen goes on top (the apply preview, help, the palette): hide the value."""
        self.hide_revealed()

    def hide_revealed(self) -> None:
        if self.revealed is None:
            return
        f = next((g for g in self.state.findings if g.fingerprint == self.revealed), None)
        self.revealed = None
        if f is not None:
            self.refresh_row(f)
            self.render_detail()

    def render_all(self) -> None:
        st = self.state
        files = sorted({f.file for f in st.findings})
        if st.findings:
            warn = sum(1 for f in st.findings if f.is_warning)
            extra = f" ({warn} only likely: not selected)" if warn else ""
            summary = (
                f"{len(st.findings)} literal secret{'s' * (len(st.findings) != 1)} in "
                f"{len(files)} file{'s' * (len(files) != 1)}{extra}. Values are masked: v shows one. "
                "space selects, e names the variable, a shows the change before anything is written."
            )
        else:
            summary = "No literal secrets: every secret-looking value is already an ${env.NAME} reference."
        if self.session.dirty:
            summary += " You have unsaved edits: save them (w) before applying."
        self.query_one("#sr-summary", Static).update(Content(summary))
        ol = self.query_one("#sr-list", OptionList)
        keep = ol.highlighted
        ol.set_options([Option(self.row(f), id=f"f{n}") for n, f in enumerate(st.findings)])
        if st.findings:
            ol.highlighted = keep if keep is not None and keep < len(st.findings) else 0
        self.query_one("#sr-detail").display = bool(st.findings)
        self.render_detail()
        self.render_target()

    def row(self, f) -> Content:
        sel = f.fingerprint in self.state.selected
        box = "[x]" if sel else "[ ]"
        value = MASK
        if self.revealed == f.fingerprint:
            from lsc_tui.config.secrets import reveal

            value = reveal(f)
        sev = "$warning" if f.is_warning else "$error"
        return Content.assemble(
            (f"{box} ", "bold" if sel else "$text-muted"),
            (f"{self.where(f)}:{f.line}", "$text-muted"),
            "  ",
            (f.key_path or "(top level)", "bold"),
            "  ",
            (value, "$warning bold reverse" if self.revealed == f.fingerprint else sev),
            "  ",
            ("-> ", "$text-muted"),
            (f"${{env.{self.name_of(f)}}}", "$success" if sel else "$text-muted"),
        )

    def refresh_row(self, f) -> None:
        ol = self.query_one("#sr-list", OptionList)
        idx = self.state.findings.index(f)
        ol.replace_option_prompt_at_index(idx, self.row(f))

    def render_detail(self) -> None:
        f = self.current()
        if f is None:
            return
        where = f"{self.where(f)}:{f.line}:{f.column}  {f.key_path}  ({f.title}, {f.confidence} confidence)"
        if f.kind == "default":
            where += f"  [the default of ${{env.{f.existing_env}:=...}}]"
        self.query_one("#sr-where", Static).update(where)
        shown = self.revealed == f.fingerprint
        self.query_one("#sr-value", Static).update(
            Content.assemble(
                ("Value: ", "$text-muted"),
                (
                    "shown (v hides it; moving away hides it)" if shown else f"{MASK}  (v reveals it)",
                    "$warning" if shown else "",
                ),
            )
        )
        name_input = self.query_one("#sr-name", Input)
        want = self.name_of(f)
        if name_input.value != want and not name_input.has_focus:
            with name_input.prevent(Input.Changed):
                name_input.value = want
        self.check_name(name_input.value)

    def render_target(self) -> None:
        st = self.state
        label = self.query_one("#sr-target-label", Label)
        box = self.query_one("#sr-target", Input)
        want = self.target_text()
        if st.target == "env":
            label.update(".env file:")
            box.placeholder = ".env (relative to the workspace)"
        else:
            label.update("Kubernetes Secret:")
            box.placeholder = "secret-name"
        if box.value != want and not box.has_focus:
            with box.prevent(Input.Changed):
                box.value = want
        self.check_target(box.value)

    def target_text(self) -> str:
        return self.state.env_file if self.state.target == "env" else self.state.k8s_secret

    # -- validation -----------------------------------------------------------------------------
    def check_name(self, name: str) -> bool:
        from lsc_tui.config.secrets import valid_name

        ok = valid_name(name)
        err = "" if ok else "Use upper-case letters, digits and _, not starting with a digit (e.g. POSTGRES_PASSWORD)."
        if ok:
            f = self.current()
            clash = [
                g
                for g in self.state.findings
                if g is not f and g.fingerprint in self.state.selected and self.name_of(g) == name
            ]
            if clash and f is not None and f.fingerprint in self.state.selected:
                # the same value may share a name; different values may not (the plan refuses them too)
                err = (
                    f"{name} is also the name of {self.where(clash[0])}:{clash[0].line}; if the values differ, "
                    "applying will refuse it."
                )
        box = self.query_one("#sr-name", Input)
        if not err and box.has_focus:
            hint = Content.styled("enter keeps this name; esc goes back without it", "$text-muted")
            self.query_one("#sr-name-error", Static).update(hint)
        else:
            self.query_one("#sr-name-error", Static).update(err)
        box.set_class(not ok, "-invalid")
        return ok

    def check_target(self, text: str) -> bool:
        from lsc_tui.config.secrets import k8s

        text = text.strip()
        if self.state.target == "env":
            if not text:
                err = "Give the .env file's path."
            elif (self.base / text).is_dir():
                err = f"{text} is a folder; give a file path."
            else:
                err = ""
        else:
            err = (
                ""
                if k8s.valid_name(text)
                else "Lower-case letters, digits, '-' and '.' (e.g. lightspeed-stack-secrets)."
            )
        self.query_one("#sr-target-error", Static).update(err)
        self.query_one("#sr-target", Input).set_class(bool(err), "-invalid")
        return not err

    # -- events ---------------------------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#sr-list")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        self.hide_revealed()
        self.render_detail()

    @on(OptionList.OptionSelected, "#sr-list")
    def _enter(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit_name()

    @on(Input.Changed, "#sr-name")
    def _name_changed(self, event: Input.Changed) -> None:
        f = self.current()
        value = event.value.strip()
        if f is None:
            return
        if value != value.upper():  # names are upper-case: type them any way
            # the box as it is now, not as this event saw it: keys typed since are in it already
            box = event.input
            if box.value != box.value.upper():
                pos = box.cursor_position
                box.value = box.value.upper()
                box.cursor_position = pos
            return
        self.check_name(value)  # the box's own feedback follows each key; the row waits for enter

    @on(Input.Submitted, "#sr-name")
    def _name_done(self, event: Input.Submitted) -> None:
        if self.check_name(event.value.strip()):
            self.commit_name()
            self.query_one("#sr-list", OptionList).focus()

    @on(Input.Blurred, "#sr-name")
    def _name_left(self, event: Input.Blurred) -> None:
        """Leaving the box (tab, a click) takes a valid name; an invalid one is dropped and the
        box shows the row's name again (esc has put it back already: it drops what was typed)."""
        self.commit_name()
        self.render_detail()

    def commit_name(self) -> None:
        """The name in the box becomes the row's, if it is valid: the row, the plan and what is
        written take a name here only, never a prefix of it while it is typed."""
        f = self.editing or self.current()
        self.editing = None
        value = self.query_one("#sr-name", Input).value.strip()
        if f is None or not self._valid(value) or value == self.name_of(f):
            return
        self.state.names[f.fingerprint] = value
        self.refresh_row(f)

    @on(Input.Changed, "#sr-target")
    def _target_changed(self, event: Input.Changed) -> None:
        self.check_target(event.value)  # as the name: taken at enter or on leaving the box

    @on(Input.Submitted, "#sr-target")
    def _target_done(self, event: Input.Submitted) -> None:
        if self.check_target(event.value):
            self.commit_target()
            self.query_one("#sr-list", OptionList).focus()

    @on(Input.Blurred, "#sr-target")
    def _target_left(self, event: Input.Blurred) -> None:
        self.commit_target()
        self.render_target()

    def commit_target(self) -> None:
        box = self.query_one("#sr-target", Input)
        if not self.check_target(box.value):
            return
        if self.state.target == "env":
            self.state.env_file = box.value.strip()
        else:
            self.state.k8s_secret = box.value.strip()

    # -- actions ---------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("toggle_select", "reveal", "edit_name", "switch_target", "edit_target", "review"):
            if isinstance(self.focused, Input) and action in (
                "toggle_select",
                "reveal",
                "switch_target",
                "edit_target",
                "review",
                "edit_name",
            ):
                return False  # letters type into the field
            if not self.state.findings:
                return False  # nothing to select, name or apply: the footer shows Back alone
        return True

    def action_toggle_select(self) -> None:
        f = self.current()
        if f is None:
            return
        self.state.selected ^= {f.fingerprint}
        self.refresh_row(f)

    def action_reveal(self) -> None:
        f = self.current()
        if f is None:
            return
        old = self.revealed
        self.revealed = None if old == f.fingerprint else f.fingerprint
        self.refresh_row(f)
        self.render_detail()

    def action_edit_name(self) -> None:
        if self.current() is not None:
            self.editing = self.current()
            box = self.query_one("#sr-name", Input)
            self.set_focus(box)  # now, not after the keys already read (box.focus() waits for them)
            box.cursor_position = len(box.value)
            self.call_after_refresh(lambda: self.check_name(box.value.strip()))

    def action_switch_target(self) -> None:
        st = self.state
        st.target = "k8s" if st.target == "env" else "env"
        self.render_target()
        self.tell(
            "Values go to a Kubernetes Secret manifest (stringData, 0600 file)."
            if st.target == "k8s"
            else "Values go to a .env file (0600).",
            timeout=3,
        )

    def action_edit_target(self) -> None:
        box = self.query_one("#sr-target", Input)
        self.set_focus(box)
        box.cursor_position = len(box.value)

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            # esc drops what was typed: the box shows the row's name (or the target) again
            self.editing = None
            f = self.current()
            boxes = {"sr-name": self.name_of(f) if f is not None else "", "sr-target": self.target_text()}
            box = self.focused
            with box.prevent(Input.Changed):
                box.value = boxes.get(box.id or "", box.value)
            self.query_one("#sr-list", OptionList).focus()
            self.render_detail()
            self.render_target()
            return
        self.hide_revealed()
        self.dismiss({"written": [str(p) for p in self.state.written]})

    def build_plan(self):
        from lsc_tui.config.secrets import plan_fix

        st = self.state
        chosen = [f for f in st.findings if f.fingerprint in st.selected]
        names = {f.fingerprint: self.name_of(f) for f in chosen}
        if st.target == "env":
            p = Path(os.path.expanduser(st.env_file))
            return plan_fix(
                self._workspace,
                chosen,
                names=names,
                env_file=p if p.is_absolute() else self.base / p,
                result=self._result,
            )
        return plan_fix(self._workspace, chosen, names=names, k8s_secret=st.k8s_secret, result=self._result)

    def action_review(self) -> None:
        st = self.state
        chosen = [f for f in st.findings if f.fingerprint in st.selected]
        if not chosen:
            self.tell("Select at least one secret (space).", severity="warning")
            return
        bad = [f for f in chosen if not self._valid(self.name_of(f))]
        if bad:
            self.tell(
                f"{self.where(bad[0])}:{bad[0].line}: the variable name is not valid; fix it first (e).",
                severity="error",
            )
            return
        if not self.check_target(self.query_one("#sr-target", Input).value):
            self.tell("The target is not valid; fix it first (o).", severity="error")
            return
        if self.refuse_unsaved_edits(
            self.session, self.base, "save them (w) or undo them first; the fix edits the files on disk."
        ):
            return
        try:
            plan = self.build_plan()
        except Exception as exc:  # noqa: BLE001 - the message of the core never holds a value
            self.tell(f"Cannot plan the change: {exc}", severity="error", timeout=10)
            return
        self.hide_revealed()
        self.app.push_screen(ApplyPreview(plan, self.base), self._applied)

    @staticmethod
    def _valid(name: str) -> bool:
        from lsc_tui.config.secrets import valid_name

        return valid_name(name)

    def _applied(self, written) -> None:
        if not written:
            return
        self.session.note_written(written, "the secrets review")  # the editor reloads them as ours
        self.state.written.extend(written)
        self.scan(from_disk=True)
        self.render_all()
        left = len(self.state.findings)
        self.tell(
            f"Wrote {', '.join(rel(p, self.base) for p in written)}. Scanned again: "
            f"{left} literal secret{'s' * (left != 1)} left.",
            title="Secrets moved",
            timeout=8,
        )


class ApplyPreview(FlowScreen):
    """The exact change (masked), every file written, warnings; y writes, esc goes back."""

    FLOW_TITLE = "Secrets: review the change before it is written"
    BINDINGS = [
        Binding("y", "apply", "Write these files"),
        Binding("escape,n", "back", "Back (write nothing)"),
    ]

    def __init__(self, plan, base: Path):
        super().__init__()
        self.plan = plan
        self.base = base

    def _show(self, text: str) -> str:
        prefix = str(self.base) + os.sep
        return text.replace(prefix, "")

    def compose(self) -> ComposeResult:
        plan = self.plan
        yield from self.compose_title()
        with Vertical(id="flow-body"):
            with VerticalScroll(id="mw-scroll"):
                head: list = []
                dest = f"Secret/{plan.k8s_secret}" if plan.target == "k8s" else rel(plan.target_path, self.base)
                head.append(
                    (
                        f"{len(plan.items)} value{'s' * (len(plan.items) != 1)} -> {dest}. "
                        "The change to the config (values masked):\n",
                        "bold",
                    )
                )
                yield Static(Content.assemble(*head), id="sr-head")
                yield Static(diff_content(plan.diff), id="sr-diff")
                yield Static(id="sr-plan")
        yield from self.compose_footer()

    def _plan_text(self) -> Content:
        """Each file written, error, warning and note, folded under its own start to the width."""
        plan = self.plan
        parts: list = [("\nFiles written (nothing before you press y):\n", "bold")]
        for w in plan.writes:
            parts.append(self.hang("  ", f"{rel(w.path, self.base)}: {self._show(w.summary)}"))
        for e in plan.errors:
            parts.append((self.hang("", f"error: {self._show(e)}"), "$error"))
        for w in plan.warnings:
            parts.append((self.hang("", f"warning: {self._show(w)}"), "$warning"))
        for n in plan.notes:
            parts.append((self._show(n).rstrip("\n") + "\n", "$text-muted"))
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        self.query_one("#sr-plan", Static).update(self._plan_text())
        self.query_one("#mw-scroll").focus()

    def on_resize(self) -> None:
        self.query_one("#sr-plan", Static).update(self._plan_text())

    def action_apply(self) -> None:
        from lsc_tui.config.secrets import FixError, apply_plan
        from lsc_tui.config.yaml.save import FileChangedError

        if not self.plan.ok:
            # y stays a key that answers: dimmed, it did nothing at all (and in 16 colours or
            # NO_COLOR a dimmed key hardly differs from the others)
            self.tell(
                "Nothing was written: the plan has errors (the error: lines above). esc goes back to fix them.",
                severity="error",
                timeout=10,
            )
            return
        try:
            result = apply_plan(self.plan)
        except FileChangedError as exc:
            self.tell(
                f"{rel(getattr(exc, 'path', ''), self.base)} changed on disk since it was read; nothing was "
                "written. Close and open the review again.",
                severity="error",
                timeout=10,
            )
            return
        except (FixError, OSError) as exc:
            self.tell(self._show(f"Not written: {exc}"), severity="error", timeout=10)
            return
        self.dismiss([str(p) for p in result.written])

    def action_back(self) -> None:
        self.dismiss(None)


def open_review(app, session, on_done=None) -> None:
    app.push_screen(SecretsReview(session), on_done)
