"""Research interviews as teams really write them (tests/fixtures/interviews/, and their shapes in other languages and
tools): the key of the labels on one line, a time inside the bold label, labels in Chinese and Japanese with the
full-width colon, a name with its organisation, and what the doctor shows of the speakers' names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transcript_support import import_text, spoken_turns

from qualcode.importers import parse_transcript, read_transcript
from qualcode.model import ParsedTranscript
from qualcode.safety.doctor import run_doctor

INTERVIEWS = Path(__file__).parents[1] / "fixtures" / "interviews"


def _units(pt: ParsedTranscript) -> list[str]:
    return [pt.text[u.start:u.end] for u in pt.units]


def test_real_key_of_the_labels_on_one_line_is_what_they_stand_for_not_the_interviewers_words() -> None:
    pt = read_transcript(INTERVIEWS / "divekit_key_on_one_line.md")
    assert not any("Interwiever" in u or "Befragter" in u for u in _units(pt))
    assert pt.speakers == ["I", "B"]  # "2 Speakers: Speaker1 mba, ..." above the speech is a count, not a speaker
    assert pt.metadata["speaker_notes"] == {"I": "Interwiever", "B": "Befragter"}
    # "2 Speakers: ..." and "Start of transcript" above the first label are a preface about the transcript
    assert spoken_turns(pt)[0][0] == "I" and spoken_turns(pt)[0][1].startswith("Okay, alles klar.")
    assert "Start of transcript" not in pt.text and "Start of transcript" in pt.metadata["preamble"]
    assert any("key of the labels on one line" in n and "I: Interwiever, B: Befragter" in n for n in pt.warnings)


def test_real_word_key_in_brackets_names_the_numbered_labels_by_their_letter() -> None:
    pt = read_transcript(INTERVIEWS / "haski_key_in_brackets.docx")
    assert "(S = Student; I = Interviewer)" not in pt.text
    assert "Interview with S1 and S2" not in pt.text and pt.metadata["preamble"].startswith("Interview with S1 and S2")
    assert pt.metadata["speaker_notes"] == {"I": "Interviewer", "S1": "Student", "S2": "Student"}
    assert pt.metadata["interviewer"] == "I"
    assert set(pt.speakers) == {"I", "S1", "S2"}


@pytest.mark.parametrize("key", ["I = Interviewer / B = Befragte", "(I = Interviewer; B = Befragte)",
                                 "I: Interviewer, B: Befragte", "I = Interviewerin | B = Befragter"])
def test_a_key_on_one_line_in_the_ways_teams_write_it(key: str) -> None:
    speech = ("I: Wie lange arbeiten Sie schon hier?\n\nB: Seit zehn Jahren, davor in der Verwaltung.\n\n"
              "I: Was hat sich verändert?\n\nB: Die Finanzierung ist knapper geworden.\n")
    pt = parse_transcript(f"{key}\n\n{speech}".encode(), "interview.txt")
    assert [s for s, _ in spoken_turns(pt)] == ["I", "B", "I", "B"]
    assert spoken_turns(pt)[0][1] == "Wie lange arbeiten Sie schon hier?"
    assert pt.metadata["speaker_notes"]["B"].startswith("Befragte")


def test_an_opening_exchange_on_one_line_stays_speech() -> None:
    text = ("I: Good morning, B: morning to you\n\nB: Thank you for coming.\n\nI: How long have you worked here?\n\n"
            "B: Ten years.\n")
    pt = parse_transcript(text.encode(), "interview.txt")
    assert spoken_turns(pt)[0] == ("I", "Good morning, B: morning to you")
    assert "speaker_notes" not in pt.metadata


def test_real_label_with_its_time_inside_the_bold_is_read_with_the_time() -> None:
    pt = read_transcript(INTERVIEWS / "divekit_time_inside_bold.md")
    assert pt.speakers == ["I", "B", "P"]
    assert pt.metadata["title"] == "Interview Transkript n.n. WMA 2"  # the front matter, not the tool's header
    turns = pt.turns
    assert [(t.speaker, t.t_start) for t in turns[:3]] == [("I", 0.0), ("B", 24.0), ("I", 28.0)]
    late = next(t for t in turns if pt.text[t.start:t.end].startswith("Ja, in PP"))
    assert (late.speaker, late.t_start) == ("B", 1681.0)  # "**B: [00:28:01]**", a colon before the time
    assert not any("[00:" in u or "**" in u for u in _units(pt))


@pytest.mark.parametrize(("text", "asker", "answerer"), [
    ("采访者：请介绍一下您在项目中的角色。\n\n王小明：我负责社区卫生站的日常管理，已经五年了。\n\n"
     "采访者：项目带来了哪些变化？\n\n王小明：主要是培训多了，药品供应也稳定了。\n", "采访者", "王小明"),
    ("インタビュアー：まず、現在のお仕事について教えてください。\n田中：はい、市役所で福祉を担当しています。\n"
     "インタビュアー：事業の成果はどうでしたか？\n田中：予算は減りましたが、住民の参加は増えました。\n",
     "インタビュアー", "田中"),
    ("访谈者:请谈谈培训的效果。\n受访者:培训很有用，护士们学会了新方法。\n访谈者:还有什么困难？\n受访者:经费不够。\n",
     "访谈者", "受访者"),
])
def test_labels_in_chinese_and_japanese_before_a_colon_without_a_space(tmp_path: Path, text: str, asker: str,
                                                                      answerer: str) -> None:
    speakers, report = import_text(tmp_path, "kii_cjk.txt", text)
    roles = {s["label"]: s["role"] for s in speakers}
    assert roles == {asker: "interviewer", answerer: "informant"}
    [entry] = report["transcripts"]
    assert entry["record"] == "verbatim"
    pt = parse_transcript(text.encode(), "kii_cjk.txt")
    assert not any(u.startswith((asker, answerer)) for u in _units(pt))


def test_a_line_about_the_time_or_place_in_chinese_is_no_speaker() -> None:
    text = ("时间：2023年5月\n地点：县卫生局\n\n采访者：请介绍一下您的工作。\n\n李华：我负责培训。\n\n"
            "采访者：效果如何？\n\n李华：很好。\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert set(pt.speakers) == {"采访者", "李华"}


@pytest.mark.parametrize("label", ["UNICEF Viet Nam | Hoa Tran", "Hoa Tran, UNICEF", "Hoa Tran (UNICEF)",
                                   "Hoa Tran – UNICEF Viet Nam", "Hoa Tran · UNICEF"])
def test_a_name_with_its_organisation_is_the_speaker_and_never_shown_in_the_text(tmp_path: Path,
                                                                                 label: str) -> None:
    text = (f"{label}: Thank you for joining. Could you tell me about your role?\n\n"
            "Nguyen Van Minh: I coordinate the district health programme. We started in 2019.\n\n"
            f"{label}: What changed since then?\n\n"
            "Nguyen Van Minh: The funding was cut, so we rely on the commune now.\n")
    speakers, _ = import_text(tmp_path, "kii_unicef.txt", text)
    assert len(speakers) == 2
    pt = parse_transcript(text.encode(), "kii_unicef.txt")
    assert not any("Hoa Tran" in u or "UNICEF" in u for u in _units(pt))
    assert spoken_turns(pt)[0][1] == "Thank you for joining. Could you tell me about your role?"


def test_the_doctor_shows_no_speakers_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ("Hoa Tran: Thank you for joining.\n\nNguyen Van Minh: I coordinate the programme.\n\n"
            "Hoa Tran: What changed?\n\nNguyen Van Minh: The funding was cut.\n")
    import_text(tmp_path, "kii_names.txt", text)
    checks = run_doctor(tmp_path / "p")["checks"]
    shown = json.dumps(checks, ensure_ascii=False)
    assert "Nguyen Van Minh" not in shown and "Hoa Tran" not in shown
    warning = next(c["detail"] for c in checks if c["check"] == "import")
    assert "'[speaker 1]', '[speaker 2]'" in warning and "qualcode transcripts speakers kii_names" in warning


def test_a_header_in_german_under_the_title_names_the_interviewee_and_is_no_speech() -> None:
    # the shape of divekit-roadmap's interviews: a title naming the interviewee, the header lines ending in a
    # Markdown line break, then the speech under a heading
    text = ("## Transkript des Interviews mit Prof. Dr. Stefan Bente\n\nInterviewpartner: Prof. Dr. Stefan Bente\\\n"
            "Datum: 29.12.2020\n\n## Inhalt\n\nI: [00:01] Was sind die wichtigsten Werkzeuge?\n\n"
            "B: [00:16] Eine moderne IDE und Git.\n\nI: [01:50] Und warum?\n\nB: [01:57] Weil man sonst nicht"
            " zusammenarbeiten kann.\n")
    pt = parse_transcript(text.encode(), "interview.md")
    assert pt.metadata["interviewee"] == "Prof. Dr. Stefan Bente" and pt.metadata["date"] == "29.12.2020"
    assert "Bente" not in pt.text and "Datum" not in pt.text
    assert [t.speaker for t in pt.turns] == ["Heading", "I", "B", "I", "B"]


def test_numbered_paragraphs_of_an_exported_transcript_lose_their_numbers() -> None:
    # the shape of a study's transcripts exported from an analysis tool (PDPilotUserStudy): each paragraph numbered,
    # a long one wrapped onto lines without a number
    text = ("5 Participant: Not all the time, but in our first explorations we use them.\n"
            "6 Dan: And do you use both kinds of plots?\n7 Participant: Yeah, we use both.\n"
            "8 Dan: Can you describe what tasks you use them for?\n"
            "9 Participant: We use them to find trends.\nAnd for this we colour the lines.\nOr we draw a scatter"
            " plot.\n"
            "10 Dan: And that's the average of what?\n11 Participant: Of the predictions, 2 or 3 of them.\n")
    pt = parse_transcript(text.encode(), "P1.txt")
    assert [s for s, _ in spoken_turns(pt)] == ["Participant", "Dan", "Participant", "Dan", "Participant", "Dan",
                                          "Participant"]
    assert spoken_turns(pt)[4][1] == ("We use them to find trends. And for this we colour the lines. Or we draw a"
                                " scatter plot.")
    assert any("number before each of 7 line(s)" in n for n in pt.warnings)


def test_numbers_at_the_start_of_a_few_lines_stay_speech() -> None:
    text = ("Interviewer: When did it start?\n\nRespondent: 10 years ago we had one clinic.\n\n"
            "Interviewer: And now?\n\nRespondent: 12 clinics, and 3 more next year.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert spoken_turns(pt)[1] == ("Respondent", "10 years ago we had one clinic.")


def test_numbered_a_labels_without_anyone_asking_are_no_answers(tmp_path: Path) -> None:
    # the shape of a study's Otter transcripts (data-ensemble interviews): the authors "A1", "A5" beside the
    # participant "P1"; "A" is an answer only beside a question or an interviewer
    blocks = []
    for n in range(4):
        blocks += [f"A1  0:{10 + n * 10:02d}", f"So what does the data look like, question {n}?", "",
                   f"P1  0:{15 + n * 10:02d}", f"It is an ensemble of runs, answer {n}.", ""]
    blocks += ["A5  1:00", "I am only taking notes.", ""]
    speakers, _ = import_text(tmp_path / "a", "P1 Transcript.txt", "\n".join(blocks))
    assert {s["label"]: s["role"] for s in speakers}["A1"] != "informant"
    qa = "Q: What changed?\n\nA: The funding.\n\nQ: And then?\n\nA: We stopped.\n"
    speakers, _ = import_text(tmp_path / "b", "kii_qa.txt", qa)
    assert {s["label"]: s["role"] for s in speakers} == {"Q": "interviewer", "A": "informant"}


def test_unlabelled_speech_in_portuguese_is_verbatim_not_notes() -> None:
    # the shape of a TurboScribe transcript of a Portuguese oral-history interview without speaker labels
    text = ("Então, para começar, queria que falasses um bocadinho sobre ti. Como é que foste para a universidade?\n\n"
            "A escolha foi natural, porque era a universidade da minha cidade e eu queria ficar perto da minha "
            "família. Eu concorri a mais universidades, mas sempre com a ideia de ficar aqui.\n\n"
            "E qual era o curso? Como é que te sentiste no primeiro ano?\n\n"
            "Engenharia. No primeiro ano eu senti-me um bocadinho perdido, pronto, mas os meus colegas ajudaram-me "
            "muito e nós estudávamos juntos todas as noites.\n")
    pt = parse_transcript(text.encode(), "entrevista.txt")
    assert pt.record == "verbatim"
    assert all(t.speaker is None for t in pt.turns) and len(pt.turns) >= 4


PORTUGUESE_QA = """---

