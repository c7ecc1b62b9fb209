"""Desk-review documents: PDF, Word, HTML, Markdown and text reports read into coding units with pages, heading
paths and tables in reading order; bad PDFs refused with one line and the project untouched."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pdf_support import PdfPage, build_pdf, report_pdf
from reliability.fuzz_support import assert_clean_error, run_cli, snapshot

from qualcode.errors import ConflictError
from qualcode.importers.documents import parse_document, read_document
from qualcode.project_io import import_files
from qualcode.store import Project

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "documents" / "federal-register-2020-17221-p1-2.pdf"

LEFT = ("The project trained grievance officers in twenty-eight factories of Bac Ninh and Hai Phong during the year "
        "and the officers resolved most cases within ten days of their filing at the factory level.")
RIGHT = ("Women made up sixty-one per cent of the trainees but only a fifth of the certified trainers, which the "
         "team explains by the timing of the trainer course during the peak production season of the year.")
SECTIONS = [
    ("1. Introduction", [LEFT]),
    ("2. Results", [RIGHT, "The sectoral consultation meetings took place every quarter, hosted by the chamber. " * 6]),
    ("2.1 Gender equality", ["Sex-disaggregated data were collected for the training only, not for the advice. " * 5]),
]


def _texts(parsed):  # type: ignore[no-untyped-def]
    return [parsed.text[u.start:u.end] for u in parsed.units]


@pytest.fixture
def two_column_pdf() -> bytes:
    return report_pdf(
        "Final progress report 2024", SECTIONS, columns=2,
        header="ILO project VIE/21/01 - Final progress report 2024", footer="Final progress report 2024",
        info={"Title": "Final progress report 2024", "Author": "ILO Country Office", "CreationDate": "D:20250115"},
        table=[["Indicator", "Target", "Achieved"], ["Factories with a grievance procedure", "25", "28"],
               ["Trainers certified", "40", "31"]],
        first_page_number=11)


def test_two_column_pdf_reads_columns_in_order_with_pages_and_headings(two_column_pdf: bytes) -> None:
    parsed = parse_document(two_column_pdf, "report.pdf")
    texts = _texts(parsed)
    assert parsed.kind == "document" and not parsed.speakers
    # the first column's sentence comes before the second column's, each one unit, not cut by the column break
    first = next(i for i, t in enumerate(texts) if t.startswith("The project trained grievance officers"))
    second = next(i for i, t in enumerate(texts) if t.startswith("Women made up sixty-one per cent"))
    assert first < second
    assert texts[first] == LEFT and texts[second] == RIGHT
    # running header, footer and page numbers are not units
    assert not any("ILO project VIE/21/01" in t or t.strip().isdigit() for t in texts)
    assert not any(t == "Final progress report 2024" for t in texts)
    # the printed page number is the page's label; units know their heading path
    unit = parsed.units[first]
    assert (unit.page, unit.page_label) == (1, "11")
    assert parsed.units[second].heading == "2. Results"
    gender = next(u for u in parsed.units if parsed.text[u.start:u.end].startswith("Sex-disaggregated"))
    assert gender.heading == "2. Results > 2.1 Gender equality"
    assert parsed.metadata["title"] == "Final progress report 2024"
    assert parsed.metadata["author"] == "ILO Country Office"
    assert parsed.metadata["pages"] == 2 and parsed.metadata["date"] == "2025-01-15"


def test_pdf_table_cells_stay_in_reading_order(two_column_pdf: bytes) -> None:
    parsed = parse_document(two_column_pdf, "report.pdf")
    texts = _texts(parsed)
    rows = [t for t in texts if "|" in t]
    assert rows == ["Indicator | Target | Achieved", "Factories with a grievance procedure | 25 | 28",
                    "Trainers certified | 40 | 31"]
    table_unit = next(u for u in parsed.units if parsed.text[u.start:u.end] == rows[1])
    assert (table_unit.page, table_unit.page_label) == (2, "12")


def test_pdf_page_labels_are_what_citations_use() -> None:
    pages = []
    for n in range(4):
        page = PdfPage()
        page.paragraph(56, 100, 480, f"Paragraph on page {n + 1} explains what the project did in that period of "
                       "the evaluation, with enough words to be a unit of its own.")
        pages.append(page)
    data = build_pdf(pages, page_labels=[(0, "r", 1), (2, "D", 1)], info={"Title": "Mid-term review"})
    parsed = parse_document(data, "review.pdf")
    assert [(u.page, u.page_label) for u in parsed.units] == [(1, "i"), (2, "ii"), (3, "1"), (4, "2")]


def test_hyphenated_words_join_only_when_the_document_spells_them_whole() -> None:
    page = PdfPage()
    page.text(56, 100, "The administrative burden fell on the adminis-", size=10)
    page.text(56, 113, "trative staff, and decision-", size=10)
    page.text(56, 126, "making stayed with the steering committee of the project.", size=10)
    parsed = parse_document(build_pdf([page]), "x.pdf")
    text = " ".join(_texts(parsed))
    assert "the administrative staff" in text and "decision-making" in text


def test_real_three_column_public_document_reads_across_columns() -> None:
    parsed = read_document(REAL)
    texts = _texts(parsed)
    # a sentence that runs from the foot of one column (past its footnotes) into the next is one unit
    assert ("These effects include stall warning activation, airspeed disagree alert, and altitude disagree alert, "
            "and may affect the flightcrew’s ability to accomplish continued safe flight and landing.") in texts
    # the page labels are the Federal Register's printed page numbers, taken from the page header
    assert {(u.page, u.page_label) for u in parsed.units} == {(1, "47698"), (2, "47699")}
    assert not any(t in ("47698", "47699") for t in texts)
    # footnotes are passages of their own, not glued into the body text
    assert any(t.startswith("The flight control system for 737 MAX airplanes includes two flight control computers")
               for t in texts)


# ---------------------------------------------------------------------------------------------- bad PDFs


def _scanned() -> bytes:
    page = PdfPage()
    page.scanned_image()
    return build_pdf([page, page])


def _encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_pdf("Secret", SECTIONS[:1]))))
    writer.encrypt(user_password="open-sesame", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _corrupt() -> bytes:
    good = report_pdf("Broken", SECTIONS)
    return good[:9] + bytes(b ^ 0x5A for b in good[9:len(good) // 2])


@pytest.mark.parametrize(("make", "needle"), [
    (_scanned, "no text layer"),
    (_encrypted, "protected by a password"),
    (_corrupt, "damaged"),
    (lambda: b"%PDF-1.4\n", "damaged"),
])
def test_bad_pdfs_give_one_line_exit_2_and_leave_the_project_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make, needle: str) -> None:  # type: ignore[no-untyped-def]
    project_dir = tmp_path / "p"
    Project.create(project_dir).close()
    good = tmp_path / "good.pdf"
    good.write_bytes(report_pdf("Good", SECTIONS))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(make())
    before = snapshot(project_dir)
    code, _out, err = run_cli(capsys, "import", "-p", str(project_dir), "--document", str(good), str(bad))
    assert_clean_error(code, err, what=needle)
    assert needle in err and "bad.pdf" in err
    assert snapshot(project_dir) == before  # the good document was not imported either


def test_a_partly_scanned_pdf_imports_its_text_and_warns() -> None:
    text_page = PdfPage()
    text_page.paragraph(56, 100, 480, "The only page with text says what the annex holds, for the evaluators.")
    scan = PdfPage()
    scan.scanned_image()
    parsed = parse_document(build_pdf([text_page, scan]), "annex.pdf")
    assert len(parsed.units) == 1
    assert any("page 2 without text" in w for w in parsed.warnings)


# ---------------------------------------------------------------------------------------------- Word, HTML, Markdown


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.core_properties.title = "Mid-term evaluation"
    d.core_properties.author = "Evaluation team"
    d.sections[0].header.paragraphs[0].text = "CONFIDENTIAL DRAFT - page header"
    d.sections[0].footer.paragraphs[0].text = "Mid-term evaluation - footer"
    d.add_heading("3 Findings", level=1)
    d.add_heading("3.2 Effectiveness", level=2)
    d.add_paragraph("The grievance training reached every target factory. Trainers were rated highly by managers.")
    d.add_paragraph("Follow-up coaching", style="List Bullet")
    table = d.add_table(rows=2, cols=3)
    for cells, values in zip(table.rows, [["Output", "Target", "Actual"], ["Courses", "28", "28"]], strict=True):
        for cell, value in zip(cells.cells, values, strict=True):
            cell.text = value
    d.add_heading("4 Sustainability", level=1)
    d.add_paragraph("The chamber cannot fund the meetings without donor support after the project ends.")
    d.save(str(path))
    return path


def test_word_document_has_heading_paths_tables_and_no_headers_or_footers(tmp_path: Path) -> None:
    parsed = read_document(_docx(tmp_path / "mte.docx"))
    texts = _texts(parsed)
    assert texts == [
        "The grievance training reached every target factory.", "Trainers were rated highly by managers.",
        "Follow-up coaching", "Output | Target | Actual", "Courses | 28 | 28",
        "The chamber cannot fund the meetings without donor support after the project ends.",
    ]
    assert not any("CONFIDENTIAL" in t or "footer" in t for t in texts)
    headings = {parsed.text[u.start:u.end][:20]: u.heading for u in parsed.units}
    assert headings["Courses | 28 | 28"] == "3 Findings > 3.2 Effectiveness"
    assert headings["The chamber cannot f"] == "4 Sustainability"
    assert all(u.page is None for u in parsed.units)
    assert parsed.metadata["title"] == "Mid-term evaluation" and parsed.metadata["author"] == "Evaluation team"


def test_html_document_skips_navigation_and_scripts(tmp_path: Path) -> None:
    page = tmp_path / "minutes.html"
    page.write_text(
        "<!doctype html><html><head><title>Minutes of the steering committee</title>"
        "<meta name='author' content='Chamber secretariat'><script>var x = 'ignore me';</script></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
        "<h1>Minutes</h1><h2>Item 1: Funding</h2><p>The chamber asked the donors to fund <b>two more</b> meetings."
        "<br>Members agreed.</p><ul><li>Action: draft a budget by May.</li></ul>"
        "<table><tr><th>Member</th><th>Vote</th></tr><tr><td>Union</td><td>yes</td></tr></table>"
        "<footer>Copyright the chamber</footer></body></html>", encoding="utf-8")
    parsed = read_document(page)
    texts = _texts(parsed)
    assert texts == ["The chamber asked the donors to fund two more meetings. Members agreed.",
                     "Action: draft a budget by May.", "Member | Vote", "Union | yes"]
    assert parsed.units[0].heading == "Minutes > Item 1: Funding"
    assert parsed.metadata["title"] == "Minutes of the steering committee"
    assert parsed.metadata["author"] == "Chamber secretariat"


def test_markdown_document_headings_lists_and_tables(tmp_path: Path) -> None:
    md = tmp_path / "study.md"
    md.write_text("---\ntitle: Labour dispatch study\nauthor: VCCI research unit\n---\n\n# Summary\n\nDispatch "
                  "workers earn **less** than permanent staff, see [table 2](#t2).\n\n## Method\n\n- Survey of "
                  "400 workers in three provinces\n- Twelve interviews\n\n| Group | Wage |\n|---|---|\n| Dispatch"
                  " | 5.1 |\n", encoding="utf-8")
    parsed = read_document(md)
    texts = _texts(parsed)
    assert texts == ["Dispatch workers earn less than permanent staff, see table 2.",
                     "Survey of 400 workers in three provinces", "Twelve interviews", "Group | Wage",
                     "Dispatch | 5.1"]
    assert parsed.units[1].heading == "Summary > Method"
    assert parsed.metadata["title"] == "Labour dispatch study"


# ---------------------------------------------------------------------------------------------- in a project


def test_documents_import_with_sheet_and_segments_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       two_column_pdf: bytes) -> None:
    project_dir = tmp_path / "p"
    Project.create(project_dir).close()
    pdf = tmp_path / "progress_report_final_v3.pdf"
    pdf.write_bytes(two_column_pdf)
    mte = _docx(tmp_path / "MTE report.docx")
    sheet = tmp_path / "documents.csv"
    sheet.write_text("file,document_id,title,type,organisation,year\n"
                     "progress_report_final_v3.pdf,PR-2024,Final progress report 2024,progress report,ILO,2024\n"
                     "MTE report.docx,,Mid-term evaluation 2023,evaluation,Independent evaluator,2023\n",
                     encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project_dir), str(pdf), "--document", str(mte),
                             "--document-sheet", str(sheet))
    assert code == 0, err
    assert "PR-2024: new (document 'Final progress report 2024', 2 pages" in out
    code, out, _ = run_cli(capsys, "documents", "-p", str(project_dir), "--json")
    docs = {d["id"]: d for d in json.loads(out)}
    assert set(docs) == {"PR-2024", "MTE-report"}
    assert docs["PR-2024"]["attributes"] == {"type": "progress report", "organisation": "ILO", "year": "2024"}
    assert docs["MTE-report"]["title"] == "Mid-term evaluation 2023"
    code, out, _ = run_cli(capsys, "segments", "-p", str(project_dir), "--transcript", "PR-2024", "--json")
    units = json.loads(out)
    assert {u["source_type"] for u in units} == {"document"}
    assert all(u["speaker"] is None and u["case"] is None and u["role"] == "document" for u in units)
    assert units[0]["page"] == 1 and units[0]["page_label"] == "11"
    code, out, _ = run_cli(capsys, "transcripts", "-p", str(project_dir), "--json")
    assert json.loads(out) == []  # documents are listed by 'documents', not among the interviews
    with Project.open(project_dir) as project:
        assert project.status()["documents"] == 2 and project.status()["transcripts"] == 0


def test_reimporting_a_corrected_document_makes_a_new_version_and_keeps_codings(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p", codebook=None)
    from qualcode.codebook import default_codebook_path, load_codebook

    project.set_codebook(load_codebook(default_codebook_path()))
    path = tmp_path / "report.md"
    path.write_text("# Results\n\nThe chamber hosted seven quarterly consultation meetings with the unions.\n\n"
                    "Funding for the meetings ends with the project in December.\n", encoding="utf-8")
    import_files(project, [], documents=[path], coder="ana")
    seg = project.segments("report")[1]
    project.add_coding(seg["id"], "sustainability", coder="ana")
    path.write_text("# Results\n\nThe chamber hosted seven quarterly consultation meetings with the unions.\n\n"
                    "Funding for the meetings ends with the project in December 2024.\n", encoding="utf-8")
    report = import_files(project, [], documents=[path], coder="ana")
    assert report["documents"][0]["status"] == "new_version"
    coded = project.codings(transcript="report")
    assert [c["ref"] for c in coded] == ["report:2"]
    project.close()


def test_a_document_cannot_take_an_interviews_id(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    t = tmp_path / "KII-01.txt"
    t.write_text("Interviewer: What changed?\n\nMs. Lan: We set up a grievance committee last year.\n")
    import_files(project, [t], coder="ana")
    d = tmp_path / "KII-01.md"
    d.write_text("# Notes\n\nA document that happens to carry the same name as an interview transcript.\n")
    with pytest.raises(ConflictError, match="already a transcript"):
        import_files(project, [], documents=[d], coder="ana")
    project.close()


def test_a_section_number_set_apart_from_its_heading_is_one_heading() -> None:
    page = PdfPage()
    page.text(56, 80, "1.2", size=13, bold=True)
    page.text(100, 80, "Evaluation methodology", size=13, bold=True)
    page.paragraph(56, 120, 480, "The team interviewed 109 stakeholders and visited eight counties during the field"
                   " mission of the evaluation.")
    page.paragraph(56, 170, 480, "Four evaluation questions framed the exercise, and each was asked of the groups"
                   " best placed to answer it.")
    parsed = parse_document(build_pdf([page]), "methods.pdf")
    assert [u.heading for u in parsed.units] == ["1.2 Evaluation methodology"] * 2
    assert "1.2" not in _texts(parsed)


# noScribe's default output is an HTML page: a bold title, its credit in grey, then a paragraph per turn whose anchors
# carry the times and the label ("S01: [00:00:12] ..."), overlapping speech inside it. Its shape, in invented words.
NOSCRIBE_HTML = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN" "http://www.w3.org/TR/REC-html40/strict.dtd">\n<html >\n'
    '<head >\n<meta charset="UTF-8" />\n<meta name="qrichtext" content="1" />\n'
    '<meta name="audio_source" content="./interview.mp3" /></head>\n'
    '<body style="font-family: \'Arial\'" > <div class="WordSection1" >'
    '<p style="font-weight: 600" >Interview on the training programme</p>'
    '<p ><span style="color: #909090; font-size: 0.8em" >Transcribed with noScribe vers. 0.7<br />'
    'Audio file: ./interview.mp3</span></p><p></p>'
    '<p ><a name="ts_12140_22800_S01" >S01: <span style="color: #78909C" >[00:00:12]</span> Good morning, thank you'
    ' for taking the time.</a><a name="ts_30090_30910_//S00" > //S00: Gladly.</a>'
    '<a name="ts_31870_33510_S01" >// Could you tell me how the project began?</a></p>'
    '<p ><a name="ts_36190_40330_S00" >S00: <span style="color: #78909C" >[00:00:36]</span> It began in May, when'
    ' the union asked us for help.</a></p>'
    '<p ><a name="ts_41000_43000_S01" >S01: <span style="color: #78909C" >[00:00:41]</span> And what happened'
    ' then?</a></p>'
    '<p ><a name="ts_43500_49000_S00" >S00: <span style="color: #78909C" >[00:00:43]</span> Then we trained forty'
    ' workers in the first year.</a></p></div></body></html>\n')


def test_noscribe_html_is_imported_as_a_transcript(tmp_path: Path) -> None:
    """Once a desk-review document: the labels and times in every passage, the interviewer's questions codable."""
    page = tmp_path / "interview.html"
    page.write_text(NOSCRIBE_HTML, encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=None) as project:
        report = import_files(project, [page], coder="ana")
        assert report["documents"] == []
        [entry] = report["transcripts"]
        assert sorted(s["label"] for s in project.speakers(entry["id"])) == ["S00", "S01"]
        segs = project.segments(entry["id"])
        assert [(s["speaker"], s["text"], s["t_start"]) for s in segs if s["speaker"]] == [
            ("S01", "Good morning, thank you for taking the time.", 12.0),
            ("S00", "Gladly.", None),
            ("S01", "Could you tell me how the project began?", None),
            ("S00", "It began in May, when the union asked us for help.", 36.0),
            ("S01", "And what happened then?", 41.0),
            ("S00", "Then we trained forty workers in the first year.", 43.0)]
        assert any("overlapping utterance" in w for w in entry["notes"])
        assert entry["detected"].startswith("HTML page")


