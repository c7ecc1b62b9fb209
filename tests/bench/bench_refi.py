"""How REFI-QDA exchange grows with the evaluation: a project of N transcripts and about 500 N codings by three coders
(with informants, case attributes and memos) exported to .qdpx, imported into a new project, and imported again
(which must add nothing), for growing N up to a large evaluation (200 transcripts, 100,000 codings). Then PDF areas
placed by their text (as ATLAS.ti's areas carry it) on a 300-page report, for a growing number of areas: the time per
area must not grow with the report's length (``--areas`` only runs this part).

Run: ``.venv/bin/python tests/bench/bench_refi.py [--sizes 25,50,100,200]``. Each step is a whole ``qualcode``
process; prints its wall-clock seconds, its CPU seconds (user + system: what the step costs, whatever else the
machine is doing), CPU seconds per 1,000 codings (so a step that grows faster than the project shows), its peak
memory and the file size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_synthesis import generate  # noqa: E402


def step(*args: str) -> tuple[float, float, float, dict]:
    """Run ``qualcode ARGS --json``: wall seconds, CPU seconds, peak resident memory (MB) and the JSON it printed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "qualcode", *args, "--json"], stdout=out, stderr=err,
                                env={**os.environ, "QUALCODE_CODER": "bench"})
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory, not the largest child's so far
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if status:
            raise SystemExit(f"qualcode {' '.join(args)} failed: {err.read().decode()[-500:]}")
        return (seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                json.loads(out.read() or b"{}"))


def pdf_areas() -> None:
    """Seconds to place 1, 10, 100 and 1,000 areas by their text on a report of about 1.4 million characters."""
    from qualcode.refi.imports import _Source
    from qualcode.refi.positions import Choice, Convention

    paragraphs = [f"Paragraph {n}: the district office reported {n * 7} visits and {n % 13} complaints in"
                  f" quarter {n % 4 + 1}." for n in range(15000)]
    text = "\n\n".join(paragraphs)
    print(f"{'PDF areas':>11} {'seconds':>8} {'ms per area':>12}  (a report of {len(text):,} characters)")
    for areas in (1, 10, 100, 1000):
        source = _Source("report.pdf", text, None, Choice(Convention()))
        start = time.perf_counter()
        for n in range(areas):
            source.find(paragraphs[(n * 7919) % len(paragraphs)].replace(" the ", "the "))
        seconds = time.perf_counter() - start
        print(f"{areas:>11} {seconds:>8.2f} {1000 * seconds / areas:>12.2f}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="25,50,100,200", help="numbers of transcripts (500 codings each)")
    ap.add_argument("--areas", action="store_true", help="only PDF areas placed by their text")
    args = ap.parse_args()
    if args.areas:
        pdf_areas()
        return 0
    base = Path(tempfile.mkdtemp(prefix="qualcode-bench-refi-"))
    print(f"{'transcripts':>11} {'codings':>8} {'step':<22} {'wall s':>7} {'CPU s':>7} {'CPU s/1k codings':>16}"
          f" {'peak MB':>8}  notes", flush=True)
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            folder = base / f"p{n}"
            project = generate(folder / "project", n, 500 * n)
            project.close()
            for i, tid in enumerate(["KII-0001", "KII-0002", "KII-0003"]):
                step("memo", "set", "--transcript", tid, "--text", f"Memo {i} on the interview.", "-p",
                     str(folder / "project"))
            out = folder / "export.qdpx"
            results = []
            sec, cpu, peak, rep = step("refi", "export", "-p", str(folder / "project"), "-o", str(out))
            codings = rep["counts"]["codings"]
            results.append(("export .qdpx", sec, cpu, peak, f"{out.stat().st_size / 1e6:.1f} MB file"))
            sec, cpu, peak, rep = step("refi", "import", str(out), "-p", str(folder / "back"))
            results.append(("import, new project", sec, cpu, peak, f"{rep['counts']['codings_added']} codings added"))
            sec, cpu, peak, rep = step("refi", "import", str(out), "-p", str(folder / "back"))
            results.append(("import again", sec, cpu, peak, f"{rep['counts']['codings_added']} added, "
                            f"{rep['counts']['codings_already_here']} already here"))
            for name, sec, cpu, peak, note in results:
                print(f"{n:>11} {codings:>8} {name:<22} {sec:>7.1f} {cpu:>7.1f} {1000 * cpu / max(codings, 1):>16.2f}"
                      f" {peak:>8.0f}  {note}", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    pdf_areas()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
