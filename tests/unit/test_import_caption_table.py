"""A transcript kept as a table: Whisper's .tsv corrected in a spreadsheet and saved again with more columns (the
shape of a public council-meeting transcript: a note line above the header, 'Speaker', start and end in seconds,
'Raw transcription', 'Corrected transcription', start and end in milliseconds, CRLF line ends). Its header, the
note and the tabs were units of a plain-text reading (the times among the words), and given to import it was taken
for the case sheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.importers import is_transcript_sheet, parse_transcript
from qualcode.importing import gather_import_files

HEADER = ("Speaker\tStart time (seconds after ~1:05:44)\tEnd time (seconds after ~1:05:44)\tRaw transcription\t"
          "Corrected transcription\tStart time (ms after ~1:02)\tEnd time (ms after ~1:02)")
ROWS = [("", "0", "9", "So I'm going to move on with the item on the traffic committee.", ""),
        ("", "10", "17", "So I suppose we should open the public forum first.", ""),
        ("Chair", "17", "20", "Oh no we will hear the public forum first.", "Oh no, we will hear the forum first."),
        ("", "2O", "31", "Yes okay this is about the cycleway on the main street.", ""),
        ("Resident", "31", "40", "Thank you. I live on the street and I cycle to work every day.", "")]


def table(rows: list[tuple[str, str, str, str, str]] = ROWS) -> str:
    lines = ["See the project page for the video source and more info.\t\t\t\t\t\t", HEADER]
    lines += [f"{who}\t{start}\t{end}\t{raw}\t{fixed}\t{int(start) * 1000 if start.isdigit() else ''}\t" for
              who, start, end, raw, fixed in rows]
    return "\r\n".join(lines) + "\r\n"


def test_a_transcript_table_is_read_row_by_row_with_its_times_and_speakers() -> None:
    pt = parse_transcript(table().encode(), "council.tsv")
    units = [(u.speaker, pt.text[u.start:u.end], u.t_start) for u in pt.units]
    assert units[0] == (None, "So I'm going to move on with the item on the traffic committee.", 0.0)
    assert ("Chair", "Oh no, we will hear the forum first.", 17.0) in units  # the corrected text, where there is one
    assert ("Resident", "Thank you. I live on the street and I cycle to work every day.", 31.0) in units
    for _, text, _ in units:
        assert "\t" not in text and "transcription" not in text and "project page" not in text
    assert pt.detected.startswith("tab-separated transcript, a table of speech (columns 'Speaker',")
    assert "the words from 'Corrected transcription', else from 'Raw transcription'" in pt.detected


def test_the_report_names_the_note_above_the_header_and_a_row_without_a_readable_start() -> None:
    pt = parse_transcript(table().encode(), "council.tsv")
    assert any(w.startswith("1 line(s) above the table's header were left out ('See the project page") for w in
               pt.warnings)
    # "2O" (a letter O): the row's words are kept, its time is the row before's end, and its line is named
    assert any(w.startswith("1 timing line(s) could not be read and were left out (line 6: '2O')") for w in
               pt.warnings)
    assert "Yes okay this is about the cycleway" in pt.text


def test_a_transcript_table_given_to_import_is_a_transcript_not_the_case_sheet(tmp_path: Path) -> None:
    path = tmp_path / "council.tsv"
    path.write_text(table(), encoding="utf-8")
    assert is_transcript_sheet(path)
    files, cases, _notes = gather_import_files([path], None)
    assert files == [path] and cases is None


@pytest.mark.parametrize("header", ["transcript_id\tspeaker\tcase_id\tname\tstakeholder_group",
                                    "code\tstart date\tend date\tbudget"])
def test_a_sheet_without_a_text_and_a_time_column_is_not_a_transcript(tmp_path: Path, header: str) -> None:
    path = tmp_path / "cases.tsv"
    path.write_text(header + "\nKII-01\tHoa\tC1\tHoa Nguyen\tunion\n", encoding="utf-8")
    assert not is_transcript_sheet(path)


# Whisper's JSON output (pretty-printed here) and WhisperX's (one line, "speaker" after diarization): once read as
# interview notes, each unit a piece of the JSON ('{"segments": [{"start": 0.031, "end": ...').
WHISPER_JSON = """{
  "text": " Good morning and thank you for coming. We trained forty workers in May.",
  "segments": [
    {"id": 0, "seek": 0, "start": 0.0, "end": 6.48, "text": " Good morning and thank you for coming.",
     "tokens": [50364, 17216], "temperature": 0.0, "avg_logprob": -0.14, "no_speech_prob": 0.05},
    {"id": 1, "seek": 0, "start": 3.0, "end": 12.88, "text": " We trained forty workers in May.",
     "tokens": [50688, 8988], "temperature": 0.0, "avg_logprob": -0.14, "no_speech_prob": 0.05}
  ],
  "language": "en"
}
"""
WHISPERX_JSON = ('{"segments": [{"start": 0.031, "end": 2.434, "text": " How did the training start?", "words":'
                 ' [{"word": "How", "start": 0.031, "end": 0.412, "score": 0.751, "speaker": "SPEAKER_00"}], "speaker":'
                 ' "SPEAKER_00"}, {"start": 2.695, "end": 11.606, "text": " The union asked for it in May.", "words":'
                 ' [{"word": "The", "start": 2.695, "end": 2.8, "score": 0.9}], "speaker": "SPEAKER_01"}],'
                 ' "word_segments": [{"word": "How", "start": 0.031, "end": 0.412, "score": 0.751}], "language": "en"}')


def test_whisper_json_output_is_read_as_its_segments() -> None:
    pt = parse_transcript(WHISPER_JSON.encode(), "forum.json")
    assert pt.format == "json" and pt.detected.startswith("Whisper JSON output")
    assert [(pt.text[u.start:u.end], u.t_start) for u in pt.units] == [
        ("Good morning and thank you for coming.", 0.0), ("We trained forty workers in May.", 3.0)]
    # the second segment starts before the first ends: fine; one that starts before the one before is named by line
    back = WHISPER_JSON.replace('"start": 3.0', '"start": 1.0').replace('"id": 0, "seek": 0, "start": 0.0',
                                                                         '"id": 0, "seek": 0, "start": 2.0')
    pt = parse_transcript(back.encode(), "forum.json")
    assert any(w.startswith("1 cue(s) start before the cue before them (the first at line 6)") for w in pt.warnings)


def test_whisperx_json_output_keeps_its_speakers() -> None:
    pt = parse_transcript(WHISPERX_JSON.encode(), "kii.json")
    assert [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns] == [
        ("SPEAKER_00", "How did the training start?"), ("SPEAKER_01", "The union asked for it in May.")]
    assert not any("{" in pt.text[u.start:u.end] or "score" in pt.text[u.start:u.end] for u in pt.units)


@pytest.mark.parametrize("data", ['{"name": "Hoa", "role": "union"}', '{"segments": [{"words": "no times"}]}'])
def test_other_json_is_refused_in_one_line(data: str) -> None:
    from qualcode.errors import InputError

    with pytest.raises(InputError, match=r"x\.json: this JSON file is not Whisper's or WhisperX's output"):
        parse_transcript(data.encode(), "x.json")


def test_whisper_cpp_csv_output_is_a_transcript_in_milliseconds(tmp_path: Path) -> None:
    """whisper.cpp's -ocsv: "start,end,text", milliseconds, the text quoted with its leading space. A .csv given to
    import was the case sheet."""
    path = tmp_path / "forum.csv"
    path.write_text('start,end,text\n0,4000," Good morning and thank you for coming,"\n4000,11000," we trained'
                    ' forty workers in May."\n11000,15000," The union asked for it first."\n', encoding="utf-8")
    assert is_transcript_sheet(path)
    files, cases, _notes = gather_import_files([path], None)
    assert files == [path] and cases is None
    pt = parse_transcript(path.read_bytes(), path.name)
    assert pt.format == "csv" and pt.detected.startswith("comma-separated transcript")
    assert [(pt.text[u.start:u.end], u.t_start) for u in pt.units] == [
        ("Good morning and thank you for coming, we trained forty workers in May.", 0.0),
        ("The union asked for it first.", 11.0)]
    assert any("read as milliseconds" in w for w in pt.warnings)


def test_a_case_sheet_is_still_the_case_sheet(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("transcript_id,speaker,case_id,name,stakeholder_group,start date\nKII-01,Hoa,C1,Hoa Nguyen,union,"
                    "2024-03-01\n", encoding="utf-8")
    assert not is_transcript_sheet(path)
    files, cases, _notes = gather_import_files([path], None)
    assert files == [] and cases == path


def test_a_case_sheet_naming_its_transcripts_and_dates_is_the_case_sheet(tmp_path: Path) -> None:
    """'transcript' is a case sheet's column for the transcript a row is about; beside a 'start' date it must not
    make the sheet a transcript whose words are file names."""
    for sep, suffix in (("\t", ".tsv"), (",", ".csv")):
        path = tmp_path / f"cases{suffix}"
        path.write_text(sep.join(["transcript", "speaker", "name", "start", "stakeholder_group"]) + "\n"
                        + sep.join(["KII-01.docx", "Hoa", "Hoa Nguyen", "10:00", "union"]) + "\n"
                        + sep.join(["KII-02.docx", "Lan", "Lan Tran", "11:30", "employer"]) + "\n", encoding="utf-8")
        assert not is_transcript_sheet(path)


# Whisper's segments saved as a table (pandas' DataFrame(result["segments"]).to_csv(index=False)), with their
# segment number in an "id" column: taken for the case sheet, its segment numbers made cases, the words not imported.
PANDAS_SEGMENTS = ("id,seek,start,end,text,tokens,temperature,avg_logprob,compression_ratio,no_speech_prob\n"
                   '0,0,0.0,3.2, How did the training go?,"[50364, 1012]",0.0,-0.21,1.3,0.02\n'
                   '1,0,3.2,9.0, It went well. The supervisors shout less now.,"[50524, 467]",0.0,-0.21,1.3,0.02\n')


@pytest.mark.parametrize(("name", "data"), [
    ("segments.csv", PANDAS_SEGMENTS),
    ("segments.csv", "id,start,end,text\n1,0.0,3.2,How did the training go?\n2,3.2,9.0,It went well.\n"),
    ("segments.tsv", "id\tstart\tend\ttext\n1\t0.0\t3.2\tHow did the training go?\n2\t3.2\t9.0\tIt went well.\n"),
    ("segments.csv", "id,start,end,text,speaker\n1-A,00:00:01,00:00:03,How did the training go?,SPEAKER_00\n"
                     "2-B,00:00:03,00:00:09,It went well.,SPEAKER_01\n")])
def test_a_transcript_table_numbering_its_segments_in_an_id_column_is_a_transcript(
        tmp_path: Path, name: str, data: str) -> None:
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    assert is_transcript_sheet(path)
    files, cases, _notes = gather_import_files([path], None)
    assert files == [path] and cases is None
    pt = parse_transcript(path.read_bytes(), path.name)
    words = " ".join(pt.text[u.start:u.end] for u in pt.units)
    assert "How did the training go?" in words and "It went well." in words
    assert not any(c in words for c in ("[", ",0.0", "\t"))
    assert max(u.t_end or 0 for u in pt.units) == 9  # the times are read from the start and end columns


@pytest.mark.parametrize("sep", [",", "\t"])
def test_a_case_sheet_keyed_by_id_is_still_the_case_sheet(tmp_path: Path, sep: str) -> None:
    path = tmp_path / ("cases.csv" if sep == "," else "cases.tsv")
    path.write_text(sep.join(["id", "name", "stakeholder_group", "start date", "text of consent"]) + "\n"
                    + sep.join(["KII-01", "Hoa Nguyen", "union", "2024-03-01", "yes"]) + "\n"
                    + sep.join(["KII-02", "Lan Tran", "employer", "2024-03-02", "yes"]) + "\n", encoding="utf-8")
    assert not is_transcript_sheet(path)
    files, cases, _notes = gather_import_files([path], None)
    assert files == [] and cases == path


@pytest.mark.parametrize("bad", ["NaN", "1e400", "-Infinity", "-5", "Infinity"])
def test_a_whisper_segment_whose_start_is_not_a_time_keeps_its_words_without_a_time(bad: str) -> None:
    """JSON allows NaN and Infinity (and 1e400 overflows to it): such a start was stored as Infinity, which no
    export, clock or JSON listing can show ("cannot convert float infinity to integer")."""
    import json
    import math

    data = ('{"segments": [\n{"start": 0.0, "end": 3.0, "text": " Good morning and thank you for coming."},\n'
            f'{{"start": {bad}, "end": NaN, "text": " We trained forty workers in May."}},\n'
            '{"start": 9.0, "end": 1e400, "text": " The union asked for it first."}\n]}')
    pt = parse_transcript(data.encode(), "forum.json")
    units = [(pt.text[u.start:u.end], u.t_start, u.t_end) for u in pt.units]
    assert [text for text, _, _ in units] == ["Good morning and thank you for coming.",
                                              "We trained forty workers in May.", "The union asked for it first."]
    assert all(t is not None and math.isfinite(t) and t >= 0 for _, start, end in units for t in (start, end))
    assert all(t.t_start is None or math.isfinite(t.t_start) for t in pt.turns)
    json.dumps([u.t_start for u in pt.units], allow_nan=False)
    assert any("could not be read" in w and "line 3" in w for w in pt.warnings)


def test_whisper_json_whose_only_start_is_not_a_time_is_refused_in_one_line() -> None:
    from qualcode.errors import InputError

    with pytest.raises(InputError, match=r"f\.json:1: a segment whose start is not a time"):
        parse_transcript(b'{"segments":[{"start":1e400,"end":NaN,"text":"Hi there"}]}', "f.json")


@pytest.mark.parametrize(("name", "data", "line", "message"), [
    ("a.csv", 'start,end,text\n0,1000,Hello there\nabc,2000,"unclosed quote\n3000,4000,More\n', 3,
     "a row without a readable start time ('abc')"),
    ("b.csv", "start,end,text\n", 1, "this table of speech has a header but no rows"),
    ("b.tsv", "Speaker\tStart time (seconds)\tEnd time (seconds)\tTranscription\n\n", 1,
     "this table of speech has a header but no rows"),
    ("inf.csv", "start,end,text\n0.5,2.0,Hello there\ninf,3.5,World is big\n", 3,
     "a row without a readable start time ('inf')")])
def test_a_damaged_or_empty_transcript_table_is_refused_naming_its_line(
        name: str, data: str, line: int, message: str) -> None:
    """Such a table was read as interview notes whose units were its CSV text ('start,end,text 0,1000,...')."""
    from qualcode.errors import InputError

    with pytest.raises(InputError) as caught:
        parse_transcript(data.encode(), name)
    assert str(caught.value).startswith(f"{name}:{line}: {message}")


@pytest.mark.parametrize("data", ['[{"start": 0, "end": 2, "text": "Hi"}]', '{"segments": [{"start": 0, "end": 2,',
                                  '"just a string"', "null"])
def test_a_json_file_that_is_not_an_object_is_refused_not_read_as_notes(data: str) -> None:
    from qualcode.errors import InputError

    with pytest.raises(InputError, match=r"e\.json: this JSON file is not Whisper's or WhisperX's output"):
        parse_transcript(data.encode(), "e.json")



def test_the_report_says_a_json_or_tables_speakers_come_from_its_speaker_field_not_teams_voice_tags() -> None:
    pt = parse_transcript(WHISPERX_JSON.encode(), "kii.json")
    assert pt.detected == "Whisper JSON output: speakers from each segment's 'speaker' (WhisperX)"
    table = ("Speaker,Start Time,End Time,Text\nClara Jensen,0.0,2.0,How did it start?\n"
             "Mai Tran,2.5,5.0,With a survey.\n")
    pt = parse_transcript(table.encode(), "kii.csv")
    assert pt.detected.endswith("speakers from the 'Speaker' column") and "Teams" not in pt.detected
    assert [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns] == [
        ("Clara Jensen", "How did it start?"), ("Mai Tran", "With a survey.")]


def test_a_json_segments_text_is_plain_text_not_caption_markup() -> None:
    """A segment's '<v Boss>' made a speaker 'Boss', and '&lt;' became '<': Whisper's text is no WebVTT."""
    data = ('{"segments": [{"start": 0.0, "end": 2.0, "text": " Wages went from <5 dollars to >10 dollars a day.",'
            ' "speaker": "SPEAKER_00"}, {"start": 2.5, "end": 5.0, "text": " Women <b>and</b> men, <v Boss> said so.",'
            ' "speaker": "SPEAKER_01"}, {"start": 5.5, "end": 7.0, "text": " AT&amp;T &lt; fine.",'
            ' "speaker": "SPEAKER_01"}]}')
    pt = parse_transcript(data.encode(), "lt.json")
    assert sorted(pt.speakers) == ["SPEAKER_00", "SPEAKER_01"]
    assert [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns] == [
        ("SPEAKER_00", "Wages went from <5 dollars to >10 dollars a day."),
        ("SPEAKER_01", "Women <b>and</b> men, <v Boss> said so. AT&amp;T &lt; fine.")]
