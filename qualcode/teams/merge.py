"""Merge another coder's copy of a project into this one.

Transcripts are matched by the SHA-256 of their text (so renamed ids still match), codes by id, coders by name.
A removal travels like an addition: a coding, a memo or an agreement-sample transcript removed in one copy
(a tombstone read from that copy's event log) is removed from the other unless it changed there after the removal,
and something removed here is not brought back from a copy that still has it unless it changed there since.
Codings keep their coder, date and memo (their source becomes ``merge``; the log keeps the original one); nothing
already here is duplicated, so merging the same project twice adds nothing the second time. Anything that cannot be
placed is counted and reported, never dropped silently: transcripts that differ under the same id, codings on units
this project does not have, codes missing from this codebook (their codings are kept, on the code marked inactive,
until the code is added to the codebook).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qualcode.errors import ProjectError, QualcodeError
from qualcode.model import ParsedTranscript, ProgressFn, Turn, Unit
from qualcode.safeio.database import check_foreign_database
from qualcode.store import DB_NAME, Project, now_iso


class _DryRun(Exception):
    """Raised inside the merge transaction to roll it back after the report is complete."""


def merge_projects(
    project: Project, others: list[str | Path], *, coder: str, dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Merge each project folder in ``others`` into ``project`` (one transaction for all of them).

    Returns ``{"dry_run", "merged": [one report per project], "totals": {...}}``. With ``dry_run`` nothing is
    written; the report says what would come in.
    """
    if not others:
        raise QualcodeError("name at least one project to merge", hint="qualcode merge OTHER_PROJECT_DIR")
    here = project.path.resolve()
    opened: list[Project] = []
    try:
        for raw in others:
            path = Path(raw)
            if path.resolve() == here:
                raise QualcodeError(f"{path} is this project", hint="name a colleague's project folder")
            if (path / DB_NAME).is_file():
                # before SQLite runs anything the file defines (a view or trigger in place of a table)
                check_foreign_database(path / DB_NAME)
            opened.append(Project.open(path))
        reports: list[dict[str, Any]] = []
        current: Project | None = None
        try:
            with project.transaction():
                for done, other in enumerate(opened):
                    if progress:
                        progress("merging projects", done, len(opened))
                    current = other
                    report = _merge_one(project, other, coder)
                    reports.append(report)
                    project.log_event("project.merge", "project", str(other.path), coder=coder,
                                      after=_summary(report))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass  # the transaction has rolled back, and Project.transaction dropped its cached coder ids
        except (sqlite3.DatabaseError, UnicodeDecodeError) as err:
            # a damaged colleague's file is found while reading it; the merge transaction has rolled back
            where = current.path if current is not None else "a project to merge"
            raise ProjectError(f"{where}: its database is damaged ({type(err).__name__})",
                               hint=f"ask for a fresh copy, or run 'qualcode doctor -p {where}'") from None
    finally:
        for other in opened:
            other.close()
    totals: dict[str, int] = {}
    for r in reports:
        for key, value in _summary(r).items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    return {"dry_run": dry_run, "merged": reports, "totals": totals}


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "project": report["project"],
        "transcripts_matched": len(report["transcripts"]["matched"]),
        "transcripts_added": len(report["transcripts"]["added"]),
        "transcripts_in_conflict": len(report["transcripts"]["conflicts"]),
        "codings_added": report["codings"]["added"],
        "codings_already_here": report["codings"]["already_here"],
        "codings_not_placed": report["codings"]["not_placed"],
        "codings_removed": report["codings"]["removed"],
        "memos_added": report["memos"]["added"] + report["memos"]["updated"],
        "cases_added": len(report["cases"]["added"]),
        "codes_added_inactive": len(report["codebook"]["codes_brought_in"]),
    }


# ---------------------------------------------------------------------------- one project


