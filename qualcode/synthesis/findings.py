"""Findings: the evaluator's statements per criterion, each linked to the coded passages behind it (supporting or
contradicting) and to the documents it cites. A reviewer walks from a finding to its evidence with
``qualcode findings show`` and checks it with ``qualcode audit``.

Every change is one transaction and is appended to the event log (who, when, before, after), from which
``qualcode undo`` and ``qualcode redo`` take it back or re-apply it (:func:`apply_finding_state`).
Findings can be written to and read from a readable YAML file so they can be drafted or reviewed outside qualcode.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ConflictError, InputError, NotFoundError, QualcodeError
from qualcode.safeio.cleaning import clean

if TYPE_CHECKING:
    from qualcode.model import Citation
    from qualcode.safeio.output import Confirm
    from qualcode.store import Project

STANCES = ("supports", "contradicts")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _now() -> str:
    from qualcode.store import now_iso

    return now_iso()


def _row(project: Project, finding_id: str) -> dict[str, Any] | None:
    row = project.db.execute("SELECT * FROM findings WHERE id = ?", (finding_id,)).fetchone()
    if row is None:
        return None
    d = dict(row)
    d["documents"] = json.loads(d["documents"] or "[]")
    d["key_quotes"] = json.loads(d.get("key_quotes") or "[]")
    d["criterion"] = d.pop("criterion_id")
    d["code"] = d.pop("code_id")
    return d


def require_finding(project: Project, finding_id: str) -> dict[str, Any]:
    d = _row(project, finding_id)
    if d is None:
        import difflib

        ids = [r[0] for r in project.db.execute("SELECT id FROM findings")]
        close = difflib.get_close_matches(finding_id, ids, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else "see 'qualcode findings list'"
        raise NotFoundError(f"no finding '{finding_id}'", hint=hint)
    return d


def _next_id(project: Project) -> str:
    n = 0
    for (fid,) in project.db.execute("SELECT id FROM findings"):
        m = re.fullmatch(r"F(\d+)", fid)
        if m:
            n = max(n, int(m.group(1)))
    return f"F{n + 1}"


def _check_codes(project: Project, criterion: str, code: str | None) -> tuple[str, str | None]:
    crit = project.require_code(criterion)
    if crit["parent_id"]:
        # a question was given as the criterion: file the finding under its criterion, keep the question
        return crit["criterion_id"], code or criterion
    if code is not None:
        c = project.require_code(code)
        if c["criterion_id"] != criterion:
            raise QualcodeError(f"code '{code}' belongs to criterion '{c['criterion_id']}', not '{criterion}'",
                                hint=f"use --criterion {c['criterion_id']}")
    return criterion, code


def add_finding(project: Project, criterion: str, statement: str, *, coder: str, finding_id: str | None = None,
                code: str | None = None, documents: list[str] | None = None) -> dict[str, Any]:
    """Create a finding for a criterion (optionally one evaluation question). Its id is F1, F2 ... unless given."""
    statement = " ".join(clean(statement or "").split())
    if not statement:
        raise QualcodeError("a finding needs a statement", hint="pass --statement TEXT")
    criterion, code = _check_codes(project, criterion, code)
    with project.transaction():
        fid = finding_id or _next_id(project)
        if not ID_RE.match(fid):
            raise QualcodeError(f"'{fid}' is not a usable finding id", hint="use letters, digits, '-', '_' or '.'")
        if _row(project, fid) is not None:
            raise ConflictError(f"finding '{fid}' already exists", hint="choose another --id or edit it")
        ts = _now()
        pos = int(project.db.execute("SELECT coalesce(max(position), 0) + 1 FROM findings").fetchone()[0])
        project.db.execute(
            "INSERT INTO findings (id, criterion_id, code_id, statement, documents, position, created, created_by,"
            " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (fid, criterion, code, statement, json.dumps(documents or [], ensure_ascii=False), pos, ts, coder, ts),
        )
        after = _row(project, fid)
        project.log_event("finding.add", "finding", fid, coder=coder, after=after)
    assert after is not None
    return after


def edit_finding(project: Project, finding_id: str, *, coder: str, statement: str | None = None,
                 criterion: str | None = None, code: str | None = None,
                 documents: list[str] | None = None) -> dict[str, Any]:
    """Change a finding's statement, criterion, question or cited documents (the event log keeps the before and
    after)."""
    with project.transaction():
        before = require_finding(project, finding_id)
        new_stmt = " ".join(clean(statement).split()) if statement is not None else before["statement"]
        if not new_stmt:
            raise QualcodeError("a finding's statement cannot be empty")
        crit, q = _check_codes(project, criterion or before["criterion"],
                               code if code is not None else (before["code"] if not criterion else None))
        docs = before["documents"] if documents is None else documents
        project.db.execute("UPDATE findings SET statement = ?, criterion_id = ?, code_id = ?, documents = ?,"
                           " updated = ? WHERE id = ?",
                           (new_stmt, crit, q, json.dumps(docs, ensure_ascii=False), _now(), finding_id))
        after = _row(project, finding_id)
        project.log_event("finding.update", "finding", finding_id, coder=coder, before=before, after=after)
    assert after is not None
    return after


def remove_finding(project: Project, finding_id: str, *, coder: str) -> dict[str, Any]:
    with project.transaction():
        before = show_finding(project, finding_id)
        project.db.execute("DELETE FROM finding_evidence WHERE finding_id = ?", (finding_id,))
        project.db.execute("DELETE FROM findings WHERE id = ?", (finding_id,))
        project.log_event("finding.remove", "finding", finding_id, coder=coder, before=before)
    return before


def _resolve_codings(project: Project, *, coding: int | None, segment: str | None, code: str | None,
                     coder_filter: str | None, criterion: str) -> Sequence[Mapping[str, Any]]:
    if coding is not None:
        found = _codings_by_id(project, [coding])
        if not found:
            raise NotFoundError(f"no coding {coding}", hint="see 'qualcode codings list'")
        return found
    if segment is None:
        raise QualcodeError("say which evidence to link", hint="pass --coding N, or --segment TRANSCRIPT:N [--code ID]")
    seg_id = project.resolve_segment(segment)
    listed = project.codings(segment=seg_id, code=code, coder=coder_filter)
    if code is None:
        listed = [c for c in listed if c["criterion"] == criterion] or listed
    if not listed:
        what = f"code '{code}'" if code else "any code"
        raise NotFoundError(f"segment {segment} has no coding with {what}",
                            hint="code the passage first ('qualcode codings add') or pick another")
    return listed


def link_evidence(project: Project, finding_id: str, *, coder: str, coding: int | None = None,
                  segment: str | None = None, code: str | None = None, coded_by: str | None = None,
                  stance: str = "supports", note: str | None = None) -> list[dict[str, Any]]:
    """Link coded passages to a finding, by coding id or by segment (+ code, + who coded it).

    A passage coded by several coders links every matching coding, so the evidence shows who coded it. The
    passage's text is kept with the link so the audit can check that the quote is still verbatim.
    """
    if stance not in STANCES:
        raise QualcodeError(f"stance must be 'supports' or 'contradicts', not '{stance}'")
    note = clean(note) if note is not None else None
    with project.transaction():
        finding = require_finding(project, finding_id)
        codings = _resolve_codings(project, coding=coding, segment=segment, code=code, coder_filter=coded_by,
                                   criterion=finding["criterion"])
        added = []
        for c in codings:
            seg = project.segment(c["segment"])
            exists = _stored_link(project, finding_id, c["id"])
            if exists:
                if exists["stance"] != stance:
                    raise ConflictError(f"coding {c['id']} is already linked to {finding_id} as"
                                        f" '{exists['stance']}'", hint=f"unlink it first: qualcode findings unlink"
                                                                       f" {finding_id} --coding {c['id']}")
                if exists["quote"] == seg["text"] and exists["ref"] == seg["ref"]:
                    continue
                # the passage changed since it was linked (the audit says 'quote_changed'): linking it again
                # takes the passage as it reads now, which is what the audit asks for
                project.db.execute("DELETE FROM finding_evidence WHERE id = ?", (exists["id"],))
                project.log_event("finding.unlink", "finding", finding_id, coder=coder, before=exists)
                note = exists["note"] if note is None else note
            if seg["role"] == "interviewer":
                raise QualcodeError(f"{seg['ref']} is an interviewer's turn, not evidence", hint="link the answer")
            ts = _now()
            cur = project.db.execute(
                "INSERT INTO finding_evidence (finding_id, coding_id, stance, segment_ref, transcript_id, code_id,"
                " coder, quote, note, linked, linked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (finding_id, c["id"], stance, seg["ref"], seg["transcript"], c["code"], c["coder"], seg["text"], note,
                 ts, coder),
            )
            link = _link_row(project, int(cur.lastrowid or 0))
            project.log_event("finding.link", "finding", finding_id, coder=coder, after=link)
            added.append({**link, "relinked": exists is not None, "was": exists["quote"] if exists else None})
        project.db.execute("UPDATE findings SET updated = ? WHERE id = ?", (_now(), finding_id))
    if added:
        from qualcode.synthesis.reconciled import coding_states

        # linked all the same (the evaluator may be about to settle it), but said: the audit will flag it
        states = coding_states(project, [a["coding"] for a in added])
        for a in added:
            a["view"] = states.get(a["coding"], "in")
    return added


def unlink_evidence(project: Project, finding_id: str, *, coder: str, coding: int | None = None,
                    segment: str | None = None) -> int:
    """Remove evidence links (by coding id, or every link to a segment reference). Returns how many went."""
    with project.transaction():
        require_finding(project, finding_id)
        if coding is not None:
            rows = project.db.execute("SELECT id FROM finding_evidence WHERE finding_id = ? AND coding_id = ?",
                                      (finding_id, coding)).fetchall()
        elif segment is not None:
            rows = project.db.execute("SELECT id FROM finding_evidence WHERE finding_id = ? AND segment_ref = ?",
                                      (finding_id, segment)).fetchall()
        else:
            raise QualcodeError("say which link to remove", hint="pass --coding N or --segment TRANSCRIPT:N")
        if not rows:
            raise NotFoundError(f"finding {finding_id} has no such evidence link",
                                hint=f"see 'qualcode findings show {finding_id}'")
        for (link_id,) in rows:
            before = _link_row(project, link_id)
            project.db.execute("DELETE FROM finding_evidence WHERE id = ?", (link_id,))
            project.log_event("finding.unlink", "finding", finding_id, coder=coder, before=before)
    return len(rows)


def cite_document(project: Project, finding_id: str, document: str, *, coder: str, remove: bool = False
                  ) -> dict[str, Any]:
    """Add (or remove) a document the finding cites: desk-review evidence ("Progress report 2023, p. 12")."""
    document = " ".join(document.split())
    if not document:
        raise QualcodeError("a document citation cannot be empty")
    with project.transaction():
        before = require_finding(project, finding_id)
        docs = list(before["documents"])
        if remove:
            if document not in docs:
                raise NotFoundError(f"finding {finding_id} does not cite '{document}'")
            docs.remove(document)
        elif document not in docs:
            docs.append(document)
        project.db.execute("UPDATE findings SET documents = ?, updated = ? WHERE id = ?",
                           (json.dumps(docs, ensure_ascii=False), _now(), finding_id))
        after = _row(project, finding_id)
        project.log_event("finding.update", "finding", finding_id, coder=coder, before=before, after=after)
    assert after is not None
    return after


def set_key_quotes(project: Project, finding_id: str, refs: list[str], *, coder: str) -> dict[str, Any]:
    """Choose the quotes the report chapter shows for a finding, in order: passages among its evidence, by reference
    (``KII-07:36``; a range or a time after a comma, as exports print them, is read too). An empty list goes back to
    the automatic choice (the strongest distinct passages, one per stakeholder group first)."""
    with project.transaction():
        before = require_finding(project, finding_id)
        linked: dict[str, str] = {}
        for link in evidence_links(project, finding_id):
            for ref in (link["ref"], _current_ref(project, link["coding"])):
                if ref:
                    linked.setdefault(ref, ref)
        chosen: list[str] = []
        for raw in refs:
            ref = key_ref(raw)
            if ref not in linked:
                raise NotFoundError(f"{raw} is not evidence of {finding_id}",
                                    hint=f"link it first (qualcode findings link {finding_id} --segment {ref}) or see"
                                         f" 'qualcode findings show {finding_id}'")
            if ref not in chosen:
                chosen.append(ref)
        project.db.execute("UPDATE findings SET key_quotes = ?, updated = ? WHERE id = ?",
                           (json.dumps(chosen, ensure_ascii=False), _now(), finding_id))
        after = _row(project, finding_id)
        project.log_event("finding.update", "finding", finding_id, coder=coder, before=before, after=after)
    assert after is not None
    return after


def key_ref(text: str) -> str:
    """``KII-07:36`` from what a user may paste: ``KII-07:36``, ``KII-07:36-38`` (the first unit of a range) or
    ``KII-07:36, 00:05:12`` (the reference with its time, as exports print it)."""
    ref = str(text).split(",")[0].strip()
    tid, sep, units = ref.rpartition(":")
    if sep and "-" in units:
        ref = f"{tid}:{units.split('-')[0]}"
    return ref


def _current_ref(project: Project, coding_id: int) -> str | None:
    found = _codings_by_id(project, [coding_id])
    return found[0]["ref"] if found else None


# ---------------------------------------------------------------------------------------------- undo and redo


def apply_finding_state(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Make the store hold ``target`` where it held ``current``: one logged state of a finding or of one evidence
    link (None = absent). Undo and redo call this inside their transaction
    (:func:`qualcode.actions.drafting.restore_finding`).

    Both kinds are logged under the entity "finding" (so ``qualcode log --entity finding`` shows a finding's whole
    history); a link's state is told apart by its ``coding`` and ``stance``. A removed finding's state carries its
    evidence, so undoing the removal restores the links too.
    """
    ref = target if target is not None else current
    if ref is None:
        return
    if _is_link_state(ref):
        _apply_link_state(project, current, target)
    else:
        _apply_finding_row_state(project, current, target)


