"""Alternatives to the stance reader's weighting, compared by cross-validation grouped by transcript.

Run:  .venv/bin/python tests/bench/stance_alternatives.py ["method name" ...]   (default: every method)

Reads only the development rows of tests/fixtures/stance/example_passages.tsv (never the held-out part). Every
method is cross-validated leaving one transcript (or document) out at a time, so that no interview has passages on
both sides; a regularisation (and, where a method has one, a threshold) is chosen inside each training part by a
4-fold split of its transcripts. Printed per method: the accuracy on all development passages, on the 510 the
patterns of stance.py were written from (`dev`, `dev-c`, `dev-d`) and on the 325 labelled later (`dev-a`, `dev-b`,
`dev-e`, `dev-f`), and the difference from the current method with a 95% interval from resampling whole
transcripts.

The methods, all over the same evidence gate as stance.py (a passage with no evaluative word is neutral) unless
they say "no gate":

- current: the logistic regression over stance.py's counts (FEATURES), and the same fitted on the 510 passages
  only, as the shipped weights are;
- the interviewer's question as context: what the question before the passage asks for (the last run of
  interviewer units before it, as the themes read it): nothing (a document), an opening (greeting, consent,
  recording, the informant's role, "which courses did you attend"), a closing ("anything else", the validation
  workshop), results ("what changed", "achievements", "what did you get out of"), problems ("challenges",
  "difficulties", "what limited", "could be better"), a judgement ("how was it", "in your view", "did it match"),
  the future ("continue", "looking ahead", "lessons", "advise") or a description ("how many", "what about"); the
  patterns were written from the example's questions before any stance error was read;
- the position in the interview: the unit's place in its transcript (and whether in its first tenth or last
  twelfth), whether it is the first answer after the question, how many units since the question;
- no gate: the same counts, question and position, and a passage with no evaluative word is left to the model
  (which could then read an answer to "what were the challenges?" as critical from its question alone);
- two stages on question and position: evaluative or neutral first, from the counts, question and position; then
  the polarity from the counts and question;
- substance (the team's coding as weak labels): how likely the team was to code a unit like it, by a model of words
  and question fitted on every informant unit of the other transcripts (coded by anybody or not; the held-out
  part's units left out of every fit);
- boosted trees (shallow, few) on the counts, and with question and position: a model that can weigh one count by
  another;
- + general features: the counts with counts of general constructions that no development error suggested:
  deficits ("not enough", "lack of", "still no", "only three of", "nobody"), comparisons ("better", "more ...
  than", "than before"), counterfactuals ("would have", "could have", "if only"), doubt ("not sure", "whether", "I
  hope"), a speaker introducing themself or the interview ("I am", "thank you", "in charge of"), the programme
  named, the speaker's own organisation ("our factory"), the number of favourable and critical evidence words, a
  question, a short passage;
- two stages: evaluative or neutral first (a threshold on its probability), then the polarity among evaluative
  passages;
- abstention: neutral when the most likely stance is below a threshold;
- words as well: the counts beside a bag of words and word pairs;
- lexicon and negation alone (no pattern of evaluation talk), and with the general features: what the patterns add.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.synthesis.stance import _PROGRAMME_WORDS, FEATURES, _read  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "stance" / "example_passages.tsv"
DEVELOPMENT = ("dev", "dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f")
LATER = ("dev-a", "dev-b", "dev-e", "dev-f")  # labelled after the patterns were written
C_GRID = (0.03, 0.1, 0.3, 1.0)
GENERAL = {
    "deficit": r"\b(?:not enough|lack of|lacked|lacking|still (?:no|not|nobody|nothing)|no (?:one|real|clear|proper|"
               r"systematic|common|shared|single)|nobody|no-one|none of|not all|not every|not a single|"
               r"too (?:few|little)|only (?:\w+ )?(?:of|out of)|only (?:one|two|three|a few|some|once|twice)|missing|"
               r"never)\b",
    "compare": r"\b(?:better|worse|best|worst|more \w+ than|less \w+ than|\w+er than|than before|than expected|"
               r"than planned|compared (?:to|with)|the same as|different from)\b",
    "counterfactual": r"\b(?:would have|could have|should have|might have|would've|could've|should've|if only|wish)\b",
    "doubt": r"\b(?:not sure|less sure|unsure|whether|different question|i hope|we hope|hope so|remains to be seen|"
             r"too early|hard to say|difficult to say)\b",
    "introduction": r"^(?:\w+, )?(?:i am|i'm|my name|we are|our (?:company|factory) is|thank you|thanks|"
                    r"yes, (?:it is|that is) fine|it is fine|sure\.)|\b(?:in charge of|responsible for|"
                    r"i work (?:in|at|as|for)|i joined|i will (?:attend|come|try)|my camera|the recording)\b",
    "programme": _PROGRAMME_WORDS.pattern,
    "own world": r"\b(?:our|my) (?:factory|factories|company|companies|members|workers|lines?|zone|province|section|"
                 r"department|office|director|management|hr|union)\b",
}
_GENERAL = {k: re.compile(v) for k, v in GENERAL.items()}
# what the interviewer's question asks for (chosen from the example's questions, before any stance error was read)
QUESTION = {
    "q opening": r"thank you for|good (?:morning|afternoon)|hello|hear me|confidential|record|introduce|your role|"
                 r"role of your|role and|say your|which (?:courses|activities)|go around|tell me about your|"
                 r"how did (?:you|the \w+) (?:first|get|come)|decide to join|why did .* join",
    "q closing": r"anything else|validation workshop|preliminary findings|contact me|thank you all|"
                 r"comment on the findings",
    "q results": r"changed?|difference|achievements?|results?|came out|get out of|take from|effects?|impact|"
                 r"benefit\w*|useful|worked well|work well|went well|success\w*|good practice",
    "q problems": r"challenges?|difficult\w*|problems?|weak\w*|limit\w*|"
                  r"could (?:have been|be) (?:better|improved|done)|improve\w*|differently|did not work|didn't work|"
                  r"obstacles?|barriers?|hinder\w*|critical|concerns?|bad|shortcomings?",
    "q judge": r"how (?:was|were|did (?:you find|that go|it go)|well|sustainable|relevant|useful|effective)|"
               r"in your view|view|match\w*|fit|needed|expected",
    "q future": r"continue|after the projects?|looking ahead|future|advise|recommend\w*|lessons?|next",
    "q describe": r"what did .* cover|how many|which partners|who|when|describe|explain|what about|tell us about",
}
_QUESTION = {k: re.compile(rf"\b(?:{v})\b") for k, v in QUESTION.items()}


def question_features(question: str) -> list[float]:
    low = " ".join(question.replace("\u2019", "'").split()).lower()
    return [float(not low), *(float(bool(rx.search(low))) for rx in _QUESTION.values())]


def position_features(idx: int, units: int, after_question: int) -> list[float]:
    rel = idx / max(units, 1)
    return [rel, float(rel < 0.1), float(rel > 0.92), float(after_question == 1), math.log1p(after_question)]


_EXAMPLE: dict[str, Any] = {}


def example_units() -> tuple[list[Any], set[int]]:
    """The bundled example's units and the ids of those coded by anybody (built once)."""
    if not _EXAMPLE:
        import tempfile

        from qualcode.project_io import build_example
        from qualcode.store import Project

        with tempfile.TemporaryDirectory() as tmp:
            build_example(Path(tmp) / "example")
            with Project.open(Path(tmp) / "example") as project:
                _EXAMPLE["segs"] = project.segments()
                _EXAMPLE["coded"] = {sid for (sid,) in project.db.execute("SELECT segment_id FROM codings")}
    return _EXAMPLE["segs"], _EXAMPLE["coded"]


