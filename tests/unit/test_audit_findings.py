"""The audit catches each problem a reviewer worries about, per finding, and fails only on errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import TRANSCRIPTS, build_project, parse_turns, unit_ref

from qualcode.reanchor import store_transcript
from qualcode.synthesis.audit import audit, is_machine_coder
from qualcode.synthesis.findings import add_finding, link_evidence
from qualcode.synthesis.triangulation import set_rule


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def checks(report: dict, fid: str, severity: str | None = None) -> list[str]:  # type: ignore[type-arg]
    f = next(x for x in report["findings"] if x["id"] == fid)
    return [p["check"] for p in f["problems"] if severity is None or p["severity"] == severity]


def _sound_finding(project) -> str:  # type: ignore[no-untyped-def]
    f = add_finding(project, "relevance", "Grievance training met a need.", coder="ana")
    for tid, start in (("KII-01", "Factories needed"), ("KII-02", "The grievance training came"),
                       ("KII-03", "Grievance handling"), ("FGD-01", "The grievance training was")):
        link_evidence(project, f["id"], segment=unit_ref(project, tid, start), coder="ana")
    return str(f["id"])


def test_a_well_supported_finding_passes(project) -> None:  # type: ignore[no-untyped-def]
    fid = _sound_finding(project)
    report = audit(project)
    assert report["ok"] and report["errors"] == 0 and report["warnings"] == 0
    assert checks(report, fid) == []


def test_a_finding_without_evidence_is_an_error(project) -> None:  # type: ignore[no-untyped-def]
    fid = add_finding(project, "impact", "Social dialogue improved.", coder="ana")["id"]
    report = audit(project)
    assert not report["ok"] and checks(report, fid, "error") == ["no_evidence"]


def test_evidence_whose_coding_was_removed_no_longer_resolves(project) -> None:  # type: ignore[no-untyped-def]
    fid = _sound_finding(project)
    link = project.db.execute("SELECT coding_id FROM finding_evidence WHERE segment_ref = ?",
                              (unit_ref(project, "KII-03", "Grievance handling"),)).fetchone()[0]
    project.remove_coding(link, coder="ben")
    report = audit(project)
    assert not report["ok"] and "unresolved" in checks(report, fid, "error")


def test_a_quote_that_no_longer_matches_its_transcript_is_an_error(project) -> None:  # type: ignore[no-untyped-def]
    fid = _sound_finding(project)
    with project.transaction():  # a hand-edited link: the quote was "improved"
        project.db.execute("UPDATE finding_evidence SET quote = 'Grievance training was the best thing ever.'"
                           " WHERE segment_ref = ?", (unit_ref(project, "KII-03", "Grievance handling"),))
    report = audit(project)
    assert checks(report, fid, "error") == ["quote_changed"]


def test_a_corrected_transcript_that_changes_a_linked_quote_is_an_error(project) -> None:  # type: ignore[no-untyped-def]
    _sound_finding(project)
    turns = [(s, t.replace("matched what factories", "fitted what factories")) for s, t in TRANSCRIPTS["KII-03"]]
    store_transcript(project, parse_turns(turns), "KII-03")  # the coding follows the edited sentence
    report = audit(project)
    problem = next(p for p in report["findings"][0]["problems"] if p["check"] == "quote_changed")
    assert problem["severity"] == "error"
    assert "matched" in problem["linked_quote"] and "fitted" in problem["transcript_text"]


def test_evidence_left_on_a_superseded_transcript_version_is_an_error(project) -> None:  # type: ignore[no-untyped-def]
    fid = _sound_finding(project)
    turns = [(s, t.replace(" Grievance handling training matched what factories in Hai Phong needed.", ""))
             for s, t in TRANSCRIPTS["KII-03"]]
    store_transcript(project, parse_turns(turns), "KII-03")  # the sentence is gone: its coding cannot move
    report = audit(project)
    assert "old_version" in checks(report, fid, "error")
    assert "needs_review" in checks(report, fid, "warning")


def test_weak_triangulation_is_a_warning_or_an_error_as_the_rule_says(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fid = add_finding(project, "sustainability", "Meetings will stop without funding.", coder="ana")["id"]
    link_evidence(project, fid, segment=unit_ref(project, "FGD-01", "Funding for the meetings"), coder="ana")
    report = audit(project)
    assert report["ok"]
    assert {"triangulation", "one_group", "one_coder"} <= set(checks(report, fid, "warning"))
    rule = tmp_path / "strict.yaml"
    rule.write_text("levels:\n  - name: strong\n    any: [{groups: 2}]\n  - name: single-source\n"
                    "    any: [{informants: 1}]\nrequired: strong\nseverity: error\n", encoding="utf-8")
    set_rule(project, rule, coder="ana")
    report = audit(project)
    assert not report["ok"] and checks(report, fid, "error") == ["triangulation"]


def test_evidence_from_one_group_or_one_coder_is_flagged(project) -> None:  # type: ignore[no-untyped-def]
    fid = add_finding(project, "relevance", "Factories found the toolkit too general.", coder="ana")["id"]
    link_evidence(project, fid, segment=unit_ref(project, "KII-02", "The toolkit was too general"), coder="ana")
    link_evidence(project, fid, segment=unit_ref(project, "KII-02", "The grievance training came"),
                  coded_by="ben", coder="ana")
    report = audit(project)
    assert "one_group" in checks(report, fid, "warning")
    assert "one_coder" in checks(report, fid, "warning")  # both passages coded by ben


def test_a_machine_suggestion_without_a_human_coder_is_an_error(project) -> None:  # type: ignore[no-untyped-def]
    fid = _sound_finding(project)
    ref = unit_ref(project, "KII-01", "Without funding")
    machine = project.add_coding(ref, "relevance.needs_fit", coder="suggester", source="suggestion", score=0.81,
                                 model_version="tfidf-2024.1")
    link_evidence(project, fid, coding=machine["id"], coder="ana")
    report = audit(project)
    assert not report["ok"] and checks(report, fid, "error") == ["machine_coding"]


def test_a_suggestion_accepted_by_a_human_coder_is_fine(project) -> None:  # type: ignore[no-untyped-def]
    fid = _sound_finding(project)
    ref = unit_ref(project, "KII-01", "Without funding")
    accepted = project.add_coding(ref, "relevance.needs_fit", coder="ben", source="suggestion", score=0.81,
                                  model_version="tfidf-2024.1")
    link_evidence(project, fid, coding=accepted["id"], coder="ana")
    assert audit(project)["errors"] == 0


@pytest.mark.parametrize(("name", "machine"), [("", True), ("suggester", True), ("qualcode-suggest", True),
                                                ("model:tfidf", True), ("auto", True), ("ana", False),
                                                ("Clara Jensen", False), ("aiko", False)])
def test_machine_coder_names(name: str, machine: bool) -> None:
    assert is_machine_coder(name) is machine
