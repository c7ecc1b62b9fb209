"""Transcription-service exports (Otter style): "Speaker  0:03" headers above each block."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.importers import parse_transcript, read_transcript
from qualcode.model import ParsedTranscript

FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"


@pytest.fixture
def otter() -> ParsedTranscript:
    return read_transcript(FIXTURES / "otter_export.txt")


def test_headers_give_speakers_and_same_speaker_blocks_merge(otter: ParsedTranscript) -> None:
    assert otter.format == "service"
    assert [t.speaker for t in otter.turns] == ["Interviewer", "Phan Thi Ngoc", "Interviewer"]
    ngoc = otter.text[otter.turns[1].start : otter.turns[1].end]
    assert ngoc.split("\n") == [
        "I am a programme officer. We work with the same factories on compliance assessments, "
        "so we saw the advisory programme from outside.",
        "Sometimes the two programmes visited the same factory in the same month.",
    ]


def test_header_times_become_turn_times_including_hours(otter: ParsedTranscript) -> None:
    assert otter.turns[0].t_start == 3.0 and otter.turns[0].t_end == 11.0
    assert otter.turns[1].t_start == 11.0 and otter.turns[1].t_end == 3723.0
    assert otter.turns[2].t_start == 3723.0
    assert otter.turns[2].t_end is not None and otter.turns[2].t_end > 3723.0
    second_block = [u for u in otter.units if otter.text[u.start : u.end].startswith("Sometimes")]
    assert [(u.t_start, u.t_end) for u in second_block] == [(40.0, 3723.0)]


def test_title_and_keywords_are_metadata_and_the_trailer_is_dropped(otter: ParsedTranscript) -> None:
    assert otter.metadata["title"] == "KII-93 Better Work Viet Nam"
    assert "SUMMARY KEYWORDS" in otter.metadata["preamble"]
    for noise in ("KII-93", "SUMMARY", "otter.ai", "Transcribed by", "0:03", "1:02:03", "Interviewer"):
        assert noise not in otter.text


def test_plain_text_mentioning_times_is_not_a_service_export() -> None:
    data = b"Interviewer: When did the meeting start?\n\nMs. Yen: We met at\n10:30\nand it ended at noon.\n"
    parsed = parse_transcript(data, "kii.txt")
    assert parsed.format == "text"
    assert parsed.speakers == ["Interviewer", "Ms. Yen"]


def test_a_blank_line_after_every_line_still_reads_each_header() -> None:
    # an export copied through a tool that doubles the line breaks: each header has a blank line below it
    data = (
        b"Clara Jensen  00:03\n\nHow did the factory use the toolkit?\n\n"
        b"Nguyen Thi Hoa  00:09\n\nWe tried it for one month.\n\nThen the line leaders stopped.\n\n"
        b"Clara Jensen  00:31\n\nWhy did they stop?\n\n"
        b"Nguyen Thi Hoa  00:35\n\nIt was too long.\n"
    )
    pt = parse_transcript(data, "double.txt")
    assert pt.format == "service"
    assert [(t.speaker, t.t_start) for t in pt.turns] == [
        ("Clara Jensen", 3.0), ("Nguyen Thi Hoa", 9.0), ("Clara Jensen", 31.0), ("Nguyen Thi Hoa", 35.0)]
    assert "00:" not in pt.text


AGENDA = ("Opening 09:00 - 09:30\n"
          "The director welcomed the participants and presented the objectives of the review.\n\n"
          "Group work 09:30 - 11:00\n"
          "The groups discussed the registers and the late budget. Two groups asked for more training.\n\n"
          "Plenary 11:00 - 12:00\n"
          "Each group presented its findings; the district office promised to follow up.\n\n"
          "Closing 12:00 - 12:15\n"
          "The facilitator thanked everyone.\n")


def test_an_agenda_with_clock_time_ranges_stays_notes() -> None:
    """Session notes headed "Opening 09:00 - 09:30" were read as a service export: the sessions became speakers
    and the paraphrase verbatim quotes, at clock times taken as the recording's."""
    pt = parse_transcript(AGENDA.encode(), "workshop.txt")
    assert pt.format != "service"
    assert pt.record == "notes"
    assert not {t.speaker for t in pt.turns} & {"Opening", "Group work", "Plenary", "Closing"}
    assert "Opening 09:00 - 09:30" in pt.text
