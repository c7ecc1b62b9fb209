"""Side panels of the transcript view: the codebook tree with counts, the suggestions, and the status bar."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option

from qualcode.model import Codebook
from qualcode.tui.widgets.fit import elide_end, elide_middle
from qualcode.tui.widgets.scrolling import SteadyOptionList, SteadyTree


class PlainCell(Text):
    """A table cell holding data as plain text (never markup) that compares equal to that text."""

    def __init__(self, text: str) -> None:
        super().__init__(text, end="")

    def __eq__(self, other: object) -> bool:
        return self.plain == other if isinstance(other, str) else super().__eq__(other)

    __hash__ = Text.__hash__


def fill_table(table: DataTable[Any], headers: Mapping[str, Text | str],
               rows: Sequence[tuple[str, Sequence[Text]]], *, width: int | None = None) -> None:
    """Show ``rows`` (each a key and its cells) in ``table`` under ``headers`` (column key -> header), each column as
    wide as its widest cell or header, measured here.

    Textual measures a table's new rows a moment later, when the table is next idle: a frame drawn in between (which
    a loaded machine does) drew the rows at the headers' widths, and the table kept those lines ("FG" for FGD-01,
    progress without its percentage, for good).

    ``width``: the cells the table has. Columns too wide for it together are narrowed, the widest first, and their
    cells and headers are cut with a mark ("case sheet spe…"; the first column's, the rows' names, lose their
    middle), so that every column shows (the last one was cut off at 80 columns, reachable only by scrolling
    sideways)."""
    widths = {key: cell_len(header.plain if isinstance(header, Text) else header) for key, header in headers.items()}
    for _, cells in rows:
        for key, cell in zip(headers, cells, strict=True):
            widths[key] = max(widths[key], cell.cell_len)
    if width is not None:
        widths = _narrowed(widths, width - 2 * table.cell_padding * len(widths))
        first = next(iter(headers), None)  # the rows' names: two that differ only at the end stay apart
        headers = {key: _fitted(header, widths[key]) for key, header in headers.items()}
        rows = [(row_key, [_fitted(cell, widths[key], middle=key == first)
                           for key, cell in zip(headers, cells, strict=True)]) for row_key, cells in rows]
    table.clear(columns=True)
    for key, header in headers.items():
        table.add_column(header, width=widths[key], key=key)
    for row_key, cells in rows:
        table.add_row(*cells, key=row_key)


def _narrowed(widths: dict[str, int], room: int, least: int = 4) -> dict[str, int]:
    """Column widths whose sum is at most ``room``: the widest column loses a cell at a time (none below ``least``,
    nor below its own width)."""
    out = dict(widths)
    while sum(out.values()) > room:
        key = max(out, key=lambda k: out[k])
        if out[key] <= least:
            break
        out[key] -= 1
    return out


def _fitted(cell: Any, width: int, *, middle: bool = False) -> Any:
    """A cell or header in ``width`` cells: as it is if it fits, else cut with a mark at its end ("case sheet
    spe…"), or with ``middle`` its middle left out (plain text)."""
    text = cell.plain if isinstance(cell, Text) else str(cell)
    if cell_len(text) <= width:
        return cell
    short = elide_middle(text, width) if middle else elide_end(text, width)
    return PlainCell(short) if isinstance(cell, Text) else short


class CodebookPanel(Vertical):
    """The code tree with codings per code, filtered fuzzily as the evaluator types."""

    class CodeChosen(Message):
        """A code was picked in the tree (Enter or click): apply it to the current unit or selection."""

        def __init__(self, code_id: str) -> None:
            self.code_id = code_id
            super().__init__()

    def __init__(self, codebook: Codebook, counts: dict[str, int], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.codebook = codebook
        self.counts = dict(counts)  # a copy: the screen updates its own counts and then hands them over

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter codes (f)", id="code-filter", compact=True)
        tree: Tree[str] = SteadyTree("Codebook", id="code-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree

    shown_filter: str | None = None  # the filter the tree shows (None: not drawn yet)
    _shown_keep: frozenset[str] | None = None  # the codes it shows (None: all, the criteria folded)

    def on_mount(self) -> None:
        self._labels: dict[str, Text] = {}
        self.rebuild()
        # filtered as the letter is put in the box, not when its Changed message comes round: the box and the tree
        # then ask for one layout of the screen together, rather than two laid out and painted one after the other
        self.watch(self.query_one("#code-filter", Input), "value", self.rebuild, init=False)

    def rebuild(self, query: str = "") -> None:
        """Show the codes matching ``query`` (all when empty), with their criteria so the tree keeps its shape.

        A letter typed in the filter must show on screen at once: the tree is only rebuilt when the set of matching
        codes changes (most letters narrow it a little or not at all), the labels are kept per code, and the tree's
        lines are laid out before the screen is, so that one refresh of the screen shows the result (the default
        tree lays out lazily, while painting, and the screen then has to be laid out and painted again)."""
        from qualcode.actions.views import fuzzy_codes

        keep: set[str] | None = None
        if query.strip():
            keep = {c.id for c, _ in fuzzy_codes(self.codebook, query)}
            for code_id in list(keep):  # ancestors stay so the tree keeps its shape
                parent = self.codebook[code_id].parent_id
                while parent and parent not in keep:
                    keep.add(parent)
                    parent = self.codebook[parent].parent_id
        frozen = None if keep is None else frozenset(keep)
        if self.shown_filter is not None and frozen == self._shown_keep:
            self.shown_filter = query
            return
        tree: Tree[str] = self.query_one("#code-tree", Tree)
        tree.clear()

        def add(node: Any, code: Any) -> None:
            if keep is not None and code.id not in keep:
                return
            label = self._label(code)
            if any(keep is None or k.id in keep for k in code.children):
                child = node.add(label, data=code.id, expand=keep is not None)
                for k in code.children:
                    add(child, k)
            else:
                node.add_leaf(label, data=code.id)

        for root in self.codebook.roots:
            add(tree.root, root)
        tree.root.expand()
        _ = tree.last_line  # lay the lines out now (see above)
        self.shown_filter, self._shown_keep = query, frozen

    def _label(self, code: Any) -> Text:
        label = self._labels.get(code.id)
        if label is None:
            n = sum(self.counts.get(c.id, 0) for c in code.walk())  # a criterion counts its sub-codes too
            label = Text()
            label.append("■ ", style=code.color or "grey50")
            label.append(code.name)
            if n:
                label.append(f" {n}", style="dim")
            self._labels[code.id] = label
        return label

    def set_counts(self, counts: dict[str, int]) -> None:
        if counts == self.counts:
            return
        changed = {k for k in set(counts) | set(self.counts) if counts.get(k) != self.counts.get(k)}
        stale: set[str] = set()
        for code_id in changed:  # the code and every ancestor (whose totals include it)
            while code_id and code_id in self.codebook:
                stale.add(code_id)
                code_id = self.codebook[code_id].parent_id or ""
        self.counts = dict(counts)
        for code_id in stale:
            self._labels.pop(code_id, None)
        tree: Tree[str] = self.query_one("#code-tree", Tree)
        stack = list(tree.root.children)
        while stack:
            node = stack.pop()
            if node.data in stale:
                node.set_label(self._label(self.codebook[node.data]))
            stack.extend(node.children)

    @on(Input.Submitted, "#code-filter")
    def _take_first(self, event: Input.Submitted) -> None:
        from qualcode.actions.views import fuzzy_codes

        found = fuzzy_codes(self.codebook, event.value, limit=1)
        if found:
            self.post_message(self.CodeChosen(found[0][0].id))

    @on(Tree.NodeSelected, "#code-tree")
    def _chosen(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data:
            self.post_message(self.CodeChosen(event.node.data))


class SuggestionsPanel(Vertical):
    """Suggested codes for the current unit: number key, score and why."""

    class Accepted(Message):
        def __init__(self, number: int) -> None:
            self.number = number
            super().__init__()

    def compose(self) -> ComposeResult:
        yield Static("Suggestions", classes="panel-title")
        yield SteadyOptionList(id="suggestion-list", compact=True)
        yield Static("no suggestions yet", id="suggestion-note")

    shown_unit: int | None = None  # the unit whose suggestions are on screen
    shown_count = 0
    _title = "Suggestions"

    def set_title(self, text: str) -> None:
        """The panel's title ("Suggestions for KII-01:12" when they are not the current unit's)."""
        if text != self._title:
            self._title = text
            self.query_one(".panel-title", Static).update(Text(text))  # ids are data, never markup
    _shown: tuple[list[Mapping[str, Any]], str] = ([], "")
    _drawn_for = (-1, -1)  # (panel width, terminal height) the suggestions were last drawn for

    def show(self, suggestions: Sequence[Mapping[str, Any]], note: str = "", *, unit: int | None = None) -> None:
        """Show suggestions (numbered as the keys that accept them) for ``unit``, or a note when there are none."""
        shown = (list(suggestions), note)
        if (unit, shown) == (self.shown_unit, self._shown) and self._drawn_for == self._room():
            return  # the same again (the status changed, a memo was saved...): nothing to draw
        self.shown_unit, self.shown_count = unit, len(suggestions)
        self._shown = shown
        self._draw()

    def on_resize(self) -> None:
        # drawn again for another width or terminal height only: the panel's own height follows its content, and a
        # resize because one suggestion fewer is shown must not draw (and lay out the screen) a second time
        if self.shown_count and self._drawn_for != self._room():
            self._draw()

    def _room(self) -> tuple[int, int]:
        return self.size.width, self.app.size.height if self.is_attached else 24

    def _draw(self) -> None:
        """One line per suggestion (number, colour, name elided in the middle, score) and the reasons under it as
        far as the room allows: on a wide and tall screen in full, on a tall one the first suggestion's in full and
        the others' first line, on a wide but short one (the queue at 80x24) the first line of each, on a small
        panel (the transcript view at 80x24) none, so that three or more suggestions stay readable next to the
        unit."""
        suggestions, note = self._shown
        options = self.query_one("#suggestion-list", OptionList)
        self._drawn_for = self._room()
        width = max(20, (self.size.width or 40) - 2)
        tall = self._drawn_for[1] >= 36
        wide = width >= 60
        drawn: list[Option] = []
        rows = 0
        for n, s in enumerate(suggestions[:9], start=1):
            label = Text(no_wrap=True, overflow="ellipsis")
            score = f" {s.get('score', 0):.2f}"
            label.append(f"{n} ", style="bold")
            label.append("■ ", style=s.get("color") or "grey50")
            full = s.get("name") or s["code"]
            room = width - 4 - len(score)
            if cell_len(full) <= room or wide:
                first, second = elide_middle(full, room), ""
            else:  # a narrow panel: the name on two lines rather than cut to a few words
                lines = textwrap.wrap(full, room) or [full]
                first = lines[0]
                second = elide_middle(full[len(first):].strip(), width - 4)
            label.append(first)
            label.append(" " * max(1, room + 1 - cell_len(first)) + score.strip(), style="dim")
            if second:
                label.append("\n    " + second)
            why = " ".join(str(s.get("why") or "").split())
            if why and (wide or tall):
                # the strongest evidence comes first, so the first line says most
                # the suggestion 1 and Enter accept is explained in full when there is height for it
                full_why = tall and (wide or n == 1)
                lines = textwrap.wrap(why, width=width - 4) if full_why else [elide_end(why, width - 4)]
                label.append("".join("\n    " + line for line in lines), style="dim italic")
            drawn.append(Option(label, id=str(n)))
            rows += label.plain.count("\n") + 1  # one line each, never wrapped (no_wrap): its own line breaks
        if drawn:
            # the list is as high as its lines (at most its max-height), set rather than measured: a list of height
            # auto lays the whole screen out again whenever its options change, though the next unit's suggestions
            # mostly take as many lines as the last one's (a layout and a second drawing of every move)
            options.styles.height = rows
        # replaced at once: cleared first, the emptied list hid its scroll bar, and laid the screen out, in between
        options.set_options(drawn)
        options.display = bool(suggestions)
        note_widget = self.query_one("#suggestion-note", Static)
        # the note may quote an error message, which may quote data: never read as markup
        said = note or ("" if suggestions else "no suggestions yet")
        if said != self._said:  # a Static lays the screen out again whenever it is updated, even to the same text
            self._said = said
            note_widget.update(Text(said))
        note_widget.display = bool(note or not suggestions)

    _said = "no suggestions yet"  # what the note under the list says

    @on(OptionList.OptionSelected, "#suggestion-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(self.Accepted(int(event.option.id)))


class MemoPanel(Static):
    """The current unit's memos (yours first)."""

    _shown: tuple[dict[str, str], str] | None = None

    def show(self, memos: dict[str, str], coder: str) -> None:
        if (memos, coder) == self._shown:
            return  # unchanged (the status or the suggestions changed): not drawn and laid out again
        self._shown = (dict(memos), coder)
        if not memos:
            self.update(Text("no memo (m to write one)", style="dim"))
            return
        text = Text()
        for who in sorted(memos, key=lambda w: (w != coder, w)):
            if text:
                text.append("\n")
            text.append("✎ " + (who if who != coder else "you") + ": ", style="bold")
            text.append(memos[who])
        self.update(text)


class StatusLine(NamedTuple):
    """What the status line is to say: who codes, where, the progress, whether a write is being saved, the last
    message (an error's in red)."""

    coder: str
    where: str
    progress: dict[str, int] | None
    saving: bool
    message: str
    error: bool


class StatusBar(Static):
    """Coder, where you are, progress and whether everything is saved."""

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    """

    def show(self, *, coder: str, where: str, progress: dict[str, int] | None, saving: bool, message: str = "",
             error: bool = False) -> None:
        self._said = StatusLine(coder, where, progress, saving, message, error)
        self._draw(self._said)

    def on_resize(self) -> None:
        if self._said is not None:
            self._draw(self._said)

    def _draw(self, line: StatusLine) -> None:
        coder, where, progress, saving, message, error = line
        width = self.size.width or self.app.size.width
        done = f"  {progress['coded']}/{progress['total']} coded" if progress else ""

        def over() -> int:
            return cell_len(f" {coder}   {where}{done}  saving…  {message}") - width

        # A message that names something ('Funding to continue': what undo did, where) must be read to its end: on a
        # narrow terminal the unit's number and the progress give it their room for as long as it shows, then its
        # long names lose their middle. Any other message takes the room of the unit's number (the progress stays),
        # and a message still too long is cut at its end with a mark
        # ("…"), never silently mid-word ("coded KII-12:8: Participation of"). "saving…"/"saved ✓" always stays.
        if message and over() > 0:
            where = where.split(" (", 1)[0]  # "KII-01:12 (12/76) · 3 selected" -> "KII-01:12"
        if message and over() > 0 and "'" in message:
            if over() > 0:
                done = ""
            if over() > 0:
                fitted = _fit_names(message, cell_len(message) - over())
                if cell_len(fitted) <= cell_len(message) - over():  # else the names stay whole and the end is cut
                    message = fitted
        if message and over() > 0:
                message = elide_end(message, max(1, cell_len(message) - over()))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {coder} ", style="bold reverse")
        if where:
            text.append(f"  {where}")
        text.append(done)
        text.append("  ")
        text.append("saving…" if saving else "saved ✓", style="bold" if saving else "")
        if message:
            text.append("  " + message, style="bold red" if error else "italic")
        if text == self.shown:
            return
        self.shown = text
        self.update(text, layout=False)  # one line, whatever it says: the screen need not be laid out again

    _said: StatusLine | None = None
    shown: Text | None = None  # what the line says (a new object whenever it changes)


def _fit_names(message: str, width: int) -> str:
    """A message in ``width`` cells if the names quoted in it ('…') can lose their middle, longest first (down to 16
    cells each), so that what was done and where stay readable ("undo: removed 'New actors, p…or hindered' from
    KII-01:3"); as short as that makes it otherwise."""
    import re

    # a name is quoted as 'Name' before the word that says where ("… to KII-01:3", "'P1' of KII-01"); an apostrophe
    # inside a name ("Workers' organisation") is not where it ends
    names = re.findall(r"(?:^|(?<=\s))'(.{17,}?)'(?=\s(?:to|from|on|of|for|is|mark)\b|$)", message) or \
        re.findall(r"(?:^|(?<=\s))'(.{17,}?)'(?=[\s,;:?.!]|$)", message)  # other messages ("… applied 'X' there")
    for name in sorted(set(names), key=len, reverse=True):
        extra = cell_len(message) - width
        if extra <= 0:
            break
        message = message.replace(f"'{name}'", f"'{elide_middle(name, max(16, cell_len(name) - extra))}'")
    return message


class KeyBar(Static):
    """The keys of the screen, each clickable, all of them whatever the width: on one row when they fit, else on
    two, with shorter labels on a narrow terminal (80 columns). Drawn again only when the width changes: Textual's
    Footer rebuilds itself whenever a dialog opens or closes, which costs tens of milliseconds on every coding."""

    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, keys: Sequence[tuple[str, ...]], *, id: str | None = None) -> None:
        # (key as shown, action on the screen, label[, label on a narrow terminal])
        self.keys = [(k[0], k[1], k[2], k[3] if len(k) > 3 else k[2]) for k in keys]
        self._width = 0
        super().__init__(self._markup([(k, a, label) for k, a, label, _ in self.keys]), id=id)

    @staticmethod
    def _markup(keys: Sequence[tuple[str, str, str]]) -> str:
        # the description is plain text in markup: escape what markup would read
        return " " + "  ".join(f"[@click=screen.{action}][b]{escape(key)}[/b] {escape(description)}[/]"
                               for key, action, description in keys)

    def on_resize(self) -> None:
        width = self.size.width
        if not width or width == self._width:
            return
        self._width = width
        rows = self.rows(width)
        self.styles.height = len(rows)
        self.update("\n".join(self._markup(row) for row in rows))

    def rows(self, width: int) -> list[list[tuple[str, str, str]]]:
        """The keys laid out in rows of at most ``width`` cells, none split: their labels when two rows hold
        them, else the short ones."""
        rows: list[list[tuple[str, str, str]]] = []
        for short in (False, True):
            rows = [[]]
            used = 1
            for key, action, label, tiny in self.keys:
                text = tiny if short else label
                cells = cell_len(key) + 1 + cell_len(text) + 2
                if rows[-1] and used + cells - 2 > width:
                    rows.append([])
                    used = 1
                rows[-1].append((key, action, text))
                used += cells
            if len(rows) <= 2:
                break
        return rows
