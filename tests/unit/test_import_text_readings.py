"""What a text transcript's import must not misread: who interviews, whose words a line is, what is speech."""

from __future__ import annotations

from pathlib import Path

from transcript_support import import_text, spoken_turns

from qualcode.importers import parse_transcript


def _import(tmp_path: Path, name: str, text: str) -> tuple[dict[str, str], list[str]]:
    """The roles of the speakers of one imported transcript, and what the report says of it (warnings and notes)."""
    speakers, report = import_text(tmp_path, name, text)
    [entry] = report["transcripts"]
    return {s["label"]: s["role"] for s in speakers}, list(entry["warnings"]) + list(entry["notes"])


def test_an_informant_whose_job_is_facilitator_stays_the_informant(tmp_path: Path) -> None:
    key = "I: Interviewer\nR: Facilitator\n\n"
    speech = ("I: How long have you run the savings groups?\n\nR: Three years. I meet each group every week.\n\n"
              "I: What changed for the members?\n\nR: They save more and borrow less from lenders.\n")
    roles, _ = _import(tmp_path / "a", "kii_fac.txt", key + speech)
    assert roles == {"I": "interviewer", "R": "informant"}
    named = ("Clara Jensen, Evaluator: How long have you run the savings groups?\n\n"
             "Nguyen Thi Hoa, Facilitator: Four years. I meet each group every week.\n\n"
             "Clara Jensen, Evaluator: What changed for the members?\n\n"
             "Nguyen Thi Hoa, Facilitator: They save more and borrow less from lenders.\n")
    roles, _ = _import(tmp_path / "b", "kii_fac2.txt", named)
    assert roles == {"Clara Jensen": "interviewer", "Nguyen Thi Hoa": "informant"}


