"""Backups, restore, the doctor and the identifier check, through the core functions and the command line."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.reanchor import store_transcript
from qualcode.safety.backup import backup_project, restore_backup
from qualcode.safety.doctor import run_doctor
from qualcode.safety.redact import identifier_check, write_redacted
from qualcode.store import DB_NAME, Project
from reliability.builders import make_project, transcript
from reliability.fuzz_support import assert_clean_error, run_cli, snapshot


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = make_project(tmp_path / "p")
    p.add_coding("KII-01:3", "effectiveness", coder="ana", memo="grievance numbers")
    yield p
    p.close()


# ---------------------------------------------------------------------------- backup and restore


def test_backup_is_a_complete_self_contained_copy_that_restores(project: Project, tmp_path: Path) -> None:
    report = backup_project(project, tmp_path / "safe")
    path = Path(report["path"])
    assert path.parent == tmp_path / "safe" and path.suffix == ".db"
    assert report["integrity"] == "ok" and report["codings"] == 1
    assert not Path(str(path) + "-wal").exists()  # one file to carry away
    restored = restore_backup(path, tmp_path / "restored")
    assert restored["codings"] == 1
    with Project.open(tmp_path / "restored") as copy:
        assert [(c["ref"], c["memo"]) for c in copy.codings()] == [("KII-01:3", "grievance numbers")]
        assert len(copy.events()) == len(project.events())


def test_backup_while_another_process_writes_is_consistent(project: Project, tmp_path: Path) -> None:
    other = Project.open(project.path)
    stop = threading.Event()
    segments = [s["ref"] for s in project.segments()]

    def code() -> None:
        k = 0
        while not stop.is_set():
            other.set_memo("project", "p", f"note {k}", coder="binh")
            other.add_coding(segments[k % len(segments)], "relevance", coder=f"c{k}")
            k += 1

    writer = threading.Thread(target=code)
    writer.start()
    try:
        reports = [backup_project(project, tmp_path / f"b{k}.db") for k in range(5)]
    finally:
        stop.set()
        writer.join()
        other.close()
    for r in reports:
        conn = sqlite3.connect(r["path"])
        # consistent: every coding in the copy has its event, nothing half-written
        n_codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
        n_adds = conn.execute("SELECT count(*) FROM events WHERE action = 'coding.add'").fetchone()[0]
        conn.close()
        assert n_codings == n_adds


def test_backup_never_overwrites_without_force(project: Project, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "b.db"
    target.write_text("precious")
    code, _out, err = run_cli(capsys, "backup", "-p", str(project.path), str(target))
    assert_clean_error(code, err, what="backup")
    assert "--force" in err and target.read_text() == "precious"
    code, out, _err = run_cli(capsys, "backup", "-p", str(project.path), str(target), "--force")
    assert code == 0 and "integrity ok" in out


def test_restore_refuses_a_folder_with_a_project_and_a_damaged_file(project: Project, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    good = backup_project(project, tmp_path / "b.db")["path"]
    before = snapshot(project.path)
    code, _out, err = run_cli(capsys, "restore", good, str(project.path))
    assert_clean_error(code, err, what="restore over a project")
    assert snapshot(project.path) == before
    bad = tmp_path / "bad.db"
    bad.write_bytes(Path(good).read_bytes()[:5000])
    code, _out, err = run_cli(capsys, "restore", str(bad), str(tmp_path / "new"))
    assert_clean_error(code, err, what="restore a damaged file")


# ---------------------------------------------------------------------------- doctor


def test_doctor_passes_a_healthy_project(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(capsys, "doctor", "-p", str(project.path))
    assert code == 0
    assert "0 error(s)" in out and "integrity" in out and "migrations" in out


def test_doctor_finds_orphan_codings_and_broken_references(project: Project,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    seg_v1 = project.segment("KII-01:3")["id"]
    edited = transcript([("Interviewer", ["A completely different interview now."]),
                         ("Ms. Lan", ["Nothing here matches the old text at all, not one sentence."])])
    store_transcript(project, edited, "KII-01", coder="ana")
    # a coding left on the old version without a review flag is invisible: the doctor must say so
    project.db.execute("UPDATE codings SET status = 'ok' WHERE segment_id = ?", (seg_v1,))
    project.db.execute("PRAGMA foreign_keys = OFF")
    project.db.execute("INSERT INTO codings (segment_id, code_id, coder_id, created) VALUES (999999, 'relevance', 1,"
                       " 'x')")
    report = run_doctor(project.path)
    by = {c["check"]: c for c in report["checks"]}
    assert by["orphan codings"]["status"] == "error" and by["orphan codings"]["count"] == 1
    assert by["references"]["status"] == "error"
    code, out, _err = run_cli(capsys, "doctor", "-p", str(project.path), "--json")
    assert code == 1 and json.loads(out)["errors"] >= 2


def test_doctor_reports_codings_waiting_for_review_with_what_to_do(project: Project) -> None:
    edited = transcript([("Interviewer", ["A completely different interview now."]),
                         ("Ms. Lan", ["Nothing here matches the old text at all, not one sentence."])])
    store_transcript(project, edited, "KII-01", coder="ana")
    by = {c["check"]: c for c in run_doctor(project.path)["checks"]}
    assert by["reviews"]["status"] == "warning" and by["reviews"]["count"] == 1
    assert "qualcode reanchor list" in by["reviews"]["hint"]


def test_doctor_says_what_the_suggestions_run_on_and_a_damaged_vector_file_only_degrades_them(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qualcode.nlp.vectors as vectors
    from qualcode.model import Code, Codebook
    from qualcode.nlp import Example, Suggester

    by = {c["check"]: c for c in run_doctor(project.path)["checks"]}
    assert by["suggestions"]["status"] == "ok" and "word vectors loaded" in by["suggestions"]["detail"]
    damaged = tmp_path / "vectors.npz"
    damaged.write_bytes(b"PK\x03\x04 not really an archive")
    monkeypatch.setattr(vectors, "DATA", damaged)
    vectors._load_vectors.cache_clear()
    try:
        by = {c["check"]: c for c in run_doctor(project.path)["checks"]}
        assert by["suggestions"]["status"] == "warning" and "reinstall" in by["suggestions"]["hint"]
        assert "vectors.npz:" in by["suggestions"]["detail"]  # why, as the engine found it
        # Suggestions still work, on TF-IDF alone: no traceback for a damaged installation.
        cb = Codebook(name="t", roots=[Code(id="food", name="Food", definition="Meals, canteen and drinks."),
                                       Code(id="pay", name="Pay", definition="Wages, salary and overtime pay.")])
        s = Suggester(cb)
        s.set_corpus(["The canteen meals were cold.", "Overtime pay came late.", "Salary went up a bit."])
        s.update([Example("1", "The canteen meals were cold.", {"food"})])
        row = s.score(["The canteen drinks are too sweet."])[0]
        assert s.code_ids[int(row.argmax())] == "food"
    finally:
        vectors._load_vectors.cache_clear()


def test_doctor_on_a_garbage_file_says_to_restore_a_backup(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"not a database" * 500)
    report = run_doctor(tmp_path)
    assert report["errors"] == 1 and "restore" in report["checks"][0]["hint"]


def test_doctor_sees_a_pending_migration_and_fix_applies_it(tmp_path: Path) -> None:
    from qualcode.store import _migrations, _split_sql

    # A project written by the previous qualcode: every migration but the newest.
    known = _migrations()
    newest = known[-1][0]
    conn = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)")
    for number, name, sql in known[:-1]:
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO _migrations VALUES (?, ?, 'x')", (number, name))
    conn.close()
    by = {c["check"]: c for c in run_doctor(tmp_path)["checks"]}
    assert by["migrations"]["status"] == "warning" and by["migrations"]["pending"] == [newest]
    assert "doctor --fix" in by["migrations"]["hint"]
    fixed = {c["check"]: c for c in run_doctor(tmp_path, fix=True)["checks"]}
    assert fixed["migrations"]["status"] == "ok" and fixed["migrations"]["pending"] == []
    again = {c["check"]: c for c in run_doctor(tmp_path)["checks"]}
    assert again["migrations"]["status"] == "ok" and "is current" in again["migrations"]["detail"]
    with Project.open(tmp_path) as p:
        assert p.schema_version() == newest


# ---------------------------------------------------------------------------- identifiers


@pytest.fixture
def named_project(tmp_path: Path) -> Iterator[Project]:
    p = make_project(tmp_path / "named", turns=[
        ("Interviewer", ["Thank you, Ms. Lan, for meeting us at the factory today."]),
        ("Ms. Lan", ["You can write to me at lan.nguyen@factory-a.vn or call 0912 345 678 after the shift.",
                     "Mr. Hung from the union also joined the gender training last year.",
                     "Our province, Thanh Hoa, sends many migrant workers to Hai Phong."]),
    ])
    yield p
    p.close()


def test_redact_check_lists_every_identifier_still_in_the_transcripts(named_project: Project) -> None:
    report = identifier_check(named_project)
    found = {(h["kind"], h["found"]) for h in report["hits"]}
    assert ("informant name", "Ms. Lan") in found
    assert ("e-mail address", "lan.nguyen@factory-a.vn") in found
    assert ("phone number", "0912 345 678") in found
    assert ("unknown name", "Mr. Hung") in found  # not in the case sheet: exports show "[name]"
    assert ("speaker label", "Ms. Lan") in found
    assert not any("Thanh Hoa" in h["found"] for h in report["hits"])  # a province, not the informant


def test_redact_check_exits_1_when_identifiers_remain_and_0_on_clean_copies(
        named_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(capsys, "redact", "--check", "-p", str(named_project.path))
    assert code == 1 and "lan.nguyen@factory-a.vn" in out
    written = write_redacted(named_project, tmp_path / "shared")
    text = Path(written["files"][0]).read_text(encoding="utf-8")
    for secret in ("Ms. Lan", "Nguyen Thi Lan", "lan.nguyen@", "0912 345 678"):
        assert secret not in text
    assert "[informant KII-01]" in text and "[email]" in text and "[phone]" in text


def test_names_found_split_adjacent_names_at_the_title() -> None:
    from qualcode.safety.privacy import Person, Pseudonymiser

    original = "Thank you, Ms. Yen. Ms. Thao, you said"
    ps = Pseudonymiser(people=[Person("[informant P5]", ["Vo Thi Yen"], {"FGD-02"}),
                               Person("[informant P2]", ["Le Thi Thao"], {"FGD-02"})], use_ner=False)
    found = ps.find(original, "FGD-02")
    assert [original[r.start:r.end] for r in found] == ["Ms. Yen", "Ms. Thao"]
    assert ps(original, "FGD-02") == "Thank you, [informant P5]. [informant P2], you said"


def test_an_unknown_transcript_is_an_error_before_anything_is_written(named_project: Project, tmp_path: Path) -> None:
    from qualcode.errors import QualcodeError

    with pytest.raises(QualcodeError, match="KII-99"):
        identifier_check(named_project, "KII-99")
    with pytest.raises(QualcodeError, match="KII-99"):
        write_redacted(named_project, tmp_path / "shared", "KII-99")
    assert not (tmp_path / "shared").exists()
