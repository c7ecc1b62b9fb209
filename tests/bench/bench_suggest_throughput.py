"""Throughput of standalone `qualcode suggest` against a bare scikit-learn reference (not a test; run it by hand).

    .venv/bin/python tests/bench/bench_suggest_throughput.py [--units 50000] [--per-code 20] [--data DIR]

Units: 50,000 short patient-feedback answers drawn (with replacement) from the NHS benchmark data (see
bench_suggest.py; a third of them joined to a second answer, so few are repeated verbatim); training units: 20
hand-coded answers per code, as the NHS benchmark's k = 20. Both commands run as whole processes, one after the
other, in the same run:

- `python -m qualcode suggest --codebook CB.yaml --segments IN.jsonl --train TRAIN.jsonl --top 3 --json`: the whole
  engine, start-up, spaCy, fitting, unit graph and explanations included (and once with --no-why);
- the reference: scikit-learn's TfidfVectorizer on the same features (word 1-2-grams and character 3-5-grams within
  words, sublinear tf) fitted on all units, one-vs-rest logistic regression (liblinear) fitted on the training
  units, the three most probable codes of every unit written as JSON lines.

Target: the engine within 2.0x of the reference's wall-clock time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

REFERENCE = r"""
import json, sys
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MultiLabelBinarizer
units = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
train = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
vec = FeatureUnion([("w", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                    ("c", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True))])
vec.fit([u["text"] for u in units] + [t["text"] for t in train])
mlb = MultiLabelBinarizer()
Y = mlb.fit_transform([t["codes"] for t in train])
clf = OneVsRestClassifier(LogisticRegression(solver="liblinear")).fit(vec.transform([t["text"] for t in train]), Y)
out = sys.stdout
for a in range(0, len(units), 4096):
    chunk = units[a:a + 4096]
    P = clf.predict_proba(vec.transform([u["text"] for u in chunk]))
    for u, p in zip(chunk, P):
        best = p.argsort()[::-1][:3]
        out.write(json.dumps({"id": u["id"], "suggestions": [{"code": mlb.classes_[j], "score": round(float(p[j]), 4)}
                                                             for j in best]}) + "\n")
"""

RUNNER = """
import resource, subprocess, sys, time, json
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": use.ru_utime + use.ru_stime, "peak_mb": use.ru_maxrss / 1024,
                  "rc": proc.returncode, "lines": proc.stdout.count(b"\\n"), "err": proc.stderr.decode()[-500:]}))
"""


def measure(cmd: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", RUNNER, *cmd], capture_output=True, text=True, cwd=ROOT)
    res = json.loads(out.stdout)
    if res["rc"] != 0:
        raise SystemExit(f"{cmd[:4]} failed: {res['err']}")
    return res


def main() -> int:
    import bench_suggest as nhs
    import yaml

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=50_000)
    ap.add_argument("--per-code", type=int, default=20)
    ap.add_argument("--data", type=Path, default=nhs.DEFAULT_DATA)
    args = ap.parse_args()
    answers, codes = nhs.load_answers(args.data)
    rng = random.Random(0)
    chosen = nhs.sample_train(answers, codes, args.per_code, 0)
    pool = [a for i, a in enumerate(answers) if i not in chosen]
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; {args.units:,} units, {len(chosen)} training units")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cb = d / "codebook.yaml"
        cb.write_text(yaml.safe_dump(nhs.convert_codebook(args.data), allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
        with (d / "in.jsonl").open("w", encoding="utf-8") as fh:
            for n in range(args.units):
                text = rng.choice(pool)["text"]
                if rng.random() < 0.33:
                    text += " " + rng.choice(pool)["text"]
                fh.write(json.dumps({"id": f"u{n}", "text": text}) + "\n")
        nhs.write_jsonl(d / "train.jsonl", [answers[i] for i in sorted(chosen)], ("id", "text", "codes"))
        engine = [sys.executable, "-m", "qualcode", "suggest", "--codebook", str(cb), "--segments",
                  str(d / "in.jsonl"), "--train", str(d / "train.jsonl"), "--top", "3", "--json"]
        reference = [sys.executable, "-c", REFERENCE, str(d / "in.jsonl"), str(d / "train.jsonl")]
        ref = measure(reference)
        print(f"reference (scikit-learn TF-IDF + logistic regression): {ref['wall']:.1f} s (cpu {ref['cpu']:.1f} s), "
              f"{ref['peak_mb']:.0f} MB", flush=True)
        full = measure(engine)
        print(f"qualcode suggest:                                     {full['wall']:.1f} s (cpu {full['cpu']:.1f} s), "
              f"{full['peak_mb']:.0f} MB, {full['lines']:,} lines", flush=True)
        bare = measure([*engine, "--no-why"])
        print(f"qualcode suggest --no-why:                            {bare['wall']:.1f} s (cpu {bare['cpu']:.1f} s), "
              f"{bare['peak_mb']:.0f} MB", flush=True)
    ratio = full["wall"] / ref["wall"]
    print(f"ratio (wall clock): {ratio:.2f}x with explanations, {bare['wall'] / ref['wall']:.2f}x without; "
          f"cpu: {full['cpu'] / ref['cpu']:.2f}x; target <= 2.0x: {'met' if ratio <= 2.0 else 'NOT met'}; "
          f"load average at the end {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
