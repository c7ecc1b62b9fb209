"""The coding actions every front end calls: one function, one transaction, one rule each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shape_support import assert_shape
from workbench_support import build_small_project

from qualcode.actions import views
from qualcode.actions.coding import (
    accept_suggestion,
    accept_suggestion_on,
    apply_code,
    correct_suggestion,
    mark_unit,
    mark_units,
    reject_suggestion,
    reject_suggestions,
    remember_position,
    remove_code,
    remove_coding,
    set_memo,
)
from qualcode.actions.history import redo, undo
from qualcode.errors import ConflictError, NotFoundError, QualcodeError
from qualcode.model import Marked, SeenSuggestion
from qualcode.store import Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = build_small_project(tmp_path / "small")
    yield p
    p.close()


def test_apply_code_to_a_span_is_one_transaction_and_skips_units_already_coded(project: Project) -> None:
    apply_code(project, ["KII-01:4"], "sustainability", coder="clara")
    result = apply_code(project, ["KII-01:3", "KII-01:4", "KII-01:5"], "sustainability", coder="clara")
    assert [c["segment"] for c in result["added"]] == [project.resolve_segment(r) for r in ("KII-01:3", "KII-01:5")]
    assert result["skipped"] == [project.resolve_segment("KII-01:4")]
    coded = sorted(c["ref"] for c in project.codings(code="sustainability"))
    assert coded == ["KII-01:3", "KII-01:4", "KII-01:5"]
    with pytest.raises(ConflictError, match="already carry"):
        apply_code(project, ["KII-01:3"], "sustainability", coder="clara")
    # the span was one action: one undo takes both units back
    assert undo(project, coder="clara")["count"] == 2  # type: ignore[index]
    assert [c["ref"] for c in project.codings(code="sustainability")] == ["KII-01:4"]


def test_apply_code_with_unknown_code_or_unit_changes_nothing(project: Project) -> None:
    with pytest.raises(NotFoundError, match="no code"):
        apply_code(project, ["KII-01:3", "KII-01:4"], "sustainabilty", coder="clara")
    with pytest.raises(NotFoundError, match="no segment"):
        apply_code(project, ["KII-01:3", "KII-01:99"], "sustainability", coder="clara")
    assert project.codings() == []


def test_remove_code_of_ones_own_leaves_a_colleagues_coding(project: Project) -> None:
    apply_code(project, ["KII-01:8"], "sustainability.funding", coder="clara")
    apply_code(project, ["KII-01:8"], "sustainability.funding", coder="long")
    removed = remove_code(project, "KII-01:8", "sustainability.funding", coder="clara", coded_by="clara")
    assert (removed["coder"], removed["code"]) == ("clara", "sustainability.funding")
    assert [c["coder"] for c in project.codings(segment=project.resolve_segment("KII-01:8"))] == ["long"]
    with pytest.raises(NotFoundError, match="has no code 'sustainability.funding' from clara"):
        remove_code(project, "KII-01:8", "sustainability.funding", coder="clara", coded_by="clara")


def test_remove_code_without_saying_whose_refuses_when_several_coders_applied_it(project: Project) -> None:
    apply_code(project, ["KII-01:8"], "sustainability.funding", coder="clara")
    apply_code(project, ["KII-01:8"], "sustainability.funding", coder="long")
    with pytest.raises(ConflictError, match="2 coders applied") as err:
        remove_code(project, "KII-01:8", "sustainability.funding", coder="ana", coded_by=None)
    assert "--coder" in str(err.value)
    assert len(project.codings(code="sustainability.funding")) == 2
    # with a single coding left, naming nobody removes it, and the log says who removed it
    remove_code(project, "KII-01:8", "sustainability.funding", coder="ana", coded_by="long")
    removed = remove_code(project, "KII-01:8", "sustainability.funding", coder="ana", coded_by=None)
    assert removed["coder"] == "clara"
    assert [e["coder"] for e in project.events(entity="coding") if e["action"] == "coding.remove"] == ["ana", "ana"]


def test_remove_coding_by_id_is_undone_like_any_coding_action(project: Project) -> None:
    added = apply_code(project, ["KII-01:8"], "sustainability.funding", coder="clara")["added"][0]
    remove_coding(project, added["id"], coder="clara")
    assert project.codings() == []
    undo(project, coder="clara")
    assert [c["ref"] for c in project.codings(coder="clara")] == ["KII-01:8"]
    with pytest.raises(NotFoundError, match="no coding 999"):
        remove_coding(project, 999, coder="clara")


def test_accepting_a_suggestion_records_the_coding_and_the_decision_together(project: Project) -> None:
    coding = accept_suggestion(project, "KII-01:3", "relevance.needs_fit", coder="clara", score=0.72,
                               model_version="m-1")
    assert (coding["source"], coding["score"], coding["model_version"]) == ("suggestion", 0.72, "m-1")
    assert [(d["code"], d["decision"], d["score"]) for d in project.decisions()] == [
        ("relevance.needs_fit", "accepted", 0.72)]
    # a second accept of the same code changes nothing: no second decision without a coding
    with pytest.raises(ConflictError):
        accept_suggestion(project, "KII-01:3", "relevance.needs_fit", coder="clara", score=0.72, model_version="m-1")
    assert len(project.decisions()) == 1


def test_accepting_without_the_score_seen_records_the_suggesters_score_now(project: Project) -> None:
    coding = accept_suggestion(project, "KII-01:8", "sustainability.funding", coder="clara")
    assert coding["model_version"] and coding["score"] is not None and 0.0 <= coding["score"] <= 1.0
    assert project.decisions()[0]["model_version"] == coding["model_version"]


def test_rejecting_suggestions_records_decisions_and_no_coding(project: Project) -> None:
    shown: list[SeenSuggestion] = [{"code": "relevance", "score": 0.4, "model_version": "m-1"},
                                   {"code": "impact", "score": 0.2, "model_version": "m-1"}]
    decisions = reject_suggestions(project, "KII-01:3", shown, coder="clara")
    assert [(d["code"], d["decision"]) for d in decisions] == [("relevance", "rejected"), ("impact", "rejected")]
    assert project.codings() == []
    single = reject_suggestion(project, "KII-01:4", "relevance", coder="clara", score=0.3, model_version="m-1")
    assert single["segment"] == project.resolve_segment("KII-01:4")
    with pytest.raises(NotFoundError, match="no code"):
        reject_suggestion(project, "KII-01:4", "relevanse", coder="clara", score=0.3, model_version="m-1")


def test_correcting_a_suggestion_codes_the_unit_and_rejects_the_top_suggestion(project: Project) -> None:
    top: SeenSuggestion = {"code": "relevance", "score": 0.6, "model_version": "m-1"}
    result = correct_suggestion(project, "KII-01:3", "effectiveness.outputs", coder="clara", top=top)
    assert [c["code"] for c in result["added"]] == ["effectiveness.outputs"]
    assert [(d["code"], d["decision"], d["score"]) for d in project.decisions()] == [("relevance", "rejected", 0.6)]
    # picking the top suggestion itself is no rejection
    same: SeenSuggestion = {"code": "impact", "score": 0.5, "model_version": "m-1"}
    correct_suggestion(project, "KII-01:4", "impact", coder="clara", top=same)
    assert len(project.decisions()) == 1


def test_a_failed_correction_rejects_nothing(project: Project) -> None:
    apply_code(project, ["KII-01:3"], "effectiveness.outputs", coder="clara")
    top: SeenSuggestion = {"code": "relevance", "score": 0.6, "model_version": "m-1"}
    with pytest.raises(ConflictError):
        correct_suggestion(project, "KII-01:3", "effectiveness.outputs", coder="clara", top=top)
    assert project.decisions() == []  # one transaction: the rejection went with the failed coding


def test_memos_on_every_kind_of_target(project: Project) -> None:
    coding = apply_code(project, ["KII-01:5"], "sustainability", coder="clara")["added"][0]
    on_unit = set_memo(project, "segment", "KII-01:5", "Ask the chamber about funding", coder="clara")
    assert on_unit is not None and on_unit["target_id"] == str(project.resolve_segment("KII-01:5"))
    units = {u["ref"]: u for u in views.transcript_units(project, "KII-01")}
    assert units["KII-01:5"]["memos"] == {"clara": "Ask the chamber about funding"}
    assert set_memo(project, "code", "sustainability", "Funding after closure", coder="clara") is not None
    assert set_memo(project, "transcript", "KII-01", "Good rapport", coder="clara") is not None
    assert set_memo(project, "coding", coding["id"], "Borderline", coder="clara") is not None
    assert set_memo(project, "project", None, "Draft due in May", coder="clara") is not None
    assert {m["target_type"] for m in project.memos()} == {"segment", "code", "transcript", "coding", "project"}
    assert set_memo(project, "segment", "KII-01:5", "", coder="clara") is None  # empty text deletes
    assert views.transcript_units(project, "KII-01")[4]["memos"] == {}
    undo(project, coder="clara")
    assert views.transcript_units(project, "KII-01")[4]["memos"] == {"clara": "Ask the chamber about funding"}
    redo(project, coder="clara")


@pytest.mark.parametrize(("kind", "target", "message"), [
    ("segment", "KII-01:99", "no segment"), ("code", "sustainabilty", "no code"),
    ("transcript", "KII-99", "no transcript"), ("coding", "999", "no coding 999")])
def test_a_memo_on_something_that_does_not_exist_is_refused(project: Project, kind: str, target: str,
                                                            message: str) -> None:
    with pytest.raises(NotFoundError, match=message):
        set_memo(project, kind, target, "text", coder="clara")  # type: ignore[arg-type]
    assert project.memos() == []


def test_accepting_a_suggestion_on_a_selection_records_the_decision_on_its_own_unit_only(project: Project) -> None:
    apply_code(project, ["KII-01:5"], "relevance", coder="clara")
    shown: SeenSuggestion = {"code": "relevance", "score": 0.71, "model_version": "m-3"}
    result = accept_suggestion_on(project, ["KII-01:3", "KII-01:4", "KII-01:5"], shown, suggested_for="KII-01:4",
                                  coder="clara")
    four, three, five = (project.resolve_segment(r) for r in ("KII-01:4", "KII-01:3", "KII-01:5"))
    assert [(c["segment"], c["source"], c["score"]) for c in result["added"]] == [
        (four, "suggestion", 0.71), (three, "human", None)]
    assert result["skipped"] == [five]
    assert [(d["segment"], d["decision"]) for d in project.decisions()] == [(four, "accepted")]
    # one action: one undo takes the acceptance and the rest of the selection back
    undone = undo(project, coder="clara")
    assert undone is not None and undone["count"] == 3  # two codings and the decision
    assert [c["ref"] for c in project.codings(code="relevance")] == ["KII-01:5"]
    assert project.decisions() == []


def test_accepting_on_a_selection_already_coded_still_records_the_acceptance(project: Project) -> None:
    apply_code(project, ["KII-01:3"], "relevance", coder="clara")
    shown: SeenSuggestion = {"code": "relevance", "score": 0.5, "model_version": "m-1"}
    result = accept_suggestion_on(project, ["KII-01:3", "KII-01:4"], shown, suggested_for="KII-01:4", coder="clara")
    assert len(result["added"]) == 1 and result["skipped"] == [project.resolve_segment("KII-01:3")]


def test_marking_a_selection_is_one_action_and_says_what_each_unit_carries(project: Project) -> None:
    marked = mark_units(project, ["KII-01:3", "KII-01:4"], "not_codable", coder="clara")
    for m in marked:
        assert_shape(m, Marked)
    assert [(m["ref"], m["mark"], m["coder"]) for m in marked] == [
        ("KII-01:3", "not_codable", "clara"), ("KII-01:4", "not_codable", "clara")]
    undone = undo(project, coder="clara")
    assert undone is not None and undone["count"] == 2
    assert project.marks() == []
    cleared = mark_unit(project, "KII-01:3", None, coder="clara")
    assert cleared == {"segment": project.resolve_segment("KII-01:3"), "ref": "KII-01:3", "coder": "clara",
                       "mark": None}


def test_a_selection_holding_an_interviewers_unit_marks_nothing(project: Project) -> None:
    with pytest.raises(QualcodeError, match="interviewer"):
        mark_units(project, ["KII-01:3", "KII-01:2"], "skipped", coder="clara")
    assert project.marks() == []


def test_the_workbench_reopens_a_transcript_where_each_coder_was(project: Project) -> None:
    assert views.last_position(project, "KII-01", coder="clara") is None
    remember_position(project, "KII-01", project.resolve_segment("KII-01:8"), coder="clara")
    remember_position(project, "KII-01", project.resolve_segment("KII-01:4"), coder="long")
    assert views.last_position(project, "KII-01", coder="clara") == 8
    assert views.last_position(project, "KII-01", coder="long") == 4
    assert undo(project, coder="clara") is None  # moving is not an action to undo


def test_refreshing_units_reads_what_another_connection_wrote(project: Project, tmp_path: Path) -> None:
    units = views.transcript_units(project, "KII-01")
    other = Project.open(tmp_path / "small")
    try:
        apply_code(other, ["KII-01:3"], "relevance", coder="long")
        set_memo(other, "segment", "KII-01:3", "the course, not the toolkit", coder="long")
        mark_unit(other, "KII-01:4", "skipped", coder="long")
    finally:
        other.close()
    three, four = (next(u for u in units if u["ref"] == r) for r in ("KII-01:3", "KII-01:4"))
    fresh = views.refresh_units(project, [three, four])
    assert [c["code"] for c in fresh[0]["codings"]] == ["relevance"]
    assert fresh[0]["memos"] == {"long": "the course, not the toolkit"}
    assert fresh[1]["marks"] == {"long": "skipped"}
    assert fresh == [u for u in views.transcript_units(project, "KII-01") if u["ref"] in ("KII-01:3", "KII-01:4")]


def test_placing_a_flagged_coding_is_the_reviewers_decision_on_the_current_version(tmp_path: Path) -> None:
    from reliability.builders import INTERVIEW, make_project, transcript

    from qualcode.actions.coding import place_flagged
    from qualcode.model import Placed
    from qualcode.reanchor import review_queue, store_transcript

    flagged = make_project(tmp_path / "p")
    try:
        coding = flagged.add_coding("KII-01:8", "sustainability", coder="ana")
        edited = [(s, list(u)) for s, u in INTERVIEW]
        edited[3][1][2] = "Without support from the brand, we could not have continued the quarterly seminars."
        store_transcript(flagged, transcript(edited), "KII-01", coder="ana")
        with pytest.raises(QualcodeError, match="not in the current version"):
            place_flagged(flagged, coding["id"], coding["segment"], coder="ana")  # its unit in the old version
        placed = place_flagged(flagged, coding["id"], "KII-01:7", coder="lan")
        assert_shape(placed, Placed)
        assert (placed["ref"], placed["status"], placed["coder"]) == ("KII-01:7", "ok", "ana")
        assert review_queue(flagged) == []
        with pytest.raises(ConflictError, match="not waiting for review"):
            place_flagged(flagged, coding["id"], "KII-01:8", coder="lan")
        assert [(e["action"], e["coder"]) for e in flagged.events(entity="coding")][-1] == ("coding.reanchor", "lan")
    finally:
        flagged.close()
