"""Transcripts written to the f4/f5 convention (also MAXQDA's transcription mode, common in German-speaking
evaluation teams): "I:" the interviewer, "B:" the respondent (Befragte/r), "#00:01:02-4#" the time a paragraph ends.
The stamps become the units' times, not words of the passage; B is the respondent; the import says what it guessed;
a selection another tool made on such a text still codes the words it marks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from store_support import make_codebook

from qualcode.importers import parse_transcript
from qualcode.project_io import import_files
from qualcode.refi import import_refi
from qualcode.store import Project

F4 = ("I: Wie sind Sie zu dem Projekt gekommen? #00:00:05-2#\n\n"
      "B: Also, das war so. Ich habe damals in der Verwaltung gearbeitet. #00:00:31-8#\n\n"
      "I: Und wie ging es weiter? #00:00:35-0#\n\n"
      "B: Dann kam die Schulung. #00:00:48-1# Die war gut, aber zu kurz. #00:01:02-4#\n")


def test_f4_stamps_are_unit_times_and_not_words() -> None:
    parsed = parse_transcript(F4.encode(), "Interview_03.txt")
    units = [(u.speaker, parsed.text[u.start:u.end], u.t_start, u.t_end) for u in parsed.units]
    assert "#" not in parsed.text
    assert units[0] == ("I", "Wie sind Sie zu dem Projekt gekommen?", None, 5.2)
    assert units[1][0] == "B" and units[1][2:] == (5.2, 31.8)
    # a stamp inside a paragraph is left out too; the unit runs from the stamp before it to its last
    assert units[-1] == ("B", "Dann kam die Schulung. Die war gut, aber zu kurz.", 35.0, 62.4)
    assert any("4 transcription timestamp(s)" in w or "5 transcription timestamp(s)" in w for w in parsed.warnings)


def test_a_file_import_reads_b_as_the_respondent_and_says_it_guessed(tmp_path: Path) -> None:
    src = tmp_path / "Interview_03.txt"
    src.write_text(F4, encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=make_codebook()) as project:
        report = import_files(project, [src], coder="ana")
        roles = {sp["label"]: sp["role"] for sp in project.speakers("Interview_03")}
        assert roles == {"I": "interviewer", "B": "informant"}
        said = " ".join(report["warnings"] + [n for t in report["transcripts"] for n in t.get("notes", [])]
                        + [w for t in report["transcripts"] for w in t.get("warnings", [])])
        assert "guessed 'B' as the informant" in said
        assert [s["text"] for s in project.segments("Interview_03", include_interviewer=False)][0] == \
            "Also, das war so. Ich habe damals in der Verwaltung gearbeitet."


def test_a_and_b_without_an_i_are_not_taken_for_respondent_and_interviewer() -> None:
    from qualcode.speakers import f4_respondents

    assert f4_respondents(["A", "B"]) == [] and f4_respondents(["I", "B1", "B2"]) == ["B1", "B2"]
    assert f4_respondents(["I", "IP"]) == ["IP"] and f4_respondents(["I", "TN1", "TN2"]) == ["TN1", "TN2"]


def test_a_maxqda_selection_on_an_f4_text_codes_the_same_words(tmp_path: Path) -> None:
    words = "Die war gut, aber zu kurz."
    start = F4.index(words)
    selections = [(start, start + len(words)),  # the words
                  (start, F4.index("\n", start))]  # the words and the stamp after them
    sels = "".join(
        f'<PlainTextSelection guid="5E100000-0000-4000-8000-00000000000{n}" startPosition="{a}" endPosition="{b}" '
        f'creatingUser="00000000-0000-4000-8000-00000000000{n + 1}"><Coding guid="C0D10000-0000-4000-8000-00000000000'
        f'{n}" creatingUser="00000000-0000-4000-8000-00000000000{n + 1}"><CodeRef '
        'targetGUID="C0DE0000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>'
        for n, (a, b) in enumerate(selections))
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           'origin="MAXQDA 24 (Release 24.7.0)" name="P"><Users>'
           '<User guid="00000000-0000-4000-8000-000000000001" name="anna"/>'
           '<User guid="00000000-0000-4000-8000-000000000002" name="ben"/></Users>'
           '<CodeBook><Codes><Code guid="C0DE0000-0000-4000-8000-000000000001" name="Training" isCodable="true"/>'
           '</Codes></CodeBook><Sources><TextSource guid="50C00000-0000-4000-8000-000000000001" name="Interview 3" '
           f'plainTextPath="internal://a.txt">{sels}</TextSource></Sources></Project>')
    with zipfile.ZipFile(tmp_path / "in.qdpx", "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/a.txt", F4.replace("\n", "\r\n"))  # MAXQDA: CRLF, each counted once
    report = import_refi(tmp_path / "p", tmp_path / "in.qdpx", coder="ana")
    with Project.open(tmp_path / "p") as p:
        text = {s["id"]: s["text"] for s in p.segments()}
        unit = "Dann kam die Schulung. Die war gut, aber zu kurz."
        assert sorted((text[c["segment"]], c["coder"]) for c in p.codings()) == [(unit, "anna"), (unit, "ben")]
        assert {sp["label"]: sp["role"] for sp in p.speakers("Interview-3")} == {"I": "interviewer", "B": "informant"}
        assert not any("#" in t for t in text.values())
    said = " ".join(report["warnings"])
    assert "read as the units' times" in said and "B read as the respondent" in said


def test_a_text_without_speakers_keeps_its_stamps_as_times_too() -> None:
    from qualcode.importers.confidence import plain_document

    parsed = plain_document("Der Bericht beginnt hier mit dem Projekt. #00:00:05-2#\r\n"
                            "Der zweite Absatz kommt ohne Sprecher aus. #00:00:09-0#\r\n", "Memo.txt")
    assert [(parsed.text[u.start:u.end], u.t_start, u.t_end) for u in parsed.units] == [
        ("Der Bericht beginnt hier mit dem Projekt.", None, 5.2),
        ("Der zweite Absatz kommt ohne Sprecher aus.", 5.2, 9.0)]
    assert any("2 transcription timestamp(s)" in w for w in parsed.warnings)
