"""The workbench's suggestions, computed away from the screen: in a process of their own, or in a thread.

A front end asks for the suggestions of some units (:meth:`SuggestionService.want`), says when the team's codings
changed (:meth:`SuggestionService.changed`) and asks for the queue's order (:meth:`SuggestionService.queue`); the
answers come back through the ``emit`` callback it gave, as tuples:

* ``("ready", generation, {unit id: [suggestion, ...]})``: suggestions computed by the model of that generation;
* ``("queue", token, units, note)``: the queue's units in order (``note``: why they are in transcript order, or "");
* ``("failed", text)``: the model cannot give suggestions (the service stops scoring).

One loop (:class:`SuggestionLoop`) fits the model once, refits it after codings change (quickly, then completely
while nothing is asked for), and scores what is asked for, newest request first. By default it runs in a process of
its own (:func:`start`): fitting and refitting hold Python's interpreter lock for long stretches (a Cholesky
factorisation holds it for a second and a half at 100,000 codings), and in a thread of the workbench's process every
key typed meanwhile waited for it. The process is a child of the workbench: it reads its requests on its standard
input and ends when that closes (the workbench quit, or died), so it never outlives it.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from qualcode import child_process

BATCH = 20  # units scored together once the first (the one on screen) is shown
NICENESS = 5  # the model's process gives way to the screen's on a busy machine ...
FIRST_FIT_SHARE = 3.0  # ... once its first suggestions are ready, or after this many seconds (see _give_way_soon)

Emit = Callable[[tuple[Any, ...]], None]


def _plain_unit(unit: Mapping[str, Any]) -> dict[str, Any]:
    """What scoring needs of a unit (its id, text and speaker's role): small to send to another process."""
    return {"id": int(unit["id"]), "text": unit["text"], "role": unit.get("role")}


class SuggestionLoop:
    """The one loop that fits the model, refits it after codings change and scores the units asked for."""

    def __init__(self, project_path: str | Path, emit: Emit, *, niceness: int = 0) -> None:
        self.project_path = Path(project_path)
        self.emit = emit
        self.niceness = niceness  # how far the loop gives way to other work once its first fit is done
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._wanted: dict[int, dict[str, Any]] = {}
        self._jobs: list[tuple[Any, str, str | None, bool]] = []  # queue orders asked for
        self._generation = 0
        self._needs_retrain = False
        self._closed = False
        self._engine: Any = None
        self._refitted = False  # a fit from scratch finished in the background (see _full_fit_done)

    # ------------------------------------------------------------------ requests (any thread)

    def want(self, generation: int, units: list[dict[str, Any]]) -> None:
        """Score these units (the newest request first: what is on screen now matters more than what was asked
        before)."""
        with self._wake:
            self._generation = max(self._generation, generation)
            wanted = {int(u["id"]): u for u in units}
            for key, value in self._wanted.items():
                wanted.setdefault(key, value)
            self._wanted = wanted
            self._wake.notify()

    def changed(self, generation: int) -> None:
        """The codings changed: refit before scoring again; what was asked for before is asked again by the front
        end, under the new generation."""
        with self._wake:
            self._generation = max(self._generation, generation)
            self._needs_retrain = True
            self._wanted.clear()
            self._wake.notify()

    def queue(self, token: Any, coder: str, transcript: str | None, ordered: bool) -> None:
        """Order ``coder``'s queue (of one transcript, or of the project): answered with ``("queue", token, ...)``."""
        with self._wake:
            self._jobs.append((token, coder, transcript, ordered))
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _full_fit_done(self) -> None:
        with self._wake:
            self._refitted = True
            self._wake.notify()

    def _interrupted(self) -> bool:
        return bool(self._wanted or self._jobs or self._closed)

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        from qualcode.actions import views as wb
        from qualcode.store import Project

        project = Project.open(self.project_path)
        give_way = _give_way_soon(self.niceness)
        try:
            with self._wake:
                self._needs_retrain = False
            # fitted (or restored from the model cache) at once, while the evaluator opens a transcript and reads
            self._engine = wb.fit_suggester(project)
            give_way()
            wb.refit_if_drifted(project, self._full_fit_done)
            while True:
                with self._wake:
                    while not (self._closed or self._wanted or self._jobs or self._refitted
                               or (self._engine is not None and getattr(self._engine, "stale", False))):
                        self._wake.wait()
                    if self._closed:
                        return
                    jobs, self._jobs = self._jobs, []
                    idle = not self._wanted
                    refitted, self._refitted = self._refitted, False
                if refitted and wb.take_full_fit(project):
                    # fitted from scratch after an import took the units far from the last such fit: it replaces
                    # the model brought up to date incrementally
                    self._engine = wb.fit_suggester(project)
                for job in jobs:
                    self._order_queue(project, *job)
                if jobs:
                    continue
                if idle:
                    # Nothing asked for: finish the refit the last coding (or an import) started, giving way to the
                    # next request.
                    if wb.refresh_suggester(project, should_stop=self._interrupted):
                        wb.refit_if_drifted(project, self._full_fit_done)
                    continue
                with self._wake:
                    retrain, self._needs_retrain = self._needs_retrain, False
                    generation = self._generation
                if self._engine is None or retrain:
                    self._engine = wb.fit_suggester(project)
                self._score(wb, generation)
        except Exception as err:  # a model problem must not take the workbench down: it is told, and shows it
            self.emit(("failed", f"suggestions failed: {err}"))
        finally:
            project.close()

    def _score(self, wb: Any, generation: int) -> None:
        """Small batches, the first unit alone (it is the one on screen); a coding meanwhile refits after the first
        batch, so what is on screen is scored even while the evaluator codes faster than a refit."""
        first = True
        while True:
            with self._wake:
                # a coding meanwhile: stop before taking units off the list, or the ones it asked for (the next
                # units, for the refitted model) would be dropped unscored
                stop = not self._wanted or self._closed or (self._needs_retrain and not first)
                units = [] if stop else list(self._wanted.values())[: 1 if first else BATCH]
                for u in units:
                    self._wanted.pop(int(u["id"]), None)
            if stop:
                return
            first = False
            found = wb.suggest_units(self._engine, units)
            for u in units:
                found.setdefault(int(u["id"]), [])
            self.emit(("ready", generation, found))
            with self._wake:
                if self._generation != generation:
                    # a coding came while they were scored: the refitted model scores them again (they were asked
                    # for under the new generation, so no later request would)
                    for u in units:
                        self._wanted.setdefault(int(u["id"]), u)

    def _order_queue(self, project: Any, token: Any, coder: str, transcript: str | None, ordered: bool) -> None:
        from qualcode.actions import views as wb

        note = ""
        try:
            # ordered by the model as it is now (a refit a coding started is finished later, between requests)
            units = wb.uncoded_queue(project, coder=coder, transcript=transcript, ordered=ordered, quick=True)
        except Exception as err:  # a model problem: transcript order rather than no queue
            units = wb.uncoded_queue(project, coder=coder, transcript=transcript, ordered=False)
            note = f"in transcript order: the suggestions failed ({err})"
        self.emit(("queue", token, units, note))


class SuggestionService:
    """The front end's handle on a :class:`SuggestionLoop`, wherever it runs."""

    def want(self, generation: int, units: list[Mapping[str, Any]]) -> None:
        self._send(("want", generation, [_plain_unit(u) for u in units]))

    def changed(self, generation: int) -> None:
        self._send(("changed", generation))

    def queue(self, token: Any, coder: str, transcript: str | None, ordered: bool) -> None:
        self._send(("queue", token, coder, transcript, ordered))

    def close(self) -> None:
        """Stop: the loop ends (a process ends once the refit step it is in is done; it never writes the project)."""

    def _send(self, message: tuple[Any, ...]) -> None:
        raise NotImplementedError


class ThreadService(SuggestionService):
    """The loop in a thread of this process (tests that give the model's functions stand-ins use it)."""

    def __init__(self, project_path: str | Path, emit: Emit) -> None:
        self.loop = SuggestionLoop(project_path, emit)
        self.thread = threading.Thread(target=self.loop.run, name="qualcode-suggestions", daemon=True)
        self.thread.start()

    def _send(self, message: tuple[Any, ...]) -> None:
        _dispatch(self.loop, message)

    def close(self) -> None:
        self.loop.close()


class ProcessService(SuggestionService):
    """The loop in a child process (``python -m qualcode.actions.suggestion_service PROJECT``), requests and answers
    pickled on its standard input and output. Requests are written by a thread of their own, so the screen never
    waits for the child to read them (it reads nothing while it starts)."""

    def __init__(self, project_path: str | Path, emit: Emit) -> None:
        self.emit = emit
        self.closing = False
        self.proc = child_process.start(["-m", "qualcode.actions.suggestion_service",
                                         str(Path(project_path).resolve())])
        self._out: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
        threading.Thread(target=self._writer, name="qualcode-suggestions-out", daemon=True).start()
        threading.Thread(target=self._reader, name="qualcode-suggestions-in", daemon=True).start()

    def _send(self, message: tuple[Any, ...]) -> None:
        self._out.put(message)

    def _writer(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        with contextlib.suppress(OSError, ValueError):  # the child ended: the reader says so
            while True:
                message = self._out.get()
                if message is None:
                    break
                child_process.send(stdin, message)
        with contextlib.suppress(OSError, ValueError):
            stdin.close()

    def _reader(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        for message in child_process.received(stdout):  # until the child ends (or the stream is damaged)
            self.emit(message)
        code = self.proc.wait()
        if not self.closing:
            self.emit(("failed", f"suggestions stopped: the model's process ended (exit status {code})"))

    def close(self) -> None:
        self.closing = True
        self._out.put(None)


def start(project_path: str | Path, emit: Emit, *, own_process: bool = True) -> SuggestionService:
    """Start the suggestion loop on a project, in a process of its own (default) or in a thread."""
    if own_process:
        return ProcessService(project_path, emit)
    return ThreadService(project_path, emit)


def _give_way_soon(niceness: int,
                   after: Callable[[float, Callable[[], None]], Callable[[], None]] = child_process.after,
                   ) -> Callable[[], None]:
    """Lower the process's priority by ``niceness`` when the returned function is called, or after
    ``FIRST_FIT_SHARE`` seconds if that comes first (``after`` schedules that). The first suggestions after an opening
    (restoring or updating the saved model: seconds) are what the evaluator waits for, so the model takes its share
    of a busy machine for them; then, and during a long fit from scratch, it gives way to the screen. On Linux a
    thread's priority is its own: each thread is lowered, those numerical libraries started during the first fit
    included (threads started later inherit the priority of the thread that starts them)."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return lambda: None
    if not sys.platform.startswith("linux"):  # elsewhere a priority is the whole process's: given way at once
        with contextlib.suppress(OSError):
            os.nice(niceness)
        return lambda: None
    tid = threading.get_native_id()
    done = threading.Event()
    lock = threading.Lock()

    def lower() -> None:
        with lock:
            if done.is_set():
                return
            done.set()
            for thread in _threads(tid):
                with contextlib.suppress(OSError):  # a thread that ended meanwhile
                    os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + niceness)

    cancel = after(FIRST_FIT_SHARE, lower)

    def now() -> None:
        cancel()
        lower()

    return now


def _threads(calling: int) -> list[int]:
    """The ids of this process's threads (Linux), or the calling thread's where they cannot be read."""
    try:
        return [int(name) for name in os.listdir("/proc/self/task")]
    except (OSError, ValueError):
        return [calling]


def _dispatch(loop: SuggestionLoop, message: tuple[Any, ...]) -> None:
    kind, *args = message
    if kind == "want":
        loop.want(*args)
    elif kind == "changed":
        loop.changed(*args)
    elif kind == "queue":
        loop.queue(*args)


def serve(project_path: str) -> None:
    """The child process: requests from standard input, answers on standard output, until standard input closes."""
    out = child_process.answers()
    lock = threading.Lock()

    def emit(message: tuple[Any, ...]) -> None:
        with lock:
            child_process.send(out, message)

    loop = SuggestionLoop(project_path, emit, niceness=NICENESS)
    threading.Thread(target=loop.run, name="qualcode-suggestions", daemon=True).start()
    for message in child_process.requests():  # until the workbench closes the pipe (it quit, or died)
        _dispatch(loop, message)
    loop.close()
    with contextlib.suppress(OSError, ValueError):
        out.flush()
    os._exit(0)  # not waiting for a fit in progress: nothing it does is lost (the model cache is written whole)


if __name__ == "__main__":
    serve(sys.argv[1])
