"""Every key of the workbench, driven with Pilot and checked against the store (what another process sees)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList
from workbench_support import current, eventually, screen_lines, transcript_screen

from qualcode.actions import coding
from qualcode.actions.history import undo
from qualcode.reanchor import store_transcript
from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.dialogs import CodePicker, HelpScreen, MemoEditor, SearchScreen
from qualcode.tui.screens import ProjectScreen, TranscriptScreen
from qualcode.tui.widgets.unit_view import UnitView

SIZE = (100, 30)


def refs(store: Project, *, transcript: str | None = None) -> list[tuple[str, str, str]]:
    return sorted((c["ref"], c["code"], c["coder"]) for c in store.codings(transcript=transcript))



async def test_opens_on_the_first_uncoded_informant_unit(make: Callable[..., QualcodeApp]) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE):
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        assert current(screen)["ref"] == "KII-01:3"  # units 1-2 are the interviewer's


async def test_j_k_and_arrows_move_between_units(make: Callable[..., QualcodeApp]) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        await pilot.press("j", "j")
        assert current(screen)["ref"] == "KII-01:5"
        await pilot.press("down")
        assert current(screen)["ref"] == "KII-01:6"
        await pilot.press("k", "up", "up")
        assert current(screen)["ref"] == "KII-01:3"
        await pilot.press("k", "k", "k")  # stops at the first unit
        assert current(screen)["ref"] == "KII-01:1"


async def test_c_applies_the_picked_code_and_it_is_in_the_database(make: Callable[..., QualcodeApp],
                                                                  store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"needs fit", "enter")
        await app.settled()
        assert refs(store) == [("KII-01:3", "relevance.needs_fit", "clara")]
        assert "saved ✓" in str(app.screen.query_one("#status").render())


async def test_the_code_picker_keeps_its_place_and_size_while_the_list_is_filtered(
        make: Callable[..., QualcodeApp]) -> None:
    # a dialog that shrank with every letter jumped under the evaluator's eyes (and had the view behind it drawn
    # again each time)
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        dialog = picker.query_one("#picker")
        opened = dialog.region
        await pilot.press(*"sust")
        await pilot.pause()
        listed = picker.query_one("#picker-list")
        assert dialog.region == opened
        assert listed.option_count < len(picker.codebook)  # type: ignore[attr-defined]
        assert listed.get_option_at_index(0).id == "sustainability"  # type: ignore[attr-defined]


async def test_escape_in_the_code_picker_applies_nothing(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"fund", "escape")
        await app.settled()
        assert isinstance(app.screen, TranscriptScreen)
        assert store.codings() == []


async def test_v_selects_a_span_and_c_codes_every_unit_of_it_at_once(make: Callable[..., QualcodeApp],
                                                                    store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "j", "j", "c", *"sust fund", "enter")
        await app.settled()
        assert refs(store) == [("KII-01:3", "sustainability.funding", "clara"),
                               ("KII-01:4", "sustainability.funding", "clara"),
                               ("KII-01:5", "sustainability.funding", "clara")]
        events = store.events(entity="coding")
        assert len(events) == 3
        groups = {e["action_group"] for e in events}
        assert len(groups) == 1 and None not in groups  # one user action
        assert transcript_screen(app).view.span_start is None  # the selection ends once applied
        await pilot.press("u")  # one undo takes back the whole span
        await app.settled()
        assert refs(store) == []


async def test_a_span_across_an_interviewer_question_codes_only_the_informants_units(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "v", "j", "j", "c", *"capacity", "enter")  # KII-01:5 to 7; 6 is a question
        await app.settled()
        assert [r for r, _, _ in refs(store)] == ["KII-01:5", "KII-01:7"]


async def test_d_removes_the_only_code_and_asks_which_when_there_are_several(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    store.add_coding("KII-01:3", "relevance.needs_fit", coder="clara")
    store.add_coding("KII-01:4", "relevance.needs_fit", coder="clara")
    store.add_coding("KII-01:4", "impact.relationships", coder="clara")
    store.add_coding("KII-01:4", "impact.policy", coder="long")  # someone else's: never offered
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")  # opened on KII-01:5 (first uncoded): back to 4
        await pilot.press("k")
        assert current(transcript_screen(app))["ref"] == "KII-01:3"
        await pilot.press("d")
        await app.settled()
        assert ("KII-01:3", "relevance.needs_fit", "clara") not in refs(store)
        await pilot.press("j", "d")
        assert isinstance(app.screen, CodePicker)
        assert sorted(app.screen.only or []) == ["impact.relationships", "relevance.needs_fit"]
        await pilot.press(*"relationships", "enter")
        await app.settled()
        assert refs(store) == [("KII-01:4", "impact.policy", "long"), ("KII-01:4", "relevance.needs_fit", "clara")]



async def test_the_picker_d_opens_says_enter_removes_and_the_one_c_opens_says_it_applies(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    # d's picker said 'Enter to apply' and 'Enter apply', as c's does: a new coder read it as adding the code
    from textual.widgets import Input, Static

    store.add_coding("KII-01:3", "relevance.needs_fit", coder="clara")
    store.add_coding("KII-01:3", "impact.relationships", coder="clara")
    store.set_position("KII-01", store.segments(transcript="KII-01")[2]["id"], coder="clara")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        for key, says, does in (("d", "remove", "Remove a code from KII-01:3"), ("c", "apply", "Apply code to"),
                                ("d", "remove", "Remove a code from KII-01:3")):
            await pilot.press(key)
            await app.settled()
            picker = app.screen
            assert isinstance(picker, CodePicker)
            assert does in str(picker.query_one("#picker-title", Static).render())
            assert picker.query_one("#picker-input", Input).placeholder == f"type to filter codes, Enter to {says}"
            assert f"Enter {says}" in str(picker.query_one(".dialog-help", Static).render())
            await pilot.press("escape")
            await app.settled()
        assert len(refs(store)) == 2


async def test_d_on_a_unit_without_your_codes_says_so(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await app.settled()
        assert "no code of yours" in str(app.screen.query_one("#status").render())


async def test_m_writes_a_memo_on_the_unit(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, MemoEditor)
        await pilot.press(*"ask about the toolkit", "ctrl+s")
        await app.settled()
        seg = store.resolve_segment("KII-01:3")
        assert [(m["target_id"], m["coder"], m["text"]) for m in store.memos("segment")] == [
            (str(seg), "clara", "ask about the toolkit")]
        assert "ask about the toolkit" in str(app.screen.query_one("#memo").render())


async def test_a_memo_saved_after_the_view_went_to_another_transcript_is_saved(make: Callable[..., QualcodeApp],
                                                                               store: Project) -> None:
    """ctrl+s then a search that jumps to another transcript, typed while the memo is still being written (a slow
    disk): the memo is saved, and the view stays on the transcript it went to."""
    import threading

    go_on = threading.Event()
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        app.write(lambda project: go_on.wait(30))  # the writer is busy: the memo waits behind it
        await pilot.press("m", *"ask about the toolkit", "ctrl+s")
        await pilot.press("slash", *"bargaining", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TranscriptScreen) and screen.transcript == "FGD-01"
        go_on.set()
        await app.settled()
        assert current(screen)["ref"] == "FGD-01:4"
        assert app.is_running and app.screen is screen
        assert app.last_message == "memo saved on KII-01:3"
    seg = store.resolve_segment("KII-01:3")
    assert [(m["target_id"], m["text"]) for m in store.memos("segment")] == [(str(seg), "ask about the toolkit")]


async def test_a_click_on_a_unit_shows_its_memo_and_place(make: Callable[..., QualcodeApp], store: Project) -> None:
    coding.set_memo(store, "segment", store.resolve_segment("KII-01:5"), "ask about the toolkit", coder="clara")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = transcript_screen(app)
        view = screen.view
        assert current(screen)["ref"] == "KII-01:3"
        await pilot.click(UnitView, offset=(4, view._offsets[4] - int(view.scroll_offset.y)))
        await pilot.pause()
        assert current(screen)["ref"] == "KII-01:5"
        assert "KII-01:5 (5/9)" in str(screen.query_one("#status").render())
        assert "ask about the toolkit" in str(screen.query_one("#memo").render())
        await pilot.press("k")  # a key goes on from the unit clicked
        assert current(screen)["ref"] == "KII-01:4" and "ask about" not in str(screen.query_one("#memo").render())


async def test_u_undoes_and_ctrl_r_redoes(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"fund", "enter")
        await app.settled()
        assert len(store.codings()) == 1
        await pilot.press("u")
        await app.settled()
        assert store.codings() == []
        assert current(transcript_screen(app))["codings"] == []
        await pilot.press("ctrl+r")
        await app.settled()
        assert refs(store) == [("KII-01:3", "sustainability.funding", "clara")]
        assert [c["code"] for c in current(transcript_screen(app))["codings"]] == ["sustainability.funding"]


async def test_undo_works_across_restarts(make: Callable[..., QualcodeApp], store: Project) -> None:
    first = make(transcript="KII-01")
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"fund", "enter")
        await app_quits(first, pilot)
    assert len(store.codings()) == 1
    second = make(transcript="KII-01")
    async with second.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await second.settled()
        assert store.codings() == []


async def app_quits(app: QualcodeApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("q")
    await pilot.pause()


async def test_q_quits_only_after_the_pending_write_is_committed(make: Callable[..., QualcodeApp],
                                                                store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"fund", "enter", "q")
        await pilot.pause()
    assert app.return_code == 0
    assert refs(store) == [("KII-01:3", "sustainability.funding", "clara")]


async def test_q_while_a_write_is_still_being_committed_waits_for_it_and_quits(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    """q typed while a coding is still being written (a slow disk, a burst of keys ending in q q) quits once it is
    committed; the screen must not freeze waiting for a write whose end it can no longer hear."""
    import asyncio
    import threading

    committed = threading.Event()

    def slow(project: Project) -> None:
        committed.wait(0.5)
        project.add_coding("KII-01:4", "relevance.needs_fit", coder="clara")

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        app.write(slow, label="coded KII-01:4", units=[4])
        await pilot.press("c", *"fund", "enter", "q", "q")
        await asyncio.wait_for(_until_ended(app, pilot), 10)
    assert app.return_code == 0
    assert refs(store) == [("KII-01:3", "sustainability.funding", "clara"),
                           ("KII-01:4", "relevance.needs_fit", "clara")]


async def test_a_change_asked_for_after_q_is_not_saved_and_the_status_line_says_so(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    """q typed while a write is still being committed: the app quits once it is; a key typed meanwhile that changes
    the project is not saved, and the evaluator is told, not left to find the mark missing tomorrow."""
    import asyncio
    import threading

    go_on = threading.Event()
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        app.write(lambda project: go_on.wait(30), label="a slow write")
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and "saving before quitting" in app.last_message
        await pilot.press("minus")  # KII-01:3 not codable
        await pilot.pause()
        assert app.last_message == "not saved: quitting (KII-01:3: not codable)" and app.last_error
        go_on.set()
        await asyncio.wait_for(_until_ended(app, pilot), 10)
    assert app.return_code == 0
    assert store.marks() == []


async def _until_ended(app: QualcodeApp, pilot) -> None:  # type: ignore[no-untyped-def]
    while app.is_running:
        await pilot.pause(0.05)


async def test_n_jumps_to_the_next_unit_you_have_not_coded_skipping_interviewer_turns(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    store.add_coding("KII-01:4", "relevance.needs_fit", coder="clara")
    store.add_coding("KII-01:5", "relevance.needs_fit", coder="long")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = transcript_screen(app)
        assert current(screen)["ref"] == "KII-01:3"
        await pilot.press("n")
        assert current(screen)["ref"] == "KII-01:5"  # 4 is clara's; long's coding on 5 does not count
        await pilot.press("n")
        assert current(screen)["ref"] == "KII-01:7"  # 6 is the interviewer's question


async def test_slash_searches_across_transcripts_and_jumps(make: Callable[..., QualcodeApp]) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"bargaining", "enter")
        assert len(app.screen.hits) == 1
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        assert screen.transcript == "FGD-01" and current(screen)["ref"] == "FGD-01:4"



@pytest.mark.parametrize("limit", [200, 1])
async def test_search_lists_the_open_transcripts_units_first(make: Callable[..., QualcodeApp],
                                                             monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    # results came in the project's order: searching from KII-12 listed FGD-01's units first, and with a common
    # word the 200 listed could hold none of the interview being coded
    from qualcode.tui import dialogs

    monkeypatch.setattr(dialogs, "SEARCH_LIMIT", limit)
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("slash", *"workers", "enter")
        await app.settled()
        search = app.screen
        assert isinstance(search, SearchScreen)
        assert [h["ref"] for h in search.hits] == ["KII-01:9", "FGD-01:5"][:limit]
        await pilot.press("escape", "t")
        await app.settled()
        await pilot.press("slash", *"FGD", "enter", "enter")  # the list of transcripts: FGD-01
        await app.settled()
        assert transcript_screen(app).transcript == "FGD-01"
        await pilot.press("slash", *"workers", "enter")
        await app.settled()
        assert [h["ref"] for h in app.screen.hits] == ["FGD-01:5", "KII-01:9"][:limit]  # type: ignore[attr-defined]


async def test_search_opens_again_empty_and_finds_anew(make: Callable[..., QualcodeApp]) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bargaining", "enter")
        await pilot.pause()
        assert len(app.screen.hits) == 1  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert isinstance(app.screen, TranscriptScreen)
        await pilot.press("slash")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        # the last search is gone: an empty box, no results listed, the count line blank
        assert search.query_one("#search-input", Input).value == "" and app.focused is search.query_one("#search-input")
        assert search.query_one("#search-results", OptionList).option_count == 0 and search.hits == []
        assert str(search.query_one("#search-count").render()).strip() == ""
        await pilot.press("enter")  # Enter on the empty box does not jump to the last search's result
        assert app.screen is search
        await pilot.press(*"funding", "enter")
        await pilot.pause()
        assert search.hits and all("fund" in h["text"].lower() for h in search.hits)
        await pilot.press("enter")
        assert isinstance(app.screen, TranscriptScreen) and "fund" in current(app.screen)["text"].lower()


async def test_number_keys_accept_suggestions_with_their_provenance(make: Callable[..., QualcodeApp],
                                                                    store: Project) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "j")  # KII-01:7, about funding to continue the meetings
        await app.settled(timeout=120)
        await pilot.pause()
        shown = transcript_screen(app).visible_suggestions()
        assert shown, "the suggester proposed nothing for a unit about funding"
        await pilot.press("1")
        await app.settled(timeout=120)
        coding = store.codings()[0]
        assert (coding["ref"], coding["code"], coding["source"]) == ("KII-01:7", shown[0]["code"], "suggestion")
        assert coding["score"] == shown[0]["score"] and coding["model_version"]
        assert [(d["code"], d["decision"]) for d in store.decisions()] == [(shown[0]["code"], "accepted")]


async def test_number_key_without_suggestions_says_so(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await app.settled()
        assert store.codings() == []
        assert "3 on KII-01:3 dropped: suggestions are off" in str(app.screen.query_one("#status").render())


async def test_question_mark_shows_the_keys(make: Callable[..., QualcodeApp]) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, TranscriptScreen)


async def test_codebook_filter_applies_the_best_match(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"foa", "enter")
        await app.settled()
        assert refs(store) == [("KII-01:3", "impact.foa_cb", "clara")]
        assert app.screen.focused is transcript_screen(app).view  # back to the units, ready for the next key


async def test_a_change_by_another_process_appears(make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        store.add_coding("KII-01:3", "impact.policy", coder="long")  # e.g. 'qualcode codings add' elsewhere
        app.check_store()
        await pilot.pause()
        codings = current(transcript_screen(app))["codings"]
        assert [(c["code"], c["coder"]) for c in codings] == [("impact.policy", "long")]


async def test_project_view_lists_filters_and_opens_transcripts(make: Callable[..., QualcodeApp],
                                                                store: Project) -> None:
    store.add_coding("FGD-01:2", "effectiveness.outputs", coder="long")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()  # the transcripts' progress is read in the background
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        table = screen.query_one("#transcripts", DataTable)
        assert table.row_count == 2
        row = table.get_row("FGD-01")
        assert row[3] == "Factories, Workers' organisation" and "1/4" in str(row[2]) and row[5] == "long"
        await pilot.press("slash", *"hai phong", "enter")
        assert table.row_count == 1
        await pilot.press("enter")
        assert isinstance(app.screen, TranscriptScreen) and app.screen.transcript == "KII-01"
        await pilot.press("t")
        assert isinstance(app.screen, ProjectScreen)


async def test_project_view_shows_whole_rows_when_a_frame_is_drawn_before_the_table_measured_them(
        make: Callable[..., QualcodeApp]) -> None:
    # Whether the terminal draws a frame between the rows' arrival and the table's measuring of them depends on the
    # machine's load: at 80 columns the list then showed "FG" and "KI" for ids, progress without its percentage and
    # no sort arrow, for good (the table kept the lines it had drawn at its headers' widths)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.settled()
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        for row in screen.rows:  # as a re-read brings them
            row["id"] = f"{row['id']}-2026"
        screen._fill()
        screen_lines(app)  # the frame drawn before the table measured its new rows
        await app.settled()
        await pilot.pause()
        lines = screen_lines(app)
        assert any("FGD-01-2026" in line for line in lines), "\n".join(lines)
        assert any("KII-01-2026" in line and "%" in line for line in lines), lines
        assert any("ID ▲" in line for line in lines), lines


async def test_project_view_sorts_by_progress(make: Callable[..., QualcodeApp], store: Project) -> None:
    store.add_coding("KII-01:3", "effectiveness.outputs", coder="long")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()  # the transcripts' progress is read in the background
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        table = screen.query_one("#transcripts", DataTable)
        await pilot.press("s", "s")  # id -> type -> progress
        assert screen.sort_key == "progress"
        assert [table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value for i in range(2)] == ["FGD-01", "KII-01"]
        await pilot.press("r")
        assert [table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value for i in range(2)] == ["KII-01", "FGD-01"]


async def test_a_person_codes_a_whole_transcript_without_the_mouse(make: Callable[..., QualcodeApp],
                                                                   store: Project) -> None:
    app = make(transcript="FGD-01")
    async with app.run_test(size=(80, 24)) as pilot:
        for query in ("outputs delivered", "foa", "sex disaggregated"):
            await pilot.press("c", *query, "enter", "n")
        await app.settled()
        coded = refs(store, transcript="FGD-01")
        assert [r for r, _, _ in coded] == ["FGD-01:2", "FGD-01:3", "FGD-01:4"]
        await pilot.press("c", *"gender data", "enter")
        await app.settled()
        await pilot.press("n")
        assert "every informant unit of FGD-01 is coded" in str(app.screen.query_one("#status").render())
        assert "4/4 coded" in str(app.screen.query_one("#status").render())


async def test_unknown_transcript_fails_before_the_screen_opens(small_dir: Path) -> None:
    import pytest

    from qualcode.errors import NotFoundError
    from qualcode.tui import make_app

    with pytest.raises(NotFoundError, match="did you mean 'KII-01'"):
        make_app(small_dir, transcript="KII-1")


async def test_shift_a_opens_adjudication_on_the_same_project(make: Callable[..., QualcodeApp]) -> None:
    from qualcode.tui.adjudication_screen import AdjudicationScreen

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await app.settled()
        assert isinstance(app.screen, AdjudicationScreen)
        assert app.screen.project is app.project and app.screen.coder == "clara"


async def test_the_project_view_says_when_codings_wait_for_review_after_a_re_import(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    from workbench_support import parsed

    app = make()
    async with app.run_test(size=SIZE):
        await app.settled()  # the transcripts' progress is read in the background
        assert isinstance(app.screen, ProjectScreen)
        assert "to review" not in str(app.screen.query_one("#status").render())
    # A coding on a sentence that the corrected transcript no longer has cannot be placed by itself.
    store.add_coding("KII-01:3", "relevance.needs_fit", coder="clara")
    store_transcript(store, parsed([("Interviewer", ["Thank you for joining."]),
                                 ("Informant", ["Something else entirely, about the weather in spring."])]),
                         "KII-01", coder="clara")
    app = make()
    async with app.run_test(size=SIZE):
        await app.settled()
        status = str(app.screen.query_one("#status").render())
        assert "1 coding(s) to review" in status and "qualcode reanchor list" in status


async def test_a_terminal_that_goes_away_quits_the_app_after_its_writes(make: Callable[..., QualcodeApp],
                                                                         store: Project, monkeypatch: Any) -> None:
    import qualcode.tui.app as app_module

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"needs fit", "enter")
        assert app.is_running
        # What a closed window or a dropped SSH connection looks like from inside: the terminal is no longer one.
        app._tty_fd = 0
        monkeypatch.setattr(app_module.os, "isatty", lambda fd: False)
        app._check_terminal()
        await pilot.pause(0.3)
        assert not app.is_running
    assert refs(store) == [("KII-01:3", "relevance.needs_fit", "clara")]


async def test_the_project_view_marks_the_agreement_sample(make: Callable[..., QualcodeApp], store: Project) -> None:
    from qualcode.synthesis.reconciled import add_to_sample

    add_to_sample(store, "FGD-01", coder="clara")
    app = make()
    async with app.run_test(size=SIZE):
        await app.settled()  # the transcripts' progress is read in the background
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        table = screen.query_one("#transcripts")
        ids = [str(table.get_row_at(n)[0]) for n in range(table.row_count)]  # type: ignore[attr-defined]
        assert ids == ["FGD-01 ◆", "KII-01"]
        assert "agreement sample: FGD-01" in str(screen.query_one("#status").render())


async def test_project_view_shows_a_transcripts_speakers_and_corrects_a_role(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    from qualcode.tui.dialogs import SpeakerRoles

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()  # the transcripts' progress is read in the background
        table = app.screen.query_one("#transcripts", DataTable)
        assert table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value == "FGD-01"
        await pilot.press("R")
        dialog = app.screen
        assert isinstance(dialog, SpeakerRoles)
        speakers = dialog.query_one("#speaker-table", DataTable)
        assert [speakers.get_row(k)[:3] for k in ("Facilitator", "Hoa", "Minh")] == [
            ["Facilitator", "interviewer", "—"], ["Hoa", "informant", "FGD-01-P1"], ["Minh", "informant", "FGD-01-P2"]]
        await pilot.press("j", "i")  # Hoa, as the interviewer (a wrong role, made on purpose)
        await app.settled()
        assert isinstance(app.screen, ProjectScreen)
        roles = {s["label"]: (s["role"], s["case_id"], s["assigned_by"]) for s in store.speakers("FGD-01")}
        assert roles["Hoa"] == ("interviewer", None, "user")
        await pilot.press("escape")
    assert undo(store, coder="clara") is not None  # a correction is the coder's own action, undone like one
    assert {s["label"]: s["role"] for s in store.speakers("FGD-01")}["Hoa"] == "informant"


async def test_speakers_of_a_document_are_refused_with_a_note_not_an_empty_dialog(
        make: Callable[..., QualcodeApp], small_dir: Path, tmp_path: Path) -> None:
    from qualcode.cli import main

    report = tmp_path / "ZZ-report.md"
    report.write_text("# Progress report\n\nThe toolkit reached nine factories in 2024.\n", encoding="utf-8")
    assert main(["import", "-p", str(small_dir), "--document", str(report)]) == 0
    app = make()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.settled()
        table = app.screen.query_one("#transcripts", DataTable)
        keys = [table.coordinate_to_cell_key(Coordinate(n, 0)).row_key.value for n in range(table.row_count)]
        document = next(k for k in keys if k not in ("FGD-01", "KII-01"))
        for _ in range(keys.index(document)):
            await pilot.press("j")
        await pilot.press("R")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ProjectScreen)
        messages = [str(n.message) for n in app._notifications]
        assert any(f"{document} is a document: it has no speakers" in m for m in messages), messages


async def test_shift_d_marks_your_coding_of_the_transcript_done_and_again_not_done(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    from qualcode.synthesis.reconciled import done_marks

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await app.settled()
        status = str(app.screen.query_one("#status").render())
        assert done_marks(store) == {"KII-01": ["clara"]}
        assert "KII-01: your coding is marked done" in status and "· marked done" in status
        await pilot.press("D")
        await app.settled()
        status = str(app.screen.query_one("#status").render())
        assert done_marks(store) == {} and "no longer marked done" in status and "· marked done" not in status


async def test_shift_d_in_the_project_view_ticks_you_and_two_coders_done_join_the_agreement_sample(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    from qualcode.actions.teamwork import mark_done
    from qualcode.synthesis.reconciled import sample_rows

    store.add_coding("FGD-01:2", "effectiveness.outputs", coder="long")
    mark_done(store, ["FGD-01"], coder="long")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        table = app.screen.query_one("#transcripts", DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "FGD-01"
        await pilot.press("D")
        await app.settled()
        assert table.get_row("FGD-01")[5] == "long ✓"  # clara coded nothing here: not a coder of it yet
        status = str(app.screen.query_one("#status").render())
        # said in full; the status line shows what the terminal's width leaves of it, and marks where it is cut
        assert "FGD-01: your coding is marked done; it joins the agreement sample, comparing clara, long" in (
            app.last_message)
        assert "FGD-01: your coding" in status and status.endswith("…"), status
        assert [r["transcript"] for r in sample_rows(store)] == ["FGD-01"]


async def test_the_status_line_under_a_dialog_says_saved_once_the_write_is_committed(
        make: Callable[..., QualcodeApp]) -> None:
    # it said "saving…" (dimmed, behind the dialog) for as long as the dialog stayed open
    import threading

    gate = threading.Event()
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        app.write(lambda project: gate.wait(10))
        await pilot.pause()
        assert "saving…" in str(screen.query_one("#status").render())
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        assert "saving…" in app.export_screenshot()
        gate.set()
        await app.settled()
        assert "saved ✓" in str(screen.query_one("#status").render())
        # drawn behind the dialog once the screen there has drawn it
        await eventually(pilot, lambda: "saving…" not in app.export_screenshot())
        drawn = app.export_screenshot()
        assert "saved" in drawn and "saving…" not in drawn


async def test_the_code_picker_opens_again_empty_for_the_unit_it_is_opened_on(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    # one picker is kept and shown again: nothing of its last use may show through
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"sust", "escape", "j", "c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        assert picker.query_one("#picker-input").value == ""  # type: ignore[attr-defined]
        assert "KII-01:4" in str(picker.query_one("#picker-title").render())
        listed = picker.query_one("#picker-list")
        assert listed.option_count == len(list(picker.codebook.walk()))  # type: ignore[attr-defined]
        await pilot.press(*"needs fit", "enter")
        await app.settled()
        assert refs(store) == [("KII-01:4", "relevance.needs_fit", "clara")]
        await pilot.press("c", "enter")  # with nothing typed: the first code of the codebook, on this unit
        await app.settled()
        first = next(iter(picker.codebook.walk())).id
        assert sorted(refs(store)) == sorted([("KII-01:4", "relevance.needs_fit", "clara"),
                                              ("KII-01:4", first, "clara")])


async def test_search_results_take_one_line_each_with_the_match_on_it(make: Callable[..., QualcodeApp]) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"the", "enter")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        listed = search.query_one("#search-results")
        assert listed.option_count > 3  # type: ignore[attr-defined]
        for n in range(listed.option_count):  # type: ignore[attr-defined]
            prompt = listed.get_option_at_index(n).prompt  # type: ignore[attr-defined]
            assert prompt.cell_len <= listed.scrollable_content_region.width
            assert any(span.style == "reverse" for span in prompt.spans)  # the words searched for are shown
        assert "unit(s)" in str(search.query_one("#search-count").render())
        assert search.query_one("#search").region.bottom <= 24


async def test_at_80_columns_undo_says_what_it_did_in_words_that_fit(make: Callable[..., QualcodeApp],
                                                                      store: Project) -> None:
    # the status line cut "undo: removed 'New actors, policies or local initiatives…" before the unit it was on
    store.add_coding("KII-01:3", "coherence.context", coder="clara")
    app = make(transcript="KII-01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        await pilot.press("u")
        await app.settled()
        await pilot.pause()
        assert refs(store) == []
        line = str(screen.query_one("#status").render())
        assert len(line) <= 80
        assert "saved ✓" in line
        assert "undo: removed 'New actors" in line and "hindered' from KII-01:3" in line
        await pilot.press("ctrl+r")
        await app.settled()
        await pilot.pause()
        line = str(screen.query_one("#status").render())
        assert "redo: applied 'New actors" in line and "' to KII-01:3" in line and len(line) <= 80


async def test_u_takes_back_the_done_mark_d_put_not_the_coding_before_it(make: Callable[..., QualcodeApp],
                                                                          store: Project) -> None:
    # u after D undid the coding made before it, and the transcript stayed marked done
    from qualcode.synthesis.reconciled import done_marks

    app = make(transcript="KII-01")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c", *"needs fit", "enter")
        await app.settled()
        await pilot.press("D")
        await app.settled()
        assert done_marks(store) == {"KII-01": ["clara"]}
        await pilot.press("u")
        await app.settled()
        status = str(app.screen.query_one("#status").render())
        assert done_marks(store) == {}
        assert refs(store) == [("KII-01:3", "relevance.needs_fit", "clara")]
        assert "undo: took back the done mark on your coding of KII-01" in status and "marked done" not in status
        await pilot.press("ctrl+r")
        await app.settled()
        status = str(app.screen.query_one("#status").render())
        assert done_marks(store) == {"KII-01": ["clara"]} and "· marked done" in status


async def test_a_dialog_open_while_the_terminal_is_resized_shows_the_view_behind_it_at_the_new_size(
        make: Callable[..., QualcodeApp]) -> None:
    # the dimmed view behind the dialog stayed as it was drawn for the old size
    app = make(transcript="KII-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        assert "Transcripts" not in app.export_screenshot()  # the key bar's short labels at 80 columns ("t List")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert "Transcripts" in app.export_screenshot()


@pytest.mark.parametrize("key, dialog", [("c", CodePicker), ("question_mark", HelpScreen), ("slash", SearchScreen)],
                         ids=["picker", "help", "search"])
async def test_the_view_behind_an_open_dialog_shows_another_coders_coding_as_it_comes(
        make: Callable[..., QualcodeApp], store: Project, key: str, dialog: type[Screen[Any]]) -> None:
    # the dimmed view behind a dialog was a picture taken as the dialog opened: what changed behind it (another
    # coder's coding, suggestions arriving) showed only once the dialog closed
    app = make(transcript="KII-01")
    async with app.run_test(size=(200, 50)) as pilot:  # the dialog box leaves the units' first 40 columns in view
        screen = transcript_screen(app)
        await app.settled()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, dialog)
        chip = "\u25a1 Impact (long)"  # \u25a1: another coder's code, under the unit
        assert not any(chip in line for line in screen_lines(app))
        store.add_coding(current(screen)["ref"], "impact", coder="long")
        app.check_store()  # what the store watcher does every 1.5 s
        await app.settled()
        # drawn behind the dialog once the screen there has drawn it
        await eventually(pilot, lambda: any(chip in line for line in screen_lines(app)))
        assert isinstance(app.screen, dialog)
        lines = screen_lines(app)
        assert any(chip in line for line in lines), "\n".join(lines)


def status_line(app: QualcodeApp) -> str:
    """The status line of the screen in front, as shown."""
    return str(app.screen.query_one("#status").render())


async def test_a_message_stays_on_the_screen_it_was_said_on(make: Callable[..., QualcodeApp]) -> None:
    # 'queue of every transcript' was still shown in the transcript view after leaving the queue, and a message
    # about a coding in KII-01 in the project view and in another transcript
    from qualcode.tui.queue_screen import QueueScreen

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        view = transcript_screen(app)
        ref = current(view)["ref"]
        await pilot.press("c", *"fund", "enter")
        await app.settled()
        assert f"coded {ref}" in status_line(app)
        await pilot.press("w")
        await app.settled()
        assert isinstance(app.screen, QueueScreen)
        assert f"coded {ref}" not in status_line(app)  # the queue: not where it was done
        await pilot.press("a")
        await app.settled()
        assert "queue of every transcript" in status_line(app)
        await pilot.press("escape")
        await app.settled()
        assert app.screen is view
        assert "queue of" not in status_line(app), status_line(app)
        await pilot.press("t")
        await app.settled()
        assert isinstance(app.screen, ProjectScreen)
        assert f"coded {ref}" not in status_line(app) and "queue of" not in status_line(app), status_line(app)
        await pilot.press("escape")
        await app.settled()
        await pilot.press("enter")  # a transcript from the list: a new view
        await app.settled()
        other = transcript_screen(app)
        assert other is not view and f"coded {ref}" not in status_line(app), status_line(app)
        await pilot.press("c", *"fund", "enter")
        await app.settled()
        assert f"coded {current(other)['ref']}" in status_line(app)  # said where it was done
