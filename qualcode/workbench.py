"""What the coding workbench does, as plain functions over a :class:`~qualcode.store.Project`.

The terminal UI (``qualcode code``) is a front end on these: listing transcripts with their progress, finding the
next uncoded unit, applying a code to a span of units in one transaction, removing a code, searching across
transcripts, counting codings per code and fuzzy-matching codes as the evaluator types. The CLI and the tests call
the same functions, so nothing the UI can do is out of reach of a script. No Textual here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qualcode.errors import ConflictError, NotFoundError, QualcodeError
from qualcode.folding import fold
from qualcode.model import Code, Codebook
from qualcode.store import DB_NAME, Project

SORT_KEYS = ("id", "type", "group", "location", "progress", "coders")


# ---------------------------------------------------------------------------- the project view


def transcript_rows(project: Project, *, coder: str | None = None) -> list[dict[str, Any]]:
    """One row per transcript: informant attributes, progress (informant units coded / total) and coders.

    ``coded`` counts informant units coded by anyone; ``mine`` those coded by ``coder`` (when given); ``sample``
    says whether the transcript is in the team's agreement sample.
    """
    from qualcode.synthesis.reconciled import sample_rows

    sample = {r["transcript"] for r in sample_rows(project)}
    mine: dict[str, int] = {}
    if coder:
        for row in project.db.execute(
            "SELECT s.transcript_id, count(DISTINCT c.segment_id) FROM codings c"
            " JOIN segments s ON s.id = c.segment_id"
            " JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version"
            " JOIN coders k ON k.id = c.coder_id WHERE k.name = ? GROUP BY s.transcript_id",
            (coder,),
        ):
            mine[row[0]] = int(row[1])
    coded_informant = _coded_informant_units(project)
    rows = []
    for t in project.transcripts():
        attrs = t["attributes"]
        total = int(t["informant_units"])
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
        })
    return rows


def _coded_informant_units(project: Project) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in project.db.execute(
        "SELECT s.transcript_id, count(DISTINCT c.segment_id) FROM codings c JOIN segments s ON s.id = c.segment_id"
        " JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version"
        " LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker"
        " WHERE coalesce(sp.role, 'unknown') != 'interviewer' GROUP BY s.transcript_id"
    ):
        out[row[0]] = int(row[1])
    return out


def filter_transcripts(rows: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
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


def sort_transcripts(rows: list[dict[str, Any]], key: str, *, reverse: bool = False) -> list[dict[str, Any]]:
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


def unit_place(unit: dict[str, Any]) -> str:
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


def transcript_units(project: Project, transcript: str) -> list[dict[str, Any]]:
    """Every unit of a transcript (interviewer turns included) with its codings (all coders) and memos."""
    units = project.segments(transcript)
    by_seg = codings_by_segment(project, transcript)
    memos = segment_memos(project, [u["id"] for u in units])
    for u in units:
        u["codings"] = by_seg.get(u["id"], [])
        u["memos"] = memos.get(u["id"], {})
    return units


def codings_by_segment(project: Project, transcript: str) -> dict[int, list[dict[str, Any]]]:
    """The current codings of a transcript, grouped by segment id."""
    out: dict[int, list[dict[str, Any]]] = {}
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


def is_codable(unit: dict[str, Any]) -> bool:
    """Informant units are coded; interviewer questions are context only."""
    return unit.get("role") != "interviewer"


def next_uncoded(
    units: list[dict[str, Any]], *, after: int = -1, coder: str | None = None, wrap: bool = True
) -> int | None:
    """Position (in ``units``) of the next informant unit after position ``after`` that ``coder`` has not coded
    (or nobody, when coder is None). Wraps around to the start; None when every informant unit is coded."""
    n = len(units)
    order = list(range(after + 1, n)) + (list(range(0, min(after + 1, n))) if wrap else [])
    for i in order:
        u = units[i]
        if not is_codable(u):
            continue
        if not any(coder is None or c["coder"] == coder for c in u.get("codings", [])):
            return i
    return None


def next_uncoded_unit(project: Project, transcript: str, *, after_idx: int = 0,
                      coder: str | None = None) -> dict[str, Any] | None:
    """The next informant unit after unit number ``after_idx`` that ``coder`` has not coded (wrapping around)."""
    units = transcript_units(project, transcript)
    pos = next((i for i, u in enumerate(units) if u["idx"] > after_idx), len(units)) - 1
    found = next_uncoded(units, after=pos, coder=coder)
    return None if found is None else units[found]


def coding_progress(units: list[dict[str, Any]], *, coder: str | None = None) -> dict[str, int]:
    """Informant units coded (by ``coder``, or anyone) and their total."""
    total = coded = 0
    for u in units:
        if not is_codable(u):
            continue
        total += 1
        if any(coder is None or c["coder"] == coder for c in u.get("codings", [])):
            coded += 1
    return {"coded": coded, "total": total}


# ---------------------------------------------------------------------------- coding actions


def apply_code(
    project: Project,
    segments: Iterable[int | str],
    code_id: str,
    *,
    coder: str,
    source: str = "human",
    score: float | None = None,
    model_version: str | None = None,
    memo: str | None = None,
) -> dict[str, Any]:
    """Apply a code to one unit or a span of units in one transaction.

    Units that already carry the code from this coder are skipped (reported in ``skipped``); if all do, nothing
    changes and ConflictError says so. Returns ``{"added": [codings], "skipped": [refs]}``.
    """
    seg_ids = [project.resolve_segment(s) for s in segments]
    if not seg_ids:
        raise QualcodeError("no unit to code", hint="move to a unit first")
    project.require_code(code_id)
    added: list[dict[str, Any]] = []
    skipped: list[int] = []
    with project.transaction():
        for seg in dict.fromkeys(seg_ids):
            if project.codings(segment=seg, code=code_id, coder=coder):
                skipped.append(seg)
                continue
            added.append(project.add_coding(seg, code_id, coder=coder, source=source, score=score,
                                            model_version=model_version, memo=memo))
    if not added:
        what = "this unit" if len(seg_ids) == 1 else "these units"
        raise ConflictError(f"{what} already carry '{code_id}' from {coder}", hint="nothing to do")
    return {"added": added, "skipped": skipped}


def remove_code(project: Project, segment: int | str, code_id: str, *, coder: str) -> dict[str, Any]:
    """Remove ``coder``'s coding of ``code_id`` from a unit (other coders' codings are never touched)."""
    seg = project.resolve_segment(segment)
    found = project.codings(segment=seg, code=code_id, coder=coder)
    if not found:
        raise NotFoundError(f"unit {segment} has no code '{code_id}' from {coder}",
                            hint="press d on a unit that carries your code")
    return project.remove_coding(int(found[0]["id"]), coder=coder)


def set_unit_memo(project: Project, segment: int | str, text: str, *, coder: str) -> dict[str, Any] | None:
    """Write (empty text: delete) ``coder``'s memo on a unit."""
    seg = project.resolve_segment(segment)
    return project.set_memo("segment", str(seg), text, coder=coder)


