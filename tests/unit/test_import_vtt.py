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
        ("00:00:13.000 --> 00:00:07.900", 8),
    ],
)
def test_broken_timestamp_names_the_file_and_line(timing: str, line: int) -> None:
    data = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nClara Jensen: Hello.\n\n2\n" + timing + "\nLe Van Duc: Hello.\n"
    ).encode()
    with pytest.raises(InputError, match=rf"KII-04\.vtt:{line}: .*(broken cue timing|ends before)") as err:
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
