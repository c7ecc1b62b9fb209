"""Plain-text and Markdown transcripts with speaker labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualcode.importers import parse_transcript, read_transcript
from qualcode.model import ParsedTranscript

FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"


def assert_layout(parsed: ParsedTranscript) -> None:
    """Offsets slice back to exact, stripped unit text inside the unit's own turn and paragraph."""
    text = parsed.text
    assert text == text.strip()
    for a, b in zip(parsed.turns, parsed.turns[1:], strict=False):
        assert text[a.end : b.start] == "\n\n"
    for unit in parsed.units:
        piece = text[unit.start : unit.end]
        assert piece and piece == piece.strip() and "\n" not in piece
        turn = parsed.turns[unit.turn]
        assert turn.start <= unit.start < unit.end <= turn.end
        assert unit.speaker == turn.speaker


def turn_texts(parsed: ParsedTranscript) -> list[tuple[str | None, str]]:
    return [(t.speaker, parsed.text[t.start : t.end]) for t in parsed.turns]


@pytest.fixture
def kii() -> ParsedTranscript:
    return read_transcript(FIXTURES / "kii_labels.txt")


def test_labelled_interview_gives_one_turn_per_speaker_change(kii: ParsedTranscript) -> None:
    assert kii.format == "text"
    assert [t.speaker for t in kii.turns] == ["Interviewer", "Ms. Lan", "Interviewer", "Nguyen Van Hai", "Ms. Lan"]
    assert kii.speakers == ["Interviewer", "Ms. Lan", "Nguyen Van Hai"]
    assert_layout(kii)


def test_sentence_with_a_colon_is_speech_not_a_label(kii: ParsedTranscript) -> None:
    assert "The reason was simple" not in kii.speakers
    assert "One more thing" not in kii.speakers
    lan = turn_texts(kii)[1][1]
    assert "The reason was simple: we had no budget for training before the projects came." in lan


def test_unlabelled_paragraph_continues_the_previous_speaker(kii: ParsedTranscript) -> None:
    speaker, text = turn_texts(kii)[1]
    assert speaker == "Ms. Lan"
    paragraphs = text.split("\n")
    assert len(paragraphs) == 2
    # a wrapped line joins its paragraph; a blank line starts a new one
    assert paragraphs[0].endswith("We sent 12 supervisors to the grievance-handling course in 2022.")
    assert paragraphs[1].startswith("After that course")


def test_no_speaker_label_leaks_into_the_text(kii: ParsedTranscript) -> None:
    for label in ("Interviewer:", "Ms. Lan:", "Nguyen Van Hai:"):
        assert label not in kii.text
    assert kii.text.startswith("Thank you for seeing me, Ms. Lan.")


def test_leading_date_and_location_lines_become_metadata(kii: ParsedTranscript) -> None:
    assert kii.metadata["interview_id"] == "KII-90"
    assert kii.metadata["date"] == "2024-03-12"
    assert kii.metadata["location"] == "Hai Phong"
    assert "2024-03-12" not in kii.text


def test_vietnamese_and_curly_quotes_are_kept_exactly(kii: ParsedTranscript) -> None:
    assert "Chúng tôi đã ký thỏa ước tập thể năm 2023." in kii.text
    assert "“the first time someone listened”" in kii.text
    units = [kii.text[u.start : u.end] for u in kii.units]
    assert "Chúng tôi đã ký thỏa ước tập thể năm 2023." in " ".join(units)


def test_units_are_sentences_and_short_fragments_join_a_neighbour(kii: ParsedTranscript) -> None:
    units = [kii.text[u.start : u.end] for u in kii.units if u.speaker == "Nguyen Van Hai"]
    # "Yes." alone is too short to code; it joins the sentence after it
    assert units[0] == "Yes. I am the union chairperson; I joined the collective bargaining training."
    assert all(len(u.split()) >= 5 for u in units)
    first = [kii.text[u.start : u.end] for u in kii.units if u.turn == 0]
    assert first == ["Thank you for seeing me, Ms. Lan.", "Could you tell me about your role in the projects?"]


