"""Another tool's table of coded segments read by 'qualcode codings import': MAXQDA's coded segments export (Excel,
in English and German, and its HTML page), ATLAS.ti's quotation export, NVivo's coding export and QualCoder's coding
report table, each recognised by its columns, each segment placed on the units of the transcript its document names
with the code its code path names, its author, date and comment kept; what cannot be imported is named (documents
with no transcript, codes not in the codebook with a did-you-mean, text in several places); a table nothing of
which can be placed, or that no tool writes, is refused in one line with nothing written.

No public file of these exports could be found to keep as a fixture: the tables here are laid out as the tools'
manuals describe their exports (MAXQDA's "Export coded segments" columns, ATLAS.ti's Quotation Manager export,
NVivo's coding export with its node paths; QualCoder's columns as its coding report writes them), and hold what a
colleague coding the bundled example's transcripts in that tool would export: the text as the tool shows it, with
the speaker labels (and MAXQDA's time stamps) its copy of the transcript keeps."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.model import Code
from qualcode.project_io import import_codings_table
from qualcode.store import Project

MAXQDA_EN = ["Color", "Document group", "Document name", "Code", "Beginning", "End", "Weight score", "Segment",
             "Comment", "Created by", "Created", "Modified by", "Modified", "Area", "Coverage %"]
MAXQDA_DE = ["Farbe", "Dokumentgruppe", "Dokumentname", "Code", "Anfang", "Ende", "Gewicht", "Segment", "Kommentar",
             "Erstellt von", "Erstellt am", "Geändert von", "Geändert am", "Fläche", "Abdeckungsgrad %"]

# what a colleague coded in the example's transcripts, as the tools show the text
LOGBOOK = ("P1 (HR officer, F): Now we have a logbook and a rule that every complaint gets an answer within seven"
           " working days. In 2023 we registered 146 complaints and closed 131 of them within the deadline.")
QUESTION_AND_ANSWER = ("Facilitator: Let us start with grievance handling. What changed in the factory after the"
                       " course?\n\nP1 (HR officer, F): For me it changed a lot.")
MINISTRY = ("Ms. Thu: Our department, the labour relations department of the Bộ Lao động – Thương binh và Xã hội, is"
            " the government partner for the two projects on sectoral dialogue and on the collective agreement.")
# MAXQDA's copy of a Teams transcript keeps its time stamps
HAI = ("#00:01:16-5# Nguyen Van Hai: I am Hai, chairperson of the enterprise union at factory A, electronic"
       " components, about 2,600 workers.\n#00:01:24-1# Nguyen Van Hai: I attended the collective bargaining course"
       " in 2022, and in 2023 the city federation took five of us to Bac Ninh to learn how the seven factories there"
       " negotiated their agreement together.")


def _run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)


def _xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))  # type: ignore[union-attr]
    wb.save(path)
    return path


def _maxqda_row(document: str, code: str, segment: str, comment: str = "", by: str = "Mai",
                created: str = "12.03.2024 14:22") -> list[object]:
    return ["#ff8000", "Interviews", document, code, 1, 1, 0, segment, comment, by, created, by, created, 0, 2.5]


def _imported(folder: Path, coder: str) -> dict[str, set[tuple[str, str, str | None, str | None]]]:
    """The coder's imported codings by code: (unit ref, unit text, date, memo)."""
    out: dict[str, set[tuple[str, str, str | None, str | None]]] = {}
    with Project.open(folder) as project:
        for c in project.codings():
            if c["coder"] == coder and c["source"] == "import":
                unit = project.segment(c["segment"])
                out.setdefault(c["code"], set()).add((unit["ref"], unit["text"], c["created"], c["memo"]))
    return out


