"""Scrolling widgets whose scroll bar is drawn again only when it changes.

Textual's ``ScrollView`` compares the size the screen's layout gives it with its own virtual size (the whole
transcript, the whole list), which always differ, and so updates and redraws its scroll bar after every layout of the
screen, in a frame of its own: on a large project every key that changed a panel's height (most moves: the next
unit's suggestions take another number of lines) was drawn 17-35 ms later than its change, that frame's wait.
"""

from __future__ import annotations

from typing import cast

from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.widgets import OptionList


class SteadyScrollBars:
    """For a ``ScrollView`` (listed before it in the bases: Textual takes the styles of the first base only): after a
    layout its scroll bars are updated only if they do not show its size and virtual size already; and a change of
    what it scrolls over (its virtual size) draws it again without laying the screen out, as its own size does not
    depend on it (it must not be of height auto; the widget updates its scroll bars itself, as OptionList does)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    _bars_for: tuple[Size, Size, Size] | None = None  # (size, container size, virtual size) the bars were set for

    def _scroll_update(self, virtual_size: Size) -> None:
        super()._scroll_update(virtual_size)  # type: ignore[misc]
        view = cast(ScrollView, self)
        self._bars_for = (view._size, view._container_size, virtual_size)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        view = cast(ScrollView, self)
        inner = size - view.styles.gutter.totals  # what ScrollView takes for its container size
        if self._bars_for == (size, inner, view.virtual_size) and view._container_size == inner:
            # nothing to update: what ScrollView returns then (whether the widget gets a Resize event)
            return view._container_size != container_size
        return super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc, no-any-return]


class SteadyOptionList(SteadyScrollBars, OptionList):
    """An ``OptionList`` whose scroll bar is drawn again only when it changes."""
