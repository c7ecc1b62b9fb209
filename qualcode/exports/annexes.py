"""The report's annexes: the evaluation matrix (one row per evaluation question: criterion, question, indicator,
findings, evidence strength, interview sources by stakeholder group, documents, silent groups) and the list of
persons consulted (by stakeholder group and organisation, counted by sex and by method; names only when asked).

Both as Word (Word's own Heading and Table Grid styles, landscape for the wide matrix), XLSX (wrapped text, widths,
frozen header, filters) and CSV (UTF-8 with BOM, cells that cannot become formulas). The evidence counted is the
reconciled view, as in every synthesis command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.exports.chapter import output_path
from qualcode.exports.sheets import write_xlsx_tables
from qualcode.safeio.output import Confirm, atomic_output, claim_output

if TYPE_CHECKING:
    from qualcode.store import Project

FORMATS = ("docx", "xlsx", "csv")
SEXES = ("Women", "Men", "Other", "Not recorded")
_WOMEN = {"f", "female", "woman", "women", "w", "nu", "nữ", "femme", "mujer"}
_MEN = {"m", "male", "man", "men", "nam", "homme", "hombre"}


def sex_label(value: Any) -> str:
    """'F', 'female', 'Nữ' -> 'Women'; 'M', 'male', 'Nam' -> 'Men'; anything else given -> 'Other'; empty ->
    'Not recorded'."""
    text = str(value or "").strip().lower().rstrip(".")
    if not text:
        return "Not recorded"
    if text in _WOMEN:
        return "Women"
    if text in _MEN:
        return "Men"
    return "Other"


# ---------------------------------------------------------------------------------------------- persons consulted


def persons_summary(project: Project, *, show_names: bool = False) -> dict[str, Any]:
    """Informants by stakeholder group and organisation, counted by sex and method (KII, FGD, ...).

    ``{"groups": [{"group", "sex": {...}, "methods": {...}, "total", "organisations": [{"organisation", "sex",
    "methods", "total"}]}], "total": {...}, "sexes": [...], "methods": [...], "by_method_sex": {method: {sex: n}},
    "persons": [...]}``. ``persons`` (name, role, organisation, group, sex, method, location, date) is filled only
    with ``show_names``: without it nothing singles a person out beyond the counts, and each count by sex of fewer
    than the project's k persons, with every count it could be worked out from, is withheld (left out of ``sex``
    and listed in the row's ``withheld_sexes``).
    """
    from qualcode.safety.attribution import k_setting
    from qualcode.synthesis.evidence import UNKNOWN, source_type

    transcripts = {t["id"]: t for t in project.transcripts()}
    methods_of: dict[str, set[str]] = {}
    dates_of: dict[str, set[str]] = {}
    for sp in project.speakers():
        if not sp["case_id"] or sp["role"] == "interviewer":
            continue
        t = transcripts.get(sp["transcript_id"])
        if t is None or t.get("kind") == "document":
            continue
        attrs = t.get("attributes") or {}
        methods_of.setdefault(sp["case_id"], set()).add(source_type(attrs))
        if attrs.get("date"):
            dates_of.setdefault(sp["case_id"], set()).add(str(attrs["date"]))
    groups: dict[str, dict[str, Any]] = {}
    persons = []
    by_method_sex: dict[str, dict[str, int]] = {}  # for the sentence under the table ("KII: 7 women, 5 men")
    for case in project.cases():
        attrs = case["attributes"]
        methods = sorted(methods_of.get(case["id"], set()))
        if not methods:
            if not case["transcripts"] and not attrs.get("type"):
                continue  # listed in the case sheet, never heard: not consulted
            methods = [source_type(attrs)]
        group = str(attrs.get("stakeholder_group") or UNKNOWN)
        org = str(attrs.get("organisation") or attrs.get("organisation_type") or "(not recorded)")
        sex = sex_label(attrs.get("sex"))
        for m in methods_of.get(case["id"], ()):  # the methods the case was heard by, not the one assumed above
            by_method_sex.setdefault(m, {})
            by_method_sex[m][sex] = by_method_sex[m].get(sex, 0) + 1
        g = groups.setdefault(group, {"group": group, "organisations": {}})
        o = g["organisations"].setdefault(org, {"organisation": org, "sex": {}, "methods": {}, "total": 0})
        o["sex"][sex] = o["sex"].get(sex, 0) + 1
        for m in methods:
            o["methods"][m] = o["methods"].get(m, 0) + 1
        o["total"] += 1
        if show_names:
            persons.append({"name": case.get("name") or "", "role": str(attrs.get("role") or ""),
                            "organisation": org, "group": group, "sex": sex, "method": ", ".join(methods),
                            "location": str(attrs.get("location") or ""),
                            "date": ", ".join(sorted(dates_of.get(case["id"], set())))})
    out_groups = []
    total: dict[str, Any] = {"sex": {}, "methods": {}, "total": 0}
    for name in sorted(groups, key=lambda g: (g == UNKNOWN, g.lower())):
        g = groups[name]
        orgs = sorted(g["organisations"].values(), key=lambda o: o["organisation"].lower())
        entry: dict[str, Any] = {"group": name, "organisations": orgs, "sex": {}, "methods": {}, "total": 0}
        for o in orgs:
            entry["total"] += o["total"]
            for key in ("sex", "methods"):
                for k, v in o[key].items():
                    entry[key][k] = entry[key].get(k, 0) + v
                    total[key][k] = total[key].get(k, 0) + v
        total["total"] += entry["total"]
        out_groups.append(entry)
    sexes = [s for s in SEXES if total["sex"].get(s)] or ["Women", "Men"]
    for s in ("Women", "Men"):  # always shown, even at zero: a zero is a finding for the gender criterion
        if s not in sexes:
            sexes.insert(0 if s == "Women" else 1, s)
    min_k = 1 if show_names else k_setting(project)
    if not show_names:  # the list of persons is there when names are asked for: nothing to withhold then
        _withhold_small_cells(out_groups, total, by_method_sex, sexes, min_k)
    methods = sorted(total["methods"], key=lambda m: (m not in ("KII", "FGD"), m != "KII", m))
    persons.sort(key=lambda p: (p["group"].lower(), p["organisation"].lower(), p["name"].lower()))
    return {"title": f"Persons consulted: {project.name}", "groups": out_groups, "total": total, "sexes": sexes,
            "methods": methods, "by_method_sex": by_method_sex, "persons": persons, "show_names": show_names,
            "k": min_k}


def _withhold_small_cells(groups: list[dict[str, Any]], total: dict[str, Any],
                          by_method_sex: dict[str, dict[str, int]], sexes: list[str], k: int) -> None:
    """Without names, no count by sex describes fewer than ``k`` persons (the project's attribution k, 2 by default):
    each such cell is withheld, and so is any other cell from which it could be worked out, since a row's cells add
    up to its total, an organisation's to its group's and a group's to the grand total (complementary suppression,
    as statistics offices do). The persons of a withheld cell still count in the totals and by method. Each row
    keeps the counts shown in ``sex``, lists the withheld ones in ``withheld_sexes`` and is ``withheld`` when any
    is."""
    rows: list[dict[str, Any]] = [*groups, *(o for g in groups for o in g["organisations"]), total]
    Cell = tuple[int, str]  # (row's position in ``rows``, sex)
    index = {id(r): n for n, r in enumerate(rows)}

    def cell(row: dict[str, Any], sex: str) -> Cell:
        return index[id(row)], sex

    def value(c: Cell) -> int:
        return int(rows[c[0]]["sex"].get(c[1], 0))

    # the sums a reader can check: (cells, the cell they add up to, or None for a row's total, which is always shown)
    sums: list[tuple[list[Cell], Cell | None]] = [([cell(r, s) for s in sexes], None) for r in rows]
    for s in sexes:
        sums.append(([cell(g, s) for g in groups], cell(total, s)))
        sums += [([cell(o, s) for o in g["organisations"]], cell(g, s)) for g in groups if len(g["organisations"]) > 1]
    # a lone organisation is its group's row: the same count, printed once, so hidden in both or neither
    same = [(cell(g["organisations"][0], s), cell(g, s)) for g in groups if len(g["organisations"]) == 1
            for s in sexes]
    hidden: set[Cell] = {(n, s) for n in range(len(rows)) for s in sexes if 0 < value((n, s)) < k} if k > 1 else set()
    changed = bool(hidden)
    while changed:  # each pass hides more; it stops when no hidden count can be worked out from a sum
        changed = False
        for a, b in same:
            if (a in hidden) != (b in hidden):
                hidden.update((a, b))
                changed = True
        for cells, whole in sums:
            # one unknown in a sum is worked out from the rest (a hidden subtotal from its shown parts too)
            if sum(c in hidden for c in [*cells, *([whole] if whole else [])]) != 1:
                continue
            others = [c for c in cells if c not in hidden]
            # the smallest other count goes with it (a zero only when nothing else is left), else the sum itself
            pick = min(others, key=lambda c: (value(c) == 0, value(c), c)) if others else whole
            if pick is not None:
                hidden.add(pick)
                changed = True
    for n, r in enumerate(rows):
        gone = [s for s in sexes if (n, s) in hidden]
        r["withheld_sexes"] = gone
        r["withheld"] = bool(gone)
        r["sex"] = {s: v for s, v in r["sex"].items() if s not in gone}
    # the sentence by method gives sex only where no count is small and the table withholds nothing of the total
    small = any(0 < v < k for counts in by_method_sex.values() for v in counts.values())
    if k > 1 and (small or total["withheld"]):
        for method in by_method_sex:
            by_method_sex[method] = {}


def _sex_cells(row: dict[str, Any], sexes: list[str]) -> list[Any]:
    gone = row.get("withheld_sexes") or ()
    return ["–" if s in gone else row["sex"].get(s, 0) for s in sexes]


def _persons_table(summary: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = ["Stakeholder group", "Organisation", *summary["sexes"], "Total", *summary["methods"]]
    rows: list[list[Any]] = []
    for g in summary["groups"]:
        for n, o in enumerate(g["organisations"]):
            rows.append([g["group"] if n == 0 else "", o["organisation"],
                         *_sex_cells(o, summary["sexes"]), o["total"],
                         *[o["methods"].get(m, 0) for m in summary["methods"]]])
        if len(g["organisations"]) > 1:
            rows.append(["", f"All {g['group']}", *_sex_cells(g, summary["sexes"]), g["total"],
                         *[g["methods"].get(m, 0) for m in summary["methods"]]])
    t = summary["total"]
    rows.append(["Total", "", *_sex_cells(t, summary["sexes"]), t["total"],
                 *[t["methods"].get(m, 0) for m in summary["methods"]]])
    return header, rows


def _by_method_text(summary: dict[str, Any]) -> str:
    parts = []
    for m in summary["methods"]:
        counts = summary["by_method_sex"].get(m, {})
        if not counts:
            n = summary["total"]["methods"].get(m, 0)
            parts.append(f"{m}: {n} {'person' if n == 1 else 'persons'}")
            continue
        parts.append(f"{m}: " + ", ".join(f"{counts.get(s, 0)} {s.lower()}" for s in summary["sexes"]
                                          if counts.get(s, 0) or s in ("Women", "Men")))
    t = summary["total"]
    text = (f"{t['total']} persons were consulted in {len(summary['groups'])} stakeholder groups. By method and sex: "
            + "; ".join(parts) + ". A person heard in an interview and a focus group counts under both methods.")
    rows = [*summary["groups"], *(o for g in summary["groups"] for o in g["organisations"])]
    if any(r.get("withheld") for r in rows):
        k = summary.get("k", 2)
        text += (f" A count by sex is not shown (–) where it would describe fewer than {'two' if k == 2 else k}"
                 " persons, nor where such a count could otherwise be worked out from the totals.")
    return text


PERSON_COLUMNS = ["name", "role", "organisation", "group", "sex", "method", "location", "date"]
PERSON_HEADERS = ["Name", "Role", "Organisation", "Stakeholder group", "Sex", "Method", "Location", "Date"]


def write_persons_docx(summary: dict[str, Any], path: Path, *, figure: Any = None) -> None:
    from qualcode.exports import word

    doc = word.new_document(summary["title"])
    word.heading(doc, "Persons consulted", 1)
    if summary["show_names"]:
        word.para(doc, "CONFIDENTIAL: this annex lists informants by name. Do not circulate it beyond those the"
                       " informants agreed to.", bold=True)
    word.para(doc, _by_method_text(summary))
    header, rows = _persons_table(summary)
    n_counts = len(header) - 2
    t = word.table(doc, header, rows, widths_cm=[3.2, 4.6] + [1.8] * n_counts)
    for row in t.rows:  # counts right-aligned; total rows in bold
        for cell in row.cells[2:]:
            for p in cell.paragraphs:
                p.alignment = 2
    for r, values in enumerate(rows, start=1):
        if values[0] == "Total" or str(values[1]).startswith("All "):
            for cell in t.rows[r].cells:
                for p in cell.paragraphs:
                    for rr in p.runs:
                        rr.bold = True
    if figure is not None:
        word.para(doc)
        word.figure(doc, figure, width_cm=min(15.0, word.text_width_cm(doc)))
    if summary["show_names"] and summary["persons"]:
        word.heading(doc, "List of persons", 2)
        word.table(doc, PERSON_HEADERS, [[p[c] for c in PERSON_COLUMNS] for p in summary["persons"]],
                   widths_cm=[3.2, 3.2, 3.6, 2.4, 1.2, 1.2, 1.6, 1.8], size=8)
    doc.save(str(path))


def write_persons_csv(summary: dict[str, Any], path: Path) -> None:
    from qualcode.safeio.escaping import SafeCsvWriter

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = SafeCsvWriter(fh)
        if summary["show_names"]:
            w.writerow(PERSON_HEADERS)
            for p in summary["persons"]:
                w.writerow([p[c] for c in PERSON_COLUMNS])
            return
        # one flat row per organisation (for pivot tables), then the total
        w.writerow(["Stakeholder group", "Organisation", *summary["sexes"], "Total", *summary["methods"]])
        for g in summary["groups"]:
            for o in g["organisations"]:
                w.writerow([g["group"], o["organisation"], *_sex_cells(o, summary["sexes"]),
                            o["total"], *[o["methods"].get(m, 0) for m in summary["methods"]]])
        t = summary["total"]
        w.writerow(["Total", "", *_sex_cells(t, summary["sexes"]), t["total"],
                    *[t["methods"].get(m, 0) for m in summary["methods"]]])


def write_persons_xlsx(summary: dict[str, Any], path: Path) -> None:
    header, rows = _persons_table(summary)
    sheets = [("Persons consulted", header, rows, [24, 40] + [10] * (len(header) - 2))]
    if summary["show_names"]:
        sheets.append(("List of persons", PERSON_HEADERS,
                       [[p[c] for c in PERSON_COLUMNS] for p in summary["persons"]], [26, 28, 36, 22, 9, 10, 14, 14]))
    write_xlsx_tables(path, sheets, title=summary["title"])


def export_persons(project: Project, out: str | Path | None = None, *, fmt: str | None = None,
                   show_names: bool = False, force: bool = False, confirm: Confirm | None = None,
                   charts: bool = True) -> dict[str, Any]:
    """Write the persons-consulted annex (docx, xlsx or csv); names only with ``show_names``."""
    path, fmt = output_path(out, fmt, FORMATS, "outputs/persons-consulted")
    claim_output(path, force=force, confirm=confirm, what="persons annex")
    summary = persons_summary(project, show_names=show_names)
    figure = None
    if charts and fmt == "docx" and summary["groups"]:
        from qualcode.exports.charts import informants_chart

        figure = informants_chart(summary, formats=("png",))
    with atomic_output(path, what=f"{fmt} file") as tmp:
        if fmt == "docx":
            write_persons_docx(summary, tmp, figure=figure)
        elif fmt == "xlsx":
            write_persons_xlsx(summary, tmp)
        else:
            write_persons_csv(summary, tmp)
    return {"file": str(path), "format": fmt, "persons": summary["total"]["total"],
            "groups": len(summary["groups"]), "show_names": show_names}


# ---------------------------------------------------------------------------------------------- evaluation matrix


def evaluation_matrix(project: Project) -> dict[str, Any]:
    """One row per evaluation question (a criterion's child code; a criterion without questions is its own row; a
    criterion's passages and findings not filed under a question get a row "criterion as a whole"):
    criterion, question (name and text), indicators, findings (id, statement, strength), evidence strength of the
    question's coded passages, interview sources by stakeholder group, documents, silent groups."""
    from qualcode.safety.privacy import Pseudonymiser
    from qualcode.synthesis.evidence import criteria, load_evidence, stakeholder_groups
    from qualcode.synthesis.findings import list_findings
    from qualcode.synthesis.triangulation import event_of, event_sizes, load_rule, measure

    crits = criteria(project)
    rule = load_rule(project)
    groups = stakeholder_groups(project)
    sizes = event_sizes(project)
    ev = load_evidence(project)
    parents = {r["id"]: r["parent_id"] for r in project.code_rows(include_inactive=True)}
    titles = {t["id"]: t.get("title") or t["id"] for t in project.transcripts()}
    pseudo = Pseudonymiser(project)
    findings = list_findings(project)

    def row_of(code: str | None, crit: dict[str, Any], questions: set[str]) -> str:
        """The matrix row (question id, or the criterion's id) a code falls under."""
        cur = code
        while cur and cur not in questions:
            cur = parents.get(cur)
        return cur or crit["id"]

    out_rows = []
    for crit in crits:
        questions = [c for c in crit["codes"] if c["parent"] == crit["id"]]
        qids = {q["id"] for q in questions}
        by_row: dict[str, list[dict[str, Any]]] = {}
        for r in ev:
            if r["criterion"] == crit["id"]:
                by_row.setdefault(row_of(r["code"], crit, qids), []).append(r)
        f_by_row: dict[str, list[dict[str, Any]]] = {}
        for f in findings:
            if f["criterion"] == crit["id"]:
                f_by_row.setdefault(row_of(f["code"], crit, qids), []).append(f)
        own = next(c for c in crit["codes"] if c["id"] == crit["id"])
        specs = [(q, q["id"]) for q in questions]
        if not questions or by_row.get(crit["id"]) or f_by_row.get(crit["id"]):
            specs.insert(0, (own, crit["id"]))
        for code, key in specs:
            rows = by_row.get(key, [])
            m = measure(rows, all_groups=groups, rule=rule, events=sizes)
            sources: dict[str, set[str]] = {}
            coded_docs: set[str] = set()
            for r in rows:
                if r["source_type"] == "document":
                    coded_docs.add(str(titles.get(r["transcript"], r["transcript"])))
                else:
                    sources.setdefault(r["group"], set()).add(event_of(r))
            fs = f_by_row.get(key, [])
            cited = [d for f in fs for d in f["documents"]]
            whole = key == crit["id"] and bool(questions)
            out_rows.append({
                "criterion": crit["id"], "criterion_name": crit["name"], "code": code["id"],
                "question_name": (f"{crit['name']} as a whole" if whole else code["name"]),
                "question": list(code["questions"]), "indicators": list(code.get("indicators") or []),
                "findings": [{"id": f["id"], "statement": pseudo(f["statement"]), "strength": f["strength"]}
                             for f in fs],
                "strength": m["strength"], "units": m["units"], "events": m["events"],
                "informants": m["informants"],
                "sources": [{"group": g, "events": sorted(v, key=_event_key)} for g, v in
                            sorted(sources.items(), key=lambda kv: kv[0].lower())],
                "documents": sorted(coded_docs) + [d for d in dict.fromkeys(cited) if d not in coded_docs],
                "silent_groups": m["silent_groups"],
            })
    return {"title": f"Evaluation matrix: {project.name}", "rows": out_rows, "rule": rule.describe()}


def _event_key(event: str) -> tuple[bool, str, int, str]:
    """Interviews before discussions, then by id in number order (KII-2 before KII-10)."""
    head, _, num = event.rpartition("-")
    fgd = event.upper().startswith("FGD")
    return (fgd, head, int(num), event) if num.isdigit() else (fgd, event, 0, event)


MATRIX_HEADERS = ["Criterion", "Evaluation question", "Indicator", "Findings", "Evidence strength",
                  "Interview sources by stakeholder group", "Documents", "Silent groups"]


def _matrix_cells(row: dict[str, Any]) -> list[Any]:
    """The row as cells; a cell with several items is a list (one paragraph or line each)."""
    question = [("bold", row["question_name"]), *row["question"]]
    findings = [f"{f['id']} ({f['strength']}): {f['statement']}" for f in row["findings"]] or ["\u2013"]
    strength: list[Any] = ([("bold", row["strength"]), f"{row['units']} passages",
                            f"{row['events']} interviews and FGDs", f"{row['informants']} informants"]
                           if row["units"] else ["no coded evidence"])
    sources = [f"{s['group']}: {', '.join(s['events'])}" for s in row["sources"]] or ["\u2013"]
    return [("bold", row["criterion_name"]), question, row["indicators"] or ["\u2013"], findings, strength, sources,
            row["documents"] or ["\u2013"], ", ".join(row["silent_groups"]) or "\u2013"]


def write_matrix_docx(data: dict[str, Any], path: Path) -> None:
    from qualcode.exports import word

    doc = word.new_document(data["title"])
    word.first_section_landscape(doc)
    word.heading(doc, "Evaluation matrix", 1)
    word.para(doc, "One row per evaluation question: its indicator, the findings that answer it, the strength of the"
                   " coded evidence behind it, the interviews and focus-group discussions it comes from by stakeholder"
                   " group, the documents, and the groups that were not heard on it.")
    rows: list[list[Any]] = []
    for n, row in enumerate(data["rows"]):
        cells = _matrix_cells(row)
        if n and data["rows"][n - 1]["criterion"] == row["criterion"]:
            cells[0] = ""  # the criterion once, at the top of its questions
        rows.append(cells)
    word.table(doc, MATRIX_HEADERS, rows, widths_cm=[2.6, 4.6, 2.6, 5.4, 2.4, 4.0, 2.4, 2.4], size=8)
    word.para(doc, "Evidence strength follows the project's triangulation rule: " + "; ".join(data["rule"]) + ".",
              italic=True, size=8)
    doc.save(str(path))


def _flat(value: Any) -> str:
    """A cell as plain text (CSV, XLSX): items on lines of their own, emphasis dropped."""
    items = value if isinstance(value, list) else [value]
    return "\n".join(str(v[1] if isinstance(v, tuple) else v) for v in items)


def write_matrix_csv(data: dict[str, Any], path: Path) -> None:
    from qualcode.safeio.escaping import SafeCsvWriter

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = SafeCsvWriter(fh)
        w.writerow(["Criterion id", "Question id", *MATRIX_HEADERS, "Finding ids", "Passages", "Informants"])
        for row in data["rows"]:
            w.writerow([row["criterion"], row["code"], *[_flat(c) for c in _matrix_cells(row)],
                        ", ".join(f["id"] for f in row["findings"]), row["units"], row["informants"]])


def write_matrix_xlsx(data: dict[str, Any], path: Path) -> None:
    rows = [[*[_flat(c) for c in _matrix_cells(row)], row["criterion"], row["code"]] for row in data["rows"]]
    write_xlsx_tables(path, [("Evaluation matrix", [*MATRIX_HEADERS, "Criterion id", "Question id"], rows,
                              [18, 40, 24, 60, 20, 36, 26, 22, 16, 24])], title=data["title"])


def export_matrix(project: Project, out: str | Path | None = None, *, fmt: str | None = None, force: bool = False,
                  confirm: Confirm | None = None) -> dict[str, Any]:
    """Write the evaluation-matrix annex (docx, xlsx or csv)."""
    path, fmt = output_path(out, fmt, FORMATS, "outputs/evaluation-matrix")
    claim_output(path, force=force, confirm=confirm, what="evaluation matrix")
    data = evaluation_matrix(project)
    writers = {"docx": write_matrix_docx, "xlsx": write_matrix_xlsx, "csv": write_matrix_csv}
    with atomic_output(path, what=f"{fmt} file") as tmp:
        writers[fmt](data, tmp)
    return {"file": str(path), "format": fmt, "questions": len(data["rows"]),
            "findings": sum(len(r["findings"]) for r in data["rows"])}
