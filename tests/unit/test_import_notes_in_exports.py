"""Interview notes are paraphrase: quote banks, the report, ``matrix --cell`` and ``findings show`` present their
passages as notes, never as verbatim quotes; a verbatim transcript's passages stay quotes."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.importing import import_files
from qualcode.store import Project

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"
NOTE = "Department has no budget to continue the meetings."
QUOTE = "Only if we find a sponsor."


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    from qualcode.codebook import default_codebook_path, load_codebook
    from qualcode.synthesis.findings import add_finding, link_evidence

    folder = tmp_path_factory.mktemp("notes")
    p = Project.create(folder / "p", codebook=load_codebook(default_codebook_path()))
    import_files(p, [EXPORTS / "notes.md", EXPORTS / "teams_first_last.txt"], cases=EXPORTS / "cases.csv",
                 coder="ana")
    for text in (NOTE, QUOTE):
        seg = next(s for s in p.segments() if s["text"].startswith(text))
        p.add_coding(seg["id"], "sustainability", coder="ana")
    add_finding(p, "sustainability", "The meetings will stop without funding.", coder="ana", finding_id="F1")
    for c in p.codings():
        link_evidence(p, "F1", coder="ana", coding=c["id"])
    yield p
    p.close()


def test_markdown_and_docx_quote_banks_mark_notes(project: Project, tmp_path: Path) -> None:
    from docx import Document

    from qualcode.exports.quotes import export_quotes

    export_quotes(project, tmp_path, formats=["md", "docx", "csv"])
    md = (tmp_path / "quotes.md").read_text(encoding="utf-8")
    assert f"> *Interview notes, not verbatim:* {NOTE}" in md and f"\u201c{NOTE}" not in md
    assert f"\u201c{QUOTE}" in md  # the Teams transcript is verbatim
    assert "interviewer's paraphrase" in md
    paragraphs = Document(str(tmp_path / "quotes.docx")).paragraphs
    quotes = [p.text for p in paragraphs if p.style is not None and p.style.name == "Quote"]
    assert any(q.startswith(f"Interview notes, not verbatim: {NOTE}") for q in quotes)
    assert any(q.startswith(f"\u201c{QUOTE}") for q in quotes)
    with open(tmp_path / "quotes.csv", encoding="utf-8-sig") as fh:
        records = {r["quote"]: r["record"] for r in csv.DictReader(fh)}
    assert records[NOTE] == "interview notes (paraphrase)"
    assert next(v for k, v in records.items() if k.startswith(QUOTE)) == "verbatim"


def test_report_and_findings_show_notes_as_notes(project: Project) -> None:
    from qualcode.exports.report import build_report
    from qualcode.synthesis.findings import present_finding

    html = build_report(project)
    assert f"(interview notes, not verbatim) {NOTE}" in html and f"\u201c{NOTE}\u201d" not in html
    records = {link["quote"]: link["record"] for link in present_finding(project, "F1")["evidence"]}
    assert records[NOTE] == "notes"


def test_matrix_cell_marks_notes(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    from qualcode.cli import main

    main(["matrix", "-p", str(project.path), "--rows", "criterion", "--cols", "stakeholder_group",
          "--cell", "sustainability", "Government"])
    out = capsys.readouterr().out
    assert f"(interview notes, not verbatim) {NOTE}" in out
    assert "1 of them from interview notes" in out