def test_maxqdas_coded_segments_land_on_their_units_with_author_date_and_comment(example_project_dir: Path) -> None:
    table = _xlsx(example_project_dir / "Coded segments.xlsx", [
        MAXQDA_EN,
        _maxqda_row("FGD-01_hr-managers-bacninh", "Effectiveness > Outputs leading to outcomes", LOGBOOK,
                    comment="numbers from the logbook"),
        _maxqda_row("KII-03_ministry.txt", "Efficiency\\Coordination, management and communication of the"
                    " partnership", MINISTRY, by="Lan", created="2024-03-14T09:05:00"),
        _maxqda_row("FGD-01_hr-managers-bacninh", "impact.social_dialogue", QUESTION_AND_ANSWER),
    ])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert report["warnings"][0] == (
        "read as MAXQDA's coded segments export (columns Document name as document, Code as code, Segment as text,"
        " Comment as memo, Created by as coder, Created as date): 3 segment(s) placed")
    assert "1 segment(s) also covered the interviewer's words: only the informants' units are coded" \
        in report["warnings"]
    mai = _imported(example_project_dir, "Mai")
    # the code path's last part is the codebook's code; the label the tool's copy keeps is no obstacle
    logbook = mai["effectiveness.outcomes"]
    assert {text for _, text, _, _ in logbook} == {
        "Now we have a logbook and a rule that every complaint gets an answer within seven working days.",
        "In 2023 we registered 146 complaints and closed 131 of them within the deadline."}
    assert {(date, memo) for _, _, date, memo in logbook} == {("2024-03-12T14:22:00", "numbers from the logbook")}
    # of a question and its answer only the answer is coded
    assert {text for _, text, _, _ in mai["impact.social_dialogue"]} == {"For me it changed a lot."}
    # a document named with its file's extension, another author and an ISO date
    (ministry,) = _imported(example_project_dir, "Lan")["efficiency.coordination"]
    assert ministry[0].startswith("KII-03:") and ministry[1].startswith("Our department, the labour relations")
    assert ministry[2] == "2024-03-14T09:05:00"
    # a second import of the same table adds nothing
    with Project.open(example_project_dir) as project:
        again = import_codings_table(project, table, default_coder="ana")
    assert again["added"] == 0 and again["skipped"] == report["added"] == 4


def test_maxqdas_german_export_with_document_variables_and_time_stamps(example_project_dir: Path) -> None:
    # document variables come after the segment's columns, the document's name among them once more
    header = [*MAXQDA_DE, "Dokumentname", "Region"]
    table = _xlsx(example_project_dir / "Codierte Segmente.xlsx", [
        header,
        [*_maxqda_row("FGD-02_worker-reps-haiphong", "Wirkung > Freedom of association and collective bargaining",
                      HAI, by="Jonas", created="03.04.2024 10:00"), "FGD-02", "Hai Phong"],
    ])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert report["warnings"][0].startswith(
        "read as MAXQDA's coded segments export (columns Dokumentname as document, Code as code, Segment as text,"
        " Kommentar as memo, Erstellt von as coder, Erstellt am as date)")
    coded = _imported(example_project_dir, "Jonas")["impact.foa_cb"]
    assert {text for _, text, _, _ in coded} == {
        "I am Hai, chairperson of the enterprise union at factory A, electronic components, about 2,600 workers.",
        "I attended the collective bargaining course in 2022, and in 2023 the city federation took five of us to Bac"
        " Ninh to learn how the seven factories there negotiated their agreement together."}
    assert {date for _, _, date, _ in coded} == {"2024-04-03T10:00:00"}


def test_maxqdas_html_page_of_coded_segments(example_project_dir: Path) -> None:
    cells = "".join(f"<th>{h}</th>" for h in MAXQDA_EN)
    row = _maxqda_row("FGD-01_hr-managers-bacninh", "Effectiveness > Outputs leading to outcomes",
                      LOGBOOK.replace(" In 2023", "<br>In 2023"))
    page = example_project_dir / "segments.html"
    page.write_text("<html><head><title>Coded segments</title></head><body><table>"
                    f"<tr>{cells}</tr><tr>{''.join(f'<td>{c}</td>' for c in row)}</tr></table></body></html>",
                    encoding="utf-8")
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, page, default_coder="ana")
    assert report["added"] == 2 and report["warnings"][0].startswith("read as MAXQDA's coded segments export")