def test_interview_published_as_html_is_a_transcript_and_a_report_stays_a_document(tmp_path: Path) -> None:
    """An oral-history archive's page ('MSM: ...' / 'Kernighan: ...' paragraphs) was a document without a word."""
    page = tmp_path / "oral_history.htm"
    turns = [("MSM", "Since we were talking about translations, how did the first manual come about?"),
             ("Kernighan", "I hate to give a non-answer, but it grew out of the notes we kept."),
             ("MSM", "Who wrote the first draft?"),
             ("Kernighan", "Dennis wrote most of it, and I edited the tutorial parts.")]
    page.write_text("<html><head><title>BRIAN KERNIGHAN</title></head><body><h1>BRIAN KERNIGHAN</h1>"
                    + "".join(f"<p>{who}: {said}</p>" for who, said in turns) + "</body></html>", encoding="utf-8")
    report_page = tmp_path / "minutes.html"
    report_page.write_text("<html><body><h1>Minutes</h1><p>Note: the committee met twice.</p><p>The chamber hosted"
                           " seven quarterly consultation meetings with the unions.</p></body></html>",
                           encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=None) as project:
        report = import_files(project, [page, report_page], coder="ana")
        assert [d["id"] for d in report["documents"]] == ["minutes"]
        [entry] = report["transcripts"]
        segs = project.segments(entry["id"])
        assert [(s["speaker"], s["text"]) for s in segs if s["speaker"]] == [
            (who, said) for who, said in turns]
        assert any(n.endswith("this HTML page was read as a transcript (its paragraphs start with the speaker labels"
                              " 'MSM', 'Kernighan'); give it with --document to code it as a document")
                   for n in entry["notes"])


