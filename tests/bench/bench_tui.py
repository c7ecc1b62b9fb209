"""Benchmark of the coding workbench at the size of a large evaluation (not a timed test).

Builds a project of 200 transcripts (~1M words) and 100,000 codings by three coders, one of them a 40,000-word
interview, with the coder's own history of ~33,000 logged actions; then drives the real app headless (Textual's
run_test) with the store watcher on and suggestions on, as a person would:

* open: ``qualcode code --transcript`` in a fresh process, from the command's start to the units on screen;
* every key, from the key to the screen showing its effect, drawn (and, for a change, to the status bar saying
  saved: the writer committed it first): moving, accepting a suggestion, the picker, removing, undo and redo,
  marking, help, search, the codebook filter;
* the next unit's suggestions: from ``j`` to the suggestions of the new unit on screen, after codings (so the
  suggester has refitted);
* the store watcher: how long each of its ticks holds the screen, after our own writes and after another
  process's;
* a burst of keys typed faster than the screen (``j 1`` twenty times at once): every coding lands, on its unit.

Keys are posted to the app exactly as the terminal driver posts them (``Pilot.press`` adds ~100 ms of waiting per
key, which is not the app's latency).

    .venv/bin/python tests/bench/bench_tui.py [--transcripts 200] [--codings 100000] [--words 40000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.codebook import default_codebook_path, load_codebook  # noqa: E402
from qualcode.model import ParsedTranscript, Turn, Unit  # noqa: E402
from qualcode.store import Project, now_iso  # noqa: E402

WORDS = (
    "training grievance factory workers union chamber ministry funding meetings sectoral dialogue toolkit "
    "women gender data monitoring results outputs outcomes capacity ownership managers line leaders "
    "complaints bargaining agreement seminars advisory compliance roadmap budget staff time coordination "
    "partners project projects province district industrial zone supplier brand donor evaluation relevance"
).split()
FILLER = "the a we our they it was were is and but so very more also with for in on of to".split()
TOPICS = [("funding", "sustainability.funding"), ("budget", "efficiency.resources"), ("staff", "efficiency.resources"),
          ("women", "gender_equality.inclusion"), ("gender", "gender_equality.mainstreaming"),
          ("data", "gender_equality.data"), ("monitoring", "validity_of_design.monitoring"),
          ("union", "impact.foa_cb"), ("bargaining", "impact.foa_cb"), ("dialogue", "impact.social_dialogue"),
          ("training", "effectiveness.outputs"), ("outcomes", "effectiveness.outcomes"),
          ("coordination", "efficiency.coordination"), ("partners", "efficiency.coordination"),
          ("ownership", "sustainability.ownership"), ("capacity", "sustainability.capacity"),
          ("relevance", "relevance.needs_fit"), ("ministry", "relevance.policy_alignment"),
          ("compliance", "effectiveness.outputs"), ("complaints", "impact.relationships")]
CODER = "bench"
LONG = "KII-99"
NEW = "KII-NEW"  # the interview imported in the morning


def interview(words: int, seed: int = 7) -> ParsedTranscript:
    """A synthetic KII: short interviewer questions, informant answers of 2-8 sentences of 8-22 words."""
    rng = random.Random(seed)
    text, turns, units = "", [], []
    count, n = 0, 0
    while count < words:
        speaker = "Interviewer" if n % 2 == 0 else "Informant"
        sentences = 1 if speaker == "Interviewer" else rng.randint(2, 8)
        if text:
            text += "\n\n"
        text += f"{speaker}: "
        turn_start = len(text)
        for i in range(sentences):
            k = rng.randint(8, 22)
            sent = " ".join(rng.choice(WORDS if rng.random() < 0.45 else FILLER) for _ in range(k))
            sent = sent[0].upper() + sent[1:] + ("?" if speaker == "Interviewer" else ".")
            if i:
                text += " "
            start = len(text)
            text += sent
            units.append(Unit(start, len(text), speaker, n + 1, t_start=n * 20.0, t_end=n * 20.0 + 19))
            count += k
        turns.append(Turn(speaker, turn_start, len(text), t_start=n * 20.0, t_end=n * 20.0 + 19))
        n += 1
    return ParsedTranscript(text=text, turns=turns, units=units, format="txt", source_name="bench.txt")


def build(dest: Path, *, words: int, transcripts: int, codings: int, total_words: int = 1_000_000) -> dict[str, int]:
    """The project: the long interview and ``transcripts - 1`` others (~1M words together), then ``codings``
    codings by three coders, each logged as its own action as the workbench logs it (written in bulk: building
    the project is not what is measured). The long interview is one-third coded by the benchmark's coder."""
    project = Project.create(dest, codebook=load_codebook(default_codebook_path()), name="Benchmark")
    built_words = 0  # counted as built (``total_words`` is what is aimed at)
    long = interview(words)
    project.add_transcript(long, LONG, title="Long interview", coder=CODER)
    built_words += len(long.text.split())
    other_words = max(500, (total_words - words) // max(1, transcripts - 1))
    for i in range(transcripts - 1):
        pt = interview(other_words, seed=100 + i)
        tid = f"KII-{i:03d}" if i % 5 else f"FGD-{i:03d}"
        project.add_transcript(pt, tid, title=f"Interview {i}", coder=CODER)
        built_words += len(pt.text.split())
    with project.transaction():
        for (tid,) in project.db.execute("SELECT id FROM transcripts").fetchall():
            project.set_speaker(tid, "Interviewer", role="interviewer", case_id=None, coder=CODER)
            project.set_speaker(tid, "Informant", role="informant", case_id=None, coder=CODER)
    codes = [c.id for c in project.codebook().walk()]
    informant = project.db.execute(
        "SELECT s.id, s.transcript_id, s.idx, s.text FROM segments s WHERE s.speaker = 'Informant'"
        " ORDER BY s.transcript_id = ?, s.transcript_id, s.idx", (LONG,)).fetchall()
    long_units = [r for r in informant if r[1] == LONG]
    others = [r for r in informant if r[1] != LONG]
    coder_ids = {name: project.coder_id(name) for name in (CODER, "clara", "long")}
    rng = random.Random(11)

    def code_for(text: str) -> str:
        # as a coder would: the code its words speak of (so the suggester has something to learn), else any
        words = set(text.lower().rstrip(".?").split())
        found = [code for word, code in TOPICS if word in words]
        return rng.choice(found) if found else rng.choice(codes)

    planned: dict[tuple[int, str, str], None] = dict.fromkeys(
        (r[0], code_for(r[3]), CODER) for r in long_units[: len(long_units) // 3])
    names = list(coder_ids)
    while len(planned) < codings:  # one code once per unit and coder
        r = rng.choice(others)
        planned[(r[0], code_for(r[3]), names[len(planned) % 3])] = None
    plan = list(planned)
    with project.transaction():
        next_event = project.last_event_id() + 1
        next_coding = int(project.db.execute("SELECT coalesce(max(id), 0) FROM codings").fetchone()[0]) + 1
        coding_rows, event_rows = [], []
        for seg, code, coder in plan:
            ts = now_iso()
            state = {"id": next_coding, "segment_id": seg, "code_id": code, "coder": coder, "created": ts,
                     "memo": None, "source": "human", "score": None, "model_version": None, "status": "ok"}
            coding_rows.append((next_coding, seg, code, coder_ids[coder], ts))
            event_rows.append((next_event, ts, coder, "coding.add", "coding", str(next_coding),
                               json.dumps(state, sort_keys=True), next_event))
            next_coding += 1
            next_event += 1
        project.db.executemany(
            "INSERT INTO codings (id, segment_id, code_id, coder_id, created) VALUES (?, ?, ?, ?, ?)", coding_rows)
        project.db.executemany("INSERT INTO events (id, ts, coder, action, entity, entity_id, after, action_group)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", event_rows)
    stats = {
        "transcripts": transcripts,
        "words": built_words,
        "units": int(project.db.execute("SELECT count(*) FROM segments").fetchone()[0]),
        "long_words": len(long.text.split()),
        "long_units": len(long.units),
        "codings": int(project.db.execute("SELECT count(*) FROM codings").fetchone()[0]),
        "coder_events": int(project.db.execute("SELECT count(*) FROM events WHERE coder = ?", (CODER,)).fetchone()[0]),
    }
    project.close()
    return stats


# ---------------------------------------------------------------------------- open, in a fresh process


def import_interview(dest: Path, tid: str, words: int = 5_000, seed: int = 999) -> int:
    """Import one more interview of ``words`` words (the morning's new transcript), its speakers' roles set as the
    others'; returns its informant units."""
    with Project.open(dest) as project:
        project.add_transcript(interview(words, seed=seed), tid, title="New interview", coder=CODER)
        with project.transaction():
            project.set_speaker(tid, "Interviewer", role="interviewer", case_id=None, coder=CODER)
            project.set_speaker(tid, "Informant", role="informant", case_id=None, coder=CODER)
        return len(project.segments(tid, include_interviewer=False))


def child_open(dest: str, suggestions: bool = False, transcript: str = LONG) -> None:
    """Run in a fresh process: open the workbench on the long interview as ``qualcode code`` does, headless, and
    print when its units are on screen (``suggestions``: and then when the suggestions of the first informant's unit
    from where it opened are computed, and on screen if it opened on it)."""

    async def go() -> None:
        from qualcode.tui import make_app
        from qualcode.tui.screens import TranscriptScreen
        from qualcode.tui.widgets.panels import SuggestionsPanel

        app = make_app(dest, transcript=transcript, coder=CODER)
        async with app.run_test(size=(120, 40)):
            while not (isinstance(app.screen, TranscriptScreen) and app.screen.view.units
                       and app.screen.view.size.height):
                await asyncio.sleep(0.001)
            print(f"SHOWN {time.process_time():.3f}", flush=True)  # and the processor time it took
            if suggestions:
                screen = app.screen
                at = screen.view.cursor
                first = next(u for u in screen.units[at:] if u["role"] != "interviewer")
                panel = screen.query_one(SuggestionsPanel)
                while not (app.suggestions_known(first["id"]) and (
                        first is not screen.units[at] or panel.shown_unit == first["id"])):
                    await asyncio.sleep(0.005)
                print("SUGGESTED", flush=True)
            os._exit(0)  # the time to first screen is what is measured, not the way out

    asyncio.run(go())


def measure_open(dest: Path, runs: int = 3, *, suggestions: bool = False, cold: bool = False,
                 transcript: str = LONG) -> list[tuple[float, float | None, float]]:
    """(seconds to the units on screen, to the first suggestions, processor seconds the workbench's process took to
    show the units) from the command's start, in fresh processes; ``cold``: with no model cache (the first open
    after an import)."""
    out = []
    for _ in range(runs):
        if cold:
            shutil.rmtree(dest / ".qualcode" / "models", ignore_errors=True)
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child-open", str(dest), "--child-transcript", transcript]
                                + (["--child-suggestions"] if suggestions else []), stdout=subprocess.PIPE,
                                text=True, cwd=str(ROOT))
        assert proc.stdout is not None
        line = proc.stdout.readline()
        shown = time.perf_counter() - start
        if "SHOWN" not in line:
            raise RuntimeError(f"the workbench did not open: {line!r}")
        cpu = float(line.split()[1])
        suggested = None
        if suggestions:
            line = proc.stdout.readline()
            if "SUGGESTED" not in line:
                raise RuntimeError(f"no suggestions came: {line!r}")
            suggested = time.perf_counter() - start
        proc.wait()
        out.append((shown, suggested, cpu))
    return out


# ---------------------------------------------------------------------------- keys


async def until(predicate: Callable[..., bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not update")
        await asyncio.sleep(0.0005)


async def drive(dest: Path, *, reps: int, suggestions: bool) -> dict[str, Any]:
    from textual.widgets import Input

    from qualcode.tui import make_app
    from qualcode.tui.dialogs import CodePicker, HelpScreen, SearchScreen
    from qualcode.tui.queue_screen import QueueScreen
    from qualcode.tui.screens import TranscriptScreen
    from qualcode.tui.widgets.panels import CodebookPanel, SuggestionsPanel

    out: dict[str, Any] = {}
    times: dict[str, list[float]] = {}
    cpu_times: dict[str, list[float]] = {}
    effects: dict[str, list[float]] = {}
    app = make_app(dest, transcript=LONG, coder=CODER, suggestions=suggestions)  # the store watcher is on
    ticks: list[float] = []
    check_store = app.check_store

    def timed_check() -> None:
        t = time.perf_counter()
        check_store()
        ticks.append(1000 * (time.perf_counter() - t))

    app.check_store = timed_check  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, TranscriptScreen) and bool(app.screen.view.units))
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        panel = screen.query_one(SuggestionsPanel)

        def mine() -> list[str]:
            u = screen.view.current
            return [c["code"] for c in u["codings"] if c["coder"] == CODER] if u else []

        def current() -> dict[str, Any]:
            u = screen.view.current
            assert u is not None
            return dict(u)

        def saved() -> bool:
            return not app.pending_writes

        def shown_for(unit_id: int) -> bool:
            """The suggestions panel shows this unit's suggestions (computed: a list, or "no suggestion")."""
            return panel.shown_unit == unit_id

        def drawn() -> bool:
            """The screen on top has drawn what changed: no message waits for it (a widget's request to be drawn
            again is one) and no layout, repaint or widget is left for its next drawing."""
            top = app.screen
            return not (top._message_queue.qsize() or top._layout_required or top._repaint_required
                        or top._scroll_required or top._dirty_widgets)

        async def key(name: str, k: str, done: Callable[..., bool], timeout: float = 30.0) -> float:
            t, cpu = time.perf_counter(), time.thread_time()
            app.simulate_key(k)
            # until the screen shows it: the effect, then its drawing (a dialog's first drawing is the key that opened
            # it, search results are the Enter that found them, not whatever key comes next); the time to the
            # effect alone is kept too (what runs in the app before Textual draws it)
            await until(done, timeout=timeout)
            effects.setdefault(name, []).append(1000 * (time.perf_counter() - t))
            await until(drawn, timeout=timeout)
            ms = 1000 * (time.perf_counter() - t)
            times.setdefault(name, []).append(ms)
            # the processor time the screen's thread spent meanwhile: what is left of the wall clock is waiting (for a
            # core on a busy machine, for the disk to commit)
            cpu_times.setdefault(name, []).append(1000 * (time.thread_time() - cpu))
            return ms

        if suggestions:  # measured in fresh processes (main): here the model is only waited for
            first = next(u for u in screen.units[screen.view.cursor:] if u["role"] != "interviewer")
            await until(lambda: bool(app.suggestions_known(first["id"])), timeout=600)
        await pilot.pause()

        for _ in range(reps):
            pos = screen.view.cursor
            await key("j (next unit)", "j", lambda pos=pos: screen.view.cursor == pos + 1)
            await key("k (previous unit)", "k", lambda pos=pos: screen.view.cursor == pos)
            pos = screen.view.cursor
            await key("n (next uncoded)", "n", lambda pos=pos: screen.view.cursor != pos)
            if suggestions:
                # an informant unit followed by another, as most are (j onto a question has no suggestion to show)
                while "interviewer" in (current()["role"], screen.units[screen.view.cursor + 1]["role"]):
                    pos = screen.view.cursor
                    await key("n (next uncoded)", "n", lambda pos=pos: screen.view.cursor != pos)
                uid = current()["id"]
                await until(lambda uid=uid: shown_for(uid), timeout=600)
                before = len(mine())
                if panel.shown_count:
                    await key("1 (accept a suggestion)", "1", lambda before=before: len(mine()) > before and saved())
                else:  # said in the output: a round without an accept measures no coding
                    out["no_suggestion"] = out.get("no_suggestion", 0) + 1
                # the next unit's suggestions, after the refit this coding started
                pos = screen.view.cursor
                coded_at = time.perf_counter()
                await key("j, next unit's suggestions shown", "j",
                          lambda pos=pos: screen.view.cursor == pos + 1
                          and shown_for(current()["id"]), timeout=300)  # a refit on a loaded machine: measured
                nid = current()["id"]
                try:
                    await until(lambda nid=nid: app._fresh.get(nid, -1) >= app._generation, timeout=120)
                    times.setdefault("(after a coding: the refitted model's suggestions replace them)", []).append(
                        1000 * (time.perf_counter() - coded_at))
                except TimeoutError:  # said in the output, not hidden: the old suggestions stayed on screen
                    out["refit_timeouts"] = out.get("refit_timeouts", 0) + 1
                await key("k", "k", lambda pos=pos: screen.view.cursor == pos)
            await key("c (picker open)", "c", lambda: isinstance(app.screen, CodePicker) and app.focused is not None
                      and app.focused.id == "picker-input")
            picker = app.screen
            for ch in "fund":
                await key("typing in the picker", ch,
                          lambda ch=ch, picker=picker: picker.query_one("#picker-input", Input).value.endswith(ch))
            await key("Enter (apply the code)", "enter", lambda: "sustainability.funding" in mine() and saved()
                      and app.screen is screen)
            count = len(mine())
            if count > 1:
                await key("d (remove: choose which)", "d", lambda: isinstance(app.screen, CodePicker))
                await key("d, Enter (removed)", "enter", lambda count=count: len(mine()) < count and saved())
            else:
                await key("d (remove the code)", "d", lambda count=count: len(mine()) < count and saved())
            await key("u (undo)", "u", lambda count=count: len(mine()) == count and saved())
            await key("ctrl+r (redo)", "ctrl+r", lambda count=count: len(mine()) < count and saved())
            await key("u (undo)", "u", lambda count=count: len(mine()) == count and saved())
            await key("? (keys)", "question_mark", lambda: isinstance(app.screen, HelpScreen)
                      and app.screen.is_mounted)
            await key("Esc (close)", "escape", lambda: app.screen is screen)
            await key("/ (search)", "slash", lambda: isinstance(app.screen, SearchScreen) and app.focused is not None
                      and app.focused.id == "search-input")
            search = app.screen
            for ch in "fund":
                app.simulate_key(ch)
            await until(lambda search=search: search.query_one("#search-input", Input).value == "fund")
            await key("Enter (search results)", "enter", lambda search=search: bool(search.hits))
            await key("Esc (close)", "escape", lambda: app.screen is screen)
            await key("f (codebook filter)", "f", lambda: app.focused is not None and app.focused.id == "code-filter")
            codebook = screen.query_one(CodebookPanel)
            typed = ""
            for ch in "outc":  # until the tree shows the codes that match what is typed so far
                typed += ch
                await key("typing in the filter", ch, lambda typed=typed, codebook=codebook: screen.query_one(
                    "#code-filter", Input).value == typed and codebook.shown_filter == typed)
            await key("Esc (clear the filter)", "escape", lambda: screen.query_one("#code-filter", Input).value == ""
                      and app.focused is screen.view)
            # the picker again, after the pause a person makes reading the unit before choosing a code (the keys above
            # come back to back: the screen behind a dialog is pictured in such a pause, for the dialog to show it)
            await asyncio.sleep(0.5)
            await key("c after a pause (picker open)", "c", lambda: isinstance(app.screen, CodePicker)
                      and app.focused is not None and app.focused.id == "picker-input")
            app.simulate_key("escape")
            await until(lambda: app.screen is screen)
            pos = screen.view.cursor
            await key("n (next uncoded)", "n", lambda pos=pos: screen.view.cursor != pos)

        # the store watcher: our own writes, then another process's
        await asyncio.sleep(2 * app.poll_seconds)
        ticks.clear()
        for _ in range(5):
            before = len(mine())
            app.simulate_key("c")
            await until(lambda: isinstance(app.screen, CodePicker) and app.focused is not None
                        and app.focused.id == "picker-input")
            for ch in "capac":
                app.simulate_key(ch)
            await until(lambda: app.screen.query_one("#picker-input", Input).value == "capac")
            app.simulate_key("enter")
            try:
                await until(lambda before=before: len(mine()) > before and saved())
            except TimeoutError:
                raise TimeoutError(f"no coding: {app.last_message!r} on {current()['ref']}") from None
            await asyncio.sleep(app.poll_seconds + 0.2)
            pos = screen.view.cursor
            app.simulate_key("n")
            await until(lambda pos=pos: screen.view.cursor != pos)
        out["watcher_own_ms"] = list(ticks)
        ticks.clear()
        other = Project.open(dest)
        refs = [u["ref"] for u in screen.units if u["role"] != "interviewer"
                and not any(c["coder"] == "clara" for c in u["codings"])][-40:]
        for ref in refs[:5]:
            other.add_coding(ref, "impact", coder="clara")
            await asyncio.sleep(app.poll_seconds + 0.2)
        other.close()
        out["watcher_other_ms"] = list(ticks)

        # a burst: "j 1" twenty times, typed faster than the screen
        if suggestions:
            await until(lambda: shown_for(current()["id"]), timeout=60)
            start_pos = screen.view.cursor
            # 'j' moves onto every unit; a '1' on an interviewer's unit is refused (not coded), so only the
            # informant's units of the twenty are expected to carry a coding
            passed = [screen.units[start_pos + 1 + i] for i in range(20)]
            expected = [u["id"] for u in passed if u["role"] != "interviewer"]
            coded_before = {uid: len([c for c in screen.units[screen.positions[uid]]["codings"]
                                      if c["coder"] == CODER]) for uid in expected}
            t = time.perf_counter()
            for _ in range(20):
                app.simulate_key("j")
                app.simulate_key("1")
            check = Project.open(dest)
            try:
                def landed() -> int:
                    return sum(1 for uid in expected
                               if len(check.codings(segment=uid, coder=CODER)) > coded_before[uid])
                await until(lambda: landed() == len(expected) and saved(), timeout=120)
            except TimeoutError:
                pass
            out["burst"] = (landed(), len(expected), time.perf_counter() - t, 20 - len(expected))
            check.close()

        # queue mode on the long interview: its uncoded units, most informative first (the model process scores
        # every one of them), then the queue's own keys, each of which writes and moves on
        if suggestions:
            await until(saved, timeout=60)
            t = time.perf_counter()
            app.simulate_key("w")
            await until(lambda: isinstance(app.screen, QueueScreen), timeout=60)
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            await until(lambda: bool(queue.units) and queue._ordering is None, timeout=600)
            await until(drawn)
            out["queue_open"] = (time.perf_counter() - t, len(queue.units))

            def suggested() -> bool:
                u = queue.current
                return u is None or app.suggestions_known(u["id"]) is not False

            for _ in range(reps):
                await until(suggested, timeout=120)
                if not queue.shown_suggestions():  # nothing to accept or reject here: on to a unit with some
                    app.simulate_key("s")
                    continue
                pos = queue.position
                await key("queue: 1 (accept, on to the next)", "1", lambda pos=pos: queue.position > pos and saved())
                pos = queue.position
                await key("queue: s (skip)", "s", lambda pos=pos: queue.position > pos)
                await key("queue: u (undo the skip)", "u", lambda pos=pos: queue.position == pos)
                await until(suggested, timeout=120)
                if not queue.shown_suggestions():
                    continue
                await key("queue: x (reject, on to the next)", "x", lambda pos=pos: queue.position > pos and saved())
                await key("queue: u (undo the rejection)", "u", lambda pos=pos: queue.position == pos and saved())
            await key("queue: Esc (back to the transcript)", "escape", lambda: app.screen is screen)
    out["keys"] = times
    out["cpu"] = cpu_times
    out["effects"] = effects
    return out


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    first, values = values[0], sorted(values)
    p90 = values[math.ceil(0.9 * len(values)) - 1]  # nearest rank: of ten, the second slowest
    return (f"median {statistics.median(values):6.1f} ms, p90 {p90:6.1f}, max {values[-1]:6.1f}, first {first:6.1f}"
            f" (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=40_000, help="words of the long interview")
    parser.add_argument("--transcripts", type=int, default=200)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=20, help="rounds of every key")
    parser.add_argument("--no-suggestions", action="store_true")
    parser.add_argument("--opens-only", action="store_true", help="measure opening (and first suggestions) only")
    parser.add_argument("--keys-only", action="store_true", help="measure the keys only (not opening)")
    parser.add_argument("--keep", metavar="DIR", help="build the project in DIR and keep it (reused if present)")
    parser.add_argument("--child-open", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--child-suggestions", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-transcript", default=LONG, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_open:
        child_open(args.child_open, args.child_suggestions, args.child_transcript)
        return
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(args.keep) if args.keep else Path(tmp) / "bench"
        t = time.perf_counter()
        if not (dest / "qualcode.db").exists():
            stats = build(dest, words=args.words, transcripts=args.transcripts, codings=args.codings)
        else:
            with Project.open(dest) as p:
                stats = {"transcripts": len(p.transcripts()), "codings": len(p.db.execute(
                    "SELECT id FROM codings").fetchall())}
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"project: {stats} (built in {time.perf_counter() - t:.0f} s)", flush=True)
        if not args.keys_only:
            opens = measure_open(dest)
            print(f"open {LONG} from the command's start to units on screen: "
                  + ", ".join(f"{s:.2f} s (processor {c:.2f} s)" for s, _, c in opens) + " (target < 1 s)", flush=True)
        if not args.no_suggestions and not args.keys_only:
            for cold, runs in ((True, 1), (False, 2)):
                got = measure_open(dest, runs, suggestions=True, cold=cold)
                case = "no model cache (fitted from scratch)" if cold else "model cache (reopening)"
                print(f"first suggestions from the command's start, {case}: "
                      + ", ".join(f"{f:.1f} s (units on screen at {s:.2f} s)" for s, f, _ in got), flush=True)
            # The morning's new interview: imported, then opened; the model saved for the other transcripts is
            # brought up to date (then the interview is removed again, so the keys below are measured as before).
            units = import_interview(dest, NEW)
            got = measure_open(dest, 1, suggestions=True, transcript=NEW)
            print(f"first suggestions from the command's start, after importing one {units}-unit interview (model "
                  f"cache of the earlier transcripts): "
                  + ", ".join(f"{f:.1f} s (units on screen at {s:.2f} s)" for s, f, _ in got), flush=True)
            with Project.open(dest) as p:
                from qualcode.actions.projects import remove_transcript

                remove_transcript(p, NEW, coder=CODER)
        if args.opens_only:
            return
        r = asyncio.run(drive(dest, reps=args.reps, suggestions=not args.no_suggestions))
    print("key -> screen drawn (target < 50 ms; next unit's suggestions < 100 ms); then the processor time of the"
          " screen's thread meanwhile (the rest is waiting for a core, the disk, or Textual's next frame); then the"
          " time to the effect alone, before it is drawn:")
    for name, values in r["keys"].items():
        print(f"  {name:<36} {summary(values)}")
        if name in r["cpu"]:
            print(f"  {'':<36} {summary(r['cpu'][name])} processor")
        if name in r["effects"]:
            print(f"  {'':<36} {summary(r['effects'][name])} to the effect")
    print(f"store watcher tick after our own writes:    {summary(r['watcher_own_ms'])}")
    print(f"store watcher tick after another process's: {summary(r['watcher_other_ms'])}")
    if r.get("no_suggestion"):
        print(f"{r['no_suggestion']} round(s) found no suggestion on the unit: no accept was measured in them")
    if r.get("refit_timeouts"):
        print(f"after {r['refit_timeouts']} coding(s) the refitted suggestions had not replaced the next unit's"
              " within 120 s")
    if "queue_open" in r:
        took, units = r["queue_open"]
        print(f"w: the queue of {LONG} ordered and shown in {took:.1f} s ({units} uncoded units scored by the model;"
              " the keys typed meanwhile wait for it)")
    if "burst" in r:
        landed, wanted, took, interviewer = r["burst"]
        print(f"burst of 'j 1' x20 typed at once: {landed}/{wanted} codings on the informant's units in {took:.1f} s"
              f" ({interviewer} of the 20 units were the interviewer's: '1' refused there, as it should be)")


if __name__ == "__main__":
    main()
