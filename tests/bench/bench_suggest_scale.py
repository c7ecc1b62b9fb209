"""Benchmark of suggestions at the size of a real evaluation (not a test; run it by hand).

    .venv/bin/python tests/bench/bench_suggest_scale.py [--sizes 50,100,200] [--dir DIR] [--limit-gb 8]

Projects of 50, 100 and 200 interview transcripts are generated from the bundled example's informant sentences
(about 4,800 informant words per transcript, the example's interviewer questions before each answer). Each
generated unit is an example unit with its codes, varied as real transcripts vary: names, places, numbers and
organisations drawn from a large pool, occasional transcription typos and discourse fillers, so the vocabulary
grows with the corpus as real text does instead of repeating the example's 1,216 sentences. All transcripts but
the last few are coded as the example's coders coded the source units (about 55% of informant units), by three
coders (ana, ben, chi; a coded unit carries the codes of one to three of them); the uncoded transcripts are what
the team is coding now, and the first of them is the one suggested for.

Measured on each project, every command a fresh process (wall clock and peak resident memory, under an address
space limit of ``--limit-gb`` so that a mistake cannot exhaust a shared machine):

- ``qualcode suggest --transcript X --json`` with no model cache (``.qualcode/models`` removed);
- the same after one new coding added by another process (the cache holds the state before it);
- the same again (warm: everything cached);
- in a running workbench (the same calls its suggestion thread makes, in one process): after a coding, the time
  until the next unit's suggestions are ready, and until the whole window of units around it is.

Then how each figure grows from the smallest to the largest project (linear would be the size ratio). The
machine's load average is printed before and after each size: the machine may be shared, and then the processes'
CPU time (user + system, printed beside the wall clock) is the better measure of the work done.
Targets at 200 transcripts: no cache <= 60 s and <= 2 GB, after one coding <= 10 s, warm <= 3 s and <= 1 GB,
workbench refit to the next unit's suggestions <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
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

WORDS_PER_TRANSCRIPT = 4_800
UNCODED_SHARE = 0.05  # the last transcripts are not coded yet
CODERS = ("ana", "ben", "chi")
FILLERS = ["Well,", "Honestly,", "As I said,", "You know,", "I think", "Actually,", "In our case,", "To be frank,",
           "At that time,", "So,", "Yes,", "Of course,"]
SYLLABLES = ["an", "bao", "binh", "cam", "chau", "dong", "duc", "giang", "ha", "hai", "hoa", "hung", "khanh", "lam",
             "linh", "long", "minh", "nam", "ngoc", "phu", "phuong", "quang", "son", "tan", "thanh", "thuy", "trung",
             "tuan", "vinh", "xuan", "yen", "kim", "lien", "mai", "nga", "tien", "viet", "hong", "an", "loc"]
KINDS = ["factory", "company", "district", "commune", "zone", "union", "association", "department", "school",
         "cooperative"]


def load_source(project_dir: Path) -> list[dict[str, Any]]:
    """The example's answers: per informant turn, the question before it and its units with their codes."""
    from qualcode.store import Project

    project = Project.open(project_dir)
    try:
        codes_of: dict[int, set[str]] = {}
        for c in project.codings():
            codes_of.setdefault(int(c["segment"]), set()).add(c["code"])
        answers: list[dict[str, Any]] = []
        question, asked_in = "", None
        for s in project.segments(include_interviewer=True):
            if s["kind"] == "document":
                continue  # the interviews are recombined; the example's two reports are left aside
            if s["role"] == "interviewer":
                where = (s["transcript"], s["turn"])
                question = f"{question} {s['text']}" if where == asked_in else s["text"]
                asked_in = where
                continue
            if not s["text"].strip():
                continue
            key = (s["transcript"], s["turn"])
            if not answers or answers[-1]["key"] != key:
                answers.append({"key": key, "question": question, "units": []})
            answers[-1]["units"].append((s["text"], sorted(codes_of.get(int(s["id"]), set()))))
    finally:
        project.close()
    return answers