def _merge_one(project: Project, other: Project, coder: str) -> dict[str, Any]:
    report: dict[str, Any] = {
        "project": str(other.path),
        "name": other.name,
        "codebook": _merge_codes(project, other),
        "transcripts": {"matched": [], "added": [], "older_version_here": [], "conflicts": []},
        "coders": {"new": [], "seen": []},
        "codings": {"added": 0, "already_here": 0, "not_placed": 0, "remapped": 0, "by_coder": {},
                    "removed": 0, "removed_by": {}, "kept_changed_here": 0, "removed_here": 0},
        "memos": {"added": 0, "updated": 0, "already_here": 0, "kept_ours": 0, "not_placed": 0, "removed": 0,
                  "removed_here": 0},
        "sample": {"added": [], "removed": [], "joined_when_done": []},
        "done": {"marked": 0, "unmarked": 0},
        "decisions": {"added": 0, "already_here": 0, "not_placed": 0, "removed": 0, "removed_here": 0},
        "adjudications": {"added": 0, "already_here": 0, "differ": 0, "replaced": 0, "not_placed": 0,
                          "reopened": 0, "reopened_by": {}, "reopened_here": 0},
        "cases": {"added": [], "differ": []},
    }
    known_coders = {c["name"] for c in project.coders()}
    report["coders"]["seen"] = sorted({c["name"] for c in other.coders()})
    report["coders"]["new"] = [c for c in report["coders"]["seen"] if c not in known_coders]
    report["cases"] = _merge_cases(project, other, coder)
    seg_map = _SegmentMap(project, other, coder, report["transcripts"])
    our_tombs = _coding_tombstones(project)
    coding_map = _merge_codings(project, other, seg_map, coder, report["codings"], our_tombs)
    _merge_coding_removals(project, other, seg_map, coder, report["codings"])
    _merge_memos(project, other, seg_map, coding_map, coder, report["memos"])
    _merge_sample(project, other, coder, report["sample"])
    _merge_done(project, other, seg_map, coder, report)
    _merge_decisions(project, other, seg_map, coder, report["decisions"])
    _merge_adjudications(project, other, seg_map, coder, report["adjudications"])
    return report


def _merge_codes(project: Project, other: Project) -> dict[str, Any]:
    """Compare codebooks; codes only in ``other`` come in inactive so their codings have somewhere to live."""
    from qualcode.codebook import diff_codebooks

    out: dict[str, Any] = {"same": True, "change": None, "codes_brought_in": []}
    try:
        theirs = other.codebook()
    except ProjectError:
        theirs = None
    ours = project.codebook()
    if theirs is not None:
        change = diff_codebooks(ours, theirs)
        out["same"] = not change.changed
        out["change"] = change.to_dict()
    here = {r["id"] for r in project.code_rows(include_inactive=True)}
    position = len(here) + 1000
    for row in other.code_rows(include_inactive=True):
        if row["id"] in here:
            continue
        position += 1
        project.db.execute(
            "INSERT INTO codes (id, parent_id, criterion_id, name, definition, color, position, data, active)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (row["id"], row["parent_id"], row["criterion_id"], row["name"], row["definition"], row["color"],
             position, row["data"]),
        )
        out["codes_brought_in"].append(row["id"])
    return out


def _merge_cases(project: Project, other: Project, coder: str) -> dict[str, list[str]]:
    ours = {c["id"]: c for c in project.cases()}
    added, differ = [], []
    for case in other.cases():
        mine = ours.get(case["id"])
        if mine is None:
            project.upsert_case(case["id"], case["name"], case["attributes"], coder=coder)
            added.append(case["id"])
        elif mine["attributes"] != case["attributes"] or (case["name"] and mine["name"] != case["name"]):
            differ.append(case["id"])  # ours stands: the case sheet of this project is the reference
    return {"added": added, "differ": differ}


