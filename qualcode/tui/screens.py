"""The project view (transcripts and their progress) and the transcript view (where the coding happens)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input

from qualcode.actions import coding, history
from qualcode.actions import views as wb
from qualcode.actions.projects import set_speaker_role
from qualcode.folding import fold
from qualcode.model import Applied, CodedUnit, Removed, Reversal, Suggestion, TranscriptRow
from qualcode.tui import keymap
from qualcode.tui.dialogs import SearchJump
from qualcode.tui.host import ProjectViewRequested, QueueRequested, TranscriptRequested, WorkbenchScreen
from qualcode.tui.widgets.panels import CodebookPanel, KeyBar, MemoPanel, PlainCell, StatusBar, SuggestionsPanel
from qualcode.tui.widgets.unit_view import UnitView

if TYPE_CHECKING:
    from qualcode.store import Project

SORT_COLUMNS = {"id": "ID", "type": "Type", "group": "Stakeholder group", "location": "Location",
                "progress": "Progress", "coders": "Coders"}


# ---------------------------------------------------------------------------- project view


class ProjectScreen(WorkbenchScreen):
    """Every transcript with its informants' attributes, progress and coders; filter, sort, open."""

    KEYS = "project"
    BINDINGS = keymap.bindings(KEYS)

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
        self.reload_from_store()
        table.focus()

    def reload_from_store(self) -> None:
        self.rows = wb.transcript_rows(self.project, coder=self.coder)
        self.reviews = self.project.review_count()
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#transcripts", DataTable)
        current = None
        if table.row_count and table.cursor_row is not None and table.cursor_row < table.row_count:
            current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        text = self.query_one("#transcript-filter", Input).value
        rows = wb.sort_transcripts(wb.filter_transcripts(self.rows, text), self.sort_key, reverse=self.reverse)
        table.clear()
        for r in rows:
            done = r["coded"] == r["total"] and r["total"]
            progress = Text(f"{r['coded']:>3}/{r['total']:<3} {round(100 * r['progress']):>3}%",
                            style="bold" if done else "")
            # the agreement sample is what agreement and adjudication compare: mark it where coders pick work
            label = f"{r['id']} ◆" if r.get("sample") else r["id"]
            # not str: a string cell would be read as markup, and data ('Hai Phong [/]', a coder '[/]x') is not
            table.add_row(PlainCell(label), PlainCell(r["type"] or ""), PlainCell(", ".join(r["groups"]) or "—"),
                          PlainCell(r["location"] or "—"), progress, PlainCell(", ".join(r["coders"]) or "—"),
                          key=r["id"])
        for key, label in SORT_COLUMNS.items():
            arrow = (" ▼" if self.reverse else " ▲") if key == self.sort_key else ""
            table.columns[key].label = Text(label + arrow)  # type: ignore[index]
        if current is not None:
            for n, r in enumerate(rows):
                if r["id"] == current:
                    table.move_cursor(row=n)
        self.update_status()

    def update_status(self) -> None:
        shown = self.query_one("#transcripts", DataTable).row_count
        total = sum(r["total"] for r in self.rows)
        coded = sum(r["coded"] for r in self.rows)
        # Codings a re-import could not place are on no current unit: say so, or nobody sees them.
        waiting = f" · {self.reviews} coding(s) to review: qualcode reanchor list" if self.reviews else ""
        sample = [r["id"] for r in self.rows if r.get("sample")]
        waiting += f" · ◆ agreement sample: {', '.join(sample)}" if sample else ""
        self.query_one("#status", StatusBar).show(
            coder=self.coder, where=f"{shown} of {len(self.rows)} transcripts{waiting}",
            progress={"coded": coded, "total": total}, saving=bool(self.host.pending_writes),
            message=self.host.last_message, error=self.host.last_error)

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

        self.app.push_screen(SpeakerRoles(wb.speakers(self.project, tid)), chosen)