interviewee: Deborah Perrota de Andrade
interviewer: Danielle Pinto Assis
data: 03/04/2023
title: Memórias da Universidade do Minho: Entrevista com Deborah Perrota de Andrade
notes:

---

Memórias da Universidade do Minho: Entrevista com Deborah Perrota de Andrade

Pergunta: Olá, boa tarde. Obrigada pela sua disponibilidade.

Resposta: Pode gravar.

Pergunta:Onde você nasceu?

Resposta: Eu nasci no Rio de Janeiro no Brasil.

Pergunta: E como chegou à Universidade do Minho?

Resposta: Vim fazer o doutoramento, em 2015.
"""


def test_front_matter_with_a_colon_in_a_value_is_read_line_by_line(tmp_path: Path) -> None:
    # the shape of a student's Portuguese oral-history interview (avd-MHD): a hand-written front matter whose title
    # holds a colon, 'Pergunta:'/'Resposta:' labels, once without the space
    pt = parse_transcript(PORTUGUESE_QA.encode(), "entrevista.txt")
    assert pt.metadata["title"] == "Memórias da Universidade do Minho: Entrevista com Deborah Perrota de Andrade"
    assert pt.metadata["interviewee"] == "Deborah Perrota de Andrade"
    assert any("not valid YAML" in n for n in pt.warnings)
    assert ("Pergunta", "Onde você nasceu?") in spoken_turns(pt)
    # the title above the first label is metadata
    assert spoken_turns(pt)[0] == ("Pergunta", "Olá, boa tarde. Obrigada pela sua disponibilidade.")
    speakers, _ = import_text(tmp_path, "entrevista.txt", PORTUGUESE_QA)
    assert {s["label"]: s["role"] for s in speakers} == {"Pergunta": "interviewer", "Resposta": "informant"}


def test_a_name_with_particles_from_the_header_is_withheld_in_listings(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from qualcode.cli import main

    import_text(tmp_path, "entrevista.txt", PORTUGUESE_QA)
    capsys.readouterr()
    assert main(["-p", str(tmp_path / "p"), "segments", "--json"]) == 0
    shown = capsys.readouterr().out
    assert "Memórias da Universidade do Minho" in shown
    assert "Deborah" not in shown and "Andrade" not in shown and "Danielle" not in shown


def test_answers_left_unlabelled_under_the_interviewers_labelled_questions_are_the_respondents(tmp_path: Path) -> None:
    text = ("Interviewer: How long have you worked at the clinic?\n\n"
            "About ten years. I started as a nurse and then became the manager.\n\n"
            "Interviewer: What changed with the project?\n\n"
            "The training was the biggest change. We now have protocols for everything.\n\n"
            "Interviewer: And the funding?\n\nIt was cut last year, so we rely on the commune.\n")
    speakers, report = import_text(tmp_path, "kii_q_only.txt", text)
    assert {s["label"]: s["role"] for s in speakers} == {"Interviewer": "interviewer", "Respondent": "informant"}
    pt = parse_transcript(text.encode(), "kii_q_only.txt")
    assert spoken_turns(pt)[1] == ("Respondent", "About ten years. I started as a nurse and then became the manager.")
    assert any("labels one side of the conversation only" in n for n in report["transcripts"][0]["notes"])


def test_questions_left_unlabelled_above_the_labelled_answers_are_the_interviewers() -> None:
    # the shape of a Portuguese Word transcript (avd-MHD): the questions plain, the answers after the initial 'J:',
    # an answer running on over paragraphs without a label
    paragraphs = []
    for n in range(4):
        paragraphs += [f"Como foi o ano {n} na universidade?", f"J: Foi bom, aprendi muito no ano {n}.",
                       "E depois continuei a trabalhar na associação."]
    pt = parse_transcript("\n\n".join(paragraphs).encode(), "entrevista.txt")
    assert [s for s, _ in spoken_turns(pt)][:4] == ["Interviewer", "J", "Interviewer", "J"]
    assert " ".join(spoken_turns(pt)[1][1].split()) == ("Foi bom, aprendi muito no ano 0. E depois continuei a"
                                                        " trabalhar na associação.")


def test_a_turn_over_several_paragraphs_stays_one_voice() -> None:
    text = ("Interviewer: Tell me about the project.\n\nRespondent: It started in 2019.\n\n"
            "We had two clinics then, and the staff were new.\n\nInterviewer: And now?\n\n"
            "Respondent: Now there are twelve.\n\nInterviewer: Thank you.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert [s for s, _ in spoken_turns(pt)] == ["Interviewer", "Respondent", "Interviewer", "Respondent", "Interviewer"]


def test_a_named_voice_asking_an_informant_label_is_guessed_the_interviewer_once(tmp_path: Path) -> None:
    turns = []
    for n in range(4):
        turns += [f"Dan: And how do you use the plots in step {n}?", f"Participant: We look for trends, step {n}."]
    speakers, report = import_text(tmp_path, "P1.txt", "\n\n".join(turns) + "\n")
    assert {s["label"]: s["role"] for s in speakers} == {"Dan": "interviewer", "Participant": "informant"}
    warnings = report["transcripts"][0]["warnings"]
    assert not any("no speaker is labelled as the interviewer" in w for w in warnings)
    assert sum("'Dan' as the interviewer" in w for w in warnings) == 1


def test_a_chinese_tools_numbered_speakers_are_placeholders_not_names(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # iFlytek's export: "说话人1 00:05" above each turn ("Speaker 1")
    lines = ["大家好，今天我们聊一下社区卫生站的情况。", "好的，我先介绍一下，我们站有五个医生。",
             "培训对你们有帮助吗？", "帮助很大，尤其是慢病管理方面。"]
    text = "".join(f"说话人{1 + n % 2} 00:{5 + n * 7:02d}\n{line}\n\n" for n, line in enumerate(lines))
    import_text(tmp_path, "kii.txt", text)
    from qualcode.cli import main

    capsys.readouterr()
    assert main(["-p", str(tmp_path / "p"), "segments"]) == 0
    listed = capsys.readouterr().out
    assert "说话人1" in listed and "说话人2" in listed  # shown as they are, as "Speaker 1" is


def test_a_role_after_an_article_is_the_role() -> None:
    from qualcode.speakers import role_of_label

    assert role_of_label("L'ANIMATRICE") == role_of_label("La moderadora") == "interviewer"
    assert role_of_label("The interviewer") == "interviewer"
    assert role_of_label("UNE DRH") is None and role_of_label("La Paz") is None


@pytest.mark.parametrize("chat", [
    # Zoom's chat file since 2022: the sender and the time on one line, the message on the next, indented
    "00:01:12\tFrom  Hoa Tran  to  Everyone:\n\tGood morning, thanks for joining.\n"
    "00:02:05\tFrom  Nguyen Van Minh  to  Everyone:\n\tMorning! The link works now.\n"
    "00:03:40\tFrom  Hoa Tran  to  Everyone:\n\tPlease type your answer to question 1 here.\n"
    "00:05:10\tFrom  Le Thi Lan  to  Nguyen Van Minh(Direct Message):\n\tSame here, the training was too short.\n",
    # before: each message on one line
    "00:01:12 From Hoa Tran : Good morning, thanks for joining.\n"
    "00:02:05 From Nguyen Van Minh : Morning! The link works now.\n"
    "00:03:40 From Hoa Tran to Everyone : Please type your answer to question 1 here.\n"
    "00:05:10 From Le Thi Lan to Nguyen Van Minh(Direct Message) : Same here, the training was too short.\n",
])
def test_a_zoom_chat_reads_each_sender_as_the_speaker(chat: str) -> None:
    pt = parse_transcript(chat.encode(), "fgd_chat.txt")
    assert [(t.speaker, t.t_start) for t in pt.turns] == [
        ("Hoa Tran", 72.0), ("Nguyen Van Minh", 125.0), ("Hoa Tran", 220.0), ("Le Thi Lan", 310.0)]
    assert spoken_turns(pt)[1][1] == "Morning! The link works now."
    assert spoken_turns(pt)[3][1] == "(privately) Same here, the training was too short."  # the recipient's name is not
    assert not any("From" in u or "Everyone" in u for u in _units(pt))
    assert any("read as a Zoom chat: 4 message(s)" in n and "1 of them sent privately" in n for n in pt.warnings)


def test_an_unlabelled_first_question_above_the_first_label_stays_speech() -> None:
    text = ("Conta-me um bocadinho do teu percurso académico, em que ano é que foste para a universidade...\n\n"
            "J: Eu tirei a minha licenciatura noutra universidade.\n\nE depois?\n\nJ: Fiz mestrado.\n\n"
            "E o trabalho?\n\nJ: Fiquei na associação.\n\nPorquê?\n\nJ: Gostava do contexto.\n")
    pt = parse_transcript(text.encode(), "entrevista.txt")
    assert pt.text.startswith("Conta-me um bocadinho")


def test_a_front_matters_page_type_is_no_interview_type(tmp_path: Path) -> None:
    # divekit-roadmap's transcripts say 'type: literature reference' (what their website calls the page)
    text = ("---\ntype: literature reference\ntitle: Interview Transkript\n---\n\nI: Wie geht es?\n\nB: Gut.\n\n"
            "I: Und das Projekt?\n\nB: Es läuft.\n")
    _, report = import_text(tmp_path / "a", "transkript.md", text)
    assert report["transcripts"][0]["metadata"]["type"] == "literature reference"  # kept as the file says
    from qualcode.store import Project

    with Project.open(tmp_path / "a" / "p") as project:
        assert project.transcript_attributes()["transkript"].get("type") != "literature reference"
    _, report = import_text(tmp_path / "b", "entrevista.md", text.replace("literature reference", "entrevista"))
    with Project.open(tmp_path / "b" / "p") as project:
        assert project.transcript_attributes()["entrevista"]["type"] == "entrevista"


def test_an_answer_in_chinese_is_cut_into_its_sentences() -> None:
    from qualcode.importers.sentences import unit_spans

    text = ("采访者：请介绍一下项目的情况。\n\n王小明：项目从二零一九年开始。我们先在三个乡镇试点，然后扩大到全县。"
            "培训是最重要的部分！大家都很积极吗？是的，大部分人都参加了。\n\n采访者：经费呢？\n\n"
            "王小明：经费去年减少了，所以我们现在依靠乡镇的支持。\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert _units(pt)[1:5] == ["项目从二零一九年开始。", "我们先在三个乡镇试点，然后扩大到全县。",
                               "培训是最重要的部分！大家都很积极吗？", "是的，大部分人都参加了。"]
    # a short reply joins its neighbour, as "Yes." does
    reply = "好的。我同意你的看法，因为经费确实不够。"
    assert [reply[s:e] for s, e in unit_spans(reply)] == [reply]


def test_questions_in_chinese_left_unlabelled_above_the_labelled_answers_are_the_interviewers() -> None:
    paragraphs = []
    for n in range(4):
        paragraphs += [f"第{n + 1}个问题：培训对你们有帮助吗？", f"李华：有帮助，第{n + 1}次培训很有用。"]
    pt = parse_transcript("\n\n".join(paragraphs).encode(), "访谈.txt")
    assert [s for s, _ in spoken_turns(pt)][:4] == ["Interviewer", "李华", "Interviewer", "李华"]


WHO_IS_WHO = ("Entrevistado: Professor Mário Farelo - Departamento de História - Universidade do Minho\n"
              "Entrevistadora: Daniella Monteiro Cavalheiro - Estudante de Mestrado - Universidade do Minho\n\n"
              "Entrevistadora: Boa tarde, professor Mário Farelo. É um prazer tê-lo aqui.\n\n"
              "Mário Farelo: Boa tarde. Cheguei à Universidade do Minho em 2021.\n\n"
              "Entrevistadora: Como vê a universidade hoje?\n\n"
              "Mário Farelo: A Universidade do Minho é uma universidade nova, e isso é uma vantagem.\n")


def test_lines_saying_who_is_who_above_the_speech_are_its_header(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # the shape of a Portuguese oral history (avd-MHD): the interviewee and the interviewer named above the speech,
    # each with a description; before, 'Entrevistado' was a speaker of one unit whose words were the name
    pt = parse_transcript(WHO_IS_WHO.encode(), "entrevista.txt")
    assert pt.metadata["interviewee"] == "Professor Mário Farelo"
    assert pt.metadata["interviewer"] == "Daniella Monteiro Cavalheiro"
    # what the line says of the interviewee beside the name could single him out: kept nowhere, and the report says
    # so; the interviewer's stays beside her name
    assert "interviewee_description" not in pt.metadata and "Departamento" not in json.dumps(pt.metadata)
    assert pt.metadata["interviewer_description"] == "Estudante de Mestrado - Universidade do Minho"
    assert any("'interviewee'" in n and "left out" in n for n in pt.warnings)
    assert "Entrevistado" not in pt.speakers and not pt.text.startswith("Professor")
    english = ("Interviewer: Clara Jensen\nRespondent: John Smith - District Health Officer\n\n"
               "Interviewer: Good morning. How long have you worked here?\n\nRespondent: Ten years.\n\n"
               "Interviewer: What changed?\n\nRespondent: The funding, mostly.\n")
    pt = parse_transcript(english.encode(), "kii.txt")
    assert "John Smith" not in pt.text and pt.metadata["respondent"] == "John Smith"
    # the university the speech names is nobody's name: it stays in the listings, the people do not
    import_text(tmp_path, "entrevista.txt", WHO_IS_WHO)
    from qualcode.cli import main

    capsys.readouterr()
    assert main(["-p", str(tmp_path / "p"), "segments", "--json"]) == 0
    shown = capsys.readouterr().out
    assert shown.count("Universidade do Minho") == 2 and "Farelo" not in shown and "Daniella" not in shown


def test_a_first_exchange_of_greetings_is_no_header() -> None:
    text = ("Interviewer: Good Morning\nRespondent: Good Morning\n\nInterviewer: How long have you worked here?\n\n"
            "Respondent: Ten years.\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert spoken_turns(pt)[0] == ("Interviewer", "Good Morning")


def test_question_and_answer_labels_in_chinese_and_a_reason_line_inside_an_answer() -> None:
    text = ("问题：培训有用吗？\n\n回答：有用，护士学会了新方法。\n\n问题：经费够吗？\n\n"
            "回答：不够。原因：预算减少了。\n")
    pt = parse_transcript(text.encode(), "kii.txt")
    assert spoken_turns(pt) == [("问题", "培训有用吗？"), ("回答", "有用，护士学会了新方法。"), ("问题", "经费够吗？"),
                          ("回答", "不够。原因：预算减少了。")]
    from qualcode.speakers import role_of_label

    assert (role_of_label("问题"), role_of_label("回答")) == ("interviewer", "informant")


def test_a_header_naming_the_interviewer_without_a_colon_is_metadata() -> None:
    # divekit-roadmap: "Durchgeführt durch Jann Intveen\" above "Tätigkeitsfeld: ..." and "Datum: ..."
    text = ("## Transkript des Interviews mit n.n. WMA 4\n\nDurchgeführt durch Jann Intveen\\\n"
            "Tätigkeitsfeld: Wissenschaftlicher Mitarbeiter\\\nDatum: 17.12.2020\n\n## Inhalt\n\n"
            "I: [00:01] Was sind die wichtigsten Werkzeuge?\n\nB: [00:14] Git und eine IDE.\n\n"
            "I: [00:40] Warum?\n\nB: [00:44] Weil man im Team arbeitet.\n")
    pt = parse_transcript(text.encode(), "transkript.md")
    assert pt.metadata["interviewer"] == "Jann Intveen" and pt.metadata["date"] == "17.12.2020"
    assert pt.metadata["role"] == "Wissenschaftlicher Mitarbeiter"
    assert "Intveen" not in pt.text and "Tätigkeitsfeld" not in pt.text
    english = ("Interviewed by Clara Jensen\nDate: 3 May 2024\n\nQ: How did it start?\n\nA: Slowly.\n\n"
               "Q: And now?\n\nA: Well.\n")
    pt = parse_transcript(english.encode(), "kii.txt")
    assert pt.metadata["interviewer"] == "Clara Jensen" and "Clara" not in pt.text


def test_answers_on_the_line_under_a_labelled_question_are_the_respondents(tmp_path: Path) -> None:
    # only the questions labelled, each answer on the next line with no blank line between them
    text = ("Q: How did the project start in your province?\n"
            "It started in 2021 with a survey of the factories. Then the training began.\n"
            "Q: What would you change?\nMore follow-up visits, and earlier.\n"
            "Q: Who paid for the visits?\nThe project paid, and later the association.\n")
    speakers, report = import_text(tmp_path, "KII-29.txt", text)
    assert {s["label"]: s["role"] for s in speakers} == {"Q": "interviewer", "Respondent": "informant"}
    pt = parse_transcript(text.encode(), "KII-29.txt")
    assert spoken_turns(pt)[2:4] == [("Q", "What would you change?"),
                                     ("Respondent", "More follow-up visits, and earlier.")]
    assert any("labels one side of the conversation only" in n for n in report["transcripts"][0]["notes"])


def test_a_transcript_whose_every_unit_is_the_interviewers_says_so(tmp_path: Path) -> None:
    # the answers run on under statements, not questions: nothing tells them from the interviewer's words
    text = "".join(f"Interviewer: Tell me about step {n}.\nStep {n} went well, the staff liked it.\n" for n in range(4))
    speakers, report = import_text(tmp_path, "KII-30.txt", text)
    assert {s["label"]: s["role"] for s in speakers} == {"Interviewer": "interviewer"}
    assert any("every unit is the interviewer's" in w and "'Respondent:'" in w
               for w in report["transcripts"][0]["warnings"])


@pytest.mark.parametrize(("name", "text", "person", "details"), [
    ("KII-32.txt", "Interviewer: Clara Jensen\nRespondent: Mai Tran, 34, HR manager, Factory A\n\n"
     "Interviewer: Welcome. What changed after the training?\nRespondent: The supervisors shout less now.\n"
     "Interviewer: Thank you.\nRespondent: You are welcome.\n", "Mai Tran", ("HR manager", "Factory A")),
    ("FGD-10.txt", "Facilitator: Long Nguyen\nP1: Mai Tran, 34, assembly line\nP2: Hoa Le (29, quality control)\n\n"
     "Facilitator: Welcome. What changed after the training?\nP1: The supervisors shout less now.\n"
     "P2: Overtime is still too long.\nFacilitator: Thank you.\nP1: Yes, in May.\n", "Hoa Le",
     ("assembly line", "quality control")),
    ("FGD-11.txt", "Facilitator: Long Nguyen\nParticipant 1: Mai Tran\nParticipant 2: Hoa Le\n\n"
     "Facilitator: Welcome. What changed after the training?\nParticipant 1: The supervisors shout less now.\n"
     "Participant 2: Overtime is still too long.\n", "Hoa Le", ()),
])
def test_a_list_of_who_is_who_above_the_speech_is_no_evidence_and_its_details_are_kept_nowhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, person: str,
        details: tuple[str, ...]) -> None:
    pt = parse_transcript(text.encode(), name)
    assert _units(pt)[0] == "Welcome. What changed after the training?"
    assert person not in pt.text and not any(d in pt.text for d in details)
    assert any("say who is who" in n for n in pt.warnings)
    from qualcode.cli import main

    import_text(tmp_path, name, text)
    capsys.readouterr()
    for listing in (["segments", "--json"], ["transcripts", "--json"], ["transcripts", "speakers", name[:-4],
                                                                         "--json"]):
        assert main(["-p", str(tmp_path / "p"), *listing]) == 0
        shown = capsys.readouterr().out
        assert person not in shown and not any(d in shown for d in details), listing


def test_questions_left_unlabelled_on_the_line_above_each_labelled_answer_are_the_interviewers(
        tmp_path: Path) -> None:
    # as above, without blank lines: each question on the line right above the answer's label
    text = "".join(f"Como foi o ano {n} na universidade?\nJ: Foi bom, aprendi muito no ano {n}.\n"
                   "E depois continuei a trabalhar na associação.\n" for n in range(4))
    speakers, report = import_text(tmp_path, "entrevista.txt", text)
    assert {s["label"]: s["role"] for s in speakers} == {"Interviewer": "interviewer", "J": "informant"}
    pt = parse_transcript(text.encode(), "entrevista.txt")
    assert spoken_turns(pt)[2:4] == [("Interviewer", "Como foi o ano 1 na universidade?"),
                               ("J", "Foi bom, aprendi muito no ano 1. E depois continuei a trabalhar na associação.")]
    assert any("labels one side of the conversation only" in n for n in report["transcripts"][0]["notes"])


def test_a_header_keeps_the_informants_name_and_nothing_beside_it_and_a_list_of_names_stays_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dated = ("Date: 2024-03-01\nInterviewer: Clara Jensen\nRespondent: Mai Tran, 34, HR manager, Dong Nai\n\n"
             "Interviewer: Welcome. What changed after the training?\nRespondent: The supervisors shout less now.\n"
             "Interviewer: Thank you.\nRespondent: You are welcome.\n")
    pt = parse_transcript(dated.encode(), "KII-33.txt")
    assert pt.metadata["respondent"] == "Mai Tran" and "HR manager" not in json.dumps(pt.metadata)
    assert any("'respondent'" in n and "left out" in n for n in pt.warnings)
    two = ("Interviewer: Clara Jensen\nRespondent: Mai Tran, Hoa Le\n\n"
           "Interviewer: Welcome. What changed after the training?\nRespondent: Hoa Le and I saw the change.\n"
           "Interviewer: Thank you.\nRespondent: You are welcome.\n")
    pt = parse_transcript(two.encode(), "KII-34.txt")
    assert pt.metadata["respondent"] == "Mai Tran; Hoa Le"
    from qualcode.cli import main

    import_text(tmp_path, "KII-34.txt", two)
    capsys.readouterr()
    assert main(["-p", str(tmp_path / "p"), "segments", "--json"]) == 0
    shown = capsys.readouterr().out
    assert "saw the change" in shown and "Hoa" not in shown