XML_DECLARATION = ('<?xml  version="1.0" encoding="utf-8"?>\n<!-- Inline XBRL Document -->\n'
                   '<!-- Creation Date      : 2022-03-30T02:55:49 -->\n')


def test_an_xhtml_page_opening_with_an_xml_declaration_is_read(tmp_path: Path) -> None:
    """A real annual report filed as inline XBRL (XHTML: an XML declaration naming its encoding, comments, then
    <html>) was refused as "this HTML file cannot be read"; an interview saved as XHTML was refused the same way."""
    report_page = tmp_path / "annual_report.html"
    report_page.write_text(
        XML_DECLARATION + '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html" />\n<title>\n'
        "</title>\n</head>\n<body>\n<p>Galaxy Gaming, Inc.</p>\n<table><tr><td>Nevada</td><td>20-8143439</td></tr>"
        "</table>\n<p>The company licenses casino table games to land-based casinos and to online operators.</p>\n"
        "</body></html>\n", encoding="utf-8")
    interview = tmp_path / "interview.xhtml"
    interview.write_text(
        XML_DECLARATION + '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        + "".join(f"<p>{who}: {said}</p>" for who, said in [
            ("Interviewer", "How did the training change the way grievances are handled?"),
            ("Lan", "The officers now answer within ten days, and workers know whom to ask."),
            ("Interviewer", "And the supervisors?"), ("Lan", "They attend the monthly dialogue meetings now.")])
        + "</body></html>", encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=None) as project:
        report = import_files(project, [report_page, interview], coder="ana")
        [document] = report["documents"]
        assert "Nevada | 20-8143439" in [s["text"] for s in project.segments(document["id"])]
        [entry] = report["transcripts"]
        assert [s["speaker"] for s in project.segments(entry["id"]) if s["speaker"]] == [
            "Interviewer", "Lan", "Interviewer", "Lan"]


def test_word_97_html_paragraphs_inside_dir_and_bold_stay_paragraphs(tmp_path: Path) -> None:
    """Word 97 saved its pages with every paragraph inside <DIR> and the title's <P> inside <B>: the whole page was
    one paragraph, so an interview saved so was a document and a report lost its paragraphs."""
    page = tmp_path / "interview_word97.htm"
    page.write_text(
        '<HTML><HEAD><META NAME="Generator" CONTENT="Microsoft Word 97"><TITLE>Interview with a shop steward</TITLE>'
        "</HEAD><BODY><DIR><DIR>\n<B><P>Interview with a shop steward</P>\n</B><P>&nbsp;</P>\n"
        "<P>MSM:&#9;How did you get into the union?</P>\n<P>&nbsp;</P>\n"
        "<P>Steward:&#9;Through the night shift, in the first year at the plant.</P>\n"
        "<P>MSM:&#9;When was that?</P>\n<P>Steward:&#9;In 1972, when the line was new.</P>\n"
        "</DIR></DIR></BODY></HTML>\n", encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=None) as project:
        report = import_files(project, [page], coder="ana")
        [entry] = report["transcripts"]
        segs = project.segments(entry["id"])
        assert [(s["speaker"], s["text"]) for s in segs if s["speaker"]] == [
            ("MSM", "How did you get into the union?"),
            ("Steward", "Through the night shift, in the first year at the plant."),
            ("MSM", "When was that?"), ("Steward", "In 1972, when the line was new.")]
    parsed = parse_document(page.read_bytes(), "report.htm")
    assert _texts(parsed)[:2] == ["Interview with a shop steward", "MSM: How did you get into the union?"]


