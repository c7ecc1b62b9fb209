"""Suggestions: codebook prior, fuzzy keywords, exclusions, learning, explanations, provenance fields."""

from __future__ import annotations

import math

import pytest
from nlp_support import codebook_of, make_codes, rank_of, top_code

from qualcode.model import Code, Codebook
from qualcode.nlp import Example, Suggester
from qualcode.nlp.active import order_units
from qualcode.nlp.keywords import KeywordMatcher
from qualcode.nlp.text import get_pipeline, stem

LEAVES = [
    ("sustainability.funding", "Funding after the project",
     "Whether activities can continue once donor funding ends; who pays for them.",
     ["funding", "budget", "sustainability"], ["Without money from the donor the chamber cannot hold the meetings."]),
    ("effectiveness.training", "Training delivered",
     "Courses and training sessions that were delivered and how participants used them.",
     ["training course", "trainer"], ["We attended the grievance handling course in Bac Ninh."]),
    ("gender.inclusion", "Women workers and inclusion",
     "Whether women, migrants and people with disabilities benefited; sex-disaggregated data.",
     ["women", "gender", "disaggregated"]),
    ("other.misc", "Miscellaneous remark", "Anything else worth noting."),
]
CRITERIA = {"sustainability": "Sustainability", "effectiveness": "Effectiveness", "gender": "Gender equality",
            "other": "Other"}


def make_codebook(*, exclude: list[str] | None = None, extra: Code | None = None) -> Codebook:
    """The four codes under their criteria; ``exclude`` items on the training code, ``extra`` after other.misc."""
    codes = make_codes(LEAVES)
    next(c for c in codes if c.id == "effectiveness.training").exclude = exclude or []
    return codebook_of([*codes, *([extra] if extra else [])], CRITERIA)


CORPUS = [
    "The chamber says it has no budget to continue the sectoral meetings after the project.",
    "I went to the training course on grievance handling and the trainer was very practical.",
    "Most workers on the line are women, but the project did not collect gender data.",
    "The canteen food improved a lot and the rice portions are bigger now.",
    "Lunch in the canteen is better since the new kitchen opened.",
    "We discussed the weather and the traffic on the way to the factory.",
    "Who will pay for the meetings when the donor money stops?",
    "The new menu in the canteen has more vegetables.",
]


@pytest.fixture
def suggester() -> Suggester:
    s = Suggester(make_codebook())
    s.set_corpus(CORPUS)
    return s


def test_codebook_alone_ranks_the_matching_code_first(suggester: Suggester) -> None:
    text = "Nobody knows who will fund the meetings once the budget ends."
    assert top_code(suggester, text) == "sustainability.funding"
    assert top_code(suggester, "The trainer of the training course explained grievance procedures.") == (
        "effectiveness.training"
    )
    assert top_code(suggester, "Women workers benefited, but data were not disaggregated by sex.") == "gender.inclusion"


def test_criteria_with_children_are_not_suggested_but_reported_as_criterion(suggester: Suggester) -> None:
    found = suggester.suggest([("u", "The budget for sustainability is gone.")], top=10)[0]
    assert {s.code for s in found}.isdisjoint({"sustainability", "effectiveness", "gender", "other"})
    assert {s.code: s.criterion for s in found}["sustainability.funding"] == "sustainability"


def test_fuzzy_keywords_match_inflections_and_typos() -> None:
    m = KeywordMatcher(["sustainability", "training course", "funding"])
    assert m.match("The sustainabilty of it worries me") == ["sustainability"]  # typo
    assert m.match("Both trainings courses were useful") == ["training course"]  # inflection, 2 words
    assert m.match("They funded it twice") == ["funding"]
    assert m.match("The station was far away") == []


def test_keyword_match_raises_the_score_and_is_explained(suggester: Suggester) -> None:
    text = "The sustainabilty of the meetings is my worry."
    [best] = suggester.suggest([("u", text)], top=1)[0]
    assert best.code == "sustainability.funding"
    assert "sustainability" in best.evidence["keywords"]
    assert "keyword \u201csustainability\u201d" in best.why


