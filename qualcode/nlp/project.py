"""Suggestions inside a project: the suggester fed with the project's units, codings and decisions.

A :class:`Suggester` is kept per project folder for the life of the process, so repeated calls
only re-score; it notices a changed codebook (its hash) and new codings or decisions by itself, so
nothing needs a restart. Accepting and rejecting a suggestion are actions
(:mod:`qualcode.actions.coding`): a rejection is a decision, which later calls use as a negative example.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualcode.nlp.active import order_units
from qualcode.nlp.suggester import BATCH, Example, Suggester

if TYPE_CHECKING:
    from qualcode.model import ProgressFn, Segment
    from qualcode.store import Project

_cache: dict[str, Suggester] = {}
_saved: dict[str, tuple[str, str]] = {}  # per project, the state keys last restored or saved
_lock = threading.Lock()


def training_examples(project: Project, informant_units: Sequence[Segment] | None = None) -> list[Example]:
    """Every coded unit (any coder, any source) with its codes, plus rejected suggestions, plus the units passed
    over: uncoded informant units before the last coded unit of their transcript, which the team read and left
    uncoded (greetings, consent, logistics). They teach the model what is not worth coding.

    ``informant_units``: the project's informant units in transcript order, when the caller has read them already.
    """
    by_seg: dict[int, Example] = {}
    codings = project.codings()
    coded = {int(c["segment"]) for c in codings}
    decisions = project.decisions()
    decided = {int(d["segment"]) for d in decisions}
    seg_ids = coded | {int(d["segment"]) for d in decisions if d["decision"] == "rejected"}
    if not seg_ids:
        return []
    texts = {int(s["id"]): s["text"] for s in project.segments(ids=sorted(seg_ids), include_interviewer=True)}
    for c in codings:
        sid = int(c["segment"])
        if sid in texts:
            by_seg.setdefault(sid, Example(str(sid), texts[sid])).codes.add(c["code"])
    for d in decisions:
        sid = int(d["segment"])
        if d["decision"] == "rejected" and sid in texts:
            by_seg.setdefault(sid, Example(str(sid), texts[sid])).rejected.add(d["code"])
    passed: list[Example] = []
    waiting: list[Segment] = []  # uncoded units since the last coded one of the current transcript
    transcript = None
    for s in project.segments(include_interviewer=False) if informant_units is None else informant_units:
        if s["transcript"] != transcript:
            transcript, waiting = s["transcript"], []
        sid = int(s["id"])
        if sid in coded:
            passed += [Example(str(int(w["id"])), w["text"]) for w in waiting]
            waiting = []
        elif sid not in decided and s["text"].strip():
            waiting.append(s)
    return [by_seg[k] for k in sorted(by_seg)] + passed


def units_with_questions(project: Project) -> list[tuple[Segment, str]]:
    """Every informant unit with the interviewer's turn before it (its question; "" when there is none).

    An informant answers what they were asked: the evaluation matrix's questions are put one by one, so
    the question says much about which criterion the answer speaks to.
    """
    out: list[tuple[Segment, str]] = []
    question, asked_in = "", None  # the interviewer's latest turn and its (transcript, turn)
    for s in project.segments(include_interviewer=True):
        if asked_in is not None and asked_in[0] != s["transcript"]:
            question, asked_in = "", None
        if s["role"] == "interviewer":
            where = (s["transcript"], s["turn"])
            question = f"{question} {s['text']}" if where == asked_in else s["text"]
            asked_in = where
        else:
            out.append((s, question))
    return out


def set_inputs(sugg: Suggester, project: Project) -> None:
    """Give ``sugg`` the project's units (with their questions and turns) and its codings; fitting is lazy."""
    units = units_with_questions(project)
    sugg.set_corpus([s["text"] for s, _ in units], [q for _, q in units],
                    [f"{s['transcript']}:{s['turn']}" for s, _ in units])
    sugg.update(training_examples(project, [s for s, _ in units]))


