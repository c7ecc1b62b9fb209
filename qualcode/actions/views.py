"""What the front ends show, as plain functions over a :class:`~qualcode.store.Project`: reads only.

The workbench's project view (transcripts with their progress, filtered and sorted), a transcript's units with every
coder's codings and memos, the next uncoded unit, counts per code, search across transcripts, fuzzy matching of codes
as the evaluator types, the queue of uncoded units with their suggestions, and the command line's listings (cases,
the codebook tree with counts). The command line, the workbench and the tests call the same functions, so a screen
and a listing never count differently.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.folding import fold
from qualcode.model import (
    Code,
    Codebook,
    CodedUnit,
    ListedCoding,
    Memo,
    ProgressFn,
    QueuedUnit,
    Reversal,
    SearchHit,
    Segment,
    Suggestion,
    TranscriptRow,
)
from qualcode.store import Project

if TYPE_CHECKING:
    from qualcode.nlp.suggester import Suggester

SORT_KEYS = ("id", "type", "group", "location", "progress", "coders")


# ---------------------------------------------------------------------------- the project view


def transcript_rows(project: Project, *, coder: str | None = None) -> list[TranscriptRow]:
    """One row per transcript: informant attributes, progress (informant units coded / total) and coders.

    ``coded`` counts informant units coded by anyone; ``mine`` those coded by ``coder`` (when given); ``sample``
    says whether the transcript is in the team's agreement sample; ``done_by`` who marked their coding of it done.
    """
    from qualcode.synthesis.reconciled import done_marks, sample_rows

    sample = {r["transcript"] for r in sample_rows(project)}
    done = done_marks(project)
    mine = project.coded_unit_counts(coder=coder) if coder else {}
    coded_informant = project.coded_unit_counts(informants_only=True)
    rows: list[TranscriptRow] = []
    for t in project.transcripts():
        attrs = t["attributes"]
        total = int(t["informant_units"]) - int(t["not_codable_units"])  # read and left uncoded on purpose
        coded = coded_informant.get(t["id"], 0)
        document = t.get("kind") == "document"
        rows.append({
            "id": t["id"],
            "title": t["title"],
            "kind": t.get("kind") or "transcript",
            # documents sit among the interviews as "DOC"; their "group" column names the document type, which
            # is also what the filter matches ("doc progress report")
            "type": "DOC" if document else attrs.get("type") or "",
            "groups": [str(attrs["type"])] if document and attrs.get("type") else list(t["stakeholder_groups"]),
            "location": attrs.get("location") or "",
            "date": attrs.get("date") or "",
            "units": int(t["units"]),
            "total": total,
            "coded": coded,
            "mine": mine.get(t["id"], 0),
            "progress": coded / total if total else 0.0,
            "coders": list(t["coders"]),
            "sample": t["id"] in sample,
            "done_by": done.get(t["id"], []),
        })
    return rows


def done_by(project: Project, transcript: str) -> list[str]:
    """The coders who marked their coding of a transcript done (sorted)."""
    from qualcode.synthesis.reconciled import done_marks

    return done_marks(project).get(transcript, [])


def transcript_list(project: Project, *, documents: bool = False, show_names: bool = False) -> list[dict[str, Any]]:
    """The transcripts (or the desk-review documents) as ``qualcode transcripts`` (``documents``) lists them: every
    stored column, plus ``type``, ``progress`` ("coded/total" units: informant units for an interview), ``done_by``
    (the coders who marked their coding of it done) and, for a document, its ``pages``. Unless ``show_names``, an
    interview's speaker labels, title, interviewer and what the file's header said (``metadata``: "Informant: Nguyen
    Thi Hoa") show names as every export does (:class:`NameHider`); documents are listed as they are."""
    from qualcode.synthesis.reconciled import done_marks

    marks = done_marks(project)
    # a desk-review document is published material cited by its title: listed as it is
    hider = None if show_names or documents else NameHider(project)
    rows: list[dict[str, Any]] = []
    for t in project.transcripts():
        if (t["kind"] == "document") != documents:
            continue
        row = dict(t)
        row["type"] = t["attributes"].get("type")
        row["done_by"] = marks.get(t["id"], [])
        if documents:
            row["pages"] = t["metadata"].get("pages")
            row["progress"] = f"{t['coded_units']}/{t['units']}"
        else:
            # units marked not codable are done: they leave the total
            row["progress"] = f"{t['coded_units']}/{t['informant_units'] - t['not_codable_units']}"
        rows.append(row if hider is None else hider.transcript(row))
    return rows


def filter_transcripts(rows: Sequence[TranscriptRow], text: str) -> list[TranscriptRow]:
    """Rows where every word of ``text`` occurs in some column (case- and accent-insensitive)."""
    words = fold(text).split()
    if not words:
        return list(rows)
    out = []
    for r in rows:
        hay = fold(" ".join([r["id"], r["title"], r["type"], " ".join(r["groups"]), r["location"],
                             " ".join(r["coders"]), "sample" if r.get("sample") else ""]))
        if all(w in hay for w in words):
            out.append(r)
    return out


def sort_transcripts(rows: Sequence[TranscriptRow], key: str, *, reverse: bool = False) -> list[TranscriptRow]:
    """Sort rows by one of :data:`SORT_KEYS`."""
    if key not in SORT_KEYS:
        raise QualcodeError(f"cannot sort by '{key}'", hint=f"use one of {', '.join(SORT_KEYS)}")
    getters: dict[str, Any] = {
        "id": lambda r: r["id"],
        "type": lambda r: (r["type"], r["id"]),
        "group": lambda r: (", ".join(r["groups"]).lower(), r["id"]),
        "location": lambda r: (r["location"].lower(), r["id"]),
        "progress": lambda r: (r["progress"], r["id"]),
        "coders": lambda r: (len(r["coders"]), r["id"]),
    }
    return sorted(rows, key=getters[key], reverse=reverse)


# ---------------------------------------------------------------------------- one transcript


def unit_place(unit: Mapping[str, Any]) -> str:
    """Where a unit sits, as the screens show it: the speaker of an interview's unit; for a document's unit its page
    and section ("p. 12 · 3 Findings > 3.2 Effectiveness")."""
    if unit.get("kind") != "document":
        return str(unit.get("speaker") or "(no speaker)")
    bits = []
    if unit.get("page_label") or unit.get("page"):
        bits.append(f"p. {unit.get('page_label') or unit.get('page')}")
    if unit.get("heading"):
        bits.append(str(unit["heading"]))
    return " · ".join(bits) or str(unit.get("source_title") or unit.get("transcript") or "document")


def transcript_units(project: Project, transcript: str) -> list[CodedUnit]:
    """Every unit of a transcript (interviewer turns included) with its codings (all coders), memos and marks
    (``{coder: "not_codable" | "skipped"}``)."""
    units = project.segments(transcript)
    by_seg = codings_by_segment(project, transcript)
    memos = segment_memos(project, [u["id"] for u in units])
    marks = marks_by_segment(project, transcript)
    return [{**u, "codings": by_seg.get(u["id"], []), "memos": memos.get(u["id"], {}), "marks": marks.get(u["id"], {})}
            for u in units]


def refresh_units(project: Project, units: Iterable[CodedUnit]) -> list[CodedUnit]:
    """The same units with their codings, memos and marks read again (after a write, or another process's): what
    :func:`transcript_units` gives them, for a few units of a long transcript."""
    out: list[CodedUnit] = []
    for u in units:
        seg = int(u["id"])
        memos = {m["coder"] or "": m["text"] for m in project.memos("segment", str(seg))}
        marks = {m["coder"]: m["mark"] for m in project.marks(segment=seg)}
        out.append({**u, "codings": project.codings(segment=seg), "memos": memos, "marks": marks})
    return out


def last_position(project: Project, transcript: str, *, coder: str) -> int | None:
    """The unit number ``coder`` was last on in ``transcript`` (:func:`qualcode.actions.coding.remember_position`),
    or None."""
    return project.position(transcript, coder=coder)


def marks_by_segment(project: Project, transcript: str) -> dict[int, dict[str, str]]:
    """The marks on a transcript's units: ``{segment_id: {coder: mark}}``."""
    out: dict[int, dict[str, str]] = {}
    for m in project.marks(transcript=transcript):
        out.setdefault(int(m["segment"]), {})[m["coder"]] = m["mark"]
    return out


def codings_by_segment(project: Project, transcript: str) -> dict[int, list[ListedCoding]]:
    """The current codings of a transcript, grouped by segment id."""
    out: dict[int, list[ListedCoding]] = {}
    for c in project.codings(transcript=transcript):
        out.setdefault(int(c["segment"]), []).append(c)
    return out


def segment_memos(project: Project, segment_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Memos on these segments: ``{segment_id: {coder: text}}``."""
    wanted = {str(i) for i in segment_ids}
    out: dict[int, dict[str, str]] = {}
    for m in project.memos("segment"):
        if m["target_id"] in wanted:
            out.setdefault(int(m["target_id"]), {})[m["coder"] or ""] = m["text"]
    return out


def is_codable(unit: Mapping[str, Any]) -> bool:
    """Informant units are coded; interviewer questions are context only."""
    return unit.get("role") != "interviewer"


def _mark_of(unit: Mapping[str, Any], coder: str | None) -> str | None:
    """The unit's mark by ``coder`` (None: 'not_codable' when any coder says so, else any coder's mark)."""
    marks: dict[str, str] = unit.get("marks") or {}
    if coder is not None:
        return marks.get(coder)
    if "not_codable" in marks.values():
        return "not_codable"
    return next(iter(marks.values()), None)


def next_uncoded(units: Sequence[Mapping[str, Any]], *, after: int = -1, coder: str | None = None,
                 wrap: bool = True, skipped: bool = False) -> int | None:
    """Position (in ``units``) of the next informant unit after position ``after`` that ``coder`` has not coded
    (or nobody, when coder is None) nor marked. Wraps around to the start; None when there is none.

    Units marked 'not_codable' are never returned; units 'skipped' for now only with ``skipped``.
    """
    n = len(units)
    order = list(range(after + 1, n)) + (list(range(0, min(after + 1, n))) if wrap else [])
    for i in order:
        u = units[i]
        if not is_codable(u):
            continue
        mark = _mark_of(u, coder)
        if mark == "not_codable" or (mark == "skipped" and not skipped):
            continue
        if not any(coder is None or c["coder"] == coder for c in u.get("codings", [])):
            return i
    return None


def done_ahead(project: Project, unit_ids: Iterable[int], *, coder: str, chunk: int = 50) -> set[int]:
    """The units at the front of ``unit_ids`` that ``coder`` has coded or marked not codable since they were put in
    a queue (in another view, by the command line), up to the first one still to do: those the queue passes over.
    One query for each ``chunk`` units passed over: one, unless more than ``chunk`` in a row were done."""
    ids = iter(unit_ids)
    out: set[int] = set()
    while part := [int(i) for _, i in zip(range(chunk), ids, strict=False)]:
        done = project.units_done(part, coder=coder)
        for i in part:
            if i not in done:
                return out
            out.add(i)
    return out


def next_uncoded_unit(project: Project, transcript: str, *, after_idx: int = 0,
                      coder: str | None = None) -> CodedUnit | None:
    """The next informant unit after unit number ``after_idx`` that ``coder`` has not coded (wrapping around)."""
    units = transcript_units(project, transcript)
    pos = next((i for i, u in enumerate(units) if u["idx"] > after_idx), len(units)) - 1
    found = next_uncoded(units, after=pos, coder=coder)
    return None if found is None else units[found]


def coding_progress(units: Iterable[Mapping[str, Any]], *, coder: str | None = None) -> dict[str, int]:
    """Informant units coded (by ``coder``, or anyone) and their total.

    Units marked 'not codable' (and not coded) are left out of the total and counted in ``not_codable``; units
    skipped for now stay in it (they are still to do) and are counted in ``skipped``."""
    total = coded = not_codable = skipped = 0
    for u in units:
        if not is_codable(u):
            continue
        is_coded = any(coder is None or c["coder"] == coder for c in u.get("codings", []))
        mark = _mark_of(u, coder)
        if mark == "not_codable" and not is_coded:
            not_codable += 1
            continue
        total += 1
        if is_coded:
            coded += 1
        elif mark == "skipped":
            skipped += 1
    return {"coded": coded, "total": total, "not_codable": not_codable, "skipped": skipped}


def progress_moved(progress: Mapping[str, int], before: Iterable[Mapping[str, Any]],
                   after: Iterable[Mapping[str, Any]], *, coder: str | None = None) -> dict[str, int]:
    """:func:`coding_progress` of a transcript after some of its units changed from ``before`` to ``after``, from
    its progress before: the changed units' share is taken out and put back (a long transcript's thousands of
    units are not counted again after every coding)."""
    old, new = coding_progress(before, coder=coder), coding_progress(after, coder=coder)
    return {key: progress.get(key, 0) - old[key] + new[key] for key in new}


def neighbours(project: Project, segment_id: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The units just before and after a unit in its transcript version (``idx``, ``speaker``, ``text``), or None at
    either end."""
    return project.neighbours(segment_id)


