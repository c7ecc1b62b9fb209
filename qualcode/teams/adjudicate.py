"""Adjudication: walk the coders' disagreements and record the agreed coding.

A decision is per unit and code: ``apply`` (the unit carries the code) or ``omit``. The coders' own codings are never
changed, so agreement can still be reported on the original, independent coding; the agreed coding is filed under
the consensus coder (``consensus`` unless the project's ``consensus_coder`` setting says otherwise) with source
``adjudication``. The event log records who decided, when, and both originals.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.store import now_iso
from qualcode.teams import consensus_coder
from qualcode.teams.agreement import agreement

if TYPE_CHECKING:
    from qualcode.store import Project

DECISIONS = ("apply", "omit")


def adjudication_queue(
    project: Project,
    *,
    coders: list[str] | None = None,
    code: str | None = None,
    transcripts: list[str] | None = None,
    include_settled: bool = False,
) -> dict[str, Any]:
    """The disagreements between ``coders`` (per code), each with its settlement if any.

    Returns ``{"coders", "total", "settled", "open", "items"}``; ``items`` holds the open ones (all of them with
    ``include_settled``) in transcript order, each with the unit, the code, who applied it and who did not, each
    original coding (coder, date, memo) and ``decision``/``decided_by``/``note`` once settled.
    """
    if code is not None:
        project.require_code(code)
    result = agreement(project, coders=coders, by="code", transcripts=transcripts)
    settled = {(a["segment"], a["code"]): a for a in adjudications(project)}
    items = []
    n_settled = 0
    for d in result["disagreements"]:
        if code is not None and d["item"] != code:
            continue
        done = settled.get((d["segment"], d["item"]))
        if done is not None:
            n_settled += 1
            if not include_settled:
                continue
        originals = [
            {"id": c["id"], "coder": c["coder"], "created": c["created"], "memo": c["memo"]}
            for c in project.codings(segment=d["segment"], code=d["item"]) if c["coder"] in d["applied_by"]
        ]
        items.append({
            "segment": d["segment"], "ref": d["ref"], "transcript": d["transcript"], "code": d["item"],
            "code_name": d["item_name"], "speaker": d["speaker"], "text": d["text"],
            "applied_by": d["applied_by"], "not_applied_by": d["not_applied_by"], "originals": originals,
            "decision": done["decision"] if done else None,
            "decided_by": done["coder"] if done else None,
            "note": done["note"] if done else None,
        })
    total = sum(1 for d in result["disagreements"] if code is None or d["item"] == code)
    return {"coders": result["coders"], "total": total, "settled": n_settled, "open": total - n_settled,
            "items": items}


def settle_in_queue(queue: dict[str, Any], segment: int, code: str, decision: str | None, *, coder: str,
                    note: str | None = None, include_settled: bool = False) -> int | None:
    """Bring a queue from :func:`adjudication_queue` up to date with one decision (``decision`` None: reopened)
    without recomputing agreement: the disagreements did not change, only this item's settlement. Returns the
    item's position, or None when it is not in the queue (recompute it then)."""
    items = queue.get("items", [])
    at = next((i for i, it in enumerate(items) if (it["segment"], it["code"]) == (segment, code)), None)
    if at is None:
        return None
    item = items[at]
    shift = int(decision is not None) - int(item["decision"] is not None)
    item.update(decision=decision, decided_by=coder if decision else None, note=note if decision else None)
    queue["settled"] = queue.get("settled", 0) + shift
    queue["open"] = queue.get("open", 0) - shift
    if decision is not None and not include_settled:
        del items[at]
    return at


def adjudicate(
    project: Project,
    segment: int | str,
    code: str,
    decision: str,
    *,
    coder: str,
    note: str | None = None,
) -> dict[str, Any]:
    """Record the agreed coding of ``code`` on ``segment``: ``apply`` or ``omit``. Deciding again replaces the
    earlier decision (the log keeps both)."""
    if decision not in DECISIONS:
        raise QualcodeError(f"a decision is 'apply' or 'omit', not '{decision}'")
    seg_id = project.resolve_segment(segment)
    project.require_code(code)
    consensus = consensus_coder(project)
    if coder == consensus:
        raise QualcodeError(f"'{consensus}' is where agreed codings are filed, not a person",
                            hint="say who decides with --coder NAME")
    seg = project.segment(seg_id)
    with project.transaction():
        originals = _originals(project, seg_id, seg["transcript"], code, consensus)
        previous = _row(project, seg_id, code)
        cid = project.coder_id(coder)
        now = now_iso()
        project.db.execute(
            "INSERT INTO adjudications (segment_id, code_id, decision, coder_id, note, originals, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(segment_id, code_id) DO UPDATE SET"
            " decision = excluded.decision, coder_id = excluded.coder_id, note = excluded.note,"
            " originals = excluded.originals, created = excluded.created",
            (seg_id, code, decision, cid, note, json.dumps(originals, ensure_ascii=False), now),
        )
        agreed = _set_consensus_coding(project, seg_id, code, decision, consensus, note, now, coder=coder)
        after = {**(_row(project, seg_id, code) or {}), "agreed_coding": agreed}
        project.log_event("adjudication.record", "adjudication", f"{seg_id}/{code}", coder=coder,
                          before={"originals": originals, "previous": previous}, after=after)
    return {**after, "ref": seg["ref"], "originals": originals}


