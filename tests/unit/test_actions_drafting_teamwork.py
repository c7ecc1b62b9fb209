"""The findings and team actions the front ends call: each one transaction, each undone (or refused) as a whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from teams_support import build_project, unit
from workbench_support import build_small_project

from qualcode.actions.coding import apply_code
from qualcode.actions.drafting import add_finding, cite_document, link_evidence, unlink_evidence
from qualcode.actions.history import undo
from qualcode.actions.teamwork import add_to_sample, remove_from_sample, reopen, settle
from qualcode.errors import NotFoundError
from qualcode.store import Project


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Project]:
    p = build_small_project(tmp_path / "small")
    yield p
    p.close()


def test_linking_a_passage_two_coders_coded_is_one_action(small: Project) -> None:
    apply_code(small, ["KII-01:7"], "sustainability.funding", coder="clara")
    apply_code(small, ["KII-01:7"], "sustainability.funding", coder="long")
    add_finding(small, "sustainability", "Funding ends with the project.", coder="ana", finding_id="F1")
    links = link_evidence(small, "F1", coder="ana", segment="KII-01:7", contradicts=True, note="but see FGD")
    assert sorted((x["coder"], x["stance"], x["note"]) for x in links) == [
        ("clara", "contradicts", "but see FGD"), ("long", "contradicts", "but see FGD")]
    assert link_evidence(small, "F1", coder="ana", segment="KII-01:7", contradicts=True) == []  # already there
    undone = undo(small, coder="ana")
    assert undone is not None and undone["action"] == "finding.link" and undone["count"] == 2
    with pytest.raises(NotFoundError, match="no such evidence link"):  # both links went with the one undo
        unlink_evidence(small, "F1", coder="ana", segment="KII-01:7")


def test_citing_a_document_and_withdrawing_it(small: Project) -> None:
    add_finding(small, "sustainability", "Funding ends.", coder="ana", finding_id="F1")
    assert cite_document(small, "F1", "Final progress report, p. 12", coder="ana")["documents"] == [
        "Final progress report, p. 12"]
    assert cite_document(small, "F1", "Final progress report, p. 12", coder="ana", remove=True)["documents"] == []
    with pytest.raises(NotFoundError):
        cite_document(small, "F9", "A report", coder="ana")


def test_the_sample_changes_all_or_nothing(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p", sample=False)
    try:
        with pytest.raises(NotFoundError):
            add_to_sample(project, ["KII-01", "KII-99"], coder="ana")
        assert [r["transcript"] for r in add_to_sample(project, ["KII-01", "FGD-01"], coder="ana")] == [
            "KII-01", "FGD-01"]
        assert [r["transcript"] for r in remove_from_sample(project, ["FGD-01"], coder="ana")] == ["FGD-01"]
    finally:
        project.close()


def test_settling_and_reopening_a_disagreement(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    try:
        seg = unit(project, "KII-01", "The grievance")
        project.add_coding(seg, "relevance.needs", coder="clara")
        decided = settle(project, seg, "relevance.needs", "apply", coder="minh", note="agreed in the call")
        assert (decided["decision"], decided["coder"]) == ("apply", "minh")
        assert [c["coder"] for c in project.codings(segment=project.resolve_segment(seg))] == ["clara", "consensus"]
        reopen(project, seg, "relevance.needs", coder="minh")
        assert [c["coder"] for c in project.codings(segment=project.resolve_segment(seg))] == ["clara"]
    finally:
        project.close()
