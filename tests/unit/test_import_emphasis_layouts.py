"""Layouts found in public transcripts: speaker labels and times inside Markdown emphasis, names alone on a line in
italics, a time at the end of each turn, a key line naming the interviewer's label, PDF page headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from transcript_support import import_text

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


# An oral history saved from its PDF as text (the layout of the Computer History Museum's transcripts): a cover page,
# then at each page break the running header, "Page N of M", often in the middle of a sentence; no blank lines
# between the turns.
PDF_ORAL_HISTORY = """

Oral History of Ada Moreno



Interviewed by:
 Tomas Berg

Recorded: March 3, 2009
Lyon, France

   Museum reference number: X1234.2009

© 2009 Example Museum

Oral History of Ada Moreno

Ref: X1234.2009                    © 2009 Example Museum                            Page 2 of 9

Tomas Berg:  Hello, this is Tomas Berg. It's March 3rd, 2009, and we are here with Ada Moreno.
Ada Moreno:  Well, I'm glad to be here.
Berg:  How did the compiler project start?
Moreno:  It was designed to match the hardware, and I was

Oral History of Ada Moreno

Ref: X1234.2009                    © 2009 Example Museum                            Page 3 of 9

involved with the compiler from the start.
Berg:  And then?
Moreno:  Then we moved to Grenoble.

Oral History of Ada Moreno

Ref: X1234.2009                    © 2009 Example Museum                            Page 4 of 9

