"""A small PDF writer for tests and for the bundled example's documents: pages of positioned text in the standard
Helvetica fonts (WinAnsi), ruling lines, an image-only page (a "scan"), document information and page labels.

Only what the readers must cope with is supported; the output is a valid PDF 1.4 file that other readers open too.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

A4 = (595.0, 842.0)
# Helvetica advance widths are close to this share of the font size on average (for wrapping text only).
_AVG = 0.5


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    out = bytearray()
    for b in raw:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += f"\\{b:03o}".encode()
        else:
            out.append(b)
    return bytes(out)


@dataclass
class PdfPage:
    width: float = A4[0]
    height: float = A4[1]
    ops: list[bytes] = field(default_factory=list)
    image: bool = False
    forms: list[list[bytes]] = field(default_factory=list)

    def as_form(self) -> None:
        """What was drawn so far moves into a form XObject the page draws (as designed reports and charts are)."""
        self.forms.append(self.ops)
        self.ops = [f"q /Fm{len(self.forms)} Do Q".encode()]

    def text(self, x: float, top: float, text: str, *, size: float = 10, bold: bool = False) -> None:
        """Text whose top edge is ``top`` points below the top of the page."""
        font = b"/F2" if bold else b"/F1"
        y = self.height - top - size
        self.ops.append(b"BT " + font + f" {size:g} Tf {x:.2f} {y:.2f} Td (".encode() + _escape(text) + b") Tj ET")

    def paragraph(self, x: float, top: float, width: float, text: str, *, size: float = 10, leading: float = 1.3,
                  bold: bool = False) -> float:
        """Wrapped text; returns the top of the line after it."""
        per_line = max(10, int(width / (size * _AVG)))
        line = ""
        for word in text.split():
            if line and len(line) + 1 + len(word) > per_line:
                self.text(x, top, line, size=size, bold=bold)
                top += size * leading
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            self.text(x, top, line, size=size, bold=bold)
            top += size * leading
        return top

    def rule(self, x0: float, top: float, x1: float, *, width: float = 0.5) -> None:
        y = self.height - top
        self.ops.append(f"{width:g} w {x0:.2f} {y:.2f} m {x1:.2f} {y:.2f} l S".encode())

    def scanned_image(self) -> None:
        """A grey picture covering the page and no text: what a scanner without OCR produces."""
        self.image = True
        self.ops.append(f"q {self.width - 100:.0f} 0 0 {self.height - 100:.0f} 50 50 cm /Im1 Do Q".encode())


def build_pdf(pages: list[PdfPage], *, info: dict[str, str] | None = None,
              page_labels: list[tuple[int, str, int]] | None = None) -> bytes:
    """The PDF file. ``page_labels``: (first page index, style "D"/"r"/"R", first number) ranges."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    font2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    pixels = bytes((x * 7 + y * 13) % 256 for y in range(64) for x in range(64))
    data = zlib.compress(pixels)
    image = add(b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8"
                b" /Filter /FlateDecode /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream")
    fonts = f"<< /Font << /F1 {font1} 0 R /F2 {font2} 0 R >> >>".encode()
    form_ids: list[list[int]] = []
    for page in pages:
        form_ids.append([])
        for ops in page.forms:
            body = zlib.compress(b"\n".join(ops))
            form_ids[-1].append(add(
                f"<< /Type /XObject /Subtype /Form /BBox [0 0 {page.width:g} {page.height:g}] /Resources ".encode()
                + fonts + b" /Length " + str(len(body)).encode() + b" /Filter /FlateDecode >>\nstream\n" + body
                + b"\nendstream"))
    pages_id = len(objects) + 1 + 2 * len(pages)  # after the page and content objects
    kids = []
    for page, forms in zip(pages, form_ids, strict=True):
        stream = zlib.compress(b"\n".join(page.ops))
        content = add(b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream
                      + b"\nendstream")
        resources = f"<< /Font << /F1 {font1} 0 R /F2 {font2} 0 R >>".encode()
        xobjects = ([f"/Im1 {image} 0 R"] if page.image else []) + [f"/Fm{n} {f} 0 R" for n, f in enumerate(forms, 1)]
        if xobjects:
            resources += f" /XObject << {' '.join(xobjects)} >>".encode()
        resources += b" >>"
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {page.width:g} {page.height:g}]"
                        f" /Contents {content} 0 R /Resources ".encode() + resources + b" >>"))
    assert len(objects) + 1 == pages_id
    add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode())
    catalog = b"<< /Type /Catalog /Pages " + str(pages_id).encode() + b" 0 R"
    if page_labels:
        nums = " ".join(f"{start} << /S /{style} /St {first} >>" for start, style, first in page_labels)
        catalog += f" /PageLabels << /Nums [{nums}] >>".encode()
    catalog_id = add(catalog + b" >>")
    info_id = None
    if info:
        info_id = add(b"<< " + b" ".join(f"/{k} (".encode() + _escape(v) + b")" for k, v in info.items()) + b" >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root {catalog_id} 0 R".encode()
    if info_id:
        trailer += f" /Info {info_id} 0 R".encode()
    out += trailer + f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def report_pdf(title: str, sections: list[tuple[str, list[str]]], *, columns: int = 1, header: str | None = None,
               footer: str | None = None, info: dict[str, str] | None = None, table: list[list[str]] | None = None,
               first_page_number: int = 1) -> bytes:
    """A report laid out like real ones: a title, numbered sections in one or two columns, a running header and a
    footer with the page number on every page, and optionally a ruled table after the sections."""
    pages: list[PdfPage] = []
    margin, gutter = 56.0, 24.0
    body_top, body_bottom = 90.0, 842.0 - 80.0
    col_width = (595.0 - 2 * margin - (columns - 1) * gutter) / columns
    state: dict[str, Any] = {"page": None, "col": 0, "top": body_top}

    def new_page() -> PdfPage:
        page = PdfPage()
        number = len(pages) + first_page_number
        if header:
            page.text(margin, 30, header, size=8)
        page.text(margin, 842 - 50, f"{footer or title}", size=8)
        page.text(595 - margin - 10, 842 - 50, str(number), size=8)
        pages.append(page)
        state.update(page=page, col=0, top=body_top)
        return page

    def place(lines_needed: float) -> tuple[PdfPage, float, float]:
        page = state["page"] or new_page()
        if state["top"] + lines_needed > body_bottom:
            if state["col"] + 1 < columns:
                state.update(col=state["col"] + 1, top=body_top if page is not pages[0] else 140.0)
            else:
                page = new_page()
        x = margin + state["col"] * (col_width + gutter)
        return page, x, state["top"]

    first = new_page()
    first.text(margin, 60, title, size=20, bold=True)
    state["top"] = 140.0
    for heading, paragraphs in sections:
        page, x, top = place(60)
        state["top"] = page.paragraph(x, top + 6, col_width, heading, size=13, bold=True, leading=1.25) + 8
        for text in paragraphs:
            words = text.split()
            per_line = max(10, int(col_width / (10 * _AVG)))
            chunk: list[str] = []
            for word in words:  # fill line by line so a paragraph can run on into the next column or page
                if chunk and len(" ".join(chunk)) + 1 + len(word) > per_line:
                    page, x, top = place(13)
                    page.text(x, top, " ".join(chunk), size=10)
                    state["top"] = top + 13
                    chunk = [word]
                else:
                    chunk.append(word)
            if chunk:
                page, x, top = place(13)
                page.text(x, top, " ".join(chunk), size=10)
                state["top"] = top + 13
            state["top"] += 8
    if table:
        page = new_page()
        top = body_top
        rest = (595 - 2 * margin) * 0.45 / (len(table[0]) - 1)
        widths = [(595 - 2 * margin) * 0.55] + [rest] * (len(table[0]) - 1)
        page.rule(margin, top - 4, 595 - margin)
        for row in table:
            x = margin
            for cell, width in zip(row, widths, strict=True):
                page.text(x + 2, top, cell, size=9)
                x += width
            top += 16
            page.rule(margin, top - 4, 595 - margin)
    return build_pdf(pages, info=info)