# ---------------------------------------------------------------------------- the codebook and counts


MARK_WORDS = {"not_codable": "not codable", "skipped": "skipped for now"}


def describe_reversal(project: Project, result: Reversal, kind: str) -> str:
    """What an undo or redo did, in words: "undo: removed 'Funding to continue' from KII-01:12"."""
    changes = result["changes"]
    if not changes:
        return f"{kind}: {result['action']} of {result['entity']} {result['entity_id'] or ''}".rstrip()
    codebook = project.codebook()
    refs = _refs(project, [c["segment"] for c in changes if c.get("segment") is not None])
    phrases: list[str] = []
    for text, segments in _group_phrases(changes, codebook).items():
        where = [refs[s] for s in segments if s in refs]
        if not where:
            phrases.append(text.replace(" {where}", ""))
        elif len(where) == 1:
            phrases.append(text.format(where=where[0]))
        else:
            phrases.append(text.format(where=f"{len(where)} units ({_span(where)})"))
    return f"{kind}: " + "; ".join(phrases)


def _group_phrases(changes: list[dict[str, Any]], codebook: Codebook) -> dict[str, list[int]]:
    """One phrase per kind of change, with the units it applies to (a span coded at once is one phrase)."""
    out: dict[str, list[int]] = {}
    for c in changes:
        before, after, entity = c.get("from"), c.get("to"), c["entity"]
        state = after or before or {}
        if entity == "coding":
            code = state.get("code_id", "")
            name = code_name(codebook, code)
            if before is None:
                text = f"applied '{name}' to {{where}}"
            elif after is None:
                text = f"removed '{name}' from {{where}}"
            else:
                text = f"changed '{name}' on {{where}}"
        elif entity == "memo":
            text = ("deleted the memo on {where}" if after is None else
                    "wrote back the memo on {where}" if before is None else "restored the earlier memo on {where}")
        elif entity == "mark":
            text = (f"cleared the '{MARK_WORDS.get(before['mark'], before['mark'])}' mark on {{where}}"
                    if after is None and before else
                    f"marked {{where}} {MARK_WORDS.get(state.get('mark', ''), state.get('mark', ''))}")
        elif entity == "decision":
            code = state.get("code", "")
            name = code_name(codebook, code)
            verb = "rejected" if state.get("decision") == "rejected" else "accepted"
            if entity == "decision" and state.get("decision") == "accepted":
                continue  # said by the coding it came with
            text = (f"took back the rejection of '{name}' on {{where}}" if after is None
                    else f"{verb} '{name}' on {{where}} again")
        elif entity == "speaker" and state.get("label"):
            role, who = (after or {}).get("role"), f"'{state['label']}' of {state.get('transcript', '')}"
            text = f"made {who} {'an' if role == 'informant' else 'the'} {role}" if role else f"cleared {who}'s role"
        elif entity == "transcript_done" and state.get("transcript"):
            text = (f"marked your coding of {state['transcript']} done" if after is not None
                    else f"took back the done mark on your coding of {state['transcript']}")
        elif entity == "agreement_sample" and state.get("transcript"):
            text = (f"put {state['transcript']} back in the agreement sample" if after is not None and before is None
                    else f"took {state['transcript']} out of the agreement sample" if after is None
                    else f"compared {', '.join(after.get('coders') or [])} on {state['transcript']} again")
        else:
            text = f"changed a {entity}"
        out.setdefault(text, [])
        if c.get("segment") is not None and c["segment"] not in out[text]:
            out[text].append(int(c["segment"]))
    return out


