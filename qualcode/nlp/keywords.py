"""Keyword matching with judgement: a codebook keyword is found on word boundaries, in its inflections and in
misspellings, and weighed by how much it can say about its code.

Matching:

- a unit's words are compared with the keyword's words after light *inflectional* stemming (``trainings`` ->
  ``training``, ``trained`` -> ``train``, ``copied`` -> ``copy``): the same word in another grammatical form, never
  another word (``leader`` is not ``lead``, ``trainer`` is not ``training``) and never part of a word;
- a misspelling counts only for a word that is no word of its own: one edit away from a keyword word of six letters
  or more, and unknown to the English vocabulary of the word vectors (``sustainabilty`` is found, ``trained`` is not
  taken for ``trainer``);
- a keyword of several words is a phrase: its words must come in order, at most one other word between two of
  them ("line leaders" is found in "our line leaders", not in "the leaders of the line").

Weighing (:func:`keyword_weights`): a phrase says more than a single word; a single word that is common (in this
corpus or in English generally: "time", "role", "problem", "good", "lead") says little on its own, though as much as
any word when other keywords of the code are found beside it; a keyword several codes share says less about each.

Matching is done word by word against a vocabulary cache, so the comparison with keyword words runs once per
distinct word of the corpus rather than once per unit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from qualcode.folding import fold

_TOKEN = re.compile(r"\w+", re.UNICODE)
TYPO_MIN_LEN = 6  # shorter words are too easily another word one edit away ("pay"/"day", "lead"/"load")
PHRASE_GAP = 1  # other words allowed between two words of a phrase
SINGLE_WORD = 0.6  # a single-word keyword weighs this much of a phrase
GENERIC_DISCOUNT = 0.6  # how much of a single word's weight its commonness takes away (when found alone)
COMMON_RANK = (2_000, 10_000)  # English vocabulary rank: common at or below the first, not common from the second
COMMON_SHARE = (0.005, 0.03)  # share of the corpus's units: not common at or below the first, common from the second
COMMON_MIN_UNITS = 10  # ... once found in this many units at least (in a small corpus one unit is a large share)


def tokens(text: str) -> list[str]:
    """Accent-folded lower-case word tokens."""
    return _TOKEN.findall(fold(text))


_VOWEL = re.compile(r"[aeiouy]")


def inflect(word: str) -> str:
    """The word without its English inflection (plural, past, -ing; Porter's step 1), so that forms of one word
    meet and different words (``leader``/``lead``, ``trainer``/``training``) stay apart. Non-English words and
    numbers are returned unchanged."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    w = word
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and _VOWEL.search(w[: -len(suffix)]):
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # "stopped" -> "stop"
            break
    if len(w) > 3 and w.endswith("e") and not w.endswith(("ee", "ye")):
        w = w[:-1]  # "manage"/"managed" meet
    return w


class KeywordMatcher:
    """Finds which keywords (a word or a phrase each) occur in a text; see the module docstring."""

    def __init__(self, keywords: list[str], known_word: Callable[[str], bool] | None = None) -> None:
        """``known_word`` says whether a word is a word of its own (not a misspelling); by default, whether it is in
        the word vectors' English vocabulary (without the vectors, misspellings are not looked for)."""
        self.keywords = [k for k in dict.fromkeys(k.strip() for k in keywords) if k]
        self._kw_forms = [[inflect(t) for t in tokens(k)] for k in self.keywords]
        self._forms = sorted({f for forms in self._kw_forms for f in forms})
        self._known = known_word if known_word is not None else english_word()
        self._word_cache: dict[str, frozenset[str]] = {}

    def n_words(self, i: int) -> int:
        """How many words keyword ``i`` has (2 or more: a phrase)."""
        return len(self._kw_forms[i])

    def _resolve(self, words: set[str]) -> None:
        """Work out, for each new word, which keyword word forms it stands for."""
        new = [w for w in words if w not in self._word_cache]
        if not new:
            return
        forms = set(self._forms)
        typo_hits: dict[str, set[str]] = {}
        long_forms = [f for f in self._forms if len(f) >= TYPO_MIN_LEN - 1]
        candidates = [w for w in new if len(w) >= TYPO_MIN_LEN and inflect(w) not in forms
                      and not (self._known is not None and self._known(w))]
        if long_forms and candidates and self._known is not None:
            import numpy as np
            from rapidfuzz import process
            from rapidfuzz.distance import Levenshtein

            # Distances above the cutoff come back as cutoff + 1; 0 cannot occur (exact forms are not candidates).
            scores = process.cdist(candidates, long_forms, scorer=Levenshtein.distance, score_cutoff=1)
            for r, c in np.argwhere(scores == 1).tolist():
                typo_hits.setdefault(candidates[r], set()).add(long_forms[c])
        for w in new:
            f = inflect(w)
            hit = {f} if f in forms else set()
            hit |= typo_hits.get(w, set())
            self._word_cache[w] = frozenset(hit)

    def match_many(self, texts: Sequence[str]) -> list[list[int]]:
        """For each text, the indexes of the keywords found in it."""
        if not self.keywords:
            return [[] for _ in texts]
        toks = [tokens(t) for t in texts]
        self._resolve(set().union(*map(set, toks)) if toks else set())
        cache = self._word_cache
        out: list[list[int]] = []
        index = self._index()
        for ts in toks:
            positions: dict[str, list[int]] = {}
            for pos, w in enumerate(ts):
                for f in cache[w]:
                    positions.setdefault(f, []).append(pos)
            if not positions:
                out.append([])
                continue
            found: set[int] = set()
            for f in positions:
                for i in index.get(f, ()):
                    if i not in found and _in_order(self._kw_forms[i], positions):
                        found.add(i)
            out.append(sorted(found))
        return out

    def _index(self) -> dict[str, list[int]]:
        """Keywords by their first word form (a phrase is looked for only where its first word is)."""
        if not hasattr(self, "_by_first"):
            by_first: dict[str, list[int]] = {}
            for i, forms in enumerate(self._kw_forms):
                if forms:
                    by_first.setdefault(forms[0], []).append(i)
            self._by_first = by_first
        return self._by_first

    def match(self, text: str) -> list[str]:
        """The keywords found in ``text``."""
        return [self.keywords[i] for i in self.match_many([text])[0]]


def _in_order(forms: list[str], positions: dict[str, list[int]]) -> bool:
    """The keyword's word forms occur in order, each at most ``PHRASE_GAP`` other words after the one before."""
    if any(f not in positions for f in forms):
        return False
    for start in positions[forms[0]]:
        at, ok = start, True
        for f in forms[1:]:
            nxt = [p for p in positions[f] if at < p <= at + 1 + PHRASE_GAP]
            if not nxt:
                ok = False
                break
            at = nxt[0]
        if ok:
            return True
    return False


def english_word() -> Callable[[str], bool] | None:
    """Whether a word is in the word vectors' English vocabulary (None when the vectors are not installed)."""
    from qualcode.nlp.vectors import piece_vectors

    pv = piece_vectors()
    return None if pv is None else pv.index.__contains__


def english_rank() -> Callable[[str], int | None] | None:
    """A word's rank in the word vectors' vocabulary, which is ordered by frequency after its first ~1,000 entries
    (characters and markers); None for a word not in it, or without the vectors."""
    from qualcode.nlp.vectors import piece_vectors

    pv = piece_vectors()
    if pv is None:
        return None
    index = pv.index
    return lambda w: (index[w] - 996) if index.get(w, 0) >= 996 else None


def commonness(units: int, share: float, rank: int | None) -> float:
    """0 (a rare, specific word) to 1 (a common one): the larger of how common it is in this corpus (found in
    ``units`` units, a ``share`` of them) and in English (``rank`` in a frequency-ordered vocabulary; None when not
    in it)."""
    lo, hi = COMMON_SHARE
    corpus = 0.0 if share <= lo else 1.0 if share >= hi else math.log(share / lo) / math.log(hi / lo)
    corpus *= min(1.0, units / COMMON_MIN_UNITS)
    english = 0.0
    if rank is not None:
        lo_r, hi_r = COMMON_RANK
        english = 1.0 if rank <= lo_r else 0.0 if rank >= hi_r else math.log(hi_r / rank) / math.log(hi_r / lo_r)
    return max(corpus, english)


def keyword_weights(matcher: KeywordMatcher, owners: Sequence[Any], df: Sequence[int], n_units: int,
                    rank_of: Callable[[str], int | None] | None = None) -> list[float]:
    """Per keyword, how much finding it in a unit says about each of its codes (0 to 1).

    A phrase weighs 1; a single word ``SINGLE_WORD``, less the share of that its commonness takes away
    (``GENERIC_DISCOUNT``): a word found in more than 3% of the units, or among the 2,000 most frequent English words,
    keeps 40% of it, so it cannot carry a code alone (when another keyword of the code is found in the unit too, each
    counts its full weight: see :func:`full_weight`). A keyword of several codes weighs ``1 / sqrt(codes)`` for each.
    ``df``: in how many of the corpus's ``n_units`` units each keyword was found; ``rank_of``: a word's rank in an
    English vocabulary ordered by frequency (None: unknown).
    """
    weights = []
    for i, kw in enumerate(matcher.keywords):
        w = 1.0
        if matcher.n_words(i) < 2:
            word = tokens(kw)[0] if tokens(kw) else kw
            share = df[i] / n_units if n_units else 0.0
            rank = rank_of(word) if rank_of is not None else None
            w = SINGLE_WORD * (1.0 - GENERIC_DISCOUNT * commonness(df[i], share, rank))
        weights.append(w / math.sqrt(max(1, len(owners[i]))))
    return weights


def full_weight(matcher: KeywordMatcher, owners: Sequence[Any], i: int) -> float:
    """Keyword ``i``'s weight before any commonness discount (what it counts when corroborated)."""
    return (1.0 if matcher.n_words(i) >= 2 else SINGLE_WORD) / math.sqrt(max(1, len(owners[i])))


def keyword_counts(found: Sequence[Sequence[int]], owners: Sequence[Any], weights: Any, full: Any, n_codes: int) -> Any:
    """Per text (``found``: the keywords found in it) and code, the weighed count of the code's keywords found: each
    keyword its weight, or its full weight (:func:`full_weight`) when two or more of the code's keywords are found, so
    a common word counts little alone and as much as any word beside others."""
    import numpy as np

    weighed = np.zeros((len(found), n_codes), dtype=np.float32)
    corroborated = np.zeros_like(weighed)
    n = np.zeros_like(weighed)
    for i, hits in enumerate(found):
        for k in hits:
            weighed[i, owners[k]] += weights[k]
            corroborated[i, owners[k]] += full[k]
            n[i, owners[k]] += 1
    return np.where(n >= 2, corroborated, weighed)
