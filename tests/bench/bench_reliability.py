"""Re-anchoring accuracy and speed on the bundled example (not a test; run: python tests/bench/bench_reliability.py).

Each transcript gets typo-level edits (10% of units, one or two letters each), an added paragraph, and every other
transcript renamed speakers; then it is re-imported and each coding is checked against where its passage went.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reliability.builders import transcript  # noqa: E402
from reliability.test_reanchor import corrected_version  # noqa: E402

from qualcode.project_io import build_example  # noqa: E402
from qualcode.reanchor import store_transcript  # noqa: E402
from qualcode.store import Project  # noqa: E402


def run(seed: int) -> tuple[int, int, int, int, float]:
    with tempfile.TemporaryDirectory() as d:
        build_example(Path(d) / "p")
        project = Project.open(Path(d) / "p")
        rng = random.Random(seed)
        total = exact = flagged = wrong = 0
        elapsed = 0.0
        for n, t in enumerate(project.transcripts()):
            units = project.segments(t["id"])
            before = {c["id"]: c for c in project.codings(transcript=t["id"])}
            turns, truth = corrected_version(units, rng, rename=n % 2 == 0)
            t0 = time.perf_counter()
            store_transcript(project, transcript(turns), t["id"], coder="clara")
            elapsed += time.perf_counter() - t0
            now = {c["id"]: c for c in project.codings(current_only=False, transcript=t["id"])}
            for cid, old in before.items():
                total += 1
                c = now[cid]
                if c["status"] == "needs_review":
                    flagged += 1
                elif c["ref"] == f"{t['id']}:{truth[old['segment']]}":
                    exact += 1
                else:
                    wrong += 1
        project.close()
        return total, exact, flagged, wrong, elapsed


if __name__ == "__main__":
    grand = [0, 0, 0, 0, 0.0]
    for seed in range(10):
        r = run(seed)
        grand = [a + b for a, b in zip(grand, r, strict=False)]
        print(f"seed {seed}: {r[0]} codings, {r[1]} exact, {r[2]} flagged, {r[3]} wrong, re-import {r[4]:.2f}s")
    total, exact, flagged, wrong, elapsed = grand
    print(f"all: {total} codings, exact {exact / total:.2%}, flagged {flagged / total:.2%}, wrong {wrong}, "
          f"{elapsed / 10:.2f}s to re-import 14 transcripts")