def _is_link_state(state: dict[str, Any]) -> bool:
    return "coding" in state and "stance" in state and "statement" not in state


# What makes a stored finding or link the one an event logged: if any of these changed since, someone else's
# later work would be overwritten or deleted, so undo and redo refuse. (``updated`` is left out: linking evidence
# touches it without changing the finding.)
FINDING_KEYS = ("created", "created_by", "statement", "criterion", "code", "documents", "key_quotes")
LINK_KEYS = ("finding", "coding", "stance", "note", "linked", "linked_by")


def _changed_since(present: dict[str, Any] | None, logged: dict[str, Any] | None, keys: tuple[str, ...]) -> bool:
    if present is None or logged is None:
        return present is not logged
    # a state logged before a key existed (key_quotes) cannot have changed it
    return any(present.get(k) != logged.get(k) for k in keys if k in logged)


def _stored_link(project: Project, finding_id: str, coding_id: Any) -> dict[str, Any] | None:
    row = project.db.execute("SELECT id FROM finding_evidence WHERE finding_id = ? AND coding_id = ?",
                             (finding_id, coding_id)).fetchone()
    return None if row is None else _link_row(project, int(row[0]))


def _apply_link_state(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    ref = target if target is not None else current
    assert ref is not None
    present = _stored_link(project, ref["finding"], ref["coding"])
    if _changed_since(present, current, LINK_KEYS):
        who = (present or {}).get("linked_by")
        raise ConflictError(f"the evidence {ref['ref']} of finding {ref['finding']} was changed since"
                            + (f" (now linked by {who})" if present and who else " (unlinked)"),
                            hint="see 'qualcode log --entity finding'; link or unlink it by hand if needed")
    if target is None:
        # a link is identified by its finding and coding (unique together); its row id may have been reused
        project.db.execute("DELETE FROM finding_evidence WHERE finding_id = ? AND coding_id = ?",
                           (ref["finding"], ref["coding"]))
        return
    if _row(project, target["finding"]) is None:
        raise ConflictError(f"finding {target['finding']} no longer exists, so its evidence cannot come back",
                            hint="see 'qualcode log --entity finding' for who removed it")
    _restore_link(project, target)


def _restore_link(project: Project, link: dict[str, Any]) -> None:
    project.db.execute("DELETE FROM finding_evidence WHERE finding_id = ? AND coding_id = ?",
                       (link["finding"], link["coding"]))
    id_taken = project.db.execute("SELECT 1 FROM finding_evidence WHERE id = ?", (link.get("id"),)).fetchone()
    project.db.execute(
        "INSERT INTO finding_evidence (id, finding_id, coding_id, stance, segment_ref, transcript_id, code_id, coder,"
        " quote, note, linked, linked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (None if id_taken else link.get("id"), link["finding"], link["coding"], link["stance"], link["ref"],
         link["transcript"], link["code"], link["coder"], link["quote"], link.get("note"), link["linked"],
         link.get("linked_by")),
    )


