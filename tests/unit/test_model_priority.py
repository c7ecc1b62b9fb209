"""The model's process takes its share of a busy machine for the first suggestions after an opening, then gives way
to the screen's: once they are ready, or after a few seconds of a long fit from scratch."""

from __future__ import annotations

import os
import threading
import time

import pytest

from qualcode.actions import suggestion_service


def priorities(steps: int, wait: float = 0.0) -> list[int]:
    """The priority of a thread of its own before asking, after asking to give way soon, (after ``wait`` seconds,)
    and after saying the first fit is done."""
    seen: list[int] = []

    def run() -> None:
        tid = threading.get_native_id()
        seen.append(os.getpriority(os.PRIO_PROCESS, tid))
        give_way = suggestion_service._give_way_soon(suggestion_service.NICENESS)
        seen.append(os.getpriority(os.PRIO_PROCESS, tid))
        if wait:
            time.sleep(wait)
            seen.append(os.getpriority(os.PRIO_PROCESS, tid))
        if steps:
            give_way()
            seen.append(os.getpriority(os.PRIO_PROCESS, tid))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return seen


def test_the_model_gives_way_once_its_first_suggestions_are_ready() -> None:
    before, asked, done = priorities(1)
    assert asked == before
    assert done == min(19, before + suggestion_service.NICENESS)


def test_a_long_first_fit_gives_way_after_a_few_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggestion_service, "FIRST_FIT_SHARE", 0.05)
    before, asked, later, done = priorities(1, wait=1.0)
    assert asked == before
    assert later == done == min(19, before + suggestion_service.NICENESS)  # once only
