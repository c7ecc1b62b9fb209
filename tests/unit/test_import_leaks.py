"""The import report's check for a speaker's label left in the text looks at every unit, sentences included: a
name standing as a label inside a full sentence ("... forty workers. Clara Jensen: How many stayed?") was passed
over because the unit ended with a full stop, and both the merged turn and the name in the text went unreported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transcript_support import import_text

from qualcode.importing import SpeakerStats, TranscriptFacts, transcript_warnings
from qualcode.speakers import Assignment


def warnings_for(units: list[str], names: set[str]) -> list[str]:
    stats = SpeakerStats()
    for label, n in (("Clara Jensen", 6), ("Le Van Duc", 6)):
        stats.labels.append(label)
        stats.units[label] = n
        stats.turns[label] = 3
    assignments = [Assignment("Clara Jensen", "interviewer", None, "import"),
                   Assignment("Le Van Duc", "informant", "KII-71", "import")]
    return transcript_warnings(TranscriptFacts("KII-71", "verbatim", True, stats, assignments,
                                               list(enumerate(units, start=1)), True, 1, names))


def leak_warnings(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "label inside" in w]


def test_a_speakers_label_inside_a_full_sentence_is_found() -> None:
    units = ["We trained forty workers in March.",
             "They all came back in June. Clara Jensen: How many of them stayed on after the training?",
             "Most of them stayed, I think.",
             "And the union? **Le Van Duc:** It helped with the contracts."]
    [warning] = leak_warnings(warnings_for(units, {"clara jensen", "le van duc"}))
    assert warning.startswith("2 unit(s) hold a speaker's name as a label inside their sentences (e.g. KII-71:2"
                              " \"...Clara Jensen: How many of them stayed on after the\")")


def test_a_header_with_a_time_inside_a_sentence_is_found() -> None:
    units = ["We trained forty workers in March. Le Van Duc [00:12:03] Yes, and they stayed on."]
    assert len(leak_warnings(warnings_for(units, {"clara jensen", "le van duc"}))) == 1


def test_names_said_in_speech_and_ordinary_words_before_a_colon_are_not_labels() -> None:
    units = ["I asked Clara Jensen about it and she agreed with the plan.",
             "The answer is simple: we trained them all.",
             "Clara Jensen said: we will see how it goes.",
             "It took a long time: about two years in all.",
             "Long story short: the budget came late.",
             "We met at 10:30 and then went on."]
    assert leak_warnings(warnings_for(units, {"clara jensen", "le van duc", "long"})) == []


def test_a_label_inside_a_line_of_a_real_import_starts_that_speakers_turn_and_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the file as a typist writes it when a line break was lost, imported as a user imports it
    text = ("Clara Jensen: How long have you worked with the union?\n"
            "Nguyen Van Minh: Since 2012. We trained forty workers. Clara Jensen: How many stayed? Most of them"
            " stayed, maybe thirty.\n"
            "Clara Jensen: And the employers?\nNguyen Van Minh: They were suspicious at first.\n"
            "Clara Jensen: Why?\nNguyen Van Minh: They feared strikes.\nWe met them. Clara Jensen: When? In May.\n")
    _, report = import_text(tmp_path, "KII-31.txt", text,
                            cases="transcript,speaker,interviewer,stakeholder_group\n"
                                  "KII-31,Nguyen Van Minh,Clara Jensen,union\n")
    [entry] = report["transcripts"]
    assert any("2 speaker label(s) inside a line" in n and "'Clara Jensen' (2)" in n for n in entry["notes"])
    from qualcode.cli import main

    capsys.readouterr()
    assert main(["-p", str(tmp_path / "p"), "segments", "--transcript", "KII-31", "--json"]) == 0
    rows = [(s["role"], s["text"]) for s in json.loads(capsys.readouterr().out)]
    assert ("interviewer", "How many stayed?") in rows and ("informant", "Most of them stayed, maybe thirty.") in rows
    assert ("interviewer", "When?") in rows and ("informant", "In May.") in rows
    assert not any("Clara" in t or "stayed?" in t for role, t in rows if role == "informant")


def test_a_label_left_at_the_start_of_a_unit_inside_a_turn_is_reported_by_the_import_and_the_doctor(
        tmp_path: Path) -> None:
    # a label the reader leaves in the text (the question typed in lower case) lands at the start of a unit of the
    # turn before: the check of the units' sentences passed over it
    from qualcode.safety.doctor import run_doctor

    text = ("Clara Jensen: How long have you worked with the union?\n"
            "Nguyen Van Minh: Since 2012. We trained forty workers. Clara Jensen: how many stayed?\n"
            "Clara Jensen: And the employers?\nNguyen Van Minh: They were suspicious at first.\n")
    _, report = import_text(tmp_path, "KII-31.txt", text)
    [entry] = report["transcripts"]
    assert any("1 unit(s) hold a speaker's name as a label" in w and "KII-31:3" in w for w in entry["warnings"])
    checks = run_doctor(tmp_path / "p")["checks"]
    assert any("hold a speaker's name as a label" in str(c.get("detail")) for c in checks)


def test_a_chat_message_addressing_someone_at_its_start_is_no_label_left_in_the_text(tmp_path: Path) -> None:
    text = ("Clara Jensen: How long have you worked with the union?\n"
            "Nguyen Van Minh: Clara Jensen: since 2012, and we trained forty workers.\n"
            "Clara Jensen: And the employers?\nNguyen Van Minh: They were suspicious at first.\n")
    _, report = import_text(tmp_path, "KII-31.txt", text)
    [entry] = report["transcripts"]
    assert not any("as a label inside" in w for w in entry["warnings"])
