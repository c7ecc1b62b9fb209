"""A coding in the workbench updates the fitted model in place: the next unit's suggestions change without the
vocabulary, the unit graph, the units' rows or the spreading over every unit being computed again; the full refit
follows when there is time, and gives what a fresh fit gives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import qualcode.nlp.project as nlp_project
import qualcode.nlp.suggester as suggester_mod
from qualcode.actions import views as wb
from qualcode.model import Code, Codebook, Segment
from qualcode.nlp import cache
from qualcode.nlp.features import Featurizer
from qualcode.nlp.suggester import Example, Suggester
from qualcode.store import Project


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp_project, "_cache", {})
    monkeypatch.setattr(nlp_project, "_saved", {})


def next_pair(project: Project) -> tuple[Segment, Segment]:
    """Two consecutive uncoded informant units of one answer (linked in the unit graph), both substantive."""
    coded = {int(c["segment"]) for c in project.codings()}
    units = [u for u in project.segments("KII-03", include_interviewer=False) if int(u["id"]) not in coded]
    for a, b in zip(units, units[1:], strict=False):
        if a["turn"] == b["turn"] and int(b["id"]) == int(a["id"]) + 1 and min(
                len(a["text"].split()), len(b["text"].split())) >= 12:
            return a, b
    raise AssertionError("no two consecutive uncoded units in one answer")


CODEBOOK = Codebook(roots=[
    Code(id="funding", name="Funding after the project", definition="Who pays once donor funding ends.",
         keywords=["funding", "budget"]),
    Code(id="training", name="Training delivered", definition="Courses and training sessions that were delivered.",
         keywords=["training course"]),
    Code(id="misc", name="Other remark", definition="Anything else worth noting."),
])
UNITS = [
    "The chamber has no budget for the meetings after the project.",
    "I went to the training course on grievance handling.",
    "The canteen food improved a lot since spring.",
    "Lunch in the canteen is better since the new kitchen opened.",
    "The canteen now serves fish and fresh vegetables.",
    "Who pays for the meetings once the donor money stops?",
    "The trainer of the course was very practical.",
    "We talked about the weather on the way.",
]


def test_a_quick_update_learns_the_coding_and_recomputes_only_the_learners(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Suggester(CODEBOOK)
    s.set_corpus(UNITS)
    coded = [Example("0", UNITS[0], {"funding"}), Example("1", UNITS[1], {"training"})]
    s.update(coded)
    misc = s.code_ids.index("misc")
    before = s.score([UNITS[3]])[0]
    assert before.argmax() != misc
    for name in ("_prepare", "_transduce", "_fit_calibration", "_fit_codable", "_fit_ridge"):
        monkeypatch.setattr(Suggester, name, lambda *a, name=name, **k: pytest.fail(f"{name} was computed again"))
    s.update([*coded, Example("2", UNITS[2], {"misc"})], quick=True)
    assert s.stale
    after = s.score([UNITS[3]])[0]
    # One canteen unit coded "other remark": the next canteen unit now gets that code first.
    assert after.argmax() == misc and after[misc] > before[misc] + 0.1
    monkeypatch.undo()
    assert s.refresh() and not s.stale
    fresh = Suggester(CODEBOOK)
    fresh.set_corpus(UNITS)
    fresh.update([*coded, Example("2", UNITS[2], {"misc"})])
    np.testing.assert_allclose(s.score(UNITS), fresh.score(UNITS), atol=1e-5)


def test_a_coding_changes_the_next_suggestions_without_a_full_refit(example_project: Project, fresh_process: None
                                                                    ) -> None:
    s = wb.fit_suggester(example_project)
    unit, nxt = next_pair(example_project)
    before_row = s.score([nxt["text"]])[0]
    col = int(np.argsort(-before_row)[1])  # the next unit's second code: the coded unit is given it
    code = s.code_ids[col]
    rows_before = len(s._dual)
    calls: dict[str, int] = {}

    def refuse(name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(f"{name} was computed again")
        return fail

    def count(name: str, method: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            return method(*args, **kwargs)
        return counted

    with pytest.MonkeyPatch.context() as mp:
        # What a coding must not redo: the vocabulary and the units' rows, the unit graph, the spreading over every
        # unit, the calibration, the codability model, a new factorisation of the ridge.
        mp.setattr(Featurizer, "fit_transform", refuse("the vocabulary"))
        mp.setattr(suggester_mod, "knn_links", refuse("the unit graph"))
        for name in ("_prepare", "_transduce", "_fit_calibration", "_fit_ridge", "_fit_codable"):
            mp.setattr(Suggester, name, refuse(name))
        mp.setattr(Suggester, "_extend_ridge", count("_extend_ridge", Suggester._extend_ridge))
        mp.setattr(Suggester, "_reseed", count("_reseed", Suggester._reseed))
        example_project.add_coding(unit["id"], code, coder="ana")
        assert wb.fit_suggester(example_project) is s and s.stale
        assert calls == {"_extend_ridge": 1, "_reseed": 1}  # one row added to the ridge, seeds changed near the unit
        assert len(s._dual) == rows_before + 1
        after_row = s.score([nxt["text"]])[0]
    # The next unit's suggestions are those of the updated learners, and lean towards the code its neighbour in the
    # answer was just given.
    assert not np.allclose(after_row, before_row)
    assert after_row[col] > before_row[col]
    # The rest of the refit, when there is time: then the model is what a fresh fit on the same data gives.
    assert wb.refresh_suggester(example_project) and not s.stale
    fresh = Suggester(example_project.codebook(), codebook_hash=example_project.codebook_hash() or None)
    nlp_project.set_inputs(fresh, example_project)
    texts = [u["text"] for u in example_project.segments("KII-03", include_interviewer=False)]
    np.testing.assert_allclose(s.score(texts), fresh.score(texts), atol=1e-5)


def test_the_refit_gives_way_to_a_request_and_only_a_complete_model_is_saved(
    example_project: Project, fresh_process: None
) -> None:
    wb.fit_suggester(example_project)
    saved = {p.name for p in cache.models_dir(example_project.path).iterdir()}
    unit, _ = next_pair(example_project)
    example_project.add_coding(unit["id"], "sustainability.funding", coder="ana")
    s = wb.fit_suggester(example_project)
    assert s.stale
    assert {p.name for p in cache.models_dir(example_project.path).iterdir()} == saved  # nothing half-updated
    assert wb.refresh_suggester(example_project, should_stop=lambda: True) is False
    assert s.stale  # abandoned: the quick model is kept as it was
    assert s.score(["The chamber has no budget after the project."]).shape[1] == len(s.code_ids)
    assert wb.refresh_suggester(example_project) is True
    assert not s.stale
    learned = [p for p in cache.models_dir(example_project.path).iterdir() if p.name.startswith("learned-")]
    assert len(learned) == 2  # the state before the coding and the refreshed one


def test_an_undone_coding_is_taken_back_out_quickly(example_project: Project, fresh_process: None) -> None:
    s = wb.fit_suggester(example_project)
    unit, nxt = next_pair(example_project)
    base = s.score([nxt["text"]])
    coding = example_project.add_coding(unit["id"], "sustainability.funding", coder="ana")
    wb.fit_suggester(example_project)
    example_project.remove_coding(coding["id"], coder="ana")
    wb.fit_suggester(example_project)
    assert s.stale
    # Back to the training data of the start: the learners are as they were (the calibration, fitted on the state
    # before the coding, was never changed).
    np.testing.assert_allclose(s.score([nxt["text"]]), base, atol=0.02)
