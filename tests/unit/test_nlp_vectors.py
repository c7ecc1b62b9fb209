"""Word-piece vectors: the tokenizer folds accents and case and survives any script, related words give close
text vectors, corpus-frequent pieces count less, the suggester uses them to find a code whose wording a unit
does not share, works without the data file, and never mixes a state fitted with vectors with one without."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from nlp_support import codebook_of, make_codes, rank_of, top_code

import qualcode.nlp.suggester as suggester_mod
import qualcode.nlp.vectors as vectors_mod
from qualcode.model import Code, Codebook
from qualcode.nlp import Example, Suggester, cache
from qualcode.nlp.text import get_pipeline
from qualcode.nlp.vectors import PieceVectors, TextVectors, _basic_tokens, piece_vectors


@pytest.fixture(scope="module")
def pv() -> PieceVectors:
    # vectors.npz is tracked in git: a missing or unreadable file is a broken checkout, not a reason to skip.
    assert vectors_mod.DATA.exists(), f"{vectors_mod.DATA} is missing"
    loaded = piece_vectors()
    assert loaded is not None, f"{vectors_mod.DATA} could not be loaded"
    return loaded


# Patient feedback on a hospital stay: four flat codes.
HOSPITAL = [
    ("care.staff", "Staff attitude",
     "How nurses and doctors treated patients: kindness, respect and compassion.",
     ["kind", "respectful", "rude"], ["The nurse was kind and took time to listen."]),
    ("access.parking", "Car park and transport", "Getting to the hospital: parking spaces, charges, buses.",
     ["parking", "car park", "bus"], ["There was nowhere to park the car."]),
    ("access.waiting", "Waiting times", "How long patients waited for appointments, tests or results.",
     ["waiting", "delay", "queue"], ["I waited four hours in A&E."]),
    ("ward.food", "Food and meals", "Quality of hospital food and drinks on the ward.",
     ["food", "meal", "menu"], ["Lunch was cold by the time it arrived."]),
]


def make_codebook() -> Codebook:
    return codebook_of(make_codes(HOSPITAL))


CORPUS = [
    "The nurse on the night shift was rude to my father.",
    "We could not find a parking space and the car park charges are high.",
    "I waited six weeks for an appointment with the consultant.",
    "The food on the ward was cold and the menu never changed.",
    "The doctors were respectful and explained everything.",
    "The bus from the village only runs twice a day.",
    "Results took a month to come back, the delay was stressful.",
    "Breakfast was fine but dinner was inedible.",
    "The receptionist asked for my address.",
    "My daughter came with me on Tuesday.",
]

EXAMPLES = [
    Example("e1", CORPUS[0], {"care.staff"}),
    Example("e2", CORPUS[1], {"access.parking"}),
    Example("e3", CORPUS[2], {"access.waiting"}),
    Example("e4", CORPUS[3], {"ward.food"}),
]


def without_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if qualcode/nlp/data/vectors.npz were not installed."""
    monkeypatch.setattr(suggester_mod, "piece_vectors", lambda: None)


def cosine(tv: TextVectors, a: str, b: str) -> float:
    va, vb = tv.transform([a, b])
    return float(va @ vb)  # rows are L2-normalised


# ---------------------------------------------------------------------------- tokenizer


def test_accents_and_case_are_folded(pv: PieceVectors) -> None:
    assert pv.piece_ids("Café") == pv.piece_ids("cafe") == pv.piece_ids("CAFÉ") != []
    assert pv.piece_ids("Naïve résumé") == pv.piece_ids("naive resume")
    assert pv.piece_ids("Công nhân") == pv.piece_ids("cong nhan")  # Vietnamese tone marks and hooks


def test_punctuation_splits_words(pv: PieceVectors) -> None:
    assert _basic_tokens("Staff,nurses (and) well-being!") == ["staff", ",", "nurses", "(", "and", ")", "well",
                                                                "-", "being", "!"]
    glued = pv.piece_ids("staff,nurses")
    assert glued == pv.piece_ids("staff , nurses")
    assert pv.piece_ids("nurses") and set(pv.piece_ids("nurses")) <= set(glued)


@pytest.mark.parametrize(("text", "has_pieces"), [
    ("x" * 150, False),  # longer than any word: skipped, as BERT's tokenizer does
    ("Supercalifragilisticexpialidocious", True),  # not in the vocabulary: split into known pieces
    ("zqxjvkwpfh", True),
    ("🙂🙂🙂 👍🏽", False),
    ("!!!??? ★☆♥ ✨", True),  # the punctuation is in the vocabulary
    ("\u200b\u00ad\ufeff", False),
    ("", False),
    ("   \n\t ", False),
])
def test_unknown_words_and_symbols_give_known_pieces_or_nothing(pv: PieceVectors, text: str,
                                                                has_pieces: bool) -> None:
    ids = pv.piece_ids(text)
    assert bool(ids) is has_pieces, ids
    assert all(0 <= i < len(pv.vectors) for i in ids)


