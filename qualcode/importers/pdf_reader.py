"""PDF documents (text layer) in reading order, with pages, headings and tables, without running headers/footers.

pdfminer.six gives every text line with its position and fonts; qualcode puts the lines in reading order itself:

* **Columns** (recursive XY-cut with slab merging): the page is cut into horizontal slabs of lines that overlap
  vertically; consecutive slabs that share a vertical gap (a gutter) form a multi-column group, read column by
  column; a full-width line (a title, a table caption, a footnote rule) ends the group. Columns are ordered the same
  way recursively, so a box beside a column or a two-column section under a one-column one read correctly.
* **Tables**: a multi-column group whose lines fill little of their columns, or that ruling lines cross, is a table:
  it is read row by row, each row's cells left to right.
* **Running headers and footers**: lines in the top or bottom band of the page whose text (digits ignored) recurs
  at the same height on other pages, and lone page numbers there, are dropped; the number printed on a page (or the
  PDF's own page labels) becomes the page's label, which citations use.
* **Headings** are paragraphs set larger than the body text (or bold and short); their sizes give their levels.
* Words hyphenated at a line end are joined when the document spells the word without the hyphen elsewhere;
  superscript footnote markers are left out of the text, so sentences still end where they end.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import InputError
from qualcode.importers.doc_blocks import (
    HEADING,
    ITEM,
    PARAGRAPH,
    ROW,
    TITLE,
    DocBlock,
    assemble_document,
    clean_text,
    title_from_file,
    usable_title,
)
from qualcode.model import ParsedTranscript

#: Pages read at most (a 3,000-page PDF is a book, not a desk-review document).
MAX_PAGES = 3000
#: Share of the page height at the top and the bottom where running headers and footers live.
MARGIN_BAND = 0.12
_BULLETS = "•◦▪▫●○■□‣⁃–-*·"
_NUMBERED_ITEM = re.compile(r"^(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}[.)])\s")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+\S")
_PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|pg\.?|seite|página|pagina|trang)?\s*[-–—(\[]?\s*(\d{1,5}|[ivxlcdm]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:of|/|de|sur|von)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_WORD = re.compile(r"[^\W\d_]+(?:[’'][^\W\d_]+)*")
_DAMAGED_HINT = "open it and save it again as PDF (or as .docx), then import that file"


@dataclass
class Line:
    """A text line on a page, in top-down coordinates (``top`` < ``bottom``)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    page: int

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, top, x1, bottom
    images: int = 0
    label: str | None = None
    numbered: int = 0  # the numbers of lines or turns left out of its left margin
    paragraph_numbers: int = 0  # the numbers of a report's paragraphs, kept before them


def read_pdf(data: bytes, name: str) -> ParsedTranscript:
    """Parse a PDF document. Raises InputError for an encrypted, damaged or scanned (text-less) PDF."""
    pdfminer_log = logging.getLogger("pdfminer")
    level = pdfminer_log.level
    pdfminer_log.setLevel(logging.ERROR)  # pdfminer warns about every odd font; the user cannot act on that
    try:
        return _read(data, name)
    finally:
        pdfminer_log.setLevel(level)


def _open(data: bytes, name: str) -> Any:
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSException

    try:
        return PDFDocument(PDFParser(io.BytesIO(data)))
    except InputError:  # a bound of qualcode.safeio.pdf, reached while reading the cross-reference streams
        raise
    except PDFPasswordIncorrect:
        raise InputError(
            "this PDF is protected by a password",
            path=name,
            hint="open it with its password and save a copy without one (or ask for the unprotected file)",
        ) from None
    except PDFEncryptionError as err:
        raise InputError(
            f"this PDF is encrypted in a way qualcode cannot read ({err})",
            path=name,
            hint="open it and save a copy without protection, then import that file",
        ) from None
    except (PSException, ValueError, TypeError, KeyError, AttributeError, IndexError, EOFError,
            RecursionError, OverflowError, ZeroDivisionError):
        raise InputError("this PDF is damaged or incomplete", path=name, hint=_DAMAGED_HINT) from None
    except Exception as err:  # pdfminer raises plain Exceptions for some broken files
        if type(err).__name__ in ("PDFPasswordIncorrect",):
            raise
        raise InputError("this PDF is damaged or incomplete", path=name, hint=_DAMAGED_HINT) from None


