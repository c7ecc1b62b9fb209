"""Word, HTML, Markdown and plain-text documents as :class:`DocBlock` s: headings (with levels) name the sections,
paragraphs and list items are text, tables are read row by row. Headers and footers of Word files live outside the
body and are never read; HTML navigation, scripts and styles are left out.
"""

from __future__ import annotations

import io
import re
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

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_HINT = "open it in Word and save it again as .docx, or save it as PDF"


def _finish(blocks: list[DocBlock], fmt: str, name: str, metadata: dict[str, Any],
            warnings: list[str] | None = None) -> ParsedTranscript:
    warnings = list(warnings or [])
    title = usable_title(metadata.get("title"))
    if title is None:
        first = next((b.text for b in blocks if b.kind == HEADING), None)
        title = first if first and len(first) <= 200 else None
    if title is None:
        title = title_from_file(name)
        warnings.append(f"no title in the file: called '{title}' after the file name (a documents sheet can set it)")
    metadata["title"] = title
    return assemble_document(blocks, fmt=fmt, name=name, metadata=metadata, warnings=warnings)


# ---------------------------------------------------------------------------------------------- Word


def read_docx_document(data: bytes, name: str) -> ParsedTranscript:
    """A Word document: heading styles (and outline levels) give the heading path, tables are read row by row.

    The text is the document as it reads with its tracked changes accepted (insertions kept, deletions left out);
    a text box is read after the paragraph it is anchored in, a footnote after the paragraph that cites it and the
    endnotes at the end; the report counts each of these."""
    try:
        import docx  # python-docx is slow to import; only Word files need it
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise InputError("reading .docx needs the python-docx package", path=name) from None
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception:
        raise InputError("this Word document is damaged or incomplete", path=name, hint=_DOCX_HINT) from None
    metadata: dict[str, Any] = {}
    try:
        props = document.core_properties
        for key, value in (("title", props.title), ("author", props.author), ("subject", props.subject),
                           ("keywords", props.keywords), ("category", props.category),
                           ("created", props.created), ("modified", props.modified)):
            if value:
                metadata[key] = value.date().isoformat() if hasattr(value, "date") else clean_text(str(value))
        if metadata.get("created"):
            metadata["date"] = metadata["created"]
    except Exception:  # damaged core properties: the text is still worth reading
        pass
    reader = _WordBody(document, Paragraph)
    try:
        reader.notes = {kind: _word_notes(document, kind) for kind in ("footnote", "endnote")}
        reader.read(body)
        reader.endnotes()
    except InputError:
        raise
    except Exception:
        raise InputError("this Word document is damaged or incomplete", path=name, hint=_DOCX_HINT) from None
    if reader.title_text:
        metadata.setdefault("title", reader.title_text)
    return _finish(reader.blocks, "docx", name, metadata, reader.said())


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# what is not the text as it reads with the changes accepted: deleted and moved-away text, a drawing's fallback
# copy (the same text box again, for older Word), text boxes (read after their paragraph), notes (read apart)
_NOT_TEXT = {_W + "del", _W + "moveFrom", _MC + "Fallback", _W + "txbxContent", _W + "pPr", _W + "rPr",
             _W + "footnote", _W + "endnote"}
_NOTE_REFERENCE = {_W + "footnoteReference": "footnote", _W + "endnoteReference": "endnote"}


def word_text(element: Any, boxes: list[Any] | None = None, refs: list[tuple[str, str]] | None = None,
               changes: list[int] | None = None) -> str:
    """The text of a Word paragraph as it reads with its tracked changes accepted: runs inside insertions, smart
    tags, content controls, fields and hyperlinks included, deleted text left out. Text boxes anchored in it are
    added to ``boxes``, the notes it cites to ``refs`` and its tracked changes counted in ``changes``."""
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in node.iterchildren():
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == _W + "txbxContent":
                if boxes is not None:
                    boxes.append(child)
                continue
            if tag in (_W + "del", _W + "moveFrom", _W + "ins", _W + "moveTo") and changes is not None:
                changes[0] += 1
            if tag in _NOT_TEXT:
                continue
            if tag == _W + "t":
                out.append(child.text or "")
            elif tag in (_W + "tab", _W + "ptab"):
                out.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                out.append("\n")
            elif tag == _W + "noBreakHyphen":
                out.append("-")
            elif tag in _NOTE_REFERENCE:
                if refs is not None:
                    refs.append((_NOTE_REFERENCE[tag], child.get(_W + "id") or ""))
            else:
                walk(child)

    walk(element)
    return "".join(out)


def tracked_changes(body: Any) -> int:
    """How many tracked changes (insertions, deletions, moves) a Word body holds."""
    return sum(1 for _ in body.iter(_W + "ins", _W + "del", _W + "moveFrom", _W + "moveTo"))


TRACKED_NOTE = ("{n} tracked change(s) read as accepted: inserted text kept, deleted text left out (the document as it"
                " reads with all changes accepted; accept or reject them in Word first to code another version)")


