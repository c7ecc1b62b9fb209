"""Dialogs: the code picker, the memo editor, search across transcripts, a transcript's speakers, and the list of
keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events, messages, on
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.strip import Strip, StripRenderable
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from qualcode.actions import views as wb
from qualcode.model import Codebook, SearchHit
from qualcode.tui import keymap
from qualcode.tui.backdrop import dimmed, dimmed_picture, theme_tint
from qualcode.tui.host import WorkbenchScreen
from qualcode.tui.widgets.fit import elide_end, elide_middle
from qualcode.tui.widgets.panels import PlainCell, fill_table
from qualcode.tui.widgets.scrolling import OneLineOptionList, SteadyOptionList

if TYPE_CHECKING:
    from qualcode.tui.host import Host


def code_option_label(match: Any, codebook: Codebook, counts: dict[str, int], *, tree: bool = False,
                      width: int | None = None) -> Text:
    """A code as the picker lists it: colour, name with the typed letters marked, where it sits, its count, and why
    it matched when that is not its own name (a keyword, its parent, its definition, a close spelling).

    ``width``: the row's cells. The label then keeps to one row: a long name loses its middle ("Logic and coherence
    … theory of change") and its count stays beside it; where it sits and why it matched get what room is left (a
    wrapped name left its count alone on the next row, and the list, sized a row an option, cut its last codes off).
    The picker shows the highlighted code's full name under the list."""
    code = match.code
    indent = "  " * code.depth if tree else ""
    count = _count_text(code.id, counts)
    path = ""
    if code.parent_id and not tree:
        names, parent = [], code.parent_id
        while parent and parent in codebook:
            names.append(codebook[parent].name)
            parent = codebook[parent].parent_id
        path = "  " + " › ".join(reversed(names))
    why = f"  ({match.why})" if match.why and not match.why.startswith("name") and not tree else ""
    shown_name, spans = code.name, list(match.spans)
    if width is not None:
        room = name_room(code, counts, width, tree=tree)
        if cell_len(code.name) > room:
            shown_name, spans = _elided_spans(code.name, room, spans)
            path = why = ""
        else:
            left = room - cell_len(code.name)
            path = "" if left < 8 and path else elide_middle(path, left) if path else ""
            left -= cell_len(path)
            why = why if cell_len(why) <= left else (elide_end(why[:-1], left - 1) + ")" if left >= 12 else "")
    label = Text(indent)
    label.append("■ ", style=code.color or "grey50")
    name = Text(shown_name)
    for a, b in spans:
        name.stylize("bold underline", a, b)
    label.append_text(name)
    if path:
        label.append(path, style="dim")
    if count:
        label.append(count, style="dim")
    if why:
        label.append(why, style="dim italic")
    return label


def _count_text(code_id: str, counts: dict[str, int]) -> str:
    n = counts.get(code_id, 0)
    return f"  {n}" if n else ""


def name_room(code: Any, counts: dict[str, int], width: int, *, tree: bool = False) -> int:
    """The cells a picker row of ``width`` leaves the code's name, beside its indent, colour and count."""
    return max(4, width - (2 * code.depth if tree else 0) - 2 - cell_len(_count_text(code.id, counts)))