class _SegmentMap:
    """Maps the other project's segment ids onto this project's, importing transcripts this project lacks."""

    def __init__(self, project: Project, other: Project, coder: str, report: dict[str, Any]) -> None:
        self.project, self.other, self.coder, self.report = project, other, coder, report
        self.cache: dict[int, list[int]] = {}
        self.version_map: dict[tuple[str, int], tuple[str, int] | None] = {}
        self.remapped = 0
        self._ours_by_sha: dict[str, tuple[str, int, bool]] = {}
        for r in project.db.execute(
            "SELECT v.transcript_id, v.version, v.sha256, t.current_version = v.version AS current"
            " FROM transcript_versions v JOIN transcripts t ON t.id = v.transcript_id"
        ):
            key = r["sha256"]
            # prefer the current version when an old and a current version share a text
            if key not in self._ours_by_sha or r["current"]:
                self._ours_by_sha[key] = (r["transcript_id"], r["version"], bool(r["current"]))
        for t in other.transcripts():
            self._place_transcript(t["id"], t["version"])

    def _place_transcript(self, tid: str, version: int) -> tuple[str, int] | None:
        key = (tid, version)
        if key in self.version_map:
            return self.version_map[key]
        row = self.other.db.execute(
            "SELECT v.*, t.title, t.attributes, t.current_version FROM transcript_versions v"
            " JOIN transcripts t ON t.id = v.transcript_id WHERE v.transcript_id = ? AND v.version = ?",
            (tid, version),
        ).fetchone()
        target: tuple[str, int] | None = None
        is_current = row["current_version"] == version
        found = self._ours_by_sha.get(row["sha256"])
        if found is not None:
            our_tid, our_version, our_current = found
            if our_current:
                target = (our_tid, our_version)
                if is_current:
                    self.report["matched"].append({"theirs": tid, "ours": our_tid})
            else:
                # the same text as an older version here: their codings move to our current version by unit text
                current = self.project.require_transcript(our_tid)["current_version"]
                target = (our_tid, int(current))
                if is_current:
                    self.report["older_version_here"].append({"theirs": tid, "ours": our_tid,
                                                              "our_version": our_version})
        elif is_current:
            here = self.project.db.execute("SELECT current_version FROM transcripts WHERE id = ?", (tid,)).fetchone()
            if here is not None:
                # same id, different text: codings on sentences both texts share are placed by unit text (as
                # re-anchoring does); the others are counted as not placed
                target = (tid, int(here[0]))
                self.report["conflicts"].append({
                    "id": tid,
                    "reason": "the text differs from this project's; codings on unchanged sentences were placed, to"
                              " place the rest import their file here as a new version and merge again",
                })
            else:
                self._copy_transcript(tid, row)
                target = (tid, 1)
                self._ours_by_sha[row["sha256"]] = (tid, 1, True)
                self.report["added"].append(tid)
        self.version_map[key] = target
        return target

    def _copy_transcript(self, tid: str, row: Any) -> None:
        segs = [dict(r) for r in self.other.db.execute(
            "SELECT * FROM segments WHERE transcript_id = ? AND version = ? ORDER BY idx", (tid, row["version"]))]
        turns: dict[int, Turn] = {}
        for s in segs:
            t = turns.get(s["turn"])
            if t is None:
                turns[s["turn"]] = Turn(s["speaker"], s["start"], s["end"], s["t_start"], s["t_end"])
            else:
                t.end = max(t.end, s["end"])
        parsed = ParsedTranscript(
            text=row["text"],
            turns=[turns[k] for k in sorted(turns)],
            units=[Unit(s["start"], s["end"], s["speaker"], s["turn"], s["t_start"], s["t_end"]) for s in segs],
            format=row["format"],
            metadata=json.loads(row["metadata"] or "{}"),
            source_name=row["source_name"],
        )
        self.project.add_transcript(parsed, tid, title=row["title"], attributes=json.loads(row["attributes"]),
                                    coder=self.coder)
        for sp in self.other.speakers(tid):
            case_id = sp["case_id"]
            if case_id and not self.project.has_case(case_id):
                case_id = None
            self.project.set_speaker(tid, sp["label"], role=sp["role"], case_id=case_id, coder=self.coder)

    def ours(self, their_segment: int) -> list[int]:
        """Our segment ids for one of theirs: the same span of the same text, else the units that overlap it,
        else (their text is an older version here) the unit with the same text. Empty when nothing fits."""
        if their_segment in self.cache:
            return self.cache[their_segment]
        s = self.other.db.execute("SELECT * FROM segments WHERE id = ?", (their_segment,)).fetchone()
        result: list[int] = []
        target = self._place_transcript(s["transcript_id"], s["version"]) if s else None
        if s is not None and target is not None:
            our_tid, our_version = target
            db = self.project.db
            sha_here = db.execute("SELECT sha256 FROM transcript_versions WHERE transcript_id = ? AND version = ?",
                                  (our_tid, our_version)).fetchone()[0]
            sha_there = self.other.db.execute(
                "SELECT sha256 FROM transcript_versions WHERE transcript_id = ? AND version = ?",
                (s["transcript_id"], s["version"])).fetchone()[0]
            if sha_here == sha_there:
                exact = db.execute("SELECT id FROM segments WHERE transcript_id = ? AND version = ? AND start = ?"
                                   " AND end = ?", (our_tid, our_version, s["start"], s["end"])).fetchone()
                if exact:
                    result = [int(exact[0])]
                else:
                    result = [int(r[0]) for r in db.execute(
                        "SELECT id FROM segments WHERE transcript_id = ? AND version = ? AND start < ? AND end > ?"
                        " ORDER BY idx", (our_tid, our_version, s["end"], s["start"]))]
                    self.remapped += 1 if result else 0
            else:
                same_text = [dict(r) for r in db.execute(
                    "SELECT id, idx FROM segments WHERE transcript_id = ? AND version = ? AND text = ?",
                    (our_tid, our_version, s["text"]))]
                if len(same_text) == 1:
                    result = [int(same_text[0]["id"])]
                elif len(same_text) > 1:
                    ranked = sorted(same_text, key=lambda u: abs(u["idx"] - s["idx"]))
                    if abs(ranked[0]["idx"] - s["idx"]) < abs(ranked[1]["idx"] - s["idx"]):
                        result = [int(ranked[0]["id"])]
                if result:
                    self.remapped += 1
        self.cache[their_segment] = result
        return result


