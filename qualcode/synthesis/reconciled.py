"""The reconciled view: the one body of coded evidence that every synthesis command, the report, the quote banks and
the audit read, so a passage the team adjudicated out leaves all of them at once.

A team double-codes an **agreement sample** (transcripts named with ``qualcode agreement sample add``), measures
agreement on it and settles each disagreement (``qualcode adjudicate decide --apply|--omit``). The view holds:

* on a transcript of the agreement sample that two or more coders coded: every (unit, code) that all of those coders
  applied (agreed), plus the units decided ``--apply``; a disagreement nobody has settled yet is *not* in the view
  (it is counted, so the commands can say how many wait for adjudication);
* on every other transcript: the codings as coded;
* everywhere: minus the (unit, code) pairs decided ``--omit``, and minus codings filed under a program's name
  rather than a person's (an accepted suggestion is the accepting person's coding; a coder called "suggester" is no
  one's judgement).

``--coders consensus`` (the project's consensus coder) names this view; ``--coders A,B`` selects those coders' raw
codings instead, to compare evaluators. :func:`reconcile` computes the view's exceptions in a few queries bounded by
the size of the agreement sample, so filtering 100,000 codings through it costs a set lookup per coding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.teams import consensus_coder, machine_coders

if TYPE_CHECKING:
    from qualcode.store import Project

Key = tuple[int, str]  # (segment id, code id)


@dataclass
class Reconciliation:
    """What separates the reconciled view from "every coding": computed by :func:`reconcile`."""

    consensus: str
    #: sample transcript -> the coders compared there (two or more: double-coded; fewer: treated as coded)
    sample: dict[str, list[str]] = field(default_factory=dict)
    #: (unit, code) -> the coders who applied it, for the disagreements of the sample nobody has settled
    open: dict[Key, list[str]] = field(default_factory=dict)
    applied: set[Key] = field(default_factory=set)
    omitted: set[Key] = field(default_factory=set)
    #: agreed (unit, code) pairs of the double-coded sample
    agreed: int = 0
    machine: set[str] = field(default_factory=set)

    def keeps(self, segment: int, code: str, coder: str) -> bool:
        """Whether a coding (its unit, code and coder) is part of the reconciled view."""
        if coder in self.machine:
            return False
        key = (segment, code)
        return key not in self.omitted and key not in self.open

    def state(self, segment: int, code: str) -> str:
        """``omitted``, ``open`` (coders disagree, not settled), ``applied`` or ``in`` for a (unit, code)."""
        key = (segment, code)
        if key in self.omitted:
            return "omitted"
        if key in self.open:
            return "open"
        if key in self.applied:
            return "applied"
        return "in"

    def double_coded(self) -> list[str]:
        """The sample transcripts that two or more coders coded (what agreement and adjudication compare)."""
        return sorted(t for t, coders in self.sample.items() if len(coders) >= 2)

    def summary(self) -> dict[str, Any]:
        return {"sample": sorted(self.sample), "double_coded": self.double_coded(), "agreed": self.agreed,
                "applied": len(self.applied), "omitted": len(self.omitted), "open": len(self.open),
                "machine_coders": sorted(self.machine)}


# ---------------------------------------------------------------------------------------------- the sample


def sample_rows(project: Project) -> list[dict[str, Any]]:
    """The agreement sample as stored: transcript, coders named for it (None: every person who codes it), when
    and by whom it was added."""
    out = []
    for r in project.db.execute("SELECT transcript_id, coders, added, added_by FROM agreement_sample"
                                " ORDER BY transcript_id"):
        out.append({"transcript": r["transcript_id"], "coders": json.loads(r["coders"]) if r["coders"] else None,
                    "added": r["added"], "added_by": r["added_by"]})
    return out


def sample_coders(project: Project, *, machine: set[str] | None = None) -> dict[str, list[str]]:
    """Each sample transcript with the coders compared there: the coders named when it was added (or every person
    who coded it), among those who have coded it, leaving out the consensus coder and machine names."""
    rows = sample_rows(project)
    if not rows:
        return {}
    consensus = consensus_coder(project)
    machine = machine_coders(project) if machine is None else machine
    coded: dict[str, set[str]] = {}
    ids = [r["transcript"] for r in rows]
    for tid, name in project.db.execute(
        "SELECT DISTINCT s.transcript_id, k.name FROM codings c JOIN coders k ON k.id = c.coder_id"
        " JOIN segments s ON s.id = c.segment_id JOIN transcripts t ON t.id = s.transcript_id"
        f" AND t.current_version = s.version WHERE s.transcript_id IN ({','.join('?' * len(ids))})", ids):
        coded.setdefault(tid, set()).add(name)
    out: dict[str, list[str]] = {}
    for r in rows:
        present = coded.get(r["transcript"], set()) - {consensus} - machine
        if r["coders"]:
            present &= set(r["coders"])
        out[r["transcript"]] = sorted(present)
    return out


def add_to_sample(project: Project, transcript: str, *, coder: str, coders: Iterable[str] | None = None
                  ) -> dict[str, Any]:
    """Put a transcript in the agreement sample (optionally naming the coders to compare there). Logged."""
    from qualcode.store import now_iso

    tid = project.require_transcript(transcript)["id"]
    names = list(dict.fromkeys(c.strip() for c in coders or [] if c.strip())) or None
    if names is not None and len(names) < 2:
        raise QualcodeError("an agreement sample compares two or more coders", hint="pass --coders A,B")
    consensus = consensus_coder(project)
    if names and consensus in names:
        raise QualcodeError(f"'{consensus}' holds the agreed codings, it is not a coder to compare")
    with project.transaction():
        before = _sample_row(project, tid)
        project.db.execute(
            "INSERT INTO agreement_sample (transcript_id, coders, added, added_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(transcript_id) DO UPDATE SET coders = excluded.coders",
            (tid, json.dumps(names, ensure_ascii=False) if names else None, now_iso(), coder))
        after = _sample_row(project, tid)
        project.log_event("sample.add", "agreement_sample", tid, coder=coder, before=before, after=after)
    assert after is not None
    return after


def remove_from_sample(project: Project, transcript: str, *, coder: str) -> dict[str, Any]:
    """Take a transcript out of the agreement sample. Its codings stay; its settled disagreements stay recorded
    (an ``--omit`` decision still holds). Logged."""
    tid = project.require_transcript(transcript)["id"]
    with project.transaction():
        before = _sample_row(project, tid)
        if before is None:
            raise NotFoundError(f"{tid} is not in the agreement sample", hint="see 'qualcode agreement sample list'")
        project.db.execute("DELETE FROM agreement_sample WHERE transcript_id = ?", (tid,))
        project.log_event("sample.remove", "agreement_sample", tid, coder=coder, before=before)
    return before


def restore_sample(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of :func:`add_to_sample` and :func:`remove_from_sample` (a transcript's place in the agreement
    sample, with the coders compared there)."""
    ref = current or target
    assert ref is not None
    if target is None:
        project.db.execute("DELETE FROM agreement_sample WHERE transcript_id = ?", (ref["transcript"],))
    else:
        project.db.execute(
            "INSERT INTO agreement_sample (transcript_id, coders, added, added_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(transcript_id) DO UPDATE SET coders = excluded.coders, added = excluded.added,"
            " added_by = excluded.added_by",
            (target["transcript"], json.dumps(target["coders"], ensure_ascii=False) if target["coders"] else None,
             target["added"], target["added_by"]))