def _read(data: bytes, name: str) -> ParsedTranscript:
    from pdfminer.layout import LAParams
    from pdfminer.pdfpage import PDFPage

    from qualcode.safeio.files import too_big
    from qualcode.safeio.limits import limits, too_many_lines
    from qualcode.safeio.pdf import page_tools

    doc = _open(data, name)
    metadata = _metadata(doc)
    # boxes_flow=None: qualcode orders the lines itself, and pdfminer's grouping of text boxes compares every box
    # with every other (a page of 5,000 scattered words took 3 GB)
    # all_texts: the text inside figures (form XObjects) is laid out into lines too
    device, interpreter = page_tools(LAParams(line_margin=0.3, char_margin=2.0, word_margin=0.1, boxes_flow=None,
                                              all_texts=True))
    bound = limits()
    pages: list[Page] = []
    chars = lines = 0
    try:
        for number, pdf_page in enumerate(PDFPage.create_pages(doc), start=1):
            if number > MAX_PAGES:
                raise InputError(f"this PDF has more than {MAX_PAGES} pages", path=name,
                                 hint="import the chapters you need as separate files")
            interpreter.process_page(pdf_page)
            page = _page(device.get_result(), number)
            pages.append(page)
            # the text is bounded as a text file's is, while reading (the lines of every page are kept until the end)
            chars += sum(len(ln.text) for ln in page.lines)
            lines += len(page.lines)
            if chars > bound.max_input:
                raise too_big(name, chars, what="PDF's text")
            if lines > bound.max_lines:
                raise too_many_lines(name, bound.max_lines, what="PDF")
    except InputError:
        raise
    except Exception:
        if not pages:
            raise InputError("this PDF is damaged or incomplete", path=name, hint=_DAMAGED_HINT) from None
        raise InputError(
            f"this PDF is damaged after page {len(pages)}", path=name, hint=_DAMAGED_HINT
        ) from None
    if not pages:
        raise InputError("this PDF has no pages", path=name, hint=_DAMAGED_HINT)
    metadata["pages"] = len(pages)
    warnings: list[str] = []
    if not any(p.lines for p in pages):
        raise InputError(
            "this PDF has no text layer (it is a scanned image)",
            path=name,
            hint="run it through OCR (for example ocrmypdf) or get the original Word file, then import that",
        )
    empty = [p.number for p in pages if not p.lines and p.images]
    if empty:
        warnings.append(f"{_pages_text(empty)} without text (scanned images?): nothing there can be coded")
    blocks = page_blocks(pages, _page_labels(doc, len(pages)))
    contents = sorted({b.page for b in blocks if b.contents})
    if contents:
        warnings.append(f"the table of contents on {_pages_text(contents)} was left out of the units (it is kept in"
                        " the text)")
    paragraph_numbers = [p.number for p in pages if p.paragraph_numbers and p.number not in contents]
    if paragraph_numbers:
        where = _pages_text(paragraph_numbers)
        warnings.append(f"the paragraph numbers in the left margin of {where} were kept before their paragraphs,"
                        " so a paragraph can be found by its number")
    numbered = sum(p.numbered for p in pages)
    if numbered:
        where = _pages_text([p.number for p in pages if p.numbered])
        warnings.append(f"the numbers in the left margin of {where} (numbering the lines or turns) were left out of"
                        " the text, as page numbers are")
    title = usable_title(metadata.get("title"))
    if title is None:
        # the cover's title, else the first heading; one that names nothing (a cover's "122 0 1 7", a date) is
        # passed over
        def named(b: _Block) -> bool:
            return 3 <= len(b.text) <= 200 and re.search(r"[^\W\d_]{3}", b.text) is not None

        first = next((b for b in blocks if b.kind == TITLE and not b.contents and named(b)), None) or next(
            (b for b in blocks if b.kind == HEADING and named(b)), None)
        title = first.text if first is not None else title_from_file(name)
        if first is None:
            warnings.append(f"no title in the PDF: called '{title}' after the file (a documents sheet can set it)")
    metadata["title"] = title
    return assemble_document([_public(b) for b in blocks], fmt="pdf", name=name, metadata=metadata,
                             warnings=warnings)


def page_blocks(pages: list[Page], labels: list[str | None]) -> list[_Block]:
    """The document's blocks in reading order, from its pages' lines."""
    _drop_running_lines(pages, labels)
    vocabulary = _vocabulary(pages)
    body = _body_size(pages)
    blocks: list[_Block] = []
    for page in pages:
        blocks.extend(_page_blocks(page, body, vocabulary))
    blocks = _merge_headings(blocks)
    _mark_contents(blocks, pages)
    _set_heading_levels(blocks, body)
    return _join_across_pages(blocks)


# ---------------------------------------------------------------------------------------------- metadata


def _metadata(doc: Any) -> dict[str, Any]:
    from pdfminer.utils import decode_text

    out: dict[str, Any] = {}
    info = doc.info[0] if getattr(doc, "info", None) else {}
    names = {"Title": "title", "Author": "author", "Subject": "subject", "Keywords": "keywords",
             "CreationDate": "created", "ModDate": "modified", "Creator": "creator", "Producer": "producer"}
    for key, target in names.items():
        value = _resolve(info.get(key))
        if isinstance(value, bytes):
            value = decode_text(value)
        if not isinstance(value, str):
            continue
        value = clean_text(value)
        if not value:
            continue
        if target in ("created", "modified"):
            value = _pdf_date(value)
        out[target] = value
    if out.get("created"):
        out["date"] = out["created"]
    return out


def _resolve(value: Any) -> Any:
    try:
        from pdfminer.pdftypes import resolve1

        return resolve1(value)
    except Exception:
        return None


def _pdf_date(value: str) -> str:
    """PDF dates ("D:20240315093000+07'00'") as ISO dates; anything else as written."""
    m = re.match(r"D?:?(\d{4})(\d{2})?(\d{2})?", value)
    if not m:
        return value
    year, month, day = m.group(1), m.group(2) or "01", m.group(3) or "01"
    return f"{year}-{month}-{day}"


def _page_labels(doc: Any, count: int) -> list[str | None]:
    """The PDF's own page labels ("iv", "12"), or Nones when it defines none."""
    import itertools

    try:
        labels = list(itertools.islice(doc.get_page_labels(), count))  # an endless generator
    except Exception:
        return [None] * count
    return [str(x) if x not in (None, "") else None for x in labels] + [None] * (count - len(labels))


# ---------------------------------------------------------------------------------------------- lines


def _page(layout: Any, number: int) -> Page:
    from pdfminer.layout import LTChar, LTCurve, LTFigure, LTImage, LTLine, LTRect, LTTextBox, LTTextLine

    width, height = float(layout.width), float(layout.height)
    page = Page(number=number, width=width, height=height)

    def walk(obj: Any, lines: list[Line]) -> None:
        for child in obj:
            if isinstance(child, (LTTextBox, LTTextLine)):
                for line in child if isinstance(child, LTTextBox) else [child]:
                    if isinstance(line, LTTextLine):
                        made = _line(line, height, number, LTChar)
                        if made is not None:
                            lines.append(made)
            elif isinstance(child, LTImage):
                page.images += 1
            elif isinstance(child, LTFigure):
                inside: list[Line] = []
                walk(child, inside)
                # a figure's text is the page's when it reads as prose (a designed report draws whole pages inside
                # one); a chart's scattered labels are not text to code
                if sum(1 for ln in inside if len(ln.text.split()) >= 8) >= 3:
                    lines.extend(inside)
            elif isinstance(child, (LTRect, LTLine)) or (isinstance(child, LTCurve) and len(child.pts) <= 2):
                x0, y0, x1, y1 = child.bbox
                if min(x1 - x0, y1 - y0) <= 2.5:  # a thin stroke or filled bar: a ruling line
                    page.rules.append((x0, height - y1, x1, height - y0))

    walk(layout, page.lines)
    page.lines = _join_spread_lines(page.lines)
    return page