# ---------------------------------------------------------------------------- removals (tombstones)


def _coding_tombstones(p: Project) -> dict[tuple[int, str, str], dict[str, Any]]:
    """Codings removed in ``p`` and not there now, from its event log: (segment, code, coder) -> the removed
    coding's ``created``, ``removed_at`` and ``removed_by``. A removal is any logged change of a coding to nothing (a
    removal by hand, an undone addition, a removal a merge brought in); a coding added again (by undo or by hand)
    is no longer a tombstone."""
    found: dict[tuple[int, str, str], dict[str, Any]] = {}
    for ts, who, action, before, after in p.db.execute(
        "SELECT ts, coder, action, before, after FROM events WHERE entity = 'coding' AND before IS NOT NULL"
        " ORDER BY id"
    ):
        if after is not None and action != "coding.merge_remove":
            continue
        b = _state(before)
        if not isinstance(b, dict) or "segment_id" not in b or "code_id" not in b:
            continue
        found[(int(b["segment_id"]), str(b["code_id"]), str(b.get("coder") or ""))] = {
            "created": b.get("created"), "removed_at": ts, "removed_by": who or "?"}
    if not found:
        return {}
    present = {(int(seg), str(code), str(name)) for seg, code, name in p.db.execute(
        "SELECT c.segment_id, c.code_id, k.name FROM codings c JOIN coders k ON k.id = c.coder_id")}
    return {k: v for k, v in found.items() if k not in present}


def _state(text: str) -> Any:
    """A logged state, or None when a damaged copy's log holds something unreadable (it is then no removal)."""
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


def _last_changed(p: Project) -> dict[int, str]:
    """When each coding of ``p`` last changed by someone's hand (a memo or status edit, an undo or redo that
    restored it); arrival by import or merge is not a change. Codings missing here changed when created."""
    out: dict[int, str] = {}
    for entity_id, ts in p.db.execute(
        "SELECT entity_id, max(ts) FROM events WHERE entity = 'coding' AND after IS NOT NULL"
        " AND action IN ('coding.update', 'undo', 'redo') GROUP BY entity_id"
    ):
        if str(entity_id).isdigit():
            out[int(entity_id)] = str(ts)
    return out


def _merge_coding_removals(project: Project, other: Project, seg_map: _SegmentMap, coder: str,
                           report: dict[str, Any]) -> None:
    """Remove here what the other copy removed, unless it changed here after the removal (the later event
    wins, as for memos). Each removal is logged (``coding.merge_remove``, not undoable as the coder's own)."""
    theirs = _coding_tombstones(other)
    if not theirs:
        return
    changed = _last_changed(project)
    for (their_seg, code, name), tomb in theirs.items():
        row = project.db.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is None:
            continue
        for seg_id in seg_map.ours(their_seg):
            mine = project.db.execute("SELECT id, created FROM codings WHERE segment_id = ? AND code_id = ?"
                                      " AND coder_id = ?", (seg_id, code, row[0])).fetchone()
            if mine is None:
                continue
            last = max(str(mine["created"] or ""), changed.get(int(mine["id"]), ""))
            if last > str(tomb["removed_at"]):
                report["kept_changed_here"] += 1  # coded again or edited here after it was removed there
                continue
            state = project.coding_state(int(mine["id"]))
            project.db.execute("DELETE FROM codings WHERE id = ?", (mine["id"],))
            project.log_event("coding.merge_remove", "coding", int(mine["id"]), coder=coder, before=state,
                              after={"removed_by": tomb["removed_by"], "removed_at": tomb["removed_at"],
                                     "from_project": str(other.path)})
            report["removed"] += 1
            report["removed_by"][tomb["removed_by"]] = report["removed_by"].get(tomb["removed_by"], 0) + 1


