"""Themes within a criterion: deterministic for a seed, every passage in one theme, quotes pseudonymised."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import build_project

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.synthesis.themes import themes


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def test_themes_are_deterministic_and_cover_every_passage_once(project) -> None:  # type: ignore[no-untyped-def]
    a = themes(project, criterion="relevance", k=3, seed=7)
    b = themes(project, criterion="relevance", k=3, seed=7)
    assert a == b
    refs = [r for t in a["themes"] for r in t["refs"]]
    assert len(refs) == len(set(refs)) == a["passages"] == 8
    assert sum(t["size"] for t in a["themes"]) == 8
    for t in a["themes"]:
        assert t["terms"] and t["quotes"] and sum(t["groups"].values()) == t["size"]


def test_grievance_passages_share_a_theme(project) -> None:  # type: ignore[no-untyped-def]
    result = themes(project, criterion="relevance", k=2, seed=0)
    grievance = [t for t in result["themes"] if any("grievance" in term for term in t["terms"])]
    assert grievance, result["themes"]
    quotes = " ".join(q["text"] for q in grievance[0]["quotes"]).lower()
    assert "grievance" in quotes


def test_representative_quotes_are_pseudonymised(project) -> None:  # type: ignore[no-untyped-def]
    result = themes(project, criterion="relevance", k=1, top_quotes=10)
    text = " ".join(q["text"] for t in result["themes"] for q in t["quotes"])
    assert "Nguyen Thi Hoa" not in text and "[informant KII-01]" in text
    assert all(q["attribution"].startswith(("Interview", "FGD")) for t in result["themes"] for q in t["quotes"])
    named = themes(project, criterion="relevance", k=1, top_quotes=10, show_names=True)
    assert "Nguyen Thi Hoa" in " ".join(q["text"] for t in named["themes"] for q in t["quotes"])


def test_no_quotes_or_no_target_is_a_clear_error(project) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError, match="no coded quotes"):
        themes(project, criterion="impact")
    with pytest.raises(QualcodeError, match="--criterion"):
        themes(project)
