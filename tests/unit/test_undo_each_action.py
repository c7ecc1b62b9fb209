"""Undo takes back every kind of action a coder can undo exactly, and redo puts it back exactly: after undo the
project holds what it held before the action, row for row, and after redo what the action left (the event log and
the undo index aside, which record the undo). Each kind is put back by a function beside its action
(qualcode.actions.history.RESTORE); this checks them all on the example project, through the actions the front ends
call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qualcode.actions import coding, drafting, projects, teamwork
from qualcode.actions.history import RESTORE, redo, undo
from qualcode.store import UNDOABLE, Project

ME = "ana"
# What undo itself writes (the log and its index) and where a coder was: not part of what an action changed.
BOOKKEEPING = {"events", "history_links", "history_state", "coder_positions", "sqlite_sequence"}


# A finding's "last changed" time: linking evidence and undoing the link both change the finding, so both set it.
CHANGE_TIMES = {("findings", "updated")}


def contents(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the bookkeeping, table by table."""
    out = {}
    for (table,) in project.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        if table in BOOKKEEPING:
            continue
        cols = [str(c[1]) for c in project.db.execute(f"PRAGMA table_info({table})")
                if (table, c[1]) not in CHANGE_TIMES]
        out[str(table)] = sorted(map(tuple, project.db.execute(f"SELECT {', '.join(cols)} FROM {table}")), key=repr)
    return out


def _unit(project: Project) -> int:
    return int(project.segments("KII-07", include_interviewer=False)[0]["id"])


def _code(project: Project, seg: int) -> str:
    """A code nobody applied to the unit yet."""
    taken = {c["code"] for c in project.codings(segment=seg)}
    return next(str(c["id"]) for c in project.code_rows() if c["id"] not in taken)


def _coded(project: Project) -> tuple[int, str]:
    """A unit and a code ME applied to it (before the action under test)."""
    seg = _unit(project)
    code = _code(project, seg)
    coding.apply_code(project, [seg], code, coder=ME)
    return seg, code


def _finding(project: Project) -> str:
    criterion = next(str(c["id"]) for c in project.code_rows() if c.get("parent") is None)
    return drafting.add_finding(project, criterion, "Trained workers passed the course on.", coder=ME)["id"]


def _nothing(p: Project) -> Any:
    return None


def _apply(p: Project, _: Any) -> None:
    seg = _unit(p)
    coding.apply_code(p, [seg, seg + 2], _code(p, seg), coder=ME)


def _remove(p: Project, coded: tuple[int, str]) -> None:
    coding.remove_code(p, coded[0], coded[1], coder=ME, coded_by=ME)


def _memo(p: Project, _: Any) -> None:
    coding.set_memo(p, "segment", _unit(p), "ask the union about this", coder=ME)


def _memo_edit(p: Project, _: Any) -> None:
    coding.set_memo(p, "segment", _unit(p), "second thought", coder=ME)


def _mark(p: Project, _: Any) -> None:
    coding.mark_unit(p, _unit(p), "not_codable", coder=ME)


def _accept(p: Project, _: Any) -> None:
    seg = _unit(p)
    coding.accept_suggestion(p, seg, _code(p, seg), coder=ME, score=0.61, model_version="test-model")


def _reject(p: Project, _: Any) -> None:
    seg = _unit(p)
    coding.reject_suggestion(p, seg, _code(p, seg), coder=ME, score=0.42, model_version="test-model")


def _correct(p: Project, _: Any) -> None:
    seg = _unit(p)
    top = _code(p, seg)
    chosen = next(str(c["id"]) for c in p.code_rows()
                  if c["id"] != top and not p.codings(segment=seg, code=str(c["id"])))
    coding.correct_suggestion(p, seg, chosen, coder=ME, top={"code": top, "score": 0.7, "model_version": "test-model"})


def _add_finding(p: Project, _: Any) -> None:
    _finding(p)


def _edit_finding(p: Project, fid: str) -> None:
    drafting.edit_finding(p, fid, coder=ME, statement="Most trained workers passed the course on.")


def _coded_and_finding(p: Project) -> tuple[int, str]:
    seg, _ = _coded(p)
    return int(p.codings(segment=seg, coder=ME)[0]["id"]), _finding(p)


def _link(p: Project, ready: tuple[int, str]) -> None:
    drafting.link_evidence(p, ready[1], coder=ME, coding=ready[0])


def _linked_finding(p: Project) -> str:
    coding_id, fid = _coded_and_finding(p)
    drafting.link_evidence(p, fid, coder=ME, coding=coding_id)
    return fid


def _remove_finding(p: Project, fid: str) -> None:
    drafting.remove_finding(p, fid, coder=ME)


def _role(p: Project, _: Any) -> None:
    projects.set_speaker_role(p, "KII-07", "A", "interviewer", coder=ME)


def _record(p: Project, _: Any) -> None:
    projects.set_record(p, "KII-07", "notes", coder=ME)


def _worked_on(p: Project) -> None:
    """KII-07 with a coding, a memo, a suggestion decision and a mark of ME's, in the agreement sample (as the
    example has it): all of it goes with the transcript and comes back with it."""
    _coded(p)
    coding.set_memo(p, "segment", _unit(p), "ask the union about this", coder=ME)
    seg = _unit(p) + 2
    coding.reject_suggestion(p, seg, _code(p, seg), coder=ME, score=0.3, model_version="test-model")
    coding.mark_unit(p, _unit(p) + 4, "skipped", coder=ME)


def _remove_transcript(p: Project, _: Any) -> None:
    projects.remove_transcript(p, "KII-07", coder=ME, with_codings=True)


def _first_memo(p: Project) -> None:
    coding.set_memo(p, "segment", _unit(p), "first thought", coder=ME)