def test_markdown_front_matter_headings_and_bold_labels() -> None:
    parsed = read_transcript(FIXTURES / "kii_frontmatter.md")
    assert parsed.format == "text"
    assert parsed.metadata["interview_id"] == "KII-91"
    assert parsed.metadata["date"] == "2024-03-05"
    assert parsed.metadata["informant"] == "ILO programme officer"
    assert parsed.metadata["interview_language"] == "English"
    # the title goes to metadata; the section heading is kept as a turn of its own, context for what follows
    assert parsed.metadata["title"] == "Key-informant interview: ILO programme officer"
    assert [t.speaker for t in parsed.turns] == ["Heading", "Interviewer", "Mr. Minh", "Interviewer", "Mr. Minh"]
    assert turn_texts(parsed)[0] == ("Heading", "Introduction")
    assert "#" not in parsed.text and "**" not in parsed.text and "---" not in parsed.text
    assert "Key-informant interview" not in parsed.text
    assert "We worked with the chamber of commerce and the labour confederation." in parsed.text
    # list items stay separate paragraphs of the same turn, without their bullets
    minh = turn_texts(parsed)[2][1].split("\n")
    assert minh[1:] == [
        "The sectoral meetings were held every quarter.",
        "Seven factories signed the multi-employer agreement.",
    ]
    assert_layout(parsed)


def test_question_and_answer_labels() -> None:
    parsed = read_transcript(FIXTURES / "kii_qa.txt")
    assert [t.speaker for t in parsed.turns] == ["Q", "A"] * 3
    assert parsed.text.startswith("How did the advisory programme work for your factory?\n\nThe advisor came")
    assert_layout(parsed)


def test_fgd_participant_codes_keep_their_notes_in_metadata() -> None:
    parsed = read_transcript(FIXTURES / "fgd_codes.txt")
    assert parsed.speakers == ["Facilitator", "P1", "P3", "P2"]
    assert len(parsed.turns) == 7
    assert parsed.metadata["speaker_notes"] == {
        "P1": "HR officer, F",
        "P3": "union official, F",
        "P2": "middle manager, M",
    }
    assert "union official" not in parsed.text
    assert_layout(parsed)


def test_bracket_labels_inline_and_alone_on_a_line() -> None:
    parsed = read_transcript(FIXTURES / "fgd_brackets.txt")
    assert [t.speaker for t in parsed.turns] == [
        "Interviewer",
        "HR officer",
        "Union representative",
        "HR officer",
        "Interviewer",
        "Union representative",
    ]
    hr = turn_texts(parsed)[1][1]
    assert hr == (
        "We sent two compliance staff to the ambassador sessions in 2023. "
        "They came back with a checklist that we still use every month."
    )
    # an annotation inside speech is the transcriber's, not a label
    assert "[laughs]" in parsed.text
    assert "[HR officer]" not in parsed.text
    assert_layout(parsed)


def test_repeated_colon_sentences_without_labels_are_not_speakers() -> None:
    data = (
        b"Interviewer: What changed after the training?\n\n"
        b"Ms. Hoa: Two things changed. My view is this: the supervisors listen now.\n"
        b"In short: it worked.\n\n"
        b"Interviewer: Anything else?\n\n"
        b"Ms. Hoa: In short: no.\n"
    )
    parsed = parse_transcript(data, "kii.txt")
    assert parsed.speakers == ["Interviewer", "Ms. Hoa"]
    assert "My view is this: the supervisors listen now. In short: it worked." in parsed.text


