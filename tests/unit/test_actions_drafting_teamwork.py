"""The findings and team actions the front ends call: each one transaction, each undone (or refused) as a whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from teams_support import build_project, unit

from qualcode.actions.coding import apply_code
from qualcode.actions.drafting import add_finding, cite_document, link_evidence, unlink_evidence
from qualcode.actions.history import undo
from qualcode.actions.teamwork import add_to_sample, remove_from_sample, reopen, settle
from qualcode.errors import NotFoundError
from qualcode.store import Project


def test_linking_a_passage_two_coders_coded_is_one_action(small_project: Project) -> None:
    apply_code(small_project, ["KII-01:7"], "sustainability.funding", coder="clara")
    apply_code(small_project, ["KII-01:7"], "sustainability.funding", coder="long")
    add_finding(small_project, "sustainability", "Funding ends with the project.", coder="ana", finding_id="F1")
    links = link_evidence(small_project, "F1", coder="ana", segment="KII-01:7", contradicts=True, note="but see FGD")
    assert sorted((x["coder"], x["stance"], x["note"]) for x in links) == [
        ("clara", "contradicts", "but see FGD"), ("long", "contradicts", "but see FGD")]
    assert link_evidence(small_project, "F1", coder="ana", segment="KII-01:7", contradicts=True) == []  # already there
    undone = undo(small_project, coder="ana")
    assert undone is not None and undone["action"] == "finding.link" and undone["count"] == 2
    with pytest.raises(NotFoundError, match="no such evidence link"):  # both links went with the one undo
        unlink_evidence(small_project, "F1", coder="ana", segment="KII-01:7")


def test_citing_a_document_and_withdrawing_it(small_project: Project) -> None:
    add_finding(small_project, "sustainability", "Funding ends.", coder="ana", finding_id="F1")
    assert cite_document(small_project, "F1", "Final progress report, p. 12", coder="ana")["documents"] == [
        "Final progress report, p. 12"]
    withdrawn = cite_document(small_project, "F1", "Final progress report, p. 12", coder="ana", remove=True)
    assert withdrawn["documents"] == []
    with pytest.raises(NotFoundError):
        cite_document(small_project, "F9", "A report", coder="ana")


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


def test_key_quotes_are_chosen_among_the_evidence_and_undone_as_one_action(small_project: Project) -> None:
    from qualcode.actions.drafting import choose_key_quotes

    apply_code(small_project, ["KII-01:7"], "sustainability.funding", coder="clara")
    apply_code(small_project, ["KII-01:8"], "sustainability.funding", coder="clara")
    add_finding(small_project, "sustainability", "Funding ends.", coder="ana", finding_id="F1")
    link_evidence(small_project, "F1", coder="ana", segment="KII-01:7")
    link_evidence(small_project, "F1", coder="ana", segment="KII-01:8")
    chosen = choose_key_quotes(small_project, "F1", ["KII-01:8, 00:03:30", "KII-01:7-8"], coder="ana")
    assert chosen["key_quotes"] == ["KII-01:8", "KII-01:7"]  # in the order given, read as exports print them
    with pytest.raises(NotFoundError, match="not evidence of F1"):
        choose_key_quotes(small_project, "F1", ["KII-01:3"], coder="ana")
    undone = undo(small_project, coder="ana")
    assert undone is not None and undone["action"] == "finding.update"
    assert choose_key_quotes(small_project, "F1", [], coder="ana")["key_quotes"] == []  # back to the automatic choice


def test_a_refi_project_comes_in_as_a_new_project(small_project: Project, tmp_path: Path) -> None:
    from qualcode.actions.projects import import_refi
    from qualcode.refi import export_refi

    apply_code(small_project, ["KII-01:7"], "sustainability.funding", coder="clara")
    export_refi(small_project, tmp_path / "small_project.qdpx")
    seen: list[tuple[str, int, int]] = []
    report = import_refi(tmp_path / "copy", tmp_path / "small_project.qdpx", coder="ana",
                         progress=lambda label, done, total: seen.append((label, done, total)))
    assert report["created"]
    assert {label for label, _done, _total in seen} == {"reading sources", "importing sources"}
    with Project.open(tmp_path / "copy") as copy:
        assert [(c["ref"], c["code"], c["coder"]) for c in copy.codings()] == [
            ("KII-01:7", "sustainability.funding", "clara")]
    again = import_refi(tmp_path / "copy", tmp_path / "small_project.qdpx", coder="ana")
    assert again.get("nothing_new") and not again["created"]


def test_what_the_drafting_actions_return_has_the_shape_they_name(small_project: Project) -> None:
    from shape_support import assert_shape

    from qualcode.actions.drafting import choose_key_quotes, edit_finding, remove_finding
    from qualcode.model import EvidenceLink, Finding, RemovedFinding

    apply_code(small_project, ["KII-01:7"], "sustainability.funding", coder="clara")
    assert_shape(add_finding(small_project, "sustainability", "Funding ends.", coder="ana", finding_id="F1"), Finding)
    for link in link_evidence(small_project, "F1", coder="ana", segment="KII-01:7"):
        assert_shape(link, EvidenceLink)
    assert_shape(edit_finding(small_project, "F1", coder="ana", statement="Funding ends in 2025."), Finding)
    assert_shape(cite_document(small_project, "F1", "Final report", coder="ana"), Finding)
    assert_shape(choose_key_quotes(small_project, "F1", ["KII-01:7"], coder="ana"), Finding)
    assert_shape(remove_finding(small_project, "F1", coder="ana"), RemovedFinding)


def test_what_the_team_actions_return_has_the_shape_they_name(tmp_path: Path) -> None:
    from shape_support import assert_shape

    from qualcode.model import Adjudication, OriginalCoding, SampleEntry, Settlement

    project = build_project(tmp_path / "p", sample=False)
    try:
        for entry in add_to_sample(project, ["KII-01"], coder="ana", coders=["clara", "minh"]):
            assert_shape(entry, SampleEntry)
        seg = unit(project, "KII-01", "The grievance")
        project.add_coding(seg, "relevance.needs", coder="clara")
        for decision in ("apply", "omit"):
            settled = settle(project, seg, "relevance.needs", decision, coder="minh")
            assert_shape(settled, Settlement)
            for original in settled["originals"]:
                assert_shape(original, OriginalCoding)
        assert_shape(reopen(project, seg, "relevance.needs", coder="minh"), Adjudication)
        for entry in remove_from_sample(project, ["KII-01"], coder="ana"):
            assert_shape(entry, SampleEntry)
    finally:
        project.close()
