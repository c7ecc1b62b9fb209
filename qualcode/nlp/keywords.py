"""Fuzzy keyword matching: a codebook keyword matches inflected or misspelt words in a unit.

Matching is done word by word against a vocabulary cache, so the expensive fuzzy comparison runs
once per distinct word of the corpus rather than once per unit.
"""

from __future__ import annotations

import re

from qualcode.folding import fold
from qualcode.nlp.text import stem, stem_cached

_TOKEN = re.compile(r"\w+", re.UNICODE)
# A word this similar (rapidfuzz ratio, 0-100) to a keyword word counts as the same word. 85 lets
# one typo through in a 7-letter word ("sustainabilty") but not a different word ("station"/"nation").
FUZZY_CUTOFF = 85
# Fuzzy matching short words produces nonsense ("pay"/"day"); they must match exactly or by stem.
MIN_FUZZY_LEN = 5


def tokens(text: str) -> list[str]:
    """Accent-folded lower-case word tokens."""
    return _TOKEN.findall(fold(text))


class KeywordMatcher:
    """Finds which keywords (one or several words each) occur in a text, tolerating inflections and typos."""

    def __init__(self, keywords: list[str]) -> None:
        self.keywords = [k for k in dict.fromkeys(k.strip() for k in keywords) if k]
        self._kw_tokens = [tokens(k) for k in self.keywords]
        self._targets = sorted({t for toks in self._kw_tokens for t in toks})
        self._target_stems = {t: stem(t) for t in self._targets}
        self._by_stem: dict[str, set[str]] = {}
        for t, s in self._target_stems.items():
            self._by_stem.setdefault(s, set()).add(t)
        self._word_cache: dict[str, frozenset[str]] = {}

    def _resolve(self, words: set[str]) -> None:
        """Work out, for each new word, which keyword words it stands for."""
        new = [w for w in words if w not in self._word_cache]
        if not new:
            return
        from rapidfuzz import fuzz, process

        long_targets = [t for t in self._targets if len(t) >= MIN_FUZZY_LEN]
        fuzzy_hits: dict[str, set[str]] = {}
        long_new = [w for w in new if len(w) >= MIN_FUZZY_LEN - 1]
        if long_targets and long_new:
            scores = process.cdist(long_new, long_targets, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            rows, cols = scores.nonzero()
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                fuzzy_hits.setdefault(long_new[r], set()).add(long_targets[c])
        for w in new:
            hit = set(self._by_stem.get(stem_cached(w), ()))  # every matcher stems the same words: cached
            if w in self._target_stems:
                hit.add(w)
            hit |= fuzzy_hits.get(w, set())
            self._word_cache[w] = frozenset(hit)

    def match_many(self, texts: list[str]) -> list[list[int]]:
        """For each text, the indexes of the keywords found in it (all words of a keyword present)."""
        if not self.keywords:
            return [[] for _ in texts]
        toks = [set(tokens(t)) for t in texts]
        self._resolve(set().union(*toks) if toks else set())
        if len(texts) < 8:  # one unit being explained: plain sets beat building matrices
            out: list[list[int]] = []
            for ws in toks:
                present: set[str] = set()
                for w in ws:
                    present |= self._word_cache[w]
                out.append([i for i, kt in enumerate(self._kw_tokens) if kt and all(t in present for t in kt)])
            return out
        # Many units: (units x keyword words present) @ (keyword words x keywords) counts, per unit and
        # keyword, how many of the keyword's words are present; a keyword matches when all are.
        import numpy as np
        from scipy.sparse import csr_matrix

        col = {t: i for i, t in enumerate(self._targets)}
        indptr = [0]
        indices: list[int] = []
        for ws in toks:
            present = set()
            for w in ws:
                present |= self._word_cache[w]
            indices.extend(col[t] for t in present)
            indptr.append(len(indices))
        n, T, K = len(toks), len(self._targets), len(self.keywords)
        have = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(n, T))
        k_rows = [sorted({col[t] for t in kt}) for kt in self._kw_tokens]
        need = csr_matrix(
            (np.ones(sum(map(len, k_rows)), dtype=np.float32), [c for r in k_rows for c in r],
             np.r_[0, np.cumsum([len(r) for r in k_rows])]),
            shape=(K, T),
        )
        size = np.asarray([len(r) for r in k_rows], dtype=np.float32)
        hits = (have @ need.T).tocsr()
        hits.data = (hits.data >= size[hits.indices]).astype(np.float32)
        hits.eliminate_zeros()
        hits.sort_indices()
        return [hits.indices[hits.indptr[i] : hits.indptr[i + 1]].tolist() for i in range(n)]

    def match(self, text: str) -> list[str]:
        """The keywords found in ``text``."""
        return [self.keywords[i] for i in self.match_many([text])[0]]
