"""Nothing acknowledged is lost when qualcode is killed, and parallel writers neither lose writes nor see 'locked'.

A separate process codes the example project in a loop (crash_worker.py) and is killed with SIGKILL at random
moments, many times; after each kill the project must open, pass SQLite's integrity check, contain every action the
worker had acknowledged, and show the one action in flight either completely or not at all.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from qualcode.safety.doctor import run_doctor
from qualcode.store import DB_NAME, Project

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS = 24


class Worker:
    """A running crash_worker.py whose output is collected by a thread."""

    def __init__(self, project_dir: Path, coder: str, seed: int, limit: int | None = None) -> None:
        cmd = [sys.executable, str(WORKER), str(project_dir), coder, str(seed)]
        if limit is not None:
            cmd.append(str(limit))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("READY"):
                self.ready.set()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.finish()

    def finish(self, timeout: float = 120) -> str:
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


class Ledger:
    """What one coder's acknowledged actions say must be in the project."""

    def __init__(self, coder: str) -> None:
        self.coder = coder
        self.present: set[int] = set()
        self.gone: set[int] = set()
        self.memos: dict[int, int] = {}
        self.batches: dict[str, int] = {}
        self.acked = 0

    def replay(self, lines: list[str]) -> list[str] | None:
        """Apply acknowledged actions; return the action in flight (TRY without OK), if any."""
        pending: list[str] | None = None
        for line in lines:
            parts = line.split()
            if not parts or parts[0] == "READY":
                continue
            if parts[0] == "TRY":
                pending = parts[1:]
                continue
            assert parts[0] == "OK" and pending is not None, line
            kind = pending[0]
            if kind == "ADD":
                self.present.add(int(parts[1]))
            elif kind == "REMOVE":
                self.present.discard(int(pending[1]))
                self.gone.add(int(pending[1]))
            elif kind == "MEMO":
                self.memos[int(pending[1])] = int(pending[2])
            elif kind == "BATCH":
                self.batches[pending[1]] = int(pending[2])
                self.present.update(int(x) for x in parts[1:])
            self.acked += 1
            pending = None
        return pending

    def verify(self, project: Project, pending: list[str] | None) -> None:
        """Every acknowledged action is there; the one in flight is there completely or not at all."""
        have = {c["id"]: c for c in project.codings(coder=self.coder, current_only=False)}
        kind = pending[0] if pending else None
        if kind == "REMOVE":
            cid = int(pending[1])  # type: ignore[index]
            (self.present.add if cid in have else self.gone.add)(cid)
            if cid not in have:
                self.present.discard(cid)
        missing = self.present - set(have)
        assert not missing, f"acknowledged codings lost: {sorted(missing)}"
        assert not (self.gone & set(have)), "acknowledged removals came back"
        extra = {cid: c for cid, c in have.items() if cid not in self.present}
        if kind == "ADD":
            assert len(extra) <= 1 and all(str(c["segment"]) == pending[1] for c in extra.values())  # type: ignore[index]
        elif kind == "BATCH":
            tag, k = pending[1], int(pending[2])  # type: ignore[index]
            assert len(extra) in (0, k), f"half a batch was written: {len(extra)} of {k}"
            assert all(c["memo"] == tag for c in extra.values())
            if extra:
                self.batches[tag] = k
        else:
            assert not extra, f"codings nobody acknowledged: {sorted(extra)}"
        self.present |= set(extra)
        for seg, k in self.memos.items():
            if kind == "MEMO" and int(pending[1]) == seg:  # type: ignore[index]
                continue
            texts = [m["text"] for m in project.memos("segment", str(seg)) if m["coder"] == self.coder]
            assert texts == [f"{self.coder} note {k}"], f"memo on segment {seg} lost"
        if kind == "MEMO":
            self.memos[int(pending[1])] = int(pending[2])  # type: ignore[index]
            texts = [m["text"] for m in project.memos("segment", pending[1]) if m["coder"] == self.coder]  # type: ignore[index]
            if texts != [f"{self.coder} note {pending[2]}"]:  # type: ignore[index]
                del self.memos[int(pending[1])]  # type: ignore[index]
        events = project.events(coder=self.coder, entity="coding")
        batch_adds: dict[str, int] = {}
        for ev in events:
            memo = (ev["after"] or {}).get("memo") if ev["action"] == "coding.add" else None
            if memo:
                batch_adds[memo] = batch_adds.get(memo, 0) + 1
        for tag, k in self.batches.items():
            assert batch_adds.get(tag, 0) == k, f"batch {tag}: {batch_adds.get(tag, 0)} of {k} in the event log"
        adds = sum(ev["action"] == "coding.add" for ev in events)
        removes = sum(ev["action"] == "coding.remove" for ev in events)
        assert adds - removes == len(have), "the event log and the codings disagree"


