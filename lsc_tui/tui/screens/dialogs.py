"""Modal dialogs: confirm, quit with unsaved edits, external change conflict, prompts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static

from lsc_tui.tui.widgets.diff_pane import diff_content


class QuietInput(Input):
    """An input whose cursor does not blink."""

    def on_mount(self) -> None:
        self.cursor_blink = False


class Dialog(ModalScreen):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical { width: 72; max-width: 100%; height: auto; max-height: 100%;
                        border: thick $primary; background: $surface; padding: 0 1; }
    Dialog .title { text-style: bold; height: auto; }
    Dialog .body { height: auto; margin-bottom: 1; }
    Dialog Horizontal.buttons { height: auto; align: center middle; }
    Dialog Button { margin: 0 1; min-width: 10; }
    Dialog Input { margin-bottom: 1; }
    Dialog Input.-textual-compact { background: $panel; }
    Dialog Input.-textual-compact:focus { background: $primary 25%; }
    Dialog .error { color: $error; height: auto; }
    Dialog #conflict-diff { height: 12; border: solid $panel; }
    Dialog #recovery-diff { height: 10; border: solid $panel; }
    Dialog .diff { text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS = [Binding("escape,q", "cancel", "Cancel", show=False)]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)


class Choice(Dialog):
    """A question with buttons; each button has a one-letter key. Dismisses with the button id."""

    def __init__(self, title: str, body: str, choices: list[tuple[str, str, str]]):
        super().__init__()
        self.title_text, self.body_text, self.choices = title, body, choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Static(self.body_text, classes="body", markup=False)
            with Horizontal(classes="buttons"):
                for cid, label, _key in self.choices:
                    yield Button(label, id=cid, variant="primary" if cid == self.choices[0][0] else "default")

    def on_key(self, event) -> None:
        for cid, _label, key in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(cid)
                return


def quit_dialog(files: list[str]) -> Choice:
    return Choice(
        "Unsaved edits",
        "These files have edits that are not saved:\n  " + "\n  ".join(files),
        [
            ("save", "Save and quit (s)", "s"),
            ("discard", "Quit without saving (d)", "d"),
            ("cancel", "Cancel (c)", "c"),
        ],
    )


def unparsed_dialog(where: str, problem: str) -> Choice:
    return Choice(
        "Raw YAML not applied",
        f"The raw YAML you typed for {where} does not parse ({problem}), so it is not in the file. "
        "Quitting now would lose it.",
        [
            ("edit", "Keep editing (e)", "e"),
            ("discard", "Discard it (d)", "d"),
            ("side", "Save to a side file (f)", "f"),
        ],
    )


def confirm_dialog(title: str, body: str) -> Choice:
    return Choice(title, body, [("yes", "Yes (y)", "y"), ("cancel", "No (n)", "n")])


class DiffChoice(Dialog):
    """A choice between buttons, each with a one-letter key (``keys()``: key -> button id), one of
    which (``TOGGLE``) shows or hides the diff box (``DIFF_BOX``, its id) instead of choosing."""

    DIFF_BOX = ""
    TOGGLE = ""

    def keys(self) -> dict[str, str]:
        raise NotImplementedError

    def on_key(self, event) -> None:
        mapping = self.keys()
        if event.key in mapping:
            event.stop()
            self._choose(mapping[event.key])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id is not None:  # every button here has one: the choice it stands for
            self._choose(event.button.id)

    def _choose(self, choice: str) -> None:
        if choice == self.TOGGLE:
            box = self.query_one(f"#{self.DIFF_BOX}")
            box.display = not box.display
            return
        self.dismiss(choice)


class ConflictDialog(DiffChoice):
    """A file changed on disk while we have edits: keep mine, take theirs, or show the diff."""

    DIFF_BOX, TOGGLE = "conflict-diff", "diff"
    BINDINGS = [Binding("escape,q", "cancel", "Later", show=False)]

    def __init__(self, display: str, diff_text: str):
        super().__init__()
        self.display_name, self.diff_text = display, diff_text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.display_name} changed on disk", classes="title")
            yield Static(
                f"Another program changed {self.display_name} while you have unsaved edits in it.",
                classes="body",
                markup=False,
            )
            with VerticalScroll(id="conflict-diff"):
                yield Static(diff_content(self.diff_text, "(no difference)"), classes="diff")
            with Horizontal(classes="buttons"):
                yield Button("Keep mine (k)", id="mine", variant="primary")
                yield Button("Take theirs (t)", id="theirs")
                yield Button("Show diff (d)", id="diff")

    def on_mount(self) -> None:
        self.query_one("#conflict-diff").display = False

    def keys(self) -> dict[str, str]:
        return {"k": "mine", "t": "theirs", "d": "diff"}


class Prompt(Dialog):
    """One or more text fields. Dismisses with a dict of values, or None."""

    def __init__(self, title: str, fields: list[tuple[str, str, str, list[str] | None]], note: str = ""):
        """``fields``: (id, label, initial value, suggestions)."""
        super().__init__()
        self.title_text, self.fields, self.note = title, fields, note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            if self.note:
                yield Static(self.note, classes="body", markup=False)
            # on a short terminal (24 rows over SSH) the fields drop their borders, so a prompt of
            # three fields still shows its buttons
            compact = self.app.size.height < 32
            for fid, label, value, suggestions in self.fields:
                yield Label(label)
                yield QuietInput(
                    value,
                    id=f"prompt-{fid}",
                    compact=compact,
                    suggester=SuggestFromList(suggestions, case_sensitive=False) if suggestions else None,
                )
            yield Static("", classes="error", id="prompt-error")
            with Horizontal(classes="buttons"):
                yield Button("OK (enter)", id="ok", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        idx = inputs.index(event.input)
        if idx + 1 < len(inputs):
            inputs[idx + 1].focus()
        else:
            self._ok()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._ok()
        else:
            self.dismiss(None)

    def _ok(self) -> None:
        values = {fid: self.query_one(f"#prompt-{fid}", Input).value.strip() for fid, *_ in self.fields}
        missing = [label for fid, label, *_ in self.fields if not values[fid]]
        if missing:
            self.query_one("#prompt-error", Static).update(f"{missing[0]} is required")
            return
        self.dismiss(values)


class RecoveryDialog(DiffChoice):
    """Unsaved edits left by a dropped session: restore, discard or decide later, with the diff.

    When a file changed on disk after that session closed (``changed``), the choice is three-way:
    keep the disk version (the recovered edits are dropped), restore the recovered edits (they
    replace the disk change in the editor; saving writes them), or view the diff first."""

    DIFF_BOX, TOGGLE = "recovery-diff", "view"
    BINDINGS = [Binding("escape,q", "later", "Later", show=False)]

    def __init__(self, files: str, diff_text: str, changed: list[str] | None = None):
        super().__init__()
        self.files, self.diff_text, self.changed = files, diff_text, list(changed or [])

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.changed:
                names = ", ".join(self.changed)
                yield Label(f"{names} changed on disk since the unsaved edits were kept", classes="title")
                yield Static(
                    f"lsc-tui closed with unsaved edits to {self.files}. {names} changed on disk after "
                    "that: restoring the recovered edits replaces that change in the editor (saving "
                    "then writes them over it, with a backup). The diff shows the disk version against "
                    "the recovered edits.",
                    classes="body",
                    markup=False,
                )
            else:
                yield Label("Unsaved edits from a previous session", classes="title")
                yield Static(
                    f"lsc-tui closed with unsaved edits to {self.files}. Restoring puts them back in the "
                    "editor (not on disk); u undoes it.",
                    classes="body",
                    markup=False,
                )
            with VerticalScroll(id="recovery-diff"):
                yield Static(diff_content(self.diff_text, "(no difference)"), classes="diff")
            with Horizontal(classes="buttons"):
                if self.changed:
                    yield Button("Keep disk (k)", id="discard", variant="primary")
                    yield Button("Restore edits (r)", id="restore")
                    yield Button("View diff (v)", id="view")
                else:
                    yield Button("Restore (r)", id="restore", variant="primary")
                    yield Button("Discard (d)", id="discard")
                yield Button("Later (l)", id="later")

    def on_mount(self) -> None:
        if self.changed:  # the choice first; the diff on request
            self.query_one("#recovery-diff").display = False

    def keys(self) -> dict[str, str]:
        mapping = {"r": "restore", "l": "later"}
        mapping.update({"k": "discard", "v": "view"} if self.changed else {"d": "discard"})
        return mapping

    def action_later(self) -> None:
        self.dismiss("later")
