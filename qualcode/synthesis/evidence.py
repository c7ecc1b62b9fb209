"""The coded evidence: one row per coding of an informant's passage, with the passage and its attributes.

This is the table every synthesis view is computed from. It is read with one query (not per segment) so it stays
fast on projects with 100,000 coded units. By default it is the reconciled view (:mod:`qualcode.synthesis.reconciled`):
agreed and adjudicated codings of the agreement sample, every other transcript as coded, nothing decided ``--omit``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.synthesis.reconciled import Reconciliation

UNKNOWN = "(unknown)"
#: The "group" of a desk-review document's passage: documents are evidence, not stakeholders.
DOCUMENTS = "(documents)"


def load_evidence(
    project: Project,
    *,
    criterion: str | None = None,
    code: str | None = None,
    coding_ids: Iterable[int] | None = None,
    include_interviewer: bool = False,
    coders: Iterable[str] | None = None,
    raw: bool = False,
    reconciliation: Reconciliation | None = None,
) -> list[dict[str, Any]]:
    """Codings on current transcript versions with their passage, speaker, case and attributes.

    Each row: coding, segment, ref, transcript, idx, turn, speaker, role, case, informant (case id, or
    transcript/speaker when the speaker has no case), group (stakeholder group), source_type (KII/FGD/.../document),
    code, code_name, criterion, coder, created, source, score, model_version, status, memo, text, start, end,
    attributes, kind (transcript or document), source_title, page, page_label, heading, record ("verbatim", or
    "notes" for an interviewer's notes: paraphrase, never to be presented as a quote). A desk-review document's
    passage has the group :data:`DOCUMENTS`, the source type "document" and "document:ID" as its informant.
    Interviewers' turns are left out unless asked: a question is not evidence.

    Without ``coders`` (or with the consensus coder alone) the rows are the reconciled view; ``coders`` naming
    coders keeps only their raw codings (to compare evaluators); ``raw`` keeps every coding. ``reconciliation``
    passes a :func:`~qualcode.synthesis.reconciled.reconcile` result already computed.
    """
    from qualcode.synthesis.reconciled import reconcile, view_coders

    names = None if raw else view_coders(project, coders)
    recon = None if raw or names is not None else (reconciliation or reconcile(project))
    sql = """
        SELECT c.id AS coding, c.segment_id AS segment, c.code_id AS code, cd.name AS code_name,
               cd.criterion_id AS criterion, cd.parent_id AS parent, k.name AS coder, c.created, c.source, c.score,
               c.model_version, c.status, c.memo, s.transcript_id AS transcript, s.idx, s.turn, s.speaker,
               s.start, s.end, s.t_start, s.text, coalesce(sp.role, 'unknown') AS role, sp.case_id AS case_id,
               t.attributes AS t_attrs, cs.attributes AS c_attrs, t.kind, t.title AS source_title, s.page,
               s.page_label, s.heading, coalesce(t.record, json_extract(v.metadata, '$.record'), 'verbatim') AS record
        FROM codings c
        JOIN coders k ON k.id = c.coder_id
        JOIN segments s ON s.id = c.segment_id
        JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version
        JOIN transcript_versions v ON v.transcript_id = t.id AND v.version = t.current_version
        JOIN codes cd ON cd.id = c.code_id
        LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker
        LEFT JOIN cases cs ON cs.id = sp.case_id
        WHERE 1=1
    """
    args: list[Any] = []
    if criterion is not None:
        sql += " AND cd.criterion_id = ?"
        args.append(criterion)
    if code is not None:
        # a code's evidence includes its sub-codes (a question's evidence is coded to it or below it)
        ids = _descendants(project, code)
        sql += f" AND c.code_id IN ({','.join('?' * len(ids))})"
        args.extend(ids)
    if not include_interviewer:
        sql += " AND coalesce(sp.role, 'unknown') != 'interviewer'"
    if names is not None:
        sql += f" AND k.name IN ({','.join('?' * len(names))})" if names else " AND 0"
        args.extend(sorted(set(names)))
    wanted: set[int] | None = None
    if coding_ids is not None:
        wanted = {int(i) for i in coding_ids}
        if len(wanted) <= 900:
            sql += f" AND c.id IN ({','.join('?' * len(wanted))})" if wanted else " AND 0"
            args.extend(sorted(wanted))
    sql += " ORDER BY s.transcript_id, s.idx, c.id"
    cache: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for r in project.db.execute(sql, args):
        if wanted is not None and r["coding"] not in wanted:
            continue
        if recon is not None and not recon.keeps(r["segment"], r["code"], r["coder"]):
            continue
        key = (r["t_attrs"], r["c_attrs"])
        attrs = cache.get(key)
        if attrs is None:
            attrs = {**json.loads(r["t_attrs"] or "{}"), **json.loads(r["c_attrs"] or "{}")}
            cache[key] = attrs
        d = dict(r)
        d.pop("t_attrs")
        d.pop("c_attrs")
        d["case"] = d.pop("case_id")
        d["ref"] = f"{d['transcript']}:{d['idx']}"
        d["attributes"] = attrs
        if d["kind"] == "document":
            # a document passage has no informant or stakeholder group: it counts as its document
            d["informant"] = f"document:{d['transcript']}"
            d["group"] = DOCUMENTS
            d["source_type"] = "document"
        else:
            d["informant"] = d["case"] or f"{d['transcript']}/{d['speaker'] or '?'}"
            d["group"] = str(attrs.get("stakeholder_group") or UNKNOWN)
            d["source_type"] = source_type(attrs)
        out.append(d)
    return out


def shown_passage(text: str, record: str | None) -> str:
    """A passage as a reader sees it: a verbatim quote in quotation marks, a passage of interview notes (the
    interviewer's paraphrase) marked as such and never in quotation marks."""
    if record == "notes":
        return f"(interview notes, not verbatim) {text}"
    return f"\u201c{text}\u201d"


def source_type(attrs: dict[str, Any]) -> str:
    """KII, FGD or another data source named by the transcript's ``type`` attribute (an interview without a type is a
    key-informant interview): :func:`qualcode.store.source_type_of` for a transcript."""
    from qualcode.store import source_type_of

    return source_type_of(None, attrs)


def _descendants(project: Project, code: str) -> list[str]:
    project.require_code(code)
    children: dict[str, list[str]] = {}
    for row in project.code_rows(include_inactive=True):
        if row["parent_id"]:
            children.setdefault(row["parent_id"], []).append(row["id"])
    out, stack = [], [code]
    while stack:
        cur = stack.pop()
        out.append(cur)
        stack.extend(children.get(cur, []))
    return out


def stakeholder_groups(project: Project) -> list[str]:
    """Every stakeholder group in the case sheet (the groups that could speak to a criterion)."""
    groups = set()
    for (attrs,) in project.db.execute("SELECT attributes FROM cases"):
        group = json.loads(attrs or "{}").get("stakeholder_group")
        if group:
            groups.add(str(group))
    return sorted(groups)


def criteria(project: Project) -> list[dict[str, Any]]:
    """The criteria (top-level codes) in codebook order, each with its codes (itself first, then descendants)."""
    rows = project.code_rows()
    out: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row["parent_id"]:
            entry = {"id": row["id"], "name": row["name"], "codes": []}
            by_id[row["id"]] = entry
            out.append(entry)
    for row in rows:
        crit = by_id.get(row["criterion_id"])
        if crit is not None:
            data = json.loads(row["data"] or "{}")
            crit["codes"].append({"id": row["id"], "name": row["name"], "parent": row["parent_id"],
                                  "questions": data.get("questions", []), "indicators": data.get("indicators", [])})
    return out


def ref_sort_key(ref: str) -> tuple[str, int]:
    """Sort key of a reference TRANSCRIPT:N: transcript, then unit number (so KII-01:10 comes after KII-01:9)."""
    tid, _, n = ref.rpartition(":")
    return (tid, int(n) if n.isdigit() else 0)


def timestamp(seconds: float | None) -> str:
    """``00:12:30`` for a time into a recording (hours always shown, so every reference reads alike); "" if unknown."""
    if seconds is None or seconds < 0:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def reference(transcript: str, first: int, last: int | None = None, seconds: float | None = None) -> str:
    """How every export names a passage: ``KII-04:14`` (one unit), ``KII-04:14-16`` (units 14 to 16 of one turn),
    followed by the time into the recording where it is known: ``KII-04:14-16, 00:12:30``. The part before the comma
    is what ``qualcode segments`` and ``findings link --segment`` read."""
    text = f"{transcript}:{first}" + (f"-{last}" if last is not None and last != first else "")
    stamp = timestamp(seconds)
    return f"{text}, {stamp}" if stamp else text
