"""Character references ("&#237;", "&amp;", "&nbsp;") in what a reader takes as text: Microsoft Teams writes an
accented name in a WebVTT voice tag as "<v Carlos Far&#237;as>", and captions or web pages pasted into Word or saved
as Markdown keep theirs. Each is decoded before anything reads the name, so the speaker is the person of the case
sheet, one person stays one speaker, and listings that hide names hide theirs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from reliability.fuzz_support import run_cli

# as a Teams export of a Spanish meeting writes it: GUID cue ids, the accented name as a character reference
TEAMS_ES = """WEBVTT

001ec368-3c77-4441-9f7e-67031cc3b038/8-0
00:00:01.000 --> 00:00:03.000
<v Entrevistadora>¿Cómo empezó el proyecto en la planta?</v>

001ec368-3c77-4441-9f7e-67031cc3b038/9-0
00:00:04.000 --> 00:00:08.000
<v Carlos Far&#237;as>Empezó en mayo, cuando el sindicato nos pidió apoyo.</v>

001ec368-3c77-4441-9f7e-67031cc3b038/10-0
00:00:09.000 --> 00:00:11.000
<v Entrevistadora>¿Y quién lo pagó?</v>

001ec368-3c77-4441-9f7e-67031cc3b038/11-0
00:00:12.000 --> 00:00:20.000
<v Alfredo Artigas>Se está viendo, pero no proyectado,
digamos.</v>

001ec368-3c77-4441-9f7e-67031cc3b038/12-0
00:00:21.000 --> 00:00:24.000
<v Alfredo Artigas>La marca pagó la formación del comité.</v>

001ec368-3c77-4441-9f7e-67031cc3b038/13-0
00:00:25.000 --> 00:00:29.000
<v Alfredo Artigas>Después la empresa siguió sola.</v>

001ec368-3c77-4441-9f7e-67031cc3b038/14-0
00:00:30.000 --> 00:00:34.000
<v Carlos Far&#237;as>Formamos a cuarenta trabajadores &amp; a&nbsp;diez jefes de l&#237;nea &lt;sic&gt;.</v>
"""


def _import(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: str | bytes,
            *extra: str) -> Path:
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    source = tmp_path / name
    if isinstance(data, bytes):
        source.write_bytes(data)
    else:
        source.write_text(data, encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(source), *extra)
    assert code == 0, err
    return project


def test_an_accented_name_in_a_teams_voice_tag_is_one_person_hidden_in_listings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _import(tmp_path, capsys, "teams_es.vtt", TEAMS_ES)
    for argv in (["segments"], ["segments", "--json"], ["transcripts", "--json"], ["log"]):
        code, out, err = run_cli(capsys, *argv, "-p", str(project))
        assert code == 0, err
        assert "Far" not in out and "&#237;" not in out, f"{' '.join(argv)} names him"
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json", "--show-names")
    rows = json.loads(out)
    assert {r["speaker"] for r in rows} == {"Entrevistadora", "Carlos Farías", "Alfredo Artigas"}
    # the references in his words are the characters they stand for
    assert rows[-1]["text"] == "Formamos a cuarenta trabajadores & a diez jefes de línea <sic>."


def test_the_case_sheet_finds_the_informant_by_his_accented_name(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "cases.csv"
    sheet.write_text("transcript_id,case_id,name,type\nteams_es,KII-07,Carlos Farías,KII\n", encoding="utf-8")
    project = _import(tmp_path, capsys, "teams_es.vtt", TEAMS_ES, "--cases", str(sheet))
    code, out, err = run_cli(capsys, "transcripts", "speakers", "teams_es", "-p", str(project), "--json")
    assert code == 0, err
    speakers = {s["label"]: s for s in json.loads(out)["speakers"]}
    # by his name, not the one who speaks most (Alfredo Artigas, who is no case of the sheet)
    assert speakers["Carlos Farías"]["case"] == "KII-07"
    assert speakers["Alfredo Artigas"]["case"] is None


def test_a_name_written_both_ways_in_one_file_is_one_speaker(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    both = TEAMS_ES.replace("<v Carlos Far&#237;as>Formamos", "<v Carlos Farías>Formamos")
    project = _import(tmp_path, capsys, "teams_es.vtt", both)
    code, out, err = run_cli(capsys, "transcripts", "speakers", "teams_es", "-p", str(project), "--json")
    assert code == 0, err
    labels = [s["label"] for s in json.loads(out)["speakers"]]
    assert sorted(labels) == ["Alfredo Artigas", "Carlos Farías", "Entrevistadora"]


def test_voice_tags_pasted_into_word_are_decoded_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import docx

    document = docx.Document()
    for line in ("<v Entrevistadora>¿Cómo empezó el proyecto en la planta?</v>",
                 "<v Carlos Far&#237;as>Empezó en mayo, cuando el sindicato nos pidió apoyo &amp; ayuda.</v>",
                 "<v Entrevistadora>¿Y quién lo pagó?</v>",
                 "<v Carlos Far&#237;as>La marca pagó la formación del comité.</v>"):
        document.add_paragraph(line)
    out_bytes = io.BytesIO()
    document.save(out_bytes)
    project = _import(tmp_path, capsys, "teams_es.docx", out_bytes.getvalue())
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json")
    assert code == 0, err
    assert "Far" not in out
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json", "--show-names")
    rows = json.loads(out)
    assert [r["speaker"] for r in rows] == ["Entrevistadora", "Carlos Farías", "Entrevistadora", "Carlos Farías"]
    assert rows[1]["text"] == "Empezó en mayo, cuando el sindicato nos pidió apoyo & ayuda."


def test_a_web_page_saved_as_markdown_is_read_as_its_characters(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    page = ("# Annual report 2024\n\nThe R&amp;D unit trained 40 workers &ndash; we&#39;re told most of them "
            "were women &#8212; at the Hai&nbsp;Phong plant.\n")
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    (tmp_path / "report.md").write_text(page, encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project), "--document", str(tmp_path / "report.md"))
    assert code == 0, err
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json")
    texts = [r["text"] for r in json.loads(out)]
    assert ("The R&D unit trained 40 workers – we're told most of them were women — at the Hai Phong plant."
            in texts)


def test_a_line_break_written_as_a_reference_does_not_start_a_turn(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # "&#10;" inside a saved page's text was decoded into a line break, and the words after it read as a new turn
    from qualcode.importers import parse_transcript

    text = ("Interviewer: How did the training go?\n"
            "Respondent: It went well.&#10;Interviewer: said the trainer, and we agreed.\n"
            "Interviewer: And then?\nRespondent: We met again.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    said = [(pt.text[u.start:u.end], u.speaker) for u in pt.units]
    assert ("It went well. Interviewer: said the trainer, and we agreed.", "Respondent") in said
