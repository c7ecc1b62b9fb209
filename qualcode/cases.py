"""Case sheets: a CSV or XLSX table mapping each transcript (and each FGD speaker) to an informant and attributes.

Recognised columns (case-insensitive, spaces or underscores): ``transcript_id`` (or ``transcript``/``id``),
``file``, ``speaker`` (the label in the transcript; empty for a KII's single informant), ``case_id``, ``name``
(confidential, never exported unless asked). Every other column is an attribute: stakeholder_group, type,
organisation, role, sex, location, projects, date, language, interviewer, ...
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import InputError
from qualcode.safeio.cleaning import clean, clean_line, describe

ALIASES = {
    "transcript_id": "transcript_id",
    "transcript": "transcript_id",
    "id": "transcript_id",
    "interview_id": "transcript_id",
    "file": "file",
    "filename": "file",
    "file_name": "file",
    "speaker": "speaker",
    "speaker_label": "speaker",
    "label": "speaker",
    "case_id": "case_id",
    "case": "case_id",
    "participant_id": "case_id",
    "name": "name",
    "informant": "name",
    "informant_name": "name",
    "participant": "name",
    "stakeholder": "stakeholder_group",
    "group": "stakeholder_group",
}
# attributes of the interview itself, not of one participant; ``event`` names the data-collection event when one
# meeting was recorded in several files (default: the transcript is the event)
TRANSCRIPT_LEVEL = ("type", "date", "language", "interviewer", "location", "event")


#: characters of a transcript or case id at most (a reference, a file name and a spreadsheet cell carry it)
MAX_ID_CHARS = 100
# a first character a spreadsheet reads as the start of a formula (full-width forms too), or the command line as an
# option ('qualcode transcripts remove -x' would not name a transcript)
_FORMULA_OR_OPTION = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ID_HINT = ("an id names its transcript or informant in references (KII-01:12), file names and spreadsheets: use"
           " letters, digits, spaces, '-', '_' and '.', starting with a letter or digit (KII-01, FGD-02-P3)")


def id_problem(value: str, *, transcript: bool = True) -> str | None:
    """Why ``value`` cannot be a transcript id (``transcript``) or a case id, or None when it can.

    Ids are printed in every reference ("KII-01:12"), become parts of file names (``redact --out``) and spreadsheet
    cells, and are typed on the command line, so an id may not be empty or longer than :data:`MAX_ID_CHARS`, name a
    folder ('.', '..', or hold '/' or '\\'), hold a control character, or start with '=', '+', '-' or '@'
    (a formula to a spreadsheet, an option to the command line); a transcript id may not hold ':', which separates
    it from the unit number in a reference."""
    if not value.strip():
        return "it is empty"
    if len(value) > MAX_ID_CHARS:
        return f"it is longer than {MAX_ID_CHARS} characters"
    if not value.strip("."):
        return "it names a folder"
    if "/" in value or "\\" in value:
        return "it holds '/' or '\\', so it would be read as a folder"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in value):
        return "it holds a control character"
    if value.startswith(_FORMULA_OR_OPTION):
        return f"it starts with '{value[0]}', which a spreadsheet reads as a formula and the command line as an option"
    if transcript and ":" in value:
        return "it holds ':', which separates a transcript from the unit number in a reference (KII-01:12)"
    return None


@dataclass
class CaseRow:
    line: int
    transcript_id: str | None
    file: str | None
    speaker: str | None
    case_id: str
    name: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


def _norm_col(col: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", str(col).strip().lower()).strip("_")
    return ALIASES.get(key, key)


class CaseSheet(list[CaseRow]):
    """The rows of a case sheet, with what reading it changed (``warnings``: control characters removed)."""

    def __init__(self, rows: list[CaseRow], warnings: list[str]) -> None:
        super().__init__(rows)
        self.warnings = warnings


def read_table(path: str | Path, *, what: str, lines: bool = False,
               times: bool = False) -> tuple[list[list[str]], Counter[str]]:
    """The cells of a CSV or XLSX sheet (``what``: "case sheet", "documents sheet"), read within the file-size and
    archive bounds, each cell one line without control characters (with ``lines``, a cell keeps its line breaks,
    as ``\\n``); and the characters removed. An Excel date is its day (with ``times``, its day and time)."""
    from qualcode.safeio.files import is_zip, read_input
    from qualcode.safeio.limits import limits

    p = Path(path)
    data = read_input(p, what=what, hint=f"check the path to the {what}", zip_limit=limits().max_archive_total)
    if is_zip(data):
        table = _read_xlsx(p, data, what, times=times)
    elif p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise InputError("is not a readable Excel workbook", path=str(p), hint="save it as .xlsx or .csv")
    else:
        table = _read_csv(p, data)
    removed: Counter[str] = Counter()
    # names and attributes end up in listings, exports and the workbench: no control characters, one line each
    if lines:
        return [[clean(v, removed).replace("\r\n", "\n").replace("\r", "\n") for v in row] for row in table], removed
    return [[clean_line(v, removed) for v in row] for row in table], removed


def read_case_sheet(path: str | Path) -> CaseSheet:
    """Read and check a case sheet. Raises InputError (file and line) on anything unusable."""
    p = Path(path)
    table, removed = read_table(p, what="case sheet")
    if not table:
        raise InputError("the case sheet is empty", path=str(p), hint="add a header row and one row per informant")
    header, rows = table[0], table[1:]
    cols = [_norm_col(h) for h in header]
    if not any(cols):
        raise InputError("the first row must name the columns", path=str(p), line=1)
    seen_cols: dict[str, int] = {}
    for i, c in enumerate(cols):
        if c and c in seen_cols:
            raise InputError(f"column '{header[i]}' appears twice", path=str(p), line=1, hint="rename or remove one")
        seen_cols[c] = i
    if "transcript_id" not in seen_cols and "file" not in seen_cols:
        raise InputError(
            "the case sheet needs a 'transcript_id' or 'file' column",
            path=str(p),
            line=1,
            hint="add a column naming each row's transcript",
        )
    out: list[CaseRow] = []
    ordinal: dict[str, int] = {}
    case_ids: dict[str, int] = {}
    speakers: dict[tuple[str, str], int] = {}
    for n, raw in enumerate(rows, start=2):
        if not any(str(v).strip() for v in raw):
            continue
        if len(raw) > len(cols) and any(str(v).strip() for v in raw[len(cols) :]):
            raise InputError(
                f"row has {len(raw)} values but the header names {len(cols)} columns",
                path=str(p),
                line=n,
                hint="check for an unquoted comma",
            )
        values = {
            c: str(raw[i]).strip() if i < len(raw) and raw[i] is not None else "" for i, c in enumerate(cols) if c
        }
        tid = values.pop("transcript_id", "") or None
        fname = values.pop("file", "") or None
        if not tid and not fname:
            raise InputError("row names no transcript (transcript_id and file are empty)", path=str(p), line=n)
        speaker = values.pop("speaker", "") or None
        name = values.pop("name", "") or None
        base = tid or Path(fname or "").stem
        ordinal[base] = ordinal.get(base, 0) + (1 if speaker else 0)
        case_id = values.pop("case_id", "") or (_speaker_case_id(base, speaker, ordinal[base]) if speaker else base)
        key = (tid or fname or "", speaker or "")
        if key in speakers:
            raise InputError(
                f"transcript '{key[0]}' speaker '{key[1] or '(informant)'}' is listed twice"
                f" (also on line {speakers[key]})",
                path=str(p),
                line=n,
            )
        speakers[key] = n
        if case_id in case_ids and case_ids[case_id] != n:
            # the same informant in two transcripts is legitimate (a follow-up interview)
            pass
        case_ids.setdefault(case_id, n)
        attributes = {k: v for k, v in values.items() if v != ""}
        out.append(CaseRow(n, tid, fname, speaker, case_id, name, attributes))
    if not out:
        raise InputError("the case sheet has a header but no rows", path=str(p))
    note = describe(removed, "the case sheet")
    return CaseSheet(out, [note] if note else [])


def _speaker_case_id(base: str, speaker: str, n: int) -> str:
    """The case id of an FGD participant the sheet gives no case_id: the transcript and the label when the label is
    a placeholder ("FGD-01-P2"), else the transcript and the participant's place in the sheet ("FGD-01-P3"): a label
    such as "Nguyen Van Hung" or "Hang's iPhone" would put the name in every export that cites the case."""
    from qualcode.speakers import GENERIC_LABEL

    label = speaker.strip().strip("[]").rstrip(":").strip()
    if GENERIC_LABEL.match(label):
        return f"{base}-{speaker}"  # as before, so re-importing a sheet keeps its cases
    return f"{base}-P{n}"


def _read_csv(p: Path, data: bytes) -> list[list[str]]:
    if b"\x00" in data[:2048] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is a binary file, not a CSV case sheet", path=str(p), hint="save it as CSV or XLSX")
    text = None
    for enc in ("utf-8-sig", "utf-16", "cp1252"):
        if enc == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise InputError("cannot decode the case sheet", path=str(p), hint="save it as UTF-8 CSV")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        # strict: an unclosed quote is an error, not one cell swallowing the rest of the file
        return [row for row in csv.reader(io.StringIO(text), dialect, strict=True)]
    except csv.Error as err:
        raise InputError(f"malformed CSV ({err})", path=str(p), hint="check quoting") from None


#: rows of an Excel sheet
EXCEL_ROWS = 1_048_576


def _read_xlsx(p: Path, data: bytes, what: str, *, times: bool = False) -> list[list[str]]:
    from qualcode.safeio.archive import Archive

    # every entry unpacked once within the archive bounds (and no XML with a DTD) before openpyxl reads it
    with Archive(data, str(p), what="Excel workbook", hint="re-save it in Excel as .xlsx",
                 unreadable="cannot open the workbook (it is damaged or not an .xlsx)") as archive:
        archive.check_all()
        entries = {e.lstrip("/").lower() for e in archive.names()}
    if "xl/workbook.xml" not in entries:
        # a Word file or a presentation is a zip too: say what it is rather than what openpyxl tripped on
        kind = ("a Word document" if any(e.startswith("word/") for e in entries) else
                "a PowerPoint presentation" if any(e.startswith("ppt/") for e in entries) else "a zip archive")
        raise InputError(f"this is {kind}, not an Excel workbook", path=str(p),
                         hint=f"give the {what} as .xlsx or .csv")
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for damaged files
        raise InputError(
            f"cannot open the workbook ({type(err).__name__})", path=str(p), hint="re-save it in Excel as .xlsx"
        ) from None
    from qualcode.safeio.limits import limits, too_many_lines

    max_rows = limits().max_lines
    try:
        ws = wb.worksheets[0]
        # the size a sheet states is not trusted: a 2 kB file stating A1:XFD1048576 with a value in its last row made
        # openpyxl fill every row in between with 16,384 empty cells; unsized, a row holds only up to its last cell
        # and a missing row is an empty list
        ws.reset_dimensions()
        table: list[list[str]] = []
        filled = 0
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if n > EXCEL_ROWS:  # only a crafted file numbers its rows past Excel's last
                raise InputError(f"numbers a row past row {EXCEL_ROWS:,}, the last an Excel sheet has", path=str(p),
                                 hint="re-save it in Excel as .xlsx")
            cells = ["" if v is None else (v.isoformat()[:19 if times else 10] if hasattr(v, "isoformat") else str(v))
                     for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                filled += 1
                if filled > max_rows:
                    raise too_many_lines(str(p), max_rows, what=what)
            table.append(cells)
        while table and not any(str(v).strip() for v in table[-1]):
            table.pop()
        return table
    except InputError:
        raise
    except Exception as err:  # read-only workbooks parse lazily: damage shows up while reading rows
        raise InputError(
            f"cannot read the workbook ({type(err).__name__})", path=str(p), hint="re-save it in Excel as .xlsx"
        ) from None
    finally:
        wb.close()
