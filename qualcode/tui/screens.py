"""The project view (transcripts and their progress) and the transcript view (where the coding happens)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input

from qualcode.actions import coding, history, teamwork
from qualcode.actions import views as wb
from qualcode.actions.projects import set_speaker_role
from qualcode.folding import fold
from qualcode.model import Applied, CodedUnit, Marked, Removed, Reversal, Suggestion, TranscriptRow
from qualcode.tui import host as hosting
from qualcode.tui import keymap
from qualcode.tui.dialogs import SearchJump
from qualcode.tui.host import ProjectViewRequested, QueueRequested, TranscriptRequested, WorkbenchScreen
from qualcode.tui.widgets.fit import elide_middle
from qualcode.tui.widgets.panels import (
    CodebookPanel,
    KeyBar,
    MemoPanel,
    PlainCell,
    StatusBar,
    SuggestionsPanel,
    fill_table,
)
from qualcode.tui.widgets.unit_view import UnitView
from qualcode.watching import StoreChanges

if TYPE_CHECKING:
    from qualcode.store import Project

POSITION_SECONDS = 1.0  # the coder's position is written this long after they stop moving
# How far past a unit that is not coded (the interviewer's) the next informant's unit is looked for, to ask its
# suggestions ahead (a run of questions longer than this is rare; the answer is then scored once reached).
AHEAD_SCAN = 20
SORT_COLUMNS = {"id": "ID", "type": "Type", "progress": "Progress", "group": "Stakeholder group",
                "location": "Location", "coders": "Coders"}


# ---------------------------------------------------------------------------- project view


def listed_counts(rows: list[TranscriptRow], shown: set[str]) -> str:
    """What the project view lists, transcripts and desk-review documents counted apart ("3 of 12 transcripts ·
    1 of 2 documents"): a document is not an interview, and an evaluator counting interviews must not be misled."""
    parts = []
    for kind, one, many in (("transcript", "transcript", "transcripts"), ("document", "document", "documents")):
        of_kind = [r for r in rows if (r["kind"] == "document") == (kind == "document")]
        if of_kind or kind == "transcript":
            seen = sum(1 for r in of_kind if r["id"] in shown)
            parts.append(f"{seen} of {len(of_kind)} {one if len(of_kind) == 1 else many}")
    return " · ".join(parts)


class ProjectScreen(WorkbenchScreen):
    """Every transcript with its informants' attributes, progress and coders; filter, sort, open."""

    KEYS = "project"
    BINDINGS = keymap.bindings(KEYS)
    # the focus moves (into the filter box, back to the list) or another screen comes (Enter opens a transcript,
    # w the queue): keys typed right after wait to see where they go
    LEAVE_KEYS = ("slash", "f", "enter", "escape", "w")

    def __init__(self) -> None:
        super().__init__()
        self.sort_key = "id"
        self.reverse = False
        self.reviews = 0  # codings a re-import could not place, waiting for review
        self.rows: list[TranscriptRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter transcripts: id, group, location, coder, sample… (/)", id="transcript-filter",
                    compact=True)
        yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        yield StatusBar(id="status")
        yield KeyBar(keymap.key_bar(self.KEYS))

    def on_mount(self) -> None:
        table = self.query_one("#transcripts", DataTable)
        for key, label in SORT_COLUMNS.items():
            table.add_column(label, key=key)
        table.focus()
        if self.app.screen is self:
            self.reload_from_store()
        else:
            self.stale = True  # opened under a transcript: read when it comes to the front

    def reload_from_store(self) -> None:
        self.query_one("#status", StatusBar).show(coder=self.coder, where="reading the transcripts…", progress=None,
                                                  saving=bool(self.host.pending_writes))
        self._read_rows()

    @work(thread=True, exclusive=True, group="project-rows", exit_on_error=False)
    def _read_rows(self) -> None:
        """Progress per transcript counts every coding: read off the UI thread (seconds at 200 transcripts)."""
        from qualcode.store import Project

        with Project.open(self.host.project_path) as project:
            rows = wb.transcript_rows(project, coder=self.coder)
            reviews = project.review_count()
        self.app.call_from_thread(self._rows_read, rows, reviews)

    def _rows_read(self, rows: list[TranscriptRow], reviews: int) -> None:
        self.rows, self.reviews = rows, reviews
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#transcripts", DataTable)
        current = None
        if table.row_count and table.cursor_row is not None and table.cursor_row < table.row_count:
            current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        text = self.query_one("#transcript-filter", Input).value
        rows = wb.sort_transcripts(wb.filter_transcripts(self.rows, text), self.sort_key, reverse=self.reverse)
        cells = []
        for r in rows:
            done = r["coded"] == r["total"] and r["total"]
            progress = Text(f"{r['coded']:>3}/{r['total']:<3} {round(100 * r['progress']):>3}%",
                            style="bold" if done else "")
            # the agreement sample is what agreement and adjudication compare: mark it where coders pick work
            # long ids (a file name) lose their middle, so that progress stays on an 80-column screen
            short = elide_middle(r["id"], 18 if self.app.size.width < 100 else 40)
            label = f"{short} ◆" if r.get("sample") else short
            # not str: a string cell would be read as markup, and data ('Hai Phong [/]', a coder '[/]x') is not
            cells.append((r["id"], [
                PlainCell(label), PlainCell(r["type"] or ""), progress, PlainCell(", ".join(r["groups"]) or "—"),
                PlainCell(r["location"] or "—"),
                # a coder who marked their coding of it done is ticked
                PlainCell(", ".join(c + (" ✓" if c in r.get("done_by", []) else "") for c in r["coders"]) or "—")]))
        headers = {key: Text(label + ((" ▼" if self.reverse else " ▲") if key == self.sort_key else ""))
                   for key, label in SORT_COLUMNS.items()}
        fill_table(table, headers, cells)
        if current is not None:
            for n, r in enumerate(rows):
                if r["id"] == current:
                    table.move_cursor(row=n)
        self.update_status()

    def update_status(self) -> None:
        table = self.query_one("#transcripts", DataTable)
        shown_ids = {str(key.value) for key in table.rows}
        total = sum(r["total"] for r in self.rows)
        coded = sum(r["coded"] for r in self.rows)
        # Codings a re-import could not place are on no current unit: say so, or nobody sees them.
        waiting = f" · {self.reviews} coding(s) to review: qualcode reanchor list" if self.reviews else ""
        sample = [r["id"] for r in self.rows if r.get("sample")]
        waiting += f" · ◆ agreement sample: {', '.join(sample)}" if sample else ""
        message, error = self.said_here()
        self.query_one("#status", StatusBar).show(
            coder=self.coder, where=f"{listed_counts(self.rows, shown_ids)}{waiting}",
            progress={"coded": coded, "total": total}, saving=bool(self.host.pending_writes),
            message=message, error=error)

    def _selected(self) -> str | None:
        table = self.query_one("#transcripts", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_open(self) -> None:
        tid = self._selected()
        if tid:
            self.post_message(TranscriptRequested(tid))

    @on(DataTable.RowSelected, "#transcripts")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(TranscriptRequested(str(event.row_key.value)))

    @on(DataTable.HeaderSelected, "#transcripts")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key == self.sort_key:
            self.reverse = not self.reverse
        else:
            self.sort_key, self.reverse = key, False
        self._fill()

    def action_filter(self) -> None:
        self.query_one("#transcript-filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#transcript-filter", Input)
        box.value = ""
        self.query_one("#transcripts", DataTable).focus()

    @on(Input.Changed, "#transcript-filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#transcript-filter")
    def _filter_done(self) -> None:
        self.query_one("#transcripts", DataTable).focus()

    def action_sort(self) -> None:
        keys = list(SORT_COLUMNS)
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.reverse = False
        self._fill()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self._fill()

    def action_cursor_down(self) -> None:
        self.query_one("#transcripts", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#transcripts", DataTable).action_cursor_up()

    def action_queue(self) -> None:
        self.post_message(QueueRequested())

    def action_mark_done(self) -> None:
        """Mark your coding of the highlighted transcript done, or not done when it is."""
        tid = self._selected()
        if not tid:
            return
        coder = self.coder

        def done(result: dict[str, Any]) -> None:
            self.host.say(teamwork.done_words(result))
            self.reload_from_store()  # the Coders column ticks (or no longer ticks) the coder

        self.host.write(lambda p: teamwork.toggle_done(p, tid, coder=coder), done)

    def action_speakers(self) -> None:
        from qualcode.tui.dialogs import SpeakerRoles

        tid = self._selected()
        if not tid:
            return
        coder = self.coder

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            label, role = choice

            def done(result: dict[str, Any]) -> None:
                self.reload_from_store()

            self.host.write(lambda p: set_speaker_role(p, tid, label, role, coder=coder), done,
                            label=f"{tid}: '{label}' is now {role}")

        from qualcode.errors import QualcodeError

        try:
            found = wb.speakers(self.project, tid)
        except QualcodeError as err:  # a desk-review document has no speakers to correct
            self.notify(str(err), severity="warning", markup=False)
            return
        self.app.push_screen(SpeakerRoles(found), chosen)


# ---------------------------------------------------------------------------- transcript view


class TranscriptScreen(WorkbenchScreen):
    """Code one transcript with the keyboard: units on the left, codebook, suggestions and memo on the right."""

    KEYS = "transcript"
    BINDINGS = keymap.bindings(KEYS)
    # the focus moves (into the codebook filter and back) or another screen comes (t the list, w the queue): keys
    # typed right after wait to see where they go
    LEAVE_KEYS = ("f", "enter", "escape", "t", "w")

    def __init__(self, transcript: str, *, ref: str | None = None) -> None:
        super().__init__()
        self.transcript = transcript
        self.start_ref = ref
        self.units: list[CodedUnit] = []
        self.positions: dict[int, int] = {}  # segment id -> position in units
        self.counts: dict[str, int] = {}
        self.suggestions: dict[int, list[Suggestion]] = {}
        self.suggestion_note = ""
        self.progress: dict[str, int] = {"coded": 0, "total": 0}
        self._position_timer: Timer | None = None
        self.done_mark = False  # the coder marked their coding of this transcript done (D)
        self._saved_position: tuple[str, int] | None = None
        self._waiting: Waiting | None = None

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        codebook = self.project.codebook()
        colors = {c.id: c.color for c in codebook.walk() if c.color}
        names = {c.id: c.name for c in codebook.walk()}
        self.counts = {}  # counted in the background: 100,000 codings take a while, the units do not wait
        yield Header()
        with Horizontal(id="workbench"):
            yield UnitView(coder=self.coder, colors=colors, names=names, id="units")
            with Vertical(id="side"):
                yield CodebookPanel(codebook, self.counts, id="codebook")
                yield SuggestionsPanel(id="suggestions")
                yield MemoPanel(id="memo")
        yield StatusBar(id="status")
        yield KeyBar(keymap.key_bar(self.KEYS))

    def on_mount(self) -> None:
        self.load(self.transcript, self.start_ref)
        self.query_one(UnitView).focus()
        self._count_codes()

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _count_codes(self) -> None:
        from qualcode.store import Project

        with Project.open(self.host.project_path) as project:
            counts = wb.code_counts(project)
        self.app.call_from_thread(self._counted, counts)

    def _counted(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.query_one(CodebookPanel).set_counts(dict(counts))

    def load(self, transcript: str, ref: str | None = None) -> None:
        """Show a transcript, on unit ``ref``, else where the coder last was in it, else on their first uncoded
        unit."""
        self.save_position()
        self.transcript = transcript
        self.sub_title = self.project.name
        self.units = wb.transcript_units(self.project, transcript)
        self.positions = {u["id"]: i for i, u in enumerate(self.units)}
        self.suggestions = {}
        start = next((i for i, u in enumerate(self.units) if u["ref"] == ref), None) if ref else None
        if start is not None:
            # opened on a given unit (o in the queue, a search result in another transcript): said, or the message
            # said before stayed ('back where you were in KII-11: KII-11:7' over KII-11:14)
            self.host.say(f"opened {transcript} on {ref}")
        else:
            last = wb.last_position(self.project, transcript, coder=self.coder)
            start = next((i for i, u in enumerate(self.units) if u["idx"] == last), None) if last else None
            if start is not None:
                self.host.say(f"back where you were in {transcript}: {self.units[start]['ref']}")
        if start is None:
            start = wb.next_uncoded(self.units, coder=self.coder) or 0
        self.progress = wb.coding_progress(self.units, coder=self.coder)
        self._read_done_mark()
        self.view.set_units(self.units, start)
        self._saved_position = (transcript, int(self.units[start]["id"])) if self.units else None
        self.title = transcript
        self._unit_changed()

    def _read_done_mark(self) -> None:
        """Whether the coder marked their coding of this transcript done (the status line says so)."""
        self.done_mark = self.coder in wb.done_by(self.project, self.transcript)

    def _position_moved(self) -> None:
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(POSITION_SECONDS, self.save_position)

    def save_position(self) -> None:
        """Remember the unit the coder is on in this transcript (written a moment after moving, and on leaving)."""
        u = self.view.current if self.units else None
        if u is None or (self.transcript, int(u["id"])) == self._saved_position:
            return
        transcript, seg, coder = self.transcript, int(u["id"]), self.coder
        self._saved_position = (transcript, seg)

        def forget(_: Exception) -> None:  # not saved (the error is said): try again on the next move or leaving
            if self._saved_position == (transcript, seg):
                self._saved_position = None

        self.host.write(lambda p: coding.remember_position(p, transcript, seg, coder=coder), failed=forget,
                        quiet=True)

    def on_screen_suspend(self) -> None:
        self.save_position()

    @property
    def view(self) -> UnitView:
        return self.query_one("#units", UnitView)

    # ------------------------------------------------------------------ keeping the screen true to the store

    def reload_from_store(self) -> None:
        """Re-read codings, memos and marks and redraw only the units that changed (another process, ...)."""
        try:
            by_seg = wb.codings_by_segment(self.project, self.transcript)
        except Exception:
            return
        memos = wb.segment_memos(self.project, self.positions)
        marks = wb.marks_by_segment(self.project, self.transcript)
        for i, u in enumerate(self.units):
            codings = by_seg.get(u["id"], [])
            unit_memos = memos.get(u["id"], {})
            unit_marks = marks.get(u["id"], {})
            if (_coding_keys(codings) != _coding_keys(u["codings"]) or unit_memos != u["memos"]
                    or unit_marks != u.get("marks", {})):
                self.view.update_unit(i, {**u, "codings": codings, "memos": unit_memos, "marks": unit_marks})
                self.units[i] = self.view.units[i]
        self._count_codes()
        self.progress = wb.coding_progress(self.units, coder=self.coder)
        self._read_done_mark()
        self._unit_changed()

    def apply_store_changes(self, changes: StoreChanges) -> None:
        """Another process changed these units (or more: then everything is read again)."""
        if changes.full:
            self.reload_from_store()
            return
        self._move_counts(changes.code_deltas)
        self._refresh_units(changes.segments)

    def _move_counts(self, deltas: Mapping[str, int]) -> None:
        if not deltas:
            return
        for code, delta in deltas.items():
            self.counts[code] = max(0, self.counts.get(code, 0) + delta)
        self.query_one(CodebookPanel).set_counts(dict(self.counts))

    def _refresh_units(self, segment_ids: Iterable[int]) -> None:
        """Re-read the codings, memos and marks of some units (after our own write, or another process's)."""
        places = [self.positions[seg] for seg in dict.fromkeys(int(s) for s in segment_ids) if seg in self.positions]
        before = [self.units[p] for p in places]
        after = wb.refresh_units(self.project, before)
        for pos, unit in zip(places, after, strict=True):
            self.units[pos] = unit
            self.view.update_unit(pos, unit)
        if places:
            # only these units changed: moving the progress by them, not counting 2,000 units again on every key
            self.progress = wb.progress_moved(self.progress, before, after, coder=self.coder)
        self._unit_changed()
        self.try_waiting()  # a key waiting for these units' writes to be saved

    def _unit_changed(self) -> None:
        u = self.view.current
        if u is not None:
            self.query_one(MemoPanel).show(u.get("memos") or {}, self.coder)
            self._show_suggestions()
        self.update_status()

    def update_status(self) -> None:
        u = self.view.current
        where = self.transcript
        if u is not None:
            where = f"{u['ref']} ({self.view.cursor + 1}/{len(self.units)})"
            if self.view.span_start is not None:
                where += f" · {len(self.view.selection)} selected"
        if self.done_mark:
            where += " · marked done"
        message, error = self.said_here()
        if self._waiting is not None:
            message, error = f"{self._waiting.what}: waiting for {self._waiting.waiting_for()}… (Esc cancels)", False
        self.query_one("#status", StatusBar).show(
            coder=self.coder, where=where, progress=self.progress,
            saving=bool(self.host.pending_writes), message=message, error=error)

    @on(UnitView.CursorMoved)
    def _cursor_moved(self) -> None:  # moved by the mouse (a key shows the unit as it moves: _go)
        self._moved()

    def _moved(self) -> None:
        self._unit_changed()
        self._position_moved()

    # ------------------------------------------------------------------ moving

    def _go(self, position: int) -> None:
        """Move to a unit and show its suggestions, memo and place with it: the view's message that it moved comes
        a turn of the event loop later, and Textual drew the move in between, then the panels in a frame of their
        own."""
        self.view.move_to(position)
        self._moved()

    def action_move(self, step: int) -> None:
        self._go(self.view.cursor + step)

    def action_jump(self, position: int) -> None:
        self._go(position if position >= 0 else len(self.units) - 1)

    def action_next_uncoded(self) -> None:
        # what is coded or marked is read once the changes asked for before n are saved: '- k n' typed at once
        # passes over the unit just marked, as it does typed slowly
        self._when_saved("n", None, self._next_uncoded)

    def _next_uncoded(self) -> None:
        found = wb.next_uncoded(self.units, after=self.view.cursor, coder=self.coder)
        if found is None:
            found = wb.next_uncoded(self.units, after=self.view.cursor, coder=self.coder, skipped=True)
            if found is None:
                self.host.say(f"every informant unit of {self.transcript} is coded or marked not codable")
                return
            self.host.say("only units you skipped for now are left")
        self._go(found)

    def action_select(self) -> None:
        view = self.view
        view.span_start = None if view.span_start is not None else view.cursor
        view.refresh()
        self.update_status()

    def action_escape(self) -> None:
        code_filter = self.query_one("#code-filter", Input)
        if code_filter.value:  # f then Esc: the whole codebook again
            code_filter.value = ""
        self.view.clear_selection()
        if self.view.highlight:
            self.view.highlight = ""
            self.view.refresh()
        self.view.focus()
        self.update_status()

    def action_filter_codes(self) -> None:
        self.query_one("#code-filter", Input).focus()

    def action_transcripts(self) -> None:
        self.post_message(ProjectViewRequested())

    def action_mark_done(self) -> None:
        """Mark your coding of this transcript done (the project view ticks you), or not done when it is."""
        tid, coder = self.transcript, self.coder

        def done(result: dict[str, Any]) -> None:
            self.done_mark = bool(result["done"])
            self.host.say(teamwork.done_words(result))
            self.update_status()

        self.host.write(lambda p: teamwork.toggle_done(p, tid, coder=coder), done)

    def action_queue(self) -> None:
        self.post_message(QueueRequested(self.transcript))  # this transcript's units; a key there widens it

    # ------------------------------------------------------------------ keys that wait for what they refer to

    def _wait_for(self, what: str, ready: Callable[[], bool | None], run: Callable[[], None],
                  waiting_for: Callable[[], str], pending: Callable[[], bool]) -> None:
        """Run ``run`` once ``ready()`` is true (None: it never will: the key is dropped, and the screen says so);
        meanwhile the keys typed after it are held, so they act in the order they were typed. It waits as long as
        ``pending()`` says what it waits for is still being computed (checked every ``WAIT_SECONDS``), however
        slow the machine; Esc cancels it."""
        state = ready()
        if state:
            run()
            return
        if state is None or self._waiting is not None:
            self.host.say(f"{what} dropped: {waiting_for()}", error=True)
            return
        self._waiting = Waiting(what, ready, run, waiting_for, pending)
        self.host.hold_until(time.monotonic() + hosting.WAIT_SECONDS, self._give_up, self._cancel_waiting)
        self.update_status()

    def try_waiting(self) -> None:
        if self._waiting is None:
            return
        waiting = self._waiting
        state = waiting.ready()
        if state is False:
            return
        self._waiting = None
        if state:
            waiting.run()
        else:
            self.host.say(f"{waiting.what} dropped: {waiting.waiting_for()}", error=True)
        self.host.release_barrier()
        self.update_status()

    def _give_up(self) -> None:
        if self._waiting is None:
            return
        waiting = self._waiting
        if waiting.ready() is not False:  # it came meanwhile (or never will): run it, or drop it saying why
            self.try_waiting()
            return
        if waiting.pending():  # still being computed (a loaded machine, a refit): the key waits on
            self.host.hold_on(time.monotonic() + hosting.WAIT_SECONDS)
            return
        self._waiting = None
        self.host.say(f"{waiting.what} dropped: {waiting.waiting_for()} never came", error=True)

    def _cancel_waiting(self, after: int) -> None:
        if self._waiting is None:
            return
        what, self._waiting = self._waiting.what, None
        self.host.say(f"{what} cancelled" + (f", and the {after} key(s) typed after it" if after else ""))

    # ------------------------------------------------------------------ coding

    def _target_ids(self) -> list[int]:
        picked = [self.units[i] for i in self.view.selection]
        if len(picked) > 1:  # a span codes the informants' units; the questions inside it are context
            picked = [u for u in picked if wb.is_codable(u)] or picked
        return [u["id"] for u in picked]

    def action_pick_code(self) -> None:
        from qualcode.tui.dialogs import open_code_picker

        targets = self._target_ids()
        if not targets:
            return
        title = "Apply code to " + (self.units[self.view.cursor]["ref"] if len(targets) == 1
                                    else f"{len(targets)} units")
        def chosen(code: str | None) -> None:
            if code:
                self.apply_code_to(code, targets)

        open_code_picker(self.app, self.project.codebook(), self.counts, chosen, title=title)

    @on(CodebookPanel.CodeChosen)
    def _code_from_tree(self, event: CodebookPanel.CodeChosen) -> None:
        self.apply_code_to(event.code_id, self._target_ids())
        self.view.focus()

    def apply_code_to(self, code_id: str, segment_ids: list[int], *, suggestion: Suggestion | None = None,
                      suggested_for: int | None = None) -> None:
        """Apply ``code_id`` to the units (one transaction); the screen updates once it is committed. With a
        ``suggestion``, it is recorded as accepted for the unit it was suggested for."""
        coder = self.coder
        if not segment_ids:
            return
        self.view.clear_selection()
        focus = suggested_for if suggested_for is not None else segment_ids[0]

        def run(project: Project) -> Applied:
            if suggestion is None:
                return coding.apply_code(project, segment_ids, code_id, coder=coder)
            return coding.accept_suggestion_on(project, segment_ids, suggestion, suggested_for=focus, coder=coder)

        def done(result: Applied) -> None:
            self._move_counts({c["code"]: 1 for c in result["added"]} if len(result["added"]) < 2 else
                              {code_id: len(result["added"])})
            self._refresh_units(segment_ids)
            self.host.suggestions_changed()

        name = wb.code_name(self.project.codebook(), code_id)
        where = self.units[self.positions[segment_ids[0]]]["ref"] if len(segment_ids) == 1 else \
            f"{len(segment_ids)} units"
        self.host.write(run, done, label=f"coded {where}: {name}", units=segment_ids)

    def action_remove_code(self) -> None:
        u = self.view.current
        if u is None:
            return
        uid = int(u["id"])
        self._when_saved(f"d on {u['ref']}", [uid], lambda: self._remove_from(uid))

    def _when_saved(self, what: str, unit_ids: list[int] | None, run: Callable[[], None]) -> None:
        """Run ``run`` once no change to these units (None: to any unit) is still being saved: a key that reads what
        is coded or marked acts on what the keys typed before it did (the keys after it wait with it)."""
        def busy() -> bool:
            if unit_ids is None:
                return self.host.units_busy()
            return any(self.host.unit_busy(uid) for uid in unit_ids)

        self._wait_for(what, lambda: not busy(), run, lambda: "the changes before it to be saved", busy)

    def _remove_from(self, uid: int) -> None:
        u = self.units[self.positions[uid]]
        mine = [c["code"] for c in u["codings"] if c["coder"] == self.coder]
        if not mine:
            self.host.say(f"{u['ref']} has no code of yours to remove", error=True)
            return
        if len(mine) == 1:
            self.remove_code_from(uid, mine[0])
            return
        from qualcode.tui.dialogs import open_code_picker

        def chosen(code: str | None) -> None:
            if code:
                self.remove_code_from(uid, code)

        open_code_picker(self.app, self.project.codebook(), self.counts, chosen, only=mine,
                         title=f"Remove a code from {u['ref']}", enter="remove")

    def remove_code_from(self, segment_id: int, code_id: str) -> None:
        coder = self.coder

        def done(result: Removed) -> None:
            self._move_counts({code_id: -1})
            self._refresh_units([segment_id])
            cited = sorted({c["finding"] for c in result["cited_by"]})
            if cited:  # the finding now cites a coding that is gone: say so while undo is one key away
                self.notify(f"{ref} was evidence for {', '.join(cited)}: the audit will report it (u undoes)",
                            severity="warning", markup=False)  # ids are data, never markup

        ref = self.units[self.positions[segment_id]]["ref"]
        name = wb.code_name(self.project.codebook(), code_id)
        self.host.write(lambda p: coding.remove_code(p, segment_id, code_id, coder=coder, coded_by=coder), done,
                        label=f"removed '{name}' from {ref}", units=[segment_id])

    # ------------------------------------------------------------------ not codable, skipped for now

    def action_not_codable(self) -> None:
        self._toggle_mark("not_codable")

    def action_skip_for_now(self) -> None:
        self._toggle_mark("skipped")

    def _toggle_mark(self, mark: str) -> None:
        """Mark the current unit (or the selection's informant units) not codable / skipped for now; on a unit that
        already carries that mark of yours, clear it (once what was asked for before on them is saved: '- -' typed
        at once marks and clears, as typed slowly)."""
        ids = self._target_ids()
        key = "-" if mark == "not_codable" else "s"
        self._when_saved(f"{key} on {self.view.current['ref'] if self.view.current else 'the unit'}", ids,
                         lambda: self._toggle_mark_on(ids, mark))

    def _toggle_mark_on(self, target_ids: list[int], mark: str) -> None:
        targets = [self.units[self.positions[t]] for t in target_ids if t in self.positions]
        targets = [u for u in targets if wb.is_codable(u)]
        if not targets:
            self.host.say("the interviewer's units are not coded, so there is nothing to mark", error=True)
            return
        clear = all((u.get("marks") or {}).get(self.coder) == mark for u in targets)
        new = None if clear else mark
        ids = [int(u["id"]) for u in targets]
        coder = self.coder
        self.view.clear_selection()

        def run(project: Project) -> list[Marked]:
            return coding.mark_units(project, ids, new, coder=coder)

        where = targets[0]["ref"] if len(targets) == 1 else f"{len(targets)} units"
        words = wb.MARK_WORDS[mark]
        self.host.write(run, lambda _: self._refresh_units(ids), units=ids,
                        label=f"{where}: no longer {words}" if clear else f"{where}: {words}")

    def action_undo(self) -> None:
        self._reverse("undo")

    def action_redo(self) -> None:
        self._reverse("redo")

    def _reverse(self, kind: str) -> None:
        coder = self.coder

        def run(project: Project) -> tuple[Reversal, str, tuple[str, int] | None] | None:
            result = history.undo(project, coder=coder) if kind == "undo" else history.redo(project, coder=coder)
            if result is None:
                return None
            return result, wb.describe_reversal(project, result, kind), wb.reversal_place(project, result)

        def done(found: tuple[Reversal, str, tuple[str, int] | None] | None) -> None:
            if found is None:
                self.host.say(f"nothing to {kind}")
                return
            result, words, place = found
            self._move_counts(history.count_deltas(result))
            if place is not None and place[0] != self.transcript:
                self.load(place[0])  # it happened in another transcript: go there, so it can be seen
            self._refresh_units(result["segments"])
            if place is not None and place[1] in self.positions:
                self._go(self.positions[place[1]])
            if any(c["entity"] in ("coding", "decision") for c in result["changes"]):
                self.host.suggestions_changed()
            if any(c["entity"] == "transcript_done" for c in result["changes"]):  # D taken back or put back
                self._read_done_mark()
            self.host.say(words)

        self.host.write(run, done, hold_keys=True)  # the keys after u act where it takes the view

    def action_memo(self) -> None:
        from qualcode.tui.dialogs import MemoEditor

        u = self.view.current
        if u is None:
            return
        coder = self.coder
        seg = u["id"]

        def save(text: str | None) -> None:
            if text is None:
                return

            def done(_: Any) -> None:
                pos = self.positions.get(seg)
                if pos is None:  # saved; the view went to another transcript meanwhile (a search, an undo)
                    return
                memos = dict(self.units[pos]["memos"])
                if text.strip():
                    memos[coder] = text
                else:
                    memos.pop(coder, None)
                self.units[pos] = {**self.units[pos], "memos": memos}
                self.view.update_unit(pos, self.units[pos])
                self._unit_changed()  # (the app then lets an m typed meanwhile open the memo as saved)

            self.host.write(lambda p: coding.set_memo(p, "segment", seg, text, coder=coder), done,
                            label=f"memo {'saved' if text.strip() else 'deleted'} on {u['ref']}", units=[seg])

        def edit() -> None:  # the memo as the keys before m left it ('m ... ctrl+s m' typed at once)
            if seg not in self.positions:  # the transcript was read again without it meanwhile
                return
            now = self.units[self.positions[seg]]
            self.app.push_screen(MemoEditor(now["ref"], now["memos"].get(coder, ""), now["text"]), save)

        self._when_saved(f"m on {u['ref']}", [seg], edit)

    def action_search(self) -> None:
        from qualcode.tui.dialogs import open_search

        def go(hit: SearchJump | None) -> None:
            if not hit:
                return
            self.view.highlight = fold(hit.get("query", "").strip('"'))
            if hit["transcript"] != self.transcript:
                self.load(hit["transcript"], hit["ref"])
            else:
                self._go(self.positions[hit["id"]])
            self.view.focus()

        open_search(self.app, self.transcript, go)

    # ------------------------------------------------------------------ suggestions

    def _suggested_unit(self) -> CodedUnit | None:
        """The unit whose suggestions are shown and numbered: the current one; with a selection that ends on the
        interviewer's question (``v j j`` over an answer and the next question), the selection's informant unit
        nearest before it, so that 1-9 codes the selection with what was suggested for its answer."""
        u = self.view.current
        if u is None or wb.is_codable(u) or self.view.span_start is None:
            return u
        picked = [i for i in self.view.selection if wb.is_codable(self.units[i])]
        if not picked:
            return u
        before = [i for i in picked if i < self.view.cursor]
        return self.units[before[-1] if before else picked[0]]

    def _show_suggestions(self) -> None:
        u = self._suggested_unit()
        panel = self.query_one(SuggestionsPanel)
        panel.set_title("Suggestions" if u is None or u is self.view.current else f"Suggestions for {u['ref']}")
        if u is None or not wb.is_codable(u):
            # for an interviewer unit this is all there will be: it is shown for that unit
            panel.show([], "interviewer turn: not coded" if u is not None else "", unit=u["id"] if u else None)
            if u is not None:
                self._ask_ahead_of(self.view.cursor)
            return
        found = self.suggestions_for(u)
        if found is None:
            panel.show([], self.host.suggestion_note or "no suggestions yet")
            return
        left = self._not_applied(u, found)
        note = "" if left else "all suggested codes applied" if found else "no suggestion for this unit"
        panel.show(left, note, unit=u["id"])

    def _ask_ahead_of(self, position: int) -> None:
        """On a unit that is not coded (the interviewer's question), the suggestions of the informant's next unit,
        and of those ahead of it, are asked for all the same: they are there when the coder moves on (a transcript
        reopened on a question showed "fitting suggestions…" on the answer after it, computed only once reached)."""
        following = self.units[position + 1: position + 1 + AHEAD_SCAN]
        answer = next((u for u in following if wb.is_codable(u)), None)
        if answer is not None:
            self.suggestions_for(answer)

    def _not_applied(self, u: CodedUnit, found: Sequence[Suggestion]) -> list[Suggestion]:
        """The suggestions for ``u`` whose code this coder has not applied to it: what the panel numbers."""
        mine = {c["code"] for c in u["codings"] if c["coder"] == self.coder}
        return [s for s in found if s["code"] not in mine]

    def visible_suggestions(self) -> list[Suggestion]:
        u = self._suggested_unit()
        if u is None:
            return []
        return self._not_applied(u, self.suggestions_for(u) or [])

    def suggestions_updated(self) -> None:
        self._show_suggestions()

    def action_accept(self, number: int) -> None:
        """Accept the Nth suggestion shown for the current unit (for the whole selection when there is one). Typed
        before the unit's suggestions are computed, it waits for them (and the keys after it wait too)."""
        u = self._suggested_unit()
        if u is None:
            return
        uid, ref = int(u["id"]), u["ref"]
        if not wb.is_codable(u) and self.view.span_start is None:
            self.host.say(f"{ref} is the interviewer's: it is not coded (j or n to an informant's unit)", error=True)
            return
        targets = self._target_ids() if self.view.span_start is not None else [uid]
        # the suggestions on screen when it was typed, unless a change to the unit typed before it is still being
        # saved: then those the screen shows once it is ('1 d 2' typed at once does what it does typed slowly)
        shown = (self.visible_suggestions() if self.host.suggestions_known(uid) and not self.host.unit_busy(uid)
                 else None)

        def ready() -> bool | None:
            if self.host.unit_busy(uid):
                return False
            return self.host.suggestions_known(uid)

        def run() -> None:
            seen = shown if shown is not None else self._suggestions_of(uid)
            if number > len(seen):
                self.host.say(f"no suggestion {number} for {ref}" + ("" if seen else ": none was found"),
                              error=True)
                return
            s = seen[number - 1]
            self.apply_code_to(s["code"], targets if uid in targets else [uid, *targets], suggestion=s,
                               suggested_for=uid)

        def waiting_for() -> str:
            if not self.host.suggestions_enabled:
                return "suggestions are off"
            if self.host.suggestions_known(uid) is None:
                return "no suggestions (" + (self.host.suggestion_note or "the model failed") + ")"
            return f"the suggestions of {ref}"

        def pending() -> bool:
            if self.host.unit_busy(uid):
                return True
            if self.host.suggestions_known(uid) is not False:
                return False
            pos = self.positions.get(uid)
            if pos is not None:  # asked for again, in case the evaluator has moved away from it meanwhile
                self.suggestions_for(self.units[pos])
            return True

        self._wait_for(f"{number} on {ref}", ready, run, waiting_for, pending)

    def _suggestions_of(self, uid: int) -> list[Suggestion]:
        pos = self.positions.get(uid)
        if pos is None:
            return []
        u = self.units[pos]
        return self._not_applied(u, self.suggestions_for(u) or [])

    @on(SuggestionsPanel.Accepted)
    def _accepted_by_mouse(self, event: SuggestionsPanel.Accepted) -> None:
        self.action_accept(event.number)
        self.view.focus()

    # ------------------------------------------------------------------ command palette

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from super().palette_commands()
        for n, s in enumerate(self.visible_suggestions()[:9], start=1):
            yield SystemCommand(f"Accept suggestion {n}: {s.get('name') or s['code']}",
                                f"score {s.get('score') or 0:.2f}", partial(self.action_accept, n))

    # ------------------------------------------------------------------ what the app asks

    def current_unit(self) -> CodedUnit | None:
        return self.view.current

    def units_nearby(self) -> Sequence[CodedUnit]:
        return self.units


class Waiting(NamedTuple):
    """A key waiting for what it refers to: what it is ("1 on KII-01:4"), whether it can run now (None: never),
    running it, what it waits for (in words) and whether that is still being computed."""

    what: str
    ready: Callable[[], bool | None]
    run: Callable[[], None]
    waiting_for: Callable[[], str]
    pending: Callable[[], bool]


def _coding_keys(codings: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((c["id"], c["code"], c["coder"], c.get("memo"), c.get("status")) for c in codings)


__all__ = ["ProjectScreen", "TranscriptScreen", "work"]
