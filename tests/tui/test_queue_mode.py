"""Queue mode: uncoded units one by one; accept, correct, reject or skip, and the model learns."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from qualcode.actions import coding
from qualcode.model import QueuedUnit
from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.queue_screen import QueueScreen

SIZE = (100, 30)



def queued(screen: QueueScreen) -> QueuedUnit:
    """The unit the queue shows (there must be one)."""
    unit = screen.current
    assert unit is not None
    return unit

async def wait_for_suggestions(app: QualcodeApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await app.settled(timeout=120)
    await pilot.pause()


async def test_w_opens_the_queue_on_the_first_uncoded_informant_unit(make: Callable[..., QualcodeApp],
                                                                     store: Project) -> None:
    store.add_coding("FGD-01:2", "effectiveness.outputs", coder="clara")
    app = make(suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert queued(screen)["ref"] == "FGD-01:3"  # FGD-01:1 is the facilitator's, 2 is coded
        assert len(screen.units) == 9  # 3 left in FGD-01 + 6 in KII-01
        await pilot.press("s", "space")
        assert queued(screen)["ref"] == "FGD-01:6"
        await pilot.press("k")
        assert queued(screen)["ref"] == "FGD-01:4"
        await pilot.press("escape")
        assert not isinstance(app.screen, QueueScreen)


async def test_units_done_elsewhere_meanwhile_are_passed_over(make: Callable[..., QualcodeApp], store: Project,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Units ahead that the coder coded or marked not codable elsewhere since the queue was ordered (the command line,
    a second workbench) are passed over when the queue moves on; one another coder coded is not. The store is asked
    once per move: by the writer, with the write, when the move follows a write."""
    asked: list[tuple[list[int], bool]] = []
    units_done = Project.units_done

    def counted(project: Project, segment_ids: Iterable[int], *, coder: str) -> set[int]:
        ids = list(segment_ids)
        asked.append((ids, threading.current_thread() is threading.main_thread()))
        return units_done(project, ids, coder=coder)

    monkeypatch.setattr(Project, "units_done", counted)
    app = make(suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert queued(screen)["ref"] == "FGD-01:2"
        store.add_coding("FGD-01:3", "impact", coder="clara")
        coding.mark_unit(store, "FGD-01:4", "not_codable", coder="clara")
        store.add_coding("FGD-01:6", "impact", coder="long")
        await pilot.press("minus")
        await app.settled()
        assert queued(screen)["ref"] == "FGD-01:6"
        assert [on_ui for _, on_ui in asked] == [False]  # one query, on the writer's connection
        store.add_coding("KII-01:3", "impact", coder="clara")
        await pilot.press("s")
        await app.settled()
        assert queued(screen)["ref"] == "KII-01:4"
        assert len(asked) == 2  # a skip writes nothing: it asks the store itself, once


async def test_accepting_in_the_queue_codes_the_unit_and_moves_on(make: Callable[..., QualcodeApp],
                                                                  store: Project) -> None:
    app = make(queue_mode=True, suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_suggestions(app, pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        first, second = screen.units[0]["ref"], screen.units[1]["ref"]
        assert queued(screen)["ref"] == first and queued(screen).get("reason")  # 'qualcode queue' order
        top = screen.shown_suggestions()[0]
        await pilot.press("1")
        await wait_for_suggestions(app, pilot)
        coding = store.codings()[0]
        assert (coding["ref"], coding["code"], coding["source"]) == (first, top["code"], "suggestion")
        assert queued(screen)["ref"] == second
        # the model retrained on the new coding: its version now counts one coded unit
        shown = screen.shown_suggestions()
        assert shown and all("+k1-" in (s["model_version"] or "") for s in shown)


async def test_correcting_records_the_rejected_top_suggestion(make: Callable[..., QualcodeApp],
                                                              store: Project) -> None:
    app = make(queue_mode=True, suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_suggestions(app, pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        top = screen.shown_suggestions()[0]
        wanted = "lessons_learned" if top["code"] != "lessons_learned" else "good_practice"
        await pilot.press("c", *wanted.replace("_", " "), "enter")
        await wait_for_suggestions(app, pilot)
        first = screen.units[0]["ref"]
        assert [(c["ref"], c["code"], c["source"]) for c in store.codings()] == [(first, wanted, "human")]
        assert [(d["code"], d["decision"]) for d in store.decisions()] == [(top["code"], "rejected")]


async def test_x_rejects_every_suggestion_and_u_undoes_in_the_queue(make: Callable[..., QualcodeApp],
                                                                    store: Project) -> None:
    app = make(queue_mode=True, suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_suggestions(app, pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        shown = {s["code"] for s in screen.shown_suggestions()}
        assert shown  # x must have something to reject
        second = screen.units[1]["ref"]
        await pilot.press("x")
        await wait_for_suggestions(app, pilot)
        assert {d["code"] for d in store.decisions() if d["decision"] == "rejected"} == shown
        assert queued(screen)["ref"] == second
        await pilot.press("1")
        await wait_for_suggestions(app, pilot)
        assert len(store.codings()) == 1
        await pilot.press("u")
        await wait_for_suggestions(app, pilot)
        assert store.codings() == []
        assert queued(screen)["ref"] == second  # back on the unit whose coding was undone


async def test_a_unit_whose_suggestions_were_rejected_comes_back_after_the_units_not_yet_judged(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    # x on the queue's first unit, then the queue opened again: that unit was first again (still uncoded, still the
    # model's most uncertain), offered once more to the coder who had just judged that none of its suggestions apply
    from textual.widgets import Static

    app = make(queue_mode=True, suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_suggestions(app, pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        rejected = queued(screen)["ref"]
        count = len(screen.units)
        await pilot.press("x")
        await wait_for_suggestions(app, pilot)
        assert store.decisions(coder="clara", decision="rejected")
        await pilot.press("escape")
        await app.settled()
        await pilot.press("w")
        await wait_for_suggestions(app, pilot)
        again = app.screen
        assert isinstance(again, QueueScreen) and again is not screen
        refs = [u["ref"] for u in again.units]
        assert len(refs) == count  # still in the queue: it is not coded
        assert refs[0] != rejected and refs[-1] == rejected  # behind every unit not yet judged
        await pilot.press(*["s"] * (count - 1))  # on to it, past the others
        await pilot.pause()
        assert queued(again)["ref"] == rejected
        head = " ".join(str(again.query_one("#queue-title", Static).render()).split())
        assert "why now: you rejected its suggestions" in head, head


async def test_the_queue_picker_shows_how_often_each_code_is_used(make: Callable[..., QualcodeApp],
                                                                  store: Project) -> None:
    from textual.widgets import OptionList

    from qualcode.tui.dialogs import CodePicker

    store.add_coding("FGD-01:2", "sustainability.funding", coder="long")
    store.add_coding("FGD-01:3", "sustainability.funding", coder="long")
    app = make(suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await app.settled()
        await pilot.press("c", *"funding")
        await app.settled()
        assert isinstance(app.screen, CodePicker)
        options = app.screen.query_one(OptionList)
        first = options.get_option_at_index(0).prompt
        assert str(first) == "■ Funding to continue  Sustainability  2"  # name, where it sits, codings
        await pilot.press("enter")  # coded: the next time the picker counts it too
        await app.settled()
        await pilot.press("c", *"funding")
        await app.settled()
        prompt = app.screen.query_one(OptionList).get_option_at_index(0).prompt
        assert str(prompt) == "■ Funding to continue  Sustainability  3"


async def test_the_workbench_starts_by_giving_the_database_its_statistics(make: Callable[..., QualcodeApp],
                                                                         store: Project) -> None:
    # the queue's step to the next unit reads the coder's codings of a few units: without the statistics SQLite
    # read them through the index of all the coder's codings (34,000 rows at the size of a large evaluation)
    coding.apply_code(store, [store.segments(transcript="KII-01")[2]["id"]], "sustainability.funding", coder="clara")
    ids = [int(u["id"]) for u in store.segments(transcript="KII-01")[:3]]
    plan_sql = "EXPLAIN QUERY PLAN SELECT segment_id FROM codings WHERE coder_id = ? AND segment_id IN (?, ?, ?)"
    assert "codings_coder" in " ".join(str(r[3]) for r in store.db.execute(plan_sql, [1, *ids]))
    app = make(transcript="KII-01")
    async with app.run_test(size=(100, 30)):
        await app.settled()
    store.db.execute("ANALYZE sqlite_master")  # statistics written by another connection are read again
    assert "codings_coder" not in " ".join(str(r[3]) for r in store.db.execute(plan_sql, [1, *ids]))


async def test_the_queues_next_unit_is_drawn_in_one_frame(make: Callable[..., QualcodeApp], store: Project) -> None:
    # each unit's text has its own height: the layout that sized it laid the screen out again and drew the unit a
    # frame or three later (45-80 ms to screen at the size of a large evaluation, where one frame is 25-40)
    from test_dialog_drawing import frames
    from workbench_support import parsed

    long = "The chamber kept the meetings going for a while, " * 6
    store.add_transcript(parsed([("Interviewer", ["How did it go?"]),
                                 ("Informant", ["Well.", long, "Fine.", long + long, "Yes.", long])]),
                         "KII-02", title="Chamber officer", coder="clara")
    app = make(transcript="KII-02", suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.press("w")
        await app.settled()
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        heights = []
        for _ in range(5):
            drawn = frames(app)
            before = queued(screen)["ref"]
            await pilot.press("s")
            await pilot.pause()
            await pilot.pause()
            assert queued(screen)["ref"] != before
            heights.append(screen.query_one("#queue-unit").size.height)
            assert drawn[0] == 1, f"{queued(screen)['ref']} drawn in {drawn[0]} frames"
        assert len(set(heights)) > 1  # units of other heights were shown: the case that was drawn twice


async def test_back_from_the_queue_the_transcript_shows_what_was_done_there_unit_by_unit(
        make: Callable[..., QualcodeApp], monkeypatch: pytest.MonkeyPatch) -> None:
    # the transcript view under the queue was read again whole on coming back (130 ms of a 2,683-unit interview)
    from qualcode.tui.screens import TranscriptScreen

    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        view = app.screen
        assert isinstance(view, TranscriptScreen)
        coded_before = view.progress["coded"]
        await pilot.press("w")
        await app.settled()
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        marked = queued(queue)["ref"]
        await pilot.press("minus")
        await app.settled()
        coded = queued(queue)["ref"]
        await pilot.press("c", *"fund", "enter")
        await app.settled()
        reads: list[str] = []
        monkeypatch.setattr(TranscriptScreen, "reload_from_store", lambda self: reads.append(self.transcript))
        await pilot.press("escape")
        await app.settled()
        assert id(app.screen) == id(view) and reads == []  # back on it, nothing of it read again whole
        units = {u["ref"]: u for u in view.units}
        assert units[marked]["marks"] == {"clara": "not_codable"}
        assert [c["code"] for c in units[coded]["codings"]] == ["sustainability.funding"]
        assert view.progress["coded"] == coded_before + 1
        assert view.counts.get("sustainability.funding") == 1  # the codebook's count of it


async def test_back_from_the_queue_the_transcript_asks_for_suggestions_around_its_own_unit(
        make: Callable[..., QualcodeApp], store: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # the view below, catching up as the queue went, asked for its unit's suggestions with the queue's units around it
    # (the queue still in front): the unit alone when the queue does not hold it (the transcript's next units asked
    # only on the next move), else the queue's units, of other transcripts too, in the model's order
    from qualcode.tui.screens import TranscriptScreen

    unit = store.segments("KII-01", include_interviewer=False)[1]
    store.add_coding(unit["ref"], "effectiveness.outputs", coder="clara")  # not in the queue
    store.set_position("KII-01", unit["id"], coder="clara")
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_suggestions(app, pilot)
        view = app.screen
        assert isinstance(view, TranscriptScreen) and view.current_unit() is not None
        await pilot.press("w")
        await wait_for_suggestions(app, pilot)
        await pilot.press("a")  # every transcript's units
        await wait_for_suggestions(app, pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await pilot.press("c", *"fund", "enter")
        await wait_for_suggestions(app, pilot)
        service = app._service
        assert service is not None
        asked: list[list[str]] = []
        want = service.want

        def spied(generation: int, units: list[Any]) -> None:
            asked.append([u["ref"] for u in units])
            want(generation, units)

        monkeypatch.setattr(service, "want", spied)
        known = {uid for uid, g in app._requested.items() if g == app._generation}
        await pilot.press("escape")
        await wait_for_suggestions(app, pilot)
        assert id(app.screen) == id(view)
        at = next(i for i, u in enumerate(view.units) if u["id"] == unit["id"])
        # its unit first, then those after it in the transcript, then the few before it (less those the queue asked
        # for already)
        around = [*view.units[at:], *view.units[:at][-3:]]
        assert asked == [[u["ref"] for u in around if u["id"] not in known]], asked


async def test_the_queue_is_ordered_without_waiting_for_the_refit_a_coding_started(
        make: Callable[..., QualcodeApp], store: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # finishing the refit after the day's codings takes seconds at the size of a large evaluation: the queue (and the
    # keys typed after w) waited for it; it is ordered by the model as the codings updated it in place
    from workbench_support import model_in_a_thread

    from qualcode.nlp import project as nlp_project

    model_in_a_thread(monkeypatch)
    real = nlp_project.get_suggester
    refit_done = threading.Event()

    def slow_when_finished(project: Project, *, quick: bool = False) -> Any:
        if not quick:
            refit_done.wait(30)  # finishing the refit: as long as the test lets it
        return real(project, quick=quick)

    monkeypatch.setattr(nlp_project, "get_suggester", slow_when_finished)
    app = make(transcript="KII-01", suggestions=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("w")
            await app.settled(timeout=20)
            queue = app.screen
            assert isinstance(queue, QueueScreen) and queue.units and queue._ordering is None
            assert not refit_done.is_set()
    finally:
        refit_done.set()


async def test_why_a_unit_comes_now_names_its_codes_as_the_suggestions_do(make: Callable[..., QualcodeApp],
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # the reason read 'uncertain between coherence.internal (0.34) and efficiency (0.25)' above suggestions named
    # 'Synergies and overlaps between the programme's own projects' and 'Efficiency': the evaluator could not tell
    # which was which
    from textual.widgets import Static

    from qualcode.actions import views as wb

    plain_queue = wb.uncoded_queue

    def queue(project: Project, **kwargs: Any) -> list[QueuedUnit]:
        units = plain_queue(project, **{**kwargs, "ordered": False})
        reason = "uncertain between efficiency.coordination (0.34) and efficiency (0.25)"
        return [{**u, "reason": reason} for u in units]

    monkeypatch.setattr(wb, "uncoded_queue", queue)
    app = make(queue_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        head = str(screen.query_one("#queue-title", Static).render())
        # without the scores the model gave when it ordered the queue: the suggestions under it show the scores
        # of the model as it is now, and after a few codings the two disagreed (0.34 above, 0.23 below)
        assert ("why now: uncertain between Coordination, management and communication of the partnership and "
                "Efficiency") in " ".join(head.split()), head


async def test_o_opens_the_unit_in_its_transcript_and_the_status_line_says_so(make: Callable[..., QualcodeApp],
                                                                              store: Project) -> None:
    # the status line still said 'back where you were in KII-01: KII-01:7' (from opening the view) over KII-01:3
    from qualcode.tui.screens import TranscriptScreen

    store.set_position("KII-01", store.segments(transcript="KII-01")[6]["id"], coder="clara")
    app = make(transcript="KII-01")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        assert app.last_message == "back where you were in KII-01: KII-01:7"
        await pilot.press("w")
        await app.settled()
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        ref = queued(queue)["ref"]
        await pilot.press("o")
        await app.settled()
        view = app.screen
        assert isinstance(view, TranscriptScreen) and view.view.current is not None
        assert view.view.current["ref"] == ref
        assert app.last_message == f"opened {ref.split(':')[0]} on {ref}"
        assert "back where you were" not in str(view.query_one("#status").render())