def test_timestamps_before_labels_become_turn_times() -> None:
    data = b"[00:00:05] Interviewer: Shall we begin?\n[00:01:10] Mr. Son: Yes, we can begin now.\n"
    parsed = parse_transcript(data, "timed.txt")
    assert [(t.speaker, t.t_start) for t in parsed.turns] == [("Interviewer", 5.0), ("Mr. Son", 70.0)]
    assert "00:0" not in parsed.text


def test_file_without_labels_or_times_is_read_as_the_informants_notes() -> None:
    data = b"We trained thirty factories in total.\n\nMost of them were in Bac Ninh.\n"
    parsed = parse_transcript(data, "KII-07.txt")
    assert [t.speaker for t in parsed.turns] == ["Notes"] and parsed.record == "notes"
    assert parsed.text == "We trained thirty factories in total.\nMost of them were in Bac Ninh."
    assert any("interview notes" in n for n in parsed.warnings)
    # a document that is not an interview (notes=False) keeps its lines without a speaker
    document = parse_transcript(data, "KII-07.txt", notes=False)
    assert len(document.turns) == 1 and document.turns[0].speaker is None and document.record == "verbatim"


def test_consecutive_labels_of_one_speaker_stay_one_turn() -> None:
    data = b"Interviewer: First question about the budget.\nInterviewer: Second question about staff.\nMs. Mai: Yes.\n"
    parsed = parse_transcript(data, "x.txt")
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Ms. Mai"]
    assert turn_texts(parsed)[0][1] == "First question about the budget.\nSecond question about staff."


def test_header_block_keeps_the_first_question_when_it_starts_with_interviewer() -> None:
    data = (
        b"Date: 2024-03-06\nInterviewer: Tran Bao Long\n\n"
        b"Interviewer: Thank you for your time today.\n\nMs. Thu: You are welcome, let us begin.\n"
    )
    parsed = parse_transcript(data, "KII-03.txt")
    assert parsed.metadata["date"] == "2024-03-06"
    assert parsed.metadata["interviewer"] == "Tran Bao Long"
    assert parsed.text.startswith("Thank you for your time today.")
    only_date = parse_transcript(b"Date: 2024-03-06\n\nInterviewer: Thank you for your time.\n", "k.txt")
    assert only_date.text == "Thank you for your time."
    assert only_date.turns[0].speaker == "Interviewer"


def test_focus_group_participant_who_speaks_once_under_a_first_name() -> None:
    data = (
        b"Moderator: What changed in your factory after the training?\n\n"
        b"Lan: The supervisors listen now.\n\n"
        b"Hoa: We have a grievance box.\n\n"
        b"Lan: And the box is opened every week.\n\n"
        b"Minh: I joined later, I cannot say.\n\n"
        b"Hoa: It helped us a lot.\n"
        b"Budget: the factory cut it in the second year.\n"
    )
    parsed = parse_transcript(data, "fgd.txt")
    assert [t.speaker for t in parsed.turns] == ["Moderator", "Lan", "Hoa", "Lan", "Minh", "Hoa"]
    assert "Minh:" not in parsed.text
    assert "Budget: the factory cut it in the second year." in parsed.text  # a note in Hoa's turn
    assert_layout(parsed)


def test_a_one_word_heading_is_not_a_speaker_where_speakers_have_roles_or_full_names() -> None:
    data = (
        b"Interviewer: How was the money spent?\n\n"
        b"Ms. Hoa: Mostly on training.\n"
        b"Budget: we had 20,000 dollars for two years.\n\n"
        b"Interviewer: Anything else?\n\n"
        b"Ms. Hoa: No.\n"
    )
    parsed = parse_transcript(data, "kii.txt")
    assert parsed.speakers == ["Interviewer", "Ms. Hoa"]
    assert "Budget: we had 20,000 dollars" in parsed.text