def _join_spread_lines(lines: list[Line]) -> list[Line]:
    """One line again where justification spread a short line's words so far apart that it came in pieces ("genomföras
    där ett tydligare hållbarhetsbegrepp för", 17 pt between words): pieces of one size on one baseline whose outer
    edges are those of the line just above or below them, which runs unbroken across the gaps (the same justified
    measure). Pieces beside a column gutter or in table cells are never joined: the lines next to them have the
    same gaps, or start where the pieces start."""
    if len(lines) < 3:
        return lines
    ordered = sorted(lines, key=lambda ln: (round(ln.bottom), ln.x0))
    rows: list[list[Line]] = []
    for line in ordered:
        row = rows[-1] if rows else None
        if row is not None and abs(row[0].bottom - line.bottom) <= 0.2 * line.size \
                and abs(row[0].size - line.size) <= 0.3:
            row.append(line)
        else:
            rows.append([line])
    out: list[Line] = []
    for row in rows:
        row.sort(key=lambda ln: ln.x0)
        if len(row) >= 2 and _MARKER_ALONE.fullmatch(row[0].text) and row[1].x0 - row[0].x1 <= 3 * row[0].size:
            # a list item's number or bullet set apart from its text by a tab ("5." ... "How should ...")
            row[:2] = [Line(text=f"{row[0].text} {row[1].text}", x0=row[0].x0, x1=row[1].x1,
                            top=min(row[0].top, row[1].top), bottom=max(row[0].bottom, row[1].bottom),
                            size=row[1].size, bold=row[1].bold, page=row[1].page)]
        if len(row) < 2 or not _spread(row, lines):
            out.extend(row)
            continue
        out.append(Line(text=" ".join(ln.text for ln in row), x0=row[0].x0, x1=row[-1].x1,
                        top=min(ln.top for ln in row), bottom=max(ln.bottom for ln in row), size=row[0].size,
                        bold=all(ln.bold for ln in row), page=row[0].page))
    return out


_MARKER_ALONE = re.compile(r"\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]|[•◦▪▫●○■□‣⁃·–-]")


def _spread(row: list[Line], lines: list[Line]) -> bool:
    """Whether a row of pieces on one baseline is one justified line: the line just above or just below it is one
    piece with the row's outer edges (the row perhaps indented, as a paragraph's first line) and type size, and no
    line near it starts where a later piece starts (a table's column)."""
    size = row[0].size
    top, bottom = min(ln.top for ln in row), max(ln.bottom for ln in row)
    left, right = row[0].x0, row[-1].x1
    if any(b.x0 - a.x1 > 3 * size for a, b in zip(row, row[1:], strict=False)):
        return False
    own = {id(ln) for ln in row}
    near = [ln for ln in lines if id(ln) not in own and ln.x0 < right and ln.x1 > left
            and (0 <= top - ln.bottom <= 4 * size or 0 <= ln.top - bottom <= 4 * size)]
    if any(abs(ln.x0 - piece.x0) <= 1.0 for ln in near for piece in row[1:]):
        return False
    for adjacent in ([ln for ln in near if 0 <= top - ln.bottom <= 1.2 * size],
                     [ln for ln in near if 0 <= ln.top - bottom <= 1.2 * size]):
        if len(adjacent) == 1:
            other = adjacent[0]
            # the same right edge; the same left edge, or the row indented as a paragraph's first line is
            if abs(other.x1 - right) <= 2.0 and other.x0 - 2.0 <= left <= other.x0 + 3 * size \
                    and abs(other.size - size) <= 0.3:
                return True
    return False


def _line(obj: Any, height: float, number: int, ltchar: Any) -> Line | None:
    chars = [c for c in obj if isinstance(c, ltchar)]
    if not chars:
        return None
    upright = sum(1 for c in chars if getattr(c, "upright", True))
    if upright < len(chars) / 2:
        return None  # rotated text (a margin note, a production slug along the edge)
    sizes = [float(c.size) for c in chars if c.get_text().strip()]
    if not sizes:
        return None
    size = statistics.median(sizes)
    base = min(float(c.y0) for c in chars)
    parts: list[str] = []
    for item in obj:
        text = item.get_text()
        if isinstance(item, ltchar):
            # a superscript footnote marker: small, raised, a digit or a dagger
            if float(item.size) < 0.8 * size and float(item.y0) > base + 0.25 * size and text.strip() in _MARKERS:
                continue
        parts.append(text)
    text = "".join(parts)
    if "(cid:" in text:
        text = re.sub(r"\(cid:\d+\)", "", text)  # glyphs the PDF maps to no character
    text = clean_text(text)
    if not text:
        return None
    bold = sum(1 for c in chars if _is_bold(str(getattr(c, "fontname", "")))) > 0.6 * len(chars)
    x0, y0, x1, y1 = obj.bbox
    return Line(text=text, x0=float(x0), x1=float(x1), top=height - float(y1), bottom=height - float(y0),
                size=size, bold=bold, page=number)


_MARKERS = frozenset([*"0123456789", "*", "†", "‡", "§", "¹", "²", "³", "a", "b", "c", "d", "e"]
                     + [str(n) for n in range(10, 300)])