def _refs(project: Project, segments: list[int]) -> dict[int, str]:
    return project.segment_refs(segments) if segments else {}


def _span(refs: list[str]) -> str:
    """``KII-01:12-16`` for units of one transcript, else the first and the last, in reading order (a selection
    accepted from its last unit lists that unit first)."""
    def place(ref: str) -> tuple[str, int, str]:
        transcript, _, n = ref.rpartition(":")
        return (transcript, int(n) if n.isdigit() else 0, n)

    ordered = sorted(refs, key=place)
    first, last = ordered[0], ordered[-1]
    t1, _, n1 = first.rpartition(":")
    t2, _, n2 = last.rpartition(":")
    return f"{t1}:{n1}-{n2}" if t1 == t2 else f"{first} … {last}"


def reversal_place(project: Project, result: Reversal) -> tuple[str, int] | None:
    """Where an undo or redo happened (transcript, segment id), for the view to go there; None when it was not on a
    unit (a finding, a memo on a code)."""
    for seg in result["segments"]:
        ref = project.segment_refs([int(seg)]).get(int(seg))
        if ref is not None:
            return ref.rpartition(":")[0], int(seg)
    return None


def code_counts(project: Project, *, coder: str | None = None, transcript: str | None = None) -> dict[str, int]:
    """Number of codings per code id (current transcript versions only), of one coder or everyone."""
    return project.code_counts(coder=coder, transcript=transcript)


