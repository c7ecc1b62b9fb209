"""Re-importing a corrected transcript keeps its codings on the same passages, or flags them; never moves them wrongly.

The accuracy test edits every transcript of the bundled example the way evaluators correct transcripts (typos fixed,
a paragraph added, speakers renamed), knows by construction where each coded passage went, and counts.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.reanchor import align_units, place_flagged, review_queue, store_transcript
from qualcode.store import Project
from reliability.builders import INTERVIEW, make_project, transcript


def typo(rng: random.Random, sentence: str) -> str:
    """One typo-level edit: a letter replaced, dropped, doubled or two letters swapped, inside a word of 4+ letters."""
    words = sentence.split(" ")
    choices = [k for k, w in enumerate(words) if sum(ch.isalpha() for ch in w) >= 4]
    if not choices:
        return sentence
    k = rng.choice(choices)
    w = words[k]
    letters = [p for p, ch in enumerate(w) if ch.isalpha()]
    p = rng.choice(letters[1:-1] or letters)
    kind = rng.choice(["replace", "drop", "double", "swap"])
    if kind == "replace":
        w = w[:p] + ("e" if w[p] != "e" else "a") + w[p + 1:]
    elif kind == "drop":
        w = w[:p] + w[p + 1:]
    elif kind == "double":
        w = w[:p] + w[p] + w[p:]
    elif p + 1 < len(w):
        w = w[:p] + w[p + 1] + w[p] + w[p + 2:]
    words[k] = w
    return " ".join(words)


def corrected_version(units: Sequence[Mapping[str, Any]], rng: random.Random, *,
                      rename: bool) -> tuple[list[Any], dict[int, int]]:
    """The edited transcript as (speaker, sentences) turns, and where each old unit lands (old id -> new idx)."""
    turns: list[tuple[str | None, list[str]]] = []
    owner: list[list[int]] = []
    last_turn = None
    for u in units:
        if u["turn"] != last_turn:
            turns.append((u["speaker"], []))
            owner.append([])
            last_turn = u["turn"]
        text = u["text"]
        if rng.random() < 0.10:
            text = typo(rng, text)
            if rng.random() < 0.3:
                text = typo(rng, text)
        turns[-1][1].append(text)
        owner[-1].append(u["id"])
    informants = [t[0] for t in turns if t[0] and t[0].lower() not in ("interviewer", "q", "facilitator")]
    at = rng.randrange(1, len(turns))
    turns.insert(at, (informants[0] if informants else None,
                      ["I would like to add one point about the seminars that I forgot earlier.",
                       "The chamber invited us to three of them and the last one was about overtime rules."]))
    owner.insert(at, [-1, -1])
    if rename:
        turns = [((f"{s} (corrected)" if s else s), sentences) for s, sentences in turns]
    truth: dict[int, int] = {}
    idx = 0
    for ids in owner:
        for uid in ids:
            idx += 1
            if uid != -1:
                truth[uid] = idx
    return turns, truth


def test_codings_are_reanchored_exactly_after_typo_level_edits_and_none_is_misplaced(example_project: Project) -> None:
    project = example_project
    rng = random.Random(7)
    total = exact = flagged = wrong = 0
    for n, t in enumerate(t for t in project.transcripts() if t["kind"] != "document"):
        units = project.segments(t["id"])
        before = {c["id"]: c for c in project.codings(transcript=t["id"])}
        turns, truth = corrected_version(units, rng, rename=n % 2 == 0)
        result = store_transcript(project, transcript(turns, source=f"{t['id']}-corrected.txt"), t["id"], coder="clara")
        assert result["status"] == "new_version"
        old_ids = {u["id"] for u in units}
        for cid, old in before.items():
            now = project.codings(current_only=False, coder=old["coder"], code=old["code"])
            now = [c for c in now if c["id"] == cid]
            assert len(now) == 1, f"coding {cid} was lost"
            c = now[0]
            total += 1
            if c["status"] == "needs_review":
                flagged += 1
                assert c["segment"] in old_ids, "a flagged coding must stay on its old passage"
            elif c["ref"] == f"{t['id']}:{truth[old['segment']]}":
                exact += 1
            else:
                wrong += 1
    assert total > 300
    assert wrong == 0
    assert exact / total >= 0.99, f"{exact}/{total} re-anchored exactly, {flagged} flagged"


def test_renamed_speaker_keeps_its_informant(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    project.add_coding("KII-01:3", "effectiveness", coder="ana")
    renamed = [("Interviewer" if s == "Interviewer" else "Lan (HR manager)", u) for s, u in INTERVIEW]
    result = store_transcript(project, transcript(renamed), "KII-01", coder="ana")
    assert result["reanchor"]["speakers"] == {"Ms. Lan": "Lan (HR manager)"}
    seg = project.segment("KII-01:3")
    assert seg["speaker"] == "Lan (HR manager)" and seg["case"] == "KII-01"
    assert seg["attributes"]["stakeholder_group"] == "Factory"
    assert [c["ref"] for c in project.codings()] == ["KII-01:3"]


def test_rewritten_passage_is_flagged_with_a_candidate_not_moved(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    coding = project.add_coding("KII-01:8", "sustainability", coder="ana")
    edited = [(s, list(u)) for s, u in INTERVIEW]
    edited[3][1][2] = "Without support from the brand, we could not have continued the quarterly seminars."
    result = store_transcript(project, transcript(edited), "KII-01", coder="ana")
    assert result["reanchor"]["needs_review"] == 1 and result["reanchor"]["moved"] == 0
    assert project.codings() == []  # not silently on the new passage
    queue = review_queue(project)
    assert [(q["coding"], q["old_ref"], q["candidate"]) for q in queue] == [(coding["id"], "KII-01:8@v1", "KII-01:8")]
    assert "changed too much" in queue[0]["reason"]
    assert project.status()["needs_review"] == 1
    placed = place_flagged(project, coding["id"], "KII-01:8", coder="ana")
    assert placed["status"] == "ok" and placed["ref"] == "KII-01:8"
    assert review_queue(project) == []
    assert [(c["ref"], c["code"]) for c in project.codings()] == [("KII-01:8", "sustainability")]


def test_a_deleted_passage_repeated_elsewhere_does_not_capture_the_coding(tmp_path: Path) -> None:
    again = "Yes, that is exactly what the union told us as well."
    turns = [("Interviewer", ["Did the workers notice the change in the grievance procedure?"]),
             ("Ms. Lan", [again, "The line leaders now answer complaints within a week."]),
             ("Interviewer", ["And the gender training, did it reach the production lines?"]),
             ("Ms. Lan", [again, "Women workers asked for more sessions on sexual harassment."])]
    project = make_project(tmp_path / "p", turns=turns)
    first = project.add_coding("KII-01:2", "effectiveness", coder="ana")
    second = project.add_coding("KII-01:5", "relevance", coder="ana")
    edited = [turns[0], ("Ms. Lan", [turns[1][1][1]]), turns[2], turns[3]]  # the first "Yes, ..." is deleted
    result = store_transcript(project, transcript(edited), "KII-01", coder="ana")
    assert result["reanchor"]["needs_review"] == 1
    by_id = {c["id"]: c for c in project.codings(current_only=False)}
    assert by_id[first["id"]]["status"] == "needs_review"
    assert by_id[second["id"]]["ref"] == "KII-01:4" and by_id[second["id"]]["status"] == "ok"


def test_segment_memo_follows_its_passage(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    seg = project.segment("KII-01:6")
    project.set_memo("segment", str(seg["id"]), "Check the 2021 figure.", coder="ana")
    edited = [(s, list(u)) for s, u in INTERVIEW]
    edited.insert(0, ("Interviewer", ["Thank you for meeting me today at the factory."]))
    store_transcript(project, transcript(edited), "KII-01", coder="ana")
    moved_to = project.segment("KII-01:7")
    assert [m["target_id"] for m in project.memos("segment")] == [str(moved_to["id"])]


def test_reanchoring_is_part_of_the_import_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p")
    project.add_coding("KII-01:3", "effectiveness", coder="ana")
    import qualcode.reanchor as reanchor

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(reanchor, "_carry_speakers", broken)
    edited = [(s, list(u)) for s, u in INTERVIEW]
    edited[1][1][0] = edited[1][1][0].replace("manager", "manger")
    with pytest.raises(RuntimeError):
        store_transcript(project, transcript(edited), "KII-01", coder="ana")
    assert project.require_transcript("KII-01")["current_version"] == 1
    assert [(c["ref"], c["status"]) for c in project.codings()] == [("KII-01:3", "ok")]


# ---------------------------------------------------------------------------- property: never placed wrongly

WORDS = ("factory union ministry chamber training grievance seminar roadmap toolkit overtime contract worker "
         "manager women gender dialogue bargaining funding advisor compliance payslip schedule province zone "
         "quarterly meeting report survey finding budget staff").split()

sentence = st.lists(st.sampled_from(WORDS), min_size=5, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")


@settings(max_examples=80, deadline=None)
@given(old=st.lists(sentence, min_size=1, max_size=25, unique=True), data=st.data())
def test_alignment_never_places_a_passage_on_another_one(old: list[str], data: st.DataObject) -> None:
    new: list[str] = []
    truth: dict[int, int] = {}
    for i, s in enumerate(old):
        op = data.draw(st.sampled_from(["keep", "keep", "typo", "delete", "rewrite", "insert"]))
        if op == "delete":
            continue
        if op == "rewrite":
            s = data.draw(sentence)
            new.append(s)  # a different passage in its place: not the old one
            continue
        if op == "insert":
            new.append(data.draw(sentence))
        if op == "typo":
            s = typo(random.Random(data.draw(st.integers(0, 10_000))), s)
        truth[i] = len(new)
        new.append(s)
    pairs, _ = align_units(old, new)
    for i, pair in enumerate(pairs):
        if pair.confident:
            assert truth.get(i) == pair.new, (old[i], pair)


def test_reanchor_commands_list_and_place_a_flagged_coding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from reliability.fuzz_support import run_cli

    project = make_project(tmp_path / "p")
    coding = project.add_coding("KII-01:8", "sustainability", coder="ana")
    edited = [(s, list(u)) for s, u in INTERVIEW]
    edited[3][1][2] = "Without support from the brand, we could not have continued the quarterly seminars."
    store_transcript(project, transcript(edited), "KII-01", coder="ana")
    project.close()
    code, out, _err = run_cli(capsys, "reanchor", "list", "-p", str(tmp_path / "p"), "--json")
    assert code == 0 and [r["candidate"] for r in json.loads(out)] == ["KII-01:8"]
    code, out, _err = run_cli(capsys, "reanchor", "place", "-p", str(tmp_path / "p"), str(coding["id"]),
                              "--segment", "KII-01:8", "--coder", "ana")
    assert code == 0 and "placed on KII-01:8" in out
    code, _out, err = run_cli(capsys, "reanchor", "place", "-p", str(tmp_path / "p"), str(coding["id"]),
                              "--segment", "KII-01:8", "--coder", "ana")
    assert code == 2 and "not waiting for review" in err
