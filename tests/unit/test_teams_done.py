"""Done marks: a coder says their coding of a transcript is finished. A transcript two people marked done joins the
agreement sample (each coded it on their own), agreement on it is final only once every coder compared there marked
it done, a transcript one person coded and marked done stays single-coded, and the marks travel through merge."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from teams_support import build_project, unit

from qualcode.cli import main
from qualcode.errors import QualcodeError
from qualcode.store import Project
from qualcode.synthesis.reconciled import (
    done_marks,
    mark_done,
    reconcile,
    remove_from_sample,
    sample_rows,
    sample_status,
)
from qualcode.teams.agreement import agreement
from qualcode.teams.merge import merge_projects


def _code_both(p: Project) -> None:
    """clara and long coded KII-01; they disagree on one unit."""
    p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara")
    p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="long")
    p.add_coding(unit(p, "KII-01", "Our line"), "lessons", coder="clara")


def test_two_coders_marking_a_transcript_done_put_it_in_the_sample(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with build_project(tmp_path / "p", sample=False) as p:
        _code_both(p)
        p.add_coding(unit(p, "FGD-01", "The gender"), "relevance.needs", coder="clara")
        # one coder done: nothing to compare, the transcript stays as coded
        assert mark_done(p, "KII-01", coder="clara")["sample"] is None
        assert mark_done(p, "FGD-01", coder="clara")["sample"] is None
        assert sample_rows(p) == [] and reconcile(p).open == {}
    assert main(["transcripts", "done", "KII-01", "--coder", "long", "-p", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "KII-01 joins the agreement sample: clara, long each marked their coding of it done" in out
    with Project.open(tmp_path / "p") as p:
        [row] = sample_status(p)
        assert (row["transcript"], row["compared"], row["final"], row["added_by"]) == (
            "KII-01", ["clara", "long"], True, "long")
        # the disagreement now waits for adjudication, and the agreed coding is in the view
        assert set(reconcile(p).open) == {(unit(p, "KII-01", "Our line"), "lessons")}
        # marking done again changes nothing
        again = mark_done(p, "KII-01", coder="long")
        assert (again["changed"], again["sample"]) == (False, None)
        from qualcode.actions.views import transcript_rows

        assert {r["id"]: r["done_by"] for r in transcript_rows(p)} == {"KII-01": ["clara", "long"],
                                                                      "FGD-01": ["clara"]}
    assert main(["transcripts", "-p", str(tmp_path / "p"), "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["KII-01"]["done_by"] == ["clara", "long"] and rows["FGD-01"]["done_by"] == ["clara"]


def test_agreement_is_provisional_until_every_coder_compared_marked_it_done(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "p"
    with build_project(folder, with_fgd=False) as p:  # KII-01 is in the sample by a coder's choice
        _code_both(p)
        mark_done(p, "KII-01", coder="clara")
        assert agreement(p)["provisional"] == [{"transcript": "KII-01", "waiting_for": ["long"]}]
        assert sample_status(p)[0]["waiting_for"] == ["long"] and not sample_status(p)[0]["final"]
    assert main(["agreement", "-p", str(folder)]) == 0
    assert "Provisional: not every coder has marked their coding done on 1 of 1 transcripts: KII-01 (long)" in (
        capsys.readouterr().out)
    assert main(["agreement", "sample", "list", "-p", str(folder)]) == 0
    assert "coding: long not done" in capsys.readouterr().out
    with Project.open(folder) as p:
        mark_done(p, "KII-01", coder="long")
        assert agreement(p)["provisional"] == []
        mark_done(p, "KII-01", coder="long", done=False)  # not finished after all: provisional again
        assert agreement(p)["provisional"][0]["waiting_for"] == ["long"]
        assert [r["transcript"] for r in sample_rows(p)] == ["KII-01"]  # it stays in the sample
    assert main(["agreement", "sample", "list", "-p", str(folder)]) == 0


def test_a_transcript_taken_out_of_the_sample_by_hand_stays_out(tmp_path: Path) -> None:
    with build_project(tmp_path / "p", sample=False) as p:
        _code_both(p)
        mark_done(p, "KII-01", coder="clara")
        assert mark_done(p, "KII-01", coder="long")["sample"] == "joined"
        remove_from_sample(p, "KII-01", coder="clara")
        mark_done(p, "KII-01", coder="long", done=False)
        assert mark_done(p, "KII-01", coder="long")["sample"] == "removed_by_hand"
        assert sample_rows(p) == []


def test_only_people_mark_their_coding_done(tmp_path: Path) -> None:
    with build_project(tmp_path / "p") as p:
        for name in ("consensus", "suggester"):
            with pytest.raises(QualcodeError):
                mark_done(p, "KII-01", coder=name)
    assert main(["transcripts", "done", "NOPE", "-p", str(tmp_path / "p")]) == 2


def test_done_marks_travel_through_merge_and_join_the_sample_there(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    build_project(tmp_path / "base", sample=False).close()
    a, b = tmp_path / "clara", tmp_path / "long"
    shutil.copytree(tmp_path / "base", a)
    shutil.copytree(tmp_path / "base", b)
    with Project.open(a) as p:  # each coder codes and finishes KII-01 in their own copy
        p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara")
        mark_done(p, "KII-01", coder="clara")
    with Project.open(b) as q:
        q.add_coding(unit(q, "KII-01", "Turnover"), "relevance.needs", coder="long")
        mark_done(q, "KII-01", coder="long")
        mark_done(q, "FGD-01", coder="long")
    assert main(["merge", str(b), "-p", str(a)]) == 0
    out = capsys.readouterr().out
    assert "done marks: 2 brought in, 0 taken back" in out
    assert "agreement sample: KII-01 joined (two or more coders marked it done)" in out
    with Project.open(a) as p:
        assert [(r["transcript"], r["compared"], r["final"]) for r in sample_status(p)] == [
            ("KII-01", ["clara", "long"], True)]
    with Project.open(b) as q:  # long takes his mark on FGD-01 back; the withdrawal travels too
        mark_done(q, "FGD-01", coder="long", done=False)
        merge_projects(q, [a], coder="long")
    with Project.open(a) as p:
        report = merge_projects(p, [b], coder="clara")["merged"][0]
        assert report["done"] == {"marked": 0, "unmarked": 1}
        assert "FGD-01" not in {r["transcript"] for r in sample_status(p)}
        assert done_marks(p) == {"KII-01": ["clara", "long"]}


def test_the_example_is_healthy_and_its_agreement_final(example_project_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled example: every coding (the 34 agreed ones too) has its event, both sample transcripts were
    finished by both coders, and the status counts the two people who coded with the agreed codings apart."""
    from qualcode.safety.doctor import run_doctor
    from qualcode.teams import project_status

    report = run_doctor(example_project_path)
    assert (report["errors"], report["warnings"]) == (0, 0), [c for c in report["checks"] if c["status"] != "ok"]
    with Project.open(example_project_path) as p:
        assert [(r["transcript"], r["final"]) for r in sample_status(p)] == [("FGD-01", True), ("KII-07", True)]
        status = project_status(p)
        assert (status["coders"], status["agreed_codings"]) == (2, 34)
        assert agreement(p)["provisional"] == []
    assert main(["status", "-p", str(example_project_path)]) == 0
    assert "coders: 2" in capsys.readouterr().out


def test_a_transcript_named_twice_is_marked_and_reported_once(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    build_project(tmp_path / "p").close()
    assert main(["transcripts", "done", "KII-01", "KII-01", "--coder", "clara", "-p", str(tmp_path / "p")]) == 0
    assert capsys.readouterr().out.splitlines() == ["KII-01: clara's coding is done (done: clara)"]
