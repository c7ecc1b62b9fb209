"""Undo and redo of findings: each findings command is one undo step, taken back and re-applied from the event log
(so also after the project is closed and reopened)."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import build_project, unit_ref

from qualcode.actions.history import redo, undo
from qualcode.errors import ConflictError
from qualcode.store import Project
from qualcode.synthesis.findings import (
    add_finding,
    cite_document,
    edit_finding,
    evidence_links,
    export_findings,
    import_findings,
    link_evidence,
    list_findings,
    remove_finding,
    show_finding,
    unlink_evidence,
)


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def _finding(project: Project) -> str:
    f = add_finding(project, "relevance", "Grievance training met a real need.", coder="ana",
                    code="relevance.needs_fit")
    return str(f["id"])


def _link(project: Project, fid: str, transcript: str, start: str) -> list[dict]:  # type: ignore[type-arg]
    return link_evidence(project, fid, segment=unit_ref(project, transcript, start), code="relevance.needs_fit",
                         coder="ana")


def _linked(project: Project, fid: str) -> list[tuple[str, str, str]]:
    return sorted((e["ref"], e["coder"], e["stance"]) for e in evidence_links(project, fid))


def test_undoing_a_link_removes_it_and_redo_puts_it_back(project: Project) -> None:
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    before = _linked(project, fid)
    _link(project, fid, "KII-03", "Grievance handling")

    result = undo(project, coder="ana")

    assert result is not None and result["action"] == "finding.link" and result["entity_id"] == fid
    assert _linked(project, fid) == before
    redone = redo(project, coder="ana")
    assert redone is not None and redone["action"] == "finding.link"
    assert len(_linked(project, fid)) == len(before) + 1
    assert show_finding(project, fid)["evidence"][-1]["quote"].startswith("Grievance handling")


def test_linking_a_double_coded_passage_is_one_undo_step(project: Project) -> None:
    fid = _finding(project)
    links = _link(project, fid, "KII-02", "The grievance training came")
    assert {x["coder"] for x in links} == {"ana", "ben"}  # both coders' codings of the passage

    result = undo(project, coder="ana")

    assert result is not None and result["count"] == 2
    assert _linked(project, fid) == []
    assert undo(project, coder="ana")["action"] == "finding.add"  # type: ignore[index]
    assert list_findings(project) == []


def test_undoing_an_unlink_brings_the_link_back_as_it_was(project: Project) -> None:
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    link_evidence(project, fid, segment=unit_ref(project, "FGD-01", "For the union"), stance="contradicts",
                  coder="ana", note="the union disagrees")
    before = evidence_links(project, fid)
    unlink_evidence(project, fid, segment=unit_ref(project, "FGD-01", "For the union"), coder="ana")

    undo(project, coder="ana")

    after = evidence_links(project, fid)
    assert [(x["coding"], x["stance"], x["note"], x["quote"]) for x in after] == \
        [(x["coding"], x["stance"], x["note"], x["quote"]) for x in before]
    redo(project, coder="ana")
    assert [x["stance"] for x in evidence_links(project, fid)] == ["supports"]


def test_undoing_a_delete_restores_the_finding_with_its_links(project: Project) -> None:
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    _link(project, fid, "KII-02", "The grievance training came")
    cite_document(project, fid, "Progress report 2023, p. 4", coder="ana")
    shown = show_finding(project, fid)
    remove_finding(project, fid, coder="ben")

    result = undo(project, coder="ben")

    assert result is not None and result["action"] == "finding.remove"
    again = show_finding(project, fid)
    for key in ("statement", "criterion", "code", "documents", "position", "created", "created_by"):
        assert again[key] == shown[key]
    assert _linked(project, fid) == sorted((e["ref"], e["coder"], e["stance"]) for e in shown["evidence"])
    assert again["triangulation"] == shown["triangulation"]
    redo(project, coder="ben")
    assert list_findings(project) == [] and evidence_links(project) == []


def test_undoing_an_edit_restores_statement_and_documents(project: Project) -> None:
    fid = _finding(project)
    cite_document(project, fid, "Progress report 2023, p. 4", coder="ana")
    edit_finding(project, fid, coder="ana", statement="Grievance training met a need of most factories.")

    undo(project, coder="ana")
    assert show_finding(project, fid)["statement"] == "Grievance training met a real need."
    undo(project, coder="ana")
    assert show_finding(project, fid)["documents"] == []
    redo(project, coder="ana")
    redo(project, coder="ana")
    f = show_finding(project, fid)
    assert f["statement"].endswith("most factories.") and f["documents"] == ["Progress report 2023, p. 4"]


def test_undo_of_findings_works_after_reopening_the_project(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    project.close()

    with Project.open(tmp_path / "p") as reopened:
        assert undo(reopened, coder="ana")["action"] == "finding.link"  # type: ignore[index]
        assert _linked(reopened, fid) == []
    with Project.open(tmp_path / "p") as reopened:
        assert redo(reopened, coder="ana")["action"] == "finding.link"  # type: ignore[index]
        assert len(_linked(reopened, fid)) == 1


def test_each_coder_undoes_only_their_own_findings_changes(project: Project) -> None:
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    edit_finding(project, fid, coder="ben", statement="Ben's wording.")

    undo(project, coder="ana")

    assert _linked(project, fid) == []
    assert show_finding(project, fid)["statement"] == "Ben's wording."


def test_undoing_the_creation_of_a_finding_a_colleague_linked_to_is_refused(project: Project) -> None:
    fid = _finding(project)
    link_evidence(project, fid, segment=unit_ref(project, "KII-01", "Factories needed"), coder="ben")

    with pytest.raises(ConflictError, match="evidence linked since"):
        undo(project, coder="ana")

    assert len(_linked(project, fid)) == 1 and list_findings(project)[0]["id"] == fid


def test_a_findings_import_is_one_undo_step_including_replaced_documents(project: Project, tmp_path: Path) -> None:
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    path = tmp_path / "findings.yaml"
    export_findings(project, path)
    text = path.read_text(encoding="utf-8").replace("Grievance training met a real need.", "Reworded.")
    path.write_text(text.replace("evidence:", "documents: [Baseline survey]\n  evidence:", 1), encoding="utf-8")
    import_findings(project, path, coder="ana", replace=True)
    assert show_finding(project, fid)["documents"] == ["Baseline survey"]

    undo(project, coder="ana")

    f = show_finding(project, fid)
    assert f["statement"] == "Grievance training met a real need." and f["documents"] == []
    assert len(_linked(project, fid)) == 1


def test_the_example_starts_with_nothing_to_undo_but_your_own_actions(example_project: Project) -> None:
    findings = [f["id"] for f in list_findings(example_project)]
    assert findings  # the example's findings are filed under clara, but building them was not clara's action
    assert undo(example_project, coder="clara") is None
    assert undo(example_project, coder="long") is None
    assert [f["id"] for f in list_findings(example_project)] == findings
    # what the user does next is theirs to undo
    fid = _finding(example_project)
    undone = undo(example_project, coder="ana")
    assert undone is not None and undone["action"] == "finding.add" and undone["entity_id"] == fid
    coding = example_project.add_coding("KII-07:12", "effectiveness.outcomes", coder="clara")
    undone = undo(example_project, coder="clara")
    assert undone is not None and undone["entity_id"] == str(coding["id"])
    assert undo(example_project, coder="clara") is None


def test_undo_refuses_to_delete_a_finding_that_reuses_the_id(project: Project) -> None:
    fid = _finding(project)
    remove_finding(project, fid, coder="ben")
    again = add_finding(project, "impact", "Ben's own finding.", coder="ben")
    assert str(again["id"]) == fid  # the id came free and was taken again

    with pytest.raises(ConflictError, match="changed after"):
        undo(project, coder="ana")
    assert show_finding(project, fid)["statement"] == "Ben's own finding."


def test_undoing_an_unlink_does_not_replace_a_colleagues_new_link(project: Project) -> None:
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    coding = evidence_links(project, fid)[0]["coding"]
    unlink_evidence(project, fid, coder="ana", coding=coding)
    link_evidence(project, fid, coding=coding, coder="ben", stance="contradicts", note="ben's reading")

    with pytest.raises(ConflictError, match="changed since"):
        undo(project, coder="ana")
    [link] = evidence_links(project, fid)
    assert (link["stance"], link["note"], link["linked_by"]) == ("contradicts", "ben's reading", "ben")


def test_undoing_an_edit_waits_for_a_colleagues_later_edit_to_be_undone(project: Project) -> None:
    fid = _finding(project)
    edit_finding(project, fid, coder="ana", statement="Ana's wording.")
    edit_finding(project, fid, coder="ben", statement="Ben's wording.")

    with pytest.raises(ConflictError):
        undo(project, coder="ana")
    assert show_finding(project, fid)["statement"] == "Ben's wording."
    assert undo(project, coder="ben") is not None
    assert undo(project, coder="ana") is not None
    assert show_finding(project, fid)["statement"] == "Grievance training met a real need."


def test_findings_changes_logged_before_they_could_be_undone_are_not_undone(project: Project) -> None:
    with project.transaction():  # as the log held them before: no undo group
        project.db.execute("INSERT INTO findings (id, criterion_id, code_id, statement, documents, position, created,"
                           " created_by, updated) VALUES ('F9', 'relevance', NULL, 'Old.', '[]', 9, 'x', 'ana', 'x')")
        project.db.execute("INSERT INTO events (ts, coder, action, entity, entity_id, before, after, undo_of,"
                           " action_group) VALUES ('x', 'ana', 'finding.add', 'finding', 'F9', NULL, '{}', NULL, NULL)")
    undone = undo(project, coder="ana")  # ana's own coding from before, not the old finding
    assert undone is not None and undone["entity"] == "coding"
    assert show_finding(project, "F9")["statement"] == "Old."


def test_undoing_a_removal_returns_no_verbatim_quotes(project: Project) -> None:
    fid = _finding(project)
    _link(project, fid, "KII-01", "Factories needed")
    remove_finding(project, fid, coder="ana")

    undone = undo(project, coder="ana")

    assert undone is not None and undone["action"] == "finding.remove" and undone["entity_id"] == fid
    assert "state" not in undone and "previous" not in undone
    assert "Factories needed" not in str(undone)
