"""What ``qualcode findings show`` displays comes from the core (findings.present_finding): quotes pseudonymised
and attributed like in reports, names only on request, and the stored evidence left verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import build_project, unit_ref

from qualcode.store import Project
from qualcode.synthesis.findings import add_finding, link_evidence, present_finding, show_finding


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def _finding_quoting_hoa(project: Project) -> str:
    fid = str(add_finding(project, "relevance", "Factories needed grievance training.", coder="ana")["id"])
    link_evidence(project, fid, segment=unit_ref(project, "KII-01", "Nguyen Thi Hoa is my"),
                  code="relevance.needs_fit", coder="ana")
    return fid


def test_a_shown_finding_hides_the_informants_name_and_attributes_the_quote(project: Project) -> None:
    fid = _finding_quoting_hoa(project)

    link = present_finding(project, fid)["evidence"][0]

    assert "Nguyen Thi Hoa" not in link["quote"] and "[informant KII-01]" in link["quote"]
    assert link["attribution"] and "Nguyen" not in link["attribution"]
    assert "Nguyen Thi Hoa" in show_finding(project, fid)["evidence"][0]["quote"]  # stored verbatim


def test_names_appear_only_when_asked_for(project: Project) -> None:
    fid = _finding_quoting_hoa(project)

    link = present_finding(project, fid, show_names=True)["evidence"][0]

    assert link["quote"].startswith("Nguyen Thi Hoa is my full name")
    assert "Nguyen Thi Hoa" in link["attribution"]


def test_a_name_in_the_statement_is_hidden_as_in_the_report(project: Project) -> None:
    fid = str(add_finding(project, "relevance", "Nguyen Thi Hoa's factory needed grievance training.",
                          coder="ana")["id"])

    assert "Nguyen Thi Hoa" not in present_finding(project, fid)["statement"]
    assert present_finding(project, fid, show_names=True)["statement"].startswith("Nguyen Thi Hoa's factory")
    assert show_finding(project, fid)["statement"].startswith("Nguyen Thi Hoa's")  # stored as written


def test_the_findings_list_hides_names_in_statements_unless_asked(project: Project) -> None:
    from qualcode.synthesis.findings import present_findings

    add_finding(project, "relevance", "Nguyen Thi Hoa's factory needed grievance training.", coder="ana")

    [listed] = present_findings(project)
    assert "Nguyen Thi Hoa" not in listed["statement"] and listed["supporting"] == 0
    [named] = present_findings(project, show_names=True)
    assert named["statement"].startswith("Nguyen Thi Hoa's factory")
