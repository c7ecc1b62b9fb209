"""`qualcode suggest` and `qualcode queue` as a user runs them: standalone JSONL, project mode, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from nlp_support import write_jsonl

from qualcode.cli import main
from qualcode.store import Project

CODEBOOK = """\
name: Test criteria
codes:
  - id: sustainability
    name: Sustainability
    definition: Will results continue after the projects close?
    children:
      - id: sustainability.funding
        name: Funding after the project
        definition: Whether activities continue once donor funding ends.
        keywords: [funding, budget]
  - id: effectiveness
    name: Effectiveness
    definition: Were outputs and outcomes achieved?
    children:
      - id: effectiveness.training
        name: Training delivered
        definition: Courses and training sessions delivered and used.
        keywords: [training course, trainer]
      - id: effectiveness.canteen
        name: Other improvements
        definition: Further changes.
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    cb = tmp_path / "cb.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    seg = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": "There is no budget to continue the meetings after the donor leaves."},
        {"id": "b", "text": "The trainer of the grievance course was excellent."},
        {"id": "c", "text": "The canteen serves better lunch now."},
    ])
    train = write_jsonl(tmp_path / "train.jsonl", [
        {"id": "t1", "text": "Lunch in the canteen improved a lot.", "codes": ["effectiveness.canteen"]},
        {"id": "t2", "text": "The canteen food is much better.", "codes": ["effectiveness.canteen"]},
        {"id": "t3", "text": "The new canteen menu has more vegetables.", "codes": ["effectiveness.canteen"]},
    ])
    return {"cb": cb, "in": seg, "train": train}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_standalone_prints_one_json_line_per_unit_best_first(files: dict[str, Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qualcode", "suggest", "--codebook", str(files["cb"]), "--segments",
         str(files["in"]), "--top", "2", "--json"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert [ln["id"] for ln in lines] == ["a", "b", "c"]
    for ln in lines:
        assert len(ln["suggestions"]) == 2
        assert set(ln["suggestions"][0]) == {"code", "criterion", "score", "why"}
        scores = [s["score"] for s in ln["suggestions"]]
        assert scores == sorted(scores, reverse=True)
    assert lines[0]["suggestions"][0] == {**lines[0]["suggestions"][0], "code": "sustainability.funding",
                                          "criterion": "sustainability"}
    assert lines[1]["suggestions"][0]["code"] == "effectiveness.training"
    assert "keyword \u201ctrainer\u201d" in lines[1]["suggestions"][0]["why"]


def test_standalone_learns_from_train_file(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    base = ["suggest", "--codebook", str(files["cb"]), "--segments", str(files["in"]), "--top", "1", "--json"]
    code, out, err = run(capsys, *base)
    assert code == 0, err
    before = json.loads(out.splitlines()[2])["suggestions"][0]["code"]
    code, out, err = run(capsys, *base, "--train", str(files["train"]))
    assert code == 0, err
    after = json.loads(out.splitlines()[2])
    assert before != "effectiveness.canteen"
    assert after["suggestions"][0]["code"] == "effectiveness.canteen"
    assert "+k3-" in after["model_version"]


def test_missing_segments_file_is_a_one_line_error(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "suggest", "--codebook", str(files["cb"]), "--segments", "nope.jsonl", "--json")
    assert code == 2
    assert "nope.jsonl" in err and "no such file" in err
    assert len(err.strip().splitlines()) == 1


def test_malformed_jsonl_line_names_file_and_line(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    bad = files["in"].parent / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": oops}\n', encoding="utf-8")
    code, _, err = run(capsys, "suggest", "--codebook", str(files["cb"]), "--segments", str(bad))
    assert code == 2
    assert f"{bad}:2:" in err and "not valid JSON" in err
    assert "Traceback" not in err


def test_train_code_not_in_codebook_names_the_line(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    bad = files["in"].parent / "train_bad.jsonl"
    bad.write_text('{"id": "t", "text": "x", "codes": []}\n{"id": "u", "text": "y", "codes": ["nope"]}\n',
                   encoding="utf-8")
    code, _, err = run(capsys, "suggest", "--codebook", str(files["cb"]), "--segments", str(files["in"]),
                       "--train", str(bad))
    assert code == 2
    assert f"{bad}:2:" in err and "'nope'" in err


def test_segments_without_codebook_is_an_error(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "suggest", "--segments", str(files["in"]))
    assert code == 2 and "--codebook" in err


def test_project_suggest_accept_reject_and_queue(example_project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = str(example_project_dir)
    code, out, err = run(capsys, "suggest", "-p", p, "--transcript", "KII-01", "--top", "2", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows, "KII-01 has uncoded informant units"
    project = Project.open(example_project_dir)
    coded = {c["segment"] for c in project.codings()}
    roles = {s["id"]: s["role"] for s in project.segments("KII-01")}
    assert all(r["segment"] not in coded and roles[r["segment"]] != "interviewer" for r in rows)
    first = rows[0]
    sug = first["suggestions"][0]
    assert sug["why"] and sug["model_version"] == first["model_version"]

    code, out, err = run(capsys, "suggest", "accept", "-p", p, "--segment", str(first["segment"]), "--code",
                         sug["code"], "--score", str(sug["score"]), "--model-version", first["model_version"],
                         "--coder", "ana", "--json")
    assert code == 0, err
    [coding] = [c for c in project.codings(segment=first["segment"]) if c["code"] == sug["code"]]
    assert coding["source"] == "suggestion"
    assert coding["coder"] == "ana"
    assert coding["score"] == pytest.approx(sug["score"])
    assert coding["model_version"] == first["model_version"]

    other = first["suggestions"][1]["code"]
    code, out, err = run(capsys, "suggest", "reject", "-p", p, "--segment", str(first["segment"]), "--code", other,
                         "--coder", "ana")
    assert code == 0, err
    decisions = project.decisions(segment=first["segment"])
    assert [(d["code"], d["decision"]) for d in decisions] == [(sug["code"], "accepted"), (other, "rejected")]
    assert all(d["model_version"] for d in decisions)

    code, out, err = run(capsys, "queue", "-p", p, "--limit", "5", "--json")
    assert code == 0, err
    queue = json.loads(out)
    assert len(queue) == 5
    assert all(q["reason"] for q in queue)
    assert [q["priority"] for q in queue] == sorted((q["priority"] for q in queue), reverse=True)
    assert first["segment"] not in {q["segment"] for q in queue}
    project.close()


def test_accept_unknown_code_is_a_one_line_error(example_project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "suggest", "accept", "-p", str(example_project_dir), "--segment", "KII-01:3",
                       "--code", "no.such.code")
    assert code == 2 and "no.such.code" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_accept_takes_p_and_json_before_or_after_the_action(
    example_project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, where: str,
) -> None:
    # Run from an empty folder, so the default "." would not be a project.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    p = str(example_project_dir)
    action = ["accept", "--segment", "KII-01:7", "--code", "relevance.needs_fit", "--coder", "ana"]
    # -p and --json before the action or after it
    args = (["suggest", "-p", p, "--json", *action] if where == "before"
            else ["suggest", *action[:1], "-p", p, *action[1:], "--json"])
    code, out, err = run(capsys, *args)
    assert code == 0, err
    coding = json.loads(out)
    assert coding["code"] == "relevance.needs_fit" and coding["source"] == "suggestion"
    project = Project.open(example_project_dir)
    assert [c["code"] for c in project.codings(segment=coding["segment"]) if c["source"] == "suggestion"] == [
        "relevance.needs_fit"]
    project.close()


def test_standalone_units_may_carry_the_question_they_answer(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    answer = "Honestly, the course will decide it, we will see."  # alone, its words point to the training code
    question = "Who will pay for the meetings once the donor funding ends?"
    seg = write_jsonl(files["in"].parent / "asked.jsonl", [
        {"id": "q", "text": answer, "question": question},
        {"id": "n", "text": "The trainer of the grievance course was excellent."},
    ])
    code, out, err = run(capsys, "suggest", "--codebook", str(files["cb"]), "--segments", str(seg), "--top", "1",
                         "--json")
    assert code == 0, err
    assert json.loads(out.splitlines()[0])["suggestions"][0]["code"] == "sustainability.funding"
    bad = files["in"].parent / "bad_question.jsonl"
    bad.write_text('{"id": "a", "text": "fine", "question": 3}\n', encoding="utf-8")
    code, _, err = run(capsys, "suggest", "--codebook", str(files["cb"]), "--segments", str(bad))
    assert code == 2 and f"{bad}:1:" in err and '"question"' in err


def test_suggestions_and_the_queue_show_a_named_speaker_by_pseudonym_unless_asked(
    example_project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = str(example_project_dir)
    code, out, err = run(capsys, "suggest", "-p", p, "--segment", "FGD-02:9", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["speaker"] == "[informant FGD-02-P1]" and "Nguyen Van Hai" not in out
    code, out, _ = run(capsys, "suggest", "-p", p, "--segment", "FGD-02:9")
    assert out.startswith("FGD-02:9  [informant FGD-02-P1] ")
    code, out, _ = run(capsys, "suggest", "-p", p, "--segment", "FGD-02:9", "--json", "--show-names")
    assert json.loads(out)[0]["speaker"] == "Nguyen Van Hai"
    code, out, err = run(capsys, "queue", "-p", p, "--transcript", "FGD-02", "--limit", "50", "--json")
    assert code == 0, err
    speakers = {r["speaker"] for r in json.loads(out)}
    assert speakers and all(s.startswith("[informant FGD-02-P") for s in speakers), speakers
    code, out, _ = run(capsys, "queue", "-p", p, "--transcript", "FGD-02", "--limit", "50", "--json", "--show-names")
    assert "Nguyen Van Hai" in {r["speaker"] for r in json.loads(out)}
