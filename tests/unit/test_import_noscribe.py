"""noScribe's output (HTML, text, WebVTT): its header (the audio file's name as a title, the credit line, the audio
file and the transcription settings) and a pause mark alone on its line are never coding units. The files below have
the shape noScribe writes (its own test interview's, in its HTML, text and WebVTT output), in invented words."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.importers import parse_transcript
from qualcode.importers.noscribe import is_pause_only
from qualcode.importing import import_files
from qualcode.model import ParsedTranscript
from qualcode.store import Project

SETTINGS = ("(Language: English (en) | Speaker detection: auto | Overlapping speech: 1 | Timestamps: 1 |"
            " Disfluencies: 1 | Mark pause: 1)")
TXT = f"""KII-12 union Bac Ninh

Transcribed with noScribe vers. 0.7
Audio file: ./KII-12 union Bac Ninh.mp3
{SETTINGS}

(12 seconds pause)



S01: [00:00:12] Good morning, thank you for taking the time to meet us today. (..) Could you tell me how it began?

S00: [00:00:36] It began in May, when the union asked the province for help with the training. //S01: I see. // We \
trained forty workers.

(...)

S01: [00:00:50] And what happened then?

S00: [00:00:52] Then the factories joined, one after the other, over the summer.
"""

HTML = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN" "http://www.w3.org/TR/REC-html40/strict.dtd">
<html ><head ><meta charset="UTF-8" /><meta name="qrichtext" content="1" />
<style type="text/css" > p { font-size: 0.9em; } </style>
<meta name="audio_source" content="./KII-12 union Bac Ninh.mp3" /></head>
<body style="font-family: 'Arial'" > <div class="WordSection1" ><p style="font-weight: 600" >KII-12 union Bac Ninh</p>\
<p ><span style="color: #909090; font-size: 0.8em" >Transkribiert mit noScribe Vers. 0.7.1<br />Audiodatei: \
./KII-12 union Bac Ninh.mp3<br />(Sprache: Englisch (en) | Sprecher:in erkennen: auto | Überlappende Rede: 1 | \
Zeitmarken: 1 | Füllwörter: 1 | Pausen markieren: 1)</span></p><p ><a name="ts_0_12140_" >(12 Sekunden Pause) </a></p>\
<p></p><p ><a name="ts_12140_22800_S01" >S01: <span style="color: #78909C" >[00:00:12]</span> Good morning, thank you \
for taking the time to meet us today.</a><a name="ts_22800_24360_S01" > (..)</a><a name="ts_24360_30010_S01" > Could \
you tell me how it began?</a></p><p ><a name="ts_36190_39330_S00" >S00: <span style="color: #78909C" >[00:00:36]</span>\
 It began in May, when the union asked the province for help with the training.</a></p><p ><a name="ts_50000_51000_S01"\
 >S01: <span style="color: #78909C" >[00:00:50]</span> And what happened then?</a></p><p ><a name="ts_52000_59000_S00" \
>S00: <span style="color: #78909C" >[00:00:52]</span> Then the factories joined, one after the other.</a></p></div>\
</body></html>
"""

VTT = f"""WEBVTT KII-12 union Bac Ninh

NOTE
Transcribed with noScribe vers. 0.7 Audio file: ./KII-12 union Bac Ninh.mp3 {SETTINGS}

1
00:00:00.000 --> 00:00:12.140
(12 seconds pause)

2
00:00:12.140 --> 00:00:30.010
<v S01>Good morning, thank you for taking the time to meet us today. (..) Could you tell me how it began?

3
00:00:36.190 --> 00:00:39.330
<v S00>It began in May, when the union asked the province for help with the training.
"""


def units(pt: ParsedTranscript) -> list[str]:
    return [pt.text[u.start:u.end] for u in pt.units]


@pytest.mark.parametrize(("name", "data"), [("KII-12.txt", TXT), ("KII-12.html", HTML), ("KII-12.vtt", VTT)])
def test_no_part_of_noscribes_header_or_a_lone_pause_is_a_unit(name: str, data: str) -> None:
    pt = parse_transcript(data.encode(), name)
    assert units(pt)[0] == "Good morning, thank you for taking the time to meet us today. (..)"
    assert pt.units[0].speaker == "S01"
    for text in units(pt):
        assert "noScribe" not in text and "Bac Ninh" not in text and "Language" not in text and "Sprache" not in text
        assert not is_pause_only(text), text
    assert not any(t.speaker is None for t in pt.turns)
    assert any("pause mark" in w and "before the first words" in w and "left out" in w for w in pt.warnings)


@pytest.mark.parametrize(("name", "data", "version", "lines"),
                         [("KII-12.txt", TXT, "0.7", 4), ("KII-12.html", HTML, "0.7.1", 2)])
def test_noscribes_header_is_the_transcripts_metadata_and_the_report_says_so(name: str, data: str, version: str,
                                                                             lines: int) -> None:
    pt = parse_transcript(data.encode(), name)
    assert pt.metadata["title"] == "KII-12 union Bac Ninh"
    assert pt.metadata["audio_file"] == "KII-12 union Bac Ninh.mp3"
    assert pt.metadata["transcribed_with"] == f"noScribe {version}"
    assert any(w.startswith(f"noScribe's header (its title, the noScribe {version} credit line, the audio file and the"
                            f" transcription settings) was left out of the text: {lines} line(s)") for w in pt.warnings)


