"""Layouts found in public transcripts: speaker labels and times inside Markdown emphasis, names alone on a line in
italics, a time at the end of each turn, a key line naming the interviewer's label, PDF page headers."""

from __future__ import annotations

import pytest

from qualcode.importers import parse_transcript
from qualcode.model import ParsedTranscript


def units(pt: ParsedTranscript) -> list[tuple[str | None, float | None, str]]:
    return [(u.speaker, u.t_start, pt.text[u.start:u.end]) for u in pt.units]


# WhisperX's diarised Markdown writes the time first, inside the bold label
WHISPERX_MD = """**[00:05] Interviewer:** How did the project start?

**[00:09] Maria Lopez:** It started in May, when the union asked us.

**[00:20] Interviewer:** And then?

**[00:22] Maria Lopez:** Then we trained forty workers in the first year.
"""


@pytest.mark.parametrize("name", ["boldtime.md", "boldtime.txt"])
def test_a_time_before_the_label_inside_bold_is_the_turns_time_and_the_label_its_speaker(name: str) -> None:
    pt = parse_transcript(WHISPERX_MD.encode(), name)
    assert pt.record == "verbatim"
    assert units(pt) == [
        ("Interviewer", 5.0, "How did the project start?"),
        ("Maria Lopez", 9.0, "It started in May, when the union asked us."),
        ("Interviewer", 20.0, "And then?"),
        ("Maria Lopez", 22.0, "Then we trained forty workers in the first year."),
    ]
    assert not any("timestamp(s) inside the speech" in w for w in pt.warnings)


@pytest.mark.parametrize("label", ["**{}:**", "**{}**:", "__{}__:", "__{}:__", "*{}*:", "*{}:*", "_{}_:",
                                   "**[00:05] {}:**", "*[00:05] {}:*"])
def test_a_label_in_markdown_emphasis_is_read_as_the_label(label: str) -> None:
    text = "\n\n".join(f"{label.format(who)} {said}" for who, said in [
        ("Interviewer", "How did the project start?"), ("Maria Lopez", "It started in May, when the union asked us."),
        ("Interviewer", "And then?"), ("Maria Lopez", "Then we trained forty workers.")])
    pt = parse_transcript(text.encode(), "kii.md")
    assert pt.speakers == ["Interviewer", "Maria Lopez"]
    assert [t for _, _, t in units(pt)][:2] == ["How did the project start?",
                                               "It started in May, when the union asked us."]


def test_times_a_tool_marks_inside_unlabelled_speech_make_it_a_transcript_not_notes() -> None:
    text = ("We talked about the union [00:01:00] and the training, [00:02:00] and the plans for the next year"
            " [00:03:00] and then it ended.\n\nThen another paragraph.\n")
    pt = parse_transcript(text.encode(), "descript.txt")
    assert pt.record == "verbatim"
    assert pt.speakers == []
    assert not any("read as interview notes" in w for w in pt.warnings)


ITALIC_NAMES = """*Interviewer*

How did the project start in your province?

*Maria Lopez*

It started in May, when the union asked us.

*Interviewer*

And what happened then?

*Maria Lopez*

We trained forty workers in the first year.
"""


@pytest.mark.parametrize("name", ["italic.md", "italic.txt"])
def test_names_in_italics_alone_above_each_turn_are_the_speakers_not_notes(name: str) -> None:
    pt = parse_transcript(ITALIC_NAMES.encode(), name)
    assert pt.record == "verbatim"
    assert [(s, t) for s, _, t in units(pt)] == [
        ("Interviewer", "How did the project start in your province?"),
        ("Maria Lopez", "It started in May, when the union asked us."),
        ("Interviewer", "And what happened then?"),
        ("Maria Lopez", "We trained forty workers in the first year."),
    ]


def test_a_line_in_italics_that_heads_no_turns_stays_text() -> None:
    text = ("Interviewer: How was it?\n\n*Audio Cuts Out*\n\nMaria Lopez: It was fine, we managed.\n\n"
            "Interviewer: And then?\n\nMaria Lopez: Then it ended.\n")
    pt = parse_transcript(text.encode(), "kii.md")
    assert pt.speakers == ["Interviewer", "Maria Lopez"]
    assert ("Interviewer", None, "Audio Cuts Out") in units(pt)
