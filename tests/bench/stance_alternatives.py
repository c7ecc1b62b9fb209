"""Alternatives to the stance reader's weighting, compared by cross-validation grouped by transcript.

Run:  .venv/bin/python tests/bench/stance_alternatives.py

Reads only the development rows of tests/fixtures/stance/example_passages.tsv (never the held-out part). Every
method is cross-validated leaving one transcript (or document) out at a time, so that no interview has passages on
both sides; a regularisation (and, where a method has one, a threshold) is chosen inside each training part by a
4-fold split of its transcripts. Printed per method: the accuracy on all development passages, on the 510 the
patterns of stance.py were written from (`dev`, `dev-c`, `dev-d`) and on the 225 labelled later (`dev-a`, `dev-b`,
`dev-e`), and the difference from the current method with a 95% interval from resampling whole transcripts.

The methods, all over the same evidence gate as stance.py (a passage with no evaluative word is neutral):

- current: the logistic regression over stance.py's counts (FEATURES);
- + general features: the same with counts of general constructions that no development error suggested: deficits
  ("not enough", "lack of", "still no", "only three of", "nobody"), comparisons ("better", "more ... than", "than
  before"), counterfactuals ("would have", "could have", "if only"), doubt ("not sure", "whether", "I hope"), a
  speaker introducing themself or the interview ("I am", "thank you", "in charge of"), the programme named, the
  speaker's own organisation ("our factory"), the number of favourable and critical evidence words, a question, a
  short passage;
- two stages: evaluative or neutral first (a threshold on its probability), then the polarity among evaluative
  passages;
- abstention: neutral when the most likely stance is below a threshold;
- words as well: the counts beside a bag of words and word pairs;
- lexicon and negation alone (no pattern of evaluation talk), and with the general features: what the patterns add.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.synthesis.stance import _PROGRAMME_WORDS, FEATURES, _read  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "stance" / "example_passages.tsv"
DEVELOPMENT = ("dev", "dev-a", "dev-b", "dev-c", "dev-d", "dev-e")
LATER = ("dev-a", "dev-b", "dev-e")  # labelled after the patterns were written
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
    mixed = x[:, FEATURES.index("opposed")] > 0
    g = np.array([general(t, r[1]) for t, r in zip(texts, read, strict=True)])
    lex = x[:, [FEATURES.index(f) for f in LEXICON]]
    evaluative = y != "neutral"
    print(f"{len(rows)} development passages from {len(set(groups))} transcripts and documents"
          f" ({int((~later).sum())} the patterns were written from, {int(later.sum())} labelled later)\n")

    def scaled(a: Any, tr: Any) -> Any:
        mean, scale = a[tr].mean(axis=0), a[tr].std(axis=0)
        scale[scale == 0] = 1.0
        return lambda z: (z - mean) / scale

    def finish(pred: Any, te: Any) -> Any:
        pred[mixed[te]] = "mixed"
        pred[~gate[te]] = "neutral"
        return pred

    def linear(a: Any, threshold: bool = False) -> Any:
        def predict(tr: Any, te: Any, c: float, t: float) -> Any:
            s = scaled(a, tr)
            m = LogisticRegression(C=c, max_iter=5000).fit(s(a[tr]), y[tr])
            p = m.predict_proba(s(a[te]))
            pred = m.classes_[p.argmax(axis=1)].astype(object)
            if threshold:
                pred[p.max(axis=1) < t] = "neutral"
            return finish(pred, te)
        return predict, ((0.0, 0.4, 0.5, 0.6) if threshold else (0.0,))

    def two_stage(a: Any) -> Any:
        def predict(tr: Any, te: Any, c: float, t: float) -> Any:
            s1, s2 = scaled(a, tr), scaled(x, tr)
            first = LogisticRegression(C=c, max_iter=5000).fit(s1(a[tr]), evaluative[tr])
            ev = tr[evaluative[tr]]
            second = LogisticRegression(C=c, max_iter=5000).fit(s2(x[ev]), y[ev])
            pred = second.predict(s2(x[te])).astype(object)
            pred[first.predict_proba(s1(a[te]))[:, 1] < t] = "neutral"
            return finish(pred, te)
        return predict, (0.4, 0.5, 0.6)

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

    methods = {
        "current": linear(x),
        "+ general features": linear(np.hstack([x, g])),
        "two stages (counts + general)": two_stage(np.hstack([x, g])),
        "abstention below a threshold": linear(x, threshold=True),
        "words as well (1-2 grams)": (words, (0.0,)),
        "lexicon and negation alone": linear(lex),
        "lexicon, negation + general": linear(np.hstack([lex, g])),
    }
    rng = np.random.default_rng(0)
    names = sorted(set(groups))
    members = {h: np.where(groups == h)[0] for h in names}
    draws = [np.concatenate([members[h] for h in rng.choice(names, len(names))]) for _ in range(2000)]
    base = None
    print(f"{'method':<32} {'all':>6} {'510':>6} {'225':>6}  difference from current (95% over transcripts)")
    for name, method in methods.items():
        right = (cross_validate(method) == y).astype(float)
        if base is None:
            base = right
        diff = right - base
        low, high = np.percentile([diff[d].mean() for d in draws], [2.5, 97.5])
        print(f"{name:<32} {right.mean():6.3f} {right[~later].mean():6.3f} {right[later].mean():6.3f}"
              f"  {diff.mean():+.3f} ({low:+.3f} .. {high:+.3f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
