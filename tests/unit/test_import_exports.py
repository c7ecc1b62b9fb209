"""Transcripts as real tools export them (tests/fixtures/exports/): every speaker, every heading, the metadata and
the timestamps are read, nothing of the layout leaks into the text, and with the case sheet every speaker gets the
right role and case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qualcode.importers import read_transcript
from qualcode.importing import import_files
from qualcode.model import ParsedTranscript
from qualcode.store import Project

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"
FILES = sorted(p for p in EXPORTS.rglob("*") if p.suffix in (".txt", ".md", ".vtt", ".srt", ".sbv", ".docx"))
# What must never be in a unit: timings, cue settings, tags, entities, Markdown markup, caption marks, headers.
LEAK = re.compile(
    r"-->|<v[ .>]|</v>|<c[.>]|</c>|<\d{2}:|WEBVTT|^NOTE\b|^STYLE\b|::cue|align:|position:\d|&gt;|&amp;|>>|\*\*|^#|"
    r"started transcription|stopped transcription|Transcribed by|SUMMARY KEYWORDS|^SPEAKERS$|\[Music\]",
    re.M,
)
TIMESTAMP_ONLY = re.compile(r"\[?\(?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\)?\]?")


def units(parsed: ParsedTranscript) -> list[str]:
    return [parsed.text[u.start : u.end] for u in parsed.units]


def turns(parsed: ParsedTranscript) -> list[tuple[str | None, str]]:
    return [(t.speaker, parsed.text[t.start : t.end]) for t in parsed.turns]


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedTranscript]:
    return {p.name: read_transcript(p) for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_no_layout_leaks_into_any_unit(path: Path, parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed[path.name]
    assert pt.units
    labels = {s.casefold() for s in pt.speakers}
    for text in units(pt):
        assert not LEAK.search(text), (path.name, text)
        assert not TIMESTAMP_ONLY.fullmatch(text), (path.name, text)
        assert text.casefold().strip(":") not in labels, (path.name, text)  # a unit that is only a name
        assert text == text.strip() and "\n" not in text
    for unit in pt.units:
        assert pt.turns[unit.turn].speaker == unit.speaker


# file -> (speakers in order of first appearance, the first turn's start time, metadata that must be there)
EXPECTED: dict[str, tuple[list[str], float | None, dict[str, str]]] = {
    "teams_last_first.docx": (["Jensen, Clara", "Tran, Thi Thu"], 3.0, {
        "title": "KII-32 ministry", "date": "March 6, 2024, 2:15PM", "duration": "41m 9s",
        "transcription_started_by": "Jensen, Clara", "transcription_stopped_by": "Jensen, Clara"}),
    "teams_first_last.txt": (["Clara Jensen", "Le Van Duc", "Hoang Van Tuan"], 4.0, {
        "title": "KII-31 chamber of commerce", "date": "March 6, 2024, 10:02AM", "duration": "38m 12s",
        "transcription_started_by": "Clara Jensen"}),
    "teams_2021.docx": (["Jensen, Clara", "Hoang, Van Tuan"], 1.2, {}),
    "teams_voice.vtt": (["Jensen, Clara", "Tran, Thi Thu"], 2.14, {}),
    "otter.docx": (["Long Tran", "Bui Duc Anh"], 3.0, {
        "title": "KII-33 factory HR Bac Giang", "duration": "24:51", "speakers_listed": "Long Tran, Bui Duc Anh",
        "keywords": "training, grievance, line leaders, toolkit"}),
    "otter.txt": (["Long Tran", "Bui Duc Anh", "Unknown Speaker"], 3.0, {}),
    "otter.md": (["Emma Larsen", "Ngo Thi Huong"], 0.0, {}),
    "otter_no_speakers.txt": ([], 0.0, {}),
    "last_first_otter_interviewer.txt": (["Long Tran", "Hoang Thi Lan"], 2.0, {
        "title": "Interview KII-38, provincial trade union"}),
    "rev.txt": (["Interviewer", "Do Thi Mai"], 2.0, {}),
    "trint.txt": (["Interviewer", "Hoang Van Tuan"], 3.0, {}),
    "sonix.txt": (["Interviewer", "Sarah Whitfield"], 1.0, {}),
    "whisper.srt": ([], 0.0, {}),
    "whisperx.srt": (["SPEAKER_00", "SPEAKER_01"], 0.031, {}),
    "youtube_manual.vtt": ([], 1.0, {}),
    "vtt_no_blank_lines.vtt": (["Clara Jensen", "Sarah Whitfield"], 1.0, {}),
    "fgd_numbered.srt": (["Evaluator", "HR officer 1", "HR officer 2", "Line leader"], 1.0, {}),
    "markdown_headings.md": (["Clara Jensen", "Mr. Hung"], None, {"title": "KII-36: electronics industry association"}),
    "notes.md": (["Heading", "Notes"], None, {
        "title": "KII-37 interview notes – provincial labour department", "interviewer": "Tran Bao Long",
        "date": "4 March 2024", "location": "Bac Giang"}),
    "notes.docx": (["Heading", "Notes"], None, {"date": "7 March 2024", "interviewer": "Clara Jensen"}),
    "researcher.txt": (["Researcher 1", "Participant", "Researcher 2"], None, {}),
    "entrevista.txt": (["Entrevistador", "Entrevistada"], None, {}),
    "phong_van.txt": (["Phỏng vấn viên", "Người trả lời"], None, {}),
    "enquete.txt": (["Enquêteur", "Mme Diallo"], None, {}),
    "speaker_pair.txt": (["Speaker 1", "Speaker 2"], None, {}),
    "descript.txt": (["Interviewer1", "Interviewee"], None, {}),
    "turboscribe.txt": (["Speaker 1", "Speaker 2", "Speaker 3"], None, {}),
    "otter_summary.txt": (["Speaker 1", "Bui Duc Anh"], 3.0, {
        "date": "Tue, Mar 05, 2024 9:02AM", "duration": "24:51",
        "keywords": "training, grievance, line leaders, toolkit"}),
    "entrevista_roles.md": (["Sandra Salinas", "Fabiola Pineda"], None, {"interviewer": "Sandra Salinas"}),
    "legende.md": (["Heading", "I", "P1", "P2"], None, {"title": "Interview Gewerkschaft Bac Ninh"}),
    "device.vtt": (["Tran Bao Long", "Hang's iPhone", "Nguyen Van Hai"], 1.0, {}),
    "qualcoder_transcript.txt": (["id1", "id2", "id3"], None, {}),
    "webvtt-py_teams_timeframe.vtt": (["Yuri Bakulin", "Adrian Petrescu"], 0.0, {}),
    "webvtt-py_youtube_dl.vtt": ([], 286.07, {}),
    "webvtt-py_comments.vtt": ([], 135.0, {}),
    "webvtt-py_styles.vtt": ([], 0.0, {}),
    "ladybug_bold_inline.md": (["Ali", "Kelly", "Emma", "Lindsey"], 0.0, {}),
    "ladybug_bold_brackets.md": (["Lindsey", "Kelly", "Ali", "Emma"], 0.0, {}),
    "ladybug_single_space.md": (["Kelly", "Ali", "Emma"], 0.0, {}),
    "ladybug_otter.txt": (["Ali", "Kelly", "Monica", "Monica Powell"], 0.0, {}),
    "ladybug_otter_unknown_speaker.md": (["Emma", "Kelly", "Unknown Speaker", "Tailor", "Sidney"], 0.0, {}),
    "ladybug_mixed_headers.md": (["Ali", "Kelly", "Emma", "Erin Fox", "Akshar Takle"], 0.0, {}),
    "ladybug_space_in_brackets.md": (["Emma", "Kelly", "Ali"], 0.0, {}),
    "pythonbytes_time_prefixed.txt": (["Michael Kennedy", "Brian Okken", "Unknown Speaker"], 0.0, {}),
    "pythonbytes_voice_tags.txt": (["Brian Okken", "Michael Kennedy"], 0.0, {}),
    "whisper_oral_history.txt": ([], None, {}),
    "bitcointranscripts_senate.md": (["Heading", "Senator Black", "Andreas Antonopoulos", "Senator"], None, {
        "title": "Canada Senate Bitcoin", "date": "2014-10-08", "transcript_by": "Bryan Bishop"}),
    "interview_analysis_key.txt": (["S01", "S00"], None, {"interviewer": "S01"}),
    "lataca_trailing_times.docx": (["Speaker 1", "Speaker 2"], 0.0, {}),
    "dcg_townhall_italic.md": (["Heading", "Adam", "Alethe Denis", "Alethe", "Moderator"], None,
                               {"title": "DCG Town Hall"}),
    "youtube_captions.sbv": ([], 3.9, {}),
    "whisperlive_live.srt": ([], 0.0, {}),
    "monero_irc_meeting.txt": (["suraeNoether", "rehrar", "hyc", "endogenic", "ArticMine", "andytoshi", "scoobybejesus",
                                "sgp_[m]", "nioc"], None, {}),
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in FILES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_speakers_times_and_metadata(name: str, parsed: dict[str, ParsedTranscript]) -> None:
    speakers, first_time, metadata = EXPECTED[name]
    pt = parsed[name]
    assert pt.speakers == speakers
    assert pt.turns[0].t_start == first_time
    for key, value in metadata.items():
        assert pt.metadata.get(key) == value, key
    assert pt.detected  # the report always says what the file was read as


def test_teams_word_header_lines_are_metadata_and_last_first_turns_alternate(
        parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["teams_last_first.docx"]
    assert [s for s, _ in turns(pt)] == ["Jensen, Clara", "Tran, Thi Thu"] * 3
    assert turns(pt)[0][1] == ("Thank you for making time for this interview.\n"
                               "Could you describe your role in the sectoral dialogue?")
    assert "KII-32" not in pt.text and "41m" not in pt.text and "2024" not in pt.text
    assert any("header line" in w for w in pt.warnings)


def test_teams_text_without_blank_lines_keeps_each_turn(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["teams_first_last.txt"]
    # a participant who speaks once, under a header with no blank line before it, is a speaker too
    assert [s for s, _ in turns(pt)] == ["Clara Jensen", "Le Van Duc"] * 2 + ["Hoang Van Tuan"] + [
        "Clara Jensen", "Le Van Duc"]
    assert [t.t_start for t in pt.turns] == [4.0, 19.0, 62.0, 70.0, 125.0, 151.0, 160.0]
    assert turns(pt)[4][1] == "May I add that the industrial-zone union took part in every seminar?"
    assert pt.format == "service" and "Teams" in pt.detected


def test_older_teams_word_export_reads_timings_and_names(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["teams_2021.docx"]
    assert [(s, t.t_start, t.t_end) for (s, _), t in zip(turns(pt), pt.turns, strict=True)] == [
        ("Jensen, Clara", 1.2, 6.48), ("Hoang, Van Tuan", 7.1, 19.95), ("Jensen, Clara", 20.5, 23.8),
        ("Hoang, Van Tuan", 24.1, 31.0)]
    assert "It took two years" in turns(pt)[1][1]


def test_otter_word_export_times_every_unit(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["otter.docx"]
    assert all(u.t_start is not None for u in pt.units)
    assert [t.t_start for t in pt.turns] == [3.0, 14.0, 62.0, 70.0, 125.0, 132.0]


def test_otter_markdown_names_lose_their_asterisks(parsed: dict[str, ParsedTranscript]) -> None:
    assert parsed["otter.md"].speakers == ["Emma Larsen", "Ngo Thi Huong"]


def test_otter_without_speaker_names_keeps_each_block_apart(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["otter_no_speakers.txt"]
    assert [t.speaker for t in pt.turns] == [None] * 4 and pt.record == "verbatim"
    assert [t.t_start for t in pt.turns] == [0.0, 9.0, 31.0, 36.0]


def test_rev_sonix_and_trint_times_come_from_beside_the_label(parsed: dict[str, ParsedTranscript]) -> None:
    assert [t.t_start for t in parsed["rev.txt"].turns] == [2.0, 11.0, 65.0, 72.0, 160.0, 166.0]
    assert [t.t_start for t in parsed["sonix.txt"].turns] == [1.0, 8.0, 40.0, 46.0]
    assert [t.t_start for t in parsed["trint.txt"].turns] == [3.0, 9.0, 41.0, 45.0, 90.0, 94.0]


def test_webvtt_cues_without_blank_lines_and_with_settings(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["vtt_no_blank_lines.vtt"]
    assert [(t.speaker, t.t_start, t.t_end) for t in pt.turns] == [
        ("Clara Jensen", 1.0, 4.5), ("Sarah Whitfield", 4.5, 12.0), ("Clara Jensen", 12.0, 15.0),
        ("Sarah Whitfield", 15.0, 20.0)]
    assert "Exported from the recording" not in pt.text and "yellow" not in pt.text


def test_youtube_speaker_changes_and_rolling_captions(parsed: dict[str, ParsedTranscript]) -> None:
    manual = parsed["youtube_manual.vtt"]
    assert [text for _, text in turns(manual)] == [
        "Welcome to the panel on decent work in electronics supply chains.",
        "Thank you. Our factories signed the first multi-employer agreement in 2023.",
        "What did it change for workers?",
        "Wages became predictable."]
    auto = parsed["webvtt-py_youtube_dl.vtt"]
    assert auto.text == "yeah what this will happen is I'm telling"  # each caption line once
    assert any("repeated" in w for w in auto.warnings)


def test_focus_group_labels_with_spaces_digits_and_brackets(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["fgd_numbered.srt"]
    assert [s for s, _ in turns(pt)] == ["Evaluator", "HR officer 1", "HR officer 2", "Line leader", "Evaluator",
                                         "HR officer 1"]
    assert turns(pt)[0][1] == "Thank you all for coming. Could each of you say how the grievance training changed" \
                              " your work?"
    assert pt.metadata["speaker_notes"] == {"Line leader": "female, 30s"}


def test_markdown_headings_that_name_speakers_are_labels(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["markdown_headings.md"]
    assert [s for s, _ in turns(pt)] == ["Clara Jensen", "Mr. Hung", "Clara Jensen", "Mr. Hung"]


@pytest.mark.parametrize("name", ["notes.md", "notes.docx"])
def test_interview_notes_keep_each_heading_as_the_question_its_bullets_answer(
        name: str, parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed[name]
    assert pt.record == "notes"
    pairs = turns(pt)
    assert [s for s, _ in pairs] == ["Heading", "Notes"] * 3
    headings = [text for s, text in pairs if s == "Heading"]
    expected = {"notes.md": ["Role in the projects", "Relevance: did the projects fit provincial priorities?",
                             "Sustainability: will the results last?"],
                "notes.docx": ["Q1. Role in the projects", "Q2. Relevance to provincial priorities",
                               "Q3. Sustainability"]}[name]
    assert headings == expected
    assert all(len(text.split("\n")) == 2 for s, text in pairs if s == "Notes")  # one paragraph per bullet
    assert "interview notes" in pt.detected


def _turn_of(pt: ParsedTranscript, words: str) -> tuple[str | None, float | None]:
    turn = next(t for t in pt.turns if words in pt.text[t.start : t.end])
    return turn.speaker, turn.t_start


def test_real_otter_markdown_with_name_time_and_speech_on_one_line(parsed: dict[str, ParsedTranscript]) -> None:
    # "**Ali** [00:00:00] Today we&#39;re ...": once read as interview notes with no speaker at all
    pt = parsed["ladybug_bold_inline.md"]
    assert pt.format == "service" and pt.record == "verbatim"
    assert _turn_of(pt, "Today we're going to talk about how to get started in tech") == ("Ali", 0.0)
    assert _turn_of(pt, "Welcome to the ladybug podcast") == ("Kelly", 30.0)
    assert all(u.t_start is not None for u in pt.units)
    assert "&#39;" not in pt.text and "&quot;" not in pt.text  # the web page's character references are decoded


def test_real_town_hall_with_italic_names_above_each_turn_is_verbatim_speech_of_those_speakers(
        parsed: dict[str, ParsedTranscript]) -> None:
    # "*Adam*" alone on its line above each turn: once the whole meeting was one informant's interview notes
    pt = parsed["dcg_townhall_italic.md"]
    assert pt.record == "verbatim"
    assert [t.speaker for t in pt.turns][2:] == ["Adam", "Alethe Denis", "Adam", "Alethe", "Adam", "Moderator", "Adam",
                                                 "Moderator", "Alethe", "Adam"]
    assert _turn_of(pt, "All right so I have a couple questions for me") == ("Moderator", None)
    assert _turn_of(pt, "Absolutely. So I want to share with all of you our core values.") == ("Alethe Denis", None)
    assert not {"Adam", "Moderator", "Alethe"} & set(units(pt))


def test_real_word_transcript_with_the_time_at_the_end_of_each_turn_reads_it_as_the_turns_time(
        parsed: dict[str, ParsedTranscript]) -> None:
    # "Speaker 2: It is an initiative. (01:28)": once the time stayed in 25 of 43 quotes and no unit had a time
    pt = parsed["lataca_trailing_times.docx"]
    assert _turn_of(pt, "It is an initiative.") == ("Speaker 2", 88.0)
    assert _turn_of(pt, "Um how long has it been working in this role?") == ("Speaker 1", 89.0)
    assert not any(re.search(r"\(\d\d:\d\d\)", text) for text in units(pt))
    assert all(t.t_start is not None for t in pt.turns)
    assert any(w.startswith("31 time(s) written at the end of the turns") for w in pt.warnings)


def test_real_interview_whose_first_line_names_the_interviewers_label_is_read_so(tmp_path: Path) -> None:
    # "Interviewer = S01": once unit 1 of the speech, S01 and S00 both of unknown role
    from transcript_support import import_text

    source = EXPORTS / "real" / "interview_analysis_key.txt"
    speakers, report = import_text(tmp_path, "r2_desc.txt", source.read_text(encoding="utf-8-sig"))
    assert {s["label"]: s["role"] for s in speakers} == {"S01": "interviewer", "S00": "informant"}
    [entry] = report["transcripts"]
    assert any("'Interviewer = S01'" in w and "read as metadata" in w for w in entry["notes"])
    pt = read_transcript(source)
    first = pt.units[0]
    assert first.speaker == "S01" and pt.text[first.start:first.end].startswith("Ja.")


def test_real_markdown_hearing_keeps_link_words_its_preface_out_and_reads_initials_by_the_front_matter(
        parsed: dict[str, ParsedTranscript]) -> None:
    # once: "[video](https://...)" in the text, the preface as 5 units of no speaker, "AA" left as written
    pt = parsed["bitcointranscripts_senate.md"]
    texts = units(pt)
    assert not any("](" in t or "<http" in t for t in texts)
    assert not any("This is a transcript of submitted evidence" in t for t in texts)
    assert "Here is a [video](https://www.youtube.com/watch?v=xUNGFZDO8mM&t=3m10s)" in pt.metadata["preamble"]
    assert _turn_of(pt, "I believe that the best way to help bitcoin") == ("Andreas Antonopoulos", None)
    assert any("read 'AA' as 'Andreas Antonopoulos'" in w for w in pt.warnings)


def test_real_otter_markdown_mixing_header_lines_and_inline_headers(parsed: dict[str, ParsedTranscript]) -> None:
    # "**Ali** [01:01:09][laughs] Cool." among "**Kelly** [01:01:07]" header lines: once glued to Kelly's turn as
    # "Ali [01:01:09][laughs] Cool."
    pt = parsed["ladybug_bold_brackets.md"]
    assert _turn_of(pt, "Okay, good. I'm going to use that.") == ("Kelly", 3667.0)
    assert _turn_of(pt, "Cool.") == ("Ali", 3669.0)
    assert _turn_of(pt, "Awesome question. I only had my personal blog") == ("Lindsey", 3673.0)
    texts = units(pt)
    assert not any(re.match(r"(Ali|Lindsey|Kelly|Emma) \[", t) for t in texts)
    assert "[laughs]" not in texts and "[laughs loudly]" not in texts  # a sound alone is nothing to code
    assert any("note of a sound" in w for w in pt.warnings)


def test_real_otter_text_with_single_space_and_two_space_headers(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["ladybug_single_space.md"]
    assert _turn_of(pt, "So for the purpose of this conversation") == ("Emma", 259.0)
    assert len(pt.turns) == 19 and all(u.t_start is not None for u in pt.units)  # one turn per header
    otter = parsed["ladybug_otter.txt"]
    assert _turn_of(otter, "Hi, everyone. I'm Monica Powell.") == ("Monica", 128.0)
    assert otter.turns[-1].t_start == 713.0


def test_real_markdown_with_timed_and_untimed_bold_names(parsed: dict[str, ParsedTranscript]) -> None:
    # "**Kelly** [0:00]" turns of several paragraphs, then "**Emma**" alone above a blank line: once a heading, with
    # Emma's words given to Ali and every later paragraph of a timed turn without a time
    pt = parsed["ladybug_mixed_headers.md"]
    assert _turn_of(pt, "And before we go we just wanted to take") == ("Emma", None)
    assert _turn_of(pt, "I also want to give a quick shout out") == ("Ali", None)
    assert "Heading" not in pt.speakers
    kelly = next(t for t in pt.turns if pt.text[t.start : t.end].startswith("Before we jump into the episode"))
    assert kelly.t_start == 0.0 and all(u.t_start == 0.0 for u in pt.units if kelly.start <= u.start < kelly.end)
    untimed_turns = {u.turn for u in pt.units if u.t_start is None}
    assert untimed_turns == {len(pt.turns) - 2, len(pt.turns) - 1}  # only the two turns the file gives no time


def test_real_otter_markdown_with_a_space_inside_the_time_brackets(parsed: dict[str, ParsedTranscript]) -> None:
    pt = parsed["ladybug_space_in_brackets.md"]  # "**Emma** [0:20 ]"
    assert _turn_of(pt, "And I'm Emma.") == ("Emma", 20.0)
    assert not any(t.startswith("Emma [") for t in units(pt))


def test_real_otter_text_with_a_time_before_every_line(parsed: dict[str, ParsedTranscript]) -> None:
    # "0:00 Brian Okken  00:10", a blank line, "0:00 I'm Brian ...": once read as text without speakers, each header
    # a unit of its own ("Brian Okken 00:10")
    pt = parsed["pythonbytes_time_prefixed.txt"]
    assert pt.format == "service"
    assert _turn_of(pt, "and we have a special guest") == ("Brian Okken", 10.0)
    assert _turn_of(pt, "Right?") == ("Unknown Speaker", 99.0)
    assert not any(re.search(r"\d:\d\d", t) for t in units(pt))
    assert len(pt.turns) == 14  # one per header
    assert any("28 line(s) started with a time" in w for w in pt.warnings)


def test_real_captions_saved_as_text_with_voice_tags(parsed: dict[str, ParsedTranscript]) -> None:
    # "00:00:05 <v Brian Okken>This is episode 481, <v Brian Okken>recorded May 25th.": once read as text without
    # speakers, every tag left in the quotes
    pt = parsed["pythonbytes_voice_tags.txt"]
    assert _turn_of(pt, "We both have something fresh for people") == ("Michael Kennedy", 34.0)
    # two voices in one line: "<v Michael Kennedy>But right now I <v Brian Okken>could see it though."
    assert _turn_of(pt, "But right now I")[0] == "Michael Kennedy"
    assert _turn_of(pt, "could see it though.") == ("Brian Okken", 546.0)
    assert "This is episode 481, recorded May 25th." in units(pt)  # a sentence over two captions is one unit
    assert all(u.t_start is not None for u in pt.units)
    assert any("every line started with a time" in w for w in pt.warnings)


def test_a_key_of_the_labels_above_the_speech_is_not_speech(parsed: dict[str, ParsedTranscript]) -> None:
    # "I: Interviewer / P1: Gewerkschaftsvertreterin / P2: Personalleiter" above the timed speech, as research
    # transcripts write it: once three turns, the union representative "saying" her own role
    pt = parsed["legende.md"]
    assert "Gewerkschaftsvertreterin" not in pt.text and "Personalleiter" not in pt.text
    assert pt.metadata["speaker_notes"] == {"I": "Interviewer", "P1": "Gewerkschaftsvertreterin",
                                            "P2": "Personalleiter"}
    assert _turn_of(pt, "Danke, dass Sie sich Zeit nehmen.") == ("I", 10.0)
    assert any(w.startswith("the key above the speech ('I: Interviewer'") for w in pt.warnings)


def test_otter_summary_above_the_transcript_is_metadata_and_said(parsed: dict[str, ParsedTranscript]) -> None:
    # Otter's exports with a summary ("Summary", "Overview", "Action Items", "Outline", then "Transcript") above the
    # usual header: the summary was kept out of the text without a word, and "Summary" became the title
    pt = parsed["otter_summary.txt"]
    assert "title" not in pt.metadata
    assert "limited use" in pt.text and "Send the interview notes" not in pt.text
    assert any(w.startswith("17 line(s) above the first speaker header (105 words") for w in pt.warnings)


def test_name_and_role_before_each_turn(parsed: dict[str, ParsedTranscript]) -> None:
    # "Sandra Salinas, Entrevistadora:" and "Fabiola Pineda, Directora de recursos humanos:": once the director's
    # answers were glued to the interviewer's questions, since a label with a comma was only "Last, First"
    pt = parsed["entrevista_roles.md"]
    assert [t.speaker for t in pt.turns] == ["Sandra Salinas", "Fabiola Pineda"] * 3
    assert _turn_of(pt, "Muy largo, y estaba en inglés.")[0] == "Fabiola Pineda"
    assert pt.metadata["speaker_notes"] == {"Sandra Salinas": "Entrevistadora",
                                            "Fabiola Pineda": "Directora de recursos humanos"}
    assert "Directora de recursos humanos" not in pt.text
    assert any(w == "the interviewer was read from the labels: 'Sandra Salinas' (Entrevistadora)" for w in pt.warnings)


def test_minute_marks_inside_the_speech_and_one_interviewer_typed_two_ways(
        parsed: dict[str, ParsedTranscript]) -> None:
    # Descript writes "[00:01:00]" inside the speech at each minute; the transcriber typed "Interviewer1" and later
    # "Interviewer 1": once three marks were left in the quotes and the interviewer counted as two speakers
    pt = parsed["descript.txt"]
    assert "[00:0" not in pt.text
    assert "the advisers came back every quarter after that." in pt.text
    assert _turn_of(pt, "What changed in the factory")[0] == "Interviewer1"
    assert any("3 timestamp(s) inside the speech" in w for w in pt.warnings)
    assert any("'Interviewer 1' was read as the speaker 'Interviewer1'" in w for w in pt.warnings)


def test_multilingual_and_numbered_interviewer_labels(parsed: dict[str, ParsedTranscript]) -> None:
    assert parsed["researcher.txt"].speakers == ["Researcher 1", "Participant", "Researcher 2"]
    assert "Quel a été votre rôle dans le programme ?" in parsed["enquete.txt"].text
    assert parsed["phong_van.txt"].text.startswith("Cảm ơn chị đã dành thời gian.")


# ---------------------------------------------------------------------------------------------- with the case sheet

ROLES: dict[str, dict[str, tuple[str, str | None]]] = {
    "KII-31": {"Clara Jensen": ("interviewer", None), "Le Van Duc": ("informant", "KII-31"),
               "Hoang Van Tuan": ("unknown", None)},
    "KII-32": {"Jensen, Clara": ("interviewer", None), "Tran, Thi Thu": ("informant", "KII-32")},
    "KII-33": {"Long Tran": ("interviewer", None), "Bui Duc Anh": ("informant", "KII-33")},
    "KII-34": {"Heading": ("interviewer", None), "Notes": ("informant", "KII-34")},
    "KII-35": {"Clara Jensen": ("interviewer", None), "Sarah Whitfield": ("informant", "KII-35")},
    "KII-36": {"Clara Jensen": ("interviewer", None), "Mr. Hung": ("informant", "KII-36")},
    "KII-37": {"Heading": ("interviewer", None), "Notes": ("informant", "KII-37")},
    "KII-38": {"Long Tran": ("interviewer", None), "Hoang Thi Lan": ("informant", "KII-38")},
    "KII-39": {"Long Tran": ("interviewer", None), "Bui Duc Anh": ("informant", "KII-39"),
               "Unknown Speaker": ("unknown", None)},
    "KII-40": {"Emma Larsen": ("interviewer", None), "Ngo Thi Huong": ("informant", "KII-40")},
    "KII-41": {"Interviewer": ("interviewer", None), "Do Thi Mai": ("informant", "KII-41")},
    "KII-42": {"Interviewer": ("interviewer", None), "Hoang Van Tuan": ("informant", "KII-42")},
    "KII-43": {"Researcher 1": ("interviewer", None), "Researcher 2": ("interviewer", None),
               "Participant": ("informant", "KII-43")},
    "KII-44": {"Entrevistador": ("interviewer", None), "Entrevistada": ("informant", "KII-44")},
    "KII-45": {"Phỏng vấn viên": ("interviewer", None), "Người trả lời": ("informant", "KII-45")},
    "KII-46": {"Enquêteur": ("interviewer", None), "Mme Diallo": ("informant", "KII-46")},
    "KII-47": {"Speaker 1": ("interviewer", None), "Speaker 2": ("informant", "KII-47")},
    "KII-48": {"SPEAKER_00": ("interviewer", None), "SPEAKER_01": ("informant", "KII-48")},
    "KII-49": {"Jensen, Clara": ("interviewer", None), "Tran, Thi Thu": ("informant", "KII-49")},
    "KII-50": {"Jensen, Clara": ("interviewer", None), "Hoang, Van Tuan": ("informant", "KII-50")},
    "KII-51": {"Interviewer": ("interviewer", None), "Sarah Whitfield": ("informant", "KII-51")},
    "FGD-11": {"Evaluator": ("interviewer", None), "HR officer 1": ("informant", "FGD-11-P1"),
               "HR officer 2": ("informant", "FGD-11-P2"), "Line leader": ("informant", "FGD-11-P3")},
    "FGD-12": {"Tran Bao Long": ("interviewer", None), "Hang's iPhone": ("informant", "FGD-12-P1"),
               "Nguyen Van Hai": ("informant", "FGD-12-P2")},
    "FGD-13": {"id1": ("informant", "FGD-13-P1"), "id2": ("informant", "FGD-13-P2"),
               "id3": ("informant", "FGD-13-P3")},
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, dict[str, Any]]]:
    project = Project.create(tmp_path_factory.mktemp("exports") / "p")
    report = import_files(project, FILES, cases=EXPORTS / "cases.csv", coder="ana")
    yield project, report
    project.close()


def test_every_speaker_gets_its_role_and_case(imported: tuple[Project, dict[str, Any]]) -> None:
    project, _ = imported
    for tid, expected in ROLES.items():
        got = {s["label"]: (s["role"], s["case_id"]) for s in project.speakers(tid)}
        assert got == expected, tid


def test_the_report_names_what_is_likely_wrong_and_nothing_else(imported: tuple[Project, dict[str, Any]]) -> None:
    _, report = imported
    warnings = {t["id"]: t["warnings"] for t in report["transcripts"]}
    clean = {tid for tid in ROLES if tid not in ("KII-31", "KII-39", "KII-47", "KII-48", "FGD-13")}
    assert {tid: warnings[tid] for tid in clean} == {tid: [] for tid in clean}
    assert any("'Unknown Speaker' is neither interviewer nor informant" in w for w in warnings["KII-39"])
    assert warnings["KII-31"] == [
        "speaker 'Hoang Van Tuan' is neither interviewer nor informant: qualcode transcripts set-role KII-31"
        " 'Hoang Van Tuan' interviewer|informant"]
    assert any(w.startswith("guessed 'Speaker 1' as the interviewer") for w in warnings["KII-47"])
    assert any(w.startswith("guessed 'SPEAKER_00' as the interviewer") for w in warnings["KII-48"])
    assert any(w.startswith("no interviewer found") for w in warnings["FGD-13"])
    for tid in ("whisper", "otter_no_speakers", "youtube_manual"):
        assert any(w.startswith("no speaker labels") for w in warnings[tid]), tid
    assert report["warnings"] == []  # every case-sheet row matched


def test_real_exports_warn_where_the_tool_left_speakers_unclear(imported: tuple[Project, dict[str, Any]]) -> None:
    _, report = imported
    warnings = {t["id"]: t["warnings"] for t in report["transcripts"]}
    # Otter named one guest "Monica" in some blocks and "Monica Powell" in others
    assert any(w.startswith("'Monica' and 'Monica Powell' may be the same person") for w in warnings["ladybug_otter"])
    # half the episode is "Unknown Speaker": the guest and the hosts alike
    unknown = [w for w in warnings["ladybug_otter_unknown_speaker"] if w.startswith("'Unknown Speaker' holds")]
    assert len(unknown) == 1 and "could not tell who spoke them" in unknown[0]
    for tid in ("ladybug_bold_inline", "ladybug_bold_brackets", "ladybug_single_space"):
        assert not any("same person" in w or "only a timestamp or a name" in w for w in warnings[tid]), tid
    # "Unknown Speaker" in the file name is no person's name: the id stays the file's name
    assert "ladybug_otter_unknown_speaker" in warnings


def test_a_role_in_the_label_makes_the_interviewer(imported: tuple[Project, dict[str, Any]]) -> None:
    project, _ = imported
    roles = {s["label"]: s["role"] for s in project.speakers("entrevista_roles")}
    assert roles["Sandra Salinas"] == "interviewer"
    assert {s["label"]: s["role"] for s in project.speakers("legende")}["I"] == "interviewer"


def test_notes_transcripts_are_marked_as_notes(imported: tuple[Project, dict[str, Any]]) -> None:
    project, report = imported
    assert project.notes_transcripts() == {"KII-34", "KII-37"}
    records = {t["id"]: t["record"] for t in report["transcripts"]}
    assert records["KII-34"] == records["KII-37"] == "notes" and records["KII-31"] == "verbatim"


def test_headings_are_the_question_the_suggester_reads(imported: tuple[Project, dict[str, Any]]) -> None:
    from qualcode.nlp.project import units_with_questions

    project, _ = imported
    asked = {u["ref"]: q for u, q in units_with_questions(project) if u["transcript"] == "KII-37"}
    assert asked["KII-37:5"] == asked["KII-37:6"] == "Relevance: did the projects fit provincial priorities?"
    assert asked["KII-37:2"] == "Role in the projects"
    assert all(q for q in asked.values())


def test_real_youtube_subviewer_captions_keep_their_times_and_not_their_timings(
    parsed: dict[str, ParsedTranscript],
) -> None:
    """YouTube Studio's .sbv download ("0:00:03.900,0:00:08.460" above each caption): once 321 units, each beginning
    with its timing and without a time."""
    pt = parsed["youtube_captions.sbv"]
    assert pt.format == "sbv" and pt.speakers == []
    assert units(pt)[0].startswith("good morning everybody David Shapiro here we are back for part two of the um"
                                   " Knowledge Graph")  # captions joined, as WebVTT captions are
    assert not any(re.search(r"\d:\d\d:\d\d\.\d{3}", u) for u in units(pt))
    assert all(u.t_start is not None for u in pt.units)
    assert pt.turns[-1].t_end == 2654.76  # 0:44:14.760, the last caption's end


def test_real_automatic_captions_without_punctuation_are_cut_into_units_a_coder_can_read(
    parsed: dict[str, ParsedTranscript],
) -> None:
    """YouTube's automatic captions have no sentence ends: the 44-minute talk was five units, 5,000 characters each,
    cut mid-word wherever the length ran out. Now units of 40-80 words, each ending where a caption ends, and the
    report says so."""
    pt = parsed["youtube_captions.sbv"]
    words = [len(u.split()) for u in units(pt)]
    assert len(words) > 60 and max(words) <= 80 and min(words[:-1]) >= 40
    caption_ends = {round(t, 2) for t in _cue_ends(EXPORTS / "real" / "youtube_captions.sbv")}
    assert all(round(u.t_end or 0, 2) in caption_ends for u in pt.units)  # cut where a caption ends
    assert " ".join(units(pt)).split() == pt.text.split()  # no word lost or doubled
    assert any("without a sentence end" in w and "cut into coding units of 40-80 words" in w for w in pt.warnings)


def _cue_ends(path: Path) -> list[float]:
    """The end of every caption of a .sbv file, in seconds."""
    ends = []
    for m in re.finditer(r"^\d+:\d\d:\d\d\.\d{3},(\d+):(\d\d):(\d\d\.\d{3})$", path.read_text("utf-8"), re.M):
        ends.append(int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]))
    return ends


def test_punctuated_captions_keep_their_sentences_as_units(tmp_path: Path) -> None:
    # the cut is for speech without sentence ends only: a long turn of punctuated captions keeps one unit a sentence
    cues = []
    for k in range(40):
        cues.append(f"00:{k // 60:02d}:{k % 60:02d}.000 --> 00:{k // 60:02d}:{k % 60:02d}.900\n"
                    f"<v Ana Lima>The chamber kept the meetings going number {k} for the workers.")
    path = tmp_path / "kii.vtt"
    path.write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", "utf-8")
    pt = read_transcript(path)
    assert len(pt.units) == 40 and not any("without a sentence end" in w for w in pt.warnings)


def test_real_live_transcription_repeats_are_read_once(parsed: dict[str, ParsedTranscript]) -> None:
    """WhisperLive's SRT of a consultation: 123 cues, each segment re-sent up to ten times with its time going
    back; once the first sentence was ten units, the times running 0, 0, 0, 10, 0, ..."""
    pt = parsed["whisperlive_live.srt"]
    assert pt.text.count("Mijn vrouw Janssen, nog even voor de herhaling") == 1
    assert pt.text.count("Ja, dat is wel lang heen eruit.") == 1
    starts = [u.t_start or 0.0 for u in pt.units]
    assert all(u.t_start is not None for u in pt.units) and starts == sorted(starts) and starts[-1] == 51.44
    assert any(w.startswith("111 cue(s) repeated an earlier cue (the same times and words), as live transcription"
                            " re-sends its captions: they were left out, so 12 cue(s) remain") for w in pt.warnings)


def test_real_chat_log_reads_each_sender_as_the_speaker(parsed: dict[str, ParsedTranscript]) -> None:
    """An IRC meeting log ("[2018-03-26 11:00:09] <hyc> morning"): the sender is the speaker, the date and clock time
    are no one's words, people joining and leaving are left out, an action ("— suraeNoether waggles eyebrows") is a
    note in the sender's turn, and the report says it was read as a chat."""
    pt = parsed["monero_irc_meeting.txt"]
    said = turns(pt)
    assert said[1] == ("rehrar", "shttp://weknowmemes.com/generator/uploads/generated/g1386523484343400473.jpg")
    assert said[2] == ("hyc", "morning")
    assert ("suraeNoether", "[waggles eyebrows]") in [(t.speaker, u) for t in pt.turns
                                                     for u in pt.text[t.start:t.end].split("\n")]
    assert not any(re.search(r"2018-03-26|\bjoined \(|<\w+>|quit \(", u) for u in units(pt))
    assert "a chat" in pt.detected
    assert any(w.startswith("read as a chat: the sender before each message ('<Name> text') is its speaker"
                            " ('suraeNoether', 'rehrar', 'hyc', 'endogenic', 'ArticMine', ...); 3 line(s) of people"
                            " joining, leaving or renamed (or other notices of the chat server) were left out")
               for w in pt.warnings)


