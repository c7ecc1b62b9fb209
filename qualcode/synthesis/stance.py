"""Stance of a passage towards the evaluated programme: ``supports``, ``criticises``, ``mixed`` or ``neutral``,
with the words that decided it.

Offline and transparent; nothing is downloaded and no neural network runs:

1. **Words.** A general-purpose sentiment lexicon, VADER's (Hutto and Gilbert, 2014; MIT licence, read from the
   ``vaderSentiment`` package), with two evaluation-specific layers on top: words that name what a programme works
   on are not judgements ("grievance", "harassment", "complaints", "strike" are topics of a decent-work programme),
   and a short list of the words and idioms evaluators' informants use for shortfalls and results ("limited use",
   "too short", "not enough", "at the right time", "costs nothing", "on their own").
2. **Rules.** A negator ("not", "no", "never", "nobody", "least", "-n't" ...) reverses the lexicon word up to three
   words after it, and a negated ordinary word is a shortfall ("nobody asked us", "did not record anything", "no
   baseline"), unless the absence is the good news ("it costs nothing", "we did not have to convince anybody", "no
   strikes"); "without the survey we would have had nothing" credits the programme; what precedes "but"
   counts half and what follows counts one and a half times, and favourable words on one side of it with critical
   ones (or none) on the other make the passage mixed; an answer opening with "But" or "However" is a reservation;
   a problem given as the reason for a judgement ("timely, because the legal basis was not clear") weighs less; a
   shortfall said of the time before the programme is a change it brought ("before, we did not even count"). A
   noun of the lexicon naming a part of the programme ("the improvement toolkit") and the plural of a topic
   ("parties") are not judgements; "well" is one only as an adverb ("worked well", "well attended"); a passage
   about the programme's context alone (employers, workers, the market, buyers) rather than the programme is
   counted as such, since its problems are seldom the programme's. Patterns
   count scarcity ("only three of 14", "few", "hardly", "were less involved"), recommendations ("should", "next
   phase", "from the beginning", an opening imperative), calls to keep something going ("should be replicated"),
   changes tied to the programme ("after the course", "now", "still use"), changes with a direction (up is good
   news unless what went up is a problem: "turnover went down" is a result, "attendance went down" a shortfall, and
   "after the third meeting" then dates the decline), results and shortfalls told as facts ("is now in place",
   "signed"; "each one sent their own forms", "one has already left", "the same data twice", "after the fact"),
   risks to what lasts ("if there is no funding", "who pays after June"), and description (numbers, "we ran",
   "there were"). A denied word inside an idiom counts once ("not enough"); "not yet" denies what follows; the
   speaker's own doubt ("I cannot prove it is the course") is no shortfall, but a weak point said as doubt ("What I
   am not sure about is the support around it") is.
3. **Weights.** A multinomial logistic regression turns those counts into the four stances. Its weights
   (``stance_weights.json``, about 80 numbers) were fitted on the development part of the hand-labelled example
   passages, its regularisation chosen by cross-validation within them; ``tests/bench/fit_stance.py`` refits and
   writes them, ``tests/bench/bench_themes.py --heldout`` measures them on the held-out parts. A passage with no
   evaluative word (no lexicon word, idiom or pattern above) is neutral whatever the weights say: every other
   stance comes with the words it was read from.

English only: passages in other languages come out ``neutral``. A drafting aid: the evaluator reads the quotes
and overrules it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

STANCES = ("supports", "criticises", "mixed", "neutral")
WEIGHTS = Path(__file__).with_name("stance_weights.json")

# Words that name what an evaluated programme works on, or that carry no judgement in an interview ("to be
# honest", "we agreed"), though a general lexicon scores them.
TOPICS = frozenset("""
grievance grievances harassment complaint complaints complain strike strikes dispute disputes conflict conflicts
problem problems issue issues violence discrimination abuse poverty risk risks fear afraid pressure crisis covid
disability disabilities vulnerable safety protection rights justice child bargaining demand demands compliance audit
audits finding findings fund funds funding please support care childcare welfare benefits allowance dead killed sick
accident accidents injury overtime shout shouting yes no ok okay like want wants wanted agree agreed agreement share
shared united party free interest interested true honest frank honestly frankly sure well clear kind pretty certain
matter serious seriously big huge join joins joined joining number numbers invite invites invited inviting legal
commitment commitments commit allows allowed handing hands played bonus bargain gifts freedom joke straight
""".split())
# Evaluation words: they override the general lexicon (same scale, -4..4). Not here: "short" alone describes ("a
# short document", "short briefings"; "too short" is the judgement) and "started" tells an event ("we started
# charging a fee"; "started to" counts as a change below).
EVAL_POSITIVE = {
    "useful": 2.0, "relevant": 1.5, "timely": 1.5, "effective": 2.0, "worked": 1.2, "works": 1.0, "helped": 1.7,
    "helps": 1.7, "valuable": 2.0, "ownership": 1.0, "achieved": 1.5, "delivered": 1.0, "improved": 1.8,
    "practical": 1.0, "responsive": 1.5, "fitted": 1.2, "aligned": 1.2, "matches": 1.0, "popular": 1.5,
    "appreciated": 1.8, "satisfied": 1.8, "continue": 0.6, "continues": 0.8, "sustainable": 1.5, "synergy": 1.5,
    "synergies": 1.5, "result": 0.8, "results": 0.5, "replicate": 1.0, "replicated": 1.0, "adopted": 1.0,
    "used": 0.5, "benefited": 1.5,
    # the vocabulary of evaluation reports, which a general lexicon does not score
    "strategic": 1.2, "reasonable": 1.0, "reasonably": 1.0, "embedded": 1.0, "institutionalised": 1.5,
    "institutionalized": 1.5, "mainstreamed": 1.2, "genuine": 1.0, "genuinely": 1.0, "constructive": 1.5,
}
EVAL_NEGATIVE = {
    "limited": 1.5, "late": 1.2, "delayed": 1.3, "delay": 1.3, "lack": 1.5, "lacked": 1.5, "lacking": 1.5,
    "missing": 1.3, "gap": 1.2, "gaps": 1.2, "overlap": 1.2, "overlapped": 1.2, "duplicate": 1.2,
    "duplication": 1.2, "heavy": 1.0, "slow": 1.2, "thin": 0.8, "thinner": 0.8, "uneven": 1.2,
    "fragmented": 1.2, "parallel": 0.6, "separately": 0.8, "separate": 0.6, "expensive": 1.0,
    "burden": 1.2, "confusing": 1.3, "confused": 1.3, "unclear": 1.2, "weaker": 1.2, "weak": 1.2, "modest": 0.8,
    "sceptical": 1.5, "skeptical": 1.5, "dropped": 0.5, "depend": 0.8, "depends": 0.8, "dependent": 0.8,
    "ends": 0.6, "stopped": 1.0, "stop": 1.0, "cannot": 0.6, "unable": 1.0, "worry": 1.2, "worries": 1.2,
    "concern": 1.2, "dominated": 1.2, "backwards": 0.8, "instead": 0.3, "alone": 0.6,
    "inefficiency": 1.5, "inefficient": 1.5, "shortcoming": 1.5, "shortcomings": 1.5, "bottleneck": 1.2,
    "bottlenecks": 1.2, "patchy": 1.2, "piecemeal": 1.2, "formality": 1.0, "inconsistent": 1.2, "unsustainable": 1.5,
    "underused": 1.5, "rushed": 1.2, "complicated": 0.8, "bureaucratic": 1.2, "ineffective": 2.0, "irrelevant": 1.5,
    "outdated": 1.2, "generic": 0.6, "theoretical": 0.8, "postponed": 1.2,
}
# Idioms of evaluation interviews that single words miss (matched as whole words on the lower-cased passage).
PHRASES_POSITIVE = {
    "right time": 2.0, "good value": 2.0, "more than we expected": 2.0, "than we expected": 1.5,
    "costs nothing": 1.5, "costs little": 1.5, "cost is small": 1.2, "by itself": 1.0, "on their own": 1.0,
    "on its own": 1.0, "own resources": 1.2, "ourselves": 0.6, "still use": 1.5, "exactly what": 1.5,
    "made a difference": 2.0, "real change": 1.5, "at least": 0.5, "good feedback": 2.0, "a start": 0.8,
    "the beginning": 0.5, "did not have to": 1.0, "did well": 2.0, "not only": 0.3, "model": 0.5, "first time": 1.0,
    "is new": 1.0, "was new": 1.0, "were new": 1.0,
}
PHRASES_NEGATIVE = {
    "not enough": 1.5, "too short": 1.5, "too long": 1.5, "too general": 1.5, "too late": 1.8, "double work": 1.5,
    "same thing": 1.0, "less so": 1.2, "same faces": 1.2, "limited use": 2.0,
    "of little use": 2.0, "one more system": 1.2, "no follow-up": 1.5, "not much": 1.0, "not so much": 1.0,
    "nobody made": 1.2, "no information": 1.5, "no shared": 1.5, "no joint": 1.5,
    "no activity": 1.2, "not involved": 1.5, "hardly": 1.0, "not always": 1.0, "more than once": 0.6,
    "one after another": 0.6, "we waited": 1.0, "had to wait": 1.2, "not part of": 1.5, "without us": 1.5,
    "left out": 1.5, "less than we hoped": 2.0, "less than we expected": 2.0, "less than expected": 2.0,
    "less than planned": 1.5, "behind schedule": 1.5, "no-cost extension": 1.2, "already have": 1.0,
    "already had": 1.0, "that was it": 1.5,
}
# "least" reverses what follows as "not" does ("the least happy", "least useful"), except in "at least"
NEGATORS = frozenset({"not", "no", "never", "nobody", "none", "nothing", "hardly", "without", "neither", "nor",
                      "cannot", "n't", "barely", "rarely", "lack", "least"})
# a word of the lexicon after one of these is stronger or weaker (VADER's booster step)
BOOSTERS = {"very": 0.293, "really": 0.293, "extremely": 0.293, "so": 0.2, "quite": 0.1, "most": 0.293,
            "more": 0.1, "much": 0.2, "slightly": -0.293, "somewhat": -0.293, "partly": -0.293}
CONTRAST = frozenset({"but", "however", "yet", "though", "although", "while"})
# a negated verb of these says something did not happen: a shortfall ("nobody asked us")
SHORTFALL_VERBS = frozenset("""
ask asked come came check checked involve involved consult consulted count counted consider considered touch touched
happen happened connect follow followed reach reached attend attended include included invite invited know show plan
planned adapt adapted tell told share shared use used work apply applied change changed get got receive received fund
funded pay paid continue see add agree agreed design designed mention mentioned address addressed cover covered own
owns lead report reported separate separated have had release answer make made link mean take took able enough
always much really clear part allowed available
""".split())
NUMBER_WORDS = frozenset("two three four five six seven eight nine ten eleven twelve twenty thirty hundred thousand"
                         " million percent per half third quarter".split())
# Patterns of evaluation talk, by what they count. One scan finds them all: at each place the first that matches
# wins, so a phrase is counted once ("not enough" is an idiom, not also scarcity and risk).
RULES = {
    # a reservation said as the speaker's doubt ("What I am not sure about is the support around it", "Where I am
    # less sure is the fit between the projects"): what follows is the weak point, not the speaker's uncertainty
    "reserve": r"(?:what|where|the (?:part|thing|one)(?: that)?) (?:i|we) (?:am|'m|are|'re|was|were) (?:not|less) "
               r"(?:so |very |fully |too )?(?:sure|convinced|certain|clear)(?: about)?",
    "keep": r"(?:should|must|could) (?:be )?(?:replicated|continued|expanded|scaled up|kept|extended|repeated)|"
            r"should continue|as a model",
    "risk": r"if (?:there is|there's) no|when the (?:money|funding|project)|after (?:june|the project|2024|"
            r"the funding|the money)|who (?:will )?pays?|(?:cannot|can't) pay|(?:will|would) stop|"
            r"depends? (?:entirely )?on|no budget|ends in|runs out|will be lost|is gone|we lose|not (?:yet )?planned",
    "phrase": "|".join(re.escape(p) for p in sorted({*PHRASES_POSITIVE, *PHRASES_NEGATIVE}, key=lambda p: -len(p))),
    # "I must say", "I should admit" frame what follows; they recommend nothing
    "recommend": r"(?:should|must)(?! say| admit| tell| be honest)|next phase|next time|new phase|in (?:the )?future|"
                 r"i would suggest|we suggest|recommend|from the beginning|from the start|from day one|in advance|"
                 r"need to|needs|we need|i'd want|would want|would like to see|would have (?:preferred|liked)",
    "change": r"now|after (?:the|that|this|our) (?:\w+ )?(?:course|training|seminar|session|visit|sessions|meeting|"
              r"workshop|agreement|signing|survey)|since the|we started|started to|started|still use|no longer|"
              r"more than before|afterwards|as a result|thanks to|"
              r"set up|began|took over|(?:went|go|goes|fed|feeds) (?:directly )?into|do the same|(?:a|the) similar|"
              r"how (?:we|you|they) did it|would (?:not|never) have (?:happened|been possible)|would have had nothing|"
              r"changed (?:his|her|their|our|my|the) minds?|(?:grew|grown|came) out of",
    # a change with its direction: whether it is good news depends on what went up or down (read in _read)
    "rise": r"went up|go up|goes up|rose|risen|increased|increases|grew|higher|up from|doubled|"
            # "raised it in the meeting" brings a topic up; "raised the allowance" is a rise
            r"(?:raised|raises)(?! (?:it|this|that|them|(?:the|a|an|their|our|his|her) (?:issue|question|problem|"
            r"topic|point|matter|concern|case|complaint)s?|(?:issues?|questions?|concerns?|problems?|complaints?)\b))",
    "fall": r"went down|go down|goes down|came down|fell|fallen|decreased|decreases|reduced|reduces|lower|down from",
    # results and shortfalls told as facts, without a word of judgement
    "result": r"(?:is|are|was|were) (?:now )?in place|put in place|signed|ratified|(?:was|were|has been|have been) "
              r"adopted|cited|took (?:it )?up|(?:is|are) in the (?:draft|decree|law|text|guidance)|co-chair\w*|"
              r"(?:they|we|he|she) (?:still )?(?:apply|applies|applied) (?:it|them)",
    "fact": r"each (?:\w+ ){0,3}(?:its|their|his|her) own|(?:their|its) own (?:forms?|logframes?|indicators?|reports?|"
            r"reporting|systems?|committees?|plans?|monitoring)|after the fact|(?:has|have|had) (?:already )?"
            r"left|the same (?:\w+ ){1,4}(?:twice|again)|went nowhere|was cancelled",
    "baseline": r"before|used to|in the past|previously|until then|years ago",
    "scarce": r"only|very few|few|a little|little|hardly|barely|too \w+|not so much|not always|less so|at most|"
              r"(?:were|was|are|is) less \w+|"
              r"maybe (?:two|three|one)",
    "describe": r"we (?:did|ran|held|organised|organized|trained|sent|counted|joined|moved|planned|had)|"
                r"there (?:were|was)|in total",
}
_RULES = re.compile("|".join(rf"\b(?P<{name}>{pattern})\b" for name, pattern in RULES.items()))
IMPERATIVE = re.compile(r"^\s*(?:first|second|third|also|and|so|two lessons\.?)?[,.:\s]*(?:please\s+)?(build|agree|"
                        r"involve|make|ask|hold|plan|start|include|put|use|keep|give|count|design|tell|decide|invest|"
                        r"focus|avoid)\b")
# a capitalised word inside a sentence is a name ("Better Work", "Ha Noi"), not a judgement
_NAME_AFTER = frozenset(".!?:;")
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+(?:[.,]\d+)?|[.;:!?,]")
_INFLECTIONS = (("ed", ""), ("ed", "e"), ("ies", "y"), ("s", ""), ("ing", ""), ("ing", "e"), ("ly", ""))
# the plural of a topic is a topic too, though the general lexicon may score it ("parties" as in "the parties to the
# agreement", "benefits")
_PLURALS = (("ies", "y"), ("es", ""), ("s", ""))
# what a programme is made of: a noun of the lexicon just before one of these names a part of the programme ("the
# factory improvement toolkit", "the support fund", "success stories" not), it does not judge it
PROGRAMME_NOUNS = frozenset("""
toolkit toolkits programme programmes program programs project projects course courses plan plans roadmap roadmaps
cycle cycles team teams committee committees fund funds policy policies procedure procedures channel channels network
networks unit units component components module modules package packages visit visits officer officers advisor
advisors adviser advisers specialist specialists system systems framework frameworks strategy strategies tool tools
service services scheme schemes activity activities officer manual manuals guide guidelines
""".split())
_NOUN_ENDINGS = ("ment", "tion", "sion", "ance", "ence", "ity", "ness", "ship")
# "well" judges only as an adverb of how something went ("it worked well", "well attended"), not as a filler
# ("well, ...") or in "as well"
_WELL_BEFORE = frozenset("quite very really so pretty fairly extremely worked works work working went go goes done did"
                         " functioned functions ran run runs".split())
_WELL_AFTER = frozenset("attended received organised organized prepared designed run planned used known managed"
                        " coordinated".split())
NEGATION_SCOPE = 3

FEATURES = ("pos", "neg", "min_pn", "shortfall", "scarce", "recommend", "keep", "change", "baseline", "contrast",
            "risk", "numbers", "describe", "length", "opening", "opposed", "context", "better", "worse", "result",
            "fact")
OPPOSED = 0.5
# problems a programme works against: their absence is a result ("no strikes since the signing")
PROBLEMS = frozenset("""strike strikes stoppage stoppages dispute disputes conflict conflicts accident accidents injury
injuries violence harassment abuse discrimination complaint complaints problem problems issue issues incident
incidents fight fights protest protests turnover overtime absenteeism absence absences resignations waiting
delays""".split())
REASON = 0.3


@dataclass
class Stance:
    """A passage's stance, its lexicon score (favourable > 0) and the words that decided it ("+useful",
    "-not asked")."""

    stance: str
    score: float
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"stance": self.stance, "score": round(self.score, 2), "evidence": self.evidence}


@lru_cache(maxsize=1)
def general_lexicon() -> dict[str, float]:
    """VADER's word valences (-4..4), words only (its emoticons are left out)."""
    from importlib.resources import files

    out: dict[str, float] = {}
    text = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0][:1].isalpha() and parts[0].replace("'", "").replace("-", "").isalpha():
            out[parts[0]] = float(parts[1])
    return out


