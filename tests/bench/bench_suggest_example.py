"""Benchmark of suggestions on evaluation interviews: the bundled example's human codings (not a test; run by hand).

    .venv/bin/python tests/bench/bench_suggest_example.py [--seeds 5] [--ks 0,5,10,20] [--no-timings]

Data: the bundled example project built with ``build_example`` (14 KII/FGD transcripts, 1,216 informant units,
738 human codings by two coders against the 8-criteria evaluation codebook plus lessons learned and good practices;
29 codes applied). Two granularities:
- **units**: the units as imported (sentences of an answer; median 16 words);
- **turns**: each informant turn as one passage (all its units joined; gold = the union of its units' codes), as
  in projects whose transcripts are coded answer by answer.

Protocol (as the NHS benchmark): the corpus is every informant unit (or turn) of the project, coded or not, as in
``qualcode suggest``. Evaluated: the units carrying at least one code. k = 0 (codebook only) and k = 5, 10, 20:
per draw, k coded units per code are drawn at random as training data (with all their codes), and all other coded
units are scored. The suggester is fitted in-process exactly as a project's (``set_corpus`` + ``update``).

Metrics (code level; criterion level = the code's top-level ancestor, criteria ranked by their best code):
- top-1: the first suggestion is a gold code (criterion);
- recall@3: share of a unit's gold codes (criteria) among its first three;
- mean kappa: per code, Cohen's kappa between "first suggestion" and "gold", averaged over the codes present;
- likely on uncoded: share of the informant units nobody coded (small talk, context, repetition) whose best
  score is >= 0.5, i.e. shown as "likely"; "likely on coded" is the same for the coded test units. For k > 0,
  half of the never-coded units (drawn per seed) are given to the suggester as read and left uncoded (what a
  project knows of the units before its last coded one), and "likely on uncoded" is measured on the other half;
  ``--no-passed`` leaves them out.
- gain over zero-shot: each draw's figure minus that of the codebook-only suggester on the same test items. The
  items drawn for training differ from k to k (and at turn level they are a large share of all), so the plain
  figures of two k compare different sets; this pairs them.
Timings (``--no-timings`` to skip): the real ``qualcode suggest --transcript KII-02 --top 3 --json`` on a copy
of the example: cold (no cache), warm (cache present), and after one new coding in another process.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from suggest_metrics import score_claims  # noqa: E402


def load(project_dir: Path, granularity: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    """(coded items with their gold codes, uncoded items, codebook) of the example project."""
    from qualcode.store import Project

    project = Project.open(project_dir)
    try:
        codebook = project.codebook()
        codes_of: dict[int, set[str]] = {}
        for c in project.codings():
            codes_of.setdefault(int(c["segment"]), set()).add(c["code"])
        items: list[dict[str, Any]] = []
        question, asked_in = "", None  # the interviewer's last turn, and its (transcript, turn)
        for s in project.segments(include_interviewer=True):
            if s["kind"] == "document":
                continue  # the interviews are what this benchmark measures (the figures in the README are theirs)
            if s["role"] == "interviewer":
                where = (s["transcript"], s["turn"])
                question = f"{question} {s['text']}" if where == asked_in else s["text"]
                asked_in = where
                continue
            if asked_in is not None and asked_in[0] != s["transcript"]:
                question, asked_in = "", None
            if not s["text"].strip():
                continue
            key = f"{s['transcript']}:{s['turn']}" if granularity == "turns" else str(s["id"])
            if items and items[-1]["id"] == key:
                items[-1]["text"] += " " + s["text"]
                items[-1]["codes"] |= codes_of.get(int(s["id"]), set())
            else:
                items.append({"id": key, "text": s["text"], "codes": set(codes_of.get(int(s["id"]), set())),
                              "transcript": s["transcript"], "question": question, "order": len(items),
                              "turn": f"{s['transcript']}:{s['turn']}"})
    finally:
        project.close()
    coded = [i for i in items if i["codes"]]
    uncoded = [i for i in items if not i["codes"]]
    return coded, uncoded, codebook


def kappa(y: list[bool], p: list[bool]) -> float:
    """Cohen's kappa of gold and predicted (0 where it is undefined: the code never occurs nor is predicted)."""
    from qualcode.teams.agreement import cohen_kappa

    return cohen_kappa(y, p) or 0.0