def _is_bold(fontname: str) -> bool:
    low = fontname.lower()
    return any(k in low for k in ("bold", "black", "heavy", "semibold", "demi", ",b", "-b"))


# ---------------------------------------------------------------------------------------------- headers, footers


def _band(page: Page, line: Line) -> str | None:
    if line.bottom <= page.height * MARGIN_BAND:
        return "top"
    if line.top >= page.height * (1 - MARGIN_BAND):
        return "bottom"
    return None


def _shape(text: str) -> str:
    """A running line's text with its numbers and page words masked: "Page 3 of 12" ~ "Page 4 of 12"."""
    text = re.sub(r"\d+", "#", text.lower())
    text = re.sub(r"\b[ivxlcdm]{1,7}\b", "#", text)
    return " ".join(text.split())


_LONE_NUMBER = re.compile(r"\d{1,5}")
#: lone numbers that are years (a CV's or a timeline's), no numbering of lines or paragraphs
_YEARS = range(1900, 2100)


def _margin_numbers(page: Page, columns: list[float] | None = None) -> set[int]:
    """The ids of the lines that number a transcript's paragraphs or lines in the left margin ("1", "2", ... beside
    each turn, as transcription services and analysis tools print them): lone whole numbers counting on down the page
    (by one to five), not years, left of every other line of the page, three or more, or fewer (a last page's) where
    another page has such a column ending where they end (``columns``: the right edges of the other pages' columns).
    They are left out of the text, never page numbers, and the text beside them never a running header or footer."""
    numbers = sorted((ln for ln in page.lines if _LONE_NUMBER.fullmatch(ln.text.strip())), key=lambda ln: ln.top)
    if not numbers:
        return set()
    values = [int(ln.text) for ln in numbers]
    if any(not 0 < b - a <= 5 for a, b in zip(values, values[1:], strict=False)) \
            or all(v in _YEARS for v in values):
        return set()  # numbering counts on down the page; a CV's or a timeline's years are no numbering
    ids = {id(ln) for ln in numbers}
    others = [ln for ln in page.lines if id(ln) not in ids]
    if not others or max(ln.x1 for ln in numbers) >= min(ln.x0 for ln in others):
        return set()
    if len(numbers) < 3 and not (columns and all(any(abs(ln.x1 - x) <= 3.0 for x in columns) for ln in numbers)):
        return set()
    return ids


# a speaker's label starting a turn ("Dan: ", "Participant 2: ", "Q: ")
_TURN_LABEL = re.compile(r"[A-Z][\w.'’-]{0,30}(?: [A-Z0-9][\w.'’-]{0,30}){0,2}:\s")


def _paragraph_numbers(page: Page, margin: set[int]) -> list[tuple[Line, Line]]:
    """A report's numbered paragraphs ("21" in the margin beside a paragraph's first line, as UN, ILO and EU reports
    number them, to be cited as "para. 21"): each lone number and the line beside it, to be read as one line. The
    margin numbers a transcript's turns (the lines beside them start with speakers' labels) or its lines (a number
    beside nearly every line) are not; elsewhere a lone number is joined to the paragraph line on its row (a line
    of the page's text width, not a table's cell)."""
    lines = page.lines
    if margin:
        numbers = [ln for ln in lines if id(ln) in margin]
    else:
        numbers = [ln for ln in lines if _LONE_NUMBER.fullmatch(ln.text.strip())
                   and int(ln.text.strip()) not in _YEARS]
    out: list[tuple[Line, Line]] = []
    for number in numbers:
        height = number.bottom - number.top
        beside = [ln for ln in lines if ln is not number and id(ln) not in margin and ln.x0 > number.x1
                  and min(ln.bottom, number.bottom) - max(ln.top, number.top) >= 0.5 * height
                  and ln.x0 - number.x1 <= 4 * max(number.size, 1.0)]
        if not beside:
            continue
        line = min(beside, key=lambda ln: ln.x0)
        if margin or (line.width >= 0.4 * page.width and not _LONE_NUMBER.fullmatch(line.text.strip())):
            out.append((number, line))
    values = [int(n.text.strip()) for n, _ in sorted(out, key=lambda pair: pair[0].top)]
    if not out or any(b <= a for a, b in zip(values, values[1:], strict=False)):
        return []
    if 2 * sum(1 for _, ln in out if _starts_paragraph(page, ln)) < len(out):
        return []  # the numbers stand beside lines in the middle of paragraphs: numbered lines
    if margin:
        if len(out) < len(numbers) or 2 * sum(1 for _, ln in out if _TURN_LABEL.match(ln.text)) >= len(out):
            return []  # a transcript's numbered turns
        top = min(n.top for n in numbers)
        rows = {round(n.top) for n in numbers}
        unnumbered = sum(1 for ln in lines if id(ln) not in margin and ln.top >= top
                         and not any(abs(ln.top - r) <= 2 for r in rows))
        if unnumbered < len(numbers):
            return []  # numbered lines: a number beside (nearly) every line
    return out


def _starts_paragraph(page: Page, line: Line) -> bool:
    """The line is a paragraph's first: no line right above it in its column, or the one above ends a sentence or
    stands apart (a gap wider than a line's)."""
    height = line.bottom - line.top
    above = [ln for ln in page.lines if ln.bottom <= line.top + 1 and line.top - ln.bottom <= 2.5 * height
             and min(ln.x1, line.x1) > max(ln.x0, line.x0)]
    if not above:
        return True
    last = max(above, key=lambda ln: ln.bottom)
    return last.text.rstrip().endswith((".", ":", "!", "?", "…")) or line.top - last.bottom > 0.8 * height