def code_counts(project: Project, *, coder: str | None = None, transcript: str | None = None) -> dict[str, int]:
    """Number of codings per code id (current transcript versions only)."""
    sql = ("SELECT c.code_id, count(*) FROM codings c JOIN segments s ON s.id = c.segment_id"
           " JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version")
    args: list[Any] = []
    if coder is not None:
        sql += " JOIN coders k ON k.id = c.coder_id AND k.name = ?"
        args.append(coder)
    if transcript is not None:
        sql += " WHERE s.transcript_id = ?"
        args.append(transcript)
    return {row[0]: int(row[1]) for row in project.db.execute(sql + " GROUP BY c.code_id", args)}


# ---------------------------------------------------------------------------- search and fuzzy matching


def search_units(
    project: Project, query: str, *, transcript: str | None = None, limit: int = 200,
    include_interviewer: bool = True,
) -> list[dict[str, Any]]:
    """Units (across all transcripts, or one) containing every word of ``query``, case- and accent-insensitively.

    A query in double quotes matches as a phrase. Each hit carries ``ref``, ``id``, ``transcript``, ``idx``,
    ``speaker``, ``role``, ``text`` and ``match`` (character offsets of the first matched word in ``text``).
    """
    query = query.strip()
    if not query:
        return []
    phrase = len(query) > 1 and query.startswith('"') and query.endswith('"')
    words = [fold(query.strip('"'))] if phrase else fold(query).split()
    words = [w for w in words if w]
    if not words:
        return []
    hits = []
    for u in project.segments(transcript, include_interviewer=include_interviewer):
        hay = fold(u["text"])
        if len(hay) != len(u["text"]):  # folding changed the length (rare ligatures): match without offsets
            pos = -1 if not all(w in hay for w in words) else 0
            span = (0, 0)
        else:
            pos = hay.find(words[0])
            span = (pos, pos + len(words[0]))
            if pos < 0 or not all(w in hay for w in words[1:]):
                pos = -1
        if pos < 0:
            continue
        hits.append({"ref": u["ref"], "id": u["id"], "transcript": u["transcript"], "idx": u["idx"],
                     "speaker": u["speaker"], "role": u["role"], "text": u["text"], "match": span,
                     "kind": u["kind"], "source_type": u["source_type"], "page": u["page"],
                     "page_label": u["page_label"], "heading": u["heading"]})
        if len(hits) >= limit:
            break
    return hits