def _word_notes(document: Any, kind: str) -> dict[str, list[str]]:
    """The footnotes (or endnotes) of a Word document by id: the text of each of their paragraphs."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.parser import parse_xml

    reltype = RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES
    notes: dict[str, list[str]] = {}
    for rel in document.part.rels.values():
        if rel.reltype != reltype or rel.is_external:
            continue
        root = parse_xml(rel.target_part.blob)
        for note in root.iterchildren(_W + kind):
            if note.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            texts = [clean_text(word_text(p)) for p in note.iter(_W + "p")]
            notes[note.get(_W + "id") or ""] = [t for t in texts if t]
    return notes


class _WordNumbering:
    """The numbers Word draws before numbered paragraphs and headings ("1.", "2.1", "a)", "IV."): not in the text of
    the file, they are computed as Word does, from the numbering definitions and the paragraphs before, so that a
    report's numbered paragraphs ("para. 23") and sections keep their numbers. Bullets are not text."""

    def __init__(self, document: Any) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.parser import parse_xml

        self.abstract_of: dict[str, str] = {}
        self.starts: dict[tuple[str, int], int] = {}  # a num's own start for a level (lvlOverride)
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstract -> level -> (start, format, text)
        self.counters: dict[str, list[int]] = {}
        self.begun: set[tuple[str, int]] = set()
        self.style_num: dict[str, tuple[str, int] | None] = {}
        root = None
        for rel in document.part.rels.values():
            if rel.reltype == RT.NUMBERING and not rel.is_external:
                root = parse_xml(rel.target_part.blob)
        if root is None:
            return
        for ab in root.iterchildren(_W + "abstractNum"):
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in ab.iterchildren(_W + "lvl"):
                levels[_int(lvl.get(_W + "ilvl"), 0)] = (
                    _int(_val(lvl, "start"), 1), _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "")
            self.levels[ab.get(_W + "abstractNumId") or ""] = levels
        for num in root.iterchildren(_W + "num"):
            num_id = num.get(_W + "numId") or ""
            self.abstract_of[num_id] = _val(num, "abstractNumId") or ""
            for override in num.iterchildren(_W + "lvlOverride"):
                start = _val(override, "startOverride")
                if start is not None:
                    self.starts[(num_id, _int(override.get(_W + "ilvl"), 0))] = _int(start, 1)

    def label(self, element: Any, paragraph: Any) -> str:
        """The number Word shows before this paragraph, or "" (none, or a bullet)."""
        if not self.levels:
            return ""
        found = self._num_pr(element.find(f"{_W}pPr/{_W}numPr")) or self._style_num(paragraph)
        if found is None:
            return ""
        num_id, level = found
        abstract = self.abstract_of.get(num_id)
        levels = self.levels.get(abstract or "")
        if abstract is None or not levels or level not in levels:
            return ""
        counters = self.counters.setdefault(abstract, [0] * 9)
        if (num_id, level) in self.starts and (num_id, level) not in self.begun:
            counters[level] = self.starts[(num_id, level)] - 1  # a list restarted at a number of its own
            self.begun.add((num_id, level))
        elif counters[level] == 0:
            counters[level] = levels[level][0] - 1
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        start, fmt, text = levels[level]
        if fmt in ("bullet", "none") or not text:
            return ""

        def shown(match: re.Match[str]) -> str:
            n = int(match.group(1)) - 1
            value = counters[n] if counters[n] else levels.get(n, (1, "", ""))[0]
            return _number_as(value, levels.get(n, (1, "decimal", ""))[1])

        return clean_text(re.sub(r"%([1-9])", shown, text))

    @staticmethod
    def _num_pr(num_pr: Any) -> tuple[str, int] | None:
        if num_pr is None:
            return None
        num_id = _val(num_pr, "numId")
        if not num_id or num_id == "0":
            return None
        return num_id, max(0, min(8, _int(_val(num_pr, "ilvl"), 0)))

    def _style_num(self, paragraph: Any) -> tuple[str, int] | None:
        """Numbering a paragraph's style gives it (headings numbered through their style), following based-on."""
        try:
            style = paragraph.style
        except Exception:
            return None
        key = getattr(style, "style_id", None) or ""
        if key in self.style_num:
            return self.style_num[key]
        found, depth = None, 0
        while style is not None and depth < 8 and found is None:
            found = self._num_pr(style.element.find(f"{_W}pPr/{_W}numPr"))
            style = style.base_style
            depth += 1
        self.style_num[key] = found
        return found


def _val(el: Any, child: str) -> str | None:
    """The w:val of ``el``'s child ``child``, or None."""
    if el is None:
        return None
    found = el.find(_W + child)
    return found.get(_W + "val") if found is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


#: the one-character number types of an HTML ordered list and an OpenDocument numbering style, as Word names them
_NUMBER_TYPES = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}


