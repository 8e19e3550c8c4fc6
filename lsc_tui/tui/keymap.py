"""Every key of the editor, in one table: the bindings, the help screen, the command palette
and docs/keys.md are all generated from it, so they cannot drift apart.

Keys are chosen to survive SSH, tmux and screen: letters, digits, F-keys, ctrl+letter,
arrows, Tab, Enter, Esc. No ctrl+enter, shift+enter, alt or super chords.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from lsc_tui.tui.flows import FLOWS


@dataclass(frozen=True)
class Key:
    keys: str  # Textual key names, comma separated
    action: str
    description: str
    group: str
    show: bool = False  # in the footer
    write: bool = False  # disabled by --readonly
    palette: bool = True  # offered in the command palette
    help: str = ""
    footer: str = ""  # the short label in the footer (80 columns hold about ten keys)

    @property
    def display(self) -> str:
        return " ".join(key_name(k) for k in self.keys.split(","))


NAMES = {
    "question_mark": "?",
    "colon": ":",
    "slash": "/",
    "escape": "esc",
    "enter": "enter",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def key_name(key: str) -> str:
    """A Textual key name as the help and the footer show it."""
    return NAMES.get(key, key)


KEYS: list[Key] = [
    # -- everywhere --------------------------------------------------------------------------
    Key("question_mark,f1", "help", "Help: every key", "Global", show=True, footer="Help"),
    Key("colon,ctrl+p", "command_palette", "Command palette: every action", "Global", show=True, palette=False),
    Key("q", "back", "Back (close, clear the filter) or quit", "Global", show=True, footer="Back"),
    Key("ctrl+q", "quit_app", "Quit (asks when there are unsaved edits)", "Global"),
    Key("escape", "escape", "Back to the tree / close", "Global", palette=False),
    Key(
        "ctrl+s,w",
        "save",
        "Save every edited file (atomic, with a .bak backup)",
        "Global",
        show=True,
        write=True,
        footer="Save",
    ),
    Key("u,ctrl+z", "undo", "Undo the last edit", "Global", show=True, write=True, footer="Undo"),
    Key("ctrl+r,ctrl+y", "redo", "Redo", "Global", write=True),
    Key("1", "pane('tree')", "Show/focus the tree", "Global"),
    Key("2", "pane('editor')", "Show/focus the node editor", "Global"),
    Key("3", "pane('diff')", "Show/focus the run.yaml diff", "Global"),
    Key("4", "pane('findings')", "Show/focus the findings", "Global"),
    Key("slash", "filter", "Filter the tree (esc clears)", "Global", show=True, footer="Filter"),
    Key("n", "next_finding", "Jump to the next finding", "Global"),
    Key("N", "previous_finding", "Jump to the previous finding", "Global"),
    Key("T", "next_theme", "Next theme (remembered)", "Global"),
    Key("f5", "check_disk", "Check the files on disk now", "Global"),
    # -- tree and nodes --------------------------------------------------------------------------
    Key("a", "add_provider", "Add a provider", "Nodes", show=True, write=True, footer="Add"),
    Key("d,delete", "delete_node", "Remove the selected node (asks)", "Nodes", write=True),
    Key("c", "duplicate", "Duplicate the selected provider", "Nodes", write=True),
    Key("r", "rename", "Rename the selected provider", "Nodes", write=True),
    Key("K", "move(-1)", "Move the selected provider up", "Nodes", write=True),
    Key("J", "move(1)", "Move the selected provider down", "Nodes", write=True),
    # -- the node editor -----------------------------------------------------------------------
    Key("t,f2", "toggle_editor", "Node editor: switch form / raw YAML", "Editor"),
    Key("e,ctrl+g", "env_ref", "Set the focused field to an ${env.NAME} reference", "Editor", write=True),
    Key("s,ctrl+t", "reveal", "Reveal / hide secret values in the editor", "Editor"),
    Key("y,ctrl+o", "copy", "Copy the focused value or node (OSC 52 clipboard)", "Editor"),
    # -- the diff -------------------------------------------------------------------------------
    Key("v", "toggle_diff", "Diff pane: switch diff / full run.yaml with provenance", "Diff"),
    Key("b", "cycle_baseline", "Diff against: saved files / run.yaml as written / previous edit", "Diff"),
]


def _flow_keys() -> list[Key]:

    return [
        Key(
            f.key,
            f.action,
            f.description,
            "Flows",
            show=True,
            footer=f.title,
            write=f.action in ("flow_migrate", "flow_secrets"),
        )
        for f in FLOWS
    ]


# the flows go right after the global keys, so the footer shows them even at 80 columns
_at = next(i for i, k in enumerate(KEYS) if k.action == "undo") + 1
KEYS[_at:_at] = _flow_keys()

# Movement inside lists and trees (vim and arrows), per widget.
MOVEMENT = [
    Key("j,down", "cursor_down", "Down", "Movement", palette=False),
    Key("k,up", "cursor_up", "Up", "Movement", palette=False),
    Key("g,home", "scroll_home", "First", "Movement", palette=False),
    Key("G,end", "scroll_end", "Last", "Movement", palette=False),
    Key(
        "h,left", "collapse", "Tree: collapse / go to parent; diff and findings: scroll left", "Movement", palette=False
    ),
    Key("l,right", "expand", "Tree: expand; diff and findings: scroll right", "Movement", palette=False),
    Key(
        "enter",
        "select",
        "Tree: open the node's form (navigating: letters stay commands); findings and full "
        "run.yaml: jump to the source",
        "Movement",
        palette=False,
    ),
    Key("tab,shift+tab", "focus_next", "Next / previous pane or field", "Movement", palette=False),
    # -- the form and the raw YAML editor (documented here; the widgets bind them) --------------
    Key(
        "j,k,down,up",
        "move",
        "Form: move the cursor between the fields (down/up in a field: stop editing and move)",
        "Editing",
        palette=False,
    ),
    Key(
        "enter", "edit", "Form: edit the field under the cursor; in a field: apply the value", "Editing", palette=False
    ),
    Key(
        "escape",
        "done",
        "In a field: stop editing (back to the form's cursor); again: back to the tree",
        "Editing",
        palette=False,
    ),
    Key(
        "tab",
        "indent",
        "Raw YAML editor: tab indents (two spaces); esc leaves the editor, then tab moves on",
        "Editing",
        palette=False,
    ),
]

# While a text field is being edited the footer shows only keys that work there: the shown keys'
# ctrl and F-key alternatives, plus these (action: label). esc in a form field ends the editing.
EDITING_FOOTER = {"done": "Done", "escape": "Leave", "env_ref": "Env ref", "reveal": "Reveal"}

WRITE_ACTIONS = {k.action.split("(")[0] for k in KEYS if k.write}


def app_bindings() -> list[Binding]:
    out = []
    for k in KEYS:
        if k.action == "command_palette":
            # Binding the palette action here stops Textual adding its own ctrl+p, so both keys
            # are bound: ctrl+p with priority (it opens the palette from a text field too), ':'
            # without (in a field it is a character to type).
            out.append(Binding("colon", k.action, "Commands", show=False, key_display=":"))
            out.append(Binding("ctrl+p", k.action, "Commands", show=False, key_display="ctrl+p", priority=True))
            continue
        label = k.footer or k.description.split(":")[0].split(" (")[0]
        out.append(Binding(k.keys, k.action, label, show=k.show, key_display=k.display.split(" ")[0]))
    return out


def groups(keys: list[Key]) -> dict[str, list[Key]]:
    """The keys by group, each group once, in the order the groups first appear (the footer
    order puts the flows amid the global keys; the help and docs/keys.md list them apart)."""
    out: dict[str, list[Key]] = {}
    for k in keys:
        out.setdefault(k.group, []).append(k)
    return out


def keys_markdown() -> str:
    """docs/keys.md, generated (a test keeps the file in sync)."""
    lines = [
        "# Keys",
        "",
        "Generated from `lsc_tui/tui/keymap.py`; the in-app help (`?`) shows the same table.",
        "Every key survives SSH, tmux and screen: no ctrl+enter, shift+enter or alt chords.",
        "Letters act when no text field has the focus; in a field, use the ctrl or F-key alternative",
        "or press esc first. Every action is also in the command palette (`:` or `ctrl+p`).",
        "",
    ]
    for group, keys in groups(KEYS + MOVEMENT).items():
        lines += [f"## {group}", "", "| Keys | Action |", "|---|---|"]
        for k in keys:
            shown = ", ".join(f"`{d}`" for d in k.display.split(" "))
            note = " (not in --readonly)" if k.write else ""
            lines.append(f"| {shown} | {k.description}{note} |")
        lines.append("")
    return "\n".join(lines)