def sample_train(coded: list[dict[str, Any]], k: int, seed: int) -> set[int]:
    rng = random.Random(seed)
    chosen: set[int] = set()
    for c in sorted({c for i in coded for c in i["codes"]}):
        pool = [n for n, i in enumerate(coded) if c in i["codes"] and n not in chosen]
        chosen.update(rng.sample(pool, min(k, len(pool))))
    return chosen


def evaluate(scores: Any, code_ids: list[str], criterion_of: dict[str, str], test: list[dict[str, Any]]
             ) -> dict[str, float]:
    import numpy as np

    order = np.argsort(-scores, axis=1, kind="stable")
    crit_ids = sorted(set(criterion_of.values()))
    col_crit = np.asarray([crit_ids.index(criterion_of[c]) for c in code_ids])
    # A criterion scores as its best code.
    crit_scores = np.full((len(test), len(crit_ids)), -np.inf)
    for j, cj in enumerate(col_crit):
        crit_scores[:, cj] = np.maximum(crit_scores[:, cj], scores[:, j])
    crit_order = np.argsort(-crit_scores, axis=1, kind="stable")
    m = {"top1": 0.0, "r3": 0.0, "ctop1": 0.0, "cr3": 0.0}
    top1 = []
    for i, item in enumerate(test):
        gold = item["codes"]
        first3 = [code_ids[j] for j in order[i, :3]]
        top1.append(first3[0])
        m["top1"] += first3[0] in gold
        m["r3"] += len(gold & set(first3)) / len(gold)
        gold_c = {criterion_of[c] for c in gold}
        c3 = [crit_ids[j] for j in crit_order[i, :3]]
        m["ctop1"] += c3[0] in gold_c
        m["cr3"] += len(gold_c & set(c3)) / len(gold_c)
    m = {k: v / len(test) for k, v in m.items()}
    present = sorted({c for i in test for c in i["codes"]})
    m["kappa"] = sum(kappa([c in i["codes"] for i in test], [t == c for t in top1]) for c in present) / len(present)
    m["likely_coded"] = float((scores.max(axis=1) >= 0.5).mean())
    return m