def reopen(project: Project, segment: int | str, code: str, *, coder: str) -> dict[str, Any]:
    """Withdraw a settlement: the disagreement is open again and the agreed coding goes."""
    seg_id = project.resolve_segment(segment)
    with project.transaction():
        previous = _row(project, seg_id, code)
        if previous is None:
            raise NotFoundError(f"segment {segment} has no decision on '{code}'",
                                hint="see 'qualcode adjudicate list --all'")
        project.db.execute("DELETE FROM adjudications WHERE segment_id = ? AND code_id = ?", (seg_id, code))
        removed = _set_consensus_coding(project, seg_id, code, "omit", consensus_coder(project), None, now_iso(),
                                        coder=coder)
        project.log_event("adjudication.reopen", "adjudication", f"{seg_id}/{code}", coder=coder,
                          before=previous, after={"agreed_coding_removed": removed})
    return previous


def adjudications(project: Project) -> list[dict[str, Any]]:
    """Every settled (unit, code), with who decided, when, the note and the originals at the time."""
    rows = project.db.execute(
        "SELECT a.id, a.segment_id AS segment, a.code_id AS code, a.decision, k.name AS coder, a.note, a.originals,"
        " a.created, s.transcript_id AS transcript, s.idx FROM adjudications a JOIN coders k ON k.id = a.coder_id"
        " JOIN segments s ON s.id = a.segment_id ORDER BY s.transcript_id, s.idx, a.code_id"
    )
    out = []
    for r in rows:
        d = dict(r)
        d["originals"] = json.loads(d["originals"] or "[]")
        d["ref"] = f"{d['transcript']}:{d.pop('idx')}"
        out.append(d)
    return out


def _row(project: Project, seg_id: int, code: str) -> dict[str, Any] | None:
    row = project.db.execute(
        "SELECT a.segment_id AS segment, a.code_id AS code, a.decision, k.name AS coder, a.note, a.created"
        " FROM adjudications a JOIN coders k ON k.id = a.coder_id WHERE a.segment_id = ? AND a.code_id = ?",
        (seg_id, code),
    ).fetchone()
    return dict(row) if row else None


def _originals(project: Project, seg_id: int, transcript: str, code: str, consensus: str) -> list[dict[str, Any]]:
    """What each coder compared on the transcript had on this unit: their coding (with date and memo) or its
    absence. Outside the agreement sample, every person who coded the transcript."""
    from qualcode.synthesis.reconciled import sample_coders
    from qualcode.teams import machine_coders

    coders = sample_coders(project).get(transcript) or sorted(
        {c["coder"] for c in project.codings(transcript=transcript)} - {consensus} - machine_coders(project))
    had = {c["coder"]: c for c in project.codings(segment=seg_id, code=code)}
    out = []
    for name in coders:
        c = had.get(name)
        out.append({"coder": name, "applied": c is not None, "coding": c["id"] if c else None,
                    "created": c["created"] if c else None, "memo": c["memo"] if c else None})
    return out


def _set_consensus_coding(project: Project, seg_id: int, code: str, decision: str, consensus: str,
                          note: str | None, created: str, *, coder: str) -> int | None:
    """Make the consensus coder's coding match the decision. Returns the id of the coding added or removed.

    The agreed coding's own change is logged too (``coding.adjudicate``, by the person who decided; not undoable as
    a coding, the decision is withdrawn with ``reopen``): the audit trail then accounts for every coding, and a
    removed agreed coding is a removal that travels through ``merge`` like any other."""
    cid = project.coder_id(consensus)
    row = project.db.execute("SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?",
                             (seg_id, code, cid)).fetchone()
    if decision == "apply":
        if row is not None:
            before = project.coding_state(int(row[0]))
            if before is not None and before["memo"] != note:
                project.db.execute("UPDATE codings SET memo = ? WHERE id = ?", (note, row[0]))
                project.log_event("coding.adjudicate", "coding", int(row[0]), coder=coder, before=before,
                                  after=project.coding_state(int(row[0])))
            return int(row[0])
        cur = project.db.execute(
            "INSERT INTO codings (segment_id, code_id, coder_id, created, memo, source) VALUES (?, ?, ?, ?, ?, ?)",
            (seg_id, code, cid, created, note, "adjudication"),
        )
        new_id = int(cur.lastrowid or 0)
        project.log_event("coding.adjudicate", "coding", new_id, coder=coder, after=project.coding_state(new_id))
        return new_id
    if row is not None:
        before = project.coding_state(int(row[0]))
        project.db.execute("DELETE FROM codings WHERE id = ?", (row[0],))
        project.log_event("coding.adjudicate", "coding", int(row[0]), coder=coder, before=before)
        return int(row[0])
    return None
