"""Undo and redo read an index of the event log, not the whole history: the same answers as replaying the log, at a
cost that does not grow with it."""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


def tops(project: Project, coder: str) -> tuple[list[int], list[int]]:
    """The ids of the events the next undo and the next redo would reverse, by the index and by a replay."""
    undo, redo = project._undo_stacks(coder)
    return ([e["id"] for e in undo[-1]] if undo else [], [e["id"] for e in redo[-1]] if redo else [])


def indexed(project: Project, coder: str) -> tuple[list[int], list[int]]:
    return ([e["id"] for e in project.history_group(coder, "undo")],
            [e["id"] for e in project.history_group(coder, "redo")])


def test_the_index_agrees_with_a_replay_of_the_log_through_random_sessions(project: Project) -> None:
    rng = random.Random(3)
    refs = [u["ref"] for u in project.segments(include_interviewer=False)]
    codes = ["relevance", "effectiveness.outputs", "sustainability.funding", "impact.policy"]
    for step in range(300):
        coder = rng.choice(["clara", "long"])
        roll = rng.random()
        try:
            if roll < 0.3:
                coding.apply_code(project, rng.sample(refs, rng.randint(1, 3)), rng.choice(codes), coder=coder)
            elif roll < 0.4:
                mine = project.codings(coder=coder)
                if mine:
                    c = rng.choice(mine)
                    coding.remove_code(project, c["segment"], c["code"], coder=coder, coded_by=coder)
            elif roll < 0.5:
                coding.mark_unit(project, rng.choice(refs), rng.choice(["not_codable", "skipped", None]), coder=coder)
            elif roll < 0.55:
                coding.set_memo(project, "segment", rng.choice(refs), rng.choice(["ask again", ""]), coder=coder)
            elif roll < 0.8:
                history.undo(project, coder=coder)
            else:
                history.redo(project, coder=coder)
        except QualcodeError:
            pass  # nothing to do there (already coded, nothing to undo): the session goes on
        for who in ("clara", "long"):
            assert indexed(project, who) == tops(project, who), f"step {step}, {who}"


def code_of(result: Mapping[str, Any] | None) -> str:
    assert result is not None
    return str((result["state"] or result["previous"])["code_id"])


def test_a_project_from_before_the_index_gets_it_built_on_first_undo(project: Project) -> None:
    coding.apply_code(project, ["KII-01:3"], "relevance", coder="clara")
    coding.apply_code(project, ["KII-01:4"], "impact", coder="clara")
    with project.transaction():
        project.db.execute("DELETE FROM history_state")
        project.db.execute("DELETE FROM history_links")
    assert code_of(history.undo(project, coder="clara")) == "impact"
    assert code_of(history.undo(project, coder="clara")) == "relevance"
    assert history.undo(project, coder="clara") is None
    assert code_of(history.redo(project, coder="clara")) == "relevance"


def test_undo_costs_the_same_after_a_long_history(project: Project) -> None:
    """Not a timing test of the machine: the number of events read by one undo must not grow with the history."""
    refs = [u["ref"] for u in project.segments(include_interviewer=False)]
    codes = [c.id for c in project.codebook().walk()]
    for code in codes[:30]:
        coding.apply_code(project, refs, code, coder="clara")  # 30 actions of ~10 events each
    history.undo(project, coder="clara")
    for step in (history.undo, history.redo):
        read: list[str] = []
        project.db.set_trace_callback(read.append)
        try:
            assert step(project, coder="clara") is not None
        finally:
            project.db.set_trace_callback(None)
        event_reads = [s for s in read if "FROM events" in s]
        assert event_reads, read  # the check below looked at the reads this step made
        # the index, the gap check and the group's events; never "every event of this coder"
        assert not any("ORDER BY id" in s and "action_group" not in s and "LIMIT" not in s for s in event_reads), read


def test_a_rejected_suggestion_is_undone_before_the_accept_before_it(project: Project) -> None:
    """Queue mode: accept on one unit, reject on the next, then u twice: the rejection goes first."""
    coding.accept_suggestion(project, "KII-01:3", "relevance.needs_fit", score=0.8, model_version="t", coder="clara")
    coding.reject_suggestion(project, "KII-01:4", "impact", score=0.4, model_version="t", coder="clara")
    assert [d["decision"] for d in project.decisions()] == ["accepted", "rejected"]
    first = history.undo(project, coder="clara")
    assert first is not None and first["action"] == "suggestion.reject"
    assert [d["decision"] for d in project.decisions()] == ["accepted"]
    second = history.undo(project, coder="clara")
    assert second is not None and second["action"] == "coding.add"
    assert project.codings() == [] and project.decisions() == []  # the accept's decision goes with its coding
    history.redo(project, coder="clara")
    assert [d["decision"] for d in project.decisions()] == ["accepted"] and len(project.codings()) == 1


def test_undo_and_redo_say_what_they_did_in_words_and_where(project: Project) -> None:
    coding.apply_code(project, ["KII-01:3", "KII-01:4", "KII-01:5"], "sustainability.funding", coder="clara")
    undone = history.undo(project, coder="clara")
    assert undone is not None
    assert wb.describe_reversal(project, undone, "undo") == \
        "undo: removed 'Funding to continue' from 3 units (KII-01:3-5)"
    redone = history.redo(project, coder="clara")
    assert redone is not None
    assert wb.describe_reversal(project, redone, "redo") == \
        "redo: applied 'Funding to continue' to 3 units (KII-01:3-5)"
    assert wb.reversal_place(project, redone) == ("KII-01", project.resolve_segment("KII-01:3"))
    coding.apply_code(project, ["FGD-01:2"], "gender_equality.data", coder="clara")
    coding.remove_code(project, "FGD-01:2", "gender_equality.data", coder="clara", coded_by="clara")
    undone = history.undo(project, coder="clara")
    assert undone is not None
    assert wb.describe_reversal(project, undone, "undo") == \
        "undo: applied 'Sex-disaggregated data and gender-sensitive monitoring' to FGD-01:2"
    assert wb.reversal_place(project, undone) == ("FGD-01", project.resolve_segment("FGD-01:2"))
    coding.mark_unit(project, "KII-01:7", "not_codable", coder="clara")
    undone = history.undo(project, coder="clara")
    assert undone is not None
    assert wb.describe_reversal(project, undone, "undo") == "undo: cleared the 'not codable' mark on KII-01:7"
    coding.reject_suggestion(project, "KII-01:9", "impact", score=0.5, model_version="t", coder="clara")
    undone = history.undo(project, coder="clara")
    assert undone is not None
    assert wb.describe_reversal(project, undone, "undo") == "undo: took back the rejection of 'Impact' on KII-01:9"


def test_a_span_undone_is_named_in_reading_order_whatever_order_it_was_coded_in(project: Project) -> None:
    coding.apply_code(project, ["KII-01:5", "KII-01:3", "KII-01:4"], "sustainability.funding", coder="clara")
    undone = history.undo(project, coder="clara")
    assert undone is not None
    assert wb.describe_reversal(project, undone, "undo") == \
        "undo: removed 'Funding to continue' from 3 units (KII-01:3-5)"