def _merge_codings(project: Project, other: Project, seg_map: _SegmentMap, coder: str,
                   report: dict[str, Any], tombstones: dict[tuple[int, str, str], dict[str, Any]] | None = None
                   ) -> dict[int, int]:
    """Bring in every coding not already here, except one removed here that has not changed there since. Returns
    their coding id -> our coding id (for coding memos)."""
    mapping: dict[int, int] = {}
    db = project.db
    tombstones = tombstones or {}
    their_changes = _last_changed(other) if tombstones else {}
    rows = other.db.execute(
        "SELECT c.*, k.name AS coder FROM codings c JOIN coders k ON k.id = c.coder_id ORDER BY c.id"
    ).fetchall()
    for r in rows:
        targets = seg_map.ours(r["segment_id"])
        if not targets:
            report["not_placed"] += 1
            continue
        cid = project.coder_id(r["coder"])
        for seg_id in targets:
            existing = db.execute("SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?",
                                  (seg_id, r["code_id"], cid)).fetchone()
            if existing:
                report["already_here"] += 1
                mapping.setdefault(r["id"], int(existing[0]))
                continue
            tomb = tombstones.get((seg_id, r["code_id"], r["coder"]))
            if tomb is not None:
                last = max(str(r["created"] or ""), their_changes.get(int(r["id"]), ""))
                if last <= str(tomb["removed_at"]):
                    report["removed_here"] += 1  # removed here after it was made there: it stays removed
                    continue
            cur = db.execute(
                "INSERT INTO codings (segment_id, code_id, coder_id, created, memo, source, score, model_version,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seg_id, r["code_id"], cid, r["created"], r["memo"], "merge", r["score"], r["model_version"],
                 r["status"]),
            )
            new_id = int(cur.lastrowid or 0)
            mapping.setdefault(r["id"], new_id)
            state = project.coding_state(new_id)
            # not "coding.add": a merge is not the coder's own action, so their undo must not take it back
            project.log_event("coding.merge", "coding", new_id, coder=coder,
                              after={**(state or {}), "from_project": str(other.path),
                                     "original_source": r["source"]})
            report["added"] += 1
            report["by_coder"][r["coder"]] = report["by_coder"].get(r["coder"], 0) + 1
    report["remapped"] = seg_map.remapped
    return mapping


def _merge_memos(project: Project, other: Project, seg_map: _SegmentMap, coding_map: dict[int, int], coder: str,
                 report: dict[str, Any]) -> None:
    transcript_ids = {}
    for t in other.transcripts():
        placed = seg_map.version_map.get((t["id"], t["version"]))
        if placed is not None:
            transcript_ids[t["id"]] = placed[0]

    def place(target_type: str, target_id: str) -> str | None:
        if target_type == "segment":
            ours = seg_map.ours(int(target_id)) if target_id.isdigit() else []
            return str(ours[0]) if ours else None
        if target_type == "coding":
            mapped = coding_map.get(int(target_id)) if target_id.isdigit() else None
            return str(mapped) if mapped else None
        if target_type == "transcript":
            return transcript_ids.get(target_id)
        return target_id

    # memos removed there (deleted, and not written again) leave here too, unless edited here since
    for (target_type, target_id, name), removed_at in _memo_tombstones(other).items():
        target = place(target_type, target_id)
        row = project.db.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if target is None or row is None:
            continue
        mine = project.memo_state(target_type, target, int(row[0]))
        if mine is None or str(mine["updated"] or "") > removed_at:
            continue
        project.db.execute("DELETE FROM memos WHERE id = ?", (mine["id"],))
        project.log_event("memo.merge", "memo", f"{target_type}/{target}", coder=coder, before=mine, after=None)
        report["removed"] += 1
    our_tombs = _memo_tombstones(project)
    for m in other.memos():
        target_type, target_id = m["target_type"], str(m["target_id"])
        target = place(target_type, target_id)
        if target is None or not m["coder"]:
            report["not_placed"] += 1
            continue
        cid = project.coder_id(m["coder"])
        mine = project.memo_state(target_type, target, cid)
        deleted_at = our_tombs.get((target_type, target, m["coder"]))
        if mine is None and deleted_at is not None and str(m["updated"] or "") <= deleted_at:
            report["removed_here"] += 1  # deleted here after it was last edited there
            continue
        if mine is not None and mine["text"] == m["text"]:
            report["already_here"] += 1
            continue
        if mine is not None and (mine["updated"] or "") >= (m["updated"] or ""):
            report["kept_ours"] += 1  # the same coder edited it here more recently
            continue
        project.put_memo(target_type, target, cid, m["text"], created=m["created"], updated=m["updated"])
        project.log_event("memo.merge", "memo", f"{target_type}/{target}", coder=coder, before=mine,
                          after=project.memo_state(target_type, target, cid))
        report["updated" if mine else "added"] += 1


def _removed(p: Project, entity: str, key: Callable[[dict[str, Any]], tuple[Any, ...] | None],
             present_sql: str) -> dict[tuple[Any, ...], str]:
    """The rows of ``entity`` deleted in ``p`` (a logged change to nothing) and not there now: key -> when. ``key``
    names a logged state (None: not one to count); ``present_sql`` selects the keys of the rows there now."""
    found: dict[tuple[Any, ...], str] = {}
    for ts, before in p.db.execute("SELECT ts, before FROM events WHERE entity = ? AND before IS NOT NULL"
                                   " AND after IS NULL ORDER BY id", (entity,)):
        b = _state(before)
        k = key(b) if isinstance(b, dict) else None
        if k is not None:
            found[k] = str(ts)
    if not found:
        return {}
    present = {tuple(r) for r in p.db.execute(present_sql)}
    return {k: v for k, v in found.items() if k not in present}


