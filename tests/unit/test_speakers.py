"""Speaker labels to roles and cases: names in any order, with accents, honorifics or device names; interviewer
labels in several languages; the one informant of a key-informant interview."""

from __future__ import annotations

import pytest

from qualcode.importers import has_speaker_labels
from qualcode.speakers import (
    AMBIGUOUS_ASKERS,
    INTERVIEWER_LABELS,
    SheetRow,
    assign_speakers,
    best_name,
    is_device_label,
    is_interviewer_label,
    name_match,
    quoted_list,
    role_of_label,
    split_names,
)


@pytest.mark.parametrize("label", ["Long Tran", "Tran Bao Long", "Trần Bảo Long", "Mr. Long", "Long, Tran Bao",
                                   "TRAN BAO LONG", "Ông Long", "Tran Bao Long (MOLISA)"])
def test_one_person_whatever_the_form_of_the_name(label: str) -> None:
    assert name_match(label, "Tran Bao Long") >= 2


def test_a_different_person_does_not_match() -> None:
    assert name_match("Long Nguyen", "Tran Bao Long") == 0
    assert name_match("Mr. Hung", "Tran Bao Long") == 0


def test_a_name_two_people_share_is_ambiguous_not_guessed() -> None:
    index, ambiguous = best_name("Mr. Nguyen", ["Nguyen Van Hai", "Nguyen Thi Lan", "Tran Bao Long"])
    assert ambiguous
    assert best_name("Ms. Lan", ["Nguyen Van Hai", "Nguyen Thi Lan"]) == (1, False)


@pytest.mark.parametrize("label", ["Hang's iPhone", "iPhone của Hằng", "Galaxy A52s 5G", "DESKTOP-7Q2 (Zoom Room)"])
def test_device_labels(label: str) -> None:
    assert is_device_label(label)
    assert not is_device_label("Hang Nguyen")


def test_a_device_label_matches_the_name_in_it() -> None:
    assert name_match("Hang's iPhone", "Cao Thi Hang") == 2
    assert name_match("iPhone của Hằng", "Cao Thị Hằng") == 2


@pytest.mark.parametrize("label", ["Interviewer", "INTERVIEWER:", "Q", "Researcher 1", "Evaluator", "Facilitator",
                                   "Moderator (Clara)", "Note taker", "Enquêteur", "Animatrice", "Entrevistador",
                                   "Entrevistadora", "Moderadora", "Pesquisador", "Phỏng vấn viên", "Người phỏng vấn",
                                   "PVV", "Pewawancara", "Interviewer 2"])
def test_interviewer_labels_in_several_languages(label: str) -> None:
    assert is_interviewer_label(label)


@pytest.mark.parametrize("label", ["Respondent", "Interviewee", "Participant", "Entrevistada", "Người trả lời",
                                   "Informant 3", "A"])
def test_informant_labels(label: str) -> None:
    assert role_of_label(label) == "informant"
    assert not is_interviewer_label(label)


def test_placeholders_are_unknown_and_names_say_nothing() -> None:
    assert role_of_label("Speaker 2") == "unknown" and role_of_label("SPEAKER_01") == "unknown"
    assert role_of_label("Unknown Speaker") == "unknown"
    assert role_of_label("Clara Jensen") is None and role_of_label("Quang") is None


def test_kii_one_remaining_voice_takes_the_case() -> None:
    got = assign_speakers(["Jensen, Clara", "Tran, Thi Thu"], {"Jensen, Clara": 10, "Tran, Thi Thu": 40}, {},
                          [SheetRow("KII-03")], interviewers=["Clara Jensen"])
    assert [(a.role, a.case_id) for a in got] == [("interviewer", None), ("informant", "KII-03")]


def test_sheet_speaker_column_wins_and_numbers_tell_participants_apart() -> None:
    rows = [SheetRow("P1", "HR officer 1"), SheetRow("P2", "HR officer 2"), SheetRow("P3", "Hang's iPhone")]
    got = assign_speakers(["Evaluator", "HR officer 2", "HR officer 1", "Hang's iPhone"], {}, {}, rows)
    assert {a.label: (a.role, a.case_id) for a in got} == {
        "Evaluator": ("interviewer", None), "HR officer 1": ("informant", "P1"), "HR officer 2": ("informant", "P2"),
        "Hang's iPhone": ("informant", "P3")}


def test_an_unnamed_interviewer_is_the_one_asking_and_it_is_said_to_be_a_guess() -> None:
    got = assign_speakers(["Speaker 1", "Speaker 2"], {"Speaker 1": 12, "Speaker 2": 30}, {"Speaker 1": 9}, [])
    assert got[0].role == "interviewer" and got[0].how.startswith("guessed")
    assert got[1].role == "unknown"  # no case sheet: nobody to attach


def test_notes_belong_to_the_interviews_informant_and_headings_are_context() -> None:
    got = assign_speakers(["Heading", "Notes"], {"Heading": 3, "Notes": 9}, {}, [SheetRow("KII-37")])
    assert [(a.label, a.role, a.case_id) for a in got] == [("Heading", "interviewer", None),
                                                          ("Notes", "informant", "KII-37")]


def test_has_speaker_labels_tells_interviews_from_documents() -> None:
    assert has_speaker_labels("Interviewer: How did it go?\n\nMs. Lan: Well. We trained everyone.\n")
    assert has_speaker_labels("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Clara Jensen>Hello.\n")
    assert not has_speaker_labels("# Annual report\n\nThe project trained 300 workers in 2023.\n\n"
                                  "## Budget\n\nSpending was on track.\n")
    assert not has_speaker_labels("")