def _apply_finding_row_state(project: Project, current: dict[str, Any] | None,
                             target: dict[str, Any] | None) -> None:
    fid = str((target or current or {})["id"])
    present = _row(project, fid)
    if current is not None and present is not None and _changed_since(present, current, FINDING_KEYS):
        raise ConflictError(f"finding {fid} was changed after this action, so taking it back would undo that too",
                            hint="see who changed it with 'qualcode log --entity finding'; edit it by hand if needed")
    if target is None:
        if present is None:
            return
        # taking a finding away (undoing its creation, redoing its removal) must not drop evidence that was not
        # part of the state being undone, e.g. a passage a colleague linked since
        expected = {e["coding"] for e in (current or {}).get("evidence") or []}
        extra = [r[0] for r in project.db.execute("SELECT coding_id FROM finding_evidence WHERE finding_id = ?",
                                                  (fid,)) if r[0] not in expected]
        if extra:
            raise ConflictError(f"finding {fid} has evidence linked since ({len(extra)} link(s)); not removed",
                                hint=f"see 'qualcode findings show {fid}'; remove it with 'qualcode findings remove"
                                     f" {fid}' if it should go")
        project.db.execute("DELETE FROM finding_evidence WHERE finding_id = ?", (fid,))
        project.db.execute("DELETE FROM findings WHERE id = ?", (fid,))
        return
    documents = json.dumps(target.get("documents") or [], ensure_ascii=False)
    key_quotes = json.dumps(target.get("key_quotes") or [], ensure_ascii=False)
    if current is None:
        if present is not None:
            raise ConflictError(f"a finding {fid} exists again, so the one removed cannot come back",
                                hint=f"remove or edit the new {fid} first")
        project.db.execute(
            "INSERT INTO findings (id, criterion_id, code_id, statement, documents, key_quotes, position, created,"
            " created_by, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (fid, target["criterion"], target["code"], target["statement"], documents, key_quotes, target["position"],
             target["created"], target.get("created_by"), target["updated"]),
        )
        for link in target.get("evidence") or []:
            _restore_link(project, link)
        return
    if present is None:
        raise ConflictError(f"finding {fid} no longer exists, so the change cannot be taken back",
                            hint="see 'qualcode log --entity finding' for who removed it")
    project.db.execute("UPDATE findings SET criterion_id = ?, code_id = ?, statement = ?, documents = ?,"
                       " key_quotes = ?, updated = ? WHERE id = ?",
                       (target["criterion"], target["code"], target["statement"], documents, key_quotes,
                        target["updated"], fid))


