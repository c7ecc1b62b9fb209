"""Scrolling widgets whose scroll bar is drawn again only when it changes.

Textual's ``ScrollView`` compares the size the screen's layout gives it with its own virtual size (the whole
transcript, the whole list), which always differ, and so updates and redraws its scroll bar after every layout of the
screen, in a frame of its own: on a large project every key that changed a panel's height (most moves: the next
unit's suggestions take another number of lines) was drawn 17-35 ms later than its change, that frame's wait.
"""

from __future__ import annotations

from typing import Any, Self, cast

from textual import events
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import OptionList, Tree
from textual.widgets.option_list import Option


class SteadyScrollBars:
    """For a ``ScrollView`` (listed before it in the bases: Textual takes the styles of the first base only): after a
    layout its scroll bars are updated only if they do not show its size and virtual size already; and a change of
    what it scrolls over (its virtual size) draws it again, its scroll bars with it, without laying the screen out:
    its own size does not depend on it (an OptionList of height auto lays the screen out itself when its options
    change)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    _bars_for: tuple[Size, Size, Size] | None = None  # (size, container size, virtual size) the bars were set for

    def watch_virtual_size(self, size: Size) -> None:
        if self._bars_for is not None:  # laid out before: the scroll bars show the new length in the same frame
            cast(ScrollView, self)._scroll_update(size)

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
        resized = view._size != size
        resize = cast(bool, super()._size_updated(size, virtual_size, container_size, layout))  # type: ignore[misc]
        if resized:
            # its scroll bars were resized or moved with it: this layout draws them as they are now, and their own
            # request to be drawn again (made as they were updated) would draw them once more, a frame later
            for bar in (view._vertical_scrollbar, view._horizontal_scrollbar):
                if bar is not None and bar.display:
                    bar._repaint_required = False
        return resize


class SteadyOptionList(SteadyScrollBars, OptionList):
    """An ``OptionList`` whose scroll bar is drawn again only when it changes, and whose options are drawn again only
    when they or its width change."""

    _made_at: frozenset[int] = frozenset()  # the widths what it keeps of its options (drawings, heights) was made at

    def _note_width(self) -> None:
        width = self.scrollable_content_region.width
        if width and width not in self._made_at:
            self._made_at = self._made_at | {width}

    def render_lines(self, crop: Region) -> list[Strip]:
        self._note_width()
        return super().render_lines(crop)

    def _update_lines(self) -> None:
        self._note_width()
        super()._update_lines()

    def _clear_caches(self) -> None:
        self._made_at = frozenset()
        self._aside.clear()
        super()._clear_caches()

    def _on_resize(self, event: events.Resize | None = None) -> None:
        # Textual forgets every option's drawing and height when the list is resized, though they depend on its width
        # alone: a list given rows for the results it shows drew them all again a frame later, at the width it had
        # drawn them at, and the code picker drew its rows anew each time it opened
        if event is not None:
            event.prevent_default()  # OptionList's own handler
        if self._made_at - {self.scrollable_content_region.width}:
            self._clear_caches()

    _replaced: frozenset[Option] = frozenset()  # the options replace_options showed last
    ASIDE = 256  # options whose drawings are kept aside, at most (the most recently shown)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # what was drawn of the options replace_options showed, kept while others are shown: per option, its place,
        # the width it was drawn at and its drawings (with Textual's keys for them: option, style, padding)
        self._aside: dict[Option, tuple[int, int, list[tuple[Any, list[Strip]]]]] = {}
        super().__init__(*args, **kwargs)

    def clear_options(self) -> Self:
        # what was drawn of the options replace_options showed is kept for their next showing (the codebook, each
        # time the picker opens, whatever it showed last time)
        if self._replaced and len(self._made_at) == 1:
            width = next(iter(self._made_at))
            where, drawn = self._option_to_index, self._option_render_cache
            kept: dict[Option, list[tuple[Any, list[Strip]]]] = {}
            for key in list(drawn.keys()):
                if key[0] in self._replaced and (strips := drawn.get(key)) is not None:
                    kept.setdefault(key[0], []).append((key, strips))
            aside = self._aside
            for option, drawings in kept.items():
                aside.pop(option, None)
                aside[option] = (where[option], width, drawings)
            while len(aside) > self.ASIDE:
                del aside[next(iter(aside))]
        self._replaced = frozenset()
        super().clear_options()
        self._made_at = frozenset()  # nothing is kept of the options shown
        return self

    def replace_options(self, options: list[Option]) -> None:
        """Show these options instead, the first highlighted. What was drawn of an option shown by this method before,
        at the same place, is drawn again as it was (Textual forgets every option's drawing when the options change:
        the code picker drew its sixteen rows anew each time it opened, 4 ms on a large project)."""
        self.clear_options()  # what was drawn of the options shown is put aside
        self.add_options(options)
        self._replaced = frozenset(options)
        aside, drawn = self._aside, self._option_render_cache
        for at, option in enumerate(options):
            kept = aside.get(option)
            if kept is not None and kept[0] == at:
                for key, strips in kept[2]:
                    drawn[key] = strips
                self._made_at = self._made_at | {kept[1]}
        if options:
            self.highlighted = 0


class SteadyTree(SteadyScrollBars, Tree[str]):
    """A ``Tree`` whose scroll bar is drawn again only when it changes (the codebook, filtered as the evaluator
    types: every letter that changed its lines laid the screen out, and drew its scroll bar a frame later)."""


class OneLineOptionList(SteadyOptionList):
    """A list whose options are one line each, cut to its width beforehand (search results): their heights are known
    rather than measured by wrapping every option's text (200 results were wrapped twice a search, 30 ms)."""

    def _update_lines(self) -> None:
        # OptionList._update_lines, every option one line high (and no dividers). Its virtual size is its number of
        # lines alone (it never scrolls sideways, and draws its options at its own width): known as the options are
        # added, before the list is laid out, so that the scroll bar it needs is laid out with it, in one frame
        # rather than a second (then the list was as wide again, its options drawn twice)
        cache = self._line_cache
        lines = cache.lines
        for index in range(lines[-1][0] + 1 if lines else 0, len(self.options)):
            cache.index_to_line[index] = len(lines)
            cache.heights[index] = 1
            lines.append((index, 0))
        self.virtual_size = Size(0, len(lines))
