"""Undo never takes back an import: imported codings are logged as ``coding.import``, which is not undoable, and
projects whose log predates that action (imports logged as ``coding.add`` with source "import") behave the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import make_codebook, make_transcript

from qualcode.actions.history import redo, undo
from qualcode.project_io import import_codings_table
from qualcode.store import Project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = Project.create(tmp_path / "proj", codebook=make_codebook())
    p.add_transcript(make_transcript(), "KII-01", coder="ana")
    yield p
    p.close()


def _table(tmp_path: Path) -> Path:
    path = tmp_path / "coded.csv"
    path.write_text("quote,code,coder,transcript\nThe course was useful.,relevance,ana,KII-01\n", encoding="utf-8")
    return path


def _codes(project: Project) -> list[tuple[str, str]]:
    return [(c["ref"], c["code"]) for c in project.codings()]


def test_undo_after_an_import_takes_back_the_coders_own_coding_not_the_import(project: Project,
                                                                            tmp_path: Path) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    assert import_codings_table(project, _table(tmp_path), default_coder="tester")["added"] == 1

    result = undo(project, coder="ana")

    assert result is not None and result["action"] == "coding.add" and result["state"] is None
    assert _codes(project) == [("KII-01:3", "relevance")]
    assert undo(project, coder="ana") is None
    assert _codes(project) == [("KII-01:3", "relevance")]


def test_imported_codings_are_logged_as_coding_import_with_their_source(project: Project, tmp_path: Path) -> None:
    import_codings_table(project, _table(tmp_path), default_coder="tester")
    ev = project.events(entity="coding")[-1]
    assert ev["action"] == "coding.import" and ev["coder"] == "ana"
    assert ev["after"]["source"] == "import" and ev["after"]["code_id"] == "relevance"
    assert ev["action_group"] is None  # not part of any undo step


def test_an_import_logged_the_old_way_is_still_not_undone(project: Project) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    # what an older qualcode wrote for an imported coding (the log is append-only, so it is written, not rewritten)
    with project.transaction():
        seg = project.resolve_segment("KII-01:3")
        cur = project.db.execute(
            "INSERT INTO codings (segment_id, code_id, coder_id, created, source) VALUES"
            " (?, 'relevance', ?, '2024-01-01T00:00:00Z', 'import')",
            (seg, project.coder_id("ana")),
        )
        state = project.coding_state(int(cur.lastrowid or 0))
        project.log_event("coding.add", "coding", cur.lastrowid, coder="ana", after=state)

    undo(project, coder="ana")

    assert _codes(project) == [("KII-01:3", "relevance")]
    assert undo(project, coder="ana") is None


def test_redo_after_an_import_reapplies_the_undone_coding(project: Project, tmp_path: Path) -> None:
    project.add_coding("KII-01:2", "efficiency", coder="ana")
    undo(project, coder="ana")
    # not an action of ana's: it does not clear her redo
    import_codings_table(project, _table(tmp_path), default_coder="tester")

    assert redo(project, coder="ana") is not None
    assert sorted(_codes(project)) == [("KII-01:2", "efficiency"), ("KII-01:3", "relevance")]


def test_a_quote_said_in_two_places_is_refused_not_coded_where_it_is_first(project: Project, tmp_path: Path) -> None:
    from qualcode.errors import InputError

    project.add_transcript(make_transcript("Yes, very much. Yes, very much."), "KII-02", coder="ana")
    path = tmp_path / "short.csv"
    path.write_text("quote,code,transcript\nThe course was useful.,efficiency,KII-01\n"
                    "\"Yes, very much.\",relevance,KII-02\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"more than one place in KII-02 \(KII-02:2, KII-02:3\)") as err:
        import_codings_table(project, path, default_coder="tester")
    assert "line 3" in str(err.value) or err.value.line == 3
    assert project.codings() == []  # nothing written, not even the table's first line


@pytest.mark.parametrize(("answer", "quote"), [
    ("Fine, Fine. Fine.", "Fine"),  # said twice in one unit, then again in another
    ("Go on. Go on. Go on.", "on. Go"),  # first over both units of the answer, then inside the second only
], ids=["a third place", "places sharing some units only"])
def test_a_quote_whose_places_are_not_all_on_the_same_units_is_refused(project: Project, tmp_path: Path, answer: str,
                                                                       quote: str) -> None:
    from qualcode.errors import InputError

    project.add_transcript(make_transcript(answer), "KII-02", coder="ana")
    path = tmp_path / "short.csv"
    path.write_text(f"quote,code,transcript\n{quote},relevance,KII-02\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"more than one place in KII-02 \(KII-02:2, KII-02:3\)"):
        import_codings_table(project, path, default_coder="tester")
    assert project.codings() == []


def test_a_quote_over_a_question_and_its_answer_codes_the_answer_only(project: Project, tmp_path: Path) -> None:
    from qualcode.errors import InputError

    path = tmp_path / "asked.csv"
    path.write_text('quote,code,transcript\n"What did the project do?\n\nWe trained 300 workers.",relevance,KII-01\n',
                    encoding="utf-8")
    report = import_codings_table(project, path, default_coder="tester")
    assert _codes(project) == [("KII-01:2", "relevance")]
    assert report["warnings"] == ["1 quote(s) also covered the interviewer's words: only the informants' units are"
                                  " coded"]
    path.write_text("quote,code,transcript\nWhat did the project do?,efficiency,KII-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="interviewer's question, not evidence"):
        import_codings_table(project, path, default_coder="tester")
