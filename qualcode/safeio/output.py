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
    """A copy of a pandas DataFrame with its text cells, index and column labels made safe for CSV."""
    out = frame.copy()
    out.columns = [csv_cell(c) for c in out.columns]
    out.index = [csv_cell(i) for i in out.index]
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = [csv_cell(v) for v in out[col]]
    if out.index.name is not None:
        out.index.name = csv_cell(out.index.name)
    return out


def frame_to_csv(frame: Any) -> str:
    """CSV text of a DataFrame, cells made safe."""
    buf = io.StringIO()
    csv_frame(frame).to_csv(buf)
    return buf.getvalue()


_MD_LINK = re.compile(r"([\[\]])")


def md_text(value: Any) -> str:
    """Text for a Markdown export: HTML characters escaped (so ``<script>`` is shown, not run, by any viewer that
    renders Markdown to HTML) and square brackets escaped (so data cannot become a link or an image)."""
    return _MD_LINK.sub(r"\\\1", html.escape(str(value), quote=False))


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