class Varier:
    """Varies a sentence as another interview would say it: other names and numbers, typos, fillers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # A pool of proper names large enough that the vocabulary keeps growing with the corpus.
        self.names = [" ".join(w.capitalize() for w in rng.sample(SYLLABLES, rng.choice((1, 2, 2, 3))))
                      for _ in range(30_000)]

    def name(self) -> str:
        # Zipf-like: a few names (the programme's partners) are frequent, most are rare.
        i = int(len(self.names) * self.rng.random() ** 3)
        return self.names[i]

    def vary(self, text: str) -> str:
        rng = self.rng
        words = text.split()
        out: list[str] = []
        for i, w in enumerate(words):
            core = w.strip(".,;:!?\"'()")
            if i > 0 and core[:1].isupper() and core.isalpha() and rng.random() < 0.7:
                w = w.replace(core, self.name(), 1)
            elif core.isdigit() and rng.random() < 0.8:
                w = w.replace(core, str(rng.randint(2, 2000)), 1)
            elif len(core) > 4 and core.isalpha() and rng.random() < 0.02:
                j = rng.randrange(1, len(core) - 1)  # a transcription typo: two letters swapped
                w = w.replace(core, core[:j] + core[j + 1] + core[j] + core[j + 2:], 1)
            out.append(w)
        if rng.random() < 0.15:
            at = rng.randrange(len(out) + 1)
            out[at:at] = [f"the {self.name()} {rng.choice(KINDS)}"]
        if rng.random() < 0.25:
            out[0] = out[0][:1].lower() + out[0][1:] if out[0][:1].isupper() and not out[0].isupper() else out[0]
            out.insert(0, rng.choice(FILLERS))
        return " ".join(out)


def split_long(text: str, most: int = 16) -> list[str]:
    """A long sentence as two units at the comma nearest its middle (or its middle word), as importers that cut at
    clauses do: the generated units then have the length of the units the issue's figures were measured on."""
    words = text.split()
    if len(words) <= most:
        return [text]
    mid = len(words) // 2
    commas = [i + 1 for i, w in enumerate(words[:-3]) if w.endswith((",", ";")) and i >= 3]
    cut = min(commas, key=lambda i: abs(i - mid)) if commas else mid
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def generate(dest: Path, n_transcripts: int, seed: int = 0) -> dict[str, Any]:
    """Build the project in ``dest``; returns its size and the transcript to suggest for."""
    from qualcode.codebook import load_codebook
    from qualcode.model import ParsedTranscript, Turn, Unit
    from qualcode.project_io import build_example, bundled_root
    from qualcode.store import Project, now_iso

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        build_example(Path(tmp) / "example")
        answers = load_source(Path(tmp) / "example")
    varier = Varier(rng)
    codebook = load_codebook(bundled_root() / "codebooks" / "evaluation-criteria.yaml")
    if dest.exists():
        shutil.rmtree(dest)
    project = Project.create(dest, codebook=codebook, name=f"Portfolio review ({n_transcripts} interviews, generated)")
    project.db.execute("PRAGMA synchronous = OFF")  # generation only
    n_coded_tr = n_transcripts - max(1, round(n_transcripts * UNCODED_SHARE))
    words = units = coded_units = 0
    codings: list[tuple[int, str, int, str, str]] = []
    coder_ids = [project.coder_id(c) for c in CODERS]
    ts = now_iso()
    with project.transaction():
        for t in range(n_transcripts):
            tid = f"KII-{t + 1:03d}"
            text = ""
            turns: list[Turn] = []
            parsed_units: list[Unit] = []
            unit_codes: list[list[str] | None] = []
            tw = 0
            while tw < WORDS_PER_TRANSCRIPT:
                ans = rng.choice(answers)
                if ans["question"]:
                    q = f"Interviewer: {ans['question']}"
                    turns.append(Turn("Interviewer", len(text) + 13, len(text) + len(q)))
                    parsed_units.append(Unit(len(text) + 13, len(text) + len(q), "Interviewer", len(turns) - 1))
                    unit_codes.append(None)
                    text += q + "\n\n"
                start_turn = len(text) + len("Informant: ")
                body = []
                spans: list[tuple[int, int, list[str]]] = []
                pos = start_turn
                for sent, codes in ans["units"]:
                    for v in split_long(varier.vary(sent)):
                        spans.append((pos, pos + len(v), codes))
                        words += len(v.split())
                        body.append(v)
                        pos += len(v) + 1
                        tw += len(v.split())
                joined = " ".join(body)
                text += f"Informant: {joined}\n\n"
                turns.append(Turn("Informant", start_turn, start_turn + len(joined)))
                for a, b, codes in spans:
                    parsed_units.append(Unit(a, b, "Informant", len(turns) - 1))
                    unit_codes.append(codes)
            project.add_transcript(ParsedTranscript(text, turns, parsed_units, "text"), tid)
            seg_ids = [r[0] for r in project.db.execute(
                "SELECT id FROM segments WHERE transcript_id = ? ORDER BY idx", (tid,))]
            for sid, codes in zip(seg_ids, unit_codes, strict=True):
                if codes is None:
                    continue
                units += 1
                if t >= n_coded_tr or not codes:
                    continue
                coded_units += 1
                for who in rng.sample(coder_ids, rng.choice((1, 2, 3))):
                    codings += [(sid, c, who, ts, "human") for c in codes]
        project.db.executemany(
            "INSERT INTO codings (segment_id, code_id, coder_id, created, source) VALUES (?, ?, ?, ?, ?)", codings)
    project.close()
    return {"transcripts": n_transcripts, "informant_units": units, "informant_words": words,
            "coded_units": coded_units, "codings": len(codings), "suggest_for": f"KII-{n_coded_tr + 1:03d}"}


