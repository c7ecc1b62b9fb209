"""Keys that arrive all at once (a fast typist, a paste, a laggy SSH link) act as if typed one by one: the letters
typed right after a key that opens a dialog go into that dialog, in order, and nothing reaches the screen below."""

from __future__ import annotations

from collections.abc import Callable

from textual import events

from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.dialogs import CodePicker, MemoEditor
from qualcode.tui.screens import TranscriptScreen

SIZE = (100, 30)


def burst(app: QualcodeApp, keys: list[str]) -> None:
    """Send keys the way a terminal delivers a burst: all read at once, none waiting for the previous one."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        key = "space" if key == " " else key
        event = events.Key(key, key if len(key) == 1 else (" " if key == "space" else None))
        event.set_sender(app)
        driver.send_message(event)


async def _let_it_settle(app: QualcodeApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(20):
        await pilot.pause(0.05)
    await app.settled()


async def test_a_code_typed_in_one_burst_is_the_code_applied(make: Callable[..., QualcodeApp],
                                                             store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ["c", "f", "u", "n", "d", "enter"])
        await _let_it_settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        assert screen.view.current["ref"] == "KII-01:3"  # 'n' did not move the transcript below the picker
        burst(app, ["c", "f", "u", "n", "d", "enter", "n"])  # again, then on to the next uncoded unit
        await _let_it_settle(app, pilot)
        assert screen.view.current["ref"] == "KII-01:4"
    # 'fund' picked the funding code; before, the letters were lost and Enter applied the first code listed
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [("KII-01:3", "sustainability.funding")]


async def test_a_memo_typed_in_one_burst_is_written_whole(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ["m", *"ask them", "ctrl+s"])
        await _let_it_settle(app, pilot)
        assert not isinstance(app.screen, MemoEditor)
    assert [m["text"] for m in store.memos("segment")] == ["ask them"]
    assert store.codings(coder="clara") == []  # no letter reached the transcript ('d', 'u', 'n' are its keys)


async def test_a_burst_into_an_open_memo_editor_saves_the_text_typed_before_ctrl_s(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, MemoEditor)
        burst(app, [*"ask them", "ctrl+s"])
        await _let_it_settle(app, pilot)
    assert [m["text"] for m in store.memos("segment")] == ["ask them"]


async def test_a_key_right_after_enter_in_an_open_picker_goes_to_the_transcript(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        burst(app, ["f", "u", "n", "d", "enter", "n"])
        await _let_it_settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen) and screen.view.current["ref"] == "KII-01:4"
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [("KII-01:3", "sustainability.funding")]


async def test_a_paste_right_after_the_key_that_opens_the_picker_goes_into_it(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        driver = app._driver
        assert driver is not None
        for event in (events.Key("c", "c"), events.Paste("fund"), events.Key("enter", None)):
            event.set_sender(app)
            driver.send_message(event)
        await _let_it_settle(app, pilot)
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [("KII-01:3", "sustainability.funding")]
