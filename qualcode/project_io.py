"""Bringing material into a project: transcript files with their case sheet, codings from a quote table, and the
bundled example project. Everything is parsed and checked first and written in one transaction, so a bad file
leaves the project unchanged.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from qualcode.cases import TRANSCRIPT_LEVEL, CaseRow, read_case_sheet
from qualcode.errors import InputError, ProjectError
from qualcode.folding import strip_accents
from qualcode.model import ParsedTranscript, ProgressFn, Segment
from qualcode.reanchor import store_transcript
from qualcode.store import Project, is_interviewer_label
from qualcode.textfile import read_user_text

ID_SAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


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


def safe_id(text: str) -> str:
    """An id made from a name: accents folded, then anything but letters, digits, '_', '.' and '-' becomes '-'
    ("Phỏng vấn Đà Nẵng" -> "Phong-van-Da-Nang")."""
    return ID_SAFE.sub("-", strip_accents(text)).strip("-")


def _transcript_id_for(path: Path, parsed: ParsedTranscript, rows: list[CaseRow], sources: dict[str, str]) -> str:
    for row in rows:
        if row.file and row.file.lower() == path.name.lower():
            return row.transcript_id or Path(row.file).stem
    for key in ("id", "interview_id", "transcript_id"):
        value = parsed.metadata.get(key)
        if value:  # made safe as before, without folding ("FGD Thư" -> FGD-Th), so stated ids never meet by folding
            return ID_SAFE.sub("-", unicodedata.normalize("NFC", str(value))).strip("-")
    return _id_from_file_name(path, sources) or "transcript"


def _id_from_file_name(path: Path, sources: dict[str, str]) -> str:
    """The id for a transcript file without a stated id, given each transcript's id and the file name its current
    version came from (``sources``, NFC).

    Accents are folded ("Phỏng vấn" -> "Phong-van"). Earlier versions dropped accented letters instead
    ("Ph-ng-v-n"): a corrected file of a transcript imported then keeps that id, so it becomes a new version rather
    than a second transcript. Folding makes "FGD Thư" and "FGD Thu" one id, so a file whose folded name is the id of
    a transcript imported from a differently accented file is refused rather than filed as a new version of
    someone else's interview.
    """
    name = unicodedata.normalize("NFC", path.stem)  # macOS and zip tools may hand over decomposed names
    file_name = unicodedata.normalize("NFC", path.name)
    tid, legacy = safe_id(name), ID_SAFE.sub("-", name).strip("-")
    for candidate in (tid, legacy):
        if candidate and sources.get(candidate) == file_name:
            return candidate
    if tid in sources:
        other = Path(sources[tid]).stem
        if other != name and not (other.isascii() and name.isascii()):
            raise InputError(
                f"would get the id '{tid}' of the transcript imported from '{sources[tid]}', a different file",
                path=str(path),
                hint="give it its own id in the case sheet (or an 'id:' line at its top); to import a corrected"
                     f" version of {tid}, name the file as that one",
            )
        return tid
    if legacy in sources and Path(sources[legacy]).stem == name:
        return legacy
    return tid


def import_files(
    project: Project,
    paths: list[str | Path],
    *,
    cases: str | Path | None = None,
    coder: str,
    documents: list[str | Path] | None = None,
    document_sheet: str | Path | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Import transcript files, desk-review documents (``documents``, and any PDF or HTML file among ``paths``) and
    optionally a case sheet and a documents sheet, in one transaction: a bad file leaves the project unchanged.
    ``progress`` hears of each file read and stored."""
    from qualcode.desk_review import apply_document_sheet, read_document_sheet, row_for
    from qualcode.importers import read_transcript
    from qualcode.importers.documents import is_document_file, read_document

    rows = read_case_sheet(cases) if cases else []
    doc_rows = read_document_sheet(document_sheet) if document_sheet else []
    doc_paths = [Path(d) for d in documents or []]
    doc_paths += [Path(p) for p in paths if Path(p).is_file() and is_document_file(p)]
    paths = [p for p in paths if Path(p) not in doc_paths]
    parsed: list[tuple[Path, ParsedTranscript, str]] = []
    seen_ids: dict[str, Path] = {}
    sources = {  # each transcript's id -> the name of the file its current version came from
        str(tid): unicodedata.normalize("NFC", Path(str(name)).name)
        for tid, name in project.db.execute(
            "SELECT t.id, v.source_name FROM transcripts t JOIN transcript_versions v ON v.transcript_id = t.id"
            " AND v.version = t.current_version"
        )
    }
    files = len(paths) + len(doc_paths)
    for done, raw in enumerate(paths):
        if progress:
            progress("reading files", done, files)
        path = Path(raw)
        if path.is_dir():
            raise InputError("is a folder; pass the transcript files (e.g. DIR/*.docx)", path=str(path))
        pt = read_transcript(path)
        tid = _transcript_id_for(path, pt, rows, sources)
        if tid in seen_ids:
            raise InputError(
                f"has the same transcript id '{tid}' as {seen_ids[tid]}",
                path=str(path),
                hint="give each transcript its own id in the case sheet",
            )
        seen_ids[tid] = path
        parsed.append((path, pt, tid))
    documents_read: list[tuple[Path, ParsedTranscript, str, Any]] = []
    for done, path in enumerate(doc_paths, start=len(paths)):
        if progress:
            progress("reading files", done, files)
        if path.is_dir():
            raise InputError("is a folder; pass the document files (e.g. DIR/*.pdf)", path=str(path))
        pt = read_document(path)
        row = row_for(doc_rows, path)
        tid = row.document_id if row is not None and row.document_id else _id_from_file_name(path, sources)
        tid = ID_SAFE.sub("-", unicodedata.normalize("NFC", tid)).strip("-") or "document"
        if tid in seen_ids:
            raise InputError(f"has the same id '{tid}' as {seen_ids[tid]}", path=str(path),
                             hint="give each document its own document_id in the documents sheet")
        seen_ids[tid] = path
        documents_read.append((path, pt, tid, row))
    report: dict[str, Any] = {"transcripts": [], "documents": [], "cases": 0, "document_rows": 0, "warnings": []}
    with project.transaction():
        for done, (path, pt, tid) in enumerate(parsed):
            if progress:
                progress("storing transcripts", done, len(parsed))
            t_rows = [r for r in rows if (r.transcript_id or Path(r.file or "").stem) == tid]
            attrs = _transcript_attributes(t_rows, pt)
            result = store_transcript(project, pt, tid, title=pt.metadata.get("title") or path.stem, attributes=attrs,
                                      coder=coder)
            result["file"] = str(path)
            report["transcripts"].append(result)
            report["warnings"].extend(f"{path.name}: {w}" for w in pt.warnings)
        for path, pt, tid, row in documents_read:
            title = (row.title if row is not None else None) or str(pt.metadata.get("title") or path.stem)
            attrs = dict(row.attributes) if row is not None else {}
            result = store_transcript(project, pt, tid, title=title, attributes=attrs, coder=coder)
            if row is not None and row.title:
                project.set_title(tid, row.title, coder=coder)
            result.update(file=str(path), title=title, pages=pt.metadata.get("pages"))
            result["warnings"] = [f"{path.name}: {w}" for w in pt.warnings]
            report["warnings"].extend(result["warnings"])
            report["documents"].append(result)
        if rows:
            report["cases"], warnings = apply_case_sheet(project, rows, coder=coder)
            report["warnings"].extend(warnings)
        if doc_rows:
            report["document_rows"], warnings = apply_document_sheet(project, doc_rows, coder=coder)
            report["warnings"].extend(warnings)
    return report


