"""A small evaluation project built through the store, shared by the synthesis, findings, audit, privacy and export
tests (``from synthesis_support import build_project``); ``tests/unit/test_synthesis_project.py`` checks that it is
what those tests assume.

Four transcripts: three KIIs (ILO staff, a factory, the ministry) and one FGD (two factory staff and a union
official). Informants' names appear in the text the way they do in real transcripts ("Thank you, Ms. Lan"), with an
e-mail address and a phone number, so the confidentiality checks have something to catch.
"""

from __future__ import annotations

from pathlib import Path

from transcript_support import transcript_from_turns

from qualcode.cases import CaseRow
from qualcode.codebook import default_codebook_path, load_codebook
from qualcode.model import ParsedTranscript
from qualcode.project_io import apply_case_sheet
from qualcode.store import Project

TRANSCRIPTS: dict[str, list[tuple[str, str]]] = {
    "KII-01": [
        ("Interviewer", "Good morning, Ms. Hoa. What did the projects need to do?"),
        ("Hoa", "Factories needed grievance handling training because turnover was very high. "
                "Nguyen Thi Hoa is my full name, you can write to hoa.nguyen@example.org or call 0912 345 678. "
                "Many workers come from Thanh Hoa province."),
        ("Interviewer", "And will it last?"),
        ("Hoa", "Without funding the sectoral meetings will stop after the project closes."),
    ],
    "KII-02": [
        ("Interviewer", "Thank you for seeing me, Ms. Lan."),
        ("Lan", "The grievance training came at the right time for our factory. "
                "Resignations dropped after supervisors changed how they talk to workers. "
                "The toolkit was too general for us."),
        ("Interviewer", "Did women benefit?"),
        ("Lan", "Eleven of eighteen promotions to line leader went to women in 2023."),
    ],
    "KII-03": [
        ("Interviewer", "Good afternoon, Ms. Thu."),
        ("Thu", "The ministry asked for the research on labour dispatch. "
                "Grievance handling training matched what factories in Hai Phong needed."),
    ],
    "FGD-01": [
        ("Moderator", "Welcome everyone. Ms. Kim, please start."),
        ("P1", "The grievance training was exactly what our factory needed."),
        ("P2", "For the union the need was bargaining skills. Ms. Kim is right about grievances."),
        ("P3", "The toolkit overlapped with our lean system. Funding for the meetings will end."),
    ],
}

CASES = [
    CaseRow(2, "KII-01", None, None, "KII-01", "Nguyen Thi Hoa",
            {"type": "KII", "stakeholder_group": "ILO staff", "organisation_type": "UN agency",
             "role": "National project coordinator", "sex": "F", "location": "Ha Noi", "interviewer": "Clara Jensen"}),
    CaseRow(3, "KII-02", None, None, "KII-02", "Vu Thi Lan",
            {"type": "KII", "stakeholder_group": "Factory", "organisation_type": "Factory (FDI)",
             "role": "HR manager", "sex": "F", "location": "Hai Phong", "interviewer": "Clara Jensen"}),
    CaseRow(4, "KII-03", None, None, "KII-03", "Tran Thi Thu",
            {"type": "KII", "stakeholder_group": "Government", "organisation_type": "Ministry",
             "role": "Deputy director", "sex": "F", "location": "Ha Noi", "interviewer": "Tran Bao Long"}),
    CaseRow(5, "FGD-01", None, "P1", "FGD-01-P1", "Luong Thi Kim",
            {"type": "FGD", "stakeholder_group": "Factory", "organisation_type": "Factory (FDI)",
             "role": "HR officer", "sex": "F", "location": "Bac Ninh", "interviewer": "Tran Bao Long"}),
    CaseRow(6, "FGD-01", None, "P2", "FGD-01-P2", "Dinh Thi Nga",
            {"type": "FGD", "stakeholder_group": "Workers' organisation", "organisation_type": "Enterprise trade union",
             "role": "Union official", "sex": "F", "location": "Bac Ninh", "interviewer": "Tran Bao Long"}),
    CaseRow(7, "FGD-01", None, "P3", "FGD-01-P3", "Trinh Van Khoa",
            {"type": "FGD", "stakeholder_group": "Factory", "organisation_type": "Factory (FDI)",
             "role": "Middle manager (production)", "sex": "M", "location": "Bac Ninh",
             "interviewer": "Tran Bao Long"}),
]

# (transcript, the unit's text starts with, code, coder)
CODINGS = [
    ("KII-01", "Factories needed grievance", "relevance.needs_fit", "ana"),
    ("KII-01", "Nguyen Thi Hoa is my", "relevance.needs_fit", "ana"),
    ("KII-01", "Without funding", "sustainability.funding", "ana"),
    ("KII-02", "The grievance training came", "relevance.needs_fit", "ana"),
    ("KII-02", "The grievance training came", "relevance.needs_fit", "ben"),  # double-coded passage
    ("KII-02", "Resignations dropped", "effectiveness.outcomes", "ben"),
    ("KII-02", "The toolkit was too general", "relevance.needs_fit", "ben"),
    ("KII-02", "Eleven of eighteen", "gender_equality.inclusion", "ana"),
    ("KII-03", "The ministry asked", "relevance.constituent_priorities", "ben"),
    ("KII-03", "Grievance handling training matched", "relevance.needs_fit", "ben"),
    ("FGD-01", "The grievance training was exactly", "relevance.needs_fit", "ana"),
    ("FGD-01", "For the union the need", "relevance.needs_fit", "ana"),
    ("FGD-01", "The toolkit overlapped", "coherence.external", "ana"),
    ("FGD-01", "Funding for the meetings", "sustainability.funding", "ben"),
]

NAMES = [c.name for c in CASES if c.name]


def parse_turns(turns: list[tuple[str, str]]) -> ParsedTranscript:
    """A transcript as an importer would return it: 'Label: text' turns, one unit per sentence."""
    return transcript_from_turns(turns, labels=True, closing_break=True)


def unit_ref(project: Project, transcript: str, starts_with: str) -> str:
    """The ref (``KII-02:5``) of the unit of ``transcript`` whose text starts with ``starts_with``."""
    for s in project.segments(transcript):
        if s["text"].startswith(starts_with):
            return s["ref"]
    raise AssertionError(f"no unit starting with {starts_with!r} in {transcript}")


def build_project(path: Path, *, codings: bool = True) -> Project:
    """The four transcripts with the bundled codebook and the case sheet; with ``codings``, also ``CODINGS``."""
    project = Project.create(path, codebook=load_codebook(default_codebook_path()), name="Small evaluation")
    for tid, turns in TRANSCRIPTS.items():
        project.add_transcript(parse_turns(turns), tid, attributes={"type": tid[:3]})
    apply_case_sheet(project, CASES, coder="ana")
    if codings:
        for tid, start, code, coder in CODINGS:
            project.add_coding(unit_ref(project, tid, start), code, coder=coder, created="2024-03-20T10:00:00Z")
    return project
