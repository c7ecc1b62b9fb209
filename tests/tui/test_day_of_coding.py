"""A whole day of coding: keys typed ahead of the screen apply to the unit they were typed on, the coder's place is
kept, units can be marked not codable or skipped for now, undo says what it did and shows it, the queue has a scope,
and the screen follows another process unit by unit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from workbench_support import current, eventually, model_in_a_thread, transcript_screen

from qualcode.actions import coding
from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.queue_screen import QueueScreen
from qualcode.tui.screens import ProjectScreen, TranscriptScreen
from qualcode.tui.widgets.panels import SuggestionsPanel

SIZE = (100, 30)
TOP = "sustainability.funding"  # what the test suggester proposes first, for every unit
SECOND = "effectiveness.outputs"


class Gate:
    """The test suggester: fixed suggestions for every informant unit, released when the test says so."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.fits = 0

    def suggest(self, engine: Any, units: list[dict[str, Any]], **kwargs: Any) -> dict[int, list[dict[str, Any]]]:
        self.open.wait(10)
        return {int(u["id"]): [
            {"code": TOP, "score": 0.8, "why": "keywords: funding, continue; like a codebook example of the code",
             "model_version": "test"},
            {"code": SECOND, "score": 0.3, "why": "terms from the definition", "model_version": "test"},
        ] for u in units if u.get("role") != "interviewer"}

    def fit(self, project: Project) -> object:
        self.fits += 1
        return SimpleNamespace(stale=False)  # no refit left to finish


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    from qualcode.actions import views

    g = Gate()
    model_in_a_thread(monkeypatch)
    monkeypatch.setattr(views, "fit_suggester", g.fit)
    monkeypatch.setattr(views, "suggest_units", g.suggest)
    monkeypatch.setattr(views, "refresh_suggester", lambda project, should_stop=None: True)
    yield g
    g.open.set()


def status(app: QualcodeApp) -> str:
    return str(app.screen.query_one("#status").render())


def mine(store: Project, coder: str = "clara") -> list[tuple[str, str, str]]:
    return sorted((c["ref"], c["code"], c["source"]) for c in store.codings(coder=coder))


async def open_queue(app: QualcodeApp, pilot: Pilot) -> QueueScreen:
    """Press w once the app has settled: the queue, in front."""
    await app.settled()
    await pilot.press("w")
    await app.settled()
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


async def burst(app: QualcodeApp, pilot: Pilot, keys: list[str]) -> None:
    """Keys read all at once, as a terminal delivers a burst (or an SSH link a second of typing)."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause(0.1)


# ---------------------------------------------------------------------------- keys typed ahead


async def test_number_keys_typed_before_suggestions_wait_and_code_the_unit_they_were_typed_on(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate) -> None:
    gate.open.clear()  # the model is still working
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(app, pilot, ["j", "1", "j", "1", "n", "1"])  # from KII-01:3: code 4, 5, then the next uncoded (7)
        await eventually(pilot, lambda: "waiting for the suggestions of KII-01:4" in status(app))
        assert "1 on KII-01:4: waiting for the suggestions of KII-01:4…" in status(app)
        assert store.codings() == []  # nothing guessed meanwhile
        gate.open.set()
        await app.settled()
        await pilot.pause(0.3)
        await app.settled()
        assert mine(store) == [("KII-01:4", TOP, "suggestion"), ("KII-01:5", TOP, "suggestion"),
                               ("KII-01:7", TOP, "suggestion")]
        assert current(transcript_screen(app))["ref"] == "KII-01:7"


async def test_a_number_key_waits_as_long_as_its_suggestions_are_being_computed(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loaded machine (or a long refit) is no reason to drop a key: it waits while the suggestions are computed,
    however many checks that takes, and then codes the unit it was typed on; the key after it follows."""
    from qualcode.tui import host

    monkeypatch.setattr(host, "WAIT_SECONDS", 0.1)
    gate.open.clear()
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(app, pilot, ["1", "j"])
        await pilot.pause(1.0)  # ten checks: the model is still working every time
        assert "1 on KII-01:3: waiting for the suggestions of KII-01:3…" in status(app)
        assert current(transcript_screen(app))["ref"] == "KII-01:3" and store.codings() == []
        gate.open.set()
        await eventually(pilot, lambda: current(transcript_screen(app))["ref"] == "KII-01:4")
        await app.settled()
        assert mine(store) == [("KII-01:3", TOP, "suggestion")]
        assert current(transcript_screen(app))["ref"] == "KII-01:4"


