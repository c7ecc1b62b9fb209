"""How the workbench's screens and its app talk, without either reaching into the other.

Down, from the app to a screen: the methods of :class:`WorkbenchScreen` (re-read the store, redraw the status line,
show new suggestions, which unit is current). Up, from a screen to the app: the small :class:`Host` protocol (the
project, the coder, the one writer, the status message, the suggestions) and messages for where to go next
(:class:`TranscriptRequested`, :class:`QueueRequested`, :class:`ProjectViewRequested`), so a screen never imports
another screen and the app never asks a screen for an attribute it may not have.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, cast

from textual.app import SystemCommand
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from qualcode.model import QueuedUnit, Suggestion
from qualcode.store import Project
from qualcode.tui import keymap
from qualcode.tui.backdrop import Backdrop, dimmed_picture
from qualcode.watching import StoreChanges

# How often a key waiting for what it refers to (a unit's suggestions, its coding being saved) checks that it is still
# being computed: it waits as long as it is, and is dropped (with a message) only once it never will be.
WAIT_SECONDS = 8.0
# The dimmed picture of a screen that a dialog shows behind it is taken once the screen has not changed for this long
# (checked as often), so that a dialog opened after a pause shows it at once.
BACKDROP_PAUSE_SECONDS = 0.2


class Host(Protocol):
    """What a workbench screen may use of the app hosting it."""

    project: Project  # the read connection; every write goes through write()
    project_path: Path
    coder: str
    pending_writes: int
    last_message: str
    last_error: bool
    message_screen: Screen[Any] | None  # the screen the last message was said on
    suggestions_enabled: bool
    suggestion_note: str

    def write(self, fn: Callable[[Project], Any], done: Callable[[Any], None] | None = None, *,
              failed: Callable[[Exception], None] | None = None, label: str = "",
              units: Iterable[int] = (), quiet: bool = False, hold_keys: bool = False) -> None:
        """Run ``fn`` on the one writer's connection; ``done(result)`` runs on the UI once it is committed.
        ``units``: the units it changes (busy until then); ``quiet``: not shown as "saving" (where the coder is);
        ``hold_keys``: the keys typed after this one wait until ``done`` has run (it moves the view)."""

    def unit_busy(self, unit: int) -> bool:
        """A write that changes this unit is queued or being committed."""

    def units_busy(self) -> bool:
        """A write that changes some unit is queued or being committed."""

    def suggestions_known(self, unit_id: int) -> bool | None:
        """The unit's suggestions are computed (True), on their way (False) or will never come (None)."""

    def hold_until(self, deadline: float, give_up: Callable[[], None],
                   cancel: Callable[[int], None] | None = None) -> None:
        """A key waits for what it refers to: keys typed after it are held until :meth:`release_barrier`; at
        ``deadline`` ``give_up()`` drops it (or calls :meth:`hold_on`); Esc calls ``cancel(keys dropped after it)``."""

    def hold_keys(self, pending: Callable[[], bool], cancelled: Callable[[int], None]) -> Callable[[], None]:
        """The keys typed after this one wait until the function returned is called (checked while ``pending()``);
        Esc drops them and calls ``cancelled(how many)``."""

    def hold_on(self, deadline: float) -> None:
        """The waiting key waits on until ``deadline``: what it refers to is still being computed."""

    def release_barrier(self, give_up: Callable[[], None] | None = None) -> None:
        """The waiting key was applied or dropped: the keys held behind it go on, in order (with ``give_up``: only
        if that key still waits)."""

    def say(self, text: str, *, error: bool = False, on: Screen[Any] | None = None) -> None:
        """Show a one-line message in the status line of the screen it is said on (``on``, else the one in front)."""

    def suggestions_for(self, unit: Mapping[str, Any], *,
                        nearby: Sequence[Mapping[str, Any]] | None = None) -> list[Suggestion] | None:
        """The unit's suggestions, or None while they are computed (the screen is told when they are ready).
        ``nearby``: the asking screen's units around it, whose suggestions are computed next (else the front
        screen's: a screen catching up while the one in front goes must say which are its own)."""

    def suggestions_changed(self) -> None:
        """The team's codings changed: retrain, and recompute what is on screen."""

    def order_queue(self, transcript: str | None, done: Callable[[list[QueuedUnit], str], None]) -> None:
        """The coder's uncoded units (of a transcript, or of the project), most informative first when suggestions
        are on; ``done(units, note)`` runs on the UI once they are ordered (``note``: why not ordered, or "")."""