def codebook_tree(project: Project) -> dict[str, Any]:
    """The project's codebook as ``qualcode codebook show`` lists it: every code with its definition and guidance,
    its children, and how many codings it has (its own, current transcript versions, every coder); then the code
    groups."""
    codebook = project.codebook()
    counts = code_counts(project)

    def with_counts(d: dict[str, Any]) -> dict[str, Any]:
        d["codings"] = counts.get(d["id"], 0)
        d["children"] = [with_counts(c) for c in d.get("children", [])]
        return d

    return {"name": codebook.name, "version": codebook.version,
            "codes": [with_counts(r.to_dict()) for r in codebook.roots],
            "groups": [{"name": g.name, "description": g.description, "codes": list(g.codes)}
                       for g in codebook.groups]}


# ---------------------------------------------------------------------------- the command line's listings


def segment_list(project: Project, transcript: str | None = None, *, informants_only: bool = False,
                 show_names: bool = False) -> list[dict[str, Any]]:
    """Units as ``qualcode segments`` lists them: every stored column, ``segment`` (the id under the name other
    commands take it by) and the coders' ``marks``. Unless ``show_names``, names are hidden as in every export
    (:class:`NameHider`): a speaker label that is a name shows as the informant's pseudonym, and the names the project
    knows inside the text as their placeholders."""
    marks: dict[int, list[dict[str, Any]]] = {}
    for m in project.marks(transcript=transcript):
        marks.setdefault(int(m["segment"]), []).append({"coder": m["coder"], "mark": m["mark"]})
    rows: list[dict[str, Any]] = [{**r, "segment": r["id"], "marks": marks.get(int(r["id"]), [])}
                                  for r in project.segments(transcript, include_interviewer=not informants_only)]
    return rows if show_names else NameHider(project).units(rows)


