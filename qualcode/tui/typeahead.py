"""Keys typed ahead of a screen change reach the screen they were typed for, in the order they were typed.

Textual hands a key (or a bracketed paste) to the widget that has focus when it is read. Keys typed faster than a
screen opens or closes (a fast typist, a paste, an SSH link that delivers "c f u n d ⏎" at once) would reach the
screen below, or the new dialog before its input has focus: the letters were lost and "⏎" applied whatever code the
picker listed first. Here such input is held and replayed in typing order once the screen on top is mounted. Two
kinds of key also wait for the keys read just before them to be handled: a priority binding (the memo's ctrl+s acts
when the app reads it, before the text typed before it is in), and any key right after one that may close a dialog
(Enter, Esc, ctrl+s), which is for the screen below.

None of this may depend on how fast the machine is: on a loaded machine the keys of one burst are read further
apart than on an idle one, and what a key starts takes longer to finish. So a key after Enter or Esc waits for as
long as the app is still working through what was read before it (input still queued, or a message the app or a
screen is still handling), then until the screen on top changes or a short time (``GAP``) has passed; only then does the
screen on top tell where it goes. A key read once all that is done goes there at once.

A key can also wait for what it refers to: a number typed before the unit's suggestions are computed, or ``d`` while
the unit's coding is still being written. The screen then holds it as a *barrier* (:meth:`TypeAhead.hold_until`)
and every key typed after it is held too, so that it applies to the unit it was typed on and the keys after it
follow in order. A barrier that is not resolved within its time limit is dropped by the screen, which says so.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual import events, messages
from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

SETTLE = 0.01  # seconds without newly held input before held input is replayed
GIVE_UP = 5.0  # a screen still not mounted after this long gets the held input anyway (a safety valve only)
GAP = 0.05  # seconds a key waits for the input read just before it, in the two cases above
MAX_HELD = 500  # keys held at most (a key waits as long as its target is being computed: memory stays bounded)
CLOSING_KEYS = frozenset({"enter", "escape", "ctrl+s"})  # keys after which the screen on top may change

Held = tuple[int, str, str, "str | None"]  # (typing order, "key" or "paste", key name or pasted text, character)


class TypeAhead:
    """Mixin for the workbench app; list it before ``App`` in the bases."""

    _ta_seq = 0
    _ta_held: list[Held] | None = None
    _ta_since = 0.0
    _ta_ready_at = 0.0  # held input is not replayed before this time
    _ta_waiting = False
    _ta_read_at = 0.0  # when the last live key was read
    _ta_read_key = ""
    _ta_read_screen: Any = None  # the screen on top when the last live key was read
    _ta_read_focus: Any = None  # the widget with focus when the last live key was read
    _ta_until_change: Any = None  # held input waits for this screen to go (or for its time to pass)
    _ta_until_focus: Any = None  # ... or for the focus to leave this widget (a key that moves it has acted)
    _ta_barrier: tuple[float, Any] | None = None  # (deadline, give_up callback) of a key waiting for its target
    _ta_barrier_seq = 0  # the typing order of that key: keys typed after it are held
    _ta_barrier_kept: float | None = None  # a new deadline its give_up set (the target is still being computed)
    _ta_cancel: Any = None  # what Esc typed while a key waits calls
    _ta_overflow = 0  # keys not held because MAX_HELD were already waiting
    _ta_acting_seq = 0  # the typing order of the key whose binding is being run
    _ta_in_flight = 0  # replayed input posted to the app and not read yet: live input read meanwhile waits behind it
    _ta_closed = False  # the app is quitting: keys still held go nowhere

    def close_typeahead(self) -> None:
        """The app is quitting (q was read): the keys held now are dropped rather than replayed."""
        self._ta_closed = True

    def hold_until(self, deadline: float, give_up: Any, cancel: Any = None) -> None:
        """A key waits for what it refers to: hold every key typed after it until :meth:`release_barrier`, or until
        ``deadline`` (``time.monotonic()``), when ``give_up()`` is called: it drops the key and says so, or, while
        what the key waits for is still being computed, calls :meth:`hold_on` (a slow machine is no reason to drop
        a key). Esc typed meanwhile calls ``cancel(n)``: the key and the ``n`` keys held behind it are dropped."""
        self._ta_barrier = (deadline, give_up)
        self._ta_cancel = cancel
        self._ta_barrier_seq = self._ta_acting_seq
        if not self._ta_waiting:  # the deadline is checked even when no key is typed after it
            if not self._ta_held:
                self._ta_since = time.monotonic()
            self._ta_waiting = True
            self.set_timer(SETTLE, self._ta_release)  # type: ignore[attr-defined]

    def hold_on(self, deadline: float) -> None:
        """The waiting key waits on until ``deadline`` (called by its ``give_up`` while its target is still coming)."""
        self._ta_barrier_kept = deadline

    def release_barrier(self, give_up: Any = None) -> None:
        """The waiting key was applied (or dropped): keys held behind it go on, in order. With ``give_up``: only if
        the key waiting is still the one that set it (Esc may have dropped it, and another key may wait now)."""
        if give_up is not None and (self._ta_barrier is None or self._ta_barrier[1] is not give_up):
            return
        self._ta_barrier = None
        self._ta_cancel = None
        self._ta_overflow = 0
        self._ta_since = time.monotonic()  # the keys held behind it are replayed in order, not forced through
        if self._ta_held and not self._ta_waiting:
            self._ta_waiting = True
            self.set_timer(SETTLE, self._ta_release)  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        typing = (isinstance(event, events.Key) and bool(getattr(self, "screen_stack", None))
                  and isinstance(getattr(self, "focused", None), (Input, TextArea)))
        split = _escape_then_key(event, typing=typing)
        if split is not None:
            for key in split:
                await self.on_event(key)
            return
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            app: Any = self
            seq = getattr(event, "_ta_seq", None)
            if seq is None:
                self._ta_seq += 1
                seq = self._ta_seq
                _mark(event, _ta_seq=seq)
            replayed = getattr(event, "_ta_replay", False)  # already in typing order: only a new screen holds it
            if replayed:
                self._ta_in_flight = max(0, self._ta_in_flight - 1)
            forced = getattr(event, "_ta_forced", False)
            wait = 0.0
            if not replayed and isinstance(event, events.Key):
                now = time.monotonic()
                if (self._ta_priority(event.key)
                        # after Enter or Esc (or a key that moves the focus), only while the screen they were read
                        # on is still there: once the dialog has closed, the next key goes to the screen below at once;
                        # and only while the focus has not moved since: once f has put it in the filter box, the
                        # letters typed next go there at once
                        or (app.screen is self._ta_read_screen and app.focused is self._ta_read_focus
                            and _may_close(app.screen, self._ta_read_key))) and not self._ta_quiet():
                    # ... and only while what was read before is still being worked through: once it is all
                    # handled, the screen on top is where this key goes (Esc 30 ms after the Enter that listed search
                    # results waited 50 ms more)
                    wait = GAP
                    self._ta_until_change = (app.screen if _may_close(app.screen, self._ta_read_key)
                                             else None)
                    self._ta_until_focus = app.focused
                # a letter typed into a text box is text: 't' in the codebook filter does not leave the transcript,
                # so the letter after it need not wait to see where it goes (it waited 50 ms)
                read_key = "" if event.is_printable and isinstance(app.focused, (Input, TextArea)) else event.key
                self._ta_read_at, self._ta_read_key, self._ta_read_screen = now, read_key, app.screen
                self._ta_read_focus = app.focused
            barrier = self._ta_barrier is not None
            # replayed input is queued behind what was read before its replay: input typed later and read before it
            # must wait for it, or a slow machine types 'ask them' as 'ahemsk t'
            behind = not replayed and self._ta_in_flight > 0
            if barrier and not replayed and isinstance(event, events.Key) and event.key == "escape":
                self._ta_cancel_barrier()  # Esc while a key waits: that key, and the keys typed after it, are dropped
                return
            if not forced and ((self._ta_held and not replayed) or not app.screen.is_mounted or wait or barrier
                               or behind):
                self._ta_hold(seq, event, wait)
                return
            _mark(event, _ta_screen=app.screen)  # the screen it was typed for
        await super().on_event(event)  # type: ignore[misc]

    def _ta_covered(self, event: events.Event) -> bool:
        """Input that reaches the app after another screen came up over the one it was typed for (it was still on
        its way through that screen's widgets) belongs to the new screen."""
        app: Any = self
        origin = getattr(event, "_ta_screen", None)
        if origin is not None and origin is not app.screen and origin in app.screen_stack:
            event.prevent_default()  # not the covered screen's bindings, nor the new one's out of order
            event.stop()
            self._ta_hold(getattr(event, "_ta_seq", 0), event, 0.0)
            return True
        return False

    async def _on_key(self, event: events.Key) -> None:
        # Keys reach the app (where the screens' bindings run) after their way through the widgets; those read
        # before a key set a barrier but typed after it are held here.
        seq = getattr(event, "_ta_seq", 0)
        if (self._ta_barrier is not None and seq > self._ta_barrier_seq
                and not getattr(event, "_ta_forced", False)):
            event.prevent_default()
            event.stop()
            self._ta_hold(seq, event, 0.0)
            return
        if not self._ta_covered(event):
            self._ta_acting_seq = seq

    async def _on_paste(self, event: events.Paste) -> None:
        self._ta_covered(event)

    def _ta_cancel_barrier(self) -> None:
        later = [h for h in self._ta_held or [] if h[0] > self._ta_barrier_seq]
        self._ta_held = [h for h in self._ta_held or [] if h[0] <= self._ta_barrier_seq] or None
        cancel, self._ta_cancel = self._ta_cancel, None
        self._ta_barrier = None
        if cancel is not None:
            cancel(len(later) + self._ta_overflow)
        self._ta_overflow = 0
        self.release_barrier()

    def _ta_hold(self, seq: int, event: Any, wait: float) -> None:
        now = time.monotonic()
        if not self._ta_held:
            self._ta_held = []
            self._ta_since = now
        if len(self._ta_held) >= MAX_HELD:  # typed while a key waits, beyond what is kept: dropped, and said
            self._ta_overflow += 1
            if self._ta_overflow == 1:
                app: Any = self
                app.say(f"more than {MAX_HELD} keys typed while a key waits: the ones after that are dropped",
                        error=True)
            return
        if isinstance(event, events.Paste):
            self._ta_held.append((seq, "paste", event.text, None))
        else:
            self._ta_held.append((seq, "key", event.key, event.character))
        self._ta_ready_at = max(self._ta_ready_at, now + max(SETTLE, wait))
        if not self._ta_waiting:
            self._ta_waiting = True
            self.set_timer(SETTLE, self._ta_release)  # type: ignore[attr-defined]

    def _ta_release(self) -> None:
        app: Any = self
        if not app.screen_stack or self._ta_closed:
            self._ta_held, self._ta_waiting, self._ta_barrier = None, False, None  # quitting: keys after q go nowhere
            return
        now = time.monotonic()
        if self._ta_barrier is not None:
            deadline, give_up = self._ta_barrier
            if now < deadline:
                app.set_timer(SETTLE, self._ta_release)
                return
            self._ta_barrier = None
            self._ta_barrier_kept = None
            give_up()  # the key that waited is dropped, with a message; the keys after it go on
            if self._ta_barrier_kept is not None:  # ... unless what it waits for is still being computed
                self._ta_barrier, self._ta_barrier_kept = (self._ta_barrier_kept, give_up), None
                app.set_timer(SETTLE, self._ta_release)
                return
            self._ta_cancel, self._ta_overflow = None, 0
            self._ta_since = now
        gave_up = now - self._ta_since >= GIVE_UP
        if self._ta_in_flight and not gave_up:  # the input replayed last time goes first
            app.set_timer(SETTLE, self._ta_release)
            return
        if gave_up:
            self._ta_in_flight = 0  # never let a lost count hold every later key
        changed = self._ta_until_change is not None and (app.screen is not self._ta_until_change
                                                         or app.focused is not self._ta_until_focus)
        # and never while input read before is still on its way through the widgets: a key read just before the
        # screen changed comes back here (covered) and must be replayed before the keys typed after it
        ready = now >= self._ta_ready_at
        if not (app.screen.is_mounted and (ready or changed) and self._ta_quiet()) and not gave_up:
            app.set_timer(SETTLE, self._ta_release)
            return
        self._ta_until_change = None
        held = sorted(self._ta_held or [])
        for i, (seq, kind, value, character) in enumerate(held):
            if i and not gave_up and (
                    (kind == "key" and self._ta_priority(value))
                    or (held[i - 1][1] == "key" and (held[i - 1][2] in CLOSING_KEYS
                                                     or _may_close(app.screen, held[i - 1][2])))):
                self._ta_held, self._ta_since, self._ta_ready_at = held[i:], now, now + GAP
                # after a replayed Enter or Esc: until the screen it goes to has changed, or GAP has passed
                previous = held[i - 1][2] if held[i - 1][1] == "key" else ""
                self._ta_until_change = (app.screen if previous in CLOSING_KEYS or _may_close(app.screen, previous)
                                         else None)
                self._ta_until_focus = app.focused
                app.set_timer(SETTLE, self._ta_release)
                return
            replay = events.Key(value, character) if kind == "key" else events.Paste(value)
            _mark(replay, _ta_seq=seq, _ta_replay=True, _ta_forced=gave_up)
            self._ta_in_flight += 1
            app.post_message(replay)
        self._ta_held, self._ta_waiting = None, False

    # Messages that say nothing about where a key goes: the app's own from background work (set by the app) and
    # Textual's requests to draw or lay out a widget again (and the prompt that wakes a widget to do so). Waiting for
    # them held a key typed after Enter or Esc for the whole GAP while suggestions for the units ahead kept arriving
    # (Esc after search results: 65 ms).
    TA_BACKGROUND: tuple[type, ...] = ()

    def _ta_background(self, message: Any) -> bool:
        return isinstance(message, (messages.Update, messages.Layout, messages.UpdateScroll, messages.Prompt,
                                    *self.TA_BACKGROUND))

    def _ta_quiet(self) -> bool:
        """Nothing read before is still being worked through: the app is handling no message (but for the ones the
        caller is itself in the middle of: the key being read asks) and has none waiting, and no screen (nor any
        widget on it) has a message waiting or being handled (a replayed Enter's submission, the dialog's
        dismissal), but for messages that cannot change where a key goes (:attr:`TA_BACKGROUND`)."""
        app: Any = self
        task = asyncio.current_task()
        handled = [message for message, handler in self._ta_handling if handler is not task]
        if not self._ta_only_background(app, handled):
            return False
        for screen in app.screen_stack:
            for node in screen.walk_children(with_self=True):
                queue = node._message_queue
                # an asyncio queue counts a message until it is handled, not only until it is taken
                unfinished = getattr(queue, "_unfinished_tasks", queue.qsize())
                if unfinished and not self._ta_only_background(node, None, unfinished):
                    return False
        return True

    def _ta_only_background(self, pump: Any, handled: list[Any] | None, unfinished: int = 0) -> bool:
        """Every message ``pump`` is handling (``handled``; None: not known, only how many are ``unfinished``: taken
        off its queue or waiting in it, and not handled yet), has taken off its queue to handle next, or has waiting
        in it, is background."""
        queue = pump._message_queue
        queued = getattr(queue, "values", getattr(queue, "_queue", None))  # Textual's own queue, or asyncio's
        if queued is None:
            return False
        waiting = list(queued)
        taken = pump._pending_message  # looked at and kept while the message before it is handled
        if taken is not None:
            waiting.append(taken)
        if handled is None:
            if unfinished > len(waiting):  # one is being handled: what it does is not known
                return False
            handled = []
        return all(m is not None and self._ta_background(m) for m in [*handled, *waiting])

    # (message, task handling it) for each message the app is in the middle of: Textual's queue counts only those
    # waiting, so a key was judged free to go while the message before it was still being handled
    _ta_handling: tuple[tuple[Any, Any], ...] = ()

    async def _dispatch_message(self, message: Any) -> None:
        entry = (message, asyncio.current_task())
        self._ta_handling = (*self._ta_handling, entry)
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        finally:
            self._ta_handling = tuple(e for e in self._ta_handling if e is not entry)

    def _ta_priority(self, key: str) -> bool:
        active = getattr(self, "active_bindings", {}).get(key)
        return bool(active is not None and active.binding.priority)


def _option_characters() -> dict[str, str]:
    """What Textual makes of Esc read together with a digit, '-' or '=': the character macOS's Option key gives with
    it ('Esc 1' arrives as '¡', 'Esc -' as '–'), as some terminals send Option that way."""
    try:
        from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    except ImportError:  # a Textual without that table: nothing to take back
        return {}
    return {made: sequence[1] for sequence, made in ANSI_SEQUENCES_KEYS.items()
            if isinstance(made, str) and len(sequence) == 2 and sequence[0] == "\x1b" and len(made) == 1
            and (sequence[1].isdigit() or sequence[1] in "-=")}


OPTION_CHARACTERS = _option_characters()


def _escape_then_key(event: events.Event, *, typing: bool = False) -> tuple[events.Key, events.Key] | None:
    """Esc and the key typed right after it, read together (within the terminal's escape delay: a fast typist, or an
    SSH link delivering a burst), reach the app as one Alt chord: 'Esc n' as alt+n, and the Esc was lost. The workbench
    binds no Alt chord of a printable character, so such a chord is taken for what was typed: Esc, then the key.
    Textual reads 'Esc 1' (and the other digits, '-', '=') as the character Option gives on a Mac ('¡'): outside a
    text box, where no key means '¡', it is taken back too ('Esc 1' closed nothing and coded nothing). In a text box
    it stays the character: a memo in Spanish may start with '¡'."""
    if not isinstance(event, events.Key) or event.is_forwarded:
        return None
    if getattr(event, "_ta_seq", None) is not None:
        return None  # already read once (held and replayed)
    char = event.character
    if not event.key.startswith("alt+"):
        if typing or not char or char not in OPTION_CHARACTERS:
            return None
        char = OPTION_CHARACTERS[char]
        name = {"-": "minus", "=": "equals_sign"}.get(char, char)
    elif not char or len(char) != 1 or not char.isalnum() or event.key[len("alt+"):] not in (
            char, f"shift+{char.lower()}"):
        return None
    else:
        name = char
    escape, key = events.Key("escape", "\x1b"), events.Key(name, char)
    for made in (escape, key):
        made.set_sender(event._sender)  # type: ignore[arg-type]
    return escape, key


def _may_close(screen: Any, key: str) -> bool:
    """Whether ``key`` may change where the next key goes: close ``screen`` (Enter, Esc or ctrl+s on a dialog), or
    leave it or move its focus (a screen names such keys in ``LEAVE_KEYS``: Esc leaving the queue, ``/`` putting the
    focus in a filter box). Only then does the key after it wait to see where it goes."""
    return (isinstance(screen, ModalScreen) and key in CLOSING_KEYS) or key in getattr(screen, "LEAVE_KEYS", ())


def _mark(event: Any, **marks: Any) -> None:
    """Note on an input event what the type-ahead knows of it (its typing order, the screen it was typed for)."""
    for name, value in marks.items():
        setattr(event, name, value)
