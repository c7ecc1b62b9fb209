"""Adjudication: settle each disagreement, keep both originals, leave the coders' own codings alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from teams_support import build_project, unit

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.store import Project
from qualcode.teams.adjudicate import adjudicate, adjudication_queue, adjudications, reopen
from qualcode.teams.agreement import agreement


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = build_project(tmp_path / "p")
    a1 = unit(p, "KII-01", "Turnover")
    a2 = unit(p, "KII-01", "The grievance")
    a3 = unit(p, "KII-01", "Our line")
    p.add_coding(a1, "relevance.needs", coder="clara", memo="the need behind it")
    p.add_coding(a2, "relevance.needs", coder="clara")
    p.add_coding(a2, "relevance.needs", coder="long")
    p.add_coding(a3, "relevance.needs", coder="long")
    p.add_coding(a3, "lessons", coder="long")
    yield p
    p.close()


def test_queue_lists_each_disagreement_with_the_originals(project: Project) -> None:
    q = adjudication_queue(project)
    assert q["coders"] == ["clara", "long"]
    assert (q["total"], q["settled"], q["open"]) == (3, 0, 3)
    first = q["items"][0]
    assert first["text"].startswith("Turnover") and first["code"] == "relevance.needs"
    assert first["applied_by"] == ["clara"] and first["not_applied_by"] == ["long"]
    assert first["originals"][0]["memo"] == "the need behind it"
    assert [i["code"] for i in adjudication_queue(project, code="lessons")["items"]] == ["lessons"]


def test_deciding_records_the_agreed_coding_and_keeps_both_originals(project: Project) -> None:
    a1 = unit(project, "KII-01", "Turnover")
    before = {(c["id"], c["coder"]) for c in project.codings()}
    result = adjudicate(project, a1, "relevance.needs", "apply", coder="minh", note="clearly a need")
    assert result["decision"] == "apply" and result["coder"] == "minh"
    # the coders' own codings are untouched; the agreed one is filed under the consensus coder
    after = {(c["id"], c["coder"]) for c in project.codings()}
    assert before < after
    agreed = project.codings(coder="consensus")
    assert [(c["segment"], c["code"], c["source"], c["memo"]) for c in agreed] == [
        (a1, "relevance.needs", "adjudication", "clearly a need")]
    # the log holds who decided and what each coder had
    ev = project.events(entity="adjudication")[-1]
    assert ev["coder"] == "minh" and ev["action"] == "adjudication.record"
    originals = {o["coder"]: o["applied"] for o in ev["before"]["originals"]}
    assert originals == {"clara": True, "long": False}
    q = adjudication_queue(project)
    assert (q["settled"], q["open"]) == (1, 2)
    assert all(i["segment"] != a1 or i["code"] != "relevance.needs" for i in q["items"])
    # agreement is still reported on the independent coding
    row = next(r for r in agreement(project)["items"] if r["id"] == "relevance.needs")
    assert row["disagree"] == 2


def test_omit_then_changing_the_decision_replaces_it_and_reopen_withdraws_it(project: Project) -> None:
    a3 = unit(project, "KII-01", "Our line")
    adjudicate(project, a3, "relevance.needs", "omit", coder="minh")
    assert project.codings(coder="consensus") == []
    adjudicate(project, a3, "relevance.needs", "apply", coder="clara")
    assert len(project.codings(coder="consensus")) == 1
    assert [a["decision"] for a in adjudications(project)] == ["apply"]
    assert [e["action"] for e in project.events(entity="adjudication")] == ["adjudication.record"] * 2
    reopen(project, a3, "relevance.needs", coder="clara")
    assert adjudications(project) == [] and project.codings(coder="consensus") == []
    assert adjudication_queue(project)["open"] == 3


def test_bad_decisions_are_refused(project: Project) -> None:
    a1 = unit(project, "KII-01", "Turnover")
    with pytest.raises(QualcodeError, match="'apply' or 'omit'"):
        adjudicate(project, a1, "relevance.needs", "maybe", coder="minh")
    with pytest.raises(QualcodeError, match="not a person"):
        adjudicate(project, a1, "relevance.needs", "apply", coder="consensus")
    with pytest.raises(NotFoundError):
        adjudicate(project, a1, "no.such.code", "apply", coder="minh")
    with pytest.raises(NotFoundError, match="no decision"):
        reopen(project, a1, "relevance.needs", coder="minh")


def test_a_queue_settled_in_place_matches_a_recomputed_one(project: Project) -> None:
    from qualcode.teams.adjudicate import settle_in_queue

    for include_settled in (False, True):
        queue = adjudication_queue(project, include_settled=include_settled)
        item = next(it for it in queue["items"] if it["decision"] is None)
        adjudicate(project, item["segment"], item["code"], "omit", coder="minh", note="not a need")
        at = settle_in_queue(queue, item["segment"], item["code"], "omit", coder="minh", note="not a need",
                             include_settled=include_settled)
        assert at is not None
        assert queue == adjudication_queue(project, include_settled=include_settled)
    reopen(project, item["segment"], item["code"], coder="minh")
    settle_in_queue(queue, item["segment"], item["code"], None, coder="minh", include_settled=True)
    assert queue == adjudication_queue(project, include_settled=True)
    assert settle_in_queue(queue, -1, "nope", "apply", coder="minh") is None