def test_de_identified_participant_codes_in_lower_case_are_speakers() -> None:
    """A real research interview (tests/fixtures/refi-qda/real, qc-1.3.2) labels its informant 'admin-1:' and the
    interviewer by name: the informant's 187 passages were read as the interviewer's until codes in lower case were
    taken as labels. A code that appears once ('covid-19: it hit us') stays speech."""
    import zipfile
    from collections import Counter
    from pathlib import Path

    from qualcode.importers import parse_transcript

    archive = Path(__file__).parents[1] / "fixtures" / "refi-qda" / "real" / "qc-1.3.2-interviews.qdpx"
    with zipfile.ZipFile(archive) as z:
        data = z.read("sources/admin-1.txt")
    parsed = parse_transcript(data, "interview.txt")
    turns = Counter(u.speaker for u in parsed.units)
    assert turns["admin-1"] > 150 and 40 < turns["Max Bigman"] < 80
    assert not any(parsed.text[u.start:u.end].startswith("admin-1:") for u in parsed.units)
    once = parse_transcript(b"Interviewer: How was the year?\n\nLan: Hard.\n\ncovid-19: it hit us all.\n\n"
                            b"Interviewer: And now?\n\nLan: Better.\n", "k.txt")
    assert {u.speaker for u in once.units} == {"Interviewer", "Lan"}
    assert "p3" in {u.speaker for u in parse_transcript(
        b"Interviewer: Hello.\n\np3: Hi there.\n\nInterviewer: How are you?\n\np3: Fine, thanks.\n", "k.txt").units}


def test_quoted_list_shows_the_first_labels_and_says_when_more_were_left_out() -> None:
    labels = ["A", "B", "C", "D", "E"]
    assert quoted_list(labels) == "'A', 'B', 'C', 'D', ..."
    assert quoted_list(labels, 5) == "'A', 'B', 'C', 'D', 'E'"
    assert quoted_list(labels, more=False) == "'A', 'B', 'C', 'D'"
    assert quoted_list(labels, None) == "'A', 'B', 'C', 'D', 'E'"
    assert quoted_list(["Moderator"]) == "'Moderator'"


@pytest.mark.parametrize(("value", "names"), [
    ("Jensen, Clara", ["Jensen, Clara"]),  # last name first: one person
    ("Clara Jensen, Elena Novak", ["Clara Jensen", "Elena Novak"]),
    ("Elena Novak, Marta Ruiz, Hoa", ["Elena Novak", "Marta Ruiz", "Hoa"]),  # a list, whatever the parts
    ("Jensen, Clara; Tran  Bao Long", ["Jensen, Clara", "Tran Bao Long"]),
    ("Clara Jensen and Long", ["Clara Jensen", "Long"]),
    ("Clara Jensen,", ["Clara Jensen"]),
])
def test_a_list_of_names_separates_at_a_comma_only_between_full_names_or_in_a_longer_list(
    value: str, names: list[str],
) -> None:
    assert split_names(value) == names


def test_every_role_that_does_not_say_who_asks_is_an_interviewer_label() -> None:
    # the interviewing roles read beside a name are the interviewer labels less these: a word typed here that is no
    # such label would leave the role it meant read as the interviewer's
    assert AMBIGUOUS_ASKERS < INTERVIEWER_LABELS


@pytest.mark.parametrize(("label", "name"), [
    ("Saurabh Swaroop’s iPad", "Saurabh Swaroop"),  # Zoom, a tablet that joined
    ("Hang's iPhone", "Hang"),
    ("iPhone de María", "María"),
    ("Kerry Jones on Peramangk Lands", "Kerry Jones"),  # Teams in Australia
    ("Kerry Jones (she/her) on Kaurna Country", "Kerry Jones"),
    ("Ana (she/her)", "Ana"),
    ("Ana she/her", "Ana"),
    ("maria.lopez@ilo.org", "Maria Lopez"),  # Zoom shows the e-mail of who set no name
    ("Maria Lopez <maria.lopez@ilo.org>", "Maria Lopez"),
    ("Clara Jensen | ILO", "Clara Jensen"),
    ("ILO - Maria Lopez", "Maria Lopez"),
    ("Tran Bao Long (MOLISA)", "Tran Bao Long"),
    ("Onno Meijer, PhD", "Onno Meijer"),
    ("Clara Jensen, Senior Gender Advisor", "Clara Jensen"),
    ("Jensen, Clara", "Jensen, Clara"),  # last name first: the whole name
    ("Tran, Thi Thu", "Tran, Thi Thu"),
    ("Jean-Pierre O'Neil", "Jean-Pierre O'Neil"),
    ("李明", "李明"),
    ("Galaxy A52s 5G", None),  # a device and nothing else
    ("Zoom user", None),
    ("+84 912 345 678", None),
])
def test_the_name_in_a_display_name(label: str, name: str | None) -> None:
    from qualcode.speakers import label_name, name_match, names_nobody

    assert label_name(label).name == name
    assert not names_nobody(label)  # a person of the file, name or not
    if name and name != label:
        assert label_name(label).set_aside
        assert name_match(label, name) == 3


@pytest.mark.parametrize("label", ["Interviewer", "Moderator", "Speaker 1", "SPEAKER_00", "P3", "Participant 3", "Q",
                                   "Unknown Speaker", "All", "HR officer 2", "Woman 1", "Phỏng vấn viên (PVV)",
                                   "HR officer (F)", "Notes", "Heading"])
def test_roles_and_placeholders_name_nobody(label: str) -> None:
    from qualcode.speakers import names_nobody

    assert names_nobody(label)


def test_a_role_with_a_name_beside_it_names_that_person() -> None:
    from qualcode.speakers import names_nobody

    assert not names_nobody("Interviewer (Clara)") and not names_nobody("Van Thanh") and not names_nobody("Clara")
