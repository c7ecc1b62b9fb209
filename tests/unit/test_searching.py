"""Search across transcripts reads the units once and keeps them, but never answers from units that changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbench_support import build_small_project, parsed

from qualcode.actions import views as wb
from qualcode.searching import project_index
from qualcode.store import Project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_small_project(tmp_path / "small")
    yield p
    p.close()


def refs(project: Project, query: str, **kwargs: object) -> list[str]:
    return [h["ref"] for h in wb.search_units(project, query, **kwargs)]  # type: ignore[arg-type]


def test_words_in_any_order_phrases_case_and_accents(project: Project) -> None:
    assert refs(project, "GRIEVANCE") == ["FGD-01:2", "KII-01:3"]
    assert refs(project, "data women") == ["FGD-01:5"]
    assert refs(project, '"data on women"') == ["FGD-01:5"]
    assert refs(project, '"women data"') == []
    hit = wb.search_units(project, "toolkit")[0]
    assert hit["text"][hit["match"][0]:hit["match"][1]].lower() == "toolkit"


def test_a_search_is_limited_to_one_transcript_or_to_informants(project: Project) -> None:
    assert refs(project, "grievance", transcript="KII-01") == ["KII-01:3"]
    assert refs(project, "women", include_interviewer=False) == ["KII-01:9"]
    assert refs(project, "women") == ["FGD-01:5", "KII-01:9"]
    assert len(wb.search_units(project, "the", limit=2)) == 2
    # one transcript's units, the first and the last transcript alike, and the limit counts its own units only
    everywhere = refs(project, "the", limit=1000)
    for tid in ("FGD-01", "KII-01"):
        assert refs(project, "the", transcript=tid) == [r for r in everywhere if r.startswith(tid + ":")]
        assert refs(project, "the", transcript=tid, limit=2) == [r for r in everywhere if r.startswith(tid + ":")][:2]


def test_a_transcript_imported_by_another_process_is_found_at_the_next_search(project: Project, tmp_path: Path) -> None:
    assert refs(project, "cooperative") == []
    first = project_index(project)
    assert project_index(project) is first  # kept while nothing changed
    with Project.open(project.path) as other:
        other.add_transcript(parsed([("Informant", ["The cooperative of Đà Nẵng kept the toolkit."])]), "KII-02",
                             title="Cooperative", coder="long")
    assert refs(project, "cooperative") == ["KII-02:1"]
    assert refs(project, "da nang") == ["KII-02:1"]  # accents folded
    assert project_index(project) is not first
