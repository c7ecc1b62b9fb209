"""Active ordering: which uncoded units to code next so the team learns most from its time.

A unit is informative when the model is unsure about it (two codes nearly tied, or its best code
only half likely) or when it is likely relevant to a code the team has hardly coded yet. Teams that
code a sample get better suggestions sooner by coding these first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Units whose best score is below this are probably off-topic talk; uncertainty about them is cheap.
RELEVANCE_FLOOR = 0.15
FEW_EXAMPLES = 5


def order_units(
    ids: Sequence[Any],
    scores: Any,
    code_ids: Sequence[str],
    coded_per_code: Sequence[float],
    *,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Rank units most informative first; each item has ``id``, ``priority``, ``reason`` and best codes."""
    import numpy as np

    if len(ids) == 0:
        return []
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-s, axis=1, kind="stable")
    p1 = s[np.arange(len(s)), order[:, 0]]
    p2 = s[np.arange(len(s)), order[:, 1]] if s.shape[1] > 1 else np.zeros(len(s))
    # Closeness of the top two and closeness of the best to a coin flip: both 1 at maximal doubt.
    tie = 1.0 - np.clip(p1 - p2, 0.0, 1.0)
    doubt = 1.0 - np.abs(p1 - 0.5) * 2
    relevance = np.clip(p1 / max(RELEVANCE_FLOOR, 1e-9), 0.0, 1.0)
    n = np.asarray(coded_per_code, dtype=np.float64)
    scarcity = 1.0 / (1.0 + n[order[:, 0]])
    priority = relevance * (0.4 * tie + 0.3 * doubt + 0.3 * scarcity)
    rank = np.argsort(-priority, kind="stable")
    if limit is not None:
        rank = rank[:limit]
    out = []
    for i in rank.tolist():
        c1, c2 = code_ids[order[i, 0]], code_ids[order[i, 1]] if s.shape[1] > 1 else None
        if p1[i] < RELEVANCE_FLOOR:
            reason = f"probably off-topic (best: {c1} {p1[i]:.2f})"
        elif c2 is not None and p1[i] - p2[i] < 0.1:
            reason = f"uncertain between {c1} ({p1[i]:.2f}) and {c2} ({p2[i]:.2f})"
        elif n[order[i, 0]] < FEW_EXAMPLES:
            reason = f"likely {c1} ({p1[i]:.2f}), a code with only {int(n[order[i, 0]])} coded unit(s)"
        elif abs(p1[i] - 0.5) < 0.2:
            reason = f"unsure whether {c1} applies ({p1[i]:.2f})"
        else:
            reason = f"likely {c1} ({p1[i]:.2f})"
        out.append({
            "id": ids[i],
            "priority": round(float(priority[i]), 4),
            "reason": reason,
            "best": [{"code": code_ids[j], "score": round(float(s[i, j]), 4)} for j in order[i, :3].tolist()],
        })
    return out