class NameHider:
    """What a listing of units shows without ``--show-names``: the same pseudonyms as every export.

    A speaker label that is a name (or any informant's label) becomes the informant's pseudonym ('[informant
    KII-03]', 'Interviewer'); placeholders such as 'P2' stay. Inside the text, informants', interviewers' and the name
    list's names, titled names, e-mail addresses and phone numbers become their placeholders
    (:class:`qualcode.safety.privacy.Pseudonymiser`), an informant's own name as their pseudonym only in their own
    transcript. Listings of units (``segments``, ``suggest``, ``queue``, the disagreements of ``agreement`` and
    ``adjudicate list``) pass their rows through one of these, so every front end shows the same.
    """

    def __init__(self, project: Project) -> None:
        from qualcode.safety.privacy import Pseudonymiser

        self.project = project
        self.pseudonymiser = Pseudonymiser(project)
        self._speakers: dict[tuple[str, str], Mapping[str, Any]] | None = None

    def text(self, text: str | None, transcript: str | None = None) -> str | None:
        """``text`` (said, or written about, in ``transcript``) with the names it holds replaced."""
        return self.pseudonymiser(text, transcript) if text else text

    def speaker(self, row: Mapping[str, Any]) -> str | None:
        """The row's speaker label as listings show it; the row's ``role`` and ``case`` are looked up by its
        ``transcript`` and ``speaker`` when it does not carry them."""
        from qualcode.safety.privacy import shown_speaker

        if row.get("kind") == "document" or not row.get("speaker"):
            return row.get("speaker")
        if "role" not in row or "case" not in row:
            if self._speakers is None:
                self._speakers = {(sp["transcript_id"], sp["label"]): sp for sp in self.project.speakers()}
            sp = self._speakers.get((row.get("transcript") or "", str(row["speaker"])), {})
            row = {"speaker": row["speaker"], "role": sp.get("role"), "case": sp.get("case_id")}
        return shown_speaker(row)

    def unit(self, row: Mapping[str, Any], *, texts: Iterable[str] = ("text",)) -> dict[str, Any]:
        """A copy of a unit's row (``transcript``, ``speaker``, ``text``...) with its speaker and the fields
        ``texts`` hidden."""
        out = dict(row)
        transcript = row.get("transcript") or (row.get("id") if "speakers" in row else None)
        if "speaker" in out:
            out["speaker"] = self.speaker(row)
        for key in (*texts, "source_title"):
            if isinstance(out.get(key), str):
                out[key] = self.text(out[key], transcript)
        attrs = out.get("attributes")
        if isinstance(attrs, Mapping) and isinstance(attrs.get("interviewer"), str):
            # the text calls the interviewer '[interviewer 1]'; the attributes beside it must not name them
            out["attributes"] = {**attrs, "interviewer": self.text(attrs["interviewer"], transcript)}
        return out

    def units(self, rows: Iterable[Mapping[str, Any]], *, texts: Iterable[str] = ("text",)) -> list[dict[str, Any]]:
        """:meth:`unit` of each row."""
        keys = tuple(texts)
        return [self.unit(r, texts=keys) for r in rows]

    def transcript(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A transcript's row (:func:`transcript_list`) with its speaker labels, title, interviewer and header
        metadata hidden."""
        tid = str(row.get("id") or "")

        def hide(value: Any) -> Any:
            if isinstance(value, str):
                return self.text(value, tid)
            if isinstance(value, Mapping):
                return {k: hide(v) for k, v in value.items()}
            if isinstance(value, list):
                return [hide(v) for v in value]
            return value

        out = dict(row)
        if out.get("kind") != "document":
            out["speakers"] = [self.speaker({"transcript": tid, "speaker": label})
                               for label in row.get("speakers") or []]
            notes = (row.get("metadata") or {}).get("speaker_notes")
            if isinstance(notes, Mapping):  # keyed by speaker label
                out["metadata"] = {**row["metadata"], "speaker_notes": {
                    self.speaker({"transcript": tid, "speaker": k}): v for k, v in notes.items()}}
        out["metadata"] = hide(_without_initials(out.get("metadata") or {}))
        out["title"] = self.text(row.get("title"), tid)
        return self.unit(out, texts=())

    def suggestion(self, s: Mapping[str, Any]) -> dict[str, Any]:
        """A suggestion with the coded unit its explanation quotes (``evidence`` and ``why``) hidden: the quote
        comes from another unit, so its names are replaced as in that unit's transcript."""
        out = dict(s)
        evidence = dict(out.get("evidence") or {})
        why = str(out.get("why") or "")
        for key in ("coded", "closest"):
            item = evidence.get(key)
            if not isinstance(item, Mapping) or item.get("source") != "coded" or not item.get("text"):
                continue
            said = str(item["text"])
            hidden = self.text(said, str(item.get("ref") or "").rpartition(":")[0] or None) or ""
            evidence[key] = {**item, "text": hidden}
            why = why.replace(f"\u201c{said}\u201d", f"\u201c{hidden}\u201d")
        if "why" in out:
            out["why"] = why
        if "evidence" in out:
            out["evidence"] = evidence
        return out


_QUOTED_INITIALS = re.compile(r"'((?:[A-Z]\.?\s?){2,4})'")


def _without_initials(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A transcript's metadata with the initials its import notes quote ("read 'CJ' as 'Clara Jensen'") hidden:
    beside a pseudonym they would give the name away. Initials that name a role ('IV', 'PI') stay."""
    from qualcode.speakers import role_of_label

    found = metadata.get("import")
    if not isinstance(found, Mapping) or not isinstance(found.get("notes"), list):
        return dict(metadata)

    def hide(m: re.Match[str]) -> str:
        return m.group(0) if role_of_label(m.group(1)) is not None else "'[initials]'"

    notes = [_QUOTED_INITIALS.sub(hide, n) if isinstance(n, str) else n for n in found["notes"]]
    return {**metadata, "import": {**found, "notes": notes}}


def hide_names(project: Project, rows: list[dict[str, Any]], *, show_names: bool = False,
               texts: Iterable[str] = ("text",)) -> list[dict[str, Any]]:
    """``rows`` (units, each with ``transcript``, ``speaker`` and ``text``) as a listing shows them: unchanged with
    ``show_names``, else through a :class:`NameHider` (the fields ``texts`` pseudonymised)."""
    return rows if show_names else NameHider(project).units(rows, texts=texts)


def unit_suggestions(project: Project, *, transcript: str | None = None, segment: int | str | None = None,
                     top: int = 3, min_score: float = 0.0, progress: ProgressFn | None = None,
                     show_names: bool = False) -> list[dict[str, Any]]:
    """Suggestions as ``qualcode suggest`` lists them: for the uncoded informant units (of ``transcript``), or for
    one ``segment``, each unit with its suggestions and why. Unless ``show_names`` the unit, its speaker and the
    coded units the explanations quote show names as every export does (:class:`NameHider`)."""
    from qualcode.nlp.project import suggest_for_project

    rows = suggest_for_project(project, transcript=transcript, segment=segment, top=top, min_score=min_score,
                               progress=progress)
    if show_names:
        return rows
    hider = NameHider(project)
    return [{**hider.unit(r), "suggestions": [hider.suggestion(s) for s in r["suggestions"]]} for r in rows]


def informative_queue(project: Project, *, transcript: str | None = None, limit: int | None = 20,
                      show_names: bool = False) -> list[dict[str, Any]]:
    """The uncoded informant units as ``qualcode queue`` lists them: most informative first, each with the reason.
    Unless ``show_names`` the units show names as every export does (:class:`NameHider`)."""
    from qualcode.nlp.project import queue_for_project

    return hide_names(project, queue_for_project(project, transcript=transcript, limit=limit), show_names=show_names)


def disagreement_list(project: Project, *, coders: list[str] | None = None, code: str | None = None,
                      transcripts: list[str] | None = None, include_settled: bool = False,
                      show_names: bool = False) -> dict[str, Any]:
    """The coders' disagreements as ``qualcode adjudicate list`` lists them
    (:func:`qualcode.teams.adjudicate.adjudication_queue`); unless ``show_names`` each unit, the adjudication note
    and the coders' memos show names as every export does."""
    from qualcode.teams.adjudicate import adjudication_queue

    data = adjudication_queue(project, coders=coders, code=code, transcripts=transcripts,
                              include_settled=include_settled)
    if show_names:
        return data
    hider = NameHider(project)
    items = []
    for item in data["items"]:
        row = hider.unit(item, texts=("text", "note"))
        row["originals"] = [{**o, "memo": hider.text(o.get("memo"), item.get("transcript"))}
                            for o in item.get("originals") or []]
        items.append(row)
    return {**data, "items": items}


def agreement_report(project: Project, *, coders: list[str] | None = None, by: str = "code",
                     transcripts: list[str] | None = None, threshold: float = 0.667,
                     show_names: bool = False) -> dict[str, Any]:
    """Inter-coder agreement as ``qualcode agreement`` shows it (:func:`qualcode.teams.agreement.agreement`);
    unless ``show_names`` the disagreements' units show names as every export does."""
    from qualcode.teams.agreement import agreement

    data = agreement(project, coders=coders, by=by, transcripts=transcripts, threshold=threshold)
    if show_names or not data.get("disagreements"):
        return data
    return {**data, "disagreements": NameHider(project).units(data["disagreements"])}


def coding_list(project: Project, *, transcript: str | None = None, code: str | None = None,
                coder: str | None = None, marks: bool = False, show_names: bool = False) -> list[dict[str, Any]]:
    """Codings as ``qualcode codings list`` lists them; with ``marks`` (and no ``code``) also the units marked not
    codable or skipped for now, as rows of code '-' whose ``source`` is the mark: a coder's decision about a unit
    too, with its coder and date. Unless ``show_names`` a coding's memo shows names as in exports."""
    if transcript:
        project.require_transcript(transcript)
    rows: list[dict[str, Any]] = [dict(c) for c in project.codings(transcript=transcript, code=code, coder=coder)]
    if marks and code is None:
        rows += [{"id": None, "segment": m["segment"], "ref": m["ref"], "code": "-", "code_name": "",
                  "coder": m["coder"], "source": m["mark"].replace("_", " "), "created": m["created"],
                  "status": "mark", "mark": m["mark"], "memo": None, "score": None, "model_version": None}
                 for m in project.marks(transcript=transcript, coder=coder)]
    if not show_names and any(r.get("memo") for r in rows):
        rows = NameHider(project).units(rows, texts=("memo",))
    return rows


def flagged_codings(project: Project, transcript: str | None = None, *, show_names: bool = False
                    ) -> list[dict[str, Any]]:
    """The codings a re-import flagged for review, as ``qualcode reanchor list`` lists them
    (:func:`qualcode.reanchor.review_queue`): unless ``show_names`` the old passage and the candidate unit show names
    as in exports."""
    from qualcode.reanchor import review_queue

    return hide_names(project, review_queue(project, transcript), show_names=show_names,
                      texts=("old_text", "candidate_text"))


def memo_list(project: Project, *, show_names: bool = False) -> list[Memo]:
    """Every memo, as ``qualcode memo list`` lists them: unless ``show_names`` the names a memo holds are replaced as
    in exports (a memo on a unit or a transcript as said in that transcript)."""
    memos = project.memos()
    if show_names or not memos:
        return memos
    hider = NameHider(project)
    units = [int(m["target_id"]) for m in memos if m["target_type"] == "segment" and str(m["target_id"]).isdigit()]
    refs = project.segment_refs(units) if units else {}

    def transcript_of(m: Memo) -> str | None:
        if m["target_type"] == "transcript":
            return str(m["target_id"])
        if m["target_type"] == "segment" and str(m["target_id"]).isdigit():
            return refs.get(int(m["target_id"]), "").rpartition(":")[0] or None
        return None

    return [{**m, "text": hider.text(m["text"], transcript_of(m)) or ""} for m in memos]


def event_log(project: Project, *, limit: int | None = None, coder: str | None = None, entity: str | None = None,
              show_names: bool = False) -> list[dict[str, Any]]:
    """The event log as ``qualcode log`` shows it, newest last; informants' names in the logged states are withheld
    and texts pseudonymised unless ``show_names``."""
    from qualcode.safety.privacy import redact_events

    rows = project.events(limit=limit, coder=coder, entity=entity)
    return rows if show_names else redact_events(project, rows)


def name_list(project: Project, *, show_names: bool = False) -> list[dict[str, str]]:
    """The name list as ``qualcode names list`` shows it: what exports show instead of each person, and the names
    themselves only with ``show_names``."""
    from qualcode.safety.privacy import NEUTRAL, third_parties

    return [{"name": d["name"] if show_names else "(hidden: --show-names)",
             "shown_as": f"[{d['as']}]" if d.get("as") else NEUTRAL} for d in third_parties(project)]


# ---------------------------------------------------------------------------- informants


def cases(project: Project, *, show_names: bool = False) -> list[dict[str, Any]]:
    """The informants with their attributes and transcripts; ``stakeholder_group``, ``role``, ``sex`` and
    ``location`` are lifted out of the attributes for listing. Names are left out, and the interviewer shown as in
    exports, unless ``show_names``. Each has the attribution its quotes get (``attribution``, from the case sheet or
    the template: ``attribution_source``) and how many informants of the project that attribution fits (``fits``:
    1 singles someone out)."""
    from qualcode.safety.attribution import case_attributions

    attributed = case_attributions(project)
    hider = None if show_names else NameHider(project)
    rows: list[dict[str, Any]] = []
    for case in project.cases():
        row = dict(case)
        if hider is not None:
            row.pop("name", None)
            # the interviewer is '[interviewer 1]' wherever units are listed; the case sheet's column must agree
            row = hider.unit({**row, "transcript": (row.get("transcripts") or [None])[0]}, texts=())
            del row["transcript"]
        for key in ("stakeholder_group", "role", "sex", "location"):
            row[key] = row["attributes"].get(key)
        a = attributed.get(row["id"], {})
        row["attribution"] = "; ".join(dict.fromkeys(a.get("attributions", [])))
        row["attribution_source"] = "case sheet" if a.get("verbatim") else "template"
        # an attribution that fits one informant of the project identifies them to anyone who knows the list
        row["fits"] = a.get("describes", 0)
        rows.append(row)
    return rows


def speakers(project: Project, transcript: str) -> dict[str, Any]:
    """A transcript's speakers with their units, role, case and how each was decided, and the import's warnings.
    The labels are as in the file (a role is corrected by label); ``pseudonymised_elsewhere`` counts those that
    other listings and exports show as a pseudonym (names, any informant's label)."""
    from qualcode.importing import stored_speakers
    from qualcode.safety.privacy import shown_speaker

    data = stored_speakers(project, transcript)
    data["pseudonymised_elsewhere"] = sum(
        shown_speaker({"speaker": sp["label"], "role": sp["role"], "case": sp["case"]}) != sp["label"]
        for sp in data["speakers"])
    return data


def coders(project: Project) -> list[dict[str, Any]]:
    """The project's coders with their coding counts, which one is the default, and what kind of name each is: a
    person, the agreed (consensus) codings, or a program (whose codings are nobody's judgement)."""
    from qualcode.teams import consensus_coder, is_machine_coder, machine_coder_names

    extra = machine_coder_names(project)
    default = project.resolve_coder(None)
    consensus = consensus_coder(project)
    rows: list[dict[str, Any]] = []
    for row in project.coders():
        # agreement compares people; these names are neither a person nor someone's judgement alone
        kind = "agreed codings" if row["name"] == consensus else (
            "program (not a coder)" if is_machine_coder(row["name"], extra=extra) else "person")
        rows.append({**row, "default": row["name"] == default, "kind": kind})
    return rows


# ---------------------------------------------------------------------------- search and fuzzy matching


def search_units(
    project: Project, query: str, *, transcript: str | None = None, limit: int = 200,
    include_interviewer: bool = True, first: str | None = None,
) -> list[SearchHit]:
    """Units (across all transcripts, or one) containing every word of ``query``, case- and accent-insensitively.

    A query in double quotes matches as a phrase. Each hit carries ``ref``, ``id``, ``transcript``, ``idx``,
    ``speaker``, ``role``, ``text`` and ``match`` (character offsets of the first matched word in ``text``). The
    project's units are read once and kept (:mod:`qualcode.searching`) while they do not change. ``first``: a
    transcript whose units come before the others' (the one being coded: with a common word, the project's first
    units in its order could fill the ``limit`` without any of them).
    """
    from qualcode.searching import project_index

    if not query.strip():
        return []
    for tid in (transcript, first):
        if tid is not None:
            project.require_transcript(tid)
    index = project_index(project)
    if first is None or transcript is not None:
        return index.search(query, transcript=transcript, limit=limit, include_interviewer=include_interviewer)
    here = index.search(query, transcript=first, limit=limit, include_interviewer=include_interviewer)
    elsewhere = (hit for hit in index.search(query, limit=limit + len(here), include_interviewer=include_interviewer)
                 if hit["transcript"] != first)
    return [*here, *itertools.islice(elsewhere, limit - len(here))]


def code_name(codebook: Codebook, code_id: str) -> str:
    """The code's name, or its id when the codebook no longer has it (a coding made before a codebook change)."""
    return codebook[code_id].name if code_id in codebook else code_id


def queue_reason(reason: str, codebook: Codebook) -> str:
    """Why the queue brings a unit now, as the workbench shows it above the unit's suggestions. ``qualcode queue``
    names codes by id ('uncertain between coherence.internal (0.34) and ...'): here each is named as the panels name
    it, and the scores are left out, as they are the model's when it ordered the queue and the suggestions below
    show the model's as it is now (after a few codings the two disagreed)."""
    ids = sorted((code.id for code in codebook), key=len, reverse=True)
    if ids:
        # an id alone: not the start of a longer one ('efficiency' in 'efficiency.coordination'), nor inside a word
        pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, ids)) + r")(?![\w]|\.\w)")
        reason = pattern.sub(lambda m: codebook[m.group(1)].name, reason)
    return re.sub(r" \(\d+\.\d+\)| \d+\.\d+(?=\))", "", reason)