# ---------------------------------------------------------------------------- transcript view


class TranscriptScreen(WorkbenchScreen):
    """Code one transcript with the keyboard: units on the left, codebook, suggestions and memo on the right."""

    KEYS = "transcript"
    BINDINGS = keymap.bindings(KEYS)

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

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        codebook = self.project.codebook()
        colors = {c.id: c.color for c in codebook.walk() if c.color}
        names = {c.id: c.name for c in codebook.walk()}
        self.counts = wb.code_counts(self.project)
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

    def load(self, transcript: str, ref: str | None = None) -> None:
        """Show a transcript, on unit ``ref`` or else on the coder's first uncoded unit."""
        self.transcript = transcript
        self.sub_title = self.project.name
        self.units = wb.transcript_units(self.project, transcript)
        self.positions = {u["id"]: i for i, u in enumerate(self.units)}
        self.suggestions = {}
        start = next((i for i, u in enumerate(self.units) if u["ref"] == ref), None) if ref else None
        if start is None:
            start = wb.next_uncoded(self.units, coder=self.coder) or 0
        self.progress = wb.coding_progress(self.units, coder=self.coder)
        self.view.set_units(self.units, start)
        self.title = transcript
        self._unit_changed()

    @property
    def view(self) -> UnitView:
        return self.query_one("#units", UnitView)

    # ------------------------------------------------------------------ keeping the screen true to the store

    def reload_from_store(self) -> None:
        """Re-read codings and memos and redraw only the units that changed (another process, undo, ...)."""
        try:
            by_seg = wb.codings_by_segment(self.project, self.transcript)
        except Exception:
            return
        memos = wb.segment_memos(self.project, self.positions)
        for i, u in enumerate(self.units):
            codings = by_seg.get(u["id"], [])
            unit_memos = memos.get(u["id"], {})
            if _coding_keys(codings) != _coding_keys(u["codings"]) or unit_memos != u["memos"]:
                self.view.update_unit(i, {**u, "codings": codings, "memos": unit_memos})
                self.units[i] = self.view.units[i]
        self.counts = wb.code_counts(self.project)
        self.query_one(CodebookPanel).set_counts(self.counts)
        self.progress = wb.coding_progress(self.units, coder=self.coder)
        self._unit_changed()

    def _refresh_units(self, segment_ids: Iterable[int]) -> None:
        """Re-read the codings of some units after our own write."""
        for seg in segment_ids:
            pos = self.positions.get(int(seg))
            if pos is None:
                continue
            u = self.units[pos]
            codings = self.project.codings(segment=int(seg))
            if wb.is_codable(u):  # keep the progress count without walking every unit
                was = any(c["coder"] == self.coder for c in u["codings"])
                now = any(c["coder"] == self.coder for c in codings)
                self.progress = {**self.progress, "coded": self.progress["coded"] + int(now) - int(was)}
            self.units[pos] = {**u, "codings": codings}
            self.view.update_unit(pos, self.units[pos])
        self._unit_changed()

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
        self.query_one("#status", StatusBar).show(
            coder=self.coder, where=where, progress=self.progress,
            saving=bool(self.host.pending_writes), message=self.host.last_message, error=self.host.last_error)

    @on(UnitView.CursorMoved)
    def _cursor_moved(self) -> None:
        self._unit_changed()

    # ------------------------------------------------------------------ moving

    def action_move(self, step: int) -> None:
        self.view.move_to(self.view.cursor + step)

    def action_jump(self, position: int) -> None:
        self.view.move_to(position if position >= 0 else len(self.units) - 1)

    def action_next_uncoded(self) -> None:
        found = wb.next_uncoded(self.units, after=self.view.cursor, coder=self.coder)
        if found is None:
            self.host.say(f"every informant unit of {self.transcript} is coded")
        else:
            self.view.move_to(found)

    def action_select(self) -> None:
        view = self.view
        view.span_start = None if view.span_start is not None else view.cursor
        view.refresh()
        self.update_status()

    def action_escape(self) -> None:
        code_filter = self.query_one("#code-filter", Input)
        if code_filter.value:  # f then Esc: the whole codebook again
            code_filter.value = ""
        if self.view.span_start is not None:
            self.view.span_start = None
            self.view.refresh()
        if self.view.highlight:
            self.view.highlight = ""
            self.view.refresh()
        self.view.focus()
        self.update_status()

    def action_filter_codes(self) -> None:
        self.query_one("#code-filter", Input).focus()

    def action_transcripts(self) -> None:
        self.post_message(ProjectViewRequested())

    def action_queue(self) -> None:
        self.post_message(QueueRequested())

    # ------------------------------------------------------------------ coding

    def _target_ids(self) -> list[int]:
        picked = [self.units[i] for i in self.view.selection]
        if len(picked) > 1:  # a span codes the informants' units; the questions inside it are context
            picked = [u for u in picked if wb.is_codable(u)] or picked
        return [u["id"] for u in picked]

    def action_pick_code(self) -> None:
        from qualcode.tui.dialogs import CodePicker

        targets = self._target_ids()
        if not targets:
            return
        title = "Apply code to " + (self.units[self.view.cursor]["ref"] if len(targets) == 1
                                    else f"{len(targets)} units")
        def chosen(code: str | None) -> None:
            if code:
                self.apply_code_to(code, targets)

        self.app.push_screen(CodePicker(self.project.codebook(), self.counts, title=title), chosen)

    @on(CodebookPanel.CodeChosen)
    def _code_from_tree(self, event: CodebookPanel.CodeChosen) -> None:
        self.apply_code_to(event.code_id, self._target_ids())
        self.view.focus()

    def apply_code_to(self, code_id: str, segment_ids: list[int], *, suggestion: Suggestion | None = None) -> None:
        """Apply ``code_id`` to the units (one transaction); the screen updates once it is committed."""
        coder = self.coder
        if not segment_ids:
            return
        self.view.span_start = None

        def run(project: Project) -> Applied:
            if suggestion is not None:
                return {"added": [coding.accept_suggestion(project, segment_ids[0], suggestion["code"], coder=coder,
                                                           score=suggestion["score"],
                                                           model_version=suggestion["model_version"])],
                        "skipped": []}
            return coding.apply_code(project, segment_ids, code_id, coder=coder)

        def done(result: Applied) -> None:
            for c in result["added"]:
                self.counts[c["code"]] = self.counts.get(c["code"], 0) + 1
            self.query_one(CodebookPanel).set_counts(dict(self.counts))
            self._refresh_units(segment_ids)
            self.host.suggestions_changed()

        name = self.project.codebook()[code_id].name if code_id in self.project.codebook() else code_id
        where = self.units[self.positions[segment_ids[0]]]["ref"] if len(segment_ids) == 1 else \
            f"{len(segment_ids)} units"
        self.host.write(run, done, label=f"coded {where}: {name}")

    def action_remove_code(self) -> None:
        u = self.view.current
        if u is None:
            return
        mine = [c["code"] for c in u["codings"] if c["coder"] == self.coder]
        if not mine:
            self.host.say(f"{u['ref']} has no code of yours to remove", error=True)
            return
        if len(mine) == 1:
            self.remove_code_from(u["id"], mine[0])
            return
        from qualcode.tui.dialogs import CodePicker

        def chosen(code: str | None) -> None:
            if code:
                self.remove_code_from(u["id"], code)

        self.app.push_screen(CodePicker(self.project.codebook(), self.counts, only=mine,
                                        title=f"Remove a code from {u['ref']}"), chosen)

    def remove_code_from(self, segment_id: int, code_id: str) -> None:
        coder = self.coder

        def done(result: Removed) -> None:
            self.counts[code_id] = max(0, self.counts.get(code_id, 0) - 1)
            self.query_one(CodebookPanel).set_counts(dict(self.counts))
            self._refresh_units([segment_id])
            cited = sorted({c["finding"] for c in result["cited_by"]})
            if cited:  # the finding now cites a coding that is gone: say so while undo is one key away
                self.notify(f"{ref} was evidence for {', '.join(cited)}: the audit will report it (u undoes)",
                            severity="warning")

        ref = self.units[self.positions[segment_id]]["ref"]
        self.host.write(lambda p: coding.remove_code(p, segment_id, code_id, coder=coder, coded_by=coder), done,
                        label=f"removed {code_id} from {ref}")

    def action_undo(self) -> None:
        self._reverse("undo")

    def action_redo(self) -> None:
        self._reverse("redo")

    def _reverse(self, kind: str) -> None:
        coder = self.coder

        def run(project: Project) -> Reversal | None:
            return history.undo(project, coder=coder) if kind == "undo" else history.redo(project, coder=coder)

        def done(result: Reversal | None) -> None:
            if result is None:
                self.host.say(f"nothing to {kind}")
                return
            self.reload_from_store()
            seg = result["segment"]
            if seg is not None and seg in self.positions:
                self.view.move_to(self.positions[seg])
            self.host.say(f"{kind} {result['action']}")

        self.host.write(run, done)

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
                pos = self.positions[seg]
                memos = dict(self.units[pos]["memos"])
                if text.strip():
                    memos[coder] = text
                else:
                    memos.pop(coder, None)
                self.units[pos] = {**self.units[pos], "memos": memos}
                self.view.update_unit(pos, self.units[pos])
                self._unit_changed()

            self.host.write(lambda p: coding.set_memo(p, "segment", seg, text, coder=coder), done,
                            label=f"memo {'saved' if text.strip() else 'deleted'} on {u['ref']}")

        self.app.push_screen(MemoEditor(u["ref"], u["memos"].get(coder, ""), u["text"]), save)

    def action_search(self) -> None:
        from qualcode.tui.dialogs import SearchScreen

        def go(hit: SearchJump | None) -> None:
            if not hit:
                return
            self.view.highlight = fold(hit.get("query", "").strip('"'))
            if hit["transcript"] != self.transcript:
                self.load(hit["transcript"], hit["ref"])
            else:
                self.view.move_to(self.positions[hit["id"]])
            self.view.focus()

        self.app.push_screen(SearchScreen(self.transcript), go)

    # ------------------------------------------------------------------ suggestions

    def _show_suggestions(self) -> None:
        u = self.view.current
        panel = self.query_one(SuggestionsPanel)
        if u is None or not wb.is_codable(u):
            panel.show([], "interviewer turn: not coded" if u is not None else "")
            return
        found = self.host.suggestions_for(u)
        if found is None:
            panel.show([], self.host.suggestion_note or "no suggestions yet")
            return
        mine = {c["code"] for c in u["codings"] if c["coder"] == self.coder}
        panel.show([s for s in found if s["code"] not in mine], unit=u["id"])

    def visible_suggestions(self) -> list[Suggestion]:
        u = self.view.current
        if u is None:
            return []
        found = self.host.suggestions_for(u) or []
        mine = {c["code"] for c in u["codings"] if c["coder"] == self.coder}
        return [s for s in found if s["code"] not in mine]

    def suggestions_updated(self) -> None:
        self._show_suggestions()

    def action_accept(self, number: int) -> None:
        shown = self.visible_suggestions()
        u = self.view.current
        if u is None:
            return
        if number > len(shown):
            self.host.say(f"no suggestion {number} for {u['ref']}", error=True)
            return
        s = shown[number - 1]
        self.apply_code_to(s["code"], [u["id"]], suggestion=s)

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


def _coding_keys(codings: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((c["id"], c["code"], c["coder"], c.get("memo"), c.get("status")) for c in codings)


__all__ = ["ProjectScreen", "TranscriptScreen", "work"]
