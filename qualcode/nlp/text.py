"""Text pipeline for suggestions: spaCy tokenisation, sentence splitting and a cheap normaliser.

A blank spaCy pipeline is the default so nothing has to be downloaded; when the user has installed a
trained English pipeline (``en_core_web_sm``) its lemmas are used instead of the rule-based stemmer.
Any script goes through the tokenizer unchanged, so Vietnamese or French transcripts are scored on
their surface words and character n-grams rather than crashing.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import threading
from functools import lru_cache
from typing import Any

from qualcode import child_process

# Function words that carry no topic. Kept short on purpose: TF-IDF already down-weights common
# words, this list only stops "the"/"and" from forming bigrams that look like evidence.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also us let may might must shall
    s t d ll m re ve o y""".split()
)
# Negations and quantity words matter for evaluation findings ("no funding", "not enough staff"),
# so they stay in bigrams even though they are function words.
KEEP_IN_BIGRAMS = frozenset({"no", "not", "nor", "more", "too", "few", "only", "nothing", "never"})

_WORD = re.compile(r"\w", re.UNICODE)
_SURFACE = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
_ASCII_WORD = re.compile(r"^[a-z]+$")
_VOWEL = re.compile(r"[aeiouy]")

# (suffix, replacement, minimum stem length left). Checked in order; first match wins.
_SUFFIXES: tuple[tuple[str, str, int], ...] = (
    ("ational", "ate", 3),
    ("fulness", "ful", 3),
    ("iveness", "ive", 3),
    ("ization", "ize", 3),
    ("isation", "ize", 3),
    ("ations", "ate", 3),
    ("ation", "ate", 3),
    ("ments", "", 4),
    ("ment", "", 4),
    ("nesses", "", 3),
    ("ness", "", 3),
    ("ingly", "", 3),
    ("edly", "", 3),
    ("ities", "ity", 3),
    ("ically", "ic", 3),
    ("ially", "ial", 3),
    ("fully", "ful", 3),
    ("ously", "ous", 3),
    ("ings", "", 3),
    ("ing", "", 3),
    ("ies", "y", 2),
    ("ied", "y", 2),
    ("ers", "", 3),
    ("er", "", 3),
    ("ed", "", 3),
    ("ly", "", 3),
    ("sses", "ss", 2),
    ("es", "e", 3),
    ("s", "", 3),
)
_NO_S_STRIP = ("ss", "us", "is", "ous", "sis")


def stem(word: str) -> str:
    """A light English stemmer: folds inflections ("trained", "training", "trainings" -> "train").

    Only plain lower-case ASCII words are touched; everything else (numbers, other scripts) is
    returned as is, which is what makes non-English text safe to score.
    """
    if len(word) <= 3 or not _ASCII_WORD.match(word):
        return word
    verbal = False
    for suffix, repl, min_stem in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        if suffix == "s" and word.endswith(_NO_S_STRIP):
            return word
        base = word[: -len(suffix)]
        if len(base) < min_stem or not _VOWEL.search(base):
            continue
        word = base + repl
        verbal = suffix in _VERBAL
        break
    # "running" -> "runn" -> "run"; "stopped" -> "stopp" -> "stop"
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" and word[-1] not in "aeiou":
        word = word[:-1]
    elif verbal and _measure(word) == 1 and _cvc(word):
        word += "e"  # "caring" -> "car" -> "care", so that it meets "care" and not "car" (Porter's step 1b)
    # A final e goes, so that "manage" meets "managing" and "nurse" meets "nursing", except after a short
    # consonant-vowel-consonant stem: "care", "make" and "state" keep theirs ("car", "mak", "stat" are other words).
    if len(word) > 3 and word.endswith("e"):
        stem_ = word[:-1]
        m = _measure(stem_)
        if m > 1 or (m == 1 and not _cvc(stem_)):
            word = stem_
    return word


_VERBAL = {"ing", "ings", "ed", "er", "ers"}


def _vowels(word: str) -> list[bool]:
    return [ch in "aeiou" or (ch == "y" and i > 0 and word[i - 1] not in "aeiou") for i, ch in enumerate(word)]


def _measure(word: str) -> int:
    """Porter's m: how many vowel-consonant sequences the word has ("car" 1, "manag" 2, "tree" 0)."""
    v = _vowels(word)
    return sum(1 for a, b in zip(v, v[1:], strict=False) if a and not b)