def _drop_running_lines(pages: list[Page], labels: list[str | None]) -> None:
    """Remove running headers, footers and page numbers; set each page's printed label. Lines outside the page (text
    drawn beyond its edge, which no reader sees) are removed too."""
    seen: dict[tuple[str, str, int], set[int]] = defaultdict(set)
    margins: dict[int, set[int]] = {}
    before: set[str] = set()  # the last lines of the page before
    for page in pages:
        # a line cut by the top edge that the page before ended with: a web page printed with the pages overlapping
        ending = {ln.text for ln in page.lines if ln.bottom >= page.height * (1 - MARGIN_BAND) and ln.top < page.height}
        page.lines = [ln for ln in page.lines if ln.top < page.height and ln.bottom > 0
                      and not (ln.top < 0 and ln.text in before)]
        before = ending
        margins[page.number] = _margin_numbers(page)
    columns = [max(ln.x1 for ln in page.lines if id(ln) in margins[page.number]) for page in pages
               if margins[page.number]]
    for page in pages:
        if not margins[page.number] and columns:
            margins[page.number] = _margin_numbers(page, columns)
        margin = margins[page.number]
        joined = _paragraph_numbers(page, margin)
        if joined:
            page.paragraph_numbers = len(joined)
            margin = set()
            for mark, beside in joined:
                beside.text = f"{mark.text.strip()} {beside.text}"
                beside.x0 = mark.x0
            marks = {id(mark) for mark, _ in joined}
            page.lines = [ln for ln in page.lines if id(ln) not in marks]
        if margin:
            # the numbers are the transcript's furniture, as page numbers are: read in, a line's number would split
            # its sentence from the line before (a unit at each line) or sit inside the words
            page.numbered = len(margin)
            page.lines = [ln for ln in page.lines if id(ln) not in margin]
        for line in page.lines:
            band = _band(page, line)
            if band is not None:
                seen[(band, _shape(line.text), round(line.top / page.height * 40))].add(page.number)
    repeat = 2 if len(pages) <= 3 else 3 if len(pages) > 6 else 2
    for index, page in enumerate(pages):
        printed: str | None = None
        kept: list[Line] = []
        # a footer or header line on the same row as the page number belongs to it, even on a document's only page
        number_rows = [(ln.top, ln.bottom) for ln in page.lines if _band(page, ln) is not None
                       and _page_number(ln.text) is not None and len(ln.text) <= 20]
        for line in page.lines:
            band = _band(page, line)
            if band is None:
                kept.append(line)
                continue
            key_row = round(line.top / page.height * 40)
            shape = _shape(line.text)
            count = max(len(seen.get((band, shape, r), ())) for r in (key_row - 1, key_row, key_row + 1))
            number = _page_number(line.text)
            if number is not None and len(line.text) <= 20:
                printed = printed or number
                continue
            if count >= repeat or any(line.top < b and line.bottom > t for t, b in number_rows):
                printed = printed or _number_in(line.text)
                continue
            kept.append(line)
        page.lines = kept
        page.label = labels[index] or printed or str(page.number)


def _page_number(text: str) -> str | None:
    m = _PAGE_NUMBER.match(text.strip())
    return m.group(1) if m else None


def _number_in(text: str) -> str | None:
    """The page number in a running line such as "12 | Final progress report 2024" or "Page 3 of 20"."""
    for part in re.split(r"\s*[|•·–—]\s*|\s{2,}", text):
        number = _page_number(part)
        if number is not None and not re.fullmatch(r"(19|20)\d\d", number):
            return number
    return None


# ---------------------------------------------------------------------------------------------- reading order


def _vocabulary(pages: list[Page]) -> set[str]:
    words: set[str] = set()
    for page in pages:
        for line in page.lines:
            words.update(w.lower() for w in _WORD.findall(line.text))
    return words


def _body_size(pages: list[Page]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _slabs(lines: list[Line]) -> list[list[Line]]:
    """Groups of lines that overlap vertically (transitively), top to bottom."""
    out: list[list[Line]] = []
    bottom = -1e9
    for line in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        tolerance = 0.15 * line.size
        if out and line.top < bottom - tolerance:
            out[-1].append(line)
            bottom = max(bottom, line.bottom)
        else:
            out.append([line])
            bottom = line.bottom
    return out


def _holes(lines: list[Line], left: float, right: float) -> list[tuple[float, float]]:
    spans = sorted((ln.x0, ln.x1) for ln in lines)
    holes: list[tuple[float, float]] = []
    cursor = left
    for a, b in spans:
        if a > cursor:
            holes.append((cursor, a))
        cursor = max(cursor, b)
    if right > cursor:
        holes.append((cursor, right))
    return holes


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]], minimum: float) -> list[tuple[float, float]]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if hi - lo >= minimum:
                out.append((lo, hi))
    return out


@dataclass
class _Group:
    slabs: list[list[Line]]
    gaps: list[tuple[float, float]]  # vertical gutters every slab of the group shares


def _interior(gaps: list[tuple[float, float]], lines: list[Line]) -> list[tuple[float, float]]:
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    return [(a, b) for a, b in gaps if a > left + 0.5 and b < right - 0.5]


