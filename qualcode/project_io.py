"""Bringing material into a project: transcript files with their case sheet, codings from a quote table, and the
bundled example project. Everything is parsed and checked first and written in one transaction, so a bad file
leaves the project unchanged.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.cases import CaseRow
from qualcode.errors import InputError, ProjectError
from qualcode.model import ImportedCodings, ProgressFn
from qualcode.placing import Planned, Transcripts, place, write_codings
from qualcode.safeio.cleaning import clean, clean_line, describe
from qualcode.safeio.files import is_zip
from qualcode.store import Project
from qualcode.textfile import read_user_text

if TYPE_CHECKING:
    from qualcode.coded_segments import Layout


def bundled_root() -> Path:
    """Folder holding the bundled codebooks/ and transcripts/ (the source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent):
        if (candidate / "transcripts" / "cases.csv").exists():
            return candidate
    raise ProjectError(
        "the bundled example is missing from this installation",
        hint="install qualcode from a source checkout (pip install -e .)",
    )


def import_files(
    project: Project,
    paths: list[str | Path],
    *,
    cases: str | Path | None = None,
    coder: str,
    dry_run: bool = False,
    documents: Sequence[str | Path] | None = None,
    document_sheet: str | Path | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Import transcript files, desk-review documents (``documents``, and any PDF or HTML file among ``paths``) and
    optionally a case sheet and a documents sheet, in one transaction: a bad file leaves the project unchanged.
    Returns the import report (see :mod:`qualcode.importing`); ``dry_run`` only reports what would happen."""
    from qualcode.importing import import_files as _import

    return _import(project, paths, cases=cases, coder=coder, dry_run=dry_run, documents=documents,
                   document_sheet=document_sheet, progress=progress)


def apply_case_sheet(project: Project, rows: list[CaseRow], *, coder: str) -> tuple[int, list[str]]:
    """Create/update cases and map speaker labels to them. Returns (cases written, warnings)."""
    from qualcode.importing import apply_case_sheet as _apply

    return _apply(project, rows, coder=coder)


# ---------------------------------------------------------------------------- codings from a quote table


def import_codings_table(
    project: Project, path: str | Path, *, transcript: str | None = None, default_coder: str
) -> ImportedCodings:
    """Import codings from a CSV with columns quote, code[, transcript, coder, created, memo], or from Taguette's
    highlights export (CSV or Excel, columns id, document, tag, content, or its HTML page: see
    :mod:`qualcode.highlights`).

    Each quote must be verbatim text of the transcript (spacing aside), found in one place only (a quote said in
    two places is refused, not coded where it comes first); every informant's unit it overlaps gets the code (see
    :mod:`qualcode.placing` for these rules). A row that breaks them refuses the whole table, at its line: the table
    is checked before anything is written.
    """
    from qualcode.coded_segments import import_segments, read_segments_table, segments_in_page
    from qualcode.highlights import import_highlights, is_highlights_table, read_highlights_page, read_highlights_table

    p = Path(path)
    if p.suffix.lower() in (".html", ".htm"):
        # a web page: MAXQDA's coded segments as a table, or Taguette's highlights export as HTML
        from qualcode.safeio.files import read_input

        data = read_input(p, what="web page", hint="give the export as .csv, .xlsx or .html")
        try:
            page, utf8 = data.decode("utf-8-sig"), True
        except UnicodeDecodeError:
            page, utf8 = data.decode("cp1252", errors="replace"), False  # an older Windows export
        found, tables = segments_in_page(page)
        if found is not None:
            return import_segments(project, p, *found, coder=default_coder, transcript=transcript)
        if tables:
            raise _unknown_table(p)  # a page of tables, none of them a table of coded segments
        if not utf8:  # Taguette's pages are UTF-8
            raise InputError("is not a UTF-8 web page", path=str(p), hint="export the highlights again from Taguette")
        return import_highlights(project, p, *read_highlights_page(p, page), coder=default_coder)
    if p.suffix.lower() == ".docx":
        # a Word document: NVivo's export of a code's references
        return _nvivo_word(project, p, default_coder, transcript)
    if p.suffix.lower() in (".xlsx", ".xlsm") or is_zip(p):
        # a workbook: Taguette's highlights, or another tool's coded segments
        table, cleaned, layout = read_segments_table(p)
        if table and is_highlights_table(table[0]):
            return import_highlights(project, p, [[c.replace("\n", " ") for c in row] for row in table], cleaned,
                                     coder=default_coder)
        return _segments(project, p, table, cleaned, layout, default_coder, transcript)
    try:
        text = read_user_text(p, hint="save the table as UTF-8 CSV")
    except InputError as not_utf8:
        if "UTF-8" not in not_utf8.message:
            raise
        # another tool's coded segments saved in Windows' own encoding (MAXQDA, ATLAS.ti), which the table reader
        # reads; the quote table and Taguette's export are UTF-8
        table, cleaned, layout = read_segments_table(p)
        if layout is None:
            raise
        return _segments(project, p, table, cleaned, layout, default_coder, transcript)
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff").split("\n", 1)[0])), [])
    if is_highlights_table(first):
        return import_highlights(project, p, *read_highlights_table(p), coder=default_coder)
    if not {"quote", "code"} <= {f.strip().lower() for f in first}:
        nvivo = _nvivo_references(project, p, text, default_coder, transcript)
        if nvivo is not None:  # NVivo's export of a code's references as text
            return nvivo
        # another tool's coded segments (a header that is not the quote table's)
        return _segments(project, p, *read_segments_table(p), default_coder, transcript)
    # strict: an unclosed quote is an error, not one quote swallowing the rest of the table
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise InputError(f"malformed CSV ({err})", path=str(p), hint="check the quoting of the quotes") from None
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "quote" not in fields or "code" not in fields:
        raise _unknown_table(p)
    if not rows:
        raise InputError("holds no quotes: only the header row", path=str(p),
                         hint="add a row for each passage to code, its quote and code under the header")
    tid_default = transcript or p.stem
    read = Transcripts(project)
    planned: list[Planned] = []
    asked = 0  # quotes that also covered the interviewer's words
    removed: Counter[str] = Counter()
    for n, raw in enumerate(rows, start=2):
        # quotes are matched against clean text; coders and memos are shown in the terminal and exported
        row = {str(k).strip().lower(): clean((v if isinstance(v, str) else "") or "", removed).strip()
               for k, v in raw.items() if k is not None}
        if row.get("coder"):
            row["coder"] = clean_line(row["coder"])
        tid = row.get("transcript") or tid_default
        try:
            text, units = read(tid)
        except Exception:
            raise InputError(f"transcript '{tid}' is not in the project", path=str(p), line=n) from None
        quote, code = row.get("quote", ""), row.get("code", "")
        if not quote or not code:
            raise InputError("quote and code must not be empty", path=str(p), line=n)
        try:
            project.require_code(code)
        except Exception as err:
            raise InputError(str(err), path=str(p), line=n) from None
        shown = " ".join(quote[:60].split())  # one line, whatever it held
        placing = place(text, units, quote)
        if not placing.found:
            raise InputError(f'quote not found verbatim in {tid}: "{shown}"', path=str(p), line=n,
                             hint="copy the passage exactly from 'qualcode segments'")
        if placing.ambiguous:
            raise InputError(f'quote is in more than one place in {tid} ({", ".join(placing.ambiguous)}): "{shown}"',
                             path=str(p), line=n, hint="quote a longer passage, so that it is found in one place only")
        if not placing.units:
            raise InputError(f"quote in {tid} is an interviewer's question, not evidence", path=str(p), line=n)
        asked += placing.asked
        coder = row.get("coder") or default_coder
        planned.extend(Planned(u["id"], code, coder, row.get("created") or None, row.get("memo") or None)
                       for u in placing.units)
    added, skipped = write_codings(project, planned)
    report: ImportedCodings = {"file": str(p), "added": added, "skipped": skipped}
    warnings = [f"{asked} quote(s) also covered the interviewer's words: only the informants' units are coded"
                ] if asked else []
    note = describe(removed, "the table")
    if note:
        warnings.append(note)
    if warnings:
        report["warnings"] = warnings
    return report


def _nvivo_word(project: Project, p: Path, coder: str, transcript: str | None) -> ImportedCodings:
    """NVivo's export of a code's references saved as a Word document."""
    from qualcode.refi.imports import docx_text
    from qualcode.safeio.files import read_input
    from qualcode.safeio.limits import limits

    data = read_input(p, what="Word document", hint="check the path", zip_limit=limits().max_archive_total)
    text = docx_text(data)
    if text is None:
        raise InputError("is not a readable Word document", path=str(p), hint="open it in Word and save it again")
    found = _nvivo_references(project, p, text, coder, transcript)
    if found is None:
        raise InputError("is a Word document but not NVivo's export of a code's references (no line such as"
                         " '<Files\\\\KII-03> - § 2 references coded [3.10% Coverage]')", path=str(p),
                         hint="export the code's references from NVivo, or the coded segments as a table")
    return found


def _nvivo_references(project: Project, p: Path, text: str, coder: str,
                      transcript: str | None) -> ImportedCodings | None:
    """NVivo's export of a code's references (its text, from a text file or a Word document) imported, its text
    cleaned as any table's is; None for a text that is no such export."""
    from qualcode.coded_segments import import_segments, nvivo_references

    removed: Counter[str] = Counter()
    found = nvivo_references(clean(text, removed), p.name)
    if found is None:
        return None
    return import_segments(project, p, found[0], removed, found[1], coder=coder, transcript=transcript)


