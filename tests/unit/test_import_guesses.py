"""What a plain 'qualcode import' guesses of a conversation no case sheet describes (roles, interview type), that
it says so with the command that corrects it, that it guesses as the REFI-QDA import does, and that importing a
transcript again does not undo what a case sheet, a REFI file or a user decided."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from qualcode.cli import main
from qualcode.importing import import_files, stored_transcript_warnings
from qualcode.refi import import_refi
from qualcode.store import Project, source_type_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL_REFI = FIXTURES / "refi-qda" / "real"
TEXTS = REAL_REFI / "making" / "texts"  # the texts QualCoder and Taguette were given (see real/SOURCE.txt)


def _roles(folder: Path, tid: str) -> dict[str, tuple[str, str | None]]:
    with Project.open(folder) as p:
        return {s["label"]: (s["role"], s["case_id"]) for s in p.speakers(tid)}


def _type(folder: Path, tid: str) -> str:
    with Project.open(folder) as p:
        t = p.require_transcript(tid)
        return source_type_of(t["kind"], json.loads(t["attributes"]))


def _import(folder: Path, *files: Path, cases: Path | None = None) -> dict[str, Any]:
    if not folder.exists():
        Project.create(folder).close()
    with Project.open(folder) as p:
        return import_files(p, list(files), cases=cases, coder="ana")


def _warnings(report: dict[str, Any], tid: str) -> list[str]:
    [t] = [t for t in report["transcripts"] if t["id"] == tid]
    return list(t["warnings"])


def test_a_focus_group_without_a_case_sheet_comes_in_typed_fgd_with_its_participants_as_informants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "p"
    report = _import(folder, TEXTS / "fgd_savings_groups.txt")
    tid = "fgd_savings_groups"
    roles = _roles(folder, tid)
    assert roles["Facilitator"] == ("interviewer", None)
    assert {roles[f"P{n}"] for n in range(1, 7)} == {("informant", None)}
    assert _type(folder, tid) == "FGD"
    [said] = [w for w in _warnings(report, tid) if "typed as" in w]
    assert said.startswith("typed as a focus group, as its name 'fgd_savings_groups.txt' says (6 voices beside the"
                           " interviewer; if it is not one, give it its 'type' in a case sheet); read 'P1', 'P2',")
    # the correction it prints runs as printed, and a later import keeps it
    command = re.search(r"'(qualcode transcripts set-role [^']+)'", said)
    assert command is not None
    argv = shlex.split(command.group(1).replace("LABEL", "P2").replace("interviewer|unknown", "unknown"))[1:]
    assert main(["-p", str(folder), *argv]) == 0
    capsys.readouterr()
    again = _import(folder, TEXTS / "fgd_savings_groups.txt")
    assert _roles(folder, tid)["P2"] == ("unknown", None)
    assert {_roles(folder, tid)[f"P{n}"] for n in (1, 3, 4, 5, 6)} == {("informant", None)}
    assert not any("read '" in w or "typed as" in w for w in _warnings(again, tid))  # nothing guessed again


def test_a_numbered_participant_beside_the_interviewer_is_the_informant_and_two_voices_stay_an_interview(
    tmp_path: Path,
) -> None:
    interview = tmp_path / "district_03.txt"
    interview.write_text("Interviewer: What changed after the training?\n\n"
                         "P1: We now meet the workers every month.\n\n"
                         "Interviewer: Who pays for the meetings?\n\n"
                         "P1: The company, from the welfare budget.\n", encoding="utf-8")
    pair = tmp_path / "ministry.txt"
    pair.write_text("Interviewer: What did the ministry change after the pilot?\n\n"
                    "P1: The budget line for training was doubled.\n\n"
                    "P3: And the provinces now report every quarter.\n", encoding="utf-8")
    folder = tmp_path / "p"
    report = _import(folder, interview, pair)
    assert _roles(folder, "district_03") == {"Interviewer": ("interviewer", None), "P1": ("informant", None)}
    assert _type(folder, "district_03") == "KII"
    assert "read 'P1' as its informant (if wrong: 'qualcode transcripts set-role district_03 LABEL" \
        " interviewer|unknown')" in _warnings(report, "district_03")
    assert _roles(folder, "ministry") == {"Interviewer": ("interviewer", None), "P1": ("informant", None),
                                          "P3": ("informant", None)}
    assert _type(folder, "ministry") == "KII"
    assert any(w.startswith("counted as a key-informant interview (2 voices beside the interviewer, too few to call"
                            " it a focus group") for w in _warnings(report, "ministry"))
    # the code-labelled focus group the fixtures hold: its name says FGD
    report = _import(folder, FIXTURES / "transcripts" / "fgd_codes.txt")
    assert _roles(folder, "fgd_codes") == {"Facilitator": ("interviewer", None), "P1": ("informant", None),
                                           "P2": ("informant", None), "P3": ("informant", None)}
    assert _type(folder, "fgd_codes") == "FGD"


def test_a_real_group_discussion_with_no_interviewer_is_not_guessed_and_the_report_says_how_to_set_roles(
    tmp_path: Path,
) -> None:
    # QualCoder's example transcript: three students, '[id1]' labels, nobody asks
    folder = tmp_path / "p"
    report = _import(folder, FIXTURES / "exports" / "real" / "qualcoder_transcript.txt")
    tid = "qualcoder_transcript"
    assert set(_roles(folder, tid).values()) == {("unknown", None)}
    assert _type(folder, tid) == "KII"  # untyped
    assert any(w.startswith("no interviewer found among 'id1', 'id2', 'id3'") and
               f"qualcode transcripts set-role {tid} 'LABEL' interviewer" in w for w in _warnings(report, tid))


def _qdpx(path: Path, text: str, name: str) -> Path:
    last = text.rstrip().rindex(": ") + 2
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="P" origin="Other'
           ' 2.0"><Users><User guid="A1B2C3D4-0000-4000-8000-000000000001" name="Mai"/></Users><CodeBook><Codes>'
           '<Code guid="C0DE0000-0000-4000-8000-000000000001" name="Change" isCodable="true"/></Codes></CodeBook>'
           f'<Sources><TextSource guid="50C00000-0000-4000-8000-000000000001" name="{name}" plainTextPath="internal:'
           '//50C00000-0000-4000-8000-000000000001.txt"><PlainTextSelection guid="5E100000-0000-4000-8000-'
           f'000000000001" startPosition="{last}" endPosition="{len(text.rstrip())}" creatingUser="A1B2C3D4-0000-'
           '4000-8000-000000000001"><Coding guid="C0D10000-0000-4000-8000-000000000001"><CodeRef targetGUID='
           '"C0DE0000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources></Project>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/50C00000-0000-4000-8000-000000000001.txt", text.encode("utf-8"))
    return path


@pytest.mark.parametrize("text", [
    # three voices beside a moderator: a focus group
    "Moderator: How did the savings groups start?\n\nMs Hoa: The district called us.\n\n"
    "Mr Tuan: We had a group before.\n\nAll: Yes.\n\nMs Lan: Only the women joined.\n",
    # two voices named only: the one who asks is the interviewer
    "Max Bigman: Can you tell me how the committee started?\n\nAna Lopes: After the district asked.\n\n"
    "Max Bigman: Who was on it at first?\n\nAna Lopes: Teachers and two parents.\n\n"
    "Max Bigman: What changed for the students?\n\nAna Lopes: Every student takes one computing course.\n",
])
def test_a_plain_import_and_a_refi_import_of_one_conversation_guess_the_same(tmp_path: Path, text: str) -> None:
    (tmp_path / "in").mkdir()
    plain = tmp_path / "in" / "savings.txt"
    plain.write_text(text, encoding="utf-8")
    report = _import(tmp_path / "plain", plain)
    refi = import_refi(tmp_path / "refi", _qdpx(tmp_path / "savings.qdpx", text, "savings.txt"), coder="ana")
    assert _roles(tmp_path / "plain", "savings") == _roles(tmp_path / "refi", "savings")
    assert _type(tmp_path / "plain", "savings") == _type(tmp_path / "refi", "savings")
    [refi_said] = [w for w in refi["warnings"] if w.startswith("transcript savings: ")]
    plain_said = [w for w in _warnings(report, "savings") if "read '" in w or "guessed" in w]
    assert plain_said == [refi_said.removeprefix("transcript savings: ")]
    assert not any("speaker 'All'" in w for w in _warnings(report, "savings"))  # everyone at once: no one to place


def test_importing_a_transcript_again_without_its_case_sheet_keeps_the_informant_the_sheet_named(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "cases.csv"
    sheet.write_text("transcript_id,case_id,name,type,stakeholder_group\nKII-90,KII-90,Lan,KII,Factory\n",
                     encoding="utf-8")
    folder = tmp_path / "p"
    _import(folder, FIXTURES / "transcripts" / "kii_labels.txt", cases=sheet)
    before = _roles(folder, "KII-90")
    assert before["Ms. Lan"] == ("informant", "KII-90")
    assert before["Nguyen Van Hai"] == ("unknown", None)  # the sheet left him undecided: no guess decides for it
    report = _import(folder, FIXTURES / "transcripts" / "kii_labels.txt")
    assert _roles(folder, "KII-90") == before
    [t] = report["transcripts"]
    assert {s["label"]: s["case"] for s in t["speakers"]}["Ms. Lan"] == "KII-90"  # the report shows what stays


def test_importing_the_files_behind_a_refi_project_keeps_its_links_and_guesses(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    # qualcode's own export (speakers' roles and cases in the file) and QualCoder's (roles guessed on import)
    import_refi(folder, REAL_REFI / "qualcode-example-to-qualcoder.qdpx", coder="ana")
    import_refi(folder, REAL_REFI / "qualcoder-4.0-interviews.qdpx", coder="ana")
    tids = ("FGD-01", "KII-07", "fgd_savings_groups")
    before = {tid: _roles(folder, tid) for tid in tids}
    assert {case for _, case in before["FGD-01"].values() if case} == {f"FGD-01-P{n}" for n in range(1, 6)}
    assert {before["fgd_savings_groups"][f"P{n}"] for n in range(1, 7)} == {("informant", None)}
    # the transcripts' own files under their ids, two with a typo corrected since: new versions of the same ids
    (tmp_path / "files").mkdir()
    example = Path(__file__).resolve().parents[2] / "transcripts"
    fgd = (example / "FGD-01_hr-managers-bacninh.txt").read_text(encoding="utf-8")
    (tmp_path / "files" / "FGD-01.txt").write_text(
        fgd.replace("thank you for staying", "thank you all for staying", 1), encoding="utf-8")
    shutil.copy(example / "KII-07_factory-hr-haiphong.txt", tmp_path / "files" / "KII-07.txt")
    savings = (TEXTS / "fgd_savings_groups.txt").read_text(encoding="utf-8")
    (tmp_path / "files" / "fgd_savings_groups.txt").write_text(savings.replace("mattress", "bed"), encoding="utf-8")
    report = _import(folder, *sorted((tmp_path / "files").iterdir()))
    assert {t["id"]: t["status"] for t in report["transcripts"]} == {
        "FGD-01": "new_version", "KII-07": "unchanged", "fgd_savings_groups": "new_version"}
    assert {tid: _roles(folder, tid) for tid in tids} == before
    assert _type(folder, "fgd_savings_groups") == "FGD" and _type(folder, "FGD-01") == "FGD"
    assert not any("read '" in w for t in report["transcripts"] for w in t["warnings"])  # nothing guessed anew


def test_doctor_names_an_imports_guessed_informants_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copy(TEXTS / "fgd_savings_groups.txt", tmp_path / "fgd_savings_groups.txt")
    _import(folder, tmp_path / "fgd_savings_groups.txt")
    with Project.open(folder) as p:
        warnings = stored_transcript_warnings(p.db)["fgd_savings_groups"]
    guessed = [w for w in warnings if w.startswith("guessed ")]
    assert guessed == ["guessed 'P1', 'P2', 'P3', 'P4', ... as informants (a voice beside the interviewer in a focus"
                       " group); if wrong: qualcode transcripts set-role fgd_savings_groups 'LABEL' interviewer"]


def test_voices_that_say_a_few_words_do_not_make_an_interview_a_focus_group(tmp_path: Path) -> None:
    # transcription tools split off a few words of another voice under a numbered label of its own
    lines = []
    for n in range(6):
        lines += [f"Interviewer: Question {n} on the training?", "", f"Ana: Answer {n}: the nurses use the forms.", ""]
    lines[4:4] = ["Speaker 3: Sorry, is this the right room?", "", "Mai: I am the deputy.", ""]
    lines[16:16] = ["Speaker 4: Hello.", "", "Mai: Yes, the forms.", ""]
    source = tmp_path / "district_lead.txt"
    source.write_text("\n".join(lines), encoding="utf-8")
    folder = tmp_path / "p"
    report = _import(folder, source)
    roles = _roles(folder, "district_lead")
    assert _type(folder, "district_lead") == "KII"
    assert roles["Ana"] == ("informant", None)
    assert roles["Mai"] == ("informant", None)  # a name is a person, however little she says
    assert roles["Speaker 3"] == roles["Speaker 4"] == ("unknown", None)
    [said] = [w for w in _warnings(report, "district_lead") if "'Speaker 3', 'Speaker 4' unknown" in w]
    assert "set-role district_lead LABEL informant" in said


def test_a_focus_group_stays_one_when_some_participants_say_little(tmp_path: Path) -> None:
    lines = []
    for n in range(4):
        lines += [f"Moderator: Question {n}?", ""] + [f"P{p}: Answer {n} from participant {p}." for p in (1, 2, 3)]
        lines += [""]
    lines += ["P4: Me too.", "", "Speaker 7: yes", ""]
    source = tmp_path / "group_talk.txt"
    source.write_text("\n".join(lines), encoding="utf-8")
    folder = tmp_path / "p"
    _import(folder, source)
    roles = _roles(folder, "group_talk")
    assert _type(folder, "group_talk") == "FGD"
    assert {roles[f"P{p}"] for p in (1, 2, 3, 4)} == {("informant", None)}
    assert roles["Speaker 7"] == ("unknown", None)


@pytest.mark.parametrize("typed", ["FGD", "Focus group", "Group interview", "Thảo luận nhóm"])
def test_a_type_the_import_reads_as_a_group_is_a_focus_group_as_a_source(typed: str) -> None:
    from qualcode.speakers import is_group_type

    assert is_group_type(typed)
    assert source_type_of("transcript", {"type": typed}) == "FGD"


@pytest.mark.parametrize("typed", ["KII", "Key informant interview", ""])
def test_an_interview_type_is_a_key_informant_interview_as_a_source(typed: str) -> None:
    assert source_type_of("transcript", {"type": typed}) == "KII"