def _order(lines: list[Line], rules: list[tuple[float, float, float, float]], depth: int = 0) -> Iterator[
        tuple[str, list[Any]]]:
    """Yield ("lines", [Line...]) runs of one column in reading order and ("table", [[cell text...]...]) tables."""
    if not lines:
        return
    if depth > 8:
        yield "lines", sorted(lines, key=lambda ln: (ln.top, ln.x0))
        return
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    gutter = max(4.0, 0.6 * statistics.median(ln.size for ln in lines))
    groups: list[_Group] = []
    for slab in _slabs(lines):
        holes = [h for h in _holes(slab, left, right) if h[1] - h[0] >= gutter]
        if groups:
            shared = _intersect(groups[-1].gaps, holes, gutter)
            members = [ln for s in groups[-1].slabs for ln in s] + slab
            if _interior(shared, members) and _interior(groups[-1].gaps, [ln for s in groups[-1].slabs for ln in s]):
                groups[-1].slabs.append(slab)
                groups[-1].gaps = shared
                continue
            if not _interior(groups[-1].gaps, [ln for s in groups[-1].slabs for ln in s]) and not _interior(
                    holes, slab):
                groups[-1].slabs.append(slab)  # one more single-column slab
                groups[-1].gaps = []
                continue
        groups.append(_Group([slab], holes))
    for group in groups:
        members = [ln for s in group.slabs for ln in s]
        cuts = _interior(group.gaps, members)
        if not cuts or len(group.slabs) == 1 and len(members) == 1:
            yield "lines", sorted(members, key=lambda ln: (ln.top, ln.x0))
            continue
        bounds = [(a + b) / 2 for a, b in cuts]
        columns: list[list[Line]] = [[] for _ in range(len(bounds) + 1)]
        for ln in members:
            columns[sum(1 for x in bounds if (ln.x0 + ln.x1) / 2 > x)].append(ln)
        columns = [c for c in columns if c]
        if _is_label_column(columns):
            yield "items", _labelled_items(group, bounds[0] if len(bounds) == 1 else (bounds[0] + bounds[-1]) / 2)
            continue
        if _is_table(group, columns, rules):
            yield "table", _table_rows(group, bounds)
            continue
        for column in columns:
            yield from _order(column, rules, depth + 1)


def _is_label_column(columns: list[list[Line]]) -> bool:
    """Footnote numbers or list markers set in their own narrow column beside the text they label."""
    if len(columns) != 2:
        return False
    labels, texts = columns
    size = statistics.median(ln.size for ln in texts)
    width = max(ln.x1 for ln in labels) - min(ln.x0 for ln in labels)
    # two labels at least: a lone section number beside its heading ("1.2" | "Evaluation methodology") is a heading
    return (width <= 3 * size and len(labels) >= 2 and all(len(ln.text) <= 4 for ln in labels)
            and len(texts) >= len(labels) and not all(ln.bold for ln in texts))


def _labelled_items(group: _Group, bound: float) -> list[list[str]]:
    items: list[list[str]] = []
    for slab in group.slabs:
        ordered = sorted(slab, key=lambda ln: (ln.x0 > bound, ln.top, ln.x0))
        label = " ".join(ln.text for ln in ordered if (ln.x0 + ln.x1) / 2 <= bound)
        text = [ln.text for ln in ordered if (ln.x0 + ln.x1) / 2 > bound]
        if label or not items:
            items.append(([label] if label else []) + text)
        else:
            items[-1].extend(text)
    return items


def _is_table(group: _Group, columns: list[list[Line]], rules: list[tuple[float, float, float, float]]) -> bool:
    if len(group.slabs) < 2 or len(columns) < 2:
        return False
    lines = [ln for c in columns for ln in c]
    top = min(ln.top for ln in lines)
    bottom = max(ln.bottom for ln in lines)
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    size = statistics.median(ln.size for ln in lines)
    # ruling lines between the rows (not a banner's underline above the text or a rule below it)
    across = [r for r in rules if r[3] - r[1] <= 2.5 and top + size <= r[1] <= bottom - size
              and min(r[2], right) - max(r[0], left) >= 0.6 * (right - left)]
    fills: list[float] = []
    for column in columns:
        width = max(ln.x1 for ln in column) - min(ln.x0 for ln in column)
        if width > 0:
            fills.extend(ln.width / width for ln in column)
    if len(across) >= 2 and fills and statistics.median(fills) < 0.8:
        return True
    rows_with_many = sum(1 for s in group.slabs if len({_col(ln, columns) for ln in s}) >= 2)
    return bool(fills) and statistics.median(fills) < 0.6 and rows_with_many >= 2 and (
        len(columns) >= 3 or statistics.median(fills) < 0.45)


def _col(line: Line, columns: list[list[Line]]) -> int:
    for i, column in enumerate(columns):
        if line in column:
            return i
    return -1


def _table_rows(group: _Group, bounds: list[float]) -> list[list[str]]:
    rows: list[list[str]] = []
    previous_bottom = None
    for slab in group.slabs:
        cells: list[list[str]] = [[] for _ in range(len(bounds) + 1)]
        for ln in sorted(slab, key=lambda ln: (ln.top, ln.x0)):
            cells[sum(1 for x in bounds if (ln.x0 + ln.x1) / 2 > x)].append(ln.text)
        texts = [" ".join(c) for c in cells]
        top = min(ln.top for ln in slab)
        size = statistics.median(ln.size for ln in slab)
        # a slab whose first cell is empty, right below the previous one, continues that row's wrapped cells
        if rows and not texts[0] and previous_bottom is not None and top - previous_bottom < 0.8 * size:
            rows[-1] = [" ".join(x for x in (a, b) if x) for a, b in zip(rows[-1], texts, strict=True)]
        else:
            rows.append(texts)
        previous_bottom = max(ln.bottom for ln in slab)
    return rows


# ---------------------------------------------------------------------------------------------- paragraphs


@dataclass
class _Block:
    kind: str
    lines: list[Line]
    text: str
    size: float
    bold: bool
    page: int
    marks: list[tuple[int, int, str | None]]
    level: int = 0
    contents: bool = False  # a line of the table of contents


