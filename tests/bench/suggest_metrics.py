"""What the suggestion benchmarks measure about the scores themselves (shared by bench_suggest*.py).

A shown suggestion is one of the first three codes of a unit, with its score. Its score claims a probability that
the code applies; these figures check the claim:

- **ECE** (expected calibration error, 10 equal-width bins): the shown suggestions are put in bins by score; per bin
  the gap between the mean score and the share that are gold codes, weighted by the bin's share of suggestions.
- **likely precision**: of the shown suggestions scoring >= 0.5 ("likely applies"), the share that are gold codes.
- **likely recall**: of all (unit, gold code) pairs, the share shown as likely.

Units with no gold code (small talk nobody coded) count: every likely suggestion on them is a false one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

LIKELY = 0.5
BINS = 10


def score_claims(shown: Iterable[tuple[Sequence[tuple[str, float]], set[str]]]) -> dict[str, float]:
    """``shown``: per unit, its shown suggestions (code, score), best first, and its gold codes."""
    pairs: list[tuple[float, bool]] = []
    gold_total = 0
    for suggestions, gold in shown:
        gold_total += len(gold)
        pairs += [(float(s), c in gold) for c, s in suggestions]
    likely = [hit for s, hit in pairs if s >= LIKELY]
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for s, hit in pairs:
        bins[min(BINS - 1, max(0, int(s * BINS)))].append((s, hit))
    ece = sum(len(b) / len(pairs) * abs(sum(s for s, _ in b) / len(b) - sum(h for _, h in b) / len(b))
              for b in bins if b) if pairs else 0.0
    return {
        "ece": ece,
        "likely_precision": sum(likely) / len(likely) if likely else float("nan"),
        "likely_recall": sum(likely) / gold_total if gold_total else float("nan"),
        "likely_share": len(likely) / len(pairs) if pairs else 0.0,
    }


def reliability(shown: Iterable[tuple[Sequence[tuple[str, float]], set[str]]]) -> list[tuple[float, float, int]]:
    """Per score bin with suggestions: (mean score, share gold, how many); for a reliability diagram."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for suggestions, gold in shown:
        for c, s in suggestions:
            bins[min(BINS - 1, max(0, int(float(s) * BINS)))].append((float(s), c in gold))
    return [(sum(s for s, _ in b) / len(b), sum(h for _, h in b) / len(b), len(b)) for b in bins if b]