def _sample_row(project: Project, tid: str) -> dict[str, Any] | None:
    r = project.db.execute("SELECT transcript_id, coders, added, added_by FROM agreement_sample"
                           " WHERE transcript_id = ?", (tid,)).fetchone()
    if r is None:
        return None
    return {"transcript": r["transcript_id"], "coders": json.loads(r["coders"]) if r["coders"] else None,
            "added": r["added"], "added_by": r["added_by"]}


def sample_status(project: Project) -> list[dict[str, Any]]:
    """The sample as ``qualcode agreement sample list`` and the workbench show it: each transcript with the coders
    compared there, whether it is double-coded yet, and its open and settled disagreements."""
    recon = reconcile(project)
    settled: dict[str, int] = {}
    for tid, in project.db.execute(
        "SELECT s.transcript_id FROM adjudications a JOIN segments s ON s.id = a.segment_id"):
        settled[tid] = settled.get(tid, 0) + 1
    open_by: dict[str, int] = {}
    if recon.open:
        segs = sorted({s for s, _ in recon.open})
        sql, args = "SELECT id, transcript_id FROM segments", []
        if len(segs) < 900:
            sql, args = sql + f" WHERE id IN ({','.join('?' * len(segs))})", segs
        seg_t = {int(r[0]): r[1] for r in project.db.execute(sql, args)}
        for seg, _code in recon.open:
            t = seg_t.get(seg)
            if t is not None:
                open_by[t] = open_by.get(t, 0) + 1
    out = []
    marks = done_marks(project)
    for row in sample_rows(project):
        coders = recon.sample.get(row["transcript"], [])
        done_by = marks.get(row["transcript"], [])
        # final: every coder compared there said their coding is done; until then the figures may still move
        waiting = [c for c in coders if c not in done_by]
        out.append({**row, "compared": coders, "double_coded": len(coders) >= 2,
                    "open": open_by.get(row["transcript"], 0), "settled": settled.get(row["transcript"], 0),
                    "done_by": done_by, "waiting_for": waiting, "final": len(coders) >= 2 and not waiting})
    return out