def test_exclude_items_lower_the_score() -> None:
    text = "The training course on occupational safety was run by the labour inspectorate."
    plain = Suggester(make_codebook())
    plain.set_corpus(CORPUS + [text])
    excluding = Suggester(make_codebook(exclude=["occupational safety training by the labour inspectorate"]))
    excluding.set_corpus(CORPUS + [text])
    col = plain.code_ids.index("effectiveness.training")
    assert excluding.score([text])[0, col] < plain.score([text])[0, col]


def test_learning_from_coded_units_ranks_an_unhelpfully_defined_code_higher(suggester: Suggester) -> None:
    new = "The canteen now serves fish and fresh vegetables at lunch."
    before = rank_of(suggester, new, "other.misc")
    suggester.update([
        Example("c1", CORPUS[3], {"other.misc"}),
        Example("c2", CORPUS[4], {"other.misc"}),
        Example("c3", CORPUS[7], {"other.misc"}),
    ])
    after = rank_of(suggester, new, "other.misc")
    assert after < before
    assert after == 0


def test_rejections_lower_the_rejected_code(suggester: Suggester) -> None:
    text = "The trainer also talked about the weather."
    col = suggester.code_ids.index("effectiveness.training")
    before = suggester.score([text])[0, col]
    suggester.update([
        Example("r1", "The trainer talked about the weather all day.", set(), {"effectiveness.training"}),
        Example("c1", CORPUS[1], {"effectiveness.training"}),
    ])
    assert suggester.score([text])[0, col] < before


def test_explanations_name_the_closest_coded_example(suggester: Suggester) -> None:
    suggester.update([Example("seg-42", CORPUS[4], {"other.misc"})])
    [best] = suggester.suggest([("u", "Lunch in the canteen is better than before.")], top=1)[0]
    assert best.code == "other.misc"
    assert best.evidence["closest"]["source"] == "coded"
    assert best.evidence["closest"]["id"] == "seg-42"
    assert best.why.startswith("like seg-42")


def test_every_suggestion_carries_why_score_and_model_version(suggester: Suggester) -> None:
    rows = suggester.suggest([(str(i), t) for i, t in enumerate(CORPUS)], top=3)
    for row in rows:
        assert len(row) == 3
        assert [s.score for s in row] == sorted((s.score for s in row), reverse=True)
        for s in row:
            assert 0.0 <= s.score <= 1.0
            assert s.why
            assert s.model_version == suggester.model_version


def test_model_version_changes_with_training_data_and_codebook(suggester: Suggester) -> None:
    v0 = suggester.model_version
    assert "+k0-" in v0
    suggester.update([Example("a", CORPUS[0], {"sustainability.funding"})])
    v1 = suggester.model_version
    assert v1 != v0 and "+k1-" in v1
    changed = suggester.set_codebook(make_codebook(exclude=["safety"]))
    assert changed
    assert suggester.model_version.split("+")[0] != v1.split("+")[0]


def test_a_codebook_change_is_picked_up_without_a_new_suggester(suggester: Suggester) -> None:
    text = "The canteen food and the lunch menu got better."
    assert "other.canteen" not in suggester.code_ids
    canteen = Code(id="other.canteen", name="Canteen and food", definition="Meals, canteen, lunch.",
                   keywords=["canteen", "lunch", "food"])
    suggester.set_codebook(make_codebook(extra=canteen))
    assert "other.canteen" in suggester.code_ids
    assert top_code(suggester, text) == "other.canteen"


def test_non_english_text_does_not_crash() -> None:
    vi = [
        "Công đoàn cơ sở đã tham gia khóa đào tạo về giải quyết khiếu nại.",
        "Phụ nữ chiếm phần lớn công nhân trong nhà máy.",
        "",
        "???",
    ]
    s = Suggester(make_codebook())
    s.set_corpus(vi)
    rows = s.suggest([(str(i), t) for i, t in enumerate(vi)], top=2)
    assert len(rows) == 4
    assert all(len(row) == 2 for row in rows[:2])  # the Vietnamese units are scored, not skipped
    for row in rows:
        for sug in row:
            assert math.isfinite(sug.score)
    s.update([Example("v1", vi[0], {"effectiveness.training"})])
    assert s.suggest([("x", "khóa đào tạo cho công đoàn")], top=1)[0][0].code == "effectiveness.training"