def substance(refs: list[str], texts: list[str], questions: list[str], held: set[str]) -> list[float]:
    """For each passage, how likely the team was to code a unit like it (weak labels: every informant unit of the
    example's interviews, coded by anybody or not), from its words and its question, by a model fitted on the other
    transcripts' units. Units of the held-out part are left out of every fit."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    segs, coded = example_units()
    units = [sg for sg in segs if sg["role"] not in ("interviewer", "document") and sg["ref"] not in held]
    unit_q, _ = contexts([sg["ref"] for sg in units])
    u_text = [sg["text"] + " || " + q for sg, q in zip(units, unit_q, strict=True)]
    u_y = np.array([sg["id"] in coded for sg in units])
    u_t = np.array([sg["transcript"] for sg in units])
    r_text = [t + " || " + q for t, q in zip(texts, questions, strict=True)]
    r_t = np.array([r.rpartition(":")[0] for r in refs])
    out = np.zeros(len(refs))
    for tid in sorted(set(r_t)):
        tr = u_t != tid
        v = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        m = LogisticRegression(C=1.0, max_iter=5000).fit(v.fit_transform([u_text[i] for i in np.where(tr)[0]]),
                                                           u_y[tr])
        idx = np.where(r_t == tid)[0]
        out[idx] = m.predict_proba(v.transform([r_text[i] for i in idx]))[:, 1]
    return out.tolist()


def contexts(refs: list[str]) -> tuple[list[str], list[tuple[int, int, int]]]:
    """Each passage's interviewer question (the last run of interviewer units before it, as the themes read it) and
    its position: (unit number, units in the transcript, units since the question), from the bundled example."""
    segs, _ = example_units()
    by_t: dict[str, dict[int, tuple[str, str]]] = {}
    for seg in segs:
        by_t.setdefault(seg["transcript"], {})[int(seg["ref"].rpartition(":")[2])] = (seg["role"], seg["text"])
    questions, where = [], []
    for ref in refs:
        tid, _, i = ref.rpartition(":")
        units, idx = by_t[tid], int(i)
        j = idx - 1
        while j > 0 and units.get(j, ("", ""))[0] != "interviewer":
            j -= 1
        run = []
        while j > 0 and units.get(j, ("", ""))[0] == "interviewer":
            run.append(units[j][1])
            j -= 1
        questions.append(" ".join(reversed(run)))
        since = idx - (j + len(run)) if run else idx
        where.append((idx, max(units), since))
    return questions, where
LEXICON = ("pos", "neg", "min_pn", "shortfall", "contrast", "opposed", "length", "opening")


def general(text: str, evidence: list[str]) -> list[float]:
    low = " ".join(text.replace("\u2019", "'").split()).lower()
    counts = [min(3.0, float(len(rx.findall(low)))) for rx in _GENERAL.values()]
    return [*counts, float(sum(e.startswith("+") for e in evidence)), float(sum(e.startswith("-") for e in evidence)),
            float("?" in text), float(len(low.split()) <= 8)]


def main() -> int:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    with FIXTURE.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["split"] in DEVELOPMENT]
    texts = [r["text"] for r in rows]
    y = np.array([r["stance"] for r in rows])
    groups = np.array([r["ref"].rpartition(":")[0] for r in rows])
    later = np.array([r["split"] in LATER for r in rows])
    read = [_read(t) for t in texts]
    x = np.array([r[0] for r in read], dtype=np.float64)
    gate = np.array([bool(r[1]) and r[3] for r in read])  # English, with an evaluative word
    english = np.array([r[3] for r in read])
    mixed = x[:, FEATURES.index("opposed")] > 0
    g = np.array([general(t, r[1]) for t, r in zip(texts, read, strict=True)])
    lex = x[:, [FEATURES.index(f) for f in LEXICON]]
    evaluative = y != "neutral"
    questions, where = contexts([r["ref"] for r in rows])
    q = np.array([question_features(t) for t in questions])
    pos = np.array([position_features(*w) for w in where])
    none = np.array([[float(not r[1])] for r in read])
    with FIXTURE.open(encoding="utf-8") as f:
        held = {r["ref"] for r in csv.DictReader(f, delimiter="\t") if r["split"] not in DEVELOPMENT}
    sub = np.array(substance([r["ref"] for r in rows], texts, questions, held))[:, None]
    print(f"{len(rows)} development passages from {len(set(groups))} transcripts and documents"
          f" ({int((~later).sum())} the patterns were written from, {int(later.sum())} labelled later)\n")

    def scaled(a: Any, tr: Any) -> Any:
        mean, scale = a[tr].mean(axis=0), a[tr].std(axis=0)
        scale[scale == 0] = 1.0
        return lambda z: (z - mean) / scale

    def finish(pred: Any, te: Any, gated: bool = True) -> Any:
        pred[mixed[te]] = "mixed"
        if gated:
            pred[~gate[te]] = "neutral"
        else:
            pred[~english[te]] = "neutral"
        return pred

    def linear(a: Any, threshold: bool = False, gated: bool = True, early_only: bool = False) -> Any:
        def predict(tr: Any, te: Any, c: float, t: float) -> Any:
            if early_only:
                tr = tr[~later[tr]]  # fitted as the shipped weights were: on the 510 passages only
            s = scaled(a, tr)
            m = LogisticRegression(C=c, max_iter=5000).fit(s(a[tr]), y[tr])
            p = m.predict_proba(s(a[te]))
            pred = m.classes_[p.argmax(axis=1)].astype(object)
            if threshold:
                pred[p.max(axis=1) < t] = "neutral"
            return finish(pred, te, gated)
        return predict, ((0.0, 0.4, 0.5, 0.6) if threshold else (0.0,))

    def two_stage(a: Any, b: Any = None) -> Any:
        b = x if b is None else b

        def predict(tr: Any, te: Any, c: float, t: float) -> Any:
            s1, s2 = scaled(a, tr), scaled(b, tr)
            first = LogisticRegression(C=c, max_iter=5000).fit(s1(a[tr]), evaluative[tr])
            ev = tr[evaluative[tr]]
            second = LogisticRegression(C=c, max_iter=5000).fit(s2(b[ev]), y[ev])
            pred = second.predict(s2(b[te])).astype(object)
            pred[first.predict_proba(s1(a[te]))[:, 1] < t] = "neutral"
            return finish(pred, te)
        return predict, (0.4, 0.5, 0.6)

    def boosted(a: Any, gated: bool = True) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        def predict(tr: Any, te: Any, c: float, t: float) -> Any:
            # c stands for the learning rate's scale here: shallow trees, few of them
            m = HistGradientBoostingClassifier(max_depth=2, learning_rate=0.3 * c, max_iter=60,
                                               l2_regularization=1.0, random_state=0).fit(a[tr], y[tr])
            return finish(m.predict(a[te]).astype(object), te, gated)
        return predict, (0.0,)

    def words(tr: Any, te: Any, c: float, t: float) -> Any:
        v = CountVectorizer(ngram_range=(1, 2), min_df=3, binary=True, token_pattern=r"(?u)\b\w[\w']*\b")
        s = scaled(x, tr)
        a = sp.hstack([v.fit_transform([texts[i] for i in tr]), s(x[tr])]).tocsr()
        b = sp.hstack([v.transform([texts[i] for i in te]), s(x[te])]).tocsr()
        m = LogisticRegression(C=c, max_iter=5000).fit(a, y[tr])
        return finish(m.predict(b).astype(object), te)

    def cross_validate(method: Any) -> Any:
        predict, thresholds = method
        pred = np.empty(len(y), dtype=object)
        for held in sorted(set(groups)):
            tr, te = np.where(groups != held)[0], np.where(groups == held)[0]
            inner_groups = sorted(set(groups[tr]))
            fold = np.array([inner_groups.index(h) % 4 for h in groups[tr]])
            best = None
            for c in C_GRID:
                for t in thresholds:
                    inner = np.empty(len(tr), dtype=object)
                    for k in range(4):
                        inner[fold == k] = predict(tr[fold != k], tr[fold == k], c, t)
                    acc = float((inner == y[tr]).mean())
                    if best is None or acc > best[0] + 1e-9:
                        best = (acc, c, t)
            assert best is not None
            pred[te] = predict(tr, te, best[1], best[2])
        return pred

    only = set(sys.argv[1:])
    methods = {
        "current": linear(x),
        "current, fitted on the 510 only": linear(x, early_only=True),
        "+ the question": linear(np.hstack([x, q])),
        "+ the position": linear(np.hstack([x, pos])),
        "+ question and position": linear(np.hstack([x, q, pos])),
        "+ question and position, no gate": linear(np.hstack([x, q, pos, none]), gated=False),
        "two stages on question and position": two_stage(np.hstack([x, q, pos]), np.hstack([x, q])),
        "+ substance (the team's coding)": linear(np.hstack([x, sub])),
        "+ substance and the question": linear(np.hstack([x, sub, q])),
        "+ substance, the question, no gate": linear(np.hstack([x, sub, q, none]), gated=False),
        "boosted trees on counts": boosted(x),
        "boosted trees + question and position": boosted(np.hstack([x, q, pos])),
        "boosted trees + question, position, no gate": boosted(np.hstack([x, q, pos, none]), gated=False),
        "+ general features": linear(np.hstack([x, g])),
        "two stages (counts + general)": two_stage(np.hstack([x, g])),
        "abstention below a threshold": linear(x, threshold=True),
        "words as well (1-2 grams)": (words, (0.0,)),
        "lexicon and negation alone": linear(lex),
        "lexicon, negation + general": linear(np.hstack([lex, g])),
    }
    if only:
        methods = {k: v for k, v in methods.items() if k == "current" or k in only}
    rng = np.random.default_rng(0)
    names = sorted(set(groups))
    members = {h: np.where(groups == h)[0] for h in names}
    draws = [np.concatenate([members[h] for h in rng.choice(names, len(names))]) for _ in range(2000)]
    base = None
    n_early, n_later = int((~later).sum()), int(later.sum())
    print(f"{'method':<38} {'all':>6} {n_early:>6} {n_later:>6}  difference from current (95% over transcripts)")
    for name, method in methods.items():
        right = (cross_validate(method) == y).astype(float)
        if base is None:
            base = right
        diff = right - base
        low, high = np.percentile([diff[d].mean() for d in draws], [2.5, 97.5])
        print(f"{name:<38} {right.mean():6.3f} {right[~later].mean():6.3f} {right[later].mean():6.3f}"
              f"  {diff.mean():+.3f} ({low:+.3f} .. {high:+.3f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