def _number_as(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        while n > 0:
            n, r = divmod(n - 1, 26)
            letters = chr(ord("a") + r) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:  # beyond, roman numerals are no number people write
        out, value = "", n
        for arabic, roman in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                              (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            while value >= arabic:
                out += roman
                value -= arabic
        return out.upper() if fmt == "upperRoman" else out
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


# the styles of a table of contents' entries and title ("toc 1", "TOC Heading", "Table of Figures")
_WORD_CONTENTS = re.compile(r"^(toc \d|toc heading|table of figures|table of authorities)")


def _in_contents_control(element: Any) -> bool:
    """Whether a paragraph lies in a content control that Word made for the table of contents."""
    parent = element.getparent()
    while parent is not None and parent.tag in (_W + "sdtContent", _W + "sdt"):
        if parent.tag == _W + "sdt":
            gallery = parent.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
            if gallery is not None and "contents" in (gallery.get(_W + "val") or "").lower():
                return True
        parent = parent.getparent()
    return False


class _WordBody:
    """Blocks of a Word body in reading order, with what was read besides the paragraphs counted for the report."""

    def __init__(self, document: Any, paragraph_class: Any) -> None:
        self.document = document
        self.paragraph_class = paragraph_class
        self.numbering = _WordNumbering(document)
        self.numbered = 0
        self.in_contents = False  # inside a content control holding the table of contents
        self.blocks: list[DocBlock] = []
        self.notes: dict[str, dict[str, list[str]]] = {}
        self.cited: dict[str, list[str]] = {"footnote": [], "endnote": []}
        self.changes = [0]
        self.boxes = 0
        self.deleted_rows = 0
        self.title_text = ""

    def read(self, parent: Any) -> None:
        for element in _body_elements(parent):
            self.in_contents = _in_contents_control(element)
            if element.tag == _W + "p":
                self.paragraph(element)
            elif element.tag == _W + "tbl":
                self.table(element)

    def paragraph(self, element: Any) -> None:
        boxes: list[Any] = []
        refs: list[tuple[str, str]] = []
        text = clean_text(word_text(element, boxes, refs, self.changes))
        paragraph = self.paragraph_class(element, self.document)
        number = self.numbering.label(element, paragraph)  # an empty numbered paragraph takes its number too
        if text:
            if number:
                text = f"{number} {text}"
                self.numbered += 1
            level = _heading_level(paragraph)
            if _WORD_CONTENTS.match(_style(paragraph)) or self.in_contents:
                self.blocks.append(DocBlock(text, TITLE))  # the table of contents is text, not passages to code
                return
            if level == 0 and not self.blocks and _style(paragraph).startswith("title"):
                self.title_text = text
            if level:
                self.blocks.append(DocBlock(text, HEADING, level))
            else:
                self.blocks.append(DocBlock(text, ITEM if _is_list(paragraph) else PARAGRAPH))
        for box in boxes:
            self.boxes += 1
            self.read(box)
        self.footnotes(refs)

    def footnotes(self, refs: list[tuple[str, str]]) -> None:
        for kind, ident in refs:
            self.cited[kind].append(ident)
            if kind == "footnote":
                self.blocks.extend(DocBlock(t, PARAGRAPH) for t in self.notes.get(kind, {}).get(ident, []))

    def endnotes(self) -> None:
        for ident in self.cited["endnote"]:
            self.blocks.extend(DocBlock(t, PARAGRAPH) for t in self.notes.get("endnote", {}).get(ident, []))

    def table(self, element: Any) -> None:
        refs: list[tuple[str, str]] = []
        for row in element.iterchildren(_W + "tr"):
            if row.find(f"{_W}trPr/{_W}del") is not None:
                self.deleted_rows += 1  # a row deleted with changes tracked
                continue
            cells: list[str] = []
            for cell in _row_cells(row):
                texts: list[str] = []
                inner: list[str] = []
                for child in _body_elements(cell):
                    if child.tag == _W + "p":
                        boxes: list[Any] = []
                        texts.append(clean_text(word_text(child, boxes, refs, self.changes)))
                        for box in boxes:
                            texts.extend(clean_text(word_text(p)) for p in box.iter(_W + "p"))
                    else:  # a table inside a cell: each of its rows a cell after the cell's own text
                        inner.extend(" ".join(c for c in r if c) for r in _nested_rows(child))
                cells.append(clean_text(" ".join(t for t in texts if t)))
                cells.extend(inner)
            text = clean_text(" | ".join(c for c in cells if c))
            if text:
                self.blocks.append(DocBlock(text, ROW))
        self.footnotes(refs)

    def said(self) -> list[str]:
        out: list[str] = []
        changes = self.changes[0] + self.deleted_rows
        if changes:
            out.append(TRACKED_NOTE.format(n=changes))
        if self.numbered:
            out.append(f"{self.numbered} numbered paragraph(s) and heading(s) given the number Word shows before them"
                       " (\"1.\", \"2.1\", \"a)\"), which is not in the file's text")
        if self.boxes:
            out.append(f"{self.boxes} text box(es) read after the paragraph each is anchored in")
        footnotes, endnotes = len(self.cited["footnote"]), len(self.cited["endnote"])
        if footnotes:
            out.append(f"{footnotes} footnote(s) read after the paragraph or table that cites each")
        if endnotes:
            out.append(f"{endnotes} endnote(s) read at the end of the document")
        return out


def _row_cells(row: Any) -> list[Any]:
    """The cells of a table row (inside content controls too); a cell merged with the one above it is read there."""
    cells: list[Any] = []
    for child in row.iterchildren():
        if child.tag == _W + "tc":
            merge = child.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(_W + "val", "continue") == "continue":
                continue
            cells.append(child)
        elif child.tag in (_W + "sdt", _W + "customXml"):
            for content in child.iter(_W + "tc"):
                cells.append(content)
    return cells


def _nested_rows(table: Any) -> list[list[str]]:
    return [[clean_text(" ".join(word_text(p) for p in cell.iter(_W + "p"))) for cell in _row_cells(row)]
            for row in table.iterchildren(_W + "tr")]


def _body_elements(parent: Any) -> Any:
    for child in parent.iterchildren():
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag in (_W + "sdt", _W + "customXml", _W + "ins", _W + "moveTo", _W + "smartTag"):
            for content in child.iterchildren():
                yield from _body_elements(content) if content.tag != _W + "p" else iter([content])


def _style(paragraph: Any) -> str:
    try:
        style = paragraph.style
        return (style.name or "").lower() if style is not None else ""
    except Exception:  # a style id that points nowhere
        return ""


def _heading_level(paragraph: Any) -> int:
    """1-6 for a heading (by style, style inheritance or outline level), 0 for body text."""
    try:
        style = paragraph.style
        depth = 0
        while style is not None and depth < 6:
            name = (style.name or "").lower()
            m = re.match(r"heading\s*(\d)", name)
            if m:
                return max(1, min(6, int(m.group(1))))
            if name == "title":
                return 1
            style = style.base_style
            depth += 1
    except Exception:
        pass
    outline = paragraph._p.find(f"{_W}pPr/{_W}outlineLvl")
    if outline is not None:
        try:
            value = int(outline.get(f"{_W}val", "9"))
        except ValueError:
            value = 9
        if value < 9:
            return min(6, value + 1)
    return 0


def _is_list(paragraph: Any) -> bool:
    return paragraph._p.find(f"{_W}pPr/{_W}numPr") is not None or "list" in _style(paragraph)


# ---------------------------------------------------------------------------------------------- OpenDocument

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_ODF_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_T, _TB, _OF, _DR = (f"{{{ns}}}" for ns in (_ODF_TEXT, _ODF_TABLE, _ODF_OFFICE, _ODF_DRAW))
# what is not running text of a paragraph: notes (read after it), frames (text boxes, read after it), comments,
# the deleted text that tracked changes keep, a ruby's annotation
_ODF_APART = {_T + "note", _DR + "frame", _OF + "annotation", _OF + "annotation-end", _T + "tracked-changes",
              _T + "ruby-text", _DR + "custom-shape"}


def read_odt_document(content: bytes, meta: bytes | None, name: str, styles: bytes | None = None) -> ParsedTranscript:
    """An OpenDocument text (.odt, LibreOffice or Google Docs): headings by outline level, paragraphs, lists, tables
    row by row; text boxes after their paragraph, footnotes and endnotes after the paragraph citing them; the
    deleted text that tracked changes keep left out; the table of contents is text but not units."""
    from qualcode.safeio.xml import parse_xml

    hint = "open it and save it again as .odt, or save it as .docx or PDF"
    root = parse_xml(content, f"{name}:content.xml", hint=hint, remove_blank_text=False)
    metadata: dict[str, Any] = {}
    if meta:
        meta_root = parse_xml(meta, f"{name}:meta.xml", hint=hint)
        for el in meta_root.iter():
            if not isinstance(el.tag, str):
                continue
            key = {"title": "title", "creator": "author", "initial-creator": "author", "subject": "subject",
                   "keyword": "keywords", "creation-date": "created"}.get(el.tag.rpartition("}")[2])
            value = clean_text(el.text or "")
            if key and value:
                metadata.setdefault(key, value[:10] if key == "created" else value)
        if metadata.get("created"):
            metadata["date"] = metadata["created"]
    body = root.find(f"{_OF}body/{_OF}text")
    reader = _OdfBody()
    reader.list_styles = _odf_list_styles(root)
    if styles:
        styles_root = parse_xml(styles, f"{name}:styles.xml", hint=hint)
        reader.outline = _odf_outline(styles_root)
        reader.list_styles = {**_odf_list_styles(styles_root), **reader.list_styles}
    if body is not None:
        reader.read(body)
    return _finish(reader.blocks, "odt", name, metadata, reader.said())


#: the levels an OpenDocument outline or list style numbers
_ODF_LEVELS = 10


def _odf_outline(styles: Any) -> dict[int, tuple[str, str, str, int, int, str]]:
    """The numbering of headings by outline level (its format, prefix, suffix, levels shown, start and LibreOffice's
    full pattern "%1%.%2%."), from styles.xml; a level without a number format is not numbered."""
    outline = next(styles.iter(_T + "outline-style"), None)
    return _odf_levels(outline.iterchildren(_T + "outline-level-style") if outline is not None else [])


def _odf_levels(levels: Any) -> dict[int, tuple[str, str, str, int, int, str]]:
    """Per level of an outline or a list style: its number format, prefix, suffix, levels shown, start and pattern;
    a level without a number format (bullets, none) is left out."""
    out: dict[int, tuple[str, str, str, int, int, str]] = {}
    for level in levels:
        fmt = level.get(f"{{{_ODF_STYLE}}}num-format") or ""
        if fmt not in _NUMBER_TYPES:
            continue
        pattern = next((v for k, v in level.attrib.items() if k.endswith("}num-list-format")), "")
        out[_int(level.get(_T + "level"), 1)] = (
            _NUMBER_TYPES[fmt], level.get(f"{{{_ODF_STYLE}}}num-prefix") or "",
            level.get(f"{{{_ODF_STYLE}}}num-suffix") or "", _int(level.get(_T + "display-levels"), 1),
            _int(level.get(_T + "start-value"), 1), pattern)
    return out


def _odf_list_styles(root: Any) -> dict[str, dict[int, tuple[str, str, str, int, int, str]]]:
    """Numbered list styles by name: for each level its format, prefix, suffix, levels shown, start and pattern (as
    the outline's); bullet levels are left out."""
    out: dict[str, dict[int, tuple[str, str, str, int, int, str]]] = {}
    for style in root.iter(_T + "list-style"):
        out[style.get(f"{{{_ODF_STYLE}}}name") or ""] = _odf_levels(style.iterchildren(_T + "list-level-style-number"))
    return out


class _OdfBody:
    def __init__(self) -> None:
        self.blocks: list[DocBlock] = []
        self.notes = 0
        self.boxes = 0
        self.changes = 0
        self.outline: dict[int, tuple[str, str, str, int, int, str]] = {}
        self.counters = [0] * 11
        self.numbered = 0
        self.list_styles: dict[str, dict[int, tuple[str, str, str, int, int, str]]] = {}
        self.list_counters: dict[str, list[int]] = {}

    def heading_number(self, el: Any, level: int) -> str:
        """The number LibreOffice shows before a heading by its outline numbering ("1.2."), or ""."""
        if el.get(_T + "is-list-header") == "true" or level not in self.outline:
            return ""
        fmt, prefix, suffix, shown, start, pattern = self.outline[level]
        self.counters[level] = self.counters[level] + 1 if self.counters[level] else start
        for deeper in range(level + 1, len(self.counters)):
            self.counters[deeper] = 0

        def value(n: int) -> str:
            if not 1 <= n <= _ODF_LEVELS:
                return ""  # a level the outline does not have (a damaged or crafted format)
            own = self.outline.get(n)
            count = self.counters[n] or (own[4] if own else 1)
            return _number_as(count, own[0] if own else "decimal")

        if pattern:
            return clean_text(re.sub(r"%(\d{1,2})%", lambda m: value(int(m.group(1))), pattern))
        first = max(1, level - shown + 1)
        return clean_text(prefix + ".".join(value(n) for n in range(first, level + 1)) + suffix)

    def read(self, parent: Any, kind: str = PARAGRAPH) -> None:
        for el in parent.iterchildren():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag == _T + "h":
                level = max(1, min(10, _int(el.get(_T + "outline-level"), 1)))
                self.paragraph(el, HEADING, min(6, level), self.heading_number(el, level))
            elif tag == _T + "p":
                self.paragraph(el, kind)
            elif tag == _T + "list":
                self.odf_list(el, None, 1)
            elif tag == _TB + "table":
                self.table(el)
            elif tag == _T + "tracked-changes":
                self.changes += sum(1 for _ in el.iterchildren(_T + "changed-region"))
            elif tag in (_T + "table-of-content", _T + "illustration-index", _T + "alphabetical-index",
                         _T + "bibliography", _T + "table-index", _T + "object-index", _T + "user-index"):
                for p in el.iter(_T + "p", _T + "h"):  # an index is text, not passages to code
                    text = clean_text(_odf_text(p, [], []))
                    if text:
                        self.blocks.append(DocBlock(text, TITLE))
            elif tag in (_T + "section", _T + "index-body", _T + "soft-page-break", _TB + "table-rows",
                         _TB + "table-header-rows", _T + "change-start") or tag.endswith("}sequence-decls"):
                self.read(el, kind)

    def odf_list(self, el: Any, style: str | None, depth: int) -> None:
        """A list's items (and the lists inside them), each numbered as its list style numbers it."""
        style = el.get(_T + "style-name") or style or ""
        counters = self.list_counters.setdefault(style, [0] * 11)
        if depth == 1 and el.get(_T + "continue-numbering") != "true" and not el.get(_T + "continue-list"):
            counters[:] = [0] * 11  # a new list starts again from its first number
        levels = self.list_styles.get(style, {})
        level = min(depth, _ODF_LEVELS)  # a list nested deeper than the ten levels a style numbers: its last level
        for item in el.iterchildren(_T + "list-item", _T + "list-header"):
            number = ""
            own = levels.get(level)
            if own is not None and item.tag == _T + "list-item":
                override = item.get(_T + "start-value")
                counters[level] = _int(override, 1) if override else (counters[level] + 1 if counters[level]
                                                                       else own[4])
                for deeper in range(level + 1, len(counters)):
                    counters[deeper] = 0
                number = self.list_number(levels, counters, level)
            first = True
            for child in item.iterchildren():
                if child.tag == _T + "list":
                    self.odf_list(child, style, depth + 1)
                elif child.tag in (_T + "p", _T + "h") and first:
                    self.paragraph(child, ITEM, 0, number)
                    first = False
                elif child.tag in (_T + "p", _T + "h"):
                    self.paragraph(child, ITEM)
                else:
                    self.read_one(child)

    @staticmethod
    def list_number(levels: dict[int, tuple[str, str, str, int, int, str]], counters: list[int], depth: int) -> str:
        fmt, prefix, suffix, shown, start, pattern = levels[depth]

        def value(n: int) -> str:
            if not 1 <= n <= _ODF_LEVELS:
                return ""  # a level the list style does not have (a damaged or crafted format)
            own = levels.get(n)
            return _number_as(counters[n] or (own[4] if own else 1), own[0] if own else "decimal")

        if pattern:
            return clean_text(re.sub(r"%(\d{1,2})%", lambda m: value(int(m.group(1))), pattern))
        first = max(1, depth - shown + 1)
        return clean_text(prefix + ".".join(value(n) for n in range(first, depth + 1)) + suffix)

    def read_one(self, el: Any) -> None:
        """One element of a list item that is neither its paragraph nor a list (a table)."""
        wrapper = el.makeelement(_OF + "text", {})
        wrapper.append(el.__copy__())
        self.read(wrapper, ITEM)

    def paragraph(self, el: Any, kind: str, level: int = 0, number: str = "") -> None:
        notes: list[Any] = []
        frames: list[Any] = []
        text = clean_text(_odf_text(el, notes, frames))
        if text:
            if number:
                text = f"{number} {text}"
                self.numbered += 1
            self.blocks.append(DocBlock(text, kind, level))
        self.apart(notes, frames)

    def apart(self, notes: list[Any], frames: list[Any]) -> None:
        for frame in frames:
            box = frame.find(_DR + "text-box")
            if box is not None:
                self.boxes += 1
                self.read(box)
        for note in notes:
            body = note.find(_T + "note-body")
            if body is not None:
                self.notes += 1
                self.read(body)

    def table(self, el: Any) -> None:
        notes: list[Any] = []
        frames: list[Any] = []
        for row in el.iter(_TB + "table-row"):
            if row.getparent() is not el and row.getparent().getparent() is not el:
                continue  # a table inside a cell: read with its cell
            cells = []
            for cell in row.iterchildren(_TB + "table-cell"):
                texts = [clean_text(_odf_text(p, notes, frames)) for p in cell.iter(_T + "p", _T + "h")]
                cells.append(clean_text(" ".join(t for t in texts if t)))
            text = clean_text(" | ".join(c for c in cells if c))
            if text:
                self.blocks.append(DocBlock(text, ROW))
        self.apart(notes, frames)

    def said(self) -> list[str]:
        out = []
        if self.numbered:
            out.append(f"{self.numbered} numbered heading(s) and list item(s) given the number shown before them"
                       " (\"1.\", \"2.1\"), which is not in the file's text")
        if self.changes:
            out.append(f"{self.changes} tracked change(s) read as accepted: inserted text kept, deleted text left out"
                       " (the document as it reads with all changes accepted; accept or reject them first to code"
                       " another version)")
        if self.boxes:
            out.append(f"{self.boxes} text box(es) read after the paragraph each is anchored in")
        if self.notes:
            out.append(f"{self.notes} footnote(s) or endnote(s) read after the paragraph or table that cites each")
        return out


def _odf_text(el: Any, notes: list[Any], frames: list[Any]) -> str:
    """A paragraph's running text: spans, links and fields included; spaces (text:s), tabs and line breaks as
    spaces; notes and frames set aside in ``notes`` and ``frames``, comments and deleted text left out."""
    out = [el.text or ""]
    for child in el.iterchildren():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == _T + "note":
            notes.append(child)
        elif tag == _DR + "frame":
            frames.append(child)
        elif tag in _ODF_APART:
            pass
        elif tag == _T + "s":
            count = child.get(_T + "c") or "1"
            out.append(" " * min(int(count) if count.isdigit() else 1, 100))
        elif tag in (_T + "tab", _T + "line-break"):
            out.append(" ")
        elif tag == _DR + "a":  # a link around a frame
            for inner in child.iterchildren(_DR + "frame"):
                frames.append(inner)
        else:
            out.append(_odf_text(child, notes, frames))
        out.append(child.tail or "")
    return "".join(out)


# ---------------------------------------------------------------------------------------------- HTML

# a <form> is walked: ASP.NET pages hold their whole body in one (a search form is role="search", left out)
_SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg", "button", "select",
         "textarea", "iframe", "object", "head"}
_BLOCK = {"p", "li", "dd", "dt", "blockquote", "pre", "figcaption", "caption", "address", "summary", "td", "th"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def read_html_document(text: str, name: str) -> ParsedTranscript:
    """An HTML page or report: headings, paragraphs, list items and table rows in document order."""
    blocks, metadata, said = html_blocks(text, name)
    return html_document(blocks, metadata, name, said)


def html_document(blocks: list[DocBlock], metadata: dict[str, Any], name: str,
                  said: list[str] | None = None) -> ParsedTranscript:
    """The document of an HTML page's blocks and metadata, as :func:`html_blocks` read them (``said``: what the
    reading of the page tells the report)."""
    return _finish(blocks, "html", name, metadata, said)


def html_blocks(text: str, name: str) -> tuple[list[DocBlock], dict[str, Any], list[str]]:
    """An HTML page's headings, paragraphs, list items and table rows in document order, its title, author and
    date, and what the report is to say of the text the page hides; the page is parsed once, whether it is then read
    as a document or as a transcript.

    What a page hides (``hidden``, ``aria-hidden="true"``, ``display: none``) is left out and counted, except where it
    is the page's text all the same: a tab panel (inactive tabs are hidden), a collapsed section (``hidden=
    "until-found"``, or a panel of paragraphs that a button expands), a part holding the page's ``<main>`` or
    ``<article>`` (a dialog open when the page was saved hides the rest of the page), and, when the hidden parts hold
    more words than the rest, every hidden part (dialogs and other landmarks by role stay out)."""
    from qualcode.safeio.xml import parse_html

    root = parse_html(text, name)
    metadata: dict[str, Any] = {}
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        metadata["title"] = clean_text(title.text_content())
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        value = clean_text(meta.get("content") or "")
        if not value:
            continue
        if key in ("author", "dc.creator", "dcterms.creator"):
            metadata.setdefault("author", value)
        elif key in ("date", "dc.date", "dcterms.date", "article:published_time", "citation_publication_date"):
            metadata.setdefault("date", value[:10])
        elif key in ("og:title", "dc.title", "citation_title") and "title" not in metadata:
            metadata["title"] = value
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")  # a line break inside a paragraph separates words
    body = root.find("body")
    top = body if body is not None else root
    # the panels a button expands (aria-expanded beside aria-controls): an accordion's collapsed sections, a menu
    disclosed = {ident for el in root.iter() if isinstance(el.tag, str) and el.get("aria-expanded") is not None
                 for ident in (el.get("aria-controls") or "").split()}
    walk = _HtmlWalk(read_hidden=False, disclosed=disclosed)
    walk.walk(top)
    kept = sum(_words(b.text) for b in walk.blocks)
    if walk.hidden_words > kept:
        walk = _HtmlWalk(read_hidden=True, disclosed=disclosed)
        walk.walk(top)
    return walk.blocks, metadata, walk.said()


def html_paragraphs(text: str, name: str) -> list[str]:
    """An HTML page's headings, paragraphs, list items and table rows as plain text, in document order (a page that
    may be a transcript, read as text is)."""
    return [b.text for b in html_blocks(text, name)[0]]


def _words(text: str) -> int:
    return len(_WORD.findall(text))


_WORD = re.compile(r"\w+")


_BLOCKISH = _BLOCK | set(_HEADINGS) | {"div", "section", "article", "main", "form", "ul", "ol", "dl", "table", "tbody",
                                         "thead", "tfoot", "tr", "figure", "details", "center", "hr", "body", "dir",
                                         "menu"}


class _HtmlWalk:
    """Blocks of a page in document order; loose text between an element's block children is a paragraph of its own.
    What the page hides is left out and counted (``hidden_words``, ``hidden_parts``), or read and counted
    (``read_words``, ``read_parts``) where it is text (see :func:`html_blocks`); ``read_hidden`` reads all of it."""

    def __init__(self, read_hidden: bool, disclosed: set[str]) -> None:
        self.read_hidden = read_hidden
        self.disclosed = disclosed
        self.item_number = ""  # the number of the ordered list item whose first block is to come
        self.numbered = 0
        self.blocks: list[DocBlock] = []
        self.hidden_words = self.hidden_parts = self.read_words = self.read_parts = 0

    def said(self) -> list[str]:
        out = []
        if self.numbered:
            out.append(f"{self.numbered} numbered list item(s) given the number shown before them")
        if self.read_parts:
            out.append(f"{self.read_words} word(s) in {self.read_parts} part(s) that the page hides (hidden, "
                       "aria-hidden or display: none: inactive tabs, collapsed sections, or the page behind a dialog "
                       "open when it was saved) were read as its text")
        if self.hidden_words:
            out.append(f"{self.hidden_words} word(s) in {self.hidden_parts} part(s) that the page hides (hidden, "
                       "aria-hidden or display: none) were left out")
        return out

    def hidden_is_text(self, element: Any, tag: str) -> bool:
        """A hidden part that is the page's text: all of them when ``read_hidden``, else a tab panel, a collapsed
        section (hidden until found, or paragraphs a button expands) or a part holding the page's main content."""
        if self.read_hidden or (element.get("role") or "").lower() == "tabpanel" \
                or (element.get("hidden") or "").lower() == "until-found":
            return True
        if element.get("id") in self.disclosed and (tag == "p" or next(element.iter("p"), None) is not None):
            return True
        return any(isinstance(d.tag, str) and (d.tag.lower() in ("main", "article")
                                               or (d.get("role") or "").lower() == "main")
                   for d in element.iter())

    def walk(self, element: Any) -> None:
        blocks = self.blocks
        buffer: list[str] = [element.text or ""]

        def flush() -> None:
            text = clean_text(" ".join(buffer))
            buffer.clear()
            if text:
                blocks.append(DocBlock(self.numbered_item(text), PARAGRAPH))

        ordered = isinstance(element.tag, str) and element.tag.lower() == "ol"
        count = _int(element.get("start"), 1) - 1 if ordered else 0
        for child in element:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag in _SKIP or not tag or _page_furniture(child, tag):
                buffer.append(child.tail or "")
                continue
            if ordered and tag == "li":
                count = _int(child.get("value"), count + 1)
                self.item_number = f"{_number_as(count, _NUMBER_TYPES.get(element.get('type') or '1', 'decimal'))}."
            if _page_hides(child):
                words = _words(_visible_text(child))
                if not words or (tag not in _BLOCKISH and not _has_block(child)):
                    buffer.append(child.tail or "")  # an icon or words for screen readers inside a line
                    continue
                if not self.hidden_is_text(child, tag):
                    self.hidden_words += words
                    self.hidden_parts += 1
                    buffer.append(child.tail or "")
                    continue
                self.read_words += words
                self.read_parts += 1
            if tag not in _BLOCKISH and not _has_block(child):
                buffer.append(_visible_text(child))
                buffer.append(child.tail or "")
                continue
            flush()
            if tag in _HEADINGS:
                text = clean_text(_visible_text(child))
                if text:
                    blocks.append(DocBlock(text, HEADING, _HEADINGS[tag]))
            elif tag == "tr":
                cells = [clean_text(_visible_text(c)) for c in child
                         if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
                text = clean_text(" | ".join(c for c in cells if c))
                if text:
                    blocks.append(DocBlock(text, ROW))
            elif tag in _BLOCK and not _has_block(child):
                text = clean_text(_visible_text(child))
                if text:
                    blocks.append(DocBlock(self.numbered_item(text), ITEM if tag == "li" else PARAGRAPH))
            else:
                self.walk(child)
            buffer.append(child.tail or "")
        flush()
        if ordered:
            self.item_number = ""  # a last item left out (hidden, or no text) numbers nothing after the list

    def numbered_item(self, text: str) -> str:
        """The text of a block, after the number the browser draws before the ordered list item it starts, if any."""
        if not self.item_number:
            return text
        number, self.item_number = self.item_number, ""
        self.numbered += 1
        return f"{number} {text}"


_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar", "toolbar",
                    "dialog", "alertdialog"}
_SKIP_LINK = re.compile(r"^\s*(skip|jump|go|aller|ir|saltar|passer)\b.{0,30}\b(content|main|navigation|contenu"
                        r"|contenido|conteúdo|principal|menu)", re.IGNORECASE)


def _page_hides(element: Any) -> bool:
    """The page hides the element: hidden, aria-hidden or display: none."""
    return (element.get("hidden") is not None or (element.get("aria-hidden") or "").lower() == "true"
            or "display:none" in (element.get("style") or "").replace(" ", "").lower())


def _page_furniture(element: Any, tag: str) -> bool:
    """A saved web page's furniture that is not the document: landmarks for navigation, banners, search, footers and
    dialogs marked by their role, and "Skip to main content" links."""
    if (element.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    return tag == "a" and (element.get("href") or "").startswith("#") and \
        _SKIP_LINK.match(element.text_content() or "") is not None


def _visible_text(element: Any) -> str:
    """An element's text without what the page hides or sets apart (see :func:`_page_hides`,
    :func:`_page_furniture`) and without scripts and styles."""
    out = [element.text or ""]
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag and tag not in _SKIP and not _page_furniture(child, tag) and not _page_hides(child):
            out.append(_visible_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _has_block(element: Any) -> bool:
    for d in element.iterdescendants():
        tag = d.tag.lower() if isinstance(d.tag, str) else ""
        if tag in _BLOCKISH:
            return True
    return False


# ---------------------------------------------------------------------------------------------- Markdown, text

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_BULLET = re.compile(r"^\s*[-*+•]\s+")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_MD_LINK = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]{0,200}>")
_FRONT_KEY = re.compile(r"^([A-Za-z][\w \-]{0,40}):\s*(.*)$")


def _inline(text: str) -> str:
    text = _MD_LINK.sub(lambda m: m.group(1) or "", text)
    for _ in range(3):
        text = _MD_EMPHASIS.sub(r"\2", text)
    return clean_text(_HTML_TAG.sub("", text))


def read_markdown_document(text: str, name: str) -> ParsedTranscript:
    """Markdown: ATX and Setext headings, paragraphs, list items, pipe tables; front matter gives metadata."""
    lines = text.split("\n")
    metadata: dict[str, Any] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, min(len(lines), 60)):
            if lines[i].strip() in ("---", "..."):
                for line in lines[1:i]:
                    m = _FRONT_KEY.match(line.strip())
                    if m and m.group(2).strip():
                        metadata[m.group(1).strip().lower().replace(" ", "_")] = m.group(2).strip().strip("'\"")
                start = i + 1
                break
    blocks: list[DocBlock] = []
    para: list[str] = []
    kind = PARAGRAPH
    in_fence = False

    def flush() -> None:
        nonlocal para, kind
        if para:
            joined = _inline(" ".join(para))
            if joined:
                blocks.append(DocBlock(joined, kind))
        para, kind = [], PARAGRAPH

    for i in range(start, len(lines)):
        line = lines[i]
        if _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            para.append(line)
            continue
        stripped = line.strip()
        if not stripped or _RULE.match(line):
            flush()
            continue
        m = _ATX.match(line)
        if m:
            flush()
            heading = _inline(m.group(2))
            if heading:
                blocks.append(DocBlock(heading, HEADING, len(m.group(1))))
            continue
        if para and _SETEXT.match(line) and kind == PARAGRAPH and len(para) == 1:
            heading = _inline(para[0])
            para = []
            if heading:
                blocks.append(DocBlock(heading, HEADING, 1 if stripped.startswith("=") else 2))
            continue
        if stripped.startswith("|") or (stripped.count("|") >= 2 and i + 1 < len(lines)
                                        and _TABLE_SEP.match(lines[i + 1] or "")):
            flush()
            if _TABLE_SEP.match(line):
                continue
            cells = [_inline(c) for c in stripped.strip("|").split("|")]
            row = " | ".join(c for c in cells if c)
            if row:
                blocks.append(DocBlock(row, ROW))
            continue
        if _LIST.match(line):
            flush()
            kind = ITEM
            para = [_BULLET.sub("", line, count=1)]  # a bullet is layout; an item's number is the text's, "21."
            continue
        para.append(re.sub(r"^\s{0,3}>\s?", "", line))
    flush()
    return _finish(blocks, "markdown", name, metadata)


_CAPS_HEADING = re.compile(r"^[^a-z]*[A-Z][^a-z]*$")
_NUMBERED = re.compile(r"^(?:(?:chapter|section|part|annex)\s+)?(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+\S", re.IGNORECASE)


def read_text_document(text: str, name: str, *, title_line: bool = False) -> ParsedTranscript:
    """Plain text: paragraphs separated by blank lines; short numbered, capitalised or underlined lines are headings;
    form feeds (as PDF-to-text tools write them) are page breaks. With ``title_line`` a first paragraph of one short
    line without a sentence's end is the document's title (as qualcode writes a document it exports)."""
    blocks: list[DocBlock] = []
    if title_line:
        first, _, rest = text.lstrip("\n").partition("\n\n")
        words = first.split()
        if first and "\n" not in first.strip() and 0 < len(words) <= 20 and first.rstrip()[-1] not in ".,;:!?":
            blocks.append(DocBlock(clean_text(first), TITLE, 0))
            text = rest
    pages = text.split("\f")
    multi = len(pages) > 1
    for number, page in enumerate(pages, start=1):
        marks = [(0, number, str(number))] if multi else []
        chunks = re.split(r"\n\s*\n", page)
        for chunk in chunks:
            lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
            if not lines:
                continue
            if len(lines) == 2 and _SETEXT.match(lines[1]):
                blocks.append(DocBlock(clean_text(lines[0]), HEADING, 1 if lines[1].startswith("=") else 2,
                                       list(marks)))
                continue
            if len(lines) == 1 and _text_heading(lines[0]):
                m = _NUMBERED.match(lines[0])
                level = m.group(1).count(".") + 1 if m else 1
                blocks.append(DocBlock(clean_text(lines[0]), HEADING, level, list(marks)))
                continue
            items = [i for i, ln in enumerate(lines) if _LIST.match(ln)]
            if items and items[0] == 0:
                current: list[str] = []
                for ln in lines:
                    if _LIST.match(ln) and current:
                        blocks.append(DocBlock(clean_text(" ".join(current)), ITEM, 0, list(marks)))
                        current = []
                    # a bullet is layout; an item's number ("1.", "2)") is the document's text, as Word shows it
                    current.append(_BULLET.sub("", ln, count=1))
                if current:
                    blocks.append(DocBlock(clean_text(" ".join(current)), ITEM, 0, list(marks)))
                continue
            blocks.append(DocBlock(clean_text(" ".join(lines)), PARAGRAPH, 0, list(marks)))
    return _finish(blocks, "text", name, {"title": blocks[0].text} if blocks and blocks[0].kind == TITLE else {})


def _text_heading(line: str) -> bool:
    words = line.split()
    if not words or len(words) > 12 or line[-1] in ".,;:!?":
        return False
    return bool(_NUMBERED.match(line)) or (bool(_CAPS_HEADING.match(line)) and len(line) > 3)
