"""Word .docx transcripts, built in fixtures with python-docx (no binaries in the repository)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from transcript_support import assert_units_slice

from qualcode.errors import InputError
from qualcode.importers import parse_transcript, read_transcript


def docx_bytes(build: Callable[..., None]) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def labelled_docx(tmp_path: Path) -> Path:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        table = document.add_table(rows=4, cols=2)
        rows = [
            ("Interview ID", "KII-94"),
            ("Date", "2024-03-04"),
            ("Informant", "National project coordinator"),
            ("Location", "Hà Nội"),
        ]
        for i, (key, value) in enumerate(rows):
            table.cell(i, 0).text = key
            table.cell(i, 1).text = value
        document.add_heading("Interview transcript", level=1)
        document.add_paragraph("Interviewer: Good morning. Could you tell me about your role in the projects?")
        p = document.add_paragraph()
        p.add_run("Ms. Hoa:").bold = True
        p.add_run(" I coordinated the electronics supply-chain project. We trained 30 factories in Bắc Ninh.")
        document.add_paragraph("The reason was simple: the factories asked for it.")
        document.add_paragraph("Interviewer: What about the “factory ambassador” sessions?")
        document.add_paragraph("Ms. Hoa: They were popular with compliance staff and worker representatives.")

    path = tmp_path / "KII-94.docx"
    path.write_bytes(docx_bytes(build))
    return path


def test_labelled_paragraphs_become_turns(labelled_docx: Path) -> None:
    parsed = read_transcript(labelled_docx)
    assert parsed.format == "docx"
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Ms. Hoa", "Interviewer", "Ms. Hoa"]
    hoa = parsed.text[parsed.turns[1].start : parsed.turns[1].end]
    assert hoa == (
        "I coordinated the electronics supply-chain project. We trained 30 factories in Bắc Ninh.\n"
        "The reason was simple: the factories asked for it."
    )
    assert "“factory ambassador”" in parsed.text
    assert_units_slice(parsed)


def test_metadata_table_goes_to_metadata_not_text(labelled_docx: Path) -> None:
    parsed = read_transcript(labelled_docx)
    assert parsed.metadata["interview_id"] == "KII-94"
    assert parsed.metadata["date"] == "2024-03-04"
    assert parsed.metadata["informant"] == "National project coordinator"
    assert parsed.metadata["location"] == "Hà Nội"
    assert "KII-94" not in parsed.text and "National project coordinator" not in parsed.text
    assert "Interview transcript" not in parsed.text  # a heading is not speech


def test_speaker_text_table_gives_a_turn_per_row() -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        document.add_paragraph("Transcript of KII-95, translated from Vietnamese.")
        rows = [
            ("Speaker", "Text"),
            ("Interviewer", "How did the compliance advice work in your factory?"),
            ("Ms. Huong", "The advisor came three times. Chúng tôi đã sửa 9 trên 14 điểm."),
            ("Ms. Huong", "The roadmap is still on the wall of my office."),
            ("Interviewer", "Thank you, that is very helpful."),
        ]
        table = document.add_table(rows=len(rows), cols=2)
        for i, (speaker, text) in enumerate(rows):
            table.cell(i, 0).text = speaker
            table.cell(i, 1).text = text

    parsed = parse_transcript(docx_bytes(build), "KII-95.docx")
    assert [t.speaker for t in parsed.turns] == [None, "Interviewer", "Ms. Huong", "Interviewer"]
    huong = parsed.text[parsed.turns[2].start : parsed.turns[2].end]
    assert huong == (
        "The advisor came three times. Chúng tôi đã sửa 9 trên 14 điểm.\nThe roadmap is still on the wall of my office."
    )
    assert "Speaker" not in parsed.text
    assert_units_slice(parsed)


def test_bold_name_without_colon_is_a_label() -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        for name, text in [
            ("Interviewer", "Which training helped most?"),
            ("Ms. Nga", "The gender equality course. Women supervisors spoke up for the first time."),
            ("Interviewer", "Thank you."),
        ]:
            paragraph = document.add_paragraph()
            paragraph.add_run(name).bold = True
            paragraph.add_run(" " + text)

    parsed = parse_transcript(docx_bytes(build), "FGD-03.docx")
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Ms. Nga", "Interviewer"]
    assert parsed.text.split("\n\n")[1] == (
        "The gender equality course. Women supervisors spoke up for the first time."
    )


def test_docx_with_a_wrong_extension_is_still_read_as_docx(labelled_docx: Path) -> None:
    parsed = parse_transcript(labelled_docx.read_bytes(), "KII-94.txt")
    assert parsed.format == "docx"
    assert parsed.speakers == ["Interviewer", "Ms. Hoa"]


def test_truncated_docx_is_an_input_error_naming_the_file(labelled_docx: Path) -> None:
    data = labelled_docx.read_bytes()
    with pytest.raises(InputError, match=r"KII-94\.docx.*damaged or incomplete"):
        parse_transcript(data[: len(data) // 2], "KII-94.docx")


def test_docx_with_corrupt_document_xml_is_an_input_error(labelled_docx: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(labelled_docx.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            payload = source.read(item.filename)
            if item.filename == "word/document.xml":
                payload = payload[: len(payload) // 3]  # cut in the middle of the XML
            target.writestr(item, payload)
    with pytest.raises(InputError, match=r"broken\.docx.*damaged"):
        parse_transcript(out.getvalue(), "broken.docx")


def test_zip_that_is_not_a_docx_is_an_input_error() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "Interviewer: hello")
    with pytest.raises(InputError, match=r"interview\.docx.*not a Word document"):
        parse_transcript(out.getvalue(), "interview.docx")
    with pytest.raises(InputError, match=r"bundle\.zip.*zip archive"):
        parse_transcript(out.getvalue(), "bundle.zip")


def test_docx_with_only_a_metadata_table_has_no_speech() -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Interview ID", "KII-96"
        table.cell(1, 0).text, table.cell(1, 1).text = "Date", "2024-03-20"

    with pytest.raises(InputError, match=r"KII-96\.docx.*no speech"):
        parse_transcript(docx_bytes(build), "KII-96.docx")


def test_teams_word_export_with_name_and_time_lines() -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        for line in [
            "Clara Jensen   0:03",
            "Good morning, thank you for joining us today.",
            "Le Van Duc   0:09",
            "Good morning. I am happy to help with the evaluation.",
            "Clara Jensen   1:02:03",
            "Thank you very much for your time.",
        ]:
            document.add_paragraph(line)

    parsed = parse_transcript(docx_bytes(build), "KII-04.docx")
    assert [(t.speaker, t.t_start) for t in parsed.turns] == [
        ("Clara Jensen", 3.0),
        ("Le Van Duc", 9.0),
        ("Clara Jensen", 3723.0),
    ]
    assert "0:03" not in parsed.text and "Clara" not in parsed.text


def test_speaker_table_without_header_row_is_speech_not_metadata() -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        rows = [
            ("Interviewer", "Did the sectoral meetings continue after the project?"),
            ("Informant", "Only two of them. The chamber has no budget line for the meetings, so they stopped."),
            ("Interviewer", "Who paid for the two that took place?"),
            ("Informant", "The industry association paid for the venue and the brands paid for lunch."),
        ]
        table = document.add_table(rows=len(rows), cols=2)
        for i, (speaker, text) in enumerate(rows):
            table.cell(i, 0).text = speaker
            table.cell(i, 1).text = text

    parsed = parse_transcript(docx_bytes(build), "KII-97.docx")
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Informant"] * 2
    assert "informant" not in parsed.metadata


def test_a_transcript_reviewed_with_tracked_changes_reads_as_with_the_changes_accepted() -> None:
    """A transcript corrected with Word's tracked changes (a reviewer inserting what the transcriber missed): the
    inserted words were lost, so a turn read "The officers resolved cases within days." while Word shows "within
    ten days", and a whole inserted answer was missing. Deleted words stay out, and the report says how the
    changes were read."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    def tracked(paragraph, kind: str, text: str) -> None:  # type: ignore[no-untyped-def]
        change = OxmlElement(f"w:{kind}")
        change.set(qn("w:id"), "1")
        change.set(qn("w:author"), "Reviewer")
        run = OxmlElement("w:r")
        t = OxmlElement("w:delText" if kind == "del" else "w:t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
        change.append(run)
        paragraph._p.append(change)

    def build(document) -> None:  # type: ignore[no-untyped-def]
        document.add_paragraph("Interviewer: How quickly are grievances resolved?")
        answer = document.add_paragraph("Lan: The officers resolved cases within ")
        tracked(answer, "ins", "ten ")
        tracked(answer, "del", "twenty ")
        answer.add_run("days.")
        document.add_paragraph("Interviewer: And the supervisors?")
        inserted = document.add_paragraph()
        tracked(inserted, "ins", "Lan: They attend the monthly dialogue meetings now.")

    parsed = parse_transcript(docx_bytes(build), "kii.docx")
    said = [(parsed.turns[u.turn].speaker, parsed.text[u.start:u.end]) for u in parsed.units]
    assert ("Lan", "The officers resolved cases within ten days.") in said
    assert ("Lan", "They attend the monthly dialogue meetings now.") in said
    assert "twenty" not in parsed.text
    assert any(w.startswith("3 tracked change(s) read as accepted") for w in parsed.warnings)