def _link_row(project: Project, link_id: int) -> dict[str, Any]:
    row = project.db.execute("SELECT * FROM finding_evidence WHERE id = ?", (link_id,)).fetchone()
    d = dict(row)
    d["finding"] = d.pop("finding_id")
    d["coding"] = d.pop("coding_id")
    d["ref"] = d.pop("segment_ref")
    d["transcript"] = d.pop("transcript_id")
    d["code"] = d.pop("code_id")
    return d


def citing_findings(project: Project, coding_id: int) -> list[Citation]:
    """The findings a coding is evidence for (finding id, passage, stance): removing the coding breaks them."""
    return [{"finding": r[0], "ref": r[1], "stance": r[2]} for r in project.db.execute(
        "SELECT finding_id, segment_ref, stance FROM finding_evidence WHERE coding_id = ? ORDER BY finding_id",
        (coding_id,))]


def evidence_links(project: Project, finding_id: str | None = None) -> list[dict[str, Any]]:
    """Evidence links as stored (ordered by finding, then passage)."""
    sql = "SELECT id FROM finding_evidence"
    args: tuple[Any, ...] = ()
    if finding_id is not None:
        sql += " WHERE finding_id = ?"
        args = (finding_id,)
    return [_link_row(project, r[0]) for r in project.db.execute(sql + " ORDER BY finding_id, id", args)]


