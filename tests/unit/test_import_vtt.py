"""WebVTT transcripts from Teams (voice tags) and Zoom ("Name: text")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from transcript_support import assert_units_slice

from qualcode.errors import InputError
from qualcode.importers import parse_transcript, read_transcript
from qualcode.model import ParsedTranscript

FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"
MARKUP = re.compile(r"-->|<v|</v>|WEBVTT|NOTE|STYLE|&amp;|\d{2}:\d{2}[.:]\d|3f2a1b9c")


@pytest.fixture
def teams() -> ParsedTranscript:
    return read_transcript(FIXTURES / "teams.vtt")


def test_teams_voice_tags_give_speakers_and_consecutive_cues_merge(teams: ParsedTranscript) -> None:
    assert teams.format == "vtt"
    assert [t.speaker for t in teams.turns] == ["Clara Jensen", "Le Van Duc", "Clara Jensen"]
    first = teams.text[teams.turns[0].start : teams.turns[0].end]
    assert first == (
        "Good morning, Mr. Duc, and thank you for joining. "
        "Could you describe the bureau's role in the advisory programme?"
    )
    assert_units_slice(teams)


def test_teams_turns_and_units_keep_cue_times(teams: ParsedTranscript) -> None:
    assert [(t.t_start, t.t_end) for t in teams.turns] == [(1.0, 7.25), (7.9, 18.4), (62.0, 64.0)]
    by_text = {teams.text[u.start : u.end]: (u.t_start, u.t_end) for u in teams.units}
    assert by_text["Without funding, I doubt the chamber can keep the quarterly meetings going."] == (13.0, 18.4)
    assert by_text["We visited 30 factories & gave each one a roadmap."] == (7.9, 13.0)


def test_no_cue_ids_timestamps_tags_or_notes_leak(teams: ParsedTranscript) -> None:
    assert not MARKUP.search(teams.text)
    assert "generated automatically" not in teams.text and "yellow" not in teams.text


def test_zoom_name_prefixes_give_speakers() -> None:
    parsed = read_transcript(FIXTURES / "zoom.vtt")
    assert [t.speaker for t in parsed.turns] == ["Tran Bao Long", "Do Thi Mai", "Tran Bao Long", "Do Thi Mai"]
    mai = parsed.text[parsed.turns[1].start : parsed.turns[1].end]
    assert mai == (
        "The reason was simple: we wanted the sectoral agreement to cover migrant workers too. "
        "Chúng tôi đã tham gia cả bảy cuộc họp tham vấn ngành."
    )
    assert parsed.text.startswith("Chị có thể nói về vai trò của Tổng Liên đoàn trong dự án không?")
    assert "Do Thi Mai:" not in parsed.text and not MARKUP.search(parsed.text)
    assert (parsed.turns[1].t_start, parsed.turns[1].t_end) == (6.5, 15.8)
    assert_units_slice(parsed)


def test_vtt_saved_as_txt_is_detected_by_content() -> None:
    data = (FIXTURES / "teams.vtt").read_bytes()
    parsed = parse_transcript(data, "KII-04 transcript.txt")
    assert parsed.format == "vtt"
    assert parsed.speakers == ["Clara Jensen", "Le Van Duc"]


def test_voice_tag_without_closing_tag_and_with_class() -> None:
    data = (
        b"WEBVTT\n\n00:01.000 --> 00:03.000\n<v.loud Nguyen Van Hai>We signed in 2023.\n\n"
        b"00:03.000 --> 00:05.000\n<v Cao Thi Hanh><i>Migrant</i> workers joined later.\n"
    )
    parsed = parse_transcript(data, "fgd.vtt")
    assert [(t.speaker, t.t_start) for t in parsed.turns] == [("Nguyen Van Hai", 1.0), ("Cao Thi Hanh", 3.0)]
    assert parsed.text == "We signed in 2023.\n\nMigrant workers joined later."


@pytest.mark.parametrize(
    ("timing", "line"),
    [
        ("00:00:07.900 --> 00:00:1x.000", 8),
        ("00:00:07.900 -> 00:00:13.000", 8),
        ("00:00:07.900 --> 00:00:75.000", 8),
    ],
)
def test_broken_timestamp_names_the_file_and_line(timing: str, line: int) -> None:
    data = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nClara Jensen: Hello.\n\n2\n" + timing + "\nLe Van Duc: Hello.\n"
    ).encode()
    with pytest.raises(InputError, match=rf"KII-04\.vtt:{line}: .*broken cue timing") as err:
        parse_transcript(data, "KII-04.vtt")
    assert err.value.line == line


def test_vtt_without_cues_has_no_speech() -> None:
    with pytest.raises(InputError, match=r"empty\.vtt.*no speech"):
        parse_transcript(b"WEBVTT\n\nNOTE nothing was said\n", "empty.vtt")


def test_zoom_participant_who_speaks_once_under_a_single_name() -> None:
    data = (
        b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nTran Bao Long: Does anyone else want to add something?\n\n"
        b"2\n00:00:03.500 --> 00:00:06.000\nThao: Only that the migrant workers were not invited.\n\n"
        b"3\n00:00:06.500 --> 00:00:08.000\nTran Bao Long: Thank you, that is important.\n"
    )
    parsed = parse_transcript(data, "FGD-02.vtt")
    assert [t.speaker for t in parsed.turns] == ["Tran Bao Long", "Thao", "Tran Bao Long"]


# noScribe (a transcription tool made for qualitative research) writes its WebVTT so: "<v S01>" voices, an overlapping
# voice's cue as "<v //S02>", overlapping speech inside a cue as "//S00: words //", and now and then a cue whose end
# is before its start. The shape of its real test interview, in invented words.
NOSCRIBE_VTT = """WEBVTT
NOTE
Transcribed with noScribe vers. 0.7