def integrity(project_dir: Path) -> str:
    conn = sqlite3.connect(project_dir / DB_NAME)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_at_random_moments_loses_no_acknowledged_action(example_project_dir: Path) -> None:
    rng = random.Random(2024)
    ledger = Ledger("killed")
    kills_mid_action = 0
    for round_ in range(KILLS):
        worker = Worker(example_project_dir, "killed", seed=round_)
        if round_ % 6 == 5:
            time.sleep(rng.uniform(0.0, 0.25))  # sometimes while it is still opening the project
        else:
            assert worker.ready.wait(30), "the worker did not start"
            time.sleep(rng.uniform(0.01, 0.3))
        worker.kill()
        pending = ledger.replay(worker.lines)
        kills_mid_action += pending is not None
        assert integrity(example_project_dir) == "ok"
        with Project.open(example_project_dir) as project:
            ledger.verify(project, pending)
    assert ledger.acked >= 100, f"only {ledger.acked} actions were acknowledged: the test did not exercise much"
    assert kills_mid_action >= KILLS // 3, "too few kills landed in the middle of an action"
    report = run_doctor(example_project_dir)
    assert report["errors"] == 0, report


def test_parallel_writers_lose_nothing_and_never_report_a_locked_database(example_project_dir: Path) -> None:
    workers = {f"coder{k}": Worker(example_project_dir, f"coder{k}", seed=100 + k, limit=80) for k in range(3)}
    for w in workers.values():
        err = w.finish()
        assert w.proc.returncode == 0, err
        assert "locked" not in err and "busy" not in err
    with Project.open(example_project_dir) as project:
        for name, w in workers.items():
            ledger = Ledger(name)
            assert ledger.replay(w.lines) is None
            assert ledger.acked == 80
            ledger.verify(project, None)
    assert integrity(example_project_dir) == "ok"


def _cli(*args: str, env: dict[str, Any] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qualcode", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def test_cli_waits_for_a_project_another_process_is_writing(example_project_dir: Path) -> None:
    holder = sqlite3.connect(example_project_dir / DB_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # like a long import in another window
    cli = _cli("codings", "add", "-p", str(example_project_dir), "--segment", "KII-03:6", "--code", "relevance",
               "--coder", "dana")
    time.sleep(1.5)
    assert cli.poll() is None, "the command gave up instead of waiting"
    holder.execute("COMMIT")
    holder.close()
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    assert "locked" not in err
    with Project.open(example_project_dir) as project:
        assert [c["ref"] for c in project.codings(coder="dana")] == ["KII-03:6"]


def test_two_terminals_coding_with_the_cli_at_once_lose_no_write(example_project_dir: Path) -> None:
    with Project.open(example_project_dir) as project:  # six informant units of each of two interviews
        refs = [u["ref"] for t in ("KII-02", "KII-04") for u in project.segments(t, include_interviewer=False)[:6]]
    procs = []
    for n, ref in enumerate(refs):
        procs.append(_cli("codings", "add", "-p", str(example_project_dir), "--segment", ref, "--code",
                          "effectiveness", "--coder", "term1" if n % 2 else "term2"))
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "locked" not in err
    with Project.open(example_project_dir) as project:
        got = sorted(c["ref"] for c in project.codings(code="effectiveness") if c["coder"] in ("term1", "term2"))
    assert got == sorted(refs)
