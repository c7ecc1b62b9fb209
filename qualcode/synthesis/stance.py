"""Stance of a passage towards the evaluated programme: ``supports``, ``criticises``, ``mixed`` or ``neutral``,
with the words that decided it.

A transparent lexicon and a few rules, nothing learnt and nothing downloaded, so an evaluator can see why a
passage was read as critical and overrule it. The lexicon is the language of evaluation interviews (relevance,
delivery, results, gaps, funding), not a general sentiment list: "complaints" is neutral here (grievance handling
is a topic), "only three of 14" is critical, "no work stoppage" is good news.

Rules, in order:

- A passage is split into sentences, and each sentence into clauses at contrast words ("but", "however",
  "although", "even if", "at least"); a clause after "but" weighs more than the one before it, a clause that
  concedes ("even if ...", "although ...") weighs less.
- A negator ("not", "no", "never", "nobody", "hardly", "without", "-n't" ...) reverses a lexicon word up to three
  words after it in its clause, and a negated neutral verb is a shortfall ("did not ask", "did not come back");
  "not only" is not a negation.
- A recommendation ("should", "next phase", "please", "from the beginning", a sentence opening with an
  imperative) counts as a mild criticism: evaluators' informants recommend what was missing.
- A passage with both clearly favourable and clearly critical clauses is ``mixed``; one whose score stays near zero
  is ``neutral``.

Measured on hand-labelled passages of the bundled example (``tests/bench/bench_themes.py``; labelling rules in
``tests/fixtures/stance/LABELLING.md``). English only: passages in other languages come out ``neutral``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

STANCES = ("supports", "criticises", "mixed", "neutral")

# Favourable words and phrases (weight). Phrases are matched before single words.
POSITIVE: dict[str, float] = {
    "good": 1.0, "very good": 1.5, "great": 1.2, "excellent": 1.5, "useful": 1.2, "helpful": 1.2, "helped": 1.0,
    "helps": 1.0, "valuable": 1.2, "relevant": 1.0, "appropriate": 0.8, "effective": 1.0, "successful": 1.2,
    "success": 1.0, "worked well": 1.5, "works well": 1.5, "work well": 1.5, "works": 0.6, "worked": 0.6,
    "improved": 1.0, "improve": 0.6, "better": 0.6, "best": 1.2, "stronger": 1.0, "strong": 0.8, "active": 0.8,
    "very active": 1.2, "responsive": 1.2, "flexible": 1.0, "reasonable": 0.8, "reasonably": 0.8, "satisfied": 1.2,
    "happy": 1.0, "liked": 1.2, "appreciated": 1.2, "positive": 1.0, "right time": 1.5, "timely": 1.0,
    "good moment": 1.5, "exactly what": 1.5, "fitted": 1.0, "fits": 0.8, "in line with": 0.8, "aligned": 0.8,
    "changed practice": 1.5, "changed": 0.6, "result": 0.6, "achieved": 1.0, "delivered": 0.8,
    "was used": 1.0, "were used": 1.0, "still use": 1.2, "use it": 0.6, "continue": 0.4, "committed": 0.8,
    "commitment": 0.6, "first time": 1.0, 
    "trust": 0.8, "saved": 1.0, "quickly": 0.4, "clearly": 0.4,
    "visible": 0.6, "well": 0.5, "did well": 1.5, "interested": 0.6,
    "benefited": 1.0, "benefit": 0.6, "impressed": 1.2, "struck me": 0.6, "raises": 0.6, "raised": 0.6,
    "practical": 0.8, "quality": 0.3, "praised": 1.2, "recommend": 0.6,
    "ownership": 0.6, "ourselves": 0.4, "experienced": 0.8, 
    "made it": 0.4, "sustainable": 1.0, "keep": 0.3,
    "good feedback": 1.5, "very good feedback": 2.0, "good practice": 1.5, "best practice": 1.5,
    "easier": 0.8, "easy": 0.6, "clear": 0.6, "confidence": 0.8, "confident": 0.8, "respect": 0.6,
    "increase": 0.5, "increased": 0.6, "more women": 0.6, "participate": 0.3, "engaged": 0.8, "welcomed": 1.0,
    "strength": 0.8, "strengths": 0.8, "thanks to": 1.2, "because of the": 0.5, "after the course": 0.8,
    "after the training": 0.8, "after that course": 0.8, "after the seminars": 0.6, "we now": 0.6, "now": 0.5,
}

# Critical words and phrases (weight, given as a positive number).
NEGATIVE: dict[str, float] = {
    "problem": 0.3, "problems": 0.3, "difficult": 1.0, "difficulty": 1.0, "hard": 0.6, "late": 1.0,
    "too late": 1.5, "delay": 1.0, "delayed": 1.0, "slow": 1.0, "heavy": 1.0, "limited": 1.2, "limited use": 1.8,
    "little": 0.6, "a little": 0.4, "lack": 1.2, "lacked": 1.2, "lacking": 1.2, "missing": 1.2, "gap": 0.8,
    "weak": 1.0, "weakness": 1.0, "poor": 1.2, "poorly": 1.2, "low": 0.6, "lower": 0.6, "modest": 1.0,
    "uneven": 1.2, "thin": 0.8, "thinner": 1.0, "expensive": 0.8, "cannot": 0.8, "can't": 0.8, "could not": 0.8,
    "couldn't": 0.8, "unable": 1.0, "failed": 1.2, "fail": 1.0, "nobody": 0.8, "none": 0.6, "never": 0.6,
    "hardly": 1.0, "only": 0.5, "too long": 1.2, "too general": 1.2, "too": 0.4, "overlapped": 1.2,
    "overlap": 1.0, "twice": 0.8, "same thing": 0.6, "confusing": 1.2, "confused": 1.0, "complained": 1.2,
    "unhappy": 1.2, "worried": 1.0, "worry": 0.8, "risk": 0.8, "stop": 0.6, "shrink": 1.0, "cut": 0.6,
    "concern": 0.8, "frank": 0.5, "to be frank": 0.8, "honestly": 0.3, "embarrassing": 1.5, "disappointing": 1.5,
    "not clear": 1.0, "unclear": 1.0, "very general": 1.2, "general": 0.3, "burden": 1.0,
    "substitute": 0.8, "without us": 1.5, "not adapted": 1.5, 
    "small budget": 0.8, "negative": 1.0,
    "far": 0.3, "travel": 0.3,
    "under pressure": 0.4, "doubt": 0.8, "not sure": 0.8,
    "no one": 0.8, "did not know": 1.0, "didn't know": 1.0, "not part of": 1.2, "left out": 1.2,
    "ignored": 1.2, "wasted": 1.2, "waste": 1.0, "irrelevant": 1.2, "not relevant": 1.5, "useless": 1.5,
    "of little use": 1.8, "not useful": 1.5, "shouting": 0.4, "shy": 0.6,
    "afraid": 0.4, "barely": 1.0, "rarely": 0.8, "few": 0.4, "very few": 0.8, "struggled": 1.0, "struggle": 1.0,
    "unfortunately": 1.2, "disappointed": 1.5, "expensive for": 1.0, "not really": 1.0, "instead": 0.3,
    "mismatch": 1.0, "fragmented": 1.2, "depends on": 0.6,
    "cannot pay": 1.5, "no money": 1.5, "ended": 0.6, 
    "crowded": 0.8, "stoppage": 0.8, "stoppages": 0.8, "strike": 0.6, "strikes": 0.6,
    "conflict": 0.6, "without them": 1.2, "tired": 0.8, "fatigue": 0.6, "shortage": 1.0, "turnover": 0.4,
}

# A negated word of neither list that says something did not happen is a shortfall ("nobody asked us").
SHORTFALL_VERBS = {"ask", "asked", "asks", "come", "came", "check", "checked", "involve", "involved", "consult",
                   "consulted", "count", "counted", "consider", "considered", "touch", "touched", "happen",
                   "happened", "connect", "connected", "follow", "followed", "reach", "reached", "attend",
                   "attended", "include", "included", "lead", "report", "reported", "invite", "invited", "know",
                   "expect", "see", "show", "answer", "plan", "planned", "adapt", "adapted", "tell", "told", "share",
                   "shared", "use", "used", "work", "apply", "applied", "change", "changed", "get", "got",
                   "receive", "received", "give", "gave", "fund", "funded", "pay", "paid", "continue", "think"}
NEGATORS = {"not", "no", "never", "nobody", "none", "nothing", "hardly", "without", "neither", "nor", "cannot",
            "n't", "didn't", "don't", "doesn't", "wasn't", "weren't", "isn't", "aren't", "won't", "can't",
            "couldn't", "wouldn't", "haven't", "hasn't", "hadn't", "barely", "rarely"}
VERB_NEGATORS = {"not", "n't", "never"}
TRAINING_WORDS = {"course", "courses", "training", "trainings", "seminar", "seminars", "workshop", "workshops",
                  "session", "sessions", "visit", "visits", "project", "programme", "advice"}
BASELINE = {"used to", "years ago", "in the past", "previously", "until then", "at that time"}
CONTRAST_AFTER = {"but", "however", "yet", "though"}  # the clause after weighs more
CONCESSIVE = {"although", "even if", "even though", "despite", "at least"}  # the clause they open weighs less
RECOMMENDATION = re.compile(
    r"\b(should|next phase|next time|in future|in the future|please|i would suggest|we suggest|i suggest|"
    r"recommend that|from the beginning|from the start|from day one|in advance|must be)\b", re.IGNORECASE)
KEEP_GOING = re.compile(r"\b(should|must|could) (be|continue to be) (replicated|continued|expanded|scaled up|kept|"
                        r"extended|repeated)\b|\bshould continue\b", re.IGNORECASE)
IMPERATIVE_START = re.compile(r"^\s*(?:first|second|third|also|and|so)?[,\s]*(build|agree|involve|make|ask|hold|"
                              r"plan|start|include|put|use|keep|give|count|design|tell)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?|\d+(?:[.,]\d+)?|[.;!?]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_PHRASES = sorted({*POSITIVE, *NEGATIVE}, key=lambda p: -len(p.split()))
_MAX_PHRASE = max(len(p.split()) for p in _PHRASES)
_LENGTHS: dict[str, list[int]] = {}  # first word -> lengths of the lexicon phrases it opens, longest first
for _p in _PHRASES:
    _LENGTHS.setdefault(_p.split()[0], []).append(len(_p.split()))
for _v in _LENGTHS.values():
    _v.sort(reverse=True)
NEGATION_SCOPE = 3
# |score| below this is neutral; both sides above MIXED_SIDE make a passage mixed
NEUTRAL_BAND = 0.45
MIXED_SIDE = 0.6


@dataclass
class Stance:
    """A passage's stance, its score (favourable > 0) and the words that decided it ("+useful", "-not adapted")."""

    stance: str
    score: float
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"stance": self.stance, "score": round(self.score, 2), "evidence": self.evidence}


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"n't\b", " n't", text)
    return _TOKEN.findall(text)