def test_one_relevant_sentence_in_a_long_passage_is_found(suggester: Suggester) -> None:
    passage = (
        "We met in March at the provincial office and talked for a long time about the factories. "
        "Many of them had changed managers during the year, so the contacts were new. "
        "There were also questions about the calendar for next year and about the holidays. "
        "Honestly, nobody has a budget to continue the meetings once the donor funding ends."
    )
    assert top_code(suggester, passage) == "sustainability.funding"


def test_scores_are_calibrated_once_enough_units_are_coded() -> None:
    s = Suggester(make_codebook())
    texts = [f"The {w} training course was useful for our {x}." for w in ("first", "second", "last", "new")
             for x in ("managers", "supervisors", "union")]
    texts += [f"There is no {w} budget for the meetings after {x}." for w in ("real", "clear", "extra", "new")
              for x in ("2025", "the project", "the donor leaves")]
    s.set_corpus(texts)
    s.update([Example(str(i), t, {"effectiveness.training" if "training" in t else "sustainability.funding"})
              for i, t in enumerate(texts)])
    assert s.calibrated
    scores = s.score(["The training course helped our managers.", "No budget for the meetings after the donor."])
    tr, fu = s.code_ids.index("effectiveness.training"), s.code_ids.index("sustainability.funding")
    assert scores[0, tr] > 0.5 > scores[0, fu]
    assert scores[1, fu] > 0.5 > scores[1, tr]


def test_stemmer_folds_inflections() -> None:
    assert stem("trainings") == stem("training") == stem("trained") == stem("train")
    assert stem("funding") == stem("funded") == stem("funds")
    assert stem("công") == "công"
    assert stem("caring") == stem("cared") == stem("care") == stem("carers")
    assert stem("managing") == stem("manage") and stem("nursing") == stem("nurse")


def test_stemmer_keeps_different_words_apart() -> None:
    # "Friendly, caring staff" must not read as being about the car park.
    assert stem("caring") != stem("car") and stem("cared") != stem("cars")
    assert stem("staring") != stem("star") and stem("scared") != stem("scar")


def test_sentences_split_any_script() -> None:
    pipe = get_pipeline()
    text = "Chúng tôi đã tham gia khóa học. Nó rất hữu ích cho công nhân. " * 3
    assert len(pipe.sentences(text)) >= 2


def test_queue_puts_uncertain_and_relevant_units_before_off_topic_ones() -> None:
    import numpy as np

    scores = np.array([
        [0.02, 0.01, 0.01],  # off-topic
        [0.48, 0.47, 0.05],  # tie between two codes
        [0.95, 0.02, 0.01],  # clear, code well covered
    ])
    ranked = order_units(["off", "tie", "clear"], scores, ["a", "b", "c"], [30, 30, 30])
    assert [r["id"] for r in ranked][0] == "tie"
    assert ranked[-1]["id"] == "off"
    assert "uncertain between a" in ranked[0]["reason"]
    assert "off-topic" in ranked[-1]["reason"]


SPREAD_CORPUS = [
    "The chamber has no budget for the sectoral meetings after the project.",
    "Without donor funding the chamber cannot hold the sectoral meetings.",
    "Nobody will fund the sectoral meetings of the chamber next year.",
    "The chamber asked who pays for the sectoral meetings once funding ends.",
    "I went to the training course on grievance handling; the trainer was good.",
    "Women workers joined the gender training in Bac Ninh.",
    "The canteen food improved a lot.",
]
# Shares "chamber" and "sectoral meetings" with the funding units, but no word of the funding code; its one
# keyword ("trainer") belongs to the training code.
QUIET = "The chamber trainer will probably stop the sectoral meetings."


def test_label_spreading_lifts_a_unit_towards_the_codes_of_its_neighbours(monkeypatch: pytest.MonkeyPatch) -> None:
    import qualcode.nlp.suggester as mod

    def scores(graph: bool) -> tuple[float, float]:
        monkeypatch.setattr(mod, "MAX_GRAPH_UNITS", 10_000 if graph else 0)
        s = Suggester(make_codebook())
        s.set_corpus([*SPREAD_CORPUS, QUIET])
        row = s.score([QUIET])[0]
        return float(row[s.code_ids.index("sustainability.funding")]), float(row[s.code_ids.index(
            "effectiveness.training")])

    # Without the graph the unit is judged on its own words only, which share little with the funding code and
    # include a keyword of the training code; with it, its four neighbours pull it clearly towards funding.
    (fund_g, train_g), (fund_0, train_0) = scores(graph=True), scores(graph=False)
    assert fund_g - train_g > (fund_0 - train_0) + 0.15


