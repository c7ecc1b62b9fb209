"""Headless benchmark of the coding workbench on a 40,000-word interview (not a timed test).

Drives the real app headless (Textual's run_test), as a person would: open the transcript, apply a code with the
picker, remove it with d, undo with u, then 500 codings in a row (c, type, Enter, n). Keys are posted to the app as
the terminal driver posts them. "Screen updated" means the unit on screen carries the change and the status bar
says saved: the writer thread committed it first.

    .venv/bin/python tests/bench/bench_tui.py [--codings 500] [--words 40000]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.codebook import default_codebook_path, load_codebook  # noqa: E402
from qualcode.model import ParsedTranscript, Turn, Unit  # noqa: E402
from qualcode.store import Project  # noqa: E402

WORDS = (
    "training grievance factory workers union chamber ministry funding meetings sectoral dialogue toolkit "
    "women gender data monitoring results outputs outcomes capacity ownership managers line leaders "
    "complaints bargaining agreement seminars advisory compliance roadmap budget staff time coordination "
    "partners project projects province district industrial zone supplier brand donor evaluation relevance"
).split()
FILLER = "the a we our they it was were is and but so very more also with for in on of to".split()


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


def build(dest: Path, words: int) -> tuple[int, int]:
    project = Project.create(dest, codebook=load_codebook(default_codebook_path()), name="Benchmark")
    pt = interview(words)
    project.add_transcript(pt, "KII-99", title="Long interview", coder="bench")
    project.set_speaker("KII-99", "Interviewer", role="interviewer", case_id=None, coder="bench")
    project.set_speaker("KII-99", "Informant", role="informant", case_id=None, coder="bench")
    project.close()
    return len(pt.text.split()), len(pt.units)


async def until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not update")
        await asyncio.sleep(0.0005)


async def run(dest: Path, codings: int) -> dict[str, Any]:
    from qualcode.tui import make_app
    from qualcode.tui.dialogs import CodePicker
    from qualcode.tui.screens import TranscriptScreen

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    app = make_app(dest, transcript="KII-99", coder="bench", poll_seconds=0, suggestions=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, TranscriptScreen) and bool(app.screen.view.units))
        out["open_s"] = time.perf_counter() - t0
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)

        def current_codes() -> list[str]:
            u = screen.view.current
            return [c["code"] for c in u["codings"] if c["coder"] == "bench"] if u else []

        def saved() -> bool:
            return not app.pending_writes

        # Keys are posted to the app exactly as the terminal driver posts them (Pilot.press would add its own
        # ~100 ms of waiting per key, which is not the app's latency).
        async def key(k: str, until_true: Any) -> float:
            t = time.perf_counter()
            app.simulate_key(k)
            await until(until_true)
            return 1000 * (time.perf_counter() - t)

        async def pick(query: str) -> None:
            await key("c", lambda: isinstance(app.screen, CodePicker) and app.focused is not None
                      and app.focused.id == "picker-input")
            picker = app.screen
            for ch in query:
                await key(ch if ch != " " else "space",
                          lambda picker=picker, ch=ch: picker.query_one("#picker-input").value.endswith(ch))

        apply_ms, remove_ms, undo_ms = [], [], []
        for _ in range(30):
            await pick("fund")
            apply_ms.append(await key("enter", lambda: "sustainability.funding" in current_codes() and saved()))
            remove_ms.append(await key("d", lambda: not current_codes() and saved()))
            undo_ms.append(await key("u", lambda: "sustainability.funding" in current_codes() and saved()))
            pos = screen.view.cursor
            await key("n", lambda pos=pos: screen.view.cursor != pos)
        out["apply_ms"] = statistics.median(apply_ms)
        out["remove_ms"] = statistics.median(remove_ms)
        out["undo_ms"] = statistics.median(undo_ms)

        per: list[float] = []
        codes = ["fund", "capac", "own", "outp", "disagg", "dialogue"]
        t_all = time.perf_counter()
        for i in range(codings):
            await pick(codes[i % len(codes)])
            before = len(current_codes())
            per.append(await key("enter", lambda before=before: len(current_codes()) > before and saved()))
            pos = screen.view.cursor
            await key("n", lambda pos=pos: screen.view.cursor != pos)
        out["run_s"] = time.perf_counter() - t_all
        tenth = max(1, codings // 10)
        out["first_ms"] = statistics.median(per[:tenth])
        out["last_ms"] = statistics.median(per[-tenth:])
        out["codings"] = codings
        t = time.perf_counter()
        await pilot.press("j")
        out["pilot_press_ms"] = 1000 * (time.perf_counter() - t)
    check = Project.open(dest)
    out["stored"] = len(check.codings(coder="bench"))
    check.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=40_000)
    parser.add_argument("--codings", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "bench"
        words, units = build(dest, args.words)
        r = asyncio.run(run(dest, args.codings))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"transcript: {words} words, {units} units")
    print(f"open transcript: {r['open_s']:.2f} s (target < 1 s)")
    print(f"apply code, screen updated: median {r['apply_ms']:.1f} ms (target < 50 ms)")
    print(f"remove code (d):            median {r['remove_ms']:.1f} ms")
    print(f"undo (u):                   median {r['undo_ms']:.1f} ms")
    print(f"{r['codings']} codings in a row (c, type, Enter, n): {r['run_s']:.1f} s; Enter to saved, median "
          f"first tenth {r['first_ms']:.1f} ms, last tenth {r['last_ms']:.1f} ms")
    print(f"(one Pilot.press round trip, for comparison: {r['pilot_press_ms']:.0f} ms)")
    print(f"codings in the store afterwards: {r['stored']}")


if __name__ == "__main__":
    main()
