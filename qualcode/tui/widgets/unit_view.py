"""The transcript as a scrollable list of coding units, drawn line by line.

A 40,000-word interview has thousands of units; one widget per unit would take seconds to mount. Instead the view
wraps each unit's text once per width, keeps the line offsets of every unit, and renders only the visible lines
(Textual's line API). Changing a unit's codings re-wraps that unit alone. The width is the one the text is drawn in:
beside the vertical scroll bar when there is one, and the whole transcript is wrapped again whenever that width
changes (the terminal resized, the scroll bar come or gone), so that no line is wider than the view.
"""

from __future__ import annotations

import textwrap
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.actions.views import unit_place
from qualcode.model import CodedUnit
from qualcode.tui.widgets.fit import elide_middle
from qualcode.tui.widgets.scrolling import SteadyScrollBars

GUTTER = 6  # "  12 ▌": unit number and the coded marker
MARK_TEXT = {"not_codable": "∅ not codable", "skipped": "↷ skipped for now"}
MARK_GUTTER = {"not_codable": "∅", "skipped": "↷"}


def clock(seconds: float | None) -> str:
    """``mm:ss`` (or ``h:mm:ss``) for a timestamp, empty when unknown."""
    if seconds is None:
        return ""
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


class UnitView(SteadyScrollBars, ScrollView, can_focus=True):
    """Speaker turns and their units; the current unit is highlighted, coded units carry their codes' colours."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "unitview--cursor",
        "unitview--selected",
        "unitview--speaker",
        "unitview--interviewer",
        "unitview--gutter",
        "unitview--memo",
        "unitview--other-coder",
        "unitview--match",
    }

    DEFAULT_CSS = """
    UnitView { background: $surface; overflow-x: hidden; }
    UnitView > .unitview--cursor { background: $primary 25%; }
    UnitView:focus > .unitview--cursor { background: $primary 40%; }
    UnitView > .unitview--selected { background: $secondary 25%; }
    UnitView > .unitview--speaker { text-style: bold; color: $text; }
    UnitView > .unitview--interviewer { color: $text-muted; text-style: italic; }
    UnitView > .unitview--gutter { color: $text-muted; }
    UnitView > .unitview--memo { color: $text-muted; text-style: italic; }
    UnitView > .unitview--other-coder { color: $text-muted; }
    UnitView > .unitview--match { background: $warning 40%; text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, init=False, always_update=True, repaint=False)  # watch_cursor draws it

    class CursorMoved(Message):
        """The evaluator moved to another unit with the mouse (a move the screen asks for, :meth:`move_to`, is not
        announced: the screen shows the unit as it moves)."""

        def __init__(self, position: int) -> None:
            self.position = position
            super().__init__()

    def __init__(self, *, coder: str, colors: dict[str, str], names: dict[str, str], id: str | None = None) -> None:
        super().__init__(id=id)
        self.coder = coder
        self.code_colors = colors
        self.code_names = names
        self.units: list[CodedUnit] = []
        self.span_start: int | None = None  # start of a span selection (v)
        self.highlight: str = ""  # search words, folded
        self._lines: list[list[tuple[str, str, Any]]] = []  # per unit: (kind, text, payload)
        self._offsets: list[int] = [0]
        self._width = 0

    # ------------------------------------------------------------------ data

    def set_units(self, units: list[CodedUnit], cursor: int = 0) -> None:
        self.units = units
        self.span_start = None
        self._relayout()
        self.set_reactive(UnitView.cursor, max(0, min(cursor, len(units) - 1)))
        self.scroll_to_cursor()
        self.refresh()

    def update_unit(self, position: int, unit: CodedUnit) -> None:
        """Replace one unit's data (after a coding changed) and re-wrap only it."""
        self.units[position] = unit
        if self._width:
            before = len(self._lines[position])
            self._lines[position] = self._layout_unit(position)
            if len(self._lines[position]) == before:  # the units after it stay where they are: only it is drawn
                self._refresh_unit(position)
                return
            self._recount()
        self.refresh()

    def clear_selection(self) -> None:
        """End a span selection (v): every unit it held is drawn again without the selection's colour (a unit the
        action did not change is otherwise not drawn again)."""
        if self.span_start is not None:
            self.span_start = None
            self.refresh()

    @property
    def current(self) -> CodedUnit | None:
        return self.units[self.cursor] if 0 <= self.cursor < len(self.units) else None

    @property
    def selection(self) -> list[int]:
        """Positions of the selected span (or the current unit alone)."""
        if self.span_start is None:
            return [self.cursor] if self.units else []
        lo, hi = sorted((self.span_start, self.cursor))
        return list(range(lo, hi + 1))

    # ------------------------------------------------------------------ layout

    def _drawn_width(self) -> int:
        """The width the text is drawn in now: the view's, less its vertical scroll bar's if it shows one."""
        return self.container_size.width - self.scrollbar_size_vertical

    def _widths(self) -> tuple[int, int]:
        """The widths the text may be drawn in: beside the vertical scroll bar, and without it (the same width twice
        when where the scroll bar goes does not depend on the transcript's length)."""
        styles = self.styles
        if styles.overflow_y != "auto" or styles.scrollbar_gutter == "stable":
            return self._drawn_width(), self._drawn_width()
        full = self.container_size.width
        return full - styles.scrollbar_size_vertical, full

    def _relayout(self) -> None:
        """Wrap every unit at the width it will be drawn in: beside the scroll bar, unless the transcript fits the
        view's height without one at that width (and so at the whole width too). A transcript needing the scroll bar
        (a long one, the one that takes time) is wrapped once; one wrapped at the whole width that turned out too
        long would bring the scroll bar, and be wrapped again narrower."""
        self._width, self._lines = 0, []
        if self.container_size.width:  # else not laid out yet: wrapped once it is, at its width (_scroll_update)
            for width in dict.fromkeys(self._widths()):
                self._width = width
                self._lines = [self._layout_unit(i) for i in range(len(self.units))]
                if sum(map(len, self._lines)) > self.container_size.height:
                    break  # it scrolls: beside the scroll bar
        self._recount()

    def _recount(self) -> None:
        offsets = [0]
        total = 0
        for lines in self._lines:
            total += len(lines)
            offsets.append(total)
        self._offsets = offsets
        # drawn again with its scroll bar, the screen not laid out again (SteadyScrollBars)
        self.virtual_size = Size(self._width, total)

    def _layout_unit(self, i: int) -> list[tuple[str, str, Any]]:
        u = self.units[i]
        width = self._width
        out: list[tuple[str, str, Any]] = []
        prev = self.units[i - 1] if i else None
        if u.get("kind") == "document":
            # a document has no speakers: a header line where the page or the section changes, a blank line
            # between paragraphs
            place = (u.get("page_label"), u.get("heading"))
            if prev is None or (prev.get("page_label"), prev.get("heading")) != place:
                if prev is not None:
                    out.append(("blank", "", None))
                out.append(("speaker", unit_place(u), None))
            elif prev["turn"] != u["turn"]:
                out.append(("blank", "", None))
        elif prev is None or prev["turn"] != u["turn"] or prev["speaker"] != u["speaker"]:
            if prev is not None:
                out.append(("blank", "", None))
            out.append(("speaker", self._speaker_line(u), None))
        body = max(10, width - GUTTER)
        wrapped = textwrap.wrap(u["text"], body, break_long_words=True, break_on_hyphens=False) or [""]
        for n, line in enumerate(wrapped):
            out.append(("text", line, n == 0))
        chips = [c for c in u.get("codings", [])]
        if chips:
            out.extend(("codes", "", part) for part in self._chip_lines(chips, body))
        marks = u.get("marks") or {}
        if marks:
            words = [MARK_TEXT.get(mark, mark) + ("" if who == self.coder else f" ({who})")
                     for who, mark in sorted(marks.items(), key=lambda wm: (wm[0] != self.coder, wm[0]))]
            out.append(("mark", "  ".join(words)[:body], None))
        memo = (u.get("memos") or {}).get(self.coder)
        if memo:
            text = " ".join(memo.split())
            if len(text) > body - 2:
                text = text[: body - 3] + "…"
            out.append(("memo", "✎ " + text, None))
        return out

    def _speaker_line(self, u: Mapping[str, Any]) -> str:
        who = u["speaker"] or "(no speaker)"
        bits = [who]
        if u["role"] == "interviewer":
            bits.append("interviewer")
        else:
            attrs = u.get("attributes") or {}
            extra = ", ".join(str(attrs[k]) for k in ("stakeholder_group", "role") if attrs.get(k))
            if extra:
                bits.append(extra)
        stamp = clock(u.get("t_start"))
        if stamp:
            bits.append(stamp)
        return " · ".join(bits)

    def _chip_lines(self, codings: Sequence[Mapping[str, Any]], width: int) -> list[list[tuple[str, str]]]:
        lines: list[list[tuple[str, str]]] = [[]]
        used = 0
        for c in codings:
            mine = c["coder"] == self.coder
            name = self.code_names.get(c["code"], c["code"])
            label = name if mine else f"{name} ({c['coder']})"
            chip = ("■ " if mine else "□ ") + label
            if len(chip) > width:  # the end of a name tells codes apart as much as its start
                chip = chip[:2] + elide_middle(chip[2:], width - 2)
            if used and used + 2 + len(chip) > width:
                lines.append([])
                used = 0
            lines[-1].append((c["code"], chip))
            used += len(chip) + 2
        return lines

    def _scroll_update(self, virtual_size: Size) -> None:
        # Textual decided whether the scroll bar shows (after a layout of the screen, or when the transcript's length
        # changed: a coding's chips, a memo): if the width the text is drawn in changed with it (or with the view's
        # size), the units are wrapped again, once for the change. Left wrapped at the width the scroll bar then took a
        # column of, the last character of every full line was hidden under it (no Resize event tells of the bar).
        super()._scroll_update(virtual_size)
        if self.units and self._drawn_width() != self._width:
            self._relayout()
            self.scroll_to_cursor()

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        scroll_y = int(self.scroll_offset.y)
        line_no = y + scroll_y
        width = self.scrollable_content_region.width or self._width
        base = self.rich_style
        if not self.units or line_no >= self._offsets[-1]:
            return Strip.blank(width, base)
        i = bisect_right(self._offsets, line_no) - 1
        kind, text, payload = self._lines[i][line_no - self._offsets[i]]
        u = self.units[i]
        selected = self.span_start is not None and i in range(min(self.span_start, self.cursor),
                                                           max(self.span_start, self.cursor) + 1)
        row = base
        if i == self.cursor and kind not in ("blank", "speaker"):
            row = base + self.get_component_rich_style("unitview--cursor")
        elif selected and kind not in ("blank", "speaker"):
            row = base + self.get_component_rich_style("unitview--selected")
        segments: list[Segment] = []
        gutter = row + self.get_component_rich_style("unitview--gutter")
        if kind == "blank":
            pass
        elif kind == "speaker":
            style = self.get_component_rich_style(
                "unitview--interviewer" if u["role"] == "interviewer" else "unitview--speaker")
            segments.append(Segment(" " + text, base + style))
        elif kind == "text":
            if payload:  # first line: unit number, cursor arrow and coded marker
                mark = "▶" if i == self.cursor else " "
                segments.append(Segment(f"{u['idx']:>4}{mark}", gutter))
                codes = u.get("codings") or []
                own_mark = (u.get("marks") or {}).get(self.coder)
                if codes:
                    color = self.code_colors.get(codes[0]["code"])
                    segments.append(Segment("▌", row + Style(color=color or "grey50")))
                elif own_mark:
                    segments.append(Segment(MARK_GUTTER.get(own_mark, " "), gutter))
                else:
                    segments.append(Segment(" ", row))
            else:
                segments.append(Segment(" " * GUTTER, row))
            text_style = row
            if u["role"] == "interviewer":
                text_style = row + self.get_component_rich_style("unitview--interviewer")
            segments.extend(self._highlighted(text, text_style))
        elif kind == "codes":
            segments.append(Segment(" " * GUTTER, row))
            other = self.get_component_rich_style("unitview--other-coder")
            for n, (code_id, chip) in enumerate(payload):
                if n:
                    segments.append(Segment("  ", row))
                color = self.code_colors.get(code_id) or "grey50"
                segments.append(Segment(chip[:1], row + Style(color=color, bold=True)))
                segments.append(Segment(chip[1:], row + (other if chip.startswith("□") else Style())))
        elif kind in ("memo", "mark"):
            segments.append(Segment(" " * GUTTER, row))
            segments.append(Segment(text, row + self.get_component_rich_style("unitview--memo")))
        strip = Strip(segments)
        return strip.crop_extend(0, width, row)

    def _highlighted(self, text: str, style: Style) -> list[Segment]:
        if not self.highlight:
            return [Segment(text, style)]
        from qualcode.folding import fold

        folded = fold(text)
        if len(folded) != len(text):
            return [Segment(text, style)]
        marks = [False] * len(text)
        for word in self.highlight.split():
            start = folded.find(word)
            while start >= 0:
                for k in range(start, start + len(word)):
                    marks[k] = True
                start = folded.find(word, start + 1)
        if not any(marks):
            return [Segment(text, style)]
        match = style + self.get_component_rich_style("unitview--match")
        out: list[Segment] = []
        run_start = 0
        for k in range(1, len(text) + 1):
            if k == len(text) or marks[k] != marks[run_start]:
                out.append(Segment(text[run_start:k], match if marks[run_start] else style))
                run_start = k
        return out

    # ------------------------------------------------------------------ moving

    def watch_cursor(self, old: int, new: int) -> None:
        scrolled = self.scroll_offset
        self.scroll_to_cursor()
        if self.span_start is None and self.scroll_offset == scrolled:
            # the view did not scroll: only the two units' lines change (the cursor's colour and arrow), not the
            # screenful
            self._refresh_unit(old)
            self._refresh_unit(new)
        else:
            self.refresh()

    def _refresh_unit(self, position: int) -> None:
        if 0 <= position < len(self._lines) and self._width:
            self.refresh_lines(self._offsets[position], self._offsets[position + 1] - self._offsets[position])

    def move_to(self, position: int) -> None:
        if not self.units:
            return
        self.cursor = max(0, min(position, len(self.units) - 1))

    def scroll_to_cursor(self) -> None:
        if not self.units or not self._width or self.cursor >= len(self._lines):
            return
        top = self._offsets[self.cursor]
        height = self._offsets[self.cursor + 1] - top
        # keep a few lines of context around the current unit
        self.scroll_to_region(Region(0, top, 1, height), spacing=Spacing(2, 0, 2, 0), animate=False, force=True,
                              x_axis=False, immediate=True)

    def unit_at_line(self, line_no: int) -> int | None:
        if not self.units or line_no < 0 or line_no >= self._offsets[-1]:
            return None
        return bisect_right(self._offsets, line_no) - 1

    def on_click(self, event: events.Click) -> None:
        hit = self.unit_at_line(int(event.y + self.scroll_offset.y))
        if hit is not None:
            moved = hit != self.cursor
            self.move_to(hit)
            if moved:
                self.post_message(self.CursorMoved(hit))
        self.focus()