def _clauses(sentence: str) -> list[tuple[list[str], float]]:
    """The sentence's clauses with their weights, split at contrast words."""
    toks = _tokens(sentence)
    out: list[tuple[list[str], float]] = []
    cur: list[str] = []
    weight = 1.0
    i = 0
    while i < len(toks):
        two = " ".join(toks[i:i + 2])
        three = " ".join(toks[i:i + 3])
        if toks[i] in CONTRAST_AFTER and cur:
            out.append((cur, weight * (0.7 if weight >= 1.0 else 1.0)))
            cur, weight = [], 1.3
            i += 1
            continue
        hit = next((c for c in (three, two, toks[i]) if c in CONCESSIVE), None)
        if hit is not None:
            if cur:
                out.append((cur, weight))
            cur, weight = [], 0.6
            i += len(hit.split())
            continue
        cur.append(toks[i])
        i += 1
    if cur:
        out.append((cur, weight))
    return out


def _clause_score(toks: list[str], evidence: list[str]) -> tuple[float, float]:
    """(favourable, critical) weight of one clause."""
    pos = neg = 0.0
    n = len(toks)
    negated_until = -1
    verb_negated = False
    whole_clause = False  # a negated shortfall verb governs the rest of the clause ("did not ask which was better")
    hypothetical_until = -1  # "whether they benefited" is not a claim that they did
    # a clause about the time before the programme describes the baseline, not a shortfall
    baseline = any(" ".join(toks[j:j + m]) in BASELINE for j in range(n) for m in (2, 3)) or any(
        t == "before" and (j == 0 or j + 1 == n or toks[j + 1] in (".", ";", "that", "the", "this", "it"))
        for j, t in enumerate(toks))
    i = 0
    while i < n:
        tok = toks[i]
        matched = None
        for m in _LENGTHS.get(tok, ()):
            if m <= n - i:
                phrase = " ".join(toks[i:i + m])
                if phrase in POSITIVE or phrase in NEGATIVE:
                    matched = (phrase, m)
                    break
        if tok in NEGATORS and (matched is None or matched[1] == 1) and not (tok == "not" and i + 1 < n
                                                                               and toks[i + 1] == "only"):
            negated_until = i + NEGATION_SCOPE
            verb_negated = tok not in ("no", "none", "without", "neither", "nor", "nothing")
            verbal = tok not in ("no", "none", "without", "neither", "nor", "nothing")
            if verbal and tok in NEGATIVE and not any(
                    t in SHORTFALL_VERBS or t in POSITIVE or t in NEGATIVE for t in toks[i + 1:i + 1 + NEGATION_SCOPE]):
                neg += NEGATIVE[tok]  # "nobody" or "never" with nothing it governs is a shortfall on its own
                evidence.append("-" + tok)
            if tok in VERB_NEGATORS and (i + 1 >= n or toks[i + 1] in ".;!?"):
                neg += 0.6  # an elliptical "most will not." / "they did not."
                evidence.append("-" + tok)
            i += 1
            continue
        if matched is None and tok in NEGATORS:
            i += 1
            continue
        if tok in ("if", "whether"):
            hypothetical_until = i + 4
        if tok == "after" and not (whole_clause or i <= negated_until) and any(
                t in TRAINING_WORDS for t in toks[i + 1:i + 5]):
            pos += 0.8  # "after the course he started ...": a change the informant ties to the programme
            evidence.append("+after the " + next(t for t in toks[i + 1:i + 5] if t in TRAINING_WORDS))
        negated = whole_clause or i <= negated_until
        if matched is None:
            if negated and not whole_clause and verb_negated and tok in SHORTFALL_VERBS and not baseline:
                neg += 1.2
                evidence.append(f"-not {tok}")
                whole_clause = True
            i += 1
            continue
        phrase, m = matched
        if phrase in POSITIVE:
            if i <= hypothetical_until:
                pass
            elif negated:
                neg += POSITIVE[phrase] * (0.5 if whole_clause else 1.0)
                evidence.append(f"-not {phrase}")
            else:
                pos += POSITIVE[phrase]
                evidence.append(f"+{phrase}")
        elif negated:
            # "no problem", "no work stoppage": a denied shortfall is good news
            pos += 0.8 * NEGATIVE[phrase]
            evidence.append(f"+not {phrase}")
        elif baseline:
            evidence.append(f"(before: {phrase})")
        else:
            neg += NEGATIVE[phrase]
            evidence.append(f"-{phrase}")
        if negated and not whole_clause:
            negated_until = -1
        i += m
    return pos, neg


