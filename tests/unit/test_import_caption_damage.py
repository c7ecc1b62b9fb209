"""Caption files with a damaged cue (a timing line with a typo, cut short or missing, a Whisper .tsv row whose times
are not numbers): the timing is never read as words, the words under it are kept, and the report names the line
of the file, as do all the caption reader's notices in every caption format."""

from __future__ import annotations

import re

import pytest

from qualcode.errors import InputError
from qualcode.importers import parse_transcript
from qualcode.model import ParsedTranscript

# anything of a timing in a unit's words: a clock time, an arrow, a SubViewer pair, a .tsv row's milliseconds
TIMING_IN_WORDS = re.compile(r"\d:\d|-->|->|\d,\d|\b\d{3,}\b|\t")
SPEECH = ["Good morning and thank you for coming.", "We trained forty workers in May.",
          "The union asked for it first.", "Then the factories joined in June.", "It worked well for everyone."]


def units(pt: ParsedTranscript) -> list[str]:
    return [pt.text[u.start:u.end] for u in pt.units]


def line_of(data: str, needle: str, *, whole: bool = False) -> int:
    """The 1-based number of the file's line holding ``needle`` (``whole``: that is ``needle``)."""
    return next(k for k, line in enumerate(data.split("\n"), start=1) if (line == needle if whole else needle in line))


def sbv(timings: list[str]) -> str:
    return "".join(f"{t}\n{words}\n\n" if t else f"{words}\n\n" for t, words in zip(timings, SPEECH, strict=True))


def srt(timings: list[str]) -> str:
    return "".join(f"{k}\n{t}\n{words}\n\n" if t else f"{k}\n{words}\n\n"
                   for k, (t, words) in enumerate(zip(timings, SPEECH, strict=True), start=1))


def vtt(timings: list[str]) -> str:
    return "WEBVTT\n\n" + "".join(f"{t}\n{words}\n\n" for t, words in zip(timings, SPEECH, strict=True))


def tsv(rows: list[str]) -> str:
    return "start\tend\ttext\n" + "".join(f"{r}\t{words}\n" for r, words in zip(rows, SPEECH, strict=True))


SBV_OK = ["0:00:01.000,0:00:03.000", "0:00:03.500,0:00:06.000", "0:00:06.500,0:00:09.000",
          "0:00:09.500,0:00:12.000", "0:00:12.500,0:00:15.000"]
SRT_OK = ["00:00:01,000 --> 00:00:03,000", "00:00:03,500 --> 00:00:06,000", "00:00:06,500 --> 00:00:09,000",
          "00:00:09,500 --> 00:00:12,000", "00:00:12,500 --> 00:00:15,000"]
VTT_OK = [t.replace(",", ".") for t in SRT_OK]
TSV_OK = ["1000\t3000", "3500\t6000", "6500\t9000", "9500\t12000", "12500\t15000"]


def timed_lines(timings: list[str]) -> str:
    """Whisper's console output saved as text: "[00:00.000 --> 00:04.000]  words" a line."""
    return "".join(f"{t}  {words}\n" for t, words in zip(timings, SPEECH, strict=True))


LINES_OK = ["[00:00.000 --> 00:03.000]", "[00:03.500 --> 00:06.000]", "[00:06.500 --> 00:09.000]",
            "[00:09.500 --> 00:12.000]", "[00:12.500 --> 00:15.000]"]


def damaged(ok: list[str], k: int, bad: str) -> list[str]:
    return [bad if n == k else t for n, t in enumerate(ok)]