def _page_blocks(page: Page, body: float, vocabulary: set[str]) -> list[_Block]:
    out: list[_Block] = []
    for kind, content in _order(page.lines, page.rules):
        if kind == "items":
            for parts in content:
                text = _join_lines(parts, vocabulary)
                if text:
                    out.append(_Block(ITEM, [], text, body, False, page.number, [(0, page.number, page.label)]))
            continue
        if kind == "table":
            for cells in content:
                text = clean_text(" | ".join(c for c in cells if c.strip()))
                if text:
                    out.append(_Block(ROW, [], text, body, False, page.number, [(0, page.number, page.label)]))
            continue
        for para in _paragraphs(content, body):
            text = _join_lines([ln.text for ln in para], vocabulary)
            if not text:
                continue
            size = statistics.median(ln.size for ln in para)
            bold = all(ln.bold for ln in para)
            kind_ = ITEM if _starts_item(para[0].text) else PARAGRAPH
            if kind_ == ITEM:
                text = _BULLET_MARK.sub("", text, count=1)  # the bullet is layout, not text (a number stays)
            out.append(_Block(kind_, para, text, size, bold, page.number, [(0, page.number, page.label)]))
    for block in out:
        if block.kind in (PARAGRAPH, ITEM) and _looks_heading(block, body):
            block.kind = HEADING
    return out


_BULLET_MARK = re.compile(r"^[•◦▪▫●○■□‣⁃*·–-] +")


def _starts_item(text: str) -> bool:
    return (text[:1] in _BULLETS and text[1:2] == " ") or bool(_NUMBERED_ITEM.match(text))


def _paragraphs(lines: list[Line], body: float) -> list[list[Line]]:
    if not lines:
        return []
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False) if 0 <= b.top - a.bottom < a.size]
    usual = statistics.median(gaps) if gaps else 0.2 * body
    out: list[list[Line]] = [[lines[0]]]
    for a, b in zip(lines, lines[1:], strict=False):
        gap = b.top - a.bottom
        first = out[-1][0]
        # a list item's next line set under its text, past the bullet ("● Determining root challenges:" /
        # "organizational factors"): the item goes on, whatever its line ends with
        hanging = _starts_item(first.text) and first.x0 + 0.3 * b.size < b.x0 < first.x0 + 4 * b.size \
            and all(abs(ln.x0 - b.x0) <= 1.5 for ln in out[-1][1:])
        new = (
            gap > max(usual + 0.35 * a.size, 0.5 * a.size)
            or abs(b.size - a.size) > 0.12 * max(a.size, b.size)
            or a.bold != b.bold and (a.bold and len(a.text.split()) <= 15)
            or _starts_item(b.text)
            or not hanging and b.x0 - left > 1.2 * b.size and _SENTENCE_END.search(a.text) is not None
            or not hanging and a.x1 < right - 4 * a.size and _SENTENCE_END.search(a.text) is not None
            and b.x0 - left > 0.5
            or b.top < a.top - 0.5 * a.size  # went back up: another column of the same run
        )
        if new:
            out.append([b])
        else:
            out[-1].append(b)
    return out


def _join_lines(texts: list[str], vocabulary: set[str]) -> str:
    text = ""
    for line in texts:
        if not text:
            text = line
            continue
        m = re.search(r"([^\W\d_]+)-$", text)
        if m and line[:1].islower():
            head = m.group(1)
            tail = _WORD.match(line)
            joined = (head + tail.group(0)).lower() if tail else ""
            if joined and joined in vocabulary:
                text = text[:-1] + line  # "adminis-" + "trative"
            else:
                text = text + line  # "decision-" + "making" keeps its hyphen
        else:
            text = text + " " + line
    return clean_text(text)


def _looks_heading(block: _Block, body: float) -> bool:
    words = len(block.text.split())
    if words == 0 or words > 25 or len(block.lines) > 4:
        return False
    if block.text[-1:] in ".,;:" and not _NUMBERED_HEADING.match(block.text):
        return False
    if block.size >= 1.15 * body:
        return True
    return block.bold and words <= 15 and not block.text.endswith((".", ":")) and block.size >= 0.95 * body


_BARE_NUMBER = re.compile(
    r"^(?:(?:chapter|part|section|annex|appendix|chương|phần)\s+)?[\dIVXivx]{1,4}(?:\.\d{1,2})*\.?$", re.IGNORECASE)


def _merge_headings(blocks: list[_Block]) -> list[_Block]:
    """A section number set apart from its heading ("1.2" above "Evaluation methodology", "CHAPTER 1" above
    "BACKGROUND") is one heading; so is a title set over several lines with wide spacing ("Livslängd och" /
    "livskraft: Vad säger" / "utvärderingar om ...?"), which came as one heading a line."""
    out: list[_Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == HEADING and block.kind == HEADING and prev.page == block.page
                and (_BARE_NUMBER.match(prev.text) or _heading_goes_on(prev, block))):
            prev.text = f"{prev.text} {block.text}"
            prev.size = max(prev.size, block.size)
            prev.lines = prev.lines + block.lines
            continue
        out.append(block)
    return out


def _heading_goes_on(prev: _Block, block: _Block) -> bool:
    """Whether a heading is the next line of the one before: the same type, just below it, the first not ending
    a sentence and the second not a section of its own (numbered)."""
    if not prev.lines or not block.lines or abs(prev.size - block.size) > 0.5 or prev.bold != block.bold:
        return False
    if _SENTENCE_END.search(prev.text) or _NUMBERED_HEADING.match(block.text) or _BARE_NUMBER.match(block.text):
        return False
    last, first = prev.lines[-1], block.lines[0]
    beside = abs(first.top - last.top) <= 0.3 * block.size and first.x0 > last.x1  # the rest of the same line
    return (beside or 0 <= first.top - last.bottom <= 1.2 * block.size) and block.text[:1].islower()


_CONTENTS = re.compile(
    r"^(table of )?contents$|^(mục lục|sommaire|índice|indice|table des matières|inhalt|inhaltsverzeichnis|contenido"
    r"|sumário|sumario|sommario|inhoud|inhoudsopgave|innehåll|innehållsförteckning|innhold|indholdsfortegnelse"
    r"|sisällys|sisällysluettelo|spis treści|содержание|оглавление|目录|目次|daftar isi|yaliyomo)$", re.IGNORECASE)
