"""The suggestion model: a codebook prior that learns from the team's coding.

How a unit is scored against a code (on L2-normalised TF-IDF word + character n-gram vectors, and on
dense word vectors in step 4):

1. **Codebook prior (zero-shot).** Cosine to the code's whole profile (name, definition, questions,
   keywords, examples, include), plus the mean of the three closest *pieces* of that profile (each
   example, question, include item or definition sentence on its own: short units resemble one
   example far more than the whole profile), plus a bonus for fuzzy keyword matches, minus the
   closeness to the code's ``exclude`` items. Long passages are also scored sentence by sentence and
   the best sentence counts, so one relevant sentence in a long answer is not drowned out. When the
   interviewer's question before a unit is known (:meth:`Suggester.set_corpus`), the question is scored the
   same way; its preference among the codes joins the blend (step 5) with weight ``QUESTION_BLEND``.
2. **Self-training on the corpus.** Units the prior assigns to a code with a clear margin (and the
   units the team coded, weighted more) form a centroid per code; closeness to it is added to the
   prior. This needs no labels and adapts the codebook's wording to the transcripts' wording.
3. **Learning from coding.** Two learners on the team's codings and decisions: Rocchio centroids
   (coded units + the codebook text, minus rejected units) and a multi-label kernel ridge classifier
   trained on coded units with the codebook pieces as extra positives. Rejected suggestions are
   negative examples. A code's positives weigh ``(median n / n) ** 0.5`` (``CLASS_BALANCE``), so a
   frequent code that co-occurs with everything does not take the first place from the rarer code a
   unit also carries.
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
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.model import Code, Codebook
from qualcode.nlp.features import Featurizer
from qualcode.nlp.keywords import KeywordMatcher
from qualcode.nlp.text import TextPipeline, get_pipeline
from qualcode.nlp.transduce import ALPHA, knn_graph, neighbour_rows, softmax_rows, spread
from qualcode.nlp.transduce import MAX_UNITS as MAX_GRAPH_UNITS
from qualcode.nlp.vectors import TextVectors, piece_vectors

if TYPE_CHECKING:
    import numpy as np

# --- method constants (documented in the module docstring) --------------------------------------
PIECE_TOP = 3  # closest codebook pieces averaged per code
KEYWORD_WEIGHT = 0.15  # bonus for the first matched keyword; further ones add less
EXCLUDE_WEIGHT = 0.6  # how strongly closeness to an exclude item lowers a score
SELF_TRAIN_WEIGHT = 0.6
SELF_TRAIN_FRACTION = 0.2  # share of a code's prior-assigned units (best margins) used as its centroid
SELF_TRAIN_MIN_EVIDENCE = 0.1  # prior score a unit needs before it can be pseudo-labelled
SEED_WEIGHT = 3.0  # a coded unit counts this much more than a self-trained one in the centroid
LEARN_HALF = 5.0  # n at which learned and prior weigh 1.5 : 1
LEARN_MAX = 3.0
RIDGE_LAMBDA = 0.3
PIECE_WEIGHT = 0.5  # codebook pieces as training rows weigh half a coded unit
MIN_CALIBRATION = 10
CALIBRATION_UNITS = 200
PRIOR_REFERENCE = 0.3  # evidence at which the uncalibrated score reaches 63% of the blend
SENTENCE_MIN_CHARS = 160  # passages longer than this are also scored sentence by sentence
PRIOR_SPREAD_FLOOR = 0.2
QUESTION_WEIGHT = 0.5  # weight of the question's prior when choosing an answer's self-training code
QUESTION_BLEND = 0.5  # weight of the question in the blend (prior and learned scores weigh 1)
BATCH = 1024
CLASS_BALANCE = 0.5  # positives of a code weigh (median n / n) ** this in the learners' targets
VECTOR_WEIGHT = 0.5  # weight of the word-vector learner in the blend before enough units are coded
VECTOR_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)  # then chosen among these by leave-one-out ranking
VECTOR_LAMBDA = 1.0  # ridge penalty of the word-vector learner
LOWERED = 0.9  # a codability factor below this is said in the explanation
CODABLE_LAMBDA = 1.0  # ridge penalty of the codability model (units worth coding vs units passed over)
VECTOR_SPREAD_FLOOR = 0.3  # word-vector scores closer together than this are mostly noise (small talk)


@dataclass
class Example:
    """A unit the team has coded: the codes applied, and the suggested codes they rejected."""

    id: str
    text: str
    codes: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)


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
        self._calib: tuple[Any, float] | None = None
        self._ridge: tuple[Any, Any] | None = None
        self._dual: tuple[Any, Any] | None = None
        self._corpus_digest = hashlib.sha256().hexdigest()
        self._data_digest = self._corpus_digest
        self._zs_corpus: Any = None
        self._Xc: Any = None
        self._G: Any = None
        self._Wc: Any = None
        self._Fn: Any = None
        self._rank_c: Any = None
        self._ev_c: Any = None
        self._st_base: Any = None
        self._Y0: Any = None
        self._zq_corpus: Any = None
        self._zqL: Any = None
        self._tv: TextVectors | None = None
        self._Vc: Any = None
        self._Vq: Any = None
        self._VL: Any = None
        self._vec: tuple[Any, Any, Any] | None = None
        self._vw = VECTOR_WEIGHT
        self.restored_learned = False

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
            h = hashlib.sha256()
            for t, q, g in zip(texts, qs, ts, strict=True):
                h.update(t.encode("utf-8", "surrogatepass") + b"\x1f" + q.encode("utf-8", "surrogatepass") + b"\x1f"
                         + str(g).encode("utf-8", "surrogatepass") + b"\x1e")
            self._corpus_digest = h.hexdigest()

    def update(self, examples: Sequence[Example]) -> None:
        """Retrain on the team's coded units (every call replaces the previous training data).

        An example with neither codes nor rejected codes is a unit the team read and left uncoded (small talk,
        context): it teaches the model what is not worth coding (see :meth:`_fit_codable`).

        Fast (well under a second for 1,000 coded units) because the vectoriser is kept and the
        learners are closed-form.
        """
        self._examples = [e for e in examples if e.text and e.text.strip() and (e.codes or e.rejected)]
        passed = sorted((e for e in examples if e.text and e.text.strip() and not (e.codes or e.rejected)),
                        key=lambda e: e.id)
        self._passed = [e.text for e in passed]
        h = hashlib.sha256()
        for e in sorted(self._examples, key=lambda e: e.id):
            h.update(f"{e.id}\x1f{e.text}\x1f{sorted(e.codes)}\x1f{sorted(e.rejected)}\x1e".encode())
        for e in passed:
            h.update(f"passed\x1f{e.id}\x1f{e.text}\x1e".encode())
        self._data_digest = h.hexdigest()
        new_hash = self._data_digest[:8] if self._examples else "0" * 8
        if new_hash == self._data_hash and self._prepared:
            return
        self._data_hash = new_hash
        if self._prepared and [c.id for c in self._candidates()] != self._code_ids:
            self._prepared = False  # a parent code came into use, or went out of use: the candidates changed
        if self._prepared:
            self._learn()

    @property
    def model_version(self) -> str:
        """e.g. ``zs-1a2b3c4d+k120-9f8e7d6c``: codebook hash and training data (count and hash)."""
        n = len(self._examples)
        return f"zs-{self.codebook_hash[:8]}+k{n}-{self._data_hash}"

    @property
    def n_examples(self) -> int:
        return len(self._examples)

    @property
    def calibrated(self) -> bool:
        """True once enough units are coded for scores to be fitted to the team's decisions."""
        self._ensure()
        return self._calib is not None

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
        self._Xc = rows[: len(corpus)] if corpus else None
        pv = piece_vectors()
        self._tv = TextVectors.fit(pv, fit_texts) if pv is not None else None
        self._Vc = self._tv.transform(corpus) if self._tv is not None and corpus else None
        self._Vq = self._tv.transform(self._pieces) if self._tv is not None else None
        self._zs_corpus = self._zero_shot(self._Xc, corpus) if corpus else None
        self._zq_corpus = None
        if self._zs_corpus is not None and self._corpus and any(self._questions):
            asked = sorted({q for q in self._questions if q.strip()})
            zq = self._zero_shot(fz.transform(asked), asked)
            at = {q: i for i, q in enumerate(asked)}
            rows_q = np.asarray([at.get(q, -1) for q in self._questions])
            has_q = rows_q >= 0
            # Only how much more the question points to one code than to the others carries information.
            zq = zq - zq.min(axis=1, keepdims=True)
            self._zq_corpus = np.zeros_like(self._zs_corpus)
            self._zq_corpus[has_q] = zq[rows_q[has_q]]
        # The unit graph for label spreading depends on the units only, so it is built here, once.
        self._G = None
        self._Wc = self._word_block(self._Xc) if 2 < len(corpus) <= MAX_GRAPH_UNITS else None
        if self._Wc is not None:
            self._G = knn_graph(self._Wc, chains=self._turns if self._corpus and any(self._turns) else None)
        self._adopt_corpus(corpus)
        self._learn()

    def _set_codes(self, codes: list[Code], pieces: list[str], owner: Any, excl_owner: Any) -> None:
        """The candidate codes and their codebook pieces (grouped by code), with what depends on them only."""
        import numpy as np

        self.codes: list[Code] = codes
        self._code_ids = [c.id for c in codes]
        self._col = {cid: j for j, cid in enumerate(self._code_ids)}
        self._pieces = list(pieces)
        self._owner = np.asarray(owner, dtype=np.int64)
        self._excl_owner = np.asarray(excl_owner, dtype=np.int64)
        self._matchers = [KeywordMatcher(c.keywords) for c in codes]
        self._index_keywords()
        # Pieces are grouped by code so per-code reductions work on column slices.
        bounds = np.searchsorted(self._owner, np.arange(len(codes) + 1))
        self._piece_bounds = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))

    def _rows(self, texts: Sequence[str]) -> Any:
        """The corpus row of each text (-1 for a text outside the corpus)."""
        import numpy as np

        return np.asarray([self._row_of.get(t, -1) for t in texts], dtype=np.int64)

    def _question_rows(self, rows: Any) -> Any:
        """The question scores of corpus rows (zeros for rows outside the corpus); None without questions."""
        import numpy as np

        if self._zq_corpus is None:
            return None
        return np.where((rows >= 0)[:, None], self._zq_corpus[np.maximum(rows, 0)], 0.0).astype(np.float32)

    def _adopt_corpus(self, corpus: list[str]) -> None:
        """The units being coded are featurised once; scoring them again reuses these rows."""
        self._row_of = {t: i for i, t in reversed(list(enumerate(corpus)))}
        self._st_base = None
        self._prepared = True

    def _word_block(self, X: Any) -> Any:
        """The word TF-IDF rows inside joined feature rows (the first block), L2-normalised again: the same
        rows as the featurizer's word block alone, without tokenising the texts a second time."""
        from qualcode.nlp.tfidf import l2_rows

        if X is None or self.featurizer is None:
            return None
        return l2_rows(X[:, : self.featurizer.n_word_features].tocsr())

    def _index_keywords(self) -> None:
        """One matcher over every code's keywords, and which codes each keyword belongs to."""
        import numpy as np

        self._kw_all = KeywordMatcher([k for m in self._matchers for k in m.keywords])
        kw_index = {k: i for i, k in enumerate(self._kw_all.keywords)}
        owners: list[list[int]] = [[] for _ in self._kw_all.keywords]
        for j, m in enumerate(self._matchers):
            for k in m.keywords:
                owners[kw_index[k]].append(j)
        self._kw_codes = [np.asarray(o, dtype=np.int64) for o in owners]

    def _candidates(self) -> list[Code]:
        used = {c for e in self._examples for c in e.codes}
        # Leaves are what coders apply; a parent becomes a candidate once the team has used it.
        return [c for c in self.codebook.walk() if not c.children or c.id in used]

    def _ensure(self) -> None:
        if not self._prepared:
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
        return corpus_key, hashlib.sha256(f"{corpus_key}\x1f{self._data_digest}".encode()).hexdigest()

    def export_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The fitted state as (corpus part, learned part): NumPy arrays, SciPy sparse matrices and
        JSON-able values, so it can be saved without pickling. See :meth:`restore_state`."""
        import numpy as np

        self._ensure()
        assert self.featurizer is not None
        fz = self.featurizer.state()
        corpus: dict[str, Any] = {
            "code_ids": list(self._code_ids),
            "pieces": list(self._pieces),
            "profile_terms": [sorted(t) for t in self._profile_terms],
            "owner": self._owner,
            "excl_owner": self._excl_owner,
            "P": self._P,
            "Q": self._Q,
            "E": self._E,
            "Xc": self._Xc,
            "zs_corpus": self._zs_corpus,
            "zq_corpus": self._zq_corpus,
            "G": self._G,
            "word_terms": fz["word_terms"],
            "word_idf": fz["word_idf"],
            "char_terms": fz["char_terms"],
            "char_idf": fz["char_idf"],
            "n_corpus": len(self._corpus),
            "Vc": self._Vc,
            "Vq": self._Vq,
            "vector_weights": None if self._tv is None else self._tv.weights,
        }
        rows = self._ex_rows
        outside = np.flatnonzero(rows < 0)
        learned: dict[str, Any] = {
            "example_ids": [e.id for e in self._ex],
            "example_rows": rows,
            # Coded units outside the corpus (e.g. an interviewer's turn) have no row to look up.
            "XL_outside": self._XL[outside] if self._XL is not None and len(outside) else None,
            "zsL_outside": self._zsL[outside] if self._zsL is not None and len(outside) else None,
            "dual_A": None if self._dual is None else self._dual[0],
            "dual_mean": None if self._dual is None else self._dual[1],
            "calib": None if self._calib is None else [float(self._calib[0][0]), float(self._calib[1])],
            "Fn": self._Fn,
            "rank_c": self._rank_c,
            "ev_c": self._ev_c,
            "vector_weight": float(self._vw),
        }
        return corpus, learned

    def restore_state(self, corpus: dict[str, Any], learned: dict[str, Any] | None = None) -> bool:
        """Take over a state saved by :meth:`export_state` for the same :meth:`state_keys`.

        Without the learned part (the codings changed since it was saved), the learners are refitted,
        which is fast. Returns False, changing nothing, when the state does not fit this suggester.
        """
        import numpy as np

        codes = self._candidates()
        corpus_texts = self._corpus or [e.text for e in self._examples]
        if corpus.get("code_ids") != [c.id for c in codes] or corpus.get("n_corpus") != len(self._corpus):
            return False
        C, n = len(codes), len(corpus_texts)
        Xc, zs = corpus.get("Xc"), corpus.get("zs_corpus")
        if n and (Xc is None or zs is None or Xc.shape[0] != n or zs.shape != (n, C)):
            return False
        zq = corpus.get("zq_corpus")
        if zq is not None and (zs is None or zq.shape != zs.shape):
            return False
        # Saved with or without word vectors, and this installation differs: never mix the two.
        pv, weights = piece_vectors(), corpus.get("vector_weights")
        Vc, Vq = corpus.get("Vc"), corpus.get("Vq")
        if pv is None:
            if weights is not None:
                return False
        elif weights is None or len(weights) != len(pv.vectors) or Vq is None or (n and (Vc is None or len(Vc) != n)):
            return False
        # Every check is done: from here on the state is taken over.
        self.featurizer = Featurizer.from_state(self.pipeline, corpus)
        self._set_codes(codes, corpus["pieces"], corpus["owner"], corpus["excl_owner"])
        self._P, self._Q, self._E = corpus["P"], corpus["Q"], corpus.get("E")
        self._profile_terms = [set(t) for t in corpus["profile_terms"]]
        self._Xc = Xc if n else None
        self._zs_corpus = zs if n else None
        self._zq_corpus = zq
        self._G = corpus.get("G")
        self._Wc = self._word_block(self._Xc) if self._G is not None else None
        self._tv = None if pv is None else TextVectors(pv, np.asarray(weights, dtype=np.float32))
        self._Vc, self._Vq = (Vc if n else None), Vq
        self._adopt_corpus(corpus_texts)
        self.restored_learned = learned is not None and self._restore_learned(learned)
        if not self.restored_learned:
            self._learn()
        return True

    def reset(self) -> None:
        """Forget the fitted state; the next call that needs the model fits it again."""
        self._prepared = False
        self._st_base = None

    def _restore_learned(self, learned: dict[str, Any]) -> bool:
        import numpy as np
        from scipy.sparse import csr_matrix, vstack

        ex = [e for e in self._examples if (e.codes | e.rejected) & set(self._col)]
        rows = np.asarray(learned["example_rows"], dtype=np.int64)
        if learned.get("example_ids") != [e.id for e in ex] or len(rows) != len(ex):
            return False
        C = len(self.codes)
        XL = zsL = None
        if ex:
            inside = rows >= 0
            outside = np.flatnonzero(~inside)
            if inside.any() and self._Xc is None:
                return False
            parts_x, parts_z = [], []
            if inside.any():
                parts_x.append(self._Xc[rows[inside]])
                parts_z.append(self._zs_corpus[rows[inside]])
            if len(outside):
                xo, zo = learned.get("XL_outside"), learned.get("zsL_outside")
                if xo is None or zo is None or xo.shape[0] != len(outside):
                    return False
                parts_x.append(csr_matrix(xo))
                parts_z.append(np.asarray(zo))
            order = np.empty(len(ex), dtype=np.int64)
            order[np.flatnonzero(inside)] = np.arange(int(inside.sum()))
            order[outside] = int(inside.sum()) + np.arange(len(outside))
            XL = vstack(parts_x, format="csr")[order]
            zsL = np.vstack(parts_z)[order]
        A, mean = learned.get("dual_A"), learned.get("dual_mean")
        self._set_training_rows(ex, XL, zsL)
        if self._XL is not None and self._Y.any():
            n_train = len(ex) + self._Q.shape[0] + C
            if A is None or mean is None or A.shape != (n_train, C):
                return False
            self._dual = (np.asarray(A, dtype=np.float32), np.asarray(mean, dtype=np.float32))
        else:
            self._dual = None
        self._materialise()
        self._vw = float(learned.get("vector_weight", VECTOR_WEIGHT))
        calib = learned.get("calib")
        self._calib = None if calib is None else (np.asarray([calib[0]]), float(calib[1]))
        self._Fn, self._rank_c, self._ev_c = learned.get("Fn"), learned.get("rank_c"), learned.get("ev_c")
        self._fit_codable()
        if self._G is not None and (self._Fn is None or self._rank_c is None or self._ev_c is None):
            self._transduce()
        return True

    # ------------------------------------------------------------------ scoring pieces
    def _features(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """TF-IDF rows and zero-shot prior for texts, reusing what was computed for the corpus."""
        assert self.featurizer is not None
        fz = self.featurizer

        def compute(new: list[str]) -> list[Any]:
            X = fz.transform(new)
            return [X, self._zero_shot(X, new)]

        X, zs = self._corpus_or_computed(texts, None if self._Xc is None else [self._Xc, self._zs_corpus], compute)
        return X, zs

    def _corpus_or_computed(self, texts: Sequence[str], cached: list[Any] | None,
                            compute: Callable[[list[str]], list[Any]]) -> list[Any]:
        """Rows for ``texts``: taken from ``cached`` (matrices with one row per corpus unit) for corpus units,
        computed by ``compute`` for the others, in the order of ``texts``."""
        import numpy as np
        from scipy.sparse import issparse, vstack

        rows = self._rows(texts)
        known = rows >= 0
        if cached is None or not known.any():
            return compute(list(texts))
        if known.all():
            return [c[rows] for c in cached]
        new = compute([t for t, k in zip(texts, known.tolist(), strict=True) if not k])
        order = np.empty(len(texts), dtype=np.int64)
        order[known] = np.arange(int(known.sum()))
        order[~known] = int(known.sum()) + np.arange(int((~known).sum()))
        return [(vstack([c[rows[known]], m], format="csr") if issparse(c) else np.vstack([c[rows[known]], m]))[order]
                for c, m in zip(cached, new, strict=True)]

    def _zero_shot(self, X: Any, texts: Sequence[str]) -> np.ndarray:
        """Codebook prior for each (unit, code); sentence-level best is mixed in for long units."""
        import numpy as np

        zs = self._zero_shot_rows(X, texts)
        long_idx = [i for i, t in enumerate(texts) if len(t) >= SENTENCE_MIN_CHARS]
        if long_idx:
            sents: list[str] = []
            owner: list[int] = []
            for i in long_idx:
                ss = [s for s in self.pipeline.sentences(texts[i]) if len(s) > 2]
                if len(ss) > 1:
                    sents += ss
                    owner += [i] * len(ss)
            if sents:
                assert self.featurizer is not None
                zsent = self._zero_shot_rows(self.featurizer.transform(sents), sents)
                own = np.asarray(owner)
                starts = np.r_[0, np.flatnonzero(np.diff(own)) + 1]
                best = np.maximum.reduceat(zsent, starts, axis=0)
                rows = own[starts]
                zs[rows] = 0.5 * zs[rows] + 0.5 * np.maximum(best, zs[rows])
        return zs

    def _zero_shot_rows(self, X: Any, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        n, C = X.shape[0], len(self.codes)
        sp = (X @ self._P.T).toarray()
        sq = (X @ self._Q.T).toarray()
        nn = np.zeros((n, C), dtype=np.float32)
        for j, (a, b) in enumerate(self._piece_bounds):
            m = b - a
            if m == 0:
                continue
            part = sq[:, a:b]
            if m > PIECE_TOP:
                part = np.partition(part, m - PIECE_TOP, axis=1)[:, m - PIECE_TOP :]
            nn[:, j] = part.mean(axis=1)
        zs = sp + nn
        if self._E is not None:
            se = (X @ self._E.T).toarray()
            pen = np.zeros((n, C), dtype=np.float32)
            np.maximum.at(pen.T, self._excl_owner, se.T)
            zs -= EXCLUDE_WEIGHT * pen
        if self._kw_all.keywords:
            # One matcher over every code's keywords: each text is tokenised and each word resolved once.
            count = np.zeros((n, C), dtype=np.float32)
            for i, hits in enumerate(self._kw_all.match_many(list(texts))):
                for k in hits:
                    count[i, self._kw_codes[k]] += 1
            # 1 keyword -> the full weight, 2 -> 1.5x, saturating at 2x
            zs += KEYWORD_WEIGHT * 2 * (1 - 0.5**count)
        return zs.astype(np.float32)

    # ------------------------------------------------------------------ learning
    def _learn(self) -> None:
        """Fit self-training centroids, Rocchio centroids, ridge, label spreading and calibration."""
        from threadpoolctl import threadpool_limits

        # The matrices are small (coded units x coded units): BLAS threads gain nothing here, and on a busy
        # machine (or beside the TUI's own threads) their spin-waiting made retraining several times slower.
        with threadpool_limits(limits=1, user_api="blas"):
            self._fit()

    def _fit(self) -> None:
        import numpy as np

        assert self.featurizer is not None
        ex = [e for e in self._examples if (e.codes | e.rejected) & set(self._col)]
        if ex:
            XL, zsL = self._features([e.text for e in ex])
        else:
            XL = zsL = None
        self._set_training_rows(ex, XL, zsL)
        self._dual = None
        if self._XL is not None and self._Y.any():
            # Multi-label kernel ridge (dual form: one solve for all codes, closed-form leave-one-out).
            from scipy.linalg import cho_solve, cholesky

            Xt, targets, sw = self._ridge_rows()
            # float32 halves the factorisation time; the ridge term keeps the system well conditioned.
            K = (Xt @ Xt.T).toarray().astype(np.float32)
            mean = targets.mean(axis=0)
            reg = K + np.diag((RIDGE_LAMBDA / sw).astype(np.float32))
            factor = (cholesky(reg, lower=True, overwrite_a=True, check_finite=False), True)
            A = cho_solve(factor, targets - mean, check_finite=False)
            self._dual = (A.astype(np.float32), mean.astype(np.float32))
        self._materialise()
        self._vw = VECTOR_WEIGHT
        loo = self._loo_inputs(K, factor, A, targets, mean) if self._dual is not None else None
        parts = None
        if loo is not None:
            sel, ridge_loo, vec_loo = loo
            parts = self._blend_parts(self._XL, self._zsL, ridge=ridge_loo, rows=sel, q=self._zqL, V=self._VL,
                                      vec=vec_loo)
            if parts[2] is not None:
                self._vw = self._choose_vector_weight(sel, parts[0], parts[2])
        self._transduce()
        if loo is not None and parts is not None:
            self._fit_calibration(loo[0], _with_vectors(parts[0], parts[2], self._vw))
        else:
            self._calib = None
        self._fit_codable()

    def _set_training_rows(self, ex: list[Example], XL: Any, zsL: Any) -> None:
        """The coded units as rows (``_XL``), their codes (``_Y``) and rejected codes (``_R``)."""
        import numpy as np

        C = len(self.codes)
        self._ex = ex
        self._ex_rows = self._rows([e.text for e in ex])  # their corpus rows (-1: not in the corpus)
        self._XL, self._zsL = XL, zsL
        Y = np.zeros((len(ex), C), dtype=bool)
        R = np.zeros((len(ex), C), dtype=bool)
        for i, e in enumerate(ex):
            for c in e.codes:
                if c in self._col:
                    Y[i, self._col[c]] = True
            for c in e.rejected - e.codes:
                if c in self._col:
                    R[i, self._col[c]] = True
        self._Y, self._R = Y, R
        self._VL = self._dense([e.text for e in ex]) if ex and self._tv is not None else None
        self._zqL = self._question_rows(self._ex_rows) if ex else None
        self._label_rows = [np.flatnonzero(Y[:, j]) for j in range(C)]
        self._n = Y.sum(axis=0).astype(np.float32)
        self._w = LEARN_MAX * self._n / (self._n + LEARN_HALF)

    def _ridge_rows(self) -> tuple[Any, Any, Any]:
        """Training rows of the ridge (coded units, then codebook pieces and profiles), targets, weights."""
        import numpy as np
        from scipy.sparse import vstack

        C = len(self.codes)
        Xt = vstack([self._XL, self._Q, self._P], format="csr")
        eye = np.eye(C, dtype=np.float32)
        targets = np.vstack([self._coded_targets(), eye[self._owner], eye])
        sw = np.r_[np.ones(self._XL.shape[0]), np.full(self._Q.shape[0] + C, PIECE_WEIGHT)]
        return Xt, targets, sw

    def _materialise(self) -> None:
        """Self-training and Rocchio centroids and primal ridge weights, from the training rows and the
        ridge's dual coefficients. Cheap (sparse products), so a restored model recomputes them rather
        than storing three dense code x feature matrices."""
        import numpy as np

        from qualcode.nlp.tfidf import l2_rows as normalize

        self._fit_vectors()
        # Self-training centroids: confident prior assignments on the corpus plus the coded units.
        cent = self._self_train_base().copy()
        Y = self._Y
        if self._XL is not None:
            cent += SEED_WEIGHT * np.asarray((self._XL.T @ Y.astype(np.float32)).T)
        self._ST = normalize(cent) if cent.any() else None
        if self._XL is None or not Y.any():
            self._ridge = None
            self._roc = None
            return
        XL, R = self._XL, self._R
        roc = np.asarray((XL.T @ Y.astype(np.float32)).T) + self._P.toarray()
        if R.any():
            Rf = R.astype(np.float32)
            rn = np.maximum(Rf.sum(axis=0), 1.0)[:, None]
            roc -= 0.5 * np.asarray((XL.T @ Rf).T) / rn
        self._roc = normalize(np.maximum(roc, 0))
        assert self._dual is not None
        A, mean = self._dual
        Xt = self._ridge_rows()[0]
        # Primal weights (features x codes): scoring is then one sparse-dense product, not a kernel.
        self._ridge = (np.asarray(Xt.T @ A), mean)

    def _vector_rows(self) -> tuple[Any, Any, Any]:
        """Training rows of the word-vector learner (coded units, then codebook pieces), targets, weights."""
        import numpy as np

        C = len(self.codes)
        targets = np.eye(C, dtype=np.float32)[self._owner]
        if self._VL is None:
            return self._Vq, targets, np.full(len(targets), PIECE_WEIGHT, dtype=np.float32)
        coded = self._coded_targets()
        sw = np.r_[np.ones(len(coded)), np.full(len(targets), PIECE_WEIGHT)].astype(np.float32)
        return np.vstack([self._VL, self._Vq]), np.vstack([coded, targets]), sw

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

        assert self._vec is not None and self._VL is not None
        W, mean, Minv = self._vec
        V = self._VL[sel]
        return _loo(V @ W, _hat(V, Minv), self._coded_targets()[sel] - mean)  # the targets it was fitted on

    def _dense(self, texts: Sequence[str]) -> Any:
        """Dense text vectors, reusing the corpus rows."""
        tv = self._tv
        assert tv is not None
        return self._corpus_or_computed(texts, None if self._Vc is None else [self._Vc],
                                        lambda new: [tv.transform(new)])[0]

    def _self_train_base(self) -> Any:
        """Sum of the corpus units the prior assigns to each code with the clearest margins.

        It depends on the corpus and codebook only, so it is computed once per corpus, not per retraining.
        """
        import numpy as np

        if self._st_base is not None:
            return self._st_base
        C = len(self.codes)
        cent = np.zeros((C, self._P.shape[1]), dtype=np.float32)
        if self._zs_corpus is not None and self._Xc is not None and C > 1:
            zs = self._zs_corpus
            if self._zq_corpus is not None:  # the question helps decide which code an answer is a clear case of
                zs = zs + QUESTION_WEIGHT * self._zq_corpus
            am = zs.argmax(axis=1)
            srt = np.sort(zs, axis=1)
            margin = srt[:, -1] - srt[:, -2]
            for j in range(C):
                # Units with hardly any codebook evidence would only teach the centroid noise.
                idx = np.flatnonzero((am == j) & (srt[:, -1] >= SELF_TRAIN_MIN_EVIDENCE))
                if len(idx) == 0:
                    continue
                keep = idx[np.argsort(-margin[idx], kind="stable")][: max(3, int(len(idx) * SELF_TRAIN_FRACTION))]
                cent[j] += np.asarray(self._Xc[keep].sum(axis=0)).ravel()
        self._st_base = cent
        return cent

    def _transduce(self) -> None:
        """Label spreading over the unit graph, seeded by the blend and the coded units' codes.

        The result for every corpus unit is cached: scoring a unit of the corpus is then a lookup.
        """
        import numpy as np

        self._Fn = self._rank_c = self._ev_c = None
        if self._G is None or self._Xc is None:
            return
        n = self._Xc.shape[0]
        blend = np.zeros((n, len(self.codes)), dtype=np.float32)
        ev = np.zeros_like(blend)
        for a in range(0, n, BATCH):
            q = None if self._zq_corpus is None else self._zq_corpus[a : a + BATCH]
            V = None if self._Vc is None else self._Vc[a : a + BATCH]
            blend[a : a + BATCH], ev[a : a + BATCH] = self._blend(self._Xc[a : a + BATCH],
                                                                  self._zs_corpus[a : a + BATCH], q=q, V=V)
        Y0 = softmax_rows(blend)
        # A coded unit is a known answer: its codes are its seed, and a rejected code has no mass.
        for i, r in enumerate(self._ex_rows.tolist()):
            if r < 0:
                continue
            if self._Y[i].any():
                Y0[r] = self._Y[i] / self._Y[i].sum()
            elif self._R[i].any():
                Y0[r, self._R[i]] = 0.0
                Y0[r] /= max(float(Y0[r].sum()), 1e-12)
        self._Y0 = Y0
        self._Fn = spread(self._G, Y0)
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

    def _codable_features(self, texts: Sequence[str], V: Any, zs: Any) -> Any:
        """What tells a unit worth coding from talk: its word vector, its best codebook evidence, its length."""
        import numpy as np

        words = np.log1p(np.asarray([len(t.split()) for t in texts], dtype=np.float32))[:, None] / 3
        return np.hstack([V, zs.max(axis=1, keepdims=True), words]).astype(np.float32)

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
        if self._tv is None or len(self._passed) < MIN_CALIBRATION or self._XL is None:
            return
        has_code = np.asarray(self._Y.any(axis=1))
        pos = [e.text for e, y in zip(self._ex, has_code.tolist(), strict=True) if y]
        if len(pos) < MIN_CALIBRATION or self._VL is None:
            return
        # The coded units' rows were computed for the learners; only the passed-over units are new here.
        _, zs_passed = self._features(self._passed)
        F = np.vstack([self._codable_features(pos, self._VL[has_code], self._zsL[has_code]),
                       self._codable_features(self._passed, self._dense(self._passed), zs_passed)])
        y = np.r_[np.ones(len(pos)), np.zeros(len(self._passed))].astype(np.float32)
        mu, ybar = F.mean(axis=0), float(y.mean())
        Fc = F - mu
        w, Minv = _primal_ridge(Fc, y - ybar, CODABLE_LAMBDA)
        loo = _loo(Fc @ w, _hat(Fc, Minv), y - ybar)
        a, b = _platt(loo.astype(np.float64), y.astype(np.float64))
        # A typical coded unit's own probability (leave-one-out): units that look as codable keep their scores.
        typical = float(np.median(_sigmoid(a * loo[: len(pos)] + b)))
        self._codable = (w, mu, float(a), float(b), max(typical, 1e-3))

    def _codability(self, texts: Sequence[str], V: Any, zs: Any) -> Any:
        """Per text, ``P(codable)`` relative to a typical coded unit's, capped at 1; None before units passed
        over are known. Units that look like those the team codes keep their scores; units that look like
        those it passes over (greetings, consent, logistics) have theirs lowered in proportion."""
        import numpy as np

        if self._codable is None or V is None:
            return None
        w, mu, a, b, typical = self._codable
        z = a * ((self._codable_features(texts, V, zs) - mu) @ w) + b
        return np.minimum(1.0, _sigmoid(z) / typical)

    def _loo_inputs(self, K: Any, factor: Any, A: Any, targets: Any, mean: Any) -> tuple[Any, Any, Any] | None:
        """A subsample of (up to CALIBRATION_UNITS) coded units and their leave-one-out ridge and word-vector
        scores: what the calibration and the choice of the word-vector weight are fitted on."""
        import numpy as np
        from scipy.linalg import cho_solve

        n = len(self._ex)
        if n < MIN_CALIBRATION:
            return None
        # A fixed, evenly spaced subsample keeps this step fast and deterministic on big projects.
        sel = np.linspace(0, n - 1, min(n, CALIBRATION_UNITS)).round().astype(np.int64)
        # Ridge leave-one-out: f_loo = (f - h y) / (1 - h) with h the diagonal of the hat matrix.
        Kl = K[sel]
        f = Kl @ A + mean
        hat = np.einsum("ij,ji->i", Kl, cho_solve(factor, np.ascontiguousarray(K[:, sel]), check_finite=False))
        y = targets[sel]
        ridge_loo = _loo(f, hat, y)
        vec_loo = self._vector_loo(sel) if self._vec is not None and self._VL is not None else None
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

    def _fit_calibration(self, sel: Any, blend: Any) -> None:
        """Platt scaling on leave-one-out blended scores (``blend``) of (up to CALIBRATION_UNITS) coded units."""
        import numpy as np

        blend = self._loo_rank(sel, blend)
        target = self._Y[sel]
        known = target | self._R[sel]
        # Units with a code are informative for every code; rows without any positive are only
        # informative about what they rejected.
        has_pos = np.asarray(target.any(axis=1))
        mask = np.where(has_pos[:, None], True, known)
        # Only the blend goes in, so the mapping is monotone and the ranking stays the blend's.
        feats = blend[mask][:, None]
        lab = target[mask]
        if lab.all() or not lab.any():
            self._calib = None
            return
        coef, icpt = _platt(feats[:, 0].astype(np.float64), lab.astype(np.float64))
        self._calib = (np.asarray([coef]), icpt)

    def _loo_rank(self, sel: Any, blend: Any) -> Any:
        """Leave-one-out ranking scores of coded units: spreading with their own codes held out."""
        import numpy as np

        if self._Fn is None:
            return blend
        rows = self._ex_rows[sel]
        Y0 = self._Y0.copy()
        inside = rows >= 0
        # Held-out units are seeded with their leave-one-out blend, as an uncoded unit would be.
        Y0[rows[inside]] = softmax_rows(blend[inside])
        F = spread(self._G, Y0)
        out = np.empty_like(blend)
        out[inside] = (blend[inside] + _minmax(F[rows[inside]])) / 2
        if (~inside).any():
            out[~inside] = self._induct(self._XL[sel[~inside]], blend[~inside], F)
        return out

    # ------------------------------------------------------------------ the blend
    def _blend(self, X: Any, zs: Any, *, ridge: Any = None, rows: Any = None, q: Any = None, V: Any = None,
               vec: Any = None) -> tuple[Any, Any]:
        """Combine prior and learned scores.

        Returns the blend (per unit, in [0, 1]; what ranks codes) and the absolute evidence (how
        much a unit resembles the code's codebook text or coded units at all; what the score
        mapping uses so that the best of several poor codes is not shown as a sure thing).
        """
        base, evidence, vec_mm = self._blend_parts(X, zs, ridge=ridge, rows=rows, q=q, V=V, vec=vec)
        return _with_vectors(base, vec_mm, self._vw), evidence

    def _blend_parts(self, X: Any, zs: Any, *, ridge: Any = None, rows: Any = None, q: Any = None, V: Any = None,
                     vec: Any = None) -> tuple[Any, Any, Any]:
        """The blend without the word vectors, the evidence, and the scaled word-vector scores (None without
        vectors): apart, so that the leave-one-out choice of the vectors' weight computes the rest once."""
        import numpy as np

        if rows is not None:  # leave-one-out scoring of a subsample of the coded units
            X, zs = X[rows], zs[rows]
            q = None if q is None else q[rows]
            V = None if V is None else V[rows]
        prior = zs.copy()
        if self._ST is not None:
            prior = prior + SELF_TRAIN_WEIGHT * np.asarray(X @ self._ST.T)
        evidence = prior
        # A row whose prior spread is tiny has no codebook evidence; the floor keeps min-max scaling
        # from blowing that noise up into a confident-looking prior.
        out = _minmax(prior, floor=PRIOR_SPREAD_FLOOR)
        if self._roc is not None and self._XL is not None:
            # No nearest-coded-unit learner here: label spreading over the unit graph already lets
            # coded units speak for their neighbours, at a fraction of the cost.
            roc = np.asarray(X @ self._roc.T)
            if ridge is None:
                assert self._ridge is not None
                Wr, mean = self._ridge
                ridge = np.asarray(X @ Wr) + mean
            learned = (_minmax(roc) + 2 * _minmax(ridge)) / 3
            w = self._w[None, :]
            out = (out + w * learned) / (1 + w)
            evidence = np.maximum(evidence, roc)
        if q is not None:
            # The interviewer's question, kept out of the learned part so that it still counts once codes
            # have many examples; relative to the question's best code, floored so a vague question is weak.
            out = (out + QUESTION_BLEND * q / np.maximum(q.max(axis=1, keepdims=True), PRIOR_SPREAD_FLOOR)) / (
                1 + QUESTION_BLEND)
        vec_mm = None
        if self._vec is not None and V is not None:
            # Word vectors: related words count even when a unit shares no word with the examples.
            if vec is None:
                vec = V @ self._vec[0]
            vec_mm = _minmax(vec, floor=VECTOR_SPREAD_FLOOR)
        return out, evidence, vec_mm

    def _calibrate(self, blend: Any, zs_raw: Any) -> Any:
        import numpy as np

        if self._calib is None:
            # Relative standing among the codes times absolute evidence from the codebook text.
            return blend * (1.0 - np.exp(-np.maximum(zs_raw, 0.0) / PRIOR_REFERENCE))
        coef, icpt = self._calib
        return _sigmoid(coef[0] * blend + icpt)

    # ------------------------------------------------------------------ public scoring
    def _score_batch(self, texts: Sequence[str], *, coded_sims: bool = False) -> tuple[Any, Any, Any, Any]:
        """Calibrated scores for a batch, with the TF-IDF rows, (for explanations) similarities to coded units,
        and the codability factor applied (None when no unit passed over is known)."""
        import numpy as np

        X, zs = self._features(texts)
        sims = None
        if coded_sims and self._XL is not None and self._Y.any():
            sims = np.asarray((X @ self._XL.T).toarray())
        S, V = self._ranked(texts, X, zs)
        codable = self._codability(texts, V, zs)
        if codable is not None:
            S = S * codable[:, None]
        return S, X, sims, codable

    def _ranked(self, texts: Sequence[str], X: Any, zs: Any) -> tuple[Any, Any]:
        """Calibrated code scores (before codability) and the dense vectors of the texts."""
        import numpy as np

        V = self._dense(texts) if self._tv is not None else None
        at = self._rows(texts)
        rows = at if self._rank_c is not None else None
        if rows is not None and (rows >= 0).all():
            return self._calibrate(self._rank_c[rows], self._ev_c[rows]), V
        blend, raw = self._blend(X, zs, q=self._question_rows(at), V=V)
        if rows is None:
            return self._calibrate(blend, raw), V
        # Corpus units were ranked by spreading when the model was fitted; the others get one step of it.
        rank = blend.copy()
        known = rows >= 0
        rank[known] = self._rank_c[rows[known]]
        raw[known] = self._ev_c[rows[known]]
        if (~known).any():
            rank[~known] = self._induct(X[np.flatnonzero(~known)], blend[~known])
        return self._calibrate(rank, raw), V

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated scores, one row per text and one column per code in :attr:`code_ids`."""
        import numpy as np

        self._ensure()
        out = np.zeros((len(texts), len(self.codes)), dtype=np.float32)
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
    ) -> list[list[Suggestion]]:
        """The ``top`` best codes for each ``(id, text)`` unit, best first, each with its explanation."""
        import numpy as np

        self._ensure()
        version = self.model_version
        out: list[list[Suggestion]] = []
        for a in range(0, len(units), BATCH):
            chunk = units[a : a + BATCH]
            texts = [t for _, t in chunk]
            scores, X, sims, codable = self._score_batch(texts, coded_sims=explain)
            piece_sims = np.asarray((X @ self._Q.T).toarray()) if explain else None
            k = min(top, scores.shape[1])
            best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            for i, text in enumerate(texts):
                sugg = []
                pairs = self.pipeline.token_pairs(text) if explain else []
                for j in best[i]:
                    s = float(scores[i, j])
                    if s < min_score:
                        continue
                    code = self.codes[int(j)]
                    if explain:
                        why, ev = self._explain(text, int(j), pairs, piece_sims[i],  # type: ignore[index]
                                                None if sims is None else sims[i])
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
        X, _ = self._features([text])
        sims = np.asarray((X @ self._XL.T).toarray())[0] if self._XL is not None else None
        return self._explain(text, self._col[code_id], self.pipeline.token_pairs(text),
                             np.asarray((X @ self._Q.T).toarray())[0], sims)

    def _explain(
        self, text: str, j: int, pairs: list[tuple[str, str]], piece_sims: Any, coded_sims: Any
    ) -> tuple[str, dict[str, Any]]:

        assert self.featurizer is not None
        fz = self.featurizer
        code = self.codes[j]
        keywords = self._matchers[j].match(text) if self._matchers[j].keywords else []
        terms: list[str] = []
        seen: set[str] = set()
        ranked = sorted(
            (p for p in pairs if p[1] in self._profile_terms[j] and len(p[1]) > 2),
            key=lambda p: -fz.idf_of(p[1]),
        )
        for surface, norm in ranked:
            if norm not in seen:
                seen.add(norm)
                terms.append(surface)
            if len(terms) == 5:
                break
        closest: dict[str, Any] | None = None
        a, b = self._piece_bounds[j]
        if b > a:
            k = a + int(piece_sims[a:b].argmax())
            closest = {"source": "codebook", "text": _snippet(self._pieces[k]),
                       "similarity": round(float(piece_sims[k]), 3)}
        if coded_sims is not None and self._Y[:, j].any():
            idx = self._label_rows[j]
            k = int(idx[coded_sims[idx].argmax()])
            if closest is None or coded_sims[k] >= closest["similarity"]:
                e = self._ex[k]
                closest = {"source": "coded", "id": e.id, "text": _snippet(e.text),
                           "similarity": round(float(coded_sims[k]), 3)}
        parts = []
        if keywords:
            parts.append("keywords: " + ", ".join(keywords))
        if terms:
            parts.append("definition terms: " + ", ".join(terms))
        if closest is not None and closest["similarity"] > 0.05:
            where = f"coded unit {closest['id']}" if closest["source"] == "coded" else "codebook text"
            parts.append(f"closest {where}: \u201c{closest['text']}\u201d")
        if self._n[j]:
            parts.append(f"learned from {int(self._n[j])} coded unit(s)")
        why = "; ".join(parts) or f"closest overall to \u201c{code.name}\u201d"
        evidence = {"keywords": keywords, "terms": terms, "closest": closest, "coded_examples": int(self._n[j])}
        return why, evidence


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
    import numpy as np

    return np.einsum("ij,jk,ik->i", F, Minv, F)


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