def get_suggester(project: Project) -> Suggester:
    """The project's suggester, brought up to date with its codebook, units and codings, and fitted.

    The fitted state is also kept on disk (:mod:`qualcode.nlp.cache`), so the first suggestions of a new
    process come from the cache when nothing changed, and only the learners are refitted when the codings
    did. The cache is an optimisation only: whatever is in it, the suggestions are those of a fresh fit.
    """
    from qualcode.nlp import cache

    key = str(project.path)
    codebook = project.codebook()
    cb_hash = project.codebook_hash() or None
    with _lock:
        sugg = _cache.get(key)
        if sugg is None:
            sugg = Suggester(codebook, codebook_hash=cb_hash)
            _cache[key] = sugg
        else:
            sugg.set_codebook(codebook, cb_hash)
        set_inputs(sugg, project)
        state = sugg.state_keys()
        if not sugg.prepared:
            found = cache.restore(project.path, sugg)
            if found != "hit":
                sugg.prepare()
                cache.save(project.path, sugg, corpus=found == "miss")
        elif _saved.get(key) != state:
            cache.save(project.path, sugg, corpus=_saved.get(key, ("",))[0] != state[0])  # retrained after a coding
        _saved[key] = state
    return sugg


def _uncoded_units(project: Project, transcript: str | None) -> list[Segment]:
    coded = {int(c["segment"]) for c in project.codings(transcript=transcript)}
    return [s for s in project.segments(transcript, include_interviewer=False)
            if int(s["id"]) not in coded and s["text"].strip()]


def suggest_for_project(
    project: Project,
    *,
    transcript: str | None = None,
    segment: int | str | None = None,
    top: int = 3,
    min_score: float = 0.0,
    progress: ProgressFn | None = None,
) -> list[dict[str, Any]]:
    """Suggestions for the uncoded informant units (or for one named segment, coded or not)."""
    if progress:
        progress("fitting the suggester", 0, 1)
    sugg = get_suggester(project)
    units = [project.segment(segment)] if segment is not None else _uncoded_units(project, transcript)
    results: list[list[Any]] = []
    for start in range(0, len(units), BATCH):  # the suggester's own batches, so the scores are the same
        if progress:
            progress("suggesting", start, len(units))
        batch = units[start:start + BATCH]
        results += sugg.suggest([(str(u["id"]), u["text"]) for u in batch], top=top, min_score=min_score)
    return [
        {
            "segment": u["id"],
            "ref": u["ref"],
            "transcript": u["transcript"],
            "speaker": u["speaker"],
            "text": u["text"],
            "model_version": sugg.model_version,
            "suggestions": [s.to_dict() for s in found],
        }
        for u, found in zip(units, results, strict=True)
    ]


def queue_for_project(
    project: Project, *, transcript: str | None = None, limit: int | None = 20
) -> list[dict[str, Any]]:
    """Uncoded informant units, most informative first, each with the reason it is there."""
    sugg = get_suggester(project)
    units = _uncoded_units(project, transcript)
    if not units:
        return []
    scores = sugg.score([u["text"] for u in units])
    ranked = order_units([u["id"] for u in units], scores, sugg.code_ids, sugg.coded_counts, limit=limit)
    by_id = {u["id"]: u for u in units}
    for item in ranked:
        u = by_id[item["id"]]
        item.update(segment=item.pop("id"), ref=u["ref"], transcript=u["transcript"], speaker=u["speaker"],
                    text=u["text"])
    return ranked


def current_score(project: Project, segment: int, code_id: str) -> tuple[float | None, str]:
    """The suggester's score of a code for a unit now, and its model version (a decision on a suggestion records
    them when the front end does not say what the evaluator saw)."""
    sugg = get_suggester(project)
    if code_id not in sugg.code_ids:
        return None, sugg.model_version
    text = project.segment(segment)["text"]
    j = sugg.code_ids.index(code_id)
    return float(sugg.score([text])[0, j]), sugg.model_version
