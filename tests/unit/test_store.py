"""The project store: migrations, transactions, event log, codings, memos, undo/redo, codebook changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import CB, make_codebook, make_transcript

from qualcode.actions.history import redo, undo
from qualcode.errors import ConflictError, NotFoundError, ProjectError
from qualcode.reanchor import store_transcript
from qualcode.store import DB_NAME, Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = Project.create(tmp_path / "proj", codebook=make_codebook())
    p.add_transcript(make_transcript(), "KII-01", coder="ana")
    yield p
    p.close()


def test_new_folder_is_migrated_to_the_latest_schema_with_wal(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "new")
    assert (tmp_path / "new" / DB_NAME).exists()
    assert p.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert p.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    from qualcode.store import _migrations

    assert p.schema_version() == _migrations()[-1][0]
    tables = {r[0] for r in p.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "codes",
        "transcripts",
        "transcript_versions",
        "segments",
        "cases",
        "codings",
        "memos",
        "events",
        "coders",
        "decisions",
    } <= tables


def test_opening_a_folder_without_project_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="qualcode init"):
        Project.open(tmp_path)


def test_project_from_a_newer_qualcode_is_refused(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    p.db.execute("INSERT INTO _migrations (id, name, applied) VALUES (9999, 'future', 'x')")
    p.close()
    with pytest.raises(ProjectError, match="newer qualcode"):
        Project.open(tmp_path / "p")


def test_segments_slice_back_to_their_text_and_carry_role(project: Project) -> None:
    text = project.transcript_text("KII-01")
    segs = project.segments("KII-01")
    assert [s["ref"] for s in segs] == ["KII-01:1", "KII-01:2", "KII-01:3"]
    for s in segs:
        assert text[s["start"] : s["end"]] == s["text"]
    assert segs[0]["role"] == "interviewer"
    assert [s["text"] for s in project.segments("KII-01", include_interviewer=False)] == [
        "We trained 300 workers.",
        "The course was useful.",
    ]


def test_coding_is_logged_with_before_and_after(project: Project) -> None:
    c = project.add_coding("KII-01:2", "relevance.needs", coder="ana", memo="clear")
    assert c["coder"] == "ana" and c["source"] == "human"
    ev = project.events(entity="coding")[-1]
    assert ev["action"] == "coding.add" and ev["coder"] == "ana" and ev["after"]["code_id"] == "relevance.needs"
    project.remove_coding(c["id"], coder="ana")
    ev = project.events(entity="coding")[-1]
    assert ev["action"] == "coding.remove" and ev["before"]["id"] == c["id"] and ev["after"] is None
    assert project.codings() == []


def test_same_code_twice_by_same_coder_is_a_conflict(project: Project) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    with pytest.raises(ConflictError):
        project.add_coding("KII-01:2", "efficiency", coder="ana")
    project.add_coding("KII-01:2", "efficiency", coder="ben")  # another coder may
    assert len(project.codings(code="efficiency")) == 2


def test_unknown_code_suggests_the_closest(project: Project) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'relevance.needs'"):
        project.add_coding("KII-01:2", "relevance.need", coder="ana")


def test_failed_action_leaves_nothing_behind(project: Project) -> None:
    before = project.last_event_id()
    with pytest.raises(RuntimeError), project.transaction():
        project.add_coding("KII-01:2", "efficiency", coder="ana")
        raise RuntimeError("crash in the middle")
    assert project.codings() == [] and project.last_event_id() == before


def test_event_log_cannot_be_edited(project: Project) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.db.execute("DELETE FROM events")


def test_undo_and_redo_survive_a_restart(project: Project, tmp_path: Path) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    project.add_coding("KII-01:3", "relevance.needs", coder="ana")
    project.close()
    again = Project.open(tmp_path / "proj")
    undone = undo(again, coder="ana")
    assert undone is not None and undone["entity"] == "coding"
    assert [c["code"] for c in again.codings()] == ["efficiency"]
    again.close()
    third = Project.open(tmp_path / "proj")
    redo(third, coder="ana")
    assert sorted(c["code"] for c in third.codings()) == ["efficiency", "relevance.needs"]
    third.close()


def test_undo_is_per_coder_and_a_new_action_clears_redo(project: Project) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    project.add_coding("KII-01:3", "efficiency", coder="ben")
    undo(project, coder="ana")
    assert [c["coder"] for c in project.codings()] == ["ben"]
    project.add_coding("KII-01:2", "relevance", coder="ana")
    assert redo(project, coder="ana") is None
    assert undo(project, coder="ana") is not None
    assert undo(project, coder="ana") is None  # the first add was already undone


def test_undo_restores_a_removed_coding_with_its_memo(project: Project) -> None:
    c = project.add_coding("KII-01:2", "efficiency", coder="ana", memo="budget")
    project.remove_coding(c["id"], coder="ana")
    undo(project, coder="ana")
    [back] = project.codings()
    assert back["id"] == c["id"] and back["memo"] == "budget" and back["created"] == c["created"]


def test_memo_set_update_delete_and_undo(project: Project) -> None:
    project.set_memo("segment", "2", "first", coder="ana")
    project.set_memo("segment", "2", "second", coder="ana")
    assert [m["text"] for m in project.memos()] == ["second"]
    undo(project, coder="ana")
    assert [m["text"] for m in project.memos()] == ["first"]
    project.set_memo("segment", "2", "", coder="ana")
    assert project.memos() == []


def test_reimporting_the_same_text_changes_nothing(project: Project) -> None:
    result = project.add_transcript(make_transcript(), "KII-01", coder="ana")
    assert result["status"] == "unchanged" and result["version"] == 1


def test_same_text_under_a_new_id_is_refused(project: Project) -> None:
    with pytest.raises(ConflictError, match="already imported as KII-01"):
        project.add_transcript(make_transcript(), "KII-99", coder="ana")


def test_new_version_keeps_codings_on_unchanged_sentences_and_flags_the_rest(project: Project) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    project.add_coding("KII-01:3", "relevance", coder="ana")
    result = store_transcript(project, make_transcript("We trained 300 workers. The course was very useful."),
                              "KII-01", coder="ana")
    assert result["status"] == "new_version" and result["version"] == 2
    assert (result["reanchor"]["moved"], result["reanchor"]["needs_review"]) == (1, 1)
    current = project.codings()
    assert [(c["ref"], c["code"]) for c in current] == [("KII-01:2", "efficiency")]
    flagged = project.codings(current_only=False, code="relevance")
    assert flagged[0]["status"] == "needs_review"
    # the old version's text is kept, immutable
    assert "was useful" in project.transcript_text("KII-01", version=1)


def test_a_changed_text_is_not_stored_where_its_codings_would_stay_behind(project: Project) -> None:
    project.add_coding("KII-01:3", "relevance", coder="ana")
    with pytest.raises(ConflictError, match="already imported with another text"):
        project.add_transcript(make_transcript("We trained 300 workers. The course was very useful."), "KII-01",
                               coder="ana")
    assert project.require_transcript("KII-01")["current_version"] == 1
    assert [c["ref"] for c in project.codings()] == ["KII-01:3"]


def test_codebook_change_keeps_codings_and_reports_renames(project: Project) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    report = project.set_codebook(
        make_codebook(
            CB.replace("name: Needs,", "name: Needs of enterprises,").replace(
                "  - id: efficiency\n    name: Efficiency\n    definition: Resources.\n", ""
            )
        ),
        coder="ana",
    )
    assert report["change"]["removed"] == ["efficiency"]
    assert report["change"]["renamed"] == [{"id": "relevance.needs", "old": "Needs", "new": "Needs of enterprises"}]
    assert report["codings_on_removed_codes"] == 1
    assert "efficiency" not in project.codebook()
    project.set_codebook(make_codebook(), coder="ana")  # restoring the code brings its codings back
    assert [c["code"] for c in project.codings()] == ["efficiency"]


def test_codebook_change_by_another_process_is_seen(project: Project, tmp_path: Path) -> None:
    assert "impact" not in project.codebook()
    other = Project.open(tmp_path / "proj")
    other.set_codebook(make_codebook(CB + "  - {id: impact, name: Impact, definition: Change.}\n"), coder="ben")
    other.close()
    assert "impact" in project.codebook()


def test_status_counts(project: Project) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    s = project.status()
    assert (s["transcripts"], s["segments"], s["codes"], s["codings"], s["coders"]) == (1, 3, 3, 1, 1)


def test_codings_made_in_one_action_are_undone_and_redone_together(project: Project) -> None:
    with project.transaction():  # e.g. a span of units coded at once in the workbench
        project.add_coding("KII-01:2", "efficiency", coder="ana")
        project.add_coding("KII-01:3", "efficiency", coder="ana")
    project.add_coding("KII-01:2", "relevance", coder="ana")
    first = undo(project, coder="ana")
    assert first is not None and first["count"] == 1
    result = undo(project, coder="ana")
    assert result is not None and result["count"] == 2 and project.codings() == []
    again = redo(project, coder="ana")
    assert again is not None and again["count"] == 2
    assert sorted(c["ref"] for c in project.codings()) == ["KII-01:2", "KII-01:3"]


def test_imported_codings_are_not_undone_as_the_coders_last_action(project: Project) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    project.add_coding("KII-01:3", "relevance", coder="ana", source="import")
    undo(project, coder="ana")
    assert [(c["ref"], c["code"]) for c in project.codings()] == [("KII-01:3", "relevance")]
    assert undo(project, coder="ana") is None


def test_a_coder_added_in_a_rolled_back_transaction_can_code_afterwards(project: Project) -> None:
    with pytest.raises(RuntimeError), project.transaction():
        project.coder_id("carol")  # registered, then rolled back
        raise RuntimeError("crash in the middle")
    assert [c for c in project.coders() if c.get("name") == "carol"] == []
    c = project.add_coding("KII-01:2", "efficiency", coder="carol")
    assert c["coder"] == "carol"


def test_review_count_counts_codings_that_need_review(project: Project) -> None:
    assert project.review_count() == 0
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    project.add_coding("KII-01:3", "relevance", coder="ana")
    changed = make_transcript("We trained 300 workers. The course was very useful.")
    store_transcript(project, changed, "KII-01", coder="ana")  # the second sentence's coding now needs review
    assert project.review_count() == 1
    assert project.status()["needs_review"] == 1


def test_require_coders_names_the_unknown_one_and_lists_who_codes_here(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "rc")
    try:
        p.coder_id("ana")
        p.coder_id("ben")
        assert p.require_coders(["ben", "ana"]) == ["ben", "ana"]
        with pytest.raises(NotFoundError, match="no coder 'bne'") as err:
            p.require_coders(["ana", "bne"])
        assert "ana, ben" in (err.value.hint or "")
    finally:
        p.close()


# ---------------------------------------------------------------------------- the query planner's statistics


def _how_a_coders_units_are_read(project: Project) -> str:
    """How SQLite reads one coder's codings of a few units (what the queue asks at each step)."""
    ids = [int(r[0]) for r in project.db.execute("SELECT id FROM segments LIMIT 3")]
    sql = "SELECT segment_id FROM codings WHERE coder_id = ? AND segment_id IN (?, ?, ?)"
    return " ".join(str(r[3]) for r in project.db.execute("EXPLAIN QUERY PLAN " + sql, [1, *ids]))


