"""Benchmark of `qualcode suggest` on real hand-coded data (not a test; run it by hand).

    .venv/bin/python tests/bench/bench_suggest.py [--data ../shared/benchdata/nhs_fft_v6] [--seeds 3]

Data: NHS Friends-and-Family-Test answers hand-coded against a 33-code framework (see the data's
SOURCE.txt). Protocol (as the reference baselines there):
- the codebook is codebook_v7.json converted to qualcode YAML: the 31 substantive codes become
  children of their group (the criterion); examples_raw is split into examples; ids come from names;
  the two meta codes ("Labelling not possible", "Not assigned") are left out, they are not topics;
- evaluated answers: the 5,613 carrying at least one of the 24 substantive codes with >= 30 answers
  (labels outside those 24 are dropped from the gold set);
- k = 0 (codebook only) and k = 5, 10, 20: per seed, k answers per code (24 codes) are drawn at random
  as TRAIN.jsonl (with all their gold codes), and all the other answers are scored;
- the figures come from the real command
  `python -m qualcode suggest --codebook CB.yaml --segments IN.jsonl [--train TRAIN.jsonl] --top 3 --json`
  run as a subprocess; throughput is units / wall-clock time of that whole command (start-up, fitting
  and explanations included).

Metrics:
- top-1 accuracy: the first suggestion is one of the answer's gold codes;
- recall@3: |gold codes among the first three suggestions| / |gold codes|, averaged over answers;
- mean kappa: for each of the 24 codes, Cohen's kappa between "the code is the first suggestion"
  and "the code is in the gold set" over the scored answers; the mean over the 24 codes (the reference's
  definition: one code per answer);
- gain over zero-shot: each draw's top-1 and kappa minus those of the codebook-only run on the same answers
  (the answers drawn for training differ from k to k, so the plain figures of two k compare different sets);
- kappa (likely): the same, but a code counts as predicted when it is the first suggestion or any shown
  suggestion scores >= 0.5 (the calibrated scores are the probability that the team applies the code, so
  this is how a user reading "likely" suggestions would code; answers can then get several codes).
Also measured in-process: latency of one unit with a prepared model, and the time of
`Suggester.update` on 1,000 coded units.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from suggest_metrics import score_claims  # noqa: E402

# A shared folder beside the checkout, or one level further up.
DEFAULT_DATA = next((d for d in (ROOT.parent / "shared" / "benchdata" / "nhs_fft_v6",
                                 ROOT.parent.parent / "shared" / "benchdata" / "nhs_fft_v6") if d.is_dir()),
                    ROOT.parent / "shared" / "benchdata" / "nhs_fft_v6")
META = {"Labelling not possible", "Not assigned"}
MIN_ANSWERS = 30


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def split_examples(raw: str) -> list[str]:
    """examples_raw is quoted comments separated by commas, grouped under 'Positive:' style headings."""
    out: list[str] = []
    for line in raw.splitlines():
        line = re.sub(r"^\s*(Positi?ve|Negative|Mixed|Neutral)[^:]*:\s*", "", line)
        for part in re.split(r"""['‘’"]\s*,\s*['‘’"]""", line):
            part = part.strip().strip(",").strip().strip("'‘’\"").strip()
            if len(part) >= 2:
                out.append(part)
    return out


def convert_codebook(data_dir: Path) -> dict:
    groups: dict[str, dict] = {}
    for entry in json.loads((data_dir / "codebook_v7.json").read_text(encoding="utf-8")):
        if entry["code"] in META:
            continue
        g = groups.setdefault(entry["group"], {"id": slug(entry["group"]), "name": entry["group"], "children": []})
        g["children"].append({
            "id": slug(entry["code"]),
            "name": entry["code"],
            "definition": entry["definition"],
            "examples": split_examples(entry["examples_raw"]),
        })
    for g in groups.values():
        # The framework gives groups no text of their own; validation wants one.
        g["definition"] = f"{g['name']}: " + "; ".join(c["name"] for c in g["children"]) + "."
    return {"name": "NHS patient experience framework v7", "codes": list(groups.values())}


