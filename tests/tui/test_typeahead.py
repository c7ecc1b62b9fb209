"""Keys that arrive all at once (a fast typist, a paste, a laggy SSH link) act as if typed one by one: the letters
typed right after a key that opens a dialog go into that dialog, in order, and nothing reaches the screen below."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from workbench_support import current, transcript_screen

from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.dialogs import CodePicker, MemoEditor
from qualcode.tui.screens import ProjectScreen, TranscriptScreen

SIZE = (100, 30)


@asynccontextmanager
async def on_kii_01(make: Callable[..., QualcodeApp]) -> AsyncIterator[tuple[QualcodeApp, Pilot]]:
    """The app running on KII-01 (its first uncoded unit is KII-01:3)."""
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        yield app, pilot



async def burst(app: QualcodeApp, pilot: Pilot, keys: list[str | events.Event]) -> None:
    """Send keys (or other input events) the way a terminal delivers a burst: all read at once, none waiting for the
    previous one; then let the app work through them."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        if isinstance(key, events.Event):
            event = key
        else:
            key = "space" if key == " " else key
            event = events.Key(key, key if len(key) == 1 else (" " if key == "space" else None))
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause(0.05)
    await app.settled(timeout=30)  # until every key is handled, however slow the machine


async def test_a_code_typed_in_one_burst_is_the_code_applied(make: Callable[..., QualcodeApp],
                                                             store: Project) -> None:
    async with on_kii_01(make) as (app, pilot):
        await burst(app, pilot, ["c", "f", "u", "n", "d", "enter"])
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        assert current(screen)["ref"] == "KII-01:3"  # 'n' did not move the transcript below the picker
        await burst(app, pilot, ["c", "f", "u", "n", "d", "enter", "n"])  # again, then on to the next uncoded unit
        await app.settled()  # n reads what is coded once the coding typed before it is saved
        assert current(screen)["ref"] == "KII-01:4"
    # 'fund' picked the funding code; before, the letters were lost and Enter applied the first code listed
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [("KII-01:3", "sustainability.funding")]


async def test_a_memo_typed_in_one_burst_is_written_whole(make: Callable[..., QualcodeApp], store: Project) -> None:
    async with on_kii_01(make) as (app, pilot):
        await burst(app, pilot, ["m", *"ask them", "ctrl+s"])
        assert not isinstance(app.screen, MemoEditor)
    assert [m["text"] for m in store.memos("segment")] == ["ask them"]
    assert store.codings(coder="clara") == []  # no letter reached the transcript ('d', 'u', 'n' are its keys)


