"""Taguette's highlights export (tests/fixtures/refi-qda/real, entry 15 of SOURCE.txt: made by Taguette 1.5.2 itself)
read by 'qualcode codings import': each highlight lands on the units of the transcript named as its document, with
the code its tag names; what cannot be placed is named by document, with why; a table nothing of which can be placed
is refused in one line, with nothing written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from transcript_support import import_text

from qualcode.cli import main
from qualcode.importing import import_files
from qualcode.project_io import import_codings_table
from qualcode.refi import import_refi
from qualcode.store import Project

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "refi-qda" / "real"
CSV = REAL / "taguette-1.5.2-highlights.csv"
XLSX = REAL / "taguette-1.5.2-highlights.xlsx"
HTML = REAL / "taguette-1.5.2-highlights.html"


def _run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)


def _project(folder: Path) -> Path:
    """The Taguette project's codebook and its three texts, as a user brings them here first."""
    import_refi(folder, REAL / "taguette-1.5.2-codebook.qdc", coder="ana")
    with Project.open(folder) as project:
        import_files(project, sorted((REAL / "making" / "texts").glob("*.txt")), coder="ana")
    return folder


def _codings(folder: Path) -> set[tuple[str, str, str, str]]:
    with Project.open(folder) as project:
        names = {c.id: c.name for c in project.codebook().walk()}
        return {(str(c["segment"]), names[c["code"]], project.segment(c["segment"])["text"], c["coder"])
                for c in project.codings()}


def test_taguettes_highlights_land_on_the_units_of_their_documents(tmp_path: Path) -> None:
    folder = _project(tmp_path / "p")
    with Project.open(folder) as project:
        report = import_codings_table(project, CSV, default_coder="ana")
    assert report["added"] == 24 and report["skipped"] == 0
    assert report["warnings"] == ["read as Taguette's highlights export (id, document, tag, content): 9 highlight(s)"
                                  " placed; Taguette writes no coder, so the codings are ana's"]
    got = _codings(folder)
    # a highlight with two tags (two rows of one id) codes its units with both
    exhausted = {(name, coder) for _, name, text, coder in got if text == "The staff there are exhausted 😓."}
    assert exhausted == {("Effectiveness.Outcomes achieved.Unintended", "ana"), ("Quotable ⭐", "ana")}
    # a highlight over two paragraphs, whose text Taguette runs together, codes the units of both
    design = {text for _, name, text, _ in got if name == "Relevance.Consultation in design"}
    assert "Also, the interest was too high at the beginning." in design
    assert "We asked to change the day but the trainer said the schedule was fixed by the project." in design


@pytest.mark.parametrize("export", [XLSX, HTML], ids=["xlsx", "html"])
def test_the_excel_and_web_page_exports_give_the_same_codings_and_a_second_import_adds_nothing(
    export: Path, tmp_path: Path,
) -> None:
    from_csv, other = _project(tmp_path / "a"), _project(tmp_path / "b")
    with Project.open(from_csv) as project:
        import_codings_table(project, CSV, default_coder="ana")
    with Project.open(other) as project:
        first = import_codings_table(project, export, default_coder="ana")
        again = import_codings_table(project, export, default_coder="ana")
    assert {c[1:] for c in _codings(from_csv)} == {c[1:] for c in _codings(other)} and first["added"] == 24
    assert again["added"] == 0 and again["skipped"] == 24


def test_highlights_that_cannot_be_placed_are_named_by_document_with_why(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(CSV.read_text(encoding="utf-8"))))
    rows[1][1] = "KII  district health"  # spaced and typed otherwise: still the transcript kii_district_health
    rows.append(["20", "kii_district_health", "Coherence", "They sat with us and looked at our own data"])
    rows.append(["21", "kii_district_health", "Quotable ⭐", "Words nobody said in this interview at all."])
    rows.append(["22", "Minutes of the steering committee", "Quotable ⭐", "The committee met twice."])
    rows.append(["23", "fgd_savings_groups", "", "The group will continue, it is ours."])
    # the facilitator's question with the answer: only the answer is evidence; the question alone is none
    rows.append(["24", "fgd_savings_groups", "Quotable ⭐", "Facilitator: Were there difficulties?\n\nP3: Yes, many."])
    rows.append(["25", "fgd_savings_groups", "Quotable ⭐", "Were there difficulties?"])
    table = tmp_path / "highlights.csv"
    with table.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    folder = _project(tmp_path / "p")
    with Project.open(folder) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert report["added"] == 25
    assert report["warnings"][1] == (
        "5 highlight row(s) not placed: 'kii_district_health': 1 (tag 'Coherence' is not a code here), 1 (its text"
        " is not in transcript kii_district_health); 'Minutes of the steering committee': 1 (no transcript of that"
        " name); 'fgd_savings_groups': 1 (a highlight without a tag), 1 (it marks only the interviewer's words)")
    quotable = {text for _, name, text, _ in _codings(folder) if name == "Quotable ⭐"}
    assert any(text.startswith("Yes, many.") for text in quotable)
    assert not any(text.startswith("Were there difficulties") for text in quotable)