@lru_cache(maxsize=1)
def _weights() -> dict[str, Any]:
    with WEIGHTS.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError("stance_weights.json does not match the features; run tests/bench/fit_stance.py")
    # fold the standardisation into the weights: logit = intercept + sum(coef * (x - mean) / scale)
    data["folded_coef"] = [[c / s for c, s in zip(coef, data["scale"], strict=True)] for coef in data["coef"]]
    data["folded_intercept"] = [b - sum(c * m / s for c, m, s in zip(coef, data["mean"], data["scale"], strict=True))
                                for coef, b in zip(data["coef"], data["intercept"], strict=True)]
    return data


_valence_cache: dict[str, float] = {}


def valence(word: str) -> float:
    """A word's valence: the evaluation lists first, then the general lexicon (with a light inflection fallback)."""
    v = _valence_cache.get(word)
    if v is not None:
        return v
    v = _valence(word)
    if len(_valence_cache) < 200_000:
        _valence_cache[word] = v
    return v


def _valence(word: str) -> float:
    if word in EVAL_POSITIVE:
        return EVAL_POSITIVE[word]
    if word in EVAL_NEGATIVE:
        return -EVAL_NEGATIVE[word]
    if word in TOPICS:
        return 0.0
    for suffix, replacement in _PLURALS:
        if word.endswith(suffix) and word[: -len(suffix)] + replacement in TOPICS:
            return 0.0
    lexicon = general_lexicon()
    if word in lexicon:
        return lexicon[word]
    for suffix, replacement in _INFLECTIONS:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)] + replacement
            if base in EVAL_POSITIVE or base in EVAL_NEGATIVE or base in TOPICS or base in lexicon:
                return _valence(base)
    return 0.0