def test_only_emoji_or_an_overlong_word_gives_no_piece(pv: PieceVectors) -> None:
    assert pv.piece_ids("🙂🙂🙂") == []
    assert pv.piece_ids("a" * 150) == []
    # An overlong run inside a URL is dropped, the rest of the text is kept.
    assert pv.piece_ids("see https://x.org/" + "a" * 150 + " nurses")[-len(pv.piece_ids("nurses")):] == (
        pv.piece_ids("nurses"))


@pytest.mark.parametrize("text", [
    "Công đoàn cơ sở đã tham gia khóa đào tạo về giải quyết khiếu nại.",
    "工人们对培训很满意，但是食堂太贵了。",
    "العمال راضون عن التدريب",
    "Медсёстры были очень добры.",
    "नर्सें बहुत दयालु थीं।",
    "看護師はとても親切でした。",
])
def test_non_latin_text_does_not_crash(pv: PieceVectors, text: str) -> None:
    ids = pv.piece_ids(text)
    assert ids, "every script here has pieces in the vocabulary"
    assert all(0 <= i < len(pv.vectors) for i in ids)
    v = TextVectors(pv).transform([text])
    assert np.isfinite(v).all()


def test_chinese_characters_are_split_one_by_one() -> None:
    assert _basic_tokens("工人很满意") == ["工", "人", "很", "满", "意"]
    assert _basic_tokens("Staff说好") == ["staff", "说", "好"]


# ---------------------------------------------------------------------------- meaning and weights

FEEDBACK = [
    "The nurses were lovely and kind.",
    "Staff were very friendly and caring.",
    "The car park was full and expensive.",
    "The doctor explained the treatment clearly.",
    "Parking costs far too much.",
    "The waiting room was clean.",
    "The food was cold when it arrived.",
]


def test_texts_with_related_words_are_closer_than_unrelated_ones(pv: PieceVectors) -> None:
    tv = TextVectors.fit(pv, FEEDBACK)
    lovely, friendly, car_park = FEEDBACK[0], FEEDBACK[1], FEEDBACK[2]
    assert cosine(tv, lovely, friendly) > cosine(tv, lovely, car_park)
    assert cosine(tv, car_park, "Parking costs far too much.") > cosine(tv, car_park, friendly)


def test_rows_are_unit_length_and_a_text_without_known_pieces_is_a_zero_vector(pv: PieceVectors) -> None:
    tv = TextVectors.fit(pv, FEEDBACK)
    V = tv.transform([*FEEDBACK[:3], "🙂🙂🙂", "", "b" * 150])
    assert np.isfinite(V).all()
    np.testing.assert_allclose(np.linalg.norm(V[:3], axis=1), 1.0, rtol=1e-5)
    assert not V[3:].any()
    assert float(V[3] @ V[0]) == 0.0  # similar to nothing


def test_a_piece_frequent_in_the_corpus_weighs_less_than_a_rare_one(pv: PieceVectors) -> None:
    corpus = [f"The project {rest}." for rest in (
        "helped the chamber", "trained the union", "paid for the meetings", "ended in March",
        "hired a consultant", "built a canteen", "visited ten factories", "printed leaflets",
    )]
    tv = TextVectors.fit(pv, corpus)
    [project] = pv.piece_ids("project")
    [canteen] = pv.piece_ids("canteen")  # once in the corpus
    [zebra] = pv.piece_ids("zebra")  # never
    assert tv.weights[project] < tv.weights[canteen] <= tv.weights[zebra]
    # So two texts that share only the corpus's everyday word are less alike than with equal weights.
    a, b = "Project: canteen.", "Project: union."
    assert cosine(tv, a, b) < cosine(TextVectors(pv), a, b)


def test_the_loader_returns_none_when_the_data_file_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(vectors_mod, "DATA", tmp_path / "missing.npz")
    # the uncached loader: the process-wide cache is left alone
    assert vectors_mod._load_vectors.__wrapped__() == (None, "missing.npz is missing")


# ---------------------------------------------------------------------------- the suggester


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def codebook_text(code: Code) -> str:
    return " ".join([code.name, code.definition, *code.questions, *code.keywords, *code.examples, *code.include])


# Each says what the staff were like without one word (or stem) of the "Staff attitude" code.
UNSHARED = [
    "Every midwife smiled; they seemed so warm, so gentle.",
    "Our physician seemed impatient, dismissive, condescending.",
]


@pytest.mark.parametrize("unit", UNSHARED)
def test_related_words_find_a_code_the_unit_shares_no_word_with(
    pv: PieceVectors, monkeypatch: pytest.MonkeyPatch, unit: str
) -> None:
    cb = make_codebook()
    staff = codebook_text(cb["care.staff"])
    assert words(unit).isdisjoint(words(staff))
    pipe = get_pipeline()
    assert {n for _, n in pipe.token_pairs(unit)}.isdisjoint({n for _, n in pipe.token_pairs(staff)})

    def rank(vector_weight: float) -> int:
        monkeypatch.setattr(suggester_mod, "VECTOR_WEIGHT", vector_weight)
        s = Suggester(cb)
        s.set_corpus([*CORPUS, unit])
        return rank_of(s, unit, "care.staff")

    assert rank(1.0) == 0
    assert rank(0.0) > 0  # TF-IDF alone has nothing to go on