# an entry of a table of contents: its title, dot leaders and the page number ("2.1 Relevance .......... 12")
_LEADER_ENTRY = re.compile(r"\S.*?(?:\.\s?){4,}\s*…?\s*(?:\d{1,4}|[ivxlc]{1,6})$|\S.*?(?:…\s?){2,}\s*\d{1,4}$",
                           re.IGNORECASE)


_ENDS_IN_PAGE_NUMBER = re.compile(r"\s(?:\d{1,4}|[ivxlc]{1,6})$", re.IGNORECASE)


def _mark_contents(blocks: list[_Block], pages: list[Page]) -> None:
    """A table of contents is text, not sections or passages to code: on a page titled "Contents" (in one of the
    languages above), or a page most of whose lines are entries with dot leaders and page numbers, in any language
    (a contents page running over two, the second without a title), the title and the entries up to the last entry
    before the first passage of prose (the text below a short table of contents, an executive summary, is read)."""
    titled = {b.page for b in blocks if b.kind == HEADING and _CONTENTS.match(b.text)}
    leaders = set()
    for page in pages:
        entries = sum(1 for ln in page.lines if _LEADER_ENTRY.fullmatch(ln.text))
        if entries >= 3 and entries >= 0.4 * len(page.lines):
            leaders.add(page.number)
    for number in sorted(titled | leaders):
        on_page = [b for b in blocks if b.page == number]
        later = {_entry_key(b.text) for b in blocks if b.kind == HEADING and b.page > number}
        first = last = -1
        for i, b in enumerate(on_page):
            if _contents_entry(b, later) or (b.kind == HEADING and _CONTENTS.match(b.text)):
                first = i if first < 0 else first
                last = i
            elif _prose(b) and first >= 0:
                break  # the text below the contents (text above it, a foreword's end, is read as well)
        for b in on_page[max(first, 0):last + 1]:
            b.kind = TITLE
            b.contents = True


def _contents_entry(b: _Block, headings: set[str]) -> bool:
    """An entry of a table of contents: half its lines or more end in a page number (with dot leaders or not) or
    name a heading of a later page (a contents without page numbers)."""
    lines = [ln.text.strip() for ln in b.lines] or [b.text.strip()]
    entries = sum(1 for t in lines if _LEADER_ENTRY.fullmatch(t) or _ENDS_IN_PAGE_NUMBER.search(t)
                  or _entry_key(t) in headings)
    return entries > 0 and 2 * entries >= len(lines)


def _entry_key(text: str) -> str:
    """A heading's words as its entry in a table of contents gives them: case, section number and spacing aside."""
    return " ".join(re.sub(r"^[\dIVXivx.]+\s+", "", text.strip()).casefold().split())


def _prose(b: _Block) -> bool:
    """A passage of running text, which no table of contents holds: three lines or more, or twelve words or more
    ending a sentence."""
    return len(b.lines) >= 3 or (len(b.text.split()) >= 12 and b.text.rstrip().endswith((".", "!", "?", "…")))


def _set_heading_levels(blocks: list[_Block], body: float) -> None:
    """Levels from the section numbers where headings have them, else from type size (largest = 1). The headings of
    a cover page (page 1, above any body text, larger than every later heading) name the document: they are kept
    as its title, not as a section."""
    cover: set[str] = set()
    for b in blocks:
        if b.page != 1 or b.kind not in (HEADING, TITLE):
            break
        if b.kind == HEADING and b.size >= 1.6 * body:
            b.kind = TITLE
            cover.add(b.text.casefold())
    for b in blocks:
        if b.kind == HEADING and b.text.casefold() in cover:
            b.kind = TITLE  # an inner title page repeating the cover
    sizes = sorted({round(b.size) for b in blocks if b.kind == HEADING}, reverse=True)
    rank = {s: i + 1 for i, s in enumerate(sizes)}
    numbered_top = min((round(b.size) for b in blocks if b.kind == HEADING
                        and (m := _NUMBERED_HEADING.match(b.text)) and "." not in m.group(1).strip(".")),
                       default=None)
    for b in blocks:
        if b.kind != HEADING:
            continue
        m = _NUMBERED_HEADING.match(b.text)
        if m:
            depth = m.group(1).strip(".").count(".")
            b.level = min(6, depth + rank.get(numbered_top, 1) if numbered_top is not None else depth + 1)
        else:
            b.level = min(6, rank.get(round(b.size), len(rank)))


def _join_across_pages(blocks: list[_Block]) -> list[_Block]:
    """A paragraph that runs over a page (or column) break is one paragraph: the next block continues it when this
    one does not end a sentence and the next starts in lower case."""
    out: list[_Block] = []
    open_: _Block | None = None  # the last body paragraph, while only footnotes (smaller type) came after it
    for block in blocks:
        prev = open_
        if block.kind == PARAGRAPH and prev is not None and block.size < 0.9 * prev.size and block is not prev:
            out.append(block)  # a footnote between a paragraph and its continuation in the next column or page
            continue
        if (prev is not None and prev.kind == PARAGRAPH and block.kind == PARAGRAPH
                and _SENTENCE_END.search(prev.text) is None and block.text[:1].islower()
                and abs(prev.size - block.size) <= 0.12 * prev.size):
            offset = len(prev.text) + 1
            prev.text = prev.text + " " + block.text
            if block.page != prev.page:
                prev.marks.append((offset, block.page, block.marks[0][2] if block.marks else None))
            continue
        out.append(block)
        open_ = block if block.kind == PARAGRAPH else None
    return out


def _public(block: _Block) -> DocBlock:
    return DocBlock(text=block.text, kind=block.kind, level=block.level, pages=block.marks)


def _pages_text(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8]) + (", ..." if len(numbers) > 8 else "")
    return ("page " if len(numbers) == 1 else "pages ") + shown