def test_a_unit_outside_the_corpus_gets_the_same_best_code_as_its_twin_inside(suggester: Suggester) -> None:
    suggester.set_corpus([*SPREAD_CORPUS, QUIET])
    suggester.update([Example("c1", SPREAD_CORPUS[6], {"other.misc"})])
    text = "Nobody knows if the chamber keeps the sectoral meetings."
    suggester.set_corpus([*SPREAD_CORPUS, QUIET, text])
    inside = suggester.score([text])[0]
    outside = suggester.score([text + " Really."])[0]  # not a corpus unit: scored from its neighbours
    assert outside.argmax() == inside.argmax() == suggester.code_ids.index("sustainability.funding")
    assert abs(float(outside.max()) - float(inside.max())) < 0.15


def test_the_interviewers_question_lifts_the_code_it_asks_about() -> None:
    answer = "Honestly, the women on the line will decide, we will see."
    corpus = [*CORPUS, answer]
    plain = Suggester(make_codebook())
    plain.set_corpus(corpus)
    asked = Suggester(make_codebook())
    asked.set_corpus(corpus, [None] * len(CORPUS) + ["Who will pay for the meetings once the donor funding ends?"])
    col = plain.code_ids.index("sustainability.funding")
    assert rank_of(plain, answer, "sustainability.funding") > 0  # its words point to the gender code
    assert rank_of(asked, answer, "sustainability.funding") == 0
    assert asked.score([answer])[0, col] > plain.score([answer])[0, col]


def test_one_question_per_text_is_required() -> None:
    s = Suggester(make_codebook())
    with pytest.raises(ValueError):
        s.set_corpus(CORPUS, ["only one question"])


def test_sentences_of_one_answer_lean_towards_each_others_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    import qualcode.nlp.suggester as mod

    # The link is what is tested: word vectors off, so the small talk's own words decide its ranking alone.
    monkeypatch.setattr(mod, "VECTOR_WEIGHT", 0.0)
    answer = [
        "The chamber has no budget for the sectoral meetings after the project ends.",
        "Honestly, we will see.",  # on its own words: nothing
    ]
    corpus = [*SPREAD_CORPUS, *answer]

    def funding(turns: list[str | None] | None) -> tuple[int, float]:
        s = Suggester(make_codebook())
        s.set_corpus(corpus, None, turns)
        return rank_of(s, answer[1], "sustainability.funding"), float(
            s.score([answer[1]])[0, s.code_ids.index("sustainability.funding")])

    (rank_alone, alone), (rank_linked, linked) = funding(None), funding([None] * len(SPREAD_CORPUS) + ["t5", "t5"])
    assert rank_alone > 0 and rank_linked == 0
    assert linked > alone


def test_a_parent_code_stops_being_suggested_when_the_team_no_longer_uses_it() -> None:
    s = Suggester(make_codebook())
    s.set_corpus(CORPUS)
    s.update([Example("1", CORPUS[0], {"sustainability"})])
    assert "sustainability" in s.code_ids  # used: the parent became a candidate
    # That coding was moved to the leaf: the model is what a fresh fit on the same data gives.
    s.update([Example("1", CORPUS[0], {"sustainability.funding"})])
    fresh = Suggester(make_codebook())
    fresh.set_corpus(CORPUS)
    fresh.update([Example("1", CORPUS[0], {"sustainability.funding"})])
    assert "sustainability" not in s.code_ids
    assert s.code_ids == fresh.code_ids
    assert (s.score(CORPUS) == fresh.score(CORPUS)).all()


def test_a_batch_mixing_corpus_units_and_new_texts_scores_each_as_alone() -> None:
    s = Suggester(make_codebook())
    s.set_corpus(CORPUS)
    s.update([Example("1", CORPUS[0], {"sustainability.funding"}), Example("2", CORPUS[1], {"effectiveness.training"})])
    texts = [CORPUS[2], "A new sentence about the canteen and the budget.", CORPUS[0], "Women workers trained again."]
    together = s.score(texts)
    alone = [s.score([t])[0] for t in texts]
    for row, single in zip(together, alone, strict=True):
        assert (abs(row - single) < 1e-6).all()