_PLAIN, _VALUED, _NEGATOR, _CONTRAST, _STOP, _SHORTFALL = range(6)
_token_info: dict[str, tuple[int, float, bool, bool, bool]] = {}


def _info(token: str) -> tuple[int, float, bool, bool, bool]:
    """(kind, valence, is a word, is a number, is an English function word) of a token, cached."""
    from qualcode.nlp.text import STOPWORDS

    info = _token_info.get(token)
    if info is None:
        v = valence(token) if token[0].isalpha() else 0.0
        kind = (_CONTRAST if token in CONTRAST else _STOP if token in ".;:!?" else _NEGATOR if token in NEGATORS
                else _VALUED if v else _SHORTFALL if token in SHORTFALL_VERBS else _PLAIN)
        info = (kind, v, token[0].isalpha(), token[0].isdigit() or token in NUMBER_WORDS, token in STOPWORDS)
        if len(_token_info) < 200_000:
            _token_info[token] = info
    return info


def features(text: str) -> tuple[list[float], list[str], float]:
    """The counts the stance is read from (in :data:`FEATURES` order), the evidence words and the lexicon score."""
    x, evidence, score, _ = _read(text)
    return x, evidence, score


def _read(text: str) -> tuple[list[float], list[str], float, bool]:
    """:func:`features` and whether the passage reads as English (see :func:`english`)."""
    spaced = " ".join(text.replace("\u2019", "'").split())
    low = spaced.lower()
    toks = _TOKEN.findall(low.replace("n't", " n't"))
    infos = [_token_info.get(t) or _info(t) for t in toks]
    names = _names(spaced, len(toks))
    words = numbers = function_words = 0
    pos = neg = shortfall = 0.0
    evidence: list[str] = []
    weight = 1.0
    scope = -1
    contrast = False
    # the judgement on each side of the first "but": favourable on one side and critical on the other is mixed
    sides = [0.0, 0.0]
    reason = False  # after "because" (until the sentence ends)
    denier = ""  # the negator of the current scope
    idiom = -1  # the second word of "no longer", "no doubt"
    # (word before, denied word) -> (weight, side, place in the evidence) of each shortfall read from a denied word,
    # so that an idiom over the same words ("not enough", "not always") replaces it instead of counting twice
    denied: dict[tuple[str, str], tuple[float, int, int]] = {}
    # a passage that opens with "But" or "However" answers what was said before it with a reservation
    first = next((t for t in toks if t[0].isalpha()), "")
    opening = first in ("but", "however", "yet")
    if opening:
        evidence.append("-reservation: " + first)
    for i, (kind, v, alpha, number, stop) in enumerate(infos):
        words += alpha
        numbers += number
        function_words += stop
        t = toks[i]
        if t == "because":
            reason = True
            continue
        if i == idiom:
            continue
        if kind == _PLAIN:
            if i <= scope and alpha and not stop:
                # a denied action or an absence is a shortfall ("did not record anything", "no baseline"), but the
                # absence of a problem is good news ("no strikes", "no work stoppage")
                problem = next((u for u in toks[i:scope + 1] if u in PROBLEMS), None)
                if t in _HEDGES and _speaker_hedges(toks, scope - NEGATION_SCOPE):
                    pass  # "I cannot prove it is the course": the speaker is unsure, nothing is lacking
                elif problem:
                    pos += 1.0 * weight
                    sides[contrast] += 1.0
                    evidence.append("+no " + problem)
                else:
                    lack = REASON if reason and pos > 0 else 1.0
                    shortfall += lack
                    sides[contrast] -= lack
                    denied[(toks[i - 1] if i else "", t)] = (lack, int(contrast), len(evidence))
                    evidence.append(f"-{'no' if denier == 'no' else 'not'} {t}")  # "-no baseline", "-not record"
                scope = -1
                continue
            if t != "well" or not _adverb_well(toks, i):
                continue
            v = 1.5
        if kind == _CONTRAST and t == "yet" and i and toks[i - 1] in ("not", "n't"):
            continue  # "not yet": the negation goes on to the next words ("not yet used"); no turn
        if kind == _CONTRAST:
            pos *= 0.5  # what came before "but" weighs less ...
            neg *= 0.5
            weight = 1.5 if t in ("but", "however", "yet") else 1.0  # ... and what follows it more
            contrast = True
            continue
        if kind == _STOP:
            scope = -1
            reason = False
            continue
        if t == "without" and "would" in toks[i + 1:_sentence_end(toks, i)]:
            # "without the wage survey, we would have had nothing": what the programme made possible
            pos += 1.0
            sides[contrast] += 1.0
            evidence.append("+without it, would")
            continue
        if kind == _NEGATOR and i + 1 < len(toks) and toks[i + 1] in _NOT_A_DENIAL:
            idiom = i + 1  # "we no longer wait", "no doubt": nothing is denied
            continue
        if kind == _NEGATOR and not (t == "not" and i + 1 < len(toks) and toks[i + 1] == "only") and not (
                t == "least" and i and toks[i - 1] in ("at", "very")):
            scope = i + NEGATION_SCOPE
            denier = t
            # "it costs nothing", "we lost nothing": the absence is the good news
            if t in ("nobody", "none", "nothing", "never") and not any(info[1] for info in infos[i + 1:i + 4]) \
                    and not (i and toks[i - 1] in _ABSENCE_IS_GOOD):
                lack = REASON if reason and pos > 0 else 1.0
                shortfall += lack
                sides[contrast] -= lack
                evidence.append("-" + t)
                scope = -1  # "nobody had data" is one shortfall, not also a denied "had"
            continue
        negated = i <= scope
        if kind == _SHORTFALL:
            problem = next((u for u in toks[i:scope + 1] if u in PROBLEMS), None) if negated else None
            if negated and t in ("have", "had") and i + 1 < len(toks) and toks[i + 1] == "to":
                scope = -1  # "we did not have to convince anybody": nothing was lacking
            elif problem:
                pos += 1.0 * weight  # "no work stoppage"
                sides[contrast] += 1.0
                evidence.append("+no " + problem)
                scope = -1
            elif negated and t in _HEDGES and _speaker_hedges(toks, scope - NEGATION_SCOPE):
                scope = -1  # "I cannot prove it is the course", "I would not claim more": a hedge, not a shortfall
            elif negated:
                lack = REASON if reason and pos > 0 else 1.0
                shortfall += lack
                sides[contrast] -= lack
                denied[(toks[i - 1] if i else "", t)] = (lack, int(contrast), len(evidence))
                evidence.append("-not " + t)
                scope = -1
            continue
        if not v or i in names or _names_a_part(toks, i):
            continue
        boost = BOOSTERS.get(toks[i - 1], 0.0) if i else 0.0
        v = v + (boost if v > 0 else -boost)
        if negated:
            # in an evaluation a denied virtue is a criticism ("not useful"); a denied fault is milder good news
            v = -v if v > 0 else -0.5 * v
        v *= weight
        if reason and v < 0 < pos:
            v *= REASON  # "it was timely, because the legal basis was not clear": the problem is why it was needed
        sides[contrast] += v
        if v > 0:
            pos += v
            evidence.append("+" + ("not " if negated else "") + t)
        else:
            neg -= v
            evidence.append("-" + ("not " if negated else "") + t)
    counts = dict.fromkeys((*RULES, "better", "worse"), 0)
    after_event: list[tuple[int, int]] = []  # "after the course" read as a change: (place in the evidence, side)
    turn = _CONTRAST_AT.search(low)
    turn_at = turn.start() if turn else len(low)
    # the reason after a judgement: from "because" to the end of its sentence
    because = _BECAUSE.search(low)
    ends = _SENTENCE_END.search(low, because.end()) if because else None
    reasons = (because.start(), ends.start() if ends else len(low)) if because and pos > 0 else (-1, -1)
    before_word = ""  # the first word that sets what is said in the time before the programme ("before", "used to")
    for m in _RULES.finditer(low):
        rule = str(m.lastgroup)
        counts[rule] += 1
        if rule == "baseline" and not before_word:
            before_word = m.group(rule)
        side = m.start() > turn_at
        if rule == "phrase":
            p = m.group(rule)
            if p in PHRASES_POSITIVE:
                pos += PHRASES_POSITIVE[p]
                sides[side] += PHRASES_POSITIVE[p]
                evidence.append("+" + p)
            else:
                v = PHRASES_NEGATIVE[p] * (REASON if reasons[0] < m.start() < reasons[1] else 1.0)
                neg += v
                sides[side] -= v
                evidence.append("-" + p)
                words_of = _TOKEN.findall(p)
                pair = (words_of[0], words_of[1]) if len(words_of) >= 2 else None
                if pair in denied:
                    lack, at, shown = denied.pop(pair)
                    shortfall -= lack
                    sides[at] += lack
                    evidence[shown] = ""
        elif rule in ("keep", "change", "result"):
            if _NEGATED_BEFORE.search(low, max(0, m.start() - 16), m.start()):
                counts[rule] -= 1  # "it did not go into the text": no change
                continue
            sides[side] += 1
            if rule == "change" and m.group(rule).startswith("after"):
                after_event.append((len(evidence), side))
            evidence.append(f"+{rule}: {m.group(rule)}")
        elif rule in ("rise", "fall"):
            # up is good news unless what went up is a problem ("turnover went down" is a result, "attendance went
            # down" a shortfall); the problem is looked for in the clause around the change
            start = max(low.rfind(c, 0, m.start()) for c in ".;,:")
            end = min((j for j in (low.find(c, m.end()) for c in ".;,:") if j >= 0), default=len(low))
            problem = any(u in PROBLEMS for u in _TOKEN.findall(low[start + 1:end]))
            said = m.group(rule)
            good = (rule == "rise") != problem
            if _NEGATED_BEFORE.search(low, max(0, m.start() - 16), m.start()):
                good = not good  # "it did not go down"
            counts["better" if good else "worse"] += 1
            sides[side] += 1 if good else -1
            evidence.append(f"{'+' if good else '-'}{'up' if rule == 'rise' else 'down'}: {said}")
        elif rule == "fact":
            sides[side] -= 1
            evidence.append(f"-{m.group(rule)}")
        elif rule == "reserve":
            shortfall += 1.0
            sides[side] -= 1.0
            evidence.append(f"-reservation: {m.group(rule)}")
        elif rule in ("risk", "recommend", "scarce"):
            sides[side] -= 0.5 if rule == "recommend" else 1
            evidence.append(f"-{rule}: {m.group(rule)}")
    if counts["worse"]:
        # "after the third meeting the attendance went down": the event dates a decline, it brought no change
        for shown, at in after_event:
            counts["change"] -= 1
            sides[at] -= 1
            evidence[shown] = ""
    if counts["recommend"] == 0 and IMPERATIVE.match(low):
        counts["recommend"] = 1
        evidence.append("-recommend: " + low.split()[0])
    if counts["baseline"] and not counts["risk"]:
        # a shortfall said of the time before the programme is a change it brought ("before, we did not even count")
        if neg + shortfall > 0 and any(evidence):
            # shown, so that "supports" beside only critical words ("-no place") says why (the critical words it
            # turns are evidence already: a passage with no evaluative word stays neutral)
            evidence.append(f"+before: {before_word}")
        pos += 0.5 * (neg + shortfall)
        neg *= 0.3
        shortfall *= 0.3
    values = {
        "pos": pos / 4, "neg": neg / 4, "min_pn": min(pos, neg) / 4, "shortfall": shortfall,
        "scarce": float(counts["scarce"]), "recommend": float(counts["recommend"] > 0),
        "keep": float(counts["keep"] > 0), "change": float(counts["change"]), "baseline": float(counts["baseline"] > 0),
        "contrast": float(contrast), "risk": float(counts["risk"]),
        "numbers": numbers / 3, "describe": float(counts["describe"]), "length": math.log1p(max(1, words)) / 3,
        "opening": float(opening),
        "context": float(bool(_CONTEXT_WORDS.search(low)) and not _PROGRAMME_WORDS.search(low)),
        "better": float(counts["better"]), "worse": float(counts["worse"]), "result": float(counts["result"] > 0),
        "fact": float(counts["fact"]),
        # praise, then "but" and a clause with no word of praise: the "but" itself is the reservation
        "opposed": float(contrast and ((min(sides) <= -OPPOSED and max(sides) >= OPPOSED
                                        and (sides[0] > 0) != (sides[1] > 0))
                                       or (sides[0] >= OPPOSED and sides[1] == 0 and turn is not None
                                           and turn.group() in ("but", "however", "yet")))),
    }
    # a short answer ("Very useful.", "Too late.") has too few function words to tell its language by: plain ASCII
    # letters with an English function word or judgement read as English (Vietnamese, French ... carry accents)
    is_english = function_words >= 2 or (words > 0 and bool(function_words or evidence)
                                         and all(t.isascii() for t in toks if t[0].isalpha()))
    # a word read twice (as a negated word and inside an idiom: "not always") is shown once
    return [values[k] for k in FEATURES], [e for e in dict.fromkeys(evidence) if e], pos - neg - shortfall, is_english