def code_label(code: Code, codebook: Codebook) -> str:
    """``Criterion › Code`` for sub-codes, the name alone for criteria."""
    if code.parent_id and code.criterion_id in codebook:
        return f"{codebook[code.criterion_id].name} › {code.name}"
    return code.name


def fuzzy_codes(codebook: Codebook, query: str, *, limit: int | None = None,
                only: Iterable[str] | None = None) -> list[tuple[Code, float]]:
    """Codes matching what the evaluator typed, best first (codebook order when the query is empty).

    A word start in the code's own name or id ranks above a match in its parent's name, keywords or definition;
    typos and abbreviations are tolerated ("eff outp" finds Effectiveness › Outputs delivered, "fundng" Funding to
    continue). :func:`qualcode.codematch.rank_codes` also says why each code matched.
    """
    from qualcode.codematch import rank_codes

    return [(m.code, m.score) for m in rank_codes(codebook, query, limit=limit,
                                                  only=None if only is None else set(only))]


# ---------------------------------------------------------------------------- suggestions and the queue


def fit_suggester(project: Project) -> Suggester:
    """The project's suggester (:mod:`qualcode.nlp.project`), brought up to date with its codebook, units and
    codings; after a coding the learners are updated in place (the rest waits for :func:`refresh_suggester`)."""
    from qualcode.nlp.project import get_suggester

    return get_suggester(project, quick=True)


