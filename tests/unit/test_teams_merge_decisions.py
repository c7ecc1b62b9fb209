"""Settlements and suggestion decisions travel through merge like codings: a settlement reopened in one copy is
reopened in the other (the agreed coding goes with it) and is not brought back by merging in a copy that still has
it; an undone suggestion decision is taken back in the other copy too. Every agreed coding has its event in the log,
so ``doctor`` can account for it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from teams_support import coder_copies, unit

from qualcode.actions.history import undo
from qualcode.cli import main
from qualcode.safety.doctor import run_doctor
from qualcode.store import Project
from qualcode.teams import project_status
from qualcode.teams.adjudicate import adjudicate, adjudications, reopen
from qualcode.teams.merge import merge_projects


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every timestamp a second apart (events, decisions, merges), so which came later never depends on speed."""
    start, ticks = datetime(2025, 1, 1, tzinfo=UTC), itertools.count()

    def tick() -> str:
        return (start + timedelta(seconds=next(ticks))).strftime("%Y-%m-%dT%H:%M:%SZ")

    for where in ("qualcode.store.now_iso", "qualcode.teams.adjudicate.now_iso", "qualcode.teams.merge.now_iso"):
        monkeypatch.setattr(where, tick)


@pytest.fixture
def copies(tmp_path: Path, clock: None) -> tuple[Path, Path]:
    """Two copies in which clara applied 'Needs of factories' to the Turnover unit and long did not."""
    a, b = coder_copies(tmp_path)
    for path in (a, b):
        with Project.open(path) as p:
            p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara",
                         created="2024-03-01T10:00:00Z")
            p.add_coding(unit(p, "KII-01", "Our line"), "lessons", coder="long", created="2024-03-01T10:00:00Z")
    return a, b