def test_in_a_file_written_in_lower_case_a_first_name_speaking_once_is_still_a_speaker() -> None:
    data = (
        b"Moderator: what changed?\n\n"
        b"Lan: the training helped us.\n\n"
        b"Hoa: yes, a lot.\n\n"
        b"Lan: and the box is opened every week.\n\n"
        b"Hoa: we use it now.\n\n"
        b"Mai: not in my line, nobody told us.\n"
    )
    parsed = parse_transcript(data, "fgd.txt")
    assert [t.speaker for t in parsed.turns] == ["Moderator", "Lan", "Hoa", "Lan", "Hoa", "Mai"]


def test_bold_names_on_their_own_line_are_speaker_labels() -> None:
    data = (b"**Clara Jensen**\n\nHow did the chamber use the research?\n\n**Mr. Hung**\n\nIn two policy papers.\n\n"
            b"**Clara Jensen**\n\nAnd the meetings?\n\n**Mr. Hung**\n\nThey need funding to continue.\n")
    parsed = parse_transcript(data, "KII-36.md")
    assert [t.speaker for t in parsed.turns] == ["Clara Jensen", "Mr. Hung", "Clara Jensen", "Mr. Hung"]
    assert "**" not in parsed.text and parsed.record == "verbatim"


def test_section_headings_in_a_labelled_transcript_are_kept_as_context() -> None:
    data = (b"# KII-90\n\n## Part 1: relevance\n\nInterviewer: Did it fit your needs?\n\nMs. Lan: Yes, very well.\n\n"
            b"## Part 2: sustainability\n\nInterviewer: Will it last?\n\nMs. Lan: Only with funding, we think.\n")
    parsed = parse_transcript(data, "KII-90.md")
    assert [(t.speaker, parsed.text[t.start:t.end]) for t in parsed.turns][:2] == [
        ("Heading", "Part 1: relevance"), ("Interviewer", "Did it fit your needs?")]
    assert parsed.metadata["title"] == "KII-90" and parsed.record == "verbatim"


def test_captions_saved_as_text_keep_sentences_whole_across_lines() -> None:
    # a transcript pasted from a caption file: a time before each caption line, sentences running on to the next
    data = (
        b"00:00:00 Thank you for joining us today. Could you tell me how the grievance\n\n"
        b"00:00:04 training changed the way complaints are handled in your factory?\n\n"
        b"00:00:09 - Before the course nobody wrote the complaints down.\n\n"
        b"00:00:12 Now the line leaders keep a list and the union reads it with us every week.\n"
    )
    pt = parse_transcript(data, "pasted.txt")
    texts = [pt.text[u.start : u.end] for u in pt.units]
    assert "Could you tell me how the grievance training changed the way complaints are handled in your factory?" \
        in texts
    assert not any(re.search(r"\d:\d\d", t) for t in texts)
    # "- " marks another voice, as in subtitles
    assert len(pt.turns) == 2 and pt.text[pt.turns[1].start:].startswith("Before the course")
    assert pt.turns[1].t_start == 9.0
    assert any("every line started with a time" in w for w in pt.warnings)


def test_voice_tags_in_a_text_file_are_speakers() -> None:
    # a Teams caption file pasted into a text file without its timings
    data = (
        b"<v Jensen, Clara>How useful was the improvement toolkit?</v>\n"
        b"<v Tran, Thi Thu>Not very. It was long and in English. <v Jensen, Clara>And the grievance course?</v>\n"
        b"<v Tran, Thi Thu>That one we still use every week.</v>\n"
    )
    pt = parse_transcript(data, "pasted.txt")
    assert [(t.speaker, pt.text[t.start : t.end]) for t in pt.turns] == [
        ("Jensen, Clara", "How useful was the improvement toolkit?"),
        ("Tran, Thi Thu", "Not very. It was long and in English."),
        ("Jensen, Clara", "And the grievance course?"),
        ("Tran, Thi Thu", "That one we still use every week."),
    ]


