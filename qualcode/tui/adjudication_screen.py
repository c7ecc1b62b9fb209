"""Adjudication view: walk the coders' disagreements one by one and record the agreed coding.

The queue, the decisions and their log entries all come from :mod:`qualcode.teams.adjudicate` (the same functions as
``qualcode adjudicate``). Writes go through the workbench's one writer, like every other screen's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Static

from qualcode.actions import teamwork
from qualcode.actions import views as wb
from qualcode.errors import QualcodeError
from qualcode.store import Project
from qualcode.teams import adjudicate as adj
from qualcode.tui import keymap
from qualcode.tui.host import WorkbenchScreen
from qualcode.tui.widgets.panels import KeyBar


class DisagreementSettled(Message):
    """A decision was committed (``decision`` is None when it was withdrawn)."""

    def __init__(self, segment: int, code: str, decision: str | None) -> None:
        self.segment = segment
        self.code = code
        self.decision = decision
        super().__init__()


class AdjudicationScreen(WorkbenchScreen):
    """One disagreement at a time: the unit in context, who applied the code (with memos), who did not."""

    CSS_PATH = "adjudication_screen.tcss"
    KEYS = "adjudication"
    BINDINGS = keymap.bindings(KEYS)
    LEAVE_KEYS = ("m", "enter", "escape")  # m puts the focus in the note box, Enter and Esc take it back or leave

    def __init__(self, *, coders: list[str] | None = None, code: str | None = None) -> None:
        super().__init__()
        self.coders = coders
        self.code = code
        self.include_settled = False
        self.items: list[dict[str, Any]] = []
        self.position = 0
        self.summary: dict[str, Any] = {}
        self.error: str | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="adj-body"):
            yield Static(id="adj-progress", classes="panel-title")
            yield Static(id="adj-context-before", classes="adj-context")
            yield Static(id="adj-unit")
            yield Static(id="adj-context-after", classes="adj-context")
            yield Static(id="adj-who")
        yield Input(placeholder="note for the decision (m to write, Enter to keep)", id="adj-note")
        yield Static(id="adj-message")
        # the workbench's key bar, as the other views have: every key on screen at 80 columns (on two rows), where
        # Textual's footer cut its one row ('t Show settl', and r, Esc, ? and q not shown)
        yield KeyBar(keymap.key_bar(self.KEYS))

    def on_mount(self) -> None:
        self.title = f"Adjudication · {self.project.name}"
        self.reload()
        self.query_one("#adj-body").focus()

    # ------------------------------------------------------------------ data

    def reload(self, keep: tuple[int, str] | None = None) -> None:
        try:
            self.summary = adj.adjudication_queue(self.project, coders=self.coders, code=self.code,
                                                  include_settled=self.include_settled)
            self.error = None
        except QualcodeError as err:
            self.summary, self.error = {}, str(err)
        self.items = self.summary.get("items", [])
        if keep is not None:
            after = [i for i, it in enumerate(self.items) if (it["segment"], it["code"]) == keep]
            self.position = after[0] if after else min(self.position, max(len(self.items) - 1, 0))
        self.position = min(self.position, max(len(self.items) - 1, 0))
        self.show()

    def _settled(self, segment: int, code: str, decision: str | None, note: str | None) -> None:
        """Show a decision (None: reopened) without recomputing agreement on the UI thread."""
        at = adj.settle_in_queue(self.summary, segment, code, decision, coder=self.coder, note=note,
                                 include_settled=self.include_settled)
        if at is None:
            self.reload()
            return
        self.items = self.summary.get("items", [])
        self.position = min(at, max(len(self.items) - 1, 0))
        self.show()

    @property
    def current(self) -> dict[str, Any] | None:
        return self.items[self.position] if 0 <= self.position < len(self.items) else None

    def _neighbours(self, item: dict[str, Any]) -> tuple[str, str]:
        before, after = wb.neighbours(self.project, int(item["segment"]))

        def line(s: dict[str, Any] | None) -> str:
            return f"{s['speaker'] or ''}: {s['text']}" if s else ""

        return line(before), line(after)

    # ------------------------------------------------------------------ display

    def show(self) -> None:
        progress = self.query_one("#adj-progress", Static)
        parts = ("#adj-context-before", "#adj-unit", "#adj-context-after", "#adj-who")
        if self.error:
            progress.update(Text(self.error, style="bold red"))
            for wid in parts:
                self.query_one(wid, Static).update("")
            return
        s = self.summary
        head = Text(f"{s.get('open', 0)} open · {s.get('settled', 0)} settled of {s.get('total', 0)} disagreements"
                    f" between {', '.join(s.get('coders', []))}", style="bold")
        item = self.current
        if item is None:
            progress.update(head + Text("  ·  nothing left to settle (t shows settled ones, Esc leaves)"))
            for wid in parts:
                self.query_one(wid, Static).update("")
            return
        progress.update(head + Text(f"  ·  {self.position + 1}/{len(self.items)}"))
        before, after = self._neighbours(item)
        self.query_one("#adj-context-before", Static).update(Text(before, style="dim"))
        unit = Text()
        unit.append(f"{item['ref']}  {item['speaker'] or ''}\n", style="bold")
        unit.append(item["text"])
        self.query_one("#adj-unit", Static).update(unit)
        self.query_one("#adj-context-after", Static).update(Text(after, style="dim"))
        who = Text()
        who.append("Code: ", style="bold")
        who.append(f"{item['code_name']} ({item['code']})\n")
        for o in item["originals"]:
            who.append(f"  ✓ {o['coder']} applied it", style="green")
            who.append(f" on {o['created']}" + (f" — “{o['memo']}”" if o["memo"] else "") + "\n")
        for name in item["not_applied_by"]:
            who.append(f"  ✗ {name} did not apply it\n", style="red")
        if item["decision"]:
            who.append(f"Settled: {item['decision']} by {item['decided_by']}"
                       + (f" — {item['note']}" if item["note"] else "") + " (r reopens)\n", style="bold")
        else:
            who.append("a: apply the code · o: omit it · m: add a note first\n", style="italic")
        self.query_one("#adj-who", Static).update(who)

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#adj-message", Static).update(Text(text, style="bold red" if error else "green"))

    # ------------------------------------------------------------------ actions

    def action_move(self, step: int) -> None:
        if self.items:
            self.position = max(0, min(len(self.items) - 1, self.position + step))
            self.show()

    def action_previous(self) -> None:
        """(An action of its own: the key bar's click markup cannot read 'move(-1)'.)"""
        self.action_move(-1)

    def action_note(self) -> None:
        self.query_one("#adj-note", Input).focus()

    @on(Input.Submitted, "#adj-note")
    def _note_done(self) -> None:
        self.query_one("#adj-body").focus()

    def action_toggle_settled(self) -> None:
        self.include_settled = not self.include_settled
        item = self.current
        self.reload(keep=(item["segment"], item["code"]) if item else None)

    def action_leave(self) -> None:
        if self.app.screen_stack and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()

    def action_decide(self, decision: str) -> None:
        item = self.current
        if item is None or self.busy:
            return
        note_input = self.query_one("#adj-note", Input)
        note = note_input.value.strip() or None
        segment, code = item["segment"], item["code"]

        def done(result: Any) -> None:
            note_input.value = ""
            self.say(f"{item['ref']} {code}: {decision} ✓ saved")
            self.post_message(DisagreementSettled(segment, code, decision))
            # stay in place: the settled item leaves the list (unless settled ones are shown), the next one moves up
            self._settled(segment, code, decision, note)

        coder = self.coder
        self._write(lambda p: teamwork.settle(p, segment, code, decision, coder=coder, note=note), done)

    def action_reopen(self) -> None:
        item = self.current
        if item is None or not item["decision"] or self.busy:
            return
        segment, code = item["segment"], item["code"]

        def done(result: Any) -> None:
            self.say(f"{item['ref']} {code}: reopened")
            self.post_message(DisagreementSettled(segment, code, None))
            self._settled(segment, code, None, None)

        coder = self.coder
        self._write(lambda p: teamwork.reopen(p, segment, code, coder=coder), done)

    # ------------------------------------------------------------------ writing

    def _write(self, fn: Callable[[Project], Any], done: Callable[[Any], None]) -> None:
        self.busy = True

        def finished(result: Any) -> None:
            self.busy = False
            done(result)

        def failed(err: Exception) -> None:
            self.busy = False
            self.say(str(err), error=True)

        self.host.write(fn, finished, failed=failed)