def _memo_tombstones(p: Project) -> dict[tuple[Any, ...], str]:
    """Memos deleted in ``p`` and not there now: (target type, target id, coder) -> when."""
    return _removed(p, "memo", lambda b: (str(b["target_type"]), str(b["target_id"]), str(b["coder"]))
                    if b.get("target_type") and b.get("coder") else None,
                    "SELECT m.target_type, m.target_id, k.name FROM memos m"
                    " JOIN coders k ON k.id = m.coder_id")


def _merge_sample(project: Project, other: Project, coder: str, report: dict[str, Any]) -> None:
    """The agreement sample travels like codings: a transcript added there is added here (unless removed here
    since), one removed there is removed here (unless added here since)."""
    if not other.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'agreement_sample'").fetchone():
        return

    def history(p: Project) -> dict[str, tuple[str, str]]:
        last: dict[str, tuple[str, str]] = {}
        for ts, action, tid in p.db.execute("SELECT ts, action, entity_id FROM events"
                                            " WHERE entity = 'agreement_sample' ORDER BY id"):
            last[str(tid)] = (str(ts), str(action))
        return last

    ours, theirs = history(project), history(other)
    here = {r[0] for r in project.db.execute("SELECT transcript_id FROM agreement_sample")}
    there = {r[0]: r for r in other.db.execute("SELECT transcript_id, coders, added, added_by FROM agreement_sample")}
    known = {r[0] for r in project.db.execute("SELECT id FROM transcripts")}
    for tid, (ts, action) in sorted(theirs.items()):
        mine = ours.get(tid, ("", ""))
        if ts <= mine[0] or tid not in known:
            continue  # the later event here stands
        if action in ("undo", "redo"):  # an addition or a removal taken back or put back there: what it left
            action = "sample.add" if tid in there else "sample.remove"
        if action == "sample.add" and tid in there and tid not in here:
            r = there[tid]
            project.db.execute("INSERT INTO agreement_sample (transcript_id, coders, added, added_by)"
                               " VALUES (?, ?, ?, ?)", (tid, r["coders"], r["added"], r["added_by"]))
            project.log_event("sample.merge", "agreement_sample", tid, coder=coder,
                              after={"transcript": tid, "from_project": str(other.path)})
            report["added"].append(tid)
        elif action == "sample.remove" and tid not in there and tid in here:
            project.db.execute("DELETE FROM agreement_sample WHERE transcript_id = ?", (tid,))
            project.log_event("sample.merge", "agreement_sample", tid, coder=coder,
                              before={"transcript": tid}, after={"removed_in": str(other.path)})
            report["removed"].append(tid)


def _decision_tombstones(p: Project) -> dict[tuple[Any, ...], str]:
    """Suggestion decisions taken back in ``p`` (an undone acceptance or rejection, or one a merge removed) and not
    there now: (segment, code, coder, created) -> when. A decision never changes, so its ``created`` names it."""
    return _removed(p, "decision", lambda b: (int(b["segment"]), str(b["code"]), str(b.get("coder") or ""),
                                              str(b["created"]))
                    if b.get("segment") is not None and b.get("code") and b.get("created") else None,
                    "SELECT d.segment_id, d.code_id, k.name, d.created FROM decisions d"
                    " JOIN coders k ON k.id = d.coder_id")


def _done_tombstones(p: Project) -> dict[tuple[Any, ...], str]:
    """Done marks taken back in ``p`` and not there now: (transcript, coder) -> when."""
    return _removed(p, "transcript_done", lambda b: (str(b["transcript"]), str(b["coder"]))
                    if b.get("transcript") and b.get("coder") else None,
                    "SELECT d.transcript_id, k.name FROM transcript_done d JOIN coders k ON k.id = d.coder_id")


