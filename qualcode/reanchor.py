"""Re-anchor codings when a transcript gets a new version.

A corrected transcript (typos fixed, a paragraph added, speakers renamed) is stored as a new version; its coding units
have new ids. Each coding on the old version is moved to the new unit that holds *the same passage*, found by aligning
the two unit sequences:

1. identical passages (after normalising case, whitespace and quote marks) are matched in order, like ``diff``;
2. in the stretches between them, units are paired by text similarity (rapidfuzz) with a monotone alignment, so a
   passage can only be matched in its own place in the interview;
3. a pair is *confident* when the texts are near-identical, the speakers agree with how the other passages' speakers
   were renamed, and the match is unambiguous (no other unit of the new version is about as similar, or the
   neighbouring passages are matched next to it).

Only confident pairs move codings. Every other coding stays on its old unit with status ``needs_review`` and is
listed by :func:`review_queue`, with the best candidate in the current version; it is never silently moved.
Speakers renamed in the new version keep their informant (case) when the alignment shows who they are.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import ConflictError, NotFoundError, QualcodeError

if TYPE_CHECKING:
    from qualcode.model import ParsedTranscript, Segment
    from qualcode.store import Project

#: Similarity (0-100, rapidfuzz ``ratio`` on normalised text) at or above which an edited passage is the same passage.
#: A typo fix in a five-word unit scores about 92; one changed word in a short sentence falls below.
PLACE_MIN = 90.0
#: Below this, two units are not considered the same passage at all (not even as a candidate for review).
CANDIDATE_MIN = 60.0
#: A match is ambiguous when another unit scores within this margin of it.
MARGIN = 4.0

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‐": "-", "…": "...", "\u00a0": " "})
_SPACE = re.compile(r"\s+")


# a list item's or numbered paragraph's number ("3.", "2.1", "(iv)", "b)") or bullet: renumbered when an item is
# added above it, and now read where Word and LibreOffice draw it
_LIST_NUMBER = re.compile(r"^\s*(?:\(?(?:\d{1,3}(?:\.\d{1,3}){0,4}|[a-z]|[ivxlc]{1,6})[.)]|[•◦▪●·])\s+", re.IGNORECASE)


def normalise(text: str) -> str:
    """The comparison form of a passage: what a re-export or re-typing may change (case, spaces, quote styles, the
    number of a list item) is made equal, so such changes count as no change at all."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return _LIST_NUMBER.sub("", _SPACE.sub(" ", text).strip(), count=1).casefold()


@dataclass
class Pair:
    """Where one old unit went: the new unit's index (or None), the similarity, and whether it is confident."""

    new: int | None
    score: float
    confident: bool
    reason: str


def align_units(old_texts: list[str], new_texts: list[str], old_speakers: list[str | None] | None = None,
                new_speakers: list[str | None] | None = None) -> tuple[list[Pair], dict[str, str]]:
    """Align two unit sequences. Returns one :class:`Pair` per old unit and the speaker renaming it implies.

    Pure function (no database): imports call it through :func:`store_transcript`, tests call it directly.
    """
    from rapidfuzz import fuzz, process

    n, m = len(old_texts), len(new_texts)
    old_sp = old_speakers or [None] * n
    new_sp = new_speakers or [None] * m
    a = [normalise(t) for t in old_texts]
    b = [normalise(t) for t in new_texts]
    match: dict[int, tuple[int, float]] = {}

    # 1. identical passages, in order
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for block in sm.get_matching_blocks():
        for k in range(block.size):
            match[block.a + k] = (block.b + k, 100.0)

    # 2. similar passages in the stretches between identical ones (a monotone, best-total-similarity alignment)
    scores = None
    if n and m:
        scores = process.cdist(a, b, scorer=fuzz.ratio, dtype="float32", workers=1)
    anchors = sorted(match.items())
    bounds = [(-1, -1), *[(i, j) for i, (j, _) in anchors], (n, m)]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        gap_a = range(i0 + 1, i1)
        gap_b = range(j0 + 1, j1)
        if len(gap_a) and len(gap_b) and scores is not None:
            for i, j in _monotone_pairs(scores, gap_a, gap_b):
                match[i] = (j, float(scores[i][j]))

    # 3. how speakers were renamed: the majority label each old label maps to across identical passages
    votes: dict[str, Counter[str]] = {}
    for i, (j, s) in match.items():
        if s >= 100.0 and old_sp[i] and new_sp[j]:
            votes.setdefault(str(old_sp[i]), Counter())[str(new_sp[j])] += 1
    renamed: dict[str, str] = {}
    for label, counter in votes.items():
        top, count = counter.most_common(1)[0]
        if count >= 0.6 * sum(counter.values()):
            renamed[label] = top

    # 4. confidence of each pair
    pairs: list[Pair] = []
    for i in range(n):
        if i not in match:
            pairs.append(Pair(None, _best(scores, i), False, "passage not found in the new version"))
            continue
        j, s = match[i]
        if s < PLACE_MIN:
            pairs.append(Pair(j, s, False, f"passage changed too much (similarity {int(s)}%)"))
            continue
        spk = old_sp[i]
        if spk and new_sp[j] and spk in renamed and renamed[spk] != new_sp[j]:
            pairs.append(Pair(j, s, False, f"speaker changed from '{spk}' to '{new_sp[j]}'"))
            continue
        context = (match.get(i - 1, (None,))[0] == j - 1 and i > 0) or (match.get(i + 1, (None,))[0] == j + 1)
        unique = scores is None or _unique(scores, i, j, s)
        if not (unique or context):
            pairs.append(Pair(j, s, False, "the passage occurs more than once and its context changed"))
            continue
        pairs.append(Pair(j, s, True, "identical" if s >= 100.0 else f"edited (similarity {int(s)}%)"))
    return pairs, renamed