# ---------------------------------------------------------------------------------------------- done marks


def done_marks(project: Project) -> dict[str, list[str]]:
    """Each transcript some coder marked done, with those coders (sorted)."""
    out: dict[str, list[str]] = {}
    for tid, name in project.db.execute(
        "SELECT d.transcript_id, k.name FROM transcript_done d JOIN coders k ON k.id = d.coder_id"
        " ORDER BY d.transcript_id, k.name"):
        out.setdefault(str(tid), []).append(str(name))
    return out


def _done_row(project: Project, tid: str, coder: str) -> dict[str, Any] | None:
    r = project.db.execute("SELECT d.marked FROM transcript_done d JOIN coders k ON k.id = d.coder_id"
                           " WHERE d.transcript_id = ? AND k.name = ?", (tid, coder)).fetchone()
    return None if r is None else {"transcript": tid, "coder": coder, "marked": r["marked"]}


def restore_done(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of :func:`mark_done` (a coder's mark that their coding of a transcript is finished)."""
    ref = current or target
    assert ref is not None
    cid = project.coder_id(ref["coder"])
    project.db.execute("DELETE FROM transcript_done WHERE transcript_id = ? AND coder_id = ?", (ref["transcript"], cid))
    if target is not None:
        project.db.execute("INSERT INTO transcript_done (transcript_id, coder_id, marked) VALUES (?, ?, ?)",
                           (target["transcript"], cid, target["marked"]))


def mark_done(project: Project, transcript: str, *, coder: str, done: bool = True) -> dict[str, Any]:
    """Say that ``coder``'s coding of a transcript is finished (``done`` False: not finished after all). Logged.

    When two or more people have marked a transcript done, each of them coded all of it: it joins the agreement
    sample, comparing those people (a later one is added to the comparison), unless someone took it out of the
    sample by hand. Agreement on a sample transcript is final once every coder compared there marked it done.
    Returns ``{"transcript", "coder", "done", "changed", "done_by", "sample"}`` where ``sample`` says what happened to
    the transcript's place in the agreement sample (``joined``, ``compared``, ``removed_by_hand`` or None).
    """
    from qualcode.store import now_iso
    from qualcode.teams import is_machine_coder, machine_coder_names

    tid = project.require_transcript(transcript)["id"]
    consensus = consensus_coder(project)
    if coder == consensus:
        raise QualcodeError(f"'{consensus}' holds the agreed codings, it does not code transcripts",
                            hint="say who finished with --coder NAME")
    if is_machine_coder(coder, extra=machine_coder_names(project)):
        raise QualcodeError(f"'{coder}' is a program's name: only a person can say their coding is done",
                            hint="say who finished with --coder NAME")
    sample: str | None = None
    with project.transaction():
        cid = project.coder_id(coder)
        before = _done_row(project, tid, coder)
        changed = (before is None) == done
        if changed and done:
            project.db.execute("INSERT INTO transcript_done (transcript_id, coder_id, marked) VALUES (?, ?, ?)",
                               (tid, cid, now_iso()))
        elif changed:
            project.db.execute("DELETE FROM transcript_done WHERE transcript_id = ? AND coder_id = ?", (tid, cid))
        if changed:
            project.log_event("transcript.done" if done else "transcript.undone", "transcript_done", tid,
                              coder=coder, before=before, after=_done_row(project, tid, coder))
        done_by = done_marks(project).get(tid, [])
        if done:
            sample = join_sample_when_done(project, tid, done_by, coder=coder)
    return {"transcript": tid, "coder": coder, "done": done, "changed": changed, "done_by": done_by,
            "sample": sample}


def join_sample_when_done(project: Project, tid: str, done_by: list[str], *, coder: str) -> str | None:
    """Put a transcript two or more people marked done in the agreement sample, comparing them (inside a
    transaction). None when fewer than two did or nothing changes; ``removed_by_hand`` when a coder took it out of
    the sample (that stands)."""
    not_people = machine_coders(project) | {consensus_coder(project)}
    people = [n for n in done_by if n not in not_people]
    if len(people) < 2:
        return None
    row = _sample_row(project, tid)
    if row is None:
        last = project.db.execute("SELECT action, before FROM events WHERE entity = 'agreement_sample'"
                                  " AND entity_id = ? ORDER BY id DESC LIMIT 1", (tid,)).fetchone()
        if last is not None and last[1] is not None and last[0] in ("sample.remove", "sample.merge"):
            # taken out by a coder (here, or in a copy merged in): a done mark does not overrule that
            return "removed_by_hand"
        add_to_sample(project, tid, coder=coder, coders=people)
        return "joined"
    if row["coders"] is not None and set(people) - set(row["coders"]):
        add_to_sample(project, tid, coder=coder, coders=sorted(set(row["coders"]) | set(people)))
        return "compared"
    return None


# ---------------------------------------------------------------------------------------------- the view


def reconcile(project: Project) -> Reconciliation:
    """The reconciled view's exceptions: open disagreements of the double-coded sample, adjudication decisions and
    machine coders. Everything else a coder coded is in the view."""
    consensus = consensus_coder(project)
    machine = machine_coders(project)
    recon = Reconciliation(consensus=consensus, machine=machine)
    recon.sample = sample_coders(project, machine=machine)
    decided: dict[Key, str] = {}
    for seg, code, decision in project.db.execute("SELECT segment_id, code_id, decision FROM adjudications"):
        decided[(int(seg), str(code))] = str(decision)
        (recon.applied if decision == "apply" else recon.omitted).add((int(seg), str(code)))
    for tid, coders in recon.sample.items():
        if len(coders) < 2:
            continue
        applied_by: dict[Key, set[str]] = {}
        for seg, code, name in project.db.execute(
            "SELECT c.segment_id, c.code_id, k.name FROM codings c JOIN coders k ON k.id = c.coder_id"
            " JOIN segments s ON s.id = c.segment_id JOIN transcripts t ON t.id = s.transcript_id"
            " AND t.current_version = s.version LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id"
            " AND sp.label = s.speaker WHERE s.transcript_id = ? AND coalesce(sp.role, 'unknown') != 'interviewer'",
            (tid,)):
            if name in coders:
                applied_by.setdefault((int(seg), str(code)), set()).add(name)
        for key, who in applied_by.items():
            if len(who) == len(coders):
                recon.agreed += 1
            elif key not in decided:
                recon.open[key] = sorted(who)
    return recon


def coding_states(project: Project, coding_ids: Iterable[int], recon: Reconciliation | None = None
                  ) -> dict[int, str]:
    """Where each coding stands in the reconciled view: ``in`` (or ``applied``: settled into it), ``omitted``
    (decided ``--omit``), ``open`` (a disagreement not settled yet) or ``machine`` (filed under a program's name).
    A coding that does not exist is left out."""
    ids = sorted({int(i) for i in coding_ids})
    if not ids:
        return {}
    recon = recon or reconcile(project)
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for cid, seg, code, name in project.db.execute(
            "SELECT c.id, c.segment_id, c.code_id, k.name FROM codings c JOIN coders k ON k.id = c.coder_id"
            f" WHERE c.id IN ({','.join('?' * len(part))})", part):
            out[int(cid)] = "machine" if name in recon.machine else recon.state(int(seg), str(code))
    return out


def view_coders(project: Project, coders: Iterable[str] | None) -> list[str] | None:
    """What ``--coders`` asks for: None (or the consensus coder alone) is the reconciled view; names select those
    coders' raw codings. Unknown names are an error, and the consensus coder cannot be mixed with names."""
    if coders is None:
        return None
    names = list(dict.fromkeys(coders))
    consensus = consensus_coder(project)
    if names == [consensus]:
        return None
    if consensus in names:
        raise QualcodeError(f"'{consensus}' is the reconciled view and cannot be combined with coder names",
                            hint=f"use --coders {consensus} alone, or name the coders to compare")
    return project.require_coders(names)


def open_note(recon: Reconciliation) -> str | None:
    """One line for stderr when the view leaves out unsettled disagreements (None when there are none)."""
    if not recon.open:
        return None
    return (f"{len(recon.open)} passage-code pair(s) of the agreement sample on which the coders disagree are not"
            " counted until they are settled (see 'qualcode adjudicate list')")
