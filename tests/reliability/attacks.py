"""Crafted files for the hostile-input tests: what an attacker (or a broken tool) could hand an evaluator.

Bombs are built small and fast: a deflate stream of zeros is made once per megabyte and repeated (each piece ends on
a full flush, so pieces can be concatenated), so a few kilobytes claim gigabytes without anything that large ever
existing in the test.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

MB = 1024 * 1024


def _zeros_deflate(megabytes: int, fill: bytes = b"\x00") -> bytes:
    """A raw deflate stream that inflates to ``megabytes`` MB of ``fill``, built from one compressed megabyte."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(fill * MB) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    return block * megabytes + tail.flush(zlib.Z_FINISH)


def zip_with_bomb(members: Mapping[str, bytes | str], bomb_name: str, megabytes: int, *, fill: bytes = b"\x00",
                  declared: int | None = None) -> bytes:
    """A valid ZIP holding ``members`` plus an entry ``bomb_name`` that inflates to ``megabytes`` MB (declared as
    ``declared`` bytes, default the truth; the CRC is not the real one, which no reader gets to check)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    body = buf.getvalue()
    # append the bomb by hand: a local header, the stream, and a rebuilt central directory
    end = body.rfind(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack("<HII", body[end + 10:end + 20])
    central = body[cd_offset:cd_offset + cd_size]
    data = _zeros_deflate(megabytes, fill)
    size = declared if declared is not None else megabytes * MB
    encoded = bomb_name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(data), size, len(encoded), 0) + encoded
    offset = cd_offset
    entry = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, len(data), size, len(encoded), 0, 0,
                        0, 0, 0, offset) + encoded
    new_cd_offset = offset + len(local) + len(data)
    new_central = central + entry
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count + 1, count + 1, len(new_central), new_cd_offset, 0)
    return body[:cd_offset] + local + data + new_central + eocd


def plain_zip(members: dict[str, bytes | str], *, links: dict[str, str] | None = None) -> bytes:
    """A ZIP of ``members``; ``links`` adds symbolic-link entries (name -> target), as unzip would create them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (0o120777 << 16)
            z.writestr(info, target)
    return buf.getvalue()


# ---------------------------------------------------------------------------- REFI-QDA

SOURCE_TEXT = ("Interviewer: How did the training go?\n\n"
               "Ms Hoa: The grievance training helped our line leaders a great deal this year.\n")


def qde(*, sources: str = "", codes: str = "", users: str = "", cases: str = "", variables: str = "",
        notes: str = "", base_path: str | None = None, prolog: str = "") -> str:
    """A REFI-QDA project document with the given inner XML."""
    base = f' basePath="{base_path}"' if base_path is not None else ""
    users = users or '<User guid="00000000-0000-4000-8000-0000000000aa" name="mai"/>'
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}'
            f'<Project xmlns="urn:QDA-XML:project:1.0" name="Crafted" origin="Tool 1.0"{base}>'
            f"<Users>{users}</Users>"
            f"<CodeBook><Codes>{codes or code_tree(1)}</Codes></CodeBook>"
            f"{variables}{cases}<Sources>{sources}</Sources>{notes}</Project>")


def text_source(path: str, *, name: str = "kii.txt", guid: str = "50C00000-0000-4000-8000-000000000001",
                selections: str = "") -> str:
    return f'<TextSource guid="{guid}" name="{name}" plainTextPath="{path}">{selections}</TextSource>'


def code_tree(depth: int, *, name: str = "Level") -> str:
    """Codes nested ``depth`` levels (the top code is level 0)."""
    xml = ""
    for level in reversed(range(depth)):
        xml = (f'<Code guid="C0DE0000-0000-4000-8000-{level:012d}" name="{name} {level}" isCodable="true">'
               f"{xml}</Code>")
    return xml


def qdpx(path: Path, qde_text: str, members: dict[str, bytes | str] | None = None) -> Path:
    path.write_bytes(plain_zip({"project.qde": qde_text, **(members or {})}))
    return path


# ---------------------------------------------------------------------------- Word and Excel

DOCUMENT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}'
            "</w:body></w:document>")
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                 '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                 'document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_members(paragraphs: list[str], *, prolog: str = "") -> dict[str, bytes | str]:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    return {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS,
            "word/document.xml": DOCUMENT.format(prolog=prolog, body=body)}