1
00:00:12.140 --> 00:00:22.800
<v S01>Good morning, thank you for taking the time. //S00: Gladly. // Could you tell me how the project began?

2
00:00:23.000 --> 00:00:21.168
<v S00>It began in May, when the union asked us for help.

3
00:00:24.000 --> 00:00:30.000
<v //S02>So it was the union first... //S00: Yes, exactly. //S02: I see.//

4
00:00:31.000 --> 00:00:35.000
<v S01>And what happened then?
"""


def test_noscribe_vtt_with_one_reversed_cue_is_read_and_the_cue_named() -> None:
    """One cue of 56 in noScribe's real export ends 2 s before it starts: once the whole interview was refused."""
    pt = parse_transcript(NOSCRIBE_VTT.encode(), "noscribe.vtt")
    turn = next(t for t in pt.turns if pt.text[t.start:t.end].startswith("It began in May"))
    assert (turn.speaker, turn.t_start, turn.t_end) == ("S00", 23.0, 23.0)
    assert any(w.startswith("1 cue(s) end before they start (the first at line 10:"
                            " '00:00:23.000 --> 00:00:21.168')") for w in pt.warnings)


def test_noscribe_overlapping_speech_is_a_turn_of_the_one_who_speaks_it() -> None:
    """"//S00: Gladly. //" inside the interviewer's cue is the informant's; "<v //S02>" is S02, not a fourth
    speaker '//S02'."""
    pt = parse_transcript(NOSCRIBE_VTT.encode(), "noscribe.vtt")
    assert pt.speakers == ["S01", "S00", "S02"]
    assert [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns] == [
        ("S01", "Good morning, thank you for taking the time."),
        ("S00", "Gladly."),
        ("S01", "Could you tell me how the project began?"),
        ("S00", "It began in May, when the union asked us for help."),
        ("S02", "So it was the union first..."),
        ("S00", "Yes, exactly."),
        ("S02", "I see."),
        ("S01", "And what happened then?"),
    ]
    assert not any("//" in pt.text[u.start:u.end] for u in pt.units)
    assert any(w.startswith("2 overlapping utterance(s) written inside another speaker's turn ('//S00: ... //'")
               for w in pt.warnings)
    assert "noScribe" in pt.detected


def test_a_reversed_cue_still_names_its_line_when_the_timing_is_broken_too() -> None:
    data = b"WEBVTT\n\n1\n00:00:05.000 --> 00:00:04.000\nHi.\n\n2\n00:00:06.000 --> 00:00:0x.000\nYes.\n"
    with pytest.raises(InputError, match=r"x\.vtt:8: broken cue timing"):
        parse_transcript(data, "x.vtt")


def test_youtube_subviewer_captions_are_read_with_their_times() -> None:
    """YouTube Studio's .sbv download: "0:00:00.000,0:00:02.000" above each caption. Once every unit began with
    the timing and had no time; a sentence over two captions is one unit, as in WebVTT captions."""
    data = (b"0:00:00.000,0:00:02.000\nhello and welcome to the\n\n0:00:02.000,0:00:04.000\n"
            b"show, I am glad you came.\xc2\xa0 \n\n0:00:04.500,0:00:06.000\nToday we talk about the training of"
            b" forty workers.\n")
    for name in ("captions.sbv", "captions.txt"):
        pt = parse_transcript(data, name)
        assert pt.format == "sbv" and pt.detected.startswith("SubViewer (.sbv, YouTube)")
        assert [(pt.text[u.start:u.end], u.t_start) for u in pt.units] == [
            ("hello and welcome to the show, I am glad you came.", 0.0),
            ("Today we talk about the training of forty workers.", 4.5)]
        assert pt.speakers == []  # captions without labels: the import says so (its report, not the reading)


def test_double_slashes_in_a_voice_tag_cue_that_name_no_speaker_stay_text() -> None:
    data = b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\n<v Ana Silva>It is on the share // under reports.</v>\n"
    pt = parse_transcript(data, "x.vtt")
    assert pt.text == "It is on the share // under reports."
    assert not any("overlapping" in w for w in pt.warnings)


def test_one_speakers_short_cue_is_kept_beside_anothers_at_the_same_start() -> None:
    """Clara's "Yes" was left out as an earlier, shorter version of Hai's cue at the same start."""
    data = (b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Clara Jensen>Good morning, can you hear me?</v>\n\n"
            b"00:00:05.000 --> 00:00:06.000\n<v Clara Jensen>Yes</v>\n\n"
            b"00:00:05.000 --> 00:00:09.000\n<v Nguyen Van Hai>Yes, so the budget came late again this year.</v>\n\n"
            b"00:00:10.000 --> 00:00:12.000\n<v Clara Jensen>Why?</v>\n")
    pt = parse_transcript(data, "teams.vtt")
    assert "can you hear me? Yes" in pt.text
    assert not any("shorter version" in w for w in pt.warnings)
