"""Every key of the workbench, declared once: the screens' BINDINGS, the key bar at the bottom, the ? list and the
command palette are all made from this registry, so a key cannot be bound without being described (or described
without being bound), and the four never disagree.

A screen names its group (``KEYS = "transcript"``); the app's own keys are the group ``everywhere``. An entry with
``bind=False`` is described here but bound elsewhere: by the app (?, q, A) or by Textual itself (tab, ctrl+p).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    """One key: what it is bound to and how each place describes it."""

    keys: str  # Textual's key names, comma-separated ("j,down")
    action: str  # the screen's action ("move(1)"), or the app's ("app.help")
    label: str = ""  # short description: the key bar and the footer
    help: str = ""  # the ? list's sentence ("" when another entry describes this key too, or not listed)
    shown: str = ""  # how the ? list writes the key ("j / ↓, k / ↑"); default: the first key name
    bar: str = ""  # how the key bar writes the key ("^r"); "" when the key is not in the bar
    bar_label: str = ""  # the key bar's (shorter) description, when not ``label``
    tiny: str = ""  # the key bar's description on a narrow terminal (80 columns), when shorter still
    display: str | None = None  # how Textual's footer writes it ("/")
    footer: bool = False  # shown in a Textual footer (the adjudication view has one)
    priority: bool = False
    palette: tuple[str, str] | None = None  # (title, help) in the command palette
    bind: bool = True


@dataclass(frozen=True)
class Group:
    """The keys of one screen, in the order the ? list and the palette show them; ``bar`` is the key bar's order
    (actions; the app's keys are named "app.help" and so on)."""

    title: str
    keys: list[Key]
    bar: list[str] = field(default_factory=list)


def _accept(label: str, help: str, palette: tuple[str, str] | None, *, footer: bool) -> list[Key]:
    """1-9: the Nth suggestion. One entry describes them all."""
    first = Key("1", "accept(1)", f"{label} 1", help, shown="1 – 9", bar="1-9", bar_label=label, display="1-9",
                footer=footer, palette=palette)
    return [first, *(Key(str(n), f"accept({n})", f"{label} {n}") for n in range(2, 10))]


KEYMAP: dict[str, Group] = {
    "transcript": Group("Transcript view", [
        Key("j,down", "move(1)", "Next", "next / previous unit", shown="j / ↓, k / ↑"),
        Key("k,up", "move(-1)", "Previous"),
        *_accept("Accept", "accept the Nth suggestion for the current unit", None, footer=False),
        Key("c", "pick_code", "Code", "code picker: type to filter, Enter applies to the unit or selection", bar="c",
            footer=True, palette=("Apply a code", "Pick a code for the current unit or selection (c)")),
        Key("d", "remove_code", "Remove", "remove one of your codes from the current unit", bar="d", footer=True,
            palette=("Remove a code", "Remove one of your codes from the current unit (d)")),
        Key("n", "next_uncoded", "Next uncoded", "jump to the next unit you have not coded", bar="n", tiny="Next",
            footer=True,
            palette=("Next uncoded unit", "Jump to the next informant unit you have not coded (n)")),
        Key("minus", "not_codable", "Not codable",
            "mark the unit (or selection) not codable: out of progress and of n; again clears it", shown="-",
            bar="-", bar_label="Not codable", tiny="N/c", display="-",
            palette=("Not codable", "Mark the unit read and not worth coding; left out of progress (-)")),
        Key("s", "skip_for_now", "Skip for now", "skip the unit for now: n comes back to it last; again clears it",
            bar="s", bar_label="Skip",
            palette=("Skip for now", "Leave the unit for later: n visits it after every other (s)")),
        Key("v", "select", "Select", "start / end selecting a span of units (Esc clears)", bar="v", footer=True,
            palette=("Select a span", "Start or end selecting a span of units (v)")),
        Key("m", "memo", "Memo", "edit your memo on the current unit", bar="m", footer=True,
            palette=("Edit memo", "Write a memo on the current unit (m)")),
        Key("u", "undo", "Undo", "undo / redo (works across restarts)", shown="u / ctrl+r", bar="u", footer=True,
            palette=("Undo", "Undo your last coding or memo action (u)")),
        Key("ctrl+r", "redo", "Redo", bar="^r", footer=True, palette=("Redo", "Redo what you last undid (ctrl+r)")),
        Key("slash", "search", "Search", "search across transcripts", shown="/", bar="/", display="/", footer=True,
            palette=("Search", "Search across transcripts (/)")),
        Key("f", "filter_codes", "Filter codes", "filter the codebook tree (Enter applies the best match; Esc clears)",
            bar="f", bar_label="Filter"),
        Key("w", "queue", "Queue", "queue mode: this transcript's uncoded units with suggestions", bar="w",
            palette=("Queue mode", "Step through this transcript's uncoded units with suggestions (w)")),
        Key("D", "mark_done", "Done", "mark your coding of this transcript done (the list ticks you); again: not done",
            palette=("Mark transcript done", "Say your coding of this transcript is finished, or not after all (D)")),
        Key("t", "transcripts", "Transcripts", "back to the list of transcripts", bar="t", tiny="List",
            palette=("Transcripts", "Back to the list of transcripts (t)")),
        Key("pagedown", "move(10)", help="move 10 units / first / last unit", shown="pgup / pgdn, g / G"),
        Key("pageup", "move(-10)"),
        Key("home,g", "jump(0)"),
        Key("end,G", "jump(-1)"),
        Key("escape", "escape"),
        Key("tab", "focus_next", help="move between the units, codebook and suggestions", bind=False),
    ], bar=["pick_code", "accept(1)", "remove_code", "next_uncoded", "not_codable", "skip_for_now", "select", "memo",
            "undo", "redo", "search", "filter_codes", "queue", "transcripts", "app.help", "app.quit"]),
    "project": Group("Project view", [
        Key("enter", "open", "Open", "open the highlighted transcript", shown="Enter", bar="enter", footer=True,
            palette=("Open transcript", "Code the highlighted transcript")),
        Key("slash,f", "filter", "Filter", "filter transcripts (id, group, location, coder)", shown="/ or f",
            bar="/", display="/", footer=True,
            palette=("Filter transcripts", "Type to filter by id, group, location or coder")),
        Key("s", "sort", "Sort", "sort by the next column / reverse (or click a header)", shown="s / r", bar="s",
            footer=True, palette=("Sort transcripts", "Sort by the next column")),
        Key("r", "reverse", "Reverse"),
        Key("D", "mark_done", "Done", "mark your coding of the highlighted transcript done / not done",
            palette=("Mark transcript done", "Say your coding of the highlighted transcript is finished, or not (D)")),
        Key("R", "speakers", "Speakers", "speakers of the transcript: i makes one the interviewer, n an informant",
            palette=("Speakers and roles", "See the highlighted transcript's speakers and correct a role")),
        Key("w", "queue", "Queue", "queue mode: every transcript's uncoded units", bar="w", footer=True,
            palette=("Queue mode", "Step through the project's uncoded units with suggestions")),
        Key("escape", "clear_filter", "Clear filter"),
        Key("j", "cursor_down", "Down"),
        Key("k", "cursor_up", "Up"),
    ], bar=["open", "filter", "sort", "queue", "app.help", "app.quit", "app.command_palette"]),
    "queue": Group("Queue mode", [
        *_accept("Accept", "accept the Nth suggestion and go on",
                 ("Accept the top suggestion", "Apply suggestion 1 and go on (1)"), footer=True),
        Key("c", "correct", "Correct", "correct: pick another code (the top suggestion is recorded as rejected)",
            bar="c", footer=True, palette=("Correct", "Pick another code for this unit (c)")),
        Key("x", "reject", "Reject", "reject all suggestions for this unit", bar="x", footer=True,
            palette=("Reject suggestions", "Reject every suggestion for this unit (x)")),
        Key("s,space", "skip", "Skip", "skip this unit for now", shown="s / space", bar="s", footer=True,
            palette=("Skip", "Leave this unit for later (s)")),
        Key("minus", "not_codable", "Not codable", "mark the unit not codable and go on", shown="-", bar="-",
            tiny="N/c", display="-", footer=True,
            palette=("Not codable", "Mark the unit read and not worth coding (-)")),
        Key("k,up", "back", "Back", "back to the previous unit", shown="k / ↑"),
        Key("u", "undo", "Undo", "undo your last action here, and go back to its unit", bar="u", footer=True,
            palette=("Undo", "Undo your last action (u)")),
        Key("a", "scope", "Scope", "this transcript's units / every transcript's", bar="a", bar_label="All/one",
            footer=True, palette=("Whole project or this transcript", "Switch the queue's scope (a)")),
        Key("o", "open", "Open in transcript", "open the unit in its transcript", bar="o", bar_label="Open",
            footer=True,
            palette=("Open in transcript", "See the unit in its transcript (o)")),
        Key("escape", "leave", "Leave queue", "leave the queue", shown="Esc", bar="esc", bar_label="Leave",
            footer=True,
            palette=("Leave the queue", "Back to where you were (Esc)")),
    ], bar=["accept(1)", "correct", "reject", "skip", "not_codable", "undo", "scope", "open", "leave", "app.help",
            "app.quit"]),
    "adjudication": Group("Adjudication", [
        Key("a", "decide('apply')", "Apply code", "apply the code: the unit carries it", bar="a", bar_label="Apply",
            footer=True, palette=("Apply the code", "Settle the disagreement: the unit carries the code (a)")),
        Key("o", "decide('omit')", "Omit code", "omit the code: the unit does not carry it", bar="o",
            bar_label="Omit", footer=True,
            palette=("Omit the code", "Settle the disagreement: the unit does not carry the code (o)")),
        Key("n,j,down", "move(1)", "Next", "next / previous disagreement (j / k and ↓ / ↑ too)", shown="n / p",
            bar="n", footer=True),
        Key("p,k,up", "previous", "Previous", bar="p", tiny="Prev", footer=True),
        Key("m", "note", "Note", "write a note on the decision first (Enter keeps it)", bar="m", footer=True,
            palette=("Note", "Write a note for the next decision (m)")),
        Key("r", "reopen", "Reopen", "withdraw a decision: the disagreement is open again", bar="r",
            palette=("Reopen", "Withdraw the decision on this disagreement (r)")),
        Key("t", "toggle_settled", "Show settled", "show or hide the settled disagreements", bar="t",
            tiny="Settled", footer=True, palette=("Show settled", "Show or hide the settled disagreements (t)")),
        Key("escape", "leave", "Leave", "leave the adjudication view", shown="Esc", bar="esc", footer=True,
            palette=("Leave adjudication", "Back to where you were (Esc)")),
    ], bar=["decide('apply')", "decide('omit')", "move(1)", "previous", "note", "reopen", "toggle_settled", "leave",
            "app.help", "app.quit"]),
    "everywhere": Group("Everywhere", [
        Key("question_mark", "help", "Keys", "this list", shown="?", bar="?", display="?", footer=True,
            palette=("Keys", "Show every key of this screen")),
        Key("A", "adjudicate", "Adjudicate", "adjudicate disagreements between coders",
            palette=("Adjudicate", "Resolve disagreements between coders (A)")),
        Key("ctrl+p", "command_palette", "Palette", "command palette: every action by name", bar="^p", bind=False),
        Key("q", "quit", "Quit", "quit (everything is already saved)", bar="q", footer=True),
    ]),
    # the dialogs: their keys are listed on their last line (dialog_help), not in the ? list
    "picker": Group("Code picker and search", [
        Key("down", "down", help="choose", shown="↑/↓", priority=True),
        Key("up", "up", priority=True),
        Key("enter", "", help="apply", shown="Enter", bind=False),  # the input's submit
        Key("escape", "cancel", "Cancel", "cancel", shown="Esc"),
    ]),
    "memo": Group("Memo editor", [
        Key("ctrl+s", "save", "Save", "save (empty text deletes)", shown="Ctrl+S", priority=True),
        Key("escape", "cancel", "Cancel", "cancel", shown="Esc"),
    ]),
    "speakers": Group("Speakers and roles", [
        Key("i", "role('interviewer')", "Interviewer", "interviewer"),
        Key("n", "role('informant')", "Informant", "informant"),
        Key("j", "cursor(1)", "Down"),
        Key("k", "cursor(-1)", "Up"),
        Key("escape,q", "cancel", "Close", "close", shown="Esc"),
    ]),
    "help": Group("Keys", [
        Key("escape,question_mark,q", "close", "Close", "closes", shown="Esc or ?"),
    ]),
}

#: The ? list's groups for each screen, the screen's own first.
HELP_ORDER = ["transcript", "project", "queue", "adjudication", "everywhere"]


def bindings(group: str) -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """The Textual bindings of a screen (or of the app: "everywhere"), typed as Textual's BINDINGS."""
    return [Binding(k.keys, k.action, k.label, show=k.footer, key_display=k.display, priority=k.priority)
            for k in KEYMAP[group].keys if k.bind]


def key_bar(group: str) -> list[tuple[str, str, str, str]]:
    """The key bar of a screen: (key as shown, action, label, label on a narrow terminal), the app's keys named
    "app.<action>"."""
    out = []
    for action in KEYMAP[group].bar:
        where, _, name = action.rpartition(".")
        key = next(k for k in KEYMAP["everywhere" if where == "app" else group].keys if k.action == name)
        label = key.bar_label or key.label
        out.append((key.bar, action, label, key.tiny or label))
    return out


def help_rows(group: str) -> list[tuple[str, str]]:
    """The ? list's rows of a group: (keys as written, what they do)."""
    return [(k.shown or k.keys.split(",")[0], k.help) for k in KEYMAP[group].keys if k.help]


def dialog_help(group: str) -> str:
    """A dialog's last line: its keys and what they do ("↑/↓ choose · Enter apply · Esc cancel")."""
    return " · ".join(f"{shown} {help}" for shown, help in help_rows(group))


def help_groups(first: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every group of the ? list (title, rows), the screen's own (``first``) on top."""
    order = sorted(HELP_ORDER, key=lambda g: g != first)
    return [(KEYMAP[g].title, help_rows(g)) for g in order]


def palette(group: str, run: Callable[[str], Any]) -> Iterable[SystemCommand]:
    """The command palette's entries of a group; choosing one runs its action through ``run`` (a screen's or the
    app's ``run_action``)."""
    for k in KEYMAP[group].keys:
        if k.palette is not None:
            yield SystemCommand(k.palette[0], k.palette[1], partial(run, k.action))
