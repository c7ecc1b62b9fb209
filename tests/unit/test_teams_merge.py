"""Merging a colleague's copy of the project: matched by content, per coder, idempotent, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from teams_support import KII_TURNS, build_project, codebook, coder_copies, parsed, unit

from qualcode.actions.history import undo
from qualcode.errors import QualcodeError
from qualcode.reanchor import store_transcript
from qualcode.store import Project
from qualcode.teams.merge import merge_projects


@pytest.fixture
def two_copies(tmp_path: Path) -> tuple[Path, Path]:
    """The same project handed to two coders (as after 'qualcode example' or copying the folder)."""
    return coder_copies(tmp_path)


def _snapshot(project: Project) -> set[tuple[str, str, str, str, str | None]]:
    return {(c["ref"], c["code"], c["coder"], c["created"], c["memo"]) for c in project.codings()}


def test_merge_brings_the_other_coders_codings_and_memos_and_merging_twice_adds_nothing(
    two_copies: tuple[Path, Path],
) -> None:
    a_dir, b_dir = two_copies
    with Project.open(b_dir) as b:
        seg = unit(b, "KII-01", "Turnover")
        b.add_coding(seg, "relevance.needs", coder="long", memo="why the training came")
        b.add_coding(unit(b, "FGD-01", "Funding"), "sustainability.funding", coder="long")
        b.set_memo("segment", str(seg), "check with the HR register", coder="long")
        b.set_memo("code", "lessons", "keep lessons short", coder="long")
        theirs = _snapshot(b)
    with Project.open(a_dir) as a:
        a.add_coding(unit(a, "KII-01", "Turnover"), "relevance.needs", coder="clara")
        mine = _snapshot(a)
        report = merge_projects(a, [b_dir], coder="clara")
        r = report["merged"][0]
        assert r["transcripts"]["matched"] == [{"theirs": "FGD-01", "ours": "FGD-01"},
                                               {"theirs": "KII-01", "ours": "KII-01"}]
        assert r["codings"]["added"] == 2 and r["codings"]["by_coder"] == {"long": 2}
        assert r["codebook"]["same"] is True
        assert r["coders"]["new"] == ["long"]
        assert _snapshot(a) == mine | theirs  # both coders' codings, with date and memo, side by side
        assert {c["source"] for c in a.codings(coder="long")} == {"merge"}
        ev = [e for e in a.events(entity="coding") if e["action"] == "coding.merge"]
        assert len(ev) == 2 and {e["after"]["original_source"] for e in ev} == {"human"}
        memos = {(m["target_type"], m["coder"], m["text"]) for m in a.memos()}
        assert ("segment", "long", "check with the HR register") in memos
        assert ("code", "long", "keep lessons short") in memos

        again = merge_projects(a, [b_dir], coder="clara")
        r2 = again["merged"][0]
        assert r2["codings"]["added"] == 0 and r2["codings"]["already_here"] == 2
        assert r2["memos"]["added"] == 0 and r2["memos"]["already_here"] == 2
        assert _snapshot(a) == mine | theirs
        assert len(a.codings()) == 3
        assert [e["action"] for e in a.events(entity="project")].count("project.merge") == 2


def test_merged_codings_are_not_undone_by_their_coder(two_copies: tuple[Path, Path]) -> None:
    a_dir, b_dir = two_copies
    with Project.open(b_dir) as b:
        b.add_coding(unit(b, "KII-01", "Turnover"), "relevance.needs", coder="long")
    with Project.open(a_dir) as a:
        merge_projects(a, [b_dir], coder="clara")
        assert undo(a, coder="long") is None
        assert len(a.codings(coder="long")) == 1


def test_transcripts_only_in_the_other_project_come_in_with_speakers_and_cases(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a", with_fgd=False)
    b = build_project(tmp_path / "b", with_fgd=True)
    b.add_coding(unit(b, "FGD-01", "The toolkit"), "lessons", coder="long")
    b.close()
    report = merge_projects(a, [tmp_path / "b"], coder="clara")["merged"][0]
    assert report["transcripts"]["added"] == ["FGD-01"]
    assert set(report["cases"]["added"]) == {"FGD-01-Lan", "FGD-01-Hai"}
    assert a.transcript_text("FGD-01").startswith("Tell us about the training.")
    seg = a.segment(unit(a, "FGD-01", "The toolkit"))
    assert seg["case"] == "FGD-01-Hai" and seg["attributes"]["stakeholder_group"] == "Workers' organisation"
    assert [c["code"] for c in a.codings(coder="long")] == ["lessons"]
    a.close()


def test_a_renamed_transcript_is_matched_by_its_text(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a", with_fgd=False)
    b = Project.create(tmp_path / "b", codebook=codebook())
    b.add_transcript(parsed(KII_TURNS), "KII-1-tuan")  # same text, another id
    b.add_coding(unit(b, "KII-1-tuan", "Without funding"), "sustainability.funding", coder="long")
    b.close()
    report = merge_projects(a, [tmp_path / "b"], coder="tester")["merged"][0]
    assert report["transcripts"]["matched"] == [{"theirs": "KII-1-tuan", "ours": "KII-01"}]
    assert report["transcripts"]["added"] == []
    assert [c["ref"] for c in a.codings(coder="long")] == [a.segment(unit(a, "KII-01", "Without funding"))["ref"]]
    a.close()


def test_differences_are_reported_and_nothing_is_lost(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a", with_fgd=False)
    b = build_project(tmp_path / "b", with_fgd=False)
    # long added a code to the codebook and used it
    cb = codebook()
    from qualcode.model import Code

    cb.roots[1].children.append(Code(id="sustainability.ownership", name="Ownership", definition="Who owns it."))
    cb.reindex()
    b.set_codebook(cb)
    b.add_coding(unit(b, "KII-01", "The chamber"), "sustainability.ownership", coder="long")
    # and has a different text under an id this project also has
    changed = [(s, [x.replace("2021", "2020") for x in xs]) for s, xs in KII_TURNS]
    store_transcript(b, parsed(changed), "KII-01")
    b.add_coding(unit(b, "KII-01", "Turnover was very high in 2020"), "relevance.needs", coder="long")
    b.close()

    report = merge_projects(a, [tmp_path / "b"], coder="tester")["merged"][0]
    assert report["codebook"]["same"] is False
    assert report["codebook"]["change"]["added"] == ["sustainability.ownership"]
    assert report["codebook"]["codes_brought_in"] == ["sustainability.ownership"]
    assert report["transcripts"]["conflicts"][0]["id"] == "KII-01"
    # the ownership coding sits on an older version of KII-01 there whose text is identical to ours: it is placed
    got = {(c["code"], c["ref"]) for c in a.codings(coder="long")}
    assert ("sustainability.ownership", a.segment(unit(a, "KII-01", "The chamber"))["ref"]) in got
    # the coding on the changed sentence has no unit here: counted, not silently dropped
    assert report["codings"]["not_placed"] == 1
    a.close()


def test_dry_run_reports_without_writing(two_copies: tuple[Path, Path]) -> None:
    a_dir, b_dir = two_copies
    with Project.open(b_dir) as b:
        b.add_coding(unit(b, "KII-01", "Turnover"), "relevance.needs", coder="long")
    with Project.open(a_dir) as a:
        before = a.last_event_id()
        report = merge_projects(a, [b_dir], coder="tester", dry_run=True)
        assert report["dry_run"] and report["totals"]["codings_added"] == 1
        assert a.codings() == [] and a.last_event_id() == before
        # the project still works normally after the rolled-back merge
        a.add_coding(unit(a, "KII-01", "Turnover"), "relevance.needs", coder="long")
        assert len(a.codings(coder="long")) == 1


def test_merging_a_project_into_itself_or_a_missing_folder_is_refused(two_copies: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    a_dir, _ = two_copies
    with Project.open(a_dir) as a:
        with pytest.raises(QualcodeError, match="is this project"):
            merge_projects(a, [a_dir], coder="tester")
        with pytest.raises(QualcodeError, match="no qualcode project"):
            merge_projects(a, [tmp_path / "nowhere"], coder="tester")
