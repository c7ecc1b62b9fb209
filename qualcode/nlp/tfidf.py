"""TF-IDF vectorisers on NumPy/SciPy alone (what scikit-learn's ``TfidfVectorizer`` computes, minus its import).

Importing scikit-learn costs 1.5-2 s, more than fitting the vectorisers on a whole project, and the suggester
needs only two analysers: word uni+bigrams over normalised tokens, and character n-grams inside word
boundaries (``char_wb``). The weighting is scikit-learn's defaults with ``sublinear_tf``: term frequency
``1 + log(tf)``, smoothed IDF ``ln((1 + n) / (1 + df)) + 1``, rows L2-normalised; columns in alphabetical order.

The fitted state is a list of terms and an IDF array, so it can be saved without pickling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix


def l2_rows(X: Any) -> Any:
    """Rows scaled to unit length (zero rows stay zero); sparse CSR or dense, float32 kept."""
    import numpy as np

    if hasattr(X, "tocsr"):
        X = X.tocsr()
        sq = np.asarray(X.multiply(X).sum(axis=1)).ravel()
        norms = np.sqrt(sq).astype(X.dtype)
        norms[norms == 0] = 1
        X.data /= np.repeat(norms, np.diff(X.indptr))
        return X
    norms = np.sqrt((X * X).sum(axis=1, keepdims=True))
    return X / np.where(norms == 0, 1, norms)


def _term_counts(term_lists: Iterable[list[str]], vocab: dict[str, int], grow: bool) -> csr_matrix:
    """One row per list of terms (consumed one at a time), counting each term in its column of ``vocab``; with
    ``grow`` new terms are added to ``vocab``, otherwise they are left out."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[int] = []
    values: list[int] = []
    for terms in term_lists:
        for term, count in Counter(terms).items():
            j = vocab.get(term)
            if j is None:
                if not grow:
                    continue
                j = vocab[term] = len(vocab)
            indices.append(j)
            values.append(count)
        indptr.append(len(indices))
    return csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64),
                       np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(vocab)))


