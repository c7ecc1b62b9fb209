"""Findings: linking evidence, triangulation and divergence, the event log, and the YAML round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import build_project, unit_ref

from qualcode.errors import ConflictError, InputError, NotFoundError, QualcodeError
from qualcode.synthesis.findings import (
    add_finding,
    cite_document,
    edit_finding,
    export_findings,
    import_findings,
    link_evidence,
    list_findings,
    show_finding,
    unlink_evidence,
)


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def _grievance_finding(project) -> str:  # type: ignore[no-untyped-def]
    f = add_finding(project, "relevance", "Grievance-handling training met a real need of factories.", coder="ana",
                    code="relevance.needs_fit")
    for tid, start in (("KII-01", "Factories needed"), ("KII-02", "The grievance training came"),
                       ("KII-03", "Grievance handling"), ("FGD-01", "The grievance training was")):
        link_evidence(project, f["id"], segment=unit_ref(project, tid, start), code="relevance.needs_fit",
                      coder="ana")
    return str(f["id"])


def test_a_finding_links_passages_and_is_rated_by_its_evidence(project) -> None:  # type: ignore[no-untyped-def]
    fid = _grievance_finding(project)
    shown = show_finding(project, fid)
    assert fid == "F1"
    # the double-coded KII-02 passage links both codings, so the reviewer sees both coders
    assert len(shown["evidence"]) == 5
    assert {e["coder"] for e in shown["evidence"]} == {"ana", "ben"}
    t = shown["triangulation"]
    assert t["groups"] == ["Factory", "Government", "ILO staff"]
    assert t["source_types"] == ["FGD", "KII"]
    assert t["strength"] == "strong"
    assert t["silent_groups"] == ["Workers' organisation"]
    listed = list_findings(project)
    # five codings, four passages: the double-coded passage is one piece of evidence
    assert listed[0]["supporting"] == 4 and listed[0]["strength"] == "strong"


def test_contradicting_evidence_is_surfaced_per_group_not_averaged(project) -> None:  # type: ignore[no-untyped-def]
    fid = _grievance_finding(project)
    link_evidence(project, fid, segment=unit_ref(project, "FGD-01", "For the union"), stance="contradicts",
                  coder="ana")
    t = show_finding(project, fid)["triangulation"]
    assert t["divergent_groups"] == ["Workers' organisation"]
    assert t["strength"] == "strong"  # contradiction does not dilute the support, it is reported beside it
    row = next(d for d in t["divergence"] if d["group"] == "Workers' organisation")
    assert row == {"group": "Workers' organisation", "supporting_informants": 0, "contradicting_informants": 1}
    # a group that contradicts has spoken: divergent, not silent
    assert "Workers' organisation" not in t["silent_groups"]


def test_every_change_is_in_the_event_log(project) -> None:  # type: ignore[no-untyped-def]
    fid = _grievance_finding(project)
    edit_finding(project, fid, statement="Grievance training met a need.", coder="ben")
    cite_document(project, fid, "Progress report 2023, p. 4", coder="ben")
    unlink_evidence(project, fid, segment=unit_ref(project, "KII-03", "Grievance handling"), coder="ben")
    actions = [e["action"] for e in project.events(entity="finding")]
    assert actions[0] == "finding.add" and actions.count("finding.link") == 5
    assert actions[-3:] == ["finding.update", "finding.update", "finding.unlink"]
    edit = [e for e in project.events(entity="finding") if e["action"] == "finding.update"][0]
    assert edit["coder"] == "ben" and edit["before"]["statement"].startswith("Grievance-handling")


def test_linking_mistakes_are_refused_with_hints(project) -> None:  # type: ignore[no-untyped-def]
    fid = _grievance_finding(project)
    with pytest.raises(NotFoundError, match="no finding 'F9'"):
        link_evidence(project, "F9", coding=1, coder="ana")
    with pytest.raises(NotFoundError, match="has no coding"):
        link_evidence(project, fid, segment=unit_ref(project, "KII-02", "Eleven"), code="relevance.needs_fit",
                      coder="ana")
    with pytest.raises(QualcodeError, match="interviewer"):
        project.add_coding(unit_ref(project, "KII-02", "Did women"), "gender_equality.inclusion", coder="ana")
        link_evidence(project, fid, segment=unit_ref(project, "KII-02", "Did women"), coder="ana")
    ref = unit_ref(project, "KII-01", "Factories needed")
    with pytest.raises(ConflictError, match="already linked"):
        link_evidence(project, fid, segment=ref, stance="contradicts", coder="ana")
    with pytest.raises(QualcodeError, match="belongs to criterion"):
        add_finding(project, "impact", "x", code="relevance.needs_fit", coder="ana")


def test_yaml_round_trip_recreates_findings_and_links(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fid = _grievance_finding(project)
    cite_document(project, fid, "Progress report 2023, p. 4", coder="ana")
    link_evidence(project, fid, segment=unit_ref(project, "KII-01", "Nguyen Thi Hoa is my"), coder="ana")
    text = export_findings(project, tmp_path / "findings.yaml")
    assert "Nguyen Thi Hoa" not in text and "[informant KII-01]" in text
    other = build_project(tmp_path / "q")
    result = import_findings(other, tmp_path / "findings.yaml", coder="ana")
    assert result == {"file": str(tmp_path / "findings.yaml"), "created": 1, "updated": 0, "links": 6}
    a, b = show_finding(project, fid), show_finding(other, fid)
    assert a["statement"] == b["statement"] and a["documents"] == b["documents"]
    pairs = [sorted((e["ref"], e["coder"]) for e in x["evidence"]) for x in (a, b)]
    assert pairs[0] == pairs[1]
    with pytest.raises(InputError, match="already exists"):
        import_findings(other, tmp_path / "findings.yaml", coder="ana")
    assert import_findings(other, tmp_path / "findings.yaml", coder="ana", replace=True)["updated"] == 1
    other.close()


def test_a_bad_yaml_file_names_the_line(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("findings:\n  - id: F1\n    criterion: relevance\n    statement: ok\n"
                   "  - id: F2\n    criterion: relevance\n    statement: Needs fit.\n    evidence:\n"
                   "      - {ref: 'KII-02:99', code: relevance.needs_fit}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_findings(project, bad, coder="ana")
    assert "bad.yaml:5" in str(err.value) and "KII-02:99" in str(err.value)
    assert list_findings(project) == []  # nothing written
