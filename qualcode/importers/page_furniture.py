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
_SPOKEN_ENDS = (".", "?", "!", "…")
# "Respondent: ", "Dr. Lan: ", "Participant 1: " at the start of a line
_LABEL = re.compile(r"\s*([^\W\d_][\w .'’-]{0,40}?)\s*:\s")
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


def _turn_labels(lines: list[str]) -> set[str]:
    """The "Name:" prefixes that start lines of different shapes: speakers' labels ("Respondent: Page 12." and
    "Respondent: The provincial team."), not a running line's ("Ref: X1234.2009 ... Page 2 of 9", one shape)."""
    shapes: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if (m := _LABEL.match(line)) is not None:
            shapes[m.group(1).casefold()].add(_shape(line))
    return {label for label, found in shapes.items() if len(found) >= 2}


def _labelled(line: str, turn_labels: set[str]) -> bool:
    return (m := _LABEL.match(line)) is not None and m.group(1).casefold() in turn_labels


def _page_line(line: str) -> bool:
    """A line that is a page's running line by its form: short, naming its page at its start or end ("Page 6 of 18",
    "... Museum   Page 2 of 9", "- 6 -"), not a sentence ("Please turn to page 2.")."""
    text = line.strip()
    if len(line) > _MAX_CHARS or text.endswith(_SPOKEN_ENDS):
        return False
    return any(m.start() == 0 or m.end() == len(text) for m in _PAGE_MARK.finditer(text))


def drop_page_furniture(lines: list[str]) -> tuple[list[str], int, str]:
    """``lines`` without the running page headers and footers; how many lines were left out, and the first of them
    (for the report). A sentence cut by a page break is joined again. A line that starts with a speaker's label
    (one that starts other lines too) is a turn, never a page's line."""
    turn_labels = _turn_labels(lines)
    marks = [i for i, line in enumerate(lines) if _page_line(line) and not _labelled(line, turn_labels)]
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
                if _shape(lines[j]) not in running or _labelled(lines[j], turn_labels):
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
