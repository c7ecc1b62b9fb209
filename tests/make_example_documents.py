"""Build the bundled example's desk-review documents (fictional, like the rest of the example):

* ``transcripts/documents/Final-progress-report-2024.pdf``: the cluster's final progress report, two columns, a
  running header, page numbers printed from 12 (the report's front matter is not included), an indicator table;
* ``transcripts/documents/Mid-term-evaluation-2023.docx``: the independent mid-term evaluation, with Word headings,
  a findings table, and a page header and footer (which are not text to code).

Run from the repository root: ``.venv/bin/python tests/make_example_documents.py``. The PDF is byte-for-byte
reproducible; the Word file carries its creation time, so it changes each time it is rebuilt.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pdf_support import report_pdf  # noqa: E402

PROGRESS = [
    ("1. Summary", [
        "This final progress report covers the cluster of four projects on decent work in the electronics sector of"
        " Viet Nam from January to December 2024, the last year of implementation.",
        "The projects worked with the labour ministry, the chamber of commerce, the labour confederation, the"
        " electronics industry association, provincial unions and 31 factories in Bac Ninh, Bac Giang and Hai Phong.",
    ]),
    ("2. Progress against outcomes", []),
    ("2.1 Sectoral social dialogue", [
        "The chamber of commerce hosted seven quarterly sectoral consultation meetings between 2022 and 2024, each"
        " attended by the ministry, the labour confederation and between twelve and twenty factories.",
        "All seven meetings were financed by the projects, including the venue, interpretation and the travel of"
        " provincial participants.",
        "The multi-employer collective agreement signed by seven factories in one industrial zone in 2024 is the"
        " first such agreement in the sector.",
    ]),
    ("2.2 Workplace cooperation and grievance handling", [
        "The projects delivered 28 training courses in 2022-2024, including eleven courses on grievance handling"
        " attended by 412 HR officers, line leaders and union representatives.",
        "Factories that attended the grievance-handling course reported that written procedures with reply deadlines"
        " were in place in 24 of 31 factories by the end of 2024, against 9 at the baseline.",
        "The factory improvement toolkit was distributed to all participating factories, but the follow-up survey"
        " found that only six factories had used more than one of its modules.",
    ]),
    ("2.3 Gender equality and non-discrimination", [
        "Women made up 61 per cent of the participants in the training courses but only a fifth of the certified"
        " in-house trainers.",
        "The advisory services did not record the sex of the workers and managers they reached, so the projects cannot"
        " report sex-disaggregated results for the advisory programme.",
    ]),
    ("3. Challenges", [
        "The chamber of commerce has no budget line for the sectoral meetings after the projects close in December"
        " 2024, and has asked two donors to fund them for another two years.",
        "The four projects reported to their donors separately and did not share a monitoring framework, which made"
        " it difficult to report the cluster's results as a whole.",
    ]),
    ("4. Sustainability", [
        "Eight factories have trained in-house trainers who continue the grievance-handling course on their own, and"
        " the labour confederation has included the course in its provincial training plan for 2025.",
    ]),
]
TABLE = [
    ["Indicator", "Target 2024", "Achieved"],
    ["Factories with a written grievance procedure", "25", "24"],
    ["Sectoral consultation meetings held", "8", "7"],
    ["Certified in-house trainers (women)", "40 (20)", "31 (6)"],
    ["Factories using the improvement toolkit", "20", "6"],
]

MTE = [
    ("Heading 1", "1 Introduction"),
    ("Normal", "This independent mid-term evaluation of the four projects was carried out between June and"
               " August 2023 through a desk review, 41 interviews and three focus groups in Ha Noi, Bac Ninh and"
               " Hai Phong."),
    ("Heading 1", "2 Findings"),
    ("Heading 2", "2.1 Relevance"),
    ("Normal", "The advisory programme answers a need the factories state clearly: buyers audit them every year and"
               " they want to know where they stand before the audit. The grievance-handling training was the most"
               " requested course."),
    ("Heading 2", "2.2 Validity of design"),
    ("Normal", "The four projects have separate logical frameworks and no shared monitoring framework, so the cluster"
               " cannot show what it achieves together. Several indicators have no baseline."),
    ("Heading 2", "2.3 Effectiveness"),
    ("Normal", "Factories that attended the grievance-handling course have started to record complaints and answer"
               " them within a deadline. The improvement toolkit is long and was translated late, and few factories"
               " use it."),
    ("Heading 2", "2.4 Sustainability"),
    ("Normal", "The sectoral consultation meetings depend entirely on project funding. The chamber of commerce values"
               " them but has not yet planned how to pay for them after 2024."),
    ("Heading 1", "3 Recommendations"),
    ("List Number", "Agree a shared monitoring framework for the four projects, with sex-disaggregated indicators."),
    ("List Number", "Prepare with the chamber and the donors a funding plan for the sectoral meetings after 2024."),
]
MTE_TABLE = [
    ["Criterion", "Rating", "Main reason"],
    ["Relevance", "Satisfactory", "Services answer needs that factories and constituents state"],
    ["Validity of design", "Unsatisfactory", "No shared monitoring framework; indicators without baselines"],
    ["Sustainability", "Moderately unsatisfactory", "Sectoral meetings depend on project funding"],
]


def build(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / "Final-progress-report-2024.pdf"
    pdf.write_bytes(report_pdf(
        "Final progress report 2024", PROGRESS, columns=2,
        header="ILO decent work in electronics cluster - Final progress report 2024",
        footer="Final progress report 2024 (fictional example)",
        info={"Title": "Final progress report 2024", "Author": "ILO Country Office for Viet Nam (fictional)",
              "CreationDate": "D:20250131120000"},
        table=TABLE, first_page_number=12))
    import docx

    d = docx.Document()
    props = d.core_properties
    props.title = "Mid-term evaluation 2023"
    props.author = "Independent evaluation team (fictional)"
    props.created = props.modified = datetime(2023, 9, 15, 9, 0)
    d.sections[0].header.paragraphs[0].text = "Mid-term evaluation 2023 - draft for comments"
    d.sections[0].footer.paragraphs[0].text = "Fictional example document"
    d.add_paragraph("Mid-term evaluation 2023", style="Title")
    for style, text in MTE:
        if style.startswith("Heading"):
            d.add_heading(text, level=int(style[-1]))
        else:
            d.add_paragraph(text, style=style)
    table = d.add_table(rows=len(MTE_TABLE), cols=3)
    for row, values in zip(table.rows, MTE_TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    mte = out / "Mid-term-evaluation-2023.docx"
    d.save(str(mte))
    return [pdf, mte]


if __name__ == "__main__":
    for path in build(ROOT / "transcripts" / "documents"):
        print(path.relative_to(ROOT))