def test_notes_that_would_make_every_speaker_the_interviewer_are_not_read_as_roles(tmp_path: Path) -> None:
    text = ("Clara Jensen (interviewer): How long have you run the savings groups?\n\n"
            "Tom Berg (interviewer): Four years. I meet each group every week.\n\n"
            "Clara Jensen (interviewer): What changed for the members?\n\n"
            "Tom Berg (interviewer): They save more and borrow less from lenders.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert "interviewer" not in pt.metadata
    assert any("would make every speaker the interviewer" in w for w in pt.warnings)


def test_a_name_with_a_role_in_lower_case_before_each_answer_is_the_speaker() -> None:
    text = ("Interviewer: Where?\nNguyen Thi Hoa, head nurse: At the clinic.\n"
            "Interviewer: When?\nNguyen Thi Hoa, head nurse: In 2019.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert spoken_turns(pt) == [
        ("Interviewer", "Where?"), ("Nguyen Thi Hoa", "At the clinic."),
        ("Interviewer", "When?"), ("Nguyen Thi Hoa", "In 2019.")]
    assert pt.metadata["speaker_notes"] == {"Nguyen Thi Hoa": "head nurse"}
    # once, the same shape is a sentence of the interviewer's
    once = "Interviewer: Which province?\nBac Ninh, for example: the factories there.\nR1: Yes.\nInterviewer: Ok.\n"
    pt = parse_transcript(once.encode(), "kii.txt")
    assert "Bac Ninh, for example: the factories there." in pt.text
    assert "Bac Ninh" not in {t.speaker for t in pt.turns}


def test_times_in_brackets_are_speech_unless_the_file_is_marked_with_them_throughout() -> None:
    said = "He read John [3:16] to us. The clinic opens (8:30) daily. We lost (2:45) in overtime."
    pt = parse_transcript(f"Interviewer: And then?\n\nRespondent: {said}\n\nInterviewer: Ok.\n".encode(), "kii.txt")
    assert said in pt.text
    assert not any("timestamp" in w for w in pt.warnings)
    marked = ("Interviewer: And then? [00:18:00]\n\nRespondent: It was late [00:19:00]. We waited [00:20:00], then"
              " left (00:21:00)!\n\nInterviewer: Ok.\n")
    pt = parse_transcript(marked.encode(), "kii.txt")
    assert "It was late. We waited, then left (00:21:00)!" in pt.text
    assert "3 timestamp(s) inside the speech, as Descript marks each minute, were left out of the text (the first:" \
           " '[00:18:00]')" in pt.warnings
    # times beside the labels are the turns' times, not marks inside the speech
    timed = "".join(f"{who} [00:00:{k:02d}]: {said}\n\n" for k, (who, said) in enumerate(
        [("Interviewer", "When?"), ("Respondent", "We met at [12:30] that day."), ("Interviewer", "Ok."),
         ("Respondent", "Yes.")]))
    assert "We met at [12:30] that day." in parse_transcript(timed.encode(), "kii.txt").text


def test_an_opening_exchange_of_short_lines_is_speech_not_a_key_of_the_labels() -> None:
    text = ("I: and your position in the group\nR: facilitator\n\n"
            "I: How long have you done that? Tell me about it.\n\n"
            "R: Five years. It has been hard because of staffing.\n\nI: Thanks.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert pt.text.startswith("and your position in the group\n\nfacilitator")
    assert "speaker_notes" not in pt.metadata
    assert not any("key above the speech" in w for w in pt.warnings)


def test_a_wrapped_line_of_speech_that_mentions_a_transcription_tool_is_kept() -> None:
    text = ("Interviewer: Did the app help?\n\nRespondent: My daughter said the notes were\n"
            "transcribed by otter.ai - she uses it every day for school\nand it works.\n\nInterviewer: Ok.\n\n"
            "Transcribed by https://otter.ai\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert ("My daughter said the notes were transcribed by otter.ai - she uses it every day for school and it"
            " works.") in pt.text
    assert "https://otter.ai" not in pt.text
    assert "1 line(s) crediting the transcription tool ('Transcribed by ...') were left out of the text" in pt.warnings


def test_stars_are_markdown_only_in_markdown_and_an_action_in_stars_is_a_note_not_a_word() -> None:
    text = ("Interviewer: How was the training?\n\nRespondent: I was *sigh* so tired. It was *really* long.\n\n"
            "Respondent: *laughs*\n\nInterviewer: Thank you.\n")
    plain = parse_transcript(text.encode(), "kii.txt")
    assert "I was [sigh] so tired. It was *really* long." in plain.text
    assert "[laughs]" in plain.text
    marked = parse_transcript(text.encode(), "kii.md")
    assert "I was [sigh] so tired. It was really long." in marked.text


def test_a_job_after_a_comma_is_the_speakers_description_but_given_names_make_one_name(tmp_path: Path) -> None:
    text = ("Dr. Nguyen, District Officer: We started in 2019.\nInterviewer: Why?\n"
            "Dr. Nguyen, District Officer: Because the ministry asked.\nInterviewer: Thanks.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert [t.speaker for t in pt.turns] == ["Dr. Nguyen", "Interviewer", "Dr. Nguyen", "Interviewer"]
    assert pt.metadata["speaker_notes"] == {"Dr. Nguyen": "District Officer"}
    assert any("'Dr. Nguyen, District Officer' as the speaker 'Dr. Nguyen', described as 'District Officer'" in w
               for w in pt.warnings)
    roles, said = _import(tmp_path / "a", "kii_officer.txt", text)
    assert roles == {"Dr. Nguyen": "informant", "Interviewer": "interviewer"}
    assert any("described as 'District Officer'" in w for w in said)
    # without a title, a job word says the same: "Hoang, Programme Manager" is Hoang, a programme manager
    managers = ("Interviewer: Who runs it?\nHoang, Programme Manager: I do.\n"
                "Interviewer: Since when?\nHoang, Programme Manager: Since 2020.\n")
    pt = parse_transcript(managers.encode(), "kii.txt")
    assert [t.speaker for t in pt.turns] == ["Interviewer", "Hoang", "Interviewer", "Hoang"]
    assert pt.metadata["speaker_notes"] == {"Hoang": "Programme Manager"}
    # given names after a surname are a name written last name first, whether one word or two
    for name in ("Jensen, Clara", "Tran, Thi Thu"):
        named = f"Interviewer: Who runs it?\n{name}: I do.\nInterviewer: Since when?\n{name}: Since 2020.\n"
        pt = parse_transcript(named.encode(), "kii.txt")
        assert [t.speaker for t in pt.turns] == ["Interviewer", name, "Interviewer", name]
        assert "speaker_notes" not in pt.metadata
        assert any(f"'{name}' was read as one name written last name first" in w for w in pt.warnings)


def test_a_label_whose_number_was_typed_twice_is_the_speaker_with_that_number(tmp_path: Path) -> None:
    text = ("Interviewer 2: How did the training go?\nRespondent: Well, mostly.\n"
            "Interviewer2 2: What would you change?\nRespondent: The timing.\n"
            "Interviewer 2: Thank you.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert [t.speaker for t in pt.turns] == ["Interviewer 2", "Respondent"] * 2 + ["Interviewer 2"]
    assert any("'Interviewer2 2' was read as the speaker 'Interviewer 2'" in w for w in pt.warnings)
    roles, said = _import(tmp_path / "a", "kii_typo.txt", text)
    assert roles == {"Interviewer 2": "interviewer", "Respondent": "informant"}
    assert any("'Interviewer2 2' was read as the speaker 'Interviewer 2'" in w for w in said)
    # where the file never writes the number once, the label stays as written, and it is still an interviewer
    alone = text.replace("Interviewer 2:", "Interviewer1 1:").replace("Interviewer2 2:", "Interviewer1 1:")
    roles, _ = _import(tmp_path / "b", "kii_typo_alone.txt", alone)
    assert roles == {"Interviewer1 1": "interviewer", "Respondent": "informant"}


def test_a_chat_layout_is_read_only_where_it_is_the_files_pattern() -> None:
    chat = ("<Interviewer> How did the savings groups start?\n<Elena Novak> The district called us in 2019.\n"
            "<Elena Novak> We were twelve women then.\n<Interviewer> And now?\n<Elena Novak> Forty, in three groups.\n")
    parsed = parse_transcript(chat.encode(), "kii_chat.txt")
    assert [(parsed.turns[k].speaker, parsed.text[parsed.turns[k].start:parsed.turns[k].end])
            for k in range(2)] == [("Interviewer", "How did the savings groups start?"),
                                   ("Elena Novak", "The district called us in 2019.\nWe were twelve women then.")]
    # a tag at the start of a line here and there is no chat: the lines stay as they were written
    once = ("Interviewer: How did the groups start?\n\nMs Hoa: The district called us.\n<b>Note</b> about the"
            " register.\n<Hoa> was written on the register.\n\nInterviewer: And now?\n\nMs Hoa: Forty members.\n")
    parsed = parse_transcript(once.encode(), "kii_tags.txt")
    assert parsed.speakers == ["Interviewer", "Ms Hoa"]
    assert "<Hoa> was written on the register." in parsed.text


def test_a_chat_export_with_a_date_and_time_before_each_name_reads_the_names() -> None:
    # WhatsApp's export: "date, time - Name: message"
    text = ("02/05/2024, 09:30 - Clara Jensen: How did the savings groups start?\n"
            "02/05/2024, 09:31 - Elena Novak: The district called us in 2019.\n"
            "02/05/2024, 09:33 - Clara Jensen: And now?\n02/05/2024, 09:34 - Elena Novak: Forty members.\n")
    parsed = parse_transcript(text.encode(), "whatsapp_chat.txt")
    assert parsed.speakers == ["Clara Jensen", "Elena Novak"]
    assert parsed.text.splitlines()[0] == "How did the savings groups start?"


def test_initials_are_read_as_the_name_the_transcript_gives_when_only_one_fits(tmp_path: Path) -> None:
    # the names in the header, the turns labelled by initials
    header = ("Date: 3 May 2024\nInterviewer: Clara Jensen\nRespondent: Elena Novak\n\n"
              "CJ: How did the savings groups start?\n\nEN: The district called us in 2019.\n\n"
              "CJ: And now?\n\nEN: Forty members, in three groups.\n")
    roles, said = _import(tmp_path / "a", "kii_initials.txt", header)
    assert roles == {"Clara Jensen": "interviewer", "Elena Novak": "informant"}
    assert any("read 'CJ' as 'Clara Jensen', 'EN' as 'Elena Novak'" in s for s in said)
    # the first labels give the names, the later ones the initials: one speaker each
    first = ("Elena Novak: I lead the savings group in Kibuye.\n\nClara Jensen: How did it start?\n\n"
             "EN: The district called us.\n\nCJ: And now?\n\nEN: Forty members.\n")
    parsed = parse_transcript(first.encode(), "kii_first.txt")
    assert parsed.speakers == ["Elena Novak", "Clara Jensen"]
    assert [t.speaker for t in parsed.turns] == ["Elena Novak", "Clara Jensen", "Elena Novak", "Clara Jensen",
                                                 "Elena Novak"]


def test_initials_two_names_share_stay_as_written_and_the_report_says_why() -> None:
    text = ("Date: 3 May 2024\nParticipants: Elena Novak, Emil Nowak\n\nI: How did the groups start?\n\n"
            "EN: The district called us.\n\nI: And now?\n\nEN: Forty members.\n")
    parsed = parse_transcript(text.encode(), "fgd_initials.txt")
    assert parsed.speakers == ["I", "EN"]
    assert any("'EN' could stand for 'Elena Novak', 'Emil Nowak': left as written" in w for w in parsed.warnings)


GOOD_TAPE = (
    "Thank you for agreeing to talk to us about the collective agreement. We are evaluating the programme and your"
    " views matter. Could you start by telling me about your role?\n\n"
    "Sure. I have been the chair of the union at the factory since 2019. Before that I worked on the line for six"
    " years, so I know the workers well.\n\n"
    "What changed with the training on grievance handling?\n\n"
    "A lot changed. Before, complaints went nowhere. Now we have a register and the supervisors answer within a"
    " week. The workers trust the process more, I think, because they see results.\n"
)


def test_a_transcription_without_speaker_labels_is_speech_a_paragraph_a_turn_and_the_report_says_how_to_name_them(
    tmp_path: Path,
) -> None:
    parsed = parse_transcript(GOOD_TAPE.encode(), "kii_union.txt")
    assert parsed.record == "verbatim" and parsed.speakers == []
    assert [parsed.text[t.start:t.end][:20] for t in parsed.turns] == [
        "Thank you for agreei", "Sure. I have been th", "What changed with th", "A lot changed. Befor"]
    roles, said = _import(tmp_path / "a", "kii_union.txt", GOOD_TAPE)
    assert roles == {}
    assert any(s.startswith("no speaker labels were found: read as verbatim speech") and
               "put a label ('Interviewer:', 'Elena Novak:') at the start of each turn" in s for s in said)


def test_notes_in_the_third_person_stay_notes_however_long() -> None:
    notes = ("The director said the department has no budget to continue the meetings after the project closes. She"
             " would join if the chamber organises them. The province plans its own dialogue forum for 2025 but the"
             " staff are new and were not trained. The union was not consulted on the roadmap. Inspectors visited"
             " twelve factories in 2023 and found fewer disputes where a grievance register was kept. The department"
             " asked for the training materials in Vietnamese.\n")
    parsed = parse_transcript(notes.encode(), "kii_department.txt")
    assert parsed.record == "notes" and parsed.speakers == ["Notes"]


def test_a_case_sheet_that_names_a_speaker_by_her_initials_finds_her_under_her_name(tmp_path: Path) -> None:
    """The transcript labels 'EN:' and names Elena Novak, so the speaker is 'Elena Novak'; a focus-group case sheet
    written from the same transcript names her 'EN': that row is hers."""
    text = ("Date: 3 May 2024\nParticipants: Elena Novak, Marta Ruiz\n\nModerator: How did the groups start?\n\n"
            "EN: The district called us.\n\nMR: I joined later.\n\nModerator: And now?\n\nEN: Forty members.\n\n"
            "MR: Three groups.\n")
    speakers, report = import_text(tmp_path, "fgd_savings.txt", text, cases=(
        "transcript_id,speaker,case_id,type,stakeholder_group\nfgd_savings,EN,FGD-EN,FGD,Community\n"
        "fgd_savings,MR,FGD-MR,FGD,Community\n"))
    cases = {s["label"]: s["case_id"] for s in speakers}
    assert cases == {"Moderator": None, "Elena Novak": "FGD-EN", "Marta Ruiz": "FGD-MR"}
    assert not any("has no speaker" in w for w in report.get("warnings", []))


def test_initials_of_the_header_interviewer_do_not_make_the_informant_an_interviewer(tmp_path: Path) -> None:
    # 'I:' asks; 'NH:' answers and happens to share the initials of the interviewer the header names
    text = ("Date: 3 May 2024\nInterviewer: Nadia Haddad\nLocation: Hai Phong\n\n"
            "I: Thank you for meeting us. What is your role in the cooperative?\n\n"
            "NH: I am the chair of the cooperative since 2020. We have 45 members.\n\n"
            "I: What changed with the training?\n\n"
            "NH: The members keep records now, and the bank gave us a loan for the first time.\n")
    roles, said = _import(tmp_path / "a", "kii_nh.txt", text)
    assert roles == {"I": "interviewer", "NH": "informant"}
    assert not any("read 'NH' as 'Nadia Haddad'" in s for s in said)
    assert any("'NH' has the initials of 'Nadia Haddad', whom the header names as the interviewer" in s
               for s in said)
    # no other label asks, but reading NH as the interviewer would leave nobody else speaking
    alone = text.replace("I: ", "Nadia Haddad: ")
    parsed = parse_transcript(alone.encode(), "kii_nh_named.txt")
    assert parsed.speakers == ["Nadia Haddad", "NH"]
    assert any("did not read 'NH' as 'Nadia Haddad': it would leave nobody but the interviewer" in w
               for w in parsed.warnings)


def test_a_case_sheet_row_of_initials_two_speakers_share_is_given_to_neither(tmp_path: Path) -> None:
    speakers, report = import_text(
        tmp_path, "fgd_two.txt", "Moderator: How did the groups start?\n\nElena Novak: The district called us.\n\n"
        "Emil Nowak: I joined later, in 2021.\n\nModerator: And now?\n\nElena Novak: Forty members.\n\n"
        "Emil Nowak: Three groups.\n",
        cases="transcript_id,speaker,case_id,type,stakeholder_group\nfgd_two,EN,FGD-EN,FGD,Community\n")
    cases = {s["label"]: s["case_id"] for s in speakers}
    assert cases == {"Moderator": None, "Elena Novak": None, "Emil Nowak": None}
    [entry] = report["transcripts"]
    assert any("the case-sheet row 'EN' fits 'Elena Novak', 'Emil Nowak' alike: none was given its case" in w
               for w in entry["warnings"])


def test_upper_case_tags_before_each_line_are_both_senders_and_no_question_joins_an_answer(tmp_path: Path) -> None:
    text = ("<I> Thank you for meeting us. What is your role in the cooperative?\n"
            "<R> I am the chair of the cooperative since 2020.\n<R> We have 45 members now, most of them women.\n"
            "<I> What changed with the training?\n<R> The members keep records now.\n"
            "<R> And the bank gave us a loan for the first time.\n<I> Will it continue?\n"
            "<R> Yes, we pay the bookkeeper ourselves.\n")
    roles, _ = _import(tmp_path / "a", "kii_tags.txt", text)
    assert roles == {"I": "interviewer", "R": "informant"}
    parsed = parse_transcript(text.encode(), "kii_tags.txt")
    turns = spoken_turns(parsed)
    assert turns[:2] == [("I", "Thank you for meeting us. What is your role in the cooperative?"),
                         ("R", "I am the chair of the cooperative since 2020.\nWe have 45 members now, most of them"
                               " women.")]
    assert "<I>" not in parsed.text and not any(s == "R" and "?" in said for s, said in turns)
    # '<A>'/'<B>' likewise; a lower-case '<b>' line is markup, nobody's message, and is not glued to B's turn
    ab = ("<A> How did it start?\n<B> The district called us.\n<A> And now?\n<B> Forty members.\n"
          "<b> a note in bold\n<B> Three groups.\n")
    parsed = parse_transcript(ab.encode(), "fgd_ab.txt")
    assert spoken_turns(parsed)[3:] == [
        ("B", "Forty members."), (None, "<b> a note in bold"), ("B", "Three groups.")]
    assert any("1 line(s) starting with a tag that names no sender were kept as turns of no speaker" in w
               for w in parsed.warnings)


HEADTEACHER_NOTES = (
    "KII with head teacher, Hoa Binh primary school, 3 May 2024\n\n"
    "We met in the staff room after classes. I introduced the evaluation and the consent form, and we agreed not to"
    " record.\n\nHow do you see the relevance of the reading programme?\nShe thinks it fits the school's needs well."
    " The materials are in Vietnamese and the pictures show village life, which the children like. Our discussion"
    " then moved to the teacher training.\n\nWhat changed in your classrooms?\nTeachers now read aloud every day."
    " She said that attendance in grade 1 went up, but she has no figures. I asked for the register; she will send"
    " it.\n\nWhat would you change?\nMore books for grade 3. The training should be repeated for new teachers, who"
    " join every year.\n"
)


def test_notes_in_the_third_person_with_guide_questions_and_a_few_first_person_sentences_stay_notes() -> None:
    parsed = parse_transcript(HEADTEACHER_NOTES.encode(), "KII-05_headteacher.txt")
    assert parsed.record == "notes" and parsed.speakers == ["Notes"]
    # without its title line, the reported sayings ("She thinks", "She said") still make it notes
    untitled = HEADTEACHER_NOTES.split("\n\n", 1)[1]
    parsed = parse_transcript(untitled.encode(), "KII-05_headteacher.txt")
    assert parsed.record == "notes" and parsed.speakers == ["Notes"]
    # the same interview told by the head teacher herself is speech
    spoken = untitled.replace("She thinks it fits", "I think it fits").replace(
        "She said that attendance", "Attendance").replace("she has no figures", "I have no figures").replace(
        "I asked for the register; she will send it.", "You can have the register; I will send it.")
    assert parse_transcript(spoken.encode(), "kii_spoken.txt").record == "verbatim"


def test_a_dated_field_log_keeps_its_dates_and_has_no_speaker_named_observation() -> None:
    log = ("Field log, district visit\n\n"
           "12/03/2024 09:00 Observation: the clinic opened late; twelve mothers were waiting outside.\n"
           "12/03/2024 11:30 Observation: the referral register was filled in for every case that morning.\n"
           "13/03/2024 08:45 Observation: the motorbike ambulance was out of fuel, the driver said since Monday.\n"
           "13/03/2024 14:10 Observation: two community health workers did not know the new referral form.\n")
    parsed = parse_transcript(log.encode(), "field_log.txt")
    assert parsed.record == "notes" and parsed.speakers == ["Notes"]
    assert "12/03/2024 09:00 Observation: the clinic opened late" in parsed.text
    assert "13/03/2024 14:10 Observation: two community health workers" in parsed.text
    # a chat export's dates are left out, and the report counts them
    chat = ("02/05/2024, 09:30 - Clara Jensen: How did the savings groups start?\n"
            "02/05/2024, 09:31 - Elena Novak: The district called us in 2019.\n"
            "02/05/2024, 09:33 - Clara Jensen: And now?\n02/05/2024, 09:34 - Elena Novak: Forty members.\n")
    parsed = parse_transcript(chat.encode(), "whatsapp_chat.txt")
    assert parsed.speakers == ["Clara Jensen", "Elena Novak"] and "02/05/2024" not in parsed.text
    assert any("4 date(s) and time(s) a chat export writes before each message were left out of the text (the"
               " first: '02/05/2024, 09:30 -')" in w for w in parsed.warnings)


def test_a_chat_line_starting_with_a_dash_is_text_unless_it_says_who_joined_or_left() -> None:
    chat = ("<Clara> Thanks for joining the call. What should the programme keep next year?\n"
            "<Elena> Our priorities:\n* training for the new staff\n* fuel for the bikes\n<Elena> and one more thing\n"
            "— Marta would say the same, I think\n— Clara would disagree\n→ Marta joined (~marta@example.org)\n"
            "<Clara> Noted. Anything else?\n<Elena> No, that is all.\n")
    parsed = parse_transcript(chat.encode(), "chat_bullets.txt")
    turns = spoken_turns(parsed)
    assert turns[1] == ("Elena", "Our priorities:\ntraining for the new staff\nfuel for the bikes\nand one more thing"
                                 " — Marta would say the same, I think — Clara would disagree")
    assert [s for s, _ in turns] == ["Clara", "Elena", "Clara", "Elena"]
    assert "joined" not in parsed.text
    assert any("; 1 line(s) of people joining, leaving or renamed (or other notices of the chat server) were left"
               " out" in w for w in parsed.warnings)


def test_a_name_written_last_name_first_in_the_header_is_one_person_whom_her_initials_find() -> None:
    text = ("Date: 3 May 2024\nParticipants: Novak, Elena; Marta Ruiz\n\nModerator: How did the groups start?\n\n"
            "EN: The district called us.\n\nMR: I joined later.\n\nModerator: And now?\n\nEN: Forty members.\n")
    parsed = parse_transcript(text.encode(), "fgd_last_first.txt")
    assert parsed.speakers == ["Moderator", "Novak, Elena", "Marta Ruiz"]
    assert any("read 'EN' as 'Novak, Elena', 'MR' as 'Marta Ruiz'" in w for w in parsed.warnings)
