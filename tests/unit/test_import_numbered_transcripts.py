"""Interview transcripts given as documents whose turns are numbered ("5 Participant: ...", "6 Dan: ..."): the
numbers in a PDF's left margin are left out as page numbers are, but are neither page numbers nor a reason to drop
the text beside them, a line a printed web page repeats at the top of the next page is read once, and the import says
the document reads as an interview, the numbers before the labels notwithstanding (PDF, Word, HTML)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdf_support import PdfPage, build_pdf

from qualcode.importers import transcript_speakers
from qualcode.importers.documents import parse_document, read_document
from qualcode.project_io import import_files
from qualcode.store import Project

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "pdpilot-user-study-P7.pdf"


def test_a_real_numbered_transcript_keeps_the_turns_at_the_edges_of_its_pages() -> None:
    parsed = read_document(REAL)
    texts = [(u.page_label, parsed.text[u.start:u.end]) for u in parsed.units]
    # the last page's two turns stand beside margin numbers at its top: they were taken for page numbers' rows
    assert texts[-2:] == [("7", "Dan: All right. Bye XXXX, thank you."), ("7", "Participant: Bye.")]
    assert texts[0][1].startswith("Dan: Okay. So now I will switch back to the slides")
    # the line the page before ended with, repeated at the top of the next page, is read once
    assert parsed.text.count("Did you do anything in terms like trying to like identify") == 1
    assert parsed.text.count("showing for each feature value, the distribution of clusters") == 1
    # the margin numbers are left out as page numbers are, and said so; none is a page's label
    assert not [t for _, t in texts if re.match(r"\d+ (Dan|Participant):|\d+$", t)]
    assert "the numbers in the left margin of pages 1, 2, 3, 4, 5, 6, 7" in " ".join(parsed.warnings)
    assert sorted({str(label) for label, _ in texts}) == ["1", "2", "3", "4", "5", "6", "7"]


def test_a_real_numbered_transcript_imported_as_a_document_is_said_to_read_as_an_interview(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p") as project:
        report = import_files(project, [], documents=[REAL], coder="ana")
    [entry] = report["documents"]
    assert any("reads as a transcript" in w and "'Dan', 'Participant'" in w for w in entry["warnings"])


def _numbered_pages() -> bytes:
    """A transcript printed with its turns numbered in the margin, two pages: the first turn's number on the top
    row, the numbers running on below the page's bottom edge, and the first page's last line again at the top of
    the second, cut by its edge."""
    first, second = PdfPage(), PdfPage()
    turns = [("Dan", "How did the cooperative start its savings group in the village?"),
             ("Participant", "We started with twelve members and a box with three keys."),
             ("Dan", "Who kept the keys?"),
             ("Participant", "Three women elected by the members, one key each.")]
    top = 14.0
    for number, (who, words) in enumerate(turns, start=1):
        first.text(22, top, str(number))
        first.text(48, top, f"{who}: {words}")
        top += 40
    first.text(48, 800, "Dan: And the loans, how were they decided?")
    first.text(22, 800, "5")
    for number in range(6, 9):  # the column of numbers runs on beyond the page
        first.text(22, 800 + 40 * (number - 5), str(number))
    second.text(48, -4, "Dan: And the loans, how were they decided?")
    second.text(48, 14, "Participant: At the monthly meeting, by a show of hands.")
    second.text(22, 14, "6")
    second.text(48, 54, "Dan: Thank you.")
    second.text(22, 54, "7")
    return build_pdf([first, second], info={"Title": "KII-12 transcript"})


def test_margin_numbers_beside_text_on_the_top_row_do_not_cost_the_text() -> None:
    parsed = parse_document(_numbered_pages(), "KII-12.pdf")
    units = [(u.page_label, parsed.text[u.start:u.end]) for u in parsed.units]
    assert units[0] == ("1", "Dan: How did the cooperative start its savings group in the village?")
    assert ("2", "Participant: At the monthly meeting, by a show of hands.") in units
    assert parsed.text.count("how were they decided?") == 1
    assert not [t for _, t in units if re.match(r"\d", t)]


def test_numbers_beside_every_line_do_not_cut_the_sentences_into_units() -> None:
    page = PdfPage()
    lines = ["Interviewer: How did the cooperative start its savings group", "in the village, and who decided on"
             " the rules?", "Participant: We started with twelve members and a box", "with three keys, and the"
             " members decided together.", "Interviewer: Who kept the keys?"]
    for number, line in enumerate(lines, start=1):
        page.text(30, 60 + 14 * number, str(number))
        page.text(56, 60 + 14 * number, line)
    parsed = parse_document(build_pdf([page], info={"Title": "KII-14"}), "KII-14.pdf")
    assert "How did the cooperative start its savings group in the village, and who decided on the rules?" in [
        parsed.text[u.start:u.end].removeprefix("Interviewer: ") for u in parsed.units]
    assert not re.search(r"\d", parsed.text)


def test_numbered_turns_joined_into_one_paragraph_still_read_as_an_interview() -> None:
    turns = [("Dan", "Could you describe how you use the plots in your work?"),
             ("Participant", "Mostly to check the top features of the model."),
             ("Dan", "Do you use both kinds?"), ("Participant", "No, only the averaged ones."),
             ("Dan", "Why is that?"), ("Participant", "It is what my team lead taught us."),
             ("Dan", "Okay."), ("Participant", "And the data sets are big.")]
    joined = " ".join(f"{n} {who}: {words}" for n, (who, words) in enumerate(turns, start=5))
    assert transcript_speakers(joined) == ["Dan", "Participant"]
    # a report's numbered findings are no interview
    findings = " ".join(f"{n} Finding: the grants reached {n * 10} villages." for n in range(1, 9))
    assert transcript_speakers(findings) == []


def test_years_beside_a_cvs_entries_stay_in_the_text() -> None:
    page = PdfPage()
    entries = [("2018", "Evaluation of the leadership network for sustainable development, team member."),
               ("2018", "Evaluation of the international training programmes for quality infrastructure."),
               ("2017", "Independent evaluation of results-based management, survey and statistics."),
               ("2015", "Process evaluation of an education project for refugee children.")]
    for k, (year, text) in enumerate(entries):
        page.text(42, 80 + 60 * k, year)
        page.text(142, 80 + 60 * k, text)
    parsed = parse_document(build_pdf([page], info={"Title": "CV"}), "cv.pdf")
    assert all(year in parsed.text for year, _ in entries)
    assert not any("left margin" in w for w in parsed.warnings)


TURNS = [("Dan", "Could you describe how you use the plots in your work?"),
         ("Participant", "Mostly to check the top features of the model."), ("Dan", "Do you use both kinds?"),
         ("Participant", "No, only the averaged ones, since the others get messy."), ("Dan", "Why is that?"),
         ("Participant", "It is what my team lead taught us."), ("Dan", "Okay."),
         ("Participant", "And the data sets are big.")]


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_numbered_turns_in_a_word_or_html_document_are_said_to_read_as_an_interview(tmp_path: Path,
                                                                                    suffix: str) -> None:
    path = tmp_path / f"P3{suffix}"
    if suffix == ".docx":
        import docx

        document = docx.Document()
        document.add_heading("Interview P3", 1)
        for number, (who, words) in enumerate(TURNS, start=5):
            document.add_paragraph(f"{number} {who}: {words}")
        document.save(str(path))
    else:
        path.write_text("<html><body><h1>Interview P3</h1>" + "".join(
            f"<p>{number}\t{who}: {words}</p>" for number, (who, words) in enumerate(TURNS, start=5))
            + "</body></html>", encoding="utf-8")
    with Project.create(tmp_path / "p") as project:
        report = import_files(project, [], documents=[path], coder="ana")
    [entry] = report["documents"]
    assert any("reads as a transcript" in w and "'Dan', 'Participant'" in w for w in entry["warnings"])


PARAGRAPHS = ["The project reached 147 factories in three provinces and trained the grievance officers of most of them"
              " during its first two years, with the labour inspectorate as a partner in each province.",
              "Women made up sixty per cent of the trainees but only a fifth of the certified trainers, which the team"
              " explains by the timing of the trainer course during the peak production season.",
              "The monitoring data were collected for the training only, not for the advice given to the factories"
              " afterwards, so the effect of the advice cannot be told apart from the training's."]


@pytest.mark.parametrize("heading_x", [56, 85])
def test_a_reports_numbered_paragraphs_keep_their_numbers(heading_x: float) -> None:
    """UN, ILO and EU reports number their paragraphs in the margin ("21" beside a paragraph, the text indented): the
    numbers were left out as a transcript's margin numbering, so "para. 23" could not be found in a PDF (Word files
    keep them). Each number is kept before its paragraph; a transcript's numbered turns and lines still lose theirs."""
    pages = []
    number = 21
    for heading in ("Findings", "Recommendations"):
        page = PdfPage()
        page.text(heading_x, 60, heading, size=16, bold=True)
        top = 100.0
        for text in PARAGRAPHS + PARAGRAPHS[:2]:
            page.text(56, top, str(number))
            top = page.paragraph(85, top, 430, text) + 10
            number += 1
        pages.append(page)
    parsed = parse_document(build_pdf(pages, info={"Title": "Final evaluation"}), "numbered-paras.pdf")
    texts = [parsed.text[u.start:u.end] for u in parsed.units]
    starts = [t for t in texts if re.match(r"\d\d ", t)]
    assert [int(t.split()[0]) for t in starts] == list(range(21, 31))
    assert starts[0].startswith("21 The project reached 147 factories in three provinces")
    assert any(t.startswith("26 The project reached 147 factories") for t in texts)
    assert not any("numbering the lines or turns" in w for w in parsed.warnings)
    assert any("paragraph numbers in the left margin of pages 1, 2 were kept" in w for w in parsed.warnings), \
        parsed.warnings


def test_numbers_beside_every_fifth_line_are_still_left_out() -> None:
    """A transcript numbered every fifth line (5, 10, 15 in the margin) is numbered by lines, not paragraphs: its
    numbers stay out of the sentences they stand beside."""
    page = PdfPage()
    words = ("We started with twelve members and a box with three keys, and the members decided together who would"
             " keep them and how the loans would be given out to the families of the village every month, ") * 10
    line, lines = "", []
    for word in words.split():
        if len(line) + len(word) > 80:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    for k, text in enumerate(lines[:20], start=1):
        page.text(85, 60 + 14 * k, text)
        if k % 5 == 0:
            page.text(56, 60 + 14 * k, str(k))
    parsed = parse_document(build_pdf([page], info={"Title": "KII-15"}), "KII-15.pdf")
    assert not re.search(r"\b(5|10|15|20)\b", parsed.text)
    assert not any("paragraph numbers" in w for w in parsed.warnings)