def _names(spaced: str, n_tokens: int) -> set[int]:
    """Positions of the tokens that are names: capitalised, not opening a sentence. A passage written all in lower
    case (some automatic transcripts) has none."""
    toks = _TOKEN.findall(_NOT.sub(" n't", spaced))
    if len(toks) != n_tokens:  # a token the case changed the splitting of: no guess
        return set()
    return {i for i in range(1, len(toks)) if toks[i][0].isupper() and toks[i - 1] not in _NAME_AFTER
            and toks[i] != "I"}


_NOT = re.compile(r"(?i)n't")
_BECAUSE = re.compile(r"\bbecause\b")
_SENTENCE_END = re.compile(r"[.!?;]")
_PROGRAMME_WORDS = re.compile(r"\b(?:projects?|programmes?|programs?|ilo|courses?|training|trainings|seminars?|"
                              r"toolkit|advisory|advisors?|workshops?|research|study|studies|survey|sessions?|"
                              r"trainers?|visits?|meetings?|agreement|e-learning|cluster|donors?|chamber|"
                              r"confederation|ministry)\b")
_CONTEXT_WORDS = re.compile(r"\b(?:employers?|workers?|market|orders?|customers?|buyers?|brands?|boss|competitors?|"
                            r"head office|managers?|wages?|turnover|our members|the law|labour code|covid)\b")
