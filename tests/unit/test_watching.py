"""Following the event log: what another process changed, without reading the whole project again."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbench_support import build_small_project, parsed

from qualcode.actions import coding, history
from qualcode.store import Project
from qualcode.watching import changes_since


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_small_project(tmp_path / "small")
    yield p
    p.close()


def test_codings_memos_and_marks_name_their_units_and_move_the_counts(project: Project) -> None:
    start = project.last_event_id()
    coding.apply_code(project, ["KII-01:3", "KII-01:4"], "sustainability.funding", coder="long")
    coding.remove_code(project, "KII-01:4", "sustainability.funding", coder="long", coded_by="long")
    coding.apply_code(project, ["KII-01:5"], "impact", coder="long")
    coding.set_memo(project, "segment", "KII-01:7", "check", coder="long")
    coding.mark_unit(project, "KII-01:8", "not_codable", coder="long")
    found = changes_since(project, start)
    ids = {project.resolve_segment(r) for r in ("KII-01:3", "KII-01:4", "KII-01:5", "KII-01:7", "KII-01:8")}
    assert found.segments == ids
    assert found.code_deltas == {"sustainability.funding": 1, "impact": 1}
    assert found.codings_changed and not found.full
    assert found.last == project.last_event_id()


def test_undo_counts_like_any_change(project: Project) -> None:
    coding.apply_code(project, ["KII-01:3"], "impact", coder="long")
    start = project.last_event_id()
    history.undo(project, coder="long")
    found = changes_since(project, start)
    assert found.code_deltas == {"impact": -1}
    assert found.segments == {project.resolve_segment("KII-01:3")}


def test_own_events_are_skipped_and_other_kinds_ask_for_a_full_read(project: Project) -> None:
    start = project.last_event_id()
    coding.apply_code(project, ["KII-01:3"], "impact", coder="clara")
    own = project.last_event_id()
    assert changes_since(project, start, skip=lambda i: i <= own).empty
    project.add_transcript(parsed([("Informant", ["A new interview."])]), "KII-02", title="New", coder="long")
    assert changes_since(project, own).full
    assert changes_since(project, project.last_event_id()).empty
