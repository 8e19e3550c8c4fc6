"""The migration wizard: legacy two-file config -> unified lightspeed-stack.yaml, with proof.

Steps: why, analysis, strategy (preview + proof), secrets, files, done. ``n``/right goes on,
``b``/left goes back, esc cancels at any step before the write (nothing is written before
``w`` on the files step). The analysis runs in a thread so the screen never freezes.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from lsc_tui.tui.flows.common import LIST_UP, FlowList, FlowScreen, list_keys, rel, workspace_dir
from lsc_tui.tui.widgets.diff_pane import diff_content
import re

if TYPE_CHECKING:
    from lsc_tui.config.migration.plan import Migration
    from lsc_tui.config.migration.proof import Proof
    from lsc_tui.config.migration.strategies import Candidate

STEPS = ("why", "analysis", "strategy", "secrets", "files", "done")
STEP_TITLES = {
    "why": "Why migrate",
    "analysis": "Analysis",
    "strategy": "Strategy",
    "secrets": "Secrets",
    "files": "Files",
    "done": "Done",
}
WHY = (
    "The two-file legacy format (llama_stack.library_client_config_path naming a hand-written run.yaml) is "
    "deprecated in LCORE 0.6, which logs a warning, and removed in LCORE 0.7; the unified format keeps "
    "everything in lightspeed-stack.yaml and LCORE synthesizes the run.yaml from it at start-up."
)
STRATEGY_HELP = {
    "lift": "lift: the whole run.yaml goes into native_override (one self-contained file)",
    "profile": "profile: the config names run.yaml as its profile; the run.yaml stays a file",
    "smart": "smart: inference.providers where lossless, the rest in native_override",
}
TICK = "✓"
# a piece of a step's text, as Content.assemble takes it: plain, or (text, style)
Part = str | Content | tuple[str, str]


def legacy_message(session) -> str | None:
    """Why this workspace should be migrated, or None (for the editor's offer on open)."""
    from lsc_tui.config.workspace import MODE_LIBRARY

    ws = session.workspace
    if ws.kind != "lightspeed-stack" or ws.config is None:
        return None
    if ws.mode == MODE_LIBRARY and ws.run_yaml is not None:
        return (
            "This config uses the legacy two-file format (deprecated in LCORE 0.6, removed in 0.7). "
            "Migrate it to the unified format now? (Asked once for this file; M opens the wizard at "
            "any time.)"
        )
    return None


class MigrateWizard(FlowScreen):
    FLOW_TITLE = "Migrate to the unified lightspeed-stack.yaml"
    BINDINGS = [
        list_keys("Strategy"),
        Binding("n,right", "next", "Next"),
        Binding("b,left", "back", "Back"),
        Binding("space", "toggle_secrets", "Convert secrets"),
        Binding("a", "accept", "Accept differences"),
        Binding("w", "write", "Write files"),
        Binding("escape,q", "cancel", "Cancel"),
        Binding("enter,escape", "close_done", "Close"),
        Binding("t", "tighten", "Make kept files 0600"),
        LIST_UP,
    ]

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.base = workspace_dir(session)
        self.step = 0
        self.m: Migration | None = None  # once analysed
        self.error: str = ""
        self.ready = False
        self.strategy: str | None = None
        self.convert_secrets = True
        self.accepted = False
        self.secret_plan = None  # the secrets fix planned on the candidate text
        self.written: list[str] = []
        self.backups: list[str] = []
        self.reproof = None
        self.after_notes: list[str] = []
        self.kept_secrets: list[tuple[Path, int, int]] = []  # kept files with literal secrets: (path, count, mode)
        self.preview_settled = True  # False while the strategy preview waits to scroll to the change
        self.run_yaml_arg: Path | None = None  # a server pair: the server's run.yaml the operator named

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="flow-body"):
            yield Static("", id="mw-steps")
            yield FlowList(id="mw-strategies")
            yield Static("", id="mw-proof")
            with VerticalScroll(id="mw-scroll"):
                yield Static("", id="mw-text")
                # under the text that asks for it ("type its path below")
                yield Input(
                    compact=True,
                    placeholder="the server's run.yaml, e.g. ../llama-stack/run.yaml (enter analyses)",
                    id="mw-runyaml",
                )
                yield Static("", id="mw-preview")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.analyse()
        self.show_step()

    @work(thread=True, group="flows-migrate", exclusive=True, exit_on_error=False)
    def analyse(self) -> None:
        from lsc_tui.config.migration import Migration, MigrationInputError

        m, error = None, ""
        try:
            m = Migration.open(
                self.session.path,
                cwd=self.session.cwd,
                run_yaml=self.run_yaml_arg,
                env=self.session.env if self.session.env is not None else None,
            )
            if m.nothing_to_do is None:
                _ = m.recommendation  # builds and proves every strategy
        except MigrationInputError as exc:
            error = exc.located_text()
        except Exception as exc:  # noqa: BLE001 - never a traceback on screen
            error = f"the analysis failed: {type(exc).__name__}: {exc}"
        self.app.call_from_thread(self._analysed, m, error)

    def _analysed(self, m, error: str) -> None:
        self.m, self.error, self.ready = m, error, True
        if m is not None and m.nothing_to_do is None:
            self._choose(m.recommendation.strategy or "profile")
            if m.candidate is None:
                self.error = "no strategy could be built for this config; see the notification"
        self.show_step()

    def _mig(self) -> Migration:
        """The migration, once analysed (every step past the analysis runs after that)."""
        if self.m is None:
            raise RuntimeError("lsc-tui: the migration is not analysed yet")
        return self.m

    def _trial(self) -> tuple[Candidate, Proof]:
        """The chosen strategy's new file and its proof (the steps past the strategy run after the choice)."""
        m = self._mig()
        if m.candidate is None or m.proof is None:
            raise RuntimeError("lsc-tui: no migration strategy is chosen yet")
        return m.candidate, m.proof

    def _choose(self, strategy: str) -> None:
        try:
            self._mig().choose(strategy)
        except Exception as exc:  # noqa: BLE001 - keep the previous choice, say why
            self.tell(
                f"Cannot build the {strategy} strategy: {type(exc).__name__}: {exc}", severity="error", timeout=10
            )
            return
        self.strategy = strategy
        self.accepted = False
        self.secret_plan = self._plan_secrets()

    # -- steps ---------------------------------------------------------------------------------
    def show_step(self) -> None:
        name = STEPS[self.step]
        crumbs = []
        for i, s in enumerate(STEPS):
            label = STEP_TITLES[s]
            crumbs.append((label, "bold $accent" if i == self.step else "$text-muted"))
            if i < len(STEPS) - 1:
                crumbs.append((" > ", "$text-muted"))
        self.query_one("#mw-steps", Static).update(
            Content.assemble((f"Step {self.step + 1} of {len(STEPS)}: ", "bold"), *crumbs)
        )
        strategies = self.query_one("#mw-strategies", OptionList)
        strategies.display = name == "strategy" and self._migratable()
        self.query_one("#mw-proof", Static).display = strategies.display
        ask = self.query_one("#mw-runyaml", Input)
        ask.display = name == "analysis" and self.ready and self.m is not None and self.m.analysis.status == "remote"
        preview = self.query_one("#mw-preview", Static)
        preview.update("")
        self.query_one("#mw-text", Static).update(self._step_text())
        self.query_one("#mw-scroll").scroll_home(animate=False)
        if strategies.display:
            strategies.focus()
        elif ask.display:
            ask.focus()
        else:
            self.query_one("#mw-scroll").focus()
        self.refresh_bindings()

    def _migratable(self) -> bool:
        return self.m is not None and self.m.nothing_to_do is None and not self.error

    def _step_why(self) -> Content:
        parts = [
            (WHY + "\n\n", ""),
            (
                "The wizard analyses this config, proposes a strategy and proves that the migrated file "
                "makes Llama Stack run exactly what it runs today. Nothing is written until the Files step, "
                "and esc cancels at any step.\n",
                "$text-muted",
            ),
        ]
        if self.session.dirty:
            parts.append(
                (
                    "\nYou have unsaved edits: the migration reads the files as saved on disk. Save them "
                    "(w in the editor) first, or they will not be part of it.\n",
                    "$warning",
                )
            )
        if not self.ready:
            parts.append(("\nAnalysing...", "$text-muted"))
        return Content.assemble(*parts)

    def _step_analysis(self) -> Content:
        if not self.ready:
            return Content("Analysing...")
        if self.error:
            return Content.assemble(
                ("The config cannot be migrated as it is:\n\n", "bold $error"),
                (self.error + "\n", "$error"),
                ("\nFix it in the editor, then open the wizard again (M).", ""),
            )
        m = self._mig()
        a = m.analysis
        if m.nothing_to_do and a.status == "remote":
            return Content.assemble(
                ("Remote server: LCORE talks to a Llama Stack server that runs its own run.yaml.\n", "bold"),
                (
                    "To move that run.yaml into this file (the server then synthesizes from it), type its path "
                    "below and press enter; esc leaves everything as it is.\n",
                    "",
                ),
            )
        if m.nothing_to_do:
            return Content.assemble(("Nothing to migrate.\n\n", "bold $success"), (m.nothing_to_do + "\n", ""))
        rec = m.recommendation
        parts: list[Part] = [("Status: ", "bold"), (f"{a.status}\n", ""), (a.reason + "\n", "$text-muted")]
        parts += [("Enrichment inputs: ", "bold"), (", ".join(a.enrichment) or "none", ""), "\n\n"]
        parts += [("Recommended strategy: ", "bold"), (f"{rec.strategy}\n", "bold $success")]
        for r in rec.reasons:
            parts.append((self.hang("  - ", r), ""))
        parts.append(("\nn: choose the strategy and see the new file and its proof.", "$text-muted"))
        return Content.assemble(*parts)

    def _step_strategy(self) -> Content:
        if not self._migratable():
            return self._step_analysis()
        from lsc_tui.config.migration import STRATEGIES
        from lsc_tui.config.migration.plan import summary

        m = self._mig()
        ol = self.query_one("#mw-strategies", OptionList)
        opts = []
        for s in STRATEGIES:
            cand, pr = m.trial(s)
            rec = " (recommended)" if s == m.recommendation.strategy else ""
            mark = TICK if pr.equivalent else "!"
            opts.append(
                Option(
                    Content.assemble(
                        (f"{mark} ", "$success" if pr.equivalent else "$warning"),
                        (f"{s:<8}", "bold"),
                        (summary(cand, pr) + rec, ""),
                    ),
                    id=s,
                )
            )
        ol.set_options(opts)
        ol.highlighted = STRATEGIES.index(self.strategy)
        return self._strategy_text()

    def _strategy_text(self) -> Content:
        m = self._mig()
        pr = self._trial()[1]
        strategy = self.strategy or ""  # set once the analysis chose one
        head = [(STRATEGY_HELP.get(strategy, strategy) + "\n", "$text-muted")]
        if pr.error:
            head.append((f"Proof: unproven ({pr.error})", "bold $error"))
        elif pr.equivalent:
            head.append(
                (f"{TICK} equivalent: synthesizes exactly the run.yaml legacy LCORE runs today", "bold $success")
            )
        else:
            head.append(
                (
                    f"! not equivalent: {len(pr.differences)} difference(s) in what Llama Stack runs (below)",
                    "bold $warning",
                )
            )
        self.query_one("#mw-proof", Static).update(Content.assemble(*head))
        secrets = m.secret_values()
        parts: list = []
        if not pr.equivalent and not pr.error:
            for d in pr.differences:
                parts.append((d.to_text(secrets) + "\n", ""))
        for note in pr.notes:
            parts.append((note.to_text(secrets) + "\n", "$text-muted"))
        if not pr.equivalent and not pr.error:
            parts.append(("\nrun.yaml diff, legacy -> migrated (values masked):\n", "bold"))
        header = (
            "The new lightspeed-stack.yaml (secrets masked; + marks what the migration changes; "
            "tab then pgdn scrolls):\n",
            "bold",
        )
        preview = self.query_one("#mw-preview", Static)
        body, first = self._marked_preview()
        if not pr.equivalent and not pr.error:
            preview.update(Content.assemble(diff_content(self._proof_diff()), "\n", header, body))
        else:
            parts.append(header)
            preview.update(body)
            self.preview_settled = False
            self.set_timer(0.05, lambda: self._scroll_to_change(first))
        return Content.assemble(*parts)

    def _marked_preview(self) -> tuple[Content, int]:
        """The new file, highlighted, with a + gutter on the lines that differ from the legacy config."""
        from lsc_tui.config.linediff import opcodes

        m = self._mig()
        new = m.preview_text()
        from lsc_tui.config.migration.secrets import mask_document_text

        old = mask_document_text(m.analysis.config.text, m.secret_values())
        new_lines, old_lines = new.splitlines(), old.splitlines()
        changed: set[int] = set()
        for tag, _i1, _i2, j1, j2 in opcodes(old_lines, new_lines):
            if tag in ("replace", "insert"):
                changed.update(range(j1, j2))
        lines = self._highlight(new).split("\n")
        out = []
        for n, line in enumerate(lines[: len(new_lines)]):
            mark = ("+ ", "bold $success") if n in changed else ("  ", "")
            out.append(Content.assemble(mark, line))
        first = min(changed) if changed else 0
        return Content("\n").join(out), first

    def _scroll_to_change(self, first_line: int, tries: int = 20) -> None:
        """Bring the first changed line of the preview into view (a few lines of context above it)."""
        if STEPS[self.step] != "strategy":
            self.preview_settled = True
            return
        scroll = self.query_one("#mw-scroll", VerticalScroll)
        preview = self.query_one("#mw-preview", Static)
        if tries and scroll.max_scroll_y < preview.virtual_region.y + first_line - 3 - scroll.size.height // 2:
            self.set_timer(0.05, lambda: self._scroll_to_change(first_line, tries - 1))  # not laid out yet
            return
        scroll = self.query_one("#mw-scroll", VerticalScroll)
        preview = self.query_one("#mw-preview", Static)
        target = preview.virtual_region.y + first_line - 3
        if target + 3 >= scroll.size.height:  # only when the change is not already in view
            scroll.scroll_to(y=max(0, target), animate=False, immediate=True)
        self.preview_settled = True

    def _proof_diff(self) -> str:
        from lsc_tui.config import preview as P

        pr = self._trial()[1]
        values = self._mig().secret_values()
        return P.diff(
            P.dump_data(pr.legacy_data),
            P.dump_data(pr.unified_data),
            "legacy run.yaml (enriched)",
            values,
            new_label="migrated (synthesized)",
        )

    def _highlight(self, text: str) -> Content:
        from textual.highlight import ANSIDarkHighlightTheme, ANSILightHighlightTheme, HighlightTheme, highlight

        theme = self.app.current_theme
        hl = HighlightTheme
        if getattr(theme, "ansi", False):
            hl = ANSIDarkHighlightTheme if theme.dark else ANSILightHighlightTheme
        return highlight(text, language="yaml", theme=hl)

    @on(Input.Submitted, "#mw-runyaml")
    def _run_yaml_given(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        p = Path(os.path.expanduser(text)) if text else None
        if p is not None and not p.is_absolute():
            p = self.base / p
        if p is None or not p.is_file():
            self.tell(f"{text or '(empty)'}: no such file; give the path of the server's run.yaml.", severity="error")
            return
        self.run_yaml_arg = p
        self.ready, self.m, self.error = False, None, ""
        self.show_step()
        self.analyse()

    @on(OptionList.OptionHighlighted, "#mw-strategies")
    def _strategy_moved(self, event: OptionList.OptionHighlighted) -> None:
        if STEPS[self.step] != "strategy" or not self._migratable():
            return
        s = event.option.id
        if s and s != self.strategy:
            self._choose(s)
            if self.strategy != s:  # it failed: the highlight goes back to the strategy in use
                from lsc_tui.config.migration import STRATEGIES

                event.option_list.highlighted = STRATEGIES.index(self.strategy)
                return
            try:
                self.query_one("#mw-text", Static).update(self._strategy_text())
            except Exception as exc:  # noqa: BLE001
                self.tell(f"Cannot show the {s} strategy: {type(exc).__name__}: {exc}", severity="error")

    @on(OptionList.OptionSelected, "#mw-strategies")
    def _strategy_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_next()

    # secrets
    def _secret_docs(self):
        from lsc_tui.config.yaml.document import parse_text

        m = self._mig()
        cand = self._trial()[0]
        docs = [parse_text(cand.text, rel(cand.out_path, self.base), cand.out_path)]
        if cand.profile_ref and m.analysis.run_yaml is not None:
            docs.append(m.analysis.run_yaml)
        return docs

    def _plan_secrets(self, docs=None):
        """The secrets fix for the migrated files, planned on the candidate text (writes nothing)."""
        from lsc_tui.config.secrets import plan_fix, scan_documents

        try:
            docs = docs if docs is not None else self._secret_docs()
            result = scan_documents(docs)
            chosen = [f for f in result.findings if not f.is_warning]
            if not chosen:
                return None
            return plan_fix(docs, chosen, env_file=self.base / ".env", result=result)
        except Exception as exc:  # noqa: BLE001 - the messages of the secrets core never hold a value
            self.tell(
                f"The wizard cannot plan the secrets change ({type(exc).__name__}: {exc}); the secrets "
                "review (S) can, after the migration.",
                severity="warning",
                timeout=10,
            )
            return None

    def _step_secrets(self) -> Content:
        m = self._mig()
        plan = self.secret_plan
        if not m.secrets and plan is None:
            return Content.assemble(
                (f"{TICK} No literal secrets in the files this migration writes or keeps.\n", "$success")
            )
        parts: list[Part] = [("Literal secrets found on the way (values masked):\n", "bold")]
        width = self.text_width()
        for s in m.secrets:
            where = f"{self.ws_name(s.file)}:{s.line}"
            line = f"  {where}  {_path_text(s.path)}"
            if len(line) > width:  # the key path on a line of its own, broken at its dots
                line = f"  {where}\n" + fit_key_path(_path_text(s.path), "    ", width)
            if s.moved_to is not None:
                moved = f" (now at {_path_text(s.moved_to)})"
                last = line.rsplit("\n", 1)[-1]
                line += (
                    moved
                    if len(last) + len(moved) <= width
                    else "\n" + fit_key_path(f"(now at {_path_text(s.moved_to)})", "    ", width)
                )
            parts.append(line + "\n")
        if plan is not None and plan.items:
            box = "[x]" if self.convert_secrets else "[ ]"
            parts.append(
                (
                    "\n" + box + " Convert them now (space toggles): each becomes ${env.NAME} in the new "
                    "file and its value goes to .env (0600):\n",
                    "bold $accent",
                )
            )
            for it in plan.items:
                line = f"      {it.finding.key_path}  ->  {it.reference}"
                if len(line) > width:
                    line = (
                        fit_key_path(str(it.finding.key_path), "      ", width)
                        + "\n"
                        + fit_key_path(f"->  {it.reference}", "        ", width)
                    )
                parts.append(line + "\n")
            parts.append(
                ("\nS (secrets review) offers other names or a Kubernetes Secret afterwards.\n", "$text-muted")
            )
        else:
            parts.append(
                (
                    "\nThey cannot be converted automatically here; use the secrets review (S) after the migration.\n",
                    "$warning",
                )
            )
        return Content.assemble(*parts)

    def _step_files(self) -> Content:
        m = self._mig()
        parts: list[Part] = [("Nothing has been written yet. w writes:\n\n", "bold")]
        plan = self.secret_plan if self.convert_secrets else None
        secret_configs = {str(w.path): w for w in plan.writes if w.role == "config"} if plan else {}
        for f in m.files():
            backup_mode = "0600: it holds literal secrets" if m.secrets else f.mode
            what = {
                "write": f"written (mode {f.mode})" if f.mode else "written",
                "backup": f"backup of the current file (mode {backup_mode})" if backup_mode else "backup",
                "keep": "kept as it is",
            }.get(f.action, f.action)
            role = {
                "config": "the migrated config",
                "backup": "",
                "profile": "the profile it names",
                "legacy-run-yaml": "the legacy run.yaml (no longer read)",
                "legacy-config": "the legacy config",
            }.get(f.role, f.role)
            parts.append((f"  {rel(f.path, self.base)}\n", "bold"))
            parts.append(self.hang("      ", f"{what}{'; ' + role if role else ''}"))
            w = secret_configs.pop(str(f.path), None)
            if w is not None:
                parts.append(
                    self.hang(
                        "      ",
                        f"then its literal secret(s) become ${{env.NAME}} (another backup, {Path(w.path).name}.bak, 0600)",
                    )
                )
        if plan is not None:
            for w in plan.writes:
                if w.role == "config" and str(w.path) not in secret_configs:
                    continue
                parts.append((f"  {rel(w.path, self.base)}\n", "bold"))
                if w.role == "config":
                    parts.append(
                        self.hang(
                            "      ",
                            f"its literal secret(s) become ${{env.NAME}} (backup {Path(w.path).name}.bak, 0600)",
                        )
                    )
                else:
                    parts.append(
                        self.hang(
                            "      ", f"{'created' if w.created else 'updated'}, mode 0600, holds the secret values"
                        )
                    )
        pr = self._trial()[1]
        if pr.equivalent:
            parts.append((f"\n{TICK} The proof holds: equivalent.\n", "$success"))
        elif self.accepted:
            parts.append((f"\nYou accepted {len(pr.differences)} difference(s) (a toggles).\n", "$warning"))
        else:
            parts.append(
                (
                    f"\n! Not equivalent: {len(pr.differences)} difference(s). Press a to accept them (see "
                    "the Strategy step), or go back (b) and choose another strategy.\n",
                    "bold $warning",
                )
            )
        dirty = [rel(p, self.base) for p in self.session.dirty_files]
        if dirty:
            parts.append(
                (
                    f"\nUnsaved edits in {', '.join(dirty)}: save or undo them in the editor first; the wizard "
                    "will not write over them.\n",
                    "bold $error",
                )
            )
        return Content.assemble(*parts)

    def _step_done(self) -> Content:
        parts: list[Part] = [(f"{TICK} Migrated.\n\n", "bold $success"), ("Written:\n", "bold")]
        for p in self.written:
            parts.append(f"  {rel(p, self.base)}\n")
        if self.backups:
            parts.append(
                (
                    "Backups (they hold the old text, literal secrets included; delete them once the server runs):\n",
                    "bold",
                )
            )
            for p in self.backups:
                parts.append(f"  {rel(p, self.base)}\n")
        if self.reproof is not None:
            ok = self.reproof.equivalent
            parts.append(
                (
                    f"\nRe-checked from disk: {'equivalent ' + TICK if ok else self.reproof.verdict}\n",
                    "$success" if ok else "$warning",
                )
            )
        for n in self.after_notes:
            parts.append((n + "\n", "$warning"))
        for path, count, mode in self.kept_secrets:
            name = rel(path, self.base)
            readable = "" if mode & 0o077 == 0 else ", readable by other users of this machine"
            parts.append(
                (
                    f"\n! {name} is kept as it was and still holds {count} literal secret{'s' * (count != 1)} "
                    f"in clear (mode {mode:04o}{readable}).\n",
                    "bold $warning",
                )
            )
            fixes = [
                f"`lsc-tui secrets fix {self.shell_path(path)}` moves them to .env",
                "or delete it once the server runs",
            ]
            if mode & 0o077:
                fixes.insert(0, "t makes it 0600 now")
            parts.append((self.hang("  ", "; ".join(fixes) + "."), "$warning"))
        config = rel(self.session.path, self.base)
        parts.append(("\nWhat to run next:\n", "bold"))
        steps = [f"lsc-tui validate {self.shell_path(self.session.path)} (or look at the findings in the editor)"]
        env_files = [p for p in self.written if p.endswith(".env")]
        if env_files:
            steps.append(
                f"load .env into the server's environment (podman --env-file {self.shell_path(env_files[0])}, "
                "systemd EnvironmentFile=, compose env_file:)"
            )
        steps.append("P: preflight every provider in the server's Python")
        steps.append(f"start LCORE with {config} as before; then delete the .bak files")
        for i, s in enumerate(steps, 1):
            parts.append(self.hang(f"  {i}. ", s))
        parts.append(("\nenter or esc closes; the editor reloads the files.", "$text-muted"))
        return Content.assemble(*parts)

    def on_resize(self) -> None:
        if STEPS[self.step] in ("analysis", "secrets", "files", "done") and self.ready:  # they fold to the width
            self.query_one("#mw-text", Static).update(self._step_text())

    def _step_text(self) -> Content:
        try:
            return getattr(self, f"_step_{STEPS[self.step]}")()
        except Exception as exc:  # noqa: BLE001 - a bug in a step must not cost the operator the editor
            return Content.assemble(
                ("This step could not be shown: ", "bold $error"),
                (f"{type(exc).__name__}: {exc}\n", "$error"),
                ("Nothing was written. b goes back, esc cancels.", ""),
            )

    def ws_name(self, file) -> str:
        """A file the migration names, relative to the workspace (the core names it relative to
        where lsc-tui started: from another folder, an absolute path)."""
        path = Path(file)
        return rel(path if path.is_absolute() else Path(self.session.cwd) / path, self.base)

    def shell_path(self, path) -> str:
        """``path`` for a command pasted into the shell lsc-tui was started from: relative to that
        folder (not to the workspace, which may be elsewhere), quoted for the shell."""
        p = Path(os.path.abspath(path))
        try:
            shown = str(p.relative_to(Path(os.path.abspath(self.session.cwd))))
        except ValueError:
            shown = str(p)
        return shlex.quote(shown)

    # -- actions ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        name = STEPS[self.step]
        done = name == "done"
        if action == "next":
            if done or name == "files":
                return False
            if name != "why" and not self._migratable():
                return False  # nothing to migrate (or an error): next leads nowhere, so it is not shown
            return True
        if action == "back":
            return not (done or self.step == 0)
        if action == "toggle_secrets":
            return bool(name == "secrets" and self.secret_plan is not None)
        if action == "accept":
            return bool(
                name == "files" and self.m is not None and self.m.proof is not None and not self.m.proof.equivalent
            )
        if action == "write":
            return name == "files"
        if action == "cancel":
            return not done
        if action == "close_done":
            return bool(done)
        if action == "tighten":
            return bool(done and any(mode & 0o077 for _p, _n, mode in self.kept_secrets))
        if action == "list_cursor":  # j/k, g/G: the strategies' list, while it has the focus
            return isinstance(self.focused, FlowList)
        return True

    def action_next(self) -> None:
        if STEPS[self.step] == "why" and not self.ready:
            self.tell("Still analysing the config; a moment.", timeout=3)
            return
        if STEPS[self.step] != "why" and not self._migratable():
            return
        if self.step < STEPS.index("files"):
            self.step += 1
            self.show_step()

    def action_back(self) -> None:
        if 0 < self.step < STEPS.index("done"):
            self.step -= 1
            self.show_step()

    def action_toggle_secrets(self) -> None:
        self.convert_secrets = not self.convert_secrets
        self.show_step()

    def action_accept(self) -> None:
        self.accepted = not self.accepted
        self.show_step()

    def action_cancel(self) -> None:
        if STEPS[self.step] == "done":
            self.action_close_done()
            return
        self.tell("Migration cancelled: no file was changed.", timeout=4)
        self.dismiss(None)

    def action_close_done(self) -> None:
        self.dismiss({"written": list(self.written), "backups": list(self.backups)})

    def action_write(self) -> None:
        from lsc_tui.config.migration import MigrationRefused
        from lsc_tui.config.yaml.save import FileChangedError

        m = self.m
        if m is None or STEPS[self.step] != "files":
            return
        if self.refuse_unsaved_edits(self.session, self.base, "save or undo them first. Nothing was written."):
            return
        if not self._trial()[1].equivalent and not self.accepted:
            self.tell(
                "The result is not equivalent: accept the differences (a) or choose another strategy (b). "
                "Nothing was written.",
                severity="warning",
                timeout=8,
            )
            return
        try:
            res = m.write(accept="all" if self.accepted else None)
        except MigrationRefused as exc:
            self.tell(f"Not written: {exc}", severity="error", timeout=10)
            return
        except FileChangedError as exc:
            self.tell(
                f"{rel(exc.path, self.base)} changed on disk since the analysis; nothing was written. Close "
                "the wizard and open it again.",
                severity="error",
                timeout=10,
            )
            return
        except OSError as exc:
            self.tell(
                f"Not written: {rel(exc.filename or '', self.base)}: {exc.strerror or exc}",
                severity="error",
                timeout=10,
            )
            return
        except Exception as exc:  # noqa: BLE001
            self.tell(f"Not written: {type(exc).__name__}: {exc}", severity="error", timeout=10)
            return
        self.written = [str(res.written)]
        self.backups = [str(res.backup)] if res.backup else []
        self.reproof = res.proof
        if self.convert_secrets and self.secret_plan is not None:
            self._write_secrets(self.secret_plan)
        self.session.note_written(self.written, "the migration")  # the editor reloads them as ours
        self.kept_secrets = self._scan_kept()
        self.step = STEPS.index("done")
        self.show_step()

    def _scan_kept(self) -> list[tuple[Path, int, int]]:
        """The files the migration kept as they were that still hold literal secrets (the legacy
        run.yaml after a lift, whose values the new config now takes from .env)."""
        from lsc_tui.config.secrets import scan_documents
        from lsc_tui.config.yaml.document import load_document
        from lsc_tui.config.yaml.lint import YamlLoadError

        out = []
        for f in self._mig().files():
            if f.action != "keep":
                continue
            try:
                doc = load_document(f.path)
                count = sum(1 for x in scan_documents([doc]).findings if not x.is_warning)
                mode = stat.S_IMODE(os.stat(f.path).st_mode)
            except (OSError, YamlLoadError) as exc:
                self.after_notes.append(f"Could not check {rel(f.path, self.base)} for literal secrets: {exc}")
                continue
            if count:
                out.append((Path(f.path), count, mode))
        return out

    def action_tighten(self) -> None:
        done = []
        for path, _count, mode in self.kept_secrets:
            if mode & 0o077:
                try:
                    os.chmod(path, 0o600)
                except OSError as exc:
                    self.tell(f"{rel(path, self.base)}: {exc.strerror or exc}", severity="error", timeout=8)
                    continue
                done.append(rel(path, self.base))
        self.kept_secrets = self._scan_kept()
        if done:
            self.tell(f"{', '.join(done)} is now 0600 (only you can read it).", timeout=6)
        self.show_step()

    def _write_secrets(self, planned) -> None:
        """Plan the fix again on the files now on disk (same text as planned), and apply it."""
        from lsc_tui.config.secrets import apply_plan, plan_fix, scan_workspace
        from lsc_tui.config.workspace import load_workspace

        try:
            ws = load_workspace(
                self.session.path, cwd=self.session.cwd, env=self.session.env, target=self.session.target
            )
            result = scan_workspace(ws)
            wanted = {it.finding.key_path: it.env_name for it in planned.items}
            chosen = [f for f in result.findings if f.key_path in wanted and not f.is_warning]
            names = {f.fingerprint: wanted[f.key_path] for f in chosen}
            plan = plan_fix(ws, chosen, names=names, env_file=self.base / ".env", result=result)
            if not plan.ok:
                raise RuntimeError("; ".join(plan.errors))
            applied = apply_plan(plan)
        except Exception as exc:  # noqa: BLE001 - the migration itself is done; say what is left
            self.after_notes.append(f"The secrets were not converted ({exc}); use the secrets review (S).")
            return
        for p in applied.written:
            if str(p) not in self.written:
                self.written.append(str(p))
        self.backups += [str(b) for b in applied.backups]


def fit_key_path(text: str, indent: str, width: int) -> str:
    """``indent + text`` in lines of at most ``width`` columns, broken after a '.' or before a
    '[' of a key path (continuation lines indented two more), never inside a key name; a single
    name longer than a line is the only thing cut."""

    pieces = re.findall(r"[^.\[]+\.?|\[[^\]]*\]\.?", text) or [text]
    lines, current = [], indent
    for piece in pieces:
        if len(current) + len(piece) > width and current.strip():
            lines.append(current)
            current = indent + "  "
        current += piece
    lines.append(current)
    return "\n".join(lines)


def _path_text(path) -> str:
    from lsc_tui.config.findings import path_text

    return path_text(path)


class MigrationOffer(ModalScreen):
    """The question asked when a legacy config is opened: m migrates now, l or esc later."""

    DEFAULT_CSS = """
    MigrationOffer { align: center middle; }
    MigrationOffer > Vertical { width: 64; max-width: 100%; height: auto; border: thick $primary;
                                background: $surface; padding: 0 1; }
    MigrationOffer .title { text-style: bold; }
    MigrationOffer .keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("m,enter", "answer('migrate')", "Migrate now"), Binding("l,escape", "answer('later')", "Later")]

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Legacy configuration", classes="title")
            yield Static(self.message, markup=False)
            yield Static(
                Content.assemble(
                    ("m", "bold $accent"), " or enter: migrate now    ", ("l", "bold $accent"), " or esc: later"
                ),
                classes="keys",
            )

    def action_answer(self, choice: str) -> None:
        self.dismiss(choice)


def open_wizard(app, session, on_done=None) -> None:
    app.push_screen(MigrateWizard(session), on_done)
