"""Merge carries removals: a coding, a memo or a sample transcript removed in one copy is removed by the merge (the
later event wins, as for memos), and what was removed here does not come back from a copy that still has it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from teams_support import coder_copies, unit

from qualcode.actions.history import undo
from qualcode.cli import main
from qualcode.store import Project
from qualcode.synthesis.reconciled import remove_from_sample, sample_rows
from qualcode.teams.merge import merge_projects


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every event a second apart, so which of two events came later never depends on the machine's speed."""
    start, ticks = datetime(2025, 1, 1, tzinfo=UTC), itertools.count()
    monkeypatch.setattr("qualcode.store.now_iso",
                        lambda: (start + timedelta(seconds=next(ticks))).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _coded(path: Path) -> set[tuple[str, str, str]]:
    with Project.open(path) as p:
        return {(c["ref"], c["code"], c["coder"]) for c in p.codings()}


@pytest.fixture
def copies(tmp_path: Path, clock: None) -> tuple[Path, Path]:
    """Two coders' copies that both hold clara's three codings and her memo, made before either changed anything."""
    a, b = coder_copies(tmp_path)
    for path in (a, b):
        with Project.open(path) as p:
            for start, code in (("Turnover", "relevance.needs"), ("The grievance", "relevance.needs"),
                                ("Our line", "lessons")):
                p.add_coding(unit(p, "KII-01", start), code, coder="clara", created="2024-03-01T10:00:00Z")
            with p.transaction():
                p.put_memo("segment", str(unit(p, "KII-01", "Turnover")), p.coder_id("clara"),
                           "why the need is clear", created="2024-03-01T10:00:00Z", updated="2024-03-01T10:00:00Z")
    return a, b


def test_a_removal_travels_both_ways_and_is_not_undone_by_merging_back(copies: tuple[Path, Path]) -> None:
    a, b = copies
    with Project.open(a) as p:
        gone = p.find_coding(unit(p, "KII-01", "Turnover"), "relevance.needs")[0]
        p.remove_coding(gone["id"], coder="clara")
    # merging back the copy that still has it must not restore it here
    report = merge_projects(Project.open(a), [b], coder="tester")
    assert report["merged"][0]["codings"]["removed_here"] == 1 and report["merged"][0]["codings"]["added"] == 0
    assert ("KII-01:2", "relevance.needs", "clara") not in _coded(a)
    # and merging this copy into the other carries the removal there
    with Project.open(b) as q:
        report = merge_projects(q, [a], coder="tester")
        assert report["merged"][0]["codings"]["removed"] == 1
        assert report["merged"][0]["codings"]["removed_by"] == {"clara": 1}
        assert report["totals"]["codings_removed"] == 1
        assert q.events(entity="coding")[-1]["action"] == "coding.merge_remove"
    assert _coded(a) == _coded(b)
    with Project.open(b) as q:  # nothing more to do the second time
        again = merge_projects(q, [a], coder="tester")["merged"][0]["codings"]
        assert (again["added"], again["removed"]) == (0, 0)


def test_a_coding_edited_after_the_other_copy_removed_it_is_kept(copies: tuple[Path, Path]) -> None:
    a, b = copies
    with Project.open(a) as p:
        p.remove_coding(p.find_coding(unit(p, "KII-01", "Our line"), "lessons")[0]["id"], coder="long")
    with Project.open(b) as q:
        kept = q.find_coding(unit(q, "KII-01", "Our line"), "lessons")[0]
        q.update_coding(kept["id"], coder="clara", memo="this is the lesson the report needs")
        report = merge_projects(q, [a], coder="tester")["merged"][0]["codings"]
        assert report["removed"] == 0 and report["kept_changed_here"] == 1
    with Project.open(a) as p:  # the edit is later than the removal: it comes back, with its memo
        assert merge_projects(p, [b], coder="tester")["merged"][0]["codings"]["added"] == 1
        assert p.find_coding(unit(p, "KII-01", "Our line"), "lessons")[0]["memo"] == \
            "this is the lesson the report needs"


def test_a_coding_added_again_after_its_removal_is_not_a_removal(copies: tuple[Path, Path]) -> None:
    a, b = copies
    with Project.open(a) as p:
        seg = unit(p, "KII-01", "The grievance")
        p.remove_coding(p.find_coding(seg, "relevance.needs")[0]["id"], coder="clara")
        undo(p, coder="clara")
    with Project.open(b) as q:
        assert merge_projects(q, [a], coder="tester")["merged"][0]["codings"]["removed"] == 0
    assert ("KII-01:3", "relevance.needs", "clara") in _coded(b)


def test_a_sample_removal_undone_in_one_copy_is_undone_in_the_other(copies: tuple[Path, Path]) -> None:
    # undo of a sample change was logged as "undo", which the merge did not read: the removal stayed in the other copy
    a, b = copies
    with Project.open(a) as p:
        remove_from_sample(p, "FGD-01", coder="clara")
    assert main(["merge", str(a), "-p", str(b)]) == 0
    with Project.open(b) as q:
        assert [r["transcript"] for r in sample_rows(q)] == ["KII-01"]
    with Project.open(a) as p:
        assert undo(p, coder="clara") is not None
        assert sorted(r["transcript"] for r in sample_rows(p)) == ["FGD-01", "KII-01"]
    assert main(["merge", str(a), "-p", str(b)]) == 0
    with Project.open(b) as q:
        assert sorted(r["transcript"] for r in sample_rows(q)) == ["FGD-01", "KII-01"]


def test_memo_deletions_and_the_agreement_sample_merge_too(copies: tuple[Path, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    a, b = copies
    with Project.open(a) as p:
        p.set_memo("segment", str(unit(p, "KII-01", "Turnover")), "", coder="clara")
        remove_from_sample(p, "FGD-01", coder="clara")
        p.remove_coding(p.find_coding(unit(p, "KII-01", "Turnover"), "relevance.needs")[0]["id"], coder="clara")
        p.remove_coding(p.find_coding(unit(p, "KII-01", "Our line"), "lessons")[0]["id"], coder="clara")
    assert main(["merge", str(a), "-p", str(b)]) == 0
    out = capsys.readouterr().out
    assert "2 codings removed by clara" in out and "1 memos deleted in that copy" in out
    assert "agreement sample: removed FGD-01" in out
    with Project.open(b) as q:
        assert q.memos("segment") == []
        assert [r["transcript"] for r in sample_rows(q)] == ["KII-01"]