def _cvc(word: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y ("car", "mak"; not "rain", "show")."""
    if len(word) < 3:
        return False
    v = _vowels(word)
    return not v[-3] and v[-2] and not v[-1] and word[-1] not in "wxy"


class TextPipeline:
    """Tokenises, normalises and sentence-splits text with spaCy.

    The default is a blank English pipeline (tokenizer + sentencizer), so nothing has to be downloaded; its tokens
    go through a rule-based stemmer. When a trained English pipeline (``en_core_web_sm``) is installed, it is used
    instead and its lemmas replace the stemmer. spaCy is loaded on first use, once per process.

    ``name`` says which pipeline is in use (part of the key of saved models, so a change of pipeline never reuses
    features computed with the other one).
    """

    def __init__(self, model: str | None = None) -> None:
        from importlib.util import find_spec

        self._model = model or "en_core_web_sm"
        try:
            installed = find_spec(self._model) is not None
        except (ImportError, ValueError):
            installed = False
        self._want_trained = installed
        self.name = f"{self._model}-lemma" if installed else "spacy-blank-en+stem"
        self._nlp: Any = None
        self._trained = False
        self._lock = threading.Lock()
        self._norm_cache: dict[int, str] = {}
        self._apart: _Apart | None = None
        self._apart_lock = threading.Lock()

    def load(self) -> None:
        """Load spaCy now (importing it takes a second or two; a thread can do it while its caller reads files)."""
        self._pipeline()

    def load_apart(self) -> None:
        """Start importing spaCy in a process of its own, which tokenises for this pipeline until :meth:`close_apart`
        (or until spaCy is loaded here). Importing spaCy takes a second or two of Python that holds the interpreter's
        lock: in a thread it only took turns with the caller's own work, in a process it runs beside it."""
        with self._apart_lock:
            if self._nlp is None and self._apart is None:
                self._apart = _Apart(self._model, self.name)

    def close_apart(self) -> None:
        """Stop the process :meth:`load_apart` started (spaCy is loaded here when next needed)."""
        with self._apart_lock:
            if self._apart is not None:
                self._apart.close()
                self._apart = None

    def _pipeline(self) -> Any:
        """The spaCy pipeline: the trained one when installed and compatible, else blank English."""
        with self._lock:
            if self._nlp is None:
                import spacy

                if self._want_trained:
                    try:
                        # Only the lemmatiser is needed; the parser and NER are slow.
                        self._nlp = spacy.load(self._model, exclude=["parser", "ner", "textcat"])
                        self._trained = True
                    except Exception:  # incompatible with this spaCy: the blank pipeline is the fallback
                        self._nlp = None
                        self.name = "spacy-blank-en+stem"
                if self._nlp is None:
                    self._nlp = spacy.blank("en")
                if "sentencizer" not in self._nlp.pipe_names and "parser" not in self._nlp.pipe_names:
                    self._nlp.add_pipe("sentencizer")
            return self._nlp

    # -- tokens -------------------------------------------------------------------------------
    def normalise_many(self, texts: list[str]) -> list[str]:
        """Return each text as a space-joined string of normalised tokens (stems or lemmas).

        Stop words are dropped except negations, which are kept so that "no funding" and "not
        enough staff" stay visible to bigram features.
        """
        if self._apart is not None and self._nlp is None:
            with self._apart_lock:
                apart = self._apart
                out = apart.normalise_many(texts) if apart is not None else None
                if out is not None:
                    return out
                if apart is not None:  # it failed: spaCy is loaded here instead
                    apart.close()
                    self._apart = None
        nlp = self._pipeline()
        if self._trained:
            return [" ".join(self._norm_tokens((t.lemma_ or t.text).lower() for t in doc))
                    for doc in nlp.pipe(texts, batch_size=256)]
        from spacy.attrs import LOWER

        # Token objects cost more than the tokenising itself: read each token's lower-case form as the hash spaCy
        # keeps in an array, and normalise each distinct form once.
        strings, cache = nlp.vocab.strings, self._norm_cache
        if len(cache) > 500_000:
            cache.clear()
        out = []
        for doc in nlp.tokenizer.pipe(texts, batch_size=1000):
            words = []
            for h in doc.to_array(LOWER).tolist():
                norm = cache.get(h)
                if norm is None:
                    found = self._norm_tokens([strings[h]])
                    norm = cache[h] = found[0] if found else ""
                if norm:
                    words.append(norm)
            out.append(" ".join(words))
        return out

    def normalise(self, text: str) -> str:
        return self.normalise_many([text])[0]

    def words(self, text: str) -> list[str]:
        """The word tokens of a text as spaCy's tokenizer splits them (punctuation dropped)."""
        return [t.text for t in self._pipeline().tokenizer(text) if _WORD.search(t.text)]

    def token_pairs(self, text: str) -> list[tuple[str, str]]:
        """(surface word, normalised form) for each kept token, to show users the words they wrote.

        Words are split by a regular expression, not by spaCy: explanations only show words the codebook shares
        with a unit, and loading spaCy would cost a fresh process more than scoring from a saved model."""
        pairs: list[tuple[str, str]] = []
        for tok in _SURFACE.findall(text):
            norm = _norm_one(self, tok.lower())
            if norm:
                pairs.append((tok, norm))
        return pairs

    @staticmethod
    def _norm_tokens(tokens: Any) -> list[str]:
        res: list[str] = []
        for tok in tokens:
            if not _WORD.search(tok):
                continue
            tok = tok.replace("’", "'").strip("'_")
            if not tok:
                continue
            if tok in STOPWORDS and tok not in KEEP_IN_BIGRAMS:
                continue
            if tok.endswith("n't") or tok == "cannot":
                res.append("not")
                continue
            res.append(stem_cached(tok))
        return res

    # -- sentences ----------------------------------------------------------------------------
    def sentences(self, text: str) -> list[str]:
        """Split a passage into sentences (any script): see :func:`split_sentences`."""
        return split_sentences(text)

    def sentences_many(self, texts: list[str]) -> list[list[str]]:
        """:meth:`sentences` of many passages."""
        return [split_sentences(t) for t in texts]


# A sentence ends at . ! ? (and their full-width and ellipsis forms), with any closing quotes or brackets, before
# white space and a word; not after a single capital (an initial) or a common abbreviation. This
# is the rule spaCy's sentencizer applies to its tokens, without tokenising the passage a second time.
_SENT_END = re.compile(r"(?<=[.!?\u2026\u3002\uff01\uff1f])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]*\w)",
                       re.UNICODE)
_NOT_AN_END = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|vs|etc|e\.g|i\.e|cf|approx|incl|Jan|Feb|Mar|Apr|Jun|"
                         r"Jul|Aug|Sep|Sept|Oct|Nov|Dec))\.$", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """The sentences of a passage (a passage under 80 characters is one sentence)."""
    if len(text) < 80:
        return [text]
    out: list[str] = []
    start = 0
    for m in _SENT_END.finditer(text):
        head = text[start : m.start()].rstrip()
        if _NOT_AN_END.search(head[-8:]):
            continue
        if head.strip():
            out.append(text[start : m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out or [text]


# Units repeat their words: stemming each distinct word once is most of the normaliser's speed.
stem_cached = lru_cache(maxsize=200_000)(stem)


@lru_cache(maxsize=100_000)
def _norm_one(pipeline: TextPipeline, token: str) -> str:
    norm = pipeline._norm_tokens([token])
    return norm[0] if norm else ""


# Texts are sent to the process of _Apart a part at a time, each part with the whole limit (a large import on a busy
# machine is many parts; a thousand texts take well under a second): a process that neither answers nor ends is ended.
APART_CHUNK = 1000
APART_PATIENCE = 120.0  # seconds the process of _Apart may take to answer a part (the first: importing spaCy too)
_APART_CODE = "from qualcode.nlp.text import _serve_apart; _serve_apart({model!r})"


class _Apart:
    """A process that imports spaCy and normalises texts for a :class:`TextPipeline` (:func:`_serve_apart`): the texts
    and the results go pickled through its standard input and output. It ends when its standard input closes (closed,
    or this process ended)."""

    def __init__(self, model: str, name: str) -> None:
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        with contextlib.suppress(OSError):
            self.proc = child_process.start(["-c", _APART_CODE.format(model=model)])

    def normalise_many(self, texts: list[str]) -> list[str] | None:
        """What :meth:`TextPipeline.normalise_many` gives for ``texts``, or None when the process cannot say (it ended,
        did not answer in time, or its pipeline is not this one's)."""
        out: list[str] = []
        for start in range(0, len(texts), APART_CHUNK):
            part = self._ask(list(texts[start : start + APART_CHUNK]))
            if part is None:
                return None
            out.extend(part)
        return out

    def _ask(self, texts: list[str]) -> list[str] | None:
        proc = self.proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            return None
        # A process that neither answers nor ends (it never should) is ended, so the caller is never left waiting.
        cancel = child_process.after(APART_PATIENCE, proc.kill)
        try:
            child_process.send(proc.stdin, texts)
            name, out = child_process.receive(proc.stdout)
        except Exception:  # it ended or failed: the caller loads spaCy itself
            return None
        finally:
            cancel()
        if name != self.name or not isinstance(out, list) or len(out) != len(texts):
            return None
        return out

    def close(self) -> None:
        """End the process and wait for it, so it is not left behind as a zombie (it holds nothing to finish: what
        it computes is only ever an answer, and one is no longer wanted)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()


def _serve_apart(model: str) -> None:
    """The process of :class:`_Apart`: spaCy imported at once, then texts normalised until standard input closes (the
    pipeline that asked is done with it, or its process ended)."""
    out = child_process.answers()
    pipeline = TextPipeline(model or None)
    pipeline.load()
    for texts in child_process.requests():
        child_process.send(out, (pipeline.name, pipeline.normalise_many(texts)))


@lru_cache(maxsize=2)
def get_pipeline(model: str | None = None) -> TextPipeline:
    """The shared text pipeline (loading spaCy once per process is what makes calls cheap)."""
    return TextPipeline(model)

