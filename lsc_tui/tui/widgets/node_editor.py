"""The node editor: a form of the node's fields, or its raw YAML; edits leave as operations."""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import ContentSwitcher, Input, Label, Static, TextArea

from lsc_tui.config import masking
from lsc_tui.config.findings import Finding, Severity, path_text
from lsc_tui.config.session import ReplaceNodeYaml, SetValue
from lsc_tui.tui import model
from lsc_tui.tui.model import TreeItem, View

YAML_DEBOUNCE = 0.6
SUGGEST_KEYS = {"provider_type", "type"}


def show_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return str(value)


def parse_value(text: str, original):
    """The typed text as a value of the field's kind. Raises ValueError with a message."""
    if isinstance(original, bool):
        low = text.strip().lower()
        if low in ("true", "yes", "on"):
            return True
        if low in ("false", "no", "off"):
            return False
        if text.startswith("${"):
            return text
        raise ValueError("expects true or false (or an ${env.NAME} reference)")
    if isinstance(original, int):
        try:
            return int(text.strip())
        except ValueError:
            if text.startswith("${"):
                return text
            raise ValueError("expects a whole number (or an ${env.NAME} reference)") from None
    if isinstance(original, float):
        try:
            return float(text.strip())
        except ValueError:
            if text.startswith("${"):
                return text
            raise ValueError("expects a number") from None
    if isinstance(original, list) or original is None:
        if text.strip() == "":
            return None if original is None else []
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            raise ValueError("is not valid YAML (for a list write [a, b])") from None
        if isinstance(original, list) and not isinstance(value, list):
            raise ValueError("expects a list, written [a, b]")
        return value
    return text


@dataclass
class Field:
    rel: tuple
    value: object
    secret: bool


