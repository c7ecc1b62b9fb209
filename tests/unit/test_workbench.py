"""The workbench core: what the coding UI does, callable without a screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbench_support import build_small_project

from qualcode import workbench as wb
from qualcode.actions.history import undo
from qualcode.errors import ConflictError, NotFoundError, ProjectError
from qualcode.store import Project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_small_project(tmp_path / "small")
    yield p
    p.close()


def test_transcript_rows_show_attributes_and_informant_progress(project: Project) -> None:
    wb.apply_code(project, ["KII-01:3"], "relevance.needs_fit", coder="clara")
    wb.apply_code(project, ["KII-01:1"], "relevance", coder="long")  # an interviewer unit: not progress
    rows = {r["id"]: r for r in wb.transcript_rows(project, coder="clara")}
    kii = rows["KII-01"]
    assert (kii["type"], kii["groups"], kii["location"]) == ("KII", ["Factories"], "Hai Phong")
    assert (kii["coded"], kii["total"], kii["mine"]) == (1, 6, 1)
    assert kii["coders"] == ["clara", "long"]
    assert rows["FGD-01"]["groups"] == ["Factories", "Workers' organisation"]


def test_filter_and_sort_transcripts(project: Project) -> None:
    rows = wb.transcript_rows(project)
    assert [r["id"] for r in wb.filter_transcripts(rows, "bac ninh")] == ["FGD-01"]
    assert [r["id"] for r in wb.filter_transcripts(rows, "workers")] == ["FGD-01"]
    assert [r["id"] for r in wb.filter_transcripts(rows, "hai")] == ["KII-01"]
    assert [r["id"] for r in wb.sort_transcripts(rows, "location")] == ["FGD-01", "KII-01"]
    assert [r["id"] for r in wb.sort_transcripts(rows, "id", reverse=True)] == ["KII-01", "FGD-01"]
    with pytest.raises(Exception, match="cannot sort by"):
        wb.sort_transcripts(rows, "colour")


def test_next_uncoded_skips_interviewer_units_and_the_coders_own_codings(project: Project) -> None:
    first = wb.next_uncoded_unit(project, "KII-01", coder="clara")
    assert first is not None and first["ref"] == "KII-01:3"  # units 1-2 are the interviewer's
    wb.apply_code(project, ["KII-01:3"], "relevance.needs_fit", coder="clara")
    wb.apply_code(project, ["KII-01:4"], "impact.relationships", coder="long")
    nxt = wb.next_uncoded_unit(project, "KII-01", after_idx=3, coder="clara")
    assert nxt is not None and nxt["ref"] == "KII-01:4"  # long's coding does not count for clara
    anyone = wb.next_uncoded_unit(project, "KII-01", after_idx=3)
    assert anyone is not None and anyone["ref"] == "KII-01:5"
    # wraps around past the end
    wrapped = wb.next_uncoded_unit(project, "KII-01", after_idx=9, coder="clara")
    assert wrapped is not None and wrapped["ref"] == "KII-01:4"


def test_next_uncoded_is_none_when_everything_is_coded(project: Project) -> None:
    refs = [u["ref"] for u in project.segments("FGD-01", include_interviewer=False)]
    wb.apply_code(project, refs, "effectiveness.outputs", coder="clara")
    assert wb.next_uncoded_unit(project, "FGD-01", coder="clara") is None
    assert wb.coding_progress(wb.transcript_units(project, "FGD-01"), coder="clara") == {"coded": 4, "total": 4}


def test_apply_code_to_a_span_is_one_transaction_and_skips_units_already_coded(project: Project) -> None:
    wb.apply_code(project, ["KII-01:4"], "sustainability", coder="clara")
    result = wb.apply_code(project, ["KII-01:3", "KII-01:4", "KII-01:5"], "sustainability", coder="clara")
    assert len(result["added"]) == 2 and len(result["skipped"]) == 1
    coded = sorted(c["ref"] for c in project.codings(code="sustainability"))
    assert coded == ["KII-01:3", "KII-01:4", "KII-01:5"]
    with pytest.raises(ConflictError, match="already carry"):
        wb.apply_code(project, ["KII-01:3"], "sustainability", coder="clara")


def test_apply_code_with_unknown_code_changes_nothing(project: Project) -> None:
    with pytest.raises(NotFoundError, match="no code"):
        wb.apply_code(project, ["KII-01:3", "KII-01:4"], "sustainabilty", coder="clara")
    assert project.codings() == []


def test_remove_code_touches_only_this_coders_coding(project: Project) -> None:
    wb.apply_code(project, ["KII-01:6"], "sustainability.funding", coder="clara")
    wb.apply_code(project, ["KII-01:6"], "sustainability.funding", coder="long")
    wb.remove_code(project, "KII-01:6", "sustainability.funding", coder="clara")
    assert [c["coder"] for c in project.codings(segment=project.resolve_segment("KII-01:6"))] == ["long"]
    with pytest.raises(NotFoundError, match="has no code"):
        wb.remove_code(project, "KII-01:6", "sustainability.funding", coder="clara")


def test_undo_after_remove_restores_the_coding(project: Project) -> None:
    wb.apply_code(project, ["KII-01:6"], "sustainability.funding", coder="clara")
    wb.remove_code(project, "KII-01:6", "sustainability.funding", coder="clara")
    undo(project, coder="clara")
    assert [c["ref"] for c in project.codings(coder="clara")] == ["KII-01:6"]


def test_unit_memo_is_shown_with_the_units(project: Project) -> None:
    wb.set_unit_memo(project, "KII-01:5", "Ask the chamber about funding", coder="clara")
    units = {u["ref"]: u for u in wb.transcript_units(project, "KII-01")}
    assert units["KII-01:5"]["memos"] == {"clara": "Ask the chamber about funding"}
    wb.set_unit_memo(project, "KII-01:5", "", coder="clara")
    assert wb.transcript_units(project, "KII-01")[4]["memos"] == {}


def test_search_finds_units_across_transcripts_ignoring_case_and_accents(project: Project) -> None:
    hits = wb.search_units(project, "GRIEVANCE")
    assert [h["ref"] for h in hits] == ["FGD-01:2", "KII-01:3"]
    assert hits[1]["text"][slice(*hits[1]["match"])].lower() == "grievance"
    assert [h["ref"] for h in wb.search_units(project, "women data")] == ["FGD-01:5"]
    assert [h["ref"] for h in wb.search_units(project, '"sex-disaggregated data"')] == ["FGD-01:6"]
    assert wb.search_units(project, "grievance", transcript="KII-01")[0]["ref"] == "KII-01:3"
    assert wb.search_units(project, "   ") == []
    assert wb.fold("Bắc Ninh Đà") == "bac ninh da"


def test_code_counts(project: Project) -> None:
    wb.apply_code(project, ["KII-01:3", "KII-01:4"], "relevance.needs_fit", coder="clara")
    wb.apply_code(project, ["KII-01:3"], "relevance.needs_fit", coder="long")
    assert wb.code_counts(project) == {"relevance.needs_fit": 3}
    assert wb.code_counts(project, coder="long") == {"relevance.needs_fit": 1}


def test_fuzzy_codes_tolerate_abbreviations_and_typos(project: Project) -> None:
    cb = project.codebook()
    assert wb.fuzzy_codes(cb, "eff outp")[0][0].id == "effectiveness.outputs"
    assert wb.fuzzy_codes(cb, "fundng")[0][0].id == "sustainability.funding"
    assert [c.id for c, _ in wb.fuzzy_codes(cb, "")][:2] == ["relevance", "relevance.needs_fit"]
    only = wb.fuzzy_codes(cb, "", only=["impact.policy", "relevance"])
    assert [c.id for c, _ in only] == ["relevance", "impact.policy"]
    assert wb.fuzzy_codes(cb, "zzzzqqq") == []


def test_workbench_opens_the_example_copy_when_no_project_is_given(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    built: list[Path] = []

    def fake_build(dest: Path, force: bool = False) -> dict:  # the real example is slow; its shape is not at stake
        build_small_project(Path(dest)).close()
        built.append(Path(dest))
        return {}

    monkeypatch.setattr("qualcode.project_io.build_example", fake_build)
    monkeypatch.setenv("QUALCODE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    path, is_example = wb.resolve_workbench_project(None)
    assert is_example and path == tmp_path / "home" / "example"
    again, _ = wb.resolve_workbench_project(None)
    assert again == path and len(built) == 1  # reused, not rebuilt
    with pytest.raises(ProjectError, match="no qualcode project"):
        wb.resolve_workbench_project(tmp_path / "nowhere")
    local = build_small_project(tmp_path / "here")
    local.close()
    monkeypatch.chdir(tmp_path / "here")
    assert wb.resolve_workbench_project(None) == (tmp_path / "here", False)


def test_neighbours_are_the_units_either_side_in_the_same_transcript(project: Project) -> None:
    segs = project.segments("KII-01", include_interviewer=True)
    first, second, third = segs[0], segs[1], segs[2]
    before, after = wb.neighbours(project, int(second["id"]))
    assert (before["text"], after["text"]) == (first["text"], third["text"])
    assert wb.neighbours(project, int(first["id"]))[0] is None
    last_before, last_after = wb.neighbours(project, int(segs[-1]["id"]))
    assert last_after is None and last_before["text"] == segs[-2]["text"]
    assert wb.neighbours(project, 999_999) == (None, None)