def code_label(code: Code, codebook: Codebook) -> str:
    """``Criterion › Code`` for sub-codes, the name alone for criteria."""
    if code.parent_id and code.criterion_id in codebook:
        return f"{codebook[code.criterion_id].name} › {code.name}"
    return code.name


def fuzzy_codes(codebook: Codebook, query: str, *, limit: int | None = None,
                only: Iterable[str] | None = None) -> list[tuple[Code, float]]:
    """Codes matching what the evaluator typed, best first (codebook order when the query is empty).

    Matches the code id, its name, its criterion's name and its keywords, tolerating typos and abbreviations
    ("eff outp" finds Effectiveness › Outputs delivered).
    """
    from rapidfuzz import fuzz

    allowed = set(only) if only is not None else None
    codes = [c for c in codebook.walk() if allowed is None or c.id in allowed]
    q = fold(query).strip()
    if not q:
        scored = [(c, 100.0) for c in codes]
    else:
        words = q.split()
        scored = []
        for pos, c in enumerate(codes):
            label = fold(f"{code_label(c, codebook)} {c.id.replace('_', ' ').replace('.', ' ')}")
            extra = fold(" ".join(c.keywords))
            # every typed word a prefix of some label word: what people do when they abbreviate
            label_words = re.findall(r"\w+", label)
            prefix = all(any(lw.startswith(w) for lw in label_words) for w in words)
            score = max(
                100.0 if prefix else 0.0,
                float(fuzz.partial_ratio(q, label)) if len(q) >= 3 else 0.0,
                float(fuzz.token_set_ratio(q, label)),
                0.9 * float(fuzz.partial_ratio(q, extra)) if extra and len(q) >= 4 else 0.0,
            )
            if score >= 70:
                scored.append((c, score - pos * 1e-6))  # stable: codebook order breaks ties
        scored.sort(key=lambda cs: -cs[1])
    return scored[:limit] if limit else scored


# ---------------------------------------------------------------------------- which project to open


def qualcode_home() -> Path:
    """Per-user data folder: $QUALCODE_HOME, else $XDG_DATA_HOME/qualcode, else ~/.local/share/qualcode."""
    env = os.environ.get("QUALCODE_HOME", "").strip()
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "qualcode"


def example_workspace(*, home: Path | None = None) -> Path:
    """A working copy of the bundled example in the per-user folder, built on first use and then reused, so the
    shipped files stay clean and the evaluator's practice codings survive restarts."""
    from qualcode.project_io import build_example

    dest = (home or qualcode_home()) / "example"
    if not (dest / DB_NAME).exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        build_example(dest, force=True)
    return dest


def resolve_workbench_project(project: str | Path | None) -> tuple[Path, bool]:
    """The folder ``qualcode code`` opens and whether it is the example copy.

    An explicit folder must hold a project; with none given, the current folder is used if it holds one, else the
    example working copy.
    """
    if project is not None and str(project) not in ("", "."):
        p = Path(project)
        Project.open(p).close()  # raises a ProjectError that says what to do
        return p, False
    if (Path.cwd() / DB_NAME).exists():
        return Path.cwd(), False
    return example_workspace(), True