def _segments(project: Project, p: Path, table: list[list[str]], cleaned: Counter[str], layout: Layout | None,
              coder: str, transcript: str | None) -> ImportedCodings:
    """Another tool's coded segments read as a table; refused when no known tool's columns were found in it."""
    from qualcode.coded_segments import import_segments

    if layout is None:
        raise _unknown_table(p)
    return import_segments(project, p, table, cleaned, layout, coder=coder, transcript=transcript)


def _unknown_table(p: Path) -> InputError:
    return InputError("is not a table of codings qualcode knows: it needs the columns quote and code (as CSV), or"
                      " those of Taguette's highlights export or of MAXQDA's, ATLAS.ti's, NVivo's or QualCoder's coded"
                      " segments",
                      path=str(p), line=1, hint="export the coded segments from the other tool as a table (Excel,"
                      " CSV or HTML), or write a CSV with the columns quote and code")


# ---------------------------------------------------------------------------- the bundled example


def _apply_agreement_file(project: Project, path: Path) -> dict[str, int]:
    """The example team's agreement sample, whose coding each coder finished, and the adjudication decisions
    (``transcripts/agreement.yaml``)."""
    from qualcode.safeio import yaml as safe_yaml
    from qualcode.synthesis.reconciled import add_to_sample, mark_done
    from qualcode.teams.adjudicate import adjudicate

    data = safe_yaml.load(path.read_text(encoding="utf-8"), str(path)) or {}
    for tid in data.get("sample") or []:
        add_to_sample(project, str(tid), coder="clara")
    for name, tids in (data.get("done") or {}).items():
        for tid in tids or []:
            mark_done(project, str(tid), coder=str(name))
    decisions = data.get("decisions") or []
    for d in decisions:
        adjudicate(project, str(d["ref"]), str(d["code"]), str(d["decision"]), coder=str(d["by"]),
                   note=d.get("note"))
    return {"sample": len(data.get("sample") or []), "decisions": len(decisions)}


