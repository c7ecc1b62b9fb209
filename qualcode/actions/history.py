"""Undo and redo, read from the event log: a coder's own actions are taken back (and put back) as they were
logged, also after a restart.

A user action is one group of events (one transaction): a span coded at once is undone at once. Which group comes
next is the store's to say (:meth:`qualcode.store.Project.history_group` keeps an index of each coder's undo and
redo stacks beside the log); what each event's state means is known beside the action that logged it: codings,
memos, marks and suggestion decisions are put back by the ``restore_*`` functions of :mod:`qualcode.actions.coding`,
findings and their evidence by :mod:`qualcode.actions.drafting`, speakers' roles and transcripts by
:mod:`qualcode.actions.projects`, transcripts marked done and the agreement sample by :mod:`qualcode.actions.teamwork`
(:data:`RESTORE` names them), each through the store's plain reads and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qualcode.actions import coding, drafting, projects, teamwork
from qualcode.errors import QualcodeError
from qualcode.model import Reversal
from qualcode.store import Project

Event = dict[str, Any]

# Their logged states are left out of what undo returns: a finding's carries its evidence quotes verbatim (names
# included; the finding is one 'findings show' away, pseudonymised), a removed transcript's is its whole text.
UNSHOWN = ("finding", "transcript")


def undo(project: Project, *, coder: str) -> Reversal | None:
    """Reverse this coder's most recent action (a coding, a span coded at once, a memo, a mark, a suggestion decision,
    a change to a finding or its evidence, a role or a transcript, a transcript marked done, the agreement sample),
    also after a restart. None if there is nothing
    to undo."""
    return _reverse(project, coder, "undo")


def redo(project: Project, *, coder: str) -> Reversal | None:
    """Re-apply the most recently undone action, if no new action came after it."""
    return _reverse(project, coder, "redo")


def count_deltas(result: Reversal) -> dict[str, int]:
    """How an undo or redo moved each code's number of codings (``{code_id: +n or -n}``, codes it left unchanged
    out): a coding taken back counts -1 for its code, one put back +1, a code changed in place both."""
    out: dict[str, int] = {}
    for c in result["changes"]:
        if c["entity"] != "coding":
            continue
        for state, sign in ((c["from"], -1), (c["to"], 1)):
            if state and state.get("code_id"):
                out[state["code_id"]] = out.get(state["code_id"], 0) + sign
    return {k: v for k, v in out.items() if v}


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


# Where each logged entity is put back: beside the actions that change it.
RESTORE: dict[str, Callable[[Project, dict[str, Any] | None, dict[str, Any] | None], None]] = {
    "coding": coding.restore_coding,
    "memo": coding.restore_memo,
    "mark": coding.restore_mark,
    "decision": coding.restore_decision,
    "finding": drafting.restore_finding,
    "speaker": projects.restore_speaker,
    "transcript": projects.restore_transcript,
    "transcript_done": teamwork.restore_done,  # a coder's coding of a transcript marked done (D)
    "agreement_sample": teamwork.restore_sample,  # a transcript's place in the agreement sample
}


def apply_state(project: Project, entity: str, current: dict[str, Any] | None,
                target: dict[str, Any] | None) -> None:
    """Make the store hold ``target`` where it held ``current`` (None = absent): one logged state of a coding, a
    memo, a mark, a suggestion decision, a finding and its evidence, a speaker's role, or a transcript (its record,
    or the whole of it when it was removed). Each kind is restored by a function beside its actions."""
    restore = RESTORE.get(entity)
    if restore is None:
        raise QualcodeError(f"cannot undo changes to {entity}")
    restore(project, current, target)


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