def refresh_suggester(project: Project, should_stop: Callable[[], bool] | None = None) -> bool:
    """Finish the refit a coding started, while the evaluator reads (stops early when ``should_stop()``)."""
    from qualcode.nlp.project import refresh_suggester as refresh

    return refresh(project, should_stop)


def refit_if_drifted(project: Project, on_done: Callable[[], None] | None = None) -> bool:
    """Start fitting the model from scratch in the background when incremental updates took it too far from its last
    fit from scratch (:func:`qualcode.nlp.project.refit_if_drifted`)."""
    from qualcode.nlp.project import refit_if_drifted as refit

    return refit(project, on_done)


def take_full_fit(project: Project) -> bool:
    """Put a finished background fit in place of the model (:func:`qualcode.nlp.project.take_full_fit`)."""
    from qualcode.nlp.project import take_full_fit as take

    return take(project)


def suggest_units(engine: Suggester | None, units: Iterable[Mapping[str, Any]], *, top: int = 5,
                  min_score: float = 0.05) -> dict[int, list[Suggestion]]:
    """Suggestions (code, score, why, model_version) for informant units, keyed by segment id."""
    codable = [u for u in units if is_codable(u)]
    if engine is None or not codable:
        return {}
    found = engine.suggest([(str(u["id"]), u["text"]) for u in codable], top=top, min_score=min_score)
    out: dict[int, list[Suggestion]] = {}
    for u, suggestions in zip(codable, found, strict=True):
        out[int(u["id"])] = [
            {"code": s.code, "score": float(s.score), "why": s.why, "model_version": s.model_version}
            for s in suggestions
        ]
    return out