def test_atlas_ti_quotations_with_several_codes_in_one_cell(example_project_dir: Path) -> None:
    table = _xlsx(example_project_dir / "Quotations.xlsx", [
        ["ID", "Quotation Name", "Document", "Quotation Content", "Codes", "Reference", "Density", "Comment",
         "Created", "Modified", "Author"],
        ["1:4", "Now we have a logbook", "D1: FGD-01_hr-managers-bacninh.txt", LOGBOOK,
         "Effectiveness::Outputs leading to outcomes\nGood practices", "14 – 14", 0, "", "2024-03-12 14:22:00",
         "2024-03-12 14:22:00", "Sina"],
        # codes written on one line, a semicolon between them
        ["3:2", "Our department", "KII-03_ministry", MINISTRY, "Coherence: Synergies with other programmes and"
         " donors; Lessons learned", "5 – 5", 0, "", "2024-03-12 15:00:00", "2024-03-12 15:00:00", "Sina"],
    ])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert report["warnings"][0] == (
        "read as ATLAS.ti's quotation export (columns Document as document, Codes as code, Quotation Content as text,"
        " Comment as memo, Author as coder, Created as date): 2 segment(s) placed")
    # the guess about the numbered document name is said
    assert ("documents named with a folder or a number, taken for the transcript the rest names:"
            " 'D1: FGD-01_hr-managers-bacninh.txt' as FGD-01") in report["warnings"]
    sina = _imported(example_project_dir, "Sina")
    assert set(sina) == {"effectiveness.outcomes", "good_practice", "coherence.external", "lessons_learned"}
    assert len(sina["good_practice"]) == 2 and report["added"] == 6


def test_nvivo_coding_export_with_node_paths_and_files(example_project_dir: Path) -> None:
    table = example_project_dir / "coding.csv"
    with table.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["File", "Code", "Coverage", "Coded Text", "Coded By"])
        writer.writerow(["Files\\\\KII-03_ministry", "Nodes\\\\Efficiency\\\\Coordination, management and"
                         " communication of the partnership", "2.10%", MINISTRY, "Tom"])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert report["warnings"][0] == ("read as NVivo's coding export (columns File as document, Code as code, Coded Text"
                                     " as text, Coded By as coder): 1 segment(s) placed")
    assert set(_imported(example_project_dir, "Tom")) == {"efficiency.coordination"}


def test_qualcoders_coding_report_table(example_project_dir: Path) -> None:
    table = example_project_dir / "Report_codings.csv"
    with table.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(["File", "Coder", "Coded", "Id", "Codename", "Coded_Memo", "Category"])
        writer.writerow(["KII-03_ministry.txt", "kim", MINISTRY.split(": ", 1)[1], "ctid:12",
                         "Coordination, management and communication of the partnership", "a memo", "Efficiency"])
        writer.writerow(["KII-03_ministry.txt", "kim", "image", "imid:3", "Good practices", "", ""])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert report["warnings"][0] == ("read as QualCoder's coding report table (columns File as document, Codename as"
                                     " code, Coded as text, Coded_Memo as memo, Coder as coder): 1 segment(s) placed")
    assert "1 segment(s) not placed: 'KII-03_ministry.txt': 1 (no text (a picture or media segment))" \
        in report["warnings"]
    assert {memo for _, _, _, memo in _imported(example_project_dir, "kim")["efficiency.coordination"]} == {"a memo"}