async def test_a_burst_into_an_open_memo_editor_saves_the_text_typed_before_ctrl_s(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    async with on_kii_01(make) as (app, pilot):
        await pilot.press("m")
        assert isinstance(app.screen, MemoEditor)
        await burst(app, pilot, [*"ask them", "ctrl+s"])
    assert [m["text"] for m in store.memos("segment")] == ["ask them"]


async def test_a_key_right_after_enter_in_an_open_picker_goes_to_the_transcript(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    async with on_kii_01(make) as (app, pilot):
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await burst(app, pilot, ["f", "u", "n", "d", "enter", "n"])
        screen = app.screen
        assert isinstance(screen, TranscriptScreen) and current(screen)["ref"] == "KII-01:4"
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [("KII-01:3", "sustainability.funding")]


async def test_a_paste_right_after_the_key_that_opens_the_picker_goes_into_it(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    async with on_kii_01(make) as (app, pilot):
        await burst(app, pilot, ["c", events.Paste("fund"), "enter"])
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [("KII-01:3", "sustainability.funding")]


async def test_a_burst_on_a_slow_machine_still_reaches_the_screens_it_was_typed_for(
        make: Callable[..., QualcodeApp], store: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # A loaded machine: every message takes a few milliseconds more to handle, so the keys of one burst are read
    # further apart and the picker takes longer to close than on an idle one; where each key goes must not change.
    from textual.message_pump import MessagePump

    dispatch = MessagePump._dispatch_message

    async def slowly(self: MessagePump, message: Any) -> Any:
        time.sleep(0.002)
        return await dispatch(self, message)

    monkeypatch.setattr(MessagePump, "_dispatch_message", slowly)
    async with on_kii_01(make) as (app, pilot):
        await burst(app, pilot, ["c", "f", "u", "n", "d", "enter", "n"])
        assert current(transcript_screen(app))["ref"] == "KII-01:4"  # 'n' went to the transcript, after the coding
        await burst(app, pilot, ["m", *"ask them", "ctrl+s", "c", *"capac", "enter"])
        assert not isinstance(app.screen, (MemoEditor, CodePicker))
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [
        ("KII-01:3", "sustainability.funding"), ("KII-01:4", "sustainability.capacity")]
    assert [m["text"] for m in store.memos("segment")] == ["ask them"]


async def test_letters_typed_right_after_slash_in_the_project_view_go_into_the_filter(
        make: Callable[..., QualcodeApp]) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        # 'R' would open the speakers of the highlighted transcript if it reached the list
        await burst(app, pilot, ["slash", *"FGR", "backspace", "enter"])
        assert app.screen is screen
        assert screen.query_one("#transcript-filter", Input).value == "FG"
        table = screen.query_one("#transcripts", DataTable)
        assert [str(table.get_row_at(n)[0]) for n in range(table.row_count)] == ["FGD-01"]
        assert app.focused is table  # Enter took the focus back to the list


async def test_letters_typed_right_after_f_go_into_the_codebook_filter(make: Callable[..., QualcodeApp],
                                                                       store: Project) -> None:
    async with on_kii_01(make) as (app, pilot):
        # 'c' would open the picker if it reached the transcript; Enter applies the filter's best match
        await burst(app, pilot, ["f", *"capac", "enter", "n"])
        screen = transcript_screen(app)
        assert current(screen)["ref"] == "KII-01:4"
    assert [(c["ref"], c["code"]) for c in store.codings(coder="clara")] == [("KII-01:3", "sustainability.capacity")]


async def test_keys_typed_right_after_t_go_to_the_list_of_transcripts(make: Callable[..., QualcodeApp]) -> None:
    async with on_kii_01(make) as (app, pilot):
        # t asks for the list, which comes a moment later: '/' must not open the search of the transcript view
        await burst(app, pilot, ["t", "slash", *"FG", "enter", "enter"])
        screen = transcript_screen(app)
        assert screen.transcript == "FGD-01"


async def test_a_key_waits_while_a_screen_has_a_message_to_handle_and_not_for_a_redraw(
        make: Callable[..., QualcodeApp]) -> None:
    # A key typed after Enter or Esc waits while a message is queued on a screen (a dialog's dismissal, a replayed
    # submission). The check reads Textual's message queues: if a Textual release renamed them, keys would go
    # where they were typed before the screen had changed; this fails first.
    from textual.message import Message

    class Dismissal(Message):
        pass

    async with on_kii_01(make) as (app, pilot):
        await app.settled(timeout=30)
        assert app._ta_quiet()
        app.screen.post_message(Dismissal())
        assert not app._ta_quiet()
        await pilot.pause(0.05)
        await app.settled(timeout=30)
        assert app._ta_quiet()
        app.screen.refresh()  # a redraw says nothing about where a key goes
        assert app._ta_quiet()


async def test_a_key_waits_while_the_app_is_handling_a_message_not_only_while_one_is_queued(
        make: Callable[..., QualcodeApp]) -> None:
    # The app's own queue counted only the messages waiting in it: while the app was in the middle of one (a key's
    # action waiting for a dialog to be mounted), a key held after Enter was judged free to go where the screen on
    # top was then, before that message had changed it.
    import asyncio

    async with on_kii_01(make) as (app, pilot):
        await app.settled(timeout=30)
        gate = asyncio.Event()
        started = asyncio.Event()

        async def slow() -> None:  # a message the app is handling, taken off its queue
            started.set()
            await gate.wait()

        app.call_later(slow)
        await asyncio.wait_for(started.wait(), 30)
        assert app.message_queue_size == 0
        assert not app._ta_quiet()
        gate.set()
        await app.settled(timeout=30)
        assert app._ta_quiet()
