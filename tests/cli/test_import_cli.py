"""Importing as a new user does it: a folder of mixed exports with a case sheet, the report, a dry run that changes
nothing, fixing one role, removing a transcript, and doctor repeating the warnings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_support import run_cli as run

from qualcode.cli import main

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"



@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of exports as an evaluator receives them, with the case sheet."""
    src = tmp_path / "exports"
    src.mkdir()
    names = ("teams_last_first.docx", "otter.docx", "notes.md", "fgd_numbered.srt", "speaker_pair.txt")
    for name in names:
        shutil.copy(EXPORTS / name, src / name)
    lines = (EXPORTS / "cases.csv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines[1:] if line.split(",")[1] in names]
    (src / "cases.csv").write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    return src


def _dump(project: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(project / "qualcode.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_import_report_dry_run_fix_a_role_and_the_matrix(folder: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "eval"
    assert run(capsys, "init", str(project), "--coder", "ana")[0] == 0
    files = sorted(str(p) for p in folder.iterdir() if p.suffix != ".csv")
    before = _dump(project)
    code, out, err = run(capsys, "import", "-p", str(project), *files, "--cases", str(folder / "cases.csv"),
                         "--dry-run")
    assert code == 0, err
    assert out.startswith("dry run: nothing was changed")
    assert _dump(project) == before
    code, out, err = run(capsys, "import", "-p", str(project), *files, "--cases", str(folder / "cases.csv"))
    assert code == 0, err
    assert "KII-32  <- teams_last_first.docx: new (version 1), 9 units" in out
    assert "read as: Word document (Microsoft Teams transcript)" in out
    assert "metadata: title: KII-32 ministry; date: March 6, 2024, 2:15PM; duration: 41m 9s" in out
    assert "Jensen, Clara  interviewer" in out and "Tran, Thi Thu  informant KII-32" in out
    assert "KII-37  <- notes.md: new (version 1), 9 units, interview notes" in out
    assert "warning: guessed 'Speaker 1' as the interviewer" in out
    assert out.rstrip().endswith("5 file(s), 1 warning(s)")
    # doctor says the same; the warning's own command fixes it
    code, out, _ = run(capsys, "doctor", "-p", str(project))
    assert "WARN  import: KII-47: guessed 'Speaker 1' as the interviewer" in out
    code, out, err = run(capsys, "transcripts", "set-role", "-p", str(project), "KII-47", "Speaker 1", "interviewer")
    assert code == 0, err and "'Speaker 1' is now interviewer" in out
    code, out, _ = run(capsys, "doctor", "-p", str(project))
    assert "ok    import:" in out
    code, out, _ = run(capsys, "transcripts", "speakers", "-p", str(project), "KII-47", "--json")
    assert json.loads(out)["speakers"][0] == {"label": "Speaker 1", "role": "interviewer", "case": None,
                                              "units": 5, "assigned_by": "user", "how": "set by hand"}
    # every group's informants are counted, the notes' informant included
    code, out, _ = run(capsys, "matrix", "-p", str(project), "--rows", "criterion", "--cols", "stakeholder_group",
                       "--count", "informants", "--json")
    assert code == 0
    assert set(json.loads(out)["cols"]) >= {"Government", "Factory"}
    code, out, _ = run(capsys, "transcripts", "-p", str(project), "--json")
    assert {t["id"]: t["record"] for t in json.loads(out)}["KII-37"] == "notes"


def test_remove_refuses_with_codings_then_undo_brings_it_back(folder: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "eval"
    run(capsys, "init", str(project), "--coder", "ana")
    run(capsys, "import", "-p", str(project), str(folder / "otter.docx"), "--cases", str(folder / "cases.csv"))
    run(capsys, "codings", "add", "-p", str(project), "--segment", "KII-33:3", "--code", "effectiveness")
    code, _, err = run(capsys, "transcripts", "remove", "-p", str(project), "KII-33")
    assert code == 2 and "1 coding(s) by ana" in err and "--with-codings" in err
    code, out, err = run(capsys, "transcripts", "remove", "-p", str(project), "KII-33", "--with-codings")
    assert code == 0, err and "removed KII-33" in out
    code, out, _ = run(capsys, "transcripts", "-p", str(project), "--json")
    assert json.loads(out) == []
    code, out, err = run(capsys, "undo", "-p", str(project))
    assert code == 0, err
    code, out, _ = run(capsys, "codings", "list", "-p", str(project), "--json")
    assert [c["code"] for c in json.loads(out)] == ["effectiveness"]
    # the same file again, under another name: recognised, not a second transcript
    copy = tmp_path / "KII-33 (copy).docx"
    shutil.copy(folder / "otter.docx", copy)
    code, out, _ = run(capsys, "import", "-p", str(project), str(copy), "--json")
    assert json.loads(out)["transcripts"][0]["status"] == "already_imported"
    code, out, _ = run(capsys, "transcripts", "-p", str(project), "--json")
    assert [t["id"] for t in json.loads(out)] == ["KII-33"]


REAL_SHEET = """transcript_id,file,speaker,case_id,name,type,stakeholder_group,organisation,interviewer
KII-01,ladybug_otter.txt,,KII-01,Monica Powell,KII,Open-source community,GitHub Stars,Ali; Kelly
KII-02,ladybug_otter_unknown_speaker.md,,KII-02,Taylor,KII,Security practitioners,Consultancy,Emma; Sidney; Kelly
KII-03,webvtt-py_teams_timeframe.vtt,,KII-03,Adrian Petrescu,KII,Government,Ministry,Yuri Bakulin
FGD-01,qualcoder_transcript.txt,id1,FGD-01-P1,,FGD,Students,Museum course,
FGD-01,qualcoder_transcript.txt,id2,FGD-01-P2,,FGD,Students,Museum course,
FGD-01,qualcoder_transcript.txt,id3,FGD-01-P3,,FGD,Students,Museum course,
"""


def test_a_folder_of_real_exports_with_its_case_sheet_as_a_new_user_imports_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "from the field"
    src.mkdir()
    for name in ("ladybug_otter.txt", "ladybug_otter_unknown_speaker.md", "webvtt-py_teams_timeframe.vtt",
                 "qualcoder_transcript.txt"):
        shutil.copy(EXPORTS / "real" / name, src / name)
    (src / "cases.csv").write_text(REAL_SHEET, encoding="utf-8")
    (src / "recording.m4a").write_bytes(b"\x00\x00\x00 ftypM4A ")
    (src / ".DS_Store").write_bytes(b"\x00")
    project = tmp_path / "eval"
    assert run(capsys, "init", str(project))[0] == 0
    # the folder itself, the sheet inside it: read as the case sheet, and the report says so
    code, out, _ = run(capsys, "-p", str(project), "import", str(src), "--dry-run")
    assert code == 0
    assert "cases.csv was among the files to import: it is read as the case sheet" in out
    assert "left out: recording.m4a" in out and "DS_Store" not in out
    code, out, _ = run(capsys, "-p", str(project), "import", str(src), "--json")
    report = json.loads(out)
    assert sorted(t["id"] for t in report["transcripts"]) == ["FGD-01", "KII-01", "KII-02", "KII-03"]
    speakers = {t["id"]: {s["label"]: (s["role"], s["case"]) for s in t["speakers"]} for t in report["transcripts"]}
    assert speakers["KII-01"]["Monica"] == speakers["KII-01"]["Monica Powell"] == ("informant", "KII-01")
    assert speakers["KII-03"] == {"Yuri Bakulin": ("interviewer", None), "Adrian Petrescu": ("informant", "KII-03")}
    assert speakers["KII-02"]["Tailor"] == ("unknown", None)  # the guest's name, mistyped by the tool
    kii02 = next(t for t in report["transcripts"] if t["id"] == "KII-02")["warnings"]
    assert any("speaker 'Tailor' is neither interviewer nor informant" in w for w in kii02)
    # the one unit "Tailor" says is coded before the role is fixed: it counts for no group
    tailor = [s for s in json.loads(run(capsys, "-p", str(project), "segments", "--transcript", "KII-02",
                                        "--json", "--show-names")[1]) if s["speaker"] == "Tailor"]
    assert len(tailor) == 1
    for ref in (tailor[0]["ref"], "KII-01:15", "KII-03:2", "FGD-01:1", "FGD-01:3"):
        assert run(capsys, "-p", str(project), "codings", "add", "--segment", ref, "--code", "relevance.needs_fit",
                   "--coder", "ana")[0] == 0, ref
    code, out, _ = run(capsys, "-p", str(project), "transcripts", "set-role", "KII-02", "Tailor", "informant",
                       "--coder", "ana")
    assert code == 0 and "(case KII-02)" in out
    matrix = json.loads(run(capsys, "-p", str(project), "matrix", "--rows", "criterion", "--count", "informants",
                            "--json")[1])
    relevance = dict(zip(matrix["cols"], matrix["counts"][[r["id"] for r in matrix["rows"]].index("relevance")],
                         strict=True))
    # each informant in its group, the mistyped guest included once the role is fixed; nothing "(unknown)"
    assert relevance == {"Government": 1, "Open-source community": 1, "Security practitioners": 1, "Students": 2}


def test_a_second_spreadsheet_among_the_files_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = tmp_path / "eval"
    run(capsys, "init", str(project))
    sheet = tmp_path / "cases.csv"
    sheet.write_text(REAL_SHEET, encoding="utf-8")
    other = tmp_path / "budget.xlsx"
    other.write_bytes(b"PK\x03\x04")
    code, out, err = run(capsys, "-p", str(project), "import", str(EXPORTS / "real" / "ladybug_otter.txt"), str(other),
                         "--cases", str(sheet))
    assert code == 2 and "budget.xlsx: is a spreadsheet, not a transcript" in err
    assert json.loads(run(capsys, "-p", str(project), "status", "--json")[1])["transcripts"] == 0


def test_speakers_of_a_document_is_a_one_line_error(example_project_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["transcripts", "speakers", "PR-2024", "-p", str(example_project_dir)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "qualcode: error: PR-2024 is a document: it has no speakers (see 'qualcode documents' and 'qualcode segments"
        " --transcript PR-2024')"]


def test_transcripts_json_hides_the_names_and_initials_the_import_notes_quote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    source = tmp_path / "fgd_initials.txt"
    source.write_text("Date: 3 May 2024\nParticipants: Elena Novak, Emil Nowak, Marta Ruiz\n\n"
                      "Moderator: How did the groups start?\n\nEN: The district called us.\n\nMR: I joined later.\n\n"
                      "Moderator: And now?\n\nEN: Forty members.\n", encoding="utf-8")
    project = tmp_path / "p"
    assert run(capsys, "init", str(project), "--coder", "ana")[0] == 0
    assert run(capsys, "-p", str(project), "import", str(source))[0] == 0
    shown = run(capsys, "-p", str(project), "transcripts", "--json")[1]
    [row] = json.loads(shown)
    assert row["metadata"]["import"]["notes"] == [
        "'[initials]' could stand for '[name]', '[name]': left as written (rename the speaker if you know who it is)",
        "read '[initials]' as '[speaker 2]' (the initials of a name the transcript gives; if wrong, rename the"
        " speaker)"]
    for said in ("Elena", "Emil", "Nowak", "Marta", "'EN'", "'MR'"):
        assert said not in shown, said
    asked = run(capsys, "-p", str(project), "transcripts", "--json", "--show-names")[1]
    assert "'EN' could stand for 'Elena Novak', 'Emil Nowak'" in asked and "read 'MR' as 'Marta Ruiz'" in asked


def test_whisper_tsv_output_is_imported_as_a_transcript_not_as_a_case_sheet(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Whisper's .tsv ("start<TAB>end<TAB>text", times in milliseconds) was refused: 'the case sheet needs a
    transcript_id or file column', though no case sheet was given."""
    project = tmp_path / "eval"
    run(capsys, "init", str(project))
    tsv = tmp_path / "council_forum.tsv"
    tsv.write_text("start\tend\ttext\n0\t2000\tSo we start with the first question of the forum.\n"
                   "2000\t5000\tThe union asked us in May to review the traffic plan.\n"
                   "5400\t9000\tWe met the residents twice after that.\n", encoding="utf-8")
    sheet = tmp_path / "cases.csv"
    sheet.write_text("transcript_id,case_id,name\ncouncil_forum,KII-01,\n", encoding="utf-8")
    for extra in ([], [str(sheet)]):
        code, out, err = run(capsys, "-p", str(project), "import", "--dry-run", "--json", str(tsv), *extra)
        assert code == 0, err
        [entry] = json.loads(out)["transcripts"]
        assert entry["format"] == "tsv" and entry["detected"].startswith("Whisper .tsv output")
        assert any(w.startswith("no speaker labels") for w in entry["warnings"])
    code, out, err = run(capsys, "-p", str(project), "import", str(tsv))
    assert code == 0, err
    code, out, err = run(capsys, "-p", str(project), "segments", "--json")
    segs = json.loads(out)
    assert [(s["text"], s["t_start"]) for s in segs] == [
        ("So we start with the first question of the forum.", 0.0),
        ("The union asked us in May to review the traffic plan.", 2.0),
        ("We met the residents twice after that.", 5.4)]


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.csv", 'start,end,text\n0,1000,Hello there\nabc,2000,"unclosed quote\n3000,4000,More\n',
     "a.csv:3: a row without a readable start time ('abc')"),
    ("e.json", '[{"start": 0, "end": 2, "text": "Hi"}]', "e.json: this JSON file is not Whisper's or WhisperX's"),
    ("f.json", '{"segments": [{"start": 1e400, "end": NaN, "text": "Hi there"}]}',
     "f.json:1: a segment whose start is not a time")])
def test_import_refuses_a_damaged_table_or_json_in_one_line_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, data: str, expected: str) -> None:
    """A damaged transcript table or a JSON array was imported as interview notes made of its CSV or JSON text; a
    Whisper segment timed 1e400 was stored as Infinity."""
    project = tmp_path / "p"
    assert run(capsys, "init", str(project))[0] == 0
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    source = tmp_path / name
    source.write_text(data, encoding="utf-8")
    code, out, err = run(capsys, "-p", str(project), "import", str(source))
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