def _merge_done(project: Project, other: Project, seg_map: _SegmentMap, coder: str, report: dict[str, Any]) -> None:
    """Done marks travel like codings (the later of a mark and its withdrawal wins). A transcript that two or more
    people have now marked done joins the agreement sample, as when they mark it in one copy."""
    from qualcode.synthesis.reconciled import done_marks, join_sample_when_done

    if not other.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'transcript_done'").fetchone():
        return
    ours_of: dict[str, str] = {}
    for t in other.transcripts():
        placed = seg_map.version_map.get((t["id"], t["version"]))
        if placed is not None:
            ours_of[t["id"]] = placed[0]

    def row(tid: str, name: str) -> Any:
        return project.db.execute("SELECT d.marked, d.coder_id FROM transcript_done d JOIN coders k ON k.id ="
                                  " d.coder_id WHERE d.transcript_id = ? AND k.name = ?", (tid, name)).fetchone()

    touched: set[str] = set()
    for (their_tid, name), at in _done_tombstones(other).items():
        tid = ours_of.get(their_tid)
        mine = row(tid, name) if tid else None
        if tid is None or mine is None or str(mine["marked"]) > at:
            continue
        project.db.execute("DELETE FROM transcript_done WHERE transcript_id = ? AND coder_id = ?",
                           (tid, mine["coder_id"]))
        project.log_event("transcript.undone_merge", "transcript_done", tid, coder=coder,
                          before={"transcript": tid, "coder": name, "marked": mine["marked"]}, after=None)
        report["done"]["unmarked"] += 1
    ours_undone = _done_tombstones(project)
    for their_tid, name, marked in other.db.execute(
        "SELECT d.transcript_id, k.name, d.marked FROM transcript_done d JOIN coders k ON k.id = d.coder_id"
        " ORDER BY d.transcript_id, k.name"
    ).fetchall():
        tid = ours_of.get(str(their_tid))
        if tid is None or row(tid, name) is not None:
            continue
        undone_at = ours_undone.get((tid, str(name)))
        if undone_at is not None and undone_at >= str(marked):
            continue  # taken back here after it was marked there
        project.db.execute("INSERT INTO transcript_done (transcript_id, coder_id, marked) VALUES (?, ?, ?)",
                           (tid, project.coder_id(str(name)), marked))
        project.log_event("transcript.done_merge", "transcript_done", tid, coder=coder,
                          after={"transcript": tid, "coder": name, "marked": marked, "from_project": str(other.path)})
        report["done"]["marked"] += 1
        touched.add(tid)
    if touched:
        marks = done_marks(project)
        for tid in sorted(touched):
            if join_sample_when_done(project, tid, marks.get(tid, []), coder=coder) == "joined":
                report["sample"]["joined_when_done"].append(tid)


def _merge_decisions(project: Project, other: Project, seg_map: _SegmentMap, coder: str,
                     report: dict[str, Any]) -> None:
    """Suggestion decisions (what the suggester learns from) travel like codings: one taken back there is taken back
    here, one taken back here does not come back from a copy that still has it."""
    for (their_seg, code, name, created), _removed_at in _decision_tombstones(other).items():
        for seg_id in seg_map.ours(their_seg)[:1]:
            for d in project.decisions(segment=seg_id):
                if (d["code"], d["coder"], d["created"]) != (code, name, created):
                    continue
                project.delete_decision(int(d["id"]))
                project.log_event("decision.merge", "decision", int(d["id"]), coder=coder, before=dict(d),
                                  after=None)
                report["removed"] += 1
    ours_removed = _decision_tombstones(project)
    for d in other.decisions():
        targets = seg_map.ours(d["segment"])
        if not targets:
            report["not_placed"] += 1
            continue
        seg_id = targets[0]
        if (seg_id, d["code"], d["coder"], d["created"]) in ours_removed:
            report["removed_here"] += 1
            continue
        cid = project.coder_id(d["coder"])
        if project.db.execute(
            "SELECT 1 FROM decisions WHERE segment_id = ? AND code_id = ? AND coder_id = ? AND decision = ?"
            " AND created = ?", (seg_id, d["code"], cid, d["decision"], d["created"])
        ).fetchone():
            report["already_here"] += 1
            continue
        project.db.execute(
            "INSERT INTO decisions (segment_id, code_id, coder_id, decision, score, model_version, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seg_id, d["code"], cid, d["decision"], d["score"], d["model_version"], d["created"]),
        )
        report["added"] += 1


def _adjudication_tombstones(p: Project) -> dict[tuple[int, str], dict[str, str]]:
    """Settlements withdrawn in ``p`` (``adjudicate reopen``, or a reopening a merge brought in) and not settled
    again: (segment, code) -> when and by whom."""
    found: dict[tuple[int, str], dict[str, str]] = {}
    for ts, who, entity_id in p.db.execute(
        "SELECT ts, coder, entity_id FROM events WHERE entity = 'adjudication' AND before IS NOT NULL"
        " AND action IN ('adjudication.reopen', 'adjudication.merge_reopen') ORDER BY id"
    ):
        seg, _, code = str(entity_id).partition("/")
        if seg.isdigit() and code:
            found[(int(seg), code)] = {"at": str(ts), "by": str(who or "?")}
    if not found:
        return {}
    present = {(int(seg), str(code)) for seg, code in p.db.execute("SELECT segment_id, code_id FROM adjudications")}
    return {k: v for k, v in found.items() if k not in present}