def _monotone_pairs(scores: Any, gap_a: range, gap_b: range) -> list[tuple[int, int]]:
    """Pairs (i, j) in order in both sequences maximising total similarity above CANDIDATE_MIN (weighted LCS)."""
    la, lb = len(gap_a), len(gap_b)
    best = [[0.0] * (lb + 1) for _ in range(la + 1)]
    for x in range(la - 1, -1, -1):
        row, below = best[x], best[x + 1]
        srow = scores[gap_a[x]]
        for y in range(lb - 1, -1, -1):
            s = float(srow[gap_b[y]])
            take = (s - CANDIDATE_MIN + below[y + 1]) if s >= CANDIDATE_MIN else -1.0
            row[y] = max(below[y], row[y + 1], take)
    out = []
    x = y = 0
    while x < la and y < lb:
        s = float(scores[gap_a[x]][gap_b[y]])
        if s >= CANDIDATE_MIN and best[x][y] == s - CANDIDATE_MIN + best[x + 1][y + 1]:
            out.append((gap_a[x], gap_b[y]))
            x += 1
            y += 1
        elif best[x][y] == best[x + 1][y]:
            x += 1
        else:
            y += 1
    return out


def _unique(scores: Any, i: int, j: int, s: float) -> bool:
    """No other new unit is about as similar to old unit i, and no other old unit to new unit j."""
    import numpy as np

    row = np.array(scores[i], dtype="float32")
    row[j] = -1
    col = np.array(scores[:, j], dtype="float32")
    col[i] = -1
    return bool(row.max(initial=-1) < s - MARGIN and col.max(initial=-1) < s - MARGIN)


def _best(scores: Any, i: int) -> float:
    if scores is None or not len(scores[i]):
        return 0.0
    return float(max(scores[i]))


def _units(project: Project, transcript_id: str, version: int) -> list[dict[str, Any]]:
    return [dict(r) for r in project.db.execute(
        "SELECT id, idx, speaker, text FROM segments WHERE transcript_id = ? AND version = ? ORDER BY idx",
        (transcript_id, version))]


def store_transcript(project: Project, parsed: ParsedTranscript, transcript_id: str, *, title: str | None = None,
                     attributes: dict[str, Any] | None = None, coder: str | None = None) -> dict[str, Any]:
    """Store a parsed transcript (:meth:`Project.add_transcript`) and, when it is a new version of a transcript
    already here, re-anchor that transcript's codings and memos to it, in one transaction. The result says what was
    stored; for a new version, ``reanchor`` says what moved and what waits for review."""
    with project.transaction():
        result = project.add_transcript(parsed, transcript_id, title=title, attributes=attributes, coder=coder,
                                        new_version=True)
        if result["status"] == "new_version":
            version = int(result["version"])
            result["reanchor"] = reanchor_codings(project, transcript_id, version - 1, version, coder=coder)
    return result


