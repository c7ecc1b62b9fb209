"""Small team projects for the teams / REFI-QDA tests: built in code so each test states its own data."""

from __future__ import annotations

import shutil
from pathlib import Path

from transcript_support import transcript_from_turns

from qualcode.cases import CaseRow
from qualcode.codebook import parse_codebook
from qualcode.model import Codebook, ParsedTranscript
from qualcode.project_io import apply_case_sheet
from qualcode.store import Project

CODEBOOK_YAML = """
name: Small evaluation matrix
version: "1"
codes:
  - id: relevance
    name: Relevance
    color: "#1f77b4"
    definition: Fit with needs and priorities.
    keywords: [needs, priority]
    children:
      - id: relevance.needs
        name: Needs of factories
        definition: The programme answers what factories needed.
      - id: relevance.alignment
        name: Alignment
        definition: In line with national and donor policies.
  - id: sustainability
    name: Sustainability
    definition: Results continue after the projects close.
    children:
      - id: sustainability.funding
        name: Funding after closure
        definition: Money to keep activities going.
  - id: lessons
    name: Lessons learned
    definition: What others should do differently.
"""

KII_TURNS = [
    ("Interviewer", ["How did the training fit your needs?"]),
    ("Mr Tuan", ["Turnover was very high in 2021.", "The grievance training came at the right time.",
                 "Our line leaders learned to listen.", "We paid for the second course ourselves."]),
    ("Interviewer", ["Will it continue?"]),
    ("Mr Tuan", ["Without funding the meetings will stop.", "The chamber has no budget for it.",
                 "Nobody told us about the toolkit."]),
]

FGD_TURNS = [
    ("Facilitator", ["Tell us about the training."]),
    ("Ms Lan", ["The gender training was useful.", "We now keep data by sex."]),
    ("Mr Hai", ["The toolkit was too long.", "We did not use it."]),
    ("Ms Lan", ["Funding is the problem now."]),
]


def codebook() -> Codebook:
    cb, problems = parse_codebook(CODEBOOK_YAML, "<test>")
    assert cb is not None, problems
    return cb


def parsed(turns: list[tuple[str, list[str]]], name: str = "t.txt") -> ParsedTranscript:
    """A transcript laid out like the importers do: turns split by a blank line, one unit per sentence."""
    return transcript_from_turns(turns, source_name=name)


def build_project(path: Path, *, with_fgd: bool = True, sample: bool = True) -> Project:
    """A project with KII-01 (one informant) and FGD-01 (two participants), cases and the small codebook; with
    ``sample`` both transcripts are the team's agreement sample."""
    project = Project.create(path, codebook=codebook(), name="Team test")
    project.add_transcript(parsed(KII_TURNS, "KII-01.txt"), "KII-01", coder="setup")
    rows = [CaseRow(2, "KII-01", None, None, "KII-01", "Nguyen Van Tuan",
                    {"type": "KII", "stakeholder_group": "Factories", "role": "HR manager", "sex": "M",
                     "location": "Hai Phong"})]
    if with_fgd:
        project.add_transcript(parsed(FGD_TURNS, "FGD-01.txt"), "FGD-01", coder="setup")
        rows += [
            CaseRow(3, "FGD-01", None, "Ms Lan", "FGD-01-Lan", "Tran Thi Lan",
                    {"type": "FGD", "stakeholder_group": "Factories", "role": "HR officer", "sex": "F"}),
            CaseRow(4, "FGD-01", None, "Mr Hai", "FGD-01-Hai", "Le Van Hai",
                    {"type": "FGD", "stakeholder_group": "Workers' organisation", "role": "Union official",
                     "sex": "M"}),
        ]
    apply_case_sheet(project, rows, coder="setup")
    if sample:
        from qualcode.synthesis.reconciled import add_to_sample

        for tid in ("KII-01", "FGD-01") if with_fgd else ("KII-01",):
            add_to_sample(project, tid, coder="setup")
    return project


def coder_copies(tmp_path: Path) -> tuple[Path, Path]:
    """The project of ``build_project`` handed to two coders, clara and long, as after copying the folder: their
    folders ``tmp_path / "clara"`` and ``tmp_path / "long"``."""
    build_project(tmp_path / "base").close()
    a, b = tmp_path / "clara", tmp_path / "long"
    shutil.copytree(tmp_path / "base", a)
    shutil.copytree(tmp_path / "base", b)
    return a, b


def unit(project: Project, transcript: str, text: str) -> int:
    """The id of the unit of ``transcript`` whose text starts with ``text``."""
    for seg in project.segments(transcript):
        if seg["text"].startswith(text):
            return int(seg["id"])
    raise AssertionError(f"no unit starting with {text!r} in {transcript}")


def informant_refs(project: Project, transcript: str) -> list[int]:
    return [s["id"] for s in project.segments(transcript, include_interviewer=False)]
