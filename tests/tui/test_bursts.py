"""Keys read all at once do what the same keys do typed one by one: the codings, marks and memos saved, and where the
coder ends up, are the same (sequences drawn at random, with fixed seeds, from the keys of a day of coding)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from test_day_of_coding import burst
from workbench_support import build_small_project, current, transcript_screen, use_fixed_suggestions

from qualcode.store import Project
from qualcode.tui import make_app
from qualcode.tui.queue_screen import QueueScreen

SIZE = (100, 30)
SUGGESTIONS = [
    {"code": "sustainability.funding", "score": 0.8, "why": "keywords: funding", "model_version": "test"},
    {"code": "effectiveness.outputs", "score": 0.3, "why": "terms from the definition", "model_version": "test"},
]
ACTIONS = [["1"], ["2"], ["n"], ["j"], ["k"], ["minus"], ["s"], ["v"], ["u"], ["ctrl+r"], ["j", "j"], ["escape"],
           ["c", "o", "u", "t", "c", "enter"], ["c", "f", "u", "n", "d", "escape"], ["d", "enter"], ["d"],
           ["m", "o", "k", "ctrl+s"]]
QUEUE_ACTIONS = [["1"], ["2"], ["x"], ["s"], ["minus"], ["k"], ["u"], ["a"], ["c", "o", "u", "t", "c", "enter"],
                 ["c", "f", "u", "n", "d", "escape"]]


def keys_for(seed: int, actions: int = 24, *, queue: bool = False) -> list[str]:
    rng = random.Random(seed)
    return [key for _ in range(actions) for key in rng.choice(QUEUE_ACTIONS if queue else ACTIONS)]


async def outcome(folder: Path, keys: list[str], *, at_once: bool, queue: bool = False) -> tuple[Any, ...]:
    app = make_app(folder, coder="clara", transcript="KII-01", suggestions=True, poll_seconds=0, queue_mode=queue)
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        if at_once:
            await burst(app, pilot, keys)
            for _ in range(5):
                await pilot.pause(0.1)
                await app.settled()
        else:
            for key in keys:
                await pilot.press(key)
                await app.settled()
        if queue:
            where = app.screen.current["ref"] if isinstance(app.screen, QueueScreen) and app.screen.current else None
        else:
            where = current(transcript_screen(app))["ref"]
        dialog = type(app.screen).__name__
    with Project.open(folder) as project:
        codings = sorted((c["ref"], c["code"]) for c in project.codings(coder="clara"))
        memos = sorted((m["target_id"], m["text"]) for m in project.memos("segment"))
        decisions = sorted((d["segment"], d["code"], d["decision"]) for d in project.decisions())
        marks = sorted((m["ref"], m["mark"]) for m in project.marks(coder="clara"))
    return codings, marks, memos, decisions, where, dialog


@pytest.mark.parametrize("seed", [3, 8, 13, 15, 18])
async def test_keys_read_at_once_do_what_they_do_typed_one_by_one(tmp_path: Path, seed: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixed_suggestions(monkeypatch, SUGGESTIONS)
    keys = keys_for(seed)
    one_by_one, at_once = tmp_path / "one", tmp_path / "burst"
    for folder in (one_by_one, at_once):
        build_small_project(folder).close()
    assert await outcome(at_once, keys, at_once=True) == await outcome(one_by_one, keys, at_once=False), keys


@pytest.mark.parametrize("seed", [0, 4, 5, 7])
async def test_queue_keys_read_at_once_do_what_they_do_typed_one_by_one(tmp_path: Path, seed: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixed_suggestions(monkeypatch, SUGGESTIONS)
    keys = keys_for(seed, 16, queue=True)
    one_by_one, at_once = tmp_path / "one", tmp_path / "burst"
    for folder in (one_by_one, at_once):
        build_small_project(folder).close()
    assert (await outcome(at_once, keys, at_once=True, queue=True)
            == await outcome(one_by_one, keys, at_once=False, queue=True)), keys
