"""Benchmark of the first suggestions after an import (not a test; run it by hand).

    .venv/bin/python tests/bench/bench_suggest_import.py [--sizes 50,100,200] [--keep DIR] [--no-quality]

After an import the model saved for the earlier transcripts is brought up to date incrementally (new units
transformed with the saved vocabulary and IDF and linked into the unit graph) instead of fitted from scratch. Two parts:

**Quality** (the bundled example's human codings): each of its 12 interviews and 2 focus groups in turn is removed
with its codings, the model fitted on the other 13 (and saved), the transcript's file imported again (new, uncoded
units, as an interview imported in the morning), and its units scored twice: by the model brought up to date from
the saved one, and by a model fitted from scratch. Printed for both, over the units the team coded: top-1 (the first
suggestion is one of the unit's codes), recall@3 (share of its codes among the first three); and how far apart the
two models' scores are (mean and largest difference, share of units with the same first code). The incremental
model's vocabulary, IDF and keyword weights are those of the 13 others: the new transcript's words count with the
weight they have there.

**Timing** at 50, 100 and 200 transcripts (generated as ``bench_suggest_scale.py`` does: about 4,800 informant
words each from the example's sentences, names, numbers and places varied, 55% of informant units coded by three
coders): the model fitted from scratch and saved; one more interview imported; then, in fresh processes, the first
suggestions for it from the command's start: ``qualcode code`` on it (the workbench, headless: its model process
brings the model up to date and scores the unit on screen first) and ``qualcode suggest --transcript`` (which
completes the update, saves it and scores every unit); reopening afterwards; the update ``qualcode import`` makes
before it ends (in a process of its own, timed), then ``qualcode code`` on the interview; with no model cache
(fitted from scratch: what every first open after an import took before) for comparison; and ``qualcode suggest``
once the interview is removed again (the saved model brought up to date without its units).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

import bench_suggest_scale  # noqa: E402
import bench_tui  # noqa: E402


def load() -> str:
    return os.getloadavg()[0].__format__(".1f") if hasattr(os, "getloadavg") else "?"


def forget() -> None:
    """What this process knows of any project, forgotten (as a fresh process)."""
    from qualcode.nlp import project as nlp_project

    for name in ("_cache", "_saved", "_corpus_given", "_units_seen", "_examples_seen", "_informants_seen"):
        getattr(nlp_project, name).clear()


# ---------------------------------------------------------------------------- quality


def quality() -> None:
    import numpy as np

    from qualcode.actions.projects import import_files, remove_transcript
    from qualcode.nlp import project as nlp_project
    from qualcode.nlp.suggester import Suggester
    from qualcode.project_io import build_example, bundled_root
    from qualcode.store import Project

    print("quality: each transcript of the example removed, the model fitted on the others, the transcript imported "
          "again; its units scored by the model brought up to date and by a fit from scratch")
    print(f"{'transcript':<12}{'units':>6}{'coded':>6}  {'top-1 incr/full':>16}  {'recall@3 incr/full':>19}  "
          f"{'same 1st':>8}  {'mean |d|':>8}  {'max |d|':>7}  {'update s':>8}  {'scratch s':>9}")
    totals: dict[str, list[float]] = {"ti": [], "tf": [], "ri": [], "rf": [], "same": [], "diff": [], "max": []}
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "example"
        build_example(pristine)
        with Project.open(pristine) as p:
            ids = [t["id"] for t in p.transcripts() if t.get("kind", "transcript") != "document"]
            files = {t: [f for f in (bundled_root() / "transcripts").iterdir() if f.name.startswith(t + "_")]
                     for t in ids}
        for tid in ids:
            if not files[tid]:
                continue
            work = Path(tmp) / "work"
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(pristine, work)
            forget()
            with Project.open(work) as project:
                gold: dict[str, set[str]] = {}
                for c in project.codings(transcript=tid):
                    gold.setdefault(project.segment(c["segment"])["text"], set()).add(c["code"])
                remove_transcript(project, tid, coder="bench", with_codings=True)
                nlp_project.get_suggester(project)  # fitted on the others, and saved
                forget()
                before = {t["id"] for t in project.transcripts()}
                import_files(project, list(files[tid]), coder="bench")
                new = next(t["id"] for t in project.transcripts() if t["id"] not in before)
                t0 = time.perf_counter()
                incr = nlp_project.get_suggester(project)  # the update, complete (as `qualcode suggest` does)
                t_incr = time.perf_counter() - t0
                texts = [u["text"] for u in project.segments(new, include_interviewer=False) if u["text"].strip()]
                A = incr.score(texts)
                full = Suggester(project.codebook(), codebook_hash=project.codebook_hash() or None)
                nlp_project.set_inputs(full, project)
                t0 = time.perf_counter()
                full.prepare()
                t_full = time.perf_counter() - t0
                B = full.score(texts)
                ids_a, ids_b = incr.code_ids, full.code_ids

                ti, ri = figures(A, ids_a, texts, gold)
                tf, rf = figures(B, ids_b, texts, gold)
                same = float(np.mean([ids_a[int(a.argmax())] == ids_b[int(b.argmax())] for a, b in zip(A, B,
                                                                                                       strict=True)]))
                d = np.abs(A - B) if ids_a == ids_b else np.full(A.shape, np.nan)
                coded = sum(1 for t in texts if t in gold)
                print(f"{tid:<12}{len(texts):>6}{coded:>6}  {ti:>7.3f} / {tf:<6.3f}  {ri:>8.3f} / {rf:<8.3f}  "
                      f"{same:>8.3f}  {np.nanmean(d):>8.4f}  {np.nanmax(d):>7.3f}  {t_incr:>8.2f}  {t_full:>9.2f}"
                      f"{'  (drift beyond the share: fitted from scratch)' if incr.drift == 0 else ''}", flush=True)
                if incr.drift == 0:
                    continue  # fitted from scratch: not an update, left out of the means
                for k, v in (("ti", ti), ("tf", tf), ("ri", ri), ("rf", rf), ("same", same),
                             ("diff", float(np.nanmean(d))), ("max", float(np.nanmax(d)))):
                    totals[k].append(v)
    mean = {k: sum(v) / max(1, len(v)) for k, v in totals.items()}
    print(f"{'mean of the ' + str(len(totals['ti'])) + ' updated':<24}  {mean['ti']:>7.3f} / {mean['tf']:<6.3f}  "
          f"{mean['ri']:>8.3f} / {mean['rf']:<8.3f}  {mean['same']:>8.3f}  {mean['diff']:>8.4f}  "
          f"{max(totals['max'], default=0):>7.3f}", flush=True)


def figures(S: Any, code_ids: list[str], texts: list[str], gold: dict[str, set[str]]) -> tuple[float, float]:
    """Top-1 and recall@3 of the scores ``S`` over the units the team coded."""
    import numpy as np

    top1, rec = [], []
    for i, text in enumerate(texts):
        if text not in gold:
            continue
        order = [code_ids[j] for j in np.argsort(-S[i], kind="stable")[:3]]
        top1.append(order[0] in gold[text])
        rec.append(len(gold[text] & set(order)) / len(gold[text]))
    return float(np.mean(top1)) if top1 else 0.0, float(np.mean(rec)) if rec else 0.0


# ---------------------------------------------------------------------------- timing


def child_fit(dest: str) -> None:
    """In a fresh process: the project's model brought up to date (or fitted), as the command line does."""
    from qualcode.nlp.project import get_suggester
    from qualcode.store import Project

    with Project.open(dest) as project:
        s = get_suggester(project)
        print(json.dumps({"drift": s.drift}), flush=True)


