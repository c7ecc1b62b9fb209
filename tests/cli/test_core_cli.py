"""The foundation commands as a user runs them: output, --json, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def qc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qualcode", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"QUALCODE_CODER": "tester", "PATH": "/usr/bin:/bin"},
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for n in needles:
        assert n in lines[0]


def test_init_import_code_and_log(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    assert qc("init", str(proj), "--coder", "ana").returncode == 0
    t = tmp_path / "KII-01.txt"
    t.write_text(
        "Interviewer: What changed?\n\n"
        "Ms. Lan: We set up a grievance committee last year. Workers now use it every week.\n",
        encoding="utf-8",
    )
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "transcript_id,file,name,stakeholder_group,role,sex,location,type\n"
        "KII-01,KII-01.txt,Vu Thi Lan,Factory,HR manager,F,Hai Phong,KII\n",
        encoding="utf-8",
    )
    imp = qc("import", "-p", str(proj), str(t), "--cases", str(cases), "--json")
    assert imp.returncode == 0, imp.stderr
    assert json.loads(imp.stdout)["transcripts"][0]["id"] == "KII-01"
    segs = json.loads(qc("segments", "-p", str(proj), "--json", "--informants-only").stdout)
    assert [s["text"] for s in segs] == ["We set up a grievance committee last year.", "Workers now use it every week."]
    assert segs[0]["attributes"]["stakeholder_group"] == "Factory"
    assert {"id", "transcript", "speaker", "start", "end", "text", "attributes"} <= set(segs[0])
    add = qc("codings", "add", "-p", str(proj), "--segment", segs[0]["ref"], "--code", "effectiveness.outcomes")
    assert add.returncode == 0, add.stderr
    listed = json.loads(qc("codings", "list", "-p", str(proj), "--json").stdout)
    assert [(c["segment"], c["code"], c["coder"]) for c in listed] == [(segs[0]["id"], "effectiveness.outcomes", "ana")]
    assert {"id", "segment", "code", "coder", "created"} <= set(listed[0])
    status = json.loads(qc("status", "-p", str(proj), "--json").stdout)
    assert (status["transcripts"], status["codings"], status["cases"], status["coders"]) == (1, 1, 1, 1)
    rm = qc("codings", "remove", "-p", str(proj), "--segment", segs[0]["ref"], "--code", "effectiveness.outcomes")
    assert rm.returncode == 0, rm.stderr
    log = json.loads(qc("log", "-p", str(proj), "--json").stdout)
    assert [e["action"] for e in log][-2:] == ["coding.add", "coding.remove"]
    assert qc("undo", "-p", str(proj)).returncode == 0
    assert len(json.loads(qc("codings", "list", "-p", str(proj), "--json").stdout)) == 1


def test_cases_hide_names_unless_asked(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    qc("init", str(proj))
    cases = tmp_path / "cases.csv"
    cases.write_text("transcript_id,name,stakeholder_group\nKII-01,Vu Thi Lan,Factory\n", encoding="utf-8")
    qc("import", "-p", str(proj), "--cases", str(cases))
    hidden = qc("cases", "-p", str(proj), "--json").stdout
    assert "Vu Thi Lan" not in hidden and "Factory" in hidden
    assert "Vu Thi Lan" in qc("cases", "-p", str(proj), "--json", "--show-names").stdout


def test_codebook_validate_lists_problems_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "cb.yaml"
    bad.write_text("codes:\n  - id: a\n    name: A\n    definiton: x\n", encoding="utf-8")
    proc = qc("codebook", "validate", str(bad))
    assert proc.returncode == 2
    assert f"{bad}:4: unknown key 'definiton' at a code; did you mean 'definition'?" in proc.stdout
    ok = qc("codebook", "validate", str(ROOT / "codebooks" / "evaluation-criteria.yaml"))
    assert ok.returncode == 0 and "valid" in ok.stdout


def test_codebook_show_json_is_the_tree(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    qc("init", str(proj))
    tree = json.loads(qc("codebook", "show", "-p", str(proj), "--json").stdout)
    ids = [c["id"] for c in tree["codes"]]
    assert ids[0] == "relevance" and "good_practice" in ids
    assert all(ch["criterion"] == "relevance" for ch in tree["codes"][0]["children"])


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("status", "-p", "/nonexistent/where"), ("no qualcode project",)),
        (("codebook", "validate", "/nonexistent.yaml"), ()),
        (("init", "{tmp}/x", "--codebook", "/nonexistent.yaml"), ("no such file",)),
        (("frobnicate",), ("invalid choice",)),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], needles: tuple[str, ...]) -> None:
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    proc = qc(*args)
    if args[:2] == ("codebook", "validate"):
        assert proc.returncode == 2 and "no such file" in proc.stdout
        return
    assert_one_line_error(proc, *needles)


def test_bad_transcript_leaves_project_unchanged(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    qc("init", str(proj))
    good = tmp_path / "a.txt"
    good.write_text("Interviewer: Hello?\n\nMs. Lan: We trained workers.\n", encoding="utf-8")
    bad = tmp_path / "b.pdf"
    bad.write_bytes(b"%PDF-1.4 binary \x00\x01\x02")
    before = json.loads(qc("status", "-p", str(proj), "--json").stdout)
    proc = qc("import", "-p", str(proj), str(good), str(bad))
    assert_one_line_error(proc, "b.pdf")
    after = json.loads(qc("status", "-p", str(proj), "--json").stdout)
    assert after["transcripts"] == before["transcripts"] == 0 and after["events"] == before["events"]


def test_unknown_segment_and_code_are_clear(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    qc("init", str(proj))
    assert_one_line_error(
        qc("codings", "add", "-p", str(proj), "--segment", "KII-09:4", "--code", "relevance"), "no segment 'KII-09:4'"
    )


def test_example_project_is_complete(example_project_path: Path) -> None:
    status = json.loads(qc("status", "-p", str(example_project_path), "--json").stdout)
    assert status["transcripts"] >= 12
    assert status["codings"] >= 300
    assert status["coders"] >= 2
    assert status["cases"] >= 20
    transcripts = json.loads(qc("transcripts", "-p", str(example_project_path), "--json").stdout)
    fmts = {t["format"] for t in transcripts}
    assert len(fmts) >= 4
    fgds = [t for t in transcripts if t["attributes"].get("type") == "FGD"]
    assert len(fgds) >= 2 and all(len([s for s in t["speakers"]]) >= 5 for t in fgds)
    # every informant turn of every transcript is mapped to a case with a stakeholder group
    segs = json.loads(qc("segments", "-p", str(example_project_path), "--json", "--informants-only").stdout)
    unmapped = {(s["transcript"], s["speaker"]) for s in segs
                if s["kind"] != "document" and not s["attributes"].get("stakeholder_group")}
    assert unmapped == set()


def test_example_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    dest = tmp_path / "ex"
    (dest).mkdir()
    (dest / "qualcode.db").write_bytes(b"")
    assert_one_line_error(qc("example", str(dest)), "already holds a project")


def test_example_ships_draft_findings_linked_to_evidence(example_project_path: Path) -> None:
    findings = json.loads(qc("findings", "list", "-p", str(example_project_path), "--json").stdout)
    assert len(findings) >= 8
    assert {f["criterion"] for f in findings} >= {"effectiveness", "impact", "sustainability", "gender_equality"}
    audit = qc("audit", "-p", str(example_project_path), "--json")
    assert audit.returncode == 0, audit.stdout  # warnings (a single-source finding) but no broken links


def test_example_into_a_non_empty_folder_is_refused_and_leaves_it_alone(tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me", encoding="utf-8")
    assert_one_line_error(qc("example", str(dest)), "is not empty")
    assert [p.name for p in dest.iterdir()] == ["mine.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]  # no temporary build folder left behind
