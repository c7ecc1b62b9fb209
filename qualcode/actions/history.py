"""Undo and redo, read from the event log: a coder's own actions are taken back (and put back) as they were
logged, also after a restart.

A user action is one group of events (one transaction): a span coded at once is undone at once. Only the actions
in :data:`qualcode.store.UNDOABLE` count; codings that came by import or merge are not the coder's own work. What
each event's state means is known here, not in the store: a coding and a memo are restored through the store's
primitives, a finding or its evidence through :func:`qualcode.synthesis.findings.apply_finding_state`.
"""

from __future__ import annotations

from typing import Any, cast

from qualcode.errors import QualcodeError
from qualcode.model import CodingState, Reversal
from qualcode.store import HISTORY_START, UNDOABLE, Project
from qualcode.synthesis.findings import apply_finding_state

Event = dict[str, Any]
Group = list[Event]


def undo(project: Project, *, coder: str) -> Reversal | None:
    """Reverse this coder's most recent action (a coding, a span coded at once, a memo, a change to a finding or
    its evidence), also after a restart. None if there is nothing to undo."""
    return _reverse(project, coder, "undo")


def redo(project: Project, *, coder: str) -> Reversal | None:
    """Re-apply the most recently undone action, if no new action came after it."""
    return _reverse(project, coder, "redo")


def stacks(project: Project, coder: str) -> tuple[list[Group], list[Group]]:
    """Replay this coder's log into undo and redo stacks of action groups (a group = one user action)."""
    groups: list[Group] = []
    for ev in project.events(coder=coder):
        action = ev["action"]
        if action == HISTORY_START:
            groups.clear()  # nothing before it is this coder's to take back
            continue
        if action not in UNDOABLE and action not in ("undo", "redo"):
            continue
        if _legacy_import(ev):
            continue
        if action.startswith("finding.") and ev.get("action_group") is None:
            continue  # logged before findings could be undone (every undoable event has a group now)
        key = ev.get("action_group") or -ev["id"]
        if groups and (groups[-1][0].get("action_group") or -groups[-1][0]["id"]) == key:
            groups[-1].append(ev)
        else:
            groups.append([ev])
    undo_stack: list[Group] = []
    redo_stack: list[Group] = []
    for group in groups:
        action = group[0]["action"]
        if action == "undo":
            if undo_stack and {e["undo_of"] for e in group} & {e["id"] for e in undo_stack[-1]}:
                undo_stack.pop()
            redo_stack.append(group)
        elif action == "redo":
            if redo_stack and {e["undo_of"] for e in group} & {e["id"] for e in redo_stack[-1]}:
                redo_stack.pop()
            undo_stack.append(group)
        else:
            undo_stack.append(group)
            redo_stack.clear()
    return undo_stack, redo_stack


def _reverse(project: Project, coder: str, kind: str) -> Reversal | None:
    with project.transaction():
        undo_stack, redo_stack = stacks(project, coder)
        stack = undo_stack if kind == "undo" else redo_stack
        if not stack:
            return None
        group = stack[-1]
        new_id = 0
        for ev in reversed(group):  # last change first
            target, source = ev["before"], ev["after"]  # going back: after -> before
            apply_state(project, ev["entity"], source, target)
            new_id = project.log_event(kind, ev["entity"], ev["entity_id"], coder=coder, before=source, after=target,
                                       undo_of=ev["id"])
    # Undo and redo log a group in reverse order: the user's first change is at one end or the other, and naming it
    # keeps "undo" and "redo" of one action saying the same thing.
    (_, action), ev = min(((project.original_event(int(e["id"])), e) for e in (group[0], group[-1])),
                          key=lambda pair: pair[0][0])
    if ev["entity"] in ("finding", "transcript"):
        # A finding's logged state carries its evidence quotes verbatim (names included): the finding itself is one
        # 'findings show' away, pseudonymised. A removed transcript's logged state is its whole text: too much to
        # print and confidential. Codings and memos keep theirs, which say which unit changed.
        return {"event": new_id, "reversed": int(ev["id"]), "entity": str(ev["entity"]), "entity_id": ev["entity_id"],
                "segment": None, "action": action, "count": len(group)}
    return {"event": new_id, "reversed": int(ev["id"]), "entity": str(ev["entity"]), "entity_id": ev["entity_id"],
            "segment": _segment_of(ev), "state": ev["before"], "previous": ev["after"], "action": action,
            "count": len(group)}


def _segment_of(ev: Event) -> int | None:
    """The unit a logged change of a coding or of a memo on a unit was on."""
    state = ev["before"] or ev["after"] or {}
    if ev["entity"] == "coding" and state.get("segment_id") is not None:
        return int(state["segment_id"])
    if ev["entity"] == "memo" and state.get("target_type") == "segment":
        return int(state["target_id"])
    return None


def apply_state(project: Project, entity: str, current: dict[str, Any] | None,
                target: dict[str, Any] | None) -> None:
    """Make the store hold ``target`` where it held ``current`` (None = absent): one logged state of a coding, a
    memo, a finding and its evidence, a speaker's role, or a transcript (its record, or the whole of it when it was
    removed)."""
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


def _legacy_import(ev: Event) -> bool:
    """An imported coding logged before imports had their own action (``coding.add`` with source "import").

    Kept as a check rather than rewritten by a migration: the event log is the audit trail, append-only by design
    (a trigger refuses UPDATE and DELETE), so what was written at the time stays as written. Only projects
    imported into before ``coding.import`` existed have such events.
    """
    return bool(ev["action"] == "coding.add" and (ev["after"] or {}).get("source") == "import")