Berg:  Why Grenoble?
Moreno:  Because the new project was there, and it is on page 4 of the report.
"""


def test_running_page_headers_of_a_pdf_are_left_out_and_the_speech_runs_on_across_the_break() -> None:
    pt = parse_transcript(PDF_ORAL_HISTORY.encode(), "moreno.txt")
    assert pt.speakers == ["Tomas Berg", "Ada Moreno", "Berg", "Moreno"]
    said = units(pt)
    assert ("Moreno", None, "It was designed to match the hardware, and I was involved with the compiler from the"
            " start.") in said
    assert not any("Example Museum" in text or "Oral History" in text for _, _, text in said)
    assert said[-1] == ("Moreno", None, "Because the new project was there, and it is on page 4 of the report.")
    [note] = [w for w in pt.warnings if "page header" in w]
    assert note.startswith("6 line(s)") and "'Ref: X1234.2009 © 2009 Example Museum Page 2 of 9'" in note


def test_an_oral_historys_cover_page_is_metadata_and_names_the_interviewer() -> None:
    pt = parse_transcript(PDF_ORAL_HISTORY.encode(), "moreno.txt")
    assert pt.metadata["interviewer"] == "Tomas Berg"
    assert pt.metadata["recorded"] == "March 3, 2009"
    assert pt.metadata["title"] == "Oral History of Ada Moreno"
    assert "Recorded" not in pt.speakers
    assert all(u.speaker is not None for u in pt.units)
    assert not any("Lyon" in text or "Interviewed by" in text for _, _, text in units(pt))
    assert any("cover page (interviewer: Tomas Berg; recorded: March 3, 2009)" in w for w in pt.warnings)


def test_the_interviewer_a_cover_page_names_is_the_interviewer_of_the_import(tmp_path: Path) -> None:
    speakers, _ = import_text(tmp_path, "moreno.txt", PDF_ORAL_HISTORY)
    roles = {s["label"]: s["role"] for s in speakers}
    assert roles["Tomas Berg"] == "interviewer" and roles["Ada Moreno"] == "informant"


def test_a_page_number_that_never_changes_is_speech() -> None:
    text = ("Interviewer: Where is it written?\n\nMaria Lopez: See page 4 of 9 in the report.\n\n"
            "Interviewer: Which page?\n\nMaria Lopez: See page 4 of 9 in the report.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert [t for _, _, t in units(pt)].count("See page 4 of 9 in the report.") == 2
    assert not any("page header" in w for w in pt.warnings)


@pytest.mark.parametrize("text", [
    "Interviewer: Which page shows the budget?\n\nRespondent: Page 12.\n\nInterviewer: And the targets?\n\n"
    "Respondent: Page 14.\n\nInterviewer: Who wrote them?\n\nRespondent: The provincial team, with the donor.\n",
    "Moderator: Please turn to page 2.\nParticipant 1: The picture of the clinic?\n"
    "Moderator: Yes. What do you see there?\nParticipant 2: A nurse with a register, and a queue of mothers.\n"
    "Moderator: Please turn to page 3.\nParticipant 1: The same clinic, but empty.\n"
    "Moderator: Why is it empty, do you think?\nParticipant 2: Because the nurse is away at the training.\n",
    "Interviewer: Which page?\n\nRespondent: Page 12\n\nInterviewer: And the targets?\n\n"
    "Respondent: Page 14\n\nInterviewer: Who wrote them?\n\nRespondent: The provincial team, with the donor.\n",
])
def test_turns_that_name_a_page_are_speech_not_page_headers(text: str) -> None:
    pt = parse_transcript(text.encode(), "kii.txt")
    assert len(pt.turns) == text.count(": ")
    assert not any("page header" in w or "page breaks" in w for w in pt.warnings)


def test_a_time_at_the_end_of_each_turn_is_the_turns_time_not_its_words() -> None:
    text = ("Speaker 1: How long have you worked in this role? (01:29)\n\n"
            "Speaker 2: Since twenty twenty two, in the quality improvement team. (01:36)\n\n"
            "Speaker 1: And before that?\nWhat did you do? [01:50]\n")
    pt = parse_transcript(text.encode(), "lataca.txt")
    assert units(pt) == [
        ("Speaker 1", 89.0, "How long have you worked in this role?"),
        ("Speaker 2", 96.0, "Since twenty twenty two, in the quality improvement team."),
        ("Speaker 1", 110.0, "And before that? What did you do?"),
    ]
    assert any(w.startswith("3 time(s) written at the end of the turns") for w in pt.warnings)


def test_a_time_ending_a_turn_here_and_there_is_speech() -> None:
    text = ("Interviewer: When does the clinic open?\n\nMaria Lopez: The clinic opens (8:30)\n\n"
            "Interviewer: And closes?\n\nMaria Lopez: Late in the evening.\n\nInterviewer: Every day?\n\n"
            "Maria Lopez: Yes.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert ("Maria Lopez", None, "The clinic opens (8:30)") in units(pt)


def test_times_in_brackets_ending_lines_of_a_file_without_speaker_labels_are_words() -> None:
    text = ("Visit to the commune health station.\n\nThe clinic opens at (7:30)\n\nThe nurse arrives at (8:15)\n\n"
            "The queue was long; mothers waited two hours.\n")
    pt = parse_transcript(text.encode(), "clinic.txt")
    assert "The clinic opens at (7:30)" in pt.text and "The nurse arrives at (8:15)" in pt.text
    assert not any("written at the end of the turns" in w for w in pt.warnings)


@pytest.mark.parametrize("key", ["Interviewer = S00", "S00 = Interviewer", "interviewer = S00\ndate = 2026-01-12"])
def test_a_key_line_naming_the_interviewers_label_is_metadata_and_makes_that_label_the_interviewer(
        tmp_path: Path, key: str) -> None:
    text = (f"{key}\n\nS00: Could you describe your role in the project?\n\n"
            "S01: I coordinate the training of the facility staff.\n\nS00: And how has it changed your work?\n\n"
            "S01: We meet more often now, and the team plans together.\n")
    pt = parse_transcript(text.encode(), "lecturer.txt")
    assert pt.metadata["interviewer"] == "S00"
    assert all(u.speaker is not None for u in pt.units) and len(pt.units) == 4
    speakers, _ = import_text(tmp_path, "lecturer.txt", text)
    assert {s["label"]: s["role"] for s in speakers} == {"S00": "interviewer", "S01": "informant"}


def test_a_markdown_link_keeps_its_words_and_an_autolink_its_address() -> None:
    text = ("Senator Black: Did you read the [final report](http://www.parl.gc.ca/rep.pdf) of the committee?\n\n"
            "AA: Yes, it is at <http://www.parl.gc.ca/rep.pdf> and I read it.\n\n"
            "Senator Black: And the [video](https://www.youtube.com/watch?v=x&t=3m10s \"title\")?\n\nAA: Not yet.\n")
    pt = parse_transcript(text.encode(), "hearing.md")
    assert [t for _, _, t in units(pt)] == [
        "Did you read the final report of the committee?", "Yes, it is at http://www.parl.gc.ca/rep.pdf and I read it.",
        "And the video?", "Not yet."]


def test_the_front_matters_speakers_list_gives_the_names_initials_stand_for() -> None:
    text = ("---\ntitle: Canada Senate Bitcoin\nspeakers: ['Andreas Antonopoulos']\n---\n\n"
            "Senator Black: What would you suggest in terms of regulation?\n\n"
            "AA: I believe we are still at the early stages of this technology.\n\n"
            "Senator Black: Thank you.\n\nAA: Thank you, Senator.\n")
    pt = parse_transcript(text.encode(), "hearing.md")
    assert pt.speakers == ["Senator Black", "Andreas Antonopoulos"]
    assert any("read 'AA' as 'Andreas Antonopoulos'" in w for w in pt.warnings)


def test_a_title_beside_several_named_speakers_is_one_warning_not_one_for_each(tmp_path: Path) -> None:
    turns = [("Senator Black", "Thank you, chair. What is bitcoin?"), ("AA", "A network for payments."),
             ("Senator Greene", "Who runs it?"), ("AA", "Nobody does."), ("Senator Massicotte", "How so?"),
             ("AA", "It is decentralised."), ("Senator", "And who regulates it?"), ("AA", "Mathematics does."),
             ("Senator", "Thank you.")]
    text = "\n\n".join(f"{who}: {said}" for who, said in turns) + "\n"
    _, report = import_text(tmp_path, "hearing.txt", text)
    [entry] = report["transcripts"]
    alike = [w for w in entry["warnings"] if "'Senator'" in w and ("same person" in w or "any one of" in w)]
    assert alike == ["'Senator' may be any one of 3 speakers whose labels start so ('Senator Black', 'Senator Greene',"
                     " 'Senator Massicotte'): its units are counted as another speaker's; correct the labels in the"
                     " file, or give 'Senator' the right case in the case sheet"]


def test_a_preface_about_the_transcript_above_the_first_heading_is_metadata_not_speech() -> None:
    text = ("This is a transcript of the hearing. Here is a [video](https://example.org/v).\n\n"
            "# Questions\n\nSenator Black: What is bitcoin?\n\nAA: A network for payments.\n\n"
            "Senator Black: Thank you.\n\nAA: Thank you.\n")
    pt = parse_transcript(text.encode(), "hearing.md")
    assert units(pt) == [("Heading", None, "Questions"), ("Senator Black", None, "What is bitcoin?"),
                         ("AA", None, "A network for payments."), ("Senator Black", None, "Thank you."),
                         ("AA", None, "Thank you.")]
    assert pt.metadata["preamble"].startswith("This is a transcript of the hearing.")
    assert all(u.speaker is not None for u in pt.units)


def test_a_first_paragraph_that_says_nothing_of_the_transcript_stays_speech() -> None:
    text = ("Thank you all for coming today.\n\n# Questions\n\nSenator Black: What is bitcoin?\n\n"
            "AA: A network for payments.\n\nSenator Black: Thank you.\n\nAA: Thank you.\n")
    pt = parse_transcript(text.encode(), "hearing.md")
    assert (None, None, "Thank you all for coming today.") in units(pt)


ZOOM_SAVED_CAPTIONS = """[Experimenter] 19:00:25
Hello! Please say your participant id, so I can note it. For example,

