"""What changed in a project since a point of its event log: the units to redraw and the code counts to adjust.

A screen that shows a project (the workbench, while another coder or the command line works on the same project)
follows the event log instead of reading everything again: the events after the last one it saw name the units
whose codings, memos or marks changed and how each code's count moved. Anything else (an import, a new codebook, a
speaker's role, many changes at once) asks for a full re-read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.store import Project

MAX_EVENTS = 2000  # beyond this many new events (a merge, an import of codings) a full re-read is cheaper
# entities whose changes touch single units; decisions only change what the suggester learns
UNIT_ENTITIES = {"coding", "memo", "mark", "decision"}
# not shown by the coding screens (findings, the agreement sample, adjudication notes, coders, settings, done marks)
IGNORED_ENTITIES = {"finding", "agreement_sample", "adjudication", "coder", "setting", "transcript_done"}


@dataclass
class StoreChanges:
    """Changes found in the event log after ``since``, up to event ``last``."""

    since: int
    last: int
    segments: set[int] = field(default_factory=set)  # units whose codings, memos or marks changed
    code_deltas: dict[str, int] = field(default_factory=dict)  # codings added minus removed, per code
    codings_changed: bool = False  # the team's codings or decisions changed (the suggester learns from them)
    full: bool = False  # something else changed: read everything again
    events: int = 0  # how many events were looked at (not skipped)

    @property
    def empty(self) -> bool:
        return not (self.segments or self.code_deltas or self.codings_changed or self.full)


def changes_since(project: Project, since: int, *, skip: Callable[[int], bool] | None = None,
                  last: int | None = None) -> StoreChanges:
    """Read the events after ``since`` (up to ``last``, default the newest) and say what they changed. Events for
    which ``skip(id)`` is true (the caller's own writes, already on its screen) are left out."""
    if last is None:
        last = project.last_event_id()
    out = StoreChanges(since, last)
    if last <= since:
        return out
    if last - since > MAX_EVENTS:
        out.full = True
        return out
    rows = project.db.execute(
        "SELECT id, action, entity, before, after FROM events WHERE id > ? AND id <= ? ORDER BY id", (since, last))
    for event_id, action, entity, before, after in rows:
        if skip is not None and skip(int(event_id)):
            continue
        out.events += 1
        if entity in IGNORED_ENTITIES or action == "history.start":
            continue
        if entity not in UNIT_ENTITIES:
            out.full = True
            continue
        old = json.loads(before) if before else None
        new = json.loads(after) if after else None
        state = new or old or {}
        segment = _segment(entity, state)
        if segment is not None:
            out.segments.add(segment)
        elif entity != "memo":  # a memo on a code or the project: nothing on the coding screens
            out.full = True
        if entity in ("coding", "decision"):
            out.codings_changed = True
        if entity == "coding":
            for state_, sign in ((old, -1), (new, 1)):
                if state_ and state_.get("code_id"):
                    code = str(state_["code_id"])
                    out.code_deltas[code] = out.code_deltas.get(code, 0) + sign
    out.code_deltas = {k: v for k, v in out.code_deltas.items() if v}
    return out


def _segment(entity: str, state: dict[str, Any]) -> int | None:
    if entity in ("coding", "mark") and state.get("segment_id") is not None:
        return int(state["segment_id"])
    if entity == "decision" and state.get("segment") is not None:
        return int(state["segment"])
    if entity == "memo" and state.get("target_type") == "segment":
        return int(state["target_id"])
    return None