def test_a_highlights_table_nothing_of_which_can_be_placed_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "codebook-only"  # Taguette's codebook, but none of its documents
    import_refi(folder, REAL / "taguette-1.5.2-codebook.qdc", coder="ana")
    capsys.readouterr()
    code = _run("codings", "import", "-p", str(folder), str(CSV), "--coder", "ana")
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert "no highlight could be placed: 'kii_district_health': 6 (no transcript of that name)" in err
    with Project.open(folder) as project:
        assert project.codings() == []
    # a workbook that is not Taguette's export
    other = tmp_path / "other.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["quote", "code"])  # type: ignore[union-attr]
    wb.save(other)
    code = _run("codings", "import", "-p", str(folder), str(other), "--coder", "ana")
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "Taguette's highlights export" in err
    # a web page that is not Taguette's export
    page = tmp_path / "notes.html"
    page.write_text("<html><body><h1>Notes</h1><p>Nothing here.</p></body></html>", encoding="utf-8")
    code = _run("codings", "import", "-p", str(folder), str(page), "--coder", "ana")
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "is not Taguette's highlights export" in err
    # a page that is not UTF-8 and holds no table of coded segments: not Taguette's, whose pages are UTF-8
    page.write_bytes("<html><body><p>Caf\u00e9 notes</p></body></html>".encode("cp1252"))
    code = _run("codings", "import", "-p", str(folder), str(page), "--coder", "ana")
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "is not a UTF-8 web page" in err


def test_bold_words_inside_a_web_page_highlight_are_kept_and_a_highlight_without_its_details_is_reported(
    tmp_path: Path,
) -> None:
    page = HTML.read_text(encoding="utf-8")
    # Taguette keeps the document's own formatting inside a highlight: a long bold phrase, and two bold runs in one
    # paragraph, which is no "Document:"/"Tags:" paragraph
    page = page.replace("Referrals that arrive within two hours went from about a third to more than half",
                        "Referrals that arrive <strong>within two hours went from about a third to more than"
                        " half</strong>")
    page = page.replace("Fuel and maintenance cost", "Fuel and <strong>maintenance</strong> <b>cost</b>")
    # the last highlight has lost its details paragraph
    cut = page.index("<strong>Document:</strong> fgd_savings_groups", page.index("The group will continue"))
    page = page[:cut] + page[cut:].split("</p>", 1)[1]
    formatted = tmp_path / "highlights.html"
    formatted.write_text(page, encoding="utf-8")
    from_csv, other = _project(tmp_path / "a"), _project(tmp_path / "b")
    with Project.open(from_csv) as project:
        import_codings_table(project, CSV, default_coder="ana")
    with Project.open(other) as project:
        report = import_codings_table(project, formatted, default_coder="ana")
    got = {c[1:] for c in _codings(other)}
    assert any(name == "Effectiveness.Outcomes achieved" and "Referrals that arrive within two hours went from about"
               " a third to more than half in the pilot areas." in text for name, text, _ in got)
    assert any(name == "Sustainability.Financing.Recurrent costs" and text.startswith("Fuel and maintenance cost")
               for name, text, _ in got)
    # every other highlight lands as from the CSV; the one without details is named in the report, not dropped
    assert {c[1:] for c in _codings(from_csv)} - got <= {c for c in {c[1:] for c in _codings(from_csv)}
                                                         if c[1] == "The group will continue, it is ours."}
    assert report["warnings"][1] == "1 highlight row(s) not placed: '(no document)': 1 (no document named with it)"


def _one_transcript(folder: Path, name: str, text: str) -> Path:
    """A project of Taguette's codebook and one transcript, ``text`` imported from the file ``name``."""
    import_refi(folder / "p", REAL / "taguette-1.5.2-codebook.qdc", coder="ana")
    with Project.open(folder / "p") as project:
        import_text(folder, name, text, project=project)
    return folder / "p"