def stance_of(text: str) -> Stance:
    """The stance of one passage towards the programme, with its evidence words."""
    evidence: list[str] = []
    pos_total = neg_total = 0.0
    for sentence in _SENTENCE.split(text.strip()):
        if not sentence:
            continue
        keep = KEEP_GOING.search(sentence)
        if keep:
            pos_total += 1.0
            evidence.append("+" + keep.group(0).lower())
        elif RECOMMENDATION.search(sentence) or IMPERATIVE_START.match(sentence):
            neg_total += 0.6
            m = RECOMMENDATION.search(sentence) or IMPERATIVE_START.match(sentence)
            assert m is not None
            evidence.append("-recommends: " + m.group(0).strip().lower())
        for toks, weight in _clauses(sentence):
            pos, neg = _clause_score(toks, evidence)
            pos_total += weight * pos
            neg_total += weight * neg
    score = pos_total - neg_total
    if pos_total >= MIXED_SIDE and neg_total >= MIXED_SIDE and min(pos_total, neg_total) >= 0.5 * max(
            pos_total, neg_total):
        label = "mixed"
    elif score >= NEUTRAL_BAND:
        label = "supports"
    elif score <= -NEUTRAL_BAND:
        label = "criticises"
    else:
        label = "neutral"
    return Stance(label, score, evidence)


def stances(texts: list[str]) -> list[Stance]:
    """:func:`stance_of` for many passages."""
    return [stance_of(t) for t in texts]