# ---------------------------------------------------------------------------- measuring whole processes

RUNNER = """
import resource, subprocess, sys, time, json
limit = int(sys.argv[1])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[2:], capture_output=True, text=True, preexec_fn=cap)
wall = time.perf_counter() - t0
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": use.ru_utime + use.ru_stime, "peak_mb": use.ru_maxrss / 1024,
                  "rc": proc.returncode, "stderr": proc.stderr[-2000:], "tail": proc.stdout[-2000:]}))
"""


def measure(cmd: list[str], limit_gb: float) -> dict[str, Any]:
    """Wall clock and peak resident memory of ``cmd`` as a fresh process, under an address-space limit."""
    out = subprocess.run([sys.executable, "-c", RUNNER, str(int(limit_gb * 2**30)), *cmd], capture_output=True,
                         text=True, cwd=ROOT)
    res = json.loads(out.stdout)
    if res["rc"] != 0:
        res["error"] = res["stderr"].strip().splitlines()[-1] if res["stderr"].strip() else f"exit {res['rc']}"
    return res


def add_one_coding(project_dir: Path, transcript: str) -> None:
    """One new coding in the transcript being coded, as a colleague's process adds it."""
    from qualcode.store import Project

    project = Project.open(project_dir)
    try:
        unit = next(s for s in project.segments(transcript, include_interviewer=False) if s["text"].strip()
                    and not project.codings(segment=int(s["id"])))
        project.add_coding(unit["id"], "relevance.needs_fit", coder="ana")
    finally:
        project.close()


WORKBENCH = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from qualcode.actions import coding
from qualcode.actions import views as wb
from qualcode.store import Project
project = Project.open(sys.argv[1])
coded = {int(c["segment"]) for c in project.codings(transcript=sys.argv[2])}
units = [u for u in project.segments(sys.argv[2], include_interviewer=False) if u["text"].strip()
         and int(u["id"]) not in coded]
t0 = time.perf_counter()
engine = wb.fit_suggester(project)
first = wb.suggest_units(engine, units[:40])
opened = time.perf_counter() - t0
times, cpus, windows = [], [], []
for n in range(3):
    # Code the current unit with its first suggestion, as the evaluator pressing 1 does, then move on.
    unit, nxt = units[n], units[n + 1]
    s = first[int(unit["id"])][0]
    coding.accept_suggestion(project, unit["id"], s["code"], score=s["score"], model_version=s["model_version"],
                             coder="ana")
    t0, c0 = time.perf_counter(), time.process_time()
    engine = wb.fit_suggester(project)
    found = wb.suggest_units(engine, [nxt])
    times.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
    wb.suggest_units(engine, units[n + 1 : n + 41])
    windows.append(time.perf_counter() - t0)
    first.update(found)
    assert found[int(nxt["id"])], "no suggestions for the next unit"
t0 = time.perf_counter()
wb.refresh_suggester(project)
refresh = time.perf_counter() - t0
print(json.dumps({"open": opened, "next_unit": sorted(times)[1], "next_unit_cpu": sorted(cpus)[1],
                  "window": sorted(windows)[1], "refresh": refresh}))
