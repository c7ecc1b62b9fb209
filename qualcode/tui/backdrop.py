"""The dimmed picture of a screen that a dialog shows behind itself (:class:`qualcode.tui.dialogs.Dialog`), which a
workbench screen also takes of itself in a pause (:meth:`qualcode.tui.host.WorkbenchScreen.current_backdrop`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import Screen
from textual.strip import Strip


class Backdrop(NamedTuple):
    """A screen as a dialog shows it behind itself: its lines, dimmed with ``tint``, at the terminal's ``size``."""

    size: tuple[int, int]
    tint: Color
    lines: list[Strip]


def dimmed_picture(screen: Screen[Any], tint: Color | None = None) -> Backdrop:
    """The screen as it is drawn, dimmed (with the theme's tint unless given): Textual's own dimming
    (BackgroundScreen) blends the colours of every segment anew, though a screen has a few dozen styles among thousands
    of segments."""
    app = screen.app
    size = (app.size.width, app.size.height)
    tint = theme_tint(app) if tint is None else tint
    console = app.console
    lines = console.render_lines(screen._compositor, console.options.update_dimensions(*size), pad=False)
    return Backdrop(size, tint, [Strip(dimmed(line, tint)) for line in lines])


def theme_tint(app: Any) -> Color:
    """The colour a dialog dims the screen behind it with: the theme's background, translucent (none for the
    terminal's own colours)."""
    # the theme's variables are worked out anew on every call (3 ms): kept per theme
    theme = app.theme
    if _TINTS.get(theme) is None:
        background = Color.parse(app.get_css_variables().get("background", "black"))
        _TINTS[theme] = Color(0, 0, 0, 0) if background.a < 1 else background.with_alpha(0.6)
    return _TINTS[theme]


_TINTS: dict[str, Color] = {}  # the colour a dialog dims the screen behind it with, per theme
_DIMMED: dict[tuple[Style | None, Color], Style] = {}  # a style of the screen behind a dialog, dimmed


def dimmed(segments: Iterable[Segment], tint: Color) -> list[Segment]:
    """Segments of the screen behind a dialog, dimmed as Textual dims them (BackgroundScreen: links and actions
    taken off, colours blended with the tint), each style worked out once."""
    out = []
    for segment in segments:
        text, style, control = segment
        if control:
            out.append(segment)
            continue
        dim = _DIMMED.get((style, tint))
        if dim is None:
            if len(_DIMMED) > 4096:  # bounded: styles of data shown (code colours) come and go
                _DIMMED.clear()
            dim = next(iter(BackgroundScreen.process_segments([Segment(" ", style)], tint))).style or Style()
            _DIMMED[style, tint] = dim
        out.append(Segment(text, dim))
    return out
