"""Fuzzy keyword matching: a codebook keyword matches inflected or misspelt words in a unit.

Matching is done word by word against a vocabulary cache, so the expensive fuzzy comparison runs
once per distinct word of the corpus rather than once per unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from qualcode.nlp.text import fold, stem

_TOKEN = re.compile(r"\w+", re.UNICODE)
# A word this similar (rapidfuzz ratio, 0-100) to a keyword word counts as the same word. 85 lets
# one typo through in a 7-letter word ("sustainabilty") but not a different word ("station"/"nation").
FUZZY_CUTOFF = 85
# Fuzzy matching short words produces nonsense ("pay"/"day"); they must match exactly or by stem.
MIN_FUZZY_LEN = 5


# Every code's matcher stems the same corpus words; caching the stems makes that once per word.
_stem = lru_cache(maxsize=200_000)(stem)


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
            hit = set(self._by_stem.get(_stem(w), ()))
            if w in self._target_stems:
                hit.add(w)
            hit |= fuzzy_hits.get(w, set())
            self._word_cache[w] = frozenset(hit)

    def match_many(self, texts: list[str]) -> list[list[int]]:
        """For each text, the indexes of the keywords found in it (all words of a keyword present)."""
        return self.match_tokens([set(tokens(t)) for t in texts])

    def match_tokens(self, token_sets: Sequence[set[str]], vocabulary: set[str] | None = None) -> list[list[int]]:
        """Like :meth:`match_many` on texts already split by :func:`tokens` (one set of words per text).

        Tokenising is the expensive part and the same for every code, so callers matching many codes
        tokenise once and pass the sets (and their union, ``vocabulary``) to each code's matcher.
        """
        toks = token_sets
        if not self.keywords:
            return [[] for _ in toks]
        self._resolve(vocabulary if vocabulary is not None else (set().union(*toks) if toks else set()))
        out: list[list[int]] = []
        for ws in toks:
            present: set[str] = set()
            for w in ws:
                present |= self._word_cache[w]
            out.append([i for i, kt in enumerate(self._kw_tokens) if kt and all(t in present for t in kt)])
        return out

    def match(self, text: str) -> list[str]:
        """The keywords found in ``text``."""
        return [self.keywords[i] for i in self.match_many([text])[0]]
