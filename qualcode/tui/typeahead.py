"""Keys typed ahead of a screen change reach the screen they were typed for, in the order they were typed.

Textual hands a key to the widget that has focus when the key is read. Keys typed faster than a screen opens (a fast
typist, a paste, an SSH link that delivers "c f u n d ⏎" at once) would reach the screen below, or the new dialog
before its input has focus: the letters were lost and "⏎" applied whatever code the picker listed first. Here such
keys are held and replayed once the screen on top is mounted.
"""

from __future__ import annotations

import time
from typing import Any

from textual import events

SETTLE = 0.01  # seconds without a newly held key before the held keys are replayed
GIVE_UP = 1.0  # a screen still not mounted after this long gets the keys anyway
PRIORITY_GAP = 0.05  # seconds a replayed priority key waits for the keys replayed before it
CLOSING_KEYS = frozenset({"enter", "escape", "ctrl+s"})  # keys after which the screen on top may change


class TypeAhead:
    """Mixin for the workbench app; list it before ``App`` in the bases."""

    _ta_seq = 0
    _ta_held: list[tuple[int, str, str | None]] | None = None
    _ta_since = 0.0
    _ta_last = 0.0
    _ta_waiting = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            seq = getattr(event, "_ta_seq", None)
            if seq is None:
                self._ta_seq += 1
                seq = self._ta_seq
                event._ta_seq = seq  # type: ignore[attr-defined]
            app: Any = self
            replayed = getattr(event, "_ta_replay", False)  # already in typing order: only a new screen holds it
            if (self._ta_held and not replayed) or not app.screen.is_mounted:
                self._ta_hold(seq, event)
                return
            event._ta_screen = app.screen  # type: ignore[attr-defined]  # the screen it was typed for
        await super().on_event(event)  # type: ignore[misc]

    async def _on_key(self, event: events.Key) -> None:
        """A key that reaches the app after another screen came up over the one it was typed for (it was
        still on its way through that screen's widgets) belongs to the new screen."""
        app: Any = self
        origin = getattr(event, "_ta_screen", None)
        if origin is not None and origin is not app.screen and origin in app.screen_stack:
            event.prevent_default()  # not the covered screen's bindings, nor the new one's out of order
            event.stop()
            self._ta_hold(getattr(event, "_ta_seq", 0), event)

    def _ta_hold(self, seq: int, event: events.Key) -> None:
        now = time.monotonic()
        if not self._ta_held:
            self._ta_held = []
            self._ta_since = now
        self._ta_held.append((seq, event.key, event.character))
        self._ta_last = now
        if not self._ta_waiting:
            self._ta_waiting = True
            self.set_timer(SETTLE, self._ta_release)  # type: ignore[attr-defined]

    def _ta_release(self) -> None:
        app: Any = self
        now = time.monotonic()
        ready = app.screen.is_mounted and now - self._ta_last >= SETTLE
        if not ready and now - self._ta_since < GIVE_UP:
            app.set_timer(SETTLE, self._ta_release)
            return
        held = sorted(self._ta_held or [])
        for i, (seq, key, character) in enumerate(held):
            # A priority binding (the memo's ctrl+s) acts when the app reads the key, before the keys already
            # handed to a widget are typed in; and after a key that may close the dialog, the next keys are for
            # the screen below it. Either way the rest waits until the keys before have been handled.
            if (i and self._ta_priority(key)) or (i and held[i - 1][1] in CLOSING_KEYS):
                self._ta_held, self._ta_since, self._ta_last = held[i:], now, now
                app.set_timer(PRIORITY_GAP, self._ta_release)
                return
            replay = events.Key(key, character)
            replay._ta_seq = seq  # type: ignore[attr-defined]
            replay._ta_replay = True  # type: ignore[attr-defined]
            app.post_message(replay)
        self._ta_held, self._ta_waiting = None, False

    def _ta_priority(self, key: str) -> bool:
        active = getattr(self, "active_bindings", {}).get(key)
        return bool(active is not None and active.binding.priority)