def test_an_interview_saved_as_pdf_is_a_document_that_says_how_to_import_it_as_an_interview(tmp_path: Path) -> None:
    """An oral history published as PDF: once a document without a word, the interviewer's questions codable."""
    turns = ["Kossow: How did the compiler project start in your group?",
             "Allen: It was designed to match the hardware we had then.",
             "Kossow: Who designed it with you in those first years?",
             "Allen: A small team, and I was involved from the start."]
    pdf = tmp_path / "oral_history.pdf"
    pdf.write_bytes(report_pdf("Oral History of an engineer", [("Interview", turns)]))
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(report_pdf("Minutes", [("Decisions", [
        "The chamber hosted seven quarterly consultation meetings with the unions.",
        "Funding for the meetings ends with the project in December."])]))
    with Project.create(tmp_path / "p", codebook=None) as project:
        report = import_files(project, [pdf, minutes], coder="ana")
        warned = {d["id"]: d["warnings"] for d in report["documents"]}
        assert warned["oral_history"] == [
            "oral_history.pdf: this document reads as a transcript (its paragraphs start with the speaker labels"
            " 'Kossow', 'Allen'): it was imported as a document, without speakers; to code it as an interview, copy"
            " its text into a .txt or .docx file and import that"]
        assert not any("reads as a transcript" in w for w in warned["minutes"])


def test_a_report_whose_captions_and_source_lines_start_a_few_paragraphs_is_not_said_to_read_as_a_transcript(
        tmp_path: Path) -> None:
    """Real reports (an aid-evaluation review in Swedish, a two-column paper, a grant application) were said to read
    as transcripts with the speakers 'Källa', 'Table 1', 'Amount', ...: their captions, source lines and form fields
    start a paragraph here and there, one of them asks a question, and each caption's 'turn' ran on over all the
    paragraphs up to the next one. In an interview, labelled turns start paragraph after paragraph."""
    body = [f"Paragraph {n} of the review says what the evaluations found about the results after the funding"
            f" ended, in {n + 3} of the cases read, and how far their conclusions can be trusted." for n in range(40)]
    for at, caption in ((5, "Table 1: Evaluations read, by year and by the sector of the intervention."),
                        (12, "Källa: Sida's database of decentralised evaluations, 2012-2014."),
                        (20, "Table 2: Which evaluations judged sustainability, and how?"),
                        (28, "Källa: our own review of the 155 evaluations."),
                        (35, "Table 3: Conclusions on sustainability by the length of the intervention.")):
        body.insert(at, caption)
    review = tmp_path / "review.txt"
    review.write_text("SUSTAINABILITY OF SWEDISH AID\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=None) as project:
        report = import_files(project, [], documents=[review], coder="ana")
        [entry] = report["documents"]
        assert not any("reads as a transcript" in w for w in entry["warnings"])
        texts = [s["text"] for s in project.segments(entry["id"])]
        assert "Table 2: Which evaluations judged sustainability, and how?" in texts


FAQ_HTML = ("<!DOCTYPE html>\n<html><head><title>Programme FAQ</title></head><body>\n"
            "<h1>Frequently asked questions about the Rural Water Programme</h1>\n"
            "<p>Q: Who can apply for a grant?</p>\n"
            "<p>A: Any registered water user association in the four target provinces can apply.</p>\n"
            "<p>Q: How much can a grant be?</p>\n<p>A: Up to 20,000 USD, with a 10% community contribution.</p>\n"
            "<p>Q: When are the deadlines?</p>\n"
            "<p>A: Applications are reviewed every quarter, in March, June, September and December.</p>\n"
            "</body></html>\n")
LOGFRAME_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Results framework</title></head><body>\n"
    "<h1>Results framework of the Rural Water Programme</h1>\n<h2>Outcome 1</h2>\n"
    "<p>Indicator: Share of households with safe water within 30 minutes of their home.</p>\n"
    "<p>Baseline: 42 percent of households in the four provinces, survey of 2019.</p>\n"
    "<p>Target: 75 percent of households by the end of 2024, disaggregated by sex of household head.</p>\n"
    "<h2>Outcome 2</h2>\n<p>Indicator: Number of water user associations that collect tariffs every month.</p>\n"
    "<p>Baseline: 12 associations, mostly in the lowland districts.</p>\n"
    "<p>Target: 60 associations, at least a third of them led by women.</p>\n</body></html>\n")


def test_an_faq_and_a_results_framework_page_stay_documents(tmp_path: Path) -> None:
    """Once imported as interviews, with speakers 'Q' and an informant 'A', or 'Baseline' and 'Target'; given as
    documents they were said to read as transcripts."""
    faq, logframe = tmp_path / "faq.html", tmp_path / "logframe.html"
    faq.write_text(FAQ_HTML, encoding="utf-8")
    logframe.write_text(LOGFRAME_HTML, encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=None) as project:
        report = import_files(project, [faq, logframe], coder="ana")
        assert report["transcripts"] == []
        assert sorted(d["id"] for d in report["documents"]) == ["faq", "logframe"]
    with Project.create(tmp_path / "q", codebook=None) as project:
        report = import_files(project, [], documents=[faq, logframe], coder="ana")
        assert len(report["documents"]) == 2
        assert not any("reads as a transcript" in w for d in report["documents"] for w in d["warnings"])


FIXTURES = ROOT / "tests" / "fixtures" / "documents"


def test_a_word_document_with_tracked_changes_reads_as_with_the_changes_accepted_and_says_so() -> None:
    """A real file with tracked changes: inserted text (a whole suggested sentence, a word, a new link) was lost, and a
    table row deleted with changes tracked was read; now the text is the document as Word shows it with every change
    accepted, and the report says how the changes were read."""
    parsed = read_document(FIXTURES / "mammoth-track-changes-test.docx")
    texts = _texts(parsed)
    assert "And here is much more content." in texts
    assert "This is new content, that I suggest." in texts
    assert "Link 2: www.hlx.live" in texts
    # deleted text and the deleted row are not read; nothing is read twice
    assert not any("default" in t or "Point two" in t or "Item 1" in t or "C1" in t for t in texts)
    assert "This is the content." in texts
    assert any(w.startswith("17 tracked change(s) read as accepted") for w in parsed.warnings)


def test_word_text_boxes_are_read_once_after_the_paragraph_they_are_anchored_in() -> None:
    """A real flowchart whose steps are text boxes: only its two title lines were read, the 16 boxes (each written
    twice by Word, as a drawing and as its fallback) were lost."""
    parsed = read_document(FIXTURES / "docling-textbox.docx")
    texts = _texts(parsed)
    step = ("A report must be submitted within 24 hours via the Ministry of Education’s Campus Safety and Disaster"
            " Prevention Information Network.")
    assert texts.count(step) == 1
    assert texts.index("Infectious Disease Reporting Procedure for the 113th Academic Year Kindergarten") \
        < texts.index(step)
    assert "16 text box(es) read after the paragraph each is anchored in" in parsed.warnings


@pytest.mark.parametrize(("name", "said"), [
    ("mammoth-footnotes.docx", "2 footnote(s) read after the paragraph or table that cites each"),
    ("mammoth-endnotes.docx", "2 endnote(s) read at the end of the document")])
def test_word_footnotes_and_endnotes_are_read_as_paragraphs_of_their_own(name: str, said: str) -> None:
    """Footnotes and endnotes of Word files were not read at all; they are read apart from the sentence that cites
    them (never glued into it), footnotes after the citing paragraph, endnotes at the end."""
    parsed = read_document(FIXTURES / name)
    assert _texts(parsed) == ["Ouch.", "A tachyon walks into a bar.", "Fin."]
    assert said in parsed.warnings


EBA = FIXTURES / "eba-2017-12-pages-5-6-9-10.pdf"


def test_a_swedish_reports_contents_pages_are_not_units_headings_or_its_title() -> None:
    """The contents of a real Swedish report ("Innehållsförteckning", then a second page without a title) were read
    as headings and units ("1", "Vad säger tidigare studier?", "..... 12 Några slutsatser ....."), the summary
    below them sat under the heading ". . . . . 78", and the report was titled "Innehållsförteckning"."""
    parsed = read_document(EBA)
    texts = _texts(parsed)
    assert not any("...." in t for t in texts)
    assert not any(t.strip().isdigit() for t in texts)
    assert all(u.page in (3, 4) for u in parsed.units)  # nothing from the two contents pages
    assert all("...." not in (u.heading or "") for u in parsed.units)
    assert parsed.metadata["title"] != "Innehållsförteckning"
    assert "Vad säger tidigare studier?" in parsed.text  # still part of the text


