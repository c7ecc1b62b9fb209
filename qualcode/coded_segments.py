"""Another analysis tool's table of coded segments as codings: what a colleague coding in MAXQDA, ATLAS.ti, NVivo or
QualCoder sends when the exchange file (REFI-QDA) carries no coded passages. Each tool's table is recognised by its
columns (in English or German):

- **MAXQDA**, "Export coded segments" / the retrieved segments as a table (Excel, CSV or its HTML page): Color,
  Document group, Document name, Code ("Parent > Child"), Beginning, End, Weight score, Segment, Comment, Created by,
  Created, Modified by, Modified, Area, Coverage % (Farbe, Dokumentgruppe, Dokumentname, Code, Anfang, Ende, Gewicht,
  Segment, Kommentar, Erstellt von, Erstellt am, ...), document variables sometimes after them;
- **ATLAS.ti**, the Quotation Manager's export: ID, Quotation Name, Document, Document Groups, Quotation Content,
  Comment, Codes (several, one a line, "group - subgroup: name" or "Group::Code"), Reference, Density, Created by,
  Modified by, Created, Modified (older versions: Author; in German Dokument, Zitatinhalt, Kommentar, Erstellt von,
  Erstellt);
- **NVivo**, a coding export: the file (File, Source), its code or node path ("Nodes\\\\Relevance\\\\Design"),
  Coverage and the coded text (Coded Text, Reference Text);
- **QualCoder**, the coding report's table: File (or Case, Filename), Coder, Coded, Id, Codename, Coded_Memo.

Every row names a document, its code(s) and the coded text. The document is the transcript of that name, and a code
the codebook's code of that name or path (:mod:`qualcode.placing`); the text is placed on the transcript's units by
the rules of :mod:`qualcode.placing`, approximately, once the speaker labels and time stamps the tool's copy of the
document holds are taken out of it. The coder is the row's author (Created by, Author, Coder), the date its
creation date, the memo its comment. What cannot be placed (a document with no transcript here, a code not in the
codebook, text found nowhere or in several places) is listed by document, code or row, and the rest imported; a
table nothing of which can be placed is refused, with nothing written.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path, PurePath
from typing import NamedTuple

from qualcode.errors import InputError
from qualcode.model import ImportedCodings
from qualcode.placing import (
    CodeNames,
    Planned,
    Transcripts,
    name_key,
    transcripts_by_name,
    unplaced_summary,
    write_codings,
)
from qualcode.safeio.cleaning import clean_line, describe
from qualcode.store import Project

ROLES = ("document", "code", "text", "memo", "coder", "created")
# what each role is in the report
_ROLE_SAID = {"document": "document", "code": "code", "text": "text", "memo": "memo", "coder": "coder",
              "created": "date"}


class Tool(NamedTuple):
    """A tool's table: its name in the report, the columns that tell it apart (all of one of the sets), and per
    role the headers it may give that column, in preference order (folded: lower case, single spaces)."""

    name: str
    signatures: tuple[frozenset[str], ...]
    columns: dict[str, tuple[str, ...]]


# NVivo: a file's column beside its coded text, or a code's beside the coverage
_NVIVO_SIGNATURES = tuple(frozenset({doc, text})
                          for doc in ("file", "file name", "source", "source name", "files", "name")
                          for text in ("coded text", "reference text")) + tuple(
    frozenset({"coverage", code}) for code in ("node", "code", "hierarchical name", "nodes", "codes"))

_TOOLS: tuple[Tool, ...] = (
    Tool("QualCoder's coding report table", (frozenset({"codename", "coded"}),), {
        "document": ("filename", "file"), "code": ("codename",), "text": ("coded",),
        "memo": ("coded_memo", "coded memo"), "coder": ("coder",), "created": ()}),
    Tool("MAXQDA's coded segments export", (frozenset({"document name", "segment"}), frozenset({"dokumentname",
                                                                                               "segment"})), {
        "document": ("document name", "dokumentname"), "code": ("code",), "text": ("segment",),
        "memo": ("comment", "kommentar"), "coder": ("created by", "erstellt von", "author", "autor"),
        "created": ("created", "erstellt am", "created on", "erstellt")}),
    Tool("ATLAS.ti's quotation export", (frozenset({"quotation content"}), frozenset({"zitatinhalt"}),
                                         frozenset({"document", "codes", "content"}),
                                         frozenset({"dokument", "codes", "inhalt"})), {
        "document": ("document", "dokument", "documents", "dokumente"), "code": ("codes", "code"),
        "text": ("quotation content", "zitatinhalt", "content", "inhalt", "quotation", "zitat"),
        "memo": ("comment", "kommentar", "quotation comment"),
        "coder": ("author", "created by", "creator", "autor", "erstellt von"),
        "created": ("created", "creation date", "date created", "erstellt", "erstellt am")}),
    Tool("NVivo's coding export", _NVIVO_SIGNATURES, {
        "document": ("file", "file name", "source", "source name", "files", "name", "document"),
        "code": ("code", "node", "hierarchical name", "code hierarchical name", "node hierarchical name", "codes",
                 "nodes"),
        "text": ("coded text", "reference text", "text", "content", "reference"),
        "memo": ("annotation", "comment"), "coder": ("coded by", "created by", "user", "coded by user"),
        "created": ("coded on", "created on", "date coded", "created")}),
)

# separators of a path of codes: MAXQDA's "A > B" or "A\\B", NVivo's "Nodes\\A\\B", ATLAS.ti's "A::B" or "A: B"
_PATHS = (">", "\\", "::", "/", ":")
# an ATLAS.ti document named with its number ("D3: Interview A", "3 Interview A")
_NUMBERED = re.compile(r"^\s*D?\d+\s*[:.\-]?\s+", re.I)
# rows above the header a tool may write (a title, the project's name, a blank line)
_HEAD_ROWS = 10


def _fold(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().rstrip(":").casefold().split())


class Layout(NamedTuple):
    """A recognised table: the tool, the row its header is on (0-based), each role's column (by index) and the
    header of each used column as written; ``note`` says how a layout that is no table was read."""

    tool: Tool
    header_row: int
    columns: dict[str, int]
    headers: dict[str, str]
    note: str = ""


def recognise(rows: Sequence[Sequence[str]]) -> Layout | None:
    """The tool whose coded-segments table ``rows`` is (its header on one of the first rows), or None."""
    for n, row in enumerate(rows[:_HEAD_ROWS]):
        folded = [_fold(str(h)) for h in row]
        present = set(folded)
        for tool in _TOOLS:
            if not any(sig <= present for sig in tool.signatures):
                continue
            columns: dict[str, int] = {}
            for role in ROLES:
                for name in tool.columns[role]:
                    if name in present:
                        columns[role] = folded.index(name)  # the first of two (MAXQDA repeats a document's name)
                        break
            if all(role in columns for role in ("document", "code", "text")):
                return Layout(tool, n, columns, {role: str(row[i]).strip() for role, i in columns.items()})
    return None


def describe_layout(layout: Layout) -> str:
    """The report's words for which columns were read as what."""
    if layout.note:
        return f"read as {layout.tool.name} ({layout.note})"
    used = ", ".join(f"{layout.headers[role]} as {_ROLE_SAID[role]}" for role in ROLES if role in layout.columns)
    return f"read as {layout.tool.name} (columns {used})"


