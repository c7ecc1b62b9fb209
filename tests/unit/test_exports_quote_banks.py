"""Quote banks as report writers open them: structure, verbatim quotes, attributions, references, no names."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from synthesis_support import NAMES, build_project, unit_ref

from qualcode.errors import QualcodeError
from qualcode.exports.quotes import export_quotes, parse_formats, quote_bank


@pytest.fixture
def exported(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = build_project(tmp_path / "p")
    result = export_quotes(project, tmp_path / "out", formats=["all"])
    yield project, result, tmp_path / "out"
    project.close()


def name_leaks(text: str) -> list[str]:
    """Every case-sheet name, and every part of one (3+ letters) used on its own as a name."""
    leaks = []
    for name in NAMES:
        if name in text:
            leaks.append(name)
        for part in name.split():
            # a part on its own, or after a title; "Thanh Hoa" (a province) is a place, not the informant
            for m in re.finditer(rf"\b{part}\b", text):
                after = text[m.end():m.end() + 8]
                before = text[max(0, m.start() - 7):m.start()]
                if len(part) >= 3 and not re.match(r" [A-Z]", after) and not re.search(r"[A-Z][a-z]+ $", before):
                    leaks.append(part)
                if re.search(r"(Mr|Ms|Mrs)\.? $", before):
                    leaks.append(part)
    return leaks


def docx_text(path: Path) -> tuple[list[tuple[str, str]], str]:
    from docx import Document

    doc = Document(str(path))
    paras = [(p.style.name if p.style is not None else "", p.text) for p in doc.paragraphs]
    return paras, "\n".join(t for _, t in paras)


def test_docx_has_real_headings_and_quotes_in_the_quote_style(exported) -> None:  # type: ignore[no-untyped-def]
    project, result, out = exported
    paras, _ = docx_text(out / "quotes.docx")
    h1 = [t for s, t in paras if s == "Heading 1"]
    assert h1[:3] == ["Relevance", "Validity of design", "Coherence"]
    h2 = [t for s, t in paras if s == "Heading 2"]
    assert any(t.startswith("Fit with the needs of enterprises") for t in h2)
    h3 = [t for s, t in paras if s == "Heading 3"]
    assert {"Factory", "Government", "ILO staff", "Workers' organisation"} <= set(h3)
    quotes = [t for s, t in paras if s == "Quote"]
    assert len(quotes) == result["quotes"] == 12  # two consecutive sentences of one answer, same code: one quote
    toolkit = next(q for q in quotes if "toolkit was too general" in q)
    seg = project.segment(unit_ref(project, "KII-02", "The toolkit was too general"))
    assert "\u201c" + seg["text"].strip() + "\u201d" in toolkit  # verbatim
    assert f"Interview with an HR manager of a factory, Hai Phong [{seg['ref']}]" in toolkit


def test_no_informant_name_in_any_format(exported) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    _project, _result, out = exported
    texts = {
        "docx": docx_text(out / "quotes.docx")[1],
        "md": (out / "quotes.md").read_text(encoding="utf-8"),
        "csv": (out / "quotes.csv").read_text(encoding="utf-8-sig"),
    }
    wb = load_workbook(out / "quotes.xlsx")
    texts["xlsx"] = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                              if c.value is not None)
    for fmt, text in texts.items():
        assert name_leaks(text) == [], fmt
        assert "hoa.nguyen@example.org" not in text and "912 345" not in text, fmt
        assert "[informant KII-01]" in text, fmt  # the name was there, and was replaced


def test_show_names_is_explicit_and_marks_the_file_confidential(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    export_quotes(project, tmp_path / "named", formats=["md"], show_names=True)
    text = (tmp_path / "named" / "quotes.md").read_text(encoding="utf-8")
    assert "Nguyen Thi Hoa" in text and "CONFIDENTIAL" in text
    project.close()


def test_xlsx_has_one_filtered_sheet_per_criterion(exported) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    project, _result, out = exported
    wb = load_workbook(out / "quotes.xlsx")
    criteria = [r["name"] for r in project.code_rows() if not r["parent_id"]]
    assert len(wb.sheetnames) == len(criteria)
    assert wb.sheetnames[0] == "Relevance"
    # Excel's rules (31 characters, no ':'), cut at a word and without doubled or trailing spaces.
    assert "Cross-cutting gender equality" in wb.sheetnames
    assert all(len(n) <= 31 and n == " ".join(n.split()) for n in wb.sheetnames)
    ws = wb["Relevance"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Criterion", "Code"] and "Quote" in header and "Reference" in header
    assert {"Informant", "Sex", "Location", "Units", "Time", "Record"} <= set(header)
    assert ws.auto_filter.ref == f"A1:R{ws.max_row}"  # 18 columns, the record (verbatim or notes) included
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 7
    q = header.index("Quote")
    assert all(r[header.index("Criterion id")] == "relevance" for r in rows)
    assert any(r[q] == "The ministry asked for the research on labour dispatch." for r in rows)


def test_csv_and_markdown_carry_reference_attribution_and_coders(exported) -> None:  # type: ignore[no-untyped-def]
    project, _result, out = exported
    with open(out / "quotes.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12
    double = next(r for r in rows if r["quote"].startswith("The grievance training came"))
    assert double["coders"] == "ana, ben" and double["stakeholder_group"] == "Factory"
    fgd = next(r for r in rows if r["quote"].startswith("For the union"))
    # the group's only union official is not singled out: no detail fits two participants at every level
    assert fgd["attribution"] == "FGD with HR officers, union officials and middle managers, Bac Ninh"
    md = (out / "quotes.md").read_text(encoding="utf-8")
    assert "## Relevance" in md and "#### Factory" in md
    assert f"[{fgd['reference']}]" in md


def test_quotes_by_group_put_the_group_before_the_question(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    export_quotes(project, tmp_path / "g", formats=["md"], by="group", criterion="relevance")
    md = (tmp_path / "g" / "quotes-relevance.md").read_text(encoding="utf-8")
    assert md.index("### Factory") < md.index("#### Fit with the needs")
    assert "## Sustainability" not in md
    project.close()


def test_unknown_format_is_refused() -> None:
    assert parse_formats("all") == ["docx", "xlsx", "csv", "md"]
    assert parse_formats(["docx,md", "md"]) == ["docx", "md"]
    with pytest.raises(QualcodeError, match="unknown format 'pdf'"):
        parse_formats("pdf")


def test_consecutive_sentences_of_one_answer_are_quoted_as_one_passage(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    bank = quote_bank(project)
    rows = [r for c in bank["criteria"] for r in c["rows"] if r["transcript"] == "KII-01"
            and r["code"] == "relevance.needs_fit"]
    assert len(rows) == 1
    first = project.segment(unit_ref(project, "KII-01", "Factories needed grievance"))
    second = project.segment(unit_ref(project, "KII-01", "Nguyen Thi Hoa is my"))
    (row,) = rows
    assert row["reference"] == f"{first['ref']}-{second['idx']}" and row["units"] == 2
    assert row["quote"].startswith(first["text"]) and "Nguyen Thi Hoa" not in row["quote"]
    text = project.transcript_text("KII-01")
    # verbatim apart from the pseudonym: the passage between the two units is cut from the transcript
    assert text[first["start"]:second["end"]].split("Nguyen Thi Hoa")[0].strip() in row["quote"]
    project.close()


def test_a_file_name_given_as_the_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    try:
        with pytest.raises(QualcodeError, match="takes a folder") as raised:
            export_quotes(project, tmp_path / "bank.csv", formats=["csv"])
        assert "--format" in (raised.value.hint or "")
        assert not (tmp_path / "bank.csv").exists()  # no folder named like a file, nothing inside it
        # a folder whose name only looks like one (a version number) is still a folder
        result = export_quotes(project, tmp_path / "round-1.2", formats=["md"])
        assert result["files"] == [str(tmp_path / "round-1.2" / "quotes.md")]
    finally:
        project.close()
