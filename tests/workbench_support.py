"""Small projects built in code for the workbench tests (``tests/tui/`` and ``tests/unit/test_workbench.py``): a KII,
an FGD and an interviewer who asks questions."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.pilot import Pilot
from transcript_support import transcript_from_turns

from qualcode.cases import CaseRow
from qualcode.codebook import default_codebook_path, load_codebook
from qualcode.model import CodedUnit, ParsedTranscript
from qualcode.project_io import apply_case_sheet
from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.screens import TranscriptScreen


def parsed(turns: list[tuple[str, list[str]]], *, seconds: float = 30.0) -> ParsedTranscript:
    """A transcript from (speaker, [unit texts]) turns, each turn after a "Speaker: " label and numbered from 1; each
    turn starts ``seconds`` after the previous one."""
    return transcript_from_turns(turns, labels=True, first_turn=1, seconds=seconds, format="txt", source_name="built")


KII = [
    ("Interviewer", ["Thank you for joining.", "How relevant was the training for your factory?"]),
    ("Informant", ["The grievance handling course fitted our needs very well.",
                   "Our line leaders now solve complaints before they become strikes.",
                   "But the improvement toolkit was too long for a small HR team."]),
    ("Interviewer", ["Will this continue after the project closes?"]),
    ("Informant", ["Without funding the chamber cannot keep the sectoral meetings going.",
                   "We have trained two in-house trainers, so some capacity stays.",
                   "Women workers gained most from the harassment prevention sessions."]),
]

FGD = [
    ("Facilitator", ["Please introduce yourselves and your role in the training."]),
    ("Hoa", ["I am an HR officer in Bac Ninh and attended the grievance course."]),
    ("Minh", ["I lead the union at the factory.", "Collective bargaining became easier after the seminars."]),
    ("Facilitator", ["Were the data on women workers collected?"]),
    ("Hoa", ["No, we never had sex-disaggregated data from the project."]),
]


def build_small_project(dest: Path, *, coder: str = "clara") -> Project:
    """Two transcripts (KII-01 with one informant, FGD-01 with two) and their case sheet; no codings."""
    project = Project.create(dest, codebook=load_codebook(default_codebook_path()), name="Small evaluation")
    project.add_transcript(parsed(KII), "KII-01", title="Factory HR manager", coder=coder)
    project.add_transcript(parsed(FGD), "FGD-01", title="HR officers and union", coder=coder)
    rows = [
        CaseRow(line=2, transcript_id="KII-01", file=None, speaker=None, case_id="KII-01", name="Nguyen Van A",
                attributes={"type": "KII", "stakeholder_group": "Factories", "location": "Hai Phong",
                            "interviewer": "Clara Jensen"}),
        CaseRow(line=3, transcript_id="FGD-01", file=None, speaker="Hoa", case_id="FGD-01-P1", name="Hoa",
                attributes={"type": "FGD", "stakeholder_group": "Factories", "location": "Bac Ninh"}),
        CaseRow(line=4, transcript_id="FGD-01", file=None, speaker="Minh", case_id="FGD-01-P2", name="Minh",
                attributes={"type": "FGD", "stakeholder_group": "Workers' organisation", "location": "Bac Ninh"}),
    ]
    apply_case_sheet(project, rows, coder=coder)
    project.set_setting("coder", coder, coder=coder)
    return project


async def eventually(pilot: Pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app work until ``condition()`` holds (or ``timeout`` seconds pass: the caller's assert then says what
    is wrong): how long a loaded machine takes is not what a test checks, what the screen ends up showing is."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)


def screen_lines(app: QualcodeApp) -> list[str]:
    """The terminal's lines as the evaluator sees them."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def transcript_screen(app: QualcodeApp) -> TranscriptScreen:
    """The screen in front, which must be the transcript view."""
    screen = app.screen
    assert isinstance(screen, TranscriptScreen)
    return screen


def current(screen: TranscriptScreen) -> CodedUnit:
    """The unit under the cursor (there must be one)."""
    unit = screen.view.current
    assert unit is not None
    return unit


def model_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbench's suggestion loop runs in a thread of the test's process, where the stand-ins a test puts in
    place of the model's functions are seen (in its own process, the real model would run)."""
    from qualcode.tui import app

    monkeypatch.setattr(app, "MODEL_IN_ITS_OWN_PROCESS", False)


def use_fixed_suggestions(monkeypatch: pytest.MonkeyPatch, suggestions: list[dict[str, Any]]) -> None:
    """Every codable unit gets these suggestions, from a model with no refit pending (a fake model without ``stale``
    would end the suggestion thread in "suggestions failed")."""
    from qualcode.actions import views

    def suggest(engine: Any, units: list[dict[str, Any]], **kwargs: Any) -> dict[int, list[dict[str, Any]]]:
        return {int(u["id"]): [dict(s) for s in suggestions] for u in units if views.is_codable(u)}

    model_in_a_thread(monkeypatch)

    monkeypatch.setattr(views, "fit_suggester", lambda project: SimpleNamespace(stale=False))
    monkeypatch.setattr(views, "suggest_units", suggest)
    monkeypatch.setattr(views, "refresh_suggester", lambda project, should_stop=None: True)
