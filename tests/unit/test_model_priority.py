"""The model's process takes its share of a busy machine for the first suggestions after an opening, then gives way
to the screen's: once they are ready, or after a few seconds of a long fit from scratch.

Priorities are read in a Python process of its own, as the model's process is one: a priority once lowered cannot be
raised again, and where a priority is the whole process's (macOS) giving way here would slow the rest of the tests.
The few seconds are not waited for: the test is handed the step that runs when they have passed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from qualcode.actions import suggestion_service

# The model's loop, in a thread of its own: its priority before asking to give way soon, after asking, after the few
# seconds passed (when "timer" is asked for), and after its first suggestions are ready; and the priority then of a
# thread started before. -1 where a priority cannot be read (Windows).
CHILD = """
import json, os, sys, threading
from qualcode.actions import suggestion_service as service

timer = sys.argv[1] == "timer"
seen = []
scheduled = []

def priority(tid=None):
    if not hasattr(os, "getpriority"):
        return -1
    # a thread's own priority on Linux; elsewhere the process's
    who = (tid or threading.get_native_id()) if sys.platform.startswith("linux") else 0
    return os.getpriority(os.PRIO_PROCESS, who)

def after(seconds, action):
    scheduled.append((seconds, action))
    return lambda: None

def worker(started, stop):
    work.append(threading.get_native_id())
    started.set()
    stop.wait()

def loop():
    # a thread the first fit started (as numerical libraries start theirs), at the loop's priority then
    started, stop = threading.Event(), threading.Event()
    threading.Thread(target=worker, args=(started, stop), daemon=True).start()
    started.wait()
    seen.append(priority())
    give_way = service._give_way_soon(service.NICENESS, after=after)
    seen.append(priority())
    if timer:
        seconds, action = scheduled[0]
        assert seconds == service.FIRST_FIT_SHARE
        action()
        seen.append(priority())
    give_way()
    seen.append(priority())
    worker_seen.append(priority(work[0]))
    stop.set()

work = []
worker_seen = []
thread = threading.Thread(target=loop)
thread.start()
thread.join()
print(json.dumps({"seen": seen, "scheduled": len(scheduled), "worker": worker_seen[0]}))
"""


def model_process(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=True)
    found: dict[str, Any] = json.loads(proc.stdout)
    return found


def lowered(before: int) -> int:
    return min(19, before + suggestion_service.NICENESS)


# Run at the lowest priority already, a process has no way left to give: the tests below could not tell giving way
# from doing nothing.
CANNOT_GIVE_WAY = not hasattr(os, "getpriority") or lowered(os.getpriority(os.PRIO_PROCESS, 0)) == \
    os.getpriority(os.PRIO_PROCESS, 0)
NO_WAY_TO_GIVE = "no process priorities to read here, or this process already runs at the lowest"


@pytest.mark.skipif(CANNOT_GIVE_WAY, reason=NO_WAY_TO_GIVE)
def test_the_model_gives_way_once_its_first_suggestions_are_ready() -> None:
    before, asked, done = model_process("ready")["seen"]
    if sys.platform.startswith("linux"):  # a thread's priority is its own: it waits for the first suggestions
        assert asked == before
    else:  # a priority is the whole process's (the screen's is another): given way at once
        assert asked == lowered(before)
    assert done == lowered(before)


@pytest.mark.skipif(CANNOT_GIVE_WAY, reason=NO_WAY_TO_GIVE)
def test_the_threads_the_first_fit_started_give_way_too() -> None:
    # Numerical libraries start worker threads during the first fit: they do most of a refit's work, and give way
    # with the model's loop rather than keep the priority it had then.
    found = model_process("ready")
    before = found["seen"][0]
    assert found["worker"] == lowered(before)


@pytest.mark.skipif(CANNOT_GIVE_WAY, reason=NO_WAY_TO_GIVE)
def test_a_long_first_fit_gives_way_after_a_few_seconds() -> None:
    found = model_process("timer")
    before, asked, later, done = found["seen"]
    if sys.platform.startswith("linux"):
        assert found["scheduled"] == 1
        assert asked == before
    else:
        assert asked == lowered(before)
    assert later == done == lowered(before)  # once only


def test_giving_way_never_fails_where_priorities_cannot_be_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows has neither os.setpriority nor os.nice: the model keeps its priority, and its loop goes on.
    monkeypatch.delattr(os, "setpriority", raising=False)
    monkeypatch.delattr(os, "nice", raising=False)
    give_way = suggestion_service._give_way_soon(suggestion_service.NICENESS,
                                                 after=lambda seconds, action: pytest.fail("nothing to schedule"))
    give_way()
    give_way()
