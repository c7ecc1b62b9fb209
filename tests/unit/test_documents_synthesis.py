"""Coded document passages as evidence: cited by title and page, counted as documents (never as informants, groups
or events) in triangulation, able to lift a finding to 'strong' with interviews, and free-text citations reported
by the audit as cited, not coded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pdf_support import report_pdf
from reliability.fuzz_support import run_cli
from workbench_support import build_small_project

from qualcode.exports.report import build_report
from qualcode.project_io import import_files
from qualcode.store import Project
from qualcode.synthesis.audit import audit
from qualcode.synthesis.evidence import DOCUMENTS, load_evidence
from qualcode.synthesis.findings import add_finding, link_evidence
from qualcode.synthesis.matrices import cell_quotes, matrix
from qualcode.synthesis.triangulation import finding_triangulation, triangulation


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_small_project(tmp_path / "p")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf("Final progress report 2024", [
        ("1. Results", ["The chamber hosted seven quarterly consultation meetings with the unions and employers.",
                        "Funding for the meetings ends with the project in December, and no budget line replaces"
                        " it."])], footer="Final progress report 2024", first_page_number=12))
    sheet = tmp_path / "documents.csv"
    sheet.write_text("file,document_id,type,organisation\nreport.pdf,PR-2024,progress report,ILO\n")
    import_files(p, [], documents=[pdf], document_sheet=sheet, coder="clara")
    # interviews: the factory group (KII-01) and the workers' organisation (FGD-01) on funding; the document too
    kii = [u for u in p.segments("KII-01") if u["role"] != "interviewer"][0]
    fgd = [u for u in p.segments("FGD-01") if u["speaker"] == "Minh"][0]
    doc = p.segments("PR-2024")[1]
    for ref in (kii["ref"], fgd["ref"], doc["ref"]):
        p.add_coding(ref, "sustainability.funding", coder="clara")
    p.add_coding(kii["ref"], "relevance", coder="clara")  # relevance rests on interviews only
    yield p
    p.close()


def test_a_document_passage_is_evidence_without_informant_or_group(project: Project) -> None:
    rows = [r for r in load_evidence(project) if r["transcript"] == "PR-2024"]
    assert len(rows) == 1
    row = rows[0]
    assert row["source_type"] == "document" and row["group"] == DOCUMENTS and row["case"] is None
    assert row["page_label"] == "12" and row["source_title"] == "Final progress report 2024"


def test_triangulation_counts_documents_apart_from_informants_groups_and_events(project: Project) -> None:
    by_id = {t["id"]: t for t in triangulation(project, level="code")}
    funding = by_id["sustainability.funding"]
    assert funding["informants"] == 2 and funding["events"] == 2 and funding["transcripts"] == 2
    assert funding["groups"] == ["Factories", "Workers' organisation"]
    assert funding["documents"] == 1 and funding["document_units"] == 1
    assert "document" in funding["source_types"] and funding["interviews_only"] is False
    assert DOCUMENTS not in funding["per_group"]
    # two events from two groups and a document: the default rule's "interviews and documents" makes it strong
    assert funding["strength"] == "strong"
    assert by_id["relevance"]["interviews_only"] is True and by_id["relevance"]["documents"] == 0


def test_without_the_document_the_same_interviews_are_not_strong(project: Project) -> None:
    doc = project.segments("PR-2024")[1]
    coding = project.find_coding(doc["id"], "sustainability.funding")[0]
    project.remove_coding(coding["id"], coder="clara")
    funding = {t["id"]: t for t in triangulation(project, level="code")}["sustainability.funding"]
    assert funding["documents"] == 0 and funding["strength"] != "strong"


def test_matrix_cell_and_columns_cite_the_document_by_title_and_page(project: Project) -> None:
    data = matrix(project, rows="criterion", cols="stakeholder_group", count="informants")
    assert data["cols"][-1] == DOCUMENTS
    sustain = [r["id"] for r in data["rows"]].index("sustainability")
    assert data["counts"][sustain][-1] == 1  # one document, counted once in the informants' place
    quotes = cell_quotes(project, matrix(project), "sustainability", DOCUMENTS)
    assert [q["attribution"] for q in quotes] == ["Final progress report 2024, p. 12"]


def test_a_finding_links_a_document_passage_and_the_audit_reports_free_text_citations(project: Project) -> None:
    doc = project.segments("PR-2024")[1]
    add_finding(project, "sustainability", "The meetings will stop without funding.", coder="clara",
                finding_id="F1", documents=["Final progress report 2024, p. 12", "Chamber budget note 2024"])
    link_evidence(project, "F1", segment=doc["ref"], coder="clara")
    tri = finding_triangulation(project, ["F1"])["F1"]
    assert tri["document_units"] == 1 and tri["documents"] == 3 and tri["documents_cited"] == 2
    problems = [p for f in audit(project)["findings"] if f["id"] == "F1" for p in f["problems"]]
    cited = [p for p in problems if p["check"] == "cited_not_coded"]
    assert [p["document"] for p in cited] == ["Final progress report 2024, p. 12", "Chamber budget note 2024"]
    assert cited[0]["match"] == "PR-2024" and "findings link F1 --segment PR-2024:N" in cited[0]["message"]
    assert "import the document" in cited[1]["message"] and "match" not in cited[1]


def test_quote_bank_and_report_cite_document_passages(project: Project, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    doc = project.segments("PR-2024")[1]
    add_finding(project, "sustainability", "The meetings will stop without funding.", coder="clara",
                finding_id="F1")
    link_evidence(project, "F1", segment=doc["ref"], coder="clara")
    code, _out, err = run_cli(capsys, "export", "quotes", "-p", str(project.path), "--format", "md", "--out",
                              str(tmp_path / "q"))
    assert code == 0, err
    md = (tmp_path / "q" / "quotes.md").read_text(encoding="utf-8")
    assert "— Final progress report 2024, p. 12 [PR-2024:2]" in md
    html = build_report(project)
    assert "Final progress report 2024, p. 12 [PR-2024:2]" in html
    assert "(interviews only)" in html and "and 1 documents" in html
    code, out, _ = run_cli(capsys, "findings", "show", "F1", "-p", str(project.path), "--json")
    shown = json.loads(out)
    assert shown["evidence"][0]["attribution"] == "Final progress report 2024, p. 12"


def test_the_bundled_example_shows_document_evidence_in_its_first_report(example_project: Project) -> None:
    status = example_project.status()
    assert status["transcripts"] == 14 and status["documents"] == 2
    docs = {d["id"]: d for d in example_project.transcripts() if d["kind"] == "document"}
    assert docs["PR-2024"]["title"] == "Final progress report 2024"
    assert docs["MTE-2023"]["attributes"]["type"] == "evaluation"
    funding = {t["id"]: t for t in triangulation(example_project, level="finding")}["F-SUS-1"]
    assert funding["document_units"] == 3 and "document" in funding["source_types"]
    html = build_report(example_project)
    assert "Final progress report 2024, p. 12 [PR-2024:4]" in html
    assert "Mid-term evaluation 2023, section 2.4 Sustainability [MTE-2023:8]" in html


def test_suggest_and_queue_offer_document_units_like_interview_units(project: Project,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "queue", "-p", str(project.path), "--transcript", "PR-2024", "--json")
    assert code == 0, err
    refs = [q["ref"] for q in json.loads(out)]
    assert refs and all(r.startswith("PR-2024:") for r in refs) and "PR-2024:2" not in refs  # :2 is coded
    code, out, err = run_cli(capsys, "suggest", "-p", str(project.path), "--transcript", "PR-2024", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert {i["ref"] for i in items} == set(refs) and all(i["speaker"] is None for i in items)
    assert all(i["suggestions"] for i in items)
