"""How long a large PDF or HTML file takes to plan for import (``qualcode import --dry-run``): a 300-page report as
PDF, a 5 MB report as an HTML page, and a 5 MB interview published as an HTML page (read as a transcript). Also
counts how many times each file was parsed (pdfminer's layout of the PDF, the HTML page's tree) and how many times
a text was read as a transcript: a file given to import is parsed once, to decide what it is and to read it.

Run: ``.venv/bin/python tests/bench/bench_import_documents.py [--pages 300] [--html-mb 5]``.
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
sys.path.insert(0, str(ROOT / "tests"))

WORDS = ("training factory union grievance workers managers chamber ministry meeting agreement wages overtime "
         "migrant women supervisors project donor budget seminar toolkit roadmap inspection dialogue").split()


def sentence(rng: random.Random, question: bool = False) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + ("?" if question else ".")


def write_pdf(path: Path, pages: int, rng: random.Random) -> None:
    from pdf_support import report_pdf

    # about 600 words a page, in sections of four paragraphs
    sections = [(f"{k + 1}. Findings on output {k + 1}", [" ".join(sentence(rng) for _ in range(9)) for _ in range(4)])
                for k in range(pages)]
    path.write_bytes(report_pdf("Final evaluation report", sections, header="Final evaluation", footer="Report"))


def write_html(path: Path, megabytes: float, rng: random.Random, *, interview: bool) -> None:
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Report</title></head><body>"]
    size = 0
    k = 0
    while size < megabytes * 1_000_000:
        if interview:
            who = "Interviewer" if k % 2 == 0 else "Ms. Lan"
            p = f"<p>{who}: " + " ".join(sentence(rng, question=k % 2 == 0) for _ in range(1 if k % 2 == 0 else 5))
        elif k % 12 == 0:
            p = f"<h2>Section {k // 12 + 1}</h2><p>" + " ".join(sentence(rng) for _ in range(5))
        else:
            p = "<p>" + " ".join(sentence(rng) for _ in range(5))
        parts.append(p + "</p>\n")
        size += len(p)
        k += 1
    parts.append("</body></html>")
    path.write_text("".join(parts), encoding="utf-8")


def count_parses() -> dict[str, int]:
    """Wrap the readers so each parse is counted."""
    import qualcode.importers.doc_readers as doc_readers
    import qualcode.importers.pdf_reader as pdf_reader
    import qualcode.importers.text_reader as text_reader

    counts = {"pdf": 0, "html": 0, "transcript text": 0}

    def counted(module: object, attr: str, key: str) -> None:
        original = getattr(module, attr)

        def wrapper(*args: object, **kwargs: object) -> object:
            counts[key] += 1
            return original(*args, **kwargs)

        setattr(module, attr, wrapper)

    # the readers import these from their modules at call time, so the wrappers are what they call
    counted(pdf_reader, "read_pdf", "pdf")
    counted(doc_readers, "html_blocks", "html")
    counted(text_reader, "read_text", "transcript text")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--html-mb", type=float, default=5.0)
    args = ap.parse_args()
    from qualcode.importing import import_files
    from qualcode.store import Project

    rng = random.Random(7)
    counts = count_parses()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {"report.pdf": folder / "report.pdf", "report.html": folder / "report.html",
                 "interview.html": folder / "interview.html"}
        write_pdf(files["report.pdf"], args.pages, rng)
        write_html(files["report.html"], args.html_mb, rng, interview=False)
        write_html(files["interview.html"], args.html_mb, rng, interview=True)
        for label, path in files.items():
            project = Project.create(folder / f"project-{path.stem}-{path.suffix[1:]}")
            for key in counts:
                counts[key] = 0
            started = time.perf_counter()
            report = import_files(project, [path], coder="bench", dry_run=True)
            took = time.perf_counter() - started
            kinds = ["document" for _ in report["documents"]] + ["transcript" for _ in report["transcripts"]]
            parsed = counts["pdf"] if path.suffix == ".pdf" else counts["html"]
            print(f"{label:15s} {path.stat().st_size / 1e6:5.1f} MB  {took:6.2f} s  read as {kinds[0]:10s}"
                  f"  file parsed {parsed}x, its text read as a transcript {counts['transcript text']}x")
            project.close()


if __name__ == "__main__":
    main()