[Experimenter] 19:00:31
G3P1.

[G3P1] 19:00:35
Okay, I am G3P1 and I am ready to start the session.

[G3P2] 19:00:40
I am G3P2, and I am ready too.

[Experimenter] 19:00:44
Good. What ideas do you have for the campus?

[G3P1] 19:00:50
We could plant more trees along the paths.
"""


def test_an_experimenter_is_the_interviewing_side_and_an_id_said_aloud_is_no_leaked_header(tmp_path: Path) -> None:
    speakers, report = import_text(tmp_path, "session.txt", ZOOM_SAVED_CAPTIONS)
    assert {s["label"]: s["role"] for s in speakers} == {"Experimenter": "interviewer", "G3P1": "informant",
                                                         "G3P2": "informant"}
    [entry] = report["transcripts"]
    assert not any("only a timestamp or a name" in w or "no interviewer found" in w for w in entry["warnings"])


def test_no_interviewer_found_says_how_many_speakers_it_did_not_list(tmp_path: Path) -> None:
    names = ["Ana Silva", "Bruno Costa", "Carla Dias", "Davi Souza", "Elisa Rocha", "Fabio Lima"]
    text = "\n\n".join(f"{name}: I think we should plant trees number {n}." for n, name in enumerate(names * 2)) + "\n"
    _, report = import_text(tmp_path, "class.txt", text)
    [entry] = report["transcripts"]
    assert any(w.startswith("no interviewer found among 'Ana Silva', 'Bruno Costa', 'Carla Dias', 'Davi Souza', ..."
                            " (6 speakers)") for w in entry["warnings"])


def test_a_pause_mark_never_starts_a_unit_and_never_cuts_a_sentence() -> None:
    from qualcode.importers.sentences import split_sentences

    text = ("Ja. (.) Genau, es geht um deine Perspektive als Lehrende. (.) Und gehe nicht davon aus, dass wir schon"
            " darüber gesprochen haben. Wir haben (.) Projekte gemacht, und das war gut so. (...)")
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Ja. (.)", "Genau, es geht um deine Perspektive als Lehrende. (.)",
        "Und gehe nicht davon aus, dass wir schon darüber gesprochen haben.",
        "Wir haben (.) Projekte gemacht, und das war gut so. (...)"]


def test_no_unit_of_a_real_german_interview_starts_with_a_pause_mark() -> None:
    from qualcode.importers import read_transcript

    source = Path(__file__).parents[1] / "fixtures" / "exports" / "real" / "interview_analysis_key.txt"
    said = [t for _, _, t in units(read_transcript(source))]
    assert not [t for t in said if t.startswith("(")]
    assert any(t.endswith("(.)") for t in said)  # the marks stay in the text


MINUTES_AI = """Transcribed on August 5, 2025 at 7:52 pm by Minutes AI