def reanchor_codings(project: Project, transcript_id: str, old_version: int, new_version: int, *,
                     coder: str | None = None) -> dict[str, Any]:
    """Move the codings (and segment memos) of ``old_version`` to the same passages in ``new_version``.

    Must run inside the transaction that stores the new version (:func:`store_transcript` does both), so a crash
    leaves either both or neither. Returns ``{"moved", "exact", "edited", "needs_review", "flagged": [...],
    "speakers": {old label: new label}}``; ``flagged`` names each coding left for review and why.
    """
    db = project.db
    old_units = _units(project, transcript_id, old_version)
    new_units = _units(project, transcript_id, new_version)
    pairs, renamed = align_units([u["text"] for u in old_units], [u["text"] for u in new_units],
                                 [u["speaker"] for u in old_units], [u["speaker"] for u in new_units])
    pos = {u["id"]: k for k, u in enumerate(old_units)}
    report: dict[str, Any] = {"moved": 0, "exact": 0, "edited": 0, "needs_review": 0, "flagged": [],
                              "speakers": {k: v for k, v in renamed.items() if k != v}}
    rows = db.execute(
        "SELECT c.id, c.segment_id FROM codings c JOIN segments s ON s.id = c.segment_id"
        " WHERE s.transcript_id = ? AND s.version = ? ORDER BY c.id", (transcript_id, old_version)).fetchall()
    for coding_id, seg_id in rows:
        k = pos[seg_id]
        pair = pairs[k]
        old = old_units[k]
        before = project.coding_state(coding_id)
        assert before is not None
        where = {"from": f"{transcript_id}:{old['idx']}", "version": new_version, "similarity": round(pair.score, 1)}
        if pair.confident and pair.new is not None:
            target = new_units[pair.new]
            clash = db.execute("SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id ="
                               " (SELECT coder_id FROM codings WHERE id = ?)",
                               (target["id"], before["code_id"], coding_id)).fetchone()
            if clash is None:
                db.execute("UPDATE codings SET segment_id = ? WHERE id = ?", (target["id"], coding_id))
                after = project.coding_state(coding_id)
                project.log_event("coding.reanchor", "coding", coding_id, coder=coder, before=before,
                                  after={**(after or {}), "reanchor": {**where, "to": f"{transcript_id}:"
                                                                                      f"{target['idx']}"}})
                report["moved"] += 1
                report["exact" if pair.score >= 100.0 else "edited"] += 1
                continue
            pair = Pair(pair.new, pair.score, False, "the same code is already on the new passage")
        db.execute("UPDATE codings SET status = 'needs_review' WHERE id = ?", (coding_id,))
        after = project.coding_state(coding_id)
        candidate = f"{transcript_id}:{new_units[pair.new]['idx']}" if pair.new is not None else None
        project.log_event("coding.flag", "coding", coding_id, coder=coder, before=before,
                          after={**(after or {}), "reanchor": {**where, "candidate": candidate,
                                                               "reason": pair.reason}})
        report["needs_review"] += 1
        report["flagged"].append({"coding": coding_id, "code": before["code_id"], "coder": before["coder"],
                                  "ref": where["from"], "candidate": candidate, "similarity": where["similarity"],
                                  "reason": pair.reason})
    _move_segment_memos(project, old_units, new_units, pairs, coder)
    _carry_speakers(project, transcript_id, renamed, coder)
    return report


def _move_segment_memos(project: Project, old_units: list[dict[str, Any]], new_units: list[dict[str, Any]],
                        pairs: list[Pair], coder: str | None) -> None:
    """Memos written on a unit follow it like its codings; unplaceable ones stay on the old unit (still listed)."""
    for k, unit in enumerate(old_units):
        pair = pairs[k]
        if not (pair.confident and pair.new is not None):
            continue
        target = str(new_units[pair.new]["id"])
        for memo_id, coder_id in project.db.execute(
                "SELECT id, coder_id FROM memos WHERE target_type = 'segment' AND target_id = ?",
                (str(unit["id"]),)).fetchall():
            taken = project.db.execute("SELECT 1 FROM memos WHERE target_type = 'segment' AND target_id = ? AND"
                                       " coder_id IS ?", (target, coder_id)).fetchone()
            if taken:
                continue
            project.db.execute("UPDATE memos SET target_id = ? WHERE id = ?", (target, memo_id))
            project.log_event("memo.reanchor", "memo", memo_id, coder=coder, before={"target_id": str(unit["id"])},
                              after={"target_id": target})


def _carry_speakers(project: Project, transcript_id: str, renamed: dict[str, str], coder: str | None) -> None:
    """A renamed speaker label keeps the role and informant of the label it replaces (only for a label the case
    sheet has not mapped yet: an explicit mapping always wins)."""
    rows = {r["label"]: r for r in project.speakers(transcript_id)}
    for old_label, new_label in renamed.items():
        if old_label == new_label or old_label not in rows or new_label not in rows:
            continue
        old, new = rows[old_label], rows[new_label]
        if new["case_id"] is None and new["role"] == "unknown" and (old["case_id"] or old["role"] != "unknown"):
            project.set_speaker(transcript_id, new_label, role=old["role"], case_id=old["case_id"], coder=coder)