def test_what_cannot_be_imported_is_named_and_nothing_is_written_for_it(example_project_dir: Path) -> None:
    table = _xlsx(example_project_dir / "segments.xlsx", [
        MAXQDA_EN,
        _maxqda_row("FGD-01_hr-managers-bacninh", "Effectiveness > Outputs leading to outcomes", LOGBOOK),
        _maxqda_row("FGD-01_hr-managers-bacninh", "Canteen food", LOGBOOK),
        _maxqda_row("FGD-01_hr-managers-bacninh", "Effectiveness > Output delivered", LOGBOOK),
        _maxqda_row("KII-99_district-office", "Relevance", "We were not consulted."),
        _maxqda_row("FGD-01_hr-manager-bacninh", "Relevance", "We were not consulted."),
        # a phrase said in two places: which one was coded the table does not say
        _maxqda_row("FGD-01_hr-managers-bacninh", "Impact > Freedom of association and collective bargaining",
                    "collective bargaining"),
    ])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    warnings = report["warnings"]
    # a document named nearly as a transcript is: its name is suggested
    assert ("2 segment(s) of documents with no transcript here, not imported: 'KII-99_district-office' (1);"
            " 'FGD-01_hr-manager-bacninh' (1; did you mean 'FGD-01'?) (import them first, under these names or their"
            " file names)") in warnings
    # the code near one of the codebook's first
    assert ("codes not in the codebook, nothing written for them: 'Effectiveness > Output delivered' (1; did you mean"
            " 'Outputs delivered'?); 'Canteen food' (1) (add them to the codebook, or rename them there, and import"
            " again: what is imported already is skipped)") in warnings
    assert ("1 segment(s) found in more than one place, not coded (code the right one by hand): row 7"
            " ('FGD-01_hr-managers-bacninh'): its text is in 2 places (FGD-01:17, FGD-01:124)") in warnings
    assert set(_imported(example_project_dir, "Mai")) == {"effectiveness.outcomes"} and report["added"] == 2


def test_a_table_nothing_of_which_can_be_placed_or_of_no_known_tool_is_refused_in_one_line(
    example_project_dir: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with Project.open(example_project_dir) as project:
        before = len(project.codings())
    folder = str(example_project_dir)
    nothing = _xlsx(example_project_dir / "elsewhere.xlsx", [
        MAXQDA_EN, _maxqda_row("KII-99_district-office", "Relevance", "We were not consulted."),
        _maxqda_row("FGD-01_hr-managers-bacninh", "Canteen food", LOGBOOK)])
    unknown = _xlsx(example_project_dir / "budget.xlsx", [["Item", "Amount"], ["Travel", 1200]])
    empty = _xlsx(example_project_dir / "header.xlsx", [MAXQDA_EN])
    unknown_csv = example_project_dir / "notes.csv"
    unknown_csv.write_text("Name,Notes\nA,B\n", encoding="utf-8")
    for table, said in [(nothing, "MAXQDA's coded segments export: no coded segment could be placed: 1 segment(s) of"
                                  " documents with no transcript here"),
                        (unknown, "is not a table of codings qualcode knows"),
                        (unknown_csv, "is not a table of codings qualcode knows"),
                        (empty, "holds no coded segments")]:
        code = _run("codings", "import", "-p", folder, str(table), "--coder", "ana")
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err and said in err, err
        assert len([line for line in err.splitlines() if line.strip()]) == 1
    with Project.open(example_project_dir) as project:
        assert len(project.codings()) == before


# NVivo's export of a code's references, as its help shows the references view ("<Internals\\Interviews\\Barbara> -
# § 5 references coded  [4.06% Coverage]", "Reference 1 - 1.88% Coverage") and as NVivo 12 writes it in a text
# export a public analysis script quotes ("Files\\\\...\\\\PREM_15_478_045 - § 1 reference coded [ 3.90% Coverage]")
NVIVO_TEXT = (
    "Files\\\\Focus groups\\\\FGD-01_hr-managers-bacninh - § 2 references coded [ 1.20% Coverage]\n\n"
    "Reference 1 - 0.60% Coverage\n\n" + LOGBOOK.split(" In 2023")[0] + "\n\n"
    "Reference 2 - 0.60% Coverage\n\n"
    "In 2023 we registered 146 complaints and closed 131 of them within the deadline.\n\n"
    "Files\\\\KII-03_ministry - § 1 reference coded [ 2.10% Coverage]\n\n"
    "Reference 1 - 2.10% Coverage\n\n" + MINISTRY + "\n")


def test_nvivos_export_of_a_codes_references_as_text_takes_the_code_from_the_file_name(
    example_project_dir: Path,
) -> None:
    export = example_project_dir / "Outputs leading to outcomes.txt"
    export.write_text(NVIVO_TEXT, encoding="utf-8")
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, export, default_coder="ana")
    assert report["warnings"][0] == (
        "read as NVivo's export of a code's references (the code from the file's name 'Outputs leading to outcomes';"
        " each reference's file from the line above it): 3 segment(s) placed")
    assert "the table names no author of its segments: the codings are ana's" in report["warnings"]
    refs = {ref.split(":")[0] for ref, _, _, _ in _imported(example_project_dir, "ana")["effectiveness.outcomes"]}
    assert refs == {"FGD-01", "KII-03"} and report["added"] == 3


