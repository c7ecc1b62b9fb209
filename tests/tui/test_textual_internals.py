"""The workbench reaches into a few of Textual's private methods and attributes to draw a key in one frame (the
dialog's dimmed picture of the screen below, the steady scroll bars, the kept drawings of the picker's rows), to hold
the keys typed ahead, and its tests into a few more to count frames and type as a terminal does. A Textual release
that renames or drops one, or changes what it holds, must fail here, naming it, rather than draw wrongly or a frame
late, or let a key typed ahead go to the wrong screen.

Each check reads the name the way the workbench does (no ``getattr`` with a default): if the name is gone, the check
fails."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual._compositor import Compositor
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.message_pump import MessagePump
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

METHODS = [
    # the workbench
    (Compositor, "_render_chops", ["crop", "is_rendered_line"]),  # the changed lines of the screen below
    (Widget, "_set_dirty", []),  # the dialog's lines to draw again
    (ScrollView, "_scroll_update", ["virtual_size"]),  # scroll bars drawn again only when they change
    (Widget, "_size_updated", ["size", "virtual_size", "container_size", "layout"]),
    (OptionList, "_update_lines", []),  # what the option list keeps of its options' drawings
    (OptionList, "_clear_caches", []),
    (Screen, "_on_timer_update", []),  # a screen's frame: the workbench counts those that draw a change
    (App, "_on_key", ["event"]),  # what a key held by the type-ahead is kept from (prevent_default)
    (BackgroundScreen, "process_segments", ["segments", "color"]),  # the dialog's dimming, one style at a time
    (App, "_get_screen", ["screen"]),  # the code picker built (mounted) before it is first shown
    (MessagePump, "_dispatch_message", ["message"]),  # the messages the app is handling (and a slow machine's tests)
    # the tests
    (App, "_display", ["screen", "renderable"]),  # frames counted (test_dialog_drawing)
    (XTermParser, "feed", ["data"]),  # a terminal's bytes made into keys (test_day_of_coding)
    (XTermParser, "tick", []),
    (App, "_shutdown", []),  # the app closing at once (test_dialog_drawing)
]


@pytest.mark.parametrize(("owner", "name", "parameters"), METHODS, ids=[f"{o.__name__}.{n}" for o, n, _ in METHODS])
def test_the_private_methods_the_workbench_uses_are_there(owner: type, name: str, parameters: list[str]) -> None:
    method = getattr(owner, name, None)
    assert callable(method), f"Textual's {owner.__name__}.{name} is gone"
    found = list(inspect.signature(method).parameters)
    if found[:1] == ["self"]:
        found = found[1:]
    assert found[:len(parameters)] == parameters


class Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Input()
        yield OptionList(*[Option(f"option {i}", id=str(i)) for i in range(30)])


async def test_the_private_attributes_the_workbench_reads_are_there() -> None:
    app = Probe()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        styled = app._css_update_count  # changed with the theme: a dialog shown again is styled again
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert isinstance(styled, int) and app._css_update_count > styled
        assert isinstance(app.screen._compositor, Compositor)
        app.screen._layout_cache.clear()  # a dialog's render() asked again
        assert isinstance(app.query_one(Input)._cursor_visible, bool)
        assert events.ScreenResume().refresh_styles is True  # a dialog shown again is not styled again

        # the steady scroll bars (widgets/scrolling.py)
        options = app.query_one(OptionList)
        assert isinstance(options._size, Size) and isinstance(options._container_size, Size)
        assert options._container_size == options._size - options.styles.gutter.totals  # as scrolling.py takes it
        bar = options.vertical_scrollbar  # thirty options in a list eight rows high
        assert options._vertical_scrollbar is bar and isinstance(bar, ScrollBar)
        bar.refresh()  # the request scrolling.py takes back when the layout draws the bar anyway
        assert bar._repaint_required is True
        assert options._horizontal_scrollbar is None or isinstance(options._horizontal_scrollbar, ScrollBar)
        options.horizontal_scrollbar  # noqa: B018 (made when first asked for)
        assert isinstance(options._horizontal_scrollbar, ScrollBar)

        # what an option list keeps of its options: where each is, its lines, and its drawings
        first = options.get_option_at_index(0)
        assert options._option_to_index[first] == 0
        cache = options._line_cache
        assert cache.lines[0] == (0, 0) and cache.index_to_line[0] == 0 and cache.heights[0] == 1
        drawn = options._option_render_cache
        keys = list(drawn.keys())
        assert keys and all(isinstance(key, tuple) and isinstance(key[0], Option) for key in keys)
        strips = drawn.get(keys[0])
        assert isinstance(strips, list) and all(isinstance(s, Strip) for s in strips)
        drawn[keys[0]] = strips


async def test_a_screen_frame_reads_and_clears_the_flags_the_workbench_reads_and_clears() -> None:
    """host.py's frame (``_on_timer_update``) tells a frame that draws a change from one that does not by the flags
    Textual's own frame reads, and clears a request to draw the screen again before Textual's frame sees it."""
    app = Probe()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen._dirty_widgets, set)
        with app.batch_update():  # nothing is drawn meanwhile: the workbench takes no picture
            assert app._batch_count > 0
            screen._repaint_required = True
            screen._on_timer_update()
            assert screen._repaint_required
        assert app._batch_count == 0
        screen._layout_required = screen._scroll_required = screen._repaint_required = True
        screen._dirty_widgets.add(app.query_one(Input))
        screen._on_timer_update()
        assert not (screen._layout_required or screen._scroll_required or screen._repaint_required
                    or screen._dirty_widgets)


class Nudge(Message):
    pass


class Recorder(Widget):
    """What it has taken off its queue to handle next, and what waits in it, as it handles each nudge."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[Message, Message | None, bool]] = []

    def on_nudge(self, message: Nudge) -> None:
        queue: Any = self._message_queue
        queued = queue.values if hasattr(queue, "values") else queue._queue
        self.seen.append((message, self._pending_message, any(m is self._pending_message for m in queued)))


