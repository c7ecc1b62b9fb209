"""The views: what the workbench and the listings show, callable without a screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbench_support import build_small_project

from qualcode.actions import views as wb
from qualcode.actions.coding import apply_code
from qualcode.actions.projects import resolve_workbench_project
from qualcode.errors import NotFoundError, ProjectError
from qualcode.folding import fold
from qualcode.store import Project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_small_project(tmp_path / "small")
    yield p
    p.close()


def test_transcript_rows_show_attributes_and_informant_progress(project: Project) -> None:
    apply_code(project, ["KII-01:3"], "relevance.needs_fit", coder="clara")
    # an interviewer unit (coded only when asked for): not progress
    apply_code(project, ["KII-01:1"], "relevance", coder="long", allow_interviewer=True)
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
    apply_code(project, ["KII-01:3"], "relevance.needs_fit", coder="clara")
    apply_code(project, ["KII-01:4"], "impact.relationships", coder="long")
    nxt = wb.next_uncoded_unit(project, "KII-01", after_idx=3, coder="clara")
    assert nxt is not None and nxt["ref"] == "KII-01:4"  # long's coding does not count for clara
    anyone = wb.next_uncoded_unit(project, "KII-01", after_idx=3)
    assert anyone is not None and anyone["ref"] == "KII-01:5"
    # wraps around past the end
    wrapped = wb.next_uncoded_unit(project, "KII-01", after_idx=9, coder="clara")
    assert wrapped is not None and wrapped["ref"] == "KII-01:4"


def test_next_uncoded_is_none_when_everything_is_coded(project: Project) -> None:
    refs = [u["ref"] for u in project.segments("FGD-01", include_interviewer=False)]
    apply_code(project, refs, "effectiveness.outputs", coder="clara")
    assert wb.next_uncoded_unit(project, "FGD-01", coder="clara") is None
    progress = wb.coding_progress(wb.transcript_units(project, "FGD-01"), coder="clara")
    assert progress == {"coded": 4, "total": 4, "not_codable": 0, "skipped": 0}


def test_progress_moved_by_changed_units_equals_counting_them_all(project: Project) -> None:
    units = wb.transcript_units(project, "FGD-01")
    before = wb.coding_progress(units, coder="clara")
    informant = [u for u in units if wb.is_codable(u)]
    changed = [{**informant[0], "codings": [{"code": "relevance", "coder": "clara"}]},
               {**informant[1], "marks": {"clara": "not_codable"}},
               {**informant[2], "marks": {"clara": "skipped"}, "codings": [{"code": "impact", "coder": "long"}]}]
    after = [next((c for c in changed if c["id"] == u["id"]), u) for u in units]
    moved = wb.progress_moved(before, informant[:3], changed, coder="clara")
    assert moved == wb.coding_progress(after, coder="clara") == {"coded": 1, "total": 3, "not_codable": 1,
                                                                  "skipped": 1}
    assert wb.progress_moved(moved, changed, informant[:3], coder="clara") == before


def test_search_finds_units_across_transcripts_ignoring_case_and_accents(project: Project) -> None:
    hits = wb.search_units(project, "GRIEVANCE")
    assert [h["ref"] for h in hits] == ["FGD-01:2", "KII-01:3"]
    assert hits[1]["text"][slice(*hits[1]["match"])].lower() == "grievance"
    assert [h["ref"] for h in wb.search_units(project, "women data")] == ["FGD-01:5"]
    assert [h["ref"] for h in wb.search_units(project, '"sex-disaggregated data"')] == ["FGD-01:6"]
    assert wb.search_units(project, "grievance", transcript="KII-01")[0]["ref"] == "KII-01:3"
    assert wb.search_units(project, "   ") == []
    assert fold("Bắc Ninh Đà") == "bac ninh da"


def test_search_lists_the_transcript_being_coded_first_within_the_limit(project: Project) -> None:
    # from KII-01, its unit before FGD-01's (the project's order), and a limit of one keeps KII-01's
    assert [h["ref"] for h in wb.search_units(project, "grievance", first="KII-01")] == ["KII-01:3", "FGD-01:2"]
    assert [h["ref"] for h in wb.search_units(project, "grievance", first="KII-01", limit=1)] == ["KII-01:3"]
    assert [h["ref"] for h in wb.search_units(project, "grievance", first="FGD-01")] == ["FGD-01:2", "KII-01:3"]


def test_code_counts(project: Project) -> None:
    apply_code(project, ["KII-01:3", "KII-01:4"], "relevance.needs_fit", coder="clara")
    apply_code(project, ["KII-01:3"], "relevance.needs_fit", coder="long")
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
    path, is_example = resolve_workbench_project(None)
    assert is_example and path == tmp_path / "home" / "example"
    again, _ = resolve_workbench_project(None)
    assert again == path and len(built) == 1  # reused, not rebuilt
    with pytest.raises(ProjectError, match="no qualcode project"):
        resolve_workbench_project(tmp_path / "nowhere")
    local = build_small_project(tmp_path / "here")
    local.close()
    monkeypatch.chdir(tmp_path / "here")
    assert resolve_workbench_project(None) == (tmp_path / "here", False)


def test_neighbours_are_the_units_either_side_in_the_same_transcript(project: Project) -> None:
    segs = project.segments("KII-01", include_interviewer=True)
    first, second, third = segs[0], segs[1], segs[2]
    before, after = wb.neighbours(project, int(second["id"]))
    assert before is not None and after is not None
    assert (before["text"], after["text"]) == (first["text"], third["text"])
    assert wb.neighbours(project, int(first["id"]))[0] is None
    last_before, last_after = wb.neighbours(project, int(segs[-1]["id"]))
    assert last_after is None and last_before is not None and last_before["text"] == segs[-2]["text"]
    assert wb.neighbours(project, 999_999) == (None, None)


def test_the_codebook_tree_counts_what_the_workbench_counts(project: Project) -> None:
    apply_code(project, ["KII-01:3", "KII-01:4"], "relevance.needs_fit", coder="clara")
    apply_code(project, ["KII-01:3"], "relevance", coder="long")
    tree = wb.codebook_tree(project)
    flat: dict[str, int] = {}

    def walk(code: dict[str, object]) -> None:
        flat[str(code["id"])] = int(code["codings"])  # type: ignore[call-overload]
        for child in code["children"]:  # type: ignore[attr-defined]
            walk(child)

    for root in tree["codes"]:
        walk(root)
    counts = wb.code_counts(project)
    assert {k: v for k, v in flat.items() if v} == counts == {"relevance.needs_fit": 2, "relevance": 1}
    assert tree["name"] == project.codebook().name and len(flat) == len(project.codebook())


def test_cases_hide_names_unless_asked(project: Project) -> None:
    rows = {r["id"]: r for r in wb.cases(project)}
    assert "name" not in rows["KII-01"]
    assert (rows["KII-01"]["stakeholder_group"], rows["KII-01"]["location"]) == ("Factories", "Hai Phong")
    assert rows["FGD-01-P2"]["transcripts"] == ["FGD-01"]
    named = {r["id"]: r for r in wb.cases(project, show_names=True)}
    assert named["KII-01"]["name"] == "Nguyen Van A"


def test_transcript_list_shows_type_and_informant_progress(project: Project) -> None:
    apply_code(project, ["KII-01:3", "KII-01:4"], "relevance", coder="clara")
    rows = {r["id"]: r for r in wb.transcript_list(project)}
    assert (rows["KII-01"]["type"], rows["KII-01"]["progress"]) == ("KII", "2/6")
    assert rows["FGD-01"]["progress"] == "0/4"
    assert wb.transcript_list(project, documents=True) == []


def test_segment_list_shows_marks_and_pseudonymises_speaker_names(project: Project) -> None:
    from qualcode.actions.coding import mark_unit

    mark_unit(project, "FGD-01:2", "not_codable", coder="clara")
    mark_unit(project, "FGD-01:2", "skipped", coder="long")
    rows = {r["ref"]: r for r in wb.segment_list(project, "FGD-01")}
    assert rows["FGD-01:2"]["segment"] == rows["FGD-01:2"]["id"]
    assert rows["FGD-01:2"]["marks"] == [{"coder": "clara", "mark": "not_codable"},
                                         {"coder": "long", "mark": "skipped"}]
    assert "Hoa" not in {r["speaker"] for r in rows.values()}  # a label that is a name shows as the pseudonym
    assert "Hoa" in {r["speaker"] for r in wb.segment_list(project, "FGD-01", show_names=True)}
    assert "FGD-01:1" not in {r["ref"] for r in wb.segment_list(project, "FGD-01", informants_only=True)}


def test_coding_list_counts_marks_as_decisions_only_when_asked(project: Project) -> None:
    from qualcode.actions.coding import mark_unit

    apply_code(project, ["KII-01:3"], "relevance", coder="clara")
    mark_unit(project, "KII-01:4", "not_codable", coder="clara")
    assert [r["ref"] for r in wb.coding_list(project, transcript="KII-01")] == ["KII-01:3"]
    listed = wb.coding_list(project, transcript="KII-01", marks=True)
    assert [(r["ref"], r["code"], r["source"]) for r in listed] == [
        ("KII-01:3", "relevance", "human"), ("KII-01:4", "-", "not codable")]
    assert [r["ref"] for r in wb.coding_list(project, code="relevance", marks=True)] == ["KII-01:3"]
    with pytest.raises(NotFoundError):
        wb.coding_list(project, transcript="KII-99")


def test_the_event_log_withholds_names_unless_asked(project: Project) -> None:
    from qualcode.actions.coding import set_memo

    set_memo(project, "segment", "KII-01:3", "Nguyen Van A was very open.", coder="clara")
    shown = wb.event_log(project, entity="memo")[-1]
    assert "Nguyen Van A" not in str(shown["after"])
    assert "Nguyen Van A" in str(wb.event_log(project, entity="memo", show_names=True)[-1]["after"])
    assert len(wb.event_log(project, limit=2)) == 2


@pytest.mark.parametrize(("reason", "shown"), [
    ("uncertain between efficiency.coordination (0.34) and efficiency (0.25)",
     "uncertain between Coordination, management and communication of the partnership and Efficiency"),
    ("probably off-topic (best: sustainability.funding 0.12)", "probably off-topic (best: Funding to continue)"),
    ("likely impact.policy (0.62), a code with only 3 coded unit(s)",
     "likely Influence on policy, laws and guidelines, a code with only 3 coded unit(s)"),
    ("unsure whether efficiency applies (0.45)", "unsure whether Efficiency applies"),
    ("likely retired.code (0.70)", "likely retired.code"),  # a code the codebook no longer has keeps its id
])
def test_the_queues_reason_names_its_codes_without_the_scores_of_the_ordering(reason: str, shown: str) -> None:
    from qualcode.actions.views import queue_reason
    from qualcode.codebook import default_codebook_path, load_codebook

    assert queue_reason(reason, load_codebook(default_codebook_path())) == shown
