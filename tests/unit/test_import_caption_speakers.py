"""Speakers in the shapes caption files carry them: Google Meet's "(Name)" line above each voice of a cue, broadcast
and live captions' ">> NAME:", subtitles' "- " dialogue dashes, "[Name]" labels, Otter's name line above the text,
voice tags whose ">" is lost. Each speaker is read as a speaker (so listings and exports mask it), never left in the
words, and the import report says what was read."""

from __future__ import annotations

import re
from pathlib import Path

from transcript_support import assert_units_slice, import_text

from qualcode.importers import parse_transcript
from qualcode.model import ParsedTranscript

# The shape of a real Google Meet WebVTT (an interview's captions, quoted in a public converter's notes): the
# speaker's name in parentheses alone on the line above their words, and a cue that holds two voices separating them
# with a line "-" and a line holding one space (no valid WebVTT blank line). Names and words here are made up.
MEET = (
    "WEBVTT\n\n"
    "00:00:08.000 --> 00:00:12.000\n(Clara Jensen)\nI wanted to start with a little background on the cooperative\n\n"
    "00:00:12.000 --> 00:00:16.000\n(Clara Jensen)\nso we know who we are talking to. What is your\n\n"
    "00:00:16.000 --> 00:00:20.000\n(Clara Jensen)\nbackground?\n-\n \n(Nguyen Van Hai)\nFarming or the union\n\n"
    "00:00:20.000 --> 00:00:24.000\n(Clara Jensen)\nLet us start with the union, did you\n-\n \n(Nguyen Van Hai)\n"
    "or farming\n\n"
    "00:00:24.000 --> 00:00:28.000\n(Nguyen Van Hai)\nI joined the union in 2019 when the factory opened.\n"
)


def parse(text: str, name: str) -> ParsedTranscript:
    return parse_transcript(text.encode("utf-8"), name)


def turns(parsed: ParsedTranscript) -> list[tuple[str | None, str, float | None, float | None]]:
    return [(t.speaker, parsed.text[t.start:t.end], t.t_start, t.t_end) for t in parsed.turns]


def test_google_meet_names_in_parentheses_are_speakers_with_a_turn_for_each_voice_of_a_cue() -> None:
    parsed = parse(MEET, "KII-07.vtt")
    assert turns(parsed) == [
        ("Clara Jensen", "I wanted to start with a little background on the cooperative so we know who we are talking"
                         " to. What is your background?", 8.0, 20.0),
        ("Nguyen Van Hai", "Farming or the union", 16.0, 20.0),
        ("Clara Jensen", "Let us start with the union, did you", 20.0, 24.0),
        ("Nguyen Van Hai", "or farming I joined the union in 2019 when the factory opened.", 20.0, 28.0),
    ]
    assert "(" not in parsed.text and "Jensen" not in parsed.text and "Hai" not in parsed.text
    assert not re.search(r"(^|\s)-(\s|$)", parsed.text)
    assert_units_slice(parsed)


def test_google_meet_import_says_what_it_read_and_lists_no_name() -> None:
    parsed = parse(MEET, "KII-07.vtt")
    assert parsed.detected == "WebVTT: Google Meet (each speaker's name in parentheses above their words)"
    assert any("name in parentheses" in w and "2 line(s) holding only '-'" in w for w in parsed.warnings)
    # the line holding a space between two voices is Meet's, not a caption missing its timing line
    assert not any("no timing line" in w for w in parsed.warnings)


def test_google_meet_speakers_are_the_transcripts_speakers_in_the_project(tmp_path: Path) -> None:
    speakers, report = import_text(tmp_path, "KII-07.vtt", MEET)
    assert sorted(s["label"] for s in speakers) == ["Clara Jensen", "Nguyen Van Hai"]
    assert report["transcripts"][0]["units"] >= 4


def test_sounds_in_parentheses_and_a_rare_parenthesis_are_no_speakers() -> None:
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n(APPLAUSE)\nThank you all for coming.\n\n"
            "00:00:03.000 --> 00:00:05.000\n(laughs)\nWe trained forty workers.\n\n"
            "00:00:05.000 --> 00:00:07.000\nThey all came back in June.\n\n"
            "00:00:07.000 --> 00:00:09.000\n(Maria)\nI asked her about it.\n\n"
            "00:00:09.000 --> 00:00:11.000\nShe agreed with the plan.\n")
    parsed = parse(text, "talk.vtt")
    assert parsed.speakers == []
    assert "(Maria) I asked her about it." in parsed.text


