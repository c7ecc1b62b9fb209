"""Dialogs: the code picker, the memo editor, search across transcripts, a transcript's speakers, and the list of
keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from qualcode.actions import views as wb
from qualcode.model import Codebook, SearchHit
from qualcode.tui import keymap
from qualcode.tui.host import WorkbenchScreen
from qualcode.tui.widgets.panels import PlainCell

if TYPE_CHECKING:
    from qualcode.tui.host import Host


def code_option_label(match: Any, codebook: Codebook, counts: dict[str, int], *, tree: bool = False) -> Text:
    """A code as the picker lists it: colour, name with the typed letters marked, where it sits, its count, and why
    it matched when that is not its own name (a keyword, its parent, its definition, a close spelling)."""
    code = match.code
    label = Text()
    if tree:
        label.append("  " * code.depth)
    label.append("■ ", style=code.color or "grey50")
    name = Text(code.name)
    for a, b in match.spans:
        name.stylize("bold underline", a, b)
    label.append_text(name)
    if code.parent_id and not tree:
        path, parent = [], code.parent_id
        while parent and parent in codebook:
            path.append(codebook[parent].name)
            parent = codebook[parent].parent_id
        label.append("  " + " › ".join(reversed(path)), style="dim")
    n = counts.get(code.id, 0)
    if n:
        label.append(f"  {n}", style="dim")
    if match.why and not match.why.startswith("name") and not tree:
        label.append(f"  ({match.why})", style="dim italic")
    return label



SEARCH_LIMIT = 200  # results listed at once: more is never read, and each costs drawing time

class CodePicker(ModalScreen[str | None]):
    """Type to fuzzy-filter the codebook; Enter returns the highlighted code, Escape nothing."""

    BINDINGS = keymap.bindings("picker")

    def __init__(self, codebook: Codebook, counts: dict[str, int], *, only: list[str] | None = None,
                 title: str = "Apply code") -> None:
        super().__init__()
        self.codebook = codebook
        self.counts = counts
        self.only = only
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield Static(Text(self.heading), classes="dialog-title")  # holds a reference: data, not markup
            yield Input(placeholder="type to filter codes, Enter to apply", id="picker-input", compact=True)
            yield OptionList(id="picker-list")
            yield Static(keymap.dialog_help("picker"), classes="dialog-help")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-input", Input).focus()
        self.call_after_refresh(self._keep_size)

    def _keep_size(self) -> None:
        """The dialog keeps the size it opened with while the list is filtered: a dialog that shrank with every
        letter made the screen behind it be drawn again (dimmed) each time, 100 ms of a letter on a large project."""
        dialog = self.query_one("#picker", Vertical)
        if dialog.size.height:
            dialog.styles.height = dialog.outer_size.height
            self.query_one("#picker-list", OptionList).styles.height = "1fr"

    def _fill(self, query: str) -> None:
        from qualcode.codematch import rank_codes

        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        for match in rank_codes(self.codebook, query, only=None if self.only is None else set(self.only)):
            options.add_option(Option(code_option_label(match, self.codebook, self.counts, tree=not query.strip()),
                                      id=match.code.id))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_down(self) -> None:
        self.query_one("#picker-list", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#picker-list", OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemoEditor(ModalScreen[str | None]):
    """Edit your memo on a unit. Ctrl+S saves (empty deletes), Escape cancels."""

    BINDINGS = keymap.bindings("memo")

    def __init__(self, ref: str, text: str, unit_text: str) -> None:
        super().__init__()
        self.ref = ref
        self.text = text
        self.unit_text = unit_text

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-editor", classes="dialog"):
            yield Static(Text(f"Memo on {self.ref}"), classes="dialog-title")
            yield Static(Text(self.unit_text, style="italic"), id="memo-unit")
            yield TextArea(self.text, id="memo-text", soft_wrap=True, show_line_numbers=False)
            yield Static(keymap.dialog_help("memo"), classes="dialog-help")

    def on_mount(self) -> None:
        area = self.query_one("#memo-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#memo-text", TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class SearchJump(SearchHit):
    """A search hit the evaluator jumped to, with the query (the transcript view highlights it)."""

    query: str


class SearchScreen(ModalScreen[SearchJump | None]):
    """Search every transcript (words in any order, or a "quoted phrase"); Enter jumps to the unit."""

    BINDINGS = keymap.bindings("picker")

    def __init__(self, transcript: str | None = None) -> None:
        super().__init__()
        self.transcript = transcript
        self.hits: list[SearchHit] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="search", classes="dialog"):
            yield Static("Search across transcripts", classes="dialog-title")
            yield Input(placeholder='words, or "a phrase" — Enter to search, again to jump', id="search-input",
                        compact=True)
            yield OptionList(id="search-results")
            yield Static("", id="search-count", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#search-input", Input).focus()

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self.query_text and self.hits:
            self._jump()
            return
        self.query_text = event.value
        project = cast("Host", self.app).project
        self.hits = wb.search_units(project, event.value, limit=SEARCH_LIMIT)
        options = self.query_one("#search-results", OptionList)
        options.clear_options()
        for n, h in enumerate(self.hits):
            label = Text()
            label.append(f"{h['ref']:<10} ", style="bold")
            a, b = h["match"]
            start = max(0, a - 30)
            snippet = h["text"][start:]
            label.append(("…" if start else "") + snippet[: a - start], style="dim" if h["role"] == "interviewer"
                         else "")
            label.append(snippet[a - start: b - start], style="reverse")
            after = snippet[b - start:]
            if len(after) > 60:  # cut at a word, and say that the unit goes on
                after = after[:60].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
            label.append(after)
            options.add_option(Option(label, id=str(n)))
        if self.hits:
            options.highlighted = 0
        more = f" (the first {SEARCH_LIMIT}: add a word to narrow)" if len(self.hits) == SEARCH_LIMIT else ""
        self.query_one("#search-count", Static).update(
            f"{len(self.hits)} unit(s){more} · Enter jump · ↑/↓ choose · Esc close" if event.value.strip()
            else "type words and press Enter")

    @on(OptionList.OptionSelected, "#search-results")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#search-results", OptionList).highlighted = int(event.option.id or 0)
        self._jump()

    def _jump(self) -> None:
        options = self.query_one("#search-results", OptionList)
        if options.highlighted is None or not self.hits:
            return
        self.dismiss({**self.hits[options.highlighted], "query": self.query_text})

    def action_down(self) -> None:
        self.query_one("#search-results", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#search-results", OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class SpeakerRoles(ModalScreen[tuple[str, str] | None]):
    """A transcript's speakers with their units, role and case and the import's warnings; ``i`` makes the
    highlighted speaker the interviewer, ``n`` an informant (dismisses with ``(label, role)``)."""

    BINDINGS = keymap.bindings("speakers")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        with Vertical(id="speaker-roles", classes="dialog"):
            notes = " (interview notes)" if self.data["record"] == "notes" else ""
            yield Static(Text(f"Speakers of {self.data['id']}{notes}"), classes="dialog-title")  # an id is data
            yield DataTable(id="speaker-table", cursor_type="row", zebra_stripes=True)
            warnings = self.data["warnings"]
            if warnings:
                yield Static(Text("\n".join(f"! {w}" for w in warnings), style="italic", end=""), id="speaker-warnings")
            yield Static(keymap.dialog_help("speakers") + " · undo with u in a transcript or 'qualcode undo'",
                         classes="dialog-help")

    def on_mount(self) -> None:
        table = self.query_one("#speaker-table", DataTable)  # labels come from files: plain text, never markup
        table.add_columns("speaker", "role", "case", "units", "decided by")
        for s in self.data["speakers"]:
            table.add_row(*(PlainCell(str(v)) for v in (s["label"], s["role"], s["case"] or "—", s["units"],
                                                         s["how"])), key=s["label"])
        table.focus()

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#speaker-table", DataTable)
        if step > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_role(self, role: str) -> None:
        table = self.query_one("#speaker-table", DataTable)
        if not table.row_count:
            return
        label = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.dismiss((label, role))

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key, grouped by screen (the one you came from first). Plain text in a scrolling box: a table widget
    drew each of its forty rows separately and made ? take a tenth of a second."""

    BINDINGS = keymap.bindings("help")

    def __init__(self, origin: Screen[Any] | None = None) -> None:
        super().__init__()
        self.origin = origin.KEYS if isinstance(origin, WorkbenchScreen) else None  # its keys are listed first

    def compose(self) -> ComposeResult:
        groups = keymap.help_groups(self.origin)
        width = max(cell_len(key) for _, rows in groups for key, _ in rows) + 2
        text = Text(end="")
        for n, (title, rows) in enumerate(groups):
            text.append(("\n" if n else "") + title + "\n", style="bold underline")
            for key, does in rows:
                text.append(key.ljust(width), style="bold")
                text.append(does + "\n")
        with Vertical(id="help", classes="dialog"):
            yield Static("Keys", classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                yield Static(text)
            yield Static(keymap.dialog_help("help") + " · every action is also in the command palette (ctrl+p)",
                         classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#help-keys", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
