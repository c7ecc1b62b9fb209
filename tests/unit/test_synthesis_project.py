"""The small project of ``synthesis_support`` (shared by the synthesis, findings, audit, privacy and export tests) is
what those tests assume: speakers mapped to cases, interviewers kept apart, every coding placed."""

from __future__ import annotations

from pathlib import Path

from synthesis_support import CODINGS, build_project, unit_ref


def test_the_small_project_maps_speakers_to_cases_and_keeps_interviewers_apart(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    roles = {(s["transcript_id"], s["label"]): (s["role"], s["case_id"]) for s in project.speakers()}
    assert roles[("KII-01", "Interviewer")] == ("interviewer", None)
    assert roles[("KII-01", "Hoa")] == ("informant", "KII-01")
    assert roles[("FGD-01", "P2")] == ("informant", "FGD-01-P2")
    assert roles[("FGD-01", "Moderator")][0] == "interviewer"
    assert len(project.codings()) == len(CODINGS)
    unit = project.segment(unit_ref(project, "KII-02", "Resignations"))
    assert project.transcript_text("KII-02")[unit["start"]:unit["end"]] == unit["text"]
    project.close()
