"""Units a coder decided not to code ('not codable', 'skipped' for now) and where each coder was in a transcript."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbench_support import build_small_project

from qualcode.actions import coding, history
from qualcode.actions import views as wb
from qualcode.errors import QualcodeError
from qualcode.store import Project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_small_project(tmp_path / "small")
    yield p
    p.close()


def progress(project: Project, transcript: str, coder: str | None = "clara") -> dict[str, int]:
    return wb.coding_progress(wb.transcript_units(project, transcript), coder=coder)


def test_a_not_codable_unit_leaves_progress_and_next_uncoded(project: Project) -> None:
    # KII-01: informant units 3, 4, 5 and 7, 8, 9
    assert progress(project, "KII-01") == {"coded": 0, "total": 6, "not_codable": 0, "skipped": 0}
    coding.mark_unit(project, "KII-01:3", "not_codable", coder="clara")
    assert progress(project, "KII-01") == {"coded": 0, "total": 5, "not_codable": 1, "skipped": 0}
    first = wb.next_uncoded_unit(project, "KII-01", coder="clara")
    assert first is not None and first["ref"] == "KII-01:4"
    # another coder still has it to do
    assert progress(project, "KII-01", coder="long")["total"] == 6
    other = wb.next_uncoded_unit(project, "KII-01", coder="long")
    assert other is not None and other["ref"] == "KII-01:3"


def test_a_finished_interview_is_complete_once_the_rest_is_marked_not_codable(project: Project) -> None:
    for ref in ("KII-01:3", "KII-01:4", "KII-01:5", "KII-01:7"):
        coding.apply_code(project, [ref], "relevance", coder="clara")
    for ref in ("KII-01:8", "KII-01:9"):
        coding.mark_unit(project, ref, "not_codable", coder="clara")
    assert progress(project, "KII-01") == {"coded": 4, "total": 4, "not_codable": 2, "skipped": 0}
    assert wb.next_uncoded_unit(project, "KII-01", coder="clara") is None
    row = next(r for r in wb.transcript_rows(project, coder="clara") if r["id"] == "KII-01")
    assert (row["coded"], row["total"]) == (4, 4)


def test_skipped_units_are_still_to_do_and_come_last(project: Project) -> None:
    coding.mark_unit(project, "KII-01:3", "skipped", coder="clara")
    assert progress(project, "KII-01") == {"coded": 0, "total": 6, "not_codable": 0, "skipped": 1}
    units = wb.transcript_units(project, "KII-01")
    pos = wb.next_uncoded(units, coder="clara")
    assert pos is not None and units[pos]["ref"] == "KII-01:4"
    for ref in ("KII-01:4", "KII-01:5", "KII-01:7", "KII-01:8", "KII-01:9"):
        coding.apply_code(project, [ref], "impact", coder="clara")
    units = wb.transcript_units(project, "KII-01")
    assert wb.next_uncoded(units, coder="clara") is None
    pos = wb.next_uncoded(units, coder="clara", skipped=True)
    assert pos is not None and units[pos]["ref"] == "KII-01:3"


def test_marks_are_undone_and_redone_like_codings(project: Project) -> None:
    coding.mark_unit(project, "KII-01:3", "skipped", coder="clara")
    coding.mark_unit(project, "KII-01:3", "not_codable", coder="clara")
    assert [m["mark"] for m in project.marks(coder="clara")] == ["not_codable"]
    undone = history.undo(project, coder="clara")
    assert undone is not None and undone["action"] == "mark.set"
    assert [m["mark"] for m in project.marks(coder="clara")] == ["skipped"]
    history.undo(project, coder="clara")
    assert project.marks() == []
    history.redo(project, coder="clara")
    assert [(m["ref"], m["mark"]) for m in project.marks()] == [("KII-01:3", "skipped")]
    coding.mark_unit(project, "KII-01:3", None, coder="clara")
    assert project.marks() == []


def test_interviewer_units_cannot_be_marked_and_unknown_marks_are_refused(project: Project) -> None:
    with pytest.raises(QualcodeError, match="interviewer"):
        coding.mark_unit(project, "KII-01:1", "not_codable", coder="clara")
    with pytest.raises(QualcodeError, match="unknown mark"):
        coding.mark_unit(project, "KII-01:3", "boring", coder="clara")
    assert project.marks() == [] and project.events(entity="mark") == []


def test_each_coder_has_a_position_per_transcript(project: Project) -> None:
    assert project.position("KII-01", coder="clara") is None
    project.set_position("KII-01", project.resolve_segment("KII-01:8"), coder="clara")
    project.set_position("FGD-01", project.resolve_segment("FGD-01:3"), coder="clara")
    project.set_position("KII-01", project.resolve_segment("KII-01:4"), coder="long")
    assert project.position("KII-01", coder="clara") == 8
    assert project.position("FGD-01", coder="clara") == 3
    assert project.position("KII-01", coder="long") == 4
    assert project.events(entity="position") == []  # moving is not a change to the project


def test_the_units_a_queue_passes_over_are_read_in_one_query(project: Project) -> None:
    """Units coded or marked not codable by the coder, up to the first still to do; another coder's coding and a
    'skipped' mark leave a unit to do."""
    ids = {u["ref"]: int(u["id"]) for u in project.segments("KII-01", include_interviewer=False)}
    coding.apply_code(project, ["KII-01:3"], "impact", coder="clara")
    coding.mark_unit(project, "KII-01:4", "not_codable", coder="clara")
    coding.apply_code(project, ["KII-01:5"], "impact", coder="clara")
    coding.mark_unit(project, "KII-01:7", "skipped", coder="clara")
    coding.apply_code(project, ["KII-01:8"], "impact", coder="long")
    coding.apply_code(project, ["KII-01:9"], "impact", coder="clara")
    order = [ids[f"KII-01:{n}"] for n in (3, 4, 5, 7, 8, 9)]
    done = {ids[f"KII-01:{n}"] for n in (3, 4, 5)}
    read: list[str] = []
    project.db.set_trace_callback(read.append)
    try:
        assert wb.done_ahead(project, order, coder="clara") == done
        assert len(read) == 1, read
        read.clear()
        assert wb.done_ahead(project, order, coder="clara", chunk=2) == done  # two units at a time: two reads
        assert len(read) == 2, read
    finally:
        project.db.set_trace_callback(None)
    assert wb.done_ahead(project, order, coder="long") == set()  # long coded only KII-01:8
    assert wb.done_ahead(project, order[4:], coder="long") == {ids["KII-01:8"]}
    assert wb.done_ahead(project, iter(order[5:]), coder="clara") == {ids["KII-01:9"]}