def test_broadcast_captions_read_the_name_after_each_speaker_change() -> None:
    text = ("1\n00:00:01,000 --> 00:00:04,000\n>> MAYOR NGUYEN: GOOD EVENING, EVERYONE.\nWE WILL CALL THE MEETING"
            " TO ORDER.\n\n2\n00:00:04,000 --> 00:00:07,000\n>> COUNCILMEMBER TRAN: THANK YOU,\nMADAM MAYOR.\n\n"
            "3\n00:00:07,000 --> 00:00:10,000\n>> MAYOR NGUYEN: ITEM ONE IS THE BUDGET.\n>> COUNCILMEMBER TRAN: I"
            " MOVE TO APPROVE.\n\n4\n00:00:10,000 --> 00:00:13,000\n>> SECOND.\n")
    parsed = parse(text, "council.srt")
    assert [(s, w) for s, w, _, _ in turns(parsed)] == [
        ("MAYOR NGUYEN", "GOOD EVENING, EVERYONE. WE WILL CALL THE MEETING TO ORDER."),
        ("COUNCILMEMBER TRAN", "THANK YOU, MADAM MAYOR."),
        ("MAYOR NGUYEN", "ITEM ONE IS THE BUDGET."),
        ("COUNCILMEMBER TRAN", "I MOVE TO APPROVE."),
        (None, "SECOND."),
    ]
    assert ">>" not in parsed.text and "NGUYEN" not in parsed.text
    assert parsed.detected == ("SubRip (SRT): captions with '>>' speaker changes and names ('>> NAME:', broadcast"
                               " and live captions)")


def test_dialogue_dashes_give_a_turn_to_each_voice_and_the_report_says_dashes() -> None:
    text = ("1\n00:00:01,000 --> 00:00:03,000\n- Where were you last night?\n- At the cooperative meeting.\n\n"
            "2\n00:00:03,500 --> 00:00:06,000\n- Did they agree on the prices?\n-\nNot yet.\n\n"
            "3\n00:00:06,500 --> 00:00:09,000\nWe will meet again on Monday.\n")
    parsed = parse(text, "fgd.srt")
    assert [w for _, w, _, _ in turns(parsed)] == [
        "Where were you last night?", "At the cooperative meeting.", "Did they agree on the prices?",
        "Not yet. We will meet again on Monday."]
    assert not re.search(r"(^|\s)-(\s|$)", parsed.text)
    assert parsed.detected == ("SubRip (SRT): captions with '- ' dialogue dashes marking a change of speaker (the"
                               " captions do not name the speakers)")


def test_bracketed_names_at_the_start_of_captions_are_speakers() -> None:
    text = ("1\n00:00:01,000 --> 00:00:04,000\n[Interviewer] How long have you worked at the cooperative?\n\n"
            "2\n00:00:04,000 --> 00:00:08,000\n[Nguyen Van Hai] About six years.\n\n"
            "3\n00:00:08,000 --> 00:00:11,000\n[Interviewer]\nAnd before that?\n\n"
            "4\n00:00:11,000 --> 00:00:15,000\n[Nguyen Van Hai] I farmed with my father.\n")
    parsed = parse(text, "KII-02.srt")
    assert [s for s, _, _, _ in turns(parsed)] == ["Interviewer", "Nguyen Van Hai", "Interviewer", "Nguyen Van Hai"]
    assert "[" not in parsed.text and "Hai" not in parsed.text
    assert parsed.detected == "SubRip (SRT): '[Name]' labels at the start of captions"


def test_otters_name_line_above_the_text_is_not_called_teams() -> None:
    text = ("1\n00:00:01,000 --> 00:00:04,000\nSpeaker 1\nHow long have you worked at the cooperative?\n\n"
            "2\n00:00:04,000 --> 00:00:08,000\nSpeaker 2\nAbout six years, since the project started.\n\n"
            "3\n00:00:08,000 --> 00:00:11,000\nSpeaker 2\nAnd before that I farmed.\n\n"
            "4\n00:00:11,000 --> 00:00:15,000\nSpeaker 1\nThank you.\n")
    parsed = parse(text, "otter.srt")
    assert [s for s, _, _, _ in turns(parsed)] == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert "Speaker" not in parsed.text
    assert parsed.detected == "SubRip (SRT): names above the text (Otter, older Microsoft Teams exports)"