Speaker 1 (00:00)
How did the project start in your province?

Speaker 2 (00:04)
It started in May, when the union asked us.

Speaker 1 (00:09)
And then?

Speaker 2 (00:11)
We trained forty workers.
"""


def test_a_transcription_tools_dated_credit_is_left_out_not_the_title() -> None:
    pt = parse_transcript(MINUTES_AI.encode(), "minutes.txt")
    assert "title" not in pt.metadata
    assert not any("Minutes AI" in str(v) for v in pt.metadata.values())
    assert [(s, t) for s, t, _ in units(pt)] == [("Speaker 1", 0.0), ("Speaker 2", 4.0), ("Speaker 1", 9.0),
                                                 ("Speaker 2", 11.0)]
    assert any("crediting the transcription tool" in w for w in pt.warnings)


def test_a_line_saying_who_transcribed_it_is_not_a_tools_credit() -> None:
    from qualcode.importers.preamble import TOOL_CREDIT

    assert TOOL_CREDIT.fullmatch("Transcribed on 5 May by Minutes AI")
    assert not TOOL_CREDIT.fullmatch("Transcribed on 5 May by my colleague Anna Mai")
    assert not TOOL_CREDIT.fullmatch("Transcribed by Nguyen Ai")  # a person (Ái written without its accent)


def test_a_recurring_note_in_italics_alone_on_its_line_is_no_speaker() -> None:
    text = ("Interviewer: How was it?\n\n*Music Playing*\n\nMaria Lopez: It was fine, we managed.\n\n"
            "*Music Playing*\n\nInterviewer: And then?\n\nMaria Lopez: Then it ended.\n")
    pt = parse_transcript(text.encode(), "kii.md")
    assert pt.speakers == ["Interviewer", "Maria Lopez"]
    assert [t for _, _, t in units(pt)].count("Music Playing") == 2


@pytest.mark.parametrize(("text", "speakers", "kept"), [
    # a word stressed in italics inside an answer
    ("**Interviewer:** What should the report say?\n\n**Maria Lopez:** Two things.\n\n"
     "*First*: the budget came late, every year.\n\n*Second*: the nurses were never asked.\n\n"
     "**Interviewer:** Thank you.\n",
     ["Interviewer", "Maria Lopez"], "First: the budget came late, every year."),
    # the translation under each turn of a transcript with interpretation
    ("**Interviewer:** Chị có tham gia khóa tập huấn không?\n\n*English:* Did you attend the training?\n\n"
     "**Ms. Hoa:** Có, tôi tham gia hai lần.\n\n*English:* Yes, I attended twice.\n\n"
     "**Interviewer:** Khóa học có hữu ích không?\n\n*English:* Was the course useful?\n\n"
     "**Ms. Hoa:** Rất hữu ích cho công việc.\n\n*English:* Very useful for my work.\n",
     ["Interviewer", "Ms. Hoa"], "English: Yes, I attended twice."),
    # the transcriber's note in a Spanish transcript
    ("**Entrevistadora:** ¿Cómo empezó el proyecto?\n\n**Entrevistado:** Empezó en 2019.\n\n"
     "*Nota:* el entrevistado pidió no grabar la siguiente parte.\n\n**Entrevistadora:** ¿Y después?\n\n"
     "**Entrevistado:** Después vino la pandemia.\n",
     ["Entrevistadora", "Entrevistado"], "Nota: el entrevistado pidió no grabar la siguiente parte."),
    # a bullet in interview notes
    ("# KII notes\n\n## Relevance\n- The programme matched the province's priorities.\n"
     "- *Key point:* the department wanted more focus on small enterprises.\n\n## Effectiveness\n"
     "- Staff trained twice; the second session was shorter.\n",
     [], "Key point: the department wanted more focus on small enterprises."),
    # italic topic leads in notes
    ("# KII notes: District Health Office\n\n*Background:* The office coordinates 12 commune health stations.\n\n"
     "*Training:* Staff said the training was useful but too short.\n\n"
     "*Registers:* The new registers arrived late in two communes.\n\n*Training:* A second session was held in May.\n\n"
     "*Follow-up:* Send the budget table.\n",
     [], "Training: A second session was held in May."),
])
def test_a_word_in_italics_before_a_colon_is_no_speaker_unless_the_file_labels_so(
        text: str, speakers: list[str], kept: str) -> None:
    """Once read as speakers 'First', 'English', 'Nota', 'Key point', 'Training', who took the words."""
    pt = parse_transcript(text.encode(), "kii.md")
    assert [s for s in pt.speakers if s not in ("Notes", "Heading")] == speakers
    assert kept in pt.text


def test_turns_labelled_interviewer_and_interviewee_above_a_third_voice_are_speech_not_a_cover_page() -> None:
    text = ("Interviewer: Thank you for meeting us today. Can you tell me about your role?\n\n"
            "Interviewee: I coordinate the district health programme. I have been here since 2019.\n\n"
            "Interviewer: What changed after the training?\n\n"
            "Interviewee: The nurses now use the new registers. It took about six months.\n\n"
            "Dr. Lan: If I may add, the registers were late in two communes.\n\n"
            "Interviewer: Why were they late?\n\nInterviewee: The printing budget came in March.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    said = units(pt)
    assert said[0] == ("Interviewer", None, "Thank you for meeting us today.")
    assert [t.speaker for t in pt.turns] == ["Interviewer", "Interviewee", "Interviewer", "Interviewee", "Dr. Lan",
                                       "Interviewer", "Interviewee"]
    assert "interviewer" not in pt.metadata
    assert not any("cover page" in w for w in pt.warnings)


def test_an_oral_history_labelled_narrator_keeps_its_first_turns() -> None:
    text = ("Narrator: I was born in 1932 in a small village near Hue.\n\n"
            "Interviewer: What do you remember of the village?\n\n"
            "Narrator: The river, mostly. We fished every morning.\n\n"
            "Unidentified speaker: Sorry, the door.\n\nInterviewer: Please go on.\n\n"
            "Narrator: My father sold the fish at the market.\n")
    pt = parse_transcript(text.encode(), "oral.txt")
    assert [t.speaker for t in pt.turns] == ["Narrator", "Interviewer", "Narrator", "Unidentified speaker",
                                            "Interviewer", "Narrator"]
    assert units(pt)[-1] == ("Narrator", None, "My father sold the fish at the market.")
    assert "interviewee" not in pt.metadata and "interviewer" not in pt.metadata


def test_a_bullets_lead_in_bold_is_no_speaker() -> None:
    """'- **Key point:** ...' in interview notes made 'Key point' a speaker who took the next section."""
    text = ("# KII notes\n\n## Relevance\n- The programme matched the priorities.\n"
            "- **Key point:** the department wanted more focus.\n\n## Effectiveness\n- Staff trained twice.\n")
    pt = parse_transcript(text.encode(), "notes.md")
    assert "Key point" not in pt.speakers
    assert pt.record == "notes"
    assert "Key point: the department wanted more focus." in pt.text
