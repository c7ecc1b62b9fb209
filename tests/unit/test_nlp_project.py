"""Suggestions inside a project: they follow codebook changes and new codings without a restart."""

from __future__ import annotations

from qualcode.actions.coding import accept_suggestion, reject_suggestion
from qualcode.model import Code
from qualcode.nlp.project import get_suggester, suggest_for_project


def test_codebook_change_is_picked_up_by_the_running_suggester(example_project) -> None:  # type: ignore[no-untyped-def]
    first = get_suggester(example_project)
    old_version = first.model_version
    cb = example_project.codebook()
    cb.roots[0].children.append(Code(id="relevance.canteen", name="Canteen and meals",
                                     definition="Comments about the factory canteen, meals and lunch.",
                                     keywords=["canteen", "lunch", "meal"]))
    cb.reindex()
    example_project.set_codebook(cb, coder="tester")
    again = get_suggester(example_project)
    assert again is first  # same object, no restart
    assert "relevance.canteen" in again.code_ids
    assert again.model_version.split("+")[0] != old_version.split("+")[0]
    [row] = suggest_for_project(example_project, segment="KII-01:3", top=len(again.code_ids))
    assert "relevance.canteen" in {s["code"] for s in row["suggestions"]}


def test_accept_and_reject_change_the_training_data(example_project) -> None:  # type: ignore[no-untyped-def]
    rows = suggest_for_project(example_project, transcript="KII-01", top=2)
    row = rows[0]
    v0 = row["model_version"]
    accept_suggestion(example_project, row["segment"], row["suggestions"][0]["code"], coder="ana")
    [coding] = [c for c in example_project.codings(segment=row["segment"])]
    assert coding["source"] == "suggestion" and coding["model_version"] == v0 and coding["score"] is not None
    reject_suggestion(example_project, row["segment"], row["suggestions"][1]["code"], coder="ana")
    sugg = get_suggester(example_project)
    assert sugg.model_version != v0
    ex = {e.id: e for e in sugg._examples}[str(row["segment"])]
    assert ex.codes == {row["suggestions"][0]["code"]}
    assert ex.rejected == {row["suggestions"][1]["code"]}
    # a coded unit is no longer offered
    assert row["segment"] not in {r["segment"] for r in suggest_for_project(example_project, transcript="KII-01")}


def test_each_informant_unit_carries_the_question_it_answers(example_project) -> None:  # type: ignore[no-untyped-def]
    from qualcode.nlp.project import units_with_questions

    asked = {u["ref"]: q for u, q in units_with_questions(example_project)}
    assert asked["KII-02:12"] == "How would you describe the relevance of the cluster to national priorities?"
    assert asked["KII-02:8"] == "What has your role been across the four projects?"
    assert "KII-02:1" not in asked  # the interviewer's own turns are not units to code
