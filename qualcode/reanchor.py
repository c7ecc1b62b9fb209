"""Re-anchor codings when a transcript gets a new version.

A coding moves to the new version's unit only when that unit's text is the same passage; anything that cannot be
placed with confidence stays on its old unit with status ``needs_review`` and is reported, never silently moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.store import Project


def reanchor_codings(project: Project, transcript_id: str, old_version: int, new_version: int, *,
                     coder: str | None = None) -> dict[str, Any]:
    db = project.db
    old_units = {r["id"]: dict(r) for r in db.execute(
        "SELECT id, idx, text FROM segments WHERE transcript_id = ? AND version = ?", (transcript_id, old_version))}
    new_units = [dict(r) for r in db.execute(
        "SELECT id, idx, text FROM segments WHERE transcript_id = ? AND version = ? ORDER BY idx",
        (transcript_id, new_version))]
    by_text: dict[str, list[dict[str, Any]]] = {}
    for u in new_units:
        by_text.setdefault(u["text"], []).append(u)
    moved = flagged = 0
    rows = db.execute(
        f"SELECT id, segment_id FROM codings WHERE segment_id IN ({','.join('?' * len(old_units))})",
        list(old_units),
    ).fetchall() if old_units else []
    for coding_id, seg_id in rows:
        old = old_units[seg_id]
        candidates = by_text.get(old["text"], [])
        target = None
        if len(candidates) == 1:
            target = candidates[0]
        elif len(candidates) > 1:
            # identical sentences occur twice: take the one at the same relative position only if unambiguous
            ranked = sorted(candidates, key=lambda u: abs(u["idx"] - old["idx"]))
            if abs(ranked[0]["idx"] - old["idx"]) < abs(ranked[1]["idx"] - old["idx"]):
                target = ranked[0]
        before = project._coding_state(coding_id)
        if target is not None:
            db.execute("UPDATE codings SET segment_id = ? WHERE id = ?", (target["id"], coding_id))
            moved += 1
            project.log_event("coding.reanchor", "coding", coding_id, coder=coder, before=before,
                              after=project._coding_state(coding_id))
        else:
            db.execute("UPDATE codings SET status = 'needs_review' WHERE id = ?", (coding_id,))
            flagged += 1
            project.log_event("coding.flag", "coding", coding_id, coder=coder, before=before,
                              after=project._coding_state(coding_id))
    return {"moved": moved, "needs_review": flagged}
