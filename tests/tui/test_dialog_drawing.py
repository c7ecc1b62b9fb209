"""How dialogs reach the screen: the view behind them as it is, and what they show drawn at once, not a frame later."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.strip import Strip
from textual.widgets import OptionList
from workbench_support import transcript_screen

from qualcode.tui import QualcodeApp
from qualcode.tui.backdrop import dimmed_picture
from qualcode.tui.dialogs import CodePicker, Dialog, SearchScreen
from qualcode.tui.host import BACKDROP_PAUSE_SECONDS, WorkbenchScreen
from qualcode.tui.queue_screen import QueueScreen
from qualcode.tui.screens import TranscriptScreen

SIZE = (100, 30)


def frames(app: QualcodeApp) -> list[int]:
    """A counter of the frames the app draws to the terminal from now on."""
    count = [0]
    display = app._display

    def counted(*args: Any) -> None:
        count[0] += 1
        display(*args)

    app._display = counted  # type: ignore[method-assign, assignment]
    return count


def cells(lines: list[Strip]) -> list[list[tuple[str, Any]]]:
    return [[(segment.text, segment.style) for segment in line] for line in lines]


async def test_search_results_are_drawn_in_one_frame(make: Callable[..., QualcodeApp]) -> None:
    # the dialog grows to list them: it was laid out and drawn again a frame later, the results a third time
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"the")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        drawn = frames(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert search.hits and search.query_one("#search-results").option_count == len(search.hits)  # type: ignore[attr-defined]
        assert drawn[0] == 1
        box = search.query_one("#search").region
        assert box.height > 10 and search.query_one("#search-count").region.bottom <= box.bottom


async def test_a_dialog_shows_the_view_behind_it_as_it_is_after_a_pause_or_right_after_a_move(
        make: Callable[..., QualcodeApp]) -> None:
    # the picture of the view a dialog dims behind it is taken in a pause, before the dialog opens: it must be the
    # view as it is when the dialog opens, not as it was before the last key
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        for keys, pause in ((("j",), True), (("j",), False), (("k", "k"), False)):
            await pilot.press(*keys)
            await pilot.pause()
            if pause:
                await asyncio.sleep(3 * BACKDROP_PAUSE_SECONDS)
                assert screen.current_backdrop() is not None  # taken in the pause
            expected = cells(dimmed_picture(screen).lines)
            await pilot.press("c")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, CodePicker) and isinstance(picker, Dialog)
            assert picker._backdrop is not None and cells(picker._backdrop) == expected
            assert "Apply code to " + str(screen.view.current["ref"]) in str(  # type: ignore[index]
                picker.query_one("#picker-title").render())
            await pilot.press("escape")
            await pilot.pause()


async def test_a_screen_looks_for_a_pause_only_while_it_is_in_front(make: Callable[..., QualcodeApp],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A view covered by a dialog or another view is not woken five times a second to find it is not in front; in
    front again, it takes its picture in the next pause, so that the next dialog opens on the view as it is."""
    woken: list[WorkbenchScreen] = []
    look = WorkbenchScreen._backdrop_in_a_pause

    def looking(screen: WorkbenchScreen) -> None:
        woken.append(screen)
        look(screen)

    monkeypatch.setattr(WorkbenchScreen, "_backdrop_in_a_pause", looking)

    async def woken_in_a_pause(screen: WorkbenchScreen) -> bool:
        del woken[:]
        await asyncio.sleep(4 * BACKDROP_PAUSE_SECONDS)
        return any(s is screen for s in woken)

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        view = app.screen
        assert isinstance(view, TranscriptScreen)
        assert await woken_in_a_pause(view) and view.current_backdrop() is not None
        for key, covering in (("c", CodePicker), ("w", QueueScreen)):
            await pilot.press(key)
            await app.settled()
            cover = app.screen
            assert isinstance(cover, covering)
            assert not await woken_in_a_pause(view)
            if isinstance(cover, WorkbenchScreen):  # the view in front looks for its pauses
                assert any(s is cover for s in woken)
            await pilot.press("escape")
            await app.settled()
            assert id(app.screen) == id(view)
            assert await woken_in_a_pause(view)
            assert view.current_backdrop() is not None
            assert cells(view.current_backdrop().lines) == cells(dimmed_picture(view).lines)  # type: ignore[union-attr]