def _elided_spans(name: str, room: int, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """``name`` elided in the middle to ``room`` cells, and the marked letters' spans moved to where they are in it
    (those in the part left out dropped)."""
    shown = elide_middle(name, room)
    if "…" not in shown:
        return shown, spans
    head, tail = shown.split("…", 1)
    start_tail = len(name) - len(tail)
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if a < len(head):
            out.append((a, min(b, len(head))))
        if b > start_tail:
            out.append((len(head) + 1 + max(a, start_tail) - start_tail, len(head) + 1 + b - start_tail))
    return shown, out


def code_full_name(code_id: str, codebook: Codebook) -> str:
    """A code's whole name and where it sits (``Criterion › Code``), for the highlighted entry of the picker."""
    code = codebook.get(code_id)
    return wb.code_label(code, codebook) if code is not None else ""


ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A dialog over the screen it was opened from, which shows behind it dimmed, as it is now.

    Textual dims a screen behind a translucent one by drawing the whole screen below again, and blending every cell,
    each time the dialog's screen is drawn in full (when it opens, when its layout changes, and whenever anything
    changes below): 5-15 ms of every such drawing on a large project, and the reason opening and closing a dialog
    were the slowest keys. Here the dialog's screen is opaque, so Textual leaves the screen below alone, and it draws
    the dimmed picture of that screen itself: taken once when it opens (or by that screen in the last pause before,
    if it has not changed since: :meth:`WorkbenchScreen.current_backdrop`), then only its lines that changed, when they
    change (another coder's codings read by the store watcher, suggestions arriving, the status line saying what was
    saved). Textual passes each change of the screen below up to the screen on top, as the regions to draw again,
    once it has laid that screen out and drawn it (its frame, never in the middle of a key's handling); their lines
    are taken again when the dialog is next drawn, all the changes until then at once. Typing in the dialog changes
    nothing below it, and takes no picture."""

    DEFAULT_CSS = """
    Dialog {
        background: $background;
    }
    """

    _backdrop: list[Strip] | None = None
    _backdrop_size: tuple[int, int] = (0, 0)

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self._changed_rows: set[int] = set()  # lines of the screen below drawn again since the picture was taken

    def _below(self) -> Screen[Any] | None:
        stack = self.app.screen_stack
        if self not in stack:
            return None
        at = stack.index(self)
        return stack[at - 1] if at else None

    def on_screen_suspend(self) -> None:
        self._backdrop = None  # closed (or covered): the view behind it will have changed when it shows again

    _styled_for: int | None = None  # the version of the app's stylesheet its widgets were last styled with

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual applies the whole stylesheet again to every widget of a screen that is shown again (a dialog kept
        # between uses: the code picker, the list of keys), in case it changed while the screen was away, which only a
        # change of theme does: 7 ms of opening the picker on a large project, and its scroll bar laid out again a
        # frame later. Runs before Textual's own handler (a subclass's handler comes first).
        version = self.app._css_update_count
        if version == self._styled_for:
            event.refresh_styles = False
        self._styled_for = version

    def refresh(self, *regions: Region, **kwargs: Any) -> Dialog[ResultType]:
        if regions and not kwargs:
            if self._backdrop is None:  # the picture is taken whole when the dialog is next drawn
                return self
            # regions of the screen below that it drew again (the only refresh of a screen with regions): their lines
            # are taken again as this screen is next drawn. Marked to be drawn again as a widget's change is: a
            # screen's own refresh with regions would draw those regions alone in its next frame, and leave out its
            # widgets' changes waiting for that frame (the letter just typed in the picker)
            self._changed_rows.update(y for region in regions for y in range(region.y, region.bottom))
            self._layout_cache.clear()  # where Textual keeps what render() returned: render() is asked again
            self._set_dirty(*regions)
            self.post_message(messages.Update(self))
            return self
        super().refresh(*regions, **kwargs)
        return self

    def _tint(self) -> Color:
        if self.styles.background.a < 1:  # the terminal's own colours (ansi theme): shown as they are, undimmed
            return Color(0, 0, 0, 0)
        return theme_tint(self.app)

    def render(self) -> RenderableType:
        below = self._below()
        if below is None or not below.is_attached:
            return super().render()
        size = (self.app.size.width, self.app.size.height)
        tint = self._tint()
        if self._backdrop is None or self._backdrop_size != size:
            # taken in the last pause, if the screen below has not changed since (a copy: the lines that change are
            # drawn into it)
            ahead = below.current_backdrop() if isinstance(below, WorkbenchScreen) else None
            if ahead is not None and ahead.size == size and ahead.tint == tint:
                self._backdrop = list(ahead.lines)
            else:
                self._backdrop = dimmed_picture(below, tint).lines
            self._backdrop_size = size
        elif rows := sorted(y for y in self._changed_rows
                            if y < min(len(self._backdrop), below._compositor.size.height)):
            # only the lines that changed, each drawn whole from the screen below's layout
            chops = below._compositor._render_chops(Region(0, rows[0], size[0], rows[-1] + 1 - rows[0]),
                                                    self._changed_rows.__contains__)
            for y in rows:
                self._backdrop[y] = Strip(dimmed(Strip.join(chops[y].values()), tint))
        self._changed_rows.clear()
        return StripRenderable(self._backdrop, size[0])


class DialogBox(Vertical):
    """A dialog's box, sized by its contents. When they change its size (search results listed), the layout that sizes
    it places and draws its contents too: Textual laid the screen out and drew the box a second time, in a frame of its
    own, because the box's size had changed (a container's virtual size lays the screen out when it changes)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)