def list_findings(project: Project, *, criterion: str | None = None) -> list[dict[str, Any]]:
    """Findings in order, each with evidence counts and its triangulation rating."""
    from qualcode.synthesis.triangulation import finding_triangulation

    sql = "SELECT id FROM findings"
    args: tuple[Any, ...] = ()
    if criterion:
        project.require_code(criterion)
        sql += " WHERE criterion_id = ?"
        args = (criterion,)
    from qualcode.synthesis.reconciled import coding_states, reconcile

    out = []
    ids = [r[0] for r in project.db.execute(sql + " ORDER BY position, id", args)]
    recon = reconcile(project) if ids else None  # one reading of the view, for the triangulation and the counts
    tri = finding_triangulation(project, ids, recon=recon) if ids else {}
    all_links = {fid: evidence_links(project, fid) for fid in ids}
    states = coding_states(project, [x["coding"] for links in all_links.values() for x in links], recon)
    for fid in ids:
        f = _row(project, fid)
        assert f is not None
        links = all_links[fid]
        t = tri[fid]
        # passages, not codings: a passage both coders coded is one piece of evidence; and only passages of the
        # reconciled view count (one adjudicated --omit supports nothing, as the audit and triangulation say)
        counted = [x for x in links if states.get(x["coding"]) in ("in", "applied")]
        f["supporting"] = len({x["ref"] for x in counted if x["stance"] == "supports"})
        f["contradicting"] = len({x["ref"] for x in counted if x["stance"] == "contradicts"})
        f["not_counted"] = len({x["ref"] for x in links} - {x["ref"] for x in counted})
        f["strength"] = t["strength"]
        f["groups"] = t["groups"]
        f["informants"] = t["informants"]
        out.append(f)
    return out