# ---------------------------------------------------------------------------- reviewing flagged codings


def review_queue(project: Project, transcript: str | None = None) -> list[dict[str, Any]]:
    """Codings flagged by re-anchoring, each with its old passage and the most similar unit of the current version.

    Returns dicts: coding, code, coder, transcript, old_ref (``KII-07:12@v1``), old_text, candidate (ref or None),
    candidate_text, similarity, reason.
    """
    from rapidfuzz import fuzz, process

    sql = ("SELECT c.id, c.code_id, k.name AS coder, s.transcript_id, s.version, s.idx, s.text, s.id AS seg"
           " FROM codings c JOIN segments s ON s.id = c.segment_id JOIN coders k ON k.id = c.coder_id"
           " WHERE c.status = 'needs_review'")
    args: list[Any] = []
    if transcript:
        project.require_transcript(transcript)
        sql += " AND s.transcript_id = ?"
        args.append(transcript)
    rows = [dict(r) for r in project.db.execute(sql + " ORDER BY s.transcript_id, s.version, s.idx, c.id", args)]
    reasons = _flag_reasons(project, [r["id"] for r in rows])
    current: dict[str, list[Segment]] = {}
    out = []
    for r in rows:
        tid = r["transcript_id"]
        if tid not in current:
            current[tid] = project.segments(tid)
        units = current[tid]
        best = process.extractOne(normalise(r["text"]), [normalise(u["text"]) for u in units], scorer=fuzz.ratio,
                                  score_cutoff=CANDIDATE_MIN) if units else None
        cand = units[best[2]] if best else None
        out.append({
            "coding": r["id"], "code": r["code_id"], "coder": r["coder"], "transcript": tid,
            "old_ref": f"{tid}:{r['idx']}@v{r['version']}", "old_text": r["text"],
            "candidate": cand["ref"] if cand else None, "candidate_text": cand["text"] if cand else None,
            "similarity": round(float(best[1]), 1) if best else None,
            "reason": reasons.get(r["id"], "needs review"),
        })
    return out


def _flag_reasons(project: Project, coding_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    if not coding_ids:
        return out
    wanted = {str(i) for i in coding_ids}
    for ev in project.events(entity="coding"):
        if ev["action"] == "coding.flag" and ev["entity_id"] in wanted:
            info = (ev["after"] or {}).get("reanchor") or {}
            if info.get("reason"):
                out[int(ev["entity_id"])] = str(info["reason"])
    return out


def place_flagged(project: Project, coding_id: int, segment: int | str, *, coder: str) -> dict[str, Any]:
    """Resolve a flagged coding by putting it on a unit of the current version (the reviewer's decision)."""
    with project.transaction():
        state = project.coding_state(coding_id)
        if state is None:
            raise NotFoundError(f"no coding {coding_id}", hint="see 'qualcode reanchor list'")
        if state["status"] != "needs_review":
            raise ConflictError(f"coding {coding_id} is not waiting for review", hint="see 'qualcode reanchor list'")
        seg_id = project.resolve_segment(segment)
        seg = project.segment(seg_id)
        current = project.require_transcript(seg["transcript"])["current_version"]
        if seg["version"] != current:
            raise QualcodeError(f"segment {segment} is not in the current version of {seg['transcript']}",
                                hint="use a TRANSCRIPT:N reference from 'qualcode segments'")
        clash = project.db.execute(
            "SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = (SELECT coder_id FROM"
            " codings WHERE id = ?) AND id != ?", (seg_id, state["code_id"], coding_id, coding_id)).fetchone()
        if clash:
            raise ConflictError(f"{seg['ref']} already has code '{state['code_id']}' from {state['coder']}",
                                hint=f"remove coding {coding_id} instead with 'qualcode codings remove --id'")
        project.db.execute("UPDATE codings SET segment_id = ?, status = 'ok' WHERE id = ?", (seg_id, coding_id))
        after = project.coding_state(coding_id)
        project.log_event("coding.reanchor", "coding", coding_id, coder=coder, before=state,
                          after={**(after or {}), "reanchor": {"to": seg["ref"], "reviewed": True}})
    assert after is not None
    return {**project.public_coding(after), "ref": seg["ref"]}
