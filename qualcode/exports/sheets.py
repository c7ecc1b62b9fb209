"""Spreadsheets people read: header bold, shaded, frozen and filtered; columns of a readable width; long text
wrapped at the top of its cell; and each row as tall as its text, computed here because neither Excel nor LibreOffice
reliably grows a row on opening a file (without it, wrapped quotes overprint the next row or show one line)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LINE_PT = 14.0  # one line of 11-point Calibri, a little generous: a cut-off line is worse than a blank one
MAX_ROW_PT = 409.0  # Excel's largest row height


def row_height(values: Sequence[Any], widths: Sequence[float]) -> float | None:
    """The height (points) a row needs for its wrapped text in columns of ``widths`` (Excel width units, about one
    digit each), or None for a row of one line."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if value is None or isinstance(value, (int, float)):
            continue
        text = str(value)
        per_line = max(4, int(width * 1.1))  # text runs a little narrower than the digits the width counts
        if len(text) <= per_line and "\n" not in text:
            continue
        # wrapping at word ends loses about a tenth of each line (counted, not wrapped: 100,000 rows stay quick)
        n = sum(1 if len(part) <= per_line else math.ceil(len(part) / (per_line * 0.88)) for part in text.split("\n"))
        lines = max(lines, n)
    return None if lines == 1 else min(MAX_ROW_PT, lines * LINE_PT + 2)


def write_xlsx_tables(path: Path, sheets: list[tuple[str, list[str], list[list[Any]], list[int]]], *,
                      title: str, landscape: bool = True) -> None:
    """Small tables as a workbook (openpyxl): per sheet a bold, shaded, frozen header with filters, the given
    column widths, text wrapped and top-aligned, rows as tall as their text, numbers as numbers, text that looks
    like a formula kept as text; printed landscape, one page wide, header repeated."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from qualcode.safeio.cleaning import clean

    wb = Workbook()
    wb.properties.title = title
    wb.properties.creator = ""
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E7EEF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for name, header, rows, widths in sheets:
        ws = wb.create_sheet(name[:31])
        ws.append(header)
        for row in rows:
            ws.append([v if isinstance(v, (int, float)) else clean(str(v)) for v in row])
        for cell in ws[1]:
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
        for n, row_cells in enumerate(ws.iter_rows(min_row=1), start=1):
            for cell in row_cells:
                cell.alignment = wrap
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    cell.data_type = "s"  # shown as written, never run as a formula
            height = row_height([c.value for c in row_cells], widths)
            if height:
                ws.row_dimensions[n].height = height
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(str(path))
