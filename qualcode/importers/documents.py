"""Desk-review documents: PDF (text layer), Word .docx, OpenDocument .odt, HTML, Markdown and plain text, read into a
:class:`ParsedTranscript` of kind ``"document"`` (no speakers; units with a page or heading path).

>>> from qualcode.importers.documents import read_document
>>> parsed = read_document("transcripts/documents/Final-progress-report-2024.pdf")  # doctest: +SKIP
>>> parsed.kind, parsed.units[0].page  # doctest: +SKIP
('document', 1)

The format is recognised from the content (a PDF named .txt is still a PDF); every problem a user can cause is an
:class:`~qualcode.errors.InputError` naming the file, never a traceback.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePath

from qualcode.errors import InputError, QualcodeError
from qualcode.model import ParsedTranscript
from qualcode.safeio.files import is_zip

__all__ = ["DOCUMENT_EXTENSIONS", "MAX_DOCUMENT_BYTES", "read_document", "parse_document", "is_document_file"]

#: Extensions a document usually carries (the content decides, these only sharpen messages and defaults).
DOCUMENT_EXTENSIONS: tuple[str, ...] = (".pdf", ".docx", ".odt", ".html", ".htm", ".xhtml", ".md", ".markdown", ".txt",
                                        ".text")
#: Files larger than this are refused before they are read (a desk-review document is rarely over 50 MB).
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
_HINT = ("qualcode reads documents as PDF (with a text layer), Word .docx, OpenDocument .odt, HTML, Markdown or plain"
         " text")


def is_document_file(path: str | Path, head: bytes | None = None) -> bool:
    """Whether a file can only be a document, never a transcript: a PDF or an HTML page."""
    if head is None:
        try:
            with open(path, "rb") as f:
                head = f.read(2048)
        except OSError:
            return PurePath(str(path)).suffix.lower() in (".pdf", ".html", ".htm", ".xhtml")
    return _is_pdf(head) or _is_html(head) or PurePath(str(path)).suffix.lower() in (".pdf", ".html", ".htm",
                                                                                      ".xhtml")


def read_document(path: str | Path) -> ParsedTranscript:
    """Read and parse the document at ``path``. Raises InputError when it cannot be read."""
    from qualcode.safeio.files import read_input

    # a PDF or Word file holds pictures besides its text: the larger bound applies to the file, the file-size bound
    # (QUALCODE_MAX_INPUT_MB) to its text
    data = read_input(path, what="document", limit=MAX_DOCUMENT_BYTES,
                      hint="check the path and the file name")
    return parse_document(data, str(path))


def parse_document(data: bytes, name: str) -> ParsedTranscript:
    """Parse document bytes; ``name`` is the file name (messages and ``source_name``)."""
    try:
        return _parse(data, name)
    except QualcodeError:
        raise
    except RecursionError:
        raise InputError("the file is too deeply nested to read", path=name) from None
    except MemoryError:
        raise InputError("the file is too large to read in memory", path=name) from None
    except Exception as err:  # a reader bug must still reach the user as one line, not a traceback
        raise InputError(f"could not read this document ({type(err).__name__}: {err})", path=name,
                         hint=_HINT) from err


def _is_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]


def is_html(head: bytes) -> bool:
    """Whether a file's first bytes are an HTML page's."""
    return _is_html(head)


def _is_html(head: bytes) -> bool:
    low = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return low.startswith((b"<!doctype html", b"<html")) or (low.startswith(b"<") and b"<body" in head[:4096].lower())


def _parse(data: bytes, name: str) -> ParsedTranscript:
    if not data.strip():
        raise InputError("the file is empty", path=name, hint="check that the document was saved completely")
    if _is_pdf(data[:1024]):
        from qualcode.importers.pdf_reader import read_pdf
        from qualcode.safeio.pdf import guarded

        with guarded(name):  # compressed streams unpack within the archive bounds (no PDF bombs)
            return read_pdf(data, name)
    suffix = PurePath(name).suffix.lower()
    if suffix == ".pdf":
        raise InputError("this file is named .pdf but is not a PDF (it has no PDF header)", path=name,
                         hint="download or export the PDF again")
    if is_zip(data):
        if _is_word(data):
            from qualcode.importers.doc_readers import read_docx_document
            from qualcode.safeio.archive import Archive

            # every entry unpacked once within the archive bounds (and no XML with a DTD) before python-docx reads it
            with Archive(data, name, what="Word document", hint="open it in Word and save it again as .docx",
                         unreadable="this Word document is damaged or incomplete") as archive:
                archive.check_all()
            from qualcode.safeio.files import check_size

            parsed = read_docx_document(data, name)
            check_size(parsed.text, name, what="document's text")
            return parsed
        if _is_odt(data):
            return _read_odt(data, name)
        raise InputError("this is a zip archive, not a Word or OpenDocument text", path=name,
                         hint=f"{_HINT}; save Excel or PowerPoint files as PDF first")
    from qualcode.importers.detect import sniff_binary

    sniff_binary(data, name)  # a picture, audio, an old .doc ... gets its own message
    from qualcode.importers.decoding import decode_text
    from qualcode.safeio.files import check_lines, check_size

    check_size(data, name, what="document")
    text, _encoding = decode_text(data, name)
    if not text.strip():
        raise InputError("the file is empty", path=name)
    check_lines(text, name, what="document")
    if _is_html(data[:4096]) or suffix in (".html", ".htm", ".xhtml"):
        from qualcode.importers.doc_readers import read_html_document

        return read_html_document(text, name)
    from qualcode.importers.decoding import unescape_references

    # a web page saved as Markdown or text keeps the page's character references ("we&#39;re", "&amp;")
    text = unescape_references(text)
    if suffix in (".md", ".markdown") or text.lstrip().startswith(("# ", "---\n")):
        from qualcode.importers.doc_readers import read_markdown_document

        return read_markdown_document(text, name)
    from qualcode.importers.doc_readers import read_text_document

    return read_text_document(text, name)


def _is_odt(data: bytes) -> bool:
    """Whether a zip archive is an OpenDocument text (.odt): its mimetype entry says so, or it holds content.xml
    without being another OpenDocument kind."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.open("mimetype").read(80).decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError):
        return False
    if mimetype:
        return mimetype.strip() in ("application/vnd.oasis.opendocument.text",
                                    "application/vnd.oasis.opendocument.text-master")
    return "content.xml" in names and "META-INF/manifest.xml" in names


def _read_odt(data: bytes, name: str) -> ParsedTranscript:
    from qualcode.importers.doc_readers import read_odt_document
    from qualcode.safeio.archive import Archive
    from qualcode.safeio.files import check_size

    with Archive(data, name, what="OpenDocument text", hint="open it and save it again as .odt, or as .docx",
                 unreadable="this OpenDocument text is damaged or incomplete") as archive:
        archive.check_all()
        content = archive.find("content.xml")
        if content is None:
            raise InputError("this OpenDocument text has no content.xml", path=name,
                             hint="open it and save it again as .odt, or as .docx")
        meta, styles = archive.find("meta.xml"), archive.find("styles.xml")
        parsed = read_odt_document(archive.read(content), archive.read(meta) if meta else None, name,
                                   archive.read(styles) if styles else None)
    check_size(parsed.text, name, what="document's text")
    return parsed


def _is_word(data: bytes) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