"""


def workbench_refit(project_dir: Path, transcript: str, limit_gb: float) -> dict[str, Any]:
    cmd = [sys.executable, "-c", WORKBENCH, str(project_dir), transcript, str(ROOT)]
    res = measure(cmd, limit_gb)
    if res["rc"] != 0:
        return {"error": res.get("error"), "peak_mb": res["peak_mb"]}
    return {**json.loads(res["tail"].splitlines()[-1]), "peak_mb": res["peak_mb"]}


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_size(base: Path, n: int, limit_gb: float, reuse: bool) -> dict[str, Any]:
    dest = base / f"p{n}"
    info_file = base / f"p{n}.json"
    if reuse and info_file.exists() and (dest / "qualcode.db").exists():
        info = json.loads(info_file.read_text())
    else:
        t0 = time.perf_counter()
        info = generate(dest, n)
        info_file.write_text(json.dumps(info))
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    print(f"[{n} transcripts] {info['informant_units']:,} informant units, {info['informant_words']:,} informant "
          f"words, {info['coded_units']:,} coded units, {info['codings']:,} codings; load {load()}", flush=True)
    cmd = [sys.executable, "-m", "qualcode", "suggest", "-p", str(dest), "--transcript", info["suggest_for"], "--json"]
    shutil.rmtree(dest / ".qualcode", ignore_errors=True)
    res: dict[str, Any] = {"info": info}
    res["cold"] = measure(cmd, limit_gb)
    print(f"  no cache:          {_fmt(res['cold'])}", flush=True)
    add_one_coding(dest, info["suggest_for"])
    res["after_coding"] = measure(cmd, limit_gb)
    print(f"  after one coding:  {_fmt(res['after_coding'])}", flush=True)
    res["warm"] = measure(cmd, limit_gb)
    print(f"  warm:              {_fmt(res['warm'])}", flush=True)
    res["workbench"] = workbench_refit(dest, info["suggest_for"], limit_gb)
    wbr = res["workbench"]
    if "error" in wbr:
        print(f"  workbench: failed: {wbr['error']}", flush=True)
    else:
        print(f"  workbench: opened with suggestions {wbr['open']:.2f} s; after a coding, next unit "
              f"{wbr['next_unit']:.2f} s (cpu {wbr['next_unit_cpu']:.2f} s), window of 40 {wbr['window']:.2f} s; "
              f"full refit in the background {wbr['refresh']:.1f} s; peak {wbr['peak_mb']:.0f} MB; load {load()}",
              flush=True)
    return res


def _fmt(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"FAILED after {r['wall']:.1f} s, peak {r['peak_mb']:.0f} MB: {r['error']}"
    return f"{r['wall']:.1f} s (cpu {r['cpu']:.1f} s), peak {r['peak_mb']:.0f} MB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,100,200", help="transcripts per generated project")
    ap.add_argument("--dir", type=Path, help="keep the generated projects here (reused when present)")
    ap.add_argument("--limit-gb", type=float, default=8.0, help="address-space limit of each measured process")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    base = args.dir or Path(tempfile.mkdtemp(prefix="qualcode-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} CPUs; load average {load()} (1/5/15 min); memory limit per process {args.limit_gb} GB")
    results = {n: run_size(base, n, args.limit_gb, reuse=args.dir is not None) for n in sizes}
    print()
    print("| transcripts (informant words) | coded units | `suggest --transcript X`, no model cache | after one new"
          " coding | warm cache | workbench: coding -> next unit's suggestions |")
    print("|---|---|---|---|---|---|")
    for n, r in results.items():
        wbr = r["workbench"]
        wtxt = (f"{wbr['error']}" if "error" in wbr
                else f"{wbr['next_unit']:.2f} s (cpu {wbr['next_unit_cpu']:.2f}; window of 40: {wbr['window']:.2f} s)")
        print(f"| {n} ({r['info']['informant_words']:,}) | {r['info']['coded_units']:,} | {_cell(r['cold'])} | "
              f"{_cell(r['after_coding'])} | {_cell(r['warm'])} | {wtxt} |")
    if len(sizes) > 1:
        a, b = sizes[0], sizes[-1]
        ra, rb = results[a], results[b]
        words = rb["info"]["informant_words"] / ra["info"]["informant_words"]
        print()
        print(f"growth from {a} to {b} transcripts (informant words x{words:.2f}; linear growth would be that):")
        for key in ("cold", "after_coding", "warm"):
            if "error" in ra[key] or "error" in rb[key]:
                continue
            print(f"  {key:<13} time x{rb[key]['wall'] / ra[key]['wall']:.2f}, peak memory "
                  f"x{rb[key]['peak_mb'] / ra[key]['peak_mb']:.2f}")
        wa, wb_ = ra["workbench"], rb["workbench"]
        if "error" not in wa and "error" not in wb_:
            print(f"  workbench     next unit x{wb_['next_unit'] / wa['next_unit']:.2f}, window x"
                  f"{wb_['window'] / wa['window']:.2f}")
    big = results.get(200)
    if big is not None:
        checks = {
            "no cache <= 60 s": big["cold"].get("wall", 1e9) <= 60 and "error" not in big["cold"],
            "no cache <= 2 GB": big["cold"].get("peak_mb", 1e9) <= 2048,
            "after one coding <= 10 s": (big["after_coding"].get("wall", 1e9) <= 10
                                         and "error" not in big["after_coding"]),
            "warm <= 3 s": big["warm"].get("wall", 1e9) <= 3 and "error" not in big["warm"],
            "warm <= 1 GB": big["warm"].get("peak_mb", 1e9) <= 1024,
            "workbench next unit <= 1 s": big["workbench"].get("next_unit", 1e9) <= 1,
        }
        print()
        print("targets at 200 transcripts: "
              + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in checks.items()))
    print(f"load average at the end {load()}")
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0


def _cell(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"fails ({r['error'][:60]})"
    return f"{r['wall']:.1f} s (cpu {r['cpu']:.1f}), {r['peak_mb']:.0f} MB"


if __name__ == "__main__":
    raise SystemExit(main())