def _merge_adjudications(project: Project, other: Project, seg_map: _SegmentMap, coder: str,
                         report: dict[str, Any]) -> None:
    """Settled disagreements travel with the same rule as codings, the later event wins: a settlement reopened
    there is reopened here (unless decided here since), one reopened here is not brought back (unless decided there
    since), and where both copies settled one differently the later decision stands. The agreed coding follows."""
    from qualcode.teams import consensus_coder
    from qualcode.teams.adjudicate import _set_consensus_coding

    has_table = other.db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'adjudications'").fetchone()
    if not has_table:
        return
    consensus = consensus_coder(project)

    def mine(seg_id: int, code: str) -> Any:
        return project.db.execute(
            "SELECT a.*, k.name AS coder FROM adjudications a JOIN coders k ON k.id = a.coder_id"
            " WHERE a.segment_id = ? AND a.code_id = ?", (seg_id, code)).fetchone()

    for (their_seg, code), tomb in _adjudication_tombstones(other).items():
        for seg_id in seg_map.ours(their_seg)[:1]:
            row = mine(seg_id, code)
            if row is None or str(row["created"] or "") > tomb["at"]:
                continue  # not settled here, or settled here after it was reopened there
            before = {"segment": seg_id, "code": code, "decision": row["decision"], "coder": row["coder"],
                      "note": row["note"], "created": row["created"]}
            project.db.execute("DELETE FROM adjudications WHERE id = ?", (row["id"],))
            removed = _set_consensus_coding(project, seg_id, code, "omit", consensus, None, now_iso(), coder=coder)
            project.log_event("adjudication.merge_reopen", "adjudication", f"{seg_id}/{code}", coder=coder,
                              before=before, after={"reopened_by": tomb["by"], "reopened_at": tomb["at"],
                                                    "from_project": str(other.path),
                                                    "agreed_coding_removed": removed})
            report["reopened"] += 1
            report["reopened_by"][tomb["by"]] = report["reopened_by"].get(tomb["by"], 0) + 1
    ours_reopened = _adjudication_tombstones(project)
    for a in other.db.execute(
        "SELECT a.*, k.name AS coder FROM adjudications a JOIN coders k ON k.id = a.coder_id ORDER BY a.id"
    ).fetchall():
        targets = seg_map.ours(a["segment_id"])
        if not targets:
            report["not_placed"] += 1
            continue
        seg_id = targets[0]
        created = str(a["created"] or "")
        row = mine(seg_id, a["code_id"])
        if row is not None and row["decision"] == a["decision"]:
            report["already_here"] += 1
            continue
        if row is not None and str(row["created"] or "") >= created:
            # decided differently here, and later: this project's decision stands, and so does its agreed coding
            # (which the codings of that copy may just have brought in)
            _set_consensus_coding(project, seg_id, a["code_id"], str(row["decision"]), consensus, row["note"],
                                  str(row["created"]), coder=coder)
            report["differ"] += 1
            continue
        reopened = ours_reopened.get((seg_id, a["code_id"]))
        if row is None and reopened is not None and reopened["at"] >= created:
            # reopened here after it was decided there: it stays open, and so does its agreed coding
            _set_consensus_coding(project, seg_id, a["code_id"], "omit", consensus, None, now_iso(), coder=coder)
            report["reopened_here"] += 1
            continue
        project.db.execute(
            "INSERT INTO adjudications (segment_id, code_id, decision, coder_id, note, originals, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(segment_id, code_id) DO UPDATE SET"
            " decision = excluded.decision, coder_id = excluded.coder_id, note = excluded.note,"
            " originals = excluded.originals, created = excluded.created",
            (seg_id, a["code_id"], a["decision"], project.coder_id(a["coder"]), a["note"], a["originals"],
             created or now_iso()),
        )
        _set_consensus_coding(project, seg_id, a["code_id"], a["decision"], consensus, a["note"], created or now_iso(),
                              coder=coder)
        project.log_event("adjudication.merge", "adjudication", f"{seg_id}/{a['code_id']}", coder=coder,
                          before=dict(row) if row is not None else None,
                          after={"segment": seg_id, "code": a["code_id"], "decision": a["decision"],
                                 "coder": a["coder"], "created": created, "from_project": str(other.path)})
        report["replaced" if row is not None else "added"] += 1
