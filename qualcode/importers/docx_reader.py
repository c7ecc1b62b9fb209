"""Word (.docx) transcripts: labelled paragraphs, Speaker|Text tables, a metadata table at the top.

Text pasted into Word from captions or a web page keeps their character references ("<v Carlos Far&#237;as>",
"R&amp;D"): they are decoded as the text and subtitle readers decode them."""

from __future__ import annotations

import io
import re
from typing import Any

from qualcode.errors import InputError
from qualcode.importers.assemble import assemble
from qualcode.importers.decoding import unescape_references
from qualcode.importers.doc_readers import TRACKED_NOTE, tracked_changes, word_text
from qualcode.importers.labels import classify
from qualcode.importers.service_reader import header as service_header
from qualcode.importers.text_reader import Block, blocks_to_drafts, clean_inline, table_blocks
from qualcode.model import ParsedTranscript

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DAMAGED_HINT = "open it in Word and save it again as .docx, or save it as plain text (.txt)"


def read_docx(data: bytes, name: str, *, notes: bool = True) -> ParsedTranscript:
    """Parse a .docx transcript. Raises InputError when the document is damaged."""
    try:
        import docx  # python-docx is slow to import; only Word files need it
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise InputError(
            "reading .docx needs the python-docx package", path=name, hint="pip install python-docx"
        ) from None
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception:
        raise InputError("this Word document is damaged or incomplete", path=name, hint=_DAMAGED_HINT) from None

    metadata: dict[str, Any] = {}
    blocks: list[Block] = []
    try:
        for element in _body_elements(body):
            if element.tag == _W + "p":
                paragraph = Paragraph(element, document)
                level = _heading_level(paragraph)
                if level:
                    title = " ".join(unescape_references(word_text(paragraph._p)).split())
                    if title:
                        blocks.append(Block([title], heading=level))
                    continue
                lines = [line.strip() for line in unescape_references(_paragraph_text(paragraph)).split("\n")
                         if line.strip()]
                if not lines:
                    continue
                if _all_bold(paragraph) and len(lines) == 1 and not lines[0].endswith((":", "：")) \
                        and service_header(lines[0]) is None:
                    blocks.append(Block(lines, heading=9))
                else:
                    blocks.append(Block(lines, bullet=_is_list(paragraph)))
            elif element.tag == _W + "tbl":
                rows = _table_rows(Table(element, document))
                started = any(b.lines for b in blocks)
                blocks.extend(table_blocks(rows, metadata, speech_started=started))
    except InputError:
        raise
    except Exception:
        raise InputError("this Word document is damaged or incomplete", path=name, hint=_DAMAGED_HINT) from None
    if _timed_cues(blocks):
        # Older Teams Word exports: "0:0:5.100 --> 0:0:8.250", the name, the text; read as the cues they are.
        from qualcode.importers.cue_reader import read_cues

        text = "\n\n".join("\n".join(b.lines) for b in blocks if not b.forced)
        return read_cues("WEBVTT\n\n" + _blank_before_timings(text), name, fmt="docx",
                         detected="Word document: Microsoft Teams transcript (timings, names above the text)")
    drafts, reading = blocks_to_drafts(blocks, metadata, name=name, notes=notes)
    features = reading.describe()
    otter = "keywords" in metadata or "speakers_listed" in metadata
    teams = any(k.startswith("transcription_") for k in metadata) or "duration" in metadata and reading.service_headers
    tool = " (Otter export)" if otter else " (Microsoft Teams transcript)" if teams else ""
    parsed = assemble(drafts, fmt="docx", name=name, metadata=metadata, record=reading.record,
                      detected=f"Word document{tool}: {features}", notices=reading.notices)
    changes = tracked_changes(body)
    if changes:
        parsed.warnings.append(TRACKED_NOTE.format(n=changes))
    return parsed


def _timed_cues(blocks: list[Block]) -> bool:
    from qualcode.importers.cue_reader import is_timing_line

    lines = [line for b in blocks if not b.forced for line in b.lines]
    timings = sum(1 for line in lines if is_timing_line(line))
    return timings >= 2 and timings * 4 >= len(lines)


def _blank_before_timings(text: str) -> str:
    from qualcode.importers.cue_reader import is_timing_line

    return "\n".join(("\n" + line) if is_timing_line(line) else line for line in text.split("\n"))


def _body_elements(parent: Any) -> Any:
    """Paragraphs and tables in reading order, looking inside content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag == _W + "sdt":
            for content in child.iterchildren(_W + "sdtContent"):
                yield from _body_elements(content)


def _paragraph_text(paragraph: Any) -> str:
    """Paragraph text, with a leading bold name written as a label ("**Ms. Hoa** We trained..." -> "Ms. Hoa: ...")."""
    text: str = word_text(paragraph._p)  # inserted text of tracked changes included, deleted text not
    bold = ""
    for run in paragraph.runs:
        if not run.bold:
            break
        bold += run.text
    name = bold.strip()
    rest = text[len(bold) :] if text.startswith(bold) else ""
    if name and rest.strip() and service_header(f"{name}  {rest.strip()}") is not None:
        return f"{name}  {rest.strip()}"  # Otter: the bold name, then the time, is a "Name  0:03" header
    if name and not name.endswith((":", "：")) and rest.strip() and not rest.lstrip().startswith((":", "：")):
        if "\n" not in name and classify(name) is not None:
            return f"{name}: {rest.strip()}"
    return text


def _all_bold(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs) and len(word_text(paragraph._p)) <= 200


def _style_name(paragraph: Any) -> str:
    try:
        return (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:  # a style id that points nowhere: treat as body text
        return ""


def _heading_level(paragraph: Any) -> int:
    style = _style_name(paragraph)
    if style.startswith(("Title", "Subtitle")):
        return 1
    m = re.match(r"Heading\s*(\d)", style)
    if m:
        return max(1, int(m.group(1)))
    return 1 if style.startswith("Heading") else 0


def _is_list(paragraph: Any) -> bool:
    if _style_name(paragraph).startswith("List"):
        return True
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None


def _table_rows(table: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue  # python-docx repeats horizontally merged cells
            previous = cell._tc
            paragraphs = [clean_inline(" ".join(unescape_references(word_text(p._p)).split()))
                          for p in cell.paragraphs]
            cells.append("\n".join(p for p in paragraphs if p))
        rows.append(cells)
    return rows
