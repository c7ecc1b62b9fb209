"""Word documents made of Word's own styles (Title, Heading 1-3, List Bullet, Quote, Caption, Table Grid), so what
qualcode writes takes on the look of the report template it is pasted into (an ILO or UN template restyles those
names) instead of carrying formatting of its own.

Small helpers over python-docx for the report chapter and the annexes; python-docx is imported when a document is
made, not when this module is.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from qualcode.safeio.cleaning import clean

if TYPE_CHECKING:
    from qualcode.exports.charts import Chart

STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "Quote", "Caption", "Table Grid")


def _text(value: Any) -> str:
    # XML refuses control characters; projects imported before they were removed at import may still hold some
    return clean("" if value is None else str(value))


def new_document(title: str) -> Any:
    """An empty document from python-docx's template (which defines Word's built-in styles), with its title set and
    no author: a report annex must not carry the name of whoever ran the export."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    # A4, the paper of the UN system (python-docx's template is US Letter); a pasted section takes the report's own
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    props = doc.core_properties
    props.title = _text(title)
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    for name in STYLES:
        doc.styles[name]  # noqa: B018 - fails early if a style were missing from the template
    return doc


def heading(doc: Any, text: str, level: int) -> Any:
    return doc.add_heading(_text(text), level=level)


def para(doc: Any, text: str = "", *, style: str | None = None, bold: bool = False, italic: bool = False,
         size: float | None = None) -> Any:
    """A paragraph holding one run of ``text``."""
    p = doc.add_paragraph(style=style)
    if text:
        run(p, text, bold=bold, italic=italic, size=size)
    return p


def run(p: Any, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None) -> Any:
    from docx.shared import Pt

    r = p.add_run(_text(text))
    if bold:
        r.bold = True
    if italic:
        r.italic = True
    if size:
        r.font.size = Pt(size)
    return r


def bullet(doc: Any, text: str, *, lead: str | None = None) -> Any:
    """A List Bullet paragraph, optionally opening with a bold lead ("Factory: ...")."""
    p = doc.add_paragraph(style="List Bullet")
    if lead:
        run(p, lead, bold=True)
    run(p, text)
    return p


def quote(doc: Any, text: str, attribution: str, reference: str, *, lead: str | None = None,
          verbatim: bool = True) -> Any:
    """A quote in the Quote style: the words in quotation marks, then on a new line the attribution and reference.
    A passage of interview notes (``verbatim=False``) is the interviewer's paraphrase: said so, never in quotation
    marks."""
    from qualcode.synthesis.evidence import shown_passage

    p = doc.add_paragraph(style="Quote")
    if lead:
        run(p, lead + " ", bold=True)
    run(p, shown_passage(text, "verbatim" if verbatim else "notes"))
    r = run(p, "", size=9)
    r.add_break()
    run(p, f"\u2014 {attribution} [{reference}]", size=9)
    return p


def table(doc: Any, header: list[str], rows: list[list[Any]], *, widths_cm: list[float] | None = None,
          size: float = 9) -> Any:
    """A Table Grid table across the text width: a bold, shaded header row repeated on every page, then ``rows``.
    A cell holding a list gets one paragraph per item (several findings or sources in one cell stay readable); an
    item given as ``("bold", text)`` is set in bold. ``widths_cm`` are proportions, scaled to the text width."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    t = doc.add_table(rows=1, cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.autofit = False
    hdr = t.rows[0]
    tr_pr = hdr._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(hdr.cells, header, strict=True):
        _fill(cell, text, bold=True, size=size)
        _shade(cell, "E7EEF7")
    for values in rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _fill(cell, value, size=size)
    widths = widths_cm or [1.0] * len(header)
    scale = text_width_cm(doc) / sum(widths)
    # Word reads the cell widths, LibreOffice the table grid: set both
    for col, w in zip(t.columns, widths, strict=True):
        col.width = Cm(w * scale)
    for row in t.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Cm(w * scale)
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)
    return t


def _fill(cell: Any, value: Any, *, bold: bool = False, size: float = 9) -> None:
    items = value if isinstance(value, list) else [value]
    first = cell.paragraphs[0]
    for n, item in enumerate(items or [""]):
        strong = bold
        if isinstance(item, tuple):
            strong, item = strong or item[0] == "bold", item[1]
        text = _text(item)
        p = first if n == 0 else cell.add_paragraph()
        if text:
            run(p, text, bold=strong, size=size)


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shd)


def figure(doc: Any, chart: Chart, *, width_cm: float = 16.0) -> Any:
    """The chart as a picture (with its text alternative for screen readers), then a Caption paragraph
    "Figure N. Title" whose number is a SEQ field, so Word renumbers figures in the report it lands in."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Cm

    p = doc.add_paragraph()
    shape = p.add_run().add_picture(io.BytesIO(chart.png), width=Cm(width_cm))
    shape._inline.docPr.set("descr", _text(chart.alt))
    shape._inline.docPr.set("title", _text(chart.title))
    number = sum(1 for q in doc.paragraphs if q.style is not None and q.style.name == "Caption") + 1
    cap = doc.add_paragraph(style="Caption")
    run(cap, "Figure ")
    cap._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" SEQ Figure \\* ARABIC "><w:r><w:t>{number}'
                            "</w:t></w:r></w:fldSimple>"))
    run(cap, f". {chart.title}")
    return cap


def landscape(doc: Any) -> None:
    """Start a new section in landscape (a wide annex table), keeping the margins."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1]
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = current.page_height, current.page_width


def first_section_landscape(doc: Any) -> None:
    """Turn the document's only section to landscape (a document that is one wide table)."""
    from docx.enum.section import WD_ORIENT

    section = doc.sections[0]
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width


def text_width_cm(doc: Any) -> float:
    """The width between the margins of the last section, in centimetres."""
    s = doc.sections[-1]
    return float((s.page_width - s.left_margin - s.right_margin) / 360000)
