"""Benchmark of `qualcode themes`: how well the themes match groupings evaluators recognise, how often the stance of
a passage is read right, and how long a criterion takes on a large evaluation.

Run:  .venv/bin/python tests/bench/bench_themes.py [--transcripts 50,100,200] [--skip-scale] [--heldout]

1. On the bundled example, per criterion: the normalised mutual information (NMI) and adjusted Rand index (ARI)
   between the themes and the question-level codes the team applied (a proxy for groupings evaluators recognise;
   the themes never read the codes), the number of themes and the largest theme's share of the passages. Criteria
   coded at one level only (lessons learned, good practice) have nothing to compare with and are listed without.
2. Stance accuracy on the hand-labelled passages of tests/fixtures/stance/example_passages.tsv (rules in
   LABELLING.md next to it), on the development part (which the weights were fitted on: tests/bench/fit_stance.py
   prints the cross-validated figure) and, with --heldout, on each held-out part separately, with the confusion.
   The held-out parts are printed only when asked, so that they are read once a method is finished, not while
   it is tuned; the README says how many times they were read.
3. Scale: projects of 50, 100 and 200 transcripts (about 14,000 words and 500 coded passages each, answers drawn
   from the example with their interviewer questions) and the time of `themes` for each criterion, then how the
   slowest criterion grows with size. Target: < 10 s per criterion at 200 transcripts. Each time is printed twice:
   wall-clock and the processor time of this process (`themes` runs on one thread): on a machine shared with other
   work the wall-clock grows with the load average, printed at the start, while the processor time is what the
   work itself costs.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.project_io import build_example  # noqa: E402
from qualcode.store import Project, now_iso  # noqa: E402
from qualcode.synthesis.evidence import criteria, load_evidence  # noqa: E402
from qualcode.synthesis.stance import STANCES, stance_of  # noqa: E402
from qualcode.synthesis.themes import themes  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "stance" / "example_passages.tsv"
# held-out parts that earlier revisions of the stance method were measured on (LABELLING.md says when)
READ_BEFORE = {"heldout-g": "; read once, for the revision it was drawn for"}


def quality(project: Project) -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    print("Themes against the question-level codes (example project)")
    print(f"{'criterion':<20} {'passages':>8} {'themes':>6} {'other':>5} {'NMI':>6} {'ARI':>6} {'largest':>8}"
          f" {'time':>6}")
    nmis, aris, worst_share = [], [], 0.0
    for crit in criteria(project):
        codes: dict[str, Counter[str]] = {}
        for r in load_evidence(project, criterion=crit["id"]):
            codes.setdefault(r["ref"], Counter())[r["code"]] += 1
        start = time.perf_counter()
        data = themes(project, criterion=crit["id"])
        took = time.perf_counter() - start
        assigned: dict[str, object] = {ref: t["theme"] for t in data["themes"] for ref in t["refs"]}
        # a passage fitting no theme ("other") is a group of its own, as the clustering left it
        assigned.update({o["ref"]: "other " + o["ref"] for o in data["other"]})
        refs = sorted(codes)
        truth = [codes[r].most_common(1)[0][0] for r in refs]  # a passage two coders coded differently: majority
        pred = [assigned[r] for r in refs]
        largest = max(t["share"] for t in data["themes"])
        worst_share = max(worst_share, largest)
        if len(set(truth)) > 1:
            nmi = normalized_mutual_info_score(truth, pred)
            ari = adjusted_rand_score(truth, pred)
            nmis.append(nmi)
            aris.append(ari)
            figures = f"{nmi:6.2f} {ari:6.2f}"
        else:
            figures = f"{'-':>6} {'-':>6}"
        print(f"{crit['id']:<20} {len(refs):>8} {len(data['themes']):>6} {len(data['other']):>5} {figures}"
              f" {largest:>8.0%} {took:>5.1f}s")
    print(f"mean NMI {sum(nmis) / len(nmis):.3f} (aim >= 0.35), mean ARI {sum(aris) / len(aris):.3f},"
          f" largest theme {worst_share:.0%} of its criterion (aim <= 40%)")


def stance_accuracy(heldout: bool) -> None:
    with FIXTURE.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if heldout or r["split"].startswith("dev")]
    from qualcode.synthesis.stance import _weights

    print("\nStance against hand labels (tests/fixtures/stance/example_passages.tsv)")
    print(f"weights fitted on the development rows; their cross-validated accuracy there {_weights()['cv_accuracy']}")
    for split in dict.fromkeys(r["split"] for r in rows):
        part = [r for r in rows if r["split"] == split]
        confusion: Counter[tuple[str, str]] = Counter()
        for r in part:
            confusion[(r["stance"], stance_of(r["text"]).stance)] += 1
        right = sum(v for (a, b), v in confusion.items() if a == b)
        print(f"{split:<8} {right}/{len(part)} = {right / len(part):.2f} (aim >= 0.75)")
        if not split.startswith("dev"):
            print(f"  (a held-out part: report it, never tune on it{READ_BEFORE.get(split, '')})")
        print("  labelled \\ read as  " + " ".join(f"{s:>10}" for s in STANCES))
        for a in STANCES:
            print(f"  {a:<19} " + " ".join(f"{confusion[(a, b)]:>10}" for b in STANCES))


def generate(path: Path, source: Project, n_transcripts: int, units_per: int = 500, seed: int = 0) -> Project:
    """A project of real-sounding interviews: each transcript's answers are coded example passages, each after the
    interviewer question that preceded it in the example, coded as the example coded it."""
    from qualcode.cases import CaseRow
    from qualcode.codebook import default_codebook_path, load_codebook
    from qualcode.model import ParsedTranscript, Turn, Unit
    from qualcode.project_io import apply_case_sheet

    rng = random.Random(seed)
    pool: list[tuple[str, str, str]] = []  # (question, answer, code)
    question = ""
    seen: set[str] = set()
    coded = {r["ref"]: r["code"] for r in load_evidence(source)}
    for seg in source.segments():
        if seg["kind"] == "document":
            continue  # interview answers only, as before the example had documents
        if seg["role"] == "interviewer":
            question = seg["text"]
        elif seg["ref"] in coded and seg["ref"] not in seen:
            seen.add(seg["ref"])
            pool.append((question, seg["text"], coded[seg["ref"]]))
    groups = ["ILO staff", "Government", "Employers' organisation", "Workers' organisation", "Factory", "Donor",
              "Other partner"]
    project = Project.create(path, codebook=load_codebook(default_codebook_path()), name="Themes benchmark")
    project.db.execute("PRAGMA synchronous = OFF")
    rows: list[CaseRow] = []
    codes_of: dict[tuple[str, int], str] = {}
    with project.transaction():
        for t in range(n_transcripts):
            tid = f"KII-{t + 1:04d}"
            text, turns, units = "", [], []
            for _ in range(units_per):
                q, answer, code = rng.choice(pool)
                if q:
                    line = f"Interviewer: {q}"
                    turns.append(Turn("Interviewer", len(text) + 13, len(text) + len(line)))
                    units.append(Unit(len(text) + 13, len(text) + len(line), "Interviewer", len(turns) - 1))
                    text += line + "\n\n"
                start = len(text) + len("Informant: ")
                text += f"Informant: {answer}\n\n"
                turns.append(Turn("Informant", start, start + len(answer)))
                units.append(Unit(start, start + len(answer), "Informant", len(turns) - 1))
                codes_of[(tid, len(units))] = code
            project.add_transcript(ParsedTranscript(text, turns, units, "text"), tid)
            group = groups[t % len(groups)]
            rows.append(CaseRow(t + 2, tid, None, None, tid, f"Informant {t}",
                                {"type": "KII", "stakeholder_group": group, "role": "Officer",
                                 "location": "Ha Noi"}))
        apply_case_sheet(project, rows, coder="bench")
        coder = project.coder_id("ana")
        ts = now_iso()
        seg_ids = {(tid, idx): sid for sid, tid, idx in project.db.execute(
            "SELECT id, transcript_id, idx FROM segments")}
        project.db.executemany(
            "INSERT INTO codings (segment_id, code_id, coder_id, created, source) VALUES (?, ?, ?, ?, 'human')",
            [(seg_ids[key], code, coder, ts) for key, code in codes_of.items() if key in seg_ids])
    return project


def scale(n_transcripts: int, source: Project) -> tuple[int, float, float]:
    """Time `themes` for each criterion of a generated project; (largest criterion's passages, slowest wall-clock
    time, slowest processor time)."""
    tmp = Path(tempfile.mkdtemp(prefix="qualcode-bench-themes-"))
    try:
        start = time.perf_counter()
        project = generate(tmp / "big", source, n_transcripts)
        words = sum(len(t.split()) for (t,) in project.db.execute("SELECT text FROM segments"))
        n_codings = project.db.execute("SELECT count(*) FROM codings").fetchone()[0]
        print(f"\nScale: {n_transcripts} transcripts, {words:,} words, {n_codings:,} codings"
              f" (generated in {time.perf_counter() - start:.0f} s)")
        print(f"{'criterion':<20} {'passages':>8} {'themes':>6} {'largest':>8} {'wall':>7} {'cpu':>7}")
        worst, worst_cpu, most = 0.0, 0.0, 0
        for crit in criteria(project):
            start, cpu = time.perf_counter(), time.process_time()
            data = themes(project, criterion=crit["id"])
            took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
            worst, worst_cpu = max(worst, took), max(worst_cpu, took_cpu)
            most = max(most, data["passages"])
            print(f"{crit['id']:<20} {data['passages']:>8} {len(data['themes']):>6}"
                  f" {max(t['share'] for t in data['themes']):>8.0%} {took:>6.1f}s {took_cpu:>6.1f}s")
        print(f"slowest criterion {worst:.1f} s wall, {worst_cpu:.1f} s processor (target < 10 s at 200 transcripts);"
              f" load average now {os.getloadavg()[0]:.1f}; peak memory so far"
              f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
        project.close()
        return most, worst, worst_cpu
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--transcripts", default="50,100,200", help="sizes of the generated projects, comma-separated")
    ap.add_argument("--skip-scale", action="store_true", help="only the example's figures")
    ap.add_argument("--heldout", action="store_true",
                    help="also print stance accuracy on the held-out parts (only to report a finished method)")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    tmp = Path(tempfile.mkdtemp(prefix="qualcode-bench-themes-"))
    try:
        build_example(tmp / "example")
        project = Project.open(tmp / "example")
        quality(project)
        stance_accuracy(args.heldout)
        if not args.skip_scale:
            sizes = [int(x) for x in str(args.transcripts).split(",") if x.strip()]
            growth = [(n, *scale(n, project)) for n in sizes]
            print("\nGrowth: transcripts, passages of the largest criterion, slowest criterion (wall-clock, processor)")
            for n, passages, took, took_cpu in growth:
                print(f"  {n:>5} {passages:>9,} {took:>7.1f} s {took_cpu:>6.1f} s"
                      f"  ({took_cpu / passages * 1000:.2f} ms processor per passage)")
        project.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