def docx(paragraphs: list[str], *, prolog: str = "") -> bytes:
    return plain_zip(docx_members(paragraphs, prolog=prolog))


def yaml_bomb(levels: int = 9, top: str = "codes") -> str:
    """The classic 'billion laughs' in YAML: each level refers nine times to the one before."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, levels):
        refs = ",".join([f"*a{k - 1}"] * 9)
        lines.append(f"a{k}: &a{k} [{refs}]")
    lines.append(f"{top}: [{','.join([f'*a{levels - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of the numbered ``objects`` (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_stream(data: bytes, *, filters: bytes = b"/FlateDecode", extra: bytes = b"") -> bytes:
    """A stream object; ``data`` is compressed when the filters start with FlateDecode."""
    if filters.startswith((b"/FlateDecode", b"[/FlateDecode")):
        data = zlib.compress(data, 9)
    return (b"<< /Length %d /Filter %s %s>>\nstream\n" % (len(data), filters, extra) + data + b"\nendstream")


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_pages(contents: list[bytes], *, xobjects: list[bytes] | None = None) -> bytes:
    """A PDF whose pages draw the given content streams with Helvetica as /F1; ``xobjects`` become /X0, /X1 ...
    (objects 4, 5 ... in that order, so a form can name the next one as ``5 0 R``)."""
    xobjects = xobjects or []
    first_page = 4 + len(xobjects)
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * k) for k in range(len(contents)))
    names = b" ".join(b"/X%d %d 0 R" % (k, 4 + k) for k in range(len(xobjects)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids,
               len(contents)), _FONT, *xobjects]
    for k, content in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font "
                       b"<< /F1 3 0 R >> /XObject << %s >> >> >>" % (first_page + 2 * k + 1, names))
        objects.append(content if content.startswith(b"<<") else pdf_stream(content))
    return pdf(objects)


def pdf_text(line: str = "The project trained 400 line leaders in 2023.", y: int = 700) -> bytes:
    return b"BT /F1 12 Tf 72 %d Td (%s) Tj ET\n" % (y, line.encode("latin-1"))


def pdf_form_laughs(levels: int, fanout: int = 10) -> bytes:
    """The 'billion laughs' of PDF: a page draws form 0 ``fanout`` times, each form draws the next ``fanout`` times,
    the last draws a word: ``fanout ** levels`` words from a few kilobytes."""
    forms = []
    for k in range(levels):
        body = b"/X Do " * fanout if k < levels - 1 else b"BT /F1 12 Tf 72 600 Td (laugh) Tj ET"
        forms.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> "
                     b"/XObject << /X %d 0 R >> >> /Length %d >>\nstream\n" % (5 + k, len(body)) + body
                     + b"\nendstream")
    return pdf_pages([pdf_text() + b"/X0 Do " * fanout], xobjects=forms)


def pdf_with_bomb(megabytes: int) -> bytes:
    """A one-page PDF whose content stream (FlateDecode) inflates to ``megabytes`` MB of spaces."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 15)
    first = comp.compress(b" " * MB) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(b" " * MB) + comp.flush(zlib.Z_FULL_FLUSH)
    stream = first + block * (megabytes - 1) + comp.flush(zlib.Z_FINISH)
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"])


# ---------------------------------------------------------------------------- Excel

_XLSX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
               'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
               'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
               'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
               '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_XLSX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
              '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_XLSX_BOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
              '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
              'name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>')
_XLSX_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def xlsx_sheet(rows: dict[int, dict[str, str]], *, dimension: str | None = None) -> bytes:
    """A one-sheet workbook written by hand: ``rows`` maps a row number to {cell reference: text}; ``dimension`` is
    the size the sheet states (Excel writes the true one; a crafted file may state any)."""
    def cell(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    data = "".join(f'<row r="{n}">' + "".join(cell(ref, v) for ref, v in cells.items()) + "</row>"
                   for n, cells in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             f'2006/main">{dim}<sheetData>{data}</sheetData></worksheet>')
    return plain_zip({"[Content_Types].xml": _XLSX_TYPES, "_rels/.rels": _XLSX_RELS, "xl/workbook.xml": _XLSX_BOOK,
                      "xl/_rels/workbook.xml.rels": _XLSX_BOOK_RELS, "xl/worksheets/sheet1.xml": sheet})
