"""Queue mode: step through uncoded units, accepting, correcting or skipping suggestions.

The order comes from :func:`qualcode.actions.views.uncoded_queue` (the same as ``qualcode queue``). Every accepted or
corrected unit retrains the suggester in the background, so the next units' suggestions reflect it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from qualcode.actions import coding, history
from qualcode.actions import views as wb
from qualcode.model import QueuedUnit, Reversal, Suggestion
from qualcode.tui import keymap
from qualcode.tui.host import TranscriptRequested, WorkbenchScreen
from qualcode.tui.widgets.panels import KeyBar, StatusBar, SuggestionsPanel
from qualcode.tui.widgets.unit_view import clock


class QueueScreen(WorkbenchScreen):
    """One uncoded unit at a time, with its neighbours for context and the suggestions to accept."""

    KEYS = "queue"
    BINDINGS = keymap.bindings(KEYS)

    def __init__(self, transcript: str | None = None) -> None:
        super().__init__()
        self.transcript = transcript
        self.units: list[QueuedUnit] = []
        self.position = 0
        self.done = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="queue"):
            yield Static(id="queue-title", classes="panel-title")
            yield Static(id="queue-before", classes="queue-context")
            yield Static(id="queue-unit")
            yield Static(id="queue-after", classes="queue-context")
            yield Static(id="queue-codes")
        yield SuggestionsPanel(id="queue-suggestions")
        yield StatusBar(id="status")
        yield KeyBar(keymap.key_bar(self.KEYS))

    def on_mount(self) -> None:
        self.title = "Queue"
        self.query_one("#queue-title", Static).update(Text("ordering the queue…", style="italic"))
        self.update_status()
        self._load()

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def _load(self) -> None:
        """Order the queue off the UI thread (the model scores every uncoded unit)."""
        from qualcode.store import Project

        project = Project.open(self.host.project_path)
        try:
            ordered = self.host.suggestions_enabled
            with self.host.model_lock:
                try:
                    units = wb.uncoded_queue(project, coder=self.coder, transcript=self.transcript, ordered=ordered)
                except Exception:  # a model problem: fall back to transcript order rather than no queue
                    units = wb.uncoded_queue(project, coder=self.coder, transcript=self.transcript, ordered=False)
        finally:
            project.close()
        self.app.call_from_thread(self._loaded, units)

    def _loaded(self, units: list[QueuedUnit]) -> None:
        self.units = units
        self.position = 0
        self.show()

    @property
    def current(self) -> QueuedUnit | None:
        return self.units[self.position] if 0 <= self.position < len(self.units) else None

    def show(self) -> None:
        u = self.current
        title = self.query_one("#queue-title", Static)
        if u is None:
            title.update(Text("The queue is empty: every informant unit is coded. Esc to leave.", style="bold"))
            for wid in ("#queue-before", "#queue-unit", "#queue-after", "#queue-codes"):
                self.query_one(wid, Static).update("")
            self.query_one(SuggestionsPanel).show([], " ")
            self.update_status()
            return
        attrs = u.get("attributes") or {}
        who = ", ".join(str(attrs[k]) for k in ("stakeholder_group", "role", "location") if attrs.get(k))
        head = Text()
        head.append(f"{self.position + 1} of {len(self.units)} uncoded  ", style="bold")
        head.append(f"{u['ref']} · {wb.unit_place(u)}")
        if who:
            head.append(f" · {who}", style="dim")
        if u.get("t_start") is not None:
            head.append(f" · {clock(u['t_start'])}", style="dim")
        if u.get("reason"):
            head.append(f"\nwhy now: {u['reason']}", style="italic")
        title.update(head)
        before, after = wb.neighbours(self.project, int(u["id"]))
        self.query_one("#queue-before", Static).update(self._context_text(before))
        self.query_one("#queue-unit", Static).update(Text(u["text"], style="bold"))
        self.query_one("#queue-after", Static).update(self._context_text(after))
        self._show_codes(u)
        self._show_suggestions()
        self.update_status()

    @staticmethod
    def _context_text(n: dict[str, Any] | None) -> Text:
        if n is None:
            return Text("")
        text = n["text"] if len(n["text"]) < 240 else n["text"][:239] + "…"
        return Text(f"{n['speaker']}: {text}" if n.get("speaker") else text, style="dim italic")

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
        found = self.host.suggestions_for(u)
        panel = self.query_one(SuggestionsPanel)
        if found is None:
            panel.show([], self.host.suggestion_note or "fitting suggestions…")
        else:
            panel.show(found, "" if found else "no suggestion for this unit: press c to pick a code")

    def suggestions_updated(self) -> None:
        self._show_suggestions()

    def update_status(self) -> None:
        u = self.current
        self.query_one("#status", StatusBar).show(
            coder=self.coder, where=(u["ref"] if u else "queue empty"),
            progress={"coded": self.done, "total": len(self.units)}, saving=bool(self.host.pending_writes),
            message=self.host.last_message, error=self.host.last_error)

    # ------------------------------------------------------------------ actions

    def _advance(self) -> None:
        self.position += 1
        # units someone else coded meanwhile (a second coder, the CLI) drop out of the queue
        while self.current is not None and self.project.codings(segment=self.current["id"], coder=self.coder):
            self.position += 1
        self.show()

    def shown_suggestions(self) -> list[Suggestion]:
        u = self.current
        return (self.host.suggestions_for(u) or []) if u is not None else []

    def action_accept(self, number: int) -> None:
        u = self.current
        shown = self.shown_suggestions()
        if u is None:
            return
        if number > len(shown):
            self.host.say(f"no suggestion {number} for {u['ref']}", error=True)
            return
        s = shown[number - 1]
        coder = self.coder
        self.host.write(lambda p: coding.accept_suggestion(p, u["id"], s["code"], coder=coder, score=s["score"],
                                                            model_version=s["model_version"]), self._coded,
                        label=f"accepted {s.get('name') or s['code']} for {u['ref']}")
        self._advance()

    def action_correct(self) -> None:
        from qualcode.tui.dialogs import CodePicker

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
            self.host.write(lambda p: coding.correct_suggestion(p, u["id"], code, coder=coder, top=top), self._coded,
                            label=f"coded {u['ref']}: {code}")
            self._advance()

        counts = wb.code_counts(self.project)
        self.app.push_screen(CodePicker(self.project.codebook(), counts, title=f"Code {u['ref']}"), chosen)

    def action_reject(self) -> None:
        u = self.current
        shown = self.shown_suggestions()
        if u is None:
            return
        coder = self.coder

        self.host.write(lambda p: coding.reject_suggestions(p, u["id"], shown, coder=coder),
                        lambda _decisions: self.host.suggestions_changed(),
                        label=f"rejected {len(shown)} suggestion(s) for {u['ref']}")
        self._advance()

    def action_skip(self) -> None:
        self._advance()

    def action_back(self) -> None:
        if self.position > 0:
            self.position -= 1
            self.show()

    def _coded(self, result: Any) -> None:
        self.done += 1
        self.host.suggestions_changed()
        self.update_status()

    def action_undo(self) -> None:
        coder = self.coder

        def done(result: Reversal | None) -> None:
            if result is None:
                self.host.say("nothing to undo")
                return
            seg = result["segment"]
            for i, u in enumerate(self.units):
                if u["id"] == seg:
                    self.position = i
                    self.done = max(0, self.done - 1)
            self.host.suggestions_changed()
            self.show()
            self.host.say(f"undo {result['action']}")

        self.host.write(lambda p: history.undo(p, coder=coder), done)

    def action_open(self) -> None:
        u = self.current
        if u is not None:
            self.post_message(TranscriptRequested(u["transcript"], u["ref"]))

    def action_leave(self) -> None:
        self.app.pop_screen()

    @on(SuggestionsPanel.Accepted)
    def _accepted_by_mouse(self, event: SuggestionsPanel.Accepted) -> None:
        self.action_accept(event.number)

    def reload_from_store(self) -> None:
        if self.current is not None:
            self._show_codes(self.current)

    def current_unit(self) -> QueuedUnit | None:
        return self.current

    def units_nearby(self) -> Sequence[QueuedUnit]:
        return self.units
