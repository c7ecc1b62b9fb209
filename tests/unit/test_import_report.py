"""The import report, its dry run, and correcting an import: set-role, set-kind, remove (undoable), and re-import
of the same text under another file name."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qualcode.actions.history import redo, undo
from qualcode.actions.projects import remove_transcript, set_record, set_speaker_role
from qualcode.errors import ConflictError, NotFoundError
from qualcode.importing import import_files, stored_speakers, stored_transcript_warnings
from qualcode.store import Project

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    from qualcode.codebook import default_codebook_path, load_codebook

    p = Project.create(tmp_path / "p", codebook=load_codebook(default_codebook_path()))
    yield p
    p.close()


def _dump(project: Project) -> list[str]:
    return list(project.db.iterdump())


def _sheet(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    return path


TEAMS_SHEET = ("transcript_id,file,speaker,case_id,name,type,stakeholder_group,interviewer\n"
               "KII-32,teams_last_first.docx,,KII-32,Tran Thi Thu,KII,Government,Clara Jensen\n")


def test_dry_run_reports_everything_and_changes_nothing(project: Project, tmp_path: Path) -> None:
    before = _dump(project)
    report = import_files(project, [EXPORTS / "teams_last_first.docx", EXPORTS / "otter.txt"],
                          cases=_sheet(tmp_path, TEAMS_SHEET), dry_run=True, coder="ana")
    assert _dump(project) == before
    assert report["dry_run"] is True
    teams = report["transcripts"][0]
    assert teams["id"] == "KII-32" and teams["status"] == "new" and teams["version"] is None
    assert teams["speakers"] == [
        {"label": "Jensen, Clara", "units": 4, "role": "interviewer", "case": None, "how": "interviewer column"},
        {"label": "Tran, Thi Thu", "units": 5, "role": "informant", "case": "KII-32", "how": "case sheet name"},
    ]
    assert teams["metadata"]["duration"] == "41m 9s" and "Teams" in teams["detected"]
    otter = report["transcripts"][1]
    assert any("no row in the case sheet" in w for w in otter["warnings"])
    # the real import then does what the dry run said
    real = import_files(project, [EXPORTS / "teams_last_first.docx", EXPORTS / "otter.txt"],
                        cases=_sheet(tmp_path, TEAMS_SHEET), coder="ana")
    assert [t["speakers"] for t in real["transcripts"]] == [t["speakers"] for t in report["transcripts"]]
    assert {s["label"]: s["role"] for s in project.speakers("KII-32")} == {
        "Jensen, Clara": "interviewer", "Tran, Thi Thu": "informant"}


def test_a_kii_without_recognisable_interviewer_is_warned_and_fixed_by_set_role(
        project: Project, tmp_path: Path) -> None:
    src = tmp_path / "KII-60.txt"
    src.write_text("\n\n".join(
        f"Dr. Binh: {q}\n\nMs. Lan: {a}" for q, a in [
            ("Let us start with the training.",
             "The complaints box is used every week now. The union reads it on Mondays."),
            ("Then the line leaders.", "They talk to workers instead of shouting at them. Most of them, at least."),
            ("Now the toolkit.", "It was far too long for us. Nobody read it to the end, not even HR."),
            ("Then the seminars.", "Nobody pays for them any more. The project ended last year, in March."),
            ("Finally, the future.", "We would join again if the chamber organised the seminars."),
            ("Thank you, that is all.", "You are welcome, and good luck with the report."),
        ]), encoding="utf-8")
    sheet = _sheet(tmp_path, "transcript_id,speaker,case_id,type,stakeholder_group\nKII-60,,KII-60,KII,Factory\n")
    report = import_files(project, [src], cases=sheet, coder="ana")
    # two named voices, neither asking questions, and a case-sheet row that names neither
    warnings = report["transcripts"][0]["warnings"]
    assert any(w.startswith("no interviewer found among 'Dr. Binh', 'Ms. Lan'") for w in warnings)
    assert any(w.startswith("guessed 'Ms. Lan' as the informant (speaks most)") for w in warnings)
    assert stored_transcript_warnings(project.db)["KII-60"] == warnings  # doctor says the same
    set_speaker_role(project, "KII-60", "Dr. Binh", "interviewer", coder="ana")
    set_speaker_role(project, "KII-60", "Ms. Lan", "informant", case_id="KII-60", coder="ana")
    assert "KII-60" not in stored_transcript_warnings(project.db)  # doctor is satisfied now
    roles = {s["label"]: (s["role"], s["case"], s["how"]) for s in stored_speakers(project, "KII-60")["speakers"]}
    assert roles == {"Dr. Binh": ("interviewer", None, "set by hand"), "Ms. Lan": ("informant", "KII-60",
                                                                                   "set by hand")}
    # a corrected file imported again keeps the roles set by hand
    src.write_text(src.read_text(encoding="utf-8").replace("every week", "every single week"), encoding="utf-8")
    again = import_files(project, [src], cases=sheet, coder="ana")
    assert again["transcripts"][0]["status"] == "new_version"
    assert {s["label"]: s["role"] for s in project.speakers("KII-60")} == {"Dr. Binh": "interviewer",
                                                                            "Ms. Lan": "informant"}
    assert again["transcripts"][0]["warnings"] == []


def test_set_role_is_undone_and_redone(project: Project, tmp_path: Path) -> None:
    import_files(project, [EXPORTS / "speaker_pair.txt"], coder="ana")
    assert {s["label"]: s["role"] for s in project.speakers("speaker_pair")}["Speaker 1"] == "interviewer"
    set_speaker_role(project, "speaker_pair", "Speaker 1", "informant", coder="ana")
    assert {s["label"]: s["role"] for s in project.speakers("speaker_pair")}["Speaker 1"] == "informant"
    undone = undo(project, coder="ana")
    assert undone is not None and undone["action"] == "speaker.role"
    after = {s["label"]: (s["role"], s["assigned_by"]) for s in project.speakers("speaker_pair")}
    assert after["Speaker 1"] == ("interviewer", "import")
    redo(project, coder="ana")
    assert {s["label"]: s["role"] for s in project.speakers("speaker_pair")}["Speaker 1"] == "informant"
    with pytest.raises(NotFoundError, match="did you mean 'Speaker 2'"):
        set_speaker_role(project, "speaker_pair", "Speaker 3", "informant", coder="ana")


def test_remove_refuses_while_codings_exist_and_undo_restores_everything(project: Project) -> None:
    import_files(project, [EXPORTS / "trint.txt", EXPORTS / "sonix.txt"], coder="ana")
    seg = project.segments("trint", include_interviewer=False)[0]
    coding = project.add_coding(seg["id"], "effectiveness", coder="ana", memo="ambassadors trained others")
    project.set_memo("segment", str(seg["id"]), "check with the union", coder="ana")
    before = _dump(project)
    with pytest.raises(ConflictError, match="1 coding"):
        remove_transcript(project, "trint", coder="ana")
    assert _dump(project) == before
    removed = remove_transcript(project, "trint", coder="ana", with_codings=True)
    assert removed["codings"] == 1 and removed["memos"] == 1
    assert [t["id"] for t in project.transcripts()] == ["sonix"]
    assert project.codings() == []
    undone = undo(project, coder="ana")
    assert undone is not None and undone["action"] == "transcript.remove" and "state" not in undone
    assert [t["id"] for t in project.transcripts()] == ["sonix", "trint"]
    restored = project.codings()
    assert [(c["id"], c["segment"], c["memo"]) for c in restored] == [(coding["id"], seg["id"],
                                                                       "ambassadors trained others")]
    assert project.memos("segment", str(seg["id"]))[0]["text"] == "check with the union"
    assert project.segments("trint")[0]["text"] == project.segments("trint")[0]["text"]
    redo(project, coder="ana")
    assert [t["id"] for t in project.transcripts()] == ["sonix"]


def test_undo_of_a_removal_after_another_import_took_the_unit_ids(project: Project) -> None:
    import_files(project, [EXPORTS / "trint.txt"], coder="ana")
    seg = project.segments("trint", include_interviewer=False)[0]
    project.add_coding(seg["id"], "relevance", coder="ana")
    remove_transcript(project, "trint", coder="ana", with_codings=True)
    import_files(project, [EXPORTS / "sonix.txt"], coder="ana")  # SQLite hands it the freed unit ids
    undo(project, coder="ana")
    codings = project.codings()
    assert len(codings) == 1
    back = project.segment(codings[0]["segment"])
    assert back["transcript"] == "trint" and back["text"] == seg["text"]


def test_the_same_text_under_another_file_name_is_not_imported_twice(project: Project, tmp_path: Path) -> None:
    import_files(project, [EXPORTS / "rev.txt"], coder="ana")
    copy = tmp_path / "KII-41 final (2).txt"
    shutil.copy(EXPORTS / "rev.txt", copy)
    report = import_files(project, [copy], coder="ana")
    assert report["transcripts"][0]["status"] == "already_imported"
    assert report["transcripts"][0]["id"] == "rev"
    assert [t["id"] for t in project.transcripts()] == ["rev"]


def test_a_corrected_copy_under_a_new_name_is_reported_as_probably_the_same_interview(
        project: Project, tmp_path: Path) -> None:
    import_files(project, [EXPORTS / "rev.txt"], coder="ana")
    corrected = tmp_path / "KII-41 corrected.txt"
    corrected.write_text((EXPORTS / "rev.txt").read_text(encoding="utf-8").replace("one table", "the same table"),
                         encoding="utf-8")
    report = import_files(project, [corrected], coder="ana")
    entry = report["transcripts"][0]
    assert entry["status"] == "new"
    assert any(w.startswith("shares ") and "with rev" in w and "transcripts remove" in w for w in entry["warnings"])


def test_set_record_marks_notes_and_is_undoable(project: Project) -> None:
    import_files(project, [EXPORTS / "researcher.txt"], coder="ana")
    assert project.transcript_records() == {"researcher": "verbatim"}
    set_record(project, "researcher", "notes", coder="ana")
    assert project.notes_transcripts() == {"researcher"}
    undo(project, coder="ana")
    assert project.notes_transcripts() == set()


def test_a_case_sheet_alone_matches_speakers_of_transcripts_already_imported(project: Project, tmp_path: Path) -> None:
    from qualcode.importing import plan_case_sheet

    import_files(project, [EXPORTS / "last_first_otter_interviewer.txt"], coder="ana")
    # without a sheet the one asking the questions is taken as the interviewer and the other voice as the informant,
    # of no case yet (and the report says so)
    assert {s["label"]: (s["role"], s["case_id"]) for s in project.speakers("last_first_otter_interviewer")} == {
        "Long Tran": ("interviewer", None), "Hoang Thi Lan": ("informant", None)}
    sheet = _sheet(tmp_path, "transcript_id,speaker,case_id,name,type,stakeholder_group,interviewer\n"
                             "last_first_otter_interviewer,,KII-38,Hoàng Thị Lan,KII,Workers' organisation,"
                             "Trần Bảo Long\n")
    dry = plan_case_sheet(project, sheet, coder="ana", dry_run=True)
    assert {s["label"]: (s["role"], s["case_id"]) for s in project.speakers("last_first_otter_interviewer")}[
        "Hoang Thi Lan"] == ("informant", None)
    assert dry["case_sheet_transcripts"][0]["speakers"] == [
        {"label": "Long Tran", "role": "interviewer", "case": None, "how": "interviewer column"},
        {"label": "Hoang Thi Lan", "role": "informant", "case": "KII-38", "how": "case sheet name"}]
    plan_case_sheet(project, sheet, coder="ana")
    assert {s["label"]: (s["role"], s["case_id"]) for s in project.speakers("last_first_otter_interviewer")} == {
        "Long Tran": ("interviewer", None), "Hoang Thi Lan": ("informant", "KII-38")}


def _facts(labels: dict[str, tuple[int, int, str, str | None]], units: list[str], *, kii: bool | None = True,
           sheet_rows: int = 1) -> Any:
    """Facts of a transcript: label -> (units, turns, role, case)."""
    from qualcode.importing import SpeakerStats, TranscriptFacts
    from qualcode.speakers import Assignment

    stats = SpeakerStats()
    for label, (n, turns, _, _) in labels.items():
        stats.labels.append(label)
        stats.units[label] = n
        stats.turns[label] = turns
    assignments = [Assignment(label, role, case, "import") for label, (_, _, role, case) in labels.items()]
    return TranscriptFacts("KII-70", "verbatim", kii, stats, assignments, list(enumerate(units, start=1)), True,
                           sheet_rows, {"clara jensen"})


def test_one_voice_holding_nearly_all_of_a_kii_is_warned() -> None:
    from qualcode.importing import transcript_warnings

    facts = _facts({"Interviewer": (2, 1, "interviewer", None), "Ms. Lan": (60, 1, "informant", "KII-70")},
                   ["A sentence of the interview."] * 62)
    assert any(w.startswith("'Ms. Lan' holds 97% of the units") for w in transcript_warnings(facts))
    balanced = _facts({"Interviewer": (20, 10, "interviewer", None), "Ms. Lan": (42, 10, "informant", "KII-70")},
                      ["A sentence of the interview."] * 62)
    assert transcript_warnings(balanced) == []


def test_many_one_off_speakers_and_units_that_are_only_a_time_or_a_name_are_warned() -> None:
    from qualcode.importing import transcript_warnings

    facts = _facts({"Facilitator": (10, 5, "interviewer", None), "Budget": (1, 1, "unknown", None),
                    "Result": (1, 1, "unknown", None), "Reason": (1, 1, "unknown", None),
                    "Hoa": (20, 6, "informant", "P1")},
                   ["00:01:23", "[00:14]", "Clara Jensen:", "We trained the line leaders in March."], kii=False,
                   sheet_rows=3)
    warnings = transcript_warnings(facts)
    assert any(w.startswith("3 speakers speak only once ('Budget', 'Result', 'Reason')") for w in warnings)
    assert any(w.startswith("3 unit(s) are only a timestamp or a name (e.g. KII-70:1 \"00:01:23\")")
               for w in warnings)
    assert any(w.startswith("focus-group speaker 'Budget' has no case") for w in warnings)


def test_two_labels_for_one_kii_informant_both_take_the_case_and_the_warning_goes(
    project: Project, tmp_path: Path
) -> None:
    # the real Otter export labels its guest "Monica" in most blocks and "Monica Powell" in a few
    sheet = _sheet(tmp_path, "transcript_id,file,speaker,case_id,name,type,stakeholder_group,interviewer\n"
                             "KII-80,ladybug_otter.txt,,KII-80,Monica Powell,KII,Open-source community,Ali; Kelly\n")
    report = import_files(project, [EXPORTS / "real" / "ladybug_otter.txt"], cases=sheet, coder="ana")
    speakers = {s["label"]: (s["role"], s["case_id"]) for s in project.speakers("KII-80")}
    assert speakers == {"Ali": ("interviewer", None), "Kelly": ("interviewer", None),
                        "Monica": ("informant", "KII-80"), "Monica Powell": ("informant", "KII-80")}
    assert report["transcripts"][0]["warnings"] == []
    # without the sheet, the two labels are pointed out
    other = Project.create(tmp_path / "q")
    try:
        bare = import_files(other, [EXPORTS / "real" / "ladybug_otter.txt"], coder="ana", dry_run=True)
        assert any(w.startswith("'Monica' and 'Monica Powell' may be the same person")
                   for w in bare["transcripts"][0]["warnings"])
    finally:
        other.close()


def test_a_voice_marked_informant_by_hand_in_a_kii_takes_the_interviews_case(project: Project, tmp_path: Path) -> None:
    # the guest is "Unknown Speaker" in most blocks and "Tailor" (a mistyped Taylor) once
    sheet = _sheet(tmp_path, "transcript_id,file,speaker,case_id,name,type,stakeholder_group,interviewer\n"
                             "KII-81,ladybug_otter_unknown_speaker.md,,KII-81,Taylor,KII,Security,Emma; Sidney\n")
    import_files(project, [EXPORTS / "real" / "ladybug_otter_unknown_speaker.md"], cases=sheet, coder="ana")
    assert {s["label"]: s["case_id"] for s in project.speakers("KII-81")}["Tailor"] is None
    change = set_speaker_role(project, "KII-81", "Tailor", "informant", coder="ana")
    assert change["case"] == "KII-81"
    assert {s["label"]: s["case_id"] for s in project.speakers("KII-81")}["Tailor"] == "KII-81"
    # an interviewer marked informant in a focus group gets no case it was not given
    focus = _sheet(tmp_path, "transcript_id,file,speaker,case_id,name,type,stakeholder_group\n"
                             "FGD-80,qualcoder_transcript.txt,id1,FGD-80-P1,,FGD,Students\n")
    import_files(project, [EXPORTS / "real" / "qualcoder_transcript.txt"], cases=focus, coder="ana")
    assert set_speaker_role(project, "FGD-80", "id2", "informant", coder="ana")["case"] is None


def test_numbered_participants_are_not_taken_for_one_person_under_two_labels() -> None:
    from qualcode.importing import transcript_warnings

    facts = _facts({"Facilitator": (10, 5, "interviewer", None), "Woman": (8, 4, "informant", "P1"),
                    "Woman 2": (8, 4, "informant", "P2"), "HR officer": (6, 3, "informant", "P3"),
                    "HR officer (F)": (6, 3, "informant", "P4"), "Hoa": (6, 3, "informant", "P5"),
                    "Nguyen Thi Hoa": (6, 3, "informant", "P6")},
                   ["We trained the line leaders in March."] * 50, kii=False, sheet_rows=6)
    same = [w for w in transcript_warnings(facts) if "same person" in w]
    assert same == ["'Hoa' and 'Nguyen Thi Hoa' may be the same person under two labels: if so, their units are"
                    " counted as two speakers; correct the label in the file, or give both the same case in the case"
                    " sheet"]


def test_a_kii_without_speaker_labels_says_its_units_count_for_no_group() -> None:
    from qualcode.importing import transcript_warnings

    facts = _facts({}, ["We trained the line leaders in March."] * 12)
    facts.stats.unlabelled = 12
    warnings = transcript_warnings(facts)
    assert len(warnings) == 1  # not also "the case-sheet row matched no speaker": there is no speaker to name
    assert warnings[0].startswith("no speaker labels: the interviewer's questions cannot be told from the answers and"
                                  " all 12 units are offered for coding, for no informant or stakeholder group")
