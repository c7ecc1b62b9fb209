"""The suggestion model: a codebook prior that learns from the team's coding.

How a unit is scored against a code (on L2-normalised TF-IDF word + character n-gram vectors, and on
dense word vectors in step 4):

1. **Codebook prior (zero-shot).** Cosine to the code's whole profile (name, definition, questions,
   keywords, examples, include), plus the mean of the three closest *pieces* of that profile (each
   example, question, include item or definition sentence on its own: short units resemble one
   example far more than the whole profile), plus a bonus for the code's keywords found in the unit
   (weighed by how specific they are: see :mod:`qualcode.nlp.keywords`), minus the closeness to the
   code's ``exclude`` items. Long passages are also scored sentence by sentence and the best sentence
   counts, so one relevant sentence in a long answer is not drowned out. When the interviewer's question
   before a unit is known (:meth:`Suggester.set_corpus`), the question is scored the same way; its
   preference among the codes joins the blend (step 5) with weight ``QUESTION_BLEND``.
2. **Self-training on the corpus.** Units the prior assigns to a code with a clear margin (and the
   units the team coded, weighted more) form a centroid per code; closeness to it is added to the
   prior. This needs no labels and adapts the codebook's wording to the transcripts' wording.
3. **Learning from coding.** Two learners on the team's codings and decisions: Rocchio centroids
   (coded units + the codebook text, minus rejected units) and a multi-label kernel ridge classifier
   trained on coded units with the codebook pieces as extra positives (on up to ``RIDGE_ROWS`` coded
   units, a class-balanced sample beyond that: its cost grows with the square of its rows; the centroids,
   the word vectors and label spreading use every coded unit). Rejected suggestions are negative examples.
   A code's positives weigh ``(median n / n) ** 0.5`` (``CLASS_BALANCE``), so a frequent code that
   co-occurs with everything does not take the first place from the rarer code a unit also carries.
4. **Word vectors.** Each unit is also a dense vector: the weighted mean of static word-piece vectors
   distilled from a sentence encoder (:mod:`qualcode.nlp.vectors`; a 3.7 MB table shipped with qualcode,
   no model runs), so "nurses were lovely" and "staff were kind" are close although they share no word.
   A ridge classifier on these vectors learns from the codebook pieces from the start (zero-shot) and
   from the coded units as they come.
5. **Blend.** Per unit the prior and the learned scores are min-max scaled and averaged, the learned
   part weighted ``3n/(n+5)`` for a code with ``n`` coded units, so with few examples the codebook
   prior dominates and learning cannot swamp it. The word-vector scores join with weight 0.5 until
   ``MIN_CALIBRATION`` units are coded; then the weight (0 to 2) that ranks the coded units' own codes
   best, leave-one-out, is used: related words help plain-language answers more than transcripts full
   of a programme's own terms.
6. **Label spreading (transductive).** The units being coded form a graph (each joined to its 10
   most similar units, word TF-IDF cosine; consecutive units of one answer are linked too). The blend, as a
   distribution over codes, seeds every
   unit; coded units are seeded with their codes instead; scores then spread along the graph
   (:mod:`qualcode.nlp.transduce`). The ranking score is the mean of the blend and the spread scores
   (both in [0, 1]). Units outside the corpus take one spreading step from their nearest corpus units.
7. **Calibration.** With at least ``MIN_CALIBRATION`` coded units, a logistic (Platt) mapping fitted
   on leave-one-out ranking scores of the coded units (their own codes held out of the spreading
   too) turns the ranking score into the probability that the team would apply the code; before
   that, a fixed mapping is used: score x (1 - exp(-evidence / 0.3)), where evidence is the absolute
   similarity to the code's codebook text or Rocchio centroid.

Nothing here grows with the square of the units: features stay sparse, the per-unit arrays are float32
and ``units x codes``, the unit graph keeps ``NEIGHBOURS`` links per unit, and the learners' training
rows are those of the coded units (the kernel ridge's at most ``RIDGE_ROWS``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.model import Code, Codebook
from qualcode.nlp.features import Featurizer
from qualcode.nlp.keywords import (
    KeywordMatcher,
    english_rank,
    english_word,
    full_weight,
    keyword_counts,
    keyword_weights,
)
from qualcode.nlp.text import STOPWORDS, TextPipeline, get_pipeline
from qualcode.nlp.transduce import (
    ALPHA,
    extend_links,
    knn_links,
    neighbour_rows,
    normalise_links,
    normalised,
    softmax_rows,
    spread,
    spread_change,
)
from qualcode.nlp.vectors import TextVectors, piece_vectors

if TYPE_CHECKING:
    import numpy as np

_F32 = "float32"

# --- method constants (documented in the module docstring) --------------------------------------
PIECE_TOP = 3  # closest codebook pieces averaged per code
KEYWORD_WEIGHT = 0.15  # bonus of one matched phrase; single words weigh less (see keywords.keyword_weights)
EXCLUDE_WEIGHT = 0.6  # how strongly closeness to an exclude item lowers a score
SELF_TRAIN_WEIGHT = 0.6
SELF_TRAIN_FRACTION = 0.2  # share of a code's prior-assigned units (best margins) used as its centroid
SELF_TRAIN_MIN_EVIDENCE = 0.1  # prior score a unit needs before it can be pseudo-labelled
SEED_WEIGHT = 3.0  # a coded unit counts this much more than a self-trained one in the centroid
LEARN_HALF = 5.0  # n at which learned and prior weigh 1.5 : 1
LEARN_MAX = 3.0
RIDGE_LAMBDA = 0.3
RIDGE_ROWS = 2_000  # coded units the kernel ridge trains on at most (its matrix is rows x rows)
PIECE_WEIGHT = 0.5  # codebook pieces as training rows weigh half a coded unit
MIN_CALIBRATION = 10
CALIBRATION_UNITS = 200
# The score is P(the team applies the code) = sigmoid(a * best + b * (rank - best) + c * evidence + e * log(1 + words)
# + f), with ``best`` the unit's best ranking score, ``rank - best`` how far below it this code is, ``evidence`` the
# absolute similarity of the unit's best code, ``words`` the unit's length (see _calibrate). Before any coding the
# coefficients are these: a logistic fit of the codebook-only engine's first three suggestions on two hand-coded sets,
# NHS patient feedback (5,613 answers of 7 words) and the bundled evaluation interviews read as units (657 coded
# sentences) and as whole answers (205 coded turns of 90 words), each of the three weighing the same. Codings then
# move them (see _fit_calibration).
CALIBRATION_PRIOR = (8.2, 4.4, 1.42, 0.28, -8.5)
CALIBRATION_PRIOR_WEIGHT = 20.0  # how firmly the coefficients stay near those (a penalty on their squared distance)
CALIBRATION_TOP = 3  # the codes of a unit the calibration is fitted on: those a coder is shown
SENTENCE_MIN_CHARS = 160  # passages longer than this are also scored sentence by sentence
PRIOR_SPREAD_FLOOR = 0.2
QUESTION_WEIGHT = 0.5  # weight of the question's prior when choosing an answer's self-training code
QUESTION_BLEND = 0.5  # weight of the question in the blend (prior and learned scores weigh 1)
BATCH = 1024
EXPLAIN_BATCH = 256  # units explained together (their similarities to every coded unit are held at once)
CLASS_BALANCE = 0.5  # positives of a code weigh (median n / n) ** this in the learners' targets
VECTOR_WEIGHT = 0.5  # weight of the word-vector learner in the blend before enough units are coded
VECTOR_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)  # then chosen among these by leave-one-out ranking
VECTOR_LAMBDA = 1.0  # ridge penalty of the word-vector learner
LOWERED = 0.9  # a codability factor below this is said in the explanation
CODABLE_LAMBDA = 1.0  # ridge penalty of the codability model (units worth coding vs units passed over)
CODABLE_REFERENCE = 0.25  # quantile of the coded units' P(codable) below which a unit's scores are lowered
VECTOR_SPREAD_FLOOR = 0.3  # word-vector scores closer together than this are mostly noise (small talk)
MAX_GRAPH_UNITS = 2_000_000  # a guard only: the graph takes memory linear in the units
QUICK_MAX = 64  # codings changed at once that a quick update takes; more, and the learners are refitted
RESEED_HOPS = 2  # after a quick update, units this many links from a changed one are seeded again ...
RESEED_MAX = 2_000  # ... up to about this many
SNIPPET = 90  # characters of a quoted unit or codebook text in an explanation
MIN_EXPLAINED = 0.05  # a similarity below this is not worth naming
NEAREST_CODED = 32  # the coded units most similar to a unit, among which its codes' closest examples are looked for


@dataclass(slots=True, init=False)
class Example:
    """A unit the team has coded: the codes applied, and the suggested codes they rejected.

    ``coders`` names, per code, who applied it (shown in explanations); ``ref`` is how users know the unit
    (``KII-03:12``; the id when empty).
    """

    id: str
    text: str
    codes: set[str]
    rejected: set[str]
    coders: dict[str, str] = field(compare=False)
    ref: str = field(compare=False)

    def __init__(self, id: str, text: str, codes: set[str] | None = None, rejected: set[str] | None = None,
                 coders: dict[str, str] | None = None, ref: str = "") -> None:
        # Written out: a large project builds tens of thousands of these per fit, and the generated __init__ with
        # default factories took twice as long.
        self.id = id
        self.text = text
        self.codes = set() if codes is None else codes
        self.rejected = set() if rejected is None else rejected
        self.coders = {} if coders is None else coders
        self.ref = ref


@dataclass
class Suggestion:
    """One code proposed for one unit, with its calibrated score and why."""

    code: str
    criterion: str
    score: float
    why: str
    evidence: dict[str, Any]
    model_version: str

    def to_dict(self, *, evidence: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "criterion": self.criterion,
            "score": round(self.score, 4),
            "why": self.why,
        }
        if evidence:
            d["evidence"] = self.evidence
            d["model_version"] = self.model_version
        return d


@dataclass
class _Rows:
    """What the model knows of a batch of units: feature rows and the products the blend is made of.

    ``X``: TF-IDF rows; ``zs``: codebook prior; ``xp``: cosine to each code's profile (``X @ P.T``); ``xb``: product
    with each code's self-training base; ``q``: the interviewer's question prior (None without questions); ``V``:
    word vectors (None without them); ``rows``: corpus rows (-1 outside the corpus)."""

    X: Any
    zs: Any
    xp: Any
    xb: Any
    q: Any
    V: Any
    rows: Any
    wl: Any  # log(1 + words): passages are scored on one scale, but long ones are easier to place

    def take(self, idx: Any) -> _Rows:
        return _Rows(self.X[idx], self.zs[idx], self.xp[idx], self.xb[idx], None if self.q is None else self.q[idx],
                     None if self.V is None else self.V[idx], self.rows[idx], self.wl[idx])


def codebook_fingerprint(codebook: Codebook) -> str:
    """A hash of everything in the codebook that can change suggestions."""
    blob = json.dumps(codebook.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _split_definition(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;:!?])\s+|\s+-\s+|\n+", text)
    return [p.strip() for p in parts if len(p.strip()) > 3]


class Suggester:
    """Keeps the fitted vectoriser and learners; cheap to call again and again.

    Typical use::

        s = Suggester(codebook)
        s.set_corpus(texts_of_all_units)      # fits the vocabulary (no labels needed)
        s.update(examples)                    # the team's codings; fast, call after each coding
        s.suggest([(unit_id, text), ...], top=3)
    """

    def __init__(
        self,
        codebook: Codebook,
        *,
        codebook_hash: str | None = None,
        pipeline: TextPipeline | None = None,
    ) -> None:
        self.pipeline = pipeline or get_pipeline()
        self.codebook = codebook
        self.codebook_hash = codebook_hash or codebook_fingerprint(codebook)
        self._corpus: list[str] = []
        self._questions: list[str] = []
        self._turns: list[str | None] = []
        self._examples: list[Example] = []
        self._passed: list[str] = []
        self._codable: tuple[Any, Any, float, float, float] | None = None
        self._data_hash = "0" * 8
        self.featurizer: Featurizer | None = None
        self._prepared = False
        self._calib: tuple[float, ...] = CALIBRATION_PRIOR
        self._calib_fitted = False
        self._ridge: tuple[Any, Any] | None = None
        self._corpus_digest = hashlib.sha256().hexdigest()
        self._data_digest = self._corpus_digest
        self._C: _Rows | None = None  # the corpus units' rows
        self._L: _Rows | None = None  # the coded units' rows
        self._G: Any = None
        self._Wc: Any = None
        self._base: Any = None
        self._Fn: Any = None
        self._rank_c: Any = None
        self._ev_c: Any = None
        self._Y0: Any = None
        self._tv: TextVectors | None = None
        self._Vq: Any = None
        self._vec: tuple[Any, Any, Any] | None = None
        self._vw = VECTOR_WEIGHT
        self._ridge_sel: Any = None
        self._ridge_fit: tuple[Any, Any, Any, Any] | None = None
        self._spos: Any = None
        self._rsum: Any = None
        self._WLr: Any = None  # the coded units' word rows (for explanations; built when first needed)
        self._F_raw: Any = None
        self._dual: Any = None  # the kernel ridge's rows: coded unit indices, or -1 - k for codebook row k
        # What a quick update left to do: "" nothing; "refit" the spreading, calibration and codability (the learners
        # moved); "spread" the spreading only (new units, the learners current: see extend_state).
        self._stale = ""
        self._should_stop: Callable[[], bool] | None = None
        self._Pd: Any = None  # the profiles as a dense matrix (codes x features), for the centroids' norms
        self.restored_learned = False
        self._candidates_for: tuple[tuple[str, str], list[Code]] | None = None
        self._st_norm: Any = None  # norms of the self-training centroids (see _set_centroids)
        self._roc_norm: Any = None  # ... and of the Rocchio centroids
        self._links: Any = None  # the unit graph before normalisation (what an incremental update extends)
        self._chain_w = 0.0  # the weight of a link between consecutive units of one answer
        # Units in the last fit from scratch, and units added or removed since by incremental updates.
        self._fit_full_n = 0
        self._fit_changed = 0
        self._unit_keys: tuple[str, Any] | None = None

    # ------------------------------------------------------------------ state changes
    def set_codebook(self, codebook: Codebook, codebook_hash: str | None = None) -> bool:
        """Switch to a changed codebook; returns True when it differed (the model is rebuilt)."""
        new_hash = codebook_hash or codebook_fingerprint(codebook)
        if new_hash == self.codebook_hash:
            return False
        self.codebook = codebook
        self.codebook_hash = new_hash
        self._prepared = False
        return True

    def set_corpus(
        self,
        texts: Iterable[str],
        questions: Iterable[str | None] | None = None,
        turns: Iterable[Any] | None = None,
    ) -> None:
        """The units that will be coded. Their words set the vocabulary and IDF (no labels used).

        ``questions`` (optional, one per text) is what the interviewer asked before each unit: an informant
        answers the question put to them, so the question's closeness to each code is added to the codebook
        prior of its answer (see ``QUESTION_WEIGHT``). ``turns`` (optional, one key or None per text, texts in
        reading order) says which units are consecutive parts of one answer: they are linked in the unit graph.
        """
        texts = list(texts)
        qs = [q or "" for q in questions] if questions is not None else [""] * len(texts)
        ts = [None if t is None else str(t) for t in turns] if turns is not None else [None] * len(texts)
        if len(qs) != len(texts) or len(ts) != len(texts):
            raise ValueError("one question and one turn (or None) per text")
        keep = [i for i, t in enumerate(texts) if t and t.strip()]
        texts = [texts[i] for i in keep]
        qs = [qs[i] for i in keep]
        ts = [ts[i] for i in keep]
        if texts != self._corpus or qs != self._questions or ts != self._turns:
            self._corpus = texts
            self._questions = qs
            self._turns = ts
            self._prepared = False
            # One string, one hash update: per-unit updates cost seconds at 100,000 units.
            blob = "\x1e".join(f"{t}\x1f{q}\x1f{g}" for t, q, g in zip(texts, qs, ts, strict=True))
            self._corpus_digest = hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()

    def update(self, examples: Sequence[Example], *, quick: bool = False, digest: str | None = None) -> None:
        """Retrain on the team's coded units (every call replaces the previous training data).

        An example with neither codes nor rejected codes is a unit the team read and left uncoded (small talk,
        context): it teaches the model what is not worth coding (see :meth:`_fit_codable`).

        Only the learners are refitted (the vocabulary, the units' rows, the codebook prior and the unit graph are
        kept), so this takes seconds even with tens of thousands of coded units. With ``quick`` (what a coder
        waiting for the next unit's suggestions wants), a few changed codings update the learners in place (the
        sums behind the centroids, the kernel ridge one row at a time, the word-vector ridge) and the spread
        scores near the changed units; the rest of a refit (spreading over every unit, calibration, codability)
        waits for :meth:`refresh`. :attr:`stale` says whether that is still to do.

        ``digest``: a hash of what ``examples`` were made from, when the caller has one (a project hashes the rows it
        read); it must change whenever the examples do. Without it the examples themselves are hashed.
        """
        self._examples = [e for e in examples if (e.codes or e.rejected) and e.text and e.text.strip()]
        passed = sorted((e for e in examples if not (e.codes or e.rejected) and e.text and e.text.strip()),
                        key=lambda e: e.id)
        self._passed = [e.text for e in passed]
        self._data_digest = digest if digest is not None else self._digest(self._examples, passed)
        new_hash = self._data_digest[:8] if self._examples else "0" * 8
        if new_hash == self._data_hash and self._prepared:
            return
        self._data_hash = new_hash
        if self._prepared and [c.id for c in self._candidates()] != self._code_ids:
            self._prepared = False  # a parent code came into use, or went out of use: the candidates changed
        if self._prepared:
            if quick:
                with one_blas_thread():
                    if self._quick_update():
                        return
            self._learn()

    def inputs(self) -> tuple[Any, ...]:
        """What this suggester was given (units, questions, turns, training examples and their digest), for another
        suggester to be fitted on the same (:meth:`take_inputs`)."""
        passed = [Example(f"{i:09d}", t) for i, t in enumerate(self._passed)]  # in the order they were given
        return list(self._corpus), list(self._questions), list(self._turns), [*self._examples, *passed], \
            self._data_digest

    def take_inputs(self, corpus: list[str], questions: list[str], turns: list[str | None],
                    examples: Sequence[Example], digest: str) -> None:
        """Be given what :meth:`inputs` returned."""
        self.set_corpus(corpus, questions, turns)
        self.update(examples, digest=digest)

    @staticmethod
    def _digest(coded: list[Example], passed: list[Example]) -> str:
        """A hash of the training data: every coded unit (by id), its text, codes and rejected codes, and every unit
        passed over (one string, one hash: per-unit hashing cost a fresh process a third of a second at 76,000)."""
        blob = "\x1e".join([*(f"{e.id}\x1f{e.text}\x1f{sorted(e.codes)}\x1f{sorted(e.rejected)}"
                              for e in sorted(coded, key=lambda e: e.id)),
                            *(f"passed\x1f{e.id}\x1f{e.text}" for e in passed)])
        return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def stale(self) -> bool:
        """True after a quick :meth:`update` until :meth:`refresh`: spreading, calibration and codability are those
        of an earlier fit (the learners and the spread scores near changed units are current)."""
        return bool(self._stale)

    def refresh(self, should_stop: Callable[[], bool] | None = None) -> bool:
        """Complete what quick updates left out, so the model is what a fresh fit on the same data gives.

        ``should_stop`` is asked between the steps (each under a second or two on 100,000 units); when it answers
        True the refit is abandoned, the model stays as it was, and False is returned.
        """
        if not self._stale or not self._prepared:
            return True
        fresh = copy.copy(self)  # fitted apart: an abandoned refit leaves nothing half-changed
        fresh._should_stop = should_stop
        try:
            if self._stale == "spread":
                with one_blas_thread():
                    fresh._transduce()
                fresh._stale = ""
            else:
                fresh._learn()
        except _Stopped:
            return False
        fresh._should_stop = None
        self.__dict__.update(fresh.__dict__)
        return True

    def _checkpoint(self) -> None:
        if self._should_stop is not None and self._should_stop():
            raise _Stopped

    @property
    def model_version(self) -> str:
        """e.g. ``zs-1a2b3c4d+k120-9f8e7d6c``: codebook hash and training data (count and hash); ``…+u286-3e4f5a``
        when the units were brought up to date incrementally since the last fit from scratch (286 added or removed;
        then a hash of the units), whose scores differ slightly from a fresh fit's."""
        n = len(self._examples)
        updated = f"+u{self._fit_changed}-{self._corpus_digest[:6]}" if self._fit_changed else ""
        return f"zs-{self.codebook_hash[:8]}+k{n}-{self._data_hash}{updated}"

    @property
    def n_examples(self) -> int:
        return len(self._examples)

    @property
    def calibrated(self) -> bool:
        """True once enough units are coded for scores to be fitted to the team's decisions (before, they follow the
        default mapping, ``CALIBRATION_PRIOR``)."""
        self._ensure()
        return self._calib_fitted

    @property
    def code_ids(self) -> list[str]:
        """The codes that can be suggested (columns of :meth:`score`): leaves, plus codes the team used."""
        self._ensure()
        return list(self._code_ids)

    @property
    def coded_counts(self) -> list[int]:
        """How many coded units each code in :attr:`code_ids` has been learned from."""
        self._ensure()
        return [int(v) for v in self._n]

    # ------------------------------------------------------------------ preparation
    def _prepare(self) -> None:
        """(Re)build the codebook side and the vectoriser, then the learners."""
        import numpy as np

        codes = self._candidates()
        pieces: list[str] = []
        owner: list[int] = []
        excl: list[str] = []
        excl_owner: list[int] = []
        profiles: list[str] = []
        for j, c in enumerate(codes):
            own = [c.name, *_split_definition(c.definition), *c.questions, *c.keywords, *c.examples, *c.include]
            own = [p for p in dict.fromkeys(p.strip() for p in own) if p]
            pieces += own
            owner += [j] * len(own)
            for e in c.exclude:
                if e.strip():
                    excl.append(e.strip())
                    excl_owner.append(j)
            profiles.append(c.text_profile() or c.name)
        # Built code by code, so the pieces are grouped by code (what the per-code reductions rely on).
        self._set_codes(codes, pieces, owner, excl_owner)
        # The vocabulary and IDF come from the units being coded and the codebook only (coded units are
        # among those units), so the fitted vectoriser does not change when the team codes.
        corpus = self._corpus or [e.text for e in self._examples]
        fit_texts = corpus + profiles + self._pieces + excl
        self.featurizer = Featurizer(self.pipeline)
        fz = self.featurizer
        rows = fz.fit_transform(fit_texts)
        # Slices of the fitted matrix, in the order of fit_texts.
        a = len(corpus)
        self._P = rows[a : a + len(profiles)]
        a += len(profiles)
        self._Q = rows[a : a + len(self._pieces)]
        a += len(self._pieces)
        self._E = rows[a:] if excl else None
        self._profile_terms = [set(fz.word_terms(p)) for p in profiles]
        Xc = rows[: len(corpus)] if corpus else None
        del rows
        pv = piece_vectors()
        self._tv = None
        self._Vq = V_all = None
        if pv is not None:
            self._tv, V_all = TextVectors.fit_transform(pv, fit_texts)
            a = len(corpus) + len(profiles)
            self._Vq = V_all[a : a + len(self._pieces)]
        self._C = None
        self._base = None
        if corpus:
            assert Xc is not None
            hits = self._kw_all.match_many(corpus)
            self._weigh_keywords(hits, len(corpus))
            zs, xp = self._zero_shot(Xc, corpus, hits)
            zq = self._question_prior(self._questions) if self._corpus and any(self._questions) else None
            V = V_all[: len(corpus)] if V_all is not None else None
            self._base = self._self_train_base(Xc, zs, zq)
            xb = _dense_product(Xc, self._base.T)
            self._C = _Rows(Xc, zs, xp, xb, zq, V, np.arange(len(corpus)), _word_lengths(corpus))
        # The unit graph for label spreading depends on the units only, so it is built here, once.
        self._G = self._links = None
        self._chain_w = 0.0
        self._Wc = self._word_block(Xc) if Xc is not None and 2 < len(corpus) <= MAX_GRAPH_UNITS else None
        if self._Wc is not None:
            self._links, self._chain_w = knn_links(self._Wc, chains=self._chains())
            self._G = normalise_links(self._links)
        self._fit_full_n, self._fit_changed = len(corpus), 0
        self._adopt_corpus(corpus)
        self._learn()

    def _chains(self) -> list[str | None] | None:
        return self._turns if self._corpus and any(self._turns) else None

    def _set_codes(self, codes: list[Code], pieces: list[str], owner: Any, excl_owner: Any) -> None:
        """The candidate codes and their codebook pieces (grouped by code), with what depends on them only."""
        import numpy as np

        self.codes: list[Code] = codes
        self._Pd = None
        self._code_ids = [c.id for c in codes]
        self._col = {cid: j for j, cid in enumerate(self._code_ids)}
        self._pieces = list(pieces)
        self._owner = np.asarray(owner, dtype=np.int64)
        self._excl_owner = np.asarray(excl_owner, dtype=np.int64)
        known = english_word()
        self._matchers = [KeywordMatcher(c.keywords, known) for c in codes]
        self._index_keywords(known)
        # Single-word keywords count through their weighed bonus, not as codebook pieces as well: as a piece, a
        # generic word ("time") would make every unit containing it resemble the code.
        single = [{m.keywords[i].strip() for i in range(len(m.keywords)) if m.n_words(i) < 2} for m in self._matchers]
        self._prior_piece = np.asarray([p not in single[j] for p, j in zip(self._pieces, owner, strict=True)],
                                       dtype=bool)
        self._piece_kind = [_piece_kind(codes[j], p) for p, j in zip(self._pieces, owner, strict=True)]
        # Pieces are grouped by code so per-code reductions work on column slices.
        bounds = np.searchsorted(self._owner, np.arange(len(codes) + 1))
        self._piece_bounds = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))

    def _rows(self, texts: Sequence[str]) -> Any:
        """The corpus row of each text (-1 for a text outside the corpus)."""
        import numpy as np

        return np.asarray([self._row_of.get(t, -1) for t in texts], dtype=np.int64)

    def _adopt_corpus(self, corpus: list[str]) -> None:
        """The units being coded are featurised once; scoring them again reuses these rows."""
        self._row_of = {t: i for i, t in reversed(list(enumerate(corpus)))}
        self._prepared = True

    def _word_block(self, X: Any) -> Any:
        """The word TF-IDF rows inside joined feature rows (the first block), L2-normalised again: the same
        rows as the featurizer's word block alone, without tokenising the texts a second time."""
        from qualcode.nlp.tfidf import l2_rows

        if X is None or self.featurizer is None:
            return None
        return l2_rows(X[:, : self.featurizer.n_word_features].tocsr())

    def _index_keywords(self, known: Callable[[str], bool] | None) -> None:
        """One matcher over every code's keywords, and which codes each keyword belongs to."""
        import numpy as np

        self._kw_all = KeywordMatcher([k for m in self._matchers for k in m.keywords], known)
        kw_index = {k: i for i, k in enumerate(self._kw_all.keywords)}
        owners: list[list[int]] = [[] for _ in self._kw_all.keywords]
        for j, m in enumerate(self._matchers):
            for k in m.keywords:
                owners[kw_index[k]].append(j)
        self._kw_codes = [np.asarray(o, dtype=np.int64) for o in owners]
        self._kw_full = np.asarray([full_weight(self._kw_all, self._kw_codes, i) for i in range(len(owners))],
                                   dtype=np.float32)
        self._kw_w = self._kw_full.copy()  # until weighed on the corpus (_weigh_keywords)

    def _weigh_keywords(self, hits: list[list[int]], n_units: int) -> None:
        """Keyword weights from how often each keyword is found in the corpus (``hits``: per unit)."""
        import numpy as np

        df = np.zeros(len(self._kw_all.keywords), dtype=np.int64)
        for h in hits:
            df[h] += 1
        self._kw_w = np.asarray(keyword_weights(self._kw_all, self._kw_codes, df.tolist(), n_units, english_rank()),
                                dtype=np.float32)

    def _candidates(self) -> list[Code]:
        # Leaves are what coders apply; a parent becomes a candidate once the team has used it.
        key = (self.codebook_hash, self._data_digest)
        if self._candidates_for is None or self._candidates_for[0] != key:
            parents = {c.id for c in self.codebook.walk() if c.children}
            used = {c for e in self._examples for c in e.codes & parents} if parents else set()
            self._candidates_for = (key, [c for c in self.codebook.walk() if not c.children or c.id in used])
        return self._candidates_for[1]

    def _ensure(self) -> None:
        if not self._prepared:
            with one_blas_thread():
                self._prepare()

    @property
    def prepared(self) -> bool:
        """True once the model is fitted for the current codebook, units and codings."""
        return self._prepared

    def prepare(self) -> None:
        """Fit now (otherwise the first call that needs the model does it)."""
        self._ensure()

    # ------------------------------------------------------------------ saving and restoring
    def state_keys(self) -> tuple[str, str]:
        """Keys of the two parts of the fitted state, for an on-disk cache.

        The first identifies the corpus part (vectoriser, unit rows, codebook prior, unit graph): it
        depends on the codebook, the units being coded, the candidate codes and the text pipeline. The
        second adds the training data (every coded unit, its codes and rejected codes): the learners.
        """
        h = hashlib.sha256()
        for part in (self.pipeline.name, self.codebook_hash, self._corpus_digest,
                     ",".join(c.id for c in self._candidates())):
            h.update(part.encode("utf-8") + b"\x1f")
        if not self._corpus:  # the coded units are then the corpus
            h.update(self._data_digest.encode())
        corpus_key = h.hexdigest()
        return corpus_key, self.learned_key(corpus_key)

    def learned_key(self, corpus_key: str) -> str:
        """The key of the learned part fitted on the current training data over the corpus part ``corpus_key``."""
        return hashlib.sha256(f"{corpus_key}\x1f{self._data_digest}".encode()).hexdigest()

    def family_key(self) -> str:
        """What a saved state must share with this suggester to be brought up to date incrementally
        (:meth:`extend_state`): the text pipeline, the codebook and the candidate codes; the units may differ."""
        h = hashlib.sha256()
        for part in (self.pipeline.name, self.codebook_hash, ",".join(c.id for c in self._candidates())):
            h.update(part.encode("utf-8") + b"\x1f")
        return h.hexdigest()

    @property
    def drift(self) -> float:
        """Units added or removed by incremental updates since the last fit from scratch, as a share of the units of
        that fit (0 after a fit from scratch): the vocabulary, IDF, keyword weights and the self-training centroids
        are still that fit's."""
        return self._fit_changed / max(1, self._fit_full_n)

    def unit_keys(self) -> Any:
        """One 64-bit hash per corpus unit of its text, question and turn: how a later set of units is matched
        with this one (:meth:`extend_state`)."""
        import numpy as np

        if self._unit_keys is None or self._unit_keys[0] != self._corpus_digest:
            blake2b = hashlib.blake2b
            digests = b"".join([blake2b(f"{t}\x1f{q}\x1f{g}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
                                for t, q, g in zip(self._corpus, self._questions, self._turns, strict=True)])
            keys = np.frombuffer(digests, dtype="<u8").astype(np.uint64)  # each digest read as a little-endian number
            self._unit_keys = (self._corpus_digest, keys)
        return self._unit_keys[1]

    def export_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The fitted state as (corpus part, learned part): NumPy arrays, SciPy sparse matrices and
        JSON-able values, so it can be saved without pickling. See :meth:`restore_state`."""
        import numpy as np

        self._ensure()
        assert self.featurizer is not None
        fz = self.featurizer.state()
        c = self._C
        corpus: dict[str, Any] = {
            "code_ids": list(self._code_ids),
            "pieces": list(self._pieces),
            "keyword_weights": self._kw_w,
            "profile_terms": [sorted(t) for t in self._profile_terms],
            "owner": self._owner,
            "excl_owner": self._excl_owner,
            "P": self._P,
            "Q": self._Q,
            "E": self._E,
            "Xc": None if c is None else c.X,
            "zs_corpus": None if c is None else c.zs,
            "xp_corpus": None if c is None else c.xp,
            "xb_corpus": None if c is None else c.xb,
            "zq_corpus": None if c is None else c.q,
            "base": self._base,
            "G": self._G,
            "word_terms": fz["word_terms"],
            "word_idf": fz["word_idf"],
            "word_docs": fz["word_docs"],
            "char_terms": fz["char_terms"],
            "char_idf": fz["char_idf"],
            "n_corpus": len(self._corpus),
            "Vc": None if c is None else c.V,
            "Vq": self._Vq,
            "vector_weights": None if self._tv is None else self._tv.weights,
            "links": self._links,
            "chain_weight": float(self._chain_w),
            "unit_keys": self.unit_keys() if self._corpus else None,
            "fit_full_n": int(self._fit_full_n),
            "fit_changed": int(self._fit_changed),
        }
        rows = self._L.rows if self._L is not None else np.zeros(0, dtype=np.int64)
        outside = np.flatnonzero(rows < 0)
        L = self._L
        learned: dict[str, Any] = {
            "example_ids": [e.id for e in self._ex],
            "example_rows": rows,
            # Coded units outside the corpus (e.g. an interviewer's turn) have no row to look up.
            "XL_outside": L.X[outside] if L is not None and len(outside) else None,
            "zsL_outside": L.zs[outside] if L is not None and len(outside) else None,
            "ridge_sel": self._ridge_sel,
            "dual_A": None if self._ridge_fit is None else self._ridge_fit[2],
            "dual_mean": None if self._ridge_fit is None else self._ridge_fit[3],
            "ridge_W": None if self._ridge is None else self._ridge[0],
            # The factorised system, so that a coding after a restore adds a row to it instead of factorising again.
            "ridge_factor": None if self._ridge_fit is None or self._ridge_fit[1] is None else self._ridge_fit[1][0],
            "spos": self._spos,
            "rsum": self._rsum,
            "calib": list(self._calib),
            "calib_fitted": self._calib_fitted,
            "F_raw": self._F_raw,
            "Y0": self._Y0,
            "rank_c": self._rank_c,
            "ev_c": self._ev_c,
            "vector_weight": float(self._vw),
            "vec_W": None if self._vec is None else self._vec[0],
            "vec_mean": None if self._vec is None else self._vec[1],
            "vec_Minv": None if self._vec is None else self._vec[2],
            "st_norm": self._st_norm,
            "roc_norm": self._roc_norm,
            "codable_w": None if self._codable is None else self._codable[0],
            "codable_mu": None if self._codable is None else self._codable[1],
            "codable_abt": None if self._codable is None else list(self._codable[2:]),
        }
        return corpus, learned

    def restore_state(self, corpus: dict[str, Any], learned: dict[str, Any] | None = None) -> bool:
        """Take over a state saved by :meth:`export_state` for the same :meth:`state_keys`.

        Without the learned part (the codings changed since it was saved), the learners are refitted,
        which is fast. Returns False, changing nothing, when the state does not fit this suggester.
        """

        codes = self._candidates()
        corpus_texts = self._corpus or [e.text for e in self._examples]
        if corpus.get("code_ids") != [c.id for c in codes] or corpus.get("n_corpus") != len(self._corpus):
            return False
        got = self._check_state(corpus, codes, len(corpus_texts))
        if got is None:
            return False
        # Every check is done: from here on the state is taken over.
        with one_blas_thread():
            self._take_over(corpus, learned, codes, len(corpus_texts), *got)
        return True

    def _check_state(self, corpus: dict[str, Any], codes: list[Code], n: int) -> tuple[Any, ...] | None:
        """The corpus part's arrays when they fit ``codes`` and ``n`` units and this installation, else None."""
        C = len(codes)
        Xc, zs, xp, xb = corpus.get("Xc"), corpus.get("zs_corpus"), corpus.get("xp_corpus"), corpus.get("xb_corpus")
        if n and (Xc is None or zs is None or xp is None or xb is None or Xc.shape[0] != n
                  or zs.shape != (n, C) or xp.shape != (n, C) or xb.shape != (n, C)):
            return None
        zq = corpus.get("zq_corpus")
        if zq is not None and (zs is None or zq.shape != zs.shape):
            return None
        base = corpus.get("base")
        if n and (base is None or Xc is None or base.shape != (C, Xc.shape[1])):
            return None
        kw = corpus.get("keyword_weights")
        if kw is None or len(kw) != len({k.strip() for c in codes for k in c.keywords if k.strip()}):
            return None
        # Saved with or without word vectors, and this installation differs: never mix the two.
        pv, weights = piece_vectors(), corpus.get("vector_weights")
        Vc, Vq = corpus.get("Vc"), corpus.get("Vq")
        if pv is None:
            if weights is not None:
                return None
        elif weights is None or len(weights) != len(pv.vectors) or Vq is None or (n and (Vc is None or len(Vc) != n)):
            return None
        return Xc, zs, xp, xb, zq, base, pv, weights, Vc, Vq

    def _take_codebook_side(self, corpus: dict[str, Any], codes: list[Code], pv: Any, weights: Any, Vq: Any) -> None:
        """The vectoriser and everything of the codebook in a saved state."""
        import numpy as np

        self.featurizer = Featurizer.from_state(self.pipeline, corpus)
        self._set_codes(codes, corpus["pieces"], corpus["owner"], corpus["excl_owner"])
        self._kw_w = np.asarray(corpus["keyword_weights"], dtype=np.float32)
        self._P, self._Q, self._E = corpus["P"], corpus["Q"], corpus.get("E")
        self._profile_terms = [set(t) for t in corpus["profile_terms"]]
        self._tv = None if pv is None else TextVectors(pv, np.asarray(weights, dtype=np.float32))
        self._Vq = Vq

    def _take_over(self, corpus: dict[str, Any], learned: dict[str, Any] | None, codes: list[Code], n: int, Xc: Any,
                   zs: Any, xp: Any, xb: Any, zq: Any, base: Any, pv: Any, weights: Any, Vc: Any, Vq: Any) -> None:
        import numpy as np

        corpus_texts = self._corpus or [e.text for e in self._examples]
        self._take_codebook_side(corpus, codes, pv, weights, Vq)
        self._C = _Rows(Xc, zs, xp, xb, zq, Vc if self._tv is not None else None, np.arange(n),
                        _word_lengths(corpus_texts)) if n else None
        self._base = base if n else None
        self._G = corpus.get("G")
        self._links = corpus.get("links")
        self._chain_w = float(corpus.get("chain_weight") or 0.0)
        self._fit_full_n = int(corpus.get("fit_full_n", n))
        self._fit_changed = int(corpus.get("fit_changed", 0))
        self._Wc = self._word_block(Xc) if self._G is not None else None
        self._adopt_corpus(corpus_texts)
        self.restored_learned = learned is not None and self._restore_learned(learned)
        if not self.restored_learned:
            self._learn()

    def extend_state(self, corpus: dict[str, Any], learned: dict[str, Any] | None = None) -> bool:
        """Take over a state saved for an earlier set of units (same text pipeline, codebook and candidate codes:
        :meth:`family_key`), brought up to date with the current units instead of fitted from scratch.

        Units in both sets keep their rows; the rows of removed units go (from the unit graph, the spreading and the
        self-training centroids too); new units are transformed with the saved vocabulary and IDF (their words outside
        it counting in their rows' lengths), scored against the codebook and linked into the unit graph
        (:func:`extend_links`); the self-training centroids are formed again. The vocabulary, IDF and keyword weights
        stay those of the earlier fit (:attr:`drift` says how far the units have moved since it). ``learned``: the
        learned part saved over that state for the current training data, if there is one: the learners are then
        taken over (new units have no codings) and only the spreading over the changed graph is left to do: the
        model is :attr:`stale` until :meth:`refresh`, scoring meanwhile with the new units spread one step from
        their neighbours. Otherwise the learners are refitted at once.

        Returns False, changing nothing, when the state cannot be extended (saved without the units' keys or the
        graph's links, a different codebook or vocabulary, no questions then and questions now).
        """
        import numpy as np

        codes = self._candidates()
        n_old = corpus.get("n_corpus")
        old_keys, links = corpus.get("unit_keys"), corpus.get("links")
        if not self._corpus or corpus.get("code_ids") != [c.id for c in codes] or not isinstance(n_old, int) or (
                old_keys is None or len(old_keys) != n_old or links is None or links.shape != (n_old, n_old)):
            return False
        got = self._check_state(corpus, codes, n_old)
        if got is None:
            return False
        zq = got[4]
        if (zq is None) != (not any(self._questions)) or not 2 < len(self._corpus) <= MAX_GRAPH_UNITS:
            return False
        source = _match_keys(np.asarray(old_keys, dtype=np.uint64), self.unit_keys())
        with one_blas_thread():
            self._extend(corpus, learned, codes, source, n_old, *got)
        return True

    def _extend(self, corpus: dict[str, Any], learned: dict[str, Any] | None, codes: list[Code], source: Any,
                n_old: int, Xc: Any, zs: Any, xp: Any, xb: Any, zq: Any, base: Any, pv: Any, weights: Any, Vc: Any,
                Vq: Any) -> None:
        import numpy as np

        texts = self._corpus
        n = len(texts)
        kept = source >= 0
        added = np.flatnonzero(~kept)
        removed = n_old - int(kept.sum())
        self._take_codebook_side(corpus, codes, pv, weights, Vq)
        rows = _Rows(Xc, zs, xp, xb, zq, Vc if self._tv is not None else None, np.arange(n_old), np.zeros(n_old))
        if len(added):
            new_texts = [texts[i] for i in added.tolist()]
            assert self.featurizer is not None
            X = self.featurizer.transform(new_texts, new_units=True)
            zs_n, xp_n = self._zero_shot(X, new_texts)
            zq_n = None if zq is None else self._question_prior([self._questions[i] for i in added.tolist()])
            V = self._tv.transform(new_texts) if self._tv is not None else None
            fresh = _Rows(X, zs_n, xp_n, np.zeros_like(zs_n), zq_n, V, np.full(len(added), -1), np.zeros(len(added)))
            rows = _concat_rows(rows, fresh)
        # The saved rows then the new ones, put in the units' order (one copy of the large arrays; none when the new
        # units come last and none went).
        order = source.copy()
        order[added] = n_old + np.arange(len(added))
        if removed or not np.array_equal(order, np.arange(n)):
            rows = rows.take(order)
        rows.rows = np.arange(n)
        rows.wl = _word_lengths(texts)
        # The self-training centroids again (a fraction of a second at 70,000 units): none of a removed unit may stay
        # in them, and new units that the prior assigns clearly to a code join them as in a fit from scratch.
        base = self._self_train_base(rows.X, rows.zs, rows.q)
        rows.xb = _dense_product(rows.X, base.T)
        self._C, self._base = rows, base
        self._Wc = self._word_block(rows.X)
        self._chain_w = float(corpus.get("chain_weight") or 0.0)
        self._links = extend_links(corpus["links"], source, self._Wc, chains=self._chains(), chain_weight=self._chain_w)
        self._G = normalise_links(self._links)
        self._fit_full_n = int(corpus.get("fit_full_n", n_old))
        self._fit_changed = int(corpus.get("fit_changed", 0)) + len(added) + removed
        self._adopt_corpus(texts)
        moved = self._moved_learned(learned, source, n_old) if learned is not None else None
        self.restored_learned = moved is not None and self._restore_learned(moved)
        if not self.restored_learned:
            self._learn()
            return
        if removed:
            self._transduce()  # at once: no score spread from a removed unit may be served, even for a moment
        elif len(added):
            self._spread_new_rows(added)
            self._stale = "spread"

    def _moved_learned(self, learned: dict[str, Any], source: Any, n_old: int) -> dict[str, Any] | None:
        """A saved learned part with its corpus rows moved to the current units' (new units' rows zero), or None when
        a coded unit's row is gone."""
        import numpy as np

        at = np.full(n_old, -1, dtype=np.int64)
        kept = source >= 0
        at[source[kept]] = np.flatnonzero(kept)
        ex_rows = np.asarray(learned["example_rows"], dtype=np.int64)
        moved_rows = np.where(ex_rows >= 0, at[np.maximum(ex_rows, 0)], -1)
        if ((ex_rows >= 0) & (moved_rows < 0)).any():
            return None
        out = dict(learned, example_rows=moved_rows)
        n = len(source)
        for name in ("F_raw", "Y0", "rank_c", "ev_c"):
            v = learned.get(name)
            if v is None:
                continue
            if v.shape[0] != n_old:
                return None
            arr = np.zeros((n, v.shape[1]), dtype=np.float32)
            arr[kept] = v[source[kept]]
            out[name] = arr
        return out

    def _spread_new_rows(self, added: Any) -> None:
        """Seeds and spread scores of new units until the next spreading over the whole graph: one step from their
        neighbours (as for a unit outside the corpus)."""
        import numpy as np

        if self._G is None or self._C is None or self._F_raw is None or self._Y0 is None or not len(added):
            return
        blend, ev = self._blend(self._C.take(added))
        seed = softmax_rows(blend)
        self._Y0[added] = seed
        F = (1 - ALPHA) * seed + ALPHA * np.asarray(self._G[added] @ self._Fn, dtype=np.float32)
        self._F_raw[added] = F
        self._Fn[added] = normalised(F)  # the other rows' did not change
        if self._rank_c is not None and self._ev_c is not None:
            self._rank_c[added] = (blend + _minmax(self._Fn[added])) / 2
            self._ev_c[added] = ev

    def reset(self) -> None:
        """Forget the fitted state; the next call that needs the model fits it again."""
        self._prepared = False

    def _restore_learned(self, learned: dict[str, Any]) -> bool:
        import numpy as np
        from scipy.sparse import csr_matrix

        ex = self._training_examples()
        rows = np.asarray(learned["example_rows"], dtype=np.int64)
        if learned.get("example_ids") != [e.id for e in ex] or len(rows) != len(ex):
            return False
        if ex:
            inside = rows >= 0
            outside = np.flatnonzero(~inside)
            if inside.any() and self._C is None:
                return False
            xo, zo = learned.get("XL_outside"), learned.get("zsL_outside")
            if len(outside) and (xo is None or zo is None or xo.shape[0] != len(outside)):
                return False
            outside_rows = None if not len(outside) else (csr_matrix(xo), np.asarray(zo))
            spos, rsum = learned.get("spos"), learned.get("rsum")
            d = self._P.shape[1]
            if spos is None or spos.shape != (d, len(self.codes)) or (rsum is not None and rsum.shape != spos.shape):
                return False
            norms = (learned.get("st_norm"), learned.get("roc_norm"))
            self._set_training_rows(ex, self._training_rows(ex, rows, outside_rows), (spos, rsum), norms)
            if (self._rsum is None) != (not self._R.any()):
                return False
        else:
            self._set_training_rows(ex, None)
        sel, A, mean, W = (learned.get(k) for k in ("ridge_sel", "dual_A", "dual_mean", "ridge_W"))
        self._ridge_fit = None
        self._ridge = None
        if self._L is not None and self._Y.any():
            if sel is None or A is None or mean is None or W is None:
                return False
            sel = np.asarray(sel, dtype=np.int64)
            n_train = len(sel) + self._Q.shape[0] + len(self.codes)
            if A.shape != (n_train, len(self.codes)) or (len(sel) and sel.max() >= len(ex)) or W.shape != (
                    self._P.shape[1], len(self.codes)):
                return False
            self._ridge_sel = sel
            self._dual = np.r_[sel, -1 - np.arange(self._Q.shape[0] + len(self.codes))].astype(np.int64)
            Lf = learned.get("ridge_factor")
            factor = (Lf, True) if Lf is not None and Lf.shape == (n_train, n_train) else None
            self._ridge_fit = (None, factor, np.asarray(A, dtype=np.float32), np.asarray(mean, dtype=np.float32))
            self._ridge = (W, self._ridge_fit[3])
        vw, vm, vi = learned.get("vec_W"), learned.get("vec_mean"), learned.get("vec_Minv")
        if (vw is None) != (self._tv is None or self._Vq is None or not len(self._Vq)):
            return False
        self._vec = None if vw is None else (vw, vm, vi)
        self._vw = float(learned.get("vector_weight", VECTOR_WEIGHT))
        calib = learned.get("calib")
        if calib is None or len(calib) != len(CALIBRATION_PRIOR):
            return False
        self._calib = tuple(float(c) for c in calib)
        self._calib_fitted = bool(learned.get("calib_fitted", False))
        self._F_raw, self._Y0 = learned.get("F_raw"), learned.get("Y0")
        self._Fn = None if self._F_raw is None else normalised(self._F_raw)
        self._rank_c, self._ev_c = learned.get("rank_c"), learned.get("ev_c")
        cw, cmu, cabt = learned.get("codable_w"), learned.get("codable_mu"), learned.get("codable_abt")
        self._codable = None
        if cw is not None and cmu is not None and cabt is not None and len(cabt) == 3:
            a, b, typical = (float(x) for x in cabt)
            self._codable = (np.asarray(cw, dtype=np.float32), np.asarray(cmu, dtype=np.float32), a, b, typical)
        if self._G is not None and (self._Fn is None or self._rank_c is None or self._ev_c is None or self._Y0 is None):
            self._transduce()
        self._stale = ""
        return True

    # ------------------------------------------------------------------ scoring pieces
    def _batch(self, texts: Sequence[str]) -> _Rows:
        """The rows of ``texts``: looked up for corpus units, computed for the others (in the order of ``texts``)."""

        rows = self._rows(texts)
        known = rows >= 0
        if self._C is not None and known.all():
            return self._C.take(rows)
        new = [t for t, k in zip(texts, known.tolist(), strict=True) if not k]
        fresh = self._compute_rows(new)
        if self._C is None or not known.any():
            return fresh
        return _merge_rows(self._C.take(rows[known]), fresh, known)

    def _compute_rows(self, texts: list[str], given: tuple[Any, Any] | None = None) -> _Rows:
        """Rows of texts outside the corpus (a unit typed in, a new transcript, a coded interviewer turn); ``given``:
        their TF-IDF rows and codebook prior when already computed (a restored model saved them)."""
        import numpy as np

        if given is None:
            assert self.featurizer is not None
            X = self.featurizer.transform(texts)
            zs, xp = self._zero_shot(X, texts)
        else:
            X, zs = given
            xp = _dense_product(X, self._P.T)  # the profile cosines, as _zero_shot gives them
        C = len(self.codes)
        xb = _dense_product(X, self._base.T) if self._base is not None else np.zeros((len(texts), C), np.float32)
        q = None if self._C is None or self._C.q is None else np.zeros((len(texts), C), dtype=np.float32)
        V = self._tv.transform(texts) if self._tv is not None else None
        return _Rows(X, zs, xp, xb, q, V, np.full(len(texts), -1, dtype=np.int64), _word_lengths(texts))

    def _zero_shot(self, X: Any, texts: Sequence[str], hits: list[list[int]] | None = None) -> tuple[Any, Any]:
        """Codebook prior for each (unit, code), and the cosine to each code's profile; sentence-level best is mixed
        in for long units. Computed in batches, so the (units x pieces) products stay small. ``hits``: the keywords
        found in each text, when known already."""
        import numpy as np

        n, C = X.shape[0], len(self.codes)
        zs = np.zeros((n, C), dtype=np.float32)
        xp = np.zeros((n, C), dtype=np.float32)
        step = 4 * BATCH
        for a in range(0, n, step):
            zs[a : a + step], xp[a : a + step] = self._zero_shot_rows(
                X[a : a + step], texts[a : a + step], None if hits is None else hits[a : a + step])
        long_idx = [i for i, t in enumerate(texts) if len(t) >= SENTENCE_MIN_CHARS]
        if long_idx:
            sents: list[str] = []
            owner: list[int] = []
            for i, split in zip(long_idx, self.pipeline.sentences_many([texts[i] for i in long_idx]), strict=True):
                ss = [s for s in split if len(s) > 2]
                if len(ss) > 1:
                    sents += ss
                    owner += [i] * len(ss)
            if sents:
                assert self.featurizer is not None
                zsent, _ = self._zero_shot(self.featurizer.transform(sents), sents)
                own = np.asarray(owner)
                starts = np.r_[0, np.flatnonzero(np.diff(own)) + 1]
                best = np.maximum.reduceat(zsent, starts, axis=0)
                rows = own[starts]
                zs[rows] = 0.5 * zs[rows] + 0.5 * np.maximum(best, zs[rows])
        return zs, xp

    def _question_prior(self, questions: Sequence[str]) -> Any:
        """The codebook prior of the question put before each unit (a row of zeros where none was), less its lowest
        code's: only how much more a question points to one code than to the others carries information."""
        import numpy as np

        assert self.featurizer is not None
        zq = np.zeros((len(questions), len(self.codes)), dtype=np.float32)
        asked = sorted({q for q in questions if q.strip()})
        if asked:
            zq_asked, _ = self._zero_shot(self.featurizer.transform(asked), asked)
            zq_asked = zq_asked - zq_asked.min(axis=1, keepdims=True)
            at = {q: i for i, q in enumerate(asked)}
            rows_q = np.asarray([at.get(q, -1) for q in questions], dtype=np.int64)
            has_q = rows_q >= 0
            zq[has_q] = zq_asked[rows_q[has_q]]
        return zq

    def _zero_shot_rows(self, X: Any, texts: Sequence[str], hits: list[list[int]] | None = None) -> tuple[Any, Any]:
        import numpy as np

        n, C = X.shape[0], len(self.codes)
        sp = _dense_product(X, self._P.T)
        sq = _dense_product(X, self._Q.T)
        nn = np.zeros((n, C), dtype=np.float32)
        for j, (a, b) in enumerate(self._piece_bounds):
            part = sq[:, a:b][:, self._prior_piece[a:b]]
            m = part.shape[1]
            if m == 0:
                continue
            if m > PIECE_TOP:
                part = np.partition(part, m - PIECE_TOP, axis=1)[:, m - PIECE_TOP :]
            nn[:, j] = part.mean(axis=1)
        zs = sp + nn
        if self._E is not None:
            se = _dense_product(X, self._E.T)
            pen = np.zeros((n, C), dtype=np.float32)
            np.maximum.at(pen.T, self._excl_owner, se.T)
            zs -= EXCLUDE_WEIGHT * pen
        if self._kw_all.keywords:
            # One matcher over every code's keywords: each text is tokenised and each word resolved once. A common
            # word counts its discounted weight alone, its full weight when another keyword of the code is found too.
            found = self._kw_all.match_many(list(texts)) if hits is None else hits
            count = keyword_counts(found, self._kw_codes, self._kw_w, self._kw_full, C)
            # weighed count 1 (one phrase) -> the full bonus, 2 -> 1.5x, saturating at 2x
            zs += KEYWORD_WEIGHT * 2 * (1 - 0.5**count)
        return zs.astype(np.float32), sp

    def _self_train_base(self, Xc: Any, zs: Any, zq: Any) -> Any:
        """Sum of the corpus units the prior assigns to each code with the clearest margins (codes x features).

        It depends on the corpus and codebook only, so it is computed once per corpus, not per retraining.
        """
        import numpy as np

        C = len(self.codes)
        cent = np.zeros((C, Xc.shape[1]), dtype=np.float32)
        if C > 1:
            if zq is not None:  # the question helps decide which code an answer is a clear case of
                zs = zs + QUESTION_WEIGHT * zq
            am = zs.argmax(axis=1)
            srt = np.sort(zs, axis=1)
            margin = srt[:, -1] - srt[:, -2]
            for j in range(C):
                # Units with hardly any codebook evidence would only teach the centroid noise.
                idx = np.flatnonzero((am == j) & (srt[:, -1] >= SELF_TRAIN_MIN_EVIDENCE))
                if len(idx) == 0:
                    continue
                keep = idx[np.argsort(-margin[idx], kind="stable")][: max(3, int(len(idx) * SELF_TRAIN_FRACTION))]
                cent[j] += np.asarray(Xc[keep].sum(axis=0), dtype=np.float32).ravel()
        return cent

    # ------------------------------------------------------------------ learning
    def _learn(self) -> None:
        """Fit self-training centroids, Rocchio centroids, ridge, label spreading and calibration."""
        with one_blas_thread():
            self._fit()

    def _training_examples(self) -> list[Example]:
        col = frozenset(self._col)
        return [e for e in self._examples if not col.isdisjoint(e.codes) or not col.isdisjoint(e.rejected)]

    def _training_rows(self, ex: list[Example], rows: Any, outside: tuple[Any, Any] | None = None) -> _Rows:
        """The coded units' rows: looked up in the corpus, computed (or taken from ``outside``) for the others."""

        inside = rows >= 0
        if inside.all() and self._C is not None:
            return self._C.take(rows)
        texts = [e.text for e, r in zip(ex, rows.tolist(), strict=True) if r < 0]
        fresh = self._compute_rows(texts, outside)
        if not inside.any() or self._C is None:
            return fresh
        return _merge_rows(self._C.take(rows[inside]), fresh, inside)

    def _fit(self) -> None:
        assert self.featurizer is not None
        ex = self._training_examples()
        self._set_training_rows(ex, self._training_rows(ex, self._rows([e.text for e in ex])) if ex else None)
        self._checkpoint()
        self._fit_ridge()
        self._checkpoint()
        self._fit_vectors()
        self._vw = VECTOR_WEIGHT
        loo = self._loo_inputs() if self._ridge_fit is not None else None
        parts = None
        if loo is not None:
            sel, ridge_loo, vec_loo = loo
            assert self._L is not None
            # The vectors' weight is chosen with the coded units inside the centroids (honest leave-one-out centroids
            # chose weights of 1-2 on the bundled interviews and cost them 3-6 points of top-1); the calibration is
            # fitted on scores with each unit out of every learner, as an unseen unit's are.
            rows = self._L.take(sel)
            choice = self._blend_parts(rows, ridge=ridge_loo, vec=vec_loo)
            if choice[2] is not None:
                self._vw = self._choose_vector_weight(sel, choice[0], choice[2])
            parts = self._blend_parts(rows, ridge=ridge_loo, vec=vec_loo, own=sel)
        self._checkpoint()
        self._transduce()
        self._checkpoint()
        if loo is not None and parts is not None:
            self._fit_calibration(loo[0], _with_vectors(parts[0], parts[2], self._vw), parts[1])
        else:
            self._calib, self._calib_fitted = CALIBRATION_PRIOR, False
        self._checkpoint()
        self._fit_codable()
        self._stale = ""

    def _code_matrices(self, ex: list[Example]) -> tuple[Any, Any]:
        """Per example, its codes and its rejected codes, as boolean rows over :attr:`code_ids`."""
        import numpy as np

        C = len(self.codes)
        Y = np.zeros((len(ex), C), dtype=bool)
        R = np.zeros((len(ex), C), dtype=bool)
        for i, e in enumerate(ex):
            for c in e.codes:
                if c in self._col:
                    Y[i, self._col[c]] = True
            for c in e.rejected - e.codes:
                if c in self._col:
                    R[i, self._col[c]] = True
        return Y, R

    def _quick_update(self) -> bool:
        """Take a few changed codings into the fitted model in place (see :meth:`update`); False when it cannot (no
        fitted learners yet, a unit's text changed, or many changes at once): then the learners are refitted."""
        import numpy as np

        old = self._ex
        if self._L is None or self._C is None or self._F_raw is None or self._Y0 is None or self._dual is None:
            return False
        new = self._training_examples()
        # The same example objects in the same order are unchanged (a project keeps those of units not touched): one
        # walk through both lists finds them, and only the others are compared by id.
        matched = np.zeros(len(old), dtype=bool)
        others: list[Example] = []
        where: dict[int, int] | None = None
        k = 0
        for e in new:
            if k < len(old) and old[k] is e:
                matched[k] = True
                k += 1
                continue
            if where is None:
                where = {id(o): i for i, o in enumerate(old)}
            i = where.get(id(e), -1)
            if i >= k and old[i] is e:  # examples before it were removed or changed
                matched[i] = True
                k = i + 1
            else:
                others.append(e)
        unmatched = np.flatnonzero(~matched).tolist()
        at = {old[i].id: i for i in unmatched}
        new_ids = {e.id for e in others}
        removed = [i for i in unmatched if old[i].id not in new_ids]
        changed: list[tuple[int, Example]] = []
        added: list[Example] = []
        for e in others:
            found = at.get(e.id)
            if found is None:
                added.append(e)
                continue
            i = found
            if old[i].text != e.text:
                return False
            if old[i].codes != e.codes or old[i].rejected != e.rejected or old[i].coders != e.coders:
                changed.append((i, e))
        if len(removed) + len(changed) + len(added) > QUICK_MAX:
            return False
        if not (removed or changed or added):
            return True
        keep = np.setdiff1d(np.arange(len(old)), np.asarray(removed, dtype=np.int64))
        remap = np.full(len(old), -1, dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        ex = [old[i] for i in keep.tolist()]
        for i, e in changed:
            ex[int(remap[i])] = e
        ex += added
        # Every unit whose codes changed leaves the sums behind the centroids with its old codes and comes back with
        # its new ones.
        gone = np.asarray([i for i, _ in changed] + removed, dtype=np.int64)
        X_gone, Y_gone, R_gone = self._L.X[gone], self._Y[gone].astype(_F32), self._R[gone].astype(_F32)
        gone_rows = self._L.rows[np.asarray(removed, dtype=np.int64)].tolist()
        L = self._L.take(keep) if removed else self._L
        if added:
            L = _concat_rows(L, self._training_rows(added, self._rows([e.text for e in added])))
        spos, rsum = self._spos, self._rsum
        # The code matrices, row by row: the kept rows, the changed ones replaced, the new ones added.
        Y, R = self._Y[keep], self._R[keep]
        if changed:
            Yc, Rc = self._code_matrices([e for _, e in changed])
            at_new = remap[[i for i, _ in changed]]
            Y[at_new], R[at_new] = Yc, Rc
        if added:
            Ya, Ra = self._code_matrices(added)
            Y, R = np.vstack([Y, Ya]), np.vstack([R, Ra])
        word_rows = self._WLr
        self._set_training_rows(ex, L, (spos, rsum), (self._st_norm, self._roc_norm), codes=(Y, R))
        if word_rows is not None:  # the coded units' word rows for explanations: kept, and extended
            word_rows = word_rows[keep] if removed else word_rows
            self._WLr = _vstack_rows(word_rows, self._word_block(L.X[len(keep):])) if added else word_rows
        come = np.r_[remap[[i for i, _ in changed]], len(keep) + np.arange(len(added))].astype(np.int64)
        X_come, Y_come, R_come = self._L.X[come], self._Y[come].astype(_F32), self._R[come].astype(_F32)
        _add_sparse(spos, X_come, Y_come, X_gone, Y_gone)
        if R_come.any() or R_gone.any():
            rsum = np.zeros_like(spos) if rsum is None else rsum
            _add_sparse(rsum, X_come, R_come, X_gone, R_gone)
        self._spos, self._rsum = spos, (rsum if self._R.any() else None)
        # Only the centroids of the codes that gained or lost a unit (or a rejection) moved.
        moved = np.flatnonzero(Y_come.any(axis=0) | Y_gone.any(axis=0) | R_come.any(axis=0) | R_gone.any(axis=0))
        self._set_centroids(moved)
        # The kernel ridge: new coded units become rows of its factorised system (while there is room); a unit that
        # left it means a new factorisation.
        dual = self._dual.copy()
        is_ex = dual >= 0
        dual[is_ex] = remap[dual[is_ex]]
        if (dual[is_ex] < 0).any() or self._ridge_fit is None or self._ridge_fit[1] is None:
            self._fit_ridge()
        else:
            self._dual, self._ridge_sel = dual, remap[self._ridge_sel]
            room = max(0, RIDGE_ROWS - len(self._ridge_sel))
            grow = (len(keep) + np.arange(len(added)))[:room]
            if not len(grow) or not self._extend_ridge(grow):
                K, factor, _, _ = self._ridge_fit
                self._solve_ridge(self._dual, K, factor)  # the targets changed (codes, class balance)
        self._fit_vectors()
        self._reseed([int(self._L.rows[j]) for j in come.tolist()] + gone_rows)
        self._stale = "refit"  # the learners moved: the refit is a whole one
        return True

    def _reseed(self, rows: list[int]) -> None:
        """New seeds for corpus rows whose codings changed and for the units around them (whose blend the updated
        learners changed most), and the effect on the spread scores nearby."""
        import numpy as np

        rows = sorted({r for r in rows if r >= 0})
        if not rows or self._G is None or self._C is None:
            return
        r = np.asarray(rows, dtype=np.int64)
        G = self._G
        for _ in range(RESEED_HOPS):
            near = np.unique(G.indices[np.concatenate([np.arange(G.indptr[i], G.indptr[i + 1]) for i in r])])
            r = np.union1d(r, near)
            if len(r) > RESEED_MAX:
                break
        rows = r.tolist()
        blend, _ = self._blend(self._C.take(r))
        seed = softmax_rows(blend)
        by_row = {int(row): i for i, row in enumerate(self._L.rows.tolist())} if self._L is not None else {}
        for n, row in enumerate(rows):
            i = by_row.get(row)
            if i is None:
                continue
            if self._Y[i].any():
                seed[n] = self._Y[i] / self._Y[i].sum()
            elif self._R[i].any():
                seed[n, self._R[i]] = 0.0
                seed[n] /= max(float(seed[n].sum()), 1e-12)
        dF = spread_change(self._G, r, seed - self._Y0[r])
        self._Y0 = self._Y0.copy()
        self._Y0[r] = seed
        touched = np.unique(dF.nonzero()[0])
        self._F_raw = self._F_raw.copy()
        self._F_raw[touched] += dF[touched].toarray()
        self._Fn = self._Fn.copy()
        self._Fn[touched] = normalised(self._F_raw[touched])

    def _set_training_rows(self, ex: list[Example], L: _Rows | None, sums: tuple[Any, Any] | None = None,
                           norms: tuple[Any, Any] | None = None, codes: tuple[Any, Any] | None = None) -> None:
        """The coded units (``_L``), their codes (``_Y``) and rejected codes (``_R``; given as ``codes`` when known),
        and the sums of their rows per code that the centroids are made of (given as ``sums`` and the centroids'
        ``norms`` when restored)."""
        import numpy as np

        self._ex = ex
        self._L = L
        self._WLr = None
        self._Y, self._R = codes if codes is not None else self._code_matrices(ex)
        Y, R = self._Y, self._R
        C = len(self.codes)
        self._label_rows = [np.flatnonzero(Y[:, j]) for j in range(C)]
        self._n = Y.sum(axis=0).astype(np.float32)
        self._w = LEARN_MAX * self._n / (self._n + LEARN_HALF)
        self._spos = self._rsum = None
        if sums is not None:
            self._spos, self._rsum = sums
        elif L is not None:
            XT = L.X.T.tocsr()
            self._spos = _dense_product(XT, Y.astype(np.float32))  # features x codes
            if R.any():
                self._rsum = _dense_product(XT, R.astype(np.float32))
        if norms is not None and sums is not None:
            self._st_norm, self._roc_norm = norms
        else:
            self._set_centroids()

    def _set_centroids(self, cols: Any = None) -> None:
        """The norms of the self-training and Rocchio centroids. The centroids themselves are never formed: a unit's
        closeness to them is its products with the base, the coded sums and the profiles, divided by these norms.
        ``cols``: only these codes' centroids changed (after a quick update; the others' norms are kept)."""
        import numpy as np

        old = (self._st_norm, self._roc_norm)
        self._st_norm = self._roc_norm = None
        if self._base is None and self._spos is None:
            return
        C = len(self.codes)
        part = cols is not None and old[0] is not None and (old[1] is not None or not self._Y.any())
        at = np.asarray(cols, dtype=np.int64) if part else np.arange(C)
        d = self._P.shape[1]
        spos = self._spos[:, at] if self._spos is not None else np.zeros((d, len(at)), dtype=np.float32)
        if self._base is not None:
            # In float64: a float32 sum over 100,000 features depends on how the arrays lie in memory (a restored
            # model would then differ from a fresh fit in the sixth digit).
            cent = self._base[at].astype(np.float64) + SEED_WEIGHT * spos.T
            norm = np.array(old[0], dtype=_F32) if part else np.zeros(C, dtype=_F32)
            norm[at] = np.sqrt((cent * cent).sum(axis=1))
            self._st_norm = norm if norm.any() else None
        if self._spos is not None and self._Y.any():
            if self._Pd is None or self._Pd.shape != (C, d):
                self._Pd = self._P.toarray()
            roc = spos.T.astype(np.float64) + self._Pd[at]
            if self._rsum is not None:
                rn = np.maximum(self._R[:, at].sum(axis=0), 1).astype(np.float64)
                roc -= 0.5 * self._rsum[:, at].T / rn[:, None]
            norm = np.array(old[1], dtype=_F32) if part and old[1] is not None else np.zeros(C, dtype=_F32)
            norm[at] = np.maximum(np.sqrt((roc * roc).sum(axis=1)), 1e-12)
            self._roc_norm = norm

    def _ridge_selection(self) -> Any:
        """Which coded units the kernel ridge trains on: all of them up to ``RIDGE_ROWS``; beyond, a class-balanced
        sample (each code in turn gives its next unit, in an order fixed by a hash of the unit id), so the same
        codings always give the same sample and a new coding rarely changes it."""
        import numpy as np

        n = len(self._ex)
        if n <= RIDGE_ROWS:
            return np.arange(n, dtype=np.int64)
        prio = np.asarray([zlib.crc32(e.id.encode("utf-8")) for e in self._ex], dtype=np.int64)
        lists = []
        for j in range(len(self.codes)):
            members = np.flatnonzero(self._Y[:, j] | self._R[:, j])
            lists.append(members[np.argsort(prio[members], kind="stable")].tolist())
        chosen: set[int] = set()
        pos = [0] * len(lists)
        while len(chosen) < RIDGE_ROWS:
            moved = False
            for j, lst in enumerate(lists):
                while pos[j] < len(lst) and lst[pos[j]] in chosen:
                    pos[j] += 1
                if pos[j] < len(lst):
                    chosen.add(lst[pos[j]])
                    pos[j] += 1
                    moved = True
                    if len(chosen) == RIDGE_ROWS:
                        break
            if not moved:
                break
        return np.asarray(sorted(chosen), dtype=np.int64)

    def _ridge_rows(self, dual: Any) -> tuple[Any, Any, Any]:
        """Training rows of the ridge in the order of ``dual`` (coded unit indices, or -1 - k for the codebook's
        k-th row: pieces, then profiles), their targets and weights."""
        import numpy as np
        from scipy.sparse import vstack

        assert self._L is not None
        C = len(self.codes)
        nq = self._Q.shape[0]
        eye = np.eye(C, dtype=np.float32)
        book_targets = np.vstack([eye[self._owner], eye])
        is_ex = dual >= 0
        ex_pos, book_pos = np.flatnonzero(is_ex), np.flatnonzero(~is_ex)
        book = -1 - dual[book_pos]
        rows = vstack([self._L.X[dual[ex_pos]], vstack([self._Q, self._P], format="csr")[book]], format="csr")
        targets = np.vstack([self._coded_targets()[dual[ex_pos]], book_targets[book]])
        sw = np.r_[np.ones(len(ex_pos)), np.full(len(book_pos), PIECE_WEIGHT)]
        order = np.argsort(np.r_[ex_pos, book_pos], kind="stable")
        assert len(book) == 0 or book.max() < nq + C
        return rows[order], targets[order], sw[order]

    def _fit_ridge(self) -> None:
        """Multi-label kernel ridge in its dual form (one solve for all codes, closed-form leave-one-out), turned into
        primal weights (features x codes) so that scoring is one sparse-dense product."""
        import numpy as np
        from scipy.linalg import cholesky

        self._ridge_fit = None
        self._ridge = None
        self._ridge_sel = None
        self._dual = None
        if self._L is None or not self._Y.any():
            return
        sel = self._ridge_selection()
        dual = np.r_[sel, -1 - np.arange(self._Q.shape[0] + len(self.codes))].astype(np.int64)
        Xt, _, sw = self._ridge_rows(dual)
        # float32 halves the factorisation time; the ridge term keeps the system well conditioned.
        K = _dense_product(Xt, Xt.T.tocsc())
        reg = K + np.diag((RIDGE_LAMBDA / sw).astype(np.float32))
        factor = (cholesky(reg, lower=True, overwrite_a=True, check_finite=False), True)
        self._ridge_sel = sel
        self._solve_ridge(dual, K, factor)

    def _solve_ridge(self, dual: Any, K: Any, factor: Any) -> None:
        """The dual coefficients for the current targets, and the primal weights, from a factorised system."""
        from scipy.linalg import cho_solve

        Xt, targets, _ = self._ridge_rows(dual)
        mean = targets.mean(axis=0)
        A = cho_solve(factor, targets - mean, check_finite=False).astype(_F32)
        self._dual = dual
        self._ridge_fit = (K, factor, A, mean.astype(_F32))
        self._ridge = (_dense_product(Xt.T.tocsr(), A), mean.astype(_F32))

    def _extend_ridge(self, new: Any) -> bool:
        """Add coded units ``new`` (indices) to the kernel ridge as rows of its factorised system: one triangular
        solve each, not a new factorisation. False when there is no factorisation to extend."""
        import numpy as np
        from scipy.linalg import solve_triangular

        if self._ridge_fit is None or self._ridge_fit[1] is None or self._L is None:
            return False
        K, (Lf, lower), _, _ = self._ridge_fit
        dual = self._dual
        Xt = self._ridge_rows(dual)[0]
        for i in np.asarray(new, dtype=np.int64).tolist():
            x = self._L.X[i]
            k = _dense_product(Xt, x.T.tocsc()).ravel()
            kk = float(_dense_product(x, x.T.tocsc())[0, 0]) + RIDGE_LAMBDA
            ell = solve_triangular(Lf, k, lower=True, check_finite=False)
            d = np.sqrt(max(kk - float(ell @ ell), 1e-6))
            m = Lf.shape[0]
            grown = np.zeros((m + 1, m + 1), dtype=Lf.dtype)
            grown[:m, :m] = Lf
            grown[m, :m] = ell
            grown[m, m] = d
            Lf = grown
            if K is not None:
                Kg = np.zeros((m + 1, m + 1), dtype=K.dtype)
                Kg[:m, :m] = K
                Kg[m, :m] = Kg[:m, m] = k
                Kg[m, m] = kk - RIDGE_LAMBDA
                K = Kg
            dual = np.r_[dual, i]
            Xt = _vstack_rows(Xt, x)
        self._ridge_sel = np.r_[self._ridge_sel, np.asarray(new, dtype=np.int64)]
        self._solve_ridge(dual, K, (Lf, lower))
        return True

    def _vector_rows(self) -> tuple[Any, Any, Any]:
        """Training rows of the word-vector learner (coded units, then codebook pieces), targets, weights."""
        import numpy as np

        C = len(self.codes)
        targets = np.eye(C, dtype=np.float32)[self._owner]
        if self._L is None or self._L.V is None:
            return self._Vq, targets, np.full(len(targets), PIECE_WEIGHT, dtype=np.float32)
        coded = self._coded_targets()
        sw = np.r_[np.ones(len(coded)), np.full(len(targets), PIECE_WEIGHT)].astype(np.float32)
        return np.vstack([self._L.V, self._Vq]), np.vstack([coded, targets]), sw

    def _coded_targets(self) -> Any:
        """What the learners fit for each coded unit: its class-balanced codes, minus 1 for each code rejected."""
        import numpy as np

        return self._balanced() - self._R.astype(np.float32)

    def _balanced(self) -> Any:
        """Targets of the coded units for the learners, positives weighted by ``(median n / n_code) ** CLASS_BALANCE``.

        A frequent code has many positives and co-occurs with most others, so unweighted it wins the first
        place in every unit it is part of, and the rarer code the unit also carries comes second. Weighting
        by the square root of the inverse frequency keeps rare codes visible without inverting the order.
        """
        import numpy as np

        Y = self._Y.astype(np.float32)
        if not (self._n > 0).any():
            return Y
        n = np.maximum(self._n, 1.0)
        factor = (float(np.median(self._n[self._n > 0])) / n) ** CLASS_BALANCE
        return Y * factor[None, :].astype(np.float32)

    def _fit_vectors(self) -> None:
        """Multi-label ridge on the dense text vectors (primal: the vectors have 128 dimensions), trained
        on the codebook pieces from the start (zero-shot) and on the coded units as they come."""

        self._vec = None
        if self._tv is None or self._Vq is None or not len(self._Vq):
            return
        V, T, sw = self._vector_rows()
        mean = (sw[:, None] * T).sum(axis=0) / sw.sum()
        W, Minv = _primal_ridge(V, T - mean, VECTOR_LAMBDA, sw)
        self._vec = (W, mean, Minv)

    def _vector_loo(self, sel: Any) -> Any:
        """Leave-one-out word-vector scores of coded units ``sel``: (f - h t) / (1 - h), h the hat diagonal."""

        assert self._vec is not None and self._L is not None and self._L.V is not None
        W, mean, Minv = self._vec
        V = self._L.V[sel]
        return _loo(V @ W, _hat(V, Minv), self._coded_targets()[sel] - mean)  # the targets it was fitted on

    def _transduce(self) -> None:
        """Label spreading over the unit graph, seeded by the blend and the coded units' codes.

        The result for every corpus unit is cached: scoring a unit of the corpus is then a lookup.
        """
        import numpy as np

        self._Fn = self._rank_c = self._ev_c = self._F_raw = None
        if self._G is None or self._C is None:
            return
        n = self._C.X.shape[0]
        blend = np.zeros((n, len(self.codes)), dtype=np.float32)
        ev = np.zeros_like(blend)
        for a in range(0, n, BATCH):
            blend[a : a + BATCH], ev[a : a + BATCH] = self._blend(self._C.take(slice(a, a + BATCH)))
        Y0 = softmax_rows(blend)
        # A coded unit is a known answer: its codes are its seed, and a rejected code has no mass.
        assert self._L is not None or not self._ex
        for i, r in enumerate(self._L.rows.tolist() if self._L is not None else []):
            if r < 0:
                continue
            if self._Y[i].any():
                Y0[r] = self._Y[i] / self._Y[i].sum()
            elif self._R[i].any():
                Y0[r, self._R[i]] = 0.0
                Y0[r] /= max(float(Y0[r].sum()), 1e-12)
        self._Y0 = Y0
        self._F_raw = spread(self._G, Y0, normalise=False)
        self._Fn = normalised(self._F_raw)
        self._rank_c = (blend + _minmax(self._Fn)) / 2
        self._ev_c = ev

    def _induct(self, X: Any, blend: Any, F: Any = None) -> Any:
        """Ranking scores of units outside the corpus (their feature rows ``X``): one spreading step from their
        corpus neighbours."""
        import numpy as np

        F = self._Fn if F is None else F
        if F is None or self._Wc is None:
            return blend
        idx, w = neighbour_rows(self._word_block(X), self._Wc)
        Fi = (1 - ALPHA) * softmax_rows(blend) + ALPHA * np.einsum("ik,ikc->ic", w, F[idx])
        Fi /= np.maximum(Fi.sum(axis=1, keepdims=True), 1e-12)
        return (blend + _minmax(Fi)) / 2

    def _codable_features(self, wl: Any, V: Any, zs: Any) -> Any:
        """What tells a unit worth coding from talk: its word vector, its best codebook evidence, its length (``wl``:
        log(1 + words))."""
        import numpy as np

        return np.hstack([V, zs.max(axis=1, keepdims=True), np.asarray(wl, dtype=np.float32)[:, None] / 3]).astype(
            np.float32)

    def _fit_codable(self) -> None:
        """The probability that a unit gets any code at all, learned from coded units and units passed over.

        Code scores are learned from coded units only, so on their own they cannot say that a greeting or
        a consent statement is not worth coding: the best of several poor codes still looks likely. Units the
        team read and left uncoded are that evidence (in a project: uncoded informant units before the last
        coded one of their transcript). A ridge on :meth:`_codable_features`, with Platt scaling on its
        leave-one-out outputs, gives ``P(codable)``; a code's score is multiplied by
        ``P(codable)`` relative to a typical coded unit's (capped at 1), so a typical coded unit keeps its
        scores. The ranking of codes within a unit does not change.
        """
        import numpy as np

        self._codable = None
        if self._tv is None or len(self._passed) < MIN_CALIBRATION or self._L is None or self._L.V is None:
            return
        has_code = np.asarray(self._Y.any(axis=1))
        n_pos = int(has_code.sum())
        if n_pos < MIN_CALIBRATION:
            return
        # The coded units' rows were computed for the learners; the passed-over units' are looked up in the corpus
        # (only what the features need: not their TF-IDF rows).
        rows = self._rows(self._passed)
        if self._C is not None and (rows >= 0).all():
            pV, pzs, pwl = self._C.V[rows], self._C.zs[rows], self._C.wl[rows]
        else:
            passed = self._batch(self._passed)
            pV, pzs, pwl = passed.V, passed.zs, passed.wl
        F = np.vstack([self._codable_features(self._L.wl[has_code], self._L.V[has_code], self._L.zs[has_code]),
                       self._codable_features(pwl, pV, pzs)])
        y = np.r_[np.ones(n_pos), np.zeros(len(self._passed))].astype(np.float32)
        mu, ybar = F.mean(axis=0), float(y.mean())
        Fc = F - mu
        w, Minv = _primal_ridge(Fc, y - ybar, CODABLE_LAMBDA)
        loo = _loo(Fc @ w, _hat(Fc, Minv), y - ybar)
        a, b = _platt(loo.astype(np.float64), y.astype(np.float64))
        # The reference is a coded unit's own probability (leave-one-out) at the CODABLE_REFERENCE quantile: units
        # that look as codable as most coded units keep their scores (the scores are calibrated on coded units; with
        # the median, half of them were lowered).
        typical = float(np.quantile(_sigmoid(a * loo[:n_pos] + b), CODABLE_REFERENCE))
        self._codable = (w, mu, float(a), float(b), max(typical, 1e-3))

    def _codability(self, wl: Any, V: Any, zs: Any) -> Any:
        """Per text, ``P(codable)`` relative to a typical coded unit's, capped at 1; None before units passed
        over are known. Units that look like those the team codes keep their scores; units that look like
        those it passes over (greetings, consent, logistics) have theirs lowered in proportion."""
        import numpy as np

        if self._codable is None or V is None:
            return None
        w, mu, a, b, typical = self._codable
        z = a * ((self._codable_features(wl, V, zs) - mu) @ w) + b
        return np.minimum(1.0, _sigmoid(z) / typical)

    def _loo_inputs(self) -> tuple[Any, Any, Any] | None:
        """A subsample of (up to CALIBRATION_UNITS) coded units the ridge trained on, and their leave-one-out ridge
        and word-vector scores: what the calibration and the choice of the word-vector weight are fitted on.
        Returns the units' indices among the coded units."""
        import numpy as np
        from scipy.linalg import cho_solve

        assert self._ridge_fit is not None and self._dual is not None
        K, factor, A, mean = self._ridge_fit
        m = len(self._ridge_sel)
        if len(self._ex) < MIN_CALIBRATION or m < MIN_CALIBRATION:
            return None
        # A fixed, evenly spaced subsample keeps this step fast and deterministic on big projects (the coded
        # units come first among the ridge's rows).
        pos = np.linspace(0, m - 1, min(m, CALIBRATION_UNITS)).round().astype(np.int64)
        # Ridge leave-one-out: f_loo = (f - h y) / (1 - h) with h the diagonal of the hat matrix.
        Kl = K[pos]
        f = Kl @ A + mean
        hat = np.einsum("ij,ji->i", Kl, cho_solve(factor, np.ascontiguousarray(K[:, pos]), check_finite=False))
        sel = self._ridge_sel[pos]
        y = self._coded_targets()[sel]
        ridge_loo = _loo(f, hat, y)
        vec_loo = self._vector_loo(sel) if self._vec is not None and self._L is not None and self._L.V is not None \
            else None
        return sel, ridge_loo, vec_loo

    def _choose_vector_weight(self, sel: Any, base: Any, vec_mm: Any) -> float:
        """The weight of the word-vector learner that ranks the coded units' own codes best (leave-one-out).

        How much related words help depends on the project: in plain-language answers they carry much of
        the meaning; in transcripts full of programme terms the codebook's and the team's words say more.
        The mean reciprocal rank of each unit's best gold code picks among a few weights; ties keep the
        smaller weight. ``base`` and ``vec_mm`` are the coded units' leave-one-out blend parts.
        """
        import numpy as np

        Y = self._Y[sel]
        has = Y.any(axis=1)
        if has.sum() < MIN_CALIBRATION:
            return VECTOR_WEIGHT
        best, best_w = -1.0, VECTOR_WEIGHT
        for w in VECTOR_WEIGHTS:
            b = _with_vectors(base[has], vec_mm[has], w)
            gold_best = np.where(Y[has], b, -np.inf).max(axis=1)
            rank = (b > gold_best[:, None]).sum(axis=1)
            mrr = float((1.0 / (1.0 + rank)).mean())
            if mrr > best + 1e-9:
                best, best_w = mrr, w
        return best_w

    def _fit_calibration(self, sel: Any, blend: Any, evidence: Any) -> None:
        """The score mapping (see ``CALIBRATION_PRIOR``) fitted on (up to CALIBRATION_UNITS) coded units: their
        leave-one-out ranking scores (``blend``, then spreading without their own codes) and evidence, the first
        ``CALIBRATION_TOP`` codes of each (what a coder would have been shown) labelled by whether the team applied
        them, and every code the team rejected (labelled 0). A penalty pulls the coefficients towards the default
        mapping, so that the scale moves gradually as coded units accumulate, not in a jump at the first fit."""
        import numpy as np

        rank = self._loo_rank(sel, blend)
        target, rejected = self._Y[sel], self._R[sel]
        has_pos = np.asarray(target.any(axis=1))
        top = np.argsort(-rank, axis=1, kind="stable")[:, :CALIBRATION_TOP]
        shown = np.zeros_like(target)
        np.put_along_axis(shown, top, True, axis=1)
        # A unit with a code is informative about every code it was shown; one the team only rejected codes for, about
        # those codes alone.
        mask = np.where(has_pos[:, None], shown, False) | rejected
        assert self._L is not None
        feats = _calibration_features(rank, evidence, self._L.wl[sel])
        X, y = feats[mask], target[mask]
        if len(y) < MIN_CALIBRATION or y.all() or not y.any():
            self._calib, self._calib_fitted = CALIBRATION_PRIOR, False
            return
        weight = np.broadcast_to(self._shift_weights(target)[:, None], mask.shape)[mask]
        self._calib = _penalised_logistic(X.astype(np.float64), y.astype(np.float64), np.asarray(CALIBRATION_PRIOR),
                                          CALIBRATION_PRIOR_WEIGHT, weight.astype(np.float64))
        self._calib_fitted = True

    def _shift_weights(self, target: Any) -> Any:
        """Weights of the calibration units that make their codes as common as among the units still to code.

        Teams rarely code a random sample: they code the clear cases, or one criterion first, or (as a benchmark)
        a few units of every code. The calibration units then over-represent some codes, rare and hard ones
        usually, and the scale comes out too cautious (or too bold) for the units it is used on. Each unit weighs
        the share of its codes among the uncoded units' first codes over their share among the calibration units
        (between 1/4 and 4; units without a code weigh 1)."""
        import numpy as np

        n = np.ones(len(target))
        if self._rank_c is None or self._L is None or not target.any():
            return n
        coded_rows = np.zeros(self._rank_c.shape[0], dtype=bool)
        coded_rows[self._L.rows[self._L.rows >= 0]] = True
        first = self._rank_c[~coded_rows].argmax(axis=1)
        if not len(first):
            return n
        C = target.shape[1]
        want = np.bincount(first, minlength=C) / len(first)
        per = target / np.maximum(target.sum(axis=1, keepdims=True), 1)
        have = per.sum(axis=0) / max(float(per.sum()), 1e-12)
        ratio = np.clip((want + 1e-3) / (have + 1e-3), 0.25, 4.0)
        w = np.where(target.any(axis=1), (per * ratio).sum(axis=1), 1.0)
        return w / w.mean()

    def _loo_rank(self, sel: Any, blend: Any) -> Any:
        """Leave-one-out ranking scores of coded units: spreading with their own codes held out."""
        import numpy as np

        if self._Fn is None or self._L is None:
            return blend
        rows = self._L.rows[sel]
        Y0 = self._Y0.copy()
        inside = rows >= 0
        # Held-out units are seeded with their leave-one-out blend, as an uncoded unit would be.
        Y0[rows[inside]] = softmax_rows(blend[inside])
        F = spread(self._G, Y0)
        out = np.empty_like(blend)
        out[inside] = (blend[inside] + _minmax(F[rows[inside]])) / 2
        if (~inside).any():
            out[~inside] = self._induct(self._L.X[sel[~inside]], blend[~inside], F)
        return out

    # ------------------------------------------------------------------ the blend
    def _blend(self, b: _Rows, *, ridge: Any = None, vec: Any = None) -> tuple[Any, Any]:
        """Combine prior and learned scores.

        Returns the blend (per unit, in [0, 1]; what ranks codes) and the absolute evidence (how
        much a unit resembles the code's codebook text or coded units at all; what the score
        mapping uses so that the best of several poor codes is not shown as a sure thing).
        """
        base, evidence, vec_mm = self._blend_parts(b, ridge=ridge, vec=vec)
        return _with_vectors(base, vec_mm, self._vw), evidence

    def _blend_parts(self, b: _Rows, *, ridge: Any = None, vec: Any = None, own: Any = None) -> tuple[Any, Any, Any]:
        """The blend without the word vectors, the evidence, and the scaled word-vector scores (None without
        vectors): apart, so that the leave-one-out choice of the vectors' weight computes the rest once.

        ``own``: for coded units scored leave-one-out, their indices among the coded units: each is then taken out of
        the centroids it is part of (with ``ridge`` and ``vec`` their leave-one-out learner scores), so that the
        calibration is fitted on scores like those of units the model has not seen."""
        import numpy as np

        xs = _dense_product(b.X, self._spos) if self._spos is not None else None
        Y = R = nx = None
        if own is not None and xs is not None:
            Y, R = self._Y[own].astype(np.float32), self._R[own].astype(np.float32)
            nx = np.asarray(b.X.multiply(b.X).sum(axis=1), dtype=np.float32)  # each row's squared length (1)
        prior = b.zs.copy()
        if self._st_norm is not None:
            st = b.xb if xs is None else b.xb + SEED_WEIGHT * xs
            norm = np.broadcast_to(self._st_norm, st.shape)
            if Y is not None and nx is not None:
                # The centroid without the unit: ||c - s x||^2 = ||c||^2 - 2 s x.c + s^2 |x|^2.
                norm = np.sqrt(np.maximum(norm**2 - Y * (2 * SEED_WEIGHT * st - SEED_WEIGHT**2 * nx), 1e-12))
                st = st - Y * SEED_WEIGHT * nx
            prior = prior + SELF_TRAIN_WEIGHT * st / np.maximum(norm, 1e-12)
        evidence = prior
        # A row whose prior spread is tiny has no codebook evidence; the floor keeps min-max scaling
        # from blowing that noise up into a confident-looking prior.
        out = _minmax(prior, floor=PRIOR_SPREAD_FLOOR)
        if self._roc_norm is not None and xs is not None:
            # No nearest-coded-unit learner here: label spreading over the unit graph already lets
            # coded units speak for their neighbours, at a fraction of the cost.
            roc = xs + b.xp
            rn = np.maximum(self._R.sum(axis=0), 1).astype(np.float32)
            if self._rsum is not None:
                roc = roc - 0.5 * _dense_product(b.X, self._rsum) / rn
            norm = np.broadcast_to(self._roc_norm, roc.shape)
            if Y is not None and R is not None:
                # Out of the coded sum (weight 1) or out of the rejected mean (weight -0.5 / rejections).
                t = Y - R * (0.5 / rn)
                norm = np.sqrt(np.maximum(norm**2 - 2 * t * roc + t**2 * nx, 1e-12))
                roc = roc - t * nx
            roc = roc / norm
            if ridge is None:
                assert self._ridge is not None
                Wr, mean = self._ridge
                ridge = _dense_product(b.X, Wr) + mean
            learned = (_minmax(roc) + 2 * _minmax(ridge)) / 3
            w = self._w[None, :]
            out = (out + w * learned) / (1 + w)
            evidence = np.maximum(evidence, roc)
        if b.q is not None:
            # The interviewer's question, kept out of the learned part so that it still counts once codes
            # have many examples; relative to the question's best code, floored so a vague question is weak.
            q = b.q
            out = (out + QUESTION_BLEND * q / np.maximum(q.max(axis=1, keepdims=True), PRIOR_SPREAD_FLOOR)) / (
                1 + QUESTION_BLEND)
        vec_mm = None
        if self._vec is not None and b.V is not None:
            # Word vectors: related words count even when a unit shares no word with the examples.
            if vec is None:
                vec = b.V @ self._vec[0]
            vec_mm = _minmax(vec, floor=VECTOR_SPREAD_FLOOR)
        return out.astype(np.float32), evidence.astype(np.float32), vec_mm

    def _calibrate(self, rank: Any, evidence: Any, wl: Any) -> Any:
        """Ranking scores to probabilities (see ``CALIBRATION_PRIOR``): monotone in the ranking score within a unit, so
        the order of the codes stays the ranking's. ``wl``: each unit's log(1 + words)."""
        import numpy as np

        return _sigmoid(_calibration_features(rank, evidence, wl) @ np.asarray(self._calib, dtype=np.float32))

    # ------------------------------------------------------------------ public scoring
    def _score_batch(self, texts: Sequence[str]) -> tuple[Any, _Rows, Any]:
        """Calibrated scores for a batch, with its rows and the codability factor applied (None when no unit passed
        over is known)."""
        b = self._batch(texts)
        S = self._ranked(b)
        codable = self._codability(b.wl, b.V, b.zs)
        if codable is not None:
            S = S * codable[:, None]
        return S, b, codable

    def _ranked(self, b: _Rows) -> Any:
        """Calibrated code scores (before codability)."""
        import numpy as np

        at = b.rows
        rows = at if self._rank_c is not None else None
        if self._stale and rows is not None:
            # After a quick update the learners are current but the saved ranking is not: blend again, and take the
            # spread scores (updated near the changed units) for corpus units.
            blend, raw = self._blend(b)
            known = rows >= 0
            rank = blend.copy()
            rank[known] = (blend[known] + _minmax(self._Fn[rows[known]])) / 2
            if (~known).any():
                rank[~known] = self._induct(b.X[np.flatnonzero(~known)], blend[~known])
            return self._calibrate(rank, raw, b.wl)
        if rows is not None and (rows >= 0).all():
            return self._calibrate(self._rank_c[rows], self._ev_c[rows], b.wl)
        blend, raw = self._blend(b)
        if rows is None:
            return self._calibrate(blend, raw, b.wl)
        # Corpus units were ranked by spreading when the model was fitted; the others get one step of it.
        rank = blend.copy()
        known = rows >= 0
        rank[known] = self._rank_c[rows[known]]
        raw[known] = self._ev_c[rows[known]]
        if (~known).any():
            rank[~known] = self._induct(b.X[np.flatnonzero(~known)], blend[~known])
        return self._calibrate(rank, raw, b.wl)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated scores, one row per text and one column per code in :attr:`code_ids`."""
        import numpy as np

        self._ensure()
        out = np.zeros((len(texts), len(self.codes)), dtype=np.float32)
        with one_blas_thread():
            for a in range(0, len(texts), BATCH):
                chunk = list(texts[a : a + BATCH])
                out[a : a + len(chunk)] = self._score_batch(chunk)[0]
        return out

    def suggest(
        self,
        units: Sequence[tuple[str, str]],
        *,
        top: int = 3,
        min_score: float = 0.0,
        explain: bool = True,
        evidence: bool = True,
    ) -> list[list[Suggestion]]:
        """The ``top`` best codes for each ``(id, text)`` unit, best first, each with its explanation (and, unless
        ``evidence`` is False, the evidence behind it as data)."""
        import numpy as np

        self._ensure()
        version = self.model_version
        out: list[list[Suggestion]] = []
        with one_blas_thread():
            step = EXPLAIN_BATCH if explain else BATCH
            for a in range(0, len(units), step):
                chunk = units[a : a + step]
                texts = [t for _, t in chunk]
                scores, b, codable = self._score_batch(texts)
                k = min(top, scores.shape[1])
                best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
                explained = self._explain_batch(texts, b, best, evidence) if explain else None
                for i in range(len(texts)):
                    sugg = []
                    for r, j in enumerate(best[i]):
                        s = float(scores[i, j])
                        if s < min_score:
                            continue
                        code = self.codes[int(j)]
                        if explained is not None:
                            why, ev = explained[i][r]
                            if codable is not None and codable[i] < LOWERED:
                                # First, so that a narrow panel showing the start of the text still says it.
                                why = f"lowered (x{codable[i]:.2f}): reads like units the team left uncoded; {why}"
                                ev["codable"] = round(float(codable[i]), 3)
                        else:
                            why, ev = "", {}
                        sugg.append(Suggestion(code.id, code.criterion_id, s, why, ev, version))
                    out.append(sugg)
        return out

    def explain(self, text: str, code_id: str) -> tuple[str, dict[str, Any]]:
        """Why ``code_id`` fits ``text``: matched keywords, shared definition terms, closest example."""
        import numpy as np

        self._ensure()
        if code_id not in self._col:
            raise KeyError(code_id)
        return self._explain_batch([text], self._batch([text]), np.asarray([[self._col[code_id]]]))[0][0]

    def _explain_batch(self, texts: Sequence[str], b: _Rows, best: Any, evidence: bool = True
                       ) -> list[list[tuple[str, dict[str, Any]]]]:
        """Explanations of codes ``best[i]`` for each text: the evidence behind them, computed once per batch."""
        piece_sims = _dense_product(b.X, self._Q.T)
        coded = None
        if self._L is not None and self._Y.any():
            # On words only: the closest coded unit is one that shares the unit's words (what a reader sees), and
            # the sparse product stays small where the character n-grams would join nearly every pair of units.
            if self._WLr is None:
                self._WLr = self._word_block(self._L.X)
            coded = (self._word_block(b.X) @ self._WLr.T).tocsr()
        nearest = self._nearest_coded(coded, best) if coded is not None else {}
        kw_hits = self._kw_all.match_many(list(texts)) if self._kw_all.keywords else [[] for _ in texts]
        assert self.featurizer is not None
        idf = self.featurizer.idf_of
        out: list[list[tuple[str, dict[str, Any]]]] = []
        for i, text in enumerate(texts):
            # The unit's words, rarest first, each once: what a code's definition shares with it is a filter of these.
            # Function words ("not", "only", "would") are left out: sharing them with a definition says nothing.
            words: dict[str, str] = {}
            for surface, norm in sorted(self.pipeline.token_pairs(text), key=lambda p: -idf(p[1])):
                if len(norm) > 2 and norm not in STOPWORDS and surface.lower() not in STOPWORDS:
                    words.setdefault(norm, surface)
            row = []
            for j in best[i].tolist():
                kws = [k for k in kw_hits[i] if j in self._kw_codes[k]]
                row.append(self._explain(j, words, kws, piece_sims[i], nearest.get((i, j)), evidence))
            out.append(row)
        return out

    def _nearest_coded(self, S: Any, best: Any) -> dict[tuple[int, int], tuple[int, float]]:
        """For each unit ``i`` (a row of ``S``, its similarities to the coded units) and each code ``j`` of ``best[i]``:
        the most similar coded unit with that code among the unit's ``NEAREST_CODED`` most similar coded units, and the
        similarity (none when no close coded unit has the code: it would not be worth showing)."""
        import numpy as np

        out: dict[tuple[int, int], tuple[int, float]] = {}
        Y = self._Y
        for i in range(S.shape[0]):
            lo, hi = S.indptr[i], S.indptr[i + 1]
            if hi == lo:
                continue
            vals, cols = S.data[lo:hi], S.indices[lo:hi]
            if hi - lo > NEAREST_CODED:
                top = np.argpartition(-vals, NEAREST_CODED - 1)[:NEAREST_CODED]
                vals, cols = vals[top], cols[top]
            order = np.argsort(-vals, kind="stable")
            codes = best[i]
            hit = Y[cols[order]][:, codes]  # nearest first x the unit's codes
            first = hit.argmax(axis=0)
            for n, j in enumerate(codes.tolist()):
                if hit[first[n], n]:
                    out[(i, j)] = (int(cols[order[first[n]]]), float(vals[order[first[n]]]))
        return out

    def _explain(self, j: int, words: dict[str, str], keywords: list[int], piece_sims: Any,
                 nearest: tuple[int, float] | None, evidence: bool = True) -> tuple[str, dict[str, Any]]:
        """Why code ``j``: the evidence found, strongest first. Each kind has a strength on one scale: the closest
        unit the team coded with it (its word cosine), the closest piece of the codebook (its cosine, a little less:
        the team's own coding is the better guide), a phrase of the code's keywords (0.6) or a single keyword (up to
        0.4; a common word comes last); then the definition's words the unit shares (``words``: the unit's normalised
        words, rarest first, with the form it used), and what the code learned from."""
        code = self.codes[j]
        items: list[tuple[float, str]] = []
        coded: dict[str, Any] | None = None
        if nearest is not None:
            k, sim = nearest
            e = self._ex[k]
            coded = {"source": "coded", "id": e.id, "ref": e.ref or e.id, "coder": e.coders.get(code.id, ""),
                     "text": _snippet(e.text, SNIPPET), "similarity": round(sim, 3)}
            if sim > MIN_EXPLAINED:
                who = f" by {coded['coder']}" if coded["coder"] else ""
                items.append((sim, f"like {coded['ref']}, coded{who}: \u201c{coded['text']}\u201d"))
        book: dict[str, Any] | None = None
        a, b = self._piece_bounds[j]
        if b > a:
            k = a + int(piece_sims[a:b].argmax())
            book = {"source": "codebook", "kind": self._piece_kind[k], "text": _snippet(self._pieces[k], SNIPPET),
                    "similarity": round(float(piece_sims[k]), 3)}
            if piece_sims[k] > MIN_EXPLAINED and self._piece_kind[k] != "keyword":
                items.append((0.9 * float(piece_sims[k]), f"{book['kind']}: \u201c{book['text']}\u201d"))
        found = []
        for k in sorted(keywords, key=lambda k: -self._kw_w[k]):
            phrase = self._kw_all.n_words(k) >= 2
            common = not phrase and self._kw_w[k] < 0.5 * self._kw_full[k]
            # A common word is named, but after every other kind of evidence: it says least.
            strength = 0.6 if phrase else 0.01 if common else 0.4 * float(self._kw_w[k] / self._kw_full[k])
            label = "phrase" if phrase else "common word" if common else "keyword"
            items.append((strength, f"{label} \u201c{self._kw_all.keywords[k]}\u201d"))
            found.append(self._kw_all.keywords[k])
        profile = self._profile_terms[j]
        terms = [surface for norm, surface in words.items() if norm in profile][:5]
        parts = [text for _, text in sorted(items, key=lambda x: -x[0])]
        if terms:
            parts.append("shares with the definition: " + ", ".join(terms))
        if self._n[j]:
            parts.append(f"learned from {int(self._n[j])} coded unit{'s' if self._n[j] != 1 else ''}")
        why = "; ".join(parts) or f"closest overall to \u201c{code.name}\u201d"
        if not evidence:
            return why, {}
        closest = coded if coded is not None and (book is None or coded["similarity"] >= book["similarity"]) else book
        return why, {"keywords": found, "terms": terms, "closest": closest, "coded": coded, "codebook": book,
                     "coded_examples": int(self._n[j])}


def _piece_kind(code: Code, piece: str) -> str:
    """What a codebook piece of ``code`` is, as an explanation names it."""
    strip = {p.strip() for p in code.examples}
    if piece in strip:
        return "codebook example"
    if piece in {p.strip() for p in code.include}:
        return "codebook includes"
    if piece in {p.strip() for p in code.questions}:
        return "codebook question"
    if piece in {p.strip() for p in code.keywords}:
        return "keyword"
    if piece == code.name.strip():
        return "code name"
    return "definition"


class _Stopped(Exception):
    """A refit abandoned because its caller asked it to stop."""


def _concat_rows(a: _Rows, b: _Rows) -> _Rows:
    """``a``'s rows then ``b``'s."""
    import numpy as np
    from scipy.sparse import csr_matrix, vstack

    def cat(x: Any, y: Any) -> Any:
        if x is None or y is None:
            return None
        if not hasattr(x, "tocsr"):
            return np.concatenate([x, y])
        if x.format != "csr" or y.format != "csr" or x.shape[1] != y.shape[1]:
            return vstack([x, y], format="csr")
        # CSR parts put end to end: scipy's vstack checks and converts what need not be (a third of a second at
        # 80,000 units)
        nnz = x.nnz + y.nnz
        index = np.int32 if max(nnz, x.shape[1]) < 2**31 else np.int64
        return csr_matrix((np.concatenate([x.data[: x.nnz], y.data[: y.nnz]]),
                           np.concatenate([x.indices[: x.nnz], y.indices[: y.nnz]]).astype(index, copy=False),
                           np.concatenate([x.indptr, y.indptr[1:] + x.nnz]).astype(index, copy=False)),
                          shape=(x.shape[0] + y.shape[0], x.shape[1]))

    return _Rows(cat(a.X, b.X), cat(a.zs, b.zs), cat(a.xp, b.xp), cat(a.xb, b.xb), cat(a.q, b.q), cat(a.V, b.V),
                 np.concatenate([a.rows, b.rows]), np.concatenate([a.wl, b.wl]))


def _match_keys(old: Any, new: Any) -> Any:
    """For each of the keys ``new``, the position of the same key in ``old`` (-1 when there is none): a key found more
    than once is matched in order (its first occurrence in ``new`` to its first in ``old``, and so on)."""
    import numpy as np

    order = np.argsort(old, kind="stable")
    ranked = old[order]
    lo = np.searchsorted(ranked, new, side="left")
    hi = np.searchsorted(ranked, new, side="right")
    # each new key's occurrence so far: its position in its group of equal keys, in order
    by_key = np.argsort(new, kind="stable")
    sorted_new = new[by_key]
    starts = np.r_[True, sorted_new[1:] != sorted_new[:-1]] if len(new) else np.zeros(0, dtype=bool)
    first = np.maximum.accumulate(np.where(starts, np.arange(len(new)), 0)) if len(new) else np.zeros(0, np.int64)
    nth = np.empty(len(new), dtype=np.int64)
    nth[by_key] = np.arange(len(new)) - first
    found = nth < hi - lo
    return np.where(found, order[np.minimum(lo + nth, max(0, len(old) - 1))] if len(old) else -1, -1).astype(np.int64)


def _merge_rows(have: _Rows, fresh: _Rows, known: Any) -> _Rows:
    """One batch's rows in its order: ``have``'s where ``known`` is True, ``fresh``'s elsewhere."""
    import numpy as np

    n_known = int(known.sum())
    order = np.empty(len(known), dtype=np.int64)
    order[known] = np.arange(n_known)
    order[~known] = n_known + np.arange(len(known) - n_known)
    return _concat_rows(have, fresh).take(order)


def _add_sparse(S: Any, X_in: Any, Y_in: Any, X_out: Any, Y_out: Any) -> None:
    """``S += X_in.T @ Y_in - X_out.T @ Y_out`` in place (S dense, features x codes), touching only the entries those
    few rows reach: a dense product of the same shape would cost as much as the sum itself."""
    import numpy as np
    from scipy.sparse import csr_matrix, vstack

    X = vstack([X_in, X_out], format="csr")
    Y = np.vstack([Y_in, -Y_out]).astype(_F32)
    D = (X.T.tocsr() @ csr_matrix(Y)).tocoo()
    np.add.at(S, (D.row, D.col), D.data.astype(S.dtype))


def _vstack_rows(A: Any, B: Any) -> Any:
    from scipy.sparse import vstack

    return vstack([A, B], format="csr")


def one_blas_thread() -> Any:
    """A context in which NumPy's BLAS runs on one thread. The model's matrices are small (at most RIDGE_ROWS squared,
    or units x 130; the themes' a few thousand rows): BLAS threads gain nothing, and on a busy machine (or beside
    the TUI's own threads) their spin-waiting made fitting several times slower."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _dense_product(A: Any, B: Any) -> Any:
    """``A @ B`` as a dense float32 array (sparse x sparse products are densified; their result is small)."""
    import numpy as np

    out = A @ B
    if hasattr(out, "toarray"):
        out = out.toarray()
    return np.asarray(out, dtype=np.float32)


def _minmax(S: Any, floor: float = 1e-9) -> Any:
    import numpy as np

    lo = S.min(axis=1, keepdims=True)
    hi = S.max(axis=1, keepdims=True)
    return (S - lo) / np.maximum(hi - lo, floor)


def _primal_ridge(F: Any, T: Any, lam: float, sw: Any = None) -> tuple[Any, Any]:
    """Ridge weights for features ``F`` (rows) and centred targets ``T``, with row weights ``sw``, and the inverse
    of the regularised Gram matrix (what the hat diagonal of the leave-one-out needs). For a few hundred columns."""
    import numpy as np

    Fw = F if sw is None else F * sw[:, None]
    M = (F.T @ Fw).astype(np.float64) + lam * np.eye(F.shape[1])
    Minv = np.linalg.inv(M).astype(np.float32)
    return Minv @ (Fw.T @ T), Minv


def _hat(F: Any, Minv: Any) -> Any:
    """The hat diagonal of a primal ridge: each row's weight on its own fitted value."""

    return ((F @ Minv) * F).sum(axis=1)


def _loo(f: Any, h: Any, t: Any) -> Any:
    """Leave-one-out predictions of a ridge from its fitted values ``f``, hat diagonal ``h`` and targets ``t``:
    (f - h t) / (1 - h)."""
    import numpy as np

    if f.ndim == 2:
        h = h[:, None]
    return (f - h * t) / np.maximum(1 - h, 1e-3)


def _sigmoid(z: Any) -> Any:
    import numpy as np

    return 1.0 / (1.0 + np.exp(-z))


def _with_vectors(base: Any, vec_mm: Any, weight: float) -> Any:
    """The blend with the word-vector scores at ``weight`` (``base`` as it is without vectors)."""
    return base if vec_mm is None else (base + weight * vec_mm) / (1 + weight)


def _calibration_features(rank: Any, evidence: Any, wl: Any) -> Any:
    """Per (unit, code): the unit's best ranking score, this code's distance below it, the evidence of the unit's best
    code, the unit's log(1 + words), and 1 (the intercept); shape (units, codes, 5)."""
    import numpy as np

    best_at = rank.argmax(axis=1)
    best = rank.max(axis=1, keepdims=True)
    ev = np.maximum(evidence[np.arange(len(rank)), best_at], 0.0)[:, None]
    return np.stack(np.broadcast_arrays(best, rank - best, ev, np.asarray(wl, dtype=np.float32)[:, None],
                                        np.ones_like(best)), axis=-1).astype(np.float32)


def _word_lengths(texts: Sequence[str]) -> Any:
    """log(1 + words) of each text."""
    import numpy as np

    return np.log1p(np.fromiter(map(len, map(str.split, texts)), dtype=np.float32, count=len(texts)))


def _penalised_logistic(X: Any, y: Any, prior: Any, weight: float, sample_weight: Any = None,
                        iterations: int = 30) -> tuple[float, ...]:
    """Logistic regression coefficients (Newton's method) with a penalty ``weight / 2 * |theta - prior|^2``; the first
    three (best score, distance below it, evidence) kept non-negative, so the mapping stays monotone."""
    import numpy as np

    theta = prior.astype(np.float64).copy()
    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    for _ in range(iterations):
        p = _sigmoid(X @ theta)
        g = X.T @ (sw * (p - y)) + weight * (theta - prior)
        H = (X * (sw * p * (1 - p))[:, None]).T @ X + weight * np.eye(len(theta))
        step = np.linalg.solve(H, g)
        theta = theta - step
        theta[:3] = np.maximum(theta[:3], 0.0)
        if np.abs(step).max() < 1e-8:
            break
    return tuple(float(t) for t in theta)


def _platt(x: Any, y: Any, iterations: int = 30) -> tuple[float, float]:
    """Logistic fit ``p = 1 / (1 + exp(-(a x + b)))`` by Newton's method, with an L2 penalty ``a^2 / 2``
    on the slope (the objective of scikit-learn's ``LogisticRegression(C=1)``; two parameters need no solver)."""
    import numpy as np

    a = b = 0.0
    for _ in range(iterations):
        p = _sigmoid(a * x + b)
        w = p * (1.0 - p)
        r = p - y
        g = np.array([float(r @ x) + a, float(r.sum())])
        h = np.array([[float(w @ (x * x)) + 1.0, float(w @ x)], [float(w @ x), float(w.sum()) + 1e-9]])
        step = np.linalg.solve(h, g)
        a, b = a - float(step[0]), b - float(step[1])
        if abs(step).max() < 1e-8:
            break
    return a, b


def _snippet(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
