"""How importing grows with the evaluation: N interviews of ~5,000 words in the layouts tools export (Teams Word text,
Otter, WebVTT, Markdown notes), with a case sheet, read and planned (``--dry-run``) and then imported, for growing N
up to a large evaluation (200 transcripts, ~1M words).

Run: ``.venv/bin/python tests/bench/bench_import.py [--sizes 25,50,100,200]``. Prints seconds per size and per
transcript, so a step that grows faster than the number of files shows.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

WORDS = ("training factory union grievance workers managers chamber ministry meeting agreement wages overtime "
         "migrant women supervisors project donor budget seminar toolkit roadmap inspection dialogue").split()


FAMILY = "Nguyen Tran Le Pham Hoang Vu Dang Bui Do Ho Ngo Duong Ly".split()
GIVEN = "Hoa Lan Minh Tuan Thu Hai Mai Long Nga Binh Khoa Yen Son Hanh Duc Anh".split()


def person(i: int) -> tuple[str, str]:
    """("Last, First" as Teams writes it, "First Last" as the case sheet does) for informant i."""
    last, middle, first = FAMILY[i % len(FAMILY)], GIVEN[(i // 7) % len(GIVEN)], GIVEN[i % len(GIVEN)]
    return f"{last}, {middle} {first}", f"{last} {middle} {first}"


def sentence(rng: random.Random, question: bool = False) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + ("?" if question else ".")


def write_corpus(folder: Path, n: int, rng: random.Random) -> Path:
    rows = ["transcript_id,file,speaker,case_id,name,type,stakeholder_group,interviewer"]
    for i in range(n):
        tid = f"KII-{i:03d}"
        layout = i % 4
        turns = []
        words = 0
        t = 3
        while words < 5000:
            q = " ".join(sentence(rng, question=k == 1) for k in range(2))
            a = " ".join(sentence(rng) for _ in range(rng.randint(3, 8)))
            turns.append((q, a, t))
            words += len(q.split()) + len(a.split())
            t += rng.randint(20, 90)
        if layout == 0:
            name = f"{tid}.txt"
            lines = [f"{tid} interview-20240306_100211-Meeting Recording", "March 6, 2024, 10:02AM", "47m 3s",
                     "Jensen, Clara started transcription"]
            for q, a, s in turns:
                lines += [f"Jensen, Clara   {s // 60}:{s % 60:02d}", q, f"{person(i)[0]}   "
                          f"{(s + 9) // 60}:{(s + 9) % 60:02d}", a]
            lines.append("Jensen, Clara stopped transcription")
            body = "\n".join(lines)
        elif layout == 1:
            name = f"{tid}.txt"
            body = "\n\n".join(f"Long Tran  {s // 60}:{s % 60:02d}\n{q}\n\nPerson {i}  {(s + 9) // 60}:"
                               f"{(s + 9) % 60:02d}\n{a}" for q, a, s in turns) + "\n\nTranscribed by https://otter.ai"
        elif layout == 2:
            name = f"{tid}.vtt"
            cues = []
            for q, a, s in turns:
                cues.append(f"00:{s // 60:02d}:{s % 60:02d}.000 --> 00:{(s + 8) // 60:02d}:{(s + 8) % 60:02d}.000\n"
                            f"<v Clara Jensen>{q}</v>")
                cues.append(f"00:{(s + 9) // 60:02d}:{(s + 9) % 60:02d}.000 --> 00:{(s + 19) // 60:02d}:"
                            f"{(s + 19) % 60:02d}.000\n<v Person {i}>{a}</v>")
            body = "WEBVTT\n\n" + "\n\n".join(cues)
        else:
            name = f"{tid} notes.md"
            body = f"# {tid} interview notes\n\n" + "\n\n".join(
                f"## {q}\n\n" + "\n".join(f"- {s}." for s in a.split(". ") if s) for q, a, _ in turns)
        (folder / name).write_text(body, encoding="utf-8")
        full = person(i)[1] if layout == 0 else f"Person {i}"
        rows.append(f"{tid},{name},,{tid},{full},KII,Group {i % 6},Clara Jensen; Tran Bao Long")
    sheet = folder / "cases.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return sheet


def main() -> int:
    from qualcode.importing import import_files
    from qualcode.store import Project

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,50,100,200", help="numbers of transcripts (default 25,50,100,200)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"{'transcripts':>11} {'words':>9} {'units':>7} {'dry run s':>9} {'import s':>9} {'ms/transcript':>13}"
          f" {'warnings':>8}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "exports"
            folder.mkdir()
            sheet = write_corpus(folder, n, random.Random(n))
            files = sorted(p for p in folder.iterdir() if p.name != "cases.csv")
            words = sum(len(p.read_text(encoding="utf-8").split()) for p in files)
            project = Project.create(Path(tmp) / "p")
            start = time.perf_counter()
            dry = import_files(project, files, cases=sheet, coder="bench", dry_run=True)
            planned = time.perf_counter() - start
            start = time.perf_counter()
            report = import_files(project, files, cases=sheet, coder="bench")
            done = time.perf_counter() - start
            units = project.status()["segments"]
            project.close()
            assert [t["speakers"] for t in dry["transcripts"]] == [t["speakers"] for t in report["transcripts"]]
            print(f"{n:>11} {words:>9,} {units:>7,} {planned:>9.1f} {done:>9.1f} {1000 * done / n:>13.0f}"
                  f" {report['warning_count']:>8}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