def run(granularity: str, project_dir: Path, ks: list[int], seeds: int, *, questions: bool = True,
        passed: bool = True) -> list[tuple[int, int, dict[str, float]]]:
    from qualcode.nlp import Example, Suggester

    coded, uncoded, codebook = load(project_dir, granularity)
    criterion_of = {c.id: c.criterion_id for c in codebook.walk()}
    print(f"[{granularity}] {len(coded)} coded, {len(uncoded)} uncoded; median words "
          f"{sorted(len(i['text'].split()) for i in coded)[len(coded) // 2]}", flush=True)
    s = Suggester(codebook)
    everything = sorted(coded + uncoded, key=lambda i: i["order"])  # reading order: answers' units are adjacent
    s.set_corpus([i["text"] for i in everything], [i["question"] for i in everything] if questions else None,
                 None if os.environ.get("BENCH_NO_TURNS") else [i["turn"] for i in everything])
    # The same suggester with no coding at all: zero-shot scores of every item, so that each draw compares
    # learning with zero-shot on the very passages it scores (the drawn test sets differ from k to k).
    s0 = Suggester(codebook)
    s0.set_corpus([i["text"] for i in everything], [i["question"] for i in everything] if questions else None,
                  None if os.environ.get("BENCH_NO_TURNS") else [i["turn"] for i in everything])
    zero = s0.score([i["text"] for i in coded])
    results = []
    for k in ks:
        runs = []
        for seed in range(seeds if k else 1):
            chosen = sample_train(coded, k, seed) if k else set()
            test = [i for n, i in enumerate(coded) if n not in chosen]
            # Half the never-coded units (drawn per seed) are given as read and left uncoded, as a project
            # gives those before the last coded unit of a transcript; "likely" is measured on the other half.
            rng = random.Random(1000 + seed)
            shown = set(rng.sample(range(len(uncoded)), len(uncoded) // 2)) if passed and k else set()
            held = [i for n, i in enumerate(uncoded) if n not in shown]
            s.update([Example(coded[n]["id"], coded[n]["text"], set(coded[n]["codes"])) for n in sorted(chosen)]
                     + [Example(uncoded[n]["id"], uncoded[n]["text"]) for n in sorted(shown)])
            scores = s.score([i["text"] for i in test])
            if os.environ.get("BENCH_DIAG"):
                _diagnose(scores, s.code_ids, test)
            m = evaluate(scores, s.code_ids, criterion_of, test)
            held_scores = s.score([i["text"] for i in held])
            m["likely_uncoded"] = float((held_scores.max(axis=1) >= 0.5).mean())
            # What a coder reads: the first three suggestions of each unit. On the coded units (their codes are the
            # gold); and on all units, with never-coded ones (gold: none) in the project's own proportion to coded
            # ones, so that the share of small talk does not grow as k draws coded units away.
            coded_shown = _shown(scores, s.code_ids, [i["codes"] for i in test])
            m.update(score_claims(coded_shown))
            n_never = min(len(held), round(len(test) * len(uncoded) / len(coded)))
            pick = sorted(random.Random(2000 + seed).sample(range(len(held)), n_never))
            never_shown = _shown(held_scores[pick], s.code_ids, [set() for _ in pick])
            m.update({f"all_{key}": v for key, v in score_claims(coded_shown + never_shown).items()})
            m0 = evaluate(zero[[n for n in range(len(coded)) if n not in chosen]], s0.code_ids, criterion_of, test)
            for key in ("top1", "ctop1", "kappa"):
                m[f"gain_{key}"] = m[key] - m0[key]
            runs.append(m)
            print(f"  k={k:<2} seed={seed} top1 {m['top1']:.3f} R@3 {m['r3']:.3f} | criterion top1 {m['ctop1']:.3f} "
                  f"R@3 {m['cr3']:.3f} | kappa {m['kappa']:.3f} | likely coded {m['likely_coded']:.2f} uncoded "
                  f"{m['likely_uncoded']:.2f} | vs zero-shot on the same: top1 {m['gain_top1']:+.3f} criterion "
                  f"{m['gain_ctop1']:+.3f} kappa {m['gain_kappa']:+.3f} | likely P {m['likely_precision']:.3f} R "
                  f"{m['likely_recall']:.3f} ECE {m['ece']:.3f} (all units: P {m['all_likely_precision']:.3f} R "
                  f"{m['all_likely_recall']:.3f} ECE {m['all_ece']:.3f}) ({len(test)} scored)", flush=True)
        results.append((k, len(runs), {key: sum(r[key] for r in runs) / len(runs) for key in runs[0]}))
    return results


def _shown(scores: Any, code_ids: list[str], golds: list[set[str]]) -> list[tuple[list[tuple[str, float]], set[str]]]:
    """The first three suggestions of each unit (code, score) with its gold codes."""
    import numpy as np

    order = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    return [([(code_ids[j], float(scores[i, j])) for j in order[i]], g) for i, g in enumerate(golds)]


def _diagnose(scores: Any, code_ids: list[str], test: list[dict[str, Any]]) -> None:
    """What goes wrong (BENCH_DIAG=1): the most frequent confusions and accuracy by passage length."""
    from collections import Counter

    top = [code_ids[j] for j in scores.argmax(axis=1)]
    wrong = Counter((sorted(i["codes"])[0], t) for i, t in zip(test, top, strict=True) if t not in i["codes"])
    print("    confusions (gold -> first suggestion):", wrong.most_common(8))
    for lo, hi in ((0, 10), (10, 20), (20, 40), (40, 10_000)):
        sel = [t in i["codes"] for i, t in zip(test, top, strict=True) if lo <= len(i["text"].split()) < hi]
        if sel:
            print(f"    {lo}-{hi} words: {len(sel)} units, top-1 {sum(sel) / len(sel):.3f}")


def cli_timings(project_dir: Path) -> dict[str, float]:
    """Wall-clock seconds of the real command in fresh processes: cold, warm, after one coding."""
    cmd = [sys.executable, "-m", "qualcode", "suggest", "-p", str(project_dir), "--transcript", "KII-02",
           "--top", "3", "--json"]

    def timed(args: list[str]) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            raise SystemExit(f"command failed: {proc.stderr.strip()}")
        return time.perf_counter() - t0

    out: dict[str, list[float]] = {"cold": [], "warm": [], "after_coding": []}
    for rep in range(3):
        shutil.rmtree(project_dir / ".qualcode", ignore_errors=True)
        out["cold"].append(timed(cmd))
        out["warm"].append(timed(cmd))
        # One new coding from another process (what a colleague's 'qualcode suggest accept' does).
        _code_one(project_dir, rep)
        out["after_coding"].append(timed(cmd))
    return {k: sorted(v)[len(v) // 2] for k, v in out.items()}


def _code_one(project_dir: Path, rep: int) -> None:
    from qualcode.store import Project

    project = Project.open(project_dir)
    try:
        coded = {int(c["segment"]) for c in project.codings()}
        free = [s for s in project.segments("KII-02", include_interviewer=False) if int(s["id"]) not in coded]
        project.add_coding(free[rep]["id"], "relevance.needs_fit", coder="bench")
    finally:
        project.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--ks", default="0,5,10,20", help="coded units per code used for training (units)")
    # 205 coded turns for 29 codes: k = 20 per code would leave nothing to score.
    ap.add_argument("--turn-ks", default="0,2,4", help="the same for turns")
    ap.add_argument("--granularity", default="units,turns")
    ap.add_argument("--no-timings", action="store_true")
    ap.add_argument("--no-questions", action="store_true",
                    help="do not give the suggester the interviewer's questions (as a project without them)")
    ap.add_argument("--no-passed", action="store_true",
                    help="do not give it never-coded units as read and left uncoded (as before any is known)")
    args = ap.parse_args()
    from qualcode.project_io import build_example

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = Path(tmp) / "example"
        build_example(project_dir)
        tables = {g: run(g, project_dir, [int(x) for x in (args.turn_ks if g == "turns" else args.ks).split(",")],
                         args.seeds, questions=not args.no_questions, passed=not args.no_passed)
                  for g in args.granularity.split(",")}
        timings = None if args.no_timings else cli_timings(project_dir)
    for g, results in tables.items():
        print()
        print(f"{g}: k  draws  top-1  recall@3  criterion top-1  criterion recall@3  mean kappa  likely coded/uncoded"
              "  gain over zero-shot on the same passages (top-1 / criterion top-1 / kappa)")
        for k, n, m in results:
            print(f"{'':{len(g)}}  {k:<2} {n:<6} {m['top1']:.3f}  {m['r3']:.3f}     {m['ctop1']:.3f}            "
                  f"{m['cr3']:.3f}               {m['kappa']:.3f}       {m['likely_coded']:.2f} / "
                  f"{m['likely_uncoded']:.2f}          {m['gain_top1']:+.3f} / {m['gain_ctop1']:+.3f} / "
                  f"{m['gain_kappa']:+.3f}")
        print(f"{'':{len(g)}}  k  coded units: likely precision / recall / ECE   all units (never-coded ones too): "
              "likely precision / recall / ECE   targets on coded units: ECE <= 0.08; precision >= 0.6 at k >= 5")
        for k, _, m in results:
            ok = m["ece"] <= 0.08 and (k < 5 or m["likely_precision"] >= 0.6)
            print(f"{'':{len(g)}}  {k:<2} {m['likely_precision']:.3f} / {m['likely_recall']:.3f} / {m['ece']:.3f}"
                  f"                     {m['all_likely_precision']:.3f} / {m['all_likely_recall']:.3f} / "
                  f"{m['all_ece']:.3f}                                   {'met' if ok else 'NOT met'}")
    if timings:
        print()
        print(f"qualcode suggest --transcript KII-02 (median of 3, fresh processes): cold {timings['cold']:.2f} s, "
              f"warm {timings['warm']:.2f} s, after one new coding {timings['after_coding']:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
