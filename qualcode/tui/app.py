"""The coding workbench: a Textual front end on the project store and the actions (:mod:`qualcode.actions`).

One app factory, :func:`make_app`, serves ``qualcode code`` and the tests. The app keeps a read connection for the
screens and one writer thread with its own connection: every write is queued there, committed, and only then does
the screen say it is done ("saved ✓"). A timer watches the event log so changes by another process (the CLI, a
second coder) show up within a couple of seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen

from qualcode.errors import QualcodeError
from qualcode.model import QueuedUnit, Suggestion
from qualcode.store import Project
from qualcode.tui import keymap
from qualcode.tui.host import (
    WAIT_SECONDS,
    ProjectViewRequested,
    QueueRequested,
    TranscriptRequested,
    WorkbenchScreen,
)
from qualcode.tui.typeahead import TypeAhead

if TYPE_CHECKING:
    from qualcode.actions.suggestion_service import SuggestionService

POLL_SECONDS = 1.5
AHEAD = 40  # units ahead of the current one whose suggestions are computed before they are reached
BEHIND = 3
# The model is fitted and refitted in a process of its own, so that keys never wait for it (tests that give the
# model's functions stand-ins run it in a thread instead).
MODEL_IN_ITS_OWN_PROCESS = True
# Python's full garbage collection (85-140 ms with a 2,700-unit transcript open, a dozen times a minute of coding)
# waits for a pause in typing instead of landing on whichever key comes: it runs once no key was read for this long.
GC_PAUSE_SECONDS = 2.0
GC_DEFERRED = 10_000  # the full collection's threshold meanwhile (Python's default: 10), so memory stays bounded
SERVICE_AFTER = 1.0  # seconds after opening: the suggestion model's process starts if no screen asked for it yet
INDEX_AFTER = 2.0  # seconds after opening: the search index is built once the first screen is up
DIALOGS_AFTER = 2.5  # seconds after opening: the code picker is built, not shown, while the evaluator reads
TERMINAL_CHECK_SECONDS = 2.0


@dataclass
class WriteJob:
    """One user action to run on the writer's connection; ``done``/``failed`` run on the UI afterwards."""

    fn: Callable[[Project], Any]
    done: Callable[[Any], None] | None = None
    failed: Callable[[Exception], None] | None = None
    label: str = ""
    units: tuple[int, ...] = ()  # the units it changes: keys that read them wait until it is committed
    origin: object = None  # the screen in front when it was asked for (it shows the change itself)
    quiet: bool = False  # not the user's change (where the coder is): the status line does not say "saving"
    holds: Callable[[], None] | None = None  # lets the keys typed after it go on (see App.write's hold_keys)
    finished: bool = False  # its end was read


class WriteFinished(Message):
    """A queued write was committed (or failed)."""

    def __init__(self, job: WriteJob, result: Any = None, error: Exception | None = None,
                 events: tuple[int, int] = (0, 0)) -> None:
        self.job = job
        self.result = result
        self.error = error
        self.events = events  # the event ids it logged: (after, through]
        super().__init__()


class SuggestionsReady(Message):
    """Suggestions for some units were computed in the background."""

    def __init__(self, suggestions: dict[int, list[Suggestion]], note: str = "", *, generation: int = 0) -> None:
        self.suggestions = suggestions
        self.note = note
        self.generation = generation
        super().__init__()


class QueueOrdered(Message):
    """The queue asked for with ``token`` is ordered."""

    def __init__(self, token: int, units: list[QueuedUnit], note: str) -> None:
        self.token = token
        self.units = units
        self.note = note
        super().__init__()