def test_a_pause_alone_on_its_line_after_the_first_words_stays_in_the_turn_it_falls_in() -> None:
    pt = parse_transcript(TXT.encode(), "KII-12.txt")
    turn = next(t for t in pt.turns if pt.text[t.start:t.end].startswith("We trained forty"))
    assert turn.speaker == "S00" and pt.text[turn.start:turn.end] == "We trained forty workers. (...)"
    assert any(w.startswith("1 pause mark(s) alone on their line were joined to the line before them") for w in
               pt.warnings)


@pytest.mark.parametrize("mark", ["(.)", "(..)", "(...)", "(…)", "(12 seconds pause)", "(2 minute[s] pause)",
                                  "(12 Sekunden Pause)", "(12 segundos de pausa)", "(12 секунд паузы)", "(12秒休止)",
                                  "(4 Sek.)", "(3)", "(..) (5 seconds pause)"])
def test_pause_marks_in_noscribes_languages_and_transcription_conventions(mark: str) -> None:
    assert is_pause_only(mark)


@pytest.mark.parametrize("text", ["(2 workers)", "(laughs)", "(inaudible)", "(see annex 3)", "Yes. (..)", "()"])
def test_words_in_parentheses_are_not_pauses(text: str) -> None:
    assert not is_pause_only(text)


def test_a_transcript_that_only_mentions_noscribe_keeps_its_first_lines() -> None:
    data = ("Interviewer: We used noScribe version 0.7 for the recording, is that fine?\n\n"
            "Ms. Lan: Yes (that is | fine) with me.\n\nInterviewer: Good. Let us start with the training.\n")
    pt = parse_transcript(data.encode(), "KII-13.txt")
    assert units(pt)[0] == "We used noScribe version 0.7 for the recording, is that fine?"
    assert "transcribed_with" not in pt.metadata


NO_SPEAKERS = TXT.replace("Speaker detection: auto", "Speaker detection: none").replace("S01: [00:00:12] ", "") \
    .replace("S00: [00:00:36] ", "").replace("S01: [00:00:50] ", "").replace("S00: [00:00:52] ", "") \
    .replace(" //S01: I see. //", "")


def test_noscribe_text_without_speaker_detection_is_what_was_said_not_notes() -> None:
    """With speaker detection off, noScribe writes no labels: the text was read as an interviewer's notes."""
    pt = parse_transcript(NO_SPEAKERS.encode(), "KII-12.txt")
    assert pt.record != "notes" and pt.speakers == []
    assert units(pt)[0] == "Good morning, thank you for taking the time to meet us today. (..)"


@pytest.mark.parametrize("speakers", ["one", "none"])
def test_a_noscribe_html_page_is_a_transcript_whatever_its_speakers(tmp_path: Path, speakers: str) -> None:
    """noScribe's HTML of a recording with one voice (or speaker detection off) was imported as a desk-review
    document whose first units were its header: too few labelled turns to read as an interview."""
    page = HTML.split("<p ><a name=\"ts_36190")[0] + "</div></body></html>\n"
    if speakers == "none":
        page = page.replace("S01: ", "").replace("Sprecher:in erkennen: auto", "Sprecher:in erkennen: none")
    path = tmp_path / "KII-12.html"
    path.write_text(page, encoding="utf-8")
    report = import_files(Project.create(tmp_path / "p"), [path], coder="ana", dry_run=True)
    assert report["documents"] == []
    [entry] = report["transcripts"]
    assert entry["units"] == 2 and entry["metadata"]["transcribed_with"] == "noScribe 0.7.1"


def test_a_worded_pause_after_a_sentence_stays_with_it_and_never_starts_a_unit() -> None:
    text = TXT.replace("We trained forty workers.", "We trained forty workers. (12 seconds pause) Then the factories"
                       " joined, one after the other, over the summer months.")
    pt = parse_transcript(text.encode(), "KII-12.txt")
    assert "We trained forty workers. (12 seconds pause)" in units(pt)
    assert not any(u.startswith("(") for u in units(pt))


# noScribe's credit and audio-file lines in each of its interface languages (its trans/noScribe.*.yml)
CREDITS = [("Transcribed with noScribe vers. 0.7", "Audio file: /Users/clara/Downloads/a.mp3"),
           ("Transkribiert mit noScribe Vers. 0.7", "Audiodatei: ./a.mp3"),
           ("Transcrit avec noScribe vers. 0.7", "Fichier audio : ./a.mp3"),
           ("Transcrito con noScribe ver. 0.7", "Archivo de audio: C:\\Users\\clara\\a.mp3"),
           ("Trascritto con noScribe vers. 0.7", "File audio: ./a.mp3"),
           ("noScribe vers. 0.7で転写されました", "音声ファイル：./a.mp3"),
           ("Transcrito com noScribe versão 0.7", "Arquivo de áudio: ./a.mp3"),
           ("Транскрибировано с помощью noScribe версии 0.7", "Аудиофайл: ./a.mp3"),
           ("使用noScribe 0.7 版本转录", "音频文件：./a.mp3")]


@pytest.mark.parametrize(("credit", "audio"), CREDITS, ids=[c[0][:12] for c in CREDITS])
def test_noscribes_header_in_each_of_its_languages(credit: str, audio: str) -> None:
    data = TXT.replace("Transcribed with noScribe vers. 0.7", credit).replace(
        "Audio file: ./KII-12 union Bac Ninh.mp3", audio)
    pt = parse_transcript(data.encode(), "KII-12.txt")
    assert pt.metadata["transcribed_with"] == "noScribe 0.7" and pt.metadata["audio_file"] == "a.mp3"
    assert units(pt)[0] == "Good morning, thank you for taking the time to meet us today. (..)"
