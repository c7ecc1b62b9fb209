"""Store-level guarantees found by the crash tests: coding ids are never reused, so the log and undo stay right."""

from __future__ import annotations

from pathlib import Path

from qualcode.actions.history import undo
from qualcode.store import Project
from reliability.builders import make_project


def test_a_removed_codings_id_is_never_given_to_a_new_coding(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    first = project.add_coding("KII-01:2", "relevance", coder="ana")
    project.remove_coding(first["id"], coder="ana")
    second = project.add_coding("KII-01:3", "effectiveness", coder="binh")
    assert second["id"] != first["id"]


def test_undoing_a_removal_after_another_coder_added_restores_the_right_coding(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    first = project.add_coding("KII-01:2", "relevance", coder="ana", memo="ana's reading")
    project.remove_coding(first["id"], coder="ana")
    other = project.add_coding("KII-01:3", "effectiveness", coder="binh", memo="binh's reading")
    undo(project, coder="ana")
    got = {(c["ref"], c["code"], c["coder"], c["memo"]) for c in project.codings()}
    assert got == {("KII-01:2", "relevance", "ana", "ana's reading"),
                   ("KII-01:3", "effectiveness", "binh", "binh's reading")}
    assert other["id"] in {c["id"] for c in project.codings()}


def test_ids_stay_unique_after_reopening(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    ids = []
    for _ in range(3):
        c = project.add_coding("KII-01:4", "sustainability", coder="ana")
        ids.append(c["id"])
        project.remove_coding(c["id"], coder="ana")
        project.close()
        project = Project.open(tmp_path / "p")
    assert len(set(ids)) == 3
    project.close()