class QualcodeApp(TypeAhead, App[None]):
    """The workbench. Screens: project view, transcript view, queue mode, and their dialogs."""

    CSS_PATH = "app.tcss"
    TITLE = "qualcode"
    BINDINGS = keymap.bindings("everywhere")
    # suggestions and a queue's order computed in the background change what a panel shows, never where a key goes
    TA_BACKGROUND = (SuggestionsReady, QueueOrdered)

    def __init__(
        self,
        project_path: str | Path,
        *,
        transcript: str | None = None,
        coder: str | None = None,
        queue_mode: bool = False,
        poll_seconds: float = POLL_SECONDS,
        suggestions: bool = True,
    ) -> None:
        super().__init__()
        self.project_path = Path(project_path)
        self.project = Project.open(self.project_path)
        self.coder = self.project.resolve_coder(coder)
        self.start_transcript = transcript
        self.start_queue = queue_mode
        if transcript is not None:
            try:
                self.project.require_transcript(transcript)  # a typo fails before the screen opens
            except QualcodeError:
                self.project.close()
                raise
        self.poll_seconds = poll_seconds
        self.sub_title = self.project.name
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue()
        self.pending_writes = 0  # queued writes the status line shows as "saving…"
        self.quiet_writes = 0  # queued writes of where the coder is, not shown
        self.seen_event = self.project.last_event_id()
        self.last_message = ""
        self.last_error = False
        self.message_screen: Screen[Any] | None = None  # the screen the last message was said on (see say)
        self.suggestions_enabled = suggestions
        self.suggestion_note = "fitting suggestions…" if suggestions else "suggestions are off"
        self._suggestions: dict[int, list[Suggestion]] = {}
        self._requested: dict[int, int] = {}  # unit -> generation it was last asked for
        self._suggest_failed = False
        self._service: SuggestionService | None = None  # started on first use
        self._closed_down = False  # unmounted: no model process is started any more
        self._generation = 0
        self._queue_token = 0
        self._queue_waiting: dict[int, tuple[Callable[[list[QueuedUnit], str], None], str | None]] = {}
        self._tty_fd: int | None = None  # the terminal watched by _watch_terminal (None: headless or not a tty)
        self._hanging_up = False
        self._quitting = False  # q was read: no new write is queued, the app exits once the queued ones are committed
        self._busy: dict[int, int] = {}  # unit -> writes queued for it
        self._own_events: list[tuple[int, int]] = []  # event id ranges our writer logged: (after, through]
        self._fresh: dict[int, int] = {}  # unit -> generation of the model its cached suggestions came from

    # ------------------------------------------------------------------ start and stop

    def on_mount(self) -> None:
        from qualcode.tui.screens import ProjectScreen

        # A plain daemon thread rather than a Textual worker: it lives as long as the app, and a crash elsewhere
        # must not leave the event loop waiting for it at exit.
        self._writer = threading.Thread(target=self._writer_loop, name="qualcode-writer", daemon=True)
        self._writer.start()
        if self.suggestions_enabled:
            # The model's process starts when the first screen asks for suggestions (its start takes a core for a
            # second: not while the first screen is being drawn), or a moment after opening on the project view,
            # so that the model is fitted while the evaluator picks a transcript.
            self.set_timer(SERVICE_AFTER, self._service_started)
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.check_store)
        self._gc_threshold = gc.get_threshold()
        gc.set_threshold(self._gc_threshold[0], self._gc_threshold[1], GC_DEFERRED)
        self.set_interval(GC_PAUSE_SECONDS / 2, self._collect_in_a_pause)
        if not self.is_headless:
            self._watch_terminal()
        self.push_screen(ProjectScreen())
        if self.start_queue:
            self.open_queue()
        elif self.start_transcript:
            self.open_transcript(self.start_transcript)
        self.set_timer(INDEX_AFTER, self._index_units)
        self.set_timer(DIALOGS_AFTER, self._build_dialogs)

    def _build_dialogs(self) -> None:
        """Build the code picker, the search and the list of keys of the screen in front (their widgets and their
        styles) without showing them: their first opening built them, the one press of c, / or ? in a session over
        50 ms (62, 41 and 53 ms on a large project). Shown, each is prepared as every time."""
        from qualcode.tui.dialogs import PICKER, SEARCH, CodePicker, HelpScreen, SearchScreen

        if self._closed_down or self._quitting:
            return
        for name, make in ((PICKER, lambda: CodePicker(self.project.codebook(), {})),
                           (SEARCH, lambda: SearchScreen(None)),
                           (self._help_name(), lambda: HelpScreen(self.screen))):
            if not self.is_screen_installed(name):
                self.install_screen(make(), name=name)
                self._get_screen(name)  # Textual's own step of push_screen that mounts an installed screen, alone

    @work(thread=True, group="search-index", exit_on_error=False)
    def _index_units(self) -> None:
        """Read every unit for search while the evaluator reads (a quarter of a second at 200 transcripts), so the
        first / answers at once."""
        from qualcode.searching import project_index

        with Project.open(self.project_path) as project:
            project_index(project)

    async def action_quit(self) -> None:
        """Quit once every queued write is committed (nothing is ever 'saved later').

        The app does not wait here: a write's end is a message to this app, which it could not read while a key's
        action waits (the screen froze on "saving…"). It exits when the last write's end is read
        (:meth:`on_write_finished`); nothing is queued after the writer is told to stop."""
        if self._quitting:
            return
        for screen in self.screen_stack:
            if isinstance(screen, WorkbenchScreen):
                screen.save_position()  # queued before the writer is told to stop
        self._quitting = True
        self.close_typeahead()
        self._jobs.put(None)
        if self.writes_in_flight:
            self.say("saving before quitting…")
        else:
            self.exit()

    def _collect_in_a_pause(self) -> None:
        """The full garbage collection Python would have run by now, while nobody types."""
        if (gc.get_count()[2] >= self._gc_threshold[2]
                and time.monotonic() - self._ta_read_at > GC_PAUSE_SECONDS):
            gc.collect()

    def on_unmount(self) -> None:
        if hasattr(self, "_gc_threshold"):
            gc.set_threshold(*self._gc_threshold)
        self._jobs.put(None)
        self._closed_down = True
        if self._service is not None:
            self._service.close()  # its process ends (it reads the end of its input)
        self.project.close()

    def _watch_terminal(self) -> None:
        """Quit cleanly when the terminal goes away (window closed, SSH connection dropped).

        On a hang-up the shell sends SIGHUP, handled here as a normal quit (queued writes are committed first).
        When a parent keeps the hang-up to itself (``make run`` under tmux), the terminal simply stops being one:
        a timer notices. Without this, Textual's input thread spins on the dead terminal at full CPU and the
        project stays open.
        """
        self._tty_fd = next((f.fileno() for f in (sys.stdin, sys.__stdout__) if f is not None and f.isatty()), None)
        if self._tty_fd is None:
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hang_up)
        self.set_interval(TERMINAL_CHECK_SECONDS, self._check_terminal)

    def _check_terminal(self) -> None:
        if self._tty_fd is not None and not os.isatty(self._tty_fd):
            self._hang_up()

    def _hang_up(self) -> None:
        if self._hanging_up:
            return
        self._hanging_up = True
        self.call_later(self.action_quit)

    # ------------------------------------------------------------------ the one writer

    def _writer_loop(self) -> None:
        project = Project.open(self.project_path)
        project.refresh_statistics()  # before the first write: the reads of the day use the right indexes
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                try:
                    # one transaction around the job: the events it logs are exactly those between the two reads,
                    # which the store watcher then knows are already on screen
                    with project.transaction():
                        first = project.last_event_id()
                        result = job.fn(project)
                        last = project.last_event_id()
                except Exception as err:  # reported on the screen, never a crash
                    self.post_message(WriteFinished(job, error=err))
                else:
                    self.post_message(WriteFinished(job, result=result, events=(first, last)))
        finally:
            project.close()

    def write(self, fn: Callable[[Project], Any], done: Callable[[Any], None] | None = None, *,
              failed: Callable[[Exception], None] | None = None, label: str = "",
              units: Iterable[int] = (), quiet: bool = False, hold_keys: bool = False) -> None:
        """Queue a write; ``done(result)`` runs on the UI once it is committed. ``units``: the units it changes
        (:meth:`unit_busy` is true for them meanwhile). ``quiet``: bookkeeping the user did not ask for (where the
        coder is), which the status line does not show as "saving": a dialog opening saves the position, and
        redrawing the status line behind it for that cost the dialog 10 ms on a large project. ``hold_keys``: the
        keys typed after the one that asked for it wait until ``done`` has run (undo takes the view to what it took
        back: the key typed after u acts there), however long the write takes. Asked for after q, it is not queued,
        and the status line says so."""
        if self._quitting:  # typed after q: the writer has been told to stop, and the app quits once it has
            if not quiet:
                self.say("not saved: quitting" + (f" ({label})" if label else ""), error=True)
            return
        job = WriteJob(fn, done, failed, label, tuple(int(u) for u in units), origin=self.screen, quiet=quiet)
        if hold_keys:  # held while it is queued or being committed (its end lets them go)
            job.holds = self.hold_keys(lambda: not job.finished, lambda after: self.say(
                f"{job.label or 'the change'} goes on; "
                + (f"the {after} key(s) typed after it were dropped" if after else "nothing typed after it")))
        if quiet:
            self.quiet_writes += 1
            self._jobs.put(job)
            return
        self.pending_writes += 1
        for u in job.units:
            self._busy[u] = self._busy.get(u, 0) + 1
        self.refresh_status()
        self._jobs.put(job)

    def hold_keys(self, pending: Callable[[], bool], cancelled: Callable[[int], None]) -> Callable[[], None]:
        """The keys typed after the one being handled wait until the function returned is called (what that key
        started has ended), checked every ``WAIT_SECONDS`` while ``pending()`` says it is still under way (a slow
        machine drops no key); Esc meanwhile drops them and calls ``cancelled(how many)``."""
        def wait_on() -> None:
            if pending():
                self.hold_on(time.monotonic() + WAIT_SECONDS)

        self.hold_until(time.monotonic() + WAIT_SECONDS, wait_on, cancelled)
        return lambda: self.release_barrier(wait_on)

    @property
    def writes_in_flight(self) -> int:
        """Writes queued or being committed, shown as "saving…" or not."""
        return self.pending_writes + self.quiet_writes

    def unit_busy(self, unit: int) -> bool:
        """A write that changes this unit is queued or being committed."""
        return bool(self._busy.get(int(unit)))

    def units_busy(self) -> bool:
        """A write that changes some unit is queued or being committed."""
        return bool(self._busy)

    def on_write_finished(self, message: WriteFinished) -> None:
        job = message.job
        job.finished = True
        if job.quiet:
            self.quiet_writes -= 1
        else:
            self.pending_writes -= 1
        for u in job.units:
            left = self._busy.get(u, 0) - 1
            if left > 0:
                self._busy[u] = left
            else:
                self._busy.pop(u, None)
        first, last = message.events
        if last > first:
            self._own_events.append((first, last))
            del self._own_events[:-200]
            # the other screens underneath (the transcript view under queue mode) show it when they come back: the
            # store watcher skips our own writes
            for screen in self.screen_stack:
                if isinstance(screen, WorkbenchScreen) and screen is not job.origin and screen is not self.screen:
                    screen.missed_write(first, last)
        if message.error is not None:
            err = message.error
            text = str(err) if isinstance(err, QualcodeError) else f"could not save: {type(err).__name__}: {err}"
            self.say(text, error=True)
            if job.failed:
                job.failed(err)
        else:
            if job.label:  # said on the screen that asked for it, if it is still there
                origin = job.origin if isinstance(job.origin, WorkbenchScreen) and job.origin.is_attached else None
                self.say(job.label, on=origin)
            if job.done and not (isinstance(job.origin, Screen) and not job.origin.is_attached):
                job.done(message.result)  # (saved; a screen taken down meanwhile shows nothing of it)
        if not job.quiet:  # a quiet write's error is said (say), which redraws the status line
            self.refresh_status()
        if job.holds is not None:
            job.holds()
        if isinstance(job.origin, WorkbenchScreen) and job.origin.is_attached:  # a key waiting for it goes on
            job.origin.try_waiting()
        if self._quitting and not self.writes_in_flight:
            self.exit()

    async def settled(self, timeout: float = 30.0) -> None:
        """Wait until every queued write is committed and shown, background work is done and the keys read so far
        are handled (none held for a screen still to come) (for tests: however slow the machine)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            waiting = {"writes": bool(self.writes_in_flight),
                       "workers": any(not w.is_finished for w in self.workers),
                       "suggestions": self._suggestions_pending(), "keys held": bool(self._ta_held),
                       "keys being read": not self._ta_quiet()}
            if not any(waiting.values()):
                break
            if loop.time() >= deadline:  # a test must not go on to check a screen that is still changing
                busy = ", ".join(what for what, still in waiting.items() if still)
                raise TimeoutError(f"the workbench did not settle in {timeout:g} s: still waiting for {busy}")
            await asyncio.sleep(0.005)
        await asyncio.sleep(0)

    # ------------------------------------------------------------------ suggestions (background worker)

    def suggestions_for(self, unit: Mapping[str, Any], *,
                        nearby: Sequence[Mapping[str, Any]] | None = None) -> list[Suggestion] | None:
        """Cached suggestions for a unit, with code names and colours; None (and a background request, with the
        units ``nearby``) if not computed yet. After a coding they stay on screen until the refitted model's replace
        them in place."""
        uid = int(unit["id"])
        found = self._suggestions.get(uid)
        if found is None or self._fresh.get(uid, -1) < self._generation:
            self._request_around(unit, nearby)
        if found is None:
            return None
        codebook = self.project.codebook()
        out: list[Suggestion] = []
        for s in found:
            code = codebook.get(s["code"])
            if code is not None:
                out.append({**s, "name": code.name, "color": code.color})
        return out

    def _suggestions_pending(self) -> bool:
        """Units asked for of the current model are still being scored (or the queue still being ordered)."""
        if self._queue_waiting and self._service is not None and not self._suggest_failed:
            return True
        if self._suggest_failed or not self.suggestions_enabled:
            return False
        g = self._generation
        return any(asked == g and self._fresh.get(uid, -1) < g for uid, asked in self._requested.items())

    def suggestions_known(self, unit_id: int) -> bool | None:
        """Whether a unit's suggestions are computed (True), on their way (False), or will never come (None:
        suggestions are off or failed)."""
        if int(unit_id) in self._suggestions:
            return True
        if not self.suggestions_enabled or self._suggest_failed:
            return None
        return False

    def _request_around(self, unit: Mapping[str, Any], nearby: Sequence[Mapping[str, Any]] | None = None) -> None:
        """Ask for the suggestions of a unit and of the units ahead of it (the next ones to be read: of ``nearby``,
        else of the screen in front), the unit on screen first; those computed by the current model, or already
        asked of it, are not asked again."""
        if not self.suggestions_enabled or self._suggest_failed:
            return
        uid = int(unit["id"])
        if nearby is None:
            nearby = self.screen.units_nearby() if isinstance(self.screen, WorkbenchScreen) else None
        units = nearby or [unit]
        pos = next((i for i, u in enumerate(units) if u["id"] == uid), None)
        if pos is None:
            units, pos = [unit], 0
        ahead = [*units[pos: pos + AHEAD], *units[max(0, pos - BEHIND): pos]]
        window = [u for u in ahead if self._fresh.get(int(u["id"]), -1) < self._generation
                  and self._requested.get(int(u["id"])) != self._generation]
        if not window:
            return
        for u in window:
            self._requested[int(u["id"])] = self._generation
        service = self._service_started()
        if service is not None:
            service.want(self._generation, window)

    def suggestions_changed(self) -> None:
        """The team's codings changed: refit in the background and recompute what is on screen and ahead of it.
        The suggestions already shown stay until the new ones replace them."""
        if not self.suggestions_enabled:
            return
        self._generation += 1
        if self._service is not None:
            self._service.changed(self._generation)
        current = self.screen.current_unit() if isinstance(self.screen, WorkbenchScreen) else None
        if current is not None:
            # asked for once the screen has shown what changed
            self.call_after_refresh(self._request_around, current)

    def _service_started(self) -> SuggestionService | None:
        """The suggestion service, started on first use (in a process of its own: see
        :mod:`qualcode.actions.suggestion_service`)."""
        if self._service is None and self.suggestions_enabled and not self._suggest_failed and not self._closed_down:
            from qualcode.actions import suggestion_service

            try:
                self._service = suggestion_service.start(self.project_path, self._from_service,
                                                         own_process=MODEL_IN_ITS_OWN_PROCESS)
            except OSError as err:  # no process could be started: the workbench goes on without suggestions
                self._suggest_failed = True
                self.post_message(SuggestionsReady({}, f"suggestions failed: {err}", generation=-1))
        return self._service

    def _from_service(self, message: tuple[Any, ...]) -> None:
        """An answer of the suggestion service (from its thread): handed to the UI as a message."""
        kind = message[0]
        if kind == "ready":
            self.post_message(SuggestionsReady(message[2], generation=message[1]))
        elif kind == "failed":
            self._suggest_failed = True
            self.post_message(SuggestionsReady({}, message[1], generation=-1))
        elif kind == "queue":
            self.post_message(QueueOrdered(message[1], message[2], message[3]))

    def order_queue(self, transcript: str | None, done: Callable[[list[QueuedUnit], str], None]) -> None:
        """The coder's queue (of one transcript, or of the project), most informative first when suggestions are on;
        ``done(units, note)`` runs on the UI once it is ordered."""
        self._queue_token += 1
        token = self._queue_token
        self._queue_waiting[token] = (done, transcript)
        service = None if self._suggest_failed else self._service_started()
        if service is not None:
            service.queue(token, self.coder, transcript, True)
        else:
            self._order_unranked(token, transcript)

    @work(thread=True, group="queue", exit_on_error=False)
    def _order_unranked(self, token: int, transcript: str | None) -> None:
        from qualcode.actions import views as wb

        try:
            with Project.open(self.project_path) as project:
                units = wb.uncoded_queue(project, coder=self.coder, transcript=transcript, ordered=False)
        except Exception as err:  # the queue (and the keys typed after it) must not wait for an answer never coming
            self.post_message(QueueOrdered(token, [], f"could not read the queue: {type(err).__name__}: {err}"))
            return
        self.post_message(QueueOrdered(token, units, ""))

    def on_queue_ordered(self, message: QueueOrdered) -> None:
        waiting = self._queue_waiting.pop(message.token, None)
        if waiting is not None:
            waiting[0](message.units, message.note)

    def on_suggestions_ready(self, message: SuggestionsReady) -> None:
        if message.generation < 0:  # the model failed: a queue it was ordering comes in transcript order instead
            for token, (_, transcript) in list(self._queue_waiting.items()):
                self._order_unranked(token, transcript)
        for uid, found in message.suggestions.items():
            if message.generation >= self._fresh.get(uid, -1):  # never replace newer ones with older
                self._suggestions[uid] = found
                self._fresh[uid] = message.generation
        self.suggestion_note = message.note
        # the screen in front (none while the app closes); as object: a screen compared to it keeps its own type
        front: object = self.screen_stack[-1] if self.screen_stack else None
        for screen in self.screen_stack:
            # not on a screen being taken down (a refit that finishes as the evaluator quits): its widgets are gone
            if not (isinstance(screen, WorkbenchScreen) and screen.is_attached):
                continue
            if screen is front:
                screen.suggestions_updated()
            else:
                # covered (by a dialog, or another view), it shows them when it is in front again: drawn under the
                # code picker (dimmed, unread), they made the picker take the screen's picture again and draw itself
                # once more (c after a pause, as the refitted suggestions arrive: 52 ms to screen where 17 do)
                screen.suggestions_missed = True
            screen.try_waiting()  # a key waiting for these suggestions goes on, in front or not

    # ------------------------------------------------------------------ other processes

    def check_store(self) -> None:
        """Follow the event log: what another process changed (the CLI, a second coder) is redrawn, unit by unit;
        our own writes are on screen already and are skipped."""
        from qualcode.watching import changes_since

        if self.writes_in_flight:
            return  # our writer's events are told apart once it says what it logged: next tick
        try:
            last = self.project.last_event_id()
            if last == self.seen_event:
                return
            own = self._own_events
            changes = changes_since(self.project, self.seen_event, last=last,
                                    skip=lambda i: any(a < i <= b for a, b in own))
        except Exception:  # the database is briefly unavailable: try again at the next tick
            return
        self.seen_event = last
        del self._own_events[:]  # all at or below ``last``: seen now
        if changes.empty:
            return
        if changes.codings_changed:
            self.suggestions_changed()
        # the screens in sight are redrawn now (the one in front, and the one shown dimmed behind a dialog); the
        # others catch up when they come back
        in_sight = self._screens_in_sight()
        for screen in self.screen_stack:
            if not isinstance(screen, WorkbenchScreen):
                continue
            if any(screen is shown for shown in in_sight):
                screen.apply_store_changes(changes)
            else:
                screen.stale = True

    def _screens_in_sight(self) -> list[Screen[Any]]:
        """The screen in front and, under a dialog, the screens shown behind it (dimmed)."""
        from qualcode.tui.dialogs import Dialog

        shown: list[Screen[Any]] = []
        for screen in reversed(self.screen_stack):
            shown.append(screen)
            if not isinstance(screen, Dialog):
                break
        return shown

    # ------------------------------------------------------------------ messages to the evaluator

    def say(self, text: str, *, error: bool = False, on: Screen[Any] | None = None) -> None:
        """Show a one-line message in the status line of the screen it is said on: ``on``, else the workbench screen
        in front (under a dialog, the one behind it). It stays there: another screen (the project view, another
        transcript, the view back from the queue) shows no message about what was done here."""
        self.last_message = text
        self.last_error = error
        self.message_screen = on if on is not None else self._front_workbench_screen()
        self.refresh_status()

    def _front_workbench_screen(self) -> WorkbenchScreen | None:
        return next((s for s in reversed(self.screen_stack) if isinstance(s, WorkbenchScreen)), None)

    def refresh_status(self) -> None:
        # the screen under a dialog too: its status line shows (dimmed) behind the dialog, and said "saving…" until
        # the dialog closed
        below = next((s for s in reversed(self.screen_stack) if isinstance(s, WorkbenchScreen)), None)
        if below is not None and below.is_attached:
            # a write committed while the app closes (where the coder was, saved on leaving) finds the screen's
            # widgets being taken down: nothing to redraw then
            with contextlib.suppress(NoMatches):
                below.update_status()

    # ------------------------------------------------------------------ help and the command palette

    def action_help(self) -> None:
        from qualcode.tui.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        name = self._help_name()
        if not self.is_screen_installed(name):
            self.install_screen(HelpScreen(self.screen), name=name)
        self.push_screen(name)

    def _help_name(self) -> str:
        """The installed list of keys for the screen in front: one per screen kind, built once and kept."""
        return f"help-{self.screen.KEYS if isinstance(self.screen, WorkbenchScreen) else 'other'}"

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, WorkbenchScreen):
            yield from screen.palette_commands()
        yield from keymap.palette("everywhere", self.run_action)

    def action_adjudicate(self) -> None:
        from qualcode.tui.adjudication_screen import AdjudicationScreen

        if not isinstance(self.screen, AdjudicationScreen):
            self.push_screen(AdjudicationScreen())

    # ------------------------------------------------------------------ where the screens ask to go

    def on_transcript_requested(self, message: TranscriptRequested) -> None:
        self.open_transcript(message.transcript, message.ref)

    def on_queue_requested(self, message: QueueRequested) -> None:
        self.open_queue(message.transcript)

    def on_project_view_requested(self, message: ProjectViewRequested) -> None:
        from qualcode.tui.screens import ProjectScreen

        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.switch_screen(ProjectScreen())

    def open_transcript(self, transcript: str, ref: str | None = None) -> None:
        """Show a transcript in the transcript view, on unit ``ref`` (else the coder's first uncoded unit)."""
        from qualcode.tui.screens import TranscriptScreen

        self.push_screen(TranscriptScreen(transcript, ref=ref))

    def open_queue(self, transcript: str | None = None) -> None:
        """Queue mode: the coder's uncoded units (of one transcript, or of the project), most informative first,
        with their suggestions."""
        from qualcode.tui.queue_screen import QueueScreen

        self.push_screen(QueueScreen(transcript))


def make_app(
    project_path: str | Path,
    *,
    transcript: str | None = None,
    coder: str | None = None,
    queue_mode: bool = False,
    poll_seconds: float = POLL_SECONDS,
    suggestions: bool = True,
) -> QualcodeApp:
    """The workbench on ``project_path``, opened on ``transcript`` (or the project view), coding as ``coder``."""
    return QualcodeApp(project_path, transcript=transcript, coder=coder, queue_mode=queue_mode,
                       poll_seconds=poll_seconds, suggestions=suggestions)