def test_nvivos_export_of_a_codes_references_as_text_is_cleaned_as_its_word_export_is(
    example_project_dir: Path,
) -> None:
    # a control character an older export left in a reference is taken out and counted, as from a Word export
    export = example_project_dir / "Outputs leading to outcomes.txt"
    export.write_text(NVIVO_TEXT.replace("closed 131", "closed\x07 131"), encoding="utf-8")
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, export, default_coder="ana")
    assert report["added"] == 3
    assert "removed 1 control or non-character from the table (U+0007)" in report["warnings"]


def test_nvivos_export_of_a_codes_references_in_word_names_its_code_above_the_files(
    example_project_dir: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("<Nodes\\\\Efficiency\\\\Coordination, management and communication of the partnership>")
    document.add_paragraph("<Internals\\\\Interviews\\\\KII-03_ministry> - § 1 reference coded  [2.10% Coverage]")
    document.add_paragraph("Reference 1 - 2.10% Coverage")
    document.add_paragraph(MINISTRY)
    export = example_project_dir / "Node export.docx"
    document.save(str(export))
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, export, default_coder="ana")
    assert report["warnings"][0].startswith(
        "read as NVivo's export of a code's references (the code from the line '<Nodes\\\\Efficiency\\\\Coordination,")
    assert set(_imported(example_project_dir, "ana")) == {"efficiency.coordination"}
    # a Word document that is no such export is refused in one line
    other = example_project_dir / "notes.docx"
    plain = docx.Document()
    plain.add_paragraph("Notes from the debriefing.")
    plain.save(str(other))
    code = _run("codings", "import", "-p", str(example_project_dir), str(other), "--coder", "ana")
    err = capsys.readouterr().err
    assert code == 2 and "is a Word document but not NVivo's export of a code's references" in err
    assert len(err.strip().splitlines()) == 1