SEARCH_LIMIT = 200  # results listed at once: more is never read, and each costs drawing time


def _inner_width(widget: Widget, size: Size) -> int:
    """The width inside the dialog box holding ``widget`` (``.dialog``) at this terminal size, as the box's styles
    say (80% of the terminal, at most 100 columns, less its border and padding)."""
    box = next((node for node in widget.ancestors_with_self if node.has_class("dialog")), None)
    if not isinstance(box, Widget):
        return max(10, size.width)
    styles = box.styles
    width = int(styles.width.resolve(size, size)) if styles.width is not None else size.width
    if styles.max_width is not None:
        width = min(width, int(styles.max_width.resolve(size, size)))
    return max(10, width - styles.gutter.width)


def _size_rows(options: OptionList, size: Size, heading: str, help_text: str, reserve: int = 0) -> None:
    """Give a dialog's list as many rows as it has options, at most 16 and what the terminal leaves beside the
    dialog's title, box and help line, set before it is drawn: a list of height auto measures every option (twice
    a drawing: 200 search results, 40 ms), and a dialog that changes size has the whole screen drawn again."""
    inner, height = _inner_width(options, size), size.height
    title = -(-cell_len(heading) // inner)
    helps = -(-cell_len(help_text) // inner)
    # border, title and its gap, the box, help and its gap, and the rows kept for a line under the list
    room = int(height * 0.9) - (2 + title + 1 + 1 + 1 + helps + reserve)
    gutter = options.styles.gutter.height  # the list's own border and padding
    rows = max(min(1, options.option_count), min(16 - gutter, options.option_count, room - gutter)) + gutter
    if options.styles.height is None or options.styles.height.value != rows:
        options.styles.height = rows


def _focus_box(box: Input) -> None:
    """Focus a dialog's text box as the dialog is shown again, its cursor shown in the dialog's first drawing: the box
    hid it when the dialog closed, and showing it again as the focus comes round drew the box a second time, a frame
    after the dialog."""
    box._cursor_visible = True
    box.focus()


def taken_down(dialog: Screen[Any]) -> bool:
    """Whether a dialog built ahead (the picker, the search, the list of keys) comes to be mounted as the app is
    closing: its widgets, taken down with the app before they were mounted, are not there to prepare."""
    return not dialog.app.is_running


PICKER = "code-picker"  # the one code picker of the app, kept (installed) between uses


def open_code_picker(app: Any, codebook: Codebook, counts: dict[str, int], chosen: Any, *,
                     only: list[str] | None = None, title: str = "Apply code", enter: str = "apply") -> None:
    """Open the code picker; ``chosen(code id or None)`` runs when it closes; ``enter``: what Enter does with the
    code, as the picker says ("apply", "remove"). The app keeps one picker, made the first time and shown again
    after: opening one anew (its widgets, their styles, a first layout) was half of what ``c`` cost on a large
    project."""
    if app.is_screen_installed(PICKER):
        picker = app.get_screen(PICKER)
        if picker in app.screen_stack:  # already open (a key that opens it, typed again under it)
            return
        picker.prepare(codebook, counts, only=only, title=title, enter=enter)
    else:
        app.install_screen(CodePicker(codebook, counts, only=only, title=title, enter=enter), name=PICKER)
    app.push_screen(PICKER, chosen)


SEARCH = "search"  # the one search dialog of the app, kept (installed) between uses


def open_search(app: Any, transcript: str | None, done: Any) -> None:
    """Open the search dialog, empty; ``done(the hit jumped to, or None)`` runs when it closes. Kept between uses as
    the code picker is: a new one each time cost its widgets, their styles and three layouts (30 ms on a large
    project)."""
    if app.is_screen_installed(SEARCH):
        search = app.get_screen(SEARCH)
        if search in app.screen_stack:
            return
        search.prepare(transcript)
    else:
        app.install_screen(SearchScreen(transcript), name=SEARCH)
    app.push_screen(SEARCH, done)


class CodePicker(Dialog[str | None]):
    """Type to fuzzy-filter the codebook; Enter returns the highlighted code, Escape nothing."""

    BINDINGS = keymap.bindings("picker")

    def __init__(self, codebook: Codebook, counts: dict[str, int], *, only: list[str] | None = None,
                 title: str = "Apply code", enter: str = "apply") -> None:
        super().__init__()
        self.codebook = codebook
        self.counts = counts
        self.only = only
        self.heading = title
        self.enter = enter  # what Enter does with the code chosen, as the picker says
        self._filled: str | None = None  # the text the list was filtered for
        self._tree_options: dict[tuple[Any, ...], Option] = {}  # the options of the whole codebook, last shown

    def compose(self) -> ComposeResult:
        with DialogBox(id="picker", classes="dialog"):
            yield Static(Text(self.heading), id="picker-title", classes="dialog-title")  # data, not markup
            yield Input(placeholder=self._placeholder(), id="picker-input", compact=True)
            yield SteadyOptionList(id="picker-list")
            yield Static("", id="picker-full")  # the highlighted code's whole name, when its row elides it
            yield Static(self._help(), classes="dialog-help")

    def on_mount(self) -> None:
        if taken_down(self):
            return
        # filtered as the letter is put in the box, not when its Changed message comes round: the box and the list
        # are then drawn together, in one frame rather than two
        self.watch(self.query_one("#picker-input", Input), "value", self._typed, init=False)
        self._reset()

    def _row_width(self) -> int:
        """The cells of one row of the list, as the dialog's styles make it at this terminal size (known before the
        list is first drawn: its labels are made to fit it)."""
        options = self.query_one("#picker-list", OptionList)
        option = options.get_component_styles("option-list--option")
        return max(10, _inner_width(options, self.app.size) - options.styles.gutter.width
                   - options.styles.scrollbar_size_vertical - option.padding.width)

    @on(OptionList.OptionHighlighted, "#picker-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_full(event.option.id)

    def _show_full(self, code_id: str | None) -> None:
        """Under the list, when its rows shorten some names: the highlighted code's whole name and where it sits (the
        two rows kept whatever is highlighted, so that the dialog keeps its size as the highlight moves)."""
        full = self.query_one("#picker-full", Static)
        if full.display:
            full.update(Text(code_full_name(code_id, self.codebook) if code_id else "", style="italic"))

    def prepare(self, codebook: Codebook, counts: dict[str, int], *, only: list[str] | None = None,
                title: str = "Apply code", enter: str = "apply") -> None:
        """Show the picker again, for these codes, with an empty box."""
        self.codebook, self.counts, self.only, self.heading = codebook, counts, only, title
        self._backdrop = None  # the view behind it has changed since
        self.query_one("#picker-title", Static).update(Text(title))
        if enter != self.enter:
            self.enter = enter
            self.query_one("#picker-input", Input).placeholder = self._placeholder()
            self.query_one(".dialog-help", Static).update(self._help())
        self._reset()

    def _placeholder(self) -> str:
        return f"type to filter codes, Enter to {self.enter}"

    def _help(self) -> str:
        """The keys' line, Enter saying what it does here."""
        return keymap.dialog_help("picker").replace("Enter apply", f"Enter {self.enter}")

    def _reset(self) -> None:
        """An empty box and the whole codebook (or the codes it may choose from) listed, the box focused."""
        box = self.query_one("#picker-input", Input)
        self._filled = None
        box.value = ""  # listed by _typed if the box said something
        if self._filled is None:
            self._fill("")
        self._size_list()
        _focus_box(box)

    def on_resize(self) -> None:
        if self._filled is not None:  # the rows made to fit the list's width again, the same code highlighted
            options = self.query_one("#picker-list", OptionList)
            code = self._highlighted_code()
            self._fill(self._filled)
            index = next((i for i in range(options.option_count) if options.get_option_at_index(i).id == code), None)
            if index is not None:
                options.highlighted = index
        self._size_list()

    def _size_list(self) -> None:
        """The list gets the rows of the codebook as it opened (at most 16, and what the terminal leaves), and keeps
        them while it is filtered: a dialog whose size changes makes Textual draw the whole screen again, the view
        behind it dimmed (100 ms of a letter on a large project when it shrank with every letter; measuring it after
        its first drawing cost a second drawing of the whole screen, 15 ms)."""
        width = self._row_width()
        # two rows for the whole name of a highlighted code whose row shortens it, if any would
        codes = self.codebook if self.only is None else [c for c in self.codebook if c.id in self.only]
        elided = any(cell_len(c.name) > name_room(c, self.counts, width, tree=True) for c in codes)
        _size_rows(self.query_one("#picker-list", OptionList), self.app.size, self.heading, self._help(),
                   reserve=2 if elided else 0)
        full = self.query_one("#picker-full", Static)
        if full.display != elided:
            full.display = elided
            self._show_full_highlighted()

    def _fill(self, query: str) -> None:
        from qualcode.codematch import rank_codes

        self._filled = query
        options = self.query_one("#picker-list", SteadyOptionList)
        tree = not query.strip()
        matches = rank_codes(self.codebook, query, only=None if self.only is None else set(self.only))
        if not tree:
            options.clear_options()
            width = self._row_width()
            options.add_options([Option(code_option_label(match, self.codebook, self.counts, width=width),
                                        id=match.code.id) for match in matches])
            if options.option_count:
                options.highlighted = 0
            self._show_full_highlighted()
            return
        # the whole codebook, as the picker opens: an option shown before is shown again as it was, and drawn as it
        # was at the same place (Textual keeps what it made of its label to draw and measure it, 10 ms for a codebook
        # of 60 on a large project), a new one only for a code whose name, colour, place or count changed
        kept, shown, width = self._tree_options, {}, self._row_width()
        for match in matches:
            code = match.code
            key = (code.id, code.name, code.color, code.depth, self.counts.get(code.id, 0), tuple(match.spans), width)
            option = kept.get(key)
            if option is None:
                option = Option(code_option_label(match, self.codebook, self.counts, tree=True, width=width),
                                id=code.id)
            shown[key] = option
        if self.only is None:  # the whole codebook; the few codes `d` chooses from leave it be
            self._tree_options = shown
        options.replace_options(list(shown.values()))
        self._show_full_highlighted()

    def _show_full_highlighted(self) -> None:
        self._show_full(self._highlighted_code())

    def _highlighted_code(self) -> str | None:
        options = self.query_one("#picker-list", OptionList)
        at = options.highlighted
        return options.get_option_at_index(at).id if at is not None and at < options.option_count else None

    def _typed(self, value: str) -> None:
        if value != self._filled:
            self._fill(value)

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


class MemoEditor(Dialog[str | None]):
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


class SearchScreen(Dialog[SearchJump | None]):
    """Search every transcript (words in any order, or a "quoted phrase"); Enter jumps to the unit."""

    BINDINGS = keymap.bindings("picker")

    def __init__(self, transcript: str | None = None) -> None:
        super().__init__()
        self.transcript = transcript
        self.hits: list[SearchHit] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        with DialogBox(id="search", classes="dialog"):
            yield Static("Search across transcripts", classes="dialog-title")
            yield Input(placeholder='words, or "a phrase" — Enter to search, again to jump', id="search-input",
                        compact=True)
            yield OneLineOptionList(id="search-results")
            yield Static("", id="search-count", classes="dialog-help")

    def on_mount(self) -> None:
        if not taken_down(self):
            self.query_one("#search-input", Input).focus()

    def prepare(self, transcript: str | None = None) -> None:
        """Show the dialog again, as it first opened: an empty box, no results."""
        self.transcript = transcript
        self._backdrop = None  # the view behind it has changed since
        self.hits, self.query_text, self.count_text = [], "", ""
        options = self.query_one("#search-results", OptionList)
        options.clear_options()
        _size_rows(options, self.app.size, "Search across transcripts", "")  # no rows (it was sized for the results)
        self.query_one("#search-count", Static).update("")
        box = self.query_one("#search-input", Input)
        box.value = ""
        _focus_box(box)

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self.query_text and self.hits:
            self._jump()
            return
        self.query_text = event.value
        project = cast("Host", self.app).project
        # the open transcript's units first: the interview being coded is where a search mostly looks
        self.hits = wb.search_units(project, event.value, limit=SEARCH_LIMIT, first=self.transcript)
        self._show_hits()
        more = f" (the first {SEARCH_LIMIT}: add a word to narrow)" if len(self.hits) == SEARCH_LIMIT else ""
        count = (f"{len(self.hits)} unit(s){more} · Enter jump · ↑/↓ choose · Esc close" if event.value.strip()
                 else "type words and press Enter")
        self.count_text = count
        self.query_one("#search-count", Static).update(count)
        self._size_results()

    count_text = ""

    def _size_results(self) -> None:
        options = self.query_one("#search-results", OptionList)
        _size_rows(options, self.app.size, "Search across transcripts", self.count_text)
        # whether it scrolls, said before the list is laid out: Textual can tell only once it has rows (from none, as
        # the dialog opens, it was laid out and drawn a second time with its scroll bar)
        scrolls = options.option_count > options.styles.height.value - options.styles.gutter.height  # type: ignore[union-attr]
        if scrolls != options.show_vertical_scrollbar:
            options.show_vertical_scrollbar = scrolls
            options.vertical_scrollbar.display = scrolls

    def on_resize(self) -> None:
        if self.hits:
            options = self.query_one("#search-results", OptionList)
            highlighted = options.highlighted
            self._show_hits()
            options.highlighted = highlighted
            self._size_results()

    def _show_hits(self) -> None:
        options = self.query_one("#search-results", OptionList)
        options.clear_options()
        # one line each, the match always on it: a result of two lines cost drawing time and showed half as many
        # (the list's border and padding take their columns of the dialog's width, a scroll bar its own)
        fits = (_inner_width(options, self.app.size) - options.styles.gutter.width
                - options.styles.scrollbar_size_vertical - 1)
        labels = []
        for n, h in enumerate(self.hits):
            label = Text(no_wrap=True, overflow="ellipsis")
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
            label.truncate(fits, overflow="ellipsis")
            labels.append(Option(label, id=str(n)))
        options.add_options(labels)
        if self.hits:
            options.highlighted = 0

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


class SpeakerRoles(Dialog[tuple[str, str] | None]):
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
        # narrowed to the dialog's width: every column in sight ("decided by" was cut at 80 columns), beside a
        # scroll bar when the speakers are more than the table's rows
        speakers = self.data["speakers"]
        rows = table.styles.max_height.value if table.styles.max_height is not None else 14
        bar = table.styles.scrollbar_size_vertical if len(speakers) + 1 > rows else 0
        fill_table(table, {h: h for h in ("speaker", "role", "case", "units", "decided by")},
                   [(s["label"], [PlainCell(str(v)) for v in (s["label"], s["role"], s["case"] or "—", s["units"],
                                                              s["how"])]) for s in speakers],
                   width=_inner_width(table, self.app.size) - bar)
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


class HelpScreen(Dialog[None]):
    """Every key, grouped by screen (the one you came from first). Plain text in a scrolling box: a table widget
    drew each of its forty rows separately and made ? take a tenth of a second."""

    BINDINGS = keymap.bindings("help")

    def __init__(self, origin: Screen[Any] | None = None) -> None:
        super().__init__()
        self.origin = origin.KEYS if isinstance(origin, WorkbenchScreen) else None  # its keys are listed first

    def compose(self) -> ComposeResult:
        groups = keymap.help_groups(self.origin)
        width = max(cell_len(key) for _, rows in groups for key, _ in rows) + 2
        # a grid, so that a description that wraps goes on beside its key (at the box's edge, under the keys, its
        # last words read as a key of their own)
        parts: list[RenderableType] = []
        for n, (title, rows) in enumerate(groups):
            parts.append(Text(("\n" if n else "") + title, style="bold underline"))
            grid = Table.grid()
            grid.add_column(width=width, no_wrap=True, style="bold")
            grid.add_column(ratio=1)
            for key, does in rows:
                grid.add_row(Text(key), Text(does))  # plain text: '[' in a key is not markup
            parts.append(grid)
        with Vertical(id="help", classes="dialog"):
            yield Static("Keys", classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                yield Static(Group(*parts))
            yield Static(keymap.dialog_help("help") + " · every action is also in the command palette (ctrl+p)",
                         classes="dialog-help")

    def on_mount(self) -> None:
        if not taken_down(self):
            self.query_one("#help-keys", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