def test_a_voice_tag_that_lost_its_closing_bracket_is_a_speaker_not_words() -> None:
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Clara Jensen>How long have you worked here?\n\n"
            "00:00:04.000 --> 00:00:08.000\n<v Le Van Duc\nAbout six years.\n\n"
            "00:00:08.000 --> 00:00:10.000\n<v  Le Van Duc >Since the start.</v>\n")
    parsed = parse(text, "KII-03.vtt")
    assert [(s, w) for s, w, _, _ in turns(parsed)] == [
        ("Clara Jensen", "How long have you worked here?"), ("Le Van Duc", "About six years. Since the start.")]
    assert "<v" not in parsed.text and "Duc" not in parsed.text
    assert any("without their closing '>'" in w for w in parsed.warnings)


def zoom_cues(lines: list[str]) -> str:
    return "WEBVTT\n\n" + "".join(f"{k}\n00:00:{2 * k:02d}.000 --> 00:00:{2 * k + 2:02d}.000\n{line}\n\n"
                                  for k, line in enumerate(lines, start=1))


def test_a_zoom_display_name_in_lower_case_is_a_speaker_not_words() -> None:
    parsed = parse(zoom_cues([
        "Clara Jensen (she/her): How long have you worked here?", "Le Van Duc - UNDP: About six years.",
        "Clara Jensen (she/her): And before?", "Le Van Duc - UNDP: Farming.",
        "nguyen.hai: I joined late, sorry.", "Clara Jensen (she/her): No problem.",
        "nguyen.hai: Can you hear me?", "Clara Jensen (she/her): Yes."]), "FGD-02.vtt")
    assert [s for s, _, _, _ in turns(parsed)] == [
        "Clara Jensen", "Le Van Duc - UNDP", "Clara Jensen", "Le Van Duc - UNDP", "nguyen.hai", "Clara Jensen",
        "nguyen.hai", "Clara Jensen"]
    assert "nguyen" not in parsed.text and "Jensen" not in parsed.text


def test_a_word_before_a_colon_in_captions_mostly_without_labels_stays_words() -> None:
    parsed = parse(zoom_cues([
        "Clara Jensen: How long have you worked here?", "About six years, since the project started.",
        "example: we trained forty workers.", "They all came back in June.", "Clara Jensen: And the union?",
        "It helped with the contracts."]), "KII-09.vtt")
    assert "example: we trained forty workers." in parsed.text


def test_dialogue_dashes_without_a_space_or_as_en_dashes_give_a_turn_to_each_voice() -> None:
    text = ("1\n00:00:01,000 --> 00:00:03,000\n-Where were you last night?\n-At the cooperative meeting.\n\n"
            "2\n00:00:03,500 --> 00:00:06,000\n– Did they agree on the prices?\n– Not yet.\n\n"
            "3\n00:00:06,500 --> 00:00:09,000\n-5 degrees at night, and the rice\n— the seedlings — froze.\n")
    parsed = parse(text, "fgd.srt")
    assert [w for _, w, _, _ in turns(parsed)] == [
        "Where were you last night?", "At the cooperative meeting.", "Did they agree on the prices?",
        "Not yet. -5 degrees at night, and the rice — the seedlings — froze."]


def test_google_meet_captions_downloaded_as_subviewer_keep_the_second_voices_time() -> None:
    text = ("0:00:08.000,0:00:12.000\n(Clara Jensen)\nI wanted to start with a little background\n\n"
            "0:00:12.000,0:00:16.000\n(Clara Jensen)\nso what is your\n-\n \n(Nguyen Van Hai)\nFarming or the union\n\n"
            "0:00:16.000,0:00:20.000\n(Nguyen Van Hai)\nI joined the union in 2019.\n")
    parsed = parse(text, "KII-07.sbv")
    assert [(s, t0) for s, _, t0, _ in turns(parsed)] == [("Clara Jensen", 8.0), ("Nguyen Van Hai", 12.0)]
    assert "(" not in parsed.text and not any("no timing line" in w for w in parsed.warnings)


