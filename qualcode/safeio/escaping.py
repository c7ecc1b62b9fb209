"""What leaves qualcode: spreadsheet cells that cannot become formulas, Markdown that cannot carry HTML, and
terminal output that cannot carry escape sequences."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable
from typing import Any, TextIO

# OWASP "CSV injection": a cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (tab and CR because spreadsheets strip them and read on). The full-width forms are read as formulas by some
# East Asian locales.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """A value ready for a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe
    (shown as text, the apostrophe itself hidden); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through :func:`csv_cell`."""

    def __init__(self, fh: TextIO, **kwargs: Any) -> None:
        self._w = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame with its text cells, index and column labels (and their names) made safe for
    CSV: a case attribute or a code name is data, never a formula."""
    out = frame.copy()
    index_name, columns_name = out.index.name, out.columns.name
    out.index = out.index.map(csv_cell)
    out.columns = out.columns.map(csv_cell)
    out.index.name = csv_cell(index_name)
    out.columns.name = csv_cell(columns_name)
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or str(column.dtype) in ("str", "string"):
            out.isetitem(i, column.map(csv_cell))
    return out


def md_text(value: Any) -> str:
    """Text for a Markdown export: HTML characters escaped (so ``<script>`` is shown, not run, by any viewer that
    renders Markdown to HTML; ``<http://...>`` autolinks go too) and ``](`` broken up, so data cannot become an
    inline link or image (``[click](javascript:...)``). Brackets alone stay: ``[informant KII-03]`` reads as is."""
    return html.escape(str(value), quote=False).replace("](", "]\\(")


# C0 controls except tab and newline, DEL and C1: a terminal acts on them (ESC starts colour, cursor and title
# sequences; CR overwrites the line shown).
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` with every control character a terminal would act on replaced by U+FFFD."""
    return _TERMINAL.sub("\ufffd", text)


class TerminalStream(io.TextIOBase):
    """Wraps a text stream (stdout) so no control character in data reaches the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, s: str) -> int:
        self._stream.write(terminal_text(s))
        return len(s)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    def writable(self) -> bool:
        return True