# ---------------------------------------------------------------------------- dates

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2,4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")


def _stamp(y: str, mo: str, d: str, h: str | None, mi: str | None, s: str | None, ampm: str | None = None) -> str:
    year = int(y) + (2000 if len(y) == 2 else 0)
    hour = int(h or 0)
    if ampm:
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    when = datetime(year, int(mo), int(d), hour, int(mi or 0), int(s or 0))  # ValueError for a day that is none
    return when.strftime("%Y-%m-%dT%H:%M:%S") if h else when.strftime("%Y-%m-%d")


class Dates:
    """A table's dates read one way for the whole column: ISO, day.month.year, or day/month/year or month/day/year
    (as the column's own dates settle it; when none does, month first, and the report says so)."""

    def __init__(self, values: Sequence[str]) -> None:
        firsts = [(int(m.group(1)), int(m.group(2))) for v in values if (m := _SLASHED.match(v.strip()))]
        self.day_first = any(a > 12 for a, _ in firsts)
        self.guessed = bool(firsts) and not self.day_first and not any(b > 12 for _, b in firsts)
        self.unread = 0

    def __call__(self, value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        try:
            if m := _ISO.match(value):
                return _stamp(*m.groups())
            if m := _DOTTED.match(value):
                d, mo, y, h, mi, s = m.groups()
                return _stamp(y, mo, d, h, mi, s)
            if m := _SLASHED.match(value):
                a, b, y, h, mi, s, ampm = m.groups()
                d, mo = (a, b) if self.day_first else (b, a)
                return _stamp(y, mo, d, h, mi, s, ampm)
        except ValueError:
            pass
        self.unread += 1
        return None


# ---------------------------------------------------------------------------- the import


def _split_codes(cell: str, codes: CodeNames) -> list[tuple[str, set[str]]]:
    """The codes of a cell, each as written with the codes here it fits (none: it is no code here): one a line
    (ATLAS.ti lists a quotation's codes so); a line that is no code but whose parts between semicolons or commas
    each fit one code ("Good practices; Lessons learned") is taken as those parts."""
    out: list[tuple[str, set[str]]] = []
    for line in (x.strip() for x in cell.split("\n")):
        if not line:
            continue
        fits = codes.find(line)
        parts = [x.strip() for x in re.split(r"[;,]", line) if x.strip()]
        if not fits and len(parts) > 1 and all(len(codes.find(x, note=False)) == 1 for x in parts):
            out += [(x, codes.find(x)) for x in parts]
        else:
            out.append((line, fits))
    return out


def _listing(items: list[str], most: int = 8) -> str:
    return "; ".join(items[:most]) + (f"; and {len(items) - most} more" if len(items) > most else "")


def import_segments(project: Project, path: str | Path, rows: list[list[str]], removed: Counter[str],
                    layout: Layout, *, coder: str, transcript: str | None = None) -> ImportedCodings:
    """Import the coded segments of ``rows`` (a table ``layout`` recognised) as codings (see the module).
    ``transcript`` (the quote table's default transcript) is not used: each row names its document."""
    p = Path(path)
    col = layout.columns
    transcripts = transcripts_by_name(project)
    codes = CodeNames(project, _PATHS)
    read = Transcripts(project)
    body = [(n, row) for n, row in enumerate(rows[layout.header_row + 1:], start=layout.header_row + 2)
            if any(str(cell).strip() for cell in row)]
    if not body:
        raise InputError(f"holds no coded segments: only the header of {layout.tool.name}", path=str(p),
                         hint="export the coded segments again, with the segments selected")

    def cell(row: list[str], role: str) -> str:
        i = col.get(role)
        return str(row[i]).strip() if i is not None and i < len(row) else ""

    dates = Dates([cell(row, "created") for _, row in body]) if "created" in col else None
    planned: list[Planned] = []
    unplaced: dict[str, Counter[str]] = {}  # by document: why, how many segments
    no_transcript: Counter[str] = Counter()
    renamed: dict[str, str] = {}  # an ATLAS.ti document's numbered name -> the transcript it was taken for
    unknown: Counter[str] = Counter()  # codes not in the codebook, segments coded with them
    several: dict[str, set[str]] = {}  # codes that fit more than one code here
    ambiguous: list[str] = []
    coders: Counter[str] = Counter()
    placed = asked = authorless = 0
    for n, row in body:
        document = cell(row, "document")
        names = _split_codes(cell(row, "code"), codes)
        text = cell(row, "text")
        shown = clean_line(document) or "(no document)"

        def miss(why: str, shown: str = shown) -> None:
            unplaced.setdefault(shown, Counter())[why] += 1

        # every row's codes are looked up, so that one reading lists every code the codebook lacks
        found: list[str] = []
        for name, fits in names:
            if len(fits) == 1:
                found.append(next(iter(fits)))
            elif fits:
                several[clean_line(name)] = fits
            else:
                unknown[clean_line(name)] += 1
        if not document:
            miss("no document named")
            continue
        tids = transcripts.get(name_key(document), set())
        if not tids:
            # NVivo's "Files\\Interviews\\KII-03", ATLAS.ti's "D3: KII-03": the name after its folder or number
            tids = transcripts.get(name_key(_NUMBERED.sub("", re.split(r"[\\/]", document)[-1])), set())
            if len(tids) == 1:
                renamed[shown] = next(iter(tids))
        if not tids:
            no_transcript[shown] += 1
            continue
        if len(tids) > 1:
            miss(f"{len(tids)} transcripts have that name")
            continue
        tid = next(iter(tids))
        if not names:
            miss("a segment without a code")
            continue
        if not found:
            continue  # its codes are listed as not in the codebook
        if not text or text.casefold() in ("image", "a/v"):  # QualCoder's stand-in for a picture or media coding
            miss("no text (a picture or media segment)")
            continue
        placing = read.place_copy(tid, text, stamps=True)
        if not placing.found:
            miss(f"its text is not in transcript {tid}")
            continue
        if placing.ambiguous:
            # "Yes, very much." said twice: the table does not say which one was coded, so neither is
            ambiguous.append(f"row {n} ('{shown}'): its text is in {placing.found} places"
                             f" ({', '.join(placing.ambiguous)})")
            continue
        if not placing.units:
            miss("it marks only the interviewer's words")
            continue
        author = clean_line(cell(row, "coder"))
        who = author or coder
        if author:
            coders[author] += 1
        else:
            authorless += 1
        created = dates(cell(row, "created")) if dates is not None else None
        memo = cell(row, "memo") or None
        placed += 1
        asked += placing.asked
        planned.extend(Planned(u["id"], code, who, created, memo) for u in placing.units for code in found)
    near = {key: sorted(tids)[0] for key, tids in transcripts.items() if len(tids) == 1}
    problems = _problems(no_transcript, unknown, several, unplaced, ambiguous, codes, near)
    if not planned:
        raise InputError(f"{layout.tool.name}: no coded segment could be placed: " + _listing(problems, 3),
                         path=str(p), hint="import the documents as transcripts under the names the table gives"
                                           " (or their file names) and the codes into the codebook first")
    added, skipped = write_codings(project, planned)
    warnings = [f"{describe_layout(layout)}: {placed} segment(s) placed"]
    if "coder" in col and coders:
        warnings.append(f"coders from {layout.headers['coder']}: "
                        + ", ".join(f"{who} ({k})" for who, k in sorted(coders.items())))
    if transcript:
        warnings.append(f"--transcript {transcript} not used: the table names each segment's document")
    if "coder" not in col:
        warnings.append(f"the table names no author of its segments: the codings are {coder}'s")
    elif authorless:
        warnings.append(f"{authorless} segment(s) without an author in {layout.headers['coder']}: those codings are"
                        f" {coder}'s")
    if renamed:
        warnings.append("documents named with a folder or a number, taken for the transcript the rest names: "
                        + ", ".join(f"'{d}' as {t}" for d, t in renamed.items()))
    warnings += problems
    loose = codes.loose_note()
    if loose:
        warnings.append(loose)
    if asked:
        warnings.append(f"{asked} segment(s) also covered the interviewer's words: only the informants' units"
                        " are coded")
    if dates is not None and dates.guessed:
        warnings.append(f"dates such as 03/04/2021 in {layout.headers['created']} read as month/day/year (no date"
                        " in the table settles it)")
    if dates is not None and dates.unread:
        warnings.append(f"{dates.unread} date(s) in {layout.headers['created']} not understood: those codings are"
                        " dated now")
    note = describe(removed, "the table")
    if note:
        warnings.append(note)
    return {"file": str(p), "added": added, "skipped": skipped, "warnings": warnings}


def _problems(no_transcript: Counter[str], unknown: Counter[str], several: dict[str, set[str]],
              unplaced: dict[str, Counter[str]], ambiguous: list[str], codes: CodeNames,
              names: dict[str, str]) -> list[str]:
    """The report's lines on what was not imported, each naming documents (with the transcript whose name is near,
    from ``names``: a name as compared -> the transcript's id), codes or rows."""
    lines: list[str] = []
    if no_transcript:
        said = []
        for d, k in no_transcript.most_common():
            close = difflib.get_close_matches(name_key(d), list(names), n=1, cutoff=0.8)
            said.append(f"'{d}' ({k}{f'; did you mean {names[close[0]]!r}?' if close else ''})")
        lines.append(f"{sum(no_transcript.values())} segment(s) of documents with no transcript here, not imported: "
                     + _listing(said) + " (import them first, under these names or their file names)")
    if unknown:
        # those near a code here first: a code renamed or misspelt on one side is what a user can mend at once
        near = {name: codes.close(name) for name in unknown}
        said = [f"'{name}' ({k}{f'; did you mean {near[name]!r}?' if near[name] else ''})"
                for name, k in sorted(unknown.items(), key=lambda item: (near[item[0]] is None, -item[1]))]
        lines.append(f"codes not in the codebook, nothing written for them: {_listing(said)} (add them to the"
                     " codebook, or rename them there, and import again: what is imported already is skipped)")
    if several:
        lines.append("codes that fit more than one code here, nothing written for them: "
                     + _listing([f"'{name}' ({', '.join(sorted(ids))})" for name, ids in several.items()]))
    if unplaced:
        lines.append(f"{sum(sum(c.values()) for c in unplaced.values())} segment(s) not placed: "
                     + unplaced_summary(unplaced, 8))
    if ambiguous:
        lines.append(f"{len(ambiguous)} segment(s) found in more than one place, not coded (code the right one by"
                     " hand): " + _listing(ambiguous))
    return lines


# ---------------------------------------------------------------------------- NVivo's export of a code's references

_NVIVO_REFERENCES = Tool("NVivo's export of a code's references", (), {})
# "<Internals\\Interviews\\Barbara> - § 5 references coded  [4.06% Coverage]" (NVivo 10, 11),
# "Files\\\\Interviews\\\\KII-03 - § 1 reference coded [ 3.90% Coverage]" (NVivo 12 on): the file, how many references
# it has at the code, how much of it they cover (in the user's language: "§ 2 Referenzen codiert [2,10% Abdeckung]")
_FILE_LINE = re.compile(r"^<?(?P<file>.+?)>?\s+-\s+§\s*\d+\s+\S+(?:\s+\S+)?\s*\[\s*[\d.,]+\s*%\s*\S+\s*\]$")
# "Reference 1 - 1.88% Coverage", "References 1-2 - 1.88% Coverage" (two users coded the same words)
_REFERENCE_LINE = re.compile(r"^\S+\s+\d+(?:\s*-\s*\d+)?\s+-\s+[\d.,]+\s*%\s*\S+$")
# the code the export names above its files: "<Nodes\\\\Effectiveness\\\\Outputs>", "Name: Outputs"
_CODE_LINE = re.compile(r"^<?(?P<code>(?:Nodes|Codes|Knoten)\\.+?)>?$|^Name:\s*(?P<name>.+)$", re.I)


def nvivo_references(text: str, name: str) -> tuple[list[list[str]], Layout] | None:
    """The references of NVivo's export of one code or several (as text or Word: each code's line,
    "<Nodes\\\\Effectiveness\\\\Outputs>", then each file's line, "<Files\\\\KII-03> - § 2 references coded
    [x% Coverage]", then each reference's line, "Reference 1 - y% Coverage", and its text) as the rows of a table
    (file, code, text), with their layout; None for a text that is not that export. A code's line heads the files
    below it, up to the next code's line; files above any code's line are coded with the exported file's name
    (``name``). The report says which codes were read from where. A code's line is never read as a reference's
    text: "<Nodes\\\\...>" is a code's line wherever it stands, "Name: ..." above the first file or just above a
    file's line."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]

    def file_line(line: str) -> re.Match[str] | None:  # a file's line is short and holds a §
        return _FILE_LINE.match(line) if "§" in line and len(line) < 1000 else None

    files = [i for i, line in enumerate(lines) if file_line(line)]
    if not files:
        return None

    def code_line(i: int) -> str | None:
        """The code line ``i`` names, when it is a code's line."""
        m = _CODE_LINE.match(lines[i])
        if m is None or len(lines[i]) > 300:
            return None
        if m.group("code") is None and i > files[0]:  # "Name: ..." inside the references only just above a file
            following = next((line for line in lines[i + 1:] if line), "")
            if not file_line(following):
                return None
        return (m.group("code") or m.group("name")).strip()

    stem = PurePath(name).stem
    code: str | None = None
    from_name = False
    read_from: list[str] = []  # the code lines read, in order
    rows: list[list[str]] = [["File", "Code", "Coded Text"]]
    document: str | None = None
    reference: list[str] | None = None

    def flush() -> None:
        if document is not None and reference is not None:
            rows.append([document, code or stem, "\n".join(x for x in reference if x)])

    for i, line in enumerate(lines):
        if m := file_line(line):
            flush()
            document, reference = m.group("file").strip(), None
            from_name = from_name or code is None
        elif (named := code_line(i)) is not None and (code is None or i > files[0]):
            flush()
            if code is None or named != code:
                read_from.append(line)
            code, document, reference = named, None, None
        elif document is not None and _REFERENCE_LINE.match(line):
            flush()
            reference = []
        elif reference is not None:
            reference.append(line)
    flush()
    if not read_from:
        said = f"the code from the file's name '{stem}'"
    elif len(read_from) == 1 and not from_name:
        said = f"the code from the line '{read_from[0]}'"
    else:
        said = ("the codes from the lines " + ", ".join(f"'{x}'" for x in read_from)
                + ", each heading the files below it")
        if from_name:
            said += f"; the files above the first coded with the file's name '{stem}'"
    layout = Layout(_NVIVO_REFERENCES, 0, {"document": 0, "code": 1, "text": 2},
                    {"document": "file", "code": "code", "text": "reference"},
                    note=f"{said}; each reference's file from the line above it")
    return rows, layout


# ---------------------------------------------------------------------------- reading the table


def read_segments_table(path: Path) -> tuple[list[list[str]], Counter[str], Layout | None]:
    """A CSV or Excel table's rows (cells keep their line breaks), the characters removed, and the layout
    :func:`recognise` found (None for another table)."""
    from qualcode.cases import read_table

    rows, removed = read_table(path, what="table of codings", lines=True, times=True)
    return rows, removed, recognise(rows)


def read_html_tables(page: str) -> list[list[list[str]]]:
    """The tables of a web page (MAXQDA's HTML export of coded segments), each a list of rows of cell texts; a line
    break or a paragraph in a cell is a line break."""
    from html.parser import HTMLParser

    tables: list[list[list[str]]] = []

    class Page(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.depth = 0
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table":
                self.depth += 1
                if self.depth == 1:
                    tables.append([])
            elif self.depth == 1 and tag == "tr":
                tables[-1].append([])
            elif self.depth == 1 and tag in ("td", "th"):
                self.end_cell()
                if not tables[-1]:
                    tables[-1].append([])
                self.cell = []
            elif self.cell is not None and tag in ("br", "p", "div", "li"):
                self.cell.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag == "table":
                self.end_cell()
                self.depth = max(0, self.depth - 1)
            elif tag in ("td", "th", "tr") and self.depth == 1:
                self.end_cell()

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

        def end_cell(self) -> None:
            if self.cell is not None and tables and tables[-1]:
                lines = [" ".join(line.split()) for line in "".join(self.cell).split("\n")]
                tables[-1][-1].append("\n".join(line for line in lines if line))
            self.cell = None

    parser = Page()
    parser.feed(page)
    parser.close()
    return tables


def segments_in_page(page: str) -> tuple[tuple[list[list[str]], Counter[str], Layout] | None, int]:
    """The first table of a web page that :func:`recognise` knows, with the characters removed from it and its
    layout (None when there is none); and how many tables the page holds."""
    from qualcode.safeio.cleaning import clean

    tables = read_html_tables(page)
    for table in tables:
        layout = recognise(table)
        if layout is not None:
            removed: Counter[str] = Counter()
            return ([[clean(c, removed) for c in row] for row in table], removed, layout), len(tables)
    return None, len(tables)