def _forget_statistics(project: Project) -> None:
    if project.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        project.db.execute("DELETE FROM sqlite_stat1")
        project.db.commit()
        project.db.execute("ANALYZE sqlite_master")  # the planner reloads them (none now)


def test_after_an_import_a_coders_codings_of_a_few_units_are_read_by_unit(example_project_dir: Path,
                                                                          tmp_path: Path) -> None:
    # Without statistics SQLite read them through the index of all the coder's codings (34,000 rows at the size of
    # a large evaluation: 10 ms a step in the queue, where reading the few units' codings takes 0.1 ms)
    from qualcode.actions.projects import import_files

    with Project.open(example_project_dir) as project:
        _forget_statistics(project)
        assert "codings_coder" in _how_a_coders_units_are_read(project)
        source = tmp_path / "KII-40.txt"
        source.write_text("Interviewer: How did it go?\nAna: The training helped the shop stewards.\n", "utf-8")
        import_files(project, [source], coder="clara")
        plan = _how_a_coders_units_are_read(project)
    assert "codings_coder" not in plan and "(segment_id=?)" in plan, plan



def test_a_time_that_is_no_time_is_never_stored_nor_listed(project: Project) -> None:
    """A unit timed Infinity (a damaged Whisper file's 1e400) made 'export quotes' and the workbench clock fail on
    'cannot convert float infinity to integer', and 'segments --json' print Infinity, which is not JSON."""
    import json
    import math

    parsed = make_transcript("We trained 40 inspectors. The visits went on.")
    parsed.units[1].t_start, parsed.units[1].t_end = math.inf, math.nan
    parsed.units[2].t_start = 12.0
    project.add_transcript(parsed, "KII-02", coder="ana")
    project.db.execute("UPDATE segments SET t_start = ? WHERE transcript_id = 'KII-01' AND idx = 2", (math.inf,))
    for tid in ("KII-01", "KII-02"):
        times = [(s["t_start"], s["t_end"]) for s in project.segments(tid)]
        json.dumps(times, allow_nan=False)
        assert times[1][0] is None
    assert [s["t_start"] for s in project.segments("KII-02")][2] == 12.0