def test_a_key_of_the_labels_as_bullets_is_not_speech_but_short_opening_turns_are() -> None:
    key = b"- R: Researcher\n- P1: HR officer\n- P2: Line leader\n\n"
    speech = (b"R: Thank you both for coming. How was the grievance course?\n\n"
              b"P1: Useful. We record every complaint now.\n\nP2: I agree with her.\n\nR: And the toolkit?\n\n"
              b"P2: Too long.\n")
    pt = parse_transcript(key + speech, "fgd.md")
    assert pt.metadata["speaker_notes"] == {"R": "Researcher", "P1": "HR officer", "P2": "Line leader"}
    assert "HR officer" not in pt.text and pt.turns[0].speaker == "R"
    # a conversation that opens with short turns has no key: every turn stays speech
    opening = b"R: Good morning\nP1: Morning\nP2: Hello\n\n"
    pt = parse_transcript(opening + speech, "fgd.txt")
    assert pt.text.startswith("Good morning")
    assert "speaker_notes" not in pt.metadata


def test_markdown_italics_lose_their_stars_but_arithmetic_keeps_them() -> None:
    data = (b"# KII-12\n\n*Conducted in Vietnamese and translated*\n\n"
            b"Interviewer: Was the toolkit useful?\n\nP1: It was *not* useful. We had 5 * 3 pages to read.\n\n"
            b"Interviewer: Thank you.\n")
    pt = parse_transcript(data, "kii.md")
    assert "Conducted in Vietnamese and translated" in pt.text and "*Conducted" not in pt.text
    assert "It was not useful. We had 5 * 3 pages to read." in pt.text


def test_a_time_range_before_each_line_is_left_out_whole() -> None:
    # the text Whisper prints ("[00:00.000 --> 00:04.000]  text") and diarisation scripts write
    # ("[00:00 - 00:12] Speaker 1: text"): once the end of the range was quoted as speech ("--> 00:04.000] Thank you")
    whisper = (b"[00:00.000 --> 00:04.000]  Thank you for joining us. Could you tell me how the grievance\n"
               b"[00:04.000 --> 00:09.000]  training changed the way complaints are handled?\n"
               b"[00:09.000 --> 00:12.000]  Before the course nobody wrote them down.\n"
               b"[00:12.000 --> 00:15.000]  Now the line leaders keep a list.\n")
    pt = parse_transcript(whisper, "whisper.txt")
    texts = [pt.text[u.start : u.end] for u in pt.units]
    assert "Could you tell me how the grievance training changed the way complaints are handled?" in texts
    assert not any("-->" in t or "]" in t for t in texts)
    diarised = (b"[00:00 - 00:12] Speaker 1: Bom dia, tudo bem?\n[00:12 - 00:20] Speaker 2: Tudo sim, e voc\xc3\xaa?\n"
                b"[00:20 - 00:25] Speaker 1: Tamb\xc3\xa9m, obrigado.\n")
    pt = parse_transcript(diarised, "diarised.txt")
    assert [(t.speaker, t.t_start, pt.text[t.start : t.end]) for t in pt.turns] == [
        ("Speaker 1", 0.0, "Bom dia, tudo bem?"), ("Speaker 2", 12.0, "Tudo sim, e você?"),
        ("Speaker 1", 20.0, "Também, obrigado.")]


# noScribe's text export writes speech that overlaps the current speaker inside that speaker's paragraph, between
# "//LABEL:" and "//". The shape of its real test interview, in invented words.
NOSCRIBE_TXT = """Interview on the training programme

Transcribed with noScribe vers. 0.7

S01: [00:00:12] Good morning, thank you for taking the time. //S02: Lovely to be here. // Could you tell me how \
it began? //S00: Gladly. // Take your time.

S00: [00:00:36] It began in May, when the union asked us. See https://example.org/report: it is all there.

S01: [00:00:40] And then?

S00: [00:00:42] Then we trained forty workers. //S01: Forty! // Yes, in the first year.
"""


