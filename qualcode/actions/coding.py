"""Coding actions: apply and remove codes, act on suggestions, mark units not codable or skipped, place a coding
flagged for review, write memos, remember where a coder is. Each is one transaction.

The command line (``codings``, ``suggest accept|reject``, ``memo``, ``reanchor place``) and the workbench (c, d, 1-9,
x, -, s, m and the queue's correct) call these functions and nothing else to change codings, so both behave the same
way: the same lookup, the same rule when several coders applied a code, the same decision records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, cast

from qualcode.errors import ConflictError, NotFoundError, QualcodeError
from qualcode.model import Applied, Coding, CodingState, Decision, Marked, Memo, Placed, Removed, SeenSuggestion
from qualcode.store import Project

MemoTarget = Literal["segment", "code", "transcript", "coding", "project"]


def apply_code(project: Project, segments: Iterable[int | str], code: str, *, coder: str,
               memo: str | None = None, allow_interviewer: bool = False) -> Applied:
    """Apply ``code`` to one unit or a span of units (ids or ``TRANSCRIPT:N``) in one transaction.

    Units that already carry the code from this coder are skipped (listed in ``skipped``); if all do, nothing changes
    and ConflictError says so. An unknown code or unit changes nothing. The interviewer's units are context, counted
    and exported nowhere: coding one is refused unless ``allow_interviewer``.
    """
    seg_ids = [project.resolve_segment(s) for s in segments]
    if not seg_ids:
        raise QualcodeError("no unit to code", hint="move to a unit first")
    project.require_code(code)
    if not allow_interviewer:
        _refuse_interviewer(project, seg_ids)
    added: list[Coding] = []
    skipped: list[int] = []
    with project.transaction():
        for seg in dict.fromkeys(seg_ids):
            if project.codings(segment=seg, code=code, coder=coder):
                skipped.append(seg)
                continue
            added.append(project.add_coding(seg, code, coder=coder, memo=memo))
    if not added:
        what = "this unit" if len(seg_ids) == 1 else "these units"
        raise ConflictError(f"{what} already carry '{code}' from {coder}", hint="nothing to do")
    return {"added": added, "skipped": skipped}


def _refuse_interviewer(project: Project, seg_ids: list[int]) -> None:
    asked = project.segments(ids=seg_ids, current_only=False)
    questions = [u["ref"] for u in asked if u["role"] == "interviewer"]
    if questions:
        what = questions[0] if len(questions) == 1 else f"{len(questions)} of these units ({questions[0]}, ...)"
        raise QualcodeError(
            f"{what} {'is' if len(questions) == 1 else 'are'} the interviewer's: questions are context and would"
            " appear in no count, matrix or export",
            hint="code the informant's answer, or pass --allow-interviewer to code it anyway")


def remove_code(project: Project, segment: int | str, code: str, *, coder: str,
                coded_by: str | None) -> Removed:
    """Remove the coding of ``code`` on a unit that ``coded_by`` applied (None: whoever applied it, as long as only
    one coder did). ``coder`` is who removes it (the event log's actor).

    With several coders' codings of the code on the unit and no ``coded_by``, nothing is removed and the error says
    whose to name: a colleague's coding is never removed by accident.
    """
    with project.transaction():
        seg = project.resolve_segment(segment)
        found = project.codings(segment=seg, code=code, coder=coded_by)
        if not found:
            raise NotFoundError(f"unit {segment} has no code '{code}'" + (f" from {coded_by}" if coded_by else ""),
                                hint="see the unit's codes with 'qualcode codings list --transcript ID'")
        if len(found) > 1:
            raise ConflictError(f"{len(found)} coders applied '{code}' there",
                                hint="say whose with --coder NAME, or pass --id")
        return remove_coding(project, int(found[0]["id"]), coder=coder)


def remove_coding(project: Project, coding_id: int, *, coder: str) -> Removed:
    """Remove one coding by its id (whoever applied it); ``coder`` is who removes it. ``cited_by`` names the findings
    it was evidence for: the audit reports them from now on, so the front end says so while undo is at hand."""
    from qualcode.synthesis.findings import citing_findings

    with project.transaction():
        cited = citing_findings(project, coding_id)
        removed = project.remove_coding(coding_id, coder=coder)
    return {**removed, "cited_by": cited}


def place_flagged(project: Project, coding_id: int, segment: int | str, *, coder: str) -> Placed:
    """Put a coding flagged for review (its passage changed when a corrected transcript came) on a unit of the
    current version: the reviewer's decision, logged under ``coder``. Refused for a coding not waiting for review, a
    unit of an older version, or a unit that already carries the code from the same coder."""
    from qualcode.reanchor import place_flagged as place

    return cast(Placed, place(project, coding_id, segment, coder=coder))


def accept_suggestion(project: Project, segment: int | str, code: str, *, coder: str, score: float | None = None,
                      model_version: str | None = None) -> Coding:
    """Apply a suggested code: the coding records that it came from a suggestion, with the score and model version
    the evaluator saw (recomputed now when not given), and the decision is recorded with it, in one transaction: a
    reviewer never sees one without the other."""
    seg, score, model_version = _seen(project, segment, code, coder, score, model_version)
    _refuse_interviewer(project, [seg])
    with project.transaction():
        coding = project.add_coding(seg, code, coder=coder, source="suggestion", score=score,
                                    model_version=model_version)
        project.record_decision(seg, code, coder=coder, decision="accepted", score=score, model_version=model_version)
    return coding


def reject_suggestion(project: Project, segment: int | str, code: str, *, coder: str, score: float | None = None,
                      model_version: str | None = None) -> Decision:
    """Record that a suggested code does not apply to a unit; the suggester learns from it (a negative example)."""
    seg, score, model_version = _seen(project, segment, code, coder, score, model_version)
    return project.record_decision(seg, code, coder=coder, decision="rejected", score=score,
                                   model_version=model_version)


def reject_suggestions(project: Project, segment: int | str, shown: Sequence[SeenSuggestion], *,
                       coder: str) -> list[Decision]:
    """Reject every suggestion shown for a unit, in one transaction (the queue's x)."""
    with project.transaction():
        return [reject_suggestion(project, segment, s["code"], coder=coder, score=s["score"],
                                  model_version=s["model_version"]) for s in shown]


def correct_suggestion(project: Project, segment: int | str, code: str, *, coder: str,
                       top: SeenSuggestion | None) -> Applied:
    """The evaluator picked ``code`` instead of the top suggestion: apply it and, when it differs from ``top``,
    record ``top`` as rejected, so the suggester learns from the correction. One transaction."""
    with project.transaction():
        result = apply_code(project, [segment], code, coder=coder)
        if top is not None and top["code"] != code:
            reject_suggestion(project, segment, top["code"], coder=coder, score=top["score"],
                              model_version=top["model_version"])
    return result


def accept_suggestion_on(project: Project, segments: Sequence[int | str], suggestion: SeenSuggestion, *,
                         suggested_for: int | str, coder: str) -> Applied:
    """Accept a suggestion shown for one unit and apply its code to the rest of a selection, in one transaction.

    The unit it was suggested for records the acceptance (with the score and model version seen); the other units
    get the code as the coder's own decision on them (no decision is recorded there: nothing was suggested for
    them). Units of the selection that already carry the code from this coder are skipped."""
    code = suggestion["code"]
    with project.transaction():
        focus = project.resolve_segment(suggested_for)
        added = [accept_suggestion(project, focus, code, coder=coder, score=suggestion["score"],
                                   model_version=suggestion["model_version"])]
        skipped: list[int] = []
        others = [seg for seg in dict.fromkeys(project.resolve_segment(s) for s in segments) if seg != focus]
        if others:
            try:
                rest = apply_code(project, others, code, coder=coder)
            except ConflictError:  # every other unit already carries it
                skipped = others
            else:
                added += rest["added"]
                skipped = rest["skipped"]
    return {"added": added, "skipped": skipped}


def mark_unit(project: Project, segment: int | str, mark: str | None, *, coder: str) -> Marked:
    """Mark an informant unit 'not_codable' or 'skipped' (for now) for ``coder``, or clear the mark (None).

    A unit marked not codable leaves the coder's progress and "next uncoded"; a skipped one is visited last.
    Undoable like a coding. Interviewer units are not coded, so they cannot be marked."""
    seg = project.resolve_segment(segment)
    unit = project.segment(seg)
    if mark is not None and unit["role"] == "interviewer":
        raise QualcodeError(f"{unit['ref']} is the interviewer's: it is not coded, so there is nothing to mark",
                            hint="mark an informant's unit")
    stored = project.set_mark(seg, mark, coder=coder)
    return {"segment": seg, "ref": unit["ref"], "coder": coder, "mark": stored["mark"] if stored else None}


def mark_units(project: Project, segments: Iterable[int | str], mark: str | None, *, coder: str) -> list[Marked]:
    """Mark several units at once (a selection), or clear their marks: one transaction, so one undo takes the whole
    selection back, and an interviewer's unit among them marks none."""
    with project.transaction():
        return [mark_unit(project, s, mark, coder=coder) for s in segments]


def remember_position(project: Project, transcript: str, segment: int, *, coder: str) -> None:
    """Remember the unit ``coder`` is on in ``transcript``: the workbench reopens it there. Not logged and not
    undone (moving changes nothing)."""
    project.set_position(transcript, segment, coder=coder)


def set_memo(project: Project, kind: MemoTarget, target: int | str | None, text: str, *, coder: str) -> Memo | None:
    """Write ``coder``'s memo on a unit (``TRANSCRIPT:N`` or id), a code, a transcript, a coding or the project;
    empty text deletes it. Returns the memo as stored (None once deleted). The target must exist."""
    if kind == "segment":
        key = str(project.resolve_segment(str(target)))
    elif kind == "code":
        key = str(project.require_code(str(target))["id"])
    elif kind == "transcript":
        key = str(project.require_transcript(str(target))["id"])
    elif kind == "coding":
        if not str(target).strip().isdigit() or project.coding_state(int(str(target))) is None:
            raise NotFoundError(f"no coding {target}", hint="see 'qualcode codings list'")
        key = str(int(str(target)))
    elif kind == "project":
        key = "project"
    else:
        raise QualcodeError(f"cannot attach a memo to '{kind}'")
    return project.set_memo(kind, key, text, coder=coder)


# ---------------------------------------------------------------------------- undo and redo of these actions
# Each makes the store hold ``target`` where it held ``current`` (None = absent), two states the event log holds;
# qualcode.actions.history calls them inside the undo's (or redo's) transaction.


def restore_coding(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of a coding applied, removed or changed (:func:`apply_code`, :func:`remove_code`, ...)."""
    if target is None:
        if current is not None:
            project.delete_coding(int(current["id"]))
        return
    project.put_coding(cast(CodingState, target))


def restore_memo(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of :func:`set_memo`."""
    ref = current or target
    assert ref is not None
    cid = project.coder_id(ref["coder"])
    if target is None:
        project.delete_memo(ref["target_type"], ref["target_id"], cid)
    else:
        project.put_memo(target["target_type"], target["target_id"], cid, target["text"],
                         created=target["created"], updated=target["updated"])


def restore_mark(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of :func:`mark_unit` and :func:`mark_units`."""
    ref = current or target
    assert ref is not None
    if target is None:
        project.delete_mark(int(ref["segment_id"]), project.coder_id(ref["coder"]))
    else:
        project.put_mark(int(target["segment_id"]), project.coder_id(target["coder"]), target["mark"],
                         created=target["created"])


def restore_decision(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of the decision record of :func:`accept_suggestion`, :func:`reject_suggestion` and
    :func:`correct_suggestion` (the coding they make is undone by :func:`restore_coding`)."""
    ref = current or target
    assert ref is not None
    if target is None:
        project.delete_decision(int(ref["id"]))
    else:
        project.put_decision(target)


def _seen(project: Project, segment: int | str, code: str, coder: str, score: float | None,
          model_version: str | None) -> tuple[int, float | None, str | None]:
    """The unit, score and model version a decision on a suggestion records: what the evaluator saw, or what the
    suggester says now when the front end does not know. The decision must be a person's."""
    from qualcode.teams import is_machine_coder, machine_coder_names

    seg = project.resolve_segment(segment)
    project.require_code(code)
    if is_machine_coder(coder, model_version=model_version, extra=machine_coder_names(project)):
        # the coding is the judgement of whoever accepts the suggestion; a program's name would make it nobody's
        # (and would turn a transcript into a second coder's work in every comparison)
        raise QualcodeError(f"'{coder}' names a program, not a person: a suggestion is accepted (or rejected) by a"
                            " coder, and the coding is theirs, with the suggestion's model and score",
                            hint="pass --coder YOUR_NAME, or set the project's coder: qualcode coders --default NAME")
    if score is None or model_version is None:
        from qualcode.nlp.project import current_score

        now_score, now_version = current_score(project, seg, code)
        score = now_score if score is None else score
        model_version = model_version or now_version
    return seg, score, model_version
