"""Desk-review documents as coding units: every document reader (PDF, Word, HTML, Markdown, text) produces
:class:`DocBlock` s in reading order, and :func:`assemble_document` alone decides the stored text and the units.

* Blocks are separated by a blank line in the stored text; headings are part of the text (so a REFI export or a
  redacted copy reads like the document) but are not coding units: they name the section of the units below them.
* Paragraphs and list items are cut into sentences as transcripts are (a fragment under five words joins its
  neighbour); a table row is one unit (cell text in reading order, cells separated by " | ") unless it is long.
* Each unit keeps the page it starts on (PDF: the physical page and the number printed on it) and its heading path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import InputError
from qualcode.importers.sentences import unit_spans
from qualcode.model import ParsedTranscript, Turn, Unit
from qualcode.safeio.cleaning import clean
from qualcode.safeio.limits import limits, too_many_units

HEADING, PARAGRAPH, ITEM, ROW, TITLE = "heading", "paragraph", "item", "row", "title"
#: A table row longer than this many words is cut into sentences like a paragraph.
ROW_UNIT_WORDS = 80
#: Heading paths keep this many levels (deeper headings are folded into the last one).
MAX_LEVELS = 6
#: A unit longer than this (a paragraph without sentence ends, a table of contents) is cut at word boundaries.
MAX_UNIT_CHARS = 2000

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# Characters that never belong in a quote: C0/C1 controls (tab and newline are layout, handled by the readers),
# zero-width marks, the byte-order mark and non-characters.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u200e\u200f\u2028\u2029\u2060\ufeff\ufffe\uffff]")


@dataclass
class DocBlock:
    """One block of a document in reading order: a heading (with its level, 1 = top), a paragraph, a list item, a
    table row, or the document's title as its cover page sets it. ``pages`` marks where the block's text starts on a
    page: ``(offset into text, page, printed label)``; the first mark is at offset 0 when the page is known."""

    text: str
    kind: str = PARAGRAPH
    level: int = 0
    pages: list[tuple[int, int, str | None]] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Normalised text of a block: NFC, ligatures spelled out, invisible characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES))
    text = _INVISIBLE.sub("", text.replace("\u00a0", " ").replace("\u00ad", ""))
    text = clean(text)  # the rest of what never reaches a project (other non-characters, lone surrogates)
    return " ".join(text.split())


def assemble_document(
    blocks: list[DocBlock],
    *,
    fmt: str,
    name: str,
    metadata: dict[str, Any] | None = None,
    warnings: list[str] | None = None,
) -> ParsedTranscript:
    """Build a document's stored text, its blocks (as turns without a speaker) and its coding units.

    Raises InputError when the document holds no text to code.
    """
    parts: list[str] = []
    turns: list[Turn] = []
    units: list[Unit] = []
    path: list[tuple[int, str]] = []  # (level, heading text) from the top
    pos = 0
    max_units = limits().max_units
    for block in blocks:
        text = block.text
        if not text:
            continue
        if turns:
            parts.append("\n\n")
            pos += 2
        start = pos
        parts.append(text)
        pos += len(text)
        index = len(turns)
        turns.append(Turn(speaker=None, start=start, end=pos))
        if block.kind == TITLE:
            continue  # the document's own title (a cover page): part of the text, not a section
        if block.kind == HEADING:
            level = max(1, min(block.level or 1, MAX_LEVELS))
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, _short_heading(text)))
            continue
        heading = " > ".join(h for _, h in path) or None
        if block.kind == ROW and len(text.split()) <= ROW_UNIT_WORDS:
            spans = [(0, len(text))]
        else:
            spans = unit_spans(text)
        for s, e in _bounded(text, spans):
            if not any(ch.isalnum() for ch in text[s:e]):
                continue  # a rule drawn in characters ("───────", "* * *"): part of the text, nothing to code
            page, label = _page_at(block.pages, s)
            units.append(Unit(start=start + s, end=start + e, speaker=None, turn=index, page=page, page_label=label,
                              heading=heading))
        if len(units) > max_units:
            raise too_many_units(name, max_units, what="document")
    if not units:
        raise InputError(
            "no text to code was found in this document",
            path=name,
            hint="check that the file holds the document's text (a scanned PDF needs OCR first)",
        )
    return ParsedTranscript(
        text="".join(parts),
        turns=turns,
        units=units,
        format=fmt,
        metadata=dict(metadata or {}),
        source_name=name,
        kind="document",
        warnings=list(warnings or []),
    )


def _short_heading(text: str) -> str:
    return text if len(text) <= 120 else text[:119].rstrip() + "…"


def _page_at(pages: list[tuple[int, int, str | None]], offset: int) -> tuple[int | None, str | None]:
    page: int | None = None
    label: str | None = None
    for at, number, printed in pages:
        if at > offset:
            break
        page, label = number, printed
    return page, label


def _bounded(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans no longer than MAX_UNIT_CHARS: a longer one is cut after the last space before the limit."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while e - s > MAX_UNIT_CHARS:
            cut = text.rfind(" ", s, s + MAX_UNIT_CHARS)
            if cut <= s:
                cut = s + MAX_UNIT_CHARS
            out.append((s, cut))
            s = cut
            while s < e and text[s] == " ":
                s += 1
        if e > s:
            out.append((s, e))
    return out


# ---------------------------------------------------------------------------------------------- titles

_JUNK_TITLES = re.compile(
    r"^(untitled|title|document\d*|doc\d*|slide \d+|presentation\d*|report|draft|final|microsoft word\b.*|"
    r"powerpoint presentation|template|new document|none|null|-)$",
    re.IGNORECASE,
)
_FILE_TITLE = re.compile(r"\.(docx?|pdf|indd|rtf|odt|txt|md|html?|pptx?|xlsx?)$|^[\w\-]+_[\w\-]+$|\\",
                         re.IGNORECASE)


def usable_title(value: Any) -> str | None:
    """A document title from its metadata, or None when it is empty or clearly not a title (a file name, "Microsoft
    Word - report_v3.docx", "Untitled")."""
    if value is None:
        return None
    text = clean_text(str(value))
    if text.lower().startswith("microsoft word - "):
        return None
    if len(text) < 3 or len(text) > 600 or _JUNK_TITLES.match(text) or _FILE_TITLE.search(text):
        return None
    return text


def title_from_file(name: str) -> str:
    """A readable title made from a file name: "final_progress-report_2024.pdf" -> "final progress report 2024"."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    return " ".join(re.sub(r"[_\-]+", " ", stem).split()) or "document"