@pytest.mark.parametrize("opened", [{"transcript": "KII-01"}, {"queue_mode": True}], ids=["transcript", "queue"])
async def test_suggestions_that_come_while_the_picker_is_open_are_shown_when_it_closes(
        make: Callable[..., QualcodeApp], monkeypatch: pytest.MonkeyPatch, opened: dict[str, object]) -> None:
    # drawn under the picker (dimmed, unread), they made it take the picture of the view or queue below again and
    # draw itself once more
    from workbench_support import use_fixed_suggestions

    from qualcode.model import Suggestion
    from qualcode.tui.app import SuggestionsReady
    from qualcode.tui.widgets.panels import SuggestionsPanel

    use_fixed_suggestions(monkeypatch, [{"code": "effectiveness.outputs", "score": 0.5, "why": "terms",
                                         "model_version": "test"}])
    app = make(suggestions=True, **opened)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        below = app.screen
        unit = below.current if isinstance(below, QueueScreen) else transcript_screen(app).view.current
        assert unit is not None
        panel = below.query_one(SuggestionsPanel)
        assert panel.shown_unit == unit["id"] and panel.shown_count == 1
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        drawn = frames(app)
        refitted: list[Suggestion] = [
            {"code": "sustainability.funding", "score": 0.8, "why": "keywords: funding", "model_version": "test"},
            {"code": "effectiveness.outputs", "score": 0.4, "why": "terms", "model_version": "test"}]
        app.post_message(SuggestionsReady({int(unit["id"]): refitted}, generation=app._generation))
        await pilot.pause()
        await pilot.pause()
        assert drawn[0] == 0 and panel.shown_count == 1  # the picker, as it was; the panel behind it not redrawn
        await pilot.press("escape")
        await pilot.pause()
        assert id(app.screen) == id(below) and panel.shown_unit == unit["id"] and panel.shown_count == 2
        first = panel.query_one("#suggestion-list", OptionList).get_option_at_index(0)
        assert "Funding to continue" in str(first.prompt)


async def test_the_picker_opened_after_showing_a_few_codes_keeps_the_drawings_of_the_codebook(
        make: Callable[..., QualcodeApp], store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # d showed the unit's two codes (no scroll bar: a wider list); c then showed the codebook (a scroll bar: narrower)
    # and, resized, the list forgot the drawings of its rows and drew them again a frame or two later (c after a
    # pause 54 ms to screen in the benchmark, 20 ms once the list keeps its width)
    from qualcode.tui.widgets.scrolling import SteadyOptionList

    store.add_coding("KII-01:3", "effectiveness.outputs", coder="clara")
    store.add_coding("KII-01:3", "sustainability.funding", coder="clara")
    store.set_position("KII-01", store.segments(transcript="KII-01")[2]["id"], coder="clara")  # opened on it
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("c")  # the codebook, drawn once
        await app.settled()
        await pilot.press("escape", "d")
        await app.settled()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        listed = picker.query_one("#picker-list", SteadyOptionList)
        assert listed.option_count == 2
        wide = listed.scrollable_content_region.width
        await pilot.press("escape")
        await app.settled()
        forgot: list[int] = []
        clear = SteadyOptionList._clear_caches

        def counted(self: SteadyOptionList) -> None:
            forgot.append(self.option_count)
            clear(self)

        monkeypatch.setattr(SteadyOptionList, "_clear_caches", counted)
        await pilot.press("c")
        await app.settled()
        assert listed.option_count > 16 and listed.scrollable_content_region.width == wide
        assert forgot == []


async def test_the_workbench_closing_as_its_dialogs_are_built_ahead_raises_nothing(
        make: Callable[..., QualcodeApp]) -> None:
    # a session (or a test) ending about 2.5 s after the workbench opened: the dialogs built ahead were taken down
    # before their widgets were mounted, and each one's preparing then found no widgets ("No nodes match
    # '#picker-input'", '#search-input', '#help-keys'), an error at the exit
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE):
        await app.settled()
        app._build_dialogs()
        await app._shutdown()  # at once, as a quit does when it comes in that moment
    assert app.return_code in (None, 0)


async def test_the_code_picker_is_built_while_the_evaluator_reads_and_shown_as_prepared(
        make: Callable[..., QualcodeApp], store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # its first opening built it (widgets, styles): the one c of a session over 50 ms on a large project
    from textual.widgets import Input

    from qualcode.tui import app as app_module
    from qualcode.tui.dialogs import PICKER, SEARCH
    from qualcode.tui.widgets.scrolling import SteadyOptionList

    monkeypatch.setattr(app_module, "DIALOGS_AFTER", 0.05)
    store.add_coding("KII-01:3", "effectiveness.outputs", coder="clara")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.pause(0.2)
        for name in (PICKER, SEARCH, "help-transcript"):  # the picker, the search, the view's list of keys
            assert app.is_screen_installed(name) and app.get_screen(name).is_running, name
            assert app.get_screen(name) not in app.screen_stack  # built, not shown
        built = app.get_screen(PICKER)
        assert isinstance(app.screen, TranscriptScreen) and app.focused is app.screen.view
        await pilot.press("j", "c", *"outp")  # typed into the picker, nowhere else
        await pilot.pause()
        picker = app.screen
        assert picker is built and picker.query_one("#picker-input", Input).value == "outp"
        assert "Apply code to KII-01:" in str(picker.query_one("#picker-title").render())
        first = picker.query_one("#picker-list", SteadyOptionList).get_option_at_index(0)
        assert "Outputs delivered" in str(first.prompt) and " 1" in str(first.prompt)  # the codings counted now
        await pilot.press("escape", "slash", *"chamber", "enter")  # the search, built before, searches this view
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen) and search is app.get_screen(SEARCH) and search.hits
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert app.screen is app.get_screen("help-transcript")