_NEGATED_BEFORE = re.compile(r"\b(?:not|n't|never|no)\s+(?:\w+\s+)?$")
_NOT_A_DENIAL = frozenset({"longer", "doubt", "matter", "wonder"})
_ABSENCE_IS_GOOD = frozenset({"costs", "cost", "lost", "lose", "wasted", "risked"})
_CONTRAST_AT = re.compile(r"\b(?<!not )(?:" + "|".join(sorted(CONTRAST)) + r")\b")


_HEDGES = frozenset("say tell prove claim judge sure attribute".split())


def _speaker_hedges(toks: list[str], at: int) -> bool:
    """Whether the negator at ``at`` is the speaker's own ("I cannot say", "we don't know"): the speaker is unsure,
    nothing is lacking."""
    # "I cannot say how many were implemented" is no hedge: the figure is missing
    return any(t in ("i", "we") for t in toks[max(0, at - 3):at]) and "how" not in toks[at + 2:at + 4]


def _sentence_end(toks: list[str], i: int) -> int:
    """The position of the end of the sentence the token at ``i`` is in."""
    return next((j for j in range(i, len(toks)) if toks[j] in ".!?;"), len(toks))


def _adverb_well(toks: list[str], i: int) -> bool:
    """Whether "well" at ``i`` says how something went ("worked well", "quite well", "well attended")."""
    return (i > 0 and toks[i - 1] in _WELL_BEFORE) or (i + 1 < len(toks) and toks[i + 1] in _WELL_AFTER)