def test_nvivos_export_of_several_codes_files_each_reference_under_the_code_above_it(
    example_project_dir: Path,
) -> None:
    # two codes exported together: each code's line heads the files coded with it
    export = example_project_dir / "Nodes.txt"
    export.write_text(
        "<Nodes\\\\Effectiveness\\\\Outputs delivered>\n\n"
        "<Files\\\\KII-03_ministry> - § 1 reference coded  [2.10% Coverage]\n\n"
        "Reference 1 - 2.10% Coverage\n\n" + MINISTRY + "\n\n"
        "<Nodes\\\\Lessons learned>\n\n"
        "<Files\\\\Focus groups\\\\FGD-01_hr-managers-bacninh> - § 1 reference coded  [0.60% Coverage]\n\n"
        "Reference 1 - 0.60% Coverage\n\n" + LOGBOOK.split(" In 2023")[0] + "\n", encoding="utf-8")
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, export, default_coder="ana")
    assert report["warnings"][0] == (
        "read as NVivo's export of a code's references (the codes from the lines '<Nodes\\\\Effectiveness\\\\Outputs"
        " delivered>', '<Nodes\\\\Lessons learned>', each heading the files below it; each reference's file from the"
        " line above it): 2 segment(s) placed")
    imported = _imported(example_project_dir, "ana")
    assert {code: {ref.split(":")[0] for ref, _, _, _ in found} for code, found in imported.items()} == {
        "effectiveness.outputs": {"KII-03"}, "lessons_learned": {"FGD-01"}}
    assert not any("not placed" in w for w in report["warnings"]) and report["added"] == 2


def test_a_code_path_is_read_by_its_parents_too_and_a_path_matched_by_its_last_part_only_is_said(
    example_project_dir: Path,
) -> None:
    with Project.open(example_project_dir) as project:
        book = project.codebook()
        # "Other" under two criteria, as codebooks with a catch-all per criterion have
        for criterion in ("relevance", "sustainability"):
            book[criterion].children.append(Code(id=f"{criterion}.other", name="Other",
                                                 definition="What fits none of the criterion's other codes."))
        book.reindex()
        project.set_codebook(book)
    table = _xlsx(example_project_dir / "paths.xlsx", [
        MAXQDA_EN,
        # the parent tells which "Other": Sustainability's, not Relevance's
        _maxqda_row("KII-03_ministry", "Sustainability > Other", MINISTRY),
        # the codebook's "Good practices" is no code under Relevance: taken by its last part, and said
        _maxqda_row("FGD-01_hr-managers-bacninh", "Relevance > Good practices", LOGBOOK),
        # a parent that names nothing here (a colleague's folder): taken by its last part, and said
        _maxqda_row("FGD-01_hr-managers-bacninh", "Themes > Lessons learned", LOGBOOK),
        # the parent fits neither "Other": which one is meant the path does not say
        _maxqda_row("KII-03_ministry", "Impact > Other", MINISTRY),
    ])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert set(_imported(example_project_dir, "Mai")) == {"sustainability.other", "good_practice", "lessons_learned"}
    assert ("code paths read by their last part only: 'Relevance > Good practices' as good_practice (Good practices),"
            " not under Relevance; 'Themes > Lessons learned' as lessons_learned (Lessons learned), Themes being no"
            " code here") in report["warnings"]
    assert ("codes that fit more than one code here, nothing written for them: 'Impact > Other' (relevance.other,"
            " sustainability.other)") in report["warnings"]


def test_codes_listed_on_one_line_are_taken_only_when_each_is_a_code(example_project_dir: Path) -> None:
    table = _xlsx(example_project_dir / "one-line.xlsx", [
        MAXQDA_EN,
        # each part a code: both taken, the path's by its last part (said)
        _maxqda_row("FGD-01_hr-managers-bacninh", "Relevance > Good practices; Lessons learned", LOGBOOK),
        # a part that is no code: the line is no list of codes, and its other part is not read on its own
        _maxqda_row("KII-03_ministry", "Relevance > Outputs delivered, Canteen food", MINISTRY),
    ])
    with Project.open(example_project_dir) as project:
        report = import_codings_table(project, table, default_coder="ana")
    assert set(_imported(example_project_dir, "Mai")) == {"good_practice", "lessons_learned"}
    assert ("code paths read by their last part only: 'Relevance > Good practices' as good_practice (Good practices),"
            " not under Relevance") in report["warnings"]
    assert any(w.startswith("codes not in the codebook, nothing written for them: 'Relevance > Outputs delivered,"
                            " Canteen food' (1)") for w in report["warnings"])