def test_without_the_data_file_suggestions_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    without_vectors(monkeypatch)
    s = Suggester(make_codebook())
    s.set_corpus(CORPUS)
    s.update(EXAMPLES)
    assert top_code(s, "There was no parking space, so I circled the car park for an hour.") == "access.parking"
    assert top_code(s, "The nurse was rude and never listened to me.") == "care.staff"
    assert top_code(s, "Lunch was cold and the menu was the same every day.") == "ward.food"
    scores = s.score(CORPUS)
    assert np.isfinite(scores).all() and (scores >= 0).all() and (scores <= 1).all()
    rows = s.suggest([(str(i), t) for i, t in enumerate(CORPUS)], top=2)
    assert all(len(r) == 2 and all(x.why for x in r) for r in rows)
    # Learning still works: the receptionist's questions, coded as staff, pull a similar unit there.
    text, col = "The receptionist asked for my phone number.", s.code_ids.index("care.staff")
    before = float(s.score([text])[0, col])
    s.update([*EXAMPLES, Example("e5", CORPUS[8], {"care.staff"}),
              Example("e6", "The receptionist asked for my date of birth.", {"care.staff"})])
    assert float(s.score([text])[0, col]) > before
    assert top_code(s, text) == "care.staff"


def test_without_the_data_file_the_vector_weight_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    without_vectors(monkeypatch)

    def scores(vector_weight: float) -> np.ndarray:
        monkeypatch.setattr(suggester_mod, "VECTOR_WEIGHT", vector_weight)
        s = Suggester(make_codebook())
        s.set_corpus(CORPUS)
        # Enough coded units for calibration, whose leave-one-out path also runs without vectors.
        s.update([Example(f"c{i}", t, {c}) for i, (t, c) in enumerate(zip(CORPUS, [
            "care.staff", "access.parking", "access.waiting", "ward.food", "care.staff", "access.parking",
            "access.waiting", "ward.food", "care.staff", "care.staff"], strict=True))])
        assert s.calibrated
        assert s._vec is None  # no vector learner, so no weight to choose or apply
        return s.score([*UNSHARED, "Parking was a nightmare."])

    np.testing.assert_array_equal(scores(1.0), scores(0.0))


# ---------------------------------------------------------------------------- the model cache


def fitted(monkeypatch: pytest.MonkeyPatch, *, vectors: bool) -> Suggester:
    if vectors:
        monkeypatch.setattr(suggester_mod, "piece_vectors", piece_vectors)
    else:
        without_vectors(monkeypatch)
    s = Suggester(make_codebook())
    s.set_corpus(CORPUS)
    s.update(EXAMPLES)
    return s


PROBE = [UNSHARED[0], "Parking was a nightmare.", CORPUS[3]]


@pytest.mark.parametrize("saved_with", [True, False])
def test_a_state_saved_with_vectors_is_never_restored_without_them_and_vice_versa(
    pv: PieceVectors, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, saved_with: bool
) -> None:
    saver = fitted(monkeypatch, vectors=saved_with)
    saver.prepare()
    state = saver.export_state()
    cache.save(tmp_path, saver)

    other = fitted(monkeypatch, vectors=not saved_with)
    # The keys alone cannot tell the two apart: the same codebook, units and codings.
    assert other.state_keys() == saver.state_keys()
    assert other.restore_state(*state) is False
    assert cache.restore(tmp_path, fitted(monkeypatch, vectors=not saved_with)) == "miss"

    # What the suggester then scores is its own fit, not a mixture with the saved one.
    from_cache = fitted(monkeypatch, vectors=not saved_with)
    cache.restore(tmp_path, from_cache)
    fresh = fitted(monkeypatch, vectors=not saved_with)
    np.testing.assert_array_equal(from_cache.score(PROBE), fresh.score(PROBE))
    assert not np.allclose(from_cache.score(PROBE), saver.score(PROBE))

    # The same kind of installation does take the saved state over (so the refusal above is the vectors').
    same = fitted(monkeypatch, vectors=saved_with)
    assert cache.restore(tmp_path, same) == "hit"
    np.testing.assert_allclose(same.score(PROBE), saver.score(PROBE), atol=1e-6)


def test_a_prepared_suggester_keeps_its_scores_when_a_restore_is_refused(
    pv: PieceVectors, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = fitted(monkeypatch, vectors=False).export_state()
    s = fitted(monkeypatch, vectors=True)
    before = s.score(PROBE)
    assert s.restore_state(*state) is False
    np.testing.assert_array_equal(s.score(PROBE), before)