def show_finding(project: Project, finding_id: str) -> dict[str, Any]:
    """A finding with every evidence link (passage, who coded it and when, stance) and its triangulation."""
    from qualcode.synthesis.triangulation import finding_triangulation

    f = require_finding(project, finding_id)
    links = evidence_links(project, finding_id)
    codings = {c["id"]: c for c in _codings_by_id(project, [x["coding"] for x in links])}
    for link in links:
        c = codings.get(link["coding"])
        link["coding_exists"] = c is not None
        if c is not None:
            link["created"] = c["created"]
            link["source"] = c["source"]
            link["score"] = c["score"]
            link["model_version"] = c["model_version"]
            link["status"] = c["status"]
            link["current_ref"] = c["ref"]
            link["segment"] = c["segment"]
    f["evidence"] = links
    f["triangulation"] = finding_triangulation(project, [finding_id])[finding_id]
    return f


def present_findings(project: Project, *, criterion: str | None = None, show_names: bool = False
                     ) -> list[dict[str, Any]]:
    """The findings as ``qualcode findings list`` shows them: :func:`list_findings` with each statement
    pseudonymised unless ``show_names``, as in :func:`present_finding` and the report."""
    from qualcode.safety.privacy import Pseudonymiser

    pseudo = Pseudonymiser(project, enabled=not show_names)
    rows = list_findings(project, criterion=criterion)
    for f in rows:
        f["statement"] = pseudo(f["statement"])
    return rows


def present_finding(project: Project, finding_id: str, *, show_names: bool = False) -> dict[str, Any]:
    """A finding as a reader sees it (``qualcode findings show``): :func:`show_finding` with its statement and
    each quote pseudonymised (informants' names stay hidden unless ``show_names``) and attributed the way reports quote
    informants ("FGD with HR officers ..., Bac Ninh"). ``attribution`` is None for a passage no longer in the
    project. :func:`show_finding` keeps the verbatim stored quotes, which the audit and undo need.
    """
    from qualcode.safety.privacy import Attributor, Pseudonymiser

    data = show_finding(project, finding_id)
    pseudo = Pseudonymiser(project, enabled=not show_names)
    attribute = Attributor(project, show_names=show_names)
    data["statement"] = pseudo(data["statement"])  # as the report shows it: a name in a statement is a name too
    data["documents"] = [pseudo(str(d)) for d in data["documents"]]
    from qualcode.synthesis.evidence import reference

    records = project.transcript_records()
    from qualcode.synthesis.reconciled import reconcile

    recon = reconcile(project)
    for link in data["evidence"]:
        # whether the reconciled view counts it: 'omitted' in adjudication, 'open' disagreement, or counted
        link["view"] = recon.state(link["segment"], link["code"]) if link.get("segment") else "removed"
        link["quote"] = pseudo(link["quote"], link["transcript"]).strip()
        link["record"] = records.get(link["transcript"], "verbatim")
        if link.get("note"):
            link["note"] = pseudo(link["note"], link["transcript"])
        link["reference"] = link.get("current_ref") or link["ref"]
        try:
            seg = project.segment(link["reference"])
            link["attribution"] = attribute(seg)
            link["reference"] = reference(seg["transcript"], seg["idx"], seconds=seg.get("t_start"))
        except QualcodeError:
            link["attribution"] = None
    return data