def child_update(dest: str) -> None:
    """In a fresh process: what `qualcode import` does after importing (the saved model brought up to date)."""
    from qualcode.actions.projects import update_suggestions
    from qualcode.store import Project

    with Project.open(dest) as project:
        print(json.dumps({"updated": update_suggestions(project)}), flush=True)


def run_update(dest: Path) -> float:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child-update", str(dest)], capture_output=True, text=True,
                         check=True, cwd=str(ROOT)).stdout
    if not json.loads(out.strip().splitlines()[-1])["updated"]:
        raise RuntimeError("the saved model was not brought up to date")
    return time.perf_counter() - start


def run_fit(dest: Path) -> tuple[float, float]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child-fit", str(dest)], capture_output=True, text=True,
                         check=True, cwd=str(ROOT)).stdout
    return time.perf_counter() - start, float(json.loads(out.strip().splitlines()[-1])["drift"])


def run_suggest(dest: Path, transcript: str) -> tuple[float, int]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "qualcode", "suggest", "-p", str(dest), "--transcript", transcript,
                          "--top", "3", "--json"], capture_output=True, text=True, check=True, cwd=str(ROOT)).stdout
    return time.perf_counter() - start, len(json.loads(out))


def timing(sizes: list[int], keep: Path | None) -> None:
    from qualcode.actions.projects import remove_transcript
    from qualcode.nlp import cache
    from qualcode.store import Project

    print("timing: first suggestions for a newly imported interview, from the command's start, in fresh processes "
          "(load average at the start of each line)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            dest = (keep or Path(tmp)) / f"import-{n}"
            info_file = dest.parent / f"import-{n}.json"
            if not (dest / "qualcode.db").exists() or not info_file.exists():
                t = time.perf_counter()
                info = bench_suggest_scale.generate(dest, n + 1)  # the last one is the interview imported later
                info_file.write_text(json.dumps(info))
                print(f"  {n} transcripts: generated in {time.perf_counter() - t:.0f} s", flush=True)
            new = f"KII-{n + 1:03d}"
            with Project.open(dest) as p:
                if new in {t["id"] for t in p.transcripts()}:
                    state = p.transcript_state(new)
                    remove_transcript(p, new, coder="bench")
                else:
                    state = json.loads((dest.parent / f"import-{n}-new.json").read_text())
                (dest.parent / f"import-{n}-new.json").write_text(json.dumps(state))
                units = len(p.segments(include_interviewer=False))
                words = sum(len(u["text"].split()) for u in p.segments(include_interviewer=False))
                codings = int(p.db.execute("SELECT count(*) FROM codings").fetchone()[0])
            shutil.rmtree(cache.models_dir(dest), ignore_errors=True)
            la = load()
            fitted, _ = run_fit(dest)
            print(f"  {n} transcripts ({units:,} informant units, {words:,} informant words, {codings:,} codings), "
                  f"load {la}: model fitted from scratch and saved in {fitted:.1f} s", flush=True)
            saved = Path(tmp) / f"models-{n}"
            shutil.rmtree(saved, ignore_errors=True)
            shutil.copytree(cache.models_dir(dest), saved)
            with Project.open(dest) as p:  # the import: the interview's units come (back) into the project
                p.restore_transcript(state)
                new_units = len(p.segments(new, include_interviewer=False))
            la = load()
            got = bench_tui.measure_open(dest, 1, suggestions=True, transcript=new)[0]
            print(f"    one interview imported ({new_units} units); load {la}: `qualcode code` on it, first "
                  f"suggestions {got[1]:.1f} s (units on screen {got[0]:.2f} s)", flush=True)
            shutil.rmtree(cache.models_dir(dest), ignore_errors=True)
            shutil.copytree(saved, cache.models_dir(dest))
            la = load()
            took, scored = run_suggest(dest, new)
            print(f"    load {la}: `qualcode suggest --transcript {new}` ({scored} units) {took:.1f} s", flush=True)
            la = load()
            got = bench_tui.measure_open(dest, 1, suggestions=True, transcript=new)[0]
            print(f"    load {la}: reopening it, first suggestions {got[1]:.1f} s", flush=True)
            # As `qualcode import` does it: the saved model brought up to date before the command ends.
            shutil.rmtree(cache.models_dir(dest), ignore_errors=True)
            shutil.copytree(saved, cache.models_dir(dest))
            la = load()
            took = run_update(dest)
            got = bench_tui.measure_open(dest, 1, suggestions=True, transcript=new)[0]
            print(f"    load {la}: `qualcode import`'s update of the saved model {took:.1f} s, then `qualcode code` on "
                  f"it, first suggestions {got[1]:.1f} s", flush=True)
            la = load()
            cold = bench_tui.measure_open(dest, 1, suggestions=True, transcript=new, cold=True)[0]
            print(f"    load {la}: with no model cache (fitted from scratch, as every first open after an import "
                  f"was), first suggestions {cold[1]:.1f} s", flush=True)
            with Project.open(dest) as p:  # and removed again: the saved model (with it) is brought up to date
                remove_transcript(p, new, coder="bench")
            la = load()
            took, scored = run_suggest(dest, first_uncoded(dest))
            print(f"    load {la}: after removing it again, `qualcode suggest --transcript` on another "
                  f"({scored} units) "
                  f"{took:.1f} s", flush=True)


def first_uncoded(dest: Path) -> str:
    """The first transcript nobody coded (the generator leaves the last ones uncoded)."""
    info = json.loads((dest.parent / f"{dest.name}.json").read_text())
    return str(info["suggest_for"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200", help="transcripts per project, comma-separated")
    parser.add_argument("--keep", metavar="DIR", help="build the projects in DIR and keep them (reused if present)")
    parser.add_argument("--no-quality", action="store_true", help="leave the quality part out")
    parser.add_argument("--no-timing", action="store_true", help="leave the timing part out")
    parser.add_argument("--child-fit", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--child-update", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_fit:
        child_fit(args.child_fit)
        return
    if args.child_update:
        child_update(args.child_update)
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    if not args.no_quality:
        quality()
    if not args.no_timing:
        keep = Path(args.keep) if args.keep else None
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
        timing([int(x) for x in args.sizes.split(",")], keep)


if __name__ == "__main__":
    main()