def _highlights(folder: Path, *rows: tuple[str, str, str, str]) -> Path:
    table = folder / "highlights.csv"
    with table.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([("id", "document", "tag", "content"), *rows])
    return table


def test_a_highlight_whose_text_is_said_twice_is_coded_nowhere_and_the_report_names_both_places(
    tmp_path: Path,
) -> None:
    folder = _one_transcript(tmp_path, "kii_rep2.txt", "Interviewer: Was the first module useful?\n\nRespondent: Yes,"
                             " very much. It changed how we work.\n\nInterviewer: And the budget module?\n\n"
                             "Respondent: Yes, very much. It changed how we plan the year.\n")
    table = _highlights(tmp_path, ("1", "kii_rep2", "Quotable ⭐", "Yes, very much."),
                        ("2", "kii_rep2", "Quotable ⭐", "It changed how we plan the year."))
    with Project.open(folder) as project:
        report = import_codings_table(project, table, default_coder="ana")
    # only the second highlight codes: its unit; the first answer is coded by neither
    assert {text for _, _, text, _ in _codings(folder)} == {"Yes, very much. It changed how we plan the year."}
    assert report["warnings"][1] == ("1 highlight row(s) not placed: 'kii_rep2': 1 (its text is in 2 places"
                                     " (kii_rep2:2, kii_rep2:4): code the right one by hand)")


def test_a_highlight_found_only_by_its_words_in_two_places_is_coded_nowhere_too(tmp_path: Path) -> None:
    """Taguette's text differs a little from ours (a word here): placed by its words, not as written. Found so in
    two answers, it is as ambiguous as a text written twice."""
    folder = _one_transcript(tmp_path, "kii_rep3.txt", "Interviewer: Did the district listen?\n\nRespondent: We met"
                             " the district team every month and they listened to us.\n\nInterviewer: And the"
                             " province?\n\nRespondent: We met the district team every month and they listened to"
                             " us. The province office never answered our letters about the clinic.\n")
    table = _highlights(
        tmp_path,
        ("1", "kii_rep3", "Quotable ⭐", "We met the district team every month and they really listened to us."),
        ("2", "kii_rep3", "Quotable ⭐", "The province office never once answered our letters about the clinic."))
    with Project.open(folder) as project:
        report = import_codings_table(project, table, default_coder="ana")
    # the second highlight is in one place: its sentence is coded; the first is in both answers, and codes neither
    assert [text for _, _, text, _ in _codings(folder)] == [
        "The province office never answered our letters about the clinic."]
    assert report["warnings"][1] == ("1 highlight row(s) not placed: 'kii_rep3': 1 (its text is in 2 places"
                                     " (kii_rep3:2, kii_rep3:4): code the right one by hand)")


@pytest.mark.parametrize(("header", "said"), [(None, "holds no highlights"),
                                               ("quote,code,transcript\r\n\r\n", "holds no quotes")])
def test_a_highlights_or_quotes_table_of_its_header_only_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str | None, said: str,
) -> None:
    """A table with nothing under its header is an export that went wrong: a table of quotes said '0 codings added'
    and exited 0, as if every quote were already coded."""
    folder = _project(tmp_path / "p")
    capsys.readouterr()
    table = _highlights(tmp_path) if header is None else tmp_path / "quotes.csv"
    if header is not None:
        table.write_text(header, encoding="utf-8")
    code = _run("codings", "import", "-p", str(folder), str(table), "--coder", "ana")
    captured = capsys.readouterr()
    assert code == 2 and "Traceback" not in captured.err and "codings added" not in captured.out
    assert len([line for line in captured.err.splitlines() if line.strip()]) == 1 and said in captured.err
    with Project.open(folder) as project:
        assert project.codings() == []


def test_a_dotted_tag_read_by_its_last_part_only_is_said(tmp_path: Path) -> None:
    folder = _one_transcript(tmp_path, "kii_rep3.txt", "Interviewer: Was the first module useful?\n\nRespondent: Yes,"
                             " very much. It changed how we work.\n")
    # a tag from another project's tree, whose last part is a tag here
    table = _highlights(tmp_path, ("1", "kii_rep3", "Old study.Quotable ⭐", "It changed how we work."))
    with Project.open(folder) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert {(name, text) for _, name, text, _ in _codings(folder)} == {
        ("Quotable ⭐", "Yes, very much. It changed how we work.")}
    assert any(w.startswith("dotted tags read by their last part only: 'Old study.Quotable ⭐' as ")
               and w.endswith("(Quotable ⭐), Old study being no code here") for w in report["warnings"]), report
