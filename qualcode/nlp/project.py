"""Suggestions inside a project: the suggester fed with the project's units, codings and decisions.

A :class:`Suggester` is kept per project folder for the life of the process, so repeated calls
only re-score; it notices a changed codebook (its hash) and new codings or decisions by itself, so
nothing needs a restart. Accepting and rejecting a suggestion are actions
(:mod:`qualcode.actions.coding`): a rejection is a decision, which later calls use as a negative example.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from qualcode.nlp.active import order_units
from qualcode.nlp.suggester import BATCH, Example, Suggester

if TYPE_CHECKING:
    from qualcode.model import ProgressFn, Segment
    from qualcode.store import Project

@contextmanager
def _no_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the model's inputs are built: at 80,000 units and 76,000 coded
    units it ran again and again over the growing lists of rows and examples (none of which form cycles) and took
    two thirds of the time of a warm start. What was built meanwhile is put with the oldest objects when it ends (it
    lives as long as the model): otherwise the first collection after it went over all of it at once, a quarter of a
    second before the first suggestions of a large project."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()  # every tracked object to the permanent generation ...
            gc.unfreeze()  # ... and back into the oldest, where only a full collection looks at them
            gc.enable()


DRIFT_SHARE = 0.1  # units added or removed incrementally, as a share of the last fit from scratch, before a refit


def _drifted(sugg: Suggester) -> bool:
    """Whether incremental updates took the model more than ``DRIFT_SHARE`` from its last fit from scratch."""
    return sugg.drift > DRIFT_SHARE


_cache: dict[str, Suggester] = {}
_saved: dict[str, tuple[str, str]] = {}  # per project, the state keys last restored or saved
_lock = threading.Lock()


def training_examples(project: Project, informant_units: list[dict[str, Any]] | None = None) -> list[Example]:
    """Every coded unit (any coder, any source) with its codes and who applied them, plus rejected suggestions, plus
    the units passed over: uncoded informant units before the last coded unit of their transcript, which the team
    read and left uncoded (greetings, consent, logistics). They teach the model what is not worth coding. A unit a
    coder marked not codable is such an example wherever it is; one skipped for now never is (it is still to do).

    ``informant_units``: the project's informant units in transcript order, when the caller has read them already
    (the same list again after a coding: only the units whose codings changed are then looked at again).
    """
    # Plain table reads, no joins: at 100,000 codings the full coding rows took seconds to build.
    codings = _plain_rows(project, "SELECT segment_id, code_id, coder_id FROM codings ORDER BY id")
    decisions = _plain_rows(project, "SELECT segment_id, code_id, decision FROM decisions ORDER BY id")
    marks = _plain_rows(project, "SELECT segment_id, mark FROM unit_marks ORDER BY segment_id, mark")
    if not codings and not decisions and not marks:
        return []
    units = _informant_units(project) if informant_units is None else informant_units
    key = str(project.path)
    seen = _examples_seen.get(key)
    if seen is None or seen.units is not units:
        seen = _Examples(units)
        _examples_seen[key] = seen
    return seen.refresh(project, codings, decisions, marks)


class _Examples:
    """A project's training examples, kept between calls: after a coding only the changed units (and the units passed
    over in their transcript) are built again, not every example of a large project."""

    def __init__(self, units: list[dict[str, Any]]) -> None:
        self.units = units
        self.texts = {int(u["id"]): u["text"] for u in units}
        self.refs = {int(u["id"]): u["ref"] for u in units}
        self.by_transcript: dict[str, list[dict[str, Any]]] = {}
        for u in units:
            self.by_transcript.setdefault(u["transcript"], []).append(u)
        self.codings: list[Any] = []
        self.decisions: list[Any] = []
        self.marks: list[Any] = []
        self.coding_set: set[Any] = set()
        self.by_seg: dict[int, Example] = {}
        self.passed: dict[str, list[Example]] = {}
        self.result: list[Example] = []
        self._outside: dict[int, str] = {}  # texts of coded units that are not informant units
        self._codings_hash = _rows_hash([])
        self.digest = ""
        self.coded: set[int] = set()  # units with a coding

    def refresh(self, project: Project, codings: list[Any], decisions: list[Any], marks: list[Any]) -> list[Example]:
        if codings == self.codings and decisions == self.decisions and marks == self.marks and (
                self.by_seg or self.passed):
            return self.result
        old = self.codings
        if len(codings) >= len(old) and codings[: len(old)] == old:
            # Codings added (what coding does; rows come in id order): only the new rows are looked at.
            new_rows = set(codings[len(old):])
            changed = new_rows - self.coding_set
            coding_set = self.coding_set | new_rows
            self._codings_hash = _rows_hash(codings[len(old):], self._codings_hash if old else None)
        else:
            if len(codings) < len(old) and old[: len(codings)] == codings:
                coding_set = set(codings)  # the latest codings removed (an undo)
                changed = set(old[len(codings):]) - coding_set
            else:
                coding_set = set(codings)
                changed = coding_set.symmetric_difference(self.coding_set)
            self._codings_hash = _rows_hash(codings)
        if decisions != self.decisions:
            changed |= set(decisions).symmetric_difference(self.decisions)
        touched = {int(r[0]) for r in changed}
        marked_again = {int(r[0]) for r in set(marks).symmetric_difference(self.marks)}
        self.marks = marks
        others = touched - self.texts.keys()
        if others:  # interviewer turns, units of replaced transcript versions: current ones are the team's view
            current = {int(s["id"]): s for s in project.segments(ids=sorted(others), include_interviewer=True)}
            for sid in others:
                if sid in current:
                    self.texts[sid], self.refs[sid] = current[sid]["text"], current[sid]["ref"]
                    self._outside[sid] = current[sid]["text"]
                else:
                    self.texts.pop(sid, None)
                    self._outside.pop(sid, None)
        fresh = not self.codings and not self.decisions and not self.passed
        self.codings, self.decisions, self.coding_set = codings, decisions, coding_set
        decisions = [r for r in decisions if r[0] in self.texts]
        if fresh:
            codings = [r for r in codings if r[0] in self.texts]
            touched = {int(r[0]) for r in codings} | {int(r[0]) for r in decisions}
            self.coded = {int(r[0]) for r in codings}
        else:  # only the touched units' rows are looked at again
            codings = [r for r in codings if r[0] in touched and r[0] in self.texts]
            self.coded = (self.coded - touched) | {int(r[0]) for r in codings}
        names = dict(project.db.execute("SELECT id, name FROM coders").fetchall())
        # New Example objects for the touched units (the suggester compares old and new ones).
        for sid in touched:
            self.by_seg.pop(sid, None)
        for sid, code, coder in codings:
            if sid in touched and sid in self.texts:
                e = self.by_seg.get(sid)
                if e is None:
                    e = self.by_seg[sid] = Example(str(sid), self.texts[sid], ref=self.refs[sid])
                e.codes.add(code)
                e.coders.setdefault(code, names.get(coder, ""))  # the first to apply it
        for sid, code, decision in decisions:
            if decision == "rejected" and sid in touched and sid in self.texts:
                e = self.by_seg.get(sid)
                if e is None:
                    e = self.by_seg[sid] = Example(str(sid), self.texts[sid], ref=self.refs[sid])
                e.rejected.add(code)
        coded = self.coded
        decided = {int(r[0]) for r in decisions}
        not_codable = {int(r[0]) for r in marks if r[1] == "not_codable"}
        skipped = {int(r[0]) for r in marks if r[1] == "skipped"} - not_codable
        transcripts = self.by_transcript.keys() if fresh else {
            u["transcript"] for sid in touched | marked_again for u in [self._unit(sid)] if u is not None}
        for t in transcripts:
            self.passed[t] = _passed_over(self.by_transcript[t], coded, decided, not_codable, skipped)
        self.result = [self.by_seg[k] for k in sorted(self.by_seg)] + [e for t in self.by_transcript
                                                                       for e in self.passed.get(t, [])]
        self.digest = self._digest()
        return self.result

    def _digest(self) -> str:
        """A hash of everything the examples are made of, from the rows read (one ``repr`` and one hash, where hashing
        tens of thousands of examples one by one cost a tenth of a second after every coding): the codings,
        decisions and marks, and the texts of coded units outside the informant units (the informant units' texts are
        in the suggester's corpus key)."""
        blob = repr((self._codings_hash.hexdigest(), self.decisions, self.marks, sorted(self._outside.items())))
        return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()

    def _unit(self, sid: int) -> dict[str, Any] | None:
        if not hasattr(self, "_index"):
            self._index = {int(u["id"]): u for u in self.units}
        return self._index.get(sid)


def _rows_hash(rows: list[Any], before: Any = None) -> Any:
    """A hash of table rows, continued from ``before`` (the hash of the rows before them) when given: the same as
    hashing all the rows at once, so adding codings hashes only the new rows."""
    text = repr(rows)[1:-1]
    if before is None:
        h = hashlib.sha256()
    else:
        h = before.copy()
        text = ", " + text if text else text
    h.update(text.encode("utf-8", "surrogatepass"))
    return h


def _passed_over(units: list[dict[str, Any]], coded: set[int], decided: set[int], not_codable: set[int],
                 skipped: set[int]) -> list[Example]:
    """The uncoded units of one transcript that come before its last coded unit (and have no decision on them), and
    those a coder marked not codable wherever they are; never one skipped for now (it is still to do)."""
    passed: list[Example] = []
    waiting: list[dict[str, Any]] = []  # uncoded units since the last coded one
    for s in units:
        sid = s["id"]
        if sid in coded:
            if waiting:
                passed += [Example(str(w["id"]), w["text"]) for w in waiting]
                waiting = []
        elif sid in not_codable and s["text"].strip():
            passed.append(Example(str(sid), s["text"]))  # said outright: not worth coding
        elif sid not in decided and sid not in skipped and s["text"].strip():
            waiting.append(s)
    return passed


_examples_seen: dict[str, _Examples] = {}


def units_with_questions(project: Project) -> list[tuple[dict[str, Any], str]]:
    """Every informant unit with the interviewer's turn before it (its question; "" when there is none), and every
    paragraph of a document with the heading it stands under.

    An informant answers what they were asked: the evaluation matrix's questions are put one by one, so
    the question says much about which criterion the answer speaks to; a report's sections ("2.4 Sustainability")
    say the same of its paragraphs. Each unit is a dict with ``id``, ``ref``, ``transcript``, ``turn``, ``speaker``
    and ``text``.
    """
    out: list[tuple[dict[str, Any], str]] = []
    question, asked_in = "", None  # the interviewer's latest turn and its (transcript, turn)
    for sid, tid, idx, turn, speaker, text, role, kind, heading in _unit_rows(project):
        if asked_in is not None and asked_in[0] != tid:
            question, asked_in = "", None
        if role == "interviewer" and kind != "document":
            where = (tid, turn)
            question = f"{question} {text}" if where == asked_in else text
            asked_in = where
        else:
            out.append(({"id": sid, "ref": f"{tid}:{idx}", "transcript": tid, "turn": turn, "speaker": speaker,
                         "text": text}, (heading or "") if kind == "document" else question))
    return out


def _plain_rows(project: Project, sql: str) -> list[tuple[Any, ...]]:
    """The rows of a query as plain tuples (the connection's named rows cost more to build, and their ``repr`` names
    an address, not the values the model's hash is made of)."""
    cur = project.db.cursor()
    cur.row_factory = None
    return cur.execute(sql).fetchall()


def _unit_rows(project: Project) -> list[tuple[Any, ...]]:
    """(id, transcript, idx, turn, speaker, text, role, kind, heading) of every unit of the current transcript versions,
    in reading order: only the columns the suggester needs (the store's full unit rows cost seconds at 100,000
    units)."""
    return _plain_rows(
        project,
        "SELECT s.id, s.transcript_id, s.idx, s.turn, s.speaker, s.text, coalesce(sp.role, 'unknown'), t.kind,"
        " s.heading FROM segments s JOIN transcripts t ON t.id = s.transcript_id AND s.version = t.current_version"
        " LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker"
        " ORDER BY s.transcript_id, s.idx")


def _informant_units(project: Project) -> list[dict[str, Any]]:
    return [u for u, _ in units_with_questions(project)]


def _units_fingerprint(project: Project) -> tuple[Any, ...]:
    """Changes whenever the units to code or their speakers' roles change (an import, a new version, a speaker
    marked as interviewer); cheap, so a retraining after a coding need not read every unit again."""
    seg = project.db.execute("SELECT count(*), max(id) FROM segments").fetchone()
    versions = project.db.execute("SELECT group_concat(id || ':' || current_version, ',') FROM transcripts").fetchone()
    roles = project.db.execute(
        "SELECT group_concat(transcript_id || ':' || label || ':' || role, ',') FROM speakers").fetchone()
    return tuple(seg) + tuple(versions) + tuple(roles)


_units_seen: dict[str, tuple[tuple[Any, ...], list[tuple[dict[str, Any], str]]]] = {}


def _stamp(key: str) -> dict[str, Any] | None:
    """What is noted beside a project's saved model of the units last read for it: their fingerprint (see
    :func:`cache.units_known`), and how many segment rows there were and the newest one's id (see
    :func:`_will_tokenise`)."""
    seen = _units_seen.get(key)
    return None if seen is None else {"units": repr(seen[0]), "segments": [seen[0][0], seen[0][1]]}


def _will_tokenise(project: Project, stamp: tuple[Any, ...]) -> bool:
    """Whether the units of this fingerprint are likely to hold units no saved model has seen, which will be
    tokenised (so spaCy is imported meanwhile: a second or two). False when a saved model has these units, or when
    the newest saved model had every segment row there is now and none is newer (units removed only: nothing new to
    tokenise, and a removal needs no spaCy)."""
    from qualcode.nlp import cache

    metas = cache.saved_metas(project.path)
    if not metas:
        return True
    if any(meta.get("units") == repr(stamp) for meta in metas):
        return False
    seen = metas[0].get("segments")
    if not (isinstance(seen, list) and len(seen) == 2 and all(isinstance(v, int) for v in seen)):
        return True
    count, newest = int(stamp[0] or 0), int(stamp[1] or 0)
    return count > seen[0] or newest > seen[1]
_corpus_given: dict[str, tuple[Any, Any]] = {}  # per project, the suggester and the units list it was last given


def set_inputs(sugg: Suggester, project: Project, *, quick: bool = False, stamp: Any = None) -> None:
    """Give ``sugg`` the project's units (with their questions and turns) and its codings; fitting is lazy (``quick``:
    see :meth:`Suggester.update`). ``stamp``: the units' fingerprint, when the caller has just taken it."""
    key = str(project.path)
    stamp = _units_fingerprint(project) if stamp is None else stamp
    seen = _units_seen.get(key)
    if seen is not None and seen[0] == stamp:
        units = seen[1]
    else:
        units = units_with_questions(project)
        _units_seen[key] = (stamp, units)
    given = _corpus_given.get(key)
    if given is None or given[0]() is not sugg or given[1] is not units:  # else: this suggester has these units
        sugg.set_corpus([s["text"] for s, _ in units], [q for _, q in units],
                        [f"{s['transcript']}:{s['turn']}" for s, _ in units])
        _corpus_given[key] = (weakref.ref(sugg), units)
    examples = training_examples(project, _informant_list(key, units))
    made = _examples_seen.get(key)
    sugg.update(examples, quick=quick, digest=made.digest if made is not None and examples else None)


def _informant_list(key: str, units: list[tuple[dict[str, Any], str]]) -> list[dict[str, Any]]:
    """The units without their questions, as the same list object while the units do not change (so the training
    examples are updated, not rebuilt)."""
    kept = _informants_seen.get(key)
    if kept is None or kept[0] is not units:
        kept = _informants_seen[key] = (units, [s for s, _ in units])
    return kept[1]


_informants_seen: dict[str, tuple[Any, list[dict[str, Any]]]] = {}


def get_suggester(project: Project, *, quick: bool = False) -> Suggester:
    """The project's suggester, brought up to date with its codebook, units and codings, and fitted.

    The fitted state is also kept on disk (:mod:`qualcode.nlp.cache`), so the first suggestions of a new
    process come from the cache when nothing changed, and only the learners are refitted when the codings
    did. When the units changed (an import, a transcript removed), the state saved for the earlier units is brought up
    to date incrementally (:meth:`Suggester.extend_state`): new units are transformed with the saved vocabulary and
    linked into the unit graph, removed units dropped, in seconds where a fit from scratch of a large project takes
    twenty. Once the units added and removed since the last fit from scratch exceed ``DRIFT_SHARE`` of its units,
    the model is fitted from scratch: at once here, in the background in the workbench (:func:`refit_if_drifted`).
    Otherwise the cache is an optimisation only: the suggestions are those of a fresh fit, or, after an incremental
    update, close to them (the model version then ends ``+uN-…``, N units added or removed since the last fit).

    ``quick`` (the workbench): a few new codings update the fitted model in place in well under a second, and new
    units are scored before the spreading over the changed unit graph is done again; :func:`refresh_suggester`
    completes the refit when there is time, and only then is the state saved.
    """
    key = str(project.path)
    codebook = project.codebook()
    cb_hash = project.codebook_hash() or None
    with _lock, _no_collection():
        sugg = _cache.get(key)
        if sugg is None:
            sugg = Suggester(codebook, codebook_hash=cb_hash)
            _cache[key] = sugg
        else:
            sugg.set_codebook(codebook, cb_hash)
        stamp = _units_fingerprint(project)
        if not sugg.prepared and _will_tokenise(project, stamp):
            # Units no saved model was fitted on: they will be tokenised, and importing spaCy takes a second or two,
            # done meanwhile in a process of its own (a reopening, whose units are known, never needs it; nor does a
            # removal).
            sugg.pipeline.load_apart()
        try:
            return _bring_up_to_date(project, sugg, stamp, quick)
        finally:
            sugg.pipeline.close_apart()


def _bring_up_to_date(project: Project, sugg: Suggester, stamp: tuple[Any, ...], quick: bool) -> Suggester:
    """:func:`get_suggester`'s work once the suggester is chosen: its inputs given, then restored from the cache,
    brought up to date from it, or fitted."""
    from qualcode.nlp import cache

    key = str(project.path)
    set_inputs(sugg, project, quick=quick, stamp=stamp)
    state = sugg.state_keys()
    if not sugg.prepared:
        found = cache.restore(project.path, sugg)
        if found == "miss":
            found = cache.restore_incremental(project.path, sugg)
        if found != "miss" and _drifted(sugg) and not quick:
            # Too far from its last fit from scratch (brought up to date now, or saved so by a workbench that quit
            # before its fit in the background was done): fitted from scratch now.
            sugg.reset()
            found = "miss"
        if found == "extended":
            if sugg.stale:
                if quick:
                    return sugg  # scored at once; the spreading is done again, and the state saved, when idle
                sugg.refresh()
            cache.save(project.path, sugg, units=_stamp(key))
        elif found != "hit":
            sugg.prepare()
            cache.save(project.path, sugg, corpus=found == "miss", units=_stamp(key))
    elif sugg.stale:
        return sugg  # saved once refreshed: another process must never restore a half-updated model
    elif _saved.get(key) != state:
        cache.save(project.path, sugg, corpus=_saved.get(key, ("",))[0] != state[0],  # retrained after a coding
                   units=_stamp(key))
    _saved[key] = state
    return sugg


def refresh_suggester(project: Project, should_stop: Callable[[], bool] | None = None) -> bool:
    """Complete the refit that quick updates left out (:meth:`Suggester.refresh`) and save the result; False when
    ``should_stop`` interrupted it (the model keeps its quick state)."""
    from qualcode.nlp import cache

    key = str(project.path)
    with _lock, _no_collection():
        sugg = _cache.get(key)
        if sugg is None or not sugg.stale:
            return True
        if not sugg.refresh(should_stop):
            return False
        state = sugg.state_keys()
        if _saved.get(key) != state:
            cache.save(project.path, sugg, corpus=_saved.get(key, ("",))[0] != state[0], units=_stamp(key))
            _saved[key] = state
    return True


def update_saved_model(project: Project) -> bool:
    """Bring the project's saved model up to date with its units now, after an import or a removal, when one was saved
    for an earlier set of units of the same codebook and the change is within ``DRIFT_SHARE`` of its last fit from
    scratch (:meth:`Suggester.extend_state`; a few seconds at 200 transcripts): the next workbench or ``qualcode
    suggest`` then starts from it as a reopening does. Never fits from scratch (that waits for the next opening);
    False when nothing was done."""
    from qualcode.nlp import cache

    key = str(project.path)
    if not cache.has_saved_models(project.path):
        return False
    with _lock, _no_collection():
        sugg = Suggester(project.codebook(), codebook_hash=project.codebook_hash() or None)
        set_inputs(sugg, project)
        stamp = _units_seen[key][0]
        if cache.units_known(project.path, repr(stamp)) or cache.has_state(project.path, sugg):
            return False
        if _will_tokenise(project, stamp):  # spaCy is imported meanwhile, while the saved state is read
            sugg.pipeline.load_apart()
        try:
            if cache.restore_incremental(project.path, sugg) != "extended" or _drifted(sugg):
                return False
        finally:
            sugg.pipeline.close_apart()
        if sugg.stale:
            sugg.refresh()
        cache.save(project.path, sugg, units=_stamp(key))
        _cache[key] = sugg
        _saved[key] = sugg.state_keys()
    return True


class _FullFit:
    """A fit from scratch of a project's model, in a thread, from the inputs of the model brought up to date
    incrementally (:func:`refit_if_drifted`); that model keeps scoring meanwhile."""

    def __init__(self, source: Suggester, on_done: Callable[[], None] | None) -> None:
        from qualcode.nlp.text import TextPipeline

        # A pipeline of its own: spaCy's tokenizer is not to be shared between two threads at work.
        pipeline = TextPipeline()
        if pipeline.name != source.pipeline.name:
            pipeline = source.pipeline
        self.model = Suggester(source.codebook, codebook_hash=source.codebook_hash, pipeline=pipeline)
        self.inputs = source.inputs()
        self.on_done = on_done
        self.done = threading.Event()
        self.failed = False
        self.thread = threading.Thread(target=self._run, name="qualcode-full-fit", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.model.take_inputs(*self.inputs)
            self.model.prepare()
        except Exception:  # the incremental model stays; the next opening tries again (the command line at once)
            self.failed = True
        self.done.set()
        if self.on_done is not None:
            self.on_done()


_full_fits: dict[str, _FullFit] = {}


def refit_if_drifted(project: Project, on_done: Callable[[], None] | None = None) -> bool:
    """When the project's model was brought up to date incrementally past ``DRIFT_SHARE`` of the units of its last
    fit from scratch, start fitting it from scratch in a thread (the workbench's model process does this while the
    evaluator codes); :func:`take_full_fit` puts the result in its place. ``on_done`` is called from that thread when
    it ends. True when a fit was started."""
    key = str(project.path)
    with _lock:
        sugg = _cache.get(key)
        if sugg is None or not sugg.prepared or sugg.stale or not _drifted(sugg) or key in _full_fits:
            return False
        _full_fits[key] = _FullFit(sugg, on_done)
    return True


def take_full_fit(project: Project) -> bool:
    """Put a finished fit from scratch (:func:`refit_if_drifted`) in place of the incremental model, silently, and
    save it (it replaces the incremental state in the cache). False when there is none, it failed, or the units or
    codebook changed meanwhile (then it is dropped: the next drift starts another)."""
    from qualcode.nlp import cache

    key = str(project.path)
    with _lock, _no_collection():
        job = _full_fits.get(key)
        if job is None or not job.done.is_set():
            return False
        del _full_fits[key]
        sugg, fresh = _cache.get(key), job.model
        if job.failed or sugg is None or not fresh.prepared or fresh.state_keys()[0] != sugg.state_keys()[0]:
            return False
        # Codings made meanwhile: the learners are refitted on them (the corpus part is what took the time).
        fresh.take_inputs(*sugg.inputs())
        fresh.prepare()
        _cache[key] = fresh
        given = _corpus_given.get(key)
        if given is not None:
            _corpus_given[key] = (weakref.ref(fresh), given[1])
        cache.save(project.path, fresh, units=_stamp(key))
        _saved[key] = fresh.state_keys()
    return True


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
    project: Project, *, transcript: str | None = None, limit: int | None = 20, quick: bool = False
) -> list[dict[str, Any]]:
    """Uncoded informant units, most informative first, each with the reason it is there. ``quick`` (the workbench):
    ordered by the model as the last codings updated it in place, not after the refit they started is finished (a
    few seconds at the size of a large evaluation, during which the queue and the keys typed after w waited)."""
    sugg = get_suggester(project, quick=quick)
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