def uncoded_queue(project: Project, *, coder: str, transcript: str | None = None,
                  ordered: bool = True, quick: bool = False) -> list[QueuedUnit]:
    """Informant units ``coder`` has not coded, in the order to work through them.

    With ``ordered``, the order of ``qualcode queue`` (most informative first, each with its ``reason``) comes
    first, then the units another coder already coded, in transcript order; else transcript order. Units the coder
    marked not codable are left out. Those whose suggestions the coder rejected (``x``: judged, none applies, but not
    coded) come after every unit not yet judged, with that as their reason; those skipped for now come last.
    ``quick``: ordered by the model as the last codings updated it in place
    (:func:`qualcode.nlp.project.queue_for_project`).
    """
    mine = {int(c["segment"]) for c in project.codings(coder=coder, transcript=transcript)}
    marks = {int(m["segment"]): m["mark"] for m in project.marks(coder=coder, transcript=transcript)}
    units: list[Segment] = [s for s in project.segments(transcript, include_interviewer=False)
                            if s["id"] not in mine and s["text"].strip() and marks.get(s["id"]) != "not_codable"]
    out: list[QueuedUnit] = []
    if ordered:
        try:
            from qualcode.nlp.project import queue_for_project
        except ImportError:
            ordered = False
    if ordered:
        by_id = {int(u["id"]): u for u in units}
        for item in queue_for_project(project, transcript=transcript, limit=None, quick=quick):
            u = by_id.pop(int(item["segment"]), None)
            if u is not None:
                out.append({**u, "reason": item.get("reason")})
        out += [{**u, "reason": None} for u in by_id.values()]
    else:
        out = [{**u, "reason": None} for u in units]
    rejected = {int(d["segment"]) for d in project.decisions(coder=coder, decision="rejected")}
    if rejected:
        out = [{**u, "reason": REJECTED_REASON} if int(u["id"]) in rejected else u for u in out]

    def part(u: QueuedUnit) -> int:
        return 2 if marks.get(u["id"]) == "skipped" else 1 if int(u["id"]) in rejected else 0

    return sorted(out, key=part)  # stable: the order within each part stays


# Why a unit whose suggestions the coder rejected comes where it does in the queue (after the units not yet judged).
REJECTED_REASON = "you rejected its suggestions: c picks a code, - marks it not codable"
