"""Every person a speaker label names is masked in listings without --show-names: both people of a shared label
("Hoa Nguyen / Lan Tran"), the person after a role or an organisation ("Respondent - Hoa Tran", "UN Women - Hoa
Tran"), a surname that is also a title once its accents are gone ("Ong", not "Ông"), and a one-word label that is a
surname as well as a job ("Field", "Head"). Only labels that are plainly a role stay as they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.safety.privacy import speaker_names
from reliability.fuzz_support import run_cli


def _segments(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, name: str = "talk.txt") -> str:
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    (tmp_path / name).write_text(text, encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(tmp_path / name))
    assert code == 0, err
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json")
    assert code == 0, err
    return out


def test_the_surname_ong_is_no_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _segments(tmp_path, capsys, "Interviewer: Who leads the association?\n\n"
                    "Ong Siew Mei: I do. Before me it was Mr Tan.\n\nInterviewer: And the members call you?\n\n"
                    "Ong Siew Mei: They call me Ong, or Madam Ong.\n")
    assert "Ong" not in out and "Siew" not in out
    assert "They call me" in out


def test_a_file_named_after_ong_gets_an_id_without_her_name(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    (tmp_path / "ong.txt").write_text("Interviewer: Who leads it?\n\nOng Siew Mei: I do.\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(tmp_path / "ong.txt"))
    assert code == 0, err
    code, out, err = run_cli(capsys, "transcripts", "-p", str(project), "--json")
    assert code == 0, err
    assert [t["id"] for t in json.loads(out)] != ["ong"]
    assert "ong" not in [t["id"].lower() for t in json.loads(out)]


def test_a_vietnamese_title_with_its_accents_is_still_a_title() -> None:
    assert speaker_names("Ông Tân") == ["Ông Tân"]
    from qualcode.safety.privacy import Person, Pseudonymiser

    pseudo = Pseudonymiser(people=[Person("[speaker 1]", ["Ông Tân"], kind="third")], use_ner=False)
    assert pseudo("Ông Tân said so; Tân agreed.") == "[speaker 1] said so; [speaker 1] agreed."


@pytest.mark.parametrize("label", ["Field", "Head", "Guest", "Elder"])
def test_a_one_word_label_that_is_also_a_surname_is_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           label: str) -> None:
    out = _segments(tmp_path, capsys, f"Interviewer: How did it start?\n\n{label}: In May, with the union.\n\n"
                    f"Interviewer: And then?\n\n{label}: We met every month.\n")
    assert label not in {r["speaker"] for r in json.loads(out)}


@pytest.mark.parametrize("label", ["Moderator", "Facilitator", "Respondent", "Participant 2", "Speaker 3"])
def test_a_label_that_is_plainly_a_role_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 label: str) -> None:
    out = _segments(tmp_path, capsys, f"Interviewer: How did it start?\n\n{label}: In May, with the union.\n\n"
                    f"Interviewer: And then?\n\n{label}: We met every month.\n")
    assert label in {r["speaker"] for r in json.loads(out)}


def test_both_people_of_a_shared_label_are_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _segments(tmp_path, capsys, "Interviewer: Who attended the training?\n\n"
                    "Hoa Nguyen / Lan Tran: We both did. Lan Tran went first and then Hoa Nguyen.\n\n"
                    "Interviewer: And the registers?\n\n"
                    "Hoa Nguyen / Lan Tran: They came late. Ask Lan about the budget.\n")
    text = " ".join(r["text"] for r in json.loads(out))
    for name in ("Hoa", "Nguyen", "Lan", "Tran"):
        assert name not in out, name
    assert "We both did." in text and "about the budget." in text


@pytest.mark.parametrize("label", ["Respondent - Hoa Tran", "UN Women - Hoa Tran", "Better Work - Hoa Tran"])
def test_the_person_after_a_role_or_an_organisation_is_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             label: str) -> None:
    out = _segments(tmp_path, capsys, f"Interviewer: Who runs the clinic?\n\n{label}: I do, I am Hoa Tran.\n\n"
                    f"Interviewer: Since when?\n\n{label}: Since 2019. Ask anyone for Hoa.\n")
    assert "Hoa" not in out and "Tran" not in out
    assert "Ask anyone for" in out
    assert "Hoa Tran" in speaker_names(label)


def test_a_two_person_label_learns_both_names() -> None:
    assert set(speaker_names("Hoa Nguyen / Lan Tran")) >= {"Hoa Nguyen", "Lan Tran"}
    assert set(speaker_names("Clara Jensen - Hoa Nguyen")) >= {"Clara Jensen", "Hoa Nguyen"}
    assert speaker_names("Clara Jensen | ILO") == ["Clara Jensen"]
    assert speaker_names("UNICEF Viet Nam | Hoa Tran") == ["Hoa Tran"]
    assert set(speaker_names("Hoa Nguyen and Lan Tran")) == {"Hoa Nguyen", "Lan Tran"}
    assert "Nguyen Lan" in speaker_names("Better Work | Nguyen Lan")
