"""REFI-QDA import of another tool's text that the reader cleans: a time inside '[inaudible 00:01:30]', a
transcriber's '*sighs*', a minute mark Descript writes inside speech. The units hold the cleaned text, and every
selection still lands on the units that hold its words."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcode.importers import parse_transcript
from qualcode.refi import import_refi
from qualcode.store import Project

USER = "A1B2C3D4-0000-4000-8000-000000000001"


def _qdpx(path: Path, text: str, passages: dict[str, str]) -> Path:
    """A project of another tool: one text source and a code per passage, each selection marking its passage as it
    stands in the file (characters, as the standard counts)."""
    codes = "".join(f'<Code guid="C0DE0000-0000-4000-8000-{k:012d}" name="{name}" isCodable="true"/>'
                    for k, name in enumerate(passages, 1))
    selections = []
    for k, passage in enumerate(passages.values(), 1):
        start = text.index(passage)
        selections.append(
            f'<PlainTextSelection guid="5E100000-0000-4000-8000-{k:012d}" startPosition="{start}" endPosition='
            f'"{start + len(passage)}" creatingUser="{USER}"><Coding guid="C0D10000-0000-4000-8000-{k:012d}">'
            f'<CodeRef targetGUID="C0DE0000-0000-4000-8000-{k:012d}"/></Coding></PlainTextSelection>')
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="P" origin="Other'
           f' 2.0"><Users><User guid="{USER}" name="Mai"/></Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
           '<Sources><TextSource guid="50C00000-0000-4000-8000-000000000001" name="kii_union.txt" plainTextPath='
           f'"internal://50C00000-0000-4000-8000-000000000001.txt">{"".join(selections)}</TextSource></Sources>'
           '</Project>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/50C00000-0000-4000-8000-000000000001.txt", text.encode("utf-8"))
    return path


TEXT = (
    "Interviewer: How did the grievance training change things? [00:01:00]\n\n"
    "Ms Hoa: Before the course nobody wrote anything down [inaudible 00:01:30] about the complaints. Now the union"
    " keeps a register of every grievance.\n\n"
    "Interviewer: And the supervisors? [00:02:00]\n\n"
    "Ms Hoa: They were *sighs* difficult at first, very difficult. Later they came to the meetings on their own.\n\n"
    "Interviewer: Who pays for the meetings? [00:03:00]\n\n"
    "Ms Hoa: The company pays [crosstalk 00:03:12] the room and the tea, the union pays the trainer.\n"
)
PASSAGES = {
    "Register": "Before the course nobody wrote anything down [inaudible 00:01:30] about the complaints.",
    "Supervisors": "They were *sighs* difficult at first, very difficult.",
    "Costs": "The company pays [crosstalk 00:03:12] the room and the tea, the union pays the trainer.",
    "Ownership": "Later they came to the meetings on their own.",
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, set[str]]]:
    folder = tmp_path_factory.mktemp("cleaned")
    report = import_refi(folder / "project", _qdpx(folder / "other.qdpx", TEXT, PASSAGES), coder="importer")
    with Project.open(folder / "project") as project:
        names = {c.id: c.name for c in project.codebook().walk()}
        coded: dict[str, set[str]] = {}
        for c in project.codings():
            coded.setdefault(names[c["code"]], set()).add(project.segment(c["segment"])["text"])
    return report, coded


def test_a_selection_over_text_the_reader_cleaned_lands_on_the_unit_that_holds_its_words(
    imported: tuple[dict, dict[str, set[str]]],
) -> None:
    report, coded = imported
    assert report["counts"]["selections_mapped"] == 4 and report["counts"]["selections_not_mapped"] == 0
    assert coded == {
        "Register": {"Before the course nobody wrote anything down [inaudible] about the complaints."},
        "Supervisors": {"They were [sighs] difficult at first, very difficult."},
        "Costs": {"The company pays [crosstalk] the room and the tea, the union pays the trainer."},
        "Ownership": {"Later they came to the meetings on their own."},
    }


def test_the_report_says_the_times_inside_notes_were_left_out(imported: tuple[dict, dict[str, set[str]]]) -> None:
    report, _ = imported
    assert any("2 time(s) inside a transcriber's note of what could not be heard were left out" in w
               and "'[inaudible 00:01:30]' is now '[inaudible]'" in w for w in report["warnings"])


@pytest.mark.parametrize(("said", "read"), [
    ("We waited [inaudible 00:01:30] for the bus.", "We waited [inaudible] for the bus."),
    ("Yes, [crosstalk 1:02:03] exactly.", "Yes, [crosstalk] exactly."),
    ("The word was [foreign language 00:00:12] in Thai.", "The word was [foreign language] in Thai."),
    ("It was [unclear at 12:03].", "It was [unclear]."),
    # no note of what could not be heard: a reference, a clock time, someone's words
    ("He read John [3:16] aloud.", "He read John [3:16] aloud."),
    ("We met [Monday 10:30] at the office.", "We met [Monday 10:30] at the office."),
])
def test_a_time_inside_a_note_of_what_could_not_be_heard_is_left_out_and_the_note_kept(said: str, read: str) -> None:
    parsed = parse_transcript(f"Interviewer: Tell me more.\n\nMs Hoa: {said}\n".encode(), "kii.txt")
    assert parsed.text.splitlines()[-1] == read


def test_a_note_a_line_break_cut_in_two_loses_its_time_too() -> None:
    # the qc demo's board meeting, wrapped at 80 columns: "Mr. [inaudible" / "00:38:39], do you have ..."
    parsed = parse_transcript(b"Moderator:          Let me turn my attention down this way. Mr. [inaudible \n"
                              b"00:38:39], do you have any questions or comments?\n\n"
                              b"Speaker 18:         Firstly, I wanted to thank the committee for the amazing\n"
                              b"[crosstalk\n00:38:50]\nwork.\n", "board.txt")
    assert [line for line in parsed.text.splitlines() if line] == [
        "Let me turn my attention down this way. Mr. [inaudible], do you have any questions or comments?",
        "Firstly, I wanted to thank the committee for the amazing [crosstalk] work."]


@pytest.mark.parametrize(("name", "data"), [
    # Rev's text export: a "Name  0:03" header above each turn
    ("rev.txt", b"Clara Jensen  0:03\nHow did the course go?\n\nMs Hoa  0:09\n"
                b"Well, [inaudible 00:00:12] the supervisors came.\n"),
    ("captions.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Clara Jensen>How did the course go?\n\n"
                     b"00:00:05.000 --> 00:00:09.000\n<v Ms Hoa>Well, [inaudible 00:00:06] the supervisors came.\n"),
])
def test_every_reader_of_speech_leaves_the_time_out_of_such_a_note(name: str, data: bytes) -> None:
    parsed = parse_transcript(data, name)
    assert "Well, [inaudible] the supervisors came." in parsed.text
    assert any("1 time(s) inside a transcriber's note" in w for w in parsed.warnings)