def _codings_by_id(project: Project, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    wanted = set(ids)
    rows = project.db.execute(
        "SELECT c.id, c.segment_id AS segment, c.code_id AS code, k.name AS coder, c.created, c.source, c.score,"
        " c.model_version, c.status, s.transcript_id, s.idx FROM codings c JOIN coders k ON k.id = c.coder_id"
        " JOIN segments s ON s.id = c.segment_id"
        + (f" WHERE c.id IN ({','.join('?' * len(wanted))})" if len(wanted) <= 900 else ""),
        sorted(wanted) if len(wanted) <= 900 else [],
    )
    out = []
    for r in rows:
        if r["id"] in wanted:
            d = dict(r)
            d["ref"] = f"{d.pop('transcript_id')}:{d.pop('idx')}"
            out.append(d)
    return out


# ---------------------------------------------------------------------------------------------- YAML files


def export_findings(project: Project, path: str | Path | None = None, *, show_names: bool = False,
                    force: bool = False, confirm: Confirm | None = None) -> str:
    """Findings as readable YAML (returned, and written to ``path`` if given).

    Each evidence item names the passage (ref), the code and who coded it: that is the link. The quote is there for
    reading; it is not read back on import. Statements, notes, documents and quotes are pseudonymised unless
    ``show_names`` (export with names to edit findings outside qualcode and import them back).
    """
    from qualcode.safeio import yaml as safe_yaml
    from qualcode.safety.privacy import Pseudonymiser

    pseudo = Pseudonymiser(project, enabled=not show_names)
    data: list[dict[str, Any]] = []
    for f in list_findings(project):
        entry: dict[str, Any] = {"id": f["id"], "criterion": f["criterion"]}
        if f["code"]:
            entry["question"] = f["code"]
        # the statement is the evaluator's text, but a name in it is still a name (as in the report)
        entry["statement"] = pseudo(f["statement"])
        if f["documents"]:
            entry["documents"] = [pseudo(str(d)) for d in f["documents"]]
        if f["key_quotes"]:
            entry["key_quotes"] = list(f["key_quotes"])
        evidence = []
        for link in evidence_links(project, f["id"]):
            item: dict[str, Any] = {"ref": link["ref"], "code": link["code"], "coder": link["coder"]}
            if link["stance"] != "supports":
                item["stance"] = link["stance"]
            if link["note"]:
                item["note"] = pseudo(link["note"], link["transcript"])
            item["quote"] = pseudo(link["quote"], link["transcript"])
            evidence.append(item)
        entry["evidence"] = evidence
        data.append(entry)
    header = ("# Findings of this evaluation. Each evidence item is a coded passage: ref (TRANSCRIPT:UNIT), code and\n"
              "# coder identify it; stance is 'supports' (default) or 'contradicts'. Quotes are for reading only.\n")
    text = header + safe_yaml.dump({"findings": data}, width=110)
    if path is not None:
        from qualcode.safeio.output import claim_output, write_text

        write_text(claim_output(path, force=force, confirm=confirm, what="findings file"), text)
    return text


def import_findings(project: Project, path: str | Path, *, coder: str, replace: bool = False) -> dict[str, Any]:
    """Read findings from a YAML file (the format :func:`export_findings` writes). Everything is checked before
    anything is written; a finding that already exists is updated (its links replaced) only with ``replace``."""
    from qualcode.safeio import yaml as safe_yaml
    from qualcode.safeio.cleaning import clean_data, describe
    from qualcode.textfile import read_user_text

    p = Path(path)
    text = read_user_text(p)
    removed: Counter[str] = Counter()
    text = clean(text, removed)  # the YAML parser refuses control characters; a finding's text never needs them
    doc = safe_yaml.compose(text, str(p))
    data = clean_data(safe_yaml.load(text, str(p)), removed)
    items = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError("expected a top-level 'findings:' list", path=str(p), line=1)
    lines = _item_lines(doc)
    planned = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        line = lines[n] if n < len(lines) else None
        if not isinstance(item, dict):
            raise InputError("each finding must be a mapping with id, criterion, statement", path=str(p), line=line)
        fid = str(item.get("id") or "").strip()
        crit = str(item.get("criterion") or "").strip()
        stmt = str(item.get("statement") or "").strip()
        if not fid or not crit or not stmt:
            raise InputError("a finding needs id, criterion and statement", path=str(p), line=line)
        if fid in seen:
            raise InputError(f"finding '{fid}' appears twice", path=str(p), line=line)
        seen.add(fid)
        try:
            crit, question = _check_codes(project, crit, item.get("question") or item.get("code"))
        except QualcodeError as err:
            raise InputError(str(err), path=str(p), line=line) from None
        if _row(project, fid) is not None and not replace:
            raise InputError(f"finding '{fid}' already exists in the project", path=str(p), line=line,
                             hint="pass --replace to update it from the file")
        docs = item.get("documents") or []
        if not isinstance(docs, list):
            raise InputError("documents must be a list", path=str(p), line=line)
        keys = item.get("key_quotes") or []
        if not isinstance(keys, list):
            raise InputError(f"finding '{fid}': key_quotes must be a list of references", path=str(p), line=line)
        links: list[tuple[int, str, Any]] = []
        for ev in item.get("evidence") or []:
            if not isinstance(ev, dict) or not ev.get("ref") or not ev.get("code"):
                raise InputError(f"finding '{fid}': each evidence item needs ref and code", path=str(p), line=line)
            stance = str(ev.get("stance") or "supports")
            if stance not in STANCES:
                raise InputError(f"finding '{fid}': stance must be supports or contradicts", path=str(p), line=line)
            try:
                seg_id = project.resolve_segment(str(ev["ref"]))
            except QualcodeError:
                raise InputError(f"finding '{fid}': no passage {ev['ref']}", path=str(p), line=line) from None
            found = project.codings(segment=seg_id, code=str(ev["code"]), coder=ev.get("coder") or None)
            if not found:
                who = f" by {ev['coder']}" if ev.get("coder") else ""
                raise InputError(f"finding '{fid}': {ev['ref']} has no coding '{ev['code']}'{who}", path=str(p),
                                 line=line, hint="code the passage first or correct the reference")
            links.extend((c["id"], stance, ev.get("note")) for c in found)
        refs = {str(ev["ref"]).strip() for ev in item.get("evidence") or []}
        for key in keys:
            if key_ref(str(key)) not in refs:
                raise InputError(f"finding '{fid}': key quote {key} is not one of its evidence items", path=str(p),
                                 line=line, hint="list it under evidence too, or remove it from key_quotes")
        planned.append((fid, crit, question, stmt, [str(d) for d in docs], links, [str(k) for k in keys]))
    created = updated = linked = 0
    with project.transaction():
        for fid, crit, question, stmt, docs, links, keys in planned:
            if _row(project, fid) is not None:
                # documents go through edit_finding so the event log (and undo) has them
                edit_finding(project, fid, coder=coder, statement=stmt, criterion=crit, code=question,
                             documents=docs)
                for link in evidence_links(project, fid):
                    unlink_evidence(project, fid, coder=coder, coding=link["coding"])
                updated += 1
            else:
                add_finding(project, crit, stmt, coder=coder, finding_id=fid, code=question, documents=docs)
                created += 1
            for coding_id, stance, note in links:
                linked += len(link_evidence(project, fid, coder=coder, coding=coding_id, stance=stance, note=note))
            if keys or _row(project, fid)["key_quotes"]:  # type: ignore[index]
                set_key_quotes(project, fid, keys, coder=coder)
    report: dict[str, Any] = {"file": str(p), "created": created, "updated": updated, "links": linked}
    note = describe(removed, "the findings file")
    if note:
        report["warnings"] = [note]
    return report


def _item_lines(doc: Any) -> list[int]:
    """Line numbers of each item of the 'findings' list, for messages."""
    try:
        for key, value in doc.value:
            if key.value == "findings":
                return [node.start_mark.line + 1 for node in value.value]
    except (AttributeError, TypeError):
        pass
    return []