def _done(p: Project, _: Any) -> None:
    teamwork.mark_done(p, ["KII-07"], coder=ME)


def _other_done(p: Project) -> None:
    teamwork.mark_done(p, ["KII-07"], coder="someone else")


def _was_done(p: Project) -> None:
    teamwork.mark_done(p, ["KII-07"], coder=ME)


def _not_done(p: Project, _: Any) -> None:
    teamwork.mark_done(p, ["KII-07"], coder=ME, done=False)


def _sample_add(p: Project, _: Any) -> None:
    teamwork.add_to_sample(p, ["KII-07"], coder=ME, coders=[ME, "someone else"])


def _sampled(p: Project) -> None:
    teamwork.add_to_sample(p, ["KII-07"], coder="someone else")


def _sample_remove(p: Project, _: Any) -> None:
    teamwork.remove_from_sample(p, ["KII-07"], coder=ME)


# Each: what is done first (not taken back), the action undo takes back, and the action the undo names.
ACTIONS: dict[str, tuple[Callable[[Project], Any], Callable[[Project, Any], None], str]] = {
    "apply a code to a span": (_nothing, _apply, "coding.add"),
    "remove a coding": (_coded, _remove, "coding.remove"),
    "write a memo": (_nothing, _memo, "memo.set"),
    "rewrite a memo": (_first_memo, _memo_edit, "memo.set"),
    "mark a unit not codable": (_nothing, _mark, "mark.set"),
    "accept a suggestion": (_nothing, _accept, "coding.add"),  # the coding and its decision, one action
    "reject a suggestion": (_nothing, _reject, "suggestion.reject"),
    "correct a suggestion": (_nothing, _correct, "coding.add"),
    "add a finding": (_nothing, _add_finding, "finding.add"),
    "edit a finding": (_finding, _edit_finding, "finding.update"),
    "link evidence": (_coded_and_finding, _link, "finding.link"),
    "remove a finding with its evidence": (_linked_finding, _remove_finding, "finding.remove"),
    "correct a speaker's role": (_nothing, _role, "speaker.role"),
    "mark a transcript as notes": (_nothing, _record, "transcript.record"),
    "remove a transcript with everything on it": (_worked_on, _remove_transcript, "transcript.remove"),
    "mark your coding of a transcript done": (_nothing, _done, "transcript.done"),
    "the second coder done puts it in the agreement sample": (_other_done, _done, "transcript.done"),
    "take back a done mark": (_was_done, _not_done, "transcript.undone"),
    "add a transcript to the agreement sample": (_nothing, _sample_add, "sample.add"),
    "take it out of the agreement sample": (_sampled, _sample_remove, "sample.remove"),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_undo_and_redo_take_each_action_back_and_put_it_back_exactly(example_project: Project, name: str) -> None:
    prepare, act, logged = ACTIONS[name]
    project = example_project
    with project.transaction():
        project.coder_id(ME)
    ready = prepare(project)
    before = contents(project)
    act(project, ready)
    after = contents(project)
    assert after != before, "the action changed nothing"
    undone = undo(project, coder=ME)
    assert undone is not None and undone["action"] == logged, undone
    assert contents(project) == before
    redone = redo(project, coder=ME)
    assert redone is not None and redone["action"] == logged
    assert contents(project) == after
    assert undo(project, coder=ME) is not None
    assert contents(project) == before


def test_each_kind_of_undoable_action_has_its_restore() -> None:
    # an action logs under its entity: "suggestion.*" under "decision" (the coding it makes under "coding")
    # ... a done mark under "transcript_done", a change to the agreement sample under "agreement_sample"
    logged_as = {"suggestion": "decision", "sample": "agreement_sample"}
    entities = {logged_as.get(a.split(".")[0], a.split(".")[0]) for a in UNDOABLE} | {"transcript_done"}
    assert entities == set(RESTORE)


# The tables a removed transcript's state carries (Project.transcript_state), so undo brings their rows back. Where a
# coder was in it (coder_positions) is not: the transcript reopens at its start.
KEPT_WITH_A_TRANSCRIPT = {"transcript_versions", "speakers", "segments", "codings", "decisions", "adjudications",
                          "unit_marks", "agreement_sample", "transcript_done"}


def test_every_table_that_refers_to_a_transcript_goes_and_comes_back_with_it(example_project: Project) -> None:
    # a new table that refers to transcripts or units must be added to the state (and here), or removing a
    # transcript either fails on its foreign key or loses its rows for good when undone
    db = example_project.db
    tables = [str(t) for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    referring = {table for table in tables
                 for fk in db.execute(f"PRAGMA foreign_key_list({table})") if fk[2] in ("transcripts", "segments")}
    assert "agreement_sample" in referring and "codings" in referring  # (the check reads the schema)
    assert referring - {"coder_positions"} <= KEPT_WITH_A_TRANSCRIPT


def test_count_deltas_say_how_undo_and_redo_move_each_codes_count(example_project: Project) -> None:
    from qualcode.actions.history import count_deltas

    units = [int(u["id"]) for u in example_project.segments("KII-07", include_interviewer=False)[:2]]
    code = next(str(c["id"]) for c in example_project.code_rows()
                if not any(x["code"] == c["id"] for u in units for x in example_project.codings(segment=u)))
    coding.apply_code(example_project, units, code, coder=ME)  # one action on two units
    undone = undo(example_project, coder=ME)
    assert undone is not None and count_deltas(undone) == {code: -2}
    redone = redo(example_project, coder=ME)
    assert redone is not None and count_deltas(redone) == {code: 2}
    coding.mark_units(example_project, units[:1], "not_codable", coder=ME)
    marked = undo(example_project, coder=ME)
    assert marked is not None and count_deltas(marked) == {}  # a mark moves no code's count
