"""Desk-review documents in a project: the documents sheet (their attributes), and how a document passage is cited.

A documents sheet is a CSV or XLSX table with one row per document, read by the same rules as a case sheet
(header row, case-insensitive columns, spaces or underscores, a row per line, empty rows skipped):
``file`` (the document's file name) and/or ``document_id`` (or ``id``), ``title`` (how citations name it), and any
other column as an attribute: ``type`` (progress report, evaluation, study, minutes, ...), ``organisation``
(the author organisation), ``year``, ``date``, ``author``, ``language``, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import InputError

_ALIASES = {
    "document_id": "document_id",
    "document": "document_id",
    "doc_id": "document_id",
    "id": "document_id",
    "transcript_id": "document_id",
    "file": "file",
    "filename": "file",
    "file_name": "file",
    "title": "title",
    "citation": "title",
    "short_title": "title",
    "author_organisation": "organisation",
    "author_organization": "organisation",
    "organization": "organisation",
    "publisher": "organisation",
    "document_type": "type",
    "doc_type": "type",
    "kind": "type",
}


@dataclass
class DocumentRow:
    """One row of a documents sheet."""

    line: int
    document_id: str | None
    file: str | None
    title: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


def _norm_col(col: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", str(col).strip().lower()).strip("_")
    return _ALIASES.get(key, key)


class DocumentSheet(list[DocumentRow]):
    """The rows of a documents sheet, with what reading it changed (``warnings``: control characters removed)."""

    def __init__(self, rows: list[DocumentRow], warnings: list[str]) -> None:
        super().__init__(rows)
        self.warnings = warnings


def read_document_sheet(path: str | Path) -> DocumentSheet:
    """Read and check a documents sheet. Raises InputError (file and line) on anything unusable."""
    from qualcode.cases import read_table
    from qualcode.safeio.cleaning import describe

    p = Path(path)
    table, removed = read_table(p, what="documents sheet")
    if not table:
        raise InputError("the documents sheet is empty", path=str(p), hint="add a header row and one row per document")
    header, rows = table[0], table[1:]
    cols = [_norm_col(h) for h in header]
    seen: dict[str, int] = {}
    for i, c in enumerate(cols):
        if c and c in seen:
            raise InputError(f"column '{header[i]}' appears twice", path=str(p), line=1, hint="rename or remove one")
        seen[c] = i
    if "document_id" not in seen and "file" not in seen:
        raise InputError("the documents sheet needs a 'file' or 'document_id' column", path=str(p), line=1,
                         hint="add a column naming each row's document file")
    out: list[DocumentRow] = []
    keys: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        if not any(str(v).strip() for v in raw):
            continue
        if len(raw) > len(cols) and any(str(v).strip() for v in raw[len(cols):]):
            raise InputError(f"row has {len(raw)} values but the header names {len(cols)} columns", path=str(p),
                             line=n, hint="check for an unquoted comma")
        values = {c: str(raw[i]).strip() if i < len(raw) and raw[i] is not None else ""
                  for i, c in enumerate(cols) if c}
        doc_id = values.pop("document_id", "") or None
        file = values.pop("file", "") or None
        title = values.pop("title", "") or None
        if not doc_id and not file:
            raise InputError("row names no document (file and document_id are empty)", path=str(p), line=n)
        key = (doc_id or "").lower() or Path(file or "").name.lower()
        if key in keys:
            raise InputError(f"document '{doc_id or file}' is listed twice (also on line {keys[key]})", path=str(p),
                             line=n)
        keys[key] = n
        out.append(DocumentRow(n, doc_id, file, title, {k: v for k, v in values.items() if v != ""}))
    if not out:
        raise InputError("the documents sheet has a header but no rows", path=str(p))
    note = describe(removed, "the documents sheet")
    return DocumentSheet(out, [note] if note else [])


def row_for(rows: list[DocumentRow], path: Path) -> DocumentRow | None:
    """The sheet row of a document file (by file name, case-insensitive, or by its stem as document_id)."""
    name = path.name.lower()
    for row in rows:
        if row.file and Path(row.file).name.lower() == name:
            return row
    for row in rows:
        if row.document_id and not row.file and row.document_id.lower() == path.stem.lower():
            return row
    return None


def apply_document_sheet(project: Any, rows: list[DocumentRow], *, coder: str | None = None) -> tuple[int, list[str]]:
    """Set the titles and attributes of documents already in the project. Returns (rows applied, warnings)."""
    warnings: list[str] = []
    documents = {t["id"]: t for t in project.transcripts() if t.get("kind") == "document"}
    by_file = {Path(str(t["source_name"])).name.lower(): t["id"] for t in documents.values()}
    applied = 0
    with project.transaction():
        for row in rows:
            doc_id = row.document_id if row.document_id in documents else None
            if doc_id is None and row.file:
                doc_id = by_file.get(Path(row.file).name.lower())
            if doc_id is None:
                warnings.append(f"documents sheet line {row.line}: document '{row.document_id or row.file}' is not"
                                " in the project yet")
                continue
            project.set_transcript_attributes(doc_id, row.attributes, coder=coder)
            if row.title:
                project.set_title(doc_id, row.title, coder=coder)
            applied += 1
    return applied, warnings


# ---------------------------------------------------------------------------------------------- citations


def page_reference(page_label: str | None, page: int | None) -> str | None:
    """"p. 12" for a passage on printed page 12 (the PDF's label where it has one, else the physical page)."""
    label = page_label or (str(page) if page else None)
    return f"p. {label}" if label else None


def citation(title: str, *, page_label: str | None = None, page: int | None = None,
             heading: str | None = None) -> str:
    """How a report cites a document passage, in the place an interview quote's attribution goes: "Final progress
    report 2024, p. 12", or with its section when the document has no pages: "Mid-term evaluation, section 3.2
    Effectiveness". Reports put it in brackets after the quote: (Final progress report 2024, p. 12)."""
    where = page_reference(page_label, page)
    if where is None and heading:
        where = f"section {heading.split(' > ')[-1]}"
    return f"{title}, {where}" if where else title


def passage_citation(segment: Any) -> str:
    """:func:`citation` of a document passage (a segment or evidence row)."""
    return citation(str(segment.get("source_title") or segment.get("transcript") or "document"),
                    page_label=segment.get("page_label"), page=segment.get("page"), heading=segment.get("heading"))
