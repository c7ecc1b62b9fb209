"""How the main screens look, at fixed terminal sizes (pytest-textual-snapshot; update with --snapshot-update)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from workbench_support import use_fixed_suggestions

from qualcode.store import Project
from qualcode.tui import QualcodeApp


@pytest.fixture
def coded(store: Project) -> Project:
    """Two coders' codings and a memo, so chips, colours and the memo line show."""
    store.add_coding("KII-01:3", "relevance.needs_fit", coder="clara")
    store.add_coding("KII-01:3", "effectiveness.outcomes", coder="long")
    store.add_coding("KII-01:4", "impact.social_dialogue", coder="clara")
    store.set_memo("segment", str(store.resolve_segment("KII-01:4")), "strikes avoided: ask for figures",
                   coder="clara")
    return store


@pytest.fixture
def fixed_suggestions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Suggestions and queue order that do not move when the model is tuned: these snapshots are about looks."""
    from qualcode.actions import views as wb

    plain_queue = wb.uncoded_queue

    def queue(project: Project, **kwargs: Any) -> list[dict[str, Any]]:
        units = plain_queue(project, **{**kwargs, "ordered": False})
        return [{**u, "reason": "uncertain between two codes"} for u in reversed(units)]

    use_fixed_suggestions(monkeypatch, [
        {"code": "sustainability.funding", "score": 0.81, "why": "keywords: funding; like a codebook example",
         "model_version": "fixed"},
        {"code": "effectiveness.outputs", "score": 0.34, "why": "terms from the definition: training",
         "model_version": "fixed"},
    ])
    monkeypatch.setattr(wb, "uncoded_queue", queue)


def snap(snap_compare: Any, app: QualcodeApp, size: tuple[int, int], press: list[str] | None = None,
         theme: str | None = None) -> bool:
    async def before(pilot: Any) -> None:
        if theme:
            app.theme = theme
        await app.settled(timeout=120)
        await pilot.pause()

    async def after_keys(pilot: Any) -> None:
        await before(pilot)
        for key in press or []:
            await pilot.press(key)
        await app.settled(timeout=120)
        await pilot.pause()

    return bool(snap_compare(app, terminal_size=size, run_before=after_keys))


def test_project_view_100x30(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(), (100, 30))


def test_project_view_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(), (80, 24))


def test_project_view_200x50(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(), (200, 50))


def test_transcript_view_100x30(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(transcript="KII-01"), (100, 30), ["k"])


def test_transcript_view_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(transcript="KII-01"), (80, 24), ["k"])


def test_transcript_view_light_theme_80x24(snap_compare: Any, make: Callable[..., QualcodeApp],
                                           coded: Project) -> None:
    assert snap(snap_compare, make(transcript="KII-01"), (80, 24), ["k"], theme="textual-light")


def test_transcript_view_with_suggestions_and_a_selection_120x40(
        snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project, fixed_suggestions: None) -> None:
    app = make(transcript="KII-01", suggestions=True)
    assert snap(snap_compare, app, (120, 40), ["j", "v", "j", "j"])


def test_code_picker_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(transcript="KII-01"), (80, 24), ["c", "s", "u", "s", "t"])


def test_search_results_100x30(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(transcript="KII-01"), (100, 30), ["slash", *"grievance", "enter"])


def test_memo_editor_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(transcript="KII-01"), (80, 24), ["m"])


def test_keys_help_100x30(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    assert snap(snap_compare, make(transcript="KII-01"), (100, 30), ["question_mark"])


def test_queue_mode_100x30(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project,
                           fixed_suggestions: None) -> None:
    assert snap(snap_compare, make(queue_mode=True, suggestions=True), (100, 30))


def test_transcript_view_with_suggestions_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project,
                                               fixed_suggestions: None) -> None:
    """The smallest terminal: the unit, every suggestion readable on its line, every key in the key bar."""
    assert snap(snap_compare, make(transcript="KII-01", suggestions=True), (80, 24))


def test_transcript_view_with_suggestions_200x50(snap_compare: Any, make: Callable[..., QualcodeApp],
                                                 coded: Project, fixed_suggestions: None) -> None:
    """A wide terminal: the side panels take the room, with the suggestions' names and reasons in full."""
    assert snap(snap_compare, make(transcript="KII-01", suggestions=True), (200, 50))


def test_queue_mode_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project,
                          fixed_suggestions: None) -> None:
    assert snap(snap_compare, make(queue_mode=True, suggestions=True), (80, 24))


def test_queue_mode_200x50(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project,
                           fixed_suggestions: None) -> None:
    assert snap(snap_compare, make(queue_mode=True, suggestions=True), (200, 50))


def test_project_view_with_a_long_transcript_id_80x24(snap_compare: Any, make: Callable[..., QualcodeApp],
                                                      coded: Project) -> None:
    """A file name as id does not push the progress off an 80-column screen."""
    from workbench_support import parsed

    coded.add_transcript(parsed([("Interviewer", ["Thank you."]), ("Informant", ["We trained the line leaders."])]),
                         "Phong-van-Da-Nang-2024-03-12-HR-manager-factory-B", title="Interview", coder="clara")
    assert snap(snap_compare, make(), (80, 24))


def test_marked_units_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    """A unit marked not codable and one skipped for now, as the transcript view shows them."""
    from qualcode.actions.coding import mark_unit

    mark_unit(coded, "KII-01:5", "not_codable", coder="clara")
    mark_unit(coded, "KII-01:7", "skipped", coder="clara")
    assert snap(snap_compare, make(transcript="KII-01"), (80, 24), ["j", "j"])


def test_marked_units_200x50(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    """The marks at full width: the mark's words under the unit, the units' text using the width."""
    from qualcode.actions.coding import mark_unit

    mark_unit(coded, "KII-01:5", "not_codable", coder="clara")
    mark_unit(coded, "KII-01:7", "skipped", coder="clara")
    assert snap(snap_compare, make(transcript="KII-01"), (200, 50), ["j", "j"])


def test_code_picker_ranking_200x50(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    """'outc' puts the code named by it first, each entry saying why it matched, at full width."""
    assert snap(snap_compare, make(transcript="KII-01"), (200, 50), ["c", "o", "u", "t", "c"])


def test_selection_ending_on_a_question_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project,
                                              fixed_suggestions: None) -> None:
    """A selection over an answer and the next question numbers the answer's suggestions, and says whose they are."""
    app = make(transcript="KII-01", suggestions=True)
    assert snap(snap_compare, app, (80, 24), ["g", "j", "j", "j", "v", "j", "j"])


def test_speakers_dialog_80x24(snap_compare: Any, make: Callable[..., QualcodeApp], coded: Project) -> None:
    # every column in the dialog's width, the last one's cells cut with a mark
    assert snap(snap_compare, make(), (80, 24), ["R"])