def build_example(dest: str | Path, *, force: bool = False) -> dict[str, Any]:
    """Create a working copy of the bundled example project (transcripts, case sheet, desk-review documents and their
    sheet, codebook, human codings, findings)."""
    from qualcode.codebook import load_codebook

    root = bundled_root()
    final = Path(dest)
    if (final / "qualcode.db").exists() and not force:
        raise ProjectError(f"{final} already holds a project", hint="choose another folder or pass --force")
    if final.exists() and not final.is_dir():
        raise ProjectError(f"{final} is a file, not a folder")
    if final.is_dir() and any(final.iterdir()) and not (final / "qualcode.db").exists():
        raise ProjectError(f"{final} is not empty", hint="choose a new or empty folder")
    final.parent.mkdir(parents=True, exist_ok=True)
    src = root / "transcripts"
    files = sorted(
        p
        for p in src.iterdir()
        if p.is_file() and p.suffix.lower() in (".txt", ".md", ".docx", ".vtt", ".srt") and not p.name.startswith(".")
    )
    codebook = load_codebook(root / "codebooks" / "evaluation-criteria.yaml")
    # built beside the destination and moved into place, so a failure leaves nothing half-written
    dest = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent)) / "project"
    try:
        project = Project.create(dest, codebook=codebook, name="Decent work in electronics: final evaluation (example)")
    except BaseException:
        shutil.rmtree(dest.parent, ignore_errors=True)
        raise
    try:
        documents = src / "documents"
        doc_files = sorted(p for p in documents.iterdir() if p.is_file() and p.suffix.lower() in
                           (".pdf", ".docx", ".html", ".md", ".txt")) if documents.is_dir() else []
        report = import_files(project, list(files), cases=src / "cases.csv", coder="clara", documents=doc_files,
                              document_sheet=documents / "documents.csv" if doc_files else None)
        codings_dir = src / "codings"
        report["codings"] = []
        if codings_dir.is_dir():
            for table in sorted(codings_dir.glob("*.csv")):
                report["codings"].append(import_codings_table(project, table, transcript=table.stem,
                                                                  default_coder="clara"))
        agreed = src / "agreement.yaml"
        if agreed.exists():
            report["agreement"] = _apply_agreement_file(project, agreed)
        findings = src / "findings.yaml"
        if findings.exists():
            from qualcode.synthesis.findings import import_findings

            report["findings"] = import_findings(project, findings, coder="clara")
        project.set_setting("coder", "clara", coder="clara")
        # A first 'u' in the workbench must not take back the example's own findings.
        project.start_history([c["name"] for c in project.coders()])
    except BaseException:
        project.close()
        shutil.rmtree(dest.parent, ignore_errors=True)
        raise
    project.close()
    if final.exists():
        shutil.rmtree(final)
    dest.rename(final)
    shutil.rmtree(dest.parent, ignore_errors=True)
    with Project.open(final) as built:
        from qualcode.teams import project_status

        report["status"] = project_status(built)
    return report
