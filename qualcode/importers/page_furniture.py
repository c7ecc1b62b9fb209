"""Running page headers and footers in text copied out of a PDF.

An oral history saved from its PDF to text keeps, at every page break, the lines printed at the top and bottom of
each page ("Oral History of Fran Allen" / "CHM Ref: X5006.2009   © 2008 Computer History Museum   Page 6 of 18"),
often in the middle of a sentence. They are nobody's words: :func:`drop_page_furniture` leaves them out and lets the
speech run on across the break. A line is such a line when it names its page ("Page 6 of 18", "Seite 3", "- 6 -")
and recurs so, its number aside, at two page breaks or more; a line next to it is one when it recurs beside most of
them ("Oral History of Fran Allen").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

# "... Page 6 of 18", "Seite 3 von 12", "Página 2 de 9", "p. 4", "- 6 -"
_PAGE_MARK = re.compile(
    r"(?<![^\W\d_])(?:page|seite|página|pagina|trang|p\.|pg\.)\s*\d{1,4}(?:\s*(?:of|/|de|sur|von|của)\s*\d{1,4})?"
    r"(?![^\W_])|^[-–—]\s*\d{1,4}\s*[-–—]$",
    re.IGNORECASE,
)
_MAX_CHARS = 200  # running lines are short; the bound also keeps the patterns cheap on long lines
_NEIGHBOURS = 2  # non-blank lines either side of a page line that may belong to the same header or footer
_SENTENCE_END = (".", "?", "!", "…", ":", ";", '"', "”", "’", "'", ")", "]")


def _shape(line: str) -> str:
    """A running line with its numbers masked: "Page 6 of 18" ~ "Page 7 of 18"."""
    return " ".join(re.sub(r"\d+", "#", line.casefold()).split())


def _near(lines: list[str], at: int) -> list[list[int]]:
    """The non-blank lines before (nearest first) and after ``at``, up to :data:`_NEIGHBOURS` each side."""
    sides: list[list[int]] = []
    for step in (-1, 1):
        found: list[int] = []
        j = at + step
        while 0 <= j < len(lines) and len(found) < _NEIGHBOURS:
            if lines[j].strip():
                found.append(j)
            j += step
        sides.append(found)
    return sides


def drop_page_furniture(lines: list[str]) -> tuple[list[str], int, str]:
    """``lines`` without the running page headers and footers; how many lines were left out, and the first of them
    (for the report). A sentence cut by a page break is joined again."""
    marks = [i for i, line in enumerate(lines) if len(line) <= _MAX_CHARS and _PAGE_MARK.search(line.strip())]
    if len(marks) < 2:
        return lines, 0, ""
    shapes = Counter(_shape(lines[i]) for i in marks)
    marks = [i for i in marks if shapes[_shape(lines[i])] >= 2]
    if len(marks) < 2 or len({lines[i].strip() for i in marks}) < 2:
        return lines, 0, ""  # the page number never changes: someone's words said twice, not a page's
    beside: dict[str, set[int]] = defaultdict(set)
    for m in marks:
        for side in _near(lines, m):
            for j in side:
                if len(lines[j]) <= _MAX_CHARS:
                    beside[_shape(lines[j])].add(m)
    running = {shape for shape, where in beside.items() if len(where) >= 2 and len(where) * 2 >= len(marks)}
    drop = set(marks)
    for m in marks:
        for side in _near(lines, m):
            for j in side:
                if _shape(lines[j]) not in running:
                    break
                drop.add(j)
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i not in drop:
            out.append(lines[i])
            i += 1
            continue
        while out and not out[-1].strip():
            out.pop()
        while i < len(lines) and (i in drop or not lines[i].strip()):
            i += 1
        before = out[-1].strip() if out else ""
        after = lines[i].strip() if i < len(lines) else ""
        if before and after and (not before.endswith(_SENTENCE_END) or after[0].islower()):
            continue  # the sentence runs on across the page break
        if out and after:
            out.append("")
    return out, len(drop), " ".join(lines[marks[0]].split())
