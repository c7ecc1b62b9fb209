"""The suggestion model runs in a process of its own: suggestions come, a number key codes with them, the process
ends with the workbench, and a model process that dies is said plainly instead of leaving keys waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from workbench_support import current, eventually, transcript_screen

from qualcode.actions.suggestion_service import ProcessService
from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.widgets.panels import SuggestionsPanel

SIZE = (100, 30)


def ended(service: ProcessService, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while service.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return service.proc.poll() is not None


async def kill_the_model_process(app: QualcodeApp, pilot: Any) -> None:
    """Kill the workbench's model process as a crash would, and wait until the workbench has noticed."""
    service = app._service
    assert isinstance(service, ProcessService)
    service.proc.kill()
    assert ended(service)
    await eventually(pilot, lambda: "the model's process ended" in app.suggestion_note)


async def test_suggestions_come_from_the_models_own_process_and_it_ends_with_the_workbench(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        service = app._service
        assert isinstance(service, ProcessService) and service.proc.poll() is None
        screen = transcript_screen(app)
        panel = screen.query_one(SuggestionsPanel)
        unit = current(screen)
        await eventually(pilot, lambda: panel.shown_unit == unit["id"] and panel.shown_count > 0, timeout=120)
        top = screen.visible_suggestions()[0]
        await pilot.press("1")
        await app.settled(timeout=60)
        [coding] = store.codings()
        assert (coding["ref"], coding["code"], coding["source"]) == (unit["ref"], top["code"], "suggestion")
        assert coding["model_version"] == top["model_version"]
        # the coding reached the model: the next suggestions are scored by a model that learned from it
        await pilot.press("j")
        def version() -> str:
            shown = screen.visible_suggestions()
            return str(shown[0]["model_version"]) if shown else ""

        await eventually(pilot, lambda: "+k1-" in version(), timeout=120)
        assert "+k1-" in version()
    assert ended(service), "the model's process outlived the workbench"


async def test_a_model_process_that_dies_is_said_and_number_keys_are_dropped_not_kept_waiting(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await kill_the_model_process(app, pilot)
        screen = transcript_screen(app)
        await pilot.press("G", "1")  # a unit whose suggestions were never computed
        await eventually(pilot, lambda: "dropped" in app.last_message)
        assert "1 on" in app.last_message and "dropped" in app.last_message
        assert "the model's process ended" in app.last_message
        assert store.codings() == []
        assert "the model's process ended" in str(screen.query_one("#suggestion-note").render())


async def test_the_queue_comes_in_transcript_order_when_the_model_process_has_died(
        make: Callable[..., QualcodeApp]) -> None:
    from qualcode.tui.queue_screen import QueueScreen

    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=SIZE) as pilot:
        await kill_the_model_process(app, pilot)
        await pilot.press("w")
        await eventually(pilot, lambda: isinstance(app.screen, QueueScreen) and bool(app.screen.units))
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        assert [u["ref"] for u in queue.units][:2] == ["KII-01:3", "KII-01:4"]  # transcript order, no model
