"""SubRip (.srt) transcripts: "Name:" on the first cue of a turn, continuation cues without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InputError
from qualcode.importers import parse_transcript, read_transcript
from qualcode.model import ParsedTranscript

FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"


@pytest.fixture
def srt() -> ParsedTranscript:
    return read_transcript(FIXTURES / "interview.srt")


def test_continuation_cues_keep_the_previous_speaker(srt: ParsedTranscript) -> None:
    assert srt.format == "srt"
    assert [t.speaker for t in srt.turns] == ["Interviewer", "Hoang Van Tuan", "Interviewer", "Hoang Van Tuan"]
    tuan = srt.text[srt.turns[1].start : srt.turns[1].end]
    # multi-line cues and consecutive cues join with single spaces; <i> tags are gone
    assert tuan == (
        "Seven factories signed it in 2023. It was the first one in the province. "
        "The ILO helped us prepare the bargaining sessions."
    )


def test_comma_milliseconds_become_seconds(srt: ParsedTranscript) -> None:
    assert [(t.t_start, t.t_end) for t in srt.turns] == [(1.0, 4.0), (4.5, 11.5), (12.0, 14.0), (14.5, 20.25)]
    last = srt.units[-1]
    assert (last.t_start, last.t_end) == (14.5, 20.25)


def test_units_know_the_cues_they_overlap(srt: ParsedTranscript) -> None:
    spans = {srt.text[u.start : u.end]: (u.t_start, u.t_end) for u in srt.units}
    assert spans["The ILO helped us prepare the bargaining sessions."] == (8.0, 11.5)
    assert spans["Seven factories signed it in 2023."] == (4.5, 8.0)


def test_text_is_clean_and_keeps_vietnamese_and_quotes(srt: ParsedTranscript) -> None:
    assert srt.text.startswith("Anh có thể kể về thỏa ước tập thể đa doanh nghiệp không?\n\n")
    assert "“we already pay above the minimum wage”" in srt.text
    for markup in ("-->", "<i>", "</i>", ",000", "Interviewer:", "Hoang Van Tuan:"):
        assert markup not in srt.text
    assert not any(line.strip().isdigit() for line in srt.text.split("\n"))


def test_colon_sentence_in_a_continuation_cue_is_not_a_speaker(srt: ParsedTranscript) -> None:
    assert "Some directors said" not in srt.speakers
    assert "Some directors said: “we already pay" in srt.text


def test_srt_with_a_wrong_extension_is_detected_by_content() -> None:
    parsed = parse_transcript((FIXTURES / "interview.srt").read_bytes(), "KII-06.vtt")
    assert parsed.format == "srt"
    assert parsed.speakers == ["Interviewer", "Hoang Van Tuan"]


def test_broken_srt_timestamp_names_file_and_line() -> None:
    data = b"1\n00:00:01,000 --> 00:00:04,000\nInterviewer: Hello.\n\n2\n00:00:04,500 --> 00:0O:08,000\nMr. Tuan: Hi.\n"
    with pytest.raises(InputError, match=r"KII-06\.srt:6: broken cue timing") as err:
        parse_transcript(data, "KII-06.srt")
    assert err.value.line == 6


def test_cues_a_live_transcriber_sent_again_are_read_once_and_counted() -> None:
    """WhisperLive re-sends its last segments with every update: each sentence once became up to ten units."""
    data = (b"1\n00:00:00,000 --> 00:00:02,000\nHello there.\n\n2\n00:00:02,000 --> 00:00:03,000\nYes.\n\n"
            b"3\n00:00:00,000 --> 00:00:02,000\nHello there.\n\n4\n00:00:02,000 --> 00:00:03,000\nYes.\n\n"
            b"5\n00:00:03,000 --> 00:00:04,000\nWe trained\n\n6\n00:00:03,000 --> 00:00:05,000\n"
            b"We trained forty workers.\n")
    pt = parse_transcript(data, "live.srt")
    assert pt.text == "Hello there. Yes. We trained forty workers."
    assert (pt.turns[0].t_start, pt.turns[0].t_end) == (0.0, 5.0)
    assert any(w.startswith("2 cue(s) repeated an earlier cue (the same times and words) and 1 cue(s) were an"
                            " earlier, shorter version of the next cue (the same start), as live transcription"
                            " re-sends its captions: they were left out, so 3 cue(s) remain") for w in pt.warnings)


def test_the_same_words_at_another_time_are_kept() -> None:
    data = (b"1\n00:00:00,000 --> 00:00:02,000\nYes.\n\n2\n00:00:02,000 --> 00:00:03,000\nSo?\n\n"
            b"3\n00:00:03,000 --> 00:00:04,000\nYes.\n")
    pt = parse_transcript(data, "x.srt")
    assert pt.text == "Yes. So? Yes."
    assert not any("repeated" in w for w in pt.warnings)


def test_cues_that_go_back_in_time_are_said() -> None:
    """A live transcriber that re-sends a segment with other words: kept, in the file's order, but not silently."""
    data = (b"1\n00:00:00,000 --> 00:00:02,000\nHello there.\n\n2\n00:00:02,000 --> 00:00:03,000\nYes.\n\n"
            b"3\n00:00:00,000 --> 00:00:02,000\nHello their.\n\n4\n00:00:03,000 --> 00:00:04,000\nGood.\n")
    pt = parse_transcript(data, "live.srt")
    assert pt.text == "Hello there. Yes. Hello their. Good."
    assert any(w.startswith("1 cue(s) start before the cue before them (the first at line 10)") for w in pt.warnings)


def test_two_cues_at_one_start_in_a_hand_made_subtitle_are_both_kept() -> None:
    data = (b"1\n00:00:01,000 --> 00:00:03,000\nYes.\n\n2\n00:00:01,000 --> 00:00:05,000\n"
            b"Yes. We went to the district office.\n\n3\n00:00:06,000 --> 00:00:09,000\nAnd then to the province.\n")
    pt = parse_transcript(data, "subs.srt")
    assert pt.text.startswith("Yes. Yes. We went")
