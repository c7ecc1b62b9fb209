"""Finding a code by what the evaluator types: the ranking behind the code picker and the codebook filter.

People type the start of a word of the code they mean ("outc" for *Outputs leading to outcomes*, "fund" for
*Funding to continue*), sometimes two ("eff outp"), sometimes with a typo ("fundng"). A code whose own name or id
has a word starting with what was typed is what they mean; a code that only mentions it in its parent's name, its
keywords or its definition is a weaker candidate, and must never come first ahead of one that names it. Each
match says why it matched, so a surprising first entry can be seen for what it is before Enter applies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qualcode.folding import fold
from qualcode.model import Code, Codebook

_WORD = re.compile(r"[^\W_]+")  # snake_case names (common in QDA exports) are several words

# Points for one typed word, by where it was found. The gaps are what matter: a word start in the code's own name
# or id beats anything found in its parent, keywords or definition, whatever the position or bonuses.
NAME_START = 100.0
PATH_START = 96.0  # a parent's name typed before the code's own ("eff outp")
ID_START = 95.0
KEYWORD_START = 62.0
NAME_INSIDE = 58.0
NAME_TYPO = 56.0
PARENT_START = 50.0
PARENT_TYPO = 34.0
DEFINITION_START = 28.0


@dataclass
class CodeMatch:
    """One code matching a query: its score (higher is better), why it matched, and where in its name."""

    code: Code
    score: float
    why: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # matched character ranges of ``code.name``


@dataclass
class _Entry:
    code: Code
    position: int
    name_words: list[tuple[str, int, int]]  # folded word, start, end in the name
    id_words: list[str]
    keywords: list[tuple[str, str]]  # (folded word, the keyword it belongs to)
    parent_words: list[tuple[str, str]]  # (folded word, the ancestor's name)
    definition_words: set[str]


_cache: dict[int, tuple[Codebook, list[_Entry]]] = {}


def _words(text: str) -> list[tuple[str, int, int]]:
    folded = fold(text)
    if len(folded) != len(text):  # folding changed the length: no offsets to highlight
        return [(m.group(), 0, 0) for m in _WORD.finditer(folded)]
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]


def _id_words(code_id: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", fold(code_id)) if w]


def _index(codebook: Codebook) -> list[_Entry]:
    found = _cache.get(id(codebook))
    if found is not None and found[0] is codebook:
        return found[1]
    entries = []
    for pos, code in enumerate(codebook.walk()):
        own_id = code.id.rsplit(".", 1)[-1]
        ancestors: list[Code] = []
        parent = code.parent_id
        while parent and parent in codebook:
            ancestors.append(codebook[parent])
            parent = codebook[parent].parent_id
        parent_words = [(w, a.name) for a in ancestors for w, _, _ in _words(a.name)]
        parent_words += [(w, a.name) for a in ancestors for w in _id_words(a.id.rsplit(".", 1)[-1])]
        keywords = [(w, k) for k in code.keywords for w, _, _ in _words(k)]
        definition = {w for text in (code.definition, *code.questions) for w, _, _ in _words(text)}
        entries.append(_Entry(code, pos, _words(code.name), _id_words(own_id), keywords, parent_words, definition))
    if len(_cache) > 8:
        _cache.clear()
    _cache[id(codebook)] = (codebook, entries)
    return entries


def _typo(word: str, candidates: list[str]) -> float:
    """How close ``word`` is to the best candidate (or its start), 0-100; only for words of four letters or more."""
    if len(word) < 4 or not candidates:
        return 0.0
    from rapidfuzz import fuzz

    best = 0.0
    for c in candidates:
        if len(c) < 3:
            continue
        best = max(best, float(fuzz.ratio(word, c)), float(fuzz.ratio(word, c[: len(word)])) - 4)
    return best


def _match_word(word: str, e: _Entry) -> tuple[float, str, tuple[int, int] | None]:
    """The best place one typed word was found in a code: (points, what matched, span in the name)."""
    best: tuple[float, str, tuple[int, int] | None] = (0.0, "", None)

    def offer(points: float, why: str, span: tuple[int, int] | None = None) -> None:
        nonlocal best
        if points > best[0]:
            best = (points, why, span)

    for n, (w, start, end) in enumerate(e.name_words):
        if w.startswith(word):
            # earlier words and whole words a little ahead: "fund" is Funding..., "data" is Data...
            points = NAME_START - min(n, 8) + (2 if w == word else 0)
            offer(points, "name", (start, start + len(word)) if end else None)
        elif len(word) >= 3 and word in w:
            at = w.index(word)
            offer(NAME_INSIDE, "name", (start + at, start + at + len(word)) if end else None)
    in_id = any(w.startswith(word) for w in e.id_words)
    if in_id and best[0] >= NAME_START - 8:
        best = (best[0] + 3, "name and id", best[2])  # the code's name and id agree: what was meant
    elif in_id:
        offer(ID_START, "id")
    if best[0] < KEYWORD_START:
        for w, keyword in e.keywords:
            if w.startswith(word):
                offer(KEYWORD_START, f"keyword '{keyword}'")
                break
    if best[0] < NAME_TYPO:
        close = _typo(word, [w for w, _, _ in e.name_words] + e.id_words)
        if close >= 80:
            offer(NAME_TYPO * close / 100, "name (close spelling)")
    if best[0] < PARENT_START:
        for w, name in e.parent_words:
            if w.startswith(word):
                offer(PARENT_START, f"under {name}")
                break
    if best[0] < PARENT_TYPO:
        close = _typo(word, [w for w, _ in e.parent_words])
        if close >= 80:
            offer(PARENT_TYPO * close / 100, f"under {e.parent_words[0][1]} (close spelling)")
    if best[0] < DEFINITION_START and len(word) >= 4 and any(w.startswith(word) for w in e.definition_words):
        offer(DEFINITION_START, "definition")
    return best


def rank_codes(codebook: Codebook, query: str, *, limit: int | None = None,
               only: set[str] | list[str] | None = None) -> list[CodeMatch]:
    """Codes matching ``query``, best first, each with why it matched (codebook order for an empty query).

    Every typed word must be found in the code: as the start of a word of its name or id (best), inside a word of
    its name, in a keyword, close to a word of its name (a typo), in a parent's name, or in its definition and
    questions (weakest). Ties keep codebook order.
    """
    allowed = set(only) if only is not None else None
    entries = [e for e in _index(codebook) if allowed is None or e.code.id in allowed]
    words = [w for w, _, _ in _words(query)]
    if not words:
        out = [CodeMatch(e.code, 0.0) for e in entries]
        return out[:limit] if limit else out
    scored: list[tuple[float, int, CodeMatch]] = []
    for e in entries:
        found = [_match_word(word, e) for word in words]
        if not all(points for points, _, _ in found):
            continue
        if len(found) > 1 and any(why.startswith("name") or why == "id" for _, why, _ in found):
            # "sust fund": the first word names the parent, the next the code itself: a path, as good as the name
            found = [(PATH_START, why, span) if why.startswith("under ") and "close" not in why
                     else (points, why, span) for points, why, span in found]
        total = 0.0
        reasons: list[str] = []
        spans: list[tuple[int, int]] = []
        for points, why, span in found:
            total += points
            if why not in reasons:
                reasons.append(why)
            if span is not None:
                spans.append(span)
        score = total / len(words)
        # among equals, the code whose name is mostly what was typed ("Funding to continue" over a long name)
        covered = sum(b - a for a, b in spans)
        score += 2.0 * covered / max(1, len(e.code.name))
        scored.append((score, e.position, CodeMatch(e.code, round(score, 2), " · ".join(reasons),
                                                     sorted(set(spans)))))
    scored.sort(key=lambda t: (-t[0], t[1]))
    out = [m for _, _, m in scored]
    return out[:limit] if limit else out


def match_summary(match: CodeMatch) -> dict[str, Any]:
    """A match as plain data (for ``--json`` output and tests)."""
    return {"code": match.code.id, "name": match.code.name, "score": match.score, "why": match.why}