def _names_a_part(toks: list[str], i: int) -> bool:
    """Whether the word at ``i`` is a noun naming a part of the programme ("improvement" in "the improvement
    toolkit"): a noun of the lexicon just before a programme noun."""
    t = toks[i]
    return (i + 1 < len(toks) and toks[i + 1] in PROGRAMME_NOUNS
            and (t.endswith(_NOUN_ENDINGS) or t in ("support", "success", "benefit", "help", "care", "quality")))


def english(text: str) -> bool:
    """Whether the passage reads as English (two or more English function words, or a short answer in plain ASCII
    letters with one, or with a word the lexicon knows): the lexicon knows no other language."""
    return _read(text)[3]


def stance_of(text: str) -> Stance:
    """The stance of one passage towards the programme, with its evidence words."""
    return stances([text])[0]


def stances(texts: list[str]) -> list[Stance]:
    """:func:`stance_of` for many passages (the weights are applied to all of them at once)."""
    import numpy as np

    w = _weights()
    read = [_read(t) for t in texts]
    if not read:
        return []
    x = np.array([r[0] for r in read], dtype=np.float64)
    logits = x @ np.array(w["folded_coef"]).T + np.array(w["folded_intercept"])
    best = logits.argmax(axis=1)
    # favourable and critical words on both sides of a "but": the passage weighs one against the other
    if w.get("mixed_rule") == "opposed":
        # favourable on one side of a "but" and critical on the other (or praise, then a "but" clause without it)
        mixed = x[:, FEATURES.index("opposed")] > 0
    else:
        mixed = (x[:, FEATURES.index("contrast")] > 0) & (x[:, FEATURES.index("min_pn")] >= w["mixed_min"])
    out = []
    for i, (_, evidence, score, is_english) in enumerate(read):
        if not is_english:
            out.append(Stance("neutral", 0.0, []))
        elif not evidence:
            # no evaluative word: a stance would rest on length and numbers alone, and the reader could not see why
            out.append(Stance("neutral", score, []))
        else:
            out.append(Stance("mixed" if mixed[i] else w["classes"][int(best[i])], score, evidence))
    return out
