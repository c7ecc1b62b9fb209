"""Fitting text into the columns a terminal gives: long code names lose their middle, not their end."""

from __future__ import annotations

from rich.cells import cell_len


def elide_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells: the start and the end kept, the middle replaced by "…"
    ("Logic and coherence … theory of change"), so two codes that differ only at the end stay apart."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    keep = width - 1
    head = (keep + 1) // 2
    tail = keep - head
    start = _take(text, head)
    end = _take(text[::-1], tail)[::-1]
    return start.rstrip() + "…" + end.lstrip() if tail else start.rstrip() + "…"


def elide_end(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, cut at the end with "…"."""
    if cell_len(text) <= width:
        return text
    return _take(text, max(0, width - 1)).rstrip() + "…"


def _take(text: str, cells: int) -> str:
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > cells:
            break
        out.append(ch)
        used += w
    return "".join(out)