def test_labels_after_dialogue_dashes_and_a_known_speaker_in_parentheses_are_read() -> None:
    text = ("1\n00:00:01,000 --> 00:00:03,000\n- [Tran Van Minh] Where were you last night?\n- [Mary] At the"
            " cooperative meeting.\n\n2\n00:00:03,500 --> 00:00:06,000\n[Tran Van Minh] Did they agree?\n\n"
            "3\n00:00:06,500 --> 00:00:09,000\n>> [Mary] Not yet.\n\n4\n00:00:09,500 --> 00:00:12,000\n"
            "(Tran Van Minh) OK then.\n\n5\n00:00:12,500 --> 00:00:14,000\n(laughs) We will see.\n")
    parsed = parse(text, "FGD-03.srt")
    assert [(s, w) for s, w, _, _ in turns(parsed)] == [
        ("Tran Van Minh", "Where were you last night?"), ("Mary", "At the cooperative meeting."),
        ("Tran Van Minh", "Did they agree?"), ("Mary", "Not yet."), ("Tran Van Minh", "OK then. We will see.")]


def test_voice_tags_written_by_hand_name_their_speaker() -> None:
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Clara Jensen>How long have you worked here?</v>\n\n"
            "00:00:04.000 --> 00:00:08.000\n<v Le Van Duc>About six years.</v>\n\n"
            "00:00:08.000 --> 00:00:10.000\n<v Clara Jensen And before that?\n\n"
            "00:00:10.000 --> 00:00:12.000\n<V Le Van Duc>I farmed.</V>\n\n"
            "00:00:12.000 --> 00:00:14.000\n<v: Clara Jensen>Thank you.</v>\n\n"
            "00:00:14.000 --> 00:00:16.000\n<v Pham Thi Lan Yes, we came too.\n")
    parsed = parse(text, "FGD-05.vtt")
    assert [(s, w) for s, w, _, _ in turns(parsed)] == [
        ("Clara Jensen", "How long have you worked here?"), ("Le Van Duc", "About six years."),
        ("Clara Jensen", "And before that?"), ("Le Van Duc", "I farmed."),
        # a name no other tag gives cannot be told from the words after it: kept as words, and said
        ("Clara Jensen", "Thank you. Pham Thi Lan Yes, we came too.")]
    assert "<" not in parsed.text and parsed.source_name == "FGD-05.vtt"
    assert any("could not be told from the words" in w and "line 19" in w for w in parsed.warnings)
    assert any("1 voice tag(s) without their closing '>'" in w and "read as the speaker" in w
               for w in parsed.warnings)


def test_zoom_display_names_all_in_lower_case_are_speakers() -> None:
    parsed = parse(zoom_cues(["mai tran: How long have you worked here?", "hai: About six years.",
                              "mai tran: And before?", "hai: Farming, with my father.", "mai tran: Thank you."]),
                   "KII-15.vtt")
    assert [s for s, _, _, _ in turns(parsed)] == ["mai tran", "hai", "mai tran", "hai", "mai tran"]
    assert "mai" not in parsed.text and "hai:" not in parsed.text


def test_a_broadcast_captions_sounds_in_lower_case_are_no_words_and_a_name_ending_in_ing_is_a_name() -> None:
    # the shape of a public broadcaster's captions (a caption library's sample): a sound in lower case in parentheses
    text = ("1\n00:00:09,209 --> 00:00:12,312\n( clock ticking )\n\n2\n00:00:14,848 --> 00:00:17,000\nMAN:\n"
            "When we think of the cooperative\n\n3\n00:00:17,000 --> 00:00:18,752\n(door closing)\n\n"
            "4\n00:00:18,752 --> 00:00:20,887\nMAN 2:\nwe think of the union.\n")
    parsed = parse(text, "broadcast.srt")
    assert [(s, w) for s, w, _, _ in turns(parsed)] == [
        ("MAN", "When we think of the cooperative"), ("MAN 2", "we think of the union.")]
    assert any("2 caption(s) holding only a sound" in w for w in parsed.warnings)
    meet = MEET.replace("Nguyen Van Hai", "Fleming")
    assert parse(meet, "KII-08.vtt").speakers == ["Clara Jensen", "Fleming"]