SUMMARY = ["The project reached 147 factories in three provinces and trained their grievance officers in 2023.",
           "Women made up most of the trainees but few of the certified trainers in every province visited.",
           "The labour inspectorate adopted the checklist, and its inspectors used it on every visit since."]


@pytest.mark.parametrize("leaders, numbers, above", [(True, True, False), (False, True, False),
                                                     (False, False, False), (True, True, True)])
def test_an_executive_summary_on_the_contents_page_is_read(leaders: bool, numbers: bool, above: bool) -> None:
    """A page titled "Contents" was not codable at all: the executive summary below a short table of contents on
    the same page was left out of the units without a word. Only the contents' lines are left out, and the report
    says so."""
    cover, toc, body = PdfPage(), PdfPage(), PdfPage()
    cover.text(72, 200, "Final evaluation of the decent work project", size=24, bold=True)
    if above:  # the end of a foreword above the contents
        toc.paragraph(72, 20, 450, "We thank the ministry, the employers and the workers who gave their time to the"
                      " evaluation team in all three provinces.")
    toc.text(72, 72, "Contents", size=16, bold=True)
    for i, (entry, number) in enumerate([("Executive summary", 2), ("1. Findings", 3), ("2. Recommendations", 3)]):
        toc.text(72, 110 + i * 16, f"{entry} {'. ' * 30 if leaders else ''}{number if numbers else ''}".strip())
    toc.text(72, 190, "Executive summary", size=16, bold=True)
    top = 225.0
    for paragraph in SUMMARY:
        top = toc.paragraph(72, top, 450, paragraph) + 12
    body.text(72, 72, "1. Findings", size=16, bold=True)
    body.paragraph(72, 110, 450, "The factories kept most of the officers they trained, the records of 2024 show.")
    body.text(72, 180, "2. Recommendations", size=16, bold=True)
    body.paragraph(72, 220, 450, "The ministry should fund the follow-up visits from its own budget after 2025.")
    parsed = parse_document(build_pdf([cover, toc, body]), "toc-same-page.pdf")
    texts = _texts(parsed)
    if above:
        assert texts[0].startswith("We thank the ministry")
        texts = texts[1:]
    assert texts[:3] == SUMMARY
    assert [u.heading for u in parsed.units if parsed.text[u.start:u.end] in SUMMARY] == ["Executive summary"] * 3
    assert not any(t.startswith(("Recommendations", "2. Recommendations", "1. Findings")) for t in texts)
    assert "2. Recommendations" in parsed.text  # the contents stay part of the text
    assert any("table of contents" in w and "page 2" in w for w in parsed.warnings), parsed.warnings


def test_a_justified_line_whose_words_are_spread_apart_is_read_in_place() -> None:
    """Justification spread a short line's words 17 pt apart, so it came in pieces that were read as narrow
    columns: "hållbarhetsbegrepp" and "för" left the sentence as units of their own, and a paragraph's indented
    first line was cut off from the rest of its sentence."""
    texts = _texts(read_document(EBA))
    assert ("Innan man påbörjar ett arbete med att utveckla eller specificera utvärderingsmetoder så bör ett"
            " begreppsligt arbete genomföras där ett tydligare hållbarhetsbegrepp för biståndsutvärdering tas fram."
            ) in texts
    assert ("Hur utvärderingarnas slutsatser om bristande hållbarhet (genomförda innan insatsen avslutas) bör"
            " värderas är samtidigt osäkert.") in texts
    assert not any(len(t.split()) == 1 for t in texts)