def _state(path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The agreed codings (ref, code) and the settled (ref, code) of a copy."""
    with Project.open(path) as p:
        agreed = {(c["ref"], c["code"]) for c in p.codings(coder="consensus")}
        return agreed, {(a["ref"], a["code"]) for a in adjudications(p)}


def test_a_reopened_settlement_travels_and_is_not_brought_back(copies: tuple[Path, Path],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    a, b = copies
    with Project.open(a) as p:
        adjudicate(p, unit(p, "KII-01", "Turnover"), "relevance.needs", "apply", coder="ana", note="clear need")
        adjudicate(p, unit(p, "KII-01", "Our line"), "lessons", "omit", coder="ana")
    with Project.open(b) as q:
        assert merge_projects(q, [a], coder="tester")["merged"][0]["adjudications"]["added"] == 2
    assert _state(b) == _state(a) and len(_state(b)[1]) == 2
    with Project.open(b) as q:
        reopen(q, unit(q, "KII-01", "Turnover"), "relevance.needs", coder="long")
    # merging the copy that reopened it reopens it here, and its agreed coding goes
    assert main(["merge", str(b), "-p", str(a)]) == 0
    assert "1 settled disagreements reopened by long" in capsys.readouterr().out
    agreed, settled = _state(a)
    assert agreed == set() and settled == {("KII-01:4", "lessons")}
    # merging back the copy that still had it does not settle it again
    with Project.open(b) as q:
        merge_projects(q, [a], coder="tester")
    assert _state(b) == _state(a)
    # a decision taken after the reopening is a new settlement: it travels
    with Project.open(b) as q:
        adjudicate(q, unit(q, "KII-01", "Turnover"), "relevance.needs", "omit", coder="long")
    with Project.open(a) as p:
        assert merge_projects(p, [b], coder="tester")["merged"][0]["adjudications"]["added"] == 1
    assert _state(a)[1] == {("KII-01:2", "relevance.needs"), ("KII-01:4", "lessons")}


def test_the_later_of_two_different_decisions_stands_in_both_copies(copies: tuple[Path, Path]) -> None:
    a, b = copies
    with Project.open(a) as p:
        adjudicate(p, unit(p, "KII-01", "Turnover"), "relevance.needs", "omit", coder="ana")
    with Project.open(b) as q:
        adjudicate(q, unit(q, "KII-01", "Turnover"), "relevance.needs", "apply", coder="long")
    with Project.open(a) as p:  # b decided later: its decision replaces a's, with its agreed coding
        assert merge_projects(p, [b], coder="tester")["merged"][0]["adjudications"]["replaced"] == 1
    with Project.open(b) as q:
        assert merge_projects(q, [a], coder="tester")["merged"][0]["adjudications"]["already_here"] == 1
    assert _state(a) == _state(b) == ({("KII-01:2", "relevance.needs")},
                                      {("KII-01:2", "relevance.needs")})
    # the earlier decision does not win by being merged last, and its copy's agreed coding does not sneak in
    with Project.open(a) as p:
        adjudicate(p, unit(p, "KII-01", "Turnover"), "relevance.needs", "omit", coder="ana")
    with Project.open(b) as q:
        assert merge_projects(q, [a], coder="tester")["merged"][0]["adjudications"]["replaced"] == 1
    with Project.open(a) as p:
        assert merge_projects(p, [b], coder="tester")["merged"][0]["adjudications"]["already_here"] == 1
    assert _state(a) == _state(b) == (set(), {("KII-01:2", "relevance.needs")})


def test_an_undone_suggestion_decision_is_taken_back_in_the_other_copy(copies: tuple[Path, Path],
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    a, b = copies
    with Project.open(b) as q:
        q.record_decision(unit(q, "KII-01", "The grievance"), "lessons", coder="clara", decision="rejected",
                          score=0.4, model_version="m1")
    with Project.open(a) as p:
        assert merge_projects(p, [b], coder="tester")["merged"][0]["decisions"]["added"] == 1
    with Project.open(b) as q:
        assert undo(q, coder="clara") is not None
        assert q.decisions() == []
        # merging in the copy that still has it does not bring it back
        report = merge_projects(q, [a], coder="tester")["merged"][0]["decisions"]
        assert (report["added"], report["removed_here"]) == (0, 1)
        assert q.decisions() == []
    assert main(["merge", str(b), "-p", str(a)]) == 0
    assert "1 suggestion decisions taken back in that copy were taken back here" in capsys.readouterr().out
    with Project.open(a) as p:
        assert p.decisions() == []


def test_every_agreed_coding_is_in_the_event_log(copies: tuple[Path, Path]) -> None:
    a, _ = copies
    with Project.open(a) as p:
        adjudicate(p, unit(p, "KII-01", "Turnover"), "relevance.needs", "apply", coder="ana")
        adjudicate(p, unit(p, "KII-01", "The grievance"), "lessons", "apply", coder="ana", note="both see it")
        reopen(p, unit(p, "KII-01", "The grievance"), "lessons", coder="ana")
        logged = [e for e in p.events(entity="coding") if e["action"] == "coding.adjudicate"]
        assert [(e["coder"], e["before"] is None, e["after"] is None) for e in logged] == [
            ("ana", True, False), ("ana", True, False), ("ana", False, True)]
    check = next(c for c in run_doctor(a)["checks"] if c["check"] == "event log")
    assert check["status"] == "ok", check


def test_status_counts_the_people_who_coded_and_the_agreed_codings_apart(copies: tuple[Path, Path],
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = copies
    with Project.open(a) as p:
        adjudicate(p, unit(p, "KII-01", "Turnover"), "relevance.needs", "apply", coder="ana")
        p.add_coding(unit(p, "KII-01", "The grievance"), "lessons", coder="suggester")
        status = project_status(p)
    # clara and long coded; 'setup' only imported, 'ana' only decided, 'suggester' is a program
    assert (status["coders"], status["agreed_codings"], status["codings"]) == (2, 1, 4)
    assert main(["status", "-p", str(a)]) == 0
    out = capsys.readouterr().out
    assert "coders: 2" in out and "agreed_codings: 1" in out