# ---------------------------------------------------------------------------- suggestions


def fit_suggester(project: Project) -> Any:
    """The project's suggester (:mod:`qualcode.nlp.project`), brought up to date with its codebook, units and
    codings; retraining after a coding only refits the learners."""
    from qualcode.nlp.project import get_suggester

    return get_suggester(project)


def suggest_units(engine: Any, units: list[dict[str, Any]], *, top: int = 5,
                  min_score: float = 0.05) -> dict[int, list[dict[str, Any]]]:
    """Suggestions (code, score, why, model_version) for informant units, keyed by segment id."""
    codable = [u for u in units if is_codable(u)]
    if engine is None or not codable:
        return {}
    found = engine.suggest([(str(u["id"]), u["text"]) for u in codable], top=top, min_score=min_score)
    out: dict[int, list[dict[str, Any]]] = {}
    for u, suggestions in zip(codable, found, strict=True):
        out[int(u["id"])] = [
            {"code": s.code, "score": float(s.score), "why": s.why, "model_version": s.model_version}
            for s in suggestions
        ]
    return out


def accept_suggestion(project: Project, segment: int | str, suggestion: dict[str, Any], *,
                      coder: str) -> dict[str, Any]:
    """Apply a suggested code with the score and model version the evaluator saw, and record the decision (one
    transaction). Returns ``{"added": [coding], "skipped": []}`` like :func:`apply_code`."""
    from qualcode.nlp.project import accept_suggestion as accept

    coding = accept(project, segment, suggestion["code"], coder=coder, score=suggestion.get("score"),
                    model_version=suggestion.get("model_version"))
    return {"added": [coding], "skipped": []}


def reject_suggestion(project: Project, segment: int | str, suggestion: dict[str, Any], *,
                      coder: str) -> dict[str, Any]:
    """Record that ``coder`` rejected a suggested code for a unit (the suggester learns from it)."""
    from qualcode.nlp.project import reject_suggestion as reject

    return reject(project, segment, suggestion["code"], coder=coder, score=suggestion.get("score"),
                  model_version=suggestion.get("model_version"))


def uncoded_queue(project: Project, *, coder: str, transcript: str | None = None,
                  ordered: bool = True) -> list[dict[str, Any]]:
    """Informant units ``coder`` has not coded, in the order to work through them.

    With ``ordered``, the order of ``qualcode queue`` (most informative first, each with its ``reason``) comes
    first, then the units another coder already coded, in transcript order; else transcript order.
    """
    mine = {int(c["segment"]) for c in project.codings(coder=coder, transcript=transcript)}
    units = [s for s in project.segments(transcript, include_interviewer=False)
             if s["id"] not in mine and s["text"].strip()]
    if not ordered:
        return units
    try:
        from qualcode.nlp.project import queue_for_project
    except ImportError:
        return units
    by_id = {int(u["id"]): u for u in units}
    out = []
    for item in queue_for_project(project, transcript=transcript, limit=None):
        u = by_id.pop(int(item["segment"]), None)
        if u is not None:
            out.append({**u, "reason": item.get("reason")})
    return out + list(by_id.values())


def neighbours(project: Project, segment_id: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The units just before and after a unit in its transcript version (``idx``, ``speaker``, ``text``), or None at
    either end. Two indexed lookups, cheap enough for every key press."""
    seg = project.db.execute("SELECT transcript_id, version, idx FROM segments WHERE id = ?", (segment_id,)).fetchone()
    if seg is None:
        return None, None
    rows = project.db.execute(
        "SELECT idx, speaker, text FROM segments WHERE transcript_id = ? AND version = ? AND idx IN (?, ?)",
        (seg["transcript_id"], seg["version"], seg["idx"] - 1, seg["idx"] + 1)).fetchall()
    found = {r["idx"]: dict(r) for r in rows}
    return found.get(seg["idx"] - 1), found.get(seg["idx"] + 1)
