"""Benchmark of the synthesis commands on a synthetic project of 500 transcripts and 100,000 coded units.

Run:  .venv/bin/python tests/bench/bench_synthesis.py [--dir DIR] [--transcripts 500] [--coded 100000]

The project is generated directly through the store (transcripts with add_transcript, cases with the case-sheet
code, codings with one bulk insert), then each command's core function is timed: matrix, quote-bank export in all
four formats, audit, report, the findings chapter and the annexes. Targets: matrix < 2 s, quote banks < 30 s, audit
< 5 s, report < 30 s, chapter and matrix annex < 30 s, memory < 1 GB (peak resident set of this process).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.cases import CaseRow  # noqa: E402
from qualcode.codebook import default_codebook_path, load_codebook  # noqa: E402
from qualcode.model import ParsedTranscript, Turn, Unit  # noqa: E402
from qualcode.project_io import apply_case_sheet  # noqa: E402
from qualcode.store import Project, now_iso  # noqa: E402

GROUPS = ["ILO staff", "Government", "Employers' organisation", "Workers' organisation", "Factory", "Donor",
          "Other partner"]
ROLES = {"ILO staff": "Programme officer", "Government": "Deputy director", "Employers' organisation": "Officer",
         "Workers' organisation": "Union official", "Factory": "HR manager", "Donor": "Programme manager",
         "Other partner": "Vice-chair"}
PLACES = ["Ha Noi", "Hai Phong", "Bac Ninh", "Bac Giang"]
SURNAMES = ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ngo"]
MIDDLE = ["Thi", "Van", "Quang", "Duc"]
GIVEN = ["Hoa", "Minh", "Lan", "Tuan", "Mai", "Hung", "Ngoc", "Thao", "Son", "Yen", "Khoa", "Nga", "Kim", "Vinh"]
TOPICS = {
    "relevance": "the training matched what our factory needed because turnover was high",
    "validity_of_design": "the design had no shared monitoring framework and the indicators were unclear",
    "coherence": "the projects overlapped with the brand audits and other programmes",
    "effectiveness": "after the course grievances were answered within seven days",
    "efficiency": "invitations came late and the budget moved to advisory visits",
    "impact": "social dialogue between the union and the managers improved",
    "sustainability": "without funding the sectoral meetings will stop next year",
    "gender_equality": "women were promoted to line leader and the data were not sex-disaggregated",
    "lessons_learned": "next time we would involve the union from the start",
    "good_practice": "advice instead of audit made the factories open up",
}
FILLER = ["honestly", "in our experience", "as I said", "for example", "in 2023", "at the beginning", "later on"]


def sentence(rng: random.Random, criterion: str, name: str | None) -> str:
    text = f"{rng.choice(FILLER).capitalize()}, {TOPICS[criterion]}"
    if name and rng.random() < 0.02:
        text += f", as Ms. {name.split()[-1]} told us"
    return text + "."


def generate(path: Path, n_transcripts: int, n_coded: int, seed: int = 0) -> Project:
    rng = random.Random(seed)
    codebook = load_codebook(default_codebook_path())
    project = Project.create(path, codebook=codebook, name="Synthetic benchmark")
    project.db.execute("PRAGMA synchronous = OFF")  # generation only; the timed commands only read
    leaves = [c for c in codebook.walk() if not c.children]
    units_per = max(4, n_coded // n_transcripts)
    rows: list[CaseRow] = []
    line = 2
    with project.transaction():
        for t in range(n_transcripts):
            fgd = t % 10 == 9
            tid = f"{'FGD' if fgd else 'KII'}-{t + 1:04d}"
            speakers = [f"P{i}" for i in range(1, 5)] if fgd else ["Informant"]
            names = {s: f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for s in speakers}
            text, turns, units = "", [], []
            for u in range(units_per):
                crit = rng.choice(list(TOPICS))
                if u % 4 == 0:
                    q = f"Interviewer: What about {crit.replace('_', ' ')}?"
                    turns.append(Turn("Interviewer", len(text) + 13, len(text) + len(q)))
                    units.append(Unit(len(text) + 13, len(text) + len(q), "Interviewer", len(turns) - 1))
                    text += q + "\n\n"
                spk = rng.choice(speakers)
                body = sentence(rng, crit, names[spk])
                start = len(text) + len(spk) + 2
                text += f"{spk}: {body}\n\n"
                turns.append(Turn(spk, start, start + len(body)))
                units.append(Unit(start, start + len(body), spk, len(turns) - 1))
            project.add_transcript(ParsedTranscript(text, turns, units, "text"), tid)
            place = rng.choice(PLACES)
            for s in speakers:
                group = rng.choice(GROUPS)
                rows.append(CaseRow(line, tid, None, s if fgd else None, f"{tid}-{s}" if fgd else tid, names[s],
                                    {"type": "FGD" if fgd else "KII", "stakeholder_group": group,
                                     "organisation_type": "Factory (FDI)" if group == "Factory" else group,
                                     "role": ROLES[group], "sex": rng.choice("FM"), "location": place,
                                     "interviewer": "Clara Jensen"}))
                line += 1
        apply_case_sheet(project, rows, coder="bench")
        coders = [project.coder_id(c) for c in ("ana", "ben", "chi")]
        informant_units = [r[0] for r in project.db.execute(
            "SELECT s.id FROM segments s JOIN speakers sp"
            " ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker"
            " WHERE sp.role != 'interviewer' ORDER BY s.id")]
        ts = now_iso()
        # each informant unit gets a code of the criterion its sentence is about (plus noise), until n_coded
        text_of = dict(project.db.execute("SELECT id, text FROM segments"))
        batch = []
        for seg_id in informant_units[:n_coded]:
            crit = next(c for c, topic in TOPICS.items() if topic in text_of[seg_id])
            options = [c for c in leaves if c.criterion_id == crit] or leaves
            batch.append((seg_id, rng.choice(options).id, rng.choice(coders), ts, "human"))
        project.db.executemany(
            "INSERT INTO codings (segment_id, code_id, coder_id, created, source) VALUES (?, ?, ?, ?, ?)", batch)
    return project


def add_findings(project: Project, n: int = 80, links: int = 25, seed: int = 1) -> None:
    from qualcode.synthesis.findings import add_finding, link_evidence

    rng = random.Random(seed)
    codings = [(r[0], r[1]) for r in project.db.execute(
        "SELECT c.id, d.criterion_id FROM codings c JOIN codes d ON d.id = c.code_id")]
    by_crit: dict[str, list[int]] = {}
    for cid, crit in codings:
        by_crit.setdefault(crit, []).append(cid)
    crits = sorted(by_crit)
    with project.transaction():
        for i in range(n):
            crit = crits[i % len(crits)]
            f = add_finding(project, crit, f"Finding {i + 1} about {crit.replace('_', ' ')}.", coder="ana")
            for cid in rng.sample(by_crit[crit], min(links, len(by_crit[crit]))):
                link_evidence(project, f["id"], coding=cid, coder="ana")


def timed(label: str, fn, results: dict[str, float]):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    results[label] = time.perf_counter() - start
    print(f"{label:<28} {results[label]:7.2f} s", flush=True)
    return value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, help="where to build the project (default: a temporary folder)")
    ap.add_argument("--transcripts", type=int, default=500)
    ap.add_argument("--coded", type=int, default=100_000)
    args = ap.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="qualcode-bench-"))
    if (base / "project").exists():
        shutil.rmtree(base / "project")
    results: dict[str, float] = {}
    project = timed("generate project", lambda: generate(base / "project", args.transcripts, args.coded), results)
    timed("add 80 findings x 25 links", lambda: add_findings(project), results)
    status = project.status()
    print(f"project: {status['transcripts']} transcripts, {status['segments']} units, {status['codings']} codings,"
          f" {status['cases']} informants")

    from qualcode.exports.quotes import export_quotes
    from qualcode.exports.report import write_report
    from qualcode.synthesis.audit import audit
    from qualcode.synthesis.matrices import matrix

    project.close()
    project = Project.open(base / "project")
    timed("matrix (criterion x group)", lambda: matrix(project), results)
    timed("matrix (code x informants)", lambda: matrix(project, rows="code", count="informants"), results)
    for fmt in ("csv", "md", "xlsx", "docx"):
        timed(f"quote bank {fmt}", lambda fmt=fmt: export_quotes(project, base / "out", formats=[fmt], force=True),
              results)
    timed("quote bank all formats", lambda: export_quotes(project, base / "out", formats=["all"], force=True),
          results)
    report = timed("audit", lambda: audit(project), results)
    timed("report", lambda: write_report(project, base / "out" / "report.html"), results)
    from qualcode.exports.annexes import export_matrix, export_persons
    from qualcode.exports.chapter import export_chapter

    timed("findings chapter docx", lambda: export_chapter(project, base / "out" / "findings.docx"), results)
    timed("evaluation matrix docx", lambda: export_matrix(project, base / "out" / "matrix.docx"), results)
    timed("evaluation matrix xlsx", lambda: export_matrix(project, base / "out" / "matrix.xlsx"), results)
    timed("persons consulted docx", lambda: export_persons(project, base / "out" / "persons.docx"), results)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory':<28} {peak_mb:7.0f} MB")
    print(f"audit: {report['errors']} errors, {report['warnings']} warnings in {len(report['findings'])} findings")
    targets = {"matrix (criterion x group)": 2, "quote bank all formats": 30, "audit": 5, "report": 30,
               "findings chapter docx": 30, "evaluation matrix docx": 30}
    ok = all(results[k] < v for k, v in targets.items()) and peak_mb < 1024
    print("targets met" if ok else "TARGETS MISSED")
    project.close()
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