class FieldInput(Input):
    """An input that knows which field it edits."""

    def __init__(self, field_index: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_index = field_index

    def on_mount(self) -> None:
        self.cursor_blink = False  # no blinking over SSH (and steady snapshots)


class NodeEditor(Vertical):
    DEFAULT_CSS = """
    NodeEditor { height: 1fr; }
    NodeEditor #node-title { height: 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    NodeEditor #node-findings { height: auto; max-height: 4; }
    NodeEditor #editor-switcher { height: 1fr; }
    NodeEditor #form { height: 1fr; }
    NodeEditor .field-row { height: 1; }
    NodeEditor .field-label { width: 2fr; max-width: 30; height: 1; color: $text-muted; }
    NodeEditor .field-input { width: 3fr; }
    NodeEditor .field-note { height: auto; padding-left: 2; }
    NodeEditor #yaml { height: 1fr; }
    NodeEditor #yaml-status { height: 1; }
    NodeEditor #yaml-editor { height: 1fr; }
    NodeEditor .form-empty { color: $text-muted; padding: 1; }
    """

    class Edit(Message):
        """An operation for the session, from the form or the YAML editor."""

        def __init__(self, op, source: str) -> None:
            super().__init__()
            self.op = op
            self.source = source

    class Problem(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.item: TreeItem | None = None
        self.view: View | None = None
        self.fields: list[Field] = []
        self.mode = "form"
        self.revealed = False
        self.readonly = False
        self._pending: dict[int, str] = {}
        self._yaml_timer = None
        self._yaml_stale = False
        self._loading_yaml = False
        self._yaml_masked = False
        self._form_gen = 0
        self._signature = None

    def on_mount(self) -> None:
        self.query_one("#yaml-editor", TextArea).cursor_blink = False

    def compose(self) -> ComposeResult:
        yield Static("", id="node-title")
        yield Static("", id="node-findings")
        with ContentSwitcher(initial="form", id="editor-switcher"):
            yield VerticalScroll(id="form")
            with Vertical(id="yaml"):
                yield Static("", id="yaml-status")
                yield TextArea.code_editor("", language="yaml", theme="css", id="yaml-editor",
                                           soft_wrap=False, show_line_numbers=True)

    # -- showing a node -------------------------------------------------------------------
    def show_item(self, item: TreeItem | None, view: View, *, source: str = "") -> None:
        """Show ``item``; ``source`` says who caused the update (form/yaml edits keep their widgets)."""
        same = item is not None and self.item is not None and item.key == self.item.key
        self.item, self.view = item, view
        if not same:
            self.revealed = False
            self._pending.clear()
        self._render_title()
        signature = self._form_signature()
        if same and signature == self._signature:
            self._update_notes()  # the node did not change: keep the widgets (and the focus)
        elif not (same and source == "form" and self.mode == "form"):
            if not (same and self._pending):
                self._build_form()
        else:
            self._update_notes()
        self._signature = signature
        self._render_findings()
        if not (same and source == "yaml"):
            if self.mode == "yaml":
                self._load_yaml()
            else:  # the YAML view is hidden: it is filled when shown (typing stays cheap)
                self._yaml_stale = True

    def _form_signature(self):
        doc = self._doc()
        if self.item is None or doc is None:
            return None
        value = model.value_at(doc.data, self.item.path) if self.item.path else doc.data
        secrets = sorted(repr(p) for d, p in self.view.secret_paths if d == self.item.display)
        return (self.item.key, repr(value), tuple(secrets), self.revealed, self.readonly)

    def _doc(self):
        if self.item is None or self.view is None:
            return None
        return self.view.document(self.item.display)

    def _node_findings(self) -> list[Finding]:
        if self.item is None or self.view is None:
            return []
        docs = self.view.documents
        n = len(self.item.path)
        out = []
        for f in self.view.findings:
            if f.file != self.item.display:
                continue
            p = model.finding_path(f, docs)
            if tuple(p[:n]) == tuple(self.item.path):
                out.append((p, f))
        return out

    def _render_title(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        if self.item is None:
            t.append(" (nothing selected)", style="dim")
        else:
            doc = self._doc()
            line = doc.position(self.item.path)[0] if doc is not None and self.item.path else 1
            where = path_text(self.item.path) or "(whole file)"
            t.append(" ")
            t.append("Form" if self.mode == "form" else "YAML", style="bold reverse")
            t.append(f" {self.view.short_name(self.item.display)}:{line} ", style="bold")
            t.append(where)
        self.query_one("#node-title", Static).update(t)

    def _render_findings(self) -> None:
        widget = self.query_one("#node-findings", Static)
        direct = [f for p, f in self._node_findings() if self._field_for(p) is None]
        if self.item is not None and self.item.kind == "document" and self.view is not None:
            t = Text()
            t.append(f"mode: {self.view.mode}", style="bold")
            if self.view.mode_reason:
                t.append(f" ({self.view.mode_reason})", style="dim")
            if direct:
                t.append(f"\n{len(direct)} finding(s) in this file: see the findings (4)", style="dim")
            widget.update(t)
            widget.display = True
            return
        if not direct:
            widget.update("")
            widget.display = False
            return
        widget.display = True
        t = Text()
        for f in direct[:3]:
            t.append(f"{model.severity_icon(f.severity)} ", style=_sev_style(f.severity))
            t.append(f"line {f.line}: {f.message}\n")
        t.rstrip()
        widget.update(t)

    def _field_for(self, path: tuple):
        if self.item is None:
            return None
        n = len(self.item.path)
        rel = tuple(path[n:])
        for i, fld in enumerate(self.fields):
            if rel and tuple(rel[:len(fld.rel)]) == fld.rel and fld.rel:
                return i
        return None

    def _build_form(self) -> None:
        refocus = self.focused_field() if self.is_mounted else None
        refocus_rel = refocus.rel if refocus is not None else None
        self._form_gen += 1
        form = self.query_one("#form", VerticalScroll)
        form.remove_children()
        self.fields = []
        doc = self._doc()
        if self.item is None or doc is None or (self.item.kind == "group" and not self.item.path):
            form.mount(Static("Select a node in the tree: its fields appear here.", classes="form-empty"))
            return
        value = model.value_at(doc.data, self.item.path)
        rows = []
        flat = model.flatten(value)
        # id and type first, as operators read a provider
        order = {"provider_id": 0, "id": 0, "name": 0, "provider_type": 1, "type": 1}
        flat.sort(key=lambda fv: order.get(fv[0][0] if fv[0] else "", 2) if fv[0] else 2)
        gen = self._form_gen
        for i, (rel, val) in enumerate(flat):
            full = self.item.path + rel
            secret = model.is_secret_field(self.item.display, full, val, self.view.secret_paths)
            self.fields.append(Field(rel, val, secret))
            label = path_text(rel) or (str(self.item.path[-1]) if self.item.path else "value")
            suggester = None
            if rel and rel[-1] in SUGGEST_KEYS and len(rel) == 1:
                suggester = SuggestFromList(model.provider_type_suggestions(self.item.kind, self.item.api),
                                            case_sensitive=False)
            if secret and not self.revealed:
                inp = FieldInput(i, "", placeholder=f"{masking.MASK} (secret: s reveals)", password=True,
                                 compact=True, classes="field-input", id=f"field-{gen}-{i}",
                                 disabled=self.readonly)
            else:
                inp = FieldInput(i, show_value(val), compact=True, classes="field-input", suggester=suggester,
                                 id=f"field-{gen}-{i}", disabled=self.readonly, select_on_focus=False)
            rows.append(Horizontal(Label(label, classes="field-label"), inp, classes="field-row"))
            rows.append(Static("", classes="field-note", id=f"note-{gen}-{i}"))
        if not rows:
            form.mount(Static("No simple fields here: press t for the raw YAML.", classes="form-empty"))
            return
        kids = [Static(Text("lists of mappings: edit them as raw YAML (t)", style="dim"))] \
            if isinstance(value, dict) and any(isinstance(v, list) and any(isinstance(x, dict) for x in v)
                                               for v in value.values()) else []
        form.mount(*rows, *kids)
        self.call_after_refresh(self._update_notes)
        if refocus_rel is not None:
            for i, fld in enumerate(self.fields):
                if fld.rel == refocus_rel:
                    target = f"#field-{self._form_gen}-{i}"
                    self.call_after_refresh(lambda: self.query(target).first().focus()
                                            if self.query(target) else None)
                    break

    def _update_notes(self) -> None:
        gen = self._form_gen
        notes: dict[int, list[Finding]] = {}
        for p, f in self._node_findings():
            i = self._field_for(p)
            if i is not None:
                notes.setdefault(i, []).append(f)
        for i, fld in enumerate(self.fields):
            try:
                note = self.query_one(f"#note-{gen}-{i}", Static)
            except NoMatches:  # the form is being rebuilt: its note lines are not mounted yet
                continue
            found = notes.get(i, [])
            if not found:
                note.display = False
                continue
            t = Text()
            for f in found[:2]:
                t.append(f"{model.severity_icon(f.severity)} ", style=_sev_style(f.severity))
                t.append(f.message)
                if f.fix:
                    t.append(f"  fix: {f.fix}", style="dim")
                t.append("\n")
            t.rstrip()
            note.update(t)
            note.display = True

    def _load_yaml(self) -> None:
        self._yaml_stale = False
        area = self.query_one("#yaml-editor", TextArea)
        status = self.query_one("#yaml-status", Static)
        doc = self._doc()
        self._loading_yaml = True
        if self.item is None or doc is None or (self.item.kind == "group" and not self.item.path):
            area.load_text("")
            area.read_only = True
            status.update(Text(" select a node", style="dim"))
            self._yaml_masked = False
            return
        if self.revealed:
            text, masked = model.node_yaml(doc, self.item.path), False
        else:
            text, masked = model.masked_node_yaml(doc, self.item.path, self.view.secret_paths)
        self._yaml_masked = masked
        if area.text != text:
            area.load_text(text)
        area.read_only = self.readonly or masked
        if masked:
            status.update(Text(" secret values hidden (read-only): s or ctrl+t reveals them to edit",
                               style="bold magenta"))
        elif self.readonly:
            status.update(Text(" read-only", style="dim"))
        else:
            status.update(Text(" edits apply as you type (when the YAML parses)", style="dim"))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._loading_yaml:
            self._loading_yaml = False
            return
        if self._yaml_timer is not None:
            self._yaml_timer.stop()
        self._yaml_timer = self.set_timer(YAML_DEBOUNCE, self._flush_yaml)

    def _flush_yaml(self) -> None:
        self._yaml_timer = None
        if self.item is None or self._yaml_masked or self.readonly:
            return
        text = self.query_one("#yaml-editor", TextArea).text
        status = self.query_one("#yaml-status", Static)
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            status.update(Text(f" {where}{problem} (not applied yet)", style="bold red"))
            return
        doc = self._doc()
        if doc is not None and text == model.node_yaml(doc, self.item.path):
            return
        status.update(Text(" applied", style="dim"))
        self.post_message(self.Edit(ReplaceNodeYaml(self.item.file, self.item.path, text), "yaml"))

    # -- the form ---------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if not isinstance(event.input, FieldInput):
            return
        event.stop()
        i = event.input.field_index
        if i >= len(self.fields) or not event.input.id.startswith(f"field-{self._form_gen}-"):
            return
        fld = self.fields[i]
        if fld.secret and not self.revealed and event.value == "":
            self._pending.pop(i, None)
            return
        if show_value(fld.value) == event.value and not (fld.secret and not self.revealed):
            self._pending.pop(i, None)
            return
        self._pending[i] = event.value
        if event.value.strip():  # an emptied field is usually mid-edit: it applies at enter / esc / leaving
            self.flush()  # every keystroke: the diff follows the typing (the app drops superseded edits)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FieldInput):
            event.stop()
            self.flush()

    def flush(self) -> None:
        """Send the pending field edits as operations."""
        if self.item is None or self.readonly:
            self._pending.clear()
            return
        pending, self._pending = self._pending, {}
        for i, text in pending.items():
            if i >= len(self.fields):
                continue
            fld = self.fields[i]
            try:
                value = parse_value(text, fld.value if not fld.secret or self.revealed else "")
            except ValueError as exc:
                self.post_message(self.Problem(f"{path_text(self.item.path + fld.rel)} {exc}"))
                continue
            fld.value = value
            self.post_message(self.Edit(SetValue(self.item.file, self.item.path + fld.rel, value), "form"))

    @property
    def has_pending(self) -> bool:
        return bool(self._pending) or self._yaml_timer is not None

    def focused_field(self) -> Field | None:
        focused = self.app.focused
        if isinstance(focused, FieldInput) and focused.field_index < len(self.fields):
            return self.fields[focused.field_index]
        return None

    # -- modes -----------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "yaml" and self._yaml_stale:
            self._load_yaml()
        self.query_one("#editor-switcher", ContentSwitcher).current = mode
        self._render_title()

    def toggle_mode(self) -> str:
        self.flush()
        self.set_mode("yaml" if self.mode == "form" else "form")
        return self.mode

    def set_revealed(self, revealed: bool) -> None:
        self.flush()
        self.revealed = revealed
        self._signature = self._form_signature()
        if self.view is not None:
            self._build_form()
            self._load_yaml()

    def focus_path(self, path: tuple) -> bool:
        """Focus the form field that holds ``path`` (a finding's place), if there is one."""
        i = self._field_for(tuple(path))
        if i is None or self.mode != "form":
            return False
        for inp in self.query(FieldInput):
            if inp.field_index == i and inp.id.startswith(f"field-{self._form_gen}-"):
                if not inp.disabled:
                    self.call_after_refresh(inp.focus)
                    return True
        return False

    def focus_first(self, into_field: bool = False) -> None:
        """Focus the editor: the pane itself (keys stay commands), or its first field."""
        if self.mode == "yaml":
            self.query_one("#yaml-editor", TextArea).focus()
            return
        inputs = [i for i in self.query(FieldInput) if not i.disabled]
        if into_field and inputs:
            inputs[0].focus()
        else:
            self.query_one("#form", VerticalScroll).focus()


def _sev_style(sev: Severity) -> str:
    return {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}.get(sev, "cyan")
