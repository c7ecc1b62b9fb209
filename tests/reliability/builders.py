"""Small projects built in code for the reliability tests (no bundled files needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from transcript_support import transcript_from_turns

from qualcode.codebook import parse_codebook
from qualcode.model import Codebook, ParsedTranscript
from qualcode.store import Project

CODEBOOK = """
name: Test criteria
codes:
  - id: relevance
    name: Relevance
    definition: Fit with the needs of factories and constituents.
    children:
      - {id: relevance.needs, name: Needs, definition: Needs of factories.}
  - id: effectiveness
    name: Effectiveness
    definition: Outputs and outcomes achieved.
  - id: sustainability
    name: Sustainability
    definition: Will results continue after the projects close.
"""


def codebook() -> Codebook:
    cb, problems = parse_codebook(CODEBOOK, "test.yaml")
    assert cb is not None, problems
    return cb


def transcript(turns: Sequence[tuple[str | None, Sequence[str]]], *, source: str = "kii.txt") -> ParsedTranscript:
    """A parsed transcript from (speaker, [unit texts]) turns, laid out like the importers do it."""
    return transcript_from_turns(turns, source_name=source)


INTERVIEW = [
    ("Interviewer", ["Could you tell me about your role in the projects and how the factory took part?"]),
    ("Ms. Lan", ["I have been HR manager here since 2018 and we joined the advisory programme in 2022.",
                 "We sent six people to the grievance-handling course and two to the trainer course.",
                 "The compliance advice was useful because the labour code changed in 2021."]),
    ("Interviewer", ["What changed after the grievance training?"]),
    ("Ms. Lan", ["Every complaint now gets a number and a reply within seven days.",
                 "In 2023 we received 146 grievances through the channels, against about 40 before.",
                 "Without the brand's support we could not continue the seminars."]),
]


def make_project(path: Path, *, turns: Sequence[tuple[str | None, Sequence[str]]] | None = None) -> Project:
    """A project with the test codebook, one KII transcript and an informant case for Ms. Lan."""
    project = Project.create(path, codebook=codebook())
    project.add_transcript(transcript(turns or INTERVIEW), "KII-01", coder="ana")
    project.upsert_case("KII-01", "Nguyen Thi Lan", {"stakeholder_group": "Factory", "sex": "F"}, coder="ana")
    project.set_speaker("KII-01", "Ms. Lan", role="informant", case_id="KII-01", coder="ana")
    project.set_speaker("KII-01", "Interviewer", role="interviewer", case_id=None, coder="ana")
    return project