def test_noscribe_overlapping_speech_is_a_turn_of_the_one_who_speaks_it() -> None:
    """Once '//S00: Gladly. //' stayed in the interviewer's unit: the informant's words coded as the interviewer's."""
    pt = parse_transcript(NOSCRIBE_TXT.encode(), "noscribe.txt")
    said = [(t.speaker, pt.text[t.start:t.end]) for t in pt.turns if t.speaker]
    assert said == [
        ("S01", "Good morning, thank you for taking the time."),
        ("S02", "Lovely to be here."),
        ("S01", "Could you tell me how it began?"),
        ("S00", "Gladly."),
        ("S01", "Take your time."),
        ("S00", "It began in May, when the union asked us. See https://example.org/report: it is all there."),
        ("S01", "And then?"),
        ("S00", "Then we trained forty workers."),
        ("S01", "Forty!"),
        ("S00", "Yes, in the first year."),
    ]
    assert pt.turns[[t.speaker for t in pt.turns].index("S01")].t_start == 12.0
    assert not any("//" in pt.text[u.start:u.end] and "https" not in pt.text[u.start:u.end] for u in pt.units)
    assert any(w.startswith("3 overlapping utterance(s) written inside another speaker's turn ('//S02: ... //'")
               for w in pt.warnings)


def test_double_slashes_that_mark_no_speaker_stay_text() -> None:
    pt = parse_transcript(b"Interviewer: Where is it?\n\nMaria Lopez: On the site //shared/docs: the folder. // Yes.\n",
                          "x.txt")
    assert "On the site //shared/docs: the folder. // Yes." in pt.text
    assert not any("overlapping" in w for w in pt.warnings)


@pytest.mark.parametrize(("name", "text"), [
    # a Portuguese transcription app's "timestamps" export: a range with a Unicode arrow before the label
    ("arrow.txt", "[00:00:00 → 00:00:04] Entrevistadora: Bom dia. Como começou o projeto na sua região?\n"
                  "[00:00:05 → 00:00:11] Maria: Começou em maio, quando o sindicato pediu apoio.\n"
                  "[00:00:12 → 00:00:14] Entrevistadora: E depois?\n"
                  "[00:00:15 → 00:00:20] Maria: Depois formamos quarenta trabalhadores.\n"),
    # a formatter's header with a time range above each turn
    ("range_header.txt", "Entrevistadora (00:00-00:04)\nBom dia. Como começou o projeto na sua região?\n\n"
                         "Maria (00:05-00:11)\nComeçou em maio, quando o sindicato pediu apoio.\n\n"
                         "Entrevistadora (00:12-00:14)\nE depois?\n\n"
                         "Maria (00:15-00:20)\nDepois formamos quarenta trabalhadores.\n"),
    # FunASR's example output: the range between the label and its colon
    ("range_inline.txt", "Entrevistadora (00:00 - 00:04): Bom dia. Como começou o projeto na sua região?\n"
                         "Maria (00:05 - 00:11): Começou em maio, quando o sindicato pediu apoio.\n"
                         "Entrevistadora (00:12 - 00:14): E depois?\n"
                         "Maria (00:15 - 00:20): Depois formamos quarenta trabalhadores.\n"),
])
def test_a_time_range_is_read_where_a_time_is(name: str, text: str) -> None:
    """Once: no speakers and '→ 00:00:04] Entrevistadora:' in the text; the header layout read as interview notes;
    the inline one without times."""
    pt = parse_transcript(text.encode(), name)
    assert [(t.speaker, t.t_start, pt.text[t.start:t.end]) for t in pt.turns] == [
        ("Entrevistadora", 0.0, "Bom dia. Como começou o projeto na sua região?"),
        ("Maria", 5.0, "Começou em maio, quando o sindicato pediu apoio."),
        ("Entrevistadora", 12.0, "E depois?"),
        ("Maria", 15.0, "Depois formamos quarenta trabalhadores.")]
    assert pt.record == "verbatim"