CASES = [
    # (file name, file text, the broken line as the report quotes it)
    ("a.sbv", sbv(damaged(SBV_OK, 2, "0:00:06.500,0:00:0x.000")), "0:00:06.500,0:00:0x.000"),
    ("b.sbv", sbv(damaged(SBV_OK, 0, "0:00:01.000,0:00:03.0O0")), "0:00:01.000,0:00:03.0O0"),
    ("c.sbv", sbv(damaged(SBV_OK, 3, "0:00:09.500,")), "0:00:09.500,"),
    ("captions.txt", sbv(damaged(SBV_OK, 1, "0:00:03.500,0:0006.000")), "0:00:03.500,0:0006.000"),
    ("d.srt", srt(damaged(SRT_OK, 2, "00:00:06,500 --> 00:0O:09,000")), "00:00:06,500 --> 00:0O:09,000"),
    ("e.srt", srt(damaged(SRT_OK, 3, "0O:00:09,500 --> 00:00:12,000")), "0O:00:09,500 --> 00:00:12,000"),
    ("f.vtt", vtt(damaged(VTT_OK, 1, "00:00:03.500 -> 00:00:06.000")), "00:00:03.500 -> 00:00:06.000"),
    ("g.vtt", vtt(damaged(VTT_OK, 4, "00:00:12.500 --> 00:00:75.000")), "00:00:12.500 --> 00:00:75.000"),
    ("h.tsv", tsv(damaged(TSV_OK, 2, "6500\t9O00")), "6500 9O00"),
    ("i.tsv", tsv(damaged(TSV_OK, 0, "1,000\t3,000")), "1,000 3,000"),
    ("j.txt", timed_lines(damaged(LINES_OK, 2, "[00:0x.500 --> 00:09.000]")), "[00:0x.500 --> 00:09.000]"),
    ("k.txt", timed_lines(damaged(LINES_OK, 3, "[00:09.500 --> 00:1.2000]")), "[00:09.500 --> 00:1.2000]"),
]


