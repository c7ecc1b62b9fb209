"""Quote banks: every coded quote, verbatim, organised per criterion, then question/code, then stakeholder group
(or per criterion, group, code with ``by="group"``), each with an anonymous attribution and a stable reference
(``TRANSCRIPT:UNIT``) a reviewer can look up with ``qualcode segments``.

Formats: DOCX (real headings and the Quote style, what report writers paste from), XLSX (one sheet per criterion
with filters), CSV (one table) and Markdown. Names never appear unless ``show_names`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.model import ProgressFn
from qualcode.safeio.cleaning import clean
from qualcode.safeio.escaping import SafeCsvWriter, md_text
from qualcode.safeio.output import Confirm, atomic_output, claim_outputs
from qualcode.synthesis.evidence import criteria, load_evidence, reference, timestamp

if TYPE_CHECKING:
    from qualcode.store import Project

FORMATS = ("docx", "xlsx", "csv", "md")
BY = ("criterion", "group")
# the reader's columns first (what a report writer filters and reads), the project's ids last
COLUMNS = ["criterion_name", "code_name", "question", "stakeholder_group", "quote", "record", "attribution",
           "reference", "informant", "sex", "location", "source_type", "transcript", "unit", "time", "coders",
           "criterion", "code"]
HEADERS = {"criterion": "Criterion id", "criterion_name": "Criterion", "code": "Code id", "code_name": "Code",
           "question": "Evaluation question", "stakeholder_group": "Stakeholder group", "quote": "Quote",
           "record": "Record", "attribution": "Attribution", "reference": "Reference", "informant": "Informant",
           "sex": "Sex", "location": "Location", "source_type": "Source", "transcript": "Transcript",
           "unit": "Units", "time": "Time", "coders": "Coded by"}
# What the "record" column says: a verbatim quote, or the interviewer's notes (paraphrase, never to be quoted)
RECORDS = {"verbatim": "verbatim", "notes": "interview notes (paraphrase)"}
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_formats(value: str | Iterable[str]) -> list[str]:
    """'docx,xlsx' or 'all' -> a list of formats; raises QualcodeError naming the allowed ones."""
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part == "all":
                out.extend(f for f in FORMATS if f not in out)
            elif part in FORMATS:
                if part not in out:
                    out.append(part)
            else:
                raise QualcodeError(f"unknown format '{part}'", hint="use docx, xlsx, csv, md or all")
    if not out:
        raise QualcodeError("no format given", hint="use --format docx|xlsx|csv|md|all")
    return out


def _shared_detail(project: Project, show_names: bool) -> Callable[[str, str, dict[str, Any]], str]:
    """A quote's sex or location, given only where at least k informants of its stakeholder group share it (k, 2 by
    default, is the attribution setting): the only woman of the donors, or the only informant in Hai Phong, would
    otherwise be told apart by her column. With ``show_names`` every value is given."""
    from qualcode.safety.attribution import k_setting
    from qualcode.synthesis.evidence import UNKNOWN

    k = 1 if show_names else k_setting(project)
    shared: dict[tuple[str, str, str], int] = {}
    for case in project.cases():
        attrs = case["attributes"]
        group = str(attrs.get("stakeholder_group") or UNKNOWN)
        for field in ("sex", "location"):
            value = str(attrs.get(field) or "")
            shared[(group, field, value)] = shared.get((group, field, value), 0) + 1

    def detail(group: str, field: str, attrs: dict[str, Any]) -> str:
        value = str(attrs.get(field) or "")
        if not value or k <= 1 or shared.get((group, field, value), 0) >= k:
            return value
        return "–"

    return detail


def quote_bank(project: Project, *, by: str = "criterion", show_names: bool = False, criterion: str | None = None,
               progress: ProgressFn | None = None, coders: Iterable[str] | None = None) -> dict[str, Any]:
    """The quote bank as data: ``{"title", "by", "show_names", "criteria": [{"id", "name", "rows": [...]}]}``.

    Rows are sorted for reading (code order of the codebook, then group, then transcript and unit); a passage coded
    to the same code by several coders appears once, with every coder named.
    """
    from qualcode.safety.privacy import Attributor, Pseudonymiser

    if by not in BY:
        raise QualcodeError(f"cannot organise quotes by '{by}'", hint="use --by criterion or --by group")
    crits = criteria(project)
    if criterion is not None:
        row = project.require_code(criterion)
        crits = [c for c in crits if c["id"] == row["criterion_id"]]
    ev = load_evidence(project, criterion=crits[0]["id"] if criterion is not None else None, coders=coders)
    code_pos: dict[str, int] = {}
    questions: dict[str, str] = {}
    names: dict[str, str] = {}
    for c in crits:
        for code in c["codes"]:
            code_pos[code["id"]] = len(code_pos)
            questions[code["id"]] = "; ".join(code["questions"])
            names[code["id"]] = code["name"]
    pseudo = Pseudonymiser(project, enabled=not show_names)
    attribute = Attributor(project, show_names=show_names)
    detail = _shared_detail(project, show_names)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    total = len(ev)
    for n, r in enumerate(ev, start=1):
        if r["code"] not in code_pos:
            continue
        key = (r["ref"], r["code"])
        entry = merged.get(key)
        if entry is None:
            attrs = r["attributes"]
            merged[key] = entry = {
                "criterion": r["criterion"], "code": r["code"], "code_name": names.get(r["code"], r["code"]),
                "question": questions.get(r["code"], ""), "stakeholder_group": r["group"],
                "quote": pseudo(r["text"], r["transcript"]).strip(), "attribution": attribute(r),
                "record": RECORDS.get(r.get("record", "verbatim"), "verbatim"),
                "reference": r["ref"], "transcript": r["transcript"], "unit": r["idx"],
                "informant": r["case"] or "", "sex": detail(r["group"], "sex", attrs),
                "location": detail(r["group"], "location", attrs), "time": timestamp(r.get("t_start")),
                "t_start": r.get("t_start"), "source_type": r["source_type"], "coders": [],
                "_sort": (code_pos[r["code"]], r["group"], r["transcript"], r["idx"]),
            }
            entry["_span"] = (r["turn"], r["start"], r["end"])
            entry["_raw"] = r["text"]
        if r["coder"] not in entry["coders"]:
            entry["coders"].append(r["coder"])
        if progress and (n % 2000 == 0 or n == total):
            progress("collecting quotes", n, total)
    by_crit: dict[str, list[dict[str, Any]]] = {}
    for entry in _join_passages(project, list(merged.values()), pseudo):
        entry["coders"] = ", ".join(sorted(entry["coders"]))
        by_crit.setdefault(entry["criterion"], []).append(entry)
    out = []
    for c in crits:
        rows = by_crit.get(c["id"], [])
        if by == "group":
            rows.sort(key=lambda e: (e["stakeholder_group"], e["_sort"]))
        else:
            rows.sort(key=lambda e: e["_sort"])
        for e in rows:
            e.pop("_sort", None)
            e["criterion_name"] = c["name"]
        out.append({"id": c["id"], "name": c["name"], "rows": rows})
    return {"title": f"Quote bank: {project.name}", "by": by, "show_names": show_names, "criteria": out,
            "quotes": sum(len(c["rows"]) for c in out)}


def _join_passages(project: Project, entries: list[dict[str, Any]], pseudo: Any) -> list[dict[str, Any]]:
    """Consecutive units of one speaker turn coded to the same code become one quote, cut verbatim from the
    transcript (a report quotes a passage, not a string of sentence fragments); the reference becomes a range."""
    entries.sort(key=lambda e: (e["code"], e["transcript"], e["unit"]))
    texts: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for e in entries:
        prev = out[-1] if out else None
        if (prev is not None and prev["code"] == e["code"] and prev["transcript"] == e["transcript"]
                and prev["_last"] + 1 == e["unit"] and prev["_span"][0] == e["_span"][0]):
            prev["_last"] = e["unit"]
            prev["_end"] = e["_span"][2]
            prev["_units"] += 1
            for coder in e["coders"]:
                if coder not in prev["coders"]:
                    prev["coders"].append(coder)
            continue
        e["_last"] = e["unit"]
        e["_end"] = e["_span"][2]
        e["_units"] = 1
        out.append(e)
    for e in out:
        last = e["_last"] if e["_units"] > 1 else None
        if last is not None:
            if e["transcript"] not in texts:
                texts[e["transcript"]] = project.transcript_text(e["transcript"])
            raw = texts[e["transcript"]][e["_span"][1]:e["_end"]]
            e["quote"] = pseudo(" ".join(raw.split()), e["transcript"]).strip()
        e["reference"] = reference(e["transcript"], e["unit"], last, e.pop("t_start"))
        e["units"] = e["_units"]
        e["unit"] = f"{e['unit']}-{last}" if last is not None else str(e["unit"])
        for key in ("_span", "_raw", "_last", "_end", "_units"):
            e.pop(key, None)
    return out


def _levels(bank: dict[str, Any], row: dict[str, Any]) -> tuple[str, str]:
    code = row["code_name"] if not row["question"] else f"{row['code_name']}: {row['question']}"
    if bank["by"] == "group":
        return row["stakeholder_group"], code
    return code, row["stakeholder_group"]


def quote_files(out_dir: str | Path, formats: Iterable[str], criterion: str | None = None) -> list[Path]:
    """The files :func:`export_quotes` writes for these formats (``quotes.docx`` ... or ``quotes-CRITERION.docx``)."""
    stem = "quotes" if criterion is None else f"quotes-{criterion}"
    return [Path(out_dir) / f"{stem}.{fmt}" for fmt in parse_formats(list(formats))]


def export_quotes(project: Project, out_dir: str | Path, *, formats: Iterable[str] = ("docx",), by: str = "criterion",
                  show_names: bool = False, criterion: str | None = None, progress: ProgressFn | None = None,
                  coders: Iterable[str] | None = None, force: bool = False,
                  confirm: Confirm | None = None) -> dict[str, Any]:
    """Write the quote bank in each format to ``out_dir`` (created if needed). Returns the files written.

    An existing file is replaced only with ``force`` (or when ``confirm`` agrees), and is checked before any work;
    each file is written whole or not at all (:mod:`qualcode.safeio.output`).
    """
    fmts = parse_formats(list(formats))
    crit_id = project.require_code(criterion)["criterion_id"] if criterion is not None else None
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise QualcodeError(f"cannot write the quote bank into {out}: it is a file, not a folder",
                            hint="give --out a folder")
    if not out.exists() and out.suffix.lower().lstrip(".") in FORMATS:
        # '-o quotes.csv' would otherwise make a folder named quotes.csv holding quotes.docx
        raise QualcodeError(f"cannot write the quote bank into {out}: the quote bank takes a folder, and"
                            f" '{out.name}' names a file",
                            hint="give --out a folder (e.g. --out outputs) and the format with --format; the files"
                                 " are named quotes.<format>")
    paths = claim_outputs(quote_files(out, fmts, crit_id), force=force, confirm=confirm, what="quote bank")
    bank = quote_bank(project, by=by, show_names=show_names, criterion=criterion, progress=progress, coders=coders)
    writers = {"docx": write_docx, "xlsx": write_xlsx, "csv": write_csv, "md": write_markdown}
    for fmt, path in zip(fmts, paths, strict=True):
        with atomic_output(path, what=f"{fmt} file") as tmp:
            writers[fmt](bank, tmp, progress=progress)
    return {"files": [str(p) for p in paths], "quotes": bank["quotes"], "criteria": len(bank["criteria"]),
            "show_names": show_names}


def _clean(text: Any) -> str:
    # projects imported before control characters were removed at import may still hold some: XML refuses them
    return ILLEGAL_XML.sub("", clean(str(text)))


def write_csv(bank: dict[str, Any], path: Path, *, progress: ProgressFn | None = None) -> None:
    # utf-8-sig so Excel opens Vietnamese text correctly
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = SafeCsvWriter(fh)  # a quote starting '=' or '+' must stay text in Excel, not run as a formula
        w.writerow(COLUMNS)
        for c in bank["criteria"]:
            for r in c["rows"]:
                w.writerow([r[k] for k in COLUMNS])


def write_markdown(bank: dict[str, Any], path: Path, *, progress: ProgressFn | None = None) -> None:
    # every piece of data is escaped: a quote holding <script> or [text](link) is shown, never run or linked
    lines = [f"# {md_text(bank['title'])}", "", _note(bank), ""]
    for c in bank["criteria"]:
        lines += [f"## {md_text(c['name'])}", ""]
        if not c["rows"]:
            lines += ["*No coded quotes.*", ""]
        l2 = l3 = None
        for r in c["rows"]:
            a, b = _levels(bank, r)
            if a != l2:
                lines += [f"### {md_text(a)}", ""]
                l2, l3 = a, None
            if b != l3:
                lines += [f"#### {md_text(b)}", ""]
                l3 = b
            quote = md_text(" ".join(_clean(r["quote"]).split()))
            shown = f"*Interview notes, not verbatim:* {quote}" if _is_notes(r) else f"\u201c{quote}\u201d"
            lines += [f"> {shown}", ">",
                      f"> \u2014 {md_text(_clean(r['attribution']))} [{md_text(r['reference'])}]", ""]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def _is_notes(row: dict[str, Any]) -> bool:
    return row.get("record") == RECORDS["notes"]


def _note(bank: dict[str, Any]) -> str:
    notes = (" Passages marked 'interview notes' are the interviewer's paraphrase, not the informant's words: do not"
             " quote them." if any(_is_notes(r) for c in bank["criteria"] for r in c["rows"]) else "")
    if bank["show_names"]:
        return "CONFIDENTIAL: this quote bank shows informants' names. Do not circulate it." + notes
    return ("Quotes are verbatim; names of informants and interviewers are replaced by pseudonyms and attributions"
            " are anonymous. The reference (transcript:units, and the time into the recording where known)"
            " identifies each passage in the project." + notes)


def write_docx(bank: dict[str, Any], path: Path, *, progress: ProgressFn | None = None) -> None:
    """Headings (Heading 1-3) for criterion, code, group; each quote in the Quote style with its attribution.

    The document starts from python-docx's template (so Word's built-in styles are real styles); the body is
    generated as WordprocessingML in one piece, because adding 100,000 paragraphs one by one takes minutes.
    """
    from xml.sax.saxutils import escape

    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    doc = Document()
    doc.core_properties.title = bank["title"]
    sid = {name: doc.styles[name].style_id for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Quote")}

    def para(text: str, style: str | None = None) -> str:
        ppr = f'<w:pPr><w:pStyle w:val="{sid[style]}"/></w:pPr>' if style else ""
        return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(_clean(text))}</w:t></w:r></w:p>'

    parts = [para(bank["title"], "Title"), para(_note(bank))]
    total = bank["quotes"]
    done = 0
    for c in bank["criteria"]:
        parts.append(para(c["name"], "Heading 1"))
        if not c["rows"]:
            parts.append(para("No coded quotes."))
        l2 = l3 = None
        for r in c["rows"]:
            a, b = _levels(bank, r)
            if a != l2:
                parts.append(para(a, "Heading 2"))
                l2, l3 = a, None
            if b != l3:
                parts.append(para(b, "Heading 3"))
                l3 = b
            if _is_notes(r):  # paraphrase: no quotation marks, and said so before the text
                shown = ('<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Interview notes, not verbatim: </w:t>'
                         f'</w:r><w:r><w:t xml:space="preserve">{escape(_clean(r["quote"]))}</w:t></w:r>')
            else:
                shown = f'<w:r><w:t xml:space="preserve">\u201c{escape(_clean(r["quote"]))}\u201d</w:t></w:r>'
            parts.append(
                f'<w:p><w:pPr><w:pStyle w:val="{sid["Quote"]}"/></w:pPr>{shown}'
                f'<w:r><w:br/></w:r><w:r><w:rPr><w:i/><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">'
                f'\u2014 {escape(_clean(r["attribution"]))} [{escape(r["reference"])}]</w:t></w:r></w:p>'
            )
            done += 1
            if progress and (done % 5000 == 0 or done == total):
                progress("writing DOCX", done, total)
    body = doc.element.body
    fragment = parse_xml(f"<w:body {nsdecls('w')}>{''.join(parts)}</w:body>")
    sect = body.sectPr
    for child in list(fragment):
        if sect is not None:
            sect.addprevious(child)
        else:
            body.append(child)
    doc.save(str(path))


def _sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name: no []:*?/\\, at most 31 characters, cut at a word, no stray spaces."""
    clean = " ".join(re.sub(r"[\[\]:*?/\\]", " ", name).split()).strip("'")
    if len(clean) > 31:
        head = clean[:32]
        clean = (head.rsplit(" ", 1)[0] if " " in head else head[:31]).strip().strip("'")
    base = clean[:31] or "Criterion"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def write_xlsx(bank: dict[str, Any], path: Path, *, progress: ProgressFn | None = None) -> None:
    """One sheet per criterion: a bold, frozen header row with filters on every column, wide quote column.

    Written as SpreadsheetML directly (inline strings, so a quote is always text, never a formula): openpyxl needs
    about 20 s for 100,000 rows, this takes a few.
    """
    import zipfile
    from xml.sax.saxutils import escape

    from qualcode.exports.sheets import row_height

    def col_letter(n: int) -> str:
        out = ""
        while n:
            n, rem = divmod(n - 1, 26)
            out = chr(65 + rem) + out
        return out

    # long text wraps inside a readable width (Excel and LibreOffice grow the row to fit); short columns stay narrow
    widths = {"criterion_name": 18, "code_name": 26, "question": 40, "stakeholder_group": 18, "quote": 70,
              "record": 12, "attribution": 36, "reference": 22, "informant": 12, "sex": 6, "location": 12,
              "source_type": 8, "transcript": 11, "unit": 8, "time": 9, "coders": 14, "criterion": 16, "code": 22}
    wrapped = {"criterion_name", "code_name", "question", "stakeholder_group", "quote", "record", "attribution"}
    style = {col: (2 if col in wrapped else 3) for col in COLUMNS}
    wrap_cols = [col for col in COLUMNS if col in wrapped]
    wrap_widths = [widths[col] for col in wrap_cols]
    letters = {i: col_letter(i) for i in range(1, len(COLUMNS) + 1)}
    last = col_letter(len(COLUMNS))
    used: set[str] = set()
    sheets: list[tuple[str, str]] = []
    total = bank["quotes"]
    done = 0
    for c in bank["criteria"] or [{"name": "Quotes", "rows": []}]:
        title = _sheet_title(c["name"], used)
        n_rows = len(c["rows"]) + 1
        parts = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{last}{n_rows}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
            ' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/><cols>'
        ]
        for i, col in enumerate(COLUMNS, start=1):
            parts.append(f'<col min="{i}" max="{i}" width="{widths.get(col, 12)}" customWidth="1"/>')
        parts.append("</cols><sheetData>")
        parts.append('<row r="1">' + "".join(
            f'<c r="{col_letter(i)}1" t="inlineStr" s="1"><is><t>{escape(HEADERS[col])}</t></is></c>'
            for i, col in enumerate(COLUMNS, start=1)) + "</row>")
        for n, r in enumerate(c["rows"], start=2):
            cells = []
            for i, col in enumerate(COLUMNS, start=1):
                v = r[col]
                ref = f"{letters[i]}{n}"
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    cells.append(f'<c r="{ref}" s="3"><v>{v}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" s="{style[col]}" t="inlineStr"><is><t xml:space="preserve">'
                                 f'{escape(_clean(v))}</t></is></c>')
            # only the wrapped columns can make a row taller than one line
            height = row_height([r[col] for col in wrap_cols], wrap_widths)
            attrs = f' ht="{height:.0f}" customHeight="1"' if height else ""
            parts.append(f'<row r="{n}"{attrs}>{"".join(cells)}</row>')
            done += 1
            if progress and (done % 5000 == 0 or done == total):
                progress("writing XLSX", done, total)
        # printed on A4 landscape, one page wide, the header on every page
        parts.append(f'</sheetData><autoFilter ref="A1:{last}{n_rows}"/>'
                     '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                     '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
        sheets.append((title, "".join(parts)))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {ns} xmlns:r="{rel_ns}"><sheets>'
        + "".join(f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                  for i, (t, _) in enumerate(sheets, start=1))
        + "</sheets><definedNames>"
        + "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                  f"'{escape(t.replace(chr(39), chr(39) * 2))}'!$A$1:${last}${len(c['rows']) + 1}</definedName>"
                  for i, ((t, _), c) in enumerate(zip(sheets, bank["criteria"], strict=False)))
        + "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                  f"'{escape(t.replace(chr(39), chr(39) * 2))}'!$1:$1</definedName>"
                  for i, (t, _) in enumerate(sheets))
        + "</definedNames></workbook>"
    )
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
               '"http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i}" Type="{rel_ns}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                         for i in range(1, len(sheets) + 1))
               + f'<Relationship Id="rId{len(sheets) + 1}" Type="{rel_ns}/styles" Target="styles.xml"/>'
               "</Relationships>")
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {ns}>'
              '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
              '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="3"><fill><patternFill patternType="none"/></fill>'
              '<fill><patternFill patternType="gray125"/></fill>'
              '<fill><patternFill patternType="solid"><fgColor rgb="FFE7EEF7"/><bgColor indexed="64"/></patternFill>'
              '</fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              # 0 plain, 1 header (bold, wrapped, shaded), 2 wrapped text at the top of its cell, 3 top-aligned
              '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"'
              ' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
              '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
              '<alignment vertical="top" wrapText="1"/></xf>'
              '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
              '<alignment vertical="top"/></xf></cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns='
        '"http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType='
                  '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for i in range(1, len(sheets) + 1))
        + "</Types>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                 '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                 f'"{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", styles)
        for i, (_t, xml) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