class Tfidf:
    """A fitted vocabulary and IDF; ``analyzer`` turns one document into its terms.

    ``per_word`` says the analyser works word by word (``char_wb``): terms are then computed once per
    distinct word and documents are sums of their words' rows, which is what makes fitting fast.
    """

    def __init__(self, analyzer: Callable[[str], list[str]] | None, *, per_word: bool = False,
                 max_features: int | None = None, word_bigrams: bool = False) -> None:
        """``word_bigrams``: the terms are the document's space-separated words and each pair of consecutive words
        (no analyser then; counted with array operations, not word by word)."""
        self.analyzer = analyzer
        self.per_word = per_word
        self.word_bigrams = word_bigrams
        self.max_features = max_features
        self.vocabulary_: dict[str, int] = {}
        self.idf_: np.ndarray | None = None
        self.n_docs: int | None = None  # documents fitted on
        self._word_terms: dict[str, list[str]] = {}

    # ---------------------------------------------------------------- state
    def terms(self) -> list[str]:
        """The vocabulary in column order."""
        out = [""] * len(self.vocabulary_)
        for t, j in self.vocabulary_.items():
            out[j] = t
        return out

    def load(self, terms: Sequence[str], idf: Any, n_docs: int | None = None) -> Tfidf:
        """Restore a fitted state saved as :meth:`terms`, ``idf_`` and ``n_docs``."""
        import numpy as np

        self.vocabulary_ = {t: j for j, t in enumerate(terms)}
        self.idf_ = np.asarray(idf, dtype=np.float32)
        self.n_docs = n_docs
        return self

    # ---------------------------------------------------------------- counting
    def _counts(self, docs: Sequence[str], vocab: dict[str, int], grow: bool) -> csr_matrix:
        """Raw term counts (documents x vocabulary); with ``grow`` new terms are added to ``vocab``.

        Each document's words become ids once (one dictionary lookup per word), and the counting is done on arrays:
        a documents x words matrix, times words x terms for character n-grams, or words and pairs of consecutive
        words looked up once per distinct word or pair."""
        import numpy as np
        from scipy.sparse import csr_matrix

        if not self.per_word and not self.word_bigrams:
            if self.analyzer is None:
                raise ValueError("a Tfidf needs an analyser unless it counts word bigrams")
            return self._analysed_counts(docs, vocab, grow)
        words: dict[str, int] = {}
        flat: list[int] = []
        lengths = np.zeros(len(docs), dtype=np.int64)
        for i, doc in enumerate(docs):
            ws = doc.split()
            lengths[i] = len(ws)
            flat.extend([words.setdefault(w, len(words)) for w in ws])
        ids = np.asarray(flat, dtype=np.int64)
        doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        word_list = list(words)
        n = len(docs)

        def lookup(terms: list[str]) -> Any:
            out = np.full(len(terms), -1, dtype=np.int64)
            for k, term in enumerate(terms):
                j = vocab.get(term)
                if j is None and grow:
                    j = vocab[term] = len(vocab)
                if j is not None:
                    out[k] = j
            return out

        if self.word_bigrams:
            cols = [lookup(word_list)[ids]]
            rows = [doc_of]
            same = doc_of[:-1] == doc_of[1:]
            if same.any():
                pairs = ids[:-1][same] * max(1, len(word_list)) + ids[1:][same]
                uniq, inv = np.unique(pairs, return_inverse=True)
                W = max(1, len(word_list))
                names = [f"{word_list[int(c) // W]} {word_list[int(c) % W]}" for c in uniq.tolist()]
                cols.append(lookup(names)[inv])
                rows.append(doc_of[:-1][same])
            r, c = np.concatenate(rows), np.concatenate(cols)
            keep = c >= 0
            X = csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (r[keep], c[keep])), shape=(n, len(vocab)))
            X.sum_duplicates()
            return X
        assert self.analyzer is not None  # per_word
        D = csr_matrix((np.ones(len(ids), dtype=np.float32), (doc_of, ids)), shape=(n, len(word_list)))
        D.sum_duplicates()
        terms_of = []
        for w in word_list:
            t = self._word_terms.get(w)
            if t is None:
                t = self._word_terms[w] = self.analyzer(w)
            terms_of.append(t)
        # words x terms: each distinct word's terms counted once; the product counts them in each document.
        return (D @ _term_counts(terms_of, vocab, grow)).tocsr()

    def _analysed_counts(self, docs: Sequence[str], vocab: dict[str, int], grow: bool) -> csr_matrix:
        """Counts from any analyser, one document at a time (what themes use; the suggester's two analysers take the
        array paths above)."""
        assert self.analyzer is not None
        return _term_counts((self.analyzer(doc) for doc in docs), vocab, grow)

    def _weight(self, X: csr_matrix, idf: Any = None) -> csr_matrix:
        """Counts to rows: ``1 + log(tf)`` times the IDF (``idf``, the fitted one by default), rows L2-normalised."""
        import numpy as np

        idf = self.idf_ if idf is None else idf
        assert idf is not None
        X.sum_duplicates()
        X.data = np.log(X.data, dtype=np.float32) + np.float32(1)
        X.data *= idf[X.indices]
        return l2_rows(X)

    # ---------------------------------------------------------------- public
    def fit_transform(self, docs: Sequence[str]) -> csr_matrix:
        """Learn vocabulary and IDF from ``docs``; return their rows."""
        import numpy as np

        vocab: dict[str, int] = {}
        X = self._counts(docs, vocab, grow=True)
        terms = sorted(vocab)
        order = np.asarray([vocab[t] for t in terms], dtype=np.int64)
        if self.max_features is not None and len(terms) > self.max_features:
            # Keep the most frequent terms (ties: alphabetical), as scikit-learn's max_features does.
            total = np.asarray(X.sum(axis=0)).ravel()[order]
            keep = np.sort(np.argsort(-total, kind="stable")[: self.max_features])
            order = order[keep]
            terms = [terms[i] for i in keep.tolist()]
        X = X[:, order].tocsr()
        self.vocabulary_ = {t: j for j, t in enumerate(terms)}
        n = self.n_docs = X.shape[0]
        df = np.bincount(X.indices, minlength=X.shape[1])
        self.idf_ = (np.log((n + 1) / (df + 1.0)) + 1).astype(np.float32)
        return self._weight(X)

    def transform(self, docs: Sequence[str], *, unknown_in_norm: bool = False) -> csr_matrix:
        """Rows of ``docs`` in the fitted vocabulary (unknown terms are ignored).

        ``unknown_in_norm``: ``docs`` are documents that a fit on the first documents plus these would have included
        (new units of the corpus): their terms outside the vocabulary still count in each row's length, weighted by
        the IDF such a fit would give them (they occur in none of the first documents), so the known terms weigh
        what they would there. The rows then have a length of at most 1."""
        import numpy as np

        vocab = self.vocabulary_
        if not unknown_in_norm or self.n_docs is None or self.idf_ is None:
            return self._weight(self._counts(docs, vocab, grow=False))
        grown = dict(vocab)
        X = self._counts(docs, grown, grow=True)  # unknown terms in columns after the vocabulary's
        X.sum_duplicates()  # before the document frequencies are counted
        known = len(vocab)
        df = np.bincount(X.indices[X.indices >= known] - known, minlength=len(grown) - known)
        n = self.n_docs + len(docs)
        idf = np.r_[self.idf_, (np.log((n + 1) / (df + 1.0)) + 1).astype(np.float32)].astype(np.float32)
        return self._weight(X, idf)[:, :known].tocsr()


def char_wb_ngrams(text: str, lo: int = 3, hi: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, each word padded with one space (scikit-learn's ``char_wb``)."""
    out: list[str] = []
    for w in text.split():
        w = f" {w} "
        n_chars = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset : offset + n])
            while offset + n < n_chars:
                offset += 1
                out.append(w[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return out