class TranscriptRequested(Message):
    """A screen asked to open a transcript, on unit ``ref`` (else on the coder's first uncoded unit)."""

    def __init__(self, transcript: str, ref: str | None = None) -> None:
        self.transcript = transcript
        self.ref = ref
        super().__init__()


class QueueRequested(Message):
    """A screen asked for queue mode (uncoded units with suggestions): of one transcript, or of the whole project
    (``transcript`` None)."""

    def __init__(self, transcript: str | None = None) -> None:
        self.transcript = transcript
        super().__init__()


class ProjectViewRequested(Message):
    """A screen asked to go back to the list of transcripts."""


class WorkbenchScreen(Screen[None]):
    """A screen of the workbench: its keys come from the keymap group ``KEYS``; the app calls the methods below."""

    KEYS: ClassVar[str] = ""
    stale = False  # the project changed while another screen was in front
    suggestions_missed = False  # new suggestions were computed while another screen was in front
    _pause_watch: Timer | None = None  # looks for a pause to take the screen's picture in (see _backdrop_in_a_pause)

    @property
    def host(self) -> Host:
        return cast(Host, self.app)

    @property
    def project(self) -> Project:
        return self.host.project

    @property
    def coder(self) -> str:
        return self.host.coder

    def on_mount(self) -> None:
        # in place for the screen's first layout: set by its first Resize only, they laid the screen out a second
        # time at other widths (a 40,000-word transcript was wrapped twice on opening, 35 ms)
        self._size_classes()
        # it looks for a pause only while the screen is in front: paused while another screen (a dialog, the queue)
        # covers it, rather than woken five times a second to find it is not
        self._pause_watch = self.set_interval(BACKDROP_PAUSE_SECONDS, self._backdrop_in_a_pause,
                                              pause=not self.is_current)

    def on_resize(self) -> None:
        self._size_classes()

    def _size_classes(self) -> None:
        """Size classes for the stylesheet: -narrow (under 100 columns), -wide (160 and more), -short (under 30
        rows): the layout gives the unit and the suggestions the room, whatever the terminal."""
        width, height = self.app.size
        self.set_class(width < 100, "-narrow")
        self.set_class(width >= 160, "-wide")
        self.set_class(height < 30, "-short")

    def on_screen_suspend(self) -> None:
        if self._pause_watch is not None:
            self._pause_watch.pause()

    def on_screen_resume(self) -> None:
        if self._pause_watch is not None:
            self._pause_watch.resume()
        self.catch_up()
        self.update_status()

    def catch_up(self) -> None:
        """Show what changed while this screen was covered (the screen in front calls it just before it goes, so that
        the screen comes back drawn once, as it is: catching up after its first drawing drew it twice)."""
        missed, self.missed_writes = self.missed_writes, ()
        if self.stale:
            self.stale = False
            self.reload_from_store()
        elif missed:
            self._catch_up(missed)
        if self.suggestions_missed:
            self.suggestions_missed = False
            self.suggestions_updated()

    # our own writes made on another screen while this one was covered (the queue over the transcript view): the
    # ranges of events they logged, shown when it comes back, unit by unit (re-reading the whole transcript took
    # 130 ms of a 2,683-unit interview, after every visit to the queue)
    missed_writes: tuple[tuple[int, int], ...] = ()

    def missed_write(self, first: int, last: int) -> None:
        """A write of ours logged events ``first`` (excluded) to ``last`` while this screen was covered."""
        self.missed_writes = (*self.missed_writes, (first, last))

    def _catch_up(self, missed: tuple[tuple[int, int], ...]) -> None:
        from qualcode.watching import changes_since

        try:
            changes = changes_since(self.project, min(a for a, _ in missed), last=max(b for _, b in missed),
                                    skip=lambda i: not any(a < i <= b for a, b in missed))
        except Exception:  # the database is briefly unavailable: read it all
            self.reload_from_store()
            return
        if not changes.empty:
            self.apply_store_changes(changes)

    # ------------------------------------------------------------------ the picture of it behind a dialog

    changes_drawn = 0  # frames of this screen that drew a change: a picture taken after the last one is current
    _drawn_at = 0.0
    # (changes drawn when it was taken, the picture): this screen as a dialog shows it behind itself, dimmed
    backdrop_ahead: tuple[int, Backdrop] | None = None

    def _on_timer_update(self) -> None:
        # Textual's frame: counted if it draws a change (a dialog opening asks for the screen below to be drawn again
        # whole, the same picture: not a change), on screen or passed up to the dialog in front
        if (self._layout_required or self._scroll_required or self._dirty_widgets.difference((self,))
                or (self._repaint_required and self is self.app.screen)):
            self.changes_drawn += 1
            self._drawn_at = time.monotonic()
        elif self._repaint_required and self is not self.app.screen:
            # behind a dialog, that request alone changes nothing: passed up to the dialog as the whole screen to draw
            # again, it made the dialog take its picture of this screen again, or draw once more, a frame after it
            # opened
            self._repaint_required = False
            self._dirty_widgets.discard(self)
        super()._on_timer_update()

    def drawn_as_is(self) -> bool:
        """Nothing of this screen waits to be drawn: it shows what it is (no message, layout, scrolling or widget is
        left for its next drawing). A request to draw it all again (which a dialog opening makes) is not a change."""
        return not (self._message_queue.qsize() or self._layout_required or self._scroll_required
                    or self._dirty_widgets)

    def _backdrop_in_a_pause(self) -> None:
        # A dialog shows this screen dimmed behind it: taken while nobody types (5 ms on a large project), the picture
        # is there when the dialog opens, whose first drawing no longer waits for it.
        if (not self.is_current or self.app._batch_count or self._repaint_required or not self.drawn_as_is()
                or (self.backdrop_ahead is not None and self.backdrop_ahead[0] == self.changes_drawn)
                or time.monotonic() - self._drawn_at < BACKDROP_PAUSE_SECONDS):
            return
        self.backdrop_ahead = (self.changes_drawn, dimmed_picture(self))

    def current_backdrop(self) -> Backdrop | None:
        """The dimmed picture taken in the last pause, if the screen is still as it was then, else None."""
        ahead = self.backdrop_ahead
        if ahead is None or ahead[0] != self.changes_drawn or not self.drawn_as_is():
            return None
        return ahead[1]

    # ------------------------------------------------------------------ what the app calls

    def reload_from_store(self) -> None:
        """The project changed (another process, undo, ...): show it as it is now."""

    def try_waiting(self) -> None:
        """A write this screen asked for has ended (saved or failed): a key waiting for it goes on."""

    def apply_store_changes(self, changes: StoreChanges) -> None:
        """Another process changed these units and counts (:mod:`qualcode.watching`); by default, re-read all."""
        self.reload_from_store()

    def update_status(self) -> None:
        """Redraw the status line (who, where, progress, saving, the last message said here)."""

    def said_here(self) -> tuple[str, bool]:
        """The last message and whether it is an error, if it was said on this screen; else nothing: a message
        belongs to where it was said ('queue of every transcript' was still shown in the transcript view after the
        queue closed, a coding in KII-01 in the project view)."""
        host = self.host
        return (host.last_message, host.last_error) if host.message_screen is self else ("", False)

    def suggestions_updated(self) -> None:
        """New suggestions were computed: show them if they concern what is on screen. Called while the screen is
        in front; those computed while it was covered, as it comes back (:meth:`catch_up`)."""

    def save_position(self) -> None:
        """Remember where the coder is (the transcript view does; the app calls it before quitting)."""

    def current_unit(self) -> Mapping[str, Any] | None:
        """The unit the evaluator is on (None: none, or a screen without units)."""
        return None

    def units_nearby(self) -> Sequence[Mapping[str, Any]]:
        """The units around the current one, whose suggestions are worth computing next."""
        unit = self.current_unit()
        return [unit] if unit is not None else []

    def suggestions_for(self, unit: Mapping[str, Any]) -> list[Suggestion] | None:
        """The unit's suggestions (None while computed), those of this screen's units around it asked for next."""
        return self.host.suggestions_for(unit, nearby=self.units_nearby())

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's entries of the command palette: its keys, by name."""
        return keymap.palette(self.KEYS, self.run_action) if self.KEYS else ()
