"""Undo and redo, read from the event log: a coder's own actions are taken back (and put back) as they were
logged, also after a restart.

A user action is one group of events (one transaction): a span coded at once is undone at once. Which group comes
next is the store's to say (:meth:`qualcode.store.Project.history_group` keeps an index of each coder's undo and
redo stacks beside the log); what each event's state means is known here: codings, memos, marks, suggestion
decisions, speakers' roles and transcripts are restored through the store's primitives, a finding and its evidence
through :func:`qualcode.synthesis.findings.apply_finding_state`.
"""

from __future__ import annotations

from typing import Any, cast

from qualcode.errors import QualcodeError
from qualcode.model import CodingState, Reversal
from qualcode.store import Project
from qualcode.synthesis.findings import apply_finding_state

Event = dict[str, Any]

# Their logged states are left out of what undo returns: a finding's carries its evidence quotes verbatim (names
# included; the finding is one 'findings show' away, pseudonymised), a removed transcript's is its whole text.
UNSHOWN = ("finding", "transcript")


def undo(project: Project, *, coder: str) -> Reversal | None:
    """Reverse this coder's most recent action (a coding, a span coded at once, a memo, a mark, a suggestion decision,
    a change to a finding or its evidence, a role or a transcript), also after a restart. None if there is nothing
    to undo."""
    return _reverse(project, coder, "undo")


def redo(project: Project, *, coder: str) -> Reversal | None:
    """Re-apply the most recently undone action, if no new action came after it."""
    return _reverse(project, coder, "redo")


def _reverse(project: Project, coder: str, kind: str) -> Reversal | None:
    with project.transaction():
        group = project.history_group(coder, kind)
        if not group:
            return None
        new_id = 0
        changes: list[dict[str, Any]] = []
        for ev in reversed(group):  # last change first
            target, source = ev["before"], ev["after"]  # going back: after -> before
            apply_state(project, ev["entity"], source, target)
            new_id = project.log_event(kind, ev["entity"], ev["entity_id"], coder=coder, before=source, after=target,
                                       undo_of=ev["id"])
            if ev["entity"] not in UNSHOWN:
                changes.append({"entity": ev["entity"], "from": source, "to": target,
                                "segment": segment_of(ev["entity"], target or source)})
    if kind == "undo":
        changes.reverse()  # the user's order (a redo group is already in it: undo logged it last change first)
    # Undo and redo log a group in reverse order: the user's first change is at one end or the other, and naming it
    # keeps "undo" and "redo" of one action saying the same thing.
    (_, action), ev = min(((project.original_event(int(e["id"])), e) for e in (group[0], group[-1])),
                          key=lambda pair: pair[0][0])
    segments = list(dict.fromkeys(c["segment"] for c in changes if c["segment"] is not None))
    if ev["entity"] in UNSHOWN:
        return {"event": new_id, "reversed": int(ev["id"]), "entity": str(ev["entity"]), "entity_id": ev["entity_id"],
                "segment": None, "action": action, "count": len(group), "changes": changes, "segments": segments}
    return {"event": new_id, "reversed": int(ev["id"]), "entity": str(ev["entity"]), "entity_id": ev["entity_id"],
            "segment": segment_of(str(ev["entity"]), ev["before"] or ev["after"]), "state": ev["before"],
            "previous": ev["after"], "action": action, "count": len(group), "changes": changes,
            "segments": segments}


def apply_state(project: Project, entity: str, current: dict[str, Any] | None,
                target: dict[str, Any] | None) -> None:
    """Make the store hold ``target`` where it held ``current`` (None = absent): one logged state of a coding, a
    memo, a mark, a suggestion decision, a finding and its evidence, a speaker's role, or a transcript (its record,
    or the whole of it when it was removed)."""
    if entity == "coding":
        if target is None:
            if current is not None:
                project.delete_coding(int(current["id"]))
            return
        project.put_coding(cast(CodingState, target))
    elif entity == "memo":
        ref = current or target
        assert ref is not None
        cid = project.coder_id(ref["coder"])
        if target is None:
            project.delete_memo(ref["target_type"], ref["target_id"], cid)
        else:
            project.put_memo(target["target_type"], target["target_id"], cid, target["text"],
                             created=target["created"], updated=target["updated"])
    elif entity == "mark":
        ref = current or target
        assert ref is not None
        if target is None:
            project.delete_mark(int(ref["segment_id"]), project.coder_id(ref["coder"]))
        else:
            project.put_mark(int(target["segment_id"]), project.coder_id(target["coder"]), target["mark"],
                             created=target["created"])
    elif entity == "decision":
        ref = current or target
        assert ref is not None
        if target is None:
            project.delete_decision(int(ref["id"]))
        else:
            project.put_decision(target)
    elif entity == "finding":
        apply_finding_state(project, current, target)
    elif entity == "speaker":
        ref = target or current
        assert ref is not None
        if target is not None:  # (a label a correction created has no state before: set-role needs the label)
            project.put_speaker(ref["transcript"], ref["label"], target)
    elif entity == "transcript":
        ref = target or current
        assert ref is not None
        if "versions" not in ref:  # a record (verbatim or notes) set by hand
            project.put_record(ref["id"], target["record"] if target else None)
        elif target is None:  # redo a removal
            assert current is not None
            project.drop_transcript(current["transcript"]["id"])
        else:  # undo a removal
            project.restore_transcript(target)
    else:
        raise QualcodeError(f"cannot undo changes to {entity}")


def segment_of(entity: str, state: dict[str, Any] | None) -> int | None:
    """The unit a logged coding, memo on a unit, mark or suggestion decision is on (None for anything else)."""
    if not state:
        return None
    if entity in ("coding", "mark") and state.get("segment_id") is not None:
        return int(state["segment_id"])
    if entity == "decision" and state.get("segment") is not None:
        return int(state["segment"])
    if entity == "memo" and state.get("target_type") == "segment":
        return int(state["target_id"])
    return None