async def test_esc_cancels_a_waiting_number_key_and_the_keys_typed_after_it(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate) -> None:
    gate.open.clear()
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(app, pilot, ["1", "j", "1"])
        await eventually(pilot, lambda: "waiting for the suggestions" in status(app))
        await burst(app, pilot, ["escape"])
        await eventually(pilot, lambda: "cancelled" in status(app))
        assert "1 on KII-01:3 cancelled, and the 2 key(s) typed after it" in status(app)
        await burst(app, pilot, ["j"])  # keys go through at once again
        await eventually(pilot, lambda: current(transcript_screen(app))["ref"] == "KII-01:4")
        gate.open.set()
        await app.settled()
        assert store.codings() == [] and current(transcript_screen(app))["ref"] == "KII-01:4"


async def test_a_waiting_number_key_is_dropped_when_its_suggestions_fail(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualcode.actions import views

    gate.open.clear()

    def broken(engine: Any, units: list[dict[str, Any]], **kwargs: Any) -> dict[int, list[dict[str, Any]]]:
        gate.open.wait(10)
        raise RuntimeError("the model file is damaged")

    monkeypatch.setattr(views, "suggest_units", broken)
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(app, pilot, ["1", "j"])
        await eventually(pilot, lambda: "waiting for the suggestions" in status(app))
        gate.open.set()
        await eventually(pilot, lambda: "dropped" in status(app))
        assert "1 on KII-01:3 dropped: no suggestions (suggestions failed: the model file is damaged)" in (
            app.last_message)
        assert "1 on KII-01:3 dropped: no suggestions" in status(app)  # as much as the terminal's width shows
        await app.settled()
        assert store.codings() == [] and current(transcript_screen(app))["ref"] == "KII-01:4"


async def test_a_number_key_in_the_queue_waits_as_long_as_its_suggestions_are_being_computed(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualcode.tui import host

    monkeypatch.setattr(host, "WAIT_SECONDS", 0.1)
    gate.open.clear()
    app = make(queue_mode=True, suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await eventually(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.current is not None)
        screen = app.screen
        assert isinstance(screen, QueueScreen) and screen.current is not None  # ordered, its suggestions to come
        first = screen.current["ref"]
        await burst(app, pilot, ["1"])
        await pilot.pause(1.0)
        assert f"waiting for the suggestions of {first}…" in status(app) and store.codings() == []
        gate.open.set()
        await eventually(pilot, lambda: bool(store.codings()))
        await app.settled()
        assert mine(store) == [(first, TOP, "suggestion")]


async def test_suggestions_that_arrive_while_the_workbench_closes_are_ignored(
        make: Callable[..., QualcodeApp], gate: Gate) -> None:
    """A refit finishing as the evaluator quits must not crash the closing app (its screens are taken down)."""
    from qualcode.tui.app import SuggestionsReady

    app = make(transcript="KII-01", suggestions=True)
    stop = threading.Event()
    async with app.run_test(size=SIZE):
        await app.settled()
        uid = int(current(transcript_screen(app))["id"])

        def refits() -> None:  # as the suggestion thread does, from its own thread, while the screens go
            while not stop.is_set():
                app.post_message(SuggestionsReady({uid: []}, generation=99))
                stop.wait(0.0005)

        threading.Thread(target=refits, daemon=True).start()
    stop.set()
    assert app.return_code in (0, None)


def read_by_the_terminal(app: QualcodeApp, raw: str) -> None:
    """Bytes the terminal delivered at once, made into keys by Textual's own parser and read by the app."""
    import time

    from textual._xterm_parser import XTermParser

    parser = XTermParser()
    read = list(parser.feed(raw))
    deadline = time.monotonic() + 2
    while not read and time.monotonic() < deadline:  # an escape waits for the parser's delay to tell what it was
        time.sleep(0.02)
        read = list(parser.tick())
    keys = [e for e in read if isinstance(e, events.Key)]
    assert len(keys) == 1  # one key: the Esc is inside it
    assert app._driver is not None
    keys[0].set_sender(app)
    app._driver.send_message(keys[0])


@pytest.mark.parametrize(("raw", "then", "coded"), [
    ("\x1bj", ["1"], "KII-01:5"),  # read as alt+j: Esc ended the selection, j moved on, 1 coded the next unit
    ("\x1b1", [], "KII-01:4"),  # read as '¡' (what Option-1 types on a Mac): Esc, then 1 on the unit alone
])
async def test_esc_and_the_key_after_it_read_together_are_both_acted_on(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate, raw: str, then: list[str], coded: str) -> None:
    # "Esc j" or "Esc 1" typed fast (or through an SSH link) reach the app as one key: the Esc was lost, the selection
    # stayed, and the next number coded all of it (or, for '¡', nothing at all)
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = transcript_screen(app)
        await pilot.press("v", "j")
        assert len(screen.view.selection) == 2
        read_by_the_terminal(app, raw)
        await pilot.pause(0.1)
        await app.settled()
        await pilot.press(*then)
        await app.settled()
        assert screen.view.span_start is None
        assert mine(store) == [(coded, TOP, "suggestion")]


async def test_an_option_character_typed_in_a_text_box_stays_text(make: Callable[..., QualcodeApp]) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("m")
        await app.settled()
        read_by_the_terminal(app, "\x1b1")
        await pilot.pause(0.1)
        await app.settled()
        from textual.widgets import TextArea

        assert app.screen.query_one(TextArea).text.startswith("¡")  # a memo in Spanish: '¡Excelente!'


async def test_a_number_key_on_an_interviewer_unit_says_why_at_once(make: Callable[..., QualcodeApp],
                                                                    store: Project, gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k", "1")
        await app.settled()
        assert "interviewer" in status(app) and store.codings() == []


async def test_d_right_after_a_coding_removes_that_coding(make: Callable[..., QualcodeApp], store: Project,
                                                          gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await burst(app, pilot, ["1", "d"])  # d is read before the coding is written
        await app.settled()
        await pilot.pause(0.2)
        await app.settled()
        assert mine(store) == []
        assert "removed 'Funding to continue' from KII-01:3" in status(app)


async def test_a_number_with_a_selection_codes_the_whole_selection(make: Callable[..., QualcodeApp],
                                                                   store: Project, gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("v", "j", "j", "1")
        await app.settled()
        assert mine(store) == [("KII-01:3", TOP, "human"), ("KII-01:4", TOP, "human"),
                               ("KII-01:5", TOP, "suggestion")]  # the one it was suggested for records the score
        assert transcript_screen(app).view.span_start is None
        await pilot.press("u")  # one action: one undo
        await app.settled()
        assert mine(store) == []


async def test_a_selection_ending_on_the_next_question_is_coded_with_its_answers_suggestion(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate) -> None:
    # v j j from the last unit of an answer ends on the interviewer's question: the panel shows (and 1 applies) the
    # suggestions of the selection's answer, not "interviewer turn: not coded" and "no suggestion 1"
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("j", "v", "j", "j")  # KII-01:4, 5 and the question 6
        await app.settled()
        screen = transcript_screen(app)
        assert current(screen)["ref"] == "KII-01:6"
        panel = screen.query_one(SuggestionsPanel)
        assert str(panel.query_one(".panel-title").render()) == "Suggestions for KII-01:5"
        assert panel.shown_count == 2
        await pilot.press("1")
        await app.settled()
        assert mine(store) == [("KII-01:4", TOP, "human"), ("KII-01:5", TOP, "suggestion")]  # not the question
        assert str(panel.query_one(".panel-title").render()) == "Suggestions"


# ---------------------------------------------------------------------------- suggestions ahead and in place


async def test_the_next_units_suggestions_are_there_when_the_coder_arrives(make: Callable[..., QualcodeApp],
                                                                           gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = transcript_screen(app)
        panel = screen.query_one(SuggestionsPanel)
        gate.open.clear()  # nothing more is computed from now on
        await pilot.press("j")
        assert panel.shown_unit == current(screen)["id"] and panel.shown_count == 2
        await pilot.press("n", "n")
        assert panel.shown_unit == current(screen)["id"] and panel.shown_count == 2
        gate.open.set()


async def test_reopened_on_a_question_the_answers_suggestions_are_computed_before_the_coder_moves(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate) -> None:
    # the coder left KII-01 on the interviewer's question: nothing is suggested for it, but the answer after it is
    # the next unit read, and its suggestions must be there when the coder gets to it
    units = store.segments(transcript="KII-01")
    question = next(i for i, u in enumerate(units) if i > 0 and u["role"] == "interviewer"
                    and i + 1 < len(units) and units[i + 1]["role"] != "interviewer")
    store.set_position("KII-01", units[question]["id"], coder="clara")
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = transcript_screen(app)
        assert current(screen)["id"] == units[question]["id"]
        panel = screen.query_one(SuggestionsPanel)
        gate.open.clear()  # nothing more is computed from now on
        await pilot.press("j")
        assert current(screen)["id"] == units[question + 1]["id"]
        assert panel.shown_unit == current(screen)["id"] and panel.shown_count == 2
        gate.open.set()


async def test_after_a_coding_the_suggestions_stay_until_the_refitted_ones_replace_them(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = transcript_screen(app)
        panel = screen.query_one(SuggestionsPanel)
        gate.open.clear()  # the refit after the coding takes its time
        fits = gate.fits
        await pilot.press("2")  # effectiveness.outputs on KII-01:3
        await pilot.pause(0.2)
        assert mine(store) == [("KII-01:3", SECOND, "suggestion")]
        assert panel.shown_count == 1  # the other suggestion, still on screen, not "no suggestions yet"
        await pilot.press("j")
        assert panel.shown_unit == current(screen)["id"] and panel.shown_count == 2
        gate.open.set()
        await app.settled()
        assert gate.fits > fits  # refitted on the new coding



async def test_a_place_that_could_not_be_saved_is_saved_on_the_next_try(make: Callable[..., QualcodeApp],
                                                                        store: Project,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # the first write fails (a locked disk, say): the error is said, and leaving the unit later saves it after all
    real, calls = coding.remember_position, []

    def flaky(project: Project, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            raise OSError("disk is locked")
        return real(project, *args, **kwargs)

    monkeypatch.setattr(coding, "remember_position", flaky)
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")  # KII-01:3 -> 4 -> 5
        screen = transcript_screen(app)
        screen.save_position()
        await app.settled()
        assert "disk is locked" in status(app)
        screen.save_position()  # the same unit again: before, it counted as saved and nothing was written
        await app.settled()
    assert len(calls) == 2 and store.position("KII-01", coder="clara") == 5


# ---------------------------------------------------------------------------- where the coder was


async def test_reopening_a_transcript_goes_back_where_the_coder_was(make: Callable[..., QualcodeApp],
                                                                    store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "n")  # KII-01:3 -> 4 -> 5 -> 7 -> 8
        assert current(transcript_screen(app))["ref"] == "KII-01:8"
        await pilot.press("t")
        await app.settled()
        assert isinstance(app.screen, ProjectScreen)
        app.post_message(__import__("qualcode.tui.host", fromlist=["x"]).TranscriptRequested("KII-01"))
        await pilot.pause()
        assert current(transcript_screen(app))["ref"] == "KII-01:8"
        await pilot.press("j")
        await app.action_quit()  # it exits once the place is saved
        await eventually(pilot, lambda: not app.is_running)
    assert store.position("KII-01", coder="clara") == 9
    app = make(transcript="KII-01")  # a new session
    async with app.run_test(size=SIZE):
        assert current(transcript_screen(app))["ref"] == "KII-01:9"
        assert "back where you were in KII-01" in status(app)
    other = make(transcript="KII-01", coder="long")  # another coder has their own place
    async with other.run_test(size=SIZE):
        assert current(transcript_screen(other))["ref"] == "KII-01:3"


# ---------------------------------------------------------------------------- not codable, skipped for now


async def test_minus_marks_a_unit_not_codable_out_of_progress_and_of_n(make: Callable[..., QualcodeApp],
                                                                      store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = transcript_screen(app)
        assert "0/6 coded" in status(app)
        await pilot.press("minus")
        await app.settled()
        assert [(m["ref"], m["mark"]) for m in store.marks(coder="clara")] == [("KII-01:3", "not_codable")]
        assert "0/5 coded" in status(app)
        assert any(kind == "mark" and "not codable" in text for kind, text, _ in screen.view._lines[2])
        await pilot.press("g", "n")
        assert current(screen)["ref"] == "KII-01:4"  # n passes the unit marked not codable
        await pilot.press("u")
        await app.settled()
        assert store.marks() == []
        assert "undo: cleared the 'not codable' mark on KII-01:3" in status(app)
        assert current(screen)["ref"] == "KII-01:3" and "0/6 coded" in status(app)


async def test_progress_in_the_status_bar_follows_every_change_of_a_unit(make: Callable[..., QualcodeApp],
                                                                          store: Project, gate: Gate) -> None:
    """The status bar's progress is moved by the units a key changed (not counted again over the whole transcript):
    after each kind of change it says what counting every unit says."""
    from qualcode.actions import views as wb

    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = transcript_screen(app)
        await app.settled()

        async def after(*keys: str, expected: str) -> None:
            await pilot.press(*keys)
            await eventually(pilot, lambda: expected in status(app))
            counted = wb.coding_progress(screen.units, coder="clara")
            assert expected in status(app) and expected == f"{counted['coded']}/{counted['total']} coded"

        await after("1", expected="1/6 coded")  # a suggestion accepted on KII-01:3
        await after("j", "v", "j", "c", *"funding", "enter", expected="3/6 coded")  # one code on a span of two
        await after("n", "minus", expected="3/5 coded")  # KII-01:7 marked not codable
        await after("u", expected="3/6 coded")  # the mark undone
        await after("k", "k", "d", expected="2/6 coded")  # :5's code removed
        coding.apply_code(store, ["KII-01:9"], "relevance", coder="long")  # another coder's coding...
        await after("ctrl+r", expected="2/6 coded")  # ... counts for them, not for clara (nothing to redo)


async def test_back_from_the_queue_the_transcript_shows_what_was_coded_there(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = transcript_screen(app)
        queue = await open_queue(app, pilot)
        assert queue.current is not None
        ref = queue.current["ref"]
        await pilot.press("1", "minus")  # one unit coded, the next marked not codable
        await app.settled()
        await pilot.press("escape")
        await app.settled()
        assert app.screen is screen
        unit = screen.units[next(i for i, u in enumerate(screen.units) if u["ref"] == ref)]
        assert [(c["code"], c["coder"]) for c in unit["codings"]] == [(TOP, "clara")]
        assert "1/5 coded" in status(app)  # six informant units, one of them marked not codable
        assert mine(store) == [(ref, TOP, "suggestion")]


async def test_the_suggestions_panel_says_when_every_suggested_code_is_applied(
        make: Callable[..., QualcodeApp], gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        panel = app.screen.query_one(SuggestionsPanel)
        await pilot.press("1", "1")  # both suggestions accepted: the second became number 1
        await app.settled()
        note = str(panel.query_one("#suggestion-note").render())
        assert panel.shown_count == 0 and "all suggested codes applied" in note
        await pilot.press("j")  # the next unit, not coded yet, numbers its suggestions again
        await app.settled()
        assert panel.shown_count == 2 and "all suggested" not in str(panel.query_one("#suggestion-note").render())


async def test_a_unit_skipped_for_now_is_visited_last(make: Callable[..., QualcodeApp], store: Project) -> None:
    for ref in ("KII-01:4", "KII-01:5", "KII-01:7", "KII-01:8", "KII-01:9"):
        coding.apply_code(store, [ref], "relevance", coder="clara")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = transcript_screen(app)
        assert current(screen)["ref"] == "KII-01:3"
        await pilot.press("s")
        await app.settled()
        assert [(m["ref"], m["mark"]) for m in store.marks()] == [("KII-01:3", "skipped")]
        await pilot.press("G", "n")
        assert current(screen)["ref"] == "KII-01:3"
        assert "only units you skipped for now are left" in status(app)
        await pilot.press("s")  # again: no longer skipped
        await app.settled()
        assert store.marks() == []


# ---------------------------------------------------------------------------- undo in words, and where


async def test_undo_of_a_change_in_another_transcript_goes_there_and_says_what_it_did(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    coding.apply_code(store, ["FGD-01:6"], "gender_equality.data", coder="clara")  # e.g. yesterday, or the CLI
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await app.settled()
        screen = transcript_screen(app)
        assert screen.transcript == "FGD-01" and current(screen)["ref"] == "FGD-01:6"
        # the whole of it on screen: the code's long name loses its middle rather than the unit losing its end
        said = status(app)
        assert "undo: removed 'Sex-disaggregated dat" in said and "sensitive monitoring' from FGD-01:6" in said
        assert len(said) <= SIZE[0]
        await pilot.press("ctrl+r")
        await app.settled()
        assert "redo: applied 'Sex-disaggregated data" in status(app)
        assert [c["code"] for c in current(screen)["codings"]] == ["gender_equality.data"]


async def test_keys_typed_after_undo_act_where_undo_took_the_coder(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    """u moves the view to what it took back; a key typed right after it (a burst, or a slow disk) acts there, not
    on the unit the coder was on before u: 'u s' skips the unit whose coding was undone."""
    import time

    from qualcode.actions import history

    slow_undo = history.undo

    def undo(project: Project, **kwargs: Any) -> Any:
        time.sleep(0.3)  # a slow disk: the keys after u are read before the undo is committed
        return slow_undo(project, **kwargs)

    monkeypatch.setattr(history, "undo", undo)
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("1", "j", "j")  # KII-01:3 coded, then on to KII-01:5
        await app.settled()
        await burst(app, pilot, ["u", "s", "j", "1"])
        await app.settled()
        await pilot.pause(0.3)
        await app.settled()
        assert mine(store) == [("KII-01:4", TOP, "suggestion")]  # undone on 3; the 1 typed after 'u s j' on 4
        assert [(u["ref"], u.get("marks")) for u in transcript_screen(app).units if u.get("marks")] == [
            ("KII-01:3", {"clara": "skipped"})]


def slowed(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """A slow disk: this write takes long enough that the keys typed after it are read before it is saved."""
    import time

    real = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


async def test_n_typed_at_once_after_a_mark_passes_over_the_unit_just_marked(
        make: Callable[..., QualcodeApp], store: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    slowed(monkeypatch, coding, "mark_units")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await burst(app, pilot, ["j", "minus", "k", "n", "c", *"fund", "enter"])  # 4 not codable; n from 3 to 5
        await app.settled()
        await pilot.pause(0.3)
        await app.settled()
        assert mine(store) == [("KII-01:5", TOP, "human")]


async def test_a_second_memo_typed_at_once_opens_with_the_first(
        make: Callable[..., QualcodeApp], store: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    slowed(monkeypatch, coding, "set_memo")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await burst(app, pilot, ["m", *"first", "ctrl+s", "m", *" second", "ctrl+s"])
        await app.settled()
        await pilot.pause(0.3)
        await app.settled()
        assert [m["text"] for m in store.memos("segment")] == ["first second"]


async def test_a_number_typed_at_once_after_d_reads_the_suggestions_as_d_left_them(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    slowed(monkeypatch, coding, "remove_code")
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        # 1 applies the first suggestion; d takes it off; 2 is then the second of the two shown again
        await burst(app, pilot, ["1", "d", "2"])
        await app.settled()
        await pilot.pause(0.3)
        await app.settled()
        assert mine(store) == [("KII-01:3", SECOND, "suggestion")]


async def test_queue_undo_follows_the_order_of_what_was_done_there(make: Callable[..., QualcodeApp],
                                                                   store: Project, gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(app, pilot)
        first, second = screen.units[0]["ref"], screen.units[1]["ref"]
        await pilot.press("1", "x")  # accept on the first unit, reject on the second
        await app.settled()
        assert [d["decision"] for d in store.decisions()] == ["accepted", "rejected", "rejected"]
        await pilot.press("u")  # the rejection first
        await app.settled()
        assert [d["decision"] for d in store.decisions()] == ["accepted"]
        assert screen.current is not None and screen.current["ref"] == second
        assert f"took back the rejection of 'Funding to continue' on {second}" in status(app)
        await pilot.press("u")  # then the accept
        await app.settled()
        assert store.codings() == [] and screen.current is not None and screen.current["ref"] == first
        await pilot.press("s", "u")  # a skip is undone by going back to the unit skipped
        assert screen.current is not None and screen.current["ref"] == first


# ---------------------------------------------------------------------------- queue scope


async def test_the_queue_from_a_transcript_holds_its_units_and_a_widens_it(make: Callable[..., QualcodeApp],
                                                                          store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(app, pilot)
        assert {u["transcript"] for u in screen.units} == {"KII-01"} and len(screen.units) == 6
        await pilot.press("a")
        await app.settled()
        assert {u["transcript"] for u in screen.units} == {"KII-01", "FGD-01"}
        await pilot.press("a")
        await app.settled()
        assert {u["transcript"] for u in screen.units} == {"KII-01"}
        await pilot.press("minus")  # not codable: out of the queue for good
        await app.settled()
        await pilot.press("escape", "w")
        await app.settled()
        assert isinstance(app.screen, QueueScreen) and len(app.screen.units) == 5


async def test_keys_typed_right_after_a_act_on_the_queue_it_orders(make: Callable[..., QualcodeApp],
                                                                      store: Project,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """'a' orders the other scope's queue away from the screen; '-' typed right after it marks the first unit of
    that queue, not a unit of the queue it replaces (nor nothing, the queue being empty meanwhile)."""
    from qualcode.actions import views

    slowed(monkeypatch, views, "uncoded_queue")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(app, pilot)
        await burst(app, pilot, ["a", "minus"])
        await app.settled()
        await pilot.pause(0.3)
        await app.settled()
        first = screen.units[0]["ref"] if screen.units else None
    assert {u["transcript"] for u in screen.units} == {"KII-01", "FGD-01"}
    assert [m["ref"] for m in store.marks(coder="clara")] == [first]  # the first unit of the wide queue


async def test_a_queue_that_cannot_be_read_says_so_and_holds_no_key(make: Callable[..., QualcodeApp],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from qualcode.actions import views

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(views, "uncoded_queue", locked)
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await burst(app, pilot, ["w", "minus", "escape"])  # keys typed after w wait for the queue, then go on
        await app.settled()
        assert "could not read the queue: OperationalError: database is locked" in app.last_message
        assert isinstance(app.screen, TranscriptScreen)  # Esc left the (empty) queue


async def test_the_queue_from_the_project_view_holds_every_transcript(make: Callable[..., QualcodeApp]) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(app, pilot)
        assert {u["transcript"] for u in screen.units} == {"KII-01", "FGD-01"}


# ---------------------------------------------------------------------------- the codebook filter


async def test_f_then_escape_clears_the_codebook_filter(make: Callable[..., QualcodeApp]) -> None:
    from textual.widgets import Input, Tree

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        screen = transcript_screen(app)
        tree = screen.query_one("#code-tree", Tree)
        everything = len(list(tree.root.children))
        await pilot.press("f", *"fund")
        assert len(list(tree.root.children)) < everything
        await pilot.press("escape")
        assert screen.query_one("#code-filter", Input).value == ""
        assert len(list(tree.root.children)) == everything
        assert app.focused is screen.view


def tree_labels(screen: Any) -> dict[str, str]:
    """The codebook tree as shown: code id -> its line's text (name and count), for every line on screen."""
    from textual.widgets import Tree

    tree = screen.query_one("#code-tree", Tree)
    out: dict[str, str] = {}
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        out[node.data] = node.label.plain
        if node.is_expanded:
            stack.extend(node.children)
    return out


async def test_letters_typed_right_after_f_filter_the_codebook_in_the_order_typed(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    from textual.widgets import Input

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = transcript_screen(app)
        where, everything = current(screen)["ref"], tree_labels(screen)
        await burst(app, pilot, ["f", *"outc"])  # typed faster than the focus moves into the box
        await app.settled()
        assert screen.query_one("#code-filter", Input).value == "outc"
        shown = tree_labels(screen)
        # the matching codes with their criterion (so the tree keeps its shape), and nothing else
        assert shown["effectiveness.outcomes"].startswith("■ ") and "effectiveness" in shown
        assert "gender_equality" not in shown and "sustainability.funding" not in shown
        assert current(screen)["ref"] == where and store.codings() == []  # no letter moved or coded
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await app.settled()
        assert tree_labels(screen) == everything  # the whole codebook again, its criteria folded


async def test_counts_in_a_filtered_codebook_follow_the_codings(make: Callable[..., QualcodeApp],
                                                               store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = transcript_screen(app)
        await pilot.press("f", *"funding")
        await app.settled()
        assert tree_labels(screen)["sustainability.funding"].endswith("Funding to continue")  # no count yet
        await pilot.press("enter")  # the first match, on the current unit
        await app.settled()
        assert [c["code"] for c in store.codings(coder="clara")] == ["sustainability.funding"]
        await pilot.press("f", *"funding")
        await app.settled()
        shown = tree_labels(screen)
        assert shown["sustainability.funding"].endswith("Funding to continue 1")
        assert shown["sustainability"].endswith(" 1")  # the criterion counts its sub-codes
        await pilot.press("escape", "d")  # removed again: the counts drop, in the whole tree and a filtered one
        await app.settled()
        assert store.codings(coder="clara") == []
        assert not tree_labels(screen)["sustainability"].endswith(" 1")
        await pilot.press("f", *"funding")
        await app.settled()
        assert tree_labels(screen)["sustainability.funding"].endswith("Funding to continue")


# ---------------------------------------------------------------------------- another process


async def test_another_process_change_redraws_its_unit_and_our_own_writes_are_not_read_again(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        screen = transcript_screen(app)
        reads: list[int] = []
        full = screen.reload_from_store
        def counted() -> None:
            reads.append(1)
            full()

        screen.reload_from_store = counted  # type: ignore[method-assign]
        await pilot.press("c", *"fund", "enter")
        await app.settled()
        app.check_store()
        assert reads == []  # our own coding is on screen already
        store.add_coding("KII-01:4", "impact.policy", coder="long")
        app.check_store()
        await pilot.pause()
        assert reads == []  # one unit changed: that unit is read, not the transcript
        unit = screen.units[screen.positions[store.resolve_segment("KII-01:4")]]
        assert [(c["code"], c["coder"]) for c in unit["codings"]] == [("impact.policy", "long")]
        assert screen.counts.get("impact.policy") == 1 and screen.counts.get("sustainability.funding") == 1


async def test_a_coding_while_units_ahead_are_scored_still_gets_them_the_refitted_suggestions(
        make: Callable[..., QualcodeApp], monkeypatch: pytest.MonkeyPatch) -> None:
    # The units ahead are scored in batches; a coding that lands while a batch is scored must not drop the units it
    # asks the refitted model for (the next unit then kept the old model's suggestions for good).
    from qualcode.actions import views

    fits: list[int] = []
    calls: list[int] = []
    hold = threading.Event()
    scoring = threading.Event()

    def suggest(engine: Any, units: list[dict[str, Any]], **kwargs: Any) -> dict[int, list[dict[str, Any]]]:
        calls.append(len(units))
        if len(calls) == 2:  # the first batch of units ahead (the unit on screen was scored alone)
            scoring.set()
            hold.wait(10)
        return {int(u["id"]): [{"code": TOP, "score": 0.8, "why": f"model {len(fits)}", "model_version": "t"}]
                for u in units if u.get("role") != "interviewer"}

    def fit(project: Project) -> object:
        fits.append(1)
        return SimpleNamespace(stale=False)  # no refit left to finish

    model_in_a_thread(monkeypatch)
    monkeypatch.setattr(views, "fit_suggester", fit)
    monkeypatch.setattr(views, "suggest_units", suggest)
    monkeypatch.setattr(views, "refresh_suggester", lambda project, should_stop=None: True)
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await eventually(pilot, scoring.is_set)
        await pilot.press("1")  # KII-01:3 coded while the units ahead are being scored
        await eventually(pilot, lambda: app._generation > 0)
        hold.set()
        await app.settled()
        await pilot.press("j")
        await app.settled()
        panel = transcript_screen(app).query_one(SuggestionsPanel)
        assert panel.shown_unit == current(transcript_screen(app))["id"]
        assert str(panel._shown[0][0]["why"]) == f"model {len(fits)}" and len(fits) == 2


async def _drawn_as_fresh(app: QualcodeApp, pilot: Pilot[Any]) -> bool:
    """The screen as drawn, once it stands still, equals the screen drawn afresh (no line left as it was before the
    last action)."""
    shown = ""
    for _ in range(40):
        await app.settled()
        await pilot.pause(0.05)
        again = app.export_screenshot()
        if again == shown:
            break
        shown = again
    transcript_screen(app).view.refresh()
    await pilot.pause()
    return app.export_screenshot() == shown


async def test_a_selection_coded_or_marked_is_drawn_unselected_also_on_units_the_action_did_not_change(
        make: Callable[..., QualcodeApp], store: Project, gate: Gate) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("j", "j", "1", "j", "j", "1", "k", "k")  # :5 and :7 coded: a line of codes each
        await app.settled()
        await pilot.press("v", "j", "j", "c")  # a second code on that line: no unit grows, :6 is not changed
        await app.settled()
        await pilot.press(*"efficiency", "enter")
        await app.settled()
        assert transcript_screen(app).view.span_start is None
        assert len(mine(store)) == 4
        assert await _drawn_as_fresh(app, pilot)