def _transcript_attributes(rows: list[CaseRow], pt: ParsedTranscript) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key in ("type", "date", "language", "interviewer"):
        value = pt.metadata.get(key)
        if value:
            attrs[key] = str(value)
    if rows:
        first = rows[0]
        for key in TRANSCRIPT_LEVEL:
            if key in first.attributes:
                attrs[key] = first.attributes[key]
    return attrs


def apply_case_sheet(project: Project, rows: list[CaseRow], *, coder: str | None = None) -> tuple[int, list[str]]:
    """Create/update cases and map speaker labels to them. Returns (cases written, warnings)."""
    warnings: list[str] = []
    known = {t["id"]: t for t in project.transcripts()}
    by_transcript: dict[str, list[CaseRow]] = {}
    for row in rows:
        tid = row.transcript_id or Path(row.file or "").stem
        by_transcript.setdefault(tid, []).append(row)
    with project.transaction():
        for row in rows:
            project.upsert_case(row.case_id, row.name, row.attributes, coder=coder)
        for tid, t_rows in by_transcript.items():
            if tid not in known:
                warnings.append(f"case sheet line {t_rows[0].line}: transcript '{tid}' is not in the project yet")
                continue
            project.set_transcript_attributes(
                tid, {k: v for k, v in t_rows[0].attributes.items() if k in TRANSCRIPT_LEVEL}, coder=coder
            )
            labels = [s["label"] for s in project.speakers(tid)]
            interviewer = str(t_rows[0].attributes.get("interviewer", ""))
            named = {r.speaker: r for r in t_rows if r.speaker}
            single = [r for r in t_rows if not r.speaker]
            for label in labels:
                match = _match_speaker(label, named)
                if match is not None:
                    project.set_speaker(tid, label, role="informant", case_id=match.case_id, coder=coder)
                elif is_interviewer_label(label) or _same_person(label, interviewer):
                    project.set_speaker(tid, label, role="interviewer", case_id=None, coder=coder)
                elif single:
                    project.set_speaker(tid, label, role="informant", case_id=single[0].case_id, coder=coder)
                else:
                    project.set_speaker(tid, label, role="unknown", case_id=None, coder=coder)
                    warnings.append(f"{tid}: speaker '{label}' is not in the case sheet")
            for spk, row in named.items():
                if not any(_match_speaker(label, {spk: row}) for label in labels):
                    close = difflib.get_close_matches(spk, labels, n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    warnings.append(f"case sheet line {row.line}: {tid} has no speaker '{spk}'{hint}")
    return len(rows), warnings


def _norm_label(label: str) -> str:
    return re.sub(r"[^\w]+", " ", label.lower()).strip()


def _match_speaker(label: str, named: dict[str, CaseRow]) -> CaseRow | None:
    if label in named:
        return named[label]
    norm = _norm_label(label)
    for spk, row in named.items():
        if _norm_label(spk) == norm:
            return row
    return None


def _same_person(label: str, name: str) -> bool:
    if not name:
        return False
    a, b = _norm_label(label), _norm_label(name)
    return a == b or (len(a) > 2 and (b.endswith(" " + a) or b.startswith(a + " ")))


# ---------------------------------------------------------------------------- codings from a quote table


def import_codings_table(
    project: Project, path: str | Path, *, transcript: str | None = None, default_coder: str
) -> dict[str, Any]:
    """Import codings from a CSV with columns quote, code[, transcript, coder, created, memo].

    Each quote must be verbatim text of the transcript; every unit it overlaps gets the code. The whole table is
    checked before anything is written.
    """
    p = Path(path)
    text = read_user_text(p, hint="save the table as UTF-8 CSV")
    # strict: an unclosed quote is an error, not one quote swallowing the rest of the table
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise InputError(f"malformed CSV ({err})", path=str(p), hint="check the quoting of the quotes") from None
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "quote" not in fields or "code" not in fields:
        raise InputError("needs the columns 'quote' and 'code'", path=str(p), line=1)
    tid_default = transcript or p.stem
    texts: dict[str, str] = {}
    units: dict[str, list[Segment]] = {}
    planned: list[tuple[int, str, int, str, str, str | None, str | None]] = []
    for n, raw in enumerate(rows, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        tid = row.get("transcript") or tid_default
        if tid not in texts:
            try:
                texts[tid] = project.transcript_text(tid)
            except Exception:
                raise InputError(f"transcript '{tid}' is not in the project", path=str(p), line=n) from None
            units[tid] = project.segments(tid)
        quote, code = row.get("quote", ""), row.get("code", "")
        if not quote or not code:
            raise InputError("quote and code must not be empty", path=str(p), line=n)
        try:
            project.require_code(code)
        except Exception as err:
            raise InputError(str(err), path=str(p), line=n) from None
        span = _find_quote(texts[tid], quote)
        if span is None:
            raise InputError(
                f'quote not found verbatim in {tid}: "{quote[:60]}"',
                path=str(p),
                line=n,
                hint="copy the passage exactly from 'qualcode segments'",
            )
        hit = [u for u in units[tid] if u["start"] < span[1] and u["end"] > span[0]]
        if any(u["role"] == "interviewer" for u in hit):
            raise InputError(f"quote in {tid} is an interviewer's question, not evidence", path=str(p), line=n)
        coder = row.get("coder") or default_coder
        for u in hit:
            planned.append((n, tid, u["id"], code, coder, row.get("created") or None, row.get("memo") or None))
    added = skipped = 0
    with project.transaction():
        existing = {(c["segment"], c["code"], c["coder"]) for c in project.codings()}
        for _n, _tid, seg_id, code, coder, created, memo in planned:
            if (seg_id, code, coder) in existing:
                skipped += 1
                continue
            project.add_coding(seg_id, code, coder=coder, created=created, memo=memo, source="import")
            existing.add((seg_id, code, coder))
            added += 1
    return {"file": str(p), "added": added, "skipped": skipped}


def _find_quote(text: str, quote: str) -> tuple[int, int] | None:
    pos = text.find(quote)
    if pos >= 0:
        return pos, pos + len(quote)
    # tolerate line breaks / double spaces inside the quote
    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


# ---------------------------------------------------------------------------- the bundled example


def _apply_agreement_file(project: Project, path: Path) -> dict[str, int]:
    """The example team's agreement sample and adjudication decisions (``transcripts/agreement.yaml``)."""
    import yaml

    from qualcode.synthesis.reconciled import add_to_sample
    from qualcode.teams.adjudicate import adjudicate

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for tid in data.get("sample") or []:
        add_to_sample(project, str(tid), coder="clara")
    decisions = data.get("decisions") or []
    for d in decisions:
        adjudicate(project, str(d["ref"]), str(d["code"]), str(d["decision"]), coder=str(d["by"]),
                   note=d.get("note"))
    return {"sample": len(data.get("sample") or []), "decisions": len(decisions)}


def build_example(dest: str | Path, *, force: bool = False) -> dict[str, Any]:
    """Create a working copy of the bundled example project (transcripts, case sheet, codebook, human codings)."""
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
        report = import_files(project, list(files), cases=src / "cases.csv", coder="clara")
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
        report["status"] = built.status()
    return report