@pytest.mark.parametrize(("name", "data", "shown"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_timing_is_left_out_its_words_kept_and_its_line_named(name: str, data: str, shown: str) -> None:
    pt = parse_transcript(data.encode(), name)
    assert not any(TIMING_IN_WORDS.search(u) for u in units(pt)), units(pt)
    assert pt.text.split() == " ".join(SPEECH).split()  # no word lost, none added
    line = line_of(data, shown.split(" ")[0] if name.endswith(".tsv") else shown)
    assert any(w.startswith(f"1 timing line(s) could not be read and were left out (line {line}: '{shown}')")
               for w in pt.warnings), pt.warnings
    assert all(u.t_start is not None for u in pt.units)


def test_the_words_under_a_broken_timing_keep_their_speaker_label() -> None:
    data = srt(damaged(SRT_OK, 1, "00:00:03,500 --> 00:0O:06,000")).replace(SPEECH[1], "Mr. Tuan: " + SPEECH[1])
    data = data.replace(SPEECH[0], "Interviewer: " + SPEECH[0]).replace(SPEECH[2], "Interviewer: " + SPEECH[2])
    pt = parse_transcript(data.encode(), "KII-06.srt")
    assert [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns][:2] == [
        ("Interviewer", SPEECH[0]), ("Mr. Tuan", SPEECH[1])]
    assert pt.turns[2].speaker == "Interviewer" and pt.text[pt.turns[2].start:].startswith(SPEECH[2])
    assert pt.turns[1].t_start == 3.0  # timed at the end of the caption before


def test_a_subrip_cue_without_its_timing_line_loses_its_number_not_its_words() -> None:
    """Cue 3's timing line is missing: its number "3" was read as the first word of the caption before."""
    data = srt(damaged(SRT_OK, 2, ""))
    pt = parse_transcript(data.encode(), "x.srt")
    assert pt.text.split() == " ".join(SPEECH).split()
    line = line_of(data, "3", whole=True)
    assert any(w.startswith(f"1 cue number(s) or identifier(s) stand without a timing line under them (line {line}:"
                            " '3')")
               for w in pt.warnings)


def test_a_subviewer_caption_without_its_timing_line_keeps_its_words_and_is_named() -> None:
    data = sbv(damaged(SBV_OK, 2, ""))
    pt = parse_transcript(data.encode(), "x.sbv")
    assert pt.format == "sbv" and pt.text.split() == " ".join(SPEECH).split()
    assert any(w.startswith(f"1 caption(s) have no timing line above them (line {line_of(data, SPEECH[2])})")
               for w in pt.warnings)


@pytest.mark.parametrize(("name", "data", "first"), [
    ("x.sbv", sbv([SBV_OK[0], "0:00:03.500,0:0x:06.000", "0:00:06.500,0:0x:09.000", SBV_OK[3], "0:00:1x.500,"]),
     "0:0x:06"),
    ("x.tsv", tsv([TSV_OK[0], "35OO\t6000", "6500\t9OOO", TSV_OK[3], "x\ty"]), "35OO"),
    ("x.vtt", vtt([VTT_OK[0], "00:00:03.500 --> 00:0x:06.000", "00:00:06.500 -> 00:00:09.000", VTT_OK[3],
                   "00:00:12.500 --> 00:00:1x.000"]), "0x:06"),
])
def test_a_file_with_more_broken_timings_than_readable_ones_is_refused(name: str, data: str, first: str) -> None:
    line = line_of(data, first)
    with pytest.raises(InputError, match=rf"{re.escape(name)}:{line}: ") as err:
        parse_transcript(data.encode(), name)
    assert err.value.line == line


def test_times_alone_on_their_lines_are_a_text_files_stamps_not_broken_subviewer_timings() -> None:
    data = "0:00:05\nGood morning and thank you for coming.\n0:01:05\nWe trained forty workers in May.\n"
    pt = parse_transcript(data.encode(), "notes.txt")
    assert pt.format == "text" and "0:0" not in pt.text


# The same interview in every caption format, with a cue that ends before it starts (the 2nd) and a cue that starts
# before the cue before it (the 4th): each notice names the line of the file where that cue's timing is.
def _reversed_and_back(fmt: str) -> str:
    if fmt == "sbv":
        return "\n" + sbv([SBV_OK[0], "0:00:06.000,0:00:03.500", SBV_OK[2], "0:00:02.000,0:00:04.000", SBV_OK[4]])
    if fmt == "tsv":  # blank lines between the first rows too
        return tsv([TSV_OK[0], "6000\t3500", TSV_OK[2], "2000\t4000", TSV_OK[4]]).replace("\n", "\n\n", 2)
    timings = [SRT_OK[0], "00:00:06,000 --> 00:00:03,500", SRT_OK[2], "00:00:02,000 --> 00:00:04,000", SRT_OK[4]]
    return srt(timings) if fmt == "srt" else vtt([t.replace(",", ".") for t in timings])


@pytest.mark.parametrize("fmt", ["sbv", "tsv", "srt", "vtt"])
def test_every_caption_notice_names_the_files_own_line(fmt: str) -> None:
    data = _reversed_and_back(fmt)
    pt = parse_transcript(data.encode(), f"KII-09.{fmt}")
    reversed_line = line_of(data, "6000\t3500" if fmt == "tsv" else ":06")
    back_line = line_of(data, "2000\t4000" if fmt == "tsv" else ":02")
    assert any(w.startswith(f"1 cue(s) end before they start (the first at line {reversed_line}:")
               for w in pt.warnings), pt.warnings
    assert any(w.startswith(f"1 cue(s) start before the cue before them (the first at line {back_line})")
               for w in pt.warnings), pt.warnings


def test_captions_saved_as_text_name_their_own_lines() -> None:
    data = ("00:00:01 Good morning and thank you for coming.\n\n"
            "00:00:05 We trained forty workers in May.\n\n00:00:03 The union asked for it first.\n\n"
            "00:00:09 Then the factories joined in June.\n")
    pt = parse_transcript(data.encode(), "forum.txt")
    assert any(w.startswith(f"1 cue(s) start before the cue before them (the first at line"
                            f" {line_of(data, '00:00:03')})") for w in pt.warnings), pt.warnings


def test_a_tsv_with_times_in_seconds_is_read_in_seconds_and_says_so() -> None:
    """The same "start<TAB>end<TAB>text" header with "0.000<TAB>1.200" rows (FunASR and other tools): "3.000" was
    read as 3 ms, or the rows refused as broken."""
    data = "start\tend\ttext\n" + "".join(f"{3 * k}.000\t{3 * k + 2}.500\t{words}\n" for k, words in enumerate(SPEECH))
    pt = parse_transcript(data.encode(), "forum.tsv")
    assert [u.t_start for u in pt.units][:2] == [0.0, 3.0] and pt.turns[-1].t_end == 14.5
    assert pt.detected.startswith("tab-separated captions (start, end, text)")
    assert "read as seconds" in pt.warnings[0]
    whisper = parse_transcript(tsv(TSV_OK).encode(), "forum.tsv")
    assert whisper.detected.startswith("Whisper .tsv output") and whisper.turns[-1].t_end == 15.0


def test_a_caption_with_a_colon_in_its_sentence_is_not_reported_as_name_labels() -> None:
    """YouTube captions of a talk: "Maybe more precisely: Is AI capable of ..." made the report say the captions
    had 'Name:' labels, with no speaker found."""
    lines = [*SPEECH[:3], "Maybe more precisely: Is AI capable of helping us create something new and original",
             SPEECH[4]]
    data = "".join(f"{t}\n{words}\n\n" for t, words in zip(SBV_OK, lines, strict=True))
    pt = parse_transcript(data.encode(), "talk.sbv")
    assert pt.speakers == [] and pt.detected == "SubViewer (.sbv, YouTube): captions without speaker labels"


def test_sound_descriptions_in_captions_are_neither_speakers_nor_words() -> None:
    """Captions made by hand (YouTube, Amara) and Whisper's describe sounds: "[MUSIC PLAYING]" alone in a cue was
    read as a speaker's label and "(APPLAUSE)" in the next cue as that speaker's words; before a label it hid it."""
    data = ("WEBVTT\n\n00:00:00.976 --> 00:00:03.904 align:center line:90%\n[MUSIC PLAYING]\n\n"
            "00:00:04.000 --> 00:00:05.000\n(APPLAUSE)\n\n00:00:05.000 --> 00:00:06.000\n[BLANK_AUDIO]\n\n"
            "00:00:06.000 --> 00:00:09.000\n[MUSIC PLAYING] MARK: Hi, and welcome to the forum on the training.\n\n"
            "00:00:09.000 --> 00:00:12.000\nLAN: Thank you, Mark. (laughs) We trained forty workers.\n\n"
            "00:00:12.000 --> 00:00:14.000\nMARK: (indistinct)\n")
    pt = parse_transcript(data.encode(), "forum.vtt")
    assert [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns] == [
        ("MARK", "Hi, and welcome to the forum on the training."),
        ("LAN", "Thank you, Mark. (laughs) We trained forty workers.")]
    assert any(w.startswith("4 caption(s) holding only a sound") for w in pt.warnings)
    assert any(w.startswith("1 description(s) of a sound at the start of a caption") for w in pt.warnings)


@pytest.mark.parametrize(("asker", "answerer"), [
    ("Clara Jensen", "Isabella Campbell"), ("Clara Jensen", "Tom McLaughlin"), ("Interviewer", "Coughlan"),
    ("Interviewer", "Ministry of Foreign Affairs"), ("LI MING", "WANG PING"), ("Interviewer", "Annabelle Nguyen"),
    ("JOHN FLEMING", "MAI TRAN")])
def test_a_bracketed_name_holding_a_sound_word_is_a_speaker_not_a_sound(asker: str, answerer: str) -> None:
    """A name holding "bell", "laugh", "cough", "foreign" (Isabella, McLaughlin, Coughlan, a ministry), or an
    upper-case name ending in "ING", was taken for a sound: its label was dropped and every answer became the
    interviewer's."""
    lines = [f"[{asker}] How long have you worked at the ministry?",
             f"[{answerer}] Since 2015, in the labour inspection department.",
             f"[{asker}] What changed with the project?",
             f"[{answerer}] The inspectors were trained on grievance handling.", f"[{asker}] Thank you."]
    data = "".join(f"{k}\n00:00:{2 * k:02d},000 --> 00:00:{2 * k + 1:02d},000\n{line}\n\n"
                   for k, line in enumerate(lines, start=1))
    pt = parse_transcript(data.encode(), "KII-37.srt")
    assert [t.speaker for t in pt.turns] == [asker, answerer] * 2 + [asker]
    assert not any("sound" in w for w in pt.warnings)
    assert sorted(pt.speakers) == sorted({asker, answerer})


def test_a_sound_described_at_a_captions_start_is_still_left_out_beside_bracketed_names() -> None:
    data = ("1\n00:00:01,000 --> 00:00:03,000\n[PHONE RINGING] [Clara Jensen] How did it start?\n\n"
            "2\n00:00:03,000 --> 00:00:05,000\n[Mai Tran] With a survey.\n\n"
            "3\n00:00:05,000 --> 00:00:07,000\n[Clara Jensen] And then?\n\n"
            "4\n00:00:07,000 --> 00:00:09,000\n[Mai Tran] (laughs) Then the training.\n\n")
    pt = parse_transcript(data.encode(), "KII-40.srt")
    assert [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns] == [
        ("Clara Jensen", "How did it start?"), ("Mai Tran", "With a survey."), ("Clara Jensen", "And then?"),
        ("Mai Tran", "(laughs) Then the training.")]
    assert any(w.startswith("1 description(s) of a sound at the start") for w in pt.warnings)


@pytest.mark.parametrize("console", [
    ["Detecting language using up to the first 30 seconds. Use `--language` to specify the language",
     "Detected language: English"],
    ["Detected language: English"]])
def test_whispers_console_lines_above_its_captions_saved_as_text_are_no_speech(console: list[str]) -> None:
    """openai-whisper prints the language it detects above its captions; saved from the console as text, those
    lines were units of speech ('Use `--language` to specify the language Detected language: English How long ...')
    and the file was not read as captions."""
    captions = ["[00:00.000 --> 00:04.000]  How long have you worked in the factory?",
                "[00:04.000 --> 00:09.500]  About six years, since the project started here.",
                "[00:09.500 --> 00:12.000]  And what changed with the training?",
                "[00:12.000 --> 00:16.000]  The supervisors shout less now."]
    pt = parse_transcript("\n".join(console + captions).encode(), "KII-41.txt")
    assert [(pt.text[u.start:u.end], u.t_start) for u in pt.units] == [
        ("How long have you worked in the factory?", 0.0), ("About six years, since the project started here.", 4.0),
        ("And what changed with the training?", 9.5), ("The supervisors shout less now.", 12.0)]
    assert not any(w in pt.text for w in ("Detect", "language", "English"))
    assert any(w.startswith(f"{len(console)} line(s) the transcription tool printed above the captions")
               and "English" in w for w in pt.warnings)
    assert pt.metadata.get("language") == "English"


def test_youtubes_transcript_copied_as_text_keeps_its_times() -> None:
    """YouTube's transcript panel, copied into a text file: each time alone on the line above its caption. The
    times were left out as lines that are only a timestamp, and no unit had a time."""
    data = ("0:00\ngood morning everybody and welcome back\n0:04\nto the second part of the series on the training\n"
            "0:09\nof the workers in the factories. Today we look\n1:02:13\nat what they learned.\n")
    pt = parse_transcript(data.encode(), "talk.txt")
    assert [(pt.text[u.start:u.end], u.t_start) for u in pt.units] == [
        ("good morning everybody and welcome back to the second part of the series on the training of the workers"
         " in the factories.", 0.0), ("Today we look at what they learned.", 9.0)]
    assert pt.turns[-1].t_end is not None and pt.turns[-1].t_end > 3733
    assert not any(re.search(r"\d:\d\d", pt.text[u.start:u.end]) for u in pt.units)


def test_a_word_document_of_captions_names_a_cue_by_its_time_not_a_line_it_does_not_have() -> None:
    """Older Teams Word exports ("0:0:5.100 --> 0:0:8.250", the name, the text) are read as captions; their notices
    quoted line numbers of the text joined for reading, which no line of the document has."""
    import io

    import docx

    document = docx.Document()
    for timing, who, words in [("0:0:1.000 --> 0:0:4.000", "Clara Jensen", "Good morning and thank you."),
                               ("0:0:6.000 --> 0:0:5.000", "Le Van Duc", "We trained forty workers."),
                               ("0:0:2.000 --> 0:0:3.000", "Clara Jensen", "How many stayed on after it?"),
                               ("0:0:9.000 --> 0:0:1x.000", "Le Van Duc", "Most of them did, in the end."),
                               ("0:0:12.000 --> 0:0:14.000", "Clara Jensen", "Thank you for your time today.")]:
        for line in (timing, who, words):
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    pt = parse_transcript(out.getvalue(), "KII-40.docx")
    assert any(w.startswith("1 cue(s) start before the cue before them (the first starting at 0:00:02.000)")
               for w in pt.warnings), pt.warnings
    assert any(w.startswith("1 cue(s) end before they start (the first '0:0:6.000 --> 0:0:5.000')")
               for w in pt.warnings), pt.warnings
    assert any(w.startswith("1 timing line(s) could not be read and were left out ('0:0:9.000 --> 0:0:1x.000')")
               for w in pt.warnings), pt.warnings
    assert not any("line " in w and "cue" in w for w in pt.warnings)


def test_a_teams_cue_without_its_timing_line_loses_its_identifier_not_its_words() -> None:
    """Teams writes an identifier above each timing ("5d0c...-7a1f/12-0"): a cue whose timing line is missing had
    its identifier read as the first words of the caption before."""
    ids = ["5d0c8a51-6a0b-4e8e-9a0e-2f1c7a9b3d21/12-0", "5d0c8a51-6a0b-4e8e-9a0e-2f1c7a9b3d21/13-0",
           "5d0c8a51-6a0b-4e8e-9a0e-2f1c7a9b3d21/14-0", "5d0c8a51-6a0b-4e8e-9a0e-2f1c7a9b3d21/14-1",
           "5d0c8a51-6a0b-4e8e-9a0e-2f1c7a9b3d21/15-0"]
    timings = [*VTT_OK[:3], "", VTT_OK[4]]
    data = "WEBVTT\n\n" + "".join(f"{i}\n{t}\n<v Clara Jensen>{w}</v>\n\n" if t else f"{i}\n<v Le Van Duc>{w}</v>\n\n"
                                  for i, t, w in zip(ids, timings, SPEECH, strict=True))
    pt = parse_transcript(data.encode(), "teams.vtt")
    assert "5d0c8a51" not in pt.text and pt.text.split() == " ".join(SPEECH).split()
    assert [t.speaker for t in pt.turns] == ["Clara Jensen", "Le Van Duc", "Clara Jensen"]
    line = line_of(data, ids[3], whole=True)
    assert any(w.startswith(f"1 cue number(s) or identifier(s) stand without a timing line under them (line {line}:"
                            f" '{ids[3]}')") for w in pt.warnings), pt.warnings


def test_a_text_starting_with_two_clock_times_is_not_a_broken_subviewer_file() -> None:
    data = "10:30:00,11:00:00\nMeeting with the union about the training of forty workers in May.\n"
    pt = parse_transcript(data.encode(), "notes.txt")
    assert pt.format == "text" and "forty workers" in pt.text
