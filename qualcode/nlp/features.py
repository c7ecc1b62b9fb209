"""Sparse text features: TF-IDF over normalised words (1-2 grams) and character n-grams.

Words carry meaning; character n-grams inside word boundaries make inflections, compounds, typos
and unsegmented scripts still overlap. The IDF is fitted on the codebook text plus the units being
coded, which needs no labels and tells the model which words are ordinary in *this* corpus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.folding import fold
from qualcode.nlp.text import TextPipeline

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# Relative weight of the word block against the character block (both are L2-normalised first).
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 0.8
# Long interview passages produce very many character n-grams; capping the vocabulary keeps
# fitting and scoring fast without losing the informative (less frequent) ones that survive min_df.
MAX_CHAR_FEATURES = 300_000


class Featurizer:
    """Fits the vectorisers once; ``transform`` is then cheap and deterministic."""

    def __init__(self, pipeline: TextPipeline) -> None:
        self.pipeline = pipeline
        self._word: Any = None
        self._char: Any = None
        self._cache: dict[str, tuple[str, str]] = {}

    @property
    def fitted(self) -> bool:
        return self._word is not None

    def _prepare(self, texts: list[str]) -> tuple[list[str], list[str]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            normed = self.pipeline.normalise_many(missing)
            for t, n in zip(missing, normed, strict=True):
                self._cache[t] = (n, " ".join(fold(t).split()))
        words = [self._cache[t][0] for t in texts]
        chars = [self._cache[t][1] for t in texts]
        return words, chars

    def fit_transform(self, texts: list[str]) -> csr_matrix:
        """Fit on ``texts`` and return their rows (one pass over the text instead of two)."""
        from qualcode.nlp.tfidf import Tfidf, char_wb_ngrams

        words, chars = self._prepare(texts)
        # Bigrams are built from the normalised tokens (stop words already gone), so phrases such
        # as "not enough" or "call bell" get a feature of their own.
        self._word = Tfidf(None, word_bigrams=True)
        xw = self._word.fit_transform(words)
        self._char = Tfidf(char_wb_ngrams, per_word=True, max_features=MAX_CHAR_FEATURES)
        xc = self._char.fit_transform(chars)
        return self._join(xw, xc)

    def transform(self, texts: list[str], *, new_units: bool = False) -> csr_matrix:
        """Rows are L2-normalised, so a dot product of two rows is their cosine similarity.

        ``new_units``: the texts are units added to the corpus after the fit (an import): their words outside the
        vocabulary still count in each row's length as a fit including them would count them (see
        :meth:`Tfidf.transform`), so their other words weigh what they would after such a fit."""
        import numpy as np
        from scipy.sparse import diags, hstack

        words, chars = self._prepare(texts)
        if not new_units:
            return self._join(self._word.transform(words), self._char.transform(chars))
        xw = self._word.transform(words, unknown_in_norm=True)
        xc = self._char.transform(chars)
        # The length the joined row would have after such a fit: each block of length 1 when it has terms at all.
        has_w = np.asarray([bool(w.strip()) for w in words], dtype=np.float32)
        has_c = (np.diff(xc.indptr) > 0).astype(np.float32)
        norm = np.sqrt(has_w * WORD_WEIGHT**2 + has_c * CHAR_WEIGHT**2)
        scale = np.where(norm > 0, 1.0 / np.maximum(norm, 1e-12), 0.0).astype(np.float32)
        return (diags(scale) @ hstack([xw * WORD_WEIGHT, xc * CHAR_WEIGHT], format="csr")).tocsr().astype(np.float32)

    @staticmethod
    def _join(xw: csr_matrix, xc: csr_matrix) -> csr_matrix:
        from scipy.sparse import hstack

        from qualcode.nlp.tfidf import l2_rows

        return l2_rows(hstack([xw * WORD_WEIGHT, xc * CHAR_WEIGHT], format="csr"))

    @property
    def n_word_features(self) -> int:
        """How many columns of a joined row are the word block (it comes first)."""
        return len(self._word.vocabulary_)

    # -- saving the fitted state (plain lists and arrays: no pickling) ------------------------------
    def state(self) -> dict[str, Any]:
        """The fitted vocabularies and IDFs, to restore with :meth:`from_state`."""
        return {"word_terms": self._word.terms(), "word_idf": self._word.idf_, "word_docs": self._word.n_docs,
                "char_terms": self._char.terms(), "char_idf": self._char.idf_}

    @classmethod
    def from_state(cls, pipeline: TextPipeline, state: dict[str, Any]) -> Featurizer:
        from qualcode.nlp.tfidf import Tfidf, char_wb_ngrams

        fz = cls(pipeline)
        fz._word = Tfidf(None, word_bigrams=True).load(state["word_terms"], state["word_idf"], state.get("word_docs"))
        fz._char = Tfidf(char_wb_ngrams, per_word=True, max_features=MAX_CHAR_FEATURES).load(
            state["char_terms"], state["char_idf"])
        return fz

    def word_terms(self, text: str) -> list[str]:
        """The normalised word tokens of a text (used to explain overlaps)."""
        return self._prepare([text])[0][0].split()

    def idf_of(self, term: str) -> float:
        vocab = self._word.vocabulary_
        idx = vocab.get(term)
        return float(self._word.idf_[idx]) if idx is not None else 0.0