def test_real_whisper_text_without_speakers_is_speech_with_a_turn_after_the_question(
    parsed: dict[str, ParsedTranscript],
) -> None:
    """Whisper's .txt of an oral-history interview: a line per stretch of speech, no labels, no blank lines. It is
    verbatim speech, not an interviewer's notes: the question is one turn, the answer after it another, the speakers
    unknown, and the report says no labels were found and how to add them."""
    pt = parsed["whisper_oral_history.txt"]
    assert pt.record == "verbatim" and pt.speakers == []
    assert [pt.text[t.start:t.end].split("\n")[0][:40] for t in pt.turns] == [
        "At the time that you started working in ", "I had come to Stanford in 1962 from thre"]
    assert units(pt)[1] == "What made you even think of using computers as a creative tool?"
    assert any(w.startswith("no speaker labels were found: read as verbatim speech") and "set-record" in w
               for w in pt.warnings)


def test_a_transcript_that_is_one_long_unpunctuated_line_is_cut_between_words(tmp_path: Path) -> None:
    # a raw speech-recognition text pasted as one line: once units of 5,000 characters cut mid-word
    phrases = [f"we went to the district number {k} and talked with the workers about the training there" for k in
               range(30)]
    path = tmp_path / "raw.txt"
    path.write_text(", ".join(phrases[:10]) + " " + " ".join(phrases[10:]) + "\n", "utf-8")
    pt = read_transcript(path)
    words = [len(u.split()) for u in units(pt)]
    assert max(words) <= 80 and min(words[:-1]) >= 40
    assert units(pt)[0].endswith(",")  # the first part has commas: cut after one
    assert " ".join(units(pt)).split() == pt.text.split()
    assert any("without a sentence end" in w for w in pt.warnings)
