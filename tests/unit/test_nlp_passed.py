"""Units the team read and left uncoded ("passed over") teach the suggestions what is not worth coding.

Small talk (greetings, consent, "can you hear me", scheduling) gets lower scores once enough passed-over units
are known; substantive units keep theirs; the order of codes within a unit never changes; the explanation says
why; a project derives the passed-over units from where its coders stopped; the standalone CLI reads them from
``"codes": []`` training lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nlp_support import parse_yaml_codebook, write_jsonl
from teams_support import parsed, unit

from qualcode.cli import main
from qualcode.model import Codebook
from qualcode.nlp import Example, Suggester
from qualcode.nlp.project import suggest_for_project, training_examples
from qualcode.nlp.suggester import MIN_CALIBRATION
from qualcode.store import Project

CODEBOOK_YAML = """\
name: Four criteria
codes:
  - id: sustainability
    name: Sustainability
    definition: Will results continue after the projects close?
    children:
      - id: sustainability.funding
        name: Funding after the project
        definition: Whether activities can continue once donor funding ends; who pays for them.
        keywords: [funding, budget]
  - id: effectiveness
    name: Effectiveness
    definition: Were outputs and outcomes achieved?
    children:
      - id: effectiveness.training
        name: Training delivered
        definition: Courses and training sessions that were delivered and how participants used them.
        keywords: [training course, trainer]
  - id: gender
    name: Gender equality
    definition: Who benefited?
    children:
      - id: gender.inclusion
        name: Women workers and inclusion
        definition: Whether women, migrants and people with disabilities benefited; sex-disaggregated data.
        keywords: [women, gender]
  - id: relevance
    name: Relevance
    definition: Fit with needs and priorities.
    children:
      - id: relevance.needs
        name: Needs of factories
        definition: Whether the programme answered what factories and workers needed.
        keywords: [needs, priority]