def load_answers(data_dir: Path) -> tuple[list[dict], list[str]]:
    rows = [json.loads(ln) for ln in (data_dir / "segments_v7.jsonl").read_text(encoding="utf-8").splitlines()]
    counts = Counter(lab for r in rows for lab in r["labels_v7"] if lab not in META)
    keep = {c for c, n in counts.items() if n >= MIN_ANSWERS}
    answers = []
    for r in rows:
        codes = sorted({slug(lab) for lab in r["labels_v7"] if lab in keep})
        if codes:
            answers.append({"id": r["id"], "text": r["text"], "codes": codes})
    return answers, sorted(slug(c) for c in keep)


def write_jsonl(path: Path, rows: list[dict], keys: tuple[str, ...]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n")


def run_command(cb: Path, seg: Path, train: Path | None) -> tuple[list[dict], float]:
    cmd = [sys.executable, "-m", "qualcode", "suggest", "--codebook", str(cb), "--segments", str(seg),
           "--top", "3", "--json"]
    if train is not None:
        cmd += ["--train", str(train)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"suggest failed: {proc.stderr.strip()}")
    return [json.loads(ln) for ln in proc.stdout.splitlines()], wall


def kappa(y: list[bool], p: list[bool]) -> float:
    """Cohen's kappa of gold and predicted (0 where it is undefined: the code never occurs nor is predicted)."""
    from qualcode.teams.agreement import cohen_kappa

    return cohen_kappa(y, p) or 0.0


def score(output: list[dict], gold: dict[str, set[str]], codes: list[str]) -> dict[str, float]:
    top1 = [o["suggestions"][0]["code"] if o["suggestions"] else None for o in output]
    golds = [gold[o["id"]] for o in output]
    acc = sum(t in g for t, g in zip(top1, golds, strict=True)) / len(output)
    r3 = sum(len(g & {s["code"] for s in o["suggestions"][:3]}) / len(g)
             for o, g in zip(output, golds, strict=True)) / len(output)
    kappas = [kappa([c in g for g in golds], [t == c for t in top1]) for c in codes]
    likely = [{s["code"] for s in o["suggestions"] if s["score"] >= 0.5} | {t}
              for o, t in zip(output, top1, strict=True)]
    k_likely = [kappa([c in g for g in golds], [c in lk for lk in likely]) for c in codes]
    claims = score_claims(([(s["code"], s["score"]) for s in o["suggestions"][:3]], g)
                          for o, g in zip(output, golds, strict=True))
    return {"top1": acc, "r3": r3, "kappa": sum(kappas) / len(kappas),
            "kappa_likely": sum(k_likely) / len(k_likely), **claims}


def sample_train(answers: list[dict], codes: list[str], k: int, seed: int) -> set[int]:
    rng = random.Random(seed)
    chosen: set[int] = set()
    for c in codes:
        pool = [i for i, a in enumerate(answers) if c in a["codes"] and i not in chosen]
        chosen.update(rng.sample(pool, min(k, len(pool))))
    return chosen


def in_process_timings(cb_path: Path, answers: list[dict]) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from qualcode.codebook import load_codebook
    from qualcode.nlp import Example, Suggester

    cb = load_codebook(cb_path)
    s = Suggester(cb)
    s.set_corpus([a["text"] for a in answers])
    labelled = [Example(a["id"], a["text"], set(a["codes"])) for a in answers[:1000]]
    s.update(labelled[:10])
    s.suggest([("warm", "warm up")], top=3)
    t0 = time.perf_counter()
    s.update(labelled)
    s.score(["x"])  # update is lazy only if not prepared; the model is prepared here
    update = time.perf_counter() - t0
    lat = []
    for a in answers[1000:1100]:
        t0 = time.perf_counter()
        s.suggest([(a["id"], a["text"])], top=3)
        lat.append(time.perf_counter() - t0)
    lat.sort()
    # A text outside the corpus (e.g. typed in, or a new transcript) is scored from its corpus neighbours.
    lat_new = []
    for a in answers[1000:1100]:
        t0 = time.perf_counter()
        s.suggest([(a["id"], a["text"] + " Thank you.")], top=3)
        lat_new.append(time.perf_counter() - t0)
    lat_new.sort()
    t0 = time.perf_counter()
    s.suggest([(a["id"], a["text"]) for a in answers], top=3)
    batch = len(answers) / (time.perf_counter() - t0)
    return {"update_1000": update, "one_unit_median_ms": 1000 * lat[len(lat) // 2],
            "one_unit_p95_ms": 1000 * lat[int(len(lat) * 0.95)], "batch_units_per_s_prepared": batch,
            "new_unit_median_ms": 1000 * lat_new[len(lat_new) // 2],
            "new_unit_p95_ms": 1000 * lat_new[int(len(lat_new) * 0.95)]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--ks", default="0,5,10,20")
    args = ap.parse_args()
    answers, codes = load_answers(args.data)
    gold = {a["id"]: set(a["codes"]) for a in answers}
    print(f"{len(answers)} answers, {len(codes)} evaluated codes; machine: {platform.processor() or platform.machine()}"
          f", {__import__('os').cpu_count()} CPUs, Python {platform.python_version()}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        import yaml

        cb_path = tmpd / "codebook.yaml"
        cb_path.write_text(yaml.safe_dump(convert_codebook(args.data), allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
        zero_shot: list[dict] | None = None  # the codebook-only output on all answers, for paired comparisons
        for k in [int(x) for x in args.ks.split(",")]:
            runs = []
            for seed in range(args.seeds if k else 1):
                chosen = sample_train(answers, codes, k, seed) if k else set()
                test = [a for i, a in enumerate(answers) if i not in chosen]
                seg = tmpd / "in.jsonl"
                write_jsonl(seg, test, ("id", "text"))
                train = None
                if chosen:
                    train = tmpd / "train.jsonl"
                    write_jsonl(train, [answers[i] for i in sorted(chosen)], ("id", "text", "codes"))
                output, wall = run_command(cb_path, seg, train)
                m = score(output, gold, codes)
                m["ups"] = len(test) / wall
                if not chosen and zero_shot is None:
                    zero_shot = output
                if zero_shot is None:  # --ks without 0: the codebook-only run on all answers, once
                    write_jsonl(seg, answers, ("id", "text"))
                    zero_shot, _ = run_command(cb_path, seg, None)
                # The drawn answers differ from k to k: learning is compared with zero-shot on the same answers.
                ids = {a["id"] for a in test}
                m0 = score([o for o in zero_shot if o["id"] in ids], gold, codes)
                m["gain_top1"], m["gain_kappa"] = m["top1"] - m0["top1"], m["kappa"] - m0["kappa"]
                runs.append(m)
                print(f"  k={k:<2} seed={seed} top1 {m['top1']:.3f} R@3 {m['r3']:.3f} kappa {m['kappa']:.3f} "
                      f"(likely {m['kappa_likely']:.3f}; vs zero-shot on the same answers: top1 {m['gain_top1']:+.3f},"
                      f" kappa {m['gain_kappa']:+.3f}) | likely P {m['likely_precision']:.3f} R "
                      f"{m['likely_recall']:.3f}"
                      f" ECE {m['ece']:.3f} ({len(test)} units, {wall:.1f}s, {m['ups']:.0f} units/s)",
                      flush=True)
            avg = {key: sum(r[key] for r in runs) / len(runs) for key in runs[0]}
            results.append((k, len(runs), avg))
        timings = in_process_timings(cb_path, answers)
    print()
    print("k   draws  top-1  recall@3  mean kappa  kappa (likely)  units/s (whole command)  gain over zero-shot on"
          " the same answers (top-1 / kappa)")
    for k, n, m in results:
        print(f"{k:<3} {n:<6} {m['top1']:.3f}  {m['r3']:.3f}     {m['kappa']:.3f}       {m['kappa_likely']:.3f}"
              f"           {m['ups']:<22.0f}  {m['gain_top1']:+.3f} / {m['gain_kappa']:+.3f}")
    print()
    print("k   likely precision  likely recall  ECE (10 bins, first three suggestions)   targets: ECE <= 0.08; "
          "precision >= 0.6 at k >= 5")
    for k, _, m in results:
        ok = m["ece"] <= 0.08 and (k < 5 or m["likely_precision"] >= 0.6)
        print(f"{k:<3} {m['likely_precision']:.3f}             {m['likely_recall']:.3f}          {m['ece']:.3f}"
              f"                                    {'met' if ok else 'NOT met'}")
    print()
    print(f"prepared model: batch {timings['batch_units_per_s_prepared']:.0f} units/s; one unit median "
          f"{timings['one_unit_median_ms']:.1f} ms (p95 {timings['one_unit_p95_ms']:.1f} ms), a new text "
          f"{timings['new_unit_median_ms']:.1f} ms (p95 {timings['new_unit_p95_ms']:.1f} ms); "
          f"update on 1,000 coded units {timings['update_1000']:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
