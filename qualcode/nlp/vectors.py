"""Dense text vectors from static word-piece vectors: which words are related, without a neural network.

TF-IDF only knows that two texts share words; "the nurses were lovely" and "staff were very kind" share
none. The vectors in ``data/vectors.npz`` give every word piece of an English WordPiece vocabulary a
128-dimensional vector distilled from a sentence encoder (all-MiniLM-L6-v2, Apache-2.0; see
``data/VECTORS.md`` and ``data/build_vectors.py``), so related words have close vectors. A text's vector
is the weighted mean of its pieces' vectors, with smooth inverse frequency weights fitted on the units
being coded (``a / (a + p(piece))``): words that are everywhere in *this* corpus count little.

Everything here is a table lookup and a sum: thousands of units per second, nothing downloaded, no model
run. Non-English text is split into pieces too (possibly many unknown ones, which are skipped); a text
with no known piece gets a zero vector, which is similar to nothing.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

DATA = Path(__file__).with_name("data") / "vectors.npz"
SIF_A = 1e-3  # smooth inverse frequency: a piece making up 0.1% of the corpus weighs half as much as a rare one
MAX_WORD = 100  # longer "words" (URLs, base64) are skipped, as BERT's tokenizer does


class PieceVectors:
    """The vocabulary, its vectors and a WordPiece tokenizer (the uncased BERT rules)."""

    def __init__(self, path: Path = DATA) -> None:
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            pieces = str(data["pieces"]).split("\n")
            q = data["vectors"]
            scales = data["scales"]
        self.vectors = (q.astype(np.float32) * scales[:, None]).astype(np.float32)
        self.index = {p: i for i, p in enumerate(pieces)}
        self.dim = int(self.vectors.shape[1])
        self._word_cache: dict[str, tuple[int, ...]] = {}

    def piece_ids(self, text: str) -> list[int]:
        """Ids of the word pieces of ``text`` (unknown words are left out)."""
        out: list[int] = []
        cache = self._word_cache
        for raw in text.split():
            ids = cache.get(raw)
            if ids is None:
                ids = tuple(i for word in _basic_tokens(raw) for i in self._wordpiece(word))
                if len(cache) < 500_000:
                    cache[raw] = ids
            out.extend(ids)
        return out

    def _wordpiece(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match-first split into vocabulary pieces; () if some part matches nothing."""
        if len(word) > MAX_WORD:
            return ()
        index = self.index
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = -1
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                j = index.get(sub, -1)
                if j >= 0:
                    found = j
                    break
                end -= 1
            if found < 0:
                return ()
            ids.append(found)
            start = end
        return tuple(ids)


def piece_vectors() -> PieceVectors | None:
    """The bundled vectors, loaded once per process; None if the data file is missing or unreadable (suggestions
    then run on TF-IDF alone, and ``qualcode doctor`` says so, from :func:`vectors_problem`)."""
    return _load_vectors()[0]


def vectors_problem() -> str | None:
    """Why the bundled vectors could not be loaded (None when they were)."""
    return _load_vectors()[1]


@lru_cache(maxsize=1)
def _load_vectors() -> tuple[PieceVectors | None, str | None]:
    if not DATA.exists():
        return None, f"{DATA.name} is missing"
    try:
        return PieceVectors(DATA), None
    except Exception as err:  # a damaged installation must not stop suggestions; doctor reports it
        return None, f"{DATA.name}: {err}"


class TextVectors:
    """Text -> L2-normalised dense vector, with piece weights fitted on a corpus."""

    def __init__(self, pv: PieceVectors, weights: np.ndarray | None = None) -> None:
        import numpy as np

        self.pv = pv
        self.weights = weights if weights is not None else np.ones(len(pv.vectors), dtype=np.float32)

    @classmethod
    def fit(cls, pv: PieceVectors, texts: list[str]) -> TextVectors:
        """Fit the piece weights on ``texts`` (without computing their vectors: see :meth:`fit_transform`)."""
        return cls.fit_pieces(pv, [pv.piece_ids(t) for t in texts])

    @classmethod
    def fit_transform(cls, pv: PieceVectors, texts: list[str]) -> tuple[TextVectors, np.ndarray]:
        """Fit the piece weights on ``texts`` and return their vectors too (each text is split into pieces once)."""
        lists = [pv.piece_ids(t) for t in texts]
        tv = cls.fit_pieces(pv, lists)
        return tv, tv.vectors_of(lists)

    @classmethod
    def fit_pieces(cls, pv: PieceVectors, lists: list[list[int]]) -> TextVectors:
        """Fit the piece weights on texts already split into piece ids (:meth:`PieceVectors.piece_ids`)."""
        import numpy as np

        flat = np.fromiter((i for x in lists for i in x), dtype=np.int64, count=sum(map(len, lists)))
        counts = np.bincount(flat, minlength=len(pv.vectors)).astype(np.float64)
        p = (counts + 1.0) / (counts.sum() + len(counts))
        return cls(pv, (SIF_A / (SIF_A + p)).astype(np.float32))

    def transform(self, texts: list[str]) -> np.ndarray:
        return self.vectors_of([self.pv.piece_ids(t) for t in texts])

    def vectors_of(self, lists: list[list[int]]) -> np.ndarray:
        """The vectors of texts already split into piece ids."""
        import numpy as np

        pv = self.pv
        lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
        flat = np.fromiter((i for x in lists for i in x), dtype=np.int64, count=int(lengths.sum()))
        out = np.zeros((len(lists), pv.dim), dtype=np.float32)
        if len(flat):
            from scipy.sparse import csr_matrix

            indptr = np.r_[0, np.cumsum(lengths)]
            bag = csr_matrix((self.weights[flat], flat, indptr), shape=(len(lists), len(pv.vectors)))
            out = np.asarray(bag @ pv.vectors, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


def _basic_tokens(text: str) -> list[str]:
    """BERT's basic tokenizer (uncased): lower case, accents stripped, punctuation and CJK characters split off."""
    text = unicodedata.normalize("NFD", text.lower())
    out: list[str] = []
    buf: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Mn":
            continue
        if ch.isspace():
            if buf:
                out.append("".join(buf))
                buf = []
            continue
        if cat.startswith("C") or ch == "\ufffd":
            continue  # soft hyphens, zero-width and control characters, undecodable bytes: removed, not split on
        if _is_punct(ch) or _is_cjk(ord(ch)):
            if buf:
                out.append("".join(buf))
                buf = []
            out.append(ch)
            continue
        buf.append(ch)
    if buf:
        out.append("".join(buf))
    return out
