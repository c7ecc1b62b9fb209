"""Queue mode: step through uncoded units, accepting, correcting or skipping suggestions.

The order comes from :func:`qualcode.actions.views.uncoded_queue` (the same as ``qualcode queue``). Every accepted or
corrected unit retrains the suggester in the background, so the next units' suggestions reflect it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Header, Static

from qualcode.actions import coding, history
from qualcode.actions import views as wb
from qualcode.model import QueuedUnit, Reversal, Suggestion
from qualcode.tui import host as hosting
from qualcode.tui import keymap
from qualcode.tui.host import TranscriptRequested, WorkbenchScreen
from qualcode.tui.widgets.fit import elide_end
from qualcode.tui.widgets.panels import KeyBar, StatusBar, SuggestionsPanel
from qualcode.tui.widgets.unit_view import clock


class Passage(Static):
    """A text of the queue (the unit, its neighbours, its codes): its height follows its text. The layout that gives
    it a new size has already placed what is below it; Textual laid the screen out once more all the same (a widget's
    virtual size lays the screen out when it changes), drawing the queue's next unit in a second frame a frame or
    three after the first (the queue's keys 45-80 ms to screen at the size of a large evaluation)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)


class QueueScreen(WorkbenchScreen):
    """One uncoded unit at a time, with its neighbours for context and the suggestions to accept."""

    KEYS = "queue"
    BINDINGS = keymap.bindings(KEYS)
    LEAVE_KEYS = ("escape", "o")  # keys typed just after Esc (or o: open the unit) are for the screen that comes

    def __init__(self, transcript: str | None = None) -> None:
        super().__init__()
        self.transcript = transcript  # None: every transcript
        self.home = transcript  # the transcript it was opened from, for 'a' to come back to
        self.units: list[QueuedUnit] = []
        self.position = 0
        self.done = 0
        # what was done here, in order, for u: ("skip", position) or ("write", position)
        self.acted: list[tuple[str, int]] = []
        self._ordering: Callable[[], None] | None = None  # the queue is being ordered: lets the keys after it go on
        self._waiting: Callable[[], None] | None = None  # a number key waiting for the unit's suggestions
        self.counts: dict[str, int] = {}  # codings per code, for the picker (counted in the background)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="queue"):
            yield Passage(id="queue-title", classes="panel-title")
            yield Passage(id="queue-before", classes="queue-context")
            yield Passage(id="queue-unit")
            yield Passage(id="queue-after", classes="queue-context")
            yield Passage(id="queue-codes")
        yield SuggestionsPanel(id="queue-suggestions")
        yield StatusBar(id="status")
        yield KeyBar(keymap.key_bar(self.KEYS))

    def on_mount(self) -> None:
        self._start()
        self._count_codes()

    @work(thread=True, exclusive=True, group="queue-counts", exit_on_error=False)
    def _count_codes(self) -> None:
        """Codings per code, as the picker shows them (counting 100,000 codings takes a while: off the UI thread,
        again after each change)."""
        from qualcode.store import Project

        with Project.open(self.host.project_path) as project:
            counts = wb.code_counts(project)
        self.app.call_from_thread(setattr, self, "counts", counts)

    def _start(self) -> None:
        self.title = f"Queue: {self.transcript}" if self.transcript else "Queue: every transcript"
        self.query_one("#queue-title", Static).update(Text("ordering the queue…", style="italic"))
        self.units, self.position, self.acted = [], 0, []
        self.update_status()
        # the keys typed after the one that opened or switched the queue act on the queue it orders, not on the
        # empty one shown meanwhile ('a -' marks the first unit of the new scope)
        self._ordering = self.host.hold_keys(lambda: self.is_attached and self._ordering is not None,
                                             self._order_cancelled)
        self._load()

    def _order_cancelled(self, after: int) -> None:
        self._ordering = None
        self.host.say("the queue is still being ordered" + (f"; the {after} key(s) typed meanwhile were dropped"
                                                            if after else ""))

    def _ordered(self) -> None:
        release, self._ordering = self._ordering, None
        if release is not None:
            release()

    def action_scope(self) -> None:
        """Switch between this transcript's units and every transcript's."""
        if self.transcript is not None:
            self.transcript = None
        else:
            u = self.current
            self.transcript = self.home or (u["transcript"] if u is not None else None)
            if self.transcript is None:
                self.host.say("the queue is empty: nothing to narrow it to", error=True)
                return
        self.host.say(f"queue of {self.transcript}" if self.transcript else "queue of every transcript")
        self._start()

    def _load(self) -> None:
        """Order the queue away from the screen (the model scores every uncoded unit)."""
        transcript = self.transcript

        def ordered(units: list[QueuedUnit], note: str) -> None:
            if self.is_attached and transcript == self.transcript:  # not a queue switched away from meanwhile
                if note:
                    self.host.say(note, error=True)
                self._loaded(units)

        self.host.order_queue(transcript, ordered)

    def _loaded(self, units: list[QueuedUnit]) -> None:
        self.units = units
        self.position = 0
        self.show()
        self._ordered()

    @property
    def current(self) -> QueuedUnit | None:
        return self.units[self.position] if 0 <= self.position < len(self.units) else None

    def show(self) -> None:
        u = self.current
        title = self.query_one("#queue-title", Static)
        if u is None:
            where = self.transcript or "the project"
            title.update(Text(f"The queue of {where} is empty: every informant unit is coded or marked not codable."
                              + ("" if self.transcript is None else " a: every transcript's.") + " Esc to leave.",
                              style="bold"))
            for wid in ("#queue-before", "#queue-unit", "#queue-after", "#queue-codes"):
                self.query_one(wid, Static).update("")
            self.query_one(SuggestionsPanel).show([], " ")
            self.update_status()
            return
        attrs = u.get("attributes") or {}
        who = ", ".join(str(attrs[k]) for k in ("stakeholder_group", "role", "location") if attrs.get(k))
        head = Text()
        scope = self.transcript or "all transcripts"
        head.append(f"{scope}: {self.position + 1} of {len(self.units)} uncoded  ", style="bold")
        head.append(f"{u['ref']} · {wb.unit_place(u)}")
        if who:
            head.append(f" · {who}", style="dim")
        if u.get("t_start") is not None:
            head.append(f" · {clock(u['t_start'])}", style="dim")
        reason = u.get("reason")
        if reason:
            head.append(f"\nwhy now: {wb.queue_reason(reason, self.project.codebook())}", style="italic")
        title.update(head)
        before, after = wb.neighbours(self.project, int(u["id"]))
        self.query_one("#queue-before", Static).update(self._context_text(before))
        self.query_one("#queue-unit", Static).update(Text(u["text"], style="bold"))
        self.query_one("#queue-after", Static).update(self._context_text(after))
        self._show_codes(u)
        self._show_suggestions()
        self.update_status()
        # the unit judged is always in full view, whatever the context around it takes
        self.query_one("#queue", VerticalScroll).scroll_to_widget(self.query_one("#queue-unit"), animate=False,
                                                                   top=False)

    def _context_text(self, n: dict[str, Any] | None) -> Text:
        if n is None:
            return Text("")
        line = f"{n['speaker']}: {n['text']}" if n.get("speaker") else n["text"]
        # on a small terminal one line of context on either side, so the unit itself fits
        room = max(20, self.app.size.width - 6) if self.has_class("-short") else 240
        return Text(elide_end(line, room), style="dim italic")

    def _show_codes(self, u: QueuedUnit) -> None:
        codings = self.project.codings(segment=u["id"])
        codebook = self.project.codebook()
        text = Text()
        for c in codings:
            code = codebook.get(c["code"])
            text.append("■ ", style=(code.color if code else None) or "grey50")
            text.append(f"{c['code_name']}" + ("" if c["coder"] == self.coder else f" ({c['coder']})") + "  ")
        self.query_one("#queue-codes", Static).update(text)

    def _show_suggestions(self) -> None:
        u = self.current
        if u is None:
            return
        found = self.suggestions_for(u)
        panel = self.query_one(SuggestionsPanel)
        if found is None:
            panel.show([], self.host.suggestion_note or "fitting suggestions…")
        else:
            panel.show(found, "" if found else "no suggestion for this unit: press c to pick a code", unit=u["id"])

    def suggestions_updated(self) -> None:
        self._show_suggestions()

    def try_waiting(self) -> None:
        if self._waiting is not None:  # a number key waiting for the unit's suggestions
            self._waiting()

    def update_status(self) -> None:
        u = self.current
        message, error = self.said_here()
        if self._waiting:
            where = u["ref"] if u else "this unit"
            message, error = f"waiting for the suggestions of {where}… (Esc cancels)", False
        self.query_one("#status", StatusBar).show(
            coder=self.coder, where=(u["ref"] if u else "queue empty"),
            progress={"coded": self.done, "total": len(self.units)}, saving=bool(self.host.pending_writes),
            message=message, error=error)

    # ------------------------------------------------------------------ actions

    def _ahead(self) -> Iterator[int]:
        """The ids of the units after the current one, in queue order (read lazily: the queue can be long)."""
        return (int(u["id"]) for u in itertools.islice(self.units, self.position + 1, None))

    def _advance(self, done: set[int] | None = None) -> None:
        """On to the next unit, past those coded or marked not codable meanwhile (in the transcript view, by the
        command line): ``done``, as the write that moves on read them, or read here."""
        if done is None:
            done = wb.done_ahead(self.project, self._ahead(), coder=self.coder)
        self.position += 1
        while self.current is not None and int(self.current["id"]) in done:
            self.position += 1
        self.show()

    def _write(self, fn: Any, label: str, done: Any = None) -> None:
        u = self.current
        assert u is not None
        self.acted.append(("write", self.position))
        ahead, coder = self._ahead(), self.coder

        def run(project: Any) -> tuple[Any, set[int]]:
            # the units to pass over are read on the writer's connection, once this write is in the store
            return fn(project), wb.done_ahead(project, ahead, coder=coder)

        def written(out: tuple[Any, set[int]]) -> None:
            result, passed = out
            self._count_codes()
            if done is not None:
                done(result)
            self._advance(passed)

        # the keys typed after it act on the unit the queue goes on to, which depends on what is saved: they wait
        self.host.write(run, written, label=label, units=[int(u["id"])], hold_keys=True)

    def shown_suggestions(self) -> list[Suggestion]:
        u = self.current
        return (self.suggestions_for(u) or []) if u is not None else []

    def action_accept(self, number: int) -> None:
        """Accept the Nth suggestion and go on. Typed before the unit's suggestions are computed, it waits for them
        (and so do the keys after it), then applies to the unit it was typed on."""
        u = self.current
        if u is None:
            return
        uid, ref = int(u["id"]), u["ref"]
        known = self.host.suggestions_known(uid)
        if known is None:
            self.host.say(f"{number} on {ref} dropped: no suggestions ({self.host.suggestion_note or 'off'})",
                          error=True)
            return
        if not known:
            def resolve() -> None:
                if self.host.suggestions_known(uid) is False:
                    return
                self._waiting = None
                self.host.release_barrier()
                if self.current is not None and int(self.current["id"]) == uid:
                    self._accept(number)
                self.update_status()

            def give_up() -> None:
                known = self.host.suggestions_known(uid)
                if known is False:  # still being computed (a loaded machine, a refit): the key waits on
                    self.suggestions_for(u)  # asked for again, in case the request was superseded
                    self.host.hold_on(time.monotonic() + hosting.WAIT_SECONDS)
                    return
                self._waiting = None
                if known:
                    self.host.release_barrier()
                    self._accept(number)
                else:
                    self.host.say(f"{number} on {ref} dropped: no suggestions ({self.host.suggestion_note})",
                                  error=True)
                self.update_status()

            def cancel(after: int) -> None:
                self._waiting = None
                self.host.say(f"{number} on {ref} cancelled" + (f", and the {after} key(s) typed after it"
                                                                if after else ""))
                self.update_status()

            self._waiting = resolve
            self.host.hold_until(time.monotonic() + hosting.WAIT_SECONDS, give_up, cancel)
            self.update_status()
            return
        self._accept(number)

    def _accept(self, number: int) -> None:
        u = self.current
        shown = self.shown_suggestions()
        if u is None:
            return
        if number > len(shown):
            self.host.say(f"no suggestion {number} for {u['ref']}", error=True)
            return
        s = shown[number - 1]
        coder, uid = self.coder, int(u["id"])
        self._write(lambda p: coding.accept_suggestion(p, uid, s["code"], coder=coder, score=s["score"],
                                                       model_version=s["model_version"]),
                    f"accepted '{s.get('name') or s['code']}' for {u['ref']}", self._coded)

    def action_correct(self) -> None:
        from qualcode.tui.dialogs import open_code_picker

        u = self.current
        if u is None:
            return
        shown = self.shown_suggestions()
        coder = self.coder

        def chosen(code: str | None) -> None:
            if not code:
                return

            # the top suggestion was wrong: the model learns that from the correction
            top = shown[0] if shown else None
            name = wb.code_name(self.project.codebook(), code)
            if self.current is None or self.current["id"] != u["id"]:
                return
            self._write(lambda p: coding.correct_suggestion(p, u["id"], code, coder=coder, top=top),
                        f"coded {u['ref']}: {name}", self._coded)

        open_code_picker(self.app, self.project.codebook(), self.counts, chosen, title=f"Code {u['ref']}")

    def action_reject(self) -> None:
        u = self.current
        shown = self.shown_suggestions()
        if u is None:
            return
        coder = self.coder
        if not shown:
            self.host.say(f"no suggestion to reject for {u['ref']}: s skips it, - marks it not codable")
            return
        self._write(lambda p: coding.reject_suggestions(p, u["id"], shown, coder=coder),
                    f"rejected {len(shown)} suggestion(s) for {u['ref']}",
                    lambda _decisions: self.host.suggestions_changed())

    def action_skip(self) -> None:
        if self.current is not None:
            self.acted.append(("skip", self.position))
        self._advance()

    def action_not_codable(self) -> None:
        u = self.current
        if u is None:
            return
        coder, uid = self.coder, int(u["id"])
        self._write(lambda p: coding.mark_unit(p, uid, "not_codable", coder=coder), f"{u['ref']}: not codable")

    def action_back(self) -> None:
        if self.position > 0:
            self.position -= 1
            self.show()

    def _coded(self, result: Any) -> None:
        self.done += 1
        self.host.suggestions_changed()
        self.update_status()

    def action_undo(self) -> None:
        """Undo what was last done here, in the order it was done: a skip goes back to the unit skipped; an accept,
        correction, rejection or mark is undone in the store, and the queue goes back to its unit."""
        if self.acted and self.acted[-1][0] == "skip":
            _, self.position = self.acted.pop()
            self.host.say(f"back to {self.current['ref']}, skipped before" if self.current else "back")
            self.show()
            return
        if self.acted:
            self.acted.pop()
        coder = self.coder

        def run(project: Any) -> tuple[Reversal, str] | None:
            result = history.undo(project, coder=coder)
            return None if result is None else (result, wb.describe_reversal(project, result, "undo"))

        def done(found: tuple[Reversal, str] | None) -> None:
            if found is None:
                self.host.say("nothing to undo")
                return
            result, words = found
            segments = set(result["segments"])
            for i, u in enumerate(self.units):
                if u["id"] in segments:
                    self.position = i
                    if any(c["entity"] == "coding" for c in result["changes"]):
                        self.done = max(0, self.done - 1)
                    break
            self.host.suggestions_changed()
            self._count_codes()
            self.show()
            self.host.say(words)

        self.host.write(run, done, hold_keys=True)  # the keys after u act on the unit it goes back to

    def action_open(self) -> None:
        u = self.current
        if u is not None:
            self.post_message(TranscriptRequested(u["transcript"], u["ref"]))

    def action_leave(self) -> None:
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(below, WorkbenchScreen):
            below.catch_up()  # what was coded here, shown in the view below before it is drawn again
        self.app.pop_screen()

    @on(SuggestionsPanel.Accepted)
    def _accepted_by_mouse(self, event: SuggestionsPanel.Accepted) -> None:
        self.action_accept(event.number)

    def reload_from_store(self) -> None:
        self._count_codes()
        if self.current is not None:
            self._show_codes(self.current)

    def current_unit(self) -> QueuedUnit | None:
        return self.current

    def units_nearby(self) -> Sequence[QueuedUnit]:
        return self.units
