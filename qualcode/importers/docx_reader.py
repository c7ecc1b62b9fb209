"""Word (.docx) transcripts: labelled paragraphs, Speaker|Text tables, a metadata table at the top."""

from __future__ import annotations

import io
from typing import Any

from qualcode.errors import InputError
from qualcode.importers.assemble import assemble
from qualcode.importers.labels import classify
from qualcode.importers.text_reader import Block, blocks_to_drafts, clean_inline, table_blocks
from qualcode.model import ParsedTranscript

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DAMAGED_HINT = "open it in Word and save it again as .docx, or save it as plain text (.txt)"


def read_docx(data: bytes, name: str) -> ParsedTranscript:
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
                if _is_heading(paragraph):
                    title = " ".join(paragraph.text.split())
                    if title:
                        metadata.setdefault("title", title)
                    continue
                lines = [line.strip() for line in _paragraph_text(paragraph).split("\n") if line.strip()]
                if lines:
                    blocks.append(Block(lines))
            elif element.tag == _W + "tbl":
                rows = _table_rows(Table(element, document))
                started = any(b.lines for b in blocks)
                blocks.extend(table_blocks(rows, metadata, speech_started=started))
    except InputError:
        raise
    except Exception:
        raise InputError("this Word document is damaged or incomplete", path=name, hint=_DAMAGED_HINT) from None
    drafts = blocks_to_drafts(blocks, metadata)
    return assemble(drafts, fmt="docx", name=name, metadata=metadata)


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
    text: str = paragraph.text
    bold = ""
    for run in paragraph.runs:
        if not run.bold:
            break
        bold += run.text
    name = bold.strip()
    rest = text[len(bold) :] if text.startswith(bold) else ""
    if name and not name.endswith((":", "：")) and rest.strip() and not rest.lstrip().startswith((":", "：")):
        if "\n" not in name and classify(name) is not None:
            return f"{name}: {rest.strip()}"
    return text


def _is_heading(paragraph: Any) -> bool:
    try:
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:  # a style id that points nowhere: treat as body text
        return False
    return style.startswith(("Heading", "Title", "Subtitle"))


def _table_rows(table: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue  # python-docx repeats horizontally merged cells
            previous = cell._tc
            paragraphs = [clean_inline(" ".join(p.text.split())) for p in cell.paragraphs]
            cells.append("\n".join(p for p in paragraphs if p))
        rows.append(cells)
    return rows
