"""The on-disk cache of fitted suggesters: a fresh process gets the same suggestions without refitting, a new
coding or a changed codebook is never answered from a stale state, and a damaged cache is only ever a miss."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import qualcode.nlp.project as nlp_project
from qualcode.actions.coding import accept_suggestion, mark_unit
from qualcode.model import Code
from qualcode.nlp import cache
from qualcode.nlp.project import get_suggester, suggest_for_project
from qualcode.nlp.suggester import Suggester
from qualcode.store import Project


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Forget the suggesters kept in memory, as a new ``qualcode`` process would start."""

    def forget() -> None:
        for kept in ("_cache", "_saved", "_units_seen", "_examples_seen", "_informants_seen", "_corpus_given"):
            monkeypatch.setattr(nlp_project, kept, {})

    forget()
    return forget


@pytest.fixture
def no_refit(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make a full fit fail, to prove a result came from the cache."""

    def install() -> None:
        def refuse(self: Suggester) -> None:
            raise AssertionError("the model was fitted from scratch")

        def refuse_learners(self: Suggester) -> None:
            raise AssertionError("the learners were fitted again")

        monkeypatch.setattr(Suggester, "_prepare", refuse)
        monkeypatch.setattr(Suggester, "_fit", refuse_learners)

    return install


def suggestions(project: Project) -> list[dict[str, Any]]:
    return suggest_for_project(project, transcript="KII-02", top=3)


def unfitted(project: Project) -> Suggester:
    """A suggester set up for the project as a new process sets it up, before fitting or restoring."""
    s = Suggester(project.codebook(), codebook_hash=project.codebook_hash() or None)
    nlp_project.set_inputs(s, project)
    return s


def cache_files(project: Project) -> list[Path]:
    """The saved states: one folder each."""
    return sorted(p for p in cache.models_dir(project.path).iterdir() if p.is_dir() and not p.name.startswith("."))


def test_a_new_process_restores_the_saved_model_and_suggests_exactly_the_same(
    example_project: Project, new_process: Any, no_refit: Any
) -> None:
    first = suggestions(example_project)
    assert [p.name.split("-")[0] for p in cache_files(example_project)] == ["corpus", "learned"]
    new_process()
    no_refit()
    again = suggestions(example_project)
    assert again == first  # codes, scores, explanations and model version
    queue = nlp_project.queue_for_project(example_project, limit=5)
    assert len(queue) == 5


def test_a_new_coding_is_never_answered_from_the_saved_model(example_project: Project, new_process: Any) -> None:
    first = suggestions(example_project)
    row = first[0]
    new_process()
    accept_suggestion(example_project, row["segment"], row["suggestions"][0]["code"], coder="ana")
    new_process()
    sugg = get_suggester(example_project)
    assert sugg.model_version != row["model_version"]
    after = suggestions(example_project)
    assert row["segment"] not in {r["segment"] for r in after}
    # The same as fitting with no cache at all.
    shutil.rmtree(cache.models_dir(example_project.path))
    new_process()
    assert suggestions(example_project) == after


def test_a_unit_marked_not_codable_is_never_answered_from_the_saved_model(
    example_project: Project, new_process: Any
) -> None:
    first = suggestions(example_project)
    row = first[0]
    new_process()
    mark_unit(example_project, row["segment"], "not_codable", coder="ana")
    new_process()
    assert get_suggester(example_project).model_version != row["model_version"]
    after = suggestions(example_project)
    # The same as fitting with no cache at all: the mark is learned from, not ignored by a saved state.
    shutil.rmtree(cache.models_dir(example_project.path))
    new_process()
    assert suggestions(example_project) == after


def test_after_a_new_coding_only_the_learners_are_refitted(example_project: Project, new_process: Any) -> None:
    first = suggestions(example_project)
    accept_suggestion(example_project, first[0]["segment"], first[0]["suggestions"][0]["code"], coder="ana")
    new_process()
    fresh = unfitted(example_project)
    assert cache.restore(example_project.path, fresh) == "corpus"
    coded = [e for e in nlp_project.training_examples(example_project) if e.codes or e.rejected]
    assert fresh.n_examples == len(coded)


def test_a_codebook_change_is_never_answered_from_the_saved_model(example_project: Project, new_process: Any) -> None:
    suggestions(example_project)
    cb = example_project.codebook()
    cb.roots[0].children.append(Code(id="relevance.canteen", name="Canteen and meals",
                                     definition="Comments about the factory canteen, meals and lunch.",
                                     keywords=["canteen", "lunch", "meal"]))
    cb.reindex()
    example_project.set_codebook(cb, coder="tester")
    new_process()
    assert "relevance.canteen" in get_suggester(example_project).code_ids


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(
    example_project: Project, new_process: Any, damage: str
) -> None:
    first = suggestions(example_project)
    files = cache_files(example_project)
    assert [p.name.split("-")[0] for p in files] == ["corpus", "learned"]
    for folder in files:
        for path in folder.iterdir():
            data = path.read_bytes()
            path.write_bytes({"garbage": b"not a model" * 100, "truncated": data[: len(data) // 2],
                              "empty": b""}[damage])
    new_process()
    assert suggestions(example_project) == first
    # Rebuilt: the next process restores it completely.
    new_process()
    assert cache.restore(example_project.path, unfitted(example_project)) == "hit"


def test_a_file_saved_for_another_state_is_not_used(example_project: Project, new_process: Any) -> None:
    first = suggestions(example_project)
    learned = [p for p in cache_files(example_project) if p.name.startswith("learned-")]
    assert len(learned) == 1
    saved = {f.name: f.read_bytes() for f in learned[0].iterdir()}
    accept_suggestion(example_project, first[0]["segment"], first[0]["suggestions"][0]["code"], coder="ana")
    new_process()
    after = suggestions(example_project)
    assert after != first  # the accepted coding changed what is suggested, or the test proves nothing
    # Put the old learned state under every learned name: its key inside no longer matches.
    relearned = [p for p in cache_files(example_project) if p.name.startswith("learned-")]
    assert relearned
    for path in relearned:
        shutil.rmtree(path)
        path.mkdir()
        for name, data in saved.items():
            (path / name).write_bytes(data)
    new_process()
    assert suggestions(example_project) == after


def test_suggestions_work_when_the_cache_cannot_be_written(example_project: Project, new_process: Any) -> None:
    (example_project.path / ".qualcode").write_text("not a folder", encoding="utf-8")
    first = suggestions(example_project)
    assert first and first[0]["suggestions"]
    new_process()
    assert suggestions(example_project) == first


def test_a_saved_model_with_a_coded_interviewer_turn_restores_exactly(
    example_project: Project, new_process: Any, no_refit: Any
) -> None:
    """An interviewer's turn is not in the corpus the model is fitted on: coded, its rows are saved beside the model
    and a new process takes them from there instead of refitting."""
    turn = next(s for s in example_project.segments("KII-01") if s["role"] == "interviewer" and len(s["text"]) > 40)
    example_project.add_coding(turn["ref"], "relevance.needs_fit", coder="ana")
    first = suggestions(example_project)
    new_process()
    no_refit()
    assert suggestions(example_project) == first