async def test_the_message_queues_the_type_ahead_reads_hold_what_is_waiting() -> None:
    """The type-ahead holds a key while a screen or a widget still has a message to handle: it reads each message
    pump's queue (Textual's own, ``values``; or asyncio's, ``_queue``)."""
    app = Probe()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(Input)
        nudge = Nudge()
        widget.post_message(nudge)
        queue: Any = widget._message_queue  # the app's own too: it is a message pump's
        queued: Any = queue.values if hasattr(queue, "values") else queue._queue
        assert list(queued) == [nudge] and queue.qsize() == 1
        recorder = Recorder()
        await app.mount(recorder)
        first, second = Nudge(), Nudge()
        recorder.post_message(first)
        recorder.post_message(second)
        await pilot.pause()
        # handling the first, it had taken the second off its queue, and kept it there
        assert recorder.seen[0] == (first, second, False) and recorder.seen[1][0] is second
        await pilot.pause()
        assert queue.qsize() == 0
        app.notify("saved")  # the tests read what was notified
        await pilot.pause()
        assert [str(n.message) for n in app._notifications] == ["saved"]
        assert app._driver is not None and callable(app._driver.send_message)  # keys sent as a terminal would


def test_the_type_ahead_can_mark_the_input_events_it_reads() -> None:
    """A key or a paste carries its typing order and the screen it was typed for, set on the event itself; keys made
    of 'Esc' read with a letter take the sender of the chord."""
    key, paste = events.Key("a", "a"), events.Paste("text")
    for event in (key, paste):
        setattr(event, "_ta_seq", 1)  # noqa: B010 (as typeahead._mark does)
    made = events.Key("escape", "\x1b")
    made.set_sender(key._sender)  # type: ignore[arg-type]
    assert made._sender is key._sender


def test_the_dimming_of_a_style_is_textuals() -> None:
    [dimmed] = list(BackgroundScreen.process_segments([Segment(" ", Style(bgcolor="red"))], Color(0, 0, 0, 0.5)))
    assert isinstance(dimmed, Segment) and dimmed.text == " " and dimmed.style != Style(bgcolor="red")


def test_esc_and_a_digit_are_known_to_textual_as_the_option_character() -> None:
    """'Esc 1' read at once is taken back from the character Textual makes of it ('¡'): a Textual without that table
    would leave the workbench with nothing to take back, and 'Esc 1' dropped again."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    from qualcode.tui.typeahead import OPTION_CHARACTERS

    assert isinstance(ANSI_SEQUENCES_KEYS, Mapping) and ANSI_SEQUENCES_KEYS["\x1b1"] == "¡"
    assert OPTION_CHARACTERS["¡"] == "1" and OPTION_CHARACTERS["–"] == "-"


# Textual's own state the workbench sets on purpose (each checked above): anything else of Textual's that a workbench
# class assigns is a name taken by accident, which changes what Textual does (an app's own "closing" flag, set on
# unmount, was Textual's: no message reaches a closing app).
SET_ON_PURPOSE = {("WorkbenchScreen", "_repaint_required")}  # a request to draw the screen behind a dialog again
WORKBENCH_MODULES = ["app", "typeahead", "host", "screens", "queue_screen", "adjudication_screen", "dialogs",
                     "widgets.panels", "widgets.scrolling", "widgets.unit_view"]


def _private_names_set(cls: type) -> set[str]:
    """The private names a class's own source assigns: at class level, or on ``self`` in its methods."""
    import ast
    import textwrap

    node = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(node, ast.ClassDef)
    names = {t.id for stmt in node.body if isinstance(stmt, ast.Assign) for t in stmt.targets
             if isinstance(t, ast.Name)}
    names |= {stmt.target.id for stmt in node.body if isinstance(stmt, ast.AnnAssign)
              and isinstance(stmt.target, ast.Name)}
    for sub in ast.walk(node):
        targets = (sub.targets if isinstance(sub, ast.Assign)
                   else [sub.target] if isinstance(sub, (ast.AnnAssign, ast.AugAssign)) else [])
        names |= {e.attr for t in targets for e in ast.walk(t)
                  if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self"}
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_the_workbench_takes_no_private_name_of_textuals_by_accident() -> None:
    import importlib

    from textual.dom import DOMNode

    classes = [cls for module in WORKBENCH_MODULES
               for cls in vars(importlib.import_module(f"qualcode.tui.{module}")).values()
               if isinstance(cls, type) and cls.__module__ == f"qualcode.tui.{module}" and issubclass(cls, DOMNode)]
    assert {"QualcodeApp", "WorkbenchScreen", "UnitView", "Dialog"} <= {cls.__name__ for cls in classes}
    taken = set()
    for cls in classes:
        own = [k for k in cls.__mro__ if k.__module__.startswith("qualcode.")]
        textuals = [k for k in cls.__mro__ if k.__module__.startswith("textual.")]
        theirs = {n for k in textuals for n in vars(k)} | {n for k in textuals for n in _private_names_set(k)}
        taken |= {(k.__name__, n) for k in own for n in _private_names_set(k) & theirs}
    assert taken == SET_ON_PURPOSE
