"""Importing as a new user does it: a folder of mixed exports with a case sheet, the report, a dry run that changes
nothing, fixing one role, removing a transcript, and doctor repeating the warnings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qualcode.cli import main

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


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