def test_an_opendocument_text_is_read_with_its_changes_accepted_its_notes_and_its_contents_apart(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Real .odt files (LibreOffice's own format, and what many NGOs and governments share) were refused as "a zip
    archive, not a Word document". Now they are read as Word files are: the deleted text tracked changes keep is
    left out, footnotes follow the paragraph citing them, the table of contents is text but not units, and the
    headings give the units their heading path."""
    changed = read_document(FIXTURES / "odfdo-tracked_changes.odt")
    assert _texts(changed) == ["Bonjour los bonitos amigos ça va ?"]
    assert changed.warnings[0].startswith("3 tracked change(s) read as accepted")
    poem = read_document(FIXTURES / "odfdo-dormeur_notes.odt")
    texts = _texts(poem)
    assert poem.metadata["title"] == "Le dormeur du val"
    # the title's footnote after the title, the poem's after the poem, each a unit of its own, then the signature
    assert texts[0] == "Note dormeur" and texts[1].startswith("C'est un trou de verdure où chante une rivière,")
    assert texts[-4:] == ["Il a deux trous rouges au côté droit.", "Note next remote link", "End note",
                          "Arthur Rimbaud"]
    assert "3 footnote(s) or endnote(s) read after the paragraph or table that cites each" in poem.warnings
    with_toc = read_document(FIXTURES / "odfdo-doc_with_toc.odt")
    assert "Table of Contents" in with_toc.text
    assert not any(t.startswith(("Table of Contents", "1. Lorem 1 1")) for t in _texts(with_toc))
    # its headings numbered by LibreOffice's outline numbering, as its contents list them ("1.1. Lorem 1A 1")
    assert {u.heading for u in with_toc.units} >= {"1. Lorem 1 > 1.1. Lorem 1A", "1. Lorem 1 > 1.3. Lorem 1C"}
    assert "1.1. Lorem 1A" in with_toc.text and "4 numbered heading(s)" in with_toc.warnings[0]
    # a numbered list numbered as LibreOffice shows it, a bulleted one without its bullets
    listed = read_document(FIXTURES / "odfdo-list.odt")
    assert _texts(listed) == ["Some text", "une liste accentuée", "un sous-élément", "1. une liste numérotée",
                              "2. et de deux !"]
    # imported with --document from the command line, as a Word file is
    project = tmp_path / "p"
    assert run_cli(capsys, "init", "-p", str(project))[0] == 0
    code, out, err = run_cli(capsys, "import", "-p", str(project), "--document",
                             str(FIXTURES / "odfdo-dormeur_notes.odt"))
    assert code == 0 and "Traceback" not in err and "odfdo-dormeur_notes: new (document 'Le dormeur du val'" in out


def test_a_page_drawn_inside_a_form_xobject_is_read_and_a_charts_labels_are_not() -> None:
    """A real annual report (Reliance Industries 2021-22, three pages) draws its second and third pages inside form
    XObjects, as designed reports do: their 3,900 characters each were not read, and the import said "pages 2, 3
    without text (scanned images?)". The text of such a form is read when it reads as prose; a chart's short
    labels drawn in a form stay out, as before."""
    body = [("The project trained grievance officers in twenty-eight factories of Bac Ninh and Hai Phong during the"
             " year, and the officers resolved most cases within ten days of their filing."),
            ("Women made up sixty-one per cent of the trainees but only a fifth of the certified trainers, which"
             " the team explains by the timing of the trainer course in the peak season.")]
    designed = PdfPage()
    top = designed.paragraph(72, 80, 440, body[0])
    designed.paragraph(72, top + 10, 440, body[1])
    designed.as_form()
    charted = PdfPage()
    for n, label in enumerate(["2021", "2022", "2023", "Women", "Men"]):
        charted.text(100 + 60 * n, 300, label, size=8)
    charted.as_form()  # the chart, drawn as a form of its own
    charted.paragraph(72, 80, 440, body[1])
    charted.paragraph(72, 360, 440, body[0])
    parsed = parse_document(build_pdf([designed, charted]), "annual.pdf")
    pages = [(u.page, parsed.text[u.start:u.end]) for u in parsed.units]
    assert [t for p, t in pages if p == 1] == body
    assert [t for p, t in pages if p == 2] == [body[1], body[0]]
    assert not any("scanned" in w for w in parsed.warnings)


def test_a_bulleted_items_wrapped_line_stays_in_the_item_and_the_bullet_is_not_text() -> None:
    """A course outline (unstructured's list-item example) and a review in Swedish: a list item whose first line
    ends with a colon ("● Determining root challenges:") lost its wrapped line ("organizational factors") to a unit
    of its own, and every item's unit began with its bullet, which a quote does not show."""
    page = PdfPage()
    top = page.paragraph(72, 80, 440, "The module looks at the challenges that may arise during design and at the"
                                      " considerations beneath them.")
    items = [("•", "Determining root challenges:", "organizational factors"),
             ("-", "Underlying considerations: usability and", "user experience"),
             ("•", "Bristande fokus på kostnadseffektivitet, exempelvis en oklar koppling mellan målet med insatsen",
              "och den finansiering man varit beredd att tillhandahålla.")]
    top += 10
    for bullet, first, rest in items:
        page.text(72, top, f"{bullet} {first}")
        page.text(84, top + 13, rest)
        top += 30
    texts = _texts(parse_document(build_pdf([page]), "outline.pdf"))
    assert texts[-3:] == ["Determining root challenges: organizational factors",
                          "Underlying considerations: usability and user experience",
                          "Bristande fokus på kostnadseffektivitet, exempelvis en oklar koppling mellan målet med"
                          " insatsen och den finansiering man varit beredd att tillhandahålla."]


def test_a_cover_opening_with_a_number_still_gives_the_report_its_title() -> None:
    """A real report's cover sets "2017:12" in large figures above its title: the figures were taken as the first
    heading, passed over as naming nothing, and the report was silently called after its file ("eba 2017 12")."""
    cover = PdfPage()
    cover.text(72, 80, "122 0 1 7", size=40)
    cover.text(72, 200, "Sustainability of Swedish aid", size=26, bold=True)
    cover.text(72, 240, "What do evaluations say?", size=18)
    body = PdfPage()
    body.paragraph(72, 80, 440, "The review read 155 evaluations of Swedish aid and asked what they say about the"
                                " results after the funding ended.")
    parsed = parse_document(build_pdf([cover, body]), "eba_2017_12.pdf")
    assert parsed.metadata["title"] == "Sustainability of Swedish aid"
    numbers_only = PdfPage()
    numbers_only.text(72, 80, "2017 12", size=40)
    numbers_only.paragraph(72, 200, 440, "The review read 155 evaluations of Swedish aid and asked what they say.")
    parsed = parse_document(build_pdf([numbers_only]), "eba_2017_12.pdf")
    assert parsed.metadata["title"] == "eba 2017 12"
    assert any(w.startswith("no title in the PDF: called 'eba 2017 12' after the file") for w in parsed.warnings)


def test_word_numbered_paragraphs_and_headings_keep_the_numbers_word_shows() -> None:
    """Word draws the numbers of numbered lists, paragraphs and headings from its numbering definitions; they are
    not in the text, so "para. 23" of a report or its section "2.1" could not be found: a resumed list read
    "First ordered item ... Third ordered item" without 1, 2, 3, and the heading path was "Section 1 > Section
    1.1" for what Word shows as "1. Section 1 > 1.1. Section 1.1"."""
    resumed = read_document(FIXTURES / "docling-docx_list_resumed_numbering.docx")
    assert _texts(resumed) == ["1. First ordered item", "2. Second ordered item", "bullet one", "bullet two",
                               "3. Third ordered item"]
    assert resumed.warnings[0].startswith("3 numbered paragraph(s) and heading(s) given the number Word shows")
    headed = read_document(FIXTURES / "docling-unit_test_headers_numbered.docx")
    paths = [u.heading for u in headed.units]
    assert paths[0] == "1. Section 1" and "1. Section 1 > 1.1. Section 1.1" in paths
    assert "2. Section 2" in paths


def _odt_changed(member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(FIXTURES / "odfdo-doc_with_toc.odt") as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == member else data)
    return out.getvalue()


_DEEP_LIST = ('<text:list-style style:name="LDeep">' + "".join(
    f'<text:list-level-style-number text:level="{n}" style:num-format="1" text:display-levels="{n}"/>'
    for n in range(1, 11)) + "</text:list-style>" + '<text:list text:style-name="LDeep">'
    + "<text:list-item><text:list>" * 11 + "<text:list-item><text:p>The deepest item of the outline.</text:p>"
    + "</text:list-item>" + "</text:list></text:list-item>" * 11 + "</text:list>")


@pytest.mark.parametrize("member, change", [
    ("styles.xml", lambda x: x.replace('num-list-format="%1%."', 'num-list-format="%1%.%42%."', 1)),
    ("styles.xml", lambda x: x.replace('num-list-format="%1%."', 'num-list-format="%1%.%0%.%99%."', 1)),
    ("content.xml", lambda x: x.replace('<office:text text:use-soft-page-breaks="true">',
                                        '<office:text text:use-soft-page-breaks="true">' + _DEEP_LIST, 1)),
    ("content.xml", lambda x: x.replace(
        '<office:text text:use-soft-page-breaks="true">',
        '<office:text text:use-soft-page-breaks="true"><text:list-style style:name="LRoman">'
        '<text:list-level-style-number text:level="1" style:num-format="I" text:start-value="99999999999999"/>'
        '</text:list-style><text:list text:style-name="LRoman"><text:list-item><text:p>The deepest item of the'
        " outline.</text:p></text:list-item></text:list>", 1)),
], ids=["outline-level-42", "outline-levels-0-99", "list-12-deep", "roman-start-huge"])
def test_an_opendocument_numbering_beyond_ten_levels_is_read_not_a_crash(member: str, change, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """An outline format naming a level the outline does not have ("%1%.%42%.") or a list nested deeper than the ten
    levels OpenDocument numbers stopped the reader with "could not read this document (IndexError: list index out
    of range)": the number of a level that does not exist is left out, a deeper list is numbered as its tenth
    level; a list starting at a roman number in the trillions is numbered in digits."""
    path = tmp_path / "crafted.odt"
    path.write_bytes(_odt_changed(member, change))
    texts = _texts(read_document(path))
    assert texts and not any("%" in t for t in texts)
    if member == "content.xml":
        assert any(t.endswith("The deepest item of the outline.") for t in texts)
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    code, out, err = run_cli(capsys, "import", "-p", str(project), "--document", str(path))
    assert code == 0, err


def test_a_word_table_of_contents_is_text_but_not_units(tmp_path: Path) -> None:
    """Word's table of contents (paragraphs in its "toc 1", "toc 2" styles) was read as units to code."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.add_heading("Mid-term evaluation", level=0)
    for name in ("toc 1", "toc 2"):  # Word's own names ("TOC Heading" is in the default template)
        if name not in [s.name for s in document.styles]:
            document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Contents", style="TOC Heading")
    document.add_paragraph("1 Relevance\t3", style="toc 1")
    document.add_paragraph("1.1 Fit with national policy\t4", style="toc 2")
    document.add_heading("1 Relevance", level=1)
    document.add_paragraph("The project answers the needs the tripartite constituents named in 2021.")
    path = tmp_path / "mte.docx"
    document.save(str(path))
    parsed = read_document(path)
    assert _texts(parsed) == ["The project answers the needs the tripartite constituents named in 2021."]
    assert "1.1 Fit with national policy 4" in parsed.text


def test_a_list_items_number_set_apart_by_a_tab_stays_with_its_text() -> None:
    """A review's fifth question ("5." then, a tab away, "How should sustainability be evaluated and followed up?")
    and an instruction manual's "(1)" paragraph became two units each: the number alone, then its text."""
    page = PdfPage()
    page.text(72, 80, "The following questions should be analysed in particular in future studies:")
    page.text(90, 110, "4. How are time limits, time planning and phasing out linked to")
    page.text(110, 123, "sustainability in development aid operations and results?")
    page.text(90, 143, "5.")
    page.text(110, 143, "How should sustainability be evaluated and followed up?")
    page.text(72, 173, "(1)")
    page.text(110, 173, "This transmits the revised manual on terminal responses.")
    texts = _texts(parse_document(build_pdf([page]), "questions.pdf"))
    assert texts[-3:] == ["4. How are time limits, time planning and phasing out linked to sustainability in"
                          " development aid operations and results?",
                          "5. How should sustainability be evaluated and followed up?",
                          "(1) This transmits the revised manual on terminal responses."]


def test_a_saved_web_pages_skip_links_hidden_parts_and_landmarks_are_not_units(tmp_path: Path) -> None:
    """A saved Wikipedia page began with "Jump to content"; an agency's report page saved from a browser has a "Skip
    to main content" link, a cookie dialog, a navigation landmark made of divs, icons hidden from screen readers and
    a hidden print-only block: none of it is the document."""
    page = tmp_path / "report.html"
    page.write_text(
        "<html><head><title>Mid-term review of the decent work programme</title></head><body>"
        '<a class="skip" href="#main">Skip to main content</a>'
        '<div role="dialog"><p>We use cookies to improve your experience. Accept all cookies?</p></div>'
        '<div role="navigation"><ul><li>Home</li><li>Publications</li><li>Evaluations</li></ul></div>'
        '<main id="main"><h1>Mid-term review of the decent work programme</h1>'
        '<p><span aria-hidden="true">&#9432;</span>The review found that the tripartite constituents own the'
        " programme's priorities.</p>"
        '<div hidden><p>Printed from the agency website on 3 May 2024.</p></div>'
        '<div style="display: none"><p>Share this page on social media.</p></div>'
        "<p>Funding for the labour inspection component ends in 2025.</p></main></body></html>",
        encoding="utf-8")
    parsed = read_document(page)
    assert _texts(parsed) == ["The review found that the tripartite constituents own the programme's priorities.",
                              "Funding for the labour inspection component ends in 2025."]


_FINDING = "The mid-term evaluation found that the training reached {n} factories and that grievances fell there."


@pytest.mark.parametrize("wrapper", ['<div id="page" aria-hidden="true">', '<div id="root" hidden>',
                                     '<div class="wrap" style="display: none">'])
@pytest.mark.parametrize("footer", [True, False])
def test_a_page_saved_with_a_dialog_open_keeps_the_text_the_page_hid(tmp_path: Path, wrapper: str,
                                                                     footer: bool) -> None:
    """Modal dialogs (a cookie notice open when the page was saved) mark the rest of the page aria-hidden or hide it:
    the report was read as its footer alone, or refused as having no text to code, and the report said nothing."""
    paragraphs = "".join(f"<p>{_FINDING.format(n=n * 10)}</p>" for n in range(1, 8))
    page = tmp_path / "report.html"
    page.write_text(
        '<html><head><title>Mid-term evaluation</title></head><body>'
        f"{wrapper}<main><h1>Mid-term evaluation of the decent work project</h1>{paragraphs}</main></div>"
        '<div role="dialog" aria-modal="true"><p>We use cookies. Accept all?</p><button>Accept</button></div>'
        + ('<div class="site-info"><p>Published by the Country Office, 2024.</p></div>' if footer else "")
        + "</body></html>", encoding="utf-8")
    parsed = read_document(page)
    texts = _texts(parsed)
    assert texts[:7] == [_FINDING.format(n=n * 10) for n in range(1, 8)]
    assert not any("cookies" in t for t in texts)
    assert any("the page hides" in w and "read" in w for w in parsed.warnings), parsed.warnings


def test_a_pages_hidden_tabs_are_read_and_what_is_left_out_as_hidden_is_counted(tmp_path: Path) -> None:
    """A report page with tabs keeps the inactive tabs hidden (the hidden attribute, display: none): the findings and
    recommendations were left out without a word in the report. A small hidden part (a print-only line) stays out,
    and the report says how much was left out."""
    def tab(name: str, attrs: str) -> str:
        return f'<div role="tabpanel"{attrs}>' + "".join(f"<p>{name} {i}: {_FINDING.format(n=i)}</p>"
                                                         for i in range(1, 4)) + "</div>"
    page = tmp_path / "tabs.html"
    page.write_text(
        "<html><head><title>Evaluation summary</title></head><body><main><h1>Evaluation summary</h1>"
        + tab("Summary", "") + tab("Findings", " hidden") + tab("Recommendations", ' style="display: none"')
        + "</main></body></html>", encoding="utf-8")
    texts = _texts(read_document(page))
    assert [t.split(":")[0] for t in texts] == [f"{name} {i}" for name in ("Summary", "Findings", "Recommendations")
                                                for i in range(1, 4)]
    small = tmp_path / "small.html"
    small.write_text(
        "<html><head><title>Evaluation summary</title></head><body><main><h1>Evaluation summary</h1>"
        + "".join(f"<p>{_FINDING.format(n=i)}</p>" for i in range(1, 4))
        + '<div class="print-only" hidden><p>Printed from the agency website on 3 May 2024.</p></div>'
        + "</main></body></html>", encoding="utf-8")
    parsed = read_document(small)
    assert not any("Printed" in t for t in _texts(parsed))
    assert any("9 word(s)" in w and "the page hides" in w and "left out" in w for w in parsed.warnings), \
        parsed.warnings


def test_a_pages_collapsed_sections_are_read_and_a_hidden_menu_is_not(tmp_path: Path) -> None:
    """An accordion's collapsed sections (a panel a button expands, hidden until then, or hidden="until-found") are
    the report's text, however little of the page they hold; a menu a button opens is not."""
    visible = "".join(f"<p>{_FINDING.format(n=n)}</p>" for n in range(1, 9))
    page = tmp_path / "accordion.html"
    page.write_text(
        "<html><head><title>Evaluation summary</title></head><body>"
        '<button aria-expanded="false" aria-controls="menu">Menu</button>'
        '<div id="menu" hidden><ul><li><a href="/">Home</a></li><li><a href="/pubs">Publications</a></li></ul></div>'
        f"<main><h1>Evaluation summary</h1>{visible}"
        '<h2><button aria-expanded="false" aria-controls="s2">Lessons learned</button></h2>'
        '<div id="s2" hidden><p>Lessons: the officers trained first trained the others in their factories.</p></div>'
        '<h2>Recommendations</h2><div hidden="until-found"><p>Recommendation: fund the follow-up visits from the'
        " ministry's budget.</p></div></main></body></html>", encoding="utf-8")
    texts = _texts(read_document(page))
    assert texts[-2:] == ["Lessons: the officers trained first trained the others in their factories.",
                          "Recommendation: fund the follow-up visits from the ministry's budget."]
    assert not any("Publications" in t for t in texts)


def test_a_pages_numbered_paragraphs_keep_their_numbers(tmp_path: Path) -> None:
    """A report published as HTML numbers its paragraphs with an ordered list (``<ol start="21">``): the numbers the
    browser draws ("21.") were lost, so "para. 22" could not be found, while a Word or PDF report keeps them."""
    page = tmp_path / "report.html"
    page.write_text(
        "<html><head><title>Final evaluation</title></head><body><main><h1>Findings</h1>"
        '<ol start="21"><li>The project reached 147 factories in three provinces.</li>'
        "<li><p>Women made up most of the trainees but few of the trainers.</p></li>"
        '<li value="30">The inspectorate adopted the checklist in 2024.</li>'
        '<li>Recommendations follow:<ol type="a"><li>fund the follow-up visits from the budget;</li>'
        "<li>train the trainers before the peak season.</li></ol></li><li hidden>A hidden item.</li></ol>"
        "<ul><li>A bullet keeps no number at all.</li></ul></main></body></html>", encoding="utf-8")
    parsed = read_document(page)
    assert _texts(parsed) == ["21. The project reached 147 factories in three provinces.",
                              "22. Women made up most of the trainees but few of the trainers.",
                              "30. The inspectorate adopted the checklist in 2024.",
                              "31. Recommendations follow:", "a. fund the follow-up visits from the budget;",
                              "b. train the trainers before the peak season.", "A bullet keeps no number at all."]
    assert any("6 numbered list item(s)" in w for w in parsed.warnings), parsed.warnings


def test_a_markdown_reports_numbered_paragraphs_keep_their_numbers(tmp_path: Path) -> None:
    """A Markdown report's numbered paragraphs ("21. The project ...") lost their numbers, which plain text, Word,
    PDF and HTML keep; a bullet is still left out."""
    path = tmp_path / "report.md"
    path.write_text("# Findings\n\n21. The project reached 147 factories in three provinces.\n"
                    "22. Women made up most of the trainees but few of the trainers.\n\n"
                    "- A bullet keeps no mark at all.\n", encoding="utf-8")
    assert _texts(read_document(path)) == ["21. The project reached 147 factories in three provinces.",
                                           "22. Women made up most of the trainees but few of the trainers.",
                                           "A bullet keeps no mark at all."]


def test_a_page_whose_body_is_one_aspnet_form_is_read(tmp_path: Path) -> None:
    """ASP.NET sites (many government and agency sites) hold the whole body of a page in one <form>: the page was
    refused as having "no text to code"; a search form marked as such stays out."""
    page = tmp_path / "report.aspx.html"
    page.write_text(
        '<html><head><title>Final evaluation</title></head><body>'
        '<form role="search"><label>Search publications</label><input name="q"/><button>Go</button></form>'
        '<form name="aspnetForm" method="post" action="./report.aspx" id="aspnetForm">'
        '<div><input type="hidden" name="__VIEWSTATE" value="x"/></div><div id="content">'
        "<h1>Final evaluation</h1><p>The project trained grievance officers in twenty-eight"
        " factories.</p><p>Funding for the labour inspection component ends in 2025.</p></div></form></body></html>",
        encoding="utf-8")
    assert _texts(read_document(page)) == ["The project trained grievance officers in twenty-eight factories.",
                                           "Funding for the labour inspection component ends in 2025."]


def test_a_rule_drawn_in_characters_is_not_a_unit(tmp_path: Path) -> None:
    """A 619-page PDF set its section breaks as lines of box-drawing characters ("───────", 31 of them, and
    "———─"): each was a unit to code. A Markdown report's "* * *" likewise."""
    report = tmp_path / "report.txt"
    report.write_text("FINDINGS\n\nThe chamber hosted seven quarterly meetings.\n\n───────\n\n"
                      "Funding ends in December.\n\n* * *\n\n———─\n", encoding="utf-8")
    parsed = read_document(report)
    assert _texts(parsed) == ["The chamber hosted seven quarterly meetings.", "Funding ends in December."]
    assert "───────" in parsed.text


def test_a_title_set_over_lines_and_pieces_is_one_heading_and_an_inner_title_page_no_section() -> None:
    """A Swedish review's inner title page sets its title in three pieces ("Livslängd och", "livskraft: Vad
    säger" on one line, wide apart, then "utvärderingar om ...?"): each was a heading of its own, and the last one
    headed every unit of the report ("utvärderingar om svenska biståndsinsatsers hållbarhet? > 1 Varför ...")."""
    cover = PdfPage()
    cover.text(56, 120, "LIVSLÄNGD OCH LIVSKRAFT: VAD SÄGER", size=20, bold=True)
    cover.text(56, 144, "UTVÄRDERINGAR OM SVENSKA BISTÅNDSINSATSERS HÅLLBARHET?", size=20, bold=True)
    inner = PdfPage()
    inner.text(56, 200, "Livslängd och", size=19)
    inner.text(194, 200, "livskraft: Vad säger", size=19)
    inner.text(56, 222, "utvärderingar om svenska biståndsinsatsers hållbarhet?", size=19)
    chapter = PdfPage()
    chapter.text(56, 80, "1 Varför en genomgång av hållbarhetsanalyser?", size=16, bold=True)
    chapter.paragraph(56, 120, 440, "Hur hållbart är det svenska biståndet och dess resultat? Denna fråga återkommer"
                                    " i analyser och utvärderingar men diskuteras knappast alls idag.")
    parsed = parse_document(build_pdf([cover, inner, chapter]), "eba.pdf")
    assert ("Livslängd och livskraft: Vad säger utvärderingar om svenska biståndsinsatsers hållbarhet?"
            in parsed.text)
    assert {u.heading for u in parsed.units} == {"1 Varför en genomgång av hållbarhetsanalyser?"}


def test_re_importing_a_corrected_document_says_how_its_codings_were_re_anchored(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The report of a re-imported transcript says how many codings moved and how many wait for review; a
    re-imported document's said nothing, so a coding flagged for review went unnoticed."""
    project = tmp_path / "p"
    report = tmp_path / "report.md"
    report.write_text("# Final report\n\nThe chamber hosted seven quarterly consultation meetings with the unions.\n\n"
                      "Funding for the meetings ends with the project in December.\n", encoding="utf-8")
    assert run_cli(capsys, "init", "-p", str(project))[0] == 0
    assert run_cli(capsys, "import", "-p", str(project), "--document", str(report))[0] == 0
    quotes = tmp_path / "quotes.csv"
    quotes.write_text("quote,code,transcript\n\"Funding for the meetings ends\",sustainability,report\n"
                      "\"The chamber hosted seven\",effectiveness,report\n", encoding="utf-8")
    assert run_cli(capsys, "codings", "import", "-p", str(project), str(quotes), "--coder", "ana")[0] == 0
    report.write_text("# Final report\n\nThe chamber hosted seven quarterly consultation meetings with the unions."
                      "\n\nFunding ends.\n\nA new paragraph on the labour inspection component.\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "import", "-p", str(project), "--document", str(report))
    assert code == 0 and "report: new version" in out
    assert "  codings re-anchored 1, flagged for review 1" in out


def test_codings_follow_list_items_that_gained_or_changed_their_numbers(tmp_path: Path) -> None:
    """Word documents imported before their numbers were read gain them on re-import ("Use sun cream" -> "3. Use sun
    cream", 89% alike), and an item added at the top of a numbered list renumbers every later one: short items were
    flagged for review as changed passages instead of keeping their codings."""
    report = tmp_path / "report.txt"
    items = ["Wear sunglasses", "Drink water", "Use sun cream"]
    report.write_text("RECOMMENDATIONS\n\n" + "\n".join(f"- {t}" for t in items) + "\n", encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=None) as project:
        from qualcode.codebook import default_codebook_path, load_codebook

        import_files(project, [], documents=[report], coder="ana")
        project.set_codebook(load_codebook(default_codebook_path()), coder="ana")
        unit = next(s for s in project.segments("report") if s["text"] == "Use sun cream")
        project.add_coding(f"report:{unit['idx']}", "sustainability.funding", coder="ana")
        for version in (["Wear sunglasses", "Drink water", "Use sun cream"],
                        ["Wear a hat.", "Wear sunglasses", "Drink water", "Use sun cream"]):
            report.write_text("RECOMMENDATIONS\n\n" + "\n".join(f"{n}. {t}" for n, t in enumerate(version, 1))
                              + "\n", encoding="utf-8")
            [entry] = import_files(project, [], documents=[report], coder="ana")["documents"]
            assert entry["reanchor"]["moved"] == 1 and entry["reanchor"]["needs_review"] == 0
        coded = {s["id"]: s["text"] for s in project.segments("report")}
        assert [coded[c["segment"]] for c in project.codings()] == ["4. Use sun cream"]


def test_a_hidden_part_marked_as_the_pages_main_content_is_read(tmp_path: Path) -> None:
    """A part the page hides that is marked as its main content by role (as a <main> element inside it would be) is
    its text: it was left out while the visible footer was read, and the report was read as its footer alone."""
    findings = "".join(f"<p>{_FINDING.format(n=n * 10)}</p>" for n in range(1, 4))
    footer = "".join(f"<p>Published by the Country Office in {2020 + n} with the support of its partners and donors"
                     " in the region and beyond, under an open licence.</p>" for n in range(4))
    page = tmp_path / "report.html"
    page.write_text(f'<html><body><div role="main" aria-hidden="true">{findings}</div>'
                    f'<div class="site-info">{footer}</div></body></html>', encoding="utf-8")
    texts = _texts(read_document(page))
    assert texts[:3] == [_FINDING.format(n=n * 10) for n in range(1, 4)]
