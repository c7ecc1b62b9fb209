"""Fit the weights of the stance reader (qualcode/synthesis/stance_weights.json) on the development passages.

Run:  .venv/bin/python tests/bench/fit_stance.py [--write]

Reads only the development rows of tests/fixtures/stance/example_passages.tsv (split `dev` or `dev-a` .. `dev-f`). For
each setting (the regularisation of the logistic regression, when a passage reads as mixed) two cross-validated
accuracies are printed: repeated stratified 5-fold, as earlier revisions were measured, and leaving one transcript
(or document) out at a time, so that no interview has passages on both sides; the setting is chosen by the second.
tests/bench/stance_alternatives.py compares other ways of weighing the counts the same way. With --write, the model
refitted on every
development row is written to stance_weights.json. The held-out part (`heldout-g`) is never read here:
tests/bench/bench_themes.py --heldout reports it.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.synthesis.stance import FEATURES, STANCES, WEIGHTS, english, features  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "stance" / "example_passages.tsv"
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
# when a passage reads as mixed: favourable and critical words on opposite sides of a "but" ("opposed"), or both
# above a level anywhere in a passage with a contrast word (the earlier rule; 99: never)
MIXED_GRID = (("opposed", 0.0), *(("min_pn", m) for m in (0.2, 0.3, 0.4, 0.6, 99.0)))
REPEATS = 5
DEVELOPMENT = ("dev", "dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f")


def main() -> int:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--write", action="store_true", help="write the refitted weights to stance_weights.json")
    args = ap.parse_args()
    with FIXTURE.open(encoding="utf-8") as f:
        dev = [r for r in csv.DictReader(f, delimiter="\t") if r["split"] in DEVELOPMENT]
    rows = [features(r["text"]) for r in dev]
    x = np.array([r[0] for r in rows], dtype=np.float64)
    silent = np.array([not english(r["text"]) for r in dev])  # read as neutral whatever the weights say
    # no evaluative word: read as neutral whatever the weights say (stance.stances does the same)
    unexplained = np.array([not r[1] for r in rows])
    y = np.array([r["stance"] for r in dev])
    print(f"{len(dev)} development passages: {dict(Counter(y.tolist()))}")

    def fit(idx: np.ndarray, c: float) -> tuple[LogisticRegression, np.ndarray, np.ndarray]:
        mean = x[idx].mean(axis=0)
        scale = x[idx].std(axis=0)
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=c, max_iter=5000).fit((x[idx] - mean) / scale, y[idx])
        return model, mean, scale

    contrast, min_pn = x[:, FEATURES.index("contrast")] > 0, x[:, FEATURES.index("min_pn")]
    opposed = x[:, FEATURES.index("opposed")] > 0
    transcript = np.array([r["ref"].rpartition(":")[0] for r in dev])
    by_transcript = [(np.where(transcript != t)[0], np.where(transcript == t)[0]) for t in sorted(set(transcript))]

    def accuracy(splits: list[tuple[np.ndarray, np.ndarray]], c: float, mixed: tuple[str, float]) -> float:
        pred = np.empty(len(y), dtype=object)
        for tr, te in splits:
            model, mean, scale = fit(tr, c)
            pred[te] = model.predict((x[te] - mean) / scale)
        pred[opposed if mixed[0] == "opposed" else contrast & (min_pn >= mixed[1])] = "mixed"
        pred[silent | unexplained] = "neutral"
        return float((pred == y).mean())

    best: tuple[float, float, tuple[str, float], float] | None = None
    for c, mixed in ((c, m) for c in C_GRID for m in MIXED_GRID):
        stratified = sum(accuracy(list(StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y)), c, mixed)
                         for seed in range(REPEATS)) / REPEATS
        grouped = accuracy(by_transcript, c, mixed)
        print(f"C={c:<5} mixed by {mixed[0]:<7} {mixed[1]:<4} cross-validated accuracy: stratified {stratified:.3f},"
              f" by transcript {grouped:.3f}")
        if best is None or grouped > best[0] + 1e-9:
            best = (grouped, c, mixed, stratified)
    assert best is not None
    print(f"chosen C={best[1]}, mixed by {best[2]} (by transcript {best[0]:.3f}, stratified {best[3]:.3f};"
          f" {len(set(transcript))} transcripts and documents)")
    if args.write:
        model, mean, scale = fit(np.arange(len(y)), best[1])
        order = [list(model.classes_).index(s) for s in STANCES if s in model.classes_]
        data = {
            "features": list(FEATURES),
            "classes": [str(model.classes_[i]) for i in order],
            "coef": [[round(float(v), 5) for v in model.coef_[i]] for i in order],
            "intercept": [round(float(model.intercept_[i]), 5) for i in order],
            "mean": [round(float(v), 6) for v in mean],
            "scale": [round(float(v), 6) for v in scale],
            "C": best[1],
            "mixed_rule": best[2][0],
            "mixed_min": best[2][1],
            "cv_accuracy": round(best[0], 3),
            "cv": "leave one transcript out",
            "fitted_on": f"{len(y)} development passages of tests/fixtures/stance/example_passages.tsv",
        }
        text = json.dumps(data, indent=1)
        # one line per vector keeps the file short and its diffs readable
        text = re.sub(r"\[\s+([^\[\]]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        WEIGHTS.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
