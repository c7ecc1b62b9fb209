"""The findings chapter, the evaluation-matrix annex and the persons-consulted annex, read as the report writer and
the reviewer read them, on the bundled example: criteria in the codebook's order, every finding with its evidence
and quotes, attributions and references on every quote, no names, charts, one matrix row per evaluation question."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qualcode.actions.history import undo
from qualcode.actions.projects import set_record
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.exports.annexes import evaluation_matrix, export_matrix, export_persons, persons_summary, sex_label
from qualcode.exports.chapter import export_chapter, finding_quotes, findings_chapter
from qualcode.store import Project
from qualcode.synthesis.evidence import criteria, reference, timestamp
from qualcode.synthesis.findings import list_findings, set_key_quotes

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"\[[A-Z]+-\d+:\d+(?:-\d+)?(?:, \d\d:\d\d:\d\d)?\]")


def case_names() -> list[str]:
    with open(ROOT / "transcripts" / "cases.csv", encoding="utf-8-sig", newline="") as fh:
        return [row["name"] for row in csv.DictReader(fh) if row["name"]]


def leaks(text: str) -> list[str]:
    """Full names of the example's informants, and their given names used alone (the last word of a Vietnamese name,
    three letters or more), found in ``text``."""
    found = [n for n in case_names() if n in text]
    for name in case_names():
        given = name.split()[-1]
        if len(given) >= 3 and re.search(rf"(?<![A-Za-z]){given}(?![A-Za-z])", text):
            # "Hai Phong", "Bac Ninh" contain given names as place names: a given name alone is a leak only when it
            # is not followed or preceded by a capitalised word of a place
            for m in re.finditer(rf"(?<![A-Za-z]){given}(?![A-Za-z])", text):
                before, after = text[max(0, m.start() - 12):m.start()], text[m.end():m.end() + 8]
                if not re.match(r" [A-Z]", after) and not re.search(r"[A-Z][a-z]+ $", before):
                    found.append(given)
    return found


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    from docx import Document

    return [(p.style.name if p.style is not None else "", p.text) for p in Document(str(path)).paragraphs]


def docx_all_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def outputs(example_project_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("annexes")
    project = Project.open(example_project_path)
    try:
        files = {}
        for fmt in ("docx", "md"):
            files[f"chapter.{fmt}"] = Path(export_chapter(project, out / f"findings.{fmt}")["file"])
        for fmt in ("docx", "xlsx", "csv"):
            files[f"matrix.{fmt}"] = Path(export_matrix(project, out / f"matrix.{fmt}")["file"])
            files[f"persons.{fmt}"] = Path(export_persons(project, out / f"persons.{fmt}")["file"])
        files["persons-names.docx"] = Path(export_persons(project, out / "named.docx", show_names=True)["file"])
        yield {"files": files, "findings": list_findings(project), "criteria": criteria(project),
               "chapter": findings_chapter(project), "matrix": evaluation_matrix(project)}
    finally:
        project.close()


def test_chapter_follows_the_codebook_not_the_order_findings_were_written(outputs) -> None:  # type: ignore[no-untyped-def]
    paras = docx_paragraphs(outputs["files"]["chapter.docx"])
    assert [t for s, t in paras if s == "Heading 1"] == ["Findings"]
    assert [t for s, t in paras if s == "Heading 2"] == [c["name"] for c in outputs["criteria"]]
    written = [f["id"] for f in outputs["findings"]]
    assert written[0] == "F-EFF-1" and written[-1] == "F-REL-1"  # the team drafted effectiveness first
    h3 = [t for s, t in paras if s == "Heading 3"]
    order = [t.split(":")[0].removeprefix("Finding ") for t in h3]
    assert order == ["F-REL-1", "F-DES-1", "F-COH-1", "F-EFF-2", "F-EFF-1", "F-EFC-1", "F-IMP-1", "F-SUS-1",
                     "F-GEN-1"]
    # within a criterion, by question in codebook order: outputs (F-EFF-2) come before outcomes (F-EFF-1)
    assert "Finding F-EFF-2: Outputs delivered" in h3
    # a criterion with no finding is said, not silently skipped
    lessons = [t for s, t in paras].index("Lessons learned")
    assert paras[lessons + 1][1] == "No finding has been written for this criterion yet."


def test_every_finding_has_statement_strength_quotes_with_attribution_and_sources(outputs) -> None:  # type: ignore[no-untyped-def]
    paras = docx_paragraphs(outputs["files"]["chapter.docx"])
    texts = [t for _, t in paras]
    for f in outputs["findings"]:
        head = next(i for i, t in enumerate(texts) if t.startswith(f"Finding {f['id']}"))
        end = next((i for i in range(head + 1, len(paras)) if paras[i][0].startswith("Heading")), len(paras))
        body = paras[head + 1:end]
        assert body[0][1] == " ".join(f["statement"].split()) and body[1][1].startswith(f"Evidence: {f['strength']}.")
        quotes = [t for s, t in body if s == "Quote"]
        assert quotes, f["id"]
        for q in quotes:
            text, _, attribution = q.partition("\n")
            assert text.startswith(("\u201c", "Contrary view: \u201c")) and text.endswith("\u201d")
            assert attribution.startswith("\u2014 Interview with") or attribution.startswith("\u2014 FGD with")
            assert REFERENCE.search(attribution), attribution
        assert any(t.startswith("Passages: ") for _, t in body)
    chapter_fgd = next(t for t in texts if "FGD-01, " in t and t.startswith("Evidence:"))
    assert re.search(r"FGD-01, \d of 5 participants", chapter_fgd)  # a discussion counts once, with its size


def test_quotes_are_distinct_and_one_per_group_first(outputs) -> None:  # type: ignore[no-untyped-def]
    for c in outputs["chapter"]["criteria"]:
        for f in c["findings"]:
            quotes = f["quotes"]
            assert len(quotes) <= 3 and len({q["text"] for q in quotes}) == len(quotes)
            groups = f["rests_on"]["groups"]
            if len(groups) >= 3:
                assert len({q["group"] for q in quotes}) == 3, f["id"]  # three groups, one quote each
            for q in quotes:
                assert len(q["text"].split()) >= 6  # "Yes, it is fine for me." is no report quote


def test_divergent_views_are_reported_with_the_contrary_quote(outputs) -> None:  # type: ignore[no-untyped-def]
    f = next(f for c in outputs["chapter"]["criteria"] for f in c["findings"] if f["id"] == "F-EFF-1")
    assert [d["group"] for d in f["divergence"]["groups"]] == ["Workers' organisation"]
    (q,) = f["divergence"]["quotes"]
    assert q["reference"].startswith("FGD-01:46") and "complaints that really matter" in q["text"]
    md = outputs["files"]["chapter.md"].read_text(encoding="utf-8")
    assert "Divergent views: Workers' organisation is divided (1 informant disagrees, 1 agrees)." in md
    assert "> **Contrary view:** \u201cThe number of complaints in the logbook" in md


def test_no_informant_name_in_the_chapter_the_matrix_or_the_persons_annex(outputs) -> None:  # type: ignore[no-untyped-def]
    files = outputs["files"]
    texts = {
        "chapter.docx": docx_all_text(files["chapter.docx"]),
        "chapter.md": files["chapter.md"].read_text(encoding="utf-8"),
        "matrix.docx": docx_all_text(files["matrix.docx"]),
        "matrix.csv": files["matrix.csv"].read_text(encoding="utf-8-sig"),
        "persons.docx": docx_all_text(files["persons.docx"]),
        "persons.csv": files["persons.csv"].read_text(encoding="utf-8-sig"),
    }
    from openpyxl import load_workbook

    for name in ("matrix.xlsx", "persons.xlsx"):
        wb = load_workbook(files[name])
        texts[name] = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                                if c.value is not None)
    for what, text in texts.items():
        assert leaks(text) == [], what
    named = docx_all_text(files["persons-names.docx"])
    assert all(n in named for n in case_names())  # asked for: the annex lists them
    assert "CONFIDENTIAL" in named
    # the document properties do not name whoever ran the export either
    from docx import Document

    props = Document(str(files["chapter.docx"])).core_properties
    assert props.author == "" and props.last_modified_by == ""


def test_charts_are_in_the_word_documents_with_captions_and_text_alternatives(outputs) -> None:  # type: ignore[no-untyped-def]
    from docx import Document
    from docx.oxml.ns import qn

    for name in ("chapter.docx", "persons.docx"):
        doc = Document(str(outputs["files"][name]))
        (shape,) = doc.inline_shapes
        assert shape.width > 0 and shape._inline.docPr.get("descr")
        blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        assert blob[:8] == b"\x89PNG\r\n\x1a\n" and len(blob) > 10_000
        captions = ["".join(t.text or "" for t in p._p.iter(qn("w:t"))) for p in doc.paragraphs
                    if p.style is not None and p.style.name == "Caption"]
        assert len(captions) == 1 and captions[0].startswith("Figure 1. ")
    cap = [p for p in Document(str(outputs["files"]["chapter.docx"])).paragraphs
           if p.style is not None and p.style.name == "Caption"][0]
    assert "SEQ Figure" in cap._p.xml  # Word renumbers it in the report it is pasted into


def test_word_documents_use_words_own_styles(outputs) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    styles = {s for f in ("chapter.docx", "matrix.docx", "persons.docx")
              for s, _ in docx_paragraphs(outputs["files"][f])}
    assert {"Heading 1", "Heading 2", "Heading 3", "Quote", "Caption", "List Bullet"} <= styles
    for f in ("matrix.docx", "persons.docx"):
        doc = Document(str(outputs["files"][f]))
        assert doc.tables and all(t.style is not None and t.style.name == "Table Grid" for t in doc.tables)
        assert "w:tblHeader" in doc.tables[0].rows[0]._tr.xml  # the header repeats on every page
    section = Document(str(outputs["files"]["matrix.docx"])).sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert section.page_width > section.page_height  # the wide matrix is landscape


def test_one_matrix_row_per_evaluation_question_with_its_findings(outputs) -> None:  # type: ignore[no-untyped-def]
    rows = outputs["matrix"]["rows"]
    questions = [code["id"] for c in outputs["criteria"] for code in c["codes"] if code["parent"] == c["id"]]
    leaves = [c["id"] for c in outputs["criteria"] if len(c["codes"]) == 1]  # lessons, good practices
    ids = [r["code"] for r in rows]
    assert [i for i in ids if i in questions] == questions  # every question once, in codebook order
    assert set(leaves) <= set(ids)
    assert set(ids) - set(questions) - set(leaves) <= {c["id"] for c in outputs["criteria"]}
    where = {f["id"]: r["code"] for r in rows for f in r["findings"]}
    assert where == {f["id"]: f["code"] for f in outputs["findings"]}
    needs = next(r for r in rows if r["code"] == "relevance.needs_fit")
    assert needs["strength"] != "none" and needs["units"] > 0
    factory = next(s for s in needs["sources"] if s["group"] == "Factory")
    assert "KII-07" in factory["events"] and "FGD-01" in factory["events"]
    assert factory["events"].index("KII-07") < factory["events"].index("FGD-01")  # interviews first
    # the annex as Word, XLSX and CSV: one row per matrix row, with the question's text
    from docx import Document

    table = Document(str(outputs["files"]["matrix.docx"])).tables[0]
    assert len(table.rows) == len(rows) + 1
    with open(outputs["files"]["matrix.csv"], encoding="utf-8-sig", newline="") as fh:
        table_rows = list(csv.DictReader(fh))
    assert [r["Question id"] for r in table_rows] == ids
    needs_csv = next(r for r in table_rows if r["Question id"] == "relevance.needs_fit")
    assert needs_csv["Finding ids"] == "F-REL-1" and "To what extent" in needs_csv["Evaluation question"]


def test_the_indicator_field_of_the_codebook_reaches_the_matrix(tmp_path: Path) -> None:
    from qualcode.codebook import dump_codebook, load_codebook, parse_codebook

    text = (ROOT / "codebooks" / "evaluation-criteria.yaml").read_text(encoding="utf-8")
    text = text.replace("      - id: relevance.needs_fit\n", "      - id: relevance.needs_fit\n"
                        "        indicator: Share of factories reporting the training matched a need they had\n", 1)
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8")
    cb = load_codebook(path)
    needs_fit = cb.get("relevance.needs_fit")
    assert needs_fit is not None and needs_fit.indicators == [
        "Share of factories reporting the training matched a need they had"]
    again, problems = parse_codebook(dump_codebook(cb))  # the project stores it and reads it back
    assert problems == [] and again is not None
    stored = again.get("relevance.needs_fit")
    assert stored is not None and stored.indicators
    project = Project.create(tmp_path / "p", codebook=cb, name="With indicators")
    row = next(r for r in evaluation_matrix(project)["rows"] if r["code"] == "relevance.needs_fit")
    assert row["indicators"] == ["Share of factories reporting the training matched a need they had"]
    export_matrix(project, tmp_path / "m.csv")
    with open(tmp_path / "m.csv", encoding="utf-8-sig", newline="") as fh:
        got = next(r for r in csv.DictReader(fh) if r["Question id"] == "relevance.needs_fit")
    assert got["Indicator"] == "Share of factories reporting the training matched a need they had"
    project.close()
    bad = text.replace("        indicator: Share", "        indicator:\n          share: Share", 1)
    _cb, problems = parse_codebook(bad, "cb.yaml")
    assert any("'indicator' of code 'relevance.needs_fit' must be a text or a list of texts" in p.message
               for p in problems)


def test_persons_annex_counts_by_group_organisation_sex_and_method(outputs, example_project_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = Project.open(example_project_path)
    s = persons_summary(project)
    project.close()
    assert s["total"]["total"] == 22 and s["total"]["sex"] == {"Women": 13, "Men": 9}
    assert s["total"]["methods"] == {"KII": 12, "FGD": 10} and s["methods"] == ["KII", "FGD"]
    factory = next(g for g in s["groups"] if g["group"] == "Factory")
    assert factory["total"] == 8 and factory["sex"] == {"Women": 4, "Men": 4}
    assert sum(o["total"] for o in factory["organisations"]) == 8
    assert s["persons"] == []  # no list of people without --show-names
    with open(outputs["files"]["persons.csv"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[-1]["Stakeholder group"] == "Total" and rows[-1]["Total"] == "22"
    assert sum(int(r["Total"]) for r in rows[:-1]) == 22
    assert [sex_label(v) for v in ("F", "female", "Nữ", "M", "Male", "x", "")] == [
        "Women", "Women", "Women", "Men", "Men", "Other", "Not recorded"]


def test_spreadsheets_wrap_text_freeze_the_header_and_filter(outputs) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    ws = load_workbook(outputs["files"]["matrix.xlsx"]).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws["D2"].alignment.wrap_text and ws.column_dimensions["D"].width >= 40
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height > 30  # tall enough for its text


def test_chosen_quotes_replace_the_automatic_choice_in_their_order(example_project: Project) -> None:
    auto = finding_quotes(example_project, "F-EFF-1")
    assert not auto["chosen"] and len(auto["quotes"]) == 3
    set_key_quotes(example_project, "F-EFF-1", ["FGD-01:31", "KII-09:31, 00:00:00"], coder="clara")
    chosen = finding_quotes(example_project, "F-EFF-1")
    assert chosen["chosen"] and [q["reference"].split(",")[0] for q in chosen["quotes"]] == ["FGD-01:30-31",
                                                                                           "KII-09:31"]
    with pytest.raises(NotFoundError, match="is not evidence of F-EFF-1"):
        set_key_quotes(example_project, "F-EFF-1", ["KII-03:5"], coder="clara")
    undo(example_project, coder="clara")
    assert not finding_quotes(example_project, "F-EFF-1")["chosen"]


def test_the_same_reference_form_everywhere(example_project: Project, tmp_path: Path) -> None:
    from qualcode.exports.quotes import export_quotes

    assert timestamp(750.4) == "00:12:30" and timestamp(None) == "" and timestamp(3725) == "01:02:05"
    assert reference("KII-04", 14, 16, 104.0) == "KII-04:14-16, 00:01:44"
    assert reference("KII-07", 36) == "KII-07:36" and reference("KII-07", 36, 36) == "KII-07:36"
    export_quotes(example_project, tmp_path, formats=["csv"])
    with open(tmp_path / "quotes.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["reference"].startswith("KII-04:14-16"))
    assert row["reference"] == "KII-04:14-16, 00:01:44" and row["unit"] == "14-16" and row["time"] == "00:01:44"
    # KII-04 is the employers' only informant: his sex and town would single him out, and are withheld
    assert row["informant"] == "KII-04" and row["sex"] == "–" and row["location"] == "–"
    assert any(r["stakeholder_group"] == "Factory" and r["sex"] in ("F", "M") for r in rows)
    export_quotes(example_project, tmp_path / "named", formats=["csv"], show_names=True)
    with open(tmp_path / "named" / "quotes.csv", encoding="utf-8-sig", newline="") as fh:
        named = next(r for r in csv.DictReader(fh) if r["reference"].startswith("KII-04:14-16"))
    assert (named["sex"], named["location"]) == ("M", "Ha Noi")
    chapter = findings_chapter(example_project)
    refs = [q["reference"] for c in chapter["criteria"] for f in c["findings"] for q in f["quotes"]]
    assert any(re.fullmatch(r"KII-0[45]:\d+(-\d+)?, \d\d:\d\d:\d\d", r) for r in refs)  # VTT interviews: timed


def test_output_format_comes_from_the_file_name_or_is_refused(example_project: Project, tmp_path: Path) -> None:
    assert export_matrix(example_project, tmp_path / "annex.xlsx")["format"] == "xlsx"
    with pytest.raises(QualcodeError, match="cannot tell the format of 'annex.pdf'"):
        export_matrix(example_project, tmp_path / "annex.pdf")
    with pytest.raises(QualcodeError, match="is not a .csv file name"):
        export_persons(example_project, tmp_path / "p.xlsx", fmt="csv")
    assert not (tmp_path / "annex.pdf").exists() and not (tmp_path / "p.xlsx").exists()


def test_html_report_orders_findings_by_criterion_and_links_matrix_cells_to_them(example_project_path: Path) -> None:
    from qualcode.exports.report import build_report

    project = Project.open(example_project_path)
    try:
        html = build_report(project)
    finally:
        project.close()
    order = re.findall(r'<section class="finding" id="finding-([^"]+)"', html)
    assert order == ["F-REL-1", "F-DES-1", "F-COH-1", "F-EFF-2", "F-EFF-1", "F-EFC-1", "F-IMP-1", "F-SUS-1",
                     "F-GEN-1"]
    heat = html[html.index('id="heatmap"'):html.index('id="charts"')]
    assert 'href="#findings-relevance"' in heat and 'id="findings-relevance"' in html
    matrix = html[html.index('id="matrix"'):html.index('id="findings"')]
    row = matrix[matrix.index("Outputs leading to outcomes"):]
    row = row[:row.index("</tr>")]
    assert 'href="#finding-F-EFF-1"' in row and 'href="#finding-F-EFF-2"' not in row
    charts = html[html.index('id="charts"'):html.index('id="matrix"')]
    assert charts.count("<svg") == 2 and charts.count('role="img"') == 2
    assert "Informants by stakeholder group and sex" in charts and "Outputs leading to outcomes" in charts
    assert "<script" not in html.lower() and "xlink:href=\"http" not in html
    assert re.search(r"\[KII-0[45]:\d+, \d\d:\d\d:\d\d\]", html)  # quotes in context carry the time too


def test_documents_are_cited_by_title_and_page_in_the_chapter_and_listed_in_the_matrix(tmp_path: Path) -> None:
    from pdf_support import report_pdf
    from workbench_support import build_small_project

    from qualcode.project_io import import_files
    from qualcode.synthesis.findings import add_finding, link_evidence

    p = build_small_project(tmp_path / "p")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf("Final progress report 2024", [
        ("1. Results", ["The chamber hosted seven quarterly consultation meetings with the unions and employers.",
                        "Funding for the meetings ends with the project in December, and no budget line replaces"
                        " it."])], footer="Final progress report 2024", first_page_number=12))
    sheet = tmp_path / "documents.csv"
    sheet.write_text("file,document_id,type,organisation\nreport.pdf,PR-2024,progress report,ILO\n")
    import_files(p, [], documents=[pdf], document_sheet=sheet, coder="clara")
    kii = [u for u in p.segments("KII-01") if u["role"] != "interviewer"][0]
    doc = next(u for u in p.segments("PR-2024") if u["text"].startswith("Funding for the meetings"))
    for ref in (kii["ref"], doc["ref"]):
        p.add_coding(ref, "sustainability.funding", coder="clara")
    add_finding(p, "sustainability", "The meetings stop when the funding ends.", coder="clara", finding_id="F1",
                code="sustainability.funding")
    for ref in (kii["ref"], doc["ref"]):
        link_evidence(p, "F1", coder="clara", segment=ref, code="sustainability.funding")
    (f,) = [f for c in findings_chapter(p)["criteria"] for f in c["findings"]]
    cited = [q for q in f["quotes"] if q["source_type"] == "document"]
    assert [q["attribution"] for q in cited] == ["Final progress report 2024, p. 12"]
    assert cited[0]["reference"] == doc["ref"]
    assert f["rests_on"]["documents"] == ["Final progress report 2024, p. 12"]
    assert f["rests_on"]["groups"] and "(documents)" not in f["rests_on"]["groups"]
    row = next(r for r in evaluation_matrix(p)["rows"] if r["code"] == "sustainability.funding")
    assert row["documents"] == ["Final progress report 2024"] and row["findings"][0]["id"] == "F1"
    assert all(s["group"] != "(documents)" for s in row["sources"])
    assert persons_summary(p)["total"]["total"] == len([c for c in p.cases()])  # a document is no person
    p.close()


def test_interview_notes_are_never_quoted_as_what_an_informant_said(example_project: Project, tmp_path: Path) -> None:
    before = finding_quotes(example_project, "F-EFF-1")
    noted = before["quotes"][0]["reference"].split(":")[0]
    set_record(example_project, noted, "notes", coder="clara")
    after = finding_quotes(example_project, "F-EFF-1")
    assert all(not q["reference"].startswith(noted + ":") for q in after["quotes"])  # not picked as a quote
    f = next(f for c in findings_chapter(example_project)["criteria"] for f in c["findings"] if f["id"] == "F-EFF-1")
    assert any(s.startswith(noted + ":") for s in f["sources"])  # still among its sources
    ref = before["quotes"][0]["reference"].split(",")[0]
    set_key_quotes(example_project, "F-EFF-1", [ref], coder="clara")  # the evaluator may still choose it ...
    export_chapter(example_project, tmp_path / "f.md")
    md = (tmp_path / "f.md").read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if x.startswith("> (interview notes, not verbatim)"))
    assert "\u201c" not in line  # ... shown as the interviewer's paraphrase, never in quotation marks


def test_persons_annex_never_gives_the_sex_of_a_lone_informant(example_project: Project, tmp_path: Path) -> None:
    """The donor delegation was heard through one woman: a row 'Donor delegation (EU): 1 woman' would say who she is.
    Without names, no sex count describes fewer than k persons, and no hidden count can be worked out by
    subtracting the shown ones from a total."""
    s = persons_summary(example_project)
    donor = next(g for g in s["groups"] if g["group"] == "Donor")
    assert donor["total"] == 1 and donor["withheld"] and donor["sex"] == {}
    assert s["total"]["sex"] == {"Women": 13, "Men": 9}  # the totals still count everyone
    shown = [g for g in s["groups"] if not g["withheld"]]
    hidden = [g for g in s["groups"] if g["withheld"]]
    assert len(hidden) != 1 and all(g["total"] >= 2 for g in shown)
    for g in s["groups"]:
        orgs = g["organisations"]
        assert all(o["total"] >= 2 for o in orgs if not o["withheld"])
        if len(orgs) > 1 and not g["withheld"]:
            assert sum(o["withheld"] for o in orgs) != 1
    export_persons(example_project, tmp_path / "p.csv")
    with open(tmp_path / "p.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["Organisation"]: r for r in csv.DictReader(fh)}
    eu = rows["Donor delegation (EU)"]
    assert (eu["Women"], eu["Men"], eu["Total"]) == ("–", "–", "1")
    assert rows[""]["Women"] == "13"  # the total row
    named = persons_summary(example_project, show_names=True)
    assert next(g for g in named["groups"] if g["group"] == "Donor")["sex"] == {"Women": 1}
    set_k = example_project.set_setting
    set_k("attribution_k", "1", coder="clara")
    assert next(g for g in persons_summary(example_project)["groups"] if g["group"] == "Donor")["sex"] == {"Women": 1}


def test_the_persons_sentence_says_which_k_withheld_the_sex_counts(example_project: Project) -> None:
    from qualcode.exports.annexes import _by_method_text

    assert "where it would describe fewer than two persons" in _by_method_text(persons_summary(example_project))
    example_project.set_setting("attribution_k", "3", coder="clara")
    assert "where it would describe fewer than 3 persons" in _by_method_text(persons_summary(example_project))


def test_the_sex_chart_of_persons_not_counted_by_sex_draws_without_a_warning() -> None:
    import warnings

    from qualcode.exports.charts import sex_bars

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would reach the user's terminal beside the report's one line
        chart = sex_bars(["Factory", "Donor"], {"Women": [0, 0], "Men": [0, 0]}, title="By sex", formats=("svg",))
    assert "<svg" in chart.svg and chart.alt == "By sex: no informant's sex recorded in 2 groups"


def test_the_heatmap_of_a_project_without_stakeholder_groups_draws_without_a_warning() -> None:
    import warnings

    from qualcode.exports.charts import heatmap

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a new project's first report: no case sheet, so no group columns yet
        chart = heatmap(["Relevance", "Effectiveness"], [], [[], []], title="Evidence", row_label="criteria",
                        formats=("svg",))
    assert "<svg" in chart.svg and "2 rows (criteria) by 0 stakeholder groups" in chart.alt