"""

CODED = [
    ("The chamber has no budget to continue the sectoral meetings after the project.", "sustainability.funding"),
    ("Without donor funding the union cannot pay for the dialogue sessions next year.", "sustainability.funding"),
    ("Nobody knows who will pay for the meetings when the money from the donor stops.", "sustainability.funding"),
    ("The province promised a small budget, but it only covers one meeting a year.", "sustainability.funding"),
    ("I went to the training course on grievance handling and the trainer was very practical.",
     "effectiveness.training"),
    ("Our supervisors attended three training sessions and now use the checklists every week.",
     "effectiveness.training"),
    ("The trainer showed us how to run a meeting with workers, and we still do it that way.",
     "effectiveness.training"),
    ("After the course the HR staff wrote new procedures for complaints.", "effectiveness.training"),
    ("Most workers on the line are women, but the project did not collect gender data.", "gender.inclusion"),
    ("Women with small children could not attend the evening sessions.", "gender.inclusion"),
    ("Migrant workers and workers with disabilities were rarely invited.", "gender.inclusion"),
    ("We now count how many women and men join each activity.", "gender.inclusion"),
    ("The programme answered exactly what our factory needed after the strikes.", "relevance.needs"),
    ("Our main priority was reducing turnover, and the project helped with that.", "relevance.needs"),
    ("The topics did not fit the needs of small suppliers like us.", "relevance.needs"),
    ("Workers wanted help with wages and overtime, which was the right focus.", "relevance.needs"),
]

PASSED = [  # read and left uncoded
    "Good morning, thank you for having me.",
    "Yes, I can hear you clearly now.",
    "Sorry, my connection dropped for a moment.",
    "Yes, I agree to the recording.",
    "I have read the consent form and I am happy to continue.",
    "Thank you very much, goodbye.",
    "Could we finish by eleven? I have another call.",
    "Can you repeat the question please?",
    "Okay, sure, no problem.",
    "Hello, hello, is this working?",
    "Let me close the door, one second.",
    "Yes, you can use my name in the report.",
    "Thanks, it was nice talking to you.",
    "Shall we start? I am ready.",
]

# Not in any training data.
NEW_TALK = [
    "Hello, can you hear me now? Thank you for calling.",
    "Thank you, goodbye, have a nice day.",
    "Sorry, can we reschedule to Tuesday morning?",
    "Yes, I consent to the recording, that is fine.",
]
NEW_SUB = [
    "The trainer of the grievance course explained how to handle complaints.",
    "Once the donor funding ends there is no budget for the meetings.",
    "Women workers did not benefit as much as men from the sessions.",
    "The project fitted the real needs of the factory managers.",
]

ALL_TEXTS = [t for t, _ in CODED] + PASSED + NEW_TALK + NEW_SUB


def codebook() -> Codebook:
    return parse_yaml_codebook(CODEBOOK_YAML)


def coded_examples() -> list[Example]:
    return [Example(f"c{i}", t, {code}) for i, (t, code) in enumerate(CODED)]


def passed_examples() -> list[Example]:
    return [Example(f"p{i:02d}", t) for i, t in enumerate(PASSED)]


def trained(examples: list[Example]) -> Suggester:
    """A suggester whose units are all the texts above (as in a project), trained on ``examples``."""
    s = Suggester(codebook())
    s.set_corpus(ALL_TEXTS)
    s.update(examples)
    return s


@pytest.fixture(scope="module")
def plain() -> Suggester:
    return trained(coded_examples())


@pytest.fixture(scope="module")
def learned() -> Suggester:
    return trained(coded_examples() + passed_examples())


def best(s: Suggester, text: str) -> float:
    return float(s.score([text])[0].max())


def test_new_small_talk_is_lowered_and_substance_keeps_its_score(plain: Suggester, learned: Suggester) -> None:
    before = {t: best(plain, t) for t in NEW_TALK}
    for t in NEW_TALK:
        after = best(learned, t)
        assert after < 0.6 * before[t], (t, before[t], after)
        assert after < 0.5, (t, before[t], after)
    for t in NEW_SUB:
        old, new = plain.score([t])[0], learned.score([t])[0]
        assert float(new.max()) >= 0.9 * float(old.max()), (t, old.max(), new.max())
        assert new.argmax() == old.argmax()


def test_every_code_of_a_unit_is_scaled_by_one_factor_so_the_order_never_changes(
    plain: Suggester, learned: Suggester
) -> None:
    old, new = plain.score(ALL_TEXTS), learned.score(ALL_TEXTS)
    assert old.shape == new.shape
    for text, a, b in zip(ALL_TEXTS, old, new, strict=True):
        assert list(np.argsort(-a, kind="stable")) == list(np.argsort(-b, kind="stable")), text
        factor = b / np.maximum(a, 1e-12)
        assert factor.max() - factor.min() < 1e-3, (text, factor)  # one factor per unit
        assert factor.max() <= 1.0 + 1e-5, (text, factor)  # capped at 1: never raised
    # ... and through suggest(), best first, the same codes in the same order.
    units = [(str(i), t) for i, t in enumerate(ALL_TEXTS)]
    k = len(plain.code_ids)
    for p, q in zip(plain.suggest(units, top=k, explain=False), learned.suggest(units, top=k, explain=False),
                    strict=True):
        assert [x.code for x in p] == [x.code for x in q]


def test_the_explanation_says_a_unit_reads_like_those_left_uncoded(plain: Suggester, learned: Suggester) -> None:
    talk, sub = NEW_TALK[0], NEW_SUB[0]
    talk_row, sub_row = learned.suggest([("talk", talk), ("sub", sub)], top=2)
    top = talk_row[0]
    assert "left uncoded" in top.why
    assert "lowered (x" in top.why
    assert top.evidence["codable"] < 0.9
    # The factor reported is the one applied.
    assert top.evidence["codable"] == pytest.approx(best(learned, talk) / best(plain, talk), abs=0.01)
    assert all("left uncoded" in s.why for s in talk_row)
    assert sub_row[0].code == "effectiveness.training"
    for s in sub_row:
        assert "left uncoded" not in s.why and "codable" not in s.evidence
    # Without passed-over units, nothing is said about it.
    assert all("left uncoded" not in s.why for row in plain.suggest([("talk", talk)], top=2) for s in row)


def test_fewer_than_the_minimum_of_passed_over_units_changes_nothing(plain: Suggester) -> None:
    base = plain.score(ALL_TEXTS)
    too_few = trained(coded_examples() + passed_examples()[: MIN_CALIBRATION - 1])
    assert np.array_equal(too_few.score(ALL_TEXTS), base)
    assert all("left uncoded" not in s.why for row in too_few.suggest([("t", NEW_TALK[0])], top=3) for s in row)
    enough = trained(coded_examples() + passed_examples()[:MIN_CALIBRATION])
    assert best(enough, NEW_TALK[0]) < best(plain, NEW_TALK[0])  # the threshold is exactly the minimum


def test_fewer_than_the_minimum_of_coded_units_changes_nothing() -> None:
    few = coded_examples()[: MIN_CALIBRATION - 1]
    assert np.array_equal(trained(few + passed_examples()).score(ALL_TEXTS), trained(few).score(ALL_TEXTS))


def test_a_unit_with_only_rejected_codes_is_not_a_passed_over_unit() -> None:
    # Rejected suggestions are negatives of one code, not evidence that the unit is not worth coding.
    rejected = [Example(e.id, e.text, set(), {"relevance.needs"}) for e in passed_examples()]
    with_rejected = trained(coded_examples() + rejected)
    assert all("left uncoded" not in s.why for row in with_rejected.suggest([("t", NEW_TALK[0])], top=3)
               for s in row)


# ---------------------------------------------------------------------------------------------- project

KII = [
    ("Interviewer", ["Good morning, thank you for joining.", "Do you agree to the recording?"]),
    ("Mr Tuan", ["Good morning.", "Yes, I agree to the recording."]),
    ("Interviewer", ["How did the training fit your needs?"]),
    ("Mr Tuan", ["The grievance training came at the right time.", "Sorry, my phone is ringing.",
                 "We paid for the second course ourselves.", "Our line leaders learned to listen.",
                 "Let me close the door."]),
    ("Interviewer", ["Will it continue?"]),
    ("Mr Tuan", ["Without funding the meetings will stop.", "That is all I can say.", "Thank you, goodbye."]),
]
FGD = [
    ("Facilitator", ["Please introduce yourselves."]),
    ("Ms Lan", ["Hello everyone.", "I work in HR.", "Women joined the gender training."]),
    ("Mr Hai", ["Can you hear me?", "The toolkit was too long."]),
]
UNTOUCHED = [  # nothing coded: nothing here was passed over
    ("Interviewer", ["Hello."]),
    ("Ms Mai", ["Hello, can you hear me?", "The budget ended last year."]),
]


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = Project.create(tmp_path / "p", codebook=codebook(), name="Passed over")
    p.add_transcript(parsed(KII, "KII-01.txt"), "KII-01", coder="setup")
    p.add_transcript(parsed(FGD, "FGD-01.txt"), "FGD-01", coder="setup")
    p.add_transcript(parsed(UNTOUCHED, "KII-02.txt"), "KII-02", coder="setup")
    yield p
    p.close()


def test_training_examples_add_uncoded_informant_units_before_the_last_coded_one(project: Project) -> None:
    p = project
    kii = lambda text: unit(p, "KII-01", text)  # noqa: E731
    fgd = lambda text: unit(p, "FGD-01", text)  # noqa: E731
    assert training_examples(p) == []  # nothing coded yet: nothing was passed over

    p.add_coding(kii("The grievance training"), "effectiveness.training", coder="ana")
    p.record_decision(kii("We paid"), "sustainability.funding", coder="ana", decision="rejected")
    p.add_coding(kii("Without funding"), "sustainability.funding", coder="bo")  # the last coded unit of KII-01
    p.add_coding(fgd("Women joined"), "gender.inclusion", coder="ana")  # the last coded unit of FGD-01
    p.record_decision(fgd("Hello everyone"), "relevance.needs", coder="ana", decision="accepted")  # uncoded since
    # A rejection is not a coding: the unit before it, after the last coded one, is still not passed over.
    p.record_decision(fgd("The toolkit"), "relevance.needs", coder="ana", decision="rejected")

    examples = training_examples(p)
    ids = [e.id for e in examples]
    assert len(ids) == len(set(ids))
    by_id = {e.id: e for e in examples}
    empty = {int(e.id) for e in examples if not e.codes and not e.rejected}
    assert empty == {
        kii("Good morning."), kii("Yes, I agree"),  # before the first coded unit
        kii("Sorry, my phone"), kii("Our line leaders"), kii("Let me close"),  # between coded units
        fgd("I work in HR"),  # "Hello everyone" has a decision on it
    }
    for sid in empty:
        assert by_id[str(sid)].text == p.segment(sid)["text"]
    # After the last coded unit of a transcript: maybe not read yet, so not passed over.
    assert kii("That is all") not in empty and kii("Thank you, goodbye") not in empty
    assert fgd("Can you hear me") not in empty and fgd("The toolkit") not in empty
    # A transcript nobody coded contributes nothing; interviewer units never.
    assert not any(p.segment(sid)["transcript"] == "KII-02" for sid in (int(i) for i in ids))
    assert not any(p.segment(int(i))["role"] == "interviewer" for i in ids)
    # Coded and rejected units come back with their codes.
    assert by_id[str(kii("The grievance training"))].codes == {"effectiveness.training"}
    assert by_id[str(kii("We paid"))].codes == set()
    assert by_id[str(kii("We paid"))].rejected == {"sustainability.funding"}
    assert by_id[str(fgd("Women joined"))].codes == {"gender.inclusion"}
    assert by_id[str(fgd("The toolkit"))].rejected == {"relevance.needs"}


def test_marked_units_teach_what_they_say_and_skipped_ones_teach_nothing(project: Project) -> None:
    p = project
    kii = lambda text: unit(p, "KII-01", text)  # noqa: E731
    p.add_coding(kii("The grievance training"), "effectiveness.training", coder="ana")
    p.add_coding(kii("Without funding"), "sustainability.funding", coder="bo")

    def empty() -> set[int]:
        return {int(e.id) for e in training_examples(p) if not e.codes and not e.rejected}

    assert kii("Sorry, my phone") in empty() and kii("Thank you, goodbye") not in empty()
    # skipped for now: still to do, so not an example of what is not worth coding
    p.set_mark(kii("Sorry, my phone"), "skipped", coder="ana")
    assert kii("Sorry, my phone") not in empty()
    # not codable: an example wherever it is, after the last coded unit too
    p.set_mark(kii("Thank you, goodbye"), "not_codable", coder="bo")
    assert kii("Thank you, goodbye") in empty()
    p.set_mark(kii("Thank you, goodbye"), None, coder="bo")
    assert kii("Thank you, goodbye") not in empty()


def test_a_project_lowers_small_talk_like_what_its_coders_passed_over(tmp_path: Path) -> None:
    # The informant's small talk is interleaved with coded answers; after the last coded unit come units
    # nobody has read yet.
    turns: list[tuple[str, list[str]]] = []
    talk = iter(PASSED)
    for i, (text, _) in enumerate(CODED):
        turns.append(("Interviewer", ["What about this topic?"]))
        talk_before = [next(talk, "Okay.")] if i % 4 else [next(talk, "Okay."), next(talk, "Right.")]
        turns.append(("Ms Thu", [*talk_before, text]))
    turns.append(("Interviewer", ["That is all from me."]))
    turns.append(("Ms Thu", [NEW_SUB[0], NEW_TALK[1]]))
    p = Project.create(tmp_path / "p", codebook=codebook(), name="Passed over")
    try:
        p.add_transcript(parsed(turns, "KII-01.txt"), "KII-01", coder="setup")
        for text, code in CODED:
            p.add_coding(unit(p, "KII-01", text), code, coder="ana")
        passed = [e for e in training_examples(p) if not e.codes and not e.rejected]
        assert len(passed) >= MIN_CALIBRATION
        goodbye, sub = unit(p, "KII-01", NEW_TALK[1]), unit(p, "KII-01", NEW_SUB[0])
        [row] = suggest_for_project(p, segment=goodbye, top=2)
        assert "left uncoded" in row["suggestions"][0]["why"]
        [row] = suggest_for_project(p, segment=sub, top=2)
        assert row["suggestions"][0]["code"] == "effectiveness.training"
        assert "left uncoded" not in row["suggestions"][0]["why"], row["suggestions"][0]["evidence"]
    finally:
        p.close()


# ---------------------------------------------------------------------------------------------- standalone CLI


def test_standalone_train_lines_with_no_codes_are_passed_over_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cb = tmp_path / "cb.yaml"
    cb.write_text(CODEBOOK_YAML, encoding="utf-8")
    units = [{"id": f"talk{i}", "text": t} for i, t in enumerate(NEW_TALK)]
    units += [{"id": f"sub{i}", "text": t} for i, t in enumerate(NEW_SUB)]
    seg = write_jsonl(tmp_path / "in.jsonl", units)
    coded = [{"id": f"c{i}", "text": t, "codes": [code]} for i, (t, code) in enumerate(CODED)]
    only_coded = write_jsonl(tmp_path / "coded.jsonl", coded)
    with_passed = write_jsonl(tmp_path / "train.jsonl",
                              coded + [{"id": f"p{i}", "text": t, "codes": []} for i, t in enumerate(PASSED)])

    def run(train: Path) -> dict[str, Any]:
        code = main(["suggest", "--codebook", str(cb), "--segments", str(seg), "--train", str(train), "--top", "4",
                     "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        return {r["id"]: r for r in map(json.loads, out.splitlines())}

    before, after = run(only_coded), run(with_passed)
    for uid in (u["id"] for u in units):
        b, a = before[uid]["suggestions"], after[uid]["suggestions"]
        # The passed-over lines also join the units the vocabulary and graph are fitted on, so only the best
        # code (not the order of the weak ones) is comparable between the two runs.
        assert a[0]["code"] == b[0]["code"], uid
        if uid.startswith("talk"):
            assert a[0]["score"] < 0.6 * b[0]["score"], uid
            assert "left uncoded" in a[0]["why"]
        else:
            assert a[0]["score"] >= 0.9 * b[0]["score"], uid
            assert "left uncoded" not in a[0]["why"]
