"""The node editor: a form of the node's fields, or its raw YAML; edits leave as operations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Label, Static

from lsc_tui.config import masking, provider_types
from lsc_tui.config.fields import flatten, is_secret_field, lists_of_mappings, parse_value, show_value, value_at
from lsc_tui.config.findings import Finding, Severity, finding_path, path_text
from lsc_tui.config.masked_yaml import masked_node_yaml, node_yaml
from lsc_tui.config.outline import TreeItem
from lsc_tui.config.session import ReplaceNodeYaml, SetValue
from lsc_tui.tui.model import View, finding_icon
from lsc_tui.tui.widgets.repaint import show
from lsc_tui.config.yaml.document import data_of
from lsc_tui.config.yaml.lint import YamlLoadError

if TYPE_CHECKING:
    from textual.widgets import TextArea

YAML_DEBOUNCE = 0.6
SUGGEST_KEYS = {"provider_type", "type"}
LABEL_CAP = 30  # the label column's widest, in cells (and at most LABEL_SHARE of the form)
LABEL_SHARE = 0.45


def middle_ellipsis(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, its middle replaced by an ellipsis when it is longer
    (both ends of a key path say the most: ``user_data…eedback_storage``)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    tail = (width - 1) // 2
    head = width - 1 - tail
    return text[:head] + "…" + text[len(text) - tail :]


def label_width(labels: list[str], form_width: int) -> int:
    """The label column: as wide as the longest label plus one space, capped (LABEL_CAP cells and
    LABEL_SHARE of the form), never less than 8."""
    cap = LABEL_CAP if form_width <= 0 else max(8, min(LABEL_CAP, int(form_width * LABEL_SHARE)))
    return max(8, min(cap, max((len(label) for label in labels), default=0) + 1))


@dataclass
class Field:
    rel: tuple
    value: object
    secret: bool


class FieldInput(Input):
    """An input that knows which field it edits. Focused, it is being edited: esc ends that
    and goes back to the form's navigation (enter applies the value and stays); up and down end
    it the same way and move to the field above or below (the form's cursor, its path line and
    the focus stay together)."""

    BINDINGS = [
        Binding("escape", "done", "Done", show=True),
        Binding("down", "done(1)", "Next field", show=False),
        Binding("up", "done(-1)", "Previous field", show=False),
    ]
    # The form sizes the field (a row of one line, the width the label leaves): a longer value
    # scrolls inside it and never resizes it, so a keystroke lays out nothing (Input's own
    # virtual size asks for a layout of the whole screen as the value grows: milliseconds per
    # keystroke with a form on screen, docs/benchmarks.md).
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, field_index: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_index = field_index

    def on_mount(self) -> None:
        self.cursor_blink = False  # no blinking over SSH (and steady snapshots)

    def on_focus(self) -> None:
        for editor in self.ancestors:
            if isinstance(editor, NodeEditor):
                editor.move_cursor(self.field_index)
                break

    def action_done(self, move: int = 0) -> None:
        for editor in self.ancestors:
            if isinstance(editor, NodeEditor):
                editor.leave_field(self)
                editor.navigate()
                if move:
                    editor.move_cursor(editor.cursor + move)
                break


class FormScroll(VerticalScroll, can_focus=True):
    """The form with the focus: navigation. j/k (or the arrows) move between the fields, enter
    edits the one under the cursor; letters stay commands, so nothing is typed by accident."""

    BINDINGS = [
        Binding("j,down", "move(1)", "Next field", show=False),
        Binding("k,up", "move(-1)", "Previous field", show=False),
        Binding("g,home", "first", "First field", show=False),
        Binding("G,end", "last", "Last field", show=False),
        Binding("enter", "edit", "Edit", show=True),
    ]

    def _editor(self) -> NodeEditor | None:
        """The node editor this form is in (its grandparent), if mounted there."""
        editor = self.parent.parent if self.parent is not None else None
        return editor if isinstance(editor, NodeEditor) else None

    def action_move(self, delta: int) -> None:
        editor = self._editor()
        if editor is not None:
            editor.move_cursor(editor.cursor + delta)

    def action_first(self) -> None:
        editor = self._editor()
        if editor is not None:
            editor.move_cursor(0)

    def action_last(self) -> None:
        editor = self._editor()
        if editor is not None:
            editor.move_cursor(len(editor.fields) - 1)

    def action_edit(self) -> None:
        editor = self._editor()
        if editor is not None:
            editor.edit_field()


class NodeEditor(Vertical):
    DEFAULT_CSS = """
    NodeEditor { height: 1fr; }
    NodeEditor #node-title { height: 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    NodeEditor #node-findings { height: auto; max-height: 6; }
    NodeEditor #editor-switcher { height: 1fr; }
    NodeEditor #form { height: 1fr; }
    NodeEditor .field-row { height: 1; }
    NodeEditor .field-label { width: 16; height: 1; color: $text-muted; text-wrap: nowrap; }
    NodeEditor #form:focus .field-row.-cursor .field-label { color: $text; text-style: bold reverse; }
    NodeEditor #form:focus .field-row.-cursor .field-input { text-style: bold; }
    NodeEditor .field-input { width: 1fr; }
    NodeEditor #field-path { height: 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
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
        # field index -> why the text in it is not applied (it does not parse as the field's kind):
        # said on the path line while it is edited, and by a notification at enter and on leaving
        self._rejected: dict[int, str] = {}
        self._yaml_timer = None
        self._yaml_stale = False
        self._loading_yaml = False
        self._yaml_masked = False
        self._form_gen = 0
        self._signature = None
        self.yaml_problem: str | None = None  # the raw YAML typed does not parse: why (it is not applied)
        self.cursor = 0  # the field under the form's cursor (navigation), or being edited
        self._labels: list[str] = []
        self._label_widgets: list[Label] = []
        self._label_width = 0
        # the form waits while the pane is hidden (behind a tab below NARROW_BELOW columns): a
        # provider's form is dozens of widgets, built when the pane is shown (build_if_deferred)
        self._form_deferred = False

    def compose(self) -> ComposeResult:
        yield Static("", id="node-title")
        yield Static("", id="node-findings")
        with ContentSwitcher(initial="form", id="editor-switcher"):
            yield FormScroll(id="form")
            with Vertical(id="yaml"):  # its editor is made when the YAML is first shown (_yaml_area)
                yield Static("", id="yaml-status")
        yield Static("", id="field-path")

    # -- showing a node -------------------------------------------------------------------
    def show_item(self, item: TreeItem | None, view: View, *, source: str = "") -> None:
        """Show ``item``; ``source`` says who caused the update (form/yaml edits keep their widgets)."""
        same = item is not None and self.item is not None and item.key == self.item.key
        self.item, self.view = item, view
        if not same:
            self.revealed = False
            self._pending.clear()
            self._rejected.clear()
            self.cursor = 0
        self._render_title()
        if not self.display and self.mode == "form" and not self._pending:
            self._defer_form()
            return
        self._form_deferred = False
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

    def _defer_form(self) -> None:
        """The pane is hidden: the form of the node is built when it is shown. The fields of the
        node shown before are forgotten (nothing reads them while the pane is hidden)."""
        self._form_deferred = True
        self._signature = None
        self.fields, self._labels, self._label_widgets = [], [], []
        self._render_findings()
        self._yaml_stale = True

    def build_if_deferred(self) -> None:
        """Build the form the hidden pane put off (the app calls this when it shows the pane)."""
        if not self._form_deferred or self.view is None:
            return
        self._form_deferred = False
        self._build_form()
        self._signature = self._form_signature()
        self._render_findings()

    def _form_signature(self):
        doc, view = self._doc(), self.view
        if self.item is None or doc is None or view is None:
            return None
        value = value_at(doc.data, self.item.path) if self.item.path else doc.data
        secrets = sorted(repr(p) for d, p in view.secret_paths if d == self.item.display)
        return (self.item.key, repr(value), tuple(secrets), self.revealed, self.readonly)

    def _doc(self):
        if self.item is None or self.view is None:
            return None
        return self.view.document(self.item.display)

    def _node_findings(self) -> list[tuple[tuple, Finding]]:
        """(path, finding) of each finding in the node shown, its path in the document."""
        if self.item is None or self.view is None:
            return []
        docs = self.view.documents
        n = len(self.item.path)
        out = []
        for f in self.view.findings:
            if f.file != self.item.display:
                continue
            p = finding_path(f, docs)
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
            if self.revealed:  # said for as long as the values show (first: a narrow pane cuts the end)
                t.append(" ")
                t.append("SECRETS SHOWN", style="bold reverse")
            name = self.view.short_name(self.item.display) if self.view is not None else self.item.display
            t.append(f" {name}:{line} ", style="bold")
            t.append(where)
        show(self.query_one("#node-title", Static), t)

    def _render_findings(self) -> None:
        widget = self.query_one("#node-findings", Static)
        direct = [f for p, f in self._node_findings() if self._field_for(p) is None]
        if self.item is not None and self.item.kind == "document" and self.view is not None:
            t = Text()
            if direct:  # first: what to do; the mode's reason may be cut in a narrow pane
                t.append(f"{len(direct)} finding(s) in this file: see the findings (4)\n", style="dim")
            t.append(f"mode: {self.view.mode}", style="bold")
            if self.view.mode_reason:
                t.append(f" ({self.view.mode_reason})", style="dim")
            show(widget, t)
            widget.display = True
            return
        if not direct:
            show(widget, "")
            widget.display = False
            return
        widget.display = True
        t = Text()
        for f in direct[:3]:
            t.append(f"{finding_icon(f)} ", style=_sev_style(f))
            t.append(f"line {f.line}: {f.message}\n")
        t.rstrip()
        show(widget, t)

    def _field_for(self, path: tuple):
        if self.item is None:
            return None
        n = len(self.item.path)
        rel = tuple(path[n:])
        for i, fld in enumerate(self.fields):
            if rel and tuple(rel[: len(fld.rel)]) == fld.rel and fld.rel:
                return i
        return None

    def _build_form(self) -> None:
        refocus = self.focused_field() if self.is_mounted else None
        refocus_rel = refocus.rel if refocus is not None else None
        self._form_gen += 1
        self._rejected.clear()  # the new fields show the values in the file
        form = self.query_one("#form", VerticalScroll)
        form.remove_children()
        self.fields = []
        self._labels = []
        self._label_widgets = []
        doc, view = self._doc(), self.view
        if self.item is None or doc is None or view is None or (self.item.kind == "group" and not self.item.path):
            form.mount(Static("Select a node in the tree: its fields appear here.", classes="form-empty"))
            return
        value = value_at(doc.data, self.item.path)
        rows: list[Widget] = []
        flat = flatten(value)
        # id and type first, as operators read a provider
        order = {"provider_id": 0, "id": 0, "name": 0, "provider_type": 1, "type": 1}
        flat.sort(key=lambda fv: order.get(fv[0][0] if fv[0] else "", 2) if fv[0] else 2)
        gen = self._form_gen
        for i, (rel, val) in enumerate(flat):
            full = self.item.path + rel
            secret = is_secret_field(self.item.display, full, val, view.secret_paths)
            self.fields.append(Field(rel, val, secret))
            self._labels.append(path_text(rel) or (str(self.item.path[-1]) if self.item.path else "value"))
            suggester = None
            if rel and rel[-1] in SUGGEST_KEYS and len(rel) == 1:
                suggester = SuggestFromList(
                    provider_types.suggestions(self.item.kind, self.item.api), case_sensitive=False
                )
            if secret and not self.revealed:
                inp = FieldInput(
                    i,
                    "",
                    placeholder=f"{masking.MASK} (secret: s reveals)",
                    password=True,
                    compact=True,
                    classes="field-input",
                    id=f"field-{gen}-{i}",
                    disabled=self.readonly,
                )
            else:
                inp = FieldInput(
                    i,
                    show_value(val),
                    compact=True,
                    classes="field-input",
                    suggester=suggester,
                    id=f"field-{gen}-{i}",
                    disabled=self.readonly,
                    select_on_focus=False,
                )
            self._label_widgets.append(Label("", classes="field-label"))
            rows.append(Horizontal(self._label_widgets[-1], inp, classes="field-row", id=f"row-{gen}-{i}"))
            rows.append(Static("", classes="field-note", id=f"note-{gen}-{i}"))
        if not rows:
            if isinstance(value, list) and any(isinstance(x, dict) for x in value):
                form.mount(
                    Static(
                        f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}, each in the tree under "
                        "this node: select one to edit its fields (t edits the whole list as YAML).",
                        classes="form-empty",
                    )
                )
            else:
                form.mount(Static("No simple fields here: press t for the raw YAML.", classes="form-empty"))
            return
        lists = [path_text(rel) for rel, _items in lists_of_mappings(value)]
        kids = [Static(Text(f"in the tree under this node: {', '.join(lists)}", style="dim"))] if lists else []
        self._label_width = 0
        self._layout_labels()
        form.mount(*rows, *kids)
        self.cursor = min(self.cursor, len(self.fields) - 1)
        self._paint_cursor(rows)
        self.call_after_refresh(self._update_notes)
        if refocus_rel is not None:
            for i, fld in enumerate(self.fields):
                if fld.rel == refocus_rel:
                    target = f"#field-{self._form_gen}-{i}"
                    self.call_after_refresh(
                        lambda target=target: self.query(target).first().focus() if self.query(target) else None
                    )
                    break

    def _layout_labels(self) -> None:
        """Fit the label column to the labels and the form's width: a long label is cut in its
        middle, and one space always separates it from the value."""
        width = label_width(self._labels, self.query_one("#form").size.width or self.size.width)
        if width == self._label_width:
            return
        self._label_width = width
        for text, label in zip(self._labels, self._label_widgets):
            label.update(middle_ellipsis(text, width - 1))
            label.styles.width = width

    def on_resize(self, event) -> None:
        if self._labels:
            self._layout_labels()
        self._render_path()

    # the path line's hint says what the keys do where the focus is: it changes when a field
    # takes or loses the focus (focus() takes effect a message later, so navigate() cannot tell)
    def on_descendant_focus(self, event) -> None:
        self._render_path()

    def on_descendant_blur(self, event) -> None:
        if isinstance(event.widget, FieldInput):
            self.leave_field(event.widget)
        self._render_path()

    # -- navigation: a cursor over the fields; enter edits, esc stops editing ------------------
    def move_cursor(self, index: int) -> None:
        if not self.fields:
            return
        self.cursor = max(0, min(index, len(self.fields) - 1))
        self._paint_cursor()

    def _paint_cursor(self, rows=None) -> None:
        want = f"row-{self._form_gen}-{self.cursor}"
        for row in rows if rows is not None else self.query(".field-row"):
            row.set_class(row.id == want, "-cursor")
            if row.id == want and row.is_mounted:
                row.scroll_visible(animate=False)
        self._render_path()

    def _render_path(self) -> None:
        """The line under the form: the full path of the field under the cursor, and what the
        keys do there (the labels may be cut; this never is, up to the pane's width)."""
        t = Text(no_wrap=True, overflow="ellipsis")
        if self.item is not None and self.mode == "form" and self.fields:
            fld = self.fields[min(self.cursor, len(self.fields) - 1)]
            editing = self.is_mounted and isinstance(self.app.focused, FieldInput)
            t.append(" ")
            t.append(path_text(self.item.path + fld.rel) or self.item.display, style="bold")
            rejected = self._rejected.get(min(self.cursor, len(self.fields) - 1)) if editing else None
            if rejected is not None:  # said whatever the width: the text in the field is not in the file
                t.append(f"  not applied: {rejected}", style="bold reverse")
                self.query_one("#field-path", Static).update(t)
                return
            hint = "  esc: done" if editing else "  enter: edit"
            if t.cell_len + len(hint) <= self.size.width:  # the path first; the hint when it fits
                t.append(hint, style="italic")
        elif self.item is not None and self.mode == "yaml":
            t.append(" tab indents, esc leaves the YAML; t: form", style="italic")
        self.query_one("#field-path", Static).update(t)

    def navigate(self) -> None:
        """Focus the form: the fields are selectable, none is being edited."""
        self.query_one("#form", FormScroll).focus()
        self._render_path()

    def edit_field(self) -> None:
        """Edit the field under the cursor (enter in the form)."""
        for inp in self.query(FieldInput):
            if inp.field_index == self.cursor and (inp.id or "").startswith(f"field-{self._form_gen}-"):
                if inp.disabled:
                    self.app.notify("Read-only: the fields cannot be edited.", severity="warning")
                    return
                inp.focus()
                inp.cursor_position = len(inp.value)
                self.call_after_refresh(self._render_path)
                return

    def _update_notes(self) -> None:
        gen = self._form_gen
        notes: dict[int, list[Finding]] = {}
        for p, f in self._node_findings():
            i = self._field_for(p)
            if i is not None:
                notes.setdefault(i, []).append(f)
        for i, _fld in enumerate(self.fields):
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
                t.append(f"{finding_icon(f)} ", style=_sev_style(f))
                t.append(f.message)
                if f.fix:
                    t.append(f"  fix: {f.fix}", style="dim")
                t.append("\n")
            t.rstrip()
            note.update(t)
            note.display = True

    def _yaml_area(self, make: bool = True) -> TextArea | None:
        """The raw YAML editor. A syntax-highlighting editor takes tens of milliseconds to build
        (its parser and highlight queries): it is made the first time the YAML is shown, so the
        opening, which shows the form, does without it (``make=False``: None until then)."""
        areas = self.query("#yaml-editor")
        if areas:
            return cast("TextArea", areas.first())
        if not make:
            return None
        # deferred: Textual's TextArea (about 10 ms) loads with the first raw YAML view, not the opening
        from lsc_tui.tui.widgets.yaml_area import yaml_area

        area = yaml_area("yaml-editor")
        self.query_one("#yaml", Vertical).mount(area)
        return area

    def _load_yaml(self) -> None:
        area = self._yaml_area(make=self.mode == "yaml")
        if area is None:  # not made yet: filled when the YAML is first shown
            self._yaml_stale = True
            return
        self._yaml_stale = False
        self.yaml_problem = None
        status = self.query_one("#yaml-status", Static)
        doc, view = self._doc(), self.view
        self._loading_yaml = True
        if self.item is None or doc is None or view is None or (self.item.kind == "group" and not self.item.path):
            area.load_text("")
            area.read_only = True
            status.update(Text(" select a node", style="dim"))
            self._yaml_masked = False
            return
        if self.revealed:
            text, masked = node_yaml(doc, self.item.path), False
        else:
            text, masked = masked_node_yaml(doc, self.item.path, view.secret_paths)
        self._yaml_masked = masked
        if area.text != text:
            area.load_text(text)
        area.read_only = self.readonly or masked
        if masked:
            status.update(
                Text(" secret values hidden (read-only): s or ctrl+t reveals them to edit", style="bold magenta")
            )
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
        area = self._yaml_area(make=False)
        if area is None:
            return
        text = area.text
        status = self.query_one("#yaml-status", Static)

        try:
            data_of(text, "yaml")  # the readers' limits: a pasted alias bomb is refused, not expanded
        except YamlLoadError as exc:
            f = exc.finding
            where = f"line {f.line}, column {f.column}: " if f.line else ""
            status.update(Text(f" {where}{f.message} (not applied yet)", style="bold red"))
            self.yaml_problem = f"{where}{f.message}"
            return
        self.yaml_problem = None
        doc = self._doc()
        if doc is not None and text == node_yaml(doc, self.item.path):
            return
        file = self._file()
        if file is None:
            return
        status.update(Text(" applied", style="dim"))
        self.post_message(self.Edit(ReplaceNodeYaml(file, self.item.path, text), "yaml"))

    # -- the form ---------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if not isinstance(event.input, FieldInput):
            return
        event.stop()
        i = event.input.field_index
        if i >= len(self.fields) or not (event.input.id or "").startswith(f"field-{self._form_gen}-"):
            return
        fld = self.fields[i]
        if (fld.secret and not self.revealed and event.value == "") or (
            show_value(fld.value) == event.value and not (fld.secret and not self.revealed)
        ):  # back to the value in the file: nothing to apply
            self._pending.pop(i, None)
            if self._rejected.pop(i, None) is not None:
                self._render_path()
            return
        self._pending[i] = event.value
        if event.value.strip():  # an emptied field is usually mid-edit: it applies at enter / esc / leaving
            # every keystroke: the diff follows the typing (the app drops superseded edits); a text
            # that does not parse yet (``$`` of an ``${env.NAME}`` on the way) is said on the path
            # line, not in a notification per keystroke
            self.flush(quiet=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FieldInput):
            event.stop()
            self.flush()
            i = event.input.field_index
            if i in self._rejected and i < len(self.fields) and self.item is not None:
                self.post_message(self.Problem(f"{path_text(self.item.path + self.fields[i].rel)} {self._rejected[i]}"))

    def leave_field(self, field_input: FieldInput) -> None:
        """The operator left a field (esc, up/down, tab, a click): a text in it that is not applied
        goes, and the field shows the value in the file again (said), so the form never shows a
        value that no file holds."""
        self.flush(quiet=True)
        i = field_input.field_index
        why = self._rejected.pop(i, None)
        if why is None or i >= len(self.fields) or self.item is None:
            return
        if not (field_input.id or "").startswith(f"field-{self._form_gen}-"):
            return
        fld = self.fields[i]
        field_input.value = show_value(fld.value) if not (fld.secret and not self.revealed) else ""
        self._pending.pop(i, None)
        self.post_message(
            self.Problem(
                f"{path_text(self.item.path + fld.rel)} {why}: not applied; the field shows the value in the file again."
            )
        )
        self._render_path()

    def flush(self, quiet: bool = False) -> None:
        """Send the pending field edits as operations (``quiet``: a text that does not parse is
        only noted in ``_rejected``, for the path line, not said in a notification)."""
        if self.item is None or self.readonly:
            self._pending.clear()
            return
        pending, self._pending = self._pending, {}
        file = self._file() if pending else None
        if file is None:
            return
        rejected = dict(self._rejected)
        self._apply(file, pending, quiet)
        if self._rejected != rejected:
            self._render_path()

    def _apply(self, file: Path, pending: dict[int, str], quiet: bool) -> None:
        if self.item is None:  # flush() checked: for the type checker
            return
        for i, text in pending.items():
            if i >= len(self.fields):
                continue
            fld = self.fields[i]
            try:
                value = parse_value(text, fld.value if not fld.secret or self.revealed else "")
            except ValueError as exc:
                self._rejected[i] = str(exc)
                if not quiet:
                    self.post_message(self.Problem(f"{path_text(self.item.path + fld.rel)} {exc}"))
                continue
            self._rejected.pop(i, None)
            fld.value = value
            self.post_message(self.Edit(SetValue(file, self.item.path + fld.rel, value), "form"))

    def _file(self) -> Path | None:
        """The file of the node shown; None (said as a problem) for a node of no file on disk."""
        if self.item is None:
            return None
        if self.item.file is None:
            self.post_message(self.Problem(f"{self.item.display} is not a file on disk: there is nothing to edit."))
        return self.item.file

    @property
    def unparsed_yaml(self) -> tuple[str, str] | None:
        """(text, why) of raw YAML typed in the editor that does not parse, so is not applied."""
        if self.mode != "yaml" or self.yaml_problem is None:
            return None
        area = self._yaml_area(make=False)
        return (area.text if area is not None else ""), self.yaml_problem

    @property
    def has_pending(self) -> bool:
        return bool(self._pending) or self._yaml_timer is not None

    def focused_field(self) -> Field | None:
        focused = self.app.focused
        if isinstance(focused, FieldInput) and focused.field_index < len(self.fields):
            return self.fields[focused.field_index]
        return None

    def selected_field(self) -> Field | None:
        """The field the operator points at: the one being edited, or the one under the form's
        cursor while the form has the focus (what y and e act on)."""
        field = self.focused_field()
        if field is None and self.mode == "form" and self.fields and isinstance(self.app.focused, FormScroll):
            return self.fields[min(self.cursor, len(self.fields) - 1)]
        return field

    # -- modes -----------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.build_if_deferred()
        self.mode = mode
        if mode == "yaml" and (self._yaml_stale or self._yaml_area(make=False) is None):
            self._load_yaml()
        self.query_one("#editor-switcher", ContentSwitcher).current = mode
        self._render_title()
        self._render_path()

    def toggle_mode(self) -> str:
        self.flush()
        self.set_mode("yaml" if self.mode == "form" else "form")
        return self.mode

    def set_revealed(self, revealed: bool) -> None:
        self.flush()
        self.revealed = revealed
        self._render_title()
        self._signature = self._form_signature()
        if self.view is not None:
            self._build_form()
            self._load_yaml()

    def focus_path(self, path: tuple) -> bool:
        """Focus the form field that holds ``path`` (a finding's place), if there is one."""
        self.build_if_deferred()
        i = self._field_for(tuple(path))
        if i is None or self.mode != "form":
            return False
        self.move_cursor(i)
        self.call_after_refresh(self.navigate)  # the cursor on the field; enter edits it
        return True

    def focus_first(self) -> None:
        """Focus the editor in navigation: the form with its cursor (enter edits the field under
        it, so a letter typed next is a command, never text in a field), or the raw YAML."""
        if self.mode == "yaml":
            area = self._yaml_area()
            if area is not None:
                area.focus()
            return
        self.build_if_deferred()
        self.navigate()


def _sev_style(finding: Finding) -> str:
    if finding_icon(finding) == "S":  # a literal secret: the colour of its S in the tree and findings
        return "bold magenta"
    return {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}.get(finding.severity, "cyan")
